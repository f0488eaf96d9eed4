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
    "FIRST_ORDER",
    "LINESTYLES",
    "group_colours",
    "method_groups",
    "variant_colours",
    "variant_profile",
    "SWEEP_WORDS",
    "accuracy_heatmap",
    "log_axis",
    "objective_function",
    "save_png",
    "convergence",
    "data_profile",
    "error_versus_step",
    "performance_profile",
    "trajectories",
]

DPI = 90
FLOOR = 1e-16  # values at or below zero are drawn here on log axes (captions say so)
LINESTYLES: dict[str, Any] = {"analytic": "-", "fd-forward": "--", "fd-central": ":", "complex-step": "-.",
                              "fd-richardson": (0, (3, 1, 1, 1, 1, 1)), "fd-optimal": (0, (1, 2))}  # fmt: skip
FIRST_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adadelta")
#: Problems per panel of the digits heat map.
HEAT_ROWS = 32
#: At most this many lines share a panel: more methods are split into groups (facets).
PANEL_LINES = 8
#: Text sizes in points: figures are shown at 100 % (90 dpi), so 9 pt is about 11 px.
TEXT = 9
VARIANT_COLOURS = {"analytic": "black", "fd-forward": "tab:blue", "fd-central": "tab:orange",
                   "complex-step": "tab:green", "fd-richardson": "tab:red", "fd-optimal": "tab:purple"}  # fmt: skip


def _palette() -> list[Any]:
    return list(matplotlib.colormaps["tab10"].colors)


def method_groups(
    methods: Sequence[str], catalogue: dict[str, dict[str, Any]] | None = None
) -> list[tuple[str, list[str]]]:
    """Methods in families of at most :data:`PANEL_LINES`, each drawn in a panel (a column) of its own:
    the first-order family, Newton and trust regions (methods that use a Hessian), and quasi-Newton, CG
    and SQP (the rest); ``catalogue``: the stored method records (capabilities). Empty families are left
    out; a family larger than a panel holds is split."""
    catalogue = catalogue or {}

    def uses_hessian(method: str) -> bool:
        capabilities = catalogue.get(method, {}).get("capabilities", {})
        return bool(capabilities.get("hessian")) and not capabilities.get("constraints")

    families = [("first-order family", [m for m in methods if m in FIRST_ORDER]),
                ("Newton and trust regions", [m for m in methods if m not in FIRST_ORDER and uses_hessian(m)]),
                ("quasi-Newton, CG and SQP", [m for m in methods if m not in FIRST_ORDER and not uses_hessian(m)])]
    groups = []
    for label, members in families:
        chunks = [members[i:i + PANEL_LINES] for i in range(0, len(members), PANEL_LINES)]
        for number, chunk in enumerate(chunks, 1):
            groups.append((label if len(chunks) == 1 else f"{label} ({number}/{len(chunks)})", chunk))
    return groups  # fmt: skip


def group_colours(names: Sequence[str]) -> dict[str, Any]:
    """Distinct colours for the lines of one panel (tab10 in order; a panel holds at most
    :data:`PANEL_LINES` lines, so no two share a colour)."""
    palette = _palette()
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def variant_colours(variants: Sequence[str]) -> dict[str, Any]:
    """One colour per derivative variant: the known ones fixed, any other from the rest of tab10."""
    spare = [c for c in ("tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:gray")]
    colours, extra = {}, iter(spare * 3)
    for variant in variants:
        colours[variant] = VARIANT_COLOURS.get(variant) or next(extra)
    return colours


def _column_legends(figure: Figure, axes: np.ndarray, legends: Sequence[list[Any]], height: float) -> None:
    """One legend under each column of ``axes`` (rows x columns), below the x label; ``height`` in
    inches (the bottom margin must hold :func:`_legend_space`)."""
    for column, handles in enumerate(legends):
        if not handles:
            continue
        box = axes[-1, column].get_position()
        figure.legend(handles=handles, title="method", fontsize=TEXT, title_fontsize=TEXT, ncol=2, frameon=False,
                      loc="upper center", bbox_to_anchor=((box.x0 + box.x1) / 2, box.y0 - 0.55 / height))  # fmt: skip


def _legend_space(legends: Sequence[Sequence[Any]]) -> float:
    """Inches under the last row of panels: tick labels and x label, then a two-column legend."""
    lines = max((math.ceil(len(handles) / 2) for handles in legends), default=0)
    return 0.75 + (0.3 + 0.2 * lines if lines else 0)


def _group_of(solver: str, groups: Sequence[tuple[str, list[str]]]) -> int | None:
    method = solver.split(" ")[0]
    return next((i for i, (_, members) in enumerate(groups) if method in members), None)


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
    renderer needs no compiled model and runs nothing of the derivative layers. The stored text is read
    by :func:`workbench.expressions.parse_stored_expression`, never run as code."""
    import sympy as sp

    from workbench.expressions import UnsafeExpressionError, parse_stored_expression

    expression = parse_stored_expression(objective)
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier():
            raise UnsafeExpressionError(f"the variable name {str(name)[:40]!r} (a name must be a plain identifier)")
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
    groups: Sequence[tuple[str, list[str]]],
    absolute: bool = False,
    axis: str = "iteration",
) -> None:
    """f - reference against iterations (``axis="iteration"``) or against work (``axis="work"``): one
    row per derivative variant, one column per family of methods (:func:`method_groups`), at most
    :data:`PANEL_LINES` lines per panel, one colour per method within a column and its legend under it.
    ``absolute``: plot |f - reference| (constrained problems, where infeasible iterates may lie below f*)."""
    from workbench.report.tables import variant_order

    drawn = [r for r in runs if r["key"] in traces and _group_of(r["method"], groups) is not None]
    variants = variant_order({r["variant"] for r in drawn}) or ["analytic"]
    columns = [(label, [m for m in members if any(r["method"] == m for r in drawn)]) for label, members in groups]
    columns = [c for c in columns if c[1]] or [("no runs", [])]
    colours = [group_colours(members) for _, members in columns]
    legends = [[Line2D([], [], color=colours[c][m], linewidth=2, label=m) for m in members]
               for c, (_, members) in enumerate(columns)]  # fmt: skip
    bottom = _legend_space(legends)
    height = 2.3 * len(variants) + 0.55 + bottom
    width = 4.1 * len(columns) + 0.9
    figure = Figure(figsize=(width, height))
    axes = np.array(figure.subplots(len(variants), len(columns), sharex="col", sharey="row", squeeze=False))
    figure.subplots_adjust(left=0.9 / width, right=1 - 0.15 / width, top=1 - 0.6 / height, bottom=bottom / height,
                           wspace=0.12, hspace=0.32)  # fmt: skip
    clipped = False
    quantity = f"|f - {reference_label}|" if absolute else f"f - {reference_label}"
    for row, variant in enumerate(variants):
        for column, (label, members) in enumerate(columns):
            ax = axes[row, column]
            for run in drawn:
                if run["variant"] != variant or run["method"] not in members:
                    continue
                trace = traces[run["key"]]
                gap = np.array(trace["f"], dtype=float) - reference
                if absolute:
                    gap = np.abs(gap)
                if not np.any(np.isfinite(gap)):
                    continue
                clipped |= bool(np.any(gap <= FLOOR))
                gap = np.where(np.isfinite(gap), np.maximum(gap, FLOOR), np.nan)
                keep = _sample(len(gap))
                x = np.asarray(trace["k"]) if axis == "iteration" else np.maximum(np.array(trace["work"], float), 1)
                ax.plot(x[keep], gap[keep], color=colours[column][run["method"]], linewidth=1.2, alpha=0.9)
            log_axis(ax, "y")
            if axis == "work":
                log_axis(ax, "x")
            ax.grid(True, which="major", alpha=0.3)
            ax.tick_params(labelsize=TEXT - 1)
            ax.set_title(f"{label}, {variant}", fontsize=TEXT)
        axes[row, 0].set_ylabel(f"{quantity}\n(objective units, log)", fontsize=TEXT)
    xlabel = "iteration k (updates made)" if axis == "iteration" else "work: evaluations of f, c, derivatives (log)"
    for column in range(len(columns)):
        axes[-1, column].set_xlabel(xlabel, fontsize=TEXT)
    _column_legends(figure, axes, legends, height)
    note = f" (values <= {FLOOR:.0e} drawn at {FLOOR:.0e})" if clipped else ""
    against = "iterations" if axis == "iteration" else "work"
    figure.suptitle(f"{problem}: {quantity} against {against}, per derivative variant (rows){note}", fontsize=TEXT + 2)
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
    reference_label: str = "f*",
) -> None:
    """Iterates on a contour map of f - f_floor (log-spaced levels), one panel per derivative variant;
    ``reference_label`` names f_floor in the title (``f*`` or ``best f found``)."""
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
    if f_floor == 0:
        shift = "f"
    else:
        shift = f"f - {reference_label} ({reference_label} = {f_floor:.6g})"
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


def error_versus_step(path: Path, problem: str, sweep: dict[str, Any], *, words: dict[str, str] | None = None) -> None:
    """Measured and modelled relative gradient error against the relative step, log-log, with the step
    rules measured at the same point (``sweep["rules"]``) placed on it at their error: the textbook rules
    as circles at their step, a rule scaled by typical_x as diamonds and ``fd-optimal`` as stars at each
    variable's relative step, ``fd-richardson`` (whose steps vary per entry) as a horizontal line; every
    legend entry gives the error and the evaluations spent. ``words``
    replaces the labels of :data:`SWEEP_WORDS` (same keys and fields)."""
    words = {**SWEEP_WORDS, **(words or {})}
    shown = [*sweep["measured"], *(rule["variant"] for rule in sweep.get("rules", ()))]
    colours = variant_colours(list(dict.fromkeys(shown)))
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


def _profile_grid(variants: Sequence[str], groups: Sequence[tuple[str, list[str]]]) -> tuple[Figure, np.ndarray]:
    bottom = _legend_space([members for _, members in groups])
    height = 2.4 * len(variants) + 0.6 + bottom
    width = 4.1 * len(groups) + 0.9
    figure = Figure(figsize=(width, height))
    axes = np.array(figure.subplots(len(variants), len(groups), sharex=True, sharey=True, squeeze=False))
    figure.subplots_adjust(left=0.9 / width, right=1 - 0.15 / width, top=1 - 0.6 / height, bottom=bottom / height,
                           wspace=0.1, hspace=0.32)  # fmt: skip
    return figure, axes


def _profile_panels(
    path: Path,
    title: str,
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]],
    groups: Sequence[tuple[str, list[str]]],
    *,
    xlabel: str,
) -> None:
    """``curves[variant][solver] = (x, share)``: one row per variant, one column per family of methods,
    one colour per solver within a column (legend under it)."""
    variants = list(curves)
    every = dict.fromkeys(s for c in curves.values() for s in c)

    def rank(solver: str) -> tuple[int, str]:  # the methods' order within their family, then the label
        members = groups[_group_of(solver, groups)][1]
        return (members.index(solver.split(" ")[0]), solver)

    solvers_by_group = [sorted((s for s in every if _group_of(s, groups) == i), key=rank) for i in range(len(groups))]
    columns = [(label, solvers) for (label, _), solvers in zip(groups, solvers_by_group, strict=True) if solvers]
    if not columns:
        columns = [("no runs", [])]
    figure, axes = _profile_grid(variants or ["none"], columns)
    legends: list[list[Any]] = []
    for column, (label, solvers) in enumerate(columns):
        colours = group_colours(solvers)
        for row, variant in enumerate(variants):
            ax = axes[row, column]
            for solver in solvers:
                if solver in curves[variant]:
                    x, share = curves[variant][solver]
                    ax.step(x, share, where="post", color=colours[solver], linewidth=1.4)
            log_axis(ax, "x")
            ax.set_ylim(0, 1.02)
            ax.grid(True, alpha=0.3)
            ax.tick_params(labelsize=TEXT - 1)
            ax.set_title(f"{label}, {variant}", fontsize=TEXT)
            if column == 0:
                ax.set_ylabel("share of problems\nsolved (fraction)", fontsize=TEXT)
        axes[-1, column].set_xlabel(xlabel, fontsize=TEXT)
        legends.append([Line2D([], [], color=colours[s], linewidth=2, label=s) for s in solvers])
    _column_legends(figure, axes, legends, figure.get_figheight())
    figure.suptitle(title, fontsize=TEXT + 2)
    save_png(figure, path)


def performance_profile(
    path: Path,
    title: str,
    panels: dict[str, dict[str, np.ndarray]],
    *,
    cost_label: str,
    groups: Sequence[tuple[str, list[str]]],
) -> None:
    """Dolan-Moré profiles: rho_s(tau) = share of problems solved within tau x the best cost.

    ``panels[variant][solver]`` holds one cost per problem (inf where the solver failed). The best cost
    of a problem is over every solver of the variant; the solvers are then drawn one family per column
    (:func:`method_groups`), one variant per row.
    """
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for name, costs in panels.items():
        curves[name] = {}
        if not costs:
            continue
        solvers = list(costs)
        matrix = np.array([costs[s] for s in solvers], dtype=float)  # (solvers, problems)
        best = np.fmin.reduce(np.where(matrix > 0, matrix, np.nan), axis=0)  # NaN where nobody solved, no warning
        best = np.where(np.isfinite(best), best, np.inf)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios = np.where(np.isfinite(matrix), matrix / best, np.inf)
        finite = ratios[np.isfinite(ratios)]
        tau = np.geomspace(1, max(10.0, float(finite.max()) * 1.2 if finite.size else 10.0), 300)
        for solver, row in zip(solvers, ratios, strict=True):
            share = np.array([np.sum(row <= t) / row.size for t in tau])
            if share[-1] > 0:
                curves[name][solver] = (tau, share)
    _profile_panels(path, title, curves, groups, xlabel=f"tau: within this factor of the best {cost_label} (log)")


def data_profile(
    path: Path, title: str, panels: dict[str, dict[str, np.ndarray]], *, groups: Sequence[tuple[str, list[str]]]
) -> None:
    """Moré-Wild data profiles: share of problems solved within kappa (n + 1) evaluations.

    ``panels[variant][solver]`` holds, per problem, the work spent when the convergence test was first
    met (inf when never) divided by n + 1; drawn like :func:`performance_profile`.
    """
    finite = [v for budgets in panels.values() for row in budgets.values() for v in row if np.isfinite(v)]
    kappa = np.geomspace(0.1, max(max(finite) * 1.2 if finite else 10.0, 1.0), 300)
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for name, budgets in panels.items():
        curves[name] = {}
        for solver, row in budgets.items():
            row = np.asarray(row, dtype=float)
            share = np.array([np.sum(row <= k) / row.size for k in kappa])
            if share[-1] > 0:
                curves[name][solver] = (kappa, share)
    _profile_panels(path, title, curves, groups, xlabel="kappa: work / (n + 1), simplex gradients (log)")


def variant_profile(path: Path, costs: dict[str, np.ndarray], *, instances: int) -> None:
    """A performance profile of the derivative variants: ``costs[variant]`` holds one work per instance
    (a method on a problem), inf where that variant's run did not converge; one line per variant."""
    figure = Figure(figsize=(9.0, 4.6))
    ax = figure.subplots()
    figure.subplots_adjust(left=0.09, right=0.74, top=0.88, bottom=0.13)
    variants = list(costs)
    colours = variant_colours(variants)
    matrix = np.array([costs[v] for v in variants], dtype=float).reshape(len(variants), -1)
    if matrix.size:
        best = np.fmin.reduce(np.where(matrix > 0, matrix, np.nan), axis=0)  # NaN where nobody solved, no warning
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios = np.where(np.isfinite(matrix), matrix / best, np.inf)
        finite = ratios[np.isfinite(ratios)]
        tau = np.geomspace(1, max(10.0, float(finite.max()) * 1.2 if finite.size else 10.0), 300)
        for variant, row in zip(variants, ratios, strict=True):
            share = [np.sum(row <= t) / row.size for t in tau]
            ax.step(tau, share, where="post", color=colours[variant], linewidth=2.0,
                    linestyle=LINESTYLES.get(variant, "-"), label=variant)  # fmt: skip
    log_axis(ax, "x")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.tick_params(labelsize=TEXT)
    ax.set_xlabel("tau: within this factor of the least work any variant needed (log)", fontsize=TEXT + 1)
    ax.set_ylabel("share of instances solved (fraction)", fontsize=TEXT + 1)
    ax.legend(title="derivative variant", fontsize=TEXT + 1, title_fontsize=TEXT + 1, loc="upper left",
              bbox_to_anchor=(1.02, 1.0), borderaxespad=0)  # fmt: skip
    ax.set_title(f"Which derivative variant is cheapest? {instances} instances (method x problem), cost = work",
                 fontsize=TEXT + 2)  # fmt: skip
    save_png(figure, path)


def placeholder(path: Path, message: str) -> None:
    """A small image standing in for a figure that could not be drawn."""
    figure = Figure(figsize=(8, 1.6))
    figure.text(0.5, 0.5, message[:160], ha="center", va="center", fontsize=9, color="darkred", wrap=True)
    save_png(figure, path)


def accuracy_heatmap(path: Path, problems: Sequence[str], variants: Sequence[str], digits: np.ndarray) -> None:
    """Correct digits of the gradient per problem (rows) and variant (columns), in side-by-side panels of
    at most :data:`HEAT_ROWS` problems so that every cell number is :data:`TEXT` points or larger."""
    count = len(problems)
    panels = max(1, math.ceil(count / HEAT_ROWS))
    per = math.ceil(count / panels) if count else 1
    row_height = 0.24
    width = max(7.5, panels * (2.3 + 0.62 * max(len(variants), 1)) + 1.4)
    height = max(4.0, per * row_height + 1.9)
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, panels, squeeze=False).ravel())
    image = None
    for number, ax in enumerate(axes):
        names = list(problems[number * per:(number + 1) * per])
        block = digits[number * per:(number + 1) * per]
        if not names:
            ax.set_visible(False)
            continue
        image = ax.imshow(block, aspect="auto", cmap="viridis", vmin=0, vmax=16, interpolation="nearest")
        ax.set_xticks(range(len(variants)), variants, fontsize=TEXT, rotation=30, ha="right")
        ax.set_yticks(range(len(names)), names, fontsize=TEXT)
        ax.set_ylim(per - 0.5, -0.5)  # equal row heights in every panel
        for i in range(len(names)):
            for j in range(len(variants)):
                value = block[i, j]
                if math.isfinite(value):
                    text = f"{max(value, 0.0):.0f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=TEXT,
                            color="white" if value < 9 else "black")  # fmt: skip
        ax.set_xlabel("derivative variant", fontsize=TEXT)
    if image is not None:
        colourbar = figure.colorbar(image, ax=list(axes), shrink=min(1.0, 6.0 / height), pad=0.01)
        colourbar.set_label("correct digits (dimensionless,\n16 = full float64)", fontsize=TEXT)
    axes[0].set_ylabel("problem", fontsize=TEXT)
    figure.suptitle("Gradient accuracy: worst correct digits over the random check points", fontsize=TEXT + 2)
    save_png(figure, path)
