"""Question analysis: what shape of answer a question wants, what it asks about, and which document it names.

A pure function of the question (and the definitions documents give themselves), with a table of examples as its
test. Everything downstream (routing, retrieval, composition, the refusal gate) reads the `Query`, never the raw
question again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from wenyuan import lexical
from wenyuan.clean import DOC_NUMBER, chinese_number, fold
from wenyuan.structure import KINDS

LIST = "list"
FIGURE = "figure"
DOC_NUMBER_SHAPE = "doc_number"
FACT = "fact"

_LIST_QUESTION = re.compile(
    r"有哪些|哪几(?![天日年月号])|哪些|几条|几项|几个方面|(?<![号时天日])几点|什么要求|哪些要求|要求是什么|要求有|任务是什么|目标任务|主要任务|重点任务|"
    r"措施|举措|怎么做|如何做|怎样做|主要内容|包括哪|包括什么|原则是什么|基本原则|分别是|哪[两三四五六七八九十]|哪\d{1,2}[个项条点类种]|"
    r"什么材料|什么手续|什么功能"
)
_FIGURE_QUESTION = re.compile(
    r"多少|几成|比例|比重|百分之几|增速|增长率|率是|率为|达到了|提升到|提高到|几天|几日|(?<!哪)几个(?!方面)|几家|几所|(?<!哪)几年|"
    r"几份|几次|几件|几张|几本|几门|几科|几倍|"
    r"何时|什么时候|哪天|哪一天|几月|几号|哪一年|哪年|日期|时间|期限|截至|金额|规模|数量|多长|多大|多久|几岁|第几"
)
# the unit a figure question asks its answer in, and how an answer writes it: "投资了多少钱" is not answered by "2016年年底"
_CN_DIGIT = "一二三四五六七八九十百千两"
_SAME_COUNT = {"家": "(?:家|所|个)", "所": "(?:所|家|个)"}  # 几家医院 counted as 一所
# a day asked (哪天通过, 几号开始) is answered by a day of a month or a day named by its place (当日, 次日, 发布之日), not
# by a year alone
DAY = rf"(?<![〕\]\d])\d{{1,2}}\s*[日号](?![常线])|[{_CN_DIGIT}]\s*[日号](?![常线])|当[日天]|次日|即日|翌日|之日"
# an amount of money as a passage writes it: 176元, 8.2万亿元, 三百元, 免收
MONEY = rf"[\d{_CN_DIGIT}]\s*(?:多)?(?:千|万|亿){{0,2}}\s*(?:元|美元)|免费|免收|不收"
ASKED_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"多少钱|多少元|几元|多少万元|多少(?:万)?亿|(?:金额|数额)(?:是|为)?多少|多少(?:金额|数额)|投资(?:了|额|总额)?(?:是|为|共|一共)?多少"),
     MONEY),
    (re.compile(r"多少人|几个人|多少名|几名|人口(?:规模|总量|数量|总数)?(?:是|为|要|将|达到|控制在){0,2}多少"),
     rf"[\d{_CN_DIGIT}]\s*(?:多)?(?:万|亿)?\s*(?:左右|余|多)?\s*(?:人|名)|"
     rf"[\d{_CN_DIGIT}]\s*(?:万|亿)\s*(?:左右|余|多)?[\u4e00-\u9fff]{{0,8}}?人口"),  # 1100万左右农业转移人口
    # a rate or a share asked (费率是多少, 城镇化率多少, 比例为多少): a percentage, 千分之…, 几成
    (re.compile(r"百分之几|百分之多少|多少%|百分比|(?:率|比例|比重)(?:是|为|要|将|应|达到|提高到|定为|控制在){0,2}(?:多少|几)"),
     rf"%|％|‰|百分之|千分之|[{_CN_DIGIT}]成"),
    (re.compile(r"多少平方米|多少平米|多大面积|面积(?:是|为|有)?多[少大]"), r"平方米|平米|㎡|公顷|亩"),
    (re.compile(r"多少公里|多少千米"), r"公里|千米"),
    (re.compile(r"多少(?:个)?小时|几(?:个)?小时"), rf"小时|[\d{_CN_DIGIT}]\s*时"),
    # a score (多少分, not 多少分钟, 几分之几, 多少分公司)
    (re.compile(r"(?:多少|几)分(?![钟之公局院支部厂行社队])|分数线(?:是|为)?多少"), r"\d\s*分(?![钟之])"),
    (re.compile(r"多少(?:万)?吨"), r"吨"),
    (re.compile(r"多少(?:万)?亩"), r"亩"),
    (re.compile(r"多少倍|几倍"), rf"倍|翻[{_CN_DIGIT}]?番"),
    (re.compile(r"(?<![这近前去])几个月|多少个月"), r"个月"),
    (re.compile(r"多少岁|几岁|年满多少"), r"岁"),
    (re.compile(r"(?<![哪这近前去])几年|多少年"), rf"(?<!\d)\d{{1,2}}\s*(?:个)?年|[{_CN_DIGIT}]+年|(?<![延增])长期(?!限)"),
    # days counted (公示期是几天, 多少个工作日, 多少日内), not a date (哪几天, 哪天): a count of days, not 12月1日
    (re.compile(r"(?<![哪这近前去])(?<!放假)几(?:个工作)?[天日]|多少(?:个工作|个)?[天日]"),
     rf"(?<![月\d])\d{{1,3}}\s*(?:个)?(?:工作)?[日天]|(?<![月{_CN_DIGIT}])[{_CN_DIGIT}]+(?:个)?(?:工作)?[日天]|当[日天]|即时"),
    (re.compile(r"哪天|哪一天|几号(?!线)|几月几[日号]|哪月哪日"), DAY),
    # a telephone number (咨询电话是多少)
    (re.compile(r"电话(?:号码)?(?:是|为)?多少|电话号码|联系电话|咨询电话"), r"\d{3,4}\s*[-－—]\s*\d{7,8}|(?<!\d)\d{7,8}(?!\d)|1\d{10}"),
    # things counted (收录了多少部法律, 多少家企业): that many of them, counted with the same word
    *((re.compile(rf"多少(?:万|亿)?{measure}|(?<![哪这近前去])几(?:万|亿)?{measure}"),
       rf"[\d{_CN_DIGIT}]\s*(?:多|余)?\s*(?:千|万|亿)?\s*(?:多|余)?\s*{_SAME_COUNT.get(measure, measure)}")
      for measure in "部家所件种批套台辆座户份篇届"),
)
# the 文号, or a decree's number: 第几号令, 哪号省政府令, 令号
_DOC_NUMBER_QUESTION = re.compile(r"文号|发文字号|文件编号|令号|(?:第几|哪)号[\u4e00-\u9fff]{0,6}?令")
_ASKING = re.compile(
    r"有哪些|有哪几[个项条点位种类]?|哪几[个项条点位种类]?|哪些|是什么|是多少|有什么|包括|分别|怎么|如何|怎样|几条|几项|几个方面|几点|"
    r"多少[钱人次天年元个]?(?:以内|之内|内)?|多长|多久|多大|多高|几天(?:以内|之内|内)?|几日(?:以内|之内|内)?|几年|几位|几个|哪[两三四五六七八九十]+[个项条点位种类大]?(?:方面)?|"
    r"什么时候|何时|哪天|哪一年|哪年|谁|哪个|哪一|是否|能否|可以|能不能|"
    r"为什么|百分之几|第几|几[批所份分类次号件张本门科倍岁成]|什么"  # 啥 is read as 什么 by normalise
)
_FOCUS_SPLIT = re.compile(r"[的，,、：:“”《》\s]")
# Words that say what kind of answer is wanted, not what it is about: a passage need not contain them.
QUESTION_FRAME = frozenset(
    "要求 措施 举措 内容 情况 工作 提 提了 提出 分 条 项 点 方面 哪几条 几条 几项 具体 怎么 如何 包括 主要 分别 几天 几年 几月 几个 几 到了 达到 "
    "阐述 论述 强调 指出 说明 明确 规定 采取 方式 可以 能 没有 有没有 是不是 倾向 什么样 定 打算 拟 安排 要 哪 里 中 文件 报告 "
    "当年 今年 一共 总共 共 大概 大约 最 最多 最少 最晚 最迟 最早 至少 需要 应该 应当 必须 哪天 时候 为止 之内 以内 以上 以下 时 后 前 能否 能不能 "
    "是否 算 按 对 给 让 被 得 里面 其中 哪里 哪儿 去 找 年 月 日 哪几个 哪几项 哪几条 一共有 都 还 什么 多少 几 这次 "
    "钱 位 人 次 天 岁 号 名 内 以后 之后 哪一年 哪年 几位 多少钱 多长 多久 多大 多高 一下 有关 相关 分别 各 是 有 除了 别的 "
    "列出 逐条 即可 请 分为 这块 这部分 百分之几 百分之多少 多大面积 大面积 几成 依次 多长时间 多少时间 多长期限 态度 当时 "
    "部分".split()
    # words of talk that say nothing of what is asked (这边, 东西, 才能, 一回: 多久才能转手卖, 要交哪几样东西)
    + "这边 那边 这里 那里 东西 一回 才能 还能 就能 才行 就行 行吗 可以吗 咱们 想问 想问下 问一下 问下 您好 你好 谢谢 "
    "麻烦 这些 那些 这种 那种 这样 就是 到底 究竟 要不要 会不会 行不行 咋办 咋样 怎么样 的话 然后 好像 听说 觉得 "
    "啥的 什么的 是从 要是 只有 由谁来 谁来 时要 段时间 哪段时间".split()
)
_TWO_DIGIT_YEAR = re.compile(r"(?<![\d.])(0\d|1\d|9\d)(?=年(?:的|度)?(?:政府|国务院|全国|中央|人大|两会|政协|工作|[^\d年]{0,4}(?:报告|决议|文件|通知|意见)))")
# 十八大, 党的二十大 (not the 十大 of 十大工程, nor the 十大 inside 二十大)
_CONGRESS = re.compile(r"(?<![一二三四五六七八九十\d])(?:党的)?(二十[一二三四五六七八九]?|十[一二三四五六七八九])大")
_NPC_SESSION = re.compile(r"第?([一二三四五六七八九十]{1,3})届全国(人大|政协)(?:第?([一二三四五六七八九十]{1,2})次(?:会议)?)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_KIND_WORDS = "|".join(sorted(KINDS, key=len, reverse=True))
# "2013年政府工作报告", "2010年人大关于政府工作报告的决议", "2016年的招生工作意见": a year that names a document of a kind
_YEAR_NAMED = re.compile(rf"((?:19|20)\d{{2}})年(?:度)?(?:的)?([^，。？?,;；\s]{{0,16}})({_KIND_WORDS})(?![单书表人者会期栏员稿])")
_YEAR_NAMED_SHORTEST = re.compile(_YEAR_NAMED.pattern.replace("{0,16})", "{0,16}?)"))
_CONGRESS_NAMED = re.compile(r"第([一二三四五六七八九十]{1,3})次全国代表大会")
_TITLE_QUOTE = re.compile(r"《([^》]{2,60})》")


@dataclass(frozen=True, slots=True)
class NamedDocument:
    """What a question says about the document it means: each part must hold for a document to be the one."""

    phrase: str  # the words that name it, as the user wrote them (normalised)
    year: int | None = None
    kind: str = ""  # the kind word the name ends with (报告, 决议, 通知 …)
    card_words: tuple[str, ...] = ()  # text the document's card must contain (第十八次全国代表大会, a 文号)
    strict: bool = True  # a named document that no document matches means the documents do not say
    fallback: NamedDocument | None = None  # a shorter reading of the same words, tried when none fits this one


@dataclass(frozen=True, slots=True)
class Query:
    """A question, analysed: its answer shape, its key terms and their other forms, and the documents it names."""

    asked: str
    text: str  # folded and normalised (08年 → 2008年, 十八大 → 第十八次全国代表大会 added)
    shape: str
    terms: tuple[str, ...]  # content words, question frame removed, in order
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # term -> other forms that also count
    focus: tuple[str, ...] = ()  # the asked slot: the words right before the question word
    asked_for: str = ""  # the same as written (主要任务), for matching headings
    years: tuple[int, ...] = ()
    named: tuple[NamedDocument, ...] = ()
    unit: str = ""  # what a figure answer must be counted in, when the question says (多少钱: 元): a pattern
    count: int | None = None  # how many items a list question says there are (哪四个方面: 4)
    defined: str = ""  # the word whose meaning is asked (“2”指的是什么, 什么是经济解困房): 2, 经济解困房

    @property
    def other_forms(self) -> str:
        """The other forms of the question's terms, which retrieval searches for too (with less weight)."""
        return " ".join(dict.fromkeys(form for forms in self.alternatives.values() for form in forms))

    def forms(self, term: str) -> tuple[str, ...]:
        """The term and its other forms, folded."""
        return (term, *self.alternatives.get(term, ()))


_LEXICONS = ("lexicon/aliases.txt", "lexicon/everyday.txt")


def lexicon_rows(name: str) -> list[str]:
    """The lines of a lexicon file of the package (lexicon/…txt) that say something: no blank or # comment line."""
    text = resources.files("wenyuan").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def lexicon_words_of(row: str) -> tuple[str, ...]:
    """The words of one lexicon row's part (A | B | C), folded."""
    return tuple(word for word in (fold(part.strip()) for part in row.split("|")) if word)


@lru_cache(maxsize=len(_LEXICONS))
def _lexicon_lines(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(short form, its long forms) of each line of a lexicon file, folded; each file read once."""
    found = []
    for line in lexicon_rows(name):
        short, _, longs = line.partition("=")
        found.append((fold(short.strip()), lexicon_words_of(longs)))
    return tuple(found)


@lru_cache(maxsize=1)
def aliases() -> dict[str, tuple[str, ...]]:
    """The curated lexicons (lexicon/aliases.txt, lexicon/everyday.txt), folded, both ways: a short form finds its
    long forms and back."""
    groups: dict[str, list[str]] = {}
    for name in _LEXICONS:
        for short, longs in _lexicon_lines(name):
            for long in longs:
                groups.setdefault(short, []).append(long)
                groups.setdefault(long, []).append(short)
    return {key: tuple(dict.fromkeys(values)) for key, values in groups.items()}


@lru_cache(maxsize=1)
def _taught() -> frozenset[str]:
    return frozenset(lexicon_words())


@lru_cache(maxsize=1)
def lexicon_words() -> tuple[str, ...]:
    """The words jieba is taught: both sides of aliases.txt (GDP, 国内生产总值), only the everyday side of
    everyday.txt (医药费, not 医疗费用: documents keep being segmented as they were)."""
    words = [word for short, longs in _lexicon_lines("lexicon/aliases.txt") for word in (short, *longs)]
    words += [short for short, _ in _lexicon_lines("lexicon/everyday.txt")]
    return tuple(dict.fromkeys(words))


def normalise(question: str) -> str:
    """The question folded, with 08年 → 2008年 (二〇〇八年 → 2008年 comes with `fold`)."""
    text = fold(question.strip()).replace("啥", "什么")  # 分别是啥: 啥 is 什么 said aloud
    text = _TWO_DIGIT_YEAR.sub(lambda m: ("19" if m.group(1)[0] == "9" else "20") + m.group(1), text)
    # 几天内报, 几天内要报: the 内 closes the time asked and 要 only says it must, neither begins a word (内报, 要报)
    text = re.sub(r"((?:几|多少)(?:个)?(?:工作)?[天日月年](?:以内|之内|内)|多久|多长时间)(要|应|须|需)?(?=[\u4e00-\u9fff])",
                  lambda m: f"{m.group(1)} {m.group(2) + ' ' if m.group(2) else ''}", text)
    # 分了哪几大部分, 几大类: 大 counts the parts, it makes no word (大部分) of what is asked
    text = re.sub(r"(哪几|几)大(?=部分|类|方面|板块|领域|任务)", r"\1", text)
    # 38号文 is 38号文件, the document the number names: the 文 is not a word of what is asked ("38号文在…上")
    return re.sub(rf"({DOC_NUMBER.pattern})文(?!件)", r"\1", text)


def _spelt_out(text: str) -> list[str]:
    """Full names of the congresses and sessions a question abbreviates (十八大 → 第十八次全国代表大会)."""
    names = []
    for match in _CONGRESS.finditer(text):
        names.append(f"第{match.group(1)}次全国代表大会")
    for match in _NPC_SESSION.finditer(text):
        body = "全国人民代表大会" if match.group(2) == "人大" else "全国委员会"
        sitting = f"第{match.group(3)}次会议" if match.group(3) else ""
        names.append(f"第{match.group(1)}届{body}{sitting}")
    return names


def _named_documents(text: str, spelt: list[str]) -> list[NamedDocument]:
    named: list[NamedDocument] = []
    for number in DOC_NUMBER.finditer(text):
        named.append(NamedDocument(number.group(0), card_words=(canonical_number(number.group(0)),)))
    for match in _YEAR_NAMED.finditer(text):
        year, kind = int(match.group(1)), match.group(3)
        if kind in ("方案", "规定") and not match.group(2):  # "2016年方案" is rare; "2016年规定的…" is not a name
            continue
        # the longest name first ("2010年人大关于政府工作报告的决议"); if no document fits it, the shortest
        # ("2019年政府工作报告" in "2019年政府工作报告关于减税的规定…")
        shortest = _YEAR_NAMED_SHORTEST.match(text, match.start())
        fallback = None
        if shortest and shortest.group(0) != match.group(0):
            fallback = NamedDocument(shortest.group(0), year=year, kind=shortest.group(3))
        named.append(NamedDocument(match.group(0), year=year, kind=kind, fallback=fallback))
    for name in spelt:
        congress = _CONGRESS_NAMED.fullmatch(name)
        if congress:
            # "十八大报告" names the report, and so does "十八大说…" (not the next congress's report, which recalls what
            # 十八大 set); "十八大提出的…" may mean any document of that congress, "十八大以来…" only a time
            report = re.search(rf"{congress.group(1)}大(?:的)?报告", text) is not None
            says = re.search(rf"{congress.group(1)}大(?:上|里)?(?:说|讲|提到)", text) is not None
            named.append(NamedDocument(name, card_words=(name,), kind="报告" if report else "", strict=report or says))
        elif "会议" in name:
            resolution = "决议" in text
            named.append(NamedDocument(name, card_words=(name,), kind="决议" if resolution else "", strict=resolution))
    for quoted in _TITLE_QUOTE.finditer(text):
        named.append(NamedDocument(quoted.group(0), card_words=(quoted.group(1),), strict=False))
    return named


_ASKING_INSIDE = re.compile(r"多大|多少|多久|多长|多高|几")
_QUESTION_WORD = re.compile(r"^(?:哪|什么|多少|几|怎|如何|是否|为何|为什么|第几|各是|各为|各有)")


def _standing_alone(phrase: str, text: str, words: tuple[tuple[int, int], ...]) -> bool:
    """Whether the text holds the phrase where one of jieba's `words` (spans) begins, or inside one word (人大常委会 in
    全国人大常委会); 交多少 is not in 各需提交多少份, which jieba reads 需提交 | 多少."""
    for found in re.finditer(re.escape(phrase), text):
        start, end = found.span()
        if any(start == a or a <= start and end <= b for a, b in words):
            return True
    return False


def _outermost(phrases: dict[str, list[str]]) -> list[str]:
    """The phrases found in the text that no longer found phrase contains."""
    kept: list[str] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        if not any(phrase in longer for longer in kept):
            kept.append(phrase)
    return kept


def _content(term: str) -> bool:
    """A word that says what the question is about: not a frame word, nor made only of frame words (最多能)."""
    if term in QUESTION_FRAME or term in lexical.STOPWORDS or _QUESTION_WORD.match(term):
        return False
    if _ASKING_INSIDE.search(term) and not lexical.is_word(term):
        return False  # 按多大来 (按多大来控制): a question word jieba glued to its neighbours, no word of a passage
    pieces = [p for p in lexical.words(term) if p != term]
    return not pieces or any(p not in QUESTION_FRAME and p not in lexical.STOPWORDS and len(p) >= 2 for p in pieces)


def canonical_number(number: str) -> str:
    """A 文号 in one form: 国办发[2019]6号, 国办发（2019）6号 and 国办发〔2019〕6号 are the same number."""
    folded = re.sub(r"\s+", "", fold(number))
    return re.sub(r"[\[［(（]((?:19|20)\d{2})[\]］)）]", r"〔\1〕", folded)


_CLAUSE_END = re.compile(r"[，,。？?！!；;]")
# Frame words that still say what a list is of when they stand where the asked thing stands (工作要求, 基本原则)
LIST_NOUNS = frozenset("要求 措施 举措 内容 任务 目标 原则 条件 工作 情况 材料 职责 程序 范围 对象 标准 方式 理由 原因 方面 途径 "
                       "事项".split())


def _focus_word(term: str) -> bool:
    return term in LIST_NOUNS or _content(term)


def asked_slot(text: str) -> tuple[str, tuple[str, ...]]:
    """What the question word asks for, as written and as terms: the words after it ("哪几个紧密结合" -> 紧密结合) or
    else the clause just before it ("…的目标任务是什么" -> 目标任务; "…的主要任务包括哪些方面" -> 主要任务)."""
    asked = _ASKING.search(text)
    if asked is None:
        return "", ()
    after = _CLAUSE_END.split(text[asked.end() :], maxsplit=1)[0].strip("？?。 ")
    if asked.group(0) == "什么" and "哪" in after:
        after = after[: after.find("哪")]  # 需要什么证件到哪个部门办理: 什么 asks of the words before the second ask
    following = [term for term in lexical.terms(after) if _focus_word(term)]
    if following:
        return after, tuple(following[:3])
    before = _FOCUS_SPLIT.split(text[: asked.start()])
    # the nearest words before it that say something ("…的主要体会，一共几条": 主要体会, not 一共)
    parts = [part.strip() for part in reversed(before) if part.strip()]
    for tail in parts:
        focus = tuple(term for term in lexical.terms(tail) if _focus_word(term))[-3:]
        if focus:
            return tail, focus
    return (parts[0] if parts else ""), ()


_YES_NO = re.compile(r"(?:吗|么|没有|是否|能否|能不能|可不可以|行不行|算不算)[？?。！!\s]*$")


def _yes_no_asked(text: str) -> str:
    """The clause a yes-or-no question asks (文件能发吗？ of "…过了期限一直没回书面意见，文件能发吗？"), or "": the
    words before it (过了期限) set the case; they do not make it a question about a figure."""
    if not _YES_NO.search(text):
        return ""
    clauses = [c for c in re.split(r"[，,；;：:]", text) if c.strip()]
    return clauses[-1] if clauses else ""


def analyse(question: str, definitions: dict[str, str] | None = None) -> Query:
    """Analyse a question; `definitions` are the documents' own short names (以下简称) mapped to their long forms."""
    text = normalise(question)
    spelt = _spelt_out(text)
    if _DOC_NUMBER_QUESTION.search(text):
        shape = DOC_NUMBER_SHAPE
    elif _LIST_QUESTION.search(asking := _yes_no_asked(text) or text):
        shape = LIST
    elif _FIGURE_QUESTION.search(asking):
        shape = FIGURE
    else:
        shape = FACT
    lexicon = aliases()
    alternatives: dict[str, tuple[str, ...]] = {}
    # names a document defines for itself (以下简称) stay whole terms, in both directions
    phrases: dict[str, list[str]] = {}
    for short, long in (definitions or {}).items():
        for said, other in ((short, long), (long, short)):
            if len(said) >= 3 and said in text:
                phrases.setdefault(said, []).append(other)
    taught = _taught()
    spans = lexical.word_spans(text)
    for phrase, forms in lexicon.items():  # multi-word entries jieba splits (人大常委会, 个人所得税专项附加扣除), not
        # the official forms of everyday.txt
        if len(phrase) >= 3 and phrase in text and phrase in taught and _standing_alone(phrase, text, spans):
            phrases.setdefault(phrase, []).extend(forms)
    kept = _outermost(phrases)
    # "第几号令", "文号" say what is asked of the document, not what a passage of it is about
    worded = _DOC_NUMBER_QUESTION.sub(" ", text) if shape == DOC_NUMBER_SHAPE else text
    words = [t for t in lexical.terms(worded) if _content(t) and not any(t in phrase for phrase in kept)]
    terms = tuple(sorted([*kept, *words], key=lambda t: text.find(t)))
    for term in terms:
        forms = [*lexicon.get(term, ()), *phrases.get(term, ())]
        if forms:
            alternatives[term] = tuple(dict.fromkeys(f for f in forms if f != term))
    for match, name in zip(_CONGRESS.finditer(text), spelt):
        alternatives[match.group(0).removeprefix("党的")] = (name,)
    years = tuple(dict.fromkeys(int(y) for y in _YEAR.findall(text)))
    asked_for, focus = asked_slot(text)
    return Query(
        asked=question,
        text=" ".join([text, *spelt]),
        shape=shape,
        terms=terms,
        alternatives=alternatives,
        focus=focus,
        asked_for=asked_for,
        years=years,
        named=tuple(_named_documents(text, spelt)),
        unit=next((said for asked, said in ASKED_UNITS if asked.search(text)), "") if shape == FIGURE else "",
        count=_asked_count(text) if shape == LIST else None,
        defined=defined_word(text),
    )


# the word whose meaning is asked: “2”指的是什么, 经济解困房是指什么, 什么是“四下基层”, 积分是什么意思
_DEFINED = re.compile(r"[“\"]([^”\"]{1,16})[”\"](?:是)?(?:指的是|是指|指)(?:什么|哪些|啥)|"
                      r"([^\s的里中，,。？?“”\"]{2,12}?)(?:指的是|是指|具体指)(?:什么|哪些|啥)|"
                      r"什么(?:是|叫)[“\"]?([^”\"？?，,]{2,16}?)[”\"]?[？?]?$|"
                      r"[“\"]?([^”\"，,]{2,12}?)[”\"]?是什么意思")


def defined_word(text: str) -> str:
    """The word a question asks the meaning of, or ""."""
    found = _DEFINED.search(text)
    return next(filter(None, found.groups()), "") if found else ""


# 哪四个方面, 四方面, 哪三条, 五项: how many items the question expects (not 十八大, 第三, 两会)
_COUNT_ASKED = re.compile(r"(?<![十第\d])([二三四五六七八九两]|1[0-2]|[2-9])(?:个|项|条|点|类|种|组|大|件)?(?=方面|项|条|点|类|种|组|件|个(?!人))")


def _asked_count(text: str) -> int | None:
    found = _COUNT_ASKED.search(text)
    if not found:
        return None
    said = found.group(1)
    return int(said) if said.isdigit() else chinese_number(said)
