"""Split the written question sets once, by document, into a dev part (tune on it) and a frozen test part.

    python benchmarks/questions/split.py              # set-a/b/c -> gov-dev.jsonl, gov-test.jsonl
    python benchmarks/questions/split.py real-files   # real-files -> real-dev.jsonl, real-test.jsonl
    python benchmarks/questions/split.py set-e        # set-e -> local-dev.jsonl, local-test.jsonl
    python benchmarks/questions/split.py set-g        # set-g -> city-dev.jsonl, city-test.jsonl
    python benchmarks/questions/split.py set-i        # set-i -> more-dev.jsonl, more-test.jsonl
    python benchmarks/questions/split.py set-j        # set-j -> wording-dev.jsonl, wording-test.jsonl

A question belongs to its document ("doc", or "near_doc" for an unanswerable near miss); a document goes to the test
part when the first byte of the SHA-1 of its path is even. So no document has questions on both sides, and tuning on
dev never sees a test document's questions. Run once; the outputs are committed and never regenerated to taste.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def part(document: str, salt: str = "") -> str:
    return "test" if hashlib.sha1((salt + document).encode("utf-8")).digest()[0] % 2 == 0 else "dev"


# set-j asks again about documents of city-dev and more-dev, all on the dev side of the plain hash: its documents are
# split by the hash of "set-j:" + path instead (again no document on both sides)
SALTS = {"set-j": "set-j:"}
GROUPS = {  # the written files of a group, and the prefix of its two parts
    "gov": ("set-[abc].jsonl", "gov"),
    "real-files": ("real-files.jsonl", "real"),
    "set-e": ("set-e.jsonl", "local"),
    "set-g": ("set-g.jsonl", "city"),
    "set-i": ("set-i.jsonl", "more"),
    "set-j": ("set-j.jsonl", "wording"),
}


def main(group: str = "gov") -> None:
    pattern, prefix = GROUPS[group]
    parts: dict[str, list[str]] = {"dev": [], "test": []}
    kinds: dict[str, Counter] = {"dev": Counter(), "test": Counter()}
    documents: dict[str, set] = {"dev": set(), "test": set()}
    for path in sorted((HERE / "written").glob(pattern)):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            document = record.get("doc") or record["near_doc"]
            side = part(document, SALTS.get(group, ""))
            parts[side].append(json.dumps(record, ensure_ascii=False))
            kinds[side][record["type"]] += 1
            documents[side].add(document)
    for side, lines in parts.items():
        (HERE / f"{prefix}-{side}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{side}: {len(lines)} questions over {len(documents[side])} documents, {dict(kinds[side])}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
