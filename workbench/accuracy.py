"""The derivative-accuracy check: finite-difference variants against exact derivatives.

``check_derivatives(problem)`` evaluates every finite-difference variant at x0, at x_star when known
and at seeded random points inside the bounds, and compares it with the exact derivative there:

* ``abs_error``    = max_i |d_i - d*_i|
* ``rel_error``    = max_i |d_i - d*_i| / max(max_i |d*_i|, floor)   (norm-wise, infinity norm)
* ``digits``       = -log10(rel_error), clipped to [0, 16]      (16 = agreement to the last bit)
* ``evaluations``  = points at which f (or c) was evaluated to get the estimate
* ``predicted``    = the textbook error model: truncation + round-off, from the exact higher
  derivatives at the point (below), maximised over components, at the steps the variant used.

The variants: ``fd-forward``, ``fd-central`` and ``complex-step`` at their textbook steps, scaled by
max(typical_x_i, |x_i|) when the problem declares ``typical_x`` (on such a problem the check also
measures ``fd-forward`` and ``fd-central`` at the unscaled textbook steps, rows labelled
``fd-forward@textbook`` / ``fd-central@textbook``: :func:`workbench.variants.textbook_label`);
``fd-richardson`` (adaptive, extrapolated: :mod:`workbench.richardson`), which has no textbook error
model, so its ``predicted`` is NaN (its own error estimate is a by-product of the tableau, not a model of
the kind the others are checked against); and ``fd-optimal``, the teaching baseline whose steps minimise
the central model from the exact higher derivatives (:func:`workbench.oracle.model_optimal_steps`), with
``predicted`` the central model at those steps.

The scale floor keeps the relative error meaningful where the exact derivative vanishes (a gradient at
a minimiser, a zero Hessian): there max_i |d*_i| is 0 or rounding noise and any estimate would show
0 digits. ``floor`` is the error model's prediction for the simplest scheme, forward differences at
their textbook steps, for the same quantity at the same point: for a gradient
max_i (h_i/2 |f_ii| + 2 eps_f / h_i) with h_i = sqrt(eps) max(1, |x_i|) (the rounding term alone,
eps_f / h, would not do: at the Rosenbrock minimiser every term of f is 0, so eps_f is 0 too); for a
Hessian the forward model below at h = eps^(1/3) max(1, |x|); for a Jacobian the largest row's and for
a constraint Hessian the sum over the constraints. A derivative below the floor cannot be told from
zero by forward differences, so an estimate earns digits only for agreeing below that level: at the
Rosenbrock minimiser forward differences show 0 digits, central 2.6 and complex step 16 (before: 0,
0, 16), while wherever |d*| exceeds the floor (almost everywhere) nothing changes.

Error model (component i, step h_i, eps_f = eps * sum_k |t_k(x)| the rounding error of one
evaluation of f = sum_k t_k, which is eps |f| unless the terms cancel;
f_i, f_ii, f_iii, f_iiii are exact partial derivatives along x_i):

=================  ==========================================  ================================
variant            gradient / Jacobian row                     Hessian from values
=================  ==========================================  ================================
fd-forward         h/2 |f_ii| + 2 eps_f / h                    (h_i |f_iii| + h_j |f_jjj|) / 2
                                                               + 4 eps_f / (h_i h_j)
fd-central         h^2/6 |f_iii| + eps_f / h                   (h_i^2 |f_iiii| + h_j^2 |f_jjjj|) / 12
                                                               + 4 eps_f / (h_i h_j)
complex-step       h^2/6 |f_iii| + eps |f_i|                   h_j^2/6 |f_jjj| + eps |f_i| / h_j
fd-optimal         as fd-central, at its model-optimal steps   as fd-central, at its steps
fd-richardson      none (NaN)                                  none (NaN)
=================  ==========================================  ================================

Mixed higher derivatives in the Hessian model are replaced by diagonal ones (an approximation stated
in the report). Model-optimal steps: forward h* = 2 sqrt(eps_f / |f_ii|), central
h* = (3 eps_f / |f_iii|)^(1/3) (Nocedal & Wright sec. 8.1; Gill, Murray & Wright sec. 8.6).

``step_sweep(problem, x)`` measures the gradient error over steps h = 1e-1 ... 1e-16 for the three
fixed-step schemes next to the model, for the error-versus-step figure, and the step rules side by side
at the same point (``rules``: textbook, scaled by typical_x, adaptive Richardson and model-optimal, each
with its error and the evaluations it spent), so the figure can place them on the V-curve. Near a
minimum the relative error of any difference collapses (the gradient tends to zero while the
truncation error does not): that is why the check compares against the model, not a fixed tolerance.
At integer points a polynomial can make forward differences exact by luck; the random points are
never integers.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench import finite_difference as fd
from workbench.model import compile_model
from workbench.oracle import model_optimal_steps
from workbench.variants import (
    FINITE_DIFFERENCE_VARIANTS,
    FIXED_STEP_VARIANTS,
    SCHEMES,
    TEXTBOOK_STEPS,
    parse_variant,
    textbook_label,
)

if TYPE_CHECKING:
    from workbench.problem import Problem

__all__ = [
    "CHECK_VERSION",
    "CheckRow",
    "SweepResult",
    "check_derivatives",
    "check_points",
    "digits",
    "step_rules",
    "step_sweep",
]

EPS = fd.EPS
MAX_DIGITS = 16.0
#: What a stored check or sweep measures; a stored sweep of another version (its ``"version"``) is stale, and
#: the problem's checks and sweep are made again (2: fd-richardson, fd-optimal, the @textbook rows, rules).
CHECK_VERSION = 2
HESSIAN_CHECK_MAX_SIZE = 30


@dataclasses.dataclass(frozen=True)
class CheckRow:
    """One comparison: a quantity of one variant at one point."""

    problem: str
    point: str
    quantity: str
    variant: str
    abs_error: float
    rel_error: float
    digits: float
    evaluations: int
    predicted_error: float
    componentwise_rel_error: float

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def digits(rel_error: float) -> float:
    """Correct significant digits: -log10(relative error), clipped to [0, 16]; NaN stays NaN.

    ``rel_error`` is relative to max(max_i |d*_i|, floor) (module docstring), as ``_compare`` makes it.
    """
    if not np.isfinite(rel_error):
        return float("nan") if np.isnan(rel_error) else 0.0
    if rel_error <= 0:
        return MAX_DIGITS
    return float(np.clip(-np.log10(rel_error), 0.0, MAX_DIGITS))


def _compare(estimate: Any, exact: Any, floor: float = 0.0) -> tuple[float, float, float, float]:
    """(abs_error, rel_error, digits, componentwise) of ``estimate`` against ``exact``; the relative
    error's scale is max(max_i |exact_i|, floor) (module docstring: the scale floor)."""
    estimate = np.asarray(_dense(estimate), dtype=float)
    exact = np.asarray(_dense(exact), dtype=float)
    error = np.abs(estimate - exact)
    abs_error = float(np.max(error)) if error.size else 0.0
    scale = max(float(np.max(np.abs(exact))) if exact.size else 0.0, floor if np.isfinite(floor) else 0.0)
    rel_error = abs_error / scale if scale > 0 else (0.0 if abs_error == 0 else float("inf"))
    nonzero = np.abs(exact) > 0
    componentwise = float(np.max(error[nonzero] / np.abs(exact[nonzero]))) if nonzero.any() else rel_error
    return abs_error, rel_error, digits(rel_error), componentwise


def _floor(problem: Problem, quantity: str, derivative_values: list[dict[str, Any]], x: np.ndarray) -> float:
    """The scale floor of the relative error: the forward-difference model error at the textbook
    steps max(1, |x_i|) for ``quantity`` (module docstring), whatever ``typical_x`` the problem
    declares, so that every row of one quantity at one point is judged on the same scale."""
    return predicted_error(problem, "fd-forward", quantity, derivative_values, x, textbook=True)


def _dense(matrix: Any) -> Any:
    return matrix.toarray() if hasattr(matrix, "toarray") else matrix


def check_points(problem: Problem, *, random_points: int = 2, seed: int = 0) -> dict[str, np.ndarray]:
    """``{label: x}``: x0, x_star (when known) and seeded random points inside the bounds.

    Random points are drawn from the box (10% away from finite bounds) or, where a variable is
    unbounded, from x0_i +- max(1, |x0_i|)/2; the seed mixes ``seed`` with the problem's name, so
    points do not depend on global state or on the order problems are checked in.
    """
    points = {"x0": np.array(problem.x0)}
    if problem.x_star is not None:
        points["x_star"] = np.array(problem.x_star)
    rng = np.random.default_rng([seed, zlib.crc32(problem.name.encode())])
    lower, upper = problem.lower, problem.upper
    x0 = np.clip(np.array(problem.x0), lower, upper)
    for k in range(random_points):
        spread = 0.5 * np.maximum(1.0, np.abs(x0))
        lo = np.where(np.isfinite(lower), lower, x0 - spread)
        hi = np.where(np.isfinite(upper), upper, x0 + spread)
        margin = 0.1 * (hi - lo)
        points[f"random-{k + 1}"] = rng.uniform(lo + margin, hi - margin)
    return points


def _rounding(d: dict[str, Any]) -> float:
    """eps_f: the rounding error of one evaluation, eps times the sum of |terms| of the expression
    (for f = a - b with a ~ b this is eps (|a| + |b|), not eps |f|)."""
    return EPS * max(d["magnitude"], np.finfo(float).tiny)


def predicted_first_derivative_error(
    variant: str, d: dict[str, Any], h: np.ndarray, central: np.ndarray | None = None
) -> np.ndarray:
    """Per-component textbook error of a gradient (or Jacobian row) estimate with steps ``h``.

    ``central`` (bool per component) marks where the central stencil fits inside the bounds; elsewhere
    the central scheme is one-sided second order: h^2/3 |f_iii| + 4 eps_f / h.
    """
    eps_f = _rounding(d)
    if variant == "fd-forward":
        return 0.5 * h * np.abs(d["d2"]) + 2.0 * eps_f / h
    if variant in ("fd-central", "fd-optimal"):
        model = h**2 / 6.0 * np.abs(d["d3"]) + eps_f / h
        if central is not None:
            model = np.where(central, model, h**2 / 3.0 * np.abs(d["d3"]) + 4.0 * eps_f / h)
        return model
    if variant == "complex-step":
        return h**2 / 6.0 * np.abs(d["d3"]) + EPS * np.abs(d["d1"])
    raise ValueError(f"no error model for variant {variant!r}")


def predicted_hessian_error(
    variant: str, d: dict[str, Any], h: np.ndarray, central: np.ndarray | None = None
) -> np.ndarray:
    """(n, n) textbook error of a Hessian-from-values estimate, entry by entry.

    With t_i = |f_iij|, t_j = |f_ijj|, q_i = |f_iiij|, q_j = |f_ijjj| (upper triangle, i <= j):

    * forward:  (h_i t_i + h_j t_j) / 2 + 4 eps_f / (h_i h_j)   (diagonal: h |f_iii| + 4 eps_f / h^2)
    * central:  (h_i^2 q_i + h_j^2 q_j) / 6 + eps_f / (h_i h_j) (diagonal: h^2/12 |f_iiii| + 4 eps_f/h^2);
      the forward model where a stencil does not fit inside the bounds
    * complex step (central differences of complex-step gradients, symmetrised):
      (h_j^2 q_j + h_i^2 q_i) / 12 + eps (|f_i| / h_j + |f_j| / h_i) / 2
    """
    eps_f = _rounding(d)
    n = h.size
    hi, hj = h[:, None], h[None, :]
    t_i, t_j, q_i, q_j = d["t_i"], d["t_j"], d["q_i"], d["q_j"]
    diagonal = np.eye(n, dtype=bool)
    forward = np.where(diagonal, hi * t_i, 0.5 * (hi * t_i + hj * t_j)) + 4.0 * eps_f / (hi * hj)
    if variant == "fd-forward":
        model = forward
    elif variant in ("fd-central", "fd-optimal"):
        model = np.where(
            diagonal,
            hi**2 * q_i / 12.0 + 4.0 * eps_f / (hi * hj),
            (hi**2 * q_i + hj**2 * q_j) / 6.0 + eps_f / (hi * hj),
        )
        if central is not None:
            model = np.where(central[:, None] & central[None, :], model, forward)
    elif variant == "complex-step":
        gradient = np.abs(d["d1"])
        model = (hj**2 * q_j + hi**2 * q_i) / 12.0 + 0.5 * EPS * (gradient[:, None] / hj + gradient[None, :] / hi)
    else:
        raise ValueError(f"no error model for variant {variant!r}")
    upper = np.triu(model)
    return upper + np.triu(model, 1).T


def optimal_steps(variant: str, d: dict[str, Any], x: np.ndarray | None = None) -> np.ndarray:
    """Model-optimal gradient steps per component (inf where the relevant derivative vanishes); given x,
    at most the variable's scale max(1, |x_i|) and :data:`~workbench.finite_difference.OPTIMAL_STEP_REACH`
    times the textbook step, as ``fd-optimal`` caps them (beyond, the Taylor model says nothing)."""
    eps_f = _rounding(d)
    with np.errstate(divide="ignore"):
        if variant == "fd-forward":
            steps = 2.0 * np.sqrt(eps_f / np.abs(d["d2"]))
        elif variant == "fd-central":
            steps = np.cbrt(3.0 * eps_f / np.abs(d["d3"]))
        else:
            return np.full(np.shape(d["d1"]), np.inf)
    if x is None:
        return steps
    scale = np.maximum(1.0, np.abs(np.asarray(x, dtype=float)))
    cap = np.minimum(scale, fd.OPTIMAL_STEP_REACH * fd.default_step(_GRADIENT_STEP[variant], x))
    return np.where(np.isfinite(steps), np.minimum(steps, cap), steps)


#: The textbook step rule of each fixed-step variant (:data:`workbench.finite_difference.STEP_FACTORS`).
_GRADIENT_STEP = {v: SCHEMES[v] for v in FIXED_STEP_VARIANTS}
_HESSIAN_STEP = {
    "fd-forward": "hessian-forward",
    "fd-central": "hessian-central",
    "complex-step": "hessian-from-gradient",
}
QUANTITIES = ("gradient", "hessian", "jacobian", "constraint_hessian")


def variant_steps(problem: Problem, variant: str, quantity: str, x: np.ndarray, *, textbook: bool = False) -> Any:
    """The steps (n,) the oracle of ``variant`` differences ``quantity`` (one of :data:`QUANTITIES`) with
    at x: the textbook rule scaled by max(typical_x_i, |x_i|) (by max(1, |x_i|) with ``textbook`` or
    without a declared typical_x), the model-optimal steps of ``fd-optimal``, None for ``fd-richardson``
    (its steps are chosen per entry by its ladder)."""
    base = parse_variant(variant).base
    if base == "fd-richardson":
        return None
    if base == "fd-optimal":
        return model_optimal_steps(compile_model(problem), quantity, x)
    rule = (_GRADIENT_STEP if quantity in ("gradient", "jacobian") else _HESSIAN_STEP)[base]
    typical = None if textbook or problem.typical_x is None else np.array(problem.typical_x, dtype=float)
    return fd.default_step(rule, x, typical)


def check_derivatives(
    problem: Problem,
    *,
    variants: Sequence[str] = FINITE_DIFFERENCE_VARIANTS,
    points: dict[str, np.ndarray] | None = None,
    random_points: int = 2,
    seed: int = 0,
    hessians: bool | None = None,
    textbook: bool = True,
) -> list[CheckRow]:
    """Compare each finite-difference variant with the exact derivatives at each point.

    Variants the problem cannot use (complex step on a non-smooth problem) are left out. Hessian
    rows are skipped when ``hessians`` is False; by default they are checked up to n = 30 (a Hessian
    from values costs O(n^2) evaluations). On a problem that declares ``typical_x`` and with
    ``textbook``, ``fd-forward`` and ``fd-central`` are also measured at their unscaled textbook steps
    (rows :func:`workbench.variants.textbook_label`, estimated with the same stencils and counted the same
    way), so the scaled and the textbook rule stand side by side.
    """
    if hessians is None:
        hessians = problem.n <= HESSIAN_CHECK_MAX_SIZE
    if points is None:
        points = check_points(problem, random_points=random_points, seed=seed)
    variants = [v for v in variants if v != "complex-step" or problem.is_smooth]
    compiled = compile_model(problem)
    exact = compiled.exact
    model = compiled.error_model
    order = 4 if hessians and any(parse_variant(v).exact_higher_derivatives for v in variants) else 3
    weights = np.ones(problem.m)
    labels = [(v, False) for v in variants]
    if textbook and problem.typical_x is not None:
        labels = [entry for v in variants for entry in ([(v, True)] if v in TEXTBOOK_STEPS else []) + [(v, False)]]
    rows: list[CheckRow] = []
    for label, x in points.items():
        x = np.asarray(x, dtype=float)
        truth = {"gradient": exact.gradient(x)}
        if hessians:
            truth["hessian"] = exact.hessian(x)
        if problem.m:
            truth["jacobian"] = exact.jacobian(x)
            if hessians:
                truth["constraint_hessian"] = exact.constraint_hessian(x, weights)
        derivative_values = [model.values(k, x, hessian=hessians, order=order) for k in range(problem.m + 1)]
        for variant, unscaled in labels:
            for quantity, true_value in truth.items():
                if unscaled:
                    estimate, spent = _textbook_estimate(compiled, variant, quantity, x, weights)
                else:
                    estimate, spent = _oracle_estimate(problem, variant, quantity, x, weights)
                predicted = predicted_error(problem, variant, quantity, derivative_values, x, textbook=unscaled)
                floor = _floor(problem, quantity, derivative_values, x)
                abs_error, rel_error, n_digits, componentwise = _compare(estimate, true_value, floor)
                rows.append(
                    CheckRow(
                        problem=problem.name,
                        point=label,
                        quantity=quantity,
                        variant=textbook_label(variant) if unscaled else variant,
                        abs_error=abs_error,
                        rel_error=rel_error,
                        digits=n_digits,
                        evaluations=spent,
                        predicted_error=predicted,
                        componentwise_rel_error=componentwise,
                    )
                )
    return rows


def _oracle_estimate(problem: Problem, variant: str, quantity: str, x: np.ndarray, weights: np.ndarray) -> Any:
    """(estimate, evaluations) of ``quantity`` from a fresh oracle (no value to reuse, counts from 0)."""
    oracle = problem.oracle(variant, sparse=False)
    if quantity == "gradient":
        return oracle.gradient(x), oracle.counts.objective_evaluations
    if quantity == "hessian":
        return oracle.hessian(x), oracle.counts.objective_evaluations
    if quantity == "jacobian":
        return oracle.jacobian(x), oracle.counts.constraint_evaluations
    return oracle.constraint_hessian(x, weights), oracle.counts.constraint_evaluations


def _textbook_estimate(model: Any, variant: str, quantity: str, x: np.ndarray, weights: np.ndarray) -> Any:
    """(estimate, evaluations) of ``quantity`` by ``variant``'s stencils at the unscaled textbook steps
    max(1, |x_i|) (what the oracle does on the same problem without typical_x)."""
    scheme = SCHEMES[variant]
    bounds = {"lower": model.problem.lower, "upper": model.problem.upper}
    if quantity in ("gradient", "jacobian"):
        function = model.objective if quantity == "gradient" else model.constraints
        estimate = fd.jacobian(function, x, scheme=scheme, **bounds)
        return (estimate.value[0] if quantity == "gradient" else estimate.value), estimate.evaluations
    function = model.objective if quantity == "hessian" else (lambda points: model.constraints(points) @ weights)
    estimate = fd.hessian(function, x, scheme=scheme, **bounds)
    return estimate.value, estimate.evaluations


def predicted_error(
    problem: Problem,
    variant: str,
    quantity: str,
    derivative_values: list[dict[str, Any]],
    x: np.ndarray,
    *,
    textbook: bool = False,
) -> float:
    """The model's max abs error of ``quantity`` (:data:`QUANTITIES`) with the steps the variant uses
    (:func:`variant_steps`; ``textbook``: the unscaled textbook steps); NaN for ``fd-richardson``.
    ``derivative_values`` are the error model's values of f and every c_k at x (which 0, 1, ..., m): a
    Jacobian's error is its worst row's, a constraint Hessian's (weights 1) the sum over the constraints."""
    h = variant_steps(problem, variant, quantity, x, textbook=textbook)
    if h is None:
        return float("nan")
    base = parse_variant(variant).base
    central = fd.central_fits(x, h, problem.lower, problem.upper)
    if quantity in ("gradient", "jacobian"):
        errors = [float(np.max(predicted_first_derivative_error(base, d, h, central)))
                  for d in (derivative_values[:1] if quantity == "gradient" else derivative_values[1:])]  # fmt: skip
        return max(errors, default=0.0)
    errors = [float(np.max(predicted_hessian_error(base, d, h, central)))
              for d in (derivative_values[:1] if quantity == "hessian" else derivative_values[1:])]  # fmt: skip
    return sum(errors)


@dataclasses.dataclass(frozen=True)
class SweepResult:
    """Gradient error against relative step h (step_i = h * max(1, |x_i|)) for each scheme.

    ``measured[variant]`` and ``model[variant]`` are norm-wise relative errors, shape (len(steps),);
    ``optimal_step[variant]`` is the model-optimal relative step (NaN for complex step: any tiny h)
    and ``rule_of_thumb[variant]`` the textbook relative step. ``rules`` are the step rules measured at the
    same point (:func:`step_rules`) and ``typical_x`` the problem's declared one (None if none).
    """

    problem: str
    x: np.ndarray
    steps: np.ndarray
    measured: dict[str, np.ndarray]
    model: dict[str, np.ndarray]
    optimal_step: dict[str, float]
    rule_of_thumb: dict[str, float]
    rules: tuple[dict[str, Any], ...] = ()
    typical_x: tuple[float, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain lists and floats (for the result store and the figures)."""
        return {
            "x": self.x.tolist(), "steps": self.steps.tolist(),
            "measured": {k: v.tolist() for k, v in self.measured.items()},
            "model": {k: v.tolist() for k, v in self.model.items()},
            "optimal_step": self.optimal_step, "rule_of_thumb": self.rule_of_thumb,
            "rules": [dict(rule) for rule in self.rules],
            "typical_x": None if self.typical_x is None else list(self.typical_x), "version": CHECK_VERSION,
        }  # fmt: skip


def step_rules(problem: Problem, x: np.ndarray) -> list[dict[str, Any]]:
    """The gradient step rules side by side at x, each through a fresh oracle (or, for the unscaled
    textbook rule on a problem with ``typical_x``, the same stencils), as plain dicts:

    ``variant``; ``rule``: ``"textbook"`` (max(1, |x_i|) scale; on a problem without typical_x this is what
    the oracle does), ``"scaled"`` (max(typical_x_i, |x_i|), only where typical_x is declared),
    ``"adaptive"`` (fd-richardson) or ``"model-optimal"`` (fd-optimal, exact higher derivatives);
    ``error``: max_i |g_i - g*_i| / max_i |g*_i| (the sweep's measure); ``digits`` (:func:`digits` of it);
    ``evaluations`` of f; ``model_reads``: exact-derivative reads (fd-optimal, not work); ``steps``: the
    relative steps step_i / max(1, |x_i|) per variable (None for the adaptive rule).
    """
    x = np.asarray(x, dtype=float)
    compiled = compile_model(problem)
    exact = compiled.gradient(x)
    scale = float(np.max(np.abs(exact))) or 1.0
    scaling = np.maximum(1.0, np.abs(x))
    weights = np.ones(problem.m)
    entries: list[tuple[str, str, bool]] = [("fd-forward", "textbook", True), ("fd-central", "textbook", True)]
    if problem.typical_x is not None:
        entries += [("fd-forward", "scaled", False), ("fd-central", "scaled", False)]
    entries += [("fd-richardson", "adaptive", False), ("fd-optimal", "model-optimal", False)]
    rules = []
    for variant, rule, unscaled in entries:
        reads = 0
        if unscaled:
            estimate, spent = _textbook_estimate(compiled, variant, "gradient", x, weights)
        else:
            oracle = problem.oracle(variant, sparse=False)
            estimate, spent = oracle.gradient(x), oracle.counts.objective_evaluations
            reads = oracle.counts.error_model_evaluations
        error = float(np.max(np.abs(estimate - exact))) / scale
        h = variant_steps(problem, variant, "gradient", x, textbook=unscaled)
        rules.append({"variant": variant, "rule": rule, "error": error, "digits": digits(error), "evaluations": spent,
                      "model_reads": reads, "steps": None if h is None else (h / scaling).tolist()})  # fmt: skip
    return rules


def step_sweep(
    problem: Problem,
    x: np.ndarray | None = None,
    *,
    steps: np.ndarray | None = None,
    variants: Sequence[str] = FIXED_STEP_VARIANTS,
    rules: bool = True,
) -> SweepResult:
    """Measured and modelled gradient error of each fixed-step scheme over steps 1e-1 ... 1e-16 at ``x``,
    and (``rules``) the step rules at the same point (:func:`step_rules`)."""
    if x is None:
        x = check_points(problem, random_points=1)["random-1"]
    x = np.asarray(x, dtype=float)
    steps = np.logspace(-1, -16, 61) if steps is None else np.asarray(steps, dtype=float)
    variants = [v for v in variants if v != "complex-step" or problem.is_smooth]
    compiled = compile_model(problem)
    exact = compiled.gradient(x)
    scale = float(np.max(np.abs(exact))) or 1.0
    d = compiled.error_model.values(0, x)
    scaling = np.maximum(1.0, np.abs(x))
    measured, model, optimal, thumb = {}, {}, {}, {}
    for variant in variants:
        errors, predictions = [], []
        for h in steps:
            step = h * scaling
            if variant == "complex-step":
                estimate = fd.complex_step_jacobian(compiled.objective_complex, x, step=step).value[0]
            else:
                scheme = _GRADIENT_STEP[variant]
                estimate = fd.jacobian(compiled.objective, x, scheme=scheme, step=step).value[0]
            errors.append(float(np.max(np.abs(estimate - exact))) / scale)
            predictions.append(float(np.max(predicted_first_derivative_error(variant, d, step))) / scale)
        measured[variant] = np.array(errors)
        model[variant] = np.array(predictions)
        best = optimal_steps(variant, d, x) / scaling
        finite = best[np.isfinite(best)]
        optimal[variant] = float(np.median(finite)) if finite.size else float("nan")
        thumb[variant] = fd.STEP_FACTORS[_GRADIENT_STEP[variant]]
    measured_rules = tuple(step_rules(problem, x)) if rules else ()
    return SweepResult(problem.name, x, steps, measured, model, optimal, thumb, measured_rules, problem.typical_x)
