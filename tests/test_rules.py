"""First-order update rules: the interface contract, hand-computed steps, validation, convergence.

Hand-computed expected values are written out with their derivation; eps terms are kept in the
expected expressions where they change a digit that the tolerance could see.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workbench.methods import rules
from workbench.methods.rules import (
    RULES,
    AdadeltaState,
    AdagradState,
    AdamState,
    MomentumState,
    RmspropState,
    Rule,
    SgdState,
    adadelta,
    adagrad,
    adam,
    make_rule,
    momentum,
    nesterov,
    rmsprop,
    sgd,
)
from workbench.schedules import step as step_schedule

NAMES = list(RULES)


def read_only(values: object) -> np.ndarray:
    """A new float64 array that raises on any write."""
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


def freeze(state: tuple) -> tuple:
    """The same state with every array replaced by a read-only copy."""
    return type(state)(*(read_only(f) if isinstance(f, np.ndarray) else f for f in state))


def arrays(state: tuple) -> list[np.ndarray]:
    return [f for f in state if isinstance(f, np.ndarray)]


def assert_states_equal(a: tuple, b: tuple) -> None:
    assert type(a) is type(b)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y


def take_step(rule: Rule, gradient: object, state: tuple, learning_rate: float, k: int = 0) -> tuple:
    """The step -learning_rate * direction of update k (k = updates made before), and the new state."""
    direction, state = rule.update(gradient, state, k)
    return -learning_rate * direction, state


def run(rule: Rule, gradients: list[list[float]], learning_rates: float | list[float]) -> tuple[list, tuple]:
    """Apply ``rule`` to the given gradients (read-only inputs); return the steps and the last state."""
    if not isinstance(learning_rates, list):
        learning_rates = [learning_rates] * len(gradients)
    state = rule.init(read_only(np.zeros(len(gradients[0]))))
    steps = []
    for k, (g, lr) in enumerate(zip(gradients, learning_rates, strict=True)):
        step, state = take_step(rule, read_only(g), freeze(state), lr, k)
        steps.append(step)
    return steps, state


# ---------------------------------------------------------------------------------------------------
# the interface contract, for every rule


@pytest.mark.parametrize("name", NAMES)
def test_registry_names_and_rule_shape(name: str) -> None:
    rule = RULES[name]()
    assert isinstance(rule, Rule)
    assert rule.name == name
    assert make_rule(name).name == name
    assert make_rule(name).defaults == rule.defaults
    rule_name, init, update, defaults = rule
    assert callable(init) and callable(update)
    assert isinstance(defaults, dict)


@pytest.mark.parametrize("name", NAMES)
def test_init_gives_zero_statistics_of_x0_shape_without_keeping_x0(name: str) -> None:
    x0 = np.array([1.0, -2.0, 3.0])
    state = RULES[name]().init(read_only(x0))
    assert isinstance(state, tuple) and hasattr(state, "_fields")  # a NamedTuple
    for field, value in zip(state._fields, state, strict=True):
        assert isinstance(value, np.ndarray), field  # no counts: the caller passes the update count k
        assert value.shape == (3,), field
        assert value.dtype == np.float64, field
        np.testing.assert_array_equal(value, 0.0, err_msg=field)
        assert value.flags.writeable, field
    # no reference to x0: writing to x0 afterwards leaves the state alone
    x0_writable = x0.copy()
    state = RULES[name]().init(x0_writable)
    for value in arrays(state):
        assert not np.shares_memory(value, x0_writable)
    x0_writable[:] = 7.0
    for value in arrays(state):
        np.testing.assert_array_equal(value, 0.0)


@pytest.mark.parametrize("name", NAMES)
def test_init_accepts_other_shapes(name: str) -> None:
    rule = RULES[name]()
    for x0 in (np.zeros(1), np.zeros(5), np.zeros((2, 3))):
        state = rule.init(x0)
        assert all(a.shape == x0.shape for a in arrays(state))
        step, _ = take_step(rule, np.ones(x0.shape), state, 0.1)
        assert step.shape == x0.shape


@pytest.mark.parametrize("name", NAMES)
def test_update_keeps_shapes_mutates_nothing_and_returns_new_arrays(name: str) -> None:
    rule = RULES[name]()
    state = freeze(rule.init(np.zeros(3)))
    for k, g in enumerate(([1.0, -2.0, 0.5], [0.3, 0.0, -4.0], [-1.0, 1.0, 2.0])):
        gradient = read_only(g)
        before = freeze(state)  # a copy to compare with
        step, new_state = rule.update(gradient, state, k)  # the direction; would raise on a write to an input
        assert step.shape == (3,) and step.dtype == np.float64
        assert np.all(np.isfinite(step))
        np.testing.assert_array_equal(gradient, g)
        assert_states_equal(state, before)
        assert type(new_state) is type(state)
        outputs = [step, *arrays(new_state)]
        inputs = [gradient, *arrays(state)]
        for i, out in enumerate(outputs):
            assert out.flags.writeable
            for array in inputs:
                assert not np.shares_memory(out, array)
            for other in outputs[i + 1 :]:
                assert not np.shares_memory(out, other)
        for new, old in zip(arrays(new_state), arrays(state), strict=True):
            assert new.shape == old.shape and new.dtype == np.float64
        state = freeze(new_state)


@pytest.mark.parametrize("name", NAMES)
def test_update_is_pure(name: str) -> None:
    rule = RULES[name]()
    state = rule.init(np.zeros(2))
    step1, state1 = rule.update(np.array([1.0, -3.0]), state, 0)
    first, first_state = rule.update(np.array([0.5, 2.0]), state1, 1)
    again, again_state = rule.update(np.array([0.5, 2.0]), state1, 1)
    np.testing.assert_array_equal(first, again)
    assert_states_equal(first_state, again_state)


@pytest.mark.parametrize("name", NAMES)
def test_state_and_rule_pickle(name: str) -> None:
    rule = RULES[name]()
    _, state = rule.update(np.array([1.0, -2.0]), rule.init(np.zeros(2)), 0)
    assert_states_equal(pickle.loads(pickle.dumps(state)), state)
    copy = pickle.loads(pickle.dumps(rule))
    assert copy.name == rule.name and copy.defaults == rule.defaults
    gradient = np.array([0.5, 0.25])
    np.testing.assert_array_equal(copy.update(gradient, state, 1)[0], rule.update(gradient, state, 1)[0])


@pytest.mark.parametrize("name", [n for n in NAMES if n != "sgd"])
def test_gradient_of_the_wrong_shape_is_an_error(name: str) -> None:
    rule = RULES[name]()
    with pytest.raises(ValueError, match=r"gradient has shape \(2,\).*shape \(3,\)"):
        rule.update(np.ones(2), rule.init(np.zeros(3)), 0)


@pytest.mark.parametrize(
    ("name", "learning_rate", "hyperparameters"),
    [
        ("sgd", 1e-3, {}),
        ("momentum", 1e-3, {"momentum": 0.9}),
        ("nesterov", 1e-3, {"momentum": 0.9}),
        ("adagrad", 1e-2, {"eps": 1e-10, "initial_accumulator": 0.0}),
        ("rmsprop", 1e-2, {"alpha": 0.99, "eps": 1e-8}),
        ("adam", 1e-3, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
        ("adadelta", 1.0, {"rho": 0.9, "eps": 1e-6}),
    ],
)
def test_defaults_are_pytorch_defaults(name: str, learning_rate: float, hyperparameters: dict) -> None:
    assert RULES[name]().defaults == {**hyperparameters, "learning_rate": learning_rate}


def test_defaults_record_the_hyperparameters_used() -> None:
    assert adam(beta1=0.5).defaults == {"beta1": 0.5, "beta2": 0.999, "eps": 1e-8, "learning_rate": 1e-3}
    # every call returns its own dict (no shared mutable state)
    adam().defaults["beta1"] = 0.0
    assert adam().defaults["beta1"] == 0.9


@settings(derandomize=True, max_examples=50, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    gradient=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3)),
    learning_rate=st.floats(1e-4, 1.0),
)
def test_first_step_opposes_the_gradient_coordinatewise(name: str, gradient: np.ndarray, learning_rate: float) -> None:
    # From zero statistics every rule's first step is -c * g with c > 0 element-wise.
    rule = RULES[name]()
    step, _ = take_step(rule, gradient, rule.init(np.zeros_like(gradient)), learning_rate)
    assert np.all(np.isfinite(step))
    assert np.all(step * gradient <= 0)
    assert np.all((step == 0) == (gradient == 0))


# ---------------------------------------------------------------------------------------------------
# hand-computed steps


def test_sgd_step() -> None:
    # step = -gamma g = -0.1 * [1, -2]
    (step,), state = run(sgd(), [[1.0, -2.0]], 0.1)
    np.testing.assert_allclose(step, [-0.1, 0.2], rtol=1e-15)
    assert state == SgdState()


def test_momentum_two_steps() -> None:
    # mu = 0.9, gamma = 0.1
    # t=1: g = [1, -2]:   b = 0.9 * 0 + g = [1, -2];                  step = -0.1 b = [-0.1, 0.2]
    # t=2: g = [0.5, 1]:  b = 0.9 * [1, -2] + [0.5, 1] = [1.4, -0.8]; step = [-0.14, 0.08]
    (step1, step2), state = run(momentum(), [[1.0, -2.0], [0.5, 1.0]], 0.1)
    np.testing.assert_allclose(step1, [-0.1, 0.2], rtol=1e-15)
    np.testing.assert_allclose(step2, [-0.14, 0.08], rtol=1e-14)
    np.testing.assert_allclose(state.buffer, [1.4, -0.8], rtol=1e-15)
    assert isinstance(state, MomentumState)


def test_nesterov_two_steps() -> None:
    # mu = 0.9, gamma = 0.1
    # t=1: g = [1, -2]:  b = [1, -2];     step = -0.1 (g + 0.9 b) = -0.1 [1.9, -3.8] = [-0.19, 0.38]
    # t=2: g = [0.5, 1]: b = [1.4, -0.8]; step = -0.1 ([0.5, 1] + [1.26, -0.72]) = -0.1 [1.76, 0.28]
    (step1, step2), state = run(nesterov(), [[1.0, -2.0], [0.5, 1.0]], 0.1)
    np.testing.assert_allclose(step1, [-0.19, 0.38], rtol=1e-14)
    np.testing.assert_allclose(step2, [-0.176, -0.028], rtol=1e-13)
    np.testing.assert_allclose(state.buffer, [1.4, -0.8], rtol=1e-15)


def test_momentum_learning_rate_multiplies_the_whole_buffer() -> None:
    # PyTorch/optax convention under a schedule, mu = 0.9:
    # t=1: gamma = 1,   g = 1: b = 1,   step = -1
    # t=2: gamma = 0.5, g = 0: b = 0.9, step = -0.5 * 0.9 = -0.45
    # (the lecture form v = mu v - gamma g would give v = 0.9 * (-1) - 0.5 * 0 = -0.9 instead)
    (step1, step2), _ = run(momentum(), [[1.0], [0.0]], [1.0, 0.5])
    np.testing.assert_allclose(step1, [-1.0], rtol=1e-15)
    np.testing.assert_allclose(step2, [-0.45], rtol=1e-15)
    # Nesterov: t=2 step = -0.5 (0 + 0.9 * 0.9) = -0.405
    (_, step2), _ = run(nesterov(), [[1.0], [0.0]], [1.0, 0.5])
    np.testing.assert_allclose(step2, [-0.405], rtol=1e-15)


def test_momentum_zero_is_sgd() -> None:
    # mu = 0: b = g, so step 2 = -0.1 [0.5, 1]
    (_, step2), _ = run(momentum(momentum=0.0), [[1.0, -2.0], [0.5, 1.0]], 0.1)
    np.testing.assert_allclose(step2, [-0.05, -0.1], rtol=1e-15)


def test_adagrad_two_steps() -> None:
    # gamma = 0.1, G_0 = 0, eps = 1e-10 outside the sqrt
    # t=1: g = [3, -4]: G = [9, 16];  step = -0.1 [3 / (3 + eps), -4 / (4 + eps)] ~ [-0.1, 0.1]
    # t=2: g = [4, 3]:  G = [25, 25]; step = -0.1 [4 / 5, 3 / 5] = [-0.08, -0.06]
    (step1, step2), state = run(adagrad(), [[3.0, -4.0], [4.0, 3.0]], 0.1)
    np.testing.assert_allclose(step1, [-0.1, 0.1], rtol=1e-9)
    np.testing.assert_allclose(step2, [-0.08, -0.06], rtol=1e-9)
    np.testing.assert_array_equal(state.sum_of_squares, [25.0, 25.0])
    assert isinstance(state, AdagradState)


def test_adagrad_eps_is_outside_the_sqrt() -> None:
    # eps = 1, g = 3: G = 9, step = -0.1 * 3 / (sqrt(9) + 1) = -0.075
    # (optax's eps inside the sqrt would give -0.1 * 3 / sqrt(10) = -0.0949)
    (step,), _ = run(adagrad(eps=1.0), [[3.0]], 0.1)
    np.testing.assert_allclose(step, [-0.075], rtol=1e-15)


def test_adagrad_initial_accumulator() -> None:
    # G_0 = 7, g = 3: G = 16, step = -0.1 * 3 / (4 + 1e-10) ~ -0.075
    rule = adagrad(initial_accumulator=7.0)
    state = rule.init(np.zeros(1))
    np.testing.assert_array_equal(state.sum_of_squares, [7.0])
    step, state = take_step(rule, np.array([3.0]), state, 0.1)
    np.testing.assert_allclose(step, [-0.075], rtol=1e-9)
    np.testing.assert_array_equal(state.sum_of_squares, [16.0])


def test_rmsprop_step() -> None:
    # alpha = 0.99, eps = 1e-8, gamma = 0.01, g = [2, -0.5]
    # v = 0.01 g^2 = [0.04, 0.0025]; sqrt(v) = [0.2, 0.05]
    # step = -0.01 g / (sqrt(v) + eps) = -0.01 [10, -10] (no bias correction: 10 sign(g))
    (step,), state = run(rmsprop(), [[2.0, -0.5]], 0.01)
    np.testing.assert_allclose(step, [-0.01 * 2 / (0.2 + 1e-8), 0.01 * 0.5 / (0.05 + 1e-8)], rtol=1e-14)
    np.testing.assert_allclose(step, [-0.1, 0.1], rtol=1e-6)
    np.testing.assert_allclose(state.square_average, [0.04, 0.0025], rtol=1e-14)
    assert isinstance(state, RmspropState)


def test_rmsprop_eps_is_outside_the_sqrt() -> None:
    # alpha = 0.75, eps = 1, g = 2: v = 0.25 * 4 = 1; step = -0.1 * 2 / (1 + 1) = -0.1
    # (optax's eps inside the sqrt would give -0.1 * 2 / sqrt(2) = -0.1414)
    (step,), _ = run(rmsprop(alpha=0.75, eps=1.0), [[2.0]], 0.1)
    np.testing.assert_allclose(step, [-0.1], rtol=1e-15)


def test_adam_two_steps() -> None:
    # beta1 = 0.9, beta2 = 0.999, eps = 1e-8, gamma = 0.1
    # t=1: g = [2, -0.5]
    #   m = 0.1 g = [0.2, -0.05];  v = 0.001 g^2 = [0.004, 0.00025]
    #   m_hat = m / 0.1 = [2, -0.5];  v_hat = v / 0.001 = [4, 0.25]
    #   step = -0.1 [2 / (2 + eps), -0.5 / (0.5 + eps)] ~ -0.1 sign(g)
    #   (without bias correction it would be -0.1 * 0.2 / sqrt(0.004) = -0.316)
    # t=2: g = [-2, 0.5]
    #   m = 0.9 [0.2, -0.05] + 0.1 [-2, 0.5] = [-0.02, 0.005];  m_hat = m / (1 - 0.81) = [-2/19, 1/38]
    #   v = 0.999 [0.004, 0.00025] + 0.001 [4, 0.25] = [0.007996, 0.00049975]
    #   v_hat = v / (1 - 0.998001) = v / 0.001999 = [4, 0.25];  sqrt = [2, 0.5]
    #   step = -0.1 [(-2/19) / 2, (1/38) / 0.5] = [1/190, -1/190] (up to eps)
    (step1, step2), state = run(adam(), [[2.0, -0.5], [-2.0, 0.5]], 0.1)
    np.testing.assert_allclose(step1, [-0.1 * 2 / (2 + 1e-8), 0.1 * 0.5 / (0.5 + 1e-8)], rtol=1e-12)
    np.testing.assert_allclose(step2, [1 / 190, -1 / 190], rtol=1e-7)
    assert isinstance(state, AdamState)
    np.testing.assert_allclose(state.first_moment, [-0.02, 0.005], rtol=1e-12)
    np.testing.assert_allclose(state.second_moment, [0.007996, 0.00049975], rtol=1e-12)


def test_adam_bias_correction_with_other_betas() -> None:
    # beta1 = 0.5, beta2 = 0.75, g = 4: m = 2, v = 4; m_hat = 2 / 0.5 = 4, v_hat = 4 / 0.25 = 16
    # step = -0.1 * 4 / (4 + 1e-8) ~ -0.1
    (step,), state = run(adam(beta1=0.5, beta2=0.75), [[4.0]], 0.1)
    np.testing.assert_allclose(step, [-0.1 * 4 / (4 + 1e-8)], rtol=1e-14)
    assert isinstance(state, AdamState)


def test_adadelta_first_step_with_defaults() -> None:
    # rho = 0.9, eps = 1e-6, gamma = 1, g = [1, -3]
    # E[g^2] = 0.1 g^2 = [0.1, 0.9]
    # Delta = sqrt(0 + 1e-6) / sqrt(E[g^2] + 1e-6) g = [1e-3 / sqrt(0.100001), -3e-3 / sqrt(0.900001)]
    #       ~ [0.003162261849, -0.003162275903]    (= sqrt(eps / (1 - rho)) sign(g), up to eps)
    # E[Delta^2] = 0.1 Delta^2 ~ [1e-6 / 1.00001, 1e-6 / 1.0000011]
    (step,), state = run(adadelta(), [[1.0, -3.0]], 1.0)
    np.testing.assert_allclose(step, [-1e-3 / math.sqrt(0.100001), 3e-3 / math.sqrt(0.900001)], rtol=1e-13)
    np.testing.assert_allclose(step, [-0.003162261849, 0.003162275903], rtol=1e-9)
    np.testing.assert_allclose(state.square_average, [0.1, 0.9], rtol=1e-14)
    np.testing.assert_allclose(state.delta_average, [1e-6 / 1.00001, 1e-6 / (0.900001 / 0.9)], rtol=1e-13)
    assert isinstance(state, AdadeltaState)


def test_adadelta_two_steps() -> None:
    # rho = 0.75, eps = 1/3, gamma = 1, g = [2, -2] twice
    # t=1: E[g^2] = 0.25 * 4 = 1; Delta = sqrt(0 + 1/3) / sqrt(1 + 1/3) g = g / 2 = [1, -1]
    #      E[Delta^2] = 0.25 * 1 = 0.25;  step = [-1, 1]
    # t=2: E[g^2] = 0.75 + 0.25 * 4 = 1.75
    #      Delta = sqrt(0.25 + 1/3) / sqrt(1.75 + 1/3) g = sqrt((7/12) / (25/12)) g = (sqrt(7) / 5) g
    #            = [2 sqrt(7) / 5, -2 sqrt(7) / 5] ~ [1.0583005244, -1.0583005244]
    #      E[Delta^2] = 0.75 * 0.25 + 0.25 * 28/25 = 0.1875 + 0.28 = 0.4675
    rule = adadelta(rho=0.75, eps=1 / 3)
    (step1, step2), state = run(rule, [[2.0, -2.0], [2.0, -2.0]], 1.0)
    np.testing.assert_allclose(step1, [-1.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(step2, [-1.0583005244, 1.0583005244], rtol=1e-10)
    np.testing.assert_allclose(state.square_average, [1.75, 1.75], rtol=1e-15)
    np.testing.assert_allclose(state.delta_average, [0.4675, 0.4675], rtol=1e-14)
    # gamma scales the step only; the statistics accumulate the unscaled Delta
    (half1, half2), half_state = run(rule, [[2.0, -2.0], [2.0, -2.0]], 0.5)
    np.testing.assert_allclose(half1, [-0.5, 0.5], rtol=1e-15)
    np.testing.assert_allclose(half2, [-0.5291502622, 0.5291502622], rtol=1e-10)
    assert_states_equal(half_state, state)


# ---------------------------------------------------------------------------------------------------
# make_rule and validation


def test_make_rule_builds_with_hyperparameters() -> None:
    assert make_rule("adam", beta1=0.5).defaults["beta1"] == 0.5
    assert make_rule("sgd").name == "sgd"
    assert make_rule("nesterov", momentum=0.5).defaults == {"momentum": 0.5, "learning_rate": 1e-3}


def test_unknown_rule_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="sgd, momentum, nesterov, adagrad, rmsprop, adam, adadelta") as info:
        make_rule("adamw")
    assert "did you mean 'adam'" in str(info.value)


def test_unknown_hyperparameter_names_the_accepted_ones() -> None:
    with pytest.raises(TypeError, match=r"'betas'.*it takes beta1, beta2, eps"):
        make_rule("adam", betas=(0.9, 0.999))
    with pytest.raises(TypeError, match=r"'momentum'.*it takes no hyper-parameters"):
        make_rule("sgd", momentum=0.9)
    with pytest.raises(TypeError, match=r"'learning_rate'.*scales every direction"):
        make_rule("adadelta", learning_rate=1.0)


@pytest.mark.parametrize(
    ("name", "hyperparameters", "error", "match"),
    [
        ("momentum", {"momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
        ("momentum", {"momentum": -0.1}, ValueError, r"momentum must be in \[0, 1\)"),
        ("nesterov", {"momentum": 1.5}, ValueError, r"momentum must be in \[0, 1\)"),
        ("momentum", {"momentum": True}, TypeError, "momentum must be a real number"),
        ("adagrad", {"eps": 0.0}, ValueError, "eps must be > 0"),
        ("adagrad", {"initial_accumulator": -0.1}, ValueError, "initial_accumulator must be >= 0"),
        ("adagrad", {"eps": math.nan}, ValueError, "eps must be finite"),
        ("rmsprop", {"alpha": 1.0}, ValueError, r"alpha must be in \[0, 1\)"),
        ("rmsprop", {"eps": -1e-8}, ValueError, "eps must be > 0"),
        ("adam", {"beta1": 1.0}, ValueError, r"beta1 must be in \[0, 1\)"),
        ("adam", {"beta2": -0.5}, ValueError, r"beta2 must be in \[0, 1\)"),
        ("adam", {"eps": "1e-8"}, TypeError, "eps must be a real number"),
        ("adadelta", {"rho": 1.0}, ValueError, r"rho must be in \[0, 1\)"),
        ("adadelta", {"eps": math.inf}, ValueError, "eps must be finite"),
    ],
)
def test_hyperparameter_ranges(name: str, hyperparameters: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=f"{name}: {match}"):
        make_rule(name, **hyperparameters)


def test_factories_validate_too() -> None:
    with pytest.raises(ValueError, match="beta2"):
        adam(beta2=1.0)


def test_module_exports() -> None:
    for name in rules.__all__:
        assert hasattr(rules, name)


# ---------------------------------------------------------------------------------------------------
# convergence sanity: f = (x^2 + 10 y^2) / 2 from (1, 1), 500 steps

CONVERGENCE_LEARNING_RATES = {
    "sgd": 0.1,  # stable for gamma < 2 / L = 0.2
    "momentum": 0.02,
    "nesterov": 0.02,
    "adagrad": 0.5,
    "rmsprop": 0.01,
    "adam": 0.05,
    "adadelta": 1.0,  # the learning-rate-free default; slow start (first steps ~ 3e-3)
}


def quadratic(x: np.ndarray) -> float:
    return 0.5 * (x[0] ** 2 + 10 * x[1] ** 2)


def quadratic_gradient(x: np.ndarray) -> np.ndarray:
    return np.array([x[0], 10 * x[1]])


def test_convergence_table_covers_every_rule() -> None:
    assert set(CONVERGENCE_LEARNING_RATES) == set(RULES)


@pytest.mark.parametrize("name", NAMES)
def test_each_rule_reduces_a_quadratic(name: str) -> None:
    rule = RULES[name]()
    x = np.array([1.0, 1.0])
    f0 = quadratic(x)  # 5.5
    state = rule.init(x)
    for k in range(500):
        step, state = take_step(rule, quadratic_gradient(x), state, CONVERGENCE_LEARNING_RATES[name], k)
        x = x + step
    assert np.all(np.isfinite(x))
    assert quadratic(x) < 1e-3 * f0


def test_rules_work_with_a_schedule() -> None:
    schedule = step_schedule(0.1, factor=0.5, every=100)
    rule = momentum()
    x = np.array([1.0, 1.0])
    state = rule.init(x)
    for k in range(500):
        step, state = take_step(rule, quadratic_gradient(x), state, schedule(k), k)
        x = x + step
    assert quadratic(x) < 1e-6


# ---------------------------------------------------------------------------------------------------
# optional cross-checks against PyTorch and optax (skipped when they are not installed)

GRADIENT_STEPS = 25


def reference_trajectory(name: str, learning_rates: list[float]) -> np.ndarray:
    """Iterates of our rule on the quadratic from (1, 1)."""
    rule = RULES[name]()
    x = np.array([1.0, 1.0])
    state = rule.init(x)
    path = []
    for k, lr in enumerate(learning_rates):
        step, state = take_step(rule, quadratic_gradient(x), state, lr, k)
        x = x + step
        path.append(x)
    return np.array(path)


def cross_check_learning_rates(name: str) -> list[float]:
    """A decaying schedule, so that the momentum convention under a schedule is checked too."""
    base = CONVERGENCE_LEARNING_RATES[name]
    return [base / (1 + 0.1 * k) for k in range(GRADIENT_STEPS)]


@pytest.mark.parametrize("name", NAMES)
def test_matches_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    factories: dict[str, Callable] = {
        "sgd": lambda p: torch.optim.SGD(p, lr=1.0),
        "momentum": lambda p: torch.optim.SGD(p, lr=1.0, momentum=0.9),
        "nesterov": lambda p: torch.optim.SGD(p, lr=1.0, momentum=0.9, nesterov=True),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=1.0),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=1.0),
        "adam": lambda p: torch.optim.Adam(p, lr=1.0),
        "adadelta": lambda p: torch.optim.Adadelta(p, lr=1.0),
    }
    learning_rates = cross_check_learning_rates(name)
    parameter = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    optimizer = factories[name]([parameter])
    path = []
    for lr in learning_rates:
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        parameter.grad = torch.from_numpy(quadratic_gradient(parameter.detach().numpy()))
        optimizer.step()
        path.append(parameter.detach().numpy().copy())
    np.testing.assert_allclose(reference_trajectory(name, learning_rates), np.array(path), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_matches_optax_with_pytorch_settings(name: str) -> None:
    optax = pytest.importorskip("optax")
    learning_rates = cross_check_learning_rates(name)

    def schedule(count: object) -> object:
        base = CONVERGENCE_LEARNING_RATES[name]
        return base / (1 + 0.1 * count)

    transformations = {
        "sgd": lambda: optax.sgd(schedule),
        "momentum": lambda: optax.sgd(schedule, momentum=0.9),
        "nesterov": lambda: optax.sgd(schedule, momentum=0.9, nesterov=True),
        # optax keeps eps inside the sqrt; with eps = 1e-10 the difference is far below float32
        "adagrad": lambda: optax.adagrad(schedule, initial_accumulator_value=0.0, eps=1e-10),
        "rmsprop": lambda: optax.rmsprop(schedule, decay=0.99, eps=1e-8, eps_in_sqrt=False),
        "adam": lambda: optax.adam(schedule),
        "adadelta": lambda: optax.adadelta(schedule, rho=0.9, eps=1e-6),
    }
    transformation = transformations[name]()
    x = np.array([1.0, 1.0])
    state = transformation.init(x)
    path = []
    for _ in learning_rates:
        updates, state = transformation.update(quadratic_gradient(x), state, x)
        x = x + np.asarray(updates, dtype=np.float64)
        path.append(x)
    # optax computes in float32 unless jax_enable_x64 is set
    np.testing.assert_allclose(reference_trajectory(name, learning_rates), np.array(path), rtol=1e-4, atol=1e-5)
