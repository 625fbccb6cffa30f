"""The Celery app the real workers of tests/test_celery_tasks.py import (``celery -A``).

Everything is in one folder named by ``INVOICEBACKUP_CELERY_DIR``: the broker's messages
(Celery's filesystem transport), the results (the ``file://`` backend) and the shared
DocuSign rate limit. What the workers do to a project is set by files in its folder, and
what they did is counted in files there, since a worker's memory is not the test's:

* ``store-failures``: how many more times its store fails (a transient error);
* ``slow``: each of its PROGRESS states is stored slowly (a slow result backend), so the
  caller polling it sees the progress go by, not only the end (a compile of the sample
  project reports all its progress within milliseconds);
* ``rate-limited``: how many more times DocuSign answers it "429, retry after 1 s";
* ``attempts.log``: one line per attempt (the store made for it);
* ``<shared>/docusign-calls.log``: one line per call to DocuSign: pid, time, operation.
"""

from __future__ import annotations

import fcntl
import os
import time
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from celery import Celery
from celery.backends.filesystem import FilesystemBackend
from kombu.transport import filesystem
from kombu.utils import json

from invoicebackup import (
    DocumentStore,
    DocumentStoreError,
    FileSystemStore,
    Project,
    RateLimitedError,
    SignatureProvider,
)
from invoicebackup.celery_tasks import SharedRateLimit, register
from invoicebackup.testing import InMemorySignatureProvider

FOLDER_VARIABLE = "INVOICEBACKUP_CELERY_DIR"
#: Calls to DocuSign a second, for all workers together.
DOCUSIGN_PER_SECOND = 4.0
MAX_RETRIES = 3
BACKOFF = 0.2


def make_app(folder: Path) -> Celery:
    """An app on the filesystem transport and the file result backend, all in *folder*."""
    messages = folder / "messages"
    app = Celery("invoicebackup-tests")
    app.conf.update(
        # Celery's filesystem transport, writing each message whole (AtomicFilesystemTransport).
        broker_url=None,
        broker_transport="tests.celery_worker_app:AtomicFilesystemTransport",
        broker_transport_options={
            "data_folder_in": str(messages),
            "data_folder_out": str(messages),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # The transport polls its folder; the default second would slow every test.
            "polling_interval": 0.05,
        },
        # The file:// backend, as SlowProgressBackend.
        result_backend=f"tests.celery_worker_app:SlowProgressBackend+file://{folder / 'results'}",
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # One message at a time per process: tasks spread over both worker processes.
        worker_prefetch_multiplier=1,
    )
    return app


class AtomicChannel(filesystem.Channel):
    """kombu's filesystem channel, but a message appears in the folder only once written.

    kombu creates the message file and then writes it; a worker polling the folder can take
    the file in between, read it empty and die (JSONDecodeError, "Unrecoverable error"),
    which a loaded machine made happen. Written aside, then renamed in: all or nothing.
    """

    # kombu's filesystem channel's own signature (kombu passes mandatory=), which its base
    # class does not declare.
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        folder = Path(self.data_folder_out)
        aside = folder.parent / "outgoing"
        aside.mkdir(exist_ok=True)
        (aside / name).write_bytes(json.dumps(payload).encode())  # type: ignore[no-untyped-call]
        os.replace(aside / name, folder / name)


class AtomicFilesystemTransport(filesystem.Transport):
    """kombu's filesystem transport with :class:`AtomicChannel`."""

    Channel = AtomicChannel


def _take_one(counter: Path) -> bool:
    """Decrement the number in *counter* under a lock; whether it was above zero."""
    if not counter.exists():
        return False
    with counter.open("r+") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        left = int(file.read() or "0")
        if left <= 0:
            return False
        file.seek(0)
        file.truncate()
        file.write(str(left - 1))
        return True


def _append(log: Path, line: str) -> None:
    # O_APPEND writes of one short line from several processes do not interleave.
    with log.open("a") as file:
        file.write(line + "\n")


class SlowProgressBackend(FilesystemBackend):  # type: ignore[misc]  # Celery has no types
    """The ``file://`` result backend, lingering after each PROGRESS of a project marked slow."""

    def store_result(
        self,
        task_id: str,
        result: Any,
        state: str,
        traceback: Any = None,
        request: Any = None,
        **kwargs: Any,
    ) -> Any:
        stored = super().store_result(
            task_id, result, state, traceback=traceback, request=request, **kwargs
        )
        args = getattr(request, "args", None) or ()
        if state == "PROGRESS" and args and (Path(args[0]) / "slow").exists():
            time.sleep(0.15)  # after storing: the state is there to be seen meanwhile
        return stored


class TestStore(FileSystemStore):
    """A project folder's store that fails while its ``store-failures`` file says so."""

    __test__ = False  # not a pytest test class

    def open(self, key: str) -> BinaryIO:
        if _take_one(self.root / "store-failures"):
            raise DocumentStoreError(key, "the storage service is unavailable (simulated)")
        return super().open(key)


def store_factory(project_dir: str) -> TestStore:
    """The store of one attempt, counted in the project's ``attempts.log``."""
    _append(Path(project_dir) / "attempts.log", f"{os.getpid()} {time.time():.6f}")
    return TestStore(project_dir)


class RecordingDocuSign(InMemorySignatureProvider):
    """DocuSign as the project's envelopes say, recording every call it answers."""

    def __init__(self, project: Project, root: Path, log: Path) -> None:
        super().__init__()
        self._root, self._log = root, log
        for invoice in project.invoices:
            envelope = invoice.envelope
            if envelope is not None:
                assert envelope.signed_document_key
                assert envelope.certificate_key
                self.add_envelope(
                    envelope.id,
                    status=envelope.status,
                    completed_at=envelope.completed_at,
                    signed_pdf=(root / envelope.signed_document_key).read_bytes(),
                    certificate_pdf=(root / envelope.certificate_key).read_bytes(),
                )

    def _call(self, name: str) -> None:
        _append(self._log, f"{os.getpid()} {time.time():.6f} {name} {self._root.name}")
        if _take_one(self._root / "rate-limited"):
            raise RateLimitedError(attempts=1, retry_after=1.0)
        super()._call(name)


def _folder() -> Path:
    # Importing this module (pytest's doctest run does) must not need the variable.
    return Path(os.environ.get(FOLDER_VARIABLE, "celery-tests-not-configured"))


app = make_app(_folder())


def signatures_factory(project: Project, user_id: str, store: DocumentStore) -> SignatureProvider:
    """The recording DocuSign of the project folder the task is compiling."""
    assert isinstance(store, TestStore)
    return RecordingDocuSign(project, store.root, _folder() / "docusign-calls.log")


task = register(
    app,
    store_factory=store_factory,
    signatures_factory=signatures_factory,
    docusign_limit=SharedRateLimit(_folder() / "docusign.bucket", per_second=DOCUSIGN_PER_SECOND),
    max_retries=MAX_RETRIES,
    backoff=BACKOFF,
    max_backoff=1.0,
)
