"""The web-service how-to (``docs/howto/web_service.py``), run as a host would run it.

FastAPI's test client calls the service; documents and backups live in moto's in-process S3
through the store how-to's adapter. Refusals come back as 403, 404 and 422 from the library's
own kinds, with every problem's code.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import boto3
import pypdf
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws

from invoicebackup import DocumentStore, Project
from invoicebackup.testing import sample_documents, sample_project

HOWTO = Path(__file__).resolve().parents[1] / "docs" / "howto"
BUCKET = "invoicebackup-service"
DAY = date(2026, 11, 3)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"howto_{name}", HOWTO / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the module's annotations by name
    spec.loader.exec_module(module)
    return module


s3_store = _load("s3_store")
web_service = _load("web_service")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    project = sample_project(today=DAY)
    broken = attrs.evolve(
        project,
        id="p-broken",
        invoices=[attrs.evolve(project.invoices[2], billing_period_id="bp-deleted")],
    )
    projects = {p.id: p for p in (project, broken)}
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        s3: Any = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)

        def documents_of(p: Project) -> DocumentStore:
            store: DocumentStore = s3_store.S3Store(
                client=s3, bucket=BUCKET, prefix=f"documents/{p.id}/"
            )
            return store

        def backups_of(p: Project) -> DocumentStore:
            store: DocumentStore = s3_store.S3Store(
                client=s3, bucket=BUCKET, prefix=f"backups/{p.id}/"
            )
            return store

        for p in projects.values():
            for key, data in sample_documents(today=DAY).items():
                with documents_of(p).create(key) as out:
                    out.write(data)
        app = web_service.make_app(
            project_of=projects.get, documents_of=documents_of, backups_of=backups_of
        )
        with TestClient(app) as test_client:
            yield test_client


def _compile(client: TestClient, user: str, project: str = "p-100", **body: Any) -> Any:
    return client.post(f"/projects/{project}/backups", json=body, headers={"X-User-Id": user})


def test_a_backup_is_compiled_into_s3_and_downloaded(client: TestClient) -> None:
    """201 with the result; the download is the PDF, its pages as the result says."""
    created = _compile(client, "u-admin", contract_ids=["k-10", "k-11"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["ok"] is True
    assert [i["invoice_id"] for i in body["manifest"]["invoices"]] == ["i-3", "i-4"]
    download = client.get(
        f"/projects/p-100/backups/{body['key']}", headers={"X-User-Id": "u-admin"}
    )
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment;" in download.headers["content-disposition"]
    pages = len(pypdf.PdfReader(io.BytesIO(download.content)).pages)
    assert pages == body["manifest"]["page_count"]


def test_a_refusal_is_403_with_every_problem_and_its_code(client: TestClient) -> None:
    """Read Only on Commitments: 403, each problem forbidden, with its code."""
    refused = _compile(client, "u-reader", invoice_ids=["i-3", "i-4"])
    assert refused.status_code == 403
    body = refused.json()
    assert body["ok"] is False
    assert body["kind"] == "forbidden"
    assert {(p["code"], p["kind"]) for p in body["problems"]} == {
        ("not_admin_on_tool", "forbidden")
    }
    assert len(body["problems"]) == 2


def test_an_unknown_or_hidden_invoice_is_404(client: TestClient) -> None:
    """An id not in the project, or of a private contract she may not know of: 404."""
    assert _compile(client, "u-admin", invoice_ids=["i-404"]).status_code == 404
    hidden = _compile(client, "u-reader", contract_ids=["k-2"])
    assert hidden.status_code == 404
    assert "SC-2" not in hidden.text
    assert _compile(client, "u-admin", project="p-nowhere", invoice_ids=["i-1"]).status_code == 404


def test_a_deleted_billing_period_is_422(client: TestClient) -> None:
    """An invoice whose billing period was deleted cannot be compiled: 422, naming the period."""
    refused = _compile(client, "u-admin", project="p-broken", invoice_ids=["i-3"])
    assert refused.status_code == 422
    assert "bp-deleted" in refused.text


def test_a_backup_is_downloaded_only_by_who_may_see_its_invoices(client: TestClient) -> None:
    """A backup holding private SC-2's invoices is 403 to Rita; an unknown key is 404."""
    created = _compile(client, "u-admin", contract_ids=["k-2"])
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    denied = client.get(f"/projects/p-100/backups/{key}", headers={"X-User-Id": "u-reader"})
    assert denied.status_code == 403
    missing = client.get(
        "/projects/p-100/backups/backups/none.pdf", headers={"X-User-Id": "u-admin"}
    )
    assert missing.status_code == 404
