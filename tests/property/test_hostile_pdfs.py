"""Mutated PDFs through ``compile_backup``: only typed errors, and the bad-document policy applies.

Issue 7: "Mutated PDFs (truncation at any offset, flipped bytes, removed
``xref``/``trailer``, cut streams) — hypothesis-driven, a bounded number in ``make
test`` and a longer run behind its own command: only the typed errors of the library
ever come out, and the bad-document policy applies."

Each example mutates a sample PDF, attaches it to a one-invoice project and compiles
under one of the three policies. With ``"fail"`` the compile either succeeds or
raises an :class:`~invoicebackup.errors.InvoiceBackupError`; otherwise it always
succeeds and the attachment is either included with all its pages or reported
(placeholder or skip). The backup read back always has the page count the result
reports, and that count is the sum of what the manifest says went in; an included
attachment's pages are the source's as qpdf reads them (:mod:`tests.oracle`).

``make fuzz`` runs the same properties with ``HYPOTHESIS_PROFILE=fuzz``.
"""

from __future__ import annotations

import io
import os
import re

import pikepdf
import pypdf
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from invoicebackup import (
    Action,
    BackupOptions,
    BackupResult,
    BadDocumentError,
    InMemoryStore,
    InvoiceBackupError,
    compile_backup,
)
from invoicebackup.testing import (
    active_content_pdf,
    lien_waiver_pdf,
    linked_pdf,
    scanned_pdf,
    text_pdf,
)

from ..oracle import assert_backup_matches
from ..pdf_craft import (
    ATTACHMENT_KEY,
    INVOICE_KEY,
    NOW,
    USER_ID,
    one_attachment,
    page_count_of,
)
from ..pdf_craft import project as craft_project

#: Sound PDFs to mutate: every sample builder, small enough to keep examples cheap.
SOURCES: tuple[bytes, ...] = (
    text_pdf(["One", "Two", "Three"]),
    text_pdf(["Landscape"], page_size=(792, 612), rotation=90, title="Drawing"),
    lien_waiver_pdf({"claimant": "Volt Electric", "amount": "8400.00"}),
    scanned_pdf(pages=2, pixels=(20, 26)),
    linked_pdf(pages=3, named=True),
    linked_pdf(pages=2),
    active_content_pdf(),
)

KEYWORDS = (b"xref", b"trailer", b"startxref", b"%%EOF", b"endstream", b"endobj", b"obj")

#: In the fuzz profile each property runs as many examples as the profile says;
#: otherwise at most this many, so that this file stays well under a minute.
BOUNDED = 400
FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def examples(bound: int = BOUNDED) -> int:
    """The examples to run: the profile's, capped at *bound* unless fuzzing."""
    profile = settings().max_examples  # the loaded profile's
    return profile if FUZZING else min(profile, bound)


@st.composite
def mutated_pdfs(draw: st.DrawFn) -> bytes:
    """A sample PDF with one to three mutations of the kinds real damage takes."""
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 3))):
        if not data:
            break
        kind = draw(
            st.sampled_from(
                ["truncate", "flip", "remove_keyword", "cut_stream", "duplicate", "splice_digits"]
            )
        )
        if kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "flip":
            for _ in range(draw(st.integers(1, 8))):
                at = draw(st.integers(0, len(data) - 1))
                data[at] ^= draw(st.integers(1, 255))
        elif kind == "remove_keyword":
            word = draw(st.sampled_from(KEYWORDS))
            spots = [m.start() for m in re.finditer(re.escape(word), data)]
            if spots:
                at = draw(st.sampled_from(spots))
                replacement = draw(st.sampled_from([b"", b" " * len(word), b"xxxx"]))
                data[at : at + len(word)] = replacement
        elif kind == "cut_stream":
            spots = [m.end() for m in re.finditer(rb"stream\r?\n", data)]
            if spots:
                start = draw(st.sampled_from(spots))
                end = data.find(b"endstream", start)
                if end > start:
                    cut = draw(st.integers(start, end))
                    del data[cut:end]
        elif kind == "duplicate":
            objects = [m.span() for m in re.finditer(rb"\d+ 0 obj.*?endobj\n", data, re.S)]
            if objects:
                start, end = draw(st.sampled_from(objects))
                at = draw(st.sampled_from([start, end, len(data)]))
                data[at:at] = data[start:end]
        else:  # change a number: an offset, a length, a count, an object number
            numbers = [m.span() for m in re.finditer(rb"\d+", data)]
            if numbers:
                start, end = draw(st.sampled_from(numbers))
                data[start:end] = str(draw(st.integers(0, 10**7))).encode()
    return bytes(data)


POLICIES = st.sampled_from(["placeholder", "skip", "fail"])
CODES = frozenset(
    {"empty", "not_pdf", "damaged", "too_large", "encrypted", "unsupported_encryption"}
)


def _independent_page_count(data: bytes, *, by_qpdf: bool) -> int | None:
    """How many pages an independent engine reads, or None when it cannot.

    qpdf (through pikepdf) for a document the library read itself or repaired with qpdf;
    pypdf for one the library could read only after pypdf rewrote it, since its pages are
    then pypdf's reading (the two engines disagree on some damaged files).
    """
    try:
        if by_qpdf:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages)
        return len(pypdf.PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        return None


def _compile(data: bytes, policy: str) -> tuple[BackupResult | InvoiceBackupError, list[str]]:
    """Compile *data* as the attachment; the result (or typed error) and the backups written."""
    project, store = one_attachment(data)
    outcome: BackupResult | InvoiceBackupError
    try:
        outcome = compile_backup(
            project,
            invoice_ids=["i-1"],
            user_id=USER_ID,
            store=store,
            now=NOW,
            options=BackupOptions(on_bad_document=policy, embed_manifest=False),
        )
    except InvoiceBackupError as error:
        outcome = error
    else:
        backup = store.read_bytes(outcome.key)
        assert page_count_of(backup) == outcome.page_count
        # Issue 17: an included attachment's pages are the source's, as qpdf reads it.
        assert_backup_matches(outcome, backup, {ATTACHMENT_KEY: data})
    listing = store.keys()  # InMemoryStore lists its keys but is not iterable
    return outcome, [k for k in listing if k.startswith("backups/")]


def _verdict(result: BackupResult, data: bytes, policy: str) -> str | None:
    """Check one successful result; the attachment's reported code, or None when included."""
    (record,) = result.invoices
    sources = {s.key: s for s in record.sources}
    left = [item for item in result.left_out if item.key == ATTACHMENT_KEY]
    assert (ATTACHMENT_KEY in sources) != bool(left), "included exactly once, or reported"
    placeholders = sum(1 for item in result.left_out if item.page is not None)
    cover = result.manifest.cover_last_page or 0
    assert result.page_count == cover + sum(s.pages for s in record.sources) + placeholders
    if left:
        (item,) = left
        assert item.action is (Action.PLACEHOLDER if policy == "placeholder" else Action.SKIPPED)
        assert item.code in CODES
        return item.code
    source = sources[ATTACHMENT_KEY]
    rewritten_by_pypdf = source.encrypted or any("rebuilt" in note for note in source.notes)
    independent = _independent_page_count(data, by_qpdf=source.repaired or not rewritten_by_pypdf)
    if independent is not None:
        assert sources[ATTACHMENT_KEY].pages == independent
    return None


#: Found by ``make fuzz``: the catalog's ``/Pages`` changed to the first page. The reader read
#: that page as the whole document (1 page, qpdf 3); it now follows ``/Parent`` to the root.
POINTS_INTO_THE_TREE = linked_pdf(pages=3, named=True).replace(b"/Pages 2 0 R", b"/Pages 3 0 R", 1)
#: Found by ``make fuzz``: a stray ``!`` makes the reader refuse the file, and pypdf, which
#: rewrites it, wrote the font's ``/Subtype`` ``/\xd4ype1`` as other bytes (read as GBK).
NAME_PYPDF_CHANGES = (
    active_content_pdf()
    .replace(b"/Subtype /Type1", b"/Subtype /\xd4ype1")
    .replace(b"(calc.exe) >>", b"(calc.exe)!>>")
)

#: Found by ``make fuzz``: a vertical tab (not white-space in PDF) before ``stream``, in a
#: page's content and in a scan's image. The reader refuses the file; pypdf read the stream
#: as its dictionary alone, and the rewrite had the page blank, or the image gone, where
#: qpdf reads them. Such a rewrite is refused now.
TAB_BEFORE_STREAM = text_pdf(["One", "Two", "Three"]).replace(b">>\nstream", b">>\x0bstream", 1)
_SCAN = scanned_pdf(pages=2, pixels=(20, 26))
TAB_BEFORE_IMAGE = _SCAN.replace(b">>\nstream", b">>\x0bstream", 1)

#: Found by ``make fuzz``: a trailer without ``/Size`` and a page object appended after
#: ``%%EOF``. The reader read the table (two pages); qpdf takes the file for damaged and
#: reconstructs it (one page). The reader refuses such a trailer now, as qpdf does.
_PAGE_5 = _SCAN[_SCAN.index(b"5 0 obj\n") : _SCAN.index(b"endobj\n", _SCAN.index(b"5 0 obj\n")) + 7]
NO_SIZE = _SCAN.replace(b"/Size 8", b"/Rize 8") + _PAGE_5

#: Found by ``make fuzz``: object 4 without ``endobj`` and the table listing the page
#: content (``9 0 R``) as generation 10000. The reader refuses the file and pypdf, which
#: rewrites it, finds ``9 0 obj`` by its header: the page has its text. qpdf, reading the
#: page alone, reads the reference as null without a warning (an empty page), and reading
#: the whole file it warns and mends it: a source the oracle does not compare.
_WAIVER = SOURCES[2]
_AT_9 = _WAIVER.index(b"9 0 obj")
GENERATION_MOVED = _WAIVER.replace(b">>\nendobj\n5 0 obj", b">>\n      \n5 0 obj", 1).replace(
    b"%010d 00000 n " % _AT_9, b"%010d 10000 n " % _AT_9, 1
)

#: Found by ``make fuzz``: a backspace for the end of line after ``6 0 obj`` (a link),
#: and the font object written again after ``%%EOF``. Neither the reader nor pypdf reads
#: the file; qpdf's repair did, but saving it met the damage, rebuilt the table and wrote
#: the pages' font as null: the backup's pages used a font they no longer had. What the
#: pages use is now read before the save.
_LINKED = SOURCES[5]
_FONT = _LINKED[
    _LINKED.index(b"5 0 obj") : _LINKED.index(b"endobj\n", _LINKED.index(b"5 0 obj")) + 7
]
HEADER_RUNS_ON = _LINKED.replace(b"6 0 obj\n<<", b"6 0 obj\x08<<", 1) + _FONT

#: Found by ``make fuzz``: ``/Rotate 80``, not a multiple of 90. The reader read 0 and the
#: backup's page said 0; the value is kept now, as viewers differ on it.
ROTATE_80 = SOURCES[1].replace(b"/Rotate 90", b"/Rotate 80")


#: Found by ``make fuzz``: a font resource that names the page tree's root. The copy writes
#: a page tree node reached otherwise than as a page as null (linearizing does the same).
FONT_IS_THE_TREE = active_content_pdf().replace(b"/F1 3 0 R", b"/F1 2 0 R", 1)


@pytest.mark.timeout(0 if FUZZING else 120)
@settings(max_examples=examples(), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=mutated_pdfs())
@example(data=POINTS_INTO_THE_TREE)
@example(data=FONT_IS_THE_TREE)
@example(data=NAME_PYPDF_CHANGES)
@example(data=TAB_BEFORE_STREAM)
@example(data=TAB_BEFORE_IMAGE)
@example(data=ROTATE_80)
@example(data=GENERATION_MOVED)
@example(data=HEADER_RUNS_ON)
def test_a_mutated_attachment_gives_a_typed_error_or_a_reported_result(data: bytes) -> None:
    """Under each policy a mutated PDF is included whole or reported; "fail" raises typed errors."""
    verdicts: dict[str, str | None] = {}
    for policy in ("placeholder", "skip"):
        outcome, written = _compile(data, policy)
        assert isinstance(outcome, BackupResult), f"{policy!r} raised {outcome!r}"
        assert written == [outcome.key]
        verdicts[policy] = _verdict(outcome, data, policy)
    assert verdicts["placeholder"] == verdicts["skip"]
    outcome, written = _compile(data, "fail")
    if verdicts["skip"] is None:
        event("included")
        assert isinstance(outcome, BackupResult), f"'fail' raised {outcome!r}"
        assert _verdict(outcome, data, "fail") is None
    else:
        event(f"reported: {verdicts['skip']}")
        assert isinstance(outcome, BadDocumentError)
        assert (outcome.key, outcome.code) == (ATTACHMENT_KEY, verdicts["skip"])
        assert written == []


def test_a_rewrite_that_would_change_a_name_is_not_read() -> None:
    """NAME_PYPDF_CHANGES: pypdf's rewrite would write the font's name as other bytes.

    The rewrite is refused (qpdf's repair reads the file instead, or it is reported): the
    document is never read from what pypdf wrote. Checked apart from the oracle, which
    does not compare a source pypdf rebuilt once qpdf finds it damaged, as this one is.
    """
    outcome, _ = _compile(NAME_PYPDF_CHANGES, "placeholder")
    assert isinstance(outcome, BackupResult)
    (record,) = outcome.invoices
    for source in record.sources:
        assert not any("rebuilt" in note for note in source.notes), source.notes


@pytest.mark.timeout(0 if FUZZING else 120)
@settings(
    max_examples=examples(BOUNDED // 4),
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)
@given(attachments=st.lists(mutated_pdfs(), min_size=2, max_size=4), policy=POLICIES)
@example(attachments=[b"", NAME_PYPDF_CHANGES], policy="placeholder")
@example(attachments=[b"", NO_SIZE], policy="placeholder")
def test_several_mutated_attachments_never_poison_each_other(
    attachments: list[bytes], policy: str
) -> None:
    """Several damaged attachments together: each is included whole or reported on its own."""
    project = craft_project(attachments=len(attachments))
    keys = [d.key for d in project.invoices[0].attachments]
    store = InMemoryStore(
        {INVOICE_KEY: text_pdf(["Pay application"]), **dict(zip(keys, attachments, strict=True))}
    )
    outcome: BackupResult | InvoiceBackupError
    try:
        outcome = compile_backup(
            project,
            invoice_ids=["i-1"],
            user_id=USER_ID,
            store=store,
            now=NOW,
            options=BackupOptions(on_bad_document=policy),
        )
    except InvoiceBackupError as error:
        outcome = error
    if not isinstance(outcome, BackupResult):
        assert policy == "fail"
        assert isinstance(outcome, BadDocumentError)
        assert outcome.key in keys
        return
    result = outcome
    assert page_count_of(store.read_bytes(result.key)) == result.page_count
    (record,) = result.invoices
    included = {s.key: s.pages for s in record.sources}
    reported = {item.key for item in result.left_out}
    assert INVOICE_KEY in included
    assert set(keys) <= set(included) | reported
    assert not set(included) & reported
    for key, data in zip(keys, attachments, strict=True):
        alone, _ = _compile(data, "skip")
        assert isinstance(alone, BackupResult)
        assert (key in included) == (_verdict(alone, data, "skip") is None)
        if key in included:
            assert included[key] == alone.invoices[0].sources[-1].pages
