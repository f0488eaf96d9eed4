"""Finite-difference gradients, Jacobians and Hessians from function values alone.

Every function here takes a *batched* evaluator ``evaluate(points) -> values`` (points of shape
``(p, n)``, values of shape ``(p, m)``), evaluates all its points in one call and returns an
:class:`Estimate` holding the derivative and the exact number of points it evaluated. None of them
sees an exact derivative. Steps follow the scheme (Nocedal & Wright, *Numerical Optimization*,
2nd ed., sec. 8.1; SciPy's ``_numdiff``), with ``scale_i = max(1, |x_i|)`` and eps = 2.2e-16; every
function takes ``typical_x`` (one positive magnitude per variable, Dennis & Schnabel's typical x), and
then ``scale_i = max(typical_x_i, |x_i|)``:

=====================  ===============================================  ============  ==================
scheme                 formula (coordinate i, step h)                   error         f evaluations
=====================  ===============================================  ============  ==================
forward                (f(x + h e_i) - f(x)) / h                        O(h) + eps/h   n beyond f(x)
                       h = sqrt(eps) * scale_i
central                (f(x + h e_i) - f(x - h e_i)) / (2h)             O(h^2) + eps/h 2n
                       h = eps^(1/3) * scale_i
complex step           Im f(x + i h e_i) / h,  h = 1e-20 * scale_i      O(h^2), no     n (complex)
                       (Squire & Trapp 1998)                            cancellation
=====================  ===============================================  ============  ==================

Hessians from values (f only):

* forward second differences, h = eps^(1/3) * scale:
  H_ij = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i) - f(x + h_j e_j) + f(x)) / (h_i h_j) and
  H_ii = (f(x + 2 h_i e_i) - 2 f(x + h_i e_i) + f(x)) / h_i^2; error O(h) + O(eps / h^2);
  cost 1 + 2n + n(n-1)/2 evaluations.
* central second differences, h = eps^(1/4) * scale:
  H_ij = (f(x+h_i e_i+h_j e_j) - f(x+h_i e_i-h_j e_j) - f(x-h_i e_i+h_j e_j) + f(x-h_i e_i-h_j e_j))
  / (4 h_i h_j) and H_ii = (f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)) / h_i^2; error O(h^2) + O(eps/h^2);
  cost 1 + 2n^2 evaluations.
* from a gradient (the complex-step variant differences complex-step gradients, so its Hessian also
  comes from values): column j = (g(x + h e_j) - g(x - h e_j)) / (2h), h = eps^(1/3) * scale,
  symmetrised; error O(h^2) + O(eps/h); cost 2n gradients.

Bounds: no point outside ``[lower, upper]`` is evaluated (given x inside). Where a central stencil
does not fit, the coordinate turns one-sided (forward or backward, second order for the central
scheme: (-3 f(x) + 4 f(x + h e_i) - f(x + 2h e_i)) / (2h)); where even that does not fit, the step
shrinks to the room available. Steps are rounded so that x + h is exactly representable.

Memory: the points of one estimate differ from x in one or two coordinates; they are kept as those
changes and built into arrays :data:`BATCH_ENTRIES` numbers at a time, one ``evaluate`` call per batch
(a forward-difference gradient at n = 100 000 would otherwise need an 80 GB array of points). Dense
Hessians from values need O(n^2) points by nature and are refused above :data:`MAX_HESSIAN_POINTS`.

Natural domain: when a gradient or Jacobian stencil meets a non-finite value (log of a negative
number, say) while f(x) is finite, that coordinate is retried one-sided in the other direction(s),
and the extra evaluations are counted.

Model-optimal steps: :func:`optimal_steps` minimises the textbook truncation + rounding bound
(:func:`model_error`) per variable from exact higher derivatives the caller supplies, for forward and
central gradients and Hessians (a teaching baseline, the ``fd-optimal`` variant). Adaptive
extrapolated differences (``fd-richardson``) are in :mod:`workbench.richardson`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

import numpy as np

__all__ = [
    "EPS",
    "OPTIMAL_STEP_REACH",
    "Estimate",
    "central_fits",
    "common_optimal_steps",
    "complex_step_jacobian",
    "default_step",
    "evaluate_changed",
    "hessian",
    "hessian_from_gradient",
    "jacobian",
    "model_error",
    "optimal_steps",
    "refuse_large_hessian",
    "step_scale",
]

EPS = float(np.finfo(float).eps)

Evaluate = Callable[[np.ndarray], np.ndarray]
FirstOrderScheme = Literal["forward", "central", "complex"]
SecondOrderScheme = Literal["forward", "central"]

#: Relative step factor per scheme: h = factor * max(1, |x|).
STEP_FACTORS: dict[str, float] = {
    "forward": EPS**0.5,
    "central": EPS ** (1 / 3),
    "complex": 1e-20,
    "hessian-forward": EPS ** (1 / 3),
    "hessian-central": EPS**0.25,
    "hessian-from-gradient": EPS ** (1 / 3),
}


#: Numbers (points x coordinates) built into one array of points per ``evaluate`` call (32 MB of floats).
BATCH_ENTRIES = 2**22
#: The most points a dense finite-difference Hessian may need (2n^2 for central differences: n <= 2236).
MAX_HESSIAN_POINTS = 10**7


def evaluate_changed(
    evaluate: Evaluate, x: np.ndarray, changes: list[tuple[tuple[int, complex], ...]], dtype: type = float
) -> np.ndarray:
    """Values, shape (p, m), at the points x with coordinates i set to v for each (i, v) of ``changes``
    (p = len(changes)), built and evaluated in batches of at most :data:`BATCH_ENTRIES` numbers."""
    n = x.shape[0]
    per_batch = max(1, BATCH_ENTRIES // max(n, 1))
    parts = []
    for start in range(0, len(changes), per_batch):
        chunk = changes[start : start + per_batch]
        points = np.tile(x.astype(dtype), (len(chunk), 1))
        for row, change in enumerate(chunk):
            for i, v in change:
                points[row, i] = v
        values = np.asarray(evaluate(points))
        parts.append(values.reshape(len(chunk), -1))
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)


def refuse_large_hessian(n: int, points: int, what: str) -> None:
    """Raise ValueError when a dense Hessian from values would need more than MAX_HESSIAN_POINTS points."""
    if points > MAX_HESSIAN_POINTS:
        raise ValueError(
            f"a {what} Hessian from values at n = {n} needs about {points:.3g} evaluations of f (a dense n x n "
            f"estimate); refused above {MAX_HESSIAN_POINTS:.0e}: use analytic derivatives, a method without a "
            "Hessian, or a quasi-Newton Hessian model"
        )


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A finite-difference derivative and the number of points evaluated to get it."""

    value: np.ndarray
    evaluations: int


def step_scale(x: np.ndarray, typical_x: np.ndarray | None = None) -> np.ndarray:
    """Per-variable scale of a step, shape (n,): max(1, |x_i|), or max(typical_x_i, |x_i|) given
    ``typical_x`` (Dennis & Schnabel's typical x: one positive magnitude per variable)."""
    x = np.asarray(x, dtype=float)
    if typical_x is None:
        return np.maximum(1.0, np.abs(x))
    typical = np.broadcast_to(np.asarray(typical_x, dtype=float), x.shape)
    if not np.all(np.isfinite(typical) & (typical > 0)):
        raise ValueError(f"typical_x must hold one positive finite magnitude per variable, got {typical_x!r}")
    return np.maximum(typical, np.abs(x))


def default_step(kind: str, x: np.ndarray, typical_x: np.ndarray | None = None) -> np.ndarray:
    """The textbook step for ``kind`` (a key of :data:`STEP_FACTORS`): factor * max(1, |x_i|).

    With ``typical_x`` the scale is max(typical_x_i, |x_i|) (Dennis & Schnabel, *Numerical Methods
    for Unconstrained Optimization*, 1983, sec. 5.4 and A5.6.3), so a variable that lives near 1e-6
    gets a step near 1e-6 * factor instead of factor.
    """
    try:
        factor = STEP_FACTORS[kind]
    except KeyError:
        raise ValueError(f"unknown step kind {kind!r}; expected one of {sorted(STEP_FACTORS)}") from None
    return factor * step_scale(x, typical_x)


#: How far the ``fd-optimal`` variant lets a model-optimal step exceed the textbook step (``at_most`` of
#: :func:`optimal_steps`): the Taylor model behind the optimum holds near x only, and where |f_iii| is tiny
#: beside eps_f its optimum runs to steps at which the higher derivatives it ignores dominate (Osborne 1 at a
#: random point with x4 < 0: f ~ 1e53, so eps_f ~ 4e37, and the model asks for h = 1 in x5, over which
#: exp(-320 x5) changes by e^320). 100 x the textbook step costs at most 2 digits of rounding error there.
OPTIMAL_STEP_REACH = 100.0

#: Schemes of :func:`optimal_steps` / :func:`model_error` -> (order of the derivative the truncation term
#: needs, textbook step kind used as the fallback).
OPTIMAL_STEP_SCHEMES: dict[str, tuple[int, str]] = {
    "forward": (2, "forward"),
    "central": (3, "central"),
    "hessian-forward": (3, "hessian-forward"),
    "hessian-central": (4, "hessian-central"),
}


def model_error(scheme: str, step: np.ndarray, *, eps_f: float | np.ndarray, derivative: np.ndarray) -> np.ndarray:
    """Textbook truncation + rounding error bound per variable, shape (n,), at per-variable ``step``.

    ``eps_f`` is the rounding error of one evaluation of f (e.g. eps times the sum of |terms| of f),
    ``derivative`` the per-variable derivative the truncation term needs (see :func:`optimal_steps`).
    The models are those of :mod:`workbench.accuracy` (Nocedal & Wright sec. 8.1; Gill, Murray &
    Wright, *Practical Optimization*, 1981, sec. 8.6), for the Hessian its diagonal entries:

    ==================  ======================================  ==================================
    scheme              error of the estimate with step h       minimised at h*
    ==================  ======================================  ==================================
    forward             h/2 |f_ii| + 2 eps_f / h                2 sqrt(eps_f / |f_ii|)
    central             h^2/6 |f_iii| + eps_f / h               (3 eps_f / |f_iii|)^(1/3)
    hessian-forward     h |f_iii| + 4 eps_f / h^2               (8 eps_f / |f_iii|)^(1/3)
    hessian-central     h^2/12 |f_iiii| + 4 eps_f / h^2         (48 eps_f / |f_iiii|)^(1/4)
    ==================  ======================================  ==================================
    """
    h = np.abs(np.asarray(step, dtype=float))
    d = np.abs(np.asarray(derivative, dtype=float))
    with np.errstate(divide="ignore"):
        if scheme == "forward":
            return 0.5 * h * d + 2.0 * eps_f / h
        if scheme == "central":
            return h**2 / 6.0 * d + eps_f / h
        if scheme == "hessian-forward":
            return h * d + 4.0 * eps_f / h**2
        if scheme == "hessian-central":
            return h**2 / 12.0 * d + 4.0 * eps_f / h**2
    raise ValueError(f"unknown scheme {scheme!r}; expected one of {sorted(OPTIMAL_STEP_SCHEMES)}")


def optimal_steps(
    scheme: str,
    *,
    eps_f: float | np.ndarray,
    derivative: np.ndarray,
    x: np.ndarray,
    typical_x: np.ndarray | None = None,
    at_most: float | None = None,
) -> np.ndarray:
    """Per-variable steps, shape (n,), that minimise the textbook error bound of ``scheme``.

    Minimising the bound of :func:`model_error` (set its derivative in h to zero):

    * ``"forward"`` gradient: d/dh (h/2 |f_ii| + 2 eps_f/h) = 0 gives h* = 2 sqrt(eps_f / |f_ii|), where
      the error is 2 sqrt(eps_f |f_ii|) (truncation and rounding equal);
    * ``"central"`` gradient: h |f_iii| / 3 = eps_f / h^2 gives h* = (3 eps_f / |f_iii|)^(1/3);
    * ``"hessian-forward"`` (diagonal of forward second differences,
      (f(x + 2h e_i) - 2 f(x + h e_i) + f(x)) / h^2 = f_ii + h f_iii + ...): |f_iii| = 8 eps_f / h^3 gives
      h* = (8 eps_f / |f_iii|)^(1/3) = 2 (eps_f / |f_iii|)^(1/3);
    * ``"hessian-central"`` ((f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2 = f_ii + h^2/12 f_iiii + ...):
      h |f_iiii| / 6 = 8 eps_f / h^3 gives h* = (48 eps_f / |f_iiii|)^(1/4).

    The off-diagonal Hessian entries (i, j) then use h_i and h_j. ``derivative`` (n,) is the exact
    derivative the truncation term needs, d^k f / dx_i^k with k = ``OPTIMAL_STEP_SCHEMES[scheme][0]``
    (2, 3, 3, 4); ``eps_f`` (scalar or (n,)) the rounding error of one evaluation of f. Where
    ``eps_f`` or the derivative is zero or not finite (a quadratic has f_iii = 0; at a point where
    every term of f vanishes eps_f is 0) the model has no interior minimum and the textbook step
    :func:`default_step` is used; a step is at most the variable's scale max(typical_x_i, |x_i|)
    (max(1, |x_i|)), beyond which the Taylor model says nothing, and, given ``at_most``, at most
    ``at_most`` times the textbook step (:data:`OPTIMAL_STEP_REACH`, what the ``fd-optimal`` variant uses).
    """
    try:
        _, kind = OPTIMAL_STEP_SCHEMES[scheme]
    except KeyError:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {sorted(OPTIMAL_STEP_SCHEMES)}") from None
    x = np.asarray(x, dtype=float)
    d = np.abs(np.broadcast_to(np.asarray(derivative, dtype=float), x.shape))
    rounding = np.broadcast_to(np.asarray(eps_f, dtype=float), x.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = rounding / d
        if scheme == "forward":
            h = 2.0 * np.sqrt(ratio)
        elif scheme == "central":
            h = np.cbrt(3.0 * ratio)
        elif scheme == "hessian-forward":
            h = 2.0 * np.cbrt(ratio)
        else:
            h = (48.0 * ratio) ** 0.25
    usable = np.isfinite(h) & (h > 0) & np.isfinite(rounding) & (rounding > 0)
    textbook = default_step(kind, x, typical_x)
    cap = step_scale(x, typical_x) if at_most is None else np.minimum(step_scale(x, typical_x), at_most * textbook)
    return np.where(usable, np.minimum(h, cap), textbook)


def common_optimal_steps(
    scheme: str,
    *,
    eps_f: np.ndarray,
    derivatives: np.ndarray,
    x: np.ndarray,
    typical_x: np.ndarray | None = None,
    at_most: float | None = None,
) -> np.ndarray:
    """One step per variable, shape (n,), for k functions differenced at the same points (the rows of a
    Jacobian): of the rows' own :func:`optimal_steps`, per variable the one whose largest
    :func:`model_error` over the rows is smallest (a Jacobian is judged by its largest error).

    ``eps_f`` (k,) are the rows' rounding errors, ``derivatives`` (k, n) their derivatives of the order
    ``scheme`` needs. With one row this is :func:`optimal_steps`; with none, the textbook step.
    """
    x = np.asarray(x, dtype=float)
    eps_f = np.asarray(eps_f, dtype=float).reshape(-1)
    derivatives = np.asarray(derivatives, dtype=float).reshape(eps_f.shape[0], x.shape[0])
    if eps_f.shape[0] == 0:
        return default_step(OPTIMAL_STEP_SCHEMES[scheme][1], x, typical_x)
    options = {"x": x, "typical_x": typical_x, "at_most": at_most}
    candidates = np.array([optimal_steps(scheme, eps_f=e, derivative=d, **options)
                           for e, d in zip(eps_f, derivatives, strict=True)])  # fmt: skip
    if eps_f.shape[0] == 1:
        return candidates[0]
    # errors[c, k, i]: the model error of row k at candidate c (row c's optimum) for variable i
    with np.errstate(invalid="ignore", over="ignore"):
        errors = model_error(scheme, candidates[:, None, :], eps_f=eps_f[None, :, None], derivative=derivatives)
    worst = np.where(np.isnan(errors), np.inf, errors).max(axis=1)
    return candidates[np.argmin(worst, axis=0), np.arange(x.shape[0])]


def central_fits(
    x: np.ndarray, h: np.ndarray, lower: np.ndarray | None = None, upper: np.ndarray | None = None
) -> np.ndarray:
    """Boolean (n,): where the central stencil x +- h e_i stays inside the bounds."""
    plus, minus = _bounds(np.asarray(x, dtype=float), lower, upper)
    return (plus >= h) & (minus >= h)


def _bounds(x: np.ndarray, lower: np.ndarray | None, upper: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    lo = np.full(n, -np.inf) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(n, np.inf) if upper is None else np.asarray(upper, dtype=float)
    return hi - x, x - lo  # room forward, room backward


def _exact(x: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Round steps so that x + step is a float64 number exactly step away from x."""
    return (x + step) - x


def _one_sided_steps(
    h: np.ndarray, plus: np.ndarray, minus: np.ndarray, reach: float, x: np.ndarray | None = None
) -> np.ndarray:
    """Signed steps s with x + k*s inside the bounds for k = 1..reach: forward if it fits, else
    backward, else shrunk to the larger room (and, given x, rounded so x + s is representable and
    x + reach*s does not cross the bound by an ulp)."""
    forward = plus >= reach * h
    backward = ~forward & (minus >= reach * h)
    shrunk = ~forward & ~backward
    s = np.where(forward, h, -h)
    if shrunk.any():
        towards_plus = plus >= minus
        room = np.where(towards_plus, plus, minus) / reach
        s = np.where(shrunk, np.where(towards_plus, room, -room), s)
    if x is None:
        return s
    s = _exact(x, s)
    limit = np.where(s > 0, x + plus, x - minus)  # the bound in the direction of the step
    for _ in range(60):
        beyond = np.where(s > 0, x + reach * s > limit, x + reach * s < limit)
        if not beyond.any():
            break
        s = np.where(beyond, _exact(x, s * (1.0 - 2.0**-40) if reach == 1 else s * 0.999), s)
    return s


class _Points:
    """Collects distinct evaluation points x + sum_k a_k s_k e_k, keyed by their (coordinate, multiple)s."""

    def __init__(self, x: np.ndarray) -> None:
        self.x = x
        self.keys: dict[tuple[tuple[int, float], ...], int] = {}
        self.rows: list[tuple[tuple[int, float], ...]] = []  # each point as its changed coordinates

    def add(self, offsets: tuple[tuple[int, float], ...], steps: np.ndarray) -> int:
        key = tuple(sorted(offsets))
        index = self.keys.get(key)
        if index is None:
            index = len(self.rows)
            self.keys[key] = index
            self.rows.append(tuple((i, self.x[i] + a * steps[i]) for i, a in key))
        return index

    def evaluate(self, evaluate: Evaluate) -> np.ndarray:
        if not self.rows:
            return np.zeros((0, 0))
        return np.asarray(evaluate_changed(evaluate, self.x, self.rows), dtype=float)


def jacobian(
    evaluate: Evaluate,
    x: np.ndarray,
    *,
    scheme: Literal["forward", "central"],
    f0: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    step: np.ndarray | None = None,
    typical_x: np.ndarray | None = None,
) -> Estimate:
    """Forward or central difference Jacobian, shape (m, n), of ``evaluate`` at ``x``.

    ``f0`` = evaluate(x) when already known (it is not counted again). ``step`` overrides the
    textbook step (absolute, per coordinate); ``typical_x`` scales it (:func:`default_step`).
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    h = default_step(scheme, x, typical_x) if step is None else np.broadcast_to(np.abs(step), (n,)).astype(float)
    plus, minus = _bounds(x, lower, upper)
    points = _Points(x)
    stencils: list[tuple[float, list[tuple[int | None, float]]]] = []  # (step, [(point index, weight)])
    needs_f0 = False
    if scheme == "forward":
        s = _one_sided_steps(h, plus, minus, 1.0, x)
        for i in range(n):
            stencils.append((s[i], [(None, -1.0), (points.add(((i, 1.0),), s), 1.0)]))
        needs_f0 = True
    elif scheme == "central":
        central = central_fits(x, h, lower, upper)
        s_one = _one_sided_steps(h, plus, minus, 2.0, x)
        s_central = _exact(x, h)
        for i in range(n):
            if central[i]:
                stencils.append(
                    (
                        s_central[i],
                        [
                            (points.add(((i, -1.0),), s_central), -0.5),
                            (points.add(((i, 1.0),), s_central), 0.5),
                        ],
                    )
                )
            else:  # one-sided, second order
                stencils.append(
                    (
                        s_one[i],
                        [
                            (None, -1.5),
                            (points.add(((i, 1.0),), s_one), 2.0),
                            (points.add(((i, 2.0),), s_one), -0.5),
                        ],
                    )
                )
                needs_f0 = True
    else:
        raise ValueError(f"scheme must be 'forward' or 'central', got {scheme!r}")
    values = points.evaluate(evaluate)
    evaluations = len(points.rows)
    if needs_f0 and f0 is None:
        f0 = np.asarray(evaluate(x[None, :]), dtype=float).reshape(-1)
        evaluations += 1
    if f0 is not None:
        f0 = np.asarray(f0, dtype=float).reshape(-1)
    m = values.shape[1] if values.size else (0 if f0 is None else np.size(f0))
    result = np.empty((m, n))
    with np.errstate(invalid="ignore"):
        for i, (s_i, terms) in enumerate(stencils):
            column = np.zeros(m)
            for index, weight in terms:
                column += weight * (f0 if index is None else values[index])
            result[:, i] = column / s_i
    bad = [i for i in range(n) if not np.all(np.isfinite(result[:, i]))]
    if bad:
        used = np.sign([stencil[0] for stencil in stencils]) if scheme == "forward" else np.zeros(n)
        evaluations += _outside_the_domain(evaluate, x, f0, h, plus, minus, scheme, bad, result, used)
    return Estimate(result, evaluations)


def _outside_the_domain(
    evaluate: Evaluate,
    x: np.ndarray,
    f0: np.ndarray | None,
    h: np.ndarray,
    plus: np.ndarray,
    minus: np.ndarray,
    scheme: str,
    columns: list[int],
    result: np.ndarray,
    used: np.ndarray,
) -> int:
    """Retry columns whose stencil met a non-finite value (a point outside the natural domain, e.g. the
    log of a negative number) one-sided in each direction that fits the bounds: forward
    (f(x + s e_i) - f(x)) / s, or for the central scheme the second-order
    (-3 f(x) + 4 f(x + s e_i) - f(x + 2 s e_i)) / (2 s), s = +-h; a direction already tried (``used``,
    the forward scheme's step sign) is skipped. Returns the evaluations spent."""
    spent = 0
    if f0 is None:
        f0 = np.asarray(evaluate(x[None, :]), dtype=float).reshape(-1)
        spent += 1
    if not np.all(np.isfinite(f0)):
        return spent  # f(x) itself is undefined: nothing to difference against
    reach = 1 if scheme == "forward" else 2
    for i in columns:
        for sign in (1.0, -1.0):
            if sign == used[i] or (plus[i] if sign > 0 else minus[i]) < reach * h[i]:
                continue
            s = (x[i] + sign * h[i]) - x[i]
            points = np.tile(x, (reach, 1))
            points[:, i] = x[i] + s * np.arange(1, reach + 1)
            values = np.asarray(evaluate(points), dtype=float).reshape(reach, -1)
            spent += reach
            with np.errstate(invalid="ignore"):
                if reach == 1:
                    column = (values[0] - f0) / s
                else:
                    column = (-1.5 * f0 + 2.0 * values[0] - 0.5 * values[1]) / s
            if np.all(np.isfinite(column)):
                result[:, i] = column
                break
    return spent


def complex_step_jacobian(
    evaluate_complex: Evaluate,
    x: np.ndarray,
    *,
    step: np.ndarray | None = None,
    typical_x: np.ndarray | None = None,
) -> Estimate:
    """Complex-step Jacobian, shape (m, n): column i = Im F(x + i h e_i) / h (Squire & Trapp 1998).

    Exact up to O(h^2) truncation with no subtractive cancellation, so a tiny h (1e-20 * scale)
    gives full precision. Needs F analytic (holomorphic) in each variable: no Abs, Max, conditionals.
    The real part of every point is x itself, so bounds are never crossed.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    h = default_step("complex", x, typical_x) if step is None else np.broadcast_to(np.abs(step), (n,)).astype(float)
    changes = [((i, complex(x[i], h[i])),) for i in range(n)]
    values = evaluate_changed(evaluate_complex, x, changes, dtype=complex)
    return Estimate((values.imag / h[:, None]).T.copy(), n)


def hessian(
    evaluate: Evaluate,
    x: np.ndarray,
    *,
    scheme: SecondOrderScheme,
    f0: float | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    step: np.ndarray | None = None,
    typical_x: np.ndarray | None = None,
) -> Estimate:
    """Hessian (n, n) of a scalar function from its values by second differences (module docstring).

    ``evaluate`` maps points (p, n) to values (p, 1) or (p,); ``typical_x`` scales the steps.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    kind = "hessian-forward" if scheme == "forward" else "hessian-central"
    if scheme not in ("forward", "central"):
        raise ValueError(f"scheme must be 'forward' or 'central', got {scheme!r}")
    refuse_large_hessian(n, 2 * n * n if scheme == "central" else n * (n + 3) // 2, f"{scheme}-difference")
    h = default_step(kind, x, typical_x) if step is None else np.broadcast_to(np.abs(step), (n,)).astype(float)
    plus, minus = _bounds(x, lower, upper)
    central = central_fits(x, h, lower, upper) if scheme == "central" else np.zeros(n, dtype=bool)
    s = np.where(central, _exact(x, h), _one_sided_steps(h, plus, minus, 2.0, x))
    points = _Points(x)
    plan: list[tuple[int, int, float, list[tuple[int | None, float]]]] = []
    for i in range(n):
        if central[i]:
            terms = [(points.add(((i, 1.0),), s), 1.0), (None, -2.0), (points.add(((i, -1.0),), s), 1.0)]
        else:
            terms = [(points.add(((i, 2.0),), s), 1.0), (points.add(((i, 1.0),), s), -2.0), (None, 1.0)]
        plan.append((i, i, s[i] * s[i], terms))
        for j in range(i + 1, n):
            if central[i] and central[j]:
                terms = [
                    (points.add(((i, 1.0), (j, 1.0)), s), 1.0),
                    (points.add(((i, 1.0), (j, -1.0)), s), -1.0),
                    (points.add(((i, -1.0), (j, 1.0)), s), -1.0),
                    (points.add(((i, -1.0), (j, -1.0)), s), 1.0),
                ]
                plan.append((i, j, 4.0 * s[i] * s[j], terms))
            else:
                terms = [
                    (points.add(((i, 1.0), (j, 1.0)), s), 1.0),
                    (points.add(((i, 1.0),), s), -1.0),
                    (points.add(((j, 1.0),), s), -1.0),
                    (None, 1.0),
                ]
                plan.append((i, j, s[i] * s[j], terms))
    values = points.evaluate(evaluate).reshape(len(points.rows))
    evaluations = len(points.rows)
    if f0 is None:
        f0 = float(np.asarray(evaluate(x[None, :])).reshape(-1)[0])
        evaluations += 1
    result = np.empty((n, n))
    for i, j, denominator, terms in plan:
        total = 0.0
        for index, weight in terms:
            total += weight * (f0 if index is None else values[index])
        result[i, j] = result[j, i] = total / denominator
    return Estimate(result, evaluations)


def hessian_from_gradient(
    gradient: Callable[[np.ndarray], Estimate],
    x: np.ndarray,
    *,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    step: np.ndarray | None = None,
    typical_x: np.ndarray | None = None,
) -> Estimate:
    """Hessian (n, n) as central differences of a gradient estimator, symmetrised (H + H^T) / 2.

    ``gradient(x)`` returns an Estimate of shape (n,); ``evaluations`` sums over its calls.
    ``typical_x`` scales the steps here; pass it to the gradient estimator too if it takes one.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    refuse_large_hessian(n, 2 * n * n, "gradient-difference")
    h = default_step("hessian-from-gradient", x, typical_x) if step is None else np.broadcast_to(np.abs(step), (n,))
    plus, minus = _bounds(x, lower, upper)
    central = central_fits(x, h, lower, upper)
    s_central = _exact(x, h)
    s_one = _one_sided_steps(h, plus, minus, 2.0, x)
    evaluations = 0
    g0: np.ndarray | None = None
    result = np.empty((n, n))

    def at(i: int, a: float, s: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        point = x.copy()
        point[i] = x[i] + a * s[i]
        estimate = gradient(point)
        evaluations += estimate.evaluations
        return np.asarray(estimate.value).reshape(n)

    for j in range(n):
        if central[j]:
            result[:, j] = (at(j, 1.0, s_central) - at(j, -1.0, s_central)) / (2.0 * s_central[j])
        else:
            if g0 is None:
                estimate = gradient(x)
                evaluations += estimate.evaluations
                g0 = np.asarray(estimate.value).reshape(n)
            result[:, j] = (-3.0 * g0 + 4.0 * at(j, 1.0, s_one) - at(j, 2.0, s_one)) / (2.0 * s_one[j])
    return Estimate(0.5 * (result + result.T), evaluations)
