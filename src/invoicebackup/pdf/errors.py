"""The one error of the PDF layer: what could not be read, why, and where.

A :class:`PdfError` carries a stable *code* — the same codes as
:class:`~invoicebackup.errors.BadDocumentError` — so that a caller can decide what to do
(``encrypted``: normalise through the pypdf adapter and read again; ``damaged``: repair or
report; ``too_large``: report) and turn it into a document error naming the file with
:meth:`PdfError.bad_document`.
"""

from __future__ import annotations

from typing import Final

from ..errors import BadDocumentError, InvoiceBackupError

#: The file is encrypted: it must be decrypted (normalised) before it can be read.
ENCRYPTED: Final = "encrypted"
#: The file breaks the syntax or structure in a way this reader will not guess about.
DAMAGED: Final = "damaged"
#: The file passes one of the reader's limits.
TOO_LARGE: Final = "too_large"
#: The file uses an encryption the engines cannot open.
UNSUPPORTED_ENCRYPTION: Final = "unsupported_encryption"


class PdfError(InvoiceBackupError, ValueError):
    """A PDF file could not be read with certainty.

    Attributes:
        code: ``encrypted``, ``damaged``, ``too_large`` or ``unsupported_encryption``.
        reason: What is wrong, in words.
        offset: Where in the file (or in a decoded object stream) it was found, if known.
    """

    def __init__(self, code: str, reason: str, *, offset: int | None = None) -> None:
        self.code = code
        self.reason = reason
        self.offset = offset
        where = f" (at byte {offset})" if offset is not None else ""
        super().__init__(f"{code}: {reason}{where}")

    def bad_document(self, *, key: str, filename: str) -> BadDocumentError:
        """The document error a caller raises for the file *filename* stored under *key*."""
        return BadDocumentError(key=key, filename=filename, code=self.code, reason=self.reason)
