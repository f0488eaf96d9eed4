"""The ``fd-richardson`` and ``fd-optimal`` variants through the oracle, and ``typical_x`` on the library,
against 40-digit mpmath derivatives of the SymPy declarations (not the workbench's own exact derivatives):
digits, exact evaluation counts, bounds never crossed, the model-optimal steps against the error model
and the textbook rule, the exact-derivative reads kept out of work, and Brown's badly scaled function
with forward differences."""

from __future__ import annotations

import dataclasses

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import Problem
from workbench import finite_difference as fd
from workbench.accuracy import check_derivatives, check_points, predicted_error, step_rules
from workbench.model import compile_model
from workbench.oracle import make_oracle, model_optimal_steps
from workbench.runner import solve
from workbench.variants import (
    DERIVATIVE_VARIANTS,
    FINITE_DIFFERENCE_VARIANTS,
    PRACTICAL_VARIANTS,
    parse_variant,
    textbook_label,
    variant_rank,
)

EPS = fd.EPS
a, b, c = sp.symbols("a b c", real=True)


def truth(variables, expression, x):
    """Gradient (n,) and Hessian (n, n) in 40-digit mpmath at the float64 point x."""
    gradient = [sp.diff(expression, v) for v in variables]
    hessian = [[sp.diff(g, v) for v in variables] for g in gradient]
    with mpmath.workdps(40):
        point = [mpmath.mpf(float(v)) for v in x]
        g = sp.lambdify(variables, gradient, "mpmath")(*point)
        h = sp.lambdify(variables, hessian, "mpmath")(*point)
        return np.array([float(v) for v in g]), np.array([[float(v) for v in row] for row in h])


def jacobian_truth(problem, x):
    """The constraint Jacobian (m, n) in 40-digit mpmath."""
    rows = [[sp.diff(c.expression, v) for v in problem.variables] for c in problem.constraints]
    with mpmath.workdps(40):
        values = sp.lambdify(problem.variables, rows, "mpmath")(*[mpmath.mpf(float(v)) for v in x])
        return np.array([[float(v) for v in row] for row in values])


def digits(estimate, exact):
    error = float(np.max(np.abs(np.asarray(estimate, dtype=float) - exact)))
    return 16.0 if error == 0 else -np.log10(error / float(np.max(np.abs(exact))))


# --- the variant list ------------------------------------------------------------------------------


def test_the_new_variants_are_named_as_the_issue_asked():
    assert DERIVATIVE_VARIANTS == ("analytic", "fd-forward", "fd-central", "complex-step", "fd-richardson",
                                   "fd-optimal")  # fmt: skip
    assert "fd-optimal" in FINITE_DIFFERENCE_VARIANTS and "fd-optimal" not in PRACTICAL_VARIANTS
    for name in ("fd-richardson", "fd-richardson+bfgs", "fd-richardson+sr1", "fd-optimal", "fd-optimal+bfgs"):
        variant = parse_variant(name)
        assert variant.finite_difference and variant.name == name
        assert variant.exact_higher_derivatives == name.startswith("fd-optimal")
    assert parse_variant("fd-richardson").scheme == "richardson" and parse_variant("fd-optimal").scheme == "optimal"
    assert not parse_variant("analytic").exact_higher_derivatives
    assert not any(parse_variant(v).exact_higher_derivatives for v in PRACTICAL_VARIANTS)
    with pytest.raises(ValueError, match="fd-richardson"):
        parse_variant("fd-richardsen")
    order = sorted(["fd-optimal", textbook_label("fd-central"), "fd-richardson+bfgs", "fd-central", "analytic"],
                   key=variant_rank)  # fmt: skip
    assert order == ["analytic", "fd-central@textbook", "fd-central", "fd-richardson+bfgs", "fd-optimal"]


# --- digits through the oracle, against mpmath ------------------------------------------------------

#: problem -> the (gradient, Hessian) digits fd-richardson must reach at x0 and the random check points.
#: Brown's Hessian: f ~ 1e12 at the random points, so every second difference in x2 carries a rounding error
#: of at least eps 1e12 / h^2 = 1.5e-4 with the ladder's largest step h = max(1, |x2|) = 1.2, against
#: d2f/dx2^2 = 5: about 4 digits is what values of f allow there.
RICHARDSON = {"mgh05_beale": (12, 10), "mgh07_helical_valley": (12, 10), "mgh17_osborne_1": (12, 9),
              "mgh04_brown_badly_scaled": (9, 3.5), "hs071": (12, 10), "rosenbrock": (12, 10)}  # fmt: skip


@pytest.mark.parametrize("name", list(RICHARDSON))
def test_richardson_digits_through_the_oracle(library, name):
    problem = library[name]
    need_gradient, need_hessian = RICHARDSON[name]
    for label, x in check_points(problem, random_points=2).items():
        if label == "x_star":  # a zero gradient: digits need the check's scale floor (test_fd_adaptive)
            continue
        g, h = truth(problem.variables, problem.objective, x)
        oracle = problem.oracle("fd-richardson")
        assert digits(oracle.gradient(x), g) >= need_gradient, label
        assert digits(oracle.hessian(x), h) >= need_hessian, label
        if problem.m:
            assert digits(oracle.jacobian(x), jacobian_truth(problem, x)) >= 12, label
        assert oracle.counts.error_model_evaluations == 0  # values of f and c only


@pytest.mark.parametrize("name", ["mgh05_beale", "mgh07_helical_valley", "mgh10_meyer", "mgh17_osborne_1", "hs071"])
def test_optimal_digits_through_the_oracle(library, name):
    problem = library[name]
    for label, x in check_points(problem, random_points=2).items():
        if label == "x_star":
            continue
        g, h = truth(problem.variables, problem.objective, x)
        oracle = problem.oracle("fd-optimal")
        assert digits(oracle.gradient(x), g) >= 8, label
        assert digits(oracle.hessian(x), h) >= 4.5, label  # HS071 is cubic: f_iiii = 0, the textbook step
        if problem.m:
            assert digits(oracle.jacobian(x), jacobian_truth(problem, x)) >= 9, label


# --- fd-optimal against the error model and the textbook rule ----------------------------------------

#: Smooth problems whose random check points keep f moderate (Osborne 1's put x4 < 0, where f ~ 1e60 and
#: eps sum |terms| no longer bounds the rounding of exp(320 |x4|) within a digit).
OPTIMAL = ["mgh05_beale", "mgh07_helical_valley", "mgh10_meyer", "mgh12_box_3d"]


def test_optimal_gradients_follow_the_error_model_and_beat_the_textbook_rule(library):
    """At seeded random points (integer points make differences of polynomials exact by luck): the measured
    error of fd-optimal's gradient is never a digit above what the error model predicts at its steps, the
    model is representative (median measured / predicted within a digit), and the error is never 1.5 times
    the textbook central rule's (rounding makes either lucky now and then) and smaller on the whole."""
    measured_over_model, over_textbook = [], []
    for name in OPTIMAL:
        problem = library[name]
        model = compile_model(problem)
        for label, x in check_points(problem, random_points=3).items():
            if not label.startswith("random"):
                continue
            g, _ = truth(problem.variables, problem.objective, x)
            optimal = float(np.max(np.abs(problem.oracle("fd-optimal").gradient(x) - g)))
            textbook = float(np.max(np.abs(problem.oracle("fd-central").gradient(x) - g)))
            values = [model.error_model.values(k, x) for k in range(problem.m + 1)]
            predicted = predicted_error(problem, "fd-optimal", "gradient", values, x)
            assert optimal <= 10 * predicted, (name, label, optimal, predicted)
            assert optimal <= 1.5 * textbook, (name, label, optimal, textbook)
            measured_over_model.append(optimal / predicted)
            over_textbook.append(optimal / textbook)
    assert 0.1 <= np.median(measured_over_model) <= 10
    assert np.exp(np.mean(np.log(over_textbook))) < 0.5  # a geometric mean: fd-optimal gains on the whole


def test_optimal_steps_are_the_model_optimum_of_the_exact_derivatives(library):
    problem = library["mgh07_helical_valley"]
    x = check_points(problem, random_points=1)["random-1"]
    d = compile_model(problem).error_model.values(0, x, order=4)
    for quantity, order, rule, formula in (
        ("gradient", "d3", "central", lambda r, t: np.cbrt(3 * r / t)),
        ("hessian", "d4", "hessian-central", lambda r, t: (48 * r / t) ** 0.25),
    ):
        steps = model_optimal_steps(compile_model(problem), quantity, x)
        textbook = fd.default_step(rule, x)
        with np.errstate(divide="ignore"):
            optimum = formula(EPS * d["magnitude"], np.abs(d[order]))
        cap = np.minimum(np.maximum(1.0, np.abs(x)), fd.OPTIMAL_STEP_REACH * textbook)
        # f is quadratic in x3 (d3 = d4 = 0 there): no interior optimum, the textbook step
        expected = np.where(d[order] == 0, textbook, np.minimum(optimum, cap))
        assert np.any(d[order] == 0) and np.any(d[order] != 0)
        np.testing.assert_allclose(steps, expected, rtol=1e-12)


def test_the_error_models_fourth_derivatives_are_exact_and_lazy():
    problem = Problem(name="lazy-fourth", variables=(a, b, c), objective=sp.exp(a * b) * sp.sin(c) + a**5 / (1 + b**2),
                      x0=(0.3, 0.2, 0.1))  # fmt: skip
    model = compile_model(problem).error_model
    check_derivatives(problem, variants=["fd-forward", "fd-central"], random_points=1)
    assert model._fourth is None  # checks that do not need f_iiii do not derive it
    x = np.array([0.7, -0.4, 1.3])
    fourth = model.values(0, x, order=4)["d4"]
    with mpmath.workdps(40):
        point = {v: mpmath.mpf(float(t)) for v, t in zip(problem.variables, x, strict=True)}
        exact = [float(sp.lambdify(problem.variables, sp.diff(problem.objective, v, 4), "mpmath")(*point.values()))
                 for v in problem.variables]  # fmt: skip
    np.testing.assert_allclose(fourth, exact, rtol=1e-9)
    assert model._fourth is not None


# --- counting ---------------------------------------------------------------------------------------


def _counted(oracle):
    """Wrap the oracle's value functions so that every evaluated point is recorded."""
    source = oracle._source
    rows = {"f": 0, "c": 0}

    def wrap(function, key):
        def counted(points):
            rows[key] += np.atleast_2d(points).shape[0]
            return function(points)

        return counted

    source._objective = wrap(source._objective, "f")
    source._constraints = wrap(source._constraints, "c")
    return rows


@pytest.mark.parametrize("name", ["mgh07_helical_valley", "mgh17_osborne_1", "hs071", "hs055"])
def test_richardson_counts_every_point_through_the_oracle(library, name):
    problem = library[name]
    x = check_points(problem, random_points=1)["random-1"]
    oracle = problem.oracle("fd-richardson")
    rows = _counted(oracle)
    oracle.gradient(x)
    # the ladder, its step search included (16n central, 8n + 1 one-sided at a bound)
    assert oracle.counts.objective_evaluations == rows["f"] >= 8 * problem.n
    before = rows["f"]
    oracle.gradient(x)  # the memory of the last point: a call, no evaluation
    assert rows["f"] == before and oracle.counts.gradient == 2
    oracle.value(x)
    oracle.hessian(x)  # f(x) is known now and not evaluated again
    assert oracle.counts.objective_evaluations == rows["f"]
    if problem.m:
        oracle.constraints(x)
        oracle.jacobian(x)
        oracle.constraint_hessian(x, np.ones(problem.m))
        assert oracle.counts.constraint_evaluations == rows["c"]
    assert oracle.counts.work == rows["f"] + rows["c"]


def test_optimal_reads_exact_derivatives_apart_from_work(library):
    problem = library["hs071"]
    x = np.array([1.3, 4.7, 3.9, 1.6])
    oracle = problem.oracle("fd-optimal")
    rows = _counted(oracle)
    oracle.gradient(x), oracle.hessian(x), oracle.jacobian(x), oracle.constraint_hessian(x, np.ones(2))
    oracle.gradient(x)  # remembered: no estimate, no read
    assert oracle.counts.error_model_evaluations == 4
    assert oracle.counts.work == oracle.counts.objective_evaluations + oracle.counts.constraint_evaluations
    assert oracle.counts.work == rows["f"] + rows["c"]
    central = problem.oracle("fd-central")
    central.gradient(x), central.hessian(x), central.jacobian(x), central.constraint_hessian(x, np.ones(2))
    assert oracle.counts.work == central.counts.work  # the same stencils: 2n, 1 + 2n^2 (f(x) shared)


# --- bounds -----------------------------------------------------------------------------------------

BOXED = Problem(
    name="boxed", variables=(a, b, c),
    objective=sp.exp(a * b) + sp.log(1 + c**2) * a + (b - 2) ** 4 + a**3 * c,
    constraints=(a + b * c <= 3, sp.Eq(a * c + sp.exp(b) / 10, 1)),
    bounds=[(0.5, 0.5 + 1e-3), (-1.3, -1.2), (0.8, 0.8 + 1e-9)], x0=(0.5, -1.25, 0.8),
)  # fmt: skip


@settings(max_examples=25)
@given(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3), st.sampled_from(["fd-richardson", "fd-optimal"]))
def test_no_point_outside_the_bounds_is_evaluated_through_the_oracle(fractions, variant):
    lower, upper = BOXED.lower, BOXED.upper
    x = lower + np.array(fractions) * (upper - lower)
    oracle = make_oracle(BOXED, variant)
    source = oracle._source

    def guarded(function):
        def inside(points):
            points = np.atleast_2d(points)
            assert np.all(points >= lower) and np.all(points <= upper), points
            return function(points)

        return inside

    source._objective, source._constraints = guarded(source._objective), guarded(source._constraints)
    values = [oracle.gradient(x), oracle.hessian(x), oracle.jacobian(x), oracle.constraint_hessian(x, np.ones(2))]
    assert all(np.all(np.isfinite(v)) for v in values)


# --- typical_x on the library: Brown's badly scaled function ----------------------------------------


@pytest.mark.parametrize("point", [(1.0, 1.0), (1e6 + 10, 2.1e-6)], ids=["x0", "near x* (reference point)"])
def test_typical_x_gives_brown_six_forward_digits_through_the_oracle(library, point):
    brown = library["mgh04_brown_badly_scaled"]
    assert tuple(brown.typical_x) == (1e6, 2e-6)
    textbook = dataclasses.replace(brown, typical_x=None)
    x = np.array(point)
    g, _ = truth(brown.variables, brown.objective, x)
    # 7.8 at x0 and 5.7 near x* (test_fd_adaptive measures 6.4 there with a numpy evaluation of the same
    # expression; the compiled one rounds differently): near x* the model's best forward step, 2 sqrt(eps_f /
    # f_22) in x2, has the error 2 sqrt(eps_f f_22) = 0.42 against df/dx2 = 2e5, 5.7 digits, so 5.7 is the
    # most any forward step can promise there, and typical_x's step 3e-14 reaches it
    assert digits(brown.oracle("fd-forward").gradient(x), g) >= (6 if point == (1.0, 1.0) else 5.5)
    assert digits(textbook.oracle("fd-forward").gradient(x), g) < 3.5  # 3.2 at x0, 1.3 near x*


@pytest.mark.parametrize("name", ["mgh03_powell_badly_scaled", "mgh17_osborne_1"])
def test_typical_x_helps_forward_differences_at_x0(library, name):
    problem = library[name]
    textbook = dataclasses.replace(problem, typical_x=None)
    x = np.array(problem.x0)
    g, _ = truth(problem.variables, problem.objective, x)
    scaled = digits(problem.oracle("fd-forward").gradient(x), g)
    assert scaled >= digits(textbook.oracle("fd-forward").gradient(x), g) + 1.5


def test_brown_with_forward_differences_stalls_where_the_x1_step_says(library):
    """The issue hoped that with typical_x forward differences would solve Brown's function. They cannot,
    for any step rule h_i = sqrt(eps) max(typical_x_i, |x_i|): near x* = (1e6, 2e-6), |x1| = 1e6 fixes
    h1 = sqrt(eps) 1e6 = 0.0149 whatever typical_x says, and the forward difference's truncation error
    h1 f_11 / 2 = h1 (f_11 = 2) is a gradient error that does not shrink. A method stops where the true
    df/dx1 = 2 r1 equals it, at f = r1^2 = (h1 / 2)^2 = 5.55e-5, far above the verdict's 1e-6. Measured:
    typical_x halves that stall level (1.1e-4 without it: the x2 step is then wrong too), and central
    differences and fd-richardson solve."""
    brown = library["mgh04_brown_badly_scaled"]
    textbook = dataclasses.replace(brown, typical_x=None)
    h1 = np.sqrt(EPS) * 1e6
    stall = (h1 / 2) ** 2
    for method in ("lbfgs", "bfgs", "newton"):
        scaled = solve(brown, method, "fd-forward", max_iterations=500)
        unscaled = solve(textbook, method, "fd-forward", max_iterations=500)
        assert scaled.status != "converged" and unscaled.status != "converged"
        assert 0.8 * stall <= scaled.f <= 1.2 * stall, (method, scaled.f, stall)
        assert unscaled.f > 1.5 * stall
        for variant in ("fd-central", "fd-richardson", "analytic"):
            assert solve(brown, method, variant, max_iterations=500).status == "converged", (method, variant)


def test_the_step_rules_of_the_sweep_are_honest(library):
    brown = library["mgh04_brown_badly_scaled"]
    x = np.array([1.0, 1.0])
    rules = {(r["variant"], r["rule"]): r for r in step_rules(brown, x)}
    g, _ = truth(brown.variables, brown.objective, x)
    for (variant, rule), found in rules.items():
        oracle = (dataclasses.replace(brown, typical_x=None) if rule == "textbook" else brown).oracle(variant)
        estimate = oracle.gradient(x)
        assert found["evaluations"] == oracle.counts.objective_evaluations
        assert found["digits"] == pytest.approx(digits(estimate, g), abs=0.3)
    assert rules[("fd-forward", "scaled")]["digits"] > rules[("fd-forward", "textbook")]["digits"] + 4
    assert rules[("fd-optimal", "model-optimal")]["model_reads"] == 1
    assert rules[("fd-richardson", "adaptive")]["steps"] is None


# --- the derivative check ---------------------------------------------------------------------------


def test_the_check_shows_textbook_and_scaled_rows_and_no_model_for_richardson(library):
    rows = check_derivatives(library["mgh04_brown_badly_scaled"], random_points=1)
    variants = {r.variant for r in rows}
    assert variants == {"fd-forward@textbook", "fd-forward", "fd-central@textbook", "fd-central", "complex-step",
                        "fd-richardson", "fd-optimal"}  # fmt: skip
    x0 = {(r.quantity, r.variant): r for r in rows if r.point == "x0"}
    assert x0[("gradient", "fd-forward")].digits >= 6 > x0[("gradient", "fd-forward@textbook")].digits
    assert x0[("gradient", "fd-forward")].evaluations == x0[("gradient", "fd-forward@textbook")].evaluations == 3
    assert all(np.isnan(r.predicted_error) for r in rows if r.variant == "fd-richardson")
    assert all(np.isfinite(r.predicted_error) for r in rows if r.variant != "fd-richardson")
    plain = check_derivatives(library["rosenbrock"], random_points=1, hessians=False)
    assert not any(r.variant.endswith("@textbook") for r in plain)  # no typical_x: one textbook rule
