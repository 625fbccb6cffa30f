"""The benchmark's runner (``bench/run.py``): what it imports decides what it measures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_runner_never_imports_the_generator() -> None:
    """Linux starts a child's peak RSS from its parent's peak: the runner must stay small.

    The generator (reportlab, Pillow, a workload's pages in memory) runs in a process of
    its own; imported into the runner, its memory would be counted into every engine's.
    """
    probe = (
        "import sys, bench.run\n"
        "print(sorted(m for m in ('bench.generate', 'reportlab', 'PIL') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
