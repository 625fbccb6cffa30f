"""Embedded in someone else's threads: compiles at once share nothing and leave the host alone."""

from __future__ import annotations

import logging
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from invoicebackup import BackupOptions, InMemoryStore, compile_backup
from invoicebackup.testing import sample_documents, sample_project

DAY = date(2026, 11, 3)
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
SELECTIONS = [["i-1"], ["i-2"], ["i-3"], ["i-4"], ["i-1", "i-3"], ["i-2", "i-4"]]


def _compile(invoice_ids: list[str]) -> bytes:
    documents = sample_documents(today=DAY)
    store = InMemoryStore(documents)
    result = compile_backup(
        sample_project(today=DAY),
        invoice_ids=invoice_ids,
        user_id="u-admin",
        store=store,
        now=NOW,
        options=BackupOptions(include_certificate=True),
    )
    return store.read_bytes(result.key)


def test_compiles_in_threads_give_what_lone_runs_give_and_the_host_keeps_its_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """24 compiles on 6 threads: each backup is byte for byte its lone run's.

    Meanwhile the host's own threads raise warnings and log records: every one of them
    reaches the host (the library swaps no warning filter and touches no logger), and the
    warning filters are as the host set them.
    """
    alone = {tuple(ids): _compile(ids) for ids in SELECTIONS}
    host = logging.getLogger("host.app")
    stop = threading.Event()
    warned: list[int] = []

    def host_work() -> None:
        n = 0
        while not stop.is_set() or n < 50:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                warnings.warn(f"host warning {n}", UserWarning, stacklevel=1)
            warned.append(len(caught))
            host.warning("host record %d", n)
            n += 1

    filters_before = list(warnings.filters)
    with caplog.at_level(logging.WARNING, logger="host.app"):
        chatter = threading.Thread(target=host_work)
        chatter.start()
        try:
            with ThreadPoolExecutor(6) as pool:
                jobs = [(ids, pool.submit(_compile, ids)) for ids in SELECTIONS * 4]
                results = [(ids, job.result()) for ids, job in jobs]
        finally:
            stop.set()
            chatter.join()
    for ids, data in results:
        assert data == alone[tuple(ids)], ids
    assert warned
    assert set(warned) == {1}, "a host warning was lost"
    records = [r for r in caplog.records if r.name == "host.app"]
    assert len(records) == len(warned)
    assert list(warnings.filters) == filters_before
    assert not logging.getLogger("pypdf").handlers
    assert logging.getLogger("pypdf").propagate
