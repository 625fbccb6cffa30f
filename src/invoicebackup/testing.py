"""Fakes and contracts for your tests: stand-ins for the services the library talks to.

:class:`DocumentStoreContract` holds the rules every
:class:`~invoicebackup.storage.DocumentStore` keeps, as tests you point at your own store
(subclass it as ``Test…`` and define ``make_store``; :func:`check_document_store` runs
them without pytest).

:class:`InMemorySignatureProvider` implements
:class:`~invoicebackup.docusign.SignatureProvider` without a network: you put
envelopes in it, move them between states, and read how often each operation was
called (to prove, for instance, that a cache spared a download):

>>> from invoicebackup.domain import EnvelopeStatus
>>> from invoicebackup.testing import InMemorySignatureProvider
>>> provider = InMemorySignatureProvider()
>>> provider.add_envelope("env-1", status=EnvelopeStatus.SENT)
>>> provider.envelope_status("env-1").status
<EnvelopeStatus.SENT: 'sent'>
>>> provider.complete("env-1", signed_pdf=b"%PDF-1.7 ... %%EOF")
>>> provider.envelope_status("env-1").is_complete
True
>>> provider.calls["envelope_status"]
2

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from ._fake_signatures import FakeEnvelope, InMemorySignatureProvider
from ._sample_project import SAMPLE_ADMIN, sample_documents, sample_project, write_sample_project
from ._samples import (
    LETTER,
    active_content_pdf,
    lien_waiver_pdf,
    linked_pdf,
    scanned_pdf,
    text_pdf,
)
from ._store_contract import HOSTILE_KEYS, DocumentStoreContract, check_document_store

__all__ = [
    "HOSTILE_KEYS",
    "LETTER",
    "SAMPLE_ADMIN",
    "DocumentStoreContract",
    "FakeEnvelope",
    "InMemorySignatureProvider",
    "active_content_pdf",
    "check_document_store",
    "lien_waiver_pdf",
    "linked_pdf",
    "sample_documents",
    "sample_project",
    "scanned_pdf",
    "text_pdf",
    "write_sample_project",
]
