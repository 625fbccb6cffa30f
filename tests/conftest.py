"""Shared fixtures: hypothesis profiles, the moved clock and the path to ``../shared``."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, settings

# CI runs the same examples every time (derandomize): a run is reproducible and a red CI is a
# real regression; `make fuzz` explores at random, and finds what is new.
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=50, deadline=None)
# `make fuzz`: the long run of the hostile-input properties (not part of `make test`).
settings.register_profile(
    "fuzz",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

#: ``../shared`` beside the checkout: the real-world corpus and DocuSign's API description.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder, or skip the test saying why."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpus and API descriptions are not here")
    return SHARED


#: ``INVOICEBACKUP_TEST_CLOCK=2031-07-15T08:00:00+00:00`` runs the whole session with the
#: wall clock moved there (and ticking): ``make test`` runs the date-dependent tests so once
#: more, years ahead, to prove that nothing depends on the day the suite runs.
CLOCK_VARIABLE = "INVOICEBACKUP_TEST_CLOCK"
_travel: list[Any] = []


def pytest_configure(config: pytest.Config) -> None:
    moved = os.environ.get(CLOCK_VARIABLE)
    if not moved:
        return
    when = datetime.fromisoformat(moved)
    if when.utcoffset() is None:
        raise pytest.UsageError(f"{CLOCK_VARIABLE}={moved!r} needs a time zone")
    # Started here, before collection, so that module-level code and module-scoped fixtures
    # (a sample project written once per module) see the moved clock too.
    traveller = time_machine.travel(when, tick=True)
    traveller.start()
    _travel.append(traveller)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _travel:
        _travel.pop().stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    moved = os.environ.get(CLOCK_VARIABLE)
    return f"clock moved to {moved} ({CLOCK_VARIABLE})" if moved else None
