"""Indexed declarations of the Moré-Garbow-Hillstrom families that take n (tag ``large``).

The same functions as ``problems/more_garbow_hillstrom.py`` (and the lecture set's Rosenbrock
chains), declared once for every n with a shaped variable ``x = IndexedBase("x", shape=(n,))`` and
``sp.Sum`` templates (:mod:`workbench.structure`): a template is differentiated and compiled once and
evaluated over all its index values, so setup does not grow with n where the function is partially
separable. Each ``family(n)`` returns a Problem named ``<family>_indexed_<n>`` (never the written-out
instance's name: they are two declarations of one function) with the written-out declaration's x0,
f* and x*: x* where it is known in closed form for every n, and otherwise where the written-out
declaration tabulates it (read from that declaration, so the numbers live in one place).

Indices here are 0-based: ``x[k]`` is the paper's x_(k+1). Families whose residuals each touch a
few neighbours are templates over the residual index, with the boundary residuals (where a neighbour
is the fixed value 0 or a band is cut short) written as plain terms. Families with a residual that
sums over all variables are **not partially separable**: their Hessian is dense, so however they are
declared, setup (the n(n+1)/2 symbolic Hessian entries) and each Hessian evaluation grow with n^2,
and the templates below unroll the inner sum over all n entries (n slots per row: a value costs
O(n * rows)). A Sum may not sit inside a function of a plain term (``(Sum(...) - 1/4)**2`` is refused
by :func:`workbench.structure.decompose`), so a single residual over all variables is written with
``sp.Add`` over the entries. Those families are for moderate n (tests use n <= 12; trigonometric's
Hessian takes 20 s to set up at n = 100).

Not declared here: Watson (20) and Chebyquad (35) take n but stay small by definition (Watson n <= 31)
or need a polynomial of the sum's index as degree (Chebyquad's T_i), which a template cannot express
without a data table of coefficients.

This file declares no module-level instance: the default report runs every library problem with every
method and every finite-difference variant, and at n = 100 each of these families costs 140-290 s of
runs there (finite-difference gradients cost n evaluations, Hessians O(n^2), so 51 of a problem's 68
runs are finite-difference ones and several end at the 10 s limit), where the rest of the library, 95
problems, costs about 310 s (measured on two shared cores). The library's one large instance is CUTEst's ``arwhead_100``
(problems/cutest.py); every family here is one call away at any n (``discrete_boundary_value(100)``,
:data:`FAMILIES`), for studies, tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from workbench import Problem

i, j, d = sp.Idx("i"), sp.Idx("j"), sp.Idx("d")

_TAGS = ("large", "least-squares", "variable-dimension")
_A = sp.Rational(1, 100000)  # the penalty functions' weight a = 1e-5 (residuals scaled by sqrt(a))

#: The chained Rosenbrock function's strict local minimum near x[0] = -1 (smallest Hessian eigenvalue
#: 0.4988), for n >= 24: Newton's method in 40-digit arithmetic gives 3.98662385430078 at n = 24 and
#: 3.98662385430093374 from n = 30 on, so from n = 24 the value is this limit to 4e-14 relative. Smaller
#: n have other values (3.70143 at n = 4, 3.98658 at n = 10), not declared.
CHAINED_ROSENBROCK_LOCAL_MINIMUM = 3.986623854300934
CHAINED_ROSENBROCK_LOCAL_FROM = 24


def _x(n: int) -> sp.IndexedBase:
    if n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n}")
    return sp.IndexedBase("x", shape=(n,))


def _source(number: int) -> str:
    return f"Moré, Garbow & Hillstrom (1981), problem {number}; indexed declaration"


def _tabulated(family: str, n: int, sizes: Sequence[int]) -> tuple[float | None, np.ndarray | None, tuple]:
    """(f*, x*, local minima) as the written-out declaration of ``family`` at this n tabulates them
    (its refined optima), or (None, None, ()) for an n it does not tabulate."""
    if n not in sizes:
        return None, None, ()
    from workbench.library import more_garbow_hillstrom as written

    problem = getattr(written, family)(n)
    return problem.f_star, problem.x_star, problem.local_minima


def _square(residual: sp.Expr) -> sp.Expr:
    return sp.Pow(residual, 2, evaluate=False)


# --- partially separable: templates over the residual index -------------------------------------------
def extended_rosenbrock(n: int) -> Problem:
    """MGH problem 21 (and the lecture's ``extended_rosenbrock``), n even: n/2 uncoupled Rosenbrock
    functions, sum_k (10 (x[2k+1] - x[2k]^2))^2 + (1 - x[2k])^2, one template over k = 0..n/2-1
    (stride 2). x0 = (-1.2, 1, ...), f* = 0 at x* = (1, ..., 1). Tag ``large``."""
    if n < 2 or n % 2:
        raise ValueError(f"extended_rosenbrock needs an even n >= 2, got {n}")
    x = _x(n)
    body = _square(10 * (x[2 * i + 1] - x[2 * i] ** 2)) + _square(1 - x[2 * i])
    return Problem(
        name=f"extended_rosenbrock_indexed_{n}", variables=x, objective=sp.Sum(body, (i, 0, n // 2 - 1)),
        x0=np.tile([-1.2, 1.0], n // 2), f_star=0.0, x_star=np.ones(n), tags=_TAGS, source=_source(21),
        notes="Separable in pairs: the Hessian is block diagonal with 2 x 2 blocks; f(x0) = 12.1 n.",
    )  # fmt: skip


def chained_rosenbrock(n: int) -> Problem:
    """The lecture's chained Rosenbrock function, n >= 2: sum_{k<n-1} 100 (x[k+1] - x[k]^2)^2 + (1 - x[k])^2,
    one template over k = 0..n-2 (tridiagonal Hessian). x0 = (-1.2, 1, -1.2, ...), f* = 0 at x* = 1.
    Local minimum near x[0] = -1 (f = 3.98662385430093 for n >= 24, in ``local_minima``), where Newton
    and trust-region methods started at x0 stop at n = 100. Tag ``large``."""
    if n < 2:
        raise ValueError(f"chained_rosenbrock needs n >= 2, got {n}")
    x = _x(n)
    body = 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    local = (CHAINED_ROSENBROCK_LOCAL_MINIMUM,) if n >= CHAINED_ROSENBROCK_LOCAL_FROM else ()
    return Problem(
        name=f"chained_rosenbrock_indexed_{n}", variables=x, objective=sp.Sum(body, (i, 0, n - 2)),
        x0=np.resize([-1.2, 1.0], n), f_star=0.0, x_star=np.ones(n), local_minima=local,
        tags=("large", "sparse", "local-minima"),
        notes="Tridiagonal Hessian coupling neighbours. Besides the global minimum there is a local one with "
        "x[0] close to -1 (the rest close to 1): its value tends to 3.98662385430093 as n grows (declared in "
        f"local_minima for n >= {CHAINED_ROSENBROCK_LOCAL_FROM}).",
        source="Generalized Rosenbrock function (Schwefel 1977); the lecture set's chained_rosenbrock, indexed",
    )  # fmt: skip


def extended_powell(n: int) -> Problem:
    """MGH problem 22, n a multiple of 4: n/4 uncoupled Powell singular functions, one template over
    k = 0..n/4-1 (stride 4): (x[4k] + 10 x[4k+1])^2 + 5 (x[4k+2] - x[4k+3])^2 + (x[4k+1] - 2 x[4k+2])^4
    + 10 (x[4k] - x[4k+3])^4. x0 = (3, -1, 0, 1, ...), f* = 0 at x* = 0 (singular Hessian there).
    Tag ``large``."""
    if n < 4 or n % 4:
        raise ValueError(f"extended_powell needs n a positive multiple of 4, got {n}")
    x = _x(n)
    a, b, c, e = x[4 * i], x[4 * i + 1], x[4 * i + 2], x[4 * i + 3]
    body = _square(a + 10 * b) + _square(sp.sqrt(5) * (c - e)) + _square((b - 2 * c) ** 2) \
        + _square(sp.sqrt(10) * (a - e) ** 2)  # fmt: skip
    return Problem(
        name=f"extended_powell_indexed_{n}", variables=x, objective=sp.Sum(body, (i, 0, n // 4 - 1)),
        x0=np.tile([3.0, -1.0, 0.0, 1.0], n // 4), f_star=0.0, x_star=np.zeros(n), tags=_TAGS, source=_source(22),
        notes="Singular Hessian at x* = 0: Newton-type methods converge only linearly. f(x0) = 53.75 n.",
    )  # fmt: skip


def _boundary_start(n: int) -> np.ndarray:
    """x0_k = t_k (t_k - 1) with t_k = (k+1)/(n+1), rounded once from the exact value (k(k-n)/(n+1)^2,
    k = 1..n: integers exact in float64, one correctly rounded division), as the written-out declarations do."""
    k = np.arange(1, n + 1, dtype=float)
    return k * (k - n - 1) / float((n + 1) ** 2)


def discrete_boundary_value(n: int) -> Problem:
    """MGH problem 28, m = n: r_k = 2 x[k] - x[k-1] - x[k+1] + h^2 (x[k] + t_k + 1)^3 / 2, h = 1/(n+1),
    t_k = (k+1) h, x[-1] = x[n] = 0. A template over k = 1..n-2 (t_k from the index) and the two
    boundary residuals as plain terms. x0_k = t_k (t_k - 1), f* = 0; x* tabulated for n = 10.
    Tag ``large``."""
    x = _x(n)
    h = sp.Rational(1, n + 1)

    def residual(k, left, right):  # k: an index (symbol or int)
        return 2 * x[k] - left - right + h**2 * (x[k] + (k + 1) * h + 1) ** 3 / 2

    plain = [residual(0, 0, x[1] if n > 1 else 0)]
    if n > 1:
        plain.append(residual(n - 1, x[n - 2], 0))
    objective = sp.Add(*[_square(r) for r in plain])
    if n > 2:
        objective += sp.Sum(_square(residual(i, x[i - 1], x[i + 1])), (i, 1, n - 2))
    f_star, x_star, _ = _tabulated("discrete_boundary_value", n, (10,))
    return Problem(
        name=f"discrete_boundary_value_indexed_{n}", variables=x, objective=objective, x0=_boundary_start(n),
        f_star=0.0 if f_star is None else f_star, x_star=x_star, tags=_TAGS, source=_source(28),
        notes="Discretised u'' = (u + t + 1)^3 / 2, u(0) = u(1) = 0: pentadiagonal Hessian. Its solution is the "
        "discrete integral equation's (problem 29).",
    )  # fmt: skip


#: Broyden tridiagonal's non-zero local minima at n = 100: Newton's method from where SLSQP and SciPy's
#: CG stop from x0 ends with gradient norm 1e-14 and smallest Hessian eigenvalue 2.75 at both.
_BROYDEN_LOCAL = {100: (0.7125279095860827, 1.7232729334097194)}


def broyden_tridiagonal(n: int) -> Problem:
    """MGH problem 30, m = n: r_k = (3 - 2 x[k]) x[k] - x[k-1] - 2 x[k+1] + 1, x[-1] = x[n] = 0: a
    template over k = 1..n-2 and the two boundary residuals as plain terms. x0 = -1, f* = 0; x*
    tabulated for n = 10; two non-zero local minima declared for n = 100. Tag ``large``."""
    x = _x(n)

    def residual(k, left, right):
        return (3 - 2 * x[k]) * x[k] - left - 2 * right + 1

    plain = [residual(0, 0, x[1] if n > 1 else 0)]
    if n > 1:
        plain.append(residual(n - 1, x[n - 2], 0))
    objective = sp.Add(*[_square(r) for r in plain])
    if n > 2:
        objective += sp.Sum(_square(residual(i, x[i - 1], x[i + 1])), (i, 1, n - 2))
    f_star, x_star, _ = _tabulated("broyden_tridiagonal", n, (10,))
    return Problem(
        name=f"broyden_tridiagonal_indexed_{n}", variables=x, objective=objective, x0=np.full(n, -1.0),
        f_star=0.0 if f_star is None else f_star, x_star=x_star, local_minima=_BROYDEN_LOCAL.get(n, ()),
        tags=_TAGS, source=_source(30),
        notes="Pentadiagonal Hessian; f(x0) = 2n + 1 (21 for n = 10). At n = 100 there are non-zero local minima "
        "(in local_minima): f = 0.71252790958608, where SLSQP stops from x0, and f = 1.72327293340972, where "
        "SciPy's CG stops.",
    )  # fmt: skip


#: Broyden banded: residual k uses x[j] for j in k-5..k+1 (j != k), cut at the ends.
_LOWER, _UPPER = 5, 1


def broyden_banded(n: int) -> Problem:
    """MGH problem 31, m = n: r_k = x[k] (2 + 5 x[k]^2) + 1 - sum_{j in J_k} x[j] (1 + x[j]),
    J_k = {max(0, k-5) <= j <= min(n-1, k+1), j != k}. A template over the rows with the whole band,
    k = 5..n-2 (an inner sum over the offsets -5..-1, unrolled, plus x[k+1]), and the rows where the band
    is cut short (k < 5 and k = n-1) as plain terms. x0 = -1, f* = 0; x* tabulated for n = 10.
    Tag ``large``."""
    x = _x(n)

    def band(k: int) -> sp.Expr:
        return sp.Add(*[x[q] * (1 + x[q]) for q in range(max(0, k - _LOWER), min(n, k + _UPPER + 1)) if q != k])

    objective = sp.S.Zero
    interior = range(_LOWER, n - _UPPER)  # rows whose band lies inside 0..n-1
    for k in (k for k in range(n) if k not in interior):
        objective += _square(x[k] * (2 + 5 * x[k] ** 2) + 1 - band(k))
    if len(interior):
        inner = sp.Sum(x[i + d] * (1 + x[i + d]), (d, -_LOWER, -1)) + x[i + 1] * (1 + x[i + 1])
        body = _square(x[i] * (2 + 5 * x[i] ** 2) + 1 - inner)
        objective += sp.Sum(body, (i, interior.start, interior.stop - 1))
    f_star, x_star, _ = _tabulated("broyden_banded", n, (10,))
    return Problem(
        name=f"broyden_banded_indexed_{n}", variables=x, objective=objective, x0=np.full(n, -1.0),
        f_star=0.0 if f_star is None else f_star, x_star=x_star, tags=_TAGS, source=_source(31),
        notes="Banded Jacobian (5 sub-, 1 super-diagonal): the Hessian has bandwidth 6 on each side.",
    )  # fmt: skip


# --- not partially separable: a residual sums over all variables ----------------------------------------
def _penalty_1_optimum(n: int) -> tuple[float, float]:
    """(f*, c) with x* = (c, ..., c), c the positive root of 4n c^3 + (2a - 1) c - 2a = 0 (for fixed
    sum x_i^2, sum (x_i - 1)^2 is least when all x_i are equal and positive)."""
    a = 1e-5
    roots = np.roots([4 * n, 0.0, 2 * a - 1, -2 * a])
    c = max(float(r.real) for r in roots if abs(r.imag) < 1e-12)
    for _ in range(3):  # Newton polish of the root
        c -= (4 * n * c**3 + (2 * a - 1) * c - 2 * a) / (12 * n * c**2 + 2 * a - 1)
    return a * n * (c - 1) ** 2 + (n * c * c - 0.25) ** 2, c


def penalty_1(n: int) -> Problem:
    """MGH problem 23, m = n + 1: a sum_k (x[k] - 1)^2 (a template) + (sum_k x[k]^2 - 1/4)^2 (one residual
    over all variables, written with sp.Add), a = 1e-5. Not partially separable: the Hessian is dense
    (setup and Hessian evaluations grow with n^2). x0 = (1, 2, ..., n); f* and x* = (c, ..., c) exact
    for every n from a cubic. Tag ``large``."""
    x = _x(n)
    total = sp.Add(*[x[k] ** 2 for k in range(n)])
    objective = sp.Sum(_A * (x[i] - 1) ** 2, (i, 0, n - 1)) + _square(total - sp.Rational(1, 4))
    f_star, c = _penalty_1_optimum(n)
    return Problem(
        name=f"penalty_1_indexed_{n}", variables=x, objective=objective, x0=np.arange(1.0, n + 1),
        f_star=f_star, x_star=np.full(n, c), tags=_TAGS, source=_source(23),
        notes="A quadratic penalty with weight a = 1e-5 on the fit: the Hessian mixes scales 1e-5 and 1. Dense "
        "Hessian (the last residual couples every variable).",
    )  # fmt: skip


def penalty_2(n: int) -> Problem:
    """MGH problem 24, m = 2n, n >= 2: (x[0] - 1/5)^2 + a sum_{k=1}^{n-1} [(e^(x[k]/10) + e^(x[k-1]/10) - y_k)^2
    + (e^(x[k]/10) - e^(-1/10))^2] (a template; y_k = e^((k+1)/10) + e^(k/10) from the index) +
    (sum_k (n - k) x[k]^2 - 1)^2 (one residual over all variables, sp.Add). Not partially separable
    (dense Hessian). x0 = 1/2; f*, x* tabulated for n = 4 and 10. Tag ``large``."""
    if n < 2:
        raise ValueError(f"penalty_2 needs n >= 2, got {n}")
    x = _x(n)
    y = sp.exp((i + 1) / sp.Integer(10)) + sp.exp(i / sp.Integer(10))
    body = _A * _square(sp.exp(x[i] / 10) + sp.exp(x[i - 1] / 10) - y) \
        + _A * _square(sp.exp(x[i] / 10) - sp.exp(sp.Rational(-1, 10)))  # fmt: skip
    weighted = sp.Add(*[(n - k) * x[k] ** 2 for k in range(n)])
    objective = _square(x[0] - sp.Rational(1, 5)) + sp.Sum(body, (i, 1, n - 1)) + _square(weighted - 1)
    f_star, x_star, _ = _tabulated("penalty_2", n, (4, 10))
    return Problem(
        name=f"penalty_2_indexed_{n}", variables=x, objective=objective, x0=np.full(n, 0.5),
        f_star=f_star, x_star=x_star, tags=_TAGS, source=_source(24),
        notes="Residuals weighted by a = 1e-5 beside two of weight 1: badly conditioned. Dense Hessian.",
    )  # fmt: skip


def variably_dimensioned(n: int) -> Problem:
    """MGH problem 25, m = n + 2: sum_k (x[k] - 1)^2 (a template) + s^2 + s^4 with
    s = sum_k (k + 1)(x[k] - 1) over all variables (sp.Add). Not partially separable (dense Hessian).
    x0_k = 1 - (k+1)/n, f* = 0 at x* = 1. Tag ``large``."""
    x = _x(n)
    s = sp.Add(*[(k + 1) * (x[k] - 1) for k in range(n)])
    objective = sp.Sum((x[i] - 1) ** 2, (i, 0, n - 1)) + _square(s) + _square(_square(s))
    return Problem(
        name=f"variably_dimensioned_indexed_{n}", variables=x, objective=objective,
        x0=1 - np.arange(1, n + 1) / n, f_star=0.0, x_star=np.ones(n), tags=_TAGS, source=_source(25),
        notes="The quartic term (sum (k+1)(x[k] - 1))^4 couples every variable: dense Hessian.",
    )  # fmt: skip


def trigonometric(n: int) -> Problem:
    """MGH problem 26, m = n: r_k = n - sum_j cos x[j] + (k + 1)(1 - cos x[k]) - sin x[k], one template
    over k whose inner sum over all n entries is unrolled: every row has n + 1 slots, so a value costs
    O(n^2) and the Hessian's n(n+1)/2 entries are differentiated symbolically (0.4 s at n = 10, 20 s at
    n = 100). Not partially separable. x0 = 1/n, f* = 0; x* and the local minimum tabulated for n = 10.
    Tag ``large``."""
    x = _x(n)
    residual = n - sp.Sum(sp.cos(x[j]), (j, 0, n - 1)) + (i + 1) * (1 - sp.cos(x[i])) - sp.sin(x[i])
    _, x_star, local = _tabulated("trigonometric", n, (10,))
    return Problem(
        name=f"trigonometric_indexed_{n}", variables=x, objective=sp.Sum(_square(residual), (i, 0, n - 1)),
        x0=np.full(n, 1 / n), f_star=0.0, x_star=x_star, local_minima=local,
        tags=(*_TAGS, "local-minima", "multiple-minima"), source=_source(26),
        notes="Many zeros (f = 0) and local minima; the solution is periodic in each x[k]. Dense Hessian.",
    )  # fmt: skip


def brown_almost_linear(n: int) -> Problem:
    """MGH problem 27, m = n, n >= 2: r_k = x[k] + sum_j x[j] - (n + 1) for k < n - 1 (a template whose
    inner sum over all entries is unrolled) and r_n-1 = prod_j x[j] - 1 (sp.Mul over the entries). Not
    partially separable. x0 = 1/2, f* = 0 at x* = 1; the degenerate stationary point f = 1 in
    ``local_minima`` for n >= 3. Tag ``large``."""
    if n < 2:
        raise ValueError(f"brown_almost_linear needs n >= 2, got {n}")
    x = _x(n)
    body = _square(x[i] + sp.Sum(x[j], (j, 0, n - 1)) - (n + 1))
    objective = sp.Sum(body, (i, 0, n - 2)) + _square(sp.Mul(*[x[k] for k in range(n)]) - 1)
    return Problem(
        name=f"brown_almost_linear_indexed_{n}", variables=x, objective=objective, x0=np.full(n, 0.5),
        f_star=0.0, x_star=np.ones(n), local_minima=(1.0,) if n >= 3 else (),
        tags=(*_TAGS, "local-minima", "multiple-minima"), source=_source(27),
        notes="f = 0 at (alpha, ..., alpha, alpha^(1-n)) for every root alpha of n alpha^n - (n+1) alpha^(n-1) + 1; "
        "f = 1 at (0, ..., 0, n+1), a degenerate stationary point. Dense Hessian.",
    )  # fmt: skip


def discrete_integral_equation(n: int) -> Problem:
    """MGH problem 29, m = n: r_k = x[k] + h [(1 - t_k) sum_{j<=k} t_j c_j + t_k sum_{j>k} (1 - t_j) c_j] / 2,
    c_j = (x[j] + t_j + 1)^3, t_j = (j+1) h, h = 1/(n+1). No template: each residual sums over all
    variables with weights that switch at j = k (the Green's function min(s, t) - s t), and an inner
    sum's range may not depend on the outer index, so the n residuals are written out over the
    entries (sp.Add): the expression has O(n^2) terms and the Hessian is dense. x0_k = t_k (t_k - 1),
    f* = 0; x* (the discrete boundary value problem's solution) tabulated for n = 10. Tag ``large``."""
    x = _x(n)
    h = sp.Rational(1, n + 1)
    t = [(k + 1) * h for k in range(n)]
    cubes = [(x[k] + t[k] + 1) ** 3 for k in range(n)]
    residuals = []
    for k in range(n):
        left = sp.Add(*[t[q] * cubes[q] for q in range(k + 1)])
        right = sp.Add(*[(1 - t[q]) * cubes[q] for q in range(k + 1, n)])
        residuals.append(x[k] + h * ((1 - t[k]) * left + t[k] * right) / 2)
    f_star, x_star, _ = _tabulated("discrete_integral_equation", n, (10,))
    return Problem(
        name=f"discrete_integral_equation_indexed_{n}", variables=x,
        objective=sp.Add(*[_square(r) for r in residuals]), x0=_boundary_start(n),
        f_star=0.0 if f_star is None else f_star, x_star=x_star, tags=_TAGS, source=_source(29),
        notes="Dense Jacobian and Hessian (every residual couples all variables), unlike problem 28, whose "
        "solution vector it shares.",
    )  # fmt: skip


def _linear_name(short: str, n: int, m: int) -> str:
    return f"{short}_indexed_{n}" + ("" if m == 2 * n else f"_m{m}")


def _project(x0: np.ndarray, a: np.ndarray, level: float) -> np.ndarray:
    """The point of the hyperplane a . x = level nearest x0."""
    return x0 - (a @ x0 - level) / (a @ a) * a


def linear_full_rank(n: int, m: int | None = None) -> Problem:
    """MGH problem 32, m >= n (default 2n): r_k = x[k] - (2/m) sum_j x[j] - 1 for k < n (a template whose
    inner sum over all entries is unrolled) and m - n residuals -(2/m) sum_j x[j] - 1 (sp.Add). Not
    partially separable. x0 = 1, f* = m - n at x* = -1, exactly. Tag ``large``."""
    m = 2 * n if m is None else m
    if m < n:
        raise ValueError(f"linear_full_rank needs m >= n, got n = {n}, m = {m}")
    x = _x(n)
    scale = sp.Rational(2, m)
    body = _square(x[i] - scale * sp.Sum(x[j], (j, 0, n - 1)) - 1)
    tail = (m - n) * _square(-scale * sp.Add(*[x[k] for k in range(n)]) - 1)
    return Problem(
        name=_linear_name("linear_full_rank", n, m), variables=x, objective=sp.Sum(body, (i, 0, n - 1)) + tail,
        x0=np.ones(n), f_star=float(m - n), x_star=np.full(n, -1.0), tags=_TAGS, source=_source(32),
        notes=f"A linear least-squares problem (m = {m}): f* = m - n at x* = -1. Dense Hessian.",
    )  # fmt: skip


def linear_rank_1(n: int, m: int | None = None) -> Problem:
    """MGH problem 33, m >= n (default 2n): r_k = k s - 1 for k = 1..m, s = sum_j (j+1) x[j] (a template
    over k, the index as a number, whose inner sum over all entries is unrolled). Not partially
    separable. x0 = 1; f* = m(m-1)/(2(2m+1)) on the hyperplane s = 3/(2m+1), x* its point nearest x0.
    Tag ``large``."""
    m = 2 * n if m is None else m
    if m < n:
        raise ValueError(f"linear_rank_1 needs m >= n, got n = {n}, m = {m}")
    x = _x(n)
    body = _square(i * sp.Sum((j + 1) * x[j], (j, 0, n - 1)) - 1)
    return Problem(
        name=_linear_name("linear_rank_1", n, m), variables=x, objective=sp.Sum(body, (i, 1, m)),
        x0=np.ones(n), f_star=m * (m - 1) / (2 * (2 * m + 1)),
        x_star=_project(np.ones(n), np.arange(1.0, n + 1), 3 / (2 * m + 1)),
        tags=(*_TAGS, "multiple-minima"), source=_source(33),
        notes=f"Rank-one Jacobian (m = {m}): f* on a whole hyperplane, singular Hessian everywhere; x_star is the "
        "minimizer nearest x0.",
    )  # fmt: skip


def linear_rank_1_zero(n: int, m: int | None = None) -> Problem:
    """MGH problem 34, m >= n >= 3 (default m = 2n): r_1 = r_m = -1, r_k = (k - 1) s - 1 for k = 2..m-1,
    s = sum_{j=1}^{n-2} (j+1) x[j] (a template over k, inner sum unrolled; x[0] and x[n-1] do not
    appear). Not partially separable. x0 = 1; f* = (m^2 + 3m - 6)/(2(2m-3)) on the hyperplane
    s = 3/(2m-3), x* its point nearest x0. Tag ``large``."""
    m = 2 * n if m is None else m
    if m < n or n < 3:
        raise ValueError(f"linear_rank_1_zero needs m >= n >= 3, got n = {n}, m = {m}")
    x = _x(n)
    body = _square((i - 1) * sp.Sum((j + 1) * x[j], (j, 1, n - 2)) - 1)
    a = np.concatenate([[0.0], np.arange(2.0, n), [0.0]])
    return Problem(
        name=_linear_name("linear_rank_1_zero", n, m), variables=x, objective=2 + sp.Sum(body, (i, 2, m - 1)),
        x0=np.ones(n), f_star=(m * m + 3 * m - 6) / (2 * (2 * m - 3)),
        x_star=_project(np.ones(n), a, 3 / (2 * m - 3)), tags=(*_TAGS, "multiple-minima"), source=_source(34),
        notes=f"Rank-one Jacobian with zero first and last columns (m = {m}): f does not depend on x[0] and x[n-1].",
    )  # fmt: skip


#: Every family here, by name (for tests and benchmarks): name -> (function, a valid small n).
FAMILIES = {
    "extended_rosenbrock": (extended_rosenbrock, 4),
    "chained_rosenbrock": (chained_rosenbrock, 4),
    "extended_powell": (extended_powell, 4),
    "discrete_boundary_value": (discrete_boundary_value, 4),
    "broyden_tridiagonal": (broyden_tridiagonal, 4),
    "broyden_banded": (broyden_banded, 4),
    "penalty_1": (penalty_1, 4),
    "penalty_2": (penalty_2, 4),
    "variably_dimensioned": (variably_dimensioned, 4),
    "trigonometric": (trigonometric, 4),
    "brown_almost_linear": (brown_almost_linear, 4),
    "discrete_integral_equation": (discrete_integral_equation, 4),
    "linear_full_rank": (linear_full_rank, 4),
    "linear_rank_1": (linear_rank_1, 4),
    "linear_rank_1_zero": (linear_rank_1_zero, 4),
}
