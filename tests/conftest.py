"""Shared test configuration: a deterministic hypothesis profile and the discovered library."""

import os
import warnings

import pytest
from hypothesis import HealthCheck, settings

# One BLAS thread, as the workbench's worker processes have (workbench.parallel.SINGLE_THREAD): on two
# shared cores OpenBLAS's spinning threads make vector-sized BLAS calls many times slower (Newton-CG on
# TRIDIA at n = 100 000 in tests/test_library_large.py: 93 s against 8.5 s). Set before numpy is first
# imported (nothing above imports it); a value given in the environment wins.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

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
