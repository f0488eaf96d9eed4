"""The independent verdict: is a returned x a solution? Judged from the exact derivatives only.

KKT conditions for ``min f(x)`` s.t. ``c_E(x) = 0``, ``c_I(x) >= 0``, ``l <= x <= u``:

    grad f(x) = J_E(x)^T lambda_E + J_I(x)^T lambda_I + mu_l - mu_u,
    lambda_I, mu_l, mu_u >= 0,   lambda_I * c_I(x) = 0,   mu_l * (x - l) = 0,   mu_u * (u - x) = 0.

Multipliers are the least-squares ones over the near-active set (equalities; inequalities and bounds
within ``ACTIVE`` of being active), non-negative where they must be (``scipy.optimize.lsq_linear``).
The residuals:

* stationarity       ||grad f - J_A^T lambda_A||_inf
* feasibility        max(|c_E|, max(0, -c_I), max(0, l - x), max(0, x - u))
* complementarity    max |lambda_i c_i(x)| over the active set

(dual feasibility, lambda_I >= 0, holds by construction of the multipliers).

Decision (``Verdict.passed``): the point is feasible (feasibility <= 1e-6 * max(1, size of the
constraint's terms)) and, when the optimal value f* is known, |f - f*| <= 1e-6 max(1, |f*|);
when f* is unknown, stationarity and complementarity are <= 1e-5 max(1, |f(x)|), except for a
convex unconstrained problem: there the optimal value is compared with a reference value f_ref
computed once by Newton's method to the precision limit (:func:`reference_value`). A feasible
stationary point whose f matches one of ``problem.local_minima`` is a known local minimum.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import lsq_linear

from workbench.methods.newton import modified_newton_direction
from workbench.methods.transforms import projected_gradient
from workbench.model import ExactEvaluator, compile_model
from workbench.trace import Verdict

if TYPE_CHECKING:
    from workbench.problem import Problem

__all__ = ["F_TOLERANCE", "KKT", "feasibility", "judge", "kkt_residuals", "stationarity"]

F_TOLERANCE = 1e-6  # relative: |f - f*| <= F_TOLERANCE * max(1, |f*|)
FEASIBILITY_TOLERANCE = 1e-6
STATIONARITY_TOLERANCE = 1e-5
ACTIVE = 1e-4


@dataclasses.dataclass(frozen=True)
class KKT:
    """KKT residuals at a point and the multipliers that produced them."""

    f: float
    stationarity: float
    feasibility: float
    complementarity: float
    multipliers: np.ndarray  # (m,) constraint multipliers (lambda_i >= 0 for inequalities), zeros if inactive
    bound_multipliers: np.ndarray  # (n,) mu_l - mu_u


def _exact(problem: Problem) -> ExactEvaluator:
    """The problem's exact, uncharged evaluator (owned by its compiled model)."""
    return compile_model(problem).exact


def feasibility(problem: Problem, x: np.ndarray, constraints: np.ndarray | None = None) -> float:
    """Largest violation of bounds and constraints at x (0 when feasible)."""
    violation = 0.0
    if problem.bounds is not None:
        violation = max(violation, float(np.max(np.maximum(problem.lower - x, 0.0))))
        violation = max(violation, float(np.max(np.maximum(x - problem.upper, 0.0))))
    if problem.m:
        c = _exact(problem).constraints(x) if constraints is None else constraints
        for i, constraint in enumerate(problem.constraints):
            v = abs(c[i]) if constraint.is_equality else max(0.0, -c[i])
            violation = max(violation, float(v))
    return violation


def stationarity(problem: Problem, x: np.ndarray) -> float:
    """Projected gradient norm (no general constraints) or the full KKT stationarity residual."""
    if problem.m:
        return kkt_residuals(problem, x).stationarity
    g = _exact(problem).gradient(x)
    if problem.bounds is not None:  # components pushing against an active bound do not count
        g = projected_gradient(g, x, problem.lower, problem.upper)
    return float(np.max(np.abs(g))) if g.size else 0.0


def kkt_residuals(problem: Problem, x: np.ndarray) -> KKT:
    """KKT residuals at x with least-squares multipliers over the near-active set."""
    exact = _exact(problem)
    x = np.asarray(x, dtype=float)
    n = problem.n
    f = exact.value(x)
    g = exact.gradient(x)
    columns: list[np.ndarray] = []
    lower_bounds: list[float] = []
    slacks: list[float] = []
    owners: list[tuple[str, int]] = []
    if problem.m:
        c = exact.constraints(x)
        jacobian = np.asarray(exact.jacobian(x))
        for i, constraint in enumerate(problem.constraints):
            scale = max(1.0, float(np.max(np.abs(jacobian[i]))))
            if constraint.is_equality or c[i] <= ACTIVE * scale:
                columns.append(jacobian[i])
                lower_bounds.append(-np.inf if constraint.is_equality else 0.0)
                slacks.append(0.0 if constraint.is_equality else float(c[i]))
                owners.append(("constraint", i))
    else:
        c = np.zeros(0)
    if problem.bounds is not None:
        for i in range(n):
            for side, bound, sign in (("lower", problem.lower[i], 1.0), ("upper", problem.upper[i], -1.0)):
                if np.isfinite(bound) and sign * (x[i] - bound) <= ACTIVE * max(1.0, abs(bound)):
                    column = np.zeros(n)
                    column[i] = sign
                    columns.append(column)
                    lower_bounds.append(0.0)
                    slacks.append(float(sign * (x[i] - bound)))
                    owners.append((side, i))
    multipliers = np.zeros(problem.m)
    bound_multipliers = np.zeros(n)
    if columns:
        matrix = np.array(columns).T  # (n, k)
        lower = np.array(lower_bounds)
        lam = np.linalg.lstsq(matrix, g, rcond=None)[0]  # fast path: signs already right (common)
        if np.any(lam < lower):
            lam = lsq_linear(matrix, g, bounds=(lower, np.full(len(columns), np.inf))).x
        residual = g - matrix @ lam
        complementarity = float(np.max(np.abs(lam * np.array(slacks)))) if lam.size else 0.0
        for value, (kind, i) in zip(lam, owners, strict=True):
            if kind == "constraint":
                multipliers[i] = value
            else:
                bound_multipliers[i] += value if kind == "lower" else -value
    else:
        residual = g
        complementarity = 0.0
    return KKT(
        f=f,
        stationarity=float(np.max(np.abs(residual))) if residual.size else 0.0,
        feasibility=feasibility(problem, x, c if problem.m else None),
        complementarity=complementarity,
        multipliers=multipliers,
        bound_multipliers=bound_multipliers,
    )


def judge(problem: Problem, x: Any, *, f_tolerance: float | None = None) -> Verdict:
    """The verdict at x (see the module docstring); never raises for non-finite x.

    ``f_tolerance`` replaces the relative test |f - f*| <= 1e-6 max(1, |f*|) by the absolute
    |f - f*| <= f_tolerance (a run's ``target``).
    """
    x = np.asarray(x, dtype=float)
    if x.shape != (problem.n,) or not np.all(np.isfinite(x)):
        return Verdict(
            passed=False, optimal_value=False, stationary=False, feasible=False, stationarity=np.inf,
            feasibility=np.inf, complementarity=np.inf, f_error=np.inf,
            x_error=np.inf, local_minimum=None, message="x is not finite",
        )  # fmt: skip
    kkt = kkt_residuals(problem, x)
    f = kkt.f
    scale = max(1.0, abs(f)) if np.isfinite(f) else 1.0
    feasible = kkt.feasibility <= FEASIBILITY_TOLERANCE * _constraint_scale(problem, x)
    stationary = bool(
        np.isfinite(f)
        and kkt.stationarity <= STATIONARITY_TOLERANCE * scale
        and kkt.complementarity <= STATIONARITY_TOLERANCE * scale
    )
    f_star, star = problem.f_star, "f*"
    if f_star is None and problem.convex and not problem.m and problem.bounds is None:
        f_star, star = reference_value(problem), "f_ref"
    f_error = None if f_star is None else abs(f - f_star) if np.isfinite(f) else np.inf
    allowed = None
    if f_star is not None:
        allowed = F_TOLERANCE * max(1.0, abs(f_star)) if f_tolerance is None else f_tolerance
    optimal_value = None if f_error is None else bool(f_error <= allowed)
    x_error = None if problem.x_star is None else float(np.linalg.norm(x - np.array(problem.x_star)))
    local = None
    if feasible and stationary and not optimal_value:
        for value in problem.local_minima:
            if abs(f - value) <= F_TOLERANCE * max(1.0, abs(value)):
                local = value
    passed = bool(feasible and (optimal_value if optimal_value is not None else stationary))
    reasons = []
    if not feasible:
        reasons.append(f"infeasible: violation {kkt.feasibility:.1e}")
    if optimal_value is False:
        reasons.append(f"|f - {star}| = {f_error:.1e} > {allowed:.1e}")
    if not stationary:
        reasons.append(
            f"not stationary: KKT residual {kkt.stationarity:.1e}, complementarity {kkt.complementarity:.1e}"
        )
    if local is not None:
        reasons.append(f"at the known local minimum f = {local:.6g}")
    message = "verdict: solution" if passed else "verdict: " + "; ".join(reasons)
    if star == "f_ref":
        message += f" (f_ref = {f_star:.12g}: the Newton reference value of this convex problem)"
    return Verdict(
        passed=passed,
        optimal_value=optimal_value,
        stationary=stationary,
        feasible=feasible,
        stationarity=kkt.stationarity,
        feasibility=kkt.feasibility,
        complementarity=kkt.complementarity,
        f_error=f_error,
        x_error=x_error,
        local_minimum=local,
        message=message,
    )


@functools.lru_cache(maxsize=64)
def reference_value(problem: Problem) -> float:
    """The minimum of a convex, unconstrained problem with no known f*: Newton's method with exact
    derivatives from x0 (Hessian modification and Armijo backtracking, as ``workbench.methods.newton``)
    run to the precision limit: until the gradient stops shrinking or is at rounding level. Computed
    once per problem (by fingerprint) and used by the verdict in place of f*; messages call it f_ref.
    Uncharged: it is the judge's, not a run's."""
    exact = compile_model(problem).exact
    x = np.array(problem.x0, dtype=float)
    f = exact.value(x)
    best = np.inf
    for _ in range(200):
        g = exact.gradient(x)
        size = float(np.max(np.abs(g))) if g.size else 0.0
        if not size < best or size <= 1e-15 * max(1.0, abs(f)):
            break
        best = size
        hessian = exact.hessian(x, sparse=False)
        direction, _ = modified_newton_direction(np.asarray(hessian, dtype=float), g)
        step, slope = 1.0, float(g @ direction)
        for _ in range(60):
            trial = x + step * direction
            value = exact.value(trial)
            if np.isfinite(value) and value <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break
        x, f = trial, value
    return float(f)


def _constraint_scale(problem: Problem, x: np.ndarray) -> float:
    """max(1, largest |term| of any constraint at x): violations are judged relative to it."""
    return compile_model(problem).constraint_scale(x)
