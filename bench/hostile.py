"""Peak memory and time of hostile PDFs at the scale a review found them (not in `make test`).

``python -m bench.hostile [--scale 1.0] [--only NAME]`` writes each file to a temporary
directory and compiles it as the one attachment of a one-invoice project, in a process
of its own, and prints a line per file: its size, the compile's peak resident memory
growth, its time, and the verdict. The tests hold small versions of the same files
(tests/test_limits_and_active_content.py); these are the sizes issue 17 measured:

- ``xref-bomb``: a 1 MB file whose cross-reference stream inflates to 1 GB;
- ``string``: a 100 MB file holding one literal string;
- ``chain``: a 2.5-million-object chain from a page (past the 500,000-object default
  of ``max_document_objects``; ``--scale 0.2`` is a chain at that bound).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

_PAGE: Final = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
]
_MEDIA = b"/Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"


def _pdf(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def string(scale: float) -> bytes:
    """One page holding one literal string of 100 MB (times *scale*)."""
    size = int(100_000_000 * scale)
    return _pdf([*_PAGE, b"<< " + _MEDIA + b" /X (" + b"a" * size + b") >>"])


def chain(scale: float) -> bytes:
    """A page whose resources start a chain of 2.5 million (times *scale*) objects."""
    count = int(2_500_000 * scale)
    links = (b"<< /Next %d 0 R >>" % (number + 1) for number in range(4, 3 + count))
    return _pdf([*_PAGE, b"<< " + _MEDIA + b" /Resources 4 0 R >>", *links, b"<< >>"])


def xref_bomb(scale: float) -> bytes:
    """A one-page file whose cross-reference stream inflates to 1 GB (times *scale*)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate([*_PAGE, b"<< " + _MEDIA + b" >>"], start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    rows = [b"\x00" + bytes(4) + b"\xff\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + bytes(2) for offset in (*offsets, xref)]
    packer = zlib.compressobj(9)
    packed = [packer.compress(b"".join(rows))]
    packed += [packer.compress(bytes(1 << 20)) for _ in range(int(1000 * scale))]
    packed.append(packer.flush())
    data = b"".join(packed)
    out += b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
    out += b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


FILES: dict[str, Callable[[float], bytes]] = {
    "xref-bomb": xref_bomb,
    "string": string,
    "chain": chain,
}

#: The child: compile the file named by argv[1]; print its growth (MiB), seconds, verdict.
_MEASURE = """
import resource, sys, time
from datetime import UTC, date, datetime
from invoicebackup import (BackupOptions, BillingPeriod, Contract, Document, InMemoryStore,
    Invoice, PermissionLevel, Permissions, Project, User, compile_backup)
from invoicebackup.testing import text_pdf
data = open(sys.argv[1], "rb").read()
user = User(id="u", name="U", permissions=Permissions(commitments=PermissionLevel.ADMIN))
period = BillingPeriod(id="b", start=date(2024, 5, 1), end=date(2024, 5, 31), due=date(2024, 6, 5))
invoice = Invoice(id="i", contract_id="c", billing_period_id="b", position=1, number="1",
    document=Document(key="i.pdf", filename="i.pdf"),
    attachments=[Document(key="a.pdf", filename="a.pdf")])
project = Project(id="p", name="P", number="1", users=[user], contracts=[Contract(id="c",
    number="C")], billing_periods=[period], invoices=[invoice])
store = InMemoryStore({"i.pdf": text_pdf(["invoice"]), "a.pdf": data})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
result = compile_backup(project, invoice_ids=["i"], user_id="u", store=store,
    now=datetime(2024, 6, 3, tzinfo=UTC), options=BackupOptions())
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = [item.code for item in result.left_out if item.key == "a.pdf"]
print((after - before) // 1024, f"{seconds:.1f}", codes[0] if codes else "included")
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Write and compile each file; print size, peak growth, time and verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size factor (1.0: the issue's)")
    parser.add_argument("--only", choices=sorted(FILES), action="append")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        for name in args.only or FILES:
            path = Path(directory) / f"{name}.pdf"
            path.write_bytes(FILES[name](args.scale))
            done = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            growth, seconds, verdict = done.stdout.split()
            size = path.stat().st_size / 1e6
            print(f"{name}: {size:.1f} MB, peak growth {growth} MiB, {seconds} s, {verdict}")


if __name__ == "__main__":
    main()
