"""SHA-256 on a helper thread, so hashing overlaps parsing and writing.

A compile hashes every document it reads (to find byte-identical ones) and every byte
it writes (the result's ``sha256``): about as much work as writing the backup.
:mod:`hashlib` releases the interpreter lock while it hashes, so one helper thread
does it beside the thread that parses and copies. The thread only ever touches
bytes — never a store, a callback or a PDF engine.

One thread, not one per kind of work: on a machine with two cores, a second hashing
thread competes with the thread that parses (measured: about 0.035 s more of a
0.8 s compile spent waiting). Documents go first: the compile waits for a document's
digest before it can parse it, but for the backup's only at the end, so the thread
hashes every document queued before the next chunk of the backup (first in, first out
within each kind). At most :data:`MAX_IN_FLIGHT` bytes of a backup wait to be hashed.

The thread needs the interpreter lock between two pieces of work, and the parsing thread
hands it over only every few milliseconds: so rather than wait, the compile hashes
what it waits for itself when the helper has not started it (a document's digest, the
backup's oldest chunk). Each running digest is only ever updated by one thread at a
time, in order.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from concurrent.futures import Future
from typing import Final, TypeVar

#: Bytes of the backup queued for hashing before the writer waits (bounds memory, not speed).
MAX_IN_FLIGHT: Final = 8 * 1024 * 1024

_Chunk = bytes | bytearray | memoryview


_Owner = TypeVar("_Owner")


def _take(queue: deque[tuple[_Owner, _Chunk]], owner: _Owner) -> _Chunk | None:
    """Remove the first item of *queue* that *owner* queued; its data, or ``None``."""
    for index, (queued_by, data) in enumerate(queue):
        if queued_by is owner:
            del queue[index]
            return data
    return None


def _hash_into(future: Future[str], data: _Chunk) -> None:
    """Compute *data*'s digest as *future*'s result (unless it was cancelled)."""
    if not future.set_running_or_notify_cancel():
        return
    try:
        digest = hashlib.sha256(data).hexdigest()
    except BaseException as error:  # the waiter must not wait for ever
        future.set_exception(error)
        raise
    future.set_result(digest)


class HashingStopped(RuntimeError):
    """The helper thread stopped (the block ended, or hashing itself failed)."""


class Hashing:
    """A helper thread that computes SHA-256 digests, of documents and running ones.

    Use as a context manager; the thread stops when the block ends (digests not yet
    computed are cancelled).
    """

    def __init__(self, *, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self._max = max_in_flight
        self._changed = threading.Condition()
        self._documents: deque[tuple[Future[str], _Chunk]] = deque()
        self._chunks: deque[tuple[StreamDigest, _Chunk]] = deque()
        self._stopped = False
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="invoicebackup-sha256", daemon=True)
        self._thread.start()

    def __enter__(self) -> Hashing:
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._changed:
            self._stopped = True
            self._cancel_documents()
            self._chunks.clear()
            self._changed.notify_all()
        self._thread.join()

    def digest(self, data: _Chunk) -> Future[str]:
        """The hexadecimal SHA-256 of *data* (which must not change), computed on the helper.

        Not bounded here: the caller waits for each result (and bounds what it reads ahead).
        """
        future: Future[str] = Future()
        with self._changed:
            self._check()
            self._documents.append((future, data))
            self._changed.notify_all()
        return future

    def result(self, future: Future[str]) -> str:
        """The digest *future* stands for: hashed here if the helper has not started it."""
        with self._changed:
            data = _take(self._documents, future)
        if data is not None:
            _hash_into(future, data)
        return future.result()

    def stream(self) -> StreamDigest:
        """A running digest whose updates are hashed on the helper thread, in order."""
        return StreamDigest(self)

    def _check(self) -> None:
        """Raise when no more work can be done (call with the lock held)."""
        if self._failure is not None:
            raise HashingStopped("the hashing thread failed") from self._failure
        if self._stopped:
            raise HashingStopped("hashing has stopped")

    def _cancel_documents(self) -> None:
        """Cancel the digests no thread has started (call with the lock held)."""
        for future, _data in self._documents:
            future.cancel()
        self._documents.clear()

    def _work(self) -> None:
        try:
            while self._work_once():
                pass
        except BaseException as error:  # waiters must learn of any failure
            with self._changed:
                self._failure = error
                self._cancel_documents()
                self._changed.notify_all()

    def _work_once(self) -> bool:
        """Hash the next document, else the next chunk of a backup; False once stopped."""
        future: Future[str] | None = None
        stream: StreamDigest | None = None
        with self._changed:
            while True:
                if self._documents:
                    future, data = self._documents.popleft()
                    break
                if self._chunks and not self._chunks[0][0]._busy:
                    stream, data = self._chunks.popleft()
                    stream._busy = True
                    break
                if self._stopped:
                    return False
                self._changed.wait()
        if stream is not None:
            stream._hashed(data)
        elif future is not None:
            _hash_into(future, data)
        return True


class StreamDigest:
    """The SHA-256 of everything passed to :meth:`update`, hashed in the background.

    At most the hashing's ``max_in_flight`` bytes wait to be hashed: beyond,
    :meth:`update` hashes the oldest chunk itself (or waits for the helper's).
    """

    def __init__(self, hashing: Hashing) -> None:
        self._hashing = hashing
        self._digest = hashlib.sha256()
        self._in_flight = 0
        #: Whether a thread is updating the digest now (then no other may start).
        self._busy = False
        #: Why a chunk could not be hashed (the digest is then wrong).
        self._error: BaseException | None = None

    def update(self, chunk: _Chunk) -> None:
        """Queue *chunk* (which must not change afterwards)."""
        hashing = self._hashing
        size = len(chunk)
        with hashing._changed:
            hashing._check()
            hashing._chunks.append((self, chunk))
            self._in_flight += size
            hashing._changed.notify_all()
        self._catch_up(hashing._max)

    def hexdigest(self) -> str:
        """Hash every queued chunk (here or on the helper); the hexadecimal digest."""
        self._catch_up(0)
        return self._digest.hexdigest()

    def _catch_up(self, in_flight: int) -> None:
        """Hash the oldest chunks here (or wait for the helper) until at most *in_flight* wait."""
        hashing = self._hashing
        while True:
            with hashing._changed:
                if self._error is not None:
                    raise HashingStopped(
                        "a chunk of the stream could not be hashed"
                    ) from self._error
                if self._in_flight <= in_flight:
                    return
                hashing._check()
                chunk = None if self._busy else _take(hashing._chunks, self)
                if chunk is None:  # the helper is hashing this digest's chunk: wait for it
                    hashing._changed.wait()
                    continue
                self._busy = True
            self._hashed(chunk)

    def _hashed(self, chunk: _Chunk) -> None:
        """Update the digest with *chunk*, taken from the queue by the calling thread."""
        hashing = self._hashing
        try:
            self._digest.update(chunk)
        except BaseException as error:  # the digest is wrong from now on: say so
            self._error = error
            raise
        finally:
            with hashing._changed:
                self._busy = False
                self._in_flight -= len(chunk)
                hashing._changed.notify_all()
