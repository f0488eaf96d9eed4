"""CUTEst-style partially separable problems of any size, with known optima (tags ``large``, ``cutest``).

Unconstrained problems of the CUTEst collection (Gould, Orban & Toint, *CUTEst: a Constrained and
Unconstrained Testing Environment with safe threads*, Comput. Optim. Appl. 60:545-557, 2015), each a
sum of element functions that touch a few variables: declared with a shaped variable and ``sp.Sum``
templates, they are differentiated and compiled once whatever n, and evaluate in milliseconds at
n = 100 000 (tests/test_library_large.py). Each ``name(n)`` returns a Problem named ``<name>_<n>``;
functions, start points and parameters follow the SIF files (SIF input by Ph. Toint), checked against
two independent transcriptions: H. Y. Benson's AMPL models of the CUTE set (2001) and
OptimizationProblems.jl (JuliaSmoothOptimizers). The optimal values are exact, and so is x*: each is
derived in its docstring (every element is non-negative at the optimum and attains its minimum there).

Indices are 0-based in the code (``x[k]`` is the SIF's X(k+1)); docstrings use the SIF's 1-based
indices. The library's module-level instance is ``arwhead_100``, the cheapest of these in the default
report (which runs every method with every finite-difference variant: 68 runs, 67-82 s of run time at
n = 100, about 25 s of the report on two cores; ``dqdrtic(100)``, ``liarwhd(100)``, ``tridia(100)`` and
``dixmaan(99)`` cost 160-300 s each, finite-difference runs being nearly all of it). Every problem is one
call away at any n (:data:`FAMILIES`); the n = 100 000 versions are built by the tests and benchmarks.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from workbench import Problem

i = sp.Idx("i")

_TAGS = ("large", "cutest")


def _x(n: int, least: int, name: str) -> sp.IndexedBase:
    if n < least:
        raise ValueError(f"{name} needs n >= {least}, got {n}")
    return sp.IndexedBase("x", shape=(n,))


def arwhead(n: int) -> Problem:
    """ARWHEAD (CUTEst, classification OUR2-AN-V-0), n >= 2:

        f(x) = sum_{i=1}^{n-1} [(x_i^2 + x_n^2)^2 - 4 x_i + 3],   x0 = (1, ..., 1).

    One template over i with a moving slot x_i and the fixed slot x_n: the Hessian is an arrowhead
    (diagonal plus the last row and column). Optimum f* = 0 at x* = (1, ..., 1, 0), exact: each element
    is >= x_i^4 - 4 x_i + 3 = (x_i - 1)^2 (x_i^2 + 2 x_i + 3) >= 0, with equality iff x_i = 1 and
    x_n = 0. Source: problem 55 in A. R. Conn, N. I. M. Gould, M. Lescrenier and Ph. L. Toint,
    "Performance of a multifrontal scheme for partially separable optimization", Report 88/4, FUNDP
    Namur, 1988; CUTEst ARWHEAD.SIF. Tags ``large``, ``cutest``."""
    x = _x(n, 2, "arwhead")
    body = (x[i] ** 2 + x[n - 1] ** 2) ** 2 - 4 * x[i] + 3
    return Problem(
        name=f"arwhead_{n}", variables=x, objective=sp.Sum(body, (i, 0, n - 2)), x0=np.ones(n),
        f_star=0.0, x_star=np.append(np.ones(n - 1), 0.0), tags=_TAGS,
        notes="Arrowhead Hessian: every element couples x_i with the last variable. f(x0) = 3 (n - 1).",
        source="Conn, Gould, Lescrenier & Toint (1988), problem 55; CUTEst ARWHEAD",
    )  # fmt: skip


def dqdrtic(n: int) -> Problem:
    """DQDRTIC (CUTEst, classification QUR2-AN-V-0), n >= 3:

        f(x) = sum_{i=1}^{n-2} [x_i^2 + 100 x_{i+1}^2 + 100 x_{i+2}^2],   x0 = (3, ..., 3).

    A diagonal quadratic (Hessian diag(2, 202, 402, ..., 402, 400, 200), condition number 201) written as
    its element sum: one template over i touching x_i, x_{i+1}, x_{i+2}. Optimum f* = 0 at x* = 0, exact
    (a positive definite quadratic form). Source: problem 22 in Ph. L. Toint, "Test problems for
    partially separable optimization and results for the routine PSPMIN", Report 83/4, FUNDP Namur,
    1983; CUTEst DQDRTIC.SIF. Tags ``large``, ``cutest``."""
    x = _x(n, 3, "dqdrtic")
    body = x[i] ** 2 + 100 * x[i + 1] ** 2 + 100 * x[i + 2] ** 2
    return Problem(
        name=f"dqdrtic_{n}", variables=x, objective=sp.Sum(body, (i, 0, n - 3)), x0=np.full(n, 3.0),
        f_star=0.0, x_star=np.zeros(n), tags=(*_TAGS, "quadratic"), convex=True,
        notes="Separable convex quadratic, condition number 201 for n >= 4: Newton's method solves it in one step.",
        source="Toint (1983), problem 22; CUTEst DQDRTIC",
    )  # fmt: skip


def liarwhd(n: int) -> Problem:
    """LIARWHD (CUTEst, classification SUR2-AN-V-0), n >= 2:

        f(x) = sum_{i=1}^{n} [4 (x_i^2 - x_1)^2 + (x_i - 1)^2],   x0 = (4, ..., 4).

    One template over i with a moving slot x_i and the fixed slot x_1 (the element i = 1 uses x_1 in
    both). Optimum f* = 0 at x* = (1, ..., 1), exact: every element is a sum of squares that vanishes
    there (x_i = 1 and x_i^2 = x_1), and nowhere else. Source: G. Li, "The secant/finite difference
    algorithm for solving sparse nonlinear systems of equations", SIAM J. Numer. Anal. 25(5):1181-1196,
    1988 (a simplified version of NONDIA); CUTEst LIARWHD.SIF. Tags ``large``, ``cutest``."""
    x = _x(n, 2, "liarwhd")
    body = 4 * (x[i] ** 2 - x[0]) ** 2 + (x[i] - 1) ** 2
    return Problem(
        name=f"liarwhd_{n}", variables=x, objective=sp.Sum(body, (i, 0, n - 1)), x0=np.full(n, 4.0),
        f_star=0.0, x_star=np.ones(n), tags=(*_TAGS, "least-squares"),
        notes="Arrowhead Hessian (every element couples x_i with x_1); f(x0) = 585 n.",
        source="Li (1988); CUTEst LIARWHD",
    )  # fmt: skip


def tridia(n: int) -> Problem:
    """TRIDIA (CUTEst, classification QUR2-AN-V-0), n >= 2, with the SIF's alpha = 2, beta = 1,
    gamma = 1, delta = 1:

        f(x) = gamma (delta x_1 - 1)^2 + sum_{i=2}^{n} i (alpha x_i - beta x_{i-1})^2,   x0 = (1, ..., 1).

    Shanno's tridiagonal quadratic: a plain term and one template over i. Optimum f* = 0 at
    x*_i = 2^(1-i) (x_1 = 1/delta, x_i = (beta/alpha) x_{i-1}), exact: a sum of squares that vanishes
    there (in floating point x*_i underflows to 0 beyond i = 1075 and every term still evaluates to 0).
    The Hessian is tridiagonal with weights up to 5n: its condition number grows like n^2, so gradient
    methods slow down with n while Newton's method solves it in one step. Source: problem 8 in Ph. L.
    Toint, Report 83/4, FUNDP Namur, 1983 (see also Buckley #40); CUTEst TRIDIA.SIF.
    Tags ``large``, ``cutest``."""
    x = _x(n, 2, "tridia")
    alpha, beta, gamma, delta = 2, 1, 1, 1
    objective = gamma * (delta * x[0] - 1) ** 2 + sp.Sum((i + 1) * (alpha * x[i] - beta * x[i - 1]) ** 2, (i, 1, n - 1))
    return Problem(
        name=f"tridia_{n}", variables=x, objective=objective, x0=np.ones(n),
        f_star=0.0, x_star=np.ldexp(1.0, -np.arange(n)), tags=(*_TAGS, "quadratic"), convex=True,
        notes="Convex quadratic with a tridiagonal Hessian whose condition number grows like n^2.",
        source="Toint (1983), problem 8; CUTEst TRIDIA",
    )  # fmt: skip


#: DIXMAAN variants: (beta, gamma, delta, K1, K4) with alpha = 1, K2 = K3 = 0. A-D: CUTEst DIXMAANA-D.SIF
#: (Benson's AMPL models); E-L: OptimizationProblems.jl (dixmaane-l), the SIF files' weights (i/n)^K.
DIXMAAN = {
    "a": (0.0, 0.125, 0.125, 0, 0),
    "b": (0.0625, 0.0625, 0.0625, 0, 0),
    "c": (0.125, 0.125, 0.125, 0, 0),
    "d": (0.26, 0.26, 0.26, 0, 0),
    "e": (0.0, 0.125, 0.125, 1, 1),
    "f": (0.0625, 0.0625, 0.0625, 1, 1),
    "g": (0.125, 0.125, 0.125, 1, 1),
    "h": (0.26, 0.26, 0.26, 1, 1),
    "i": (0.0, 0.125, 0.125, 2, 2),
    "j": (0.0625, 0.0625, 0.0625, 2, 2),
    "k": (0.125, 0.125, 0.125, 2, 2),
    "l": (0.26, 0.26, 0.26, 2, 2),
}


def dixmaan(n: int, variant: str = "a") -> Problem:
    """DIXMAANA-L (CUTEst, classification OUR2-AN-V-0), n = 3m:

        f(x) = 1 + sum_{i=1}^{n} alpha x_i^2 (i/n)^K1 + sum_{i=1}^{n-1} beta x_i^2 (x_{i+1} + x_{i+1}^2)^2
                 + sum_{i=1}^{2m} gamma x_i^2 x_{i+m}^4 + sum_{i=1}^{m} delta x_i x_{i+2m} (i/n)^K4,

    alpha = 1 and (beta, gamma, delta, K1, K4) from :data:`DIXMAAN`; x0 = (2, ..., 2). Four templates (the
    beta sum is left out when beta = 0, as CUTEst's DIXMAANA1 does); the weights (i/n)^K come from the
    index. Couplings reach m and 2m positions away. Optimum f* = 1 at x* = 0, exact: the beta and gamma
    elements are >= 0, and with w_i = (i/n)^K1 (K4 = K1 in every variant, w increasing) each pair
    i <= m contributes w_i x_i^2 + w_{i+2m} x_{i+2m}^2 + delta w_i x_i x_{i+2m}
    >= w_i (1 - delta/2)(x_i^2 + x_{i+2m}^2), positive off zero (delta <= 0.26). Source:
    L. C. W. Dixon and Z. Maany, "A family of test problems with sparse Hessians for unconstrained
    optimization", TR 206, Numerical Optimization Centre, Hatfield Polytechnic, 1988 (Buckley #221);
    CUTEst DIXMAANA.SIF ... DIXMAANL.SIF. Tags ``large``, ``cutest``."""
    if variant not in DIXMAAN:
        raise ValueError(f"dixmaan variant must be one of {', '.join(DIXMAAN)}, got {variant!r}")
    if n < 3 or n % 3:
        raise ValueError(f"dixmaan needs n a positive multiple of 3, got {n}")
    beta, gamma, delta, k1, k4 = (sp.nsimplify(v) for v in DIXMAAN[variant])
    m = n // 3
    x = sp.IndexedBase("x", shape=(n,))
    weight = (i + 1) / sp.Integer(n)  # i/n with the SIF's 1-based i
    objective = 1 + sp.Sum(x[i] ** 2 * weight**k1, (i, 0, n - 1))
    if beta:
        objective += sp.Sum(beta * x[i] ** 2 * (x[i + 1] + x[i + 1] ** 2) ** 2, (i, 0, n - 2))
    objective += sp.Sum(gamma * x[i] ** 2 * x[i + m] ** 4, (i, 0, 2 * m - 1))
    objective += sp.Sum(delta * x[i] * x[i + 2 * m] * weight**k4, (i, 0, m - 1))
    return Problem(
        name=f"dixmaan{variant}_{n}", variables=x, objective=objective, x0=np.full(n, 2.0),
        f_star=1.0, x_star=np.zeros(n), tags=_TAGS,
        notes=f"Variant {variant.upper()}: beta = {DIXMAAN[variant][0]}, gamma = delta = {DIXMAAN[variant][2]}, "
        f"weights (i/n)^{DIXMAAN[variant][3]} on the alpha and delta terms. The Hessian at x* is "
        "2 diag(alpha weights) plus delta couplings 2m apart"
        + (": well conditioned." if not DIXMAAN[variant][3] else f", condition number ~ n^{DIXMAAN[variant][3]}."),
        source=f"Dixon & Maany (1988); CUTEst DIXMAAN{variant.upper()}",
    )  # fmt: skip


#: Every problem here, by name (for tests and benchmarks): name -> function of n.
FAMILIES = {
    "arwhead": arwhead,
    "dqdrtic": dqdrtic,
    "liarwhd": liarwhd,
    "tridia": tridia,
    "dixmaana": lambda n: dixmaan(n, "a"),
}

# --- the library: n = 100 (the n = 100 000 versions are built by tests and benchmarks) -------------------
arwhead_100 = arwhead(100)
