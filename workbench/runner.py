"""Run one method on one problem in one derivative variant: ``solve``. No I/O of its own.

``solve(problem, method="trust-constr", derivatives="analytic", **options) -> RunResult``

1. The method's options are resolved (every default filled in, every value checked): a misspelled
   option or a bad value is an error before anything runs.
2. One check decides applicability from the method's declared capabilities; a method that cannot
   run returns status ``not_applicable`` with the reason, without building anything.
3. A start point where f is not finite (outside f's domain) ends the run with status ``failed``.
4. A fresh counting oracle is built for the variant, with the run's evaluation and time limits.
5. The method runs from x0 (projected onto the bounds for methods that handle them); the monitor
   (:mod:`workbench.monitor`) records every iteration with exact measurements.
6. The independent verdict (:mod:`workbench.verdict`) judges the returned x and decides the status.

Failure is data: an exception inside the method, a limit, NaN or a diverging run ends the run with a
status and a message; ``solve`` raises only for bad input (unknown method, option, value or variant).
Floating-point warnings of a run are silenced: non-finite values are recorded as data.

Every run uses one BLAS thread, wherever it runs (this process, a study worker, a Dask worker):
:func:`workbench.reproducibility.single_blas_thread`. A run whose result may not repeat even on this
machine says why in ``RunResult.nondeterminism``: native code drew from the C library's ``rand()`` (SciPy's
trust-krylov seeds it with the wall-clock second), or the wall-clock ``time_limit`` stopped it
(:mod:`workbench.reproducibility`).
"""

from __future__ import annotations

import time
import traceback
import warnings
from typing import Any

import numpy as np

from workbench.methods import get_method
from workbench.methods.base import Outcome, Stopping, StopRun, applicability
from workbench.model import compile_model
from workbench.monitor import Monitor
from workbench.oracle import LimitReached, Oracle
from workbench.problem import Problem
from workbench.reproducibility import CLOCK_SEEDED, TIME_LIMIT, RandWatch, single_blas_thread
from workbench.trace import RunResult
from workbench.variants import parse_variant
from workbench.verdict import judge

__all__ = ["recorded_options", "solve"]


def recorded_options(options: dict[str, Any]) -> dict[str, Any]:
    """Options as they are stored: plain values; schedules and other objects as their repr, arrays as lists."""
    result = {}
    for key, value in options.items():
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif callable(value):
            value = repr(value)
        result[key] = value
    return result


def solve(problem: Problem, method: str = "trust-constr", derivatives: str = "analytic", **options: Any) -> RunResult:
    """Minimise ``problem`` with ``method`` using ``derivatives`` (an oracle variant); see the module
    docstring. Options (where they apply): ``learning_rate``, ``schedule``, ``momentum``,
    ``max_iterations``, ``max_evaluations``, ``gtol``, ``target``, ``seed``, ``time_limit``, ``x0``."""
    if not isinstance(problem, Problem):
        raise TypeError(f"solve needs a workbench Problem, got {type(problem).__name__}")
    implementation = get_method(method)
    resolved = implementation.resolve_options(options)
    implementation.check_problem(problem, resolved)
    variant = parse_variant(derivatives).name  # an unknown variant is bad input: raise before anything runs
    x0 = np.array(problem.x0 if resolved["x0"] is None else resolved["x0"], dtype=float).reshape(-1)
    if x0.shape != (problem.n,):
        raise ValueError(f"x0 has {x0.size} entries but {problem.name} has {problem.n} variables")
    seed = int(resolved["seed"])
    stored = recorded_options(resolved)

    def not_run(status: str, message: str) -> RunResult:
        return RunResult.without_run(problem=problem.name, method=method, variant=variant, options=stored, seed=seed,
                                     x0=x0, status=status, message=message)  # fmt: skip

    reason = applicability(implementation.capabilities, problem, variant, method)
    if reason is not None:
        return not_run("not_applicable", reason)
    if implementation.capabilities.bounds and problem.bounds is not None:
        x0 = np.clip(x0, problem.lower, problem.upper)
    with warnings.catch_warnings(), np.errstate(all="ignore"), single_blas_thread():
        # SciPy's and numpy's warnings are advice to their users; the run's status says the rest
        warnings.simplefilter("ignore")
        exact = compile_model(problem).exact
        f0 = exact.value(x0)
        if not np.isfinite(f0):
            return not_run(
                "failed", f"f(x0) = {f0} is not finite: the start point lies outside f's domain; choose another x0"
            )
        oracle = Oracle(compile_model(problem), variant)
        oracle.set_limits(max_evaluations=resolved["max_evaluations"], time_limit=resolved["time_limit"])
        stopping = Stopping(
            gtol=float(resolved["gtol"]),
            max_iterations=int(resolved["max_iterations"]),
            max_evaluations=resolved["max_evaluations"],
            target=resolved["target"],
            time_limit=resolved["time_limit"],
        )
        monitor = Monitor(oracle, stopping, x0)
        start = time.perf_counter()
        try:
            with RandWatch() as watch:
                monitor.record(0, x0)
                outcome = implementation.run(oracle, x0, resolved, stopping, monitor)
        except StopRun as stop:
            outcome = Outcome(monitor.last_x, stop.status, stop.message)
        except LimitReached as limit:
            outcome = Outcome(monitor.last_x, limit.status, limit.message)
        except Exception as error:  # failure is data: the caller goes on
            where = traceback.extract_tb(error.__traceback__)[-1]
            place = f"{where.name}, {where.filename.rsplit('/', 1)[-1]}:{where.lineno}"
            outcome = Outcome(monitor.last_x, "failed", f"{type(error).__name__}: {error} (in {place})")
        wall_time = time.perf_counter() - start
        x = np.asarray(outcome.x, dtype=float)
        if x.shape != (problem.n,):
            x = monitor.last_x
        tolerance = None if resolved["target"] is None else float(resolved["target"])
        verdict = judge(problem, x, f_tolerance=tolerance)
        f = float(exact.value(x)) if np.all(np.isfinite(x)) else float("nan")
    if verdict.passed:
        status = "converged"
        message = outcome.message if outcome.claimed_success else f"{verdict.message} ({outcome.message})"
    elif verdict.local_minimum is not None:
        status, message = "local_minimum", f"{verdict.message} ({outcome.message})"
    elif outcome.claimed_success:
        status, message = "failed", f"method claimed success but {verdict.message} ({outcome.message})"
    else:
        status, message = outcome.status, f"{outcome.message}; {verdict.message}"
    # stopped by the wall clock, whatever the verdict then made of x: its iterations depend on the machine
    reasons = [CLOCK_SEEDED] * bool(watch.used) + [TIME_LIMIT] * ("timeout" in (status, outcome.status))
    return RunResult(
        problem=problem.name, method=method, variant=variant, options=stored, seed=seed, status=status,
        message=message, x=x, f=f, iterations=monitor.iterations, method_iterations=outcome.method_iterations,
        counts=oracle.counts.as_dict(), wall_time=wall_time, trace=tuple(monitor.records),
        claimed_success=outcome.claimed_success, verdict=verdict, x0=tuple(x0), method_counts=outcome.method_counts,
        nondeterminism=", ".join(reasons) or None,
    )  # fmt: skip
