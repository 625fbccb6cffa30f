"""Project folders: exact round trips, the spec's example, and every problem reported at once."""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    Document,
    EnvelopeStatus,
    LinkState,
    PermissionLevel,
    Project,
    ProjectFileError,
    dump_project,
    load_project,
    project_from_dict,
    project_to_dict,
)
from invoicebackup.serialization import FORMAT, PROJECT_FILE
from tests.strategies import projects

# --- helpers ------------------------------------------------------------------------------------


def _valid() -> dict[str, Any]:
    """A small valid document (our own, not the spec's), fresh for each mutation."""
    return {
        "format": FORMAT,
        "project": {
            "id": "p-1",
            "name": "Tower B",
            "number": "2025-007",
            "language": "fr-CA",
            "docusign_enabled": False,
        },
        "companies": [{"id": "c-1", "name": "Builders"}],
        "users": [
            {
                "id": "u-1",
                "name": "Uma",
                "email": "uma@example.com",
                "company_id": "c-1",
                "has_account": True,
                "active": True,
                "permissions": {"commitments": "admin"},
            }
        ],
        "contracts": [
            {
                "id": "k-1",
                "number": "SC-1",
                "title": "Concrete",
                "kind": "subcontract",
                "vendor_id": None,
                "private": False,
                "private_list": [],
                "invoice_contacts": ["u-1"],
            }
        ],
        "billing_periods": [
            {
                "id": "bp-1",
                "start": "2026-01-01",
                "end": "2026-01-31",
                "due": "2026-01-25",
                "status": "closed",
                "kind": "manual",
            },
            {
                "id": "bp-2",
                "start": "2026-02-01",
                "end": "2026-02-28",
                "due": "2026-02-25",
                "status": "open",
                "kind": "automatic",
            },
        ],
        "invoices": [
            {
                "id": "i-1",
                "contract_id": "k-1",
                "billing_period_id": "bp-1",
                "position": 1,
                "number": "INV-1",
                "status": "approved",
                "amount": "100.50",
                "document": {
                    "key": "docs/i-1.pdf",
                    "filename": "Invoice 1.pdf",
                    "media_type": "application/pdf",
                },
                "attachments": [],
            },
            {
                "id": "i-2",
                "contract_id": "k-1",
                "billing_period_id": "bp-deleted",
                "position": 2,
                "number": "INV-2",
                "status": "draft",
                "amount": "0.00",
                "document": {
                    "key": "docs/i-2.pdf",
                    "filename": "Invoice 2.pdf",
                    "media_type": "application/pdf",
                },
                "attachments": [],
            },
        ],
    }


def _problems(data: object) -> list[tuple[str, str]]:
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data, source="test.json")
    assert caught.value.source == "test.json"
    assert caught.value.problems, "a ProjectFileError always names its problems"
    return [(p.path, p.code) for p in caught.value.problems]


def _exact(project: Project) -> list[str]:
    """What plain equality misses: amounts' exponents and instants' offsets."""
    found = [str(i.amount) for i in project.invoices]
    for invoice in project.invoices:
        if invoice.envelope is not None and invoice.envelope.completed_at is not None:
            found.append(invoice.envelope.completed_at.isoformat())
    for user in project.users:
        for moment in (user.docusign.linked_at, user.docusign.last_used_at):
            found.append(moment.isoformat() if moment is not None else "-")
    return found


def _spec_document(shared_dir: Path) -> dict[str, Any]:
    text = (shared_dir / "spec" / "PROJECT-FORMAT.md").read_text(encoding="utf-8")
    match = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert match is not None, "PROJECT-FORMAT.md has no JSON example"
    counter = iter(range(1000))
    block = re.sub("…", lambda _: f"-placeholder{next(counter)}", match.group(1))
    data: dict[str, Any] = json.loads(block)
    return data


# --- round trips --------------------------------------------------------------------------------


@given(projects())
def test_dump_then_load_gives_back_the_same_project_exactly(project: Project) -> None:
    """Rule: dump_project → load_project round-trips every project, exponents and offsets too."""
    with tempfile.TemporaryDirectory() as folder:
        written = dump_project(project, folder)
        assert written == Path(folder) / PROJECT_FILE
        assert sorted(os.listdir(folder)) == [PROJECT_FILE], "no temporary file is left"
        loaded = load_project(folder)
    assert loaded == project
    assert _exact(loaded) == _exact(project)


@given(projects())
def test_the_dict_forms_round_trip_and_are_plain_json(project: Project) -> None:
    """project_to_dict gives JSON values only, and project_from_dict reads them back equal."""
    document = project_to_dict(project)
    assert json.loads(json.dumps(document)) == document
    loaded = project_from_dict(document)
    assert loaded == project
    assert project_to_dict(loaded) == document


def test_the_file_is_pretty_stable_and_ends_with_a_newline(tmp_path: Path) -> None:
    """The file is indented UTF-8 JSON in the format's key order, identical on every dump."""
    project = project_from_dict(_valid())
    dump_project(project, tmp_path)
    first = (tmp_path / PROJECT_FILE).read_bytes()
    dump_project(load_project(tmp_path), tmp_path / PROJECT_FILE)
    assert (tmp_path / PROJECT_FILE).read_bytes() == first
    text = first.decode("utf-8")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "invoicebackup.project/1",\n  "project": {\n')
    assert list(json.loads(text)) == [
        "format",
        "project",
        "companies",
        "users",
        "contracts",
        "billing_periods",
        "invoices",
    ]
    assert '"amount": "100.50"' in text


def test_money_keeps_its_exponent_and_instants_their_offset() -> None:
    """Amounts dump as decimal strings that keep trailing zeros; instants keep their zone."""
    data = _valid()
    data["invoices"][0]["amount"] = "12500.00"
    data["invoices"][1]["amount"] = "1E+3"
    data["invoices"][0]["envelope"] = {
        "id": "e-1",
        "status": "completed",
        "completed_at": "2026-11-02T14:05:00+02:00",
    }
    data["users"][0]["docusign"] = {"linked_at": "2026-10-01T09:00:00Z"}
    project = project_from_dict(data)
    envelope = project.invoices[0].envelope
    assert envelope is not None
    assert envelope.completed_at is not None
    assert envelope.completed_at.utcoffset() == timedelta(hours=2)
    dumped = project_to_dict(project)
    assert [i["amount"] for i in dumped["invoices"]] == ["12500.00", "1E+3"]
    assert dumped["invoices"][0]["envelope"]["completed_at"] == "2026-11-02T14:05:00+02:00"
    assert dumped["users"][0]["docusign"] == {
        "state": "not_linked",
        "linked_at": "2026-10-01T09:00:00Z",
    }


def test_an_unpaired_surrogate_is_refused_at_load(tmp_path: Path) -> None:
    """A name JSON can escape but UTF-8 cannot encode is refused where it is (issue 17)."""
    data = _valid()
    data["project"]["name"] = "Tower \ud800"
    (tmp_path / PROJECT_FILE).write_text(json.dumps(data), encoding="ascii")
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    assert [(p.path, p.code) for p in caught.value.problems] == [
        ("project.name", "unpaired_surrogate")
    ]


# --- the spec's example -------------------------------------------------------------------------


def test_the_spec_example_loads(shared_dir: Path) -> None:
    """The example in PROJECT-FORMAT.md (placeholders filled in) is a valid project file."""
    project = project_from_dict(_spec_document(shared_dir))
    assert project.id == "p-100"
    assert project.docusign_enabled is True
    assert project.company_id is None
    admin, volt = project.users
    assert admin.docusign.state is LinkState.LINKED
    assert volt.docusign.state is LinkState.NOT_LINKED, "an absent docusign object is not linked"
    assert volt.permissions.commitments is PermissionLevel.STANDARD
    assert volt.permissions.invoicing is PermissionLevel.NONE, "a tool left out is none"
    (invoice,) = project.invoices
    assert str(invoice.amount) == "12500.00"
    assert [a.filename for a in invoice.attachments] == ["Lien waiver.pdf", "Receipt.jpg"]
    assert invoice.envelope is not None
    assert invoice.envelope.status is EnvelopeStatus.COMPLETED
    assert project.contracts[0].invoice_contacts == ("u-volt",)


def test_the_spec_example_round_trips_through_a_folder(shared_dir: Path, tmp_path: Path) -> None:
    """The spec's example survives load → dump → load unchanged."""
    (tmp_path / PROJECT_FILE).write_text(json.dumps(_spec_document(shared_dir)), encoding="utf-8")
    project = load_project(tmp_path / PROJECT_FILE)
    dump_project(project, tmp_path / "copy")
    assert load_project(tmp_path / "copy") == project


# --- the shape: every problem, with its path ----------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _segments(path)
        target: Any = data
        for segment in parents:
            target = target[segment]
        if isinstance(target, list) and last == len(target):
            target.append(value)
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _segments(path)
        target: Any = data
        for segment in parents:
            target = target[segment]
        del target[last]

    return mutate


def _segments(path: str) -> list[str | int]:
    return [int(s) if s.isdigit() else s for s in re.findall(r"[^.\[\]]+", path)]


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("unknown top-level key", _set("extra", 1), "extra", "unknown_key"),
    ("unknown nested key", _set("invoices[1].color", "red"), "invoices[1].color", "unknown_key"),
    (
        "unknown tool",
        _set("users[0].permissions.root", "admin"),
        "users[0].permissions.root",
        "unknown_key",
    ),
    ("missing key", _delete("contracts[0].title"), "contracts[0].title", "missing_key"),
    ("missing section", _delete("companies"), "companies", "missing_key"),
    ("wrong format", _set("format", "invoicebackup.project/2"), "format", "bad_format"),
    (
        "string for bool",
        _set("project.docusign_enabled", "yes"),
        "project.docusign_enabled",
        "wrong_type",
    ),
    (
        "number for string",
        _set("invoices[0].billing_period_id", 3),
        "invoices[0].billing_period_id",
        "wrong_type",
    ),
    ("bool for int", _set("invoices[0].position", True), "invoices[0].position", "wrong_type"),
    ("string for int", _set("invoices[0].position", "1"), "invoices[0].position", "wrong_type"),
    (
        "object for array",
        _set("contracts[0].private_list", {}),
        "contracts[0].private_list",
        "wrong_type",
    ),
    ("string for array", _set("invoices", "i-1"), "invoices", "wrong_type"),
    ("array for object", _set("invoices[0].document", []), "invoices[0].document", "wrong_type"),
    (
        "bad level",
        _set("users[0].permissions.commitments", "root"),
        "users[0].permissions.commitments",
        "bad_value",
    ),
    ("bad status", _set("invoices[0].status", "paid"), "invoices[0].status", "bad_value"),
    ("number for money", _set("invoices[0].amount", 100.5), "invoices[0].amount", "wrong_type"),
    ("grouped money", _set("invoices[0].amount", "12,500.00"), "invoices[0].amount", "bad_decimal"),
    ("NaN money", _set("invoices[0].amount", "NaN"), "invoices[0].amount", "not_finite"),
    ("infinite money", _set("invoices[0].amount", "-Infinity"), "invoices[0].amount", "not_finite"),
    (
        "compact date",
        _set("billing_periods[0].start", "20260101"),
        "billing_periods[0].start",
        "bad_date",
    ),
    (
        "unpadded date",
        _set("billing_periods[0].due", "2026-1-5"),
        "billing_periods[0].due",
        "bad_date",
    ),
    (
        "impossible date",
        _set("billing_periods[0].end", "2026-02-30"),
        "billing_periods[0].end",
        "bad_date",
    ),
    (
        "naive instant",
        _set("users[0].docusign", {"linked_at": "2026-10-01T09:00:00"}),
        "users[0].docusign.linked_at",
        "no_zone",
    ),
    (
        "date for instant",
        _set("users[0].docusign", {"last_used_at": "2026-10-01"}),
        "users[0].docusign.last_used_at",
        "bad_instant",
    ),
    (
        "end before start",
        _set("billing_periods[0].end", "2025-12-31"),
        "billing_periods[0]",
        "invalid_value",
    ),
    ("blank id", _set("companies[0].id", ""), "companies[0]", "invalid_value"),
    (
        "linked without account",
        _set("users[0].docusign", {"state": "linked"}),
        "users[0].docusign",
        "invalid_value",
    ),
    (
        "duplicate id",
        _set("companies[1]", {"id": "c-1", "name": "Again"}),
        "companies[1].id",
        "duplicate_id",
    ),
    (
        "two open periods",
        _set("billing_periods[0].status", "open"),
        "billing_periods[1].status",
        "two_open_periods",
    ),
    (
        "overlapping periods",
        _set("billing_periods[1].start", "2026-01-31"),
        "billing_periods[1]",
        "overlapping_periods",
    ),
    (
        "duplicate position",
        _set("invoices[1].position", 1),
        "invoices[1].position",
        "duplicate_position",
    ),
    ("empty document", lambda d: d.clear(), "format", "missing_key"),
]


@pytest.mark.parametrize(
    ("mutate", "path", "code"),
    [pytest.param(m, p, c, id=name) for name, m, p, c in MALFORMED],
)
def test_each_malformed_shape_is_reported_at_its_path(
    mutate: Callable[[dict[str, Any]], None], path: str, code: str
) -> None:
    """A malformed value is one Problem with its JSON path and a stable code."""
    data = _valid()
    mutate(data)
    assert (path, code) in _problems(data)


def test_every_problem_is_reported_in_one_error_in_document_order() -> None:
    """Many problems at once come back together, in the order the document shows them."""
    chosen = {
        "unknown top-level key",
        "unknown nested key",
        "unknown tool",
        "missing key",
        "wrong format",
        "string for bool",
        "number for string",
        "bool for int",
        "bad status",
        "NaN money",
        "compact date",
        "impossible date",
        "naive instant",
    }
    independent = [case for case in MALFORMED if case[0] in chosen]
    data = _valid()
    for _, mutate, _, _ in independent:
        mutate(data)
    found = _problems(data)
    assert sorted(found) == sorted({(path, code) for _, _, path, code in independent})
    order = _paths_in_document_order(data)
    ranks = [order.index(_nearest(path, order)) for path, _ in found]
    assert ranks == sorted(ranks)


def _paths_in_document_order(data: Any, path: str = "") -> list[str]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths_in_document_order(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths_in_document_order(value, f"{path}[{index}]")
    return found


def _nearest(path: str, known: list[str]) -> str:
    while path not in known:
        path = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
    return path


def test_the_message_lists_every_problem_with_its_path() -> None:
    """The error reads well: the source, how many problems, then one line per problem."""
    data = _valid()
    data["invoices"][0]["amount"] = "NaN"
    data["users"][0]["permissions"]["commitments"] = "root"
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data, source="tower.json")
    assert str(caught.value).splitlines() == [
        "tower.json: 2 problems",
        "  - users[0].permissions.commitments: "
        "'root' is not one of none, read_only, standard, admin",
        "  - invoices[0].amount: 'NaN' is not a finite amount",
    ]
    assert isinstance(caught.value, ValueError)


def test_unknown_keys_are_named_with_the_keys_that_are_known() -> None:
    """An unknown key is named, with the keys the object may have."""
    data = _valid()
    data["project"]["manager"] = "u-1"
    data["project"]["odd key"] = 1
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data)
    messages = {p.path: p.message for p in caught.value.problems}
    assert "'manager'" in messages["project.manager"]
    assert "company_id" in messages["project.manager"], "the known keys are listed"
    assert '["odd key"]' in next(iter(p for p in messages if "odd" in p))


@pytest.mark.parametrize(
    "key",
    [
        "../outside.pdf",
        "docs/../../outside.pdf",
        "/etc/passwd",
        "docs\\i-1.pdf",
        "C:/x.pdf",
        "a//b.pdf",
        "",
    ],
)
@pytest.mark.parametrize(
    "where",
    [
        "invoices[0].document.key",
        "invoices[0].attachments[0].key",
        "invoices[0].envelope.signed_document_key",
        "invoices[0].envelope.certificate_key",
    ],
)
def test_document_keys_that_leave_the_folder_are_refused(where: str, key: str) -> None:
    """Rule: a document key is a relative path inside the project folder."""
    data = _valid()
    data["invoices"][0]["attachments"] = [{"key": "ok.pdf", "filename": "a", "media_type": "x/y"}]
    data["invoices"][0]["envelope"] = {"id": "e-1", "status": "completed"}
    _set(where, key)(data)
    assert (where, "unsafe_key") in _problems(data)


def test_a_project_with_an_unsafe_key_is_not_written(tmp_path: Path) -> None:
    """dump_project refuses a project whose file could not be read back, and writes nothing."""
    project = project_from_dict(_valid())
    document = Document(key="escape.pdf", filename="x.pdf")
    # Document refuses such a key when it is made; one forced past it is still never written.
    object.__setattr__(document, "key", "../escape.pdf")
    bad = attrs.evolve(project.invoices[0], document=document)
    project = attrs.evolve(project, invoices=[bad, *project.invoices[1:]])
    with pytest.raises(ProjectFileError) as caught:
        dump_project(project, tmp_path)
    assert [p.path for p in caught.value.problems] == ["invoices[0].document.key"]
    assert list(tmp_path.iterdir()) == []


def test_optional_keys_take_the_formats_defaults() -> None:
    """Absent optional keys mean: general_contractor, tools at none, not linked, no envelope."""
    project = project_from_dict(_valid())
    assert project.dictionary.value == "general_contractor"
    user = project.users[0]
    assert user.permissions.prime_contracts is PermissionLevel.NONE
    assert user.docusign.state is LinkState.NOT_LINKED
    assert project.invoices[0].envelope is None
    assert project.billing_period(project.invoices[1].billing_period_id) is None


def test_the_managing_company_is_an_optional_project_key() -> None:
    """project.company_id names the managing company; absent, it is unknown."""
    data = _valid()
    data["project"]["company_id"] = "c-1"
    assert project_from_dict(data).company_id == "c-1"
    assert project_to_dict(project_from_dict(data))["project"]["company_id"] == "c-1"
    assert "company_id" not in project_to_dict(project_from_dict(_valid()))["project"]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(st.data())
def test_any_mangled_document_raises_only_project_file_error(data: st.DataObject) -> None:
    """Whatever is broken, the caller sees a ProjectFileError with paths, never a traceback."""
    document = _valid()
    paths = [p for p in _paths_in_document_order(document) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            if data.draw(st.booleans()):
                _set(path, data.draw(_json))(document)
            else:
                _delete(path)(document)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the parent
    try:
        project_from_dict(copy.deepcopy(document))
    except ProjectFileError as error:
        problems = error.problems
    else:
        return
    assert problems
    assert all(isinstance(p.path, str) and p.message for p in problems)


# --- files and folders --------------------------------------------------------------------------


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    """A folder without project.json is reported, naming the file."""
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    assert caught.value.source == str(tmp_path / PROJECT_FILE)
    assert [p.code for p in caught.value.problems] == ["missing_file"]


def test_invalid_json_is_reported_with_line_and_column(tmp_path: Path) -> None:
    """A syntax error says where it is."""
    (tmp_path / PROJECT_FILE).write_text('{\n  "format": "x",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    (problem,) = caught.value.problems
    assert problem.code == "invalid_json"
    assert "line 3, column 3" in problem.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"format": NaN}', "invalid_json"),
        ("[1, 2]", "wrong_type"),
        ("", "invalid_json"),
    ],
)
def test_json_that_is_not_a_project_document_is_refused(
    tmp_path: Path, text: str, code: str
) -> None:
    """NaN literals, a top-level array and an empty file are each one clear problem."""
    (tmp_path / PROJECT_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path / PROJECT_FILE)
    assert [p.code for p in caught.value.problems] == [code]


def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    """A file that is not UTF-8 text is refused as such."""
    (tmp_path / PROJECT_FILE).write_bytes(b'{"format": "\xff"}')
    with pytest.raises(ProjectFileError, match="not UTF-8"):
        load_project(tmp_path)


def test_a_key_repeated_in_one_object_is_reported_where_it_is(tmp_path: Path) -> None:
    """JSON would silently keep the last of two equal keys; the loader says so instead."""
    text = json.dumps(_valid()).replace('"title": "Concrete"', '"title": "A", "title": "B"')
    (tmp_path / PROJECT_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(tmp_path)
    assert [(p.path, p.code) for p in caught.value.problems] == [
        ("contracts[0].title", "duplicate_key")
    ]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dump_project replaces the file atomically; a failure leaves the old one alone."""
    dump_project(project_from_dict(_valid()), tmp_path)
    before = (tmp_path / PROJECT_FILE).read_bytes()

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    changed = attrs.evolve(project_from_dict(_valid()), name="Renamed")
    with pytest.raises(OSError, match="disk full"):
        dump_project(changed, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [PROJECT_FILE]
    assert (tmp_path / PROJECT_FILE).read_bytes() == before


def test_dump_creates_the_folder(tmp_path: Path) -> None:
    """dump_project creates a missing project folder and returns the file it wrote."""
    written = dump_project(project_from_dict(_valid()), tmp_path / "new" / "tower")
    assert written == tmp_path / "new" / "tower" / PROJECT_FILE
    assert load_project(written).name == "Tower B"


def test_amounts_load_as_decimals_not_floats() -> None:
    """Money is read as an exact Decimal."""
    data = _valid()
    data["invoices"][0]["amount"] = "0.10"
    amount = project_from_dict(data).invoices[0].amount
    assert isinstance(amount, Decimal)
    assert amount == Decimal("0.1")
    assert str(amount) == "0.10"


def test_the_how_to_example_loads_and_its_error_listing_is_real() -> None:
    """The format example in docs/howto/project-files.md loads, and its error text is current."""
    page = Path(__file__).resolve().parents[1] / "docs" / "howto" / "project-files.md"
    text = page.read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert example is not None
    data = json.loads(example.group(1))
    assert project_from_dict(data).company_id == "c-gc"
    data["users"][0]["permissions"]["commitments"] = "root"
    data["users"][0]["permissions"]["root"] = "admin"
    data["invoices"][0]["amount"] = "NaN"
    data["invoices"][0]["attachments"].append(
        {"key": "../etc/passwd", "filename": "x", "media_type": "x/y"}
    )
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data, source="tower-a/project.json")
    assert str(caught.value) in text


def test_a_file_under_another_name_loads_and_a_path_through_a_file_is_missing(
    tmp_path: Path,
) -> None:
    """load_project takes any file path; a path that runs through a file is a missing file."""
    other = tmp_path / "tower.project"
    other.write_text(json.dumps(_valid()), encoding="utf-8")
    assert load_project(other).id == "p-1"
    with pytest.raises(ProjectFileError) as caught:
        load_project(other / "project.json")
    assert [p.code for p in caught.value.problems] == ["missing_file"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_file_is_readable_by_others_and_a_replaced_one_keeps_its_mode(
    tmp_path: Path,
) -> None:
    """The temporary file's private mode does not leak into project.json."""
    written = dump_project(project_from_dict(_valid()), tmp_path)
    assert written.stat().st_mode & 0o777 == 0o644
    written.chmod(0o640)
    dump_project(project_from_dict(_valid()), tmp_path)
    assert written.stat().st_mode & 0o777 == 0o640
