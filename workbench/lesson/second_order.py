"""Section 6, second order: Newton's step against gradient steps on a quadratic (one step) and on
Rosenbrock (quadratic convergence in the trace), L-BFGS between them, and why Newton is rarely used on
large networks: the measured cost of the Hessian against n on chained_rosenbrock(n).

Studies: ``lesson-newton-quadratic``, ``lesson-newton-rosenbrock``, ``lesson-hessian-evaluations``
(central differences, one update: the Hessian's evaluations are the Newton run's minus the gradient-only
run's) and ``lesson-hessian-time`` (exact derivatives, a few updates: median seconds per update after
the first, which pays for compiling the derivatives).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import Curve, FigureSpec, MapPanel, PlotPanel, draw
from workbench.lesson.plotdata import FLOOR, distance_curve, path_curve, seconds_per_update, start_marker
from workbench.lesson.problems import HESSIAN_SIZES, hessian_family_name
from workbench.lesson.results import positions
from workbench.lesson.text import code, join, number, point, ratio, status
from workbench.report.document import Figure, Heading, Table, Text

__all__ = ["build"]

#: A network size to extrapolate the measured growth to.
NETWORK_SIZE = 1_000_000


def _label(row: dict[str, Any]) -> str:
    return "newton (pure)" if row["options"].get("pure") else row["method"]


def build(lesson: Lesson) -> Section:
    blocks: list[Any] = []
    figures: list[FigureJob] = []
    _quadratic(lesson, blocks)
    _rosenbrock(lesson, blocks, figures)
    _hessian_cost(lesson, blocks, figures)
    return Section("6. Second order: Newton, L-BFGS, and the cost of the Hessian", blocks, figures)


def _quadratic(lesson: Lesson, blocks: list[Any]) -> None:
    runs = lesson.runs["lesson-newton-quadratic"]
    newton, lbfgs, sgd = runs.one(method="newton"), runs.one(method="lbfgs"), runs.one(method="sgd")
    problem = lesson.problems["ill_conditioned_quadratic"]
    x0 = np.array(problem.x0, dtype=float)
    oracle = problem.oracle("analytic", sparse=False)
    g, h = oracle.gradient(x0), np.asarray(oracle.hessian(x0), dtype=float)
    newton_step = -np.linalg.solve(h, g)
    cosine = float(-g @ newton_step / (np.linalg.norm(g) * np.linalg.norm(newton_step)))
    x1 = positions(runs.trace(newton))[1]
    blocks.append(Heading("6.1 One Newton step on a quadratic", 3))
    blocks.append(Text(
        f"Newton's step x ← x − H⁻¹∇f is exact for a quadratic. On ½(x² + 100y²) from {point(x0)} the gradient step "
        f"points along −∇f = {point(-g)}, almost straight across the valley, while the Newton step −H⁻¹∇f = "
        f"{point(newton_step)} points at the minimum (the cosine between the two directions is {number(cosine)}). "
        f"Pure Newton (unit step) landed at {point(x1)} with f − f∗ = {number(newton['f_error'])} after "
        f"**{newton['iterations']}** update ({status(newton['status'])}); L-BFGS, which learns curvature from "
        f"gradient differences, needed {lbfgs['iterations']}; SGD at lr = 1/L = "
        f"{number(sgd['options']['learning_rate'])} "
        f"needed {sgd['iterations']}."))  # fmt: skip


def _digits(distances: list[float]) -> list[float]:
    return [-math.log10(d) for d in distances if 0 < d]


def _rosenbrock(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-newton-rosenbrock"]
    rows = sorted(runs.rows, key=lambda r: (r["method"] != "newton", _label(r)))
    x_star = np.array(lesson.info["rosenbrock"]["x_star"], dtype=float)
    distances = {_label(r): np.linalg.norm(positions(runs.trace(r)) - x_star, axis=1).tolist() for r in rows}
    newton = next(r for r in rows if _label(r) == "newton")
    tail = [d for d in distances["newton"] if d > 1e-15][-4:]
    digits = _digits(tail)
    blocks.append(Heading("6.2 Quadratic convergence on Rosenbrock", 3))
    parts = [f"From {point(newton['x0'])} to gradient norm ≤ 1e-8: "
             + join(f"{code(_label(r))} {r['iterations']} iterations ({status(r['status'])}, "
                    f"{r['counts']['hessian_evaluations']} Hessian and {r['counts']['gradient_evaluations']} gradient "
                    "evaluations)" for r in rows) + "."]  # fmt: skip
    parts.append("Newton's (line-searched) distance to x∗ over its last iterations: "
                 f"{join(number(d, 2) for d in tail)}; "
                 f"correct digits {join(number(d, 2) for d in digits)}.")  # fmt: skip
    if len(digits) >= 2 and digits[-1] >= 1.5 * digits[-2]:
        parts.append("The digits roughly double at each step: quadratic convergence, the reward for an exact Hessian "
                     "near the minimum.")  # fmt: skip
    else:
        parts.append("The digits do not double here, so the last steps do not show quadratic convergence.")
    for label in ("lbfgs", "bfgs"):
        if label in distances:
            last = [d for d in distances[label] if d > 1e-15][-4:]
            parts.append(f"{code(label)}'s last distances: {join(number(d, 2) for d in last)} (digits "
                         f"{join(number(d, 2) for d in _digits(last))}): superlinear, more iterations but no "
                         "Hessian.")  # fmt: skip
    pure = next((r for r in rows if _label(r) == "newton (pure)"), None)
    if pure is not None:
        furthest = max(distances["newton (pure)"])
        parts.append(f"Pure Newton (no line search) took {pure['iterations']} iterations but first wandered off to "
                     f"distance {number(furthest)} from x∗: far from the minimum the quadratic model is not to be "
                     "trusted without safeguards.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    spec = FigureSpec(
        "Newton, pure Newton, L-BFGS and BFGS on Rosenbrock",
        [
            MapPanel(
                "iterates on the contours of f",
                lesson.landscape("rosenbrock", ((-2.0, 2.0), (-1.5, 3.2))),
                [path_curve(runs, r, _label(r)) for r in rows],
                [start_marker(newton["x0"]), *lesson.optimum("rosenbrock")],
            ),  # fmt: skip
            PlotPanel(
                f"distance to x∗ by iteration (below {FLOOR:.0e} drawn at it)",
                "iteration k",
                "||x_k − x∗||  (problem units, log)",
                [distance_curve(runs, r, x_star, _label(r)) for r in rows],
                floor=FLOOR,
            ),  # fmt: skip
        ],
        panel_size=(5.4, 4.4),
    )
    figures.append(FigureJob("figures/newton-rosenbrock.png", draw, spec))
    blocks.append(Figure("figures/newton-rosenbrock.png",
                         "Second-order and quasi-Newton methods on Rosenbrock: paths (left) and distance to x∗ "
                         "(right, log); notice Newton's last steps diving down the log axis, each one further "
                         "than the one before, and pure Newton's first steps leaving the map."))  # fmt: skip


def _fit(x: list[float], y: list[float]) -> tuple[float, float]:
    """Slope and intercept of log y against log x (least squares)."""
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(intercept)


def _hessian_cost(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    counts = lesson.runs["lesson-hessian-evaluations"]
    timing = lesson.runs["lesson-hessian-time"]
    sizes, hessian, gradient, fd_time, newton_time, sgd_time, table = [], [], [], [], [], [], []
    for n in HESSIAN_SIZES:
        name = hessian_family_name(n)
        newton_fd, sgd_fd = counts.one(problem=name, method="newton"), counts.one(problem=name, method="sgd")
        evaluations = newton_fd["evaluations"] - sgd_fd["evaluations"]
        update_fd = float(np.diff(counts.trace(newton_fd)["time"])[0])
        exact = seconds_per_update(timing, timing.one(problem=name, method="newton"))
        plain = seconds_per_update(timing, timing.one(problem=name, method="sgd"))
        sizes.append(n)
        hessian.append(evaluations)
        gradient.append(sgd_fd["evaluations"])
        fd_time.append(update_fd)
        newton_time.append(exact)
        sgd_time.append(plain)
        table.append([n, n * n, evaluations, 1 + 2 * n * n, sgd_fd["evaluations"], update_fd, exact, plain,
                      exact / plain])  # fmt: skip
    blocks.append(Heading("6.3 Why Newton is rarely used on large networks: the Hessian's cost", 3))
    exact_formula = all(h == 1 + 2 * n * n for n, h in zip(sizes, hessian, strict=True))
    slope_evaluations, _ = _fit(sizes, hessian)
    slope_time, _ = _fit(sizes, newton_time)
    slope_gradient, _ = _fit(sizes, sgd_time)
    slope_gradient_evaluations, _ = _fit(sizes, gradient)
    growth = sizes[-1] / sizes[0]
    parts = [
        f"`chained_rosenbrock(n)` for n = {join(str(n) for n in sizes)}. A central-difference Hessian from values "
        f"costs {join(str(h) for h in hessian)} evaluations of f, read from the oracle's counts (a Newton update "
        "minus a gradient-only update)"
        + (": exactly 1 + 2n² at every n." if exact_formula else ", which is not exactly 1 + 2n² everywhere.")
        + f" From n = {sizes[0]} to {sizes[-1]} ({number(growth)}x) that grew {ratio(hessian[-1], hessian[0])} "
        f"(log-log slope {number(slope_evaluations, 3)}), the gradient's {ratio(gradient[-1], gradient[0])}."
    ]
    parts.append(f"With the exact Hessian an update (Hessian evaluation and a dense Newton solve) took "
                 f"{number(newton_time[0])} s at n = {sizes[0]} and {number(newton_time[-1])} s at n = {sizes[-1]} "
                 f"(slope {number(slope_time, 2)}), a gradient update {number(sgd_time[0])} s and "
                 f"{number(sgd_time[-1])} s (slope {number(slope_gradient, 2)}): a Newton update cost "
                 f"{ratio(newton_time[-1], sgd_time[-1])} a gradient update at n = {sizes[-1]}.")  # fmt: skip
    local = math.log(newton_time[-1] / newton_time[-2]) / math.log(sizes[-1] / sizes[-2])
    parts.append(f"Between the two largest sizes the Newton update's time grew with slope {number(local, 2)}, "
                 + ("steeper than over the whole range: fixed costs hide the growth at small n, and a dense "
                    "factorization's n³/3 operations take over as n grows." if local > slope_time
                    else "no steeper than over the whole range: at these sizes fixed costs still dominate.")
                 + f" A network with n = {number(float(NETWORK_SIZE))} weights would need 1 + 2n² = "
                 f"{number(1.0 + 2.0 * NETWORK_SIZE**2)} evaluations for one finite-difference Hessian and "
                 f"{number(8.0 * NETWORK_SIZE**2)} bytes to store a dense one. That is why networks are trained with "
                 "first-order methods and, where curvature helps, with Hessian-free or quasi-Newton "
                 "approximations.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    blocks.append(Table(["n", "Hessian entries n²", "FD Hessian evaluations (measured)", "1 + 2n²",
                         "FD gradient evaluations (2n)", "FD Newton update (s)", "exact Newton update (s)",
                         "gradient update (s)", "Newton / gradient time"], table,
                        csv="tables/hessian-cost.csv"))  # fmt: skip
    dense = np.geomspace(sizes[0], sizes[-1], 50)
    spec = FigureSpec(
        "The cost of the Hessian on chained_rosenbrock(n)",
        [
            PlotPanel(
                "evaluations of f per derivative (central differences)",
                "n (variables, log)",
                "evaluations of f (count, log)",
                [
                    Curve("Hessian, measured", sizes, hessian, "tab:red", "none", "o"),
                    Curve("1 + 2n²", dense, 1 + 2 * dense**2, "tab:red", ":"),
                    Curve("gradient, measured", sizes, gradient, "tab:blue", "none", "s"),
                    Curve("2n", dense, 2 * dense, "tab:blue", ":"),
                ],
                logx=True,
                xticks=sizes,
            ),  # fmt: skip
            PlotPanel(
                "seconds per update (exact: median after the first; FD: its one update)",
                "n (variables, log)",
                "time (s, log)",
                [
                    Curve("Newton, FD Hessian", sizes, fd_time, "tab:red", "-", "o"),
                    Curve("Newton, exact Hessian + dense solve", sizes, newton_time, "black", "-", "o"),
                    Curve("gradient step (SGD)", sizes, sgd_time, "tab:blue", "-", "s"),
                ],
                logx=True,
                xticks=sizes,
            ),  # fmt: skip
        ],
        panel_size=(5.4, 4.3),
    )
    figures.append(FigureJob("figures/hessian-cost.png", draw, spec))
    blocks.append(Figure("figures/hessian-cost.png",
                         "Left: evaluations of f for one central-difference Hessian and one gradient against n "
                         "(log-log; dotted: 1 + 2n² and 2n); right: seconds per update; notice the Hessian's slope "
                         f"of {number(slope_evaluations, 2)} against the gradient's "
                         f"{number(slope_gradient_evaluations, 2)}, and the widening gap in time."))  # fmt: skip
