"""Progress of a backup written as volumes: each document read once and assembled once, in order.

The one-file pass that measures reports ``read``; the pass that makes the backup reports
``assembled`` (the volume pass, or the one file when it fits); ``written`` last, as for one
file (see invoicebackup._volumeprogress).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupResult,
    FileSystemStore,
    InMemoryStore,
    ProgressEvent,
    ProgressStage,
    compile_backup,
)
from invoicebackup._volumeprogress import VolumeProgress
from invoicebackup.testing import SAMPLE_ADMIN, sample_documents

from .pdf_craft import NOW
from .test_volumes import PROJECT, SELECTION, plans_four_times_too_low, sample_folder
from .test_volumes import compiled as compiled_with_store

READ, ASSEMBLED, WRITTEN = ProgressStage.READ, ProgressStage.ASSEMBLED, ProgressStage.WRITTEN


def compiled(store: Any = None, **options: Any) -> tuple[BackupResult, list[ProgressEvent]]:
    """The backup of the sample project's every contract, with the events it reported."""
    events: list[ProgressEvent] = []
    result, _ = compiled_with_store(store, events.append, **options)
    return result, events


def of(events: Sequence[ProgressEvent], stage: ProgressStage) -> list[ProgressEvent]:
    return [event for event in events if event.stage is stage]


def check_bar(events: Sequence[ProgressEvent], result: BackupResult) -> None:
    """What a progress bar needs: one total, counts that only grow, each document once.

    With a volume size, each document is reported read once (measuring), then each
    assembled once (by the pass that makes the backup), in order (``documents_done`` 1…N
    per stage), pages never fewer, and ``written`` last, once, with everything done and the
    backup's page count.
    """
    total = events[0].documents_total
    assert {event.documents_total for event in events} == {total}
    assert [e.stage for e in events] == [READ] * total + [ASSEMBLED] * total + [WRITTEN]
    assert [e.documents_done for e in of(events, READ)] == list(range(1, total + 1))
    assert [e.documents_done for e in of(events, ASSEMBLED)] == list(range(1, total + 1))
    pages = [event.pages_written for event in events]
    assert pages == sorted(pages)
    assert of(events, WRITTEN) == [events[-1]]
    assert events[-1] == ProgressEvent(
        stage=WRITTEN, documents_done=total, documents_total=total, pages_written=result.page_count
    )


@pytest.mark.parametrize("file_format", ["pdf", "zip"])
@pytest.mark.parametrize("limit", [1000, 20_000])
def test_volumes_report_each_document_as_one_file_does(limit: int, file_format: str) -> None:
    """The volume pass reports each document assembled, counting on across the volumes.

    All ``read`` events (measuring) come before any ``assembled`` (writing the volumes): a
    bar counting both goes on through the second pass. The total is the one file's, and
    the ``assembled`` events, and the last event's shape, are those of the same backup
    compiled as one file.
    """
    one, one_events = compiled(format=file_format)
    result, events = compiled(format=file_format, max_volume_bytes=limit)
    assert len(result.volumes) >= 2
    check_bar(events, result)
    assert events[0].documents_total == one_events[0].documents_total
    assert [(e.documents_done, e.pages_written) for e in of(events, ASSEMBLED)] == [
        (e.documents_done, e.pages_written) for e in of(one_events, ASSEMBLED)
    ]
    assert attrs.evolve(events[-1], pages_written=one.page_count) == one_events[-1]


def test_a_backup_that_fits_reports_its_documents_assembled_once_it_is_known_to_fit() -> None:
    """Under the limit, the one file is the backup: its ``assembled`` events follow its reads."""
    _, one_events = compiled()
    result, events = compiled(max_volume_bytes=10**9)
    assert not result.volumes
    check_bar(events, result)
    assert of(events, ASSEMBLED) == of(one_events, ASSEMBLED)
    assert events[-1] == one_events[-1]


def test_a_set_written_again_reports_no_document_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Volumes planned too loosely are written again: no document is reported twice."""
    writings = plans_four_times_too_low(monkeypatch)
    result, events = compiled(max_volume_bytes=20_000)
    assert len(writings) > 1  # the first plan overshot
    check_bar(events, result)


class _Counting(InMemoryStore):
    """An in-memory store that counts the files it was asked to create."""

    creates = 0

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        self.creates += 1
        return super().create(key)


@pytest.mark.parametrize("which", [0, 6, -1])
def test_an_interruption_while_the_volumes_are_written_leaves_nothing(which: int) -> None:
    """A callback raising at an ``assembled`` event of the volume pass leaves the store as it was.

    The first, a middle and the last document's event: each comes while a volume is open
    (the measuring file and at least one volume were created), none committed.
    """
    documents = sample_documents()
    _, events = compiled(max_volume_bytes=20_000)
    target = of(events, ASSEMBLED)[which]
    store = _Counting(documents)
    creates_then: list[int] = []

    def progress(event: ProgressEvent) -> None:
        if event == target:
            creates_then.append(store.creates)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compiled_with_store(store, progress, max_volume_bytes=20_000)
    assert creates_then[0] >= 2  # raised in the volume pass, not while measuring
    assert store.keys() == sorted(documents)


def test_an_interruption_in_the_volume_pass_leaves_no_file_in_a_folder(tmp_path: Path) -> None:
    """The same in a folder: no volume and no temporary file remain."""
    before = sample_folder(tmp_path)

    def progress(event: ProgressEvent) -> None:
        if event.stage is ASSEMBLED and event.documents_done == event.documents_total:
            raise RuntimeError("cancelled by the user")

    with pytest.raises(RuntimeError, match="cancelled"):
        compile_backup(
            PROJECT,
            contract_ids=SELECTION,
            user_id=SAMPLE_ADMIN,
            store=FileSystemStore(tmp_path),
            options=BackupOptions(max_volume_bytes=20_000),
            progress=progress,
            now=NOW,
        )
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


class _Bar:
    """Stands in for click's progress bar: records where it is after each update."""

    def __init__(self, *, length: int, **_: Any) -> None:
        self.length = length
        self.positions: list[int] = []

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def update(self, step: int) -> None:
        assert step > 0
        self.positions.append((self.positions or [0])[-1] + step)


@pytest.mark.parametrize("max_volume_bytes", [None, 20_000, 10**9])
def test_the_commands_bar_moves_through_both_passes_and_ends_full(
    monkeypatch: pytest.MonkeyPatch, max_volume_bytes: int | None
) -> None:
    """The CLI's bar counts each document read and assembled: it never goes back.

    With volumes it is half full when measuring ends and fills while the volumes are
    written (before, it was full after measuring and stood still while they were written).
    """
    from invoicebackup import cli

    bars: list[_Bar] = []

    def progressbar(**kwargs: Any) -> _Bar:
        bars.append(_Bar(**kwargs))
        return bars[-1]

    monkeypatch.setattr(click, "progressbar", progressbar)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    result, events = compiled(max_volume_bytes=max_volume_bytes)
    where: list[int] = []  # the bar's position after each event
    with cli._progress_bar(cli._Output("compile", as_json=False, verbosity=0)) as report:
        assert report is not None
        for event in events:
            report(event)
            where.append((bars[-1].positions or [0])[-1])
    [bar] = bars
    total = events[0].documents_total
    assert bar.length == 2 * total
    assert where == sorted(where)
    assert where[-1] == bar.length
    if result.volumes:  # half full when measuring ends, full once the volumes are written
        assert where[len(of(events, READ)) - 1] == total
        assert where[-2] == 2 * total


@st.composite
def _writings(draw: st.DrawFn) -> tuple[list[int], list[tuple[list[int], int]]]:
    """Documents' page counts, and the set written one or more times.

    Each writing cuts the documents into volumes at its own places; all but the last stop
    early (a volume over the limit, a name taken), the last goes to the end.
    """
    pages = draw(st.lists(st.integers(0, 5), min_size=1, max_size=30))
    writings = []
    for last in [False] * draw(st.integers(0, 3)) + [True]:
        cuts = sorted(draw(st.sets(st.integers(1, len(pages) - 1))) if len(pages) > 1 else [])
        stop = len(pages) if last else draw(st.integers(0, len(pages)))
        writings.append((cuts, stop))
    return pages, writings


@given(_writings())
def test_however_the_set_is_cut_and_written_again_each_document_is_assembled_once(
    case: tuple[list[int], list[tuple[list[int], int]]],
) -> None:
    """Whatever the volumes and however often the set is written, the events are one file's.

    Each document is reported assembled once, in order, with the pages of the documents up
    to it, as one file reports it: a bar neither goes back nor counts twice.
    """
    pages, writings = case
    total = len(pages)
    events: list[ProgressEvent] = []
    progress = VolumeProgress(events.append, total)
    for cuts, stop in writings:
        progress.new_set()
        bounds = [0, *cuts, total]
        for start, end in itertools.pairwise(bounds):
            if start >= stop:
                break
            notify = progress.volume()
            written = 0  # the volume's own counts, as its assembly reports them
            for done, index in enumerate(range(start, min(end, stop)), 1):
                notify(
                    ProgressEvent(
                        stage=READ,
                        documents_done=done,
                        documents_total=end - start,
                        pages_written=written,
                    )
                )
                written += pages[index]
                notify(
                    ProgressEvent(
                        stage=ASSEMBLED,
                        documents_done=done,
                        documents_total=end - start,
                        pages_written=written,
                    )
                )
    assert events == [
        ProgressEvent(
            stage=ASSEMBLED,
            documents_done=done,
            documents_total=total,
            pages_written=sum(pages[:done]),
        )
        for done in range(1, total + 1)
    ]


def test_measuring_reports_reads_and_holds_assembled_until_the_one_file_is_known_to_fit() -> None:
    """While measuring, ``read`` goes out with no pages; ``assembled`` only once it fits.

    When the set of volumes is written instead, the held events are never sent.
    """
    sent: list[ProgressEvent] = []
    fits = VolumeProgress(sent.append, 2)
    read = ProgressEvent(stage=READ, documents_done=1, documents_total=2, pages_written=4)
    assembled = ProgressEvent(stage=ASSEMBLED, documents_done=1, documents_total=2, pages_written=6)
    fits.measuring(read)
    fits.measuring(assembled)
    assert sent == [attrs.evolve(read, pages_written=0)]
    fits.fitted()
    assert sent == [attrs.evolve(read, pages_written=0), assembled]
    dropped: list[ProgressEvent] = []
    over = VolumeProgress(dropped.append, 2)
    over.measuring(assembled)
    over.new_set()
    over.fitted()  # never called after new_set in a compile; nothing is left to send
    assert dropped == []
