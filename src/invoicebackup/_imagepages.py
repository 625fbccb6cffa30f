"""The pages of a :class:`~invoicebackup._images.ParsedImage`, made one at a time.

A JPEG's bytes and a TIFF page's CCITT Group 4 strips are the pages' images as they are;
anything else is decoded by Pillow, one frame at a time, and written losslessly: Flate
compressed samples in the image's own colour model (grey, RGB, CMYK, a palette; 1, 8 or
16 bits), its transparency as a soft mask. A decoding failure is a
:class:`~invoicebackup.errors.BadDocumentError` (``damaged``) naming the page.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any, Final

import attrs

from . import _imageheaders as headers
from ._images import KINDS, Frame, ImagePage, ParsedImage, Piece, pillow, placement
from ._pdfopen import with_article
from .errors import BadDocumentError
from .pdf.document import number as pdf_number
from .pdf.serialise import serialise
from .pdf.writer import ObjectWriter

#: Flate level of decoded images: a fixed level, so the same image gives the same bytes.
_LEVEL: Final = 6
#: Pillow modes written as they are: (colour space, bits per component, raw mode).
_DIRECT: Final = {
    "1": (b"/DeviceGray", 1, "1"),
    "L": (b"/DeviceGray", 8, "L"),
    "RGB": (b"/DeviceRGB", 8, "RGB"),
    "CMYK": (b"/DeviceCMYK", 8, "CMYK"),
    "I;16": (b"/DeviceGray", 16, "I;16B"),
    "I;16B": (b"/DeviceGray", 16, "I;16B"),
    "I;16L": (b"/DeviceGray", 16, "I;16B"),
    "I": (b"/DeviceGray", 16, "I;16B"),
}
#: Modes with transparency, and the colour mode their colour is written in.
_WITH_ALPHA: Final = {"LA": "L", "La": "L", "RGBA": "RGB", "RGBa": "RGB", "PA": "RGB"}


def pages(image: ParsedImage) -> Iterator[ImagePage]:
    """The pages of *image*, in order, each made when it is reached.

    Raises:
        BadDocumentError: A page cannot be decoded (``damaged``).
    """
    data = image.data
    for number, frame in enumerate(image.frames, start=1):
        where = f"page {number} of it" if image.page_count > 1 else "it"
        try:
            if not frame.decoded and frame.jpeg is not None:
                pieces: tuple[Piece, ...] = (_jpeg(data, frame.jpeg),)
            elif not frame.decoded and frame.tags is not None:
                pieces = _g4_strips(data, frame.tags)
            elif not frame.decoded and frame.png is not None:
                pieces = (_png(data, frame.png),)
            else:
                pieces, frame = _decoded(data, frame, image.kind)
        except BadDocumentError:
            raise
        except MemoryError:
            raise BadDocumentError(
                key=image.key,
                filename=image.filename,
                code="too_large",
                reason=f"{where} needs more memory to decode than is available",
            ) from None
        except Exception as error:
            if isinstance(error, _bomb_error()):
                # Pillow's own bound (process-wide, never changed here) is below the limit
                # the caller raised max_image_pixels to.
                raise BadDocumentError(
                    key=image.key,
                    filename=image.filename,
                    code="too_large",
                    reason=f"{where} is over Pillow's decompression-bomb bound: {error}",
                ) from None
            raise BadDocumentError(
                key=image.key,
                filename=image.filename,
                code="damaged",
                reason=f"{where} cannot be decoded as {with_article(KINDS[image.kind])}: "
                f"{_message(error)}",
            ) from None
        yield ImagePage(placement=placement(frame.header, image.paper), pieces=pieces)


def _bomb_error() -> type[Exception] | tuple[()]:
    """Pillow's decompression-bomb error (nothing to catch without Pillow)."""
    image_module = pillow()
    found = getattr(image_module, "DecompressionBombError", None)
    return found if isinstance(found, type) and issubclass(found, Exception) else ()


def _message(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text[:200]


def _jpeg(data: bytes, info: headers.JpegInfo) -> Piece:
    """The JPEG's bytes as a ``DCTDecode`` image, as they are."""
    space = {1: b"/DeviceGray", 3: b"/DeviceRGB", 4: b"/DeviceCMYK"}[info.components]
    entries = b"/Width %d/Height %d/ColorSpace%s/BitsPerComponent 8/Filter/DCTDecode" % (
        info.header.width,
        info.header.height,
        space,
    )
    if info.components == 4 and info.adobe:
        # Photoshop (and every writer after it) stores an Adobe CMYK JPEG inverted.
        entries += b"/Decode[1 0 1 0 1 0 1 0]"
    return Piece(entries=entries, data=memoryview(data))


#: Samples per pixel of each PNG colour type copied as it is, and its colour space.
_PNG_SPACES: Final = {0: (1, b"/DeviceGray"), 2: (3, b"/DeviceRGB"), 3: (1, b"")}


def _png(data: bytes, info: headers.PngInfo) -> Piece:
    """An opaque, non-interlaced PNG's zlib data as a Flate image with the PNG predictor.

    The data are inflated once, a piece at a time, to check them (their size, each row's
    filter type) without keeping them: damage shows here, not in a viewer.
    """
    width, height = info.header.width, info.header.height
    colours, space = _PNG_SPACES[info.colour]
    if info.colour == 3:
        palette = info.palette or b""
        if not palette or len(palette) % 3:
            raise ValueError("its palette is missing or malformed")
        space = b"[/Indexed/DeviceRGB %d<%s>]" % (len(palette) // 3 - 1, palette.hex().encode())
    stream = b"".join(memoryview(data)[offset : offset + length] for offset, length in info.data)
    stride = 1 + (width * colours * info.depth + 7) // 8
    _check_png_rows(stream, stride, height)
    entries = (
        b"/Width %d/Height %d/ColorSpace%s/BitsPerComponent %d/Filter/FlateDecode"
        b"/DecodeParms<</Predictor 15/Colors %d/BitsPerComponent %d/Columns %d>>"
        % (width, height, space, info.depth, colours, info.depth, width)
    )
    return Piece(entries=entries, data=stream)


def _check_png_rows(stream: bytes, stride: int, height: int) -> None:
    """Inflate *stream* in pieces: exactly *height* rows of *stride* bytes, filter types 0-4."""
    expected = stride * height
    inflater = zlib.decompressobj()
    produced = 0
    pending = stream
    while not inflater.eof:
        piece = inflater.decompress(pending, 1 << 20)
        pending = inflater.unconsumed_tail
        if not piece and not pending:
            break  # all of it read, and no end: cut short
        first = (-produced) % stride
        if max(piece[first::stride], default=0) > 4:
            raise ValueError("a row of it has an unknown filter type")
        produced += len(piece)
        if produced > expected:
            raise ValueError("its image data are longer than its size says")
    if not inflater.eof or produced != expected:
        raise ValueError("its image data are cut short")


def _g4_strips(data: bytes, tags: dict[int, tuple]) -> tuple[Piece, ...]:  # type: ignore[type-arg]
    """A Group 4 TIFF page's strips, each a ``CCITTFaxDecode`` image as it is."""
    width = tags[headers.IMAGE_WIDTH][0]
    height = tags[headers.IMAGE_LENGTH][0]
    rows = min(tags.get(headers.ROWS_PER_STRIP, (height,))[0], height)
    # BlackIsZero: the coder's "white" runs are the page's black, and back.
    black_is_1 = b"true" if tags.get(headers.PHOTOMETRIC, (0,))[0] == 1 else b"false"
    pieces = []
    for index, (offset, count) in enumerate(
        zip(tags[headers.STRIP_OFFSETS], tags[headers.STRIP_BYTE_COUNTS], strict=True)
    ):
        top = index * rows
        strip_rows = min(rows, height - top)
        if offset + count > len(data):
            raise ValueError("a strip of it lies past the end of the file")
        entries = (
            b"/Width %d/Height %d/ColorSpace/DeviceGray/BitsPerComponent 1"
            b"/Filter/CCITTFaxDecode/DecodeParms<</K -1/Columns %d/Rows %d/BlackIs1 %s>>"
            % (width, strip_rows, width, strip_rows, black_is_1)
        )
        box = (0.0, 1 - (top + strip_rows) / height, 1.0, 1 - top / height)
        pieces.append(
            Piece(entries=entries, data=memoryview(data)[offset : offset + count], box=box)
        )
    return tuple(pieces)


def _decoded(data: bytes, frame: Frame, kind: str) -> tuple[tuple[Piece, ...], Frame]:
    """One frame of an image of format *kind* decoded by Pillow and written losslessly (Flate).

    With the frame, its header completed with what Pillow read of a PNG's, WebP's or
    BMP's EXIF orientation and resolution.
    """
    image_module = pillow()
    assert image_module is not None  # open_image refused the image without it
    # Only the decoder of the format the bytes were sniffed as: no other plugin reads them.
    with image_module.open(io.BytesIO(data), formats=(kind,)) as opened:
        if frame.index:
            opened.seek(frame.index)
        if opened.size != (frame.header.width, frame.header.height):
            raise ValueError(
                f"its size is {opened.size[0]} x {opened.size[1]} to the decoder, "
                f"not what its header says"
            )
        opened.load()
        if frame.jpeg is None and frame.tags is None:
            found = opened.getexif().get(headers.ORIENTATION)
            dpi = frame.header.dpi or _dpi(opened.info.get("dpi"))
            orientation = found if isinstance(found, int) and 1 <= found <= 8 else 1
            frame = attrs.evolve(
                frame, header=attrs.evolve(frame.header, dpi=dpi, orientation=orientation)
            )
        return (_piece(opened),), frame


def _dpi(value: object) -> tuple[float, float] | None:
    if isinstance(value, tuple) and len(value) == 2:
        x, y = value
        if isinstance(x, int | float) and isinstance(y, int | float) and x > 0 and y > 0:
            return float(x), float(y)
    return None


def _piece(image: Any) -> Piece:
    """A decoded Pillow image as a lossless image XObject (and soft mask)."""
    mode = image.mode
    if "transparency" in image.info and mode not in _WITH_ALPHA:
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode == "P":
        return _palette(image)
    if mode in _WITH_ALPHA:
        if mode in ("PA", "La", "RGBa"):
            image = image.convert("LA" if mode == "La" else "RGBA")
        colour = _WITH_ALPHA[image.mode]
        piece = _samples(image.convert(colour), *_DIRECT[colour])
        mask = _samples(image.getchannel("A"), *_DIRECT["L"])
        return Piece(entries=piece.entries, data=piece.data, mask=mask)
    if mode not in _DIRECT:
        image = image.convert("RGB")  # YCbCr, LAB, HSV, F…: shown as RGB
        mode = "RGB"
    return _samples(image, *_DIRECT[mode])


def _samples(image: Any, space: bytes, bits: int, raw: str) -> Piece:
    width, height = image.size
    data = zlib.compress(image.tobytes("raw", raw), _LEVEL)
    entries = b"/Width %d/Height %d/ColorSpace%s/BitsPerComponent %d/Filter/FlateDecode" % (
        width,
        height,
        space,
        bits,
    )
    return Piece(entries=entries, data=data)


def _palette(image: Any) -> Piece:
    """A palette image as an ``/Indexed`` one: its indexes and its RGB palette."""
    palette = image.getpalette("RGB") or []
    colours = max(1, len(palette) // 3)
    lookup = bytes(palette[: 3 * colours]).hex().encode()
    width, height = image.size
    data = zlib.compress(image.tobytes("raw", "P"), _LEVEL)
    entries = (
        b"/Width %d/Height %d/ColorSpace[/Indexed/DeviceRGB %d<%s>]/BitsPerComponent 8"
        b"/Filter/FlateDecode" % (width, height, colours - 1, lookup)
    )
    return Piece(entries=entries, data=data)


def write_image_page(objects: ObjectWriter, page: ImagePage, parent: int) -> int:
    """Write *page* (its images, their masks, its drawing) under *parent*; its number."""
    names = bytearray()
    drawing = bytearray(b"q %s cm\n" % _numbers(page.placement.matrix))
    for index, piece in enumerate(page.pieces):
        names += b"/Im%d %d 0 R" % (index, _put_image(objects, piece))
        left, bottom, right, top = piece.box
        drawing += b"q %s cm /Im%d Do Q\n" % (
            _numbers((right - left, 0, 0, top - bottom, left, bottom)),
            index,
        )
    drawing += b"Q"
    content = objects.allocate()
    data = zlib.compress(bytes(drawing))
    objects.put(
        content, b"<</Filter/FlateDecode/Length %d>>\nstream\n" % len(data), data, b"\nendstream"
    )
    number = objects.allocate()
    objects.put(
        number,
        b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 %s]/Resources<</XObject<<%s>>>>"
        b"/Contents %d 0 R>>" % (parent, _numbers(page.placement.size), names, content),
    )
    return number


def _put_image(objects: ObjectWriter, piece: Piece) -> int:
    """Write *piece* (and its soft mask) as an image XObject; return its number."""
    mask = b""
    if piece.mask is not None:
        mask = b"/SMask %d 0 R" % _put_image(objects, piece.mask)
    number = objects.allocate()
    objects.put(
        number,
        b"<</Type/XObject/Subtype/Image%s%s/Length %d>>\nstream\n"
        % (piece.entries, mask, len(piece.data)),
        piece.data,
        b"\nendstream",
    )
    return number


def _numbers(values: tuple[float, ...]) -> bytes:
    """*values* as PDF numbers separated by spaces."""
    return b" ".join(serialise(pdf_number(value)) for value in values)
