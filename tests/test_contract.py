"""The run contract, for every method x every derivative variant on small problems.

For each pair that applies:
* finite-difference variants never count an exact derivative evaluation (gradient, Hessian,
  Jacobian, constraint Hessian), and quasi-Newton variants never a Hessian;
* only ``fd-optimal`` reads exact higher derivatives (its steps), counted apart from work in
  ``error_model_evaluations``: one per derivative estimate, none for any other variant;
* the trace runs k = 0, 1, ..., iterations, and records the run's work so far, ending at its work;
* ``max_evaluations`` and ``time_limit`` are honoured (the run stops with that status, having spent at
  most one call's work beyond the budget);
* the counts equal what the method's own counters say (SciPy's nfev, njev, nhev).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from workbench import Problem
from workbench.cost import FULL_EVALUATIONS
from workbench.methods import available_methods
from workbench.runner import solve

METHODS = list(available_methods())
VARIANTS = ["analytic", "fd-forward", "fd-central", "complex-step", "fd-richardson", "fd-optimal", "fd-forward+bfgs",
            "analytic+sr1", "fd-richardson+bfgs"]  # fmt: skip

x, y, z = sp.symbols("x y z", real=True)
PROBLEMS = {
    # unconstrained: every method applies
    "valley": Problem(name="valley", variables=(x, y, z), objective=(1 - x) ** 2 + 5 * (y - x**2) ** 2 + (z + 1) ** 4,
                      x0=(-1.0, 1.5, 0.5), f_star=0.0, x_star=(1, 1, -1)),
    # bounds and constraints: the constrained methods and the ones handling bounds apply
    "constrained": Problem(name="constrained", variables=(x, y), objective=(x - 2) ** 2 + (y - 1) ** 2,
                           constraints=(x + y <= 2, sp.Eq(x - 2 * y, -1)), bounds=[(0, 3), (0, 3)], x0=(0.5, 0.5),
                           f_star=1.0, x_star=(1, 1)),  # on x = 2y - 1, f falls until x + y = 2 stops it
}  # fmt: skip

EXACT = ("gradient_evaluations", "hessian_evaluations", "jacobian_evaluations", "constraint_hessian_evaluations")
PAIRS = [(problem, method, variant) for problem in PROBLEMS for method in METHODS for variant in VARIANTS]


@pytest.fixture(scope="module")
def runs():
    return {pair: solve(PROBLEMS[pair[0]], pair[1], pair[2], max_iterations=25) for pair in PAIRS}


def test_every_method_runs_on_both_problems(runs):
    applicable = {(p, m) for (p, m, _), r in runs.items() if r.status != "not_applicable"}
    assert {m for _, m in applicable} == set(METHODS)  # each method applies somewhere


@pytest.mark.parametrize("pair", PAIRS, ids=["/".join(p) for p in PAIRS])
def test_contract(runs, pair):
    result = runs[pair]
    if result.status == "not_applicable":
        assert result.iterations == 0 and result.counts == {} and result.trace == ()
        return
    counts = result.counts
    base, _, model = pair[2].partition("+")
    if base != "analytic":
        assert all(counts[name] == 0 for name in EXACT), counts
    estimates = counts["gradient"] + counts["hessian"] + counts["hessian_vector"] + counts["jacobian"]
    estimates += counts["constraint_hessian"]
    if base == "fd-optimal":  # at most one read per estimate (a call answered from memory reads nothing)
        assert 0 < counts["error_model_evaluations"] <= estimates, counts
    else:
        assert counts.get("error_model_evaluations", 0) == 0, counts
    assert result.work == sum(counts[name] for name in FULL_EVALUATIONS)  # the reads are not work
    if model:
        assert counts["hessian"] == counts["hessian_evaluations"] == 0
    assert [record.k for record in result.trace] == list(range(result.iterations + 1))
    works = [record.work for record in result.trace]
    assert works == sorted(works) and works[-1] <= result.work
    if result.method_counts is not None:  # SciPy's own counters
        own = result.method_counts
        assert counts["value"] == own["value"] and counts["gradient"] == own["gradient"]
        if "hessian" in own and not model:
            # SciPy's trust-region methods do not count the Hessian their ScalarFunction evaluates at x0
            assert counts["hessian"] - own["hessian"] in (0, 1), (counts["hessian"], own["hessian"])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("variant", ["analytic", "fd-central"])
def test_evaluation_budget_is_honoured(method, variant):
    budget = 40
    result = solve(PROBLEMS["valley"], method, variant, max_evaluations=budget, max_iterations=10**5, gtol=1e-300)
    assert result.status != "not_applicable"
    if "evaluation budget of 40 spent" in result.message:  # the budget ended the run
        assert result.status in ("max_evaluations", "converged"), result.message  # converged: the verdict's call
        # the oracle refuses the first call once the budget is spent: one call may overshoot it (a
        # central-difference Hessian of n = 3 costs 2n + 4 n(n-1)/2 + 1 = 19 evaluations)
        assert budget <= result.work <= budget + 20
    else:  # the method stopped on its own first
        assert result.work < budget, result.message


@pytest.mark.parametrize("method", METHODS)
def test_time_limit_is_honoured(method):
    result = solve(PROBLEMS["valley"], method, "analytic", time_limit=1e-9)
    assert result.status == "timeout", result.message
    assert result.iterations == 0


def test_first_order_and_newton_counts_follow_their_iterations(runs):
    for (problem, method, variant), result in runs.items():
        if result.status == "not_applicable" or result.method_counts is not None:
            continue
        counts = result.counts
        # one gradient per update, plus one for the final stopping test when the method stopped itself
        assert counts["gradient"] - result.iterations in (0, 1), (problem, method, variant)
        if method == "newton" and not variant.endswith(("bfgs", "sr1")):
            assert counts["hessian"] == result.iterations or result.status != "max_iterations"
    assert np.isfinite(sum(r.work for r in runs.values()))
