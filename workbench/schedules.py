"""Learning-rate schedules: pure functions ``k -> learning rate``.

A schedule is a ``Callable[[int], float]``. Its argument ``k`` is the 0-based number of updates made
so far, and its value is the learning rate of update ``k + 1``: the first update uses ``schedule(0)``
(the optax convention; PyTorch's ``lr_scheduler`` objects change the rate when
``scheduler.step()`` is called, usually once per epoch, not per update).

=================  ==================================  ==============================================
name               gamma_k                             PyTorch / optax
=================  ==================================  ==============================================
``constant``       gamma_0                             a float ``lr`` / a float ``learning_rate``
``step``           gamma_0 * factor^floor(k / every)   ``StepLR(step_size=every, gamma=factor)`` /
                                                       ``exponential_decay(gamma_0, every, factor,
                                                       staircase=True)``
``exponential``    gamma_0 * exp(-rate * k)            ``ExponentialLR(gamma=exp(-rate))`` /
                                                       ``exponential_decay(gamma_0, 1, exp(-rate))``
``inverse-time``   gamma_0 / (1 + rate * k)            ``LambdaLR(lambda k: 1 / (1 + rate * k))`` /
                                                       none built in (a closure)
=================  ==================================  ==============================================

Every schedule is a small frozen dataclass with ``__call__``: it holds no state (calling it twice
with the same ``k`` gives the same value), it compares by value, pickles, and its ``repr`` names its
parameters. ``str(schedule)`` writes the formula with the numbers filled in, for reports.
:func:`make_schedule` builds one from a name and keyword parameters and rejects misspelled ones.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
from collections.abc import Callable
from typing import ClassVar

from workbench import validation

__all__ = [
    "SCHEDULES",
    "ConstantSchedule",
    "ExponentialSchedule",
    "InverseTimeSchedule",
    "PerEpochSchedule",
    "Schedule",
    "StepSchedule",
    "constant",
    "exponential",
    "inverse_time",
    "make_schedule",
    "per_epoch",
    "step",
]

#: ``k`` (0-based count of updates made so far) -> learning rate of the next update.
Schedule = Callable[[int], float]


def _learning_rate(value: object) -> float:
    result = validation.real("learning_rate", value)
    if result <= 0:
        raise ValueError(f"learning_rate must be > 0, got {value!r}")
    return result


def _rate(value: object) -> float:
    result = validation.real("rate", value)
    if result < 0:
        raise ValueError(f"rate must be >= 0 (0 gives a constant schedule), got {value!r}")
    return result


def _index(k: int) -> int:
    """The update count ``k`` as a non-negative int."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"a schedule takes the 0-based update count k as an int, got {k!r}")
    if k < 0:
        raise ValueError(f"the update count k must be >= 0, got {k}")
    return int(k)


@dataclasses.dataclass(frozen=True)
class ConstantSchedule:
    """gamma_k = gamma_0 for every k.

    PyTorch: a float ``lr`` and no scheduler; optax: a float ``learning_rate``.
    """

    learning_rate: float
    name: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rate", _learning_rate(self.learning_rate))

    def __call__(self, k: int) -> float:
        _index(k)
        return self.learning_rate

    def __str__(self) -> str:
        return f"{self.learning_rate:g}"


@dataclasses.dataclass(frozen=True)
class StepSchedule:
    """gamma_k = gamma_0 * factor^floor(k / every): multiply by ``factor`` every ``every`` updates.

    PyTorch: ``StepLR(optimizer, step_size=every, gamma=factor)`` (default gamma 0.1, applied per
    ``scheduler.step()``); optax: ``exponential_decay(gamma_0, transition_steps=every,
    decay_rate=factor, staircase=True)``.
    """

    learning_rate: float
    factor: float = 0.5
    every: int = 100
    name: ClassVar[str] = "step"

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rate", _learning_rate(self.learning_rate))
        factor = validation.real("factor", self.factor)
        if not 0 < factor <= 1:
            raise ValueError(f"factor must be in (0, 1] (1 gives a constant schedule), got {self.factor!r}")
        object.__setattr__(self, "factor", factor)
        every = self.every
        if isinstance(every, bool) or not isinstance(every, numbers.Integral):
            raise TypeError(f"every must be an int (a number of updates), got {every!r}")
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        object.__setattr__(self, "every", int(every))

    def __call__(self, k: int) -> float:
        return self.learning_rate * self.factor ** (_index(k) // self.every)

    def __str__(self) -> str:
        return f"{self.learning_rate:g} * {self.factor:g}^floor(k / {self.every})"


@dataclasses.dataclass(frozen=True)
class ExponentialSchedule:
    """gamma_k = gamma_0 * exp(-rate * k).

    PyTorch: ``ExponentialLR(optimizer, gamma=exp(-rate))`` (applied per ``scheduler.step()``);
    optax: ``exponential_decay(gamma_0, transition_steps=1, decay_rate=exp(-rate))``.
    """

    learning_rate: float
    rate: float = 0.01
    name: ClassVar[str] = "exponential"

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rate", _learning_rate(self.learning_rate))
        object.__setattr__(self, "rate", _rate(self.rate))

    def __call__(self, k: int) -> float:
        return self.learning_rate * math.exp(-self.rate * _index(k))

    def __str__(self) -> str:
        return f"{self.learning_rate:g} * exp(-{self.rate:g} k)"


@dataclasses.dataclass(frozen=True)
class InverseTimeSchedule:
    """gamma_k = gamma_0 / (1 + rate * k).

    PyTorch: ``LambdaLR(optimizer, lambda k: 1 / (1 + rate * k))``; optax 0.2.8 has no built-in
    1/t schedule (a closure ``lambda k: gamma_0 / (1 + rate * k)``); Keras calls it
    ``InverseTimeDecay``.
    """

    learning_rate: float
    rate: float = 0.01
    name: ClassVar[str] = "inverse-time"

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rate", _learning_rate(self.learning_rate))
        object.__setattr__(self, "rate", _rate(self.rate))

    def __call__(self, k: int) -> float:
        return self.learning_rate / (1.0 + self.rate * _index(k))

    def __str__(self) -> str:
        return f"{self.learning_rate:g} / (1 + {self.rate:g} k)"


@dataclasses.dataclass(frozen=True)
class PerEpochSchedule:
    """gamma_k = schedule(floor(k / updates_per_epoch)): ``schedule`` counts epochs, not updates, and the
    rate is constant within an epoch (PyTorch's ``lr_scheduler`` stepped once per epoch)."""

    schedule: Callable[[int], float]
    updates_per_epoch: int
    name: ClassVar[str] = "per-epoch"

    def __post_init__(self) -> None:
        count = self.updates_per_epoch
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
            raise ValueError(f"updates_per_epoch must be a whole number >= 1, got {count!r}")

    def __call__(self, k: int) -> float:
        return self.schedule(_index(k) // self.updates_per_epoch)

    def __str__(self) -> str:
        return f"{self.schedule} with k = epochs ({self.updates_per_epoch} updates each)"


def per_epoch(schedule: Callable[[int], float], updates_per_epoch: int) -> PerEpochSchedule:
    """``schedule`` counting epochs of ``updates_per_epoch`` updates (see :class:`PerEpochSchedule`)."""
    return PerEpochSchedule(schedule, updates_per_epoch)


def constant(learning_rate: float) -> ConstantSchedule:
    """gamma_k = learning_rate (see :class:`ConstantSchedule`)."""
    return ConstantSchedule(learning_rate)


def step(learning_rate: float, *, factor: float = 0.5, every: int = 100) -> StepSchedule:
    """gamma_k = learning_rate * factor^floor(k / every) (PyTorch ``StepLR``; optax
    ``exponential_decay(..., staircase=True)``; see :class:`StepSchedule`)."""
    return StepSchedule(learning_rate, factor=factor, every=every)


def exponential(learning_rate: float, *, rate: float = 0.01) -> ExponentialSchedule:
    """gamma_k = learning_rate * exp(-rate * k) (PyTorch ``ExponentialLR(gamma=exp(-rate))``; optax
    ``exponential_decay(lr, 1, exp(-rate))``; see :class:`ExponentialSchedule`)."""
    return ExponentialSchedule(learning_rate, rate=rate)


def inverse_time(learning_rate: float, *, rate: float = 0.01) -> InverseTimeSchedule:
    """gamma_k = learning_rate / (1 + rate * k) (PyTorch ``LambdaLR``; no optax built-in; see
    :class:`InverseTimeSchedule`)."""
    return InverseTimeSchedule(learning_rate, rate=rate)


#: Schedule name -> constructor ``(learning_rate, **parameters) -> Schedule``.
SCHEDULES: dict[str, Callable[..., Schedule]] = {
    "constant": constant,
    "step": step,
    "exponential": exponential,
    "inverse-time": inverse_time,
}


def make_schedule(name: str, learning_rate: float, **parameters: float) -> Schedule:
    """The schedule called ``name`` (a key of :data:`SCHEDULES`) with initial rate ``learning_rate``.

    Raises ValueError for an unknown name (listing the known ones), TypeError for a parameter the
    schedule does not take (naming those it does), and TypeError / ValueError for a value out of
    range: learning_rate finite and > 0, factor in (0, 1], every an int >= 1, rate finite and >= 0.
    """
    if name not in SCHEDULES:
        raise validation.unknown_name("schedule", name, SCHEDULES)
    factory = SCHEDULES[name]
    accepted = [p for p in inspect.signature(factory).parameters if p != "learning_rate"]
    unknown = sorted(set(parameters) - set(accepted))
    if unknown:
        takes = f"it takes {', '.join(accepted)}" if accepted else "it takes no parameters"
        unknown_names = ", ".join(map(repr, unknown))
        raise TypeError(f"schedule {name!r} has no parameter {unknown_names}; {takes} (besides learning_rate)")
    return factory(learning_rate, **parameters)
