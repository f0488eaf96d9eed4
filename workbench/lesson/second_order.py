"""Section 6, second order: Newton's step against gradient steps on a quadratic (one step) and on
Rosenbrock (quadratic convergence in the trace), L-BFGS between them, and why Newton is rarely used on
large networks: the measured cost of the Hessian against n on chained_rosenbrock(n).

Studies: ``lesson-newton-quadratic``, ``lesson-newton-rosenbrock``, ``lesson-hessian-evaluations``
(central differences, one update: the Hessian's evaluations are the Newton run's minus the gradient-only
run's) and ``lesson-hessian-time`` (exact derivatives, a few updates: median seconds per update after
the first, which pays for compiling the derivatives).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import Curve, FigureSpec, MapPanel, PlotPanel, draw
from workbench.lesson.plan import HESSIAN_SIZES, hessian_family_name
from workbench.lesson.plotdata import FLOOR, distance_curve, path_curve, seconds_per_update, start_marker
from workbench.lesson.results import positions
from workbench.lesson.text import (
    EVALUATIONS,
    EVALUATIONS_GENITIVE,
    ITERATIONS,
    ITERATIONS_ACCUSATIVE,
    UPDATES,
    code,
    form_ru,
    join,
    number,
    plural_ru,
    point,
    ratio,
    ratio_ru,
    status,
    times_ru,
)
from workbench.report.document import Figure, Heading, Table, Text

__all__ = ["build"]

#: A network size to extrapolate the measured growth to.
NETWORK_SIZE = 1_000_000


def _label(row: dict[str, Any]) -> str:
    return "newton (pure)" if row["options"].get("pure") else row["method"]


def build(lesson: Lesson) -> Section:
    blocks: list[Any] = []
    figures: list[FigureJob] = []
    _quadratic(lesson, blocks)
    _rosenbrock(lesson, blocks, figures)
    _hessian_cost(lesson, blocks, figures)
    heading = lesson.say(en="6. Second order: Newton, L-BFGS, and the cost of the Hessian",
                         ru="6. Второй порядок: метод Ньютона, L-BFGS и цена гессиана")  # fmt: skip
    return Section(heading, blocks, figures)


def _quadratic(lesson: Lesson, blocks: list[Any]) -> None:
    runs = lesson.runs["lesson-newton-quadratic"]
    newton, lbfgs, sgd = runs.one(method="newton"), runs.one(method="lbfgs"), runs.one(method="sgd")
    facts = lesson.facts["ill_conditioned_quadratic"]
    x0 = np.array(facts["x0"], dtype=float)
    g, h = np.array(facts["gradient_at_x0"], dtype=float), np.array(facts["hessian_at_x0"], dtype=float)
    newton_step = -np.linalg.solve(h, g)
    cosine = float(-g @ newton_step / (np.linalg.norm(g) * np.linalg.norm(newton_step)))
    x1 = positions(runs.trace(newton))[1]
    say = lesson.say
    blocks.append(Heading(say(en="6.1 One Newton step on a quadratic",
                              ru="6.1 Один шаг Ньютона на квадратичной функции"), 3))  # fmt: skip
    n, rate = newton["iterations"], number(sgd["options"]["learning_rate"])
    directions = f"−∇f = {point(-g)}", f"−H⁻¹∇f = {point(newton_step)}"
    blocks.append(Text(say(
        en=f"Newton's step x ← x − H⁻¹∇f is exact for a quadratic. On ½(x² + 100y²) from {point(x0)} the gradient step "
        f"points along {directions[0]}, almost straight across the valley, while the Newton step {directions[1]} "
        f"points at the minimum (the cosine between the two directions is {number(cosine)}). "
        f"Pure Newton (unit step) landed at {point(x1)} with f − f∗ = {number(newton['f_error'])} after "
        f"**{n}** update ({status(newton['status'])}); L-BFGS, which learns curvature from "
        f"gradient differences, needed {lbfgs['iterations']}; SGD at lr = 1/L = {rate} "
        f"needed {sgd['iterations']}.",
        ru=f"Шаг метода Ньютона x ← x − H⁻¹∇f точен для квадратичной функции. На ½(x² + 100y²) из {point(x0)} шаг "
        f"градиентного спуска направлен вдоль {directions[0]}, почти поперёк долины, а шаг Ньютона {directions[1]} "
        f"указывает прямо на минимум (косинус угла между этими направлениями равен {number(cosine)}). Чистый метод "
        f"Ньютона (единичный шаг) попал в {point(x1)} с f − f∗ = {number(newton['f_error'])} за **{n}** "
        f"{form_ru(n, *UPDATES)} ({say.status(newton['status'])}); методу L-BFGS, который восстанавливает кривизну "
        f"по разностям градиентов, понадобилось шагов: {lbfgs['iterations']}, а SGD при lr = 1/L = {rate} — "
        f"{sgd['iterations']}.",
    )))  # fmt: skip


def _digits(distances: list[float]) -> list[float]:
    return [-math.log10(d) for d in distances if 0 < d]


def _rosenbrock(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    runs = lesson.runs["lesson-newton-rosenbrock"]
    rows = sorted(runs.rows, key=lambda r: (r["method"] != "newton", _label(r)))
    x_star = np.array(lesson.info["rosenbrock"]["x_star"], dtype=float)
    distances = {_label(r): np.linalg.norm(positions(runs.trace(r)) - x_star, axis=1).tolist() for r in rows}
    newton = next(r for r in rows if _label(r) == "newton")
    tail = [d for d in distances["newton"] if d > 1e-15][-4:]
    digits = _digits(tail)
    say = lesson.say
    blocks.append(Heading(say(en="6.2 Quadratic convergence on Rosenbrock",
                              ru="6.2 Квадратичная сходимость на функции Розенброка"), 3))  # fmt: skip

    def counts(r: dict[str, Any]) -> tuple[int, int]:
        return r["counts"]["hessian_evaluations"], r["counts"]["gradient_evaluations"]

    parts = [say(
        en=f"From {point(newton['x0'])} to gradient norm ≤ 1e-8: "
        + join(f"{code(_label(r))} {r['iterations']} iterations ({status(r['status'])}, "
               f"{counts(r)[0]} Hessian and {counts(r)[1]} gradient evaluations)" for r in rows) + ".",
        ru=f"Из {point(newton['x0'])} до нормы градиента ≤ 1e-8: "
        + say.join(f"{code(_label(r))} — {plural_ru(r['iterations'], *ITERATIONS)} ({say.status(r['status'])}, "
                   f"{plural_ru(counts(r)[0], *EVALUATIONS)} гессиана и {plural_ru(counts(r)[1], *EVALUATIONS)} "
                   "градиента)" for r in rows) + ".",
    )]  # fmt: skip
    tail_text, digits_text = join(number(d, 2) for d in tail), join(number(d, 2) for d in digits)
    parts.append(say(
        en=f"Newton's (line-searched) distance to x∗ over its last iterations: {tail_text}; correct digits "
        f"{digits_text}.",
        ru="Расстояние до x∗ у метода Ньютона (с линейным поиском) на последних итерациях: "
        f"{say.join(number(d, 2) for d in tail)}; верных знаков: {say.join(number(d, 2) for d in digits)}.",
    ))  # fmt: skip
    if len(digits) >= 2 and digits[-1] >= 1.5 * digits[-2]:
        parts.append(say(
            en="The digits roughly double at each step: quadratic convergence, the reward for an exact Hessian "
            "near the minimum.",
            ru="Число верных знаков примерно удваивается на каждом шаге: это квадратичная сходимость, награда за "
            "точный гессиан вблизи минимума.",
        ))  # fmt: skip
    else:
        parts.append(say(en="The digits do not double here, so the last steps do not show quadratic convergence.",
                         ru="Здесь число верных знаков не удваивается, так что последние шаги квадратичной "
                         "сходимости не показывают."))  # fmt: skip
    for label in ("lbfgs", "bfgs"):
        if label in distances:
            last = [d for d in distances[label] if d > 1e-15][-4:]
            values = [number(d, 2) for d in last], [number(d, 2) for d in _digits(last)]
            parts.append(say(
                en=f"{code(label)}'s last distances: {join(values[0])} (digits {join(values[1])}): superlinear, "
                "more iterations but no Hessian.",
                ru=f"Последние расстояния у {code(label)}: {say.join(values[0])} (знаков: {say.join(values[1])}): "
                "сверхлинейная сходимость, итераций больше, зато без гессиана.",
            ))  # fmt: skip
    pure = next((r for r in rows if _label(r) == "newton (pure)"), None)
    if pure is not None:
        furthest = number(max(distances["newton (pure)"]))
        parts.append(say(
            en=f"Pure Newton (no line search) took {pure['iterations']} iterations but first wandered off to "
            f"distance {furthest} from x∗: far from the minimum the quadratic model is not to be "
            "trusted without safeguards.",
            ru=f"Чистый метод Ньютона (без линейного поиска) справился за "
            f"{plural_ru(pure['iterations'], *ITERATIONS_ACCUSATIVE)}, но сначала ушёл на расстояние {furthest} "
            "от x∗: вдали от минимума квадратичной модели нельзя доверять без страховки.",
        ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    spec = FigureSpec(
        say(en="Newton, pure Newton, L-BFGS and BFGS on Rosenbrock",
            ru="Метод Ньютона, чистый метод Ньютона, L-BFGS и BFGS на функции Розенброка"),
        [
            MapPanel(
                say.term("contours"),
                lesson.landscape("rosenbrock", ((-2.0, 2.0), (-1.5, 3.2))),
                [path_curve(runs, r, _label(r)) for r in rows],
                [start_marker(newton["x0"], say.term("start")), *lesson.optimum("rosenbrock")],
            ),  # fmt: skip
            PlotPanel(
                say(en=f"distance to x∗ by iteration (below {FLOOR:.0e} drawn at it)",
                    ru=f"расстояние до x∗ по итерациям (ниже {FLOOR:.0e} — на этом уровне)"),
                say(en="iteration k", ru="итерация k"),
                say(en="||x_k − x∗||  (problem units, log)", ru="||x_k − x∗||  (единицы задачи, лог. шкала)"),
                [distance_curve(runs, r, x_star, _label(r)) for r in rows],
                floor=FLOOR,
            ),  # fmt: skip
        ],
        panel_size=(5.4, 4.4),
        language=lesson.language,
    )  # fmt: skip
    figures.append(FigureJob("figures/newton-rosenbrock.png", draw, spec))
    blocks.append(Figure("figures/newton-rosenbrock.png", say(
        en="Second-order and quasi-Newton methods on Rosenbrock: paths (left) and distance to x∗ "
        "(right, log); notice Newton's last steps diving down the log axis, each one further "
        "than the one before, and pure Newton's first steps leaving the map.",
        ru="Методы второго порядка и квазиньютоновские методы на функции Розенброка: пути (слева) и расстояние до "
        "x∗ (справа, лог. шкала); обратите внимание, как последние шаги метода Ньютона ныряют вниз по "
        "логарифмической оси, каждый дальше предыдущего, и как первые шаги чистого метода Ньютона уходят за "
        "пределы карты.",
    )))  # fmt: skip


def _fit(x: list[float], y: list[float]) -> tuple[float, float]:
    """Slope and intercept of log y against log x (least squares)."""
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(intercept)


def _hessian_cost(lesson: Lesson, blocks: list[Any], figures: list[FigureJob]) -> None:
    counts = lesson.runs["lesson-hessian-evaluations"]
    timing = lesson.runs["lesson-hessian-time"]
    sizes, hessian, gradient, fd_time, newton_time, sgd_time, table = [], [], [], [], [], [], []
    for n in HESSIAN_SIZES:
        name = hessian_family_name(n)
        newton_fd, sgd_fd = counts.one(problem=name, method="newton"), counts.one(problem=name, method="sgd")
        evaluations = newton_fd["evaluations"] - sgd_fd["evaluations"]
        update_fd = float(np.diff(counts.trace(newton_fd)["time"])[0])
        exact = seconds_per_update(timing, timing.one(problem=name, method="newton"))
        plain = seconds_per_update(timing, timing.one(problem=name, method="sgd"))
        sizes.append(n)
        hessian.append(evaluations)
        gradient.append(sgd_fd["evaluations"])
        fd_time.append(update_fd)
        newton_time.append(exact)
        sgd_time.append(plain)
        table.append([n, n * n, evaluations, 1 + 2 * n * n, sgd_fd["evaluations"], update_fd, exact, plain,
                      exact / plain])  # fmt: skip
    say = lesson.say
    heading = say(
        en="6.3 Why Newton is rarely used on large networks: the Hessian's cost",
        ru="6.3 Почему метод Ньютона редко применяют к большим сетям: цена гессиана",
    )
    blocks.append(Heading(heading, 3))
    exact_formula = all(h == 1 + 2 * n * n for n, h in zip(sizes, hessian, strict=True))
    slope_evaluations, _ = _fit(sizes, hessian)
    slope_time, _ = _fit(sizes, newton_time)
    slope_gradient, _ = _fit(sizes, sgd_time)
    slope_gradient_evaluations, _ = _fit(sizes, gradient)
    growth = sizes[-1] / sizes[0]
    ends = f"n = {sizes[0]}", f"n = {sizes[-1]}"
    parts = [say(
        en=f"`chained_rosenbrock(n)` for n = {join(str(n) for n in sizes)}. A central-difference Hessian from values "
        f"costs {join(str(h) for h in hessian)} evaluations of f, read from the oracle's counts (a Newton update "
        "minus a gradient-only update)"
        + (": exactly 1 + 2n² at every n." if exact_formula else ", which is not exactly 1 + 2n² everywhere.")
        + f" From {ends[0]} to {sizes[-1]} ({number(growth)}x) that grew {ratio(hessian[-1], hessian[0])} "
        f"(log-log slope {number(slope_evaluations, 3)}), the gradient's {ratio(gradient[-1], gradient[0])}.",
        ru=f"`chained_rosenbrock(n)` при n = {say.join(str(n) for n in sizes)}. Гессиан центральными конечными "
        f"разностями по значениям функции стоит {say.join(str(h) for h in hessian)} "
        f"{form_ru(hessian[-1], *EVALUATIONS)} f (по счётчикам оракула: шаг Ньютона минус шаг только с градиентом)"
        + (": ровно 1 + 2n² при каждом n." if exact_formula else ", что не везде равно ровно 1 + 2n².")
        + f" От {ends[0]} до {sizes[-1]} (рост {times_ru(number(growth))}) эта цена выросла "
        f"{ratio_ru(hessian[-1], hessian[0])} (наклон в координатах log-log {number(slope_evaluations, 3)}), а цена "
        f"градиента — {ratio_ru(gradient[-1], gradient[0])}.",
    )]  # fmt: skip
    times = (f"{number(newton_time[0])} s at {ends[0]} and {number(newton_time[-1])} s at {ends[1]}",
             f"{number(newton_time[0])} с при {ends[0]} и {number(newton_time[-1])} с при {ends[1]}")  # fmt: skip
    parts.append(say(
        en=f"With the exact Hessian an update (Hessian evaluation and a dense Newton solve) took {times[0]} "
        f"(slope {number(slope_time, 2)}), a gradient update {number(sgd_time[0])} s and "
        f"{number(sgd_time[-1])} s (slope {number(slope_gradient, 2)}): a Newton update cost "
        f"{ratio(newton_time[-1], sgd_time[-1])} a gradient update at {ends[1]}.",
        ru=f"С точным гессианом шаг (вычисление гессиана и решение плотной системы Ньютона) занимал {times[1]} "
        f"(наклон {number(slope_time, 2)}), шаг по градиенту — {number(sgd_time[0])} с и {number(sgd_time[-1])} с "
        f"(наклон {number(slope_gradient, 2)}): при {ends[1]} шаг Ньютона обходился "
        f"{ratio_ru(newton_time[-1], sgd_time[-1])} дороже шага по градиенту.",
    ))  # fmt: skip
    local = math.log(newton_time[-1] / newton_time[-2]) / math.log(sizes[-1] / sizes[-2])
    steeper = local > slope_time
    network = number(float(NETWORK_SIZE)), number(1.0 + 2.0 * NETWORK_SIZE**2), number(8.0 * NETWORK_SIZE**2)
    parts.append(say(
        en=f"Between the two largest sizes the Newton update's time grew with slope {number(local, 2)}, "
        + ("steeper than over the whole range: fixed costs hide the growth at small n, and a dense "
           "factorization's n³/3 operations take over as n grows." if steeper
           else "no steeper than over the whole range: at these sizes fixed costs still dominate.")
        + f" A network with n = {network[0]} weights would need 1 + 2n² = "
        f"{network[1]} evaluations for one finite-difference Hessian and "
        f"{network[2]} bytes to store a dense one. That is why networks are trained with "
        "first-order methods and, where curvature helps, with Hessian-free or quasi-Newton approximations.",
        ru=f"Между двумя наибольшими размерами время шага Ньютона росло с наклоном {number(local, 2)}, "
        + ("круче, чем на всём диапазоне: при малых n рост скрыт постоянными издержками, а с ростом n верх берут "
           "n³/3 операций плотного разложения." if steeper
           else "не круче, чем на всём диапазоне: при таких размерах всё ещё преобладают постоянные издержки.")
        + f" Сети с n = {network[0]} {form_ru(network[0], 'вес', 'веса', 'весов')} понадобилось бы 1 + 2n² = "
        f"{network[1]} {form_ru(network[1], *EVALUATIONS_GENITIVE)} f на один гессиан конечными разностями и "
        f"{network[2]} байт, чтобы хранить его в плотном виде. Поэтому сети обучают методами первого порядка, а "
        "там, где кривизна помогает, — безгессиановыми (Hessian-free) или квазиньютоновскими приближениями.",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(
        en="n|Hessian entries n²|FD Hessian evaluations (measured)|1 + 2n²|FD gradient evaluations (2n)|"
        "FD Newton update (s)|exact Newton update (s)|gradient update (s)|Newton / gradient time",
        ru="n|элементов гессиана n²|вычислений f на гессиан разностями (измерено)|1 + 2n²|вычислений f на "
        "градиент разностями (2n)|шаг Ньютона с разностями (с)|шаг Ньютона, точный (с)|шаг по градиенту (с)|"
        "время Ньютон / градиент",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/hessian-cost.csv"))
    dense = np.geomspace(sizes[0], sizes[-1], 50)
    variables = say(en="n (variables, log)", ru="n (переменных, лог. шкала)")
    spec = FigureSpec(
        say(en="The cost of the Hessian on chained_rosenbrock(n)", ru="Цена гессиана на chained_rosenbrock(n)"),
        [
            PlotPanel(
                say(en="evaluations of f per derivative (central differences)",
                    ru="вычислений f на одну производную (центральные разности)"),
                variables,
                say(en="evaluations of f (count, log)", ru="вычислений f (штук, лог. шкала)"),
                [
                    Curve(say(en="Hessian, measured", ru="гессиан, измерено"), sizes, hessian, "tab:red", "none", "o"),
                    Curve("1 + 2n²", dense, 1 + 2 * dense**2, "tab:red", ":"),
                    Curve(say(en="gradient, measured", ru="градиент, измерено"), sizes, gradient, "tab:blue", "none",
                          "s"),
                    Curve("2n", dense, 2 * dense, "tab:blue", ":"),
                ],
                logx=True,
                xticks=sizes,
            ),  # fmt: skip
            PlotPanel(
                say(en="seconds per update (exact: median after the first; FD: its one update)",
                    ru="секунд на шаг (точный: медиана без первого; разности: один шаг)"),
                variables,
                say(en="time (s, log)", ru="время (с, лог. шкала)"),
                [
                    Curve(say(en="Newton, FD Hessian", ru="Ньютон, гессиан разностями"), sizes, fd_time, "tab:red",
                          "-", "o"),
                    Curve(say(en="Newton, exact Hessian + dense solve", ru="Ньютон, точный гессиан + плотное решение"),
                          sizes, newton_time, "black", "-", "o"),
                    Curve(say(en="gradient step (SGD)", ru="шаг по градиенту (SGD)"), sizes, sgd_time, "tab:blue", "-",
                          "s"),
                ],
                logx=True,
                xticks=sizes,
            ),  # fmt: skip
        ],
        panel_size=(5.4, 4.3),
        language=lesson.language,
    )  # fmt: skip
    figures.append(FigureJob("figures/hessian-cost.png", draw, spec))
    slopes = number(slope_evaluations, 2), number(slope_gradient_evaluations, 2)
    blocks.append(Figure("figures/hessian-cost.png", say(
        en="Left: evaluations of f for one central-difference Hessian and one gradient against n "
        "(log-log; dotted: 1 + 2n² and 2n); right: seconds per update; notice the Hessian's slope "
        f"of {slopes[0]} against the gradient's {slopes[1]}, and the widening gap in time.",
        ru="Слева: вычисления f на один гессиан и один градиент центральными разностями в зависимости от n "
        "(log-log; пунктир: 1 + 2n² и 2n); справа: секунды на шаг; обратите внимание на наклон "
        f"{slopes[0]} у гессиана против {slopes[1]} у градиента и на растущий разрыв во времени.",
    )))  # fmt: skip
