"""The answer failure classes of issue 9, each on a small document of the same kind (not the benchmark's questions):
which document a question means, abbreviations, list answers, near-miss refusals, follow-ups, ask-backs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPORT_2013 = """政府工作报告
——2013年3月5日在第十二届全国人民代表大会第一次会议上
各位代表：
一、过去五年工作回顾
五年来，国内生产总值年均增长9.3%，城镇新增就业5870万人。
二、对今年政府工作的建议
今年经济社会发展的主要预期目标是：国内生产总值增长7.5%左右，居民消费价格涨幅3.5%左右，城镇新增就业900万人以上。
"""
REPORT_2012 = """政府工作报告
——2012年3月5日在第十一届全国人民代表大会第五次会议上
各位代表：
一、2011年工作回顾
过去一年，国内生产总值增长9.2%。
二、2012年工作总体部署
今年经济社会发展的主要预期目标是：国内生产总值增长7.5%左右，居民消费价格涨幅控制在4%左右，城镇新增就业900万人以上。
"""
CONGRESS = """在新的历史起点上夺取新胜利
同志们：
一、总体布局
全面落实经济建设、政治建设、文化建设、社会建设、生态文明建设五位一体总体布局，促进现代化建设各方面相协调。
二、基本要求
在新的历史条件下夺取新胜利，必须牢牢把握以下基本要求：
——必须坚持人民主体地位。要发挥人民主人翁精神。
——必须坚持解放和发展社会生产力。要坚持以经济建设为中心。
——必须坚持推进改革开放。要始终把改革创新精神贯彻到治国理政各个环节。
"""
QUALIFICATIONS = """某市人力资源和社会保障局关于规范职业资格管理的通知
各区人力资源和社会保障局：
一、明确目录管理
实行国家职业资格目录（以下简称目录清单）管理。国家职业资格目录由人力资源社会保障部发布。事项清单由各区自行公布。
二、工作要求
一是加强组织领导。各区要成立工作专班，主要负责同志亲自抓。二是强化经费保障。财政部门要足额安排工作经费。三是严格督促检查。市里每季度通报一次进展。
三、常见问题
企业如何申请延期缴纳社会保险费？
企业应当向社会保险经办机构提出书面申请，经批准后可以延期缴纳，延期最长不超过6个月。
"""
POINTS = """某市居住证积分管理办法
第一章　总则
第一条　积分指标体系由基础指标、加分指标、减分指标和一票否决指标组成。
第二章　积分指标及分值
第二条　年龄指标最高分值30分。
第三条　教育背景指标最高分值110分。
第四条　专业技术职称指标最高分值140分。
"""
PLAN_A = """某市养老服务体系建设实施方案
一、总体要求
（一）指导思想。坚持以人民为中心，完善居家社区机构相协调的养老服务体系。
（二）工作目标。到2027年，社区养老服务设施覆盖率达到95%。
二、保障措施
一要加强组织领导。成立由分管副市长任组长的领导小组。
二要强化资金保障。市财政每年安排养老服务专项资金。
三要加强督促检查。每半年开展一次专项督查。
"""
PLAN_B = """某县托育服务发展实施方案
一、总体要求
（一）指导思想。坚持以人民为中心，完善普惠托育服务体系。
（二）工作目标。到2027年，每千人口拥有3岁以下婴幼儿托位数达到4.5个。
二、组织保障
各乡镇要加强领导，强化托育服务资金保障，开展督促检查。
"""


def _indexed(tmp_path_factory: pytest.TempPathFactory, embedder, folder: str, documents: dict[str, str]):
    """An assistant over these documents (file name: text), indexed in a folder of its own."""
    return _built(tmp_path_factory.mktemp(folder), embedder, documents)


def _answered(tmp_path_factory: pytest.TempPathFactory, embedder, folder: str, documents: dict[str, str],
              question: str):
    """The answer to one question over these documents, indexed in a folder of their own."""
    return _indexed(tmp_path_factory, embedder, folder, documents).ask(question)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    return _indexed(tmp_path_factory, embedder, "quality", {
        "工作报告甲.txt": REPORT_2013,
        "工作报告乙.txt": REPORT_2012,
        "大会报告.txt": CONGRESS,
        "职业资格通知.txt": QUALIFICATIONS,
        "养老服务方案.txt": PLAN_A,
        "托育服务方案.txt": PLAN_B,
        "积分办法.txt": POINTS,
    })


def _built(tmp_path: Path, embedder, documents: dict[str, str]):
    """An assistant over these documents (file name: text), indexed under tmp_path."""
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, text in documents.items():
        (data / name).write_text(text, encoding="utf-8")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False), embedder)
    assistant.build()
    return assistant


def _cited_docs(answer) -> set[str]:
    return {c.doc for c in answer.citations}


def _every_line_cited(answer) -> None:
    for line in answer.text.split("\n"):
        assert re.search(r"\[\d+\]$", line), f"uncited line: {line}"


def test_documents_know_their_year_from_a_subtitle_line(assistant) -> None:
    documents = {d.path: d for d in assistant.index.documents.values()}
    report = documents["工作报告甲.txt"]
    assert report.title == "政府工作报告" and report.year == 2013 and report.kind == "报告"
    assert report.subtitle.startswith("——2013年3月5日") and report.date == "2013-03-05"
    assert documents["工作报告乙.txt"].year == 2012


@pytest.mark.parametrize(("question", "doc", "figure"), [
    ("2013年政府工作报告的CPI目标是多少？", "工作报告甲.txt", "3.5%左右"),
    ("2012年政府工作报告把居民消费价格涨幅控制在多少？", "工作报告乙.txt", "4%左右"),
])
def test_a_year_only_in_the_subtitle_picks_the_document(assistant, question: str, doc: str, figure: str) -> None:
    answer = assistant.ask(question)
    assert not answer.refused, answer.text
    assert figure in answer.text and _cited_docs(answer) == {doc}
    assert "《政府工作报告（" in answer.text  # the answer says which document, with its year


def test_a_name_no_document_fits_falls_back_to_its_shorter_reading(assistant) -> None:
    # "…报告关于就业的意见": no 2013 意见 here, but the 2013 report is
    answer = assistant.ask("2013年政府工作报告关于城镇新增就业的意见是什么？")
    assert not answer.refused, answer.text
    assert _cited_docs(answer) == {"工作报告甲.txt"} and "900万人" in answer.text


def test_a_named_document_that_is_not_there_is_refused(assistant) -> None:
    answer = assistant.ask("2014年政府工作报告的GDP目标是多少？")
    assert answer.refused and "没有找到" in answer.text and not answer.citations


def test_a_near_miss_is_refused(assistant) -> None:
    # the report sets growth, price and jobs targets, but none for forest cover
    answer = assistant.ask("2013年政府工作报告提出的森林覆盖率目标是多少？")
    assert answer.refused, answer.text


def test_an_abbreviation_from_the_lexicon_finds_the_long_form(assistant) -> None:
    answer = assistant.ask("2013年政府工作报告的GDP增长目标是多少？")
    assert "7.5%左右" in answer.text and _cited_docs(answer) == {"工作报告甲.txt"}


def test_a_short_name_the_document_defines_finds_its_long_form(assistant) -> None:
    answer = assistant.ask("目录清单由哪个部门发布？")
    assert not answer.refused, answer.text
    assert "人力资源社会保障部" in answer.text


def test_an_enumeration_inside_a_sentence_comes_back_whole(assistant) -> None:
    answer = assistant.ask("五位一体总体布局包括哪些建设？")
    for item in ["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设"]:
        assert item in answer.text


def test_a_documents_own_summary_of_a_list_answers_it(assistant) -> None:
    answer = assistant.ask("积分指标体系由哪几类指标组成？")
    for kind in ["基础指标", "加分指标", "减分指标", "一票否决指标"]:
        assert kind in answer.text
    assert "年龄指标" not in answer.text  # not the chapter's articles


def test_a_list_of_dash_lines_comes_back_complete(assistant) -> None:
    answer = assistant.ask("夺取新胜利必须牢牢把握哪些基本要求？")
    assert answer.mode == "list", answer.text
    for item in ["人民主体地位", "解放和发展社会生产力", "推进改革开放"]:
        assert item in answer.text
    _every_line_cited(answer)


def test_yishi_items_keep_their_requirement(assistant) -> None:
    answer = assistant.ask("职业资格管理的工作要求有哪些？")
    assert answer.mode == "list", answer.text
    # each 一是… item brings the sentence that says what to do, not only its label
    for requirement in ["成立工作专班", "足额安排工作经费", "每季度通报一次进展"]:
        assert requirement in answer.text


def test_headed_items_come_with_their_content(assistant) -> None:
    answer = assistant.ask("养老服务实施方案的总体要求有哪些？")
    assert answer.mode == "list", answer.text
    assert "完善居家社区机构相协调的养老服务体系" in answer.text and "95%" in answer.text


def test_a_faq_question_line_is_not_its_own_answer(assistant) -> None:
    answer = assistant.ask("企业如何申请延期缴纳社会保险费？")
    assert "书面申请" in answer.text


def test_a_follow_up_resolves_against_the_items_of_the_last_answer(assistant) -> None:
    first = assistant.ask("养老服务方案的保障措施有哪几条？")
    assert first.mode == "list" and [i.text[:2] for i in first.items] == ["一要", "二要", "三要"]
    follow = assistant.ask("第二项具体怎么要求？", history=[first])
    assert not follow.refused, follow.text
    # the other plan also speaks of 资金保障, but the follow-up stays in the list's own document
    assert _cited_docs(follow) == {"养老服务方案.txt"} and "专项资金" in follow.text
    assert follow.searched.startswith("二要强化资金保障")


def test_a_long_piece_of_a_documents_name_points_at_it(assistant) -> None:
    paths = {assistant.index.documents[d].path for d in assistant.index.named_in("养老服务体系建设有哪些保障措施")}
    assert paths == {"养老服务方案.txt"}
    assert assistant.index.named_in("服务体系有哪些") == set()  # seven characters are not a name


def test_a_question_that_fits_several_documents_asks_back(assistant) -> None:
    answer = assistant.ask("总体要求的指导思想是什么？")
    assert answer.mode == "ask_back", answer.text
    assert "您问的是哪份文件" in answer.text
    assert {c.doc for c in answer.candidates} == {"养老服务方案.txt", "托育服务方案.txt"}
    assert answer.to_json()["candidates"][0]["title"]
    # naming one answers from it
    named = assistant.ask("托育服务发展实施方案的指导思想是什么？")
    assert named.mode != "ask_back" and _cited_docs(named) == {"托育服务方案.txt"}


def test_a_document_number_in_the_question_routes_to_its_document(tmp_path: Path, embedder) -> None:
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    data = tmp_path / "data"
    data.mkdir()
    for number, days in (("7", "15"), ("8", "30")):
        (data / f"通知{number}.txt").write_text(
            f"某市人民政府办公室关于规范审批时限的通知\n某政办发〔2020〕{number}号\n各区人民政府：\n"
            f"一、审批时限\n审批机关应当自受理之日起{days}个工作日内作出决定。\n", encoding="utf-8")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False), embedder)
    assistant.build()
    answer = assistant.ask("某政办发[2020]8号规定审批时限是多少个工作日？")
    assert "30个工作日" in answer.text and _cited_docs(answer) == {"通知8.txt"}
    spoken = assistant.ask("请问某政办发〔2020〕7号规定审批时限是多少个工作日？")  # words before the 文号
    assert "15个工作日" in spoken.text and _cited_docs(spoken) == {"通知7.txt"}
    missing = assistant.ask("某政办发〔2020〕9号规定审批时限是多少？")
    assert missing.refused


def test_a_decree_is_named_by_the_line_that_numbers_it(tmp_path: Path, embedder) -> None:
    assistant = _built(tmp_path, embedder, {
        "某省规范性文件制定规定.txt":
        "某省规范性文件制定规定\n某省人民政府令\n〔2010〕第14号\n《某省规范性文件制定规定》已经省政府常务会议讨论通过，现予公布，"
        "自2011年2月1日起施行。\n省长\n二○一○年十二月二十四日\n某省规范性文件制定规定\n第一条 为规范规范性文件的制定，制定本规定。\n"
        "第二条 规范性文件应当自公布之日起30日内报送备案。\n",
        "某市行政规范性文件备案规定.txt":
        "某市行政规范性文件备案规定\n（2010年1月19日某市人民政府令第26号公布）\n第一条 为了规范本市行政规范性文件的备案，制定本规定。\n"
        "第二条 规范性文件应当自公布之日起15日内报送备案。\n",
    })
    province = assistant.ask("某省规范性文件制定规定是哪号省政府令？")
    assert "某省人民政府令" in province.text and "〔2010〕第14号" in province.text, province.text
    assert _cited_docs(province) == {"某省规范性文件制定规定.txt"}
    city = assistant.ask("某市行政规范性文件备案规定是市政府第几号令？")
    assert "2010年1月19日某市人民政府令第26号公布" in city.text and not city.refused, city.text
    assert _cited_docs(city) == {"某市行政规范性文件备案规定.txt"}


@pytest.fixture(scope="module")
def local_rules(tmp_path_factory: pytest.TempPathFactory, embedder):
    """Rules of two cities on the same matter, and one named by the number of the notice that issued it."""
    return _indexed(tmp_path_factory, embedder, "local-rules", {
        "成都市城乡居民养老保险试行办法.txt": "成都市城乡居民养老保险试行办法\n第一条 为建立城乡居民养老保险制度，制定本办法。\n"
        "第十条 个人账户养老金按月领取，计发月数为101。",
        "南京市城乡居民基本养老保险办法.txt": "南京市城乡居民基本养老保险办法\n第一条 为规范城乡居民基本养老保险，制定本办法。\n"
        "第九条 城乡居民养老保险参保人员年满65岁开始领取养老金的，个人账户养老金的计发月数为139。",
        "对市政协第4626号提案的答复.txt": "某市人民政府办公厅对市政协十届四次会议第4626号提案的答复\n某府办函〔2006〕9号\n\n"
        "王超斌委员：\n您提出的《关于设立市长热线电话的提案》收悉。经研究，答复如下：\n"
        "推进政务公开是政府工作的一项基本制度。市政府已开通12345服务热线，受理群众诉求。",
        "保税区发展意见.txt": "某市关于促进保税区高质量发展的意见\n一、主要任务\n（一）统筹两个市场，打造加工制造中心。\n"
        "1.拓展两个市场。积极稳妥推广增值税一般纳税人资格试点。\n2.促进研发创新。支持企业设立研发机构。\n"
        "（二）推动创新创业，打造研发设计中心。\n1.建设创新高地。支持区内企业开展关键技术攻关。\n2.发展检测维修。允许开展高技术含量检测维修业务。\n"
        "（三）推进贸易便利化，打造物流分拨中心。\n1.优化监管。推进进出口货物分类监管。\n2.提高效率。压缩货物通关时间。\n",
        "某市居住证管理办法.txt": "某市居住证管理办法\n第一条 为规范流动人口服务管理，制定本办法。\n"
        "第七条 离开常住户口所在地，来本市居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的，可以申领居住证。\n"
        "第三十九条 有下列情形之一的，经有关部门认定后，由公安机关注销居住证：\n（一）提供虚假证明材料取得居住证的；\n"
        "（二）居住证持有人死亡的；\n（三）居住证持有人已在本市落户的。\n"
        "第四十条 在出租房屋居住的流动人口终止居住的，房屋出租人应当在7个工作日内向居住地公安派出所报告。\n",
        "露营活动指南.txt": "春季露营活动指南\n一、活动注意事项\n1. 安全规范\n严格在指定区域生火，离开时确认火源熄灭。\n"
        "2. 环保要求\n1.所有垃圾必须全部打包带走，不留下任何外来污染物\n2.不随意采摘野生植物，不破坏植被\n"
        "3.避免使用过量清洁用品清洗餐具\n二、费用\n每人200元。\n",
        "某市医改工作报告.txt": "某市2024年医改工作报告\n一、今年的重点\n从今年开始，重点抓好以下三项工作。\n"
        "一是推进基本医疗保障制度建设，将城乡居民纳入基本医疗保障。\n二是建立基本药物制度，保证群众基本用药。\n"
        "三是健全基层医疗卫生服务体系，加快乡镇卫生院建设。\n二、物价\n今年物价上涨压力仍然较大，主要是：土地和劳动力等要素价格"
        "存在上涨压力；输入性通胀压力不减；货币存量较大。\n",
        "北京市城乡居民大病保险试行办法.txt": "京发改〔2013〕2827号\n北京市城乡居民大病保险试行办法\n第一条 为减轻城乡居民大病医疗费用负担，制定本办法。\n"
        "第十条 本办法自2014年1月1日起试行。",
    })


def test_a_place_the_question_names_picks_the_document_of_that_place(local_rules) -> None:
    answer = local_rules.ask("成都城乡居民养老保险，65岁开始领养老金，计发月数是多少？")
    assert not answer.refused and "101" in answer.text
    assert _cited_docs(answer) == {"成都市城乡居民养老保险试行办法.txt"}


def test_everyday_words_find_the_official_ones(local_rules) -> None:
    # 外地人 → 流动人口, 搬走 → 终止居住, 房东 → 房屋出租人, 告诉 → 报告 (the lexicon's colloquial lines)
    answer = local_rules.ask("在某市把房子租给外地人，租客搬走后房东要在几天内告诉派出所？")
    assert not answer.refused and "7个工作日" in answer.text, answer.text
    assert _cited_docs(answer) == {"某市居住证管理办法.txt"}


def test_the_notice_that_issued_a_document_only_names_it(local_rules) -> None:
    """"…2827号印发的…办法" names the document; the question asks when it applies, not about 印发."""
    answer = local_rules.ask("京发改[2013]2827号印发的北京城乡居民大病保险试行办法何时起试行？")
    assert not answer.refused and "2014年1月1日" in answer.text


def test_who_made_a_proposal_is_the_person_the_reply_is_addressed_to(local_rules) -> None:
    answer = local_rules.ask("建议设立市长热线电话的那件提案是谁提的？")
    assert not answer.refused and "王超斌委员" in answer.text and "您提出的" in answer.text


def test_a_list_of_what_each_heading_names_is_those_headings(local_rules) -> None:
    """Asked which centres, the answer is the three headings that each name one, not the items under the first."""
    answer = local_rules.ask("保税区发展意见提出把保税区打造成哪几个中心？")
    assert not answer.refused
    assert all(centre in answer.text for centre in ("加工制造中心", "研发设计中心", "物流分拨中心"))


def test_a_sentence_that_enumerates_what_is_asked_beats_a_list_about_something_else(local_rules) -> None:
    answer = local_rules.ask("在某市申领居住证需要满足哪些条件之一？")
    assert not answer.refused and "合法稳定就业" in answer.text and "注销" not in answer.text


def test_a_label_whose_list_starts_again_at_one_is_answered_with_that_list(local_rules) -> None:
    answer = local_rules.ask("春季露营活动的环保要求有哪几条？")
    assert not answer.refused and answer.mode == "list"
    assert all(item in answer.text for item in ("所有垃圾必须全部打包带走", "不随意采摘野生植物", "避免使用过量清洁用品"))


def test_a_sentence_that_announces_the_items_below_leads_them(local_rules) -> None:
    """"…重点抓好以下三项工作。" with 一是… paragraphs below is a list, though its lead ends with 。, not a colon."""
    answer = local_rules.ask("某市医改工作报告里，今年要重点抓好哪三项工作？")
    assert not answer.refused and answer.mode == "list"
    assert all(item in answer.text for item in ("基本医疗保障制度建设", "建立基本药物制度", "健全基层医疗卫生服务体系"))


def test_what_a_list_is_called_in_the_question_need_not_be_written(local_rules) -> None:
    """几点理由 or 哪三组 ask how many and of what kind; the document lists them without the word 理由."""
    answer = local_rules.ask("某市医改工作报告为什么说今年物价上涨压力仍然较大？列出它给的几点理由。")
    assert not answer.refused and "输入性通胀压力不减" in answer.text


def test_a_list_question_is_answered_by_the_sentence_that_says_what_the_list_is_of(tmp_path_factory, embedder) -> None:
    answer = _answered(tmp_path_factory, embedder, "reply", {
        "对第12号建议的答复.txt": "某市人民政府办公厅对市人大第12号建议的答复\n张某代表：\n"
        "您提出的关于加快政府网站建设的建议收悉，现答复如下：\n市长就加快政府网站建设作了批示，并主持召开常务会议听取了"
        "政府门户网站建设情况的汇报，明确指出：建设并开通政府门户网站是创新政府管理方式的重要举措。做好这项工作，对于促进"
        "政务公开，改进公共服务，提高行政效能，便于公众参与和监督，具有重要意义。\n",
        "养老服务方案.txt": PLAN_A,
    }, "第12号建议答复里，建设开通政府门户网站对哪些方面有重要意义？")
    assert not answer.refused and "促进政务公开" in answer.text and "提高行政效能" in answer.text


def test_who_holds_a_post_is_read_from_the_roster(tmp_path: Path, embedder) -> None:
    assistant = _built(tmp_path, embedder, {
        "领导小组组成人员.txt":
        "某市人民政府办公室关于调整某市污染源普查领导小组组成人员的通知\n某政办函〔2018〕74号\n各区人民政府，市政府各部门：\n"
        "根据人员变动情况和工作需要，市政府决定对领导小组组成人员进行调整。现将调整后的名单通知如下：\n"
        "组　长：王　明　　副市长\n副组长：李　强　　市政府副秘书长\n张　华　　市生态环境局局长\n"
        "赵　敏　　市统计局局长\n成　员：刘　伟　　市财政局副局长\n陈　军　　市公安局副局长\n"
        "领导小组办公室设在市生态环境局，办公室主任由市生态环境局副局长兼任。\n某市人民政府办公室\n2018年11月5日\n",
        "普查工作方案.txt":
        "某市污染源普查工作方案\n一、普查对象\n普查对象为本市行政区域内有污染源的单位和个体经营户。\n"
        "二、组织实施\n市政府副秘书长负责协调普查中的重大问题。各区成立普查机构，按要求完成普查任务。\n",
    })
    deputies = assistant.ask("污染源普查领导小组的副组长有哪几位？分别担任什么职务？")
    assert not deputies.refused, deputies.text
    for member in ("李强", "张华", "赵敏", "市统计局局长"):
        assert member in deputies.text.replace("\u3000", ""), deputies.text
    assert "刘伟" not in deputies.text.replace("\u3000", "")  # a member, not a deputy
    assert len(deputies.items) == 3 and _cited_docs(deputies) == {"领导小组组成人员.txt"}
    _every_line_cited(deputies)
    leader = assistant.ask("污染源普查领导小组组长是谁？")
    assert "王明" in leader.text.replace("\u3000", "") and "副市长" in leader.text, leader.text
    assert "李强" not in leader.text.replace("\u3000", "")


def test_when_a_document_is_in_force_is_read_from_its_closing_article(tmp_path: Path, embedder) -> None:
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    data = tmp_path / "data"
    data.mkdir()
    articles = "".join(f"第{n}条 居住证持有人应当遵守本市有关流动人口服务管理的第{n}项规定。\n" for n in range(3, 30))
    (data / "某市居住证管理办法.txt").write_text(
        "某市人民政府关于印发某市居住证管理办法的通知\n某政发〔2015〕39号\n各区人民政府：\n现将《某市居住证管理办法》印发给你们，望遵照执行。\n"
        "某市人民政府\n2015年12月31日\n某市居住证管理办法\n第一条 为规范本市居住证管理，根据《某省流动人口服务管理条例》"
        "（该条例自2010年3月1日起施行）的规定，制定本办法。\n第二条 居住证持有人住址发生变动的，应当自变动之日起7日内申报变更登记。\n"
        + articles + "第三十条 本办法自2016年1月1日起施行，2020年12月31日废止。\n", encoding="utf-8")
    (data / "某市暂住登记规定.txt").write_text(
        "某市暂住登记规定\n第一条 来本市暂住的人员应当申报暂住登记。\n第二条 本规定自2008年5月1日起施行。\n", encoding="utf-8")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False), embedder)
    assistant.build()
    answer = assistant.ask("某市居住证管理办法从哪天起施行？")
    assert "本办法自2016年1月1日起施行" in answer.text and _cited_docs(answer) == {"某市居住证管理办法.txt"}, answer.text
    assert "2010年3月1日" not in answer.text  # another document's date, quoted in passing
    until = assistant.ask("某市居住证管理办法的有效期到什么时候？")
    assert "2020年12月31日废止" in until.text and not until.refused, until.text
    plain = assistant.ask("某市居住证管理办法从哪天开始实行？")  # how people say 施行
    assert "本办法自2016年1月1日起施行" in plain.text and not plain.refused, plain.text
    # a draft's explanation says when the old rule came out, not when the new one takes effect
    (data / "某市环评公众参与办法修订说明.txt").write_text(
        "某市环评公众参与办法（征求意见稿）修订说明\n一、修订背景\n2006年，原某市环保局印发《某市环评公众参与暂行办法》，"
        "首次对环评公众参与作出规定。现行暂行办法施行以来，在推进公众参与方面发挥了重要作用。\n二、修订过程\n2015年以来，我局组织专题讨论，形成修订草稿。\n", encoding="utf-8")
    assistant.build()
    assert assistant.ask("修订后的《某市环评公众参与办法》从哪天起施行？").refused


def test_a_rule_after_a_colon_is_quoted_with_all_its_clauses(tmp_path: Path, embedder) -> None:
    assistant = _built(tmp_path, embedder, {
        "某市公共租赁住房管理办法.txt":
        "某市公共租赁住房管理办法\n第一条 为规范公共租赁住房管理，制定本办法。\n"
        "第十九条 申请公共租赁住房的收入限制：单身人士月收入不高于2000元；家庭月收入不高于3000元。政府将根据经济发展水平定期调整。\n"
        "第二十条 申请人在本市有住房的，不能申请公共租赁住房。\n",
    })
    answer = assistant.ask("某市单身人士申请公租房，对收入有什么限制？")
    assert "单身人士月收入不高于2000元；家庭月收入不高于3000元。" in answer.text, answer.text
    _every_line_cited(answer)


@pytest.mark.parametrize(("question", "further"), [
    ("租赁合同一般签几年？要续租得提前多久申请？", ["要续租得提前多久申请？"]),
    ("新扶贫标准是人均多少元？扶贫对象覆盖多少人？", ["扶贫对象覆盖多少人？"]),
    ("2011年报告提出了哪些主要目标任务？请逐条列出。", []),  # how to answer, not a question
    ("学习教育的目标任务是什么？", []),
])
def test_the_further_questions_of_a_question(question: str, further: list[str]) -> None:
    from wenyuan.assistant import further_questions

    assert further_questions(question) == further


def test_a_question_of_several_is_answered_part_by_part_from_one_document(tmp_path: Path, embedder) -> None:
    from wenyuan.assistant import Assistant
    from wenyuan.config import Settings

    data = tmp_path / "data"
    data.mkdir()
    filler = "".join(f"第{n}条 承租人应当按时缴纳第{n}类费用，不得擅自改变房屋用途。\n" for n in range(3, 20))
    (data / "某市公共租赁住房实施细则.txt").write_text(
        "某市公共租赁住房实施细则\n第一条 为规范公共租赁住房租赁管理，制定本细则。\n第二条 租赁合同有效期限一般为3年。\n" + filler
        + "第二十条 如需续租，承租人应当在租赁期满之日前6个月，向市住房保障部门提出续租申请。\n", encoding="utf-8")
    (data / "某市廉租住房管理办法.txt").write_text(
        "某市廉租住房管理办法\n第一条 廉租住房租赁合同期限为2年。\n第二条 期满需续租的，应当提前3个月提出申请。\n", encoding="utf-8")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", progress=False), embedder)
    assistant.build()
    answer = assistant.ask("某市公共租赁住房的租赁合同一般签几年？要续租得提前多久申请？")
    assert "一般为3年" in answer.text and "租赁期满之日前6个月" in answer.text, answer.text
    assert _cited_docs(answer) == {"某市公共租赁住房实施细则.txt"} and len(answer.citations) == 2
    assert re.search(r"\[1\].*\[2\]", answer.text, re.S) and answer.text.count("据《") == 1
    assert answer.question == "某市公共租赁住房的租赁合同一般签几年？要续租得提前多久申请？"


def test_a_list_of_as_many_items_as_asked_answers_before_a_sentence(tmp_path: Path, embedder) -> None:
    assistant = _built(tmp_path, embedder, {
        "某市党代会报告.txt":
        "某市第十次党代会报告\n一、过去五年的工作\n五年来，全市经济持续发展，人民生活明显改善。\n八、大力推进生态文明建设\n"
        "面对资源约束趋紧、环境污染严重的严峻形势，必须树立尊重自然、顺应自然、保护自然的理念，努力建设美丽某市。\n"
        "（一）优化国土空间开发格局。要按照人口资源环境相均衡的原则，控制开发强度。\n"
        "（二）全面促进资源节约。要节约集约利用资源，推动资源利用方式根本转变。\n"
        "（三）加大自然生态系统和环境保护力度。要实施重大生态修复工程，增强生态产品生产能力。\n"
        "（四）加强生态文明制度建设。要把资源消耗、环境损害纳入经济社会发展评价体系。\n"
        "九、加强党的建设\n全面提高党的建设科学化水平。\n",
    })
    answer = assistant.ask("某市党代会报告讲美丽某市、生态文明这块，具体部署了哪四方面工作？")
    assert answer.mode == "list" and len(answer.items) == 4, answer.text
    for item in ("优化国土空间开发格局", "全面促进资源节约", "加强生态文明制度建设"):
        assert item in answer.text


def test_a_list_asked_of_a_heading_with_one_paragraph_gets_the_paragraph(tmp_path: Path, embedder) -> None:
    assistant = _built(tmp_path, embedder, {
        "专用号牌通知.txt":
        "某市人民政府办公室关于救援车辆悬挂专用号牌有关事项的通知\n一、号牌式样\n专用号牌采用白底红字。\n"
        "二、悬挂专用号牌车辆的政策保障\n对悬挂专用号牌的车辆免征车辆购置税、免收车辆通行费和停车费。车辆由部队号牌改挂专用号牌的，"
        "一次性免征改挂当年车船税。应急局负责制定交通事故责任强制保险办法。悬挂专用号牌车辆的环保政策平移不变。\n"
        "各有关部门要积极支持悬挂专用号牌相关工作，确保工作平稳有序开展。\n三、组织实施\n应急局要认真组织实施。\n",
    })
    answer = assistant.ask("挂专用号牌的车辆有哪些政策保障？")
    for point in ("免征车辆购置税", "一次性免征改挂当年车船税", "环保政策平移不变"):
        assert point in answer.text, answer.text
    assert "确保工作平稳有序开展" not in answer.text  # the next paragraph is not one of them


def test_a_target_asked_skips_a_figure_that_sets_none(tmp_path: Path, embedder) -> None:
    assistant = _built(tmp_path, embedder, {
        "2011年某市政府工作报告.txt":
        "2011年某市政府工作报告\n一、“十二五”时期的主要目标\n按2010年价格计算，2015年全市GDP即国内生产总值将超过5500亿元，这是政府工作报告提出的。\n"
        "二、2011年的工作\n今年经济社会发展的主要预期目标是：\n国内生产总值增长8%左右；居民消费价格涨幅控制在4%左右。\n",
    })
    answer = assistant.ask("2011年某市政府工作报告提出的GDP目标是多少？")
    assert "8%左右" in answer.text and not answer.refused, answer.text


def test_a_year_set_where_the_section_opens_holds_for_its_paragraphs(tmp_path: Path, embedder) -> None:
    filler = "我们要准确判断重要战略机遇期内涵和条件的变化，全面把握机遇，沉着应对挑战，赢得主动，赢得优势，赢得未来。" * 10
    assistant = _built(tmp_path, embedder, {
        "某市党代会报告.txt":
        "某市第十二次党代会报告\n一、过去五年的工作\n五年来，全市经济持续发展。\n三、全面建成小康社会的目标\n"
        f"确保到二〇二〇年实现全面建成小康社会宏伟目标。\n{filler}\n根据实际，要努力实现新的要求。\n"
        "——经济持续健康发展。实现地区生产总值和城乡居民人均收入比二〇一〇年翻一番。\n——人民民主不断扩大。\n",
    })
    answer = assistant.ask("某市党代会报告提出到2020年地区生产总值和城乡居民人均收入比哪一年翻一番？")
    assert not answer.refused and "比二〇一〇年翻一番" in answer.text, answer.text
    assert assistant.ask("某市党代会报告提出到2030年地区生产总值比哪一年翻一番？").refused  # a year it never sets


@pytest.mark.parametrize(("name", "text", "near_miss", "answered", "expected"), [
    ("数字档案室建设.txt",  # a figure in another unit: 多少钱 asked, no amount in 元 anywhere
     "某局数字档案室建设与实践\n一、建设过程\n在上级档案部门的指导下，2016年年底某局数字档案室建设项目率先通过验收，2017年被评为示范数字档案室。\n"
     "二、经验\n项目坚持统一规划、分步实施，档案数字化率达到100%。\n",
     "某局数字档案室建设项目一共投资了多少钱？", "某局数字档案室建设项目什么时候通过验收？", "2016年年底"),
    ("小学入学报名通告.txt",  # a district the document never names: not one of those it covers
     "某市教育局关于2016年市区小学一年级入学报名的通告\n根据市教育局工作安排，2016年市区（指上城区、下城区、西湖区，下同）"
     "公办小学招生报名于6月25-26日进行。\n民办小学招生报名于6月18日进行。\n",
     "某市2016年萧山区公办小学一年级什么时候报名？", "某市2016年下城区公办小学一年级什么时候报名？", "6月25-26日"),
    ("2011年某市政府工作报告.txt",  # a five-year period the passage is not about: only the 十一五 result is given
     "2011年某市政府工作报告\n一、“十一五”时期的主要成就\n基础设施建设明显加快，五年建成铁路新线160公里，新增公路639公里。\n"
     "二、“十二五”时期的主要目标\n今后五年，城镇新增就业45万人，城镇化率提高4个百分点。\n",
     "某市2011年政府工作报告提出“十二五”期间要新建多少公里铁路？", "某市2011年政府工作报告提出“十二五”期间城镇新增就业多少人？",
     "45万人"),
], ids=["unit", "district", "five-year-period"])
def test_a_near_miss_is_refused_beside_a_question_the_document_answers(
        tmp_path: Path, embedder, name: str, text: str, near_miss: str, answered: str, expected: str) -> None:
    assistant = _built(tmp_path, embedder, {name: text})
    assert assistant.ask(near_miss).refused
    answer = assistant.ask(answered)
    assert not answer.refused and expected in answer.text, answer.text


def test_a_region_the_question_names_keeps_other_regions_rules_out(tmp_path: Path, embedder) -> None:
    """四川 is written all over other documents, so it is no rare word; still, a question that names it means 四川's
    rule, worded as it may be, and a region whose rule does not say is a near miss, not a cue to quote another's."""
    rule = "{}行政规范性文件管理规定\n第一条 为加强行政规范性文件管理，制定本规定。\n第二十条 规范性文件有效期最长不超过{}年。\n"

    def report(topic: str) -> str:
        return f"四川省{topic}工作报告\n" + "".join(f"{n}. 四川第{n}批{topic}项目开工，四川各地有序推进。\n" for n in range(1, 6))

    assistant = _built(tmp_path, embedder, {
        "河北省行政规范性文件管理规定.txt": rule.format("河北省", 3),
        "湖北省行政规范性文件管理规定.txt": rule.format("湖北省", 4),
        "四川省行政规范性文件制定和备案规定.txt": "四川省行政规范性文件制定和备案规定\n第一条 为规范行政规范性文件制定和备案"
        "工作，制定本规定。\n第十八条 行政规范性文件应当载明有效期，自施行之日起不超过5年。\n",
        "山西省规范性文件备案规定.txt": "山西省规范性文件备案规定\n第一条 规范性文件应当自公布之日起30日内报送备案。\n",
        **{f"四川省{topic}工作报告.txt": report(topic) for topic in ("重建", "林业", "交通")},
    })
    answer = assistant.ask("四川行政规范性文件有效期最长几年？")
    assert not answer.refused and "5年" in answer.text
    assert _cited_docs(answer) == {"四川省行政规范性文件制定和备案规定.txt"}
    assert assistant.ask("山西安徽的规范性文件有效期最长几年？").refused  # 山西安徽 names 山西, not 西安


def test_the_number_of_a_cited_document_is_no_figure_of_the_answer(tmp_path: Path, embedder) -> None:
    """"缴费标准是多少" and a passage that only points to the notice that sets it (成办发〔2011〕31号, 附件2) is a
    near miss: a 文号, a title or an attachment's number is not the figure asked."""
    assistant = _built(tmp_path, embedder, {
        "某市综合保险并轨处理意见.txt": "某市综合保险并轨处理意见\n一、并轨范围\n参加综合保险的人员并轨参加城镇职工社会保险。\n"
        "二、缴费\n各项社会保险的缴费标准，按《某市人民政府办公厅关于统一失业保险待遇标准有关问题的通知》（成办发〔2011〕31号）"
        "的有关规定执行（见附件2《综合保险接续城镇职工社会保险缴费费率》）。\n",
    })
    assert assistant.ask("综合保险并轨后，各项社会保险的缴费标准是多少？").refused



def test_a_list_whose_heading_opens_inside_the_passage_found(tmp_path: Path, embedder) -> None:
    """The passage found begins in the items of 一、 and holds the heading 二、下列人员不属于报考对象: that section is
    the list asked for, not the one the passage begins in."""
    assistant = _built(tmp_path, embedder, {
        "某市2016年普通高校招生报名通知.txt": "某市2016年普通高校招生报名通知\n一、其他报考要求\n（一）报考对象须如实填写报名信息。\n"
        "（二）报考对象须按时确认报考信息。\n（三）报考对象须参加体检。\n二、下列人员不属于报考对象\n（一）具有高等学历教育资格的高等学校在校生；\n"
        "（二）高中阶段学校非应届毕业的在校生；\n（三）因触犯刑法正在服刑者。\n",
    })
    answer = assistant.ask("某市2016年高校招生报名，哪些人不属于报考对象？")
    assert not answer.refused and "正在服刑者" in answer.text and "如实填写" not in answer.text, answer.text


def test_a_reply_letter_lists_the_matters_it_answers(tmp_path: Path, embedder) -> None:
    """The year the question names is in the sentence before the one that leads the list (2003年…考察。…函复如下。)."""
    assistant = _built(tmp_path, embedder, {
        "国务院办公厅关于某省所提问题和建议办理情况的函.txt": "国务院办公厅关于某省所提问题和建议办理情况的函\n国办函〔2004〕25号\n\n"
        "某省人民政府：\n2003年10月24日至26日，总理赴某省考察。对于你省在考察时提出的问题和建议，有关部门认真进行了研究，"
        "提出了办理意见，现将有关情况函复如下。\n一、关于堤防建设问题。你省请求加大投资比例。\n发展改革委会同水利部研究提出了意见。\n"
        "（一）关于投资比例问题。已安排2亿元。\n（二）关于可研报告问题。正在审查。\n二、关于主辅分离问题。你省请求给予补助。\n"
        "财政部研究提出了意见。\n三、关于对口支援问题。你省请求继续实施对口支援。\n国务院办公厅\n二〇〇四年三月二日\n",
    })
    for question in ("某省在总理2003年考察时提出的问题，国办函复涉及哪几个方面？",
                     "国办函〔2004〕25号回复了某省哪些问题和建议？"):  # 回复: what the letter calls 函复
        answer = assistant.ask(question)
        assert not answer.refused and answer.mode == "list", answer.text
        assert all(part in answer.text for part in ("堤防建设问题", "主辅分离问题", "对口支援问题"))
        # the sentence that leads them is quoted as what it is, not named as a section
        assert answer.text.startswith("据《") and "函复如下" in answer.text.split("\n")[0] and "部分" not in answer.text.split("\n")[0]


def test_figures_asked_of_several_come_from_the_list_that_gives_them(tmp_path: Path, embedder) -> None:
    """配房租赁的面积标准按户分别是多少？: no sentence gives them all with the asked words; the article's list does."""
    assistant = _built(tmp_path, embedder, {
        "某市廉租住房保障办法.txt": "某市廉租住房保障办法\n第一条 为建立廉租住房保障制度，制定本办法。\n"
        "第九条 廉租住房保障标准按下列规定确定：\n（一）租金补贴的住房面积标准，按不超过上年度全市人均住房建筑面积的60％确定。\n"
        "（二）配房租赁的建筑面积标准，以户为单位确定。1人户家庭不超过20平方米；2人户家庭不超过40平方米。\n",
    })
    answer = assistant.ask("配房租赁的建筑面积标准按户分别是多少？")
    assert not answer.refused and "不超过20平方米" in answer.text and "不超过40平方米" in answer.text, answer.text


def test_figures_asked_as_a_list_come_from_the_sentence_that_gives_them(tmp_path: Path, embedder) -> None:
    """起扣线和限额分别是多少？ where no list holds them: the sentence with both figures, not a sentence that only
    names 大病医疗 among others."""
    assistant = _built(tmp_path, embedder, {
        "某暂行办法.txt": "个人所得税专项附加扣除暂行办法\n第一章 总则\n第二条 本办法所称个人所得税专项附加扣除，是指子女教育、"
        "继续教育、大病医疗、住房贷款利息或者住房租金、赡养老人等6项专项附加扣除。\n第三条 大病医疗、子女教育、继续教育专项附加扣除"
        "的起扣标准和扣除限额，随经济社会发展适时调整。\n第五章 大病医疗\n第十一条 在一个纳税年度内，"
        "纳税人发生的与基本医保相关的医药费用支出，扣除医保报销后个人负担累计超过15000元的部分，由纳税人在办理年度汇算清缴时，"
        "在80000元限额内据实扣除。\n",
    })
    answer = assistant.ask("大病医疗专项附加扣除的起扣线和限额分别是多少？")
    assert not answer.refused and "15000元" in answer.text and "80000元限额" in answer.text, answer.text



def test_an_abbreviation_names_the_document_its_long_form_names(tmp_path: Path, embedder) -> None:
    """个税专项附加扣除: spelt out (个人所得税专项附加扣除), the words name the 暂行办法, not the 实施条例 that uses them."""
    assistant = _built(tmp_path, embedder, {
        "个人所得税法实施条例.txt": "中华人民共和国个人所得税法实施条例\n"
        "第十三条 个人所得税法第六条所称依法确定的其他扣除，包括个人缴付符合国家规定的企业年金、职业年金。专项扣除、专项附加扣除"
        "和依法确定的其他扣除，以居民个人一个纳税年度的应纳税所得额为限额。\n"
        "第十五条 取得经营所得的个人，没有综合所得的，计算其应纳税所得额时，应当减除费用6万元、专项扣除、专项附加扣除以及依法确定的"
        "其他扣除。专项附加扣除在办理汇算清缴时减除。\n"
        "第二十八条 居民个人取得工资、薪金所得时，可以向扣缴义务人提供专项附加扣除有关信息，由扣缴义务人扣缴税款时减除专项附加扣除。"
        "纳税人同时从两处以上取得工资、薪金所得，并由扣缴义务人减除专项附加扣除的，对同一专项附加扣除项目，在一个纳税年度内只能选择"
        "从一处取得的所得中减除。\n",
        "国务院关于印发个人所得税专项附加扣除暂行办法的通知.txt": "国务院关于印发个人所得税专项附加扣除暂行办法的通知\n"
        "国发〔2018〕41号\n现将《个人所得税专项附加扣除暂行办法》印发给你们，请认真贯彻执行。\n"
        "个人所得税专项附加扣除暂行办法\n第一章 总则\n第一条 根据个人所得税法规定，制定本办法。\n"
        "第二条 本办法所称个人所得税专项附加扣除，是指个人所得税法规定的子女教育、继续教育、大病医疗、住房贷款利息或者住房租金、"
        "赡养老人等6项专项附加扣除。\n",
    })
    from wenyuan.query import analyse
    from wenyuan.retrieve import route

    preferred = route(analyse("个税专项附加扣除具体是哪6项？"), assistant.index).preferred
    assert [assistant.index.documents[doc_id].path for doc_id in preferred] == [
        "国务院关于印发个人所得税专项附加扣除暂行办法的通知.txt"]
    answer = assistant.ask("个税专项附加扣除具体是哪6项？")
    assert not answer.refused and "暂行办法" in answer.text.split("\n")[0], answer.text
    assert all(item in answer.text for item in ("子女教育", "大病医疗", "赡养老人")), answer.text


def test_a_sections_labelled_paragraphs_are_its_list(tmp_path: Path, embedder) -> None:
    """五、切实做好组织实施 whose paragraphs each open with a label sentence (坚持党的领导。…): the labels are its items,
    each shown with the sentence that develops it; the signature and date after them are not items."""
    assistant = _built(tmp_path, embedder, {
        "国务院关于支持某试验区深化改革创新若干措施的通知.txt": "国务院关于支持某试验区深化改革创新若干措施的通知\n"
        "国发〔2018〕38号\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n现将有关事项通知如下：\n"
        "一、营造优良投资环境\n（一）放宽外商投资建设工程设计企业外籍技术人员的比例要求。（负责部门：住房城乡建设部）\n"
        "（二）合理安排有关省（市）的用地计划。（负责部门：自然资源部）\n"
        "二、提升贸易便利化水平\n（三）研究支持对海关特殊监管区域外的航空维修业态实行保税监管。（负责部门：商务部）\n"
        "（四）支持符合条件的试验区开展汽车平行进口试点。（负责部门：商务部）\n"
        "三、切实做好组织实施\n坚持党的领导。坚持和加强党对改革开放的领导，把党的领导贯穿于试验区建设全过程。\n"
        "维护国家安全。各有关地区和部门要牢固树立总体国家安全观，维护国家核心利益和政治安全。\n"
        "强化组织管理。各有关地区和部门要高度重视、密切协作，不断提高试验区建设和管理水平。\n"
        "狠抓工作落实。各有关地区和部门要以钉钉子精神抓好改革创新措施落实工作。\n国务院\n2018年11月7日\n",
    })
    answer = assistant.ask("国发〔2018〕38号文在组织实施上提了哪几条要求？")
    assert not answer.refused and answer.mode == "list", answer.text
    assert [item.text.split("。")[0] for item in answer.items] == ["坚持党的领导", "维护国家安全", "强化组织管理", "狠抓工作落实"]
    assert "把党的领导贯穿于试验区建设全过程" in answer.text and "2018年11月7日" not in answer.text, answer.text


def test_a_word_two_long_documents_use_throughout_does_not_name_them(tmp_path: Path, embedder) -> None:
    """处理 is in the titles of two long 清单 that use it on every page: it names no document, while 天津, in two
    short rules' titles and little used elsewhere, names those rules."""
    documents = {f"某市第{n}号通知.txt": f"某市关于做好第{n}项工作的通知\n一、工作要求\n各单位要认真做好第{n}项工作。"
                 f"{'发现问题要及时处理。' if n % 3 == 0 else ''}{'' if n % 10 else '天津的经验值得借鉴。'}\n"
                 for n in range(1, 21)}
    for volume in ("上册", "下册"):
        documents[f"某市信访投诉请求分类处理清单（{volume}）.txt"] = (
            f"某市通过法定途径分类处理信访投诉请求清单（{volume}）\n"
            + "".join(f"{n}. 第{n}类投诉请求，由主管部门依法处理，处理结果书面告知投诉人。\n\n" for n in range(1, 81)))
    documents["天津市居住证管理办法.txt"] = "天津市居住证管理办法\n第一条 为做好天津市居住证管理工作，制定本办法。\n"
    documents["天津市廉租住房管理办法.txt"] = "天津市廉租住房管理办法\n第一条 为做好天津市廉租住房管理工作，制定本办法。\n"
    index = _built(tmp_path, embedder, documents).index
    assert not index.names_few_documents("处理")
    assert index.names_few_documents("天津")


def test_the_number_of_a_document_of_another_city_is_no_answer(tmp_path: Path, embedder) -> None:
    """重庆…通知的文号 when only 上海's 通知 has a 文号: 上海's number answers nothing; 上海's own is given."""
    assistant = _built(tmp_path, embedder, {
        "上海市教育委员会关于做好2016年普通高校招生报名工作的通知.txt":
            "上海市教育委员会关于做好2016年上海市普通高校招生报名工作的通知\n沪教委学〔2015〕62号\n各区县教育局：\n"
            "现将2016年普通高校招生报名工作有关事项通知如下。\n一、报名时间\n报名时间为2015年11月1日至7日。\n",
        "重庆市教育委员会关于做好2016年义务教育招生入学工作的意见.txt":
            "重庆市教育委员会关于做好2016年义务教育招生入学工作的意见\n各区县（自治县）教委：\n"
            "一、招生原则\n公办义务教育学校实行免试就近入学。\n",
    })
    answer = assistant.ask("上海市教委2016年普通高校招生报名工作的通知，文号是多少？")
    assert not answer.refused and "沪教委学〔2015〕62号" in answer.text, answer.text
    answer = assistant.ask("重庆市教委2016年普通中小学招生考试工作的通知，文号是渝教基〔2016〕几号？")
    assert answer.refused, answer.text


def test_the_days_of_another_filing_do_not_answer(tmp_path: Path, embedder) -> None:
    """报同级人大常委会备案 in how many days, where the rule gives only the days to file with the government above: a
    near miss (天内 is the answer's form, not what tells the passages apart); the days it does give are answered."""
    assistant = _built(tmp_path, embedder, {
        "某省行政机关规范性文件备案审查办法.txt": "某省行政机关规范性文件备案审查办法\n"
        "第六条 规范性文件自发布之日起15日内按以下规定报送备案：\n"
        "（一）各级人民政府发布的规范性文件，报送上一级人民政府备案。\n"
        "（二）县级以上人民政府所属工作部门发布的规范性文件，报送本级人民政府备案。\n"
        "第七条 县级以上人民政府发布的规范性文件，还应当依照有关规定报送同级人民代表大会常务委员会备案。\n"
        "第八条 报送备案时，应当提交备案报告、规范性文件正式文本和制定说明各一份。\n",
    })
    answer = assistant.ask("某省县政府的规范性文件报同级人大常委会备案，要在发布后多少天内报？")
    assert answer.refused, answer.text
    answer = assistant.ask("某省县政府的规范性文件发布后多少天内报上一级政府备案？")
    assert not answer.refused and "15日内" in answer.text, answer.text


@pytest.mark.parametrize(("documents", "question", "said", "not_said"), [
    # who a numbered reply answers: its salutation and the sentence naming the proposal, not its title and number
    ({"国务院办公厅对某提案的答复.txt": "国务院办公厅对全国政协十届四次会议第4626号提案的答复\n国办函〔2006〕82号\n"
      "王某某委员：\n您提出的《关于设立总理热线电话的提案》收悉。现答复如下：\n"
      "国务院高度重视听取群众意见，通过召开座谈会等多种途径了解民意。\n国务院办公厅\n二〇〇六年八月十日\n"},
     "国办函〔2006〕82号答复的是哪位委员、什么提案？", ("王某某委员", "设立总理热线电话的提案"), ()),
    # the report's own year is its 今年: 8%左右, not the five years' 年均增长7%
    ({"2011年国务院政府工作报告.txt": "2011年国务院政府工作报告\n各位代表：\n二、“十二五”时期的主要目标和任务\n"
      "今后五年，我国经济增长预期目标是在明显提高质量和效益的基础上年均增长7%。\n三、2011年的工作\n"
      "今年国民经济和社会发展的主要预期目标是：\n国内生产总值增长8%左右；经济结构进一步优化；居民消费价格总水平涨幅控制在4%左右。\n"},
     "2011年政府工作报告，2011年GDP增长预期目标是多少？", ("8%左右",), ("7%",)),
    # the sentence that sums the asked list up (集体户包括…、…、…), not the chapter 立户、分户 (分 only asks how it
    # divides) nor another list that names 集体户口 in its items
    ({"某市公安局常住户口登记细则.txt": "某市公安局常住户口登记细则\n第一章 总则\n第一条 为规范户口登记，制定本细则。\n"
      "第二章 立户、分户\n第九条 本细则所称户包括家庭户、集体户。\n集体户包括单位集体户、学生集体户、人才流动服务中心集体户、"
      "社区(村)托管户。\n第十条 集体户户主由单位指定专人担任。\n第十一条 经批准的寺庙可以建立单位集体户。\n"
      "第三章 户口迁移\n第七十六条 家庭户口、集体户口的迁移应当按以下原则办理：\n"
      "(一)户口登记在朋友处的公民，迁入集体户口的，应当征得集体户口单位同意；\n"
      "(二)迁出集体户口的，由集体户口单位出具证明；\n(三)迁入家庭户口的，应当征得户主同意；\n"
      "(四)学生集体户口按学校规定办理。\n"},
     "某市户口登记细则里，集体户分哪几种？", ("单位集体户、学生集体户、人才流动服务中心集体户、社区(村)托管户",), ()),
    # 什么情况下 asks the cases a rule lists after its colon, not the sentence that leads them alone
    ({"某市常住户口管理规定.txt": "某市常住户口管理规定\n第二十五条有下列情形之一的，房屋所有权人、承租人以及农业户户主可以"
      "向户口所在地公安派出所申请变更“户主”：\n（一）原户主死亡或经人民法院宣告失踪或者宣告死亡的；\n（二）原户主户口迁（移）出户的；\n"
      "（三）房屋所有权人或承租人认为有必要更改的；\n（四）原户主要求或者同意更改的。\n"
      "集体户申请变更“户主”的，应当由单位主管部门向户口所在地公安派出所提出申请。\n"},
     "某市户口规定：什么情况下可以申请变更户主？", ("原户主死亡", "认为有必要更改", "同意更改"), ()),
    # the list its lead announces (评估内容包括：), not the chapter's articles
    ({"某市规范性文件管理规定.txt": "某市规范性文件管理规定\n第一章 总则\n第一条 为规范规范性文件管理，制定本规定。\n"
      "第六章 评估与清理\n第四十一条 本市实行规范性文件评估制度。\n第四十二条 评估工作应当向社会公开。\n"
      "第四十三条 实施机关应当在其门户网站设立评估专栏。\n第四十四条 评估内容包括：\n"
      "(一)合法性评估：是否与法律、法规、规章一致；\n(二)合理性评估：所采取的措施是否必要、适当；\n"
      "(三)协调性评估：与其他规范性文件是否协调；\n(四)绩效评估：社会效益、经济效益分析。\n"
      "第四十五条 规范性文件每隔两年清理一次。\n第四十六条 清理结果应当向社会公布。\n"},
     "某市规范性文件评估都评哪几个方面？", ("合法性评估", "合理性评估", "协调性评估", "绩效评估"), ()),
])
def test_the_words_that_answer_are_quoted(tmp_path: Path, embedder, documents: dict[str, str], question: str,
                                          said: tuple[str, ...], not_said: tuple[str, ...]) -> None:
    answer = _built(tmp_path, embedder, documents).ask(question)
    assert not answer.refused and all(words in answer.text for words in said), answer.text
    assert not any(words in answer.text for words in not_said), answer.text


@pytest.mark.parametrize(("text", "question", "said"), [
    # the clause after ； is part of the rule
    ("第二十条 规范性文件应当规定有效期限。未规定有效期限的，有效期确定为5年；名称标注“暂行”、“试行”的，有效期确定为2年。\n"
     "第二十一条 规范性文件有效期满前6个月，制定机关应当进行评估。\n",
     "某省的部门发文件时忘了写有效期，那这个文件算管几年？", ("5年", "确定为2年")),
    # the clause found after ； is quoted with the one before it
    ("第二十条 规范性文件备案审查，应当自收到备案件之日起30个工作日内完成；对专业性比较强或者情况特殊的，可以延长审查"
     "期限，但延长的期限不得超过15个工作日。\n第二十一条 备案审查中发现问题的，应当书面通知制定机关。\n",
     "某省规范性文件管理办法，情况特殊的审查期限最长可以延长多久？", ("30个工作日内", "15个工作日")),
])
def test_a_short_sentence_is_quoted_whole_across_its_semicolon(tmp_path: Path, embedder, text: str, question: str,
                                                                said: tuple[str, ...]) -> None:
    assistant = _built(tmp_path, embedder, {"某省规范性文件管理办法.txt": "某省规范性文件管理办法\n" + text})
    answer = assistant.ask(question)
    assert not answer.refused and all(words in answer.text for words in said), answer.text


def test_the_parts_of_a_document_are_its_top_headings(tmp_path: Path, embedder) -> None:
    """…的措施分了哪几大部分？: the document's 一、… headings in order, each cited."""
    assistant = _built(tmp_path, embedder, {
        "国务院关于支持某试验区深化改革创新若干措施的通知.txt": "国务院关于支持某试验区深化改革创新若干措施的通知\n"
        "国发〔2018〕38号\n现将有关事项通知如下：\n一、营造优良投资环境\n（一）放宽外籍技术人员的比例要求。\n"
        "（二）合理安排用地计划。\n二、提升贸易便利化水平\n（三）研究支持航空维修业态。\n"
        "三、推动金融创新服务实体经济\n（四）支持地方法人银行开展跨境业务。\n四、切实做好组织实施\n"
        "各有关地区和部门要高度重视、密切协作。\n国务院\n2018年11月7日\n",
    })
    answer = assistant.ask("国发〔2018〕38号支持试验区深化改革创新的措施分了哪几大部分？")
    assert not answer.refused and answer.mode == "list", answer.text
    assert [item.text for item in answer.items] == ["一、营造优良投资环境", "二、提升贸易便利化水平",
                                                    "三、推动金融创新服务实体经济", "四、切实做好组织实施"]


def test_a_city_named_alone_means_the_citys_rule_not_a_districts(tmp_path: Path, embedder) -> None:
    """重庆 asked, no district: the city's 意见 is preferred, not 渝北区's 方案; 渝北 asked: its 方案."""
    assistant = _built(tmp_path, embedder, {
        "重庆市教育委员会关于做好2016年义务教育招生入学工作的意见.docx.txt":
            "重庆市教育委员会关于做好2016年义务教育招生入学工作的意见\n各区县（自治县）教委：\n一、规范招生时间\n"
            "2016年6月20日起，公办小学开始报名审核。\n民办学校招生方案经当地教育行政部门审定备案后于4月15日开始报名。\n",
        "重庆市渝北区2016年义务教育阶段学校招生方案.txt":
            "重庆市渝北区2016年义务教育阶段学校招生方案\n一、招生时间\n2016年6月20日起，公办中小学开始报名审核。\n"
            "民办学校于5月10日开始报名。\n",
    })
    from wenyuan.query import analyse
    from wenyuan.retrieve import route

    def preferred(question: str) -> set[str]:
        return {assistant.index.documents[d].path for d in route(analyse(question), assistant.index).preferred}

    assert preferred("重庆2016年民办义务教育学校几号开始报名？") == {"重庆市教育委员会关于做好2016年义务教育招生入学工作的意见.docx.txt"}
    assert "重庆市渝北区2016年义务教育阶段学校招生方案.txt" in preferred("重庆渝北区民办学校几号开始报名？")


def test_a_name_written_without_市_routes_to_that_document(tmp_path: Path, embedder) -> None:
    """北京基本医疗保险规定里… names 北京市基本医疗保险规定, not 北京市基本医疗保险规定的解释的通知."""
    assistant = _built(tmp_path, embedder, {
        "北京市基本医疗保险规定.txt": "北京市基本医疗保险规定\n第四十四条 下列医疗费用基本医疗保险基金不予支付：\n"
        "(一)在非本人定点医疗机构就诊的，但急诊除外；\n(二)在非定点零售药店购药的；\n(三)因交通事故造成伤害的。\n",
        "北京市基本医疗保险规定的解释的通知.txt": "北京市基本医疗保险规定的解释的通知\n"
        "二、不具有劳动能力的外地来京人员，不属于本市基本医疗保险参保范围，其发生的医疗费用统筹基金不予支付。\n",
    })
    from wenyuan.query import analyse
    from wenyuan.retrieve import route

    allowed = route(analyse("北京基本医疗保险规定里，哪些医疗费用基金不给报？"), assistant.index).documents
    assert {assistant.index.documents[d].path for d in allowed or ()} == {"北京市基本医疗保险规定.txt"}


def test_a_year_asked_is_not_a_word_a_figure_stands_by() -> None:
    """2016年6月20日 holds a figure right after 2016: that is the date itself, not a figure beside an asked word."""
    from wenyuan.answer.extractive import _figure_near
    from wenyuan.query import analyse

    query = analyse("重庆2016年民办学校几号开始报名？")
    assert not _figure_near(query, ["2016"], "2016年6月20日起，公办小学开始报名审核")
    assert _figure_near(query, ["民办学校"], "民办学校于4月15日开始报名")


def test_a_parents_everyday_words_find_the_rules_words(tmp_path: Path, embedder) -> None:
    """孩子, 一直, 家里人, 跟着: how a parent asks; 子女, 学生, 家庭成员, 随迁: how the rule says it."""
    assistant = _built(tmp_path, embedder, {
        "某市小学毕业生初中入学工作的通知.txt": "某市教育局关于做好2016年小学毕业生初中入学工作的通知\n一、信息采集\n"
        "在外地就读、2016年要回本市就读初中的本市户籍小学毕业生，应于4月11日至22日持户口簿和学籍证明材料到户籍所在地的区县"
        "教育行政部门办理相关手续。\n",
        "某省户籍制度改革的实施意见.txt": "某省人民政府关于深化户籍制度改革的实施意见\n一、放开建制镇落户限制\n"
        "凡在县政府驻地镇和其他建制镇有合法稳定住所(含租赁)的人员，本人及其共同居住生活的配偶、未成年子女、父母等可在当地申请"
        "登记常住户口。\n",
    })
    answer = assistant.ask("孩子是本市户口但一直在外地读小学，今年想回来上初中，要带啥去哪办？")
    assert not answer.refused and "户口簿和学籍证明材料" in answer.text, answer.text
    answer = assistant.ask("在建制镇租房住的人想落户，哪些家里人能跟着落？")
    assert not answer.refused and "配偶、未成年子女、父母" in answer.text, answer.text


@pytest.fixture(scope="module")
def near_misses(tmp_path_factory: pytest.TempPathFactory, embedder):
    """Documents that say a good deal around what near misses ask, and not that."""
    return _indexed(tmp_path_factory, embedder, "near-misses", {
        "某市户口管理规定.txt": "某市常住户口管理规定\n第三十条 《户籍证明》自签发之日起三十日内有效，过期作废。\n"
        "第五十四条 本规定自2010年12月1日起施行。\n",
        "某市基本医疗保险规定.txt": "某市基本医疗保险规定\n第二十条 大额医疗费用互助资金在一个年度内累计支付职工门诊、急诊医疗费用的"
        "最高数额为2万元。\n第二十一条 职工门诊、急诊医疗费用的起付标准为1800元。\n",
        "2013年政府工作报告.txt": "政府工作报告\n——2013年3月5日在第十二届全国人民代表大会第一次会议上\n一、过去五年工作回顾\n"
        "加强农村水电路气等基础设施建设，新建改建农村公路146.5万公里，改造农村危房1033万户。\n二、今年的工作\n"
        "今年要继续加强保障性安居工程建设，基本建成470万套、新开工630万套。\n",
        "某区2016年小升初招生工作实施办法.txt": "某区2016年小升初招生工作实施办法\n三、招生办法\n区教育局对区内有空额的热点公办学校"
        "采取公开报名、电脑派位的方式进行招生。5月27日前，公布实行电脑派位的公办热点学校名单和电脑派位计划。网上报名工作6月下旬进行，"
        "具体安排另行通知。\n",
        "国务院办公厅关于调整某普查领导小组组成人员的通知.txt": "国务院办公厅关于调整某普查领导小组组成人员的通知\n"
        "组长：王某某　　国务院副总理\n副组长：李某某　　发展改革委副主任\n成员：张某某　　财政部副部长\n"
        "领导小组办公室设在生态环境部，办公室主任由生态环境部副部长赵某某兼任。\n",
        "2016年某区小学招生入学工作方案.txt": "2016年某区小学招生入学工作方案\n一、加强领导\n为了加强对招生工作的领导，"
        "确保政令畅通，成立小学招生工作领导小组。各学校必须在区小学招生工作领导小组的统一部署下开展工作。\n",
        "某市城镇最低收入家庭廉租住房管理办法.txt": "某市城镇最低收入家庭廉租住房管理办法\n第八条 廉租住房保障标准：\n"
        "（一）我市最低收入家庭廉租住房保障标准原则上不超过人均建筑面积20平方米。\n"
        "（二）新建廉租住房应当以小户型为主。\n",
        "某市行政规范性文件备案监督办法.txt": "某市行政规范性文件备案监督办法\n第九条 报送备案时，应当提交备案报告、"
        "规范性文件正式文本和制定说明各一份。\n第十条 有关备案文书的格式，由市人民政府法制办公室统一制定。\n",
        "某省文化事业单位转制规定.txt": "某省经营性文化事业单位转制为企业的规定\n"
        "（二十二）为确保转制工作顺利进行，同级财政可一次性拨付一定数额的资金，主要用于资产评估、审计、政策法律咨询等。\n"
        "（二十三）转制后的企业按规定缴纳所得税。\n",
        "国务院办公厅关于某省所提问题办理情况的函.txt": "国务院办公厅关于某省所提问题办理情况的函\n某省人民政府：\n"
        "现将有关情况函复如下：\n一、关于港口建设问题。交通部已将该项目列入规划。\n二、关于新机场建设项目问题。（略）\n",
        "某省人民政府关于深化户籍制度改革的实施意见.txt": "某省人民政府关于深化户籍制度改革的实施意见\n二、发展目标\n"
        "到2020年，努力实现1100万左右农业转移人口和其他常住人口在城镇落户，全省常住人口城镇化率达到56%。\n",
    })


@pytest.mark.parametrize("question", [
    "某市户口管理规定里，《户口迁移证》的有效期是多少天？",  # asks a count of days: no in-force date, no other paper's
    "某市基本医疗保险规定里，职工住院起付线是多少钱？",  # 起付线 = 起付标准, of 门诊 only; nor is it the 最高数额
    "2013年政府工作报告定的当年农村危房改造任务是多少万户？",  # a task asked: the past five years' result sets none
    "某省所提问题的函里，新机场建设项目是怎么答复的？",  # （略）: the published letter leaves it out
    "某区2016年小升初实行电脑派位的热点公办学校有哪几所？",  # the list is to be published later
    "某区2016年小升初网上报名是哪几天？",  # 具体安排另行通知
    "文化单位转制时同级财政一次性拨付的资金具体是多少数额？",  # 一次性 says how it is paid, not how much
    "某市行政规范性文件备案报告的文书格式具体是什么样？",  # the rule says who sets the format, not what it is
    "某普查领导小组办公室副主任是谁？",  # a 发展改革委副主任 is no office's deputy; the 办公室主任 is not either
    "某市新建廉租住房每套建筑面积标准是多少平方米？",  # 每套 asked: the rule sets 人均 only
    "某区2016年小学招生工作领导小组的副组长是谁？",  # the group is set up; who holds its posts is not said
    "某省户籍制度改革意见里，到2020年户籍人口城镇化率要达到多少？",  # the rate set is of 常住人口
    "2013年政府工作报告定的今年新增人民币贷款目标是多少？",  # no passage sets one
    "某省所提问题的函里，对新机场建设项目给出了什么办理意见？",  # （略）: the published letter leaves it out
])
def test_near_misses_around_what_a_document_says_are_refused(near_misses, question: str) -> None:
    answer = near_misses.ask(question)
    assert answer.refused, answer.text


def test_what_those_documents_do_say_is_answered(near_misses) -> None:
    assert "三十日内有效" in near_misses.ask("某市户口管理规定里，《户籍证明》的有效期是多少天？").text
    assert "2万元" in near_misses.ask("某市基本医疗保险规定里，门诊费用互助资金最高支付多少钱？").text
    assert "1800元" in near_misses.ask("某市基本医疗保险规定里，职工门诊起付线是多少钱？").text  # 起付线 = 起付标准
    assert "法制办公室" in near_misses.ask("某市行政规范性文件备案文书的格式由哪个部门制定？").text
    assert "赵某某" in near_misses.ask("某普查领导小组办公室主任是谁？").text
    assert "李某某" in near_misses.ask("某普查领导小组的副组长是谁？").text
    both = near_misses.ask("某普查领导小组的组长和副组长分别是谁？")  # two roles asked: each with its members
    assert "王某某" in both.text and "李某某" in both.text and "张某某" not in both.text, both.text
    assert "20平方米" in near_misses.ask("某市廉租住房保障标准人均建筑面积是多少平方米？").text
    assert "56%" in near_misses.ask("某省户籍制度改革意见里，到2020年常住人口城镇化率要达到多少？").text


@pytest.mark.parametrize(("name", "text", "question", "expected"), [
    pytest.param(  # 一般 is how sure the asker is: the rule says no 一般
        "某市规范性文件制定程序办法", "第十八条 市人民政府法制机构应当自收到规范性文件草案之日起10个工作日内，提出书面审查意见。",
        "法制机构审核文件一般要几个工作日？", "10个工作日内", id="hedge"),
    pytest.param(  # 报备 is how one says 报送备案
        "某省规范性文件备案办法", "第三条 规范性文件应当自公布之日起15日内，按照下列规定报送备案：\n（一）人民政府制定的规范性文件，"
        "报送上一级人民政府备案；\n（二）政府部门制定的规范性文件，报送本级人民政府备案。",
        "文件公布后几日内要报备？", "15日内", id="abbreviation"),
    pytest.param(  # 门槛费 and 看病: what people call the 起付标准 of 就医
        "某市基本医疗保险办法", "第二十一条 参保人员在定点医疗机构就医发生的门诊医疗费用，起付标准为1800元。",
        "去医院看病的门槛费是多少？", "1800元", id="everyday-words"),
    pytest.param(  # 默认: what a rule sets for the case it leaves open (未明确…的)
        "某市行政规范性文件制定和备案规定", "第十九条 规范性文件应当规定有效期。未明确有效期的，其有效期为5年。",
        "没写有效期的，默认有效期是几年？", "5年", id="default"),
])
def test_a_rule_worded_otherwise_than_the_question_answers_it(tmp_path: Path, embedder, name: str, text: str,
                                                              question: str, expected: str) -> None:
    assistant = _built(tmp_path, embedder, {f"{name}.txt": f"{name}\n第一条 为规范有关工作，制定本办法。\n{text}\n"})
    answer = assistant.ask(question)
    assert not answer.refused and expected in answer.text, answer.text


@pytest.mark.parametrize(("name", "text", "question", "first_quote"), [
    pytest.param(  # “2”指的是什么？: the passage names “2+N”, says what “N” is, then what “2” is
        "某公参办法修订说明", "一、公参程序\n修订后的公参办法合并了信息公开和征求意见环节，将公参程序明确为“2+N”。“N”是可选项，指综合"
        "考虑环境影响、公众关注程度等，采用座谈会、论证会的形式进一步深度开展公众参与。“2”是指2次信息公开暨同步征求意见，是所有建设"
        "项目必须开展的，属于必选项。", "公参办法修订说明里，“2+N”的“2”指的是什么？", "“2”是指2次信息公开暨同步征求意见",
        id="definition"),
    pytest.param(  # 初审要多少个工作日？: the sentence that ends in 初审, not the one of 区廉租办 and another step's days
        "某市廉租住房管理办法", "第一条 为规范廉租住房管理，制定本办法。\n第十二条 区廉租办在接到申请家庭填报的《申请表》和所提供材料"
        "之日起10个工作日内，完成对申请家庭的住房、收入等状况的初审。\n第十三条 对廉租房申请有异议的，区廉租办应当在5个工作日内进行"
        "核实，并将核实结果上报市廉租办。", "廉租房申请，区廉租办初审要多少个工作日？", "10个工作日", id="asked-step"),
])
def test_the_sentence_about_what_is_asked_is_quoted_first(tmp_path: Path, embedder, name: str, text: str,
                                                          question: str, first_quote: str) -> None:
    assistant = _built(tmp_path, embedder, {f"{name}.txt": f"{name}\n{text}\n"})
    answer = assistant.ask(question)
    assert not answer.refused and first_quote in answer.citations[0].quote, answer.text


def test_a_question_that_asks_two_things_quotes_the_sentence_that_answers_the_second(tmp_path_factory, embedder) -> None:
    """哪天考？考几门？: the date is one sentence, the subjects the next one of its paragraph."""
    assistant = _indexed(tmp_path_factory, embedder, "two-asks", {
        "某市小学毕业考试通知.txt": "某市教育局关于做好2016年小学毕业考试工作的通知\n各区教育局：\n"
        "一、考试时间\n今年全市小学毕业考试时间统一为6月12日。考试科目为语文、数学两科，每科考试时间不超过90分钟。\n"
        "二、考试组织\n各区教育局负责本区考务工作，严禁以任何形式公布考试成绩和排名。\n",
    })
    answer = assistant.ask("某市2016年小学毕业考试哪天？考几门？")
    assert "6月12日" in answer.text and "语文、数学两科" in answer.text, answer.text
    one = assistant.ask("某市2016年小学毕业考试是哪天？")
    assert "6月12日" in one.text and "语文、数学两科" not in one.text, one.text  # one thing asked: one sentence


def test_a_date_asked_is_the_one_before_what_it_dates(tmp_path_factory, embedder) -> None:
    """哪天起享受待遇？: 自2016年4月15日起享受 dates 享受; a date written after another 享受 dates something else."""
    answer = _answered(tmp_path_factory, embedder, "dated", {
        "某市医保待遇衔接通知.txt": "关于某市外来从业人员医保待遇衔接有关问题的通知\n一、关于待遇调整的时间及人员范围\n"
        "（一）2016年3月按规定正享受当月外来从业人员医保待遇的人员，自2016年4月1日起统一调整为享受职工医保待遇。\n"
        "（二）2016年3月新参保的外来从业人员，自2016年4月15日起享受职工医保待遇。\n",
    }, "某市外来从业人员医保衔接，2016年3月新参保的，哪天起享受职工医保待遇？")
    assert "2016年4月15日" in answer.text and "2016年4月1日起" not in answer.text, answer.text


def test_a_paragraph_of_clauses_that_end_alike_is_its_sections_list(tmp_path: Path, embedder) -> None:
    """（六）有关照顾对象入学。…对A予以适当照顾；对B予以适当照顾；对C予以适当照顾。: the three it cares for are the list."""
    assistant = _built(tmp_path, embedder, {
        "某市2015小升初招生入学政策通知.txt": "某市2015小升初招生入学政策通知\n一、入学政策\n"
        "（一）继续坚持免试、相对就近入学的原则。各区要按照划定的片区安排小学毕业生入学。\n"
        "（二）进城务工人员随迁子女入学。须持居住证、劳动合同和户口簿到居住地所在区报名。\n"
        "（三）有关照顾对象入学。\n在不违背相对就近入学原则的前提下，对少数民族小学毕业生予以适当照顾；"
        "对驻市部队现役军人子女予以适当照顾；对援疆援藏干部的子女予以适当照顾。\n"
        "二、工作要求\n各区、各学校要加强宣传，及时回应群众关切。\n",
    })
    answer = assistant.ask("某市2015小升初，哪几类孩子入学能得到照顾？")
    assert not answer.refused and answer.mode == "list", answer.text
    assert len(answer.items) == 3 and all(name in answer.text for name in ("少数民族", "现役军人子女", "援疆援藏")), answer.text


def test_a_count_asked_in_copies_is_answered_by_the_copies_written(tmp_path: Path, embedder) -> None:
    """要交几份？: 一式三份 gives the count in Chinese numerals and 份; a figure question takes it."""
    assistant = _built(tmp_path, embedder, {
        "某省规范性文件制定和备案规定.txt": "某省规范性文件制定和备案规定\n第二十三条 规范性文件应当自公布之日起30日内报送备案。\n"
        "第二十四条 报送规范性文件备案，应当提交备案报告、规范性文件正式文本和制定说明（一式三份）。\n",
    })
    answer = assistant.ask("某省的规范性文件报备案，备案报告、正式文本和制定说明要交几份？")
    assert not answer.refused and "一式三份" in answer.text, answer.text


def test_a_list_question_finds_the_passage_that_leads_into_numbered_items(tmp_path_factory, embedder) -> None:
    """申请廉租房的家庭要满足哪几条？: the article that says 应同时具备以下条件：（一）…, before one that names the
    application with as many of the question's words."""
    assistant = _indexed(tmp_path_factory, embedder, "list-led", {
        "某市城镇最低收入家庭廉租住房管理办法.txt": "某市城镇最低收入家庭廉租住房管理办法\n"
        "第八条 廉租住房的申请，由户主持户口簿、身份证和收入证明向街道办事处提出。\n"
        "第九条 廉租住房租金标准由市价格主管部门会同市房地产管理部门确定。\n"
        "第十条 申请廉租住房的家庭应同时具备以下条件：\n（一）本市城镇户口3年以上；\n"
        "（二）领取最低生活保障金1年以上；\n（三）人均住房面积12平方米以下。\n",
    })
    top = assistant.search("某市申请廉租房的家庭要满足哪几条？")[0].chunk.text
    assert "以下条件" in top, top


def test_a_list_announced_as_another_kind_is_not_the_list_asked() -> None:
    """走哪些程序？ is not answered by "…按照下列规定办理：（一）…": those items are rules, not steps."""
    from wenyuan.answer.extractive import _announces_other_kind
    from wenyuan.query import analyse

    steps = analyse("海南制定规范性文件要依次走哪些程序？")
    def announces(query, lead: str, items: str) -> bool:  # the items as one text, each a span of it
        return _announces_other_kind(query, lead, items, [(0, len(items))])

    rules = "（一）提交的备案材料齐全的，应当统一登记编号；（二）备案材料不齐全的，暂缓备案登记。"
    assert announces(steps, "政府法制机构应当建立备案登记程序，并按照下列规定办理：", rules)
    assert not announces(steps, "制定规范性文件应当遵循下列程序：", "（一）起草；（二）审查。")
    # an item that names the kind asked: the list holds it
    assert not announces(analyse("配房租赁的面积标准按户分别是多少？"), "保障标准按下列规定确定：",
                         "（二）配房租赁的建筑面积标准，以户为单位确定。")
    # 哪些情况 may be asked of 下列情形
    assert not announces(analyse("家里有哪些情况能优先配租？"), "有下列情形之一的，优先配租：", "（一）孤寡老人")


def test_a_figure_question_finds_the_passage_that_writes_the_unit_asked(tmp_path_factory, embedder) -> None:
    """每学年个人要交多少钱？: the article that says 176元, before one that says who pays with more of the question's
    words and no amount."""
    assistant = _indexed(tmp_path_factory, embedder, "unit-passage", {
        "某市少儿医疗保险办法.txt": "某市少儿医疗保险办法\n第一条 为保障少年儿童基本医疗需求，制定本办法。\n"
        "第五条 少儿医疗保险费由个人和财政共同负担，按学年缴纳。\n第六条 参保少儿个人缴费为176元。\n"
        "第七条 少儿医疗保险待遇享受期为每年9月1日至次年8月31日。\n",
    })
    question = "某市少儿医保每学年个人要交多少钱？"
    top = assistant.search(question)[0].chunk.text
    assert "176元" in top, top


def test_each_of_several_asked_is_answered_by_the_whole_list_an_item_belongs_to(tmp_path_factory, embedder) -> None:
    """单人户、两人户、三口之家分别能申请什么样的房子？: the best sentence is one item; 分别 asks for all of them."""
    answer = _answered(tmp_path_factory, embedder, "siblings", {
        "某市公共租赁住房管理暂行办法.txt": "某市公共租赁住房管理暂行办法\n"
        "十九、公共租赁住房租金按照略低于同地段市场租金的原则确定。\n"
        "二十、公共租赁住房实行公开配租制度。根据房源分布情况和申请人情况，按下列原则实行配租：\n"
        "（一）单人户申请家庭可申请非成套住房或小套型成套住房；\n（二）两人户申请家庭可申请成套一居室住房；\n"
        "（三）三人（含）以上户申请家庭可申请成套二居室住房。\n"
        "二十一、配租结果应当在社区公示，公示期为7天。\n",
    }, "我们在某市申请公租房，单人户、两人户、三口之家分别能申请什么样的房子？")
    assert all(kind in answer.text for kind in ("非成套住房", "成套一居室", "成套二居室")), answer.text
    _every_line_cited(answer)


def test_each_of_several_asked_is_answered_by_the_list_whose_lead_and_first_item_are_quoted(tmp_path_factory,
                                                                                           embedder) -> None:
    """分别支付多少？ and the best sentence is a sub-heading with its first item: the sub-heading's whole list."""
    answer = _answered(tmp_path_factory, embedder, "lead-siblings", {
        "某市基本医疗保险规定.txt": "某市基本医疗保险规定\n"
        "第三十五条 基本医疗保险统筹基金支付的起付标准为1300元。\n"
        "第三十六条 职工发生的医疗费用，按医院等级和费用数额分段计算、累加支付：\n"
        "(一)在三级医院发生的医疗费用：\n1、起付标准至1万元的部分，统筹基金支付80%，职工支付20%；\n"
        "2、超过1万元至3万元的部分，统筹基金支付85%，职工支付15%；\n"
        "3、超过3万元至4万元的部分，统筹基金支付90%，职工支付10%；\n"
        "(二)在二级医院发生的医疗费用：\n1、起付标准至1万元的部分，统筹基金支付82%，职工支付18%；\n"
        "2、超过1万元至3万元的部分，统筹基金支付87%，职工支付13%；\n",
    }, "某市职工在三级医院发生的医疗费用，统筹基金按各费用段分别支付多少？")
    assert all(share in answer.text for share in ("支付80%", "支付85%", "支付90%")), answer.text
    assert "支付82%" not in answer.text, answer.text
    _every_line_cited(answer)


def test_a_time_asked_is_answered_by_a_time_written_from_its_event(tmp_path_factory, embedder) -> None:
    """什么时候 asked: 从出生之日起 is a time, though it holds no digit; the rule with 次月1日 is about others."""
    answer = _answered(tmp_path_factory, embedder, "relative-time", {
        "某市城乡居民基本医疗保险办法实施细则.txt": "某市城乡居民基本医疗保险办法实施细则\n"
        "十、参保登记和待遇享受\n（一）城乡居民医保实行按年度缴费。\n"
        "（二）在校学生由所在学校统一办理登记缴费手续。\n"
        "（三）符合条件的新生儿登记缴费后，城乡居民医保待遇从出生之日起享受。\n"
        "（四）符合条件的新报入本市户籍人员、本市户籍人员的外省市配偶等，城乡居民医保待遇从登记缴费完成的次月1日起享受。\n",
    }, "某市新生儿登记缴费后，城乡居民医保从什么时候开始享受待遇？")
    assert "出生之日起" in answer.text and "次月1日" not in answer.text, answer.text
    _every_line_cited(answer)


def test_a_colour_asked_is_answered_by_a_colour_and_refused_without_one(tmp_path_factory, embedder) -> None:
    """什么颜色？: 白底红字 gives one though it never says 颜色; "…涂装装饰条。" names the strips and gives none."""
    assistant = _indexed(tmp_path_factory, embedder, "colours", {
        "国务院办公厅关于某救援车辆悬挂专用号牌有关事项的通知.txt": "国务院办公厅关于某救援车辆悬挂专用号牌有关事项的通知\n"
        "一、悬挂专用号牌的车辆范围为某救援队伍的执勤车辆。\n"
        "二、专用号牌为白底红字。悬挂专用号牌车辆外观进行标识涂装，车身两侧及车辆尾部涂装装饰条。\n"
        "三、专用号牌由公安机关交通管理部门核发。\n",
    })
    plate = assistant.ask("某救援车辆的专用号牌是什么颜色？")
    assert "白底红字" in plate.text, plate.text
    strips = assistant.ask("某救援车辆车身两侧和尾部的装饰条是什么颜色？")
    assert strips.refused, strips.text


def test_a_heading_quoted_whose_answer_the_document_leaves_out_is_no_answer(tmp_path: Path, embedder) -> None:
    """五、关于新机场建设项目问题。（略）: a quote that stops at the heading (a passage may end there) still answers nothing."""
    from wenyuan.answer import gate
    from wenyuan.types import Answer, Citation

    text = ("国务院办公厅关于某省所提问题办理情况的函\n某省人民政府：\n现将有关情况函复如下：\n"
            "一、关于港口建设问题。交通部已将该项目列入规划。\n二、关于新机场建设项目问题。（略）\n")
    assistant = _built(tmp_path, embedder, {"国务院办公厅关于某省所提问题办理情况的函.txt": text})
    answerer = assistant._snapshot()[1]
    path = "国务院办公厅关于某省所提问题办理情况的函.txt"

    def held(question: str, quoted: str) -> bool:
        asked = assistant._prepare(question)
        start, end = text.index(quoted), text.index(quoted) + len(quoted)
        citation = Citation(1, path, "", (), start, end, quoted, 1.0, start, end, quoted)
        answer = Answer(question, quoted, (citation,), False, "sentence", tuple(asked.hits))
        term_weight = gate.term_weights(asked.query, assistant.index)
        return answerer._slot_held(asked.query, term_weight, answer, asked.hits)

    assert not held("某省所提问题的函里，新机场建设项目问题怎么处理？", "二、关于新机场建设项目问题。")
    assert held("某省所提问题的函里，港口建设问题怎么处理？", "一、关于港口建设问题。交通部已将该项目列入规划。")


def test_two_asks_answered_by_a_sentence_and_the_one_before_it(tmp_path_factory, embedder) -> None:
    """能免几年？要是2018年底前就转完了呢？: the best sentence answers the second ask; the one before it, the first."""
    answer = _answered(tmp_path_factory, embedder, "two-asks-before", {
        "某省文化事业单位转制规定.txt": "某省经营性文化事业单位转制为企业的规定\n二、税收政策\n"
        "（十五）经营性文化事业单位转制为企业后，五年内免征企业所得税。2018年12月31日之前已完成转制的企业，"
        "自2019年1月1日起可继续免征五年企业所得税。\n"
        "（十六）转制为企业的出版、发行单位处置库存呆滞出版物形成的损失，允许据实在企业所得税前扣除。\n",
    }, "我们是经营性文化事业单位，转成企业后企业所得税能免几年？要是2018年底前就转完了呢？")
    assert "五年内免征企业所得税" in answer.text and "可继续免征五年" in answer.text, answer.text
    _every_line_cited(answer)


def test_a_figure_under_another_matter_of_a_reply_is_a_near_miss(tmp_path_factory, embedder) -> None:
    """A reply answers matter by matter (一、关于亭子口水利枢纽工程问题, 二、关于康定机场建设问题): the 总投资 under 二 is
    the airport's, not the dam's, though 该项目 names neither."""
    assistant = _indexed(tmp_path_factory, embedder, "matters", {
        "国务院办公厅关于某省所提问题和建议办理情况的函.txt": "国务院办公厅关于某省所提问题和建议办理情况的函\n某省人民政府：\n"
        "现将有关情况函复如下：\n一、关于亭子口水利枢纽工程问题。你省请求，国家尽快审核亭子口水利枢纽工程项目建议书。\n"
        "发展改革委会同水利部研究提出了办理意见：目前该工程存在项目投资过大、资金落实困难等问题，将根据今后中央和地方财力情况研究。\n"
        "二、关于康定机场建设问题。你省请求，国家加大对建设康定机场的支持力度。\n"
        "发展改革委会同有关部门研究提出了办理意见：目前该项目的主要问题是资金筹措上有缺口，项目原估算总投资5亿元，"
        "调整后总投资约为8.5亿元。\n",
    })
    assert assistant.ask("亭子口水利枢纽工程估算总投资是多少？").refused
    airport = assistant.ask("康定机场项目原估算总投资是多少？")
    assert "5亿元" in airport.text, airport.text


@pytest.mark.parametrize(("question", "said", "restates"), [
    ("获得一等奖的4项成果分别是哪些？", "授予“某某技术”等4项成果国家技术发明奖一等奖。", True),
    ("有10个省级政府网站开通了英文版，具体是哪10个省份？", "省级政府网站中有10个开通了英文版。", True),
    ("授予的5名外国专家都是谁？", "授予5名外国专家中华人民共和国国际科学技术合作奖。", True),
    # the clause names them before their count
    ("个税专项附加扣除具体是哪6项？", "是指子女教育、继续教育、大病医疗、住房贷款利息或者住房租金、赡养老人等6项专项附加扣除。", False),
    ("法律法规栏目收录了多少部法律？", "栏目共收录现行法律230部。", False),  # a count asked, not names
    ("获得一等奖的4项成果分别是哪些？", "授予“某某技术”等四项成果一等奖。", True),  # in Chinese numerals
    ("获得一等奖的4项成果分别是哪些？", "授予“某某技术”等14项成果二等奖。", False),  # 14项 is not 4项
    ("获得一等奖的4项成果分别是哪些？", "听取了甲、乙、丙的汇报，授予“某某技术”等4项成果一等奖。", True),  # another clause
    ("十八大讲的五位一体是哪五个？", "全面落实五位一体总体布局。", False),  # 五位一体 counts nothing
])
def test_an_answer_that_only_states_the_count_the_question_gives_is_no_answer(question, said, restates) -> None:
    from wenyuan.answer.extractive import _restates_count
    from wenyuan.clean import fold

    assert _restates_count(question, fold(said)) == restates


def test_a_question_naming_how_many_it_asks_for_is_refused_by_a_sentence_that_only_counts_them(
        tmp_path_factory, embedder) -> None:
    answer = _answered(tmp_path_factory, embedder, "count-only", {
        "某市科学技术奖励决定.txt": "某市人民政府关于2018年度某市科学技术奖励的决定\n"
        "市政府决定，授予“城市地下管网智能监测技术”等4项成果某市技术发明奖一等奖，授予“新型建筑节能材料”等12项成果"
        "某市技术发明奖二等奖。\n希望全市科技工作者向获奖者学习。\n",
    }, "某市2018年技术发明奖一等奖的4项成果分别是哪些？")
    assert answer.refused, answer.text


def test_a_figure_of_another_measure_does_not_answer_the_measure_asked(tmp_path_factory, embedder) -> None:
    """直接经济损失是多少？ and a sentence that counts the dead: a figure, but of another measure."""
    assistant = _indexed(tmp_path_factory, embedder, "other-measure", {
        "某省煤矿事故调查处理情况通报.txt": "某省人民政府办公厅关于煤矿瓦斯爆炸事故调查处理情况的通报\n"
        "8月11日，某市杏儿沟煤矿发生瓦斯爆炸事故，造成43人死亡，直接原因是违章作业，对当地经济造成严重影响。\n"
        "事故调查组查明了事故原因，对有关责任人员作出了处理。\n",
    })
    assert assistant.ask("杏儿沟煤矿瓦斯爆炸事故造成的直接经济损失是多少？").refused
    deaths = assistant.ask("杏儿沟煤矿瓦斯爆炸事故造成多少人死亡？")
    assert "43人死亡" in deaths.text, deaths.text


def test_a_second_question_no_passage_answers_alone_keeps_the_sentence_the_whole_question_found(
        tmp_path_factory, embedder) -> None:
    """多久找不到才给补？补好之前要用怎么办？: asked alone, the second question finds nothing; asked whole, the sentence
    after the first answer says it (期间，…应当出具《户籍证明》)."""
    answer = _answered(tmp_path_factory, embedder, "second-part", {
        "某市常住户口管理规定.txt": "某市常住户口管理规定\n第四十二条 本市居民因购买住房等原因而立户的，由公安派出所发给《居民户口簿》。\n"
        "第四十三条 本市居民遗失《居民户口簿》，应当及时到户口所在地公安派出所报失。自报失之日起三十日内仍未找到的，"
        "由公安派出所予以补发。期间，居民需使用《居民户口簿》的，户口所在地公安派出所应当出具《户籍证明》。\n"
        "第四十四条 本市居民在本市范围内办理户口网上迁移的，公安派出所不再签发《户口迁移证》。\n",
    }, "某市户口本丢了，多久找不到才给补？补好之前要用怎么办？")
    assert "三十日内" in answer.text and "户籍证明" in answer.text, answer.text
    _every_line_cited(answer)


def test_a_second_question_answered_only_by_the_first_answer_keeps_the_sentence_the_whole_question_found(
        tmp_path_factory, embedder) -> None:
    """等补发这段时间要用户口本怎么办？ asked alone finds the 补发 sentence again, which says nothing of it: the sentence
    the whole question found after it (期间，…应当出具《户籍证明》) answers it."""
    answer = _answered(tmp_path_factory, embedder, "second-part-repeated", {
        "某市常住户口管理规定.txt": "某市常住户口管理规定\n第四十二条 本市居民因购买住房等原因而立户的，由公安派出所发给《居民户口簿》。\n"
        "第四十三条 本市居民遗失《居民户口簿》，应当及时到户口所在地公安派出所报失。自报失之日起三十日内仍未找到的，"
        "由公安派出所予以补发。期间，居民需使用《居民户口簿》的，户口所在地公安派出所应当出具《户籍证明》。\n"
        "第四十四条 本市居民在本市范围内办理户口网上迁移的，公安派出所不再签发《户口迁移证》。\n",
    }, "某市户口本丢了，报失以后多久能补发？等补发这段时间要用户口本怎么办？")
    assert "三十日内" in answer.text and "户籍证明" in answer.text, answer.text
    _every_line_cited(answer)


def test_words_of_no_content_weigh_nothing_in_what_a_passage_must_hold(tmp_path_factory, embedder) -> None:
    """家长自己实际要交多少钱？: no passage need say 自己 for the passage that gives the amount to answer."""
    from wenyuan.answer import gate

    assistant = _indexed(tmp_path_factory, embedder, "no-content", {
        "某市少儿医保指南.txt": "某市少儿医保全指南\n一、缴费标准\n2014学年少儿医保缴费标准为每人500元，财政补贴为324元/人，"
        "参保人实际缴费176元。\n二、待遇\n参保少儿在定点医院住院的，医疗费用按比例报销。自己垫付的费用凭票据报销。\n",
    })
    question = "2014学年某市少儿医保，财政补贴完了家长自己实际要交多少钱？"
    weights = gate.term_weights(assistant._prepare(question).query, assistant.index)
    assert weights["自己"] == 0 and weights["财政补贴"] > 0
    answer = assistant.ask(question)
    assert "176元" in answer.text, answer.text


def test_a_count_asked_stands_before_what_it_counts() -> None:
    """有几个开通了英文版？: "有10个开通了英文版" puts its figure before the asked words, as counts do in Chinese."""
    from wenyuan.answer.extractive import _figure_near
    from wenyuan.clean import fold
    from wenyuan.query import analyse

    counted = analyse("省级政府网站有几个开通了英文版？")
    assert _figure_near(counted, ["开通", "英文版"], fold("省级政府网站中有10个开通了英文版。"))
    amount = analyse("子女教育每月扣除多少钱？")  # an amount follows what it is of
    assert not _figure_near(amount, ["子女教育"], fold("2019年起，子女教育专项附加扣除的标准提高。"))


def test_a_sentence_about_another_of_a_contrasting_kind_ranks_below_the_one_asked(tmp_path_factory, embedder) -> None:
    """理科考生总分一样时怎么排先后？: the rule for 理科类 考生, not the one for 体育类、艺术类 考生 with more of the
    question's words."""
    answer = _answered(tmp_path_factory, embedder, "contrasted", {
        "某省普通高校招生工作意见.txt": "某省2016年普通高等学校招生工作意见\n五、投档排序\n"
        "体育类、艺术类考生如总分相同，按文化总分从高到低进行排序，如仍相同，则再依次按语文、数学、外语分数从高到低排序。"
        "理科类考生总分相同时，依次按数学、语文、外语分数排序。\n六、录取\n录取工作实行远程网上录取。\n",
    }, "某省理科考生高考总分一样时怎么排先后？")
    assert "依次按数学、语文、外语" in answer.text and "体育类" not in answer.text, answer.text


def test_days_asked_from_an_event_are_those_counted_from_it(tmp_path_factory, embedder) -> None:
    """签发后几天内报备案登记？: the days counted from 签发 (自签发之日起4个工作日内), not those another office counts from
    receiving the files, whose sentence says 备案登记 as the question does."""
    answer = _answered(tmp_path_factory, embedder, "counted-from", {
        "某市规范性文件制定与备案管理办法.txt": "某市规范性文件制定与备案管理办法\n"
        "第二十条 规范性文件自签发之日起4个工作日内，按照下列规定报送备案：\n（一）市人民政府制定的规范性文件向省人民政府报送备案登记；\n"
        "（二）市人民政府工作部门制定的规范性文件向市人民政府报送备案登记。\n"
        "第二十一条 市法制机构自收到备案所需的全部文件材料之日起2个工作日内，向省法制机构报送备案登记。\n",
    }, "某市规范性文件签发后几天内报备案登记？")
    assert "4个工作日" in answer.text, answer.text


def test_a_city_asked_is_not_answered_by_the_rule_of_its_province(tmp_path_factory, embedder) -> None:
    """吉林市的规范性文件多久清理一次？: 吉林省's rule is the province's, which the question does not ask about."""
    assistant = _indexed(tmp_path_factory, embedder, "level", {
        "吉林省规章规范性文件监督办法.txt": "吉林省规章规范性文件监督办法\n第十七条 县级以上政府要建立规章、规范性文件定期清理制度，"
        "规章每5年清理一次，规范性文件每3年清理一次。\n",
        "长春市规范性文件监督办法.txt": "长春市规范性文件监督办法\n第二十条 规范性文件实行有效期制度，有效期为5年。\n",
    })
    assert assistant.ask("吉林市的规范性文件多久要清理一次？").refused
    province = assistant.ask("吉林省的规范性文件多久要清理一次？")
    assert "每3年清理一次" in province.text, province.text
