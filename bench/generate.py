"""A deterministic generator of realistic invoice backups, for the benchmark.

A *workload* is a project folder in the project-file format
(``project.json`` and the documents it names) plus ``bench-manifest.json``, which
lists every document occurrence in backup order with its page count, size and
SHA-256, and the values each invoice's lien waiver carries, so a run can check
its outputs and not only time them.

Per invoice there is a 2-3 page pay application (AIA G702/G703 style) that
embeds its own TrueType font (reportlab's bundled Bitstream Vera, so every
machine makes the same bytes), and 2-6 attachments among:

- a lien waiver, an AcroForm form whose field names (``amount``,
  ``through_date``, …) are the same in every invoice, with this invoice's values;
- a certificate of insurance (one scanned page), byte-identical for every invoice
  of one vendor but stored under each invoice's own key (so only its SHA-256
  tells it is shared);
- the vendor's W-9 (a text page and a scanned signed page), one file under one
  shared key that several invoices name;
- scanned pages: one 1-3 MB JPEG per page, noise-ish so it does not compress
  away, some scanned sideways (``/Rotate 90``);
- multi-page text documents (daily reports, T&M tickets, …);
- marked-up drawings: landscape pages and portrait pages shown rotated;
- photos of delivered material: a 1-3 MB colour JPEG as a phone stores it (72 dpi, and
  often stored sideways with an EXIF orientation), attached as ``image/jpeg``: the
  backup makes it a page. The PDF engines compared with it cannot read a JPEG, so the
  workload also holds each photo wrapped in a one-page PDF (``engines/…``, the same JPEG
  drawn by reportlab) for them to merge instead.

Everything comes from ``random.Random`` seeded by the run's seed and the
document's identity, so the same seed gives the same bytes whatever order the
documents are made in. Large workloads are cached under ``bench-output/``, keyed
by the generator version, the seed and the number of invoices.

Run ``python -m bench.generate --invoices 10`` to make (or find) one.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER, TABLOID, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from bench.project import ADMIN_USER_ID, backup_order, project_json, rng_for, skeleton
from bench.workload import (
    GENERATOR_VERSION,
    MANIFEST_NAME,
    NotEnoughSpaceError,
    Workload,
    cached_workload,
    check_free_space,
    load_workload,
    workload_name,
)

#: A generous estimate of the workload's size per invoice, for the free-space check.
ESTIMATED_BYTES_PER_INVOICE = 3_800_000
#: How often an invoice attaches its vendor's certificate of insurance (shared, byte-identical).
_CERTIFICATE_SHARE = 0.5
#: The weights of the other attachments: scanned, text, drawing and photo documents.
_OTHER_WEIGHTS = (0.2, 0.42, 0.26, 0.12)
#: The lien waiver's field names, the same in every invoice.
WAIVER_FIELDS = ("claimant", "customer", "job_location", "through_date", "amount", "signature_date")

_FONT = "BenchVera"
# JPEG data goes into the PDF as it is (DCTDecode), not ASCII85-inflated.
rl_config.useA85 = 0
pdfmetrics.registerFont(TTFont(_FONT, "Vera.ttf"))

_WORD_TEXT = (
    "concrete formwork rebar inspection pour slab footing grade beam crew labour equipment "
    "crane lift delivery steel erection bolting welding anchor embed drywall framing stud "
    "track insulation vapour barrier conduit feeder panel circuit trench backfill compaction "
    "survey layout elevation gridline level north south east west tower podium parking "
    "mechanical ductwork hanger sleeve firestopping punch list rework weather delay access "
    "scaffold hoist safety toolbox meeting superintendent foreman inspector engineer architect "
    "submittal RFI change order directive allowance retainage schedule milestone completion"
)
_WORDS = tuple(_WORD_TEXT.split(" "))
_TEXT_TITLES = (
    "Daily report",
    "Time and materials ticket",
    "Delivery tickets",
    "Change order request",
    "Meeting minutes",
    "Material certifications",
)


def estimated_bytes(invoices: int) -> int:
    """A generous estimate of a workload's size on disk."""
    return invoices * ESTIMATED_BYTES_PER_INVOICE


def ensure_workload(*, invoices: int, seed: int = 0, root: Path = Path("bench-output")) -> Workload:
    """The cached workload for *invoices* and *seed*, generated first if it is not there.

    Generation goes to a temporary folder renamed into place at the end, so an
    interrupted run never leaves a half-made workload behind the cache key.

    Raises:
        NotEnoughSpaceError: The disk cannot hold the workload.
    """
    cached = cached_workload(invoices=invoices, seed=seed, root=root)
    if cached is not None:
        return cached
    folder = root / workload_name(invoices=invoices, seed=seed)
    root.mkdir(parents=True, exist_ok=True)
    check_free_space(root, estimated_bytes(invoices))
    partial = root / f".partial-{folder.name}-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    generate(partial, invoices=invoices, seed=seed)
    if folder.exists():  # an incomplete earlier attempt, without its manifest
        shutil.rmtree(folder)
    partial.rename(folder)
    return load_workload(folder)


# --- documents -----------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _new_canvas(buffer: io.BytesIO, title: str) -> canvas.Canvas:
    c = canvas.Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("invoicebackup bench generator")
    return c


def pay_application(rng: random.Random, *, invoice: dict[str, Any], info: dict[str, str]) -> bytes:
    """A 2-3 page pay application (summary and continuation sheets), font embedded."""
    buffer = io.BytesIO()
    c = _new_canvas(buffer, f"Application for payment {invoice['number']}")
    _width, height = LETTER
    c.setFont(_FONT, 16)
    c.drawString(54, height - 72, "APPLICATION AND CERTIFICATE FOR PAYMENT")
    c.setFont(_FONT, 10)
    lines = [
        f"To owner: {info['owner']}",
        f"Project: {info['project']}",
        f"From contractor: {info['vendor']}",
        f"Contract for: {info['trade']}  Contract #: {info['contract']}",
        f"Application no.: {invoice['number']}    Period to: {info['period_end']}",
        "",
    ]
    original = rng.uniform(200_000, 2_000_000)
    changes = rng.uniform(-20_000, 80_000)
    completed = float(invoice["amount"]) * invoice["position"]
    retainage = completed * 0.1
    lines += [
        f"1. Original contract sum ................................ {_money(original)}",
        f"2. Net change by change orders ............................ {_money(changes)}",
        f"3. Contract sum to date ................................... {_money(original + changes)}",
        f"4. Total completed and stored to date ................... {_money(completed)}",
        f"5. Retainage (10 %) ....................................... {_money(retainage)}",
        f"6. Total earned less retainage .......................... {_money(completed * 0.9)}",
        f"8. CURRENT PAYMENT DUE ................................. {invoice['amount']}",
    ]
    y = height - 110
    for line in lines:
        c.drawString(54, y, line)
        y -= 16
    c.setFont(_FONT, 9)
    for _ in range(8):
        c.drawString(54, y, _sentence(rng)[:110])
        y -= 13
    c.showPage()
    rows = rng.randint(30, 70)
    per_page = 36
    for page in range(math.ceil(rows / per_page)):
        c.setPageSize(landscape(LETTER))
        c.setFont(_FONT, 12)
        c.drawString(36, 570, f"CONTINUATION SHEET {page + 1} — {invoice['number']}")
        c.setFont(_FONT, 8)
        y = 545
        c.drawString(36, y, "Item  Description of work                      Scheduled value")
        for item in range(page * per_page, min(rows, (page + 1) * per_page)):
            y -= 14
            scheduled = rng.uniform(1_000, 90_000)
            done = rng.random()
            c.drawString(
                36,
                y,
                f"{item + 1:>4}  {' '.join(rng.choice(_WORDS) for _ in range(4)):<40} "
                f"{_money(scheduled):>14} {_money(scheduled * done):>14} {done:6.1%}",
            )
        c.showPage()
    c.save()
    return buffer.getvalue()


def lien_waiver(values: dict[str, str]) -> bytes:
    """A one-page lien waiver whose AcroForm fields hold *values* (same names every time)."""
    buffer = io.BytesIO()
    c = _new_canvas(buffer, "Conditional waiver and release on progress payment")
    _width, height = LETTER
    c.setFont("Helvetica-Bold", 13)
    c.drawString(54, height - 72, "CONDITIONAL WAIVER AND RELEASE ON PROGRESS PAYMENT")
    c.setFont("Helvetica", 9)
    c.drawString(54, height - 92, "Upon receipt of payment, the claimant waives and releases")
    c.drawString(54, height - 104, "lien and payment bond rights through the date below.")
    y = height - 150
    for name in WAIVER_FIELDS:
        c.drawString(54, y + 5, name.replace("_", " ").capitalize() + ":")
        c.acroForm.textfield(
            name=name,
            value=values[name],
            x=170,
            y=y,
            width=340,
            height=18,
            fontName="Helvetica",
            fontSize=10,
            borderStyle="underlined",
            forceBorder=True,
        )
        y -= 34
    c.showPage()
    c.save()
    return buffer.getvalue()


def text_document(rng: random.Random, title: str) -> bytes:
    """A multi-page text document in a standard (not embedded) font."""
    buffer = io.BytesIO()
    c = _new_canvas(buffer, title)
    _width, height = LETTER
    for page in range(rng.randint(2, 8)):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(54, height - 60, f"{title} — page {page + 1}")
        c.setFont("Helvetica", 10)
        y = height - 90
        while y > 60:
            c.drawString(54, y, _sentence(rng)[:100])
            y -= 14
        c.showPage()
    c.save()
    return buffer.getvalue()


def drawing(rng: random.Random, title: str) -> bytes:
    """A marked-up drawing: landscape tabloid sheets, and portrait sheets shown rotated."""
    buffer = io.BytesIO()
    c = _new_canvas(buffer, title)
    for sheet in range(rng.randint(1, 3)):
        rotated = sheet % 2 == 1
        size = TABLOID if rotated else landscape(TABLOID)
        c.setPageSize(size)
        if rotated:
            c.setPageRotation(rng.choice((90, 270)))
        else:
            c.setPageRotation(0)
        w, h = size
        c.setLineWidth(0.6)
        for _ in range(rng.randint(40, 120)):
            c.line(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0, w), rng.uniform(0, h))
        c.setStrokeColorRGB(0.9, 0.1, 0.1)
        for _ in range(rng.randint(2, 6)):
            c.circle(rng.uniform(80, w - 80), rng.uniform(80, h - 80), rng.uniform(20, 60))
        c.setStrokeColorRGB(0, 0, 0)
        c.setFont("Helvetica", 12)
        c.drawString(36, 36, f"{title} — sheet A-{sheet + 101}")
        c.showPage()
    c.save()
    return buffer.getvalue()


#: Bytes of JPEG per pixel for the scan texture below, measured; sizes pages to 1-3 MB.
_JPEG_BYTES_PER_PIXEL = 0.52


def scan_page_jpeg(rng: random.Random) -> bytes:
    """One scanned page: a 1-3 MB greyscale JPEG of paper noise and dark text lines."""
    target = rng.uniform(1.0e6, 3.0e6)
    pixels = target / _JPEG_BYTES_PER_PIXEL
    w = int(math.sqrt(pixels * 8.5 / 11))
    h = int(pixels / w)
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    page = noise.point(lambda v: 64 + v * 191 // 255)
    draw = ImageDraw.Draw(page)
    line_height = max(12, h // 60)
    for y in range(h // 12, h - h // 12, line_height * 2):
        if rng.random() < 0.85:
            draw.rectangle(
                (w // 10, y, w // 10 + rng.randint(w // 4, w * 8 // 10), y + line_height),
                fill=rng.randint(10, 60),
            )
    out = io.BytesIO()
    page.save(out, "JPEG", quality=85)
    return out.getvalue()


def photo_jpeg(rng: random.Random) -> tuple[bytes, tuple[int, int]]:
    """A phone photo: a 1-3 MB colour JPEG at 72 dpi, often stored sideways (EXIF 6 or 8).

    Returns the JPEG and its upright size in pixels.
    """
    target = rng.uniform(1.0e6, 3.0e6)
    pixels = target / (3 * _JPEG_BYTES_PER_PIXEL)
    w = int(math.sqrt(pixels * 4 / 3))
    h = int(pixels / w)
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(3 * w * h))
    photo = noise.point(lambda v: 40 + v * 150 // 255)
    draw = ImageDraw.Draw(photo)
    for _ in range(12):  # steel, pallets, a truck: dark blocks on the yard
        left, top = rng.randrange(w), rng.randrange(h)
        draw.rectangle((left, top, left + w // 6, top + h // 10), fill=(60, 64, 70))
    orientation = rng.choice((1, 1, 6, 8))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85, dpi=(72, 72), exif=exif.tobytes())
    return out.getvalue(), ((h, w) if orientation in (6, 8) else (w, h))


def photo_as_pdf(jpeg: bytes, upright: tuple[int, int]) -> bytes:
    """The photo as the one-page PDF a PDF engine needs: the same JPEG, drawn upright.

    Fitted on a Letter page as the backup fits a 72-dpi photo too large to be believed.
    """
    buffer = io.BytesIO()
    c = _new_canvas(buffer, "Photo")
    image = ImageReader(io.BytesIO(jpeg))
    width, height = upright
    page = landscape(LETTER) if width > height else LETTER
    scale = min((page[0] - 72) / width, (page[1] - 72) / height, 1.0)
    c.setPageSize(page)
    c.drawImage(
        image,
        (page[0] - width * scale) / 2,
        (page[1] - height * scale) / 2,
        width * scale,
        height * scale,
    )
    c.showPage()
    c.save()
    return buffer.getvalue()


def scanned_document(rng: random.Random, title: str, *, pages: tuple[int, int] = (1, 2)) -> bytes:
    """Scanned pages, one JPEG each, copied into the PDF as they are; some sideways."""
    buffer = io.BytesIO()
    c = _new_canvas(buffer, title)
    width, height = LETTER
    for _ in range(rng.randint(*pages)):
        jpeg = scan_page_jpeg(rng)
        c.setPageRotation(90 if rng.random() < 0.2 else 0)
        c.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width, height)
        c.showPage()
    c.save()
    return buffer.getvalue()


def certificate_of_insurance(rng: random.Random, vendor: str) -> bytes:
    """A certificate of liability insurance for *vendor*: one signed page, scanned."""
    return scanned_document(rng, f"Certificate of liability insurance — {vendor}", pages=(1, 1))


def w9(rng: random.Random, vendor: str) -> bytes:
    """A W-9 for *vendor*: a page of text, then the signed page, scanned."""
    buffer = io.BytesIO()
    c = _new_canvas(buffer, f"Form W-9 — {vendor}")
    width, height = LETTER
    c.setFont("Helvetica-Bold", 14)
    c.drawString(54, height - 60, "Form W-9 — Request for taxpayer identification number")
    c.setFont("Helvetica", 9)
    c.drawString(54, height - 80, f"Name: {vendor}   EIN: {rng.randrange(10, 99)}-1234567")
    y = height - 110
    while y > 60:
        c.drawString(54, y, _sentence(rng)[:110])
        y -= 12
    c.showPage()
    c.drawImage(ImageReader(io.BytesIO(scan_page_jpeg(rng))), 0, 0, width, height)
    c.showPage()
    c.save()
    return buffer.getvalue()


# --- the project ---------------------------------------------------------------------------


def _pdf_pages(data: bytes) -> int:
    # reportlab writes one ``/Type /Page`` object per page and nothing else matches it.
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def generate(folder: Path, *, invoices: int, seed: int = 0) -> Workload:
    """Write a workload of *invoices* invoices into *folder* (created; must not exist).

    Args:
        folder: The project folder to create.
        invoices: How many invoices, at least 1.
        seed: Everything derives from it; the same seed gives the same bytes.

    Returns:
        The workload, with its manifest.
    """
    if invoices < 1:
        raise ValueError(f"invoices must be at least 1, got {invoices}")
    folder.mkdir(parents=True)
    companies, contracts, periods = skeleton(invoices)
    contracts_n = len(contracts)
    vendor_names = {c["id"]: c["name"] for c in companies}
    shared: dict[str, bytes] = {}
    invoice_entries: list[dict[str, Any]] = []
    # Per document, in backup order later: key, invoice, kind, pages, bytes, sha256.
    documents_by_invoice: dict[str, list[dict[str, Any]]] = {}
    waivers: list[dict[str, Any]] = []

    def put(key: str, data: bytes) -> dict[str, Any]:
        path = folder / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return {
            "key": key,
            "pages": _pdf_pages(data),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }

    for i in range(invoices):
        inv_id = f"i-{i + 1}"
        contract = contracts[i % contracts_n]
        position = i // contracts_n + 1
        period = periods[position - 1]
        rng = rng_for(seed, inv_id)
        amount = f"{rng.randrange(5_000, 250_000)}.{i % 100:02d}"
        vendor_id = contract["vendor_id"]
        vendor = vendor_names[vendor_id]
        invoice: dict[str, Any] = {
            "id": inv_id,
            "contract_id": contract["id"],
            "billing_period_id": period["id"],
            "position": position,
            "number": f"{contract['number']}-{position:03d}",
            "status": rng.choice(("approved", "approved", "approved_as_noted", "under_review")),
            "amount": amount,
        }
        info = {
            "owner": "Harbour Front Development LLC",
            "project": "Harbour Front Tower A",
            "vendor": vendor,
            "trade": contract["title"],
            "contract": contract["number"],
            "period_end": period["end"],
        }
        docs: list[dict[str, Any]] = []
        key = f"docs/{inv_id}/pay-application.pdf"
        docs.append(
            {
                **put(
                    key,
                    pay_application(rng_for(seed, inv_id, "payapp"), invoice=invoice, info=info),
                ),
                "kind": "pay_application",
                "filename": f"Pay application {invoice['number']}.pdf",
            }
        )
        slots = rng.randint(2, 6)
        kinds: list[str] = []
        if rng.random() < 0.85:
            kinds.append("lien_waiver")
        if rng.random() < _CERTIFICATE_SHARE:
            kinds.append("certificate_of_insurance")
        if rng.random() < 0.25:
            kinds.append("w9")
        kinds = kinds[:slots]
        while len(kinds) < slots:
            kinds.append(
                rng.choices(("scan", "text", "drawing", "photo"), weights=_OTHER_WEIGHTS)[0]
            )
        rng.shuffle(kinds)  # upload order
        attachments: list[dict[str, Any]] = []
        for j, kind in enumerate(kinds):
            doc_rng = rng_for(seed, inv_id, j, kind)
            media_type = "application/pdf"
            if kind == "photo":
                jpeg, upright = photo_jpeg(doc_rng)
                entry = put(f"docs/{inv_id}/photo-{j}.jpg", jpeg)
                engines = put(f"engines/docs/{inv_id}/photo-{j}.pdf", photo_as_pdf(jpeg, upright))
                entry = {**entry, "pages": 1, "engine_key": engines["key"]}
                filename = f"Delivery photo {j + 1}.jpg"
                media_type = "image/jpeg"
            elif kind == "lien_waiver":
                values = {
                    "claimant": vendor,
                    "customer": "Acme Builders",
                    "job_location": "100 Harbour Front Way",
                    "through_date": period["end"],
                    "amount": amount,
                    "signature_date": period["due"],
                }
                entry = put(f"docs/{inv_id}/lien-waiver-{j}.pdf", lien_waiver(values))
                waivers.append({"invoice_id": inv_id, "key": entry["key"], "values": values})
                filename = "Lien waiver.pdf"
            elif kind == "certificate_of_insurance":
                data = shared.get(f"coi:{vendor_id}")
                if data is None:
                    data = certificate_of_insurance(rng_for(seed, vendor_id, "coi"), vendor)
                    shared[f"coi:{vendor_id}"] = data
                entry = put(f"docs/{inv_id}/certificate-of-insurance-{j}.pdf", data)
                filename = "Certificate of insurance.pdf"
            elif kind == "w9":
                data = shared.get(f"w9:{vendor_id}")
                if data is None:
                    data = w9(rng_for(seed, vendor_id, "w9"), vendor)
                    shared[f"w9:{vendor_id}"] = data
                entry = put(f"shared/{vendor_id}/w-9.pdf", data)
                filename = "W-9.pdf"
            elif kind == "scan":
                title = "Signed timesheets (scan)"
                entry = put(f"docs/{inv_id}/scan-{j}.pdf", scanned_document(doc_rng, title))
                filename = f"Scan {j + 1}.pdf"
            elif kind == "text":
                title = doc_rng.choice(_TEXT_TITLES)
                entry = put(f"docs/{inv_id}/text-{j}.pdf", text_document(doc_rng, title))
                filename = f"{title}.pdf"
            else:
                title = f"Marked-up drawings {contract['title']}"
                entry = put(f"docs/{inv_id}/drawing-{j}.pdf", drawing(doc_rng, title))
                filename = f"{title}.pdf"
            attachments.append(
                {"key": entry["key"], "filename": filename, "media_type": media_type}
            )
            docs.append({**entry, "kind": kind, "filename": filename})
        invoice["document"] = {
            "key": key,
            "filename": docs[0]["filename"],
            "media_type": "application/pdf",
        }
        invoice["attachments"] = attachments
        invoice_entries.append(invoice)
        documents_by_invoice[inv_id] = [{**d, "invoice_id": inv_id} for d in docs]

    ordered = backup_order(invoice_entries, contracts)
    project = project_json(
        seed=seed,
        companies=companies,
        contracts=contracts,
        periods=periods,
        invoices=invoice_entries,
    )
    (folder / "project.json").write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
    documents = [d for inv in ordered for d in documents_by_invoice[inv["id"]]]
    distinct = {d["sha256"]: d["bytes"] for d in documents}
    rank = {inv["id"]: n for n, inv in enumerate(ordered)}
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "invoices": invoices,
        "invoice_ids": [inv["id"] for inv in ordered],
        "admin_user_id": ADMIN_USER_ID,
        "documents": documents,
        "waivers": sorted(waivers, key=lambda w: rank[w["invoice_id"]]),
        "pages": sum(d["pages"] for d in documents),
        "input_bytes": sum(d["bytes"] for d in documents),
        "distinct_bytes": sum(distinct.values()),
        "distinct_documents": len(distinct),
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return Workload(folder=folder, manifest=manifest)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or find in the cache) a workload and print its folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invoices", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, default=Path("bench-output"))
    args = parser.parse_args(argv)
    try:
        workload = ensure_workload(invoices=args.invoices, seed=args.seed, root=args.root)
    except NotEnoughSpaceError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    m = workload.manifest
    print(
        f"{workload.folder}: {m['invoices']} invoices, {len(m['documents'])} documents "
        f"({m['distinct_documents']} distinct), {m['pages']} pages, "
        f"{m['input_bytes'] / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
