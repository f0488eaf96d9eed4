"""Section 1, the pitfalls: the step size on an ill-conditioned quadratic, a local-minimum trap, saddle
points (escaping, and the stable manifold nobody leaves), the monkey saddle, and noisy gradients.

Every number is read from the stored runs of the studies ``lesson-sgd-rates``, ``lesson-local-minimum``,
``lesson-saddle-escape``, ``lesson-saddle-manifold``, ``lesson-monkey-saddle`` and ``lesson-noise``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import COLOURS, FigureSpec, MapPanel, Marker, PlotPanel, draw
from workbench.lesson.plotdata import (
    FLOOR,
    distance_curve,
    gap_curve,
    mean_f,
    path_curve,
    saddle_marker,
    start_marker,
)
from workbench.lesson.problems import curvatures
from workbench.lesson.results import positions
from workbench.lesson.text import code, join, number, plural, point, ratio, status
from workbench.report.document import Figure, Heading, Table, Text
from workbench.store import TRACE_KEEP

__all__ = ["build"]

RATE_COLOURS = ("tab:blue", "tab:green", "tab:orange", "tab:red")
NOISE_COLOURS = ("black", "tab:blue", "tab:orange", "tab:red")
#: Updates shown on the step-size map (the diverging path leaves the window soon after).
MAP_UPDATES = 30
#: Sign changes of y are counted over the first updates of each run.
ZIGZAG_WINDOW = 50
#: The noisy runs' floor: mean of f - f∗ over the stored records from this update on.
FLOOR_FROM = 500


def build(lesson: Lesson) -> Section:
    blocks: list[Any] = []
    figures: list[FigureJob] = []
    for part in (_step_size, _local_minimum, _saddle, _monkey_saddle, _noise):
        part(lesson, blocks, figures)
    return Section("1. Pitfalls: step size, local minima, saddle points, noise", blocks, figures)


# -- step size -------------------------------------------------------------------------------------
def _step_size(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-sgd-rates"]
    small, large = curvatures(lesson.problems["ill_conditioned_quadratic"])
    rows = sorted(runs.select(method="sgd"), key=lambda r: r["options"]["learning_rate"])
    target = rows[0]["options"]["target"]
    table, by_factor = [], {}
    for row in rows:
        rate = row["options"]["learning_rate"]
        y = positions(runs.trace(row))[: ZIGZAG_WINDOW + 1, 1]
        flips = int(np.sum(np.sign(y[1:]) * np.sign(y[:-1]) < 0))
        factor = rate * large
        by_factor[round(factor, 6)] = (row, flips)
        table.append([rate, factor, abs(1 - rate * small), abs(1 - rate * large), flips, row["status"],
                      row["iterations"]])  # fmt: skip
    x0 = rows[0]["x0"]
    blocks.append(Heading("1.1 The step size on a long, narrow valley", 3))
    blocks.append(Text(
        f"f(x, y) = ½(x² + 100y²) has a constant Hessian with curvatures {number(small)} and L = {number(large)}: "
        f"one gradient step multiplies x by (1 − lr·{number(small)}) and y by (1 − lr·{number(large)}), so plain "
        f"SGD is stable only for lr < 2/L = {number(2 / large)}. SGD from {point(x0)}, stopped once "
        f"f − f∗ ≤ {number(target)}:"
    ))  # fmt: skip
    blocks.append(Table(
        ["learning rate", "lr·L", "x factor per update", "y factor per update",
         f"sign changes of y in the first {ZIGZAG_WINDOW} updates", "status", "updates"],
        table, csv="tables/sgd-rates.csv", digits=4))  # fmt: skip
    blocks.append(Text(_step_size_story(by_factor, target, large)))
    figures.append(FigureJob("figures/sgd-rates.png", draw, _step_size_figure(lesson, runs, rows, large)))
    blocks.append(Figure("figures/sgd-rates.png",
                         f"SGD on ½(x² + 100y²) at four learning rates: the first {MAP_UPDATES} iterates (left) and "
                         "f − f∗ (right, log scale); notice the zig-zag across the valley above 1/L, the crawl "
                         "along it below 1/L, and the blow-up above 2/L."))  # fmt: skip


def _step_size_story(by_factor: dict[float, tuple[dict[str, Any], int]], target: float, large: float) -> str:
    def row(factor: float) -> tuple[dict[str, Any], int]:
        return by_factor[round(factor, 6)]

    best, _ = row(1.0)
    slow, _ = row(0.5)
    zigzag, flips = row(1.9)
    wild, _ = row(2.1)
    rate = best["options"]["learning_rate"]
    if best["status"] == "converged":
        parts = [f"At lr = 1/L = {number(rate)} SGD reaches f − f∗ ≤ {number(target)} after "
                 f"**{best['iterations']}** updates: the y-component vanishes in the first update (1 − lr·L = 0) "
                 f"and x shrinks by the factor (1 − lr) per update."]  # fmt: skip
    else:
        parts = [f"At lr = 1/L = {number(rate)} SGD ends with status {code(best['status'])} after "
                 f"**{best['iterations']}** updates."]  # fmt: skip
    more = "more" if slow["iterations"] > best["iterations"] else "fewer"
    parts.append(f"Half that rate needs {slow['iterations']} updates, {ratio(slow['iterations'], best['iterations'])} "
                 f"{more}: the slow direction sets the pace.")  # fmt: skip
    if flips:
        faster = "fewer" if zigzag["iterations"] < best["iterations"] else "more"
        parts.append(f"At lr = {number(zigzag['options']['learning_rate'])} (1.9/L) y changes sign {flips} times in "
                     f"the first {ZIGZAG_WINDOW} updates, the zig-zag across the valley, and the run needs "
                     f"{zigzag['iterations']} updates ({faster} than at 1/L: x now shrinks faster while y "
                     f"oscillates down; status {code(zigzag['status'])}).")  # fmt: skip
    factor = abs(1 - wild["options"]["learning_rate"] * large)
    if wild["status"] == "diverged":
        parts.append(f"At lr = {number(wild['options']['learning_rate'])} (2.1/L) |1 − lr·L| = {number(factor)} > 1: "
                     f"y grows at every update and the run ends with status {code('diverged')} after "
                     f"{wild['iterations']} updates.")  # fmt: skip
    else:
        parts.append(f"At lr = {number(wild['options']['learning_rate'])} (2.1/L) the run ended with status "
                     f"{code(wild['status'])} after {wild['iterations']} updates.")  # fmt: skip
    return " ".join(parts)


def _step_size_figure(lesson: Lesson, runs: Any, rows: list[dict[str, Any]], large: float) -> FigureSpec:
    paths, curves = [], []
    window = ((-0.35, 1.15), (-0.5, 0.5))
    for colour, row in zip(RATE_COLOURS, rows, strict=False):
        rate = row["options"]["learning_rate"]
        label = f"lr = {number(rate)} ({number(rate * large, 2)}/L)"
        paths.append(path_curve(runs, row, label, colour, upto=MAP_UPDATES + 1, window=window))
        curves.append(gap_curve(runs, row, label, colour))
    landscape = lesson.landscape("ill_conditioned_quadratic", window)
    return FigureSpec(
        "SGD on ½(x² + 100y²): learning rate against the curvature L",
        [
            MapPanel(
                f"first {MAP_UPDATES} iterates on the contours of f",
                landscape,
                paths,
                [start_marker(rows[0]["x0"]), *lesson.optimum("ill_conditioned_quadratic")],
            ),  # fmt: skip
            PlotPanel(
                f"f − f∗ by update (values above 1e4 cut off, below {FLOOR:.0e} drawn at it)",
                "update k",
                "f − f∗  (objective units, log)",
                curves,
                floor=FLOOR,
                ylim=(1e-8, 1e4),
            ),  # fmt: skip
        ],
        panel_size=(5.6, 4.4),
    )


# -- local minimum ---------------------------------------------------------------------------------
def _local_minimum(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-local-minimum"]
    info = lesson.info["three_hump_camel"]
    rows = runs.rows
    trapped = [r for r in rows if r["status"] == "local_minimum"]
    found = [r for r in rows if r["status"] == "converged"]
    others = [r for r in rows if r not in trapped and r not in found]
    local_f = info["local_minima"][0]
    blocks.append(Heading("1.2 A local-minimum trap", 3))
    parts = [f"The three-hump camel function has its global minimum f∗ = {number(info['f_star'])} at the origin and "
             f"local minima with f = {number(local_f, 5)}. From x0 = {point(info['x0'])}, of the "
             f"{plural(len(rows), 'method')} run ({join(code(_label(r)) for r in rows)}), "
             f"{len(trapped)} stopped at the local minimum (status {code('local_minimum')}) and {len(found)} reached "
             f"the global one."]  # fmt: skip
    if trapped:
        where = trapped[0]["x"]
        fastest = min(trapped, key=lambda r: r["iterations"])
        slowest = max(trapped, key=lambda r: r["iterations"])
        parts.append(f"They agree on where it is, {point(where, 5)} with f = {number(trapped[0]['f'], 6)}, and differ "
                     f"only in the cost of getting there: {code(_label(fastest))} in {fastest['iterations']} "
                     f"iterations, {code(_label(slowest))} in {slowest['iterations']}. Every method here is local: it "
                     "follows the slope from the start and stops where the gradient vanishes; speed does not help "
                     "once the basin is wrong (section 7 restarts from other points).")  # fmt: skip
    if others:
        parts.append("Other outcomes: " + join(f"{code(_label(r))} {status(r['status'])}" for r in others) + ".")
    blocks.append(Text(" ".join(parts)))
    paths = [path_curve(runs, r, _label(r), COLOURS.get(_label(r))) for r in rows]
    markers = [start_marker(info["x0"]), *lesson.optimum("three_hump_camel")]
    if trapped:
        where = trapped[0]["x"]
        markers.append(Marker(f"local minimum f = {number(local_f, 4)}", (where[0], where[1]), "P", "tab:red", 11))
    spec = FigureSpec(
        "Three-hump camel: every local method ends in the basin it starts in",
        [MapPanel("iterates on the contours of f (log-spaced levels)",
                  lesson.landscape("three_hump_camel", ((-2.2, 0.5), (-0.4, 1.5))), paths, markers)],
        panel_size=(7.5, 5.0),
    )  # fmt: skip
    figures.append(FigureJob("figures/local-minimum.png", draw, spec))
    blocks.append(Figure("figures/local-minimum.png",
                         f"Iterates of {len(rows)} methods from x0 = {point(info['x0'])} on the three-hump camel: "
                         "notice where each path ends, first and second order alike, and how far the global "
                         "minimum is from all of them."))  # fmt: skip


def _label(row: dict[str, Any]) -> str:
    return "newton (pure)" if row["options"].get("pure") else row["method"]


# -- saddle ----------------------------------------------------------------------------------------
def _saddle(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    escape = lesson.runs["lesson-saddle-escape"]
    manifold = lesson.runs["lesson-saddle-manifold"]
    info = lesson.info["saddle"]
    table, escapes, stuck = [], [], []
    for row in escape.rows:
        on_line = manifold.one(method=row["method"])
        xy = positions(manifold.trace(on_line))
        distance = float(np.linalg.norm(on_line["x"]))
        largest_y = float(np.max(np.abs(xy[:, 1])))
        escapes.append(row)
        stuck.append((on_line, distance, largest_y))
        table.append([row["method"], row["options"]["learning_rate"], row["iterations"], row["status"],
                      on_line["status"], on_line["iterations"], distance, largest_y])  # fmt: skip
    target = escape.rows[0]["options"]["target"]
    level = info["f_star"] + target
    y0 = escape.rows[0]["x0"][1]
    x0_line = manifold.rows[0]["x0"]
    escaped = [r for r in escapes if r["status"] == "converged"]
    blocks.append(Heading("1.3 Saddle points: who escapes, and the line nobody leaves", 3))
    parts = [f"x² − y² on the box [−1, 1]² has a saddle at the origin (gradient zero, f curving up along x and down "
             f"along y) and its minima f∗ = {number(info['f_star'])} at {point(info['x_star'])} and its mirror image. "
             f"Started at {point(escapes[0]['x0'])}, "
             f"{number(y0)} off the line y = 0, {len(escaped)} of the {len(escapes)} first-order methods escaped, "
             f"i.e. reached f ≤ {number(level)} (half way down from the saddle's f = 0)."]  # fmt: skip
    if escaped:
        fastest = min(escaped, key=lambda r: r["iterations"])
        slowest = max(escaped, key=lambda r: r["iterations"])
        parts.append(f"Fastest {code(fastest['method'])} after {fastest['iterations']} updates, slowest "
                     f"{code(slowest['method'])} after {slowest['iterations']}.")  # fmt: skip
    sgd = next((r for r in escapes if r["method"] == "sgd"), None)
    if sgd is not None:
        rate = sgd["options"]["learning_rate"]
        predicted = math.log(math.sqrt(-level) / abs(y0)) / math.log(1 + 2 * rate)
        parts.append(f"SGD multiplies y by 1 + 2·lr = {number(1 + 2 * rate)} per update, so growing from {number(y0)} "
                     f"to √{number(-level)} takes about ln(√{number(-level)}/{number(y0)}) / "
                     f"ln({number(1 + 2 * rate)}) "
                     f"= {number(predicted)} updates; it took **{sgd['iterations']}**. The adaptive methods divide "
                     "the tiny y-gradient by its own running size and step away at full speed.")  # fmt: skip
    converged_to_saddle = [r for r, d, _ in stuck if d < 1e-6]
    largest = max(y for _, _, y in stuck)
    parts.append(f"Started exactly on y = 0 at {point(x0_line)}, the y-component of the gradient, −2y, is exactly "
                 "zero, "
                 f"so no method can leave the line: the largest |y| on any of the {len(stuck)} paths is "
                 f"{number(largest)}.")  # fmt: skip
    claimed = [r for r in converged_to_saddle if r["status"] == "failed"]
    parts.append(f"{len(converged_to_saddle)} of the {len(stuck)} runs ended within 1e-6 of the saddle"
                 + (f" ({len(claimed)} with status {code('failed')}: the method reported a minimum, the verdict from "
                    "the exact Hessian says it is not one)" if claimed else "")
                 + "; " + (join(f"{code(r['method'])} ({status(r['status'])} at distance {number(d)})"
                                for r, d, _ in stuck if d >= 1e-6) or "none")
                 + " still on the way.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    blocks.append(Table(
        ["method", "learning rate", "updates to escape from y = 0.01", "status", "status from y = 0",
         "updates from y = 0", "final distance to the saddle", "largest abs(y) from y = 0"],
        table, csv="tables/saddle.csv"))  # fmt: skip
    landscape = lesson.landscape("saddle", ((-1.1, 1.1), (-1.1, 1.1)), levels="linear")
    minima = [Marker("minima f∗ = −1", (0.0, 1.0)), Marker("_second minimum", (0.0, -1.0))]
    spec = FigureSpec(
        "x² − y²: escaping the saddle, and the stable manifold y = 0",
        [
            MapPanel(
                f"from {point(escapes[0]['x0'])}: paths until f ≤ {number(level)}",
                landscape,
                [path_curve(escape, r) for r in escapes],
                [start_marker(escapes[0]["x0"]), saddle_marker(), *minima],
                legend="none",
            ),  # fmt: skip
            MapPanel(
                f"from {point(x0_line)} on y = 0: paths to the saddle",
                landscape,
                [path_curve(manifold, r) for r, _, _ in stuck],
                [start_marker(x0_line), saddle_marker(), *minima],
                legend="outside",
            ),  # fmt: skip
        ],
        panel_size=(4.8, 4.6),
    )
    figures.append(FigureJob("figures/saddle.png", draw, spec))
    blocks.append(Figure("figures/saddle.png",
                         f"The first-order methods on x² − y² (linear contour levels), from {number(y0)} off the "
                         "line y = 0 (left) and from y = 0 exactly (right): notice the paths bending away from the "
                         "saddle on the left and running straight into it on the right."))  # fmt: skip


# -- monkey saddle ---------------------------------------------------------------------------------
def _monkey_saddle(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-monkey-saddle"]
    info = lesson.info["monkey_saddle"]
    starts = sorted({tuple(r["options"]["x0"]) for r in runs.rows}, key=lambda p: -abs(p[1]))
    off, ridge = starts[0], starts[1]
    off_rows = runs.select(x0=list(off))
    ridge_rows = runs.select(x0=list(ridge))
    best = [r for r in off_rows if r["status"] == "converged"]
    local = [r for r in off_rows if r["status"] == "local_minimum"]
    rest = [r for r in off_rows if r not in best and r not in local]
    blocks.append(Heading("1.4 The monkey saddle", 3))
    parts = [f"x³ − 3xy² is flatter still: its Hessian is zero at the origin, so near it the gradient shrinks with "
             f"the square of the distance. On the box [−1, 1]² its minima are f∗ = {number(info['f_star'])} at "
             f"{point(info['x_star'])} and its mirror image, and it has a local minimum with "
             f"f = {number(info['local_minima'][0])} on the boundary. From {point(off)}:"]  # fmt: skip
    if best:
        parts.append(f"{join(code(r['method']) for r in best)} turned off the ridge towards a global minimum "
                     f"(f = {number(best[0]['f'])});")  # fmt: skip
    if local:
        parts.append(f"{join(code(r['method']) for r in local)} rolled straight over the flat saddle and on into the "
                     f"local minimum at {point(local[0]['x'], 2)} (f = {number(local[0]['f'])}): the momentum "
                     "carried across the region where the gradient is nearly zero;")  # fmt: skip
    if rest:
        parts.append(join(f"{code(r['method'])} {status(r['status'])}" for r in rest) + ";")
    closest, reached = [], []
    for row in ridge_rows:
        station = runs.trace(row)["stationarity"][-1]
        closest.append(f"{code(row['method'])} at x = {number(row['x'][0])} (gradient {number(station)})")
        if float(np.linalg.norm(row["x"])) < 1e-6:
            reached.append(code(row["method"]))
    parts.append(f"from {point(ridge)} on the ridge y = 0, where f = x³, every method creeps towards the saddle; "
                 + (f"{join(reached)} got within 1e-6 of it" if reached else "none got within 1e-6 of it")
                 + f" in {ridge_rows[0]['options']['max_iterations']} updates: {join(closest)}. A gradient test "
                 "with a loose tolerance would call such points minima.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    landscape = lesson.landscape("monkey_saddle", ((-1.1, 1.1), (-1.1, 1.1)), levels="linear")
    minima = [Marker("minima f∗ = −2", (1.0, 1.0)), Marker("_second", (1.0, -1.0)),
              Marker("local minimum f = −1", (-1.0, 0.0), "P", "tab:red", 11)]  # fmt: skip
    spec = FigureSpec(
        "Monkey saddle x³ − 3xy²: a flat, degenerate saddle",
        [
            MapPanel(f"from {point(off)}: iterates on the contours of f", landscape,
                     [path_curve(runs, r) for r in off_rows], [start_marker(off), saddle_marker(), *minima],
                     legend="outside"),
            PlotPanel(f"from {point(ridge)} on the ridge y = 0: distance to the saddle", "update k (log)",
                      "||x_k||  (problem units, log)", [distance_curve(runs, r, (0.0, 0.0)) for r in ridge_rows],
                      logx=True),
        ],
        panel_size=(5.0, 4.6),
    )  # fmt: skip
    figures.append(FigureJob("figures/monkey-saddle.png", draw, spec))
    blocks.append(Figure("figures/monkey-saddle.png",
                         "SGD, Momentum, Nesterov and Adam on the monkey saddle (linear levels): notice the momentum "
                         "methods overshooting the flat centre into the local minimum (left) and, on the ridge, the "
                         "distance to the saddle shrinking only like a power of k, not geometrically (right, "
                         "log-log)."))  # fmt: skip


# -- noise -----------------------------------------------------------------------------------------
def _noise(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-noise"]
    eigenvalues = curvatures(lesson.problems["ill_conditioned_quadratic"])
    levels = sorted({r["options"]["gradient_noise"] for r in runs.rows})
    seeds = sorted({r["seed"] for r in runs.rows})
    rate = runs.rows[0]["options"]["learning_rate"]
    updates = runs.rows[0]["options"]["max_iterations"]
    per_unit = float(sum(rate / (2 * (2 - rate * lam)) for lam in eigenvalues))  # E f = per_unit * sigma^2
    table, floors = [], {}
    for sigma in levels:
        rows = runs.select(gradient_noise=sigma)
        floor = float(np.mean([mean_f(runs, r, FLOOR_FROM) for r in rows]))
        floors[sigma] = floor
        table.append([sigma, floor, per_unit * sigma**2, float(np.median([r["f"] for r in rows])),
                      ", ".join(sorted({r["status"] for r in rows}))])  # fmt: skip
    blocks.append(Heading("1.5 Noisy gradients", 3))
    clean = runs.select(gradient_noise=0.0)
    noisy = [s for s in levels if s > 0]
    parts = [
        f"Mini-batch gradients are noisy. Here SGD (lr = {number(rate)}, {updates} updates) gets the exact "
        f"gradient plus seeded Gaussian noise of standard deviation σ, {plural(len(seeds), 'seed')} per σ. "
        f"Without noise it converges (median final f = {number(float(np.median([r['f'] for r in clean])))})."
    ]
    if len(noisy) >= 2:
        low, high = noisy[-2], noisy[-1]
        grows = floors[high] / floors[low]
        parts.append("With noise it stops converging and hovers at a floor: mean f over updates "
                     f"{FLOOR_FROM}–{updates} "
                     f"is {number(floors[low])} at σ = {number(low)} and {number(floors[high])} at σ = {number(high)}, "
                     f"{number(grows, 2)}x for {number(high / low, 2)}x the noise (σ² predicts "
                     f"{number((high / low) ** 2, 2)}x).")  # fmt: skip
        agree = all(0.5 < floors[s] / (per_unit * s**2) < 2 for s in noisy)
        parts.append(f"The stationary variance of the noisy recursion predicts E f = Σᵢ lr σ² / (2(2 − lr λᵢ)) = "
                     f"{number(per_unit)} σ² for curvatures λ = {number(eigenvalues[0])}, {number(eigenvalues[-1])}; "
                     + ("the measured floors agree within a factor of 2. " if agree
                        else "the measured floors differ from it by more than a factor of 2. ")
                     + "A constant learning rate cannot average the noise away; section 5 lowers the "
                       "rate.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    blocks.append(Table(["gradient noise σ", f"mean f − f∗ over updates {FLOOR_FROM}–{updates}, all seeds",
                         "predicted floor", "median final f", "statuses"], table, csv="tables/noise.csv"))  # fmt: skip
    curves, lines = [], []
    for colour, sigma in zip(NOISE_COLOURS, levels, strict=False):
        row = runs.one(gradient_noise=sigma, seed=seeds[0])
        curves.append(gap_curve(runs, row, f"σ = {number(sigma)}", colour, style="-"))
        if sigma > 0:
            lines.append((per_unit * sigma**2, f"predicted floor, σ = {number(sigma)}", colour))
    spec = FigureSpec(
        f"SGD with noisy gradients on ½(x² + 100y²), lr = {number(rate)}, seed {seeds[0]}",
        [PlotPanel(f"f − f∗ by update (dotted: predicted floors; below {FLOOR:.0e} drawn at it)", "update k",
                   "f − f∗  (objective units, log)", curves, floor=FLOOR, hlines=lines, legend="outside")],
        panel_size=(7.2, 4.4),
    )  # fmt: skip
    figures.append(FigureJob("figures/noise.png", draw, spec))
    blocks.append(Figure("figures/noise.png",
                         f"f − f∗ of SGD with gradient noise of growing σ (seed {seeds[0]}; the stored trace keeps "
                         f"every update to {TRACE_KEEP // 4}, then log-spaced ones): notice each noisy curve levelling "
                         "off at its predicted floor while the noise-free one keeps falling."))  # fmt: skip
