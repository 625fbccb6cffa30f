"""The documents of one compile: read ahead, hashed, parsed once, kept compacted for reuse.

A cache that belongs to one call of :func:`~invoicebackup.compile.compile_backup`,
never to the process.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from typing import Final

import attrs

from . import _hashing, _images, _pdf
from ._imageheaders import image_format
from ._pdfopen import with_article
from ._sealed import SEALED_ROLES
from ._work import Slot, unread
from .domain import Document
from .errors import BadDocumentError, DocumentNotFoundError, EnvelopeNotFoundError
from .options import BackupOptions


@attrs.define
class Loaded:
    data_sha: str | None = None
    parsed: _pdf.ParsedPdf | _images.ParsedImage | None = None
    error: BadDocumentError | None = None
    #: The bytes read, when kept: a ZIP backup writes every document as it was, and a
    #: sealed original is embedded as it was.
    data: bytes | None = None
    #: Left out whatever the bad-document policy, not for damage: its code and reason (not
    #: read, declared as neither PDF nor image; neither by its bytes; an image with
    #: ``images="skip"``, or one that needs the ``images`` extra).
    skipped: tuple[str, str] | None = None


def limits_of(options: BackupOptions) -> _pdf.Limits:
    """The bounds *options* put on one document."""
    return _pdf.Limits(
        max_bytes=options.max_document_bytes,
        max_pages=options.max_document_pages,
        max_objects=options.max_document_objects,
    )


def image_limits_of(options: BackupOptions) -> _images.ImageLimits:
    """The bounds *options* put on one image document."""
    return _images.ImageLimits(
        max_pixels=options.max_image_pixels,
        max_frames=options.max_document_pages,
        max_bytes=options.max_document_bytes,
        paper=options.paper_size,
    )


def passwords_for(
    options: BackupOptions, document: Document | None
) -> Callable[[], Iterable[str]] | None:
    """*options*' password provider, asked about *document* (``None``: no provider)."""
    provider = options.passwords
    if provider is None or document is None:
        return None
    return lambda: provider(document)


def _shared_key(sha: str, parsed: _pdf.ParsedPdf) -> object:
    """What the writer shares a document's objects by: its bytes, as parsed."""
    return (sha, "repaired") if parsed.repaired else sha


#: How many bytes of the documents that follow are read ahead, so that hashing them (on a
#: helper thread) overlaps copying the current one.
_READ_AHEAD_BYTES: Final = 4 * 1024 * 1024


#: How many copied documents are kept, compacted (their pages, annotations and fields,
#: not their bytes), for another occurrence.
_KEPT_DOCUMENTS: Final = 32


class Documents:
    """The documents read so far.

    What each key holds (its SHA-256) and each bad document's verdict are kept for the
    whole compile. A document once copied is kept compacted — its pages, annotations
    and fields, not its bytes — among the last :data:`_KEPT_DOCUMENTS`, so another
    occurrence is neither read (under the same key) nor parsed again, and memory does
    not grow with the backup. One needed again after it was let go, or whose shared
    objects the writer no longer knows, is read and parsed again.
    """

    def __init__(
        self, *, limits: _pdf.Limits, options: BackupOptions, hashing: _hashing.Hashing
    ) -> None:
        self._limits = limits
        self._options = options
        self._hashing = hashing
        self._fetched: dict[str, tuple[bytes, Future[str]] | Exception] = {}
        #: The document read after each one (by id of its slot), for :meth:`prefetch`.
        self.following: dict[int, Slot] = {}
        self.sha_of: dict[str, str] = {}
        self._errors: dict[str, BadDocumentError] = {}
        self._parsed: OrderedDict[str, _pdf.ParsedPdf] = OrderedDict()
        #: Objects repeated byte for byte across documents are built once per compile.
        self._cache = limits.object_cache()
        #: Whether each loaded document's bytes are handed back (:attr:`Loaded.data`).
        self.keep_bytes = False

    def failed(self, sha: str, error: BadDocumentError) -> None:
        """Remember that the document with *sha* could not be copied."""
        self._errors[sha] = error
        self._forget(sha)

    def _forget(self, sha: str) -> None:
        kept = self._parsed.pop(sha, None)
        if kept is not None:
            kept.release()

    def _cached(self, slot: Slot) -> Loaded | None:
        """What is known of *slot*'s document without reading it again, if anything."""
        sha = self.sha_of.get(slot.key)
        if sha is not None and (slot.parsed is None or slot.parsed.released):
            return self._known(slot, sha)
        return None

    def _prefetch(self, slot: Slot | None) -> None:
        """Read the next few documents and start hashing them while this one is copied."""
        ahead = 0
        while slot is not None and ahead < _READ_AHEAD_BYTES:
            fetched = self._fetched.get(slot.key)
            # A key read once is kept after its copy (or read again when needed).
            if fetched is None and slot.key not in self.sha_of:
                try:
                    data = slot.load()
                except (DocumentNotFoundError, EnvelopeNotFoundError) as error:
                    fetched = self._fetched[slot.key] = error
                else:
                    fetched = self._fetched[slot.key] = (data, self._hashing.digest(data))
            if isinstance(fetched, tuple):
                ahead += len(fetched[0])
            slot = self.following.get(id(slot))

    def read(self, slot: Slot) -> Loaded:
        """What a compile makes of *slot*'s document: parsed, its error, or why it is skipped.

        A document declared as neither a PDF nor an image is skipped unread; any other is
        loaded (:meth:`load`). The PDF and ZIP assemblies and the preview all ask this.
        """
        if not slot.read:
            return Loaded(skipped=unread(slot))
        return self.load(slot)

    def load(self, slot: Slot) -> Loaded:
        """The document of *slot*, parsed (or its error); the next ones start being read."""
        loaded = self._load(slot)
        self._prefetch(self.following.get(id(slot)))
        return loaded

    def _load(self, slot: Slot) -> Loaded:
        known = self._cached(slot)
        if known is not None:
            return known
        fetched = self._fetched.pop(slot.key, None)
        try:
            if fetched is None:
                data = slot.load()
                digest = self._hashing.digest(data)
            elif isinstance(fetched, Exception):
                raise fetched
            else:
                data, digest = fetched
        except (DocumentNotFoundError, EnvelopeNotFoundError) as error:
            bad = BadDocumentError(
                key=slot.key,
                filename=slot.filename,
                code="missing",
                reason="it is not in the store"
                if isinstance(error, DocumentNotFoundError)
                else "the signature service does not have it",
            )
            bad.__cause__ = error
            return Loaded(error=bad)
        sha = self._hashing.result(digest)
        self.sha_of[slot.key] = sha
        keep = self.keep_bytes or (
            self._options.embed_signed_originals and slot.role in SEALED_ROLES
        )
        kept = data if keep else None
        if slot.parsed is not None and not slot.parsed.released:
            return Loaded(data_sha=sha, parsed=slot.parsed, data=kept)
        known = self._known(slot, sha)
        if known is not None:
            return attrs.evolve(known, data=kept)
        kind = image_format(data)
        if kind is not None:
            return attrs.evolve(self._image(slot, data, sha, kind), data=kept)
        if not slot.declared_pdf and _pdf.sniff(data).code is not None:
            # Read because it may have been an image; it is neither that nor a PDF.
            return Loaded(data_sha=sha, skipped=_neither(slot, data))
        try:
            parsed = _pdf.open_pdf(
                data,
                key=slot.key,
                filename=slot.filename,
                limits=self._limits,
                passwords=self._passwords(slot),
                repair=self._options.repair,
                cache=self._cache,
            )
        except BadDocumentError as error:
            self._errors[sha] = error
            return Loaded(data_sha=sha, error=error)
        parsed.notes = (*parsed.notes, *_declared_note(slot, "PDF"))
        return Loaded(data_sha=sha, parsed=parsed, data=kept)

    def _image(self, slot: Slot, data: bytes, sha: str, kind: str) -> Loaded:
        """*slot*'s document, whose bytes are an image of format *kind*."""
        what = _images.KINDS[kind]
        if self._options.images == "skip":
            reason = f"it is {with_article(what)}, and images are left out (images='skip')"
            return Loaded(data_sha=sha, skipped=("image_skipped", reason))
        try:
            image = _images.open_image(
                data,
                kind,
                key=slot.key,
                filename=slot.filename,
                limits=image_limits_of(self._options),
            )
        except _images.ImagesUnavailable as missing:
            return Loaded(data_sha=sha, skipped=("needs_images_extra", str(missing)))
        except BadDocumentError as error:
            self._errors[sha] = error
            return Loaded(data_sha=sha, error=error)
        image.notes = (*_declared_note(slot, kind), *image.notes)
        return Loaded(data_sha=sha, parsed=image)

    def add(
        self,
        writer: _pdf.BackupWriter,
        slot: Slot,
        loaded: Loaded,
        *,
        field_prefix: str,
        annotations: Sequence[int] = (),
    ) -> _pdf.Added:
        """Copy *loaded* into *writer*; rewrite it once with the repair engine if that fails.

        On success *loaded* holds the parsed document that was copied (the rewritten one,
        after a repair).
        """
        assert loaded.parsed is not None
        assert loaded.data_sha is not None
        sha = loaded.data_sha
        parsed = loaded.parsed
        if isinstance(parsed, _images.ParsedImage):
            # Not kept for another occurrence: its pages are made from its bytes each time.
            try:
                return writer.add_image(parsed)
            finally:
                parsed.release()
        try:
            try:
                added = writer.add_document(
                    parsed,
                    field_prefix=field_prefix,
                    shared_key=_shared_key(sha, parsed),
                    annotations=annotations,
                )
            except _pdf.NeedsBytes:
                # Kept compacted, but the writer no longer has all its objects: read it again.
                self._forget(sha)
                parsed = self._parse_again(slot, sha)
                added = writer.add_document(
                    parsed,
                    field_prefix=field_prefix,
                    shared_key=_shared_key(sha, parsed),
                    annotations=annotations,
                )
        except BadDocumentError as error:
            self._forget(sha)
            if not self._options.repair or parsed.compacted:
                parsed.release()
                raise
            try:
                repaired = _pdf.repair_pdf(
                    parsed, error, limits=self._limits, passwords=self._passwords(slot)
                )
            finally:
                parsed.release()
            parsed = repaired
            try:
                added = writer.add_document(
                    repaired,
                    field_prefix=field_prefix,
                    shared_key=_shared_key(sha, repaired),
                    annotations=annotations,
                )
            except BaseException:
                repaired.release()
                raise
        loaded.parsed = parsed
        self._keep(sha, parsed)
        return added

    def _parse_again(self, slot: Slot, sha: str) -> _pdf.ParsedPdf:
        """*slot*'s document read and parsed again: the bytes whose SHA-256 is *sha*.

        Hashed again, so that bytes changed in the store since the first read are never
        copied under the first read's hash (the manifest would vouch for other bytes).
        """
        try:
            data = slot.load()
        except (DocumentNotFoundError, EnvelopeNotFoundError) as error:
            raise BadDocumentError(
                key=slot.key,
                filename=slot.filename,
                code="missing",
                reason="it was in the store earlier in this compile, and is not any more",
            ) from error
        if self._hashing.result(self._hashing.digest(data)) != sha:
            # What was read first (and hashed) is no longer in the store.
            raise BadDocumentError(
                key=slot.key,
                filename=slot.filename,
                code="missing",
                reason="it changed in the store during this compile: the bytes read again "
                "are not the ones read earlier (their SHA-256 differs)",
            )
        return _pdf.open_pdf(
            data,
            key=slot.key,
            filename=slot.filename,
            limits=self._limits,
            passwords=self._passwords(slot),
            repair=self._options.repair,
            cache=self._cache,
        )

    def _passwords(self, slot: Slot) -> Callable[[], Iterable[str]] | None:
        return passwords_for(self._options, slot.document)

    def _known(self, slot: Slot, sha: str) -> Loaded | None:
        kept = self._parsed.get(sha)
        if kept is not None:
            self._parsed.move_to_end(sha)
            return Loaded(data_sha=sha, parsed=kept)
        error = self._errors.get(sha)
        if error is None or (error.code == "encrypted" and self._options.passwords):
            # Another document with the same bytes may have a password that opens it.
            return None
        if error.key == slot.key:
            return Loaded(data_sha=sha, error=error)
        # Same bytes, same verdict — but name this document in the error.
        again = BadDocumentError(
            key=slot.key, filename=slot.filename, code=error.code, reason=error.reason
        )
        again.__cause__ = error.__cause__
        return Loaded(data_sha=sha, error=again)

    def release_all(self) -> None:
        """Let go of every document kept for another occurrence: the compile is over.

        Released, a document's objects are freed as soon as nothing refers to them,
        instead of waiting, in reference cycles, for the garbage collector.
        """
        while self._parsed:
            _, kept = self._parsed.popitem()
            kept.release()

    def _keep(self, sha: str, parsed: _pdf.ParsedPdf) -> None:
        """Keep *parsed*, just copied, compacted for another occurrence."""
        if self._parsed.get(sha) is parsed:
            self._parsed.move_to_end(sha)
            return
        self._forget(sha)
        parsed.compact()
        self._parsed[sha] = parsed
        while len(self._parsed) > _KEPT_DOCUMENTS:
            _, dropped = self._parsed.popitem(last=False)
            dropped.release()


#: The image format (or ``PDF``) each declared media type says a document is.
_DECLARED: Final = {
    "application/pdf": "PDF",
    "application/x-pdf": "PDF",
    "application/acrobat": "PDF",
    "image/jpeg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
}


def _declared_note(slot: Slot, found: str) -> tuple[str, ...]:
    """A note when *slot*'s declared media type says it is another kind than its bytes."""
    if slot.document is None:
        return ()
    media_type = slot.document.media_type.partition(";")[0]
    declared = _DECLARED.get(media_type)
    if declared is None or declared == found:
        return ()
    what = "PDF" if found == "PDF" else _images.KINDS[found]
    found_kind = with_article(what)
    return (f"it is declared as {media_type}, but its bytes are {found_kind}: it was read as one",)


def _neither(slot: Slot, data: bytes) -> tuple[str, str]:
    """Why a document read as a possible image is left out: its bytes are neither."""
    sniffed = _pdf.sniff(data)
    return "not_pdf", (
        f"{slot.noun} is neither a PDF nor an image this library reads: it looks like "
        f"{with_article(sniffed.kind)}; only PDF and image attachments go into a backup"
    )
