"""Newton's method, the lecture's x <- x - H^{-1} grad f, made safe; and its pure form for teaching.

Safeguarded form (default; Nocedal & Wright, *Numerical Optimization*, 2nd ed., Alg. 3.3 and 3.1):

1. Hessian modification: find tau >= 0 such that H + tau I has a Cholesky factorization
   L L^T, starting from tau = 0 when min_i H_ii > 0 (else -min_i H_ii + beta, beta = 1e-3) and
   doubling (tau <- max(2 tau, beta)) until the factorization succeeds.
2. Direction p = -(H + tau I)^{-1} g, a descent direction.
3. Backtracking Armijo line search: alpha = 1, halved until
   f(x + alpha p) <= f(x) + c1 alpha g^T p, c1 = 1e-4 (at most 60 halvings, else status failed).

Near a minimum with positive definite Hessian tau = 0 and alpha = 1: the pure Newton step, with
quadratic convergence (visible in the trace on Rosenbrock).

Pure form (``pure=True``): x <- x - H^{-1} g with no modification and no line search; a singular
Hessian ends the run with status ``failed``; it may converge to saddle points or diverge.
Needs a Hessian: with a finite-difference variant each Hessian costs O(n^2) evaluations.
Unconstrained problems only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg

from workbench.methods.base import Capabilities, Method, Option, Outcome, Recorder, Stopping
from workbench.oracle import Oracle

__all__ = ["Newton", "modified_newton_direction"]


def modified_newton_direction(
    hessian: np.ndarray, gradient: np.ndarray, beta: float = 1e-3
) -> tuple[np.ndarray, float]:
    """(p, tau): p = -(H + tau I)^{-1} g with the smallest tau of the doubling sequence making
    H + tau I positive definite (Nocedal & Wright Alg. 3.3)."""
    n = gradient.size
    smallest = float(np.min(np.diag(hessian))) if n else 1.0
    tau = 0.0 if smallest > 0 else -smallest + beta
    identity = np.eye(n)
    for _ in range(200):
        try:
            factor = linalg.cho_factor(hessian + tau * identity, lower=True, check_finite=True)
            return -linalg.cho_solve(factor, gradient), tau
        except linalg.LinAlgError:
            tau = max(2.0 * tau, beta)
    raise linalg.LinAlgError("no shift tau made the Hessian positive definite")


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be true or false, got {value!r}")
    return bool(value)


class Newton(Method):
    """See the module docstring."""

    name = "newton"
    summary = "Newton's method with Hessian modification and Armijo backtracking (pure=True: unit steps)"
    capabilities = Capabilities(hessian=True, dense_hessian=True)
    options = {"pure": Option(False, _boolean, "unit steps, no safeguards")}
    max_iterations = 500

    def run(
        self, oracle: Oracle, x0: np.ndarray, options: dict[str, Any], stopping: Stopping, recorder: Recorder
    ) -> Outcome:
        pure = bool(options["pure"])
        x = np.array(x0, dtype=float)
        f = None if pure else oracle.value(x)
        for k in range(stopping.max_iterations):
            g = oracle.gradient(x)
            if not np.all(np.isfinite(g)):
                return Outcome(x, "diverged", f"gradient is not finite after {k} updates")
            if float(np.max(np.abs(g), initial=0.0)) <= stopping.gtol:
                return Outcome(x, "success", f"gradient norm <= gtol = {stopping.gtol:g}")
            hessian = oracle.hessian(x)
            hessian = hessian.toarray() if hasattr(hessian, "toarray") else np.asarray(hessian)
            if not np.all(np.isfinite(hessian)):
                return Outcome(x, "failed", f"Hessian is not finite after {k} updates")
            if pure:
                try:
                    p = -linalg.solve(hessian, g, assume_a="sym")
                except (linalg.LinAlgError, ValueError) as error:
                    return Outcome(x, "failed", f"singular Hessian after {k} updates: {error}")
                x = x + p
                recorder.record(k + 1, x, step_size=float(np.linalg.norm(p)))
                continue
            try:
                p, _ = modified_newton_direction(hessian, g)
            except linalg.LinAlgError as error:
                return Outcome(x, "failed", f"Hessian modification failed after {k} updates: {error}")
            slope = float(g @ p)
            alpha = 1.0
            for _ in range(60):
                trial = x + alpha * p
                f_trial = oracle.value(trial)
                if np.isfinite(f_trial) and f_trial <= f + 1e-4 * alpha * slope:
                    break
                alpha *= 0.5
            else:
                return Outcome(x, "failed", f"line search found no decrease after {k} updates")
            x, f = trial, f_trial
            recorder.record(k + 1, x, step_size=float(alpha * np.linalg.norm(p)))
        return Outcome(x, "max_iterations", f"{stopping.max_iterations} updates made")
