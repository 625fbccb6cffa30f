"""Every error `invoicebackup` raises on purpose.

Each error carries its evidence as attributes and reads well as text. Where an
error resembles a builtin, it also subclasses that builtin, so callers that
catch ``ValueError``, ``OSError`` or ``PermissionError`` keep working::

    InvoiceBackupError
    ├── InvalidValueError (ValueError)           a value cannot be made as given
    ├── ProjectFileError (ValueError)            a project file breaks the format
    ├── DocumentStoreError (OSError)             a document store could not do its job
    │   ├── DocumentNotFoundError (FileNotFoundError)
    │   ├── DocumentExistsError (FileExistsError)
    │   └── UnsafeKeyError (ValueError)          a key leaves the store's root
    ├── PermissionDeniedError (PermissionError)  a rule said no; carries the Decision
    ├── BackupPreconditionsError (ValueError)    every failed precondition at once
    ├── BadDocumentError (ValueError)            a document cannot go into a backup
    ├── UnsignedInvoiceError (ValueError)        a signing workflow is not complete
    ├── InvalidTransitionError (ValueError)      a DocuSign link cannot go that way
    ├── UnverifiableBackupError (ValueError)     a file verify cannot check at all
    └── SignatureProviderError                   the signature service failed
        ├── SignatureAuthError                   the access token was refused
        ├── EnvelopeNotFoundError (LookupError)  the service does not know the envelope
        ├── RateLimitedError                     still throttled after every retry
        └── SignatureTransportError (OSError)    timeouts, 5xx, bodies that are not PDFs

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs

if TYPE_CHECKING:
    from .permissions import Decision

__all__ = [
    "PROBLEM_KINDS",
    "BackupPreconditionsError",
    "BadDocumentError",
    "DocumentExistsError",
    "DocumentNotFoundError",
    "DocumentStoreError",
    "EnvelopeNotFoundError",
    "InvalidTransitionError",
    "InvalidValueError",
    "InvoiceBackupError",
    "PermissionDeniedError",
    "Problem",
    "ProblemKind",
    "ProjectFileError",
    "RateLimitedError",
    "SignatureAuthError",
    "SignatureProviderError",
    "SignatureTransportError",
    "UnsafeKeyError",
    "UnsignedInvoiceError",
    "UnverifiableBackupError",
]


class InvoiceBackupError(Exception):
    """The root of every error the library raises on purpose.

    Every error has a :attr:`kind` (:class:`ProblemKind`), so a host answers it without
    knowing each class: ``error.kind.http_status`` is 403, 404, 422 or 503.

    Example:
        >>> from invoicebackup import InMemoryStore, InvoiceBackupError
        >>> try:
        ...     InMemoryStore().read_bytes("docs/none.pdf")
        ... except InvoiceBackupError as error:
        ...     print(type(error).__name__, "-", error)
        ...     print(error.kind.value, error.kind.http_status)
        DocumentNotFoundError - document 'docs/none.pdf': no document is stored under this key
        not_found 404
    """

    @property
    def kind(self) -> ProblemKind:
        """What kind of "no" this is (:class:`ProblemKind`); each class says its own."""
        return ProblemKind.INVALID


class InvalidValueError(InvoiceBackupError, ValueError):
    """A value handed to a constructor or a function is not one it takes.

    Raised when the value is made, naming the field, so a host's rows fail where
    they enter the library instead of deep inside a backup.

    Attributes:
        field: The field, as ``Class.attribute`` (``Invoice.status``), or the
            parameter's name (``invoice_ids``).
        value: The value given.
        allowed: The values the field takes, when they are a closed set; else empty.
        reason: Why the value is refused, in words that follow the value
            (``is not one of draft, approved``).

    Example:
        >>> from invoicebackup import InvalidValueError, PermissionLevel, Permissions
        >>> try:
        ...     Permissions(commitments="administrator")
        ... except InvalidValueError as error:
        ...     print(error)
        ...     print(error.field, error.allowed)
        Permissions.commitments: 'administrator' is not one of none, read_only, standard, admin
        Permissions.commitments ('none', 'read_only', 'standard', 'admin')
        >>> Permissions(commitments="Admin").commitments   # the value, in any ASCII case
        <PermissionLevel.ADMIN: 'admin'>

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        field: str,
        value: object,
        *,
        allowed: Sequence[str] = (),
        reason: str | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.allowed = tuple(allowed)
        self.reason = reason if reason is not None else f"is not one of {', '.join(allowed)}"
        super().__init__(f"{field}: {value!r} {self.reason}")


class ProblemKind(enum.Enum):
    """What kind of "no" a problem or an error is, for a host to answer in its own terms.

    A web service maps each to a status (:attr:`http_status`): 403, 404, 422 or 503,
    without listing the library's codes by hand.

    Example:
        >>> from invoicebackup import Problem, ProblemKind
        >>> Problem(path="invoice:i-7", code="not_admin_on_tool", message="...").kind
        <ProblemKind.FORBIDDEN: 'forbidden'>
        >>> [kind.http_status for kind in ProblemKind]
        [403, 404, 422, 503]

    .. versionadded:: 0.1.0
    """

    #: The requester may not do this (a permission, an account, the directory).
    FORBIDDEN = "forbidden"
    #: Something named does not exist, or the requester may not know of it.
    NOT_FOUND = "not_found"
    #: The input is wrong or the request cannot be done as asked (a deleted billing
    #: period, a malformed project file, a bad document under ``fail``).
    INVALID = "invalid"
    #: A service the library needs failed (the store, DocuSign), so try again later.
    UNAVAILABLE = "unavailable"

    @property
    def http_status(self) -> int:
        """The HTTP status a web service would answer with (403, 404, 422 or 503)."""
        return _HTTP_STATUS[self]


_HTTP_STATUS: Final[Mapping[ProblemKind, int]] = {
    ProblemKind.FORBIDDEN: 403,
    ProblemKind.NOT_FOUND: 404,
    ProblemKind.INVALID: 422,
    ProblemKind.UNAVAILABLE: 503,
}

#: The kind of each problem code a rule gives (and of the codes that name something
#: missing); any other code, those of project files and documents included, is ``INVALID``.
PROBLEM_KINDS: Final[Mapping[str, ProblemKind]] = {
    # who asks (permissions.ReasonCode and docusign.SignatureReasonCode)
    "not_in_directory": ProblemKind.FORBIDDEN,
    "no_account": ProblemKind.FORBIDDEN,
    "inactive": ProblemKind.FORBIDDEN,
    "no_access_to_tool": ProblemKind.FORBIDDEN,
    "not_standard_on_tool": ProblemKind.FORBIDDEN,
    "not_admin_on_tool": ProblemKind.FORBIDDEN,
    "not_on_private_list": ProblemKind.FORBIDDEN,
    "not_invoice_contact": ProblemKind.FORBIDDEN,
    "permission_denied": ProblemKind.FORBIDDEN,
    "docusign_disabled": ProblemKind.FORBIDDEN,
    "docusign_not_linked": ProblemKind.FORBIDDEN,
    "docusign_reauthentication_required": ProblemKind.FORBIDDEN,
    # what is asked of an item that cannot give it (its kind, its workflow status)
    "item_not_signable": ProblemKind.INVALID,
    "invoice_status_not_signable": ProblemKind.INVALID,
    # what is named
    "unknown_invoice": ProblemKind.NOT_FOUND,
    "unknown_contract": ProblemKind.NOT_FOUND,
    "unknown_user": ProblemKind.NOT_FOUND,
    "missing_document": ProblemKind.NOT_FOUND,
    "missing": ProblemKind.NOT_FOUND,
    "document_not_found": ProblemKind.NOT_FOUND,
    "envelope_not_found": ProblemKind.NOT_FOUND,
    "path_not_found": ProblemKind.NOT_FOUND,
    "no_manifest": ProblemKind.NOT_FOUND,
}


def _problem_kind(code: str) -> ProblemKind:
    """The kind of a problem *code*: :data:`PROBLEM_KINDS`, else ``INVALID``."""
    return PROBLEM_KINDS.get(code, ProblemKind.INVALID)


@attrs.frozen
class Problem:
    """One thing wrong with an input, and where it is.

    Attributes:
        path: Where the problem is, as a JSON path (``invoices[3].billing_period_id``)
            or as the id of the thing concerned.
        code: A stable, machine-readable code (``unknown_key``, ``missing_period``).
        message: A sentence a person can read.
        kind: Forbidden, not found or invalid (:class:`ProblemKind`), from the code
            unless given.

    Example:
        >>> from invoicebackup import Problem
        >>> problem = Problem(path="invoices[3].billing_period_id", code="missing_period",
        ...                   message="billing period bp-9 does not exist")
        >>> print(problem)
        invoices[3].billing_period_id: billing period bp-9 does not exist
    """

    path: str
    code: str
    message: str
    kind: ProblemKind = attrs.field(
        default=attrs.Factory(lambda self: _problem_kind(self.code), takes_self=True),
        eq=False,
    )

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _worst(problems: Sequence[Problem]) -> ProblemKind:
    """The kind a request with *problems* answers with: forbidden, else not found, else invalid.

    Forbidden comes first: a requester who may not act learns that before anything else.
    """
    kinds = {problem.kind for problem in problems}
    for kind in (ProblemKind.FORBIDDEN, ProblemKind.NOT_FOUND, ProblemKind.UNAVAILABLE):
        if kind in kinds:
            return kind
    return ProblemKind.INVALID


def _whole_characters(text: str) -> str:
    """*text* with any unpaired surrogate written as a backslash escape, as Python writes it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _listing(headline: str, problems: Sequence[Problem]) -> str:
    return "\n".join([headline, *(f"  - {p}" for p in problems)])


class ProjectFileError(InvoiceBackupError, ValueError):
    """A project file does not follow the project-folder format.

    Every problem in the file is reported at once, each with its JSON path.

    Attributes:
        source: The file (or a description of the input) that was read.
        problems: Every problem found, in document order.

    Example:
        >>> from invoicebackup import ProjectFileError, project_from_dict
        >>> try:
        ...     project_from_dict({"format": "invoicebackup.project/9"})
        ... except ProjectFileError as error:
        ...     print(error)
        <dict>: 7 problems
          - project: this required key is missing
          - companies: this required key is missing
          - users: this required key is missing
          - contracts: this required key is missing
          - billing_periods: this required key is missing
          - invoices: this required key is missing
          - format: expected 'invoicebackup.project/1', got 'invoicebackup.project/9'
    """

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(_listing(f"{source}: {n} problem{'s' if n != 1 else ''}", self.problems))


class DocumentStoreError(InvoiceBackupError, OSError):
    """A document store could not read or write a document.

    Attributes:
        key: The document's key in the store.
        reason: Why, in words.

    Example:
        >>> from invoicebackup import DocumentStoreError
        >>> error = DocumentStoreError("docs/i-1.pdf", "the disk is full")
        >>> str(error), isinstance(error, OSError)
        ("document 'docs/i-1.pdf': the disk is full", True)
    """

    @property
    def kind(self) -> ProblemKind:
        """``UNAVAILABLE``, the store failed."""
        return ProblemKind.UNAVAILABLE

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"document {key!r}: {reason}")


class DocumentNotFoundError(DocumentStoreError, FileNotFoundError):
    """No document is stored under the key.

    Example:
        >>> from invoicebackup import DocumentNotFoundError, InMemoryStore
        >>> try:
        ...     InMemoryStore().read_bytes("docs/i-9.pdf")
        ... except DocumentNotFoundError as error:
        ...     print(error.key, "-", error.reason, "-", isinstance(error, FileNotFoundError))
        docs/i-9.pdf - no document is stored under this key - True
    """

    @property
    def kind(self) -> ProblemKind:
        """``NOT_FOUND``, nothing is under the key."""
        return ProblemKind.NOT_FOUND


class DocumentExistsError(DocumentStoreError, FileExistsError):
    """A document already exists under the key; stores never overwrite.

    Example:
        >>> from invoicebackup import DocumentExistsError, InMemoryStore
        >>> store = InMemoryStore({"out/backup.pdf": b"%PDF-1.7"})
        >>> try:
        ...     with store.create("out/backup.pdf") as out:
        ...         out.write(b"%PDF-1.7 new")
        ... except DocumentExistsError as error:
        ...     print(error.reason)
        a document already exists under this key
        >>> store.read_bytes("out/backup.pdf")
        b'%PDF-1.7'
    """

    @property
    def kind(self) -> ProblemKind:
        """``INVALID``, the key is taken (the request cannot be done as asked)."""
        return ProblemKind.INVALID


class UnsafeKeyError(DocumentStoreError, ValueError):
    """The key is not a safe relative path inside the store.

    Example:
        >>> from invoicebackup import UnsafeKeyError, validate_key
        >>> try:
        ...     validate_key("../etc/passwd")
        ... except UnsafeKeyError as error:
        ...     print(error.key, isinstance(error, ValueError))
        ../etc/passwd True
    """

    @property
    def kind(self) -> ProblemKind:
        """``INVALID``, the key breaks a rule."""
        return ProblemKind.INVALID


class PermissionDeniedError(InvoiceBackupError, PermissionError):
    """A permission rule denied the request; nothing was written.

    Attributes:
        decision: The :class:`~invoicebackup.permissions.Decision` with every reason.

    Example:
        >>> from invoicebackup import PermissionDeniedError, require_view_invoice
        >>> from invoicebackup.testing import sample_project
        >>> try:
        ...     require_view_invoice(sample_project(), user_id="u-nobody", invoice_id="i-1")
        ... except PermissionDeniedError as error:
        ...     print(sorted(error.decision.codes))
        ['no_access_to_tool', 'not_in_directory', 'not_on_private_list']
    """

    @property
    def kind(self) -> ProblemKind:
        """``FORBIDDEN``, or ``NOT_FOUND`` when the only reasons are unknown ids."""
        return _worst([Problem(r.subject_id, r.code, r.message) for r in self.decision.reasons])

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        reasons = "; ".join(r.message for r in decision.reasons)
        super().__init__(f"permission denied: {reasons}")


class BackupPreconditionsError(InvoiceBackupError, ValueError):
    """A backup cannot be compiled; nothing was written.

    Attributes:
        problems: Every failed precondition, each naming the invoice, contract or user.

    Example:
        >>> from invoicebackup import BackupPreconditionsError, plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> try:
        ...     plan_backup(sample_project(), invoice_ids=["i-1", "i-404"], user_id="u-admin")
        ... except BackupPreconditionsError as error:
        ...     print(error.problems[0].path, error.problems[0].kind.value)
        ...     print(*error.problems[0].message.split(". "), sep=chr(10))
        invoice:i-404 not_found
        Invoice i-404 is not in this project, or Ada Admin may not see it
        Invoices Ada Admin may select: i-1, i-2, i-3, i-4.
    """

    @property
    def kind(self) -> ProblemKind:
        """Forbidden if any problem is, else not found if any is, else invalid."""
        return _worst(self.problems)

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(
            _listing(
                f"the backup cannot be compiled: {n} problem{'s' if n != 1 else ''}",
                self.problems,
            )
        )


class BadDocumentError(InvoiceBackupError, ValueError):
    """A document cannot be put into a backup as it is.

    Attributes:
        key: The document's key in the store.
        filename: The document's file name, as the user knows it.
        code: A stable code: ``missing``, ``empty``, ``not_pdf``, ``damaged``,
            ``encrypted``, ``unsupported_encryption``, ``too_large``; from
            :func:`~invoicebackup.compile.check_document`, also ``image_skipped`` and
            ``needs_images_extra`` (an image a backup leaves out by choice). Each is the
            code the backup's :class:`~invoicebackup.manifest.LeftOut` gives.
        reason: Why, in words.

    Example:
        >>> from invoicebackup import BadDocumentError
        >>> error = BadDocumentError(
        ...     key="docs/w.pdf", filename="Waiver.pdf", code="damaged", reason="it is cut short"
        ... )
        >>> error.code, str(error)
        ('damaged', 'Waiver.pdf (docs/w.pdf): it is cut short')
    """

    def __init__(self, *, key: str, filename: str, code: str, reason: str) -> None:
        self.key = key
        self.filename = filename
        self.code = code
        # A reason may quote an engine's message about the document's bytes; a lone
        # surrogate in it would make the manifest (UTF-8) unwritable: it is shown escaped.
        self.reason = _whole_characters(reason)
        super().__init__(f"{filename} ({key}): {self.reason}")


class UnsignedInvoiceError(InvoiceBackupError, ValueError):
    """An invoice's signing workflow is not complete and the policy is ``"fail"``.

    Attributes:
        invoice_id: The invoice.
        envelope_id: Its DocuSign envelope, if any.
        status: The envelope's status, as DocuSign names it.

    Example:
        >>> from invoicebackup import UnsignedInvoiceError
        >>> print(UnsignedInvoiceError(invoice_id="i-2", envelope_id="env-1", status="sent"))
        invoice 'i-2': envelope 'env-1' is sent, not completed
    """

    def __init__(self, *, invoice_id: str, envelope_id: str | None, status: str | None) -> None:
        self.invoice_id = invoice_id
        self.envelope_id = envelope_id
        self.status = status
        super().__init__(
            f"invoice {invoice_id!r}: envelope {envelope_id!r} is {status or 'missing'}, "
            "not completed"
        )


class UnverifiableBackupError(InvoiceBackupError, ValueError):
    """A file :func:`~invoicebackup.verify.verify_backup` cannot check at all.

    Attributes:
        source: The file, as given (a path, or ``<bytes>``).
        code: ``unreadable`` (not a PDF this library reads), ``no_manifest`` (no
            ``backup-manifest.json`` is attached: not a backup, or compiled with
            ``embed_manifest`` off), ``not_a_manifest`` (the attachment is not a
            manifest this library wrote) or ``newer_format`` (written by a newer
            version; upgrade to check it).
        reason: Why, in words.

    Example:
        >>> from invoicebackup import UnverifiableBackupError
        >>> error = UnverifiableBackupError(
        ...     source="old.pdf", code="no_manifest", reason="it has no attached manifest"
        ... )
        >>> error.code, str(error)
        ('no_manifest', 'old.pdf cannot be verified: it has no attached manifest')

    .. versionadded:: 0.1.0
    """

    def __init__(self, *, source: str, code: str, reason: str) -> None:
        self.source = source
        self.code = code
        self.reason = reason
        super().__init__(f"{source} cannot be verified: {reason}")


class InvalidTransitionError(InvoiceBackupError, ValueError):
    """A DocuSign account link cannot take that event in its current state.

    Attributes:
        state: The current state's value.
        event: The event's value.

    Example:
        >>> from invoicebackup import DocuSignLink, InvalidTransitionError, record_use
        >>> from datetime import UTC, datetime
        >>> try:
        ...     record_use(DocuSignLink(), now=datetime(2024, 6, 1, tzinfo=UTC))
        ... except InvalidTransitionError as error:
        ...     print(error.state, error.event)
        not_linked use
    """

    def __init__(self, *, state: str, event: str) -> None:
        self.state = state
        self.event = event
        super().__init__(f"a DocuSign link in state {state!r} cannot take event {event!r}")


class SignatureProviderError(InvoiceBackupError):
    """The signature service failed. Tokens never appear in the message.

    Example:
        >>> from invoicebackup import RateLimitedError, SignatureProviderError
        >>> from invoicebackup.testing import InMemorySignatureProvider
        >>> try:
        ...     InMemorySignatureProvider().signed_document("env-404")
        ... except SignatureProviderError as error:
        ...     print(type(error).__name__, isinstance(error, LookupError))
        EnvelopeNotFoundError True
        >>> issubclass(RateLimitedError, SignatureProviderError)
        True
    """

    @property
    def kind(self) -> ProblemKind:
        """``UNAVAILABLE``, the signature service failed."""
        return ProblemKind.UNAVAILABLE


class SignatureAuthError(SignatureProviderError):
    """The signature service refused the access token (invalid or expired).

    Example:
        >>> from invoicebackup import SignatureAuthError
        >>> str(SignatureAuthError("the access token was refused (401)"))
        'the access token was refused (401)'
    """


class EnvelopeNotFoundError(SignatureProviderError, LookupError):
    """The signature service does not know the envelope.

    Attributes:
        envelope_id: The envelope asked for.

    Example:
        >>> from invoicebackup import EnvelopeNotFoundError
        >>> from invoicebackup.testing import InMemorySignatureProvider
        >>> try:
        ...     InMemorySignatureProvider().envelope_status("env-404")
        ... except EnvelopeNotFoundError as error:
        ...     print(error)
        envelope 'env-404' was not found
    """

    @property
    def kind(self) -> ProblemKind:
        """``NOT_FOUND``, the service does not know the envelope."""
        return ProblemKind.NOT_FOUND

    def __init__(self, envelope_id: str) -> None:
        self.envelope_id = envelope_id
        super().__init__(f"envelope {envelope_id!r} was not found")


class RateLimitedError(SignatureProviderError):
    """The signature service was still rate-limiting after every retry.

    Attributes:
        attempts: How many requests were made.
        retry_after: The last ``Retry-After`` the service sent, in seconds, if any.

    Example:
        >>> from invoicebackup import RateLimitedError
        >>> str(RateLimitedError(attempts=4, retry_after=30.0))
        'still rate-limited after 4 attempts (retry after 30 s)'
    """

    def __init__(self, *, attempts: int, retry_after: float | None) -> None:
        self.attempts = attempts
        self.retry_after = retry_after
        super().__init__(
            f"still rate-limited after {attempts} attempts"
            + (f" (retry after {retry_after:g} s)" if retry_after is not None else "")
        )


class SignatureTransportError(SignatureProviderError, OSError):
    """The signature service could not be reached, failed, or answered nonsense.

    Example:
        >>> from invoicebackup import SignatureTransportError
        >>> error = SignatureTransportError("GET /envelopes/env-1: 503 Service Unavailable")
        >>> isinstance(error, OSError), str(error)
        (True, 'GET /envelopes/env-1: 503 Service Unavailable')
    """
