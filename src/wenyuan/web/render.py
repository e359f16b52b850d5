"""Answers, sources and documents as HTML for the browser, and as plain text for pasting into a report.

Every piece of document text goes through `html.escape` here: a document containing `<script>` shows it as text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from wenyuan.tasks import Task, due_text
from wenyuan.types import HEADING_SEPARATOR, Answer, Citation, Document

# the 任务分解 table, in the chat's viewer and on the documents page
TASKS_CSS = """
.wy-tasks .wy-doc{white-space:normal}
.wy-task-table{border-collapse:collapse;font-size:.85em;line-height:1.5}
.wy-task-table th,.wy-task-table td{border:1px solid #d6dce5;padding:.2em .4em;vertical-align:top}
.wy-task-table th{background:#eef2f8;white-space:nowrap}
"""
_MARKER = re.compile(r"\[(\d+)\]")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _text(words: str) -> str:
    """Document words safe inside chat markdown: HTML escaped, markdown characters (as in `**市`) kept literal."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(words, quote=False))


def chat_markdown(answer: Answer, turn: int, upto: int | None = None) -> str:
    """The answer for the chat bubble, each [n] a clickable chip that opens the cited passage."""
    text = answer.text if upto is None else answer.text[:upto]
    pieces, cursor = [], 0
    for match in _MARKER.finditer(text):
        pieces.append(_text(text[cursor : match.start()]))
        n = match.group(1)
        pieces.append(f'<a class="wy-chip" href="#wy-{turn}-{n}" title="查看来源 {n}">{n}</a>')
        cursor = match.end()
    pieces.append(_text(text[cursor:]))
    body = "".join(pieces).replace("\n", "  \n")
    if answer.mode == "ask_back":  # each candidate asks the same question again, in that document only
        lines = [_text(answer.text.split("\n")[0])]
        for k, candidate in enumerate(answer.candidates):
            lines.append(f'<a class="wy-candidate" href="#wy-ask-{turn}-{k}" title="只在此文件中回答">'
                         f"{k + 1}. 《{_text(candidate.title)}》</a>")
        return "  \n".join(lines)
    scope = f'<span class="wy-scope">{_text(answer.scope)}</span>  \n' if answer.scope else ""
    if answer.searched:  # a follow-up, as it was searched
        scope += f'<span class="wy-scope">检索问题：{_text(answer.searched)}</span>  \n'

    if answer.refused:
        return f"{scope}⚠️ **文档中没有找到答案**  \n{body}"
    if len(text) == len(answer.text) and answer.sentences:  # an LLM's answer: what the check made of it
        body += f'  \n<span class="wy-scope">{_text(checked_note(answer))}</span>'
    if len(text) == len(answer.text):  # the whole answer: it can be copied with its sources
        body += (f'  \n<a class="wy-copy-link" href="#wy-copy-{turn}" title="复制这条回答及其来源">复制（含来源）</a>'
                 f'<a class="wy-copy-link" href="#wy-word-{turn}" title="下载这条回答及其来源的 Word 文件">导出 Word</a>')
    return scope + body


def checked_note(answer: Answer) -> str:
    """What the sentence check made of an LLM answer, for the person who must stand behind it."""
    statuses = [sentence.status for sentence in answer.sentences]
    held = statuses.count("verified") + statuses.count("re-cited")
    note = f"大模型生成，已逐句核对原文：{held} 句有出处支持"
    if statuses.count("re-cited"):
        note += f"（其中 {statuses.count('re-cited')} 句改引了更相符的段落）"
    if statuses.count("unverified"):
        shown = "标注“未核实”" if "（未核实）" in answer.text else "已删去"
        note += f"，{statuses.count('unverified')} 句原文中找不到依据，{shown}"
    return note + "。"


def draft_markdown(text: str) -> str:
    """An answer still being written (an LLM's raw text): plain, its [n] markers not yet checked, so no chips."""
    return _text(text).replace("\n", "  \n") + " ▍"


def stream_points(answer: Answer) -> list[int]:
    """Where the answer may be cut while streaming: after each citation marker and at the end."""
    points = [match.end() for match in _MARKER.finditer(answer.text)]
    return [p for p in points if p < len(answer.text)] + [len(answer.text)]


def _path(heading_path: tuple[str, ...]) -> str:
    return HEADING_SEPARATOR.join(heading_path[1:]) or "（正文开头）"


def _highlighted_passage(citation: Citation) -> str:
    start = citation.start - citation.passage_start
    end = citation.end - citation.passage_start
    passage = citation.passage or citation.quote
    if not citation.passage or start < 0 or end > len(passage):
        return f"<mark>{html.escape(citation.quote)}</mark>"
    return (
        html.escape(passage[:start])
        + f"<mark>{html.escape(passage[start:end])}</mark>"
        + html.escape(passage[end:])
    )


def sources_html(answer: Answer | None, turn: int) -> str:
    """The sources of one answer: title, heading path and the passage with the answering words highlighted."""
    if answer is None:
        return '<div class="wy-sources wy-empty">提问后，这里列出答案引用的原文段落。</div>'
    cards = []
    if answer.mode == "ask_back":
        cards.append('<div class="wy-sources-head">可能相关的文件（点击在左侧按该文件回答）</div>')
        for candidate in answer.candidates:
            cards.append(f'<div class="wy-card"><div class="wy-title">《{html.escape(candidate.title)}》</div>'
                         f'<div class="wy-passage">{html.escape(candidate.quote)}…</div></div>')
        return '<div class="wy-sources">' + "".join(cards) + "</div>"
    if answer.refused:
        cards.append('<div class="wy-refusal">文档中没有找到能回答这个问题的内容。以下段落可能相关：</div>')
        for hit in answer.related[:3]:
            chunk = hit.chunk
            cards.append(
                '<div class="wy-card wy-related">'
                f'<div class="wy-title">{html.escape(chunk.title)}</div>'
                f'<div class="wy-path">{html.escape(_path(chunk.heading_path))}</div>'
                f'<div class="wy-passage">{html.escape(chunk.text)}</div></div>'
            )
        return '<div class="wy-sources">' + "".join(cards) + "</div>"
    for citation in answer.citations:
        page = f" · {citation.page_label()}" if citation.page else ""
        about = " · ".join(part for part in (citation.number, citation.date) if part)
        cards.append(
            f'<div class="wy-card" id="wy-src-{turn}-{citation.n}">'
            f'<div class="wy-title"><a class="wy-chip" href="#wy-{turn}-{citation.n}">{citation.n}</a> '
            f"{html.escape(citation.title)}{page}</div>"
            + (f'<div class="wy-file">{html.escape(about)}</div>' if about else "")
            + f'<div class="wy-path">{html.escape(_path(citation.heading_path))}</div>'
            f'<div class="wy-passage">{_highlighted_passage(citation)}</div>'
            f'<a class="wy-open" href="#wy-{turn}-{citation.n}">查看原文 ›</a>'
            f'<a class="wy-open wy-only" href="#wy-only-{turn}-{citation.n}" title="之后的问题只从这份文件回答">'
            "只在此文件中提问</a></div>"
        )
    return '<div class="wy-sources"><div class="wy-sources-head">来源</div>' + "".join(cards) + "</div>"


def viewer_html(document: Document, citation: Citation | None, heading_path: tuple[str, ...] = ()) -> str:
    """The whole cleaned document, the cited words highlighted and marked for scrolling into view."""
    text = document.text
    if citation is not None:
        p_start, p_end = citation.passage_start, citation.passage_end
        if not (0 <= p_start <= citation.start and citation.end <= p_end <= len(text)):
            p_start, p_end = citation.start, citation.end
        body = (
            html.escape(text[:p_start])
            + '<span class="wy-passage-hl">'
            + html.escape(text[p_start : citation.start])
            + f'<mark id="wy-hl">{html.escape(text[citation.start : citation.end])}</mark>'
            + html.escape(text[citation.end : p_end])
            + "</span>"
            + html.escape(text[p_end:])
        )
    else:
        body = html.escape(text)
    page = f" · {citation.page_label()}" if citation is not None and citation.page else ""
    number = f" · {html.escape(document.number)}" if document.number else ""
    path = html.escape(_path(heading_path)) if heading_path else ""
    return (
        '<div class="wy-viewer">'
        '<div class="wy-viewer-head"><a class="wy-back" href="#wy-back">‹ 返回对话</a>'
        f'<div class="wy-title">{html.escape(document.title)}{number}{page}</div>'
        f'<div class="wy-path">{path}</div><div class="wy-file">{html.escape(document.path)}'
        f'<a class="wy-tasks-link" href="#wy-tasks:{quote(document.path)}" title="逐条列出本文件的任务、牵头和参与单位、时限">'
        "任务清单</a></div></div>"
        f'<div class="wy-doc">{body}</div></div>'
    )


def tasks_html(document: Document, rows: list[Task], downloads: tuple[tuple[str, str], ...] = (),
               linked: bool = True) -> str:
    """A document's 任务分解 as a table: 序号, 任务, 具体要求, 牵头单位, 参与单位, 完成时限, 出处; with `linked`, each
    出处 opens the item in the viewer. `downloads` are (label, href) of the same table as files."""
    head = (f'<div class="wy-title">《{html.escape(document.title)}》任务分解</div>'
            + (f'<div class="wy-file">{html.escape(document.number)}</div>' if document.number else "")
            + "".join(f'<a class="wy-download" href="{html.escape(href)}" download>{html.escape(label)}</a>'
                      for label, href in downloads))
    if not rows:
        return (f'<div class="wy-viewer wy-tasks"><div class="wy-viewer-head">{head}</div>'
                "<p>这份文件没有按“一、（一）1.”或“一要……二要……”分条列出的任务。</p></div>")
    cells = []
    for row in rows:
        due = due_text(row)
        where = html.escape(_path(("", *row.heading_path)) + (f"，第{row.page}页" if row.page else ""))
        if linked:
            where = f'<a href="#wy-at:{row.start}-{row.end}:{quote(document.path)}">{where}</a>'
        requirement = row.requirement if len(row.requirement) <= 160 else row.requirement[:160] + "……"
        cells.append(
            f"<tr><td>{row.n}</td><td>{html.escape(row.item)}</td><td>{html.escape(requirement)}</td>"
            f"<td>{html.escape(row.lead)}</td><td>{html.escape('、'.join(row.participants))}</td>"
            f"<td>{html.escape(due)}</td><td>{where}</td></tr>")
    return (f'<div class="wy-viewer wy-tasks"><div class="wy-viewer-head">{head}'
            f'<div class="wy-file">共 {len(rows)} 项；单位和时限按文件原文，文件没写的留空。</div></div>'
            '<div class="wy-doc"><table class="wy-task-table"><tr><th>序号</th><th>任务</th><th>具体要求</th>'
            "<th>牵头单位</th><th>参与单位</th><th>完成时限</th><th>出处</th></tr>"
            + "".join(cells) + "</table></div></div>")


def plain_text(answer: Answer) -> str:
    """The answer with its sources, ready to paste into a report."""
    text = _MARKER.sub(lambda m: f"[{m.group(1)}]", answer.text)
    if answer.refused:
        return text
    lines = [text, *([f"（{checked_note(answer)}）"] if answer.sentences else []), ""]
    for citation in answer.citations:
        page = f"，{citation.page_label()}" if citation.page else ""
        lines.append(f"【来源{citation.n}】{citation.source_line()}{page} {HEADING_SEPARATOR.join(citation.heading_path[1:])}")
        lines.append(f"    “{citation.quote.strip()}”")
    return "\n".join(lines)
