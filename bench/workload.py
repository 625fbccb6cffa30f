"""A workload as the benchmark's processes read it (no generator imported).

Two kinds: ``generated`` (:mod:`bench.generate`, documents drawn by reportlab and Pillow)
and ``realworld`` (:mod:`bench.realworld`, unique copies of the shared corpus' PDFs).

The runner and the engine children import this and nothing of :mod:`bench.generate`,
whose reportlab and Pillow would add to every child's start-up time — and to the
runner's own memory, which Linux counts into every child's peak RSS (a child's
``ru_maxrss`` starts from its parent's peak when it is spawned).
"""

from __future__ import annotations

import hashlib
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
#: Version 3: photos (JPEG attachments) among the other attachments.
GENERATOR_VERSION = 3
#: The real-world builder's version (:mod:`bench.realworld`): bump it when its bytes change.
#: Version 2: the ``%unique`` comment goes before the last ``startxref``; version 1 put it
#: after ``%%EOF``, which sent every document through pypdf.
REALWORLD_VERSION = 2
#: The workload kinds, in the order the runner runs them.
KINDS = ("generated", "realworld")
#: The corpus' list of files, beside them.
CORPUS_MANIFEST = "MANIFEST.tsv"
#: Where the real-world corpus is, relative to the checkout (as the tests find ``../shared``).
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"
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


def corpus_digest(corpus: Path) -> str:
    """The SHA-256 of the corpus' ``MANIFEST.tsv`` (which lists each file's SHA-256 prefix)."""
    return hashlib.sha256((corpus / CORPUS_MANIFEST).read_bytes()).hexdigest()


def realworld_name(*, invoices: int, seed: int, corpus: Path) -> str:
    """The cache folder's name for a real-world workload: a changed corpus is another name."""
    digest = corpus_digest(corpus)[:12]
    return f"realworld-v{REALWORLD_VERSION}-{digest}-seed{seed}-n{invoices}"


def cached_workload(
    *, invoices: int, seed: int, root: Path, kind: str = "generated", corpus: Path | None = None
) -> Workload | None:
    """The workload of *kind* for *invoices* and *seed* under *root*, if it was made whole.

    A ``realworld`` workload needs its *corpus* (its name depends on the corpus' manifest).
    """
    if kind == "realworld":
        if corpus is None:
            raise ValueError("a realworld workload needs its corpus")
        folder = root / realworld_name(invoices=invoices, seed=seed, corpus=corpus)
    else:
        folder = root / workload_name(invoices=invoices, seed=seed)
    return load_workload(folder) if (folder / MANIFEST_NAME).is_file() else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Workload:
    """A workload: its folder and manifest (see :mod:`bench.generate`, :mod:`bench.realworld`)."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def kind(self) -> str:
        """``generated`` or ``realworld`` (manifests before the second kind have no ``kind``)."""
        return str(self.manifest.get("kind", "generated"))

    @property
    def invoice_ids(self) -> list[str]:
        """Every invoice id, in backup order."""
        return list(self.manifest["invoice_ids"])

    @property
    def paths(self) -> list[Path]:
        """Every document occurrence's file, in backup order."""
        return [self.folder / d["key"] for d in self.manifest["documents"]]

    @property
    def engine_keys(self) -> list[str]:
        """What the PDF engines merge, in backup order: a photo's PDF wrapping, else the file."""
        return [d.get("engine_key", d["key"]) for d in self.manifest["documents"]]


def load_workload(folder: Path) -> Workload:
    """Read a workload's manifest."""
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    return Workload(folder=folder, manifest=manifest)
