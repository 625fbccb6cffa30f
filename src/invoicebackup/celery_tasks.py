"""Compile many projects' backups on Celery workers: a task to register on your own app.

Install the ``celery`` extra (``pip install "invoicebackup[celery]"``). The library makes no
Celery app of its own: :func:`register` adds the task to yours, with the stores and the
signature service your workers use. The task:

* compiles one project's backup and returns JSON: ``{"ok": True, "attempts": n,
  "result": result_to_dict(...)}``, or ``{"ok": False, "attempts": n, "problems": [...]}``
  when the library refused, each problem a ``{"code", "path", "message"}`` dictionary
  (:func:`problems_of`) so the caller can act on the code;
* reports its progress: the result is in state ``PROGRESS`` with ``done`` and ``total``
  documents (and ``stage`` and ``pages``) while it runs;
* retries, with exponential backoff and a bounded number of times, what may go away
  (:data:`TRANSIENT_ERRORS`: a store that failed, DocuSign unreachable or rate-limiting,
  waiting at least its ``Retry-After``) and never a refusal, which would say the same
  thing next time;
* keeps the backup's time across retries, so a retried backup has the name and the
  bytes the first attempt would have written;
* asks DocuSign through one rate limit shared by every worker process
  (:class:`SharedRateLimit`, a token bucket in a file), when you give one.

This module imports no part of Celery: it only calls the app and the task it is handed,
so ``import invoicebackup`` never loads Celery, and the examples run without a broker.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from .compile import BackupOptions, ProgressEvent, compile_backup
from .docusign import EnvelopeInfo, SignatureProvider
from .domain import Project
from .errors import (
    BackupPreconditionsError,
    BadDocumentError,
    DocumentNotFoundError,
    DocumentStoreError,
    InvalidValueError,
    InvoiceBackupError,
    PermissionDeniedError,
    ProjectFileError,
    RateLimitedError,
    SignatureTransportError,
    UnsafeKeyError,
    UnsignedInvoiceError,
)
from .serialization import load_project, result_to_dict
from .storage import DocumentStore, FileSystemStore

if TYPE_CHECKING:
    from celery import Celery, Task

__all__ = [
    "DEFAULT_TASK_NAME",
    "TRANSIENT_ERRORS",
    "RateLimit",
    "RateLimitedSignatures",
    "SharedRateLimit",
    "is_transient",
    "problems_of",
    "register",
    "retry_delay",
]

#: The name :func:`register` gives the task unless told otherwise.
DEFAULT_TASK_NAME: Final = "invoicebackup.compile_project_backup"

#: The errors that may not happen again, which the task retries (but a store's missing
#: document or unsafe key, subclasses of :class:`~invoicebackup.errors.DocumentStoreError`,
#: is a refusal; see :func:`is_transient`).
TRANSIENT_ERRORS: Final = (DocumentStoreError, SignatureTransportError, RateLimitedError)


def is_transient(error: BaseException) -> bool:
    """Whether *error* may go away if the same work is tried again later.

    A store that failed, DocuSign unreachable, failing (``5xx``) or rate-limiting may;
    a refusal (preconditions, permissions, a bad document under the ``fail`` policy, a
    refused DocuSign token, a missing document, an unsafe key) will say the same thing.

    Example:
        >>> from invoicebackup import (BackupPreconditionsError, DocumentNotFoundError,
        ...                            DocumentStoreError, RateLimitedError)
        >>> from invoicebackup.celery_tasks import is_transient
        >>> is_transient(DocumentStoreError("docs/i-1.pdf", "the storage service timed out"))
        True
        >>> is_transient(RateLimitedError(attempts=1, retry_after=30.0))
        True
        >>> is_transient(DocumentNotFoundError("docs/i-1.pdf", "no document is stored here"))
        False
        >>> is_transient(BackupPreconditionsError([]))
        False

    .. versionadded:: 0.1.0
    """
    if isinstance(error, DocumentNotFoundError | UnsafeKeyError):
        return False
    return isinstance(error, TRANSIENT_ERRORS)


def retry_delay(
    error: BaseException, *, retries: int, backoff: float = 2.0, max_backoff: float = 300.0
) -> float:
    """Seconds to wait before retry number ``retries + 1`` after *error*.

    Exponential (*backoff*, twice that, four times…, at most *max_backoff*), and never
    less than the ``Retry-After`` a :class:`~invoicebackup.errors.RateLimitedError` carries:
    DocuSign says when it will answer again.

    Example:
        >>> from invoicebackup import DocumentStoreError, RateLimitedError
        >>> from invoicebackup.celery_tasks import retry_delay
        >>> store_down = DocumentStoreError("docs/i-1.pdf", "timed out")
        >>> [retry_delay(store_down, retries=n, backoff=2.0, max_backoff=10.0) for n in range(4)]
        [2.0, 4.0, 8.0, 10.0]
        >>> retry_delay(RateLimitedError(attempts=1, retry_after=30.0), retries=0)
        30.0

    .. versionadded:: 0.1.0
    """
    delay = min(backoff * 2**retries, max_backoff)
    if isinstance(error, RateLimitedError) and error.retry_after is not None:
        delay = max(delay, error.retry_after)
    return float(delay)


def problems_of(error: InvoiceBackupError) -> list[dict[str, str]]:
    """The JSON-ready problems of a refusal: each a ``code``, a ``path`` and a ``message``.

    The code is the library's stable, machine-readable one (``not_admin_on_tool``,
    ``unknown_contract``, ``damaged``…); the path names what it is about
    (``invoice:i-10``, a document's key, a project file's JSON path).

    Example:
        >>> from invoicebackup import BackupPreconditionsError, plan_backup
        >>> from invoicebackup.celery_tasks import problems_of
        >>> from invoicebackup.testing import sample_project
        >>> try:
        ...     plan_backup(sample_project(), contract_ids=["k-99"], user_id="u-admin")
        ... except BackupPreconditionsError as error:
        ...     print([(problem["code"], problem["path"]) for problem in problems_of(error)])
        [('unknown_contract', 'contract:k-99'), ('empty_selection', '')]

    .. versionadded:: 0.1.0
    """
    if isinstance(error, BackupPreconditionsError | ProjectFileError):
        return [{"code": p.code, "path": p.path, "message": p.message} for p in error.problems]
    if isinstance(error, PermissionDeniedError):
        return [
            {"code": r.code, "path": f"{r.subject_kind}:{r.subject_id}", "message": r.message}
            for r in error.decision.reasons
        ]
    if isinstance(error, BadDocumentError):
        return [{"code": error.code, "path": error.key, "message": str(error)}]
    if isinstance(error, UnsignedInvoiceError):
        path = f"invoice:{error.invoice_id}"
        return [{"code": "unsigned_invoice", "path": path, "message": str(error)}]
    if isinstance(error, InvalidValueError):
        return [{"code": "invalid_value", "path": error.field, "message": str(error)}]
    if isinstance(error, DocumentStoreError):
        return [{"code": "document_store", "path": error.key, "message": str(error)}]
    # The signature service's refusals (a refused token, an unknown envelope) and the rest.
    return [{"code": _snake(type(error).__name__), "path": "", "message": str(error)}]


def _snake(name: str) -> str:
    words = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return words.removesuffix("_error")


@runtime_checkable
class RateLimit(Protocol):
    """What :class:`RateLimitedSignatures` needs of a rate limit: a blocking ``acquire``.

    :class:`SharedRateLimit` is one; a limit kept in Redis, for workers on many machines,
    can be another.

    Example:
        >>> from invoicebackup.celery_tasks import RateLimit, SharedRateLimit
        >>> isinstance(SharedRateLimit("docusign.bucket", per_second=1.0), RateLimit)
        True

    .. versionadded:: 0.1.0
    """

    def acquire(self) -> float:
        """Wait until one more call is allowed; return the seconds waited."""
        ...


class SharedRateLimit:
    """A token bucket in a file: one rate limit for every process that opens the file.

    Each :meth:`acquire` takes a token, waiting for one if the bucket is empty; the
    bucket holds at most *burst* tokens and gains *per_second* a second. So over any
    stretch of *t* seconds, all processes together make at most ``burst + per_second * t``
    calls. The file is locked (``fcntl.flock``) while it is read and written, so the
    workers of one machine, or of machines sharing a file system whose locks work across
    them, share the limit; the file's folder must exist. POSIX only.

    Args:
        path: The bucket's file; created on first use.
        per_second: Calls allowed a second, on average.
        burst: Calls allowed at once after a quiet spell.
        clock: The time in seconds; the same clock for every process (wall time).
        sleep: How to wait.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from invoicebackup.celery_tasks import SharedRateLimit
        >>> now, waits = [1000.0], []
        >>> def sleep(seconds):   # a clock that moves when one waits: no real waiting
        ...     waits.append(round(seconds, 3))
        ...     now[0] += seconds
        >>> folder = Path(tempfile.mkdtemp())
        >>> limit = SharedRateLimit(folder / "docusign.bucket", per_second=4.0, burst=2,
        ...                         clock=lambda: now[0], sleep=sleep)
        >>> [limit.acquire() for _ in range(4)]
        [0.0, 0.0, 0.25, 0.25]
        >>> # another process (here: another object) opening the same file shares the bucket
        >>> other = SharedRateLimit(folder / "docusign.bucket", per_second=4.0, burst=2,
        ...                         clock=lambda: now[0], sleep=sleep)
        >>> other.acquire()
        0.25
        >>> import shutil; shutil.rmtree(folder)

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        per_second: float,
        burst: int = 1,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not per_second > 0 or not math.isfinite(per_second):
            raise ValueError(f"per_second must be a positive number, got {per_second!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.path = Path(path)
        self.per_second = float(per_second)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep

    def __repr__(self) -> str:
        return (
            f"SharedRateLimit({str(self.path)!r}, per_second={self.per_second:g}, "
            f"burst={self.burst})"
        )

    def acquire(self) -> float:
        """Take a token, waiting as long as it takes; return the seconds waited."""
        waited = 0.0
        while True:
            wait = self._take()
            if wait <= 0:
                return waited
            # Wait outside the lock: the others may take tokens meanwhile, so look again.
            self._sleep(wait)
            waited += wait

    def _take(self) -> float:
        """Take a token if there is one (0.0), else say how long until there is one."""
        import fcntl  # POSIX only: imported here so the module imports everywhere

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            now = self._clock()
            tokens, then = self._read(fd, now)
            # A clock set back adds nothing; it never takes tokens away either.
            tokens = min(float(self.burst), tokens + max(0.0, now - then) * self.per_second)
            if tokens >= 1.0:
                self._write(fd, tokens - 1.0, now)
                return 0.0
            self._write(fd, tokens, now)
            return (1.0 - tokens) / self.per_second
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self, fd: int, now: float) -> tuple[float, float]:
        data = os.pread(fd, 256, 0)
        try:
            state = json.loads(data)
            return float(state["tokens"]), float(state["at"])
        except (ValueError, KeyError, TypeError):
            # A new file (or one cut short by a crash): a full bucket for a new one, an
            # empty one for a damaged one, which errs on the side of fewer calls.
            return (float(self.burst) if not data else 0.0), now

    def _write(self, fd: int, tokens: float, now: float) -> None:
        data = json.dumps({"tokens": tokens, "at": now}).encode()
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))


class RateLimitedSignatures:
    """A :class:`~invoicebackup.docusign.SignatureProvider` that asks *limit* before each call.

    Give it a :class:`~invoicebackup.docusign_rest.DocuSignProvider` made with
    ``max_attempts=1``: then every request to DocuSign is one call here, and a ``429``
    becomes a :class:`~invoicebackup.errors.RateLimitedError` that the task retries later,
    after its ``Retry-After``, instead of the worker sleeping on it. Closing it closes the
    provider, if it has a ``close``.

    Args:
        provider: The signature service.
        limit: The rate limit to honour, shared by every worker (:class:`SharedRateLimit`).

    Example:
        >>> from invoicebackup import SignatureProvider
        >>> from invoicebackup.celery_tasks import RateLimitedSignatures
        >>> from invoicebackup.testing import InMemorySignatureProvider
        >>> class Counting:
        ...     acquired = 0
        ...     def acquire(self):
        ...         self.acquired += 1
        ...         return 0.0
        >>> provider, limit = InMemorySignatureProvider(), Counting()
        >>> provider.add_envelope("env-1")
        >>> signatures = RateLimitedSignatures(provider, limit)
        >>> signatures.envelope_status("env-1").status.value
        'sent'
        >>> sorted(signatures.envelope_statuses(["env-1"]))
        ['env-1']
        >>> isinstance(signatures, SignatureProvider), limit.acquired
        (True, 2)

    .. versionadded:: 0.1.0
    """

    def __init__(self, provider: SignatureProvider, limit: RateLimit) -> None:
        self.provider = provider
        self.limit = limit

    def __repr__(self) -> str:
        return f"RateLimitedSignatures({self.provider!r}, {self.limit!r})"

    def envelope_status(self, envelope_id: str) -> EnvelopeInfo:
        """See :meth:`~invoicebackup.docusign.SignatureProvider.envelope_status`."""
        self.limit.acquire()
        return self.provider.envelope_status(envelope_id)

    def envelope_statuses(self, envelope_ids: Sequence[str]) -> Mapping[str, EnvelopeInfo]:
        """See :meth:`~invoicebackup.docusign.SignatureProvider.envelope_statuses`."""
        self.limit.acquire()
        return self.provider.envelope_statuses(envelope_ids)

    def signed_document(self, envelope_id: str) -> bytes:
        """See :meth:`~invoicebackup.docusign.SignatureProvider.signed_document`."""
        self.limit.acquire()
        return self.provider.signed_document(envelope_id)

    def certificate(self, envelope_id: str) -> bytes:
        """See :meth:`~invoicebackup.docusign.SignatureProvider.certificate`."""
        self.limit.acquire()
        return self.provider.certificate(envelope_id)

    def close(self) -> None:
        """Close the provider, if it can be closed."""
        close = getattr(self.provider, "close", None)
        if callable(close):
            close()


def register(
    app: Celery,
    *,
    store_factory: Callable[[str], DocumentStore] = FileSystemStore,
    signatures_factory: Callable[[Project, str, DocumentStore], SignatureProvider | None]
    | None = None,
    docusign_limit: RateLimit | None = None,
    options: BackupOptions | None = None,
    name: str = DEFAULT_TASK_NAME,
    max_retries: int = 5,
    backoff: float = 2.0,
    max_backoff: float = 300.0,
) -> Task:
    """Register the backup task on your Celery *app*, and return it.

    Call it where your app is made, in the module your workers import (``celery -A``),
    so workers and callers know the task. Queue a backup with
    ``task.delay(project_dir, user_id, contract_ids=[...], invoice_ids=[...])`` (and
    ``now="2026-11-03T09:30:00+00:00"`` for a backup time of your choice); the
    ``AsyncResult`` is in state ``PROGRESS`` while it runs (its ``info`` holds ``done``,
    ``total``, ``stage`` and ``pages``), and its value is the task's JSON (see the module).

    Args:
        app: Your Celery app.
        store_factory: Makes the document store of a project folder; the backup is
            written there. :class:`~invoicebackup.storage.FileSystemStore` by default.
        signatures_factory: Makes the signature service, given the project, the user who
            asks and the project's store (say, a
            :class:`~invoicebackup.docusign_rest.DocuSignProvider` of that user's linked
            account, with ``max_attempts=1`` and the store as its cache), or returns
            ``None``; without it, no signature service is asked.
        docusign_limit: The rate limit every call to the signature service goes through
            (:class:`SharedRateLimit`), shared by all workers.
        options: How to treat what is found; ``BackupOptions()`` by default.
        name: The task's name.
        max_retries: Retries at most, after the first attempt, of a transient error; then
            the task fails with that error.
        backoff: The first retry's delay in seconds; it doubles on each retry.
        max_backoff: The longest delay (a ``Retry-After`` may ask for longer).

    Returns:
        The task.

    Example:
        >>> from celery import Celery
        >>> from invoicebackup.celery_tasks import register
        >>> app = Celery("backups", broker="memory://", backend="cache+memory://")
        >>> task = register(app, max_retries=3)
        >>> task.name, task.max_retries, task.name in app.tasks
        ('invoicebackup.compile_project_backup', 3, True)

    .. versionadded:: 0.1.0
    """
    chosen = options or BackupOptions()

    def compile_project_backup(
        self: Task,
        project_dir: str,
        user_id: str,
        *,
        contract_ids: Sequence[str] = (),
        invoice_ids: Sequence[str] = (),
        now: str | None = None,
    ) -> dict[str, Any]:
        # The first attempt fixes the backup's time; retries reuse it (same name, same bytes).
        when = datetime.fromisoformat(now) if now is not None else datetime.now(UTC)
        attempts = self.request.retries + 1

        def report(event: ProgressEvent) -> None:
            self.update_state(
                state="PROGRESS",
                meta={
                    "done": event.documents_done,
                    "total": event.documents_total,
                    "stage": event.stage.value,
                    "pages": event.pages_written,
                },
            )

        try:
            project = load_project(project_dir)
            store = store_factory(project_dir)
            with contextlib.ExitStack() as stack:
                signatures = (
                    signatures_factory(project, user_id, store) if signatures_factory else None
                )
                if signatures is not None:
                    if docusign_limit is not None:
                        signatures = RateLimitedSignatures(signatures, docusign_limit)
                    close = getattr(signatures, "close", None)
                    if callable(close):
                        stack.callback(close)
                result = compile_backup(
                    project,
                    contract_ids=list(contract_ids),
                    invoice_ids=list(invoice_ids),
                    user_id=user_id,
                    store=store,
                    signatures=signatures,
                    options=chosen,
                    progress=report,
                    now=when,
                )
        except InvoiceBackupError as error:
            if not is_transient(error):
                # A refusal is an answer, not a crash: every problem, with its code.
                return {"ok": False, "attempts": attempts, "problems": problems_of(error)}
            raise self.retry(
                exc=error,
                countdown=retry_delay(
                    error, retries=self.request.retries, backoff=backoff, max_backoff=max_backoff
                ),
                kwargs={
                    "contract_ids": list(contract_ids),
                    "invoice_ids": list(invoice_ids),
                    "now": when.isoformat(),
                },
            ) from error
        return {"ok": True, "attempts": attempts, "result": result_to_dict(result)}

    compile_project_backup.__doc__ = (
        "Compile one project's backup (see invoicebackup.celery_tasks)."
    )
    task: Task = app.task(
        bind=True,
        name=name,
        # Celery's default (shared=True) would add the task, with this configuration, to
        # every app made later in the process: register on *app* only.
        shared=False,
        max_retries=max_retries,
        # Acknowledged when done, so a worker lost mid-backup leaves the backup to another.
        acks_late=True,
    )(compile_project_backup)
    return task
