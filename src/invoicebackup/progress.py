"""Progress reports for a progress bar: what :func:`~invoicebackup.compile.compile_backup` sends.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["ProgressEvent", "ProgressStage"]


class ProgressStage(enum.Enum):
    """Where a compilation is.

    Example:
        >>> from invoicebackup import ProgressStage
        >>> [stage.value for stage in ProgressStage]
        ['read', 'assembled', 'written']

    .. versionadded:: 0.1.0
    """

    READ = "read"
    ASSEMBLED = "assembled"
    WRITTEN = "written"


@attrs.frozen(kw_only=True)
class ProgressEvent:
    """A progress report for a progress bar.

    Attributes:
        stage: ``read`` (a document was read and parsed), ``assembled`` (a
            document's pages were put into the backup) or ``written`` (done).
        documents_done: Documents through the current stage so far.
        documents_total: Documents the backup has to go through.
        pages_written: Pages in the backup so far (the cover sheet, written last,
            counts from the ``written`` event on).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> events = []
        >>> _ = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                    store=InMemoryStore(sample_documents()), progress=events.append,
        ...                    now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> for event in events:
        ...     print(event.stage.value, event.documents_done, event.documents_total,
        ...           event.pages_written)
        read 1 3 0
        assembled 1 3 2
        read 2 3 2
        assembled 2 3 3
        read 3 3 3
        assembled 3 3 4
        written 3 3 5

    .. versionadded:: 0.1.0
    """

    stage: ProgressStage
    documents_done: int
    documents_total: int
    pages_written: int
