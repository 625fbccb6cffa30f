"""Copying a PDF object as the bytes it already is, with its references renumbered.

The assembler (:class:`invoicebackup._pdf.BackupWriter`) copies most objects of a
document — fonts, images, content streams, resource dictionaries — without needing to
understand them. Parsing each one into engine objects and serialising it again is what
makes a pure-Python merge slow: this module instead locates an object in the source
bytes, checks that it is plain (no strings, comments or unbalanced brackets that a
byte-level scan could misread), renumbers its ``N G R`` references and hands back the
dictionary part and, for a stream, the position of its data, which is copied as it is:
never decoded, never recompressed.

Anything unusual — an offset that does not hold the expected object, a stream whose
declared length does not end at ``endstream``, a dictionary with a literal string —
makes :func:`locate` return ``None``, and the caller falls back to the PDF engine,
which knows how to recover. No engine is imported here: this is plain bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import attrs

#: ``N G obj`` at an object's offset (leading white space allowed).
_HEADER: Final = re.compile(rb"[\x00\t\n\x0c\r ]*(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]*obj")
#: Where an object's dictionary ends: the ``stream`` keyword and its end of line, or ``endobj``.
_BODY_END: Final = re.compile(rb"endobj|stream(?:\r\n|\n|\r)")
#: A reference ``N G R``: numbers that start after white space or a delimiter (not after
#: ``/``, which would make them part of a name) and an ``R`` that ends a token.
_REF: Final = re.compile(
    rb"(?<![^\x00\t\n\x0c\r \[\]<>{}()])(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R"
    rb"(?![^\x00\t\n\x0c\r \[\]<>{}()/%])"
)
#: The ``/Length`` entry of a stream dictionary, direct or indirect.
_LENGTH: Final = re.compile(
    rb"/Length(?![^\x00\t\n\x0c\r \[\]<>{}()/%])[\x00\t\n\x0c\r ]*(\d+)"
    rb"(?:[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R(?![^\x00\t\n\x0c\r \[\]<>{}()/%]))?"
)
_ENDSTREAM: Final = re.compile(rb"[\x00\t\n\x0c\r ]*endstream")


@attrs.frozen(kw_only=True)
class RawObject:
    """One plain object found in the source bytes.

    Attributes:
        body: The object without its ``N G obj`` header: a whole value, or a stream's
            dictionary.
        stream_start: For a stream, the offset of its first data byte; else ``None``.
        length: For a stream, the ``/Length`` entry: ``(value, None)`` when direct,
            ``(number, generation)`` of the object that holds it when indirect.
    """

    body: bytes
    stream_start: int | None = None
    length: tuple[int, int | None] | None = None


def locate(
    data: bytes, offset: int, idnum: int, generation: int, *, max_depth: int
) -> RawObject | None:
    """Find object *idnum* at *offset* in *data*, or ``None`` when it is not plain.

    Plain means: the header names this object, the value holds no literal string
    (``(``) or comment (``%``), its brackets balance, it does not nest deeper than
    *max_depth* could allow, and a stream has exactly one ``/Length`` entry.
    """
    header = _HEADER.match(data, offset)
    if header is None or int(header[1]) != idnum or int(header[2]) != generation:
        return None
    end = _BODY_END.search(data, header.end())
    if end is None:
        return None
    body = data[header.end() : end.start()].strip(b"\x00\t\n\x0c\r ")
    if not body or b"(" in body or b"%" in body or b"\\" in body:
        return None
    opened = body.count(b"[")
    dicts = body.count(b"<<")
    if opened != body.count(b"]") or dicts != body.count(b">>") or opened + dicts > max_depth:
        return None
    if end[0] == b"endobj":
        if body.endswith(b"endstream"):
            return None
        return RawObject(body=body)
    if not body.endswith(b">>"):
        return None
    lengths = _LENGTH.findall(body)
    if len(lengths) != 1:
        return None
    value, gen = lengths[0]
    length = (int(value), None) if not gen else (int(value), int(gen))
    return RawObject(body=body, stream_start=end.end(), length=length)


def stream_end_ok(data: bytes, position: int) -> bool:
    """Whether ``endstream`` follows *position* (after optional white space)."""
    return _ENDSTREAM.match(data, position) is not None


def renumbered(
    body: bytes, ref: Callable[[int, int], bytes], *, length: int | None = None
) -> bytes:
    """*body* with every reference replaced by ``ref(number, generation)``.

    With *length*, a stream dictionary's ``/Length`` entry becomes that direct number
    (the indirect object it may point to is not copied).
    """
    if length is not None:
        body = _LENGTH.sub(lambda _match: b"/Length %d" % length, body, count=1)
    return _REF.sub(lambda match: ref(int(match[1]), int(match[2])), body)
