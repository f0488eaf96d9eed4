"""The first-order family run against an oracle: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam,
AdaDelta (update rules in :mod:`workbench.methods.rules`, PyTorch conventions), with a constant
learning rate or a schedule (:mod:`workbench.schedules`).

Each iteration k = 0, 1, ...: g = gradient(x_k) from the oracle (plus seeded Gaussian noise of
standard deviation ``gradient_noise``, standing in for mini-batch noise); stop if the projected
gradient's infinity norm is <= gtol; otherwise ``step, state = rule.update(g, state, schedule(k))``
and x_{k+1} = P(x_k + step), where P projects onto the bounds (clipping). The monitor records
x_{k+1} as update k + 1. General constraints are not handled (status ``not_applicable``).

Options: ``learning_rate`` (a number, or a schedule object), ``schedule`` (``"constant"``, ``"step"``,
``"exponential"``, ``"inverse-time"``, optionally with parameters ``"step:factor=0.5,every=100"``, or a
schedule object), ``gradient_noise``, and the rule's hyper-parameters (``momentum``, ``beta1``,
``beta2``, ``alpha``, ``rho``, ``eps``, ``initial_accumulator``).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from workbench import schedules
from workbench.methods import rules
from workbench.methods.base import Capabilities, Method, Monitor, Outcome, Stopping
from workbench.oracle import Oracle

__all__ = ["FirstOrderMethod", "parse_schedule"]

SUMMARIES = {
    "sgd": "gradient descent: x <- x - lr g",
    "momentum": "heavy ball (PyTorch): b <- mu b + g, x <- x - lr b",
    "nesterov": "Nesterov momentum (PyTorch): b <- mu b + g, x <- x - lr (g + mu b)",
    "adagrad": "AdaGrad: per-coordinate steps lr / (sqrt(sum g^2) + eps)",
    "rmsprop": "RMSProp: steps scaled by a moving average of g^2",
    "adam": "Adam: bias-corrected moving averages of g and g^2",
    "adadelta": "AdaDelta: unit-consistent steps, learning rate 1",
}


def parse_schedule(schedule: Any, learning_rate: Any) -> schedules.Schedule:
    """A schedule from the ``schedule`` and ``learning_rate`` options (module docstring)."""
    if callable(learning_rate) and not isinstance(learning_rate, (int, float)):
        if schedule not in (None, "constant"):
            raise ValueError("give either a schedule object as learning_rate or a schedule name, not both")
        return learning_rate
    if callable(schedule):
        return schedule
    name, _, parameters = str(schedule or "constant").partition(":")
    values: dict[str, float] = {}
    for item in filter(None, parameters.split(",")):
        key, separator, value = item.partition("=")
        if not separator:
            raise ValueError(f"schedule parameter {item!r} must read name=value, e.g. 'step:factor=0.5,every=100'")
        number = float(value)
        values[key.strip()] = int(number) if key.strip() == "every" else number
    return schedules.make_schedule(name.strip(), float(learning_rate), **values)


class FirstOrderMethod(Method):
    """One rule of the first-order family, run with projection onto the bounds."""

    capabilities = Capabilities(bounds=True)
    max_iterations = 10000

    def __init__(self, rule_name: str) -> None:
        self.name = rule_name
        self.summary = SUMMARIES[rule_name]
        factory = rules.RULES[rule_name]
        self._hyperparameters = {
            name: parameter.default for name, parameter in inspect.signature(factory).parameters.items()
        }
        default_rate = factory().defaults["learning_rate"]
        self.options = {
            "learning_rate": default_rate,
            "schedule": "constant",
            "gradient_noise": 0.0,
            **self._hyperparameters,
        }

    def run(
        self, oracle: Oracle, x0: np.ndarray, options: dict[str, Any], stopping: Stopping, monitor: Monitor
    ) -> Outcome:
        problem = oracle.problem
        rule = rules.make_rule(self.name, **{k: options[k] for k in self._hyperparameters})
        schedule = parse_schedule(options["schedule"], options["learning_rate"])
        noise = float(options["gradient_noise"])
        rng = np.random.default_rng(options["seed"])
        lower, upper = problem.lower, problem.upper
        bounded = problem.bounds is not None
        x = np.clip(x0, lower, upper) if bounded else np.array(x0, dtype=float)
        state = rule.init(x)
        for k in range(stopping.max_iterations):
            g = oracle.gradient(x)
            if noise:
                g = g + noise * rng.standard_normal(g.shape)
            if not np.all(np.isfinite(g)):
                return Outcome(x, "diverged", f"gradient is not finite at update {k + 1}")
            projected = g
            if bounded:
                projected = np.where(((x <= lower) & (g > 0)) | ((x >= upper) & (g < 0)), 0.0, g)
            if float(np.max(np.abs(projected), initial=0.0)) <= stopping.gtol:
                return Outcome(x, "success", f"projected gradient norm <= gtol = {stopping.gtol:g}")
            learning_rate = schedule(k)
            step, state = rule.update(g, state, learning_rate)
            new = x + step
            if bounded:
                new = np.clip(new, lower, upper)
            step_size = float(np.linalg.norm(new - x))
            x = new
            monitor.record(k + 1, x, step_size=step_size, learning_rate=learning_rate)
        return Outcome(x, "max_iterations", f"{stopping.max_iterations} updates made")
