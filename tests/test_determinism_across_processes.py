"""The same input and ``now`` give the same backup bytes in every process, not only in one.

Python seeds its string hashing anew in each process, so the order of a set of strings
(or of enumeration members with string values) changes from one run to the next: a
backup must not depend on it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import sys
from datetime import UTC, datetime
from invoicebackup import FileSystemStore, compile_backup, load_project
from invoicebackup.testing import write_sample_project

folder = write_sample_project(sys.argv[1], today=datetime(2031, 7, 15).date())
result = compile_backup(
    load_project(folder),
    invoice_ids=["i-3"],
    user_id="u-admin",
    store=FileSystemStore(folder),
    now=datetime(2031, 7, 15, 10, 45, tzinfo=UTC),
)
print(result.sha256)
"""


def _compiled(folder: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_two_processes_with_other_hash_seeds_write_the_same_backup(tmp_path: Path) -> None:
    """Determinism across processes: the backup's SHA-256 is the same whatever the hash seed."""
    digests = {_compiled(tmp_path / f"run-{seed}", seed) for seed in ("1", "2", "3")}
    assert len(digests) == 1
