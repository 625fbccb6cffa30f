r"""Compile invoice backups: plan the selection, then assemble one PDF.

Two steps, as in h11: the core decides, the edge does I/O.

* :func:`~invoicebackup.plan.plan_backup` is pure. It checks every precondition at
  once and returns the ordered :class:`~invoicebackup.plan.BackupPlan`, or raises
  **one** :class:`~invoicebackup.errors.BackupPreconditionsError` listing every problem.
* :func:`compile_backup` plans, resolves signed versions, reads and parses every
  document **before** writing anything, assembles the PDF (through
  ``invoicebackup._pdf``), writes it atomically to the store under a name that
  never overwrites, and returns a :class:`~invoicebackup.manifest.BackupResult`.

This module holds the orchestration. Its parts live in modules named for what they
hold: :mod:`invoicebackup.options`, :mod:`invoicebackup.plan`,
:mod:`invoicebackup.manifest` (the result and manifest records),
:mod:`invoicebackup.progress` and :mod:`invoicebackup.naming`. Their public names
are importable from here too, as they were before they moved.

A whole backup, with an in-memory store:

>>> from datetime import date, datetime, timezone
>>> from invoicebackup import (
...     BillingPeriod, Contract, Document, Invoice, InMemoryStore, Permissions,
...     PermissionLevel, Project, User, compile_backup,
... )
>>> from invoicebackup.testing import lien_waiver_pdf, text_pdf
>>> admin = User(id="u-1", name="Ada", permissions=Permissions(commitments=PermissionLevel.ADMIN))
>>> project = Project(
...     id="p-1", name="Harbour Tower", number="HT-01", users=[admin],
...     contracts=[Contract(id="c-1", number="SC-2", title="Concrete")],
...     billing_periods=[BillingPeriod(
...         id="bp-1", start=date(2024, 5, 1), end=date(2024, 5, 31), due=date(2024, 6, 5))],
...     invoices=[Invoice(
...         id="i-1", contract_id="c-1", billing_period_id="bp-1", position=1, number="1",
...         document=Document(key="docs/i-1.pdf", filename="Pay application 1.pdf"),
...         attachments=[Document(key="docs/waiver.pdf", filename="Lien waiver.pdf"),
...                      Document(key="docs/costs.xlsx", filename="costs.xlsx")])],
... )
>>> store = InMemoryStore({
...     "docs/i-1.pdf": text_pdf(["Pay application 1", "Continuation sheet"]),
...     "docs/waiver.pdf": lien_waiver_pdf({"amount": "12,500.00"}),
...     "docs/costs.xlsx": b"PK\x03\x04 a spreadsheet",
... })
>>> result = compile_backup(project, invoice_ids=["i-1"], user_id="u-1", store=store,
...                         now=datetime(2024, 6, 3, 14, 5, tzinfo=timezone.utc))
>>> result.key
'backups/Subcontractor invoice backup - Harbour Tower - HT-01 - 2024-06-03 - 1405.pdf'
>>> result.page_count, result.invoices[0].first_page, result.invoices[0].last_page
(4, 2, 4)
>>> result.manifest.cover_first_page, result.manifest.cover_last_page  # the cover sheet
(1, 1)
>>> [(item.filename, item.code, item.action.value) for item in result.left_out]
[('costs.xlsx', 'not_pdf', 'skipped')]
>>> print(result.message)  # doctest: +NORMALIZE_WHITESPACE
The invoice backup was compiled; 1 item left out or replaced by a placeholder:
Subcontractor invoice backup - Harbour Tower - HT-01 - 2024-06-03 - 1405.pdf

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Final

from . import _hashing
from ._assembly import Sink, backup_message
from ._documents import Documents, limits_of
from ._formats import assemble_as
from ._job import CompileJob
from ._signed_versions import planned_slot, resolve_signatures
from ._verdict import judge
from ._volumeprogress import VolumeProgress
from ._volumes import Measure, TooBig, check_store, write_volumes
from .docusign import SignatureProvider
from .domain import Document, Project
from .errors import BadDocumentError, DocumentExistsError, InvalidValueError
from .manifest import (
    MANIFEST_NAME,
    Action,
    BackupManifest,
    BackupResult,
    EnvelopeRecord,
    InvoiceRecord,
    LeftOut,
    SignatureState,
    SourceRecord,
)
from .naming import backup_filename, numbered_filename
from .options import BackupOptions
from .plan import (
    BackupPlan,
    DocumentRole,
    PlannedContract,
    PlannedDocument,
    PlannedInvoice,
    plan_backup,
)
from .progress import ProgressEvent, ProgressStage
from .storage import DocumentStore
from .terminology import Vocabulary

__all__ = [
    "MANIFEST_NAME",
    "Action",
    "BackupManifest",
    "BackupOptions",
    "BackupPlan",
    "BackupResult",
    "DocumentRole",
    "EnvelopeRecord",
    "InvoiceRecord",
    "LeftOut",
    "PlannedContract",
    "PlannedDocument",
    "PlannedInvoice",
    "ProgressEvent",
    "ProgressStage",
    "SignatureState",
    "SourceRecord",
    "backup_filename",
    "check_document",
    "compile_backup",
    "failure_message",
    "plan_backup",
]


_MAX_NAME_ATTEMPTS: Final = 1000


def check_document(
    document: Document,
    data: bytes,
    *,
    options: BackupOptions | None = None,
    role: DocumentRole = DocumentRole.ATTACHMENT,
) -> None:
    """Check that a backup includes *data*, the bytes of *document*, as it is.

    The verdict is the one :func:`compile_backup` gives the same bytes under the same
    *options*: the document is read, opened and copied (a PDF) or made into pages (an
    image: JPEG, PNG, TIFF, GIF, WebP, BMP; see :attr:`BackupOptions.images
    <invoicebackup.options.BackupOptions.images>`) by the code a compile runs, into an
    output that is thrown away; nothing is kept. With ``options.format="zip"`` it is
    opened, not copied, as a ZIP backup holds each document's bytes as they were.

    Whatever leaves the document out of the backup raises, with the code and reason
    the backup's :class:`~invoicebackup.manifest.LeftOut` would give, whether the compile
    would leave it out for a fault (``options.on_bad_document`` then only says whether a
    placeholder page stands for it) or by choice: a document declared as neither a PDF
    nor an image (``not_pdf``), an image under ``images="skip"`` (``image_skipped``), an
    image that needs Pillow when the ``images`` extra is not installed
    (``needs_images_extra``). An upload form asks whether the backup will hold the
    document, and it will not; an integrator content to store such a document anyway
    tests ``error.code``.

    Args:
        document: The document (its key and file name name it in an error; its file name
            or media type says what it is declared as; a password provider is asked
            about it).
        data: Its bytes.
        options: The bounds, image policy, password provider and repair setting to apply.
        role: What the document is to its invoice, as in a backup: an attachment
            (the default) or a lien waiver is read only when it is declared as a PDF, an
            image or nothing in particular; an invoice's own document is always read.

    Raises:
        BadDocumentError: A backup would leave it out: ``empty``, ``not_pdf``,
            ``damaged``, ``encrypted``, ``unsupported_encryption``, ``too_large`` (more
            bytes, pages, pixels or frames than the options allow), ``image_skipped`` or
            ``needs_images_extra``, with the reason a backup would give.

    Example:
        >>> from invoicebackup import BackupOptions, BadDocumentError, Document, check_document
        >>> from invoicebackup.testing import text_pdf
        >>> check_document(Document(key="docs/a.pdf", filename="a.pdf"), text_pdf(["A"]))
        >>> try:
        ...     check_document(Document(key="docs/b.pdf", filename="b.pdf"), b"")
        ... except BadDocumentError as error:
        ...     print(error.code, "-", error.reason)
        empty - it is an empty file (no content)

        A photo goes in as a page, unless images are left out:

        >>> from importlib.resources import files
        >>> photo = files("invoicebackup").joinpath("sample_delivery_photo.jpg").read_bytes()
        >>> delivered = Document(key="docs/delivered.jpg", filename="Delivered.jpg")
        >>> check_document(delivered, photo)
        >>> try:
        ...     check_document(delivered, photo, options=BackupOptions(images="skip"))
        ... except BadDocumentError as error:
        ...     print(error.code, "-", error.reason)
        image_skipped - it is a JPEG image, and images are left out (images='skip')

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       Images are checked as a backup includes them (they were refused as ``not_pdf``),
       the document is copied as a backup copies it, and *role* was added.
    """
    options = options or BackupOptions()
    slot = planned_slot(PlannedDocument(role=role, document=document, position=0), lambda: data)
    verdict = judge(slot, options, copy=options.format == "pdf")
    if verdict.skipped is not None:
        code, reason = verdict.skipped
        raise BadDocumentError(
            key=document.key, filename=document.filename, code=code, reason=reason
        )
    if verdict.error is not None:
        raise verdict.error


def failure_message(project: Project, error: BaseException, *, language: str | None = None) -> str:
    """The notification to show when a compilation failed with *error*, localised.

    Example:
        >>> from invoicebackup import BackupPreconditionsError, failure_message, plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> try:
        ...     plan_backup(project, invoice_ids=["i-9"], user_id="u-admin")
        ... except BackupPreconditionsError as error:
        ...     print(failure_message(project, error))
        The invoice backup could not be compiled: the backup cannot be compiled: 1 problem

    .. versionadded:: 0.1.0
    """
    vocabulary = Vocabulary(dictionary=project.dictionary, language=language or project.language)
    return vocabulary.message("backup_failed", reason=str(error).splitlines()[0])


def compile_backup(
    project: Project,
    *,
    invoice_ids: Iterable[str] = (),
    contract_ids: Iterable[str] = (),
    user_id: str,
    store: DocumentStore,
    output: DocumentStore | None = None,
    signatures: SignatureProvider | None = None,
    options: BackupOptions | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Compile one backup PDF of the selected invoices and write it to *store*.

    Documents are read, checked and copied one at a time, in backup order, straight
    into the store's atomic :meth:`~invoicebackup.storage.DocumentStore.create` under
    :func:`~invoicebackup.naming.backup_filename` in ``options.output_prefix``
    (`` (2)``, `` (3)``… when the name is taken): memory holds one document at a time,
    never the whole backup, and nothing is visible in the store until the backup is
    complete. If another writer takes the name while the backup is written, it is
    assembled again under the next name (its progress is not reported twice).
    Signed versions replace the default PDF on a project with the DocuSign
    integration (see the module documentation and ``options.on_unsigned``).

    With ``options.format="zip"`` the backup is one ZIP instead (its name ends in
    ``.zip``): the same documents, each as the bytes it was, named
    ``NNN - {contract} - {invoice} - {document}.pdf`` in backup order, then the manifest;
    written the same way, streamed and atomic (see :attr:`BackupOptions.format
    <invoicebackup.options.BackupOptions.format>`).

    Args:
        project: The project.
        invoice_ids: Selected invoices: a list of ids, never a bare string.
        contract_ids: Selected contracts (all their invoices), as a list of ids.
        user_id: Who asks.
        store: Where documents are read and, unless *output* is given, the backup is
            written.
        output: Where the backup is written, when not to *store* (a read-only document
            store, a separate archive).
        signatures: The signature service to ask for envelope statuses and signed
            documents; without it, the project's envelopes and the store's
            ``signed_document_key``/``certificate_key`` are used.
        options: How to treat what is found.
        progress: Called with a :class:`~invoicebackup.progress.ProgressEvent` after each step.
        now: The time of the backup (name, metadata); the current UTC time when
            ``None``. Must carry a time zone.

    Returns:
        The result.

    Raises:
        BackupPreconditionsError: See :func:`~invoicebackup.plan.plan_backup`; nothing was read.
        InvalidValueError: A selection is a bare string (see
            :func:`~invoicebackup.plan.plan_backup`).
        BadDocumentError: A document is bad and the policy is ``"fail"``.
        UnsignedInvoiceError: An envelope is not completed and the policy is ``"fail"``.
        DocumentStoreError: The store failed to read or write (not a missing document).
        SignatureProviderError: The signature service failed.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> from invoicebackup import BackupOptions
        >>> project, store = sample_project(), InMemoryStore(sample_documents())
        >>> options = BackupOptions(include_certificate=True, output_prefix="archive")
        >>> result = compile_backup(project, contract_ids=["k-2", "k-10"], user_id="u-admin",
        ...                         store=store, options=options,
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> result.key
        'archive/Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930.pdf'
        >>> for r in result.invoices:
        ...     print(r.invoice_id, r.first_page, r.last_page, r.signature.value)
        i-1 2 6 not_applicable
        i-2 7 12 signed
        i-3 13 15 not_applicable
        >>> [(item.filename, item.code, item.action.value) for item in result.left_out]
        [('Quantities.csv', 'not_pdf', 'skipped')]
        >>> result.key in store
        True

    .. versionadded:: 0.1.0
    """
    options = options or BackupOptions()
    if now is None:
        now = datetime.now(UTC)
    if now.utcoffset() is None:
        raise InvalidValueError("now", now, reason="has no time zone; give an aware datetime")
    plan = plan_backup(
        project,
        invoice_ids=invoice_ids,
        contract_ids=contract_ids,
        user_id=user_id,
        options=options,
    )
    if options.max_volume_bytes is not None:
        check_store(store if output is None else output)
    language = options.language or project.language
    vocabulary = Vocabulary(dictionary=project.dictionary, language=language)
    limits = limits_of(options)
    work = resolve_signatures(
        project, plan, store=store, signatures=signatures, options=options, limits=limits
    )
    started = time.perf_counter()
    with _hashing.Hashing() as hashing:
        documents = Documents(limits=limits, options=options, hashing=hashing)
        try:
            job = CompileJob(
                project=project,
                plan=plan,
                work=work,
                user_id=user_id,
                vocabulary=vocabulary,
                options=options,
                limits=limits,
                now=now,
                hashing=hashing,
            )
            result = _compile(
                job,
                target=store if output is None else output,
                notify=progress or (lambda _event: None),
                documents=documents,
            )
        finally:
            documents.release_all()
    _log_result(result, project=project, user_id=user_id, seconds=time.perf_counter() - started)
    return result


#: The library's logger; silent unless the host configures logging (a NullHandler is on it).
_LOG = logging.getLogger("invoicebackup")


def _log_result(result: BackupResult, *, project: Project, user_id: str, seconds: float) -> None:
    """One INFO record for the backup, one DEBUG record per document it holds.

    The values are also in each record's ``extra`` fields, under ``invoicebackup_*``
    names, for a structured logger to keep as they are.
    """
    if _LOG.isEnabledFor(logging.DEBUG):
        for record in result.invoices:
            for source in record.sources:
                _LOG.debug(
                    "backup %s: %s of invoice %s, pages %s-%s, sha256 %s%s",
                    result.key,
                    source.key,
                    record.invoice_id,
                    source.first_page,
                    source.last_page,
                    source.sha256,
                    ", signed" if source.signed else "",
                    extra={
                        "invoicebackup_backup_key": result.key,
                        "invoicebackup_invoice_id": record.invoice_id,
                        "invoicebackup_document_key": source.key,
                        "invoicebackup_sha256": source.sha256,
                        "invoicebackup_first_page": source.first_page,
                        "invoicebackup_last_page": source.last_page,
                        "invoicebackup_signed": source.signed,
                    },
                )
    _LOG.info(
        "backup of project %s by %s: %d invoice(s), %d page(s), %d left out, %s, sha256 %s, %.2f s",
        project.id,
        user_id,
        len(result.invoices),
        result.page_count,
        len(result.left_out),
        result.key,
        result.sha256,
        seconds,
        extra={
            "invoicebackup_project_id": project.id,
            "invoicebackup_user_id": user_id,
            "invoicebackup_invoice_ids": [record.invoice_id for record in result.invoices],
            "invoicebackup_pages": result.page_count,
            "invoicebackup_left_out": len(result.left_out),
            "invoicebackup_backup_key": result.key,
            "invoicebackup_sha256": result.sha256,
            "invoicebackup_seconds": round(seconds, 3),
        },
    )


def _written(
    notify: Callable[[ProgressEvent], None], total: int, written: BackupManifest | BackupResult
) -> None:
    """Tell that the backup (its one file or every volume) is written, not yet committed.

    It goes out before the commit: a callback that raises (or a Ctrl-C) there still
    leaves nothing behind.
    """
    notify(
        ProgressEvent(
            stage=ProgressStage.WRITTEN,
            documents_done=total,
            documents_total=total,
            pages_written=written.page_count,
        )
    )


def _compile(
    job: CompileJob,
    *,
    target: DocumentStore,
    notify: Callable[[ProgressEvent], None],
    documents: Documents,
) -> BackupResult:
    options = job.options
    total = sum(len(w.slots) for w in job.work)
    base = backup_filename(job.project, now=job.now, language=options.language)
    if options.format == "zip":
        base = base.removesuffix(".pdf") + ".zip"
    folder = f"{options.output_prefix}/" if options.output_prefix else ""
    # With a volume size, the one file measures each invoice; over the limit, it is
    # dropped and the measurements plan the volumes (see invoicebackup._volumes).
    measure = None if options.max_volume_bytes is None else Measure(options.max_volume_bytes)
    assembled = False
    for attempt in range(1, _MAX_NAME_ATTEMPTS + 1):
        filename = numbered_filename(base, attempt)
        key = folder + filename
        if target.exists(key):
            continue
        if assembled:
            # The backup is assembled again under this name: its progress was reported.
            notify = lambda _event: None  # noqa: E731
        # With a volume size, the one file's events are divided from the volumes' (see
        # invoicebackup._volumeprogress): a bar neither goes backwards nor counts twice.
        watch = None if measure is None else VolumeProgress(notify, total)
        try:
            with target.create(key) as out:
                sink = Sink(
                    out if measure is None else measure.capped(out), key, job.hashing.stream()
                )
                manifest = assemble_as(
                    job,
                    documents,
                    sink,
                    notify=notify if watch is None else watch.measuring,
                    measure=measure,
                )
                if measure is not None and sink.size > measure.limit:
                    raise TooBig(manifest, sink.size)  # not committed: written as volumes
                if watch is not None:
                    watch.fitted()
                _written(notify, total, manifest)
        except TooBig as too_big:
            assert measure is not None
            assert watch is not None
            result = write_volumes(
                job,
                measure,
                too_big,
                target=target,
                base=base,
                folder=folder,
                progress=watch,
                # As for one file: the last event goes out before anything is committed.
                before_commit=functools.partial(_written, notify, total),
            )
            return result
        except DocumentExistsError:
            # Taken while we wrote (the check above and the commit are atomic, not the
            # whole compile): assemble again under the next name.
            assembled = True
            continue
        break
    else:
        raise DocumentExistsError(folder + base, f"{_MAX_NAME_ATTEMPTS} names are already taken")
    return BackupResult(
        key=key,
        filename=filename,
        size=sink.size,
        sha256=sink.digest.hexdigest(),
        message=backup_message(manifest, filename, job.vocabulary),
        manifest=manifest,
    )
