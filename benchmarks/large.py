"""The library's large problems at n = 100 000: build, setup, evaluation and solve times (not a test).

For each CUTEst-style problem of ``problems/cutest.py``: the time to build the declaration, the setup
of its compiled model (templates differentiated and compiled, first value and gradient), the per-call
time of f and of the gradient at x0, and a solve with exact derivatives by L-BFGS and by Newton-CG (the
one workbench Newton method that takes a sparse Hessian without densifying it: ``newton``,
``trust-exact`` and ``trust-krylov`` would build an n x n array, 80 GB at n = 100 000).

    python benchmarks/large.py [--n 100000] [--time-limit 120]
    python benchmarks/large.py --fd [--n 100000]   # finite-difference gradients at n, from values alone

On a machine whose cores are shared, run it with ``OPENBLAS_NUM_THREADS=1`` (as the workbench's worker
processes and the test suite do): OpenBLAS's spinning threads make the vector-sized BLAS calls of
L-BFGS-B and Newton-CG several times slower under contention (TRIDIA: 8 s against 99 s).
"""

from __future__ import annotations

import argparse
import time
import warnings

import derivatives  # benchmarks/derivatives.py: per_call
import numpy as np

from workbench import solve
from workbench.discovery import builtin_folder, load_problem_file
from workbench.model import compile_model

#: problem -> methods (TRIDIA's condition number grows like n^2: L-BFGS needs thousands of iterations)
METHODS = {
    "arwhead": ("lbfgs", "newton-cg"),
    "dqdrtic": ("lbfgs", "newton-cg"),
    "liarwhd": ("lbfgs", "newton-cg"),
    "dixmaana": ("lbfgs", "newton-cg"),
    "tridia": ("newton-cg",),
}


def per_call(function, x):
    return derivatives.per_call(function, x, budget=0.5)


def finite_differences(n: int) -> None:
    """Gradients of ARWHEAD at n from values alone (``--fd``): forward differences (n + 1 evaluations of f,
    points built in batches, finite_difference.BATCH_ENTRIES) and the complex step, each timed with its
    largest relative error against the exact gradient, and the process's peak memory."""
    import resource

    problem = load_problem_file(builtin_folder() / "cutest.py").arwhead(n)
    x0 = np.array(problem.x0)
    exact = problem.oracle("analytic").gradient(x0)
    for variant in ("fd-forward", "complex-step"):
        oracle = problem.oracle(variant)
        start = time.perf_counter()
        estimate = oracle.gradient(x0)
        seconds = time.perf_counter() - start
        error = np.max(np.abs(estimate - exact)) / np.max(np.abs(exact))
        print(f"{problem.name} {variant} gradient: {seconds:.1f} s, {oracle.counts.objective_evaluations} "
              f"evaluations of f, largest relative error {error:.2g}")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of variables (default 100 000)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve (default 120)")
    parser.add_argument("--fd", action="store_true", help="only finite-difference gradients of ARWHEAD at n")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.fd:
        finite_differences(args.n)
        return
    cutest = load_problem_file(builtin_folder() / "cutest.py")
    header = f"{'problem':18s} {'build s':>8s} {'setup s':>8s} {'f ms':>7s} {'grad ms':>8s}  solves"
    print(header)
    print("-" * (len(header) + 40))
    for name, methods in METHODS.items():
        start = time.perf_counter()
        problem = cutest.dixmaan(args.n - args.n % 3, "a") if name == "dixmaana" else getattr(cutest, name)(args.n)
        built = time.perf_counter()
        exact = compile_model(problem).exact
        x0 = np.array(problem.x0)
        exact.value(x0)
        exact.gradient(x0)
        setup = time.perf_counter() - built
        value, gradient = per_call(exact.value, x0), per_call(exact.gradient, x0)
        solves = []
        for method in methods:
            start_solve = time.perf_counter()
            result = solve(problem, method, "analytic", time_limit=args.time_limit)
            seconds = time.perf_counter() - start_solve
            solves.append(f"{method} {result.status} in {result.iterations} it, {seconds:.1f} s (f = {result.f:.3g})")
        print(
            f"{problem.name:18s} {built - start:8.3f} {setup:8.3f} {value * 1e3:7.2f} {gradient * 1e3:8.2f}  "
            + "; ".join(solves)
        )


if __name__ == "__main__":
    main()
