"""任务分解: the checklist of a document's requirements, who leads, who takes part, by when."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import DATA, SEED
from wenyuan.assistant import Assistant
from wenyuan.config import Settings
from wenyuan.tasks import TaskQuestion, deadline, responsibility, task_question, tasks, units

EMPLOYMENT = "国务院关于做好当前和今后一个时期促进就业工作的若干意见.txt"
HOSPITALS = "国务院办公厅关于加强三级公立医院绩效考核工作的意见.txt"  # its deadlines: 2019年3月底前 …
SPORTS = "国务院办公厅关于加快发展体育竞赛表演产业的指导意见.txt"  # units that share a task, none named lead


@pytest.mark.parametrize(("phrase", "expected"), [
    ("人力资源社会保障部、财政部", ["人力资源社会保障部", "财政部"]),
    ("人力资源社会保障部、科技部，各省级人民政府", ["人力资源社会保障部", "科技部", "各省级人民政府"]),
    ("人力资源社会保障部等有关部门和单位", ["人力资源社会保障部", "有关部门和单位"]),
    ("各有关部门和单位", ["各有关部门和单位"]),
    ("财政部和人民银行", ["财政部", "人民银行"]),
    ("工业和信息化部、发展改革委", ["工业和信息化部", "发展改革委"]),  # 和 inside a name stays
    ("商务部、农业农村部等和各有关省级人民政府", ["商务部", "农业农村部", "各有关省级人民政府"]),
    ("各地区各有关部门", ["各地区", "各有关部门"]),  # 各 opens the second unit
])
def test_units_of_a_responsibility_phrase(phrase: str, expected: list[str]) -> None:
    assert units(phrase) == expected


@pytest.mark.parametrize(("text", "first_leads", "expected"), [
    ("（一）加大稳岗支持力度。……（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）", True,
     ("人力资源社会保障部", ("财政部",))),
    ("（二）……（财政部、工业和信息化部负责）", True, ("财政部", ("工业和信息化部",))),
    ("（二）……（财政部、工业和信息化部负责）", False, ("财政部、工业和信息化部", ())),  # no lead named: none guessed
    ("（十二）……（各省级人民政府负责）", False, ("各省级人民政府", ())),
    ("（四）……（科技部、财政部，各省级人民政府按职责分工负责）", True, ("科技部", ("财政部", "各省级人民政府"))),
    ("（五）……（民政部牵头，财政部、教育部参与）", False, ("民政部", ("财政部", "教育部"))),
    ("（六）加强宣传。各地要做好政策解读。", True, ("", ())),
    ("16.……（国家发展改革委、财政部会同有关部门负责）", False, ("国家发展改革委、财政部", ("有关部门",))),
    ("（一）……（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）", False,
     ("税务总局", ("财政部", "海关总署"))),
    ("（一）……（工业和信息化部、商务部指导）……另一段。（生态环境部负责）", False, ("工业和信息化部、商务部", ())),
])
def test_lead_and_participants(text: str, first_leads: bool, expected: tuple) -> None:
    from wenyuan.tasks import _FIRST_LEADS

    assert responsibility(text, first_leads or bool(_FIRST_LEADS.search(text)))[:2] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("。国家卫生健康委制定考核指标。", ("国家卫生健康委", ())),
    ("。试点城市由省级有关部门推荐，生态环境部会同国家发展改革委、财政部等部门筛选确定。",
     ("生态环境部", ("国家发展改革委", "财政部"))),
    ("。试点城市负责编制实施方案，经生态环境部审核后实施。", ("试点城市", ())),
    ("。鼓励地方政府加大投入。", ("", ())),
    ("摸底排查。各地以县（市、区）为单位，全面摸排小区配套幼儿园情况。", ("各地", ())),  # every one addressed acts
    ("各学校在新生报名登记时要认真审核材料。", ("各学校", ())),
    ("。学校在新生报名登记时审核材料。", ("", ())),  # one not addressed as 各 needs an action word after it
    ("。县级以上地方各级人民政府及国务院部门应当开设政务新媒体。", ("县级以上地方各级人民政府、国务院部门", ())),  # 以上 in a name
    ("。试点城市政府是试点工作的责任主体，要有序开展试点。", ("试点城市政府", ())),  # …是责任主体
    # the unit whose head is made 第一责任人 answers for the item, before any unit its later sentences name
    ("明确审核责任。行政执法机关主要负责人是推动落实本机关审核制度的第一责任人。建立健全法制审核机构与行政执法承办机构"
     "对审核意见不一致时的协调机制。", ("行政执法机关", ())),
    ("。地方各级人民政府及其部门的主要负责同志作为本地区、本部门工作的第一责任人，要加强领导。县级以上人民政府要建立机制。",
     ("地方各级人民政府及其部门", ())),  # 及其部门: the government's own departments, one phrase
    ("。2021年3月底前，试点城市政府对本地区试点情况进行评估总结。", ("试点城市政府", ())),  # …对…进行
    ("。对于符合条件的学校，给予奖励。", ("", ())),
    # 由…牵头，…等部门进行会商: those after 牵头 take part
    ("建立会商制度。由区政府牵头，教育局、政务办、经信局等部门进行会商。", ("区政府", ("教育局", "政务办", "经信局"))),
    ("。由民政部牵头，财政部、人力资源社会保障部参与。", ("民政部", ("财政部", "人力资源社会保障部"))),
    ("。要坚持问题导向，边学边改。", ("", ())),
    # whom a rule binds is not who carries a task out: a private party, any one of a kind
    ("民办学校实行免试入学。", ("", ())),
    ("。民办学校应严格执行招生计划，区教育局负责监督。", ("区教育局", ())),
    ("。每个志愿学校须填报专业志愿。", ("", ())),
    # work the document assigns with 由…负责 mid-clause goes to that unit, before a unit an earlier clause makes act
    ("。招生简章编制工作由市教育考试院中招办（以下简称“中招办”）负责。", ("市教育考试院中招办", ())),
    ("。各区应按时安排考试。体育考试由市教育考试院负责组织和管理，各区负责具体实施。", ("市教育考试院", ("各区",))),
    ("。专业加试工作由中招办统一管理，各有关学校组织实施。", ("中招办", ("各有关学校",))),
    ("。成员由教育部、民政部等部门负责同志组成。各地要参照建立相应工作机制。", ("各地", ())),  # 负责同志 is a post
    # a line begins a clause: a heading that names a school, then the school and what it does this year
    ("高淳区第一中学\n高淳区第一中学今年继续实行相对就近、免试入学的办法。", ("高淳区第一中学", ())),
    ("各招生学校（专业）不录取未参加体检的考生。", ("各招生学校", ())),  # what a unit must not do binds it
])
def test_the_unit_an_item_makes_act(text: str, expected: tuple) -> None:
    from wenyuan.tasks import actor

    assert actor(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2019年3月底前，国家卫生健康委推行……", ("2019年3月底前", "2019-03-31")),
    ("2020年2月底前完成", ("2020年2月底前", "2020-02-29")),
    ("于2019年12月31日前完成", ("2019年12月31日前", "2019-12-31")),
    ("2019年1月1日至12月31日，对……", ("2019年1月1日至12月31日", "2019-12-31")),
    ("2019年1月1日至2020年12月31日，对……", ("2019年1月1日至2020年12月31日", "2020-12-31")),
    ("考试时间为2016年6月24日至26日。", ("2016年6月24日至26日", "2016-06-26")),  # the end day of the same month
    ("2019年底前出台", ("2019年底前", "2019-12-31")),
    ("到2022年，基本建成", ("到2022年", "2022-12-31")),
    ("2019年上半年完成试点", ("2019年上半年", "2019-06-30")),
    ("2020年起，每年2月底前各省份完成", ("2020年起，每年2月底前", "")),
    ("于每季度末报送", ("每季度末", "")),
    ("要长期坚持", ("长期坚持", "")),
    ("学校于8月10日前公布名单", ("8月10日前", "")),  # the document's own year: no date derived
    ("报名时间为5月21日至22日", ("5月21日至22日", "")),
    ("在20个工作日内公开", ("20个工作日内", "")),
    ("从2016年起实行", ("从2016年起", "")),
    ("6个月内办理；2019年底前完成", ("6个月内", "")),  # the first the item writes
    # who is eligible is not when: a birth-date range, then the time limit the item sets
    ("年满6周岁（2009年9月1日至2010年8月31日期间出生），5月21日至22日报名", ("5月21日至22日", "")),
    ("年满3周岁（2012年9月1日至2013年8月31日间出生）的幼儿", ("", "")),
    ("2011年3月31日以前参加综合保险，参保人发生住院的，按原资金渠道支付。", ("", "")),
    ("参保人2003年3月1日至2011年3月31日期间因各种原因中断缴费的，参保单位应于3月22日前办理转账手续", ("3月22日前", "")),

    ("加强组织领导。", ("", "")),
])
def test_deadlines_as_written_and_as_dates(text: str, expected: tuple[str, str]) -> None:
    assert deadline(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("8月10日前报区教育局", ("8月10日前", "2016-08-10")),  # a day without its year is in the document's year
    ("报名时间为5月21日至22日", ("5月21日至22日", "2016-05-22")),
    ("4月23-29日集中办理", ("4月23-29日", "2016-04-29")),
    ("今年内完成清理", ("今年内", "2016-12-31")),
    ("年内出台实施细则", ("年内", "2016-12-31")),
    ("高淳区第一中学今年继续实行电脑派位", ("今年", "")),  # 今年 alone says when, not by when
    ("2019年4月底前完成", ("2019年4月底前", "2019-04-30")),  # a year written is the year
])
def test_deadlines_in_the_documents_year(text: str, expected: tuple[str, str]) -> None:
    assert deadline(text, 2016) == expected


@pytest.fixture(scope="module", params=["embedded", "milvus"])
def indexed(request, tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    """The checklist documents indexed, in each store: the questions the checklist answers and those it passes on
    to the ordinary answer run against both."""
    root = tmp_path_factory.mktemp(f"tasks-{request.param}")
    (root / "data").mkdir()
    shutil.copy(SEED, root / "data")
    for name in (EMPLOYMENT, HOSPITALS, SPORTS):
        shutil.copy(DATA / name, root / "data")
    assistant = Assistant(Settings(data_dir=root / "data", index_dir=root / "index", progress=False,
                                   store=request.param), embedder)
    assistant.build()
    return assistant


def _rows(assistant: Assistant, path: str):
    index = assistant.index
    document = next(d for d in index.documents.values() if d.path == path)
    return tasks(document, index.structures[document.id])


def test_the_speech_lists_its_requirements_in_order(indexed: Assistant) -> None:
    rows = _rows(indexed, SEED.name)
    items = [row.item for row in rows]
    for requirement in ("一要在“深学”上下功夫", "二要在“真查”上挖根源", "三要在“实改”上见成效",
                        "一要把学习教育与服务中心大局紧密结合起来", "四要把学习教育与健全制度机制紧密结合起来",
                        "一要压紧压实工作责任", "二要坚持分类指导", "三要强化真督实导", "四要做到两手抓两促进"):
        assert requirement in items
    assert items.index("一要在“深学”上下功夫") < items.index("一要把学习教育与服务中心大局紧密结合起来") \
        < items.index("一要压紧压实工作责任")
    combined = next(row for row in rows if row.item == "一要把学习教育与服务中心大局紧密结合起来")
    assert combined.heading_path == ("三、紧密结合统战工作实际推动学习教育走深走实",)
    assert len(combined.requirement) > 100  # its text, from the body, not the outline's one line
    assert [row.n for row in rows] == list(range(1, len(rows) + 1))


def test_every_item_of_the_employment_opinion_carries_its_units(indexed: Assistant) -> None:
    rows = _rows(indexed, EMPLOYMENT)
    assert len(rows) == 15 and all(row.lead for row in rows)
    first = rows[0]
    assert (first.number, first.lead, first.participants) == ("（一）", "人力资源社会保障部", ("财政部",))
    assert first.deadline == "2019年1月1日至12月31日" and first.due == "2019-12-31"
    assert "负责" not in first.requirement and first.requirement.startswith("（一）加大稳岗支持力度")
    fourth = rows[3]
    assert fourth.participants[-1] == "各省级人民政府"
    document = indexed.index.documents[next(d for d, doc in indexed.index.documents.items() if doc.path == EMPLOYMENT)]
    assert document.text[first.start:first.end].startswith("（一）加大稳岗支持力度")


def test_wenyuan_tasks_prints_the_checklist_as_json(indexed: Assistant) -> None:
    done = subprocess.run([sys.executable, "-m", "wenyuan.cli", "tasks", EMPLOYMENT, "--index",
                           str(indexed.settings.index_dir), "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["document"]["number"] == "国发〔2018〕39号"
    row = payload["tasks"][0]
    assert set(row) == {"n", "number", "heading_path", "item", "requirement", "lead", "participants", "deadline",
                        "due", "citation"}
    assert row["citation"]["doc"] == EMPLOYMENT and row["lead"] == "人力资源社会保障部"
    missing = subprocess.run([sys.executable, "-m", "wenyuan.cli", "tasks", "没有这个文件.txt", "--index",
                              str(indexed.settings.index_dir)], capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "no indexed document" in missing.stderr


def test_the_checklist_exports_to_excel_and_word_and_reads_back(indexed: Assistant, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    sheet_path, word_path = tmp_path / "任务.xlsx", tmp_path / "任务.docx"
    done = subprocess.run([sys.executable, "-m", "wenyuan.cli", "tasks", EMPLOYMENT, "--index",
                           str(indexed.settings.index_dir), "--xlsx", str(sheet_path), "--docx", str(word_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(sheet_path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "《国务院关于做好当前和今后一个时期促进就业工作的若干意见》任务分解表"
    assert values[1][0] == "国发〔2018〕39号"
    assert values[2] == ["序号", "任务", "具体要求", "牵头单位", "参与单位", "完成时限", "出处"]
    assert values[3][:5] == ["1", "（一）加大稳岗支持力度", values[3][2], "人力资源社会保障部", "财政部"]
    assert values[3][5] == "2019年1月1日至12月31日（2019-12-31）" and values[3][6] == "一、支持企业稳定发展"
    assert len(values) == 3 + 15
    word = docx.Document(str(word_path))
    (table,) = word.tables
    assert [cell.text for cell in table.rows[0].cells] == values[2]
    assert [cell.text for cell in table.rows[1].cells][3:5] == ["人力资源社会保障部", "财政部"]
    assert len(table.rows) == 16 and "任务分解表" in word.paragraphs[0].text


def test_the_checklist_through_the_api(tmp_path: Path, embedder) -> None:
    import io

    import httpx
    from openpyxl import load_workbook

    from conftest import Server

    (tmp_path / "data").mkdir()
    shutil.copy(DATA / EMPLOYMENT, tmp_path / "data")
    running = Server(tmp_path, embedder)
    try:
        listed = httpx.get(running.url + "/api/tasks", params={"doc": EMPLOYMENT}).json()
        assert len(listed["tasks"]) == 15 and listed["tasks"][0]["lead"] == "人力资源社会保障部"
        sheet = httpx.get(running.url + "/api/tasks", params={"doc": EMPLOYMENT, "format": "xlsx"})
        assert sheet.status_code == 200 and "filename*=UTF-8''" in sheet.headers["content-disposition"]
        assert load_workbook(io.BytesIO(sheet.content)).active["D4"].value == "人力资源社会保障部"
        assert httpx.get(running.url + "/api/tasks", params={"doc": "没有.txt"}).status_code == 404
        assert httpx.get(running.url + "/api/tasks", params={"doc": EMPLOYMENT, "format": "pdf"}).status_code == 422
    finally:
        running.stop()


@pytest.mark.parametrize(("question", "expected"), [
    ("人力资源社会保障部牵头负责哪些任务？", TaskQuestion(unit="人力资源社会保障部", role="lead")),
    ("财政部参与了哪几项？", TaskQuestion(unit="财政部", role="part")),
    ("人社部负责哪些工作？", TaskQuestion(unit="人社部", role="any")),
    ("哪些任务由农业农村部牵头？", TaskQuestion(unit="农业农村部", role="lead", naming="")),
    ("促进就业的意见中财政部参与了哪几项？", TaskQuestion(unit="财政部", role="part", naming="促进就业的意见中")),
    ("今年底前要完成哪些任务？", TaskQuestion(own_year=True)),
    ("年底前有哪些工作要完成？", TaskQuestion(own_year=True)),
    ("2019年6月底前要完成哪些任务？", TaskQuestion(year=2019, month=6)),
    ("明年底前要完成哪些工作？", TaskQuestion(own_year=True, later=1)),
    ("三级公立医院的意见里，3月底前要完成哪些任务？", TaskQuestion(month=3, own_year=True, naming="三级公立医院的意见里，")),
    ("学习教育的目标任务是什么？", None),
    ("哪个部门负责就业工作？", None),
    ("谁负责牵头？", None),
    ("2019年GDP增长目标是多少？", None),
    ("财政部负责哪些资金的拨付？", None),  # asks about something else the unit does
    ("去年底前完成了哪些任务？", None),
    ("今年前三季度完成了哪些工作？", None),
    ("2019年以前完成了哪些任务？", None),
    ("那财政部参与了哪些？", TaskQuestion(unit="财政部", role="part", naming="那")),
])
def test_which_questions_ask_the_checklist(question: str, expected: TaskQuestion | None) -> None:
    assert task_question(question) == expected


def test_the_tasks_a_unit_leads_across_documents(indexed: Assistant) -> None:
    answer = indexed.ask("人力资源社会保障部牵头负责哪些任务？")
    assert answer.mode == "list" and not answer.refused
    led = [row for row in _rows(indexed, EMPLOYMENT) if row.lead == "人力资源社会保障部"]
    shared = [row for row in _rows(indexed, SPORTS) if "人力资源社会保障部" in row.lead.split("、")]
    assert led and shared  # the question spans both documents: one leads, the other shares
    assert f"由人力资源社会保障部牵头的任务有 {len(led)} 项" in answer.text
    assert f"共同负责的有 {len(shared)} 项" in answer.text
    assert "《国务院关于做好当前和今后一个时期促进就业工作的若干意见》" in answer.text
    assert len(answer.items) == len(led) + len(shared) == len(answer.citations)
    for citation, row in zip(answer.citations, led):  # each item cited at its own words, in document order
        assert citation.doc == EMPLOYMENT and citation.quote == row.item and citation.start == row.start
        assert citation.passage_end == row.end


def test_the_tasks_a_unit_takes_part_in_within_a_named_document(indexed: Assistant) -> None:
    answer = indexed.ask("促进就业的意见中财政部参与了哪几项？")
    expected = [row for row in _rows(indexed, EMPLOYMENT) if "财政部" in row.participants]
    assert f"由财政部参与的任务有 {len(expected)} 项" in answer.text
    assert {citation.doc for citation in answer.citations} == {EMPLOYMENT}
    assert [item.start for item in answer.items] == [row.start for row in expected]
    first = expected[0]
    assert f"牵头：{first.lead}" in answer.text.splitlines()[1]


def test_the_tasks_due_by_the_end_of_the_year(indexed: Assistant) -> None:
    answer = indexed.ask("今年底前要完成哪些任务？")
    due = [row for row in _rows(indexed, HOSPITALS) if row.due and row.due <= "2019-12-31" and "至" not in row.deadline]
    assert len(due) >= 3
    assert "“今年”按" in answer.text and len(answer.items) >= len(due)
    for row in due:
        assert f"时限：{row.deadline}" in answer.text
    # a narrower date lists fewer: only what is due by the end of March
    march = indexed.ask("三级公立医院的意见里，2019年3月底前要完成哪些任务？")
    assert 0 < len(march.items) < len(answer.items)
    assert all("3月底前" in line for line in march.text.splitlines()[1:])


def test_a_follow_up_goes_back_to_a_listed_task(indexed: Assistant) -> None:
    listed = indexed.ask("促进就业的意见中财政部参与了哪几项？")
    follow = indexed.ask("第二项具体怎么要求？", [listed])
    second = listed.items[1]
    assert follow.citations and all(citation.doc == EMPLOYMENT for citation in follow.citations)
    assert any(second.start <= citation.start < second.end for citation in follow.citations)


def test_a_unit_no_task_names_is_not_answered_from_the_checklist(indexed: Assistant) -> None:
    answer = indexed.ask("国家统计局牵头负责哪些任务？")
    assert "国家统计局牵头的任务有" not in answer.text
    broader = indexed.ask("财政部门负责哪些工作？")  # not 财政部: a longer name is another unit
    assert "负责的任务有" not in broader.text and "财政部" not in {i.text for i in broader.items}


@pytest.mark.parametrize(("asked", "named", "expected"), [
    ("发展改革委", "国家发展改革委", True),
    ("财政部", "财政部", True),
    ("财政部门", "财政部", False),
    ("国务院专利行政部门", "国务院", False),
    ("部", "财政部", False),
])
def test_which_unit_names_match(asked: str, named: str, expected: bool) -> None:
    from wenyuan.tasks import unit_matches

    assert unit_matches(asked, named) is expected


def test_an_abbreviated_unit_finds_its_tasks(indexed: Assistant) -> None:
    answer = indexed.ask("人社部牵头负责哪些任务？")
    assert "人社部牵头的任务有" in answer.text and answer.items
