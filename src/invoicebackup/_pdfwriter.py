"""Assembling a backup: pages of prepared documents and our own pages into one PDF, streaming.

:class:`BackupWriter` copies each document (a :class:`~invoicebackup._pdfopen.ParsedPdf`)
from the values :mod:`invoicebackup.pdf` read and cleaned, through the one writer of
objects, :class:`~invoicebackup.pdf.writer.ObjectWriter`. Each document's objects are
written as soon as its copy succeeds (staged while it is copied, so a document that fails
midway leaves nothing behind). Pages keep their size and rotation (their inherited
attributes made explicit), links inside a document keep working, each document's form
fields are moved under a parent field of its own so fields of different documents never
merge, its layers are listed in the output's, and the output's catalog and form are always
our own (no ``/XFA``, ``/SigFlags``, ``/OpenAction``… of a source is ever carried). A
document added again shares every object but its pages, annotations and form fields.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import IO, Final, cast

import attrs

from ._imagepages import pages as image_pages
from ._imagepages import write_image_page
from ._images import ParsedImage
from ._outline import write_outline
from ._pdflayers import OutputLayers
from ._pdflayers import refs as _refs
from ._pdfopen import Limits, NeedsBytes, ParsedPdf
from ._snapshot import (
    Recording,
    Renderings,
    Shapes,
    Spool,
    Unseen,
    page_digests,
    written_page,
)
from ._textpage import text_bytes, text_ops
from .errors import BadDocumentError
from .pdf.digest import Shape
from .pdf.document import OutlineNode, Prepared, number, text_string
from .pdf.errors import PdfError
from .pdf.reader import Source
from .pdf.serialise import numbered, serialise
from .pdf.values import Array, Dictionary, Name, Ref, String, Value
from .pdf.writer import ObjectWriter

_LETTER: Final = (612.0, 792.0)
_PARENT: Final = Name(b"Parent")
#: The tail of an object copied as bytes is written as a view of the source, not a copy,
#: past this size (stream data).
_VIEWED: Final = 64 * 1024


@attrs.frozen(kw_only=True)
class Added:
    """What :meth:`BackupWriter.add_document` put into the output.

    Attributes:
        first_page: The 0-based index of the document's first page in the output.
        page_count: How many pages it contributed.
        fields: How many top-level form fields it brought (under its own parent).
        removed: What was left out of it, as short phrases (``JavaScript action``).
        notes: What else changed or was found, in words (see :attr:`ParsedPdf.notes`).
    """

    first_page: int
    page_count: int
    fields: int
    removed: tuple[str, ...]
    notes: tuple[str, ...] = ()


class _Occurrence:
    """The state of copying one occurrence of a document."""

    __slots__ = (
        "count",
        "new_shared",
        "numbers",
        "occ",
        "pages",
        "parsed",
        "prepared",
        "queue",
        "shared",
    )

    def __init__(self, parsed: ParsedPdf, shared: dict[int, int]) -> None:
        self.parsed = parsed
        self.prepared: Prepared = parsed._prepared
        self.shared = shared
        self.new_shared: list[int] = []
        self.occ: dict[int, int] = {}
        self.pages: dict[int, int] = {}
        #: The output numbers of its pages, in order.
        self.numbers: list[int] = []
        self.queue: deque[tuple[Ref, int, bool]] = deque()
        self.count = 0


@attrs.define
class _Form:
    """The output's form: the documents' parent fields and their default fonts."""

    fields: list[int] = attrs.Factory(list)
    fonts: dict[Name, bytes] = attrs.Factory(dict)
    need_appearances: bool = False


class BackupWriter:
    """Assembles pages of parsed documents and our own pages into one PDF, streaming.

    Only the page list, the outline, the form's top-level fields and the offsets of the
    cross-reference table stay in memory; stream data is copied as the encoded bytes it
    is.

    Args:
        out: Where the PDF is written, front to back (never sought).
        title: The document title (``/Title``).
        subject: The document subject (``/Subject``).
        created: The creation time written as ``/CreationDate`` and ``/ModDate``
            (the only time stamp in the output).
        producer: The ``/Producer`` and ``/Creator`` written.
        limits: The bounds applied to each document's objects (count).
        digests: Record the shapes of objects copied, and keep a copy of the output
            on disk for the rest, so that :meth:`page_digests` can digest the pages
            (:meth:`close` deletes the copy).
    """

    #: How many documents' object maps are kept, most recently used first, for documents
    #: that occur again (a certificate of insurance on every invoice of a vendor).
    shared_documents: int = 512

    def __init__(
        self,
        out: IO[bytes],
        *,
        title: str,
        subject: str,
        created: datetime,
        producer: str = "invoicebackup",
        limits: Limits | None = None,
        digests: bool = False,
    ) -> None:
        self._spool = Spool(out) if digests else None
        self._shapes = Shapes(self._spool) if self._spool else None
        # The copy only needs write(); the writer never asks more of its output.
        self._objects = ObjectWriter(cast("IO[bytes]", self._spool) if self._spool else out)
        self._limits = limits or Limits()
        self._pages: list[int] = []
        self._info = (title, subject, created, producer)
        self._shared: OrderedDict[object, dict[int, int]] = OrderedDict()
        self._placeholder_font = 0
        self._form = _Form()
        self._layers = OutputLayers()
        self._wrapper_names: set[str] = set()
        self._outline: tuple[OutlineNode, ...] = ()
        self._attachments: dict[str, bytes] = {}
        #: Embedded files already written (:meth:`embed_file`): name, file specification.
        self._specs: dict[str, int] = {}
        #: Reserved annotations: the page that lists each, and its media box.
        self._hosts: dict[int, tuple[int, tuple[float, float, float, float]]] = {}
        self._finished = False
        self._pages_root = self._objects.allocate()
        self._structure: tuple[int, str] | None = None

    @property
    def page_count(self) -> int:
        """How many pages the output has so far."""
        return len(self._pages)

    # -- documents ----------------------------------------------------------------------

    def add_document(
        self,
        parsed: ParsedPdf,
        *,
        field_prefix: str,
        shared_key: object = None,
        annotations: Sequence[int] = (),
    ) -> Added:
        """Copy every page of *parsed* to the end of the output.

        Args:
            parsed: A document from :func:`~invoicebackup._pdfopen.open_pdf`; it may be
                added several times.
            field_prefix: The partial name of the parent field the document's form
                fields are moved under (``[A-Za-z0-9_-]``, unique per output).
            shared_key: What identifies the document's bytes (its SHA-256): another
                occurrence — even parsed again — reuses the objects already written
                for it. By default, the parsed document itself.
            annotations: Numbers from :meth:`reserve` for annotations :meth:`embed_file`
                writes later, listed on the document's first page after its own.

        Raises:
            BadDocumentError: The copy failed (code ``damaged``, or ``too_large`` past
                the limits); nothing of the document was written.
            NeedsBytes: It was compacted and the writer no longer knows its objects.
        """
        if self._finished:
            raise ValueError("the backup is already finished")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", field_prefix):
            raise ValueError(f"field_prefix must match [A-Za-z0-9_-]+, got {field_prefix!r}")
        if field_prefix in self._wrapper_names:
            raise ValueError(f"field_prefix {field_prefix!r} is already used in this output")
        if parsed.released:
            raise ValueError(f"{parsed!r} was released")
        key = shared_key if shared_key is not None else parsed._token
        shared = self._shared.get(key)
        if parsed.compacted and shared is None:
            raise NeedsBytes(parsed.key)
        if shared is None:
            shared = {}
        else:
            self._shared.move_to_end(key)
        occurrence = _Occurrence(parsed, shared)
        mark = self._objects.mark
        first = len(self._pages)
        self._objects.stage()
        try:
            try:
                added, commit = self._copy(
                    occurrence, key=key, field_prefix=field_prefix, annotations=annotations
                )
            except PdfError as error:
                raise error.bad_document(key=parsed.key, filename=parsed.filename) from None
        except BaseException:
            self._objects.rollback(mark)
            if self._shapes is not None:
                self._shapes.rollback(mark)
            del self._pages[first:]
            for idnum in occurrence.new_shared:
                shared.pop(idnum, None)
            raise
        self._objects.commit()
        if self._shapes is not None:
            self._shapes.commit()
        commit()
        self._shared[key] = shared
        while len(self._shared) > self.shared_documents:
            self._shared.popitem(last=False)
        self._wrapper_names.add(field_prefix)
        return added

    def _copy(
        self,
        occurrence: _Occurrence,
        *,
        key: object,
        field_prefix: str,
        annotations: Sequence[int] = (),
    ) -> tuple[Added, Callable[[], None]]:
        parsed = occurrence.parsed
        prepared = occurrence.prepared
        shared_ref = numbered(self._ref_number(occurrence, per_occurrence=False))
        own_ref = numbered(self._ref_number(occurrence, per_occurrence=True))
        self._copy_pages(occurrence, own_ref, annotations)
        wrapper = 0
        if prepared.field_roots:
            wrapper = self._objects.allocate()
            body = bytearray(b"<</T" + serialise(text_string(field_prefix)))
            if prepared.form_da is not None:
                body += b"/DA " + serialise(prepared.form_da, ref=shared_ref)
            body += b"/Kids" + serialise(Array(prepared.field_roots), ref=own_ref) + b">>"
            self._objects.put(wrapper, body)
        roots = {ref.num for ref in prepared.field_roots}
        self._drain(occurrence, roots, wrapper)
        fonts = {
            name: b" " + serialise(value, ref=shared_ref)
            for name, value in prepared.form_fonts
            if name not in self._form.fonts and prepared.field_roots
        }
        layers, notes = self._layers.copy(
            prepared.layers,
            key=key,
            filename=parsed.filename,
            number=lambda group: self._number(occurrence, group, per_occurrence=False),
            ref=shared_ref,
        )
        self._drain(occurrence, roots, wrapper)
        if self._shapes is not None:
            # Every object the pages reach is numbered and written (staged) by now.
            for index, number in enumerate(occurrence.numbers):
                listed = annotations if index == 0 else ()
                root = self._page_shape(occurrence, index, listed, self._shapes.renderings)
                self._shapes.record_page(number, root)
        need_appearances = bool(prepared.field_roots) and prepared.need_appearances

        def commit() -> None:
            if wrapper:
                self._form.fields.append(wrapper)
            for font_name, value in fonts.items():
                self._form.fonts.setdefault(font_name, value)
            self._form.need_appearances |= need_appearances
            layers()

        notes = [*parsed.notes, *notes]
        if prepared.adopted:
            notes.append(
                f"{prepared.adopted} of its form fields were widgets its form did not list; "
                "they were kept as fields of the document"
            )
        added = Added(
            first_page=len(self._pages) - parsed.page_count,
            page_count=parsed.page_count,
            fields=len(prepared.field_roots),
            removed=tuple(sorted(set(prepared.removed))),
            notes=tuple(dict.fromkeys(notes)),
        )
        return added, commit

    def _copy_pages(
        self, occurrence: _Occurrence, ref: Callable[[Ref], bytes], annotations: Sequence[int]
    ) -> None:
        """Number the occurrence's pages, append them to the page list, and write them.

        The first page also lists *annotations* (reserved numbers) after its own.
        """
        prepared = occurrence.prepared
        numbers = []
        by_index = {index: idnum for idnum, index in prepared.page_ids.items()}
        for index in range(len(prepared.pages)):
            page = self._objects.allocate()
            numbers.append(page)
            occurrence.numbers.append(page)
            idnum = by_index.get(index)
            if idnum is not None:
                occurrence.pages[idnum] = page
            self._pages.append(page)
        parent = b"<</Parent %d 0 R " % self._pages_root
        for index, (page, value) in enumerate(zip(numbers, prepared.pages, strict=True)):
            if index == 0 and annotations:
                self._objects.put(page, parent, *_with_annotations(value, annotations, ref))
                for number in annotations:
                    self._hosts[number] = (page, _media_box(value))
                continue
            self._objects.put(page, parent, serialise(value, ref=ref)[2:])

    def _ref_number(
        self, occurrence: _Occurrence, *, per_occurrence: bool
    ) -> Callable[[Ref], int | None]:
        return partial(self._number, occurrence, per_occurrence=per_occurrence)

    def _number(
        self, occurrence: _Occurrence, ref: Ref, *, per_occurrence: bool, allocate: bool = True
    ) -> int | None:
        """The output number for source object *ref*, allocating (and queueing) it.

        ``None`` where the reference becomes null: a dropped annotation, a page of the
        source that is not this occurrence's (or reached from a shared object), an
        object each occurrence copies afresh reached from a shared one. Without
        *allocate*, an object not numbered yet raises :class:`~._snapshot.Unseen`.
        """
        idnum = ref.num
        page = occurrence.pages.get(idnum)
        if page is not None:
            return page if per_occurrence else None
        prepared = occurrence.prepared
        if idnum in prepared.dropped_ids or idnum in prepared.page_ids:
            return None
        file = occurrence.parsed._file
        if idnum not in prepared.objects and file is not None and not file.holds(idnum, ref.gen):
            # Of another generation than the file's (or free): null here, and only here;
            # the tables below are by number, so this must not claim the number.
            return None
        if idnum in prepared.occurrence_ids:
            if not per_occurrence:
                return None
            table = occurrence.occ
        else:
            table = occurrence.shared
        number = table.get(idnum)
        if number is None:
            if not allocate:
                raise Unseen
            number = self._objects.allocate()
            table[idnum] = number
            if table is occurrence.shared:
                occurrence.new_shared.append(idnum)
            occurrence.queue.append((ref, number, table is occurrence.occ))
        return number

    def _drain(self, occurrence: _Occurrence, roots: set[int], wrapper: int) -> None:
        """Write every object the occurrence's references reached, breadth first."""
        parsed = occurrence.parsed
        objects = occurrence.prepared.objects
        limit = self._limits.max_objects
        queue = occurrence.queue
        shared_number = self._ref_number(occurrence, per_occurrence=False)
        own_number = self._ref_number(occurrence, per_occurrence=True)
        shared_ref, own_ref = numbered(shared_number), numbered(own_number)
        while queue:
            ref, number, per_occurrence = queue.popleft()
            occurrence.count += 1
            if occurrence.count > limit:
                raise BadDocumentError(
                    key=parsed.key,
                    filename=parsed.filename,
                    code="too_large",
                    reason=f"its pages reach more than {limit} objects",
                )
            value: Value
            file = parsed._file
            write = own_ref if per_occurrence else shared_ref
            # What each reference is written as, for the object's shape (page digests).
            number_of = own_number if per_occurrence else shared_number
            written = Recording(number_of) if self._shapes is not None else None
            if ref.num in objects:
                value = objects[ref.num]
                if (
                    file is not None
                    and ref.num not in roots
                    and file.object(ref.num, ref.gen) is value
                ):
                    # Cleaning left it as the file has it (most annotations and fields).
                    source = file.source(ref.num, ref.gen)
                    if source is not None:
                        self._copy_source(number, value, source, written or write)
                        continue
            elif file is not None:
                source = file.source(ref.num, ref.gen)
                if source is not None:
                    # Not changed by the copy: its own bytes, references renumbered, and
                    # the value the reader read these bytes as (it keeps it).
                    value = file.object(ref.num, ref.gen)
                    self._copy_source(number, value, source, written or write)
                    continue
                value = file.object(ref.num, ref.gen)
            elif per_occurrence:
                value = None  # a field that was no dictionary: null, as the file had it
            else:
                raise NeedsBytes(parsed.key)  # an object the writer does not know any more
            if ref.num in roots and isinstance(value, Dictionary):
                # A top-level field: under the document's own parent field.
                without = Dictionary({k: v for k, v in value.items() if k != _PARENT})
                field = Recording(own_number)
                body = serialise(without, ref=field)
                self._objects.put(number, body[:-2], b" /Parent %d 0 R>>" % wrapper)
                if self._shapes is not None:
                    self._shapes.record(number, without, field, parent=wrapper)
            else:
                self._objects.put_value(number, value, ref=written or write)
                if self._shapes is not None and written is not None:
                    self._shapes.record(number, value, written)

    def _page_shape(
        self,
        occurrence: _Occurrence,
        index: int,
        annotations: Sequence[int],
        renderings: Renderings,
    ) -> Shape | None:
        """The shape of the occurrence's page *index* as written (see :func:`written_page`)."""
        prepared = occurrence.prepared
        file = occurrence.parsed._file

        def number(ref: Ref, per_occurrence: bool) -> int | None:
            return self._number(occurrence, ref, per_occurrence=per_occurrence, allocate=False)

        def written(ref: Ref) -> tuple[Value, bool]:
            num = ref.num
            # What _drain wrote for it (a page, or a field under our parent: read back).
            if num in occurrence.pages or any(num == root.num for root in prepared.field_roots):
                raise Unseen
            if num in prepared.objects:
                value = prepared.objects[num]
            elif file is not None:
                value = file.object(num, ref.gen)
            else:
                raise Unseen
            return value, num in prepared.occurrence_ids

        return written_page(
            occurrence.numbers[index],
            prepared.pages[index],
            annotations,
            number=number,
            written=written,
            renderings=renderings,
        )

    def _copy_source(
        self, number: int, value: Value, source: Source, write: Callable[[Ref], bytes]
    ) -> None:
        """Write object *number* as *source*'s bytes, recording *value*'s shape if *write* does."""
        data = self._put_source(number, source, write)
        if self._shapes is not None and isinstance(write, Recording):
            self._shapes.record(number, value, write, data, size=source[2] - source[1])

    def _put_source(
        self, number: int, source: Source, ref: Callable[[Ref], bytes]
    ) -> memoryview | None:
        """Write object *number* as the bytes of *source* with its references renumbered.

        The references are those the reader's tokeniser found (never a pattern searched
        in the bytes, which could match inside a string, a name or a comment). Stream
        data is written from the source without a copy: that view is returned.
        """
        buffer, start, end, refs = source
        pieces: list[bytes | memoryview] = []
        last = start
        for ref_start, ref_end, found in refs:
            pieces.append(buffer[last : start + ref_start])
            pieces.append(ref(found))
            last = start + ref_end
        view = memoryview(buffer)[last:end] if end - last > _VIEWED else None
        pieces.append(buffer[last:end] if view is None else view)
        self._objects.put(number, *pieces)
        return view

    # -- images -------------------------------------------------------------------------

    def add_image(self, image: ParsedImage) -> Added:
        """Add every page of *image* to the end of the output (one page decoded at a time).

        Raises:
            BadDocumentError: A page cannot be decoded; nothing of the image was written.
        """
        if self._finished:
            raise ValueError("the backup is already finished")
        mark = self._objects.mark
        first = len(self._pages)
        self._objects.stage()
        try:
            for page in image_pages(image):
                self._pages.append(write_image_page(self._objects, page, self._pages_root))
        except BaseException:
            self._objects.rollback(mark)
            if self._shapes is not None:
                self._shapes.rollback(mark)
            del self._pages[first:]
            raise
        self._objects.commit()
        return Added(
            first_page=first,
            page_count=len(self._pages) - first,
            fields=0,
            removed=(),
            notes=image.notes,
        )

    # -- our own pages ------------------------------------------------------------------

    def add_text_page(
        self, lines: Sequence[str], *, page_size: tuple[float, float] = _LETTER
    ) -> int:
        """Add a page of Helvetica text (a placeholder); return its 0-based index."""
        if self._finished:
            raise ValueError("the backup is already finished")
        put = self._objects.put
        if not self._placeholder_font:
            self._placeholder_font = self._objects.allocate()
            put(
                self._placeholder_font,
                b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
            )
        content = self._objects.allocate()
        data = zlib.compress(text_ops(lines, top=page_size[1] - 72))
        put(
            content,
            b"<</Filter/FlateDecode/Length %d>>\nstream\n" % len(data),
            data,
            b"\nendstream",
        )
        page = self._objects.allocate()
        box = serialise(Array((0, 0, *(number(v) for v in page_size))))
        put(
            page,
            b"<</Type/Page/Parent %d 0 R/MediaBox%s/Resources<</Font<</F1 %d 0 R>>>>"
            b"/Contents %d 0 R>>" % (self._pages_root, box, self._placeholder_font, content),
        )
        self._pages.append(page)
        return self.page_count - 1

    # -- pages written by others (a cover sheet) --------------------------------------------

    def reserve_pages(self, count: int) -> tuple[int, ...]:
        """Hold the first *count* pages for pages written later; return their numbers.

        A cover sheet comes first but lists where every document starts: its pages
        are counted now and written (with :attr:`objects`, under :attr:`pages_root`)
        once the documents are in. Every number returned must be written as a page
        before :meth:`finish`.
        """
        if self._pages:
            raise ValueError("pages are reserved before any page is added")
        numbers = tuple(self._objects.allocate() for _ in range(count))
        self._pages.extend(numbers)
        return numbers

    @property
    def objects(self) -> ObjectWriter:
        """The writer of the output's objects (for pages written outside this class)."""
        return self._objects

    @property
    def pages_root(self) -> int:
        """The number of the page tree's root (every page's ``/Parent``)."""
        return self._pages_root

    def page_number(self, index: int) -> int:
        """The object number of the page at 0-based *index* (a link's destination)."""
        return self._pages[index]

    def set_structure(self, *, root: int, language: str) -> None:
        """Mark the output tagged (§14.8): its structure tree's root and its language."""
        self._structure = (root, language)

    # -- finishing ------------------------------------------------------------------------

    def page_digests(self) -> list[str]:
        """The digest of every page so far (:func:`invoicebackup.pdf.digest.page_digests`).

        Call it once every page and everything they draw is written: before :meth:`finish`.
        What was kept for it is let go then; the writer writes on without a copy.
        """
        shapes, self._shapes = self._shapes, None
        if self._spool is None or shapes is None:
            raise ValueError("the writer keeps no copy to digest (digests=False, or digested)")
        return page_digests(
            self._objects, self._spool, shapes, pages=self._pages, pages_root=self._pages_root
        )

    def close(self) -> None:
        """Delete the copy kept for :meth:`page_digests`, if any (the output stays open)."""
        if self._shapes is not None:
            self._shapes.close()

    def set_outline(self, nodes: Sequence[OutlineNode]) -> None:
        """Set the bookmark tree (written by :meth:`finish`); page indexes are the output's."""
        self._outline = tuple(nodes)

    def reserve(self, count: int) -> list[int]:
        """Numbers for *count* annotations to pass to :meth:`add_document`.

        One that is never written (:meth:`embed_file`) is a null in the page's list.
        """
        return [self._objects.allocate() for _ in range(count)]

    def embed_file(
        self, annotation: int, *, name: str, data: bytes, description: str, position: int
    ) -> None:
        """Embed *data* unmodified as file *name* and write reserved *annotation* for it.

        The file is listed in the document's embedded files (as :meth:`attach`'s are)
        and shown by a file attachment annotation (a paperclip, the *position*-th down
        the page's left edge) on the page whose first document listed *annotation*. Its
        bytes are stored without a filter, so they are the original's byte for byte.
        """
        page, (x0, _y0, _x1, y1) = self._hosts[annotation]
        objects = self._objects
        stream = objects.allocate()
        checksum = hashlib.md5(data, usedforsecurity=False).digest()
        objects.put(
            stream,
            b"<</Type/EmbeddedFile/Subtype/application#2Fpdf/Params<</Size %d/CheckSum%s>>"
            b"/Length %d>>\nstream\n"
            % (len(data), serialise(String(checksum, hex=True)), len(data)),
            data,
            b"\nendstream",
        )
        spec = objects.allocate()
        objects.put(
            spec,
            b"<</Type/Filespec/F%s/UF%s/Desc%s/AFRelationship/Source/EF<</F %d 0 R>>>>"
            % (text_bytes(name), text_bytes(name), text_bytes(description), stream),
        )
        top = y1 - 8 - 22 * position
        rect = serialise(Array(tuple(number(v) for v in (x0 + 4, top - 18, x0 + 18, top))))
        objects.put(
            annotation,
            b"<</Type/Annot/Subtype/FileAttachment/Rect%s/FS %d 0 R/Contents%s/Name/Paperclip"
            b"/P %d 0 R/F 4>>" % (rect, spec, text_bytes(description), page),
        )
        self._specs[name] = spec

    def attach(self, filename: str, data: bytes) -> None:
        """Embed *data* as an attached file named *filename* (written by :meth:`finish`)."""
        self._attachments[filename] = data

    def finish(self, *, file_id: bytes) -> int:
        """Write the page tree, outline, form, catalog and cross-reference table.

        Args:
            file_id: Bytes from which the trailer ``/ID`` is derived, so the same input
                gives the same output.

        Returns:
            How many bytes were written in all.
        """
        if self._finished:
            raise ValueError("the backup is already finished")
        self._finished = True
        if not self._pages:
            raise ValueError("a PDF needs at least one page")
        objects = self._objects
        objects.put(
            self._pages_root,
            b"<</Type/Pages/Count %d/Kids[%s]>>" % (len(self._pages), _refs(self._pages)),
        )
        catalog = bytearray(b"<</Type/Catalog/Pages %d 0 R" % self._pages_root)
        if self._outline:
            catalog += b"/Outlines %d 0 R/PageMode/UseOutlines" % write_outline(
                self._objects, self._outline, self._pages
            )
        form = self._form
        if form.fields:
            body = bytearray(b"<</Fields[%s]/DA" % _refs(form.fields))
            body += text_bytes("/Helv 0 Tf 0 g")
            if form.fonts:
                body += b"/DR<</Font<<"
                for font_name, value in form.fonts.items():
                    body += serialise(font_name) + value
                body += b">>>>"
            if form.need_appearances:
                body += b"/NeedAppearances true"
            body += b">>"
            number = objects.allocate()
            objects.put(number, body)
            catalog += b"/AcroForm %d 0 R" % number
        catalog += self._layers.catalog_entry()
        if self._attachments or self._specs:
            catalog += b"/Names<</EmbeddedFiles<</Names[%s]>>>>" % self._write_attachments()
        if self._structure is not None:
            structure_root, language = self._structure
            catalog += b"/MarkInfo<</Marked true>>/StructTreeRoot %d 0 R/Lang" % structure_root
            catalog += text_bytes(language)
            catalog += b"/ViewerPreferences<</DisplayDocTitle true>>"
        catalog += b">>"
        root = objects.allocate()
        objects.put(root, catalog)
        title, subject, created, producer = self._info
        stamp = created.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")
        info = objects.allocate()
        objects.put(
            info,
            b"<</Title%s/Subject%s/Producer%s/Creator%s/CreationDate%s/ModDate%s>>"
            % tuple(text_bytes(v) for v in (title, subject, producer, producer, stamp, stamp)),
        )
        return objects.finish(root=root, info=info, file_id=file_id)

    def _write_attachments(self) -> bytes:
        names = bytearray()
        specs = dict(self._specs)
        for filename in sorted(self._attachments):
            data = zlib.compress(self._attachments[filename])
            stream = self._objects.allocate()
            self._objects.put(
                stream,
                b"<</Type/EmbeddedFile/Filter/FlateDecode/Params<</Size %d>>/Length %d>>\nstream\n"
                % (len(self._attachments[filename]), len(data)),
                data,
                b"\nendstream",
            )
            spec = self._objects.allocate()
            self._objects.put(
                spec,
                b"<</Type/Filespec/F%s/UF%s/EF<</F %d 0 R>>>>"
                % (text_bytes(filename), text_bytes(filename), stream),
            )
            specs[filename] = spec
        # A name tree's keys are in order (§7.9.6).
        for filename in sorted(specs):
            names += text_bytes(filename) + b" %d 0 R" % specs[filename]
        return bytes(names)


def _with_annotations(
    page: Dictionary, annotations: Sequence[int], ref: Callable[[Ref], bytes]
) -> tuple[bytes, ...]:
    """The rest of *page*'s body (after ``<</Parent …``), its ``/Annots`` extended."""
    existing = page.get(b"Annots")
    own = serialise(existing, ref=ref)[1:-1] if isinstance(existing, Array) else b""
    without = Dictionary({k: v for k, v in page.items() if k != Name(b"Annots")})
    return (
        serialise(without, ref=ref)[2:-2],
        b"/Annots[" + own + b" " + _refs(annotations) + b"]>>",
    )


def _media_box(page: Dictionary) -> tuple[float, float, float, float]:
    """*page*'s media box as four numbers (US Letter when it is not one)."""
    box = page.get(b"MediaBox")
    if isinstance(box, Array) and len(box) == 4:
        try:
            x0, y0, x1, y1 = (float(v) for v in box)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
        else:
            return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    return 0.0, 0.0, *_LETTER
