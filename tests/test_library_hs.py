"""The Hock-Schittkowski library (``problems/hock_schittkowski.py``), checked against the book.

Generic over every discovered problem tagged ``hs``:

1. f(x0) equals the value printed in the book, to the printed precision;
2. at the declared x*: f(x*) = f*, x* is feasible, and the exact KKT conditions hold with
   least-squares multipliers (HS13 is the documented exception: LICQ fails at its optimum);
3. a reference solve from x0 with exact derivatives (SciPy trust-constr, or SLSQP where trust-constr
   falls short, as recorded below) reaches f* or a documented local minimum to 1e-6 relative.

The compiled derivatives of these problems are checked against SymPy by tests/test_derivatives.py,
which covers the whole library.

W. Hock, K. Schittkowski, Test Examples for Nonlinear Programming Codes, Lecture Notes in Economics
and Mathematical Systems 187, Springer, 1981.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from scipy.optimize import Bounds, NonlinearConstraint, lsq_linear, minimize

from workbench import InfeasibleStartWarning
from workbench.discovery import discover_problems


def _hs_problems():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InfeasibleStartWarning)
        problems = discover_problems()
    return [p for p in problems.values() if "hs" in p.tags]


HS = _hs_problems()

EXPECTED = {
    *(f"hs{k:03d}" for k in (1, 2, 3, 4, 5, 8, 9, 13, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 27)),
    *(f"hs{k:03d}" for k in (29, 30, 31, 32, 33, 34, 36, 37, 38, 41, 44, 45, 46, 47, 49, 50, 52)),
    *(f"hs{k:03d}" for k in (53, 54, 55, 56, 57, 59, 60, 61, 62, 63, 64, 71)),
}

#: f(x0) as printed in the book, as strings: the number of decimals is the printed precision.
#: Confirmed by public transcriptions that quote the book: Trilinos ROL's HS_Problem_NNN
#: (getInitialObjectiveValue) for HS1, 2, 4, 15, 16, 17, 19, 20, 24, 25, 27, 38, and a Python port of
#: the collection for HS1, 24, 29, 30, 31, 33, 34, 36, 37, 44, 59, 71 (it quotes 0.0307098602 for HS57,
#: a digit transposition of 0.0307986017, the value of the declaration and of OptimizationProblems.jl).
#: The remaining entries could not be compared with a copy of the book here: they are the book's
#: values as far as known, equal to the declaration's f(x0) at the book's usual precision.
PRINTED_F0 = {
    "hs001": "909",
    "hs002": "909",
    "hs003": "1.00081",
    "hs004": "3.323568",
    "hs005": "1",
    "hs008": "-1",
    "hs009": "0",
    "hs013": "20",
    "hs015": "909",
    "hs016": "909",
    "hs017": "909",
    "hs018": "4.04",
    "hs019": "-1808.858296",
    "hs020": "909",
    "hs022": "1",
    "hs023": "10",
    "hs024": "-0.01336459",
    "hs025": "32.835",
    "hs027": "4.01",
    "hs029": "-1",
    "hs030": "3",
    "hs031": "19",
    "hs032": "7.2",
    "hs033": "-3",
    "hs034": "0",
    "hs036": "-1000",
    "hs037": "-1000",
    "hs038": "19192",
    "hs041": "-6",
    "hs044": "0",
    "hs045": "1.7333333",
    "hs046": "3.33762627",
    "hs047": "20.7381",
    "hs049": "266.000064",
    "hs050": "7516",
    "hs052": "42",
    "hs053": "6",
    "hs054": "-0.7650993",
    "hs055": "6",
    "hs056": "-1",
    "hs057": "0.03079860",
    "hs059": "86.878639",
    "hs060": "1",
    "hs061": "0",
    "hs062": "-25698.3",
    "hs063": "976",
    "hs064": "266035",
    "hs071": "16",
}

#: Problems where trust-constr (exact derivatives, gtol 1e-12, xtol 1e-14, maxiter 3000) does not
#: reach f* (or a documented local minimum) to 1e-6 relative from x0, but SLSQP (ftol 1e-14) does.
#: trust-constr's interior-point loop stops on gtol once the Lagrangian gradient is small, which
#: ignores complementarity: with active inequalities it often stops while the barrier parameter is
#: still ~1e-5 (scipy/scipy#26130, "not much more than single-precision accuracy").
SLSQP_NEEDED = {
    "hs004": "trust-constr stops at f = 2.6666795 (x2 = 6e-6 off its bound)",
    "hs019": "trust-constr stops 1.1e-6 (relative) short of f*",
    "hs020": "trust-constr stops at f = 40.19905, 8e-6 short of the local minimum 40.19873",
    "hs022": "trust-constr stops at f = 1.0000128",
    "hs023": "trust-constr stops at f = 2.0000128",
    "hs045": "trust-constr stops at f = 1.0000064",
    "hs057": "trust-constr stops at f = 0.030648 with x2 = 9.7",
    "hs062": "trust-constr stalls at x0 (3000 iterations, 2 evaluations)",
}

#: Problems that neither method solves from x0 to 1e-6 (reasons in the problems' notes).
SOLVE_XFAIL = {
    "hs013": "LICQ fails at the optimum: no KKT point there; trust-constr stops at f = 1.0071, SLSQP "
    "hits its iteration limit",
    "hs054": "badly scaled (variables from 1e-3 to 1e8): trust-constr stops on xtol at f = -0.906908, "
    "SLSQP stops where f underflows",
    "hs055": "linearly dependent equality constraints: trust-constr stops on xtol at f = 6.7933, "
    "SLSQP reports incompatible constraints",
}

#: Solves that take about a second (99 terms with exp and non-integer powers).
SLOW_SOLVES = {"hs025"}

KKT_XFAIL = {"hs013": "LICQ fails at the optimum"}

TOL = 1e-6


def _params(marks_for=None):
    params = []
    for problem in HS:
        marks = list(marks_for(problem.name)) if marks_for else []
        params.append(pytest.param(problem, id=problem.name, marks=marks))
    return params


def _dense(matrix):
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)


def _reached(problem, f):
    targets = (problem.f_star, *problem.local_minima)
    return any(abs(f - t) <= TOL * max(1.0, abs(t)) for t in targets)


# ----------------------------------------------------------------------------------------------


def test_library_holds_the_selected_problems():
    names = {p.name for p in HS}
    assert names == EXPECTED
    assert set(PRINTED_F0) == EXPECTED
    assert set(SLSQP_NEEDED) | set(SOLVE_XFAIL) | set(KKT_XFAIL) <= EXPECTED
    for problem in HS:
        assert problem.f_star is not None and problem.x_star is not None, problem.name
        assert problem.source.startswith("Hock & Schittkowski (1981), problem"), problem.name


@pytest.mark.parametrize("problem", _params())
def test_objective_at_x0_matches_the_book(problem):
    printed = PRINTED_F0[problem.name]
    decimals = len(printed.partition(".")[2])
    tolerance = 0.5 * 10.0**-decimals if decimals else 1e-12 * max(1.0, abs(float(printed)))
    value = problem.oracle("analytic").value(np.array(problem.x0, dtype=float))
    assert abs(value - float(printed)) <= tolerance * (1 + 1e-9), (value, printed)


@pytest.mark.parametrize("problem", _params())
def test_optimum_value_and_feasibility(problem):
    oracle = problem.oracle("analytic")
    x = np.array(problem.x_star, dtype=float)
    f = oracle.value(x)
    assert abs(f - problem.f_star) <= TOL * max(1.0, abs(problem.f_star)), (f, problem.f_star)
    lower, upper = problem.lower, problem.upper
    slack = TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(lower), lower, upper)))
    assert np.all(x >= lower - slack) and np.all(x <= upper + slack)
    if problem.m:
        c = oracle.constraints(x)
        scale = np.maximum(1.0, np.linalg.norm(_dense(oracle.jacobian(x)), axis=1))
        for i in problem.equality_indices:
            assert abs(c[i]) <= TOL * scale[i], (i, c[i])
        for i in problem.inequality_indices:
            assert c[i] >= -TOL * scale[i], (i, c[i])


def _kkt(problem, x):
    """Least-squares multipliers over the active set and the KKT residual at x.

    Rows of A: equality gradients, gradients of inequalities with |c_i| small, and +-e_j for active
    lower / upper bounds (written as x_j - l_j >= 0 and u_j - x_j >= 0). Convention c >= 0:
    grad f = A^T lambda with lambda >= 0 for the inequality rows. When the multipliers are not unique
    (dependent active gradients, e.g. HS55) the minimum-norm ones may have the wrong sign although
    valid ones exist, so a sign violation is re-checked with the nonnegativity imposed (lsq_linear).
    """
    oracle = problem.oracle("analytic")
    g = oracle.gradient(x)
    rows, inequality = [], []
    if problem.m:
        c = oracle.constraints(x)
        jac = _dense(oracle.jacobian(x))
        for i in problem.equality_indices:
            rows.append(jac[i])
            inequality.append(False)
        for i in problem.inequality_indices:
            if abs(c[i]) <= TOL * max(1.0, np.linalg.norm(jac[i])):
                rows.append(jac[i])
                inequality.append(True)
    eye = np.eye(problem.n)
    for j in range(problem.n):
        lo, up = problem.lower[j], problem.upper[j]
        if np.isfinite(lo) and abs(x[j] - lo) <= TOL * max(1.0, abs(lo)):
            rows.append(eye[j])
            inequality.append(True)
        if np.isfinite(up) and abs(x[j] - up) <= TOL * max(1.0, abs(up)):
            rows.append(-eye[j])
            inequality.append(True)
    if not rows:
        return np.linalg.norm(g), np.zeros(0), np.zeros(0, dtype=bool), g
    a = np.array(rows)
    inequality = np.array(inequality)
    lam = np.linalg.lstsq(a.T, g, rcond=None)[0]
    if np.any(lam[inequality] < -TOL * max(1.0, np.abs(lam).max())):
        lower = np.where(inequality, 0.0, -np.inf)
        lam = lsq_linear(a.T, g, bounds=(lower, np.inf), tol=1e-14).x
    return np.linalg.norm(g - a.T @ lam), lam, inequality, g


@pytest.mark.parametrize(
    "problem",
    _params(lambda name: [pytest.mark.xfail(strict=True, reason=KKT_XFAIL[name])] if name in KKT_XFAIL else []),
)
def test_kkt_conditions_hold_at_the_optimum(problem):
    x = np.array(problem.x_star, dtype=float)
    residual, lam, inequality, g = _kkt(problem, x)
    assert residual <= TOL * max(1.0, np.linalg.norm(g)), residual
    if inequality.any():
        assert lam[inequality].min() >= -TOL * max(1.0, np.abs(lam).max()), lam


# ----------------------------------------------------------------------------------------------
# reference solves from x0


def _trust_constr(problem):
    oracle = problem.oracle("analytic")
    m = problem.m
    constraints = []
    for indices, upper in ((problem.inequality_indices, np.inf), (problem.equality_indices, 0.0)):
        if not indices:
            continue
        idx = np.array(indices)

        def fun(x, idx=idx):
            return oracle.constraints(x)[idx]

        def jac(x, idx=idx):
            return _dense(oracle.jacobian(x))[idx]

        def hess(x, v, idx=idx):
            full = np.zeros(m)
            full[idx] = v
            return oracle.constraint_hessian(x, full)

        constraints.append(NonlinearConstraint(fun, 0.0, upper, jac=jac, hess=hess))
    return minimize(
        oracle.value,
        np.array(problem.x0, dtype=float),
        jac=oracle.gradient,
        hess=oracle.hessian,
        method="trust-constr",
        constraints=constraints,
        bounds=Bounds(problem.lower, problem.upper),
        options={"gtol": 1e-12, "xtol": 1e-14, "maxiter": 3000},
    )


def _slsqp(problem):
    oracle = problem.oracle("analytic")
    constraints = []
    for indices, kind in ((problem.inequality_indices, "ineq"), (problem.equality_indices, "eq")):
        if not indices:
            continue
        idx = np.array(indices)
        constraints.append(
            {
                "type": kind,
                "fun": lambda x, idx=idx: oracle.constraints(x)[idx],
                "jac": lambda x, idx=idx: _dense(oracle.jacobian(x))[idx],
            }
        )
    return minimize(
        oracle.value,
        np.array(problem.x0, dtype=float),
        jac=oracle.gradient,
        method="SLSQP",
        constraints=constraints,
        bounds=Bounds(problem.lower, problem.upper),
        options={"ftol": 1e-14, "maxiter": 1000},
    )


SOLVERS = {"trust-constr": _trust_constr, "SLSQP": _slsqp}


def _solve_marks(name):
    marks = []
    if name in SOLVE_XFAIL:
        marks.append(pytest.mark.xfail(strict=True, reason=SOLVE_XFAIL[name]))
    if name in SLOW_SOLVES:
        marks.append(pytest.mark.slow)
    return marks


@pytest.mark.parametrize("problem", _params(_solve_marks))
def test_reference_solve_from_x0_reaches_a_known_minimum(problem):
    """trust-constr (or SLSQP where recorded) from the book's x0 reaches f* or a documented local
    minimum; the other method is tried when the recorded one misses, so the test checks the library,
    not the last digit of a SciPy version."""
    first = "SLSQP" if problem.name in SLSQP_NEEDED else "trust-constr"
    order = [first, *(m for m in SOLVERS if m != first)]
    attempts = []
    for method in order:
        start = time.perf_counter()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = SOLVERS[method](problem)
        attempts.append(f"{method}: f = {result.fun:.12g} ({time.perf_counter() - start:.2f} s)")
        if np.isfinite(result.fun) and _reached(problem, result.fun):
            return
    pytest.fail(f"no method reached f* = {problem.f_star:.12g} or {problem.local_minima}: {attempts}")
