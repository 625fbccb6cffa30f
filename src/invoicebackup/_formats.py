"""A backup in the format its options ask for: one PDF, or a ZIP of the documents.

The one file and each volume of a backup are written through :func:`assemble_as`, so
that the choice between the two writers is made in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from . import _pdf
from ._assembly import Sink, assemble
from ._documents import Documents
from ._volumepart import Measuring, VolumePart
from ._work import InvoiceWork
from ._zip import assemble_zip
from .domain import Project
from .manifest import BackupManifest
from .options import BackupOptions
from .plan import BackupPlan
from .progress import ProgressEvent
from .terminology import Vocabulary


def assemble_as(
    project: Project,
    plan: BackupPlan,
    work: Sequence[InvoiceWork],
    documents: Documents,
    sink: Sink,
    *,
    user_id: str,
    vocabulary: Vocabulary,
    options: BackupOptions,
    limits: _pdf.Limits,
    notify: Callable[[ProgressEvent], None],
    now: datetime,
    volume: VolumePart | None = None,
    measure: Measuring | None = None,
) -> BackupManifest:
    """Write the backup (or *volume*) into *sink* as ``options.format`` says.

    The arguments are :func:`invoicebackup._assembly.assemble`'s; a ZIP has no use for
    *limits* (its documents are read under them, by *documents*).
    """
    if options.format == "zip":
        return assemble_zip(
            project,
            plan,
            work,
            documents,
            sink,
            user_id=user_id,
            vocabulary=vocabulary,
            options=options,
            notify=notify,
            now=now,
            volume=volume,
            measure=measure,
        )
    return assemble(
        project,
        plan,
        work,
        documents,
        sink,
        user_id=user_id,
        vocabulary=vocabulary,
        options=options,
        limits=limits,
        notify=notify,
        now=now,
        volume=volume,
        measure=measure,
    )
