"""What every method shares: declared capabilities, declared options, the stopping rule and the outcome.

A method is an object with a ``name``, its :class:`Capabilities` (declared once, checked once by
:func:`applicability`), the ``options`` it accepts beyond the common ones (each an :class:`Option`
with its default and its check), and ``run(oracle, x0, options, stopping, recorder) -> Outcome``.

Options are **resolved before a run starts** (:meth:`Method.resolve_options`): every default is filled
in and every value checked, so a misspelled name or a bad value (``learning_rate=-1``,
``schedule="foo"``) is an error before anything runs or is stored, and the resolved options are what
a study stores and hashes into a run's key.

The stopping rule (one for every method, mapped onto SciPy's own options by the adapter):

* ``gtol``: stop when the projected gradient's infinity norm is <= gtol (SciPy: its ``gtol``);
* ``max_iterations``: at most this many updates;
* ``max_evaluations``: at most this much work (:mod:`workbench.cost`); enforced by the oracle;
* ``target``: stop once f(x_k) - f* <= target (needs f*); checked by the runner's monitor on exact
  values, a benchmarking device that is not charged to the method;
* ``time_limit``: wall-clock seconds; enforced by the oracle.

A method reports each update k = 1, 2, ... to a :class:`Recorder` (the runner's monitor, which
measures it exactly and may stop the run by raising :class:`StopRun`).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from workbench import validation
from workbench.variants import parse_variant

if TYPE_CHECKING:
    from workbench.oracle import Oracle
    from workbench.problem import Problem

__all__ = [
    "COMMON_OPTIONS",
    "Capabilities",
    "Method",
    "Option",
    "Outcome",
    "Recorder",
    "StopRun",
    "Stopping",
    "applicability",
]


@dataclasses.dataclass(frozen=True)
class Option:
    """One option a method takes: its ``default`` and a ``check`` that returns the value as stored
    (converted, e.g. an int) or raises TypeError / ValueError naming what is wrong."""

    default: Any
    check: Callable[[str, Any], Any] | None = None
    doc: str = ""

    def resolve(self, name: str, value: Any) -> Any:
        if value is None or self.check is None:
            return value
        return self.check(name, value)


def _point(name: str, value: Any) -> list[float]:
    try:
        values = [float(v) for v in np.asarray(value, dtype=float).reshape(-1)]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers, got {value!r}") from None
    if not all(np.isfinite(values)):
        raise ValueError(f"{name} = {values} is not finite")
    return values


def _positive_integer(name: str, value: Any) -> int:
    return validation.integer(name, value, minimum=1)


def _seed(name: str, value: Any) -> int:
    return validation.integer(name, value, minimum=0)


def _budget(name: str, value: Any) -> int | float:
    result = validation.positive(name, value)
    return int(result) if result.is_integer() else result


#: Options every method accepts. None means "the method's own default" (max_iterations, gtol) or "off".
COMMON_OPTIONS: dict[str, Option] = {
    "max_iterations": Option(None, _positive_integer, "at most this many updates (default: the method's own)"),
    "max_evaluations": Option(None, _budget, "at most this much work (evaluations, workbench.cost)"),
    "gtol": Option(None, validation.positive, "stop when the projected gradient's infinity norm is <= gtol"),
    "target": Option(None, validation.non_negative, "stop once f - f* <= target (problems with a known f*)"),
    "seed": Option(0, _seed, "seed of everything random in the run (recorded)"),
    "time_limit": Option(None, validation.positive, "wall-clock seconds"),
    "x0": Option(None, _point, "start point (default: the problem's x0)"),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Capabilities:
    """What a method needs and handles, declared once per method.

    ``hessian``: uses a Hessian; ``hessian_model``: accepts a quasi-Newton model instead (variants
    ``+bfgs`` / ``+sr1``); ``bounds`` / ``constraints``: handles bounds / general constraints;
    ``dense_hessian``: needs a dense matrix (sparse ones are converted).
    """

    hessian: bool = False
    hessian_model: bool = False
    bounds: bool = False
    constraints: bool = False
    dense_hessian: bool = False

    @property
    def group(self) -> str:
        """The method's group by the derivatives it needs (Optim.jl's grouping): ``"first order"``,
        ``"second order"`` or ``"constrained"``."""
        if self.constraints:
            return "constrained"
        return "second order" if self.hessian else "first order"


def applicability(capabilities: Capabilities, problem: Problem, variant: str, method: str) -> str | None:
    """None when the method can run on the problem in the variant, else the reason it cannot."""
    parsed = parse_variant(variant)
    if parsed.complex_step and not problem.is_smooth:
        return f"complex step needs expressions analytic in x; {problem.name} is not smooth"
    if problem.m and not capabilities.constraints:
        return f"{method} does not handle general constraints ({problem.name} has {problem.m})"
    if problem.bounds is not None and not capabilities.bounds:
        return f"{method} does not handle bounds ({problem.name} is bounded); use lbfgs, slsqp or trust-constr"
    if parsed.hessian_model is not None:
        if not capabilities.hessian:
            return (
                f"{method} does not use a Hessian, so a quasi-Newton variant (+{parsed.hessian_model}) "
                "has nothing to replace; use the plain variant"
            )
        if not capabilities.hessian_model:
            return f"{method} needs a Hessian at each point and cannot take a +{parsed.hessian_model} model"
    return None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Stopping:
    """The stopping rule shared by all methods (module docstring)."""

    gtol: float
    max_iterations: int
    max_evaluations: float | None = None
    target: float | None = None
    time_limit: float | None = None


@dataclasses.dataclass
class Outcome:
    """What a method reports: where it stopped, why, and what it claims."""

    x: np.ndarray
    status: str  # "success" or a status of workbench.trace.STATUSES
    message: str
    method_iterations: int | None = None
    #: the method's own counters where it keeps them (SciPy's nfev, njev, nhev as "value", "gradient",
    #: "hessian"): a run's counts must agree with them
    method_counts: dict[str, int] | None = None

    @property
    def claimed_success(self) -> bool:
        return self.status == "success"


class StopRun(Exception):
    """Raised inside a run to end it with a status (budget, time limit, target, divergence)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Recorder(Protocol):
    """What a method reports its progress to (the runner's monitor)."""

    @property
    def last_x(self) -> np.ndarray: ...

    def record(
        self,
        k: int,
        x: np.ndarray,
        *,
        step_size: float = float("nan"),
        learning_rate: float | None = None,
        batch: np.ndarray | None = None,
        batch_point: np.ndarray | None = None,
        epoch: int | None = None,
    ) -> None:
        """x after k updates (made from the mini-batch ``batch`` at ``batch_point``, ending ``epoch``);
        may raise :class:`StopRun`."""


class Method(abc.ABC):
    """A method: declared capabilities and options, and ``run``."""

    name: str
    capabilities: Capabilities
    #: method-specific options (beyond COMMON_OPTIONS)
    options: Mapping[str, Option] = {}
    #: default iteration limit and gradient tolerance
    max_iterations: int = 1000
    gtol: float = 1e-8
    #: one-line description for listings
    summary: str = ""

    def accepted_options(self) -> dict[str, Option]:
        """Every option the method takes: the common ones and its own."""
        return {**COMMON_OPTIONS, **self.options}

    def resolve_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Every option with its default filled in and its value checked (module docstring): an
        unknown name is a TypeError naming the accepted ones; a bad value a TypeError / ValueError."""
        accepted = self.accepted_options()
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            hint = validation.did_you_mean(unknown[0], accepted)
            raise TypeError(
                f"method {self.name!r} does not take option {', '.join(map(repr, unknown))}{hint}; "
                f"it accepts {', '.join(sorted(accepted))}"
            )
        resolved = {}
        for name, option in accepted.items():
            value = options.get(name, option.default)
            try:
                resolved[name] = option.resolve(name, value)
            except (TypeError, ValueError) as error:
                raise type(error)(f"method {self.name!r}: {error}") from None
        if resolved["max_iterations"] is None:
            resolved["max_iterations"] = self.max_iterations
        if resolved["gtol"] is None:
            resolved["gtol"] = self.gtol
        self.check_options(resolved)
        return resolved

    def check_options(self, resolved: dict[str, Any]) -> None:
        """Checks that involve several options (a method overrides it); raise TypeError / ValueError."""
        return None

    def check_problem(self, problem: Problem, resolved: dict[str, Any]) -> None:
        """Checks of resolved options against a problem (mini-batches need a sum over samples, say); a
        method overrides it; raise ValueError. Called before a run and before a study stores anything."""
        return None

    @abc.abstractmethod
    def run(
        self, oracle: Oracle, x0: np.ndarray, options: dict[str, Any], stopping: Stopping, recorder: Recorder
    ) -> Outcome:
        """Minimise from x0; call ``recorder.record(k, x)`` after each update k = 1, 2, ..."""

    def __repr__(self) -> str:
        return f"<method {self.name}>"
