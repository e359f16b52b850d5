"""Rosters: the 组成人员名单 of a 领导小组 or 委员会 as a notice lists them.

    组　长：韩　正　　国务院副总理
    副组长：丁学东　　国务院副秘书长
    李干杰　　生态环境部部长
    成　员：郭卫民　　中央宣传部部务会议成员

A role line ("副组长：" and its first member) is followed by the role's other members, one a line, until the next role
line or the first line that is prose. Pure functions over the cleaned text and offsets into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a role of a roster: 组长, 副主任, 秘书长, 成员, 委员, 召集人 … (spaces inside: 组　长)
_ROLE = r"(?:副)?(?:组长|主任|秘书长|召集人|成员|委员|主席|书记|顾问|联络员)"
_ROLE_LINE = re.compile(r"^(?P<role>[\u4e00-\u9fff][\u4e00-\u9fff \u3000]{0,10}?)[ \u3000]*[：:]")
_ROLE_WORD = re.compile(rf"[\u4e00-\u9fff]{{0,6}}?{_ROLE}")
_MEMBER_MAX = 40  # characters of a member's line (a name and a title); a longer line is prose
_PROSE = re.compile(r"[。，；,;！？]")


@dataclass(frozen=True, slots=True)
class Group:
    """One role of a roster and the lines of its members (offsets into the text, a line each)."""

    role: str  # without spaces: 副组长
    lines: tuple[tuple[int, int], ...]


def groups(text: str) -> list[Group]:
    """The roster groups of a text, in order; none when the text lists no roster."""
    found: list[Group] = []
    role, lines = "", []
    at = 0
    for line in text.split("\n"):
        start, end = at, at + len(line)
        at = end + 1
        words = line.strip(" \u3000")
        head = _ROLE_LINE.match(words)
        label = re.sub(r"[ \u3000]", "", head.group("role")) if head else ""
        if label and _ROLE_WORD.fullmatch(label) and len(words) <= _MEMBER_MAX + 8 and not _PROSE.search(words):
            if role:
                found.append(Group(role, tuple(lines)))
            role = label
            lines = [(start + len(line) - len(line.lstrip(" \u3000")), end)]
            continue
        if role and words and len(words) <= _MEMBER_MAX and not _PROSE.search(words) and "：" not in words:
            lines.append((start + len(line) - len(line.lstrip(" \u3000")), end))
            continue
        if role:
            found.append(Group(role, tuple(lines)))
            role, lines = "", []
    if role:
        found.append(Group(role, tuple(lines)))
    return [group for group in found if group.lines]


def named(text: str, question: str) -> Group | None:
    """The roster group whose role the question names (秘书长 asked: 秘书长's, not 副秘书长's), the longest role
    first; none when the text has no roster or the question names none of its roles."""
    found = all_named(text, question)
    return max(found, key=lambda g: len(g.role)) if found else None


def all_named(text: str, question: str) -> list[Group]:
    """Every roster group whose role the question names (主任和秘书长分别是谁？: both), in the roster's order."""
    asked = re.sub(r"\s", "", question)
    found = []
    for group in groups(text):
        at = asked.find(group.role)
        while at >= 0:
            after = asked[at + len(group.role) : at + len(group.role) + 1]
            if not (group.role[0] != "副" and at > 0 and asked[at - 1] == "副") \
                    and not _OFFICE_BEFORE.search(asked[:at]) and after != "会":  # 委员会 is no 委员
                found.append(group)
                break
            at = asked.find(group.role, at + 1)
    return found


# a body inside the one the roster lists (领导小组办公室主任): its roles are not the roster's
_OFFICE_BEFORE = re.compile(r"(?:办公室|秘书处|工作组|专家组|专家委员会)$")
