"""The first-order family run against an oracle: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam,
AdaDelta (update rules in :mod:`workbench.methods.rules`, PyTorch conventions), with a constant
learning rate or a schedule (:mod:`workbench.schedules`), composed as optax composes them
(:mod:`workbench.methods.transforms`)::

    noise = add_noise(gradient_noise, seed)                          # g -> g + sigma z
    transform = chain(from_rule(rule), scale_by_schedule(schedule))   # g -> -gamma_k direction

Each iteration k = 0, 1, ...: g = gradient(x_k) from the oracle, plus the noise; stop if the projected
gradient's infinity norm is <= gtol (the method sees only the noisy gradient, as it would see only a
sampled one); otherwise ``step, state = transform.update(g, state, k)`` and
x_{k+1} = P(x_k + step), where P projects onto the bounds (clipping). The recorder receives x_{k+1}
as update k + 1, with the learning rate gamma_k = schedule(k). General constraints are not handled
(status ``not_applicable``).

Options: ``learning_rate`` (a number, or a schedule object), ``schedule`` (``"constant"``, ``"step"``,
``"exponential"``, ``"inverse-time"``, optionally with parameters ``"step:factor=0.5,every=100"``, or a
schedule object), ``gradient_noise`` (standard deviation of the seeded Gaussian added to every
gradient), and the rule's hyper-parameters (``momentum``, ``beta1``, ``beta2``, ``alpha``, ``rho``,
``eps``, ``initial_accumulator``).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from workbench import schedules, validation
from workbench.methods import rules
from workbench.methods.base import Capabilities, Method, Option, Outcome, Recorder, Stopping
from workbench.methods.transforms import (
    add_noise,
    chain,
    from_rule,
    project_onto_box,
    projected_gradient,
    scale_by_schedule,
)
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
    if not isinstance(schedule, str):
        raise TypeError(f"schedule must be a name such as 'step:factor=0.5,every=100', got {schedule!r}")
    name, _, parameters = schedule.partition(":")
    values: dict[str, float] = {}
    for item in filter(None, parameters.split(",")):
        key, separator, value = item.partition("=")
        if not separator:
            raise ValueError(f"schedule parameter {item!r} must read name=value, e.g. 'step:factor=0.5,every=100'")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"schedule parameter {key.strip()}={value!r} is not a number") from None
        values[key.strip()] = int(number) if key.strip() == "every" and number.is_integer() else number
    return schedules.make_schedule(name.strip(), learning_rate, **values)


def _learning_rate(name: str, value: Any) -> Any:
    if callable(value) and not isinstance(value, (int, float)):
        return value  # a schedule object
    return validation.positive(name, value)


def _schedule(name: str, value: Any) -> Any:
    if callable(value):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a name such as 'step:factor=0.5,every=100', got {value!r}")
    return value.strip()


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
            "learning_rate": Option(default_rate, _learning_rate, "a number > 0 or a schedule object"),
            "schedule": Option("constant", _schedule, "constant, step, exponential or inverse-time, with parameters"),
            "gradient_noise": Option(0.0, validation.non_negative, "standard deviation of noise added to g"),
            **{name: Option(default) for name, default in self._hyperparameters.items()},
        }

    def check_options(self, resolved: dict[str, Any]) -> None:
        # building the rule and the schedule checks every hyper-parameter and the schedule's syntax
        rules.make_rule(self.name, **{k: resolved[k] for k in self._hyperparameters})
        parse_schedule(resolved["schedule"], resolved["learning_rate"])

    def run(
        self, oracle: Oracle, x0: np.ndarray, options: dict[str, Any], stopping: Stopping, recorder: Recorder
    ) -> Outcome:
        problem = oracle.problem
        rule = rules.make_rule(self.name, **{k: options[k] for k in self._hyperparameters})
        schedule = parse_schedule(options["schedule"], options["learning_rate"])
        noise = add_noise(float(options["gradient_noise"]), options["seed"])
        transform = chain(from_rule(rule), scale_by_schedule(schedule))
        lower, upper = problem.lower, problem.upper
        project = project_onto_box(lower, upper)
        x = project(np.array(x0, dtype=float))
        noise_state, state = noise.init(x), transform.init(x)
        for k in range(stopping.max_iterations):
            g, noise_state = noise.update(oracle.gradient(x), noise_state, k)
            if not np.all(np.isfinite(g)):
                return Outcome(x, "diverged", f"gradient is not finite at update {k + 1}")
            if float(np.max(np.abs(projected_gradient(g, x, lower, upper)), initial=0.0)) <= stopping.gtol:
                return Outcome(x, "success", f"projected gradient norm <= gtol = {stopping.gtol:g}")
            step, state = transform.update(g, state, k)
            new = project(x + step)
            step_size = float(np.linalg.norm(new - x))
            x = new
            recorder.record(k + 1, x, step_size=step_size, learning_rate=schedule(k))
        return Outcome(x, "max_iterations", f"{stopping.max_iterations} updates made")
