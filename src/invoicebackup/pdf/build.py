"""The one builder: tokens (:data:`~.syntax.TOKEN`) to values (:mod:`.values`).

A :class:`Parser` reads one buffer (a file, or a decoded object stream). Nesting is kept
on an explicit stack, never Python's, and every bound is checked *before* the thing is
built: an array or dictionary one level too deep is refused at its opening bracket, a
name, number or string too long before its bytes are copied.
"""

from __future__ import annotations

import re
from typing import Final, NoReturn

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


#: Where one reference is in the buffer, and the reference: ``(start, end, ref)``.
RefSpan = tuple[int, int, Ref]
#: Names at most this long are interned (the same name is one object).
_INTERNED_NAME: Final = 64
#: At most this many names are interned in one table: a table shared by the files of a
#: compile (an :class:`~.objectcache.ObjectCache`'s) stops growing there.
MAX_INTERNED: Final = 16384


class Parser:
    """Reads values from one buffer.

    Args:
        data: The bytes (a whole file or a decoded object stream).
        limits: The bounds each value is checked against.
        names: Where names read are interned (the same spelling gives the same
            :class:`Name`, up to :data:`MAX_INTERNED` of them); a reader shares one
            between the parsers of one file, an object cache between the files of a
            compile.
    """

    __slots__ = ("data", "limits", "names")

    def __init__(
        self, data: bytes, *, limits: SyntaxLimits, names: dict[bytes, Name] | None = None
    ) -> None:
        self.data = data
        self.limits = limits
        self.names: dict[bytes, Name] = {} if names is None else names

    def token(self, position: int) -> re.Match[bytes]:
        """The token at *position* (after white space and comments)."""
        match = syntax.TOKEN.match(self.data, position)
        if match is None:
            self._no_token(position)
        if match.end() - match.start(match.lastgroup or 0) > self.limits.max_token:
            self._too_long(match)
        return match

    def _no_token(self, position: int) -> NoReturn:
        if syntax.END.match(self.data, position):
            raise PdfError(DAMAGED, "the data ends where a token was expected", offset=position)
        found = self.data[position : position + 16].lstrip(syntax.WHITE_SPACE)
        raise PdfError(DAMAGED, f"{found!r} is not a token", offset=position)

    def _too_long(self, match: re.Match[bytes]) -> None:
        if match.end() - match.start(match.lastgroup or 0) > self.limits.max_token:
            raise PdfError(
                TOO_LARGE,
                f"a token is longer than {self.limits.max_token} bytes",
                offset=match.start(match.lastgroup or 0),
            )

    def keyword_at(self, position: int) -> tuple[bytes | None, int]:
        """The keyword at *position* and where it ends, or ``(None, position)`` if not one."""
        match = syntax.TOKEN.match(self.data, position)
        if match is None or match.lastgroup != "keyword":
            return None, position
        return match["keyword"], match.end()

    def value(self, position: int, refs: list[RefSpan] | None = None) -> tuple[Value, int]:
        """The value at *position* and the offset just after it.

        Each reference read is appended to *refs*, when given, with where its
        ``N G R`` is: what a copy renumbers in the bytes.

        Raises:
            PdfError: ``damaged`` for anything that is not one whole value (§7.3),
                ``too_large`` past a limit.
        """
        # One loop, the common kinds tested first and built inline: this is the reader's
        # innermost loop (a method call per token was a third of its time).
        data = self.data
        match_token = syntax.TOKEN.match
        match_numbers = syntax.NUMBERS.match
        max_token = self.limits.max_token
        max_depth = self.limits.max_depth
        names = self.names
        # Each open container is a list of values; dictionaries alternate key and value.
        stack: list[list[Value]] = []
        is_dict: list[bool] = []
        value: Value
        while True:
            match = match_token(data, position)
            if match is None:
                self._no_token(position)
            kind = match.lastindex
            end = match.end()
            if end - position > max_token:
                self._too_long(match)
            if kind == _NAME:
                spelling = match[_NAME]
                value = names.get(spelling)
                if value is None:
                    value = _name(spelling)
                    if len(spelling) <= _INTERNED_NAME and len(names) < MAX_INTERNED:
                        names[spelling] = value
                position = end
            elif kind == _INTEGER:
                text = match[_INTEGER]
                if len(text) > _MAX_DIGITS:
                    raise PdfError(
                        DAMAGED,
                        f"an integer has more than {_MAX_DIGITS} digits",
                        offset=match.start(kind),
                    )
                value, position = int(text), end
            elif kind == _REF:
                num, gen = match[_NUM], match[_GEN]
                if len(num) > _MAX_DIGITS or len(gen) > _MAX_DIGITS:
                    raise PdfError(
                        DAMAGED, "a reference's number is too long", offset=match.start(kind)
                    )
                value, position = Ref(int(num), int(gen)), end
                if refs is not None:
                    refs.append((match.start(kind), end, value))
            elif kind in (_ARRAY_OPEN, _DICT_OPEN):
                if len(stack) >= max_depth:
                    raise PdfError(
                        TOO_LARGE,
                        f"arrays and dictionaries nest deeper than {max_depth} levels",
                        offset=match.start(kind),
                    )
                if kind == _ARRAY_OPEN:
                    numbers = match_numbers(data, end)
                    if numbers is not None:
                        value = _numbers(data, end, numbers.end(), max_token)
                        if value is not None:
                            position = numbers.end()
                            if not stack:
                                return value, position
                            stack[-1].append(value)
                            continue
                stack.append([])
                is_dict.append(kind == _DICT_OPEN)
                position = end
                continue
            elif kind == _DICT_CLOSE and stack and is_dict[-1]:
                is_dict.pop()
                value, position = _dictionary(stack.pop(), match.start(kind)), end
            elif kind == _ARRAY_CLOSE and stack and not is_dict[-1]:
                is_dict.pop()
                value, position = Array(stack.pop()), end
            elif kind == _REAL:
                value, position = Real(match[_REAL]), end
            elif kind == _STRING:
                stop = syntax.string_end(data, end, max_size=max_token)
                value, position = String(syntax.literal_string(data[end:stop])), stop + 1
            elif kind == _HEX:
                value, position = String(syntax.hex_string(match[_HEX]), hex=True), end
            elif kind == _KEYWORD:
                value, position = _keyword(match[_KEYWORD], match.start(kind)), end
            else:
                raise PdfError(
                    DAMAGED, f"{match[kind or 0]!r} is not expected here", offset=match.start()
                )
            if not stack:
                return value, position
            stack[-1].append(value)


#: The token kinds by their group's number (``lastindex``: cheaper than ``lastgroup``).
_GROUPS: Final = syntax.TOKEN.groupindex
_REF: Final = _GROUPS["ref"]
_NUM: Final = _GROUPS["num"]
_GEN: Final = _GROUPS["gen"]
_REAL: Final = _GROUPS["real"]
_INTEGER: Final = _GROUPS["integer"]
_NAME: Final = _GROUPS["name"]
_DICT_OPEN: Final = _GROUPS["dict_open"]
_DICT_CLOSE: Final = _GROUPS["dict_close"]
_ARRAY_OPEN: Final = _GROUPS["array_open"]
_ARRAY_CLOSE: Final = _GROUPS["array_close"]
_HEX: Final = _GROUPS["hex"]
_STRING: Final = _GROUPS["string"]
_KEYWORD: Final = _GROUPS["keyword"]


def _name(spelling: bytes) -> Name:
    if spelling.isalnum():  # the usual name (bytes.isalnum is ASCII only): nothing escaped
        return Name(spelling)
    value = syntax.name_value(spelling)
    canonical = syntax.name_spelling(value) == spelling
    return Name(value, None if canonical else spelling)


def _numbers(data: bytes, start: int, end: int, max_token: int) -> Array | None:
    """The array of numbers :data:`~.syntax.NUMBERS` matched from *start* to *end*.

    ``None`` where a token must be read one at a time to be refused as the token loop
    refuses it (an integer of too many digits, a token past *max_token*).
    """
    body = data[start : end - 1]
    items = body.split()
    if b"." not in body:
        # Integers alone (the usual /Widths): converted in one pass.
        if items and max(map(len, items)) > min(_MAX_DIGITS, max_token):
            return None
        return Array(map(int, items))
    values: list[Value] = []
    for text in items:
        if len(text) > max_token:
            return None
        if b"." in text:
            values.append(Real(text))
        elif len(text) > _MAX_DIGITS:
            return None
        else:
            values.append(int(text))
    return Array(values)


def _dictionary(items: list[Value], offset: int) -> Dictionary:
    if len(items) % 2:
        raise PdfError(DAMAGED, "a dictionary has a key without a value", offset=offset)
    keys = items[0::2]
    for key in keys:
        if type(key) is not Name:
            raise PdfError(DAMAGED, f"a dictionary key is not a name ({key!r})", offset=offset)
    # §7.3.7: a key given twice is an error; the last one is kept, as dict() does.
    return Dictionary(dict(zip(keys, items[1::2], strict=True)))  # type: ignore[arg-type]


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
