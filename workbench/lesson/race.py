"""Section 4, the race: all seven first-order methods on Beale's valley and on the saddle x² − y², as an
animated GIF and as a static figure with a dot every few updates (study ``lesson-race``; at most
300 updates per run, so the stored traces keep every iterate and index = update k)."""

from __future__ import annotations

from typing import Any

from workbench.lesson.animation import RaceSpec, race_gif
from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import FigureSpec, MapPanel, Marker, draw
from workbench.lesson.plotdata import path_curve, saddle_marker, start_marker
from workbench.lesson.runs import FIRST_ORDER
from workbench.lesson.text import code, join, number, point, status
from workbench.report.document import Figure, Table, Text

__all__ = ["build"]

#: A dot every this many updates on the static figure.
EVERY = 25
WINDOWS = {"beale": ((0.6, 3.6), (-1.05, 1.2)), "saddle": ((-1.1, 1.1), (-1.1, 1.1))}
LEVELS = {"beale": "log", "saddle": "linear"}


def _panels(lesson: Lesson, every: int | None) -> list[MapPanel]:
    runs = lesson.runs["lesson-race"]
    panels = []
    for name in ("beale", "saddle"):
        rows = [runs.one(problem=name, method=m) for m in FIRST_ORDER]
        markers = [start_marker(rows[0]["x0"]), *lesson.optimum(name, "minimum x∗")]
        if name == "saddle":
            markers += [Marker("_other minimum", (0.0, -1.0)), saddle_marker()]
        legend = "outside" if name == "saddle" else "none"
        panels.append(MapPanel(f"{name} from {point(rows[0]['x0'])}", lesson.landscape(name, WINDOWS[name],
                               LEVELS[name]), [path_curve(runs, r) for r in rows], markers, every=every,
                               legend=legend))  # fmt: skip
    return panels


def _story(rows: list[dict[str, Any]], name: str, limit: int) -> str:
    done = sorted((r for r in rows if r["status"] == "converged"), key=lambda r: r["iterations"])
    rest = sorted((r for r in rows if r["status"] != "converged"), key=lambda r: r["f_error"])
    parts = [f"On {name}, within {limit} updates"]
    if done:
        finished = join(code(r["method"]) + f" ({r['iterations']})" for r in done)
        parts.append(f"{finished} converged (updates in brackets)")
    if rest:
        parts.append(("and " if done else "") + "the others, ranked by f − f∗ at the end: "
                     + join(f"{code(r['method'])} {number(r['f_error'])}" for r in rest)
                     + (f" ({join(sorted({status(r['status']) for r in rest}))})"))  # fmt: skip
    return " ".join(parts) + "."


def build(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-race"]
    limit = runs.rows[0]["options"]["max_iterations"]
    rates = {m: runs.one(problem="beale", method=m)["options"]["learning_rate"] for m in FIRST_ORDER}
    blocks: list[Any] = [Text(
        "The seven first-order methods from one start, one learning rate each ("
        + join(f"{code(m)} {number(rate)}" for m, rate in rates.items())
        + "), on Beale's curved valley and on the saddle x² − y² started just off its stable line. "
        + " ".join(_story([runs.one(problem=name, method=m) for m in FIRST_ORDER], name, limit)
                   for name in ("beale", "saddle")))]  # fmt: skip
    blocks.append(Table(
        ["problem", "method", "learning rate", "status", "updates", "f − f∗ at the end"],
        [[r["problem"], r["method"], r["options"]["learning_rate"], r["status"], r["iterations"], r["f_error"]]
         for r in runs.rows], csv="tables/race.csv"))  # fmt: skip
    gif = FigureJob("figures/race.gif", race_gif, RaceSpec("The race", _panels(lesson, None)))
    still = FigureJob("figures/race.png", draw, FigureSpec(
        f"The race: seven first-order methods, a dot every {EVERY} updates", _panels(lesson, EVERY),
        panel_size=(5.2, 4.6)))  # fmt: skip
    blocks.append(Figure(gif.path, "The race, animated (one frame every few updates, a head marks each method's "
                                   "current iterate): notice the momentum methods swinging past the valley floor "
                                   "on Beale and the adaptive methods dashing off the saddle."))  # fmt: skip
    blocks.append(Figure(still.path, f"The same runs drawn whole, with a dot every {EVERY} updates: dots far apart "
                                     "mean fast progress; notice where each method's dots bunch up."))  # fmt: skip
    return Section("4. The race", blocks, [gif, still])
