"""Project folders: read and write ``project.json``, the format the CLI reads.

A project folder holds ``project.json`` and the documents it names, by keys
relative to the folder. :func:`load_project` reads a folder into a
:class:`~invoicebackup.domain.Project`; :func:`dump_project` writes one back,
atomically. :func:`project_from_dict` and :func:`project_to_dict` do the same
with JSON-shaped Python values, for hosts that keep the document elsewhere.

Validation belongs here, at the edge. A file that breaks the format raises one
:class:`~invoicebackup.errors.ProjectFileError` that lists every problem, each
with its JSON path (``invoices[3].billing_period_id``), so a person can fix them
all in one go. This is the only module that imports ``cattrs``.

Longer than 800 lines because it is the one cattrs converter (one converter module,
as in cattrs' own advice): project files and backup manifests share its hooks, and a fifth of
the file is docstrings.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import json
import keyword
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, NoReturn, TypeAlias

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._integrity import manifest_sha256
from ._languages import language_tag
from .domain import (
    BillingPeriod,
    Company,
    Contract,
    Dictionary,
    Document,
    DocuSignLink,
    Envelope,
    Invoice,
    PeriodStatus,
    Permissions,
    Project,
    User,
    time_zone_name,
)
from .errors import InvalidValueError, Problem, ProjectFileError, UnsafeKeyError
from .manifest import BackupManifest, BackupResult, VolumeRecord
from .options import BackupOptions
from .storage import validate_key

__all__ = [
    "FORMAT",
    "MANIFEST_FORMAT",
    "MAX_PROJECT_FILE_BYTES",
    "PROJECT_FILE",
    "dump_project",
    "load_project",
    "manifest_to_dict",
    "manifest_to_json",
    "manifest_to_json_bytes",
    "project_from_dict",
    "project_to_dict",
    "result_to_dict",
    "result_to_json",
]

#: The value of the ``format`` key this version reads and writes.
FORMAT: Final = "invoicebackup.project/1"
#: The ``format`` of backup manifests (:func:`manifest_to_json`).
#: Version 2 added ``page_digest``, ``page_digests`` and ``manifest_sha256`` (what
#: :func:`~invoicebackup.verify.verify_backup` checks); version 1 is still read by it.
MANIFEST_FORMAT: Final = "invoicebackup.manifest/2"

#: The name of the project file inside a project folder.
PROJECT_FILE: Final = "project.json"
#: The largest project file read, in bytes; a larger one is refused unread (``too_large``).
MAX_PROJECT_FILE_BYTES: Final = 64 * 1024 * 1024

#: A JSON path as its segments: object keys and array indices.
_Path: TypeAlias = tuple[str | int, ...]


# --- the project header (the "project" object) ----------------------------------------------------


def _header_language(value: str) -> str:
    # Checked here, not only when the Project is made at the end, so that a wrong
    # language is reported at project.language alongside every other problem.
    return language_tag(value, "Project.language")


@attrs.frozen(kw_only=True)
class _Header:
    """The ``project`` object: the project's own scalars, without its collections."""

    id: str
    name: str
    number: str
    language: str = attrs.field(converter=_header_language)
    dictionary: Dictionary = Dictionary.GENERAL_CONTRACTOR
    docusign_enabled: bool
    company_id: str | None = None
    # Checked here too, so that an unknown zone is reported at project.time_zone.
    time_zone: str | None = attrs.field(default=None, converter=time_zone_name)


#: Every top-level key and what it holds; all of them are required.
_SECTIONS: Final[Mapping[str, type[Any]]] = {
    "companies": Company,
    "users": User,
    "contracts": Contract,
    "billing_periods": BillingPeriod,
    "invoices": Invoice,
}
_TOP_LEVEL_KEYS: Final = ("format", "project", *_SECTIONS)

#: Keys that may be absent from an object, because the format gives their default or
#: says when they are present. Every other key is required. When a Python value is
#: ``None`` (or an empty list), an optional key is left out on dump and a required one is
#: written as null (a lien waiver's ``document`` is required: null says it is missing).
_OPTIONAL_KEYS: Final[Mapping[type[Any], frozenset[str]]] = {
    _Header: frozenset({"dictionary", "company_id", "time_zone"}),
    User: frozenset({"permissions", "docusign"}),
    Permissions: frozenset({"commitments", "prime_contracts", "invoicing"}),
    DocuSignLink: frozenset({"state", "account_id", "base_uri", "linked_at", "last_used_at"}),
    # Added in the second round: a file without it is still valid (no waivers).
    Invoice: frozenset({"envelope", "lien_waivers"}),
    Envelope: frozenset({"completed_at", "signed_document_key", "certificate_key"}),
    # Volumes (issue 23): a backup written as one file dumps as it did before they existed.
    BackupOptions: frozenset({"max_volume_bytes"}),
    BackupManifest: frozenset({"volume", "volumes"}),
    BackupResult: frozenset({"volumes"}),
    VolumeRecord: frozenset({"pages_sha256", "over_limit", "key", "filename", "size", "sha256"}),
}

#: Fields that hold document keys, which must stay inside the project folder.
_KEY_FIELDS: Final[Mapping[type[Any], tuple[str, ...]]] = {
    Document: ("key",),
    Envelope: ("signed_document_key", "certificate_key"),
}


# --- what a wrong value says ----------------------------------------------------------------------


class _WireError(ValueError):
    """A value in the file that the format does not allow, with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _wrong_type(expected: str, value: object) -> _WireError:
    return _WireError("wrong_type", f"expected {expected}, got {_json_type(value)}")


# --- structure hooks: JSON values to Python values ------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?",
    re.ASCII,
)
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(s?nan\d*|inf|infinity)", re.ASCII | re.IGNORECASE)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _structure_str(value: object, _: type[Any]) -> str:
    if not isinstance(value, str):
        raise _wrong_type("a string", value)
    # JSON's \uXXXX escapes can spell half a character, which no file or terminal takes.
    found = _SURROGATE.search(value)
    if found is not None:
        raise _WireError(
            "unpaired_surrogate",
            f"{value!r} contains the unpaired surrogate U+{ord(found.group()):04X}, "
            "half of a character; write the whole character",
        )
    return value


def _structure_bool(value: object, _: type[Any]) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type("true or false", value)
    return value


def _structure_int(value: object, _: type[Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type("an integer", value)
    return value


def _structure_decimal(value: object, _: type[Any]) -> Decimal:
    if not isinstance(value, str):
        raise _wrong_type('a decimal string such as "12500.00"', value)
    if _NON_FINITE.fullmatch(value):
        raise _WireError("not_finite", f"{value!r} is not a finite amount")
    if not _DECIMAL.fullmatch(value):
        raise _WireError("bad_decimal", f'{value!r} is not a decimal string such as "12500.00"')
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
        raise _WireError("bad_decimal", f"{value!r} is not a decimal string") from None


def _structure_date(value: object, _: type[Any]) -> date:
    if not isinstance(value, str):
        raise _wrong_type("a date (YYYY-MM-DD)", value)
    if not _DATE.fullmatch(value):
        raise _WireError("bad_date", f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _WireError("bad_date", f"{value!r} is not a day of the calendar") from None


def _structure_datetime(value: object, _: type[Any]) -> datetime:
    if not isinstance(value, str):
        raise _wrong_type("an ISO 8601 instant such as 2026-10-01T09:00:00Z", value)
    match = _INSTANT.fullmatch(value)
    if match is None:
        raise _WireError(
            "bad_instant",
            f"{value!r} is not an ISO 8601 instant such as 2026-10-01T09:00:00Z",
        )
    if match["zone"] is None:
        raise _WireError(
            "no_zone", f"{value!r} lacks a time zone (end it with Z or an offset such as +02:00)"
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise _WireError("bad_instant", f"{value!r} is not a real instant: {exc}") from None


def _enum_hook(cl: type[enum.Enum]) -> Callable[[object, type[Any]], enum.Enum]:
    choices = ", ".join(str(member.value) for member in cl)

    def structure(value: object, _: type[Any]) -> enum.Enum:
        if not isinstance(value, str):
            raise _wrong_type(f"one of {choices}", value)
        try:
            return cl(value)
        except ValueError:
            raise _WireError("bad_value", f"{value!r} is not one of {choices}") from None

    return structure


def _structure_key(value: object, _: type[Any]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong_type("a document key (a relative path such as docs/i-7.pdf)", value)
    try:
        return validate_key(value)
    except UnsafeKeyError as exc:
        raise _WireError(
            "unsafe_key", f"{value!r} is not a key inside the project folder: {exc.reason}"
        ) from None


def _is_homogeneous_tuple(type_: Any) -> bool:
    args: tuple[Any, ...] = getattr(type_, "__args__", ())
    return getattr(type_, "__origin__", None) is tuple and len(args) == 2 and args[1] is ...


def _tuple_hook_factory(
    type_: Any, converter: cattrs.Converter
) -> Callable[[object, type[Any]], tuple[Any, ...]]:
    item_type = type_.__args__[0]
    structure_item = converter.get_structure_hook(item_type)

    def structure(value: object, _: type[Any]) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _wrong_type("an array", value)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(structure_item(item, item_type))
            except Exception as exc:
                exc.add_note(IterableValidationNote(f"@ index {index}", index, item_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return tuple(items)

    return structure


def _class_hook_factory(cl: type[Any], converter: cattrs.Converter) -> Callable[..., Any]:
    optional = _OPTIONAL_KEYS.get(cl, frozenset())
    fields = [f.name for f in attrs.fields(cl) if f.init]
    required = [name for name in fields if name not in optional]
    overrides: dict[str, Any] = {
        name: override(struct_hook=_structure_key) for name in _KEY_FIELDS.get(cl, ())
    }
    inner = make_dict_structure_fn(
        cl,
        converter,
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=True,
        **overrides,
    )

    def structure(value: object, _: type[Any]) -> Any:
        if not isinstance(value, dict):
            raise _wrong_type("an object", value)
        # An optional key given as null means the same as leaving it out.
        value = {k: v for k, v in value.items() if v is not None or k not in optional}
        errors: list[Exception] = []
        missing = [name for name in required if name not in value]
        for name in missing:
            error = _WireError("missing_key", "this required key is missing")
            error.add_note(AttributeValidationNote(f"@ attribute {name}", name, None))
            errors.append(error)
        try:
            result = inner(value, cl)
        except ClassValidationError as exc:
            errors.extend(e for e in exc.exceptions if not _is_missing(e, missing))
        if errors:
            raise ClassValidationError(f"While structuring {cl.__name__}", errors, cl)
        return result

    return structure


def _is_missing(exc: Exception, names: Sequence[str]) -> bool:
    """Whether *exc* is cattrs' KeyError for a key already reported as missing."""
    return isinstance(exc, KeyError) and _attribute_of(exc) in names


def _attribute_of(exc: BaseException) -> str | None:
    """The attribute a cattrs note says *exc* is about, if any."""
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return note.name
    return None


def _index_of(exc: BaseException) -> int | str | None:
    """The array index a cattrs note says *exc* is about, if any."""
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, IterableValidationNote):
            return note.index
    return None


# --- unstructure hooks: Python values to JSON values ----------------------------------------------


def _dump_instant(value: datetime) -> str:
    text = value.isoformat()
    return (
        text[:-6] + "Z" if value.utcoffset() == timedelta(0) and text.endswith("+00:00") else text
    )


def _unstructure_class_factory(cl: type[Any], converter: cattrs.Converter) -> Callable[..., Any]:
    optional = _OPTIONAL_KEYS.get(cl, frozenset())
    inner = make_dict_unstructure_fn(cl, converter)

    def unstructure(value: Any) -> dict[str, Any]:
        data: dict[str, Any] = inner(value)
        for name in optional:
            # A project without waivers dumps as it did before the key existed.
            if data.get(name, ...) is None or data.get(name, ...) == []:
                del data[name]
        return data

    return unstructure


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _enum_hook
    )
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    converter.register_structure_hook_factory(attrs.has, _class_hook_factory)

    converter.register_unstructure_hook(Decimal, str)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(datetime, _dump_instant)
    converter.register_unstructure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda _: _enum_value
    )
    converter.register_unstructure_hook_factory(
        _is_homogeneous_tuple, lambda t, c: _list_of(c.get_unstructure_hook(t.__args__[0]))
    )
    converter.register_unstructure_hook_factory(_is_enum_set, lambda t: _enum_set_values(t))
    converter.register_unstructure_hook_factory(attrs.has, _unstructure_class_factory)
    return converter


def _is_enum_set(t: Any) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return (
        getattr(t, "__origin__", None) is frozenset
        and len(args) == 1
        and isinstance(args[0], type)
        and issubclass(args[0], enum.Enum)
    )


def _enum_set_values(t: Any) -> Callable[[frozenset[enum.Enum]], list[Any]]:
    members: list[enum.Enum] = list(t.__args__[0])

    # In the enumeration's own order, so that the same set is always the same JSON.
    def unstructure(values: frozenset[enum.Enum]) -> list[Any]:
        return [member.value for member in members if member in values]

    return unstructure


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _list_of(unstructure_item: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    def unstructure(values: Sequence[Any]) -> list[Any]:
        return [unstructure_item(v) for v in values]

    return unstructure


_converter = _make_converter()


# --- problems and their paths ---------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


def _format_path(path: _Path) -> str:
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _IDENTIFIER.fullmatch(segment) and not keyword.iskeyword(segment):
            text += f".{segment}" if text else segment
        else:
            # Escape a key that is not whole Unicode, so the path can be printed.
            whole = _SURROGATE.search(segment) is None
            text += f"[{json.dumps(segment, ensure_ascii=not whole)}]"
    return text


@attrs.frozen
class _Located:
    path: _Path
    code: str
    message: str


def _problems_of(exc: BaseException, path: _Path) -> Iterator[_Located]:
    """Every leaf problem in a cattrs error tree, with the JSON path to it."""
    if isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            expected = ", ".join(f.name for f in attrs.fields(exc.cl) if f.init)
            yield _Located((*path, key), "unknown_key", f"unknown key {key!r} (known: {expected})")
    elif isinstance(exc, ClassValidationError | IterableValidationError):
        for sub in exc.exceptions:
            name = _attribute_of(sub)
            segment = name if name is not None else _index_of(sub)
            yield from _problems_of(sub, path if segment is None else (*path, segment))
    elif isinstance(exc, _WireError):
        yield _Located(path, exc.code, exc.message)
    elif isinstance(exc, KeyError):
        yield _Located(path, "missing_key", "this required key is missing")
    elif isinstance(exc, InvalidValueError):
        # A value the domain refused when it was made (a media type that contradicts its
        # key): the error names its field, which the path takes; the message need not.
        name = exc.field.rpartition(".")[2]
        where = path if path and path[-1] == name else (*path, name)
        yield _Located(where, "invalid_value", f"{exc.value!r} {exc.reason}")
    elif isinstance(exc, ValueError):
        # A domain invariant on one value (a period that ends before it starts).
        yield _Located(path, "invalid_value", str(exc))
    else:  # pragma: no cover - a hook raised something unplanned; still say where
        yield _Located(path, "invalid_value", f"{type(exc).__name__}: {exc}")


def _walk(value: object, path: _Path = ()) -> Iterator[tuple[_Path, object]]:
    """Every value in parsed JSON with its path, in the order the document shows them."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def _document_order(data: object) -> dict[_Path, int]:
    """Every path in *data*, numbered in the order the document shows it."""
    return {path: number for number, (path, _) in enumerate(_walk(data))}


def _sorted_problems(found: Sequence[_Located], data: object) -> list[Problem]:
    order = _document_order(data)

    def rank(item: _Located) -> int:
        path = item.path
        while path not in order:
            path = path[:-1]
        return order[path]

    return [Problem(_format_path(p.path), p.code, p.message) for p in sorted(found, key=rank)]


# --- invariants that span a collection, located -----------------------------------------------


def _collection_problems(sections: Mapping[str, Sequence[tuple[int, Any]]]) -> Iterator[_Located]:
    """Where the project-wide invariants are broken, with the offending item's path.

    :class:`~invoicebackup.domain.Project` enforces these rules; this finds *every*
    offender and says where it is, which the domain's single ``ValueError`` cannot.
    """
    for name, items in sections.items():
        seen: dict[str, int] = {}
        for index, item in items:
            if item.id in seen:
                yield _Located(
                    (name, index, "id"),
                    "duplicate_id",
                    f"the id {item.id!r} is already used by {name}[{seen[item.id]}]",
                )
            else:
                seen[item.id] = index

    periods: Sequence[tuple[int, BillingPeriod]] = sections.get("billing_periods", ())
    first_open: tuple[int, BillingPeriod] | None = None
    for index, period in periods:
        if period.status is not PeriodStatus.OPEN:
            continue
        if first_open is None:
            first_open = (index, period)
        else:
            yield _Located(
                ("billing_periods", index, "status"),
                "two_open_periods",
                f"{period.id!r} is open but so is {first_open[1].id!r} "
                f"(billing_periods[{first_open[0]}]); at most one billing period may be open",
            )
    reach: tuple[int, BillingPeriod] | None = None
    for index, period in sorted(periods, key=lambda ip: (ip[1].start, ip[1].end, ip[1].id)):
        if reach is not None and period.start <= reach[1].end:
            other = reach[1]
            yield _Located(
                ("billing_periods", index),
                "overlapping_periods",
                f"{period.id!r} ({period.start}..{period.end}) overlaps {other.id!r} "
                f"({other.start}..{other.end}, billing_periods[{reach[0]}])",
            )
        if reach is None or period.end > reach[1].end:
            reach = (index, period)

    waivers: dict[str, tuple[int, int]] = {}
    for index, invoice in sections.get("invoices", ()):
        for number, waiver in enumerate(invoice.lien_waivers):
            if waiver.id in waivers:
                where = "invoices[{}].lien_waivers[{}]".format(*waivers[waiver.id])
                yield _Located(
                    ("invoices", index, "lien_waivers", number, "id"),
                    "duplicate_id",
                    f"the lien waiver id {waiver.id!r} is already used by {where}",
                )
            else:
                waivers[waiver.id] = (index, number)

    slots: dict[tuple[str, int], int] = {}
    for index, invoice in sections.get("invoices", ()):
        slot = (invoice.contract_id, invoice.position)
        if slot in slots:
            yield _Located(
                ("invoices", index, "position"),
                "duplicate_position",
                f"contract {invoice.contract_id!r} already has an invoice at position "
                f"{invoice.position} (invoices[{slots[slot]}])",
            )
        else:
            slots[slot] = index


# --- the public functions -------------------------------------------------------------------------


def project_from_dict(data: object, *, source: str = "<dict>") -> Project:
    """Build a project from a parsed ``project.json`` document.

    Args:
        data: The document as ``json.loads`` returns it.
        source: What to call the input in the error message (a file name).

    Returns:
        The project.

    Raises:
        ProjectFileError: The document breaks the format; ``problems`` lists every
            problem, each with its JSON path.

    Example:
        >>> from invoicebackup import project_from_dict
        >>> data = {"format": "invoicebackup.project/1",
        ...         "project": {"id": "p-1", "name": "Tower", "number": "T-1", "language": "en-US",
        ...                     "docusign_enabled": False},
        ...         "companies": [], "users": [], "contracts": [], "billing_periods": [],
        ...         "invoices": []}
        >>> project = project_from_dict(data)
        >>> project.name, project.invoices
        ('Tower', ())

    .. versionadded:: 0.1.0
    """
    return _build_project(data, source=source, found=[])


def _build_project(data: object, *, source: str, found: list[_Located]) -> Project:
    if not isinstance(data, dict):
        problem = Problem("", "wrong_type", f"expected a JSON object, got {_json_type(data)}")
        raise ProjectFileError(source, [problem])
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            known = ", ".join(_TOP_LEVEL_KEYS)
            found.append(_Located((key,), "unknown_key", f"unknown key {key!r} (known: {known})"))
    for key in _TOP_LEVEL_KEYS:
        if key not in data:
            found.append(_Located((key,), "missing_key", "this required key is missing"))

    if "format" in data and data["format"] != FORMAT:
        got = data["format"]
        found.append(
            _Located(
                ("format",),
                "bad_format",
                f"expected {FORMAT!r}, got {got!r}"
                if isinstance(got, str)
                else f"expected {FORMAT!r}, got {_json_type(got)}",
            )
        )
    header: _Header | None = None
    if "project" in data:
        try:
            header = _converter.structure(data["project"], _Header)
        except Exception as exc:
            found.extend(_problems_of(exc, ("project",)))

    sections: dict[str, list[tuple[int, Any]]] = {}
    complete = True
    for name, item_type in _SECTIONS.items():
        if name not in data:
            complete = False
            continue
        values = data[name]
        if not isinstance(values, list):
            found.append(
                _Located((name,), "wrong_type", f"expected an array, got {_json_type(values)}")
            )
            complete = False
            continue
        sections[name] = []
        for index, value in enumerate(values):
            try:
                sections[name].append((index, _converter.structure(value, item_type)))
            except Exception as exc:
                found.extend(_problems_of(exc, (name, index)))
                complete = False
    found.extend(_collection_problems(sections))

    if not found and header is not None and complete:
        try:
            return Project(
                id=header.id,
                name=header.name,
                number=header.number,
                language=header.language,
                dictionary=header.dictionary,
                docusign_enabled=header.docusign_enabled,
                company_id=header.company_id,
                time_zone=header.time_zone,
                companies=[v for _, v in sections["companies"]],
                users=[v for _, v in sections["users"]],
                contracts=[v for _, v in sections["contracts"]],
                billing_periods=[v for _, v in sections["billing_periods"]],
                invoices=[v for _, v in sections["invoices"]],
            )
        except ValueError as exc:
            # A project-wide rule the checks above do not locate: report it as a whole.
            found.append(_Located(("project",), "invalid_project", str(exc)))
    raise ProjectFileError(source, _sorted_problems(found, data))


def project_to_dict(project: Project) -> dict[str, Any]:
    """The ``project.json`` document for *project*, as JSON-shaped Python values.

    Keys come in a stable order (the format's), money as decimal strings that keep
    their exponent (``"12500.00"``), dates as ``YYYY-MM-DD`` and instants in ISO 8601
    with their offset (``Z`` for UTC). Optional keys whose value is ``None`` are
    left out.

    Args:
        project: The project to describe.

    Returns:
        A dictionary that ``json.dumps`` can write and :func:`project_from_dict`
        reads back into an equal project.

    Raises:
        ProjectFileError: A document key of the project would leave the project
            folder, so the file could not be read back.

    Example:
        >>> from invoicebackup import Project, project_from_dict, project_to_dict
        >>> data = project_to_dict(Project(id="p-1", name="Tower"))
        >>> data["format"], data["project"]["name"]
        ('invoicebackup.project/1', 'Tower')
        >>> project_from_dict(data) == Project(id="p-1", name="Tower")
        True

    .. versionadded:: 0.1.0
    """
    unsafe = list(_unsafe_keys(project))
    if unsafe:
        raise ProjectFileError(f"project {project.id!r}", unsafe)
    header = _Header(
        id=project.id,
        name=project.name,
        number=project.number,
        language=project.language,
        dictionary=project.dictionary,
        docusign_enabled=project.docusign_enabled,
        company_id=project.company_id,
        time_zone=project.time_zone,
    )
    document: dict[str, Any] = {"format": FORMAT, "project": _converter.unstructure(header)}
    for name in _SECTIONS:
        document[name] = [_converter.unstructure(item) for item in getattr(project, name)]
    return document


def _unsafe_keys(project: Project) -> Iterator[Problem]:
    for index, invoice in enumerate(project.invoices):
        keys: list[tuple[_Path, str | None]] = [
            (("document", "key"), invoice.document.key),
            *((("attachments", n, "key"), a.key) for n, a in enumerate(invoice.attachments)),
            *(
                (("lien_waivers", n, "document", "key"), w.document.key)
                for n, w in enumerate(invoice.lien_waivers)
                if w.document is not None
            ),
        ]
        if invoice.envelope is not None:
            for name in _KEY_FIELDS[Envelope]:
                keys.append((("envelope", name), getattr(invoice.envelope, name)))
        for path, key in keys:
            if key is None:
                continue
            try:
                _structure_key(key, str)
            except _WireError as exc:
                yield Problem(_format_path(("invoices", index, *path)), exc.code, exc.message)


def _project_file(path: str | os.PathLike[str]) -> Path:
    given = Path(path)
    if given.is_dir():
        return given / PROJECT_FILE
    if given.is_file() or given.suffix.lower() == ".json":
        return given
    return given / PROJECT_FILE


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read the project folder at *path*.

    Document keys in the project are relative to the folder: open them with
    ``FileSystemStore(folder)``.

    Args:
        path: The project folder, or its ``project.json`` file itself.

    Returns:
        The project.

    Raises:
        ProjectFileError: The file is missing, is not a regular file (a FIFO, a
            device), is larger than :data:`MAX_PROJECT_FILE_BYTES`, is not UTF-8
            JSON, or breaks the format; ``problems`` lists every problem, each with
            its JSON path.
        OSError: The file exists but could not be read (permissions, I/O).

    Example:
        >>> import tempfile
        >>> from invoicebackup import load_project
        >>> from invoicebackup.testing import write_sample_project
        >>> project = load_project(write_sample_project(tempfile.mkdtemp()))
        >>> project.name, [c.number for c in project.contracts]
        ('Tower A', ['SC-10', 'SC-2', 'sc-11'])

    .. versionadded:: 0.1.0
    """
    file = _project_file(path)
    source = str(file)
    try:
        text = _read_project_file(file, source).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(
            source, [Problem("", "invalid_json", f"the file is not UTF-8 text: {exc.reason}")]
        ) from None
    data, found = _parse_json(text, source)
    return _build_project(data, source=source, found=found)


def _read_project_file(file: Path, source: str) -> bytes:
    """The bytes of *file*, which must be a regular file of at most MAX_PROJECT_FILE_BYTES.

    A FIFO would block the open and the read forever, a device (a link to
    ``/dev/zero``) would never end: the file is opened without blocking and checked
    to be regular before a byte is read, and never more than the limit is read.
    """

    def refuse(code: str, message: str) -> NoReturn:
        raise ProjectFileError(source, [Problem("", code, message)]) from None

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(file, flags | getattr(os, "O_BINARY", 0))
    except (FileNotFoundError, NotADirectoryError):
        refuse("missing_file", "there is no such file")
    except IsADirectoryError:
        refuse("missing_file", "this is a folder, not a file")
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            refuse("missing_file", "this is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            refuse("not_a_file", "this is not a regular file (a FIFO, a device, a socket…)")
        if info.st_size > MAX_PROJECT_FILE_BYTES:
            refuse("too_large", f"the file is larger than {MAX_PROJECT_FILE_BYTES} bytes")
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        data = stream.read(MAX_PROJECT_FILE_BYTES + 1)
    if len(data) > MAX_PROJECT_FILE_BYTES:  # it grew while being read
        refuse("too_large", f"the file is larger than {MAX_PROJECT_FILE_BYTES} bytes")
    return data


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(text: str, source: str) -> tuple[object, list[_Located]]:
    """The parsed document, and a problem for each key repeated within one object."""
    repeated: list[tuple[dict[str, Any], str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                repeated.append((result, key))
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise ProjectFileError(source, [Problem("", "invalid_json", message)]) from None
    except RecursionError:
        message = "not valid JSON here: arrays and objects are nested too deeply"
        raise ProjectFileError(source, [Problem("", "invalid_json", message)]) from None
    except ValueError as exc:
        raise ProjectFileError(source, [Problem("", "invalid_json", str(exc))]) from None
    if not repeated:
        return data, []
    where = _object_paths(data)
    found = [
        _Located(
            (*where[id(obj)], key),
            "duplicate_key",
            f"the key {key!r} appears more than once in this object; JSON keeps only the last",
        )
        for obj, key in repeated
    ]
    return data, list(dict.fromkeys(found))


def _object_paths(data: object) -> dict[int, _Path]:
    """The path of every JSON object in *data*, by the object's ``id``."""
    return {id(value): path for path, value in _walk(data) if isinstance(value, dict)}


def dump_project(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write *project* as ``project.json`` into the folder at *path*, atomically.

    The file is written to a temporary file beside it and renamed over the old one,
    so a reader sees the old file or the new one, never half of one. It is
    pretty-printed UTF-8 JSON with a stable key order and a trailing newline. The
    folder is created when missing; documents are not copied.

    Args:
        project: The project to write.
        path: The project folder, or the ``project.json`` file itself.

    Returns:
        The path of the file written.

    Raises:
        ProjectFileError: A document key of the project would leave the folder.
        OSError: The file could not be written; no temporary file is left behind.

    Example:
        >>> import tempfile
        >>> from invoicebackup import dump_project, load_project
        >>> from invoicebackup.testing import sample_project
        >>> path = dump_project(sample_project(), tempfile.mkdtemp())
        >>> path.name, load_project(path.parent) == sample_project()
        ('project.json', True)

    .. versionadded:: 0.1.0
    """
    text = json.dumps(project_to_dict(project), indent=2, ensure_ascii=False) + "\n"
    payload = text.encode("utf-8")  # a Project holds no unpaired surrogate: it encodes
    file = _project_file(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(file.stat().st_mode)  # keep the permissions of the file replaced
    except OSError:
        mode = 0o644  # mkstemp's 0o600 would hide a new file from the rest of the team
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return file


# --- backup manifests -----------------------------------------------------------------------------
# What compile_backup wrote, and why: results and the manifest embedded in each backup.
# Only unstructuring (Python → JSON) is needed; the shapes follow the attrs classes of
# :mod:`invoicebackup.manifest` field by field, enums as their values, instants as ISO 8601.


def manifest_to_dict(manifest: BackupManifest) -> dict[str, Any]:
    """The JSON-ready form of a backup manifest (what a backup contains).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.serialization import manifest_to_dict
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> data = manifest_to_dict(result.manifest)
        >>> data["format"], data["created_at"], data["page_count"]
        ('invoicebackup.manifest/2', '2026-11-03T09:30:00Z', 5)
        >>> [(item["filename"], item["code"], item["action"]) for item in data["left_out"]]
        [('Mill certificate.pdf', 'damaged', 'placeholder')]

    .. versionadded:: 0.1.0
    """
    data: dict[str, Any] = {"format": MANIFEST_FORMAT, **_converter.unstructure(manifest)}
    # Last, over everything before it: a manifest changed after compile does not verify.
    data["manifest_sha256"] = manifest_sha256(data)
    return data


def manifest_to_json(manifest: BackupManifest) -> str:
    """A backup manifest as deterministic JSON text (the ``backup-manifest.json`` of a backup).

    Example:
        >>> import json
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup import manifest_to_json
        >>> from invoicebackup.serialization import manifest_to_dict
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> text = manifest_to_json(result.manifest)
        >>> for line in text.splitlines()[:4]:
        ...     print(line)
        {
          "format": "invoicebackup.manifest/2",
          "project_id": "p-100",
          "project_name": "Tower A",
        >>> json.loads(text) == manifest_to_dict(result.manifest)
        True

    .. versionadded:: 0.1.0
    """
    return manifest_to_json_bytes(manifest).decode("utf-8")


def manifest_to_json_bytes(manifest: BackupManifest) -> bytes:
    """:func:`manifest_to_json` encoded as UTF-8, written a piece at a time.

    What a backup embeds. The text is never held as a list of its pieces, as
    :func:`json.dumps` holds it when it indents (several times the text's size: for a
    backup of many invoices, the largest step in a compile's memory).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup, manifest_to_json
        >>> from invoicebackup.serialization import manifest_to_json_bytes
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> manifest_to_json_bytes(result.manifest) == manifest_to_json(result.manifest).encode()
        True

    .. versionadded:: 0.1.0
    """
    out = bytearray()
    for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(
        manifest_to_dict(manifest)
    ):
        out += piece.encode("utf-8")
    out += b"\n"
    return bytes(out)


def result_to_dict(result: BackupResult) -> dict[str, Any]:
    """The JSON-ready form of a :class:`~invoicebackup.manifest.BackupResult`.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup, result_to_dict
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> data = result_to_dict(result)
        >>> sorted(data)
        ['filename', 'key', 'manifest', 'message', 'sha256', 'size']
        >>> data["key"] == result.key, data["manifest"]["format"]
        (True, 'invoicebackup.manifest/2')

    .. versionadded:: 0.1.0
    """
    data: dict[str, Any] = _converter.unstructure(result)
    data["manifest"] = manifest_to_dict(result.manifest)
    return data


def result_to_json(result: BackupResult) -> str:
    """A backup result as JSON text: where it was written, and its manifest.

    Example:
        >>> import json
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup, result_to_json
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> data = json.loads(result_to_json(result))
        >>> print(data["filename"])
        Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930.pdf
        >>> data["manifest"]["page_count"], data["manifest"]["invoices"][0]["invoice_id"]
        (5, 'i-4')

    .. versionadded:: 0.1.0
    """
    return json.dumps(result_to_dict(result), ensure_ascii=False, indent=2) + "\n"
