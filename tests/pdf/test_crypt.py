"""Files encrypted with the empty user password are read by the reader itself (pdf.crypt).

Encrypted here by pypdf's writer (public API), with each algorithm it offers; the reader
must give back exactly the strings and stream data of the plain file, and refuse (as
``encrypted``, so that pypdf is asked) what it cannot open with the empty password.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest

from invoicebackup import _pdf
from invoicebackup.pdf import crypt
from invoicebackup.pdf.errors import DAMAGED, ENCRYPTED, PdfError
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Dictionary, Name, Ref, Stream, String

from .craft import BASIC, classic

_ALGORITHMS = ("RC4-40", "RC4-128", "AES-128", "AES-256-R5", "AES-256")
#: A font holding a literal and a hexadecimal string (both encrypted in the file) and a
#: content stream whose bytes are not all text.
_PLAIN = classic(
    {
        **BASIC,
        4: b"<</Length 15>>\nstream\nBT (\x00\xffhi) Tj ET\nendstream",
        5: b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Note (caf\\351) /Hex <0A0B>>>",
    }
)


def _encrypted(algorithm: str, *, user: str = "") -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_PLAIN)))
    writer.encrypt(user_password=user, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _font_and_content(file: PdfFile) -> tuple[Dictionary, bytes]:
    page = file.pages()[0]
    fonts = page.resources[b"Font"]
    assert isinstance(fonts, Dictionary)
    font = file.resolve(fonts[b"F1"])
    content = file.resolve(page.dictionary[b"Contents"])
    assert isinstance(font, Dictionary)
    assert isinstance(content, Stream)
    return font, bytes(content.data)


@pytest.mark.parametrize("algorithm", _ALGORITHMS)
def test_the_reader_decrypts_a_file_the_empty_password_opens(algorithm: str) -> None:
    """Strings (literal and hex) and stream data come back as the plain file holds them."""
    data = _encrypted(algorithm)
    with pytest.raises(PdfError) as refused:
        PdfFile(data, decrypt=False)
    assert refused.value.code == ENCRYPTED
    file = PdfFile(data)
    assert file.encrypted
    font, content = _font_and_content(file)
    plain_font, plain_content = _font_and_content(PdfFile(_PLAIN))
    assert content == plain_content
    assert font[b"Note"] == plain_font[b"Note"] == String(b"caf\xe9")
    assert font[b"Hex"] == plain_font[b"Hex"]


@pytest.mark.parametrize("algorithm", _ALGORITHMS)
def test_a_file_with_a_user_password_is_left_to_pypdf(algorithm: str) -> None:
    """The empty password does not open it: refused as encrypted, never guessed at."""
    with pytest.raises(PdfError) as refused:
        PdfFile(_encrypted(algorithm, user="secret"))
    assert refused.value.code == ENCRYPTED


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_decrypted_document_is_copied_from_its_values(algorithm: str) -> None:
    """The backup holds the plain strings and content, and says the source was encrypted."""
    parsed = _pdf.open_pdf(_encrypted(algorithm), key="k/doc.pdf", filename="doc.pdf")
    assert parsed.encrypted
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC)
    )
    writer.add_document(parsed, field_prefix="d0")
    writer.finish(file_id=b"test")
    backup = PdfFile(out.getvalue())
    assert not backup.encrypted
    font, content = _font_and_content(backup)
    assert content == _font_and_content(PdfFile(_PLAIN))[1]
    assert font[b"Note"] == String(b"caf\xe9")


@pytest.mark.parametrize("algorithm", ["RC4-40", "AES-256"])
def test_only_objects_without_strings_or_data_are_copied_as_bytes(algorithm: str) -> None:
    """Encryption changes strings and stream data only (§7.6.1): other objects keep their bytes.

    The page tree (no strings) is copied as its bytes; the font (strings) and the
    content stream (data) are written from their decrypted values.
    """
    file = PdfFile(_encrypted(algorithm))
    page = file.pages()[0]
    assert page.ref is not None
    assert file.source(page.ref.num) is not None
    fonts = page.resources[b"Font"]
    assert isinstance(fonts, Dictionary)
    font, contents = fonts[b"F1"], page.dictionary[b"Contents"]
    assert isinstance(font, Ref)
    assert isinstance(contents, Ref)
    assert file.source(font.num) is None
    assert file.source(contents.num) is None


def test_a_signature_value_is_not_decrypted() -> None:
    """ISO 32000-2 §7.6.2: a signature dictionary's /Contents is written in the clear."""
    file = PdfFile(_encrypted("AES-128"))
    decryption = crypt.standard(file.resolve(file.trailer[b"Encrypt"]), file.trailer.get(b"ID"))
    assert decryption is not None
    clear = String(b"0\x82 a PKCS#7 blob", hex=True)
    signature = Dictionary({Name(b"Type"): Name(b"Sig"), Name(b"Contents"): clear})
    decrypted = decryption.value(signature, 9, 0)
    assert isinstance(decrypted, Dictionary)
    assert decrypted[b"Contents"] == clear
    # The same string anywhere else is decrypted (here: it is no AES ciphertext at all).
    with pytest.raises(PdfError):
        decryption.value(Dictionary({Name(b"Contents"): clear}), 9, 0)


def test_what_the_reader_is_not_sure_it_decrypted_goes_to_pypdf(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A decryption that fails while the pages are read: pypdf decrypts the file instead."""

    def unsure(*_args: object) -> None:
        raise PdfError(DAMAGED, "an AES-encrypted string or stream has no valid padding")

    monkeypatch.setattr(crypt.Decryption, "value", unsure)
    parsed = _pdf.open_pdf(_encrypted("AES-128"), key="k/doc.pdf", filename="doc.pdf")
    assert parsed.encrypted
    assert parsed.page_count == 1
