"""The Gradio chat: cited, clickable sources and a document viewer. Administration is a page of its own (admin.py)."""

from __future__ import annotations

import html
import logging
import os
import re
import time
import uuid
from contextlib import closing
from dataclasses import replace
from datetime import datetime
from urllib.parse import unquote

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # air-gapped intranets: nothing leaves the machine

import gradio as gr  # noqa: E402

from wenyuan.assistant import Assistant, QuestionRejected, checked_question  # noqa: E402
from wenyuan.export import answer_docx, export_name  # noqa: E402
from wenyuan.tasks import checklist, checklist_file  # noqa: E402
from wenyuan.types import Answer, Citation, Document, Scope  # noqa: E402
from wenyuan.web import render  # noqa: E402
from wenyuan.web.admin import expected  # noqa: E402
from wenyuan.web.questionlog import REASONS, QuestionLog  # noqa: E402

log = logging.getLogger(__name__)
# document types a person filters by; a type ending so counts (指导意见 is an 意见)
_KINDS = ("通知", "意见", "办法", "方案", "规定", "条例", "细则", "决定", "报告", "讲话", "批复", "请示", "函", "纪要", "规划",
          "决议")

CSS = """
.wy-chip{display:inline-block;min-width:1.3em;padding:0 .35em;margin:0 .1em;border-radius:.7em;background:#1d4ed8;
  color:#fff!important;font-size:.75em;line-height:1.4em;text-align:center;text-decoration:none!important;
  vertical-align:super;cursor:pointer}
.wy-chip:hover{background:#1e3a8a}
.wy-sources{font-size:.92em;max-height:560px;overflow-y:auto}
.wy-sources-head{font-weight:600;margin-bottom:.4em}
.wy-card{border:1px solid #d6dce5;border-radius:8px;padding:.6em .8em;margin-bottom:.6em;background:#fafbfd}
.wy-title{font-weight:600}
.wy-path{color:#555;font-size:.9em;margin:.2em 0}
.wy-passage{white-space:pre-wrap;line-height:1.6}
.wy-passage mark,.wy-doc mark{background:#fde68a;padding:0 .1em}
.wy-open{font-size:.9em}
.wy-refusal{border-left:4px solid #b45309;background:#fff7ed;padding:.6em .8em;margin-bottom:.6em;color:#7c2d12}
.wy-related{opacity:.85}
.wy-viewer{border:1px solid #d6dce5;border-radius:8px;background:#fff}
.wy-viewer-head{position:sticky;top:0;background:#eef2f8;padding:.6em .8em;border-bottom:1px solid #d6dce5}
.wy-file{color:#777;font-size:.8em}
.wy-doc{white-space:pre-wrap;line-height:1.8;padding:.8em;max-height:520px;overflow-y:auto}
.wy-passage-hl{background:#eef6ff}
#wy-cite-target{display:none}
.wy-copy-link{font-size:.8em;color:#1d4ed8!important;text-decoration:none!important;margin-left:.3em}
.wy-candidate{color:#1d4ed8!important;text-decoration:underline!important;cursor:pointer}
.wy-scope{display:inline-block;font-size:.8em;color:#475467;background:#eef2f8;border-radius:.6em;padding:0 .5em}
.wy-only{margin-left:1em}
.wy-back{display:none;font-size:.9em;color:#1d4ed8!important;text-decoration:none!important;margin-bottom:.3em}
@media (max-width:900px){.wy-back{display:inline-block}}
.wy-tasks-link,.wy-download{margin-left:.8em;font-size:1.1em;color:#1d4ed8!important}
""" + render.TASKS_CSS

# Clicks on citation chips and "查看原文" links travel to the server through a hidden textbox.
# Gradio labels its own controls in the browser's language; the assistant's users read Chinese, whatever the
# language of the machine's browser (an English Windows in an office): its labels are Chinese too. The server puts
# this at the top of each page (server._with_chinese_labels), before Gradio's scripts.
CHINESE_LABELS = """
<script>
try {
  Object.defineProperty(Navigator.prototype, 'language', {get: () => 'zh-CN', configurable: true});
  Object.defineProperty(Navigator.prototype, 'languages', {get: () => ['zh-CN', 'zh'], configurable: true});
} catch (error) {}
</script>
"""

HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#wy-"]');
  if (!link) return;
  event.preventDefault();
  if (link.getAttribute('href') === '#wy-back') {  // from the source viewer back to the conversation (phones)
    const chat = document.getElementById('wy-chat');
    if (chat) chat.scrollIntoView({block: 'start', behavior: 'smooth'});
    return;
  }
  const box = document.querySelector('#wy-cite-target textarea, #wy-cite-target input');
  if (!box) return;
  box.value = link.getAttribute('href').slice(4) + '|' + Date.now();
  box.dispatchEvent(new Event('input', {bubbles: true}));
});
</script>
"""

# After a link click: scroll the viewer to the highlighted passage, or put a copied answer on the clipboard
# (navigator.clipboard needs https or localhost; plain-http intranets get the older execCommand).
AFTER_LINK = """
(target, text) => {
  if ((target || '').startsWith('word-')) {
    setTimeout(() => { const link = document.getElementById('wy-word-link'); if (link) link.click(); }, 300);
    return;
  }
  if ((target || '').startsWith('copy-')) {
    if (!text) return;
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).catch(() => {}); return; }
    const area = document.createElement('textarea');
    area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } catch (error) {}
    area.remove();
    return;
  }
  setTimeout(() => { const mark = document.getElementById('wy-hl');
    if (mark) mark.scrollIntoView({block: 'center', behavior: 'smooth'}); }, 150);
}
"""

def example_questions(assistant: Assistant, limit: int = 6) -> list[str]:
    """Questions a person would ask, made from the documents' own names and their section headings that list items:
    one a document, the client's speech first."""
    try:
        index = assistant.index
    except Exception:  # no index yet: no examples
        return []
    questions: list[str] = []
    used: set[str] = set()
    for doc_id, structure in sorted(index.structures.items(), key=lambda item: item[1].outline_span is None):
        for heading in structure.headings:
            if heading.level not in (4, 5) or heading.outline or heading.end == heading.start:
                continue
            if len(structure.children(heading, structure.section_end(heading))) < 2:
                continue
            words = re.sub(r"^[（(]?[一二三四五六七八九十]+[、）)．.]", "", heading.text).strip()
            if not 2 <= len(words) <= 16 or words in used:
                continue  # each example asks about something else: not 总体要求 six times over
            name = _short_name(index.documents[doc_id].title)
            if not name:
                break  # a question without its document's name reads as if it were about any document
            questions.append(_example(name, words))
            used.add(words)
            break
        if len(questions) >= limit:
            break
    return questions


def _short_name(title: str) -> str:
    """A document's name as people say it: 国务院办公厅关于推进政务新媒体健康有序发展的意见 → 推进政务新媒体健康有序发展的意见;
    a 印发 notice by what it sends out; too long a name is left out."""
    wrapped = re.search(r"印发《?(.+?)》?的?通知$", title)
    name = wrapped.group(1) if wrapped else re.sub(r"^.{2,20}?关于", "", title)
    return name if len(name) <= _NAME_CHARS else ""


def _example(document: str, words: str) -> str:
    """总体要求 → 《…》提出了哪些总体要求？; 基本原则 → 《…》有哪些基本原则？; 工作目标 → 《…》的工作目标是什么？;
    加强组织领导 → 《…》在“加强组织领导”方面提了哪些要求？"""
    named = f"《{document}》"
    if words.endswith("要求"):
        return f"{named}提出了哪些{words}？"
    if words.endswith(_LISTED):
        return f"{named}有哪些{words}？"
    if words.endswith(("目标", "目标任务", "指导思想", "适用范围")):
        return f"{named}的{words}是什么？"
    return f"{named}在“{words}”方面提了哪些要求？"


_NAME_CHARS = 24
_LISTED = ("原则", "任务", "措施", "举措", "重点", "条件", "材料", "职责", "内容", "机制", "途径", "方式")


class ChatHandlers:
    """What the chat's buttons do; kept apart from the layout so tests and the API can call them."""

    def __init__(self, assistant: Assistant, stream_delay: float = 0.02, questions: QuestionLog | None = None,
                 exports=None) -> None:
        self.assistant = assistant
        self.stream_delay = stream_delay
        self.questions = questions
        self.exports = exports  # server.Exports: where "导出 Word" files wait to be downloaded

    def scope_choices(self):
        """The choices of the scope selectors, from the documents indexed now."""
        try:
            documents = self.assistant.catalogue()
        except Exception:  # no index yet: nothing to choose from
            documents = []
        kinds = sorted({kind for kind in _KINDS if any(d.kind.endswith(kind) for d in documents)}
                       | {d.kind for d in documents if d.kind})
        years = sorted({d.year for d in documents if d.year}, reverse=True)
        issuers = sorted({d.issuer for d in documents if d.issuer})
        return (gr.update(choices=[(d.title, d.path) for d in documents]), gr.update(choices=kinds),
                gr.update(choices=years), gr.update(choices=issuers))

    def respond(self, question: str, messages: list, history: list[Answer], documents: list[str] | None = None,
                kind: str | None = None, year: int | None = None, issuer: str | None = None):
        """The answer to a question, streamed into the chat; the scope selectors' choice limits it."""
        scope = Scope.chosen(documents, kind, year, issuer)
        question = (question or "").strip()
        if not question:
            yield messages, history, gr.skip(), "", gr.skip()
            return
        try:
            checked_question(question, self.assistant.settings.max_question_chars)
        except QuestionRejected as error:
            gr.Warning(str(error))
            yield messages, history, gr.skip(), gr.skip(), gr.skip()  # the question stays in the box, unanswered
            return
        turn = len(history)
        messages = [*messages, {"role": "user", "content": render._text(question)}, {"role": "assistant", "content": ""}]
        answer, written, began = None, False, time.perf_counter()
        with closing(self.assistant.ask_stream(question, history, scope=scope)) as items:
            for item in items:
                if isinstance(item, Answer):
                    answer = item
                    break
                written = True  # an LLM writing: its raw text as it grows
                messages[-1] = {"role": "assistant", "content": render.draft_markdown(item)}
                yield messages, history, gr.skip(), "", gr.skip()
        if self.questions is not None:
            answer = replace(answer, log_id=self.questions.record("chat", answer, time.perf_counter() - began))
        history = [*history, answer]
        if not written:  # the extractive answer is whole at once: shown in pieces, one cited statement at a time
            for point in render.stream_points(answer)[:-1]:
                messages[-1] = {"role": "assistant", "content": render.chat_markdown(answer, turn, point)}
                yield messages, history, gr.skip(), "", gr.skip()
                time.sleep(self.stream_delay)
        messages[-1] = {"role": "assistant", "content": render.chat_markdown(answer, turn)}
        yield messages, history, render.sources_html(answer, turn), "", render.plain_text(answer)

    def rate(self, history: list[Answer], feedback: gr.LikeData) -> None:
        """👍, 👎 or a reason from the flag menu under an answer, stored with it in the question log."""
        index = feedback.index[0] if isinstance(feedback.index, (list, tuple)) else feedback.index
        turn = int(index) // 2  # the chat alternates question and answer
        if self.questions is None or not 0 <= turn < len(history) or not history[turn].log_id:
            return
        liked = feedback.liked
        if liked is True or liked == "Like":
            rating, reason = "up", ""
        elif liked is False or liked == "Dislike":
            rating, reason = "down", ""
        elif isinstance(liked, str) and liked:
            rating, reason = "down", liked
        else:
            return  # a rating taken back
        self.questions.rate(history[turn].log_id, rating, reason)
        gr.Info("已记录您的评价，谢谢！" if rating == "up" else "已记录您的意见，谢谢！管理员会据此补充或核对文件。")

    def follow_link(self, target: str, history: list[Answer], messages: list):
        """A click on a citation chip or "查看原文" ("<turn>-<n>|…"), on an answer's copy or Word link
        ("copy-<turn>|…", "word-<turn>|…"), on "只在此文件中提问" ("only-<turn>-<n>|…"), on a document an ask-back
        offers ("ask-<turn>-<k>|…"), on a viewer's "任务清单" ("tasks:<path>|…") or on an item of that list
        ("at:<start>-<end>:<path>|…"): the updates of LINK_OUTPUTS it makes, the others left as they are."""
        word = re.match(r"word-(\d+)", target or "")
        if word:
            turn = int(word.group(1))
            if turn >= len(history) or self.exports is None:
                return _link_updates()
            name = export_name(history[turn].question)
            token = self.exports.put(name, answer_docx(history[turn].to_json()))
            return _link_updates(word=f'<a id="wy-word-link" href="api/export/{token}" download="{html.escape(name)}">'
                                      f"下载 Word：{html.escape(name)}</a>")
        copy = re.match(r"copy-(\d+)", target or "")
        if copy:
            turn = int(copy.group(1))
            if turn >= len(history):
                return _link_updates()
            gr.Info(f"第 {turn + 1} 条回答（含来源）已放入“复制答案”框并尝试复制到剪贴板；"
                    "若未复制成功，请点击该框右上角的复制按钮。")
            return _link_updates(copy=render.plain_text(history[turn]))
        chosen = re.match(r"ask-(\d+)-(\d+)", target or "")
        if chosen:
            return _link_updates(**self.answer_in(int(chosen.group(1)), int(chosen.group(2)), history, messages))
        only = re.match(r"only-(\d+)-(\d+)", target or "")
        if only:  # "只在此文件中提问": the scope becomes that document, for the questions that follow
            turn, n = int(only.group(1)), int(only.group(2))
            if turn >= len(history) or not 1 <= n <= len(history[turn].citations):
                return _link_updates()
            citation = history[turn].citations[n - 1]
            gr.Info(f"之后的问题只从《{citation.title}》回答；在“限定提问范围”中可清除。")
            return _link_updates(scope=[citation.doc])
        checklist = re.match(r"tasks:([^|]*)", target or "")
        if checklist:
            return _link_updates(viewer=self.checklist(unquote(checklist.group(1))))
        place = re.match(r"at:(\d+)-(\d+):([^|]*)", target or "")
        if place:
            return _link_updates(viewer=self.open_place(unquote(place.group(3)), int(place.group(1)),
                                                        int(place.group(2))))
        return _link_updates(viewer=self.open_citation(target, history))

    def checklist(self, path: str) -> str:
        """A document's 任务分解 in the viewer, with its Excel and Word files to download."""
        document = self._document(path)
        if document is None:
            return "<div class='wy-viewer'>该文档已从索引中删除。</div>"
        rows = checklist(self.assistant.index, document.id)
        downloads = ()
        if self.exports is not None and rows:
            downloads = tuple((label, "api/export/" + self.exports.put(*checklist_file(document, rows, suffix)))
                              for label, suffix in (("下载 Excel", "xlsx"), ("下载 Word", "docx")))
        return render.tasks_html(document, rows, downloads)

    def open_place(self, path: str, start: int, end: int) -> str:
        """The viewer at a span of a document (an item of its 任务分解)."""
        document = self._document(path)
        if document is None or not 0 <= start < end <= len(document.text):
            return "<div class='wy-viewer'>找不到这段原文（文档可能已更新）。</div>"
        structure = self.assistant.index.structures[document.id]
        place = Citation(0, document.path, document.title, structure.path_at(start), start, end,
                         document.text[start:end], 0.0, start, end, document.text[start:end],
                         document.page_at(start))
        return render.viewer_html(document, place, place.heading_path)

    def answer_in(self, turn: int, k: int, history: list[Answer], messages: list) -> dict:
        """The question of an ask-back, answered from the document the user picked: the chat, history and sources."""
        if turn >= len(history) or not 0 <= k < len(history[turn].candidates):
            return {}
        asked, candidate = history[turn], history[turn].candidates[k]
        answer = self.assistant.ask(asked.question, history[:turn], documents=[candidate.doc])
        new_turn = len(history)
        messages = [*messages, {"role": "user", "content": render._text(f"《{candidate.title}》：{asked.question}")},
                    {"role": "assistant", "content": render.chat_markdown(answer, new_turn)}]
        return {"chat": messages, "history": [*history, answer], "sources": render.sources_html(answer, new_turn)}

    def open_citation(self, target: str, history: list[Answer]) -> str:
        match = re.match(r"(\d+)-(\d+)", target or "")
        if not match:
            return gr.skip()
        turn, n = int(match.group(1)), int(match.group(2))
        if turn >= len(history) or not 1 <= n <= len(history[turn].citations):
            return "<div class='wy-viewer'>找不到这条来源。</div>"
        citation: Citation = history[turn].citations[n - 1]
        document = self._document(citation.doc)
        if document is None:
            return "<div class='wy-viewer'>该文档已从索引中删除。</div>"
        if document.text[citation.start : citation.end] != citation.quote:
            return render.viewer_html(document, None) + "<div class='wy-refusal'>文档在回答后已更新，无法定位原段落。</div>"
        return render.viewer_html(document, citation, citation.heading_path)

    def _document(self, path: str) -> Document | None:
        return self.assistant.index.document_at(path)

    @staticmethod
    def new_conversation():
        return [], [], render.sources_html(None, 0), "", "", "", ""

    # ---- past conversations, kept in the person's own browser (localStorage), never on the server -------------
    @staticmethod
    def remember(conversation: str, messages: list, history: list[Answer], saved: list | None):
        """Keeps the conversation so far in the browser's list (newest first); returns its id, the list, choices."""
        if not history:
            return conversation, gr.skip(), gr.skip()
        conversation = conversation or uuid.uuid4().hex[:12]
        kept = [entry for entry in (saved or []) if entry.get("id") != conversation]
        entry = {"id": conversation, "title": history[0].question[:40], "time": datetime.now().strftime("%m-%d %H:%M"),
                 "messages": messages, "answers": [answer.to_json(answer.log_id or None) for answer in history]}
        kept = [entry, *kept][:_KEPT_CONVERSATIONS]
        return conversation, kept, gr.update(choices=_past_choices(kept), value=None)

    @staticmethod
    def past(saved: list | None):
        return gr.update(choices=_past_choices(saved or []), value=None)

    @staticmethod
    def reopen(choice: str | None, saved: list | None):
        """An earlier conversation back in the chat, its answers as data again (follow-ups and citations work)."""
        entry = next((entry for entry in saved or [] if entry.get("id") == choice), None)
        if entry is None:
            return (gr.skip(),) * 7
        try:
            history = [Answer.from_json(answer) for answer in entry["answers"]]
        except (KeyError, TypeError, ValueError):
            gr.Warning("这条历史对话无法打开（格式已变），可将其删除。")
            return (gr.skip(),) * 7
        last = len(history) - 1
        return (entry["messages"], history, render.sources_html(history[-1], last), entry["id"], "", "", "")

    @staticmethod
    def forget(choice: str | None, saved: list | None):
        kept = [entry for entry in saved or [] if entry.get("id") != choice]
        return kept, gr.update(choices=_past_choices(kept), value=None)


_KEPT_CONVERSATIONS = 30
# what a link click (ChatHandlers.follow_link) may change, in the order the event lists its outputs
LINK_OUTPUTS = ("viewer", "copy", "chat", "history", "sources", "scope", "word")


def _link_updates(**changed) -> tuple:
    return tuple(changed.get(name, gr.skip()) for name in LINK_OUTPUTS)



def _past_choices(saved: list) -> list[tuple[str, str]]:
    return [(f"{entry.get('time', '')}　{entry.get('title', '')}", entry["id"]) for entry in saved if entry.get("id")]


def build_ui(assistant: Assistant, questions: QuestionLog | None = None, exports=None) -> gr.Blocks:
    """The whole browser app; `assistant` must be able to load or build its index."""
    chat = ChatHandlers(assistant, questions=questions, exports=exports)
    with gr.Blocks(title="文渊 · 文件问答", analytics_enabled=False) as demo:
        history = gr.State([])
        conversation = gr.State("")  # the id this conversation is kept under in the browser
        # the browser keeps its own conversations; a fixed secret so that a restarted server can still read them
        saved = gr.BrowserState([], storage_key="wenyuan-conversations", secret="wenyuan-conversations-v1")
        gr.Markdown("## 文渊 · 文件问答助手\n根据已收录的文件回答问题，每句话都注明出处。文件中没有的内容，会直接说明“没有找到”。"
                    "　[文档管理](admin/)")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="对话", height=460, elem_id="wy-chat", buttons=[],
                            feedback_options=("Like", "Dislike", *REASONS) if questions is not None else None,
                            placeholder="请在下方输入问题，回答中的蓝色数字可点击查看原文。",
                        )
                        with gr.Accordion("限定提问范围（可选）", open=False, elem_id="wy-scope"):
                            with gr.Row():
                                scope_documents = gr.Dropdown(
                                    label="只在这些文件中回答", multiselect=True, choices=[], elem_id="wy-scope-docs",
                                    scale=3)
                                scope_kind = gr.Dropdown(label="文件类型", choices=[], elem_id="wy-scope-kind")
                                scope_year = gr.Dropdown(label="年份", choices=[], elem_id="wy-scope-year")
                                scope_issuer = gr.Dropdown(label="发文机关", choices=[], elem_id="wy-scope-issuer")
                            clear_scope = gr.Button("清除范围", size="sm", elem_id="wy-scope-clear")
                        with gr.Row():
                            question = gr.Textbox(
                                placeholder="请输入问题，例如：学习教育的目标任务是什么？", show_label=False,
                                scale=5, elem_id="wy-question", max_lines=4,
                            )
                            send = gr.Button("提问", variant="primary", scale=1, elem_id="wy-send")
                        examples = example_questions(assistant)
                        example_set = (
                            gr.Examples(examples=[[q] for q in examples], inputs=[question], label="示例问题").dataset
                            if examples else None
                        )
                        with gr.Row():
                            new_chat = gr.Button("新对话", elem_id="wy-new", size="sm")
                        with gr.Accordion("历史对话（只保存在本浏览器中）", open=False, elem_id="wy-past"):
                            with gr.Row():
                                past_choice = gr.Dropdown(label="以前的对话", choices=[], elem_id="wy-past-choice",
                                                          scale=3)
                                past_open = gr.Button("打开", size="sm", elem_id="wy-past-open")
                                past_delete = gr.Button("删除", size="sm", variant="stop", elem_id="wy-past-delete")
                        copy_box = gr.Textbox(
                            label="复制答案（含来源，可直接粘贴到材料中）", buttons=["copy"], lines=4,
                            interactive=False, elem_id="wy-copy",
                        )
                        word_link = gr.HTML("", elem_id="wy-word")
                    with gr.Column(scale=2):
                        viewer = gr.HTML("", elem_id="wy-viewer")
                        sources = gr.HTML(render.sources_html(None, 0), elem_id="wy-sources")
                cite_target = gr.Textbox(visible="hidden", elem_id="wy-cite-target")


        ask_outputs = [chatbot, history, sources, question, copy_box]
        scope_inputs = [scope_documents, scope_kind, scope_year, scope_issuer]
        for trigger in (send.click, question.submit):  # answers take milliseconds: many users at once is fine
            trigger(chat.respond, [question, chatbot, history, *scope_inputs], ask_outputs, api_visibility="private",
                    concurrency_limit=16).then(chat.remember, [conversation, chatbot, history, saved],
                                               [conversation, saved, past_choice], api_visibility="private")
        demo.load(chat.past, [saved], past_choice, api_visibility="private")
        past_open.click(chat.reopen, [past_choice, saved],
                        [chatbot, history, sources, conversation, viewer, copy_box, word_link], api_visibility="private")
        past_delete.click(chat.forget, [past_choice, saved], [saved, past_choice], api_visibility="private")
        demo.load(chat.scope_choices, None, scope_inputs, api_visibility="private")
        clear_scope.click(lambda: (None, None, None, None), None, scope_inputs, api_visibility="private")
        cleared = [chatbot, history, sources, viewer, copy_box, word_link, conversation]
        new_chat.click(chat.new_conversation, None, cleared, api_visibility="private")
        chatbot.like(chat.rate, [history], None, api_visibility="private")
        chatbot.clear(chat.new_conversation, None, cleared, api_visibility="private")  # its own trash button
        cite_target.change(
            chat.follow_link, [cite_target, history, chatbot],
            [viewer, copy_box, chatbot, history, sources, scope_documents, word_link],  # LINK_OUTPUTS
            api_visibility="private",
        ).then(None, [cite_target, copy_box], None, js=AFTER_LINK)

        if example_set is not None:  # new documents bring their own example questions, on every page load
            def current_examples():
                return gr.Dataset(samples=[[q] for q in example_questions(assistant)])

            demo.load(current_examples, None, example_set, api_visibility="private")

        def ask(question: str, documents: list[str] | None = None, filters: dict | None = None) -> dict:
            """Ask a question; returns the answer with its citations as JSON (the CLI's --json schema). `documents`
            (paths as in citations' doc) and `filters` ({"type", "year", "issuer"}) limit it to those documents."""
            began = time.perf_counter()
            filters = filters if isinstance(filters, dict) else {}
            try:
                scope = Scope.chosen(documents, filters.get("type"), filters.get("year"), filters.get("issuer"))
            except (TypeError, ValueError):
                raise expected("filters.year 应是年份数字，例如 2019") from None
            try:
                answer = assistant.ask(question, scope=scope)
            except QuestionRejected as error:
                raise expected(str(error)) from None
            if questions is not None:
                questions.record("gradio-api", answer, time.perf_counter() - began)
            return answer.to_json()

        gr.api(ask, api_name="ask", concurrency_limit=16)  # as the chat: answers take milliseconds

    return demo
