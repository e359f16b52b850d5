"""The documents page for administrators, a Gradio app of its own mounted at /admin.

Who may use it is decided once, in front of everything under /admin (see server.py): the page, its events, its API
and its upload route, whatever Gradio names them. The handlers here therefore take no password. Deleting moves a
file into a recycle folder inside data/ (hidden, so never indexed), from where the page puts it back.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import unicodedata
import uuid
from datetime import datetime
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # air-gapped intranets: nothing leaves the machine

import gradio as gr  # noqa: E402

from wenyuan.assistant import Assistant  # noqa: E402
from wenyuan.index import STAGE_LABELS, IndexBusy  # noqa: E402
from wenyuan.manifest import DocumentRecord  # noqa: E402
from wenyuan.ingest import SUPPORTED_SUFFIXES  # noqa: E402
from wenyuan.tasks import checklist, checklist_file  # noqa: E402
from wenyuan.web import render  # noqa: E402
from wenyuan.web.questionlog import QuestionLog  # noqa: E402
from wenyuan.web.usage import usage  # noqa: E402

OPEN_ADMIN_BANNER = ("**注意：未设置管理口令（WENYUAN_ADMIN_TOKEN）**，任何能打开本页的人都可以上传、删除文档和"
                     "重建索引。在内网正式使用前请设置口令。")
ADMIN_CSS = (".wy-docview table{border-collapse:collapse;margin-bottom:.8em}.wy-docview th{text-align:left;"
             "padding:.2em 1em .2em 0;color:#555;font-weight:500}.wy-docview ul{padding-left:1.2em}"
             ".wy-chunk{color:#475467;font-size:.9em}" + render.TASKS_CSS)
RECYCLE_FOLDER = ".回收站"  # inside data/; hidden, so never indexed
_STAMP = "%Y%m%d-%H%M%S"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_filename(name: str) -> str:
    """A file name that stays inside data/: no folders, no control characters, no leading dots; Chinese kept."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    base = _UNSAFE_NAME.sub("_", base).strip().lstrip(".")
    if not base or base in (".", ".."):
        raise ValueError(f"unusable file name: {name!r}")
    return base[:150]


def expected(message: str) -> gr.Error:
    """An error the person who caused it is shown, and the log is not: a wrong choice is no incident."""
    return gr.Error(message, print_exception=False)


def _reading(entry: DocumentRecord | None) -> str:
    """How a file was read, as the documents table shows it: reader, pages, characters, OCR pages, warnings."""
    if entry is None:
        return "—"
    parts = [entry.reader or "—"]
    if entry.pages:
        parts.append(f"{entry.pages} 页")
    parts.append(f"{entry.characters} 字")
    if entry.ocr_pages:
        parts.append(f"OCR {len(entry.ocr_pages)} 页")
    if entry.warnings:
        parts.append("⚠ " + "；".join(entry.warnings))
    return "，".join(parts)


def _outline(node: dict) -> str:
    """Nested <details>: each heading with its chunks (page and first words) and the headings below it."""
    parts = []
    for chunk in node.get("", []):
        page = f"第{chunk.page}页 · " if chunk.page else ""
        words = " ".join(chunk.text.split())
        parts.append(f'<li class="wy-chunk">{page}{html.escape(words[:80])}{"…" if len(words) > 80 else ""}</li>')
    for heading, child in node.items():
        if heading:
            count = _count(child)
            parts.append(f"<li><details><summary>{html.escape(heading)}（{count} 个片段）</summary>{_outline(child)}"
                         "</details></li>")
    return f"<ul>{''.join(parts)}</ul>"


def _count(node: dict) -> int:
    return len(node.get("", [])) + sum(_count(child) for heading, child in node.items() if heading)


def _local_time(stamp: str) -> str:
    """An ISO time from the manifest (UTC) in the server's local time, with its UTC offset: 2026-11-27 08:05 +08:00."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    local = moment.astimezone()
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M") + (f" {offset[:3]}:{offset[3:]}" if offset else "")


class AdminHandlers:
    """What the documents page does: list, upload, delete into the recycle folder and restore, rebuild, export."""

    def __init__(self, assistant: Assistant, questions: QuestionLog | None = None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.questions = questions

    def export_questions(self) -> str:
        """The question log as a CSV file to download."""
        if self.questions is None:
            raise expected("没有启用问答记录（WENYUAN_QUESTION_LOG）。")
        folder = Path(tempfile.mkdtemp(prefix="wenyuan-export-"))
        path = folder / f"问答记录-{datetime.now().strftime('%Y%m%d-%H%M')}.csv"
        path.write_text(self.questions.to_csv(), encoding="utf-8")
        return str(path)

    def usage(self):
        """The dashboard: a summary, questions per day (for the plot), the most asked questions, the knowledge gaps."""
        import pandas as pd

        if self.questions is None:
            return "没有启用问答记录（WENYUAN_QUESTION_LOG），无法统计使用情况。", None, [], []
        figures = usage(self.questions.entries(), self.assistant.embedder)
        days = pd.DataFrame(
            [(day, count, "已回答") for day, asked, refused in figures.per_day for count in [asked - refused]]
            + [(day, refused, "拒答") for day, _, refused in figures.per_day], columns=["日期", "问题数", "类别"])
        gaps = [[gap.count, "；".join(gap.examples), "、".join(gap.reasons)] for gap in figures.gaps]
        return figures.summary(), days, [list(row) for row in figures.top], gaps

    def documents(self) -> list[dict]:
        """The indexed documents, as the API returns them."""
        # "doc", not "path": Gradio clients take any {"path": ...} for a file to download
        return [{"doc": d.path, "title": d.title, "chunks": d.chunks, "indexed_at": d.indexed_at,
                 "sha256": d.sha256} for d in self.assistant.index.manifest.documents]

    def listing(self):
        """The documents table, the status line, the files that can be deleted and those that can be restored."""
        restorable = gr.update(choices=self.recycled(), value=None)
        try:
            manifest = self.assistant.index.manifest
        except Exception as error:
            return [], f"索引不可用：{error}", gr.update(choices=[], value=None), restorable
        rows = [[d.title, d.path, _reading(d), d.chunks, _local_time(d.indexed_at)] for d in manifest.documents]
        failed = manifest.skipped
        note = "；".join(f"{item.path}：{item.reason}" for item in failed)
        warned = "；".join(f"{d.path}：{'，'.join(d.warnings)}" for d in manifest.documents if d.warnings)
        status = f"共 {len(rows)} 篇文档，{manifest.chunks} 个片段。" + (f"\n\n**未能索引：** {note}" if note else "")
        status += f"\n\n**请核对：** {warned}" if warned else ""
        # files that failed to index can be removed too (a broken upload should not stay in data/ for ever)
        choices = [d.path for d in manifest.documents] + [item.path for item in failed]
        return rows, status, gr.update(choices=choices, value=None), restorable

    def viewable(self):
        """The files whose reading can be looked at: the indexed ones."""
        try:
            return gr.update(choices=sorted(d.path for d in self.assistant.index.documents.values()), value=None)
        except Exception:  # no index yet
            return gr.update(choices=[], value=None)

    def document_view(self, path: str | None) -> str:
        """How one file was understood: its metadata, how it was read, and its chunks under their headings (a
        collapsible outline), as HTML; every value escaped."""
        if not path:
            return ""
        index = self.assistant.index
        document = index.document_at(path)
        entry = next((d for d in index.manifest.documents if d.path == path), None)
        if document is None:
            return f"<p>索引中没有 {html.escape(path)}（未能索引的文件没有内容可看）。</p>"
        facts = [("标题", document.title), ("文号", document.number), ("发文机关", document.issuer),
                 ("日期", document.date), ("类型", document.kind), ("读取", _reading(entry)),
                 ("片段数", str(entry.chunks) if entry is not None else "")]
        rows = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value or '—')}</td></tr>"
                       for name, value in facts)
        tree: dict = {}
        for chunk in (c for c in index.chunks if c.doc_id == document.id):
            node = tree
            for heading in chunk.heading_path[1:]:
                node = node.setdefault(heading, {})
            node.setdefault("", []).append(chunk)
        return (f'<div class="wy-docview"><table>{rows}</table><h4>结构与片段</h4>{_outline(tree)}</div>')

    def checklist(self, path: str | None):
        """A document's 任务分解 as a table, and as an Excel and a Word file to download."""
        hidden = gr.update(value=None, visible=False)
        if not path:
            return "<p>请先在上面选择一份文件。</p>", hidden, hidden
        index = self.assistant.index
        document = index.document_at(path)
        if document is None:
            return f"<p>索引中没有 {html.escape(path)}。</p>", hidden, hidden
        rows = checklist(index, document.id)
        if not rows:
            return render.tasks_html(document, rows, linked=False), hidden, hidden
        folder = Path(tempfile.mkdtemp(prefix="wenyuan-tasks-"))
        files = []
        for suffix in ("xlsx", "docx"):
            name, content = checklist_file(document, rows, suffix)
            target = folder / safe_filename(name)
            target.write_bytes(content)
            files.append(gr.update(value=str(target), visible=True))
        return render.tasks_html(document, rows, linked=False), *files

    def upload(self, files: list | None) -> str:
        """Copies the picked files into data/ (names sanitised, type and size checked); says what it did."""
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
            except OSError as error:  # a full disk: nothing half-written stays in data/
                lines.append(f"✗ {name}：保存失败（{error.strerror or error}）")
                continue
            finally:
                partial.unlink(missing_ok=True)
            lines.append(f"✓ {name}{'（已替换旧版本）' if existed else ''}")
        return "\n\n".join(lines) + "\n\n上传完成后请点击“重建索引”。"

    def delete(self, path: str | None) -> str:
        """Moves a file of data/ into the recycle folder (keeping its folder inside data/), from where it can be put
        back; the index forgets it at the next rebuild."""
        if not path:
            return "请先选择要删除的文档。"
        data = self.settings.data_dir.resolve()
        target = (data / path).resolve()
        if data not in target.parents or not target.is_file() or RECYCLE_FOLDER in target.relative_to(data).parts:
            raise expected(f"找不到文档：{path}")
        relative = target.relative_to(data)
        stamp = datetime.now().strftime(_STAMP)
        place = data / RECYCLE_FOLDER / stamp / relative
        while place.exists():  # two deletions of one name within a second
            stamp = datetime.now().strftime(_STAMP) + f"-{uuid.uuid4().hex[:4]}"
            place = data / RECYCLE_FOLDER / stamp / relative
        place.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, place)
        return f"已将 {relative.as_posix()} 移入回收站（可在下方恢复）。点击“重建索引”后，它将不再出现在回答中。"

    def recycled(self) -> list[str]:
        """What the recycle folder holds, newest first, as `time/path` entries."""
        recycle = self.settings.data_dir / RECYCLE_FOLDER
        if not recycle.is_dir():
            return []
        found = [path.relative_to(recycle).as_posix() for path in recycle.rglob("*") if path.is_file()]
        return sorted(found, key=lambda entry: entry.split("/", 1)[0], reverse=True)

    def restore(self, entry: str | None) -> str:
        """Puts a recycled file back where it was, unless a file of that name has come since."""
        if not entry:
            return "请先选择要恢复的文件。"
        recycle = (self.settings.data_dir / RECYCLE_FOLDER).resolve()
        source = (recycle / entry).resolve()
        if recycle not in source.parents or not source.is_file() or "/" not in entry:
            raise expected(f"回收站里没有：{entry}")
        relative = Path(entry.split("/", 1)[1])
        target = self.settings.data_dir.resolve() / relative
        if target.exists():
            raise expected(f"{relative.as_posix()} 已有同名文件，未恢复：请先删除或改名。")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        for folder in (source.parent, *source.parents):  # empty time folders go
            if folder == recycle or recycle not in folder.parents:
                break
            try:
                folder.rmdir()
            except OSError:
                break
        return f"已恢复 {relative.as_posix()}。点击“重建索引”后，它重新参与回答。"

    def rebuild(self, progress=gr.Progress()):
        def report_progress(stage: str, done: int, total: int) -> None:
            progress(done / total if total else 1.0, desc=f"{STAGE_LABELS.get(stage, stage)} {done}/{total}")

        try:
            report = self.assistant.build(progress=report_progress, wait=False)
        except IndexBusy as error:
            return f"**未重建**：{error}", *self.listing()
        summary = (
            f"**重建完成**：新增 {len(report.added)}，更新 {len(report.changed)}，删除 {len(report.removed)}，"
            f"未变 {len(report.unchanged)}，跳过 {len(report.skipped)}；共 {report.chunks} 个片段，"
            f"本次向量化 {report.embedded} 个，用时 {report.seconds:.1f} 秒。"
        )
        if report.skipped:
            summary += "\n\n" + "\n\n".join(f"跳过 {path}：{reason}" for path, reason in report.skipped)
        return summary, *self.listing()


def build_admin_ui(assistant: Assistant, questions: QuestionLog | None = None) -> gr.Blocks:
    """The documents page. It checks no password itself: it must be mounted behind the admin gate."""
    admin = AdminHandlers(assistant, questions)
    protected = bool(assistant.settings.admin_token)
    with gr.Blocks(title="文渊 · 文档管理", analytics_enabled=False, delete_cache=(3600, 3600)) as page:
        with gr.Row():
            gr.Markdown("## 文渊 · 文档管理")
            gr.HTML('<p style="text-align:right"><a href="../">返回问答</a></p>' + (
                '<form method="post" action="../logout" style="text-align:right">'
                '<button type="submit" id="wy-logout">退出登录</button></form>' if protected else ""))
        if not protected:
            gr.Markdown(OPEN_ADMIN_BANNER, elem_id="wy-open-admin")
        with gr.Tabs():
            with gr.Tab("文档", id="documents"):
                status = gr.Markdown("", elem_id="wy-doc-status")
                table = gr.Dataframe(
                    headers=["标题", "文件", "读取", "片段数", "索引时间"], interactive=False, elem_id="wy-doc-table",
                    wrap=True, column_widths=["30%", "28%", "22%", "6%", "14%"],
                )
                with gr.Row():
                    upload_files = gr.File(
                        label=f"上传文档（{' '.join(sorted(SUPPORTED_SUFFIXES))}，单个不超过 {assistant.settings.max_file_mb:g} MB）",
                        file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), elem_id="wy-upload",
                    )
                    with gr.Column():
                        upload_button = gr.Button("上传", elem_id="wy-upload-button")
                        upload_status = gr.Markdown("", elem_id="wy-upload-status")
                with gr.Row():
                    delete_choice = gr.Dropdown(label="选择要删除的文档", choices=[], elem_id="wy-delete-choice")
                    delete_button = gr.Button("删除…", variant="stop", elem_id="wy-delete")
                with gr.Row(visible=False) as confirm_row:
                    confirm_text = gr.Markdown("", elem_id="wy-confirm-text")
                    confirm_button = gr.Button("确认删除", variant="stop", elem_id="wy-confirm-delete")
                    cancel_button = gr.Button("取消", elem_id="wy-cancel-delete")
                with gr.Row():
                    restore_choice = gr.Dropdown(label="回收站（已删除的文件，可恢复）", choices=[], elem_id="wy-restore-choice")
                    restore_button = gr.Button("恢复", elem_id="wy-restore")
                rebuild_button = gr.Button("重建索引（只处理新增和修改的文件）", variant="primary", elem_id="wy-rebuild")
                rebuild_status = gr.Markdown("", elem_id="wy-rebuild-status")
                with gr.Row():
                    view_choice = gr.Dropdown(label="查看一份文件是怎样被读取和切分的", choices=[],
                                              elem_id="wy-view-choice", scale=4)
                    checklist_button = gr.Button("任务清单", elem_id="wy-tasks-button", scale=1)
                    checklist_xlsx = gr.DownloadButton("下载 Excel", visible=False, elem_id="wy-tasks-xlsx", scale=1)
                    checklist_docx = gr.DownloadButton("下载 Word", visible=False, elem_id="wy-tasks-docx", scale=1)
                document_view = gr.HTML("", elem_id="wy-document-view")
            with gr.Tab("使用情况", id="usage") as usage_tab:
                usage_summary = gr.Markdown("", elem_id="wy-usage-summary")
                usage_days = gr.BarPlot(x="日期", y="问题数", color="类别", title="每天的问题数",
                                        elem_id="wy-usage-days")
                with gr.Row():
                    usage_top = gr.Dataframe(headers=["问题", "次数"], interactive=False, elem_id="wy-usage-top",
                                             label="问得最多的问题", wrap=True)
                    usage_gaps = gr.Dataframe(headers=["次数", "问题举例", "“没有帮助”的理由"], interactive=False,
                                              elem_id="wy-usage-gaps", label="知识缺口：没有答上或评价“没有帮助”的问题，按意思归组",
                                              wrap=True)
                refresh_usage = gr.Button("刷新", size="sm", elem_id="wy-usage-refresh")
                with gr.Row():
                    export_button = gr.Button("导出问答记录（CSV）", elem_id="wy-export")
                    export_file = gr.File(label="问答记录", interactive=False, elem_id="wy-export-file")

        listing = [table, status, delete_choice, restore_choice]
        page.load(admin.viewable, None, view_choice, api_visibility="private")
        view_choice.change(admin.document_view, [view_choice], document_view, api_visibility="private").then(
            lambda: (gr.update(visible=False), gr.update(visible=False)), None, [checklist_xlsx, checklist_docx],
            api_visibility="private")
        checklist_button.click(admin.checklist, [view_choice], [document_view, checklist_xlsx, checklist_docx],
                               api_visibility="private")
        page.load(admin.listing, None, listing, api_visibility="private")
        upload_button.click(admin.upload, [upload_files], upload_status, api_name="upload").success(
            lambda: None, None, upload_files, api_visibility="private"  # empty the picker: no second upload
        )

        def ask_to_confirm(path: str | None):
            if not path:
                return gr.update(visible=False), "", "请先选择要删除的文档。"
            return gr.update(visible=True), f"确认将 **{path}** 移入回收站？", ""

        delete_button.click(ask_to_confirm, [delete_choice], [confirm_row, confirm_text, rebuild_status],
                            api_visibility="private")
        cancel_button.click(lambda: gr.update(visible=False), None, confirm_row, api_visibility="private")
        confirm_button.click(admin.delete, [delete_choice], rebuild_status, api_visibility="private").then(
            lambda: gr.update(visible=False), None, confirm_row, api_visibility="private"
        ).then(admin.listing, None, listing, api_visibility="private")
        restore_button.click(admin.restore, [restore_choice], rebuild_status, api_visibility="private").then(
            admin.listing, None, listing, api_visibility="private")
        rebuild_button.click(admin.rebuild, None, [rebuild_status, *listing], api_visibility="private",
                             concurrency_limit=1, show_progress_on=[rebuild_status]  # one progress bar, not four
                             ).then(admin.viewable, None, view_choice, api_visibility="private")
        export_button.click(admin.export_questions, None, export_file, api_visibility="private")
        shown_usage = [usage_summary, usage_days, usage_top, usage_gaps]
        usage_tab.select(admin.usage, None, shown_usage, api_visibility="private")
        refresh_usage.click(admin.usage, None, shown_usage, api_visibility="private")

        # the same actions for scripts (gradio_client with the X-Wenyuan-Admin header; "upload" is the button's)
        def documents() -> list[dict]:
            """The indexed documents: file, title, chunks, when indexed, SHA-256."""
            return admin.documents()

        def delete(doc: str) -> str:
            """Moves a file of data/ (its path as `documents` gives it) into the recycle folder."""
            return admin.delete(doc)

        def restore(entry: str) -> str:
            """Puts a recycled file (`time/path`, as `recycled` gives it) back into data/."""
            return admin.restore(entry)

        def recycled() -> list[str]:
            """What the recycle folder holds, newest first."""
            return admin.recycled()

        def rebuild() -> str:
            """Indexes what changed in data/; returns the summary."""
            return admin.rebuild(progress=lambda *args, **kwargs: None)[0]

        for function in (documents, delete, restore, recycled):
            gr.api(function, api_name=function.__name__)
        gr.api(rebuild, api_name="rebuild", concurrency_limit=1)
    return page
