"""The workbench's own methods over the library: the issue's success targets, with exceptions named."""

from collections import Counter

import pytest

from workbench.runner import solve

REACHED = ("converged", "local_minimum")

#: HS problems where trust-constr with the workbench's defaults does not reach f* (or a documented
#: local minimum) from x0, with the reason. Everything else must.
TRUST_CONSTR_EXCEPTIONS = {
    "hs013": "LICQ fails at the optimum (1, 0): there is no KKT point to converge to",
    "hs023": "vertex optimum: the interior point stops with barrier 6.4e-6 (|f - f*| = 1.3e-5) and "
    "restarts from the boundary stall",
    "hs054": "badly scaled (variables from 1e-3 to 1e8): stops on the step size at f = -0.9069",
    "hs055": "linearly dependent equality constraints (rank 5 of 6)",
    "hs057": "may stop on the step size at a non-optimal point (x2 = 9.7, f = 0.0306) with a small barrier",
    "hs062": "trust-constr cannot leave x0 (3000 iterations at f(x0))",
}


def _hs(library):
    return [p for p in library.values() if "hs" in p.tags]


def test_trust_constr_reaches_every_regular_hs_optimum(library):
    misses = {}
    for problem in _hs(library):
        result = solve(problem, "trust-constr", "analytic")
        if result.status not in REACHED:
            misses[problem.name] = result.summary()
    # every miss is a documented exception (an exception that starts succeeding is welcome: the
    # interior point's path depends on rounding in the derivatives)
    assert set(misses) <= set(TRUST_CONSTR_EXCEPTIONS), misses
    assert len(misses) >= len(TRUST_CONSTR_EXCEPTIONS) - 2, "update the exceptions: " + ", ".join(sorted(misses))


@pytest.mark.slow
def test_mgh_success_counts_meet_the_targets(library):
    mgh = [p for name, p in library.items() if name.startswith("mgh")]
    assert len(mgh) == 38
    counts = {}
    for method in ("trust-exact", "newton"):
        statuses = Counter(solve(p, method, "analytic").status for p in mgh)
        counts[method] = statuses
    # targets of the library issue: best method >= 35/38, the workbench's Newton >= 31/38
    assert counts["trust-exact"]["converged"] >= 35, counts
    assert counts["newton"]["converged"] >= 31, counts
    # the two that stop early stop at documented local minima, never as unexplained failures
    assert counts["trust-exact"]["converged"] + counts["trust-exact"]["local_minimum"] == 38, counts


def test_brown_badly_scaled_is_solved_analytically_and_lost_with_forward_differences(library):
    brown = library["mgh04_brown_badly_scaled"]
    assert solve(brown, "trust-exact", "analytic").status == "converged"
    assert solve(brown, "trust-exact", "fd-forward").status != "converged"
