"""Composable gradient transforms for the first-order family, after optax's ``chain``.

A :class:`Transform` is a pair ``init(x0) -> state``, ``update(updates, state, k) -> (updates, state)``
where ``k`` is the number of updates made so far. :func:`chain` runs several in order, so a first-order
method is written as::

    transform = chain(add_noise(sigma, seed), from_rule(adam()), scale_by_schedule(schedule))
    step, state = transform.update(gradient, state, k)
    x = project(x + step)                                   # project_onto_box(lower, upper)

* :func:`add_noise`: g + sigma N(0, I), a seeded Gaussian standing in for mini-batch noise on a
  deterministic test function (a data problem samples its sum instead: see the mini-batch runs);
* :func:`from_rule`: the rule's unscaled direction (:mod:`workbench.methods.rules`);
* :func:`scale_by_schedule`: the step -gamma_k direction with gamma_k = schedule(k) (a constant is
  ``schedules.constant(gamma)``), the only place a learning rate multiplies anything;
* :func:`project_onto_box`: P(x) = clip(x, lower, upper), applied to the new point (optax applies
  projections to parameters after ``apply_updates``, not inside the chain).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from workbench.methods.rules import Rule
from workbench.schedules import Schedule

__all__ = [
    "Transform",
    "add_noise",
    "chain",
    "from_rule",
    "project_onto_box",
    "projected_gradient",
    "scale_by_schedule",
]


class Transform(NamedTuple):
    """``init(x0) -> state``; ``update(updates, state, k) -> (new updates, new state)``."""

    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, int], tuple[np.ndarray, Any]]


def chain(*transforms: Transform) -> Transform:
    """Apply ``transforms`` in order; the state is the tuple of their states."""

    def init(x0: np.ndarray) -> tuple[Any, ...]:
        return tuple(t.init(x0) for t in transforms)

    def update(updates: np.ndarray, state: tuple[Any, ...], k: int) -> tuple[np.ndarray, tuple[Any, ...]]:
        states = []
        for transform, inner in zip(transforms, state, strict=True):
            updates, inner = transform.update(updates, inner, k)
            states.append(inner)
        return updates, tuple(states)

    return Transform(init, update)


def from_rule(rule: Rule) -> Transform:
    """The rule's direction (unscaled) from the gradient."""
    return Transform(rule.init, rule.update)


def scale_by_schedule(schedule: Schedule) -> Transform:
    """updates -> -schedule(k) * updates: the step of gradient descent along the direction."""

    def update(updates: np.ndarray, state: None, k: int) -> tuple[np.ndarray, None]:
        return -schedule(k) * updates, None

    return Transform(lambda x0: None, update)


def add_noise(standard_deviation: float, seed: int) -> Transform:
    """g -> g + sigma z, z ~ N(0, I) drawn from a generator seeded by ``seed`` (kept in the state and
    consumed in order, one draw of n numbers per update). sigma = 0 is the identity and draws nothing."""

    def init(x0: np.ndarray) -> np.random.Generator:
        return np.random.default_rng(seed)

    def update(updates: np.ndarray, generator: np.random.Generator, k: int) -> tuple[np.ndarray, Any]:
        if not standard_deviation:
            return updates, generator
        return updates + standard_deviation * generator.standard_normal(updates.shape), generator

    return Transform(init, update)


def project_onto_box(lower: np.ndarray, upper: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """P(x) = clip(x, lower, upper); the identity when there are no finite bounds."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    if not (np.any(np.isfinite(lower)) or np.any(np.isfinite(upper))):
        return lambda x: x
    return lambda x: np.clip(x, lower, upper)


def projected_gradient(g: np.ndarray, x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """g with the components that push against an active bound set to zero (x_i at its lower bound
    and g_i > 0, or at its upper bound and g_i < 0): the first-order optimality measure on a box, used
    by the first-order stopping test and by the verdict."""
    return np.where(((x <= lower) & (g > 0)) | ((x >= upper) & (g < 0)), 0.0, g)
