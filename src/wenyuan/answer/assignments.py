"""Questions the 任务分解 answers: "人力资源社会保障部牵头负责哪些任务？", "财政部参与了哪几项？", "今年底前要完成哪些任务？".

The checklist's rows are data (tasks.py): the answer lists the rows whose units or deadline fit, in document order,
each cited at its item, across every document in reach. A question none of the rows fits goes on to the ordinary
answer: the words may still be in a passage that sets no task (a unit named in a 办法's 第三条).
"""

from __future__ import annotations

from collections.abc import Collection

from wenyuan.answer.citations import Citations
from wenyuan.index import Index
from wenyuan.query import aliases
from wenyuan.tasks import Task, TaskQuestion, checklist, due_by, unit_matches
from wenyuan.types import Answer, AnswerItem, Document

_LONGEST_ITEM = 48  # characters of an item's words in the list; the citation holds them all


def answer(question: str, asked: TaskQuestion, index: Index, documents: Collection[str] | None) -> Answer | None:
    """The cited list of the rows that fit, from `documents` (ids; None: all), or None when no row fits."""
    doc_ids = sorted(documents if documents is not None else index.documents,
                     key=lambda doc_id: index.documents[doc_id].path)
    found: list[tuple[Document, Task, str]] = []
    forms = _forms(asked.unit)
    for doc_id in doc_ids:
        document = index.documents[doc_id]
        for row in checklist(index, doc_id):
            role = _role(row, asked, forms) if asked.unit else ("" if not due_by(row, asked, document.year) else "due")
            if role:
                found.append((document, row, role))
    if not found:
        return None
    documents_named = {d.id for d, _, _ in found}
    citations = Citations(index)
    lines, items, current = [], [], None
    for k, (document, row, role) in enumerate(found, 1):
        if len(documents_named) > 1 and document.id != current:
            lines.append(f"《{document.display_title}》")
            current = document.id
        quote_end = row.start + len(row.item) if document.text.startswith(row.item, row.start) else row.end
        n = citations.cite(document.id, row.start, min(quote_end, row.end), 1.0, (row.start, row.end))
        lines.append(f"{k}. {_line(row, role, asked)}[{n}]")
        items.append(AnswerItem(document.path, row.start, row.end, row.item))
    where = (f"《{found[0][0].display_title}》中" if len(documents_named) == 1
             else f"{len(documents_named)} 份文件中")
    if asked.unit:
        head = f"{where}{_roles_told(asked, [role for _, _, role in found])}："
    else:
        years = sorted({d.year for d, _, _ in found if d.year})
        reading = ""
        if asked.year is None:  # 今年 as the documents themselves say it: the year each was written
            word = "明年" if asked.later else "今年"
            reading = (f"（“{word}”按文件的年份，即{years[0] + asked.later}年）" if len(years) == 1
                       else f"（“{word}”按各文件自己的年份{'的下一年' if asked.later else ''}）")
        head = f"{where}{_when(asked)}前要完成的任务有 {len(found)} 项{reading}："
    return Answer(question, "\n".join([head, *lines]), tuple(citations.items), False, "list", items=tuple(items))


def _roles_told(asked: TaskQuestion, roles: list[str]) -> str:
    """How many tasks the unit has, by role: 由财政部牵头的任务有 3 项，与其他单位共同负责的有 1 项."""
    own = roles.count("牵头") if asked.role == "lead" else roles.count("参与")
    shared = roles.count("共同负责")
    if asked.role == "any":
        counts = [f"{name} {roles.count(name)} 项" for name in ("牵头", "参与", "共同负责") if roles.count(name)]
        return f"写明由{asked.unit}负责的任务有 {len(roles)} 项（{'，'.join(counts)}）"
    verb = "牵头" if asked.role == "lead" else "参与"
    told = f"由{asked.unit}{verb}的任务有 {own} 项" if own else f"没有写明由{asked.unit}{verb}的任务"
    return told + (f"，{asked.unit}与其他单位共同负责的有 {shared} 项" if shared else "")


def _forms(unit: str) -> tuple[str, ...]:
    """The unit and its other names in the lexicon (人社部 = 人力资源社会保障部)."""
    return (unit, *aliases().get(unit, ()))


def _role(row: Task, asked: TaskQuestion, forms: tuple[str, ...]) -> str:
    """How a row names the unit: 牵头, 共同负责 (several units, none named lead), 参与, or "" when it fits not. Only
    a responsibility the document writes counts: a unit a clause makes act may be a definition's or a report's."""
    if not row.assigned:
        return ""
    leads = row.lead.split("、") if row.lead else []
    in_lead = any(unit_matches(form, unit) for form in forms for unit in leads)
    taking_part = any(unit_matches(form, unit) for form in forms for unit in row.participants)
    shared = len(leads) > 1
    if asked.role == "lead" and in_lead:
        return "共同负责" if shared else "牵头"
    if asked.role == "part" and (taking_part or (in_lead and shared)):
        return "参与" if taking_part else "共同负责"
    if asked.role == "any" and (in_lead or taking_part):
        return ("共同负责" if shared else "牵头") if in_lead else "参与"
    return ""


def _line(row: Task, role: str, asked: TaskQuestion) -> str:
    """One listed task: its number and item, who else shares it, and its deadline as written."""
    item = row.item.rstrip("。；;，,")
    if len(item) > _LONGEST_ITEM:  # an item that is a whole paragraph: its opening words, the rest is cited
        item = item[:_LONGEST_ITEM] + "……"
    notes = []
    if role == "共同负责":
        notes.append(f"{row.lead}共同负责")
    elif role == "参与":
        notes.append(f"牵头：{row.lead}" if row.lead else "")
    elif role == "牵头" and row.participants:
        notes.append("参与：" + "、".join(row.participants))
    elif role == "due" and row.lead:
        notes.append(f"牵头：{row.lead}")
    if row.deadline:
        notes.append(f"时限：{row.deadline}")
    notes = [note for note in notes if note]
    return item + (f"（{'；'.join(notes)}）" if notes else "") + "。"


def _when(asked: TaskQuestion) -> str:
    month = f"{asked.month}月底" if asked.month else "年底"
    if asked.year is not None:
        return f"{asked.year}年{month.removeprefix('年')}"
    return ("明年" if asked.later else "今年") + month.removeprefix("年")
