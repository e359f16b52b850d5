"""OCR of a scanned page: a page image made here, saved as an image-only PDF, read back in reading order."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from wenyuan.readers import ocr

FIRST = "第一条　为规范来穗务工人员申请承租公共租赁住房，制定本细则。"
SECOND = "本细则自2016年1月1日起施行，有效期5年。"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


def cjk_font() -> str | None:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-list"):
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False)
        for line in listing.stdout.splitlines():
            path = line.split(":")[0].strip()
            if path.endswith((".ttf", ".ttc", ".otf")):
                return path
    return None


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture
def scanned_pdf(tmp_path: Path) -> Path:
    """A one-page, image-only PDF at 200 dpi: two sentences with a wide gap between them."""
    image_module = pytest.importorskip("PIL.Image")
    from PIL import ImageDraw, ImageFont

    font_path = cjk_font()
    if font_path is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-wqy-microhei)")
    page = image_module.new("RGB", (1300, 700), "white")
    draw = ImageDraw.Draw(page)
    draw.text((80, 80), FIRST, font=ImageFont.truetype(font_path, 36), fill="black")
    draw.text((80, 330), SECOND, font=ImageFont.truetype(font_path, 36), fill="black")
    path = tmp_path / "scan.pdf"
    page.save(path, format="PDF", resolution=200)
    return path


@pytest.mark.parametrize("engine", ocr.ENGINES)
def test_a_scanned_page_reads_back_in_order(scanned_pdf: Path, engine: str) -> None:
    pytest.importorskip("pypdfium2", reason='OCR needs pypdfium2: pip install "wenyuan[ocr]"')
    calls: list[tuple[int, int]] = []
    try:
        pages = ocr.recognise_pdf_pages(scanned_pdf, [1], lambda done, total: calls.append((done, total)),
                                        engine=engine)
    except ocr.OcrUnavailable as error:
        pytest.skip(f"{engine} is not installed here: {error}")

    assert list(pages) == [1]
    assert calls == [(1, 1)]
    lines = pages[1].split("\n")
    assert "" in lines, f"the wide gap between the sentences should end a paragraph: {lines!r}"
    gap = lines.index("")
    first, second = squash("".join(lines[:gap])), squash("".join(lines[gap + 1 :]))
    # a character or two may be misread; a broken engine, a wrong order or a lost line reads far below 0.9
    assert difflib.SequenceMatcher(None, first, squash(FIRST)).ratio() >= 0.9, first
    assert difflib.SequenceMatcher(None, second, squash(SECOND)).ratio() >= 0.9, second
    assert "2016" in second


def test_without_an_engine_the_error_says_what_to_install(
    scanned_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: None)
    with pytest.raises(ocr.OcrUnavailable, match=r'pip install "wenyuan\[ocr\]"'):
        ocr.recognise_pdf_pages(scanned_pdf, [1])


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        # two pieces of one line, given right piece first, and a slightly lower second piece (a skewed scan)
        ([(300, 12, 500, 52, "制定本细则。"), (80, 10, 290, 50, "为规范管理，")], "为规范管理，制定本细则。"),
        # ordinary line spacing: no blank line; a gap of two lines: a blank line
        ([(80, 10, 500, 50, "第一行"), (80, 75, 500, 115, "第二行"), (80, 240, 500, 280, "新段落")],
         "第一行\n第二行\n\n新段落"),
        # two fields far apart on one line keep a space; tesseract's spaces between characters go
        ([(80, 10, 300, 50, "东莞市社会保障局"), (900, 10, 1100, 50, "2016 年 1 月 1 日")],
         "东莞市社会保障局 2016年1月1日"),
    ],
)
def test_boxes_are_read_line_by_line_left_to_right(boxes: list[tuple], expected: str) -> None:
    assert ocr._layout([ocr._Box(*box) for box in boxes]) == expected


def test_a_scanned_pdf_is_indexed_page_by_page_and_its_citations_say_ocr(scanned_pdf: Path, tmp_path: Path,
                                                                          embedder) -> None:
    if ocr.available() is None:
        pytest.skip('no OCR engine installed (pip install "wenyuan[ocr]")')
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(scanned_pdf, data / "来穗务工人员公租房细则.pdf")
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", progress=False)
    assistant = Assistant(settings, embedder=embedder)
    seen: list[tuple[str, int, int]] = []
    assistant.build([data], progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert ("ocr", 1, 1) in seen
    (entry,) = assistant.index.manifest.documents
    assert entry.ocr_pages == (1,) and "OCR" in entry.reader
    answer = assistant.ask("来穗务工人员公租房细则什么时候起施行？")
    assert "2016年1月1日" in squash(answer.text)
    cited = answer.citations[0]
    assert cited.page == 1 and cited.ocr and "OCR" in cited.page_label() and cited.to_json()["ocr"] is True


def test_without_an_ocr_engine_a_scan_is_reported_with_what_to_install(scanned_pdf: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from wenyuan.ingest import IngestError, SourceFile, load

    monkeypatch.setattr(ocr, "available", lambda: None)
    with pytest.raises(IngestError, match=r"OCR.*wenyuan\[ocr\]"):
        load(SourceFile(scanned_pdf, scanned_pdf.name))


def test_a_scanned_ofd_page_is_read_by_ocr(tmp_path: Path) -> None:
    if ocr.available() is None:
        pytest.skip('no OCR engine installed (pip install "wenyuan[ocr]")')
    image_module = pytest.importorskip("PIL.Image")
    from PIL import ImageDraw, ImageFont

    from test_ofd import NS, document, image_object, page, write_ofd
    from wenyuan.ingest import SourceFile, load

    font_path = cjk_font()
    if font_path is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-wqy-microhei)")
    picture = image_module.new("RGB", (1300, 300), "white")
    ImageDraw.Draw(picture).text((60, 100), SECOND, font=ImageFont.truetype(font_path, 40), fill="black")
    png = tmp_path / "scan.png"
    picture.save(png)
    resources = (f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:MultiMedias><ofd:MultiMedia ID="8" Type="Image" '
                 'Format="PNG"><ofd:MediaFile>image_8.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>')
    path = write_ofd(tmp_path / "扫描公文.ofd", {
        "Doc_0/Document.xml": document(["Pages/Page_0/Content.xml"], resources="DocumentRes.xml"),
        "Doc_0/DocumentRes.xml": resources,
        "Doc_0/Pages/Page_0/Content.xml": page(image_object()),
    })
    import zipfile

    with zipfile.ZipFile(path, "a") as archive:
        archive.write(png, "Doc_0/Res/image_8.png")
    document_read = load(SourceFile(path, path.name))
    assert difflib.SequenceMatcher(None, squash(document_read.text), squash(SECOND)).ratio() >= 0.9, document_read.text
    assert document_read.ocr_pages == (1,) and "OCR" in document_read.reader
