"""Exact derivatives: compiled callables agree with SymPy's own diff(...).subs(point).evalf()."""

import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from workbench import Problem
from workbench.model import compile_model
from workbench.problem import written_out

GRADIENT_SAMPLE = 6  # entries compared per problem (all of them when there are fewer)
HESSIAN_SAMPLE = 8


def _point(problem, seed=0):
    rng = np.random.default_rng(seed)
    x0 = np.clip(np.array(problem.x0), problem.lower, problem.upper)
    x = x0 + 0.1 * rng.uniform(-1, 1, problem.n) * np.maximum(1, np.abs(x0))
    lower = np.where(np.isfinite(problem.lower), problem.lower, -np.inf)
    upper = np.where(np.isfinite(problem.upper), problem.upper, np.inf)
    return np.clip(x, lower, upper)


def _evalf(expr, substitution):
    """expr at the point in 30-digit mpmath arithmetic (SymPy's own diff, an independent path)."""
    import mpmath

    symbols = list(substitution)
    with mpmath.workdps(30):
        function = sp.lambdify(symbols, expr, modules="mpmath")
        return float(function(*[mpmath.mpf(str(substitution[s])) for s in symbols]))


def _library_names():
    from workbench.discovery import discover_problems

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(discover_problems())


@pytest.mark.parametrize("name", _library_names())
def test_exact_derivatives_equal_sympy_diff_subs_evalf(name, library):
    problem = library[name]
    if problem.samples > 50 or problem.n > 200:
        pytest.skip("a sum over hundreds of data rows: checked against hand-written NumPy in test_structure.py")
    reference = written_out(problem)  # a structured declaration: SymPy's diff of its fully written-out form
    x = _point(problem)
    substitution = {v: sp.Float(float(value), 30) for v, value in zip(reference.variables, x, strict=True)}
    oracle = problem.oracle("analytic", sparse=False)
    rng = np.random.default_rng(1)
    n = problem.n
    columns = range(n) if n <= GRADIENT_SAMPLE else sorted(rng.choice(n, GRADIENT_SAMPLE, replace=False))
    gradient = oracle.gradient(x)
    assert gradient.shape == (n,) and gradient.dtype == np.float64
    symbolic_gradient = {}
    for i in columns:
        symbolic_gradient[i] = sp.diff(reference.objective, reference.variables[i])
        expected = _evalf(symbolic_gradient[i], substitution)
        assert gradient[i] == pytest.approx(expected, rel=1e-12, abs=1e-12 * max(1.0, abs(expected)) + 1e-300)
    hessian = oracle.hessian(x)
    assert hessian.shape == (n, n) and hessian.dtype == np.float64
    pairs = [(i, j) for i in columns for j in columns if j >= i]
    if len(pairs) > HESSIAN_SAMPLE:
        pairs = [pairs[k] for k in sorted(rng.choice(len(pairs), HESSIAN_SAMPLE, replace=False))]
    scale = max(1.0, float(np.max(np.abs(hessian))))
    for i, j in pairs:
        first = symbolic_gradient.get(i)
        if first is None:
            first = symbolic_gradient[i] = sp.diff(reference.objective, reference.variables[i])
        expected = _evalf(sp.diff(first, reference.variables[j]), substitution)
        assert hessian[i, j] == pytest.approx(expected, rel=1e-11, abs=1e-12 * scale)
        assert hessian[j, i] == hessian[i, j]
    if problem.m:
        jacobian = oracle.jacobian(x)
        assert jacobian.shape == (problem.m, n)
        v = rng.uniform(-1, 1, problem.m)
        weighted = oracle.constraint_hessian(x, v)
        assert weighted.shape == (n, n)
        for k, constraint in enumerate(reference.constraints):
            for i in columns:
                expected = _evalf(sp.diff(constraint.expression, reference.variables[i]), substitution)
                assert jacobian[k, i] == pytest.approx(expected, rel=1e-12, abs=1e-12 * max(1, abs(expected)))
        lagrangian = sp.Add(*[float(vk) * c.expression for vk, c in zip(v, reference.constraints, strict=True)])
        for i, j in pairs[:30]:
            expected = _evalf(sp.diff(lagrangian, reference.variables[i], reference.variables[j]), substitution)
            assert weighted[i, j] == pytest.approx(expected, rel=1e-11, abs=1e-11 * max(1, abs(expected)))


x, y, z = sp.symbols("x y z", real=True)


def test_constant_hessian_is_float64_of_exact_shape():
    p = Problem(name="q", variables=(x, y), objective=3 * x**2 + x * y + 2 * y**2, x0=(1, 1))
    h = p.oracle("analytic").hessian(np.array([0.3, 0.7]))
    assert h.dtype == np.float64 and h.shape == (2, 2)
    np.testing.assert_array_equal(h, [[6, 1], [1, 4]])
    linear = Problem(name="l", variables=(x, y), objective=2 * x + 3 * y, x0=(0, 0))
    np.testing.assert_array_equal(linear.oracle("analytic").hessian(np.zeros(2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(linear.oracle("analytic").gradient(np.zeros(2)), [2.0, 3.0])


def test_variable_absent_from_objective_has_zero_gradient():
    p = Problem(name="p", variables=(x, y, z), objective=x**2 + y, x0=(1, 1, 1))
    np.testing.assert_array_equal(p.oracle("analytic").gradient(np.array([2.0, 0, 5])), [4.0, 1.0, 0.0])


def test_derivation_is_lazy_and_cached():
    p = Problem(name="lazy", variables=(x, y), objective=sp.exp(x) * y**3, x0=(0.1, 0.2))
    oracle = p.oracle("analytic")
    oracle.gradient(np.array([0.1, 0.2]))
    derivatives = compile_model(p).derivatives
    assert "gradient" in derivatives._cache and "hessian" not in derivatives._cache
    oracle.hessian(np.array([0.1, 0.2]))
    assert "hessian" in derivatives._cache
    assert p.oracle("analytic").model is compile_model(p)  # compiled once per problem (by fingerprint)
    same = Problem(name="lazy", variables=(x, y), objective=sp.exp(x) * y**3, x0=(0.1, 0.2))
    assert compile_model(same) is compile_model(p)  # an equal declaration shares the model


def test_sparse_hessian_above_threshold_matches_dense():
    from workbench.discovery import builtin_folder, load_problem_file

    lecture = load_problem_file(builtin_folder() / "lecture.py")
    p = lecture.chained_rosenbrock(150)
    point = np.linspace(-1, 1, 150)
    sparse = p.oracle("analytic")
    assert sparse.sparse  # n >= 100 and a tridiagonal pattern: sparse by default
    h = sparse.hessian(point)
    assert hasattr(h, "toarray") and h.nnz == 150 + 2 * 149
    dense = p.oracle("analytic", sparse=False).hessian(point)
    np.testing.assert_array_equal(h.toarray(), dense)
    assert not lecture.chained_rosenbrock(20).oracle("analytic").sparse
    # the pattern is symbolic: structural zeros are never derived
    assert compile_model(p).derivatives.hessian.nnz == 150 + 149


def test_symengine_and_sympy_engines_agree():
    p = Problem(
        name="mix",
        variables=(x, y, z),
        objective=sp.exp(x * y) + sp.log(1 + z**2) * sp.sin(x) + sp.atan(y * z),
        constraints=(x * y * z <= 2, sp.Eq(sp.cosh(x) + y, 3)),
        x0=(0.3, 0.4, 0.5),
    )
    point = np.array([0.3, -0.4, 0.7])
    fast = compile_model(p, "symengine")
    slow = compile_model(p, "sympy")
    np.testing.assert_allclose(fast.gradient(point), slow.gradient(point), rtol=1e-14)
    for attribute in ("hessian", "jacobian"):
        (f1, a1), (f2, a2) = getattr(fast, attribute), getattr(slow, attribute)
        np.testing.assert_allclose(a1.dense(f1(point)), a2.dense(f2(point)), rtol=1e-13, atol=1e-15)


def test_non_smooth_problem_uses_sympy_engine_with_real_derivatives():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = Problem(name="abs", variables=(x, y), objective=sp.Abs(x) + sp.Max(x, y) ** 2, x0=(1, 2))
    assert compile_model(p).derivatives.engine == "sympy"
    g = p.oracle("analytic").gradient(np.array([-0.5, 1.5]))
    np.testing.assert_allclose(g, [-1.0, 3.0])


def test_generated_source_is_inspectable():
    p = Problem(name="src", variables=(x, y), objective=(x * y + 1) ** 2 + sp.sin(x * y), x0=(1, 2))
    source = compile_model(p).gradient.source()
    assert "out[0]" in source and "out[1]" in source


# -- property: analytic gradient agrees with complex step on random expressions --------------------

_atoms = st.sampled_from([x, y, z, sp.Integer(2), sp.Rational(1, 3), sp.Float(0.7)])


def _combine(children):
    unary = st.sampled_from([sp.exp, sp.sin, sp.cos, lambda e: sp.log(1 + e**2), sp.atan, lambda e: e**2])
    return st.one_of(
        st.tuples(unary, children).map(lambda t: t[0](t[1])),
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
    )


expressions = st.recursive(_atoms, _combine, max_leaves=8)


@given(expressions, st.tuples(*[st.floats(-1.5, 1.5, allow_nan=False)] * 3))
def test_analytic_gradient_agrees_with_complex_step(expression, point):
    from workbench import finite_difference as fd

    p = Problem(name="random", variables=(x, y, z), objective=expression + x * 0, x0=(0.1, 0.2, 0.3))
    compiled = compile_model(p)
    point = np.array(point)
    exact = compiled.gradient(point)
    estimate = fd.complex_step_jacobian(compiled.objective_complex, point).value[0]
    if not (np.all(np.isfinite(exact)) and np.all(np.isfinite(estimate))):
        return  # overflow of exp(exp(...)): nothing to compare
    scale = max(1.0, float(np.max(np.abs(exact))))
    np.testing.assert_allclose(estimate, exact, rtol=1e-13, atol=1e-13 * scale)


def test_variables_named_like_cse_temporaries_do_not_clash():
    # symengine's CSE names its temporaries x0, x1, ...; a variable called x2 must survive it
    x1, x2, x3 = sp.symbols("x1:4", real=True)
    p = Problem(name="clash", variables=(x1, x2, x3), objective=(x1 - 1) * (x1 - 2) * (x1 - 3) + x3 * x2, x0=(0, 0, 3))
    g = p.oracle("analytic").gradient(np.array([0.05, 0.1, 3.2]))
    np.testing.assert_allclose(g, [(-2.95) * (-1.95) + (-0.95) * (-2.95) + (-0.95) * (-1.95), 3.2, 0.1])


def test_compile_expressions_is_safe_for_variables_named_like_cse_temporaries():
    import symengine as se

    from workbench.compile import compile_expressions

    x1, x2, x3 = se.symbols("x1 x2 x3")
    d = ((x1 - 1) * (x1 - 2) * (x1 - 3)).diff(x1)
    function = compile_expressions([x1, x2, x3], [d, se.Integer(0), se.Integer(1)], engine="symengine")
    assert function(np.array([0.0, 1.4, 1.4]))[0] == pytest.approx(11.0)


def test_hessian_of_a_non_smooth_objective_is_defined_away_from_kinks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = Problem(name="kinks", variables=(x, y), objective=sp.Abs(x - 1) ** sp.Rational(3, 2) + y**2, x0=(0, 0))
    h = p.oracle("analytic").hessian(np.array([2.0, 0.5]))
    np.testing.assert_allclose(h, [[0.75, 0.0], [0.0, 2.0]])


def test_special_functions_compile_through_the_sympy_engine():
    # gamma's derivative is polygamma, besselj's is besselj again: numpy has neither, scipy has both
    p = Problem(name="special", variables=(x, y), objective=sp.gamma(x) + sp.besselj(0, y) ** 2, x0=(1.5, 0.5))
    assert compile_model(p).derivatives.engine == "sympy"
    point = np.array([1.7, 0.4])
    oracle = p.oracle("analytic")
    exact = [float(sp.diff(p.objective, v).subs({x: 1.7, y: 0.4}).evalf(30)) for v in (x, y)]
    np.testing.assert_allclose(oracle.gradient(point), exact, rtol=1e-12)
    np.testing.assert_allclose(p.oracle("complex-step").gradient(point), exact, rtol=1e-12)
    assert oracle.hessian(point).shape == (2, 2)
