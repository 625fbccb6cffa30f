"""Reading files encrypted by the standard security handler with the empty user password.

Most encrypted invoices only restrict printing or editing: anyone may open them, with
the empty user password (ISO 32000-1 §7.6.3; ISO 32000-2 §7.6.4 for AES-256). For those,
:func:`standard` computes the file's key and checks that the empty password is the user
password (RC4 40-128 bits, revisions 2-4; AES-128, revision 4; AES-256, revisions 5
and 6), and :class:`Decryption` decrypts each object's strings and streams as the reader
reads them. What it does not know for sure — another security handler, a crypt filter
other than the standard one, a user password that is not empty, anything malformed — it
leaves to pypdf (``None``), as before.

The ciphers come from the ``cryptography`` package, which ``pypdf[crypto]`` installs;
without it every encrypted file goes to pypdf.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Final

from .errors import DAMAGED, PdfError
from .values import Array, Dictionary, Name, Stream, String, Value

#: Algorithm 2 step a: the padding of a password to 32 bytes.
_PAD: Final = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")

_XREF: Final = Name(b"XRef")
_CONTENTS: Final = Name(b"Contents")
_SIGNATURES: Final = (Name(b"Sig"), Name(b"DocTimeStamp"))
#: The kinds of value that are or may hold strings.
_HOLDERS: Final = frozenset({String, Dictionary, Array})

#: One cipher: key and data to the data decrypted (raising :class:`PdfError` when unsure).
Cipher = Callable[[bytes, bytes], bytes]


def _rc4(key: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    from cryptography.hazmat.primitives.ciphers import Cipher as Ciphers

    decryptor = Ciphers(ARC4(key), mode=None).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def _aes_cbc(key: bytes, data: bytes) -> bytes:
    """§7.6.3.1 (AESV2, AESV3): a 16-byte initialisation vector, then PKCS#5-padded data."""
    from cryptography.hazmat.primitives.ciphers import Cipher as Ciphers
    from cryptography.hazmat.primitives.ciphers import algorithms, modes

    if len(data) % 16 or len(data) < 32:
        if not data:
            return data
        raise PdfError(DAMAGED, "an AES-encrypted string or stream is not whole blocks")
    decryptor = Ciphers(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    plain = decryptor.update(data[16:]) + decryptor.finalize()
    padding = plain[-1]
    if not 1 <= padding <= 16 or plain[-padding:] != bytes((padding,)) * padding:
        raise PdfError(DAMAGED, "an AES-encrypted string or stream has no valid padding")
    return plain[:-padding]


def _aes_raw(key: bytes, data: bytes, *, encrypt: bool) -> bytes:
    """AES in CBC mode with a zero vector (or the vector Algorithm 2.B gives), no padding."""
    from cryptography.hazmat.primitives.ciphers import Cipher as Ciphers
    from cryptography.hazmat.primitives.ciphers import algorithms, modes

    iv = key[16:32] if encrypt else bytes(16)
    cipher = Ciphers(algorithms.AES(key[:16] if encrypt else key), modes.CBC(iv))
    work = cipher.encryptor() if encrypt else cipher.decryptor()
    return work.update(data) + work.finalize()


def _identity(key: bytes, data: bytes) -> bytes:
    return data


class Decryption:
    """Decrypts the strings and streams of one file's indirect objects (§7.6.2).

    Args:
        key: The file's key.
        strings: The cipher of strings (``/StrF``), or ``None`` for identity.
        streams: The cipher of streams (``/StmF``), or ``None`` for identity.
        aes256: Whether the file key is used as it is (AES-256) rather than per object.
        metadata: Whether ``/Metadata`` streams are encrypted (``/EncryptMetadata``).
    """

    def __init__(
        self,
        key: bytes,
        *,
        strings: tuple[Cipher, bool] | None,
        streams: tuple[Cipher, bool] | None,
        aes256: bool,
        metadata: bool,
    ) -> None:
        self.key = key
        self.strings = strings
        self.streams = streams
        self.aes256 = aes256
        self.metadata = metadata

    def _object_key(self, num: int, gen: int, aes: bool) -> bytes:
        """Algorithm 1: the key of object *num* *gen* (AES-256 uses the file key)."""
        if self.aes256:
            return self.key
        salt = b"sAlT" if aes else b""
        seed = self.key + num.to_bytes(4, "little")[:3] + gen.to_bytes(4, "little")[:2] + salt
        return hashlib.md5(seed, usedforsecurity=False).digest()[: min(len(self.key) + 5, 16)]

    def value(self, value: Value, num: int, gen: int) -> Value:
        """*value*, the content of object *num* *gen*, with its strings and stream decrypted."""
        if isinstance(value, Stream):
            dictionary = self._strings(value.dictionary, num, gen)
            assert isinstance(dictionary, Dictionary)
            return Stream(dictionary, self._stream(dictionary, bytes(value.data), num, gen))
        return self._strings(value, num, gen)

    def _strings(self, value: Value, num: int, gen: int) -> Value:
        """*value* with its strings decrypted: *value* itself when it holds none.

        The reader copies an object whose decrypted value is its value itself as its
        bytes: only strings and stream data are encrypted (§7.6.1).
        """
        if self.strings is None:
            return value
        kind = type(value)
        if kind is String:
            assert isinstance(value, String)
            cipher, aes = self.strings
            return String(cipher(self._object_key(num, gen, aes), value.value), hex=value.hex)
        if kind is Dictionary:
            assert isinstance(value, Dictionary)
            type_ = value.get(b"Type")
            if type_ == _XREF:
                return value  # §7.5.8.2: a cross-reference stream is not encrypted
            # ISO 32000-2 §7.6.2: a signature's /Contents is not encrypted (it signs bytes).
            signature = b"ByteRange" in value or type_ in _SIGNATURES
            items: dict[Name, Value] | None = None
            for k, v in value.items():
                # Only strings and what may hold them are looked into (most values are
                # names, numbers and references).
                if type(v) not in _HOLDERS or (signature and k == _CONTENTS):
                    continue
                new = self._strings(v, num, gen)
                if new is not v:
                    if items is None:
                        items = dict(value.items())
                    items[k] = new
            return value if items is None else Dictionary(items)
        if kind is Array:
            assert isinstance(value, Array)
            decrypted: list[Value] | None = None
            for index, item in enumerate(value):
                if type(item) not in _HOLDERS:
                    continue
                new = self._strings(item, num, gen)
                if new is not item:
                    if decrypted is None:
                        decrypted = list(value)
                    decrypted[index] = new
            return value if decrypted is None else Array(decrypted)
        return value

    def _stream(self, dictionary: Dictionary, data: bytes, num: int, gen: int) -> bytes:
        kind = dictionary.get(b"Type")
        if kind == _XREF or (not self.metadata and kind == Name(b"Metadata")):
            return data
        filters = dictionary.get(b"Filter")
        names = filters if isinstance(filters, Array) else (filters,)
        if Name(b"Crypt") in names:
            # A stream with a crypt filter of its own: pypdf decides, as before.
            raise PdfError(DAMAGED, "a stream has a crypt filter of its own")
        if self.streams is None:
            return data
        cipher, aes = self.streams
        return cipher(self._object_key(num, gen, aes), data)


def _bytes(value: Value) -> bytes | None:
    return value.value if isinstance(value, String) else None


def _crypt_filter(encrypt: Dictionary, name: Value, length: int) -> tuple[Cipher, bool] | None:
    """The cipher a ``/StmF`` or ``/StrF`` names (V4, V5), ``None`` for identity.

    Raises:
        LookupError: A crypt filter this module does not know.
    """
    if name is None or name == Name(b"Identity"):
        return None
    filters = encrypt.get(b"CF")
    entry = (
        filters.get(name) if isinstance(filters, Dictionary) and isinstance(name, Name) else None
    )
    if not isinstance(entry, Dictionary):
        raise LookupError("an unknown crypt filter")
    method = entry.get(b"CFM")
    if method == Name(b"V2"):
        return _rc4, False
    if method == Name(b"AESV2") and length == 16:
        return _aes_cbc, True
    if method == Name(b"AESV3") and length == 32:
        return _aes_cbc, True
    if method is None or method == Name(b"None"):
        return None
    raise LookupError("an unknown crypt filter method")


def standard(encrypt: Value, file_id: Value) -> Decryption | None:
    """The decryption of a file whose ``/Encrypt`` is *encrypt*, if the empty password opens it.

    ``None`` when it is not the standard security handler, its version or crypt filters
    are not ones this module knows, ``cryptography`` is not installed, or the empty
    password is not the user password.
    """
    try:
        import cryptography  # noqa: F401  (installed by pypdf[crypto])
    except ImportError:
        return None
    if not isinstance(encrypt, Dictionary) or encrypt.get(b"Filter") != Name(b"Standard"):
        return None
    version, revision = encrypt.get(b"V"), encrypt.get(b"R")
    owner, user = _bytes(encrypt.get(b"O")), _bytes(encrypt.get(b"U"))
    if type(version) is not int or type(revision) is not int or owner is None or user is None:
        return None
    metadata = encrypt.get(b"EncryptMetadata") is not False
    try:
        if version in (1, 2) and revision in (2, 3):
            bits = encrypt.get(b"Length", 40) if version == 2 else 40
            if type(bits) is not int or bits % 8 or not 40 <= bits <= 128:
                return None
            key = _rc4_key(encrypt, bits // 8, owner, user, file_id, revision, metadata)
            cipher: tuple[Cipher, bool] | None = (_rc4, False)
            if key is None:
                return None
            return Decryption(key, strings=cipher, streams=cipher, aes256=False, metadata=metadata)
        if version == 4 and revision == 4:
            bits = encrypt.get(b"Length", 128)
            if type(bits) is not int or bits % 8 or not 40 <= bits <= 128:
                return None
            strings = _crypt_filter(encrypt, encrypt.get(b"StrF"), bits // 8)
            streams = _crypt_filter(encrypt, encrypt.get(b"StmF"), bits // 8)
            key = _rc4_key(encrypt, bits // 8, owner, user, file_id, revision, metadata)
            if key is None:
                return None
            return Decryption(
                key, strings=strings, streams=streams, aes256=False, metadata=metadata
            )
        if version == 5 and revision in (5, 6):
            strings = _crypt_filter(encrypt, encrypt.get(b"StrF"), 32)
            streams = _crypt_filter(encrypt, encrypt.get(b"StmF"), 32)
            key = _aes256_key(encrypt, user, revision)
            if key is None:
                return None
            return Decryption(key, strings=strings, streams=streams, aes256=True, metadata=metadata)
    except LookupError:
        return None
    return None


def _rc4_key(
    encrypt: Dictionary,
    length: int,
    owner: bytes,
    user: bytes,
    file_id: Value,
    revision: int,
    metadata: bool,
) -> bytes | None:
    """Algorithm 2 with the empty password, checked against ``/U`` (Algorithms 4 and 5)."""
    permissions = encrypt.get(b"P")
    if type(permissions) is not int or len(owner) < 32 or len(user) < 32:
        return None
    first_id = b""
    if isinstance(file_id, Array) and file_id and isinstance(file_id[0], String):
        first_id = file_id[0].value
    seed = _PAD + owner[:32] + (permissions & 0xFFFFFFFF).to_bytes(4, "little") + first_id
    if revision >= 4 and not metadata:
        seed += b"\xff\xff\xff\xff"
    digest = hashlib.md5(seed, usedforsecurity=False).digest()
    if revision >= 3:
        for _ in range(50):
            digest = hashlib.md5(digest[:length], usedforsecurity=False).digest()
    key = digest[:length]
    if revision == 2:
        return key if _rc4(key, _PAD) == user[:32] else None
    check = hashlib.md5(_PAD + first_id, usedforsecurity=False).digest()
    for round_ in range(20):
        check = _rc4(bytes(byte ^ round_ for byte in key), check)
    return key if check == user[:16] else None


def _aes256_key(encrypt: Dictionary, user: bytes, revision: int) -> bytes | None:
    """Algorithm 2.A with the empty password: ``/U`` checked, ``/UE`` decrypted."""
    user_key = _bytes(encrypt.get(b"UE"))
    if len(user) < 48 or user_key is None or len(user_key) != 32:
        return None
    if _hash(user[32:40], revision) != user[:32]:
        return None
    return _aes_raw(_hash(user[40:48], revision), user_key, encrypt=False)


def _hash(salt: bytes, revision: int) -> bytes:
    """Algorithm 2.B (revision 6; revision 5 is its first SHA-256) of the empty password."""
    key = hashlib.sha256(salt).digest()
    if revision == 5:
        return key
    round_ = 0
    while True:
        block = _aes_raw(key, key * 64, encrypt=True)
        mod = sum(block[:16]) % 3
        key = (hashlib.sha256, hashlib.sha384, hashlib.sha512)[mod](block).digest()
        round_ += 1
        if round_ >= 64 and block[-1] <= round_ - 32:
            return key[:32]
