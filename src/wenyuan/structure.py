"""What a document is, read from its own words: title, subtitle, 文号, issuing body, date, year and kind.

A 公文 (GB/T 9704) opens with a red header (发文机关标志, "XX市人民政府文件"), a 文号 and the title, and closes with
the 落款 (issuing body) and the date; a report or speech has a title line, often a subtitle
("——2013年3月5日在第十二届全国人民代表大会第一次会议上") and a salutation ("各位代表："). Web pages saved as documents
add furniture (URLs, 发布时间, 来源, 窗体顶端) that is never the title. Pure functions over the cleaned lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wenyuan.clean import (
    ATTACHMENT_LINE,
    DASHES,
    DATE_LINE,
    DOC_NUMBER,
    REGISTRATION_NUMBER,
    chinese_number,
    fold,
    heading_level,
)

# The kinds of document users ask about, by the word that ends their title (longest first where one contains another).
KINDS = (
    "指导意见", "实施意见", "实施方案", "工作方案", "实施细则", "实施办法", "管理办法", "暂行办法", "若干意见",
    "通知", "意见", "方案", "报告", "讲话", "办法", "规定", "条例", "决定", "批复", "复函", "函", "细则", "规划",
    "纲要", "决议", "公告", "通告", "通报", "答复", "规则", "指南", "要点", "总结", "汇编", "清单", "令",
)
_KIND_AT_END = re.compile(
    "(" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")(?:[（(][^）)]{1,12}[）)])?(?:\d{4})?$"
)
_ORGAN = r"(?:人民政府|办公厅|办公室|委员会|常委会|国务院|政府|[部厅局委署院社会]|中心|党委|党组|政协|总队|支队|法院|检察院)"
_RED_HEADER = re.compile(rf"^(?P<issuer>.{{2,30}}?{_ORGAN}(?:[、，,].{{2,20}}?{_ORGAN})*)\s*(?:文件|公告|通告|令)$")
_ISSUER_LINE = re.compile(rf"^[\u4e00-\u9fff、（）()]{{2,40}}{_ORGAN}$")
_ISSUER_IN_TITLE = re.compile(rf"^(?P<issuer>[\u4e00-\u9fff、，,]{{2,40}}?{_ORGAN})(?:关于|对|转发|印发)")
_SUBTITLE = re.compile(rf"^(?:[{DASHES}-]{{1,3}}\s*(?=.{{0,40}}\d{{4}}\s*年)|[（(]\s*(?=\d{{4}}\s*年))")
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[年./-]\s*(?P<m>\d{1,2})\s*[月./-]\s*(?:(?P<d>\d{1,2})\s*日?)?")
_CN_DATE = re.compile(r"(?P<y>[零〇○o0一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?:(?P<d>[一二三四五六七八九十]{1,3})日)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DATE_WORDS = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_FURNITURE = re.compile(
    r"https?://|www\.|^(?:发布时间|发布日期|来源|信息来源|作者|点击|浏览|字号|【字体|打印|关闭)|窗体[顶底]端|"
    r"^签发人|^(?:索引号|主题分类|发文机关|成文日期|发布机构)[:：]|\||首页|简体|繁体"
)
_DECREE = re.compile(r"^(?:.{2,24}?(?:令\s*)?)?[（(]?第\s*[\d一二三四五六七八九十百零]+\s*号(?:令)?[）)]?$")  # 国务院令第706号: a 文号 of its own
# a decree's number where the title comes first: 河北省人民政府令 / 〔2010〕第14号, （2010年1月19日上海市人民政府令第26号公布）,
# （2009年11月27日市政府第202号令发布）
DECREE = r"令(?:〔\d{4}〕)?第\d+号|第\d+号令"  # a decree's number: 国务院令第322号, 令〔2010〕第14号, 市政府第202号令
_DECREE_NUMBER = re.compile(rf"[\u4e00-\u9fff]{{2,24}}?(?:{DECREE})")
_DECREE_NOTE = re.compile(rf"[（(][^（）()]{{0,40}}(?:{DECREE})(?:公布|发布|颁布)[）)]")
_DECREE_NOTE_MAX = 60
# 现公布《规章制定程序条例》…, 《北京市基本医疗保险规定》已经…常务会议通过，现予发布。
_PROMULGATED = re.compile(r"^现(?:予)?公布《([^》]{4,60})》|^《([^》]{4,60})》.{0,80}现予(?:以)?(?:公布|发布)")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零\d]+[编章节条編節條]")
_LABEL = re.compile(r"^(?:【[^】]{1,6}】|(?:文件名称|标题|名称)[:：]\s*|\[[^\]]{1,6}\])+\s*")
_ENCLOSED = re.compile(r"^[（(].*[）)]$")
# 第十一届全国人民代表大会第三次会议 (2010), 中国共产党第十八次全国代表大会 (2012): the year follows from the ordinals
_SESSION = re.compile(r"第([一二三四五六七八九十]{1,3})届全国(?:人民代表大会|委员会)第([一二三四五六七八九十]{1,2})次(?:全体)?会议")
_PARTY_CONGRESS = re.compile(r"中国共产党第([一二三四五六七八九十]{1,3})次全国代表大会")
_SALUTATION = re.compile(r"[:：]$")
_TITLE_MAX = 80
_HEAD_LINES = 12
_TAIL_LINES = 10


@dataclass(frozen=True, slots=True)
class Description:
    """A document's identity as its text states it (empty where it does not)."""

    title: str
    subtitle: str = ""
    number: str = ""
    issuer: str = ""
    date: str = ""  # ISO: yyyy-mm-dd, or yyyy-mm when the day is not given
    year: int | None = None
    kind: str = ""


def describe(lines: list[str], fallback_title: str) -> Description:
    """Title, subtitle, 文号, issuer, date, year and kind from a document's cleaned lines (file name as fallback)."""
    head = [line.strip() for line in lines[:_HEAD_LINES]]
    number = _number(head)
    red_issuer = ""
    title_index = None
    run_start, last_candidate = None, -2  # the consecutive lines the title may be spread over
    for index, line in enumerate(head):
        line = head[index] = _LABEL.sub("", line.split("\n")[0]).lstrip("#").strip()
        if _DECREE.match(line):  # 国务院令第706号, or 第706号 under a 中华人民共和国国务院令 line
            before = head[index - 1] if index else ""
            number = number or re.sub(r"\s+", "", (before if before.endswith("令") else "") + line)
            continue
        if not line or _FURNITURE.search(line) or DOC_NUMBER.fullmatch(line) or DATE_LINE.match(line) \
                or REGISTRATION_NUMBER.match(line) or ATTACHMENT_LINE.match(line):
            continue
        red = _RED_HEADER.match(line)
        if red and index < 4:
            red_issuer = red.group("issuer")
            continue
        if _SALUTATION.search(line) or len(line) > _TITLE_MAX or re.search("[。；，,！？]", line):
            if title_index is not None or line[-1] in "。；！？":
                break  # the body has begun
            continue
        if heading_level(line) not in (None, 1) or _ARTICLE.match(line):
            break
        if _ENCLOSED.match(line):
            continue  # （2011年12月28日…通过）: a note on the title, not the title
        if run_start is None or index != last_candidate + 1:
            run_start = index  # a skipped line (文号, date, red header) between two lines parts them
        last_candidate = index
        if title_index is None or (_KIND_AT_END.search(line) and not _KIND_AT_END.search(head[title_index])):
            previous = title_index
            title_index = index
            if previous is not None and previous == run_start and len("".join(head[previous:index + 1])) <= _TITLE_MAX:
                head[index] = "".join(head[previous : index + 1])  # 重庆市人民政府关于 / 印发…管理 / 暂行办法的通知
        if _KIND_AT_END.search(line):
            break
    title = head[title_index] if title_index is not None else ""
    if not title or (number and re.fullmatch(rf"[\u4e00-\u9fff]{{2,24}}?{_ORGAN}", title)):
        # a decree that opens with its number and its issuer's name: "现公布《规章制定程序条例》，自…起施行。" names it
        promulgated = next((m for line in head if (m := _PROMULGATED.search(line))), None)
        title = next(filter(None, promulgated.groups()), "") if promulgated else title
    if title and title_index is not None and not _KIND_AT_END.search(title):
        following = head[title_index + 1] if title_index + 1 < len(head) else ""
        if following and len(title) + len(following) <= _TITLE_MAX and _KIND_AT_END.search(following) \
                and following[-1] not in "。；：:":
            title += following  # a title broken over two lines
    if len(title.strip("—－-《》 ")) < 5 or title in KINDS:  # "实施意见" alone, a dash: not a title
        title = ""
    title = title or fallback_title.strip()
    number = number or _decree([line.strip() for line in lines[:_HEAD_LINES]])
    subtitle = _subtitle(head, title)
    date = _date_in(subtitle) or _closing_date(lines) or _opening_date(head)
    issuer = red_issuer or _closing_issuer(lines) or _issuer_in_title(title) or _decree_issuer(number)
    year = (int(date[:4]) if date else None) or _session_year(title + subtitle + fallback_title) \
        or _first_year(title) or _first_year(fallback_title) or _first_year(number)
    kind_match = _KIND_AT_END.search(title) or _KIND_AT_END.search(fallback_title)
    kind = kind_match.group(1) if kind_match else ""
    return Description(title, subtitle, number, issuer, date, year, kind)


def _number(head: list[str]) -> str:
    for line in head:
        found = DOC_NUMBER.search(line)
        if found and len(line) <= len(found.group(0)) + 6:
            return re.sub(r"\s+", "", found.group(0))
    return ""


def _decree(head: list[str]) -> str:
    """A decree's number written on its own line or in a note near the top (not a body sentence that cites one)."""
    for index, line in enumerate(head):
        if line.endswith("令") and index + 1 < len(head):
            line += head[index + 1]  # 河北省人民政府令 / 〔2010〕第14号
        words = re.sub(r"\s+", "", line)
        note = _DECREE_NOTE.search(words)
        if note:  # a note under the title, or in a web page's one line: （…令第26号公布）
            found = _DECREE_NUMBER.search(_DATE_WORDS.sub("", note.group(0)))
        else:
            found = _DECREE_NUMBER.fullmatch(words) if len(words) <= _DECREE_NOTE_MAX else None
        if found:
            return found.group(0)
    return ""


def _decree_issuer(number: str) -> str:
    """The body a decree's number names (河北省人民政府令〔2010〕第14号 → 河北省人民政府); none for 市政府第202号令."""
    found = re.match(rf"^([\u4e00-\u9fff]{{2,24}}?{_ORGAN})令", number)
    return found.group(1) if found and not found.group(1).startswith(("市", "省", "区", "县")) else ""


def _subtitle(head: list[str], title: str) -> str:
    try:
        start = head.index(title) + 1
    except ValueError:
        start = 0
    for line in head[start : start + 3]:
        if line and _SUBTITLE.match(line) and len(line) <= _TITLE_MAX:
            return line
    return ""


def _date_in(text: str) -> str:
    if not text:
        return ""
    found = _DATE.search(fold(text))
    if found:
        return _iso(int(found["y"]), int(found["m"]), int(found["d"]) if found["d"] else None)
    found = _CN_DATE.search(text)
    if found:
        year = int("".join(str(chinese_number(ch) or 0) for ch in found["y"]))
        day = chinese_number(found["d"]) if found["d"] else None
        return _iso(year, chinese_number(found["m"]) or 0, day)
    return ""


def _iso(year: int, month: int, day: int | None) -> str:
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _closing_date(lines: list[str]) -> str:
    """The 落款 date: a line of its own near the end."""
    for line in reversed([line.strip() for line in lines[-_TAIL_LINES:]]):
        if DATE_LINE.match(line):
            return _date_in(line)
    return ""


def _opening_date(head: list[str]) -> str:
    """A date line of its own near the top (a law's 公布 date, a web page's 发布时间)."""
    for line in head:
        if DATE_LINE.match(line) or line.startswith(("发布时间", "发布日期", "成文日期")):
            found = _date_in(line)
            if found:
                return found
    return ""


def _closing_issuer(lines: list[str]) -> str:
    """The 落款: the issuing body's line just above the closing date."""
    tail = [line.strip() for line in lines[-_TAIL_LINES:] if line.strip()]
    for index in range(len(tail) - 1, 0, -1):
        if DATE_LINE.match(tail[index]) and _ISSUER_LINE.match(tail[index - 1]):
            return tail[index - 1]
    return ""


def _issuer_in_title(title: str) -> str:
    found = _ISSUER_IN_TITLE.match(title)
    return found.group("issuer") if found else ""


def _session_year(text: str) -> int | None:
    """The year of a numbered NPC or CPPCC session (sessions yearly, terms of five years since 1983's sixth) or
    of a Party congress (every five years since 1982's twelfth)."""
    session = _SESSION.search(text)
    if session:
        term, sitting = chinese_number(session.group(1)), chinese_number(session.group(2))
        if term and sitting and term >= 6:
            return 1983 + 5 * (term - 6) + sitting - 1
    congress = _PARTY_CONGRESS.search(text)
    if congress:
        ordinal = chinese_number(congress.group(1))
        if ordinal and ordinal >= 12:
            return 1982 + 5 * (ordinal - 12)
    return None


def _first_year(text: str) -> int | None:
    found = _YEAR.search(fold(text or ""))
    return int(found.group(1)) if found else None


_WRAPPED = re.compile(r"(?:^|印发|转发|发布|颁布|公布|实施)《([^》]{4,})》")  # not 关于落实《…》有关问题: another document
_NAME_MIN = 6


# the region a name opens with: 四川省…, 杭州市…, 广西壮族自治区…, 南京市高淳区… (after 关于印发《 or 中共 when there)
_PLACE = re.compile(r"^(?:[a-z]{1,4}-)?(?:关于印发《|中共)?(?:\d{4}年?)?([\u4e00-\u9fff]{2,3}?)(?:壮族|回族|维吾尔)?(?:省|市|自治区)"
                    r"(?:([\u4e00-\u9fff]{2,3}?)[区县])?")
_PLACE_WORD = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(?:壮族|回族|维吾尔)?(?:省|市|自治区)(?=[\u4e00-\u9fff]{6})")
_NOT_A_PLACE = frozenset({"中国", "全国", "本市", "本省", "我市", "我省", "城市", "各省", "各市", "直辖"})
# the kinds of zone a name ending in 区 may be (经济技术开发区, 综合保税区), not a district
ZONES = "开发|试验|保税|自贸|功能|示范|集聚|风景|高新"
# a city written without 市 before its district: 2016成都新都区…, 南京建邺区… (not 综合保税区, 经济开发区)
_CITY_DISTRICT = re.compile(r"^(?:[a-z]{1,4}-)?(?:\d{4}年?)?(?!年)([\u4e00-\u9fff]{2})"
                            rf"(?!{ZONES}|自治|经济|综合|产业|工业)([\u4e00-\u9fff]{{2}})[区县]")


def places(*names: str) -> set[str]:
    """The regions documents' names open with, folded (四川 for 四川省行政规范性文件制定和备案规定; 南京 and 高淳 for
    南京市高淳区2016年…方案): a question that names one asks about that region's documents."""
    found = set()
    for name in names:
        words = fold(name).replace(" ", "")
        match = _PLACE.match(words) or _CITY_DISTRICT.match(words)
        if match:
            found |= {place for place in match.groups() if place and place not in _NOT_A_PLACE}
    return found


def names(title: str, path: str) -> set[str]:
    """The names a question may call a document by, folded: its title, the 《…》 title it issues, its file name."""
    title = fold(title).replace(" ", "")
    stem = fold(path.rsplit("/", 1)[-1].rsplit(".", 1)[0]).replace(" ", "")
    found = {title, stem, re.sub(r"^[a-z]{1,4}-", "", stem)}
    # 规章制定程序条例-国务院: the part of a file name that is a document's name (it ends in a kind), without the issuer
    found |= {part for part in re.split(r"[-_—]+", stem) if _KIND_AT_END.search(part)}
    for inner in _WRAPPED.finditer(title):
        found.add(inner.group(1))
    found |= {name.removeprefix("中华人民共和国").removeprefix("中国") for name in found}
    # 北京基本医疗保险规定 for 北京市基本医疗保险规定: the name as people say it, without 市 (省, 自治区) after the place
    found |= {place.group(1) + name[place.end() :] for name in list(found) if (place := _PLACE_WORD.match(name))
              and place.group(1) not in _NOT_A_PLACE}
    return {name for name in found if len(name) >= _NAME_MIN and not name.isascii()}
