"""The race as an animated GIF: every method's iterates drawn update by update on contour maps.

``race_gif(path, spec)`` takes the same :class:`~workbench.lesson.figures.MapPanel` data as the static
figures (iterates read from stored, unthinned traces: index = update k) and writes a GIF with
matplotlib.animation's PillowWriter. A head marker shows where each method is at the current update;
a finished run stays at its last iterate. The words drawn here (axis units, the legend's title, the
frame's update counter) follow ``spec.language``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from workbench.lesson.figures import MAP_UNITS, MapPanel, contours  # noqa: E402

__all__ = ["RaceSpec", "race_gif"]

#: The legend's title and the frame counter, by language.
WORDS = {"en": {"method": "method", "update": "update"}, "ru": {"method": "метод", "update": "шаг"}}


@dataclasses.dataclass
class RaceSpec:
    """Panels to animate side by side; ``frames`` evenly spaced updates from 0 to the longest run."""

    title: str
    panels: list[MapPanel]
    frames: int = 45
    fps: int = 6
    dpi: int = 72
    language: str = "en"


def race_gif(path: Path, spec: RaceSpec) -> None:
    """Write the animated race (module docstring)."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    count = len(spec.panels)
    figure = Figure(figsize=(4.9 * count + 1.7, 4.5))
    axes = np.atleast_1d(figure.subplots(1, count))
    figure.subplots_adjust(left=0.06, right=0.86, top=0.84, bottom=0.12, wspace=0.22)
    lines: list[tuple[Any, Any, np.ndarray]] = []
    longest = 1
    for ax, panel in zip(axes, spec.panels, strict=True):
        contours(ax, panel.landscape, resolution=140)
        for curve in panel.paths:
            xy = np.column_stack([np.asarray(curve.x, dtype=float), np.asarray(curve.y, dtype=float)])
            (line,) = ax.plot([], [], color=curve.colour, linewidth=1.5, label=curve.label)
            (head,) = ax.plot([], [], marker="o", color=curve.colour, markeredgecolor="k", markersize=6.5)
            lines.append((line, head, xy))
            longest = max(longest, len(xy))
        for marker in panel.markers:
            ax.plot(*marker.xy, marker=marker.marker, color=marker.colour, markeredgecolor="k",
                    markersize=marker.size, linestyle="none", label=marker.label, zorder=5)  # fmt: skip
        names = panel.landscape.variables
        ax.set_xlabel(f"{names[0]} ({MAP_UNITS[spec.language]})")
        ax.set_ylabel(f"{names[1]} ({MAP_UNITS[spec.language]})")
        ax.set_title(panel.title, fontsize=9.5)
    handles, labels = axes[-1].get_legend_handles_labels()
    words = WORDS[spec.language]
    figure.legend(handles, labels, loc="center right", fontsize=8, title=words["method"], title_fontsize=8)
    heading = figure.suptitle("", fontsize=11)
    updates = np.unique(np.linspace(0, longest - 1, spec.frames).astype(int))

    def frame(index: int) -> list[Any]:
        k = int(updates[index])
        for line, head, xy in lines:
            upto = min(k, len(xy) - 1)
            line.set_data(xy[: upto + 1, 0], xy[: upto + 1, 1])
            head.set_data([xy[upto, 0]], [xy[upto, 1]])
        heading.set_text(f"{spec.title}: {words['update']} k = {k}")
        return [item for line, head, _ in lines for item in (line, head)]

    animation = FuncAnimation(figure, frame, frames=len(updates), blit=False, repeat=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    animation.save(str(path), writer=PillowWriter(fps=spec.fps), dpi=spec.dpi)
