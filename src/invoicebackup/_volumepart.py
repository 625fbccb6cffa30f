"""What one volume of a backup written as volumes is, for the assembly that writes it.

Made by :mod:`invoicebackup._volumes` once the set is planned; read by
:mod:`invoicebackup._assembly` (which invoices to write, what the manifest says of the
set) and :mod:`invoicebackup._cover` (the volume of each invoice, on volume 1's cover).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import attrs

from .manifest import InvoiceRecord, VolumeRecord


@attrs.frozen(kw_only=True)
class VolumePart:
    """Volume *number* of the set *volumes*, holding *invoice_ids*."""

    number: int
    invoice_ids: frozenset[str]
    #: Every volume of the set as its manifest lists it (no file hashes: see VolumeRecord).
    volumes: tuple[VolumeRecord, ...]
    #: The volume of each invoice written (for the cover sheet of volume 1).
    volume_of: Mapping[str, int]
    #: The records of the invoices of the other volumes, as measured (their waivers are
    #: counted on volume 1's cover sheet; their pages are not theirs in any volume).
    others: tuple[InvoiceRecord, ...] = ()
    #: An invoice split between volumes (it alone is over the limit): the indexes of its
    #: documents in this volume. An invoice not listed is here whole.
    slots: Mapping[str, frozenset[int]] = attrs.field(factory=dict)

    def holds(self, invoice_id: str, index: int) -> bool:
        """Whether the *index*-th document of invoice *invoice_id* is in this volume."""
        only = self.slots.get(invoice_id)
        return invoice_id in self.invoice_ids and (only is None or index in only)


class Measuring(Protocol):
    """What the assembly tells of each document and invoice it writes (to size volumes).

    *position* is the bytes written so far; *ending*, what the file's end will add for
    them (cross-reference or central directory entries).
    """

    def document(
        self, invoice_id: str, index: int, *, position: int, ending: int, pages: range
    ) -> None:
        """The *index*-th document of *invoice_id* is written, as *pages* (1-based)."""

    def invoice(self, record: InvoiceRecord) -> None:
        """The invoice of *record* is written."""

    def cover(self, size: int) -> None:
        """The cover sheet is written: *size* bytes (its pages, and what they reach)."""
