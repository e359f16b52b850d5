"""Plain text and HTML: encoding detection, headings of markdown and of HTML tags."""

from __future__ import annotations

from wenyuan.clean import LEVEL_ARTICLE, Line, heading_level, split_lines
from wenyuan.readers.base import IngestError, Reading

_HEADING_SENTINEL = "\ue000"  # marks an HTML heading line and its level until the line is split off


def decode(raw: bytes) -> str:
    """Text from bytes in UTF-8 (with or without BOM), UTF-16, GB18030/GBK, or whatever charset-normalizer finds."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise IngestError("不是文本文件，或编码无法识别（支持 UTF-8、GB18030/GBK、UTF-16）")
    return str(best)


def read_text(raw: bytes) -> Reading:
    return Reading(split_lines(decode(raw)), "text", join_broken=True)


def read_html(raw: bytes) -> Reading:
    """The visible text of a web page saved to disk: one line per block, table cells joined by " | "."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(raw), "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head", "nav", "footer"]):
        hidden.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = "p div section article li tr td th h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dd dt".split()
    for tag in soup.find_all(blocks):
        if tag.name in ("td", "th"):
            tag.insert_after(" | ")
            continue
        if tag.name[0] == "h" and tag.name[1:].isdigit():
            tag.insert_before(f"\n{_HEADING_SENTINEL}{tag.name[1]}")
        else:
            tag.insert_before("\n")
        tag.insert_after("\n")
    lines = []
    for line in soup.get_text().split("\n"):
        line = line.strip().removesuffix("|").strip()
        level = None
        if line.startswith(_HEADING_SENTINEL):
            level = min(int(line[1]), LEVEL_ARTICLE)
            line = line[2:].strip()
        lines.append(Line(line, level if line and heading_level(line) is None else None))
    return Reading(lines, "html")
