"""The helper thread's digests: right, in order, whoever hashes each piece.

:class:`invoicebackup._hashing.Hashing` hashes documents first and the backup's chunks
after them, and the calling thread hashes what it would otherwise wait for. However
the work is split, a running digest must be the SHA-256 of its chunks in the order
they were given, and every document's digest its own.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicebackup._hashing import Hashing, HashingStopped

#: A step: a chunk of the backup, or a document to digest (and when to ask for it).
steps = st.lists(
    st.tuples(st.sampled_from(["chunk", "document"]), st.binary(max_size=5000)),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(steps=steps, max_in_flight=st.sampled_from([0, 1, 3000, 1 << 20]))
def test_digests_are_right_however_the_work_is_split(
    steps: list[tuple[str, bytes]], max_in_flight: int
) -> None:
    """A small bound makes the caller hash most chunks itself; a large one, the helper."""
    chunks: list[bytes] = []
    with Hashing(max_in_flight=max_in_flight) as hashing:
        stream = hashing.stream()
        documents = []
        for index, (kind, data) in enumerate(steps):
            if kind == "chunk":
                stream.update(data)
                chunks.append(data)
            else:
                documents.append((hashing.digest(data), data))
            if index % 3 == 0 and documents:
                future, expected = documents.pop(0)
                assert hashing.result(future) == hashlib.sha256(expected).hexdigest()
        for future, expected in documents:
            assert hashing.result(future) == hashlib.sha256(expected).hexdigest()
        assert stream.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_memoryviews_of_large_documents_are_hashed_like_their_bytes() -> None:
    data = bytes(range(256)) * 40_000  # 10 MB: more than the bound in flight
    with Hashing(max_in_flight=1 << 20) as hashing:
        stream = hashing.stream()
        view = memoryview(data)
        for start in range(0, len(data), 3_000_000):
            stream.update(view[start : start + 3_000_000])
        document = hashing.digest(view[5:])
        assert stream.hexdigest() == hashlib.sha256(data).hexdigest()
        assert hashing.result(document) == hashlib.sha256(data[5:]).hexdigest()


def test_nothing_is_queued_once_the_block_ends() -> None:
    with Hashing() as hashing:
        stream = hashing.stream()
    with pytest.raises(HashingStopped):
        hashing.digest(b"late")
    with pytest.raises(HashingStopped):
        stream.update(b"late")


@pytest.mark.timeout(30)
def test_a_failure_on_the_helper_reaches_the_waiters_instead_of_hanging() -> None:
    """A chunk that cannot be hashed (not contiguous) stops the helper loudly."""
    with Hashing(max_in_flight=1 << 30) as hashing:
        stream = hashing.stream()
        stream.update(memoryview(b"abcdef")[::2])
        deadline = time.monotonic() + 10
        while hashing._failure is None and time.monotonic() < deadline:
            time.sleep(0.01)  # let the helper take the chunk (else the caller would)
        with pytest.raises(HashingStopped) as stopped:
            stream.hexdigest()
        assert isinstance(stopped.value.__cause__, BufferError)
        with pytest.raises(HashingStopped):
            hashing.digest(b"after")


@pytest.mark.timeout(30)
def test_a_chunk_that_cannot_be_hashed_never_gives_a_digest() -> None:
    """Hashed by the caller (no room in flight) or by the helper: the digest is refused."""
    with Hashing(max_in_flight=0) as hashing:
        stream = hashing.stream()
        with pytest.raises((BufferError, HashingStopped)):
            stream.update(memoryview(b"abcdef")[::2])
        with pytest.raises(HashingStopped):
            stream.hexdigest()
