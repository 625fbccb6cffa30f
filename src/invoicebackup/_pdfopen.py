"""Opening one document for a backup: sniffed, read by :mod:`invoicebackup.pdf`, prepared.

1. :func:`sniff` looks at the bytes before any parser does (empty, ``%PDF-`` within the
   first KiB, or what the file really is: JPEG, PNG, ZIP/ODT/DOCX, HTML…).
2. :func:`open_pdf` reads the document **in isolation** with the library's one reader,
   :class:`~invoicebackup.pdf.reader.PdfFile`, which itself decrypts a file the empty
   user password opens (falling back to pypdf when anything it decrypted is not sure).
   A file it refuses as encrypted is decrypted by pypdf (with the empty password, then a
   caller's candidates) and one it refuses
   as damaged is rewritten, both through :func:`invoicebackup.pdf.pypdf_adapter.normalise`
   (pypdf's public API), and read again by the same reader; with ``repair``, a file
   neither reads is rewritten by qpdf (pikepdf, :mod:`invoicebackup._repair`). Then
   :func:`invoicebackup.pdf.document.prepare` cleans it of active content and reads
   every object its copy reaches, so damage shows here and not midway through a copy.
   Every refusal becomes a :class:`~invoicebackup.errors.BadDocumentError` with a
   stable code.

Nothing here is process-wide: no warnings filter and no other library's logger is
touched. What pypdf logs while rewriting a file goes wherever the host application sends
pypdf's logs; the document's notes are derived from what this library saw instead (a
cross-reference table that had to be rebuilt, a password from the provider…).
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Final, NoReturn

import attrs

from .errors import BadDocumentError
from .pdf import document as pdf_document
from .pdf.errors import DAMAGED, ENCRYPTED, PdfError
from .pdf.objectcache import ObjectCache
from .pdf.pypdf_adapter import normalise
from .pdf.reader import Limits as ReaderLimits
from .pdf.reader import PdfFile

#: How many leading bytes may precede ``%PDF-`` (viewers accept junk before the header).
HEADER_WINDOW: Final = 1024
#: At most this many candidate passwords are tried per document.
MAX_PASSWORDS: Final = 100
#: The largest document the repair step rewrites (it runs in memory and is not interruptible).
MAX_REPAIR_BYTES: Final = 64 * 1024 * 1024

REBUILT_NOTE: Final = "its cross-reference table is damaged; it was rebuilt to read the file"


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds that keep one pathological document from exhausting the process.

    Attributes:
        max_bytes: A document larger than this is ``too_large`` (``None``: no bound).
        max_pages: A document with more pages is ``too_large``.
        max_objects: A document whose cross-reference table lists more objects, or whose
            pages reach more, is ``too_large`` (the table is counted before any object
            is read).
        max_depth: Objects nested deeper than this are ``too_large`` (a nesting bomb),
            refused at the bracket that passes the bound.
        max_inflated: A cross-reference or object stream that inflates to more bytes
            than this is ``too_large``, and so are such streams that together inflate
            to more than 16 times the file's size (when that is more).
    """

    max_bytes: int | None = 512 * 1024 * 1024
    max_pages: int = 10_000
    max_objects: int = 500_000
    max_depth: int = 150
    max_inflated: int = 75_000_000

    def reader(self, size: int) -> ReaderLimits:
        """The reader's bounds for a file of *size* bytes."""
        return ReaderLimits(
            max_objects=self.max_objects,
            max_depth=self.max_depth,
            max_pages=self.max_pages,
            max_stream_output=self.max_inflated,
            max_total_output=max(self.max_inflated, 16 * size),
        )

    def object_cache(self) -> ObjectCache:
        """A cache of built values for the documents of one compile read within these bounds."""
        return ObjectCache(limits=self.reader(0).syntax())


@attrs.frozen(kw_only=True)
class Sniffed:
    """What the first bytes of a document say it is.

    Attributes:
        code: ``None`` when it looks like a PDF, else ``empty`` or ``not_pdf``.
        kind: What it looks like (``PDF``, ``JPEG image``, ``ODT document``…).
    """

    code: str | None
    kind: str


_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Microsoft Office document"),
    (b"{\\rtf", "RTF document"),
    (b"%!PS", "PostScript file"),
)


def sniff(data: bytes) -> Sniffed:
    """Tell what *data* is from its first bytes, without parsing it.

    A PDF is recognised by ``%PDF-`` within the first :data:`HEADER_WINDOW`
    bytes. Otherwise the real type is named when it is recognisable.
    """
    if not data:
        return Sniffed(code="empty", kind="empty file")
    head = data[:HEADER_WINDOW]
    if b"%PDF-" in head:
        return Sniffed(code=None, kind="PDF")
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return Sniffed(code="not_pdf", kind=kind)
    if head.startswith(b"PK\x03\x04"):
        return Sniffed(code="not_pdf", kind=_zip_kind(data))
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:256]:
        return Sniffed(code="not_pdf", kind="HTML page")
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return Sniffed(code="not_pdf", kind="XML or markup file")
    if len(data) <= HEADER_WINDOW and not head.strip():
        return Sniffed(code="empty", kind="blank file")
    return Sniffed(code="not_pdf", kind="file of unknown type")


def with_article(kind: str) -> str:
    """*kind* with "a" or "an" before it (``an HTML page``, ``a JPEG image``)."""
    article = (
        "an"
        if kind[:1].lower() in "aeiou" or kind.startswith(("HTML", "ODT", "XLSX", "RTF"))
        else "a"
    )
    return f"{article} {kind}"


def _zip_kind(data: bytes) -> str:
    head = data[:4096]
    if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
        return "ODT document (OpenDocument text in a ZIP archive)"
    if b"mimetypeapplication/vnd.oasis.opendocument" in head:
        return "OpenDocument file (ZIP archive)"
    if b"word/" in data[:65536]:
        return "DOCX document (Word, ZIP archive)"
    if b"xl/" in data[:65536]:
        return "XLSX workbook (Excel, ZIP archive)"
    return "ZIP archive"


class NeedsBytes(Exception):
    """A compacted document needs its bytes again to be copied (parse it again)."""


class ParsedPdf:
    """One parsed, validated document, ready to be copied into a backup.

    Opaque outside the PDF modules; create it with :func:`open_pdf`.

    Attributes:
        key: The document's key in the store.
        filename: Its file name.
        page_count: How many pages it has (at least one).
        encrypted: Whether it was encrypted (and opened with the empty password or
            one from the password provider).
        repaired: Whether it could not be read and was rewritten with qpdf (pikepdf).
        notes: What the merge changes about it or what was wrong with it, in words
            (a signature that does not survive, a rebuilt cross-reference table…).
        outline: Its own bookmarks, with page indexes relative to its first page.
    """

    __slots__ = (
        "_compacted",
        "_data",
        "_file",
        "_prepared",
        "_released",
        "_token",
        "encrypted",
        "filename",
        "key",
        "notes",
        "outline",
        "page_count",
        "repaired",
    )

    def __init__(
        self,
        *,
        file: PdfFile,
        data: bytes,
        prepared: pdf_document.Prepared,
        key: str,
        filename: str,
        encrypted: bool,
    ) -> None:
        #: The file the copy reads (``None`` once compacted or released).
        self._file: PdfFile | None = file
        #: The bytes as given (what a repair rewrites).
        self._data = data
        self._prepared = prepared
        self._compacted = False
        self._released = False
        #: What the writer shares this document's objects by when no key is given.
        self._token = object()
        self.key = key
        self.filename = filename
        self.page_count = len(prepared.pages)
        self.encrypted = encrypted
        self.repaired = False
        self.notes: tuple[str, ...] = ()
        self.outline: tuple[pdf_document.OutlineNode, ...] = prepared.outline

    def __repr__(self) -> str:
        return f"<ParsedPdf {self.key!r} pages={self.page_count}>"

    @property
    def compacted(self) -> bool:
        """Whether :meth:`compact` was called: only its pages, annotations and fields remain."""
        return self._compacted

    def compact(self) -> None:
        """Let go of the file, keeping what copying another occurrence needs.

        Another occurrence of a document copies its pages, annotations and form fields
        afresh (kept, prepared) and shares every other object, already written: the
        file is not needed again unless the writer no longer knows those objects, and
        then :class:`~invoicebackup._pdfwriter.BackupWriter` raises :class:`NeedsBytes`.
        """
        if self._compacted or self._released:
            return
        self._compacted = True
        self._file = None
        self._data = b""

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called (the document cannot be copied any more)."""
        return self._released

    def release(self) -> None:
        """Let go of the file, its objects and the bytes now."""
        self._released = True
        self._file = None
        self._data = b""
        self._prepared = pdf_document.Prepared()


def _bad(key: str, filename: str, code: str, reason: str) -> NoReturn:
    raise BadDocumentError(key=key, filename=filename, code=code, reason=reason)


def open_pdf(
    data: bytes,
    *,
    key: str,
    filename: str,
    limits: Limits | None = None,
    passwords: Callable[[], Iterable[str]] | None = None,
    repair: bool = False,
    cache: ObjectCache | None = None,
) -> ParsedPdf:
    """Parse and validate one document on its own.

    Args:
        data: The document's bytes.
        key: Its key in the store (for error messages).
        filename: Its file name (for error messages).
        limits: Bounds on size, pages, objects and nesting.
        passwords: Called (at most once, only when the empty password does not open
            an encrypted document) for candidate passwords, tried in order (at most
            :data:`MAX_PASSWORDS`). Its exceptions propagate unchanged.
        repair: When neither the reader nor pypdf can read the document and pikepdf
            (the ``repair`` extra) is installed, rewrite the document with it and try
            again.
        cache: Values built from the other documents of the same compile, by their
            bytes (:meth:`Limits.object_cache`); the document is read the same without.

    Returns:
        A handle to copy into a :class:`~invoicebackup._pdfwriter.BackupWriter`.

    Raises:
        BadDocumentError: With code ``empty``, ``not_pdf``, ``damaged``,
            ``encrypted`` (a user password is needed), ``unsupported_encryption``
            or ``too_large``.
    """
    limits = limits or Limits()
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        _bad(key, filename, "too_large", f"it has {len(data)} bytes, over the limit")
    sniffed = sniff(data)
    if sniffed.code == "empty":
        _bad(key, filename, "empty", f"it is an {sniffed.kind} (no content)")
    try:
        if sniffed.code == "not_pdf":
            _bad(
                key,
                filename,
                "not_pdf",
                f"it is not a PDF; it looks like {with_article(sniffed.kind)}",
            )
        return _parse(
            data, key=key, filename=filename, limits=limits, passwords=passwords, cache=cache
        )
    except BadDocumentError as error:
        repairable = error.code == "damaged" or (
            error.code == "not_pdf" and sniffed.kind == "file of unknown type"
        )
        if not (repair and repairable):
            raise
        return _repaired(
            data, error, key=key, filename=filename, limits=limits, passwords=passwords
        )


def repair_pdf(
    parsed: ParsedPdf,
    error: BadDocumentError,
    *,
    limits: Limits | None = None,
    passwords: Callable[[], Iterable[str]] | None = None,
) -> ParsedPdf:
    """Rewrite a document whose copy failed with *error* (pikepdf) and parse it again.

    Raises *error* again when it is no damage a rewrite can mend (or the document was
    already rewritten, compacted, or the rewrite does not help).
    """
    if parsed.repaired or error.code != "damaged" or not parsed._data:
        raise error
    return _repaired(
        parsed._data,
        error,
        key=parsed.key,
        filename=parsed.filename,
        limits=limits or Limits(),
        passwords=passwords,
    )


def _parse(
    data: bytes,
    *,
    key: str,
    filename: str,
    limits: Limits,
    passwords: Callable[[], Iterable[str]] | None,
    cache: ObjectCache | None = None,
) -> ParsedPdf:
    """Read *data* with the one reader (normalised first when it refuses), and prepare it."""
    notes: list[str] = []
    encrypted = False
    reader_limits = limits.reader(len(data))
    prepared: pdf_document.Prepared | None = None
    try:
        try:
            file = PdfFile(data, limits=reader_limits, cache=cache)
            if file.encrypted:
                # Opened with the empty user password by the reader itself (pdf.crypt).
                encrypted = True
                try:
                    prepared = pdf_document.prepare(file, max_objects=limits.max_objects)
                except PdfError as error:
                    if error.code != DAMAGED:
                        raise
                    # Not sure of what it decrypted: pypdf decrypts the file, as it does
                    # every file the reader does not open (this raises ``encrypted``).
                    file = PdfFile(data, limits=reader_limits, cache=cache, decrypt=False)
        except PdfError as error:
            if error.code == ENCRYPTED:
                encrypted = True
                readable, provided = _decrypted(data, key, filename, passwords)
                if provided:
                    notes.append("it was opened with a password from the password provider")
            elif error.code == DAMAGED:
                readable = _rewritten(data, error, key, filename)
                notes.append(REBUILT_NOTE)
            else:
                raise
            file = PdfFile(readable, limits=reader_limits, cache=cache)
        try:
            if prepared is None:
                prepared = pdf_document.prepare(file, max_objects=limits.max_objects)
        except PdfError as error:
            if error.code != DAMAGED or notes:
                raise
            # An object the pages reach is damaged: the file is rewritten and read again.
            file = PdfFile(
                _rewritten(data, error, key, filename), limits=reader_limits, cache=cache
            )
            notes.append(REBUILT_NOTE)
            prepared = pdf_document.prepare(file, max_objects=limits.max_objects)
    except PdfError as error:
        raise error.bad_document(key=key, filename=filename) from None
    except RecursionError:
        _bad(key, filename, "too_large", "its objects are nested too deeply")
    except MemoryError:
        _bad(key, filename, "too_large", "it needs more memory than is available")
    if not prepared.pages:
        _bad(key, filename, "damaged", "it has no pages")
    parsed = ParsedPdf(
        file=file,
        data=data,
        prepared=prepared,
        key=key,
        filename=filename,
        encrypted=encrypted,
    )
    parsed.notes = tuple(dict.fromkeys([*notes, *prepared.notes]))
    return parsed


def _rewritten(data: bytes, error: PdfError, key: str, filename: str) -> bytes:
    """*data* rewritten through pypdf, or the reader's *error* with pypdf's verdict added."""
    try:
        return normalise(data)
    except PdfError as second:
        if second.code != DAMAGED:
            raise
        raise PdfError(DAMAGED, f"{error.reason}; {second.reason}", offset=error.offset) from None


def _decrypted(
    data: bytes,
    key: str,
    filename: str,
    passwords: Callable[[], Iterable[str]] | None,
) -> tuple[bytes, bool]:
    """*data* decrypted; and whether a password from *passwords* was needed."""
    try:
        return normalise(data), False
    except PdfError as error:
        if error.code != ENCRYPTED:
            raise
    if passwords is None:
        _bad(key, filename, "encrypted", "it is protected by a password needed to open it")
    for candidate in _candidates(passwords):
        try:
            return normalise(data, password=candidate), True
        except PdfError as error:
            if error.code != ENCRYPTED:
                raise
    _bad(
        key,
        filename,
        "encrypted",
        "it is protected by a password needed to open it; none of the passwords provided opened it",
    )


def _candidates(passwords: Callable[[], Iterable[str]]) -> Iterator[str]:
    """The provider's passwords, at most :data:`MAX_PASSWORDS`; its exceptions propagate."""
    candidates = iter(passwords())
    for candidate in itertools.islice(candidates, MAX_PASSWORDS):
        if not isinstance(candidate, str):
            raise TypeError(f"a password must be a str, got {type(candidate).__name__}")
        yield candidate


def _repaired(
    data: bytes,
    error: BadDocumentError,
    *,
    key: str,
    filename: str,
    limits: Limits,
    passwords: Callable[[], Iterable[str]] | None,
) -> ParsedPdf:
    from ._repair import rewrite

    inflating = _inflating_stream(
        data, limits.max_inflated, max(limits.max_inflated, 16 * len(data))
    )
    if inflating is not None:
        # qpdf has no limit of its own: it would inflate the stream whole.
        _bad(key, filename, "too_large", f"{inflating} inflates past the decompression limit")
    found = rewrite(data, max_bytes=_repair_bound(limits))
    if found is None or sniff(found[0]).code is not None:
        raise error
    rewritten, pages = found
    try:
        parsed = _parse(rewritten, key=key, filename=filename, limits=limits, passwords=passwords)
    except BadDocumentError:
        raise error from None
    if parsed.page_count != pages:
        # qpdf wrote a page it could not read as null: a repair that loses a page is none.
        parsed.release()
        raise error
    parsed.repaired = True
    parsed.notes = (
        f"repaired: the PDF reader could not read it ({error.reason}); it was rewritten "
        "with qpdf (pikepdf) and read again",
        *(note for note in parsed.notes if note != REBUILT_NOTE),
    )
    return parsed


def _repair_bound(limits: Limits) -> int:
    if limits.max_bytes is None:
        return MAX_REPAIR_BYTES
    return min(limits.max_bytes, MAX_REPAIR_BYTES)


#: ``/Type /XRef`` or ``/Type /ObjStm``: the streams any reader inflates to read the file.
_STRUCTURE_TYPE: Final = re.compile(
    rb"/Type[\x00\t\n\x0c\r ]*/(XRef|ObjStm)(?=[\x00\t\n\x0c\r \[\]<>{}()/%]|\Z)"
)
#: A stream dictionary's filters, direct: one name or an array of names.
_FILTERS: Final = re.compile(
    rb"/Filter[\x00\t\n\x0c\r ]*(\[[^\]]*\]|/[^\x00\t\n\x0c\r \[\]<>{}()/%]*)"
)
_FLATE: Final = frozenset({b"FlateDecode", b"Fl"})
_DICT_END: Final = re.compile(rb"endobj|stream(?:\r\n|\n|\r)")
#: How far around ``/Type`` a structure stream's dictionary is looked for.
_DICT_WINDOW: Final = 4096


def _inflating_stream(data: bytes, limit: int, total: int) -> str | None:
    """The cross-reference or object stream of *data* inflating past *limit*, in words.

    Or the word for all of them when together they inflate past *total*; ``None`` when
    neither. Found by their ``/Type`` in the bytes (the file may be damaged: no table is
    trusted), and inflated a chunk at a time through their ``/FlateDecode`` filters,
    counting the bytes instead of keeping them.
    """
    inflated = 0
    for found in _STRUCTURE_TYPE.finditer(data):
        opening = data.rfind(b"obj", max(0, found.start() - _DICT_WINDOW), found.start())
        keyword = _DICT_END.search(data, found.end(), found.end() + _DICT_WINDOW)
        if opening < 0 or keyword is None or keyword[0] == b"endobj":
            continue
        filters = _FILTERS.search(data, opening, keyword.start())
        names = re.findall(rb"/([^\x00\t\n\x0c\r \[\]<>{}()/%]+)", filters[1]) if filters else []
        passes = len(list(itertools.takewhile(_FLATE.__contains__, names)))
        size = _inflated_size(memoryview(data)[keyword.end() :], passes, limit)
        what = "its cross-reference stream" if found[1] == b"XRef" else "an object stream in it"
        if size > limit:
            return what
        inflated += size
        if inflated > total:
            return "its cross-reference and object streams together"
    return None


def _inflated_size(data: memoryview, passes: int, limit: int) -> int:
    """How many bytes *data* inflates to through *passes* Flate passes, up to just past *limit*."""
    chunks: Iterable[bytes] = (bytes(data[i : i + 65536]) for i in range(0, len(data), 65536))
    for _ in range(passes):
        chunks = _inflated_chunks(chunks, limit)
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            break
    return size if passes else 0


def _inflated_chunks(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """*chunks* inflated, a piece at a time, until the end of the data or just past *limit*."""
    inflater = zlib.decompressobj()
    produced = 0
    for chunk in chunks:
        while chunk and not inflater.eof and produced <= limit:
            try:
                piece = inflater.decompress(chunk, 65536)
            except zlib.error:
                return
            chunk = inflater.unconsumed_tail
            produced += len(piece)
            yield piece
        if inflater.eof or produced > limit:
            return
