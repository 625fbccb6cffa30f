"""The decoding a reader of the file structure needs (ISO 32000-1 §7.4), bounded.

Cross-reference streams and object streams are FlateDecode-compressed, usually with a PNG
predictor (§7.4.4.4). Nothing else is decoded here: content streams, images and fonts are
copied as they are stored. Every decode stops at *max_output* bytes, so a small stream
that inflates to gigabytes costs no more than the limit (a "Flate bomb").
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Final

from .errors import DAMAGED, TOO_LARGE, PdfError
from .values import Array, Dictionary, Name, Value


def inflate(data: bytes, *, max_output: int) -> bytes:
    """§7.4.4 FlateDecode: *data* inflated, refused past *max_output* bytes before it grows.

    Raises:
        PdfError: ``too_large`` past *max_output*, ``damaged`` when the data is not zlib.
    """
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_output + 1)
        if len(out) <= max_output and not inflater.unconsumed_tail:
            out += inflater.flush(max_output + 1 - len(out))
    except zlib.error as error:
        raise PdfError(DAMAGED, f"a compressed stream does not inflate ({error})") from None
    if len(out) > max_output or inflater.unconsumed_tail:
        raise PdfError(TOO_LARGE, f"a compressed stream inflates past {max_output} bytes")
    return out


def _png_rows(data: bytes, columns: int, bpp: int) -> bytes:
    """§7.4.4.4 PNG predictors (one filter-type byte per row), undone."""
    width = columns
    stride = width + 1
    # A last, short row is tolerated by some readers; this one is sure or refuses.
    if width <= 0 or len(data) % stride:
        raise PdfError(DAMAGED, "PNG-predicted data is not a whole number of rows")
    previous = bytes(width)
    rows: list[bytes] = []
    for start in range(0, len(data), stride):
        kind = data[start]
        row = data[start + 1 : start + stride]
        try:
            undo = _PNG[kind]
        except KeyError:
            raise PdfError(DAMAGED, f"PNG predictor row type {kind} is unknown") from None
        previous = undo(row, previous, bpp)
        rows.append(previous)
    return b"".join(rows)


def _png_none(row: bytes, previous: bytes, bpp: int) -> bytes:
    return row


def _png_up(row: bytes, previous: bytes, bpp: int) -> bytes:
    return bytes([(a + b) & 0xFF for a, b in zip(row, previous, strict=True)])


def _png_sub(row: bytes, previous: bytes, bpp: int) -> bytes:
    out = bytearray(row)
    for i in range(bpp, len(out)):
        out[i] = (out[i] + out[i - bpp]) & 0xFF
    return bytes(out)


def _png_average(row: bytes, previous: bytes, bpp: int) -> bytes:
    out = bytearray(row)
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        out[i] = (out[i] + ((left + previous[i]) >> 1)) & 0xFF
    return bytes(out)


def _png_paeth(row: bytes, previous: bytes, bpp: int) -> bytes:
    out = bytearray(row)
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        b = previous[i]
        c = previous[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        predicted = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out[i] = (out[i] + predicted) & 0xFF
    return bytes(out)


#: PNG filter types (the first byte of each row) and how each is undone.
_PNG: Final[dict[int, Callable[[bytes, bytes, int], bytes]]] = {
    0: _png_none,
    1: _png_sub,
    2: _png_up,
    3: _png_average,
    4: _png_paeth,
}


def _tiff(data: bytes, columns: int, colors: int) -> bytes:
    """§7.4.4.4 TIFF predictor 2 for 8-bit components: each byte adds the one *colors* before."""
    out = bytearray(data)
    width = columns * colors
    for start in range(0, len(out), width):
        for i in range(start + colors, min(start + width, len(out))):
            out[i] = (out[i] + out[i - colors]) & 0xFF
    return bytes(out)


def _int_param(params: Dictionary, key: bytes, default: int) -> int:
    value = params.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1 << 20:
        raise PdfError(DAMAGED, f"/DecodeParms /{key.decode()} is not a small integer")
    return value


def unpredict(data: bytes, params: Dictionary) -> bytes:
    """*data* with the predictor of *params* (§7.4.4.4 Table 8) undone."""
    predictor = _int_param(params, b"Predictor", 1)
    if predictor == 1:
        return data
    colors = _int_param(params, b"Colors", 1)
    bits = _int_param(params, b"BitsPerComponent", 8)
    columns = _int_param(params, b"Columns", 1)
    if bits != 8:
        raise PdfError(DAMAGED, f"a predictor with {bits}-bit components is not supported here")
    if predictor == 2:
        return _tiff(data, columns, colors)
    if predictor >= 10:
        return _png_rows(data, columns * colors, colors)
    raise PdfError(DAMAGED, f"predictor {predictor} is unknown")


def decode(dictionary: Dictionary, data: bytes, *, max_output: int) -> bytes:
    """The decoded data of a structural stream (an xref or object stream).

    Only FlateDecode (with or without a predictor), once or chained, and no filter are
    accepted: those are what writers use for these streams; anything else is refused as
    ``damaged`` so that the caller normalises the file. Each pass is bounded by
    *max_output*, so a chain of small bombs is refused at its first excess.
    """
    filters = dictionary.get(b"Filter")
    params: Value = dictionary.get(b"DecodeParms")
    if filters is None or (isinstance(filters, Array) and not filters):
        return data[:max_output] if len(data) <= max_output else _too_large(max_output)
    chain = filters if isinstance(filters, Array) else Array((filters,))
    chain_params = params if isinstance(params, Array) else Array((params,))
    out = data
    for index, name in enumerate(chain):
        if name != Name(b"FlateDecode"):
            raise PdfError(DAMAGED, f"a structural stream uses the filter {name!r}")
        out = inflate(out, max_output=max_output)
        each = chain_params[index] if index < len(chain_params) else None
        if isinstance(each, Dictionary):
            out = unpredict(out, each)
    return out


def _too_large(max_output: int) -> bytes:
    raise PdfError(TOO_LARGE, f"a stream is longer than {max_output} bytes")
