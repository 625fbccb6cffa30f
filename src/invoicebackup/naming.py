"""Backup file names: the title, the project and the time, safe on every common filesystem.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from .domain import Project
from .errors import InvalidValueError
from .terminology import Vocabulary

__all__ = ["backup_filename", "numbered_filename"]

_UNSAFE: Final = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]+')
_MAX_NAME_BYTES: Final = 240


def _safe(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    # Format characters (category Cf: bidi overrides such as U+202E, zero-width
    # spaces) are invisible yet can make a name read as another (``…fdp.exe``).
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = _UNSAFE.sub("_", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def backup_filename(project: Project, *, now: datetime, language: str | None = None) -> str:
    r"""The file name of a backup of *project* made at *now*, without a ``(2)`` suffix.

    ``{title} - {project name} - {project number} - {YYYY-MM-DD} - {HHMM}.pdf``,
    the date and time in the project's :attr:`~invoicebackup.domain.Project.time_zone`
    (UTC when it has none, and the name says nothing of a zone),
    the title in the project's dictionary and language (or *language*), made safe
    for every common filesystem: no ``<>:"/\|?*``, control or invisible format
    characters (bidi overrides, zero-width spaces), no
    trailing dot or space, at most 240 UTF-8 bytes (the project name is shortened, then
    the project number). The names of a backup written as volumes (``… - Vol 1 of 3.pdf``,
    ``… - Volumes.json``) share this name's stem, shortened by the same rule until the
    longest of them is within the same 240 bytes (see :doc:`/howto/volumes`).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import Project, backup_filename
        >>> project = Project(id="p-1", name='Tower A: "North"', number="HT/01", language="fr-CA")
        >>> now = datetime(2024, 6, 3, 9, 30, tzinfo=timezone.utc)
        >>> print(backup_filename(project, now=now))
        Sauvegarde des factures de sous-traitant - Tower A_ _North_ - HT_01 - 2024-06-03 - 0930.pdf
        >>> print(backup_filename(project, now=now, language="en-US"))
        Subcontractor invoice backup - Tower A_ _North_ - HT_01 - 2024-06-03 - 0930.pdf
        >>> toronto = Project(id="p-2", name="Depot", time_zone="America/Toronto")
        >>> print(backup_filename(toronto, now=now))
        Subcontractor invoice backup - Depot - 2024-06-03 - 0530.pdf

    .. versionadded:: 0.1.0
    """
    return _fitted_stem(project, now=now, language=language, endings=(".pdf",)) + ".pdf"


def _fitted_stem(
    project: Project, *, now: datetime, language: str | None, endings: Sequence[str]
) -> str:
    """:func:`backup_filename` without its ending, shortened so that it fits with any of *endings*.

    The one rule for every name a backup is written under: the one file's (ending
    ``.pdf``), and a set of volumes' (endings `` - Vol 3 of 3.pdf`` … `` - Volumes.json``,
    one stem for all of them, so that they sort and group together). The longest ending
    decides; shortening only what it must keeps the stem of a short project's name whole.
    """
    vocabulary = Vocabulary(dictionary=project.dictionary, language=language or project.language)
    title = _safe(vocabulary.term("backup_title"))
    if now.utcoffset() is None:
        raise InvalidValueError("now", now, reason="has no time zone; give an aware datetime")
    local = now.astimezone(project.zone)
    stamp = f"{local:%Y-%m-%d} - {local:%H%M}"
    number = _safe(project.number)
    name = _safe(project.name) or _safe(project.id) or "project"
    room = _MAX_NAME_BYTES - max((len(ending.encode()) for ending in endings), default=0)

    def render() -> str:
        return " - ".join([title, name] + ([number] if number else []) + [stamp])

    # The project name is shortened first, then its number (the title is ours: short).
    while len(render().encode()) > room and len(name) > 1:
        name = name[:-1].rstrip(" .") or name[:1]
    while len(render().encode()) > room and len(number) > 1:
        number = number[:-1].rstrip(" .") or number[:1]
    return render()


def numbered_filename(filename: str, attempt: int) -> str:
    """*filename* for the *attempt*-th try at a free name: `` (2)``, `` (3)``… before ``.pdf``.

    Example:
        >>> from invoicebackup.naming import numbered_filename
        >>> numbered_filename("Backup.pdf", 1), numbered_filename("Backup.zip", 2)
        ('Backup.pdf', 'Backup (2).zip')

    .. versionadded:: 0.1.0
    """
    stem, dot, extension = filename.rpartition(".")
    if attempt == 1:
        return filename
    return f"{stem} ({attempt}).{extension}" if dot else f"{filename} ({attempt})"
