"""Progress of a backup that may be written as volumes: each document read once, assembled once.

With ``BackupOptions.max_volume_bytes`` a backup goes through its documents once or twice
(see :mod:`invoicebackup._volumes`): the one-file pass reads and measures every document,
and only at its end is it known whether that file is the backup or is dropped for a
second pass that writes the volumes. A progress bar must neither go backwards nor count a
document twice, so the events of the two passes are divided by stage:

* **read**, from the one-file pass, as it reads each document: ``documents_done`` 1, 2…,
  ``pages_written`` 0 (what is measured is not yet known to be in the backup);
* **assembled**, from the pass that makes the backup: held back while measuring, then sent
  in one go if the one file is the backup (it fits), else dropped, and sent by the volume
  pass as each document is put into its volume: ``documents_done`` counting on across the
  volumes, 1, 2…, ``pages_written`` the pages of the volumes so far (volume 1's cover sheet
  not counted until ``written``, as for one file);
* **written** last, as for one file (:func:`invoicebackup.compile._written`).

``documents_total`` is the one file's N throughout. A volume pass written again (a volume
over the limit, or a name taken while it was written) reports only the documents it has
not reported yet.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from .progress import ProgressEvent, ProgressStage

Notify = Callable[[ProgressEvent], None]


class VolumeProgress:
    """The progress of one compile with a volume size, told to *notify* (see the module)."""

    def __init__(self, notify: Notify, total: int) -> None:
        self._notify = notify
        self._total = total
        self._held: list[ProgressEvent] = []
        #: What the volume pass has reported: documents, pages (both only grow).
        self._done = 0
        self._pages = 0
        #: The documents and pages of the volumes before the one being written, and of it.
        self._before = (0, 0)
        self._current = (0, 0)

    def measuring(self, event: ProgressEvent) -> None:
        """The one-file pass's callback: ``read`` goes on, ``assembled`` is held back."""
        if event.stage is ProgressStage.ASSEMBLED:
            self._held.append(event)
        else:
            self._notify(attrs.evolve(event, pages_written=0))

    def fitted(self) -> None:
        """The one file is the backup: its ``assembled`` events go out, in order."""
        held, self._held = self._held, []
        for event in held:
            self._notify(event)

    def new_set(self) -> None:
        """A set of volumes is written (again): it counts from its first volume."""
        self._held = []
        self._before = self._current = (0, 0)

    def volume(self) -> Notify:
        """The callback for the next volume of the set (its counts start from 0)."""
        self._before = (
            self._before[0] + self._current[0],
            self._before[1] + self._current[1],
        )
        self._current = (0, 0)
        return self._volume_event

    def _volume_event(self, event: ProgressEvent) -> None:
        if event.stage is not ProgressStage.ASSEMBLED:
            return  # each document was reported read by the one-file pass
        self._current = (event.documents_done, event.pages_written)
        done = self._before[0] + event.documents_done
        if done <= self._done:
            return  # reported by an earlier writing of the set
        self._done = done
        self._pages = max(self._pages, self._before[1] + event.pages_written)
        self._notify(
            ProgressEvent(
                stage=ProgressStage.ASSEMBLED,
                documents_done=done,
                documents_total=self._total,
                pages_written=self._pages,
            )
        )
