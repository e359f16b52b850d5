"""Facts a document states once, in a place of its own, answered from that place rather than from ranked sentences:

- its number: the 文号 from its header, or a decree's number line (`（2010年1月19日上海市人民政府令第26号公布）`);
- when it is in force: its closing clause (`本办法自2016年1月1日起施行，2020年12月31日废止。`);
- who holds a post: the lines of its roster (`副组长：丁学东　　国务院副秘书长`), one a member.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wenyuan import weights
from wenyuan.answer import rosters
from wenyuan.answer.citations import Citations, document_name
from wenyuan.chunking import sentence_spans
from wenyuan.index import Index
from wenyuan.query import DAY, Query
from wenyuan.structure import DECREE
from wenyuan.types import Answer, AnswerItem, Document, Hit

_DECREE = re.compile(DECREE)
_DECREE_HEAD = 600  # characters from the top where a decree writes its number
_DECREE_LINE = 80  # a line longer than this is more than the number: only the note (…令第35号发布) in it is quoted

# a question about when a document is in force, and the clause that says it (本办法自2016年1月1日起施行)
IN_FORCE_WORDS = frozenset("施行 生效 实施 实行 执行 试行 废止 失效 有效期 起 开始 日期 时间".split())
IN_FORCE_SAID = re.compile(r"施行|生效|实施|执行|试行|废止|失效|有效期|有效")
# the words of legal effect; 实施 and 执行 alone also ask when a measure inside a document starts, which its own sentence
# says (开始实行 asks either: the gate then checks the words besides the document's name)
_ASKS_IN_FORCE = re.compile(r"施行|生效|废止|失效|有效期|(?:开始|起)(?:实行|执行|实施)|管到|管多久|到期")
_ASKS_WHEN = re.compile(r"何时|什么时候|哪天|哪一天|哪年|日期|时间|多久|多长|几年|有效期")
_IN_FORCE = re.compile(r"本[\u4e00-\u9fff]{0,12}?(?:办法|规定|细则|条例|通知|意见|方案|决定|规则|措施|制度|标准|规划)"
                       r"[^。；]{0,40}?(?:自|从|于)[^。；]{0,30}?(?:施行|执行|实施|生效|试行)")

# a question about the people a roster names: who, how many, which posts they hold
_ASKS_PERSON = re.compile(r"谁|哪位|哪几位|哪些人|什么人|几位|职务|名单|有哪些|有哪几|都有")
_ROSTER_SHOWN = 30  # members of one role shown; a longer role (委员) says how many there are


def document_number(index: Index, query: Query, hits: Sequence[Hit]) -> Answer | None:
    """'…的文号是多少？', '是第几号令？': the number of the document asked about, cited from where it writes it; none
    when that document writes none (another document's number is no answer)."""
    document = index.documents[hits[0].chunk.doc_id]
    if not document.number:
        return None
    citations = Citations(index)
    note = decree_note(document)
    if note is not None:  # a decree: the line that numbers it, which says when and by whom (…令第26号公布)
        n = citations.cite(document.id, *note, hits[0].score, note)
        said = document.text[note[0] : note[1]].strip().replace("\n", "")
        return Answer(query.asked, f"据{document_name(document)}：{said}[{n}]", tuple(citations.items), False, "fact",
                      tuple(hits))
    header_end = number_end(document)
    n = citations.cite(document.id, 0, header_end, hits[0].score, (0, header_end))
    text = f"{document_name(document)}的文号是{document.number}。[{n}]"
    return Answer(query.asked, text, tuple(citations.items), False, "fact", tuple(hits))


def asks_in_force(query: Query) -> bool:
    """Whether a question asks when a document is in force (从哪天起施行, 有效期到什么时候), not how long something lasts
    (《户口迁移证》的有效期是多少天: a count of days, which the sentence that sets it says)."""
    return bool(_ASKS_IN_FORCE.search(query.text) and _ASKS_WHEN.search(query.text)) and query.unit in ("", DAY)


def in_force(index: Index, query: Query, hits: Sequence[Hit]) -> Answer | None:
    """'…从哪天起施行？', '有效期到什么时候？': the clause that puts the best document in force (本办法自…起施行，
    …废止), wherever it stands; its closing article, not a date another sentence gives."""
    if not asks_in_force(query):
        return None
    for doc_id in _best_documents(hits):
        document = index.documents[doc_id]
        clauses = [(start, end) for start, end in sentence_spans(document.text)
                   if _IN_FORCE.search(document.text, start, end)]
        if not clauses:
            continue
        start, end = clauses[-1]  # the closing article; an earlier one may quote another document's
        citations = Citations(index)
        n = citations.cite(doc_id, start, end, hits[0].score, (start, end))
        return Answer(query.asked, f"据{document_name(document)}：{document.text[start:end].strip()}[{n}]",
                      tuple(citations.items), False, "fact", tuple(hits))
    return None


def roster(index: Index, query: Query, hits: Sequence[Hit]) -> Answer | None:
    """'…的秘书长是谁？', '副组长有哪几位？': the members of the role the question names, from the roster (组成人员名单)
    of the best document that lists one, a line each, as written."""
    if not _ASKS_PERSON.search(query.text):
        return None
    for doc_id in _best_documents(hits):
        document = index.documents[doc_id]
        named = rosters.all_named(document.text, query.text)
        if not named:
            continue
        span = (named[0].lines[0][0], named[-1].lines[-1][1])
        if len(named) >= 2:  # 主任和秘书长分别是谁？: each role asked, with its members, in the roster's order
            lines = [line for group in named for line in group.lines[:_ROSTER_SHOWN]]
            lead = f"据{document_name(document)}，{'、'.join(group.role for group in named)}如下："
            return _roster_lines(index, document, lines, span, lead, query, hits)
        group = named[0]
        shown = group.lines[:_ROSTER_SHOWN]
        if len(shown) == 1:
            citations = Citations(index)
            start, end = shown[0]
            n = citations.cite(doc_id, start, end, hits[0].score, span)
            return Answer(query.asked, f"据{document_name(document)}：{document.text[start:end].strip()}[{n}]",
                          tuple(citations.items), False, "fact", tuple(hits))
        more = f"（共{len(group.lines)}行，以上为前{len(shown)}行）" if len(shown) < len(group.lines) else ""
        lead = f"据{document_name(document)}，{group.role}有{len(group.lines)}位{more}："
        return _roster_lines(index, document, shown, span, lead, query, hits)
    return None


def _roster_lines(index: Index, document: Document, lines: Sequence[tuple[int, int]], span: tuple[int, int],
                  lead: str, query: Query, hits: Sequence[Hit]) -> Answer:
    """Roster lines as a list after its lead, each line cited within the roster's span."""
    citations = Citations(index)
    cited = [f"{document.text[start:end].strip()}[{citations.cite(document.id, start, end, hits[0].score, span)}]"
             for start, end in lines]
    items = tuple(AnswerItem(document.path, start, end, document.text[start:end].strip()) for start, end in lines)
    return Answer(query.asked, "\n".join([lead + cited[0], *cited[1:]]), tuple(citations.items), False, "list",
                  tuple(hits), items=items)


def _best_documents(hits: Sequence[Hit]) -> list[str]:
    """The documents of the best few passages, best first: where a document fact is looked for."""
    return list(dict.fromkeys(hit.chunk.doc_id for hit in hits[: weights.DOCUMENT_FACTS]))


def decree_note(document: Document) -> tuple[int, int] | None:
    """The lines near the top that write a decree's number (中华人民共和国国务院令 / 第322号, （…令第26号公布）), when
    the document's number is a decree's."""
    if not _DECREE.search(document.number):
        return None
    digits = re.search(r"第(\d+)号", document.number).group(1)
    found = re.search(rf"第\s*{digits}\s*号", document.text[:_DECREE_HEAD])
    if found is None:
        return None
    text = document.text
    start = text.rfind("\n", 0, found.start())
    if start > 0 and text[:start].rstrip(" 　").endswith("令"):
        start = text.rfind("\n", 0, start)  # 第322号 under a 中华人民共和国国务院令 line: both are the number
    end = text.find("\n", found.end())
    end = len(text) if end < 0 else end
    opened = max(text.rfind("（", start + 1, found.start()), text.rfind("(", start + 1, found.start()))
    closes = [at for at in (text.find("）", found.end(), end), text.find(")", found.end(), end)) if at >= 0]
    if end - start > _DECREE_LINE and opened >= 0 and closes:  # a page flattened to one line: the note in it
        return opened, min(closes) + 1
    return start + 1, end


def number_end(document: Document) -> int:
    """Where a document's 文号 ends in its text (its first 80 characters when the text does not write it)."""
    at = document.text.find(document.number)
    return at + len(document.number) if at >= 0 else min(len(document.text), 80)
