"""The one writer of PDF files: numbered objects out, front to back, then the table (§7.5).

An :class:`ObjectWriter` hands out object numbers (:meth:`~ObjectWriter.allocate`),
writes objects in any order (:meth:`~ObjectWriter.put`, :meth:`~ObjectWriter.put_value`,
:meth:`~ObjectWriter.put_stream`) and ends the file with its cross-reference table and
trailer (:meth:`~ObjectWriter.finish`). It never seeks: the output may be a stream.

What is written between :meth:`~ObjectWriter.stage` and :meth:`~ObjectWriter.commit` is
held back, so that a copy that fails midway can be dropped whole
(:meth:`~ObjectWriter.rollback`) and nothing of it reaches the output. Its state is its
own; nothing is shared between writers.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Sequence
from typing import IO, Final

from .serialise import RefWriter, serialise
from .values import Dictionary, Stream, Value

#: Writes smaller than this are gathered into one (the output may be a slow stream).
_SMALL_WRITE: Final = 256 * 1024

Chunk = bytes | bytearray | memoryview


class ObjectWriter:
    """Writes one PDF file to *out*.

    Args:
        out: Where the file goes, front to back.
        version: The header's version.
    """

    def __init__(self, out: IO[bytes], *, version: bytes = b"1.7") -> None:
        self._out = out
        self._position = 0
        self._buffer = bytearray()
        self._offsets = array("Q", [0])
        self._staged: list[Chunk] | None = None
        self._staged_size = 0
        #: The last of the staged chunks when it is ours to append to (small writes
        #: gathered while staging, so that committing them is one write, not many).
        self._tail: bytearray | None = None
        self._write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")

    # -- numbers --------------------------------------------------------------------------

    def allocate(self) -> int:
        """A new object number (its object is written later with :meth:`put`)."""
        self._offsets.append(0)
        return len(self._offsets) - 1

    @property
    def mark(self) -> int:
        """The next number :meth:`allocate` gives (what :meth:`rollback` goes back to)."""
        return len(self._offsets)

    # -- staging --------------------------------------------------------------------------

    def stage(self) -> None:
        """Hold back what is written until :meth:`commit` (or drop it with :meth:`rollback`)."""
        if self._staged is not None:
            raise RuntimeError("already staging")
        self._staged = []
        self._staged_size = 0
        self._tail = None

    def commit(self) -> None:
        """Write what was held back since :meth:`stage`."""
        staged, self._staged = self._staged or [], None
        self._staged_size = 0
        self._tail = None
        for chunk in staged:
            self._write(chunk)

    def rollback(self, mark: int) -> None:
        """Drop what was held back since :meth:`stage` and the numbers from *mark* on."""
        self._staged = None
        self._staged_size = 0
        self._tail = None
        del self._offsets[mark:]

    # -- objects --------------------------------------------------------------------------

    def put(self, number: int, *parts: Chunk) -> None:
        """Write object *number* whose value is the bytes *parts*."""
        self._offsets[number] = self._position + self._staged_size
        self._write(b"%d 0 obj\n" % number)
        for part in parts:
            self._write(part)
        self._write(b"\nendobj\n")

    def put_value(self, number: int, value: Value, *, ref: RefWriter) -> None:
        """Write object *number* holding *value*; *ref* writes each reference in it.

        A stream's data is written as it is (still encoded), with ``/Length`` set to it.
        """
        if isinstance(value, Stream):
            self.put_stream(number, value.dictionary, value.data, ref=ref)
        else:
            self.put(number, serialise(value, ref=ref))

    def put_stream(
        self, number: int, dictionary: Dictionary, data: Chunk, *, ref: RefWriter
    ) -> None:
        """Write stream object *number*: *dictionary* with ``/Length`` set, then *data*."""
        head = serialise(dictionary.replaced(b"Length", len(data)), ref=ref)
        self.put(number, head, b"\nstream\n", data, b"\nendstream")

    # -- the end ----------------------------------------------------------------------------

    def finish(self, *, root: int, info: int, file_id: bytes) -> int:
        """Write the cross-reference table and trailer; return the file's size.

        Every number allocated and never written becomes a null object (a hole would
        break the table). The trailer's ``/ID`` is derived from *file_id*, so the same
        input gives the same file.
        """
        for number in range(1, len(self._offsets)):
            if not self._offsets[number]:
                self.put(number, b"null")
        digest = hashlib.md5(file_id, usedforsecurity=False).hexdigest().encode()
        start = self._position
        trailer = b"/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]" % (root, info, digest, digest)
        table = cross_reference(self._offsets, start=start, trailer=trailer)
        self._write(table)
        self._flush()
        return self._position

    def flush(self) -> int:
        """Write out what is gathered (never what is staged); return the position in the file."""
        if self._staged is not None:
            raise RuntimeError("staging")
        self._flush()
        return self._position

    @property
    def position(self) -> int:
        """How many bytes were written so far, gathered ones included (staged ones not)."""
        return self._position

    @property
    def offsets(self) -> array[int]:
        """Where each object written so far starts, by number (0: not written yet); a copy."""
        return array("Q", self._offsets)

    def _write(self, chunk: Chunk) -> None:
        size = len(chunk)
        if self._staged is not None:
            self._staged_size += size
            if size >= _SMALL_WRITE:
                self._tail = None
                self._staged.append(chunk)
                return
            tail = self._tail
            if tail is None:
                tail = self._tail = bytearray()
                self._staged.append(tail)
            tail += chunk
            if len(tail) >= _SMALL_WRITE:
                self._tail = None
            return
        self._position += size
        if size < _SMALL_WRITE:
            self._buffer += chunk
            if len(self._buffer) < _SMALL_WRITE:
                return
            chunk = b""
        self._flush()
        if chunk:
            self._out.write(chunk)

    def _flush(self) -> None:
        # The buffer itself is handed over, never changed again (the output may hash it
        # later, on another thread): a new one takes its place, and nothing is copied.
        if self._buffer:
            self._out.write(self._buffer)
            self._buffer = bytearray()


def cross_reference(
    offsets: Sequence[int],
    *,
    start: int,
    trailer: bytes,
    listed: Callable[[int], bool] | None = None,
) -> bytes:
    """The cross-reference table at *start* for objects at *offsets*, the trailer, the end.

    An object at offset 0 (never written) is listed as free. *trailer* is what the
    trailer dictionary holds besides ``/Size``. With *listed*, only the objects it
    accepts are listed, in subsections of consecutive numbers: the others are absent
    (a reader of the table takes a reference to one for null, §7.3.10).
    """
    size = len(offsets)
    if listed is None:
        table = bytearray(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            offset = offsets[number]
            table += b"%010d 00000 n \n" % offset if offset else b"0000000000 00001 f \n"
    else:
        table = bytearray(b"xref\n0 1\n0000000000 65535 f \n")
        number = 1
        while number < size:
            if not listed(number):
                number += 1
                continue
            first = number
            entries = bytearray()
            while number < size and listed(number):
                offset = offsets[number]
                entries += b"%010d 00000 n \n" % offset if offset else b"0000000000 00001 f \n"
                number += 1
            table += b"%d %d\n" % (first, number - first) + entries
    table += b"trailer\n<</Size %d%s>>\n" % (size, trailer)
    table += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(table)
