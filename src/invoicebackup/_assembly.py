"""Assembly: every document copied, in backup order, into one PDF streamed to the store.

Placeholder pages, the outline's titles and the manifest are made here.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, BinaryIO

import attrs

from . import _cover, _cover_pdf, _hashing, _pdf, _waivers
from ._documents import Documents
from ._images import ParsedImage
from ._job import CompileJob
from ._sealed import Sealer
from ._volumepart import Measuring, VolumePart
from ._work import InvoiceWork, Slot
from .domain import Contract, Invoice, Project
from .errors import BadDocumentError, DocumentStoreError, InvoiceBackupError
from .manifest import (
    MANIFEST_NAME,
    Action,
    BackupManifest,
    InvoiceRecord,
    LeftOut,
    SourceRecord,
    WaiverRecord,
)
from .options import BackupOptions, Include
from .pdf.digest import PAGE_DIGEST
from .plan import BackupPlan, PlannedInvoice
from .progress import ProgressEvent, ProgressStage
from .serialization import manifest_to_json_bytes
from .terminology import Vocabulary

#: The bytes of one object's entry in the cross-reference table.
_XREF_ENTRY = 20


class Sink:
    """The backup's output stream: counts and hashes what is written; store faults are typed."""

    def __init__(self, out: BinaryIO, key: str, digest: _hashing.StreamDigest) -> None:
        self._out = out
        self._key = key
        self.digest = digest
        self.size = 0

    def write(self, chunk: bytes | bytearray | memoryview) -> int:
        self.digest.update(chunk)  # on the helper thread: the writer never changes a chunk
        try:
            self._out.write(chunk)
        except InvoiceBackupError:
            raise
        except OSError as error:
            raise DocumentStoreError(
                self._key, f"the backup could not be written ({error})"
            ) from error
        self.size += len(chunk)
        return len(chunk)


def assemble(
    job: CompileJob,
    documents: Documents,
    sink: Sink,
    *,
    notify: Callable[[ProgressEvent], None],
    volume: VolumePart | None = None,
    measure: Measuring | None = None,
) -> BackupManifest:
    """Read, check and copy every document of *job*, in backup order, straight into *sink*.

    With *volume*, only its invoices (one volume of a backup written as volumes, see
    :mod:`invoicebackup._volumes`); *measure* is told of each document and invoice once it
    is written (to size volumes).
    """
    title = job.vocabulary.term("backup_title")
    writer = _pdf.BackupWriter(
        sink,  # type: ignore[arg-type]
        title=f"{title} - {job.project.name}",
        subject=_subject(job.plan, job.vocabulary),
        created=job.now,
        limits=job.limits,
        digests=job.options.embed_manifest,
    )
    try:
        return _assemble(job, documents, writer, notify=notify, volume=volume, measure=measure)
    finally:
        writer.close()


def _assemble(
    job: CompileJob,
    documents: Documents,
    writer: _pdf.BackupWriter,
    *,
    notify: Callable[[ProgressEvent], None],
    volume: VolumePart | None = None,
    measure: Measuring | None = None,
) -> BackupManifest:
    total = sum(len(w.slots) for w in job.work if volume is None or in_file(w, volume))
    title = job.vocabulary.term("backup_title")
    records: list[InvoiceRecord] = []
    sealer = Sealer(writer, enabled=job.options.embed_signed_originals)
    left_out: list[LeftOut] = []
    outline: list[_pdf.OutlineNode] = []
    done = 0
    work_of = {item.planned.invoice.id: item for item in job.work}
    order = [
        slot
        for planned_contract in job.plan.contracts
        for planned in planned_contract.invoices
        if in_file(work_of[planned.invoice.id], volume)
        for index, slot in enumerate(work_of[planned.invoice.id].slots)
        if slot.read and (volume is None or volume.holds(planned.invoice.id, index))
    ]
    documents.following = {id(slot): after for slot, after in itertools.pairwise(order)}
    cover_pages: tuple[int, ...] = ()
    if Include.COVER_SHEET in job.options.include and (volume is None or volume.number == 1):
        # First in the backup, written last: every page after it is numbered from its end.
        cover_pages = writer.reserve_pages(_cover_pdf.page_count(_cover.line_count(job.plan)))
    for planned_contract in job.plan.contracts:
        invoice_nodes: list[_pdf.OutlineNode] = []
        contract_start = writer.page_count
        for planned in planned_contract.invoices:
            item = work_of[planned.invoice.id]
            if not in_file(item, volume):
                continue
            start = writer.page_count
            sealer.start(item)
            sources: list[SourceRecord] = []
            doc_nodes: list[_pdf.OutlineNode] = []
            waiver_nodes: list[_pdf.OutlineNode] = []
            for index, slot in enumerate(item.slots):
                invoice = planned.invoice
                if volume is not None and not volume.holds(invoice.id, index):
                    continue  # in another volume of this invoice's
                first_page = writer.page_count
                loaded = documents.read(slot)
                done += 1
                notify(
                    ProgressEvent(
                        stage=ProgressStage.READ,
                        documents_done=done,
                        documents_total=total,
                        pages_written=writer.page_count - len(cover_pages),
                    )
                )
                if loaded.skipped is not None:
                    left_out.append(skipped_slot(invoice, slot, loaded.skipped))
                else:
                    error = loaded.error
                    if error is not None and job.options.on_bad_document == "fail":
                        raise error
                    if error is None:
                        assert loaded.parsed is not None
                        assert loaded.data_sha is not None
                        prefix = _field_prefix(invoice, index)
                        try:
                            added = documents.add(
                                writer,
                                slot,
                                loaded,
                                field_prefix=prefix,
                                annotations=sealer.annotations(slot),
                            )
                        except BadDocumentError as copy_error:
                            if job.options.on_bad_document == "fail":
                                raise
                            error = copy_error
                            documents.failed(loaded.data_sha, copy_error)
                        else:
                            embedded_as = sealer.embed(
                                slot, loaded.data, invoice_number=invoice.number
                            )
                            sources.append(
                                SourceRecord(
                                    role=slot.role,
                                    key=slot.key,
                                    filename=slot.filename,
                                    sha256=loaded.data_sha,
                                    pages=added.page_count,
                                    first_page=added.first_page + 1,
                                    last_page=added.first_page + added.page_count,
                                    signed=slot.signed,
                                    encrypted=loaded.parsed.encrypted,
                                    field_prefix=prefix if added.fields else None,
                                    removed=added.removed,
                                    repaired=loaded.parsed.repaired,
                                    notes=added.notes,
                                    waiver=waiver_record(slot),
                                    embedded_as=embedded_as,
                                    image=loaded.parsed.kind
                                    if isinstance(loaded.parsed, ParsedImage)
                                    else None,
                                )
                            )
                            (waiver_nodes if slot.waiver else doc_nodes).append(
                                _pdf.OutlineNode(
                                    title=_slot_title(slot, job.vocabulary),
                                    page_index=added.first_page,
                                    children=_pdf.shifted(loaded.parsed.outline, added.first_page),
                                )
                            )
                    if error is not None:
                        left_out.append(
                            _bad_entry(invoice, slot, error, job.options, writer, job.vocabulary)
                        )
                        if left_out[-1].page is not None:
                            (waiver_nodes if slot.waiver else doc_nodes).append(
                                _pdf.OutlineNode(
                                    title=_slot_title(slot, job.vocabulary),
                                    page_index=writer.page_count - 1,
                                )
                            )
                if measure is not None:
                    measure.document(
                        invoice.id,
                        index,
                        position=writer.objects.position,
                        ending=_XREF_ENTRY * writer.objects.mark,
                        pages=range(first_page + 1, writer.page_count + 1),
                    )
                notify(
                    ProgressEvent(
                        stage=ProgressStage.ASSEMBLED,
                        documents_done=done,
                        documents_total=total,
                        pages_written=writer.page_count - len(cover_pages),
                    )
                )
            doc_nodes += _waivers_node(waiver_nodes, job.vocabulary)
            end = writer.page_count
            record = invoice_record(planned, planned_contract.contract, item, sources, start, end)
            if volume is not None and volume.volume_of.get(planned.invoice.id) != volume.number:
                # Split between volumes: the waivers it misses are said once, in its first.
                record = attrs.evolve(record, missing_waivers=())
            records.append(record)
            if measure is not None:
                measure.invoice(record)
            if end > start:
                invoice_nodes.append(
                    _pdf.OutlineNode(
                        title=_invoice_title(planned, job.vocabulary),
                        page_index=start,
                        children=tuple(doc_nodes),
                    )
                )
        if writer.page_count > contract_start:
            outline.append(
                _pdf.OutlineNode(
                    title=_contract_title(planned_contract.contract),
                    page_index=contract_start,
                    children=tuple(invoice_nodes),
                )
            )
    if volume is None or volume.number == 1:
        left_out[:0] = skipped_invoices(job.work)
    if writer.page_count == len(cover_pages):
        writer.add_text_page([title, job.vocabulary.term("backup_nothing_included")])
    if cover_pages:
        sheet = cover_sheet_for(job, records, volume)
        before = writer.objects.position + _XREF_ENTRY * writer.objects.mark
        _cover_pdf.write_cover(writer, sheet, cover_pages)
        if measure is not None:
            after = writer.objects.position + _XREF_ENTRY * writer.objects.mark
            measure.cover(after - before)
        outline.insert(
            0, _pdf.OutlineNode(title=job.vocabulary.term("cover.bookmark"), page_index=0)
        )
    writer.set_outline(outline)
    # Every page and all it draws is written: what a verifier will recompute.
    digests = tuple(writer.page_digests()) if job.options.embed_manifest else ()
    manifest = backup_manifest(
        job.project,
        user_id=job.user_id,
        vocabulary=job.vocabulary,
        options=job.options,
        now=job.now,
        page_count=writer.page_count,
        records=records,
        left_out=left_out,
        cover_first_page=1 if cover_pages else None,
        cover_last_page=len(cover_pages) or None,
        page_digest=PAGE_DIGEST if digests else None,
        page_digests=digests,
    )
    file_id = _fingerprint(job.project, job.plan, job.work, documents.sha_of, job.options, job.now)
    if volume is not None:
        manifest = attrs.evolve(manifest, volume=volume.number, volumes=volume.volumes)
        file_id += b" volume %d of %d" % (volume.number, len(volume.volumes))
    if job.options.embed_manifest:
        writer.attach(MANIFEST_NAME, manifest_to_json_bytes(manifest))
    writer.finish(file_id=file_id)
    return manifest


def in_file(item: InvoiceWork, volume: VolumePart | None) -> bool:
    """Whether *item* is written into this file: not skipped, and in *volume* if one is written."""
    return item.skip_reason is None and (
        volume is None or item.planned.invoice.id in volume.invoice_ids
    )


def cover_sheet_for(
    job: CompileJob, records: Sequence[InvoiceRecord], volume: VolumePart | None
) -> _cover.CoverSheet:
    """The cover sheet of *job*'s backup listing *records* (and a *volume*'s other invoices)."""
    return _cover.cover_sheet(
        job.project,
        job.plan,
        [*records, *(volume.others if volume is not None else ())],
        user_id=job.user_id,
        vocabulary=job.vocabulary,
        include=job.options.include,
        signatures={item.planned.invoice.id: item.signature for item in job.work},
        now=job.now,
        volume_of=volume.volume_of if volume is not None else None,
    )


def backup_message(manifest: BackupManifest, filename: str, vocabulary: Vocabulary) -> str:
    """The notification for a backup written as *filename* that holds what *manifest* says."""
    if manifest.left_out:
        message = vocabulary.count_message(
            "backup_with_problems", len(manifest.left_out), filename=filename
        )
    else:
        message = vocabulary.message("backup_succeeded", filename=filename)
    missing = sum(len(record.missing_waivers) for record in manifest.invoices)
    if missing:
        # Never silent: the notification itself says that waivers asked for are not in.
        message += " " + vocabulary.count_message("backup_missing_waivers", missing)
    return message


def backup_manifest(
    project: Project,
    *,
    user_id: str,
    vocabulary: Vocabulary,
    options: BackupOptions,
    now: datetime,
    page_count: int,
    records: Sequence[InvoiceRecord],
    left_out: Sequence[LeftOut],
    cover_first_page: int | None = None,
    cover_last_page: int | None = None,
    page_digest: str | None = None,
    page_digests: tuple[str, ...] = (),
) -> BackupManifest:
    """The manifest of a backup (PDF or ZIP) of *project*.

    The cover sheet's pages and the page digests are the PDF's own: a ZIP has neither.
    """
    return BackupManifest(
        project_id=project.id,
        project_name=project.name,
        project_number=project.number,
        user_id=user_id,
        created_at=now,
        language=vocabulary.language,
        title=vocabulary.term("backup_title"),
        page_count=page_count,
        invoices=tuple(records),
        left_out=tuple(left_out),
        # The password provider is code, and what it returns is secret: never recorded.
        options=attrs.evolve(options, passwords=None),
        cover_first_page=cover_first_page,
        cover_last_page=cover_last_page,
        page_digest=page_digest,
        page_digests=page_digests,
    )


def _bad_entry(
    invoice: Invoice,
    slot: Slot,
    error: BadDocumentError,
    options: BackupOptions,
    writer: _pdf.BackupWriter,
    vocabulary: Vocabulary,
) -> LeftOut:
    page: int | None = None
    action = Action.SKIPPED
    if options.on_bad_document == "placeholder":
        page = writer.add_text_page(placeholder_lines(slot, error, vocabulary)) + 1
        action = Action.PLACEHOLDER
    return LeftOut(
        invoice_id=invoice.id,
        key=slot.key,
        filename=slot.filename,
        code=error.code,
        reason=error.reason,
        action=action,
        page=page,
        waiver=waiver_record(slot),
    )


def waiver_record(slot: Slot) -> WaiverRecord | None:
    return None if slot.waiver is None else WaiverRecord.of(slot.waiver)


def _slot_title(slot: Slot, vocabulary: Vocabulary) -> str:
    """A document's bookmark: its file name, or a lien waiver's tier, condition, claimant."""
    return slot.filename if slot.waiver is None else _waivers.title(slot.waiver, vocabulary)


def _waivers_node(
    nodes: Sequence[_pdf.OutlineNode], vocabulary: Vocabulary
) -> list[_pdf.OutlineNode]:
    """The invoice's lien waivers under one bookmark of their own (none when there are none)."""
    if not nodes:
        return []
    return [
        _pdf.OutlineNode(
            title=vocabulary.term("lien_waivers"),
            page_index=nodes[0].page_index,
            children=tuple(nodes),
        )
    ]


def placeholder_lines(slot: Slot, error: BadDocumentError, vocabulary: Vocabulary) -> list[str]:
    """What a placeholder says of the document it stands for: its name, its key, why."""
    return [
        vocabulary.message("backup_placeholder", filename=slot.filename),
        "",
        f"{slot.filename}",
        f"{slot.key}",
        f"{vocabulary.code_label(error.code)} ({error.code}): {error.reason}",
    ]


def _field_prefix(invoice: Invoice, index: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", invoice.id)
    digest = hashlib.sha256(invoice.id.encode()).hexdigest()[:6]
    return f"inv_{safe}_{digest}_d{index}"


def _contract_title(contract: Contract) -> str:
    return f"{contract.number} — {contract.title}" if contract.title else contract.number


def _invoice_title(planned: PlannedInvoice, vocabulary: Vocabulary) -> str:
    invoice, period = planned.invoice, planned.period
    status = vocabulary.term(f"invoice_status.{invoice.status.value}")
    return f"{invoice.number} — {period.start.isoformat()}..{period.end.isoformat()} — {status}"


def _subject(plan: BackupPlan, vocabulary: Vocabulary) -> str:
    contracts = ", ".join(c.contract.number for c in plan.contracts)
    return vocabulary.count_message("backup_subject", len(plan.invoice_ids), contracts=contracts)


def _fingerprint(
    project: Project,
    plan: BackupPlan,
    work: Sequence[InvoiceWork],
    sha_of: Mapping[str, str],
    options: BackupOptions,
    now: datetime,
) -> bytes:
    parts: list[Any] = [project.id, project.name, project.number, now.isoformat()]
    parts.append(_options_text(options))
    for item in work:
        parts.append(item.planned.invoice.id)
        for slot in item.slots:
            parts.append([slot.key, slot.filename, sha_of.get(slot.key)])
    return json.dumps([plan.invoice_ids, parts], sort_keys=True, default=str).encode()


def _options_text(options: BackupOptions) -> str:
    """*options* as text that is the same in every process.

    Not ``repr(options)``: a set's order (``include``) follows the process's string
    hashing, which Python seeds anew in each process, so the same options gave another
    ``/ID`` on every run.
    """
    fields = attrs.asdict(
        options, recurse=False, filter=lambda field, _value: field.repr is not False
    )
    if fields.get("max_volume_bytes") is None:
        # Added with volumes: a backup written as one file keeps the /ID it had before.
        fields.pop("max_volume_bytes", None)
    return repr(
        {
            name: sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            for name, value in fields.items()
        }
    )


def invoice_record(
    planned: PlannedInvoice,
    contract: Contract,
    item: InvoiceWork,
    sources: Sequence[SourceRecord],
    start: int,
    end: int,
) -> InvoiceRecord:
    invoice = planned.invoice
    return InvoiceRecord(
        invoice_id=invoice.id,
        number=invoice.number,
        contract_id=contract.id,
        contract_number=contract.number,
        billing_period_id=invoice.billing_period_id,
        status=invoice.status.value,
        first_page=start + 1 if end > start else None,
        last_page=end if end > start else None,
        sources=tuple(sources),
        signature=item.signature,
        signature_note=item.note,
        envelope=item.envelope,
        missing_waivers=tuple(WaiverRecord.of(w) for w in planned.missing_waivers),
    )


def skipped_slot(invoice: Invoice, slot: Slot, why: tuple[str, str]) -> LeftOut:
    """*slot*'s document left out without a page for it: *why* is its code and reason."""
    code, reason = why
    return LeftOut(
        invoice_id=invoice.id,
        key=slot.key,
        filename=slot.filename,
        code=code,
        reason=reason,
        action=Action.SKIPPED,
        waiver=waiver_record(slot),
    )


def skipped_invoices(work: Sequence[InvoiceWork]) -> list[LeftOut]:
    return [
        LeftOut(
            invoice_id=item.planned.invoice.id,
            key=None,
            filename=None,
            code="unsigned",
            reason=item.skip_reason,
            action=Action.SKIPPED,
        )
        for item in work
        if item.skip_reason is not None
    ]
