"""Section 9, the lecture's practical task answered: HS071 with trust-constr, (1) analytic Jacobian and
Hessian, (2) finite-difference Jacobian and Hessian, (3) a finite-difference gradient with a
quasi-Newton (BFGS) Hessian model; solutions, |f − f∗|, iterations, true evaluations and time side by
side, and a conclusion drawn from those numbers (study ``lesson-hs071``)."""

from __future__ import annotations

from typing import Any

from workbench.expressions import parse_stored_expression
from workbench.lesson.context import Lesson, Section
from workbench.lesson.text import EVALUATIONS, code, form_ru, join, number, plural, plural_ru, point, ratio, ratio_ru
from workbench.report.document import Table, Text

__all__ = ["HEADERS", "HEADERS_RU", "SHORT_RU", "VARIANT_NAMES", "VARIANT_NAMES_RU", "build", "exact_work"]

VARIANT_NAMES = {
    "analytic": "(1) analytic Jacobian and Hessian",
    "fd-forward": "(2) finite-difference Jacobian and Hessian",
    "fd-forward+bfgs": "(3) finite-difference gradient, BFGS Hessian",
}
#: The configurations in sentences.
SHORT = {"analytic": "analytic (1)", "fd-forward": "finite differences (2)", "fd-forward+bfgs": "quasi-Newton (3)"}
HEADERS = ["configuration", "derivatives", "status", "x1", "x2", "x3", "x4", "error abs(f − f∗)", "iterations",
           "evaluations of f", "evaluations of c", "evaluations of f and c", "exact derivative evaluations",
           "time (s)"]  # fmt: skip
#: The same in Russian (the configuration is feminine: "конфигурация").
VARIANT_NAMES_RU = {
    "analytic": "(1) аналитические якобиан и гессиан",
    "fd-forward": "(2) якобиан и гессиан конечными разностями",
    "fd-forward+bfgs": "(3) градиент конечными разностями, гессиан BFGS",
}
SHORT_RU = {"analytic": "аналитическая (1)", "fd-forward": "конечно-разностная (2)",
            "fd-forward+bfgs": "квазиньютоновская (3)"}  # fmt: skip
HEADERS_RU = ["конфигурация", "производные", "статус", "x1", "x2", "x3", "x4", "ошибка abs(f − f∗)", "итераций",
              "вычислений f", "вычислений c", "вычислений f и c", "вычислений точных производных",
              "время (с)"]  # fmt: skip


def exact_work(row: dict[str, Any]) -> int:
    """Evaluations of exact gradients, Hessians, Jacobians and constraint Hessians."""
    counts = row["counts"]
    names = ("gradient_evaluations", "hessian_evaluations", "jacobian_evaluations", "constraint_hessian_evaluations")
    return int(sum(counts.get(name, 0) for name in names))


def build(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-hs071"]
    rows = {v: runs.one(variant=v) for v in VARIANT_NAMES}
    info = lesson.info["hs071"]
    say = lesson.say
    names = VARIANT_NAMES_RU if lesson.language == "ru" else VARIANT_NAMES
    table = [[names[v], v, r["status"], *r["x"], r["f_error"], r["iterations"],
              r["counts"]["objective_evaluations"], r["counts"]["constraint_evaluations"], r["evaluations"],
              exact_work(r), r["wall_time"]] for v, r in rows.items()]  # fmt: skip
    objective = str(parse_stored_expression(info["objective"])).replace("**", "^").replace("*", "·")
    n, inequalities, equalities = info["n"], info["inequalities"], info["equalities"]
    bounds, x0 = f"{info['lower'][0]:g} ≤ xi ≤ {info['upper'][0]:g}", point(info["x0"])
    optimum = f"f∗ = {number(info['f_star'], 10)}", f"x∗ = {point(info['x_star'], 6)}"
    blocks: list[Any] = [Text(say(
        en=f"Hock–Schittkowski problem 71: minimise f = {objective} over n = {n} variables with "
        f"{plural(inequalities, 'inequality constraint')}, {plural(equalities, 'equality constraint')} "
        f"and bounds {bounds}, from x0 = {x0}; "
        f"{optimum[0]} at {optimum[1]}. SciPy's trust-constr in three "
        "configurations, each judged by the workbench's own verdict from the exact derivatives. *Evaluations of f "
        "and c* count every evaluation, those spent inside finite differences included; *exact derivative "
        "evaluations* count calls of the compiled exact derivatives.",
        ru=f"Задача Хока–Шиттковски № 71: минимизировать f = {objective} по n = {n} "
        f"{form_ru(n, 'переменной', 'переменным', 'переменным')} при "
        f"{plural_ru(inequalities, 'ограничении-неравенстве', *['ограничениях-неравенствах'] * 2)}, "
        f"{plural_ru(equalities, 'ограничении-равенстве', *['ограничениях-равенствах'] * 2)} "
        f"и границах {bounds}, из x0 = {x0}; {optimum[0]} в {optimum[1]}. Метод trust-constr из SciPy в трёх "
        "конфигурациях, каждую из которых оценивает собственный вердикт workbench по точным производным. "
        "*Вычисления f и c* учитывают каждое вычисление, включая потраченные внутри конечных разностей; "
        "*вычисления точных производных* — это вызовы скомпилированных точных производных.",
    ))]  # fmt: skip
    blocks.append(Table(say(en="|".join(HEADERS), ru="|".join(HEADERS_RU)).split("|"), table,
                        csv="tables/hs071.csv", digits=6))  # fmt: skip
    blocks.append(Text(_conclusion(lesson, rows)))
    heading = say(
        en="9. The practical task: HS071 with analytic and finite-difference derivatives",
        ru="9. Практическое задание: HS071 с аналитическими производными и конечными разностями",
    )
    return Section(heading, blocks, [])


def _conclusion(lesson: Lesson, rows: dict[str, dict[str, Any]]) -> str:
    say = lesson.say
    short = SHORT_RU if lesson.language == "ru" else SHORT
    analytic, differences, quasi = rows["analytic"], rows["fd-forward"], rows["fd-forward+bfgs"]
    solved = [v for v, r in rows.items() if r["status"] == "converged"]
    parts = []
    if len(solved) == len(rows):
        worst = max(rows.values(), key=lambda r: r["f_error"])
        parts.append(say(
            en=f"All three configurations solve the problem: the verdict says {code('converged')} for each, "
            f"with |f − f∗| at most {number(worst['f_error'])} ({short[worst['variant']]}).",
            ru=f"Все три конфигурации решают задачу: вердикт для каждой — {code('converged')}, |f − f∗| не больше "
            f"{number(worst['f_error'])} (худшая — {short[worst['variant']]}).",
        ))  # fmt: skip
    else:
        unsolved = [f"{short[v]} ({code(r['status']) if say.language == 'ru' else r['status']})"
                    for v, r in rows.items() if v not in solved]  # fmt: skip
        parts.append(say(
            en=f"Solved ({code('converged')}): {join(short[v] for v in solved)}; not solved: " + join(unsolved) + ".",
            ru=f"Решили задачу ({code('converged')}): {say.join(short[v] for v in solved)}; не решили: "
            + say.join(unsolved) + ".",
        ))  # fmt: skip
    most = max(rows.values(), key=lambda r: r["f_error"])
    least = min(rows.values(), key=lambda r: r["f_error"])
    parts.append(say(
        en=f"The most accurate answer came from {short[least['variant']]} (|f − f∗| = "
        f"{number(least['f_error'])}), the least accurate from {short[most['variant']]} "
        f"({number(most['f_error'])}).",
        ru=f"Самый точный ответ: {short[least['variant']]}, |f − f∗| = {number(least['f_error'])}; наименее точный: "
        f"{short[most['variant']]}, {number(most['f_error'])}.",
    ))  # fmt: skip
    cheapest = min(rows.values(), key=lambda r: r["evaluations"])
    exact = exact_work(analytic)
    parts.append(say(
        en=f"Evaluations of f and c: analytic {analytic['evaluations']} (plus {exact} exact "
        f"derivative evaluations), finite differences {differences['evaluations']} "
        f"({ratio(differences['evaluations'], analytic['evaluations'])} analytic), quasi-Newton "
        f"{quasi['evaluations']} ({ratio(quasi['evaluations'], analytic['evaluations'])}); the fewest: "
        f"{short[cheapest['variant']]}.",
        ru=f"Вычислений f и c: аналитическая — {analytic['evaluations']} (плюс {plural_ru(exact, *EVALUATIONS)} "
        f"точных производных), конечно-разностная — {differences['evaluations']} "
        f"({_times_ru(differences['evaluations'], analytic['evaluations'])} аналитической), квазиньютоновская — "
        f"{quasi['evaluations']} ({_times_ru(quasi['evaluations'], analytic['evaluations'])}); меньше всего: "
        f"{short[cheapest['variant']]}.",
    ))  # fmt: skip
    fewest = min(rows.values(), key=lambda r: r["iterations"])
    counts = f"{analytic['iterations']}, {differences['iterations']}", f"{quasi['iterations']}"
    parts.append(say(en=f"Iterations: {counts[0]} and {counts[1]}; the fewest: {short[fewest['variant']]}.",
                     ru=f"Итераций: {counts[0]} и {counts[1]}; меньше всего: {short[fewest['variant']]}."))  # fmt: skip
    if quasi["iterations"] > differences["iterations"]:
        fewer = quasi["evaluations"] < differences["evaluations"]
        parts.append(say(
            en="The BFGS model needs more iterations than finite-difference Hessians because it learns the "
            "curvature as it goes,",
            ru="Модели BFGS нужно больше итераций, чем конфигурации с разностными гессианами, потому что кривизну "
            "она узнаёт по ходу дела,",
        ))  # fmt: skip
        parts.append(say(
            en="and it spends " + ("fewer" if fewer else "more") + " evaluations in all: "
            + ("dropping the Hessian differences paid off." if fewer
               else "each iteration is cheaper, but not cheap enough to pay for the extra iterations."),
            ru="и всего она тратит " + ("меньше" if fewer else "больше") + " вычислений: "
            + ("отказ от разностного гессиана окупился." if fewer
               else "каждая итерация дешевле, но не настолько, чтобы окупить лишние итерации."),
        ))  # fmt: skip
    fastest = min(rows.values(), key=lambda r: r["wall_time"])
    times = number(analytic["wall_time"]), number(differences["wall_time"]), number(quasi["wall_time"])
    parts.append(say(en=f"Time: {times[0]} s, {times[1]} s and {times[2]} s; the fastest: {short[fastest['variant']]}.",
                     ru=f"Время: {times[0]} с, {times[1]} с и {times[2]} с; быстрее всех: "
                     f"{short[fastest['variant']]}."))  # fmt: skip
    if fastest is analytic and cheapest is analytic:
        parts.append(say(
            en="**Answer to the task:** the analytic derivatives, derived once from the declaration, win on "
            "evaluations and time; finite differences reach the same solution, so they are the fallback "
            "when derivatives are unavailable, at "
            f"{ratio(differences['evaluations'], analytic['evaluations'])} the evaluations.",
            ru="**Ответ на задание:** аналитические производные, выведенные один раз из объявления задачи, "
            "выигрывают и по числу вычислений, и по времени; конечные разности приходят к тому же решению, поэтому "
            "они — запасной вариант на случай, когда производных нет, ценой "
            f"{ratio_ru(differences['evaluations'], analytic['evaluations'])} большего числа вычислений.",
        ))  # fmt: skip
    else:
        parts.append(say(
            en="**Answer to the task:** here the fewest evaluations came from "
            f"{short[cheapest['variant']]} "
            f"and the shortest time from {short[fastest['variant']]}; all configurations are "
            "compared on the same verdict, so the choice follows from the table.",
            ru="**Ответ на задание:** здесь меньше всего вычислений потребовала конфигурация "
            f"{short[cheapest['variant']]}, а меньше всего времени — {short[fastest['variant']]}; все конфигурации "
            "сравниваются по одному и тому же вердикту, так что выбор следует из таблицы.",
        ))  # fmt: skip
    return " ".join(parts)


def _times_ru(a: float, b: float) -> str:
    """``a / b`` with the digits of :func:`~workbench.lesson.text.ratio`: "в 28 раз больше" when a ≥ b."""
    return f"{ratio_ru(a, b)} больше" if a >= b else f"{ratio(a, b).removesuffix('x')} от"
