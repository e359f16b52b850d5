"""Small real files in every supported format, made by the tests themselves (Chinese text and headings)."""

from __future__ import annotations

from pathlib import Path

TITLE = "关于加强社区养老服务的实施方案"
SECTIONS = [
    ("一、总体要求", "到2027年，社区养老服务设施覆盖率达到95%。坚持政府主导、社会参与。"),
    ("二、主要任务", "一是完善服务网络；二是培育服务主体；三是提升服务质量。"),
    ("三、保障措施", "各区要加强组织领导，落实经费保障，每年安排专项资金1200万元。"),
]


def write_docx(path: Path) -> Path:
    """A Word file with a title, heading-styled sections, an auto-numbered list and a table."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph("各区人民政府：")
    for heading, body in SECTIONS:
        document.add_heading(heading, level=1)
        document.add_paragraph(body)
    document.add_heading("四、重点项目", level=1)
    num_id = _decimal_numbering(document)
    for item in ("建设街道综合养老服务中心。", "发展社区嵌入式养老机构。"):
        paragraph = document.add_paragraph(item)
        num_pr = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", "0"), ("w:numId", num_id)):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            num_pr.append(element)
        paragraph._p.get_or_add_pPr().append(num_pr)
    document.add_heading("附则", level=1)
    document.add_paragraph("本方案自印发之日起施行。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "目标值"
    table.cell(1, 0).text = "护理型床位占比"
    table.cell(1, 1).text = "60%"
    document.save(path)
    return path


def _decimal_numbering(document) -> str:
    """Adds a Word numbering definition '1.', '2.', … and returns its id."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def write_pdf(path: Path, pages: list[list[str]] | None = None) -> Path:
    """A two-page PDF with a Chinese text layer (a CID font every PDF reader knows, nothing embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pages = pages or [
        [TITLE, "一、总体要求", "到2027年，社区养老服务设施覆盖率达", "到95%。坚持政府主导、社会参与。", "- 1 -"],
        ["二、主要任务", "一是完善服务网络；二是培育服务主体；三是提升服务质量。", "- 2 -"],
    ]
    pdf = canvas.Canvas(str(path))
    for lines in pages:
        pdf.setFont("STSong-Light", 12)
        for row, line in enumerate(lines):
            pdf.drawString(72, 780 - 20 * row, line)
        pdf.showPage()
    pdf.save()
    return path


def write_encrypted_pdf(path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(path.with_name("plain-" + path.name))
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="mima", owner_password="mima", algorithm="AES-128")
    with path.open("wb") as stream:
        writer.write(stream)
    plain.unlink()
    return path


def write_html(path: Path) -> Path:
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in SECTIONS)
    path.write_text(
        f"<!doctype html><html><head><title>{TITLE}</title><style>p{{color:red}}</style></head>"
        f"<body><h1>{TITLE}</h1><script>alert('x')</script>{body}"
        "<table><tr><td>指标</td><td>目标值</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return path


def plain_text() -> str:
    lines = [TITLE]
    for heading, body in SECTIONS:
        lines += [heading, body]
    return "\n".join(lines) + "\n"


def write_pdf_table(path: Path, rows: list[list[str]], *, before: str = "", spans: list[tuple] = (),
                    watermark: str = "") -> Path:
    """A PDF holding a ruled table (cells wrap their text; `spans` merge cells as reportlab's SPAN does), the first
    row repeated on each page, with an optional paragraph before it and a turned watermark on every page."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cell", fontName="STSong-Light", fontSize=10, leading=13, wordWrap="CJK")

    def stamp(canvas, _document) -> None:
        if watermark:
            canvas.saveState()
            canvas.setFont("STSong-Light", 60)
            canvas.translate(150, 250)
            canvas.rotate(35)
            canvas.drawString(0, 0, watermark)
            canvas.restoreState()

    table = Table([[Paragraph(cell, style) for cell in row] for row in rows], colWidths=[40, 200, 80, 120],
                  repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), *(("SPAN", *span) for span in spans)]))
    story = ([Paragraph(before, style)] if before else []) + [table]
    SimpleDocTemplate(str(path)).build(story, onFirstPage=stamp, onLaterPages=stamp)
    return path
