"""What a run produces: one record per iteration, the verdict, and the run's result.

Status vocabulary (``RunResult.status``)
----------------------------------------
``converged``        the independent verdict passes at the returned x (whatever the method claimed)
``local_minimum``    x is a feasible stationary point whose f is one of the problem's known local minima
``max_iterations``   the iteration limit was reached first
``max_evaluations``  the evaluation budget (``max_evaluations``) was spent first
``diverged``         iterates or values ran off to infinity or NaN
``failed``           anything else: a singular system, a failed line search, an exception inside the
                     method, or a method that claimed success where the verdict disagrees
``not_applicable``   the method cannot run on this problem / variant (the message says why)
``timeout``          the wall-clock limit was reached first
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from workbench.cost import Counts
from workbench.reproducibility import TIME_LIMIT

__all__ = ["STATUSES", "IterationRecord", "RunResult", "Verdict"]

STATUSES = (
    "converged",
    "local_minimum",
    "max_iterations",
    "max_evaluations",
    "diverged",
    "failed",
    "not_applicable",
    "timeout",
)

#: Iterates are kept in the trace up to this many variables (for trajectory plots).
TRACE_X_MAX_SIZE = 10


@dataclasses.dataclass(frozen=True)
class IterationRecord:
    """The state after ``k`` updates, measured with the exact derivatives (not charged to the run).

    ``stationarity`` is the projected gradient norm (bounds) or the Lagrangian's gradient norm with
    least-squares multipliers (general constraints), infinity norm. ``work`` is the run's work so far
    (:mod:`workbench.cost`: evaluations of f, c and exact derivatives; for a data problem, passes over
    the data). ``x`` is kept for n <= 10 only.

    Mini-batch training (a first-order method with ``batch_size``): ``batch_f`` is the mini-batch loss
    at the point where the update's gradient was taken; f, stationarity and violation are measured
    (on all rows) only at the end of each epoch, the record of which carries ``epoch`` (1, 2, ...), and
    are NaN on the records in between. ``metrics`` holds the problem's declared metrics (a test
    accuracy, say) wherever f is measured, in the order the problem declares them.
    """

    k: int
    f: float
    stationarity: float
    violation: float
    step_size: float
    learning_rate: float | None
    work: float
    time: float
    x: tuple[float, ...] | None = None
    batch_f: float = float("nan")
    epoch: int | None = None
    metrics: tuple[float, ...] = ()


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The workbench's own judgement of a returned x, from the exact derivatives.

    ``stationarity``: infinity norm of grad f - J^T lambda - mu (bounds), ``feasibility``: largest
    violation of bounds and constraints, ``complementarity``: max |lambda_i c_i(x)| over
    inequalities and active bounds (the multipliers are the least-squares ones, non-negative where
    they must be, so dual feasibility holds by construction). ``f_error`` = |f - f*|,
    ``x_error`` = ||x - x*||_2 (None when unknown).
    """

    passed: bool
    optimal_value: bool | None
    stationary: bool
    feasible: bool
    stationarity: float
    feasibility: float
    complementarity: float
    f_error: float | None
    x_error: float | None
    local_minimum: float | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class RunResult:
    """One run of one method on one problem in one derivative variant.

    ``options`` are the method's resolved options (every default filled in). ``iterations`` counts
    updates made (from our own trace); ``method_iterations`` is what the method itself reported
    (SciPy's ``nit``), kept beside it. ``counts`` holds the oracle's counts (method-visible calls and
    true evaluations, see :class:`workbench.cost.Counts`); :attr:`work` is the run's cost.
    ``claimed_success`` is what the method said; ``status`` is what the verdict decided.
    """

    problem: str
    method: str
    variant: str
    options: dict[str, Any]
    seed: int
    status: str
    message: str
    x: np.ndarray
    f: float
    iterations: int
    method_iterations: int | None
    counts: dict[str, int]
    wall_time: float
    trace: tuple[IterationRecord, ...]
    claimed_success: bool
    verdict: Verdict | None
    x0: tuple[float, ...] = ()
    #: the method's own counters where it keeps them (see Outcome.method_counts; not stored)
    method_counts: dict[str, int] | None = None
    #: why this run may not repeat bit for bit even on this machine, or None: codes of
    #: :mod:`workbench.reproducibility` (``clock-seeded``, ``time-limit``), comma-separated
    nondeterminism: str | None = None

    @classmethod
    def without_run(
        cls,
        *,
        problem: str,
        method: str,
        variant: str,
        options: dict[str, Any],
        seed: int,
        x0: Any,
        status: str,
        message: str,
    ) -> RunResult:
        """The result of a run that never started (not applicable, refused start point, a worker that
        died or timed out): x = x0, nothing counted, no trace, no verdict."""
        start = np.atleast_1d(np.asarray(x0, dtype=float))
        return cls(
            problem=problem, method=method, variant=variant, options=dict(options), seed=int(seed), status=status,
            message=message, x=start, f=float("nan"), iterations=0, method_iterations=None, counts={},
            wall_time=0.0, trace=(), claimed_success=False, verdict=None, x0=tuple(start.tolist()),
            nondeterminism=TIME_LIMIT if status == "timeout" else None,
        )  # fmt: skip

    @property
    def succeeded(self) -> bool:
        return self.status == "converged"

    @property
    def work(self) -> float:
        """The run's cost: :attr:`workbench.cost.Counts.work` of its counts."""
        return Counts.from_dict(self.counts).work

    @property
    def f_error(self) -> float | None:
        return None if self.verdict is None else self.verdict.f_error

    def summary(self) -> str:
        error = "" if self.f_error is None or not math.isfinite(self.f_error) else f", |f - f*| = {self.f_error:.2e}"
        return (
            f"{self.problem} / {self.method} / {self.variant}: {self.status} after {self.iterations} iterations, "
            f"work {self.work:g}{error}. {self.message}"
        )

    def __repr__(self) -> str:
        return f"RunResult({self.summary()})"
