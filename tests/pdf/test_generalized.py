"""The generalized filters' decoders, against encoders of their own and against qpdf.

qpdf (through pikepdf) decodes the same filters independently: a stream encoded here and
decoded by qpdf proves the encoder writes the format, and the decoder must then give the
bytes back. The properties run the decoders over any data the encoders make.
"""

from __future__ import annotations

import base64
import binascii
import io

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup.pdf.errors import DAMAGED, TOO_LARGE, PdfError
from invoicebackup.pdf.generalized import ascii85, ascii_hex, lzw, run_length

BIG = 1 << 24


def lzw_encoded(data: bytes, *, early_change: int = 1) -> bytes:
    """*data* LZW-encoded as §7.4.4.2 says (clear first, a clear when the table is full)."""
    codes: list[tuple[int, int]] = []
    width = 9

    def emit(code: int) -> None:
        codes.append((code, width))

    table = {bytes((n,)): n for n in range(256)}
    emit(256)
    current = b""
    for byte in data:
        longer = current + bytes((byte,))
        if longer in table:
            current = longer
            continue
        emit(table[current])
        table[longer] = len(table) + 2
        if len(table) + 2 + early_change > 1 << width:
            width += 1
        if len(table) + 2 >= 4094:
            emit(256)
            table = {bytes((n,)): n for n in range(256)}
            width = 9
        current = bytes((byte,))
    if current:
        emit(table[current])
    emit(257)
    out = bytearray()
    buffer = bits = 0
    for code, size in codes:
        buffer = (buffer << size) | code
        bits += size
        while bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
    if bits:
        out.append((buffer << (8 - bits)) & 0xFF)
    return bytes(out)


def run_length_encoded(data: bytes) -> bytes:
    """*data* RunLength-encoded (§7.4.5): repeats of 3 or more as runs, the rest copied."""
    out = bytearray()
    position = 0
    while position < len(data):
        end = position
        while end < len(data) and end - position < 128 and data[end] == data[position]:
            end += 1
        if end - position >= 3:
            out += bytes((257 - (end - position), data[position]))
            position = end
            continue
        stop = min(position + 128, len(data))
        out += bytes((stop - position - 1,)) + data[position:stop]
        position = stop
    return bytes(out + b"\x80")


def ascii85_encoded(data: bytes) -> bytes:
    return base64.a85encode(data, wrapcol=60) + b"~>"


def ascii_hex_encoded(data: bytes) -> bytes:
    return b" ".join(binascii.hexlify(data[i : i + 16]) for i in range(0, len(data), 16)) + b">"


ENCODED = {
    "/LZWDecode": (lzw_encoded, lzw),
    "/RunLengthDecode": (run_length_encoded, run_length),
    "/ASCII85Decode": (ascii85_encoded, ascii85),
    "/ASCIIHexDecode": (ascii_hex_encoded, ascii_hex),
}

PAYLOADS = [
    b"",
    b"q 1 0 0 1 72 72 cm BT /F1 12 Tf (Invoice 42) Tj ET Q\n",
    bytes(range(256)) * 3,
    # Long and repetitive: the LZW table fills, clears and grows to 12-bit codes.
    b"".join(b"%d 0 m %d 9 l S\n" % (n, n * 7 % 1000) for n in range(6000)),
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["empty", "text", "bytes", "long"])
@pytest.mark.parametrize("name", sorted(ENCODED))
def test_qpdf_reads_what_is_encoded_here_and_the_decoder_gives_it_back(
    name: str, payload: bytes
) -> None:
    """Each filter: qpdf decodes the encoder's output to the payload, and so does ours."""
    encode, decode = ENCODED[name]
    encoded = encode(payload)
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, encoded)
    stream.Filter = pikepdf.Name(name)
    pdf.Root.Data = pdf.make_indirect(stream)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    with pikepdf.open(io.BytesIO(out.getvalue())) as read:
        # qpdf decodes RunLength only when asked for its "specialized" level.
        level = pikepdf.StreamDecodeLevel.specialized
        assert read.Root.Data.read_bytes(level) == payload
    assert decode(encoded, max_output=BIG) == payload


@given(st.binary(max_size=3000), st.sampled_from(sorted(ENCODED)))
def test_every_encoding_decodes_back(payload: bytes, name: str) -> None:
    """Any bytes, encoded by any of the four filters, decode to themselves."""
    encode, decode = ENCODED[name]
    assert decode(encode(payload), max_output=BIG) == payload


@given(st.binary(max_size=3000))
def test_lzw_without_early_change_decodes_back(payload: bytes) -> None:
    """``/EarlyChange 0``: the code width grows one code later, and still decodes."""
    assert lzw(lzw_encoded(payload, early_change=0), max_output=BIG, early_change=0) == payload


def test_ascii_forms_readers_accept() -> None:
    """White space anywhere, a last odd hex digit, ``z``, a short last group, Adobe's ``<~``."""
    assert ascii_hex(b"48 65\n6C6c 6\n>ignored", max_output=BIG) == b"Hell`"
    assert ascii85(b'<~z87c\nURD]i,"Ebo80~>', max_output=BIG) == b"\0\0\0\0Hello World!"
    assert ascii85(b"87cU~>", max_output=BIG) == b"Hel"


@pytest.mark.parametrize(
    ("decode", "data", "code"),
    [
        (ascii_hex, b"4G>", DAMAGED),
        (ascii85, b"87c{R~>", DAMAGED),
        (ascii85, b"8~>", DAMAGED),
        (ascii85, b's8W-"~>', DAMAGED),
        (run_length, b"\x05abc", DAMAGED),
        (lzw, b"\xff\xff\xff", DAMAGED),
        (ascii_hex, b"00" * 64 + b">", TOO_LARGE),
        (run_length, b"\x81x" * 2, TOO_LARGE),
        (lzw, lzw_encoded(b"a" * 100), TOO_LARGE),
    ],
)
def test_what_is_not_the_format_or_too_long_is_refused(
    decode: object, data: bytes, code: str
) -> None:
    """Data that is not the filter's format is damaged; past the bound, too large."""
    assert callable(decode)
    with pytest.raises(PdfError) as caught:
        decode(data, max_output=50)
    assert caught.value.code == code
