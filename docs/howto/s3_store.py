"""A DocumentStore over Amazon S3 (or any S3-compatible service), with boto3.

This is the code of the how-to "Write a DocumentStore for your object storage"; the
test suite runs the library's store contract against it, on moto's S3.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from invoicebackup import (
    DocumentExistsError,
    DocumentNotFoundError,
    DocumentStoreError,
    validate_key,
)

#: S3's answers that mean "no such object" and "the key is taken".
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
_TAKEN = frozenset({"412", "PreconditionFailed", "ConditionalRequestConflict"})


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3Store:
    """Documents as objects under *prefix* in an S3 *bucket*.

    Args:
        client: A boto3 S3 client (``boto3.client("s3")``); the store makes no client
            of its own, so credentials, region and retries stay yours.
        bucket: The bucket.
        prefix: Prepended to every key (``"project-7/"``), so that several projects
            can share a bucket.
    """

    def __init__(self, *, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def _name(self, key: str) -> str:
        return self._prefix + validate_key(key)

    def exists(self, key: str) -> bool:
        """Whether an object is stored under *key* (``HEAD``; a 404 is no)."""
        name = self._name(key)
        try:
            self._client.head_object(Bucket=self._bucket, Key=name)
        except ClientError as error:
            if _code(error) in _NOT_FOUND:
                return False
            raise DocumentStoreError(key, f"could not be looked up: {error}") from error
        except BotoCoreError as error:
            raise DocumentStoreError(key, f"could not be looked up: {error}") from error
        return True

    def read_bytes(self, key: str) -> bytes:
        """The whole object under *key* (``GET``)."""
        name = self._name(key)
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=name)
            return bytes(answer["Body"].read())
        except ClientError as error:
            if _code(error) in _NOT_FOUND:
                raise DocumentNotFoundError(key, "no document is stored under this key") from error
            raise DocumentStoreError(key, f"could not be read: {error}") from error
        except BotoCoreError as error:
            raise DocumentStoreError(key, f"could not be read: {error}") from error

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Buffer what the block writes, then upload it only if the key is still free."""
        return self._create(self._name(key), key)

    @contextmanager
    def _create(self, name: str, key: str) -> Iterator[BinaryIO]:
        if self.exists(key):
            raise DocumentExistsError(key, "a document already exists under this key")
        buffer = io.BytesIO()
        yield buffer  # an exception in the block stops here: nothing is uploaded
        try:
            # IfNoneMatch="*": S3 refuses (412) to replace an object that exists by now,
            # so two writers racing for one key end with exactly one winner.
            self._client.put_object(
                Bucket=self._bucket, Key=name, Body=buffer.getvalue(), IfNoneMatch="*"
            )
        except ClientError as error:
            if _code(error) in _TAKEN:
                raise DocumentExistsError(
                    key, "a document already exists under this key"
                ) from error
            raise DocumentStoreError(key, f"could not be written: {error}") from error
        except BotoCoreError as error:
            raise DocumentStoreError(key, f"could not be written: {error}") from error
