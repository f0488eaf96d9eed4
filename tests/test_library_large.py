"""The library's large problems: indexed MGH families (problems/indexed.py) and CUTEst-style problems
(problems/cutest.py), tag ``large``.

1. Every family at small n: the indexed declaration and its fully written-out form
   (:func:`workbench.problem.written_out`) give the same f, gradient and Hessian to 1e-12 relative.
2. Where the library has its own written-out declaration of the function (the MGH instances, the
   lecture's Rosenbrock chains), both give the same x0, f*, x*, local minima, f and gradient.
3. Every declared f* is attained at the declared x* (f(x*) = f* to 1e-10 relative, gradient ~ 0),
   checked through the compiled model's exact evaluator.
4. At n = 100 000 every CUTEst-style problem builds, its compiled model gives f and the gradient at x0,
   and L-BFGS (or Newton-CG, which takes the sparse Hessian) reaches f* with status ``converged``.
   Only TRIDIA, whose Hessian's condition number grows like n^2, is slow (about a minute of Newton-CG).
5. Two workbench bugs met on the way (a read-only start point, trust-ncg with a sparse Hessian), fixed.

Nothing here builds a dense n x n matrix or a finite-difference derivative at n = 100 000 (either would
need tens of gigabytes).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_structure import assert_same_functions

from workbench import solve
from workbench.discovery import builtin_folder, load_problem_file
from workbench.model import compile_model


def _load(name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_problem_file(builtin_folder() / name)


INDEXED = _load("indexed.py")
CUTEST = _load("cutest.py")
LECTURE = _load("lecture.py")

#: family -> sizes checked against the written-out form (boundary cases: no template rows, one row)
SIZES = {
    "extended_rosenbrock": (2, 12),
    "chained_rosenbrock": (2, 3, 12),
    "extended_powell": (4, 12),
    "discrete_boundary_value": (1, 2, 3, 10),
    "broyden_tridiagonal": (1, 2, 3, 10),
    "broyden_banded": (4, 7, 12),
    "penalty_1": (4, 10),
    "penalty_2": (2, 4, 10),
    "variably_dimensioned": (4, 10),
    "trigonometric": (4, 10),
    "brown_almost_linear": (2, 4, 10),
    "discrete_integral_equation": (4, 10),
    "linear_full_rank": (4, 10),
    "linear_rank_1": (4, 10),
    "linear_rank_1_zero": (3, 10),
}
CUTEST_SIZES = {"arwhead": (2, 12), "dqdrtic": (3, 12), "liarwhd": (2, 12), "tridia": (2, 12)}
DIXMAAN_SIZES = (3, 12)

#: family -> the library's own written-out declarations of the same function (names in the library)
WRITTEN = {
    "extended_rosenbrock": ("mgh21_extended_rosenbrock_10", "extended_rosenbrock_10"),
    "extended_powell": ("mgh22_extended_powell_12",),
    "penalty_1": ("mgh23_penalty_1_4", "mgh23_penalty_1_10"),
    "penalty_2": ("mgh24_penalty_2_4", "mgh24_penalty_2_10"),
    "variably_dimensioned": ("mgh25_variably_dimensioned_10",),
    "trigonometric": ("mgh26_trigonometric_10",),
    "brown_almost_linear": ("mgh27_brown_almost_linear_10",),
    "discrete_boundary_value": ("mgh28_discrete_boundary_value_10",),
    "discrete_integral_equation": ("mgh29_discrete_integral_equation_10",),
    "broyden_tridiagonal": ("mgh30_broyden_tridiagonal_10",),
    "broyden_banded": ("mgh31_broyden_banded_10",),
    "linear_full_rank": ("mgh32_linear_full_rank_10",),
    "linear_rank_1": ("mgh33_linear_rank_1_10",),
    "linear_rank_1_zero": ("mgh34_linear_rank_1_zero_10",),
}


def _cases():
    cases = [(f"{name}-{n}", lambda name=name, n=n: INDEXED.FAMILIES[name][0](n))
             for name in SIZES for n in SIZES[name]]  # fmt: skip
    cases += [("linear_full_rank-5-m7", lambda: INDEXED.linear_full_rank(5, 7))]
    cases += [(f"{name}-{n}", lambda name=name, n=n: getattr(CUTEST, name)(n)) for name in CUTEST_SIZES
              for n in CUTEST_SIZES[name]]  # fmt: skip
    cases += [(f"dixmaan{v}-{n}", lambda v=v, n=n: CUTEST.dixmaan(n, v)) for v in CUTEST.DIXMAAN for n in DIXMAAN_SIZES]
    return dict(cases)


CASES = _cases()


def _relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b))) / max(1.0, float(np.max(np.abs(b))))


def test_every_family_has_sizes_to_check():
    assert set(SIZES) == set(INDEXED.FAMILIES)
    assert set(WRITTEN) | {"chained_rosenbrock"} == set(INDEXED.FAMILIES)


# --- 1. indexed = written out ----------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_indexed_declaration_agrees_with_its_written_out_form(case):
    problem = CASES[case]()
    assert problem.is_structured and "large" in problem.tags
    assert_same_functions(problem, points=2)


# --- 2. indexed = the library's own written-out declaration ---------------------------------------------
def _written(library, family):
    if family == "chained_rosenbrock":
        return [LECTURE.chained_rosenbrock(n) for n in (2, 9, 10)]
    return [library[name] for name in WRITTEN[family]]


@pytest.mark.parametrize("family", sorted(INDEXED.FAMILIES))
def test_indexed_declaration_matches_the_librarys_written_out_declaration(library, family):
    for written in _written(library, family):
        n = written.n
        indexed = INDEXED.FAMILIES[family][0](n)
        assert indexed.name != written.name
        np.testing.assert_array_equal(indexed.x0, written.x0)
        assert indexed.f_star == written.f_star
        if written.x_star is None:
            assert indexed.x_star is None
        else:
            np.testing.assert_allclose(indexed.x_star, written.x_star, rtol=1e-15, atol=0)
        if family != "chained_rosenbrock":  # the lecture's copy leaves its local minimum undeclared
            assert indexed.local_minima == written.local_minima
        a, b = compile_model(indexed).exact, compile_model(written).exact
        rng = np.random.default_rng(n)
        for x in [np.array(written.x0), *(written.x0 + 0.5 * rng.standard_normal(n) for _ in range(3))]:
            assert _relative(a.value(x), b.value(x)) <= 1e-12, (written.name, x)
            assert _relative(a.gradient(x), b.gradient(x)) <= 1e-12, (written.name, x)


# --- 3. f* at x* ---------------------------------------------------------------------------------------
def _assert_optimum(problem, x_star=None):
    x_star = np.array(problem.x_star if x_star is None else x_star)
    exact = compile_model(problem).exact
    f = exact.value(x_star)
    assert abs(f - problem.f_star) <= 1e-10 * max(1.0, abs(problem.f_star)), (problem.name, f, problem.f_star)
    g = exact.gradient(x_star)
    assert np.linalg.norm(g) <= 1e-6 * max(1.0, np.linalg.norm(exact.gradient(np.array(problem.x0)))), problem.name


#: families whose x* is known in closed form for every n, checked at larger n too
CLOSED_FORM = ("extended_rosenbrock", "chained_rosenbrock", "extended_powell", "penalty_1", "variably_dimensioned",
               "linear_full_rank", "linear_rank_1", "linear_rank_1_zero")  # fmt: skip


def _with_optimum():
    problems = dict(CASES)
    problems.update({f"{name}-{n}": (lambda name=name, n=n: INDEXED.FAMILIES[name][0](n))
                     for name in CLOSED_FORM for n in (24, 100)})  # fmt: skip
    return problems


OPTIMA = _with_optimum()


@pytest.mark.parametrize("case", OPTIMA)
def test_declared_f_star_is_attained_at_the_declared_x_star(case):
    problem = OPTIMA[case]()
    assert problem.f_star is not None or case.startswith("penalty_2"), "f* is declared wherever it is known"
    if problem.x_star is None:
        pytest.skip(f"{problem.name}: x* is known only at the tabulated sizes")
    _assert_optimum(problem)


@pytest.mark.parametrize("n", [24, 100])
def test_chained_rosenbrocks_declared_local_minimum_is_where_newton_stops(n):
    problem = INDEXED.chained_rosenbrock(n)
    start = np.ones(n)
    start[0] = -1.0
    result = solve(problem, "newton", "analytic", x0=start)
    assert result.status == "local_minimum", result.summary()
    assert result.f == pytest.approx(INDEXED.CHAINED_ROSENBROCK_LOCAL_MINIMUM, rel=1e-13)
    assert np.all(np.linalg.eigvalsh(compile_model(problem).exact.hessian(result.x, sparse=False)) > 0.4)


def test_broyden_tridiagonals_local_minimum_at_n_100_is_where_slsqp_stops():
    result = solve(INDEXED.broyden_tridiagonal(100), "slsqp", "analytic")
    assert result.status == "local_minimum", result.summary()
    assert result.f == pytest.approx(0.7125279095860827, rel=1e-9)


def test_library_instances_are_moderate_partially_separable_and_have_optima(library):
    large = {name: p for name, p in library.items() if "large" in p.tags}
    assert set(large) == {"arwhead_100"}  # one instance: see problems/indexed.py on the report's cost
    for problem in large.values():
        assert problem.is_structured and problem.n <= 1000 and problem.f_star is not None, problem.name
        # partially separable: the Hessian touches O(n) entries, so setup does not grow with n^2
        assert compile_model(problem).hessian_density_bound() <= 0.2, problem.name


# --- 4. n = 100 000 ---------------------------------------------------------------------------------------
N = 100_000

#: problem -> methods that reach f* at n = 100 000 within seconds (analytic derivatives)
LARGE_SOLVES = {
    "arwhead": ("lbfgs", "newton-cg"),
    "dqdrtic": ("lbfgs", "newton-cg"),
    "liarwhd": ("lbfgs", "newton-cg"),
    "dixmaana": ("lbfgs", "newton-cg"),
    "tridia": ("newton-cg",),
}


def _large(name: str):
    return CUTEST.dixmaan(N - N % 3, "a") if name == "dixmaana" else getattr(CUTEST, name)(N)


@pytest.fixture(scope="module")
def large_problems():
    return {name: _large(name) for name in LARGE_SOLVES}


@pytest.mark.parametrize("name", LARGE_SOLVES)
def test_cutest_problem_builds_and_evaluates_at_n_1e5(large_problems, name):
    problem = large_problems[name]
    assert problem.n >= N - 2 and "large" in problem.tags
    exact = compile_model(problem).exact
    x0 = np.array(problem.x0)
    f, g = exact.value(x0), exact.gradient(x0)
    assert np.isfinite(f) and f > problem.f_star
    assert g.shape == (problem.n,) and np.all(np.isfinite(g))
    _assert_optimum(problem)


@pytest.mark.parametrize(
    ("name", "method"),
    [pytest.param(name, method, marks=[pytest.mark.slow] if name == "tridia" else [])
     for name, methods in LARGE_SOLVES.items() for method in methods],
)  # fmt: skip
def test_cutest_problem_is_solved_at_n_1e5(large_problems, name, method):
    problem = large_problems[name]
    result = solve(problem, method, "analytic", time_limit=300)
    assert result.status == "converged", result.summary()
    assert abs(result.f - problem.f_star) <= 1e-6 * max(1.0, abs(problem.f_star))


# --- 5. bugs met on the way (workbench code, not the declarations), fixed ---------------------------
def test_exact_evaluator_accepts_the_problems_read_only_x0(library):
    problem = library["rosenbrock"]  # any problem compiled through symengine
    assert compile_model(problem).exact.value(problem.x0) == pytest.approx(24.2)


def test_trust_ncg_runs_on_a_sparse_analytic_hessian(library):
    result = solve(library["arwhead_100"], "trust-ncg", "analytic")
    assert result.status == "converged", result.message
