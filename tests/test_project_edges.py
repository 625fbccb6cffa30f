"""The library at its edges.

Hostile project files, text that is not Unicode, stale temporary files, null optional
keys, and refusals that must not tell too much.
"""

from __future__ import annotations

import copy
import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
import time_machine

from invoicebackup import (
    BackupPreconditionsError,
    FileSystemStore,
    InMemoryStore,
    Project,
    ProjectFileError,
    compile_backup,
    load_project,
    plan_backup,
    project_from_dict,
    project_to_dict,
)
from invoicebackup.compile import backup_filename
from invoicebackup.serialization import MAX_PROJECT_FILE_BYTES
from invoicebackup.testing import sample_documents, sample_project

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def _codes(error: ProjectFileError) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in error.problems]


# --- the project file: its kind, its size, its depth -------------------------------------------


def test_a_project_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    """A file one byte over the limit is ``too_large``, refused from its size alone."""
    file = tmp_path / "project.json"
    with file.open("wb") as out:
        out.truncate(MAX_PROJECT_FILE_BYTES + 1)  # sparse: nothing to read would fit in time
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    assert _codes(caught.value) == [("", "too_large")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_project_file_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """Opening never blocks on a FIFO: it is refused as ``not_a_file`` at once."""
    os.mkfifo(tmp_path / "project.json")
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    assert _codes(caught.value) == [("", "not_a_file")]


def test_deep_nesting_is_invalid_json(tmp_path: Path) -> None:
    """100,000 ``[`` is ``invalid_json`` from load_project, not a RecursionError."""
    (tmp_path / "project.json").write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    assert [code for _, code in _codes(caught.value)] == ["invalid_json"]


# --- text that is not Unicode ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (("invoices", 0, "number"), "invoices[0].number"),
        (("contracts", 1, "title"), "contracts[1].title"),
        (("users", 0, "name"), "users[0].name"),
        (("project", "name"), "project.name"),
        (("invoices", 1, "id"), "invoices[1].id"),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_is(where: tuple[Any, ...], path: str) -> None:
    r"""``"\\udfff"`` parses as JSON text but cannot be written anywhere: refused, located."""
    data = project_to_dict(sample_project())
    target: Any = data
    for segment in where[:-1]:
        target = target[segment]
    target[where[-1]] = "X-\udfff"
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data)
    assert (path, "unpaired_surrogate") in _codes(caught.value)


def test_an_unknown_key_with_a_lone_surrogate_is_reported_printably() -> None:
    """The path of an unknown key spelled with a surrogate can be printed and encoded."""
    data = project_to_dict(sample_project())
    data["project"]["x\udfff"] = 1
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data)
    str(caught.value).encode("utf-8")
    assert [code for _, code in _codes(caught.value)] == ["unknown_key"]


def test_a_project_built_with_a_lone_surrogate_fails_at_construction() -> None:
    """Built directly, a project holding a surrogate is a ValueError naming the field."""
    project = sample_project()
    invoices = [
        attrs.evolve(i, number="INV-\udfff") if i.id == "i-3" else i for i in project.invoices
    ]
    with pytest.raises(ValueError, match=r"invoices\[2\]\.number.*U\+DFFF"):
        attrs.evolve(project, invoices=invoices)
    with pytest.raises(ValueError, match=r"name.*U\+D800"):
        Project(id="p-1", name="Tower \ud800")


def test_a_project_without_surrogates_still_compiles() -> None:
    """The check costs nothing to a clean project: the sample compiles as before."""
    result = compile_backup(
        sample_project(),
        invoice_ids=["i-3"],
        user_id="u-admin",
        store=InMemoryStore(sample_documents()),
        now=NOW,
    )
    assert result.page_count == (result.manifest.cover_last_page or 0) + 3


# --- null for an optional key ------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        ("project", "dictionary"),
        ("users", 0, "permissions"),
        ("users", 0, "permissions", "commitments"),
        ("users", 0, "docusign"),
        ("users", 0, "docusign", "state"),
        ("users", 1, "docusign", "state"),
        ("project", "company_id"),
    ],
)
def test_null_for_an_optional_key_means_leaving_it_out(where: tuple[Any, ...]) -> None:
    """An optional key set to ``null`` loads exactly as if it were absent."""
    with_null = project_to_dict(sample_project())
    without = copy.deepcopy(with_null)
    for data, value in ((with_null, None), (without, ...)):
        target: Any = data
        for segment in where[:-1]:
            target = target[segment]
        if value is None:
            target[where[-1]] = None
        else:
            del target[where[-1]]
    assert project_from_dict(with_null) == project_from_dict(without)


def test_null_for_a_required_key_is_still_refused() -> None:
    """Only optional keys take null: a null invoice number is a wrong type."""
    data = project_to_dict(sample_project())
    data["invoices"][0]["number"] = None
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data)
    assert _codes(caught.value) == [("invoices[0].number", "wrong_type")]


# --- names made from project data ---------------------------------------------------------------


def test_bidi_and_format_characters_are_dropped_from_backup_names() -> None:
    """U+202E and its kin never reach a file name; the visible text stays."""
    project = Project(id="p-1", name="Tower\u202e fdp.exe\u200b\u2066A\u2069", number="T\u200f-1")
    name = backup_filename(project, now=NOW)
    assert name == "Subcontractor invoice backup - Tower fdp.exeA - T-1 - 2026-11-03 - 0930.pdf"


# --- temporary files of killed writers ----------------------------------------------------------


def _stale(path: Path, *, age: float) -> Path:
    """A file *age* seconds old by the file system's clock (not the process's, which tests move)."""
    path.write_bytes(b"%PDF-1.7 half")
    then = path.stat().st_mtime - age
    os.utime(path, (then, then))
    return path


def test_old_temporary_files_of_dead_writers_are_removed_on_the_next_write(
    tmp_path: Path,
) -> None:
    """A new document clears the folder of its own old ``.<name>.<hex>.tmp`` leftovers."""
    day = 24 * 3600
    dead = _stale(tmp_path / ".Backup - 0930.pdf.0123456789abcdef.tmp", age=day)
    fresh = _stale(tmp_path / ".Backup - 0931.pdf.fedcba9876543210.tmp", age=60)
    foreign = _stale(tmp_path / ".notes.tmp", age=day)
    other = _stale(tmp_path / "draft.0123456789abcdef.tmp", age=day)
    # An old temporary file still held (locked) by a live writer, paused for a day.
    held = _stale(tmp_path / ".Backup - 0932.pdf.00112233445566ff.tmp", age=day)
    with held.open("rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        store = FileSystemStore(tmp_path)
        with store.create("new.pdf") as out:
            out.write(b"%PDF-1.7")
        assert held.exists()
    assert not dead.exists()
    assert fresh.exists()
    assert foreign.exists()
    assert other.exists()
    assert (tmp_path / "new.pdf").read_bytes() == b"%PDF-1.7"


def test_a_new_unlocked_temporary_file_survives_a_process_clock_years_ahead(
    tmp_path: Path,
) -> None:
    """Age is read on the file system's clock: a process clock years ahead removes nothing new.

    Another writer's file, made a moment ago and not yet locked, must survive the next write.
    """
    young = _stale(tmp_path / ".Backup - 0930.pdf.0123456789abcdef.tmp", age=1)
    with (
        time_machine.travel(datetime(2040, 1, 1, tzinfo=UTC), tick=False),
        FileSystemStore(tmp_path).create("new.pdf") as out,
    ):
        out.write(b"%PDF-1.7")
    assert young.exists()


def test_a_writer_holds_a_lock_on_its_temporary_file(tmp_path: Path) -> None:
    """While a document is written, its temporary file is locked, so no one removes it."""
    store = FileSystemStore(tmp_path)
    with store.create("a.pdf") as out:
        out.write(b"%PDF")
        (tmp,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        with tmp.open("rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


# --- refusals that must not tell too much -------------------------------------------------------


def _problems(**selection: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(sample_project(), **selection)
    return [(p.path, p.code, p.message) for p in caught.value.problems]


def _swap(problems: list[tuple[str, str, str]], old: str, new: str) -> list[tuple[str, str, str]]:
    return [tuple(part.replace(old, new) for part in p) for p in problems]  # type: ignore[misc]


@pytest.mark.parametrize("user", ["u-reader", "u-nobody"])
def test_a_hidden_private_contract_is_refused_like_an_unknown_one(user: str) -> None:
    """Off k-2's private list and not Admin: selecting it reads as an unknown id, word for word."""
    hidden = _problems(contract_ids=["k-2"], user_id=user)
    unknown = _problems(contract_ids=["k-404"], user_id=user)
    assert hidden == _swap(unknown, "k-404", "k-2")


@pytest.mark.parametrize("user", ["u-reader", "u-nobody"])
def test_a_hidden_private_invoice_is_refused_like_an_unknown_one(user: str) -> None:
    """Her invoice i-1 (on private k-2) reads as an unknown invoice id."""
    hidden = _problems(invoice_ids=["i-1"], user_id=user)
    unknown = _problems(invoice_ids=["i-404"], user_id=user)
    assert hidden == _swap(unknown, "i-404", "i-1")
    assert not any("INV-0001" in m or "SC-2" in m for _, _, m in hidden)


def test_a_missing_period_of_a_hidden_invoice_is_not_told() -> None:
    """A hidden invoice's billing period is none of the stranger's business."""
    project = sample_project()
    project = attrs.evolve(
        project,
        invoices=[
            attrs.evolve(i, billing_period_id="bp-gone") if i.id == "i-1" else i
            for i in project.invoices
        ],
    )
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(project, invoice_ids=["i-1"], user_id="u-reader")
    text = str(caught.value) + " ".join(p.message for p in caught.value.problems)
    assert "bp-gone" not in text
    assert "INV-0001" not in text
    assert [p.code for p in caught.value.problems] == ["unknown_invoice"]


def test_those_who_may_see_a_private_contract_are_told_everything() -> None:
    """u-volt is on k-2's private list: the refusal names her invoices, as before."""
    problems = _problems(contract_ids=["k-2"], user_id="u-volt")
    assert {code for _, code, _ in problems} == {"not_admin_on_tool"}
    assert any("INV-0001" in message for _, _, message in problems)
