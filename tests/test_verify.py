"""The pieces of the sentence check, as tables of examples: markers, reasoning, figures, refusals."""

from __future__ import annotations

import pytest

from wenyuan.verify import Checker, Claim, claims, figures, is_refusal, plain_markers, without_reasoning


@pytest.mark.parametrize(("reply", "expected"), [
    ("甲。[1]", "甲。[1]"),
    ("甲[1,2]。", "甲[1][2]。"),
    ("甲[1，3]。", "甲[1][3]。"),
    ("甲【2】。", "甲[2]。"),
    ("甲【1、2】。", "甲[1][2]。"),
    ("甲[来源1]。", "甲[1]。"),
    ("甲（来源：3）。", "甲[3]。"),
    ("甲(资料2)。", "甲[2]。"),
    ("甲^[4]。", "甲[4]。"),
    ("甲[1-3]。", "甲[1][2][3]。"),
    ("2019年[1]", "2019年[1]"),
])
def test_marker_forms_become_plain_markers(reply: str, expected: str) -> None:
    assert plain_markers(reply) == expected


@pytest.mark.parametrize(("reply", "expected"), [
    ("A。B。C。[1]", [("A。", (1,)), ("B。", (1,)), ("C。", (1,))]),
    ("A[1]。B。C[2]。", [("A。", (1,)), ("B。", (2,)), ("C。", (2,))]),
    ("A[1]。B。", [("A。", (1,)), ("B。", (1,))]),
    ("A[1]。\nB。", [("A。", (1,)), ("B。", ())]),  # a marker covers its own paragraph only
    ("<think>想想[3]。</think>A[2]。", [("A。", (2,))]),
    ("A【1】；B[2,3]", [("A；", (1,)), ("B", (2, 3))]),
    ("一、主要目标：\n到2020年完成[1]。", [("到2020年完成。", (1,))]),  # the reply's own heading is no claim
])
def test_claims_take_their_paragraphs_markers(reply: str, expected: list) -> None:
    assert [(c.text, c.cited) for c in claims(reply)] == expected


def test_an_unclosed_reasoning_block_hides_the_rest() -> None:
    assert without_reasoning("<think>资料说99%，答案是99%[1]") == ""
    assert without_reasoning("前言<think>x</think>正文") == "前言正文"


@pytest.mark.parametrize(("text", "expected"), [
    ("城镇化率提升至60.37%", {"60.37%"}),
    ("百分之六十", {"60%"}),
    ("百分之零点五", {"0.5%"}),
    ("二〇三五年基本实现", {"2035年"}),
    ("十八大报告", {"18大"}),
    ("第十二届全国人大", {"12届"}),
    ("投资３０００万元", {"3000万元"}),
    ("3,000人", {"3000人"}),
    ("两项任务", {"2项"}),
    ("一点二万亿元", {"1.2万亿元"}),
    ("提高零点五个百分点", {"0.5个百分点"}),
    ("三分之二", {"2/3"}),
    ("五十余个县", {"50个"}),
    ("12月31日前", {"12月", "31日"}),
    ("统一思想，进一步加强，十分重要，三要在实改上见成效", set()),
    ("增长7.50%", {"7.5%"}),
])
def test_figures_are_read_as_written_in_any_form(text: str, expected: set[str]) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(("reply", "expected"), [
    ("文档中没有找到能回答这个问题的内容。", True),
    ("根据提供的资料，无法回答该问题。", True),
    ("抱歉，资料中未提及2030年的目标。", True),
    ("资料中没有提及具体数字，但提出了总体目标[1]。", False),  # it answers, and cites
    ("城镇化率提升至60.37%[1]。", False),
])
def test_refusals_are_recognised(reply: str, expected: bool) -> None:
    assert is_refusal(reply) is expected


def test_a_figure_the_passage_does_not_state_fails_whatever_the_words() -> None:
    checker = Checker(["全市城镇化率提升至60.37%，年均增速达6.4%。", "开展学习教育要坚持问题导向。"], lambda word: 1.0)
    assert checker.check(Claim("城镇化率提升至60.37%。", (1,))).status == "verified"
    assert checker.check(Claim("城镇化率提升至75%。", (1,))).status == "unverified"
    assert checker.check(Claim("学习教育要坚持问题导向。", (1,))).status == "re-cited"
    assert checker.check(Claim("学习教育要坚持问题导向。", (1,))).cited == (2,)
    assert checker.check(Claim("全面推进乡村振兴战略。", (1, 2))).status == "unverified"


PASSAGE = ("1.摸底排查。2019年4月底前完成。安排资金2万亿元，失业保险费的50%返还，期限6个月，12月31日前办结，"
           "到2025年完成100项改革。")


@pytest.mark.parametrize(("sentence", "stated"), [
    ("安排资金2万亿元。", True),
    ("返还失业保险费的50%。", True),
    ("3. 摸底排查于2019年4月底前完成。", True),  # its own list number is not a figure
    ("到2025年完成改革。", True),
    ("安排资金2亿元。", False),  # not 2万亿
    ("安排资金100万亿元。", False),  # the 100 is 100项
    ("返还失业保险费的6%。", False),  # the 6 is 6个月
    ("按12个月计算。", False),  # the 12 is 12月
    ("于2019年1月底前完成。", False),  # the 1 is the passage's list number
    ("共涉及五十余个县。", False),
])
def test_a_figure_is_stated_only_with_its_scale_and_unit(sentence: str, stated: bool) -> None:
    from wenyuan.verify import stated_by

    assert stated_by(sentence, figures(PASSAGE)) is stated


@pytest.mark.parametrize(("reply", "expected"), [
    ("甲（见资料1）。", "甲[1]。"),
    ("甲（参考资料2）。", "甲[2]。"),
    ("甲[^3]。", "甲[3]。"),
    ("甲［4］。", "甲[4]。"),
    ("甲〔5〕。", "甲[5]。"),
    ("甲【资料1，资料2】。", "甲[1][2]。"),
    ("国发〔2019〕4号（1）", "国发〔2019〕4号（1）"),  # a 文号 and a list number stay as they are
])
def test_more_marker_forms(reply: str, expected: str) -> None:
    assert plain_markers(reply) == expected


def test_a_long_answer_that_says_something_is_not_given_is_no_refusal() -> None:
    assert not is_refusal("资料中未明确规定具体比例，但要求各地因地制宜确定，并在年底前报送实施情况（见资料1）。")
    assert not is_refusal("意见并未设定统一标准，而是要求各地结合实际制定具体办法，报省级人民政府备案后实施，同时加强督促检查，"
                          "确保各项措施落实到位并按期完成。")
