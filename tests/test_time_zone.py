"""A project's time zone: an IANA name the system knows, kept in the project file."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from invoicebackup import (
    InMemoryStore,
    InvalidValueError,
    Project,
    ProjectFileError,
    backup_filename,
    compile_backup,
    project_from_dict,
    project_to_dict,
)


@pytest.mark.parametrize("name", ["America/Toronto", "Europe/Paris", "Asia/Kolkata", "UTC"])
def test_a_known_zone_is_kept_and_read_back(name: str) -> None:
    """A zone name the system knows is the project's, and survives the project file."""
    project = Project(id="p", name="T", time_zone=name)
    assert project.time_zone == name
    assert project_from_dict(project_to_dict(project)) == project


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "  ", "../etc/passwd", "EST5EDT/x", 5])
def test_an_unknown_zone_is_refused_naming_the_field(name: object) -> None:
    """Anything else is refused when the project is made, naming the field."""
    with pytest.raises(InvalidValueError) as caught:
        Project(id="p", name="T", time_zone=name)
    assert caught.value.field == "Project.time_zone"


def test_an_unknown_zone_in_a_file_is_reported_at_its_json_path() -> None:
    """In a project file, the problem is at project.time_zone, with every other one."""
    data = project_to_dict(Project(id="p", name="T"))
    data["project"]["time_zone"] = "Nowhere/Town"
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data)
    assert [p.path for p in caught.value.problems] == ["project.time_zone"]


def test_without_a_zone_the_project_is_in_utc_and_the_file_says_nothing() -> None:
    """No zone: UTC, and the file has no time_zone key (files without it stay valid)."""
    project = Project(id="p", name="T")
    assert project.zone is UTC
    assert "time_zone" not in project_to_dict(project)["project"]


def test_the_zone_places_an_instant_in_local_time() -> None:
    """Summer and winter time both follow the zone's rules."""
    toronto = Project(id="p", name="T", time_zone="America/Toronto").zone
    assert datetime(2026, 7, 1, 16, 0, tzinfo=UTC).astimezone(toronto).hour == 12
    assert datetime(2026, 12, 1, 16, 0, tzinfo=UTC).astimezone(toronto).hour == 11


def test_a_backup_is_named_in_the_project_zone() -> None:
    """The date and time in a backup's name are the project's local ones; without a zone, UTC."""
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    tokyo = Project(id="p", name="T", time_zone="Asia/Tokyo")
    assert backup_filename(tokyo, now=now).endswith(" - 2027-01-01 - 0830.pdf")
    paris = datetime(2027, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert backup_filename(Project(id="p", name="T"), now=paris).endswith(
        " - 2026-12-31 - 2330.pdf"
    )


def test_a_naive_time_is_refused() -> None:
    """A datetime without a zone is refused, naming it: a naive time could mean any instant."""
    with pytest.raises(InvalidValueError) as caught:
        backup_filename(Project(id="p", name="T"), now=datetime(2026, 12, 31, 23, 30))
    assert caught.value.field == "now"
    with pytest.raises(InvalidValueError):
        compile_backup(
            Project(id="p", name="T"),
            invoice_ids=["i-1"],
            user_id="u",
            store=InMemoryStore(),
            now=datetime(2026, 12, 31, 23, 30),
        )
