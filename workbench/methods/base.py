"""What every method shares: declared capabilities, options, the stopping rule and the monitor.

A method is an object with a ``name``, its :class:`Capabilities` (declared once, checked once by
:func:`applicability`), the ``options`` it accepts beyond the common ones, and
``run(oracle, x0, options, stopping, monitor) -> Outcome``.

The stopping rule (one for every method, mapped onto SciPy's own options by the adapters):

* ``gtol``: stop when the projected gradient's infinity norm is <= gtol (SciPy: its ``gtol``);
* ``max_iterations``: at most this many updates;
* ``max_evaluations``: at most this many evaluations, counting true objective evaluations
  (finite-difference ones included) plus exact gradient evaluations; enforced by the oracle;
* ``target``: stop once f(x_k) - f* <= target (needs f*); checked by the monitor on exact values,
  a benchmarking device that is not charged to the method;
* ``time_limit``: wall-clock seconds; enforced by the oracle.

The monitor records each iteration with exact, uncharged measurements (f, stationarity, violation)
and flags divergence: non-finite values, or ||x||_inf beyond 1e8 max(1, ||x0||_inf).
"""

from __future__ import annotations

import abc
import dataclasses
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.oracle import parse_variant
from workbench.trace import TRACE_X_MAX_SIZE, IterationRecord
from workbench.verdict import exact_oracle, feasibility, stationarity

if TYPE_CHECKING:
    from workbench.oracle import Oracle
    from workbench.problem import Problem

__all__ = [
    "COMMON_OPTIONS",
    "Capabilities",
    "Method",
    "Monitor",
    "Outcome",
    "StopRun",
    "Stopping",
    "applicability",
]

#: Options every method accepts, with their defaults (None = method's own default / off).
COMMON_OPTIONS: dict[str, Any] = {
    "max_iterations": None,
    "max_evaluations": None,
    "gtol": None,
    "target": None,
    "seed": 0,
    "time_limit": None,
    "x0": None,
}

DIVERGENCE_FACTOR = 1e8


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


def applicability(capabilities: Capabilities, problem: Problem, variant: str, method: str) -> str | None:
    """None when the method can run on the problem in the variant, else the reason it cannot."""
    base, hessian_model = parse_variant(variant)
    if base == "complex-step" and not problem.is_smooth:
        return f"complex step needs expressions analytic in x; {problem.name} is not smooth"
    if problem.m and not capabilities.constraints:
        return f"{method} does not handle general constraints ({problem.name} has {problem.m})"
    if problem.bounds is not None and not capabilities.bounds:
        return f"{method} does not handle bounds ({problem.name} is bounded); use lbfgs, slsqp or trust-constr"
    if hessian_model is not None:
        if not capabilities.hessian:
            return (
                f"{method} does not use a Hessian, so a quasi-Newton variant (+{hessian_model}) "
                "has nothing to replace; use the plain variant"
            )
        if not capabilities.hessian_model:
            return f"{method} needs a Hessian at each point and cannot take a +{hessian_model} model"
    return None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Stopping:
    """The stopping rule shared by all methods (module docstring)."""

    gtol: float
    max_iterations: int
    max_evaluations: int | None = None
    target: float | None = None
    time_limit: float | None = None


@dataclasses.dataclass
class Outcome:
    """What a method reports: where it stopped, why, and what it claims."""

    x: np.ndarray
    status: str  # "success" or a status of workbench.trace.STATUSES
    message: str
    method_iterations: int | None = None

    @property
    def claimed_success(self) -> bool:
        return self.status == "success"


class StopRun(Exception):
    """Raised inside a run to end it with a status (budget, time limit, target, divergence)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Monitor:
    """Records iterations with exact measurements and decides target and divergence stops."""

    def __init__(self, problem: Problem, oracle: Oracle, stopping: Stopping, x0: np.ndarray) -> None:
        self.problem = problem
        self.oracle = oracle
        self.stopping = stopping
        self.start = time.perf_counter()
        self.records: list[IterationRecord] = []
        self.last_x = np.array(x0, dtype=float)
        self.limit = DIVERGENCE_FACTOR * max(1.0, float(np.max(np.abs(x0))) if x0.size else 1.0)
        self.keep_x = problem.n <= TRACE_X_MAX_SIZE
        self._simple = problem.m == 0 and problem.bounds is None  # stationarity = ||grad f||_inf
        self._exact = exact_oracle(problem)

    @property
    def iterations(self) -> int:
        return self.records[-1].k if self.records else 0

    def record(
        self, k: int, x: np.ndarray, *, step_size: float = float("nan"), learning_rate: float | None = None
    ) -> None:
        """Measure x after k updates; raises StopRun on divergence or when the target is reached."""
        x = np.array(x, dtype=float)
        size = float(np.max(np.abs(x))) if x.size else 0.0
        if not size <= self.limit:  # also catches NaN
            self._append(k, x, np.nan, np.nan, np.nan, step_size, learning_rate)
            raise StopRun(
                "diverged", f"iterates ran off after {k} updates (||x||_inf > {self.limit:.0e} or not finite)"
            )
        self.last_x = x
        with np.errstate(all="ignore"):
            f = self._exact.value(x)
            if f != f:  # NaN
                station = violation = np.nan
            elif self._simple:
                station = float(np.max(np.abs(self._exact.gradient(x)))) if x.size else 0.0
                violation = 0.0
            else:
                station = stationarity(self.problem, x)
                violation = feasibility(self.problem, x)
        self._append(k, x, f, station, violation, step_size, learning_rate)
        if not np.isfinite(f):
            raise StopRun("diverged", f"f is not finite after {k} updates")
        target = self.stopping.target
        if target is not None and self.problem.f_star is not None and f - self.problem.f_star <= target:
            if violation <= 1e-6:
                raise StopRun("success", f"target reached: f - f* <= {target:g} after {k} updates")

    def _append(self, k, x, f, station, violation, step_size, learning_rate) -> None:
        counts = self.oracle.counts
        self.records.append(
            IterationRecord(
                k,
                float(f),
                float(station),
                float(violation),
                float(step_size),
                None if learning_rate is None else float(learning_rate),
                counts.objective_evaluations + counts.constraint_evaluations,
                counts.gradient_evaluations,
                time.perf_counter() - self.start,
                tuple(x.tolist()) if self.keep_x else None,
            )
        )


class Method(abc.ABC):
    """A method: declared capabilities and options, and ``run``."""

    name: str
    capabilities: Capabilities
    #: method-specific options and their defaults (beyond COMMON_OPTIONS)
    options: dict[str, Any] = {}
    #: default iteration limit and gradient tolerance
    max_iterations: int = 1000
    gtol: float = 1e-8
    #: one-line description for listings
    summary: str = ""

    def accepted_options(self) -> dict[str, Any]:
        """Every option the method takes, with its default: the common ones and its own."""
        return {**COMMON_OPTIONS, **self.options}

    @abc.abstractmethod
    def run(
        self, oracle: Oracle, x0: np.ndarray, options: dict[str, Any], stopping: Stopping, monitor: Monitor
    ) -> Outcome:
        """Minimise from x0; call ``monitor.record(k, x)`` after each update k = 1, 2, ..."""

    def __repr__(self) -> str:
        return f"<method {self.name}>"
