"""The codes a backup's result gives for what it left out, one list for the whole library.

:class:`~invoicebackup.manifest.LeftOut` accepts no other code, so a new reason to leave a
document out is added here first; each code has a label, ``bad_document.<code>``, in every
message catalogue (``tests/test_catalogues.py`` checks), which the placeholder page and
the command line show before the reason.
"""

from __future__ import annotations

from typing import Final

#: Every code of :attr:`~invoicebackup.manifest.LeftOut.code`: a document that could not be
#: read as a PDF (the :class:`~invoicebackup.errors.BadDocumentError` codes), an image left
#: out by choice or for want of Pillow, and an invoice skipped because it is unsigned.
LEFT_OUT_CODES: Final = frozenset(
    {
        "missing",
        "empty",
        "not_pdf",
        "damaged",
        "encrypted",
        "unsupported_encryption",
        "too_large",
        "image_skipped",
        "needs_images_extra",
        "unsigned",
    }
)
