"""invoicebackup.celery_tasks run by real Celery workers: no eager mode, no mocks of Celery.

One worker (``celery worker --pool=prefork -c 2``: a main process and two worker processes)
is started for the module, on Celery's filesystem transport with the ``file://`` result
backend, all in a temporary folder; the app it imports is tests/celery_worker_app.py. The
tests send tasks by name, as a caller that does not import the workers' code would, and
read what the workers did from files (attempt and DocuSign call logs), since a worker's
memory is not the test's. Timing assertions are lower bounds or counts with slack, so a
loaded machine makes them slower, not red.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
from celery import Celery
from celery.result import AsyncResult

from invoicebackup import BackupPreconditionsError, load_project, plan_backup
from invoicebackup.celery_tasks import DEFAULT_TASK_NAME, register
from invoicebackup.testing import write_sample_project
from tests import celery_worker_app as worker_app

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-03T09:30:00+00:00"
#: Generous: a loaded 2-core machine may take seconds where an idle one takes a fraction.
WAIT = 90.0


class Workers:
    """The running worker and an app to send it tasks."""

    def __init__(self, folder: Path, app: Celery) -> None:
        self.folder = folder
        self.app = app

    def project(self, name: str, **behaviour: str) -> Path:
        """A sample project folder, with files saying how the workers treat it."""
        folder = write_sample_project(self.folder / name, today=date(2026, 11, 3))
        for file, text in behaviour.items():
            (folder / file.replace("_", "-")).write_text(text)
        return folder

    def send(self, folder: Path, user_id: str, contract_ids: list[str]) -> AsyncResult:
        return self.app.send_task(
            DEFAULT_TASK_NAME,
            args=[str(folder), user_id],
            kwargs={"contract_ids": contract_ids, "now": NOW},
        )

    def docusign_calls(self, *projects: Path) -> list[tuple[int, float, str, str]]:
        """The DocuSign calls the workers made for *projects*: pid, time, operation, project."""
        log = self.folder / "docusign-calls.log"
        names = {p.name for p in projects}
        calls = []
        for line in log.read_text().splitlines() if log.exists() else []:
            pid, when, operation, project = line.split()
            if project in names:
                calls.append((int(pid), float(when), operation, project))
        return sorted(calls, key=lambda call: call[1])


def attempts(project: Path) -> list[tuple[int, float]]:
    """Each attempt the workers made on *project*: pid and time."""
    log = project / "attempts.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [(int(pid), float(when)) for pid, when in (line.split() for line in lines)]


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    folder = tmp_path_factory.mktemp("celery")
    for name in ("messages", "processed", "results"):
        (folder / name).mkdir()
    environment = {
        **os.environ,
        worker_app.FOLDER_VARIABLE: str(folder),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    log = (folder / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.celery_worker_app",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Its own process group, so teardown can end the worker and its children together.
        start_new_session=True,
    )
    app = worker_app.make_app(folder)
    try:
        yield Workers(folder, app)
    finally:
        app.close()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


def test_several_projects_compile_at_once(workers: Workers) -> None:
    """Three projects queued together are compiled by the workers, each into its own folder."""
    projects = [workers.project(f"tower-{n}") for n in range(3)]
    results = [workers.send(folder, "u-admin", ["k-2", "k-11"]) for folder in projects]
    values = [result.get(timeout=WAIT) for result in results]
    for folder, value in zip(projects, values, strict=True):
        assert value["ok"] is True, value
        assert value["attempts"] == 1
        manifest = value["result"]["manifest"]
        assert [i["invoice_id"] for i in manifest["invoices"]] == ["i-1", "i-2", "i-4"]
        assert manifest["created_at"] == "2026-11-03T09:30:00Z"
        pdf = folder / value["result"]["key"]
        assert len(pypdf.PdfReader(pdf).pages) == manifest["page_count"]
        assert len(attempts(folder)) == 1


def test_progress_is_reported_to_the_caller(workers: Workers) -> None:
    """While a task runs, the caller sees state PROGRESS with done and total documents."""
    folder = workers.project("slow-tower", slow="each PROGRESS lingers")
    result = workers.send(folder, "u-admin", ["k-2", "k-11"])
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + WAIT
    while not result.ready():
        assert time.monotonic() < deadline, "the task did not finish"
        # One read of the backend per poll: state and info read apart can straddle the
        # worker's next write (PROGRESS, then the info of SUCCESS or none at all).
        meta = result.backend.get_task_meta(result.id, cache=False)
        if meta.get("status") == "PROGRESS" and isinstance(meta.get("result"), dict):
            seen.append(dict(meta["result"]))
        time.sleep(0.02)
    value = result.get(timeout=WAIT)
    assert value["ok"] is True
    assert seen, "the caller never saw state PROGRESS"
    assert {info["total"] for info in seen} == {seen[0]["total"]}
    done = [info["done"] for info in seen]
    assert all(0 <= n <= seen[0]["total"] for n in done)
    assert done == sorted(done)
    assert len(set(done)) >= 2, f"only {set(done)} seen, not the progress"
    assert {info["stage"] for info in seen} <= {"read", "assembled", "written"}


def test_refusal_keeps_problem_codes_and_is_not_retried(workers: Workers) -> None:
    """A user who may not compile gets every problem with its code, after one attempt only."""
    folder = workers.project("refused-tower")
    value = workers.send(folder, "u-reader", ["k-10", "k-11"]).get(timeout=WAIT)
    with pytest.raises(BackupPreconditionsError) as refusal:
        plan_backup(load_project(folder), contract_ids=["k-10", "k-11"], user_id="u-reader")
    expected = [(p.code, p.path, p.message) for p in refusal.value.problems]
    assert value["ok"] is False
    assert [(p["code"], p["path"], p["message"]) for p in value["problems"]] == expected
    assert {p["code"] for p in value["problems"]} <= {"not_admin_on_tool", "unknown_contract"}
    assert value["attempts"] == 1
    assert len(attempts(folder)) == 1
    assert not (folder / "backups").exists()


def test_transient_store_error_is_retried_then_succeeds(workers: Workers) -> None:
    """A store that fails twice is tried three times, with growing delays, and the backup made."""
    folder = workers.project("flaky-tower", store_failures="2")
    value = workers.send(folder, "u-admin", ["k-2"]).get(timeout=WAIT)
    assert value["ok"] is True, value
    assert value["attempts"] == 3
    tries = attempts(folder)
    assert len(tries) == 3
    # Backoff 0.2 s, then 0.4 s: the retries waited at least that (a lower bound).
    assert tries[1][1] - tries[0][1] >= worker_app.BACKOFF
    assert tries[2][1] - tries[1][1] >= 2 * worker_app.BACKOFF
    assert (folder / value["result"]["key"]).is_file()


def test_retries_are_bounded(workers: Workers) -> None:
    """A store that never recovers is tried 1 + max_retries times; then the task fails."""
    folder = workers.project("broken-tower", store_failures="1000")
    result = workers.send(folder, "u-admin", ["k-2"])
    with pytest.raises(Exception, match="the storage service is unavailable"):
        result.get(timeout=WAIT)
    assert result.state == "FAILURE"
    assert len(attempts(folder)) == 1 + worker_app.MAX_RETRIES
    assert not (folder / "backups").exists() or not any((folder / "backups").iterdir())


def test_rate_limited_docusign_is_retried_after_retry_after(workers: Workers) -> None:
    """DocuSign's 429 makes the task retry, not before its Retry-After (1 s), then succeed."""
    folder = workers.project("throttled-tower", rate_limited="1")
    value = workers.send(folder, "u-admin", ["k-2"]).get(timeout=WAIT)
    assert value["ok"] is True, value
    assert value["attempts"] == 2
    tries = attempts(folder)
    assert len(tries) == 2
    first_call = workers.docusign_calls(folder)[0]
    assert tries[1][1] - first_call[1] >= 1.0


def test_one_docusign_rate_limit_for_all_workers(workers: Workers) -> None:
    """Six projects on two worker processes never call DocuSign faster than the shared limit."""
    projects = [workers.project(f"signed-tower-{n}") for n in range(6)]
    results = [workers.send(folder, "u-admin", ["k-2"]) for folder in projects]
    assert all(result.get(timeout=WAIT)["ok"] for result in results)
    calls = workers.docusign_calls(*projects)
    # Each backup asks for the envelope's status and downloads its signed document.
    assert len(calls) == 2 * len(projects)
    assert len({pid for pid, *_ in calls}) == 2, "both worker processes called DocuSign"
    rate, burst = worker_app.DOCUSIGN_PER_SECOND, 1
    # Calls are logged just after the limit let them through: a call logged late makes a
    # window look shorter by that delay; allow half a second for it.
    slack = 0.5
    times = [when for _, when, *_ in calls]
    for first in range(len(times)):
        for last in range(first + 1, len(times)):
            made = last - first + 1
            assert made <= burst + rate * (times[last] - times[first] + slack), (
                f"{made} calls in {times[last] - times[first]:.3f} s"
            )


def test_importing_the_library_never_imports_celery() -> None:
    """``import invoicebackup`` (and even its Celery module) loads no part of Celery."""
    code = (
        "import sys, invoicebackup, invoicebackup.celery_tasks; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'kombu')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_register_touches_only_the_app_it_is_given() -> None:
    """A registered task is not shared with other apps: each app keeps its own configuration."""
    first, second = Celery("first"), Celery("second")
    task = register(first, max_retries=1)
    assert DEFAULT_TASK_NAME not in second.tasks
    other = register(second, max_retries=7)  # no DuplicateTaskNameWarning (an error here)
    assert (first.tasks[DEFAULT_TASK_NAME], second.tasks[DEFAULT_TASK_NAME]) == (task, other)
    assert (task.max_retries, other.max_retries) == (1, 7)
    assert DEFAULT_TASK_NAME not in Celery("third").tasks
