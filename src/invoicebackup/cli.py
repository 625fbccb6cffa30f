"""The ``invoicebackup`` command: a thin shell over the library.

It parses, loads a project folder, calls the library, reports, and exits with a
code a script can act on:

=====  ===================================================================
code   meaning
=====  ===================================================================
0      success
1      the library refused (denied, missing billing period, bad project
       file, a bad document under ``--on-bad-document fail``…): one line
       per problem on standard error
2      usage error (unknown option, missing argument)
3      compiled, with warnings (placeholders, skipped attachments,
       unsigned fallbacks)
=====  ===================================================================

It needs the ``cli`` extra (``pip install "invoicebackup[cli]"``). From Python (a test,
a notebook), click's runner calls ``main`` the way a shell would:

>>> import tempfile
>>> from click.testing import CliRunner
>>> from invoicebackup.cli import EXIT_OK, EXIT_REFUSED, main
>>> runner = CliRunner()
>>> with tempfile.TemporaryDirectory() as folder:
...     _ = runner.invoke(main, ["sample", folder, "--today", "2026-11-03"])
...     plan = runner.invoke(main, ["plan", folder, "--as", "u-admin", "--invoice", "i-3"])
...     denied = runner.invoke(main, ["plan", folder, "--as", "u-reader", "--invoice", "i-3"])
>>> plan.exit_code == EXIT_OK
True
>>> print(plan.output, end="")
SC-10  Plumbing
  P-001  period 2026-10-01..2026-10-31  under_review
    - Plumbing invoice 1.pdf
    - Riser diagram (landscape).pdf
>>> denied.exit_code == EXIT_REFUSED, denied.stdout, denied.stderr.splitlines()[0]
(True, '', 'error: the backup cannot be compiled: 1 problem')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click

from . import __version__
from .compile import (
    Action,
    BackupOptions,
    BackupResult,
    ProgressEvent,
    SignatureState,
    check_document,
    compile_backup,
    plan_backup,
)
from .docusign import (
    SIGNATURE_CATALOG,
    SignableItem,
    SignatureReasonCode,
    SyncStatus,
    can_request_signature,
    sync_status,
)
from .domain import Document, Project
from .errors import (
    BadDocumentError,
    InvalidValueError,
    InvoiceBackupError,
    Problem,
    UnsafeKeyError,
)
from .permissions import Decision, may_know_of_contract
from .serialization import load_project, result_to_dict
from .storage import FileSystemStore
from .terminology import LANGUAGES, for_project
from .testing import SAMPLE_ADMIN, write_sample_project

__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "EXIT_WARNINGS", "main"]

#: Success.
EXIT_OK = 0
#: The library refused; every problem is printed, one per line.
EXIT_REFUSED = 1
#: The command line was wrong.
EXIT_USAGE = 2
#: The backup was written, but something was left out or replaced.
EXIT_WARNINGS = 3


def _printable(text: str) -> str:
    r"""*text* with every control and format character escaped (``\x1b``, ``\u202e``).

    Project data reaches the terminal through these lines: an escape sequence in a
    title could set the window's title or rewrite the screen, a bidi override could
    make a line read as another.
    """
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _UNPRINTABLE
        else char
        for char in text
    )


#: Unicode categories never printed as they are: controls, format characters
#: (bidi overrides, zero-width), surrogates.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs"})


def _say(text: str, *, err: bool = False) -> None:
    """Print one line holding project data, made safe for a terminal."""
    click.echo(_printable(text), err=err)


def _refuse(headline: str, problems: Sequence[Problem | str] = ()) -> NoReturn:
    _say(f"error: {headline}", err=True)
    for problem in problems:
        _say(f"  - {problem}", err=True)
    raise SystemExit(EXIT_REFUSED)


def _refuse_error(error: InvoiceBackupError) -> NoReturn:
    problems = getattr(error, "problems", None)
    if problems:
        headline = str(error).splitlines()[0]
        _refuse(headline, problems)
    decision = getattr(error, "decision", None)
    if decision is not None:
        _refuse("permission denied", [r.message for r in decision.reasons])
    _refuse(str(error))


def _load(project_dir: Path) -> Project:
    try:
        return load_project(project_dir)
    except InvoiceBackupError as error:
        _refuse_error(error)


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """One of the product's languages (``fr-CA``, any ASCII case), or ``None``."""
    if value is None:
        return None
    try:
        # Refused exactly as the backup's options refuse it (the language it names, or why not).
        return BackupOptions(language=value).language
    except InvalidValueError as error:
        raise click.BadParameter(f"{value!r} {error.reason}") from None


_PROJECT_DIR = click.argument(
    "project_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO 8601 date and time with a zone (``2026-11-23T09:30:00Z``), or ``None``."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date and time") from None
    if when.utcoffset() is None:
        raise click.BadParameter(
            f"{value!r} has no time zone (add Z or an offset such as +02:00)"
        ) from None
    return when


_NOW = click.option(
    "--now",
    callback=_instant,
    metavar="WHEN",
    help="The time to act at, ISO 8601 with a zone (2026-11-23T09:30:00Z). Wins over "
    "SOURCE_DATE_EPOCH, which wins over the clock.",
)


def _now(given: datetime | None, environ: Mapping[str, str] = os.environ) -> datetime | None:
    """The time to act at: ``--now``, else ``SOURCE_DATE_EPOCH``, else ``None`` (the clock).

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds convention: whole seconds since
    1970-01-01 UTC.
    """
    if given is not None:
        return given
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError):
        click.echo(
            f"error: SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since "
            "1970-01-01 (unset it, or set it to an integer such as 1764547200)",
            err=True,
        )
        raise SystemExit(EXIT_USAGE) from None


def _selection(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--contract",
        "contract_ids",
        multiple=True,
        metavar="ID",
        help="Select every invoice of this contract (repeatable).",
    )(function)
    function = click.option(
        "--invoice",
        "invoice_ids",
        multiple=True,
        metavar="ID",
        help="Select this invoice (repeatable). Without --invoice or --contract, every "
        "subcontractor invoice of the project is selected.",
    )(function)
    return click.option(
        "--as", "user_id", required=True, metavar="USER_ID", help="Who asks for the backup."
    )(function)


def _default_selection(
    project: Project, invoice_ids: tuple[str, ...], contract_ids: tuple[str, ...], user_id: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if invoice_ids or contract_ids:
        return invoice_ids, contract_ids
    # Private contracts the user may not know of are not hers to select, even by default.
    commitments = tuple(
        c.id
        for c in project.contracts
        if c.kind.is_commitment and may_know_of_contract(project, user_id=user_id, contract=c)
    )
    return (), commitments


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="invoicebackup")
def main() -> None:
    """Compile invoice backups: one PDF of every selected invoice and its PDF attachments."""


@main.command("compile")
@_PROJECT_DIR
@_selection
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the backup and its manifest [default: PROJECT_DIR/backups].",
)
@click.option(
    "--on-bad-document",
    type=click.Choice(["placeholder", "skip", "fail"]),
    default="placeholder",
    show_default=True,
    help="What to do with a damaged, empty, missing or password-protected document.",
)
@click.option(
    "--on-unsigned",
    type=click.Choice(["unsigned", "skip", "fail"]),
    default="unsigned",
    show_default=True,
    help="What to do with an invoice whose DocuSign envelope is not completed.",
)
@click.option(
    "--require-closed-periods",
    is_flag=True,
    help="Also require the contract's earlier billing periods to be closed.",
)
@click.option(
    "--include-certificate",
    is_flag=True,
    help="Append DocuSign's certificate of completion after each signed invoice.",
)
@click.option(
    "--language",
    metavar="TAG",
    callback=_language,
    help=f"Language of the backup ({', '.join(LANGUAGES)}).",
)
@_NOW
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def compile_command(
    project_dir: Path,
    user_id: str,
    invoice_ids: tuple[str, ...],
    contract_ids: tuple[str, ...],
    output_dir: Path | None,
    on_bad_document: str,
    on_unsigned: str,
    require_closed_periods: bool,
    include_certificate: bool,
    language: str | None,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Compile a backup of PROJECT_DIR's selected invoices into one PDF.

    The backup's time (its name and metadata) is --now, else SOURCE_DATE_EPOCH, else
    the current time: with either, the same inputs give the same bytes.
    """
    now = _now(now)
    project = _load(project_dir)
    invoice_ids, contract_ids = _default_selection(project, invoice_ids, contract_ids, user_id)
    options = BackupOptions(
        on_bad_document=on_bad_document,
        on_unsigned=on_unsigned,
        require_closed_periods=require_closed_periods,
        include_certificate=include_certificate,
        language=language,
        output_prefix="" if output_dir is not None else "backups",
    )
    if output_dir is not None:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _refuse(f"{output_dir}: the output folder cannot be created: {_why(error)}")
    out_root = output_dir if output_dir is not None else project_dir
    out_store = FileSystemStore(out_root)
    output = _WithManifest(out_store)
    try:
        with _progress_bar() as progress:
            result = compile_backup(
                project,
                invoice_ids=invoice_ids,
                contract_ids=contract_ids,
                user_id=user_id,
                store=FileSystemStore(project_dir),
                output=output,
                options=options,
                progress=progress,
                now=now,
            )
    except InvoiceBackupError as error:
        _refuse_error(error)
    pdf_path = out_root / result.key
    manifest_path = out_root / _write_manifest(out_store, result)
    if as_json:
        click.echo(json.dumps(result_to_dict(result), indent=2, ensure_ascii=False))
    else:
        _summarise(result, pdf_path, manifest_path)
    raise SystemExit(EXIT_WARNINGS if _has_warnings(result) else EXIT_OK)


def _why(error: OSError) -> str:
    return error.strerror or str(error)


def _manifest_key(key: str) -> str:
    """The key of the manifest written beside the backup under *key*."""
    return key.removesuffix(".pdf") + ".manifest.json"


class _WithManifest:
    """The output store, where a backup's name is taken if its manifest's name is.

    The backup and its manifest appear as a pair: compile_backup picks the first
    name (`` (2)``, `` (3)``…) free for both, so a manifest left from another run
    never stands in the way of this one's.
    """

    def __init__(self, inner: FileSystemStore) -> None:
        self._inner = inner

    def exists(self, key: str) -> bool:
        return self._inner.exists(key) or self._inner.exists(_manifest_key(key))

    def read_bytes(self, key: str) -> bytes:
        return self._inner.read_bytes(key)

    def open(self, key: str) -> BinaryIO:
        return self._inner.open(key)

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        return self._inner.create(key)


def _write_manifest(store: FileSystemStore, result: BackupResult) -> str:
    """Write the manifest beside the backup; if that fails, take the backup back.

    The manifest is written to a temporary file and committed without overwriting,
    as the backup was; a failure (a full disk, a manifest someone made meanwhile)
    removes the backup again, so a retry finds neither and takes the same name.
    """
    pdf_path = store.root / result.key
    manifest_key = _manifest_key(result.key)
    text = json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
    try:
        with store.create(manifest_key) as out:
            out.write(text.encode("utf-8", "backslashreplace"))
    except BaseException as error:
        with suppress(OSError):
            pdf_path.unlink()
        if isinstance(error, InvoiceBackupError):
            _refuse(f"{error} (the backup was removed again: neither file is kept)")
        raise
    return manifest_key


def _has_warnings(result: BackupResult) -> bool:
    return bool(result.left_out) or any(
        r.signature is SignatureState.UNSIGNED for r in result.invoices
    )


@contextmanager
def _progress_bar() -> Iterator[Callable[[ProgressEvent], None] | None]:
    if not sys.stderr.isatty():
        yield None
        return
    state: dict[str, Any] = {}

    def report(event: ProgressEvent) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(
                length=max(event.documents_total, 1), label="Compiling", file=sys.stderr
            )
            bar.__enter__()
            state["bar"] = bar
            state["done"] = 0
        step = max(event.documents_done - state["done"], 0)
        if step:
            bar.update(step)
            state["done"] = event.documents_done

    try:
        yield report
    finally:
        bar = state.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)


def _summarise(result: BackupResult, pdf_path: Path, manifest_path: Path) -> None:
    echo = _say
    echo(result.message)
    size_mb = result.size / (1024 * 1024)
    echo(
        f"{len(result.invoices)} invoice(s), {result.page_count} page(s), "
        f"{size_mb:.2f} MB, sha256 {result.sha256[:16]}…"
    )
    for record in result.invoices:
        pages = (
            f"pages {record.first_page}-{record.last_page}"
            if record.first_page is not None
            else "not included"
        )
        signed = {
            SignatureState.SIGNED: ", signed (DocuSign)",
            SignatureState.UNSIGNED: ", unsigned",
            SignatureState.NOT_APPLICABLE: "",
        }[record.signature]
        echo(f"  {record.contract_number} / {record.number}: {pages}{signed}")
        if record.signature_note:
            echo(f"      note: {record.signature_note}")
    for item in result.left_out:
        what = item.filename or item.invoice_id
        verb = "replaced by a placeholder page" if item.action is Action.PLACEHOLDER else "skipped"
        echo(f"  ! {what} ({item.invoice_id}): {verb}: {item.reason}")
    echo(f"backup:   {pdf_path}")
    echo(f"manifest: {manifest_path}")


@main.command("plan")
@_PROJECT_DIR
@_selection
@click.option(
    "--require-closed-periods",
    is_flag=True,
    help="Also require the contract's earlier billing periods to be closed.",
)
def plan_command(
    project_dir: Path,
    user_id: str,
    invoice_ids: tuple[str, ...],
    contract_ids: tuple[str, ...],
    require_closed_periods: bool,
) -> None:
    """Show what a backup of the selection would hold, in order; write nothing."""
    project = _load(project_dir)
    invoice_ids, contract_ids = _default_selection(project, invoice_ids, contract_ids, user_id)
    try:
        plan = plan_backup(
            project,
            invoice_ids=invoice_ids,
            contract_ids=contract_ids,
            user_id=user_id,
            options=BackupOptions(require_closed_periods=require_closed_periods),
        )
    except InvoiceBackupError as error:
        _refuse_error(error)
    for planned_contract in plan.contracts:
        contract = planned_contract.contract
        _say(f"{contract.number}  {contract.title}")
        for planned_invoice in planned_contract.invoices:
            invoice = planned_invoice.invoice
            _say(
                f"  {invoice.number}  period {planned_invoice.period.start}.."
                f"{planned_invoice.period.end}  {invoice.status.value}"
            )
            for planned_document in planned_invoice.documents:
                _say(f"    - {planned_document.document.filename}")


@main.command("validate")
@_PROJECT_DIR
def validate_command(project_dir: Path) -> None:
    """Check a project folder; list every problem with its JSON path.

    A project file that does not follow the format, or a document it names that is
    not in the folder, is an error (exit 1). A document declared as a PDF that is
    not a readable one (not a PDF, damaged, encrypted…) is a warning (exit 3): a
    compile still succeeds, replacing or skipping it, as ``compile`` would report.
    """
    project = _load(project_dir)
    store = FileSystemStore(project_dir)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for path, document in _references(project):
        try:
            present = store.exists(document.key)
        except UnsafeKeyError as error:  # a link in the folder leading out of it
            errors.append(Problem(path=path, code="unsafe_key", message=str(error)))
            continue
        if not present:
            errors.append(
                Problem(path=path, code="missing_document", message=f"{document.key} is missing")
            )
            continue
        if not document.declared_pdf:
            continue
        try:
            data = store.read_bytes(document.key)
        except InvoiceBackupError as error:
            errors.append(Problem(path=path, code="unreadable_document", message=str(error)))
            continue
        try:
            # Without repair: validate reports a damaged file as it is, even one that a
            # compile (repair on by default) would rewrite and include.
            check_document(document, data, options=_AS_IS)
        except BadDocumentError as error:
            what = _BAD_PDF.get(error.code, error.code)
            warnings.append(
                Problem(
                    path=path,
                    code=error.code,
                    message=f"{document.key} ({document.filename}) {what}: {error.reason}",
                )
            )
    if errors:
        _refuse(f"{project_dir}: {len(errors)} problem(s)", [*errors, *warnings])
    counts = (
        f"{len(project.contracts)} contracts, {len(project.invoices)} invoices, "
        f"{len(project.billing_periods)} billing periods"
    )
    if not warnings:
        _say(f"{project_dir}: valid ({counts})")
        raise SystemExit(EXIT_OK)
    _say(f"{project_dir}: valid, with {len(warnings)} warning(s) ({counts})")
    for warning in warnings:
        _say(f"  ! {warning}")
    raise SystemExit(EXIT_WARNINGS)


#: How ``validate`` reads a declared PDF: as it is, without repair.
_AS_IS = BackupOptions(repair=False)

#: How ``validate`` names each way a declared PDF can be unreadable.
_BAD_PDF = {
    "empty": "is empty",
    "not_pdf": "is not a PDF",
    "damaged": "is damaged",
    "encrypted": "is encrypted and needs a password",
    "unsupported_encryption": "uses an encryption that cannot be opened",
    "too_large": "is too large",
}


def _references(project: Project) -> Iterator[tuple[str, Document]]:
    """Every document the project names, with the JSON path of the key naming it."""
    for i, invoice in enumerate(project.invoices):
        yield f"invoices[{i}].document.key", invoice.document
        for j, attachment in enumerate(invoice.attachments):
            yield f"invoices[{i}].attachments[{j}].key", attachment
        envelope = invoice.envelope
        if envelope is None:
            continue
        for field, key in (
            ("signed_document_key", envelope.signed_document_key),
            ("certificate_key", envelope.certificate_key),
        ):
            if key is not None:
                name = f"{invoice.number} ({field.removesuffix('_key').replace('_', ' ')}).pdf"
                yield f"invoices[{i}].envelope.{field}", Document(key=key, filename=name)


@main.group("docusign")
def docusign_group() -> None:
    """DocuSign account links and what they allow."""


@docusign_group.command("status")
@_PROJECT_DIR
@click.option(
    "--as",
    "--user",
    "user_id",
    required=True,
    metavar="USER_ID",
    help="The user (--user is the older spelling).",
)
@_NOW
def docusign_status_command(project_dir: Path, user_id: str, now: datetime | None) -> None:
    """Whether USER's DocuSign account is synced, and what they may send for signature.

    The state is synced, not linked, or re-authentication required (with when the link
    was last used); the profile page's caption follows. A reason that stands against
    every request (no linked account, a login needed) is said once, above the list.
    """
    now = _now(now)
    project = _load(project_dir)
    user = project.user(user_id)
    if user is None:
        _refuse(f"user {user_id!r} is not in the project's directory")
    words = for_project(project)
    report = sync_status(user, now=now)
    caption = report.status.caption(language=project.language)
    click.echo(
        f"{user.name} ({user.id}): {report.describe(language=project.language)}"
        f' (the profile page shows "{caption}")'
    )
    click.echo(
        "DocuSign integration on this project: "
        + ("enabled" if project.docusign_enabled else "not enabled")
    )
    rows: list[tuple[str, Decision]] = []
    for tool, entries in SIGNATURE_CATALOG.items():
        for entry in entries:
            if entry.kind.is_invoice:
                continue
            item = SignableItem(kind=entry.kind, id=entry.kind.value, tool=tool)
            rows.append(
                (
                    f"{tool.label(words=words)}: {entry.kind.label(words=words)}",
                    can_request_signature(project, user, item, now=now),
                )
            )
    for invoice in project.invoices:
        contract = project.contract(invoice.contract_id)
        # A private contract the user may not know of is not listed, even as a refusal.
        if contract is None or not may_know_of_contract(
            project, user_id=user.id, contract=contract
        ):
            continue
        item = SignableItem.for_invoice(invoice, contract=contract)
        rows.append(
            (
                f"{item.kind.label(words=words)} {contract.number} / {invoice.number}",
                can_request_signature(project, user, item, now=now),
            )
        )
    # The link's reasons are the user's, not any one item's: said once, not on every row.
    said_once: set[str] = set()
    if report.status is not SyncStatus.SYNCED:
        code = (
            SignatureReasonCode.DOCUSIGN_NOT_LINKED
            if report.status is SyncStatus.NOT_LINKED
            else SignatureReasonCode.DOCUSIGN_REAUTHENTICATION_REQUIRED
        ).value
        messages = {r.message for _, d in rows for r in d.reasons if r.code == code}
        if messages:
            said_once.add(code)
            click.echo(f"No signature can be requested until then: {min(messages)}")
    click.echo("May request signatures on:")
    for label, decision in rows:
        _show_decision(label, decision, said=said_once)


def _show_decision(label: str, decision: Decision, *, said: set[str]) -> None:
    click.echo(f"  [{'yes' if decision.allowed else 'no'}] {label}")
    for reason in decision.reasons:
        if reason.code not in said:
            click.echo(f"        - {reason.message}")


@main.command("sample")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The day the sample's dates are placed relative to [default: today, UTC].",
)
def sample_command(folder: Path, today: datetime | None) -> None:
    """Write the sample project folder (compile it as u-admin).

    Its dates follow the day it is written: its billing periods are the two months
    before, its admin's DocuSign link was used the day before, so it shows a synced
    admin and a signed invoice on any day.
    """
    day: date | None = today.date() if today is not None else None
    write_sample_project(folder, today=day)
    click.echo(f"sample project written to {folder} (compile it --as {SAMPLE_ADMIN})")
