"""Where ``compile_backup`` spends its time on a workload: per function, per area, per document.

``python -m bench.hotspots --workload bench-output/realworld-…-n100`` compiles the workload's
backup (every invoice, as the benchmark's ``ours`` child does) three times in this process:

1. timed, without a profiler: each document's time from the progress events
   (``read`` — read from the store, hashed, parsed — then ``assembled`` — copied and
   written), summed per source (the corpus file a copy was made from; the document's
   key for generated workloads);
2. under ``cProfile`` as a whole: the top functions by cumulative and by own time, and
   own time summed per area (pypdf, our modules one by one, the standard library);
3. under a fresh ``cProfile`` per document: whether it was rewritten through pypdf first
   (``invoicebackup.pdf.pypdf_adapter.normalise`` ran: the reader refused it as damaged or
   encrypted) or read as it is, and how its own time splits between pypdf and our code.

Only the public API is called; the rewrite is read from the profile's file names. Output is
Markdown on stdout. The first compile of a process imports our modules (and pypdf when a
document needs rewriting): a warm-up compile of the first invoice runs before pass 1.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.child import FIXED_NOW
from bench.workload import Workload, load_workload
from invoicebackup import (
    BackupResult,
    FileSystemStore,
    ProgressEvent,
    ProgressStage,
    compile_backup,
    load_project,
)

#: Output folder of the profile's compiles, inside the workload (deleted after each).
_OUTPUT = "profile-output"


def _compile(
    workload: Workload,
    invoice_ids: Sequence[str],
    progress: Callable[[ProgressEvent], None] | None = None,
) -> BackupResult:
    from invoicebackup import BackupOptions

    project = load_project(workload.folder)
    store = FileSystemStore(workload.folder)
    try:
        return compile_backup(
            project,
            invoice_ids=list(invoice_ids),
            user_id=workload.manifest["admin_user_id"],
            store=store,
            options=BackupOptions(output_prefix=_OUTPUT),
            progress=progress,
            now=FIXED_NOW,
        )
    finally:
        shutil.rmtree(workload.folder / _OUTPUT, ignore_errors=True)


def _source(document: dict[str, Any]) -> str:
    return str(document.get("source") or document["key"])


def _area(filename: str) -> str:
    """The area a profiled function belongs to, by its file."""
    path = filename.replace("\\", "/")
    if "/pypdf/" in path:
        return "pypdf"
    if "/invoicebackup/" in path:
        return "invoicebackup/" + path.rsplit("/", 1)[-1]
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0]
    if path.startswith("~") or path.startswith("<"):
        return "built-in (C) functions"
    return "standard library"


def _label(filename: str, line: int, name: str) -> str:
    """A function's name with its file, from the package folder on."""
    path = filename.replace("\\", "/")
    for anchor in ("/site-packages/", "/src/"):
        if anchor in path:
            path = path.split(anchor, 1)[1]
            break
    else:
        path = path.rsplit("/", 1)[-1]
    return f"{path}:{line} {name}" if line else name


def per_document_times(workload: Workload) -> tuple[float, list[tuple[float, float]]]:
    """The compile's wall time and each document's (read+parse, copy+write) seconds."""
    marks: list[tuple[ProgressStage, float]] = []
    start = time.perf_counter()
    _compile(
        workload,
        workload.invoice_ids,
        progress=lambda event: marks.append((event.stage, time.perf_counter())),
    )
    total = time.perf_counter() - start
    times: list[tuple[float, float]] = []
    assembled_at = read_at = start
    for stage, at in marks:
        if stage is ProgressStage.READ:
            read_at = at
        elif stage is ProgressStage.ASSEMBLED:
            times.append((read_at - assembled_at, at - read_at))
            assembled_at = at
    return total, times


def whole_profile(workload: Workload) -> pstats.Stats:
    """The compile of every invoice under one ``cProfile``."""
    profiler = cProfile.Profile()
    profiler.enable()
    _compile(workload, workload.invoice_ids)
    profiler.disable()
    return pstats.Stats(profiler)


def per_document_profiles(workload: Workload) -> list[dict[str, Any]]:
    """Per document: whether pypdf rewrote it, and its own time per area (a profile each)."""
    found: list[dict[str, Any]] = []
    profiler = cProfile.Profile()

    def step(event: ProgressEvent) -> None:
        nonlocal profiler
        if event.stage is not ProgressStage.ASSEMBLED:
            return
        profiler.disable()
        stats = pstats.Stats(profiler)
        own: dict[str, float] = defaultdict(float)
        functions: dict[str, float] = {}
        rewritten = False
        for (filename, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            own[_area(filename)] += row[2]
            functions[_label(filename, line, name)] = row[2]
            rewritten = rewritten or (
                name == "normalise"
                and filename.replace("\\", "/").endswith("invoicebackup/pdf/pypdf_adapter.py")
            )
        found.append({"rewritten": rewritten, "own": dict(own), "functions": functions})
        profiler = cProfile.Profile()
        profiler.enable()

    profiler.enable()
    _compile(workload, workload.invoice_ids, progress=step)
    profiler.disable()
    return found


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(workload: Workload, *, top: int, repeat: int) -> str:
    """Run the three passes and describe them in Markdown."""
    documents = workload.manifest["documents"]
    _compile(workload, workload.invoice_ids[:1])  # imports, first-use caches
    runs = [per_document_times(workload) for _ in range(repeat)]
    totals = [total for total, _times in runs]
    median_run = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    if len(median_run[1]) != len(documents):
        raise RuntimeError(
            f"{len(median_run[1])} documents assembled, {len(documents)} in the manifest: "
            "the profile needs every document included"
        )
    parts = [
        f"# Profile of compile_backup on {workload.folder.name}",
        "",
        f"{len(documents)} documents, {workload.manifest['pages']} pages, "
        f"{workload.manifest['input_bytes'] / 1e6:.1f} MB. Compile wall time in this process "
        f"(no start-up), {repeat} runs: "
        + ", ".join(f"{t:.2f}" for t in totals)
        + f" s (median {statistics.median(totals):.2f} s).",
    ]

    profiles = per_document_profiles(workload)
    by_source: dict[str, dict[str, Any]] = {}
    for document, (parse_s, copy_s), profile in zip(
        documents, median_run[1], profiles, strict=True
    ):
        entry = by_source.setdefault(
            _source(document),
            {
                "n": 0,
                "parse": 0.0,
                "copy": 0.0,
                "pages": document["pages"],
                "bytes": 0,
                "rewritten": profile["rewritten"],
                "own": defaultdict(float),
                "functions": defaultdict(float),
            },
        )
        entry["n"] += 1
        entry["parse"] += parse_s
        entry["copy"] += copy_s
        entry["bytes"] += document["bytes"]
        for area, seconds in profile["own"].items():
            entry["own"][area] += seconds
        for function, seconds in profile["functions"].items():
            entry["functions"][function] += seconds
    rewritten_sources = sorted(s for s, e in by_source.items() if e["rewritten"])
    rewritten_docs = sum(by_source[s]["n"] for s in rewritten_sources)
    rewritten_time = sum(by_source[s]["parse"] + by_source[s]["copy"] for s in rewritten_sources)
    all_time = sum(e["parse"] + e["copy"] for e in by_source.values())
    parse_time = sum(e["parse"] for e in by_source.values())
    parts += [
        "",
        "## Rewritten through pypdf",
        "",
        f"{len(by_source)} distinct sources: {len(rewritten_sources)} rewritten through pypdf "
        f"before the reader read them (damaged or encrypted), the rest read as they are. "
        f"Rewritten documents: {rewritten_docs} of {len(documents)}, {rewritten_time:.2f} s of "
        f"the {all_time:.2f} s between progress events ({rewritten_time / all_time:.0%}). Of "
        f"those {all_time:.2f} s, read+parse took {parse_time:.2f} s and copy+write "
        f"{all_time - parse_time:.2f} s.",
        "",
        "Rewritten: " + (", ".join(rewritten_sources) or "none"),
    ]

    ranked = sorted(by_source.items(), key=lambda kv: -(kv[1]["parse"] + kv[1]["copy"]))
    rows = []
    for source, e in ranked[:top]:
        own_total = sum(e["own"].values()) or 1.0
        pypdf_share = e["own"].get("pypdf", 0.0) / own_total
        heaviest, heaviest_s = max(e["functions"].items(), key=lambda kv: kv[1])
        rows.append(
            [
                source,
                "rewritten" if e["rewritten"] else "as is",
                str(e["n"]),
                str(e["pages"]),
                f"{e['bytes'] / e['n'] / 1e3:.0f}",
                f"{e['parse'] + e['copy']:.3f}",
                f"{(e['parse'] + e['copy']) / e['n'] * 1e3:.1f}",
                f"{e['parse'] / e['n'] * 1e3:.1f}",
                f"{e['copy'] / e['n'] * 1e3:.1f}",
                f"{pypdf_share:.0%}",
                f"`{heaviest}` {heaviest_s / own_total:.0%}",
            ]
        )
    parts += [
        "",
        f"## The {min(top, len(ranked))} costliest sources (pass 1, the median run)",
        "",
        "Read+parse is the time up to the document's `read` event, copy+write the time from "
        "it to its `assembled` event. pypdf share: of the document's own time under its "
        "profile (pass 3), as is the heaviest function's share.",
        "",
        _table(
            [
                "source",
                "read",
                "copies",
                "pages",
                "KB",
                "total s",
                "ms per copy",
                "read+parse ms",
                "copy+write ms",
                "pypdf share",
                "heaviest function (own time)",
            ],
            rows,
        ),
    ]

    stats = whole_profile(workload)
    area_time: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        area_time[_area(filename)] += row[2]
    profiled_total = sum(area_time.values())
    parts += [
        "",
        "## Own time per area (pass 2, under cProfile, which slows Python calls)",
        "",
        _table(
            ["area", "own s", "share"],
            [
                [area, f"{seconds:.2f}", f"{seconds / profiled_total:.0%}"]
                for area, seconds in sorted(area_time.items(), key=lambda kv: -kv[1])
                if seconds >= 0.005
            ],
        ),
    ]
    for key, title in (("cumulative", "cumulative"), ("tottime", "own")):
        entries = sorted(
            stats.stats.items(),  # type: ignore[attr-defined]
            key=lambda kv: -(kv[1][3] if key == "cumulative" else kv[1][2]),
        )
        rows = [
            [
                f"`{_label(filename, line, name)}`",
                str(row[1]),
                f"{row[2]:.3f}",
                f"{row[3]:.3f}",
            ]
            for (filename, line, name), row in entries[:top]
        ]
        parts += [
            "",
            f"## Top {top} functions by {title} time (pass 2)",
            "",
            _table(["function", "calls", "own s", "cumulative s"], rows),
        ]
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Profile a workload's compile and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workload", type=Path, required=True, help="a workload folder")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (pass 1)")
    args = parser.parse_args(argv)
    print(report(load_workload(args.workload), top=args.top, repeat=args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
