"""Stored traces turned into figure data: iterate paths, f - f∗ curves, distances, and the few
statistics of a trace the text quotes (mean f over a window, sign changes, time per update)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.figures import COLOURS, Curve, Marker
from workbench.lesson.results import StudyRuns, positions

__all__ = [
    "FLOOR",
    "distance_curve",
    "gap",
    "gap_curve",
    "mean_f",
    "path_curve",
    "saddle_marker",
    "seconds_per_update",
    "start_marker",
]

#: Values at or below this are drawn at it on log axes (captions say so).
FLOOR = 1e-16


def start_marker(xy: Any, label: str = "start x0") -> Marker:
    return Marker(label, (float(xy[0]), float(xy[1])), marker="o", colour="black", size=7.0)


def saddle_marker(xy: Any = (0.0, 0.0), label: str = "saddle point") -> Marker:
    return Marker(label, (float(xy[0]), float(xy[1])), marker="X", colour="tab:red", size=10.0)


def path_curve(
    runs: StudyRuns,
    row: dict[str, Any],
    label: str | None = None,
    colour: Any = None,
    upto: int | None = None,
    window: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> Curve:
    """The iterates of a run (the first ``upto`` records) as a map path; with ``window``, cut after the
    first iterate outside it (a diverging path would otherwise sweep across the whole map)."""
    xy = positions(runs.trace(row))
    if upto is not None:
        xy = xy[:upto]
    if window is not None:
        (x_low, x_high), (y_low, y_high) = window
        outside = ~((xy[:, 0] >= x_low) & (xy[:, 0] <= x_high) & (xy[:, 1] >= y_low) & (xy[:, 1] <= y_high))
        if outside.any():
            xy = xy[: int(np.argmax(outside)) + 1]
    colour = colour or COLOURS.get(label or row["method"], COLOURS.get(row["method"]))
    return Curve(label or row["method"], xy[:, 0], xy[:, 1], colour=colour)


def gap(runs: StudyRuns, row: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(k, f_k - f∗) of a run's stored trace (f∗ from the run row)."""
    trace = runs.trace(row)
    reference = row["f_star"] if row["f_star"] is not None else 0.0
    return np.array(trace["k"], dtype=float), np.array(trace["f"], dtype=float) - reference


def gap_curve(
    runs: StudyRuns, row: dict[str, Any], label: str | None = None, colour: Any = None, style: str = "-"
) -> Curve:
    k, values = gap(runs, row)
    return Curve(label or row["method"], k, values, colour=colour or COLOURS.get(row["method"]), style=style)


def distance_curve(
    runs: StudyRuns, row: dict[str, Any], target: Any, label: str | None = None, colour: Any = None
) -> Curve:
    """||x_k - target||_2 against k."""
    trace = runs.trace(row)
    distance = np.linalg.norm(positions(trace) - np.asarray(target, dtype=float), axis=1)
    colour = colour or COLOURS.get(label or row["method"], COLOURS.get(row["method"]))
    return Curve(label or row["method"], trace["k"], distance, colour=colour, marker=".")


def mean_f(runs: StudyRuns, row: dict[str, Any], start: int) -> float:
    """Mean of f - f∗ over the stored records with k >= start (a noisy run's floor)."""
    k, values = gap(runs, row)
    return float(np.mean(values[k >= start]))


def seconds_per_update(runs: StudyRuns, row: dict[str, Any], skip: int = 1) -> float:
    """Median wall time of one update over the stored records, leaving out the first ``skip`` updates
    (the first one pays for compiling the derivatives in a fresh process)."""
    times = np.diff(np.array(runs.trace(row)["time"], dtype=float))
    return float(np.median(times[skip:])) if times.size > skip else float("nan")
