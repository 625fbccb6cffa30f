"""The real-world workload: invoices of four documents each, unique copies of the shared corpus.

``../shared/corpus/realworld`` holds PDFs from the test suites of qpdf, pdf.js, pdfium,
pypdf, pikepdf and others (its ``MANIFEST.tsv`` lists them). Of those, this workload uses
every file that ``compile_backup`` includes as it is — without a password and without
repair (``BackupOptions(repair=False)``) — and leaves out the ones in :data:`EXCLUDED`,
each with the reason ``compile_backup`` gives for it. Each invoice gets four documents
(its invoice PDF and three attachments) drawn with a seeded ``random.Random``, and each
occurrence is a copy made unique by a comment line (``%unique <n>``) just before the
file's last ``startxref`` (see :func:`unique_copy`), so no two documents share a SHA-256
and nothing is deduplicated, while every copy is read as its original is.

The folder is a project like the generated workload's (``project.json``, the documents,
``bench-manifest.json``); each document's page count is pikepdf's (qpdf's), read when the
workload is made. Run ``python -m bench.realworld --invoices 100`` to make (or find) one.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pikepdf

from bench.project import ADMIN_USER_ID, backup_order, project_json, rng_for, skeleton
from bench.workload import (
    CORPUS_MANIFEST,
    DEFAULT_CORPUS,
    MANIFEST_NAME,
    REALWORLD_VERSION,
    NotEnoughSpaceError,
    Workload,
    cached_workload,
    check_free_space,
    corpus_digest,
    load_workload,
    realworld_name,
)

#: Documents per invoice: the invoice PDF and three attachments.
DOCUMENTS_PER_INVOICE = 4

_PASSWORD = "encrypted: opens only with a password"
_DAMAGED = "damaged: not read as it is (some are read after repair with pikepdf)"
_NOT_PDF = "not_pdf: not a PDF file (or no usable header)"

#: The corpus files left out, with why: what ``compile_backup`` (without passwords and
#: without repair) reports for each instead of including it. The benchmark measures the
#: copying of documents that go into a backup, not the reporting of ones that cannot.
EXCLUDED: dict[str, str] = {
    "fm-enc-r2-bad-owner-key.pdf": _PASSWORD + " (its owner key is corrupt)",
    "jsc-enc-saslprep-r6.pdf": _PASSWORD,
    "jsc-enc-utf8-password.pdf": _PASSWORD,
    "ph-malformed-encrypt-dict.pdf": _PASSWORD + " (its /Encrypt dictionary is malformed)",
    "pk-graph-encrypted.pdf": _PASSWORD,
    "py-r2-user-password.pdf": _PASSWORD,
    "py-r4-aes-user-password.pdf": _PASSWORD,
    "qp-20-pages.pdf": _PASSWORD,
    "qp-enc-r6-attachments.pdf": _PASSWORD,
    "sf-lo-user-password.pdf": _PASSWORD,
    "ph-pubkey-aes256.pdf": "unsupported_encryption: certificate (public-key) security handler",
    "ph-broken-objstream.pdf": _DAMAGED,
    "ph-circular-page-tree.pdf": _DAMAGED,
    "pk-fuzz-378014596.pdf": _DAMAGED,
    "pm-evil-xobjects.pdf": _DAMAGED,
    "qp-bad-xref.pdf": _DAMAGED,
    "qp-nesting-bomb-trailer.pdf": "too_large: its trailer nests arrays deeper than the limit",
    "qp-pages-loop.pdf": _DAMAGED,
    "qp-xref-compressed-in-compressed.pdf": _DAMAGED,
    "sf-unreadable-metadata.pdf": _DAMAGED,
    "zz-truncated-60pct.pdf": _DAMAGED,
    "zz-truncated-linearized-50pct.pdf": _DAMAGED,
    "zz-truncated-no-eof.pdf": _DAMAGED,
    "qp-bad-direct-root.pdf": _NOT_PDF,
    "qp-bad1-5-bytes.pdf": _NOT_PDF,
    "zz-not-pdf-html.pdf": _NOT_PDF,
    "zz-not-pdf-odt.pdf": _NOT_PDF,
    "zz-zero-byte.pdf": "empty: a zero-byte file",
    "qp-deep-page-tree.pdf": "too_large: its page tree is nested more than 100 levels deep",
}


#: Files named ``.pdf`` whose bytes are images: a backup makes them image pages (their
#: bytes decide), so they are no PDFs for the engines compared here.
IMAGES: dict[str, str] = {
    "zz-not-pdf-jpeg.pdf": "JPEG",
    "zz-not-pdf-png.pdf": "PNG",
}


class CorpusMissingError(FileNotFoundError):
    """The shared corpus is not where the workload is made from."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        super().__init__(
            f"the real-world corpus is not at {corpus} (no {CORPUS_MANIFEST}): "
            "the realworld workload needs ../shared/corpus/realworld beside the checkout"
        )


def corpus_files(corpus: Path) -> list[str]:
    """The corpus files the workload draws from, in ``MANIFEST.tsv`` order.

    Raises:
        CorpusMissingError: *corpus* has no ``MANIFEST.tsv``.
    """
    manifest = corpus / CORPUS_MANIFEST
    if not manifest.is_file():
        raise CorpusMissingError(corpus)
    with manifest.open(encoding="utf-8", newline="") as stream:
        names = [row["file"] for row in csv.DictReader(stream, delimiter="\t")]
    return [
        name
        for name in names
        if name not in EXCLUDED and name not in IMAGES and (corpus / name).is_file()
    ]


def unique_copy(data: bytes, n: int) -> bytes:
    """*data* with the comment line ``%unique <n>`` just before its last ``startxref``.

    There, the comment moves no object and no cross-reference offset (they all come
    before it), and the file still ends as it did, so each copy is read the way its
    original is. (Before the library had one reader, a comment after ``%%EOF`` sent every
    copy through pypdf's reader: all 88 files, against 45 of the originals.) A file
    without ``startxref`` gets the line at its end.
    """
    marker = b"%unique " + str(n).encode() + b"\n"
    at = data.rfind(b"startxref")
    if at < 0:
        newline = b"" if data.endswith((b"\n", b"\r")) else b"\n"
        return data + newline + marker
    newline = b"" if at == 0 or data[at - 1 : at] in (b"\n", b"\r") else b"\n"
    return data[:at] + newline + marker + data[at:]


def _pages(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def estimated_bytes(invoices: int, corpus: Path) -> int:
    """A generous estimate of a workload's size: every draw the corpus' largest file."""
    largest = max((corpus / name).stat().st_size for name in corpus_files(corpus))
    return invoices * DOCUMENTS_PER_INVOICE * largest


def build(folder: Path, *, invoices: int, seed: int = 0, corpus: Path = DEFAULT_CORPUS) -> Workload:
    """Write a real-world workload of *invoices* invoices into *folder* (created; must not exist).

    Args:
        folder: The project folder to create.
        invoices: How many invoices, at least 1.
        seed: Which corpus files each invoice gets; the same seed gives the same bytes.
        corpus: The folder of the corpus and its ``MANIFEST.tsv``.

    Raises:
        CorpusMissingError: The corpus is not there.
    """
    if invoices < 1:
        raise ValueError(f"invoices must be at least 1, got {invoices}")
    names = corpus_files(corpus)
    folder.mkdir(parents=True)
    companies, contracts, periods = skeleton(invoices)
    rng = rng_for(seed, "realworld")
    pages: dict[str, int] = {}
    entries: list[dict[str, Any]] = []
    documents_by_invoice: dict[str, list[dict[str, Any]]] = {}
    serial = 0
    for i in range(invoices):
        inv_id = f"i-{i + 1}"
        contract = contracts[i % len(contracts)]
        position = i // len(contracts) + 1
        docs: list[dict[str, Any]] = []
        for j in range(DOCUMENTS_PER_INVOICE):
            name = rng.choice(names)
            serial += 1
            original = (corpus / name).read_bytes()
            if name not in pages:
                pages[name] = _pages(original)
            data = unique_copy(original, serial)
            role = "invoice" if j == 0 else f"attachment-{j}"
            key = f"docs/{inv_id}/{role}-{name}"
            (folder / key).parent.mkdir(parents=True, exist_ok=True)
            (folder / key).write_bytes(data)
            docs.append(
                {
                    "key": key,
                    "invoice_id": inv_id,
                    "kind": role.split("-")[0],
                    "source": name,
                    "filename": name,
                    "pages": pages[name],
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        entries.append(
            {
                "id": inv_id,
                "contract_id": contract["id"],
                "billing_period_id": periods[position - 1]["id"],
                "position": position,
                "number": f"{contract['number']}-{position:03d}",
                "status": "approved",
                "amount": f"{1000 + i}.00",
                "document": {
                    "key": docs[0]["key"],
                    "filename": docs[0]["filename"],
                    "media_type": "application/pdf",
                },
                "attachments": [
                    {"key": d["key"], "filename": d["filename"], "media_type": "application/pdf"}
                    for d in docs[1:]
                ],
            }
        )
        documents_by_invoice[inv_id] = docs
    ordered = backup_order(entries, contracts)
    project = project_json(
        seed=seed, companies=companies, contracts=contracts, periods=periods, invoices=entries
    )
    (folder / "project.json").write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
    documents = [d for inv in ordered for d in documents_by_invoice[inv["id"]]]
    manifest = {
        "kind": "realworld",
        "realworld_version": REALWORLD_VERSION,
        "corpus_manifest_sha256": corpus_digest(corpus),
        "corpus_files": len(names),
        "excluded": EXCLUDED,
        "seed": seed,
        "invoices": invoices,
        "invoice_ids": [inv["id"] for inv in ordered],
        "admin_user_id": ADMIN_USER_ID,
        "documents": documents,
        "waivers": [],
        "pages": sum(d["pages"] for d in documents),
        "input_bytes": sum(d["bytes"] for d in documents),
        "distinct_bytes": sum({d["sha256"]: d["bytes"] for d in documents}.values()),
        "distinct_documents": len({d["sha256"] for d in documents}),
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return Workload(folder=folder, manifest=manifest)


def ensure_workload(
    *,
    invoices: int,
    seed: int = 0,
    root: Path = Path("bench-output"),
    corpus: Path = DEFAULT_CORPUS,
) -> Workload:
    """The cached real-world workload, made first if it is not there.

    It is made in a temporary folder renamed into place at the end, so an interrupted
    run never leaves a half-made workload behind the cache key.

    Raises:
        CorpusMissingError: The corpus is not there.
        NotEnoughSpaceError: The disk cannot hold the workload.
    """
    if not (corpus / CORPUS_MANIFEST).is_file():
        raise CorpusMissingError(corpus)
    cached = cached_workload(
        invoices=invoices, seed=seed, root=root, kind="realworld", corpus=corpus
    )
    if cached is not None:
        return cached
    folder = root / realworld_name(invoices=invoices, seed=seed, corpus=corpus)
    root.mkdir(parents=True, exist_ok=True)
    check_free_space(root, estimated_bytes(invoices, corpus))
    partial = root / f".partial-{folder.name}-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    build(partial, invoices=invoices, seed=seed, corpus=corpus)
    if folder.exists():  # an incomplete earlier attempt, without its manifest
        shutil.rmtree(folder)
    partial.rename(folder)
    return load_workload(folder)


def main(argv: Sequence[str] | None = None) -> int:
    """Make (or find in the cache) a real-world workload and print its folder.

    Exits 2 when the disk is short, 4 when the corpus is absent (saying so either way).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invoices", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, default=Path("bench-output"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    try:
        workload = ensure_workload(
            invoices=args.invoices, seed=args.seed, root=args.root, corpus=args.corpus
        )
    except NotEnoughSpaceError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except CorpusMissingError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 4
    m = workload.manifest
    print(
        f"{workload.folder}: {m['invoices']} invoices, {len(m['documents'])} documents "
        f"from {m['corpus_files']} corpus files, {m['pages']} pages, "
        f"{m['input_bytes'] / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
