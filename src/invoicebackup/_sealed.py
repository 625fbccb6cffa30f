"""Sealed originals: each DocuSign-signed document embedded as the bytes it was.

A signed PDF's digital signature covers its own bytes; merged into the backup its pages
are rewritten and the signature cannot survive (see the guarantees page). With
:attr:`~invoicebackup.options.BackupOptions.embed_signed_originals`, the signed invoice
and its certificate of completion are also embedded unmodified, each shown by a file
attachment annotation on the first page of the invoice's first sealed document, so
anyone can extract it and validate its signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from . import _pdf
from ._work import InvoiceWork, Slot
from .plan import DocumentRole

#: The documents that come signed from a completed envelope.
SEALED_ROLES: Final = frozenset({DocumentRole.SIGNED_INVOICE, DocumentRole.CERTIFICATE})


class Sealer:
    """Reserves one annotation per sealed document of an invoice, then embeds each."""

    def __init__(self, writer: _pdf.BackupWriter, *, enabled: bool) -> None:
        self._writer = writer
        self._enabled = enabled
        self._pending: list[Slot] = []
        self._reserved: dict[int, tuple[int, int]] = {}

    def start(self, item: InvoiceWork) -> None:
        """The next invoice: its sealed documents, in order."""
        self._reserved = {}
        # A certificate slot exists only beside a signed invoice (include_certificate).
        self._pending = [s for s in item.slots if s.role in SEALED_ROLES] if self._enabled else []

    def annotations(self, slot: Slot) -> Sequence[int]:
        """The annotations *slot*'s first page lists (its invoice's first sealed document's).

        Every sealed document of the invoice from *slot* on gets one; none for any other.
        """
        ids = [id(each) for each in self._pending]
        if self._reserved or id(slot) not in ids:
            return ()
        rest = self._pending[ids.index(id(slot)) :]
        numbers = self._writer.reserve(len(rest))
        self._reserved = {
            id(each): (number, position)
            for position, (each, number) in enumerate(zip(rest, numbers, strict=True))
        }
        return numbers

    def embed(self, slot: Slot, data: bytes | None, *, invoice_number: str) -> str | None:
        """Embed *slot*'s original bytes; the embedded file's name, or ``None`` if not sealed.

        *data* is the bytes read for it, or ``None`` when they were not kept (a document
        found parsed already): they are read again.
        """
        reserved = self._reserved.get(id(slot))
        if reserved is None:
            return None
        if data is None:
            data = slot.load()
        number, position = reserved
        name = f"{invoice_number} - {slot.filename}"
        self._writer.embed_file(
            number,
            name=name,
            data=data,
            description=f"{slot.filename}: the signed original, unmodified ({slot.key})",
            position=position,
        )
        return name
