"""The generalized filters (ISO 32000-1 §7.4.2-§7.4.5), decoded, bounded: for page digests.

qpdf calls ``/LZWDecode``, ``/ASCII85Decode`` and ``/ASCIIHexDecode`` (with
``/FlateDecode``) the *generalized* filters: those that only pack bytes, as opposed to
image codecs. Rewriting a file (``qpdf in.pdf out.pdf``, pikepdf's ``save``) decodes a
stream stored with them and compresses it again with Flate, by default;
``/RunLengthDecode`` too when asked for its "specialized" level. A page's digest
(:mod:`.digest`) takes such a stream's data as it is decoded, so that the rewrite
digests alike: this module decodes them. The reader itself never needs them (its
structural streams are Flate, :mod:`.filters`).

Each decoder stops at *max_output* bytes (``too_large``) and refuses what is not its
format (``damaged``); data after a filter's end-of-data marker is ignored, as readers do.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Final

from .errors import DAMAGED, TOO_LARGE, PdfError
from .values import Name

#: §7.2.2 white space, which the two ASCII filters skip.
_WHITE: Final = re.compile(rb"[\x00\t\n\x0c\r ]+")
#: The largest LZW code width (§7.4.4.2) and the table size it allows.
_MAX_WIDTH: Final = 12
_TABLE_SIZE: Final = 1 << _MAX_WIDTH
_CLEAR: Final = 256
_END: Final = 257


def _over(max_output: int) -> PdfError:
    return PdfError(TOO_LARGE, f"a stream decodes past {max_output} bytes")


def ascii_hex(data: bytes, *, max_output: int) -> bytes:
    """§7.4.2 ASCIIHexDecode: pairs of hex digits up to ``>``; a last odd digit is ``x0``."""
    end = data.find(b">")
    digits = _WHITE.sub(b"", data if end < 0 else data[:end])
    if len(digits) % 2:
        digits += b"0"
    if len(digits) // 2 > max_output:
        raise _over(max_output)
    try:
        return binascii.unhexlify(digits)
    except binascii.Error:
        raise PdfError(DAMAGED, "ASCIIHex data holds a character that is not a digit") from None


def ascii85(data: bytes, *, max_output: int) -> bytes:
    """§7.4.3 ASCII85Decode: groups of five digits (``z`` for four zeros) up to ``~>``.

    The standard library decodes the groups (a ``z`` only between groups, a short last
    group padded with ``u``); a last group of one digit, which §7.4.3 forbids, is refused.
    The output, at most four bytes a digit, is measured once decoded.
    """
    end = data.find(b"~>")
    text = _WHITE.sub(b"", data if end < 0 else data[:end])
    if text.startswith(b"<~"):
        text = text[2:]  # Adobe's framing, which some writers keep
    if (len(text) - text.count(b"z")) % 5 == 1:
        raise PdfError(DAMAGED, "ASCII85 data ends with a group of one digit")
    try:
        out = base64.a85decode(text)
    except ValueError as error:
        raise PdfError(DAMAGED, f"ASCII85 data is not ASCII85 ({error})") from None
    if len(out) > max_output:
        raise _over(max_output)
    return out


def run_length(data: bytes, *, max_output: int) -> bytes:
    """§7.4.5 RunLengthDecode: runs of up to 128 bytes, copied or repeated, up to code 128."""
    out = bytearray()
    position = 0
    size = len(data)
    while position < size:
        length = data[position]
        if length == 128:
            break
        if length < 128:
            chunk = data[position + 1 : position + length + 2]
            if len(chunk) < length + 1:
                raise PdfError(DAMAGED, "RunLength data ends inside a run")
            out += chunk
            position += length + 2
        else:
            if position + 1 >= size:
                raise PdfError(DAMAGED, "RunLength data ends inside a run")
            out += data[position + 1 : position + 2] * (257 - length)
            position += 2
        if len(out) > max_output:
            raise _over(max_output)
    return bytes(out)


def lzw(data: bytes, *, max_output: int, early_change: int = 1) -> bytes:
    """§7.4.4.2 LZWDecode without a predictor: 9- to 12-bit codes, 256 clears, 257 ends.

    *early_change* is ``/EarlyChange`` (1 by default: the code width grows one code early).
    """
    out = bytearray()
    table: list[bytes] = [bytes((code,)) for code in range(256)] + [b"", b""]
    append = table.append  # the loop runs once a byte: every lookup saved counts
    size = len(table)
    width = 9
    grow_at = (1 << width) - early_change
    buffer = 0
    bits = 0
    previous = b""
    for byte in data:
        buffer = (buffer << 8) | byte
        bits += 8
        # A code is 9 bits or more and a byte brings 8: at most one code ends in each byte.
        if bits < width:
            continue
        bits -= width
        code = buffer >> bits
        buffer &= (1 << bits) - 1
        if code < size and code != _CLEAR and code != _END:
            entry = table[code]
        elif code == _CLEAR:
            del table[258:]
            size = len(table)
            width = 9
            grow_at = (1 << width) - early_change
            previous = b""
            continue
        elif code == _END:
            return bytes(out)
        elif code == size and previous:
            entry = previous + previous[:1]
        else:
            raise PdfError(DAMAGED, f"LZW data holds the code {code}, not in its table")
        if previous and size < _TABLE_SIZE:
            append(previous + entry[:1])
            size += 1
            if size >= grow_at and width < _MAX_WIDTH:
                width += 1
                grow_at = (1 << width) - early_change
        out += entry
        if len(out) > max_output:
            raise _over(max_output)
        previous = entry
    return bytes(out)


#: The decoder of each generalized filter but Flate, by its name.
DECODERS: Final[dict[Name, Callable[..., bytes]]] = {
    Name(b"ASCIIHexDecode"): ascii_hex,
    Name(b"ASCII85Decode"): ascii85,
    Name(b"RunLengthDecode"): run_length,
    Name(b"LZWDecode"): lzw,
}
