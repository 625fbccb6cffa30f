"""Images made in the tests, compiled into backups, and read back from them with pikepdf.

:func:`shown` draws what a backup page shows of its image, in the image's pixels: the
page's drawing matrix is inverted and applied to the image extracted from the PDF
(nearest pixel), so orientation, mirroring and placement are checked, not assumed.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from collections.abc import Mapping, Sequence
from typing import Any

import pikepdf
from PIL import Image

from invoicebackup import BackupOptions, BackupResult, compile_backup
from invoicebackup.manifest import SourceRecord
from tests.backup_helpers import ADMIN, NOW, attachment, invoice, project, store_for

MEDIA_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "PDF": "application/pdf",
}


def encoded(image: Image.Image, fmt: str, **params: Any) -> bytes:
    """*image* saved as *fmt* with Pillow."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def quadrants(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with four differently coloured quarters and a mark: any turn or mirror shows."""
    width, height = size
    image = Image.new("RGB", size, (255, 255, 255))
    colours = [(220, 30, 30), (30, 200, 30), (30, 30, 220), (240, 220, 20)]
    for index, colour in enumerate(colours):
        left, top = (index % 2) * width // 2, (index // 2) * height // 2
        image.paste(colour, (left, top, left + width // 2, top + height // 2))
    image.paste((0, 0, 0), (width // 8, height // 8, width // 4, height // 3))
    return image.convert(mode)


def compile_files(
    files: Mapping[str, bytes | tuple[bytes, str]],
    options: BackupOptions | None = None,
) -> tuple[BackupResult, pikepdf.Pdf]:
    """One invoice with *files* as attachments (name → bytes, or bytes and media type).

    The backup is returned open (pikepdf): keep it while its pages are used.
    """
    result, data = compiled(files, options)
    return result, pikepdf.open(io.BytesIO(data))


def compiled(
    files: Mapping[str, bytes | tuple[bytes, str]],
    options: BackupOptions | None = None,
) -> tuple[BackupResult, bytes]:
    """As :func:`compile_files`, with the backup's bytes."""
    documents = []
    stored = {}
    for name, value in files.items():
        data, media_type = value if isinstance(value, tuple) else (value, _media_type(name))
        documents.append(attachment(name, media_type=media_type))
        stored[f"att/{name}"] = data
    p = project([invoice("i-1", attachments=documents)])
    store = store_for(p, stored)
    result = compile_backup(
        p,
        invoice_ids=["i-1"],
        user_id=ADMIN.id,
        store=store,
        options=options or BackupOptions(),
        now=NOW,
    )
    return result, store.read_bytes(result.key)


def _media_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].upper()
    return MEDIA_TYPES.get({"JPG": "JPEG", "TIF": "TIFF"}.get(extension, extension), "")


def source(result: BackupResult, filename: str) -> SourceRecord:
    """The manifest's record of the document named *filename*."""
    (found,) = [s for record in result.invoices for s in record.sources if s.filename == filename]
    return found


def pages_of(result: BackupResult, pdf: pikepdf.Pdf, filename: str) -> list[pikepdf.Page]:
    """The backup pages *filename* became, found through the manifest's page range."""
    record = source(result, filename)
    return list(pdf.pages[record.first_page - 1 : record.last_page])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_size(page: pikepdf.Page) -> tuple[float, float]:
    box = [float(v) for v in page.MediaBox]
    return box[2] - box[0], box[3] - box[1]


_CM = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) cm")


def drawing(page: pikepdf.Page) -> list[tuple[tuple[float, ...], str]]:
    """Each image the page draws, with the full matrix it is drawn with (page space)."""
    content = page.Contents.read_bytes()
    stack: list[tuple[float, ...]] = []
    current: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    drawn = []
    for token in re.finditer(rb"q|Q|" + _CM.pattern + rb"|/(\w+) Do", content):
        text = token.group(0)
        if text == b"q":
            stack.append(current)
        elif text == b"Q":
            current = stack.pop()
        elif text.endswith(b"cm"):
            current = _times(tuple(float(v) for v in _CM.fullmatch(text).groups()), current)  # type: ignore[union-attr]
        else:
            drawn.append((current, "/" + token.group(7).decode()))
    return drawn


def _times(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix product m x n (PDF: apply m, then n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def xobject(page: pikepdf.Page, name: str) -> pikepdf.Stream:
    """The image XObject *name* of *page*."""
    found = page.Resources.XObject[name]
    assert isinstance(found, pikepdf.Stream)
    return found


def decoded(stream: pikepdf.Object) -> Image.Image:
    """An image stream decoded by pikepdf (as a viewer would, /Decode aside)."""
    assert isinstance(stream, pikepdf.Stream)
    return pikepdf.PdfImage(stream).as_pil_image()


def extracted(page: pikepdf.Page, name: str) -> Image.Image:
    """The image XObject *name* of *page*, decoded."""
    return decoded(xobject(page, name))


def shown(page: pikepdf.Page, image: Image.Image | None = None) -> Image.Image:
    """What the page shows of its (single) image, at the image's own pixel size.

    The image's unit square is mapped by the page's matrix to a box on the page; the box
    is sampled at pixel centres through the inverse matrix (nearest pixel).
    """
    ((matrix, name),) = drawing(page)
    picture = extracted(page, name) if image is None else image
    width, height = picture.size
    a, b, c, d, e, f = matrix
    corners = [(e + a * u + c * v, f + b * u + d * v) for u in (0, 1) for v in (0, 1)]
    left = min(x for x, _ in corners)
    right = max(x for x, _ in corners)
    bottom = min(y for _, y in corners)
    top = max(y for _, y in corners)
    turned = abs(b) > abs(a)
    out_w, out_h = (height, width) if turned else (width, height)
    # output pixel (x, y) → page point → unit square (u, v) → image pixel (u w, (1 - v) h)
    det = a * d - b * c
    coefficients = []
    # page point: px = left + x (right-left)/out_w, py = top - y (top-bottom)/out_h
    sx, sy = (right - left) / out_w, (top - bottom) / out_h
    # u = ( d (px - e) - c (py - f)) / det ; v = (-b (px - e) + a (py - f)) / det
    # image x = u * width; image y = (1 - v) * height
    u_x, u_y, u_1 = d * sx / det, c * sy / det, (d * (left - e) - c * (top - f)) / det
    v_x, v_y, v_1 = -b * sx / det, -a * sy / det, (-b * (left - e) + a * (top - f)) / det
    coefficients = [
        u_x * width,
        u_y * width,
        u_1 * width,
        -v_x * height,
        -v_y * height,
        (1 - v_1) * height,
    ]
    return picture.transform(
        (out_w, out_h), Image.Transform.AFFINE, coefficients, Image.Resampling.NEAREST
    )


def same_pixels(first: Image.Image, second: Image.Image) -> bool:
    """Whether two images have the same size and pixels (in *first*'s mode)."""
    return first.size == second.size and first.tobytes() == second.convert(first.mode).tobytes()


def tiff(pages: Sequence[tuple[int, int, bytes]], *, dpi: int = 200, photometric: int = 0) -> bytes:
    """A multi-page bilevel TIFF of Group 4 strips: (width, height, strip data) per page."""
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    offsets = []
    for _width, _height, strip in pages:
        offsets.append(len(out))
        out += strip + b"\x00" * (len(strip) % 2)  # TIFF offsets are even
    entries_count = 11
    first = len(out)
    struct.pack_into("<I", out, 4, first)
    for index, (width, height, strip) in enumerate(pages):
        ifd = len(out)
        size = 2 + 12 * entries_count + 4
        rational = ifd + size
        following = rational + 16 if index + 1 < len(pages) else 0
        entries = [
            (256, 4, 1, width),
            (257, 4, 1, height),
            (258, 3, 1, 1),
            (259, 3, 1, 4),
            (262, 3, 1, photometric),
            (273, 4, 1, offsets[index]),
            (277, 3, 1, 1),
            (278, 4, 1, height),
            (279, 4, 1, len(strip)),
            (282, 5, 1, rational),
            (283, 5, 1, rational + 8),
        ]
        out += struct.pack("<H", entries_count)
        for tag, kind, count, value in entries:
            out += struct.pack("<HHII", tag, kind, count, value)
        out += struct.pack("<I", following)
        out += struct.pack("<IIII", dpi, 1, dpi, 1)
    return bytes(out)


def blank_g4(width: int, height: int) -> bytes:
    """Group 4 data of an all-white page: every line is coded ``V0`` (one bit) on the last."""
    del width  # a white line under a white line is one bit, whatever its width
    return b"\xff" * (height // 8) + (
        b"" if height % 8 == 0 else bytes([0xFF << (8 - height % 8) & 0xFF])
    )
