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
gradient), the rule's hyper-parameters (``momentum``, ``beta1``, ``beta2``, ``alpha``, ``rho``,
``eps``, ``initial_accumulator``), and for training on data ``batch_size`` and ``epochs``.

Mini-batches (the lecture's setting, PyTorch's ``DataLoader(shuffle=True, drop_last=False)``
convention): on a problem whose objective is a finite sum over data rows, ``batch_size=B`` makes each
epoch a permutation of the N rows drawn from a generator seeded by ``(seed, 1)``, cut into
ceil(N / B) batches without replacement (the last one smaller); each update uses the batch gradient
(N / |B|) sum_{i in B} grad f_i + grad of the other terms, an unbiased estimate of the full gradient
(:meth:`workbench.oracle.Oracle.batch_gradient`). ``epochs=E`` stops after E epochs (else
``max_iterations`` updates). ``batch_size=None`` with ``epochs`` is full-batch gradient descent, one
update per epoch. The gradient-norm stopping test is not applied to batch gradients.

Schedules count updates by default; ``unit=epoch`` makes one count epochs, constant within an epoch
(PyTorch's ``lr_scheduler`` stepped once per epoch): ``"step:factor=0.5,every=5,unit=epoch"`` halves
the learning rate every 5 epochs, ``"exponential:rate=0.1,unit=epoch"`` gives gamma_0 exp(-0.1 e) in
epoch e = 0, 1, ...
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


def parse_schedule(schedule: Any, learning_rate: Any, *, updates_per_epoch: int | None = None) -> schedules.Schedule:
    """A schedule from the ``schedule`` and ``learning_rate`` options (module docstring).

    ``updates_per_epoch``: the updates an epoch makes, for schedules with ``unit=epoch`` (None: the run
    has no epochs, and such a schedule is an error)."""
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
    unit = "update"
    for item in filter(None, parameters.split(",")):
        key, separator, value = item.partition("=")
        if not separator:
            raise ValueError(f"schedule parameter {item!r} must read name=value, e.g. 'step:factor=0.5,every=100'")
        key = key.strip()
        if key == "unit":
            unit = value.strip()
            if unit not in ("update", "epoch"):
                raise ValueError(f"schedule unit must be update or epoch, got {unit!r}")
            continue
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"schedule parameter {key}={value!r} is not a number") from None
        values[key] = int(number) if key == "every" and number.is_integer() else number
    result = schedules.make_schedule(name.strip(), learning_rate, **values)
    if unit == "epoch":
        if updates_per_epoch is None:
            raise ValueError(
                f"schedule {schedule!r} counts epochs (unit=epoch), but the run has none: give batch_size or epochs"
            )
        return schedules.per_epoch(result, updates_per_epoch)
    return result


def _learning_rate(name: str, value: Any) -> Any:
    if callable(value) and not isinstance(value, (int, float)):
        return value  # a schedule object
    return validation.positive(name, value)


def _optional_count(name: str, value: Any) -> int:
    return validation.integer(name, value, minimum=1)


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
            "batch_size": Option(None, _optional_count, "rows per mini-batch of a sum over data (None: full batch)"),
            "epochs": Option(None, _optional_count, "passes over the data (a sum over samples)"),
            **{name: Option(default) for name, default in self._hyperparameters.items()},
        }

    def check_options(self, resolved: dict[str, Any]) -> None:
        # building the rule and the schedule checks every hyper-parameter and the schedule's syntax
        rules.make_rule(self.name, **{k: resolved[k] for k in self._hyperparameters})
        epochs = resolved["batch_size"] is not None or resolved["epochs"] is not None
        parse_schedule(resolved["schedule"], resolved["learning_rate"], updates_per_epoch=1 if epochs else None)

    def check_problem(self, problem: Any, resolved: dict[str, Any]) -> None:
        if resolved["batch_size"] is not None and not problem.samples:
            raise ValueError(
                f"method {self.name!r}: batch_size applies to a finite sum over data rows, and {problem.name} has no "
                "sum over samples (a Sum whose index subscripts data); leave batch_size out"
            )

    def run(
        self, oracle: Oracle, x0: np.ndarray, options: dict[str, Any], stopping: Stopping, recorder: Recorder
    ) -> Outcome:
        problem = oracle.problem
        rule = rules.make_rule(self.name, **{k: options[k] for k in self._hyperparameters})
        batch_size, epochs = options["batch_size"], options["epochs"]
        rows = problem.samples if batch_size is not None else 0
        size = min(batch_size, rows) if batch_size is not None else 0
        per_epoch = -(-rows // size) if batch_size is not None else 1
        by_epoch = batch_size is not None or epochs is not None
        schedule = parse_schedule(options["schedule"], options["learning_rate"],
                                  updates_per_epoch=per_epoch if by_epoch else None)  # fmt: skip
        noise = add_noise(float(options["gradient_noise"]), options["seed"])
        transform = chain(from_rule(rule), scale_by_schedule(schedule))
        lower, upper = problem.lower, problem.upper
        project = project_onto_box(lower, upper)
        x = project(np.array(x0, dtype=float))
        noise_state, state = noise.init(x), transform.init(x)
        shuffler = np.random.default_rng([options["seed"], 1])  # the batches' own stream, apart from the noise's
        k = 0
        epoch = 0
        while epochs is None or epoch < epochs:
            order = shuffler.permutation(rows) if batch_size is not None else None
            for b in range(per_epoch):
                if k >= stopping.max_iterations:
                    return Outcome(x, "max_iterations", f"{stopping.max_iterations} updates made")
                batch = None if order is None else order[b * size : (b + 1) * size]
                g = oracle.gradient(x) if batch is None else oracle.batch_gradient(x, batch)
                g, noise_state = noise.update(g, noise_state, k)
                if not np.all(np.isfinite(g)):
                    return Outcome(x, "diverged", f"gradient is not finite at update {k + 1}")
                if batch is None and float(np.max(np.abs(projected_gradient(g, x, lower, upper)), initial=0.0)) <= (
                    stopping.gtol
                ):  # fmt: skip
                    return Outcome(x, "success", f"projected gradient norm <= gtol = {stopping.gtol:g}")
                step, state = transform.update(g, state, k)
                new = project(x + step)
                ends = epoch + 1 if by_epoch and b == per_epoch - 1 else None
                recorder.record(k + 1, new, step_size=float(np.linalg.norm(new - x)), learning_rate=schedule(k),
                                batch=batch, batch_point=x, epoch=ends)  # fmt: skip
                x = new
                k += 1
            epoch += 1
        return Outcome(x, "max_iterations", f"{epochs} epochs made ({k} updates)")
