r"""The one serialiser: values (:mod:`.values`) to the bytes of PDF object syntax (§7.3).

The form is canonical — one space between array items and between dictionary entries,
literal strings with ``\``, ``(``, ``)`` and CR escaped, hexadecimal strings in upper case —
except where the source's own spelling is kept because it is the value: a real number's
text and a name's spelling. Reading what this writes gives back an equal value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from . import syntax
from .values import Array, Dictionary, Name, Real, Ref, Stream, String, Value

#: How a reference is written; the default keeps its numbers. A copier passes one that
#: renumbers into its own file.
RefWriter = Callable[[Ref], bytes]


def numbered(number: Callable[[Ref], int | None]) -> RefWriter:
    """A reference writer that writes each reference as the object *number* gives it.

    ``None`` from *number*: the reference is written as ``null``. Every object it names
    is of generation 0 (a writer's own output).
    """

    def write(ref: Ref) -> bytes:
        found = number(ref)
        return b"null" if found is None else b"%d 0 R" % found

    return write


def _plain_ref(ref: Ref) -> bytes:
    return b"%d %d R" % (ref.num, ref.gen)


def _literal(value: bytes) -> bytes:
    # §7.3.4.2: escaping every parenthesis needs no balance check; a CR must be escaped
    # or it would read back as LF.
    return (
        b"("
        + value.replace(b"\\", b"\\\\")
        .replace(b"(", b"\\(")
        .replace(b")", b"\\)")
        .replace(b"\r", b"\\r")
        + b")"
    )


class _Writer:
    """Writes one value into a list of byte pieces."""

    __slots__ = ("pieces", "ref")

    def __init__(self, ref: RefWriter) -> None:
        self.ref = ref
        self.pieces: list[bytes | memoryview] = []

    def write(self, value: Value) -> None:
        # The dispatch table is the class's (unbound functions): a table of bound methods
        # on each writer would be a reference cycle, kept until a garbage collection
        # together with whatever the caller's *ref* holds.
        try:
            writer = _WRITERS[type(value)]
        except KeyError:
            raise TypeError(f"{type(value).__name__} is not a PDF value") from None
        writer(self, value)

    def _null(self, value: object) -> None:
        self.pieces.append(b"null")

    def _bool(self, value: object) -> None:
        self.pieces.append(b"true" if value else b"false")

    def _int(self, value: object) -> None:
        assert isinstance(value, int)
        self.pieces.append(b"%d" % value)

    def _real(self, value: object) -> None:
        assert isinstance(value, Real)
        self.pieces.append(value.text)

    def _name(self, value: object) -> None:
        assert isinstance(value, Name)
        spelling = value.spelling
        if spelling is None:
            spelling = value.value
            # The usual name (bytes.isalnum is ASCII only) needs no escape.
            if not spelling.isalnum():
                spelling = syntax.name_spelling(spelling)
        self.pieces.append(b"/" + spelling)

    def _string(self, value: object) -> None:
        assert isinstance(value, String)
        if value.hex:
            self.pieces.append(b"<" + value.value.hex().upper().encode("ascii") + b">")
        else:
            self.pieces.append(_literal(value.value))

    def _ref(self, value: object) -> None:
        assert isinstance(value, Ref)
        self.pieces.append(self.ref(value))

    def _array(self, value: object) -> None:
        assert isinstance(value, Array)
        self.pieces.append(b"[")
        for index, item in enumerate(value):
            if index:
                self.pieces.append(b" ")
            self.write(item)
        self.pieces.append(b"]")

    def _dictionary(self, value: object) -> None:
        assert isinstance(value, Dictionary)
        self.pieces.append(b"<<")
        for index, (key, item) in enumerate(value.items()):
            if index:
                self.pieces.append(b" ")
            self._name(key)
            self.pieces.append(b" ")
            self.write(item)
        self.pieces.append(b">>")

    def _stream(self, value: object) -> None:
        assert isinstance(value, Stream)
        self._dictionary(value.dictionary.replaced(b"Length", len(value.data)))
        self.pieces += (b"\nstream\n", value.data, b"\nendstream")


_WRITERS: Final[dict[type, Callable[[_Writer, object], None]]] = {
    type(None): _Writer._null,
    bool: _Writer._bool,
    int: _Writer._int,
    Real: _Writer._real,
    Name: _Writer._name,
    String: _Writer._string,
    Ref: _Writer._ref,
    Array: _Writer._array,
    Dictionary: _Writer._dictionary,
    Stream: _Writer._stream,
}


def serialise(value: Value, *, ref: RefWriter = _plain_ref) -> bytes:
    r"""The bytes of *value* in PDF syntax; *ref* writes each reference.

    >>> from invoicebackup.pdf.build import parse
    >>> serialise(parse(b"<</A [1 2.50 /F#E9 (x\\)y) <ff>] /B 3 0 R>>"))
    b'<</A [1 2.50 /F#E9 (x\\)y) <FF>] /B 3 0 R>>'
    """
    writer = _Writer(ref)
    writer.write(value)
    return b"".join(writer.pieces)


def indirect_object(num: int, gen: int, value: Value, *, ref: RefWriter = _plain_ref) -> bytes:
    """The bytes of indirect object *num* *gen* holding *value* (§7.3.10), ``endobj`` included."""
    return b"%d %d obj\n%s\nendobj\n" % (num, gen, serialise(value, ref=ref))
