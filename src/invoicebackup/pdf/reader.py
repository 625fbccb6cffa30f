"""One reader of the PDF file structure (ISO 32000-1 §7.5, §7.7.3).

:class:`PdfFile` reads every well-formed file: classic cross-reference tables and
cross-reference streams, object streams, incremental updates (the ``/Prev`` chain, newest
revision first, freed objects as null) and hybrid files (``/XRefStm``). Objects are read
lazily, when asked for, and kept in a cache on the file object.

A file encrypted by the standard security handler that the empty user password opens
(most "protected" invoices: they restrict printing or editing, not reading) is decrypted
as it is read (:mod:`.crypt`); its objects that hold strings or stream data are then
written from their values, never copied as their (encrypted) bytes; the others, whose
bytes are not encrypted, are copied as bytes like any file's. Objects repeated byte for
byte across the files of a compile are built once when an
:class:`~.objectcache.ObjectCache` is passed in.

What it cannot read with certainty it refuses with a :class:`~.errors.PdfError` whose code
says why: ``encrypted`` (any other encryption; decrypt first:
:func:`~.pypdf_adapter.normalise`), ``damaged``
(with the precise reason and offset) or ``too_large`` (a :class:`Limits` bound). It never
guesses: a stream whose ``/Length`` does not end at ``endstream``, an offset that does not
hold the object the table says, are refusals, and the caller normalises the file through
pypdf (or pikepdf) and reads the result with this same reader.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Final

import attrs

from . import crypt, filters, xref
from .build import Parser, RefSpan, SyntaxLimits
from .errors import DAMAGED, ENCRYPTED, TOO_LARGE, PdfError
from .objectcache import MAX_BYTES, ObjectCache, Spans
from .values import Array, Dictionary, Name, Real, Ref, Stream, Value

#: §7.5.2: the header, within the first kilobyte.
_HEADER: Final = re.compile(rb"%PDF-(\d+\.\d+)")
_HEADER_WINDOW: Final = 1024
#: §7.5.5: ``startxref`` and the offset of the last cross-reference section.
_STARTXREF: Final = re.compile(rb"startxref[\x00\t\n\x0c\r ]+(\d{1,20})")
#: §7.3.10: ``num gen obj`` at an object's offset.
_OBJECT_HEADER: Final = re.compile(
    rb"[\x00\t\n\x0c\r ]*(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+obj"
    rb"(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
)
#: §7.3.8.1: the end of line after ``stream`` (CRLF or LF; a lone CR is tolerated).
_STREAM_EOL: Final = re.compile(rb"\r\n|\n|\r")
_ENDSTREAM: Final = re.compile(rb"[\x00\t\n\x0c\r ]*endstream(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")
#: Where an indirect object's value can end at the latest: the bytes before the first of
#: these are what an :class:`~.objectcache.ObjectCache` knows a value by.
_VALUE_STOP: Final = re.compile(rb"endobj|stream")
#: §7.5.7: the object stream's header, pairs of integers.
_INTEGER: Final = re.compile(rb"\d{1,20}")
#: The last byte of a value whose end no token looked past (§7.2.2 delimiters).
_CLOSING: Final = (b">", b"]", b")")

#: Where an object's value is: the buffer (the file, or a decoded object stream), the
#: start and end of the value in it (a stream's to after ``endstream``), and each
#: reference in it with where its ``N G R`` is, counted from the start (so that files
#: holding the same bytes share one tuple). A copy writes these bytes with the
#: references renumbered.
Source = tuple[bytes, int, int, Spans]
#: A decoded object stream: its parser, its ``(object, offset)`` pairs, and for each
#: offset where the bytes of the object there end at the latest.
_ObjectStream = tuple[Parser, list[tuple[int, int]], dict[int, int]]

_TYPE: Final = Name(b"Type")
_PAGES: Final = Name(b"Pages")
_PAGE: Final = Name(b"Page")
_KIDS: Final = Name(b"Kids")
_PARENT: Final = Name(b"Parent")
#: §7.7.3.4 Table 31: the page attributes a page inherits from its ancestors.
_INHERITED: Final = (b"Resources", b"MediaBox", b"CropBox", b"Rotate")


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds that keep one pathological file from exhausting the process.

    Attributes:
        max_objects: Cross-reference sections and object streams listing more objects
            than this are ``too_large`` (checked before any table is built).
        max_depth: Arrays and dictionaries, and the page tree, nested deeper are refused.
        max_token: A name, number or string longer than this many bytes is refused.
        max_stream_output: A cross-reference or object stream that decodes to more bytes.
        max_total_output: All such streams of one file together.
        max_revisions: ``/Prev`` links followed at most.
        max_pages: A page tree with more pages.
    """

    max_objects: int = 2_000_000
    max_depth: int = 150
    max_token: int = 256 * 1024 * 1024
    max_stream_output: int = 256 * 1024 * 1024
    max_total_output: int = 1024 * 1024 * 1024
    max_revisions: int = 10_000
    max_pages: int = 10_000

    def syntax(self) -> SyntaxLimits:
        """The bounds on one object's syntax."""
        return SyntaxLimits(max_depth=self.max_depth, max_token=self.max_token)


@attrs.frozen(kw_only=True)
class Page:
    """One page, with the attributes it inherits resolved (§7.7.3.3, §7.7.3.4).

    Attributes:
        ref: The page object's reference (``None`` for a page written directly in a
            ``/Kids`` array).
        dictionary: The page dictionary as stored (inherited attributes not merged in).
        media_box: The effective ``/MediaBox``, its items resolved; ``None`` if no page
            or ancestor has one.
        crop_box: The effective ``/CropBox``, or the media box when there is none.
        rotate: The effective ``/Rotate`` in 0..359 (0 when it is not a number). One
            that is not a multiple of 90 is kept: viewers differ on it (pdf.js and PDFium
            show 0, MuPDF rounds), so a copy shows it as its source shows it.
        resources: The effective ``/Resources`` dictionary (empty when none).
    """

    ref: Ref | None
    dictionary: Dictionary
    media_box: Array | None
    crop_box: Array | None
    rotate: int
    resources: Dictionary


class PdfFile:
    """A PDF file's structure, read from its bytes.

    Args:
        data: The whole file.
        limits: The bounds it is read within.
        cache: Values built from other files of the same compile, by their bytes (used
            only when it was made for the same syntax bounds).
        decrypt: Whether a file encrypted by the standard security handler with the
            empty user password is decrypted (:mod:`.crypt`) rather than refused.

    Raises:
        PdfError: ``encrypted``, ``damaged`` or ``too_large`` (see the module docstring).
    """

    def __init__(
        self,
        data: bytes,
        *,
        limits: Limits | None = None,
        cache: ObjectCache | None = None,
        decrypt: bool = True,
    ) -> None:
        self.data = data
        self._view = memoryview(data).toreadonly()
        self.limits = limits or Limits()
        syntax_limits = self.limits.syntax()
        self._cache = cache if cache is not None and cache.limits == syntax_limits else None
        self._parser = Parser(
            data, limits=syntax_limits, names=None if self._cache is None else self._cache.names
        )
        self._entries: dict[int, xref.Entry] = {}
        self._objects: dict[int, Value] = {}
        self._sources: dict[int, Source] = {}
        self._object_streams: dict[int, _ObjectStream] = {}
        self._loading: set[int] = set()
        self._decoded_total = 0
        self._crypt: crypt.Decryption | None = None
        #: Whether the file was encrypted and is decrypted as it is read.
        self.encrypted = False
        header = _HEADER.search(data, 0, _HEADER_WINDOW)
        if header is None:
            raise PdfError(DAMAGED, "there is no %PDF- header in the first kilobyte")
        self.version = header[1].decode("ascii")
        #: What every offset in the file is counted from: 0, or where ``%PDF-`` is when
        #: bytes before it (§7.5.2 allows none) were not counted by the writer.
        self._base = 0
        try:
            self.trailer = self._read_revisions()
        except PdfError as error:
            if error.code != DAMAGED or header.start() == 0:
                raise
            self._base = header.start()
            self._entries.clear()
            self._sources.clear()
            try:
                self.trailer = self._read_revisions()
            except PdfError:
                raise error from None
        if b"Encrypt" in self.trailer:
            decryption = None
            if decrypt:
                try:
                    encrypt = self.resolve(self.trailer[b"Encrypt"])
                except PdfError:
                    encrypt = None
                decryption = crypt.standard(encrypt, self.trailer.get(b"ID"))
            if decryption is None:
                raise PdfError(ENCRYPTED, "the file is encrypted (its trailer has /Encrypt)")
            # What was read so far (cross-reference streams, /Encrypt) is not encrypted.
            self._crypt = decryption
            self.encrypted = True

    # -- cross-reference sections -------------------------------------------------------

    def _read_revisions(self) -> Dictionary:
        """Every revision's entries, newest first (§7.5.6), and the merged trailer."""
        tail = self.data.rfind(b"startxref")
        found = _STARTXREF.match(self.data, tail) if tail >= 0 else None
        if found is None:
            raise PdfError(DAMAGED, "there is no startxref at the end of the file")
        offset: int | None = int(found[1]) + self._base
        trailer: dict[Name, Value] = {}
        seen: set[int] = set()
        while offset is not None:
            if offset in seen:
                # The revisions a looping chain skips are unknown: not sure, so refuse.
                raise PdfError(DAMAGED, f"the /Prev chain loops back to offset {offset}")
            if len(seen) >= self.limits.max_revisions:
                raise PdfError(
                    TOO_LARGE, f"the file has more than {self.limits.max_revisions} revisions"
                )
            seen.add(offset)
            entries, section_trailer = self._section(offset)
            if len(seen) == 1 and type(section_trailer.get(b"Size")) is not int:
                # §7.5.5: /Size is required. qpdf takes a file whose last trailer has none
                # for damaged and reconstructs it, and may read other pages: not sure.
                raise PdfError(DAMAGED, "the trailer has no /Size", offset=offset)
            if self._entries:
                # An older revision: what a newer one says of an object stands.
                for number, entry in entries.items():
                    self._entries.setdefault(number, entry)
            else:
                self._entries.update(entries)
            if len(self._entries) > self.limits.max_objects:
                raise PdfError(
                    TOO_LARGE, f"the file has more than {self.limits.max_objects} objects"
                )
            for key, value in section_trailer.items():
                trailer.setdefault(key, value)
            prev = section_trailer.get(b"Prev")
            if prev is not None and type(prev) is not int:
                raise PdfError(DAMAGED, "a trailer's /Prev is not an offset", offset=offset)
            offset = None if prev is None else prev + self._base
        return Dictionary(trailer)

    def _section(self, offset: int) -> tuple[dict[int, xref.Entry], Dictionary]:
        """The entries and trailer of the cross-reference section at *offset*."""
        if not 0 <= offset < len(self.data):
            raise PdfError(DAMAGED, f"a cross-reference offset ({offset}) is outside the file")
        keyword, after = self._parser.keyword_at(offset)
        if keyword != b"xref":
            return self._stream_section(offset)
        entries, position = xref.table_entries(
            self.data, after, max_objects=self.limits.max_objects
        )
        keyword, position = self._parser.keyword_at(position)
        if keyword != b"trailer":
            raise PdfError(
                DAMAGED, "a cross-reference table is not followed by trailer", offset=position
            )
        trailer, _ = self._parser.value(position)
        if not isinstance(trailer, Dictionary):
            raise PdfError(DAMAGED, "a trailer is not a dictionary", offset=position)
        hybrid = trailer.get(b"XRefStm")
        if type(hybrid) is int:
            hybrid += self._base
            # §7.5.8.4: in a hybrid file the table's free entries for objects the
            # cross-reference stream lists are placeholders for older readers.
            stream_entries, _ = self._stream_section(hybrid)
            for number, entry in stream_entries.items():
                current = entries.get(number)
                if current is None or current[0] == xref.FREE:
                    entries[number] = entry
        return entries, trailer

    def _stream_section(self, offset: int) -> tuple[dict[int, xref.Entry], Dictionary]:
        stream = self._indirect_at(offset, None)
        if not isinstance(stream, Stream) or stream.dictionary.get(b"Type") != Name(b"XRef"):
            raise PdfError(
                DAMAGED,
                "a cross-reference offset holds neither xref nor an XRef stream",
                offset=offset,
            )
        try:
            decoded = self._decode(stream)
        except PdfError as error:
            raise PdfError(
                error.code, f"its cross-reference stream: {error.reason}", offset=offset
            ) from None
        entries = xref.stream_entries(
            stream.dictionary, decoded, max_objects=self.limits.max_objects
        )
        return entries, stream.dictionary

    def _decode(self, stream: Stream) -> bytes:
        remaining = self.limits.max_total_output - self._decoded_total
        limit = min(self.limits.max_stream_output, remaining)
        try:
            decoded = filters.decode(stream.dictionary, bytes(stream.data), max_output=limit)
        except PdfError as error:
            if error.code == TOO_LARGE and limit < self.limits.max_stream_output:
                raise PdfError(
                    TOO_LARGE,
                    "it inflates past what is left of the limit on all its structural "
                    f"streams together ({self.limits.max_total_output} bytes)",
                ) from None
            raise
        self._decoded_total += len(decoded)
        return decoded

    # -- objects ------------------------------------------------------------------------

    def _indirect_at(self, offset: int, expected: tuple[int, int] | None) -> Value:
        """The indirect object at *offset* (§7.3.10), a stream's data sliced (§7.3.8)."""
        data = self.data
        header = _OBJECT_HEADER.match(data, offset)
        if header is None:
            raise PdfError(DAMAGED, "no 'num gen obj' at an object's offset", offset=offset)
        number, generation = int(header[1]), int(header[2])
        if expected is not None and (number, generation) != expected:
            raise PdfError(
                DAMAGED,
                f"the table puts object {expected[0]} {expected[1]} where object "
                f"{number} {generation} is",
                offset=offset,
            )
        start = header.end()
        value, position, refs = self._value(start)
        keyword, after = self._parser.keyword_at(position)
        # A decrypted object that holds strings is written from its value, not copied as
        # its bytes; a stream always (its data is encrypted).
        decryption = self._crypt if expected is not None else None
        if keyword == b"endobj":
            if decryption is not None:
                decrypted = decryption.value(value, number, generation)
                if decrypted is not value:
                    return decrypted
                # It holds no string: its bytes are its decrypted value (§7.6.1).
            self._sources[number] = (data, start, position, refs)
            return value
        if keyword != b"stream" or not isinstance(value, Dictionary):
            raise PdfError(
                DAMAGED, f"object {number} {generation} does not end with endobj", offset=position
            )
        eol = _STREAM_EOL.match(data, after)
        data_start = eol.end() if eol else after
        length = self._length(value.get(b"Length"), number)
        end = data_start + length
        closing = _ENDSTREAM.match(data, end) if end <= len(data) else None
        if closing is None:
            raise PdfError(
                DAMAGED,
                f"the stream of object {number} {generation}: /Length {length} does not end "
                "at endstream",
                offset=data_start,
            )
        keyword, _ = self._parser.keyword_at(closing.end())
        if keyword != b"endobj":
            raise PdfError(
                DAMAGED,
                f"object {number} {generation} does not end with endobj",
                offset=closing.end(),
            )
        if decryption is not None:
            return decryption.value(Stream(value, data[data_start:end]), number, generation)
        self._sources[number] = (data, start, closing.end(), refs)
        # A view, not a copy: most stream data (images, fonts, page content) is only
        # ever written out again, from the source's bytes.
        return Stream(value, self._view[data_start:end])

    def _value(self, start: int) -> tuple[Value, int, Spans]:
        """The value of the indirect object whose value starts at *start*, its end, its refs."""
        cache = self._cache
        if cache is None:
            return self._built(self._parser, start)
        # Objects longer than the cache keeps are not looked for further.
        stop = _VALUE_STOP.search(self.data, start, start + MAX_BYTES + 16)
        key = self.data[start : stop.start() if stop else start]
        found = cache.get(key, start)
        if found is not None:
            return found
        value, position, refs = self._built(self._parser, start)
        if stop is not None:
            cache.put(key, start, value, position, refs)
        return value, position, refs

    @staticmethod
    def _built(parser: Parser, start: int) -> tuple[Value, int, Spans]:
        """The value *parser* reads at *start*, its end and its references' spans from *start*."""
        refs: list[RefSpan] = []
        value, end = parser.value(start, refs)
        return value, end, tuple([(a - start, b - start, ref) for a, b, ref in refs])

    def _compressed_value(self, parser: Parser, start: int, bound: int) -> tuple[Value, int, Spans]:
        """The value of an object in an object stream at *start*, its end and its refs.

        Looked up in the cache by the bytes up to *bound* (where the next object starts).
        Nothing but white space need follow a value there, so a value is kept only when
        it ends with a closing delimiter (``>>``, ``]``, ``)`` or ``>``) at or before
        *bound*: no token of it looked at a byte past its end, and whatever follows the
        same bytes in another stream, the builder reads exactly the same value. A value
        found under the same bytes written directly in a file (followed by ``endobj``)
        is taken on the same condition.
        """
        # Objects longer than the cache keeps are not looked for.
        cache = self._cache if bound - start <= MAX_BYTES else None
        key = parser.data[start:bound] if cache is not None else b""
        if cache is not None:
            found = cache.get(key, start)
            if found is not None and parser.data[found[1] - 1 : found[1]] in _CLOSING:
                return found
        value, end, refs = self._built(parser, start)
        if cache is not None and end <= bound and parser.data[end - 1 : end] in _CLOSING:
            cache.put(key, start, value, end, refs)
        return value, end, refs

    def _length(self, length: Value, number: int) -> int:
        if isinstance(length, Ref):
            if length.num == number:
                raise PdfError(DAMAGED, f"the /Length of object {number} is the object itself")
            length = self.object(length.num, length.gen)
        if type(length) is not int or length < 0:
            raise PdfError(DAMAGED, f"the stream of object {number} has no usable /Length")
        return length

    def _object_stream(self, number: int) -> _ObjectStream:
        """Object stream *number*'s parser, ``(object, offset)`` pairs and bounds (§7.5.7)."""
        cached = self._object_streams.get(number)
        if cached is not None:
            return cached
        entry = self._entries.get(number)
        if entry is None or entry[0] != xref.IN_FILE:
            raise PdfError(DAMAGED, f"object stream {number} is not an object in the file")
        stream = self._load(number, entry)
        if not isinstance(stream, Stream) or stream.dictionary.get(b"Type") != Name(b"ObjStm"):
            raise PdfError(DAMAGED, f"object {number} is not an object stream")
        count, first = stream.dictionary.get(b"N"), stream.dictionary.get(b"First")
        if type(count) is not int or type(first) is not int or count < 0 or first < 0:
            raise PdfError(DAMAGED, f"object stream {number} has no usable /N and /First")
        if count > self.limits.max_objects:
            raise PdfError(
                TOO_LARGE,
                f"object stream {number} holds more than {self.limits.max_objects} objects",
            )
        try:
            decoded = self._decode(stream)
        except PdfError as error:
            raise PdfError(error.code, f"object stream {number}: {error.reason}") from None
        numbers = _INTEGER.findall(decoded, 0, first)
        if len(numbers) < 2 * count or first > len(decoded):
            raise PdfError(DAMAGED, f"object stream {number}'s header is shorter than /N says")
        pairs = [(int(numbers[2 * i]), first + int(numbers[2 * i + 1])) for i in range(count)]
        parser = Parser(decoded, limits=self.limits.syntax(), names=self._parser.names)
        # Where each object's bytes end at the latest: the next offset the header lists
        # (or the end of the stream); what an ObjectCache knows the object by.
        offsets = sorted({offset for _num, offset in pairs})
        bounds = dict(zip(offsets, [*offsets[1:], len(decoded)], strict=True))
        self._object_streams[number] = (parser, pairs, bounds)
        return parser, pairs, bounds

    def _load(self, number: int, entry: xref.Entry) -> Value:
        if number in self._loading:
            raise PdfError(DAMAGED, f"object {number} is needed to read itself")
        self._loading.add(number)
        try:
            kind, a, b = entry
            if kind == xref.IN_FILE:
                return self._indirect_at(a + self._base, (number, b))
            parser, pairs, bounds = self._object_stream(a)
            if b >= len(pairs) or pairs[b][0] != number:
                raise PdfError(
                    DAMAGED, f"object stream {a} does not hold object {number} at index {b}"
                )
            start = pairs[b][1]
            value, end, refs = self._compressed_value(parser, start, bounds[start])
            self._sources[number] = (parser.data, start, end, refs)
            return value
        finally:
            self._loading.discard(number)

    def object(self, num: int, gen: int = 0) -> Value:
        """Object *num* *gen*; null when it is free, absent or of another generation (§7.3.10)."""
        entry = self._entries.get(num)
        if entry is None or entry[0] == xref.FREE:
            return None
        if (entry[2] if entry[0] == xref.IN_FILE else 0) != gen:
            return None
        try:
            return self._objects[num]
        except KeyError:
            value = self._objects[num] = self._load(num, entry)
            return value

    def holds(self, num: int, gen: int = 0) -> bool:
        """Whether object *num* *gen* is in use: not free, not absent, of that generation.

        A reference to an object it does not hold is null (§7.3.10), whatever another
        reference to the same number with the right generation finds.
        """
        entry = self._entries.get(num)
        if entry is None or entry[0] == xref.FREE:
            return False
        return (entry[2] if entry[0] == xref.IN_FILE else 0) == gen

    def resolve(self, value: Value) -> Value:
        """*value*, or the object it refers to when it is a reference."""
        return self.object(value.num, value.gen) if isinstance(value, Ref) else value

    def span(self, num: int) -> tuple[int, int] | None:
        """Where object *num*'s value is in the file, or ``None`` when it is not in the file.

        The span ``(start, end)`` runs from after ``num gen obj`` to before ``endobj`` (for a
        stream, to after ``endstream``); an object in an object stream, a free or an absent
        one has none.
        """
        entry = self._entries.get(num)
        if entry is None or entry[0] != xref.IN_FILE:
            return None
        self.object(num, entry[2])
        source = self._sources.get(num)
        return None if source is None else (source[1], source[2])

    def source(self, num: int, gen: int = 0) -> Source | None:
        """Where object *num* *gen*'s value is and the references in it (see :data:`Source`).

        ``None`` when :meth:`object` gives null for it without reading anything (free,
        absent or of another generation). The object is read first if it was not.
        """
        entry = self._entries.get(num)
        if entry is None or entry[0] == xref.FREE:
            return None
        if (entry[2] if entry[0] == xref.IN_FILE else 0) != gen:
            return None
        if num not in self._objects:
            self._objects[num] = self._load(num, entry)
        return self._sources.get(num)

    def forget(self) -> None:
        """Empty the cache of objects read so far (a walk over a large file bounds its memory).

        Objects are read again, from the same bytes, when asked for next.
        """
        self._objects.clear()
        self._sources.clear()

    def numbers(self) -> Iterator[int]:
        """The numbers of the objects in use in the newest revision."""
        return (n for n, entry in self._entries.items() if entry[0] != xref.FREE)

    # -- document structure -------------------------------------------------------------

    @property
    def catalog(self) -> Dictionary:
        """The document catalog (§7.7.2), the trailer's ``/Root``."""
        root = self.resolve(self.trailer.get(b"Root"))
        if not isinstance(root, Dictionary):
            raise PdfError(DAMAGED, "the trailer's /Root is not a dictionary")
        return root

    def page_tree_root(self) -> Value:
        """The page tree's root: the catalog's ``/Pages``, or the top of its ``/Parent`` chain.

        A ``/Pages`` that points into the tree (at a page or an inner node) instead of at
        its root would read part of the document as the whole of it. qpdf corrects it the
        same way ("document page tree root doesn't point to the root of the page tree;
        attempting to correct"): up the ``/Parent`` links to the node that has none.

        Raises:
            PdfError: ``damaged`` when the ``/Parent`` links loop or one is not a dictionary.
        """
        ref = self.catalog.get(b"Pages")
        seen: set[Ref] = set()
        while True:
            node = self.resolve(ref)
            parent = node.get(_PARENT) if isinstance(node, Dictionary) else None
            if parent is None or self.resolve(parent) is None:
                return ref
            if not isinstance(self.resolve(parent), Dictionary):
                raise PdfError(DAMAGED, "a page tree node's /Parent is not a dictionary")
            if isinstance(ref, Ref):
                if ref in seen or len(seen) >= self.limits.max_depth:
                    raise PdfError(DAMAGED, "the page tree's /Parent links loop")
                seen.add(ref)
            ref = parent

    def pages(self) -> list[Page]:
        """Every page in order, walking the page tree (§7.7.3) with inheritance resolved.

        The walk starts at :meth:`page_tree_root`.

        Raises:
            PdfError: ``damaged`` when the tree loops or a node is not a dictionary,
                ``too_large`` past ``max_pages`` or ``max_depth``.
        """
        root_ref = self.page_tree_root()
        pages: list[Page] = []
        visited: set[Ref] = set()
        # A stack of (reference, node, inherited attributes, depth), last in first out;
        # kids are pushed in reverse so that pages come out in order.
        stack: list[tuple[Value, dict[bytes, Value], int]] = [(root_ref, {}, 0)]
        while stack:
            ref, inherited, depth = stack.pop()
            if isinstance(ref, Ref):
                if ref in visited:
                    raise PdfError(
                        DAMAGED,
                        f"the page tree reaches object {ref.num} twice (a loop or a shared page)",
                    )
                visited.add(ref)
            node = self.resolve(ref)
            if node is None and depth > 0:
                # A kid that refers to no object (§7.3.10: a reference to an undefined
                # object is null) holds no page; qpdf and pypdf pass over it too.
                continue
            if not isinstance(node, Dictionary):
                what = f"object {ref.num}" if isinstance(ref, Ref) else "a direct kid"
                raise PdfError(DAMAGED, f"a page tree node ({what}) is not a dictionary")
            kids = node.get(_KIDS)
            kind = node.get(_TYPE)
            if kind == _PAGES or (kind != _PAGE and kids is not None):
                if depth >= self.limits.max_depth:
                    raise PdfError(
                        TOO_LARGE, f"the page tree is deeper than {self.limits.max_depth} levels"
                    )
                kids = self.resolve(kids)
                if not isinstance(kids, Array):
                    raise PdfError(DAMAGED, "a page tree node's /Kids is not an array")
                passed = dict(inherited)
                for key in _INHERITED:
                    if key in node:
                        passed[key] = node[key]
                stack.extend((kid, passed, depth + 1) for kid in reversed(kids))
                continue
            if kind is not None and kind != _PAGE:
                # A leaf that says it is something else (the catalog, when /Pages points
                # back at it) is not a page: taking it for one would invent a page.
                what = kind.value.decode("latin-1") if isinstance(kind, Name) else "typed"
                raise PdfError(DAMAGED, f"a page tree leaf is a /{what} dictionary, not a page")
            if len(pages) >= self.limits.max_pages:
                raise PdfError(
                    TOO_LARGE, f"the document has more than {self.limits.max_pages} pages"
                )
            pages.append(self._page(ref if isinstance(ref, Ref) else None, node, inherited))
        return pages

    def _page(self, ref: Ref | None, node: Dictionary, inherited: dict[bytes, Value]) -> Page:
        return page_of(ref, node, inherited, self.resolve)


def page_of(
    ref: Ref | None,
    node: Dictionary,
    inherited: dict[bytes, Value],
    resolve: Callable[[Value], Value],
) -> Page:
    """The page *node* with what it inherits resolved, as :meth:`PdfFile.pages` gives it.

    *inherited* holds the attributes its ancestors pass down (§7.7.3.4); *resolve* gives
    the object a reference names. A writer that knows what it wrote for a page (its
    dictionary, the objects it refers to) builds the page a reader of the output finds.
    """

    def attribute(key: bytes) -> Value:
        return resolve(node[key] if key in node else inherited.get(key))

    def box(value: Value) -> Array | None:
        if not isinstance(value, Array):
            return None
        items = Array(resolve(item) for item in value)
        if len(items) != 4 or not all(
            isinstance(item, (int, Real)) and not isinstance(item, bool) for item in items
        ):
            return None
        return items

    media_box = box(attribute(b"MediaBox"))
    crop_box = box(attribute(b"CropBox"))
    rotate = attribute(b"Rotate")
    resources = attribute(b"Resources")
    if isinstance(rotate, Real):
        rotate = int(float(rotate))
    return Page(
        ref=ref,
        dictionary=node,
        media_box=media_box,
        crop_box=crop_box if crop_box is not None else media_box,
        rotate=rotate % 360 if type(rotate) is int else 0,
        resources=resources if isinstance(resources, Dictionary) else Dictionary(),
    )


@contextmanager
def mapped(fileno: int) -> Iterator[mmap.mmap]:
    """A read-only map of the open file *fileno*, for a :class:`PdfFile` to read.

    Stream data read from it are views into it, so let the file object go before leaving.
    When a view is still held on leaving (by an error on its way up), the map is unmapped
    when the last one goes, and the error raised stays the caller's, not the map's.
    """
    view = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
    try:
        yield view
    finally:
        with suppress(BufferError):
            view.close()
