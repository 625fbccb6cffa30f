"""A backup rewritten by qpdf or pikepdf as users do still verifies; a changed page does not.

Two things a rewrite changes that a page does not draw: a stream stored with the
generalized filters (LZW, ASCII85, ASCIIHex) is decoded and compressed again with Flate
(qpdf's default), and a page object outside the page tree is dropped when the file is
linearized (its references become ``null``). Page digests of kind ``sha256-page/2``
take the first as the decoded data; the compile does not copy the second at all.
"""

from __future__ import annotations

import io
import zlib

import pikepdf
import pytest

from invoicebackup import BackupResult, MismatchKind, compile_backup, verify_backup
from invoicebackup.pdf.digest import Encoding, encoding, page_digests
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Array, Dictionary, Name, Stream, Value
from tests.backup_helpers import NOW
from tests.oracle import assert_backup_matches
from tests.pdf.test_generalized import ascii85_encoded, ascii_hex_encoded, lzw_encoded
from tests.pdf_craft import ATTACHMENT_KEY, USER_ID, build_pdf, one_attachment, stream
from tests.test_verify import resaved

CONTENT = b"".join(b"%d %d m %d %d l S\n" % (n, n % 90, n * 3 % 200, 90) for n in range(400))

#: A content stream stored with each chain: its /Filter, /DecodeParms and encoded data.
CHAINS: dict[str, tuple[bytes, bytes]] = {
    "lzw": (b"/Filter /LZWDecode", lzw_encoded(CONTENT)),
    "lzw-early-change-0": (
        b"/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>",
        lzw_encoded(CONTENT, early_change=0),
    ),
    "ascii85-flate": (
        b"/Filter [/ASCII85Decode /FlateDecode]",
        ascii85_encoded(zlib.compress(CONTENT)),
    ),
    "asciihex": (b"/Filter /ASCIIHexDecode", ascii_hex_encoded(CONTENT)),
}


def document(chain: str) -> bytes:
    """A one-page PDF whose content stream is stored with *chain*."""
    filters, data = CHAINS[chain]
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            stream(filters, data),
        ]
    )


def compiled(data: bytes) -> tuple[BackupResult, bytes]:
    project, store = one_attachment(data)
    result = compile_backup(project, invoice_ids=["i-1"], user_id=USER_ID, store=store, now=NOW)
    assert assert_backup_matches(result, store.read_bytes(result.key), {ATTACHMENT_KEY: data}) == 1
    return result, store.read_bytes(result.key)


def last_page_filter(data: bytes) -> object:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return pdf.pages[-1].Contents.get("/Filter")


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_a_stream_of_generalized_filters_verifies_after_qpdf_writes_it_as_flate(
    chain: str,
) -> None:
    """Rewritten by qpdf's defaults, the stream is Flate; its page verifies all the same.

    Digested as its stored bytes (the first kind's rule), the page would not.
    """
    _result, data = compiled(document(chain))
    again = resaved(data)
    assert last_page_filter(again) == pikepdf.Name.FlateDecode
    found = verify_backup(again)
    assert found.mismatches == ()
    assert found.verified
    before = page_digests(PdfFile(data), kind="sha256-page/1")
    after = page_digests(PdfFile(again), kind="sha256-page/1")
    assert before[-1] != after[-1]
    assert before[:-1] == after[:-1]


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_a_changed_stream_of_generalized_filters_is_found(chain: str) -> None:
    """The decoded data is what is digested: a line drawn differently changes the page."""
    result, data = compiled(document(chain))

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[-1].Contents.write(CONTENT.replace(b"0 0 m", b"0 1 m"))

    found = verify_backup(resaved(data, change))
    assert not found.verified
    assert [(m.kind, m.page) for m in found.mismatches] == [
        (MismatchKind.PAGE_CHANGED, result.page_count)
    ]


#: What only the page outside the page tree draws.
HIDDEN = b"BT /F1 9 Tf (left out of the extract) Tj ET"


def with_a_page_outside_its_tree() -> bytes:
    """A one-page form whose field has a second widget on a page outside the page tree.

    As an extraction of one page of a longer form leaves it: the field lists both
    widgets, and the other widget's ``/P`` names the page the extraction left out.
    """
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
            b"/Annots [6 0 R] >>",
            stream(b"", b"0 0 m 100 100 l S"),
            b"<< /FT /Tx /T (total) /V (1200.00) /Kids [6 0 R 7 0 R] >>",
            b"<< /Type /Annot /Subtype /Widget /Rect [10 10 90 30] /Parent 5 0 R /P 3 0 R >>",
            b"<< /Type /Annot /Subtype /Widget /Rect [10 10 90 30] /Parent 5 0 R /P 8 0 R >>",
            b"<< /Type /Page /Parent 10 0 R /MediaBox [0 0 200 200] /Contents 9 0 R >>",
            stream(b"", HIDDEN),
            b"<< /Type /Pages /Kids [8 0 R] /Count 1 >>",
        ]
    )


def test_a_page_outside_the_page_tree_is_not_copied() -> None:
    """Its content is not in the backup, the source says so, and linearizing verifies."""
    source = with_a_page_outside_its_tree()
    result, data = compiled(source)
    assert HIDDEN in source
    assert HIDDEN not in data
    (record,) = [s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY]
    assert "a page or page tree node reached outside the page tree" in record.removed
    # The field keeps both widgets; the second's /P is null now.
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (document_fields,) = pdf.Root.AcroForm.Fields  # the document's, under its prefix
        (field,) = document_fields.Kids
        assert field.T == "total"
        assert [kid.get("/P") is None for kid in field.Kids] == [False, True]
    for linearize in (False, True):
        found = verify_backup(resaved(data, linearize=linearize))
        assert found.mismatches == ()


FLATE, LZW, A85 = (Name(b"FlateDecode"), Name(b"LZWDecode"), Name(b"ASCII85Decode"))


@pytest.mark.parametrize(
    ("entries", "first", "second"),
    [
        ({}, "plain", "plain"),
        ({b"Filter": FLATE}, "flate", "flate"),
        ({b"Filter": Array((FLATE,)), b"DecodeParms": Array()}, "flate", "flate"),
        ({b"Filter": FLATE, b"DecodeParms": Dictionary({Name(b"Predictor"): 1})}, None, "flate"),
        ({b"Filter": FLATE, b"DecodeParms": Dictionary({Name(b"Predictor"): 12})}, None, None),
        ({b"Filter": LZW}, None, ((LZW, 1),)),
        (
            {b"Filter": LZW, b"DecodeParms": Dictionary({Name(b"EarlyChange"): 0})},
            None,
            ((LZW, 0),),
        ),
        ({b"Filter": LZW, b"DecodeParms": Dictionary({Name(b"EarlyChange"): 2})}, None, None),
        ({b"Filter": Array((A85, FLATE))}, None, ((A85, 1), (FLATE, 1))),
        ({b"Filter": Array((A85, FLATE)), b"DecodeParms": Dictionary({})}, None, None),
        ({b"Filter": Name(b"DCTDecode")}, None, None),
        ({b"Filter": Array((A85, Name(b"DCTDecode")))}, None, None),
    ],
)
def test_which_streams_are_digested_as_their_decoded_data(
    entries: dict[bytes, Value], first: Encoding, second: Encoding
) -> None:
    """The first kind decodes Flate alone; the second, any chain of generalized filters."""
    stream = Stream(Dictionary({Name(key): value for key, value in entries.items()}), b"")
    assert encoding(stream, kind="sha256-page/1") == first
    assert encoding(stream, kind="sha256-page/2") == second
