"""Problem declaration: normalisation, and every bad declaration raises its documented error."""

import pickle
import warnings

import numpy as np
import pytest
import sympy as sp

from workbench import InfeasibleStartWarning, NonSmoothWarning, Problem, ProblemDeclarationError

x, y, z = sp.symbols("x y z", real=True)


def make(**overrides):
    fields = dict(name="p", variables=(x, y), objective=x**2 + y**2, x0=(1.0, 2.0))
    fields.update(overrides)
    return Problem(**fields)


def test_hs071_declaration_as_in_the_issue():
    x1, x2, x3, x4 = sp.symbols("x1:5", real=True)
    p = Problem(
        name="hs071",
        variables=(x1, x2, x3, x4),
        objective=x1 * x4 * (x1 + x2 + x3) + x3,
        constraints=(x1 * x2 * x3 * x4 >= 25, sp.Eq(x1**2 + x2**2 + x3**2 + x4**2, 40)),
        bounds=[(1, 5)] * 4,
        x0=(1, 5, 5, 1),
        f_star=17.0140172891563,
        x_star=(1.0, 4.74299964, 3.82114998, 1.37940829),
    )
    assert p.n == 4 and p.m == 2
    assert p.constraints[0].kind == "inequality"
    assert sp.simplify(p.constraints[0].expression - (x1 * x2 * x3 * x4 - 25)) == 0
    assert p.constraints[1].kind == "equality"
    assert p.equality_indices == (1,) and p.inequality_indices == (0,)
    np.testing.assert_array_equal(p.lower, [1, 1, 1, 1])
    np.testing.assert_array_equal(p.x0, (1.0, 5.0, 5.0, 1.0))
    assert p.x0.dtype == np.float64 and not p.x0.flags.writeable  # a frozen value
    assert "constrained" in p.tags and "bounds" in p.tags


def test_less_equal_is_normalised_to_greater_equal_zero():
    p = make(constraints=(x + y <= 3,))
    assert sp.simplify(p.constraints[0].expression - (3 - x - y)) == 0


def test_single_bound_pair_stands_for_all_and_none_means_unbounded():
    p = make(bounds=(0, None))
    np.testing.assert_array_equal(p.lower, [0, 0])
    np.testing.assert_array_equal(p.upper, [np.inf, np.inf])
    q = make(bounds=[(None, 1), (-2, 3)])
    np.testing.assert_array_equal(q.lower, [-np.inf, -2])
    assert make(bounds=None).bounds is None


def test_problem_is_immutable_pickles_and_has_a_stable_fingerprint():
    p = make()
    with pytest.raises(AttributeError):
        p.x0 = (0, 0)
    q = pickle.loads(pickle.dumps(p))
    assert q == p and q.fingerprint() == p.fingerprint()
    assert make(x0=(1.0, 2.5)).fingerprint() != p.fingerprint()


@pytest.mark.parametrize(
    "overrides, words",
    [
        (dict(objective=x**2 + z), ["objective", "symbol z", "x, y"]),
        (dict(constraints=(x + z >= 0,)), ["constraints[0]", "symbol z"]),
        (dict(constraints=(x > 1,)), ["constraints[0]", "strict"]),
        (dict(constraints=(x < 1,)), ["strict"]),
        (dict(constraints=(sp.Ne(x, 1),)), ["!="]),
        (dict(constraints=(x + y,)), ["not a relational"]),
        (dict(x0=(1.0,)), ["x0", "1 entries", "2 variables"]),
        (dict(x0=(1.0, float("nan"))), ["x0[1]", "not finite"]),
        (dict(x_star=(1.0, 2.0, 3.0)), ["x_star", "3 entries"]),
        (dict(x_star=(1.0, float("inf"))), ["x_star[1]", "not finite"]),
        (dict(bounds=[(2, 1), (0, 1)]), ["bounds[0]", "lower 2 > upper 1"]),
        (dict(variables=(x, x)), ["variables[1]", "repeats"]),
        (dict(variables=()), ["variables is empty"]),
        (dict(variables=(x, x + y)), ["variables[1]", "not a sympy Symbol"]),
        (dict(objective=sp.Matrix([x, y])), ["objective", "scalar"]),
        (dict(objective=x >= y), ["objective", "relation"]),
        (dict(bounds=[(0, 1)] * 3), ["bounds has 3 pairs", "2 variables"]),
        (dict(name=""), ["name"]),
    ],
)
def test_bad_declarations_raise_errors_that_name_the_field(overrides, words):
    with pytest.raises(ProblemDeclarationError) as error:
        make(**overrides)
    for word in words:
        assert word in str(error.value)


def test_symbol_with_other_assumptions_is_explained():
    plain_x = sp.Symbol("x")
    with pytest.raises(ProblemDeclarationError, match="different assumptions"):
        make(objective=plain_x**2 + y)


def test_constraint_that_evaluates_to_a_boolean_is_rejected():
    with pytest.raises(ProblemDeclarationError, match="evaluated to True"):
        make(constraints=(sp.Integer(1) >= 0,))


def test_start_outside_bounds_warns_but_builds():
    with pytest.warns(InfeasibleStartWarning, match="x0\\[0\\]"):
        p = make(bounds=[(2, 3), (None, None)])
    np.testing.assert_array_equal(p.x0, (1.0, 2.0))


@pytest.mark.parametrize("function", [sp.Abs, sp.sign, sp.floor])
def test_non_smooth_objective_warns(function):
    with pytest.warns(NonSmoothWarning, match=function.__name__):
        p = make(objective=function(x) + y**2)
    assert not p.is_smooth


def test_max_in_constraint_warns():
    with pytest.warns(NonSmoothWarning, match="constraints\\[0\\]"):
        make(constraints=(sp.Max(x, y) <= 1,))


def test_smooth_problem_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make(constraints=(sp.exp(x) <= 3,), bounds=(-5, 5))


def test_tags_are_validated():
    with pytest.raises(ProblemDeclarationError, match="tag"):
        make(tags=("two words",))
    assert make(tags=("lecture",)).tags == ("lecture", "unconstrained")
