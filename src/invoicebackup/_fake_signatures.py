"""The in-memory signature service, for tests and the sample project.

Re-exported by :mod:`invoicebackup.testing`, where it is documented; kept here so that
the sample project (which :mod:`invoicebackup.testing` also re-exports) can use it
without an import cycle.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import attrs

from .docusign import EnvelopeInfo
from .domain import EnvelopeStatus
from .errors import EnvelopeNotFoundError

__all__ = ["FakeEnvelope", "InMemorySignatureProvider"]


@attrs.frozen(kw_only=True)
class FakeEnvelope:
    """An envelope held by :class:`InMemorySignatureProvider`.

    Attributes:
        envelope_id: Its id.
        status: Its status.
        completed_at: When it completed, if it did.
        signed_pdf: The signed document's bytes, if any.
        certificate_pdf: The certificate of completion's bytes, if any.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import EnvelopeStatus
        >>> from invoicebackup.testing import FakeEnvelope, InMemorySignatureProvider
        >>> envelope = FakeEnvelope(envelope_id="env-1", status=EnvelopeStatus.COMPLETED,
        ...                         completed_at=datetime(2024, 6, 1, tzinfo=UTC),
        ...                         signed_pdf=b"%PDF-1.7 signed")
        >>> envelope.info.is_complete, envelope.info.completed_at.date().isoformat()
        (True, '2024-06-01')
        >>> InMemorySignatureProvider([envelope]).signed_document("env-1")
        b'%PDF-1.7 signed'

    .. versionadded:: 0.1.0
    """

    envelope_id: str
    status: EnvelopeStatus
    completed_at: datetime | None = None
    signed_pdf: bytes | None = attrs.field(default=None, repr=False)
    certificate_pdf: bytes | None = attrs.field(default=None, repr=False)

    @property
    def info(self) -> EnvelopeInfo:
        """What a provider says of it."""
        return EnvelopeInfo(
            envelope_id=self.envelope_id, status=self.status, completed_at=self.completed_at
        )


class InMemorySignatureProvider:
    """A :class:`~invoicebackup.docusign.SignatureProvider` that keeps envelopes in memory.

    Like DocuSign, it hands out a signed document or a certificate only when it has
    one; unlike DocuSign it never fails unless told to (:meth:`fail_next`). It is
    safe to share between threads.

    Attributes:
        calls: How many times each operation was called, by method name
            (``envelope_status``, ``envelope_statuses``, ``signed_document``,
            ``certificate``), failed calls included.

    Example:
        >>> from invoicebackup import EnvelopeStatus, SignatureProviderError
        >>> from invoicebackup.testing import InMemorySignatureProvider
        >>> provider = InMemorySignatureProvider()
        >>> provider.add_envelope("env-1", status=EnvelopeStatus.DECLINED)
        >>> sorted(provider.envelope_statuses(["env-1", "env-404"]))   # unknown ones are absent
        ['env-1']
        >>> provider.fail_next(SignatureProviderError("the service is down"))
        >>> try:
        ...     provider.envelope_status("env-1")
        ... except SignatureProviderError as error:
        ...     print(error)
        the service is down
        >>> provider.envelope_status("env-1").outcome.value, dict(provider.calls)
        ('unsuccessful', {'envelope_statuses': 1, 'envelope_status': 2})

    .. versionadded:: 0.1.0
    """

    def __init__(self, envelopes: Sequence[FakeEnvelope] = ()) -> None:
        self._lock = threading.Lock()
        self._envelopes: dict[str, FakeEnvelope] = {e.envelope_id: e for e in envelopes}
        self._failures: list[Exception] = []
        self.calls: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"InMemorySignatureProvider(envelopes={sorted(self._envelopes)!r})"

    # -- setting states ---------------------------------------------------------------

    def add_envelope(
        self,
        envelope_id: str,
        *,
        status: EnvelopeStatus = EnvelopeStatus.SENT,
        completed_at: datetime | None = None,
        signed_pdf: bytes | None = None,
        certificate_pdf: bytes | None = None,
    ) -> None:
        """Hold an envelope (replacing any with the same id)."""
        envelope = FakeEnvelope(
            envelope_id=envelope_id,
            status=status,
            completed_at=completed_at,
            signed_pdf=signed_pdf,
            certificate_pdf=certificate_pdf,
        )
        with self._lock:
            self._envelopes[envelope_id] = envelope

    def set_status(self, envelope_id: str, status: EnvelopeStatus) -> None:
        """Move a held envelope to *status*, keeping its documents.

        Raises:
            EnvelopeNotFoundError: No such envelope is held.
        """
        with self._lock:
            envelope = self._get(envelope_id)
            self._envelopes[envelope_id] = attrs.evolve(envelope, status=status)

    def complete(
        self,
        envelope_id: str,
        *,
        signed_pdf: bytes,
        certificate_pdf: bytes | None = None,
        completed_at: datetime | None = None,
    ) -> None:
        """Complete a held envelope with its signed document (and certificate).

        Args:
            envelope_id: The envelope.
            signed_pdf: The signed document.
            certificate_pdf: The certificate of completion, if the test needs one.
            completed_at: When it completed; now when ``None``.

        Raises:
            EnvelopeNotFoundError: No such envelope is held.
        """
        with self._lock:
            envelope = self._get(envelope_id)
            self._envelopes[envelope_id] = attrs.evolve(
                envelope,
                status=EnvelopeStatus.COMPLETED,
                completed_at=completed_at or datetime.now(UTC),
                signed_pdf=signed_pdf,
                certificate_pdf=certificate_pdf
                if certificate_pdf is not None
                else envelope.certificate_pdf,
            )

    def remove(self, envelope_id: str) -> None:
        """Forget an envelope, as if the service had never known it."""
        with self._lock:
            self._envelopes.pop(envelope_id, None)

    def fail_next(self, error: Exception) -> None:
        """Make the next call (of any operation) raise *error*; calls queue up in order."""
        with self._lock:
            self._failures.append(error)

    def envelope(self, envelope_id: str) -> FakeEnvelope:
        """The held envelope.

        Raises:
            EnvelopeNotFoundError: No such envelope is held.
        """
        with self._lock:
            return self._get(envelope_id)

    def reset_calls(self) -> None:
        """Set every call count back to zero."""
        with self._lock:
            self.calls.clear()

    # -- the SignatureProvider protocol ----------------------------------------------

    def envelope_status(self, envelope_id: str) -> EnvelopeInfo:
        """The status of one envelope.

        Raises:
            EnvelopeNotFoundError: No such envelope is held.
        """
        with self._lock:
            self._call("envelope_status")
            return self._get(envelope_id).info

    def envelope_statuses(self, envelope_ids: Sequence[str]) -> Mapping[str, EnvelopeInfo]:
        """The status of every held envelope among *envelope_ids*; others are absent."""
        with self._lock:
            self._call("envelope_statuses")
            return {
                i: self._envelopes[i].info
                for i in dict.fromkeys(envelope_ids)
                if i in self._envelopes
            }

    def signed_document(self, envelope_id: str) -> bytes:
        """The signed document.

        Raises:
            EnvelopeNotFoundError: No such envelope is held, or it has no signed document.
        """
        with self._lock:
            self._call("signed_document")
            document = self._get(envelope_id).signed_pdf
        if document is None:
            raise EnvelopeNotFoundError(envelope_id)
        return document

    def certificate(self, envelope_id: str) -> bytes:
        """The certificate of completion.

        Raises:
            EnvelopeNotFoundError: No such envelope is held, or it has no certificate.
        """
        with self._lock:
            self._call("certificate")
            document = self._get(envelope_id).certificate_pdf
        if document is None:
            raise EnvelopeNotFoundError(envelope_id)
        return document

    # -- internals --------------------------------------------------------------------

    def _call(self, name: str) -> None:
        self.calls[name] += 1
        if self._failures:
            raise self._failures.pop(0)

    def _get(self, envelope_id: str) -> FakeEnvelope:
        try:
            return self._envelopes[envelope_id]
        except KeyError:
            raise EnvelopeNotFoundError(envelope_id) from None
