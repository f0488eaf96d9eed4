"""The derivative-accuracy check and the step sweep, against hand-derived figures."""

import numpy as np
import pytest
import sympy as sp

from workbench import Problem
from workbench.accuracy import check_derivatives, check_points, digits, step_sweep

x, y = sp.symbols("x y", real=True)


def test_digits_definition():
    assert digits(1e-8) == pytest.approx(8.0)
    assert digits(0.0) == 16.0
    assert digits(10.0) == 0.0
    assert np.isnan(digits(float("nan")))


def test_check_points_are_seeded_inside_bounds_and_not_integers():
    p = Problem(name="box", variables=(x, y), objective=x**2 + y**2, bounds=[(0, 2), (None, None)], x0=(1, 1))
    a = check_points(p, random_points=3, seed=7)
    b = check_points(p, random_points=3, seed=7)
    assert list(a) == ["x0", "random-1", "random-2", "random-3"]
    for label in a:
        np.testing.assert_array_equal(a[label], b[label])
    for k in (1, 2, 3):
        point = a[f"random-{k}"]
        assert 0 <= point[0] <= 2
        assert not np.any(point == np.round(point))
    assert not np.array_equal(check_points(p, seed=8)["random-1"], a["random-1"])


def test_hs071_digits_per_scheme_match_the_textbook(library):
    rows = check_derivatives(library["hs071"], random_points=2)
    gradient = {r.variant: [] for r in rows}
    for r in rows:
        if r.quantity == "gradient" and r.point.startswith("random"):
            gradient[r.variant].append(r.digits)
    assert min(gradient["fd-forward"]) >= 7  # sqrt(eps): ~8 digits
    assert min(gradient["fd-central"]) >= 10  # eps^(2/3): ~10-11 digits
    assert min(gradient["complex-step"]) >= 15  # full precision
    assert min(gradient["fd-richardson"]) >= 13
    for r in rows:
        # fd-richardson has no textbook model: the check stores NaN, never a made-up number
        assert np.isnan(r.predicted_error) == (r.variant == "fd-richardson"), r
        # the textbook model predicts the measured error within a generous factor
        if r.abs_error > 0 and r.point.startswith("random") and r.variant != "fd-richardson":
            assert r.abs_error <= 10 * r.predicted_error, r
            assert r.abs_error >= r.predicted_error / 1e4, r


def test_evaluations_reported_are_the_oracle_counts(library):
    rows = check_derivatives(library["hs071"], random_points=1)
    n = 4
    spent = {(r.quantity, r.variant): r.evaluations for r in rows if r.point == "random-1"}
    assert spent[("gradient", "fd-forward")] == n + 1
    assert spent[("gradient", "fd-central")] == 2 * n
    assert spent[("gradient", "complex-step")] == n
    assert spent[("jacobian", "fd-central")] == 2 * n
    assert spent[("hessian", "fd-central")] == 1 + 2 * n * n


def test_badly_scaled_problem_loses_forward_digits():
    # Brown badly scaled (Moré, Garbow & Hillstrom problem 4) near its solution (1e6, 2e-6)
    p = Problem(
        name="brown",
        variables=(x, y),
        objective=(x - 10**6) ** 2 + (y - sp.Rational(2, 10**6)) ** 2 + (x * y - 2) ** 2,
        x0=(1, 1),
    )
    rows = check_derivatives(p, points={"near": np.array([1e6 + 10, 2.1e-6])}, hessians=False)
    by_variant = {r.variant: r.digits for r in rows}
    assert by_variant["fd-forward"] < 3
    assert by_variant["complex-step"] > 14


def test_step_sweep_has_a_v_shape_with_the_model_minimum_near_the_measured_one():
    p = Problem(name="exp", variables=(x, y), objective=sp.exp(x) * sp.sin(y) + x**3 * y, x0=(0.3, 0.7))
    sweep = step_sweep(p, np.array([0.37, 0.71]))
    assert sweep.steps[0] == pytest.approx(1e-1) and sweep.steps[-1] == pytest.approx(1e-16)
    for variant in ("fd-forward", "fd-central"):
        measured = sweep.measured[variant]
        best = int(np.argmin(measured))
        assert 0 < best < len(measured) - 1  # truncation branch left, round-off branch right
        assert measured[0] > 100 * measured[best] and measured[-1] > 100 * measured[best]
        optimal = sweep.optimal_step[variant]
        assert optimal / 30 < sweep.steps[best] < optimal * 30
    complex_errors = sweep.measured["complex-step"]
    assert np.all(complex_errors[sweep.steps <= 1e-8] < 1e-14)  # no round-off branch
