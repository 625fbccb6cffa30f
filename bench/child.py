"""One engine's run, or one output's check, in a process of its own (see :mod:`bench.run`).

``python -m bench.child ENGINE --workload DIR --out FILE`` runs *ENGINE* once and prints
a JSON line (its output, the time it measured after its imports); ``python -m
bench.child --check FILE --workload DIR`` counts an output's pages and reads its lien
waivers back. Only what the engine itself needs is imported here, so a child's
start-up is the interpreter's and its engine's.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import inspect
import json
import re
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.workload import load_workload

#: The instant passed to ``compile_backup`` so repeated runs can be compared byte for byte.
FIXED_NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)


# --- engines -----------------------------------------------------------------------


def _raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class EngineFailed(Exception):
    """A peer engine raised on a document: the run's error, not the benchmark's crash."""


@contextlib.contextmanager
def _failing_on(what: str) -> Iterator[None]:
    """Turn any exception the engine raises into :class:`EngineFailed` naming *what* failed.

    Real documents make some engines fail (pypdf 7.1 stops on an ``AssertionError`` in
    ``PdfWriter.append`` for some files of the corpus): the runner records the message.
    """
    try:
        yield
    except Exception as error:
        detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise EngineFailed(f"{type(error).__name__} on {what}: {detail}".rstrip(": ")) from error


def _child(engine: str, workload_dir: Path, out: Path) -> dict[str, Any]:
    """Run one engine once, in this (fresh) process; return what the parent needs.

    Each engine is handed what it needs of the bench's manifest, and the manifest is let
    go before it starts (at N = 1,000 the parsed manifest takes about 5 MB): the peak
    RSS measured is the engine's, not the bench's bookkeeping.
    """
    _raise_open_file_limit()
    workload = load_workload(workload_dir)
    if engine == "ours":
        job = _OursJob(workload.folder, workload.invoice_ids, workload.manifest["admin_user_id"])
        del workload
        return _child_ours(job)
    # A photo is a JPEG the PDF engines cannot read: they merge its one-page PDF instead.
    keys = workload.engine_keys
    paths = [str(workload.folder / key) for key in keys]
    del workload
    if engine == "pypdf":
        from pypdf import PdfWriter

        start = time.perf_counter()
        writer = PdfWriter()
        for key, path in zip(keys, paths, strict=True):
            with _failing_on(key):
                writer.append(path)
        with _failing_on("the output"), open(out, "wb") as stream:
            writer.write(stream)
        return {"output": str(out), "work_s": time.perf_counter() - start}
    if engine == "pikepdf":
        import pikepdf

        start = time.perf_counter()
        merged = pikepdf.new()
        sources = []
        for key, path in zip(keys, paths, strict=True):
            with _failing_on(key):
                source = pikepdf.open(path)
                sources.append(source)
                merged.pages.extend(source.pages)
        with _failing_on("the output"):
            merged.save(out)
        return {"output": str(out), "work_s": time.perf_counter() - start}
    raise ValueError(f"unknown engine {engine!r}")


@dataclass(frozen=True)
class _OursJob:
    """What our engine needs of a workload: its folder, the invoices, the user."""

    folder: Path
    invoice_ids: list[str]
    user_id: Any


def _child_ours(workload: _OursJob) -> dict[str, Any]:
    import invoicebackup

    api = "invoicebackup.compile_backup"
    compile_backup = getattr(invoicebackup, "compile_backup", None)
    if compile_backup is None:  # written but not re-exported yet: its own module
        try:
            from invoicebackup import compile as compile_module
        except ImportError:
            return {"unavailable": "compile_backup is not in invoicebackup yet"}
        compile_backup = getattr(compile_module, "compile_backup", None)
        api = "invoicebackup.compile.compile_backup"
        if compile_backup is None:
            return {"unavailable": "compile_backup is not in invoicebackup yet"}
    try:
        from invoicebackup import FileSystemStore, load_project
    except ImportError:  # not re-exported yet: the modules that define them
        from invoicebackup.serialization import load_project
        from invoicebackup.storage import FileSystemStore
    start = time.perf_counter()
    project = load_project(workload.folder)
    store = FileSystemStore(workload.folder)
    kwargs: dict[str, Any] = {
        "invoice_ids": workload.invoice_ids,
        "user_id": workload.user_id,
        "store": store,
    }
    if "now" in inspect.signature(compile_backup).parameters:
        kwargs["now"] = FIXED_NOW
    result = compile_backup(project, **kwargs)
    work = time.perf_counter() - start
    key = _first_attr(result, ("key", "output_key", "written_to", "location", "path"))
    left_out = _first_attr(result, ("left_out",)) or ()
    placeholders = [
        item
        for item in left_out
        if getattr(getattr(item, "action", None), "value", None) == "placeholder"
    ]
    manifest = _first_attr(result, ("manifest",))
    first, last = (
        (getattr(manifest, "cover_first_page", None), getattr(manifest, "cover_last_page", None))
        if manifest is not None
        else (None, None)
    )
    return {
        "output": str(workload.folder / str(key)),
        "work_s": work,
        "api": api,
        "placeholders": len(placeholders),
        # Our own pages ahead of the invoices (the cover sheet): the peers make none.
        "cover_pages": 0 if first is None or last is None else last - first + 1,
        "left_out": [f"{getattr(i, 'key', '?')}: {getattr(i, 'reason', '?')}" for i in left_out],
        "reported_pages": _first_attr(result, ("page_count", "pages")),
    }


def _first_attr(value: object, names: Sequence[str]) -> Any:
    for name in names:
        if hasattr(value, name):
            return getattr(value, name)
    return None


# --- output check --------------------------------------------------------------------------


def _check(out: Path, workload_dir: Path) -> dict[str, Any]:
    """Count pages and read the lien waivers' ``amount`` fields back (run in its own process)."""
    import pikepdf

    workload = load_workload(workload_dir)
    expected = [w["values"]["amount"] for w in workload.manifest["waivers"]]
    with pikepdf.open(out) as pdf:
        pages = len(pdf.pages)
        acroform = pdf.Root.get("/AcroForm")
        has_form = acroform is not None and len(acroform.get("/Fields", [])) > 0
        values: list[str | None] = []
        names_seen: list[str] = []
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Widget":
                    continue
                names: list[str] = []
                value: str | None = None
                node = annot
                for _ in range(32):
                    if "/T" in node:
                        names.append(str(node.T))
                    if value is None and "/V" in node:
                        value = str(node.V)
                    parent = node.get("/Parent")
                    if parent is None:
                        break
                    node = parent
                qualified = ".".join(reversed(names))
                # qpdf renames clashing fields ``amount+1``; others nest them under a parent.
                if re.fullmatch(r"amount(\W*\d+)?", qualified.split(".")[-1]):
                    values.append(value)
                    names_seen.append(qualified)
    if not expected:
        forms = "no waivers"
    elif not has_form:
        forms = "dropped"
    elif values == expected and len(set(names_seen)) == len(names_seen):
        forms = "kept apart"
    elif values == expected:
        forms = "same names (viewers link them)"
    elif len(set(values)) < len(expected):
        forms = "merged"
    else:
        forms = "wrong values"
    return {"pages": pages, "forms": forms}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one engine (or one check) and print its JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", nargs="?", choices=("ours", "pypdf", "pikepdf"))
    parser.add_argument("--check", type=Path)
    parser.add_argument("--workload", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.check:
        print(json.dumps(_check(args.check, args.workload)))
    elif args.engine and args.out:
        try:
            report = _child(args.engine, args.workload, args.out)
        except EngineFailed as failed:
            print(json.dumps({"error": str(failed)}))
            return 1
        print(json.dumps(report))
    else:
        parser.error("give an engine and --out, or --check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
