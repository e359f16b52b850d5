"""OFD files read page by page in reading order; damaged, encrypted or hostile files are refused with a reason.

Every file here is built by the test itself: XML parts written into a zip, positions in millimetres. Body text is
set in 5 mm characters, so a line of 32 characters from x = 20 ends at the right margin, x = 180.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from wenyuan.readers import ofd
from wenyuan.readers.ofd import OfdError, read_ofd, read_ofd_pages

NS = "http://www.ofdspec.org/2016"
SIZE = 5.0

# 32 characters fill a line from the margin; an indented first line holds 30
FULL_1 = "为切实做好安全生产工作，有效防范和遏制重特大事故发生，经研究决定"
FULL_2 = "开展一次全面的安全检查。现将有关事项通知如下，请各单位认真组织实"
FULL_3 = "施，主要负责同志要亲自部署，分管负责同志要具体抓落实，务求实效。"
FULL_4 = "检查范围包括本单位所属各类生产经营场所、仓库、宿舍和办公区域，重"
SHORT = "点检查消防设施。"


def text_object(x: float, y: float, text: str, *, size: float = SIZE, delta_x: str | None = None,
                delta_y: str | None = None) -> str:
    """A TextObject whose Boundary starts at (x, y - size) and whose one TextCode has its baseline at y."""
    deltas = "".join(f' {name}="{value}"' for name, value in (("DeltaX", delta_x), ("DeltaY", delta_y)) if value)
    return (
        f'<ofd:TextObject ID="1" Boundary="{x} {y - size} 170 {size * 1.2}" Font="1" Size="{size}">'
        f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="{size}"{deltas}>{text}</ofd:TextCode>'
        "</ofd:TextObject>"
    )


def image_object() -> str:
    return '<ofd:ImageObject ID="9" Boundary="0 0 210 297" CTM="210 0 0 297 0 0" ResourceID="8"/>'


def page(*layers: str, template: str | None = None) -> str:
    """A page's Content.xml, one layer per argument."""
    reference = f'<ofd:Template TemplateID="{template}" ZOrder="Background"/>' if template else ""
    body = "".join(f'<ofd:Layer ID="{index + 2}">{layer}</ofd:Layer>' for index, layer in enumerate(layers))
    return f'<ofd:Page xmlns:ofd="{NS}">{reference}<ofd:Content>{body}</ofd:Content></ofd:Page>'


def document(page_locations: list[str], *, templates: dict[str, str] | None = None,
             resources: str | None = None) -> str:
    """A Document.xml listing the pages (and template pages) by BaseLoc."""
    common = "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
    common += "".join(f'<ofd:TemplatePage ID="{ident}" BaseLoc="{location}"/>'
                      for ident, location in (templates or {}).items())
    if resources:
        common += f"<ofd:DocumentRes>{resources}</ofd:DocumentRes>"
    pages = "".join(f'<ofd:Page ID="{10 + index}" BaseLoc="{location}"/>'
                    for index, location in enumerate(page_locations))
    return (f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>{common}</ofd:CommonData>'
            f"<ofd:Pages>{pages}</ofd:Pages></ofd:Document>")


def write_ofd(path: Path, parts: dict[str, str], *, doc_root: str = "Doc_0/Document.xml",
              namespace: str | None = NS) -> Path:
    """An .ofd file with OFD.xml pointing at `doc_root` and the given parts, in the given namespace (or none)."""
    parts = {"OFD.xml": (f'<ofd:OFD xmlns:ofd="{NS}" DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocInfo>'
                         f"<ofd:DocID>test</ofd:DocID></ofd:DocInfo><ofd:DocRoot>{doc_root}</ofd:DocRoot>"
                         "</ofd:DocBody></ofd:OFD>"), **parts}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            if namespace is None:
                xml = xml.replace(f' xmlns:ofd="{NS}"', "").replace("ofd:", "")
            else:
                xml = xml.replace(NS, namespace)
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + xml)
    return path


def simple_ofd(path: Path, *pages: str, namespace: str | None = NS) -> Path:
    """A one-document file whose pages are single layers of the given objects."""
    parts = {f"Doc_0/Pages/Page_{index}/Content.xml": page(layer) for index, layer in enumerate(pages)}
    locations = [f"Pages/Page_{index}/Content.xml" for index in range(len(pages))]
    return write_ofd(path, {"Doc_0/Document.xml": document(locations), **parts}, namespace=namespace)


def notice(tmp_path: Path, second_page_location: str = "Pages/Page_1/Content.xml") -> Path:
    """A two-page notice: a template line, a heading, two paragraphs apart, a table row; Latin words on page 2."""
    first = page(
        "".join([
            text_object(55, 33, "关于开展安全检查的通知", size=8, delta_x="g 10 8"),
            text_object(30, 50, FULL_1[:30], delta_x="g 29 5"),  # indented by two characters
            text_object(20, 57, FULL_1[30:] + FULL_2[:30]),  # no DeltaX: square characters, one after another
            text_object(20, 64, FULL_2[30:] + FULL_3[:30], delta_x="g 31 5"),  # a full line ending the paragraph
        ]),
        # after a vertical gap, neither indented nor after a short line: the gap alone starts the paragraph
        "<ofd:PageBlock ID='30'><ofd:PageBlock ID='31'>"
        + text_object(20, 82, FULL_4) + text_object(20, 89, SHORT)
        + "</ofd:PageBlock></ofd:PageBlock>"
        + text_object(20, 103, "单位") + text_object(80, 103, "负责人") + text_object(140, 103, "电话"),
        template="2",
    )
    second = page(
        text_object(20, 40, "附件：检查表（") + text_object(55, 40, "Open", delta_x="g 3 2.5")
        + text_object(67, 40, "Fixed-layout", delta_x="g 11 2.5") + text_object(97.5, 40, "版）")
    )
    template = page(text_object(20, 14, "内部资料", size=4))
    return write_ofd(tmp_path / "通知.ofd", {
        "Doc_0/Document.xml": document(["Pages/Page_0/Content.xml", second_page_location],
                                       templates={"2": "Tpls/Tpl_0/Content.xml"}),
        "Doc_0/Pages/Page_0/Content.xml": first,
        "Doc_0/Pages/Page_1/Content.xml": second,
        "Doc_0/Tpls/Tpl_0/Content.xml": template,
    })


def test_a_notice_reads_as_its_paragraphs_in_order(tmp_path: Path) -> None:
    assert read_ofd(notice(tmp_path)) == [
        (1, [
            "内部资料",
            "关于开展安全检查的通知",
            FULL_1 + FULL_2 + FULL_3[:30],
            FULL_4 + SHORT,
            "单位 | 负责人 | 电话",
        ]),
        (2, ["附件：检查表（Open Fixed-layout版）"]),
    ]


@pytest.mark.parametrize("location", ["/Doc_0/Pages/Page_1/Content.xml", "Doc_0/Pages/Page_1/Content.xml",
                                      "./Pages/../Pages/Page_1/Content.xml"])
def test_page_locations_may_be_relative_absolute_or_from_the_root(tmp_path: Path, location: str) -> None:
    assert read_ofd(notice(tmp_path, location))[1] == (2, ["附件：检查表（Open Fixed-layout版）"])


@pytest.mark.parametrize("namespace", [NS, "http://www.ofdspec.org", None])
def test_any_namespace_or_none_is_read(tmp_path: Path, namespace: str | None) -> None:
    objects = text_object(20, 30, "第一条") + "<ofd:PageBlock ID='7'>" + text_object(20, 60, "第二条") + "</ofd:PageBlock>"
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", objects, namespace=namespace)) == [(1, ["第一条", "第二条"])]


def test_text_is_read_by_position_not_by_file_order(tmp_path: Path) -> None:
    # written bottom line first, and the second line's halves right half first
    objects = text_object(20, 60, "第三行") + text_object(60, 40, "后半") + text_object(20, 40, "前半") \
        + text_object(20, 20, "第一行")
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", objects)) == [(1, ["第一行", "前半 | 后半", "第三行"])]


def test_text_on_every_layer_is_read(tmp_path: Path) -> None:
    parts = {"Doc_0/Document.xml": document(["Pages/Page_0/Content.xml"]),
             "Doc_0/Pages/Page_0/Content.xml": page(text_object(20, 60, "正文层"), text_object(20, 20, "页眉层"))}
    assert read_ofd(write_ofd(tmp_path / "a.ofd", parts)) == [(1, ["页眉层", "正文层"])]


def test_a_first_line_indent_starts_a_paragraph(tmp_path: Path) -> None:
    indented = text_object(20, 30, FULL_1) + text_object(30, 37, FULL_2[:30]) + text_object(20, 44, FULL_4)
    flush = text_object(20, 30, FULL_1) + text_object(20, 37, FULL_2) + text_object(20, 44, FULL_4)
    assert read_ofd(simple_ofd(tmp_path / "indented.ofd", indented)) == [(1, [FULL_1, FULL_2[:30] + FULL_4])]
    assert read_ofd(simple_ofd(tmp_path / "flush.ofd", flush)) == [(1, [FULL_1 + FULL_2 + FULL_4])]


def test_a_short_line_ends_its_paragraph(tmp_path: Path) -> None:
    lines = text_object(20, 30, "一、总体要求") + text_object(20, 37, FULL_4) + text_object(20, 44, SHORT)
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", lines)) == [(1, ["一、总体要求", FULL_4 + SHORT])]


def test_letter_spacing_inside_a_run_adds_no_spaces(tmp_path: Path) -> None:
    # an invoice label spreads 名称 over 15 mm; one run is one string, however it is spaced
    spread = text_object(20, 30, "名称：", delta_x="15 3.5") + text_object(44, 30, "甲公司")
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", spread)) == [(1, ["名称：甲公司"])]


def test_control_characters_take_no_place(tmp_path: Path) -> None:
    # a pretty-printed TextCode starts with a newline; DeltaX still counts from the first character drawn
    objects = text_object(20, 30, "\n\t甲乙", delta_x="30") + text_object(30, 30, "丙")
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", objects)) == [(1, ["甲 | 丙 | 乙"])]


def test_an_invoice_keeps_each_row_on_one_line(tmp_path: Path) -> None:
    objects = "".join([
        # the title's baseline is below the small print beside it, its top above
        text_object(40, 15, "增值税电子普通发票", size=10, delta_x="g 8 10"),
        text_object(120, 11, "发票代码：050001700111", delta_x="g 5 5 g 11 2.5"),
        text_object(120, 19, "发票号码：99999951", delta_x="g 5 5 g 7 2.5"),
        text_object(2, 35, "购买方", delta_y="5 5"),  # written top to bottom beside the rows, DeltaY only
        text_object(13, 34.5, "名称："), text_object(28, 34.5, "科游迈利有限公司"),
        text_object(126, 35.5, "03*&lt;7+", size=4.2, delta_x="g 5 2.5"),
        text_object(13, 40.5, "纳税人识别号："), text_object(48, 40.5, "9150010807MGZHI002", delta_x="g 17 2.54"),
        text_object(24.5, 56, "项目名称"), text_object(85, 56, "单位"), text_object(101, 56, "数量"),
        text_object(5.5, 61, "*餐饮服务*餐费", delta_x="2.5 g 4 5 2.5 5"), text_object(86, 61, "次"),
        text_object(102, 61, "4"), text_object(117, 61, "25"), text_object(185, 61, "6.00", delta_x="g 3 2.5"),
    ])
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", objects)) == [(1, [
        "增值税电子普通发票",
        "发票代码：050001700111",  # a field on its own line ends short of the rows' right edge
        "发票号码：99999951",
        "购买方 | 名称：科游迈利有限公司 | 03*<7+",
        "纳税人识别号：9150010807MGZHI002",
        "项目名称 | 单位 | 数量",
        "*餐饮服务*餐费 | 次 | 4 | 25 | 6.00",
    ])]


LEFT_COLUMN = ["一二三四五六七八九十甲乙丙丁", "戊己庚辛壬癸子丑寅卯辰巳午未", "申酉戌亥东南西北春夏秋冬金木",
               "水火土赤橙黄绿青蓝紫宫商角徵"]
RIGHT_COLUMN = ["天地玄黄宇宙洪荒日月盈昃辰宿", "列张寒来暑往秋收冬藏闰余成岁", "律吕调阳云腾致雨露结为霜金生", "丽水。"]


@pytest.mark.parametrize("indented", [False, True])
def test_two_columns_of_prose_are_read_one_column_after_the_other(tmp_path: Path, indented: bool) -> None:
    # the left column ends in a full line: the paragraph runs on at the head of the right column unless that
    # line is indented
    right = [RIGHT_COLUMN[0][2:] if indented else RIGHT_COLUMN[0], *RIGHT_COLUMN[1:]]
    objects = text_object(20, 20, "标题横跨两栏：数字与天干地支以及千字文的开头两段文字") + "".join(
        text_object(20, 30 + 7 * index, LEFT_COLUMN[index])
        + text_object(120 if indented and index == 0 else 110, 30 + 7 * index, right[index])
        for index in range(4)
    )
    title = "标题横跨两栏：数字与天干地支以及千字文的开头两段文字"
    expected = [title, "".join(LEFT_COLUMN), "".join(right)] if indented else [title, "".join(LEFT_COLUMN + right)]
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", objects)) == [(1, expected)]


def test_table_of_contents_leaders_become_cell_marks(tmp_path: Path) -> None:
    entry = text_object(20, 30, "第一章 总则" + "." * 40 + "1", delta_x="g 6 5 g 40 2.5")
    assert read_ofd(simple_ofd(tmp_path / "a.ofd", entry)) == [(1, ["第一章 总则 | 1"])]


def test_text_in_composite_graphics_is_placed_by_its_ctm(tmp_path: Path) -> None:
    # CNKI keeps every line in a CompositeGraphicUnit drawn in points; the first unit's text is higher in its
    # unit, but its CompositeObject is placed 150 mm down the page, below the second unit's text
    units = "".join(
        f'<ofd:CompositeGraphicUnit ID="{ident}" Width="595" Height="842"><ofd:Content>'
        f'<ofd:TextObject ID="5" CTM="2 0 0 2 0 0" Boundary="56 {top} 400 30" Font="1" Size="7">'
        f'<ofd:TextCode X="0" Y="6" DeltaX="g 3 7">{words}</ofd:TextCode></ofd:TextObject>'
        "</ofd:Content></ofd:CompositeGraphicUnit>"
        for ident, top, words in (("101", 100, "后写先读"), ("102", 300, "先写后读"))
    )
    resources = (f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
                 f"<ofd:CompositeGraphicUnits>{units}</ofd:CompositeGraphicUnits></ofd:Res>")
    placed = "".join(f'<ofd:CompositeObject ID="{ident}" CTM="0.3528 0 0 0.3528 0 0" Boundary="0 {top} 210 147" '
                     f'ResourceID="{ident}"/>' for ident, top in (("101", 150), ("102", 0)))
    parts = {"Doc_0/Document.xml": document(["Pages/Page_0/Content.xml"], resources="DocumentRes.xml"),
             "Doc_0/DocumentRes.xml": resources, "Doc_0/Pages/Page_0/Content.xml": page(placed)}
    assert read_ofd(write_ofd(tmp_path / "a.ofd", parts)) == [(1, ["先写后读", "后写先读"])]


def composite_ofd(path: Path, units: dict[str, str]) -> Path:
    """A page drawing composite unit "1", with the given units (ID: content) in DocumentRes.xml."""
    defined = "".join(f'<ofd:CompositeGraphicUnit ID="{ident}" Width="10" Height="10"><ofd:Content>{content}'
                      "</ofd:Content></ofd:CompositeGraphicUnit>" for ident, content in units.items())
    resources = f'<ofd:Res xmlns:ofd="{NS}"><ofd:CompositeGraphicUnits>{defined}</ofd:CompositeGraphicUnits></ofd:Res>'
    parts = {"Doc_0/Document.xml": document(["Pages/Page_0/Content.xml"], resources="DocumentRes.xml"),
             "Doc_0/DocumentRes.xml": resources,
             "Doc_0/Pages/Page_0/Content.xml": page(composite("1"))}
    return write_ofd(path, parts)


def composite(ident: str) -> str:
    return f'<ofd:CompositeObject ID="50" Boundary="0 0 10 10" ResourceID="{ident}"/>'


def test_a_composite_unit_drawing_itself_is_refused(tmp_path: Path) -> None:
    path = composite_ofd(tmp_path / "a.ofd", {"1": text_object(1, 5, "字") + composite("1")})
    with pytest.raises(OfdError, match="嵌套过深"):
        read_ofd(path)


def test_composite_units_multiplying_each_other_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # each unit draws the next ten times: nine levels would draw a billion characters
    units = {str(level): composite(str(level + 1)) * 10 for level in range(1, 10)} | {"10": text_object(1, 5, "字")}
    monkeypatch.setattr(ofd, "MAX_OBJECTS", 100_000)
    with pytest.raises(OfdError, match="超过 100000 个"):
        read_ofd(composite_ofd(tmp_path / "a.ofd", units))


def test_scanned_pages_are_image_only(tmp_path: Path) -> None:
    path = simple_ofd(tmp_path / "扫描件.ofd", image_object(), text_object(20, 30, "第2页") + image_object(), "")
    pages = read_ofd_pages(path)
    assert [(page.number, page.paragraphs, page.image_only) for page in pages] == [
        (1, (), True), (2, ("第2页",), False), (3, (), False),
    ]
    assert read_ofd(path)[0] == (1, [])


def test_private_use_characters_are_counted_not_returned(tmp_path: Path) -> None:
    path = simple_ofd(tmp_path / "a.ofd", text_object(20, 30, "\ue1d8\ueda6概述"))
    [only] = read_ofd_pages(path)
    assert (only.paragraphs, only.unreadable) == (("概述",), 2)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "损坏.ofd"
    path.write_bytes(b"PK\x03\x04 this is no longer a zip")
    with pytest.raises(OfdError, match="不是 OFD 文件"):
        read_ofd(path)


def test_a_zip_without_ofd_xml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.ofd"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Doc_0/Document.xml", document([]))
    with pytest.raises(OfdError, match="没有 OFD.xml"):
        read_ofd(path)


def test_a_missing_page_or_resource_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    from wenyuan.readers import IngestError, read

    path = write_ofd(tmp_path / "a.ofd", {
        "Doc_0/Document.xml": document(["Pages/Page_0/Content.xml", "Pages/Page_1/Content.xml"],
                                       resources="DocumentRes.xml"),
        "Doc_0/Pages/Page_1/Content.xml": page(text_object(20, 30, "第二页的正文")),
    })
    pages = read_ofd_pages(path)
    assert [(p.paragraphs, p.missing) for p in pages] == [
        ((), ("Doc_0/DocumentRes.xml", "Doc_0/Pages/Page_0/Content.xml")), (("第二页的正文",), ("Doc_0/DocumentRes.xml",)),
    ]
    reading = read(path, path.read_bytes())
    assert any("缺少 Doc_0/DocumentRes.xml、Doc_0/Pages/Page_0/Content.xml" in w for w in reading.warnings)
    empty = write_ofd(tmp_path / "b.ofd", {"Doc_0/Document.xml": document(["Pages/Page_0/Content.xml"])})
    with pytest.raises(IngestError, match="没有可读的文字"):
        read(empty, empty.read_bytes())


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


@pytest.mark.parametrize("part", ["OFD.xml", "Doc_0/Pages/Page_0/Content.xml"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xml_with_a_dtd_is_refused_before_parsing(tmp_path: Path, part: str, encoding: str) -> None:
    path = simple_ofd(tmp_path / "a.ofd", text_object(20, 30, "&lol3;"))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[part].decode("utf-8").replace("\n", "\n" + BILLION_LAUGHS + "\n", 1)
    if encoding == "utf-16":
        xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parts[part] = xml.encode(encoding)
    with zipfile.ZipFile(path, "w") as archive:
        for name, raw in parts.items():
            archive.writestr(name, raw)
    with pytest.raises(OfdError, match="DTD"):
        read_ofd(path)


def test_an_encrypted_ofd_is_refused(tmp_path: Path) -> None:
    path = simple_ofd(tmp_path / "a.ofd", text_object(20, 30, "密文"))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("Encryptions.xml", f'<ofd:Encryptions xmlns:ofd="{NS}"/>')
    with pytest.raises(OfdError, match="已加密"):
        read_ofd(path)


def test_a_password_protected_zip_is_refused(tmp_path: Path) -> None:
    path = simple_ofd(tmp_path / "a.ofd", text_object(20, 30, "密文"))
    raw = bytearray(path.read_bytes())
    # set the "encrypted" bit, as a password-protected zip has it, in every local and central header
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = raw.find(signature)
        while start != -1:
            raw[start + flags] |= 0x1
            start = raw.find(signature, start + 4)
    path.write_bytes(raw)
    with pytest.raises(OfdError, match="已加密"):
        read_ofd(path)


def test_a_part_larger_than_the_limit_is_not_decompressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = simple_ofd(tmp_path / "a.ofd", text_object(20, 30, "正文") + " " * 5000)
    monkeypatch.setattr(ofd, "MAX_PART_BYTES", 4096)
    with pytest.raises(OfdError, match="压缩炸弹"):
        read_ofd(path)


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = simple_ofd(tmp_path / "a.ofd", "", "", "", "")
    monkeypatch.setattr(ofd, "MAX_MEMBERS", 4)
    with pytest.raises(OfdError, match="文件过多"):
        read_ofd(path)
