"""The reader against pikepdf (qpdf) on every real-world PDF (../shared/corpus/realworld).

For every file the reader reads, it must agree with pikepdf page by page: the page count,
the effective MediaBox, CropBox and Rotate, the stored bytes of every content stream and
the resource names (as bytes). Every file it refuses must be a typed refusal with a code,
and the refusals are listed below with their reason: an encrypted file the empty user
password does not open is normalised through pypdf's public API and then read by the
same reader.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from invoicebackup.pdf.errors import PdfError
from invoicebackup.pdf.pypdf_adapter import normalise
from invoicebackup.pdf.reader import Page, PdfFile
from invoicebackup.pdf.syntax import name_value
from invoicebackup.pdf.values import Array, Dictionary, Stream

pytestmark = pytest.mark.corpus

#: The files the reader refuses, and why. Each was looked at: none is a well-formed file.
EXPECTED_REFUSALS = {
    # Encrypted (trailer /Encrypt) where the empty password is not the user password, or by
    # a handler or crypt filter pdf.crypt does not know: read after normalise() with the
    # right password. (The eight the empty user password opens are read, and compared.)
    **dict.fromkeys(
        [
            "fm-enc-r2-bad-owner-key.pdf",
            "jsc-enc-saslprep-r6.pdf",
            "jsc-enc-utf8-password.pdf",
            "ph-malformed-encrypt-dict.pdf",
            "ph-pubkey-aes256.pdf",
            "pk-graph-encrypted.pdf",
            "py-r2-user-password.pdf",
            "py-r4-aes-user-password.pdf",
            "py-r6-user-password.pdf",
            "qp-20-pages.pdf",
            "qp-enc-r6-attachments.pdf",
            "sf-lo-user-password.pdf",
        ],
        "encrypted",
    ),
    # Cross-reference offsets that do not hold the objects they name.
    "fm-js.pdf": "damaged",
    "jsc-xref-command-missing.pdf": "damaged",
    "ph-startxref-hopeless.pdf": "damaged",
    "py-issue297-openaction.pdf": "damaged",
    "qp-bad-xref.pdf": "damaged",
    "sf-unreadable-metadata.pdf": "damaged",
    "zz-truncated-linearized-50pct.pdf": "damaged",
    # Streams whose /Length does not end at endstream (or is missing).
    "fm-bookmarks-circular.pdf": "damaged",
    "fm-empty-xref.pdf": "damaged",
    "fm-named-dests.pdf": "damaged",
    "jsc-undefined-stream-length.pdf": "damaged",
    # No startxref: cut short, or not a finished file.
    "pk-fuzz-378014596.pdf": "damaged",
    "pm-evil-xobjects.pdf": "damaged",
    "zz-truncated-60pct.pdf": "damaged",
    "zz-truncated-no-eof.pdf": "damaged",
    # A trailer without the required /Size: qpdf takes the file for damaged and reconstructs.
    "pk-cyclic-toc.pdf": "damaged",
    # /Prev chains that loop (the revisions they skip are unknown).
    "fm-xrefv4-loop.pdf": "damaged",
    "qp-append-xref-loop.pdf": "damaged",
    # An object stream whose index does not hold the object the table says.
    "ph-broken-objstream.pdf": "damaged",
    # Page trees that reach a node twice (loops; one page listed twice).
    "ph-circular-page-tree.pdf": "damaged",
    "qp-deep-page-tree.pdf": "damaged",
    "qp-pages-loop.pdf": "damaged",
    "qp-xref-compressed-in-compressed.pdf": "damaged",
    # A trailer nested deeper than the depth limit.
    "qp-nesting-bomb-trailer.pdf": "too_large",
    # Not PDF at all.
    "qp-bad-direct-root.pdf": "damaged",
    "qp-bad1-5-bytes.pdf": "damaged",
    "zz-not-pdf-html.pdf": "damaged",
    "zz-not-pdf-jpeg.pdf": "damaged",
    "zz-not-pdf-odt.pdf": "damaged",
    "zz-not-pdf-png.pdf": "damaged",
    "zz-zero-byte.pdf": "damaged",
}

#: qpdf's default when neither a page nor an ancestor has the (required) /MediaBox.
LETTER = [0.0, 0.0, 612.0, 792.0]


def corpus_files(shared_dir: Path) -> list[tuple[str, bytes]]:
    folder = shared_dir / "corpus" / "realworld"
    if not (folder / "MANIFEST.tsv").is_file():
        pytest.skip(f"{folder} is absent: the real-world corpus is not here")
    with (folder / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        names = [row["file"] for row in csv.DictReader(manifest, delimiter="\t")]
    return [(name, (folder / name).read_bytes()) for name in names]


def _box(box: Array | None) -> list[float]:
    return LETTER if box is None else [float(item) for item in box]  # type: ignore[arg-type]


def _contents(reader: PdfFile, page: Page) -> list[bytes]:
    contents = reader.resolve(page.dictionary.get(b"Contents"))
    items = list(contents) if isinstance(contents, Array) else [contents]
    streams = [reader.resolve(item) for item in items]
    return [bytes(stream.data) for stream in streams if isinstance(stream, Stream)]


def _resource_names(reader: PdfFile, page: Page) -> dict[bytes, set[bytes]]:
    names: dict[bytes, set[bytes]] = {}
    for category, value in page.resources.items():
        resolved = reader.resolve(value)
        if isinstance(resolved, Dictionary):
            names[category.value] = {key.value for key in resolved}
    return names


def _pikepdf_names(key: str) -> bytes:
    return name_value(pikepdf.Name(key).unparse()[1:])


def _pikepdf_resource_names(page: pikepdf.Page) -> dict[bytes, set[bytes]]:
    names: dict[bytes, set[bytes]] = {}
    resources = page.obj.get("/Resources")
    node: pikepdf.Object = page.obj
    while resources is None and "/Parent" in node:
        node = node.Parent
        resources = node.get("/Resources")
    if not isinstance(resources, pikepdf.Dictionary):
        return names
    for category in resources.keys():  # noqa: SIM118 -- pikepdf objects iterate differently
        value = resources[category]
        if isinstance(value, pikepdf.Dictionary):
            names[_pikepdf_names(category)] = {_pikepdf_names(key) for key in value.keys()}  # noqa: SIM118
    return names


def _pikepdf_contents(page: pikepdf.Page) -> list[bytes]:
    contents = page.obj.get("/Contents")
    items = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return [bytes(item.read_raw_bytes()) for item in items if isinstance(item, pikepdf.Stream)]


#: What the comparison looks at on one page.
PageView = tuple[list[float], list[float], int, list[bytes], dict[bytes, set[bytes]]]


def read_pages(data: bytes) -> list[PageView]:
    """Every page of *data* as our reader sees it (raises PdfError when it refuses)."""
    reader = PdfFile(data)
    return [
        (
            _box(page.media_box),
            _box(page.crop_box),
            page.rotate,
            _contents(reader, page),
            _resource_names(reader, page),
        )
        for page in reader.pages()
    ]


def assert_same_pages(
    name: str, data: bytes, pages: list[PageView], *, stored: bytes | None = None
) -> int:
    """*pages* agree with pikepdf's reading of *data*; the number of pages compared.

    Content streams are compared as stored in *stored* (default: *data*): a normalised
    file stores them decrypted, or re-cut where the original's /Length was wrong.
    """
    if stored is not None:
        with pikepdf.open(io.BytesIO(stored)) as pdf:
            assert [page[3] for page in pages] == [_pikepdf_contents(p) for p in pdf.pages], name
        pages = [(*page[:3], [], page[4]) for page in pages]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pages) == len(pdf.pages), name
        for number, (ours, theirs) in enumerate(zip(pages, pdf.pages, strict=True)):
            where = f"{name} page {number + 1}"
            assert ours[0] == [float(x) for x in theirs.mediabox], where
            assert ours[1] == [float(x) for x in theirs.cropbox], where
            assert ours[2] == theirs.rotation % 360, where
            assert stored is not None or ours[3] == _pikepdf_contents(theirs), where
            assert ours[4] == _pikepdf_resource_names(theirs), where
    return len(pages)


def test_every_corpus_file_reads_like_pikepdf_or_is_refused_with_its_listed_code(
    shared_dir: Path,
) -> None:
    """Every corpus file either reads with the same pages as pikepdf or is refused as listed.

    The refusals are typed (a PdfError with a code); the set of refused files is exactly
    the reviewed list, so a file that starts or stops reading is noticed.
    """
    refused: dict[str, str] = {}
    reasons: dict[str, str] = {}
    read = Counter[str]()
    for name, data in corpus_files(shared_dir):
        try:
            pages = read_pages(data)
        except PdfError as error:
            refused[name] = error.code
            reasons[name] = error.reason
            continue
        read["files"] += 1
        read["pages"] += assert_same_pages(name, data, pages)
    assert refused == EXPECTED_REFUSALS, reasons
    assert read["files"] == len(corpus_files(shared_dir)) - len(EXPECTED_REFUSALS)


def _pikepdf_opens(data: bytes) -> bool:
    try:
        with pikepdf.open(io.BytesIO(data)):
            return True
    except (pikepdf.PdfError, pikepdf.PasswordError):
        return False


def test_refused_corpus_files_read_after_normalising(shared_dir: Path) -> None:
    """A refused file that pikepdf opens without a password is read once normalised.

    normalise() decrypts with the empty password and rewrites the file through pypdf's
    public API (pikepdf's when pypdf cannot read it); the same reader then reads the result
    and agrees with pikepdf on the original's pages. What normalise() cannot open is a
    typed refusal too.
    """
    outcomes = Counter[str]()
    refusals: list[str] = []
    for name, data in corpus_files(shared_dir):
        if name not in EXPECTED_REFUSALS or not _pikepdf_opens(data):
            continue
        try:
            plain = normalise(data)
        except PdfError as error:
            outcomes[f"normalise refused: {error.code}"] += 1
            refusals.append(error.code)
            continue
        try:
            pages = read_pages(plain)
        except PdfError as error:
            outcomes[f"refused after normalising: {error.code}"] += 1
            continue
        assert_same_pages(name, data, pages, stored=plain)
        outcomes["read after normalising"] += 1
    print(dict(outcomes))  # the figures the report quotes (pytest -s)
    assert set(refusals) <= {"encrypted", "unsupported_encryption", "damaged"}
    assert outcomes["read after normalising"] >= 10, outcomes
