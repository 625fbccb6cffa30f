"""The :class:`~invoicebackup.storage.DocumentStore` contract, as tests anyone can run.

Adapter authors point it at their own store (see :class:`DocumentStoreContract`); the
library runs it over its own stores. It uses nothing but the protocol and plain
``assert``, so it needs no test framework: pytest collects a ``Test*`` subclass's
methods, and :func:`check_document_store` runs them all from anywhere else.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from .errors import DocumentExistsError, DocumentNotFoundError, UnsafeKeyError
from .storage import MAX_KEY_BYTES, MAX_SEGMENT_BYTES, DocumentStore

__all__ = ["HOSTILE_KEYS", "DocumentStoreContract", "check_document_store"]

#: Keys every store must refuse with :class:`~invoicebackup.errors.UnsafeKeyError`, each
#: breaking one rule of :func:`~invoicebackup.storage.validate_key`.
HOSTILE_KEYS: tuple[str, ...] = (
    "../x",
    "/etc/passwd",
    "a/../../x",
    "a\\b",
    "C:\\x",
    "",
    "a//b",
    "./a",
    "a\x00b",
    "..",
    ".",
    "a/",
    "a/..",
    "//server/share/x",
    "C:/x",
    "a\nb",
    "a\x7fb",
    "a\ud800b",
    "x" * (MAX_KEY_BYTES + 1),
    "y" * (MAX_SEGMENT_BYTES + 1),
)


class _Boom(Exception):
    """Raised inside a create block by the contract, to see that it propagates unchanged."""


@contextmanager
def _raises(kind: type[BaseException], what: str) -> Iterator[list[BaseException]]:
    caught: list[BaseException] = []
    try:
        yield caught
    except kind as error:
        caught.append(error)
    else:
        raise AssertionError(f"{what}: expected {kind.__name__}, nothing was raised")


def _write(store: DocumentStore, key: str, data: bytes) -> None:
    with store.create(key) as stream:
        stream.write(data)


class DocumentStoreContract:
    """The rules every :class:`~invoicebackup.storage.DocumentStore` keeps, one test each.

    Subclass it in your test suite, name the subclass ``Test…`` so that pytest collects
    it, and define :meth:`make_store` to return a new, empty store for each test. Each
    test method says the rule it checks; a failure is an ``AssertionError`` naming the
    key and what happened. Nothing here imports pytest.

    Example:
        >>> from invoicebackup import InMemoryStore
        >>> from invoicebackup.testing import DocumentStoreContract
        >>> class TestMyStore(DocumentStoreContract):
        ...     def make_store(self):
        ...         return InMemoryStore()
        >>> TestMyStore().test_a_second_create_is_refused_and_the_first_content_stays()

    .. versionadded:: 0.1.0
    """

    #: How many writers race for one key in :meth:`test_racing_writers_have_one_winner`.
    racing_writers = 8

    def make_store(self) -> DocumentStore:
        """A new, empty store for one test; override it."""
        raise NotImplementedError(f"{type(self).__name__} must define make_store()")

    def test_is_a_document_store(self) -> None:
        """The store satisfies the protocol at run time."""
        store = self.make_store()
        assert isinstance(store, DocumentStore), f"{store!r} lacks a DocumentStore method"

    def test_created_bytes_read_back(self) -> None:
        """What is written under a key reads back identically, for every byte value."""
        store = self.make_store()
        for key in ("i-7.pdf", "docs/i-7.pdf", "a/b/c/d.pdf", ".hidden", "é/ü 収.pdf"):
            data = bytes(range(256)) + os.urandom(3000) + key.encode()
            _write(store, key, data)
            assert store.exists(key), f"{key!r} does not exist after its create block"
            assert store.read_bytes(key) == data, f"{key!r} read back other bytes"

    def test_an_empty_document_is_a_document(self) -> None:
        """A zero-byte document exists and reads back empty."""
        store = self.make_store()
        with store.create("empty.pdf"):
            pass
        assert store.exists("empty.pdf")
        assert store.read_bytes("empty.pdf") == b""

    def test_many_writes_make_one_document(self) -> None:
        """Many writes into one stream make one document, in order (4 MiB here)."""
        store = self.make_store()
        pieces = [os.urandom(256 * 1024) for _ in range(16)]
        with store.create("big.pdf") as stream:
            for piece in pieces:
                stream.write(piece)
        assert store.read_bytes("big.pdf") == b"".join(pieces)

    def test_exists_only_once_the_block_succeeds(self) -> None:
        """A document is invisible while it is written and visible after."""
        store = self.make_store()
        assert not store.exists("a/b.pdf")
        with store.create("a/b.pdf") as stream:
            stream.write(b"half")
            assert not store.exists("a/b.pdf"), "a document is visible before its commit"
        assert store.exists("a/b.pdf")
        assert not store.exists("a"), "a key's prefix is not a document"

    def test_a_missing_key_is_not_found(self) -> None:
        """Reading a key with no document raises DocumentNotFoundError naming the key."""
        store = self.make_store()
        _write(store, "i.pdf", b"x")
        for key in ("nope/missing.pdf", "i.pdf/below.pdf", "a"):
            with _raises(DocumentNotFoundError, f"read_bytes({key!r})") as caught:
                store.read_bytes(key)
            error = caught[0]
            assert isinstance(error, DocumentNotFoundError)
            assert error.key == key, f"the error names {error.key!r}, not {key!r}"

    def test_a_second_create_is_refused_and_the_first_content_stays(self) -> None:
        """Stores never overwrite: a second create raises and the first content stays."""
        store = self.make_store()
        _write(store, "i.pdf", b"first")
        with _raises(DocumentExistsError, "a second create of 'i.pdf'"):
            _write(store, "i.pdf", b"second")
        assert store.read_bytes("i.pdf") == b"first"

    def test_a_document_created_during_the_block_wins(self) -> None:
        """The commit checks again, atomically: whoever commits first keeps the key."""
        store = self.make_store()
        with (
            _raises(DocumentExistsError, "committing over a document made meanwhile"),
            store.create("i.pdf") as stream,
        ):
            stream.write(b"outer")
            _write(store, "i.pdf", b"inner")
        assert store.read_bytes("i.pdf") == b"inner"

    def test_an_exception_in_the_block_leaves_nothing(self) -> None:
        """A write that fails midway leaves no document, and its exception propagates unchanged."""
        store = self.make_store()
        boom = _Boom("the source vanished")
        with (
            _raises(_Boom, "an exception inside the create block") as caught,
            store.create("a/half.pdf") as stream,
        ):
            stream.write(b"x" * 100_000)
            raise boom
        assert caught[0] is boom, "the block's exception was replaced"
        assert not store.exists("a/half.pdf")
        _write(store, "a/half.pdf", b"second try")
        assert store.read_bytes("a/half.pdf") == b"second try"

    def test_hostile_keys_are_refused(self) -> None:
        """Every method refuses a key that breaks a rule, with UnsafeKeyError naming it."""
        store = self.make_store()

        def create(key: str) -> None:
            _write(store, key, b"escaped")

        calls: dict[str, Callable[[str], object]] = {
            "exists": store.exists,
            "read_bytes": store.read_bytes,
            "create": create,
        }
        for key in HOSTILE_KEYS:
            for name, call in calls.items():
                with _raises(UnsafeKeyError, f"{name}({key!r})") as caught:
                    call(key)
                error = caught[0]
                assert isinstance(error, UnsafeKeyError)
                assert error.key == key

    def test_racing_writers_have_one_winner(self) -> None:
        """Concurrent creates of one key: one commits, every other gets DocumentExistsError."""
        store = self.make_store()
        writers = self.racing_writers
        # Every writer passes the up-front check, then all meet before any commits.
        meeting = threading.Barrier(writers, timeout=30)

        def write(n: int) -> str:
            try:
                with store.create("race.pdf") as stream:
                    stream.write(f"writer {n}".encode())
                    meeting.wait()
            except DocumentExistsError:
                return "lost"
            return "won"

        with ThreadPoolExecutor(writers) as pool:
            outcomes = list(pool.map(write, range(writers)))
        assert sorted(outcomes) == ["lost"] * (writers - 1) + ["won"], outcomes
        winner = outcomes.index("won")
        assert store.read_bytes("race.pdf") == f"writer {winner}".encode()

    def test_writers_of_different_keys_all_succeed(self) -> None:
        """Concurrent creates of distinct keys, even in one folder, never disturb each other."""
        store = self.make_store()
        keys = [f"period-{n % 3}/invoice-{n}.pdf" for n in range(12)]
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda key: _write(store, key, key.encode()), keys))
        for key in keys:
            assert store.read_bytes(key) == key.encode()


def check_document_store(make_store: Callable[[], DocumentStore]) -> None:
    """Run every rule of :class:`DocumentStoreContract` on stores made by *make_store*.

    For a test framework other than pytest, or a smoke check at start-up.

    Raises:
        AssertionError: A rule does not hold; the message says which and why.

    Example:
        >>> from invoicebackup import InMemoryStore
        >>> from invoicebackup.testing import check_document_store
        >>> check_document_store(InMemoryStore)

    .. versionadded:: 0.1.0
    """

    class _Contract(DocumentStoreContract):
        def make_store(self) -> DocumentStore:
            return make_store()

    contract = _Contract()
    for name in sorted(vars(DocumentStoreContract)):
        if name.startswith("test_"):
            test = getattr(contract, name)
            try:
                test()
            except AssertionError as error:
                raise AssertionError(f"{name}: {error}") from error
