"""The lexical pieces of PDF (ISO 32000-1 §7.2 and §7.3), each named after its rule.

One compiled master pattern, :data:`TOKEN`, reads one token at a time from bytes (after
white space and comments) and says by its ``lastgroup`` which kind it is; the decoders
below turn a token's bytes into a value's bytes. Nothing here loops over single bytes in
Python: literal strings, the one token whose end a regular expression cannot find, are
scanned by their escapes and parentheses only.
"""

from __future__ import annotations

import re
from typing import Final

from .errors import DAMAGED, TOO_LARGE, PdfError

#: §7.2.2 Table 1, white-space characters: NUL, HT, LF, FF, CR and SP. (Vertical tab is
#: not one of them: it is a regular character.)
WHITE_SPACE: Final = b"\x00\t\n\x0c\r "
#: §7.2.2 Table 2, delimiter characters.
DELIMITERS: Final = b"()<>[]{}/%"

_WS: Final = rb"\x00\t\n\x0c\r "
_DELIM: Final = rb"()<>\[\]{}/%"
#: §7.2.2: a regular character is any character that is neither white space nor a delimiter.
_REGULAR: Final = rb"[^" + _WS + _DELIM + rb"]"
#: A token ends where a regular character does not follow.
_ENDS: Final = rb"(?!" + _REGULAR + rb")"
#: §7.2.3 comments and §7.2.2 white space, skipped between tokens.
_SKIP: Final = rb"(?:[" + _WS + rb"]+|%[^\r\n]*)*"

#: One token after any white space or comments. The group that matched names its kind:
#:
#: - ``ref`` — §7.3.10 an indirect reference ``N G R`` (groups ``num`` and ``gen``)
#: - ``real`` — §7.3.3 a real number; ``integer`` — an integer
#: - ``name`` — §7.3.5 a name, without its solidus, ``#`` escapes still in it
#: - ``dict_open``/``dict_close`` — §7.3.7 ``<<`` and ``>>``
#: - ``array_open``/``array_close`` — §7.3.6 ``[`` and ``]``
#: - ``hex`` — §7.3.4.3 a hexadecimal string, without its angle brackets
#: - ``string`` — §7.3.4.2 the opening parenthesis of a literal string (see :func:`string_end`)
#: - ``keyword`` — any other run of regular characters (``true``, ``obj``, ``stream``…)
TOKEN: Final = re.compile(
    _SKIP
    + rb"(?:"
    + rb"(?P<ref>(?P<num>\d+)["
    + _WS
    + rb"]+(?P<gen>\d+)["
    + _WS
    + rb"]+R)"
    + _ENDS
    + rb"|(?P<real>[+-]?(?:\d+\.\d*|\.\d+))"
    + _ENDS
    + rb"|(?P<integer>[+-]?\d+)"
    + _ENDS
    + rb"|/(?P<name>"
    + _REGULAR
    + rb"*)"
    + rb"|(?P<dict_open><<)|(?P<dict_close>>>)|(?P<array_open>\[)|(?P<array_close>\])"
    + rb"|<(?P<hex>[0-9A-Fa-f"
    + _WS
    + rb"]*)>"
    + rb"|(?P<string>\()"
    + rb"|(?P<keyword>"
    + _REGULAR
    + rb"+)"
    + rb")"
)
#: The rest of an array that holds numbers alone, separated by white space other than
#: NUL (what :meth:`bytes.split` splits on), up to its closing bracket: such arrays
#: (``/Widths``, ``/MediaBox``, ``/Matrix``) are most of a file's numbers, and are read
#: with one match instead of a token at a time.
NUMBERS: Final = re.compile(
    rb"(?:[\t\n\x0c\r ]*[+-]?(?:\d+\.\d*|\.\d+|\d+)(?=[\t\n\x0c\r \]]))*[\t\n\x0c\r ]*\]"
)
#: Nothing but white space and comments up to the end.
END: Final = re.compile(_SKIP + rb"\Z")

#: Inside a literal string, a run of bytes that are not parentheses, escapes included
#: (§7.3.4.2: balanced pairs need no escape): one C-level match skips it.
#: Possessive (``*+``): the engine keeps no backtracking state per escape, so memory does
#: not grow with the string. Unrolled (a run, then escapes each with the run after it):
#: twice as fast as alternating on strings of many escapes (binary ones).
_STRING_RUN: Final = re.compile(rb"[^()\\]*+(?:\\.[^()\\]*+)*+", re.DOTALL)
#: §7.3.4.2 Table 3 escapes, a line break after a backslash, and an end of line in the
#: string (which reads as a single LF).
_STRING_ESCAPE: Final = re.compile(rb"\\([0-7]{1,3}|\r\n|.)|\r\n?", re.DOTALL)
_ESCAPED: Final = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
    # A backslash at the end of a line continues the string on the next line.
    b"\r\n": b"",
    b"\r": b"",
    b"\n": b"",
}
#: §7.3.5: ``#`` and two hexadecimal digits stand for the byte they spell.
_NAME_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
#: Bytes a name must (or, outside ``!``..``~``, should) spell with ``#``, §7.3.5.
_NAME_NEEDS_ESCAPE: Final = re.compile(rb"[^\x21-\x7e]|[()<>\[\]{}/%#]")


def string_end(data: bytes, start: int, *, max_size: int) -> int:
    """The offset of the parenthesis closing the literal string whose body starts at *start*.

    §7.3.4.2: a literal string runs to the parenthesis that balances its opening one;
    escaped parentheses do not count. A string longer than *max_size* bytes is refused
    before any of it is copied.

    Raises:
        PdfError: ``damaged`` when the string never ends, ``too_large`` past *max_size*.
    """
    depth = 1
    stop = min(len(data), start + max_size + 1)
    position = start
    while True:
        position = _STRING_RUN.match(data, position, stop).end()  # type: ignore[union-attr]
        if position >= stop:
            break
        byte = data[position]
        depth += _PAREN_DEPTH.get(byte, 0)
        if depth == 0:
            if position - start > max_size:
                break
            return position
        position += 1
    if stop < len(data) or len(data) - start > max_size:
        raise PdfError(TOO_LARGE, f"a literal string is longer than {max_size} bytes", offset=start)
    raise PdfError(DAMAGED, "a literal string is not closed before the data ends", offset=start)


#: How a byte after a run changes the nesting: ``(`` opens, ``)`` closes, a lone
#: backslash at the very end of the data does neither.
_PAREN_DEPTH: Final = {0x28: 1, 0x29: -1}


def _unescape(match: re.Match[bytes]) -> bytes:
    escape = match[1]
    if escape is None:
        return b"\n"
    if escape[:1].isdigit() and escape[:1] < b"8":
        # §7.3.4.2: high-order overflow of a three-digit octal escape is ignored.
        return bytes((int(escape, 8) & 0xFF,))
    # An unknown escape: the backslash is ignored, the byte kept.
    return _ESCAPED.get(escape, escape)


def literal_string(body: bytes) -> bytes:
    r"""The bytes a literal string's *body* (between its parentheses) stands for.

    >>> literal_string(rb"a\(b\)\101\r" + b"\r\n")
    b'a(b)A\r\n'
    """
    if b"\\" not in body and b"\r" not in body:
        return body
    # Built piece by piece into one buffer (not re.sub, which holds every piece at once):
    # memory stays about twice the string whatever its number of escapes.
    out = bytearray()
    last = 0
    for match in _STRING_ESCAPE.finditer(body):
        out += body[last : match.start()]
        out += _unescape(match)
        last = match.end()
    out += body[last:]
    return bytes(out)


def hex_string(body: bytes) -> bytes:
    """The bytes a hexadecimal string's *body* stands for (§7.3.4.3: an odd last digit is x0).

    >>> hex_string(b"48 65 6C 6")
    b'Hel`'
    """
    digits = body.translate(None, WHITE_SPACE)
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


def name_value(spelling: bytes) -> bytes:
    r"""The bytes a name token (without its solidus) stands for, §7.3.5.

    ``#`` followed by two hexadecimal digits is the byte they spell; any other byte,
    including a raw byte above ``~``, is itself.

    >>> name_value(b"F#E9"), name_value(b"F\xe9"), name_value(b"A#20B")
    (b'F\xe9', b'F\xe9', b'A B')
    """
    if b"#" not in spelling:
        return spelling
    return _NAME_ESCAPE.sub(lambda match: bytes.fromhex(match[1].decode("ascii")), spelling)


def name_spelling(value: bytes) -> bytes:
    r"""The canonical spelling of a name whose bytes are *value* (without the solidus).

    Each byte that is white space, a delimiter, ``#`` or outside ``!``..``~`` is written as
    ``#`` and two hexadecimal digits (§7.3.5); every other byte is itself.

    >>> name_spelling(b"A B#\xe9")
    b'A#20B#23#E9'
    """
    return _NAME_NEEDS_ESCAPE.sub(lambda match: b"#%02X" % match[0][0], value)
