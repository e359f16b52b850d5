"""What a document is, read from its own lines: a table of the 公文 and report layouts users load."""

from __future__ import annotations

import pytest

from wenyuan.structure import describe, names, places


@pytest.mark.parametrize(
    ("lines", "fallback", "expected"),
    [
        (  # a 公文: red header, 文号, title, 主送, body, 落款 and date
            ["某市人民政府办公室文件", "某政办发〔2020〕8号", "某市人民政府办公室关于规范审批时限的通知", "各区人民政府：",
             "一、审批时限", "审批机关应当自受理之日起30个工作日内作出决定。", "某市人民政府办公室", "2020年3月2日"],
            "通知8",
            {"title": "某市人民政府办公室关于规范审批时限的通知", "number": "某政办发〔2020〕8号",
             "issuer": "某市人民政府办公室", "date": "2020-03-02", "year": 2020, "kind": "通知"},
        ),
        (  # a report whose year is only in its subtitle
            ["政府工作报告", "——2013年3月5日在第十二届全国人民代表大会第一次会议上", "各位代表：", "一、过去五年工作回顾"],
            "工作报告甲",
            {"title": "政府工作报告", "subtitle": "——2013年3月5日在第十二届全国人民代表大会第一次会议上",
             "date": "2013-03-05", "year": 2013, "kind": "报告"},
        ),
        (  # a report that opens with its salutation: the file name is the title
            ["各位代表：", "现在，我代表国务院，向大会报告政府工作，请各位代表审议。", "一、2008年工作回顾"],
            "2009年国务院政府工作报告",
            {"title": "2009年国务院政府工作报告", "year": 2009, "kind": "报告"},
        ),
        (  # an NPC resolution: the year follows from the session
            ["第十一届全国人民代表大会第三次会议关于政府工作报告的决议", "第十一届全国人民代表大会第三次会议听取和审议了政府工作报告。"],
            "决议",
            {"title": "第十一届全国人民代表大会第三次会议关于政府工作报告的决议", "year": 2010, "kind": "决议"},
        ),
        (  # a Party congress report
            ["中国共产党第十八次全国代表大会报告", "同志们："], "十八大", {"year": 2012, "kind": "报告"},
        ),
        (  # a title broken over two lines (Word), a decree number, a Chinese-numeral date
            ["中华人民共和国国务院令", "第706号", "专利代理条例", "第一章　总则"], "专利代理条例",
            {"title": "专利代理条例", "number": "中华人民共和国国务院令第706号", "kind": "条例"},
        ),
        (  # a provincial decree: the title first, then the 令 line and its number on the next line
            ["某省规范性文件制定规定", "某省人民政府令", "〔2010〕第14号", "《某省规范性文件制定规定》已经省政府常务会议讨论通过，现予公布。",
             "省长", "二○一○年十二月二十四日"], "规定",
            {"title": "某省规范性文件制定规定", "number": "某省人民政府令〔2010〕第14号", "issuer": "某省人民政府",
             "date": "2010-12-24"},
        ),
        (  # a decree's number in the note under its title
            ["某市行政规范性文件备案规定", "（2010年1月19日某市人民政府令第26号公布）", "第一章　总则"], "规定",
            {"number": "某市人民政府令第26号", "date": "2010-01-19"},
        ),
        (  # …第202号令 in the note; a body sentence that cites another decree is not this one's number
            ["某市廉租住房保障办法", "（2009年11月27日市政府第202号令发布）", "第一条 根据国务院令第322号，制定本办法。"], "办法",
            {"number": "市政府第202号令"},
        ),
        (  # a decree that opens with its number: the promulgation sentence names it
            ["中华人民共和国国务院令", "第 322 号", "现公布《规章制定程序条例》，自2002年1月1日起施行。", "总理　某某", "二○○一年十一月十六日",
             "规章制定程序条例", "第一章　总则"], "规章制定程序条例-国务院",
            {"title": "规章制定程序条例", "number": "中华人民共和国国务院令第322号", "kind": "条例", "year": 2001},
        ),
        (  # a decree that opens with its number and its issuer's name: the sentence that promulgates it names it
            ["某市人民政府第68号令", "某市人民政府", "《某市基本医疗保险规定》已经2000年10月24日市人民政府第29次常务会议通过，现予发布。",
             "市长某某", "二00一年二月二十日", "某市基本医疗保险规定", "第一章 总则"], "某市基本医疗保险规定",
            {"title": "某市基本医疗保险规定", "number": "某市人民政府第68号令", "kind": "规定"},
        ),
        (  # a web page flattened to one line: the note in it
            ["首页 | 政策法规", "当前位置： 首页 > 政策法规 > 规章 某市医疗机构管理细则 某市卫生局 1994-09-01(1994年8月29日某市卫生局令第35号发布)",
             "第一章 总则"], "细则",
            {"number": "某市卫生局令第35号", "issuer": "某市卫生局"},
        ),
        (
            ["某市公共租赁住房管理办法", "第一条 根据国务院令第322号的规定，制定本办法。"], "办法", {"number": ""},
        ),
        (
            ["某市公共租赁住房管理办法", "第一条 根据《某某条例》（国务院令第322号）的规定，制定本办法。"], "办法", {"number": ""},
        ),
        (  # web furniture is never the title
            ["窗体顶端", "发布时间：2016-03-30", "北京市2016年普通高等学校招生工作规定", "一、报名"], "规定",
            {"title": "北京市2016年普通高等学校招生工作规定", "date": "2016-03-30", "year": 2016, "kind": "规定"},
        ),
    ],
)
def test_describe(lines: list[str], fallback: str, expected: dict) -> None:
    about = describe(lines, fallback)
    for field, value in expected.items():
        assert getattr(about, field) == value, (field, getattr(about, field))


def test_a_document_number_between_issuer_and_title_keeps_them_apart() -> None:
    about = describe(["南京市教育局", "宁教发〔2016〕5号", "关于做好2016年招生工作的通知", "各区教育局："], "x")
    assert about.title == "关于做好2016年招生工作的通知" and about.number == "宁教发〔2016〕5号"


def test_a_file_name_that_adds_the_issuer_still_names_the_document() -> None:
    assert "规章制定程序条例" in names("规章制定程序条例-国务院", "real/规章制定程序条例-国务院.docx")
    assert "国务院" not in names("规章制定程序条例-国务院", "real/规章制定程序条例-国务院.docx")


def test_a_notice_is_named_by_the_document_it_issues_not_by_one_it_carries_out() -> None:
    """关于印发《X》的通知 is X; 关于落实《X》有关问题的通知 is another document, which X's name must not route to."""
    assert "天津市限价商品住房管理暂行办法" in names("关于印发《天津市限价商品住房管理暂行办法》的通知", "a.docx")
    assert "天津市限价商品住房管理暂行办法" in names("《天津市限价商品住房管理暂行办法》", "b.docx")
    assert not any("暂行办法" in name and "落实" not in name
                   for name in names("关于落实《天津市限价商品住房管理暂行办法》有关问题的通知", "c.docx"))



def test_a_document_is_named_without_the_市_after_its_place() -> None:
    """北京基本医疗保险规定, 广西行政规范性文件制定程序规定: how people write the names; 本市 is no place."""
    assert "北京基本医疗保险规定" in names("北京市基本医疗保险规定", "real/北京市基本医疗保险规定.docx")
    assert "广西行政规范性文件制定程序规定" in names("广西壮族自治区行政规范性文件制定程序规定", "a.doc")
    assert not any(name.startswith("本") and "市" not in name for name in names("本市住房公积金管理办法", "b.doc"))


@pytest.mark.parametrize(("name", "expected"), [
    ("四川省行政规范性文件制定和备案规定", {"四川"}),
    ("关于印发《南京市城乡居民基本养老保险办法实施细则》的通知", {"南京"}),
    ("广西壮族自治区规范性文件监督管理办法", {"广西"}),
    ("南京市高淳区2016年义务教育阶段学校入学工作实施方案", {"南京", "高淳"}),
    ("2016年上海市内户口迁移政策", {"上海"}),
    ("sz-深圳市少年儿童医疗保险指南", {"深圳"}),
    ("2016成都新都区随迁子女幼升小小升初实施意见", {"成都", "新都"}),  # a city written without 市 before its district
    ("2016年滨海新区小学招生入学工作方案", set()),
    ("天津综合保税区管理办法", set()),  # a kind of zone, not a district
    ("西藏自治区规范性文件制定和备案规定", {"西藏"}),
    ("国务院关于促进就业工作的若干意见", set()),
    ("中共中央关于全面深化改革若干重大问题的决定", set()),
    ("本市居住证管理办法", set()),
])
def test_the_region_a_documents_name_opens_with(name: str, expected: set[str]) -> None:
    assert places(name) == expected
