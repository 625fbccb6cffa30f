"""Where documents live: the :class:`DocumentStore` port and its adapters.

A host keeps its invoices' PDFs wherever it likes (a folder, object storage, a
database). The library reaches them through :class:`DocumentStore`, a small
protocol: read a document by key, as bytes or as a stream; tell whether a key
exists; and create a new document atomically, never over an existing one.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["DocumentStore"]


@runtime_checkable
class DocumentStore(Protocol):
    """The port through which the library reads and writes documents.

    Keys are relative POSIX paths (``docs/i-7.pdf``): no leading ``/``, no ``..``
    segment, no backslash, no empty segment. A store raises
    :class:`~invoicebackup.errors.UnsafeKeyError` for any other key.
    """

    def exists(self, key: str) -> bool:
        """Whether a document is stored under *key*."""
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole document under *key*.

        Raises:
            DocumentNotFoundError: Nothing is stored under *key*.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary stream over the document under *key*; the caller closes it.

        Raises:
            DocumentNotFoundError: Nothing is stored under *key*.
        """
        ...

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Write a new document under *key*, atomically.

        Use it as a context manager and write to the stream it gives. The
        document appears under *key* only when the block exits without an
        exception, all at once; otherwise nothing is left behind.

        Raises:
            DocumentExistsError: A document already exists under *key* (checked
                when the block starts and again, atomically, when it commits).
        """
        ...
