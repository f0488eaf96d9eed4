"""Finite differences: error order per scheme, exact evaluation counts, bounds never crossed."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from workbench import Problem
from workbench import finite_difference as fd
from workbench.model import compile_model

x, y, z = sp.symbols("x y z", real=True)


def f_batch(points):
    """f(x, y, z) = exp(x) sin(y) + x z^3, evaluated row-wise."""
    p = np.atleast_2d(points)
    return (np.exp(p[:, 0]) * np.sin(p[:, 1]) + p[:, 0] * p[:, 2] ** 3)[:, None]


def f_complex(points):
    p = np.atleast_2d(points)
    return (np.exp(p[:, 0]) * np.sin(p[:, 1]) + p[:, 0] * p[:, 2] ** 3)[:, None]


def gradient_exact(v):
    a, b, c = v
    return np.array([np.exp(a) * np.sin(b) + c**3, np.exp(a) * np.cos(b), 3 * a * c**2])


def hessian_exact(v):
    a, b, c = v
    e = np.exp(a)
    return np.array(
        [
            [e * np.sin(b), e * np.cos(b), 3 * c**2],
            [e * np.cos(b), -e * np.sin(b), 0],
            [3 * c**2, 0, 6 * a * c],
        ]
    )


POINT = np.array([0.37, -1.21, 0.83])


@pytest.mark.parametrize("scheme, order", [("forward", 1), ("central", 2)])
def test_truncation_error_shrinks_with_the_schemes_order(scheme, order):
    errors = []
    for h in (1e-2, 5e-3):
        estimate = fd.jacobian(f_batch, POINT, scheme=scheme, step=np.full(3, h)).value[0]
        errors.append(np.max(np.abs(estimate - gradient_exact(POINT))))
    assert errors[0] / errors[1] == pytest.approx(2**order, rel=0.1)


@pytest.mark.parametrize("scheme, order", [("forward", 1), ("central", 2)])
def test_hessian_truncation_error_order(scheme, order):
    errors = []
    for h in (2e-2, 1e-2):
        estimate = fd.hessian(f_batch, POINT, scheme=scheme, step=np.full(3, h)).value
        errors.append(np.max(np.abs(estimate - hessian_exact(POINT))))
    assert errors[0] / errors[1] == pytest.approx(2**order, rel=0.15)


def test_default_steps_reach_the_textbook_accuracy():
    g = gradient_exact(POINT)
    scale = np.max(np.abs(g))
    forward = fd.jacobian(f_batch, POINT, scheme="forward").value[0]
    central = fd.jacobian(f_batch, POINT, scheme="central").value[0]
    complex_step = fd.complex_step_jacobian(f_complex, POINT).value[0]
    assert np.max(np.abs(forward - g)) / scale < 1e-7
    assert np.max(np.abs(central - g)) / scale < 1e-10
    assert np.max(np.abs(complex_step - g)) / scale < 1e-15
    h = hessian_exact(POINT)
    assert np.max(np.abs(fd.hessian(f_batch, POINT, scheme="forward").value - h)) / np.max(np.abs(h)) < 1e-4
    assert np.max(np.abs(fd.hessian(f_batch, POINT, scheme="central").value - h)) / np.max(np.abs(h)) < 1e-7
    from_gradients = fd.hessian_from_gradient(lambda p: fd.complex_step_jacobian(f_complex, p), POINT).value
    assert np.max(np.abs(from_gradients - h)) / np.max(np.abs(h)) < 1e-9


@pytest.mark.parametrize("n", [1, 2, 5])
def test_evaluation_counts_are_exact(n):
    def f(points):
        return np.sum(np.atleast_2d(points) ** 3, axis=1)[:, None]

    point = np.linspace(0.3, 1.7, n)
    assert fd.jacobian(f, point, scheme="forward", f0=f(point[None])[0]).evaluations == n
    assert fd.jacobian(f, point, scheme="forward").evaluations == n + 1
    assert fd.jacobian(f, point, scheme="central").evaluations == 2 * n
    assert fd.complex_step_jacobian(f, point).evaluations == n
    assert fd.hessian(f, point, scheme="forward").evaluations == 1 + 2 * n + n * (n - 1) // 2
    assert fd.hessian(f, point, scheme="central").evaluations == 1 + 2 * n * n
    assert fd.hessian(f, point, scheme="central", f0=1.0).evaluations == 2 * n * n
    cs = fd.hessian_from_gradient(lambda p: fd.complex_step_jacobian(f, p), point)
    assert cs.evaluations == 2 * n * n


def test_typical_x_changes_the_steps_not_the_counts():
    def f(points):
        return np.sum(np.atleast_2d(points) ** 3, axis=1)[:, None]

    point = np.array([0.3, 2e-6, 5e5])
    typical = np.array([1.0, 1e-6, 1e6])
    np.testing.assert_array_equal(fd.default_step("forward", point, typical), fd.EPS**0.5 * np.array([1.0, 2e-6, 1e6]))
    for scheme in ("forward", "central"):
        assert fd.jacobian(f, point, scheme=scheme, typical_x=typical).evaluations == (
            fd.jacobian(f, point, scheme=scheme).evaluations
        )
        assert fd.hessian(f, point, scheme=scheme, typical_x=typical).evaluations == (
            fd.hessian(f, point, scheme=scheme).evaluations
        )


def _guarded(lower, upper):
    """An evaluator that fails the test if asked for a point outside [lower, upper]."""

    def evaluate(points):
        points = np.atleast_2d(points)
        assert np.all(points >= lower) and np.all(points <= upper), points
        return f_batch(points)

    return evaluate


@given(
    st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
    st.sampled_from(["forward", "central"]),
)
def test_no_point_outside_the_bounds_is_ever_evaluated(fractions, scheme):
    lower = np.array([0.3, -1.3, 0.8])
    upper = np.array([0.3 + 1e-3, -1.2, 0.8 + 1e-9])  # boxes narrower than the steps too
    point = lower + np.array(fractions) * (upper - lower)
    evaluate = _guarded(lower, upper)
    fd.jacobian(evaluate, point, scheme=scheme, lower=lower, upper=upper)
    fd.hessian(evaluate, point, scheme=scheme, lower=lower, upper=upper)

    def gradient(p):
        assert np.all(p >= lower) and np.all(p <= upper)
        return fd.complex_step_jacobian(f_complex, p)

    fd.hessian_from_gradient(gradient, point, lower=lower, upper=upper)


@pytest.mark.parametrize("scheme, tolerance", [("forward", 1e-6), ("central", 1e-9)])
def test_one_sided_differences_at_a_bound_stay_accurate(scheme, tolerance):
    lower = POINT.copy()  # every coordinate sits on its lower bound
    upper = POINT + 1.0
    estimate = fd.jacobian(_guarded(lower, upper), POINT, scheme=scheme, lower=lower, upper=upper).value[0]
    g = gradient_exact(POINT)
    assert np.max(np.abs(estimate - g)) / np.max(np.abs(g)) < tolerance
    hessian = fd.hessian(_guarded(lower, upper), POINT, scheme=scheme, lower=lower, upper=upper).value
    assert np.max(np.abs(hessian - hessian_exact(POINT))) < 1e-3


def test_oracle_costs_and_reuse_of_f_at_the_same_point():
    p = Problem(name="c", variables=(x, y, z), objective=sp.exp(x) * sp.sin(y) + x * z**3, x0=(0.1, 0.2, 0.3))
    n = 3
    forward = p.oracle("fd-forward")
    forward.gradient(POINT)
    assert forward.counts.objective_evaluations == n + 1  # f(x) not known yet
    forward.value(POINT)
    forward.gradient(POINT)
    assert forward.counts.objective_evaluations == (n + 1) + 1  # the gradient at the last point is remembered
    assert forward.counts.gradient == 2 and forward.counts.value == 1  # calls are counted all the same
    other = POINT + 0.25
    forward.value(other)
    forward.gradient(other)
    assert forward.counts.objective_evaluations == (n + 1) + 1 + 1 + n  # f(x) reused
    central = p.oracle("fd-central")
    central.gradient(POINT)
    assert central.counts.objective_evaluations == 2 * n
    complex_step = p.oracle("complex-step")
    complex_step.gradient(POINT)
    assert complex_step.counts.objective_evaluations == n
    assert complex_step.counts.gradient == 1 and complex_step.counts.gradient_evaluations == 0


def test_finite_difference_oracles_never_derive_derivatives():
    p = Problem(
        name="blind",
        variables=(x, y),
        objective=sp.exp(x * y) + y**4,
        constraints=(x**2 + y**2 <= 4, sp.Eq(x * y, 0.5)),
        x0=(0.5, 1.0),
    )
    for variant in ("fd-forward", "fd-central", "complex-step"):
        oracle = p.oracle(variant)
        point = np.array([0.4, 1.1])
        oracle.gradient(point)
        oracle.hessian(point)
        oracle.jacobian(point)
        oracle.constraint_hessian(point, np.array([1.0, -2.0]))
    derived = compile_model(p).derivatives._cache
    assert not any(key in derived for key in ("gradient", "hessian", "jacobian", "constraint_hessians"))


def test_complex_step_refuses_non_smooth_problems_naming_the_function():
    with pytest.warns(UserWarning):
        p = Problem(name="kink", variables=(x, y), objective=sp.Abs(x) + y**2, x0=(1, 1))
    with pytest.raises(ValueError, match="Abs"):
        p.oracle("complex-step")


def test_quasi_newton_variant_has_gradient_but_no_hessian():
    from workbench.oracle import HessianNotAvailable

    p = Problem(name="qn", variables=(x, y), objective=x**2 + x * y + y**4, x0=(1, 1))
    oracle = p.oracle("fd-forward+bfgs")
    assert oracle.hessian_model == "bfgs"
    np.testing.assert_allclose(oracle.gradient(np.array([1.0, 2.0])), [4.0, 33.0], rtol=1e-7)
    with pytest.raises(HessianNotAvailable, match="BFGS"):
        oracle.hessian(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="unknown derivative variant"):
        p.oracle("fd-backward")


def test_a_stencil_leaving_the_natural_domain_turns_the_other_way():
    def barrier(points):  # defined for x < 1 only
        p = np.atleast_2d(points)
        with np.errstate(invalid="ignore"):
            return (-np.log(1.0 - p[:, 0]) + p[:, 1] ** 2)[:, None]

    x = np.array([1.0 - 1e-9, 0.5])  # x + h crosses 1: log of a negative number
    f0 = barrier(x)[0, 0]
    forward = fd.jacobian(barrier, x, scheme="forward")
    h = fd.default_step("forward", x)[0]
    s = (x[0] - h) - x[0]
    expected = (barrier(x + [s, 0.0])[0, 0] - f0) / s  # retried backward, by hand
    assert forward.value[0, 0] == expected and forward.value[0, 0] > 0
    assert forward.value[0, 1] == pytest.approx(1.0, rel=1e-6)
    assert forward.evaluations == 2 + 1 + 1  # n points, f(x), one retry
    central = fd.jacobian(barrier, x, scheme="central")
    assert np.all(np.isfinite(central.value)) and central.value[0, 0] > 0
    assert central.value[0, 1] == pytest.approx(1.0, rel=1e-9)
    undefined = fd.jacobian(barrier, np.array([1.5, 0.5]), scheme="forward")
    assert np.isnan(undefined.value[0, 0])  # f(x) itself undefined: nothing to rescue


@pytest.mark.parametrize("batch", [1, 3, 7])
def test_points_built_in_batches_give_the_same_bits(monkeypatch, batch):
    """evaluate_changed splits the points into batches of BATCH_ENTRIES numbers: the estimates and
    their counts do not depend on the batch size (x has 3 coordinates: batch 1 means one point per call)."""
    from workbench.richardson import richardson_hessian, richardson_jacobian

    v = np.array([0.3, -0.7, 1.1])
    whole = {
        "forward": fd.jacobian(f_batch, v, scheme="forward"),
        "central": fd.jacobian(f_batch, v, scheme="central"),
        "complex": fd.complex_step_jacobian(f_complex, v),
        "hessian": fd.hessian(f_batch, v, scheme="central"),
        "richardson": richardson_jacobian(f_batch, v),
        "richardson-hessian": richardson_hessian(f_batch, v),
    }
    calls = []

    def counted(points):
        calls.append(len(points))
        return f_batch(points)

    monkeypatch.setattr(fd, "BATCH_ENTRIES", batch * 3)
    parts = {
        "forward": fd.jacobian(counted, v, scheme="forward"),
        "central": fd.jacobian(f_batch, v, scheme="central"),
        "complex": fd.complex_step_jacobian(f_complex, v),
        "hessian": fd.hessian(f_batch, v, scheme="central"),
        "richardson": richardson_jacobian(f_batch, v),
        "richardson-hessian": richardson_hessian(f_batch, v),
    }
    assert max(calls) <= batch
    for name, estimate in whole.items():
        assert np.array_equal(parts[name].value, estimate.value), name
        assert parts[name].evaluations == estimate.evaluations, name


def test_a_dense_hessian_from_values_too_large_is_refused_as_a_failed_run(monkeypatch):
    """Above MAX_HESSIAN_POINTS points the finite-difference Hessian is refused with one sentence that
    names the size and the ways out; in a run that is a failed run, not a crash or a memory error."""
    from workbench import solve

    with pytest.raises(ValueError, match=r"n = 3 needs about 18 evaluations.*refused above"):
        monkeypatch.setattr(fd, "MAX_HESSIAN_POINTS", 17)
        fd.hessian(f_batch, np.ones(3), scheme="central")
    problem = Problem(name="bowl3", variables=(x, y, z), objective=x**2 + y**2 + z**2 + x * y, x0=(1.0, 2.0, 3.0))
    result = solve(problem, "newton", "fd-central")
    assert result.status == "failed"
    assert "refused above" in result.message and "analytic derivatives" in result.message
    monkeypatch.setattr(fd, "MAX_HESSIAN_POINTS", 10**7)
    assert solve(problem, "newton", "fd-central").status == "converged"
