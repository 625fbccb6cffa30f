"""Shared fixtures: hypothesis profiles and the path to ``../shared``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
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


@pytest.fixture
def shared_dir() -> Path:
    """The shared folder, or skip the test saying why."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpus and API descriptions are not here")
    return SHARED
