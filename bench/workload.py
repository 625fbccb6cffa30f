"""A generated workload as the benchmark's processes read it (no generator imported).

The engine children import this and nothing of :mod:`bench.generate`, whose
reportlab and Pillow would add to every child's start-up time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The file, beside ``project.json``, that describes the workload for the runner.
MANIFEST_NAME = "bench-manifest.json"


@dataclass(frozen=True, kw_only=True, slots=True)
class Workload:
    """A generated workload: its folder and its manifest (see :mod:`bench.generate`)."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def invoice_ids(self) -> list[str]:
        """Every invoice id, in backup order."""
        return list(self.manifest["invoice_ids"])

    @property
    def paths(self) -> list[Path]:
        """Every document occurrence's file, in backup order."""
        return [self.folder / d["key"] for d in self.manifest["documents"]]


def load_workload(folder: Path) -> Workload:
    """Read a generated workload's manifest."""
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    return Workload(folder=folder, manifest=manifest)
