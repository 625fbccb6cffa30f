"""The command line at its edges: odd project files, odd output folders, odd text.

Each test drives ``invoicebackup`` as a script would and checks that it ends with one
clear line and an exit code, never a traceback, a hang, a half-written output or a
terminal escape taken from the project's data.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from invoicebackup import load_project
from invoicebackup.cli import EXIT_REFUSED, EXIT_WARNINGS, main
from invoicebackup.compile import backup_filename
from invoicebackup.testing import write_sample_project

#: The time every compile here is made at, so the backup's name is known in advance.
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
NOW_ARG = "2026-11-03T09:30:00Z"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_sample_project(tmp_path / "project")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def run_process(*args: str | Path, timeout: float = 60, memory: int | None = None) -> Any:
    """The CLI in its own process, with a time limit and, if given, a memory limit."""

    def limit() -> None:  # pragma: no cover - runs in the child
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "invoicebackup", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        check=False,
    )


def edit(folder: Path, change: Any) -> None:
    """Rewrite *folder*'s project.json after *change* edits its parsed document."""
    file = folder / "project.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")


# --- the project file ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("command", ["validate", "plan", "compile"])
def test_a_fifo_as_project_file_is_refused_at_once(command: str, tmp_path: Path) -> None:
    """A FIFO named project.json is not waited on: every command refuses it as not a file."""
    folder = tmp_path / "project"
    folder.mkdir()
    os.mkfifo(folder / "project.json")
    extra = [] if command == "validate" else ["--as", "u-admin"]
    result = run_process(command, folder, *extra, timeout=15)
    assert result.returncode == EXIT_REFUSED, result.stderr
    assert "Traceback" not in result.stderr
    assert "not a regular file" in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_an_endless_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    """project.json linking to /dev/zero is refused as not a regular file, in bounded memory."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "project.json").symlink_to("/dev/zero")
    result = run_process("validate", folder, memory=1024 * 1024 * 1024)
    assert result.returncode == EXIT_REFUSED, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "not a regular file" in result.stderr


@pytest.mark.parametrize("command", ["validate", "plan", "compile"])
def test_a_lone_surrogate_in_a_name_is_refused_naming_its_json_path(
    command: str, sample: Path
) -> None:
    r"""``"INV-\\udfff"`` is valid JSON text but no Unicode: every command refuses the file."""
    file = sample / "project.json"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace('"INV-0001"', '"INV-\\udfff"', 1), encoding="utf-8")
    extra = {"validate": [], "plan": ["--as", "u-admin"]}.get(
        command, ["--as", "u-admin", "-o", sample / "out"]
    )
    result = run(command, sample, *extra)
    assert result.exit_code == EXIT_REFUSED, result.output
    assert "Traceback" not in result.output
    assert "invoices[0].number" in result.stderr
    assert "surrogate" in result.stderr


def test_deeply_nested_json_is_invalid_json_not_a_recursion_error(tmp_path: Path) -> None:
    """A hundred thousand ``[`` are refused as invalid JSON, in one line."""
    (tmp_path / "project.json").write_text("[" * 100_000, encoding="utf-8")
    for args in (["validate"], ["plan", "--as", "u-admin"]):
        result = run(args[0], tmp_path, *args[1:])
        assert result.exit_code == EXIT_REFUSED, result.output
        assert "invalid_json" in result.stderr or "not valid JSON" in result.stderr
        assert "Traceback" not in result.output


# --- validate's keys -------------------------------------------------------------------------


def test_validate_reports_a_key_leading_outside_the_folder(sample: Path, tmp_path: Path) -> None:
    """A document whose key is a link leading out of the folder is an error line, not a crash."""
    outside = tmp_path / "outside.pdf"
    outside.write_bytes((sample / "docs" / "i-3.pdf").read_bytes())
    (sample / "docs" / "i-3.pdf").unlink()
    (sample / "docs" / "i-3.pdf").symlink_to(outside)
    result = run("validate", sample)
    assert result.exit_code == EXIT_REFUSED, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if "docs/i-3.pdf" in line]
    assert len(lines) == 1
    assert "invoices[2].document.key" in lines[0]
    assert "outside" in lines[0]


# --- where the backup goes -------------------------------------------------------------------


def test_an_output_folder_under_a_file_is_one_line_naming_it(sample: Path, tmp_path: Path) -> None:
    """``-o`` below a regular file: exit 1, one line saying which folder and why."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "backups"
    result = run("compile", sample, "--as", "u-admin", "-o", target)
    assert result.exit_code == EXIT_REFUSED, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert str(target) in lines[0]
    assert os.strerror(errno.ENOTDIR) in lines[0]


def test_an_output_folder_that_cannot_be_made_is_one_line(sample: Path, tmp_path: Path) -> None:
    """``-o`` with a name too long for the file system: exit 1, one line, nothing made."""
    target = tmp_path / ("x" * 300)
    result = run("compile", sample, "--as", "u-admin", "-o", target)
    assert result.exit_code == EXIT_REFUSED, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1
    assert "x" * 300 in result.stderr


def _expected_name(sample: Path) -> str:
    return backup_filename(load_project(sample), now=NOW)


def test_a_stale_manifest_makes_both_files_take_the_next_name(sample: Path, tmp_path: Path) -> None:
    """A ``<name>.manifest.json`` left alone is kept; the new pair is ``<name> (2)``, both."""
    name = _expected_name(sample)
    out = tmp_path / "out"
    out.mkdir()
    stale = out / (name[: -len(".pdf")] + ".manifest.json")
    stale.write_text("stale\n")
    result = run("compile", sample, "--as", "u-admin", "-o", out, "--now", NOW_ARG)
    assert result.exit_code == EXIT_WARNINGS, result.output
    second = name[: -len(".pdf")] + " (2)"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [stale.name, second + ".pdf", second + ".manifest.json"]
    )
    assert stale.read_text() == "stale\n"
    manifest = json.loads((out / (second + ".manifest.json")).read_text(encoding="utf-8"))
    assert manifest["key"] == second + ".pdf"


def test_a_manifest_that_cannot_be_committed_takes_the_backup_back(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills as the manifest is committed: exit 1, and neither file is left."""
    real_link = os.link

    def link(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if str(target).endswith(".manifest.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    out = tmp_path / "out"
    result = run("compile", sample, "--as", "u-admin", "-o", out, "--now", NOW_ARG)
    assert result.exit_code == EXIT_REFUSED, result.output
    assert "Traceback" not in result.output
    assert os.strerror(errno.ENOSPC) in result.stderr
    assert list(out.iterdir()) == []


# --- text from the project on the terminal -----------------------------------------------------


def test_plan_prints_control_and_bidi_characters_escaped(sample: Path) -> None:
    """A title carrying an OSC title-setting sequence and U+202E reaches the terminal inert."""

    def change(data: dict[str, Any]) -> None:
        data["contracts"][0]["title"] = "Plumb\x1b]0;pwned\x07ing\u202e\u200b"

    edit(sample, change)
    result = run("plan", sample, "--as", "u-admin", "--invoice", "i-3")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "\u200b" not in result.output
    assert "Plumb\\x1b]0;pwned\\x07ing\\u202e\\u200b" in result.output


def test_a_refusal_prints_control_characters_escaped(sample: Path) -> None:
    """An invoice number with an escape sequence, named in a refusal, comes out escaped."""

    def change(data: dict[str, Any]) -> None:
        data["invoices"][2]["number"] = "P-\x1b[2J001"

    edit(sample, change)
    result = run("plan", sample, "--as", "u-reader", "--invoice", "i-3")
    assert result.exit_code == EXIT_REFUSED
    assert "\x1b" not in result.stderr
    assert "P-\\x1b[2J001" in result.stderr


# --- who may learn what ------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["u-reader", "u-nobody"])
def test_plan_of_a_private_contract_tells_a_stranger_nothing_about_it(
    user: str, sample: Path
) -> None:
    """Selecting k-2 (private) as someone off its list names no invoice or number of it."""
    hidden = run("plan", sample, "--as", user, "--contract", "k-2")
    unknown = run("plan", sample, "--as", user, "--contract", "k-404")
    assert hidden.exit_code == EXIT_REFUSED
    for secret in ("INV-0001", "INV-0002", "SC-2", "i-1", "i-2", "Electrical"):
        assert secret not in hidden.stderr, hidden.stderr
    assert hidden.stderr == unknown.stderr.replace("k-404", "k-2")


def test_the_default_selection_leaves_out_what_she_may_not_know_of(sample: Path) -> None:
    """Without --contract or --invoice, u-reader's refusal names nothing of private k-2."""
    result = run("plan", sample, "--as", "u-reader")
    assert result.exit_code == EXIT_REFUSED
    for secret in ("INV-0001", "INV-0002", "SC-2", "k-2", "i-1", "i-2"):
        assert secret not in result.stderr, result.stderr
    assert "P-001" in result.stderr


def test_docusign_status_lists_no_invoice_of_a_hidden_private_contract(tmp_path: Path) -> None:
    """``docusign status`` of a user who may not know of private SC-2 lists none of its invoices."""
    folder = write_sample_project(tmp_path / "p")
    reader = CliRunner().invoke(main, ["docusign", "status", str(folder), "--as", "u-reader"])
    assert reader.exit_code == 0, reader.output
    assert "SC-2" not in reader.output
    assert "INV-0001" not in reader.output
    assert "SC-10 / P-001" in reader.output
    volt = CliRunner().invoke(main, ["docusign", "status", str(folder), "--as", "u-volt"])
    assert "SC-2 / INV-0001" in volt.output
