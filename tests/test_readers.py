"""Real files as departments have them: what printing, Word and old formats do to the text, each fixed on a small
file the test makes itself."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from make_files import write_pdf
from wenyuan.ingest import IngestError, SourceFile, load
from wenyuan.readers import legacy
from wenyuan.readers.quality import garbled

FULL = "第一条　为了规范公共租赁住房的管理工作，根据有关规定，结合本市实际制定本办法。住房城乡建设部门是公共租赁住房工"


def _load(path: Path):
    return load(SourceFile(path, path.name))


def _wrapped(text: str, width: int = 30) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def test_pdf_joins_a_wrapped_article_line_and_keeps_numbers_alone_on_a_line(tmp_path: Path) -> None:
    article = "第一条　为了规范公共租赁住房管理，市住房保障部门是本市公共租赁住房工作的主管部门，负责政策制定和监督管理。"
    body = _wrapped("第二条　申请人应当如实申报家庭收入和住房状况，审核部门应当在受理后及时完成审核并公示结果，公示期不得少于")
    page = ["公共租赁住房管理办法", "", *_wrapped(article), *body, "15", "个工作日。违反规定的，处", "3", "万元以下罚款。"]
    document = _load(write_pdf(tmp_path / "办法.pdf", [page]))
    assert "市住房保障部门是本市公共租赁住房工作的主管部门" in document.text  # the 第一条 line is joined
    assert "公示期不得少于15个工作日。" in document.text
    assert "处3万元以下罚款。" in document.text


def test_pdf_drops_page_furniture_and_joins_sentences_across_pages(tmp_path: Path) -> None:
    url = "http://www.example.gov.cn/zwgk/2015/content_1234.htm"
    pages = [
        ["某市人民政府公报", "关于做好城乡居民医疗保险工作的通知", "", *_wrapped("各区人民政府要把城乡居民医疗保险工作列入重要议事日程，切实加强组织领导，确保参保人员按时足额"),
         url, "1 of 3 11/18/2015 03:25 PM", "—", "1", "—"],
        ["某市人民政府公报", "缴费，待遇及时兑现。", "二、目录", "第一章 总则........................3", url,
         "2 of 3 11/18/2015 03:25 PM", "— 2 —"],
        ["某市人民政府公报", "三、本通知自2016年1月1日起施行。", url, "3 of 3 11/18/2015 03:25 PM", "第3页 共3页"],
    ]
    document = _load(write_pdf(tmp_path / "通知.pdf", pages))
    assert "确保参保人员按时足额缴费，待遇及时兑现。" in document.text
    for furniture in ("http://", "of 3", "PM", "—\n", "第3页", "...", "某市人民政府公报"):
        assert furniture not in document.text, furniture
    assert document.page_at(document.text.index("三、本通知")) == 3


def test_docx_soft_line_breaks_nested_tables_and_fields(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    pasted = document.add_paragraph()
    for line in ["\u3000\u3000一、总体要求", "\u3000\u3000到2025年基本建成公共服务体系。", "\u3000\u3000二、主要任务"]:
        pasted.add_run(line).add_break()
    field = document.add_paragraph()
    field._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="DOCPROPERTY 文号"><w:r><w:t>渝府发〔2010〕61号</w:t></w:r></w:fldSimple>'))
    layout = document.add_table(rows=1, cols=1)
    cell = layout.cell(0, 0)
    cell.paragraphs[0].text = "三、保障措施"
    inner = cell.add_table(rows=2, cols=2)
    for row, values in enumerate([("家庭人口", "面积标准"), ("2人户", "不超过40平方米")]):
        for column, value in enumerate(values):
            inner.cell(row, column).text = value
    document.save(tmp_path / "网页粘贴.docx")
    text = _load(tmp_path / "网页粘贴.docx").text
    lines = text.split("\n")
    assert "一、总体要求" in lines and "二、主要任务" in lines  # soft breaks end lines; indentation does not hide them
    assert "渝府发〔2010〕61号" in text  # a field's shown value
    assert "三、保障措施" in lines
    assert "2人户 | 不超过40平方米" in lines  # the nested table is kept, one row per line


def test_file_type_comes_from_the_bytes(tmp_path: Path) -> None:
    from make_files import write_docx

    renamed = tmp_path / "其实是docx.doc"
    shutil.copyfile(write_docx(tmp_path / "原件.docx"), renamed)
    document = _load(renamed)
    assert "社区养老服务设施覆盖率达到95%" in document.text
    assert any("内容其实是 .docx" in warning for warning in document.warnings)
    page = tmp_path / "网页.pdf"
    page.write_text("<!DOCTYPE html><html><body><p>第一条　本办法自2016年1月1日起施行。</p></body></html>", encoding="utf-8")
    document = _load(page)
    assert "本办法自2016年1月1日起施行" in document.text and document.warnings
    fake = tmp_path / "表格.doc"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\0" * 512)
    with pytest.raises(IngestError, match="Excel"):
        _load(fake)


def _word_97(tmp_path: Path) -> Path:
    """A Word 97 .doc with a table, saved by LibreOffice as an office system would save it."""
    source = tmp_path / "source.html"
    source.write_text(
        "<html><head><meta charset='utf-8'></head><body><p>上海市行政规范性文件管理规定</p>"
        "<p>第一条　为了规范行政规范性文件的制定和备案工作，制定本规定。</p>"
        "<p>第二条　规范性文件应当自公布之日起15日内报送备案。</p>"
        "<table border='1'><tr><td>文件类别</td><td>有效期</td></tr><tr><td>通告</td><td>1年</td></tr></table>"
        "</body></html>", encoding="utf-8")
    subprocess.run([legacy.soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(source)], check=True,
                   capture_output=True, timeout=180)
    return tmp_path / "source.doc"


needs_libreoffice = pytest.mark.skipif(legacy.soffice() is None, reason="LibreOffice is not installed (setup.sh --full)")


@needs_libreoffice
def test_doc_and_wps_files_are_read_through_libreoffice(tmp_path: Path) -> None:
    doc = _word_97(tmp_path)
    named = tmp_path / "上海市行政规范性文件管理规定.doc"
    doc.rename(named)
    document = _load(named)
    assert document.reader == "LibreOffice"
    assert document.title == "上海市行政规范性文件管理规定"
    assert "规范性文件应当自公布之日起15日内报送备案。" in document.text
    assert "通告 | 1年" in document.text.split("\n")
    wps = tmp_path / "规定.wps"  # WPS Writer saves the same OLE Word format under its own extension
    shutil.copyfile(named, wps)
    assert "15日内报送备案" in _load(wps).text


@needs_libreoffice
@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_antiword_reads_a_doc_when_libreoffice_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _word_97(tmp_path)
    monkeypatch.setattr(legacy, "soffice", lambda: None)
    document = _load(doc)
    assert document.reader == "antiword"
    assert "规范性文件应当自公布之日起15日内报送备案。" in document.text
    assert any("LibreOffice" in warning for warning in document.warnings)


def test_without_readers_a_doc_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy, "soffice", lambda: None)
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    path = tmp_path / "旧文件.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\0" * 512)
    with pytest.raises(IngestError, match="LibreOffice"):
        _load(path)


def test_garbled_text_is_recognised() -> None:
    assert garbled("犌犅／犜２２２３９—２０１９犐犆犛０３．１００" * 5)
    assert garbled("\ue001\ue002\ue003\ue004" * 10)
    assert not garbled("第一条　为了规范公共租赁住房的管理工作，根据有关规定，结合本市实际，制定本办法。" * 2)
    assert not garbled("第一條　為了規範公共租賃住房的管理工作，根據有關規定，結合本市實際，制定本辦法。" * 2)


def test_a_text_file_of_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "乱码.txt"
    path.write_text("犌犅／犜２２２３９—２０１９犐犆犛０３．１００犔６７犌犅犜犕犓" * 5, encoding="utf-8")
    with pytest.raises(IngestError, match="乱码"):
        _load(path)


def test_zip_that_is_neither_docx_nor_ofd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "打包.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(IngestError, match="不是 Word"):
        _load(path)


def test_kangxi_radicals_in_a_text_layer_read_as_the_characters_they_show(tmp_path: Path) -> None:
    path = tmp_path / "送审稿.txt"
    path.write_text("北京市居住证管理办法\n第⼀条　持证⼈在本市居住满⼀年的，可以申请。\n", encoding="utf-8")
    assert "第一条　持证人在本市居住满一年的" in _load(path).text


def test_the_index_reports_how_each_file_was_read(tmp_path: Path, embedder) -> None:
    import json

    from make_files import write_docx
    from wenyuan.config import Settings
    from wenyuan.index import build_index

    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(write_docx(tmp_path / "原件.docx"), data / "养老方案.doc")
    (data / "损坏.pdf").write_bytes(b"%PDF-1.4 truncated")
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", progress=False)
    index, report = build_index([data], tmp_path / "index", settings, embedder)
    assert [path for path, _ in report.skipped] == ["损坏.pdf"]
    assert "warning 养老方案.doc: 扩展名是 .doc，内容其实是 .docx 格式" in report.summary()
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["documents"]
    assert entry["reader"] == "docx" and entry["characters"] > 100 and entry["warnings"]


def test_rows_of_a_long_table_are_indexed_with_the_header_row(tmp_path: Path) -> None:
    import docx

    from wenyuan.chunking import build_structure, chunk_document

    document = docx.Document()
    document.add_paragraph("武汉市公共租赁住房租金标准")
    table = document.add_table(rows=41, cols=3)
    for column, name in enumerate(("行政区", "小区名称", "月租金标准")):
        table.cell(0, column).text = name
    for row in range(1, 41):
        for column, value in enumerate((f"第{row}区", f"幸福家园{row}期小区", f"每平方米{10 + row}元")):
            table.cell(row, column).text = value
    document.save(tmp_path / "租金.docx")
    loaded = _load(tmp_path / "租金.docx")
    assert "第7区 | 幸福家园7期小区 | 每平方米17元" in loaded.text.split("\n")
    chunks = chunk_document(loaded, build_structure(loaded), 300, 50)
    later = next(c for c in chunks if "幸福家园35期小区" in c.text)
    assert "行政区 | 小区名称 | 月租金标准" not in later.text
    assert later.table_header == "行政区 | 小区名称 | 月租金标准"
    assert "月租金标准" in later.embedding_text() and "月租金标准" in later.lexical_text()


def test_each_article_of_a_regulation_is_a_unit_under_its_chapter(tmp_path: Path) -> None:
    from wenyuan.chunking import build_structure, chunk_document

    lines = ["某市公共租赁住房管理条例", "第一章 总则"]
    lines += [f"第{n}条 本条规定第{n}项管理事项，有关部门应当依法履行职责。" for n in "一二三四五六"]
    lines += ["第二章 申请", "第七条 申请公共租赁住房应当符合下列条件：", "（一）在本市有稳定就业；", "（二）本人及家庭在本市无住房；",
              "第八条 审核部门应当自受理之日起20个工作日内完成审核。"]
    path = tmp_path / "条例.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    document = _load(path)
    chunks = chunk_document(document, build_structure(document), 300, 50)
    seventh = next(c for c in chunks if "第七条" in c.text)
    assert seventh.heading_path == ("某市公共租赁住房管理条例", "第二章 申请", "第七条")
    assert "（二）本人及家庭在本市无住房；" in seventh.text and "第八条" not in seventh.text
    assert next(c for c in chunks if c.text.startswith("第三条")).heading_path[-2:] == ("第一章 总则", "第三条")


def test_a_title_spread_over_three_lines_and_a_word_file_wrapped_by_hand(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ["渝府发〔2010〕61号", "重庆市人民政府关于", "印发重庆市公共租赁住房管理", "暂行办法的通知",
                 "各区县（自治县）人民政府，市政府有关部门："]:
        document.add_paragraph(line)
    body = ("第一条 为加快推进统筹城乡发展，完善我市住房保障体系，解决城市住房困难群体的住房问题，根据有关规定，结合本市实际，制定本办法。"
            "第二条 本办法适用于本市行政区域内公共租赁住房规划、建设、分配、使用、管理及监督，市国土房管部门负责组织实施。"
            "第三条 本办法所称公共租赁住房，是指政府投资并提供政策支持，限定套型面积和按优惠租金标准向符合条件的家庭供应的保障性住房。"
            "第四条 公共租赁住房的规划建设应当遵循统筹规划、分步实施的原则，由市和区县人民政府按照职责分工组织实施。"
            "第五条 申请公共租赁住房的家庭应当如实申报家庭人口、收入和住房状况，并接受有关部门的调查核实和定期复核。"
            "第六条 公共租赁住房的租金标准由市物价部门会同市国土房管部门确定，原则上不超过同地段市场租金的百分之六十。")
    for piece in _wrapped(body, 34):  # pasted from a fixed-width source: a hard break every 34 characters
        document.add_paragraph("\ue003" + piece)
    document.save(tmp_path / "办法.docx")
    loaded = _load(tmp_path / "办法.docx")
    assert loaded.title == "重庆市人民政府关于印发重庆市公共租赁住房管理暂行办法的通知"
    assert loaded.number == "渝府发〔2010〕61号"
    assert "解决城市住房困难群体的住房问题，根据有关规定" in loaded.text
    assert "\ue003" not in loaded.text


def test_gongwen_furniture_is_not_the_title_and_an_attachment_is_a_section(tmp_path: Path) -> None:
    from wenyuan.chunking import build_structure, chunk_document

    lines = ["HFGS—2015—31", "合肥市人民政府文件", "合政〔2015〕88号", "", "关于印发合肥市公共租赁住房管理办法的通知", "",
             "各县（市）、区人民政府：", "现将《合肥市公共租赁住房管理办法》印发给你们，请认真贯彻执行。", "", "附件：合肥市公共租赁住房管理办法",
             "", "合肥市人民政府", "2015年6月1日", "", "附件", "", "合肥市公共租赁住房管理办法", "",
             "第一条 为规范公共租赁住房管理，制定本办法。", "第二条 本办法自2015年7月1日起施行。", "",
             "公开方式：主动公开", "抄送：市委各部门，市人大常委会办公厅，市政协办公厅，市中级法院，", "市检察院。",
             "合肥市人民政府办公厅 2015年6月2日印发"]
    path = tmp_path / "合政88号.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    document = _load(path)
    assert document.title == "关于印发合肥市公共租赁住房管理办法的通知"
    assert document.number == "合政〔2015〕88号" and document.issuer == "合肥市人民政府"
    chunks = chunk_document(document, build_structure(document), 300, 50)
    second = next(c for c in chunks if "2015年7月1日起施行" in c.text)
    assert second.heading_path[:2] == (document.title, "附件")
    assert "抄送" not in second.text and "印发" not in second.text.split("\n")[-1]  # the 版记 is in no article
    imprint = next(c for c in chunks if "抄送" in c.text)
    assert imprint.heading_path == (document.title, "版记")
    assert "抄送：市委各部门，市人大常委会办公厅，市政协办公厅，市中级法院，市检察院。" in imprint.text.split("\n")


def test_a_signer_beside_the_document_number_is_neither_title_nor_number(tmp_path: Path) -> None:
    """A 请示 puts 签发人 on the 文号's line (GB/T 9704): the 文号, title and issuer still come out right."""
    lines = ["合肥市人民政府文件", "合政〔2015〕88号　　　　签发人：张三", "", "关于申请设立合肥市公共租赁住房基金的请示", "",
             "省人民政府：", "为解决中低收入家庭住房困难，现申请设立公共租赁住房基金。", "妥否，请批示。", "",
             "合肥市人民政府", "2015年6月1日"]
    path = tmp_path / "请示.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    document = _load(path)
    assert document.title == "关于申请设立合肥市公共租赁住房基金的请示" and document.number == "合政〔2015〕88号"
    assert document.issuer == "合肥市人民政府" and "签发人：张三" in document.text.split("\n")


def test_a_title_styled_as_a_heading_is_not_repeated_in_heading_paths(tmp_path: Path) -> None:
    import docx

    from wenyuan.chunking import build_structure, chunk_document

    document = docx.Document()
    document.add_heading("江浙住房政策梳理", level=1)
    document.add_paragraph("一、公共租赁住房")
    document.add_paragraph("申请人应当在本市连续缴纳社会保险满一年。")
    document.save(tmp_path / "梳理.docx")
    loaded = _load(tmp_path / "梳理.docx")
    chunks = chunk_document(loaded, build_structure(loaded), 300, 50)
    body = next(c for c in chunks if "社会保险" in c.text)
    assert body.heading_path == ("江浙住房政策梳理", "一、公共租赁住房")


def test_title_and_document_number_typed_into_one_paragraph_are_two_lines(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("重庆市人民政府关于印发重庆市公共租赁住房管理暂行办法的通知\u3000\u3000渝府发〔2010〕61号")
    document.add_paragraph("各区县（自治县）人民政府：")
    document.add_paragraph("现将《重庆市公共租赁住房管理暂行办法》印发给你们，请遵照执行。")
    document.save(tmp_path / "通知.docx")
    loaded = _load(tmp_path / "通知.docx")
    assert loaded.title == "重庆市人民政府关于印发重庆市公共租赁住房管理暂行办法的通知"
    assert loaded.number == "渝府发〔2010〕61号"


@pytest.mark.parametrize("encoding", ["big5", "utf-16-le", "utf-16-be"])
def test_big5_and_utf16_without_a_bom_are_detected_not_read_as_gb18030(tmp_path: Path, encoding: str) -> None:
    text = "臺北市政府公告\n第一條　為規範公共住宅之申請，依相關規定訂定本辦法。\n第二條　申請人應設籍本市滿一年。\n" * 3
    path = tmp_path / f"公告-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert "第二條　申請人應設籍本市滿一年。" in _load(path).text


def test_bytes_that_are_no_text_in_any_encoding_are_reported_and_an_encoding_can_be_forced(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    path = tmp_path / "数据.txt"
    path.write_bytes(noise)
    with pytest.raises(IngestError, match="编码"):
        _load(path)
    big5 = tmp_path / "繁體.txt"
    big5.write_bytes("第一條　為規範公共住宅之申請，訂定本辦法。".encode("big5"))
    assert "為規範公共住宅" in load(SourceFile(big5, big5.name), encoding="big5").text


def test_a_gbk_file_with_a_damaged_byte_is_still_read(tmp_path: Path) -> None:
    raw = ("第一条　为规范公共租赁住房管理，制定本办法。" * 40).encode("gbk")
    path = tmp_path / "损坏一处.txt"
    path.write_bytes(raw[:301] + b"\xff" + raw[302:])
    assert "为规范公共租赁住房管理" in _load(path).text


def test_an_ordinary_word_file_keeps_its_paragraphs_apart(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("市教育局关于进一步规范新生入学管理工作的通知")
    document.add_paragraph("武教基〔2016〕16号")
    document.add_paragraph("各区教育局，局直属有关中小学：")
    for n in range(1, 11):  # a list of short items without final punctuation, each its own paragraph
        document.add_paragraph(f"{n}、第{n}学区招生范围划定工作安排")
    document.add_paragraph("请各单位认真贯彻执行。")
    document.save(tmp_path / "通知.docx")
    loaded = _load(tmp_path / "通知.docx")
    assert loaded.number == "武教基〔2016〕16号"
    assert "3、第3学区招生范围划定工作安排" in loaded.text.split("\n")


def test_a_saved_web_page_with_a_long_head_and_a_fragment_are_read_as_html(tmp_path: Path) -> None:
    saved = tmp_path / "网页.html"
    saved.write_text("<!-- saved from url=(0040)http://www.example.gov.cn/ -->\n<html><head><style>"
                     + "p { color: red; }\n" * 400 + "</style></head><body><p>第一条 本办法自2016年1月1日起施行。</p>"
                     "</body></html>", encoding="utf-8")
    assert "本办法自2016年1月1日起施行。" in _load(saved).text
    fragment = tmp_path / "片段.htm"
    fragment.write_text("<span>第二条</span> 申请人应当如实申报。", encoding="utf-8")
    assert "申请人应当如实申报" in _load(fragment).text


def test_a_text_box_in_a_table_cell_is_read_once(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "办理窗口"
    box = (f'<w:r {nsdecls("w", "wp", "a")} xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic><a:graphicData>"
           "<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>市民中心二楼</w:t></w:r></w:p></w:txbxContent></wps:txbx>"
           "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
           "<w:p><w:r><w:t>市民中心二楼</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>")
    table.cell(0, 1).paragraphs[0]._p.append(parse_xml(box))
    document.save(tmp_path / "流程.docx")
    assert _load(tmp_path / "流程.docx").text.count("市民中心二楼") == 1


def test_automatic_chinese_numbers_past_one_hundred(tmp_path: Path) -> None:
    from wenyuan.readers.docx import _chinese_number

    assert [_chinese_number(n) for n in (99, 100, 101, 110, 115, 200, 1001)] == [
        "九十九", "一百", "一百零一", "一百一十", "一百一十五", "二百", "一千零一"]


def test_numbers_that_end_a_page_are_text_unless_they_can_be_its_page_number(tmp_path: Path) -> None:
    pages = [["各区补贴标准如下：", "市区每户每年补贴", "2100", "元，远郊区县每户补贴", "80", "95", "— 1 —"],
             ["二、本通知自印发之日起施行。", "2"]]
    text = _load(write_pdf(tmp_path / "补贴.pdf", pages)).text
    assert "市区每户每年补贴2100元" in text and "80" in text and "95" in text
    assert "— 1 —" not in text and not text.rstrip().endswith("2")


def test_sections_after_the_last_article_are_sections_again(tmp_path: Path) -> None:
    from wenyuan.chunking import build_structure, chunk_document

    lines = ["某市居住证办法", "第一条 申请人应当提交下列材料：", "（一）身份证；", "（二）居住证明。",
             "第二条 本办法自2016年1月1日起施行。", "附件1：材料清单", "一、身份证明", "申请人应当提交身份证复印件。",
             "二、居住证明", "申请人应当提交房屋租赁合同。"]
    path = tmp_path / "办法.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    document = _load(path)
    chunks = chunk_document(document, build_structure(document), 300, 50)
    first = next(c for c in chunks if "（二）居住证明" in c.text)
    assert first.heading_path[-1] == "第一条"
    second = next(c for c in chunks if "房屋租赁合同" in c.text)
    assert second.text.startswith("二、居住证明") and second.heading_path[-1] == "二、居住证明"


def test_each_word_table_keeps_its_own_header_row(tmp_path: Path) -> None:
    import docx

    from wenyuan.chunking import build_structure, chunk_document

    document = docx.Document()
    document.add_paragraph("招生学校一览")
    for header, prefix in ((("学校名称", "招生人数", "联系电话"), "公办"), (("街道", "对口中学", "地址"), "街道")):
        table = document.add_table(rows=31, cols=3)
        for column, name in enumerate(header):
            table.cell(0, column).text = name
        table.cell(1, 0).merge(table.cell(1, 2)).text = f"{prefix}分组"  # a merged group row
        for row in range(2, 31):
            for column in range(3):
                table.cell(row, column).text = f"{prefix}{row}号{header[column]}内容"
        document.add_paragraph("")
    document.save(tmp_path / "学校.docx")
    loaded = _load(tmp_path / "学校.docx")
    chunks = chunk_document(loaded, build_structure(loaded), 300, 50)
    later = next(c for c in chunks if "街道28号街道内容" in c.text)
    assert later.table_header == "街道 | 对口中学 | 地址"
    first = next(c for c in chunks if "公办28号学校名称内容" in c.text)
    assert first.table_header == "学校名称 | 招生人数 | 联系电话"


def test_a_ruled_pdf_table_is_read_as_rows_with_its_header(tmp_path: Path) -> None:
    """Cells wrapped over several lines stay whole, a cell merged over rows is repeated in each, the table goes on
    over a page break as one table, and a turned watermark across it is not cell text."""
    from make_files import write_pdf_table
    from wenyuan.chunking import build_structure, chunk_document

    rows = [["序号", "行政处罚事项名称", "处罚对象", "办理部门"]]
    rows += [[str(n), f"对管控单位第{n}类违法行为（虚构、捏造碳排放或者统计指标数据，情节较重的）的处罚", "管控单位",
              "市发展改革委碳排放权交易办公室" if n > 2 else "市生态环境局"] for n in range(1, 41)]
    path = write_pdf_table(tmp_path / "清单.pdf", rows, before="不服发展改革部门作出的以下行政处罚行为（见下表）：",
                           spans=[((3, 1), (3, 2))], watermark="内部资料")
    loaded = _load(path)
    lines = loaded.text.split("\n")
    assert lines.count("序号 | 行政处罚事项名称 | 处罚对象 | 办理部门") == 1  # not again where a page goes on
    assert "7 | 对管控单位第7类违法行为（虚构、捏造碳排放或者统计指标数据，情节较重的）的处罚 | 管控单位 | " \
           "市发展改革委碳排放权交易办公室" in lines
    assert "1 | 对管控单位第1类违法行为（虚构、捏造碳排放或者统计指标数据，情节较重的）的处罚 | 管控单位 | 市生态环境局" in lines
    assert any(line.startswith("2 | ") and line.endswith(" | 市生态环境局") for line in lines)  # the merged cell
    assert "内部资料" not in loaded.text.replace("\n", "") and "内" not in loaded.text.split("\n")[-1]
    assert len(loaded.tables) == 1 and loaded.reader == "pdf"
    chunks = chunk_document(loaded, build_structure(loaded), 300, 50)
    later = next(c for c in chunks if "第33类" in c.text)
    assert later.table_header == "序号 | 行政处罚事项名称 | 处罚对象 | 办理部门"


def test_a_web_page_laid_out_in_a_grid_is_read_as_text_not_as_a_table(tmp_path: Path) -> None:
    """A web page printed to PDF puts the whole article in one cell of a layout grid: that is not a data table."""
    from make_files import write_pdf_table

    article = "第一条 为了规范居住证管理，制定本办法。" * 30
    path = write_pdf_table(tmp_path / "网页.pdf", [["首页", "信息公开", "网上办事", "互动交流"], ["", article, "", ""],
                                                   ["", "打印本页", "", "关闭窗口"]])
    loaded = _load(path)
    assert not loaded.tables and " | " not in loaded.text
    assert "为了规范居住证管理" in loaded.text


def test_table_borders_drawn_as_thin_filled_bars_are_a_grid(tmp_path: Path) -> None:
    """Word and WPS export cell borders as filled rectangles a fraction of a point wide, not as stroked lines."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "积分.pdf"))
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(72, 760, "居住证积分指标及分值")
    xs, ys = [72, 200, 330], [740, 710, 680, 650]
    for y in ys:
        pdf.rect(xs[0], y - 0.25, xs[-1] - xs[0], 0.5, stroke=0, fill=1)
    for x in xs:
        pdf.rect(x - 0.25, ys[-1], 0.5, ys[0] - ys[-1], stroke=0, fill=1)
    for row, (name, score) in enumerate([("指标", "分值"), ("本科及以上学历", "40分"), ("大专学历", "30分")]):
        pdf.drawString(xs[0] + 4, ys[row] - 20, name)
        pdf.drawString(xs[1] + 4, ys[row] - 20, score)
    pdf.showPage()
    pdf.save()
    loaded = _load(tmp_path / "积分.pdf")
    assert loaded.text.split("\n")[1:] == ["指标 | 分值", "本科及以上学历 | 40分", "大专学历 | 30分"]
    assert len(loaded.tables) == 1


def test_cells_merged_over_rows_with_gaps_in_their_borders_and_a_category_row(tmp_path: Path) -> None:
    """Some writers leave the side borders of cells merged over rows out in the rows' middle; a category row merged
    across all columns has no inner borders. Both are read as the table shows them."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "清单.pdf"))
    pdf.setFont("STSong-Light", 10)
    xs = [60, 90, 230, 430, 520]
    ys = [760, 735, 710, 685, 660, 635]  # header, category row, three rows of one merged item
    pdf.drawString(62, 765 + 5, "民防办行政许可清单")
    for y in (ys[0], ys[1], ys[2], ys[5]):  # full-width lines
        pdf.line(xs[0], y, xs[-1], y)
    for y in (ys[3], ys[4]):  # inside the merged item, only the 子项 column is ruled
        pdf.line(xs[2], y, xs[3], y)
    for x in xs:
        pdf.line(x, ys[0], x, ys[1])  # header
    pdf.line(xs[0], ys[1], xs[0], ys[2])  # the category row: outer borders only
    pdf.line(xs[-1], ys[1], xs[-1], ys[2])
    for x in xs:  # the merged item: every border in its first and last row, only the 子项 column's in the middle
        pdf.line(x, ys[2], x, ys[3])
        pdf.line(x, ys[4], x, ys[5])
    pdf.line(xs[2], ys[3], xs[2], ys[4])
    pdf.line(xs[3], ys[3], xs[3], ys[4])
    for x, text in zip(xs, ["序号", "大项", "子项名称", "负责处室"]):
        pdf.drawString(x + 3, ys[0] - 16, text)
    pdf.drawString(xs[0] + 3, ys[1] - 16, "一、行政许可类")
    pdf.drawString(xs[0] + 3, ys[3] - 16, "1")
    pdf.drawString(xs[1] + 3, ys[3] - 16, "人防工程报建审核")
    pdf.drawString(xs[3] + 3, ys[3] - 16, "人防工程处")
    for y, text in zip(ys[2:5], ["方案报建审查", "初步设计审查", "拆除审查"]):
        pdf.drawString(xs[2] + 3, y - 16, text)
    pdf.showPage()
    pdf.save()
    lines = _load(tmp_path / "清单.pdf").text.split("\n")
    assert lines[lines.index("序号 | 大项 | 子项名称 | 负责处室"):] == [
        "序号 | 大项 | 子项名称 | 负责处室", "一、行政许可类", "1 | 人防工程报建审核 | 方案报建审查 | 人防工程处",
        "1 | 人防工程报建审核 | 初步设计审查 | 人防工程处", "1 | 人防工程报建审核 | 拆除审查 | 人防工程处"]

