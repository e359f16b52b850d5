"""Optical character recognition for scanned PDF pages (and, later, image-only OFD pages), fully offline.

Two engines, both Apache-2.0 and both carrying their models in the installed package, so nothing is ever fetched:

* ``rapidocr`` (preferred): RapidOCR 3.x on ONNX Runtime with the PP-OCRv6 small detection/recognition models and
  the PP-OCR text-direction classifier that ship inside the ``rapidocr`` wheel; ``pip install "wenyuan[ocr]"``.
  On this project's scans it reads more accurately than tesseract (which drops lines beside seals and misreads
  rarer characters) at about the same pages per minute, for ~0.9 GB of memory (benchmarks/results/ocr.md).
* ``tesseract``: Debian's ``tesseract-ocr`` + ``tesseract-ocr-chi-sim`` through a subprocess, for machines where
  the wheels cannot be installed but the Debian packages can.

Pages are rendered with pypdfium2 (no poppler needed), recognised one at a time, and the engine's text boxes are put
back into reading order here, the same way for both engines: boxes that overlap vertically form a line, read left
to right; a vertical gap clearly larger than the page's usual line gap becomes a blank line, which the cleaner
(`wenyuan.clean.repair`) takes as the end of a paragraph.

Nothing is imported or loaded at import time: the engine loads on the first page and is reused for the process.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import os
import shutil
import statistics
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["DEFAULT_DPI", "ENGINES", "OcrUnavailable", "available", "recognise_image", "recognise_pdf_pages"]

ENGINES = ("rapidocr", "tesseract")  # in order of preference

DEFAULT_DPI = 200
"""Resolution pages are rendered at. The scans in the corpus are 200 dpi, so finer invents no detail; at 150 dpi
RapidOCR is no faster (it detects lines on a smaller copy either way) and lost a line of a real scan that it read at
200 (benchmarks/results/ocr.md)."""

INSTALL_HINT = (
    '请安装文字识别组件：pip install "wenyuan[ocr]"（或运行 bash scripts/setup.sh --full）；'
    "也可安装 Debian 软件包 tesseract-ocr 和 tesseract-ocr-chi-sim"
)

# RapidOCR: the model files its wheel ships, named explicitly so that RapidOCR never takes its download path (it
# downloads when a configured default is missing or fails its checksum).
_RAPIDOCR_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
# RapidOCR shrinks any image whose long side exceeds max_side_len (2000 px by default) before anything else, so the
# characters would be read from a 171-dpi copy of an A4 page at 200 dpi; here the caller's dpi decides. Detection
# alone runs on a copy at most 1280 px long (~110 dpi for A4): on the benchmark's scans that found every line the
# full-size detection found and more (lines under seals, page numbers), 1.7x faster and with ~400 MB less memory;
# 960 px lost lines of small print.
_RAPIDOCR_PARAMS = {
    "Global.log_level": "warning",
    "Global.max_side_len": 4096,
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
}
_TESSERACT_LANGUAGE = "chi_sim"
_TESSERACT_TIMEOUT_S = 300  # per page; a stuck subprocess must not hang an index build

# Reading order. Two boxes are on one line when they overlap vertically by at least this share of the lower one;
# a gap between two boxes on a line wider than GAP_SPACE line heights keeps a space (two fields of a form, a date
# after a name); a vertical gap exceeding the page's usual gap by PARAGRAPH_GAP line heights starts a paragraph.
_SAME_LINE_OVERLAP = 0.5
_GAP_SPACE = 1.0
_PARAGRAPH_GAP = 0.8


class OcrUnavailable(Exception):
    """No OCR engine is installed; the message says, in Chinese, what to install."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"无法进行文字识别（OCR）：{detail + '。' if detail else ''}{INSTALL_HINT}")


@dataclass(frozen=True, slots=True)
class _Box:
    """One piece of recognised text and its upright bounding box in image pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def available() -> str | None:
    """The name of the OCR engine this machine can use ("rapidocr" or "tesseract"), or None when there is none.

    Cheap: it looks for the Python packages without importing them, and asks tesseract for its languages once.
    """
    for engine in ENGINES:
        if _engine_problem(engine) is None:
            return engine
    return None


def recognise_pdf_pages(
    path: Path | bytes,
    pages: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
    *,
    engine: str | None = None,
    dpi: int = DEFAULT_DPI,
) -> dict[int, str]:
    """The text of the given pages (1-based) of a scanned PDF (a path or its bytes), one string per page with lines
    in reading order.

    Pages are rendered and recognised one at a time, so memory stays that of one page. `progress(done, total)` is
    called after each page, because a page takes a second or more and a long scan should show that it is moving.
    `engine` forces "rapidocr" or "tesseract" (benchmarks); by default the first one available is used.
    Raises OcrUnavailable when no engine (or pypdfium2) is installed, ValueError for a page outside the document,
    and pypdfium2's PdfiumError for a file PDFium cannot open.
    """
    name = _choose(engine)
    if importlib.util.find_spec("pypdfium2") is None:
        raise OcrUnavailable("缺少 PDF 渲染组件 pypdfium2")
    import pypdfium2

    texts: dict[int, str] = {}
    document = pypdfium2.PdfDocument(path)
    try:
        count = len(document)
        for number in pages:
            if not 1 <= number <= count:
                raise ValueError(f"page {number} is outside the document, which has {count} pages")
        for done, number in enumerate(pages, start=1):
            page = document[number - 1]
            try:
                # PDFium applies the page's /Rotate, so a landscape-stored portrait scan comes out upright.
                image = page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
            texts[number] = _recognise(name, image, dpi)
            if progress is not None:
                progress(done, len(pages))
    finally:
        document.close()
    return texts


def recognise_image(image: Image, *, engine: str | None = None, dpi: int = DEFAULT_DPI) -> str:
    """The text in an image of a page (a Pillow image), lines in reading order, paragraphs separated by blank lines.

    `dpi` is the image's resolution; tesseract uses it to judge character sizes (RapidOCR does not need it).
    """
    return _recognise(_choose(engine), image, dpi)


def _choose(engine: str | None) -> str:
    if engine is None:
        name = available()
        if name is None:
            raise OcrUnavailable("未找到 RapidOCR 或 tesseract")
        return name
    if engine not in ENGINES:
        raise ValueError(f"unknown OCR engine {engine!r}; expected one of {', '.join(ENGINES)}")
    problem = _engine_problem(engine)
    if problem is not None:
        raise OcrUnavailable(problem)
    return engine


def _engine_problem(engine: str) -> str | None:
    """Why `engine` cannot run here (in Chinese), or None when it can."""
    if engine == "rapidocr":
        for module in ("rapidocr", "onnxruntime"):
            if importlib.util.find_spec(module) is None:
                return f"缺少 Python 包 {module}"
        return None
    if _tesseract_binary() is None:
        return "未找到 tesseract 程序"
    if _TESSERACT_LANGUAGE not in _tesseract_languages():
        return "tesseract 缺少简体中文语言包（tesseract-ocr-chi-sim）"
    return None


# RapidOCR reads one page at a time: ONNX Runtime already spreads a page over every core, and the engine is built
# once. A tesseract process uses one core, so concurrent callers may run one each.
_rapidocr_lock = threading.Lock()


def _recognise(engine: str, image: Image, dpi: int) -> str:
    if engine == "rapidocr":
        with _rapidocr_lock:
            boxes = _rapidocr_boxes(image)
    else:
        boxes = _tesseract_boxes(image, dpi)
    return _layout(boxes)


# --- RapidOCR -------------------------------------------------------------------------------------------------------


@functools.cache
def _rapidocr_engine():
    """The RapidOCR pipeline with the models of its own wheel; built once per process (loading takes ~0.5 s)."""
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    params: dict[str, object] = dict(_RAPIDOCR_PARAMS)
    for key, filename in _RAPIDOCR_MODELS.items():
        if not (models / filename).is_file():
            raise OcrUnavailable(f"已安装的 rapidocr 未附带模型文件 {filename}（需要 rapidocr>=3.10,<4）")
        params[key] = str(models / filename)
    return rapidocr.RapidOCR(params=params)


def _rapidocr_boxes(image: Image) -> list[_Box]:
    import numpy as np

    result = _rapidocr_engine()(np.asarray(image.convert("RGB")))
    if result.boxes is None or result.txts is None:
        return []
    boxes = []
    for quad, text in zip(result.boxes, result.txts, strict=True):
        xs = [point[0] for point in quad]
        ys = [point[1] for point in quad]
        boxes.append(_Box(min(xs), min(ys), max(xs), max(ys), text))
    return boxes


# --- tesseract ------------------------------------------------------------------------------------------------------


@functools.cache
def _tesseract_binary() -> str | None:
    return shutil.which("tesseract")


@functools.cache
def _tesseract_languages() -> frozenset[str]:
    binary = _tesseract_binary()
    if binary is None:
        return frozenset()
    try:
        listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in listing.stdout.splitlines()[1:] if line.strip())


def _tesseract_boxes(image: Image, dpi: int) -> list[_Box]:
    """Word boxes from `tesseract stdin stdout tsv`: the page goes in as PNG on stdin, nothing touches the disk."""
    binary = _tesseract_binary()
    if binary is None:
        raise OcrUnavailable("未找到 tesseract 程序")
    png = io.BytesIO()
    image.convert("L").save(png, format="PNG")
    # With its OpenMP threads, Debian's tesseract took 5x the wall time per page on a 2-core machine (measured).
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = [binary, "stdin", "stdout", "-l", _TESSERACT_LANGUAGE, "--dpi", str(dpi), "--psm", "3", "tsv"]
    try:
        finished = subprocess.run(
            command, input=png.getvalue(), capture_output=True, timeout=_TESSERACT_TIMEOUT_S, env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"tesseract took longer than {_TESSERACT_TIMEOUT_S} s on one page") from error
    if finished.returncode != 0:
        raise RuntimeError(f"tesseract failed: {finished.stderr.decode('utf-8', 'replace').strip()[-500:]}")
    boxes = []
    for row in finished.stdout.decode("utf-8", "replace").splitlines()[1:]:
        fields = row.split("\t")
        # level 5 is a word; its text is the 12th column (level … left top width height conf text)
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = (float(value) for value in fields[6:10])
        boxes.append(_Box(left, top, left + width, top + height, fields[11].strip()))
    return boxes


# --- reading order --------------------------------------------------------------------------------------------------


def _layout(boxes: Sequence[_Box]) -> str:
    """Boxes -> text: lines by vertical overlap, each read left to right, a blank line where the vertical gap is
    clearly larger than the page's usual line gap."""
    lines: list[list[_Box]] = []
    for box in sorted((box for box in boxes if box.text.strip()), key=lambda box: (box.y0 + box.y1) / 2):
        line = _line_for(box, lines)
        if line is None:
            lines.append([box])
        else:
            line.append(box)
    if not lines:
        return ""
    lines.sort(key=lambda line: min(box.y0 for box in line))
    heights = [statistics.median(box.height for box in line) for line in lines]
    tops = [min(box.y0 for box in line) for line in lines]
    bottoms = [max(box.y1 for box in line) for line in lines]
    gaps = [top - bottom for top, bottom in zip(tops[1:], bottoms, strict=False)]
    usual_height = statistics.median(heights)
    # capped at a line height: on a page of a few lines the median gap may itself be a paragraph break
    usual_gap = min(max(statistics.median(gaps), 0.0), usual_height) if gaps else 0.0
    out: list[str] = []
    for index, line in enumerate(lines):
        if index and gaps[index - 1] > usual_gap + _PARAGRAPH_GAP * usual_height:
            out.append("")
        out.append(_join_line(sorted(line, key=lambda box: box.x0), heights[index]))
    return "\n".join(out)


def _line_for(box: _Box, lines: list[list[_Box]]) -> list[_Box] | None:
    """The line `box` belongs to: the one among the last few whose vertical extent it overlaps most."""
    best, best_overlap = None, 0.0
    for line in lines[-4:]:  # boxes arrive sorted by their middle, so only recent lines can still overlap
        top = statistics.median(other.y0 for other in line)
        bottom = statistics.median(other.y1 for other in line)
        overlap = min(box.y1, bottom) - max(box.y0, top)
        share = overlap / max(min(box.height, bottom - top), 1.0)
        if share >= _SAME_LINE_OVERLAP and share > best_overlap:
            best, best_overlap = line, share
    return best


def _join_line(boxes: Sequence[_Box], height: float) -> str:
    parts: list[str] = []
    previous: _Box | None = None
    for box in boxes:
        text = _squeeze(box.text)
        if previous is not None and parts:
            gap = box.x0 - previous.x1
            # Latin words and numbers keep the space between them; Chinese characters only across a wide gap.
            latin_pair = _is_latin(parts[-1][-1]) and _is_latin(text[0])
            if gap > _GAP_SPACE * height or (latin_pair and gap > 0.15 * height):
                parts.append(" ")
        parts.append(text)
        previous = box
    return "".join(parts)


def _squeeze(text: str) -> str:
    """Drop the spaces an engine puts between Chinese characters (tesseract does), keep those between Latin words."""
    text = " ".join(text.split())
    kept = [
        char
        for index, char in enumerate(text)
        if char != " " or (_is_latin(text[index - 1]) and _is_latin(text[index + 1]))
    ]
    return "".join(kept)


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()
