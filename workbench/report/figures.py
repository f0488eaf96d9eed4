"""The report's figures, drawn from stored data only (matplotlib object API, Agg backend).

Every function takes plain data (rows and traces read from the store), writes one PNG and returns
nothing; every figure has a title, axis labels with units, and a legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

__all__ = [
    "LINESTYLES",
    "SWEEP_WORDS",
    "accuracy_heatmap",
    "log_axis",
    "objective_function",
    "save_png",
    "convergence",
    "data_profile",
    "error_versus_step",
    "method_colours",
    "performance_profile",
    "trajectories",
]

DPI = 90
FLOOR = 1e-16  # values at or below zero are drawn here on log axes (captions say so)
LINESTYLES: dict[str, Any] = {"analytic": "-", "fd-forward": "--", "fd-central": ":", "complex-step": "-.",
                              "fd-richardson": (0, (3, 1, 1, 1, 1, 1)), "fd-optimal": (0, (1, 2))}  # fmt: skip
FIRST_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adadelta")


def _decades(value: float, _position: Any) -> str:
    exponent = math.log10(value) if value > 0 else float("nan")
    return f"1e{int(round(exponent))}" if abs(exponent - round(exponent)) < 1e-9 else ""


def log_axis(ax: Any, axis: str = "y") -> None:
    """A log axis labelled 1e-8, 1e-4, ... in plain text (matplotlib's mathtext tick labels cost a
    third of the drawing time) and without minor tick labels."""
    from matplotlib import ticker

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(ticker.LogLocator(base=10, numticks=9))
    target.set_major_formatter(ticker.FuncFormatter(_decades))
    target.set_minor_locator(ticker.NullLocator())


def objective_function(objective: str, variables: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
    """f as a batched function of points (N, n) -> (N,), rebuilt from its stored declaration (SymPy
    srepr and variable names) and evaluated with numpy (scipy.special for special functions): the
    renderer needs no compiled model and runs nothing of the derivative layers."""
    import sympy as sp

    expression = sp.sympify(objective)
    by_name = {s.name: s for s in expression.free_symbols}
    symbols = [by_name.get(name, sp.Symbol(name)) for name in variables]
    function = sp.lambdify(symbols, expression, modules=["scipy", "numpy"])

    def evaluate(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        with np.errstate(all="ignore"):
            values = function(*np.moveaxis(points, -1, 0))
        return np.broadcast_to(np.asarray(values, dtype=float), points.shape[:-1]).copy()

    return evaluate


def _sample(length: int, points: int = 150) -> np.ndarray:
    """Indices of at most ``points`` samples: all early ones, then log-spaced, always the last."""
    if length <= points:
        return np.arange(length)
    head = points // 3
    tail = np.unique(np.geomspace(head, length - 1, points - head).astype(int))
    return np.unique(np.concatenate([np.arange(head), tail, [length - 1]]))


def method_colours(methods: Sequence[str]) -> dict[str, Any]:
    """One stable colour per method, in the order given: tab10 for the first ten, then Dark2 (the
    first-order family, drawn dashed where both groups share a panel); tab20's light/dark pairs made
    neighbours such as slsqp and trust-constr hard to tell apart."""
    palette = list(matplotlib.colormaps["tab10"].colors) + list(matplotlib.colormaps["Dark2"].colors)
    return {m: palette[i % len(palette)] for i, m in enumerate(methods)}


def save_png(figure: Figure, path: Path) -> None:
    """PNG with an adaptive 256-colour palette (octree: median cut shifted the hues of thin lines): a
    third of the size of matplotlib's RGBA output (the committed report holds a few hundred figures)."""
    import io

    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=DPI, format="png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def convergence(
    path: Path,
    problem: str,
    runs: Sequence[dict[str, Any]],
    traces: dict[str, dict[str, list[Any]]],
    *,
    reference: float,
    reference_label: str,
    colours: dict[str, Any],
    absolute: bool = False,
) -> None:
    """f - reference against iterations and against work; second-order and SciPy methods in
    one row, the first-order family in another (rows without runs are left out). One colour per
    method, one line style per variant. ``absolute``: plot |f - reference| (constrained problems,
    where infeasible iterates may lie below f*)."""
    groups = [("Newton, quasi-Newton, SciPy", lambda m: m not in FIRST_ORDER),
              ("first-order family", lambda m: m in FIRST_ORDER)]  # fmt: skip
    groups = [g for g in groups if any(g[1](r["method"]) and r["key"] in traces for r in runs)]
    if not groups:
        groups = groups or [("no runs", lambda m: False)]
    height = 3.9 * len(groups) + 0.6
    figure = Figure(figsize=(11.5, height))  # fixed margins: constrained layout doubled the drawing time
    axes = np.atleast_2d(figure.subplots(len(groups), 2, sharey="row"))
    figure.subplots_adjust(left=0.075, right=0.83, top=1 - 0.55 / height, bottom=0.5 / height, wspace=0.1,
                           hspace=0.32 * 4 / height)  # fmt: skip
    clipped = False
    quantity = f"|f - {reference_label}|" if absolute else f"f - {reference_label}"
    for row, (label, member) in enumerate(groups):
        methods_seen: list[str] = []
        variants_seen: list[str] = []
        for run in runs:
            if not member(run["method"]) or run["key"] not in traces:
                continue
            trace = traces[run["key"]]
            gap = np.array(trace["f"], dtype=float) - reference
            if absolute:
                gap = np.abs(gap)
            if not np.any(np.isfinite(gap)):
                continue
            clipped |= bool(np.any(gap <= FLOOR))
            gap = np.where(np.isfinite(gap), np.maximum(gap, FLOOR), np.nan)
            style = dict(color=colours.get(run["method"], "k"), linestyle=LINESTYLES.get(run["variant"], "-"),
                         linewidth=1.1, alpha=0.9)  # fmt: skip
            cost = np.array(trace["work"], dtype=float)
            keep = _sample(len(gap))
            axes[row, 0].plot(np.asarray(trace["k"])[keep], gap[keep], **style)
            axes[row, 1].plot(np.maximum(cost, 1)[keep], gap[keep], **style)
            if run["method"] not in methods_seen:
                methods_seen.append(run["method"])
            if run["variant"] not in variants_seen:
                variants_seen.append(run["variant"])
        for column in (0, 1):
            ax = axes[row, column]
            log_axis(ax, "y")
            ax.grid(True, which="major", alpha=0.3)
            if column == 1:
                log_axis(ax, "x")
        axes[row, 0].set_ylabel(f"{quantity}  (objective units, log)")
        axes[row, 0].set_title(f"{label}: by iteration", fontsize=9.5)
        axes[row, 1].set_title(f"{label}: by evaluation", fontsize=9.5)
        handles = [Line2D([], [], color=colours.get(m, "k"), label=m) for m in methods_seen]
        handles += [Line2D([], [], color="none", label=" ")]
        handles += [Line2D([], [], color="0.25", linestyle=LINESTYLES.get(v, "-"), label=v) for v in variants_seen]
        axes[row, 1].legend(handles=handles, title="method / derivatives", fontsize=7, title_fontsize=7,
                            loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)  # fmt: skip
    axes[-1, 0].set_xlabel("iteration k (updates made)")
    axes[-1, 1].set_xlabel("work: evaluations of f, c and exact derivatives (count, log)")
    note = f" (values <= {FLOOR:.0e} drawn at {FLOOR:.0e})" if clipped else ""
    figure.suptitle(f"{problem}: convergence of every method and derivative variant{note}", fontsize=11)
    save_png(figure, path)


def trajectories(
    path: Path,
    problem: str,
    function: Callable[[np.ndarray], np.ndarray],
    runs_by_variant: dict[str, list[tuple[dict[str, Any], dict[str, list[Any]]]]],
    *,
    x0: Sequence[float],
    x_star: Sequence[float] | None,
    bounds: tuple[np.ndarray, np.ndarray],
    colours: dict[str, Any],
    f_floor: float,
) -> None:
    """Iterates on a contour map of f (log-spaced levels), one panel per derivative variant."""
    variants = list(runs_by_variant)
    figure = Figure(figsize=(5.2 * len(variants) + 0.6, 4.9), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(variants), sharex=True, sharey=True))
    points = [np.array(x0)] + ([np.array(x_star)] if x_star is not None else [])
    for entries in runs_by_variant.values():
        for _, trace in entries:
            xs = np.array([x for x in trace["x"] if x is not None], dtype=float)
            if xs.size:
                points.append(xs[np.all(np.isfinite(xs), axis=1)])
    stacked = np.vstack([np.atleast_2d(p) for p in points if np.size(p)])
    low, high = np.nanpercentile(stacked, 1, axis=0), np.nanpercentile(stacked, 99, axis=0)
    low = np.minimum(low, np.min([x0, x_star or x0], axis=0))
    high = np.maximum(high, np.max([x0, x_star or x0], axis=0))
    pad = 0.15 * np.maximum(high - low, 0.5)
    low, high = low - pad, high + pad
    lower, upper = bounds
    low = np.where(np.isfinite(lower), np.maximum(low, lower - 0.05 * (high - low)), low)
    high = np.where(np.isfinite(upper), np.minimum(high, upper + 0.05 * (high - low)), high)
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], 160), np.linspace(low[1], high[1], 160))
    values = function(np.column_stack([grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    shifted = values - f_floor
    positive = shifted[np.isfinite(shifted) & (shifted > 0)]
    levels = None
    if positive.size:
        levels = np.geomspace(max(positive.min(), positive.max() * 1e-6), positive.max(), 24)
    methods_seen: list[str] = []
    for ax, variant in zip(axes, variants, strict=True):
        if levels is not None:
            ax.contour(grid_x, grid_y, np.maximum(shifted, levels[0]), levels=levels, colors="0.55", linewidths=0.55,
                       alpha=0.9)  # fmt: skip
        if np.any(np.isfinite(lower)) or np.any(np.isfinite(upper)):
            box_x = [max(lower[0], low[0]), min(upper[0], high[0])]
            box_y = [max(lower[1], low[1]), min(upper[1], high[1])]
            corners_x = [box_x[0], box_x[1], box_x[1], box_x[0], box_x[0]]
            ax.plot(corners_x, [box_y[0], box_y[0], box_y[1], box_y[1], box_y[0]],
                    color="0.5", linewidth=1.0, linestyle="--")  # fmt: skip
        for run, trace in runs_by_variant[variant]:
            xs = np.array([x for x in trace["x"] if x is not None], dtype=float)
            if xs.size == 0:
                continue
            ax.plot(xs[:, 0], xs[:, 1], color=colours.get(run["method"], "k"), linewidth=1.0, marker=".",
                    markersize=2.5, alpha=0.85)  # fmt: skip
            if run["method"] not in methods_seen:
                methods_seen.append(run["method"])
        ax.plot(*x0, marker="o", color="k", markersize=7, linestyle="none")
        if x_star is not None:
            ax.plot(*x_star, marker="*", color="gold", markeredgecolor="k", markersize=13, linestyle="none")
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_title(f"{variant} derivatives", fontsize=10)
        ax.set_xlabel("x1 (problem units)")
    axes[0].set_ylabel("x2 (problem units)")
    handles = [Line2D([], [], color=colours.get(m, "k"), label=m) for m in methods_seen]
    handles += [Line2D([], [], marker="o", color="k", linestyle="none", label="start x0")]
    if x_star is not None:
        handles += [Line2D([], [], marker="*", color="gold", markeredgecolor="k", linestyle="none", markersize=10,
                           label="optimum x*")]  # fmt: skip
    figure.legend(handles=handles, loc="outside right center", fontsize=8)
    shift = f"f - {f_floor:.3g}" if f_floor >= 0 else f"f + {-f_floor:.3g}"
    figure.suptitle(f"{problem}: iterates on contours of {shift} (log-spaced levels)", fontsize=11)
    save_png(figure, path)


#: The words of :func:`error_versus_step` (the lesson passes its own for other languages).
SWEEP_WORDS = {
    "measured": "{variant}: measured",
    "model": "{variant}: model (truncation + round-off)",
    "xlabel": "relative step h  (step_i = h max(1, |x_i|), dimensionless)",
    "ylabel": "relative gradient error  ||g_h - g||_inf / ||g||_inf",
    "optimal": "model-optimal step",
    "thumb": "rule-of-thumb step",
    "title": "{problem}: gradient error against finite-difference step (errors below {floor} drawn at it)",
    "textbook": "{variant}, textbook step: {error}, {evaluations} evals",
    "scaled": "{variant}, typical_x steps (one marker per variable): {error}, {evaluations} evals",
    "adaptive": "fd-richardson, adaptive: {error}, {evaluations} evals",
    "model_optimal": "fd-optimal, steps from exact f_iii (teaching): {error}, {evaluations} evals",
}
#: Colours of the variants on the error-versus-step figure.
SWEEP_COLOURS = {"fd-forward": "tab:blue", "fd-central": "tab:orange", "complex-step": "tab:green",
                 "fd-richardson": "tab:red", "fd-optimal": "tab:purple"}  # fmt: skip


def error_versus_step(path: Path, problem: str, sweep: dict[str, Any], *, words: dict[str, str] | None = None) -> None:
    """Measured and modelled relative gradient error against the relative step, log-log, with the step
    rules measured at the same point (``sweep["rules"]``) placed on it at their error: the textbook rules
    as circles at their step, a rule scaled by typical_x as diamonds and ``fd-optimal`` as stars at each
    variable's relative step, ``fd-richardson`` (whose steps vary per entry) as a horizontal line; every
    legend entry gives the error and the evaluations spent. ``words``
    replaces the labels of :data:`SWEEP_WORDS` (same keys and fields)."""
    words = {**SWEEP_WORDS, **(words or {})}
    colours = SWEEP_COLOURS
    figure = Figure(figsize=(12.5, 5.6))
    ax = figure.subplots()
    figure.subplots_adjust(left=0.075, right=0.6, top=0.9, bottom=0.11)
    steps = np.array(sweep["steps"], dtype=float)
    for variant, measured in sweep["measured"].items():
        colour = colours.get(variant, "k")
        ax.plot(steps, np.maximum(np.array(measured, dtype=float), FLOOR), color=colour, linewidth=1.6,
                label=words["measured"].format(variant=variant))  # fmt: skip
        model = np.array(sweep["model"][variant], dtype=float)
        ax.plot(steps, np.maximum(model, FLOOR), color=colour, linewidth=1.0, linestyle="--",
                label=words["model"].format(variant=variant))  # fmt: skip
        optimum = sweep["optimal_step"].get(variant)
        if optimum is not None and np.isfinite(optimum):
            ax.axvline(optimum, color=colour, linewidth=0.9, alpha=0.7)
        thumb = sweep["rule_of_thumb"].get(variant)
        if thumb is not None and variant != "complex-step":
            ax.axvline(thumb, color=colour, linewidth=0.9, linestyle=":", alpha=0.9)
    for rule in sweep.get("rules", ()):
        _rule_on_the_v(ax, rule, colours.get(rule["variant"], "k"), words)
    log_axis(ax, "x")
    log_axis(ax, "y")
    ax.invert_xaxis()
    ax.set_xlabel(words["xlabel"])
    ax.set_ylabel(words["ylabel"])
    ax.grid(True, which="major", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color="0.3", linewidth=0.9, label=words["optimal"]),
                Line2D([], [], color="0.3", linewidth=0.9, linestyle=":", label=words["thumb"])]  # fmt: skip
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    ax.set_title(words["title"].format(problem=problem, floor=f"{FLOOR:.0e}"), fontsize=10)
    save_png(figure, path)


def _rule_on_the_v(ax: Any, rule: dict[str, Any], colour: Any, words: dict[str, str]) -> None:
    """One measured step rule on the error-versus-step axes (:func:`error_versus_step`): a marker at each
    variable's relative step (joined by a thin line when they differ), at the rule's error; a horizontal
    line for a rule without fixed steps (fd-richardson)."""
    error = max(float(rule["error"]), FLOOR)
    fields = {"variant": rule["variant"], "error": f"{float(rule['error']):.1e}", "evaluations": rule["evaluations"]}
    if rule.get("steps") is None:
        ax.axhline(error, color=colour, linewidth=1.3, linestyle=(0, (3, 1, 1, 1, 1, 1)),
                   label=words["adaptive"].format(**fields))  # fmt: skip
        return
    steps = np.unique(np.array(rule["steps"], dtype=float))
    key, marker, size = {"model-optimal": ("model_optimal", "*", 13), "scaled": ("scaled", "D", 6)}.get(
        rule["rule"], ("textbook", "o", 7))
    ax.plot(steps, np.full(steps.shape, error), color=colour, linewidth=1.0, alpha=0.8, marker=marker,
            markersize=size, markeredgecolor="k", label=words[key].format(**fields))  # fmt: skip


def _profile_axes(count: int) -> tuple[Figure, np.ndarray]:
    columns = 1 if count == 1 else 2
    rows = math.ceil(count / columns)
    figure = Figure(figsize=(5.4 * columns + 2.2, 3.9 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns, sharey=True, sharex=True, squeeze=False).ravel())
    for extra in axes[count:]:
        extra.set_visible(False)
    return figure, axes


def _profile_legend(figure: Figure, drawn: dict[str, Any]) -> None:
    if drawn:
        figure.legend(handles=list(drawn.values()), loc="outside right upper", fontsize=7, title="method",
                      title_fontsize=8)  # fmt: skip


def _profile_line(ax: Any, x: np.ndarray, share: Sequence[float], solver: str, colours: dict[str, Any],
                  drawn: dict[str, Any]) -> None:  # fmt: skip
    method = solver.split(" ")[0]
    (line,) = ax.step(x, share, where="post", color=colours.get(method, "k"), label=solver, linewidth=1.2,
                      linestyle="--" if method in FIRST_ORDER else "-")  # fmt: skip
    drawn.setdefault(solver, line)


def performance_profile(
    path: Path,
    title: str,
    panels: dict[str, dict[str, np.ndarray]],
    *,
    cost_label: str,
    colours: dict[str, Any],
) -> None:
    """Dolan-Moré profiles: rho_s(tau) = share of problems solved within tau x the best cost.

    ``panels[name][solver]`` holds one cost per problem (inf where the solver failed); one panel
    per derivative variant, one shared legend (first-order methods dashed).
    """
    figure, axes = _profile_axes(len(panels))
    drawn: dict[str, Any] = {}
    order = list(colours)
    for ax, (name, costs) in zip(axes, panels.items(), strict=False):
        if not costs:
            ax.text(0.5, 0.5, "no runs", ha="center", va="center", transform=ax.transAxes)
            continue
        solvers = sorted(costs, key=lambda s: (order.index(s.split(" ")[0]) if s.split(" ")[0] in order else 99, s))
        matrix = np.array([costs[s] for s in solvers], dtype=float)  # (solvers, problems)
        best = np.nanmin(np.where(matrix > 0, matrix, np.nan), axis=0)
        best = np.where(np.isfinite(best), best, np.inf)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios = np.where(np.isfinite(matrix), matrix / best, np.inf)
        finite = ratios[np.isfinite(ratios)]
        tau = np.geomspace(1, max(10.0, float(finite.max()) * 1.2 if finite.size else 10.0), 300)
        for solver, row in zip(solvers, ratios, strict=True):
            share = [np.sum(row <= t) / row.size for t in tau]
            if share[-1] > 0:
                _profile_line(ax, tau, share, solver, colours, drawn)
        log_axis(ax, "x")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{name} derivatives", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel(f"tau: within this factor of the best {cost_label} (log)", fontsize=8)
        ax.set_ylabel("share of problems solved (fraction)", fontsize=8)
    _profile_legend(figure, drawn)
    figure.suptitle(title, fontsize=11)
    save_png(figure, path)


def data_profile(path: Path, title: str, panels: dict[str, dict[str, np.ndarray]], *, colours: dict[str, Any]) -> None:
    """Moré-Wild data profiles: share of problems solved within kappa (n + 1) evaluations.

    ``panels[name][solver]`` holds, per problem, the evaluations spent when the convergence test
    was first met (inf when never) divided by n + 1.
    """
    figure, axes = _profile_axes(len(panels))
    drawn: dict[str, Any] = {}
    order = list(colours)
    finite = [v for budgets in panels.values() for row in budgets.values() for v in row if np.isfinite(v)]
    kappa = np.geomspace(0.1, max(max(finite) * 1.2 if finite else 10.0, 1.0), 300)
    for ax, (name, budgets) in zip(axes, panels.items(), strict=False):
        solvers = sorted(budgets, key=lambda s: (order.index(s.split(" ")[0]) if s.split(" ")[0] in order else 99, s))
        for solver in solvers:
            row = np.asarray(budgets[solver], dtype=float)
            share = [np.sum(row <= k) / row.size for k in kappa]
            if share[-1] > 0:
                _profile_line(ax, kappa, share, solver, colours, drawn)
        log_axis(ax, "x")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{name} derivatives", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("kappa: evaluations / (n + 1), simplex gradients (log)", fontsize=8)
        ax.set_ylabel("share of problems solved (fraction)", fontsize=8)
    _profile_legend(figure, drawn)
    figure.suptitle(title, fontsize=11)
    save_png(figure, path)


def placeholder(path: Path, message: str) -> None:
    """A small image standing in for a figure that could not be drawn."""
    figure = Figure(figsize=(8, 1.6))
    figure.text(0.5, 0.5, message[:160], ha="center", va="center", fontsize=9, color="darkred", wrap=True)
    save_png(figure, path)


def accuracy_heatmap(path: Path, problems: Sequence[str], variants: Sequence[str], digits: np.ndarray) -> None:
    """Correct digits of the gradient per problem (rows) and variant (columns)."""
    height = max(4.0, 0.17 * len(problems) + 1.6)
    figure = Figure(figsize=(1.6 + 1.2 * max(len(variants), 4), height), layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(digits, aspect="auto", cmap="viridis", vmin=0, vmax=16, interpolation="nearest")
    ax.set_xticks(range(len(variants)), variants, fontsize=8, rotation=25, ha="right")
    ax.set_yticks(range(len(problems)), problems, fontsize=6 if len(problems) > 40 else 8)
    for i in range(len(problems)):
        for j in range(len(variants)):
            value = digits[i, j]
            if math.isfinite(value):
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=5.5 if len(problems) > 40 else 7,
                        color="white" if value < 9 else "black")  # fmt: skip
    colourbar = figure.colorbar(image, ax=ax, shrink=0.6)
    colourbar.set_label("correct digits (dimensionless, 16 = full float64)")
    ax.set_xlabel("derivative variant")
    ax.set_ylabel("problem")
    ax.set_title("Gradient accuracy: worst digits over the random check points", fontsize=10)
    save_png(figure, path)
