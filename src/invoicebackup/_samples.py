"""Small, valid sample PDFs written byte by byte, for tests, demos and documentation.

The builders here write PDF syntax by hand (objects, a classic cross-reference
table, a trailer) instead of going through pypdf. That is deliberate:

* the only module allowed to import pypdf is :mod:`invoicebackup.pdf.pypdf_adapter`, and test
  fixtures that are produced by the engine under test would share its bugs — an
  independent writer makes the tests able to fail;
* the output is tiny, deterministic (no dates, a fixed ``/ID``) and easy to read
  in a text editor, which is what a fixture should be.

Only the features the backup engine must handle are covered: Helvetica text pages of
any size and rotation, an AcroForm "lien waiver" with text fields, a page with a
Flate-encoded grey "scanned" image, an internal link (explicit or named
destination), and active content (document JavaScript, ``/OpenAction``, page and
annotation actions) for tests of its removal. They are exported publicly from
:mod:`invoicebackup.testing`.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence

__all__ = [
    "LETTER",
    "active_content_pdf",
    "lien_waiver_pdf",
    "linked_pdf",
    "scanned_pdf",
    "text_pdf",
]

#: US Letter in PDF points (width, height).
LETTER: tuple[float, float] = (612.0, 792.0)

_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _num(value: float) -> bytes:
    if float(value).is_integer():
        return str(int(value)).encode()
    return f"{value:.4f}".rstrip("0").encode()


def _literal(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252), escaped; unknown characters become ``?``."""
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    escaped = escaped.replace(b"\r", b"\\r").replace(b"\n", b"\\n")
    return b"(" + escaped + b")"


def _name(text: str) -> bytes:
    out = bytearray(b"/")
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if 0x21 <= byte <= 0x7E and char not in "#()<>[]{}/%":
            out.append(byte)
        else:
            out += f"#{byte:02X}".encode()
    return bytes(out)


class _Builder:
    """Collects numbered objects and renders them with a correct xref table."""

    def __init__(self) -> None:
        self._objects: list[bytes | None] = []

    def reserve(self) -> int:
        self._objects.append(None)
        return len(self._objects)

    def set(self, number: int, body: bytes) -> int:
        self._objects[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.set(self.reserve(), body)

    def stream(self, dictionary: bytes, data: bytes) -> int:
        head = b"<< " + dictionary + b" /Length " + str(len(data)).encode() + b" >>"
        return self.add(head + b"\nstream\n" + data + b"\nendstream")

    def render(self, *, root: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets: list[int] = []
        for number, body in enumerate(self._objects, start=1):
            if body is None:
                raise ValueError(f"object {number} was reserved but never set")
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(offsets) + 1}\n".encode()
        out += b"0000000000 65535 f \n"
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode()
        digest = hashlib.sha256(bytes(out)).hexdigest()[:32].upper().encode()
        out += (
            b"trailer\n<< /Size "
            + str(len(offsets) + 1).encode()
            + b" /Root "
            + str(root).encode()
            + b" 0 R /ID [<"
            + digest
            + b"> <"
            + digest
            + b">] >>\nstartxref\n"
            + str(xref).encode()
            + b"\n%%EOF\n"
        )
        return bytes(out)


def _text_content(lines: Sequence[str], *, top: float, size: float = 12) -> bytes:
    ops = [b"BT", b"/F1 " + _num(size) + b" Tf", b"72 " + _num(top) + b" Td"]
    for index, line in enumerate(lines):
        if index:
            ops.append(b"0 " + _num(-(size * 1.4)) + b" Td")
        ops.append(_literal(line) + b" Tj")
    ops.append(b"ET")
    return b"\n".join(ops)


def _page(
    builder: _Builder,
    *,
    pages_ref: int,
    size: tuple[float, float],
    content: bytes,
    resources: bytes,
    rotation: int = 0,
    extra: bytes = b"",
    number: int | None = None,
) -> int:
    contents = builder.stream(b"", content)
    body = (
        b"<< /Type /Page /Parent "
        + str(pages_ref).encode()
        + b" 0 R /MediaBox [0 0 "
        + _num(size[0])
        + b" "
        + _num(size[1])
        + b"] /Resources "
        + resources
        + b" /Contents "
        + str(contents).encode()
        + b" 0 R"
        + (b" /Rotate " + str(rotation).encode() if rotation else b"")
        + extra
        + b" >>"
    )
    if number is None:
        return builder.add(body)
    return builder.set(number, body)


def _pages_tree(builder: _Builder, pages_ref: int, kids: Sequence[int]) -> None:
    refs = b" ".join(str(k).encode() + b" 0 R" for k in kids)
    builder.set(
        pages_ref,
        b"<< /Type /Pages /Kids [" + refs + b"] /Count " + str(len(kids)).encode() + b" >>",
    )


def _check_rotation(rotation: int) -> None:
    if rotation % 90:
        raise ValueError(f"rotation must be a multiple of 90, got {rotation}")


def text_pdf(
    pages: Sequence[str],
    *,
    page_size: tuple[float, float] = LETTER,
    rotation: int = 0,
    title: str | None = None,
) -> bytes:
    r"""A PDF with one page per string, each line of the string drawn in Helvetica.

    Args:
        pages: The text of each page; ``"\\n"`` separates lines. At least one page.
        page_size: Width and height in points.
        rotation: The pages' ``/Rotate``, a multiple of 90.
        title: An optional ``/Title`` in the document information dictionary.

    Returns:
        The PDF's bytes.

    Raises:
        ValueError: No page, or a rotation that is not a multiple of 90.

    Example:
        >>> import io, pypdf
        >>> from invoicebackup.testing import text_pdf
        >>> pdf = text_pdf(["Pay application 1", "Schedule of values"], title="App 1")
        >>> reader = pypdf.PdfReader(io.BytesIO(pdf))
        >>> len(reader.pages), reader.metadata.title, reader.pages[1].extract_text()
        (2, 'App 1', 'Schedule of values')

    .. versionadded:: 0.1.0
    """
    if not pages:
        raise ValueError("a PDF needs at least one page")
    _check_rotation(rotation)
    builder = _Builder()
    catalog = builder.reserve()
    pages_ref = builder.reserve()
    font = builder.add(_HELVETICA)
    resources = b"<< /Font << /F1 " + str(font).encode() + b" 0 R >> >>"
    kids = [
        _page(
            builder,
            pages_ref=pages_ref,
            size=page_size,
            content=_text_content(text.split("\n"), top=page_size[1] - 72),
            resources=resources,
            rotation=rotation,
        )
        for text in pages
    ]
    _pages_tree(builder, pages_ref, kids)
    builder.set(catalog, b"<< /Type /Catalog /Pages " + str(pages_ref).encode() + b" 0 R >>")
    if title is not None:
        return _with_info(builder, catalog, title)
    return builder.render(root=catalog)


def _with_info(builder: _Builder, catalog: int, title: str) -> bytes:
    info = builder.add(b"<< /Title " + _literal(title) + b" >>")
    data = builder.render(root=catalog)
    # Add /Info to the trailer (the builder writes only /Root and /ID).
    return data.replace(b" /Root ", b" /Info " + str(info).encode() + b" 0 R /Root ", 1)


def lien_waiver_pdf(
    fields: Mapping[str, str],
    *,
    title: str = "Conditional lien waiver",
    page_size: tuple[float, float] = LETTER,
) -> bytes:
    """A one-page AcroForm with a text field per entry of *fields*, filled in.

    Each field is a merged field/widget annotation with a value (``/V``), a
    default appearance and a normal appearance stream showing the value, so it
    renders without ``/NeedAppearances``.

    Args:
        fields: Field name → value, in the order to lay them out. Names must not
            contain ``.`` (a partial field name).
        title: The heading drawn on the page.
        page_size: Width and height in points.

    Returns:
        The PDF's bytes.

    Raises:
        ValueError: No field, or a name containing ``.``.

    Example:
        >>> import io, pypdf
        >>> from invoicebackup.testing import lien_waiver_pdf
        >>> pdf = lien_waiver_pdf({"claimant": "Volt Electric", "amount": "500.00"})
        >>> pypdf.PdfReader(io.BytesIO(pdf)).get_form_text_fields()
        {'claimant': 'Volt Electric', 'amount': '500.00'}

    .. versionadded:: 0.1.0
    """
    if not fields:
        raise ValueError("a lien waiver needs at least one field")
    for name in fields:
        if not name or "." in name:
            raise ValueError(f"a partial field name must be non-empty without '.', got {name!r}")
    builder = _Builder()
    catalog = builder.reserve()
    pages_ref = builder.reserve()
    page_ref = builder.reserve()
    font = builder.add(_HELVETICA)
    font_ref = str(font).encode() + b" 0 R"
    widgets: list[int] = []
    top = page_size[1] - 130
    for index, (name, value) in enumerate(fields.items()):
        y = top - index * 40
        rect = b"[200 " + _num(y) + b" 500 " + _num(y + 20) + b"]"
        appearance = builder.stream(
            b"/Type /XObject /Subtype /Form /BBox [0 0 300 20] /Resources << /Font << /Helv "
            + font_ref
            + b" >> >>",
            b"/Tx BMC q BT /Helv 12 Tf 2 6 Td " + _literal(value) + b" Tj ET Q EMC",
        )
        widgets.append(
            builder.add(
                b"<< /Type /Annot /Subtype /Widget /FT /Tx /T "
                + _literal(name)
                + b" /V "
                + _literal(value)
                + b" /DA (/Helv 12 Tf 0 g) /F 4 /Rect "
                + rect
                + b" /P "
                + str(page_ref).encode()
                + b" 0 R /AP << /N "
                + str(appearance).encode()
                + b" 0 R >> >>"
            )
        )
    labels = [title, ""] + [f"{name}:" for name in fields]
    content = _text_content(labels[:2], top=page_size[1] - 72, size=16)
    for index, name in enumerate(fields):
        y = top - index * 40 + 6
        content += b"\nBT /F1 12 Tf 72 " + _num(y) + b" Td " + _literal(f"{name}:") + b" Tj ET"
    annots = b" ".join(str(w).encode() + b" 0 R" for w in widgets)
    _page(
        builder,
        pages_ref=pages_ref,
        size=page_size,
        content=content,
        resources=b"<< /Font << /F1 " + font_ref + b" >> >>",
        extra=b" /Annots [" + annots + b"]",
        number=page_ref,
    )
    _pages_tree(builder, pages_ref, [page_ref])
    builder.set(
        catalog,
        b"<< /Type /Catalog /Pages "
        + str(pages_ref).encode()
        + b" 0 R /AcroForm << /Fields ["
        + annots
        + b"] /DA (/Helv 12 Tf 0 g) /DR << /Font << /Helv "
        + font_ref
        + b" >> >> >> >>",
    )
    return builder.render(root=catalog)


def scanned_pdf(
    *,
    pages: int = 1,
    pixels: tuple[int, int] = (200, 260),
    grey: int = 200,
    page_size: tuple[float, float] = LETTER,
) -> bytes:
    """A PDF of "scanned" pages: each a Flate-encoded 8-bit grey image filling the page.

    Args:
        pages: How many pages (each draws the same image object).
        pixels: The image's width and height in pixels.
        grey: The grey level, 0 (black) to 255 (white); a dark band marks the top.
        page_size: Width and height in points.

    Returns:
        The PDF's bytes.

    Example:
        >>> import io, pypdf
        >>> from invoicebackup.testing import scanned_pdf
        >>> reader = pypdf.PdfReader(io.BytesIO(scanned_pdf(pages=2)))
        >>> len(reader.pages), reader.pages[0].extract_text()   # no text: an image of it
        (2, '')
        >>> list(reader.pages[1]["/Resources"]["/XObject"])
        ['/Im1']

    .. versionadded:: 0.1.0
    """
    if pages < 1:
        raise ValueError(f"a PDF needs at least one page, got {pages}")
    if not 0 <= grey <= 255:
        raise ValueError(f"grey must be within 0..255, got {grey}")
    width, height = pixels
    if width < 1 or height < 1:
        raise ValueError(f"an image needs positive pixel dimensions, got {pixels}")
    band = max(1, height // 10)
    rows = bytes([40]) * width * band + bytes([grey]) * width * (height - band)
    builder = _Builder()
    catalog = builder.reserve()
    pages_ref = builder.reserve()
    image = builder.stream(
        b"/Type /XObject /Subtype /Image /Width "
        + str(width).encode()
        + b" /Height "
        + str(height).encode()
        + b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
        zlib.compress(rows, 9),
    )
    draw = b"q " + _num(page_size[0]) + b" 0 0 " + _num(page_size[1]) + b" 0 0 cm /Im1 Do Q"
    kids = [
        _page(
            builder,
            pages_ref=pages_ref,
            size=page_size,
            content=draw,
            resources=b"<< /XObject << /Im1 " + str(image).encode() + b" 0 R >> >>",
        )
        for _ in range(pages)
    ]
    _pages_tree(builder, pages_ref, kids)
    builder.set(catalog, b"<< /Type /Catalog /Pages " + str(pages_ref).encode() + b" 0 R >>")
    return builder.render(root=catalog)


def linked_pdf(*, pages: int = 3, named: bool = False) -> bytes:
    """A text PDF whose first page links to its last page.

    Args:
        pages: How many pages (at least 2).
        named: Link through the named destination ``page.last`` (declared in the
            catalog's ``/Names /Dests`` tree) instead of an explicit destination.

    Returns:
        The PDF's bytes.

    Example:
        >>> import io, pypdf
        >>> from invoicebackup.testing import linked_pdf
        >>> reader = pypdf.PdfReader(io.BytesIO(linked_pdf(pages=3, named=True)))
        >>> len(reader.pages), list(reader.named_destinations)
        (3, ['page.last'])

    .. versionadded:: 0.1.0
    """
    if pages < 2:
        raise ValueError(f"a link between pages needs at least 2 pages, got {pages}")
    builder = _Builder()
    catalog = builder.reserve()
    pages_ref = builder.reserve()
    kids = [builder.reserve() for _ in range(pages)]
    font = builder.add(_HELVETICA)
    resources = b"<< /Font << /F1 " + str(font).encode() + b" 0 R >> >>"
    last = str(kids[-1]).encode() + b" 0 R"
    target = b"(page.last)" if named else b"[" + last + b" /Fit]"
    link = builder.add(
        b"<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /Border [0 0 1] /Dest "
        + target
        + b" >>"
    )
    for index, number in enumerate(kids):
        lines = [f"Page {index + 1} of {pages}"]
        if index == 0:
            lines.append("Go to the last page")
        _page(
            builder,
            pages_ref=pages_ref,
            size=LETTER,
            content=_text_content(lines, top=700),
            resources=resources,
            extra=b" /Annots [" + str(link).encode() + b" 0 R]" if index == 0 else b"",
            number=number,
        )
    _pages_tree(builder, pages_ref, kids)
    names = (
        b" /Names << /Dests << /Names [(page.last) [" + last + b" /Fit]] >> >>" if named else b""
    )
    builder.set(
        catalog, b"<< /Type /Catalog /Pages " + str(pages_ref).encode() + b" 0 R" + names + b" >>"
    )
    return builder.render(root=catalog)


def active_content_pdf(*, script: str = "app.alert('hello');") -> bytes:
    """A one-page PDF full of active content a backup must not carry.

    It has a document-level JavaScript name tree entry, a JavaScript
    ``/OpenAction``, catalog and page additional actions (``/AA``), a link
    annotation whose action launches a program, a link running JavaScript, and an
    XFA form entry with ``/SigFlags`` in its AcroForm.

    Args:
        script: The JavaScript source to embed.

    Returns:
        The PDF's bytes.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import active_content_pdf, sample_documents, sample_project
        >>> store = InMemoryStore({**sample_documents(), "docs/i-3.pdf": active_content_pdf()})
        >>> result = compile_backup(sample_project(), invoice_ids=["i-3"], user_id="u-admin",
        ...                         store=store, now=datetime(2026, 11, 3, tzinfo=timezone.utc))
        >>> for what in result.invoices[0].sources[0].removed:   # not copied into the backup
        ...     print(what)
        JavaScript action
        Launch action
        XFA form data
        document JavaScript
        document additional actions (/AA)
        document open action (/OpenAction)
        page additional actions (/AA)

    .. versionadded:: 0.1.0
    """
    builder = _Builder()
    catalog = builder.reserve()
    pages_ref = builder.reserve()
    font = builder.add(_HELVETICA)
    js = builder.add(b"<< /Type /Action /S /JavaScript /JS " + _literal(script) + b" >>")
    js_ref = str(js).encode() + b" 0 R"
    launch = builder.add(
        b"<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] "
        b"/A << /S /Launch /F (calc.exe) >> >>"
    )
    js_link = builder.add(
        b"<< /Type /Annot /Subtype /Link /Rect [72 560 300 580] /A " + js_ref + b" >>"
    )
    xfa = builder.stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    page = _page(
        builder,
        pages_ref=pages_ref,
        size=LETTER,
        content=_text_content(["This page carries active content."], top=700),
        resources=b"<< /Font << /F1 " + str(font).encode() + b" 0 R >> >>",
        extra=b" /AA << /O "
        + js_ref
        + b" >> /Annots ["
        + str(launch).encode()
        + b" 0 R "
        + str(js_link).encode()
        + b" 0 R]",
    )
    _pages_tree(builder, pages_ref, [page])
    builder.set(
        catalog,
        b"<< /Type /Catalog /Pages "
        + str(pages_ref).encode()
        + b" 0 R /OpenAction "
        + js_ref
        + b" /AA << /WC "
        + js_ref
        + b" >> /Names << /JavaScript << /Names [(hello) "
        + js_ref
        + b"] >> >> /AcroForm << /Fields [] /SigFlags 3 /XFA "
        + str(xfa).encode()
        + b" 0 R >> >>",
    )
    return builder.render(root=catalog)
