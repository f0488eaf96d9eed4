"""Learning-rate schedules: hand-computed values, validation, purity and monotonicity."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import schedules
from workbench.schedules import SCHEDULES, constant, exponential, inverse_time, make_schedule, step

# ---------------------------------------------------------------------------------------------------
# hand-computed values


def test_constant_values() -> None:
    schedule = constant(0.3)
    assert [schedule(k) for k in (0, 1, 10, 10_000)] == [0.3, 0.3, 0.3, 0.3]


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (0, 0.1),  # floor(0/10) = 0 -> 0.1
        (9, 0.1),  # floor(9/10) = 0: the tenth update still uses 0.1
        (10, 0.05),  # floor(10/10) = 1 -> 0.1 * 0.5
        (25, 0.025),  # floor(25/10) = 2 -> 0.1 * 0.25
        (39, 0.0125),  # floor(39/10) = 3 -> 0.1 * 0.125
    ],
)
def test_step_values(k: int, expected: float) -> None:
    assert step(0.1, factor=0.5, every=10)(k) == pytest.approx(expected, rel=1e-15)


def test_step_defaults_halve_every_100() -> None:
    schedule = step(1.0)
    assert (schedule(99), schedule(100), schedule(250)) == (1.0, 0.5, 0.25)


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (0, 0.2),  # exp(0) = 1
        (1, 0.2 * 0.9048374180359595),  # exp(-0.1) = 0.904837418...
        (10, 0.2 * 0.36787944117144233),  # exp(-1) = 0.367879441...
        (23, 0.2 * 0.10025884372280375),  # exp(-2.3) = 0.100258843...
    ],
)
def test_exponential_values(k: int, expected: float) -> None:
    assert exponential(0.2, rate=0.1)(k) == pytest.approx(expected, rel=1e-14)


def test_exponential_default_rate() -> None:
    # rate 0.01: k = 100 -> 0.5 * exp(-1) = 0.18393972058572117
    assert exponential(0.5)(100) == pytest.approx(0.18393972058572117, rel=1e-14)


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (0, 0.6),  # 0.6 / 1
        (1, 0.4),  # 0.6 / 1.5
        (4, 0.2),  # 0.6 / 3
        (10, 0.1),  # 0.6 / 6
    ],
)
def test_inverse_time_values(k: int, expected: float) -> None:
    assert inverse_time(0.6, rate=0.5)(k) == pytest.approx(expected, rel=1e-15)


def test_inverse_time_default_rate() -> None:
    # rate 0.01: k = 100 -> 1 / (1 + 1) = 0.5
    assert inverse_time(1.0)(100) == pytest.approx(0.5, rel=1e-15)


def test_rate_zero_is_constant() -> None:
    for schedule in (exponential(0.1, rate=0.0), inverse_time(0.1, rate=0.0), step(0.1, factor=1.0)):
        assert schedule(0) == schedule(1000) == 0.1


def test_values_are_python_floats() -> None:
    for name in SCHEDULES:
        assert type(make_schedule(name, 0.1)(3)) is float


# ---------------------------------------------------------------------------------------------------
# make_schedule and validation


def test_make_schedule_builds_each_schedule() -> None:
    assert make_schedule("constant", 0.1) == constant(0.1)
    assert make_schedule("step", 0.1, factor=0.2, every=5) == step(0.1, factor=0.2, every=5)
    assert make_schedule("exponential", 0.1, rate=0.3) == exponential(0.1, rate=0.3)
    assert make_schedule("inverse-time", 0.1, rate=0.3) == inverse_time(0.1, rate=0.3)


def test_schedules_table_names_match() -> None:
    assert list(SCHEDULES) == ["constant", "step", "exponential", "inverse-time"]
    for name in SCHEDULES:
        assert make_schedule(name, 0.1).name == name


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="constant, step, exponential, inverse-time") as info:
        make_schedule("inverse_time", 0.1)
    assert "did you mean 'inverse-time'" in str(info.value)


def test_unknown_parameter_names_the_accepted_ones() -> None:
    with pytest.raises(TypeError, match=r"'gamma'.*it takes factor, every"):
        make_schedule("step", 0.1, gamma=0.5)
    with pytest.raises(TypeError, match=r"'rate'.*it takes no parameters"):
        make_schedule("constant", 0.1, rate=0.5)
    with pytest.raises(TypeError, match=r"'decay'.*it takes rate"):
        make_schedule("exponential", 0.1, decay=0.5)


@pytest.mark.parametrize("name", list(SCHEDULES))
@pytest.mark.parametrize("learning_rate", [0.0, -0.1, math.inf, math.nan])
def test_learning_rate_must_be_finite_and_positive(name: str, learning_rate: float) -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        make_schedule(name, learning_rate)


@pytest.mark.parametrize(
    ("name", "parameters", "error", "match"),
    [
        ("step", {"factor": 0.0}, ValueError, r"factor must be in \(0, 1\]"),
        ("step", {"factor": 1.5}, ValueError, r"factor must be in \(0, 1\]"),
        ("step", {"factor": -0.5}, ValueError, "factor"),
        ("step", {"factor": math.nan}, ValueError, "factor must be finite"),
        ("step", {"factor": "0.5"}, TypeError, "factor must be a real number"),
        ("step", {"every": 0}, ValueError, "every must be >= 1"),
        ("step", {"every": 2.5}, TypeError, "every must be an int"),
        ("step", {"every": 10.0}, TypeError, "every must be an int"),
        ("step", {"every": True}, TypeError, "every must be an int"),
        ("exponential", {"rate": -0.1}, ValueError, "rate must be >= 0"),
        ("exponential", {"rate": math.inf}, ValueError, "rate must be finite"),
        ("inverse-time", {"rate": -1.0}, ValueError, "rate must be >= 0"),
    ],
)
def test_parameter_ranges(name: str, parameters: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make_schedule(name, 0.1, **parameters)


def test_constructors_validate_too() -> None:
    with pytest.raises(ValueError, match="factor"):
        step(0.1, factor=2.0)
    with pytest.raises(ValueError, match="learning_rate"):
        constant(-1.0)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_negative_or_non_integer_k_is_rejected(name: str) -> None:
    schedule = make_schedule(name, 0.1)
    with pytest.raises(ValueError, match="k must be >= 0"):
        schedule(-1)
    with pytest.raises(TypeError, match="update count"):
        schedule(1.5)


# ---------------------------------------------------------------------------------------------------
# purity, identity, pickling


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_are_pure(name: str) -> None:
    schedule = make_schedule(name, 0.1)
    forward = [schedule(k) for k in range(0, 400, 7)]
    backward = [schedule(k) for k in reversed(range(0, 400, 7))]
    assert forward == backward[::-1]
    assert forward == [schedule(k) for k in range(0, 400, 7)]


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_are_frozen_comparable_and_pickle(name: str) -> None:
    schedule = make_schedule(name, 0.1)
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert hash(schedule) == hash(make_schedule(name, 0.1))
    with pytest.raises(AttributeError):
        schedule.learning_rate = 1.0  # type: ignore[misc]


def test_repr_and_formula() -> None:
    assert repr(step(0.1, factor=0.5, every=10)) == "StepSchedule(learning_rate=0.1, factor=0.5, every=10)"
    assert str(step(0.1, factor=0.5, every=10)) == "0.1 * 0.5^floor(k / 10)"
    assert str(exponential(0.1, rate=0.01)) == "0.1 * exp(-0.01 k)"
    assert str(inverse_time(0.1, rate=0.01)) == "0.1 / (1 + 0.01 k)"
    assert str(constant(0.1)) == "0.1"


def test_numpy_parameters_are_normalised() -> None:
    schedule = step(np.float64(0.1), factor=np.float64(0.5), every=np.int64(10))
    assert schedule == step(0.1, factor=0.5, every=10)
    assert type(schedule.every) is int
    assert schedule(np.int64(10)) == 0.05


def test_module_exports() -> None:
    for name in schedules.__all__:
        assert hasattr(schedules, name)


# ---------------------------------------------------------------------------------------------------
# properties: positive and non-increasing for valid parameters
# (ranges keep the values above the float64 underflow threshold: lr >= 1e-3, factor >= 0.1 and
# k <= 300 give at least 1e-303; rate <= 1 and k <= 300 give at least 1e-3 * exp(-300))

learning_rates = st.floats(min_value=1e-3, max_value=1e3)
rates = st.floats(min_value=0.0, max_value=1.0)
counts = st.integers(min_value=0, max_value=299)

valid_schedules = st.one_of(
    st.builds(constant, learning_rates),
    st.builds(
        step,
        learning_rates,
        factor=st.floats(min_value=0.1, max_value=1.0),
        every=st.integers(min_value=1, max_value=50),
    ),
    st.builds(exponential, learning_rates, rate=rates),
    st.builds(inverse_time, learning_rates, rate=rates),
)


@settings(derandomize=True, max_examples=50, deadline=None)
@given(schedule=valid_schedules, k=counts)
def test_schedules_are_positive_and_non_increasing(schedule: schedules.Schedule, k: int) -> None:
    assert schedule(k) > 0
    assert schedule(k + 1) <= schedule(k)
    assert schedule(0) == schedule.learning_rate  # type: ignore[attr-defined]


@settings(derandomize=True, max_examples=50, deadline=None)
@given(schedule=valid_schedules)
def test_schedules_are_non_increasing_over_a_run(schedule: schedules.Schedule) -> None:
    values = [schedule(k) for k in range(300)]
    assert all(v > 0 for v in values)
    assert all(later <= earlier for earlier, later in zip(values, values[1:], strict=False))
