"""The PDF boundary: everything the rest of the library knows about PDFs goes through here.

A facade over two modules, each built on the one reader and the one writer of
:mod:`invoicebackup.pdf`:

- :mod:`invoicebackup._pdfopen` — :func:`sniff` looks at the bytes before any parser,
  :func:`open_pdf` reads one document in isolation (normalising an encrypted or damaged
  file through pypdf's public API first, repairing with qpdf when asked), removes its
  active content and checks it against the :class:`Limits`; :func:`repair_pdf`.
- :mod:`invoicebackup._pdfwriter` — :class:`BackupWriter` streams parsed documents and our
  own pages into one output.

No pypdf type appears in a signature: parsed documents are opaque :class:`ParsedPdf`
handles and outlines are plain :class:`OutlineNode` values.
"""

from __future__ import annotations

from ._outline import shifted
from ._pdfopen import (
    HEADER_WINDOW,
    MAX_PASSWORDS,
    Limits,
    NeedsBytes,
    ParsedPdf,
    Sniffed,
    open_pdf,
    repair_pdf,
    sniff,
)
from ._pdfwriter import Added, BackupWriter
from .pdf.document import CERTIFIED_NOTE, PURE_XFA_NOTE, SIGNATURE_NOTE, OutlineNode

__all__ = [
    "CERTIFIED_NOTE",
    "HEADER_WINDOW",
    "MAX_PASSWORDS",
    "PURE_XFA_NOTE",
    "SIGNATURE_NOTE",
    "Added",
    "BackupWriter",
    "Limits",
    "NeedsBytes",
    "OutlineNode",
    "ParsedPdf",
    "Sniffed",
    "open_pdf",
    "repair_pdf",
    "shifted",
    "sniff",
]
