"""DocuSign: account links ("synced" accounts), envelopes and signature providers.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from .domain import EnvelopeStatus

__all__ = ["EnvelopeInfo", "SignatureProvider"]


@attrs.frozen(kw_only=True)
class EnvelopeInfo:
    """What a signature provider says of an envelope.

    Attributes:
        envelope_id: DocuSign's envelope id.
        status: Its status now.
        completed_at: When its workflow completed, if it did.
    """

    envelope_id: str
    status: EnvelopeStatus
    completed_at: datetime | None = None

    @property
    def is_complete(self) -> bool:
        """Whether the signing workflow is complete (only ``completed`` counts)."""
        return self.status is EnvelopeStatus.COMPLETED


@runtime_checkable
class SignatureProvider(Protocol):
    """The port to a signature service such as DocuSign.

    Implementations: :class:`~invoicebackup.docusign_rest.DocuSignProvider` (the real
    eSignature REST API) and :class:`~invoicebackup.testing.InMemorySignatureProvider`.
    """

    def envelope_status(self, envelope_id: str) -> EnvelopeInfo:
        """The status of one envelope.

        Raises:
            EnvelopeNotFoundError: The service does not know the envelope.
            SignatureProviderError: The service failed.
        """
        ...

    def envelope_statuses(self, envelope_ids: Sequence[str]) -> Mapping[str, EnvelopeInfo]:
        """The status of many envelopes at once, keyed by envelope id.

        An envelope the service does not know is absent from the mapping.
        """
        ...

    def signed_document(self, envelope_id: str) -> bytes:
        """The signed document of a completed envelope, as one PDF."""
        ...

    def certificate(self, envelope_id: str) -> bytes:
        """The certificate of completion of a completed envelope, as a PDF."""
        ...
