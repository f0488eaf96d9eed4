"""The lesson's static figures, drawn from plain data read from the store (matplotlib object API, Agg).

A figure is a :class:`FigureSpec`: a title and panels, each either a :class:`MapPanel` (iterates on
the contour map of a two-variable objective, rebuilt from its stored SymPy declaration) or a
:class:`PlotPanel` (curves on linear or log axes). ``draw(path, spec)`` writes one palette PNG. Specs
are plain dataclasses of numbers and strings, so figure jobs pickle to worker processes. Titles,
labels and legends come with the spec in the page's language; the only words drawn here, a map's
axis units, follow ``spec.language`` (:data:`MAP_UNITS`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from workbench.report.figures import log_axis, objective_function, save_png  # noqa: E402

__all__ = [
    "COLOURS",
    "DPI",
    "MAP_UNITS",
    "Curve",
    "FigureSpec",
    "Landscape",
    "MapPanel",
    "Marker",
    "PlotPanel",
    "draw",
    "objective_function",
    "save_png",
]

DPI = 90
#: The unit of a map's axes, by language.
MAP_UNITS = {"en": "problem units", "ru": "единицы задачи"}
#: One colour per method, the same in every figure of the lesson.
COLOURS = {
    "sgd": "tab:blue",
    "momentum": "tab:orange",
    "nesterov": "tab:green",
    "adagrad": "tab:red",
    "rmsprop": "tab:purple",
    "adam": "tab:brown",
    "adadelta": "tab:pink",
    "newton": "black",
    "newton (pure)": "0.45",
    "lbfgs": "tab:cyan",
    "bfgs": "tab:olive",
    "trust-exact": "tab:gray",
}


@dataclasses.dataclass
class Curve:
    """A line: on a PlotPanel x against y, on a MapPanel the iterates (x = x1, y = x2)."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    colour: Any = None
    style: str = "-"
    marker: str | None = None
    width: float = 1.4


@dataclasses.dataclass
class Marker:
    """A labelled point on a map (start, minimum, saddle)."""

    label: str
    xy: tuple[float, float]
    marker: str = "*"
    colour: str = "gold"
    size: float = 13.0


@dataclasses.dataclass
class Landscape:
    """A two-variable objective (SymPy srepr and variable names, as stored) over a window.

    ``levels``: ``"log"`` (log-spaced levels of f - min f, for valleys) or ``"linear"`` (for saddles,
    where f takes both signs); ``bounds``: ((l1, l2), (u1, u2)) drawn as a dashed box, or None.
    """

    objective: str
    variables: Sequence[str]
    window: tuple[tuple[float, float], tuple[float, float]]
    levels: str = "log"
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None


@dataclasses.dataclass
class MapPanel:
    """Iterates on a contour map; ``every``: also mark every k-th iterate with a dot."""

    title: str
    landscape: Landscape
    paths: list[Curve]
    markers: list[Marker] = dataclasses.field(default_factory=list)
    every: int | None = None
    legend: str = "inside"  # "inside", "outside" or "none"


@dataclasses.dataclass
class PlotPanel:
    """Curves on axes; on a log y axis values <= ``floor`` are drawn at ``floor`` (say so in the title)."""

    title: str
    xlabel: str
    ylabel: str
    curves: list[Curve]
    logx: bool = False
    logy: bool = True
    floor: float | None = None
    ylim: tuple[float, float] | None = None
    hlines: list[tuple[float, str, Any]] = dataclasses.field(default_factory=list)
    legend: str = "inside"
    xticks: Sequence[float] | None = None


@dataclasses.dataclass
class FigureSpec:
    title: str
    panels: list[MapPanel | PlotPanel]
    columns: int | None = None
    panel_size: tuple[float, float] = (5.2, 4.3)
    language: str = "en"  # of the words drawn by draw() itself (MAP_UNITS)


def contours(ax: Any, landscape: Landscape, resolution: int = 180) -> None:
    """Grey contour lines of the landscape's objective over its window, and its bounds box."""
    (x_low, x_high), (y_low, y_high) = landscape.window
    grid_x, grid_y = np.meshgrid(np.linspace(x_low, x_high, resolution), np.linspace(y_low, y_high, resolution))
    function = objective_function(landscape.objective, landscape.variables)
    values = function(np.column_stack([grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    finite = values[np.isfinite(values)]
    if landscape.levels == "log":
        shifted = values - finite.min()
        positive = shifted[np.isfinite(shifted) & (shifted > 0)]
        levels = np.geomspace(max(positive.min(), positive.max() * 1e-7), positive.max(), 22)
        ax.contour(grid_x, grid_y, np.maximum(shifted, levels[0]), levels=levels, colors="0.6", linewidths=0.6)
    else:
        levels = np.linspace(finite.min(), finite.max(), 23)
        ax.contour(grid_x, grid_y, values, levels=levels, colors="0.6", linewidths=0.6, linestyles="solid")
    if landscape.bounds is not None:
        (l1, l2), (u1, u2) = landscape.bounds
        ax.plot([l1, u1, u1, l1, l1], [l2, l2, u2, u2, l2], color="0.35", linewidth=1.0, linestyle="--")
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)


def _draw_map(ax: Any, panel: MapPanel, units: str = MAP_UNITS["en"]) -> list[Any]:
    contours(ax, panel.landscape)
    handles = []
    for curve in panel.paths:
        x, y = np.asarray(curve.x, dtype=float), np.asarray(curve.y, dtype=float)
        (line,) = ax.plot(x, y, color=curve.colour, linestyle=curve.style, linewidth=curve.width, marker=curve.marker,
                          markersize=2.5, alpha=0.9, label=curve.label)  # fmt: skip
        if panel.every:
            ax.plot(x[:: panel.every], y[:: panel.every], linestyle="none", marker="o", markersize=4.5,
                    color=curve.colour, markeredgecolor="white", markeredgewidth=0.5)  # fmt: skip
        handles.append(line)
    for marker in panel.markers:
        (dot,) = ax.plot(*marker.xy, marker=marker.marker, color=marker.colour, markeredgecolor="k",
                         markersize=marker.size, linestyle="none", label=marker.label, zorder=5)  # fmt: skip
        handles.append(dot)
    names = panel.landscape.variables
    ax.set_xlabel(f"{names[0]} ({units})")
    ax.set_ylabel(f"{names[1]} ({units})")
    return handles


def _draw_plot(ax: Any, panel: PlotPanel) -> list[Any]:
    handles = []
    for curve in panel.curves:
        y = np.asarray(curve.y, dtype=float)
        if panel.logy and panel.floor is not None:
            y = np.where(np.isfinite(y), np.maximum(y, panel.floor), np.nan)
        (line,) = ax.plot(np.asarray(curve.x, dtype=float), y, color=curve.colour, linestyle=curve.style,
                          linewidth=curve.width, marker=curve.marker, markersize=5, label=curve.label)  # fmt: skip
        handles.append(line)
    for value, label, colour in panel.hlines:
        handles.append(ax.axhline(value, color=colour, linestyle=":", linewidth=1.2, label=label))
    if panel.logy:
        log_axis(ax, "y")
    if panel.logx:
        log_axis(ax, "x")
    if panel.xticks is not None:
        ax.set_xticks(list(panel.xticks), [f"{t:g}" for t in panel.xticks])
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    ax.grid(True, which="major", alpha=0.3)
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    return handles


def draw(path: Path, spec: FigureSpec) -> None:
    """Render ``spec`` to the PNG at ``path`` (module docstring)."""
    count = len(spec.panels)
    columns = spec.columns or min(count, 3)
    rows = math.ceil(count / columns)
    width, height = spec.panel_size
    outside = any(p.legend == "outside" for p in spec.panels)
    figure = Figure(figsize=(width * columns + (2.2 if outside else 0.0), height * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False).ravel())
    for extra in axes[count:]:
        extra.set_visible(False)
    for ax, panel in zip(axes, spec.panels, strict=False):
        if isinstance(panel, MapPanel):
            handles = _draw_map(ax, panel, MAP_UNITS[spec.language])
        else:
            handles = _draw_plot(ax, panel)
        ax.set_title(panel.title, fontsize=9.5)
        labelled = [h for h in handles if not h.get_label().startswith("_")]
        if panel.legend == "inside" and labelled:
            ax.legend(handles=labelled, fontsize=7, loc="best", framealpha=0.85)
        elif panel.legend == "outside" and labelled:
            ax.legend(handles=labelled, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    figure.suptitle(spec.title, fontsize=11)
    save_png(figure, path)


def legend_entry(label: str, colour: Any, style: str = "-") -> Line2D:
    """A legend handle for a line not drawn as such."""
    return Line2D([], [], color=colour, linestyle=style, label=label)
