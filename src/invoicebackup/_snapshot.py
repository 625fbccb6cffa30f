"""The page digests of a backup being written: shapes recorded as it is written, the rest read back.

A page's digest (:mod:`invoicebackup.pdf.digest`) is built from the *shape* of every
object the page reaches. Most of a backup is objects copied from its sources, and the
writer holds each one's value as it writes it: :class:`Shapes` records the shape of that
value (:func:`~invoicebackup.pdf.digest.shape`, the one canonicalisation ``verify`` uses
too) with each reference mapped to what the writer wrote in its place — the output's
number, or ``null`` — so it is the shape a reader of the finished backup finds. It
records each copied page's :func:`~invoicebackup.pdf.digest.page_shape` too
(:func:`written_page`: its dictionary as written, what it inherits resolved by the
reader's own :func:`~invoicebackup.pdf.reader.page_of`). Large stream data is hashed on
a thread of the writer's own, and what recurs in a compile (values the object cache
shares, their renderings, inflated Flate data) is canonicalised once (:class:`Renderings`).

What is not recorded (our own pages, a cover sheet, embedded files, whatever the copy
could not say for certain) is read back: :class:`Spool` keeps a copy of every byte (but
recorded streams' large data) in a temporary file; :func:`page_digests` ends that copy (never
the backup) with a page tree of the pages not recorded, a catalog and a cross-reference
table, reads it with the same reader (:class:`~invoicebackup.pdf.reader.PdfFile`) and
digests every page with :func:`~invoicebackup.pdf.digest.digest_page`, given the
recorded shapes (kept packed, by object number), and lets the copy and the shapes go: the
backup goes on without them. The copy is read through a memory map whose pages are given
back after each page digested that read it: memory does not grow with the backup.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Final, cast

from .pdf.digest import (
    Encoding,
    Head,
    RefMap,
    Shape,
    digest_page,
    encoding,
    page_shape,
    plain_of,
    render,
    shape,
    stream_head,
    stream_shape,
)
from .pdf.errors import DAMAGED, PdfError
from .pdf.objectcache import KEPT_BYTES
from .pdf.reader import Limits, Page, PdfFile, mapped, page_of
from .pdf.values import Array, Dictionary, Ref, Stream, Value
from .pdf.writer import ObjectWriter, cross_reference

#: The bounds the copy is read within: a backup may hold far more pages and objects than
#: one source is allowed (the writer bounds each source).
READ_BACK: Final = Limits(max_pages=10_000_000, max_objects=100_000_000)


#: How many bytes of sources the values :class:`Shapes` keeps shapes of by identity
#: were read from (the oldest go first): the values themselves are held, so the bound
#: is on what they take, not on their count (a font's hundreds of widths are one value).
#: As many as the object cache keeps (:class:`~invoicebackup.pdf.objectcache.ObjectCache`),
#: whose values are the ones met again: a smaller bound forgot shapes of values still
#: shared, and shaped them again.
_BY_VALUE_BYTES: Final = KEPT_BYTES
#: Object numbers a packed shape holds (:func:`_pack`).
_NUMBERS: Final = 2**32
#: How many bytes of renderings :class:`Renderings` keeps (the oldest go first).
_RENDERINGS: Final = 8 * 1024 * 1024
#: How many digests of inflated data :class:`Shapes` keeps (the oldest go first).
_INFLATED: Final = 65536
#: Stream data from this size on is hashed on the digest thread (below, handing it over
#: costs about what hashing it does).
_LARGE: Final = 64 * 1024
#: How much stream data the digest thread may hold on to (the sources' bytes).
_PENDING: Final = 32 * 1024 * 1024


class Spool:
    """Writes to *out* and to a temporary file; the copy is read back by :func:`page_digests`.

    A chunk marked as a :meth:`hole` (stream data of an object whose shape is recorded,
    so never read back) is skipped in the copy: the file is sparse there, and the copy
    costs neither the time nor the disk of writing it. The reader reads a recorded object
    only to resolve a page's inherited attributes: a page's ``/Resources`` is kept
    indirect only when it is a dictionary (:func:`~invoicebackup.pdf.document.prepare`
    writes boxes and rotation as numbers), which has no stream data to leave out.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.copy: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        #: The chunks not copied, by identity (held, so that no other takes their id).
        self._holes: dict[int, memoryview] = {}

    def hole(self, chunk: memoryview) -> None:
        """Leave *chunk* out of the copy when it is written (by this very object)."""
        self._holes[id(chunk)] = chunk

    def settle(self) -> None:
        """Forget the holes marked (what was staged is written or dropped by now)."""
        self._holes.clear()

    def write(self, chunk: bytes | bytearray | memoryview) -> int:
        if self.copy.closed:
            pass  # the pages are digested: what follows is written to the output alone
        elif self._holes.pop(id(chunk), None) is chunk:
            self.copy.seek(len(chunk), os.SEEK_CUR)
        else:
            self.copy.write(chunk)
        return self._out.write(chunk)

    def close(self) -> None:
        """Delete the copy: what is written from now on goes to the output alone.

        The output is its owner's to close.
        """
        self.copy.close()
        self._holes.clear()


class Unseen(Exception):
    """What a shape needs its writing did not write (the object or page is read back)."""


class Recording:
    """A reference writer that remembers what it wrote for each reference.

    Pass it where the object is written, then :meth:`Shapes.record` the object's value
    with it: each reference in the value is mapped to what was written in its place.
    """

    __slots__ = ("number", "seen")

    def __init__(self, number: Callable[[Ref], int | None]) -> None:
        #: The output object (of generation 0) each reference is written as, or ``None``
        #: where it is written as ``null``.
        self.number = number
        #: The output object each reference was written as (``None``: as ``null``), kept
        #: as it is written: a value maps its references often.
        self.seen: dict[Ref, int | None] = {}

    def __call__(self, ref: Ref) -> bytes:
        number = self.seen[ref] = self.number(ref)
        return b"null" if number is None else b"%d 0 R" % number

    def map(self, ref: Ref) -> Ref | None:
        """The reference a reader of the output finds where *ref* was written."""
        try:
            number = self.seen[ref]
        except KeyError:
            raise Unseen from None
        return None if number is None else Ref(number)


class Packed:
    """Packed shapes (:func:`_pack`) by object number, in one buffer.

    A backup's objects are numbered densely from 1, and almost every one has a shape
    kept until the pages are digested: an index by number and one buffer take a few
    bytes an object beside the shape's own, where a dictionary of bytes took about a
    hundred.
    """

    __slots__ = ("_data", "_length", "_start")

    def __init__(self) -> None:
        self._data = bytearray()
        self._start = array("Q")
        #: Each number's packed length; 0: none kept (a packed shape is never empty).
        self._length = array("I")

    def __setitem__(self, number: int, packed: bytes) -> None:
        have = len(self._length)
        if number >= have:
            # Numbers come nearly in order: grow by a quarter, not one number at a time.
            more = max(number + 1 - have, have // 4 + 1024)
            self._start.frombytes(bytes(more * self._start.itemsize))
            self._length.frombytes(bytes(more * self._length.itemsize))
        self._start[number] = len(self._data)
        self._length[number] = len(packed)
        self._data += packed

    def get(self, number: int) -> bytes | None:
        """The packed shape of object *number*, or ``None``."""
        if not 0 <= number < len(self._length):
            return None
        length = self._length[number]
        if not length:
            return None
        start = self._start[number]
        return bytes(self._data[start : start + length])

    def __contains__(self, number: object) -> bool:
        return type(number) is int and 0 <= number < len(self._length) and self._length[number] > 0

    def forget(self, mark: int) -> None:
        """Forget the shapes of objects numbered from *mark* on (their bytes stay unused)."""
        for number in range(max(mark, 0), len(self._length)):
            self._length[number] = 0


class Shapes:
    """The shapes of objects written, by their reference in the output, for *spool*."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        #: The shapes of objects by their number in the output, packed (:func:`_pack`):
        #: they are kept until the pages are digested.
        self.known = Packed()
        #: Shapes of dictionaries and arrays read from a source, by identity, every
        #: reference as it is (values built once per compile recur: a font in every copy
        #: of a document), with the size of the source bytes they were read from.
        self._by_value: dict[int, tuple[Value, Shape, int]] = {}
        self._by_value_bytes = 0
        #: Canonical bytes of streams' heads and pages' resources by identity.
        self.renderings = Renderings()
        #: Digests of Flate data without compression, by the SHA-256 of its bytes: of
        #: small streams (this thread), of large ones (the digest thread's own).
        self._inflated: dict[bytes, bytes | None] = {}
        self._inflated_large: dict[bytes, bytes | None] = {}
        #: Shapes of large streams being finished on the digest thread, oldest first,
        #: with the source buffer each holds on to until it is hashed (by identity).
        self._pending: deque[tuple[int, Future[Shape], int]] = deque()
        #: The source buffers pending shapes hold: how many shapes hold each, its size.
        #: A stream's data is a view of its whole file, which stays in memory as long as
        #: one view of it is pending: the bound is on those files, not on the views.
        self._held: dict[int, list[int]] = {}
        self._pending_bytes = 0
        self._thread: ThreadPoolExecutor | None = None
        #: The :func:`~invoicebackup.pdf.digest.page_shape` of pages whose dictionary
        #: and inherited attributes the writer knows, by their number in the output.
        self.pages: dict[int, bytes] = {}
        #: Whether a copied page is read back: what it reaches may then be recorded
        #: objects, which the copy must list (see :func:`page_digests`).
        self.copied_unread = False

    def record(
        self,
        number: int,
        value: Value,
        written: Recording,
        data: memoryview | None = None,
        *,
        parent: int | None = None,
        size: int = 0,
    ) -> None:
        """Record object *number*, written from *value* with the references *written* wrote.

        *data*, the chunk its stream data was written as, need not be copied then (a
        stream's; a dictionary's long tail is copied).
        *parent*: a dictionary written with ``/Parent`` set to this output object.
        *size*: the bytes of the source *value* was read from, when it was read (0: a
        value made by the copy, which no other copy shares, so its shape is not kept).
        """
        if parent is None and (type(value) is Dictionary or type(value) is Array):
            known = self._by_value.get(id(value))
            if known is not None and known[0] is value:
                # Met before (the object cache hands every copy the same value): its
                # digest, and the numbers its references were written as, packed as
                # _pack packs them (null anywhere: its canonical bytes differ, below).
                seen = written.seen
                try:
                    numbers = [seen[ref] for ref in known[1][1]]
                except KeyError:
                    return  # a reference its bytes did not write: read back
                if None not in numbers:
                    with contextlib.suppress(OverflowError):  # else below (read back)
                        packed = array("I", cast("list[int]", numbers)).tobytes()
                        self.known[number] = known[1][0] + packed
                        return
        mapped = written.map
        if parent is not None and isinstance(value, Dictionary):
            # A reference of no source (compared by identity) standing for the parent.
            marker = Ref(-1)
            value = value.replaced(b"Parent", marker)
            output = Ref(parent)

            def mapped(ref: Ref) -> Ref | None:
                return output if ref is marker else written.map(ref)

        # A value holding a reference its bytes did not (it cannot, as the same reader
        # found both) is read back, whatever the reason, rather than guessed.
        try:
            if isinstance(value, Stream):
                self._stream(number, value, mapped)
                if data is not None:
                    # Only a stream: a long dictionary (a page's /Resources) may be read back.
                    self.spool.hole(data)
            else:
                self._keep(number, self._shape(value, mapped, size))
        except Unseen:
            pass

    def _stream(self, number: int, stream: Stream, ref: RefMap) -> None:
        """Record the shape of *stream*: its data hashed here, or on the digest thread.

        What the shape takes of the dictionary (its references mapped, which may raise
        :class:`Unseen`) is taken here; hashing and inflating the data, which let other
        threads run, are done on a thread of the compile's own when the data is large,
        and the shape is known once :meth:`wait` has waited for it.
        """
        how = encoding(stream, ref)
        heads = self._heads(stream, ref, how)
        size = len(stream.data)
        if size < _LARGE:
            self._keep(number, _finish(stream.data, how, heads, self._inflated))
            return
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="invoicebackup-digest")
        job = self._thread.submit(_finish, stream.data, how, heads, self._inflated_large)
        owner = stream.data.obj if isinstance(stream.data, memoryview) else stream.data
        key = id(owner)
        self._pending.append((number, job, key))
        held = self._held.get(key)
        if held is None:
            whole = memoryview(owner).nbytes
            self._held[key] = [1, whole]
            self._pending_bytes += whole
        else:
            held[0] += 1
        # The data held is the sources' bytes: bounded, so memory does not grow.
        while self._pending_bytes > _PENDING and self._pending:
            self._settle_one()

    def _heads(self, stream: Stream, ref: RefMap, how: Encoding) -> tuple[Head | None, Head | None]:
        """*stream*'s heads (:func:`~invoicebackup.pdf.digest.stream_head`), by what is known.

        For plain data unless *how* says it is not, for stored data unless it is plain.

        A stream's dictionary built once per compile recurs like any value (a form in
        every copy of a document), and a form's may hold its resources whole.
        """
        renderings = self.renderings
        return (
            renderings.mapped(
                stream.dictionary, ref, lambda ref: stream_head(stream, ref, plain=True), "plain"
            )
            if how is not None
            else None,
            renderings.mapped(
                stream.dictionary, ref, lambda ref: stream_head(stream, ref, plain=False), "stored"
            )
            if how != "plain"
            else None,
        )

    def _settle_one(self) -> None:
        number, job, key = self._pending.popleft()
        held = self._held[key]
        held[0] -= 1
        if not held[0]:
            del self._held[key]
            self._pending_bytes -= held[1]
        self._keep(number, job.result())

    def wait(self) -> None:
        """Wait for the shapes of streams being hashed: :attr:`known` holds them all."""
        while self._pending:
            self._settle_one()

    def close(self) -> None:
        """Stop the digest thread (waiting for what it is doing) and delete the copy."""
        try:
            if self._thread is not None:
                self._thread.shutdown(wait=True, cancel_futures=True)
                self._thread = None
            self._pending.clear()
            self._held.clear()
            self._pending_bytes = 0
        finally:
            self.spool.close()

    def _shape(self, value: Value, ref: RefMap, size: int) -> Shape:
        """:func:`~invoicebackup.pdf.digest.shape` of *value*, by what is known of it.

        *size*: see :meth:`record` (0: not kept).
        """
        if not size or not isinstance(value, (Dictionary, Array)):
            return shape(value, ref)
        by_value = self._by_value
        known = by_value.get(id(value))
        if known is None or known[0] is not value:
            if known is not None:
                self._by_value_bytes -= known[2]
            known = by_value[id(value)] = (value, shape(value), size)
            self._by_value_bytes += size
            while self._by_value_bytes > _BY_VALUE_BYTES and len(by_value) > 1:
                self._by_value_bytes -= by_value.pop(next(iter(by_value)))[2]
        digest, refs = known[1]
        mapped = tuple(map(ref, refs))
        # Where no reference is written as null, the canonical bytes are those of the
        # value as it is, and the references are in the same order (see shape).
        return (digest, mapped) if all(mapped) else shape(value, ref)  # type: ignore[return-value]

    def _keep(self, number: int, found: Shape) -> None:
        packed = _pack(found)
        if packed is not None:  # else read back
            self.known[number] = packed

    def record_page(self, number: int, root: Shape | None) -> None:
        """Record the :func:`~invoicebackup.pdf.digest.page_shape` of copied page *number*.

        ``None``: the writer cannot say what it is (the page is read back).
        """
        packed = None if root is None else _pack(root)
        if packed is None:
            self.copied_unread = True
        else:
            self.pages[number] = packed

    def commit(self) -> None:
        """What was staged is written."""
        self.spool.settle()

    def rollback(self, mark: int) -> None:
        """Forget objects numbered from *mark* on (their writing was dropped)."""
        self.spool.settle()
        self.known.forget(mark)
        # The dropped shapes' jobs run on, holding their buffers: only forgotten here.
        for dropped in [pending for pending in self._pending if pending[0] >= mark]:
            self._pending.remove(dropped)
            held = self._held[dropped[2]]
            held[0] -= 1
            if not held[0]:
                del self._held[dropped[2]]
                self._pending_bytes -= held[1]
        for number in [number for number in self.pages if number >= mark]:
            del self.pages[number]


class Renderings:
    """Canonical bytes of dictionaries met again by identity, every reference as it is.

    Values built once per compile (the object cache) recur in every copy of their
    document: a stream's dictionary (a form's may hold its resources whole), a page's
    resources. The oldest go first past *limit* bytes.
    """

    def __init__(self, limit: int = _RENDERINGS) -> None:
        self._limit = limit
        self._size = 0
        self._by_identity: dict[tuple[int, str], tuple[Dictionary, Head]] = {}

    def get(self, value: Dictionary, render: Callable[[RefMap], Head], kind: str) -> Head:
        """*value* rendered by *render* (of a kind of rendering) with references as they are."""
        key = (id(value), kind)
        known = self._by_identity.get(key)
        if known is not None and known[0] is value:
            return known[1]
        head = render(_as_is)
        self._by_identity[key] = (value, head)
        self._size += len(head[0])
        while self._size > self._limit:
            oldest = next(iter(self._by_identity))
            self._size -= len(self._by_identity.pop(oldest)[1][0])
        return head

    def mapped(
        self, value: Dictionary, ref: RefMap, render: Callable[[RefMap], Head], kind: str
    ) -> Head:
        """:meth:`get` with the references *ref* maps (rendered afresh where one is null)."""
        head, refs = self.get(value, render, kind)
        mapped = tuple(map(ref, refs))
        # As for values (Shapes._shape): no reference written as null, the same bytes.
        if all(mapped):
            return head, mapped  # type: ignore[return-value]
        return render(ref)


def _as_is(ref: Ref) -> Ref | None:
    return ref


def _finish(
    data: bytes | memoryview,
    how: Encoding,
    heads: tuple[Head | None, Head | None],
    inflated: dict[bytes, bytes | None],
) -> Shape:
    """A stream's shape from its heads (for plain data, for stored data) and its data."""
    plain = plain_of(data, how, inflated)
    if len(inflated) > _INFLATED:
        del inflated[next(iter(inflated))]
    head = heads[0] if plain is not None else heads[1]
    assert head is not None  # plain data is never None; stored data has its head
    return stream_shape(head, data, plain)


def page_digests(
    objects: ObjectWriter,
    spool: Spool,
    shapes: Shapes,
    *,
    pages: Sequence[int],
    pages_root: int,
) -> list[str]:
    """The digest of every page written so far (see :mod:`invoicebackup.pdf.digest`).

    Once, before the manifest is made: what was kept for the digests (the copy, the
    shapes, the digest thread) is let go, whether they are found or not.
    """
    try:
        shapes.wait()
        end = objects.flush()
        copy = spool.copy
        copy.flush()
        offsets = objects.offsets
        catalog = len(offsets)
        offsets.append(0)
        # Only the pages whose shape was not recorded are read back: the copy's page tree
        # lists those alone (the output's own tree, written by finish, lists every page).
        unread = [number for number in pages if number not in shapes.pages]
        tail = bytearray()
        offsets[pages_root] = end
        tail += b"%d 0 obj\n<</Type/Pages/Count %d/Kids[%s]>>\nendobj\n" % (
            pages_root,
            len(unread),
            b" ".join(b"%d 0 R" % number for number in unread),
        )
        offsets[catalog] = end + len(tail)
        tail += b"%d 0 obj\n<</Type/Catalog/Pages %d 0 R>>\nendobj\n" % (catalog, pages_root)
        listed: Callable[[int], bool] | None = None
        if not shapes.copied_unread:
            # Only our own pages are read back, and what they reach is ours: the objects
            # whose shapes are recorded (copied objects and pages, most of the file) are
            # never read, so the copy's table leaves them out (the reader keeps an entry
            # for each object a table lists).
            known, recorded = shapes.known, shapes.pages

            def listed(number: int) -> bool:
                return number not in known and number not in recorded

        tail += cross_reference(
            offsets, start=end + len(tail), trailer=b"/Root %d 0 R" % catalog, listed=listed
        )
        copy.seek(end)
        copy.write(tail)
        copy.flush()
        with mapped(copy.fileno()) as view:

            def give_back() -> None:
                # The map's pages read so far count in the process's memory until given
                # back; they are read again (from the page cache) if needed.
                view.madvise(mmap.MADV_DONTNEED)

            pdf = PdfFile(view, limits=READ_BACK)  # type: ignore[arg-type]
            digests = _digests(pdf, pages, shapes, give_back)
            # Stream data read are views into the map: let them go before it is closed.
            del pdf
            return digests
    finally:
        shapes.close()


def _digests(
    pdf: PdfFile,
    pages: Sequence[int],
    shapes: Shapes,
    after_page: Callable[[], None],
) -> list[str]:
    """Every page's digest: from the shapes recorded, else from *pdf* (the copy) read back.

    Objects are known by their number (every reference in the output is of generation 0).
    A page not recorded is read when its turn comes, as :meth:`PdfFile.pages` reads a kid
    of the copy's page tree (whose root passes nothing down): reading them all first
    would map in every one of their objects' neighbourhoods at once (the kernel maps the
    pages around each page of the copy read), which *after_page* gives back.
    """
    known = shapes.known
    # Whether the page being digested read anything from the copy (most pages are
    # recorded whole: nothing to forget or give back after them).
    read = False

    def shape_of(key: int | Ref) -> tuple[bytes, Iterable[int | Ref]]:
        nonlocal read
        if type(key) is int:
            packed = known.get(key)
            if packed is not None:
                return _unpack(packed)
            read = True
            value = pdf.object(key)
        else:
            read = True
            assert isinstance(key, Ref)
            value = pdf.object(key.num, key.gen)
        # Not recorded: read back, and kept for the pages that reach it again.
        found = shape(value)
        packed = _pack(found)
        if packed is not None and type(key) is int:
            known[key] = packed
        return found[0], [_key(ref) for ref in found[1]]

    index: dict[int | Ref, int] = {number: position for position, number in enumerate(pages)}
    digests = []
    for number in pages:
        packed = shapes.pages.get(number)
        root: tuple[bytes, Iterable[int | Ref]]
        if packed is None:
            read = True
            digest, refs = page_shape(_read_page(pdf, number))
            root = digest, [_key(ref) for ref in refs]
        else:
            root = _unpack(packed)
        digests.append(digest_page(number, root, index, shape_of))
        if read:
            # The reader keeps what it read (stream data included); at most one page's
            # objects are held.
            pdf.forget()
            after_page()
            read = False
    return digests


def _read_page(pdf: PdfFile, number: int) -> Page:
    """Page *number* of the copy, as its page tree gives it (the tree passes nothing down)."""
    node = pdf.object(number)
    if not isinstance(node, Dictionary):
        raise PdfError(DAMAGED, f"page {number} of the copy is not a dictionary")
    return page_of(Ref(number), node, {}, pdf.resolve)


def _pack(found: Shape) -> bytes | None:
    """*found* in few bytes: its digest, then its references' numbers (32 bits each).

    In the output every reference is of generation 0; ``None`` for one that is not.
    """
    digest, refs = found
    if not all(ref.gen == 0 and ref.num < _NUMBERS for ref in refs):
        return None
    return digest + array("I", [ref.num for ref in refs]).tobytes()


def _unpack(packed: bytes) -> tuple[bytes, Iterable[int]]:
    """A shape :func:`_pack` packed, each reference by its number."""
    return packed[:32], array("I", packed[32:])


def _key(ref: Ref) -> int | Ref:
    """What a page's digest knows an object of the output by: its number (generation 0)."""
    return ref.num if ref.gen == 0 else ref


def written_page(
    page_number: int,
    page: Dictionary,
    annotations: Sequence[int],
    *,
    number: Callable[[Ref, bool], int | None],
    written: Callable[[Ref], tuple[Value, bool]],
    renderings: Renderings,
) -> Shape | None:
    """The :func:`~.pdf.digest.page_shape` of output page *page_number*, written from *page*.

    What a reader of the output finds (:func:`~.pdf.reader.page_of`): the page's
    dictionary with each reference as it was written, ``/Annots`` extended by the
    reserved *annotations*, under a page tree that passes nothing down; what its
    attributes name (a ``/Resources`` held indirectly) is the object written for it.
    *number* gives the output number a source reference was written as (``None``: null),
    for an object copied once per occurrence or not; *written*, the value written for
    a source reference and whether it was copied once per occurrence. Either raises
    :class:`Unseen` where it cannot say for certain: then ``None``, and the page is read
    back. *renderings* knows resources met before.
    """

    def mapper(per_occurrence: bool) -> RefMap:
        def mapped(ref: Ref) -> Ref | None:
            found = number(ref, per_occurrence)
            return None if found is None else Ref(found)

        return mapped

    own = mapper(True)
    page_map = own
    if annotations:
        # The reserved annotations are output numbers, listed after the page's own: in
        # the value, references of no source, known by their identity.
        markers = [Ref(-1) for _ in annotations]
        reserved = {id(marker): Ref(n) for marker, n in zip(markers, annotations, strict=True)}
        listed = page.get(b"Annots")
        page = page.replaced(
            b"Annots", Array((*(listed if isinstance(listed, Array) else ()), *markers))
        )

        def with_reserved(ref: Ref) -> Ref | None:
            output = reserved.get(id(ref))
            return own(ref) if output is None else output

        page_map = with_reserved

    def resolve(value: Value) -> Value:
        # What a reader of the output resolves the reference to: the value written for it.
        if not isinstance(value, Ref) or own(value) is None:
            return None if isinstance(value, Ref) else value
        return written(value)[0]

    try:
        held = page.get(b"Resources")
        resources = None
        if isinstance(held, Ref) and own(held) is not None:
            resources = mapper(written(held)[1])
        found = page_of(Ref(page_number), page, {}, resolve)
        resolved = found.resources
        rendered = renderings.mapped(
            resolved, resources or page_map, lambda ref: render(resolved, ref), "value"
        )
        return page_shape(found, page_map, rendered=rendered)
    except Unseen:
        return None
