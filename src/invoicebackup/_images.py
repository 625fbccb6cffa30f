"""Images as pages: a JPEG, PNG, TIFF, GIF, WebP or BMP document becomes backup pages.

:func:`open_image` reads an image's headers (:mod:`invoicebackup._imageheaders`), checks
them against the :class:`ImageLimits` before any pixel is decoded, and returns a
:class:`ParsedImage`; :func:`invoicebackup._imagepages.pages` makes its pages one at a time,
so memory holds one decoded page, never the file's.

Each page is the image at its real size — from its resolution, when it gives a plausible
one — and the right way up (its EXIF orientation is applied by the page's drawing matrix;
the pixels are not touched). An image with no or an implausible resolution is fitted on
the paper size of :attr:`ImageLimits.paper`, never drawn larger than one point per pixel.

What is copied and what is decoded:

- A baseline or progressive 8-bit JPEG is the page's image as it is: its bytes are the
  PDF's ``DCTDecode`` stream, so quality and size are unchanged. A CMYK JPEG with an Adobe
  marker (stored inverted, as Photoshop writes it) gets a ``/Decode`` that inverts it back.
- A TIFF page compressed with CCITT Group 4 (fax) is copied as it is too, one image per
  strip, and so is an opaque, non-interlaced PNG's compressed data (PDF's Flate filter
  with the PNG predictor reads it as it is; its 16-bit colour is kept).
- Every other image is decoded by Pillow (the ``images`` extra) and written losslessly
  (Flate), transparency as a soft mask. Without Pillow, such an image is left out with
  the code ``needs_images_extra``.

An animated GIF or WebP becomes one page: its first frame (what a printer and a viewer
that does not animate show); a note says how many frames it has.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from types import ModuleType
from typing import Final

import attrs

from . import _imageheaders as headers
from ._pdfopen import with_article
from .domain import Document
from .errors import BadDocumentError

#: Paper sizes in points (width, height, portrait).
PAPER_SIZES: Final = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}
#: The margin kept around an image fitted on paper, in points (half an inch).
MARGIN: Final = 36.0
#: The resolutions (dots per inch) believed: below 72, a page would be drawn larger than
#: one point per pixel; past 10,000, no scanner or camera made it.
PLAUSIBLE_DPI: Final = (72.0, 10_000.0)
#: The largest page side believed from a resolution (48 in, an ARCH E drawing): a phone
#: photo tagged 72 dpi would otherwise be a page 56 inches wide.
LARGEST_SIDE: Final = 48 * 72.0
#: The smallest page side believed from a resolution (a quarter inch).
SMALLEST_SIDE: Final = 18.0

#: The JPEG processes a PDF's DCTDecode filter shows: baseline, extended, progressive.
_DCT_PROCESSES: Final = frozenset({0xC0, 0xC1, 0xC2})

#: What this library calls each format in words.
KINDS: Final = {
    "JPEG": "JPEG image",
    "PNG": "PNG image",
    "TIFF": "TIFF image",
    "GIF": "GIF image",
    "WEBP": "WebP image",
    "BMP": "BMP image",
}


class ImagesUnavailable(Exception):
    """The image needs Pillow (the ``images`` extra) to become a page, and it is missing."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(
            f"it is {with_article(KINDS[kind])}, and reading it needs Pillow, which is not "
            "installed (pip install 'invoicebackup[images]')"
        )


@attrs.frozen(kw_only=True)
class ImageLimits:
    """Bounds on one image document, checked on its headers before any decoding.

    Attributes:
        max_pixels: A page (frame) of more pixels is ``too_large``.
        max_frames: An image of more pages (TIFF) is ``too_large``.
        max_bytes: A file larger than this is ``too_large`` (``None``: no bound).
        paper: The paper an image with no plausible resolution is fitted on
            (``letter`` or ``a4``).
    """

    max_pixels: int = 80_000_000
    max_frames: int = 10_000
    max_bytes: int | None = 512 * 1024 * 1024
    paper: str = "letter"


@attrs.frozen(kw_only=True)
class Frame:
    """One page of an image: where it is, its header, and how it becomes a page.

    Attributes:
        index: Its frame (TIFF directory) index, for the decoder.
        header: Its size, resolution and orientation.
        tags: Its TIFF directory (TIFF only).
        jpeg: Its JPEG markers (JPEG only).
        png: Its PNG chunks (PNG only).
        decoded: Whether Pillow decodes it (else its bytes are copied as they are).
    """

    index: int
    header: headers.Header
    tags: dict[int, tuple] | None = None  # type: ignore[type-arg]
    jpeg: headers.JpegInfo | None = None
    png: headers.PngInfo | None = None
    decoded: bool = True


#: Media types that say nothing of what a document is: its bytes are read to find out.
_UNSTATED: Final = frozenset({"application/octet-stream", "binary/octet-stream"})


def may_be_image(document: Document) -> bool:
    """Whether *document* is declared as an image, or as nothing in particular."""
    essence = document.media_type.partition(";")[0]
    return essence.startswith("image/") or essence in _UNSTATED


def pillow() -> ModuleType | None:
    """Pillow's ``PIL.Image``, or ``None`` when the ``images`` extra is not installed."""
    try:
        return importlib.import_module("PIL.Image")
    except ImportError:
        return None


class ParsedImage:
    """One image document whose headers were read and checked, ready to become pages.

    Like :class:`~invoicebackup._pdfopen.ParsedPdf` to the rest of a compile (its key,
    file name, page count, notes); it is never encrypted, repaired nor has an outline.

    Attributes:
        kind: Its format (``JPEG``, ``PNG``, ``TIFF``, ``GIF``, ``WEBP``, ``BMP``).
        frames: Its pages, in order.
    """

    __slots__ = ("_data", "filename", "frames", "key", "kind", "notes", "paper")

    encrypted: Final = False
    repaired: Final = False
    outline: Final = ()
    compacted: Final = False

    def __init__(
        self,
        *,
        data: bytes,
        key: str,
        filename: str,
        kind: str,
        frames: tuple[Frame, ...],
        paper: str,
        notes: tuple[str, ...] = (),
    ) -> None:
        self._data = data
        self.key = key
        self.filename = filename
        self.kind = kind
        self.frames = frames
        self.paper = paper
        self.notes = notes

    def __repr__(self) -> str:
        return f"<ParsedImage {self.key!r} {self.kind} pages={self.page_count}>"

    @property
    def page_count(self) -> int:
        """How many pages it becomes."""
        return len(self.frames)

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called."""
        return not self._data

    def release(self) -> None:
        """Let go of its bytes."""
        self._data = b""

    def compact(self) -> None:
        """Nothing to compact: an image is kept whole or not at all."""

    @property
    def data(self) -> bytes:
        """Its bytes (what :func:`invoicebackup._imagepages.pages` reads its pages from)."""
        if self.released:
            raise ValueError(f"{self!r} was released")
        return self._data


@attrs.frozen(kw_only=True)
class Piece:
    """One image XObject of a page, with where it goes in the page's image square.

    Attributes:
        entries: Its dictionary's entries (``/Width``, ``/ColorSpace``, ``/Filter``…),
            without ``/Type``, ``/Subtype`` or ``/Length``.
        data: Its stream data, encoded as the entries say.
        box: The part of the image's unit square it covers: left, bottom, right, top.
        mask: Its soft mask (transparency), if it has one.
    """

    entries: bytes
    data: bytes | memoryview
    box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    mask: Piece | None = None


@attrs.frozen(kw_only=True)
class ImagePage:
    """One page an image becomes: its placement and the images drawn in it."""

    placement: Placement
    pieces: tuple[Piece, ...]


def open_image(
    data: bytes,
    kind: str,
    *,
    key: str,
    filename: str,
    limits: ImageLimits | None = None,
) -> ParsedImage:
    """Read the headers of image *data* of format *kind* and check them against *limits*.

    Raises:
        BadDocumentError: ``damaged`` (a malformed or cut-short header, or a JPEG with
            no end) or ``too_large`` (more pixels, pages or bytes than the limits).
        ImagesUnavailable: It needs Pillow, which is not installed.
    """
    limits = limits or ImageLimits()

    def bad(code: str, reason: str) -> BadDocumentError:
        return BadDocumentError(key=key, filename=filename, code=code, reason=reason)

    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise bad("too_large", f"it has {len(data)} bytes, over the limit")
    notes: list[str] = []
    try:
        frames = _frames(data, kind, limits, bad)
    except headers.HeaderError as error:
        raise bad(
            "damaged", f"it is {with_article(KINDS[kind])} that cannot be read: {error}"
        ) from None
    if any(frame.decoded for frame in frames) and pillow() is None:
        raise ImagesUnavailable(kind)
    if kind in ("GIF", "WEBP"):
        count = _frame_count(data)
        if count > 1:
            notes.append(
                f"it is an animated {KINDS[kind]} of {count} frames: its first frame is the page"
            )
    return ParsedImage(
        data=data,
        key=key,
        filename=filename,
        kind=kind,
        frames=frames,
        paper=limits.paper,
        notes=tuple(notes),
    )


def _frames(
    data: bytes,
    kind: str,
    limits: ImageLimits,
    bad: Callable[[str, str], BadDocumentError],
) -> tuple[Frame, ...]:
    """Every page of the image, each checked against the pixel limit; the page limit."""
    frames: list[Frame] = []
    if kind == "TIFF":
        for index, tags in enumerate(headers.tiff_directories(data, limit=limits.max_frames + 2)):
            subfile = tags.get(headers.NEW_SUBFILE_TYPE, (0,))[0]
            if isinstance(subfile, int) and subfile & 1 and frames:
                continue  # a reduced-resolution copy (a thumbnail) of a page: not a page
            frames.append(
                Frame(
                    index=index,
                    header=headers.tiff_header(tags),
                    tags=tags,
                    decoded=not _g4_copyable(tags),
                )
            )
            if len(frames) > limits.max_frames:
                raise bad("too_large", f"it has more than {limits.max_frames} pages")
    elif kind == "JPEG":
        info = headers.jpeg_info(data)
        if not info.complete:
            raise bad("damaged", "a JPEG image that is cut short (it has no end-of-image marker)")
        copyable = info.precision == 8 and info.process in _DCT_PROCESSES
        frames.append(Frame(index=0, header=info.header, jpeg=info, decoded=not copyable))
    elif kind == "PNG":
        png = headers.png_info(data)
        # Opaque and not interlaced: its zlib stream, PNG-filtered, is a PDF Flate stream
        # with the PNG predictor as it is (16-bit colour kept, nothing decoded).
        copyable = not png.interlaced and not png.transparent and png.colour in (0, 2, 3)
        frames.append(Frame(index=0, header=png.header, png=png, decoded=not copyable))
    else:
        frames.append(Frame(index=0, header=headers.header(data, kind)))
    if not frames:
        raise headers.HeaderError("it has no image directory")
    for number, frame in enumerate(frames, start=1):
        pixels = frame.header.width * frame.header.height
        if pixels > limits.max_pixels:
            where = f"page {number} of it has" if len(frames) > 1 else "it has"
            raise bad(
                "too_large",
                f"{where} {frame.header.width} x {frame.header.height} pixels "
                f"({pixels:,}), over the limit of {limits.max_pixels:,}",
            )
    return tuple(frames)


def _g4_copyable(tags: dict[int, tuple]) -> bool:  # type: ignore[type-arg]
    """Whether a TIFF page's CCITT Group 4 strips can be the PDF's images as they are."""

    def one(tag: int, default: object) -> object:
        values = tags.get(tag, (default,))
        return values[0] if len(values) == 1 else None

    strips = tags.get(headers.STRIP_OFFSETS, ())
    counts = tags.get(headers.STRIP_BYTE_COUNTS, ())
    height = one(headers.IMAGE_LENGTH, 0)
    rows = one(headers.ROWS_PER_STRIP, 2**32 - 1)
    if not isinstance(height, int) or not isinstance(rows, int) or rows < 1:
        return False
    return (
        one(headers.COMPRESSION, 1) == 4
        and one(headers.BITS_PER_SAMPLE, 1) == 1
        and one(headers.SAMPLES_PER_PIXEL, 1) == 1
        and one(headers.FILL_ORDER, 1) == 1
        and one(headers.T6_OPTIONS, 0) == 0
        and one(headers.PHOTOMETRIC, 0) in (0, 1)
        and headers.TILE_WIDTH not in tags
        and len(strips) == len(counts) == -(-height // rows)
        and all(isinstance(value, int) for value in (*strips, *counts))
    )


def _frame_count(data: bytes) -> int:
    """How many frames an animated GIF or WebP has (1 when Pillow cannot tell)."""
    image_module = pillow()
    if image_module is None:
        return 1
    try:
        with image_module.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1))
    except Exception:  # a count for a note; the page itself decides damage
        return 1


@attrs.frozen(kw_only=True)
class Placement:
    """Where an image goes on its page.

    Attributes:
        size: The page's width and height in points.
        matrix: The drawing matrix ``a b c d e f`` that maps the image's unit square
            onto the page, turned and mirrored by its EXIF orientation.
        fitted: Whether it was fitted on paper (no plausible resolution) rather than
            shown at its real size.
    """

    size: tuple[float, float]
    matrix: tuple[float, float, float, float, float, float]
    fitted: bool


#: For each EXIF orientation, where a stored pixel at (x, y) — fractions of the width and
#: height, y downwards — is shown: (X, Y) as coefficients of (x, y, 1).
_SHOWN: Final[dict[int, tuple[tuple[int, int, int], tuple[int, int, int]]]] = {
    1: ((1, 0, 0), (0, 1, 0)),
    2: ((-1, 0, 1), (0, 1, 0)),  # mirrored left to right
    3: ((-1, 0, 1), (0, -1, 1)),  # turned 180°
    4: ((1, 0, 0), (0, -1, 1)),  # mirrored top to bottom
    5: ((0, 1, 0), (1, 0, 0)),  # transposed
    6: ((0, -1, 1), (1, 0, 0)),  # turned 90° clockwise to show
    7: ((0, -1, 1), (-1, 0, 1)),  # transversed
    8: ((0, 1, 0), (-1, 0, 1)),  # turned 90° anticlockwise to show
}


def placement(header: headers.Header, paper: str) -> Placement:
    """The page an image of *header* becomes, on *paper* when its resolution is not believed."""
    turned = header.orientation >= 5
    width, height = (header.height, header.width) if turned else (header.width, header.height)
    dpi = header.dpi
    if dpi is not None and turned:
        dpi = (dpi[1], dpi[0])
    real = _real_size(width, height, dpi)
    if real is not None:
        page = real
        box = (0.0, 0.0, *real)
    else:
        short, long = PAPER_SIZES[paper]
        page = (long, short) if width > height else (short, long)
        scale = min((page[0] - 2 * MARGIN) / width, (page[1] - 2 * MARGIN) / height, 1.0)
        drawn = (width * scale, height * scale)
        box = ((page[0] - drawn[0]) / 2, (page[1] - drawn[1]) / 2, *drawn)
    return Placement(size=page, matrix=_matrix(header.orientation, box), fitted=real is None)


def _real_size(
    width: int, height: int, dpi: tuple[float, float] | None
) -> tuple[float, float] | None:
    """The page size in points at resolution *dpi*, or ``None`` when it is not believed."""
    if dpi is None:
        return None
    low, high = PLAUSIBLE_DPI
    if not all(low <= value <= high for value in dpi):
        return None
    size = (width * 72.0 / dpi[0], height * 72.0 / dpi[1])
    if not all(SMALLEST_SIDE <= side <= LARGEST_SIDE for side in size):
        return None
    return size


def _matrix(
    orientation: int, box: tuple[float, float, float, float]
) -> tuple[float, float, float, float, float, float]:
    """The matrix mapping the image's unit square (u right, v up) into *box*, oriented."""
    left, bottom, width, height = box
    shown_x, shown_y = _SHOWN[orientation]

    def page(u: float, v: float) -> tuple[float, float]:
        x, y = u, 1 - v  # stored fractions, y downwards (the first row is at the top)
        big_x = shown_x[0] * x + shown_x[1] * y + shown_x[2]
        big_y = shown_y[0] * x + shown_y[1] * y + shown_y[2]
        return left + big_x * width, bottom + (1 - big_y) * height

    origin, right, up = page(0, 0), page(1, 0), page(0, 1)
    return (
        right[0] - origin[0],
        right[1] - origin[1],
        up[0] - origin[0],
        up[1] - origin[1],
        origin[0],
        origin[1],
    )
