"""Section 7, ensembles in the optimization sense: multi-start from seeded points on the three-hump
camel (study ``lesson-multistart``: x0 plus seeded starts drawn around it), best-of-m against a single run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import COLOURS, Curve, FigureSpec, MapPanel, Marker, PlotPanel, draw
from workbench.lesson.plotdata import FLOOR, path_curve
from workbench.lesson.text import code, join, number, plural, point, ratio
from workbench.report.document import Figure, Table, Text

__all__ = ["build"]

OUTCOME_COLOURS = {"converged": "tab:green", "local_minimum": "tab:red"}


def _work(row: dict[str, Any]) -> float:
    """The run's stored work (workbench.cost: evaluations of f and exact derivatives)."""
    return float(row["work"])


def _best_of(rows: list[dict[str, Any]]) -> list[float]:
    """Best f − f∗ among the first m starts, for m = 1, 2, ..."""
    return np.minimum.accumulate([r["f_error"] if r["f_error"] is not None else np.inf for r in rows]).tolist()


def build(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-multistart"]
    info = lesson.info["three_hump_camel"]
    methods = list(dict.fromkeys(r["method"] for r in runs.rows))
    by_method = {m: sorted(runs.select(method=m), key=lambda r: r["start"]) for m in methods}
    blocks: list[Any] = []
    table, parts = [], []
    starts = len(by_method[methods[0]])
    parts.append(f"Restart a local method from several points and keep the best result: an ensemble of runs. On the "
                 f"three-hump camel, x0 = {point(info['x0'])} and {starts - 1} seeded points drawn around it "
                 f"({plural(starts, 'start')} per method):")  # fmt: skip
    for m, rows in by_method.items():
        single = rows[0]
        found = [r for r in rows if r["status"] == "converged"]
        share = len(found) / len(rows)
        best = min(rows, key=lambda r: r["f"])
        total = sum(_work(r) for r in rows)
        chance = {k: 1 - (1 - share) ** k for k in (1, 4, len(rows))}
        table.append([m, single["status"], single["f"], len(found), len(rows), best["f"], best["start"], _work(single),
                      total])  # fmt: skip
        sentence = (f"{code(m)} from x0 alone ends with f = {number(single['f'], 5)} "
                    f"({single['status'].replace('_', ' ')}); "
                    f"{len(found)} of its {len(rows)} starts reached the global minimum, and the best of "
                    f"{len(rows)} has f = {number(best['f'])} (start {best['start']}), for "
                    f"{ratio(total, _work(single))} "
                    "the work of the single run.")  # fmt: skip
        if 0 < share < 1:
            sentence += (f" With a success share p = {number(share)} per start, best-of-m finds the global minimum "
                         "with probability 1 − (1 − p)^m: " + join(f"{number(v)} for m = {k}"
                                                                   for k, v in chance.items()) + ".")  # fmt: skip
        parts.append(sentence)
    parts.append("In machine learning an ensemble also averages its members' predictions, which smooths their "
                 "errors; in optimization the useful part is the selection: each member is a cheap lottery ticket "
                 "for a better basin.")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    blocks.append(Table(["method", "status from x0", "f from x0", "starts reaching the global minimum", "starts",
                         "best f", "best start", "work from x0 (evaluations)", "work of all starts"],
                        table, csv="tables/multistart.csv"))  # fmt: skip
    first = methods[0]
    paths = []
    for row in by_method[first]:
        colour = OUTCOME_COLOURS.get(row["status"], "0.4")
        label = {"converged": "ends at the global minimum", "local_minimum": "ends at a local minimum"}.get(
            row["status"], "other outcome"
        )
        taken = any(p.label == label for p in paths)
        paths.append(path_curve(runs, row, ("_" if taken else "") + label, colour))
    local = [r["x"] for r in by_method[first] if r["status"] == "local_minimum"]
    markers = [*lesson.optimum("three_hump_camel")]
    for index, xy in enumerate({(round(x[0], 4), round(x[1], 4)) for x in local}):
        markers.append(Marker("local minima" if index == 0 else "_local", xy, "P", "tab:red", 11))
    starts_xy = [r["x0"] for r in by_method[first]]
    paths.append(Curve("start points", [p[0] for p in starts_xy], [p[1] for p in starts_xy], "black", "none", "o"))
    styles = (("-", "o", 4.0), ("--", "s", 1.4), (":", "^", 1.4))
    best_curves, chance_curves = [], []
    for index, (m, rows) in enumerate(by_method.items()):
        style, marker, width = styles[index % len(styles)]
        sizes = np.arange(1, len(rows) + 1)
        best_curves.append(Curve(m, sizes, _best_of(rows), COLOURS.get(m), style, marker, width))
        found = sum(r["status"] == "converged" for r in rows)
        chance_curves.append(Curve(f"{m}: share of all m-subsets of its starts", sizes,
                                   [1 - math.comb(len(rows) - found, k) / math.comb(len(rows), k) for k in sizes],
                                   COLOURS.get(m), "none", marker))  # fmt: skip
        chance_curves.append(Curve(f"{m}: 1 − (1 − p)^m, p = {number(found / len(rows))}", sizes,
                                   1 - (1 - found / len(rows)) ** sizes, COLOURS.get(m), style, None, 1.2))  # fmt: skip
    window = ((-2.6, 2.6), (-2.0, 2.0))
    spec = FigureSpec(
        "Multi-start on the three-hump camel",
        [
            MapPanel(f"{first} from {plural(starts, 'start')}", lesson.landscape("three_hump_camel", window), paths,
                     markers),
            PlotPanel(f"best f − f∗ among the first m starts (below {FLOOR:.0e} drawn at it)", "ensemble size m",
                      "best f − f∗  (objective units, log)", best_curves, floor=FLOOR),
            PlotPanel("chance that best-of-m reaches the global minimum", "ensemble size m",
                      "probability (fraction)", chance_curves, logy=False, ylim=(0.0, 1.02)),
        ],
        panel_size=(4.9, 4.4),
    )  # fmt: skip
    figure = FigureJob("figures/multistart.png", draw, spec)
    blocks.append(Figure(figure.path, "Left: L-BFGS from every start, green if it reached the global minimum, red if "
                                      "a local one; middle: the best f − f∗ of the first m starts; right: the chance "
                                      "that m starts include a successful one; notice the drop at the first start "
                                      "that lands in the global basin."))  # fmt: skip
    return Section("7. Ensembles: multi-start", blocks, [figure])
