"""What one volume of a backup written as volumes is, for the assembly that writes it.

Made by :mod:`invoicebackup._volumes` once the set is planned; read by
:mod:`invoicebackup._assembly` (which invoices to write, what the manifest says of the
set) and :mod:`invoicebackup._cover` (the volume of each invoice, on volume 1's cover).
"""

from __future__ import annotations

from collections.abc import Mapping

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
