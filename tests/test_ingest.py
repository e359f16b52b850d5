"""Every supported format loads into one cleaned text; bad files are reported with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from make_files import SECTIONS, TITLE, plain_text, write_docx, write_encrypted_pdf, write_html, write_pdf
from wenyuan.ingest import IngestError, SourceFile, decode, load


def _load(path: Path):
    return load(SourceFile(path, path.name))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_files_in_every_chinese_encoding_read_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"养老方案-{encoding}.txt"
    path.write_bytes(plain_text().encode(encoding))
    document = _load(path)
    assert document.title == TITLE
    assert "社区养老服务设施覆盖率达到95%" in document.text
    assert document.path == path.name


def test_gbk_detection_does_not_take_gbk_for_utf8() -> None:
    raw = "一、总体要求\n城镇化率提升至60.37%。".encode("gbk")
    assert decode(raw) == "一、总体要求\n城镇化率提升至60.37%。"


def test_markdown_keeps_headings_and_joins_wrapped_lines(tmp_path: Path) -> None:
    path = tmp_path / "说明.md"
    path.write_text("# 关于加强社区养老服务\n\n## 一、总体要求\n到2027年，社区养老服务设施\n覆盖率达到95%。\n", encoding="utf-8")
    document = _load(path)
    assert document.title == "关于加强社区养老服务"
    assert "社区养老服务设施覆盖率达到95%。" in document.text


def test_docx_keeps_headings_numbering_and_tables(tmp_path: Path) -> None:
    document = _load(write_docx(tmp_path / "养老方案.docx"))
    assert document.title == TITLE
    for heading, body in SECTIONS:
        assert heading in document.text and body in document.text
    assert "1.建设街道综合养老服务中心。" in document.text.replace(" ", "")
    assert "护理型床位占比 | 60%" in document.text
    assert "2.发展社区嵌入式养老机构。" in document.text.replace(" ", "")
    # a heading without a number is known by its Word style alone
    assert (document.text.index("附则"), 1) in document.styled_headings


def test_pdf_keeps_pages_and_repairs_broken_lines(tmp_path: Path) -> None:
    document = _load(write_pdf(tmp_path / "养老方案.pdf"))
    assert document.title == TITLE
    assert "社区养老服务设施覆盖率达到95%。" in document.text  # line broken inside a sentence is joined
    assert "- 1 -" not in document.text  # page furniture dropped
    second = document.text.index("二、主要任务")
    assert document.page_at(second) == 2
    assert document.page_at(document.text.index("一、总体要求")) == 1


def test_html_text_without_scripts_or_styles(tmp_path: Path) -> None:
    document = _load(write_html(tmp_path / "养老方案.html"))
    assert document.title == TITLE
    assert "alert" not in document.text and "color:red" not in document.text
    assert "一、总体要求" in document.text and "指标 | 目标值" in document.text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("空文件.txt", b"", "空的"),
        ("空白.txt", b"   \n\n ", "空的"),
        ("坏的.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("坏的.docx", b"PK\x03\x04 broken zip", "Word"),
        ("坏的.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 broken word", "已损坏"),
            ("截断.doc", b"\xd0\xcf\x11\xe0 old word", "不是 .doc 格式"),
        ("图片.png", b"\x89PNG\r\n", "不支持"),
    ],
)
def test_unreadable_files_raise_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        _load(path)


def test_encrypted_pdf_is_reported(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="密码"):
        _load(write_encrypted_pdf(tmp_path / "加密.pdf"))


def test_redaction_marks_survive_loading(tmp_path: Path) -> None:
    path = tmp_path / "讲话.txt"
    path.write_text("同志们:\n**市推进_总书记重要讲话精神,促进z-教中国化。\n", encoding="utf-8")
    text = _load(path).text
    assert "**市" in text and "_总书记" in text and "z-教" in text
