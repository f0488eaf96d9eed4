"""The runner's monitor: records every update of a run with exact, uncharged measurements and decides
the stops no method can be trusted to make itself (divergence, the benchmarking target).

A method reports x after each update k to ``monitor.record(k, x)`` (the
:class:`workbench.methods.base.Recorder` protocol). The monitor measures f, stationarity and constraint
violation with the problem's exact evaluator (:attr:`workbench.model.Model.exact`), not charged to the
run, and appends an :class:`~workbench.trace.IterationRecord` with the run's work so far. It ends the
run (raising :class:`~workbench.methods.base.StopRun`) when

* the iterates diverge: x not finite, or ||x||_inf beyond 1e8 max(1, ||x0||_inf) (``diverged``);
* f(x) is not finite (``diverged``);
* f(x) - f* <= ``target`` on a feasible point (``success``: the run reached what was asked).

Mini-batch training: a record of an update made from a mini-batch carries the batch loss at the point
where its gradient was taken (``batch``, ``batch_point``), measured exactly and uncharged; f, the
stationarity and the problem's metrics are measured on all rows only at the end of an epoch
(``epoch``), so that a long epoch over many rows costs one full pass of measurement, not one per update.
"""

from __future__ import annotations

import time

import numpy as np

from workbench.methods.base import Stopping, StopRun
from workbench.model import compile_model
from workbench.oracle import Oracle
from workbench.trace import TRACE_X_MAX_SIZE, IterationRecord
from workbench.verdict import feasibility, stationarity

__all__ = ["DIVERGENCE_FACTOR", "Monitor"]

DIVERGENCE_FACTOR = 1e8


class Monitor:
    """Records iterations with exact measurements and decides target and divergence stops."""

    def __init__(self, oracle: Oracle, stopping: Stopping, x0: np.ndarray) -> None:
        self.problem = oracle.problem
        self.oracle = oracle
        self.stopping = stopping
        self.start = time.perf_counter()
        self.records: list[IterationRecord] = []
        self.last_x = np.array(x0, dtype=float)
        self.limit = DIVERGENCE_FACTOR * max(1.0, float(np.max(np.abs(x0))) if x0.size else 1.0)
        self.keep_x = self.problem.n <= TRACE_X_MAX_SIZE
        self._simple = self.problem.m == 0 and self.problem.bounds is None  # stationarity = ||grad f||_inf
        self._model = compile_model(self.problem)
        self._exact = self._model.exact

    @property
    def iterations(self) -> int:
        return self.records[-1].k if self.records else 0

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
        """Measure x after k updates; raises StopRun on divergence or when the target is reached.

        ``batch``: the rows of the mini-batch whose gradient (at ``batch_point``) made update k; then
        f is measured only when ``epoch`` (the epoch this update ends) is given (module docstring)."""
        x = np.array(x, dtype=float)
        size = float(np.max(np.abs(x))) if x.size else 0.0
        if not size <= self.limit:  # also catches NaN
            self._append(k, x, np.nan, np.nan, np.nan, step_size, learning_rate)
            raise StopRun(
                "diverged", f"iterates ran off after {k} updates (||x||_inf > {self.limit:.0e} or not finite)"
            )
        self.last_x = x
        batch_f = float("nan")
        if batch is not None:
            with np.errstate(all="ignore"):
                point = x if batch_point is None else np.asarray(batch_point, dtype=float)
                batch_f = self._model.batch_value(point, batch)
            if not np.isfinite(batch_f):
                self._append(k, x, np.nan, np.nan, np.nan, step_size, learning_rate, batch_f=batch_f, epoch=epoch)
                raise StopRun("diverged", f"the mini-batch loss is not finite at update {k}")
            if epoch is None:  # between epochs: the batch loss only
                self._append(k, x, np.nan, np.nan, np.nan, step_size, learning_rate, batch_f=batch_f)
                return
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
        metrics = tuple(self._model.metrics(x).values()) if self.problem.metrics else ()
        self._append(k, x, f, station, violation, step_size, learning_rate, batch_f=batch_f, epoch=epoch,
                     metrics=metrics)  # fmt: skip
        if not np.isfinite(f):
            raise StopRun("diverged", f"f is not finite after {k} updates")
        target = self.stopping.target
        if target is not None and self.problem.f_star is not None and f - self.problem.f_star <= target:
            if violation <= 1e-6:
                raise StopRun("success", f"target reached: f - f* <= {target:g} after {k} updates")

    def _append(self, k, x, f, station, violation, step_size, learning_rate, *, batch_f=float("nan"),
                epoch=None, metrics=()) -> None:  # fmt: skip
        self.records.append(
            IterationRecord(
                k,
                float(f),
                float(station),
                float(violation),
                float(step_size),
                None if learning_rate is None else float(learning_rate),
                float(self.oracle.counts.work),
                time.perf_counter() - self.start,
                tuple(x.tolist()) if self.keep_x else None,
                batch_f=float(batch_f),
                epoch=epoch,
                metrics=tuple(float(v) for v in metrics),
            )
        )
