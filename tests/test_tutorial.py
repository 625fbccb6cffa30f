"""The tutorial's shell transcript, run as written: its commands, outputs and exit codes.

The commands are read from the ``console`` blocks of ``docs/tutorial/first-backup.md``, so
the page and this test cannot drift apart. Output lines are compared as doctest compares
them with ``ELLIPSIS``: exact, except where the page writes ``...`` (a time, a digest, an
engine's wording).
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from invoicebackup.cli import main

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial" / "first-backup.md"

#: Commands of the page that set up the reader's machine; the test runs in the installed venv.
SETUP = frozenset(
    {
        "python -m venv .venv && . .venv/bin/activate",
        'pip install "invoicebackup[cli]"',
    }
)

_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def transcript(markdown: str) -> list[tuple[str, str]]:
    """Each ``$ command`` of the page's console blocks, with the output shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for block in _BLOCK.findall(markdown):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before any command: {line!r}"
                steps[-1][1].append(line)
    return [(command, "".join(f"{line}\n" for line in out)) for command, out in steps]


def test_transcript_is_read_from_the_page() -> None:
    """The parser finds the page's commands in order (so an empty parse cannot pass)."""
    commands = [command for command, _ in transcript(TUTORIAL.read_text(encoding="utf-8"))]
    invoked = [c.split()[1] for c in commands if c.startswith("invoicebackup ")]
    assert invoked == ["sample", "validate", "plan", "plan", "compile"]
    assert set(commands) >= SETUP


def test_tutorial_transcript_runs_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``invoicebackup`` command of the tutorial prints what the page shows, exits as shown.

    An ``echo $?`` line checks the previous command's exit code; a command not followed by one
    must exit 0.
    """
    monkeypatch.chdir(tmp_path)
    checker = doctest.OutputChecker()
    unchecked: tuple[str, int] | None = None
    for command, expected in transcript(TUTORIAL.read_text(encoding="utf-8")):
        if command in SETUP:
            continue
        if command == "echo $?":
            assert unchecked is not None, "echo $? without a command before it"
            assert expected == f"{unchecked[1]}\n", f"exit code of {unchecked[0]!r}"
            unchecked = None
            continue
        assert unchecked is None or unchecked[1] == 0, (
            f"{unchecked[0]!r} exited {unchecked[1]}; the page does not show it"
        )
        program, *args = shlex.split(command)
        assert program == "invoicebackup", f"the test does not know how to run {command!r}"
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert checker.check_output(expected, result.output, doctest.ELLIPSIS), (
            f"$ {command}\n--- the page shows:\n{expected}--- the command printed:\n{result.output}"
        )
        unchecked = (command, result.exit_code)
    assert unchecked is None or unchecked[1] == 0, f"{unchecked[0]!r} exited {unchecked[1]}"
    assert len(list((tmp_path / "backups").glob("*.pdf"))) == 1
