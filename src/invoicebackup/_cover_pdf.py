"""The cover sheet set as tagged PDF pages, written through the backup's one writer.

Pages are US Letter, portrait, in Helvetica and Helvetica-Bold (standard 14 fonts,
WinAnsiEncoding: real text that can be searched and copied, nothing embedded; widths
from :mod:`invoicebackup._helvetica`). Every table line has the same height and every
cell one line (a text too wide for its column is cut, with an ellipsis), so how many
pages the sheet takes is a function of how many lines it has (:func:`page_count`),
known before anything else is laid out; the sheet's pages are reserved first and
written last (:meth:`~invoicebackup._pdfwriter.BackupWriter.reserve_pages`).

Tagged PDF (ISO 32000-1 §14.8) so that a screen reader can follow the table: a
structure tree ``Document`` > ``H1``, ``P``, ``Table`` > ``TR`` > ``TH``/``TD``; each
invoice's row is a link (a ``/Link`` annotation over the row, with an explicit
destination to the invoice's first page) whose ``Link`` element holds the invoice
number's marked content and the annotation (``OBJR``). Content is marked with
``BDC``/``EMC`` and MCIDs, found from the page through the ``/ParentTree``. The table's
heading row is repeated on every page as a pagination artifact, as are rules, shading
and page numbers. The copied source pages are not tagged by the backup (their own
structure trees are not copied).
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import attrs

from . import _helvetica
from ._cover import COLUMNS, CoverRow, CoverSheet
from ._pdfwriter import BackupWriter
from .pdf.document import text_string
from .pdf.serialise import serialise
from .pdf.values import String

#: US Letter, portrait, in points.
PAGE: Final = (612.0, 792.0)
_MARGIN: Final = 36.0
_TOP: Final = PAGE[1] - 48.0
#: The lowest a table line's bottom may be.
_BOTTOM: Final = 54.0
_TITLE_SIZE: Final = 16.0
_LINE_SIZE: Final = 9.0
_LEADING: Final = 13.0
_CELL_SIZE: Final = 8.0
_HEAD_SIZE: Final = 7.5
_ROW: Final = 14.0
_HEAD: Final = 24.0
_PAD: Final = 3.0
#: The columns' widths, in the order of :data:`~invoicebackup._cover.COLUMNS`.
_WIDTHS: Final = (80.0, 56.0, 116.0, 72.0, 62.0, 38.0, 80.0, 36.0)
_RIGHT: Final = frozenset({COLUMNS.index("amount"), COLUMNS.index("page")})
_LINK_CELL: Final = COLUMNS.index("invoice")
#: The header's three lines (project, compiled, selection) under the title.
_HEADER_LINES: Final = 3
_FIRST_TABLE_TOP: Final = _TOP - _TITLE_SIZE - 20.0 - (_HEADER_LINES - 1) * _LEADING - 14.0
_NEXT_TABLE_TOP: Final = _TOP - 20.0
_FIRST_ROWS: Final = int((_FIRST_TABLE_TOP - _HEAD - _BOTTOM) // _ROW)
_NEXT_ROWS: Final = int((_NEXT_TABLE_TOP - _HEAD - _BOTTOM) // _ROW)


def page_count(lines: int) -> int:
    """How many pages a cover sheet whose table has *lines* lines takes."""
    if lines <= _FIRST_ROWS:
        return 1
    return 1 + math.ceil((lines - _FIRST_ROWS) / _NEXT_ROWS)


def _chunks(rows: Sequence[CoverRow]) -> list[Sequence[CoverRow]]:
    chunks = [rows[:_FIRST_ROWS]]
    for start in range(_FIRST_ROWS, len(rows), _NEXT_ROWS):
        chunks.append(rows[start : start + _NEXT_ROWS])
    return chunks


class _Element:
    """A structure element (§14.7.2), numbered when the tree is written."""

    __slots__ = ("extra", "kids", "number", "page", "parent", "role")

    def __init__(
        self, role: bytes, parent: _Element | None, *, page: int = 0, extra: bytes = b""
    ) -> None:
        self.role = role
        self.parent = parent
        self.page = page
        self.extra = extra
        self.kids: list[_Element | int | _Annotation] = []
        self.number = 0
        if parent is not None:
            parent.kids.append(self)


@attrs.define
class _Annotation:
    """A row's link: its number, rectangle, destination page and structure key."""

    number: int
    rect: tuple[float, float, float, float]
    target: int
    label: str
    key: int
    page: int
    link: _Element


class _Page:
    """One page's content stream and the elements its MCIDs belong to, in order."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.ops: list[bytes] = []
        self.marked: list[_Element] = []
        self.annotations: list[_Annotation] = []

    def mark(self, element: _Element) -> int:
        """A new MCID on this page, for content of *element*."""
        mcid = len(self.marked)
        self.marked.append(element)
        element.kids.append(mcid)
        return mcid

    def tagged(self, element: _Element, ops: bytes) -> None:
        mcid = self.mark(element)
        self.ops.append(b"/%s<</MCID %d>>BDC %s EMC" % (element.role, mcid, ops))

    def artifact(self, ops: bytes, *, pagination: bool = False) -> None:
        kind = b"<</Type/Pagination>>BDC" if pagination else b"BMC"
        self.ops.append(b"/Artifact %s %s EMC" % (kind, ops))


def write_cover(writer: BackupWriter, sheet: CoverSheet, pages: Sequence[int]) -> None:
    """Write *sheet* as the reserved pages *pages* of *writer*, tagged and linked."""
    chunks = _chunks(sheet.rows)
    if len(chunks) != len(pages):
        raise ValueError(f"the cover sheet takes {len(chunks)} pages, {len(pages)} reserved")
    objects = writer.objects
    fonts = objects.allocate(), objects.allocate()
    for number, base in zip(fonts, (b"Helvetica", b"Helvetica-Bold"), strict=True):
        objects.put(
            number, b"<</Type/Font/Subtype/Type1/BaseFont/%s/Encoding/WinAnsiEncoding>>" % base
        )
    root = _Element(b"StructTreeRoot", None)
    document = _Element(b"Document", root)
    laid: list[_Page] = []
    table: _Element | None = None
    next_key = len(pages)
    for index, (number, rows) in enumerate(zip(pages, chunks, strict=True)):
        page = _Page(number)
        laid.append(page)
        if index == 0:
            _header(page, sheet, document)
            table = _Element(b"Table", document)
            top = _FIRST_TABLE_TOP
        else:
            data = _helvetica.fit(sheet.continued, PAGE[0] - 2 * _MARGIN, size=_LINE_SIZE)
            page.artifact(
                _text(b"/F1", _LINE_SIZE, _MARGIN, _TOP - _LINE_SIZE, data), pagination=True
            )
            top = _NEXT_TABLE_TOP
        assert table is not None
        _headings(page, sheet, table if index == 0 else None, top)
        y = top - _HEAD
        for row in rows:
            next_key = _row(page, row, table, y, writer, next_key)
            y -= _ROW
        footer = sheet.page_of.format(page=index + 1, pages=len(pages))
        data = _helvetica.encode(footer)
        x = PAGE[0] - _MARGIN - _helvetica.width(data, size=_HEAD_SIZE)
        page.artifact(_text(b"/F1", _HEAD_SIZE, x, 30.0, data), pagination=True)
    _write(writer, laid, root, fonts, next_key, sheet.language)


def standalone(sheet: CoverSheet, *, title: str, created: datetime) -> bytes:
    """*sheet* as a PDF of its own (a ZIP backup's first entry): no row links a page.

    The documents are other files of the archive, so the rows only name the page each
    invoice starts on, counted as the manifest counts them.
    """
    unlinked = attrs.evolve(sheet, rows=tuple(attrs.evolve(row, page=None) for row in sheet.rows))
    out = io.BytesIO()
    writer = BackupWriter(out, title=title, subject=title, created=created)
    pages = writer.reserve_pages(page_count(len(sheet.rows)))
    write_cover(writer, unlinked, pages)
    writer.finish(file_id=hashlib.sha256(repr(unlinked).encode()).digest())
    return out.getvalue()


def _header(page: _Page, sheet: CoverSheet, document: _Element) -> None:
    width = PAGE[0] - 2 * _MARGIN
    title = _helvetica.fit(sheet.title, width, size=_TITLE_SIZE, bold=True)
    y = _TOP - _TITLE_SIZE
    page.tagged(
        _Element(b"H1", document, page=page.number),
        _text(b"/F2", _TITLE_SIZE, _MARGIN, y, title),
    )
    y -= 20.0
    for line in sheet.lines[:_HEADER_LINES]:
        data = _helvetica.fit(line, width, size=_LINE_SIZE)
        page.tagged(
            _Element(b"P", document, page=page.number),
            _text(b"/F1", _LINE_SIZE, _MARGIN, y, data),
        )
        y -= _LEADING


def _headings(page: _Page, sheet: CoverSheet, table: _Element | None, top: float) -> None:
    """The heading row: tagged (``TH``) on the first page, an artifact on the others."""
    width = sum(_WIDTHS)
    page.artifact(b"0.88 g %s re f 0 g" % _numbers(_MARGIN, top - _HEAD, width, _HEAD))
    row = None if table is None else _Element(b"TR", table, page=page.number)
    x = _MARGIN
    for column, (heading, cell_width) in enumerate(zip(sheet.headings, _WIDTHS, strict=True)):
        ops = []
        for line_index, line in enumerate(heading.split("\n")[:2]):
            data = _helvetica.fit(line, cell_width - 2 * _PAD, size=_HEAD_SIZE, bold=True)
            left = _aligned(x, cell_width, data, column, size=_HEAD_SIZE, bold=True)
            ops.append(_text(b"/F2", _HEAD_SIZE, left, top - 10.0 - 9.0 * line_index, data))
        if row is None:
            page.artifact(b" ".join(ops), pagination=True)
        else:
            scope = b"/A<</O/Table/Scope/Column>>"
            page.tagged(_Element(b"TH", row, page=page.number, extra=scope), b" ".join(ops))
        x += cell_width


def _row(
    page: _Page, row: CoverRow, table: _Element, top: float, writer: BackupWriter, key: int
) -> int:
    """Set one table line whose top is at *top*; return the next structure key."""
    bottom = top - _ROW
    width = sum(_WIDTHS)
    if row.total:
        page.artifact(b"0.95 g %s re f 0 g" % _numbers(_MARGIN, bottom, width, _ROW))
    page.artifact(
        b"0.5 w 0.75 G %s m %s l S 0 G"
        % (_numbers(_MARGIN, bottom), _numbers(_MARGIN + width, bottom))
    )
    element = _Element(b"TR", table, page=page.number)
    x = _MARGIN
    font = b"/F2" if row.total else b"/F1"
    for column, (text, cell_width) in enumerate(zip(row.cells, _WIDTHS, strict=True)):
        cell = _Element(b"TD", element, page=page.number)
        if text:
            data = _helvetica.fit(text, cell_width - 2 * _PAD, size=_CELL_SIZE, bold=row.total)
            left = _aligned(x, cell_width, data, column, size=_CELL_SIZE, bold=row.total)
            ops = _text(font, _CELL_SIZE, left, bottom + 4.0, data)
            if column == _LINK_CELL and row.page is not None:
                link = _Element(b"Link", cell, page=page.number)
                page.tagged(link, ops)
                annotation = _Annotation(
                    number=writer.objects.allocate(),
                    rect=(_MARGIN, bottom, _MARGIN + width, top),
                    target=writer.page_number(row.page),
                    label=row.label,
                    key=key,
                    page=page.number,
                    link=link,
                )
                link.kids.append(annotation)
                page.annotations.append(annotation)
                key += 1
            else:
                page.tagged(cell, ops)
        x += cell_width
    return key


def _aligned(
    x: float, cell_width: float, data: bytes, column: int, *, size: float, bold: bool
) -> float:
    if column in _RIGHT:
        return x + cell_width - _PAD - _helvetica.width(data, size=size, bold=bold)
    return x + _PAD


def _write(
    writer: BackupWriter,
    pages: Sequence[_Page],
    root: _Element,
    fonts: tuple[int, int],
    next_key: int,
    language: str,
) -> None:
    """Write the pages, their links and the structure tree; mark the output tagged."""
    objects = writer.objects
    elements: list[_Element] = []
    stack = [root]
    while stack:
        element = stack.pop()
        element.number = objects.allocate()
        elements.append(element)
        stack.extend(reversed([kid for kid in element.kids if isinstance(kid, _Element)]))
    parent_tree = objects.allocate()
    for element in elements:
        if element.parent is None:
            kids = b" ".join(b"%d 0 R" % k.number for k in element.kids if isinstance(k, _Element))
            objects.put(
                element.number,
                b"<</Type/StructTreeRoot/K %s/ParentTree %d 0 R/ParentTreeNextKey %d>>"
                % (kids, parent_tree, next_key),
            )
            continue
        body = bytearray(
            b"<</Type/StructElem/S/%s/P %d 0 R" % (element.role, element.parent.number)
        )
        if element.page:
            body += b"/Pg %d 0 R" % element.page
        body += element.extra + b"/K["
        for kid in element.kids:
            if isinstance(kid, _Element):
                body += b"%d 0 R " % kid.number
            elif isinstance(kid, _Annotation):
                body += b"<</Type/OBJR/Obj %d 0 R/Pg %d 0 R>> " % (kid.number, kid.page)
            else:
                body += b"%d " % kid
        body += b"]>>"
        objects.put(element.number, body)
    nums = bytearray()
    for key, page in enumerate(pages):
        refs = b" ".join(b"%d 0 R" % element.number for element in page.marked)
        nums += b"%d[%s]" % (key, refs)
    for page in pages:
        for annotation in page.annotations:
            nums += b" %d %d 0 R" % (annotation.key, annotation.link.number)
    objects.put(parent_tree, b"<</Nums[%s]>>" % nums)
    resources = b"/Resources<</Font<</F1 %d 0 R/F2 %d 0 R>>>>" % fonts
    for key, page in enumerate(pages):
        for annotation in page.annotations:
            objects.put(
                annotation.number,
                b"<</Type/Annot/Subtype/Link/Rect[%s]/Border[0 0 0]/F 4/Dest[%d 0 R/Fit]"
                b"/StructParent %d/Contents%s>>"
                % (
                    _numbers(*annotation.rect),
                    annotation.target,
                    annotation.key,
                    serialise(text_string(annotation.label)),
                ),
            )
        content = objects.allocate()
        data = zlib.compress(b"\n".join(page.ops))
        objects.put(
            content,
            b"<</Filter/FlateDecode/Length %d>>\nstream\n" % len(data),
            data,
            b"\nendstream",
        )
        annots = b" ".join(b"%d 0 R" % a.number for a in page.annotations)
        objects.put(
            page.number,
            b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 %s]%s/Contents %d 0 R"
            b"%s/StructParents %d/Tabs/S>>"
            % (
                writer.pages_root,
                _numbers(*PAGE),
                resources,
                content,
                b"/Annots[%s]" % annots if annots else b"",
                key,
            ),
        )
    writer.set_structure(root=root.number, language=language)


def _text(font: bytes, size: float, x: float, y: float, data: bytes) -> bytes:
    return b"BT %s %s Tf %s Td %s Tj ET" % (
        font,
        _numbers(size),
        _numbers(x, y),
        serialise(String(data)),
    )


def _numbers(*values: float) -> bytes:
    """Numbers as PDF operands: at most two decimals, no trailing zeros (same bytes each time)."""
    return b" ".join((f"{value:.2f}".rstrip("0").rstrip(".") or "0").encode() for value in values)
