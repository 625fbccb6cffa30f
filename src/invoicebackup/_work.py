"""The work list of one compile: each planned invoice's documents to copy, as slots.

Made by :mod:`invoicebackup._signed_versions` (which version of each invoice goes in),
read by :mod:`invoicebackup._documents` and :mod:`invoicebackup._assembly`.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from . import _pdf
from ._images import may_be_image
from .domain import Document, LienWaiver
from .manifest import EnvelopeRecord, SignatureState
from .plan import DocumentRole, PlannedInvoice


@attrs.frozen(kw_only=True)
class Slot:
    """One document to put into the backup, with how to get its bytes."""

    role: DocumentRole
    key: str
    filename: str
    declared_pdf: bool
    load: Callable[[], bytes]
    signed: bool = False
    document: Document | None = None
    #: Already parsed (a signed document, parsed once to check it is usable).
    parsed: _pdf.ParsedPdf | None = None
    #: The lien waiver whose document this is (role LIEN_WAIVER).
    waiver: LienWaiver | None = None

    @property
    def read(self) -> bool:
        """Whether its bytes are read: declared as a PDF or an image, or of no stated type.

        The bytes then decide what it is. A document declared as anything else (a
        spreadsheet, a Word document) is left out unread.
        """
        return self.declared_pdf or (self.document is not None and may_be_image(self.document))

    @property
    def noun(self) -> str:
        """What a reason calls it: ``the lien waiver`` or ``the attachment``."""
        return "the lien waiver" if self.role is DocumentRole.LIEN_WAIVER else "the attachment"


@attrs.frozen(kw_only=True)
class InvoiceWork:
    planned: PlannedInvoice
    slots: tuple[Slot, ...]
    signature: SignatureState
    note: str | None
    envelope: EnvelopeRecord | None
    skip_reason: str | None = None


def unread(slot: Slot) -> tuple[str, str]:
    """Why a document declared as neither a PDF nor an image is left out unread."""
    return "not_pdf", (
        f"{slot.noun} is not a PDF ({_declared_type(slot)}); "
        "only PDF and image attachments go into a backup"
    )


def _declared_type(slot: Slot) -> str:
    return slot.filename.rsplit(".", 1)[-1].upper() + " file" if "." in slot.filename else "file"
