"""Where documents live: the :class:`DocumentStore` port and its adapters.

A host keeps its invoices' PDFs wherever it likes (a folder, object storage, a
database). The library reaches them through :class:`DocumentStore`, a small
protocol: read a document by key; tell whether a key exists; and create a new
document atomically, never over an existing one. The rules every store keeps are
also tests a store's author can run: :class:`invoicebackup.testing.DocumentStoreContract`.

Two adapters ship with the library:

- :class:`FileSystemStore`, the default: documents are files under a root folder.
- :class:`InMemoryStore`: documents are bytes in a dictionary, for tests and demos.

Every key goes through :func:`validate_key` first, whichever the store.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import errno
import io
import os
import re
import secrets
import stat
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO, Final, NoReturn, Protocol, runtime_checkable

from . import _keys
from ._keys import key_problem
from .errors import (
    DocumentExistsError,
    DocumentNotFoundError,
    DocumentStoreError,
    UnsafeKeyError,
)

__all__ = [
    "MAX_KEY_BYTES",
    "MAX_SEGMENT_BYTES",
    "DocumentStore",
    "FileSystemStore",
    "InMemoryStore",
    "validate_key",
]

#: The longest key accepted, in bytes of UTF-8 (the limit object stores such as S3 use).
MAX_KEY_BYTES: Final = _keys.MAX_KEY_BYTES
#: The longest segment accepted, in bytes of UTF-8 (the file-name limit of common file systems).
MAX_SEGMENT_BYTES: Final = _keys.MAX_SEGMENT_BYTES


@runtime_checkable
class DocumentStore(Protocol):
    """The port through which the library reads and writes documents.

    Keys are relative POSIX paths (``docs/i-7.pdf``), checked by
    :func:`validate_key`: no leading ``/`` or drive, no ``.``, ``..`` or empty
    segment, no backslash, no control character. Every method raises
    :class:`~invoicebackup.errors.UnsafeKeyError` for any other key, and for a
    key that would lead outside the store (through a symbolic link, say).

    A store never overwrites and never shows a half-written document: a
    document appears under its key whole, once, and stays as it was written.
    Failures of the medium (a full disk, a refused permission) surface as
    :class:`~invoicebackup.errors.DocumentStoreError` naming the key.

    Example:
        >>> from invoicebackup import DocumentStore, FileSystemStore, InMemoryStore
        >>> isinstance(InMemoryStore(), DocumentStore), issubclass(FileSystemStore, DocumentStore)
        (True, True)

    .. versionadded:: 0.1.0
    """

    def exists(self, key: str) -> bool:
        """Whether a document is stored under *key*.

        Raises:
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the store.
        """
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole document under *key*.

        Raises:
            ~invoicebackup.errors.DocumentNotFoundError: Nothing is stored under *key*.
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the store.
            ~invoicebackup.errors.DocumentStoreError: The store failed to read the document.
        """
        ...

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Write a new document under *key*, atomically.

        Use it as a context manager and write to the stream it gives. The
        document appears under *key* only when the block exits without an
        exception, all at once; otherwise nothing is left behind and the
        block's exception propagates unchanged.

        Raises:
            ~invoicebackup.errors.DocumentExistsError: A document already exists under
                *key* (checked when the block starts and again, atomically, when it commits).
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the store.
            ~invoicebackup.errors.DocumentStoreError: The store failed to write or commit.
        """
        ...


def validate_key(key: str) -> str:
    """Check that *key* is a safe relative POSIX path, and return it unchanged.

    A safe key is a non-empty sequence of ``/``-separated segments, at most
    :data:`MAX_KEY_BYTES` long, none of them empty, ``.`` or ``..``, none longer
    than :data:`MAX_SEGMENT_BYTES`; it has no backslash, no control character and
    no unpaired surrogate, and it neither starts with ``/`` nor with a drive
    (``C:``). Keys are compared exactly: no normalisation takes place.

    >>> from invoicebackup import validate_key
    >>> validate_key("docs/i-7.pdf")
    'docs/i-7.pdf'

    Args:
        key: The key to check.

    Returns:
        The key itself.

    Raises:
        ~invoicebackup.errors.UnsafeKeyError: The key breaks a rule; ``reason`` says which.
        TypeError: The key is not a string.

    .. versionadded:: 0.1.0
    """
    if not isinstance(key, str):
        raise TypeError(f"a document key must be a str, not {type(key).__name__}")
    reason = key_problem(key)
    if reason is not None:
        raise UnsafeKeyError(key, reason)
    return key


# --- the file system ----------------------------------------------------------------------------

# Flags for opening a document: never follow a symbolic link in the last
# component (the path opened is already resolved), never block on a FIFO, and
# never leak the descriptor into child processes. Missing flags (Windows) are 0.
_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | _NONBLOCK
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_WRITE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# os.link failing with one of these means "this file system has no hard links".
_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.ENOSYS, getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)}
)
_TEMP_SUFFIX = ".tmp"
_TEMP_ATTEMPTS = 16
#: The names this store gives its temporary files (``.<name>.<16 hex digits>.tmp``).
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{16}\.tmp", re.DOTALL)
#: How old (by its last write) a temporary file must be before it may be taken as
#: abandoned by a killed writer; a live writer also holds a lock on it, where the
#: platform has them.
_STALE_TEMP_SECONDS = 3600.0

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: age alone tells an abandoned file
    _flock = None
else:
    _flock = fcntl.flock
    _LOCK_NOW = fcntl.LOCK_EX | fcntl.LOCK_NB


class FileSystemStore:
    """Documents as files under a root folder: the default store.

    A key maps to the path under *root* that its segments spell. The store
    refuses any key that would lead outside *root*, including through a
    symbolic link that points outside (a link inside *root* pointing inside it
    is followed): it resolves the path and checks containment before every read
    and write.

    Writing goes through a temporary file in the destination folder, named
    ``.<name>.<random>.tmp`` and locked (``flock``) while written, which is flushed
    and synced to disk and then
    hard-linked to its final name; linking fails if the name is taken, so the
    store never overwrites, even when two writers race. On a file system
    without hard links the store reserves the final name with an exclusive
    create and renames the temporary file over it; there a reader may briefly
    see an empty file under the key. Whatever fails, the temporary file is
    removed; one left by a writer that was killed (``SIGKILL``, a power cut) is
    removed by a later write to the same folder once it is an hour old and no
    one holds its lock (where there are no locks, age alone decides).

    The containment check guards against links already in the tree. It does
    not defend against another process that swaps folders for links while the
    store is working; give such processes no write access to *root*.

    Args:
        root: The folder holding the documents. It must exist.

    Raises:
        FileNotFoundError: *root* does not exist.
        NotADirectoryError: *root* is not a folder.

    Example:
        >>> import tempfile
        >>> from invoicebackup import FileSystemStore, UnsafeKeyError
        >>> store = FileSystemStore(tempfile.mkdtemp())
        >>> with store.create("backups/b.pdf") as out:
        ...     _ = out.write(b"%PDF-1.7")
        >>> store.exists("backups/b.pdf"), store.read_bytes("backups/b.pdf")
        (True, b'%PDF-1.7')
        >>> try:
        ...     store.read_bytes("../outside.pdf")
        ... except UnsafeKeyError as error:
        ...     print(error.reason)
        the key has a '..' segment; keys name a path inside the store

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_root",)

    def __init__(self, root: str | os.PathLike[str]) -> None:
        path = Path(root)
        if not path.exists():
            raise FileNotFoundError(
                errno.ENOENT, "the document store's root folder does not exist", str(root)
            )
        if not path.is_dir():
            raise NotADirectoryError(
                errno.ENOTDIR, "the document store's root is not a folder", str(root)
            )
        self._root = Path(os.path.realpath(path))

    @property
    def root(self) -> Path:
        """The root folder, resolved (absolute, without symbolic links)."""
        return self._root

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._root)!r})"

    def exists(self, key: str) -> bool:
        """Whether a regular file is stored under *key* (a folder is not a document).

        Raises:
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the root.
        """
        return os.path.isfile(self._resolve(key))

    def read_bytes(self, key: str) -> bytes:
        """The whole document under *key*.

        Raises:
            ~invoicebackup.errors.DocumentNotFoundError: No regular file is stored under *key*.
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the root.
            ~invoicebackup.errors.DocumentStoreError: The file system failed to read the document.
        """
        with self.open(key) as stream:
            try:
                return stream.read()
            except OSError as error:
                _fail(key, "could not be read", error)

    def open(self, key: str) -> BinaryIO:
        """A binary stream over the document under *key*; the caller closes it.

        Not part of :class:`DocumentStore`: the library never calls it; it is here for
        hosts that want to stream a stored backup out (to an HTTP response, say).

        Raises:
            ~invoicebackup.errors.DocumentNotFoundError: No regular file is stored under *key*.
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the root.
            ~invoicebackup.errors.DocumentStoreError: The file system failed to open the document.
        """
        path = self._resolve(key)
        try:
            fd = os.open(path, _READ_FLAGS)
        except (FileNotFoundError, NotADirectoryError) as error:  # a parent may be a file
            raise DocumentNotFoundError(key, "no document is stored under this key") from error
        except IsADirectoryError as error:  # Windows cannot open a folder at all
            raise DocumentNotFoundError(key, "this key names a folder, not a document") from error
        except OSError as error:
            _fail(key, "could not be opened", error)
        try:
            mode = os.fstat(fd).st_mode
            if _NONBLOCK:
                os.set_blocking(fd, True)
        except OSError as error:
            os.close(fd)
            _fail(key, "could not be opened", error)
        if not stat.S_ISREG(mode):
            os.close(fd)
            what = "a folder" if stat.S_ISDIR(mode) else "a special file"
            raise DocumentNotFoundError(key, f"this key names {what}, not a document")
        return os.fdopen(fd, "rb")

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Write a new document under *key*, atomically; see :class:`FileSystemStore`.

        Missing parent folders are created. The block's own exceptions
        propagate unchanged; the store's failures (a full disk, a refused
        permission) become :class:`~invoicebackup.errors.DocumentStoreError`
        with the operating system's error as ``__cause__``.

        Raises:
            ~invoicebackup.errors.DocumentExistsError: A document already exists under *key*.
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the root.
            ~invoicebackup.errors.DocumentStoreError: The file system failed to write or commit.
        """
        validate_key(key)
        return self._create(key)

    @contextmanager
    def _create(self, key: str) -> Iterator[BinaryIO]:
        created: list[Path] = []
        try:
            with self._write_new(key, created) as stream:
                yield stream
        except BaseException:
            # A backup that was not written leaves no folder made for it behind.
            for folder in created:
                with suppress(OSError):
                    folder.rmdir()  # only when empty: someone may have written there since
            raise

    @contextmanager
    def _write_new(self, key: str, created: list[Path]) -> Iterator[BinaryIO]:
        final = self._prepare_destination(key, created)
        tmp, fd = self._open_temporary(key, final)
        _remove_abandoned_temporaries(final.parent, mine=tmp, fd=fd)
        sync_fd = -1
        try:
            # A second descriptor syncs the file even if the block closed its stream.
            sync_fd = os.dup(fd)
            stream = io.BufferedWriter(_EarlyWriteback(fd, "wb"))
        except BaseException as error:
            os.close(fd)
            if sync_fd != -1:
                os.close(sync_fd)
            _remove(tmp)
            if isinstance(error, OSError):
                _fail(key, "could not be written", error)
            raise
        try:
            try:
                yield stream
            except BaseException:
                with suppress(OSError):  # the block's exception matters, not this one
                    stream.close()
                raise
            try:
                stream.close()  # flushes what is buffered; nothing if the block closed it
                os.fsync(sync_fd)
            except OSError as error:
                _fail(key, "could not be written", error)
            self._commit(key, tmp, final)
        except BaseException:
            _remove(tmp)
            raise
        finally:
            os.close(sync_fd)
        _remove(tmp)
        _sync_folder(final.parent)

    def delete(self, key: str) -> None:
        """Remove the document under *key* and the folders this leaves empty.

        Nothing happens when there is no document under *key*.

        Not part of :class:`DocumentStore`: a backup written as volumes
        (:attr:`~invoicebackup.options.BackupOptions.max_volume_bytes`) needs it, to take
        back the volumes it committed when a later one fails.

        Raises:
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe or leads outside the root.
            ~invoicebackup.errors.DocumentStoreError: The file system refused.

        .. versionadded:: 0.1.0
        """
        path = self._resolve(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            _fail(key, "could not be deleted", error)
        _sync_folder(path.parent)
        # As create makes the folders a key needs, delete takes back those it leaves empty.
        folder = path.parent
        while folder != self._root and folder.is_relative_to(self._root):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
            folder = folder.parent

    def _resolve(self, key: str) -> Path:
        """The real path of *key*, checked to lie inside the root."""
        validate_key(key)
        parts = key.split("/")
        # Most keys hold no link: looking at the key's own components (the root is
        # real already) is enough to know their real path, and much cheaper.
        path = str(self._root)
        for part in parts:
            path = os.path.join(path, part)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                break
            if stat.S_ISLNK(mode):
                break
        else:
            return Path(path)
        real = Path(os.path.realpath(self._root.joinpath(*parts)))
        if not real.is_relative_to(self._root):
            raise UnsafeKeyError(key, "the key leads outside the store through a symbolic link")
        return real

    def _prepare_destination(self, key: str, created: list[Path]) -> Path:
        """The final path for *key*, with its real parent folder created and checked.

        The folders created are added to *created*, deepest first.
        """
        *folders, name = key.split("/")
        parent = Path(os.path.realpath(self._root.joinpath(*folders)))
        if not parent.is_relative_to(self._root):
            raise UnsafeKeyError(key, "the key leads outside the store through a symbolic link")
        missing = parent
        while missing != self._root and not missing.exists():
            created.append(missing)
            missing = missing.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _fail(key, "its folder could not be created", error)
        # Creating the folders may have raced with someone adding a link; look again.
        if Path(os.path.realpath(parent)) != parent:
            raise UnsafeKeyError(key, "the key's folder changed into a symbolic link")
        final = parent / name
        if os.path.lexists(final):
            real = Path(os.path.realpath(final))
            if not real.is_relative_to(self._root):
                raise UnsafeKeyError(key, "the key leads outside the store through a symbolic link")
            what = "a folder" if os.path.isdir(final) else "a document"
            raise DocumentExistsError(key, f"{what} already exists under this key")
        return final

    def _open_temporary(self, key: str, final: Path) -> tuple[Path, int]:
        """A new, exclusively created temporary file beside *final*, and its descriptor."""
        # Keep the name short enough for the file system whatever the key's last segment.
        stem = final.name.encode("utf-8")[:100].decode("utf-8", "ignore")
        for _ in range(_TEMP_ATTEMPTS):
            tmp = final.with_name(f".{stem}.{secrets.token_hex(8)}{_TEMP_SUFFIX}")
            try:
                fd = os.open(tmp, _WRITE_FLAGS, 0o666)
            except FileExistsError:
                continue
            except OSError as error:
                _fail(key, "could not be written", error)
            if _flock is not None:
                # Held until the descriptor closes: it tells a later writer that this
                # file is in use, however long this one takes.
                with suppress(OSError):  # a file system without locks: age alone tells
                    _flock(fd, _LOCK_NOW)
            return tmp, fd
        raise DocumentStoreError(key, "could not find a free temporary file name")

    def _commit(self, key: str, tmp: Path, final: Path) -> None:
        """Give the finished temporary file its final name, never over an existing file."""
        try:
            os.link(tmp, final)
            return
        except FileExistsError as error:
            raise DocumentExistsError(key, "a document already exists under this key") from error
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                _fail(key, "could not be committed", error)
        except (AttributeError, NotImplementedError):  # a platform without os.link
            pass
        self._commit_without_links(key, tmp, final)

    def _commit_without_links(self, key: str, tmp: Path, final: Path) -> None:
        """Reserve *final* with an exclusive create, then rename *tmp* over the reservation."""
        try:
            os.close(os.open(final, _WRITE_FLAGS, 0o666))
        except FileExistsError as error:
            raise DocumentExistsError(key, "a document already exists under this key") from error
        except OSError as error:
            _fail(key, "could not be committed", error)
        try:
            os.replace(tmp, final)
        except BaseException as error:
            _remove(final)  # the empty reservation is ours
            if isinstance(error, OSError):
                _fail(key, "could not be committed", error)
            raise


def _fail(key: str, what: str, error: OSError) -> NoReturn:
    """Raise a DocumentStoreError for *key* caused by the operating system's *error*."""
    detail = error.strerror or str(error)
    raise DocumentStoreError(key, f"the document {what}: {detail}") from error


def _remove_abandoned_temporaries(folder: Path, *, mine: Path, fd: int) -> None:
    """Remove this store's temporary files in *folder* that their writers abandoned.

    Only names of the store's own pattern are looked at, only regular files an hour
    old or more, and only those whose lock can be taken (no writer holds it). Any
    failure leaves the file: cleaning up is a courtesy, never a reason to fail.

    Age is measured on the file system's own clock, against *mine* (this writer's
    temporary file, just made, open as *fd*), not the process's: a host whose clock
    differs from the file server's, or a test that moves the clock, must not judge a
    live writer's file an hour old between its creation and its lock.
    """
    try:
        now = os.fstat(fd).st_mtime
    except OSError:
        return
    try:
        with os.scandir(folder) as entries:
            candidates = [
                e for e in entries if _TEMP_NAME.fullmatch(e.name) and e.name.startswith(".")
            ]
    except OSError:
        return
    for entry in candidates:
        if entry.name == mine.name:
            continue
        with suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= _STALE_TEMP_SECONDS:
                _remove_unlocked(Path(entry.path), info)


def _remove_unlocked(path: Path, info: os.stat_result) -> None:
    """Remove *path* if it is still the file *info* describes and no one holds its lock."""
    if _flock is None:  # pragma: no cover - Windows
        os.unlink(path)
        return
    fd = os.open(path, _READ_FLAGS)
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            return  # replaced since it was listed: not the file judged abandoned
        try:
            _flock(fd, _LOCK_NOW)
        except BlockingIOError:
            return  # a live writer, paused or slow
        os.unlink(path)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove *path* if it is there; a failure must not hide the error being handled."""
    with suppress(OSError):
        os.unlink(path)


#: Written bytes after which the file system is asked to start writing them out.
_WRITEBACK_BYTES = 8 * 1024 * 1024


class _EarlyWriteback(io.FileIO):
    """A file that asks the system to start writing its data out as it is written.

    A new backup is synced before it is committed; by then most of it should already
    be on its way to the disk, not all of it waiting for that sync. Every
    :data:`_WRITEBACK_BYTES`, the range just written is advised ``DONTNEED``, which on
    Linux starts its writeback without waiting for it (as PostgreSQL's
    ``pg_flush_data`` does where ``sync_file_range`` is not at hand). Where the call is
    missing, the file is an ordinary one.
    """

    _start = 0
    _end = 0

    def write(self, data: Any) -> int:
        written = super().write(data)
        self._end += written
        if self._end - self._start >= _WRITEBACK_BYTES and _FADVISE is not None:
            with suppress(OSError):  # advice only: the sync before the commit is the promise
                _FADVISE(self.fileno(), self._start, self._end - self._start, _DONTNEED)
            self._start = self._end
        return written


_FADVISE = getattr(os, "posix_fadvise", None)
_DONTNEED = getattr(os, "POSIX_FADV_DONTNEED", 0)


def _sync_folder(folder: Path) -> None:
    """Make a new name in *folder* durable, where the platform allows syncing a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # Windows cannot open a folder; the name is committed all the same
    try:
        with suppress(OSError):  # some file systems refuse to sync a folder
            os.fsync(fd)
    finally:
        os.close(fd)


# --- memory -------------------------------------------------------------------------------------


class InMemoryStore:
    """Documents as bytes in memory, with the same rules as :class:`FileSystemStore`.

    Keys are checked by :func:`validate_key`; reads return copies; a created
    document appears only when its block succeeds and never replaces another.
    Safe to share between threads.

    Args:
        documents: Documents to start with, by key. They are copied.

    Raises:
        ~invoicebackup.errors.UnsafeKeyError: A key in *documents* is unsafe.

    Example:
        >>> from invoicebackup import InMemoryStore
        >>> store = InMemoryStore({"docs/a.pdf": b"%PDF-1.7 a"})
        >>> with store.create("docs/b.pdf") as out:
        ...     _ = out.write(b"%PDF-1.7 b")
        >>> store.keys(), len(store), "docs/b.pdf" in store
        (['docs/a.pdf', 'docs/b.pdf'], 2, True)

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_documents", "_lock")

    def __init__(self, documents: Mapping[str, bytes] | None = None) -> None:
        self._lock = threading.Lock()
        self._documents: dict[str, bytes] = {
            validate_key(key): bytes(data) for key, data in (documents or {}).items()
        }

    def __repr__(self) -> str:
        n = len(self)
        return f"<{type(self).__name__}: {n} document{'s' if n != 1 else ''}>"

    def __len__(self) -> int:
        with self._lock:
            return len(self._documents)

    def __contains__(self, key: object) -> bool:
        """Whether a document is stored under *key*; an unsafe key is simply absent."""
        if not isinstance(key, str):
            return False
        with self._lock:
            return key in self._documents

    def keys(self) -> list[str]:
        """Every key with a document, sorted."""
        with self._lock:
            return sorted(self._documents)

    def exists(self, key: str) -> bool:
        """Whether a document is stored under *key*.

        Raises:
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe.
        """
        validate_key(key)
        with self._lock:
            return key in self._documents

    def read_bytes(self, key: str) -> bytes:
        """The whole document under *key*.

        Raises:
            ~invoicebackup.errors.DocumentNotFoundError: Nothing is stored under *key*.
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe.
        """
        validate_key(key)
        with self._lock:
            try:
                return self._documents[key]
            except KeyError:
                raise DocumentNotFoundError(key, "no document is stored under this key") from None

    def open(self, key: str) -> BinaryIO:
        """A binary stream over a copy of the document under *key*.

        Not part of :class:`DocumentStore`, as for :meth:`FileSystemStore.open`.

        Raises:
            ~invoicebackup.errors.DocumentNotFoundError: Nothing is stored under *key*.
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe.
        """
        return io.BytesIO(self.read_bytes(key))

    def delete(self, key: str) -> None:
        """Remove the document under *key* (nothing when there is none).

        See :meth:`FileSystemStore.delete`.

        Raises:
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe.

        .. versionadded:: 0.1.0
        """
        validate_key(key)
        with self._lock:
            self._documents.pop(key, None)

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Write a new document under *key*; it appears only if the block succeeds.

        Raises:
            ~invoicebackup.errors.DocumentExistsError: A document already exists under
                *key* (checked when the block starts and again, under a lock, when it commits).
            ~invoicebackup.errors.UnsafeKeyError: The key is unsafe.
        """
        validate_key(key)
        return self._create(key)

    @contextmanager
    def _create(self, key: str) -> Iterator[BinaryIO]:
        if self.exists(key):
            raise DocumentExistsError(key, "a document already exists under this key")
        buffer = _PendingDocument()
        try:
            yield buffer
        finally:
            buffer.close()
        with self._lock:
            if key in self._documents:
                raise DocumentExistsError(key, "a document already exists under this key")
            self._documents[key] = buffer.value


class _PendingDocument(io.BytesIO):
    """A write buffer that keeps its contents when closed."""

    value: bytes = b""

    def close(self) -> None:
        if not self.closed:
            self.value = self.getvalue()
        super().close()
