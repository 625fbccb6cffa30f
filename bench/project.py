"""The project around a workload's documents: companies, contracts, billing periods, order.

Both workloads (:mod:`bench.generate`, :mod:`bench.realworld`) write their documents into
one project of this shape: contracts of up to 8 invoices each, numbered ``SC-1``,
``SC-2``, … (every fifth a purchase order ``PO-5``) so that the backup order needs natural
sorting, one monthly billing period per position in a contract, and the admin user who
compiles. Only the standard library is imported here.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from typing import Any

#: The user who compiles: Admin on Commitments.
ADMIN_USER_ID = "u-admin"

_TRADES = (
    ("Electrical", "Volt Electric"),
    ("Concrete", "Solid Rock Concrete"),
    ("Mechanical", "Airflow Mechanical"),
    ("Plumbing", "Pipeline Plumbing"),
    ("Drywall", "Straightline Interiors"),
    ("Steel", "Ironbridge Steel"),
    ("Roofing", "Topside Roofing"),
    ("Glazing", "Clearview Glazing"),
)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key ordering ``SC-2`` before ``SC-10`` before ``sc-11``."""
    parts = re.split(r"(\d+)", text.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def rng_for(seed: int, *parts: object) -> random.Random:
    """A random generator seeded by the run's seed and a thing's identity."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def skeleton(
    invoices: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The companies, contracts and billing periods for *invoices* invoices.

    Invoice *i* (from 0) belongs to contract ``i % len(contracts)`` at position
    ``i // len(contracts) + 1``, in the billing period of that position.
    """
    contracts_n = max(1, math.ceil(invoices / 8))
    positions = math.ceil(invoices / contracts_n)
    companies = [{"id": "c-gc", "name": "Acme Builders"}]
    contracts: list[dict[str, Any]] = []
    for k in range(1, contracts_n + 1):
        trade, vendor = _TRADES[(k - 1) % len(_TRADES)]
        vendor = f"{vendor} {k}" if k > len(_TRADES) else vendor
        companies.append({"id": f"c-v{k}", "name": vendor})
        purchase = k % 5 == 0
        contracts.append(
            {
                "id": f"k-{k}",
                "number": f"{'PO' if purchase else 'SC'}-{k}",
                "title": trade,
                "kind": "purchase_order" if purchase else "subcontract",
                "vendor_id": f"c-v{k}",
                "private": False,
                "private_list": [],
                "invoice_contacts": [],
            }
        )
    periods = []
    for p in range(1, positions + 1):
        start = dt.date(2025 + (p - 1) // 12, (p - 1) % 12 + 1, 1)
        nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        periods.append(
            {
                "id": f"bp-{p:02d}",
                "start": start.isoformat(),
                "end": (nxt - dt.timedelta(days=1)).isoformat(),
                "due": start.replace(day=25).isoformat(),
                "status": "open" if p == positions else "closed",
                "kind": "automatic",
            }
        )
    return companies, contracts, periods


def backup_order(
    invoices: list[dict[str, Any]], contracts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """*invoices* in the backup's order: contract number (natural), position, id."""
    numbers = {c["id"]: c["number"] for c in contracts}

    def key(inv: dict[str, Any]) -> tuple[Any, ...]:
        return (natural_key(numbers[inv["contract_id"]]), inv["position"], inv["id"])

    return sorted(invoices, key=key)


def project_json(
    *,
    seed: int,
    companies: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    periods: list[dict[str, Any]],
    invoices: list[dict[str, Any]],
) -> dict[str, Any]:
    """The ``project.json`` document; invoices shuffled (the file's order is not the backup's)."""
    shuffled = list(invoices)
    rng_for(seed, "file-order").shuffle(shuffled)
    return {
        "format": "invoicebackup.project/1",
        "project": {
            "id": "p-bench",
            "name": "Harbour Front Tower A",
            "number": "2025-017",
            "language": "en-US",
            "dictionary": "general_contractor",
            "docusign_enabled": False,
        },
        "companies": companies,
        "users": [
            {
                "id": ADMIN_USER_ID,
                "name": "Ada Admin",
                "email": "ada@example.com",
                "company_id": "c-gc",
                "has_account": True,
                "active": True,
                "permissions": {
                    "commitments": "admin",
                    "prime_contracts": "read_only",
                    "invoicing": "admin",
                },
            }
        ],
        "contracts": contracts,
        "billing_periods": periods,
        "invoices": shuffled,
    }
