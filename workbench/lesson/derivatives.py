"""Section 8, derivative accuracy: the error-versus-step V-curve of forward, central and complex-step
gradients on a well-scaled and a badly scaled function (sweeps stored beside the runs); the step rules
side by side at the same points (textbook, scaled by typical_x, adaptive Richardson, and the model-optimal
steps as the ceiling, with the digits and evaluations each got: the sweeps' stored ``rules``) and which to
pick; and how the accuracy of the gradient changes an optimizer's iterations and evaluations on Brown's
badly scaled function, with textbook steps (study ``lesson-brown``) and with steps scaled by its
typical_x (study ``lesson-brown-scaled``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.plan import BROWN, SWEEPS
from workbench.lesson.text import (
    EVALUATIONS_GENITIVE,
    ITERATIONS,
    ITERATIONS_GENITIVE,
    METHODS,
    METHODS_GENITIVE,
    RUNS_GENITIVE,
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
from workbench.variants import FIXED_STEP_VARIANTS

__all__ = ["build", "branch_slope", "rule_facts", "sweep_facts"]

VARIANTS = FIXED_STEP_VARIANTS
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
    "textbook": "{variant}, учебный шаг: {error}, вычислений {evaluations}",
    "scaled": "{variant}, шаги по typical_x (маркер на переменную): {error}, вычислений {evaluations}",
    "adaptive": "fd-richardson, адаптивный: {error}, вычислений {evaluations}",
    "model_optimal": "fd-optimal, шаги по точным f_iii (эталон): {error}, вычислений {evaluations}",
}
#: The step rules in the order the lesson's table lists them: (variant, rule) of the sweeps' ``rules``.
RULES = (("fd-forward", "textbook"), ("fd-forward", "scaled"), ("fd-central", "textbook"), ("fd-central", "scaled"),
         ("fd-richardson", "adaptive"), ("fd-optimal", "model-optimal"))  # fmt: skip
RULE_NAMES = {
    "textbook": ("textbook step", "учебный шаг"),
    "scaled": ("steps scaled by typical_x", "шаги по typical_x"),
    "adaptive": ("adaptive ladder + Richardson", "адаптивная лестница + Ричардсон"),
    "model-optimal": ("model-optimal (exact f_iii; teaching)", "оптимальный по модели (точные f_iii; эталон)"),
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


def rule_facts(sweep: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The sweep's measured step rules by (variant, rule) (:func:`workbench.accuracy.step_rules`)."""
    return {(r["variant"], r["rule"]): r for r in sweep.get("rules", ())}


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
        data = {k: sweeps[name][k] for k in ("steps", "measured", "model", "optimal_step", "rule_of_thumb", "rules")}
        job = FigureJob(f"figures/sweep-{name}.png", _render_sweep, (name, data, words))
        figures.append(job)
        blocks.append(Figure(job.path, say(
            en=f"Relative gradient error against the step h on `{name}`: measured (solid), "
            "the textbook model (dashed), model-optimal and rule-of-thumb steps "
            "(vertical lines), and the step rules of 8.2 at their errors (markers; Richardson a dash-dot line); "
            "notice the truncation branch on the left, the round-off branch on the right, and the complex "
            "step's flat floor.",
            ru=f"Относительная ошибка градиента в зависимости от шага h на `{name}`: измеренная (сплошная линия), "
            "модель из учебника (штриховая), оптимальный по модели и эмпирический шаги (вертикальные линии) и "
            "правила выбора шага из 8.2 на уровне их ошибок (маркеры; Ричардсон — штрихпунктир); обратите "
            "внимание на ветвь усечения слева, ветвь округления справа и ровное дно комплексного шага.",
        )))  # fmt: skip
    _rules(lesson, blocks, sweeps)
    _optimizers(lesson, blocks, facts[bad]["fd-forward"]["at_thumb"])
    _scaled_optimizers(lesson, blocks)
    return Section(say(en="8. Derivative accuracy", ru="8. Точность производных"), blocks, figures)


def _digits(rule: dict[str, Any]) -> str:
    """A rule's correct digits, to one decimal."""
    return number(round(float(rule["digits"]), 1), 3)


def _rules(lesson: Lesson, blocks: list[Any], sweeps: dict[str, Any]) -> None:
    """8.2: the step rules side by side on the two swept functions (and Brown's at x0), and which to pick:
    every comparison below is made on the stored numbers, and the sentences follow its outcome."""
    say = lesson.say
    well, bad = SWEEPS
    rules = {name: rule_facts(sweeps[name]) for name in SWEEPS}
    at_x0 = {(r["variant"], r["rule"]): r for r in lesson.facts[bad].get("rules_at_x0", ())}
    blocks.append(Heading(say(en="8.2 Three step rules and the model's optimum",
                              ru="8.2 Три правила выбора шага и оптимум модели"), 3))  # fmt: skip
    w, b = rules[well], rules[bad]
    fw, cw, rw, ow = (w[("fd-forward", "textbook")], w[("fd-central", "textbook")], w[("fd-richardson", "adaptive")],
                      w[("fd-optimal", "model-optimal")])  # fmt: skip
    fb, sb, cb, scb = (b[("fd-forward", "textbook")], b[("fd-forward", "scaled")], b[("fd-central", "textbook")],
                       b[("fd-central", "scaled")])  # fmt: skip
    rb, ob = b[("fd-richardson", "adaptive")], b[("fd-optimal", "model-optimal")]
    f0, s0 = at_x0[("fd-forward", "textbook")], at_x0[("fd-forward", "scaled")]
    c0, sc0 = at_x0[("fd-central", "textbook")], at_x0[("fd-central", "scaled")]
    typical, x0 = sweeps[bad]["typical_x"], point(lesson.info[bad]["x0"])
    scaled_x2 = sb["steps"][1] * max(1.0, abs(float(sweeps[bad]["x"][1])))
    lost = number(round(cb["digits"] - scb["digits"], 1), 3)
    evaluations = say(en="evaluations", ru="вычислений")
    blocks.append(Text(say(
        en=f"At the same two points, four ways to choose the step (the table below; digits = −log10 of the relative "
        f"error, evaluations of f in parentheses). On `{well}`: the textbook forward step {_digits(fw)} digits "
        f"({fw['evaluations']}), the textbook central step {_digits(cw)} ({cw['evaluations']}); `fd-richardson`, a "
        f"ladder of steps h_0·2^−k per coordinate extrapolated by Richardson's tableau, {_digits(rw)} "
        f"({rw['evaluations']}, every point of its step search counted); and `fd-optimal`, central differences at "
        f"the steps that minimise the error model, computed from the exact third derivatives that a user without "
        f"exact derivatives does not have, {_digits(ow)} ({ow['evaluations']}). On Brown's function the library "
        f"declares typical_x = {point(typical)}. Near x∗ it shrinks the forward step in x2 to {number(scaled_x2)}, "
        f"and forward differences go from {_digits(fb)} to {_digits(sb)} digits; at x0 = {x0} "
        f"from {_digits(f0)} to {_digits(s0)}. Central differences go from {_digits(cb)} to {_digits(scb)} near x∗ "
        f"and from {_digits(c0)} to {_digits(sc0)} at x0; "
        f"Richardson (whose ladder starts at max(typical_x_i, |x_i|)) gets {_digits(rb)} ({rb['evaluations']}) and "
        f"`fd-optimal` {_digits(ob)}.",
        ru=f"В тех же двух точках — четыре способа выбрать шаг (таблица ниже; знаки = −log10 относительной ошибки, в "
        f"скобках — число вычислений f). На `{well}`: учебный шаг разности вперёд — {_digits(fw)} верных знаков "
        f"({fw['evaluations']}), учебный центральный шаг — {_digits(cw)} ({cw['evaluations']}); `fd-richardson`, "
        f"лестница шагов h_0·2^−k по каждой координате с экстраполяцией по таблице Ричардсона, — {_digits(rw)} "
        f"({rw['evaluations']}, все точки подбора шага учтены); `fd-optimal`, центральные разности с шагами, "
        f"минимизирующими модель ошибки и вычисленными по точным третьим производным, которых у пользователя без "
        f"точных производных нет, — {_digits(ow)} ({ow['evaluations']}). Для функции Брауна в библиотеке объявлен "
        f"typical_x = {point(typical)}. Вблизи x∗ он уменьшает шаг разности вперёд по x2 до {number(scaled_x2)}, и "
        f"разности вперёд дают {_digits(sb)} верных знаков вместо {_digits(fb)}; в x0 = "
        f"{x0} — {_digits(s0)} вместо {_digits(f0)}. Центральные разности вблизи x∗ дают "
        f"{_digits(scb)} вместо {_digits(cb)}, в x0 — {_digits(sc0)} вместо {_digits(c0)}; Ричардсон (его лестница "
        "начинается с max(typical_x_i, |x_i|)) — "
        f"{_digits(rb)} ({rb['evaluations']}), `fd-optimal` — {_digits(ob)}.",
    )))  # fmt: skip
    parts = [say(
        en=f"Which to pick. The textbook central rule is the default: {_digits(cw)} and {_digits(cb)} digits here "
        f"for 2n evaluations. Declare typical_x when variables live on scales far from 1 and you use forward "
        f"differences, whose truncation error grows with the step: it costs no evaluation.",
        ru=f"Что выбрать. Учебный центральный шаг — выбор по умолчанию: {_digits(cw)} и {_digits(cb)} верных знаков "
        f"здесь за 2n вычислений. Объявляйте typical_x, когда переменные живут в масштабах, далёких от 1, и вы "
        f"берёте разности вперёд, у которых погрешность усечения растёт с шагом: это не стоит ни одного вычисления.",
    )]  # fmt: skip
    if scb["digits"] < cb["digits"] - 0.5:
        parts.append(say(
            en=f"Check central differences after declaring it: near x∗ it cost them {lost} digits, because f is "
            "quadratic in x2, so the central difference has no truncation error along x2 and the larger textbook "
            "step only meant less round-off"
            + (f" (at x0 it gave them {number(round(sc0['digits'] - c0['digits'], 1), 3)})." if sc0["digits"] >
               c0["digits"] + 0.5 else "."),
            ru=f"Но проверьте центральные разности после объявления: вблизи x∗ они потеряли {lost} "
            f"{form_ru(lost, 'знак', 'знака', 'знаков')}, потому что f квадратична по x2: у центральной "
            "разности нет погрешности усечения вдоль x2, и больший учебный шаг означал лишь меньшую ошибку "
            "округления"
            + (f" (в x0 они выиграли {number(round(sc0['digits'] - c0['digits'], 1), 3)} "
               f"{form_ru(number(round(sc0['digits'] - c0['digits'], 1), 3), 'знак', 'знака', 'знаков')})."
               if sc0["digits"] > c0["digits"] + 0.5 else "."),
        ))  # fmt: skip
    if rw["digits"] > cw["digits"] + 1:
        parts.append(say(
            en=f"Pay for `fd-richardson` when you need more digits of a smooth function: {_digits(rw)} against "
            f"{_digits(cw)} on `{well}`, for {ratio(rw['evaluations'], cw['evaluations'])} the evaluations"
            + (f"; it is no cure for bad scaling, though: {_digits(rb)} near Brown's x∗, fewer than the textbook "
               f"central rule's {_digits(cb)}." if rb["digits"] < cb["digits"] else "."),
            ru=f"Платите за `fd-richardson`, когда нужно больше знаков гладкой функции: {_digits(rw)} против "
            f"{_digits(cw)} на `{well}`, ценой {ratio_ru(rw['evaluations'], cw['evaluations'])} большего числа "
            "вычислений"
            + (f"; от плохого масштабирования он, однако, не лечит: {_digits(rb)} вблизи x∗ функции Брауна, меньше, "
               f"чем {_digits(cb)} у учебного центрального шага." if rb["digits"] < cb["digits"] else "."),
        ))  # fmt: skip
    fallback = ob.get("steps") == scb.get("steps")
    parts.append(say(
        en="`fd-optimal` is a yardstick, never a choice: it needs the exact higher derivatives, and it is only as "
        "good as the model"
        + (": Brown's function is quadratic in each variable (f_iii = 0), so the model has no optimum and "
           "`fd-optimal` falls back to the (scaled) textbook step." if fallback else "."),
        ru="`fd-optimal` — мерило, а не выбор: ему нужны точные старшие производные, и он хорош ровно настолько, "
        "насколько хороша модель"
        + (": функция Брауна квадратична по каждой переменной (f_iii = 0), у модели нет оптимума, и "
           "`fd-optimal` возвращается к (масштабированному) учебному шагу." if fallback else "."),
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    table = []
    for name, measured in ((well, rules[well]), (bad, rules[bad]), (f"{bad}, x0", at_x0)):
        for variant, rule in RULES:
            found = measured.get((variant, rule))
            if found is not None:
                words = RULE_NAMES[rule]
                table.append([name, variant, say(en=words[0], ru=words[1]), round(float(found["digits"]), 1),
                              found["evaluations"]])  # fmt: skip
    headers = say(en=f"function and point|variant|step rule|correct digits|{evaluations} of f",
                  ru=f"функция и точка|вариант|правило шага|верных знаков|{evaluations} f")  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/step-rules.csv"))


def _optimizers(lesson: Lesson, blocks: list[Any], forward_error: float) -> None:
    runs = lesson.runs["lesson-brown"]
    say = lesson.say
    methods = list(dict.fromkeys(r["method"] for r in runs.rows))
    variants = list(dict.fromkeys(r["variant"] for r in runs.rows))
    table = [[r["method"], r["variant"], r["status"], r["iterations"], r["evaluations"],
              r["counts"].get("gradient_evaluations", 0), r["f_error"]] for r in runs.rows]  # fmt: skip
    blocks.append(Heading(say(en="8.3 What an inaccurate gradient does to an optimizer",
                              ru="8.3 Что неточный градиент делает с оптимизатором"), 3))  # fmt: skip
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
    for v in ("fd-central", "complex-step", "fd-richardson"):
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
        "accuracy is not a detail. (These runs take the textbook steps: the function is declared here without "
        "its typical_x.)",
        ru=f"Вблизи x∗ у градиента разностью вперёд с эмпирическим шагом верных знаков всего около {digits} "
        "(раздел 8.1), поэтому метод застревает там, где истинный градиент ещё далёк от нуля: точность "
        "производных — не мелочь. (В этих прогонах шаги учебные: функция объявлена здесь без typical_x.)",
    ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    headers = say(
        en="method|derivatives|status|iterations|evaluations of f|exact gradient evaluations|error abs(f − f∗)",
        ru="метод|производные|статус|итераций|вычислений f|вычислений точного градиента|ошибка abs(f − f∗)",
    )  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/brown.csv"))


def _scaled_optimizers(lesson: Lesson, blocks: list[Any]) -> None:
    """The same optimizers with forward differences whose steps the declared typical_x scales: the step in
    x1 stays √eps·|x1|, and its truncation error sets where every run stops."""
    say = lesson.say
    runs = lesson.runs["lesson-brown-scaled"]
    sweep = lesson.store.sweeps()[BROWN]
    typical = sweep["typical_x"]
    x1 = float(lesson.info[BROWN]["x_star"][0])
    h1 = sweep["rule_of_thumb"]["fd-forward"] * max(float(typical[0]), abs(x1))
    f11 = float(lesson.facts[BROWN]["hessian_at_sweep_point"][0][0])
    truncation, stall = h1 * f11 / 2, (h1 * f11 / 4) ** 2
    methods = list(dict.fromkeys(r["method"] for r in runs.rows))
    solved = [r for r in runs.rows if r["status"] == "converged"]
    stopped = [r for r in runs.rows if r["status"] != "converged"]
    outcome = say.join(f"{code(r['method'])} {say.status(r['status'])} (|f − f∗| = {number(r['f_error'])})"
                       for r in runs.rows)  # fmt: skip
    parts = [say(
        en=f"Declaring typical_x = {point(typical)} (study `lesson-brown-scaled`: the library's declaration, the "
        f"same {len(methods)} methods, forward differences): {outcome}.",
        ru=f"С объявленным typical_x = {point(typical)} (исследование `lesson-brown-scaled`: объявление из "
        f"библиотеки, те же {plural_ru(len(methods), *METHODS)}, разности вперёд): {outcome}.",
    )]  # fmt: skip
    near = [r for r in stopped if stall / 10 <= float(r["f_error"]) <= 10 * stall]
    far = [r for r in stopped if r not in near]
    if stopped:
        parts.append(say(
            en=f"The step in x2 is now right, but the step in x1 is √eps·max(typical_x1, |x1|) = {number(h1)} "
            f"whatever typical_x says, because |x1| ≈ {number(x1)}; its truncation error h1·∂²f/∂x1²/2 = "
            f"{number(truncation)} is a gradient error that does not shrink near x∗, so a method stops where the "
            f"true ∂f/∂x1 equals it, at f ≈ (h1·∂²f/∂x1²/4)² = {number(stall)}.",
            ru=f"Шаг по x2 теперь правильный, но шаг по x1 равен √eps·max(typical_x1, |x1|) = {number(h1)} при "
            f"любом typical_x, потому что |x1| ≈ {number(x1)}; его погрешность усечения h1·∂²f/∂x1²/2 = "
            f"{number(truncation)} — ошибка градиента, которая не уменьшается вблизи x∗, и метод останавливается "
            f"там, где истинная ∂f/∂x1 равна ей, при f ≈ (h1·∂²f/∂x1²/4)² = {number(stall)}.",
        ))  # fmt: skip
    if near:
        low, high = min(float(r["f_error"]) for r in near), max(float(r["f_error"]) for r in near)
        parts.append(say(
            en=f"{join(code(r['method']) for r in near)} stopped there: |f − f∗| = {number(low)} to {number(high)}.",
            ru=f"{say.join(code(r['method']) for r in near)} "
            f"{form_ru(len(near), 'остановился', 'остановились', 'остановились')} именно там: |f − f∗| от "
            f"{number(low)} до {number(high)}.",
        ))  # fmt: skip
    if far:
        parts.append(say(
            en=f"{join(code(r['method']) for r in far)} did not get that far.",
            ru=f"{say.join(code(r['method']) for r in far)} не {form_ru(len(far), 'дошёл', 'дошли', 'дошли')} и "
            "до этого уровня.",
        ))  # fmt: skip
    if stopped:
        parts.append(say(
            en="No forward step proportional to |x1| reaches |f − f∗| ≤ 1e−6 here; central differences, whose "
            "truncation error is O(h²), do, as the runs above show. typical_x fixes a variable whose step is too "
            "big for its size, not a truncation error the size of the variable itself causes.",
            ru="Никакой шаг разности вперёд, пропорциональный |x1|, не даёт здесь |f − f∗| ≤ 1e−6; центральные "
            "разности, у которых погрешность усечения O(h²), этого достигают, как показывают прогоны выше. typical_x "
            "исправляет слишком большой для переменной шаг, но не погрешность усечения, которую вызывает сам "
            "размер переменной.",
        ))  # fmt: skip
    if solved:
        parts.append(say(
            en=f"{len(solved)} of the {len(runs.rows)} runs converged: "
            + join(f"{code(r['method'])} in {r['iterations']} iterations" for r in solved) + ".",
            ru=f"{len(solved)} из {plural_ru(len(runs.rows), *RUNS_GENITIVE)} "
            f"{form_ru(len(solved), 'сошёлся', 'сошлись', 'сошлись')}: "
            + say.join(f"{code(r['method'])} за {plural_ru(r['iterations'], *ITERATIONS)}" for r in solved) + ".",
        ))  # fmt: skip
    blocks.append(Text(" ".join(parts)))
    table = [[r["method"], r["variant"], r["status"], r["iterations"], r["evaluations"], r["f_error"]]
             for r in runs.rows]  # fmt: skip
    headers = say(en="method|derivatives|status|iterations|evaluations of f|error abs(f − f∗)",
                  ru="метод|производные|статус|итераций|вычислений f|ошибка abs(f − f∗)")  # fmt: skip
    blocks.append(Table(headers.split("|"), table, csv="tables/brown-scaled.csv"))
