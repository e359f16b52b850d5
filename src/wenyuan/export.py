"""An answer as a Word file to put into a report: the question, the answer, and numbered 【来源】 entries (document,
文号 and date, heading path, page, the quoted passage), set in the fonts of a 公文 (仿宋 for text, 黑体 for the
heading; Word substitutes its own where a font is missing). Made from the answer's JSON, so the chat, the REST API
and the widget export the same file.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

_MARKER = re.compile(r"\[(\d+)\]")
_BODY_FONT = "仿宋"  # 仿宋_GB2312 on older office machines; Word falls back by family
_HEADING_FONT = "黑体"
_LATIN_FONT = "Times New Roman"


def answer_docx(answer: dict, asked_at: datetime | None = None) -> bytes:
    """The .docx of one answer as `wenyuan ask --json` or /api/ask give it."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    set_fonts(normal, _BODY_FONT)
    normal.font.size = Pt(14)  # 四号, the body size of a 公文 on screen-sized paper
    heading = document.add_paragraph()
    set_fonts(heading.add_run("问答摘录"), _HEADING_FONT).font.size = Pt(16)
    when = (asked_at or datetime.now()).strftime("%Y年%m月%d日 %H:%M")
    meta = document.add_paragraph()
    meta.add_run(f"文渊文件问答，{when}").font.size = Pt(10.5)
    if answer.get("scope"):
        meta.add_run(f"；{answer['scope']}").font.size = Pt(10.5)
    _labelled(document, "问：", str(answer.get("question", "")))
    _labelled(document, "答：", _MARKER.sub(r"[\1]", str(answer.get("answer", ""))))
    citations = answer.get("citations") or []
    if citations and not answer.get("refused"):
        set_fonts(document.add_paragraph().add_run("来源"), _HEADING_FONT)
    for citation in citations:
        about = "，".join(str(part) for part in (citation.get("number"), citation.get("date")) if part)
        line = f"【来源{citation.get('n')}】《{citation.get('title', '')}》" + (f"（{about}）" if about else "")
        path = " › ".join(citation.get("heading_path", [])[1:])
        if citation.get("page"):
            line += f"，第{citation['page']}页" + ("（OCR 识别，请核对原件）" if citation.get("ocr") else "")
        entry = document.add_paragraph()
        entry.add_run(line + (f"，{path}" if path else ""))
        quote = document.add_paragraph()
        quote.paragraph_format.left_indent = Pt(28)
        quote.add_run(f"“{str(citation.get('quote', '')).strip()}”")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def export_name(question: str) -> str:
    """The file name of an exported answer: 问答-<the question's first words>.docx."""
    words = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "", question)[:20] or "回答"
    return f"问答-{words}.docx"


def _labelled(document, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    set_fonts(paragraph.add_run(label), _HEADING_FONT)
    for number, line in enumerate(text.split("\n")):
        if number:
            paragraph.add_run().add_break()
        paragraph.add_run(line)


def set_fonts(target, east_asian: str):
    """Sets a run's or style's fonts: Latin letters in Times New Roman, Chinese in `east_asian`."""
    from docx.oxml.ns import qn

    target.font.name = _LATIN_FONT
    properties = target.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    return target
