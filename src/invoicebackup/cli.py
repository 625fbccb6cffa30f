"""The ``invoicebackup`` command: a thin shell over the library.

It parses, loads a project folder, calls the library, reports, and exits with a
code a script can act on. Longer than 800 lines because each of its five commands
carries its own text and ``--json`` reporting, which a reader follows best beside the
command; the next step is to move the shared reporting (problems, the ``--json``
shape, refusals) into a module of its own.

=====  ===================================================================
code   meaning
=====  ===================================================================
0      success (``verify``: the backup is as compiled)
1      the library refused (denied, missing billing period, bad project
       file, a bad document under ``--on-bad-document fail``, a path that
       cannot be read or written…), or ``verify`` found a mismatch: one line
       per problem on standard error
2      usage error (unknown option, missing argument)
3      compiled (or, for ``plan`` and ``validate``, would compile) with
       warnings: placeholders, skipped attachments, unsigned fallbacks
=====  ===================================================================

With ``--json``, every command prints one JSON object on standard output, of the shape
:data:`JSON_SCHEMA` describes, whatever the outcome; the exit code is the same.

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
  P-001  period 2026-10-01..2026-10-31  Under Review
    - Plumbing invoice 1.pdf: included
    - Riser diagram (landscape).pdf: included
>>> denied.exit_code == EXIT_REFUSED, denied.stdout, denied.stderr.splitlines()[0]
(True, '', 'error: the backup cannot be compiled: 1 problem')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click

from . import __version__
from .compile import (
    Action,
    BackupOptions,
    BackupResult,
    DocumentRole,
    ProgressEvent,
    ProgressStage,
    SignatureState,
    compile_backup,
)
from .docusign import (
    SIGNATURE_CATALOG,
    SignableItem,
    SignatureReasonCode,
    SyncStatus,
    can_request_signature,
    sync_status,
)
from .domain import Dictionary, Document, LienWaiver, Project
from .errors import (
    PROBLEM_KINDS,
    InvalidValueError,
    InvoiceBackupError,
    Problem,
    ProblemKind,
)
from .manifest import WaiverRecord
from .options import Include, parse_include
from .permissions import Decision, may_know_of_contract
from .preview import DocumentFate, Fate, document_fate, preview_backup
from .serialization import load_project, result_to_dict
from .storage import FileSystemStore
from .terminology import LANGUAGES, Vocabulary, for_project
from .testing import SAMPLE_ADMIN, write_sample_project
from .verify import MismatchKind, verify_backup, verify_result_to_dict, verify_volumes

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "EXIT_WARNINGS",
    "JSON_SCHEMA",
    "main",
]

#: Success.
EXIT_OK = 0
#: The library refused; every problem is printed, one per line.
EXIT_REFUSED = 1
#: The command line was wrong.
EXIT_USAGE = 2
#: The backup was written (or would be), but something was left out or replaced.
EXIT_WARNINGS = 3


def _kind(code: str) -> str:
    # The library's own table: the kinds a host maps to 403, 404, 422 (and 503).
    return PROBLEM_KINDS.get(code, ProblemKind.INVALID).value


#: The JSON Schema of what every command prints under ``--json`` (also published as
#: ``docs/reference/cli-output.schema.json``, which a test keeps equal to this).
JSON_SCHEMA: Mapping[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "invoicebackup --json output",
    "type": "object",
    "required": ["ok", "command", "exit_code", "problems", "result"],
    "additionalProperties": False,
    "properties": {
        "ok": {
            "type": "boolean",
            "description": "false when the command refused (exit code 1 or 2).",
        },
        "command": {
            "enum": ["compile", "plan", "validate", "docusign status", "verify"],
        },
        "exit_code": {"enum": [0, 1, 2, 3]},
        "problems": {
            "type": "array",
            "description": "Errors (why it refused) and warnings (what was left out), in order.",
            "items": {
                "type": "object",
                "required": ["severity", "code", "kind", "path", "subject", "message"],
                "additionalProperties": False,
                "properties": {
                    "severity": {"enum": ["error", "warning"]},
                    "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "kind": {"enum": ["forbidden", "not_found", "invalid"]},
                    "path": {
                        "type": ["string", "null"],
                        "description": "A JSON path in the project file, a kind:id "
                        "(invoice:i-3), or a file system path.",
                    },
                    "subject": {
                        "type": ["string", "null"],
                        "description": "The id or document key concerned.",
                    },
                    "message": {"type": "string"},
                },
            },
        },
        "result": {
            "type": ["object", "null"],
            "description": "The command's own result; null when it refused.",
        },
    },
    "allOf": [
        {
            "if": {
                "properties": {"command": {"const": "verify"}, "result": {"type": "object"}},
                "required": ["command", "result"],
            },
            "then": {"properties": {"result": {"$ref": "#/$defs/verify_result"}}},
        }
    ],
    "$defs": {
        "verify_result": {
            "description": "verify's result (also when it found mismatches, exit code 1).",
            "type": "object",
            "required": [
                "verified",
                "manifest_format",
                "page_count",
                "pages_checked",
                "sources_checked",
                "mismatches",
                "not_checked",
            ],
            "additionalProperties": False,
            "properties": {
                "verified": {"type": "boolean"},
                "manifest_format": {"type": "string"},
                "page_count": {"type": "integer", "minimum": 0},
                "pages_checked": {"type": "integer", "minimum": 0},
                "sources_checked": {"type": "integer", "minimum": 0},
                "mismatches": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["kind", "message", "page", "invoice_id", "key", "filename"],
                        "additionalProperties": False,
                        "properties": {
                            "kind": {"enum": [kind.value for kind in MismatchKind]},
                            "message": {"type": "string"},
                            "page": {"type": ["integer", "null"], "minimum": 1},
                            "invoice_id": {"type": ["string", "null"]},
                            "key": {"type": ["string", "null"]},
                            "filename": {"type": ["string", "null"]},
                        },
                    },
                },
                "not_checked": {"type": "array", "items": {"type": "string"}},
                "volume": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "The backup's volume number, when it is a volume.",
                },
                "volumes": {
                    "type": "array",
                    "description": "With several files (volumes): each file's own result.",
                    "items": {"$ref": "#/$defs/verify_result"},
                },
            },
        }
    },
}


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


@dataclass(frozen=True)
class _Issue:
    """One problem as every command reports it: a line of text, or an object in JSON."""

    severity: str
    code: str
    message: str
    path: str | None = None
    subject: str | None = None

    def line(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "kind": _kind(self.code),
            "path": self.path,
            "subject": self.subject,
            "message": self.message,
        }


def _subject_of(path: str) -> str | None:
    """``i-3`` for a problem at ``invoice:i-3``."""
    kind, colon, subject = path.partition(":")
    return subject if colon and kind.isalpha() else None


def _from_problem(problem: Problem, severity: str = "error") -> _Issue:
    return _Issue(
        severity,
        problem.code,
        problem.message,
        path=problem.path or None,
        subject=_subject_of(problem.path),
    )


class _Output:
    """How one command reports: text (quiet, normal, verbose) or one JSON object.

    Results go to standard output, warnings and errors to standard error; under
    ``--json`` everything is one object on standard output, whatever the outcome.
    """

    def __init__(self, command: str, *, as_json: bool, verbosity: int) -> None:
        self.command = command
        self.as_json = as_json
        self.verbosity = verbosity
        self.problems: list[_Issue] = []

    def say(self, text: str) -> None:
        """A line of the result (not under -q or --json)."""
        if not self.as_json and self.verbosity >= 0:
            _say(text)

    def detail(self, text: str) -> None:
        """A line shown only under -v."""
        if not self.as_json and self.verbosity > 0:
            _say(text)

    def warn(self, issue: _Issue, *, echo: bool = True) -> None:
        """A warning: on standard error (unless *echo* is false: the result says it)."""
        self.problems.append(issue)
        if echo and not self.as_json and self.verbosity >= 0:
            _say(f"warning: {issue.line()}", err=True)

    def finish(self, result: Mapping[str, Any] | None, code: int) -> NoReturn:
        if self.as_json:
            self._json(result, code)
        raise SystemExit(code)

    def refuse(
        self, headline: str, errors: Sequence[_Issue], *, code: int = EXIT_REFUSED
    ) -> NoReturn:
        """Say why the command refused: a headline, then one line per problem."""
        if self.as_json:
            self.problems[:0] = errors
            self._json(None, code)
        else:
            _say(f"error: {headline}", err=True)
            for issue in errors:
                if issue.line() != headline:
                    _say(f"  - {issue.line()}", err=True)
            for issue in self.problems:
                _say(f"  ! {issue.line()}", err=True)
        raise SystemExit(code)

    def _json(self, result: Mapping[str, Any] | None, code: int) -> None:
        document = {
            "ok": code in (EXIT_OK, EXIT_WARNINGS),
            "command": self.command,
            "exit_code": code,
            "problems": [issue.to_json() for issue in self.problems],
            "result": result,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _output() -> _Output:
    """The current command's output, made from its --json, -q and -v."""
    ctx = click.get_current_context()
    meta = ctx.meta
    out = meta.get("invoicebackup.output")
    if out is None:
        # "invoicebackup docusign status" is "docusign status"; from the group (a path error
        # caught there), the subcommand's name.
        prog, _, name = ctx.command_path.partition(" ")
        name = name or ctx.invoked_subcommand or prog
        out = meta["invoicebackup.output"] = _Output(
            name,
            as_json=bool(meta.get("invoicebackup.json")),
            verbosity=int(meta.get("invoicebackup.verbose", 0))
            - int(meta.get("invoicebackup.quiet", 0)),
        )
    assert isinstance(out, _Output)
    return out


def _refuse(
    headline: str,
    problems: Sequence[Problem | _Issue] = (),
    *,
    code: int = EXIT_REFUSED,
    problem_code: str = "refused",
) -> NoReturn:
    """Refuse: *headline*, then one line per problem (the headline is the only one if none)."""
    issues = [p if isinstance(p, _Issue) else _from_problem(p) for p in problems]
    _output().refuse(headline, issues or [_Issue("error", problem_code, headline)], code=code)


def _error_code(error: BaseException) -> str:
    """A stable code for an error that carries none: its class name, in snake case."""
    code = getattr(error, "code", None)
    if isinstance(code, str):
        return code
    name = type(error).__name__.removesuffix("Error")
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _refuse_error(error: InvoiceBackupError) -> NoReturn:
    problems = getattr(error, "problems", None)
    if problems:
        headline = str(error).splitlines()[0]
        _refuse(headline, problems)
    decision = getattr(error, "decision", None)
    if decision is not None:
        _refuse(
            "permission denied",
            [
                _Issue(
                    "error",
                    r.code,
                    r.message,
                    path=f"{r.subject_kind}:{r.subject_id}",
                    subject=r.subject_id,
                )
                for r in decision.reasons
            ],
        )
    subject = getattr(error, "key", None) or getattr(error, "invoice_id", None)
    _refuse(str(error), [_Issue("error", _error_code(error), str(error), subject=subject)])


def _refuse_os_error(error: OSError, what: str = "") -> NoReturn:
    """One line for a path that cannot be read or written: what, where, why."""
    where = error.filename if error.filename is not None else ""
    why = error.strerror or str(error)
    code = "path_not_found" if isinstance(error, FileNotFoundError) else "path_unusable"
    message = f"{where}: {what + ': ' if what else ''}{why}" if where else f"{what}: {why}"
    _refuse(
        message,
        [_Issue("error", code, f"{what + ': ' if what else ''}{why}", path=str(where) or None)],
    )


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
        _refuse(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since "
            "1970-01-01 (unset it, or set it to an integer such as 1764547200)",
            code=EXIT_USAGE,
            problem_code="bad_source_date_epoch",
        )


def _meta_flag(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        ctx.meta[f"invoicebackup.{name}"] = value

    return store


def _reporting(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command shares: --json, -q/--quiet, -v/--verbose."""
    function = click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        is_eager=True,
        callback=_meta_flag("verbose"),
        help="Say more: each document and where it comes from.",
    )(function)
    function = click.option(
        "-q",
        "--quiet",
        count=True,
        expose_value=False,
        is_eager=True,
        callback=_meta_flag("quiet"),
        help="Print nothing but errors; the exit code tells the rest.",
    )(function)
    return click.option(
        "--json",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_meta_flag("json"),
        help="Print one JSON object on standard output, whatever the outcome "
        "(see the CLI reference for its shape); the exit code is the same.",
    )(function)


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


def _policies(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide each document's fate, shared by compile and plan."""
    function = click.option(
        "--passwords",
        "passwords_file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Passwords for protected documents: a JSON object of document key to password "
        "(or list of passwords), or lines of KEY<tab>PASSWORD; the key * is tried for "
        "every document. Never printed, never written to the manifest.",
    )(function)
    function = click.option(
        "--language",
        metavar="TAG",
        callback=_language,
        help=f"Language of the backup and of what the command says ({', '.join(LANGUAGES)}); "
        "default: the project's.",
    )(function)
    function = click.option(
        "--include",
        "include",
        default="all",
        show_default=True,
        metavar="PARTS",
        callback=_include_parts,
        help="The parts of the backup, a comma list of cover-sheet, attachments, "
        "first-tier-waivers, sub-tier-waivers, conditional-waivers, unconditional-waivers, "
        "or all. The invoice's own document is always included; a lien waiver is included "
        "when both its tier's and its condition's parts are.",
    )(function)
    function = click.option(
        "--paper-size",
        type=click.Choice(["letter", "a4"]),
        default="letter",
        show_default=True,
        help="The paper an image with no plausible resolution is fitted on.",
    )(function)
    function = click.option(
        "--images",
        type=click.Choice(["pages", "skip"]),
        default="pages",
        show_default=True,
        help="What to do with an image (JPEG, PNG, TIFF, GIF, WebP, BMP): make it pages, "
        "or leave it out and list it.",
    )(function)
    function = click.option(
        "--include-certificate",
        is_flag=True,
        help="Append DocuSign's certificate of completion after each signed invoice.",
    )(function)
    function = click.option(
        "--require-closed-periods",
        is_flag=True,
        help="Also require the contract's earlier billing periods to be closed.",
    )(function)
    function = click.option(
        "--require-waivers",
        is_flag=True,
        help="Refuse the backup when a lien waiver it includes was requested and not "
        "received (each one is named).",
    )(function)
    function = click.option(
        "--on-unsigned",
        type=click.Choice(["unsigned", "skip", "fail"]),
        default="unsigned",
        show_default=True,
        help="What to do with an invoice whose DocuSign envelope is not completed.",
    )(function)
    return click.option(
        "--on-bad-document",
        type=click.Choice(["placeholder", "skip", "fail"]),
        default="placeholder",
        show_default=True,
        help="What to do with a damaged, empty, missing or password-protected document.",
    )(function)


def _volume_size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return BackupOptions(max_volume_bytes=value).max_volume_bytes
    except InvalidValueError as error:
        raise click.BadParameter(f"{error.value!r} {error.reason}") from None


def _include_parts(_ctx: click.Context, _param: click.Parameter, value: str) -> frozenset[Include]:
    try:
        return parse_include(value)
    except InvalidValueError as error:
        raise click.BadParameter(f"{error.value!r} {error.reason}") from None


def _read_passwords(path: Path | None) -> Callable[[Document], Iterable[str]] | None:
    """The password provider read from *path*; a file that cannot be read is refused.

    Its lines are never quoted back: a message names the file and the line number only.
    """
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        _refuse_os_error(error, "the passwords file cannot be read")
    except UnicodeDecodeError:
        _refuse(f"{path}: the passwords file is not UTF-8 text", problem_code="bad_passwords")
    table: dict[str, list[str]] = {}
    if text.lstrip().startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError as error:
            message = f"the passwords file is not valid JSON (line {error.lineno})"  # type: ignore[attr-defined]
            _refuse(f"{path}: {message}", problem_code="bad_passwords")
        for key, value in loaded.items():
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                _refuse(f"{path}: the passwords of {key!r} are not a string or a list of strings")
            table[key] = list(values)
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, tab, password = line.partition("\t")
            if not tab or not key:
                _refuse(f"{path}: line {number} is not KEY<tab>PASSWORD (a tab separates them)")
            table.setdefault(key, []).append(password)
    every = table.get("*", [])

    def passwords(document: Document) -> Iterable[str]:
        return [*table.get(document.key, []), *every]

    return passwords


def _options(
    *,
    on_bad_document: str,
    on_unsigned: str,
    require_closed_periods: bool,
    include_certificate: bool,
    include: frozenset[Include],
    passwords_file: Path | None,
    **more: Any,
) -> BackupOptions:
    return BackupOptions(
        on_bad_document=on_bad_document,
        on_unsigned=on_unsigned,
        require_closed_periods=require_closed_periods,
        include_certificate=include_certificate,
        include=include,
        passwords=_read_passwords(passwords_file),
        **more,
    )


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


class _Group(click.Group):
    """A group whose commands never end in a traceback over a path.

    A file or folder that cannot be read or written (a project folder made unreadable
    while read, an output folder on a full or read-only disk) is one line: which path,
    what was done, why; exit 1.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as error:
            # Reported through the subcommand's output: its --json is in the shared meta.
            with ctx:
                _refuse_os_error(error)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="invoicebackup")
def main() -> None:
    """Compile invoice backups: one PDF of every selected invoice and its PDF attachments.

    Exit codes: 0 success; 1 refused (one line per problem on standard error); 2 usage
    error; 3 done, or would be done, with warnings (placeholders, skipped attachments,
    unsigned fallbacks). Every command but sample takes --json, -q and -v.
    """


@main.command("compile")
@_PROJECT_DIR
@_selection
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the backup and its manifest [default: PROJECT_DIR/backups].",
)
@_policies
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["pdf", "zip"], case_sensitive=False),
    default="pdf",
    show_default=True,
    help="One PDF, or a ZIP of each document as the bytes it was (signed originals stay "
    "valid), named and ordered as the PDF orders them, with the manifest.",
)
@click.option(
    "--embed-signed-originals",
    is_flag=True,
    help="Also embed each DocuSign-signed document (and certificate) unmodified, as a file "
    "attached to its invoice's first page, so that its signature can still be validated.",
)
@click.option(
    "--max-volume-size",
    "max_volume_bytes",
    metavar="SIZE",
    callback=_volume_size,
    help="Write a backup larger than SIZE as volumes ('… - Vol 1 of 3.pdf'), each at most "
    "SIZE, split between invoices, plus '… - Volumes.json' listing them: e.g. 20MB (KB, MB, "
    "GB are decimal, KiB, MiB, GiB binary; B or no unit: bytes).",
)
@_NOW
@_reporting
def compile_command(
    project_dir: Path,
    user_id: str,
    invoice_ids: tuple[str, ...],
    contract_ids: tuple[str, ...],
    output_dir: Path | None,
    output_format: str,
    now: datetime | None,
    **policies: Any,
) -> None:
    """Compile a backup of PROJECT_DIR's selected invoices into one PDF (or one ZIP).

    Writes the backup and its manifest (JSON) side by side, under a name that is not
    taken. The backup's time (its name and metadata) is --now, else SOURCE_DATE_EPOCH,
    else the current time: with either, the same inputs give the same bytes.
    """
    out = _output()
    now = _now(now)
    project = _load(project_dir)
    invoice_ids, contract_ids = _default_selection(project, invoice_ids, contract_ids, user_id)
    options = _options(
        **policies,
        output_prefix="" if output_dir is not None else "backups",
        format=output_format.lower(),
    )
    if output_dir is not None:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _refuse_os_error(error, "the output folder cannot be created")
    out_root = output_dir if output_dir is not None else project_dir
    out_store = FileSystemStore(out_root)
    output = _WithManifest(out_store)
    try:
        with _progress_bar(out) as progress:
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
    if result.volumes:
        # The set's own manifest (… - Volumes.json) is the manifest beside the volumes.
        pdf_path = out_root / str(result.volumes[0].key)
        manifest_path = out_root / result.key
    else:
        pdf_path = out_root / result.key
        manifest_path = out_root / _write_manifest(out_store, result)
    _summarise(out, result, pdf_path, manifest_path, _words(project, options))
    payload = {
        "backup_path": str(pdf_path),
        "manifest_path": str(manifest_path),
        **result_to_dict(result),
    }
    if result.volumes:
        payload["volume_paths"] = [str(out_root / str(v.key)) for v in result.volumes]
    out.finish(payload, EXIT_WARNINGS if out.problems else EXIT_OK)


def _manifest_key(key: str) -> str:
    """The key of the manifest written beside the backup under *key*."""
    return key.removesuffix(".pdf").removesuffix(".zip") + ".manifest.json"


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

    def delete(self, key: str) -> None:
        self._inner.delete(key)


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


@contextmanager
def _progress_bar(out: _Output) -> Iterator[Callable[[ProgressEvent], None] | None]:
    if not sys.stderr.isatty() or out.as_json or out.verbosity < 0:
        yield None
        return
    state: dict[str, Any] = {}

    def report(event: ProgressEvent) -> None:
        bar = state.get("bar")
        if bar is None:
            # Each document is read once and assembled once (with volumes, in two passes:
            # see ProgressEvent), so the bar counts both: it never goes back nor counts twice.
            bar = click.progressbar(
                length=max(2 * event.documents_total, 1), label="Compiling", file=sys.stderr
            )
            bar.__enter__()
            state["bar"] = bar
            state["done"] = 0
        state[event.stage.value] = event.documents_done
        position = state.get("read", 0) + state.get("assembled", 0)
        if event.stage is ProgressStage.WRITTEN:
            position = 2 * event.documents_total
        step = max(position - state["done"], 0)
        if step:
            bar.update(step)
            state["done"] = position

    try:
        yield report
    finally:
        bar = state.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)


def _words(project: Project, options: BackupOptions | None = None) -> Vocabulary:
    """The words the command speaks: the backup's language (--language, else the project's)."""
    language = (options.language if options is not None else None) or project.language
    return Vocabulary(dictionary=project.dictionary, language=language)


def _signature_words(state: SignatureState, words: Vocabulary) -> str:
    if state is SignatureState.NOT_APPLICABLE:
        return ""
    return ", " + words.term("cli.signed" if state is SignatureState.SIGNED else "cli.unsigned")


def _summarise(
    out: _Output, result: BackupResult, pdf_path: Path, manifest_path: Path, words: Vocabulary
) -> None:
    out.say(result.message)
    size_mb = f"{result.size / (1024 * 1024):.2f}".replace(
        ".", words.term("format.decimal_separator")
    )
    out.say(
        words.message(
            "cli.summary",
            invoices=words.count_message("count.invoices", len(result.invoices)),
            pages=words.count_message("count.pages", result.page_count),
            size=size_mb,
            digest=result.sha256[:16],
        )
    )
    manifest = result.manifest
    if manifest.cover_first_page is not None:
        pages = words.message(
            "cli.invoice_pages", first=manifest.cover_first_page, last=manifest.cover_last_page
        )
        out.say("  " + words.message("cli.cover_pages", pages=pages))
    for record in result.invoices:
        pages = (
            words.message("cli.invoice_pages", first=record.first_page, last=record.last_page)
            if record.first_page is not None
            else words.term("cli.not_included")
        )
        signed = _signature_words(record.signature, words)
        out.say(f"  {record.contract_number} / {record.number}: {pages}{signed}")
        for source in record.sources:
            out.detail(
                f"      {source.first_page}-{source.last_page}  {source.filename}  ({source.key})"
            )
        if record.signature is SignatureState.UNSIGNED and record.signature_note:
            out.warn(
                _Issue(
                    "warning",
                    "unsigned",
                    f"{record.contract_number} / {record.number}: "
                    + words.message("cli.unsigned_note", note=record.signature_note),
                    path=f"invoice:{record.invoice_id}",
                    subject=record.invoice_id,
                )
            )
    for record in result.invoices:
        for waiver in record.missing_waivers:
            out.warn(_missing_waiver_issue(record.contract_number, record.number, waiver, words))
    for item in result.left_out:
        fate = words.term(
            "cli.fate.placeholder" if item.action is Action.PLACEHOLDER else "cli.fate.skipped"
        )
        out.warn(
            _Issue(
                "warning",
                item.code,
                words.message(
                    "cli.left_out",
                    what=item.filename or item.invoice_id,
                    invoice=item.invoice_id,
                    fate=fate,
                    label=words.code_label(item.code),
                    reason=item.reason,
                ),
                path=f"invoice:{item.invoice_id}",
                subject=item.key or item.invoice_id,
            )
        )
    for volume in result.volumes:
        out.say(f"  {volume.filename} ({volume.size} B, sha256 {str(volume.sha256)[:16]})")
        if volume.over_limit:
            out.warn(
                _Issue(
                    "warning",
                    "over_limit",
                    f"{volume.filename}: "
                    + words.message(
                        "backup_volume_over_limit",
                        number=volume.number,
                        limit=result.manifest.options.max_volume_bytes,
                        invoice=", ".join(
                            r.number for r in result.invoices if r.invoice_id in volume.invoice_ids
                        ),
                    ),
                    path=f"volume:{volume.number}",
                    subject=str(volume.key),
                )
            )
    out.say(words.message("cli.backup_path", path=pdf_path))
    out.say(words.message("cli.manifest_path", path=manifest_path))


def _fate_json(fate: DocumentFate) -> dict[str, Any]:
    return {
        "key": fate.key,
        "filename": fate.filename,
        "role": fate.role.value,
        "fate": fate.fate.value,
        "code": fate.code,
        "reason": fate.reason,
        "waiver_id": fate.waiver_id,
    }


def _waiver_words(waiver: WaiverRecord | LienWaiver, words: Vocabulary) -> str:
    return words.message(
        "cli.waiver",
        id=waiver.waiver_id if isinstance(waiver, WaiverRecord) else waiver.id,
        tier=words.term(f"waiver_tier.{waiver.tier.value}"),
        condition=words.term(f"waiver_condition.{waiver.condition.value}"),
        scope=words.term(f"waiver_scope.{waiver.scope.value}"),
        claimant=waiver.claimant,
        through_date=waiver.through_date.isoformat(),
    )


def _missing_waiver_issue(
    contract_number: str,
    invoice_number: str,
    waiver: WaiverRecord | LienWaiver,
    words: Vocabulary,
) -> _Issue:
    waiver_id = waiver.waiver_id if isinstance(waiver, WaiverRecord) else waiver.id
    missing = words.message("cli.waiver_missing", waiver=_waiver_words(waiver, words))
    return _Issue(
        "warning",
        "missing_waiver",
        f"{contract_number} / {invoice_number}: {missing}",
        path=f"waiver:{waiver_id}",
        subject=waiver_id,
    )


def _waiver_json(waiver: LienWaiver) -> dict[str, Any]:
    return {
        "waiver_id": waiver.id,
        "tier": waiver.tier.value,
        "condition": waiver.condition.value,
        "scope": waiver.scope.value,
        "claimant": waiver.claimant,
        "through_date": waiver.through_date.isoformat(),
        "amount": str(waiver.amount),
    }


def _fate_words(fate: DocumentFate, words: Vocabulary) -> str:
    said = words.term(f"cli.fate.{fate.fate.value}")
    if fate.fate in (Fate.INCLUDED, Fate.REPLACED):
        return said
    assert fate.code is not None
    return words.message(
        "cli.fate_reason",
        fate=said,
        code=fate.code,
        label=words.code_label(fate.code),
        reason=fate.reason,
    )


def _fate_issue(fate: DocumentFate, words: Vocabulary, path: str | None = None) -> _Issue:
    assert fate.code is not None
    return _Issue(
        "error" if fate.fate is Fate.REFUSED else "warning",
        fate.code,
        f"{fate.filename} ({fate.invoice_id}): {_fate_words(fate, words)}",
        path=path or f"invoice:{fate.invoice_id}",
        subject=fate.key,
    )


@main.command("plan")
@_PROJECT_DIR
@_selection
@_policies
@_reporting
def plan_command(
    project_dir: Path,
    user_id: str,
    invoice_ids: tuple[str, ...],
    contract_ids: tuple[str, ...],
    **policies: Any,
) -> None:
    """Show what a backup of the selection would hold, in order; write nothing.

    Each document's fate is the one compile would give it with the same options:
    included, replaced by its signed version, replaced by a placeholder page (why), or
    skipped (why). Exit 3 when compile would warn, 1 when it would refuse.
    """
    out = _output()
    project = _load(project_dir)
    invoice_ids, contract_ids = _default_selection(project, invoice_ids, contract_ids, user_id)
    options = _options(**policies)
    words = _words(project, options)
    try:
        preview = preview_backup(
            project,
            invoice_ids=invoice_ids,
            contract_ids=contract_ids,
            user_id=user_id,
            store=FileSystemStore(project_dir),
            options=options,
        )
    except InvoiceBackupError as error:
        _refuse_error(error)
    contract_seen: str | None = None
    invoices: list[dict[str, Any]] = []
    refusals: list[_Issue] = []
    for item in preview.invoices:
        planned = item.planned
        invoice = planned.invoice
        contract = project.contract(invoice.contract_id)
        assert contract is not None  # the plan refused unknown contracts
        if contract.id != contract_seen:
            contract_seen = contract.id
            out.say(f"{contract.number}  {contract.title}")
        line = words.message(
            "cli.plan_invoice",
            number=invoice.number,
            start=planned.period.start,
            end=planned.period.end,
            status=words.term(f"invoice_status.{invoice.status.value}"),
        )
        out.say(f"  {line}{_signature_words(item.signature, words)}")
        waivers = {w.id: w for w in invoice.lien_waivers}
        for fate in item.documents:
            waiver = waivers.get(fate.waiver_id) if fate.waiver_id else None
            label = f" ({_waiver_words(waiver, words)})" if waiver else ""
            out.say(f"    - {fate.filename}{label}: {_fate_words(fate, words)}")
            out.detail(f"        {fate.role.value}, {fate.key}")
            if fate.fate is Fate.REFUSED:
                refusals.append(_fate_issue(fate, words))
            elif fate.warns:
                out.warn(_fate_issue(fate, words), echo=False)
        for waiver in planned.missing_waivers:
            missing = words.message("cli.waiver_missing", waiver=_waiver_words(waiver, words))
            out.say(f"    - {missing}")
            out.warn(
                _missing_waiver_issue(contract.number, invoice.number, waiver, words), echo=False
            )
        if item.signature is SignatureState.UNSIGNED and item.note:
            unsigned = words.message("cli.unsigned_note", note=item.note)
            out.say(f"    {unsigned}")
            out.warn(
                _Issue(
                    "warning",
                    "unsigned",
                    f"{contract.number} / {invoice.number}: {unsigned}",
                    path=f"invoice:{invoice.id}",
                    subject=invoice.id,
                ),
                echo=False,
            )
        invoices.append(
            {
                "invoice_id": invoice.id,
                "number": invoice.number,
                "contract_id": contract.id,
                "contract_number": contract.number,
                "period": {
                    "id": planned.period.id,
                    "start": planned.period.start.isoformat(),
                    "end": planned.period.end.isoformat(),
                },
                "status": invoice.status.value,
                "signature": item.signature.value,
                "documents": [_fate_json(f) for f in item.documents],
                "missing_waivers": [_waiver_json(w) for w in planned.missing_waivers],
            }
        )
    if refusals:
        _refuse(
            words.message(
                "cli.plan_refused", problems=words.count_message("count.problems", len(refusals))
            ),
            refusals,
        )
    out.finish({"invoices": invoices}, EXIT_WARNINGS if out.problems else EXIT_OK)


@main.command("validate")
@_PROJECT_DIR
@click.option(
    "--passwords",
    "passwords_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Passwords for protected documents, as for compile.",
)
@_reporting
def validate_command(project_dir: Path, passwords_file: Path | None) -> None:
    """Check a project folder; list every problem with its JSON path.

    A project file that does not follow the format, or a document key that leads out
    of the folder, is an error (exit 1): compile would refuse. A document that compile
    would replace by a placeholder page (missing, not a readable PDF, protected) or skip
    (not declared as a PDF) is a warning (exit 3), worded as compile words it.
    """
    out = _output()
    project = _load(project_dir)
    store = FileSystemStore(project_dir)
    options = BackupOptions(passwords=_read_passwords(passwords_file))
    words = _words(project)
    errors: list[_Issue] = []
    documents: list[dict[str, Any]] = []
    for path, invoice_id, role, document in _references(project):
        try:
            fate = document_fate(store, document, invoice_id=invoice_id, role=role, options=options)
        except InvoiceBackupError as error:  # a key leading out of the folder, a read error
            errors.append(
                _Issue("error", _error_code(error), str(error), path=path, subject=document.key)
            )
            continue
        documents.append({"path": path, **_fate_json(fate)})
        out.detail(f"  {path}: {fate.key} ({fate.filename}): {_fate_words(fate, words)}")
        if fate.warns:
            out.warn(_fate_issue(fate, words, path))
    for i, invoice in enumerate(project.invoices):
        contract = project.contract(invoice.contract_id)
        for j, waiver in enumerate(invoice.lien_waivers):
            if waiver.missing:
                issue = _missing_waiver_issue(
                    contract.number if contract else invoice.contract_id,
                    invoice.number,
                    waiver,
                    words,
                )
                out.warn(_replace(issue, path=f"invoices[{i}].lien_waivers[{j}].document"))
    if errors:
        warned = (
            ", " + words.count_message("count.warnings", len(out.problems)) if out.problems else ""
        )
        problems = words.count_message("count.problems", len(errors))
        _refuse(
            words.message("cli.not_valid", folder=project_dir, problems=problems, warnings=warned),
            errors,
        )
    counts = {
        "contracts": len(project.contracts),
        "invoices": len(project.invoices),
        "billing_periods": len(project.billing_periods),
    }
    described = ", ".join(words.count_message(f"count.{k}", n) for k, n in counts.items())
    if out.problems:
        warnings = words.count_message("count.warnings", len(out.problems))
        out.say(
            words.message(
                "cli.valid_with_warnings",
                folder=project_dir,
                warnings=warnings,
                described=described,
            )
        )
    else:
        out.say(words.message("cli.valid", folder=project_dir, described=described))
    out.finish({**counts, "documents": documents}, EXIT_WARNINGS if out.problems else EXIT_OK)


def _references(project: Project) -> Iterator[tuple[str, str, DocumentRole, Document]]:
    """Every document the project names: the JSON path of its key, its invoice, its role."""
    for i, invoice in enumerate(project.invoices):
        yield f"invoices[{i}].document.key", invoice.id, DocumentRole.INVOICE, invoice.document
        for j, attachment in enumerate(invoice.attachments):
            yield (
                f"invoices[{i}].attachments[{j}].key",
                invoice.id,
                DocumentRole.ATTACHMENT,
                attachment,
            )
        for j, waiver in enumerate(invoice.lien_waivers):
            if waiver.document is not None:
                yield (
                    f"invoices[{i}].lien_waivers[{j}].document.key",
                    invoice.id,
                    DocumentRole.LIEN_WAIVER,
                    waiver.document,
                )
        envelope = invoice.envelope
        if envelope is None:
            continue
        for field, key, role in (
            ("signed_document_key", envelope.signed_document_key, DocumentRole.SIGNED_INVOICE),
            ("certificate_key", envelope.certificate_key, DocumentRole.CERTIFICATE),
        ):
            if key is not None:
                name = f"{invoice.number} ({field.removesuffix('_key').replace('_', ' ')}).pdf"
                yield (
                    f"invoices[{i}].envelope.{field}",
                    invoice.id,
                    role,
                    Document(key=key, filename=name),
                )


@main.group("docusign", cls=_Group)
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
@_reporting
def docusign_status_command(project_dir: Path, user_id: str, now: datetime | None) -> None:
    """Whether USER's DocuSign account is synced, and what they may send for signature.

    The state is synced, not linked, or re-authentication required (with when the link
    was last used); the profile page's caption follows. A reason that stands against
    every request (no linked account, a login needed) is said once, above the list.
    """
    out = _output()
    now = _now(now)
    project = _load(project_dir)
    user = project.user(user_id)
    if user is None:
        _refuse(
            f"user {user_id!r} is not in the project's directory",
            [
                _Issue(
                    "error",
                    "unknown_user",
                    f"user {user_id!r} is not in the project's directory",
                    path=f"user:{user_id}",
                    subject=user_id,
                )
            ],
        )
    words = for_project(project)
    report = sync_status(user, now=now)
    caption = report.status.caption(language=project.language)
    described = report.describe(language=project.language)
    out.say(
        words.message(
            "cli.docusign.user", user=user.name, id=user.id, described=described, caption=caption
        )
    )
    out.say(
        words.term("cli.docusign.enabled" if project.docusign_enabled else "cli.docusign.disabled")
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
            out.say(words.message("cli.docusign.blocked", reason=min(messages)))
    out.say(words.term("cli.docusign.may_request"))
    for label, decision in rows:
        answer = words.term("cli.docusign.yes" if decision.allowed else "cli.docusign.no")
        out.say(f"  [{answer}] {label}")
        for reason in decision.reasons:
            if reason.code not in said_once:
                out.say(f"        - {reason.message}")
    out.finish(
        {
            "user_id": user.id,
            "user_name": user.name,
            "status": report.status.value,
            "description": described,
            "caption": caption,
            "docusign_enabled": project.docusign_enabled,
            "items": [
                {
                    "label": label,
                    "allowed": decision.allowed,
                    "reasons": [{"code": r.code, "message": r.message} for r in decision.reasons],
                }
                for label, decision in rows
            ],
        },
        EXIT_OK,
    )


@main.command("verify")
@click.argument("backups", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--project",
    "project_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="FOLDER",
    help="Also compare every source's SHA-256 with the documents in this project folder.",
)
@click.option(
    "--language",
    metavar="TAG",
    callback=_language,
    help=f"Language of what the command says ({', '.join(LANGUAGES)}); default: en-US.",
)
@_reporting
def verify_command(
    backups: tuple[Path, ...], project_dir: Path | None, language: str | None
) -> None:
    """Check BACKUP against the manifest embedded in it.

    Page count, every page range, every page's digest as compiled (a page removed,
    swapped or edited after is named) and the manifest's own digest; with --project,
    every source against the project's documents. Given every volume of a backup
    written as volumes, also that the set is complete: each volume given once, all
    listing the same set, each holding the pages the set lists for it. Exit 0 verified;
    1 a mismatch (one line each) or a file that cannot be verified (no manifest, a newer
    format).
    """
    out = _output()
    backup = backups[0] if len(backups) == 1 else ", ".join(path.name for path in backups)
    try:
        if len(backups) == 1:
            result = verify_backup(backups[0], project_folder=project_dir)
        else:
            result = verify_volumes(backups, project_folder=project_dir)
    except InvoiceBackupError as error:
        _refuse_error(error)
    for item in result.mismatches:
        out.problems.append(
            _Issue(
                "error",
                item.kind.value,
                item.message,
                path=f"page:{item.page}" if item.page is not None else None,
                subject=item.key or item.invoice_id,
            )
        )
    words = Vocabulary(dictionary=Dictionary.GENERAL_CONTRACTOR, language=language or "en-US")
    for note in result.not_checked:
        out.detail("  " + words.message("cli.not_checked", note=note))
    checked = words.message(
        "cli.checked",
        pages=words.count_message("count.pages", result.pages_checked),
        sources=words.count_message("count.sources", result.sources_checked),
    )
    if result.verified:
        out.say(words.message("cli.verified", backup=backup, checked=checked))
        out.finish(verify_result_to_dict(result), EXIT_OK)
    if not out.as_json:
        found = words.count_message("count.mismatches", len(result.mismatches))
        said = words.message("cli.not_verified", backup=backup, found=found, checked=checked)
        _say(f"error: {said}", err=True)
        for issue in out.problems:
            _say(f"  - {issue.line()}", err=True)
    out.finish(verify_result_to_dict(result), EXIT_REFUSED)


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
