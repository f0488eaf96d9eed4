"""Sections 2 and 3, the first-order family: SGD, Momentum and Nesterov on one contour map (the ball
that keeps rolling, the overshoot, the look-ahead), then the adaptive steps of AdaGrad, RMSProp, Adam
and AdaDelta (shrinking steps, a moving average, the bias correction, no learning rate).

Numbers come from the studies ``lesson-momentum-quadratic``, ``lesson-momentum-rosenbrock`` and
``lesson-adaptive``; a run's hyper-parameters are read from its stored options, which are resolved
(every default filled in) before the run starts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.figures import COLOURS, Curve, FigureSpec, MapPanel, PlotPanel, draw
from workbench.lesson.plotdata import FLOOR, gap_curve, path_curve, start_marker
from workbench.lesson.results import positions
from workbench.lesson.text import (
    UPDATES,
    UPDATES_GENITIVE,
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
from workbench.report.document import Figure, Table, Text

__all__ = ["build_adaptive", "build_momentum"]

#: Updates drawn on the quadratic's map.
MAP_UPDATES = 150


def _option(row: dict[str, Any], name: str) -> Any:
    """A run's option, as stored: resolved, so defaults are filled in."""
    return row["options"][name]


# -- section 2 -------------------------------------------------------------------------------------
def _wide(curve: Curve) -> Curve:
    """SGD drawn wide and pale underneath, so the paths that follow it stay visible."""
    if curve.label == "sgd":
        curve.width = 4.0
        curve.colour = "#9ec5e8"
    return curve


def build_momentum(lesson: Lesson) -> Section:
    quadratic = lesson.runs["lesson-momentum-quadratic"]
    valley = lesson.runs["lesson-momentum-rosenbrock"]
    methods = ("sgd", "momentum", "nesterov")
    q = {m: quadratic.one(method=m) for m in methods}
    r = {m: valley.one(method=m) for m in methods}
    mu = _option(q["momentum"], "momentum")
    rate = q["sgd"]["options"]["learning_rate"]
    target = q["sgd"]["options"]["target"]
    overshoot = {m: float(np.min(positions(quadratic.trace(q[m]))[:, 0])) for m in methods}
    say = lesson.say
    blocks: list[Any] = [Text(say(
            en="Momentum keeps a running sum of past gradients, b ← μb + g, and steps along it, x ← x − lr·b "
            f"(PyTorch's heavy ball, μ = {number(mu)} by default): a ball rolling downhill gathers speed along a "
            "consistent slope and averages out the zig-zag across a valley. Nesterov steps along g + μb instead, the "
            "gradient corrected by where the buffer is about to carry the point: the look-ahead.",
            ru="Метод импульса (momentum) накапливает сумму прошлых градиентов, b ← μb + g, и шагает вдоль неё, "
            f"x ← x − lr·b («тяжёлый шарик» в варианте PyTorch, по умолчанию μ = {number(mu)}): шарик, катящийся под "
            "гору, набирает скорость на склоне с постоянным наклоном и гасит зигзаги поперёк долины. Ускоренный "
            "градиент Нестерова вместо этого шагает вдоль g + μb, то есть вдоль градиента, поправленного на то, куда "
            "буфер вот-вот унесёт точку: это «взгляд вперёд».",
    ))]  # fmt: skip
    start, target_text = point(q["sgd"]["x0"]), number(target)
    parts = [say(
        en=f"On ½(x² + 100y²) from {start} at lr = {number(rate)}, to f − f∗ ≤ {target_text}: "
        + join(f"{code(m)} {q[m]['iterations']} updates ({status(q[m]['status'])})" for m in methods)
        + ".",
        ru=f"На ½(x² + 100y²) из {start} при lr = {number(rate)} до f − f∗ ≤ {target_text}: "
        + say.join(f"{code(m)} — {plural_ru(q[m]['iterations'], *UPDATES)} ({say.status(q[m]['status'])})"
                   for m in methods)
        + ".",
    )]  # fmt: skip
    for m in ("momentum", "nesterov"):
        fewer = ratio(q["sgd"]["iterations"], q[m]["iterations"]), ratio_ru(q["sgd"]["iterations"], q[m]["iterations"])
        parts.append(say(en=f"{code(m)} needs {fewer[0]} fewer updates than SGD.",
                         ru=f"Методу {code(m)} нужно {fewer[1]} меньше шагов, чем SGD.")
                     if q[m]["iterations"] < q["sgd"]["iterations"]
                     else say(en=f"{code(m)} needs no fewer updates than SGD here.",
                              ru=f"Методу {code(m)} здесь нужно не меньше шагов, чем SGD."))  # fmt: skip
    if overshoot["momentum"] < 0:
        momentum_x, nesterov_x, sgd_x = (number(overshoot[m]) for m in ("momentum", "nesterov", "sgd"))
        earlier = overshoot["nesterov"] > overshoot["momentum"]
        parts.append(say(
            en=f"The ball keeps rolling: Momentum's x passes the valley floor x = 0 and overshoots to "
            f"x = {momentum_x} before it comes back"
            + (f"; Nesterov's look-ahead brakes earlier, to x = {nesterov_x}" if earlier
               else f"; Nesterov overshoots as far, to x = {nesterov_x}")
            + f", while SGD never crosses it (smallest x = {sgd_x}).",
            ru=f"Шарик продолжает катиться: x у метода импульса проходит дно долины x = 0 и проскакивает до "
            f"x = {momentum_x}, прежде чем вернуться"
            + (f"; «взгляд вперёд» Нестерова тормозит раньше, на x = {nesterov_x}" if earlier
               else f"; Нестеров проскакивает так же далеко, до x = {nesterov_x}")
            + f", а SGD дно вообще не пересекает (наименьшее x = {sgd_x}).",
        ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    valley_rate = r["sgd"]["options"]["learning_rate"]
    start = point(r["sgd"]["x0"])
    parts = [say(
        en=f"On Rosenbrock's curved valley from {start} at lr = {number(valley_rate)}: "
        + join(f"{code(m)} **{r[m]['iterations']}** updates ({status(r[m]['status'])})" for m in methods)
        + ".",
        ru=f"В изогнутой долине функции Розенброка из {start} при lr = {number(valley_rate)}: "
        + say.join(f"{code(m)} — **{r[m]['iterations']}** {form_ru(r[m]['iterations'], *UPDATES)} "
                   f"({say.status(r[m]['status'])})" for m in methods)
        + ".",
    )]  # fmt: skip
    fastest = min(methods, key=lambda m: (r[m]["status"] != "converged", r[m]["iterations"]))
    parts.append(say(
        en=f"Fastest: {code(fastest)}, {ratio(r['sgd']['iterations'], r[fastest]['iterations'])} fewer updates "
        "than SGD: along a gently curving floor the accumulated velocity is what moves the point.",
        ru=f"Быстрее всех {code(fastest)}, ему нужно {ratio_ru(r['sgd']['iterations'], r[fastest]['iterations'])} "
        "меньше шагов, чем SGD: вдоль плавно изгибающегося дна точку двигает именно накопленная скорость.",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(en="problem|method|learning rate|momentum μ|status|updates|smallest x on the path",
                  ru="задача|метод|скорость обучения|импульс μ|статус|шагов|наименьшее x на пути")  # fmt: skip
    blocks.append(Table(
        headers.split("|"),
        [[row["problem"], m, row["options"]["learning_rate"], _option(row, "momentum") if m != "sgd" else None,
          row["status"], row["iterations"], float(np.min(positions(runs.trace(row))[:, 0]))]
         for runs, rows in ((quadratic, q), (valley, r)) for m, row in rows.items()],
        csv="tables/momentum.csv"))  # fmt: skip
    quad_map = lesson.landscape("ill_conditioned_quadratic", ((-0.45, 1.15), (-0.45, 0.45)))
    banana = lesson.landscape("rosenbrock", ((-1.6, 1.6), (-0.6, 2.2)))
    begin = say.term("start")
    spec = FigureSpec(
        say(en="SGD, Momentum and Nesterov: the rolling ball and the look-ahead",
            ru="SGD, импульс и Нестеров: катящийся шарик и «взгляд вперёд»"),
        [
            MapPanel(
                say(en=f"½(x² + 100y²), lr = {number(rate)}: first {MAP_UPDATES} updates",
                    ru=f"½(x² + 100y²), lr = {number(rate)}: первые {MAP_UPDATES} {form_ru(MAP_UPDATES, *UPDATES)}"),
                quad_map,
                [_wide(path_curve(quadratic, q[m], upto=MAP_UPDATES + 1)) for m in methods],
                [start_marker(q["sgd"]["x0"], begin), *lesson.optimum("ill_conditioned_quadratic")],
            ),  # fmt: skip
            MapPanel(
                say(en=f"Rosenbrock, lr = {number(valley_rate)}: every stored iterate",
                    ru=f"Розенброк, lr = {number(valley_rate)}: все сохранённые итерации"),
                banana,
                [_wide(path_curve(valley, r[m])) for m in methods],
                [start_marker(r["sgd"]["x0"], begin), *lesson.optimum("rosenbrock")],
                legend="none",
            ),  # fmt: skip
            PlotPanel(
                say(en=f"Rosenbrock: f − f∗ by update (below {FLOOR:.0e} drawn at it)",
                    ru=f"Розенброк: f − f∗ по шагам (ниже {FLOOR:.0e} — на этом уровне)"),
                say.term("update k (log)"),
                say.term("gap"),
                [gap_curve(valley, r[m]) for m in methods],
                logx=True,
                floor=FLOOR,
            ),  # fmt: skip
        ],
        panel_size=(4.9, 4.3),
        language=lesson.language,
    )  # fmt: skip
    figure = FigureJob("figures/momentum.png", draw, spec)
    blocks.append(Figure(figure.path, say(
        en="SGD, Momentum and Nesterov on the narrow quadratic (left) and on Rosenbrock "
        "(middle, right): notice Momentum overshooting x = 0 and swinging back, "
        "Nesterov damping the swing, and SGD's crawl along the banana valley.",
        ru="SGD, импульс и Нестеров на узкой квадратичной функции (слева) и на функции Розенброка (в центре и "
        "справа): обратите внимание, как метод импульса проскакивает x = 0 и возвращается, как Нестеров гасит "
        "размах и как медленно SGD ползёт вдоль «банановой» долины.",
    )))  # fmt: skip
    heading = say(en="2. SGD, Momentum and Nesterov", ru="2. SGD, импульс и ускоренный градиент Нестерова")
    return Section(heading, blocks, [figure])


# -- section 3 -------------------------------------------------------------------------------------
def build_adaptive(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-adaptive"]
    facts = lesson.facts["ill_conditioned_quadratic"]
    x0 = np.array(facts["x0"], dtype=float)
    gradient = np.array(facts["gradient_at_x0"], dtype=float)
    order = ("sgd", "adagrad", "rmsprop", "adam", "adadelta")
    rows = {m: runs.one(method=m) for m in order}
    first, steps = {}, {}
    for m, row in rows.items():
        trace = runs.trace(row)
        xy = positions(trace)
        first[m] = xy[1] - xy[0]
        steps[m] = dict(zip(trace["k"], trace["step_size"], strict=True))
    target = rows["sgd"]["options"]["target"]
    table = []
    for m, row in rows.items():
        dx, dy = first[m]
        table.append([m, row["options"]["learning_rate"], float(dx), float(dy), abs(float(dy / dx)),
                      steps[m].get(10), steps[m].get(100), row["status"], row["iterations"]])  # fmt: skip
    say = lesson.say
    longer = number(abs(first["sgd"][1] / first["sgd"][0]))
    ratios = [f"{code(m)} |Δy/Δx| = {number(abs(first[m][1] / first[m][0]))}" for m in order[1:]]
    blocks: list[Any] = [Text(say(
        en=f"The gradient of ½(x² + 100y²) at {point(x0)} is {point(gradient)}, so SGD's first step is "
        f"{longer} times longer in y than in x. The adaptive methods divide "
        "each coordinate's step by a running size of that coordinate's gradient: "
        + join(ratios)
        + " in their first step. The table has the first step, the step length ||x_k − x_(k−1)|| at updates 10 and "
        f"100, and the updates needed to reach f − f∗ ≤ {number(target)}.",
        ru=f"Градиент ½(x² + 100y²) в точке {point(x0)} равен {point(gradient)}, поэтому первый шаг SGD по y "
        f"{times_ru(longer)} длиннее, чем по x. Адаптивные методы делят шаг по каждой координате на текущий масштаб "
        "градиента по этой координате: "
        + say.join(ratios)
        + " на первом шаге. В таблице — первый шаг, длина шага ||x_k − x_(k−1)|| на шагах 10 и 100 и число шагов "
        f"до f − f∗ ≤ {number(target)}.",
    ))]  # fmt: skip
    headers = say(
        en="method|learning rate|first step Δx|first step Δy|abs(Δy / Δx)|step length at update 10|"
        "step length at update 100|status|updates",
        ru="метод|скорость обучения|первый шаг Δx|первый шаг Δy|abs(Δy / Δx)|длина шага на шаге 10|"
        "длина шага на шаге 100|статус|шагов",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/adaptive.csv"))
    blocks.append(Text(_adaptive_story(lesson, rows, first, steps, gradient)))
    quad_map = lesson.landscape("ill_conditioned_quadratic", ((-0.3, 1.15), (-0.4, 0.4)))
    spec = FigureSpec(
        say(en="AdaGrad, RMSProp, Adam and AdaDelta on ½(x² + 100y²), with SGD for reference",
            ru="AdaGrad, RMSProp, Adam и AdaDelta на ½(x² + 100y²), для сравнения — SGD"),
        [
            MapPanel(
                say.term("contours"),
                quad_map,
                [path_curve(runs, rows[m]) for m in order],
                [start_marker(x0, say.term("start")), *lesson.optimum("ill_conditioned_quadratic")],
            ),  # fmt: skip
            PlotPanel(
                say(en="step length by update", ru="длина шага в зависимости от k"),
                say.term("update k (log)"),
                say(en="||x_k − x_(k−1)||  (problem units, log)", ru="||x_k − x_(k−1)||  (единицы задачи, лог. шкала)"),
                [Curve(m, list(steps[m])[1:], list(steps[m].values())[1:], COLOURS[m]) for m in order],
                logx=True,
                floor=FLOOR,
                legend="outside",
            ),  # fmt: skip
        ],
        panel_size=(5.4, 4.3),
        language=lesson.language,
    )  # fmt: skip
    figure = FigureJob("figures/adaptive.png", draw, spec)
    blocks.append(Figure(figure.path, say(
        en="Adaptive methods on the narrow quadratic: paths (left) and step lengths "
        "(right, log-log); notice the adaptive paths heading diagonally at first "
        "(equal steps per coordinate), AdaGrad's steps shrinking steadily, and "
        "AdaDelta's small steps, nearly constant for hundreds of updates.",
        ru="Адаптивные методы на узкой квадратичной функции: пути (слева) и длины шагов (справа, log-log); обратите "
        "внимание, как адаптивные пути сначала идут по диагонали (равные шаги по координатам), как неуклонно "
        "укорачиваются шаги AdaGrad и как малы шаги AdaDelta, почти постоянные на протяжении сотен шагов.",
    )))  # fmt: skip
    return Section(say(en="3. AdaGrad, RMSProp, Adam and AdaDelta", ru="3. AdaGrad, RMSProp, Adam и AdaDelta"),
                   blocks, [figure])  # fmt: skip


def _adaptive_story(
    lesson: Lesson,
    rows: dict[str, dict[str, Any]],
    first: dict[str, Any],
    steps: dict[str, dict],
    gradient: np.ndarray,
) -> str:
    say = lesson.say
    parts = []
    adagrad = rows["adagrad"]
    a1, a10, a100 = (steps["adagrad"].get(k) for k in (1, 10, 100))
    if a1 and a10 and a100:
        parts.append(say(
            en="**AdaGrad** divides by the root of the *sum* of all squared gradients so far, which only grows: "
            f"its step length falls from {number(a1)} (update 1) to {number(a10)} (10) and {number(a100)} (100).",
            ru="**AdaGrad** делит на корень из *суммы* всех квадратов градиентов до текущего шага, а она только "
            f"растёт: длина шага падает с {number(a1)} (шаг 1) до {number(a10)} (шаг 10) и {number(a100)} "
            "(шаг 100).",
        ))  # fmt: skip
    rms = rows["rmsprop"]
    alpha = _option(rms, "alpha")
    rms_rate = rms["options"]["learning_rate"]
    first_rms, measured_rms = number(rms_rate / np.sqrt(1 - alpha)), point(first["rmsprop"])
    times_rate = number(abs(first["rmsprop"][0]) / rms_rate)
    parts.append(say(
        en=f"**RMSProp** divides by a moving average of squared gradients (α = {number(alpha)}), which forgets "
        f"old gradients, and reached the target in {rms['iterations']} updates against AdaGrad's "
        f"{adagrad['iterations']}. Its average starts at zero and is not corrected for that, so its first "
        f"step is lr/√(1 − α) = {first_rms} per coordinate: measured "
        f"{measured_rms}, {times_rate} times its learning rate.",
        ru=f"**RMSProp** делит на скользящее среднее квадратов градиентов (α = {number(alpha)}), которое забывает "
        f"старые градиенты, и дошёл до цели за {plural_ru(rms['iterations'], *UPDATES)} против "
        f"{adagrad['iterations']} у AdaGrad. Его среднее начинается с нуля, и поправки на это нет, поэтому первый "
        f"шаг равен lr/√(1 − α) = {first_rms} по каждой координате: измерено {measured_rms}, "
        f"{times_ru(times_rate)} больше его скорости обучения.",
    ))  # fmt: skip
    adam = rows["adam"]
    beta1, beta2 = _option(adam, "beta1"), _option(adam, "beta2")
    adam_rate = adam["options"]["learning_rate"]
    betas = f"β₁ = {number(beta1)}, β₂ = {number(beta2)}"
    sign_step, measured_adam = point(-adam_rate * np.sign(gradient)), point(first["adam"])
    spread = number(np.max(np.abs(gradient)) / np.min(np.abs(gradient)))
    uncorrected = number(adam_rate * (1 - beta1) / np.sqrt(1 - beta2))
    parts.append(say(
        en=f"**Adam** keeps moving averages of g and g² and divides each by (1 − βᵗ) to undo their zero start "
        f"({betas}): its first step is −lr·sign(g) = {sign_step}, measured {measured_adam}, although the "
        f"gradient's components differ {spread}-fold. Without the correction the first step would be "
        f"lr·(1 − β₁)/√(1 − β₂) = {uncorrected} per coordinate.",
        ru=f"**Adam** хранит скользящие средние g и g² и делит каждое на (1 − βᵗ), чтобы убрать смещение от "
        f"нулевого начального значения (коррекция смещения; {betas}): его первый шаг равен −lr·sign(g) = "
        f"{sign_step}, измерено {measured_adam}, хотя компоненты градиента различаются {times_ru(spread)}. Без "
        f"коррекции первый шаг был бы lr·(1 − β₁)/√(1 − β₂) = {uncorrected} по каждой координате.",
    ))  # fmt: skip
    delta = rows["adadelta"]
    rho, eps = _option(delta, "rho"), _option(delta, "eps")
    growth = steps["adadelta"].get(100, np.nan) / steps["adadelta"].get(1, np.nan)
    option, first_delta = number(delta["options"]["learning_rate"]), number(np.sqrt(eps / (1 - rho)))
    constants, measured_delta = f"ρ = {number(rho)}, eps = {number(eps)}", point(first["adadelta"])
    n, error = delta["iterations"], number(delta["f_error"])
    parts.append(say(
        en=f"**AdaDelta** has no learning rate of its own (the option, {option}, multiplies a ratio of two running "
        f"averages with the units of x): its first step is √(eps/(1 − ρ)) = {first_delta} per coordinate "
        f"({constants}), measured {measured_delta}; by update 100 the step is {number(growth, 2)}x the first. "
        f"After {n} updates its status is {code(delta['status'])} (f − f∗ = {error}).",
        ru=f"У **AdaDelta** нет собственной скорости обучения (параметр скорости обучения, здесь {option}, лишь "
        "умножает отношение двух скользящих средних, имеющее единицы x): его первый шаг равен √(eps/(1 − ρ)) = "
        f"{first_delta} по каждой координате ({constants}), измерено {measured_delta}; к шагу 100 длина шага "
        f"составляет {number(growth, 2)} от первоначальной. После {n} {form_ru(n, *UPDATES_GENITIVE)} его статус — "
        f"{code(delta['status'])} (f − f∗ = {error}).",
    ))  # fmt: skip
    finished = sorted((r for r in rows.values() if r["status"] == "converged"), key=lambda r: r["iterations"])
    if finished:
        missed = [code(r["method"]) for r in rows.values() if r not in finished]
        parts.append(say(
            en="Updates to the target: " + join(f"{code(r['method'])} {r['iterations']}" for r in finished)
            + (f"; {join(missed)} did not reach it." if missed else "."),
            ru="Шагов до цели: " + say.join(f"{code(r['method'])} {r['iterations']}" for r in finished)
            + (f"; {say.join(missed)} {'не дошёл' if len(missed) == 1 else 'не дошли'} до цели." if missed else "."),
        ))  # fmt: skip
    return " ".join(parts)
