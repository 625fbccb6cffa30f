"""``make bench``: our ``compile_backup`` against pypdf, pikepdf and qpdf, on the same files.

Two workloads (``--workloads``, both by default): ``generated`` (:mod:`bench.generate`)
and ``realworld`` (:mod:`bench.realworld`, unique copies of the shared corpus' PDFs; left
out, saying so, when ``../shared/corpus/realworld`` is absent). For each workload and
size N the runner makes (or finds in ``bench-output/``) the workload, in a process of its
own, then runs every engine on it, each
in a fresh process so that the peak resident set size the operating system reports
for it (``ru_maxrss`` from ``wait4``) is its own. Linux starts a child's
``ru_maxrss`` from its parent's peak, so the runner itself stays small (it never
imports the generator) and the results say what its peak was:

- ``ours``: :func:`invoicebackup.compile_backup` through the public API (every
  invoice, the admin user, a ``FileSystemStore`` on the folder);
- ``pypdf``: ``PdfWriter.append`` of every document in backup order, then ``write``;
- ``pikepdf``: ``pages.extend`` of every document, then ``save``;
- ``qpdf``: ``qpdf --empty --pages … -- out.pdf``, when the command is installed.

Engines alternate between repetitions (the order rotates), because timings on a
shared machine drift: compare them by the ratios of one repetition, not by
absolute times. Wall time is the child process's, start to exit, as the parent
sees it (interpreter start-up and imports included); ``work s`` in the JSON is
the time the child itself measured after its imports.

Every output is checked, not only timed: its page count, and whether the lien
waivers' same-named form fields kept each invoice's own value under a fully
qualified name of their own (two fields with one name are one field to a viewer). Results are
printed and written to ``bench-output/results-<UTC date and time>.{json,md}``.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.workload import (
    CORPUS_MANIFEST,
    DEFAULT_CORPUS,
    KINDS,
    NotEnoughSpaceError,
    Workload,
    cached_workload,
    check_free_space,
)

ENGINES = ("ours", "pypdf", "pikepdf", "qpdf")
PEERS = ("pypdf", "pikepdf", "qpdf")
#: The sizes at which the issues set their targets; other sizes are informational.
TARGET_SIZES = (100, 1000)
#: Issue 18's bounds on the real-world workload: ours / pikepdf, in one run.
REALWORLD_TIME_BOUND = 1.0
REALWORLD_RSS_BOUND = 0.5
#: The builders' exit codes that say why they made nothing: too little space, no corpus.
NO_SPACE = 2
NO_CORPUS = 4
#: Exit code of an engine child when the engine cannot run here (not installed, not landed).
UNAVAILABLE = 3
# --- the parent ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class Run:
    """One engine's one run on one workload."""

    engine: str
    invoices: int
    repetition: int
    wall_s: float | None = None
    cpu_s: float | None = None
    work_s: float | None = None
    peak_rss_mb: float | None = None
    output_mb: float | None = None
    pages: int | None = None
    expected_pages: int | None = None
    forms: str | None = None
    sha256: str | None = None
    unavailable: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class SizeResult:
    """Every run at one size of one workload, and the workload it ran on."""

    workload: str
    invoices: int
    input_mb: float
    distinct_input_mb: float
    documents: int
    pages: int
    runs: list[Run] = field(default_factory=list)


def _measure(argv: list[str], *, cwd: Path) -> tuple[int, float, float, float, str, str]:
    """Run *argv*; its exit code, wall seconds, CPU seconds, peak RSS in MB, stdout and stderr.

    CPU seconds are user plus system time of all its threads: on a machine other jobs
    share, they grow less than wall time when the process waits for a core. Dirty pages
    are flushed first, so that no run pays for writing back the output of the run
    before it.
    """
    os.sync()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            proc.returncode,
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss * 1024 / 1e6,  # ru_maxrss is in KiB on Linux
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def _clean_stray_outputs(workload: Workload) -> None:
    """Delete backups an interrupted run left in the workload folder (ours writes there)."""
    known = {d["key"] for d in workload.manifest["documents"]} | set(workload.engine_keys)
    for path in workload.folder.rglob("*.pdf"):
        if path.relative_to(workload.folder).as_posix() not in known:
            path.unlink()


def _run_engine(engine: str, workload: Workload, rep: int, scratch: Path, *, check: bool) -> Run:
    run = Run(engine=engine, invoices=workload.manifest["invoices"], repetition=rep)
    out = scratch / f"{engine}-{run.invoices}-{rep}.pdf"
    root = Path(__file__).resolve().parents[1]
    if engine == "qpdf":
        qpdf = shutil.which("qpdf")
        if qpdf is None:
            run.unavailable = "the qpdf command is not installed"
            return run
        keys = workload.engine_keys  # a photo's one-page PDF: qpdf cannot read a JPEG
        argv = [qpdf, "--empty", "--pages", *keys, "--", str(out.resolve())]
        code, wall, cpu, rss, stdout, stderr = _measure(argv, cwd=workload.folder)
        report: dict[str, Any] = {"output": str(out)}
        # qpdf exits 3 for warnings only: the output was written.
        if code not in (0, 3):
            run.error = f"qpdf exited {code}: {stderr.strip()[-300:]}"
            return run
    else:
        argv = [
            sys.executable,
            "-m",
            "bench.child",
            engine,
            "--workload",
            str(workload.folder.resolve()),
            "--out",
            str(out.resolve()),
        ]
        code, wall, cpu, rss, stdout, stderr = _measure(argv, cwd=root)
        if code != 0:
            run.error = _child_error(code, stdout, stderr)
            return run
        report = json.loads(stdout.strip().splitlines()[-1])
        if "unavailable" in report:
            run.unavailable = report["unavailable"]
            return run
        run.work_s = report["work_s"]
        run.notes = [f"{k}: {report[k]}" for k in ("api", "left_out") if report.get(k)]
    output = Path(report["output"])
    run.wall_s = wall
    run.cpu_s = cpu
    run.peak_rss_mb = rss
    run.output_mb = output.stat().st_size / 1e6
    run.expected_pages = (
        workload.manifest["pages"]
        + int(report.get("placeholders", 0))
        + int(report.get("cover_pages", 0))
    )
    try:
        if engine == "ours":
            run.sha256 = _sha256(output)
        if check:
            argv = [
                sys.executable,
                "-m",
                "bench.child",
                "--check",
                str(output.resolve()),
                "--workload",
                str(workload.folder.resolve()),
            ]
            code, _wall, _cpu, _rss, stdout, stderr = _measure(argv, cwd=root)
            if code != 0:
                run.error = f"check failed: {stderr.strip()[-500:]}"
            else:
                checked = json.loads(stdout.strip().splitlines()[-1])
                run.pages = checked["pages"]
                run.forms = checked["forms"]
    finally:
        output.unlink(missing_ok=True)
    return run


def _child_error(code: int, stdout: str, stderr: str) -> str:
    """What a failed engine child said: the engine's error on a document, else its stderr."""
    lines = stdout.strip().splitlines()
    try:
        said = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        said = None
    if isinstance(said, dict) and "error" in said:
        return str(said["error"])
    return f"exited {code}: {stderr.strip()[-500:]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _runs(size: SizeResult, engine: str) -> list[Run]:
    return [r for r in size.runs if r.engine == engine]


def _ratio(size: SizeResult, peer: str, attr: str) -> float | None:
    """Median over repetitions of ours / *peer*, each from one repetition's pair of runs."""
    ratios = []
    for rep in {r.repetition for r in size.runs}:
        mine = [getattr(r, attr) for r in _runs(size, "ours") if r.repetition == rep]
        theirs = [getattr(r, attr) for r in _runs(size, peer) if r.repetition == rep]
        if mine and theirs and mine[0] is not None and theirs[0]:
            ratios.append(mine[0] / theirs[0])
    return statistics.median(ratios) if ratios else None


def _fmt(value: float | int | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def _engine_rows(size: SizeResult) -> list[list[str]]:
    rows = []
    for engine in ENGINES:
        runs = _runs(size, engine)
        if not runs:
            continue
        unavailable = next((r.unavailable for r in runs if r.unavailable), None)
        error = next((r.error for r in runs if r.error), None)
        if unavailable or (error and all(r.wall_s is None for r in runs)):
            note = f"not measured: {unavailable or error}"
            row = [size.workload, engine, str(size.invoices), "-", "-", "-", "-", "-", "-", note]
            rows.append(row)
            continue
        checked = next((r for r in runs if r.pages is not None), None)
        pages = "-" if checked is None else str(checked.pages)
        ok = checked is not None and checked.pages == checked.expected_pages
        shas = {r.sha256 for r in runs if r.sha256}
        notes = []
        if checked is not None:
            notes.append("pages ok" if ok else f"expected {checked.expected_pages} pages")
            if checked.forms != "no waivers":  # the real-world workload has none to check
                notes.append(f"forms {checked.forms}")
        if engine == "ours" and len(runs) > 1:
            notes.append("same bytes every run" if len(shas) == 1 else "bytes differ between runs")
        if any("invoicebackup.compile.compile_backup" in n for r in runs for n in r.notes):
            notes.append("via invoicebackup.compile (not re-exported yet)")
        if error:
            notes.append(error[:80])
        rows.append(
            [
                size.workload,
                engine,
                str(size.invoices),
                _fmt(_median([r.wall_s for r in runs])),
                _fmt(_median([r.cpu_s for r in runs])),
                _fmt(max((r.peak_rss_mb or 0.0) for r in runs), ".0f"),
                _fmt(_median([r.output_mb for r in runs]), ".1f"),
                pages,
                str(len([r for r in runs if r.wall_s is not None])),
                ", ".join(notes),
            ]
        )
    return rows


def _ratio_rows(size: SizeResult) -> list[list[str]]:
    rows = []
    for peer in PEERS:
        time_ratio = _ratio(size, peer, "wall_s")
        cpu_ratio = _ratio(size, peer, "cpu_s")
        rss_ratio = _ratio(size, peer, "peak_rss_mb")
        size_ratio = _ratio(size, peer, "output_mb")
        if time_ratio is None:
            continue
        rows.append(
            [
                size.workload,
                f"ours / {peer}",
                str(size.invoices),
                _fmt(time_ratio),
                _fmt(cpu_ratio),
                _fmt(rss_ratio),
                _fmt(size_ratio),
            ]
        )
    return rows


def _status(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "NOT met")


def _target_rows(sizes: list[SizeResult]) -> list[list[str]]:
    """Each workload's targets: issue 8's for the generated one, issue 18's for real documents."""
    rows: list[list[str]] = []
    for size in sizes:
        if size.workload == "realworld":
            rows += _realworld_target_rows(size)
        else:
            rows += _generated_target_rows(size)
    generated = {s.invoices: s for s in sizes if s.workload == "generated"}
    if not generated:
        return rows
    growth_row = ["generated", "peak RSS at 1,000 ≤ 1.5 x at 100", "100 → 1000"]
    if 100 in generated and 1000 in generated:
        small = [r.peak_rss_mb for r in _runs(generated[100], "ours") if r.peak_rss_mb]
        large = [r.peak_rss_mb for r in _runs(generated[1000], "ours") if r.peak_rss_mb]
        growth = max(large) / max(small) if small and large else None
        rows.append([*growth_row, _fmt(growth), _status(None if growth is None else growth <= 1.5)])
    else:
        rows.append([*growth_row, "-", "not measured"])
    return rows


def _scope(size: SizeResult) -> str:
    return f"{size.invoices}" + ("" if size.invoices in TARGET_SIZES else " (informational)")


def _checked_ours(size: SizeResult) -> tuple[list[Run], Run | None]:
    """Ours' measured runs at *size*, and the one whose output was checked."""
    ours = [r for r in _runs(size, "ours") if r.wall_s is not None]
    return ours, next((r for r in ours if r.pages is not None), None)


def _pages_row(size: SizeResult, checked: Run | None) -> list[str]:
    return [
        size.workload,
        "pages = inputs' pages + placeholders + cover sheet",
        _scope(size),
        "-" if checked is None else f"{checked.pages} of {checked.expected_pages}",
        _status(None if checked is None else checked.pages == checked.expected_pages),
    ]


def _generated_target_rows(size: SizeResult) -> list[list[str]]:
    """Issue 8's targets on the generated workload."""
    ours, checked = _checked_ours(size)
    rss = max((r.peak_rss_mb or 0.0) for r in ours) if ours else None
    out = _median([r.output_mb for r in ours])
    pikepdf_ratio = _ratio(size, "pikepdf", "wall_s")
    pypdf_ratio = _ratio(size, "pypdf", "wall_s")
    rss_share = None if rss is None else rss / size.input_mb
    out_share = None if out is None else out / size.input_mb
    rows = [
        [
            "compile time / pikepdf time ≤ 1.0",
            _fmt(pikepdf_ratio),
            _status(None if pikepdf_ratio is None else pikepdf_ratio <= 1.0),
        ],
        [
            "compile time / pypdf time ≤ 0.33",
            _fmt(pypdf_ratio),
            _status(None if pypdf_ratio is None else pypdf_ratio <= 0.33),
        ],
        [
            "peak RSS ≤ 0.25 x input bytes",
            "-" if rss_share is None else f"{rss:.0f} MB = {rss_share:.2f} x input",
            _status(None if rss_share is None else rss_share <= 0.25),
        ],
        [
            "output bytes / input bytes ≤ 0.75",
            _fmt(out_share),
            _status(None if out_share is None else out_share <= 0.75),
        ],
    ]
    result = [
        [size.workload, name, _scope(size), measured, status] for name, measured, status in rows
    ]
    result.append(_pages_row(size, checked))
    result.append(
        [
            size.workload,
            "lien waivers keep their own field values",
            _scope(size),
            "-" if checked is None else str(checked.forms),
            _status(None if checked is None else checked.forms in ("kept apart", "no waivers")),
        ]
    )
    return result


def _realworld_target_rows(size: SizeResult) -> list[list[str]]:
    """Issue 18's targets on real documents: time and peak RSS against pikepdf's."""
    _ours, checked = _checked_ours(size)
    time_ratio = _ratio(size, "pikepdf", "wall_s")
    rss_ratio = _ratio(size, "pikepdf", "peak_rss_mb")
    return [
        [
            size.workload,
            f"compile time / pikepdf time ≤ {REALWORLD_TIME_BOUND}",
            _scope(size),
            _fmt(time_ratio),
            _status(None if time_ratio is None else time_ratio <= REALWORLD_TIME_BOUND),
        ],
        [
            size.workload,
            f"peak RSS / pikepdf peak RSS ≤ {REALWORLD_RSS_BOUND}",
            _scope(size),
            _fmt(rss_ratio),
            _status(None if rss_ratio is None else rss_ratio <= REALWORLD_RSS_BOUND),
        ],
        _pages_row(size, checked),
    ]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "| " + " | ".join("-" * w for w in widths) + " |",
    ]
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join(lines)


ENGINE_HEADERS = [
    "workload",
    "engine",
    "N",
    "wall s",
    "CPU s",
    "peak RSS MB",
    "output MB",
    "pages",
    "runs",
    "checks",
]
RATIO_HEADERS = ["workload", "ratio", "N", "wall time", "CPU time", "peak RSS", "output bytes"]
TARGET_HEADERS = ["workload", "target", "N", "measured", "status"]


def _revision() -> str:
    """The checkout's commit, with ``+changes`` when ``src/`` differs from it."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, check=True
            )
            .stdout.decode()
            .strip()
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def render(
    sizes: list[SizeResult],
    *,
    started: str,
    runner_rss_mb: float,
    skipped: Sequence[str] = (),
) -> str:
    """The results as Markdown: workloads, engines, ratios and targets.

    *skipped* says, in words, which workloads were not run and why.
    """
    parts = [f"# Benchmark results, {started}", ""]
    repeats = ", ".join(f"{s.workload} N={s.invoices}: {_repetitions(s)}" for s in sizes)
    parts.append(
        f"Commit {_revision()}; "
        f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs; repetitions: "
        + (repeats or "none")
        + "; engines alternate between repetitions. The runner's own peak RSS was "
        + f"{runner_rss_mb:.0f} MB: no engine's reading can be lower (Linux starts a child's "
        + "peak RSS from its parent's)."
    )
    for reason in skipped:
        parts += ["", f"Not run: {reason}."]
    parts += ["", "## Workloads", ""]
    parts.append(
        _table(
            ["workload", "N", "documents", "pages", "input MB", "distinct input MB"],
            [
                [
                    s.workload,
                    str(s.invoices),
                    str(s.documents),
                    str(s.pages),
                    f"{s.input_mb:.1f}",
                    f"{s.distinct_input_mb:.1f}",
                ]
                for s in sizes
            ],
        )
    )
    parts += ["", "## Engines (median wall time, highest peak RSS)", ""]
    parts.append(_table(ENGINE_HEADERS, [row for s in sizes for row in _engine_rows(s)]))
    parts += ["", "## Ours relative to each peer (median of per-repetition ratios)", ""]
    ratio_rows = [row for s in sizes for row in _ratio_rows(s)]
    parts.append(
        _table(RATIO_HEADERS, ratio_rows) if ratio_rows else "No ratios: ours was not measured."
    )
    parts += [
        "",
        "## Targets (generated: issue 8; realworld: issue 18; set at N = 100 and N = 1,000)",
        "",
    ]
    parts.append(_table(TARGET_HEADERS, _target_rows(sizes)))
    return "\n".join(parts) + "\n"


def _repetitions(size: SizeResult) -> int:
    return max((r.repetition for r in size.runs), default=-1) + 1


def _default_repeats(n: int) -> int:
    return 1 if n >= 1000 else 5


def corpus_absent(corpus: Path) -> str | None:
    """Why the real-world workload cannot be made from *corpus*, or ``None`` if it can."""
    if (corpus / CORPUS_MANIFEST).is_file():
        return None
    return f"the realworld workload: the corpus is not at {corpus} (no {CORPUS_MANIFEST})"


def bench(
    *,
    sizes: Sequence[int],
    seed: int,
    root: Path,
    engines: Sequence[str],
    repeat: int | None,
    workloads: Sequence[str] = ("generated",),
    corpus: Path = DEFAULT_CORPUS,
) -> list[SizeResult]:
    """Run every engine on every workload at every size; print progress to stderr."""
    results = []
    _byte_compile()
    scratch = root / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    for kind in workloads:
        for n in sizes:
            label = f"{kind} N={n}"
            print(f"bench: {label}: preparing the workload", file=sys.stderr, flush=True)
            workload = _workload(kind, invoices=n, seed=seed, root=root, corpus=corpus)
            m = workload.manifest
            # The biggest output is about the size of the input; it is deleted after its check.
            check_free_space(root, m["input_bytes"])
            _clean_stray_outputs(workload)
            size = SizeResult(
                workload=kind,
                invoices=n,
                input_mb=m["input_bytes"] / 1e6,
                distinct_input_mb=m["distinct_bytes"] / 1e6,
                documents=len(m["documents"]),
                pages=m["pages"],
            )
            reps = repeat if repeat is not None else _default_repeats(n)
            _warm(workload)
            for rep in range(reps):
                order = [*engines[rep % len(engines) :], *engines[: rep % len(engines)]]
                for engine in order:
                    run = _run_engine(engine, workload, rep, scratch, check=rep == 0)
                    size.runs.append(run)
                    status = (
                        run.unavailable
                        or run.error
                        or (
                            f"{run.wall_s:.2f} s ({run.cpu_s:.2f} s CPU), "
                            f"{run.peak_rss_mb:.0f} MB RSS, "
                            f"{run.output_mb:.1f} MB"
                        )
                    )
                    print(
                        f"bench: {label} rep {rep + 1}/{reps} {engine}: {status}", file=sys.stderr
                    )
            results.append(size)
    return results


def _workload(kind: str, *, invoices: int, seed: int, root: Path, corpus: Path) -> Workload:
    """The cached workload, made first (in a process of its own) if it is not there.

    Not in this process: the builder's peak memory would stay this process's, and
    Linux starts every child's ``ru_maxrss`` from its parent's peak.
    """
    cached = cached_workload(invoices=invoices, seed=seed, root=root, kind=kind, corpus=corpus)
    if cached is not None:
        return cached
    module = "bench.realworld" if kind == "realworld" else "bench.generate"
    argv = [sys.executable, "-m", module, "--invoices", str(invoices)]
    argv += ["--seed", str(seed), "--root", str(root.resolve())]
    if kind == "realworld":
        argv += ["--corpus", str(corpus.resolve())]
    done = subprocess.run(argv, cwd=Path(__file__).resolve().parents[1], check=False)
    if done.returncode == NO_SPACE:  # it said why (not enough space)
        raise SystemExit(2)
    made = cached_workload(invoices=invoices, seed=seed, root=root, kind=kind, corpus=corpus)
    if done.returncode != 0 or made is None:
        raise RuntimeError(f"making the {kind} workload for N={invoices} failed")
    return made


def _byte_compile() -> None:
    """Byte-compile this project's modules, so ours starts as the peers do.

    pip byte-compiles the packages it installs, so pypdf and pikepdf start from ``.pyc``
    files; an editable install is compiled on first import, and never where
    ``PYTHONDONTWRITEBYTECODE`` is set (it is on some machines): every child would then
    compile our sources again, about 45 ms, which is not the library's time.
    """
    here = Path(__file__).resolve().parent
    for folder in (here, here.parent / "src" / "invoicebackup"):
        compileall.compile_dir(folder, quiet=1)


def _warm(workload: Workload) -> None:
    """Read every input once, so that no engine is timed on a cold cache for being first."""
    for document in workload.manifest["documents"]:
        with open(workload.folder / document["key"], "rb") as stream:
            while stream.read(1 << 20):
                pass


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description="Benchmark compile_backup against its peers.")
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "10,100,1000"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ["BENCH_REPEAT"]) if os.environ.get("BENCH_REPEAT") else None,
        help="repetitions per size (default: 5 below N=1000, 1 from N=1000)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, default=Path("bench-output"))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--workloads",
        default=os.environ.get("BENCH_WORKLOADS", ",".join(KINDS)),
        help="which workloads, comma-separated (default: generated,realworld)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="the real-world corpus (default: ../shared/corpus/realworld beside the checkout)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in _split(str(args.sizes))]
    engines = _split(str(args.engines))
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    workloads = _split(str(args.workloads))
    unknown = set(workloads) - set(KINDS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")
    skipped = []
    if "realworld" in workloads and (absent := corpus_absent(args.corpus)) is not None:
        print(f"bench: {absent}: it is skipped", file=sys.stderr)
        skipped.append(absent)
        workloads.remove("realworld")
    if "qpdf" in engines and shutil.which("qpdf") is None:
        print("bench: the qpdf command is not installed: its rows are skipped", file=sys.stderr)
    started = dt.datetime.now(dt.UTC)
    try:
        results = bench(
            sizes=sizes,
            seed=args.seed,
            root=args.root,
            engines=engines,
            repeat=args.repeat,
            workloads=workloads,
            corpus=args.corpus,
        )
    except NotEnoughSpaceError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    stamp = started.strftime("%Y-%m-%dT%H%M%SZ")
    markdown = render(
        results,
        started=started.strftime("%Y-%m-%d %H:%M UTC"),
        runner_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6,
        skipped=skipped,
    )
    print(markdown)
    args.root.mkdir(parents=True, exist_ok=True)
    (args.root / f"results-{stamp}.md").write_text(markdown, encoding="utf-8")
    payload = {
        "started": started.isoformat(),
        "revision": _revision(),
        "skipped": skipped,
        "sizes": [asdict(s) for s in results],
        "targets": [dict(zip(TARGET_HEADERS, row, strict=True)) for row in _target_rows(results)],
    }
    (args.root / f"results-{stamp}.json").write_text(
        json.dumps(payload, indent=1) + "\n", encoding="utf-8"
    )
    print(f"bench: results written to {args.root}/results-{stamp}.{{md,json}}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
