"""Section 9, the lecture's practical task answered: HS071 with trust-constr, (1) analytic Jacobian and
Hessian, (2) finite-difference Jacobian and Hessian, (3) a finite-difference gradient with a
quasi-Newton (BFGS) Hessian model; solutions, |f − f∗|, iterations, true evaluations and time side by
side, and a conclusion drawn from those numbers (study ``lesson-hs071``)."""

from __future__ import annotations

from typing import Any

from workbench.expressions import parse_stored_expression
from workbench.lesson.context import Lesson, Section
from workbench.lesson.text import code, join, number, plural, point, ratio
from workbench.report.document import Table, Text

__all__ = ["HEADERS", "VARIANT_NAMES", "build", "exact_work"]

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


def exact_work(row: dict[str, Any]) -> int:
    """Evaluations of exact gradients, Hessians, Jacobians and constraint Hessians."""
    counts = row["counts"]
    names = ("gradient_evaluations", "hessian_evaluations", "jacobian_evaluations", "constraint_hessian_evaluations")
    return int(sum(counts.get(name, 0) for name in names))


def build(lesson: Lesson) -> Section:
    runs = lesson.runs["lesson-hs071"]
    rows = {v: runs.one(variant=v) for v in VARIANT_NAMES}
    info = lesson.info["hs071"]
    table = [[VARIANT_NAMES[v], v, r["status"], *r["x"], r["f_error"], r["iterations"],
              r["counts"]["objective_evaluations"], r["counts"]["constraint_evaluations"], r["evaluations"],
              exact_work(r), r["wall_time"]] for v, r in rows.items()]  # fmt: skip
    objective = str(parse_stored_expression(info["objective"])).replace("**", "^").replace("*", "·")
    blocks: list[Any] = [Text(
        f"Hock–Schittkowski problem 71: minimise f = {objective} over n = {info['n']} variables with "
        f"{plural(info['inequalities'], 'inequality constraint')}, {plural(info['equalities'], 'equality constraint')} "
        f"and bounds {info['lower'][0]:g} ≤ xi ≤ {info['upper'][0]:g}, from x0 = {point(info['x0'])}; "
        f"f∗ = {number(info['f_star'], 10)} at x∗ = {point(info['x_star'], 6)}. SciPy's trust-constr in three "
        "configurations, each judged by the workbench's own verdict from the exact derivatives. *Evaluations of f "
        "and c* count every evaluation, those spent inside finite differences included; *exact derivative "
        "evaluations* count calls of the compiled exact derivatives.")]  # fmt: skip
    blocks.append(Table(HEADERS, table, csv="tables/hs071.csv", digits=6))
    blocks.append(Text(_conclusion(rows)))
    return Section("9. The practical task: HS071 with analytic and finite-difference derivatives", blocks, [])


def _conclusion(rows: dict[str, dict[str, Any]]) -> str:
    analytic, differences, quasi = rows["analytic"], rows["fd-forward"], rows["fd-forward+bfgs"]
    solved = [v for v, r in rows.items() if r["status"] == "converged"]
    parts = []
    if len(solved) == len(rows):
        worst = max(rows.values(), key=lambda r: r["f_error"])
        parts.append(
            f"All three configurations solve the problem: the verdict says {code('converged')} for each, "
            f"with |f − f∗| at most {number(worst['f_error'])} ({SHORT[worst['variant']]})."
        )
    else:
        parts.append(
            f"Solved ({code('converged')}): {join(SHORT[v] for v in solved)}; not solved: "
            + join(f"{SHORT[v]} ({r['status']})" for v, r in rows.items() if v not in solved)
            + "."
        )
    most = max(rows.values(), key=lambda r: r["f_error"])
    least = min(rows.values(), key=lambda r: r["f_error"])
    parts.append(f"The most accurate answer came from {SHORT[least['variant']]} (|f − f∗| = "
                 f"{number(least['f_error'])}), the least accurate from {SHORT[most['variant']]} "
                 f"({number(most['f_error'])}).")  # fmt: skip
    cheapest = min(rows.values(), key=lambda r: r["evaluations"])
    parts.append(f"Evaluations of f and c: analytic {analytic['evaluations']} (plus {exact_work(analytic)} exact "
                 f"derivative evaluations), finite differences {differences['evaluations']} "
                 f"({ratio(differences['evaluations'], analytic['evaluations'])} analytic), quasi-Newton "
                 f"{quasi['evaluations']} ({ratio(quasi['evaluations'], analytic['evaluations'])}); the fewest: "
                 f"{SHORT[cheapest['variant']]}.")  # fmt: skip
    fewest = min(rows.values(), key=lambda r: r["iterations"])
    parts.append(f"Iterations: {analytic['iterations']}, {differences['iterations']} and {quasi['iterations']}; the "
                 f"fewest: {SHORT[fewest['variant']]}.")  # fmt: skip
    if quasi["iterations"] > differences["iterations"]:
        parts.append("The BFGS model needs more iterations than finite-difference Hessians because it learns the "
                     "curvature as it goes,")  # fmt: skip
        parts.append(
            "and it spends "
            + ("fewer" if quasi["evaluations"] < differences["evaluations"] else "more")
            + " evaluations in all: "
            + (
                "dropping the Hessian differences paid off."
                if quasi["evaluations"] < differences["evaluations"]
                else "each iteration is cheaper, but not cheap enough to pay for the extra iterations."
            )
        )
    fastest = min(rows.values(), key=lambda r: r["wall_time"])
    parts.append(f"Time: {number(analytic['wall_time'])} s, {number(differences['wall_time'])} s and "
                 f"{number(quasi['wall_time'])} s; the fastest: {SHORT[fastest['variant']]}.")  # fmt: skip
    if fastest is analytic and cheapest is analytic:
        parts.append("**Answer to the task:** the analytic derivatives, derived once from the declaration, win on "
                     "evaluations and time; finite differences reach the same solution, so they are the fallback "
                     "when derivatives are unavailable, at "
                     f"{ratio(differences['evaluations'], analytic['evaluations'])}"
                     " the evaluations.")  # fmt: skip
    else:
        parts.append("**Answer to the task:** here the fewest evaluations came from "
                     f"{SHORT[cheapest['variant']]} "
                     f"and the shortest time from {SHORT[fastest['variant']]}; all configurations are "
                     "compared on the same verdict, so the choice follows from the table.")  # fmt: skip
    return " ".join(parts)
