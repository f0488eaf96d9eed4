"""Sections 2 and 3, the first-order family: SGD, Momentum and Nesterov on one contour map (the ball
that keeps rolling, the overshoot, the look-ahead), then the adaptive steps of AdaGrad, RMSProp, Adam
and AdaDelta (shrinking steps, a moving average, the bias correction, no learning rate).

Numbers come from the studies ``lesson-momentum-quadratic``, ``lesson-momentum-rosenbrock`` and
``lesson-adaptive``; a run's hyper-parameters are read from its stored options, which are resolved
(every default filled in) before the run starts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import COLOURS, Curve, FigureSpec, MapPanel, PlotPanel, draw
from workbench.lesson.plotdata import FLOOR, gap_curve, path_curve, start_marker
from workbench.lesson.results import positions
from workbench.lesson.text import code, join, number, point, ratio, status
from workbench.report.document import Figure, Table, Text

__all__ = ["build_adaptive", "build_momentum"]

#: Updates drawn on the quadratic's map.
MAP_UPDATES = 150


def _option(row: dict[str, Any], name: str) -> Any:
    """A run's option, as stored: resolved, so defaults are filled in."""
    return row["options"][name]


# -- section 2 -------------------------------------------------------------------------------------
def _wide(curve: Curve) -> Curve:
    """SGD drawn wide and pale underneath, so the paths that follow it stay visible."""
    if curve.label == "sgd":
        curve.width = 4.0
        curve.colour = "#9ec5e8"
    return curve


def build_momentum(lesson: Lesson) -> Section:
    quadratic = lesson.runs["lesson-momentum-quadratic"]
    valley = lesson.runs["lesson-momentum-rosenbrock"]
    methods = ("sgd", "momentum", "nesterov")
    q = {m: quadratic.one(method=m) for m in methods}
    r = {m: valley.one(method=m) for m in methods}
    mu = _option(q["momentum"], "momentum")
    rate = q["sgd"]["options"]["learning_rate"]
    target = q["sgd"]["options"]["target"]
    overshoot = {m: float(np.min(positions(quadratic.trace(q[m]))[:, 0])) for m in methods}
    blocks: list[Any] = [
        Text(
            f"Momentum keeps a running sum of past gradients, b ← μb + g, and steps along it, x ← x − lr·b (PyTorch's "
            f"heavy ball, μ = {number(mu)} by default): a ball rolling downhill gathers speed along a consistent "
            "slope and averages out the zig-zag across a valley. Nesterov steps along g + μb instead, the gradient "
            "corrected by where the buffer is about to carry the point: the look-ahead."
        ),  # fmt: skip
    ]
    parts = [
        f"On ½(x² + 100y²) from {point(q['sgd']['x0'])} at lr = {number(rate)}, to f − f∗ ≤ {number(target)}: "
        + join(f"{code(m)} {q[m]['iterations']} updates ({status(q[m]['status'])})" for m in methods)
        + "."
    ]
    for m in ("momentum", "nesterov"):
        parts.append(f"{code(m)} needs {ratio(q['sgd']['iterations'], q[m]['iterations'])} fewer updates than SGD."
                     if q[m]["iterations"] < q["sgd"]["iterations"]
                     else f"{code(m)} needs no fewer updates than SGD here.")  # fmt: skip
    if overshoot["momentum"] < 0:
        parts.append(f"The ball keeps rolling: Momentum's x passes the valley floor x = 0 and overshoots to "
                     f"x = {number(overshoot['momentum'])} before it comes back"
                     + (f"; Nesterov's look-ahead brakes earlier, to x = {number(overshoot['nesterov'])}"
                        if overshoot["nesterov"] > overshoot["momentum"]
                        else f"; Nesterov overshoots as far, to x = {number(overshoot['nesterov'])}")
                     + f", while SGD never crosses it (smallest x = {number(overshoot['sgd'])}).")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    valley_rate = r["sgd"]["options"]["learning_rate"]
    parts = [
        f"On Rosenbrock's curved valley from {point(r['sgd']['x0'])} at lr = {number(valley_rate)}: "
        + join(f"{code(m)} **{r[m]['iterations']}** updates ({status(r[m]['status'])})" for m in methods)
        + "."
    ]
    fastest = min(methods, key=lambda m: (r[m]["status"] != "converged", r[m]["iterations"]))
    parts.append(f"Fastest: {code(fastest)}, {ratio(r['sgd']['iterations'], r[fastest]['iterations'])} fewer updates "
                 "than SGD: along a gently curving floor the accumulated velocity is what moves the "
                 "point.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    blocks.append(Table(
        ["problem", "method", "learning rate", "momentum μ", "status", "updates", "smallest x on the path"],
        [[row["problem"], m, row["options"]["learning_rate"], _option(row, "momentum") if m != "sgd" else None,
          row["status"], row["iterations"], float(np.min(positions(runs.trace(row))[:, 0]))]
         for runs, rows in ((quadratic, q), (valley, r)) for m, row in rows.items()],
        csv="tables/momentum.csv"))  # fmt: skip
    quad_map = lesson.landscape("ill_conditioned_quadratic", ((-0.45, 1.15), (-0.45, 0.45)))
    banana = lesson.landscape("rosenbrock", ((-1.6, 1.6), (-0.6, 2.2)))
    spec = FigureSpec(
        "SGD, Momentum and Nesterov: the rolling ball and the look-ahead",
        [
            MapPanel(
                f"½(x² + 100y²), lr = {number(rate)}: first {MAP_UPDATES} updates",
                quad_map,
                [_wide(path_curve(quadratic, q[m], upto=MAP_UPDATES + 1)) for m in methods],
                [start_marker(q["sgd"]["x0"]), *lesson.optimum("ill_conditioned_quadratic")],
            ),  # fmt: skip
            MapPanel(
                f"Rosenbrock, lr = {number(valley_rate)}: every stored iterate",
                banana,
                [_wide(path_curve(valley, r[m])) for m in methods],
                [start_marker(r["sgd"]["x0"]), *lesson.optimum("rosenbrock")],
                legend="none",
            ),  # fmt: skip
            PlotPanel(
                f"Rosenbrock: f − f∗ by update (below {FLOOR:.0e} drawn at it)",
                "update k (log)",
                "f − f∗  (objective units, log)",
                [gap_curve(valley, r[m]) for m in methods],
                logx=True,
                floor=FLOOR,
            ),  # fmt: skip
        ],
        panel_size=(4.9, 4.3),
    )
    figure = FigureJob("figures/momentum.png", draw, spec)
    blocks.append(Figure(figure.path, "SGD, Momentum and Nesterov on the narrow quadratic (left) and on Rosenbrock "
                                      "(middle, right): notice Momentum overshooting x = 0 and swinging back, "
                                      "Nesterov damping the swing, and SGD's crawl along the banana "
                                      "valley."))  # fmt: skip
    return Section("2. SGD, Momentum and Nesterov", blocks, [figure])


# -- section 3 -------------------------------------------------------------------------------------
def build_adaptive(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-adaptive"]
    problem = lesson.problems["ill_conditioned_quadratic"]
    x0 = np.array(problem.x0, dtype=float)
    gradient = problem.oracle("analytic").gradient(x0)
    order = ("sgd", "adagrad", "rmsprop", "adam", "adadelta")
    rows = {m: runs.one(method=m) for m in order}
    first, steps = {}, {}
    for m, row in rows.items():
        trace = runs.trace(row)
        xy = positions(trace)
        first[m] = xy[1] - xy[0]
        steps[m] = dict(zip(trace["k"], trace["step_size"], strict=True))
    target = rows["sgd"]["options"]["target"]
    table = []
    for m, row in rows.items():
        dx, dy = first[m]
        table.append([m, row["options"]["learning_rate"], float(dx), float(dy), abs(float(dy / dx)),
                      steps[m].get(10), steps[m].get(100), row["status"], row["iterations"]])  # fmt: skip
    blocks: list[Any] = [Text(
        f"The gradient of ½(x² + 100y²) at {point(x0)} is {point(gradient)}, so SGD's first step is "
        f"{number(abs(first['sgd'][1] / first['sgd'][0]))} times longer in y than in x. The adaptive methods divide "
        "each coordinate's step by a running size of that coordinate's gradient: "
        + join(f"{code(m)} |Δy/Δx| = {number(abs(first[m][1] / first[m][0]))}" for m in order[1:])
        + " in their first step. The table has the first step, the step length ||x_k − x_(k−1)|| at updates 10 and "
        f"100, and the updates needed to reach f − f∗ ≤ {number(target)}.")]  # fmt: skip
    blocks.append(Table(["method", "learning rate", "first step Δx", "first step Δy", "abs(Δy / Δx)",
                         "step length at update 10", "step length at update 100", "status", "updates"],
                        table, csv="tables/adaptive.csv"))  # fmt: skip
    blocks.append(Text(_adaptive_story(rows, first, steps, gradient)))
    quad_map = lesson.landscape("ill_conditioned_quadratic", ((-0.3, 1.15), (-0.4, 0.4)))
    spec = FigureSpec(
        "AdaGrad, RMSProp, Adam and AdaDelta on ½(x² + 100y²), with SGD for reference",
        [
            MapPanel(
                "iterates on the contours of f",
                quad_map,
                [path_curve(runs, rows[m]) for m in order],
                [start_marker(x0), *lesson.optimum("ill_conditioned_quadratic")],
            ),  # fmt: skip
            PlotPanel(
                "step length by update",
                "update k (log)",
                "||x_k − x_(k−1)||  (problem units, log)",
                [Curve(m, list(steps[m])[1:], list(steps[m].values())[1:], COLOURS[m]) for m in order],
                logx=True,
                floor=FLOOR,
                legend="outside",
            ),  # fmt: skip
        ],
        panel_size=(5.4, 4.3),
    )
    figure = FigureJob("figures/adaptive.png", draw, spec)
    blocks.append(Figure(figure.path, "Adaptive methods on the narrow quadratic: paths (left) and step lengths "
                                      "(right, log-log); notice the adaptive paths heading diagonally at first "
                                      "(equal steps per coordinate), AdaGrad's steps shrinking steadily, and "
                                      "AdaDelta's small steps, nearly constant for hundreds of updates."))  # fmt: skip
    return Section("3. AdaGrad, RMSProp, Adam and AdaDelta", blocks, [figure])


def _adaptive_story(
    rows: dict[str, dict[str, Any]], first: dict[str, Any], steps: dict[str, dict], gradient: np.ndarray
) -> str:
    parts = []
    adagrad = rows["adagrad"]
    a1, a10, a100 = (steps["adagrad"].get(k) for k in (1, 10, 100))
    if a1 and a10 and a100:
        parts.append(f"**AdaGrad** divides by the root of the *sum* of all squared gradients so far, which only grows: "
                     f"its step length falls from {number(a1)} (update 1) to {number(a10)} (10) and {number(a100)} "
                     f"(100).")  # fmt: skip
    rms = rows["rmsprop"]
    alpha = _option(rms, "alpha")
    rms_rate = rms["options"]["learning_rate"]
    parts.append(f"**RMSProp** divides by a moving average of squared gradients (α = {number(alpha)}), which forgets "
                 f"old gradients, and reached the target in {rms['iterations']} updates against AdaGrad's "
                 f"{adagrad['iterations']}. Its average starts at zero and is not corrected for that, so its first "
                 f"step is lr/√(1 − α) = {number(rms_rate / np.sqrt(1 - alpha))} per coordinate: measured "
                 f"{point(first['rmsprop'])}, {number(abs(first['rmsprop'][0]) / rms_rate)} times its learning "
                 "rate.")  # fmt: skip
    adam = rows["adam"]
    beta1, beta2 = _option(adam, "beta1"), _option(adam, "beta2")
    adam_rate = adam["options"]["learning_rate"]
    parts.append(f"**Adam** keeps moving averages of g and g² and divides each by (1 − βᵗ) to undo their zero start "
                 f"(β₁ = {number(beta1)}, β₂ = {number(beta2)}): its first step is −lr·sign(g) = "
                 f"{point(-adam_rate * np.sign(gradient))}, measured {point(first['adam'])}, although the "
                 f"gradient's components differ {number(np.max(np.abs(gradient)) / np.min(np.abs(gradient)))}"
                 "-fold. Without the correction the first step would be "
                 f"lr·(1 − β₁)/√(1 − β₂) = {number(adam_rate * (1 - beta1) / np.sqrt(1 - beta2))} per "
                 "coordinate.")  # fmt: skip
    delta = rows["adadelta"]
    rho, eps = _option(delta, "rho"), _option(delta, "eps")
    growth = steps["adadelta"].get(100, np.nan) / steps["adadelta"].get(1, np.nan)
    parts.append("**AdaDelta** has no learning rate of its own (the option, "
                 f"{number(delta['options']['learning_rate'])}"
                 f", multiplies a ratio of two running averages with the units of x): its first step is "
                 f"√(eps/(1 − ρ)) = {number(np.sqrt(eps / (1 - rho)))} per coordinate (ρ = {number(rho)}, "
                 f"eps = {number(eps)}), measured {point(first['adadelta'])}; by update 100 the step is "
                 f"{number(growth, 2)}x the first. After {delta['iterations']} updates its status is "
                 f"{code(delta['status'])} (f − f∗ = {number(delta['f_error'])}).")  # fmt: skip
    finished = sorted((r for r in rows.values() if r["status"] == "converged"), key=lambda r: r["iterations"])
    if finished:
        parts.append("Updates to the target: " + join(f"{code(r['method'])} {r['iterations']}" for r in finished)
                     + (f"; {join(code(r['method']) for r in rows.values() if r not in finished)} did not reach it."
                        if len(finished) < len(rows) else "."))  # fmt: skip
    return " ".join(parts)
