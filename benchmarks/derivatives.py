"""Derivative setup and evaluation cost, measured side by side in one run (not a test).

For each problem: setup time (derive + compile + first call of value, gradient and Hessian), the
per-call time of value, gradient and Hessian, and the ratio cost(gradient) / cost(value). When CasADi
is installed (``pip install "workbench[benchmark]"``) the same figures for CasADi's SX graphs follow,
with the ratio workbench / CasADi.

    python benchmarks/derivatives.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import sympy as sp

from workbench.discovery import builtin_folder, discover_problems, load_problem_file


def per_call(function, x, budget=0.2):
    function(x)
    calls, start = 0, time.perf_counter()
    while True:
        function(x)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed > budget and calls >= 5:
            return elapsed / calls


def measure_workbench(problem):
    x = np.array(problem.x0) + 0.1
    start = time.perf_counter()
    oracle = problem.oracle("analytic")
    oracle.value(x)
    oracle.gradient(x)
    oracle.hessian(x)
    setup = time.perf_counter() - start
    return {
        "setup": setup,
        "value": per_call(oracle.value, x),
        "gradient": per_call(oracle.gradient, x),
        "hessian": per_call(oracle.hessian, x),
        "sparse": oracle.sparse,
    }


def measure_casadi(problem):
    import casadi

    x = np.array(problem.x0) + 0.1
    start = time.perf_counter()
    symbols = casadi.SX.sym("x", problem.n)
    mapping = {v: symbols[i] for i, v in enumerate(problem.variables)}
    printer = sp.lambdify(
        problem.variables,
        problem.objective,
        modules=[
            {"sin": casadi.sin, "cos": casadi.cos, "exp": casadi.exp, "log": casadi.log, "sqrt": casadi.sqrt},
            "math",
        ],
    )
    objective = printer(*[mapping[v] for v in problem.variables])
    gradient = casadi.gradient(objective, symbols)
    hessian, _ = casadi.hessian(objective, symbols)
    f = casadi.Function("f", [symbols], [objective])
    g = casadi.Function("g", [symbols], [gradient])
    h = casadi.Function("h", [symbols], [hessian])
    f(x), g(x), h(x)
    setup = time.perf_counter() - start
    return {"setup": setup, "value": per_call(f, x), "gradient": per_call(g, x), "hessian": per_call(h, x)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip n = 1000 and the dense n = 100 case")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    lecture = load_problem_file(builtin_folder() / "lecture.py")
    cases = [discover_problems()["hs071"]]
    sizes = (10, 100) if args.quick else (10, 100, 1000)
    cases += [lecture.chained_rosenbrock(n) for n in sizes]
    if not args.quick:
        mgh = load_problem_file(builtin_folder() / "more_garbow_hillstrom.py")
        cases.append(mgh.trigonometric(100))  # dense Hessian
    try:
        import casadi  # noqa: F401

        have_casadi = True
    except ImportError:
        have_casadi = False
        print("CasADi not installed: workbench figures only (pip install 'workbench[benchmark]')\n")
    header = f"{'problem':24s} {'tool':9s} {'setup s':>8s} {'f us':>9s} {'grad us':>9s} {'hess us':>9s} {'grad/f':>7s}"
    print(header)
    print("-" * len(header))
    for problem in cases:
        ours = measure_workbench(problem)
        rows = [("workbench", ours)]
        if have_casadi:
            rows.append(("casadi", measure_casadi(problem)))
        for tool, m in rows:
            label = problem.name + (" (sparse)" if m.get("sparse") else "")
            print(
                f"{label:24s} {tool:9s} {m['setup']:8.3f} {m['value'] * 1e6:9.1f} {m['gradient'] * 1e6:9.1f} "
                f"{m['hessian'] * 1e6:9.1f} {m['gradient'] / m['value']:7.2f}"
            )
        if have_casadi:
            theirs = rows[1][1]
            print(
                f"{'':24s} {'ratio':9s} {ours['setup'] / theirs['setup']:8.1f} "
                f"{ours['value'] / theirs['value']:9.2f} {ours['gradient'] / theirs['gradient']:9.2f} "
                f"{ours['hessian'] / theirs['hessian']:9.2f}"
            )


if __name__ == "__main__":
    main()
