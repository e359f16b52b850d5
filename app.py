"""Start Wenyuan on the documents in data/: build the index on first start, then answer questions.

Until the browser chat lands, this runs a terminal chat: type a question, get a cited answer; an empty line quits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wenyuan.assistant import Assistant
from wenyuan.cli import _print_answer, _TqdmProgress
from wenyuan.config import Settings
from wenyuan.index import MANIFEST


def main() -> int:
    parser = argparse.ArgumentParser(description="文渊 — cited answers from the documents in data/")
    parser.add_argument("--data", type=Path, help="folder of documents (default: data/)")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    args = parser.parse_args()
    overrides = {k: v for k, v in (("data_dir", args.data), ("index_dir", args.index)) if v is not None}
    assistant = Assistant(Settings(**overrides))
    if not (assistant.settings.index_dir / MANIFEST).exists():
        print(f"正在为 {assistant.settings.data_dir}/ 建立索引……", file=sys.stderr)
        progress = _TqdmProgress(enabled=True)
        report = assistant.build(progress=progress)
        progress.close()
        print(report.summary(), file=sys.stderr)
    print("文渊：请输入问题（空行退出）。")
    history = []
    for line in sys.stdin:
        question = line.strip()
        if not question:
            break
        answer = assistant.ask(question, history)
        history.append(answer)
        _print_answer(answer)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
