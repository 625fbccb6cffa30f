"""SHA-256 on a helper thread, so hashing overlaps parsing and writing.

A compile hashes every document it reads (to find byte-identical ones) and every byte
it writes (the result's ``sha256``): about as much work as writing the backup.
:mod:`hashlib` releases the interpreter lock while it hashes, so one helper thread
does it beside the thread that parses and copies. The thread only ever touches
bytes — never a store, a callback or a PDF engine — and does its work in the order it
was given.

One thread, not one per kind of work: on a machine with two cores, a second hashing
thread competes with the thread that parses (measured: about 0.035 s more of a
0.8 s compile spent waiting). A document's digest waits behind at most
:data:`MAX_IN_FLIGHT` bytes of the backup's.
"""

from __future__ import annotations

import hashlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

#: Bytes of the backup queued for hashing before the writer waits (bounds memory, not speed).
MAX_IN_FLIGHT: Final = 8 * 1024 * 1024


class Hashing:
    """A helper thread that computes SHA-256 digests, of documents and running ones.

    Use as a context manager; the thread stops when the block ends.
    """

    def __init__(self, *, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoicebackup-sha256")
        self._max = max_in_flight

    def __enter__(self) -> Hashing:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def digest(self, data: bytes) -> Future[str]:
        """The hexadecimal SHA-256 of *data*, computed on the helper thread.

        Not bounded here: the caller waits for each result (and bounds what it reads ahead).
        """
        return self._pool.submit(lambda: hashlib.sha256(data).hexdigest())

    def stream(self) -> StreamDigest:
        """A running digest whose updates are hashed on the helper thread, in order."""
        return StreamDigest(self._pool, max_in_flight=self._max)


class StreamDigest:
    """The SHA-256 of everything passed to :meth:`update`, hashed in the background.

    At most *max_in_flight* bytes wait to be hashed: beyond, :meth:`update` waits.
    """

    def __init__(self, pool: ThreadPoolExecutor, *, max_in_flight: int) -> None:
        self._pool = pool
        self._digest = hashlib.sha256()
        self._pending: deque[tuple[Future[Any], int]] = deque()
        self._in_flight = 0
        self._max = max_in_flight

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        """Queue *chunk* (which must not change afterwards)."""
        self._pending.append((self._pool.submit(self._digest.update, chunk), len(chunk)))
        self._in_flight += len(chunk)
        while self._pending and (self._pending[0][0].done() or self._in_flight > self._max):
            done, size = self._pending.popleft()
            done.result()
            self._in_flight -= size

    def hexdigest(self) -> str:
        """Wait for every queued chunk; the hexadecimal digest."""
        while self._pending:
            self._pending.popleft()[0].result()
        self._in_flight = 0
        return self._digest.hexdigest()
