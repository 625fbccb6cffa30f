"""What a compile makes of one document on its own: the one judgement of a single document.

:func:`~invoicebackup.compile.check_document` (bytes in hand) and
:func:`~invoicebackup.preview.document_fate` (a stored document) both ask :func:`judge`, which
reads the document through :class:`~invoicebackup._documents.Documents` — the reading,
hashing, image-or-PDF choice and opening every compile and preview use — and, when asked,
copies it as a PDF backup copies it. Neither keeps a rule of its own about what goes in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import IO, Final, cast

from . import _hashing, _pdf
from ._documents import Documents, Loaded, limits_of
from ._work import Slot
from .errors import BadDocumentError
from .options import BackupOptions

#: The creation time of the scratch writer's output, which nobody sees.
_UNSEEN_TIME: Final = datetime(2000, 1, 1, tzinfo=UTC)


class _Discarded:
    """An output that drops what is written: a copy made only to see whether it succeeds."""

    def write(self, data: bytes | bytearray | memoryview) -> int:
        return len(data)


def judge(slot: Slot, options: BackupOptions, *, copy: bool) -> Loaded:
    """What a compile under *options* makes of *slot*'s document, read on its own.

    The document is read and opened as a compile reads and opens it (an image, a PDF, or
    neither; declared as something else, left out unread). With *copy*, a document that
    opens is also copied, as a PDF backup copies it (rewritten by the repair engine when
    ``options.repair`` is on and the copy fails), into an output that is thrown away: a
    document can open and still fail to copy (an image page that cannot be decoded, a
    broken object), and a PDF backup then leaves it out. A ZIP backup holds each
    document's bytes as they are, so it never copies.

    Returns:
        Its verdict, holding neither a parsed document nor bytes: ``error`` (it cannot go
        in; ``options.on_bad_document`` says what then), ``skipped`` (left out whatever
        the policy: not read, an image under ``images="skip"`` or needing Pillow, or
        neither image nor PDF), or neither (it goes in as it is).
    """
    limits = limits_of(options)
    with _hashing.Hashing() as hashing:
        documents = Documents(limits=limits, options=options, hashing=hashing)
        try:
            loaded = documents.read(slot)
            error = loaded.error
            if loaded.parsed is not None and copy:
                writer = _pdf.BackupWriter(
                    cast("IO[bytes]", _Discarded()),
                    title="",
                    subject="",
                    created=_UNSEEN_TIME,
                    limits=limits,
                )
                try:
                    documents.add(writer, slot, loaded, field_prefix="checked")
                except BadDocumentError as copy_error:
                    error = copy_error
                finally:
                    writer.close()
            elif loaded.parsed is not None:
                loaded.parsed.release()
            return Loaded(data_sha=loaded.data_sha, error=error, skipped=loaded.skipped)
        finally:
            if slot.parsed is not None:
                slot.parsed.release()
            documents.release_all()
