r"""The PDF value model (ISO 32000-1 §7.3): what the builder makes and the serialiser writes.

Null, booleans and integers are Python's ``None``, ``bool`` and ``int``; the others are
small slotted classes. Names and strings are their bytes — never text — so that a name
written ``/F#E9`` or ``/F\xe9`` is the one name ``F\xe9`` and is written back as it was
spelled. Values are immutable by convention (arrays are tuples, dictionaries expose no
setter): a reader's cache hands the same objects to every caller.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from typing import TypeAlias


class Name:
    """§7.3.5 a name: its bytes, and how the source spelled it when that differs.

    Two names are equal when their bytes are, whatever their spelling.

    Attributes:
        value: The name's bytes, without the solidus, ``#`` escapes decoded.
        spelling: The source's spelling (without the solidus) when it is not the canonical
            one (see :func:`~.syntax.name_spelling`); ``None`` otherwise.
    """

    __slots__ = ("spelling", "value")

    def __init__(self, value: bytes, spelling: bytes | None = None) -> None:
        self.value = value
        self.spelling = spelling

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Name) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Name({self.value!r})"


class String:
    """§7.3.4 a string: its bytes, and whether the source wrote it in hexadecimal.

    Two strings are equal when their bytes are, whatever their form.
    """

    __slots__ = ("hex", "value")

    def __init__(self, value: bytes, *, hex: bool = False) -> None:
        self.value = value
        self.hex = hex

    def __eq__(self, other: object) -> bool:
        return isinstance(other, String) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"String({self.value!r}{', hex=True' if self.hex else ''})"


class Real:
    """§7.3.3 a real number, kept as the text the source wrote (so it is written back as is)."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text

    def __float__(self) -> float:
        return float(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Real) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Real({self.text.decode('ascii')})"


class Ref:
    """§7.3.10 an indirect reference ``num gen R``."""

    __slots__ = ("gen", "num")

    def __init__(self, num: int, gen: int = 0) -> None:
        self.num = num
        self.gen = gen

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.num == self.num and other.gen == self.gen

    def __hash__(self) -> int:
        return hash((self.num, self.gen))

    def __repr__(self) -> str:
        return f"Ref({self.num}, {self.gen})"


class Array(tuple["Value", ...]):
    """§7.3.6 an array: a tuple of values."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Array({list(self)!r})"


class Dictionary(Mapping[Name, "Value"]):
    """§7.3.7 a dictionary from names to values, in the source's order.

    It may be indexed by a :class:`Name` or by the name's bytes: ``d[b"Type"]``.
    """

    __slots__ = ("_items",)

    def __init__(self, items: dict[Name, Value] | None = None) -> None:
        self._items: dict[Name, Value] = {} if items is None else items

    def __getitem__(self, key: Name | bytes) -> Value:
        return self._items[key if isinstance(key, Name) else Name(key)]

    def get(self, key: Name | bytes, default: Value = None) -> Value:  # type: ignore[override]
        """The value under *key* (a name or its bytes), or *default*."""
        return self._items.get(key if isinstance(key, Name) else Name(key), default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, bytes):
            key = Name(key)
        return key in self._items

    def __iter__(self) -> Iterator[Name]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> ItemsView[Name, Value]:
        """The entries, in the source's order."""
        # The dictionary's own view: Mapping's would look every value up through
        # __getitem__ (a page digest walks every entry of every object).
        return self._items.items()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dictionary) and other._items == self._items

    __hash__ = None  # type: ignore[assignment]  # equal by content, like dict

    def __repr__(self) -> str:
        return f"Dictionary({self._items!r})"

    def replaced(self, key: bytes, value: Value) -> Dictionary:
        """A copy of this dictionary with *key* set to *value* (kept in place if present)."""
        items = dict(self._items)
        items[Name(key)] = value
        return Dictionary(items)


class Stream:
    """§7.3.8 a stream: its dictionary and its data exactly as stored (still encoded).

    Attributes:
        dictionary: The stream dictionary (its ``/Length`` as the file had it).
        data: The encoded data: ``/Length`` bytes after the ``stream`` keyword's end of line.
    """

    __slots__ = ("data", "dictionary")

    def __init__(self, dictionary: Dictionary, data: bytes) -> None:
        self.dictionary = dictionary
        self.data = data

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Stream)
            and other.dictionary == self.dictionary
            and other.data == self.data
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Stream({self.dictionary!r}, <{len(self.data)} bytes>)"


#: Any PDF value (§7.3.2): null is ``None``.
Value: TypeAlias = bool | int | Real | Name | String | Ref | Array | Dictionary | Stream | None
