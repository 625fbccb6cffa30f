"""A generated workload as the benchmark's processes read it (no generator imported).

The runner and the engine children import this and nothing of :mod:`bench.generate`,
whose reportlab and Pillow would add to every child's start-up time — and to the
runner's own memory, which Linux counts into every child's peak RSS (a child's
``ru_maxrss`` starts from its parent's peak when it is spawned).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The file, beside ``project.json``, that describes the workload for the runner.
MANIFEST_NAME = "bench-manifest.json"

#: The generator's version (:mod:`bench.generate`): bump it when the workload's bytes
#: change, so cached folders are made again.
#: Version 2: the mix matches the issue's reference workload (about 322 MB of input at
#: N = 100, of which 0.72 distinct); version 1 repeated fewer shared documents (0.76 distinct).
GENERATOR_VERSION = 2
#: Space left free on top of the estimate.
SPARE_BYTES = 512 * 1024 * 1024


class NotEnoughSpaceError(OSError):
    """The disk holding the workload has too little free space for it."""

    def __init__(self, *, folder: Path, needed: int, free: int) -> None:
        self.folder = folder
        self.needed = needed
        self.free = free
        super().__init__(
            f"not enough free space to generate the workload under {folder}: it needs about "
            f"{needed / 1e9:.1f} GB (workload plus {SPARE_BYTES / 1e9:.1f} GB spare) and only "
            f"{free / 1e9:.1f} GB is free; free some space or choose a smaller N"
        )


def check_free_space(folder: Path, needed: int) -> None:
    """Raise :class:`NotEnoughSpaceError` unless *needed* bytes plus a spare are free.

    Args:
        folder: Where the bytes will go (it or its nearest existing parent is checked).
        needed: How many bytes will be written.
    """
    probe = folder
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < needed + SPARE_BYTES:
        raise NotEnoughSpaceError(folder=folder, needed=needed + SPARE_BYTES, free=free)


def workload_name(*, invoices: int, seed: int) -> str:
    """The cache folder's name for a workload."""
    return f"workload-v{GENERATOR_VERSION}-seed{seed}-n{invoices}"


def cached_workload(*, invoices: int, seed: int, root: Path) -> Workload | None:
    """The workload for *invoices* and *seed* under *root*, if it was generated whole."""
    folder = root / workload_name(invoices=invoices, seed=seed)
    return load_workload(folder) if (folder / MANIFEST_NAME).is_file() else None


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
