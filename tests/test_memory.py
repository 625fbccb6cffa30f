"""Memory stays bounded as a backup grows: documents are streamed, not held until the end.

A generated backup is compiled twice, the second time with twice the invoices (and so
twice the input bytes); the peak of memory allocated during each compile is measured
with :mod:`tracemalloc` (every ``bytes`` a document is read into counts). The check is a
ratio, not a time: a compile that held every document would peak twice as high the
second time.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from pathlib import Path

from invoicebackup import BackupOptions, FileSystemStore, Project, compile_backup
from invoicebackup.testing import lien_waiver_pdf, text_pdf
from tests.backup_helpers import ADMIN, NOW, attachment, invoice, project
from tests.pdf_craft import build_pdf

#: Bytes of incompressible image data per scanned attachment.
SCAN_BYTES = 1_200_000


_CONTENT = b"q 612 0 0 792 0 0 cm /Im1 Do Q"


def _scan(seed: int) -> bytes:
    """A one-page "scan": an image stream of random bytes (nothing to share or compress)."""
    data = random.Random(seed).randbytes(SCAN_BYTES)
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /XObject /Subtype /Image /Width 800 /Height 500 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",
            # /Length is the content's: a wrong one would make the file damaged, read
            # (and rewritten) another way.
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(_CONTENT), _CONTENT),
        ]
    )


def _workload(folder: Path, invoices: int) -> tuple[Project, FileSystemStore, int]:
    """*invoices* invoices, each with its PDF, two scans and a lien waiver; total input bytes."""
    items = [
        invoice(
            f"i-{n}",
            position=n,
            attachments=[
                attachment(f"scan-{n}-a.pdf"),
                attachment(f"scan-{n}-b.pdf"),
                attachment(f"waiver-{n}.pdf"),
            ],
        )
        for n in range(1, invoices + 1)
    ]
    p = project(items)
    folder.mkdir()
    store = FileSystemStore(folder)
    total = 0
    for n in range(1, invoices + 1):
        documents = {
            f"docs/i-{n}.pdf": text_pdf([f"Invoice {n}", "Pay application"]),
            f"att/scan-{n}-a.pdf": _scan(2 * n),
            f"att/scan-{n}-b.pdf": _scan(2 * n + 1),
            f"att/waiver-{n}.pdf": lien_waiver_pdf({"amount": f"{n}.00"}),
        }
        for key, data in documents.items():
            with store.create(key) as out:
                out.write(data)
            total += len(data)
    return p, store, total


def _peaks(folder: Path, invoices: int) -> tuple[list[int], int, int]:
    """Compile a generated backup of *invoices* invoices three times: (peaks, input bytes, pages).

    The peak moves by a few megabytes from one compile to the next: how much of the
    backup waits to be hashed (at most :data:`invoicebackup._hashing.MAX_IN_FLIGHT`)
    depends on how the helper thread was scheduled, more so on a loaded machine (two runs
    were once not enough to see one compile whose hashing kept up).
    """
    p, store, total = _workload(folder, invoices)
    peaks = []
    for _ in range(3):
        gc.collect()
        tracemalloc.start()
        try:
            result = compile_backup(p, contract_ids=["c-1"], user_id=ADMIN.id, store=store, now=NOW)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        peaks.append(peak)
    # The invoices' pages: the cover sheet's depend on the number of invoices, not documents.
    return peaks, total, result.page_count - (result.manifest.cover_last_page or 0)


def test_memory_stays_bounded_as_the_backup_grows(tmp_path: Path) -> None:
    """Four times the input: the compile's peak memory grows by a small part of what was added.

    Each size is compiled three times and the lowest peaks are compared, so that the
    difference measures what grows with the backup, not the helper threads' scheduling.
    What may grow is bounded: the per-compile caches of the page digests fill up to their
    limits, and on a loaded machine the digest and hashing threads' backlogs (each capped)
    are longer: in a full run of the suite, three compiles in a row peaked 6 MB above
    the lowest of the same backup. So the backup grows by 115 MB, an allowance (a tenth)
    above that noise: a compile that held every document would grow by all of it.
    """
    small, small_input, small_pages = _peaks(tmp_path / "small", 16)
    large, large_input, large_pages = _peaks(tmp_path / "large", 64)
    assert large_input > 3.8 * small_input
    assert large_pages == 4 * small_pages  # everything went in, both times
    assert min(large) - min(small) < 0.1 * (large_input - small_input), (small, large)
    # One document at a time, not the backup: every peak is a fraction of the input.
    assert max(large) < 0.25 * large_input, (large, large_input)


def test_volumes_are_written_without_holding_a_volume_in_memory(tmp_path: Path) -> None:
    """A backup written as volumes streams each one: the peak is a fraction of a volume.

    Both passes (the one-file measure, dropped past the limit, and the volumes) copy one
    document at a time into the store's stream; a compile that gathered a volume before
    writing it would peak over a volume's size (about 28 MB each here; the peak measured
    was about 8 MB, as for the same backup written as one file).
    """
    p, store, total = _workload(tmp_path / "folder", 24)
    limit = 30_000_000
    gc.collect()
    tracemalloc.start()
    try:
        result = compile_backup(
            p,
            contract_ids=["c-1"],
            user_id=ADMIN.id,
            store=store,
            now=NOW,
            options=BackupOptions(max_volume_bytes=limit),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    sizes = [volume.size or 0 for volume in result.volumes]
    assert len(sizes) >= 2
    assert all(size <= limit for size in sizes)
    assert peak < 0.5 * min(sizes), (peak, sizes, total)
