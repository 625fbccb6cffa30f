"""A backup in the format its options ask for: one PDF, or a ZIP of the documents.

The one file and each volume of a backup are written through :func:`assemble_as`, so
that the choice between the two writers is made in one place.
"""

from __future__ import annotations

from collections.abc import Callable

from ._assembly import Sink, assemble
from ._documents import Documents
from ._job import CompileJob
from ._volumepart import Measuring, VolumePart
from ._zip import assemble_zip
from .manifest import BackupManifest
from .progress import ProgressEvent


def assemble_as(
    job: CompileJob,
    documents: Documents,
    sink: Sink,
    *,
    notify: Callable[[ProgressEvent], None],
    volume: VolumePart | None = None,
    measure: Measuring | None = None,
) -> BackupManifest:
    """Write *job*'s backup (or its *volume*) into *sink* as ``job.options.format`` says.

    The arguments are :func:`invoicebackup._assembly.assemble`'s.
    """
    write = assemble_zip if job.options.format == "zip" else assemble
    return write(job, documents, sink, notify=notify, volume=volume, measure=measure)
