"""Section 8, derivative accuracy: the error-versus-step V-curve of forward, central and complex-step
gradients on a well-scaled and a badly scaled function (sweeps stored beside the runs), and how the
accuracy of the gradient changes an optimizer's iterations and evaluations on Brown's badly scaled
function (study ``lesson-brown``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.plan import SWEEPS
from workbench.lesson.text import (
    EVALUATIONS_GENITIVE,
    ITERATIONS,
    ITERATIONS_GENITIVE,
    METHODS_GENITIVE,
    code,
    form_ru,
    join,
    number,
    plural_ru,
    point,
    ratio,
    ratio_ru,
    status,
)
from workbench.report.document import Figure, Heading, Table, Text
from workbench.report.figures import error_versus_step
from workbench.variants import FINITE_DIFFERENCE_VARIANTS

__all__ = ["build", "branch_slope", "sweep_facts"]

VARIANTS = FINITE_DIFFERENCE_VARIANTS
#: The textbook order of each scheme's truncation error (the V's left branch slope on log-log axes).
ORDER = {"fd-forward": 1, "fd-central": 2}
#: The sweep figure's words in Russian (:data:`workbench.report.figures.SWEEP_WORDS` has the English ones).
SWEEP_WORDS_RU = {
    "measured": "{variant}: измерено",
    "model": "{variant}: модель (усечение + округление)",
    "xlabel": "относительный шаг h  (шаг_i = h max(1, |x_i|), безразмерный)",
    "ylabel": "отн. ошибка градиента  ||g_h - g||_inf / ||g||_inf",
    "optimal": "оптимальный по модели шаг",
    "thumb": "эмпирический шаг",
    "title": "{problem}: ошибка градиента от шага разности (ниже {floor} — на этом уровне)",
}


def _render_sweep(path: Any, spec: tuple[str, dict[str, Any], dict[str, str] | None]) -> None:
    error_versus_step(path, spec[0], spec[1], words=spec[2])


def branch_slope(steps: np.ndarray, errors: np.ndarray, low: float, high: float) -> float:
    """Least-squares slope of log error against log step over steps in [low, high] (NaN if < 3 points)."""
    keep = (steps >= low) & (steps <= high) & np.isfinite(errors) & (errors > 0)
    if keep.sum() < 3:
        return float("nan")
    return float(np.polyfit(np.log10(steps[keep]), np.log10(errors[keep]), 1)[0])


def sweep_facts(sweep: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per variant: error at the rule-of-thumb step, the smallest error and its step, and the slopes of the
    truncation branch (steps 10 to 1000 times the best one) and the round-off branch (1/1000 to 1/10)."""
    steps = np.array(sweep["steps"], dtype=float)
    facts = {}
    for variant, measured in sweep["measured"].items():
        errors = np.array(measured, dtype=float)
        finite = np.where(np.isfinite(errors), errors, np.inf)
        best = int(np.argmin(finite))
        thumb = sweep["rule_of_thumb"][variant]
        at_thumb = int(np.argmin(np.abs(np.log10(steps) - np.log10(thumb)))) if thumb > steps.min() else len(steps) - 1
        facts[variant] = {
            "thumb": thumb, "thumb_step": float(steps[at_thumb]), "at_thumb": float(errors[at_thumb]),
            "best": float(errors[best]), "best_step": float(steps[best]),
            "truncation": branch_slope(steps, errors, 10 * steps[best], 1000 * steps[best]),
            "roundoff": branch_slope(steps, errors, steps[best] / 1000, steps[best] / 10),
        }  # fmt: skip
    return facts


def build(lesson: Lesson) -> Section:
    blocks: list[Any] = []
    figures: list[FigureJob] = []
    sweeps = lesson.store.sweeps()
    facts = {name: sweep_facts(sweeps[name]) for name in SWEEPS}
    well, bad = SWEEPS
    say = lesson.say
    blocks.append(Heading(say(en="8.1 The error-versus-step V-curve",
                              ru="8.1 V-образная кривая: ошибка в зависимости от шага"), 3))  # fmt: skip
    forward, central, complex_step = (facts[well][v] for v in VARIANTS)
    where = f"`{well}` at {point(sweeps[well]['x'])}", f"`{well}` в точке {point(sweeps[well]['x'])}"
    slopes = number(forward["truncation"], 2), number(forward["roundoff"], 2), number(central["truncation"], 2)
    forward_best = f"{number(forward['best'])} at h = {number(forward['best_step'])}"
    central_best = f"{number(central['best'])} at h = {number(central['best_step'])}"
    complex_floor = f"{number(complex_step['at_thumb'])} at h = {number(complex_step['thumb_step'])}"
    blocks.append(Text(say(
        en=f"A forward difference (f(x + h) − f(x))/h has truncation error h/2·|f''|, falling with h, and round-off "
        f"error about 2·eps·|f|/h, growing as h falls: on log-log axes a V. Measured on {where[0]}: the left "
        f"(large-h) branch has slope {slopes[0]} (truncation, order {ORDER['fd-forward']}), the right branch "
        f"{slopes[1]} (round-off, order −1); the bottom is a relative error of {forward_best}, "
        f"and the rule-of-thumb step √eps = {number(forward['thumb'])} gives {number(forward['at_thumb'])}. Central "
        f"differences cancel the h² term: truncation slope {slopes[2]}, bottom "
        f"{central_best} (rule of thumb eps^(1/3) = "
        f"{number(central['thumb'])}: {number(central['at_thumb'])}). The complex step Im f(x + ih)/h subtracts "
        f"nothing, so it has no round-off branch: {complex_floor}, the smallest step swept.",
        ru=f"У конечной разности вперёд (f(x + h) − f(x))/h погрешность усечения h/2·|f''| убывает вместе с h, а "
        f"погрешность округления, около 2·eps·|f|/h, растёт при уменьшении h: в координатах log-log получается "
        f"буква V. Измерено на {where[1]}: левая ветвь (большие h) имеет наклон {slopes[0]} (усечение, порядок "
        f"{ORDER['fd-forward']}), правая — {slopes[1]} (округление, порядок −1); на дне относительная ошибка "
        f"{forward_best.replace(' at ', ' при ')}, а эмпирический шаг √eps = {number(forward['thumb'])} даёт "
        f"{number(forward['at_thumb'])}. Центральные разности сокращают член с h²: наклон ветви усечения "
        f"{slopes[2]}, дно {central_best.replace(' at ', ' при ')} (эмпирическое правило eps^(1/3) = "
        f"{number(central['thumb'])}: {number(central['at_thumb'])}). Комплексный шаг Im f(x + ih)/h ничего не "
        f"вычитает, поэтому ветви округления у него нет: {complex_floor.replace(' at ', ' при ')}, наименьшем шаге "
        "развёртки.",
    )))  # fmt: skip
    point_bad = np.array(sweeps[bad]["x"], dtype=float)
    hessian = np.array(lesson.facts[bad]["hessian_at_sweep_point"], dtype=float)
    thumb = facts[bad]["fd-forward"]["thumb"]
    step_two = thumb * max(1.0, abs(point_bad[1]))
    bad_error = facts[bad]["fd-forward"]["at_thumb"]
    share = number(100 * step_two / abs(point_bad[1]))
    survivors = number(facts[bad]["fd-central"]["at_thumb"]), number(facts[bad]["complex-step"]["at_thumb"])
    blocks.append(Text(say(
        en=f"Brown's badly scaled function near its minimizer, at {point(point_bad)}: the same rule-of-thumb forward "
        f"step gives a relative error of {number(bad_error)} "
        f"({ratio(bad_error, forward['at_thumb'])} the well-scaled case). The step in x2 is "
        f"√eps·max(1, |x2|) = {number(step_two)}, {share}% of x2 itself, and "
        f"the curvature along x2 is ∂²f/∂x2² = {number(hessian[1, 1])}: the truncation term h/2·|f''| swamps the "
        f"gradient. Central differences ({survivors[0]}) and the complex step "
        f"({survivors[1]}) survive the bad scaling.",
        ru=f"Плохо масштабированная функция Брауна вблизи точки минимума, в {point(point_bad)}: тот же эмпирический "
        f"шаг разности вперёд даёт относительную ошибку {number(bad_error)} "
        f"({ratio_ru(bad_error, forward['at_thumb'])} больше, чем в хорошо масштабированном случае). Шаг по x2 "
        f"равен √eps·max(1, |x2|) = {number(step_two)}, это {share}% самого x2, а кривизна вдоль x2 равна "
        f"∂²f/∂x2² = {number(hessian[1, 1])}: член усечения h/2·|f''| заглушает градиент. Центральные разности "
        f"({survivors[0]}) и комплексный шаг ({survivors[1]}) плохое масштабирование переживают.",
    )))  # fmt: skip
    words = SWEEP_WORDS_RU if lesson.language == "ru" else None
    for name in SWEEPS:
        data = {k: sweeps[name][k] for k in ("steps", "measured", "model", "optimal_step", "rule_of_thumb")}
        job = FigureJob(f"figures/sweep-{name}.png", _render_sweep, (name, data, words))
        figures.append(job)
        blocks.append(Figure(job.path, say(
            en=f"Relative gradient error against the step h on `{name}`: measured (solid), "
            "the textbook model (dashed), model-optimal and rule-of-thumb steps "
            "(vertical lines); notice the truncation branch on the left, the round-off "
            "branch on the right, and the complex step's flat floor.",
            ru=f"Относительная ошибка градиента в зависимости от шага h на `{name}`: измеренная (сплошная линия), "
            "модель из учебника (штриховая), оптимальный по модели и эмпирический шаги (вертикальные линии); "
            "обратите внимание на ветвь усечения слева, ветвь округления справа и ровное дно комплексного шага.",
        )))  # fmt: skip
    _optimizers(lesson, blocks, facts[bad]["fd-forward"]["at_thumb"])
    return Section(say(en="8. Derivative accuracy", ru="8. Точность производных"), blocks, figures)


def _optimizers(lesson: Lesson, blocks: list[Any], forward_error: float) -> None:
    runs = lesson.runs["lesson-brown"]
    say = lesson.say
    methods = list(dict.fromkeys(r["method"] for r in runs.rows))
    variants = list(dict.fromkeys(r["variant"] for r in runs.rows))
    table = [[r["method"], r["variant"], r["status"], r["iterations"], r["evaluations"],
              r["counts"].get("gradient_evaluations", 0), r["f_error"]] for r in runs.rows]  # fmt: skip
    blocks.append(Heading(say(en="8.2 What an inaccurate gradient does to an optimizer",
                              ru="8.2 Что неточный градиент делает с оптимизатором"), 3))  # fmt: skip
    shows, other = [], []
    for m in methods:
        exact = runs.one(method=m, variant="analytic")
        forward = runs.one(method=m, variant="fd-forward")
        if exact["status"] == "converged" and forward["status"] != "converged":
            shows.append((m, exact, forward))
        else:
            other.append((m, exact, forward))
    start, f_star = point(runs.rows[0]["x0"]), number(runs.rows[0]["f_star"])
    parts = [say(
        en=f"Brown's badly scaled function from {start}, f∗ = {f_star}, "
        f"with {join(code(m) for m in methods)} in {join(code(v) for v in variants)} derivatives.",
        ru=f"Плохо масштабированная функция Брауна из {start}, f∗ = {f_star}; методы "
        f"{say.join(code(m) for m in methods)} с производными {say.join(code(v) for v in variants)}.",
    )]  # fmt: skip
    if shows:
        one = len(shows) == 1
        parts.append(say(
            en=f"{len(shows)} of the {len(methods)} methods show the effect: with exact derivatives they "
            "converge, with forward differences they do not: "
            + join(f"{code(m)} {e['iterations']} iterations to |f − f∗| = {number(e['f_error'])} against "
                   f"{status(f['status'])} at |f − f∗| = {number(f['f_error'])} after {f['iterations']} "
                   f"iterations and {f['evaluations']} evaluations" for m, e, f in shows) + ".",
            ru=f"{len(shows)} из {plural_ru(len(methods), *METHODS_GENITIVE)} "
            f"{form_ru(len(shows), 'показывает', 'показывают', 'показывают')} эффект: с точными производными "
            f"{'он сходится' if one else 'они сходятся'}, с разностями вперёд — нет: "
            + say.join(f"{code(m)} — {plural_ru(e['iterations'], *ITERATIONS)} до |f − f∗| = {number(e['f_error'])} "
                       f"против статуса {code(f['status'])} при |f − f∗| = {number(f['f_error'])} после "
                       f"{f['iterations']} {form_ru(f['iterations'], *ITERATIONS_GENITIVE)} и {f['evaluations']} "
                       f"{form_ru(f['evaluations'], *EVALUATIONS_GENITIVE)}" for m, e, f in shows) + ".",
        ))  # fmt: skip
    if other:
        parts.append(say(
            en="Not shown by " + join(f"{code(m)} (analytic {status(e['status'])}, forward {status(f['status'])})"
                                      for m, e, f in other) + ".",
            ru="Эффект не виден у " + say.join(f"{code(m)} ({code('analytic')}: {code(e['status'])}, "
                                               f"{code('fd-forward')}: {code(f['status'])})" for m, e, f in other)
            + ".",
        ))  # fmt: skip
    rescued = {}
    for v in ("fd-central", "complex-step"):
        rows = [runs.one(method=m, variant=v) for m, _, _ in shows]
        if rows and all(r["status"] == "converged" for r in rows):
            low, high = min(r["evaluations"] for r in rows), max(r["evaluations"] for r in rows)
            rescued[v] = say(
                en=f"{code(v)} ({low} to {high} evaluations of f)",
                ru=f"{code(v)} (от {low} до {high} {form_ru(high, *EVALUATIONS_GENITIVE)} f)",
            )
    if rescued:
        parts.append(say(
            en=f"With {join(rescued.values(), 'or')} all {len(shows)} converge again, at the price of evaluations.",
            ru=f"С {say.join(rescued.values(), 'or')} все {len(shows)} снова сходятся, ценой лишних вычислений.",
        ))  # fmt: skip
    digits = number(max(0.0, -float(np.log10(forward_error))), 2)
    parts.append(say(
        en=f"Near x∗ the rule-of-thumb forward-difference gradient has about {digits} correct digits "
        "(section 8.1), so a method stalls where the true gradient is still far from zero: derivative "
        "accuracy is not a detail.",
        ru=f"Вблизи x∗ у градиента разностью вперёд с эмпирическим шагом верных знаков всего около {digits} "
        "(раздел 8.1), поэтому метод застревает там, где истинный градиент ещё далёк от нуля: точность "
        "производных — не мелочь.",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(
        en="method|derivatives|status|iterations|evaluations of f|exact gradient evaluations|error abs(f − f∗)",
        ru="метод|производные|статус|итераций|вычислений f|вычислений точного градиента|ошибка abs(f − f∗)",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/brown.csv"))
