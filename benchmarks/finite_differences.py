"""Finite differences at their limits, side by side in one run (not a test).

Correct digits (-log10 of max |error| / max |exact|, against SymPy derivatives evaluated in 40-digit
mpmath) and evaluations of f for each way of getting a gradient or a Hessian from values:

* forward / central: ``workbench.finite_difference.jacobian`` / ``hessian`` with the textbook steps
  (sqrt(eps), eps^(1/3) x scale for gradients; eps^(1/3), eps^(1/4) x scale for Hessians);
* forward h* / central h*: the same stencils at ``optimal_steps`` (the fd-optimal teaching baseline,
  fed with the exact higher derivatives and eps_f = eps x sum |terms of f|);
* complex step: ``complex_step_jacobian`` (Hessian: central differences of complex-step gradients;
  its evaluations are complex ones);
* Richardson: ``workbench.richardson.richardson_jacobian`` / ``richardson_hessian`` (fd-richardson);
* numdifftools: ``Gradient`` / ``Hessian`` with their defaults, when numdifftools is installed (it is
  not a dependency: ``pip install numdifftools``).

Cases with ``typical_x`` pass it to every workbench method (numdifftools has no such option).

A second table goes through the oracle (``problem.oracle(variant)``, the compiled model, every evaluation
counted) on the library's problems that declare ``typical_x``, at x0 and near x*: each variant as it runs
(steps scaled by typical_x) beside ``fd-forward`` / ``fd-central`` on the same problem without typical_x.

    python benchmarks/finite_differences.py
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from workbench import finite_difference as fd
from workbench.richardson import richardson_hessian, richardson_jacobian

try:
    import numdifftools
except ImportError:  # optional: only compared with
    numdifftools = None


@dataclass(frozen=True)
class Case:
    label: str
    variables: tuple[sp.Symbol, ...]
    expression: sp.Expr
    x: tuple[float, ...]
    quantity: str  # "gradient" or "hessian"
    typical_x: tuple[float, ...] | None = None


def _cases() -> list[Case]:
    a, b, c = sp.symbols("a b c", real=True)
    x1, x2 = sp.symbols("x1 x2", real=True)
    y = sp.symbols("y0:10", real=True)
    z = sp.symbols("z1:5", real=True)
    brown = (x1 - 10**6) ** 2 + (x2 - sp.Rational(2, 10**6)) ** 2 + (x1 * x2 - 2) ** 2
    typical = (1e6, 2e-6)
    rosenbrock = sum(100 * (y[2 * i + 1] - y[2 * i] ** 2) ** 2 + (1 - y[2 * i]) ** 2 for i in range(5))
    exp3 = sp.exp(a * b * c) + sp.exp(2 * a - b) * sp.sin(c) + sp.exp(-(c**2)) / (1 + a**2)
    hs071 = z[0] * z[3] * (z[0] + z[1] + z[2]) + z[2]
    barrier = -sp.log(a) - sp.log(b) - sp.log(c) - sp.log(1 - a - b - c)
    cases = []
    for point, name in (((1.0, 1.0), "x0 = (1, 1)"), ((1e6 + 10, 2.1e-6), "(1e6 + 10, 2.1e-6)")):
        cases.append(Case(f"Brown badly scaled, {name}", (x1, x2), brown, point, "gradient"))
        cases.append(Case("  same, typical_x = (1e6, 2e-6)", (x1, x2), brown, point, "gradient", typical))
    near = (1e6 * 1.001, 2e-6 * 1.01)
    cases.append(Case("Brown badly scaled, x* (1.001, 1.01)", (x1, x2), brown, near, "gradient"))
    cases.append(Case("  same, typical_x = (1e6, 2e-6)", (x1, x2), brown, near, "gradient", typical))
    cases += [
        Case("extended Rosenbrock n=10, x0", y, rosenbrock, (-1.2, 1.0) * 5, "gradient"),
        Case("exp-heavy, (0.37, -1.21, 0.83)", (a, b, c), exp3, (0.37, -1.21, 0.83), "gradient"),
        Case("HS071 f, (1.3, 4.7, 3.9, 1.6)", z, hs071, (1.3, 4.7, 3.9, 1.6), "gradient"),
        Case("sum exp(10 x_i), (-0.5, 0.5, 1.5)", (a, b, c), sp.exp(10 * a) + sp.exp(10 * b) + sp.exp(10 * c),
             (-0.5, 0.5, 1.5), "gradient"),
        Case("log barrier, (0.01, 0.2, 0.3)", (a, b, c), barrier, (0.01, 0.2, 0.3), "gradient"),
        Case("extended Rosenbrock n=10, x0", y, rosenbrock, (-1.2, 1.0) * 5, "hessian"),
        Case("exp-heavy, (0.37, -1.21, 0.83)", (a, b, c), exp3, (0.37, -1.21, 0.83), "hessian"),
        Case("HS071 f, (1.3, 4.7, 3.9, 1.6)", z, hs071, (1.3, 4.7, 3.9, 1.6), "hessian"),
        Case("log barrier, (0.01, 0.2, 0.3)", (a, b, c), barrier, (0.01, 0.2, 0.3), "hessian"),
    ]  # fmt: skip
    return cases


def _evaluators(case: Case) -> tuple[Callable, Callable, Callable]:
    """Batched real and complex evaluators, and a scalar one for numdifftools, each counting points."""
    real = sp.lambdify(case.variables, case.expression, "numpy")
    count = [0]

    def evaluate(points: np.ndarray) -> np.ndarray:
        points = np.atleast_2d(points)
        count[0] += points.shape[0]
        with np.errstate(all="ignore"):
            values = np.asarray(real(*points.T))
        return np.broadcast_to(values, points.shape[:1]).reshape(-1, 1)

    def scalar(x: np.ndarray) -> float:
        return float(evaluate(np.asarray(x, dtype=float)[None])[0, 0].real)

    return evaluate, scalar, count


def _truth(case: Case) -> np.ndarray:
    """Gradient or Hessian in 40-digit mpmath at the float64 point."""
    gradient = [sp.diff(case.expression, v) for v in case.variables]
    target = gradient if case.quantity == "gradient" else [[sp.diff(g, v) for v in case.variables] for g in gradient]
    with mpmath.workdps(40):
        point = [mpmath.mpf(float(v)) for v in case.x]
        return np.array(sp.lambdify(case.variables, target, "mpmath")(*point), dtype=float)


def _model_inputs(case: Case, order: int) -> tuple[float, np.ndarray]:
    """eps_f = eps x sum |terms of f| and the exact d^order f / dx_i^order at x, for optimal_steps."""
    values = dict(zip(case.variables, case.x, strict=True))
    terms = sp.Add.make_args(case.expression)
    eps_f = fd.EPS * float(sum(abs(sp.N(t.subs(values), 30)) for t in terms))
    derivative = np.array([float(sp.N(sp.diff(case.expression, v, order).subs(values), 30)) for v in case.variables])
    return eps_f, derivative


def _digits(estimate: np.ndarray, exact: np.ndarray) -> float:
    error = float(np.max(np.abs(np.asarray(estimate, dtype=float) - exact)))
    if not np.isfinite(error):
        return float("nan")
    return 16.0 if error == 0 else float(np.clip(-np.log10(error / np.max(np.abs(exact))), -9.9, 16.0))


def _methods(case: Case, evaluate: Callable, scalar: Callable) -> dict[str, Callable[[], np.ndarray]]:
    """name -> a function returning the estimate (evaluations are counted by the evaluator)."""
    x = np.array(case.x, dtype=float)
    typical = None if case.typical_x is None else np.array(case.typical_x)
    gradient = case.quantity == "gradient"
    methods: dict[str, Callable[[], np.ndarray]] = {}
    for scheme in ("forward", "central"):
        kind = scheme if gradient else f"hessian-{scheme}"
        order = fd.OPTIMAL_STEP_SCHEMES[kind][0]
        eps_f, derivative = _model_inputs(case, order)
        best = fd.optimal_steps(kind, eps_f=eps_f, derivative=derivative, x=x, typical_x=typical)
        if gradient:
            methods[scheme] = lambda s=scheme: fd.jacobian(evaluate, x, scheme=s, typical_x=typical).value[0]
            methods[f"{scheme} h*"] = lambda s=scheme, h=best: fd.jacobian(evaluate, x, scheme=s, step=h).value[0]
        else:
            methods[scheme] = lambda s=scheme: fd.hessian(evaluate, x, scheme=s, typical_x=typical).value
            methods[f"{scheme} h*"] = lambda s=scheme, h=best: fd.hessian(evaluate, x, scheme=s, step=h).value
    if gradient:
        methods["complex step"] = lambda: fd.complex_step_jacobian(evaluate, x, typical_x=typical).value[0]
        methods["Richardson"] = lambda: richardson_jacobian(evaluate, x, typical_x=typical).value[0]
    else:
        methods["complex step"] = lambda: (
            fd.hessian_from_gradient(
                lambda p: fd.complex_step_jacobian(evaluate, p, typical_x=typical), x, typical_x=typical
            ).value
        )
        methods["Richardson"] = lambda: richardson_hessian(evaluate, x, typical_x=typical).value
    if numdifftools is not None and typical is None:
        estimator = numdifftools.Gradient if gradient else numdifftools.Hessian
        methods["numdifftools"] = lambda: estimator(scalar)(x)
    return methods


#: Library problems that declare typical_x, and a point near x* for each (x* itself has a zero gradient).
LIBRARY = {
    "mgh04_brown_badly_scaled": (1e6 + 10, 2.1e-6),
    "mgh03_powell_badly_scaled": (1.0981593296998175e-05 * 1.01, 9.106146739866524 * 1.001),
    "mgh17_osborne_1": (0.3754 * 1.01, 1.9358, -1.4647, 0.012868 * 1.01, 0.022123),
}


def _oracle_table() -> None:
    from workbench.discovery import discover_problems

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library = discover_problems()
    variants = ["fd-forward", "fd-central", "fd-richardson", "fd-optimal"]
    print("\nThrough the oracle, gradients: correct digits / evaluations of f ('textbook' = without typical_x)\n")
    print("| problem | point | fd-forward textbook | fd-central textbook | " + " | ".join(variants) + " |")
    print("|---|---|---|---|" + "---|" * len(variants))
    for name, near in LIBRARY.items():
        problem = library[name]
        textbook = dataclasses.replace(problem, typical_x=None)
        case = Case(name, problem.variables, problem.objective, (), "gradient")
        for label, point in (("x0", problem.x0), ("near x*", near)):
            exact = _truth(dataclasses.replace(case, x=tuple(point)))
            cells = []
            runs = [(textbook, "fd-forward"), (textbook, "fd-central")] + [(problem, v) for v in variants]
            for source, variant in runs:
                oracle = source.oracle(variant)
                with np.errstate(all="ignore"):
                    estimate = oracle.gradient(np.array(point, dtype=float))
                cells.append(f"{_digits(estimate, exact):.1f} / {oracle.counts.objective_evaluations}")
            print(f"| {name} | {label} | " + " | ".join(cells) + " |")


def main() -> None:
    start = time.perf_counter()
    cases = _cases()
    columns = ["forward", "forward h*", "central", "central h*", "complex step", "Richardson"]
    if numdifftools is not None:
        columns.append("numdifftools")
    for quantity in ("gradient", "hessian"):
        print(f"\n{quantity.capitalize()}s: correct digits / evaluations of f\n")
        print("| case | n | " + " | ".join(columns) + " |")
        print("|---|---|" + "---|" * len(columns))
        for case in (c for c in cases if c.quantity == quantity):
            evaluate, scalar, count = _evaluators(case)
            methods = _methods(case, evaluate, scalar)
            exact = _truth(case)
            cells = []
            for name in columns:
                method = methods.get(name)
                if method is None:
                    cells.append("")
                    continue
                count[0] = 0
                with np.errstate(all="ignore"):
                    estimate = method()
                cells.append(f"{_digits(estimate, exact):.1f} / {count[0]}")
            print(f"| {case.label} | {len(case.variables)} | " + " | ".join(cells) + " |")
    print(
        "\nDigits = -log10(max |error| / max |exact|) against 40-digit mpmath, clipped to 16. 'h*' = the steps of"
        "\noptimal_steps from the exact higher derivatives (fd-optimal). Complex-step evaluations are complex;"
        "\nits Hessian differences complex-step gradients. numdifftools: defaults, no typical_x option."
    )
    _oracle_table()
    print(f"\n({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
