"""Sealed originals: a DocuSign-signed document embedded unmodified, its signature still valid.

A PDF is signed here with pyHanko and a certificate made for the test, used as the signed
version of an invoice, compiled with ``embed_signed_originals``, extracted from the backup
(with pikepdf, not our reader) and validated with pyHanko.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pikepdf
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from invoicebackup import BackupOptions, BackupResult, InMemoryStore, compile_backup, verify_backup
from invoicebackup.cli import main
from invoicebackup.testing import sample_documents, sample_project, write_sample_project

TODAY = date(2026, 11, 3)
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
#: The sample's signed invoice (its envelope is completed) and where its signed PDF is.
INVOICE = "i-2"
SIGNED_KEY = "signed/i-2.pdf"


def self_signed() -> tuple[asn1_x509.Certificate, signers.SimpleSigner]:
    """A certificate valid for a century (the test passes on any day) and a signer with it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Signer")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2099, 12, 31, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, signers.SimpleSigner(
        signing_cert=cert,
        signing_key=private,
        cert_registry=SimpleCertificateStore(),  # type: ignore[no-untyped-call]
    )


def signed_pdf(unsigned: bytes) -> tuple[bytes, asn1_x509.Certificate]:
    cert, signer = self_signed()
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(unsigned)),
        signers.PdfSignatureMetadata(field_name="Signature1"),
        signer=signer,
    )
    return out.getvalue(), cert


def validated(data: bytes, cert: asn1_x509.Certificate) -> list[object]:
    """The verdict of pyHanko on every signature of *data*, trusting *cert*."""
    reader = PdfFileReader(io.BytesIO(data))
    return [
        validate_pdf_signature(signature, ValidationContext(trust_roots=[cert]))
        for signature in reader.embedded_signatures
    ]


def compile_signed(**options: object) -> tuple[BackupResult, bytes, bytes, asn1_x509.Certificate]:
    documents = sample_documents(today=TODAY)
    original, cert = signed_pdf(documents[SIGNED_KEY])
    documents[SIGNED_KEY] = original
    store = InMemoryStore(documents)
    result = compile_backup(
        sample_project(today=TODAY),
        invoice_ids=[INVOICE],
        user_id="u-admin",
        store=store,
        options=BackupOptions(**options),  # type: ignore[arg-type]
        now=NOW,
    )
    return result, store.read_bytes(result.key), original, cert


def attachments_on(data: bytes, page: int) -> dict[str, bytes]:
    """The files shown by file attachment annotations on *page* (1-based), by name."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        found = {}
        for annot in pdf.pages[page - 1].get("/Annots", []):
            if annot.get("/Subtype") == pikepdf.Name.FileAttachment:
                spec = annot.FS
                found[str(spec.UF)] = spec.EF.F.read_bytes()
        return found


def test_the_signed_original_is_embedded_unmodified_and_its_signature_validates() -> None:
    """Extracted from the backup, the signed PDF is byte for byte the source, intact and valid."""
    result, backup, original, cert = compile_signed(embed_signed_originals=True)
    (status,) = validated(original, cert)
    assert status.intact  # type: ignore[attr-defined]
    assert status.valid  # type: ignore[attr-defined]
    record = result.invoices[0]
    signed = record.sources[0]
    assert signed.signed
    assert signed.embedded_as is not None
    assert record.first_page is not None
    on_first_page = attachments_on(backup, record.first_page)
    assert on_first_page[signed.embedded_as] == original
    with pikepdf.open(io.BytesIO(backup)) as pdf:
        listed = pdf.attachments[signed.embedded_as].get_file().read_bytes()
    assert listed == original
    (extracted_status,) = validated(listed, cert)
    assert extracted_status.intact  # type: ignore[attr-defined]
    assert extracted_status.valid  # type: ignore[attr-defined]
    assert extracted_status.trusted  # type: ignore[attr-defined]
    assert verify_backup(backup).verified


def test_the_merged_pages_carry_no_valid_signature() -> None:
    """In the backup itself the signature no longer holds; the manifest says so.

    The merge rewrote the bytes the signature covers.
    """
    result, backup, _original, cert = compile_signed(embed_signed_originals=True)
    statuses = validated(backup, cert)
    assert statuses
    assert not any(status.intact for status in statuses)  # type: ignore[attr-defined]
    notes = result.invoices[0].sources[0].notes
    assert any("does not survive the merge" in note for note in notes)


def test_the_certificate_is_sealed_beside_the_invoice() -> None:
    """With the certificate of completion: both originals on the invoice's first page."""
    result, backup, original, _cert = compile_signed(
        embed_signed_originals=True, include_certificate=True
    )
    record = result.invoices[0]
    assert record.first_page is not None
    sealed = {s.embedded_as: s for s in record.sources if s.embedded_as is not None}
    assert len(sealed) == 2
    on_first_page = attachments_on(backup, record.first_page)
    assert set(on_first_page) == set(sealed)
    certificate = next(s for s in sealed.values() if s.role.value == "certificate")
    documents = sample_documents(today=TODAY)
    assert certificate.embedded_as is not None
    assert on_first_page[certificate.embedded_as] in documents.values()
    assert original in on_first_page.values()


def test_without_the_option_nothing_is_sealed() -> None:
    """By default only the manifest is attached, and no page gains an annotation."""
    result, backup, _original, _cert = compile_signed()
    record = result.invoices[0]
    assert all(s.embedded_as is None for s in record.sources)
    assert record.first_page is not None
    assert attachments_on(backup, record.first_page) == {}
    with pikepdf.open(io.BytesIO(backup)) as pdf:
        assert list(pdf.attachments) == ["backup-manifest.json"]


def test_the_command_seals_the_signed_originals(tmp_path: Path) -> None:
    """The compile command's --embed-signed-originals: the manifest names each embedded original."""
    project = write_sample_project(tmp_path / "project", today=TODAY)
    out = tmp_path / "out"
    args = ["compile", project, "--as", "u-admin", "-o", out, "--now", NOW.isoformat()]
    result = CliRunner().invoke(
        main, [str(a) for a in [*args, "--embed-signed-originals", "--invoice", INVOICE, "--json"]]
    )
    document = json.loads(result.stdout)
    sources = document["result"]["manifest"]["invoices"][0]["sources"]
    embedded = [s["embedded_as"] for s in sources if s["embedded_as"]]
    assert embedded == [f"INV-0002 - {sources[0]['filename']}"]
    backup = Path(document["result"]["backup_path"]).read_bytes()
    with pikepdf.open(io.BytesIO(backup)) as pdf:
        assert (
            pdf.attachments[embedded[0]].get_file().read_bytes()
            == (project / SIGNED_KEY).read_bytes()
        )
