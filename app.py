"""Start the Wenyuan web app on the documents in data/ (the index is built on first start).

    python app.py [--host 127.0.0.1] [--port 7860] [--index index] [--data data]
"""

from __future__ import annotations

import sys

from wenyuan.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
