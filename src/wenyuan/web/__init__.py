"""The browser side of Wenyuan: the Gradio chat and documents tab, and the HTTP routes beside them."""
