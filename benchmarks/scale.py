"""Structured problems at scale, measured side by side in one run (a script, not a test).

    python benchmarks/scale.py            # everything (about a minute on 2 cores)
    python benchmarks/scale.py --quick    # smaller sizes

What a user waits for, declaration included:

1. Chained Rosenbrock, n = 1e3 ... 1e6, declared as one Sum template: setup (declaration + compiled
   model + first f, gradient and sparse Hessian), then the gradient and the value per call, beside a
   hand-vectorized NumPy gradient of the same function (ratios in the same run).
2. Logistic regression on 1e5 synthetic rows x 20 features (seeded): setup, the full gradient beside
   NumPy's, and one mini-batch step of 64 rows (batch gradient from the oracle + an Adam update).
3. The tanh network on the Breast Cancer Wisconsin data (problems/breast_cancer.py): setup, one epoch of
   mini-batch Adam (batch 32) through ``workbench.solve``, and, when PyTorch is installed
   (``pip install torch``), the same epoch in PyTorch (float64, same initial weights, same batch order,
   same Adam settings) and both test accuracies after the same number of epochs.
   Then its exact Hessian (from Hessian-vector products) and full-batch Newton and L-BFGS with exact
   derivatives under the data study's time limit (workbench/report/training_plan.py).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import sympy as sp

warnings.simplefilter("ignore")


def best_of(function: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    """The best wall time of ``repeat`` runs of ``number`` calls, per call (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def chained_rosenbrock(sizes: list[int]) -> None:
    torch = _optional("torch")
    print("\n## Chained Rosenbrock (one Sum template)\n")
    extra = " PyTorch gradient ms |" if torch else ""
    print("| n | setup s | gradient ms | value ms | NumPy gradient ms | gradient / NumPy | gradient / value |" + extra)
    print("|---|---|---|---|---|---|---|" + ("---|" if torch else ""))
    for n in sizes:
        print(_chained_rosenbrock_row(n, torch))


def _chained_rosenbrock_row(n: int, torch: object | None) -> str:
    from workbench import Problem
    from workbench.model import compile_model

    start = time.perf_counter()
    x = sp.IndexedBase("x", shape=(n,))
    i = sp.Idx("i")
    objective = sp.Sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2, (i, 0, n - 2))
    problem = Problem(name=f"chained_rosenbrock_{n}", variables=x, x0=np.tile([-1.2, 1.0], n // 2), objective=objective)
    model = compile_model(problem)
    x0 = np.array(problem.x0)
    model.exact.value(x0)
    model.exact.gradient(x0)
    model.exact.hessian(x0, sparse=True)
    setup = time.perf_counter() - start
    number = max(1, 10**6 // n)
    gradient = best_of(lambda: model.exact.gradient(x0), number=number)
    value = best_of(lambda: model.exact.value(x0), number=number)

    def numpy_gradient() -> np.ndarray:
        g = np.zeros_like(x0)
        d = x0[1:] - x0[:-1] ** 2
        g[:-1] = -400 * x0[:-1] * d - 2 * (1 - x0[:-1])
        g[1:] += 200 * d
        return g

    reference = best_of(numpy_gradient, number=number)
    assert np.allclose(numpy_gradient(), model.exact.gradient(x0), rtol=1e-12)
    cell = ""
    if torch:
        point = torch.tensor(x0, dtype=torch.float64, requires_grad=True)

        def torch_gradient() -> object:
            point.grad = None
            torch.sum(100 * (point[1:] - point[:-1] ** 2) ** 2 + (1 - point[:-1]) ** 2).backward()
            return point.grad

        cell = f" {best_of(torch_gradient, number=number) * 1e3:.3f} |"
    return (f"| {n:.0e} | {setup:.3f} | {gradient * 1e3:.3f} | {value * 1e3:.3f} | {reference * 1e3:.3f} | "
            f"{gradient / reference:.2f} | {gradient / value:.2f} |{cell}")  # fmt: skip


def logistic_regression(rows: int, features: int = 20) -> None:
    from workbench import Problem
    from workbench.methods.rules import adam
    from workbench.model import compile_model

    print(f"\n## Logistic regression, {rows:.0e} rows x {features} features\n")
    rng = np.random.default_rng(0)
    A = rng.normal(size=(rows, features))
    labels = np.sign(A @ rng.normal(size=features) + 0.5 * rng.normal(size=rows))
    start = time.perf_counter()
    data, y, w = sp.IndexedBase("A"), sp.IndexedBase("y"), sp.IndexedBase("w", shape=(features,))
    i, j = sp.Idx("i"), sp.Idx("j")
    problem = Problem(name="logistic", variables=w, data={"A": A, "y": labels}, x0=np.zeros(features),
                      objective=sp.Sum(sp.log(1 + sp.exp(-y[i] * sp.Sum(data[i, j] * w[j], (j, 0, features - 1)))),
                                       (i, 0, rows - 1)) / rows)  # fmt: skip
    model = compile_model(problem)
    x = rng.normal(size=features) * 0.1
    model.exact.value(x)
    model.exact.gradient(x)
    model.exact.hessian(x)
    setup = time.perf_counter() - start

    def numpy_gradient() -> np.ndarray:
        margin = labels * (A @ x)
        return A.T @ (-labels / (1 + np.exp(margin))) / rows

    assert np.allclose(numpy_gradient(), model.exact.gradient(x), rtol=1e-10, atol=1e-14)
    gradient = best_of(lambda: model.exact.gradient(x))
    reference = best_of(numpy_gradient)
    oracle = problem.oracle("analytic")
    rule = adam()
    state = rule.init(x)
    batches = [rng.choice(rows, 64, replace=False) for _ in range(200)]

    def step(k: list[int] = [0]) -> None:  # noqa: B006 - a counter across calls
        nonlocal state
        g = oracle.batch_gradient(x, batches[k[0] % len(batches)])
        direction, state = rule.update(g, state, k[0])
        k[0] += 1
        return x - 1e-3 * direction

    batch = best_of(step, number=200)
    print("| setup s | full gradient ms | NumPy gradient ms | ratio | mini-batch step (64 rows) us |")
    print("|---|---|---|---|---|")
    print(f"| {setup:.3f} | {gradient * 1e3:.2f} | {reference * 1e3:.2f} | {gradient / reference:.2f} | "
          f"{batch * 1e6:.0f} |")  # fmt: skip
    torch = _optional("torch")
    if torch:
        tA, ty = torch.tensor(A), torch.tensor(labels)
        tw = torch.tensor(x, requires_grad=True)
        batch_rows = [torch.from_numpy(b) for b in batches]

        def torch_gradient(rows: object = None) -> object:
            tw.grad = None
            data, target = (tA, ty) if rows is None else (tA[rows], ty[rows])
            torch.nn.functional.softplus(-target * (data @ tw)).mean().backward()
            return tw.grad

        full = best_of(torch_gradient)
        step_time = best_of(lambda: torch_gradient(batch_rows[0]), number=200)
        print(f"PyTorch {torch.__version__} (float64): full gradient {full * 1e3:.2f} ms, a 64-row batch gradient "
              f"{step_time * 1e6:.0f} us")  # fmt: skip


def network(epochs: int) -> None:
    from workbench import solve
    from workbench.discovery import builtin_folder, load_problem_file
    from workbench.model import compile_model

    print("\n## The tanh network on Breast Cancer Wisconsin (problems/breast_cancer.py)\n")
    start = time.perf_counter()
    module = load_problem_file(builtin_folder() / "breast_cancer.py")
    problem = module.breast_cancer_network
    model = compile_model(problem)
    x0 = np.array(problem.x0)
    model.exact.value(x0)
    model.exact.gradient(x0)
    model.batch_gradient(x0, np.arange(32))
    setup = time.perf_counter() - start
    options = dict(batch_size=32, learning_rate=0.01, seed=0)
    solve(problem, "adam", epochs=1, **options)  # warm
    one_epoch = best_of(lambda: solve(problem, "adam", epochs=1, **options), repeat=5)
    result = solve(problem, "adam", epochs=epochs, **options)
    accuracy = result.trace[-1].metrics[0]
    print(f"workbench: setup {setup:.2f} s (declaration, template derivation and compilation, first gradients); "
          f"one epoch of mini-batch Adam (batch 32, {problem.samples} rows) {one_epoch * 1e3:.1f} ms, monitor "
          f"included; test accuracy after {epochs} epochs {accuracy:.4f}")  # fmt: skip
    start = time.perf_counter()
    model.exact.hessian(x0)  # the first: derives and compiles the Hessian-vector-product program
    first = time.perf_counter() - start
    hessian = best_of(lambda: model.exact.hessian(x0), repeat=5)
    print(f"exact Hessian ({problem.n} x {problem.n}, from Hessian-vector products over the rows): first "
          f"{first:.2f} s with its derivation and compilation, then {hessian:.3f} s each")  # fmt: skip
    from workbench.report.training_plan import TIME_LIMIT

    for method in ("newton", "lbfgs"):
        start = time.perf_counter()
        full = solve(problem, method, time_limit=TIME_LIMIT)
        print(f"full-batch {method} (time limit {TIME_LIMIT:g} s): {full.status} after {full.iterations} iterations, "
              f"{time.perf_counter() - start:.1f} s, f = {full.f:.2g} ({full.message[:60]})")  # fmt: skip
    torch = _optional("torch")
    if torch is None:
        print("PyTorch is not installed: pip install torch to compare")
        return
    torch.set_num_threads(1)
    data = problem.data
    features, hidden = problem.layout.shapes[0]
    X = torch.tensor(data["X"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.long)
    Xt, yt = torch.tensor(data["Xt"], dtype=torch.float64), torch.tensor(data["yt"], dtype=torch.long)

    def parameters() -> list[torch.Tensor]:
        theta = np.array(problem.x0)
        cut = np.cumsum([features * hidden, hidden, hidden * 2])
        shapes = [(features, hidden), (hidden,), (hidden, 2), (2,)]
        return [torch.tensor(part.reshape(shape), dtype=torch.float64, requires_grad=True)
                for part, shape in zip(np.split(theta, cut), shapes, strict=True)]  # fmt: skip

    def forward(params: list[torch.Tensor], inputs: torch.Tensor) -> torch.Tensor:
        W1, b1, W2, b2 = params
        return torch.tanh(inputs @ W1 + b1) @ W2 + b2

    # the workbench's batch order: a generator seeded by (seed, 1), one permutation per epoch
    def train(epochs: int) -> list[torch.Tensor]:
        params = parameters()
        optimizer = torch.optim.Adam(params, lr=0.01)
        shuffler = np.random.default_rng([0, 1])
        rows = X.shape[0]
        for _ in range(epochs):
            order = torch.from_numpy(shuffler.permutation(rows))
            for start in range(0, rows, 32):
                batch = order[start : start + 32]
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(forward(params, X[batch]), y[batch])
                loss.backward()
                optimizer.step()
        return params

    train(1)
    torch_epoch = best_of(lambda: train(1), repeat=5)
    trained = train(epochs)
    with torch.no_grad():
        torch_accuracy = float((forward(trained, Xt).argmax(dim=1) == yt).double().mean())
    theta = np.concatenate([p.detach().numpy().ravel() for p in trained])
    print(f"PyTorch {torch.__version__} (float64, 1 thread): one epoch {torch_epoch * 1e3:.1f} ms; test accuracy after "
          f"{epochs} epochs {torch_accuracy:.4f}")  # fmt: skip
    print(f"ratio of epoch times (workbench / PyTorch): {one_epoch / torch_epoch:.2f}; accuracy difference "
          f"{abs(accuracy - torch_accuracy) * 100:.2f} points; largest weight difference after training "
          f"{np.max(np.abs(theta - result.x)):.2e}")  # fmt: skip


def _optional(name: str) -> object | None:
    """A module when it is installed, else None (the benchmark extra: ``pip install -e ".[benchmark]"``)."""
    try:
        return __import__(name)
    except ImportError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    chained_rosenbrock([10**3, 10**4, 10**5] if args.quick else [10**3, 10**4, 10**5, 10**6])
    logistic_regression(10**4 if args.quick else 10**5)
    network(5 if args.quick else 20)


if __name__ == "__main__":
    main()
