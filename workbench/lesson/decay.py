"""Section 5, learning-rate decay: step, exponential and 1/t schedules read back from the stored traces
(the learning rate of every update is recorded), and what they do to SGD with noisy gradients on
½(x² + 100y²) (study ``lesson-schedules``: one initial rate, several seeds)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import Curve, FigureSpec, PlotPanel, draw
from workbench.lesson.plotdata import FLOOR, gap_curve, mean_f
from workbench.lesson.text import SEEDS, UPDATES, code, join, number, plural_ru, times_ru
from workbench.report.document import Figure, Table, Text
from workbench.store import TRACE_KEEP

__all__ = ["build"]

COLOURS = ("black", "tab:blue", "tab:orange", "tab:green")
#: The floor: mean of f - f∗ over the stored records from this update on.
FLOOR_FROM = 500
#: An early update at which the schedules are compared (stored traces keep every update up to 100).
EARLY = 50


def _f_at(runs: Any, row: dict[str, Any], k: int) -> float:
    """f - f∗ of a run at update k (from its stored trace)."""
    trace = runs.trace(row)
    return float(trace["f"][trace["k"].index(k)]) - (row["f_star"] or 0.0)


def build(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-schedules"]
    schedules = list(dict.fromkeys(r["options"]["schedule"] for r in runs.rows))
    seeds = sorted({r["seed"] for r in runs.rows})
    first = runs.rows[0]["options"]
    updates, sigma, rate = first["max_iterations"], first["gradient_noise"], first["learning_rate"]
    table, floors, rates, gaps = [], {}, [], []
    for colour, schedule in zip(COLOURS, schedules, strict=False):
        rows = runs.select(schedule=schedule)
        floors[schedule] = float(np.mean([mean_f(runs, r, FLOOR_FROM) for r in rows]))
        shown = runs.one(schedule=schedule, seed=seeds[0])
        trace = runs.trace(shown)
        k = np.array(trace["k"][1:], dtype=float)
        learning = np.array(trace["learning_rate"][1:], dtype=float)
        rates.append(Curve(schedule, k, learning, colour))  # record k: the rate update k used
        gaps.append(gap_curve(runs, shown, schedule, colour))
        table.append([schedule, float(learning[0]), float(learning[-1]), floors[schedule],
                      float(np.median([r["f"] for r in rows]))])  # fmt: skip
    constant = floors.get("constant")
    decays = {s: v for s, v in floors.items() if s != "constant"}
    best = min(floors, key=floors.get)
    say = lesson.say
    blocks: list[Any] = [Text(say(
        en=f"SGD from lr₀ = {number(rate)} with gradient noise σ = {number(sigma)} ({len(seeds)} seeds, {updates} "
        "updates) under four schedules: constant; step (halve every so many updates); exponential "
        "lr₀·exp(−rate·k); 1/t, lr₀/(1 + rate·k). The learning rates drawn below are the ones the runs used, read "
        "from their stored traces.",
        ru=f"SGD с начальной скоростью lr₀ = {number(rate)} и шумом градиента σ = {number(sigma)} "
        f"({plural_ru(len(seeds), *SEEDS)}, {plural_ru(updates, *UPDATES)}) при четырёх расписаниях скорости "
        "обучения: постоянная скорость; ступенчатое затухание (скорость вдвое уменьшается через каждые несколько "
        "шагов); экспоненциальное lr₀·exp(−rate·k); 1/t, lr₀/(1 + rate·k). Скорости обучения на графике ниже — те, "
        "что прогоны действительно использовали, прочитанные из их сохранённых траекторий.",
    ))]  # fmt: skip
    headers = say(
        en=f"schedule|first learning rate|last learning rate|mean f − f∗ over updates {FLOOR_FROM}–{updates}, all "
        "seeds|median final f",
        ru=f"расписание|первая скорость обучения|последняя скорость обучения|среднее f − f∗ за шаги "
        f"{FLOOR_FROM}–{updates}, все зёрна|медиана итогового f",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/schedules.csv", digits=3))
    if constant is not None and decays:
        lower = [s for s, v in decays.items() if v < constant]
        parts = [
            say(
                en=f"With a constant rate the noise keeps f − f∗ at about {number(constant)}.",
                ru=f"При постоянной скорости шум удерживает f − f∗ на уровне около {number(constant)}.",
            )
        ]
        if lower:
            lowered = [(number(decays[s]), number(constant / decays[s], 2)) for s in lower]
            one = len(lower) == 1
            parts.append(say(
                en=f"{join(code(s) for s in lower)} lowered that floor, to "
                + join(f"{value} ({times}x lower)" for value, times in lowered)
                + " respectively: a smaller step averages more gradients before it moves, so the noise "
                  "shrinks with the rate.",
                ru=f"{say.join(code(s) for s in lower)} {'снизило' if one else 'снизили'} этот уровень — "
                + ("до " if one else "соответственно до ")
                + say.join(f"{value} ({times_ru(times)} ниже)" for value, times in lowered)
                + ": меньший шаг усредняет больше градиентов, прежде чем точка заметно сдвинется, поэтому шум "
                  "уменьшается вместе со скоростью.",
            ))  # fmt: skip
        higher = [s for s in decays if s not in lower]
        if higher:
            parts.append(say(
                en=f"{join(code(s) for s in higher)} did not: the rate fell too slowly or too fast to beat the "
                "constant one here.",
                ru=f"{say.join(code(s) for s in higher)} — нет: скорость падала слишком медленно или слишком быстро, "
                "чтобы обойти здесь постоянную.",
            ))  # fmt: skip
        parts.append(say(en=f"Best: {code(best)}.", ru=f"Лучшее расписание: {code(best)}."))
        early = {s: _f_at(runs, runs.one(schedule=s, seed=seeds[0]), EARLY) for s in schedules}
        slower = [s for s in decays if early[s] > early["constant"]]
        values = [f"{number(early[s])} ({code(s)})" for s in schedules]
        parts.append(say(
            en=f"At update {EARLY} (seed {seeds[0]}) f − f∗ is " + join(values) + ": "
            + (f"{join(code(s) for s in slower)} already lag behind the constant rate, the price of a "
               "smaller step while still far from the minimum." if slower
               else "no decay lags behind the constant rate yet: early on the noise, not the step, "
                    "limits progress."),
            ru=f"На шаге {EARLY} (зерно {seeds[0]}) f − f∗ равно " + say.join(values) + ": "
            + (f"{say.join(code(s) for s in slower)} уже {'отстаёт' if len(slower) == 1 else 'отстают'} от "
               "постоянной скорости — это цена меньшего шага, пока до минимума ещё далеко." if slower
               else "ни одно затухающее расписание пока не отстаёт от постоянной скорости: в начале продвижение "
                    "ограничивает шум, а не шаг."),
        ))  # fmt: skip
        blocks.append(Text(" ".join(parts)))
    spec = FigureSpec(
        say(en=f"Learning-rate schedules, and SGD with noisy gradients (σ = {number(sigma)}, seed {seeds[0]})",
            ru=f"Расписания скорости обучения и SGD с зашумлёнными градиентами (σ = {number(sigma)}, "
            f"зерно {seeds[0]})"),
        [
            PlotPanel(say(en="learning rate used at each update", ru="скорость обучения на каждом шаге"),
                      say.term("update k"), say(en="learning rate (log)", ru="скорость обучения (лог. шкала)"),
                      rates),
            PlotPanel(
                say(en=f"f − f∗ by update (below {FLOOR:.0e} drawn at it)",
                    ru=f"f − f∗ по шагам (ниже {FLOOR:.0e} — на этом уровне)"),
                say.term("update k"),
                say.term("gap"),
                gaps,
                floor=FLOOR,
            ),  # fmt: skip
        ],
        panel_size=(5.6, 4.3),
        language=lesson.language,
    )  # fmt: skip
    figure = FigureJob("figures/schedules.png", draw, spec)
    blocks.append(Figure(figure.path, say(
        en="Left: the schedules as the runs applied them; right: f − f∗ of one seed under "
        f"each (stored traces keep every update to {TRACE_KEEP // 4}, then log-spaced "
        "ones); notice the constant rate's noise floor and the decays sinking below it.",
        ru="Слева: расписания в том виде, в каком их применили прогоны; справа: f − f∗ для одного зерна при каждом "
        f"из них (в сохранённых траекториях есть каждый шаг до шага {TRACE_KEEP // 4}, дальше — с логарифмическим "
        "интервалом); обратите внимание на шумовой уровень постоянной скорости и на то, как затухающие расписания "
        "опускаются ниже него.",
    )))  # fmt: skip
    return Section(say(en="5. Learning-rate decay", ru="5. Затухание скорости обучения"), blocks, [figure])
