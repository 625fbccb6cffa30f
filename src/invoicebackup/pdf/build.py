"""The one builder: tokens (:data:`~.syntax.TOKEN`) to values (:mod:`.values`).

A :class:`Parser` reads one buffer (a file, or a decoded object stream). Nesting is kept
on an explicit stack, never Python's, and every bound is checked *before* the thing is
built: an array or dictionary one level too deep is refused at its opening bracket, a
name, number or string too long before its bytes are copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import attrs

from . import syntax
from .errors import DAMAGED, TOO_LARGE, PdfError
from .values import Array, Dictionary, Name, Real, Ref, String, Value

#: The longest integer text read (§C.2 advises 32-bit integers; 20 digits hold any
#: offset), so that ``int()`` never meets thousands of digits.
_MAX_DIGITS: Final = 20


@attrs.frozen(kw_only=True)
class SyntaxLimits:
    """Bounds on one object's syntax.

    Attributes:
        max_depth: Arrays and dictionaries nested deeper than this are refused.
        max_token: A name, number, keyword or string longer than this many bytes is refused.
    """

    max_depth: int = 150
    max_token: int = 256 * 1024 * 1024


def _keyword(word: bytes, offset: int) -> Value:
    try:
        return _KEYWORD_VALUES[word]
    except KeyError:
        raise PdfError(
            DAMAGED, f"the keyword {word[:40]!r} is not a value", offset=offset
        ) from None


#: §7.3.2: the keywords that are values.
_KEYWORD_VALUES: Final[dict[bytes, Value]] = {b"true": True, b"false": False, b"null": None}


class Parser:
    """Reads values from one buffer.

    Args:
        data: The bytes (a whole file or a decoded object stream).
        limits: The bounds each value is checked against.
    """

    __slots__ = ("data", "limits")

    def __init__(self, data: bytes, *, limits: SyntaxLimits) -> None:
        self.data = data
        self.limits = limits

    def token(self, position: int) -> re.Match[bytes]:
        """The token at *position* (after white space and comments)."""
        match = syntax.TOKEN.match(self.data, position)
        if match is None:
            if syntax.END.match(self.data, position):
                raise PdfError(DAMAGED, "the data ends where a token was expected", offset=position)
            found = self.data[position : position + 16].lstrip(syntax.WHITE_SPACE)
            raise PdfError(DAMAGED, f"{found!r} is not a token", offset=position)
        if match.end() - match.start(match.lastgroup or 0) > self.limits.max_token:
            raise PdfError(
                TOO_LARGE,
                f"a token is longer than {self.limits.max_token} bytes",
                offset=match.start(match.lastgroup or 0),
            )
        return match

    def keyword_at(self, position: int) -> tuple[bytes | None, int]:
        """The keyword at *position* and where it ends, or ``(None, position)`` if not one."""
        match = syntax.TOKEN.match(self.data, position)
        if match is None or match.lastgroup != "keyword":
            return None, position
        return match["keyword"], match.end()

    def value(self, position: int) -> tuple[Value, int]:
        """The value at *position* and the offset just after it.

        Raises:
            PdfError: ``damaged`` for anything that is not one whole value (§7.3),
                ``too_large`` past a limit.
        """
        data_limits = self.limits
        atoms = _ATOMS
        # Each open container is a list of values; dictionaries alternate key and value.
        stack: list[list[Value]] = []
        is_dict: list[bool] = []
        while True:
            match = self.token(position)
            kind = match.lastgroup
            atom = atoms.get(kind)
            if atom is not None:
                value, position = atom(self, match)
            elif kind == "array_open" or kind == "dict_open":
                if len(stack) >= data_limits.max_depth:
                    raise PdfError(
                        TOO_LARGE,
                        f"arrays and dictionaries nest deeper than {data_limits.max_depth} levels",
                        offset=match.start(kind),
                    )
                stack.append([])
                is_dict.append(kind == "dict_open")
                position = match.end()
                continue
            elif kind == "array_close" and stack and not is_dict[-1]:
                is_dict.pop()
                value, position = Array(stack.pop()), match.end()
            elif kind == "dict_close" and stack and is_dict[-1]:
                is_dict.pop()
                value, position = self._dictionary(stack.pop(), match.start(kind)), match.end()
            else:
                raise PdfError(
                    DAMAGED, f"{match[kind or 0]!r} is not expected here", offset=match.start()
                )
            if not stack:
                return value, position
            stack[-1].append(value)

    @staticmethod
    def _dictionary(items: list[Value], offset: int) -> Dictionary:
        if len(items) % 2:
            raise PdfError(DAMAGED, "a dictionary has a key without a value", offset=offset)
        keys = items[0::2]
        for key in keys:
            if not isinstance(key, Name):
                raise PdfError(DAMAGED, f"a dictionary key is not a name ({key!r})", offset=offset)
        # §7.3.7: a key given twice is an error; the last one is kept, as dict() does.
        return Dictionary(dict(zip(keys, items[1::2], strict=True)))  # type: ignore[arg-type]

    def _ref(self, match: re.Match[bytes]) -> tuple[Value, int]:
        num, gen = match["num"], match["gen"]
        if len(num) > _MAX_DIGITS or len(gen) > _MAX_DIGITS:
            raise PdfError(DAMAGED, "a reference's number is too long", offset=match.start("ref"))
        return Ref(int(num), int(gen)), match.end()

    def _real(self, match: re.Match[bytes]) -> tuple[Value, int]:
        return Real(match["real"]), match.end()

    def _integer(self, match: re.Match[bytes]) -> tuple[Value, int]:
        text = match["integer"]
        if len(text) > _MAX_DIGITS:
            raise PdfError(
                DAMAGED, f"an integer has more than {_MAX_DIGITS} digits", offset=match.start()
            )
        return int(text), match.end()

    def _name(self, match: re.Match[bytes]) -> tuple[Value, int]:
        spelling = match["name"]
        if spelling.isalnum():  # the usual name (bytes.isalnum is ASCII only): nothing escaped
            return Name(spelling), match.end()
        value = syntax.name_value(spelling)
        canonical = syntax.name_spelling(value) == spelling
        return Name(value, None if canonical else spelling), match.end()

    def _hex(self, match: re.Match[bytes]) -> tuple[Value, int]:
        return String(syntax.hex_string(match["hex"]), hex=True), match.end()

    def _string(self, match: re.Match[bytes]) -> tuple[Value, int]:
        start = match.end()
        end = syntax.string_end(self.data, start, max_size=self.limits.max_token)
        return String(syntax.literal_string(self.data[start:end])), end + 1

    def _word(self, match: re.Match[bytes]) -> tuple[Value, int]:
        return _keyword(match["keyword"], match.start("keyword")), match.end()


#: The builder of each atom, by token kind: the class's functions, not a table of bound
#: methods on each parser, which would be a reference cycle keeping the parser — and the
#: whole file it reads — until a garbage collection.
_ATOMS: Final[dict[str | None, Callable[[Parser, re.Match[bytes]], tuple[Value, int]]]] = {
    "ref": Parser._ref,
    "real": Parser._real,
    "integer": Parser._integer,
    "name": Parser._name,
    "hex": Parser._hex,
    "string": Parser._string,
    "keyword": Parser._word,
}


def parse(data: bytes, *, limits: SyntaxLimits | None = None) -> Value:
    r"""The one value *data* holds (white space and comments around it allowed).

    >>> parse(b"<< /Type /Page /Kids [1 0 R (a\\)b)] >>")
    Dictionary({Name(b'Type'): Name(b'Page'), Name(b'Kids'): Array([Ref(1, 0), String(b'a)b')])})

    Raises:
        PdfError: ``damaged`` unless *data* is one value, ``too_large`` past a limit.
    """
    parser = Parser(data, limits=limits or SyntaxLimits())
    value, end = parser.value(0)
    if not syntax.END.match(data, end):
        raise PdfError(DAMAGED, "more follows the value", offset=end)
    return value
