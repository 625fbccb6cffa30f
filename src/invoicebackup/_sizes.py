"""Sizes in bytes written as people write them: ``20MB``, ``512 KiB``, ``1.5GB``.

Used by ``BackupOptions.max_volume_bytes`` and the CLI's ``--max-volume-size``.
``KB``, ``MB`` and ``GB`` are decimal (1000, 1000², 1000³): the "20MB" of an e-mail
attachment limit is a decimal one (mail services state their limits in decimal units,
and 20 MiB would overshoot a 20 MB limit by 5 %); ``KiB``, ``MiB``, ``GiB`` are binary
(1024…). Units are read in any ASCII case.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from .errors import InvalidValueError

_UNITS: Final = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


def parse_size(value: object, name: str) -> int:
    """*value* (an int of bytes, or a text such as ``"20MB"``) as a whole number of bytes.

    Raises:
        InvalidValueError: Not a size, a unit this does not know, or not at least one byte.
    """
    if isinstance(value, bool):
        raise InvalidValueError(name, value, reason="is not a size")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str):
        found = _SIZE.fullmatch(value)
        unit = found[2].lower() if found else None
        if found is None or unit not in _UNITS:
            raise InvalidValueError(
                name,
                value,
                reason="is not a size such as 20MB (units: B, KB, MB, GB, KiB, MiB, GiB)",
            )
        try:
            size = int(Decimal(found[1]) * _UNITS[unit])
        except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
            raise InvalidValueError(name, value, reason="is not a size") from None
    else:
        raise InvalidValueError(name, value, reason="is not a size (an int or a text like 20MB)")
    if size < 1:
        raise InvalidValueError(name, value, reason="is less than one byte")
    return size
