"""The PDF boundary: everything the rest of the library knows about PDFs goes through here.

With :mod:`invoicebackup._engine`, its engine's side (the only module that imports pypdf,
and only when a document needs it), in three steps that keep bad input away from good
output:

1. :func:`sniff` looks at the bytes before any parser does (empty, ``%PDF-``
   within the first KiB, or what the file really is: JPEG, PNG, ZIP/ODT/DOCX,
   HTML…).
2. :func:`open_pdf` parses one document **in isolation**: it decrypts with the
   empty password when it can, counts the pages (zero pages is damage), checks the
   page dictionaries, removes active content from its annotations and form, and
   makes its links explicit. Every exception the engine raises —
   including ``AssertionError``, ``NotImplementedError``, ``RecursionError``,
   ``KeyError`` — becomes a :class:`~invoicebackup.errors.BadDocumentError` with a
   stable code and the original as ``__cause__``.
3. :class:`BackupWriter` streams parsed documents into one output: each document's
   objects are written as soon as its copy succeeds (bounded in count and depth;
   stream data copied as the encoded bytes it is, most objects byte for byte with
   their references renumbered by :mod:`invoicebackup._rawpdf`; the pages of a simple
   document kept as the bytes of their copy, read from tokens), pages keep their
   size and rotation, links inside a document keep working, each document's form
   fields are moved under a parent field of their own so fields of different
   documents never merge, and active content (JavaScript, ``/OpenAction``,
   ``/Launch``, ``/AA``…) is not copied. ``/XFA`` and ``/SigFlags`` of sources are
   never carried over because the output's catalog and form dictionary are always
   our own. If the copy of one document fails, nothing of it is written and the
   error is reported for that document alone; :func:`repair_pdf` may rewrite it.

Around all three, pypdf's log messages and warnings are captured, never printed:
the ones that say something about a document become notes. Encrypted documents
are tried with the empty password, then a caller's candidates; a document pypdf
cannot read may be rewritten with pikepdf (``_repair``, the ``repair`` extra) and
read again. A source's bookmarks (:attr:`ParsedPdf.outline`) and layers are kept;
what cannot be kept (page labels, embedded files, XFA, signatures) is reported.

No pypdf type appears in a signature outside these two modules: parsed documents are
opaque :class:`ParsedPdf` handles and outlines are plain :class:`OutlineNode`
values. A simple document (:func:`_simple_document`) is read and copied from its
tokens, without the engine: a backup of simple documents never imports pypdf.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import itertools
import logging
import math
import re
import threading
import warnings
import zlib
from array import array
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Final, NoReturn, Protocol

import attrs

from . import _rawpdf
from .errors import BadDocumentError

if TYPE_CHECKING:
    from ._engine import _Reader

__all__ = [
    "BackupWriter",
    "Limits",
    "NeedsBytes",
    "OutlineNode",
    "ParsedPdf",
    "Sniffed",
    "open_pdf",
    "repair_pdf",
    "sniff",
]

#: How many leading bytes may precede ``%PDF-`` (viewers accept junk before the header).
HEADER_WINDOW: Final = 1024

_LETTER: Final = (612.0, 792.0)


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds that keep one pathological document from exhausting the process.

    Attributes:
        max_bytes: A document larger than this is ``too_large`` (``None``: no bound).
        max_pages: A document with more pages is ``too_large``.
        max_objects: A document whose cross-reference table lists more objects, or whose
            pages reach more, is ``too_large`` (the table is counted before any object
            is read).
        max_depth: Objects nested deeper than this are ``damaged`` (a nesting bomb;
            the copy is recursive and would exhaust the stack).
        max_inflated: A cross-reference or object stream that inflates to more bytes
            than this is ``too_large`` (the PDF engine's own bound on every stream it
            inflates, by default the same), and so are such streams that together
            inflate to more than 16 times the file's size (when that is more).
    """

    max_bytes: int | None = 512 * 1024 * 1024
    max_pages: int = 10_000
    max_objects: int = 2_000_000
    max_depth: int = 150
    max_inflated: int = 75_000_000


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


def _a(kind: str) -> str:
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


#: A unique token per parsed document (what the writer shares objects by, by default).
_TOKENS: Final = itertools.count(1)


class ParsedPdf:
    """One parsed, validated document, ready to be copied into a backup.

    Opaque outside this module; create it with :func:`open_pdf`.

    Attributes:
        key: The document's key in the store.
        filename: Its file name.
        page_count: How many pages it has (at least one).
        encrypted: Whether it was encrypted (and opened with the empty password or
            one from the password provider).
        repaired: Whether pypdf could not read it and it was rewritten with pikepdf.
        notes: What the merge changes about it or what was wrong with it, in words
            (a signature that does not survive, a rebuilt cross-reference table…).
        outline: Its own bookmarks, with page indexes relative to its first page.
    """

    __slots__ = (
        "_compacted",
        "_raw",
        "_reader",
        "_released",
        "_simple_pages",
        "_structure",
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
        reader: _Reader | None,
        structure: _Structure,
        key: str,
        filename: str,
        page_count: int,
        encrypted: bool,
        raw: _RawFile | None = None,
    ) -> None:
        #: The engine's reader; made from the bytes only when needed for a simple document.
        self._reader = reader
        #: A simple document's file, read without the engine.
        self._raw = raw
        self._released = False
        self._compacted = False
        self._simple_pages: list[_SimplePage] | None = None
        self._token = next(_TOKENS)
        self._structure = structure
        self.key = key
        self.filename = filename
        self.page_count = page_count
        self.encrypted = encrypted
        self.repaired = False
        self.notes: tuple[str, ...] = ()
        self.outline: tuple[OutlineNode, ...] = ()

    def __repr__(self) -> str:
        return f"<ParsedPdf {self.key!r} pages={self.page_count}>"

    @property
    def compacted(self) -> bool:
        """Whether :meth:`compact` was called: only its pages, annotations and fields remain."""
        return self._compacted

    def compact(self) -> None:
        """Let go of the bytes, keeping what copying another occurrence needs.

        Another occurrence of a document copies its pages, annotations and form fields
        afresh (already parsed) and shares every other object, already written: the
        bytes are not needed again unless the writer no longer knows those objects,
        and then :class:`BackupWriter` raises :class:`NeedsBytes`.
        """
        if self._compacted or self._released:
            return
        self._compacted = True
        if self._raw is not None:
            self._raw.data = b""
        if self._reader is not None:
            self._reader.compacted = True
            self._reader.stream = io.BytesIO()
            self._reader._data = b""

    def _data(self) -> bytes:
        """The document's bytes (empty once compacted or released)."""
        if self._raw is not None:
            return self._raw.data
        assert self._reader is not None
        return self._reader._data

    def _engine_reader(self) -> _Reader:
        """The engine's reader, made from a simple document's bytes on first need."""
        if self._reader is None:
            if self._compacted or self._released:
                raise NeedsBytes(self.key)
            assert self._raw is not None
            from . import _engine  # pypdf, on first need (see _engine)

            self._reader = _engine._Reader(self._raw.data)
        return self._reader

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called (the document cannot be copied any more)."""
        return self._released

    def release(self) -> None:
        """Let go of the parsed objects and the bytes now.

        The engine's objects point back at their reader, so a parsed document is only
        freed by a full garbage collection, which may come late: a compile releases each
        document it will not copy again, so memory does not grow with the backup. What
        the reader still holds after this (its cross-reference tables) refers to none of
        its objects, so the reader is freed without the garbage collector.
        """
        if self._reader is not None:
            from . import _engine  # already loaded: the reader is the engine's

            _engine.release(self._reader)
        if self._raw is not None:
            self._raw.data = b""
        self._released = True
        self._structure = _Structure()
        self._simple_pages = None


# -- the engine's voice -------------------------------------------------------------------
#
# pypdf reports the oddities of real-world files through the ``logging`` module (logger
# ``pypdf``, e.g. "EOF marker not found") and through ``warnings`` (``PdfReadWarning``).
# Neither may reach the user's stderr: inside the boundary both are captured, the
# messages that say something about the document become notes, and the rest are passed
# on at DEBUG level to this module's own logger.

#: The engines' loggers: pypdf's, and pikepdf's (the ``repair`` extra).
_ENGINE_LOGGERS: Final = (logging.getLogger("pypdf"), logging.getLogger("pikepdf"))
_log: Final = logging.getLogger(__name__)

#: Engine messages worth a note in the manifest, by a fragment of their text.
_ENGINE_NOTES: Final[tuple[tuple[str, str], ...]] = (
    ("EOF marker not found", "its end-of-file marker (%%EOF) is missing"),
    ("startxref", "its cross-reference table is damaged; it was rebuilt to read the file"),
    ("Xref table", "its cross-reference table is damaged; it was rebuilt to read the file"),
    (
        "Searching object with",
        "its cross-reference table is damaged; it was rebuilt to read the file",
    ),
    ("invalid pdf header", "bytes that are not PDF precede its header"),
    ("Stream length not defined", "a stream's declared length is wrong; it was recovered"),
)


class _EngineLogHandler(logging.Handler):
    """Collects pypdf's log records for the boundary call running in the same thread."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        stack: list[list[str]] | None = getattr(self.local, "stack", None)
        if not stack:
            # pypdf used by the host, outside our boundary, while one of our calls runs
            # in another thread: behave as if we were not here.
            logging.getLogger().handle(record)
            return
        stack[-1].append(record.getMessage())


_handler: Final = _EngineLogHandler()
_handler_lock: Final = threading.Lock()
_handler_users = 0
_saved_propagate: list[bool] = []


@contextmanager
def _quiet(into: list[str] | None = None) -> Iterator[list[str]]:
    """Capture the engine's log messages and warnings; yield the list (*into*) they go to."""
    global _handler_users
    with _handler_lock:
        if _handler_users == 0:
            _saved_propagate[:] = [logger.propagate for logger in _ENGINE_LOGGERS]
            for logger in _ENGINE_LOGGERS:
                logger.addHandler(_handler)
                logger.propagate = False
        _handler_users += 1
    stack: list[list[str]] = getattr(_handler.local, "stack", None) or []
    _handler.local.stack = stack
    messages: list[str] = [] if into is None else into
    stack.append(messages)
    try:
        with warnings.catch_warnings(record=True) as caught:
            # pypdf warns about every oddity of real-world files; the outcome is
            # reported through our codes and notes instead.
            warnings.simplefilter("always")
            yield messages
        messages.extend(str(w.message) for w in caught)
    finally:
        stack.pop()
        for message in messages:
            _log.debug("PDF engine: %s", message)
        with _handler_lock:
            _handler_users -= 1
            if _handler_users == 0:
                for logger, propagate in zip(_ENGINE_LOGGERS, _saved_propagate, strict=True):
                    logger.removeHandler(_handler)
                    logger.propagate = propagate


def _engine_notes(messages: Sequence[str]) -> list[str]:
    """The notes the engine's *messages* give about a document, each once."""
    notes: list[str] = []
    for message in messages:
        for fragment, note in _ENGINE_NOTES:
            if fragment in message and note not in notes:
                notes.append(note)
    return notes


@contextmanager
def _translated(
    key: str, filename: str, *, code: str = "damaged", messages: list[str] | None = None
) -> Iterator[None]:
    """Turn every engine exception into a :class:`BadDocumentError`, keeping the cause.

    The engine's log messages and warnings are captured (into *messages* when given).
    """
    try:
        with _quiet(messages):
            yield
    except (BadDocumentError, _CallerError, NeedsBytes):
        raise
    except _rawpdf.TooManyEntries as error:
        _bad(key, filename, "too_large", str(error), error)
    except MemoryError as error:
        _bad(key, filename, "too_large", "it needs more memory than is available", error)
    except RecursionError as error:
        _bad(key, filename, "damaged", "its objects are nested too deeply (recursion)", error)
    except Exception as error:
        name = type(error).__name__
        text = _first_line(error)
        limit = _limit_error(error)
        if limit is not None:
            code, reason = _limit_reason(error)
            _bad(key, filename, code, f"{reason} ({_first_line(limit)})", error)
        why = f"the PDF engine could not read it ({name}{': ' + text if text else ''})"
        if name == "DependencyError":
            _bad(key, filename, "unsupported_encryption", why, error)
        if name == "NotImplementedError" and "encrypt" in text.lower():
            _bad(key, filename, "unsupported_encryption", why, error)
        _bad(key, filename, code, why, error)


def _first_line(error: BaseException) -> str:
    """The first line of *error*'s message, at most 200 characters."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else ""


def _limit_error(error: BaseException | None) -> BaseException | None:
    """The engine's ``LimitReachedError`` that *error* is or was raised from, if any.

    The engine sometimes wraps it (a cross-reference stream that inflates too far is
    "Trailer cannot be read"), so the causes are followed too.
    """
    seen = 0
    while error is not None and seen < 16:
        if type(error).__name__ == "LimitReachedError":
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


#: The code and reason for each of the engine's limits, by a fragment of its messages
#: (those of the error and of what it was raised from); the first that matches wins.
_LIMIT_REASONS: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "Trailer cannot be read: Limit reached while decompressing",
        "too_large",
        "its cross-reference stream inflates past the decompression limit",
    ),
    ("decompressing", "too_large", "a stream in it inflates past the decompression limit"),
    ("decoding exceeded", "too_large", "decoding a stream in it takes more work than the limit"),
    ("stream length", "too_large", "a stream in it is longer than the limit"),
    (
        "Declared size",
        "too_large",
        "its cross-reference table declares more entries than the file can hold",
    ),
    ("XRef", "too_large", "its cross-reference streams declare more entries than the limit"),
    ("Value /N", "too_large", "an object stream in it declares more objects than the limit"),
    ("page tree depth", "too_large", "its page tree is nested deeper than the limit"),
    ("page tree", "too_large", "its page tree has more entries than the limit"),
    ("outline", "too_large", "its bookmarks are more, or nested deeper, than the limit"),
    ("field", "too_large", "its form fields are more, or nested deeper, than the limit"),
    ("array element", "too_large", "an array in it has more elements than the limit"),
    ("dictionary entries", "too_large", "a dictionary in it has more entries than the limit"),
    ("Token exceeds", "too_large", "a value in it is longer than the limit"),
    ("tokens", "too_large", "a content stream in it has more tokens than the limit"),
    ("cycl", "damaged", "its objects refer to themselves in a loop"),
    ("loop", "damaged", "its objects refer to themselves in a loop"),
)


def _limit_reason(error: BaseException) -> tuple[str, str]:
    """The code and reason for *error*, raised because one of the engine's limits was hit."""
    messages: list[str] = []
    cause: BaseException | None = error
    while cause is not None and len(messages) < 16:
        messages.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    text = " ".join(messages)
    for fragment, code, reason in _LIMIT_REASONS:
        if fragment in text:
            return code, reason
    return "too_large", "it is over one of the PDF engine's limits"


def _bad(key: str, filename: str, code: str, reason: str, cause: BaseException | None) -> NoReturn:
    raise BadDocumentError(key=key, filename=filename, code=code, reason=reason) from cause


#: At most this many candidate passwords are tried per document.
MAX_PASSWORDS: Final = 100

#: Notes written for signed or certified sources.
SIGNATURE_NOTE: Final = (
    "it is digitally signed: the signature does not survive the merge (the backup copies "
    "its pages, not its signed bytes; keep the original to verify the signature)"
)
CERTIFIED_NOTE: Final = (
    "it is certified (DocMDP): the certification does not survive the merge (keep the "
    "original to verify it)"
)
PURE_XFA_NOTE: Final = (
    "it is a pure XFA form: its content lives in XFA data that is not copied, so its "
    "pages show only what the PDF carries without it (often a placeholder message)"
)


class NeedsBytes(Exception):
    """A compacted document needs its bytes again to be copied (parse it again)."""


class _CallerError(Exception):
    """An exception raised by the caller's password provider, to be re-raised as it is."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def open_pdf(
    data: bytes,
    *,
    key: str,
    filename: str,
    limits: Limits | None = None,
    passwords: Callable[[], Iterable[str]] | None = None,
    repair: bool = False,
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
        repair: When pypdf cannot read the document and pikepdf (the ``repair``
            extra) is installed, rewrite the document with it and try again.

    Returns:
        A handle to copy into a :class:`BackupWriter`.

    Raises:
        BadDocumentError: With code ``empty``, ``not_pdf``, ``damaged``,
            ``encrypted`` (a user password is needed), ``unsupported_encryption``
            or ``too_large``; the engine's exception, if any, is the ``__cause__``.
    """
    limits = limits or Limits()
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        _bad(key, filename, "too_large", f"it has {len(data)} bytes, over the limit", None)
    sniffed = sniff(data)
    if sniffed.code == "empty":
        _bad(key, filename, "empty", f"it is an {sniffed.kind} (no content)", None)
    try:
        if sniffed.code == "not_pdf":
            _bad(
                key, filename, "not_pdf", f"it is not a PDF; it looks like {_a(sniffed.kind)}", None
            )
        return _parse(data, key=key, filename=filename, limits=limits, passwords=passwords)
    except BadDocumentError as error:
        repairable = error.code == "damaged" or (
            error.code == "not_pdf" and sniffed.kind == "file of unknown type"
        )
        if not (repair and repairable) or _limit_error(error.__cause__) is not None:
            # A resource limit (a decompression bomb…) is no damage to repair: qpdf has no
            # such limit and would inflate it whole.
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

    The objects a document's pages reach are read as they are copied, so damage there
    shows only then. Raises *error* again when it is no damage a rewrite can mend (or
    the document was already rewritten, or the rewrite does not help).
    """
    if parsed.repaired or error.code != "damaged" or _limit_error(error.__cause__) is not None:
        raise error
    return _repaired(
        parsed._data(),
        error,
        key=parsed.key,
        filename=parsed.filename,
        limits=limits or Limits(),
        passwords=passwords,
    )


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
        _bad(key, filename, "too_large", f"{inflating} inflates past the decompression limit", None)
    with _quiet():
        found = rewrite(data, max_bytes=_repair_bound(limits))
    if found is None or sniff(found[0]).code is not None:
        raise error from error.__cause__
    rewritten, pages = found
    try:
        parsed = _parse(rewritten, key=key, filename=filename, limits=limits, passwords=passwords)
    except BadDocumentError:
        raise error from error.__cause__
    if parsed.page_count != pages:
        # qpdf wrote a page it could not read as null: a repair that loses a page is none.
        parsed.release()
        raise error from error.__cause__
    parsed.repaired = True
    parsed.notes = (
        f"repaired: the PDF engine could not read it ({error.reason}); it was rewritten "
        "with qpdf (pikepdf) and read again",
        *parsed.notes,
    )
    return parsed


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
    """How many bytes *data* inflates to through *passes* Flate passes, up to just past *limit*.

    Each pass stops at the end of its zlib stream, at damage, or just past *limit*.
    """
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


#: The largest document the repair step rewrites (it runs in memory and is not interruptible).
MAX_REPAIR_BYTES: Final = 64 * 1024 * 1024


def _repair_bound(limits: Limits) -> int:
    if limits.max_bytes is None:
        return MAX_REPAIR_BYTES
    return min(limits.max_bytes, MAX_REPAIR_BYTES)


#: Objects nested deeper than this are left to the engine (and to the limits).
_PLAIN_DEPTH: Final = 32
#: The bounds of every cache of tokens (here and in :mod:`invoicebackup._engine`): only
#: tokens this short are kept, and no more than this many, so that a hostile file cannot
#: grow them without end.
_SHARED_STRING_BYTES: Final = 256
_SHARED_TOKENS: Final = 4096


def _hex_bytes(digits: bytes) -> bytes:
    """The bytes a hexadecimal string's *digits* stand for (white space ignored, odd padded)."""
    digits = digits.translate(None, b"\x00\t\n\x0c\r ")
    return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _parse(
    data: bytes,
    *,
    key: str,
    filename: str,
    limits: Limits,
    passwords: Callable[[], Iterable[str]] | None,
) -> ParsedPdf:
    """Read *data* as a simple document (without the engine) if it is one, else by the engine."""
    messages: list[str] = []
    with _translated(key, filename, messages=messages):
        raw = _RawFile.read(data, max_objects=limits.max_objects)
        simple = None if raw is None else _simple_document(raw, limits)
    if simple is not None:
        parsed = ParsedPdf(
            reader=None,
            raw=raw,
            structure=simple[1],
            key=key,
            filename=filename,
            page_count=len(simple[0]),
            encrypted=False,
        )
        parsed._simple_pages = simple[0]
        parsed.notes = tuple(_engine_notes(messages))
        return parsed
    from . import _engine  # pypdf, on first need (see _engine)

    return _engine.parse(
        data, key=key, filename=filename, limits=limits, passwords=passwords, messages=messages
    )


# -- simple documents -------------------------------------------------------------------
#
# Most documents of a backup are simple: a catalog, one flat page tree, pages whose only
# annotations are a plain form's widgets, and objects the raw copy handles. For them the
# engine's page tree, page objects, outline and cleaning are all no-ops; each page is
# instead read as tokens once and kept as the bytes of its copy, with its references left
# as slots the writer fills per occurrence, and so is each widget. Anything else — or
# anything unusual about a page, a widget or the form — goes through the engine, and the
# output is the same bytes either way (tests/test_pdf_simple.py compares them).

#: A dictionary's copy: bytes, and ``(number, generation)`` where a reference goes.
_Parts = tuple[bytes | tuple[int, int], ...]


@attrs.frozen
class _SimplePage:
    """One page of a simple document: its object number and its copy's entries.

    Attributes:
        idnum: The page's object number.
        parts: The page's copied entries (not ``/Parent`` nor the other excluded keys).
        annots: The references of its annotations, all widgets of the form, in order.
    """

    idnum: int
    parts: _Parts
    annots: tuple[tuple[int, int], ...] = ()


#: Catalog entries a simple document may have: none of them is read by the merge, but
#: the form (whose own entries :data:`_SIMPLE_FORM` lists).
_SIMPLE_CATALOG: Final = frozenset(
    {
        "/Type",
        "/Pages",
        "/PageMode",
        "/PageLayout",
        "/Metadata",
        "/Lang",
        "/ViewerPreferences",
        "/MarkInfo",
        "/Version",
        "/AcroForm",
    }
)
#: Form entries a simple document may have: those the merge reads, and no other.
_SIMPLE_FORM: Final = frozenset({"/Fields", "/DA", "/DR", "/NeedAppearances"})
_SIMPLE_PAGES_NODE: Final = frozenset({"/Type", "/Kids", "/Count"})
#: The same, as the text of name tokens.
_SIMPLE_CATALOG_TOKENS: Final = frozenset(name[1:].encode() for name in _SIMPLE_CATALOG)
_SIMPLE_FORM_TOKENS: Final = frozenset(name[1:].encode() for name in _SIMPLE_FORM)
_SIMPLE_PAGES_NODE_TOKENS: Final = frozenset(name[1:].encode() for name in _SIMPLE_PAGES_NODE)
_NUMBER_KINDS: Final = (_rawpdf.INTEGER, _rawpdf.REAL)
#: Widget entries the engine path would change (actions, links) or replace (the parent
#: of a top-level field), or that make a field more than one widget.
_WIDGET_REFUSED: Final = (b"Parent", b"Kids", b"A", b"AA", b"Dest")


class _RawFile:
    """A file with one classic cross-reference table, read without the engine.

    Attributes:
        data: The file's bytes (empty once its document is compacted or released).
        root: The catalog's reference.
        resolved: The objects the engine path would have read as objects before copying
            them (the catalog, the page tree, indirect resources and form, the lengths
            of streams): a copy writes these as the engine's objects, not byte for byte.
    """

    __slots__ = ("__weakref__", "_offsets", "data", "resolved", "root")

    def __init__(
        self, data: bytes, offsets: dict[tuple[int, int], int], root: tuple[int, int]
    ) -> None:
        self.data = data
        self._offsets = offsets
        self.root = root
        self.resolved: set[tuple[int, int]] = set()

    @classmethod
    def read(cls, data: bytes, *, max_objects: int | None = None) -> _RawFile | None:
        """The file of *data*, or ``None`` when it is not that simple.

        As simple as :class:`invoicebackup._engine._Reader` reads without the engine: one
        classic table, and a trailer without ``/Prev``, ``/XRefStm`` or ``/Encrypt``.
        Raises :class:`~invoicebackup._rawpdf.TooManyEntries` when the table lists more
        than *max_objects* entries.
        """
        table = _rawpdf.xref_table(data, max_entries=max_objects)
        found = None if table is None else _rawpdf.tokens(table.trailer)
        trailer = _dict_parts(found, frozenset()) if found else None
        if table is None or not found or trailer is None:
            return None
        entries = trailer[1]
        if b"Prev" in entries or b"XRefStm" in entries or b"Encrypt" in entries:
            return None
        root = _ref_entry(found, entries, b"Root")
        if root is None:
            return None
        offsets = {
            (number, generation): offset
            for number, offset, generation, in_use in table.entries
            if in_use
        }
        return cls(data, offsets, root)

    def object(
        self, idnum: int, generation: int, *, max_depth: int, strings: bool = False
    ) -> _rawpdf.RawObject | None:
        """Object *idnum* where the table puts it, if it is plain there (as the engine's)."""
        offset = self._offsets.get((idnum, generation))
        if offset is None:
            return None
        return _rawpdf.locate(
            self.data, offset, idnum, generation, max_depth=max_depth, strings=strings
        )

    def dictionary(
        self, ref: tuple[int, int], max_depth: int = _PLAIN_DEPTH
    ) -> tuple[list[re.Match[bytes]], _Parts, dict[bytes, tuple[int, int]]] | None:
        """The plain dictionary *ref* names: its tokens, copy parts and entries; else ``None``.

        See :func:`_dict_parts`.
        """
        raw = self.object(ref[0], ref[1], max_depth=max_depth, strings=True)
        if raw is None or raw.stream_start is not None:
            return None
        found = _rawpdf.tokens(raw.body)
        parsed = _dict_parts(found, frozenset()) if found else None
        return None if not found or parsed is None else (found, *parsed)


def _token(
    found: list[re.Match[bytes]], span: tuple[int, int], kind: int
) -> re.Match[bytes] | None:
    """The one token of the value *span*, if it is one token of *kind*."""
    start, end = span
    return found[start] if end - start == 1 and found[start].lastindex == kind else None


def _ref_entry(
    found: list[re.Match[bytes]], entries: dict[bytes, tuple[int, int]], key: bytes
) -> tuple[int, int] | None:
    """The reference that entry *key* is, if it is one."""
    span = entries.get(key)
    token = None if span is None else _token(found, span, _rawpdf.REF)
    return None if token is None else (int(token[6]), int(token[7]))


def _name_entry(
    found: list[re.Match[bytes]], entries: dict[bytes, tuple[int, int]], key: bytes
) -> bytes | None:
    """The name that entry *key* is (without ``/``), if it is a direct name."""
    span = entries.get(key)
    token = None if span is None else _token(found, span, _rawpdf.NAME)
    return None if token is None else token[_rawpdf.NAME]


def _ref_array(found: list[re.Match[bytes]], span: tuple[int, int]) -> list[tuple[int, int]] | None:
    """The references of the value *span*, if it is a direct array of references only."""
    start, end = span
    if (
        end - start < 2
        or found[start].lastindex != _rawpdf.OPEN_ARRAY
        or found[end - 1].lastindex != _rawpdf.CLOSE_ARRAY
    ):
        return None
    refs = []
    for token in found[start + 1 : end - 1]:
        if token.lastindex != _rawpdf.REF:
            return None
        refs.append((int(token[6]), int(token[7])))
    return refs


def _nesting(found: list[re.Match[bytes]], start: int, end: int) -> int:
    """How deep the engine's walk (:func:`_too_deep`) finds the value *start*:*end*, from 1."""
    deepest = level = 0
    for token in found[start:end]:
        kind = token.lastindex
        if kind == _rawpdf.CLOSE_DICT or kind == _rawpdf.CLOSE_ARRAY:
            level -= 1
            continue
        deepest = max(deepest, level + 1)
        if kind == _rawpdf.OPEN_DICT or kind == _rawpdf.OPEN_ARRAY:
            level += 1
    return deepest


def _simple_document(raw: _RawFile, limits: Limits) -> tuple[list[_SimplePage], _Structure] | None:
    """The pages of *raw* read as tokens, and its structure; ``None`` when it is not simple.

    Simple means: one classic cross-reference table, no encryption; a catalog with
    only :data:`_SIMPLE_CATALOG` entries; its page tree one node whose kids are the
    pages; and every page a plain object (see :func:`invoicebackup._rawpdf.locate`)
    of type ``/Page`` with a direct media box of four numbers, a direct integer
    rotation if any, resources that are a dictionary, no repeated key, no additional
    actions, and annotations (if any) that are a direct array of references to
    widgets. Every widget is a plain object on one page only, a top-level field
    listed in the form's ``/Fields`` (and every field listed is one of them), without
    actions, links, parent, kids or a signature type; the form has only
    :data:`_SIMPLE_FORM` entries (see :func:`_simple_form`). Those are the documents
    the engine path would copy unchanged; nothing of them goes through the engine.
    """
    catalog = raw.dictionary(raw.root)
    if catalog is None:
        return None
    found, _parts, entries = catalog
    if not _SIMPLE_CATALOG_TOKENS.issuperset(entries) or _name_entry(found, entries, b"Type") != (
        b"Catalog"
    ):
        return None
    tree = _ref_entry(found, entries, b"Pages")
    node = None if tree is None else raw.dictionary(tree)
    if tree is None or node is None:
        return None
    kids_found, _parts, kids_entries = node
    if not _SIMPLE_PAGES_NODE_TOKENS.issuperset(kids_entries) or (
        _name_entry(kids_found, kids_entries, b"Type") != b"Pages"
    ):
        return None
    span = kids_entries.get(b"Kids")
    kids = None if span is None else _ref_array(kids_found, span)
    if kids is None or not 0 < len(kids) <= limits.max_pages:
        return None
    raw.resolved.update((raw.root, tree))
    # Object numbers met so far: a page, a widget or the tree's nodes once each.
    seen = {raw.root[0], tree[0]}
    pages = []
    depth = min(_PLAIN_DEPTH, limits.max_depth)
    for idnum, generation in kids:
        if idnum in seen:
            return None
        seen.add(idnum)
        body = raw.object(idnum, generation, max_depth=depth, strings=True)
        if body is None or body.stream_start is not None:
            return None
        template = _page_template(body.body)
        if template is None:
            return None
        parts, resources, annots = template
        if resources is not None:
            if raw.dictionary(resources) is None:
                return None
            raw.resolved.add(resources)
        for widget, _generation in annots:
            if widget in seen:
                return None
            seen.add(widget)
        pages.append(_SimplePage(idnum=idnum, parts=parts, annots=annots))
    widgets: dict[tuple[int, int], _Parts] = {}
    for page in pages:
        for idnum, generation in page.annots:
            body = raw.object(idnum, generation, max_depth=depth, strings=True)
            copy = None if body is None or body.stream_start is not None else _widget(body.body)
            if copy is None:
                return None
            widgets[(idnum, generation)] = copy
    form = _simple_form(raw, found, entries, limits)
    if form is None or sorted(form.fields) != sorted(widgets):
        return None
    structure = _Structure(
        page_ids={page.idnum: index for index, page in enumerate(pages)},
        occurrence_ids={idnum for idnum, _generation in widgets},
        field_roots=list(form.fields),
        templates=widgets,
        form=form,
    )
    return pages, structure


@attrs.frozen
class _SimpleForm:
    """What the copy of a simple document needs of its form.

    Attributes:
        fields: The references of ``/Fields``, in order.
        da: The parts of the form's ``/DA`` entry (the key included), if it has one.
        fonts: The form's default resources' fonts: name and reference, in order.
        need_appearances: The form's ``/NeedAppearances``.
    """

    fields: tuple[tuple[int, int], ...] = ()
    da: _Parts = ()
    fonts: tuple[tuple[str, tuple[int, int]], ...] = ()
    need_appearances: bool = False

    def write_da(self, writer: BackupWriter, body: bytearray, occurrence: _Occurrence) -> None:
        """Append the form's ``/DA`` entry to *body* (the parent field of its fields)."""
        writer._fill(body, self.da, occurrence, per_occurrence=False)

    def default_fonts(self, writer: BackupWriter, occurrence: _Occurrence) -> dict[str, bytes]:
        """The form's default fonts the output's form does not have yet, by name."""
        return {
            name: b" " + writer._ref(occurrence, idnum, generation, per_occurrence=False)
            for name, (idnum, generation) in self.fonts
            if name not in writer._dr_fonts
        }


class _Form(Protocol):
    """What the copy needs of a document's form: :class:`_SimpleForm`, or the engine's."""

    @property
    def need_appearances(self) -> bool:
        """The form's ``/NeedAppearances``."""

    def write_da(self, writer: BackupWriter, body: bytearray, occurrence: _Occurrence) -> None:
        """Append the form's ``/DA`` entry to *body* (the parent field of its fields)."""

    def default_fonts(self, writer: BackupWriter, occurrence: _Occurrence) -> dict[str, bytes]:
        """The form's default fonts the output's form does not have yet, by name."""


def _simple_form(
    raw: _RawFile,
    found: list[re.Match[bytes]],
    entries: dict[bytes, tuple[int, int]],
    limits: Limits,
) -> _SimpleForm | None:
    """The catalog's form (*found*, *entries*: the catalog's), or ``None`` when it is not simple.

    Simple: no more than :data:`_SIMPLE_FORM` entries, no deeper than the limits
    allow, ``/Fields`` a direct array of references, ``/DR`` and its ``/Font`` direct
    dictionaries whose fonts are references, ``/NeedAppearances`` a direct boolean.
    """
    span = entries.get(b"AcroForm")
    if span is None:
        return _SimpleForm()
    target = _ref_entry(found, entries, b"AcroForm")
    if target is not None:
        read = raw.dictionary(target)
        if read is None:
            return None
        raw.resolved.add(target)
        found, _parts, form = read
    else:
        direct = _sub_dict(found, span)
        if direct is None:
            return None
        found, form = direct
    if (
        not _SIMPLE_FORM_TOKENS.issuperset(form)
        or _nesting(found, 0, len(found)) > limits.max_depth
    ):
        return None
    fields: list[tuple[int, int]] = []
    if b"Fields" in form:
        listed = _ref_array(found, form[b"Fields"])
        if listed is None:
            return None
        fields = listed
    da: _Parts = ()
    if b"DA" in form:
        parts = _dict_parts(found, frozenset(form) - {b"DA"})
        if parts is None:
            return None
        da = parts[0]
    fonts: list[tuple[str, tuple[int, int]]] = []
    if b"DR" in form:
        resources = _sub_dict(found, form[b"DR"])
        if resources is None:
            return None
        dr_found, dr = resources
        if b"Font" in dr:
            font_dict = _sub_dict(dr_found, dr[b"Font"])
            if font_dict is None:
                return None
            font_found, font_entries = font_dict
            for name in font_entries:
                font = _ref_entry(font_found, font_entries, name)
                if font is None:
                    return None
                fonts.append(("/" + name.decode("utf-8"), font))
    need_appearances = False
    if b"NeedAppearances" in form:
        flag = _token(found, form[b"NeedAppearances"], _rawpdf.KEYWORD)
        if flag is None or flag[_rawpdf.KEYWORD] == b"null":
            return None
        need_appearances = flag[_rawpdf.KEYWORD] == b"true"
    return _SimpleForm(
        fields=tuple(fields), da=da, fonts=tuple(fonts), need_appearances=need_appearances
    )


def _sub_dict(
    found: list[re.Match[bytes]], span: tuple[int, int]
) -> tuple[list[re.Match[bytes]], dict[bytes, tuple[int, int]]] | None:
    """The tokens and entries of the value *span* if it is a direct dictionary."""
    start, end = span
    if found[start].lastindex != _rawpdf.OPEN_DICT:
        return None
    inner = found[start:end]
    parsed = _dict_parts(inner, frozenset())
    return None if parsed is None else (inner, parsed[1])


#: A simple page's copy parts, its resources' reference when they are indirect, and its
#: annotations' references.
_PageTemplate = tuple[_Parts, tuple[int, int] | None, tuple[tuple[int, int], ...]]
#: Page templates by the page's bytes: documents from one generator repeat their pages'
#: text (1,144 pages, 170 different texts at N = 100). Bounded: full, it stops growing.
_PAGE_TEMPLATES: Final[dict[bytes, _PageTemplate | None]] = {}
_MAX_PAGE_TEMPLATES: Final = 4096
#: Only pages this short are cached (a hostile file's long pages must not fill memory).
_MAX_TEMPLATE_BYTES: Final = 4096


def _page_template(body: bytes) -> _PageTemplate | None:
    """The template of the page object *body*, or ``None`` when the page is not simple."""
    if body in _PAGE_TEMPLATES:
        return _PAGE_TEMPLATES[body]
    found = _rawpdf.tokens(body)
    page = _dict_parts(found, _PAGE_EXCLUDED_TOKENS) if found else None
    template = None
    if found and page is not None:
        template = _simple_entries(found, page)
    if len(_PAGE_TEMPLATES) < _MAX_PAGE_TEMPLATES and len(body) <= _MAX_TEMPLATE_BYTES:
        _PAGE_TEMPLATES[body] = template
    return template


def _simple_entries(
    found: list[re.Match[bytes]], page: tuple[_Parts, dict[bytes, tuple[int, int]]]
) -> _PageTemplate | None:
    """The template of a page whose top-level entries the engine path keeps as they are.

    ``None`` when it is not simple. The caller checks that indirect resources name a
    dictionary, and that the annotations are simple widgets.
    """
    parts, entries = page
    if b"AA" in entries:
        return None

    def kinds(name: bytes) -> list[int | None]:
        start, end = entries[name]
        return [token.lastindex for token in found[start:end]]

    if _name_entry(found, entries, b"Type") != b"Page":
        return None
    box = kinds(b"MediaBox") if b"MediaBox" in entries else []
    if (
        len(box) != 6
        or box[0] != _rawpdf.OPEN_ARRAY
        or box[5] != _rawpdf.CLOSE_ARRAY
        or any(kind not in _NUMBER_KINDS for kind in box[1:5])
    ):
        return None
    if b"Rotate" in entries and _token(found, entries[b"Rotate"], _rawpdf.INTEGER) is None:
        return None
    annots: tuple[tuple[int, int], ...] = ()
    if b"Annots" in entries:
        listed = _ref_array(found, entries[b"Annots"])
        if listed is None:
            return None
        annots = tuple(listed)
    if b"Resources" not in entries:
        return None
    resources = _ref_entry(found, entries, b"Resources")
    if resources is None and kinds(b"Resources")[0] != _rawpdf.OPEN_DICT:
        return None
    return parts, resources, annots


def _widget(body: bytes) -> _Parts | None:
    """The copy parts of the widget object *body*, or ``None`` when it is not simple.

    Simple: a ``/Widget`` annotation without :data:`_WIDGET_REFUSED` entries, whose
    field type, if any, is a direct name other than ``/Sig`` (a signature is noted).
    """
    found = _rawpdf.tokens(body)
    widget = _dict_parts(found, frozenset()) if found else None
    if not found or widget is None:
        return None
    parts, entries = widget
    if any(name in entries for name in _WIDGET_REFUSED):
        return None
    if _name_entry(found, entries, b"Subtype") != b"Widget":
        return None
    if b"FT" in entries and _name_entry(found, entries, b"FT") in (None, b"Sig"):
        return None
    return parts


#: Serialised names and reals of pages read as tokens, by their text (bounded).
_TOKEN_BYTES: Final[dict[tuple[int, bytes], bytes]] = {}


def _token_bytes(kind: int, text: bytes) -> bytes:
    """A name or real token as the engine's object is written.

    As :func:`invoicebackup._engine.serialise` writes it (tests compare them).
    """
    cached = _TOKEN_BYTES.get((kind, text))
    if cached is None:
        if kind == _rawpdf.NAME:
            cached = _name_bytes("/" + text.decode("utf-8"))
        else:
            cached = b" " + _real_bytes(float(text))
        if len(_TOKEN_BYTES) < _SHARED_TOKENS and len(text) <= _SHARED_STRING_BYTES:
            _TOKEN_BYTES[(kind, text)] = cached
    return cached


_SCALARS: Final = {b"true": b" true", b"false": b" false", b"null": b" null"}


def _dict_parts(
    found: list[re.Match[bytes]], excluded: frozenset[bytes]
) -> tuple[_Parts, dict[bytes, tuple[int, int]]] | None:
    """A dictionary's tokens as its copy's parts, and where each entry's value is.

    The parts are what :func:`invoicebackup._engine.serialise` writes for the engine's
    objects built from the same tokens (:func:`invoicebackup._engine._build`), without
    the dictionary's own ``<<``/``>>`` and its *excluded* keys (names without ``/``).
    The entries map each top-level key (without ``/``) to the range of its value's
    tokens. ``None`` when the tokens are not exactly one dictionary, a key repeats, or a
    name is not UTF-8.
    """
    if found[0].lastindex != _rawpdf.OPEN_DICT:
        return None
    parts: list[bytes | tuple[int, int]] = []
    out = bytearray()
    entries: dict[bytes, tuple[int, int]] = {}
    # One frame per open container: the keys seen for a dictionary, None for an array.
    frames: list[set[bytes] | None] = [set()]
    expect_key = [True]
    key = b""
    value_start = 0
    skip = False
    last = len(found) - 1
    for index in range(1, len(found)):
        token = found[index]
        kind = token.lastindex
        keys = frames[-1]
        if keys is not None and expect_key[-1]:
            if kind == _rawpdf.CLOSE_DICT:
                frames.pop()
                expect_key.pop()
                if not frames:
                    if index != last:
                        return None
                    break
                if not skip:
                    out += b">>"
            elif kind == _rawpdf.NAME:
                text = token[kind]
                if text in keys:
                    return None
                keys.add(text)
                expect_key[-1] = False
                if len(frames) == 1:
                    key = text
                    value_start = index + 1
                    skip = text in excluded
                if not skip:
                    try:
                        out += _token_bytes(kind, text)
                    except UnicodeDecodeError:
                        return None
                continue
            else:
                return None
        elif kind == _rawpdf.OPEN_DICT or kind == _rawpdf.OPEN_ARRAY:
            frames.append(set() if kind == _rawpdf.OPEN_DICT else None)
            expect_key.append(True)
            if not skip:
                out += b"<<" if kind == _rawpdf.OPEN_DICT else b"["
            continue
        elif kind == _rawpdf.CLOSE_ARRAY:
            if keys is not None:
                return None
            frames.pop()
            expect_key.pop()
            if not skip:
                out += b"]"
        elif kind == _rawpdf.CLOSE_DICT:
            return None  # a dictionary closed where a value is expected
        elif skip:
            pass
        elif kind == _rawpdf.REF:
            out += b" "
            parts.append(bytes(out))
            out.clear()
            parts.append((int(token[6]), int(token[7])))
        elif kind == _rawpdf.INTEGER:
            out += b" %d" % int(token[kind])
        elif kind == _rawpdf.NAME or kind == _rawpdf.REAL:
            try:
                out += _token_bytes(kind, token[kind])
            except UnicodeDecodeError:
                return None
        elif kind == _rawpdf.KEYWORD:
            out += _SCALARS[token[kind]]
        elif kind == _rawpdf.STRING:
            # The engine's string keeps the bytes it was made from as its original bytes,
            # which :func:`invoicebackup._engine.serialise` writes (tests/test_pdf_simple.py).
            out += _literal_bytes(token[kind])
        else:
            out += _literal_bytes(_hex_bytes(token[_rawpdf.HEX_STRING]))
        # A value is complete: its dictionary expects a key next.
        if frames[-1] is not None:
            expect_key[-1] = True
            if len(frames) == 1:
                entries[key] = (value_start, index + 1)
                skip = False
    else:
        return None
    if out:
        parts.append(bytes(out))
    return tuple(parts), entries


@attrs.define
class _Structure:
    """What the copy of a document needs to know about its pages, annotations and form.

    Computed once when the document is parsed, after active content was removed and
    links were made explicit, so every occurrence of the document copies the same thing.

    Attributes:
        removed: What was taken out, as short phrases.
        page_ids: The object number of each page held indirectly, to its index.
        annots: Per page, the annotations to copy (references or direct dictionaries; a
            simple document keeps its widgets' references on its pages instead).
        occurrence_ids: Objects each occurrence copies afresh: annotations and form fields
            (their pages, parents and links are the occurrence's own).
        dropped_ids: Annotations that are not copied; references to them become ``null``.
        field_roots: The top-level fields: those of ``/Fields``, then the top of every
            widget's field chain that ``/Fields`` does not reach (adopted).
        adopted: How many top-level fields were adopted from widgets alone.
        templates: The copy parts of the objects each occurrence copies afresh that were
            read as tokens (a simple document's widgets), by their reference.
        form: A simple document's form, read as tokens.
    """

    removed: list[str] = attrs.Factory(list)
    page_ids: dict[int, int] = attrs.Factory(dict)
    annots: list[list[Any]] = attrs.Factory(list)  # the engine's objects
    occurrence_ids: set[int] = attrs.Factory(set)
    dropped_ids: set[int] = attrs.Factory(set)
    field_roots: list[tuple[int, int]] = attrs.Factory(list)
    adopted: int = 0
    templates: dict[tuple[int, int], _Parts] = attrs.Factory(dict)
    form: _SimpleForm | None = None


@attrs.frozen(kw_only=True)
class OutlineNode:
    """One bookmark: a title, the 0-based page it opens, and its children."""

    title: str
    page_index: int
    children: tuple[OutlineNode, ...] = ()


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


def shifted(nodes: Sequence[OutlineNode], offset: int) -> tuple[OutlineNode, ...]:
    """*nodes* with every page index moved by *offset* (a source's bookmarks in the output)."""
    return tuple(
        OutlineNode(
            title=node.title,
            page_index=node.page_index + offset,
            children=shifted(node.children, offset),
        )
        for node in nodes
    )


#: Page keys that are not copied: the page tree parent (ours), structure-tree
#: links (no structure tree is copied), additional actions (active content),
#: annotations (copied separately, filtered), article beads and transitions'
#: presentation steps (they point into the source's catalog).
_PAGE_EXCLUDED: Final = ("/Parent", "/StructParents", "/AA", "/Annots", "/B", "/PresSteps")
#: The same keys as the text of name tokens (for pages read as tokens).
_PAGE_EXCLUDED_TOKENS: Final = frozenset(name[1:].encode() for name in _PAGE_EXCLUDED)


_Chunk = bytes | bytearray | memoryview


class _Occurrence:
    """The state of copying one occurrence of a document."""

    __slots__ = ("count", "new_shared", "occ", "pages", "parsed", "queue", "shared")

    def __init__(self, parsed: ParsedPdf, shared: dict[int, int]) -> None:
        self.parsed = parsed
        self.shared = shared
        self.new_shared: list[int] = []
        self.occ: dict[int, int] = {}
        self.pages: dict[int, int] = {}
        self.queue: deque[tuple[int, int, int, bool]] = deque()
        self.count = 0


#: How many documents' object maps are kept, most recently used first, for documents
#: that occur again (a certificate of insurance on every invoice of a vendor).
_SHARED_DOCUMENTS: Final = 512
#: Writes smaller than this are gathered into one (the output may be a slow stream).
_SMALL_WRITE: Final = 256 * 1024


class BackupWriter:
    """Assembles pages of parsed documents and our own pages into one PDF, streaming.

    Each document's objects are written to *out* as soon as its copy succeeds (they
    are staged while it is copied, so a document that fails midway leaves nothing
    behind); only the page list, the outline, the form's top-level fields and the
    offsets of the cross-reference table stay in memory. Stream data is copied as the
    encoded bytes it is, and most objects are copied byte for byte with their
    references renumbered (:mod:`invoicebackup._rawpdf`); the rest go through the
    engine. A document added again shares every object but its pages, annotations and
    form fields, which each occurrence gets afresh.

    Args:
        out: Where the PDF is written, front to back (never sought).
        title: The document title (``/Title``).
        subject: The document subject (``/Subject``).
        created: The creation time written as ``/CreationDate`` and ``/ModDate``
            (the only time stamp in the output).
        producer: The ``/Producer`` and ``/Creator`` written.
        limits: The bounds applied to each document's objects (count and nesting).
    """

    def __init__(
        self,
        out: IO[bytes],
        *,
        title: str,
        subject: str,
        created: datetime,
        producer: str = "invoicebackup",
        limits: Limits | None = None,
    ) -> None:
        self._out = out
        self._limits = limits or Limits()
        self._position = 0
        self._buffer = bytearray()
        self._offsets = array("Q", [0])
        self._staged: list[_Chunk] | None = None
        self._staged_size = 0
        self._pages = array("Q")
        self._info = (title, subject, created, producer)
        self._shared: OrderedDict[object, dict[int, int]] = OrderedDict()
        self._placeholder_font = 0
        self._fields: list[int] = []
        self._wrapper_names: set[str] = set()
        self._dr_fonts: dict[str, bytes] = {}
        self._need_appearances = False
        self._ocgs: dict[int, None] = {}
        self._oc_off: dict[int, None] = {}
        self._oc_order: list[bytes] = []
        self._oc_rb_groups: list[bytes] = []
        self._oc_done: set[object] = set()
        self._outline: tuple[OutlineNode, ...] = ()
        self._attachments: dict[str, bytes] = {}
        self._finished = False
        self._pages_root = self._allocate()
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        """How many pages the output has so far."""
        return len(self._pages)

    # -- the output stream ------------------------------------------------------------

    def _allocate(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _write(self, chunk: _Chunk) -> None:
        if self._staged is not None:
            self._staged.append(chunk)
            self._staged_size += len(chunk)
            return
        self._position += len(chunk)
        if len(chunk) < _SMALL_WRITE:
            self._buffer += chunk
            if len(self._buffer) < _SMALL_WRITE:
                return
            chunk = b""
        if self._buffer:
            self._out.write(bytes(self._buffer))
            self._buffer.clear()
        if chunk:
            self._out.write(chunk)

    def _put(self, number: int, *parts: _Chunk) -> None:
        self._offsets[number] = self._position + self._staged_size
        self._write(b"%d 0 obj\n" % number)
        for part in parts:
            self._write(part)
        self._write(b"\nendobj\n")

    def _put_stream(self, number: int, head: bytes, data: _Chunk) -> None:
        """Write a stream: *head* is its dictionary without the closing ``>>`` and /Length."""
        self._put(number, head, b"/Length %d>>\nstream\n" % len(data), data, b"\nendstream")

    # -- documents ----------------------------------------------------------------------

    def add_document(
        self, parsed: ParsedPdf, *, field_prefix: str, shared_key: object = None
    ) -> Added:
        """Copy every page of *parsed* to the end of the output.

        Args:
            parsed: A document from :func:`open_pdf`; it may be added several times.
            field_prefix: The partial name of the parent field the document's form
                fields are moved under (``[A-Za-z0-9_-]``, unique per output).
            shared_key: What identifies the document's bytes (its SHA-256): another
                occurrence — even parsed again — reuses the objects already written
                for it. By default, the parsed document itself.

        Raises:
            BadDocumentError: The copy failed (code ``damaged``, or ``too_large`` past
                the limits); nothing of the document was written.
        """
        if self._finished:
            raise ValueError("the backup is already finished")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", field_prefix):
            raise ValueError(f"field_prefix must match [A-Za-z0-9_-]+, got {field_prefix!r}")
        if field_prefix in self._wrapper_names:
            raise ValueError(f"field_prefix {field_prefix!r} is already used in this output")
        if parsed.released:
            raise ValueError(f"{parsed!r} was released")
        key = shared_key if shared_key is not None else ("parsed", parsed._token)
        shared = self._shared.get(key)
        if parsed.compacted and shared is None:
            raise NeedsBytes(parsed.key)
        if shared is None:
            shared = {}
        else:
            self._shared.move_to_end(key)
        occurrence = _Occurrence(parsed, shared)
        mark = len(self._offsets)
        first = len(self._pages)
        self._staged = []
        self._staged_size = 0
        try:
            with _translated(parsed.key, parsed.filename):
                added, commit = self._copy(occurrence, key=key, field_prefix=field_prefix)
        except BaseException:
            self._staged = None
            self._staged_size = 0
            del self._offsets[mark:]
            del self._pages[first:]
            for idnum in occurrence.new_shared:
                shared.pop(idnum, None)
            raise
        staged, self._staged = self._staged, None
        self._staged_size = 0
        for chunk in staged:
            self._write(chunk)
        commit()
        self._shared[key] = shared
        while len(self._shared) > _SHARED_DOCUMENTS:
            self._shared.popitem(last=False)
        self._wrapper_names.add(field_prefix)
        return added

    def _copy(
        self, occurrence: _Occurrence, *, key: object, field_prefix: str
    ) -> tuple[Added, Callable[[], None]]:
        parsed = occurrence.parsed
        structure = parsed._structure
        removed = list(structure.removed)
        # A simple document's form was read as tokens; any other's is the engine's.
        form: _Form
        if parsed._simple_pages is not None:
            self._copy_simple_pages(occurrence, parsed._simple_pages)
            assert structure.form is not None  # read with its pages (_simple_document)
            form = structure.form
        else:
            from . import _engine  # pypdf, on first need (see _engine)

            _engine.copy_pages(self, occurrence)
            form = _engine.EngineForm(parsed)
        wrapper = 0
        if structure.field_roots:
            wrapper = self._allocate()
            body = bytearray(b"<</T")
            body += _string(field_prefix)
            form.write_da(self, body, occurrence)
            body += b"/Kids["
            for idnum, generation in structure.field_roots:
                body += b" "
                body += self._ref(occurrence, idnum, generation, per_occurrence=True)
            body += b"]>>"
            self._put(wrapper, body)
        roots = {idnum for idnum, _generation in structure.field_roots}
        self._drain(occurrence, roots, wrapper)
        dr_fonts = form.default_fonts(self, occurrence) if structure.field_roots else {}
        layers: Callable[[], None] = lambda: None  # noqa: E731
        oc_notes: list[str] = []
        if parsed._simple_pages is None:  # a simple document has no layers
            from . import _engine

            layers, oc_notes = _engine.optional_content(self, occurrence, key)
        self._drain(occurrence, roots, wrapper)
        need_appearances = bool(structure.field_roots) and form.need_appearances

        def commit() -> None:
            if wrapper:
                self._fields.append(wrapper)
            for font_name, value in dr_fonts.items():
                self._dr_fonts.setdefault(font_name, value)
            self._need_appearances |= need_appearances
            layers()

        notes = [*parsed.notes, *oc_notes]
        if structure.adopted:
            notes.append(
                f"{structure.adopted} of its form fields were widgets its form did not list; "
                "they were kept as fields of the document"
            )
        added = Added(
            first_page=len(self._pages) - parsed.page_count,
            page_count=parsed.page_count,
            fields=len(structure.field_roots),
            removed=tuple(sorted(set(removed))),
            notes=tuple(dict.fromkeys(notes)),
        )
        return added, commit

    def _allocate_pages(self, occurrence: _Occurrence, idnums: Sequence[int | None]) -> list[int]:
        """Number the occurrence's pages and append them to the output's page list.

        *idnums* are the source pages' object numbers (``None`` for a page held directly);
        references to them from the occurrence's objects become references to its pages.
        """
        numbers = []
        for idnum in idnums:
            number = self._allocate()
            numbers.append(number)
            if idnum is not None:
                occurrence.pages[idnum] = number
            self._pages.append(number)
        return numbers

    def _copy_simple_pages(self, occurrence: _Occurrence, pages: Sequence[_SimplePage]) -> None:
        """Write the occurrence's pages of a simple document (see :func:`_simple_document`)."""
        numbers = self._allocate_pages(occurrence, [page.idnum for page in pages])
        for page, number in zip(pages, numbers, strict=True):
            body = bytearray(b"<</Parent %d 0 R" % self._pages_root)
            self._fill(body, page.parts, occurrence, per_occurrence=True)
            if page.annots:
                body += b"/Annots["
                for idnum, generation in page.annots:
                    body += b" "
                    body += self._ref(occurrence, idnum, generation, per_occurrence=True)
                body += b"]"
            body += b">>"
            self._put(number, body)

    def _fill(
        self, body: bytearray, parts: _Parts, occurrence: _Occurrence, *, per_occurrence: bool
    ) -> None:
        """Append *parts* to *body*, with the occurrence's references in their slots."""
        for part in parts:
            if isinstance(part, bytes):
                body += part
            else:
                body += self._ref(occurrence, part[0], part[1], per_occurrence=per_occurrence)

    def _drain(self, occurrence: _Occurrence, roots: set[int], wrapper: int) -> None:
        """Write every object the occurrence's references reached, breadth first."""
        parsed = occurrence.parsed
        limit = self._limits.max_objects
        queue = occurrence.queue
        while queue:
            idnum, generation, number, per_occurrence = queue.popleft()
            occurrence.count += 1
            if not per_occurrence and parsed.compacted:
                raise NeedsBytes(parsed.key)  # an object the writer does not know yet
            if occurrence.count > limit:
                _bad(
                    parsed.key,
                    parsed.filename,
                    "too_large",
                    "its pages reach too many objects",
                    None,
                )
            if not per_occurrence and self._copy_raw(occurrence, idnum, generation, number):
                continue
            template = (
                parsed._structure.templates.get((idnum, generation)) if idnum in roots else None
            )
            if template is not None:  # a widget read as tokens: a top-level field
                body = bytearray(b"<<")
                self._fill(body, template, occurrence, per_occurrence=True)
                body += b"/Parent %d 0 R>>" % wrapper
                self._put(number, body)
                continue
            if not per_occurrence and self._copy_resolved(occurrence, idnum, generation, number):
                continue
            from . import _engine  # pypdf, on first need (see _engine)

            _engine.write_object(
                self, occurrence, idnum, generation, number, per_occurrence, roots, wrapper
            )

    def _copy_raw(self, occurrence: _Occurrence, idnum: int, generation: int, number: int) -> bool:
        """Copy a plain object byte for byte, references renumbered; False when it is not plain.

        Not an object the engine path reads before copying it (it may have changed it):
        that one is written as the engine's object.
        """
        parsed = occurrence.parsed
        reader = parsed._reader
        file = parsed._raw
        if reader is not None and (
            reader._encryption is not None or (generation, idnum) in reader.resolved_objects
        ):
            return False
        if file is not None:
            if (idnum, generation) in file.resolved:
                return False
            raw = file.object(idnum, generation, max_depth=self._limits.max_depth)
            data = file.data
        else:
            assert reader is not None
            raw = reader.raw_object(idnum, generation, max_depth=self._limits.max_depth)
            data = reader._data
        if raw is None:
            return False

        def ref(target: int, target_generation: int) -> bytes:
            return self._ref(occurrence, target, target_generation, per_occurrence=False)

        if raw.stream_start is None:
            self._put(number, _rawpdf.renumbered(raw.body, ref))
            return True
        assert raw.length is not None
        length, length_generation = raw.length
        if length_generation is not None:
            found = _length(parsed, length, length_generation)
            if found is None:
                return False
            length = found
        start = raw.stream_start
        if (
            length < 0
            or start + length > len(data)
            or not _rawpdf.stream_end_ok(data, start + length)
        ):
            return False
        body = _rawpdf.renumbered(raw.body, ref, length=length)
        self._put(
            number, body, b"\nstream\n", memoryview(data)[start : start + length], b"\nendstream"
        )
        return True

    def _copy_resolved(
        self, occurrence: _Occurrence, idnum: int, generation: int, number: int
    ) -> bool:
        """Write a simple document's dictionary the engine path would have read before copying.

        As :func:`invoicebackup._engine.serialise` writes the engine's object
        (:func:`_dict_parts`); False when
        it is not such a plain dictionary (the engine's object is written then).
        """
        file = occurrence.parsed._raw
        if file is None or (idnum, generation) not in file.resolved:
            return False
        read = file.dictionary((idnum, generation), min(_PLAIN_DEPTH, self._limits.max_depth))
        if read is None:
            return False
        body = bytearray(b"<<")
        self._fill(body, read[1], occurrence, per_occurrence=False)
        body += b">>"
        self._put(number, body)
        return True

    def _ref(
        self, occurrence: _Occurrence, idnum: int, generation: int, *, per_occurrence: bool
    ) -> bytes:
        """The output reference for source object *idnum*, allocating (and queueing) it."""
        page = occurrence.pages.get(idnum)
        if page is not None:
            return b"%d 0 R" % page if per_occurrence else b"null"
        structure = occurrence.parsed._structure
        if idnum in structure.dropped_ids or idnum in structure.page_ids:
            return b"null"
        if idnum in structure.occurrence_ids:
            if not per_occurrence:
                return b"null"
            table = occurrence.occ
        else:
            table = occurrence.shared
        number = table.get(idnum)
        if number is None:
            number = self._allocate()
            table[idnum] = number
            if table is occurrence.shared:
                occurrence.new_shared.append(idnum)
            occurrence.queue.append((idnum, generation, number, table is occurrence.occ))
        return b"%d 0 R" % number

    # -- our own pages ------------------------------------------------------------------

    def add_text_page(
        self, lines: Sequence[str], *, page_size: tuple[float, float] = _LETTER
    ) -> int:
        """Add a page of Helvetica text (a placeholder); return its 0-based index."""
        if self._finished:
            raise ValueError("the backup is already finished")
        if not self._placeholder_font:
            self._placeholder_font = self._allocate()
            self._put(
                self._placeholder_font,
                b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
            )
        content = self._allocate()
        self._put_stream(
            content,
            b"<</Filter/FlateDecode",
            zlib.compress(_text_ops(lines, top=page_size[1] - 72)),
        )
        page = self._allocate()
        width, height = (_number(v) for v in page_size)
        self._put(
            page,
            b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 %s %s]/Resources<</Font<</F1 %d 0 R>>>>"
            b"/Contents %d 0 R>>"
            % (self._pages_root, width, height, self._placeholder_font, content),
        )
        self._pages.append(page)
        return self.page_count - 1

    # -- finishing ------------------------------------------------------------------------

    def set_outline(self, nodes: Sequence[OutlineNode]) -> None:
        """Set the bookmark tree (written by :meth:`finish`); page indexes are the output's."""
        self._outline = tuple(nodes)

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
        kids = b" ".join(b"%d 0 R" % n for n in self._pages)
        self._put(
            self._pages_root,
            b"<</Type/Pages/Count %d/Kids[%s]>>" % (len(self._pages), kids),
        )
        catalog = bytearray(b"<</Type/Catalog/Pages %d 0 R" % self._pages_root)
        if self._outline:
            catalog += b"/Outlines %d 0 R/PageMode/UseOutlines" % self._write_outline()
        if self._fields:
            form = bytearray(b"<</Fields[%s]/DA" % _refs(self._fields))
            form += _string("/Helv 0 Tf 0 g")
            if self._dr_fonts:
                form += b"/DR<</Font<<"
                for font_name, value in self._dr_fonts.items():
                    form += _name_bytes(font_name) + value
                form += b">>>>"
            if self._need_appearances:
                form += b"/NeedAppearances true"
            form += b">>"
            number = self._allocate()
            self._put(number, form)
            catalog += b"/AcroForm %d 0 R" % number
        if self._ocgs:
            catalog += b"/OCProperties<</OCGs[%s]/D<</Name" % _refs(self._ocgs)
            catalog += _string("Layers of the backed-up documents")
            catalog += b"/BaseState/ON/OFF[%s]/Order[%s]" % (
                _refs(self._oc_off),
                b"".join(self._oc_order),
            )
            if self._oc_rb_groups:
                catalog += b"/RBGroups[%s]" % b"".join(self._oc_rb_groups)
            catalog += b">>>>"
        if self._attachments:
            names = bytearray()
            for filename in sorted(self._attachments):
                data = self._attachments[filename]
                stream = self._allocate()
                self._put_stream(
                    stream,
                    b"<</Type/EmbeddedFile/Filter/FlateDecode/Params<</Size %d>>" % len(data),
                    zlib.compress(data),
                )
                spec = self._allocate()
                self._put(
                    spec,
                    b"<</Type/Filespec/F%s/UF%s/EF<</F %d 0 R>>>>"
                    % (_string(filename), _string(filename), stream),
                )
                names += _string(filename) + b" %d 0 R" % spec
            catalog += b"/Names<</EmbeddedFiles<</Names[%s]>>>>" % names
        catalog += b">>"
        root = self._allocate()
        self._put(root, catalog)
        title, subject, created, producer = self._info
        stamp = _pdf_date(created)
        info = self._allocate()
        self._put(
            info,
            b"<</Title%s/Subject%s/Producer%s/Creator%s/CreationDate%s/ModDate%s>>"
            % tuple(_string(v) for v in (title, subject, producer, producer, stamp, stamp)),
        )
        for number in range(1, len(self._offsets)):
            if not self._offsets[number]:  # never happens; a hole would break the table
                self._put(number, b"null")
        digest = hashlib.md5(file_id, usedforsecurity=False).hexdigest().encode()
        start = self._position
        size = len(self._offsets)
        table = bytearray(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            table += b"%010d 00000 n \n" % self._offsets[number]
        table += b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]>>\n" % (
            size,
            root,
            info,
            digest,
            digest,
        )
        table += b"startxref\n%d\n%%%%EOF\n" % start
        self._write(table)
        if self._buffer:
            self._out.write(bytes(self._buffer))
            self._buffer.clear()
        return self._position

    def _write_outline(self) -> int:
        """Write the bookmark tree; return the number of its root."""
        root = self._allocate()
        numbers: dict[int, int] = {}
        for node, _siblings, _index, _parent in _preorder(self._outline):
            numbers[id(node)] = self._allocate()
        for node, siblings, index, parent in _preorder(self._outline):
            body = bytearray(b"<</Title")
            body += _string(node.title)
            body += b"/Parent %d 0 R" % (root if parent is None else numbers[id(parent)])
            if index > 0:
                body += b"/Prev %d 0 R" % numbers[id(siblings[index - 1])]
            if index + 1 < len(siblings):
                body += b"/Next %d 0 R" % numbers[id(siblings[index + 1])]
            if node.children:
                body += b"/First %d 0 R/Last %d 0 R/Count %d" % (
                    numbers[id(node.children[0])],
                    numbers[id(node.children[-1])],
                    _outline_count(node.children),
                )
            body += b"/Dest[%d 0 R/Fit]>>" % self._pages[node.page_index]
            self._put(numbers[id(node)], body)
        self._put(
            root,
            b"<</Type/Outlines/First %d 0 R/Last %d 0 R/Count %d>>"
            % (
                numbers[id(self._outline[0])],
                numbers[id(self._outline[-1])],
                _outline_count(self._outline),
            ),
        )
        return root


def _preorder(
    nodes: Sequence[OutlineNode], parent: OutlineNode | None = None
) -> Iterator[tuple[OutlineNode, Sequence[OutlineNode], int, OutlineNode | None]]:
    """Every bookmark under *nodes*, parents first: the node, its siblings, its index, its parent.

    A function of the module, not a closure that calls itself: such a closure would keep
    the writer (and the backup's file) in a cycle until the garbage collector found it.
    """
    for index, node in enumerate(nodes):
        yield node, nodes, index, parent
        yield from _preorder(node.children, node)


def _outline_count(nodes: Sequence[OutlineNode]) -> int:
    """How many bookmarks *nodes* hold, at every depth."""
    return sum(1 + _outline_count(node.children) for node in nodes)


#: Names already serialised (they are immutable), bounded so a hostile file cannot grow it.
_NAME_BYTES: Final[dict[str, bytes]] = {}


#: What a name escapes as ``#XX`` (as the engine writes names): the delimiters, ``#``,
#: white space and control characters; characters past ``~`` by their UTF-8 bytes.
_NAME_ESCAPES: Final = {
    **{chr(i): b"#%02X" % i for i in b"#()<>[]{}/%"},
    **{chr(i): b"#%02X" % i for i in range(33)},
}


def _name_bytes(name: str) -> bytes:
    """*name* (``/Name``) as the engine writes it, escapes and all.

    A surrogate stands for a byte of a name that is not UTF-8 (see
    :func:`invoicebackup._engine._build`): it is written as that byte.
    """
    cached = _NAME_BYTES.get(name)
    if cached is None:
        if name[:1] != "/":
            raise ValueError(f"a name starts with '/': {name!r}")
        parts = [b"/"]
        for char in name[1:]:
            if char > "~":
                parts.extend(b"#%02X" % byte for byte in char.encode("utf-8", "surrogateescape"))
            else:
                parts.append(_NAME_ESCAPES.get(char) or char.encode("utf-8"))
        cached = b"".join(parts)
        if len(_NAME_BYTES) < _SHARED_TOKENS and len(name) <= _SHARED_STRING_BYTES:
            _NAME_BYTES[name] = cached
    return cached


def _length(parsed: ParsedPdf, idnum: int, generation: int) -> int | None:
    """The integer object *idnum* a stream's ``/Length`` refers to, else ``None``."""
    file = parsed._raw
    if file is not None:
        raw = file.object(idnum, generation, max_depth=_PLAIN_DEPTH, strings=True)
        found = None if raw is None or raw.stream_start is not None else _rawpdf.tokens(raw.body)
        if found and len(found) == 1 and found[0].lastindex == _rawpdf.INTEGER:
            file.resolved.add((idnum, generation))  # as the engine's reading would
            return int(found[0][_rawpdf.INTEGER])
    from . import _engine  # pypdf, on first need (see _engine)

    return _engine.length_of(parsed._engine_reader(), idnum, generation)


def _refs(numbers: Iterable[int]) -> bytes:
    return b" ".join(b"%d 0 R" % n for n in numbers)


#: PDFDocEncoding (ISO 32000-1, annex D) as the engine has it: the bytes it leaves
#: undefined, and the characters of those where it differs from Latin-1.
_PDFDOC_UNDEFINED: Final = frozenset({0x00, 0x16, 0x7F, 0x9F, 0xAD})
_PDFDOC_DIFFERENCES: Final = dict(
    zip(
        [*range(0x18, 0x20), *range(0x80, 0x9F), 0xA0],
        map(
            chr,
            [
                *(0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC),
                *(0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039),
                *(0x203A, 0x2212, 0x2030, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A),
                *(0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160, 0x0178, 0x017D, 0x0131),
                *(0x0142, 0x0153, 0x0161, 0x017E, 0x20AC),
            ],
        ),
        strict=True,
    )
)
#: PDFDocEncoding's byte for each character it has.
_PDFDOC: Final = {
    _PDFDOC_DIFFERENCES.get(byte, chr(byte)): byte
    for byte in range(256)
    if byte not in _PDFDOC_UNDEFINED
}


def _string(text: str) -> bytes:
    """*text* as a PDF text string: PDFDocEncoding when it can be, else UTF-16BE.

    The engine's encoding (``TextStringObject.get_encoded_bytes``; tests compare them).
    """
    try:
        encoded = bytes(_PDFDOC[char] for char in text)
    except KeyError:
        encoded = b"\xfe\xff" + text.encode("utf-16be")
    return _literal_bytes(encoded)


#: What a literal string escapes: its delimiters, the escape character, and carriage
#: returns (a reader would turn a bare CR, or CR LF, into LF).
_LITERAL_ESCAPES: Final = re.compile(rb"[\\()\r]")


def _literal_bytes(data: bytes) -> bytes:
    """*data* as a PDF literal string, every other byte as it is."""
    escaped = _LITERAL_ESCAPES.sub(lambda m: b"\\r" if m[0] == b"\r" else b"\\" + m[0], data)
    return b"(" + escaped + b")"


def _number(value: float) -> bytes:
    return b"%d" % value if float(value).is_integer() else _real_bytes(float(value))


#: Significant digits the engine writes a real number with (pypdf's ``FLOAT_WRITE_PRECISION``).
_REAL_DIGITS: Final = 8


def _real_bytes(value: float) -> bytes:
    """A real number as the engine writes it (``FloatObject.myrepr``; tests compare them)."""
    if value == 0:
        return b"0.0"
    decimals = max(1, _REAL_DIGITS - int(math.log10(abs(value))))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".").encode()


def _pdf_date(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("D:%Y%m%d%H%M%SZ")


def _text_ops(lines: Sequence[str], *, top: float) -> bytes:
    ops = [b"BT", b"/F1 12 Tf", b"14 TL", b"72 " + str(round(top)).encode() + b" Td"]
    for index, line in enumerate(lines):
        size = b"/F1 16 Tf" if index == 0 else b"/F1 11 Tf"
        ops.append(size)
        for part in _wrap(line, 88):
            ops.append(_literal(part) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def _wrap(text: str, width: int) -> list[str]:
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _literal(text: str) -> bytes:
    """*text* as a string for the placeholder's font (cp1252), kept on one line."""
    raw = text.encode("cp1252", errors="replace")
    return _literal_bytes(raw.replace(b"\r", b" ").replace(b"\n", b" "))


# -- reading back (tests, manifests) ---------------------------------------------------
