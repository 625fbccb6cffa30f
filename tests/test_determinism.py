"""The same inputs and time give the same bytes in any process, whatever its hash seed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import hashlib, sys
from datetime import datetime, UTC
from invoicebackup import InMemoryStore, compile_backup
from invoicebackup.testing import sample_documents, sample_project
store = InMemoryStore(sample_documents())
result = compile_backup(
    sample_project(), contract_ids=["k-2", "k-10", "k-11"], user_id="u-admin", store=store,
    now=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
)
sys.stdout.write(hashlib.sha256(store.read_bytes(result.key)).hexdigest())
"""


def _digest_with_seed(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
        timeout=120,
    )
    return done.stdout.strip()


def test_the_bytes_do_not_depend_on_the_processs_hash_seed() -> None:
    """Three processes with different string-hash seeds write byte-identical backups.

    Found by the benchmark ("bytes differ between runs"): the backup's /ID hashed the
    options' repr, whose set of parts came out in hash order, which changes per process.
    """
    digests = {_digest_with_seed(seed) for seed in ("1", "2", "3")}
    assert len(digests) == 1, digests
    assert all(len(d) == len(hashlib.sha256().hexdigest()) for d in digests)
