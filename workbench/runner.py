"""Run one method on one problem in one derivative variant: ``solve``. No I/O of its own.

``solve(problem, method="trust-constr", derivatives="analytic", **options) -> RunResult``

1. The method and its options are checked (an unknown option is an error naming those accepted).
2. One check decides applicability from the method's declared capabilities; a method that cannot
   run returns status ``not_applicable`` with the reason, without building anything.
3. A fresh counting oracle is built for the variant, with the run's evaluation and time limits.
4. The method runs from x0 (projected onto the bounds for methods that handle them); the monitor
   records every iteration with exact measurements.
5. The independent verdict (:mod:`workbench.verdict`) judges the returned x and decides the status.

Failure is data: an exception inside the method, a limit, NaN or a diverging run ends the run with a
status and a message; ``solve`` raises only for bad input (unknown method, option or variant).
"""

from __future__ import annotations

import time
import traceback
import warnings
from typing import Any

import numpy as np

from workbench.methods import get_method
from workbench.methods.base import Monitor, Outcome, Stopping, StopRun, applicability
from workbench.oracle import LimitReached, parse_variant
from workbench.problem import Problem
from workbench.trace import RunResult
from workbench.verdict import exact_oracle, judge

__all__ = ["resolve_options", "solve"]


def resolve_options(method_name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The method's full option set: defaults overridden by ``options``; unknown names are an error."""
    method = get_method(method_name)
    accepted = method.accepted_options()
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(
            f"method {method_name!r} does not take option {', '.join(map(repr, unknown))}; "
            f"it accepts {', '.join(sorted(accepted))}"
        )
    resolved = {**accepted, **options}
    if resolved["max_iterations"] is None:
        resolved["max_iterations"] = method.max_iterations
    if resolved["gtol"] is None:
        resolved["gtol"] = method.gtol
    return resolved


def _recorded(options: dict[str, Any]) -> dict[str, Any]:
    """Options as they are stored: plain values, schedules and arrays as text / lists."""
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
    resolved = resolve_options(method, options)
    parse_variant(derivatives)  # an unknown variant is bad input: raise before anything runs
    x0 = np.array(problem.x0 if resolved["x0"] is None else resolved["x0"], dtype=float).reshape(-1)
    if x0.shape != (problem.n,):
        raise ValueError(f"x0 has {x0.size} entries but {problem.name} has {problem.n} variables")
    if not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 = {x0.tolist()} is not finite")
    seed = int(resolved["seed"])

    def result(status: str, message: str, **fields: Any) -> RunResult:
        defaults: dict[str, Any] = dict(
            x=x0, f=float("nan"), iterations=0, method_iterations=None, counts={}, wall_time=0.0, trace=(),
            claimed_success=False, verdict=None,
        )  # fmt: skip
        defaults.update(fields)
        return RunResult(
            problem=problem.name, method=method, variant=derivatives, options=_recorded(options), seed=seed,
            status=status, message=message, x0=tuple(x0), **defaults,
        )  # fmt: skip

    reason = applicability(implementation.capabilities, problem, derivatives, method)
    if reason is not None:
        return result("not_applicable", reason)

    oracle = problem.oracle(derivatives)
    oracle.set_limits(max_evaluations=resolved["max_evaluations"], time_limit=resolved["time_limit"])
    stopping = Stopping(
        gtol=float(resolved["gtol"]),
        max_iterations=int(resolved["max_iterations"]),
        max_evaluations=resolved["max_evaluations"],
        target=resolved["target"],
        time_limit=resolved["time_limit"],
    )
    if implementation.capabilities.bounds and problem.bounds is not None:
        x0 = np.clip(x0, problem.lower, problem.upper)
    monitor = Monitor(problem, oracle, stopping, x0)
    start = time.perf_counter()
    try:
        monitor.record(0, x0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SciPy's advice to its users; the run's status says the rest
            outcome = implementation.run(oracle, x0, resolved, stopping, monitor)
    except StopRun as stop:
        outcome = Outcome(monitor.last_x, stop.status, stop.message)
    except LimitReached as limit:
        outcome = Outcome(monitor.last_x, limit.status, limit.message)
    except Exception as error:  # failure is data: the caller goes on
        where = traceback.extract_tb(error.__traceback__)[-1]
        outcome = Outcome(
            monitor.last_x,
            "failed",
            f"{type(error).__name__}: {error} (in {where.name}, {where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
        )
    wall_time = time.perf_counter() - start
    x = np.asarray(outcome.x, dtype=float)
    if x.shape != (problem.n,):
        x = monitor.last_x
    tolerance = None if resolved["target"] is None else float(resolved["target"])
    verdict = judge(problem, x, f_tolerance=tolerance)
    with np.errstate(all="ignore"):
        f = float(exact_oracle(problem).value(x)) if np.all(np.isfinite(x)) else float("nan")
    if verdict.passed:
        status = "converged"
        message = outcome.message if outcome.claimed_success else f"{verdict.message} ({outcome.message})"
    elif verdict.local_minimum is not None:
        status, message = "local_minimum", f"{verdict.message} ({outcome.message})"
    elif outcome.claimed_success:
        status, message = "failed", f"method claimed success but {verdict.message} ({outcome.message})"
    else:
        status, message = outcome.status, f"{outcome.message}; {verdict.message}"
    return result(
        status,
        message,
        x=x,
        f=f,
        iterations=monitor.iterations,
        method_iterations=outcome.method_iterations,
        counts=oracle.counts.as_dict(),
        wall_time=wall_time,
        trace=tuple(monitor.records),
        claimed_success=outcome.claimed_success,
        verdict=verdict,
    )
