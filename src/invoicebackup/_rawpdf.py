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

#: ``N G obj`` at an object's offset (some leading white space allowed). Bounded, so that
#: a hostile table pointing many entries into a long run of white space or digits costs
#: no more than a well-formed one: anything longer is left to the engine.
_HEADER: Final = re.compile(
    rb"[\x00\t\n\x0c\r ]{0,64}(\d{1,10})[\x00\t\n\x0c\r ]{1,64}(\d{1,5})[\x00\t\n\x0c\r ]{0,64}obj"
)
#: The numbers :data:`_HEADER` reads: up to 10 digits, and 5 for a generation.
_MAX_NUMBER: Final = 10**10
_MAX_GENERATION: Final = 10**5
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


def header_end(data: bytes, offset: int, idnum: int, generation: int) -> int | None:
    """Where object *idnum*'s ``N G obj`` header at *offset* ends, or ``None`` if it is not there.

    The usual ``N G obj`` (single spaces, no leading zeros) is compared as bytes; any
    other spelling :data:`_HEADER` accepts is matched by it. The comparison is only a
    shortcut: it takes no number the pattern would not (more than 10 or 5 digits).
    """
    if 0 <= idnum < _MAX_NUMBER and 0 <= generation < _MAX_GENERATION:
        usual = b"%d %d obj" % (idnum, generation)
        if data.startswith(usual, offset):
            return offset + len(usual)
    header = _HEADER.match(data, offset)
    if header is None or int(header[1]) != idnum or int(header[2]) != generation:
        return None
    return header.end()


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
    vertical tab, its brackets balance, it does not nest deeper than
    *max_depth* could allow, and a stream has exactly one ``/Length`` entry. A NUL is
    white space, as the standard says (the engine would read it as part of a name).
    """
    start = header_end(data, offset, idnum, generation)
    if start is None:
        return None
    end = _BODY_END.search(data, start)
    if end is None:
        return None
    body = data[start : end.start()].strip(b"\x00\t\n\x0c\r ")
    # A backslash is only special in a literal string, which *strings* leaves to tokens
    # and no *strings* refuses: in a name it is a byte like another.
    if not body or (not strings and (b"(" in body or b"%" in body)):
        return None
    if b"\x0b" in body:
        return None  # not white space to the standard but to the engine: the engine decides
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
#: One token of a plain object: ``<<``, ``>>``, ``[``, ``]``, a name (``#`` only as the
#: escape of a byte other than NUL: see :func:`name_bytes`), a reference, a real, an
#: integer, ``true``/``false``/``null``, a literal string without escapes, nested
#: parentheses or carriage returns, a hexadecimal string.
_TOKEN: Final = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:"
    rb"(<<)|(>>)|(\[)|(\])"
    rb"|/((?:[^\x00\t\n\x0c\r \[\]<>{}()/%#]|#(?!00)[0-9A-Fa-f]{2})*)"
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

#: Token kinds: the last group a token matched (``match.lastindex``). A token's text is
#: the group of its kind, except a reference's: its number is group 6 and its
#: generation group 7.
OPEN_DICT: Final = 1
CLOSE_DICT: Final = 2
OPEN_ARRAY: Final = 3
CLOSE_ARRAY: Final = 4
NAME: Final = 5
REF: Final = 7
REAL: Final = 8
INTEGER: Final = 9
KEYWORD: Final = 10
STRING: Final = 11
HEX_STRING: Final = 12


def tokens(body: bytes, *, escapes: bool = False) -> list[re.Match[bytes]] | None:
    """The tokens of a plain object's *body*, or ``None`` when it holds anything else.

    Each token is a match whose ``lastindex`` is its kind (see the constants above).
    Anything that is not one of the kinds (a string with escapes, junk) gives ``None``:
    the caller lets the engine parse the object. So does a name with ``#`` escapes,
    unless *escapes* (the caller then reads names with :func:`name_bytes`). A NUL is
    white space, as the standard says: it ends a name (the engine would not end it).
    """
    if b"\x0b" in body:
        # A vertical tab is white space to the engine but not to the standard: leave
        # such objects to the engine.
        return None
    # Each match starts where the previous one ended: the scan stops at the first thing
    # that is not a token, which must then be the end (or trailing white space).
    # (``scanner`` is what the standard library's own re.Scanner uses; typeshed omits it.)
    found = list(iter(_TOKEN.scanner(body).match, None))  # type: ignore[attr-defined]
    position = found[-1].end() if found else 0
    if position != len(body) and _END.match(body, position) is None:
        return None
    if not escapes and b"#" in body and any(t.lastindex == NAME and b"#" in t[NAME] for t in found):
        return None
    return found


_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")


def name_bytes(text: bytes) -> bytes:
    """The bytes a name token's *text* (without ``/``) stands for: its ``#`` escapes decoded.

    A name is bytes, whatever encoding they may be in: ``/F#E9`` and ``/F`` followed by
    the raw byte E9 are the same name, and ``/#B0#A1`` is not ``/#E5#95#8A`` even if both spell one
    character in some encoding.
    """
    if b"#" not in text:
        return text
    return _ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), text)


#: The end of a file: ``startxref``, the table's offset and ``%%EOF``, each on its own line.
_TAIL: Final = re.compile(rb"startxref(?:\r\n|\r|\n)(\d{1,20})(?:\r\n|\r|\n)%%EOF[\r\n]*\Z")
#: A cross-reference subsection's header, ``first count``, on its own line.
_SUBSECTION: Final = re.compile(rb"[\t\n\x0c\r ]{0,64}(\d{1,10}) (\d{1,10}) ?(?:\r\n|\n|\r)")
#: Cross-reference entries exactly as the standard writes them: 20 bytes each.
_ENTRIES: Final = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*")
_ENTRY: Final = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER: Final = re.compile(rb"[\t\n\x0c\r ]{0,64}trailer")
#: A comment, a simple literal string, or a character that would make a string not simple.
_COMMENT_OR_STRING: Final = re.compile(rb"%[^\r\n]*|\([^()\\]*\)|[()\\]")
#: How far from the end of the file ``startxref`` may be.
_TAIL_WINDOW: Final = 1024


@attrs.frozen(kw_only=True)
class XrefTable:
    """A file's one classic cross-reference table, as :func:`xref_table` found it.

    Attributes:
        startxref: The table's offset.
        entries: ``(number, offset, generation, in_use)`` for each entry, in file order.
        trailer: The trailer dictionary's text, without the ``trailer`` keyword and
            comments.
    """

    startxref: int
    entries: tuple[tuple[int, int, int, bool], ...]
    trailer: bytes


class TooManyEntries(ValueError):
    """A cross-reference table lists more entries than the caller allows.

    Attributes:
        count: How many its subsections read so far list, at least.
        limit: The most the caller allows.
    """

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"its cross-reference table lists {count} objects, over the limit ({limit})"
        )
        self.count = count
        self.limit = limit


def xref_table(data: bytes, *, max_entries: int | None = None) -> XrefTable | None:
    """The cross-reference table of a simple file, or ``None`` when it is not that simple.

    Simple means: the file starts with ``%PDF-`` and ends with ``startxref``, the
    offset and ``%%EOF``; that offset holds one ``xref`` table (one or more
    subsections, the first at object 0, no number twice, every entry the standard's
    20 bytes) followed by ``trailer``; and every in-use entry's offset holds that
    object's ``N G obj`` header. Anything else — an updated file, a cross-reference
    stream, a table that needs repair — gives ``None``: the caller lets the engine,
    which knows how to recover, read the file.

    Raises:
        TooManyEntries: Its subsections list more than *max_entries* entries (raised
            before their entries are read).
    """
    if not data.startswith(b"%PDF-"):
        return None
    tail = _TAIL.search(data, max(0, len(data) - _TAIL_WINDOW))
    if tail is None:
        return None
    start = int(tail[1])
    if not 0 < start < tail.start() or data[start - 1 : start] not in (b"\r", b"\n", b" ", b"\t"):
        return None
    if data[start : start + 4] != b"xref":
        return None
    position = start + 4
    entries: list[tuple[int, int, int, bool]] = []
    numbers: set[int] = set()
    while True:
        keyword = _TRAILER.match(data, position)
        if keyword is not None and entries:
            position = keyword.end()
            break
        header = _SUBSECTION.match(data, position)
        if header is None:
            return None
        first, count = int(header[1]), int(header[2])
        if not entries and first != 0:
            return None
        block_end = header.end() + 20 * count
        if block_end > tail.start() or _ENTRIES.fullmatch(data, header.end(), block_end) is None:
            return None
        if max_entries is not None and len(entries) + count > max_entries:
            raise TooManyEntries(len(entries) + count, max_entries)
        for number, entry in enumerate(_ENTRY.findall(data, header.end(), block_end), first):
            if number in numbers:
                return None
            numbers.add(number)
            entries.append((number, int(entry[0]), int(entry[1]), entry[2] == b"n"))
        position = block_end
    for number, offset, generation, in_use in entries:
        if in_use and header_end(data, offset, number, generation) is None:
            return None
    trailer: bytes | None = data[position : tail.start()]
    if trailer is not None and b"%" in trailer:
        trailer = _uncommented(trailer)
    if trailer is None:
        return None
    return XrefTable(startxref=start, entries=tuple(entries), trailer=trailer)


def _uncommented(text: bytes) -> bytes | None:
    """*text* with its comments blanked, or ``None`` when a string makes that unsure.

    Read left to right, a ``%`` outside a literal string starts a comment that runs to
    the end of the line; a string with an escape or nested parentheses gives ``None``.
    """
    unsure = False

    def blank(match: re.Match[bytes]) -> bytes:
        nonlocal unsure
        if match[0][:1] == b"%":
            return b" "
        if match[0][:1] != b"(":
            unsure = True
        return match[0]

    blanked = _COMMENT_OR_STRING.sub(blank, text)
    return None if unsure else blanked
