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
from workbench.lesson.results import positions
from workbench.lesson.text import (
    ITERATIONS,
    ITERATIONS_ACCUSATIVE,
    METHODS_GENITIVE,
    RUNS_GENITIVE,
    SEEDS,
    UPDATES,
    UPDATES_GENITIVE,
    code,
    form_ru,
    join,
    number,
    plural,
    plural_ru,
    point,
    ratio,
    ratio_ru,
    times_ru,
)
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
    heading = lesson.say(en="1. Pitfalls: step size, local minima, saddle points, noise",
                         ru="1. Подводные камни: размер шага, локальные минимумы, седловые точки, шум")  # fmt: skip
    return Section(heading, blocks, figures)


# -- step size -------------------------------------------------------------------------------------
def _step_size(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-sgd-rates"]
    small, large = lesson.facts["ill_conditioned_quadratic"]["curvatures"]
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
    say = lesson.say
    blocks.append(Heading(say(en="1.1 The step size on a long, narrow valley",
                              ru="1.1 Размер шага в длинной узкой долине"), 3))  # fmt: skip
    blocks.append(Text(say(
        en=f"f(x, y) = ½(x² + 100y²) has a constant Hessian with curvatures {number(small)} and L = {number(large)}: "
        f"one gradient step multiplies x by (1 − lr·{number(small)}) and y by (1 − lr·{number(large)}), so plain "
        f"SGD is stable only for lr < 2/L = {number(2 / large)}. SGD from {point(x0)}, stopped once "
        f"f − f∗ ≤ {number(target)}:",
        ru=f"У f(x, y) = ½(x² + 100y²) постоянный гессиан с кривизнами {number(small)} и L = {number(large)}: "
        f"градиентный спуск за один шаг умножает x на (1 − lr·{number(small)}), а y — на (1 − lr·{number(large)}), "
        f"поэтому обычный SGD устойчив только при lr < 2/L = {number(2 / large)}. SGD из точки {point(x0)} "
        f"останавливается, как только f − f∗ ≤ {number(target)}:",
    )))  # fmt: skip
    headers = say(
        en=f"learning rate|lr·L|x factor per update|y factor per update|sign changes of y in the first {ZIGZAG_WINDOW} "
        "updates|status|updates",
        ru=f"скорость обучения|lr·L|множитель x за шаг|множитель y за шаг|смен знака y за первые {ZIGZAG_WINDOW} "
        f"{form_ru(ZIGZAG_WINDOW, *UPDATES_GENITIVE)}|статус|шагов",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/sgd-rates.csv", digits=4))
    blocks.append(Text(_step_size_story(lesson, by_factor, target, large)))
    figures.append(FigureJob("figures/sgd-rates.png", draw, _step_size_figure(lesson, runs, rows, large)))
    blocks.append(Figure("figures/sgd-rates.png", say(
        en=f"SGD on ½(x² + 100y²) at four learning rates: the first {MAP_UPDATES} iterates (left) and "
        "f − f∗ (right, log scale); notice the zig-zag across the valley above 1/L, the crawl "
        "along it below 1/L, and the blow-up above 2/L.",
        ru=f"SGD на ½(x² + 100y²) при четырёх скоростях обучения: первые {MAP_UPDATES} "
        f"{form_ru(MAP_UPDATES, *ITERATIONS)} (слева) и f − f∗ (справа, логарифмическая шкала); "
        "обратите внимание на зигзаг поперёк долины выше 1/L, медленное продвижение вдоль неё ниже 1/L и "
        "взрывной рост выше 2/L.",
    )))  # fmt: skip


def _step_size_story(
    lesson: Lesson, by_factor: dict[float, tuple[dict[str, Any], int]], target: float, large: float
) -> str:
    def row(factor: float) -> tuple[dict[str, Any], int]:
        return by_factor[round(factor, 6)]

    best, _ = row(1.0)
    slow, _ = row(0.5)
    zigzag, flips = row(1.9)
    wild, _ = row(2.1)
    rate = best["options"]["learning_rate"]
    say = lesson.say
    n = best["iterations"]
    if best["status"] == "converged":
        parts = [say(
            en=f"At lr = 1/L = {number(rate)} SGD reaches f − f∗ ≤ {number(target)} after "
            f"**{n}** updates: the y-component vanishes in the first update (1 − lr·L = 0) "
            f"and x shrinks by the factor (1 − lr) per update.",
            ru=f"При lr = 1/L = {number(rate)} SGD достигает f − f∗ ≤ {number(target)} за **{n}** "
            f"{form_ru(n, *UPDATES)}: y-компонента обнуляется на первом же шаге (1 − lr·L = 0), а x на каждом шаге "
            "умножается на (1 − lr).",
        )]  # fmt: skip
    else:
        parts = [say(en=f"At lr = 1/L = {number(rate)} SGD ends with status {code(best['status'])} after "
                     f"**{n}** updates.",
                     ru=f"При lr = 1/L = {number(rate)} SGD заканчивает со статусом {code(best['status'])} после "
                     f"**{n}** {form_ru(n, *UPDATES_GENITIVE)}.")]  # fmt: skip
    slower = slow["iterations"] > best["iterations"]
    more = "more" if slower else "fewer"
    parts.append(say(
        en=f"Half that rate needs {slow['iterations']} updates, {ratio(slow['iterations'], best['iterations'])} "
        f"{more}: the slow direction sets the pace.",
        ru=f"При вдвое меньшей скорости — {plural_ru(slow['iterations'], *UPDATES)}, "
        f"{ratio_ru(slow['iterations'], best['iterations'])} {'больше' if slower else 'меньше'}: темп задаёт "
        "медленное направление.",
    ))  # fmt: skip
    if flips:
        fewer = zigzag["iterations"] < best["iterations"]
        faster = "fewer" if fewer else "more"
        zigzag_rate = number(zigzag["options"]["learning_rate"])
        parts.append(say(
            en=f"At lr = {zigzag_rate} (1.9/L) y changes sign {flips} times in "
            f"the first {ZIGZAG_WINDOW} updates, the zig-zag across the valley, and the run needs "
            f"{zigzag['iterations']} updates ({faster} than at 1/L: x now shrinks faster while y "
            f"oscillates down; status {code(zigzag['status'])}).",
            ru=f"При lr = {zigzag_rate} (1.9/L) y меняет знак {flips} {form_ru(flips, 'раз', 'раза', 'раз')} за "
            f"первые {ZIGZAG_WINDOW} {form_ru(ZIGZAG_WINDOW, *UPDATES_GENITIVE)} (зигзаг поперёк долины), а прогону "
            f"нужно {plural_ru(zigzag['iterations'], *UPDATES)} ({'меньше' if fewer else 'больше'}, чем при 1/L: "
            f"x теперь убывает быстрее, а y затухает, колеблясь; статус {code(zigzag['status'])}).",
        ))  # fmt: skip
    factor = abs(1 - wild["options"]["learning_rate"] * large)
    wild_rate, m = number(wild["options"]["learning_rate"]), wild["iterations"]
    if wild["status"] == "diverged":
        parts.append(say(
            en=f"At lr = {wild_rate} (2.1/L) |1 − lr·L| = {number(factor)} > 1: "
            f"y grows at every update and the run ends with status {code('diverged')} after "
            f"{m} updates.",
            ru=f"При lr = {wild_rate} (2.1/L) |1 − lr·L| = {number(factor)} > 1: y растёт на каждом шаге, и прогон "
            f"заканчивается со статусом {code('diverged')} после {m} {form_ru(m, *UPDATES_GENITIVE)}.",
        ))  # fmt: skip
    else:
        parts.append(say(
            en=f"At lr = {wild_rate} (2.1/L) the run ended with status {code(wild['status'])} after {m} updates.",
            ru=f"При lr = {wild_rate} (2.1/L) прогон закончился со статусом {code(wild['status'])} после {m} "
            f"{form_ru(m, *UPDATES_GENITIVE)}.",
        ))  # fmt: skip
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
    say = lesson.say
    return FigureSpec(
        say(en="SGD on ½(x² + 100y²): learning rate against the curvature L",
            ru="SGD на ½(x² + 100y²): скорость обучения против кривизны L"),
        [
            MapPanel(
                say(en=f"first {MAP_UPDATES} iterates on the contours of f",
                    ru=f"первые {MAP_UPDATES} {form_ru(MAP_UPDATES, *ITERATIONS)} на линиях уровня f"),
                landscape,
                paths,
                [start_marker(rows[0]["x0"], say.term("start")), *lesson.optimum("ill_conditioned_quadratic")],
            ),  # fmt: skip
            PlotPanel(
                say(en=f"f − f∗ by update (values above 1e4 cut off, below {FLOOR:.0e} drawn at it)",
                    ru=f"f − f∗ по шагам (выше 1e4 обрезано, ниже {FLOOR:.0e} — на этом уровне)"),
                say.term("update k"),
                say.term("gap"),
                curves,
                floor=FLOOR,
                ylim=(1e-8, 1e4),
            ),  # fmt: skip
        ],
        panel_size=(5.6, 4.4),
        language=lesson.language,
    )  # fmt: skip


# -- local minimum ---------------------------------------------------------------------------------
def _local_minimum(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-local-minimum"]
    info = lesson.info["three_hump_camel"]
    rows = runs.rows
    trapped = [r for r in rows if r["status"] == "local_minimum"]
    found = [r for r in rows if r["status"] == "converged"]
    others = [r for r in rows if r not in trapped and r not in found]
    local_f = info["local_minima"][0]
    say = lesson.say
    blocks.append(Heading(say(en="1.2 A local-minimum trap", ru="1.2 Ловушка локального минимума"), 3))
    methods, x0 = join(code(_label(r)) for r in rows), point(info["x0"])
    parts = [say(
        en=f"The three-hump camel function has its global minimum f∗ = {number(info['f_star'])} at the origin and "
        f"local minima with f = {number(local_f, 5)}. From x0 = {x0}, of the "
        f"{plural(len(rows), 'method')} run ({methods}), "
        f"{len(trapped)} stopped at the local minimum (status {code('local_minimum')}) and {len(found)} reached "
        f"the global one.",
        ru=f"У функции «трёхгорбый верблюд» глобальный минимум f∗ = {number(info['f_star'])} в начале координат и "
        f"локальные минимумы со значением f = {number(local_f, 5)}. Из {plural_ru(len(rows), *METHODS_GENITIVE)} "
        f"({say.join(code(_label(r)) for r in rows)}), {form_ru(len(rows), 'запущенного', 'запущенных', 'запущенных')} "
        f"из x0 = {x0}, {len(trapped)} {form_ru(len(trapped), 'остановился', 'остановились', 'остановились')} в "
        f"локальном минимуме (статус {code('local_minimum')}) и {len(found)} "
        f"{form_ru(len(found), 'дошёл', 'дошли', 'дошли')} до глобального.",
    )]  # fmt: skip
    if trapped:
        where = trapped[0]["x"]
        fastest = min(trapped, key=lambda r: r["iterations"])
        slowest = max(trapped, key=lambda r: r["iterations"])
        parts.append(say(
            en=f"They agree on where it is, {point(where, 5)} with f = {number(trapped[0]['f'], 6)}, and differ "
            f"only in the cost of getting there: {code(_label(fastest))} in {fastest['iterations']} "
            f"iterations, {code(_label(slowest))} in {slowest['iterations']}. Every method here is local: it "
            "follows the slope from the start and stops where the gradient vanishes; speed does not help "
            "once the basin is wrong (section 7 restarts from other points).",
            ru=f"Точку они находят одну и ту же, {point(where, 5)} с f = {number(trapped[0]['f'], 6)}, и различаются "
            f"лишь ценой пути к ней: {code(_label(fastest))} — за "
            f"{plural_ru(fastest['iterations'], *ITERATIONS_ACCUSATIVE)}, {code(_label(slowest))} — за "
            f"{slowest['iterations']}. Все методы здесь локальные: они идут по склону от "
            "старта и останавливаются там, где градиент обращается в ноль; если бассейн притяжения не тот, скорость "
            "не спасает (в разделе 7 — перезапуски из других точек).",
        ))  # fmt: skip
    if others:
        parts.append(say(en="Other outcomes: ", ru="Другие исходы: ")
                     + say.join(f"{code(_label(r))} {say.status(r['status'])}" for r in others) + ".")  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    paths = [path_curve(runs, r, _label(r), COLOURS.get(_label(r))) for r in rows]
    markers = [start_marker(info["x0"], say.term("start")), *lesson.optimum("three_hump_camel")]
    if trapped:
        where = trapped[0]["x"]
        label = say(en="local minimum", ru="локальный минимум") + f" f = {number(local_f, 4)}"
        markers.append(Marker(label, (where[0], where[1]), "P", "tab:red", 11))
    spec = FigureSpec(
        say(en="Three-hump camel: every local method ends in the basin it starts in",
            ru="«Трёхгорбый верблюд»: каждый локальный метод остаётся в том бассейне, где начал"),
        [MapPanel(say(en="iterates on the contours of f (log-spaced levels)",
                      ru="итерации на линиях уровня f (уровни в логарифмической шкале)"),
                  lesson.landscape("three_hump_camel", ((-2.2, 0.5), (-0.4, 1.5))), paths, markers)],
        panel_size=(7.5, 5.0),
        language=lesson.language,
    )  # fmt: skip
    figures.append(FigureJob("figures/local-minimum.png", draw, spec))
    blocks.append(Figure("figures/local-minimum.png", say(
        en=f"Iterates of {len(rows)} methods from x0 = {x0} on the three-hump camel: "
        "notice where each path ends, first and second order alike, and how far the global "
        "minimum is from all of them.",
        ru=f"Итерации {plural_ru(len(rows), *METHODS_GENITIVE)} из x0 = {x0} на функции «трёхгорбый верблюд»: "
        "обратите внимание, где заканчивается каждый путь — у методов и первого, и второго порядка, — и как далеко "
        "от всех них глобальный минимум.",
    )))  # fmt: skip


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
    say = lesson.say
    heading = say(
        en="1.3 Saddle points: who escapes, and the line nobody leaves",
        ru="1.3 Седловые точки: кто уходит, и прямая, которую никто не покидает",
    )
    blocks.append(Heading(heading, 3))
    start, f_star, x_star = point(escapes[0]["x0"]), number(info["f_star"]), point(info["x_star"])
    parts = [say(
        en=f"x² − y² on the box [−1, 1]² has a saddle at the origin (gradient zero, f curving up along x and down "
        f"along y) and its minima f∗ = {f_star} at {x_star} and its mirror image. "
        f"Started at {start}, "
        f"{number(y0)} off the line y = 0, {len(escaped)} of the {len(escapes)} first-order methods escaped, "
        f"i.e. reached f ≤ {number(level)} (half way down from the saddle's f = 0).",
        ru=f"Начало координат — седловая точка функции x² − y² на квадрате [−1, 1]²: градиент там равен нулю, но "
        f"вдоль x функция изогнута вверх, а вдоль y — вниз; её минимумы f∗ = {f_star} лежат в {x_star} и в "
        f"зеркальной точке. При старте из {start}, на расстоянии {number(y0)} от прямой y = 0, {len(escaped)} из "
        f"{plural_ru(len(escapes), *METHODS_GENITIVE)} первого порядка "
        f"{form_ru(len(escaped), 'ушёл', 'ушли', 'ушли')} от седла, т. е. достигли f ≤ {number(level)} (половина "
        "пути вниз от значения f = 0 в седле).",
    )]  # fmt: skip
    if escaped:
        fastest = min(escaped, key=lambda r: r["iterations"])
        slowest = max(escaped, key=lambda r: r["iterations"])
        parts.append(say(
            en=f"Fastest {code(fastest['method'])} after {fastest['iterations']} updates, slowest "
            f"{code(slowest['method'])} after {slowest['iterations']}.",
            ru=f"Быстрее всех {code(fastest['method'])} — за {plural_ru(fastest['iterations'], *UPDATES)}, "
            f"медленнее всех {code(slowest['method'])} — за {slowest['iterations']}.",
        ))  # fmt: skip
    sgd = next((r for r in escapes if r["method"] == "sgd"), None)
    if sgd is not None:
        rate = sgd["options"]["learning_rate"]
        predicted = math.log(math.sqrt(-level) / abs(y0)) / math.log(1 + 2 * rate)
        growth, root, took = number(1 + 2 * rate), number(-level), sgd["iterations"]
        formula = f"ln(√{root}/{number(y0)}) / ln({growth}) = {number(predicted)}"
        parts.append(say(
            en=f"SGD multiplies y by 1 + 2·lr = {growth} per update, so growing from {number(y0)} "
            f"to √{root} takes about {formula} updates; it took **{took}**. The adaptive methods divide "
            "the tiny y-gradient by its own running size and step away at full speed.",
            ru=f"SGD умножает y на 1 + 2·lr = {growth} за шаг, поэтому рост от {number(y0)} до √{root} занимает "
            f"около {formula} {form_ru(number(predicted), *UPDATES_GENITIVE)}; понадобилось **{took}**. Адаптивные "
            "методы делят крошечную y-компоненту градиента на её собственный текущий масштаб и уходят от седла с "
            "полной скоростью.",
        ))  # fmt: skip
    converged_to_saddle = [r for r, d, _ in stuck if d < 1e-6]
    largest = max(y for _, _, y in stuck)
    parts.append(say(
        en=f"Started exactly on y = 0 at {point(x0_line)}, the y-component of the gradient, −2y, is exactly zero, "
        f"so no method can leave the line: the largest |y| on any of the {len(stuck)} paths is {number(largest)}.",
        ru=f"При старте ровно на прямой y = 0, из {point(x0_line)}, y-компонента градиента, −2y, в точности равна "
        f"нулю, и ни один метод не может покинуть прямую: наибольшее |y| на всех {len(stuck)} "
        f"{form_ru(len(stuck), 'траектории', 'траекториях', 'траекториях')} равно {number(largest)}.",
    ))  # fmt: skip
    claimed = [r for r in converged_to_saddle if r["status"] == "failed"]
    on_the_way = [(r, d) for r, d, _ in stuck if d >= 1e-6]
    parts.append(say(
        en=f"{len(converged_to_saddle)} of the {len(stuck)} runs ended within 1e-6 of the saddle"
        + (f" ({len(claimed)} with status {code('failed')}: the method reported a minimum, the verdict from "
           "the exact Hessian says it is not one)" if claimed else "")
        + "; " + (join(f"{code(r['method'])} ({say.status(r['status'])} at distance {number(d)})"
                       for r, d in on_the_way) or "none")
        + " still on the way.",
        ru=f"{len(converged_to_saddle)} из {plural_ru(len(stuck), *RUNS_GENITIVE)} "
        f"{form_ru(len(converged_to_saddle), 'закончился', 'закончились', 'закончились')} ближе 1e-6 к седлу"
        + (f" ({len(claimed)} со статусом {code('failed')}: метод сообщил о минимуме, а вердикт по точному гессиану "
           "говорит, что это не минимум)" if claimed else "")
        + "; ещё в пути: "
        + say.join(f"{code(r['method'])} ({say.status(r['status'])}, расстояние {number(d)})" for r, d in on_the_way)
        + ".",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(
        en="method|learning rate|updates to escape from y = 0.01|status|status from y = 0|updates from y = 0|"
        "final distance to the saddle|largest abs(y) from y = 0",
        ru="метод|скорость обучения|шагов до ухода из y = 0.01|статус|статус из y = 0|шагов из y = 0|"
        "итоговое расстояние до седла|наибольшее abs(y) из y = 0",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/saddle.csv"))
    landscape = lesson.landscape("saddle", ((-1.1, 1.1), (-1.1, 1.1)), levels="linear")
    minima = [Marker(say(en="minima", ru="минимумы") + " f∗ = −1", (0.0, 1.0)), Marker("_second minimum", (0.0, -1.0))]
    saddle, begin = saddle_marker(label=say.term("saddle")), say.term("start")
    spec = FigureSpec(
        say(en="x² − y²: escaping the saddle, and the stable manifold y = 0",
            ru="x² − y²: уход от седловой точки и устойчивое многообразие y = 0"),
        [
            MapPanel(
                say(en=f"from {start}: paths until f ≤ {number(level)}", ru=f"из {start}: пути до f ≤ {number(level)}"),
                landscape,
                [path_curve(escape, r) for r in escapes],
                [start_marker(escapes[0]["x0"], begin), saddle, *minima],
                legend="none",
            ),  # fmt: skip
            MapPanel(
                say(en=f"from {point(x0_line)} on y = 0: paths to the saddle",
                    ru=f"из {point(x0_line)} на прямой y = 0: пути к седлу"),
                landscape,
                [path_curve(manifold, r) for r, _, _ in stuck],
                [start_marker(x0_line, begin), saddle, *minima],
                legend="outside",
            ),  # fmt: skip
        ],
        panel_size=(4.8, 4.6),
        language=lesson.language,
    )  # fmt: skip
    figures.append(FigureJob("figures/saddle.png", draw, spec))
    blocks.append(Figure("figures/saddle.png", say(
        en=f"The first-order methods on x² − y² (linear contour levels), from {number(y0)} off the "
        "line y = 0 (left) and from y = 0 exactly (right): notice the paths bending away from the "
        "saddle on the left and running straight into it on the right.",
        ru=f"Методы первого порядка на x² − y² (линейные уровни) при старте на расстоянии {number(y0)} от прямой y = 0 "
        "(слева) "
        "и ровно на y = 0 (справа): обратите внимание, как пути слева отворачивают от седла, а справа идут прямо "
        "в него.",
    )))  # fmt: skip


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
    say = lesson.say
    blocks.append(Heading(say(en="1.4 The monkey saddle", ru="1.4 «Обезьянье седло»"), 3))
    f_star, x_star, local_f = number(info["f_star"]), point(info["x_star"]), number(info["local_minima"][0])
    parts = [say(
        en=f"x³ − 3xy² is flatter still: its Hessian is zero at the origin, so near it the gradient shrinks with "
        f"the square of the distance. On the box [−1, 1]² its minima are f∗ = {f_star} at "
        f"{x_star} and its mirror image, and it has a local minimum with "
        f"f = {local_f} on the boundary. From {point(off)}:",
        ru=f"Функция x³ − 3xy² ещё более пологая: её гессиан в начале координат равен нулю, поэтому вблизи него "
        f"градиент убывает как квадрат расстояния. На квадрате [−1, 1]² её минимумы f∗ = {f_star} лежат в {x_star} и в "
        f"зеркальной точке, а на границе есть локальный минимум со значением f = {local_f}. Из {point(off)}:",
    )]  # fmt: skip
    if best:
        one = len(best) == 1
        parts.append(say(
            en=f"{join(code(r['method']) for r in best)} turned off the ridge towards a global minimum "
            f"(f = {number(best[0]['f'])});",
            ru=f"{say.join(code(r['method']) for r in best)} {'свернул' if one else 'свернули'} с гребня к "
            f"глобальному минимуму (f = {number(best[0]['f'])});",
        ))  # fmt: skip
    if local:
        one = len(local) == 1
        parts.append(say(
            en=f"{join(code(r['method']) for r in local)} rolled straight over the flat saddle and on into the "
            f"local minimum at {point(local[0]['x'], 2)} (f = {number(local[0]['f'])}): the momentum "
            "carried across the region where the gradient is nearly zero;",
            ru=f"{say.join(code(r['method']) for r in local)} {'проскочил' if one else 'проскочили'} плоское седло "
            f"и {'скатился' if one else 'скатились'} дальше в локальный минимум в {point(local[0]['x'], 2)} "
            f"(f = {number(local[0]['f'])}): импульс {'перенёс его' if one else 'перенёс их'} через область, где "
            "градиент почти равен нулю;",
        ))  # fmt: skip
    if rest:
        parts.append(say.join(f"{code(r['method'])} {say.status(r['status'])}" for r in rest) + ";")
    closest, reached = [], []
    for row in ridge_rows:
        station = runs.trace(row)["stationarity"][-1]
        closest.append(
            say(
                en=f"{code(row['method'])} at x = {number(row['x'][0])} (gradient {number(station)})",
                ru=f"{code(row['method'])} в x = {number(row['x'][0])} (градиент {number(station)})",
            )
        )
        if float(np.linalg.norm(row["x"])) < 1e-6:
            reached.append(code(row["method"]))
    limit = ridge_rows[0]["options"]["max_iterations"]
    parts.append(say(
        en=f"from {point(ridge)} on the ridge y = 0, where f = x³, every method creeps towards the saddle; "
        + (f"{join(reached)} got within 1e-6 of it" if reached else "none got within 1e-6 of it")
        + f" in {limit} updates: {join(closest)}. A gradient test "
        "with a loose tolerance would call such points minima.",
        ru=f"из {point(ridge)} на гребне y = 0, где f = x³, каждый метод ползёт к седлу; "
        + (f"{say.join(reached)} {'подобрался' if len(reached) == 1 else 'подобрались'} к нему ближе 1e-6"
           if reached else "ни один не подобрался к нему ближе 1e-6")
        + f" за {plural_ru(limit, *UPDATES)}: {say.join(closest)}. Проверка градиента с нестрогим допуском "
        "назвала бы такие точки минимумами.",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    landscape = lesson.landscape("monkey_saddle", ((-1.1, 1.1), (-1.1, 1.1)), levels="linear")
    local_label = say(en="local minimum", ru="локальный минимум") + " f = −1"
    minima = [Marker(say(en="minima", ru="минимумы") + " f∗ = −2", (1.0, 1.0)), Marker("_second", (1.0, -1.0)),
              Marker(local_label, (-1.0, 0.0), "P", "tab:red", 11)]  # fmt: skip
    spec = FigureSpec(
        say(en="Monkey saddle x³ − 3xy²: a flat, degenerate saddle",
            ru="«Обезьянье седло» x³ − 3xy²: плоская вырожденная седловая точка"),
        [
            MapPanel(say(en=f"from {point(off)}: iterates on the contours of f",
                         ru=f"из {point(off)}: итерации на линиях уровня f"), landscape,
                     [path_curve(runs, r) for r in off_rows],
                     [start_marker(off, say.term("start")), saddle_marker(label=say.term("saddle")), *minima],
                     legend="outside"),
            PlotPanel(say(en=f"from {point(ridge)} on the ridge y = 0: distance to the saddle",
                          ru=f"из {point(ridge)} на гребне y = 0: расстояние до седла"), say.term("update k (log)"),
                      say(en="||x_k||  (problem units, log)", ru="||x_k||  (единицы задачи, лог. шкала)"),
                      [distance_curve(runs, r, (0.0, 0.0)) for r in ridge_rows], logx=True),
        ],
        panel_size=(5.0, 4.6),
        language=lesson.language,
    )  # fmt: skip
    figures.append(FigureJob("figures/monkey-saddle.png", draw, spec))
    blocks.append(Figure("figures/monkey-saddle.png", say(
        en="SGD, Momentum, Nesterov and Adam on the monkey saddle (linear levels): notice the momentum "
        "methods overshooting the flat centre into the local minimum (left) and, on the ridge, the "
        "distance to the saddle shrinking only like a power of k, not geometrically (right, log-log).",
        ru="SGD, импульс, Нестеров и Adam на «обезьяньем седле» (линейные уровни): обратите внимание, как методы с "
        "импульсом проскакивают плоский центр и попадают в локальный минимум (слева), а на гребне расстояние до "
        "седла убывает лишь как степень k, а не в геометрической прогрессии (справа, log-log).",
    )))  # fmt: skip


# -- noise -----------------------------------------------------------------------------------------
def _noise(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-noise"]
    eigenvalues = np.array(lesson.facts["ill_conditioned_quadratic"]["curvatures"])
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
    say = lesson.say
    blocks.append(Heading(say(en="1.5 Noisy gradients", ru="1.5 Зашумлённые градиенты"), 3))
    clean = runs.select(gradient_noise=0.0)
    noisy = [s for s in levels if s > 0]
    median_clean = number(float(np.median([r["f"] for r in clean])))
    parts = [say(
        en=f"Mini-batch gradients are noisy. Here SGD (lr = {number(rate)}, {updates} updates) gets the exact "
        f"gradient plus seeded Gaussian noise of standard deviation σ, {plural(len(seeds), 'seed')} per σ. "
        f"Without noise it converges (median final f = {median_clean}).",
        ru=f"Градиенты по мини-батчам зашумлены. Здесь SGD (lr = {number(rate)}, {plural_ru(updates, *UPDATES)}) "
        "получает точный градиент плюс гауссов шум со стандартным отклонением σ, воспроизводимый по зерну "
        f"генератора, — {plural_ru(len(seeds), *SEEDS)} на каждое σ. Без шума он сходится (медиана итогового "
        f"f = {median_clean}).",
    )]  # fmt: skip
    if len(noisy) >= 2:
        low, high = noisy[-2], noisy[-1]
        grows = floors[high] / floors[low]
        at_low, at_high = f"{number(floors[low])} at σ = {number(low)}", f"{number(floors[high])} at σ = {number(high)}"
        parts.append(say(
            en="With noise it stops converging and hovers at a floor: mean f over updates "
            f"{FLOOR_FROM}–{updates} is {at_low} and {at_high}, "
            f"{number(grows, 2)}x for {number(high / low, 2)}x the noise (σ² predicts "
            f"{number((high / low) ** 2, 2)}x).",
            ru="С шумом он перестаёт сходиться и колеблется вокруг некоторого уровня («пола»): среднее f за шаги "
            f"{FLOOR_FROM}–{updates} равно {number(floors[low])} при σ = {number(low)} и {number(floors[high])} при "
            f"σ = {number(high)}, рост {times_ru(number(grows, 2))} при шуме {times_ru(number(high / low, 2))} "
            f"сильнее (по σ² ожидается рост {times_ru(number((high / low) ** 2, 2))}).",
        ))  # fmt: skip
        agree = all(0.5 < floors[s] / (per_unit * s**2) < 2 for s in noisy)
        formula = f"E f = Σᵢ lr σ² / (2(2 − lr λᵢ)) = {number(per_unit)} σ²"
        lambdas = f"λ = {number(eigenvalues[0])}, {number(eigenvalues[-1])}"
        parts.append(say(
            en=f"The stationary variance of the noisy recursion predicts {formula} for curvatures {lambdas}; "
            + ("the measured floors agree within a factor of 2. " if agree
               else "the measured floors differ from it by more than a factor of 2. ")
            + "A constant learning rate cannot average the noise away; section 5 lowers the rate.",
            ru=f"Стационарная дисперсия зашумлённой рекурсии даёт {formula} при кривизнах {lambdas}; "
            + ("измеренные уровни согласуются с этим с точностью до множителя 2. " if agree
               else "измеренные уровни отличаются от этого больше чем в 2 раза. ")
            + "Постоянная скорость обучения не может усреднить шум; в разделе 5 скорость обучения снижается.",
        ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(
        en=f"gradient noise σ|mean f − f∗ over updates {FLOOR_FROM}–{updates}, all seeds|predicted floor|"
        "median final f|statuses",
        ru=f"шум градиента σ|среднее f − f∗ за шаги {FLOOR_FROM}–{updates}, все зёрна|предсказанный уровень|"
        "медиана итогового f|статусы",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/noise.csv"))
    curves, lines = [], []
    for colour, sigma in zip(NOISE_COLOURS, levels, strict=False):
        row = runs.one(gradient_noise=sigma, seed=seeds[0])
        curves.append(gap_curve(runs, row, f"σ = {number(sigma)}", colour, style="-"))
        if sigma > 0:
            label = say(en="predicted floor", ru="предсказанный уровень") + f", σ = {number(sigma)}"
            lines.append((per_unit * sigma**2, label, colour))
    spec = FigureSpec(
        say(en=f"SGD with noisy gradients on ½(x² + 100y²), lr = {number(rate)}, seed {seeds[0]}",
            ru=f"SGD с зашумлёнными градиентами на ½(x² + 100y²), lr = {number(rate)}, зерно {seeds[0]}"),
        [PlotPanel(say(en=f"f − f∗ by update (dotted: predicted floors; below {FLOOR:.0e} drawn at it)",
                       ru=f"f − f∗ по шагам (пунктир: предсказанные уровни; ниже {FLOOR:.0e} — на нём)"),
                   say.term("update k"), say.term("gap"), curves, floor=FLOOR, hlines=lines, legend="outside")],
        panel_size=(7.2, 4.4),
        language=lesson.language,
    )  # fmt: skip
    figures.append(FigureJob("figures/noise.png", draw, spec))
    blocks.append(Figure("figures/noise.png", say(
        en=f"f − f∗ of SGD with gradient noise of growing σ (seed {seeds[0]}; the stored trace keeps "
        f"every update to {TRACE_KEEP // 4}, then log-spaced ones): notice each noisy curve levelling "
        "off at its predicted floor while the noise-free one keeps falling.",
        ru=f"f − f∗ для SGD с шумом градиента растущего σ (зерно {seeds[0]}; в сохранённой траектории есть каждый "
        f"шаг до шага {TRACE_KEEP // 4}, дальше — с логарифмическим интервалом): обратите внимание, как каждая "
        "зашумлённая кривая выходит на свой предсказанный уровень, а кривая без шума продолжает падать.",
    )))  # fmt: skip
