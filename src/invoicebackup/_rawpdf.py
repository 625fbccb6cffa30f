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
    data: bytes,
    offset: int,
    idnum: int,
    generation: int,
    *,
    max_depth: int,
    strings: bool = False,
) -> RawObject | None:
    """Find object *idnum* at *offset* in *data*, or ``None`` when it is not plain.

    Plain means: the header names this object, the value holds no literal string
    (``(``, unless *strings*: then :func:`tokens` checks them) or comment (``%``), no
    backslash, NUL or vertical tab, its brackets balance, it does not nest deeper than
    *max_depth* could allow, and a stream has exactly one ``/Length`` entry.
    """
    header = _HEADER.match(data, offset)
    if header is None or int(header[1]) != idnum or int(header[2]) != generation:
        return None
    end = _BODY_END.search(data, header.end())
    if end is None:
        return None
    body = data[header.end() : end.start()].strip(b"\x00\t\n\x0c\r ")
    if not body or b"\\" in body or (not strings and (b"(" in body or b"%" in body)):
        return None
    if b"\x00" in body or b"\x0b" in body:
        return None  # white space the engine and the standard disagree on: the engine decides
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


_DELIMITED: Final = rb"(?=[\x00\t\n\x0c\r \[\]<>{}()/%]|\Z)"
#: One token of a plain object: ``<<``, ``>>``, ``[``, ``]``, a name (without ``#``
#: escapes), a reference, a real, an integer, ``true``/``false``/``null``, a literal
#: string without escapes, nested parentheses or carriage returns, a hexadecimal string.
_TOKEN: Final = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:"
    rb"(<<)|(>>)|(\[)|(\])"
    rb"|/([^\x00\t\n\x0c\r \[\]<>{}()/%#]*)"
    + _DELIMITED
    + rb"|(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R"
    + _DELIMITED
    + rb"|([+-]?(?:\d+\.\d*|\.\d+))"
    + _DELIMITED
    + rb"|([+-]?\d+)"
    + _DELIMITED
    + rb"|(true|false|null)"
    + _DELIMITED
    + rb"|\(([^()\\\r]*)\)"
    + rb"|<([0-9A-Fa-f\x00\t\n\x0c\r ]*)>"
    + rb")"
)
_END: Final = re.compile(rb"[\x00\t\n\x0c\r ]*\Z")

#: Token kinds.
(
    OPEN_DICT,
    CLOSE_DICT,
    OPEN_ARRAY,
    CLOSE_ARRAY,
    NAME,
    REF,
    REAL,
    INTEGER,
    KEYWORD,
    STRING,
    HEX_STRING,
) = range(1, 12)
#: The kind and the text's group, by the last group the token matched (a reference has two).
_KINDS: Final = {
    1: (OPEN_DICT, 1),
    2: (CLOSE_DICT, 2),
    3: (OPEN_ARRAY, 3),
    4: (CLOSE_ARRAY, 4),
    5: (NAME, 5),
    7: (REF, 6),
    8: (REAL, 8),
    9: (INTEGER, 9),
    10: (KEYWORD, 10),
    11: (STRING, 11),
    12: (HEX_STRING, 12),
}


def tokens(body: bytes) -> list[tuple[int, bytes, bytes]] | None:
    """The tokens of a plain object's *body*, or ``None`` when it holds anything else.

    Each token is its kind, its text and, for a reference, its generation. Anything
    that is not one of the kinds (a string, a name with ``#`` escapes, junk) gives
    ``None``: the caller lets the engine parse the object.
    """
    if b"\x00" in body or b"\x0b" in body:
        # NUL is white space to the standard but part of a name to the engine, and a
        # vertical tab the other way round: leave such objects to the engine.
        return None
    found: list[tuple[int, bytes, bytes]] = []
    position = 0
    end = len(body)
    match = _TOKEN.match
    while position < end:
        token = match(body, position)
        if token is None:
            return found if _END.match(body, position) else None
        assert token.lastindex is not None
        kind, group = _KINDS[token.lastindex]
        found.append((kind, token[group], token[7] if kind == REF else b""))
        position = token.end()
    return found
