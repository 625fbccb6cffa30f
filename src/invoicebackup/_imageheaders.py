"""What an image file says about itself, read from its headers without decoding a pixel.

The bytes decide what a document is (:func:`image_format`), and each format's header gives
its size in pixels, its resolution and its EXIF orientation. Every limit is checked
against these numbers *before* a decoder sees the file: a tiny PNG claiming 100,000 x
100,000 pixels is refused here, and Pillow's own decompression-bomb check (a process-wide
setting of Pillow's, which this library never changes) is never what stops it.

The readers are small and bounded: a marker walk for JPEG (:func:`jpeg_info`), a chunk
header for PNG, the logical screen for GIF, the ``VP8``/``VP8L``/``VP8X`` chunk for WebP,
the BMP info header, and an IFD walk for TIFF and for the TIFF structure inside EXIF
(:func:`tiff_directories`). A malformed header is :class:`HeaderError`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Mapping
from typing import Final

import attrs

#: The formats whose bytes this library recognises as images, by their first bytes.
_MAGIC: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)

#: How many IFDs (pages) of a TIFF are walked at most; past it the file is ``too_large``.
MAX_DIRECTORIES: Final = 100_000
#: How many entries one IFD may have (the TIFF format's own count is 16 bits).
_MAX_ENTRIES: Final = 4096
#: How many values one tag may hold that this library reads (strip offsets of a page).
_MAX_VALUES: Final = 1_000_000

# TIFF tags read (TIFF 6.0 and EXIF 2.3).
NEW_SUBFILE_TYPE: Final = 254
IMAGE_WIDTH: Final = 256
IMAGE_LENGTH: Final = 257
BITS_PER_SAMPLE: Final = 258
COMPRESSION: Final = 259
PHOTOMETRIC: Final = 262
FILL_ORDER: Final = 266
STRIP_OFFSETS: Final = 273
ORIENTATION: Final = 274
SAMPLES_PER_PIXEL: Final = 277
ROWS_PER_STRIP: Final = 278
STRIP_BYTE_COUNTS: Final = 279
X_RESOLUTION: Final = 282
Y_RESOLUTION: Final = 283
T4_OPTIONS: Final = 292
T6_OPTIONS: Final = 293
RESOLUTION_UNIT: Final = 296
TILE_WIDTH: Final = 322

#: Bytes per value of each TIFF field type (1 BYTE … 12 DOUBLE).
_TYPE_SIZES: Final = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}


class HeaderError(ValueError):
    """An image's header is malformed or cut short (the message says how)."""


def image_format(data: bytes) -> str | None:
    """The image format *data* is (``JPEG``, ``PNG``, ``TIFF``, ``GIF``, ``WEBP``, ``BMP``).

    ``None`` when its first bytes are none of them. The name or declared media type of
    the file plays no part.
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


@attrs.frozen(kw_only=True)
class Header:
    """The size and metadata of an image's first page, from its header.

    Attributes:
        width: Its width in pixels (as stored, before any orientation).
        height: Its height in pixels.
        dpi: Its resolution in dots per inch (horizontal, vertical), if it says.
        orientation: Its EXIF orientation (1 to 8; 1 is as stored).
    """

    width: int
    height: int
    dpi: tuple[float, float] | None = None
    orientation: int = 1


@attrs.frozen(kw_only=True)
class JpegInfo:
    """What a JPEG's markers say, up to its first scan.

    Attributes:
        header: Size, resolution (JFIF, else EXIF) and EXIF orientation.
        components: 1 (grey), 3 (colour) or 4 (CMYK).
        precision: Bits per sample (8 for nearly every JPEG; 12 cannot go into a PDF).
        process: The start-of-frame marker (``0xC0`` baseline, ``0xC1`` extended,
            ``0xC2`` progressive; others use lossless or arithmetic coding).
        adobe: Whether it has an Adobe ``APP14`` marker (its CMYK is stored inverted).
        complete: Whether the end-of-image marker follows the first scan (else it is cut
            short).
    """

    header: Header
    components: int
    precision: int
    process: int
    adobe: bool
    complete: bool


_SOF: Final = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE})
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})


def jpeg_info(data: bytes) -> JpegInfo:
    """Walk a JPEG's markers up to its first scan (no entropy-coded data is decoded)."""
    position = 2
    frame: tuple[int, int, int, int, int] | None = None
    jfif_dpi: tuple[float, float] | None = None
    exif: Mapping[int, tuple[object, ...]] = {}
    adobe = False
    while True:
        while position < len(data) and data[position] == 0xFF:
            position += 1  # fill bytes before a marker
        if position >= len(data):
            raise HeaderError("it ends before its image data starts")
        marker = data[position]
        if data[position - 1] != 0xFF:
            raise HeaderError(f"it has no marker where one must be (byte {position})")
        position += 1
        if marker in _STANDALONE:
            continue
        if marker == 0xD9:
            raise HeaderError("it ends before its image data starts")
        if position + 2 > len(data):
            raise HeaderError("it is cut short in its headers")
        (length,) = struct.unpack_from(">H", data, position)
        segment = data[position + 2 : position + length]
        if length < 2 or len(segment) != length - 2:
            raise HeaderError("it is cut short in its headers")
        if marker in _SOF and frame is None:
            if len(segment) < 6:
                raise HeaderError("its frame header is too short")
            precision, height, width, components = struct.unpack_from(">BHHB", segment)
            frame = (width, height, components, precision, marker)
        elif marker == 0xE0 and segment.startswith(b"JFIF\x00") and len(segment) >= 12:
            units, x, y = struct.unpack_from(">BHH", segment, 7)
            jfif_dpi = _dpi(x, y, {1: "inch", 2: "cm"}.get(units))
        elif marker == 0xE1 and segment.startswith(b"Exif\x00\x00") and not exif:
            try:
                exif = next(tiff_directories(segment[6:], limit=1), {})
            except HeaderError:
                exif = {}  # damaged metadata: the picture itself may be fine
        elif marker == 0xEE and segment.startswith(b"Adobe"):
            adobe = True
        elif marker == 0xDA:
            break
        position += length
    if frame is None:
        raise HeaderError("it has no frame header before its image data")
    width, height, components, precision, process = frame
    if not width or not height:
        raise HeaderError("its frame header gives no size")
    if components not in (1, 3, 4):
        raise HeaderError(f"it has {components} colour components")
    # Cut short: no end-of-image marker after the scan (bytes after the marker are fine).
    complete = data.rfind(b"\xff\xd9") > position
    return JpegInfo(
        header=Header(
            width=width,
            height=height,
            dpi=jfif_dpi or exif_dpi(exif),
            orientation=exif_orientation(exif),
        ),
        components=components,
        precision=precision,
        process=process,
        adobe=adobe,
        complete=complete,
    )


def _dpi(x: float, y: float, unit: str | None) -> tuple[float, float] | None:
    """A resolution in dots per inch from dots per *unit* (``inch`` or ``cm``); or ``None``."""
    if not x or not y or unit is None:
        return None
    return (x, y) if unit == "inch" else (x * 2.54, y * 2.54)


def exif_dpi(tags: Mapping[int, tuple[object, ...]]) -> tuple[float, float] | None:
    """The resolution an IFD gives (``XResolution``, ``YResolution``, ``ResolutionUnit``)."""
    x, y = _first(tags, X_RESOLUTION), _first(tags, Y_RESOLUTION)
    unit = _first(tags, RESOLUTION_UNIT)
    if not isinstance(x, float) or not isinstance(y, float):
        return None
    unit = 2 if unit is None else unit  # TIFF's default unit is the inch
    return _dpi(x, y, {2: "inch", 3: "cm"}.get(unit) if isinstance(unit, int) else None)


def exif_orientation(tags: Mapping[int, tuple[object, ...]]) -> int:
    """The orientation an IFD gives (1 to 8); 1 when absent or out of range."""
    value = _first(tags, ORIENTATION)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _first(tags: Mapping[int, tuple[object, ...]], tag: int) -> object:
    values = tags.get(tag, ())
    return values[0] if len(values) == 1 else None


def tiff_directories(data: bytes, *, limit: int = MAX_DIRECTORIES) -> Iterator[dict[int, tuple]]:  # type: ignore[type-arg]
    """Each IFD of a TIFF structure (a TIFF file, or EXIF's), as tag → values, in order.

    At most *limit* directories are read; a loop in the chain ends it. Values are ints,
    floats (rationals) or bytes (ASCII and undefined).
    """
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        raise HeaderError("its TIFF header is malformed")
    order = "<" if data[:2] == b"II" else ">"
    (magic, offset) = struct.unpack_from(order + "HI", data, 2)
    if magic != 42:
        raise HeaderError("its TIFF header is malformed")
    seen: set[int] = set()
    while offset and len(seen) < limit:
        if offset in seen:
            return  # a loop: the chain has ended
        seen.add(offset)
        if offset + 2 > len(data):
            raise HeaderError("a directory of it lies past its end")
        (count,) = struct.unpack_from(order + "H", data, offset)
        if count > _MAX_ENTRIES or offset + 2 + 12 * count + 4 > len(data):
            raise HeaderError("a directory of it is cut short")
        tags: dict[int, tuple] = {}  # type: ignore[type-arg]
        for index in range(count):
            entry = offset + 2 + 12 * index
            tag, kind, number = struct.unpack_from(order + "HHI", data, entry)
            values = _values(data, order, kind, number, entry + 8)
            if values is not None:
                tags[tag] = values
        yield tags
        (offset,) = struct.unpack_from(order + "I", data, offset + 2 + 12 * count)


def _values(data: bytes, order: str, kind: int, number: int, at: int) -> tuple | None:  # type: ignore[type-arg]
    """The values of one IFD entry; ``None`` for types or counts this library skips."""
    size = _TYPE_SIZES.get(kind)
    if size is None or number > _MAX_VALUES:
        return None
    total = size * number
    if total > 4:
        (at,) = struct.unpack_from(order + "I", data, at)
    if at + total > len(data):
        raise HeaderError("a tag of it points past its end")
    if kind in (2, 7):
        return (data[at : at + total],)
    if kind in (1, 6):
        return tuple(data[at : at + total])
    if kind in (5, 10):
        code = "I" if kind == 5 else "i"
        pairs = struct.unpack_from(order + code * (2 * number), data, at)
        return tuple(
            float(pairs[i]) / pairs[i + 1] if pairs[i + 1] else 0.0 for i in range(0, len(pairs), 2)
        )
    code = {3: "H", 4: "I", 8: "h", 9: "i", 11: "f", 12: "d"}[kind]
    return struct.unpack_from(order + code * number, data, at)


def header(data: bytes, kind: str) -> Header:
    """The first page's size (and resolution, orientation) of an image of format *kind*."""
    try:
        if kind == "JPEG":
            return jpeg_info(data).header
        if kind == "PNG":
            return png_info(data).header
        if kind == "GIF":
            width, height = struct.unpack_from("<HH", data, 6)
            return Header(width=width, height=height)
        if kind == "WEBP":
            return _webp(data)
        if kind == "BMP":
            return _bmp(data)
        if kind == "TIFF":
            tags = next(tiff_directories(data, limit=1), None)
            if tags is None:
                raise HeaderError("it has no image directory")
            return tiff_header(tags)
    except struct.error:
        raise HeaderError("it is cut short in its header") from None
    raise ValueError(f"not an image format: {kind!r}")


def tiff_header(tags: Mapping[int, tuple[object, ...]]) -> Header:
    """One TIFF page's size, resolution and orientation from its IFD."""
    width, height = _first(tags, IMAGE_WIDTH), _first(tags, IMAGE_LENGTH)
    if not isinstance(width, int) or not isinstance(height, int) or width < 1 or height < 1:
        raise HeaderError("a page of it gives no size")
    return Header(
        width=width, height=height, dpi=exif_dpi(tags), orientation=exif_orientation(tags)
    )


@attrs.frozen(kw_only=True)
class PngInfo:
    """What a PNG's chunks say (every chunk's CRC checked, its data not inflated).

    Attributes:
        header: Size, resolution (``pHYs``) and EXIF orientation (``eXIf``).
        depth: Bits per sample (1, 2, 4, 8 or 16).
        colour: The colour type (0 grey, 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA).
        interlaced: Whether it is Adam7-interlaced.
        palette: Its ``PLTE`` (RGB triplets), if any.
        transparent: Whether it has a ``tRNS`` chunk.
        data: Where its ``IDAT`` chunks' data are: (offset, length) each, in order.
    """

    header: Header
    depth: int
    colour: int
    interlaced: bool
    palette: bytes | None
    transparent: bool
    data: tuple[tuple[int, int], ...]


#: The bit depths PNG allows for each colour type.
_PNG_DEPTHS: Final = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


def png_info(data: bytes) -> PngInfo:
    """Walk a PNG's chunks up to ``IEND``; a bad CRC, a missing chunk or a cut is an error."""
    position = 8
    fields: dict[str, object] = {}
    idat: list[tuple[int, int]] = []
    header: tuple[int, ...] | None = None
    while True:
        if position + 8 > len(data):
            raise HeaderError("it is cut short (it has no end chunk)")
        length, kind = struct.unpack_from(">I4s", data, position)
        body = position + 8
        if body + length + 4 > len(data):
            raise HeaderError("it is cut short in a chunk")
        (crc,) = struct.unpack_from(">I", data, body + length)
        if zlib.crc32(data[position + 4 : body + length]) != crc:
            raise HeaderError(f"its {kind.decode('latin-1')} chunk is corrupted (bad CRC)")
        if header is None and kind != b"IHDR":
            raise HeaderError("its first chunk is not its header")
        if kind == b"IHDR":
            header = struct.unpack_from(">IIBBBBB", data, body)
        elif kind == b"PLTE":
            fields["palette"] = data[body : body + length]
        elif kind == b"tRNS":
            fields["transparent"] = True
        elif kind == b"pHYs" and length >= 9:
            x, y, unit = struct.unpack_from(">IIB", data, body)
            if unit == 1:  # per metre
                fields["dpi"] = _dpi(x * 0.0254, y * 0.0254, "inch")
        elif kind == b"eXIf":
            try:
                tags = next(tiff_directories(data[body : body + length], limit=1), {})
            except HeaderError:
                tags = {}  # damaged metadata: the picture itself may be fine
            fields["orientation"] = exif_orientation(tags)
        elif kind == b"IDAT":
            idat.append((body, length))
        elif kind == b"IEND":
            break
        position = body + length + 4
    assert header is not None
    width, height, depth, colour, _compression, _filter, interlace = header
    if not width or not height or depth not in _PNG_DEPTHS.get(colour, ()):
        raise HeaderError("its header is malformed")
    if not idat:
        raise HeaderError("it has no image data")
    palette = fields.get("palette")
    dpi = fields.get("dpi")
    orientation = fields.get("orientation", 1)
    return PngInfo(
        header=Header(
            width=width,
            height=height,
            dpi=dpi if isinstance(dpi, tuple) else None,
            orientation=orientation if isinstance(orientation, int) else 1,
        ),
        depth=depth,
        colour=colour,
        interlaced=interlace == 1,
        palette=palette if isinstance(palette, bytes) else None,
        transparent=bool(fields.get("transparent")),
        data=tuple(idat),
    )


def _webp(data: bytes) -> Header:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    elif chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise HeaderError("its VP8 frame header is malformed")
        w, h = struct.unpack_from("<HH", data, 26)
        width, height = w & 0x3FFF, h & 0x3FFF
    else:
        raise HeaderError("its first chunk is not an image")
    if len(data) < 30:
        raise HeaderError("it is cut short in its header")
    return Header(width=width, height=height)


def _bmp(data: bytes) -> Header:
    (size,) = struct.unpack_from("<I", data, 14)
    if size == 12:
        width, height = struct.unpack_from("<HH", data, 18)
        return Header(width=width, height=height)
    width, height = struct.unpack_from("<ii", data, 18)
    x, y = struct.unpack_from("<ii", data, 38) if size >= 40 else (0, 0)
    dpi = _dpi(x * 0.0254, y * 0.0254, "inch") if x > 0 and y > 0 else None
    return Header(width=abs(width), height=abs(height), dpi=dpi)
