"""Page digests: a SHA-256 per page of what a viewer draws for it, whatever the object numbers.

:func:`page_digests` and :func:`shape` are the one canonicalisation both sides use: the
compiler records the digests of the backup it writes (the shape of each object it copies,
from the value it holds with each reference mapped to what it wrote, the rest read back
with :class:`~.reader.PdfFile`; see :mod:`invoicebackup._snapshot`), and ``verify``
recomputes them from the backup as it is now (with the same reader, so an edit appended
by an incremental update is what is digested, as a viewer would show it).

A page's digest covers its dictionary with the attributes it inherits made explicit
(``/MediaBox``, ``/CropBox``, ``/Rotate``, ``/Resources``) and, breadth first, every object
it reaches: content streams (their encoded bytes), resources, annotations, their
appearance streams. Each object is written once, in the order it is first reached, with
every reference in it replaced by the order of the object it names (``O3``), so the digest
does not depend on object numbers and cycles (a field's ``/Kids`` and ``/Parent``) end.
What is not the page's own is not followed: the page's ``/Parent`` (the page tree, which
lists every page), a reference to a page (``P7``: a link's destination, an annotation's
``/P``) and page tree nodes or the catalog reached any other way.

Two kinds are computed (:data:`PAGE_DIGESTS`): a backup records its kind beside its
digests, and ``verify`` recomputes them by that kind's rules. ``sha256-page/2`` (what a
compile records) differs from ``sha256-page/1`` in one rule, so that a file rewritten by
qpdf or pikepdf with their defaults still verifies: a stream stored with a chain of the
generalized filters (:mod:`.generalized`, which a rewrite decodes and compresses again
with Flate) is digested as its decoded data, not as its stored bytes.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, MutableMapping, Sequence
from typing import Final, Literal, TypeVar

from .errors import PdfError
from .filters import inflate
from .generalized import DECODERS, lzw
from .reader import Page, PdfFile
from .values import Array, Dictionary, Name, Real, Ref, Stream, String, Value

__all__ = [
    "PAGE_DIGEST",
    "PAGE_DIGESTS",
    "Encoding",
    "Head",
    "Key",
    "RefMap",
    "Shape",
    "digest_page",
    "digests_of_pages",
    "encoding",
    "page_digests",
    "page_shape",
    "plain_digest",
    "plain_of",
    "render",
    "shape",
    "stream_head",
    "stream_shape",
]

#: What the digests a compile records are: a name recorded beside them, changed whenever
#: the canonicalisation changes (a verifier compares only digests of a kind it knows).
PAGE_DIGEST: Final = "sha256-page/2"
#: Every kind of page digest this library computes, oldest first (see the module's text).
PAGE_DIGESTS: Final = ("sha256-page/1", PAGE_DIGEST)

_PARENT: Final = Name(b"Parent")
_RESOURCES: Final = Name(b"Resources")
_FILTER: Final = Name(b"Filter")
_PARAMS: Final = Name(b"DecodeParms")
_FLATE: Final = Name(b"FlateDecode")
_LZW: Final = Name(b"LZWDecode")
#: Keys of a stream's dictionary its shape leaves out, by their bytes (hashed in C).
_LENGTH_ONLY: Final = frozenset({b"Length"})
_FRAMING: Final = frozenset({b"Length", b"Filter", b"DecodeParms", b"DL"})
#: How much inflated data is hashed at a time.
_PIECE: Final = 1024 * 1024
_TYPE: Final = Name(b"Type")
#: Objects not followed when reached: the page tree and the document's catalog.
_STRUCTURE: Final = frozenset({Name(b"Pages"), Name(b"Catalog")})
#: The filters a stream's data is decoded from before it is digested, by kind: Flate
#: alone (or none) for ``sha256-page/1``; any chain of generalized filters after it.
_GENERALIZED: Final = {"sha256-page/1": False, PAGE_DIGEST: True}
#: Stream data stored with generalized filters other than Flate alone is decoded for its
#: digest only up to these sizes (stored, decoded): beyond, its stored bytes are digested
#: (decoding them is interpreted code, and their data is held whole; LZW decodes about
#: 3 MB of stored data a second).
_DECODE_INPUT: Final = 1024 * 1024
_DECODE_OUTPUT: Final = 16 * 1024 * 1024

#: An object's shape: the SHA-256 of its bytes with every reference written as ``R``
#: (a stream's data as its own SHA-256), and its references in the order they appear.
Shape = tuple[bytes, tuple[Ref, ...]]

#: How a reference in a value is seen where it is digested: the reference a reader of
#: that file would find in its place, or ``None`` where it finds ``null``.
RefMap = Callable[[Ref], Ref | None]


def _same(ref: Ref) -> Ref | None:
    return ref


def page_digests(
    pdf: PdfFile,
    pages: list[Page] | None = None,
    *,
    shapes: MutableMapping[Ref, Shape] | None = None,
    after_page: Callable[[], None] | None = None,
    kind: str = PAGE_DIGEST,
) -> list[str]:
    """The digest of every page of *pdf* (or of *pages*, read from it), hex, in order.

    Args:
        pdf: The file.
        pages: Its pages, when already read.
        shapes: Shapes of objects of *pdf* already known (:func:`shape` of the value
            :meth:`~.reader.PdfFile.object` gives): those are not read. Objects read are
            added to it.
        after_page: Called after each page (its objects are no longer needed).
        kind: Which of :data:`PAGE_DIGESTS` to compute.

    Raises:
        PdfError: The file (its page tree, an object a page reaches) cannot be read.
    """
    if pages is None:
        pages = pdf.pages()
    return digests_of_pages(
        pdf,
        [page.ref for page in pages],
        (page_shape(page) for page in pages),
        shapes=shapes,
        after_page=after_page,
        kind=kind,
    )


def digests_of_pages(
    pdf: PdfFile,
    refs: Sequence[Ref | None],
    roots: Iterable[Shape],
    *,
    shapes: MutableMapping[Ref, Shape] | None = None,
    after_page: Callable[[], None] | None = None,
    kind: str = PAGE_DIGEST,
) -> list[str]:
    """The digest of each page of *pdf* given its reference and its :func:`page_shape`.

    A writer that knows the shape of a page it wrote passes it instead of reading the
    page back; *roots* is consumed one page at a time, in order. See :func:`page_digests`.
    """
    index = {ref: number for number, ref in enumerate(refs) if ref is not None}
    known: MutableMapping[Ref, Shape] = {} if shapes is None else shapes

    def shape_of(ref: Ref) -> Shape:
        found = known.get(ref)
        if found is None:
            found = known[ref] = shape(pdf.object(ref.num, ref.gen), kind=kind)
        return found

    digests = []
    for ref, root in zip(refs, roots, strict=True):
        digests.append(digest_page(ref, root, index, shape_of, kind))
        # The reader keeps what it read (stream data included); the shapes kept here are
        # enough to digest an object seen again, so at most one page's objects are held.
        pdf.forget()
        if after_page is not None:
            after_page()
    return digests


def page_shape(
    page: Page,
    ref: RefMap = _same,
    *,
    resources: RefMap | None = None,
    rendered: Head | None = None,
) -> Shape:
    """The shape a page's digest starts from: its dictionary, what it inherits made explicit.

    What the page inherits is what a viewer uses: made explicit, so that a ``/Rotate`` or
    ``/Resources`` slipped into the page tree changes the digest of every page under it.
    The page's ``/Parent`` (the tree) is left out. *ref* maps the references in the
    page's dictionary (see :func:`shape`); *resources* those in its resources, when
    they are another object's, written with another map (by default *ref*); *rendered*
    is its resources' :func:`render`, when known.
    """
    own: dict[Name, Value | _Mapped | _Rendered] = {
        key: value for key, value in page.dictionary.items() if key != _PARENT
    }
    for key, value in (
        (b"MediaBox", page.media_box),
        (b"CropBox", page.crop_box),
        (b"Rotate", page.rotate),
    ):
        own[Name(key)] = value
    if rendered is not None:
        own[_RESOURCES] = _Rendered(rendered)
    elif resources is not None:
        own[_RESOURCES] = _Mapped(page.resources, resources)
    else:
        own[_RESOURCES] = page.resources
    return shape(Dictionary(own), ref)  # type: ignore[arg-type]  # a _Mapped item


def render(value: Value, ref: RefMap = _same) -> Head:
    """*value*'s canonical bytes and its references as *ref* maps them (see :func:`shape`)."""
    refs: list[Ref] = []
    pieces: list[bytes] = []
    _canonical(value, pieces, refs, ref)
    return b"".join(pieces), tuple(refs)


class _Mapped:
    """A value inside another whose references are mapped by a map of their own."""

    __slots__ = ("ref", "value")

    def __init__(self, value: Value, ref: RefMap) -> None:
        self.value = value
        self.ref = ref


class _Rendered:
    """A value inside another, already rendered (:func:`render`)."""

    __slots__ = ("head",)

    def __init__(self, head: Head) -> None:
        self.head = head


#: What a page's digest knows an object by: its reference, or anything standing for one
#: alike everywhere in the digest (a writer of its own file uses the number).
Key = TypeVar("Key", bound=Hashable)


def digest_page(
    page: Key | None,
    root: tuple[bytes, Iterable[Key]],
    index: Mapping[Key, int],
    shape_of: Callable[[Key], tuple[bytes, Iterable[Key]]],
    kind: str = PAGE_DIGEST,
) -> str:
    """The digest of one page from its :func:`page_shape` *root*, hex.

    *page* is what the page's own references are (``None``: none can be), *index* the
    page number of every page's, *shape_of* the shape (of *kind*) of the object a
    reference names.
    """
    digest = hashlib.sha256(kind.encode() + b"\n")
    queue: deque[tuple[bytes, Iterable[Key]]] = deque([root])
    # Each reference's label, once known: the page itself (an annotation's /P, a link to
    # its own top) is the same wherever the page stands, so a page moved by an edit
    # elsewhere keeps its digest; another page by its number; an object by the order
    # it is first reached in.
    labels: dict[Key, bytes] = {} if page is None else {page: b"S;"}
    objects = 0

    def label(ref: Key) -> bytes:
        nonlocal objects
        found = labels.get(ref)
        if found is not None:
            return found
        page_number = index.get(ref)
        if page_number is not None:
            found = labels[ref] = b"P%d;" % page_number
            return found
        found = labels[ref] = b"O%d;" % objects
        objects += 1
        queue.append(shape_of(ref))
        return found

    while queue:
        head, refs = queue.popleft()
        digest.update(head + b"".join(map(label, refs)))
    return digest.hexdigest()


def shape(
    value: Value,
    ref: RefMap = _same,
    *,
    plain: Callable[[Stream], bytes | None] | None = None,
    kind: str = PAGE_DIGEST,
) -> Shape:
    """The shape of object *value*: what a page's digest takes of each object it reaches.

    *ref* maps each reference in *value* to the one a reader of the digested file finds
    in its place: a writer digests what it copies, from the source's value, as it will
    read back (a reference it writes as ``null`` is a null). *plain* gives a stream's
    :func:`plain_digest` (a writer that copies one stream several times hashes it once).
    *kind* is which of :data:`PAGE_DIGESTS` the shape is for.
    """
    if isinstance(value, Dictionary) and _is_structure(_resolved(value.get(_TYPE), ref)):
        kind_of = value[_TYPE]
        assert isinstance(kind_of, Name)
        return hashlib.sha256(b"structure /" + kind_of.value).digest(), ()
    if isinstance(value, Stream):
        data = plain_digest(value, ref, kind) if plain is None else plain(value)
        return stream_shape(stream_head(value, ref, plain=data is not None), value.data, data)
    refs: list[Ref] = []
    pieces: list[bytes] = []
    _canonical(value, pieces, refs, ref)
    return hashlib.sha256(b"".join(pieces)).digest(), tuple(refs)


#: A stream's dictionary as its shape takes it: its canonical bytes and references.
Head = tuple[bytes, tuple[Ref, ...]]


def stream_head(stream: Stream, ref: RefMap = _same, *, plain: bool) -> Head:
    """What a stream's shape takes of its dictionary, its data *plain* or as stored.

    /Length is how the bytes were framed, not what they are; of plain data, how it was
    compressed is not either (qpdf compresses a stream that was not).
    """
    framing = _FRAMING if plain else _LENGTH_ONLY
    return render(
        Dictionary({k: v for k, v in stream.dictionary.items() if k.value not in framing}), ref
    )


def stream_shape(head: Head, data: bytes | memoryview, plain: bytes | None) -> Shape:
    """A stream's shape from its :func:`stream_head` and its data's :func:`plain_digest`.

    *head* is for plain data when *plain* is not ``None`` (its digest); otherwise
    for data as stored, and *data* (the stored bytes) is hashed.
    """
    tail = b"plain" + plain if plain is not None else b"encoded" + hashlib.sha256(data).digest()
    return hashlib.sha256(head[0] + tail).digest(), head[1]


def _is_structure(kind: Value) -> bool:
    # Only a name can be one (a /Type that is a dictionary is not hashable).
    return isinstance(kind, Name) and kind in _STRUCTURE


def _resolved(value: Value, ref: RefMap) -> Value:
    """*value*, or ``None`` where it is a reference *ref* maps to a null."""
    if isinstance(value, Ref):
        return ref(value)
    return value


def plain_digest(stream: Stream, ref: RefMap = _same, kind: str = PAGE_DIGEST) -> bytes | None:
    """The SHA-256 of *stream*'s data as it is without compression, when that is plain.

    A stream stored as is or with FlateDecode alone (no parameters): inflated piece by
    piece into the hash, never whole in memory; from ``sha256-page/2`` on, a stream
    stored with a chain of generalized filters too (decoded whole, within bounds).
    ``None`` for any other encoding (images in their own codecs, predictors) and for
    data that does not decode: their stored bytes are digested.
    """
    return plain_of(stream.data, encoding(stream, ref, kind))


#: A chain of generalized filters (:mod:`.generalized`), in the order they are undone,
#: each with its ``/EarlyChange`` (which only LZW reads).
Chain = tuple[tuple[Name, int], ...]

#: How a stream's data is digested: as stored (``None``), or plain, stored so, compressed
#: with FlateDecode alone, or (``sha256-page/2``) with a :data:`Chain` of other filters.
Encoding = Literal["plain", "flate"] | Chain | None


def encoding(stream: Stream, ref: RefMap = _same, kind: str = PAGE_DIGEST) -> Encoding:
    """How :func:`plain_digest` takes *stream*'s data (see :data:`Encoding`), for *kind*."""
    filters = _resolved(stream.dictionary.get(_FILTER), ref)
    if isinstance(filters, Array) and len(filters) == 1:
        filters = _resolved(filters[0], ref)
    if filters is None or (isinstance(filters, Array) and not filters):
        return "plain"
    params = _resolved(stream.dictionary.get(_PARAMS), ref)
    if filters == _FLATE and params in (None, Array()):
        return "flate"
    if not _GENERALIZED[kind]:
        return None
    # What is resolved already is not mapped again: a map knows only the source's references.
    names = [_resolved(name, ref) for name in filters] if isinstance(filters, Array) else [filters]
    if isinstance(params, Array):
        each = [_resolved(given, ref) for given in params]
    elif params is None or len(names) == 1:
        each = [params] * len(names)
    else:
        return None  # one dictionary for several filters (§7.3.8.2 wants an array): unsure
    chain = []
    for index, name in enumerate(names):
        early = _plain_params(each[index] if index < len(each) else None, ref)
        if not isinstance(name, Name) or early is None or (name != _FLATE and name not in DECODERS):
            return None
        chain.append((name, early))
    if len(chain) == 1 and chain[0][0] == _FLATE:
        return "flate"  # parameters that change nothing: inflated piece by piece
    return tuple(chain)


def _plain_params(params: Value, ref: RefMap) -> int | None:
    """The ``/EarlyChange`` of decode parameters that ask for no predictor, else ``None``.

    No parameters, or a dictionary whose ``/Predictor`` is absent or 1 (§7.4.4.3 Table 8:
    no prediction; its other keys then change nothing) and whose ``/EarlyChange`` is 0 or 1.
    """
    if params is None:
        return 1
    if not isinstance(params, Dictionary):
        return None
    predictor = _resolved(params.get(b"Predictor", 1), ref)
    early = _resolved(params.get(b"EarlyChange", 1), ref)
    if type(predictor) is not int or predictor != 1 or type(early) is not int:
        return None
    return early if early in (0, 1) else None


def plain_of(
    data: bytes | memoryview,
    how: Encoding,
    inflated: MutableMapping[bytes, bytes | None] | None = None,
) -> bytes | None:
    """:func:`plain_digest` of stream data *data* encoded as *how* says.

    *inflated* keeps what Flate data (or another chain) gave, by the SHA-256 of its bytes
    (hashing them costs less than decoding them again). Flate data is only hashed and
    inflated, which let other threads run: a writer can digest it on a thread of its own.
    """
    if how == "plain":
        return hashlib.sha256(data).digest()
    if how is None:
        return None
    if inflated is None:
        return _decoded_digest(data, how)
    key = hashlib.sha256(data).digest()
    if how != "flate":
        key += b"".join(b"/%s %d" % (name.value, early) for name, early in how)
    try:
        return inflated[key]
    except KeyError:
        found = inflated[key] = _decoded_digest(data, how)
        return found


def _decoded_digest(data: bytes | memoryview, chain: Chain | Literal["flate"]) -> bytes | None:
    """The SHA-256 of *data* decoded through *chain*; ``None`` past the bounds or damaged.

    A last Flate is inflated piece by piece into the hash, as Flate alone is; what comes
    before it, or a last filter of another kind, is decoded whole, within bounds.
    """
    if chain == "flate":
        return _inflated_digest(data)
    if len(data) > _DECODE_INPUT:
        return None
    *first, (last, early) = chain
    out = bytes(data)
    try:
        for name, each in first:
            out = _decoded(out, name, each)
        if last == _FLATE:
            return _inflated_digest(out)
        out = _decoded(out, last, early)
    except PdfError:
        return None
    return hashlib.sha256(out).digest()


def _decoded(data: bytes, name: Name, early: int) -> bytes:
    if name == _FLATE:
        return inflate(data, max_output=_DECODE_OUTPUT)
    if name == _LZW:
        return lzw(data, max_output=_DECODE_OUTPUT, early_change=early)
    return DECODERS[name](data, max_output=_DECODE_OUTPUT)


def _inflated_digest(data: bytes | memoryview) -> bytes | None:
    digest = hashlib.sha256()
    inflater = zlib.decompressobj()
    try:
        piece = inflater.decompress(data, _PIECE)
        while piece:
            digest.update(piece)
            piece = inflater.decompress(inflater.unconsumed_tail, _PIECE)
        digest.update(inflater.flush())
    except zlib.error:
        return None
    return digest.digest()


#: From how many items an array of integers alone is written in one pass (below, the
#: pass costs more than it saves).
_MANY: Final = 16


def _by_name(item: tuple[Name, Value]) -> bytes:
    return item[0].value


def _real(value: Real) -> bytes:
    """A real by its value: an integral one as the integer (``1.0`` is ``1``)."""
    number = float(value.text)  # its text, not Real.__float__: one call less per real
    return b"i%d;" % number if number.is_integer() else b"r%r;" % number


def _canonical(
    value: Value | _Mapped | _Rendered, out: list[bytes], refs: list[Ref], ref: RefMap
) -> None:
    """*value* written so that files that say the same say it alike.

    Dictionary keys sorted, a null entry as none (§7.3.7), names and strings by their
    values (``/F#6F`` is ``/Fo``, a hex string its bytes), numbers by value, each piece
    length-prefixed: a file rewritten by another tool (qpdf sorts keys, drops nulls)
    digests alike, and no two values write the same. Each reference is as *ref* maps it.
    """
    # The most frequent kinds first: this runs for every value of every object digested.
    if isinstance(value, Name):
        out.append(b"/%d:%s" % (len(value.value), value.value))
    elif isinstance(value, Ref):
        mapped = ref(value)
        if mapped is None:
            out.append(b"n")
        else:
            refs.append(mapped)
            out.append(b"R")
    elif value is None:
        out.append(b"n")
    elif value is True:
        out.append(b"t")
    elif value is False:
        out.append(b"f")
    elif isinstance(value, int):
        out.append(b"i%d;" % value)
    elif isinstance(value, Dictionary):
        out.append(b"<")
        for key, item in sorted(value.items(), key=_by_name):
            # A reference is mapped once: an entry it maps to null is left out, as null.
            kind = type(item)
            if kind is Ref:
                mapped = ref(item)  # type: ignore[arg-type]
                if mapped is not None:
                    out.append(b"/%d:%sR" % (len(key.value), key.value))
                    refs.append(mapped)
            elif item is not None:
                out.append(b"/%d:%s" % (len(key.value), key.value))
                if kind is Name:
                    out.append(b"/%d:%s" % (len(item.value), item.value))  # type: ignore[union-attr]
                else:
                    _canonical(item, out, refs, ref)
        out.append(b">")
    elif isinstance(value, Array):
        if len(value) > _MANY and all(type(item) is int for item in value):
            # Integers alone (a font's /Widths holds hundreds): written in one pass.
            out.append(b"[%s]" % b"".join([b"i%d;" % item for item in value]))  # type: ignore[str-format]
            return
        out.append(b"[")
        for item in value:
            # The frequent leaves written here (this loop meets most numbers).
            kind = type(item)
            if kind is int:
                out.append(b"i%d;" % item)  # type: ignore[str-format]
            elif kind is Name:
                out.append(b"/%d:%s" % (len(item.value), item.value))  # type: ignore[union-attr]
            elif kind is Real:
                out.append(_real(item))  # type: ignore[arg-type]
            else:
                _canonical(item, out, refs, ref)
        out.append(b"]")
    elif isinstance(value, Real):
        out.append(_real(value))
    elif isinstance(value, String):
        out.append(b"(%d:%s" % (len(value.value), value.value))
    elif isinstance(value, _Mapped):
        _canonical(value.value, out, refs, value.ref)
    elif isinstance(value, _Rendered):
        out.append(value.head[0])
        refs.extend(value.head[1])
    else:  # a stream inside a value cannot be written (§7.3.8): as the file would, null
        out.append(b"n")
