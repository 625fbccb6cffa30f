"""How long reading every page and its resources of the real-world corpus takes.

Ours (:class:`invoicebackup.pdf.reader.PdfFile`) against pikepdf's open and page walk, on
the files both read. Prints the figures; asserts nothing. Run:
``.venv/bin/python -m bench.pdf_reader_speed [corpus folder]``.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf

from invoicebackup.pdf.errors import PdfError
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Dictionary

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"


def ours(data: bytes) -> int:
    """Pages, resource names and content streams read with our reader."""
    reader = PdfFile(data)
    count = 0
    for page in reader.pages():
        for value in page.resources.values():
            resolved = reader.resolve(value)
            if isinstance(resolved, Dictionary):
                count += len(resolved)
        reader.resolve(page.dictionary.get(b"Contents"))
        count += 1
    return count


def theirs(data: bytes) -> int:
    """The same with pikepdf."""
    count = 0
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            resources = page.resources
            for key in resources.keys():  # noqa: SIM118 -- pikepdf objects iterate differently
                value = resources[key]
                if isinstance(value, pikepdf.Dictionary):
                    count += len(value.keys())
            page.obj.get("/Contents")
            count += 1
    return count


def main(folder: Path) -> None:
    """Print the time each reader takes on the files both read, best of five runs."""
    files = []
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        try:
            ours(data)
            theirs(data)
        except (PdfError, pikepdf.PdfError):
            continue
        files.append(data)
    for label, read in (("ours", ours), ("pikepdf", theirs)):
        best = min(_timed(read, files) for _ in range(5))
        size = sum(map(len, files)) / 1e6
        print(f"{label:8} {len(files)} files, {size:.1f} MB: {best * 1000:.0f} ms")


def _timed(read: Callable[[bytes], int], files: list[bytes]) -> float:
    start = time.perf_counter()
    for data in files:
        read(data)
    return time.perf_counter() - start


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
