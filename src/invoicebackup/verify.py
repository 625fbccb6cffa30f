"""Check a backup against the manifest embedded in it: :func:`verify_backup`.

A backup carries its manifest (``backup-manifest.json``): every invoice's and document's
page range, every source's SHA-256 and, since manifest format 2, a digest of every page
as it was written (``invoicebackup.pdf.digest``) and a digest of the
manifest itself. :func:`verify_backup` reads the backup as a viewer would (the newest
revision: an edit appended by an incremental update is what is checked), recomputes each
page's digest and compares; given the project's documents, it also compares every
source's SHA-256. Each difference is a :class:`Mismatch` naming the page, the invoice and
the document.

What this proves, and what it does not (anyone can re-make a backup and its manifest): see
the guarantees page of the documentation.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import attrs

from ._integrity import MANIFEST_SHA256, manifest_sha256
from .errors import (
    DocumentNotFoundError,
    InvalidValueError,
    InvoiceBackupError,
    UnverifiableBackupError,
)
from .manifest import MANIFEST_NAME
from .pdf.digest import PAGE_DIGESTS, page_digests
from .pdf.errors import PdfError
from .pdf.filters import decode
from .pdf.reader import Limits, PdfFile, mapped
from .pdf.values import Array, Dictionary, Stream, String, Value
from .storage import DocumentStore, FileSystemStore

__all__ = [
    "Mismatch",
    "MismatchKind",
    "VerifyResult",
    "verify_backup",
    "verify_result_to_dict",
    "verify_volumes",
]

#: The manifest formats this version reads: 1 (no page digests) and 2.
_FORMAT: Final = re.compile(r"invoicebackup\.manifest/(\d+)")
_NEWEST: Final = 2
#: A backup may hold many more pages and objects than a source is allowed.
_LIMITS: Final = Limits(max_pages=10_000_000, max_objects=100_000_000)
#: The largest manifest read (a manifest lists every page's digest: 64 bytes a page).
_MAX_MANIFEST: Final = 1024 * 1024 * 1024
#: Keys of documents fetched from the signature provider, not stored in the project.
_PROVIDER_PREFIX: Final = "docusign:"


class MismatchKind(enum.Enum):
    """What a :class:`Mismatch` is.

    Example:
        >>> from invoicebackup import MismatchKind
        >>> [kind.value for kind in MismatchKind]  # doctest: +NORMALIZE_WHITESPACE
        ['manifest', 'page_count', 'page_range', 'page_changed', 'page_moved', 'page_missing',
         'page_added', 'source_changed', 'source_missing', 'volume_missing', 'volume_set']

    .. versionadded:: 0.1.0
    """

    #: The manifest is not the one compiled (its own digest differs).
    MANIFEST = "manifest"
    #: The backup has another number of pages than the manifest says.
    PAGE_COUNT = "page_count"
    #: A page range of the manifest does not fit the backup (or another range).
    PAGE_RANGE = "page_range"
    #: The page is neither the one compiled there nor any other compiled page (edited).
    PAGE_CHANGED = "page_changed"
    #: The page is another compiled page (pages swapped, or moved by a removal).
    PAGE_MOVED = "page_moved"
    #: A compiled page is nowhere in the backup (``page`` is its number as compiled).
    PAGE_MISSING = "page_missing"
    #: A page past the compiled ones, which no compiled page is.
    PAGE_ADDED = "page_added"
    #: A source's bytes in the project differ from those compiled.
    SOURCE_CHANGED = "source_changed"
    #: A source is no longer in the project.
    SOURCE_MISSING = "source_missing"
    #: A volume of the set is not among those given (:func:`verify_volumes`).
    VOLUME_MISSING = "volume_missing"
    #: A file given is not a volume of the same set, is given twice, or is not the volume
    #: the set lists (its pages' digest differs) (:func:`verify_volumes`).
    VOLUME_SET = "volume_set"


@attrs.frozen(kw_only=True)
class Mismatch:
    """One way the backup (or a source) is not what its manifest says.

    Attributes:
        kind: What it is.
        message: It, in words.
        page: The page concerned, 1-based (in the backup as it is; for ``page_missing``
            as it was compiled), if one is.
        invoice_id: The invoice whose page (or source) it is, if any.
        key: The document's key, if one is concerned.
        filename: The document's file name.

    Example:
        >>> from invoicebackup import Mismatch, MismatchKind
        >>> found = Mismatch(kind=MismatchKind.PAGE_MOVED, message="page 3 holds page 4",
        ...                  page=3, invoice_id="i-2", key="docs/w.pdf", filename="Waiver.pdf")
        >>> found.kind.value, found.page, found.filename
        ('page_moved', 3, 'Waiver.pdf')

    .. versionadded:: 0.1.0
    """

    kind: MismatchKind
    message: str
    page: int | None = None
    invoice_id: str | None = None
    key: str | None = None
    filename: str | None = None


@attrs.frozen(kw_only=True)
class VerifyResult:
    """What :func:`verify_backup` found.

    Attributes:
        manifest_format: The manifest's ``format`` (``invoicebackup.manifest/2``).
        page_count: How many pages the backup has.
        pages_checked: How many pages were compared with their recorded digest.
        sources_checked: How many sources were compared with the project's documents.
        mismatches: Every difference, pages first, in order.
        not_checked: What could not be checked, and why, in words (an older manifest
            without page digests, sources from the signature provider…).
        volume: The backup's volume number, when it is a volume of a backup written as
            volumes (see :doc:`/howto/volumes`); else ``None``.
        volumes: From :func:`verify_volumes`: each file's own result, in the order given
            (the counts and mismatches above are theirs together, and the set's).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup, verify_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> store = InMemoryStore(sample_documents())
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=store,
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> checked = verify_backup(store.read_bytes(result.key))
        >>> checked.verified, checked.manifest_format, checked.pages_checked
        (True, 'invoicebackup.manifest/2', 5)
        >>> checked.not_checked
        ('the sources: no project folder or store was given',)

    .. versionadded:: 0.1.0
    """

    manifest_format: str
    page_count: int
    pages_checked: int
    sources_checked: int
    mismatches: tuple[Mismatch, ...]
    not_checked: tuple[str, ...] = ()
    volume: int | None = None
    volumes: tuple[VerifyResult, ...] = ()

    @property
    def verified(self) -> bool:
        """Whether nothing differs."""
        return not self.mismatches


def verify_backup(
    source: str | os.PathLike[str] | bytes,
    *,
    project_folder: str | os.PathLike[str] | None = None,
    store: DocumentStore | None = None,
) -> VerifyResult:
    """Check the backup *source* (a path, or its bytes) against its embedded manifest.

    Args:
        source: The backup.
        project_folder: A project folder: every source's SHA-256 is also compared with
            the document under its key there.
        store: The project's documents, instead of a folder (not both).

    Returns:
        What was checked, and every mismatch found; none when the backup is as compiled.

    Raises:
        UnverifiableBackupError: It cannot be checked at all: not a PDF this library
            reads, no manifest attached, or a manifest of a newer format.
        InvalidValueError: Both *project_folder* and *store* were given.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup, verify_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> store = InMemoryStore(sample_documents())
        >>> result = compile_backup(sample_project(), invoice_ids=["i-2"], user_id="u-admin",
        ...                         store=store,
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> checked = verify_backup(store.read_bytes(result.key), store=store)
        >>> checked.verified, checked.page_count, checked.pages_checked, checked.sources_checked
        (True, 6, 6, 4)

    .. versionadded:: 0.1.0
    """
    return _verify(source, _store(project_folder, store))[0]


def _store(
    project_folder: str | os.PathLike[str] | None, store: DocumentStore | None
) -> DocumentStore | None:
    if project_folder is not None and store is not None:
        raise InvalidValueError(
            "project_folder", project_folder, reason="is given with a store: give one of them"
        )
    return FileSystemStore(project_folder) if project_folder is not None else store


def _verify(
    source: str | os.PathLike[str] | bytes, store: DocumentStore | None
) -> tuple[VerifyResult, dict[str, Any], list[str]]:
    """The result of verifying *source*, its manifest, and its pages' digests as they are."""
    name = "<bytes>" if isinstance(source, bytes | bytearray) else str(source)
    with _opened(source, name) as data:
        try:
            pdf = PdfFile(data, limits=_LIMITS)
            manifest = _manifest(pdf, name)
            pages = pdf.pages()
            kind = manifest.get("page_digest")
            # Each kind by its own rules: a backup compiled by an earlier version verifies.
            digests = (
                page_digests(pdf, pages, kind=kind)
                if manifest.get("page_digests") and kind in PAGE_DIGESTS
                else []
            )
            page_count = len(pages)
            # Stream data are views into the file's map: let them go before it is closed.
            del pdf, pages
        except PdfError as error:
            raise UnverifiableBackupError(
                source=name, code="unreadable", reason=f"it cannot be read as a PDF ({error})"
            ) from None
    result = _Check(manifest, page_count, digests).run(store)
    volume = manifest.get("volume")
    if isinstance(volume, int) and not isinstance(volume, bool):
        result = attrs.evolve(result, volume=volume)
    return result, manifest, digests


def verify_volumes(
    sources: Sequence[str | os.PathLike[str] | bytes],
    *,
    project_folder: str | os.PathLike[str] | None = None,
    store: DocumentStore | None = None,
) -> VerifyResult:
    """Check the volumes *sources* of a backup written as volumes, each and as a set.

    Each volume is checked as :func:`verify_backup` checks a backup. The set is complete
    when every volume its manifests list is given, once, every one lists the same set,
    and each one's pages are those the set lists for it (the digest of its page digests;
    see :class:`~invoicebackup.manifest.VolumeRecord`). Given among *sources*, the set's
    own manifest (``… - Volumes.json``, JSON) also has each volume's file compared with
    the SHA-256 it lists (which no volume can carry of itself).

    Returns:
        The volumes' results together (in :attr:`VerifyResult.volumes`, each its own),
        each volume's mismatches named with its file, then the set's.

    Raises:
        UnverifiableBackupError: A file cannot be checked at all (see :func:`verify_backup`).
        InvalidValueError: No file, or both *project_folder* and *store*, were given.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import BackupOptions, InMemoryStore, compile_backup
        >>> from invoicebackup.verify import verify_volumes
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> store, project = InMemoryStore(sample_documents()), sample_project()
        >>> result = compile_backup(project, contract_ids=[c.id for c in project.contracts],
        ...     user_id="u-admin", store=store, options=BackupOptions(max_volume_bytes="30KB"),
        ...     now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> files = [store.read_bytes(volume.key) for volume in result.volumes]
        >>> checked = verify_volumes(files)
        >>> checked.verified, [each.volume for each in checked.volumes]
        (True, [1, 2])
        >>> [m.kind.value for m in verify_volumes(files[1:]).mismatches]
        ['volume_missing']

    .. versionadded:: 0.1.0
    """
    if not sources:
        raise InvalidValueError("sources", sources, reason="is empty: give every volume")
    documents = _store(project_folder, store)
    # The set's own manifest (… - Volumes.json), when given, holds each file's SHA-256.
    listed = [source for source in sources if _head(source).lstrip().startswith(b"{")]
    volumes = [source for source in sources if not any(source is s for s in listed)]
    if not volumes:
        raise InvalidValueError("sources", sources, reason="holds no volume (only JSON)")
    checked = [(_name(source), *_verify(source, documents)) for source in volumes]
    found: list[Mismatch] = []
    for name, result, _manifest, _digests in checked:
        found += [
            attrs.evolve(mismatch, message=f"{name}: {mismatch.message}")
            for mismatch in result.mismatches
        ]
    found += _set_mismatches([(name, manifest, digests) for name, _r, manifest, digests in checked])
    results = [result for _name_, result, _manifest, _digests in checked]
    for set_file in listed:
        found += _file_mismatches(set_file, volumes, results)
    return VerifyResult(
        manifest_format=results[0].manifest_format,
        page_count=sum(r.page_count for r in results),
        pages_checked=sum(r.pages_checked for r in results),
        sources_checked=sum(r.sources_checked for r in results),
        mismatches=tuple(found),
        not_checked=tuple(dict.fromkeys(note for r in results for note in r.not_checked)),
        volumes=tuple(results),
    )


def _head(source: str | os.PathLike[str] | bytes) -> bytes:
    """The first bytes of *source* (to tell the set's JSON manifest from a volume)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source[:64])
    try:
        with Path(source).open("rb") as file:
            return file.read(64)
    except OSError:
        return b""  # verified as a volume, which names the error


def _sha256(source: str | os.PathLike[str] | bytes) -> str:
    if isinstance(source, bytes | bytearray):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with Path(source).open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_mismatches(
    set_file: str | os.PathLike[str] | bytes,
    volumes: Sequence[str | os.PathLike[str] | bytes],
    results: Sequence[VerifyResult],
) -> list[Mismatch]:
    """How the volumes' files differ from the SHA-256s the set's manifest *set_file* lists."""
    name = _name(set_file)
    try:
        data = set_file if isinstance(set_file, bytes) else Path(set_file).read_bytes()
        manifest = json.loads(bytes(data).decode("utf-8"))
        listing = {int(v["number"]): v for v in manifest["volumes"]}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise UnverifiableBackupError(
            source=name,
            code="not_a_manifest",
            reason=f"it is not a set of volumes' manifest ({error})",
        ) from None
    found = []
    for source, result in zip(volumes, results, strict=True):
        entry = listing.get(result.volume or 0)
        if entry is not None and entry.get("sha256") != _sha256(source):
            found.append(
                Mismatch(
                    kind=MismatchKind.VOLUME_SET,
                    message=f"{_name(source)} is not the file compiled as volume "
                    f"{result.volume}: its SHA-256 differs from {name}'s",
                )
            )
    return found


def _name(source: str | os.PathLike[str] | bytes) -> str:
    return "<bytes>" if isinstance(source, bytes | bytearray) else Path(source).name


def _set_mismatches(
    checked: Sequence[tuple[str, Mapping[str, Any], Sequence[str]]],
) -> list[Mismatch]:
    """How the files *checked* are not one complete set of volumes.

    Each is a name, a manifest, and the digests of the pages as they are: a volume's pages
    are compared with what the set lists of it, whatever its own manifest says.
    """
    found: list[Mismatch] = []
    listing: list[Any] | None = None
    seen: dict[int, str] = {}
    for name, manifest, digests in checked:
        number, volumes = manifest.get("volume"), manifest.get("volumes")
        if not isinstance(number, int) or not isinstance(volumes, list) or not volumes:
            found.append(Mismatch(kind=MismatchKind.VOLUME_SET, message=f"{name} is not a volume"))
            continue
        if listing is None:
            listing = volumes
        elif volumes != listing:
            found.append(
                Mismatch(
                    kind=MismatchKind.VOLUME_SET,
                    message=f"{name} lists another set of volumes than {checked[0][0]}",
                )
            )
            continue
        if number in seen:
            found.append(
                Mismatch(
                    kind=MismatchKind.VOLUME_SET,
                    message=f"{name} is volume {number}, as {seen[number]} is",
                )
            )
            continue
        seen[number] = name
        listed = listing[number - 1] if 1 <= number <= len(listing) else None
        cover = _int(manifest.get("cover_last_page"))
        own = hashlib.sha256(
            "".join(d + "\n" for d in digests[max(cover, 0) :]).encode()
        ).hexdigest()
        if not isinstance(listed, dict) or listed.get("pages_sha256") not in (None, own):
            found.append(
                Mismatch(
                    kind=MismatchKind.VOLUME_SET,
                    message=f"{name} is not volume {number} as the set lists it "
                    "(the digest of its pages differs)",
                )
            )
    for index, entry in enumerate(listing or [], 1):
        if index not in seen:
            invoices = ", ".join(str(i) for i in entry.get("invoice_ids", ()))
            found.append(
                Mismatch(
                    kind=MismatchKind.VOLUME_MISSING,
                    message=f"volume {index} of {len(listing or [])} is missing "
                    f"(invoices {invoices})",
                )
            )
    return found


@contextmanager
def _opened(source: str | os.PathLike[str] | bytes, name: str) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray):
        yield bytes(source)
        return
    try:
        with Path(source).open("rb") as file:
            if os.fstat(file.fileno()).st_size == 0:
                raise UnverifiableBackupError(source=name, code="unreadable", reason="it is empty")
            with mapped(file.fileno()) as view:
                yield view  # type: ignore[misc]
    except OSError as error:
        raise UnverifiableBackupError(
            source=name, code="unreadable", reason=error.strerror or str(error)
        ) from None


def _manifest(pdf: PdfFile, name: str) -> dict[str, Any]:
    """The embedded manifest, parsed; its format checked."""
    data = _attachment(pdf, MANIFEST_NAME)
    if data is None:
        raise UnverifiableBackupError(
            source=name,
            code="no_manifest",
            reason=f"it has no attached {MANIFEST_NAME} (not a backup, or compiled without "
            "embedding the manifest)",
        )
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnverifiableBackupError(
            source=name, code="not_a_manifest", reason=f"its {MANIFEST_NAME} is not JSON ({error})"
        ) from None
    found = _FORMAT.fullmatch(str(manifest.get("format"))) if isinstance(manifest, dict) else None
    if found is None:
        raise UnverifiableBackupError(
            source=name,
            code="not_a_manifest",
            reason=f"its {MANIFEST_NAME} is not an invoicebackup manifest",
        )
    if int(found[1]) > _NEWEST:
        raise UnverifiableBackupError(
            source=name,
            code="newer_format",
            reason=f"its manifest is of format {manifest['format']}, newer than this version "
            f"reads (up to invoicebackup.manifest/{_NEWEST}): upgrade invoicebackup",
        )
    assert isinstance(manifest, dict)
    return manifest


def _attachment(pdf: PdfFile, filename: str) -> bytes | None:
    """The bytes of the embedded file *filename* of the catalog's name tree, if there is one."""
    names = pdf.resolve(pdf.catalog.get(b"Names"))
    tree = pdf.resolve(names.get(b"EmbeddedFiles")) if isinstance(names, Dictionary) else None
    spec = _name_tree_get(pdf, tree, filename.encode(), depth=0)
    spec = pdf.resolve(spec)
    files = pdf.resolve(spec.get(b"EF")) if isinstance(spec, Dictionary) else None
    stream = pdf.resolve(files.get(b"F")) if isinstance(files, Dictionary) else None
    if not isinstance(stream, Stream):
        return None
    return decode(stream.dictionary, bytes(stream.data), max_output=_MAX_MANIFEST)


def _name_tree_get(pdf: PdfFile, node: Value, key: bytes, *, depth: int) -> Value:
    if not isinstance(node, Dictionary) or depth > _LIMITS.max_depth:
        return None
    pairs = pdf.resolve(node.get(b"Names"))
    if isinstance(pairs, Array):
        for index in range(0, len(pairs) - 1, 2):
            name = pdf.resolve(pairs[index])
            if isinstance(name, String) and name.value == key:
                return pairs[index + 1]
    kids = pdf.resolve(node.get(b"Kids"))
    for kid in kids if isinstance(kids, Array) else ():
        found = _name_tree_get(pdf, pdf.resolve(kid), key, depth=depth + 1)
        if found is not None:
            return found
    return None


@attrs.define
class _Place:
    """What a page of the backup was compiled as: its invoice and document."""

    invoice_id: str | None = None
    key: str | None = None
    filename: str | None = None
    index: int = 0
    pages: int = 0

    def words(self, page: int) -> str:
        if self.filename is None:
            return f"page {page} (the backup's own)"
        where = f"page {page} ({self.filename}"
        if self.pages > 1:
            where += f", its page {self.index} of {self.pages}"
        return where + (f", invoice {self.invoice_id})" if self.invoice_id else ")")


class _Check:
    """One verification: the manifest, the pages found, their digests."""

    def __init__(self, manifest: Mapping[str, Any], page_count: int, digests: list[str]) -> None:
        self.manifest = manifest
        self.page_count = page_count
        self.digests = digests
        self.found: list[Mismatch] = []
        self.not_checked: list[str] = []

    def mismatch(self, kind: MismatchKind, message: str, **where: Any) -> None:
        self.found.append(Mismatch(kind=kind, message=message, **where))

    def run(self, store: DocumentStore | None) -> VerifyResult:
        manifest = self.manifest
        recorded_count = _int(manifest.get("page_count"))
        if MANIFEST_SHA256 in manifest:
            if manifest[MANIFEST_SHA256] != manifest_sha256(manifest):
                self.mismatch(
                    MismatchKind.MANIFEST,
                    "the manifest is not the one compiled: its own digest differs",
                )
        else:
            self.not_checked.append(
                "the manifest's own integrity: it carries no digest of itself (format 1)"
            )
        if recorded_count != self.page_count:
            self.mismatch(
                MismatchKind.PAGE_COUNT,
                f"the backup has {self.page_count} page(s); {recorded_count} were compiled",
            )
        places = self._places(recorded_count)
        pages_checked = self._pages(places)
        sources_checked = self._sources(store) if store is not None else 0
        if store is None:
            self.not_checked.append("the sources: no project folder or store was given")
        return VerifyResult(
            manifest_format=str(manifest.get("format")),
            page_count=self.page_count,
            pages_checked=pages_checked,
            sources_checked=sources_checked,
            mismatches=tuple(self.found),
            not_checked=tuple(self.not_checked),
        )

    def _places(self, recorded_count: int) -> list[_Place]:
        """What each compiled page was; page ranges that do not fit are mismatches."""
        places = [_Place() for _ in range(recorded_count)]
        for invoice in _list(self.manifest.get("invoices")):
            invoice_id = str(invoice.get("invoice_id"))
            first, last = invoice.get("first_page"), invoice.get("last_page")
            if first is None:
                continue
            if not self._fits(first, last, 1, recorded_count, f"invoice {invoice_id}", invoice_id):
                continue
            for source in _list(invoice.get("sources")):
                what = f"{source.get('filename')} of invoice {invoice_id}"
                start, end = source.get("first_page"), source.get("last_page")
                if not self._fits(start, end, first, last, what, invoice_id):
                    continue
                for page in range(start, end + 1):
                    places[page - 1] = _Place(
                        invoice_id=invoice_id,
                        key=str(source.get("key")),
                        filename=str(source.get("filename")),
                        index=page - start + 1,
                        pages=end - start + 1,
                    )
        for item in _list(self.manifest.get("left_out")):
            page = item.get("page")
            if isinstance(page, int) and 1 <= page <= recorded_count:
                places[page - 1] = _Place(
                    invoice_id=str(item.get("invoice_id")),
                    key=item.get("key"),
                    filename=f"placeholder for {item.get('filename')}",
                    index=1,
                    pages=1,
                )
        return places

    def _fits(self, first: Any, last: Any, low: int, high: int, what: str, invoice: str) -> bool:
        # Against the manifest's own page count: the backup's is compared with it apart.
        if isinstance(first, int) and isinstance(last, int) and low <= first <= last <= high:
            return True
        self.mismatch(
            MismatchKind.PAGE_RANGE,
            f"{what}: its pages {first}..{last} are not within {low}..{high}",
            invoice_id=invoice,
        )
        return False

    def _pages(self, places: Sequence[_Place]) -> int:
        recorded = [str(d) for d in _list(self.manifest.get("page_digests"), str)]
        if not recorded:
            self.not_checked.append(
                "each page's content: the manifest records no page digests "
                "(it predates them, or the backup was compiled without them)"
            )
            return 0
        kind = self.manifest.get("page_digest")
        if kind not in PAGE_DIGESTS:
            known = " or ".join(repr(each) for each in PAGE_DIGESTS)
            self.not_checked.append(f"each page's content: its digests are {kind!r}, not {known}")
            return 0
        where_compiled: dict[str, int] = {}
        for number, digest in enumerate(recorded, 1):
            where_compiled.setdefault(digest, number)
        found = set(self.digests)
        changed: set[int] = set()

        def place(number: int) -> _Place:
            return places[number - 1] if number <= len(places) else _Place()

        for number, digest in enumerate(self.digests, 1):
            if number <= len(recorded) and recorded[number - 1] == digest:
                continue
            spot = place(number)
            at = {"page": number, "invoice_id": spot.invoice_id, "key": spot.key}
            at["filename"] = spot.filename
            compiled = where_compiled.get(digest)
            if compiled is not None:
                self.mismatch(
                    MismatchKind.PAGE_MOVED,
                    f"{spot.words(number)} holds what was compiled as "
                    f"{place(compiled).words(compiled)}",
                    **at,
                )
            elif number <= len(recorded):
                changed.add(number)
                self.mismatch(
                    MismatchKind.PAGE_CHANGED,
                    f"{spot.words(number)} is not the page compiled: its content, or what it "
                    "draws, changed",
                    **at,
                )
            else:
                self.mismatch(
                    MismatchKind.PAGE_ADDED,
                    f"page {number} was not compiled (added after)",
                    page=number,
                )
        for number, digest in enumerate(recorded, 1):
            if digest not in found and number not in changed:
                spot = place(number)
                self.mismatch(
                    MismatchKind.PAGE_MISSING,
                    f"{spot.words(number)} as compiled is missing from the backup",
                    page=number,
                    invoice_id=spot.invoice_id,
                    key=spot.key,
                    filename=spot.filename,
                )
        return min(len(recorded), len(self.digests))

    def _sources(self, store: DocumentStore) -> int:
        checked = 0
        provider = 0
        for invoice in _list(self.manifest.get("invoices")):
            for source in _list(invoice.get("sources")):
                key, filename = str(source.get("key")), str(source.get("filename"))
                at = {"invoice_id": str(invoice.get("invoice_id")), "key": key}
                at["filename"] = filename
                if key.startswith(_PROVIDER_PREFIX):
                    provider += 1
                    continue
                try:
                    data = store.read_bytes(key)
                except DocumentNotFoundError:
                    self.mismatch(
                        MismatchKind.SOURCE_MISSING,
                        f"{filename} ({key}) is no longer in the project",
                        **at,
                    )
                    continue
                except InvoiceBackupError as error:
                    self.mismatch(MismatchKind.SOURCE_MISSING, f"{filename}: {error}", **at)
                    continue
                checked += 1
                if hashlib.sha256(data).hexdigest() != source.get("sha256"):
                    self.mismatch(
                        MismatchKind.SOURCE_CHANGED,
                        f"{filename} ({key}) in the project is not the document compiled "
                        "(its SHA-256 differs)",
                        **at,
                    )
        if provider:
            self.not_checked.append(
                f"{provider} source(s) fetched from the signature provider (docusign:…), "
                "which the project does not hold"
            )
        return checked


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _list(value: Any, item: type = dict) -> list[Any]:
    """*value*'s items of type *item* (a manifest changed by hand may hold anything)."""
    return [entry for entry in value if isinstance(entry, item)] if isinstance(value, list) else []


def verify_result_to_dict(result: VerifyResult) -> dict[str, Any]:
    """The JSON-ready form of a :class:`VerifyResult` (the ``result`` of ``verify --json``).

    Example:
        >>> from invoicebackup.verify import Mismatch, MismatchKind, VerifyResult
        >>> from invoicebackup.verify import verify_result_to_dict
        >>> found = VerifyResult(manifest_format="invoicebackup.manifest/2", page_count=2,
        ...     pages_checked=2, sources_checked=0, mismatches=(Mismatch(
        ...         kind=MismatchKind.PAGE_CHANGED, message="page 2 changed", page=2),))
        >>> data = verify_result_to_dict(found)
        >>> data["verified"], data["mismatches"][0]["kind"], data["mismatches"][0]["page"]
        (False, 'page_changed', 2)

    .. versionadded:: 0.1.0
    """
    return {
        "verified": result.verified,
        "manifest_format": result.manifest_format,
        "page_count": result.page_count,
        "pages_checked": result.pages_checked,
        "sources_checked": result.sources_checked,
        "mismatches": [
            {
                "kind": m.kind.value,
                "message": m.message,
                "page": m.page,
                "invoice_id": m.invoice_id,
                "key": m.key,
                "filename": m.filename,
            }
            for m in result.mismatches
        ],
        "not_checked": list(result.not_checked),
        # Only for a volume, and for several: a backup's result keeps the shape it had.
        **({"volume": result.volume} if result.volume is not None else {}),
        **(
            {"volumes": [verify_result_to_dict(each) for each in result.volumes]}
            if result.volumes
            else {}
        ),
    }
