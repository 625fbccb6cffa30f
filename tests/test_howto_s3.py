"""The store how-to's S3 adapter (``docs/howto/s3_store.py``) keeps the store contract.

The page includes that file as it is; here it runs against moto's in-process S3 (no
network), through the contract suite that :mod:`invoicebackup.testing` ships to adapter
authors, and then carries a whole backup.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pypdf
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from invoicebackup import DocumentStore, DocumentStoreError, compile_backup
from invoicebackup.testing import DocumentStoreContract, sample_documents, sample_project

ADAPTER = Path(__file__).resolve().parents[1] / "docs" / "howto" / "s3_store.py"
BUCKET = "invoicebackup-tests"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("howto_s3_store", ADAPTER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


s3_store = _load()


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    """One fake S3 for the module; each store gets a prefix of its own."""
    # Fake credentials and moto's interception: nothing here can reach AWS.
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


#: Prefixes handed out to the stores of this module, each new one empty.
_prefixes = itertools.count()


class TestS3StoreContract(DocumentStoreContract):
    """Every rule of the store contract, on the how-to's adapter over moto's S3."""

    @pytest.fixture(autouse=True)
    def _client(self, s3: Any) -> None:
        self.client = s3

    def make_store(self) -> DocumentStore:
        store: DocumentStore = s3_store.S3Store(
            client=self.client, bucket=BUCKET, prefix=f"store-{next(_prefixes)}/"
        )
        return store


def test_a_backup_is_compiled_from_and_into_s3(s3: Any) -> None:
    """The sample project's documents in a bucket compile into a backup stored in it."""
    day = date(2026, 11, 3)
    source = s3_store.S3Store(client=s3, bucket=BUCKET, prefix=f"tower-a-{next(_prefixes)}/")
    for key, data in sample_documents(today=day).items():
        with source.create(key) as stream:
            stream.write(data)
    output = s3_store.S3Store(client=s3, bucket=BUCKET, prefix=f"backups-{next(_prefixes)}/")
    result = compile_backup(
        sample_project(today=day),
        invoice_ids=["i-3"],
        user_id="u-admin",
        store=source,
        output=output,
        now=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
    )
    backup = output.read_bytes(result.key)
    assert len(pypdf.PdfReader(io.BytesIO(backup)).pages) == result.page_count


def test_a_failing_bucket_is_a_store_error_naming_the_key(s3: Any) -> None:
    """An S3 failure other than not-found or taken is a DocumentStoreError with its cause."""
    store = s3_store.S3Store(client=s3, bucket="no-such-bucket-here", prefix="")
    with pytest.raises(DocumentStoreError) as caught:
        store.read_bytes("docs/i-1.pdf")
    assert caught.value.key == "docs/i-1.pdf"
    assert isinstance(caught.value.__cause__, ClientError)
