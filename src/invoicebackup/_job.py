"""What one compile writes a backup from: the record every writer of its files is handed.

:func:`~invoicebackup.compile.compile_backup` makes one :class:`CompileJob`; the one
file (:func:`~invoicebackup._formats.assemble_as`, then
:func:`~invoicebackup._assembly.assemble` or :func:`~invoicebackup._zip.assemble_zip`)
and every volume of a backup written as volumes (:mod:`invoicebackup._volumes`) are
written from it. What differs between those writes (the output, the documents' reader,
the volume, progress) is passed beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from . import _hashing, _pdf
from ._work import InvoiceWork
from .domain import Project
from .options import BackupOptions
from .plan import BackupPlan
from .terminology import Vocabulary


@attrs.frozen(kw_only=True)
class CompileJob:
    """The inputs of one compile, as every file of its backup is written from them.

    Attributes:
        project: The project backed up.
        plan: What the backup holds, in order (:func:`~invoicebackup.plan.plan_backup`).
        work: Each invoice's documents, in the plan's order.
        user_id: Who compiles it (recorded in the manifest).
        vocabulary: The project's words, in the backup's language.
        options: The compile's options.
        limits: What one source document may hold.
        now: The compile's instant (names, dates, the manifest).
        hashing: The compile's hashing thread.
    """

    project: Project
    plan: BackupPlan
    work: Sequence[InvoiceWork]
    user_id: str
    vocabulary: Vocabulary
    options: BackupOptions
    limits: _pdf.Limits
    now: datetime
    hashing: _hashing.Hashing
