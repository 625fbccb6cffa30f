"""The manifest's own digest: one function for the compiler that writes it and ``verify``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

#: The key the digest is stored under, inside the manifest it covers.
MANIFEST_SHA256: Final = "manifest_sha256"


def manifest_sha256(data: Mapping[str, Any]) -> str:
    """The SHA-256 of *data*'s canonical JSON, every key but :data:`MANIFEST_SHA256`.

    Canonical: keys sorted, no spaces, UTF-8; the same dictionary read back from the
    embedded JSON text gives the same digest.
    """
    canonical = json.dumps(
        {key: value for key, value in data.items() if key != MANIFEST_SHA256},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
