"""Question analysis as a table of examples: shape, asked slot, years, named documents and other forms of terms."""

from __future__ import annotations

import numpy as np
import pytest

from wenyuan.clean import chinese_number, fold
from wenyuan.query import FIGURE, FACT, LIST, DOC_NUMBER_SHAPE, analyse, canonical_number


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("学习教育的目标任务是什么？", LIST),
        ("组织领导方面提了哪几条要求？", LIST),
        ("个税专项附加扣除一共有哪几项？", LIST),
        ("2013年政府工作报告的GDP目标是多少？", FIGURE),
        ("杭州公租房一次租期多长？", FIGURE),
        ("暂行办法从什么时候施行？", FIGURE),
        ("小升初网上信息采集是哪几天？", FIGURE),  # which days: a date, not a list
        ("基本原则分别是什么？", LIST),
        ("规范性文件公布后几日内报备？", FIGURE),
        ("山西、安徽四起煤矿瓦斯爆炸事故通报的文号是什么？", DOC_NUMBER_SHAPE),
        ("上海市行政规范性文件制定和备案规定是市政府第几号令？", DOC_NUMBER_SHAPE),  # a decree's number is its 文号
        ("河北省规范性文件制定规定是哪号省政府令？", DOC_NUMBER_SHAPE),
        ("政务新媒体工作的主管单位是谁？", FACT),
        # yes or no asked: the clauses before it (过了期限) set the case, they ask no figure
        ("部门文件送审后，过了期限一直没回书面意见，文件能发吗？", FACT),
        ("法制机构多少天内审完？能延长吗？", FIGURE),
        ("结合本区又加了几条管事的规定，这还算普通转发吗？", FACT),  # 几条 sets the case; yes or no is asked
        ("高考网上填志愿，最晚到几号几点？", FIGURE),  # 几点 after 几号 is the hour, not how many points
        ("报备案要交几份正式文本？", FIGURE),
        ("这次讲话强调了几点？", LIST),
        ("郑州那个IC卡的居住证都有啥功能？", LIST),  # 啥 is 什么: the functions are a list
        ("补办户口簿要带什么材料？", LIST),
    ],
)
def test_shape(question: str, shape: str) -> None:
    assert analyse(question).shape == shape


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("统战部门推动学习教育走深走实要做到哪几个紧密结合？", ("紧密结合",)),  # after the question word
        ("这次学习教育的目标任务是什么？", ("目标", "任务")),  # before it
        ("天津居住证丢了补领，工本费多少钱？", ("工本费",)),  # 钱 is the answer's unit, not the topic
        ("市政府法制办要求补充材料的，制定机关应在几日内报送？", ("报送",)),  # 几日内 asks of the verb before it
        ("甘肃规章规范性文件备案审查办法，报备案要交几份正式文本？", ("正式", "文本")),  # 几份 asks of what follows
        ("阳泉三矿瓦斯爆炸事故，矿长受了什么处分？", ("处分",)),  # 什么 asks of the word after it
        ("补办身份证需要什么手续和哪些材料？", ("手续",)),  # 什么 asks of the words before the second ask
        ("这个办法适用多大年龄的孩子？", ("年龄", "孩子")),  # 多大 asks for the words after it
        # the nearest clause that says what (一共 says nothing); 啥 is 什么
        ("08年政府工作报告总结过去五年的主要体会，一共几条，分别是啥？", ("体会",)),
    ],
)
def test_focus_is_what_is_asked(question: str, focus: tuple[str, ...]) -> None:
    assert analyse(question).focus == focus


@pytest.mark.parametrize(
    ("question", "year", "kind"),
    [
        ("2013年政府工作报告的GDP目标是多少？", 2013, "报告"),
        ("08年政府工作报告对CPI涨幅定的控制目标是多少？", 2008, "报告"),  # two-digit year before a document's name
        ("2010年人大关于政府工作报告的决议强调了什么？", 2010, "决议"),  # the longest name: the resolution
        ("二〇一三年政府工作报告提出了什么？", 2013, "报告"),  # Chinese-numeral year
    ],
)
def test_a_year_before_a_kind_of_document_names_a_document(question: str, year: int, kind: str) -> None:
    named = analyse(question).named
    assert [(n.year, n.kind, n.strict) for n in named] == [(year, kind, True)]


def test_a_year_inside_the_question_is_not_a_document_name() -> None:
    query = analyse("十八大报告提出到2020年森林覆盖率要达到多少？")
    assert 2020 in query.years
    assert [(n.card_words, n.kind, n.strict) for n in query.named] == [(("第十八次全国代表大会",), "报告", True)]


def test_numbered_congresses_and_sessions_are_spelt_out() -> None:
    query = analyse("十八大提出的收入倍增目标具体是怎么表述的？")
    assert query.alternatives["十八大"] == ("第十八次全国代表大会",)
    assert not query.named[0].strict  # 十八大 alone may mean any document of that congress
    assert analyse("十六大说全面建设小康社会要让哪几方面“更加”？").named[0].strict  # the report says it
    assert not analyse("十八大以来取得了哪些成就？").named[0].strict  # a time
    session = analyse("十一届全国人大三次会议的决议同意了什么？").named[0]
    assert session.card_words == ("第十一届全国人民代表大会第三次会议",) and session.kind == "决议"


def test_congress_ordinals_from_eleven_up() -> None:
    assert [n.card_words for n in analyse("二十大报告提出了什么？").named] == [("第二十次全国代表大会",)]
    assert analyse("十大工程有哪些？").named == ()  # ten projects, not the tenth congress
    assert analyse("党的十九大以来有哪些变化？").alternatives["十九大"] == ("第十九次全国代表大会",)


def test_a_longer_name_keeps_its_shorter_reading() -> None:
    named = analyse("2013年政府工作报告关于就业的意见是什么？").named[0]
    assert named.kind == "意见" and named.fallback is not None
    assert (named.fallback.phrase, named.fallback.kind) == ("2013年政府工作报告", "报告")


def test_document_numbers_name_a_document_in_any_bracket_style() -> None:
    named = analyse("国办发[2019]6号规定了什么？").named
    assert [n.card_words for n in named] == [("国办发〔2019〕6号",)]
    assert canonical_number("国办发（2019）6号") == canonical_number("国办发〔2019〕6号")



def test_a_number_called_a_wen_names_its_document_and_adds_no_word() -> None:
    """38号文 is what staff call 38号文件; 提了 only asks what was said."""
    query = analyse("国发〔2018〕38号文在组织实施上提了哪几条要求？")
    assert query.terms == ("国发〔2018〕38号", "组织", "实施")
    assert [n.card_words for n in query.named] == [("国发〔2018〕38号",)]



def test_words_that_ask_for_an_order_or_a_length_of_time_are_not_terms() -> None:
    """依次, 多长时间: what kind of answer is wanted; a passage that answers need not write them."""
    terms = analyse("海南制定规范性文件要依次走哪些程序？").terms
    assert "依次" not in terms and {"海南", "规范性文件", "程序"} <= set(terms)
    assert "多长时间" not in analyse("签发后多长时间内报省政府备案登记？").terms



def test_the_time_asked_closes_before_the_words_after_it() -> None:
    """几天内要报备案: 内 and 要 belong to the time asked (not words 内报, 要报); 以后 only says when."""
    query = analyse("新疆规范性文件公布后几天内要报备案？")
    assert query.terms == ("新疆", "规范性文件", "公布", "报", "备案") and query.focus == ("报", "备案")
    assert "以后" not in analyse("新生入学以后，学校要在多少天内建学籍档案？").terms
    assert analyse("长春规范性文件公布后多久要报备案？").terms == ("长春", "规范性文件", "公布", "报", "备案")


def test_words_that_count_the_parts_or_ask_a_stance_are_not_terms() -> None:
    """哪几大部分 counts parts (not 大部分); 当时是什么态度 asks what was said."""
    assert analyse("国发〔2018〕38号的措施分了哪几大部分？").terms == ("国发〔2018〕38号",)
    assert not {"态度", "当时"} & set(analyse("大连想上石油期货，国家当时是什么态度？").terms)



def test_the_span_of_the_answer_is_not_what_tells_passages_apart() -> None:
    """日内 of 多少日内报备 is the form the answer takes (its unit is checked apart); 报备 is what is asked."""
    from wenyuan.answer.gate import slot_terms

    query = analyse("江西规范性文件公布后多少日内报备？")
    assert "日内" in query.terms
    slot = slot_terms(query, {term: 1.0 for term in query.terms}, card="")
    assert "日内" not in slot and "报备" in slot


@pytest.mark.parametrize(
    ("question", "term", "form"),
    [
        ("2013年的GDP目标是多少？", "gdp", "国内生产总值"),
        ("CPI涨幅控制在多少？", "cpi", "居民消费价格"),
        ("杭州公租房一次租期多长？", "公租房", "公共租赁住房"),
        ("个税专项附加扣除有哪几项？", "个税", "个人所得税"),
        ("除了民政部门，别的部门能给社团登记发证吗？", "社团", "社会团体"),
        ("国务院对海南省政府提了哪些监管要求？", "监管", "监督管理"),
        ("租4级地段的公租房，房租能少交百分之几？", "地段", "土地等级"),
        ("重庆公租房，两口之家能选多大面积的房子？", "两口之家", "2人"),
        # everyday words for the official ones
        ("把房子租给外地人要登记吗？", "外地人", "流动人口"),
        ("租客搬走后房东要在几天内告诉派出所？", "搬走", "终止居住"),
        ("租客搬走后房东要在几天内告诉派出所？", "告诉", "报告"),
        ("低收入家庭房租能少交百分之几？", "少交", "减免"),
        ("重庆没就业的毕业生户口怎么处理？", "没", "未"),
        ("哪几类人不用办参保登记缴费手续？", "不用", "无需"),
        ("部门发文件时忘了写有效期，算管几年？", "忘了写", "未规定"),
        ("南京区里要出一个规范性文件，发之前要送谁把关？", "区里", "区人民政府"),
        ("南京区里要出一个规范性文件，发之前要送谁把关？", "把关", "审核"),
        ("文件没经统一编号就公布了，老百姓要照办吗？", "老百姓", "公民"),
        ("这五年一共砍掉了多少审批事项？", "砍掉", "取消"),
        ("刚毕业几年的大学生能申请公租房吗？", "大学生", "高校毕业生"),
        ("挂应急救援专用号牌的消防车能免哪些税费？", "税费", "税"),  # 免征…购置税、免收…通行费
        ("一般的规范性文件法制机构几天审完？", "审完", "审结"),
        ("退休的人住院，自己掏的那部分比例怎么算？", "自己掏", "个人负担"),
        ("部门文件过了期限一直没回书面意见，文件能发吗？", "没回", "未提出"),
        ("部门文件过了期限一直没回书面意见，文件能发吗？", "能发", "可以发布"),
        ("没经过政府统一编号的文件，能拿来管事吗？", "管事", "行政管理"),
        ("农民种地不用再交税了，每年给农民省下多少钱？", "种地", "农业"),
        ("农民种地不用再交税了，每年给农民省下多少钱？", "省下", "减轻"),
        ("救援车辆享受哪些费用减免？", "减免", "免收"),
        ("这个规定是市政府第几号令？", "市政府", "市人民政府"),
        # lexicon/everyday.txt: how citizens say it, beside what documents write
        ("哪些情况的医药费医保基金不给付？", "医药费", "医疗费用"),
        ("孩子想换学校，得提前多久跟学校说？", "换学校", "转学"),
        ("限价房买了以后，要过多久才能转手卖？", "转手", "上市交易"),
        ("文件公布后多少天内得报上级备案？", "上级", "上一级"),
        ("南京孩子出生后多长时间内要去报户口？", "孩子", "婴儿"),
        ("哪几类机构不许制定规范性文件？", "不许", "不得"),
        ("职工自己的医保费按工资的百分之几交？", "自己", "个人"),
        ("哪些情况的医药费医保基金不给付？", "不给付", "不予支付"),
        ("迁进去的房子是家里70岁老人的，老人那边需要怎么配合？", "老人", "老年人"),
        ("2010年政府工作报告对楼市提了哪些要求？", "楼市", "房地产市场"),  # national policy in everyday words
        ("四川的规范性文件里不能规定哪些东西？", "不能", "不得"),
        ("家里条件困难，有没有不要钱的初中班可以上？", "不要钱", "免费"),
        ("在重庆买下来的公租房，以后还能租出去吗？", "租出去", "出租"),
        ("在天津打零工、没单位，自己交职工医保，交了多久才能开始报销？", "打零工", "灵活就业"),
    ],
)
def test_abbreviations_bring_their_long_forms(question: str, term: str, form: str) -> None:
    query = analyse(question)
    assert term in query.terms and form in query.forms(term)


def test_the_official_side_of_the_everyday_lexicon_keeps_its_words() -> None:
    """everyday.txt teaches jieba the everyday words only: a question in the documents' own wording (报送备案) keeps
    the words a passage holds apart (报送, 备案), and 医药费 is one word."""
    from wenyuan import lexical

    assert lexical.is_word("医药费") and not lexical.is_word("缴纳基本医疗保险费")
    assert "报送备案" not in analyse("规章公布后多少天内要报送备案？").terms


def test_words_of_talk_are_not_terms() -> None:
    query = analyse("安徽规范性文件报备案，要交哪几样东西？长春这边多久才能清理一回？")
    assert not {"东西", "这边", "才能", "一回"} & set(query.terms)
    assert "最晚" not in analyse("没参保的单位最晚什么时候前要参加医保？").terms  # how the time is bounded, as 最多
    # jieba's dictionary has these; they are how the question is put, not what it is about
    for question, word in (("规范性文件报备案时要交哪些材料？", "时要"), ("综合保险是从哪天起并到职工社保里的？", "是从"),
                           ("规范性文件要是没向社会公布，还算数吗？", "要是"), ("公众参与到底由谁来负责组织？", "由谁来"),
                           ("南京2016年上小学，孩子得是哪段时间出生的？", "段时间")):
        assert word not in analyse(question).terms, question


def test_a_documents_own_short_names_count_both_ways() -> None:
    definitions = {"培训评价组织": "职业技能等级证书培训评价组织"}
    query = analyse("培训评价组织由谁遴选？", definitions)
    assert "职业技能等级证书培训评价组织" in query.forms("培训评价组织")


def test_chinese_numerals_and_years_fold() -> None:
    assert fold("到二〇三五年") == "到2035年" and fold("二０一０年") == "2010年"
    assert chinese_number("十八") == 18 and chinese_number("二十三") == 23 and chinese_number("一百零五") == 105


def test_words_that_only_ask_for_a_list_are_not_terms() -> None:
    query = analyse("国办函回复了四川省哪些问题和建议？请逐条列出，列出前几项即可。")
    assert not {"列出", "逐条", "即可", "请"} & set(query.terms)
    assert {"四川省", "问题", "建议"} <= set(query.terms)


def test_a_count_with_its_measure_word_is_not_what_the_passages_must_write() -> None:
    from wenyuan.answer.gate import _telling

    assert not any(_telling(term, lambda _: True) for term in ("三组", "五项", "四方面", "几点", "6项"))
    assert _telling("方面军", lambda _: True) and _telling("生态文明", lambda _: True)


@pytest.mark.parametrize(("question", "answer", "fits"), [
    ("数字档案室建设项目一共投资了多少钱？", "2016年年底该项目率先通过验收。", False),  # a year is not an amount
    ("数字档案室建设项目一共投资了多少钱？", "项目总投资1200万元。", True),
    ("中央政府拟新增投资多少？", "其中中央政府拟新增1.18万亿元。", True),  # 万亿元: two orders before the unit
    ("同级财政一次性拨付的资金是多少数额？", "对其自用房产五年内免征房产税。", False),  # an amount: in 元
    ("同级财政一次性拨付的资金是多少数额？", "同级财政一次性拨付资金200万元。", True),
    ("《户口迁移证》的有效期是多少天？", "本规定自2010年12月1日起施行。", False),  # a date is not a count of days
    ("《户籍证明》的有效期是多少天？", "《户籍证明》自签发之日起三十日内有效。", True),
    ("验收公示期是几天？", "自投入试生产之日起３个月内申请验收。", False),
    ("法制机构审查要多少个工作日？", "自收到之日起10个工作日内审查完毕。", True),
    ("2019年劳动节放假几天？", "劳动节：5月1日放假。", True),  # 放假几天: the holiday's dates say it
    ("教育考试中心的咨询电话是多少？", "信息登记点为教育考试中心（地址：凤阳路152号）。", False),
    ("教育考试中心的咨询电话是多少？", "咨询电话：021-63150000。", True),
    ("规范性文件有效期最长几年？", "经同意可以延长审查期限，延长期限最长不得超过30日。", False),  # 延长期限 is no 长期
    ("扶贫对象覆盖多少人？", "扶贫对象覆盖4007万人。", True),
    ("公租房两口之家能选多大面积的房子？", "2人以下选择建筑面积40平方米以下住房。", True),
    ("规范性文件默认有效期是几年？", "本规定自2010年5月1日起施行。", False),  # a date is not a duration
    ("规范性文件默认有效期是几年？", "未明确有效期的，有效期为5年。", True),
    ("地区生产总值比重这几年有什么变化？", "比重由12%提高到15%。", True),  # 这几年: when, not a unit asked
    ("今年GDP增长目标是多少？", "国内生产总值增长8%左右。", True),  # no unit asked: any figure
    ("并轨后单位交养老保险的费率是多少？", "2011年4月1日起自动转移至城镇职工基本养老保险。", False),  # a date is no rate
    ("并轨后单位交养老保险的费率是多少？", "单位按缴费基数的20%缴纳基本养老保险费。", True),
    ("到2020年城镇化率要达到多少？", "常住人口城镇化率达到56%。", True),
    ("规划人口规模是多少？", "蓝绿空间占比稳定在70%。", False),  # a share is not a population
    ("规划人口规模是多少？", "规划人口规模控制在250万人左右。", True),
    ("2020年目标是多少人落户？", "努力实现1100万左右农业转移人口在城镇落户。", True),
    ("2020年目标是多少人落户？", "到2020年基本建立新型户籍制度。", False),
    # things counted, with the word that counts them (几家 counted as 一所)
    ("法律法规栏目一共收录了多少部法律？", "收集整理了现行的主要法律、2000年以来的行政法规。", False),
    ("法律法规栏目一共收录了多少部法律？", "栏目共收录现行法律230部。", True),
    ("今年要开工建设多少套保障性住房？", "今年要再开工建设保障性住房共1000万套。", True),
    ("转院一次能转几家？", "一次转院的医疗机构原则上限一所。", True),
    ("当年农村危房改造任务是多少万户？", "今年城镇保障性住房新开工630万套，继续推进农村危房改造。", False),
    ("当年农村危房改造任务是多少万户？", "改造农村危房150万户。", True),
    ("翻两番以后要达到多少万亿元？", "国内生产总值到二０二０年力争比二０００年翻两番。", False),
    # a day asked: a day of a month, or one named by its place, not a month or a year alone
    ("艺体特长生专业测试具体哪天考？", "专业测试于2016年5月组织。", False),
    ("艺体特长生专业测试具体哪天考？", "专业测试定于5月14日进行。", True),
    ("决议是哪天通过的？", "第十二届全国人民代表大会第一次会议批准这个报告。", False),
    ("规则从哪天开始实行？", "本规则自发布之日起施行。", True),
    ("几号开始报名？", "6月1号至6月5号报名。", True),
    # a score, hours, tons, mu, a multiple
    ("积分入户要攒够多少分才能落户？", "每年的4月30日为确定积分排名的截止日期。", False),
    ("积分入户要攒够多少分才能落户？", "积分达到140分的，可以申请落户。", True),
    ("录取最低控制分数线是多少分？", "分文科类、理科类确定各批次最低控制分数线。", False),
    ("窗口每天办公几个小时？", "窗口实行每周5天工作制。", False),
    ("窗口每天办公几个小时？", "窗口每天办公8小时。", True),
    ("窗口每天办公几个小时？", "窗口每天上午八时至十二时办公。", True),
    ("粮食产量要达到多少万吨？", "粮食产量保持在1.2万吨以上。", True),
    ("粮食产量要达到多少万吨？", "粮食产量稳定增长5%。", False),
    ("要新增多少亩耕地？", "新增耕地2万亩。", True),
    ("要新增多少亩耕地？", "新增耕地面积逐年提高。", False),
    ("人均收入要翻几倍？", "城乡居民人均收入比2010年翻一番。", True),
    ("人均收入要翻几倍？", "城乡居民人均收入增长7.5%。", False),
    ("设立了多少分公司？", "设立了12家分公司。", True),  # 分公司 asks no score
    # a 文号 or a metro line is no day
    ("决议是哪天通过的？", "依据国发〔2016〕3号文件通过。", False),
    ("地铁几号线通到机场？", "地铁1号线通到机场。", True),
])
def test_a_figure_is_asked_in_a_unit(question: str, answer: str, fits: bool) -> None:
    import re

    from wenyuan.clean import fold

    unit = analyse(question).unit
    assert (not unit or bool(re.search(unit, fold(answer)))) == fits


@pytest.mark.parametrize(("question", "count"), [
    ("十八大报告讲美丽中国、生态文明这块，具体部署了哪四方面工作？", 4),  # not 八 of 十八大
    ("把综合保税区打造成哪五个中心？", 5),
    ("个税专项附加扣除具体是哪6项？", 6),
    ("组织领导方面提了哪几条要求？", None),
    ("“两个维护”指什么？", None),  # not a list question
])
def test_how_many_items_a_list_question_expects(question: str, count: int | None) -> None:
    assert analyse(question).count == count


def test_words_that_ask_for_a_share_or_a_size_are_not_terms() -> None:
    terms = analyse("租4级地段的公租房，房租能少交百分之几？").terms + analyse("两口之家能选多大面积的房子？").terms
    assert not {"百分之几", "大面积", "多大面积"} & set(terms)


@pytest.mark.parametrize(("question", "word"), [
    ("修订说明里，“2+N”的“2”指的是什么？", "2"),
    ("经济解困房是指什么？", "经济解困房"),
    ("什么是“四下基层”？", "四下基层"),
    ("积分是什么意思？", "积分"),
    ("政策梳理里的随迁子女具体指哪些人？", "随迁子女"),
    ("今年的目标是什么？", ""),
])
def test_the_word_whose_meaning_is_asked(question: str, word: str) -> None:
    assert analyse(question).defined == word


@pytest.mark.parametrize(("term", "text", "holds"), [
    ("报备", "自公布之日起15日内报送备案", True),  # 报送 + 备案
    ("环保", "加强环境保护工作", True),
    ("租房", "承租租赁住房的家庭", True),  # 租赁 + 住房: the first of one, the last of the other
    ("地带", "包括喜马拉雅地震带及新疆西部地区", False),  # 地震带 is one word, not 地… + 带…
    ("县城", "重点提高县及县以下城镇的综合承载能力", False),
])
def test_a_two_character_word_is_held_by_the_two_words_it_abbreviates(term: str, text: str, holds: bool) -> None:
    from wenyuan.answer.gate import held

    assert held(analyse("这是什么？"), term, text) == holds


def test_a_word_in_quotation_marks_is_still_the_word() -> None:
    from wenyuan.answer.gate import held

    query = analyse("哪些情况可以申请改名字？")
    assert held(query, "改名字", "本市居民符合下列情形之一的，可以变更“姓名”：")
    assert not held(query, "改名字", "本市居民可以变更户口登记项目")


@pytest.mark.parametrize(("question", "head"), [
    ("郑州廉租房申请，区廉租办初审要多少个工作日？", "初审"),
    ("国务院常务会议一般多久开一次？", ""),  # 开 is one character, 一次 a count
    ("组织领导方面提了哪几条要求？", ""),  # 要求: what any list is
])
def test_the_word_that_heads_what_is_asked(question: str, head: str) -> None:
    from wenyuan.answer.gate import asked_head

    assert asked_head(analyse(question)) == head


@pytest.mark.parametrize(("question", "asks"), [
    ("本办法从哪天起施行？", True),
    ("本规定的有效期到什么时候？", True),
    ("《户口迁移证》的有效期是多少天？", False),  # how long a paper lasts, not when the document is in force
    ("东莞企业自评人才入户这个细则管到哪年？", True),  # 管到: how people ask until when a rule holds
    ("这个办法什么时候到期？", True),
])
def test_a_question_about_when_a_document_is_in_force(question: str, asks: bool) -> None:
    from wenyuan.answer.facts import asks_in_force

    assert asks_in_force(analyse(question)) == asks


@pytest.mark.parametrize(("question", "term", "text"), [
    ("公租房申请的收入上限分别是多少？", "上限", "单身人士月收入不高于2000元"),  # a limit is the bound the rule writes
    ("申请人年龄下限是多少？", "下限", "申请人应当年满18周岁，月收入不低于最低工资标准"),
])
def test_a_limit_asked_is_held_by_the_bound_written(question: str, term: str, text: str) -> None:
    from wenyuan.answer.gate import held

    assert held(analyse(question), term, text)


def test_the_forms_of_a_word_no_passage_writes_stand_in_for_it() -> None:
    """医药费 and 不给付 are how people say it; no passage writes them, so their forms (医疗费用, 不予支付) count as
    much as a word asked, where the forms of a word the passages do write only add a little."""
    from wenyuan import lexical
    from wenyuan.retrieve import _asked_and_other

    passage = set(lexical.tokenize("基本医疗保险基金不予支付下列医疗费用", "words"))

    def scores(tokens: list[str]) -> np.ndarray:
        return np.array([float(sum(token in passage for token in tokens))])

    query = analyse("哪些情况的医药费医保基金不给付？")
    everyday = {"医药费", "不给付"}
    standing_in = _asked_and_other(query, "words", scores, lambda term: term not in everyday)[0]
    added = _asked_and_other(query, "words", scores, lambda term: True)[0]
    assert standing_in > added > scores(lexical.tokenize(query.text, "words"))[0]


def test_a_measure_before_is_ends_its_word() -> None:
    """公示期是几天: jieba reads 公示 | 期是; the figure asked is the 公示期's, which the gate then looks for."""
    from wenyuan.answer.gate import asked_head

    query = analyse("竣工环保验收的公示期是几天？")
    assert "公示期" in query.terms and asked_head(query) == "公示期"
    assert "医保费" not in analyse("个人医保费按工资的多少比例交？").terms  # only before 是 …


def test_a_question_word_glued_to_its_neighbours_is_no_term() -> None:
    """一套保障面积按多大来控制: jieba may read 按多大来 as one token; no passage writes it."""
    terms = analyse("一套保障面积按多大来控制？").terms
    assert not any("多大" in term for term in terms) and {"面积", "控制"} <= set(terms)


def test_how_many_events_are_asked_is_not_what_they_are_about() -> None:
    from wenyuan.answer.gate import _telling

    assert not _telling("三起", lambda _: True)  # 山西连着出了三起煤矿瓦斯爆炸，是哪三个矿？
    assert _telling("煤矿", lambda _: True)


def test_how_the_asker_speaks_is_not_what_is_asked() -> None:
    """我家, 还要, 暂时: words of no content that a passage need not hold; 每月 is the unit a figure is per, 节假日 a
    thing asked about."""
    from wenyuan.answer.gate import slot_terms
    from wenyuan.lexical import is_function_word

    query = analyse("海南省的规范性文件在发布之前，除了主要负责人签署，还要经过谁这一道？")
    slot = slot_terms(query, {term: 1.0 for term in query.terms}, card="")
    assert slot and not {"还要", "经过", "除了"} & set(slot)
    query = analyse("我家老人急诊抢救留观，第5天没抢救过来，这几天的医疗费统筹基金给报吗？")
    assert "我家" not in slot_terms(query, {term: 1.0 for term in query.terms}, card="")

    assert all(is_function_word(word) for word in ("我家", "暂时", "还要", "自己"))
    assert not any(is_function_word(word) for word in ("每月", "每人", "节假日", "颜色", "签署", "过期"))
    assert is_function_word("之前") and not any(is_function_word(word) for word in ("东部", "周边", "期间"))


def test_a_lexicon_phrase_inside_another_word_is_not_that_phrase() -> None:
    """交多少 (缴费标准 …) is asked in 每年要交多少, not in 各需提交多少份, where jieba reads 需提交 | 多少; a phrase
    inside one word of jieba's (人大常委会 in 全国人大常委会) is still the phrase."""
    assert "交多少" in analyse("城乡居民养老保险每年要交多少？").alternatives
    assert "交多少" not in analyse("备案报告和正式文本各需提交多少份？").terms
    assert any("常务委员会" in form for forms in analyse("全国人大常委会什么时候通过的？").alternatives.values()
               for form in forms)


def test_each_of_several_is_asked_by_its_words_not_by_those_of_every_unit() -> None:
    from wenyuan.answer.extractive import _ASKS_EACH

    assert _ASKS_EACH.search("单人户、两人户分别能申请什么样的房子？") and _ASKS_EACH.search("各需提交几份？")
    assert not _ASKS_EACH.search("各有关部门要做好哪些工作？") and not _ASKS_EACH.search("市场各要素有哪些？")


def test_a_passage_that_leads_into_numbered_items_is_told_from_one_that_gives_a_decimal() -> None:
    from wenyuan.retrieve import _LIST_LED

    assert _LIST_LED.search("申请家庭应同时具备以下条件：\n（一）本市户口") and _LIST_LED.search("要求如下：1.按时申报")
    assert not _LIST_LED.search("补贴标准为：1.5万元")


@pytest.mark.parametrize(("question", "quoted", "held"), [
    ("职业年金单位和个人的缴费比例各是多少？", "单位按本单位工资总额的8%缴纳，个人按本人缴费工资的4%缴纳。", True),
    ("职业年金单位和个人的缴费比例各是多少？", "单位和个人共同缴纳职业年金费用。", False),  # no share given
    ("职业年金单位和个人的缴费比例各是多少？", "个人缴费按本人缴费工资的百分之四计算。", True),
    ("应急救援专用号牌是什么颜色？", "应急救援专用号牌为红色。", True),
    ("应急救援专用号牌是什么颜色？", "应急救援专用号牌由公安机关核发。", False),
    ("补贴金额是多少？", "每户补贴2000元。", True),
    ("规范性文件定期清理的时间怎么定？", "规范性文件每隔2年清理一次。", True),
])
def test_a_word_that_names_the_kind_of_answer_is_held_by_an_answer_of_that_kind(question, quoted, held) -> None:
    """比例 asked is held by 8%, 颜色 by 红色, 金额 by 2000元: the answer, not the word, is what a passage writes."""
    from wenyuan.answer.gate import slot_share, slot_terms

    query = analyse(question)
    weight = {term: 1.0 for term in query.terms}
    kind = next(word for word in ("比例", "颜色", "金额", "时间") if word in question)
    assert kind in slot_terms(query, weight, card="")
    others = [term for term in slot_terms(query, weight, card="") if term != kind]
    context = fold(quoted + " " + " ".join(others))  # every other asked word held: the kind word decides
    assert (slot_share(query, weight, "", context) == 1.0) is held


@pytest.mark.parametrize(("question", "said", "unnamed"), [
    ("2013年政府工作报告定的今年新增人民币贷款目标是多少？", "国内生产总值增长7.8%，城镇新增就业1266万人。", True),
    ("2013年政府工作报告定的今年新增人民币贷款目标是多少？", "新增人民币贷款8.2万亿元。", False),
    ("验收公示期是几天？", "自投入试生产之日起3个月内申请验收。", True),
    ("验收公示期是几天？", "验收结果公示7天。", False),  # 公示 holds 公示期
    ("法制机构的审查期限是多少？", "法制机构应当在15个工作日内审查完毕。", False),  # 期限: any span of days says it
    ("新建廉租住房每套的面积是多少？", "新建廉租住房每套控制在50平方米以内。", False),  # 平方米 names the 面积
    ("参加考试的人数是多少？", "本次考试共有3000人参加。", False),  # 3000人 is the 人数
])
def test_a_figure_of_a_measure_asked_needs_the_measure_named(question: str, said: str, unnamed: bool) -> None:
    """贷款目标 asked, and the year's targets of growth and prices quoted: the figure of another measure."""
    from wenyuan.answer.extractive import _measure_unnamed

    assert _measure_unnamed(analyse(question), fold(said)) is unnamed


@pytest.mark.parametrize(("question", "said", "unanswered"), [
    ("过渡性养老金每一年视同缴费年限按多少比例计发？", "再依据视同缴费年限长短发给过渡性养老金。", True),
    ("过渡性养老金每一年视同缴费年限按多少比例计发？", "每满1年按1.4%计发过渡性养老金。", False),
    ("装饰条是什么颜色？", "车身两侧及车辆尾部涂装装饰条。", True),
    ("专用号牌是什么颜色？", "专用号牌为白底红字。", False),
    ("国务院全体会议一般多长时间召开一次？", "国务院全体会议一般每半年召开一次。", False),
    ("缴费比例是多少？", "缴费比例由市人民政府另行规定。", True),  # a figure asked: naming the 比例 gives none
    ("缴费年限按什么比例折算？", "按本人选择的缴费比例，一次性缴纳15年的养老保险费。", True),
    ("缴费年限按什么比例折算？", "缴费年限按1:1折算为城镇职工缴费年限。", False),  # 1:1 is a share
    ("新增人民币贷款金额是多少？", "今年新增人民币贷款8.2万亿元。", False),  # 万亿元: an amount
    ("享受待遇的时间是怎么规定的？", "城乡居民医保待遇从出生之日起享受。", False),  # 之日起: a time
    ("最低缴费的年限是多少？", "本办法自2019年1月1日起施行。", True),  # a date's year is no 年限
    ("缴费比例是多少？", "全市统一成立医疗保险经办机构。", True),  # 统一成立 is no 一成
    ("公务员占人口的比例有什么说法？", "公务员比例应当保持合理。", False),  # what is asked is the 说法, not the 比例
])
def test_a_kind_of_answer_asked_is_given_or_named(question: str, said: str, unanswered: bool) -> None:
    from wenyuan.answer.gate import kind_unanswered

    quoted = fold(said)
    assert kind_unanswered(analyse(question), quoted, quoted) is unanswered
