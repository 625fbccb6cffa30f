"""The PDF boundary: the only module that imports pypdf.

Everything the rest of the library knows about PDFs goes through here, in three
steps that keep bad input away from good output:

1. :func:`sniff` looks at the bytes before any parser does (empty, ``%PDF-``
   within the first KiB, or what the file really is: JPEG, PNG, ZIP/ODT/DOCX,
   HTML…).
2. :func:`open_pdf` parses one document **in isolation**: it decrypts with the
   empty password when it can, counts the pages (zero pages is damage), and walks
   every object the pages reach (bounded in count and depth) so that the later
   copy cannot meet an unreadable object. Every exception the engine raises —
   including ``AssertionError``, ``NotImplementedError``, ``RecursionError``,
   ``KeyError`` — becomes a :class:`~invoicebackup.errors.BadDocumentError` with a
   stable code and the original as ``__cause__``.
3. :class:`BackupWriter` assembles parsed documents into one output: pages keep
   their size and rotation, links inside a document keep working (named
   destinations become explicit ones), each document's form fields are moved
   under a parent field of their own so fields of different documents never
   merge, and active content (JavaScript, ``/OpenAction``, ``/Launch``, ``/AA``…)
   is not copied. ``/XFA`` and ``/SigFlags`` of sources are never carried over
   because the output's catalog and form dictionary are always our own. If the
   copy of one document fails anyway, its pages are taken back out and the error
   is reported for that document alone.

Around all three, pypdf's log messages and warnings are captured, never printed:
the ones that say something about a document become notes. Encrypted documents
are tried with the empty password, then a caller's candidates; a document pypdf
cannot read may be rewritten with pikepdf (``_repair``, the ``repair`` extra) and
read again. A source's bookmarks (:attr:`ParsedPdf.outline`) and layers are kept;
what cannot be kept (page labels, embedded files, XFA, signatures) is reported.

No pypdf type appears in a signature outside this module: parsed documents are
opaque :class:`ParsedPdf` handles and outlines are plain :class:`OutlineNode`
values.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any, Final, NoReturn

import attrs
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    RectangleObject,
    TextStringObject,
)

from .errors import BadDocumentError

__all__ = [
    "BackupWriter",
    "Limits",
    "OutlineNode",
    "ParsedPdf",
    "Sniffed",
    "open_pdf",
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
        max_objects: A document whose pages reach more indirect objects is ``too_large``.
        max_depth: Objects nested deeper than this are ``damaged`` (a nesting bomb;
            the copy is recursive and would exhaust the stack).
    """

    max_bytes: int | None = 512 * 1024 * 1024
    max_pages: int = 10_000
    max_objects: int = 2_000_000
    max_depth: int = 150


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
        "_named",
        "_reader",
        "_removed",
        "encrypted",
        "filename",
        "key",
        "notes",
        "outline",
        "page_count",
        "repaired",
    )

    def __init__(
        self, *, reader: PdfReader, key: str, filename: str, page_count: int, encrypted: bool
    ) -> None:
        self._reader = reader
        self._named: dict[str, ArrayObject] | None = None
        self._removed: tuple[str, ...] = ()
        self.key = key
        self.filename = filename
        self.page_count = page_count
        self.encrypted = encrypted
        self.repaired = False
        self.notes: tuple[str, ...] = ()
        self.outline: tuple[OutlineNode, ...] = ()

    def __repr__(self) -> str:
        return f"<ParsedPdf {self.key!r} pages={self.page_count}>"

    def _named_destination(self, name: str) -> ArrayObject | None:
        if self._named is None:
            named: dict[str, ArrayObject] = {}
            try:
                for dest_name, dest in self._reader.named_destinations.items():
                    named[str(dest_name)] = dest.dest_array
            except Exception:
                pass
            self._named = named
        return self._named.get(name)


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
    except (BadDocumentError, _CallerError):
        raise
    except MemoryError as error:
        _bad(key, filename, "too_large", "it needs more memory than is available", error)
    except RecursionError as error:
        _bad(key, filename, "damaged", "its objects are nested too deeply (recursion)", error)
    except Exception as error:
        name = type(error).__name__
        text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        if name == "LimitReachedError":
            _bad(
                key,
                filename,
                "too_large",
                f"a stream in it inflates past the PDF engine's decompression limit ({text})",
                error,
            )
        why = f"the PDF engine could not read it ({name}{': ' + text if text else ''})"
        if name == "DependencyError":
            _bad(key, filename, "unsupported_encryption", why, error)
        if name == "NotImplementedError" and "encrypt" in text.lower():
            _bad(key, filename, "unsupported_encryption", why, error)
        _bad(key, filename, code, why, error)


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
        if not (repair and repairable) or type(error.__cause__).__name__ == "LimitReachedError":
            # A resource limit (a decompression bomb…) is no damage to repair: qpdf has no
            # such limit and would inflate it whole.
            raise
        from ._repair import rewrite

        with _quiet():
            rewritten = rewrite(data, max_bytes=_repair_bound(limits))
        if rewritten is None or sniff(rewritten).code is not None:
            raise
        try:
            parsed = _parse(
                rewritten, key=key, filename=filename, limits=limits, passwords=passwords
            )
        except BadDocumentError:
            raise error from error.__cause__
        parsed.repaired = True
        parsed.notes = (
            f"repaired: the PDF engine could not read it ({error.reason}); it was rewritten "
            "with qpdf (pikepdf) and read again",
            *parsed.notes,
        )
        return parsed


#: The largest document the repair step rewrites (it runs in memory and is not interruptible).
MAX_REPAIR_BYTES: Final = 64 * 1024 * 1024


def _repair_bound(limits: Limits) -> int:
    if limits.max_bytes is None:
        return MAX_REPAIR_BYTES
    return min(limits.max_bytes, MAX_REPAIR_BYTES)


def _parse(
    data: bytes,
    *,
    key: str,
    filename: str,
    limits: Limits,
    passwords: Callable[[], Iterable[str]] | None,
) -> ParsedPdf:
    encrypted = False
    messages: list[str] = []
    notes: list[str] = []
    try:
        with _translated(key, filename, messages=messages):
            reader = PdfReader(io.BytesIO(data), strict=False)
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
            removed = _strip_active_content(reader, pages)
            notes.extend(_structure_notes(reader))
    except _CallerError as error:
        raise error.original from None
    parsed = ParsedPdf(
        reader=reader, key=key, filename=filename, page_count=count, encrypted=encrypted
    )
    parsed._removed = removed
    outline, dropped = _source_outline(parsed, pages)
    parsed.outline = outline
    if dropped:
        notes.append(f"{dropped} of its bookmarks point nowhere or could not be read: left out")
    parsed.notes = (*_engine_notes(messages), *notes)
    return parsed


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


def _source_outline(
    parsed: ParsedPdf, pages: Sequence[DictionaryObject]
) -> tuple[tuple[OutlineNode, ...], int]:
    """The document's own bookmarks, with 0-based page indexes into the document.

    Entries whose target is not one of its pages are left out (their children
    move up); returns the tree and how many entries were left out.
    """
    index_of = {
        page.indirect_reference.idnum: i
        for i, page in enumerate(pages)
        if page.indirect_reference is not None
    }
    dropped = 0
    seen: set[int] = set()

    def target(item: DictionaryObject) -> int | None:
        dest: Any = item.get("/Dest")
        if dest is None:
            action = _dict(item.get("/A"))
            if action.get("/S") != "/GoTo":
                return None
            dest = action.get("/D")
        for _ in range(4):  # named -> dictionary -> array
            if dest is None:
                return None
            dest = dest.get_object()
            if isinstance(dest, (TextStringObject, ByteStringObject, NameObject, str)):
                name = str(dest)
                dest = parsed._named_destination(name.lstrip("/")) or parsed._named_destination(
                    name
                )
            elif isinstance(dest, DictionaryObject):
                dest = dest.get("/D")
            elif isinstance(dest, ArrayObject):
                if not dest:
                    return None
                page = dest[0]
                if isinstance(page, IndirectObject):
                    return index_of.get(page.idnum)
                if isinstance(page, NumberObject) and 0 <= int(page) < len(pages):
                    return int(page)  # a remote-style page number, seen in the wild
                return None
        return None

    def level(first: Any, depth: int) -> list[OutlineNode]:
        nonlocal dropped
        nodes: list[OutlineNode] = []
        ref = first
        while ref is not None and len(seen) < _MAX_OUTLINE_ITEMS:
            item = ref.get_object()
            if not isinstance(item, DictionaryObject) or id(item) in seen:
                break
            seen.add(id(item))
            children = level(item.get("/First"), depth + 1) if depth < _MAX_OUTLINE_DEPTH else []
            page = target(item)
            if page is None:
                dropped += 1
                nodes.extend(children)
            else:
                title = " ".join(str(item.get("/Title", "")).split())[:300] or "(untitled)"
                nodes.append(OutlineNode(title=title, page_index=page, children=tuple(children)))
            ref = item.get("/Next")
        return nodes

    try:
        with _quiet():
            root = _dict(parsed._reader.trailer.get("/Root"))
            outlines = _dict(root.get("/Outlines"))
            return tuple(level(outlines.get("/First"), 1)), dropped
    except Exception:
        return (), max(dropped, 1)


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


def _strip_active_content(reader: PdfReader, pages: Sequence[DictionaryObject]) -> tuple[str, ...]:
    """Remove active content from the parsed source, before anything is copied from it.

    Cleaning the source (which only we hold) rather than the copy means no
    unreferenced JavaScript object is ever written to the output. The catalog
    (``/OpenAction``, ``/AA``, ``/Names /JavaScript``) and page ``/AA`` are never
    copied at all.
    """
    removed: list[str] = []
    stack: list[DictionaryObject] = []
    for page in pages:
        raw = page.get("/Annots")
        annots = raw.get_object() if raw is not None else None
        if isinstance(annots, ArrayObject):
            stack.extend(a.get_object() for a in annots)
    root = _dict(reader.trailer.get("/Root"))
    form = _dict(root.get("/AcroForm"))
    fields = form.get("/Fields")
    fields = fields.get_object() if fields is not None else None
    if isinstance(fields, ArrayObject):
        stack.extend(f.get_object() for f in fields)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        _strip_actions(node, removed)
        for name in ("/Parent", "/Kids"):
            related = node.get(name)
            related = related.get_object() if related is not None else None
            if isinstance(related, DictionaryObject):
                stack.append(related)
            elif isinstance(related, ArrayObject):
                stack.extend(k.get_object() for k in related)
    return tuple(removed)


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
    """Resolve every object the pages (and the form) reach, iteratively and bounded."""
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = []
    for page in pages:
        if page.indirect_reference is not None:
            seen.add(page.indirect_reference.idnum)
    for page in pages:
        stack.extend((value, 1) for name, value in page.items() if name != "/Parent")
    root = reader.trailer.get("/Root")
    form = root.get_object().get("/AcroForm") if root is not None else None
    if form is not None:
        stack.append((form, 1))
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_depth:
            _bad(key, filename, "damaged", "its objects are nested too deeply", None)
        if isinstance(value, IndirectObject):
            if value.idnum in seen:
                continue
            seen.add(value.idnum)
            if len(seen) > limits.max_objects:
                _bad(key, filename, "too_large", "its pages reach too many objects", None)
            value = value.get_object()
        if isinstance(value, DictionaryObject):
            is_page = value.get("/Type") in ("/Page", "/Pages")
            stack.extend(
                (item, depth + 1)
                for name, item in value.items()
                if not (is_page and name == "/Parent")
            )
        elif isinstance(value, ArrayObject):
            stack.extend((item, depth + 1) for item in value)


# -- assembly -------------------------------------------------------------------------


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


#: Annotation kinds that carry active or embedded content and are never copied.
_DROPPED_ANNOTATIONS: Final = frozenset(
    {"/Screen", "/Movie", "/Sound", "/RichMedia", "/3D", "/FileAttachment"}
)
#: Actions that may stay: moving inside the document, opening a web address,
#: named viewer commands (next page…).
_SAFE_ACTIONS: Final = frozenset({"/GoTo", "/URI", "/Named"})
#: Page keys that are not copied: the page tree parent (ours), structure-tree
#: links (no structure tree is copied), additional actions (active content),
#: annotations (copied separately, filtered), article beads and transitions'
#: presentation steps (they point into the source's catalog).
_PAGE_EXCLUDED: Final = ("/Parent", "/StructParents", "/AA", "/Annots", "/B", "/PresSteps")


class BackupWriter:
    """Assembles pages of parsed documents and our own pages into one PDF.

    Args:
        title: The document title (``/Title``).
        subject: The document subject (``/Subject``).
        created: The creation time written as ``/CreationDate`` and ``/ModDate``
            (the only time stamp in the output).
        file_id: Bytes from which the trailer ``/ID`` is derived, so the same
            input gives the same output.
        producer: The ``/Producer`` and ``/Creator`` written.
    """

    def __init__(
        self,
        *,
        title: str,
        subject: str,
        created: datetime,
        file_id: bytes,
        producer: str = "invoicebackup",
    ) -> None:
        self._writer = PdfWriter()
        self._placeholder_font: IndirectObject | None = None
        self._fields: list[IndirectObject] = []
        self._dr_fonts = DictionaryObject()
        self._need_appearances = False
        self._wrapper_names: set[str] = set()
        self._cloned_annotations: dict[int, set[Any]] = {}
        self._ocgs: dict[int, IndirectObject] = {}
        self._oc_off: dict[int, IndirectObject] = {}
        self._oc_order = ArrayObject()
        self._oc_rb_groups = ArrayObject()
        stamp = _pdf_date(created)
        self._writer.add_metadata(
            {
                "/Title": title,
                "/Subject": subject,
                "/Producer": producer,
                "/Creator": producer,
                "/CreationDate": stamp,
                "/ModDate": stamp,
            }
        )
        digest = hashlib.md5(file_id, usedforsecurity=False).digest()
        self._writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])

    @property
    def page_count(self) -> int:
        """How many pages the output has so far."""
        return len(self._writer.pages)

    # -- documents ------------------------------------------------------------------

    def add_document(self, parsed: ParsedPdf, *, field_prefix: str) -> Added:
        """Copy every page of *parsed* to the end of the output.

        Args:
            parsed: A document from :func:`open_pdf`; it may be added several times.
            field_prefix: The partial name of the parent field the document's form
                fields are moved under (``[A-Za-z0-9_-]``, unique per output).

        Raises:
            BadDocumentError: The copy failed (code ``damaged``); the output is left
                as it was before the call, apart from unreferenced objects.
        """
        if not re.fullmatch(r"[A-Za-z0-9_-]+", field_prefix):
            raise ValueError(f"field_prefix must match [A-Za-z0-9_-]+, got {field_prefix!r}")
        if field_prefix in self._wrapper_names:
            raise ValueError(f"field_prefix {field_prefix!r} is already used in this output")
        first = self.page_count
        added: list[DictionaryObject] = []
        try:
            with _translated(parsed.key, parsed.filename):
                return self._copy(parsed, field_prefix=field_prefix, first=first, added=added)
        except BadDocumentError:
            self._take_back(added)
            raise

    def _copy(
        self, parsed: ParsedPdf, *, field_prefix: str, first: int, added: list[DictionaryObject]
    ) -> Added:
        writer = self._writer
        reader = parsed._reader
        source_pages = [reader.pages[i] for i in range(parsed.page_count)]
        page_map: dict[int, IndirectObject] = {}
        removed: list[str] = [*_document_level_removals(reader), *parsed._removed]
        for source in source_pages:
            if source.indirect_reference is None:
                new = self._add_direct_page(source)
            else:
                new = writer.add_page(source, excluded_keys=_PAGE_EXCLUDED)
                assert new.indirect_reference is not None
                page_map[source.indirect_reference.idnum] = new.indirect_reference
            added.append(new)
            if "/AA" in source:
                removed.append("page additional actions (/AA)")
        # A document added again must get fresh annotations and fields: forget the
        # copies made for its previous occurrence (pages and resources stay shared).
        translated = writer._id_translated.setdefault(id(reader), {})
        for idnum in self._cloned_annotations.get(id(reader), set()):
            translated.pop(idnum, None)
        before = set(translated)
        for source, new in zip(source_pages, added, strict=True):
            annots = self._copy_annotations(parsed, source, page_map, removed)
            if annots:
                new[NameObject("/Annots")] = ArrayObject(annots)
        fields = self._copy_fields(parsed, field_prefix=field_prefix, removed=removed)
        notes = [*parsed.notes, *self._copy_optional_content(parsed)]
        self._cloned_annotations.setdefault(id(reader), set()).update(
            k for k in translated if k not in before and k not in page_map
        )
        return Added(
            first_page=first,
            page_count=len(added),
            fields=fields,
            removed=tuple(sorted(set(removed))),
            notes=tuple(dict.fromkeys(notes)),
        )

    def _add_direct_page(self, source: DictionaryObject) -> DictionaryObject:
        """Copy a page stored as a direct object in its page tree (a broken but readable form)."""
        box = RectangleObject(source["/MediaBox"].get_object())  # type: ignore[arg-type]
        new = self._writer.add_blank_page(width=box.width, height=box.height)
        for name, value in source.items():
            if name not in _PAGE_EXCLUDED:
                new[NameObject(name)] = value.clone(self._writer)
        return new

    def _copy_annotations(
        self,
        parsed: ParsedPdf,
        source: DictionaryObject,
        page_map: dict[int, IndirectObject],
        removed: list[str],
    ) -> list[PdfObject]:
        raw = source.get("/Annots")
        annots = raw.get_object() if raw is not None else None
        if not isinstance(annots, ArrayObject):
            return []
        out: list[PdfObject] = []
        for entry in annots:
            annot = entry.get_object()
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = annot.get("/Subtype")
            if subtype in _DROPPED_ANNOTATIONS:
                removed.append(f"{str(subtype).lstrip('/')} annotation")
                continue
            copy = entry.clone(self._writer)
            self._sanitise(copy.get_object(), parsed, page_map, removed)
            out.append(copy)
        return out

    def _sanitise(
        self,
        obj: Any,
        parsed: ParsedPdf,
        page_map: dict[int, IndirectObject],
        removed: list[str],
    ) -> None:
        """Remove active content from a copied annotation or field, fix its links."""
        if not isinstance(obj, DictionaryObject):
            return
        if "/AA" in obj:
            del obj["/AA"]
            removed.append("additional actions (/AA)")
        action = obj.get("/A")
        if action is not None:
            action_dict = action.get_object()
            unsafe = _unsafe_action(action_dict)
            if unsafe is not None:
                del obj["/A"]
                removed.append(f"{unsafe} action")
            else:
                kind = action_dict.get("/S")
                if "/Next" in action_dict:
                    del action_dict["/Next"]
                    removed.append("chained actions (/Next)")
                if kind == "/GoTo" and not self._fix_destination(
                    action_dict, "/D", parsed, page_map
                ):
                    del obj["/A"]
        if "/Dest" in obj and not self._fix_destination(obj, "/Dest", parsed, page_map):
            del obj["/Dest"]

    def _fix_destination(
        self,
        holder: DictionaryObject,
        name: str,
        parsed: ParsedPdf,
        page_map: dict[int, IndirectObject],
    ) -> bool:
        """Make a destination explicit and pointing at our copy; False when it cannot."""
        dest = holder[name]
        if isinstance(dest, (TextStringObject, ByteStringObject, NameObject, str)):
            target = parsed._named_destination(str(dest).lstrip("/"))
            if target is None:
                target = parsed._named_destination(str(dest))
            if target is None:
                return False
            page = target[0]
            if not isinstance(page, IndirectObject) or page.idnum not in page_map:
                return False
            holder[NameObject(name)] = ArrayObject([page_map[page.idnum], *target[1:]])
            return True
        if isinstance(dest, DictionaryObject) and "/D" in dest:
            return self._fix_destination(dest, "/D", parsed, page_map)
        if isinstance(dest, ArrayObject) and dest:
            page = dest.get_object()[0] if isinstance(dest, IndirectObject) else dest[0]
            if isinstance(page, IndirectObject):
                # Clone already translated references to copied pages; anything else
                # points outside the document's pages.
                return page.pdf is self._writer and self._is_our_page(page)
            return False
        return False

    def _copy_optional_content(self, parsed: ParsedPdf) -> list[str]:
        """Keep the document's optional content groups (layers) and their default state.

        Every document's groups are listed in the output's ``/OCProperties``; its
        default configuration is merged into ours: groups it hides stay hidden, its
        layer order becomes a group labelled with its file name, its radio-button
        groups are kept. Alternative configurations and automatic states are not.
        """
        root = _dict(parsed._reader.trailer["/Root"])
        properties = _dict(root.get("/OCProperties"))
        if not properties:
            return []
        writer = self._writer
        notes: list[str] = []
        ocgs = properties.get("/OCGs")
        ocgs = ocgs.get_object() if ocgs is not None else None
        if not isinstance(ocgs, ArrayObject):
            return ["its optional content (layers) declaration is malformed: not kept"]
        mine: dict[int, IndirectObject] = {}
        for entry in ocgs:
            if isinstance(entry, IndirectObject) and isinstance(
                entry.get_object(), DictionaryObject
            ):
                copy = entry.clone(writer)
                assert isinstance(copy, IndirectObject)
                mine[copy.idnum] = copy
        self._ocgs.update(mine)

        def mapped(value: Any) -> list[IndirectObject]:
            value = value.get_object() if value is not None else None
            if not isinstance(value, ArrayObject):
                return []
            out = []
            for item in value:
                if isinstance(item, IndirectObject):
                    copy = item.clone(writer)
                    if isinstance(copy, IndirectObject) and copy.idnum in mine:
                        out.append(copy)
            return out

        default = _dict(properties.get("/D"))
        off = {ref.idnum: ref for ref in mapped(default.get("/OFF"))}
        if default.get("/BaseState") == "/OFF":
            on = {ref.idnum for ref in mapped(default.get("/ON"))}
            off.update({k: v for k, v in mine.items() if k not in on})
        self._oc_off.update(off)
        order = default.get("/Order")
        if order is not None and isinstance(order.get_object(), ArrayObject):
            self._oc_order.append(
                ArrayObject([TextStringObject(parsed.filename), *order.get_object().clone(writer)])
            )
        groups = default.get("/RBGroups")
        groups = groups.get_object() if groups is not None else None
        if isinstance(groups, ArrayObject):
            for group in groups:
                kept = mapped(group)
                if kept:
                    self._oc_rb_groups.append(ArrayObject(kept))
        if "/Configs" in properties or "/AS" in default:
            notes.append(
                "its alternative layer configurations and automatic layer states were not kept"
            )
        return notes

    def _is_our_page(self, ref: IndirectObject) -> bool:
        obj = ref.get_object()
        return isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page"

    def _copy_fields(self, parsed: ParsedPdf, *, field_prefix: str, removed: list[str]) -> int:
        root = _dict(parsed._reader.trailer["/Root"])
        form = root.get("/AcroForm")
        form = form.get_object() if form is not None else None
        if not isinstance(form, DictionaryObject):
            return 0
        if form.get("/XFA") is not None:
            removed.append("XFA form data")
        fields_raw = form.get("/Fields")
        fields = fields_raw.get_object() if fields_raw is not None else None
        if not isinstance(fields, ArrayObject) or not fields:
            return 0
        writer = self._writer
        wrapper = DictionaryObject({NameObject("/T"): TextStringObject(field_prefix)})
        if "/DA" in form:
            wrapper[NameObject("/DA")] = form["/DA"].clone(writer)
        wrapper_ref = writer._add_object(wrapper)
        kids = ArrayObject()
        for entry in fields:
            if not isinstance(entry, IndirectObject):
                continue
            copy = entry.clone(writer)
            field = copy.get_object()
            if not isinstance(field, DictionaryObject):
                continue
            field[NameObject("/Parent")] = wrapper_ref
            kids.append(copy)
            self._sanitise_tree(field, parsed, removed)
        if not kids:
            return 0
        wrapper[NameObject("/Kids")] = kids
        dr = form.get("/DR")
        dr = dr.get_object() if dr is not None else None
        if isinstance(dr, DictionaryObject):
            fonts = dr.get("/Font")
            fonts = fonts.get_object() if fonts is not None else None
            if isinstance(fonts, DictionaryObject):
                for font_name, font in fonts.items():
                    if font_name not in self._dr_fonts:
                        self._dr_fonts[NameObject(font_name)] = font.clone(writer)
        if form.get("/NeedAppearances"):
            self._need_appearances = True
        self._fields.append(wrapper_ref)
        self._wrapper_names.add(field_prefix)
        return len(kids)

    def _sanitise_tree(
        self, field: DictionaryObject, parsed: ParsedPdf, removed: list[str]
    ) -> None:
        stack = [field]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            self._sanitise(node, parsed, {}, removed)
            kids = node.get("/Kids")
            kids = kids.get_object() if kids is not None else None
            if isinstance(kids, ArrayObject):
                for kid in kids:
                    kid_obj = kid.get_object()
                    if isinstance(kid_obj, DictionaryObject):
                        stack.append(kid_obj)

    def _take_back(self, added: list[DictionaryObject]) -> None:
        """Remove pages of a failed copy from the page tree."""
        writer = self._writer
        for page in reversed(added):
            ref = page.indirect_reference
            parent_ref = page.get("/Parent")
            if ref is None or parent_ref is None:
                continue
            parent = parent_ref.get_object()
            kids = parent["/Kids"]
            for index in range(len(kids) - 1, -1, -1):
                if kids[index].idnum == ref.idnum:
                    del kids[index]
                    break
            node: Any = parent
            while node is not None:
                node[NameObject("/Count")] = NumberObject(int(node["/Count"]) - 1)
                up = node.get("/Parent")
                node = up.get_object() if up is not None else None
            flattened = writer.flattened_pages
            if flattened is not None and flattened and flattened[-1] is page:
                flattened.pop()

    # -- our own pages ------------------------------------------------------------

    def add_text_page(
        self, lines: Sequence[str], *, page_size: tuple[float, float] = _LETTER
    ) -> int:
        """Add a page of Helvetica text (a placeholder); return its 0-based index."""
        writer = self._writer
        if self._placeholder_font is None:
            font = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica"),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
            self._placeholder_font = writer._add_object(font)
        page = writer.add_blank_page(width=page_size[0], height=page_size[1])
        content = DecodedStreamObject()
        content.set_data(_text_ops(lines, top=page_size[1] - 72))
        page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): self._placeholder_font})}
        )
        return self.page_count - 1

    # -- finishing ----------------------------------------------------------------

    def set_outline(self, nodes: Sequence[OutlineNode]) -> None:
        """Write the bookmark tree; page indexes refer to the output's pages."""
        writer = self._writer

        def add(node: OutlineNode, parent: IndirectObject | None) -> None:
            ref = writer.add_outline_item(
                title=node.title, page_number=node.page_index, parent=parent, is_open=True
            )
            for child in node.children:
                add(child, ref)

        for node in nodes:
            add(node, None)
        if nodes:
            writer.page_mode = "/UseOutlines"

    def attach(self, filename: str, data: bytes) -> None:
        """Embed *data* as an attached file named *filename*."""
        self._writer.add_attachment(filename, data)

    def write(self, stream: IO[bytes]) -> None:
        """Write the finished PDF to *stream*."""
        writer = self._writer
        if self._fields:
            form = DictionaryObject(
                {
                    NameObject("/Fields"): ArrayObject(self._fields),
                    NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
                }
            )
            if self._dr_fonts:
                form[NameObject("/DR")] = DictionaryObject({NameObject("/Font"): self._dr_fonts})
            if self._need_appearances:
                form[NameObject("/NeedAppearances")] = _true()
            writer.root_object[NameObject("/AcroForm")] = writer._add_object(form)
        if self._ocgs:
            default = DictionaryObject(
                {
                    NameObject("/Name"): TextStringObject("Layers of the backed-up documents"),
                    NameObject("/BaseState"): NameObject("/ON"),
                    NameObject("/OFF"): ArrayObject(self._oc_off.values()),
                    NameObject("/Order"): self._oc_order,
                }
            )
            if self._oc_rb_groups:
                default[NameObject("/RBGroups")] = self._oc_rb_groups
            writer.root_object[NameObject("/OCProperties")] = DictionaryObject(
                {
                    NameObject("/OCGs"): ArrayObject(self._ocgs.values()),
                    NameObject("/D"): default,
                }
            )
        with _quiet():
            writer.write(stream)


def _dict(value: Any) -> DictionaryObject:
    """*value* resolved, as a dictionary (an empty one when it is anything else)."""
    resolved = value.get_object() if value is not None else None
    return resolved if isinstance(resolved, DictionaryObject) else DictionaryObject()


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


def _true() -> PdfObject:
    return BooleanObject(True)


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
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    escaped = escaped.replace(b"\r", b" ").replace(b"\n", b" ")
    return b"(" + escaped + b")"


# -- reading back (tests, manifests) ---------------------------------------------------


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
