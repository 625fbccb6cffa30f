"""The page digests of a backup being written, read back from a copy of what was written.

The backup streams to its store and is never read from there. :class:`Spool` keeps a
copy of every byte in a temporary file; :func:`page_digests` ends that copy (never the
backup) with a page tree, a catalog and a cross-reference table, reads it with the same
reader and the same :func:`~invoicebackup.pdf.digest.page_digests` that ``verify`` uses,
and cuts the copy back so the backup can go on. The digests are thereby of exactly the
bytes written for each page, as a reader sees them. The copy is on disk and read through
a memory map: memory does not grow with the backup.
"""

from __future__ import annotations

import mmap
import tempfile
from collections.abc import Sequence
from typing import IO, Final

from .pdf.digest import page_digests as digests_of
from .pdf.reader import Limits, PdfFile
from .pdf.writer import ObjectWriter, cross_reference

#: The bounds the copy is read within: a backup may hold far more pages and objects than
#: one source is allowed (the writer bounds each source).
READ_BACK: Final = Limits(max_pages=10_000_000, max_objects=100_000_000)


class Spool:
    """Writes to *out* and to a temporary file; the copy is read back by :func:`page_digests`."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.copy: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def write(self, chunk: bytes | bytearray | memoryview) -> int:
        self.copy.write(chunk)
        return self._out.write(chunk)

    def close(self) -> None:
        """Delete the copy (the output is its owner's to close)."""
        self.copy.close()


def page_digests(
    objects: ObjectWriter, spool: Spool, *, pages: Sequence[int], pages_root: int
) -> list[str]:
    """The digest of every page written so far (see :mod:`invoicebackup.pdf.digest`)."""
    end = objects.flush()
    copy = spool.copy
    copy.flush()
    offsets = list(objects.offsets)
    catalog = len(offsets)
    offsets.append(0)
    tail = bytearray()
    offsets[pages_root] = end
    tail += b"%d 0 obj\n<</Type/Pages/Count %d/Kids[%s]>>\nendobj\n" % (
        pages_root,
        len(pages),
        b" ".join(b"%d 0 R" % number for number in pages),
    )
    offsets[catalog] = end + len(tail)
    tail += b"%d 0 obj\n<</Type/Catalog/Pages %d 0 R>>\nendobj\n" % (catalog, pages_root)
    tail += cross_reference(offsets, start=end + len(tail), trailer=b"/Root %d 0 R" % catalog)
    copy.seek(end)
    copy.write(tail)
    copy.flush()
    try:
        with mmap.mmap(copy.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return digests_of(PdfFile(view, limits=READ_BACK))  # type: ignore[arg-type]
    finally:
        copy.truncate(end)
        copy.seek(end)
