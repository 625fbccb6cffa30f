"""The rule for document keys: a safe relative POSIX path inside a store.

Shared by :mod:`invoicebackup.storage`, whose stores check every key they are
given, and :mod:`invoicebackup.domain`, which checks a document's key when the
document is made. It imports nothing of ours and does no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: The longest key accepted, in bytes of UTF-8 (the limit object stores such as S3 use).
MAX_KEY_BYTES: Final = 1024
#: The longest segment accepted, in bytes of UTF-8 (the file-name limit of common file systems).
MAX_SEGMENT_BYTES: Final = 255

_DRIVE: Final = re.compile(r"[A-Za-z]:")


def key_problem(key: str) -> str | None:
    """Why *key* is unsafe, or None when it is safe."""
    if not key:
        return "the key is empty"
    for char in key:
        category = unicodedata.category(char)
        if category == "Cc":
            return f"the key contains the control character U+{ord(char):04X}"
        if category == "Cs":
            return f"the key contains the unpaired surrogate U+{ord(char):04X}"
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        return f"the key is longer than {MAX_KEY_BYTES} bytes"
    if "\\" in key:
        return "the key contains a backslash; keys use '/' as their only separator"
    if key.startswith("/"):
        return "the key is an absolute path; keys are relative to the store"
    if _DRIVE.match(key):
        return "the key starts with a drive; keys are relative to the store"
    for segment in key.split("/"):
        if segment == "":
            return "the key has an empty segment ('//' or a trailing '/')"
        if segment in (".", ".."):
            return f"the key has a {segment!r} segment; keys name a path inside the store"
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return f"a segment of the key is longer than {MAX_SEGMENT_BYTES} bytes"
    return None
