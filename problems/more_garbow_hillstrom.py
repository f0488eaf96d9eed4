"""The Moré-Garbow-Hillstrom (MGH) test set: 35 unconstrained least-squares problems.

Source: J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing Unconstrained Optimization
Software", ACM Transactions on Mathematical Software 7(1):17-41, 1981 ("the paper"). Every problem
is f(x) = sum_i f_i(x)^2 over the paper's residuals f_i, started from the paper's x0. The residuals
of every instance are available as ``residuals(name)``.

Instances (38)
--------------
Each of the 35 functions is a plain function returning a Problem; the module-level ``mghNN_*``
objects are the library. The variable-dimension functions take ``n`` (and ``m`` where the paper
leaves it free) and appear at these standard sizes:

* 20 Watson at n = 6 and n = 9 (the sizes the paper's optima and Algorithm 566 use; ``watson(12)``
  is available with the paper's third optimum).
* 23 Penalty I and 24 Penalty II at n = 4 and n = 10 (the paper gives f* for both sizes).
* 21, 22, 25-34 at n = 10 (Extended Powell at n = 12, a multiple of 4); the three linear functions
  32-34 with m = 2n = 20 (the paper leaves m >= n free; MINPACK's tests use m = 2n and 10n).
* 35 Chebyquad at n = m = 8, the size with the paper's non-zero optimum 3.51687e-3.

Fixed-n functions with a free m use the paper's / MINPACK's usual m: Jennrich-Sampson m = 10, Box
3-D m = 10, Brown-Dennis m = 20, Biggs EXP6 m = 13, Gulf m = 99. Another m appends ``_m{m}`` to
the name.

Facts users trip over
---------------------
* Optimal values. Where the paper prints six digits, f* here was refined (Newton's method on
  the exact gradient in 40-digit mpmath arithmetic, from a float64 trust-region solution); each
  problem's ``notes`` quote the paper's value. Penalty I's f* is computed from a cubic for any n;
  zero optima are exact; the linear functions' optima are closed forms. The two stopping points
  that are not strict minima (Biggs EXP6's saddle, Kowalik-Osborne's limit at infinity) were
  refined in float64.
* Local minima and stationary points. From x0, Freudenstein-Roth (2) stops at its local minimum
  f = 48.98425 and Trigonometric (26, n = 10) at the local minimum f = 2.795056e-5; quasi-Newton
  methods stop on Biggs EXP6 (18) at f = 5.655650e-3, which the paper lists but which is a saddle
  point (one negative Hessian eigenvalue). These values are in ``local_minima``.
* Minima at infinity. Bard (8) has f -> 17.42869 as x2, x3 -> -inf (x1 = mean(y) = 0.84067), and
  Kowalik-Osborne (15) has f -> 1.027343e-3 as x1, x3, x4 -> +-inf (x2 = -14.0759); a run drifting
  off to infinity is approaching these, not diverging at random.
* Gulf research and development (11). The paper prints f_i = exp(-|y_i m i x_2|^x3 / x1) - t_i;
  "m i" is a misprint for a minus sign: f_i = exp(-|y_i - x2|^x3 / x1) - t_i with t_i = i/100,
  y_i = 25 + (-50 ln t_i)^(2/3). We use m = 99 as Algorithm 566 (the paper's Fortran) does; the
  paper allows n <= m <= 100 and some codes use 100 (f(x0) = 12.18532 instead of 12.11071).
  |u|^x3 is written exp(x3 log(u^2) / 2): the same function, smooth wherever u != 0, which keeps
  SymPy from turning it into Abs (non-smooth, and its Hessian needs DiracDelta).
* Helical valley (7). The paper's theta = arctan(x2/x1)/(2 pi) (+ 1/2 for x1 < 0) has its branch
  cut on the negative x2 axis; x0 = (-1, 0, 0) lies on the negative x1 axis, where atan2 would cut.
  We write theta = arctan(-x1 / (r + x2)) / pi + 1/4 with r = |(x1, x2)|, equal to the paper's
  theta off the cut and built from functions symengine differentiates.
* Badly scaled: Powell (3) and Brown (4) badly scaled and Meyer (10) (x1 ~ 5.6e-3, x2 ~ 6.2e3);
  Penalty I/II weight most squared residuals by a = 1e-5. Data are the paper's printed (rounded) values,
  e.g. Kowalik-Osborne's u = 0.167, 0.0833, 0.0714 for 1/6, 1/12, 1/14.
* Non-unique minimizers: Box 3-D, Biggs EXP6, Brown almost-linear, Chebyquad (any permutation),
  the rank-1 linear functions (a whole hyperplane). ``x_star`` is one of them, so distance to
  ``x_star`` is not a convergence measure there; compare f with f*.
* Singular Hessian at the solution: Powell singular (13), Extended Powell (22): Newton-type
  methods converge only linearly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import sympy as sp

from workbench import Problem

_RESIDUALS: dict[str, tuple[sp.Expr, ...]] = {}

#: Appended to an instance's notes when its f* was refined from the paper's printed value.
_REFINED = "f* refined by Newton's method in 40-digit mpmath arithmetic from the paper's {}."


def residuals(name: str) -> tuple[sp.Expr, ...]:
    """The residuals f_1, ..., f_m of MGH instance ``name``; its objective is their sum of squares."""
    return _RESIDUALS[name]


def _variables(n: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.symbols(f"x1:{n + 1}", real=True))


def _square(r: sp.Expr) -> sp.Expr:
    # Pow(..., evaluate=False) skips SymPy's costly checks when squaring a sum (same expression).
    return r**2 if r.is_Number else sp.Pow(r, 2, evaluate=False)


def _problem(
    number: int,
    short: str,
    variables: Sequence[sp.Symbol],
    residual_list: Sequence[sp.Expr],
    *,
    x0: Sequence[float],
    f_star: float | None,
    x_star: Sequence[float] | None = None,
    typical_x: Sequence[float] | None = None,
    tags: Sequence[str] = (),
    local_minima: Sequence[float] = (),
    notes: str = "",
) -> Problem:
    name = f"mgh{number:02d}_{short}"
    terms = tuple(sp.sympify(r) for r in residual_list)
    _RESIDUALS[name] = terms
    return Problem(
        name=name,
        variables=tuple(variables),
        objective=sp.Add(*[_square(r) for r in terms]),
        x0=tuple(float(v) for v in x0),
        f_star=f_star,
        x_star=None if x_star is None else tuple(float(v) for v in x_star),
        typical_x=None if typical_x is None else tuple(float(v) for v in typical_x),
        tags=("mgh", "least-squares", *tags),
        local_minima=tuple(local_minima),
        notes=notes,
        source=f"Moré, Garbow & Hillstrom (1981), problem {number}",
    )


def _suffix(m: int, standard: int) -> str:
    return "" if m == standard else f"_m{m}"


x1, x2, x3, x4, x5, x6 = _variables(6)


# --- 1-19: fixed dimension --------------------------------------------------------------------
def rosenbrock() -> Problem:
    """Problem 1: f1 = 10 (x2 - x1^2), f2 = 1 - x1."""
    return _problem(
        1,
        "rosenbrock",
        (x1, x2),
        [10 * (x2 - x1**2), 1 - x1],
        x0=(-1.2, 1.0),
        f_star=0.0,
        x_star=(1.0, 1.0),
        notes="The banana valley; f(x0) = 24.2.",
    )


def freudenstein_roth() -> Problem:
    """Problem 2: f1 = -13 + x1 + ((5 - x2) x2 - 2) x2, f2 = -29 + x1 + ((x2 + 1) x2 - 14) x2."""
    return _problem(
        2,
        "freudenstein_roth",
        (x1, x2),
        [-13 + x1 + ((5 - x2) * x2 - 2) * x2, -29 + x1 + ((x2 + 1) * x2 - 14) * x2],
        x0=(0.5, -2.0),
        f_star=0.0,
        x_star=(5.0, 4.0),
        local_minima=(48.98425367924002,),
        tags=("local-minima",),
        notes="f(x0) = 400.5 exactly (f1 = 19.5, f2 = -4.5; some sources round it to 400). "
        "Local minimum f = 48.98425367924 at (11.41277898690, -0.8968052532745) (paper: 48.9842): "
        "Newton and quasi-Newton methods started at x0 stop there, not at the global f = 0 at (5, 4).",
    )


def powell_badly_scaled() -> Problem:
    """Problem 3: f1 = 1e4 x1 x2 - 1, f2 = exp(-x1) + exp(-x2) - 1.0001."""
    return _problem(
        3,
        "powell_badly_scaled",
        (x1, x2),
        [10**4 * x1 * x2 - 1, sp.exp(-x1) + sp.exp(-x2) - sp.Rational(10001, 10000)],
        x0=(0.0, 1.0),
        f_star=0.0,
        x_star=(1.0981593296998175e-05, 9.106146739866524),
        typical_x=(1.1e-5, 9.1),
        tags=("badly-scaled",),
        notes="Badly scaled: x* = (1.098e-5, 9.106), six orders of magnitude apart, and the first "
        "residual's Jacobian row is 1e4 times the second's. x_star solved to full precision. typical_x = "
        "x* rounded: forward-difference gradients gain 3 digits at x0 (4.1 -> 7.1) and 5 at x*.",
    )


def brown_badly_scaled() -> Problem:
    """Problem 4: f1 = x1 - 1e6, f2 = x2 - 2e-6, f3 = x1 x2 - 2."""
    return _problem(
        4,
        "brown_badly_scaled",
        (x1, x2),
        [x1 - 10**6, x2 - sp.Rational(2, 10**6), x1 * x2 - 2],
        x0=(1.0, 1.0),
        f_star=0.0,
        x_star=(1e6, 2e-6),
        typical_x=(1e6, 2e-6),
        tags=("badly-scaled",),
        notes="Badly scaled: x* = (1e6, 2e-6); f(x0) = 9.99998e11. Absolute step and gradient "
        "tolerances mean very different things in the two coordinates. typical_x = x*: the textbook "
        "forward step sqrt(eps) max(1, |x2|) = 1.5e-8 is 7000 times x2 near x*; scaled by typical_x it is "
        "3e-14, and forward differences get 6-8 digits instead of 0-3.",
    )


def beale() -> Problem:
    """Problem 5: f_i = y_i - x1 (1 - x2^i), y = (1.5, 2.25, 2.625)."""
    y = (sp.Rational(3, 2), sp.Rational(9, 4), sp.Rational(21, 8))
    return _problem(
        5,
        "beale",
        (x1, x2),
        [y[i - 1] - x1 * (1 - x2**i) for i in (1, 2, 3)],
        x0=(1.0, 1.0),
        f_star=0.0,
        x_star=(3.0, 0.5),
        notes="f(x0) = 14.203125. Also problem 'beale' of the lecture set (same function).",
    )


def jennrich_sampson(m: int = 10) -> Problem:
    """Problem 6: f_i = 2 + 2i - (exp(i x1) + exp(i x2)), i = 1..m (standard m = 10)."""
    standard = m == 10
    return _problem(
        6,
        "jennrich_sampson" + _suffix(m, 10),
        (x1, x2),
        [2 + 2 * i - (sp.exp(i * x1) + sp.exp(i * x2)) for i in range(1, m + 1)],
        x0=(0.3, 0.4),
        f_star=124.36218235561485 if standard else None,
        x_star=(0.2578252136703641,) * 2 if standard else None,
        notes="Non-zero residual: f* = 124.362 for m = 10 at x1 = x2 = 0.2578 (paper). "
        + (_REFINED.format("124.362") if standard else "f* known only for m = 10."),
    )


def helical_valley() -> Problem:
    """Problem 7: f1 = 10 (x3 - 10 theta(x1, x2)), f2 = 10 (|(x1, x2)| - 1), f3 = x3."""
    r = sp.sqrt(x1**2 + x2**2)
    theta = sp.atan(-x1 / (r + x2)) / sp.pi + sp.Rational(1, 4)
    return _problem(
        7,
        "helical_valley",
        (x1, x2, x3),
        [10 * (x3 - 10 * theta), 10 * (r - 1), x3],
        x0=(-1.0, 0.0, 0.0),
        f_star=0.0,
        x_star=(1.0, 0.0, 0.0),
        notes="theta = arctan(-x1 / (r + x2)) / pi + 1/4 equals the paper's arctan(x2/x1)/(2 pi) "
        "(+ 1/2 for x1 < 0) off its branch cut {x1 = 0, x2 < 0}, where theta jumps by 1. "
        "f(x0) = 2500 (theta = 1/2 at x0). Undefined at x1 = x2 = 0.",
    )


_BARD_Y = (0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39)


def bard() -> Problem:
    """Problem 8: f_i = y_i - (x1 + u_i / (v_i x2 + w_i x3)), u = i, v = 16 - i, w = min(u, v)."""
    res = []
    for i in range(1, 16):
        u, v = i, 16 - i
        res.append(_BARD_Y[i - 1] - (x1 + u / (v * x2 + min(u, v) * x3)))
    return _problem(
        8,
        "bard",
        (x1, x2, x3),
        res,
        x0=(1.0, 1.0, 1.0),
        f_star=0.00821487730657898,
        x_star=(0.08241055974978899, 1.1330360920297224, 2.343695178642536),
        local_minima=(float(sp.Rational(163394, 9375)),),
        tags=("local-minima", "minimum-at-infinity"),
        notes="The paper also lists f = 17.4286 at (0.8406, -inf, -inf): as x2, x3 -> -inf the "
        "rational terms vanish and f -> sum (y_i - x1)^2, minimised at x1 = mean(y) = 0.840667 with "
        "f = 163394/9375 = 17.428693 exactly (in local_minima). A run whose x2, x3 run off to -inf "
        "is approaching it. " + _REFINED.format("8.21487e-3"),
    )


_GAUSSIAN_Y = (
    0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
    0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009,
)  # fmt: skip


def gaussian() -> Problem:
    """Problem 9: f_i = x1 exp(-x2 (t_i - x3)^2 / 2) - y_i, t_i = (8 - i)/2."""
    res = [x1 * sp.exp(-x2 * (sp.Rational(8 - i, 2) - x3) ** 2 / 2) - _GAUSSIAN_Y[i - 1] for i in range(1, 16)]
    return _problem(
        9,
        "gaussian",
        (x1, x2, x3),
        res,
        x0=(0.4, 1.0, 0.0),
        f_star=1.1279327696190113e-08,
        x_star=(0.39895613783875666, 1.0000190844878056, 0.0),
        notes="Tiny values: f(x0) = 3.888e-6 and f* = 1.128e-8, so an absolute tolerance of 1e-6 is "
        "met almost at x0; compare relative to f(x0). x3* = 0 by the symmetry of the data. "
        + _REFINED.format("1.12793e-8"),
    )


_MEYER_Y = (
    34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0,
    8261.0, 7030.0, 6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0,
)  # fmt: skip


def meyer() -> Problem:
    """Problem 10: f_i = x1 exp(x2 / (t_i + x3)) - y_i, t_i = 45 + 5i."""
    res = [x1 * sp.exp(x2 / (45 + 5 * i + x3)) - _MEYER_Y[i - 1] for i in range(1, 17)]
    return _problem(
        10,
        "meyer",
        (x1, x2, x3),
        res,
        x0=(0.02, 4000.0, 250.0),
        f_star=87.94585517085112,
        x_star=(0.005609636471028053, 6181.346346286372, 345.2236346241365),
        tags=("badly-scaled",),
        notes="Badly scaled: x* = (5.6e-3, 6181, 345), f(x0) = 1.694e9; the Hessian's diagonal "
        "spans about 20 orders of magnitude, so gradient norms are meaningless without scaling. "
        + _REFINED.format("87.9458"),
    )


def gulf(m: int = 99) -> Problem:
    """Problem 11: f_i = exp(-|y_i - x2|^x3 / x1) - t_i, t_i = i/100, y_i = 25 + (-50 ln t_i)^(2/3)."""
    if not 3 <= m <= 100:
        raise ValueError(f"gulf needs 3 <= m <= 100, got {m}")
    res = []
    with sp.evaluate(False):  # building 99 nested exp/log terms with evaluation is slow
        for i in range(1, m + 1):
            t = i / 100
            y = 25 + (-50 * math.log(t)) ** (2 / 3)
            res.append(sp.exp(-sp.exp(x3 * sp.log((y - x2) ** 2) / 2) / x1) - t)
    return _problem(
        11,
        "gulf" + _suffix(m, 99),
        (x1, x2, x3),
        res,
        x0=(5.0, 2.5, 0.15),
        f_star=0.0,
        x_star=(50.0, 25.0, 1.5),
        notes="The paper's 'y_i m i x2' is a misprint for y_i - x2 (t_i = i/100, "
        "y_i = 25 + (-50 ln t_i)^(2/3)); m = 99 as in Algorithm 566, f(x0) = 12.11071 (m = 100 "
        "gives 12.18532). |y_i - x2|^x3 is written exp(x3 log((y_i - x2)^2) / 2), the same smooth "
        "function, undefined where x2 = y_i and for x1 = 0.",
    )


def box_3d(m: int = 10) -> Problem:
    """Problem 12: f_i = exp(-t_i x1) - exp(-t_i x2) - x3 (exp(-t_i) - exp(-10 t_i)), t_i = i/10."""
    res = []
    for i in range(1, m + 1):
        t = sp.Rational(i, 10)
        res.append(sp.exp(-t * x1) - sp.exp(-t * x2) - x3 * (math.exp(-i / 10) - math.exp(-i)))
    return _problem(
        12,
        "box_3d" + _suffix(m, 10),
        (x1, x2, x3),
        res,
        x0=(0.0, 10.0, 20.0),
        f_star=0.0,
        x_star=(1.0, 10.0, 1.0),
        tags=("multiple-minima",),
        notes="Global minima f = 0 at (1, 10, 1), (10, 1, -1) and on the whole line x1 = x2, x3 = 0; "
        "x_star lists the first. f(x0) = 1031.154 for m = 10.",
    )


def powell_singular() -> Problem:
    """Problem 13: (x1 + 10 x2, sqrt5 (x3 - x4), (x2 - 2 x3)^2, sqrt10 (x1 - x4)^2)."""
    res = [x1 + 10 * x2, sp.sqrt(5) * (x3 - x4), (x2 - 2 * x3) ** 2, sp.sqrt(10) * (x1 - x4) ** 2]
    return _problem(
        13,
        "powell_singular",
        (x1, x2, x3, x4),
        res,
        x0=(3.0, -1.0, 0.0, 1.0),
        f_star=0.0,
        x_star=(0.0, 0.0, 0.0, 0.0),
        notes="The Hessian is singular at x* = 0 (f is quartic along a 2-D subspace), so Newton's "
        "method converges only linearly and x is found to about the fourth root of the f tolerance. "
        "f(x0) = 215.",
    )


def wood() -> Problem:
    """Problem 14: Wood's function as six residuals."""
    res = [
        10 * (x2 - x1**2),
        1 - x1,
        sp.sqrt(90) * (x4 - x3**2),
        1 - x3,
        sp.sqrt(10) * (x2 + x4 - 2),
        (x2 - x4) / sp.sqrt(10),
    ]
    return _problem(
        14,
        "wood",
        (x1, x2, x3, x4),
        res,
        x0=(-3.0, -1.0, -3.0, -1.0),
        f_star=0.0,
        x_star=(1.0, 1.0, 1.0, 1.0),
        notes="f(x0) = 19192. A saddle point at f = 7.876967 near (-0.968, 0.947, -0.970, 0.951) "
        "(one negative Hessian eigenvalue) slows methods that pass near it.",
    )


_KO_Y = (0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246)
_KO_U = (4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625)


def kowalik_osborne() -> Problem:
    """Problem 15: f_i = y_i - x1 (u_i^2 + u_i x2) / (u_i^2 + u_i x3 + x4)."""
    res = [y - x1 * (u**2 + u * x2) / (u**2 + u * x3 + x4) for y, u in zip(_KO_Y, _KO_U, strict=True)]
    return _problem(
        15,
        "kowalik_osborne",
        (x1, x2, x3, x4),
        res,
        x0=(0.25, 0.39, 0.415, 0.39),
        f_star=0.0003075056038492378,
        x_star=(0.1928069345790379, 0.1912823287343668, 0.12305650692632074, 0.13606233068379475),
        local_minima=(0.0010273430486954567,),
        tags=("local-minima", "minimum-at-infinity"),
        notes="The paper also lists f = 1.02734e-3 at (+inf, -14.07, -inf, -inf): with x1, x3, x4 "
        "growing in proportion the model tends to (u^2 + u x2) / (c u + d); that limit's minimum, "
        "1.0273430487e-3 at x2 = -14.0759 (float64 least squares; in local_minima), is approached "
        "by runs that run off to infinity. Data u = 0.167, 0.0833, 0.0714 are the paper's "
        "rounded 1/6, 1/12, 1/14. " + _REFINED.format("3.07505e-4"),
    )


def brown_dennis(m: int = 20) -> Problem:
    """Problem 16: f_i = (x1 + t_i x2 - exp(t_i))^2 + (x3 + x4 sin t_i - cos t_i)^2, t_i = i/5."""
    res = []
    for i in range(1, m + 1):
        t = i / 5
        res.append((x1 + t * x2 - math.exp(t)) ** 2 + (x3 + x4 * math.sin(t) - math.cos(t)) ** 2)
    standard = m == 20
    return _problem(
        16,
        "brown_dennis" + _suffix(m, 20),
        (x1, x2, x3, x4),
        res,
        x0=(25.0, 5.0, -5.0, -1.0),
        f_star=85822.20162635631 if standard else None,
        x_star=(-11.594439904762163, 13.203630051207202, -0.40343948817685954, 0.23677877445573625)
        if standard
        else None,
        notes="Large non-zero residual: f* = 85822.2 for m = 20 (paper), so tolerances must be "
        "relative. Each residual is itself a sum of squares: f is a quartic. f(x0) = 7.92669e6. "
        + (_REFINED.format("85822.2") if standard else "f* known only for m = 20."),
    )


_OSBORNE1_Y = (
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751,
    0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490,
    0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
)  # fmt: skip


def osborne_1() -> Problem:
    """Problem 17: f_i = y_i - (x1 + x2 exp(-t_i x4) + x3 exp(-t_i x5)), t_i = 10 (i - 1)."""
    v = _variables(5)
    res = [
        y - (v[0] + v[1] * sp.exp(-10 * i * v[3]) + v[2] * sp.exp(-10 * i * v[4])) for i, y in enumerate(_OSBORNE1_Y)
    ]
    return _problem(
        17,
        "osborne_1",
        v,
        res,
        x0=(0.5, 1.5, -1.0, 0.01, 0.02),
        f_star=5.4648946974829115e-05,
        x_star=(
            0.37541005210695194,
            1.9358469127123559,
            -1.4646871366134115,
            0.012867534640057266,
            0.02212269966167266,
        ),
        typical_x=(0.38, 1.9, 1.5, 0.013, 0.022),
        notes="The rates x4, x5 ~ 0.01 multiply t up to 320: the Jacobian's columns differ by "
        "orders of magnitude. typical_x = x* rounded: with steps scaled to the rates, central-difference "
        "gradients gain 2-4 digits and Hessians 2-4. " + _REFINED.format("5.46489e-5"),
    )


def biggs_exp6(m: int = 13) -> Problem:
    """Problem 18: f_i = x3 e^(-t_i x1) - x4 e^(-t_i x2) + x6 e^(-t_i x5) - y_i, t_i = i/10."""
    if m < 6:
        raise ValueError(f"biggs_exp6 needs m >= 6, got {m}")
    res = []
    for i in range(1, m + 1):
        t = sp.Rational(i, 10)
        y = math.exp(-i / 10) - 5 * math.exp(-i) + 3 * math.exp(-4 * i / 10)
        res.append(x3 * sp.exp(-t * x1) - x4 * sp.exp(-t * x2) + x6 * sp.exp(-t * x5) - y)
    standard = m == 13
    return _problem(
        18,
        "biggs_exp6" + _suffix(m, 13),
        (x1, x2, x3, x4, x5, x6),
        res,
        x0=(1.0, 2.0, 1.0, 1.0, 1.0, 1.0),
        f_star=0.0,
        x_star=(1.0, 10.0, 1.0, 5.0, 4.0, 3.0),
        local_minima=(0.0056556499254999506,) if standard else (),
        tags=("local-minima", "multiple-minima") if standard else ("multiple-minima",),
        notes="Global minima f = 0 at (1, 10, 1, 5, 4, 3) and, swapping the two positive "
        "exponentials, (4, 10, 3, 5, 1, 1). The paper's second value for m = 13, f = 5.65565e-3, "
        "sits at x1 = x5 = 1.7114, x3 = x6 = 1.1631 (x2 = 17.683, x4 = 5.1866), where the two "
        "exponentials merge: the gradient vanishes but the Hessian has one negative eigenvalue "
        "(-9.8e-3), so it is a saddle. Quasi-Newton methods from x0 (e.g. BFGS) stop there; Newton "
        "trust-region methods escape to f = 0. Its value, refined in float64 to 5.6556499255e-3 "
        "(the Hessian is singular there, so not in mpmath), is in local_minima as a known stopping "
        "point.",
    )


_OSBORNE2_Y = (
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608,
    0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661,
    0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428,
    0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559,
    0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054,
)  # fmt: skip


def osborne_2() -> Problem:
    """Problem 19: a sum of one decaying exponential and three Gaussians fitted to 65 points."""
    v = _variables(11)
    res = []
    with sp.evaluate(False):  # 65 residuals of four exponentials: evaluation costs 0.4 s
        for i, y in enumerate(_OSBORNE2_Y):
            t = sp.Rational(i, 10)
            res.append(
                y
                - (
                    v[0] * sp.exp(-t * v[4])
                    + v[1] * sp.exp(-((t - v[8]) ** 2) * v[5])
                    + v[2] * sp.exp(-((t - v[9]) ** 2) * v[6])
                    + v[3] * sp.exp(-((t - v[10]) ** 2) * v[7])
                )
            )
    return _problem(
        19,
        "osborne_2",
        v,
        res,
        x0=(1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5),
        f_star=0.04013773629354774,
        x_star=(
            1.3099771546273007,
            0.431553794602989,
            0.633661698960724,
            0.5994305347859163,
            0.7541832263280115,
            0.9042885798596334,
            1.3658118352370285,
            4.8236988172271555,
            2.3986848661317546,
            4.568874597667672,
            5.6753414705806415,
        ),
        notes="f(x0) = 2.0934. " + _REFINED.format("4.01377e-2"),
    )


# --- 20-35: variable dimension ----------------------------------------------------------------
_VARIABLE = ("variable-dimension",)

_WATSON = {
    6: (
        0.002287670053552434,
        (
            -0.015725086401458463,
            1.0124348693691099,
            -0.2329916259567367,
            1.2604300877996044,
            -1.5137289227222743,
            0.9929964324311321,
        ),
        "2.28767e-3",
    ),
    9: (
        1.3997601380999808e-06,
        (
            -1.530703652139267e-05,
            0.9997897039319482,
            0.01476396369356668,
            0.1463423282992586,
            1.000821103005187,
            -2.617731140520151,
            4.104403164480306,
            -3.143612278557387,
            1.052626408010413,
        ),
        "1.39976e-6",
    ),
    12: (
        4.722381108208844e-10,
        (
            -6.638060469919213e-09,
            1.0000016441178614,
            -0.0005639322102123993,
            0.3478205405013194,
            -0.15673150407165753,
            1.0528151770866605,
            -3.2472711531013796,
            7.288434897264723,
            -10.27184824051546,
            9.07411364647819,
            -4.54137546644296,
            1.0120118885077745,
        ),
        "4.72238e-10",
    ),
}


def watson(n: int) -> Problem:
    """Problem 20, 2 <= n <= 31, m = 31: f_i = sum_j (j-1) x_j t^(j-2) - (sum_j x_j t^(j-1))^2 - 1,
    t = i/29 (i <= 29), f_30 = x1, f_31 = x2 - x1^2 - 1."""
    if not 2 <= n <= 31:
        raise ValueError(f"watson needs 2 <= n <= 31, got {n}")
    v = _variables(n)
    res = []
    for i in range(1, 30):
        t = i / 29
        s1 = sp.Add(*[(j - 1) * t ** (j - 2) * v[j - 1] for j in range(2, n + 1)])
        s2 = sp.Add(*[t ** (j - 1) * v[j - 1] for j in range(1, n + 1)])
        res.append(s1 - _square(s2) - 1)
    res += [v[0], v[1] - v[0] ** 2 - 1]
    f_star, x_star, printed = _WATSON.get(n, (None, None, ""))
    return _problem(
        20,
        f"watson_{n}",
        v,
        res,
        x0=[0.0] * n,
        f_star=f_star,
        x_star=x_star,
        tags=_VARIABLE,
        notes="A polynomial fit in the monomial basis: the Hessian is very ill-conditioned and "
        "worsens quickly with n; f(x0) = 30 for every n. The paper gives f* for n = 6, 9, 12 only. "
        + (_REFINED.format(printed) if printed else ""),
    )


def extended_rosenbrock(n: int) -> Problem:
    """Problem 21, n even: f_2i-1 = 10 (x_2i - x_2i-1^2), f_2i = 1 - x_2i-1."""
    if n < 2 or n % 2:
        raise ValueError(f"extended_rosenbrock needs an even n >= 2, got {n}")
    v = _variables(n)
    res = []
    for i in range(0, n, 2):
        res += [10 * (v[i + 1] - v[i] ** 2), 1 - v[i]]
    return _problem(
        21,
        f"extended_rosenbrock_{n}",
        v,
        res,
        x0=[-1.2, 1.0] * (n // 2),
        f_star=0.0,
        x_star=[1.0] * n,
        tags=_VARIABLE,
        notes="n/2 uncoupled copies of Rosenbrock's function; f(x0) = 12.1 n.",
    )


def extended_powell(n: int) -> Problem:
    """Problem 22, n a multiple of 4: n/4 uncoupled copies of Powell's singular function."""
    if n < 4 or n % 4:
        raise ValueError(f"extended_powell needs n a positive multiple of 4, got {n}")
    v = _variables(n)
    res = []
    for i in range(0, n, 4):
        a, b, c, d = v[i : i + 4]
        res += [a + 10 * b, sp.sqrt(5) * (c - d), (b - 2 * c) ** 2, sp.sqrt(10) * (a - d) ** 2]
    return _problem(
        22,
        f"extended_powell_{n}",
        v,
        res,
        x0=[3.0, -1.0, 0.0, 1.0] * (n // 4),
        f_star=0.0,
        x_star=[0.0] * n,
        tags=_VARIABLE,
        notes="Singular Hessian at x* = 0: Newton-type methods converge only linearly. f(x0) = 53.75 n.",
    )


def _penalty_1_optimum(n: int) -> tuple[float, float]:
    """(f*, c) with x* = (c, ..., c): for fixed sum x_i^2 the sum of (x_i - 1)^2 is least when all
    x_i are equal and positive, so c is the positive root of 4n c^3 + (2a - 1) c - 2a = 0."""
    a = 1e-5
    roots = np.roots([4 * n, 0.0, 2 * a - 1, -2 * a])
    c = max(float(r.real) for r in roots if abs(r.imag) < 1e-12)
    for _ in range(3):  # Newton polish of the root
        c -= (4 * n * c**3 + (2 * a - 1) * c - 2 * a) / (12 * n * c**2 + 2 * a - 1)
    return a * n * (c - 1) ** 2 + (n * c * c - 0.25) ** 2, c


def penalty_1(n: int) -> Problem:
    """Problem 23, m = n + 1: f_i = sqrt(1e-5) (x_i - 1), f_n+1 = sum x_j^2 - 1/4."""
    v = _variables(n)
    root_a = sp.sqrt(sp.Rational(1, 100000))
    res = [root_a * (xi - 1) for xi in v] + [sp.Add(*[xi**2 for xi in v]) - sp.Rational(1, 4)]
    f_star, c = _penalty_1_optimum(n)
    return _problem(
        23,
        f"penalty_1_{n}",
        v,
        res,
        x0=range(1, n + 1),
        f_star=f_star,
        x_star=[c] * n,
        tags=_VARIABLE,
        notes="A quadratic penalty with weight a = 1e-5 on the fit: the Hessian mixes scales 1e-5 "
        "and 1. The paper prints f* = 2.24997e-5 (n = 4), 7.08765e-5 (n = 10); f* here is exact "
        "for any n from the cubic for x* = (c, ..., c) (see _penalty_1_optimum).",
    )


_PENALTY_2 = {
    4: (
        9.376293007355446e-06,
        (0.1999993333503804, 0.19131670099277245, 0.4801014853326232, 0.5188454043902005),
        "9.37629e-6",
    ),
    10: (
        0.00029366053745674594,
        (
            0.1999836051978236,
            0.0103506484712923,
            0.019604934480438405,
            0.032089067220685656,
            0.0499326773996413,
            0.07651399515399361,
            0.11862407286950419,
            0.1921448723355767,
            0.34732058694184365,
            0.36916437415935077,
        ),
        "2.93660e-4",
    ),
}


def penalty_2(n: int) -> Problem:
    """Problem 24, m = 2n: exponential residuals weighted by sqrt(1e-5) and one quadratic."""
    if n < 2:
        raise ValueError(f"penalty_2 needs n >= 2, got {n}")
    v = _variables(n)
    root_a = sp.sqrt(sp.Rational(1, 100000))
    res = [v[0] - sp.Rational(1, 5)]
    for i in range(2, n + 1):
        y = math.exp(i / 10) + math.exp((i - 1) / 10)
        res.append(root_a * (sp.exp(v[i - 1] / 10) + sp.exp(v[i - 2] / 10) - y))
    for i in range(n + 1, 2 * n):
        res.append(root_a * (sp.exp(v[i - n] / 10) - math.exp(-1 / 10)))
    res.append(sp.Add(*[(n - j) * v[j] ** 2 for j in range(n)]) - 1)
    f_star, x_star, printed = _PENALTY_2.get(n, (None, None, ""))
    return _problem(
        24,
        f"penalty_2_{n}",
        v,
        res,
        x0=[0.5] * n,
        f_star=f_star,
        x_star=x_star,
        tags=_VARIABLE,
        notes="Residuals weighted by a = 1e-5 beside two of weight 1: badly conditioned. The paper "
        "gives f* for n = 4 and 10 only. " + (_REFINED.format(printed) if printed else ""),
    )


def variably_dimensioned(n: int) -> Problem:
    """Problem 25, m = n + 2: f_i = x_i - 1, f_n+1 = sum j (x_j - 1), f_n+2 = f_n+1^2."""
    v = _variables(n)
    s = sp.Add(*[(j + 1) * (v[j] - 1) for j in range(n)])
    res = [xi - 1 for xi in v] + [s, s**2]
    return _problem(
        25,
        f"variably_dimensioned_{n}",
        v,
        res,
        x0=[1 - j / n for j in range(1, n + 1)],
        f_star=0.0,
        x_star=[1.0] * n,
        tags=_VARIABLE,
        notes="The quartic term (sum j (x_j - 1))^4 makes f(x0) large (2.199e6 for n = 10) and the "
        "Hessian far from x* badly conditioned.",
    )


_TRIG_10 = (
    (
        0.0479119473037271,
        0.0491845181666376,
        0.0506087028945717,
        0.0522230493897857,
        0.0540830922948609,
        0.0562733034663013,
        0.0589321385353398,
        0.186397001384476,
        0.154341960401144,
        0.124625376963071,
    ),
    2.7950561218794563e-05,
)


def trigonometric(n: int) -> Problem:
    """Problem 26, m = n: f_i = n - sum_j cos x_j + i (1 - cos x_i) - sin x_i."""
    v = _variables(n)
    c = sp.Add(*[sp.cos(xi) for xi in v])
    res = [n - c + (i + 1) * (1 - sp.cos(v[i])) - sp.sin(v[i]) for i in range(n)]
    standard = n == 10
    return _problem(
        26,
        f"trigonometric_{n}",
        v,
        res,
        x0=[1 / n] * n,
        f_star=0.0,
        x_star=_TRIG_10[0] if standard else None,
        local_minima=(_TRIG_10[1],) if standard else (),
        tags=(*_VARIABLE, "local-minima", "multiple-minima"),
        notes="Many zeros (f = 0) and local minima; the solution is periodic in each x_i. For n = 10 "
        "Newton and quasi-Newton methods from x0 stop at the local minimum f = 2.7950561219e-5 "
        "(positive definite Hessian; in local_minima) near (0.055, ..., 0.067, 0.208, 0.164, 0.085, "
        "0.091). x_star is the zero nearest x0 found by least squares from 300 starts."
        if standard
        else "Many zeros (f = 0) and local minima; the solution is periodic in each x_i.",
    )


def brown_almost_linear(n: int) -> Problem:
    """Problem 27, m = n: f_i = x_i + sum_j x_j - (n + 1) (i < n), f_n = prod_j x_j - 1."""
    v = _variables(n)
    s = sp.Add(*v)
    res = [v[i] + s - (n + 1) for i in range(n - 1)] + [sp.Mul(*v) - 1]
    return _problem(
        27,
        f"brown_almost_linear_{n}",
        v,
        res,
        x0=[0.5] * n,
        f_star=0.0,
        x_star=[1.0] * n,
        local_minima=(1.0,) if n >= 3 else (),
        tags=(*_VARIABLE, "local-minima", "multiple-minima"),
        notes="f = 0 at (alpha, ..., alpha, alpha^(1-n)) for every root alpha of "
        "n alpha^n - (n+1) alpha^(n-1) + 1 = 0 (alpha = 1 is x_star; n = 10 has a second root near "
        "0.98). The paper also lists f = 1 at (0, ..., 0, n+1), a degenerate stationary point "
        "(singular Hessian) in local_minima.",
    )


_BVP_10 = (
    -0.0431649825187649,
    -0.0815771565353869,
    -0.114485714380529,
    -0.140973576862597,
    -0.159908696181983,
    -0.169877202312775,
    -0.169089983781208,
    -0.155249535221832,
    -0.125355891678935,
    -0.0754165336858921,
)


def discrete_boundary_value(n: int) -> Problem:
    """Problem 28, m = n: f_i = 2 x_i - x_i-1 - x_i+1 + h^2 (x_i + t_i + 1)^3 / 2, h = 1/(n+1)."""
    v = _variables(n)
    h = sp.Rational(1, n + 1)
    res = []
    for i in range(n):
        t = (i + 1) * h
        left = v[i - 1] if i > 0 else 0
        right = v[i + 1] if i < n - 1 else 0
        res.append(2 * v[i] - left - right + h**2 * (v[i] + t + 1) ** 3 / 2)
    return _problem(
        28,
        f"discrete_boundary_value_{n}",
        v,
        res,
        x0=[float(j * h * (j * h - 1)) for j in range(1, n + 1)],
        f_star=0.0,
        x_star=_BVP_10 if n == 10 else None,
        tags=_VARIABLE,
        notes="Discretised u'' = (u + t + 1)^3 / 2, u(0) = u(1) = 0, with x_0 = x_n+1 = 0. "
        "f(x0) is small (7.9e-4 for n = 10) although x0 is far from x* relative to its size. "
        "Its solution is the same vector as the discrete integral equation's (problem 29).",
    )


def discrete_integral_equation(n: int) -> Problem:
    """Problem 29, m = n: the trapezoidal discretisation of the same BVP's integral form."""
    v = _variables(n)
    h = sp.Rational(1, n + 1)
    t = [(j + 1) * h for j in range(n)]
    cubes = [(v[j] + t[j] + 1) ** 3 for j in range(n)]
    res = []
    for i in range(n):
        a = sp.Add(*[t[j] * cubes[j] for j in range(i + 1)])
        b = sp.Add(*[(1 - t[j]) * cubes[j] for j in range(i + 1, n)])
        res.append(v[i] + h * ((1 - t[i]) * a + t[i] * b) / 2)
    return _problem(
        29,
        f"discrete_integral_equation_{n}",
        v,
        res,
        x0=[float(tj * (tj - 1)) for tj in t],
        f_star=0.0,
        x_star=_BVP_10 if n == 10 else None,
        tags=_VARIABLE,
        notes="Dense Jacobian (every residual couples all variables), unlike problem 28, whose "
        "solution vector it shares.",
    )


def broyden_tridiagonal(n: int) -> Problem:
    """Problem 30, m = n: f_i = (3 - 2 x_i) x_i - x_i-1 - 2 x_i+1 + 1, x_0 = x_n+1 = 0."""
    v = _variables(n)
    res = []
    for i in range(n):
        left = v[i - 1] if i > 0 else 0
        right = v[i + 1] if i < n - 1 else 0
        res.append((3 - 2 * v[i]) * v[i] - left - 2 * right + 1)
    x_star = (
        -0.570722132011225,
        -0.681806949984275,
        -0.70221007601766,
        -0.70551062989508,
        -0.704906155728744,
        -0.701496607029851,
        -0.691889322354798,
        -0.665796514405854,
        -0.596035109026366,
        -0.416412257528693,
    )
    return _problem(
        30,
        f"broyden_tridiagonal_{n}",
        v,
        res,
        x0=[-1.0] * n,
        f_star=0.0,
        x_star=x_star if n == 10 else None,
        tags=_VARIABLE,
        notes="Sparse (pentadiagonal Hessian); f(x0) = 21 for n = 10.",
    )


def broyden_banded(n: int) -> Problem:
    """Problem 31, m = n: f_i = x_i (2 + 5 x_i^2) + 1 - sum_{j in J_i} x_j (1 + x_j), ml = 5, mu = 1."""
    v = _variables(n)
    ml, mu = 5, 1
    res = []
    for i in range(n):
        band = [v[j] * (1 + v[j]) for j in range(max(0, i - ml), min(n, i + mu + 1)) if j != i]
        res.append(v[i] * (2 + 5 * v[i] ** 2) + 1 - sp.Add(*band))
    x_star = (
        -0.42830286358725,
        -0.47659642435629,
        -0.519652463646862,
        -0.558099324832181,
        -0.592506156829457,
        -0.624503682199468,
        -0.623239471440591,
        -0.621393841796573,
        -0.620453596659087,
        -0.586469270720435,
    )
    return _problem(
        31,
        f"broyden_banded_{n}",
        v,
        res,
        x0=[-1.0] * n,
        f_star=0.0,
        x_star=x_star if n == 10 else None,
        tags=_VARIABLE,
        notes="Banded Jacobian: 5 sub- and 1 super-diagonal. f(x0) = 360 for n = 10.",
    )


def _linear_name(short: str, n: int, m: int) -> str:
    return f"{short}_{n}" + ("" if m == 2 * n else f"_m{m}")


def _project(x0: Sequence[float], a: Sequence[float], level: float) -> list[float]:
    """The point of the hyperplane a . x = level nearest x0."""
    x = np.asarray(x0, dtype=float)
    a = np.asarray(a, dtype=float)
    return list(x - (a @ x - level) / (a @ a) * a)


def linear_full_rank(n: int, m: int | None = None) -> Problem:
    """Problem 32, m >= n (default 2n): f_i = x_i - (2/m) sum x_j - 1 (i <= n), -(2/m) sum x_j - 1."""
    m = 2 * n if m is None else m
    if m < n:
        raise ValueError(f"linear_full_rank needs m >= n, got n = {n}, m = {m}")
    v = _variables(n)
    s = sp.Add(*v) * sp.Rational(2, m)
    res = [v[i] - s - 1 for i in range(n)] + [-s - 1] * (m - n)
    return _problem(
        32,
        _linear_name("linear_full_rank", n, m),
        v,
        res,
        x0=[1.0] * n,
        f_star=float(m - n),
        x_star=[-1.0] * n,
        tags=_VARIABLE,
        notes=f"A linear least-squares problem (m = {m}): f* = m - n at x* = -1, exactly.",
    )


def linear_rank_1(n: int, m: int | None = None) -> Problem:
    """Problem 33, m >= n (default 2n): f_i = i (sum_j j x_j) - 1."""
    m = 2 * n if m is None else m
    if m < n:
        raise ValueError(f"linear_rank_1 needs m >= n, got n = {n}, m = {m}")
    v = _variables(n)
    s = sp.Add(*[(j + 1) * v[j] for j in range(n)])
    res = [i * s - 1 for i in range(1, m + 1)]
    a = [j + 1 for j in range(n)]
    return _problem(
        33,
        _linear_name("linear_rank_1", n, m),
        v,
        res,
        x0=[1.0] * n,
        f_star=m * (m - 1) / (2 * (2 * m + 1)),
        x_star=_project([1.0] * n, a, 3 / (2 * m + 1)),
        tags=(*_VARIABLE, "multiple-minima"),
        notes=f"Rank-one Jacobian (m = {m}): f* = m(m-1)/(2(2m+1)) on the whole hyperplane "
        "sum_j j x_j = 3/(2m+1); the Hessian is singular everywhere. x_star is the minimizer "
        "nearest x0, so distance to x_star is no convergence measure.",
    )


def linear_rank_1_zero(n: int, m: int | None = None) -> Problem:
    """Problem 34, m >= n (default 2n): f_1 = f_m = -1, f_i = (i - 1) (sum_{j=2}^{n-1} j x_j) - 1."""
    m = 2 * n if m is None else m
    if m < n or n < 3:
        raise ValueError(f"linear_rank_1_zero needs m >= n >= 3, got n = {n}, m = {m}")
    v = _variables(n)
    s = sp.Add(*[(j + 1) * v[j] for j in range(1, n - 1)])
    res = [sp.Integer(-1)] + [(i - 1) * s - 1 for i in range(2, m)] + [sp.Integer(-1)]
    a = [0] + [j + 1 for j in range(1, n - 1)] + [0]
    return _problem(
        34,
        _linear_name("linear_rank_1_zero", n, m),
        v,
        res,
        x0=[1.0] * n,
        f_star=(m * m + 3 * m - 6) / (2 * (2 * m - 3)),
        x_star=_project([1.0] * n, a, 3 / (2 * m - 3)),
        tags=(*_VARIABLE, "multiple-minima"),
        notes=f"Rank-one Jacobian with zero first/last columns and rows (m = {m}): f does not "
        "depend on x1 and xn; f* = (m^2 + 3m - 6)/(2(2m-3)) on the hyperplane "
        "sum_{j=2}^{n-1} j x_j = 3/(2m-3). x_star is the minimizer nearest x0.",
    )


_CHEBYQUAD = {
    8: (
        0.0035168737256779317,
        (
            0.04315276015101663,
            0.1930908403841861,
            0.2663287068902729,
            0.5,
            0.5,
            0.7336712931097271,
            0.8069091596158139,
            0.9568472398489834,
        ),
        _REFINED.format("3.51687e-3"),
    ),
    10: (
        0.004772713696375349,
        (
            0.07474816621460248,
            0.17151817694809268,
            0.286434152584,
            0.3596464506289341,
            0.47075052286659347,
            0.616738335038745,
            0.616738335038745,
            0.7998108015386137,
            0.8448546422409267,
            0.9670066269819255,
        ),
        "The paper prints f* = 6.50395e-3 for n = 10, but trust-region runs from x0 and "
        "Levenberg-Marquardt from 400 random starts all reach the lower f = 4.7727136964e-3 "
        "(refined in mpmath), which is used here; the paper's value was not found as a "
        "stationary point.",
    ),
}


def chebyquad(n: int, m: int | None = None) -> Problem:
    """Problem 35, m >= n (default m = n): f_i = (1/n) sum_j T_i(2 x_j - 1) - integral_0^1 T_i(2x - 1)."""
    m = n if m is None else m
    if m < n:
        raise ValueError(f"chebyquad needs m >= n, got n = {n}, m = {m}")
    v = _variables(n)
    z = sp.Dummy("z")
    res = []
    shifted = [2 * xj - 1 for xj in v]  # T_i is taken in y = 2x - 1, where |y| <= 1 on [0, 1]
    for i in range(1, m + 1):
        coefficients = sp.Poly(sp.chebyshevt(i, z), z).all_coeffs()[::-1]
        integral = 0 if i % 2 else sp.Rational(-1, i * i - 1)
        total = sp.Add(*[c * y**k for y in shifted for k, c in enumerate(coefficients) if c])
        res.append(total / n - integral)
    if m == n and (n <= 7 or n == 9):
        f_star, x_star, note = 0.0, None, "f* = 0 (Gauss-Chebyshev quadrature exists for this n)."
    elif m == n and n in _CHEBYQUAD:
        f_star, x_star, note = _CHEBYQUAD[n]
    else:
        f_star, x_star, note = None, None, "f* unknown for this (n, m)."
    return _problem(
        35,
        f"chebyquad_{n}" + ("" if m == n else f"_m{m}"),
        v,
        res,
        x0=[j / (n + 1) for j in range(1, n + 1)],
        f_star=f_star,
        x_star=x_star,
        tags=(*_VARIABLE, "multiple-minima"),
        notes="Symmetric under permutations of x (n! equivalent minimizers); x_star is the sorted one. " + note,
    )


# --- the library: 38 standard instances --------------------------------------------------------
mgh01_rosenbrock = rosenbrock()
mgh02_freudenstein_roth = freudenstein_roth()
mgh03_powell_badly_scaled = powell_badly_scaled()
mgh04_brown_badly_scaled = brown_badly_scaled()
mgh05_beale = beale()
mgh06_jennrich_sampson = jennrich_sampson()
mgh07_helical_valley = helical_valley()
mgh08_bard = bard()
mgh09_gaussian = gaussian()
mgh10_meyer = meyer()
mgh11_gulf = gulf()
mgh12_box_3d = box_3d()
mgh13_powell_singular = powell_singular()
mgh14_wood = wood()
mgh15_kowalik_osborne = kowalik_osborne()
mgh16_brown_dennis = brown_dennis()
mgh17_osborne_1 = osborne_1()
mgh18_biggs_exp6 = biggs_exp6()
mgh19_osborne_2 = osborne_2()
mgh20_watson_6 = watson(6)
mgh20_watson_9 = watson(9)
mgh21_extended_rosenbrock_10 = extended_rosenbrock(10)
mgh22_extended_powell_12 = extended_powell(12)
mgh23_penalty_1_4 = penalty_1(4)
mgh23_penalty_1_10 = penalty_1(10)
mgh24_penalty_2_4 = penalty_2(4)
mgh24_penalty_2_10 = penalty_2(10)
mgh25_variably_dimensioned_10 = variably_dimensioned(10)
mgh26_trigonometric_10 = trigonometric(10)
mgh27_brown_almost_linear_10 = brown_almost_linear(10)
mgh28_discrete_boundary_value_10 = discrete_boundary_value(10)
mgh29_discrete_integral_equation_10 = discrete_integral_equation(10)
mgh30_broyden_tridiagonal_10 = broyden_tridiagonal(10)
mgh31_broyden_banded_10 = broyden_banded(10)
mgh32_linear_full_rank_10 = linear_full_rank(10)
mgh33_linear_rank_1_10 = linear_rank_1(10)
mgh34_linear_rank_1_zero_10 = linear_rank_1_zero(10)
mgh35_chebyquad_8 = chebyquad(8)
