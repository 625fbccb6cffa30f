"""The document-store contract, run over every store the library ships.

The first part of this file is the contract itself: every test takes the
``harness`` fixture and runs once per store. Later parts test what only one
store can show (symbolic links, temporary files, commit failures of the
operating system) and :func:`validate_key` on its own.
"""

from __future__ import annotations

import errno
import io
import itertools
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import invoicebackup
from invoicebackup import storage
from invoicebackup.errors import (
    DocumentExistsError,
    DocumentNotFoundError,
    DocumentStoreError,
    UnsafeKeyError,
)
from invoicebackup.storage import (
    MAX_KEY_BYTES,
    MAX_SEGMENT_BYTES,
    DocumentStore,
    FileSystemStore,
    InMemoryStore,
    validate_key,
)
from invoicebackup.testing import DocumentStoreContract, check_document_store

# Hypothesis reuses one store across examples; these tests only ever add to it.
reuse_fixture = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


class Harness:
    """A store under test, with a way to see everything it physically holds."""

    def __init__(
        self,
        store: FileSystemStore | InMemoryStore,
        listing: Callable[[], list[str]],
        outside: Path,
    ) -> None:
        self.store = store
        self.listing = listing
        self.outside = outside

    def outside_listing(self) -> list[str]:
        return _files_under(self.outside)


def _files_under(folder: Path) -> list[str]:
    """Every non-folder under *folder* (hidden and temporary files included), as POSIX paths."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            found.append(Path(dirpath, name).relative_to(folder).as_posix())
    return sorted(found)


@pytest.fixture(params=["filesystem", "memory"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(b"not yours")
    if request.param == "filesystem":
        root = tmp_path / "root"
        root.mkdir()
        return Harness(FileSystemStore(root), lambda: _files_under(root), outside)
    memory = InMemoryStore()
    return Harness(memory, memory.keys, outside)


def _write(
    store: DocumentStore, key: str, data: bytes, *, then: Callable[[], object] | None = None
) -> None:
    """Create *key* holding *data*; call *then* inside the block, after writing."""
    with store.create(key) as stream:
        stream.write(data)
        if then is not None:
            then()


HOSTILE_KEYS = [
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
    "a/.",
    "a/..",
    "\\\\server\\share\\x",
    "//server/share/x",
    "C:/x",
    "c:x",
    "a\nb",
    "a\x7fb",
    "a\x85b",
    "a\ud800b",
    "x" * (MAX_KEY_BYTES + 1),
    "y" * (MAX_SEGMENT_BYTES + 1),
]

_safe_char = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters="/\\")
_safe_segment = st.text(_safe_char, min_size=1, max_size=12).filter(
    lambda s: s not in (".", "..") and not (len(s) >= 2 and s[1] == ":")
)
safe_keys = st.lists(_safe_segment, min_size=1, max_size=4).map("/".join)


@st.composite
def hostile_keys(draw: st.DrawFn) -> str:
    """A key that breaks exactly one rule or more, built around a safe one."""
    segments = draw(st.lists(_safe_segment, min_size=1, max_size=4))
    kind = draw(st.sampled_from(["segment", "prefix", "char", "long"]))
    if kind == "segment":
        bad = draw(st.sampled_from(["..", ".", ""]))
        segments.insert(draw(st.integers(0, len(segments))), bad)
        return "/".join(segments)
    if kind == "prefix":
        prefix = draw(st.sampled_from(["/", "//", "\\", "\\\\srv\\", "C:", "z:/", "../"]))
        return prefix + "/".join(segments)
    if kind == "char":
        key = "/".join(segments)
        bad_char = draw(
            st.one_of(
                st.just("\\"),
                st.characters(categories=["Cc"]),
                st.characters(categories=["Cs"]),
            )
        )
        at = draw(st.integers(0, len(key)))
        return key[:at] + bad_char + key[at:]
    return "/".join(segments) + "/" + "a" * draw(st.integers(MAX_SEGMENT_BYTES + 1, 300))


# --- the contract ---------------------------------------------------------------------------


class TestFileSystemStoreContract(DocumentStoreContract):
    """The contract shipped to adapter authors, on a new folder per store."""

    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folders = itertools.count()
        self.parent = tmp_path

    def make_store(self) -> DocumentStore:
        root = self.parent / f"store-{next(self.folders)}"
        root.mkdir()
        return FileSystemStore(root)


class TestInMemoryStoreContract(DocumentStoreContract):
    """The contract shipped to adapter authors, on the in-memory store."""

    def make_store(self) -> DocumentStore:
        return InMemoryStore()


def test_the_contract_fails_a_store_that_overwrites() -> None:
    """The shipped contract is not a formality: a store that overwrites fails it, named."""

    class Overwriting:
        """Keeps every rule but one: a create replaces what is there."""

        def __init__(self) -> None:
            self.documents: dict[str, bytes] = {}

        def exists(self, key: str) -> bool:
            return validate_key(key) in self.documents

        def read_bytes(self, key: str) -> bytes:
            if not self.exists(key):
                raise DocumentNotFoundError(key, "no document is stored under this key")
            return self.documents[key]

        @contextmanager
        def create(self, key: str) -> Iterator[BinaryIO]:
            validate_key(key)
            buffer = io.BytesIO()
            yield buffer
            self.documents[key] = buffer.getvalue()

    with pytest.raises(AssertionError, match=r"^test_a_document_created_during_the_block_wins: "):
        check_document_store(Overwriting)
    check_document_store(InMemoryStore)


@pytest.mark.parametrize("key", ["i-7.pdf", "docs/i-7.pdf", "a/b/c/d.pdf", ".hidden", "é/ü.pdf"])
def test_created_bytes_read_back_as_bytes_and_stream(harness: Harness, key: str) -> None:
    """What is written under a key reads back identically, whole and as a stream."""
    data = os.urandom(3000) + key.encode()
    _write(harness.store, key, data)
    assert harness.store.read_bytes(key) == data
    with harness.store.open(key) as stream:
        assert stream.read(10) + stream.read() == data
    assert harness.listing() == [key]


def test_exists_turns_true_only_once_the_block_succeeds(harness: Harness) -> None:
    """A document is invisible while written and visible after."""
    assert not harness.store.exists("a/b.pdf")
    with harness.store.create("a/b.pdf") as stream:
        stream.write(b"half")
        assert not harness.store.exists("a/b.pdf")
    assert harness.store.exists("a/b.pdf")
    assert not harness.store.exists("a/c.pdf")


def test_a_folder_of_documents_is_not_itself_a_document(harness: Harness) -> None:
    """Only keys that were created exist, not their prefixes."""
    _write(harness.store, "a/b.pdf", b"x")
    assert not harness.store.exists("a")
    with pytest.raises(DocumentNotFoundError):
        harness.store.read_bytes("a")


def test_a_missing_key_is_not_found(harness: Harness) -> None:
    """Reading a key with no document raises DocumentNotFoundError naming the key."""
    with pytest.raises(DocumentNotFoundError) as as_bytes:
        harness.store.read_bytes("nope/missing.pdf")
    with pytest.raises(DocumentNotFoundError) as as_stream:
        harness.store.open("nope/missing.pdf")
    for caught in (as_bytes.value, as_stream.value):
        assert caught.key == "nope/missing.pdf"
        assert isinstance(caught, FileNotFoundError)
        assert "missing.pdf" in str(caught)


def test_a_key_below_a_document_is_not_found(harness: Harness) -> None:
    """A document is not a folder: keys below it hold nothing."""
    _write(harness.store, "i.pdf", b"x")
    assert not harness.store.exists("i.pdf/attachment.pdf")
    with pytest.raises(DocumentNotFoundError):
        harness.store.read_bytes("i.pdf/attachment.pdf")
    with pytest.raises(DocumentNotFoundError):
        harness.store.open("i.pdf/attachment.pdf")


def test_a_second_create_of_a_key_is_refused_before_its_block_runs(harness: Harness) -> None:
    """Stores never overwrite: the second create raises and the first content stays."""
    _write(harness.store, "i.pdf", b"first")
    ran: list[bool] = []
    with pytest.raises(DocumentExistsError) as caught:
        _write(harness.store, "i.pdf", b"second", then=lambda: ran.append(True))
    assert not ran
    assert caught.value.key == "i.pdf"
    assert isinstance(caught.value, FileExistsError)
    assert harness.store.read_bytes("i.pdf") == b"first"
    assert harness.listing() == ["i.pdf"]


def test_a_document_created_during_the_block_wins_over_the_block(harness: Harness) -> None:
    """The commit checks again, atomically: whoever commits first keeps the key."""
    with pytest.raises(DocumentExistsError):
        _write(
            harness.store, "i.pdf", b"outer", then=lambda: _write(harness.store, "i.pdf", b"inner")
        )
    assert harness.store.read_bytes("i.pdf") == b"inner"
    assert harness.listing() == ["i.pdf"]


class Boom(Exception):
    pass


def _raise_it(error: BaseException) -> Callable[[], None]:
    def fail() -> None:
        raise error

    return fail


def test_an_exception_in_the_block_leaves_nothing_and_propagates_unchanged(
    harness: Harness,
) -> None:
    """A write that fails midway leaves no document and no temporary file."""
    boom = Boom("the source vanished")
    with pytest.raises(Boom) as caught:
        _write(harness.store, "a/half.pdf", b"x" * 100_000, then=_raise_it(boom))
    assert caught.value is boom
    assert not harness.store.exists("a/half.pdf")
    assert harness.listing() == []
    _write(harness.store, "a/half.pdf", b"second try")
    assert harness.store.read_bytes("a/half.pdf") == b"second try"


def test_a_keyboard_interrupt_in_the_block_leaves_nothing(harness: Harness) -> None:
    """Even a BaseException raised while writing leaves nothing behind."""
    with pytest.raises(KeyboardInterrupt):
        _write(harness.store, "k.pdf", b"x", then=_raise_it(KeyboardInterrupt()))
    assert harness.listing() == []


def test_closing_the_stream_inside_the_block_still_commits(harness: Harness) -> None:
    """A block that closes its stream itself still creates the document."""
    with harness.store.create("closed.pdf") as stream:
        stream.write(b"done")
        stream.close()
    assert harness.store.read_bytes("closed.pdf") == b"done"


def test_streams_opened_for_reading_are_independent(harness: Harness) -> None:
    """Two readers of one document each see all of it."""
    _write(harness.store, "i.pdf", b"0123456789")
    with harness.store.open("i.pdf") as first, harness.store.open("i.pdf") as second:
        assert first.read(4) == b"0123"
        assert second.read() == b"0123456789"
        assert first.read() == b"456789"


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_are_refused_by_every_method(harness: Harness, key: str) -> None:
    """Keys that try to leave the store raise UnsafeKeyError and touch nothing."""
    calls: list[Callable[[], object]] = [
        lambda: harness.store.exists(key),
        lambda: harness.store.read_bytes(key),
        lambda: harness.store.open(key),
        lambda: harness.store.create(key),
    ]
    for call in calls:
        with pytest.raises(UnsafeKeyError) as caught:
            call()
        assert caught.value.key == key
    assert harness.listing() == []
    assert harness.outside_listing() == ["secret.pdf"]


@reuse_fixture
@given(key=hostile_keys())
def test_generated_hostile_keys_are_refused(harness: Harness, key: str) -> None:
    """Any key with a bad segment, prefix, character or length is refused for reads and writes."""
    with pytest.raises(UnsafeKeyError):
        harness.store.exists(key)
    with pytest.raises(UnsafeKeyError):
        harness.store.read_bytes(key)
    with pytest.raises(UnsafeKeyError), harness.store.create(key) as stream:
        stream.write(b"escaped")
    assert harness.listing() == []
    assert harness.outside_listing() == ["secret.pdf"]


@pytest.mark.parametrize("writers", [2, 8])
def test_writers_racing_for_one_key_exactly_one_wins(harness: Harness, writers: int) -> None:
    """Concurrent creates of the same key: one commits, every other gets DocumentExistsError."""
    # Every writer passes the up-front check, then all meet before any commits.
    meeting = threading.Barrier(writers, timeout=30)

    def write(n: int) -> str:
        try:
            with harness.store.create("race.pdf") as stream:
                stream.write(f"writer {n}".encode())
                meeting.wait()
        except DocumentExistsError:
            return "lost"
        return "won"

    with ThreadPoolExecutor(writers) as pool:
        outcomes = list(pool.map(write, range(writers)))
    assert sorted(outcomes) == ["lost"] * (writers - 1) + ["won"]
    winner = outcomes.index("won")
    assert harness.store.read_bytes("race.pdf") == f"writer {winner}".encode()
    assert harness.listing() == ["race.pdf"]


def test_concurrent_creates_of_different_keys_all_succeed(harness: Harness) -> None:
    """Writers of distinct keys, even in one folder, never disturb each other."""
    keys = [f"period-{n % 3}/invoice-{n}.pdf" for n in range(24)]
    meeting = threading.Barrier(len(keys), timeout=30)

    def write(key: str) -> None:
        with harness.store.create(key) as stream:
            stream.write(key.encode())
            meeting.wait()

    with ThreadPoolExecutor(len(keys)) as pool:
        list(pool.map(write, keys))
    assert harness.listing() == sorted(keys)
    for key in keys:
        assert harness.store.read_bytes(key) == key.encode()


# --- validate_key ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "i.pdf",
        "docs/i-7.pdf",
        ".hidden",
        "a..b/...",
        "a b/c d.pdf",
        "Factures/été/reçu.pdf",
        "ref:42.pdf",
        "x" * MAX_SEGMENT_BYTES,
        "/".join(["y" * 100] * 10) + "/" + "z" * (MAX_KEY_BYTES - 1010),
    ],
)
def test_safe_keys_are_returned_unchanged(key: str) -> None:
    """validate_key hands a good key back as it is."""
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("", "empty"),
        ("/etc/passwd", "absolute"),
        ("C:\\x", "backslash"),
        ("C:/x", "drive"),
        ("\\\\server\\x", "backslash"),
        ("a//b", "empty segment"),
        ("a/", "empty segment"),
        ("./a", "'.' segment"),
        ("a/../../x", "'..' segment"),
        ("a\x00b", "U+0000"),
        ("a\tb", "U+0009"),
        ("a\ud800", "surrogate"),
        ("é" * 128, f"{MAX_SEGMENT_BYTES} bytes"),
        ("a/" * 512 + "b", f"{MAX_KEY_BYTES} bytes"),
    ],
)
def test_unsafe_keys_are_refused_with_the_key_and_the_reason(key: str, words: str) -> None:
    """The error names the key and says which rule it broke."""
    with pytest.raises(UnsafeKeyError) as caught:
        validate_key(key)
    assert caught.value.key == key
    assert words in caught.value.reason
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, DocumentStoreError)


def test_a_key_that_is_not_a_string_is_a_type_error() -> None:
    """Bytes or paths are a programming error, not an unsafe key."""
    with pytest.raises(TypeError):
        validate_key(b"a.pdf")  # type: ignore[arg-type]


@given(key=st.text(max_size=40))
def test_any_text_is_either_refused_or_stays_under_the_root(key: str) -> None:
    """Whatever the text, validate_key refuses it or the file lands exactly at root/key."""
    try:
        validate_key(key)
    except UnsafeKeyError:
        return
    with tempfile.TemporaryDirectory() as parent:
        root = Path(parent, "root")
        root.mkdir()
        store = FileSystemStore(root)
        _write(store, key, b"inside")
        real = Path(os.path.realpath(store.root.joinpath(*key.split("/"))))
        assert real.is_relative_to(store.root)
        assert real.read_bytes() == b"inside"
        assert _files_under(Path(parent)) == ["root/" + key]


# --- FileSystemStore only -------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.pdf").write_bytes(b"not yours")
    return folder


def test_the_root_must_exist(tmp_path: Path) -> None:
    """A missing root is a clear error at construction, not at the first write."""
    with pytest.raises(FileNotFoundError, match="root folder does not exist"):
        FileSystemStore(tmp_path / "missing")
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        FileSystemStore(tmp_path / "file")


def test_the_root_is_resolved(tmp_path: Path, root: Path) -> None:
    """A store reached through a link to its root works on the real folder."""
    (tmp_path / "alias").symlink_to(root)
    store = FileSystemStore(tmp_path / "alias")
    assert store.root == Path(os.path.realpath(root))
    _write(store, "a.pdf", b"x")
    assert (root / "a.pdf").read_bytes() == b"x"
    assert "root" in repr(store)


@pytest.mark.parametrize("relative", [True, False])
def test_a_link_to_a_file_outside_is_refused_for_read_and_write(
    root: Path, outside: Path, relative: bool
) -> None:
    """A symbolic link inside the root pointing to a file outside cannot be read or written."""
    target = Path("../outside/secret.pdf") if relative else outside / "secret.pdf"
    (root / "leak.pdf").symlink_to(target)
    (root / "dangling.pdf").symlink_to(outside / "planted.pdf")
    store = FileSystemStore(root)
    for key in ("leak.pdf", "dangling.pdf"):
        with pytest.raises(UnsafeKeyError, match="outside"):
            store.exists(key)
        with pytest.raises(UnsafeKeyError):
            store.read_bytes(key)
        with pytest.raises(UnsafeKeyError):
            store.open(key)
        with pytest.raises(UnsafeKeyError), store.create(key) as stream:
            stream.write(b"planted")
    assert _files_under(outside) == ["secret.pdf"]
    assert (outside / "secret.pdf").read_bytes() == b"not yours"


def test_a_link_to_a_folder_outside_is_refused_for_read_and_write(
    root: Path, outside: Path
) -> None:
    """Keys through a linked folder that leaves the root are refused; no folder is made."""
    (root / "out").symlink_to(outside)
    store = FileSystemStore(root)
    with pytest.raises(UnsafeKeyError):
        store.read_bytes("out/secret.pdf")
    with pytest.raises(UnsafeKeyError):
        store.exists("out/secret.pdf")
    for key in ("out/new.pdf", "out/deeper/new.pdf", "out/secret.pdf"):
        with pytest.raises(UnsafeKeyError), store.create(key) as stream:
            stream.write(b"planted")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.pdf"]


def test_links_that_stay_inside_the_root_are_followed(root: Path) -> None:
    """A link inside the root to a file or folder inside it reads and writes normally."""
    (root / "real").mkdir()
    (root / "alias").symlink_to("real")
    store = FileSystemStore(root)
    _write(store, "alias/i.pdf", b"through the link")
    assert (root / "real" / "i.pdf").read_bytes() == b"through the link"
    (root / "shortcut.pdf").symlink_to(root / "real" / "i.pdf")
    assert store.read_bytes("shortcut.pdf") == b"through the link"
    assert store.exists("shortcut.pdf")
    with pytest.raises(DocumentExistsError):
        store.create("shortcut.pdf").__enter__()


def test_a_link_to_the_root_itself_is_a_folder_not_a_document(root: Path) -> None:
    """A link back to the root stays inside; it is just not a document."""
    (root / "loop").symlink_to(".")
    store = FileSystemStore(root)
    assert not store.exists("loop")
    with pytest.raises(DocumentNotFoundError):
        store.read_bytes("loop")


def test_reading_a_folder_is_not_found_and_creating_over_it_exists(root: Path) -> None:
    """A folder is not a document: reading it is not found, creating over it exists."""
    (root / "folder").mkdir()
    store = FileSystemStore(root)
    assert not store.exists("folder")
    with pytest.raises(DocumentNotFoundError, match="folder"):
        store.open("folder")
    with pytest.raises(DocumentExistsError, match="folder"), store.create("folder"):
        pass


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="the platform has no FIFOs")
def test_a_fifo_is_not_a_document_and_reading_it_does_not_hang(root: Path) -> None:
    """Special files are refused without blocking on them."""
    os.mkfifo(root / "pipe")
    store = FileSystemStore(root)
    assert not store.exists("pipe")
    with pytest.raises(DocumentNotFoundError, match="special file"):
        store.read_bytes("pipe")


def test_a_missing_parent_folder_is_created(root: Path) -> None:
    """Writing a nested key makes its folders."""
    _write(FileSystemStore(root), "2026/05/i.pdf", b"x")
    assert (root / "2026" / "05" / "i.pdf").read_bytes() == b"x"


def test_a_large_document_is_handed_to_the_disk_as_it_is_written(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 8 MB written is advised out (writeback starts early); the bytes are intact."""
    advised: list[tuple[int, int]] = []

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        advised.append((offset, length))
        os.posix_fadvise(fd, offset, length, advice)

    if not hasattr(os, "posix_fadvise"):
        pytest.skip("this system has no posix_fadvise: files are written as usual")
    monkeypatch.setattr(storage, "_FADVISE", advise)
    data = bytes(range(256)) * (81 * 1024)  # 20.25 MiB, written in uneven pieces
    store = FileSystemStore(root)
    with store.create("big.pdf") as stream:
        for start in range(0, len(data), 1_000_003):
            stream.write(data[start : start + 1_000_003])
    assert (root / "big.pdf").read_bytes() == data
    assert len(advised) == 2
    assert advised[0][0] == 0
    assert advised[1][0] == sum(advised[0])  # contiguous: nothing advised twice or skipped
    assert all(length >= storage._WRITEBACK_BYTES for _, length in advised)


def test_the_temporary_file_is_hidden_beside_its_destination(root: Path) -> None:
    """While the block runs, its data sits in '.<name>.<random>.tmp' in the destination folder."""
    store = FileSystemStore(root)
    with store.create("a/i.pdf") as stream:
        stream.write(b"x")
        stream.flush()
        (temporary,) = _files_under(root)
        folder, name = temporary.split("/")
        assert folder == "a"
        assert name.startswith(".i.pdf.")
        assert name.endswith(".tmp")
    assert _files_under(root) == ["a/i.pdf"]


def test_a_long_name_still_gets_a_legal_temporary_name(root: Path) -> None:
    """The temporary name is shortened so that a maximal segment still fits the file system."""
    key = "é" * (MAX_SEGMENT_BYTES // 2)
    _write(FileSystemStore(root), key, b"x")
    assert _files_under(root) == [key]


def test_created_files_follow_the_umask(root: Path) -> None:
    """Documents get the usual permissions, not a temporary file's private ones."""
    umask = os.umask(0o022)
    try:
        _write(FileSystemStore(root), "i.pdf", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((root / "i.pdf").stat().st_mode) == 0o644


def _raise(code: int) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize("call", ["link", "fsync"])
def test_a_failure_while_committing_leaves_no_file_and_no_temporary(
    root: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    """A full disk at commit time raises DocumentStoreError naming the key; nothing remains."""
    monkeypatch.setattr(os, call, _raise(errno.ENOSPC))
    store = FileSystemStore(root)
    with pytest.raises(DocumentStoreError) as caught, store.create("a/i.pdf") as stream:
        stream.write(b"x" * 10_000)
    assert type(caught.value) is DocumentStoreError
    assert caught.value.key == "a/i.pdf"
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == errno.ENOSPC
    assert "No space left" in str(caught.value)
    monkeypatch.undo()
    assert _files_under(root) == []
    assert not store.exists("a/i.pdf")


def test_a_failure_to_create_the_temporary_file_is_a_store_error(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused permission before the block runs is a DocumentStoreError; the block is skipped."""
    real_open = os.open

    def guarded_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", guarded_open)
    ran = False
    with pytest.raises(DocumentStoreError) as caught, FileSystemStore(root).create("i.pdf"):
        ran = True
    assert not ran
    assert isinstance(caught.value.__cause__, PermissionError)
    monkeypatch.undo()
    assert _files_under(root) == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions"
)
def test_a_read_only_folder_is_a_store_error(root: Path) -> None:
    """The operating system's refusal surfaces as DocumentStoreError with the cause attached."""
    (root / "locked").mkdir()
    (root / "locked").chmod(0o555)
    try:
        with (
            pytest.raises(DocumentStoreError) as caught,
            FileSystemStore(root).create("locked/i.pdf"),
        ):
            pass
        assert isinstance(caught.value.__cause__, PermissionError)
    finally:
        (root / "locked").chmod(0o755)


@pytest.fixture
def no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "link", _raise(errno.EPERM))


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_the_store_still_creates_atomically(root: Path) -> None:
    """On a file system without hard links the exclusive-create fallback commits the document."""
    store = FileSystemStore(root)
    _write(store, "a/i.pdf", b"fallback")
    assert store.read_bytes("a/i.pdf") == b"fallback"
    assert _files_under(root) == ["a/i.pdf"]
    with pytest.raises(DocumentExistsError):
        _write(store, "a/i.pdf", b"again")


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_a_racing_document_is_not_overwritten(root: Path) -> None:
    """The fallback's exclusive reservation refuses a name taken during the block."""
    store = FileSystemStore(root)
    with pytest.raises(DocumentExistsError):
        _write(store, "i.pdf", b"late", then=lambda: (root / "i.pdf").write_bytes(b"early"))
    assert (root / "i.pdf").read_bytes() == b"early"
    assert _files_under(root) == ["i.pdf"]


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_a_failed_rename_leaves_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the fallback's rename fails, its reservation and the temporary file are both removed."""
    monkeypatch.setattr(os, "replace", _raise(errno.EIO))
    with pytest.raises(DocumentStoreError) as caught, FileSystemStore(root).create("i.pdf") as s:
        s.write(b"x")
    assert isinstance(caught.value.__cause__, OSError)
    assert _files_under(root) == []


# --- InMemoryStore only ---------------------------------------------------------------------


def test_initial_documents_are_validated_and_copied() -> None:
    """The starting mapping is checked key by key and copied, so later changes do not leak in."""
    source = {"a.pdf": bytearray(b"one")}
    store = InMemoryStore(source)  # type: ignore[arg-type]
    source["a.pdf"][0:3] = b"two"
    source["b.pdf"] = bytearray(b"late")
    assert store.read_bytes("a.pdf") == b"one"
    assert store.keys() == ["a.pdf"]
    with pytest.raises(UnsafeKeyError):
        InMemoryStore({"../a.pdf": b""})


def test_the_memory_store_counts_and_contains_its_documents() -> None:
    """len, in and keys() see exactly the committed documents; unsafe keys are simply absent."""
    store = InMemoryStore({"b.pdf": b"b", "a/x.pdf": b"x"})
    assert len(store) == 2
    assert store.keys() == ["a/x.pdf", "b.pdf"]
    assert "b.pdf" in store
    assert "../b.pdf" not in store
    assert 3 not in store
    assert "2 documents" in repr(store)


def test_memory_streams_are_copies() -> None:
    """Writing into a stream returned by open does not change the stored document."""
    store = InMemoryStore({"a.pdf": b"original"})
    stream = store.open("a.pdf")
    stream.write(b"scribble")
    assert store.read_bytes("a.pdf") == b"original"


# --- exports --------------------------------------------------------------------------------


def test_the_stores_are_exported_from_the_package() -> None:
    """Users reach the stores and validate_key from the top-level package."""
    for name in ("DocumentStore", "FileSystemStore", "InMemoryStore", "validate_key"):
        assert name in invoicebackup.__all__
        assert getattr(invoicebackup, name) is getattr(storage, name)
