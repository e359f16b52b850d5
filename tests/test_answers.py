"""Cited answers over the whole demo corpus: key facts present, the right section cited, unanswerable refused."""

from __future__ import annotations

import pytest

from wenyuan.types import HEADING_SEPARATOR

SEED = "树立和践行正确政绩观学习教育动员部署会讲话.txt"


@pytest.fixture(params=["embedded", "milvus"])
def demo_assistant(request, demo_assistant):
    """Every answer test runs against both stores: the embedded one and Milvus Lite."""
    return demo_assistant if request.param == "embedded" else request.getfixturevalue("milvus_demo_assistant")


def _cited_paths(answer) -> list[str]:
    return [HEADING_SEPARATOR.join(c.heading_path) for c in answer.citations]


def _check_citations(answer, demo_assistant) -> None:
    """Every [n] in the answer points to a citation whose quote is the document's own text at its offsets."""
    import re

    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert numbers == {c.n for c in answer.citations}
    for citation in answer.citations:
        document = next(d for d in demo_assistant.index.documents.values() if d.path == citation.doc)
        assert document.text[citation.start : citation.end] == citation.quote
        assert citation.heading_path[0] == document.title
    for line in answer.text.split("\n"):
        assert re.search(r"\[\d+\]$", line), f"uncited line: {line}"


@pytest.mark.parametrize(
    ("question", "doc", "facts", "section"),
    [
        ("学习教育的目标任务是什么？", SEED, ["深学", "真查", "实改"], "二、准确把握学习教育的总体要求和目标任务"),
        ("组织领导方面提了哪几条要求？", SEED, ["压紧压实工作责任", "坚持分类指导", "强化真督实导", "两手抓两促进"],
         "四、切实加强对学习教育的组织领导"),
        ("城镇化率提升到了多少？", SEED, ["60.37%"], "(一)开展学习教育是贯彻落实"),
        ("统战工作如何把学习教育与解决群众急难愁盼结合起来？", SEED, ["四下基层"], "二要把学习教育与解决群众急难愁盼紧密结合起来"),
        ("**市累计创建了多少个国家级示范单位？", SEED, ["10个"], "一要把学习教育与服务中心大局紧密结合起来"),
        ("政务新媒体的基本原则有哪些？", "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt",
         ["坚持正确导向", "坚持需求引领", "坚持互联融合", "坚持创新发展"], "（三）基本原则"),
        ("2019年劳动节怎么放假？", "国务院办公厅关于2019年部分节假日安排的通知.txt", ["5月1日"], "四、劳动节"),
        ("国发〔2019〕4号是什么文件？", "国务院关于印发国家职业教育改革实施方案的通知.txt", ["国家职业教育改革实施方案"], ""),
        ("政务新媒体工作的主管单位是谁？", "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt", ["国务院办公厅"], "二、明确工作职责"),
        ("到2022年政务新媒体要建成什么样的体系？", "国务院办公厅关于推进政务新媒体健康有序发展的意见.txt",
         ["矩阵体系"], "（二）工作目标"),
    ],
)
def test_answers_cite_the_right_section(demo_assistant, question, doc, facts, section) -> None:
    answer = demo_assistant.ask(question)
    assert not answer.refused, answer.text
    for fact in facts:
        assert fact in answer.text
    assert answer.citations[0].doc == doc
    assert any(section in path for path in _cited_paths(answer)), _cited_paths(answer)
    _check_citations(answer, demo_assistant)


def test_list_answers_enumerate_items_in_document_order(demo_assistant) -> None:
    answer = demo_assistant.ask("组织领导方面提了哪几条要求？")
    assert answer.mode == "list"
    lines = answer.text.split("\n")
    assert [line[:2] for line in lines[1:]] == ["一要", "二要", "三要", "四要"]
    # section 四 exists only in the outline: cited from there, since the body lacks it
    assert all("【提纲】" in c.heading_path for c in answer.citations)


def test_list_items_the_body_develops_are_cited_from_the_body(demo_assistant) -> None:
    answer = demo_assistant.ask("学习教育的目标任务是什么？")
    zhencha = next(c for c in answer.citations if c.quote.startswith("二要在“真查”"))
    assert "【提纲】" not in zhencha.heading_path  # the body has this item; only 一要 lives in the outline alone


def test_lookup_answers_are_short(demo_assistant) -> None:
    answer = demo_assistant.ask("城镇化率提升到了多少？")
    assert answer.mode == "number"
    assert len(answer.citations) == 1 and len(answer.text) < 200


@pytest.mark.parametrize(
    "question",
    [
        "2023年**市的城镇化率是多少？",
        "2020年春节放假安排是怎样的？",
        "政务新媒体账号的粉丝数量要达到多少才算合格？",
        "学习教育什么时候结束？",
        "医院平均住院日的目标是多少天？",
    ],
)
def test_questions_the_documents_do_not_answer_are_refused(demo_assistant, question) -> None:
    answer = demo_assistant.ask(question)
    assert answer.refused, answer.text
    assert "没有找到" in answer.text
    assert not answer.citations and answer.related


def test_a_follow_up_about_the_second_item_resolves_to_it(demo_assistant) -> None:
    first = demo_assistant.ask("三、紧密结合统战工作实际部分有哪几项要求？")
    assert first.mode == "list"
    follow = demo_assistant.ask("第二项具体怎么要求？", history=[first])
    assert not follow.refused
    assert any("二要把学习教育与解决群众急难愁盼" in " ".join(c.heading_path) for c in follow.citations)


def test_a_date_before_the_asked_verb_stands_by_it() -> None:
    from wenyuan.answer.extractive import _figure_near
    from wenyuan.query import analyse

    query = analyse("重庆市公共租赁住房管理暂行办法从什么时候施行？")
    assert _figure_near(query, ["施行"], "第五十五条 本办法自2010年7月1日起施行。")
    assert not _figure_near(query, ["施行"], "现印发给你们，请遵照执行。")
    assert not _figure_near(analyse("合同期限最长几年？"), ["期限"], "2010年印发的合同期限")  # only verbs look back


def test_the_words_of_an_asked_span_make_no_compound() -> None:
    from wenyuan.answer.extractive import _compound_parts
    from wenyuan.query import analyse

    compounds = _compound_parts(analyse("浙江省行政规范性文件要在发布之日起多少日内报送备案？"))
    assert not any(a + b == "日内报送" for parts in compounds for a, b in parts)  # "15日内，依照下列规定报送备案"
    assert any(("报送", "备案") in parts for parts in compounds)


def test_a_compound_is_written_when_its_parts_stand_close_in_order() -> None:
    from wenyuan.answer.extractive import _written

    parts = [("有效期", "一般")]
    assert _written(parts, "有效期自施行之日起一般不超过1年")
    assert not _written(parts, "一般情况下，本规定的有效期为五年")  # not in order
    assert not _written([("学习", "教育")], "加强学习，推动各地区、各部门认真贯彻落实职业教育改革")  # too far apart


@pytest.mark.parametrize(("text", "clause_end", "expected"), [
    # what a colon opens goes on in ；-clauses to the 。 that closes them
    ("收入限制：单身人士月收入不高于2000元；家庭月收入不高于3000元。政府定期调整。", "2000元；", "家庭月收入不高于3000元。"),
    ("收入限制：单身人士月收入不高于2000元。家庭另行规定。", "2000元。", None),  # the clause ended the sentence
    ("收入限制：单身人士月收入不高于2000元；\n（二）家庭月收入不高于3000元。", "2000元；", None),  # an item of its own
])
def test_the_clauses_that_finish_a_rule(text: str, clause_end: str, expected: str | None) -> None:
    from wenyuan.answer.extractive import _rest_of_clauses

    end = text.index(clause_end) + len(clause_end)
    rest = _rest_of_clauses(text, end)
    assert (text[end:rest] if rest else None) == expected
