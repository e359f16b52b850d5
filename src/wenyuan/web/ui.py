"""The Gradio app: a Chinese chat with cited, clickable sources and a document viewer; a documents tab for admins."""

from __future__ import annotations

import hmac
import logging
import os
import re
import shutil
import time
import tempfile
import unicodedata
import uuid
from contextlib import closing
from datetime import datetime
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # air-gapped intranets: nothing leaves the machine

import gradio as gr  # noqa: E402

from wenyuan.assistant import Assistant, QuestionRejected, checked_question  # noqa: E402
from wenyuan.index import STAGE_LABELS, IndexBusy  # noqa: E402
from wenyuan.web.questionlog import QuestionLog  # noqa: E402
from wenyuan.ingest import SUPPORTED_SUFFIXES  # noqa: E402
from wenyuan.types import Answer, Citation, Document  # noqa: E402
from wenyuan.web import render  # noqa: E402

log = logging.getLogger(__name__)

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
"""

# Clicks on citation chips and "查看原文" links travel to the server through a hidden textbox.
HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#wy-"]');
  if (!link) return;
  event.preventDefault();
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

# The admin token also opens a session cookie for Gradio's file upload route (see server.py), from the browser.
ADMIN_SESSION = """
async (token) => {
  try { await fetch('api/admin/session', {method: 'POST', headers: {'X-Wenyuan-Admin': encodeURIComponent(token || '')},
                                           credentials: 'same-origin'}); } catch (error) {}
}
"""

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_filename(name: str) -> str:
    """A file name that stays inside data/: no folders, no control characters, no leading dots; Chinese kept."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    base = _UNSAFE_NAME.sub("_", base).strip().lstrip(".")
    if not base or base in (".", ".."):
        raise ValueError(f"unusable file name: {name!r}")
    return base[:150]


def example_questions(assistant: Assistant, limit: int = 6) -> list[str]:
    """Questions made from the loaded documents' section headings that list items, the client's speech first."""
    try:
        index = assistant.index
    except Exception:  # no index yet: no examples
        return []
    questions: list[str] = []
    for doc_id, structure in sorted(index.structures.items(), key=lambda item: item[1].outline_span is None):
        for heading in structure.headings:
            if heading.level not in (4, 5) or heading.outline or heading.end == heading.start:
                continue
            if len(structure.children(heading, structure.section_end(heading))) < 2:
                continue
            words = re.sub(r"^[（(]?[一二三四五六七八九十]+[、）)]", "", heading.text)
            question = f"{words}有哪些要求？"
            if 2 <= len(words) <= 20 and question not in questions:
                questions.append(question)
                break
        if len(questions) >= limit:
            break
    return questions


def _expected(message: str) -> gr.Error:
    """An error the person who caused it is shown, and the log is not: a wrong password is no incident."""
    return gr.Error(message, print_exception=False)


OPEN_ADMIN_BANNER = ("**注意：未设置管理口令（WENYUAN_ADMIN_TOKEN）**，任何能打开本页的人都可以上传、删除文档和"
                     "重建索引。在内网正式使用前请设置口令。")
RECYCLE_FOLDER = ".回收站"  # inside data/; hidden, so never indexed


def _reading(entry: dict) -> str:
    """How a file was read, as the documents table shows it: reader, pages, characters, OCR pages, warnings."""
    parts = [entry.get("reader") or "—"]
    if entry.get("pages"):
        parts.append(f"{entry['pages']} 页")
    if "characters" in entry:
        parts.append(f"{entry['characters']} 字")
    if entry.get("ocr_pages"):
        parts.append(f"OCR {len(entry['ocr_pages'])} 页")
    if entry.get("warnings"):
        parts.append("⚠ " + "；".join(entry["warnings"]))
    return "，".join(parts)


def _local_time(stamp: str) -> str:
    """An ISO time from the manifest (UTC) in the server's local time, with its UTC offset: 2026-11-27 08:05 +08:00."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    local = moment.astimezone()
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M") + (f" {offset[:3]}:{offset[3:]}" if offset else "")


class ChatHandlers:
    """What the chat's buttons do; kept apart from the layout so tests and the API can call them."""

    def __init__(self, assistant: Assistant, stream_delay: float = 0.02, questions: QuestionLog | None = None) -> None:
        self.assistant = assistant
        self.stream_delay = stream_delay
        self.questions = questions

    def respond(self, question: str, messages: list, history: list[Answer]):
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
        with closing(self.assistant.ask_stream(question, history)) as items:
            for item in items:
                if isinstance(item, Answer):
                    answer = item
                    break
                written = True  # an LLM writing: its raw text as it grows
                messages[-1] = {"role": "assistant", "content": render.draft_markdown(item)}
                yield messages, history, gr.skip(), "", gr.skip()
        history = [*history, answer]
        if self.questions is not None:
            self.questions.record("chat", answer, time.perf_counter() - began)
        if not written:  # the extractive answer is whole at once: shown in pieces, one cited statement at a time
            for point in render.stream_points(answer)[:-1]:
                messages[-1] = {"role": "assistant", "content": render.chat_markdown(answer, turn, point)}
                yield messages, history, gr.skip(), "", gr.skip()
                time.sleep(self.stream_delay)
        messages[-1] = {"role": "assistant", "content": render.chat_markdown(answer, turn)}
        yield messages, history, render.sources_html(answer, turn), "", render.plain_text(answer)

    def follow_link(self, target: str, history: list[Answer], messages: list):
        """A click on a citation chip or "查看原文" ("<turn>-<n>|…"), on an answer's copy link ("copy-<turn>|…") or
        on a document an ask-back offers ("ask-<turn>-<k>|…"): returns the viewer, the copy box, and for an
        ask-back the chat, its history and the sources with the question answered from that document."""
        unchanged = gr.skip(), gr.skip(), gr.skip()
        copy = re.match(r"copy-(\d+)", target or "")
        if copy:
            turn = int(copy.group(1))
            if turn >= len(history):
                return gr.skip(), gr.skip(), *unchanged
            gr.Info(f"第 {turn + 1} 条回答（含来源）已放入“复制答案”框并尝试复制到剪贴板；"
                    "若未复制成功，请点击该框右上角的复制按钮。")
            return gr.skip(), render.plain_text(history[turn]), *unchanged
        chosen = re.match(r"ask-(\d+)-(\d+)", target or "")
        if chosen:
            return gr.skip(), gr.skip(), *self.answer_in(int(chosen.group(1)), int(chosen.group(2)), history, messages)
        return self.open_citation(target, history), gr.skip(), *unchanged

    def answer_in(self, turn: int, k: int, history: list[Answer], messages: list):
        """The question of an ask-back, answered from the document the user picked."""
        if turn >= len(history) or not 0 <= k < len(history[turn].candidates):
            return gr.skip(), gr.skip(), gr.skip()
        asked, candidate = history[turn], history[turn].candidates[k]
        answer = self.assistant.ask(asked.question, history[:turn], documents=[candidate.doc])
        new_turn = len(history)
        messages = [*messages, {"role": "user", "content": render._text(f"《{candidate.title}》：{asked.question}")},
                    {"role": "assistant", "content": render.chat_markdown(answer, new_turn)}]
        return messages, [*history, answer], render.sources_html(answer, new_turn)

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
        return next((d for d in self.assistant.index.documents.values() if d.path == path), None)

    @staticmethod
    def new_conversation():
        return [], [], render.sources_html(None, 0), "", ""


class AdminHandlers:
    """The documents tab: list, upload, delete, rebuild. Every call checks the admin token when one is set."""

    def __init__(self, assistant: Assistant, questions: QuestionLog | None = None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.questions = questions

    def export_questions(self, token: str | None) -> str:
        """The question log as a CSV file to download."""
        self.check(token)
        if self.questions is None:
            raise _expected("没有启用问答记录（WENYUAN_QUESTION_LOG）。")
        folder = Path(tempfile.mkdtemp(prefix="wenyuan-export-"))
        path = folder / f"问答记录-{datetime.now().strftime('%Y%m%d-%H%M')}.csv"
        path.write_text(self.questions.to_csv(), encoding="utf-8")
        return str(path)

    def check(self, token: str | None) -> None:
        expected = self.settings.admin_token
        if expected and not hmac.compare_digest((token or "").encode(), expected.encode()):
            raise _expected("需要正确的管理口令。")

    def login(self, token: str):
        self.check(token)
        return gr.update(visible=True), "已登录。", *self.listing(token)

    def listing(self, token: str | None = None):
        self.check(token)
        try:
            manifest = self.assistant.index.manifest
        except Exception as error:
            return [], f"索引不可用：{error}", gr.update(choices=[])
        rows = [[d["title"], d["path"], _reading(d), d["chunks"], _local_time(d["indexed_at"])]
                for d in manifest["documents"]]
        failed = manifest.get("skipped", [])
        note = "；".join(f"{item['path']}：{item['reason']}" for item in failed)
        warned = "；".join(f"{d['path']}：{'，'.join(d['warnings'])}" for d in manifest["documents"] if d.get("warnings"))
        status = f"共 {len(rows)} 篇文档，{manifest['chunks']} 个片段。" + (f"\n\n**未能索引：** {note}" if note else "")
        status += f"\n\n**请核对：** {warned}" if warned else ""
        # files that failed to index can be removed too (a broken upload should not stay in data/ for ever)
        choices = [d["path"] for d in manifest["documents"]] + [item["path"] for item in failed]
        return rows, status, gr.update(choices=choices, value=None)

    def upload(self, files: list | None, token: str | None) -> str:
        """Copies the picked files into data/ (names sanitised, type and size checked); says what it did."""
        self.check(token)
        if not files:
            return "请选择要上传的文件。"
        data = self.settings.data_dir.resolve()
        data.mkdir(parents=True, exist_ok=True)
        limit = int(self.settings.max_file_mb * (1 << 20))
        lines = []
        for item in files:
            source = Path(getattr(item, "name", item))
            original = getattr(item, "orig_name", None) or source.name
            try:
                name = safe_filename(original)
            except ValueError as error:
                lines.append(f"✗ {original}：{error}")
                continue
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                lines.append(f"✗ {name}：不支持的文件类型（支持 {' '.join(sorted(SUPPORTED_SUFFIXES))}）")
                continue
            if source.stat().st_size > limit:
                lines.append(f"✗ {name}：超过 {self.settings.max_file_mb:g} MB 的上限")
                continue
            target = (data / name).resolve()
            if target.parent != data:
                lines.append(f"✗ {original}：文件名不安全")
                continue
            existed = target.exists()
            # copied under a hidden name, then renamed: a rebuild never sees half a file
            partial = data / f".{uuid.uuid4().hex}.upload"
            try:
                shutil.copyfile(source, partial)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            lines.append(f"✓ {name}{'（已替换旧版本）' if existed else ''}")
        return "\n\n".join(lines) + "\n\n上传完成后请点击“重建索引”。"

    def delete(self, path: str | None, token: str | None) -> str:
        self.check(token)
        if not path:
            return "请先选择要删除的文档。"
        data = self.settings.data_dir.resolve()
        target = (data / path).resolve()
        if data not in target.parents or not target.is_file():
            return f"找不到文档：{path}"
        recycle = data / RECYCLE_FOLDER / datetime.now().strftime("%Y%m%d-%H%M%S")
        recycle.mkdir(parents=True, exist_ok=True)
        os.replace(target, recycle / target.name)  # moved aside, not destroyed: an administrator can put it back
        return (f"已将 {path} 移入回收文件夹 {RECYCLE_FOLDER}/{recycle.name}/（可从那里恢复）。"
                "点击“重建索引”后，它将不再出现在回答中。")

    def rebuild(self, token: str | None, progress=gr.Progress()):
        self.check(token)

        def report_progress(stage: str, done: int, total: int) -> None:
            progress(done / total if total else 1.0, desc=f"{STAGE_LABELS.get(stage, stage)} {done}/{total}")

        try:
            report = self.assistant.build(progress=report_progress, wait=False)
        except IndexBusy as error:
            rows, status, choices = self.listing(token)
            return f"**未重建**：{error}", rows, status, choices
        summary = (
            f"**重建完成**：新增 {len(report.added)}，更新 {len(report.changed)}，删除 {len(report.removed)}，"
            f"未变 {len(report.unchanged)}，跳过 {len(report.skipped)}；共 {report.chunks} 个片段，"
            f"本次向量化 {report.embedded} 个，用时 {report.seconds:.1f} 秒。"
        )
        if report.skipped:
            summary += "\n\n" + "\n\n".join(f"跳过 {path}：{reason}" for path, reason in report.skipped)
        rows, status, choices = self.listing(token)
        return summary, rows, status, choices


def build_ui(assistant: Assistant, questions: QuestionLog | None = None) -> gr.Blocks:
    """The whole browser app; `assistant` must be able to load or build its index."""
    chat = ChatHandlers(assistant, questions=questions)
    admin = AdminHandlers(assistant, questions)
    protected = bool(assistant.settings.admin_token)
    if not protected:
        log.warning("administration is open: set WENYUAN_ADMIN_TOKEN to require a password for upload, delete and rebuild")

    # delete_cache: Gradio keeps uploaded files in its temp folder; drop them after an hour (they are copied to data/)
    with gr.Blocks(title="文渊 · 文件问答", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        history = gr.State([])
        gr.Markdown("## 文渊 · 文件问答助手\n根据已收录的文件回答问题，每句话都注明出处。文件中没有的内容，会直接说明“没有找到”。")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="对话", height=460, elem_id="wy-chat", feedback_options=None, buttons=[],
                            placeholder="请在下方输入问题，回答中的蓝色数字可点击查看原文。",
                        )
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
                        copy_box = gr.Textbox(
                            label="复制答案（含来源，可直接粘贴到材料中）", buttons=["copy"], lines=4,
                            interactive=False, elem_id="wy-copy",
                        )
                    with gr.Column(scale=2):
                        viewer = gr.HTML("", elem_id="wy-viewer")
                        sources = gr.HTML(render.sources_html(None, 0), elem_id="wy-sources")
                cite_target = gr.Textbox(visible="hidden", elem_id="wy-cite-target")

            with gr.Tab("文档管理", id="docs"):
                if not protected:
                    gr.Markdown(OPEN_ADMIN_BANNER, elem_id="wy-open-admin")
                token = gr.Textbox(label="管理口令", type="password", visible=protected, elem_id="wy-token")
                login = gr.Button("登录", visible=protected, elem_id="wy-login")
                login_status = gr.Markdown("")
                with gr.Column(visible=not protected) as admin_panel:
                    status = gr.Markdown("", elem_id="wy-doc-status")
                    table = gr.Dataframe(
                        headers=["标题", "文件", "读取", "片段数", "索引时间"], interactive=False, elem_id="wy-doc-table",
                        wrap=True, column_widths=["30%", "28%", "22%", "6%", "14%"],
                    )
                    with gr.Row():
                        upload_files = gr.File(
                            label=f"上传文档（{' '.join(sorted(SUPPORTED_SUFFIXES))}，单个不超过 "
                                  f"{assistant.settings.max_file_mb:g} MB）",
                            file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), elem_id="wy-upload",
                        )
                        with gr.Column():
                            upload_button = gr.Button("上传", elem_id="wy-upload-button")
                            upload_status = gr.Markdown("", elem_id="wy-upload-status")
                    with gr.Row():
                        delete_choice = gr.Dropdown(label="选择要删除的文档", choices=[], elem_id="wy-delete-choice")
                        delete_button = gr.Button("删除", variant="stop", elem_id="wy-delete")
                    rebuild_button = gr.Button("重建索引（只处理新增和修改的文件）", variant="primary", elem_id="wy-rebuild")
                    rebuild_status = gr.Markdown("", elem_id="wy-rebuild-status")
                    with gr.Row():
                        export_button = gr.Button("导出问答记录（CSV）", elem_id="wy-export")
                        export_file = gr.File(label="问答记录", interactive=False, elem_id="wy-export-file")

        ask_outputs = [chatbot, history, sources, question, copy_box]
        for trigger in (send.click, question.submit):  # answers take milliseconds: many users at once is fine
            trigger(chat.respond, [question, chatbot, history], ask_outputs, api_visibility="private",
                    concurrency_limit=16)
        cleared = [chatbot, history, sources, viewer, copy_box]
        new_chat.click(chat.new_conversation, None, cleared, api_visibility="private")
        chatbot.clear(chat.new_conversation, None, cleared, api_visibility="private")  # its own trash button
        cite_target.change(
            chat.follow_link, [cite_target, history, chatbot], [viewer, copy_box, chatbot, history, sources],
            api_visibility="private",
        ).then(None, [cite_target, copy_box], None, js=AFTER_LINK)

        listing_outputs = [table, status, delete_choice]
        login.click(admin.login, [token], [admin_panel, login_status, *listing_outputs], api_visibility="private")
        token.submit(admin.login, [token], [admin_panel, login_status, *listing_outputs], api_visibility="private")
        export_button.click(admin.export_questions, [token], export_file, api_name="export_questions")
        login.click(None, [token], None, js=ADMIN_SESSION)
        upload_button.click(admin.upload, [upload_files, token], upload_status, api_name="upload").success(
            lambda: None, None, upload_files, api_visibility="private"  # empty the picker: no second upload
        )
        delete_button.click(admin.delete, [delete_choice, token], rebuild_status, api_name="delete")
        rebuilt = rebuild_button.click(admin.rebuild, [token], [rebuild_status, *listing_outputs], api_name="rebuild",
                                       concurrency_limit=1)
        if example_set is not None:  # new documents bring their own example questions, on every page
            def current_examples():
                return gr.Dataset(samples=[[q] for q in example_questions(assistant)])

            rebuilt.success(current_examples, None, example_set, api_visibility="private")
            demo.load(current_examples, None, example_set, api_visibility="private")
        if not protected:
            demo.load(admin.listing, None, listing_outputs, api_visibility="private")

        def ask(question: str) -> dict:
            """Ask a question; returns the answer with its citations as JSON (the CLI's --json schema)."""
            began = time.perf_counter()
            try:
                answer = assistant.ask(question)
            except QuestionRejected as error:
                raise _expected(str(error)) from None
            if questions is not None:
                questions.record("gradio-api", answer, time.perf_counter() - began)
            return answer.to_json()

        gr.api(ask, api_name="ask", concurrency_limit=16)  # as the chat: answers take milliseconds

        def documents(admin_token: str = "") -> list[dict]:
            """The indexed documents (requires the admin token when one is configured)."""
            admin.check(admin_token)
            # "doc", not "path": Gradio clients take any {"path": ...} for a file to download
            return [
                {"doc": d["path"], "title": d["title"], "chunks": d["chunks"], "indexed_at": d["indexed_at"],
                 "sha256": d["sha256"]}
                for d in assistant.index.manifest["documents"]
            ]

        gr.api(documents, api_name="documents")
    return demo
