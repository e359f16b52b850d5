"""任务分解: a document's requirements as a checklist of who does what by when, each row cited.

A row is an item the document's own structure sets out: a section at the 一、/（一）/1./（1） levels with no sections
under it, or an 一要…/一是… item. Its lead and participating units come from the responsibility the document writes
at the item's end (`（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）`); its deadline from the phrases
that set one (`2019年4月底前`, `到2022年`, `每年2月底前`). What the item does not say stays empty: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

from wenyuan.chunking import OUTLINE_LABEL, Structure
from wenyuan.clean import LEVEL_CN, LEVEL_ENUM
from wenyuan.types import Document, Heading

if TYPE_CHECKING:
    from wenyuan.index import Index

# （…负责）/（…牵头）/（…按职责分工负责）/（…指导） after an item's text; the first such parenthesis of the item
# counts (an item of several paragraphs names the units of its main task first)
_RESPONSIBILITY = re.compile(r"[（(]([^（）()]{2,200}?)(?:按职责分工)?(?:牵头负责|负责|牵头|指导)([。，,][^（）()]{0,40})?[）)]")
_TAKING_PART = re.compile(r"[。，,]\s*([^。，,]{2,80}?)(?:参与|配合|协助|协同)")
_FIRST_LEADS = re.compile(r"(?:列|排)(?:在)?第一位(?:者|的)?(?:部门|单位)?为牵头(?:单位|部门)")
_UNIT_SPLIT = re.compile(r"等(?:和|及)|会同|[、，,；;]|(?<=[部委局办院署行会府厅门校构区])(?:和|及|与)(?!单位|其)")
# with no parenthesis, the unit an item's own sentences make act: "国家卫生健康委制定…", "生态环境部会同…",
# "试点城市负责编制…" (a clause that begins with a unit and an action)
_NOT_A_UNIT = r"(?!鼓励|支持|引导|推动|经|对|向|在|按|请|要求|通过|依托|根据|凡|如|为|坚持|加强|建立|完善|严格|进一步|积极|不得|同时|其中|此外)"
_UNIT_END = (r"(?:委员会|总局|办公室|人民政府|政府|机关|机构|中心|小组|学校|医院|部门|单位|街道|地区|区县|城市|"
             r"初中|高中|小学|中学|幼儿园|部|委|局|办|院|署|行|厅|会)")
_UNIT_WORDS = (rf"{_NOT_A_UNIT}(?:各地|各区县|各区|各县|各[\u4e00-\u9fff]{{0,10}}?{_UNIT_END}|"
               rf"[\u4e00-\u9fff（）]{{1,16}}?{_UNIT_END})")
# words no unit's name holds: a clause that has them is saying something, not naming who acts
_NOT_IN_A_UNIT = re.compile(r"确保|保障|发挥|充分|通报|转载|是指|实行|自行|保送|回到|进行|指定|要|对|由|将|到|并|只|把|可|以(?![上下])|从|为")
# who a rule binds rather than who carries a task out: private parties (民办学校, 企业, 考生) and any one of a kind
# (每个志愿学校)
_REGULATED = re.compile(r"^(?:每个|每所|凡)|(?:民办学校|民办幼儿园|企业|开发商|考生|家长|学生|申请人)$")
# the units that act, joined (国家卫生健康委和国家中医药局), then what they do
_ACTOR = re.compile(
    rf"(?:^|[。；;，,：:\n]\s*)(?:由)?({_UNIT_WORDS}(?:(?:、|和|及|与){_UNIT_WORDS})*)(?:（[^）]{{1,8}}）)?"
    r"(?=(?:均|都|也|一律|今年|明年|继续|仍然|仍)*(?:要|应当|应|须|必须|将|可|不得|不(?:录取|再|予|收取|接收|招收)|负责|牵头|会同|组织|制定|建立|完善|推进|推动|加强|开展|按照|结合|根据|研究|统筹|"
    r"指导|做好|抓好|出台|印发|发布|编制|审核|确定|汇总|组建|设立|定期|每年|实行|实施|公布|受理|审批|办理|安排|落实|严格|"
    r"认真|切实|积极|依法|统一|对(?!于)|是[^。；;，,]{0,24}?(?:责任主体|第一责任人|责任单位)|"
    # 行政执法机关主要负责人是…第一责任人, 地方各级人民政府及其部门的主要负责同志作为…第一责任人: the unit answers
    r"(?:的)?主要负责(?:人|同志)(?:是|作为)[^。；;，,]{0,30}?第一责任人))")
# 各地以县为单位…, 各学校在…: a unit every one of which is addressed acts whatever word follows it
_EACH_ACTOR = re.compile(rf"(?:^|[。；;，,：:]\s*)(各(?:地|区县|区|县|[\u4e00-\u9fff]{{0,10}}?{_UNIT_END}))(?=以|在|于|对|按|把|从)")
# …编制工作由北京教育考试院中招办（以下简称“考试院中招办”）负责, 由考试院中招办统一管理，各有关学校组织实施: the
# document assigns the work to a unit, wherever in a clause it does; the units that then carry it out take part
_ASSIGNED = re.compile(rf"由({_UNIT_WORDS}(?:(?:、|和|及|与|或){_UNIT_WORDS})*)(?:（[^）]{{1,30}}）)?"
                       r"(?:统一|具体|共同)?(?:负责|牵头|组织|管理)(?!人|同志)")
_CARRIED_OUT = re.compile(rf"^[^。；;，,]{{0,12}}[，,]({_UNIT_WORDS}(?:(?:、|和|及|与){_UNIT_WORDS})*)"
                          r"(?:负责)?(?:具体实施|组织实施|具体负责|具体承办|配合|参与)")
_ACTOR_WITH = re.compile(r"^会同([^，。；;]{2,200})")
# 由区政府牵头，教育局、政务办等部门进行会商: the units after 牵头 take part
_LED_WITH = re.compile(r"^牵头[，,]([^，。；;]{2,120}?)(?=等(?:有关)?(?:部门|单位)|(?:参加|参与|配合|协同|共同|进行))")
_A_UNIT = re.compile(rf"(?:有关部门|相关部门|有关单位|{_UNIT_WORDS})")
_RESPONSIBLE_CLAUSE = re.compile(r"(?:^|[。；;，,]\s*)(?!经|由|对|向|在|请)([\u4e00-\u9fff]{2,10}?)(?:负责|牵头)(?!人)")
_OTHERS = re.compile(r"^(.*?)(?:等)?(有关部门(?:和|及)?(?:单位)?|相关部门(?:和|及)?(?:单位)?|有关单位)$")
# deadlines as written, most specific first; the normalised date is the last day the words allow
_DEADLINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d{4})年(\d{1,2})月\d{1,2}日(?:起)?至(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"), "range"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:前|之前|以前)"), "day"),
    (re.compile(r"(\d{4})年(\d{1,2})月(?:底|末)?(?:前|之前|以前)"), "month"),
    (re.compile(r"(\d{4})年(上|下)半年"), "half"),
    (re.compile(r"(\d{4})年(?:底|末)?(?:前|之前|以前)"), "year"),
    (re.compile(r"(?:到|至|截至)(\d{4})年(?:底|末)?"), "year"),
    (re.compile(r"(\d{4})年(?:起|开始)?[，,]?每年(\d{1,2})月(?:底|末)?前"), "yearly"),
    # a day of the document's own year: 8月10日前, 5月21日至22日, 4月23-29日 (no year: no date is derived)
    (re.compile(r"(?<![\d年])\d{1,2}月\d{1,2}日?\s*(?:至|-|—|～|~)\s*(?:\d{1,2}月)?\d{1,2}日"), "period"),
    (re.compile(r"(?<![\d年])\d{1,2}月\d{1,2}日(?:前|之前|以前)"), "period"),
    (re.compile(r"每(?:年|季度|月|半年)(?:\d{1,2}月)?(?:底|末)?(?:前)?"), "periodic"),
    (re.compile(r"(?:\d+|[一二两三四五六七八九十]+)\s*个?\s*(?:工作日|月|年|天|日)(?:之内|以内|内)"), "within"),
    (re.compile(r"(?:从|自)?(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|今年|明年)(?:起|开始)(?!至)"), "from"),
    (re.compile(r"长期坚持"), "ongoing"),
    # 今年继续实行…, 年内完成: the document's own year, which the item does not write as a number
    (re.compile(r"今年(?:内|底前|年底前)?|本年度内?|年内"), "this-year"),
)
# …至2010年8月31日（期间）出生, 2011年3月31日以前参加综合保险, …至2011年3月31日期间因各种原因中断: when what the person
# did happened, which says who the item covers, not a time limit
_WHO = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:(?:起)?(?:至|-|—|～|~)(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日?|以前|之前|前)"
                  r"[期之]?间?(?:出生|参加|参保|生育|入院|退休|实际缴纳|因)")
_MONTH_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日?")
_MONTH_END = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


@dataclass(frozen=True, slots=True)
class Task:
    """One row of a 任务分解表."""

    n: int
    number: str  # the item's own number as written: （三）, 2., 一要
    heading_path: tuple[str, ...]
    item: str  # its heading or lead clause
    requirement: str  # the item's whole text, without its responsibility parenthesis
    lead: str  # 牵头单位 ("" when the item names none)
    participants: tuple[str, ...]
    deadline: str  # as written ("" when none)
    due: str  # ISO date the deadline allows at the latest, when one can be derived
    start: int
    end: int
    page: int | None
    assigned: bool = False  # the units come from a responsibility the document writes (（…负责）), not a clause

    def to_json(self, document: Document) -> dict:
        return {"n": self.n, "number": self.number, "heading_path": list(self.heading_path), "item": self.item,
                "requirement": self.requirement, "lead": self.lead, "participants": list(self.participants),
                "deadline": self.deadline, "due": self.due,
                "citation": {"doc": document.path, "title": document.title, "start": self.start, "end": self.end,
                             "page": self.page}}


def checklist_json(document: Document, rows: list[Task]) -> dict:
    """The checklist as `wenyuan tasks --json` and /api/tasks give it: the document, then its rows."""
    return {"document": {"doc": document.path, "title": document.title, "number": document.number,
                         "issuer": document.issuer, "date": document.date},
            "tasks": [row.to_json(document) for row in rows]}


def units(phrase: str) -> list[str]:
    """The units a responsibility phrase names, in order: 人力资源社会保障部、财政部 → [人力资源社会保障部, 财政部];
    …等有关部门和单位 → […, 有关部门和单位]."""
    found: list[str] = []
    for part in _UNIT_SPLIT.split(phrase):
        part = part.strip(" 　")
        if not part:
            continue
        others = _OTHERS.match(part)
        if others and others.group(1).strip() not in ("", "各", "其他"):
            named, each = others.group(1).strip().removesuffix("等"), ""
            if named.endswith("各"):  # 各地区各有关部门: 各地区 and 各有关部门
                named, each = named[:-1], "各"
            found.append(named)
            found.append(each + others.group(2))
        elif others:
            found.append(part)  # 各有关部门和单位: one phrase, as written
        else:
            found.append(part.removesuffix("等"))
    return [unit for unit in found if unit]


def responsibility(text: str, first_leads: bool) -> tuple[str, tuple[str, ...], tuple[int, int] | None]:
    """(lead, participants, span of the parenthesis) of an item's text. With one unit, it leads; with several, the
    first leads when the document says so (列第一位者为牵头单位) or the phrase says 牵头; otherwise they share it."""
    match = _RESPONSIBILITY.search(text)
    if not match:
        return "", (), None
    named = units(match.group(1))
    if not named:
        return "", (), None
    helping = _TAKING_PART.search(match.group(2) or "")  # （民政部牵头，财政部参与）
    if helping:
        named += units(helping.group(1))
    if "会同" in match.group(1):  # （国家发展改革委、财政部会同有关部门负责）: those before 会同 lead
        leading, _, helping_units = match.group(1).partition("会同")
        return "、".join(units(leading)), tuple(units(helping_units)), match.span()
    if match.group(1) + "牵头" in match.group(0) and not helping and len(named) > 1:  # （A、B牵头负责）: both lead
        return "、".join(named), (), match.span()
    if len(named) == 1 or first_leads or "牵头" in match.group(0):
        return named[0], tuple(named[1:]), match.span()
    return "、".join(named), (), match.span()  # 共同负责: no lead is named, none is guessed


def actor(text: str) -> tuple[str, tuple[str, ...]]:
    """(lead, participants) of an item that writes no responsibility parenthesis, from the unit its own sentences
    make act ("国家卫生健康委制定…", "生态环境部会同国家发展改革委、财政部等部门…"); ("", ()) when none does."""
    def first_unit(pattern: re.Pattern[str]) -> re.Match[str] | None:  # the first match that names a unit acting
        return next((m for m in pattern.finditer(text)
                     if not _NOT_IN_A_UNIT.search(m.group(1)) and not _REGULATED.search(m.group(1))), None)

    found = [match for match in map(first_unit, (_ACTOR, _EACH_ACTOR, _RESPONSIBLE_CLAUSE)) if match]
    assigned = first_unit(_ASSIGNED)
    if found or assigned:
        # an explicit assignment outweighs a unit that only comes first; otherwise the first clause that makes a
        # unit act
        match = assigned or min(found, key=lambda m: m.start(1))
        carried = _CARRIED_OUT.match(text[assigned.end():]) if assigned else None
        if carried and not _NOT_IN_A_UNIT.search(carried.group(1)):  # 由A统一管理，B组织实施
            return "、".join(units(match.group(1))), tuple(units(carried.group(1)))
        led = _LED_WITH.match(text[match.end(1):])
        if led:  # 牵头，教育局、政务办等部门进行会商: every unit named takes part
            return "、".join(units(match.group(1))), tuple(units(led.group(1)))
        with_ = _ACTOR_WITH.match(text[match.end(1):])
        helping = []
        for part in units(with_.group(1)) if with_ else []:
            unit = _A_UNIT.match(part)  # 有关部门对试点工作进行指导 → 有关部门
            if unit:
                helping.append(unit.group(0).removesuffix("等"))
        return "、".join(units(match.group(1))), tuple(helping)
    return "", ()


def deadline(text: str, year: int | None = None) -> tuple[str, str]:
    """(the deadline as written, its latest ISO date or "") of an item's text; ("", "") when it sets none. The
    first time limit the item writes counts (the most specific wording of it, where several start there). With the
    document's year, a day it writes without one (8月10日前) and 今年内/年内 get a date too."""
    text = _WHO.sub(lambda who: " " * len(who.group(0)), text)
    found = [(match.start(), order, match, kind) for order, (pattern, kind) in enumerate(_DEADLINES)
             if (match := pattern.search(text))]
    for _, _, match, kind in sorted(found, key=lambda item: (item[0], item[1])):
        if kind == "range":  # 2019年1月1日至2020年12月31日, 2016年6月24日至26日: a period; it ends on its last day
            year, month = int(match.group(3) or match.group(1)), int(match.group(4) or match.group(2))
            return match.group(0), f"{year:04d}-{month:02d}-{int(match.group(5)):02d}"
        if kind == "day":
            year, month, day = (int(value) for value in match.groups())
            return match.group(0), f"{year:04d}-{month:02d}-{day:02d}"
        if kind == "month":
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return match.group(0), f"{year:04d}-{month:02d}-{_last_day(year, month):02d}"
        if kind == "half":
            year = int(match.group(1))
            return match.group(0), f"{year:04d}-06-30" if match.group(2) == "上" else f"{year:04d}-12-31"
        if kind == "year":
            return match.group(0), f"{int(match.group(1)):04d}-12-31"
        if kind == "period" and year:  # 8月10日前, 5月21日至22日, 4月23-29日: the last day written, in that year
            days = _MONTH_DAY.findall(match.group(0))
            month = int(days[-1][0] or days[0][0])
            if 1 <= month <= 12 and 1 <= int(days[-1][1]) <= _last_day(year, month):
                return match.group(0), f"{year:04d}-{month:02d}-{int(days[-1][1]):02d}"
        if kind == "this-year" and year and match.group(0) != "今年":  # 今年 alone says when, not by when
            return match.group(0), f"{year:04d}-12-31"
        return match.group(0), ""  # yearly, periodic, ongoing: a period, no single date
    return "", ""


def _last_day(year: int, month: int) -> int:
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if leap else _MONTH_END[month]


def tasks(document: Document, structure: Structure) -> list[Task]:
    """The document's items, in document order: every section at the 一、 level or below with none under it. When
    the document opens with an outline (【提纲】), the outline gives the items and their order; an item is read from
    the body where the body has it, else from the outline itself (a speech's body may run its items into
    paragraphs)."""
    text = document.text
    first_leads = bool(_FIRST_LEADS.search(text))
    body = _leaves([h for h in structure.headings if not h.outline], structure, len(text))
    outline = _leaves([h for h in structure.headings if h.outline], structure, len(text))
    if outline:
        in_body = {_key(heading.text): (heading, end) for heading, end in body}
        chosen = [in_body.pop(_key(heading.text), (heading, end)) for heading, end in outline]
        chosen += list(in_body.values())  # body items the outline does not list, after it
    else:
        chosen = body
    rows: list[Task] = []
    for heading, end in chosen:
        requirement = text[heading.start:end].strip()
        lead, participants, span = responsibility(requirement, first_leads)
        assigned = span is not None
        if span is not None:
            requirement = (requirement[:span[0]] + requirement[span[1]:]).strip()
        else:
            lead, participants = actor(requirement[len(_number(heading)):].lstrip())
        written, due = deadline(requirement, document.year)
        path = tuple(part for part in structure.path_at(heading.start)[1:-1] if part != OUTLINE_LABEL)
        rows.append(Task(
            n=len(rows) + 1, number=_number(heading), heading_path=path, item=heading.text, requirement=requirement,
            lead=lead, participants=participants, deadline=written, due=due, start=heading.start, end=end,
            page=document.page_at(heading.start), assigned=assigned,
        ))
    return rows


def _leaves(headings: list[Heading], structure: Structure, length: int) -> list[tuple[Heading, int]]:
    """The headings at the 一、 level or below that have none under them, with where their sections end."""
    items = [h for h in headings if LEVEL_CN <= h.level <= LEVEL_ENUM and h.end > h.start]
    leaves = []
    for heading, following in zip(items, [*items[1:], None]):
        end = structure.section_end(heading)
        end = length if end < 0 else end
        if following is None or following.start >= end:  # an item inside its section is one of its own items
            leaves.append((heading, end))
    return leaves


def _key(words: str) -> str:
    """A heading as compared between outline and body: no spaces, full-width brackets."""
    return "".join(words.split()).replace("(", "（").replace(")", "）").rstrip("。：:；;")


def _number(heading: Heading) -> str:
    match = re.match(r"^[一二三四五六七八九十]+[要是]|^[（(]?[一二三四五六七八九十百\d]+[）)、.．]?", heading.text)
    return match.group(0) if match else ""


_COLUMNS = ("序号", "任务", "具体要求", "牵头单位", "参与单位", "完成时限", "出处")


def checklist(index: Index, doc_id: str) -> list[Task]:
    """A document's rows, made once per loaded index (all 290 documents of the benchmark corpus: 0.5 s): the
    questions, the viewer, the documents page and the API share them."""
    if index.task_rows is None:
        index.task_rows = {}
    if doc_id not in index.task_rows:
        index.task_rows[doc_id] = tasks(index.documents[doc_id], index.structures[doc_id])
    return index.task_rows[doc_id]


def due_text(row: Task) -> str:
    """The deadline as written, with the date it allows at the latest when the words do not say it."""
    return f"{row.deadline}（{row.due}）" if row.due and row.due not in row.deadline else row.deadline


def checklist_file(document: Document, rows: list[Task], suffix: str) -> tuple[str, bytes]:
    """The checklist as a file to hand out: its name (任务分解-<title>.xlsx) and its bytes, Excel or Word."""
    make = tasks_xlsx if suffix == "xlsx" else tasks_docx
    return f"任务分解-{document.title[:30]}.{suffix}", make(document, rows)


def _cells(row: Task) -> tuple[str, ...]:
    due = due_text(row)
    where = " › ".join(row.heading_path) + (f"，第{row.page}页" if row.page else "")
    return (str(row.n), row.item, row.requirement, row.lead, "、".join(row.participants), due, where)


def tasks_xlsx(document: Document, rows: list[Task]) -> bytes:
    """The checklist as an Excel sheet a department can hand out: title and 文号 on top, then 序号, 任务, 具体要求,
    牵头单位, 参与单位, 完成时限, 出处."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "任务分解"
    sheet.append([f"《{document.title}》任务分解表"])
    sheet.append([document.number or ""])
    sheet.append(list(_COLUMNS))
    for row in rows:
        sheet.append(list(_cells(row)))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(_COLUMNS))
    sheet["A1"].font = Font(name="黑体", size=14, bold=True)
    thin = Side(style="thin")
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row == 3:
                cell.font = Font(name="黑体", bold=True)
    for letter, width in zip("ABCDEFG", (6, 28, 60, 18, 24, 18, 28)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tasks_docx(document: Document, rows: list[Task]) -> bytes:
    """The checklist as a 公文-style Word table: the title and 文号 on top, one row a task."""
    import io

    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    from wenyuan.export import set_fonts

    word = docx.Document()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    set_fonts(word.styles["Normal"], "仿宋").font.size = Pt(10.5)
    heading = word.add_paragraph()
    set_fonts(heading.add_run(f"《{document.title}》任务分解表"), "黑体").font.size = Pt(16)
    if document.number:
        word.add_paragraph(document.number)
    table = word.add_table(rows=1, cols=len(_COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, _COLUMNS):
        set_fonts(cell.paragraphs[0].add_run(name), "黑体")
    for row in rows:
        for cell, value in zip(table.add_row().cells, _cells(row)):
            cell.text = value
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


# ---- questions the checklist answers: who leads or takes part in what, and what is due by when -------------------

_ROLES = {"牵头负责": "lead", "牵头": "lead", "参与": "part", "参加": "part", "配合": "part", "协助": "part",
          "协同": "part", "负责": "any"}
_ROLE_WORDS = "|".join(sorted(_ROLES, key=len, reverse=True))
_ASKS_WHICH = r"(?:了|的)?(?:哪些|哪几|什么|几项|多少)"
# 人力资源社会保障部牵头负责哪些任务？ / 财政部参与了哪几项？
_ASKED_END = r"(?:项|个|条)?(?:任务|工作|事项|措施|事情)?(?:呢)?[？?。！!]*$"  # nothing asked after: "…负责哪些资金的拨付" is not
_UNIT_FIRST = re.compile(rf"([^，,。？?；;：:\s]{{2,40}}?)(?:都|又|还|主要|具体|共同)?({_ROLE_WORDS}){_ASKS_WHICH}{_ASKED_END}")
# 哪些任务由财政部牵头？
_UNIT_AFTER = re.compile(rf"(?:哪些|哪几项|哪几个|什么)(?:任务|工作|事项|措施)?(?:是|要|需要)?由([^，,。？?；;：:\s]{{2,40}}?)({_ROLE_WORDS})"
                         r"(?:负责)?(?:的)?[？?。！!]*$")
# 今年底前要完成哪些任务？ / 2019年6月底前完成什么？ / 年底前有哪几项要完成？
_DUE_BY = re.compile(r"(?<![去前])(今年|本年度?|明年|(\d{4})年)?(?:(\d{1,2})月)?(?:年)?(底|末)?(?:前|之前|以前)")
_ASKS_TASKS = re.compile(r"(?:哪些|哪几|什么)(?:任务|工作|事项|事情|措施|项)|(?:任务|工作|事项)有哪些|完成哪|要完成")
_BEFORE_UNIT = re.compile(r".*(?:中|里|内|的|，|,)")


@dataclass(frozen=True, slots=True)
class TaskQuestion:
    """A question about the checklist: the tasks a unit leads or takes part in, or those due by a date."""

    unit: str = ""  # as the question writes it ("" for a deadline question)
    role: str = ""  # lead (牵头), part (参与/配合) or any (负责)
    year: int | None = None  # due by the end of this year (or of `month` in it)
    month: int | None = None
    own_year: bool = False  # 今年 / 明年: each document's own year (or the one after), as the document says 今年
    later: int = 0  # 明年: one year after the document's
    naming: str = ""  # the words before what is asked, which may name the document ("促进就业的意见中")


def task_question(question: str) -> TaskQuestion | None:
    """What a question asks of the checklist, or None when it is not such a question. A pure function of the words:
    which unit (as written), which role, which date; documents and units are matched later."""
    text = "".join(question.split())
    for pattern in (_UNIT_FIRST, _UNIT_AFTER):
        match = pattern.search(text)
        if match:
            unit = re.sub(r"^(?:那么|那|请问|还有)+", "", _BEFORE_UNIT.sub("", match.group(1)).removeprefix("由"))
            if len(unit) >= 2 and not unit.startswith(("哪", "谁", "什么")):
                naming = text[:match.start()] if pattern is _UNIT_AFTER else text[:match.end(1) - len(unit)]
                return TaskQuestion(unit=unit, role=_ROLES[match.group(2)], naming=naming)
    if not _ASKS_TASKS.search(text):
        return None
    for match in _DUE_BY.finditer(text):
        anchored = match.group(1) or match.group(3) or match.group(0).startswith(("年底", "年末"))
        if not anchored or not (match.group(4) or match.group(3)):  # 今年前三季度, 2019年以前: no end of a period
            continue
        month = int(match.group(3)) if match.group(3) else None
        if month is not None and not 1 <= month <= 12:
            continue
        if match.group(2):
            return TaskQuestion(year=int(match.group(2)), month=month, naming=text[:match.start()])
        return TaskQuestion(month=month, own_year=True, later=1 if match.group(1) == "明年" else 0,
                            naming=text[:match.start()])
    return None


def due_by(row: Task, asked: TaskQuestion, document_year: int | None) -> bool:
    """Whether a row's deadline falls on or before the date a question asks about (periods with no date never do)."""
    if not row.due or "至" in row.deadline:  # a period (2019年1月1日至12月31日) is not a task's deadline
        return False
    year = asked.year if asked.year is not None else (document_year + asked.later if document_year else None)
    if year is None:
        return False
    month = asked.month or 12
    return row.due <= f"{year:04d}-{month:02d}-{_last_day(year, month):02d}"


def unit_matches(asked: str, named: str) -> bool:
    """Whether a unit the question names is one a row names: the same words, or the row's name with more in front
    (发展改革委 is 国家发展改革委); never a longer name that holds the row's (财政部门 is not 财政部, 国务院专利行政部门
    not 国务院)."""
    return asked == named or (len(asked) >= 3 and named.endswith(asked))


# words around a checklist question that name no document ("在…中", "请问", "文件里")
TASK_WORDS = frozenset("请问 文件 这份 该 里 中 在 关于 任务 工作 事项 一共 共 都 各".split())
