"""Enumerations inside a document's text, as a table of examples: what a colon introduces, and what ends a list."""

from __future__ import annotations

import pytest

from wenyuan.answer import rosters
from wenyuan.answer.enumerations import lead_lists, lead_of


def _lists(text: str) -> list[tuple[str, list[str]]]:
    return [(text[a:b], [text[s:e] for s, e in items]) for a, b, items in lead_lists(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "lead", "items"),
    [
        # 一是… inline after the colon, the next items in paragraphs of their own
        ("做好今年工作，必须把握好以下原则：一是扩内需、保增长。要扭转下滑。\n二是调结构、上水平。\n三是抓改革、增活力。\n",
         "做好今年工作，必须把握好以下原则：", ["一是扩内需、保增长。要扭转下滑。", "二是调结构、上水平。", "三是抓改革、增活力。"]),
        # clauses split by ；
        ("需要把握以下原则：坚持稳中求进，促进发展；坚持好字优先，加快转变；坚持以人为本。\n",
         "需要把握以下原则：", ["坚持稳中求进，促进发展；", "坚持好字优先，加快转变；", "坚持以人为本。"]),
        # numbered items with body paragraphs between them, ended by the next section
        ("加深了以下认识：\n一是必须坚持科学发展。\n我们战胜了挑战。\n二是必须坚持改革开放。\n三、下一部分\n四是不算。\n",
         "加深了以下认识：", ["一是必须坚持科学发展。", "二是必须坚持改革开放。"]),
        # a roster of names under a role
        ("副组长：丁学东　国务院副秘书长\n李干杰　生态环境部部长\n成员：某某\n",
         "副组长：", ["丁学东　国务院副秘书长", "李干杰　生态环境部部长"]),
        # ——lines
        ("必须牢牢把握以下基本要求：\n——必须坚持人民主体地位。\n——必须坚持推进改革开放。\n这是结论。\n",
         "必须牢牢把握以下基本要求：", ["——必须坚持人民主体地位。", "——必须坚持推进改革开放。"]),
        # a paragraph ending in 。 that ——lines follow introduces them too
        ("要在已确立目标的基础上努力实现新的要求。\n——经济持续健康发展。\n——人民民主不断扩大。\n下一段。\n",
         "要在已确立目标的基础上努力实现新的要求。", ["——经济持续健康发展。", "——人民民主不断扩大。"]),
        # ――lines typed with the horizontal bar, as web pages often have them
        ("必须做到：\n――必须坚持以人为本。\n――必须坚持统筹兼顾。\n", "必须做到：", ["――必须坚持以人为本。", "――必须坚持统筹兼顾。"]),
        # 一要…二要… inside a paragraph, after the sentences that say what they are
        ("防止价格过快上涨，是今年的重大任务。必须采取有力措施。一要大力发展生产。二要严格控制粮食出口。三要健全储备体系。\n下一段。\n",
         "防止价格过快上涨，是今年的重大任务。必须采取有力措施。", ["一要大力发展生产。", "二要严格控制粮食出口。", "三要健全储备体系。"]),
        # （一）（二） items in order; a marker of another kind ends the list
        ("申请人须同时符合下列条件：\n（一）具有本市户籍；\n（二）在本市无房；\n1.其他\n",
         "申请人须同时符合下列条件：", ["（一）具有本市户籍；", "（二）在本市无房；"]),
    ],
)
def test_a_colon_introduces_its_items(text: str, lead: str, items: list[str]) -> None:
    assert _lists(text) == [(lead, items)]


def test_a_colon_that_introduces_nothing_is_no_list() -> None:
    assert _lists("会议指出：要加强领导。\n下一段是正文。\n") == []


def test_a_clause_after_a_colon_knows_its_lead_in() -> None:
    text = "今年的主要预期目标是：国内生产总值增长8%左右；居民消费价格涨幅4.8%左右。"
    start = text.index("居民")
    assert text[slice(*lead_of(text, start))] == "今年的主要预期目标是："
    assert lead_of("全年增长8%。另一句。", 5) is None


def test_a_lead_in_line_of_its_own_leads_the_clauses_below_it() -> None:
    from wenyuan.answer.enumerations import lead_of

    text = "今年经济社会发展的主要预期目标是：\n国内生产总值增长7.5％；城镇新增就业900万人以上。\n"
    start = text.index("国内生产总值")
    assert text[slice(*lead_of(text, start))] == "今年经济社会发展的主要预期目标是："
    assert text[slice(*lead_of(text, text.index("城镇新增")))] == "今年经济社会发展的主要预期目标是："
    addressed = "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n经国务院批准，现将有关事项通知如下。\n"
    assert lead_of(addressed, addressed.index("经国务院")) is None  # a 主送 line leads into nothing


_ROSTER = ("现将调整后的组成人员名单通知如下：\n主任：孙春兰\u3000\u3000国务院副总理\n副主任：陈宝生\u3000\u3000教育部部长\n"
           "丁向阳\u3000\u3000国务院副秘书长\n秘书长：朱之文\u3000\u3000教育部副部长\n委员：\n（一）部门委员\n梁言顺\u3000\u3000中央宣传部副部长\n"
           "委员会办公室设在教育部，承担日常工作。\n")


@pytest.mark.parametrize(
    ("question", "role", "members"),
    [
        ("秘书长是谁？", "秘书长", ["秘书长：朱之文\u3000\u3000教育部副部长"]),  # not 副秘书长, a post in another line
        ("副主任有哪几位？", "副主任", ["副主任：陈宝生\u3000\u3000教育部部长", "丁向阳\u3000\u3000国务院副秘书长"]),
        ("主任是谁？", "主任", ["主任：孙春兰\u3000\u3000国务院副总理"]),
        ("部门委员有哪些？", "委员", ["委员：", "（一）部门委员", "梁言顺\u3000\u3000中央宣传部副部长"]),  # ends at the prose
        ("组长是谁？", None, None),  # a role this roster does not have
        ("委员会办公室主任是谁？", None, None),  # the office's head, not the committee's 主任
        ("国家教材委员会的秘书长是谁？", "秘书长", ["秘书长：朱之文\u3000\u3000教育部副部长"]),
        ("国家教材委员会办公室设在哪里？", None, None),  # 委员会 holds no 委员
    ],
)
def test_the_roster_group_a_question_names(question: str, role: str | None, members: list[str] | None) -> None:
    group = rosters.named(_ROSTER, question)
    if role is None:
        assert group is None
        return
    assert group.role == role and [_ROSTER[s:e] for s, e in group.lines] == members


def test_prose_is_not_a_roster() -> None:
    assert rosters.groups("主要任务：加强组织领导，明确责任分工。\n坚持问题导向。\n") == []


def test_inline_items_run_in_order_and_stop_at_the_next_heading() -> None:
    # an outline run into one paragraph: each 一要… run is a list of its own, cut before the next heading
    text = "【提纲】三、紧密结合实际。一要服务大局。二要解决急难愁盼。三要加强队伍建设。四、加强组织领导。一要压实责任。二要分类指导。\n"
    found = [items for _, items in _lists(text)]
    assert ["一要服务大局。", "二要解决急难愁盼。", "三要加强队伍建设。"] in found
    assert ["一要压实责任。", "二要分类指导。"] in found
    assert all(len(items) <= 3 for items in found)


_REPLY = ("某省人民政府：\n2003年10月，总理赴某省考察。对于你省提出的问题和建议，有关部门进行了研究，现将有关情况函复如下。\n"
          "一、关于堤防建设问题。你省请求加大投资。\n发展改革委研究提出了意见。\n（一）关于投资比例问题。已安排2亿元。\n"
          "（二）关于可研报告问题。正在审查。\n二、关于主辅分离问题。你省请求给予补助。\n三、关于对口支援问题。你省请求继续实施。\n")


def test_the_parts_a_reply_announces_are_its_list() -> None:
    """…函复如下。 then 一、 二、 三、 with their bodies and sub-items between: the parts are the list."""
    lists = list(lead_lists(_REPLY, 0, 120))
    assert [[_REPLY[s:e][:8] for s, e in items] for _, _, items in lists] == [["一、关于堤防建设", "二、关于主辅分离", "三、关于对口支援"]]


def test_the_parts_a_notice_opens_with_a_colon_are_no_list() -> None:
    """…通知如下： opens a notice whose parts each hold what is asked; its parts are not one list."""
    notice = _REPLY.replace("现将有关情况函复如下。", "现通知如下：")
    assert not [items for _, _, items in lead_lists(notice, 0, 120) if len(items) >= 2]


def test_parts_after_a_colon_are_a_list_when_each_says_what_is_asked() -> None:
    """…函复如下： and 一、关于…问题 二、关于…问题: asked for 问题, each part is one."""
    reply = _REPLY.replace("现将有关情况函复如下。", "现将有关情况函复如下：")
    lists = list(lead_lists(reply, 0, 120, lambda words: "问题" in words))
    assert [len(items) for _, _, items in lists] == [3]
    assert not [items for _, _, items in lead_lists(reply, 0, 120, lambda words: "地带" in words) if len(items) >= 2]
