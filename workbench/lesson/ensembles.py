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
from workbench.lesson.text import STARTS, code, form_ru, join, number, plural, plural_ru, point, ratio, ratio_ru
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
    say = lesson.say
    x0 = point(info["x0"])
    parts.append(say(
        en="Restart a local method from several points and keep the best result: an ensemble of runs. On the "
        f"three-hump camel, x0 = {x0} and {starts - 1} seeded points drawn around it "
        f"({plural(starts, 'start')} per method):",
        ru="Перезапустим локальный метод из нескольких точек и оставим лучший результат: это ансамбль прогонов. На "
        f"функции «трёхгорбый верблюд» это x0 = {x0} и ещё {starts - 1} "
        f"{form_ru(starts - 1, 'точка', 'точки', 'точек')} вокруг неё, выбранных случайно по зерну генератора "
        f"({plural_ru(starts, *STARTS)} на метод):",
    ))  # fmt: skip
    for m, rows in by_method.items():
        single = rows[0]
        found = [r for r in rows if r["status"] == "converged"]
        share = len(found) / len(rows)
        best = min(rows, key=lambda r: r["f"])
        total = sum(_work(r) for r in rows)
        chance = {k: 1 - (1 - share) ** k for k in (1, 4, len(rows))}
        table.append([m, single["status"], single["f"], len(found), len(rows), best["f"], best["start"], _work(single),
                      total])  # fmt: skip
        n, f_single, f_best = len(rows), number(single["f"], 5), number(best["f"])
        sentence = say(
            en=f"{code(m)} from x0 alone ends with f = {f_single} "
            f"({single['status'].replace('_', ' ')}); "
            f"{len(found)} of its {n} starts reached the global minimum, and the best of "
            f"{n} has f = {f_best} (start {best['start']}), for "
            f"{ratio(total, _work(single))} the work of the single run.",
            ru=f"{code(m)} из одной только x0 заканчивает с f = {f_single} ({say.status(single['status'])}); "
            f"{len(found)} из {n} его {form_ru(n, 'старта', 'стартов', 'стартов')} "
            f"{form_ru(len(found), 'дошёл', 'дошли', 'дошли')} до глобального минимума, а лучший из {n} даёт "
            f"f = {f_best} (старт {best['start']}) ценой {ratio_ru(total, _work(single))} большей работы, чем "
            "одиночный прогон.",
        )  # fmt: skip
        if 0 < share < 1:
            sentence += say(
                en=f" With a success share p = {number(share)} per start, best-of-m finds the global minimum "
                "with probability 1 − (1 − p)^m: " + join(f"{number(v)} for m = {k}" for k, v in chance.items()) + ".",
                ru=f" При доле успехов p = {number(share)} на старт лучший из m находит глобальный минимум с "
                "вероятностью 1 − (1 − p)^m: " + say.join(f"{number(v)} при m = {k}" for k, v in chance.items()) + ".",
            )  # fmt: skip
        parts.append(sentence)
    parts.append(say(
        en="In machine learning an ensemble also averages its members' predictions, which smooths their "
        "errors; in optimization the useful part is the selection: each member is a cheap lottery ticket "
        "for a better basin.",
        ru="В машинном обучении ансамбль ещё и усредняет предсказания своих членов, сглаживая их ошибки; в "
        "оптимизации полезен именно отбор: каждый член ансамбля — дешёвый лотерейный билет в лучший бассейн "
        "притяжения.",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(
        en="method|status from x0|f from x0|starts reaching the global minimum|starts|best f|best start|"
        "work from x0 (evaluations)|work of all starts",
        ru="метод|статус из x0|f из x0|стартов, дошедших до глобального минимума|стартов|лучшее f|лучший старт|"
        "работа из x0 (вычисления)|работа всех стартов",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/multistart.csv"))
    first = methods[0]
    outcomes = {
        "converged": say(en="ends at the global minimum", ru="заканчивается в глобальном минимуме"),
        "local_minimum": say(en="ends at a local minimum", ru="заканчивается в локальном минимуме"),
    }
    paths = []
    for row in by_method[first]:
        colour = OUTCOME_COLOURS.get(row["status"], "0.4")
        label = outcomes.get(row["status"], say(en="other outcome", ru="другой исход"))
        taken = any(p.label == label for p in paths)
        paths.append(path_curve(runs, row, ("_" if taken else "") + label, colour))
    local = [r["x"] for r in by_method[first] if r["status"] == "local_minimum"]
    markers = [*lesson.optimum("three_hump_camel")]
    for index, xy in enumerate({(round(x[0], 4), round(x[1], 4)) for x in local}):
        label = say(en="local minima", ru="локальные минимумы") if index == 0 else "_local"
        markers.append(Marker(label, xy, "P", "tab:red", 11))
    starts_xy = [r["x0"] for r in by_method[first]]
    paths.append(Curve(say(en="start points", ru="стартовые точки"), [p[0] for p in starts_xy],
                       [p[1] for p in starts_xy], "black", "none", "o"))  # fmt: skip
    styles = (("-", "o", 4.0), ("--", "s", 1.4), (":", "^", 1.4))
    best_curves, chance_curves = [], []
    for index, (m, rows) in enumerate(by_method.items()):
        style, marker, width = styles[index % len(styles)]
        sizes = np.arange(1, len(rows) + 1)
        best_curves.append(Curve(m, sizes, _best_of(rows), COLOURS.get(m), style, marker, width))
        found = sum(r["status"] == "converged" for r in rows)
        subsets = say(en=f"{m}: share of all m-subsets of its starts", ru=f"{m}: доля всех m-подмножеств его стартов")
        chance_curves.append(Curve(subsets, sizes,
                                   [1 - math.comb(len(rows) - found, k) / math.comb(len(rows), k) for k in sizes],
                                   COLOURS.get(m), "none", marker))  # fmt: skip
        chance_curves.append(Curve(f"{m}: 1 − (1 − p)^m, p = {number(found / len(rows))}", sizes,
                                   1 - (1 - found / len(rows)) ** sizes, COLOURS.get(m), style, None, 1.2))  # fmt: skip
    window = ((-2.6, 2.6), (-2.0, 2.0))
    spec = FigureSpec(
        say(en="Multi-start on the three-hump camel", ru="Мультистарт на функции «трёхгорбый верблюд»"),
        [
            MapPanel(say(en=f"{first} from {plural(starts, 'start')}",
                         ru=f"{first} из {plural_ru(starts, 'старта', 'стартов', 'стартов')}"),
                     lesson.landscape("three_hump_camel", window), paths, markers),
            PlotPanel(say(en=f"best f − f∗ among the first m starts (below {FLOOR:.0e} drawn at it)",
                          ru=f"лучшее f − f∗ из первых m стартов (ниже {FLOOR:.0e} — на этом уровне)"),
                      say(en="ensemble size m", ru="размер ансамбля m"),
                      say(en="best f − f∗  (objective units, log)", ru="лучшее f − f∗  (единицы f, лог. шкала)"),
                      best_curves, floor=FLOOR),
            PlotPanel(say(en="chance that best-of-m reaches the global minimum",
                          ru="шанс, что лучший из m найдёт глобальный минимум"),
                      say(en="ensemble size m", ru="размер ансамбля m"),
                      say(en="probability (fraction)", ru="вероятность (доля)"), chance_curves, logy=False,
                      ylim=(0.0, 1.02)),
        ],
        panel_size=(4.9, 4.4),
        language=lesson.language,
    )  # fmt: skip
    figure = FigureJob("figures/multistart.png", draw, spec)
    blocks.append(Figure(figure.path, say(
        en="Left: L-BFGS from every start, green if it reached the global minimum, red if "
        "a local one; middle: the best f − f∗ of the first m starts; right: the chance "
        "that m starts include a successful one; notice the drop at the first start "
        "that lands in the global basin.",
        ru="Слева: L-BFGS из каждого старта, зелёный путь — если он дошёл до глобального минимума, красный — если до "
        "локального; в центре: лучшее f − f∗ среди первых m стартов; справа: вероятность, что среди m стартов есть "
        "успешный; обратите внимание на провал на первом старте, попавшем в бассейн глобального минимума.",
    )))  # fmt: skip
    return Section(say(en="7. Ensembles: multi-start", ru="7. Ансамбли: мультистарт"), blocks, [figure])
