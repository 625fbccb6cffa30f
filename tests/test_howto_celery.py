"""The task-queue how-to's Celery app (``docs/howto/tasks.py``), run eagerly in memory.

The page includes that file as it is; here the app is configured the way Celery's own
testing guide does it (``task_always_eager``, an in-memory broker and result backend), so
nothing touches the network: a quick check that the page's app works. Real workers, a real
broker, retries and the shared DocuSign rate limit are tests/test_celery_tasks.py's.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pypdf
import pytest

from invoicebackup.testing import write_sample_project

TASKS = Path(__file__).resolve().parents[1] / "docs" / "howto" / "tasks.py"


@pytest.fixture(scope="module")
def tasks() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("howto_tasks", TASKS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.app.conf.update(
        broker_url="memory://",
        result_backend="cache+memory://",
        task_always_eager=True,
        task_eager_propagates=True,
        task_store_eager_result=True,
    )
    # In memory: no broker or backend on the network is ever contacted.
    assert type(module.app.backend).__name__ == "CacheBackend"
    with module.app.connection() as connection:
        assert connection.transport_cls == "memory"
    yield module
    module.app.close()


def test_task_compiles_and_reports_progress(
    tasks: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The how-to's task writes the backup, reports PROGRESS states, and returns the result."""
    folder = write_sample_project(tmp_path / "tower-a")
    states: list[tuple[str, dict[str, Any]]] = []
    backend = tasks.app.backend
    store_result = backend.store_result

    def spy(task_id: str, result: Any, state: str, *args: Any, **kwargs: Any) -> Any:
        if state == "PROGRESS":
            states.append((state, dict(result)))
        return store_result(task_id, result, state, *args, **kwargs)

    monkeypatch.setattr(backend, "store_result", spy)
    async_result = tasks.compile_project_backup.delay(
        str(folder), "u-admin", contract_ids=["k-2", "k-11"]
    )
    value = async_result.get(timeout=10)
    assert async_result.state == "SUCCESS"
    assert value["ok"] is True
    manifest = value["result"]["manifest"]
    assert [i["invoice_id"] for i in manifest["invoices"]] == ["i-1", "i-2", "i-4"]
    pdf = folder / value["result"]["key"]
    assert len(pypdf.PdfReader(pdf).pages) == manifest["page_count"]
    assert states, "no PROGRESS state was stored"
    totals = {meta["total"] for _, meta in states}
    assert len(totals) == 1
    assert states[-1][1]["done"] == totals.pop()


def test_task_returns_a_refusal_instead_of_raising(tasks: ModuleType, tmp_path: Path) -> None:
    """A user who may not compile gets ``ok: False`` and one coded problem per invoice."""
    folder = write_sample_project(tmp_path / "tower-a")
    value = tasks.compile_project_backup.delay(
        str(folder), "u-reader", contract_ids=["k-10", "k-11"]
    ).get(timeout=10)
    assert value["ok"] is False
    assert value["attempts"] == 1
    assert len(value["problems"]) == 2
    assert {problem["code"] for problem in value["problems"]} == {"not_admin_on_tool"}
    assert all("Rita Reader" in problem["message"] for problem in value["problems"])
    assert not (folder / "backups").exists()
