"""Text of OFD files (GB/T 33190-2016, the Chinese fixed-layout format), page by page, in reading order.

An OFD file is a zip of XML parts: OFD.xml names each document's Document.xml, which lists the pages and the
template pages they draw on; a page's Content.xml holds layers of graphic objects. Text is in TextObject elements
whose TextCode children place each character. Nothing in the file says which characters form a line or a
paragraph, so both are rebuilt from positions (the layout rules are in `wenyuan.readers.layout`):

* a character sits at its TextCode's X/Y plus DeltaX/DeltaY, mapped through its object's CTM and Boundary origin
  (and through the CompositeObject that may hold it, as CNKI's files do for all their text) to page millimetres;
* characters whose baselines lie within `LINE_TOLERANCE` font sizes of a line's first character join that line;
  lines are read top to bottom by the tops of their characters, each from left to right;
* a run (one TextCode's string) is the producer's own text and is kept as it is, however wide its letter spacing
  (an invoice spreads "名      称："); between runs, a gap of `WORD_GAP` font sizes becomes a space and one of
  `CELL_GAP` font sizes becomes " | ", the mark between table cells, so an invoice's row stays one line;
* a run written top to bottom (an invoice's stacked "购买方") or rotated is kept whole where it starts;
* dot leaders (a table of contents' "……") are dropped; the gap they leave separates entry and page number;
* where a gutter runs down a stretch of lines with prose on both sides, each column is read before the next
  (a magazine's two or three columns); a table's narrow or ragged cells do not make columns;
* a paragraph ends at a vertical gap of `PARAGRAPH_GAP` typical line spacings, before a line that starts further
  right than the one above (a first-line indent), after a line that stops short of the right edge, at a change
  of font size and around every table row; it runs on from one column into the next.

Characters in Unicode's private use area (a font's own numbering, unreadable without that font) are left out
and counted. Annotations (stamps, watermarks drawn over the page), signatures and attachments are not read: they
are not the document's own text.

The archive is untrusted: the number of members, each part's size and the bytes decompressed in all are capped
(fonts are never decompressed; images only on pages that are nothing but a picture, for OCR), XML declaring a DTD
is refused before it is parsed (no entity expansion, no external entities), and composite graphics may nest only so
deep and draw only so much.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from xml.etree import ElementTree

from wenyuan.clean import Line
from wenyuan.readers.layout import Glyph, advance, page_paragraphs
from wenyuan.readers.base import IngestError, Reading

MAX_MEMBERS = 10_000  # an OFD of a thousand pages has a few thousand members
MAX_PART_BYTES = 64 << 20  # one XML part
MAX_READ_BYTES = 200 << 20  # everything decompressed from one file (fonts never; images of scanned pages only)
MAX_NESTING = 16  # CompositeObject inside CompositeGraphicUnit inside ...: deeper is a loop or an attack
MAX_OBJECTS = 1_000_000  # graphic objects drawn for one page, composite units counted each time they are drawn

# Distances in font sizes.
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_WHITE_SPACE = re.compile(r"\s+")

_Affine = tuple[float, float, float, float, float, float]  # a b c d e f: x' = a x + c y + e, y' = b x + d y + f
_IDENTITY: _Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class OfdError(Exception):
    """An OFD file that cannot be read; the message says why, in Chinese, for the person who supplied it."""


@dataclass(frozen=True, slots=True)
class OfdPage:
    """One page: its number (from 1), its paragraphs in reading order, how many images it draws, and how many
    characters were left out as unreadable (private-use code points that only the embedded font can map)."""

    number: int
    paragraphs: tuple[str, ...]
    images: int
    unreadable: int = 0
    image_bytes: tuple[bytes, ...] = ()  # an image-only page's pictures (PNG, JPEG …), for OCR
    missing: tuple[str, ...] = ()  # parts the page needs that the file lacks: the page is read without them

    @property
    def image_only(self) -> bool:
        """A page with pictures but no text: a scan that needs OCR before it can be searched."""
        return not self.paragraphs and self.images > 0


def read_ofd(path: Path) -> list[tuple[int, list[str]]]:
    """Each page's number and paragraphs, in document order (see `read_ofd_pages` for images)."""
    return [(page.number, list(page.paragraphs)) for page in read_ofd_pages(path)]


def read_ofd_pages(path: Path | bytes) -> list[OfdPage]:
    """Every page of every document in the file, numbered from 1 across documents, with its text and images;
    raises OfdError saying why when the file cannot be read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(path) if isinstance(path, bytes) else path)
    except zipfile.BadZipFile as error:
        raise OfdError("不是 OFD 文件（不是 zip 压缩包，或文件已损坏）") from error
    with archive:
        package = _Package(archive)
        pages: list[OfdPage] = []
        for document_path in package.document_paths():
            reader = _DocumentReader(package, document_path)
            for ink in reader.pages():
                paragraphs = page_paragraphs(ink.glyphs)
                scans = () if paragraphs else reader.images(ink.image_ids)
                pages.append(OfdPage(len(pages) + 1, paragraphs, ink.images, ink.unreadable, scans,
                                     tuple(ink.missing)))
        return pages


# --- the package: zip members, paths, safe XML ------------------------------------------------------------------


class _Package:
    """The zip's members, decompressed under a byte budget and parsed as XML only after the DTD check."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise OfdError(f"OFD 压缩包内文件过多（{len(members)} 个），拒绝读取")
        if any(member.flag_bits & 0x1 for member in members):
            raise OfdError("OFD 文件已加密（压缩包设有密码），请先解密")
        self._archive = archive
        self._members = {_normalise(member.filename): member for member in members if not member.is_dir()}
        self._decompressed = 0
        if "Encryptions.xml" in self._members:
            raise OfdError("OFD 文件已加密（GM/T 0099 加密文档），请先解密")
        if "OFD.xml" not in self._members:
            raise OfdError("压缩包中没有 OFD.xml，不是 OFD 文件")

    def document_paths(self) -> list[str]:
        """Each DocBody's Document.xml, in the order OFD.xml lists them."""
        root = self.xml("OFD.xml")
        if _local(root.tag) != "OFD":
            raise OfdError(f"OFD.xml 的根元素是 {_local(root.tag)}，不是 OFD，无法识别")
        locations = [_text(body, "DocRoot") for body in _children(root, "DocBody")]
        if not any(locations):
            raise OfdError("OFD.xml 没有指明文档入口（DocRoot）")
        return [self.resolve(location, "") for location in locations if location]

    def resolve(self, location: str, folder: str) -> str:
        """The member a reference names: from the zip root if it starts with "/", else from `folder`.

        The standard makes references relative to the referring part's folder; some producers write them from the
        root without the leading "/", so the root is taken when only it names a member.
        """
        location = location.strip().replace("\\", "/")
        from_root = _normalise(location)
        if location.startswith("/"):
            return from_root
        relative = _normalise(posixpath.join(folder, location))
        return from_root if relative not in self._members and from_root in self._members else relative

    def has(self, name: str) -> bool:
        return name in self._members

    def media_bytes(self, name: str) -> bytes:
        """An image's bytes, within the same budget as the XML (a scan is a few megabytes a page)."""
        return self._bytes(name)

    def xml(self, name: str) -> ElementTree.Element:
        """The parsed part `name`; refused if missing, too large or declaring a DTD."""
        return _parse(self._bytes(name), name)

    def _bytes(self, name: str) -> bytes:
        member = self._members.get(name)
        if member is None:
            raise OfdError(f"OFD 文件不完整：缺少 {name}")
        if member.file_size > MAX_PART_BYTES or self._decompressed + member.file_size > MAX_READ_BYTES:
            raise OfdError(f"{name} 解压后过大（{member.file_size} 字节），疑似压缩炸弹，拒绝读取")
        try:
            with self._archive.open(member) as stream:
                # zipfile stops at the declared size; reading one byte more catches a lie about it anyway
                raw = stream.read(MAX_PART_BYTES + 1)
        except NotImplementedError as error:
            raise OfdError(f"{name} 使用了不支持的压缩方式") from error
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as error:
            raise OfdError(f"OFD 文件已损坏：{name} 无法解压（{error}）") from error
        if len(raw) > MAX_PART_BYTES:
            raise OfdError(f"{name} 解压后过大，疑似压缩炸弹，拒绝读取")
        self._decompressed += len(raw)
        return raw


def _normalise(name: str) -> str:
    """A member name without leading "/", "./" or "..": the form the member table is keyed by."""
    return posixpath.normpath("/" + name).lstrip("/")


def _parse(raw: bytes, name: str) -> ElementTree.Element:
    """XML without a DTD, parsed by the standard library (which then has no entities to expand)."""
    # NUL bytes removed so that UTF-16 and UTF-32 declarations are caught too
    if _DTD.search(raw) or _DTD.search(raw.replace(b"\x00", b"")):
        raise OfdError(f"{name} 含有 DTD 或实体声明（DOCTYPE/ENTITY），出于安全原因拒绝读取")
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as error:
        raise OfdError(f"{name} 不是有效的 XML（可能已加密或损坏）：{error}") from error


def _local(tag: str) -> str:
    """An element's name without its namespace: producers use the 2016 namespace, older ones, or none."""
    return tag.rpartition("}")[2]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _text(element: ElementTree.Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


# --- documents and pages: from Document.xml to positioned characters --------------------------------------------


@dataclass(slots=True)
class _Ink:
    """What one page draws that matters for reading: its characters, images and unreadable characters."""

    glyphs: list[Glyph] = field(default_factory=list)
    images: int = 0
    image_ids: list[str] = field(default_factory=list)  # the MultiMedia resources the ImageObjects draw
    missing: list[str] = field(default_factory=list)  # parts named but absent from the zip
    unreadable: int = 0
    runs: int = 0
    objects: int = 0

    def add_run(self, pieces: list[tuple[str, tuple[float, float]]], transform: _Affine, size: float) -> None:
        """Add one TextCode's characters, each at its place on the page; characters in Unicode's private use
        area are only counted: they are a font's own numbering, which says nothing without that font."""
        run, self.runs = self.runs, self.runs + 1
        for index, (piece, (x, y)) in enumerate(pieces):
            readable = "".join(char for char in piece if unicodedata.category(char) != "Co")
            self.unreadable += len(piece) - len(readable)
            if readable:
                page_x, page_y = _apply(transform, x, y)
                self.glyphs.append(Glyph(page_x, page_y, size, readable, run, index))


class _DocumentReader:
    """One Document.xml: its pages, its template pages and the composite graphics its resources define."""

    def __init__(self, package: _Package, document_path: str) -> None:
        self.package = package
        self.folder = posixpath.dirname(document_path)
        self._cache: dict[str, ElementTree.Element] = {}  # templates and page resources, parsed once for all pages
        root = package.xml(document_path)
        common = _child(root, "CommonData")
        self.templates: dict[str, str] = {}
        self.units: dict[str, ElementTree.Element] = {}
        self.media: dict[str, str] = {}  # MultiMedia ID -> zip member
        self.missing: list[str] = []  # resource files named but absent: their fonts, images or graphics are lost
        if common is not None:
            for template in _children(common, "TemplatePage"):
                self.templates[template.get("ID", "")] = package.resolve(template.get("BaseLoc", ""), self.folder)
            for kind in ("PublicRes", "DocumentRes"):
                for resource in _children(common, kind):
                    self.units |= self._units(resource.text or "", self.folder)
                    self.media |= self._media(resource.text or "", self.folder)
        pages = _child(root, "Pages")
        self.page_paths = [
            package.resolve(page.get("BaseLoc", ""), self.folder)
            for page in (_children(pages, "Page") if pages is not None else [])
        ]

    def pages(self) -> Iterator[_Ink]:
        """Each page's ink: its templates' and its own, every layer."""
        for page_path in self.page_paths:
            ink = _Ink(missing=list(self.missing))
            if not self.package.has(page_path):
                ink.missing.append(page_path)  # the page is lost; the others are still read
                yield ink
                continue
            page = self.package.xml(page_path)
            for template in _children(page, "Template"):
                template_path = self.templates.get(template.get("TemplateID", ""))
                if template_path is None:
                    raise OfdError(f"{page_path} 引用的模板页 {template.get('TemplateID')} 不存在")
                self._draw_page(self._shared(template_path), template_path, ink)
            self._draw_page(page, page_path, ink)
            yield ink

    def _draw_page(self, page: ElementTree.Element, page_path: str, ink: _Ink) -> None:
        units = dict(self.units)
        for resource in _children(page, "PageRes"):
            units |= self._units(resource.text or "", posixpath.dirname(page_path))
        content = _child(page, "Content")
        if content is not None:
            for layer in _children(content, "Layer"):
                _draw(layer, _IDENTITY, units, ink, 0)

    def _shared(self, name: str) -> ElementTree.Element:
        if name not in self._cache:
            self._cache[name] = self.package.xml(name)
        return self._cache[name]

    def images(self, ids: list[str]) -> tuple[bytes, ...]:
        """The bytes of the images with these resource IDs (those the resources name and the zip holds)."""
        return tuple(self.package.media_bytes(self.media[i]) for i in ids if i in self.media
                     and self.package.has(self.media[i]))

    def _media(self, location: str, folder: str) -> dict[str, str]:
        """The image files a resource file names (MultiMedia/MediaFile), from its BaseLoc folder."""
        name = self.package.resolve(location, folder)
        if not self.package.has(name):
            return {}
        resource = self._shared(name)
        base = self.package.resolve(resource.get("BaseLoc", ""), posixpath.dirname(name)) if resource.get(
            "BaseLoc") else posixpath.dirname(name)
        return {
            media.get("ID", ""): self.package.resolve(_text(media, "MediaFile"), base)
            for group in _children(resource, "MultiMedias")
            for media in _children(group, "MultiMedia")
            if _text(media, "MediaFile")
        }

    def _units(self, location: str, folder: str) -> dict[str, ElementTree.Element]:
        """The CompositeGraphicUnits a resource file defines, by ID (CNKI's OFDs keep all their text there)."""
        name = self.package.resolve(location, folder)
        if not self.package.has(name):
            if name not in self.missing:
                self.missing.append(name)
            return {}
        resource = self._shared(name)
        return {
            unit.get("ID", ""): unit
            for units in _children(resource, "CompositeGraphicUnits")
            for unit in _children(units, "CompositeGraphicUnit")
        }


def _draw(block: ElementTree.Element, transform: _Affine, units: dict[str, ElementTree.Element], ink: _Ink,
          depth: int) -> None:
    """Collect the text and images of a layer, page block or composite unit, in page coordinates."""
    if depth > MAX_NESTING:
        raise OfdError("OFD 图形嵌套过深（复合对象循环引用？），拒绝读取")
    for element in block:
        ink.objects += 1
        if ink.objects > MAX_OBJECTS:
            raise OfdError(f"OFD 页面绘制的图形对象超过 {MAX_OBJECTS} 个（复合对象层层引用？），拒绝读取")
        name = _local(element.tag)
        if name == "TextObject":
            _draw_text(element, transform, ink)
        elif name == "ImageObject":
            ink.images += 1
            ink.image_ids.append(element.get("ResourceID", ""))
        elif name == "PageBlock":
            _draw(element, transform, units, ink, depth + 1)
        elif name == "CompositeObject":
            unit = units.get(element.get("ResourceID", ""))
            content = _child(unit, "Content") if unit is not None else None
            if content is not None:
                _draw(content, _then(_placement(element), transform), units, ink, depth + 1)


def _draw_text(text_object: ElementTree.Element, parent: _Affine, ink: _Ink) -> None:
    """Place every character of a TextObject; a vertical or rotated run becomes one glyph where it starts."""
    transform = _then(_placement(text_object), parent)
    scale = math.sqrt(abs(transform[0] * transform[3] - transform[1] * transform[2]))
    size = _number(text_object.get("Size"), 0.0)
    rotated = abs(transform[1]) + abs(transform[2]) > 1e-6 * scale
    x = y = 0.0
    for code in _children(text_object, "TextCode"):
        # control characters draw nothing and take no DeltaX entry (one producer starts its codes with a newline)
        text = "".join(char for char in code.text or "" if unicodedata.category(char) != "Cc")
        x, y = _number(code.get("X"), x), _number(code.get("Y"), y)
        starts = list(_positions(text, x, y, code.get("DeltaX"), code.get("DeltaY"), size))
        if not starts:
            continue
        x, y = starts[-1][0] + advance(text[-1], size), starts[-1][1]
        vertical = len(starts) > 1 and all(abs(b[1] - a[1]) > abs(b[0] - a[0]) for a, b in pairwise(starts))
        pieces = list(zip(text, starts))
        if rotated or vertical:
            pieces = [(text.strip(), starts[0])] if text.strip() else []
        ink.add_run(pieces, transform, size * scale)


def _positions(text: str, x: float, y: float, delta_x: str | None, delta_y: str | None,
               size: float) -> Iterator[tuple[float, float]]:
    """Where each character of a TextCode starts, in the object's own coordinates.

    A character without a DeltaX entry advances by its estimated width, except in a code that gives only DeltaY:
    that one is written top to bottom and stays in its column.
    """
    steps_x, steps_y = _deltas(delta_x), _deltas(delta_y)
    stacked = delta_x is None and any(steps_y)
    for index, char in enumerate(text):
        if index:
            previous = index - 1
            x += steps_x[previous] if previous < len(steps_x) else (0.0 if stacked else advance(text[previous], size))
            y += steps_y[previous] if previous < len(steps_y) else 0.0
        yield x, y


def _deltas(value: str | None) -> list[float]:
    """A DeltaX/DeltaY list, with "g n d" (n times d) expanded."""
    tokens = (value or "").split()
    deltas: list[float] = []
    position = 0
    try:
        while position < len(tokens):
            if tokens[position] == "g":
                deltas.extend([float(tokens[position + 2])] * int(tokens[position + 1]))
                position += 3
            else:
                deltas.append(float(tokens[position]))
                position += 1
    except (IndexError, ValueError) as error:
        raise OfdError(f"字符间距 “{value}” 格式错误") from error
    return deltas


def _placement(element: ElementTree.Element) -> _Affine:
    """The map from an object's own space to its parent's: its CTM, then a shift to its Boundary's origin."""
    boundary = _numbers(element.get("Boundary"), 4) or [0.0] * 4
    ctm = _numbers(element.get("CTM"), 6) or list(_IDENTITY)
    a, b, c, d, e, f = ctm
    return a, b, c, d, e + boundary[0], f + boundary[1]


def _then(inner: _Affine, outer: _Affine) -> _Affine:
    """`inner` followed by `outer`, as one map."""
    a, b, c, d, e, f = inner
    oa, ob, oc, od, oe, of = outer
    return (a * oa + b * oc, a * ob + b * od, c * oa + d * oc, c * ob + d * od,
            e * oa + f * oc + oe, e * ob + f * od + of)


def _apply(transform: _Affine, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = transform
    return a * x + c * y + e, b * x + d * y + f


def _number(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError as error:
        raise OfdError(f"数值 “{value}” 格式错误") from error


def _numbers(value: str | None, count: int) -> list[float] | None:
    """A space-separated list of exactly `count` numbers, or None when the attribute is absent."""
    if value is None:
        return None
    numbers = [_number(token, 0.0) for token in value.split()]
    if len(numbers) != count:
        raise OfdError(f"“{value}” 应有 {count} 个数值")
    return numbers


def read_ofd_lines(raw: bytes, progress: Callable[[int, int], None] | None = None) -> Reading:
    """The file's paragraphs as lines with their pages, for the cleaner; pages that are only a picture (a scan) go
    through OCR when it is installed, and are reported otherwise, as are unreadable characters. A paragraph is kept
    whole; between pages no break is made, so a sentence continued on the next page is joined again."""
    try:
        pages = read_ofd_pages(raw)
    except OfdError as error:
        raise IngestError(str(error)) from error
    reading = Reading([], "ofd", join_broken=True, pages=len(pages))
    paragraphs = {page.number: list(page.paragraphs) for page in pages}
    scanned = [page for page in pages if page.image_only]
    if scanned:
        _recognise(scanned, paragraphs, reading, progress)
    for number in sorted(paragraphs):
        for position, paragraph in enumerate(paragraphs[number]):
            if position:
                reading.lines.append(Line(""))
            reading.lines.append(Line(paragraph, None, number))
    missing = sorted({part for page in pages for part in page.missing})
    if missing:
        reading.warnings.append(f"文件不完整，缺少 {'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}，其余内容照常读取")
    unreadable = sum(page.unreadable for page in pages)
    if unreadable:
        reading.warnings.append(f"{unreadable} 个字符使用文件内嵌字体的私有编码，无法读出，已略去")
    if not any(paragraphs.values()):
        raise IngestError("OFD 文件中没有可读的文字（扫描件需要 OCR 文字识别）")
    return reading


def _recognise(scanned: list[OfdPage], paragraphs: dict[int, list[str]], reading: Reading,
               progress: Callable[[int, int], None] | None) -> None:
    """Text of the image-only pages by OCR, blank-line separated blocks as paragraphs; said when it cannot be."""
    from wenyuan.readers import ocr

    numbers = "、".join(str(page.number) for page in scanned)
    if ocr.available() is None:
        reading.warnings.append(f"第 {numbers} 页只有图片（扫描页），未识别。{ocr.INSTALL_HINT}")
        return
    from PIL import Image, UnidentifiedImageError

    done: list[int] = []
    for count, page in enumerate(scanned, start=1):
        texts = []
        for raw in page.image_bytes:
            try:
                texts.append(ocr.recognise_image(Image.open(io.BytesIO(raw))))
            except (UnidentifiedImageError, OSError):
                continue  # JBIG2 and other formats Pillow cannot open: the page stays reported below
        blocks = [" ".join(block.split("\n")).strip() for text in texts for block in text.split("\n\n")]
        paragraphs[page.number] = [block for block in blocks if block]
        if paragraphs[page.number]:
            done.append(page.number)
        if progress is not None:
            progress(count, len(scanned))
    reading.ocr_pages = tuple(done)
    if done:
        reading.reader = f"ofd+OCR（{ocr.available()}）"
        reading.warnings.append(f"第 {'、'.join(map(str, done))} 页的文字由 OCR 识别，引用前请核对原件")
    missed = [page.number for page in scanned if page.number not in done]
    if missed:
        reading.warnings.append(f"第 {'、'.join(map(str, missed))} 页只有图片，其格式无法识别，未读出文字")
