"""Section 8, derivative accuracy: the error-versus-step V-curve of forward, central and complex-step
gradients on a well-scaled and a badly scaled function (sweeps stored beside the runs), and how the
accuracy of the gradient changes an optimizer's iterations and evaluations on Brown's badly scaled
function (study ``lesson-brown``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.runs import SWEEPS
from workbench.lesson.text import code, join, number, point, ratio, status
from workbench.report.document import Figure, Heading, Table, Text
from workbench.report.figures import error_versus_step
from workbench.variants import FINITE_DIFFERENCE_VARIANTS

__all__ = ["build", "branch_slope", "sweep_facts"]

VARIANTS = FINITE_DIFFERENCE_VARIANTS
#: The textbook order of each scheme's truncation error (the V's left branch slope on log-log axes).
ORDER = {"fd-forward": 1, "fd-central": 2}


def _render_sweep(path: Any, spec: tuple[str, dict[str, Any]]) -> None:
    error_versus_step(path, spec[0], spec[1])


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
    blocks.append(Heading("8.1 The error-versus-step V-curve", 3))
    forward, central, complex_step = (facts[well][v] for v in VARIANTS)
    blocks.append(Text(
        f"A forward difference (f(x + h) − f(x))/h has truncation error h/2·|f''|, falling with h, and round-off "
        f"error about 2·eps·|f|/h, growing as h falls: on log-log axes a V. Measured on `{well}` at "
        f"{point(sweeps[well]['x'])}: the left (large-h) branch has slope {number(forward['truncation'], 2)} "
        f"(truncation, order {ORDER['fd-forward']}), the right branch {number(forward['roundoff'], 2)} (round-off, "
        f"order −1); the bottom is a relative error of {number(forward['best'])} at "
        f"h = {number(forward['best_step'])}, "
        f"and the rule-of-thumb step √eps = {number(forward['thumb'])} gives {number(forward['at_thumb'])}. Central "
        f"differences cancel the h² term: truncation slope {number(central['truncation'], 2)}, bottom "
        f"{number(central['best'])} at h = {number(central['best_step'])} (rule of thumb eps^(1/3) = "
        f"{number(central['thumb'])}: {number(central['at_thumb'])}). The complex step Im f(x + ih)/h subtracts "
        f"nothing, so it has no round-off branch: {number(complex_step['at_thumb'])} at "
        f"h = {number(complex_step['thumb_step'])}, the smallest step swept."))  # fmt: skip
    point_bad = np.array(sweeps[bad]["x"], dtype=float)
    problem = lesson.problems[bad]
    hessian = np.asarray(problem.oracle("analytic", sparse=False).hessian(point_bad), dtype=float)
    thumb = facts[bad]["fd-forward"]["thumb"]
    step_two = thumb * max(1.0, abs(point_bad[1]))
    blocks.append(Text(
        f"Brown's badly scaled function near its minimizer, at {point(point_bad)}: the same rule-of-thumb forward "
        f"step gives a relative error of {number(facts[bad]['fd-forward']['at_thumb'])} "
        f"({ratio(facts[bad]['fd-forward']['at_thumb'], forward['at_thumb'])} the well-scaled case). The step in x2 is "
        f"√eps·max(1, |x2|) = {number(step_two)}, {number(100 * step_two / abs(point_bad[1]))}% of x2 itself, and "
        f"the curvature along x2 is ∂²f/∂x2² = {number(hessian[1, 1])}: the truncation term h/2·|f''| swamps the "
        f"gradient. Central differences ({number(facts[bad]['fd-central']['at_thumb'])}) and the complex step "
        f"({number(facts[bad]['complex-step']['at_thumb'])}) survive the bad scaling."))  # fmt: skip
    for name in SWEEPS:
        data = {k: sweeps[name][k] for k in ("steps", "measured", "model", "optimal_step", "rule_of_thumb")}
        job = FigureJob(f"figures/sweep-{name}.png", _render_sweep, (name, data))
        figures.append(job)
        blocks.append(Figure(job.path, f"Relative gradient error against the step h on `{name}`: measured (solid), "
                                       "the textbook model (dashed), model-optimal and rule-of-thumb steps "
                                       "(vertical lines); notice the truncation branch on the left, the round-off "
                                       "branch on the right, and the complex step's flat floor."))  # fmt: skip
    _optimizers(lesson, blocks, facts[bad]["fd-forward"]["at_thumb"])
    return Section("8. Derivative accuracy", blocks, figures)


def _optimizers(lesson: Lesson, blocks: list[Any], forward_error: float) -> None:
    runs = lesson.runs["lesson-brown"]
    methods = list(dict.fromkeys(r["method"] for r in runs.rows))
    variants = list(dict.fromkeys(r["variant"] for r in runs.rows))
    table = [[r["method"], r["variant"], r["status"], r["iterations"], r["evaluations"],
              r["counts"].get("gradient_evaluations", 0), r["f_error"]] for r in runs.rows]  # fmt: skip
    blocks.append(Heading("8.2 What an inaccurate gradient does to an optimizer", 3))
    shows, other = [], []
    for m in methods:
        exact = runs.one(method=m, variant="analytic")
        forward = runs.one(method=m, variant="fd-forward")
        if exact["status"] == "converged" and forward["status"] != "converged":
            shows.append((m, exact, forward))
        else:
            other.append((m, exact, forward))
    parts = [f"Brown's badly scaled function from {point(runs.rows[0]['x0'])}, f∗ = {number(runs.rows[0]['f_star'])}, "
             f"with {join(code(m) for m in methods)} in {join(code(v) for v in variants)} derivatives."]  # fmt: skip
    if shows:
        parts.append(f"{len(shows)} of the {len(methods)} methods show the effect: with exact derivatives they "
                     "converge, with forward differences they do not: "
                     + join(f"{code(m)} {e['iterations']} iterations to |f − f∗| = {number(e['f_error'])} against "
                            f"{status(f['status'])} at |f − f∗| = {number(f['f_error'])} after {f['iterations']} "
                            f"iterations and {f['evaluations']} evaluations" for m, e, f in shows) + ".")  # fmt: skip
    if other:
        parts.append("Not shown by " + join(f"{code(m)} (analytic {status(e['status'])}, forward {status(f['status'])})"
                                            for m, e, f in other) + ".")  # fmt: skip
    rescued = {}
    for v in ("fd-central", "complex-step"):
        rows = [runs.one(method=m, variant=v) for m, _, _ in shows]
        if rows and all(r["status"] == "converged" for r in rows):
            costs = [r["evaluations"] for r in rows]
            rescued[v] = f"{code(v)} ({min(costs)} to {max(costs)} evaluations of f)"
    if rescued:
        parts.append(f"With {join(rescued.values(), 'or')} all {len(shows)} converge again, at the price of "
                     "evaluations.")  # fmt: skip
    digits = max(0.0, -float(np.log10(forward_error)))
    parts.append(
        f"Near x∗ the rule-of-thumb forward-difference gradient has about {number(digits, 2)} correct digits "
        "(section 8.1), so a method stalls where the true gradient is still far from zero: derivative "
        "accuracy is not a detail."
    )
    blocks.append(Text(" ".join(parts)))
    headers = ["method", "derivatives", "status", "iterations", "evaluations of f", "exact gradient evaluations",
               "error abs(f − f∗)"]  # fmt: skip
    blocks.append(Table(headers, table, csv="tables/brown.csv"))
