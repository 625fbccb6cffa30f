"""The benchmark's real-world workload (``bench/realworld.py``) and how the runner reports it."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pikepdf
import pytest
from bench import child, hotspots, realworld, run
from bench.workload import cached_workload

from invoicebackup import BackupOptions, InMemoryStore, compile_backup
from invoicebackup.pdf.errors import PdfError
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.testing import text_pdf
from tests.backup_helpers import ADMIN, NOW, attachment, invoice, project


@pytest.fixture
def corpus(shared_dir: Path) -> Path:
    """The real-world corpus, or skip saying it is absent."""
    folder = shared_dir / "corpus" / "realworld"
    if not (folder / "MANIFEST.tsv").is_file():
        pytest.skip(f"{folder} is absent: the real-world corpus is not here")
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.corpus
def test_every_occurrence_is_a_unique_copy_of_a_corpus_file(tmp_path: Path, corpus: Path) -> None:
    """Four documents per invoice, each its corpus file plus one comment line: no two alike."""
    workload = realworld.build(tmp_path / "w", invoices=3, seed=0, corpus=corpus)
    documents = workload.manifest["documents"]
    assert len(documents) == 3 * realworld.DOCUMENTS_PER_INVOICE
    digests = [
        hashlib.sha256((workload.folder / d["key"]).read_bytes()).hexdigest() for d in documents
    ]
    assert len(set(digests)) == len(documents)
    assert digests == [d["sha256"] for d in documents]
    assert workload.manifest["distinct_bytes"] == workload.manifest["input_bytes"]
    serials: list[int] = []
    for document in documents:
        assert document["source"] not in realworld.EXCLUDED
        original = (corpus / document["source"]).read_bytes()
        data = (workload.folder / document["key"]).read_bytes()
        # The comment line sits just before the last startxref, the rest is the original's.
        marker = re.search(rb"%unique (\d+)\n(?=startxref(?!.*startxref))", data, re.DOTALL)
        assert marker is not None, document["key"]
        serials.append(int(marker[1]))
        unmarked = data[: marker.start()] + data[marker.end() :]
        last = original.rindex(b"startxref")
        assert unmarked in (original, original[:last] + b"\n" + original[last:])
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == document["pages"], document["key"]
    assert sorted(serials) == list(range(1, len(documents) + 1))
    project_file = json.loads((workload.folder / "project.json").read_text(encoding="utf-8"))
    named = {inv["document"]["key"] for inv in project_file["invoices"]} | {
        a["key"] for inv in project_file["invoices"] for a in inv["attachments"]
    }
    assert named == {d["key"] for d in documents}


@pytest.mark.corpus
def test_a_copy_is_read_the_way_its_original_is(corpus: Path) -> None:
    """The comment keeps each copy on its original's path: read by the library's reader, or not.

    A copy read differently (refused where its original is read, say, and so rewritten through
    pypdf first) would make the benchmark measure that instead of the real documents.
    """
    read = 0
    for name in realworld.corpus_files(corpus):
        original = (corpus / name).read_bytes()
        outcome = _reading(original)
        assert _reading(realworld.unique_copy(original, 7)) == outcome, name
        read += outcome == "read"
    assert read > 0


def _reading(data: bytes) -> str:
    """How the library's reader takes *data*: ``read``, or the code it refuses it with."""
    try:
        PdfFile(data).pages()
    except PdfError as error:
        return error.code
    return "read"


@pytest.mark.corpus
def test_same_seed_same_bytes_another_seed_other_draws(tmp_path: Path, corpus: Path) -> None:
    """The seed decides which corpus files each invoice gets; the same seed, the same bytes."""
    realworld.build(tmp_path / "a", invoices=3, seed=5, corpus=corpus)
    realworld.build(tmp_path / "b", invoices=3, seed=5, corpus=corpus)
    other = realworld.build(tmp_path / "c", invoices=3, seed=6, corpus=corpus)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    first = json.loads((tmp_path / "a" / "bench-manifest.json").read_text(encoding="utf-8"))
    assert [d["source"] for d in first["documents"]] != [
        d["source"] for d in other.manifest["documents"]
    ]


@pytest.mark.corpus
def test_the_workload_is_cached_under_its_corpus_and_found_again(
    tmp_path: Path, corpus: Path
) -> None:
    """ensure_workload makes the folder once; the cache lookup finds it, whole, afterwards."""
    made = realworld.ensure_workload(invoices=2, seed=0, root=tmp_path, corpus=corpus)
    found = cached_workload(invoices=2, seed=0, root=tmp_path, kind="realworld", corpus=corpus)
    assert found is not None
    assert found.folder == made.folder
    assert found.kind == "realworld"
    assert not list(tmp_path.glob(".partial-*"))


@pytest.mark.corpus
def test_every_file_drawn_is_included_as_it_is_and_every_excluded_one_is_not(
    corpus: Path,
) -> None:
    """The exclusion list matches compile_backup: no password, no repair, nothing left out.

    The ".pdf" files whose bytes are images are image pages, not PDFs for the engines.
    """
    names = realworld.corpus_files(corpus)
    options = BackupOptions(on_bad_document="skip", embed_manifest=False, repair=False)
    p = project([invoice("i-1", attachments=[attachment(name) for name in names])])
    store = InMemoryStore(
        {
            "docs/i-1.pdf": text_pdf(["Pay application"]),
            **{
                "att/" + name: realworld.unique_copy((corpus / name).read_bytes(), 1)
                for name in names
            },
        }
    )
    result = compile_backup(
        p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW, options=options
    )
    assert result.left_out == ()
    assert not any(source.repaired for source in result.invoices[0].sources)
    for name in realworld.EXCLUDED:
        if not (corpus / name).is_file():
            continue
        p = project([invoice("i-1", attachments=[attachment(name)])])
        data = (corpus / name).read_bytes()
        store = InMemoryStore({"docs/i-1.pdf": text_pdf(["x"]), "att/" + name: data})
        result = compile_backup(
            p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW, options=options
        )
        (left_out,) = result.left_out
        assert realworld.EXCLUDED[name].startswith(left_out.code), (name, left_out.code)
    for name, kind in realworld.IMAGES.items():
        if not (corpus / name).is_file():
            continue
        p = project([invoice("i-1", attachments=[attachment(name)])])
        store = InMemoryStore(
            {"docs/i-1.pdf": text_pdf(["x"]), "att/" + name: (corpus / name).read_bytes()}
        )
        result = compile_backup(
            p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW, options=options
        )
        assert result.left_out == ()
        assert result.invoices[0].sources[1].image == kind


def test_without_the_corpus_the_builder_says_where_it_looked(tmp_path: Path) -> None:
    """No MANIFEST.tsv: a clear error naming the folder, and nothing is written."""
    with pytest.raises(realworld.CorpusMissingError, match=r"not at .*nowhere"):
        realworld.build(tmp_path / "w", invoices=3, corpus=tmp_path / "nowhere")
    assert not (tmp_path / "w").exists()
    assert realworld.main(["--invoices", "1", "--root", str(tmp_path), "--corpus", "nope"]) == 4


def test_without_the_corpus_the_runner_skips_realworld_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The realworld workload alone, no corpus: exit 0, results that say it was not run."""
    code = run.main(
        [
            "--workloads",
            "realworld",
            "--sizes",
            "1",
            "--root",
            str(tmp_path),
            "--corpus",
            str(tmp_path / "nowhere"),
        ]
    )
    assert code == 0
    assert "the corpus is not at" in capsys.readouterr().err
    (results,) = tmp_path.glob("results-*.md")
    assert "Not run: the realworld workload: the corpus is not at" in results.read_text()
    (payload,) = tmp_path.glob("results-*.json")
    assert json.loads(payload.read_text())["sizes"] == []


def test_an_unknown_workload_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt workload is a usage error naming the known ones, not a silent empty run."""
    with pytest.raises(SystemExit):
        run.main(["--workloads", "realworld,scanned"])
    assert "unknown workloads: scanned (known: generated, realworld)" in capsys.readouterr().err


def _size(pairs: list[tuple[float, float, float, float]]) -> run.SizeResult:
    """A real-world result with, per repetition, ours' and pikepdf's wall time and peak RSS."""
    size = run.SizeResult(
        workload="realworld",
        invoices=100,
        input_mb=64.0,
        distinct_input_mb=64.0,
        documents=400,
        pages=2040,
    )
    for rep, (our_s, our_mb, their_s, their_mb) in enumerate(pairs):
        size.runs.append(
            run.Run(engine="ours", invoices=100, repetition=rep, wall_s=our_s, peak_rss_mb=our_mb)
        )
        size.runs.append(
            run.Run(
                engine="pikepdf", invoices=100, repetition=rep, wall_s=their_s, peak_rss_mb=their_mb
            )
        )
    return size


def test_realworld_targets_are_ours_over_pikepdf_within_each_repetition() -> None:
    """Time ≤ 1.0 and peak RSS ≤ 0.5 of pikepdf's: the median of per-repetition ratios."""
    # Repetition ratios 0.9, 1.2, 0.8 (time) and 0.4, 0.6, 0.3 (RSS): medians 0.9 and 0.4.
    met = _size([(0.9, 40, 1.0, 100), (2.4, 60, 2.0, 100), (0.8, 30, 1.0, 100)])
    rows = {row[1]: row for row in run._target_rows([met])}
    assert rows["compile time / pikepdf time ≤ 1.0"][3:] == ["0.90", "met"]
    assert rows["peak RSS / pikepdf peak RSS ≤ 0.5"][3:] == ["0.40", "met"]
    missed = _size([(4.3, 90, 1.0, 251)])
    rows = {row[1]: row for row in run._target_rows([missed])}
    assert rows["compile time / pikepdf time ≤ 1.0"][3:] == ["4.30", "NOT met"]
    assert rows["peak RSS / pikepdf peak RSS ≤ 0.5"][3:] == ["0.36", "met"]
    assert all(row[0] == "realworld" for row in rows.values())


def test_a_peer_failing_on_a_document_is_its_error_naming_the_document() -> None:
    """An AssertionError (pypdf's) on one file: the child reports it, the runner records it."""
    with (
        pytest.raises(child.EngineFailed, match=r"^AssertionError on docs/i-1/a\.pdf$"),
        child._failing_on("docs/i-1/a.pdf"),
    ):
        raise AssertionError
    said = json.dumps({"error": "AssertionError on docs/i-1/a.pdf"})
    assert run._child_error(1, said + "\n", "Traceback …") == "AssertionError on docs/i-1/a.pdf"
    assert (
        run._child_error(1, "", "Traceback …\nMemoryError") == "exited 1: Traceback …\nMemoryError"
    )


@pytest.mark.corpus
def test_the_profile_names_each_source_and_whether_pypdf_rewrote_it(
    tmp_path: Path, corpus: Path
) -> None:
    """bench.hotspots on a tiny workload: every drawn source is in its table, read as is or not.

    A source is listed as rewritten exactly where its row says so (the reader refused it).
    """
    workload = realworld.build(tmp_path / "w", invoices=1, seed=3, corpus=corpus)
    text = hotspots.report(workload, top=10, repeat=1)
    sources = {d["source"] for d in workload.manifest["documents"]}
    assert f"{len(sources)} distinct sources:" in text
    assert all(f"| {source} |" in text for source in sources)
    [listed] = [line for line in text.splitlines() if line.startswith("Rewritten: ")]
    rewritten = {s for s in sources if f"| {s} | rewritten |" in text}
    assert {s for s in sources if f"| {s} | as is |" in text} == sources - rewritten
    assert set(listed.removeprefix("Rewritten: ").split(", ")) - {"none"} == rewritten
    assert not (workload.folder / "profile-output").exists()


@pytest.mark.corpus
def test_the_profile_says_which_sources_pypdf_rewrote(tmp_path: Path, corpus: Path) -> None:
    """A corpus of a file the reader refuses (a ``/Prev`` loop) and a plain one: one rewritten.

    The profile once looked for the engine path the PDF-layer rewrite removed, and called
    every document "simple".
    """
    small = tmp_path / "corpus"
    small.mkdir()
    names = ["fm-xrefv4-loop.pdf", "sf-minimal-latex.pdf"]
    rows = (corpus / "MANIFEST.tsv").read_text("utf-8").splitlines()
    kept = [rows[0]] + [row for row in rows[1:] if row.split("\t", 1)[0] in names]
    (small / "MANIFEST.tsv").write_text("\n".join(kept) + "\n", "utf-8")
    for name in names:
        (small / name).write_bytes((corpus / name).read_bytes())
    with pytest.raises(PdfError):
        PdfFile((small / names[0]).read_bytes())
    workload = realworld.build(tmp_path / "w", invoices=3, seed=0, corpus=small)
    text = hotspots.report(workload, top=10, repeat=1)
    assert "Rewritten: fm-xrefv4-loop.pdf\n" in text
    assert "| fm-xrefv4-loop.pdf | rewritten |" in text
    assert "| sf-minimal-latex.pdf | as is |" in text
