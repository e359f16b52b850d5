"""`wenyuan index | search | ask`: the command line, whose JSON output other tools rely on exactly."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from wenyuan.config import Settings
from wenyuan.types import HEADING_SEPARATOR, Answer, Hit, Scope


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "data", None):
        overrides["data_dir"] = Path(args.data)
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    settings = Settings(**overrides)
    if getattr(args, "kb", None):  # one of several knowledge bases (WENYUAN_KNOWLEDGE_BASES)
        from wenyuan.web.library import knowledge_bases

        bases = {base.name: base for base in knowledge_bases(settings)} if settings.knowledge_bases else {}
        if args.kb not in bases:
            raise SystemExit(f"wenyuan: no knowledge base {args.kb!r}; WENYUAN_KNOWLEDGE_BASES names "
                             f"{', '.join(bases) or 'none'}")
        settings = bases[args.kb].settings
    return settings


def _assistant(args: argparse.Namespace):
    from wenyuan.assistant import Assistant

    return Assistant(_settings(args))


def _hit_json(hit: Hit) -> dict:
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "doc": chunk.doc_path,
        "title": chunk.title,
        "heading_path": list(chunk.heading_path),
        "start": chunk.start,
        "end": chunk.end,
        "text": chunk.text,
        "score": round(hit.score, 6),
    }


def _jsonl_requests() -> Iterator[tuple[object, str]]:
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            yield request.get("id"), str(request["question"])
        except (json.JSONDecodeError, KeyError, AttributeError) as error:
            print(f"line {number}: expected {{\"id\": ..., \"question\": ...}} ({error})", file=sys.stderr)


def _emit(payload: dict) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_hits(hits: list[Hit]) -> None:
    for hit in hits:
        chunk = hit.chunk
        page = f" 第{chunk.page}页" if chunk.page else ""
        print(f"[{hit.rank}] {chunk.title}{page}  (score {hit.score:.3f})")
        print(f"    {HEADING_SEPARATOR.join(chunk.heading_path[1:]) or '（正文开头）'}")
        print("    " + chunk.text.replace("\n", "\n    "))
        print()


def _print_answer(answer: Answer) -> None:
    if answer.scope:
        print(f"（{answer.scope}）")
    print(answer.text)
    print()
    if answer.refused:
        if answer.related:
            print("可能相关：")
            _print_hits(list(answer.related))
        return
    if answer.candidates:
        print("再问时用 --doc 指明文件：")
        for candidate in answer.candidates:
            print(f"  --doc \"{candidate.doc}\"  《{candidate.title}》")
        return
    print("来源：")
    for citation in answer.citations:
        page = f" {citation.page_label()}" if citation.page else ""
        path = HEADING_SEPARATOR.join(citation.heading_path[1:])
        print(f"[{citation.n}] {citation.source_line()}{page}" + (f" › {path}" if path else ""))
        print(f"    “{citation.quote.strip()}”  （{citation.doc}）")


def _run_each(args: argparse.Namespace, one: Callable[[str], dict], human: Callable[[str], None]) -> int:
    if args.jsonl:
        for id_, question in _jsonl_requests():
            _emit({"id": id_, **one(question)})
        return 0
    if not args.query:
        print("a question is needed (or --jsonl to read them from standard input)", file=sys.stderr)
        return 2
    if args.json:
        _emit(one(args.query))
    else:
        human(args.query)
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    paths = [Path(p) for p in args.paths] or [assistant.settings.data_dir]
    for path in paths:
        if not path.exists():
            print(f"no such file or folder: {path}", file=sys.stderr)
            return 2
    progress = _TqdmProgress(enabled=assistant.settings.progress and not args.quiet)
    try:
        report = assistant.build(paths, progress=progress, prune=True if args.prune else None)
    finally:
        progress.close()
    print(report.summary())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    k = args.top_k

    def one(query: str) -> dict:
        return {"hits": [_hit_json(hit) for hit in assistant.search(query, k)]}

    return _run_each(args, one, lambda query: _print_hits(assistant.search(query, k)))


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _assistant(args)

    scope = Scope.chosen(args.doc, args.type, args.year, args.issuer)

    def one(question: str) -> dict:
        return assistant.ask(question, scope=scope).to_json()

    return _run_each(args, one, lambda question: _print_answer(assistant.ask(question, scope=scope)))


def cmd_eval(args: argparse.Namespace) -> int:
    from wenyuan.evaluate import evaluate, outcome_json, read_questions, table

    try:
        questions = read_questions(Path(args.questions))
    except (OSError, ValueError) as error:
        print(f"wenyuan: {error}", file=sys.stderr)
        return 2
    assistant = _assistant(args)
    assistant.ask("预热")  # load the index and the model before timing
    report = evaluate(assistant, questions)
    if args.report:
        with Path(args.report).open("w", encoding="utf-8") as stream:
            for outcome in report.outcomes:
                stream.write(json.dumps(outcome_json(outcome), ensure_ascii=False) + "\n")
    if args.json:
        _emit(report.summary)
    else:
        print(table(report.summary))
        checked = [outcome for outcome in report.outcomes if outcome.sentences]
        if checked:  # an LLM answered: how much of each answer its passages hold
            print("\n大模型回答逐句核实（有出处支持的句子 / 全部句子）：")
            for outcome in checked:
                print(f"  {outcome.question.id}\t{outcome.verified}/{outcome.sentences}\t{outcome.question.question}")
        if args.report:
            print(f"\n每题结果已写入 {args.report}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from wenyuan.tasks import checklist, checklist_json, tasks_docx, tasks_xlsx

    index = _assistant(args).index
    document = index.document_at(args.doc)
    if document is None:
        print(f"no indexed document {args.doc!r} (name it as citations' doc does, relative to the indexed folder)",
              file=sys.stderr)
        return 2
    rows = checklist(index, document.id)
    for path, make in ((args.xlsx, tasks_xlsx), (args.docx, tasks_docx)):
        if path:
            Path(path).write_bytes(make(document, rows))
            print(f"wrote {path}: {len(rows)} tasks", file=sys.stderr)
    if args.xlsx or args.docx:
        return 0
    if args.json:
        _emit(checklist_json(document, rows))
        return 0
    print(f"《{document.title}》" + (f"（{document.number}）" if document.number else "") + f"：{len(rows)} 项")
    for row in rows:
        path = HEADING_SEPARATOR.join(row.heading_path)
        print(f"\n{row.n}. {row.item}" + (f"  〔{path}〕" if path else ""))
        if row.lead or row.participants:
            print(f"   牵头：{row.lead or '—'}" + (f"；参与：{'、'.join(row.participants)}" if row.participants else ""))
        if row.deadline:
            print(f"   时限：{row.deadline}" + (f"（{row.due}）" if row.due else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    logging.getLogger("wenyuan").setLevel(logging.INFO)
    from wenyuan.web.server import serve

    serve(_settings(args))
    return 0


class _TqdmProgress:
    """Progress bars for files read and chunks embedded, on standard error."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._bars: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self._enabled:
            return
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            from wenyuan.index import STAGE_LABELS

            label = STAGE_LABELS.get(stage, stage)
            bar = self._bars[stage] = tqdm(total=total, desc=label, unit=" 个", file=sys.stderr, leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wenyuan", description="文渊: cited answers from Chinese documents, offline")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build or update the index from documents (default: data/)")
    index.add_argument("paths", nargs="*", help="files or folders to add or update (the others already indexed stay)")
    index.add_argument("--prune", action="store_true",
                       help="remove from the index what the given paths no longer hold (always so for data/)")
    index.add_argument("--index", help="index folder (default: index/)")
    index.add_argument("--kb", help="the knowledge base, when WENYUAN_KNOWLEDGE_BASES names several")
    index.add_argument("--quiet", action="store_true", help="no progress bars")
    index.set_defaults(run=cmd_index)

    for name, run, helptext in (("search", cmd_search, "ranked passages for a query"),
                                ("ask", cmd_ask, "a cited answer to a question")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("query", nargs="?", help="the question or query")
        sub.add_argument("--index", help="index folder (default: index/)")
        sub.add_argument("--kb", help="the knowledge base, when WENYUAN_KNOWLEDGE_BASES names several")
        sub.add_argument("--json", action="store_true", help="one JSON object on standard output")
        sub.add_argument("--jsonl", action="store_true",
                         help='read {"id": ..., "question": ...} lines on standard input, write one JSON line each')
        if name == "search":
            sub.add_argument("--top-k", type=int, default=5, help="how many passages (default 5)")
        else:
            sub.add_argument("--doc", action="append",
                             help="answer only from this document (path as in citations' doc); repeatable")
            sub.add_argument("--type", help="answer only from documents of this type (通知, 意见, 办法 …)")
            sub.add_argument("--year", type=int, help="answer only from documents of this year")
            sub.add_argument("--issuer", help="answer only from documents of this issuing body (a part of its name)")
        sub.set_defaults(run=run)
    evaluation = commands.add_parser("eval", help="score answers on your own questions (JSONL)")
    evaluation.add_argument("questions", help='JSONL lines {"id", "question", "doc"?, "answer"?, "key_points"?, "evidence"?}')
    evaluation.add_argument("--index", help="index folder (default: index/)")
    evaluation.add_argument("--kb", help="the knowledge base, when WENYUAN_KNOWLEDGE_BASES names several")
    evaluation.add_argument("--report", help="write one JSON line per question to this file")
    evaluation.add_argument("--json", action="store_true", help="print the summary as JSON")
    evaluation.set_defaults(run=cmd_eval)

    checklist = commands.add_parser("tasks", help="任务分解: a document's requirements as a checklist (who, by when)")
    checklist.add_argument("doc", help="the document, as citations name it (relative to the indexed folder)")
    checklist.add_argument("--index", help="index folder (default: index/)")
    checklist.add_argument("--kb", help="the knowledge base, when WENYUAN_KNOWLEDGE_BASES names several")
    checklist.add_argument("--json", action="store_true", help="one JSON object on standard output")
    checklist.add_argument("--xlsx", help="write the checklist to this Excel file")
    checklist.add_argument("--docx", help="write the checklist to this Word file (a table)")
    checklist.set_defaults(run=cmd_tasks)
    serve = commands.add_parser("serve", help="start the web app (default http://127.0.0.1:7860/)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, or WENYUAN_HOST)")
    serve.add_argument("--port", type=int, help="port (default 7860, or WENYUAN_PORT)")
    serve.add_argument("--index", help="index folder (default: index/)")
    serve.add_argument("--data", help="documents folder (default: data/)")
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from wenyuan.index import IndexNotUsable
    from wenyuan.ingest import IngestError

    try:
        return args.run(args)
    except (IndexNotUsable, IngestError) as error:
        print(f"wenyuan: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("wenyuan: interrupted; the previous index is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
