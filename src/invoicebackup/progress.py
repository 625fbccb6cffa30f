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

    Each document is reported ``read`` once and ``assembled`` once, in backup order, each
    stage's ``documents_done`` counting them from 1; ``written`` comes once, last, before
    anything is committed, with ``documents_done`` equal to ``documents_total`` (which also
    counts the documents of invoices skipped whole, never read). ``documents_total`` is the
    same in every event of a compilation. For one file the two stages alternate, document
    by document (below).

    With :attr:`~invoicebackup.options.BackupOptions.max_volume_bytes`, the documents are
    gone through in two passes (see :doc:`/howto/volumes`): the first reads and measures
    them, and only at its end is it known whether its one file is the backup. So the
    first pass reports ``read`` for each document (``pages_written`` 0: nothing is known
    to be in the backup yet), and ``assembled`` comes from the pass that makes the
    backup: the volumes, as each document is put into its volume (counting on across
    them; a set written again reports no document twice), or, when the one file fits,
    that file's own ``assembled`` events, once it is known to fit. All ``read`` events
    then come before any ``assembled``, so a progress bar should count both stages, as
    the command line's does: ``read`` done plus ``assembled`` done out of twice
    ``documents_total``; it then neither goes back nor counts a document twice, and moves
    through both passes. (Following ``documents_done`` whatever the stage is right for
    one file only: with volumes it restarts at 1 when the second pass begins.)

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
