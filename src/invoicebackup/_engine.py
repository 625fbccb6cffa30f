"""The engine's side of the PDF boundary: pypdf, imported only when a document needs it.

Simple documents (see :func:`invoicebackup._pdf._simple_document`) are read and copied
from their tokens without any engine. Everything else — encrypted or updated files,
cross-reference streams, nested page trees, annotations, forms, bookmarks and layers the
simple path is not sure of — is read here by pypdf, cleaned of active content, and
copied from pypdf's objects. :mod:`invoicebackup._pdf` imports this module the first
time such a document comes, so a backup of simple documents never loads pypdf (nor the
cryptography package it brings).

Only :mod:`invoicebackup._pdf` uses this module; nothing here is public. Its copying
functions are :class:`~invoicebackup._pdf.BackupWriter`'s other half, split out only so
that pypdf loads when needed: they use the writer's private methods (references, objects,
layers) as its own methods would.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, Final

import attrs
from pypdf import PasswordType, PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
    create_string_object,
)

from . import _rawpdf
from ._pdf import (
    _LETTER,
    _PAGE_EXCLUDED,
    _PLAIN_DEPTH,
    _SHARED_STRING_BYTES,
    _SHARED_TOKENS,
    CERTIFIED_NOTE,
    MAX_PASSWORDS,
    PURE_XFA_NOTE,
    SIGNATURE_NOTE,
    BackupWriter,
    Limits,
    NeedsBytes,
    OutlineNode,
    ParsedPdf,
    _bad,
    _CallerError,
    _engine_notes,
    _hex_bytes,
    _literal_bytes,
    _name_bytes,
    _Occurrence,
    _quiet,
    _refs,
    _string,
    _Structure,
    _translated,
)

# -- reading ------------------------------------------------------------------------


class _Source(io.BytesIO):
    """The bytes being parsed, as the stream the engine reads.

    The engine asks for the whole buffer to learn its size; a plain ``BytesIO`` would
    copy the document for that (it shares the bytes it was made from only until then).
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self._data = data

    def getbuffer(self) -> memoryview:
        return memoryview(self._data)


class _Reader(PdfReader):
    """The engine's reader, with plain objects parsed by :mod:`invoicebackup._rawpdf`.

    The engine reads objects a byte at a time; a plain object — no string, no stream, no
    escape, at its recorded offset in an unencrypted file — is tokenised by one regular
    expression instead and built from the same engine types. Anything else, and every
    object of an encrypted file, is left to the engine.
    """

    def __init__(self, data: bytes) -> None:
        self._plain = False
        #: Object numbers an update of the file freed: their older entries are not used.
        self._freed: set[int] = set()
        #: Object numbers a revision read so far (a newer one) has an entry for.
        self._decided: set[int] = set()
        #: Free entries of the cross-reference stream being read, by number.
        self._stream_free: set[int] | None = None
        #: The object stream read last: its number, data and ``(number, offset)`` table.
        self._packed: tuple[int, bytes, list[tuple[int, int]]] | None = None
        self.compacted = False
        #: Whether the cross-reference table was read by :func:`_rawpdf.xref_table`.
        self.simple_table = False
        self._data = data
        super().__init__(_Source(data), strict=False)
        self._plain = not self.is_encrypted

    def read(self, stream: IO[Any]) -> None:
        """Read the cross-reference table: a simple one here, any other by the engine."""
        table = _rawpdf.xref_table(self._data)
        trailer = None if table is None else self._built(table.trailer)
        if (
            table is None
            or not isinstance(trailer, DictionaryObject)
            or any(key in trailer for key in ("/Prev", "/XRefStm", "/Encrypt"))
        ):
            super().read(stream)
            return
        # The tables as the engine fills them (its reading of a standard table).
        xref: dict[int, dict[Any, Any]] = {}
        free: dict[int, dict[Any, Any]] = {}
        for number, offset, generation, in_use in table.entries:
            if generation not in xref:
                xref[generation] = {}
                free[generation] = {}
            if in_use:
                xref[generation][number] = offset
            free[generation][number] = not in_use
            if 65535 in free:
                free[65535][number] = not in_use
        self._startxref = table.startxref
        self.xref = xref
        self.xref_free_entry = free
        self.xref_objStm = {}
        self.trailer = trailer
        self.simple_table = True

    # An object that an update frees is gone, even though an older revision has it: the
    # engine would read the older revision's object (qpdf reads null, as the standard
    # says). Each revision's entries are noted as the engine reads them, newest first;
    # the first revision to list a number decides whether the object is in use.

    def _read_xref(self, stream: Any) -> int | None:
        """One classic revision: its table and, in a hybrid file, its stream."""
        if self._stream_free is not None:
            return super()._read_xref(stream)
        before = self._entries()
        self._stream_free = set()
        try:
            return super()._read_xref(stream)
        finally:
            self._revision_read(before)

    def _read_pdf15_xref_stream(self, stream: Any) -> Any:
        """One revision's cross-reference stream (or a hybrid file's, with its table)."""
        if self._stream_free is not None:
            return super()._read_pdf15_xref_stream(stream)
        before = self._entries()
        self._stream_free = set()
        try:
            return super()._read_pdf15_xref_stream(stream)
        finally:
            self._revision_read(before)

    def _read_xref_subsections(
        self, idx_pairs: list[int], get_entry: Callable[[int], Any], used_before: Any
    ) -> None:
        """The engine's reading of a stream's entries, noting the free ones it skips."""
        numbers = (n for start, size in self._pairs(idx_pairs) for n in range(start, start + size))
        free = self._stream_free

        def entry(index: int) -> Any:
            value = get_entry(index)
            if index == 0:  # each entry's type is read first, once
                number = next(numbers, None)
                if value == 0 and free is not None and number is not None:
                    free.add(number)
            return value

        super()._read_xref_subsections(idx_pairs, entry, used_before)

    def _entries(self) -> tuple[set[int], set[tuple[int, int]]]:
        """The numbers with an in-use entry, and the free entries, read so far."""
        used = {n for numbers in self.xref.values() for n in numbers} | set(self.xref_objStm)
        free = {
            (g, n) for g, entries in self.xref_free_entry.items() for n, f in entries.items() if f
        }
        return used, free

    def _revision_read(self, before: tuple[set[int], set[tuple[int, int]]]) -> None:
        """Note what the revision just read decides; make the objects it freed null."""
        used, free = self._entries()
        added = used - before[0]
        listed_free = {n for _, n in free - before[1]} | (self._stream_free or set())
        self._stream_free = None
        freed = listed_free - added - self._decided - {0}
        self._decided |= added | listed_free
        self._freed |= freed
        for number in self._freed:
            # Null to the engine (and to raw_object): free in every generation.
            self.xref_objStm.pop(number, None)
            for generation, entries in self.xref.items():
                if number in entries:
                    self.xref_free_entry.setdefault(generation, {})[number] = True

    def get_object(self, indirect_reference: int | IndirectObject) -> PdfObject | None:
        if isinstance(indirect_reference, int):
            indirect_reference = IndirectObject(indirect_reference, 0, self)
        if self.compacted and (
            (indirect_reference.generation, indirect_reference.idnum) not in self.resolved_objects
        ):
            raise NeedsBytes(f"object {indirect_reference.idnum} was not read before compaction")
        if self._plain:
            generation, idnum = indirect_reference.generation, indirect_reference.idnum
            if (generation, idnum) not in self.resolved_objects:
                packed = generation == 0 and idnum in self.xref_objStm
                if packed:
                    found = self._packed_object(idnum)
                else:
                    found = self._plain_object(idnum, generation)
                if found is not None:
                    self.cache_indirect_object(generation, idnum, found)
                    return found
                if packed:
                    return self._engine_packed(indirect_reference)
        return super().get_object(indirect_reference)

    def _engine_packed(self, reference: IndirectObject) -> PdfObject | None:
        """The engine's reading of an object of an object stream it is the only reader of.

        The engine reads every object of the stream at once and keeps them all: those
        :meth:`_packed_object` reads replace the engine's (once per stream: then all
        its objects are read).
        """
        before = set(self.resolved_objects)
        found = super().get_object(reference)
        for key in set(self.resolved_objects) - before - {(0, reference.idnum)}:
            ours = (
                self._packed_object(key[1]) if key[0] == 0 and key[1] in self.xref_objStm else None
            )
            if ours is not None:
                self.resolved_objects[key] = ours
                ours.indirect_reference = IndirectObject(key[1], key[0], self)
        return found

    def _plain_object(self, idnum: int, generation: int) -> PdfObject | None:
        raw = self.raw_object(idnum, generation, max_depth=_PLAIN_DEPTH, strings=True)
        if raw is None or raw.stream_start is not None:
            return None
        return self._built(raw.body)

    def _packed_object(self, idnum: int) -> PdfObject | None:
        """Object *idnum* of an object stream, if it is plain there; else ``None``.

        Read as :meth:`_plain_object` reads one in the file, for the same reasons: the
        engine would read a NUL after a name, or a name that is not UTF-8, wrongly.
        """
        number, index = self.xref_objStm[idnum]
        if self._packed is None or self._packed[0] != number:
            self._packed = None
            holder = self.get_object(IndirectObject(number, 0, self))
            if not isinstance(holder, StreamObject) or holder.get("/Type") != "/ObjStm":
                return None
            first, count = holder.get("/First"), holder.get("/N")
            if not isinstance(first, NumberObject) or not isinstance(count, NumberObject):
                return None
            data = holder.get_data()
            header = data[:first].split() if 0 <= first <= len(data) else []
            # Exactly the /N pairs the standard says, or the engine reads the stream.
            if len(header) != 2 * count or not all(part.isdigit() for part in header):
                return None
            table = [(int(header[i]), first + int(header[i + 1])) for i in range(0, len(header), 2)]
            self._packed = (number, data, table)
        _, data, table = self._packed
        if not 0 <= index < len(table) or table[index][0] != idnum:
            return None
        start = table[index][1]
        end = table[index + 1][1] if index + 1 < len(table) else len(data)
        if not start <= end <= len(data):
            return None
        body = data[start:end].strip(b"\x00\t\n\x0c\r ")
        if body.count(b"[") + body.count(b"<<") > _PLAIN_DEPTH:
            return None  # as deep as a nesting bomb: the engine's checks apply
        return self._built(body)

    def raw_object(
        self, idnum: int, generation: int, *, max_depth: int, strings: bool = False
    ) -> _rawpdf.RawObject | None:
        """Object *idnum* where the table puts it in the file, if it is plain there.

        ``None`` for an object in an object stream, free or missing, or not plain (see
        :func:`invoicebackup._rawpdf.locate`).
        """
        if idnum in self.xref_objStm:
            return None
        offset = self.xref.get(generation, {}).get(idnum)
        if not isinstance(offset, int) or self.xref_free_entry.get(generation, {}).get(idnum):
            return None
        return _rawpdf.locate(
            self._data, offset, idnum, generation, max_depth=max_depth, strings=strings
        )

    def _built(self, body: bytes) -> PdfObject | None:
        """The plain object *body* as engine objects, or ``None`` when it is not plain."""
        found = _rawpdf.tokens(body, escapes=True)
        return None if found is None else _build(found, self)


_KEYWORDS: Final = {b"true": BooleanObject(True), b"false": BooleanObject(False)}

#: Names and integers already built, shared by every object built after them (they are
#: immutable); bounded so that a hostile file cannot grow them without end.
_NAMES: Final[dict[bytes, NameObject]] = {}
_INTEGERS: Final[dict[bytes, NumberObject]] = {}

#: Literal strings likewise (a form's /DA, its fields' names): the engine's strings are
#: immutable values too. Only short tokens are kept, in every one of these caches.
_STRINGS: Final[dict[bytes, TextStringObject | ByteStringObject]] = {}


#: Literal strings longer than this are built as bytes, not decoded as text.
_LONG_STRING: Final = 64 * 1024


def _build(found: list[re.Match[bytes]], reader: PdfReader) -> PdfObject | None:
    """One engine object from *found* tokens, or ``None`` when they are not exactly one."""
    body = found[0].string if found else b""
    stack: list[list[Any]] = []
    current: list[Any] = []
    names, integers, strings = _NAMES, _INTEGERS, _STRINGS
    for token in found:
        kind = token.lastindex
        if kind == _rawpdf.NAME:
            text = token[kind]
            name = names.get(text)
            if name is None:
                # The name's bytes, whatever they are: bytes that are not UTF-8 become
                # surrogates, which _name_bytes writes back as those bytes (the engine
                # would guess an encoding and write other bytes).
                name = NameObject("/" + _rawpdf.name_bytes(text).decode("utf-8", "surrogateescape"))
                if len(names) < _SHARED_TOKENS and len(text) <= _SHARED_STRING_BYTES:
                    names[text] = name
            current.append(name)
        elif kind == _rawpdf.INTEGER:
            text = token[kind]
            number = integers.get(text)
            if number is None:
                number = NumberObject(int(text))
                if len(integers) < _SHARED_TOKENS and len(text) <= _SHARED_STRING_BYTES:
                    integers[text] = number
            current.append(number)
        elif kind == _rawpdf.REF:
            current.append(IndirectObject(int(token[6]), int(token[7]), reader))
        elif kind == _rawpdf.OPEN_DICT or kind == _rawpdf.OPEN_ARRAY:
            stack.append(current)
            current = [kind]
        elif kind == _rawpdf.CLOSE_ARRAY:
            if not stack or current[0] != _rawpdf.OPEN_ARRAY:
                return None
            items = current
            current = stack.pop()
            current.append(ArrayObject(items[1:]))
        elif kind == _rawpdf.CLOSE_DICT:
            if not stack or current[0] != _rawpdf.OPEN_DICT or not len(current) % 2:
                return None
            items = current
            current = stack.pop()
            value = DictionaryObject()
            for index in range(1, len(items), 2):
                key = items[index]
                if not isinstance(key, NameObject):
                    return None
                if key not in value:  # the first of repeated keys, as the engine
                    dict.__setitem__(value, key, items[index + 1])
            current.append(value)
        elif kind == _rawpdf.REAL:
            current.append(FloatObject(token[kind].decode()))
        elif kind == _rawpdf.KEYWORD:
            current.append(_KEYWORDS.get(token[kind], NullObject()))
        elif kind == _rawpdf.STRING and token.end(kind) - token.start(kind) > _LONG_STRING:
            # Data, not text: kept as its bytes, copied once (the engine's decoding of a
            # text string needs ten times its length at its peak). What is written is the
            # same either way: a string's original bytes.
            current.append(ByteStringObject(memoryview(body)[token.start(kind) : token.end(kind)]))
        elif kind == _rawpdf.STRING:
            text = token[kind]
            string = strings.get(text)
            if string is None:
                string = create_string_object(text)
                if len(strings) < _SHARED_TOKENS and len(text) <= _SHARED_STRING_BYTES:
                    strings[text] = string
            current.append(string)
        else:  # a hexadecimal string
            current.append(create_string_object(_hex_bytes(token[_rawpdf.HEX_STRING])))
    if stack or len(current) != 1:
        return None
    result: PdfObject = current[0]
    # An indirect object of its own gets its own reference: not a shared instance.
    if isinstance(result, (NameObject, NumberObject)):
        result = type(result)(result)
    elif isinstance(result, TextStringObject):
        result = create_string_object(result.original_bytes)
    elif isinstance(result, ByteStringObject):
        result = ByteStringObject(result)
    elif isinstance(result, BooleanObject):
        result = BooleanObject(result.value)
    return result


def parse(
    data: bytes,
    *,
    key: str,
    filename: str,
    limits: Limits,
    passwords: Callable[[], Iterable[str]] | None,
    messages: list[str],
) -> ParsedPdf:
    """Parse a document the simple path did not take (see :func:`invoicebackup._pdf.open_pdf`).

    *messages* holds what the engine logged so far; its notes become the document's.
    """
    encrypted = False
    notes: list[str] = []
    try:
        with _translated(key, filename, messages=messages):
            reader = _Reader(data)
            listed = sum(map(len, reader.xref.values())) + len(reader.xref_objStm)
            if listed > limits.max_objects:
                # Counted from the tables, before any object is built.
                raise _rawpdf.TooManyEntries(listed, limits.max_objects)
            if reader.is_encrypted:
                encrypted = True
                if _decrypt(reader, key, filename, passwords):
                    notes.append("it was opened with a password from the password provider")
            count = len(reader.pages)
            if count == 0:
                _bad(key, filename, "damaged", "it has no pages", None)
            if count > limits.max_pages:
                _bad(key, filename, "too_large", f"it has {count} pages, over the limit", None)
            pages = [_checked_page(reader, index) for index in range(count)]
            _walk(reader, pages, key=key, filename=filename, limits=limits)
            links = _Links(reader, pages)
            structure = _prepare(reader, pages, links)
            notes.extend(_structure_notes(reader))
    except _CallerError as error:
        raise error.original from None
    parsed = ParsedPdf(
        reader=reader,
        structure=structure,
        key=key,
        filename=filename,
        page_count=count,
        encrypted=encrypted,
    )
    outline, dropped = _source_outline(reader, links)
    parsed.outline = outline
    if dropped:
        notes.append(f"{dropped} of its bookmarks point nowhere or could not be read: left out")
    parsed.notes = (*_engine_notes(messages), *notes)
    return parsed


def release(reader: _Reader) -> None:
    """Let go of *reader*'s objects and bytes (see :meth:`ParsedPdf.release`)."""
    reader.resolved_objects.clear()
    reader._packed = None
    reader.flattened_pages = None
    reader.stream = io.BytesIO()
    reader._data = b""
    # The trailer and the catalog the engine caches point back at the reader through
    # their references: cycles the garbage collector would have to find.
    reader.trailer = DictionaryObject()
    reader._validated_root = None
    reader._named_destinations_cache = None


def _decrypt(
    reader: PdfReader,
    key: str,
    filename: str,
    passwords: Callable[[], Iterable[str]] | None,
) -> bool:
    """Decrypt *reader*; True when a password from *passwords* was needed."""
    encrypt = reader.trailer.get("/Encrypt")
    handler = encrypt.get_object().get("/Filter") if encrypt is not None else None
    if handler is not None and handler != "/Standard":
        _bad(
            key,
            filename,
            "unsupported_encryption",
            f"it is encrypted with the {str(handler).lstrip('/')} handler (certificates), "
            "which is not supported",
            None,
        )
    if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
        return False
    if passwords is not None:
        try:
            candidates = iter(passwords())
            for _ in range(MAX_PASSWORDS):
                candidate = next(candidates, None)
                if candidate is None:
                    break
                if not isinstance(candidate, str):
                    raise TypeError(f"a password must be a str, got {type(candidate).__name__}")
                if reader.decrypt(candidate) != PasswordType.NOT_DECRYPTED:
                    return True
        except Exception as error:
            raise _CallerError(error) from error
        _bad(
            key,
            filename,
            "encrypted",
            "it is protected by a password needed to open it; none of the passwords "
            "provided opened it",
            None,
        )
    _bad(key, filename, "encrypted", "it is protected by a password needed to open it", None)


def _checked_page(reader: PdfReader, index: int) -> DictionaryObject:
    page = reader.pages[index]
    if page.get("/Type") != "/Page":
        page[NameObject("/Type")] = NameObject("/Page")
    box = page.get("/MediaBox")
    if box is None or not isinstance(box.get_object(), ArrayObject):
        # Viewers default a missing media box to US Letter; say so explicitly.
        page[NameObject("/MediaBox")] = RectangleObject((0, 0, *_LETTER))
    else:
        _ = page.mediabox.width  # raises on a malformed box
    _ = page.rotation
    resources = page.get("/Resources")
    if resources is None or not isinstance(resources.get_object(), DictionaryObject):
        # A page must have resources (it may inherit none): an empty dictionary is what
        # viewers assume.
        page[NameObject("/Resources")] = DictionaryObject()
    return page


def _walk(
    reader: PdfReader,
    pages: Sequence[DictionaryObject],
    *,
    key: str,
    filename: str,
    limits: Limits,
) -> None:
    """Check the nesting of the page dictionaries and the form, iteratively.

    Only what is already parsed is looked at: the objects the pages reach are checked
    as they are copied (:class:`BackupWriter`), with the same bounds.
    """
    stack: list[tuple[Any, int]] = []
    for page in pages:
        stack.extend((value, 1) for name, value in page.items() if name != "/Parent")
    root = reader.trailer.get("/Root")
    form = root.get_object().get("/AcroForm") if root is not None else None
    if form is not None:
        stack.append((form.get_object(), 1))
    if _too_deep(stack, limits.max_depth):
        _bad(key, filename, "damaged", "its objects are nested too deeply", None)


def _too_deep(stack: list[tuple[Any, int]], max_depth: int) -> bool:
    """Whether a value of *stack* (values and their depths) nests deeper than *max_depth*."""
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            return True
        if isinstance(value, DictionaryObject):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, ArrayObject):
            stack.extend((item, depth + 1) for item in value)
    return False


# -- cleaning: what the copy needs, without active content --------------------------

#: Annotation kinds that carry active or embedded content and are never copied.
_DROPPED_ANNOTATIONS: Final = frozenset(
    {"/Screen", "/Movie", "/Sound", "/RichMedia", "/3D", "/FileAttachment"}
)

#: Actions that may stay: moving inside the document, opening a web address,
#: named viewer commands (next page…).
_SAFE_ACTIONS: Final = frozenset({"/GoTo", "/URI", "/Named"})


def _document_level_removals(reader: PdfReader) -> list[str]:
    root = _dict(reader.trailer["/Root"])
    removed = []
    if "/OpenAction" in root:
        removed.append("document open action (/OpenAction)")
    if "/AA" in root:
        removed.append("document additional actions (/AA)")
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        removed.append("document JavaScript")
    if isinstance(names, DictionaryObject) and "/EmbeddedFiles" in names:
        removed.append("embedded files")
    if "/PageLabels" in root:
        removed.append("page labels")
    return removed


def _structure_notes(reader: PdfReader) -> list[str]:
    """What the merge cannot keep of this document's structure, as notes."""
    notes: list[str] = []
    root = _dict(reader.trailer.get("/Root"))
    form = _dict(root.get("/AcroForm"))
    fields = _field_dicts(form)
    if form.get("/XFA") is not None and not fields:
        notes.append(PURE_XFA_NOTE)
    if any(f.get("/FT") == "/Sig" and f.get("/V") is not None for f in fields):
        notes.append(SIGNATURE_NOTE)
    perms = _dict(root.get("/Perms"))
    if "/DocMDP" in perms:
        notes.append(CERTIFIED_NOTE)
    elif "/UR3" in perms or "/UR" in perms:
        notes.append("its usage rights signature (/Perms /UR3) does not survive the merge")
    return notes


def _field_dicts(form: DictionaryObject, limit: int = 10_000) -> list[DictionaryObject]:
    """Every field dictionary of *form* (bounded, cycles ignored)."""
    raw = form.get("/Fields")
    top = raw.get_object() if raw is not None else None
    stack = [f.get_object() for f in top] if isinstance(top, ArrayObject) else []
    found: list[DictionaryObject] = []
    seen: set[int] = set()
    while stack and len(found) < limit:
        node = stack.pop()
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        kids = node.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        if isinstance(kids, ArrayObject):
            stack.extend(k.get_object() for k in kids)
    return found


#: Bounds on a source's bookmark tree (a loop or a bomb must not hang the compile).
_MAX_OUTLINE_ITEMS: Final = 10_000

_MAX_OUTLINE_DEPTH: Final = 32


def _source_outline(reader: PdfReader, links: _Links) -> tuple[tuple[OutlineNode, ...], int]:
    """The document's own bookmarks, with 0-based page indexes into the document.

    Entries whose target is not one of its pages are left out (their children
    move up); returns the tree and how many entries were left out.
    """
    walk = _OutlineWalk(links)
    try:
        with _quiet():
            root = _dict(reader.trailer.get("/Root"))
            outlines = _dict(root.get("/Outlines"))
            return tuple(walk.level(outlines.get("/First"), 1)), walk.dropped
    except Exception:
        return (), max(walk.dropped, 1)


class _OutlineWalk:
    """One walk of a bookmark tree.

    An object, not nested functions: a function that calls itself through its closure
    is a reference cycle, which would keep the reader alive until a garbage collection.
    """

    def __init__(self, links: _Links) -> None:
        self.links = links
        self.dropped = 0
        self.seen: set[int] = set()

    def target(self, item: DictionaryObject) -> int | None:
        dest: Any = item.get("/Dest")
        if dest is None:
            action = _dict(item.get("/A"))
            if action.get("/S") != "/GoTo":
                return None
            dest = action.get("/D")
        return self.links.page_index(dest)

    def level(self, first: Any, depth: int) -> list[OutlineNode]:
        nodes: list[OutlineNode] = []
        ref = first
        while ref is not None and len(self.seen) < _MAX_OUTLINE_ITEMS:
            item = ref.get_object()
            if not isinstance(item, DictionaryObject) or id(item) in self.seen:
                break
            self.seen.add(id(item))
            deeper = depth < _MAX_OUTLINE_DEPTH
            children = self.level(item.get("/First"), depth + 1) if deeper else []
            page = self.target(item)
            if page is None:
                self.dropped += 1
                nodes.extend(children)
            else:
                title = " ".join(str(item.get("/Title", "")).split())[:300] or "(untitled)"
                nodes.append(OutlineNode(title=title, page_index=page, children=tuple(children)))
            ref = item.get("/Next")
        return nodes


def _unsafe_action(action: object) -> str | None:
    """What to call *action* in a report if it must not be copied; ``None`` if it is safe.

    Safe: going to a page, a named navigation action, and a link to a web address. A
    ``/URI`` that opens a local file (``file:``) is as unsafe as a Launch action.
    """
    kind = action.get("/S") if isinstance(action, DictionaryObject) else None
    if kind not in _SAFE_ACTIONS:
        return str(kind or "/unknown").lstrip("/")
    if kind == "/URI":
        uri = action.get("/URI") if isinstance(action, DictionaryObject) else None
        target = bytes(uri).decode("latin-1") if isinstance(uri, bytes) else str(uri or "")
        if target.strip().lower().startswith("file:"):
            return "URI (to a local file)"
    return None


def _strip_actions(obj: DictionaryObject, removed: list[str]) -> None:
    """Delete additional actions, unsafe actions and action chains from one dictionary."""
    if "/AA" in obj:
        del obj["/AA"]
        removed.append("additional actions (/AA)")
    action = obj.get("/A")
    if action is None:
        return
    action_dict = action.get_object()
    kind = _unsafe_action(action_dict)
    if kind is not None:
        del obj["/A"]
        removed.append(f"{kind} action")
    elif "/Next" in action_dict:
        del action_dict["/Next"]
        removed.append("chained actions (/Next)")


#: Bounds on one document's form: fields visited, and the depth of a widget's parent chain.
_MAX_FIELDS: Final = 10_000

_MAX_FIELD_DEPTH: Final = 32


def _prepare(reader: PdfReader, pages: Sequence[DictionaryObject], links: _Links) -> _Structure:
    """Remove active content from the parsed source and record what the copy needs.

    Cleaning the source (which only we hold) rather than each copy means no
    unreferenced JavaScript object is ever written to the output, and every occurrence
    of the document copies the same, clean objects. The catalog (``/OpenAction``,
    ``/AA``, ``/Names /JavaScript``) and page ``/AA`` are never copied at all. Links
    become explicit destinations to the document's own pages (named destinations are
    looked up once); links to anything else are removed.
    """
    found = _Structure(page_ids=dict(links.page_ids))
    found.removed.extend(_document_level_removals(reader))
    widgets: list[IndirectObject] = []
    for page in pages:
        if "/AA" in page:
            found.removed.append("page additional actions (/AA)")  # pages' /AA is not copied
        raw = page.get("/Annots")
        annots = raw.get_object() if raw is not None else None
        kept: list[PdfObject] = []
        for entry in annots if isinstance(annots, ArrayObject) else ():
            annot = entry.get_object()
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = annot.get("/Subtype")
            if subtype in _DROPPED_ANNOTATIONS:
                found.removed.append(f"{str(subtype).lstrip('/')} annotation")
                if isinstance(entry, IndirectObject):
                    found.dropped_ids.add(entry.idnum)
                continue
            kept.append(entry)
            if isinstance(entry, IndirectObject):
                found.occurrence_ids.add(entry.idnum)
                if subtype == "/Widget":
                    widgets.append(entry)
            _clean(annot, links, found.removed)
        found.annots.append(kept)
    root = _dict(reader.trailer.get("/Root"))
    form = _dict(root.get("/AcroForm"))
    if form.get("/XFA") is not None:
        found.removed.append("XFA form data")
    fields = form.get("/Fields")
    fields = fields.get_object() if fields is not None else None
    in_form: set[int] = set()
    for entry in fields if isinstance(fields, ArrayObject) else ():
        if (
            isinstance(entry, IndirectObject)
            and entry.idnum not in in_form
            and isinstance(entry.get_object(), DictionaryObject)
        ):
            found.field_roots.append((entry.idnum, entry.generation))
            _field_tree(entry, in_form, links, found.removed)
    for widget in widgets:
        if widget.idnum in in_form:
            continue
        top = widget
        for _ in range(_MAX_FIELD_DEPTH):
            parent = _dict(top.get_object()).get("/Parent")
            if not isinstance(parent, IndirectObject) or not isinstance(
                parent.get_object(), DictionaryObject
            ):
                break
            top = parent
        if top.idnum not in in_form:
            found.field_roots.append((top.idnum, top.generation))
            found.adopted += 1
            _field_tree(top, in_form, links, found.removed)
    found.occurrence_ids |= in_form
    found.occurrence_ids -= found.page_ids.keys()
    return found


def _field_tree(top: IndirectObject, seen: set[int], links: _Links, removed: list[str]) -> None:
    """Clean every node of the field tree under *top*, recording their numbers in *seen*."""
    stack: list[PdfObject] = [top]
    while stack and len(seen) < _MAX_FIELDS:
        entry = stack.pop()
        if isinstance(entry, IndirectObject):
            if entry.idnum in seen:
                continue
            seen.add(entry.idnum)
        node = entry.get_object()
        if not isinstance(node, DictionaryObject):
            continue
        _clean(node, links, removed)
        kids = node.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        if isinstance(kids, ArrayObject):
            stack.extend(reversed(kids))


class _Links:
    """A document's link destinations, resolved to its pages.

    A destination may be named (looked up once in the document's name tree), a
    dictionary holding it, or explicit: an array whose first item is the page.
    """

    def __init__(self, reader: PdfReader, pages: Sequence[DictionaryObject]) -> None:
        self._reader = reader
        self._page_count = len(pages)
        #: The object number of each page held indirectly, to its index.
        self.page_ids = {
            page.indirect_reference.idnum: index
            for index, page in enumerate(pages)
            if page.indirect_reference is not None
        }
        self._named: dict[str, ArrayObject] | None = None

    def _lookup(self, name: str) -> ArrayObject | None:
        if self._named is None:
            self._named = _named_destinations(self._reader)
        return self._named.get(name)

    def _resolved(self, dest: Any) -> ArrayObject | None:
        """*dest* followed to a non-empty explicit destination, or ``None``."""
        for _ in range(4):  # named -> dictionary -> array
            if dest is None:
                return None
            dest = dest.get_object()
            if isinstance(dest, (TextStringObject, ByteStringObject, NameObject, str)):
                name = str(dest)
                dest = self._lookup(name.lstrip("/")) or self._lookup(name)
            elif isinstance(dest, DictionaryObject):
                dest = dest.get("/D")
            elif isinstance(dest, ArrayObject):
                return dest if dest else None
            else:
                return None
        return None

    def explicit(self, dest: Any) -> ArrayObject | None:
        """*dest* as a direct explicit destination to one of the pages, or ``None``."""
        resolved = self._resolved(dest)
        if resolved is None:
            return None
        page = resolved[0]
        if isinstance(page, IndirectObject) and page.idnum in self.page_ids:
            return ArrayObject(resolved)
        return None

    def page_index(self, dest: Any) -> int | None:
        """The 0-based index of the page *dest* opens, or ``None``."""
        resolved = self._resolved(dest)
        page = resolved[0] if resolved is not None else None
        if isinstance(page, IndirectObject):
            return self.page_ids.get(page.idnum)
        if isinstance(page, NumberObject) and 0 <= int(page) < self._page_count:
            return int(page)  # a remote-style page number, seen in the wild
        return None


def _named_destinations(reader: PdfReader) -> dict[str, ArrayObject]:
    named: dict[str, ArrayObject] = {}
    try:
        for dest_name, dest in reader.named_destinations.items():
            named[str(dest_name)] = dest.dest_array
    except Exception:
        pass
    return named


def _clean(node: DictionaryObject, links: _Links, removed: list[str]) -> None:
    """Strip *node*'s active content; make its links explicit or remove them."""
    _strip_actions(node, removed)
    if "/Dest" in node:
        dest = links.explicit(node["/Dest"])
        if dest is None:
            del node["/Dest"]
        else:
            node[NameObject("/Dest")] = dest
    action = node.get("/A")
    action_dict = action.get_object() if action is not None else None
    if isinstance(action_dict, DictionaryObject) and action_dict.get("/S") == "/GoTo":
        dest = links.explicit(action_dict.get("/D"))
        if dest is None:
            del node["/A"]
        else:
            # A direct copy: the action may be shared by annotations of other pages.
            direct = DictionaryObject(action_dict)
            direct[NameObject("/D")] = dest
            node[NameObject("/A")] = direct


def _dict(value: Any) -> DictionaryObject:
    """*value* resolved, as a dictionary (an empty one when it is anything else)."""
    resolved = value.get_object() if value is not None else None
    return resolved if isinstance(resolved, DictionaryObject) else DictionaryObject()


# -- copying the engine's objects ---------------------------------------------------


class EngineForm:
    """What the copy needs of a document's form, from the engine's objects."""

    def __init__(self, parsed: ParsedPdf) -> None:
        reader = parsed._reader
        assert reader is not None
        self._form = _dict(_dict(reader.trailer["/Root"]).get("/AcroForm"))

    @property
    def need_appearances(self) -> bool:
        """The form's ``/NeedAppearances``."""
        flag = self._form.get("/NeedAppearances")
        flag = flag.get_object() if flag is not None else None
        # Not ``bool(flag)``: the engine's booleans are all true as Python values.
        return isinstance(flag, BooleanObject) and flag.value

    def write_da(self, writer: BackupWriter, body: bytearray, occurrence: _Occurrence) -> None:
        """Append the form's ``/DA`` entry to *body* (the parent field of its fields)."""
        if "/DA" in self._form:
            body += b"/DA"
            serialise(writer, self._form["/DA"], body, occurrence, per_occurrence=False, depth=1)

    def default_fonts(self, writer: BackupWriter, occurrence: _Occurrence) -> dict[str, bytes]:
        """The form's default fonts the output's form does not have yet, by name."""
        fonts: dict[str, bytes] = {}
        for name, font in _dict(_dict(self._form.get("/DR")).get("/Font")).items():
            if name not in writer._dr_fonts:
                value = bytearray()
                serialise(writer, font, value, occurrence, per_occurrence=False, depth=1)
                fonts[name] = bytes(value)
        return fonts


def write_object(
    writer: BackupWriter,
    occurrence: _Occurrence,
    idnum: int,
    generation: int,
    number: int,
    per_occurrence: bool,
    roots: set[int],
    wrapper: int,
) -> None:
    """Write source object *idnum* as output object *number*, from the engine's object.

    A top-level field (in *roots*) gets the document's parent field, *wrapper*.
    """
    parsed = occurrence.parsed
    reader = parsed._engine_reader()
    obj = reader.get_object(IndirectObject(idnum, generation, reader))
    body = bytearray()
    if isinstance(obj, StreamObject):
        data = obj._data
        skip: Sequence[str] = _STREAM_KEYS
        if isinstance(obj, ContentStream) or not isinstance(data, bytes):
            data = obj.get_data()  # operations the engine parsed: written decoded
            skip = (*_STREAM_KEYS, "/Filter", "/DecodeParms")
        serialise_dict(writer, obj, body, occurrence, per_occurrence, skip=skip)
        writer._put_stream(number, bytes(body[:-2]), data)
        return
    if idnum in roots and isinstance(obj, DictionaryObject):
        serialise_dict(writer, obj, body, occurrence, True, skip=("/Parent",))
        body[-2:] = b"/Parent %d 0 R>>" % wrapper
    elif obj is None:
        body += b"null"
    else:
        serialise(writer, obj, body, occurrence, per_occurrence=per_occurrence, depth=0)
    writer._put(number, body)


#: Stream dictionary entries written anew (the length of the data as copied).
_STREAM_KEYS: Final = ("/Length",)


def length_of(reader: _Reader, idnum: int, generation: int) -> int | None:
    """The integer object *idnum* a stream's ``/Length`` refers to, else ``None``."""
    holder = reader.get_object(IndirectObject(idnum, generation, reader))
    return int(holder) if isinstance(holder, NumberObject) else None


def copy_pages(writer: BackupWriter, occurrence: _Occurrence) -> None:
    """Write the occurrence's pages (engine objects) and their annotations."""
    parsed = occurrence.parsed
    reader = parsed._reader
    assert reader is not None
    structure = parsed._structure
    sources = [reader.pages[i] for i in range(parsed.page_count)]
    numbers = writer._allocate_pages(
        occurrence,
        [None if s.indirect_reference is None else s.indirect_reference.idnum for s in sources],
    )
    for source, number, annots in zip(sources, numbers, structure.annots, strict=True):
        body = bytearray(b"<</Parent %d 0 R" % writer._pages_root)
        for name, value in source.items():
            if name not in _PAGE_EXCLUDED:
                body += _name_bytes(name)
                serialise(writer, value, body, occurrence, per_occurrence=True, depth=1)
        if annots:
            body += b"/Annots["
            for entry in annots:
                serialise(writer, entry, body, occurrence, per_occurrence=True, depth=2)
            body += b"]"
        body += b">>"
        writer._put(number, body)


def serialise(
    writer: BackupWriter,
    value: Any,
    out: bytearray,
    occurrence: _Occurrence,
    *,
    per_occurrence: bool,
    depth: int,
) -> None:
    """Append *value* to *out*, references mapped; every item preceded by a delimiter."""
    if depth > writer._limits.max_depth:
        parsed = occurrence.parsed
        _bad(parsed.key, parsed.filename, "damaged", "its objects are nested too deeply", None)
    if isinstance(value, IndirectObject):
        out += b" "
        out += writer._ref(occurrence, value.idnum, value.generation, per_occurrence=per_occurrence)
    elif isinstance(value, DictionaryObject):
        serialise_dict(writer, value, out, occurrence, per_occurrence, depth=depth)
    elif isinstance(value, ArrayObject):
        out += b"["
        for item in value:
            serialise(writer, item, out, occurrence, per_occurrence=per_occurrence, depth=depth + 1)
        out += b"]"
    elif isinstance(value, NameObject):
        out += _name_bytes(value)
    elif isinstance(value, BooleanObject):
        # Not ``if value``: the engine's booleans are all true as Python values.
        out += b" true" if value.value else b" false"
    elif isinstance(value, NumberObject):
        out += b" %d" % value
    elif isinstance(value, FloatObject):
        out += b" " + value.myrepr().encode()
    elif isinstance(value, (TextStringObject, ByteStringObject)):
        out += _literal_bytes(value.original_bytes)
    else:  # null, and anything the engine could not type
        out += b" null"


def serialise_dict(
    writer: BackupWriter,
    value: DictionaryObject,
    out: bytearray,
    occurrence: _Occurrence,
    per_occurrence: bool,
    *,
    depth: int = 0,
    skip: Sequence[str] = (),
) -> None:
    out += b"<<"
    for name, item in value.items():
        if name in skip:
            continue
        out += _name_bytes(name)
        serialise(writer, item, out, occurrence, per_occurrence=per_occurrence, depth=depth + 1)
    out += b">>"


# -- layers -------------------------------------------------------------------------


def optional_content(
    writer: BackupWriter, occurrence: _Occurrence, key: object
) -> tuple[Callable[[], None], list[str]]:
    """The document's optional content groups (layers) and their default state.

    Every document's groups are listed in the output's ``/OCProperties``; its
    default configuration is merged into ours: groups it hides stay hidden, its
    layer order becomes a group labelled with its file name, its radio-button
    groups are kept (once per distinct document). Alternative configurations and
    automatic states are not. Returns what to record once the copy is committed,
    and notes.
    """
    reader = occurrence.parsed._reader
    assert reader is not None  # a simple document has no layers: it is not asked
    root = _dict(reader.trailer["/Root"])
    properties = _dict(root.get("/OCProperties"))
    if not properties or key in writer._oc_done:
        return (lambda: None), []
    ocgs = properties.get("/OCGs")
    ocgs = ocgs.get_object() if ocgs is not None else None
    if not isinstance(ocgs, ArrayObject):
        return (lambda: None), ["its optional content (layers) declaration is malformed: not kept"]
    mine: dict[int, int] = {}
    for entry in ocgs:
        if isinstance(entry, IndirectObject) and isinstance(entry.get_object(), DictionaryObject):
            ref = writer._ref(occurrence, entry.idnum, entry.generation, per_occurrence=False)
            if ref != b"null":
                mine[entry.idnum] = int(ref.split()[0])

    def mapped(value: Any) -> list[int]:
        value = value.get_object() if value is not None else None
        if not isinstance(value, ArrayObject):
            return []
        return [mine[i.idnum] for i in value if isinstance(i, IndirectObject) and i.idnum in mine]

    default = _dict(properties.get("/D"))
    off = mapped(default.get("/OFF"))
    if default.get("/BaseState") == "/OFF":
        on = set(mapped(default.get("/ON")))
        off.extend(n for n in mine.values() if n not in on)
    order = default.get("/Order")
    order_bytes = b""
    if order is not None and isinstance(order.get_object(), ArrayObject):
        body = bytearray(b"[")
        body += _string(occurrence.parsed.filename)
        serialise(writer, order.get_object(), body, occurrence, per_occurrence=False, depth=1)
        order_bytes = bytes(body[:1] + body[1:]) + b"]"
    groups = default.get("/RBGroups")
    groups = groups.get_object() if groups is not None else None
    rb_groups = [
        kept
        for kept in (mapped(g) for g in (groups if isinstance(groups, ArrayObject) else ()))
        if kept
    ]
    notes = []
    if "/Configs" in properties or "/AS" in default:
        notes.append(
            "its alternative layer configurations and automatic layer states were not kept"
        )

    def record() -> None:
        writer._oc_done.add(key)
        writer._ocgs.update(dict.fromkeys(mine.values()))
        writer._oc_off.update(dict.fromkeys(off))
        if order_bytes:
            writer._oc_order.append(order_bytes)
        writer._oc_rb_groups.extend(_refs(group) for group in rb_groups)

    return record, notes


# -- reading back (tests) -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class Summary:
    """What a written PDF contains, read back through the engine (for checks)."""

    page_count: int
    outline: tuple[OutlineNode, ...]
    attachments: tuple[str, ...]


def summarise(data: bytes) -> Summary:
    """Read *data* back: page count, bookmark tree with page indexes, attachment names."""
    reader = PdfReader(io.BytesIO(data))

    def convert(items: Sequence[Any]) -> tuple[OutlineNode, ...]:
        out: list[OutlineNode] = []
        index = 0
        while index < len(items):
            item = items[index]
            children: tuple[OutlineNode, ...] = ()
            if index + 1 < len(items) and isinstance(items[index + 1], list):
                children = convert(items[index + 1])
                index += 1
            page = reader.get_destination_page_number(item)
            if page is None:
                raise ValueError(f"bookmark {item.title!r} points to no page")
            out.append(OutlineNode(title=str(item.title), page_index=page, children=children))
            index += 1
        return tuple(out)

    return Summary(
        page_count=len(reader.pages),
        outline=convert(reader.outline),
        attachments=tuple(sorted(reader.attachments)),
    )
