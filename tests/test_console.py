"""The installed command without the ``cli`` extra says what to install, in one line."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from invoicebackup.testing import write_sample_project

_WITHOUT_CLICK = (
    "import sys; sys.modules['click'] = None; "  # as if click were not installed
    "sys.argv = ['invoicebackup', '--help']; "
    "from invoicebackup._console import main; main()"
)


def test_without_click_the_command_names_the_extra() -> None:
    """No traceback: one line naming the `cli` extra, exit 2."""
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_CLICK], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "invoicebackup: the command-line tool needs click, which comes with the `cli` extra: "
        'pip install "invoicebackup[cli]"'
    ]


def test_with_click_the_command_runs() -> None:
    """With click installed, ``python -m invoicebackup --help`` shows the commands."""
    done = subprocess.run(
        [sys.executable, "-m", "invoicebackup", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "compile" in done.stdout


def test_the_command_does_not_print_the_pdf_engines_chatter(tmp_path: Path) -> None:
    """The sample's damaged certificate is one left-out line, without pypdf's own log lines."""
    folder = tmp_path / "p"
    write_sample_project(folder, today=date(2026, 11, 3))
    done = subprocess.run(
        [sys.executable, "-m", "invoicebackup", "compile", str(folder), "--as", "u-admin"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "Mill certificate.pdf" in done.stderr
    assert "EOF marker" not in done.stderr
    assert "startxref" in done.stderr  # the reason is ours, on the left-out line


_COLLECTOR_AFTER = (
    "import gc, sys; sys.argv = ['invoicebackup', '--help']\n"
    "from invoicebackup._console import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print('collector', *gc.get_threshold(), gc.get_freeze_count() > 0)"
)

_LIBRARY_LEAVES_IT = (
    "import gc\n"
    "before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())\n"
    "from datetime import UTC, date, datetime\n"
    "from invoicebackup import InMemoryStore, compile_backup\n"
    "from invoicebackup.testing import sample_documents, sample_project\n"
    "day = date(2026, 11, 3)\n"
    "store = InMemoryStore(sample_documents(today=day))\n"
    "compile_backup(sample_project(today=day), invoice_ids=['i-1'], user_id='u-admin',\n"
    "    store=store, now=datetime(2026, 11, 3, tzinfo=UTC))\n"
    "print(before == (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()))"
)


def test_the_command_sets_its_own_processs_collector() -> None:
    """The command, an application, freezes its modules' objects and collects less often."""
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTOR_AFTER], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "collector 20000 20 20 True"


def test_the_library_leaves_the_hosts_collector_as_it_was() -> None:
    """Importing and compiling change no setting of the host process's garbage collector."""
    done = subprocess.run(
        [sys.executable, "-c", _LIBRARY_LEAVES_IT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "True"
