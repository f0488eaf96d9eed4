"""Shared test configuration: a deterministic hypothesis profile and the discovered library."""

import warnings

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "deterministic",
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("deterministic")


@pytest.fixture(scope="session")
def library():
    """``{name: Problem}`` of the built-in library, loaded once per session."""
    from workbench.discovery import discover_problems

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return discover_problems()
