"""The two pages that answer the workbench's questions, from stored rows only:

* ``index``: which derivative variant is accurate (the accuracy headline) and how many iterations each
  method needs with each variant (the headline pivot), the study's limits first, one key figure, links to
  every page and to the lesson;
* ``iterations``: the limits, the pivot, the profiles, what finite differences cost, and the long lists
  (claimed successes, local minima, every success rate) folded under counts with their CSV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from workbench.report import tables
from workbench.report.document import Details, Figure, Heading, Links, Page, Table, Text
from workbench.report.figures import FIRST_ORDER
from workbench.report.fragility import environment_blocks, fragility_blocks
from workbench.table import format_number

__all__ = ["index_page", "iterations_page", "limits_text", "profile_figures"]

PIVOT_CAPTION = (
    "Rows: methods; columns: derivative variants. **success %**: runs that `converged` (by the workbench's own "
    "verdict) out of the runs where the method applies. **iterations** and **work** (evaluations of f, c and exact "
    "derivatives, finite-difference ones included): the lower median over the problems that *every* variant of the "
    "row's method solves (counted in the second column), so the columns of a row compare the same problems. "
    "Empty: the method does not apply with that variant."
)
ACCURACY_CAPTION = (
    "Correct digits of each finite-difference variant against the exact derivatives, per problem its worst random "
    "check point; **median** and **worst** over the problems (16 = agreement to the last bit of float64)."
)
#: The profile figures of the iteration page: (key, caption).
PROFILE_CAPTIONS = (
    ("performance-work-unconstrained", "Performance profiles on the unconstrained problems, cost = work (evaluations "
     "of f, c and exact derivatives); one row per derivative variant, one column per family of methods; notice how "
     "the finite-difference rows shift right."),
    ("performance-time-unconstrained", "The same profiles with wall-clock time as the cost; cheap evaluations make "
     "time and work rank methods differently."),
    ("performance-work-constrained", "Performance profiles on the bounded and constrained problems for the methods "
     "that handle them, cost = work."),
    ("data-profile", "Data profiles on the unconstrained problems: share solved to 1e-3 of the initial gap within a "
     "budget of simplex gradients; notice the evaluations finite differences add."),
)  # fmt: skip


def _value(value: Any) -> str:
    if value is None:
        return "none"
    return format_number(value, 6)


def limits_text(runs: Sequence[dict[str, Any]]) -> str:
    """One sentence on what stopped the runs, read from their stored resolved options."""
    limits = tables.study_limits(runs)
    words = {"max_iterations": ("at most {} iterations", "no iteration limit"),
             "time_limit": ("at most {} s of wall-clock time", "no time limit"),
             "max_evaluations": ("at most {} units of work", "no work budget")}  # fmt: skip
    parts = []
    for name, values in limits.items():
        limited, unlimited = words[name]
        if len(values) == 1:
            (value,) = values
            parts.append(unlimited if value is None else limited.format(_value(value)))
        else:
            listed = ", ".join(f"{_value(v)} ({count} runs)"
                               for v, count in sorted(values.items(), key=lambda item: -item[1]))  # fmt: skip
            parts.append(f"`{name}` {listed}")
    if not parts:
        return "The stored runs record no limits."
    ran = sum(r["status"] != "not_applicable" for r in runs)
    stopped = Counter(r["status"] for r in runs if r["status"] in ("max_iterations", "max_evaluations", "timeout"))
    which = " (" + ", ".join(f"{c} {s}" for s, c in sorted(stopped.items())) + ")" if stopped else ""
    text = (f"**Limits of this study.** Every run had {'; '.join(parts)} (the stored resolved options of the "
            f"{ran} runs that ran). {sum(stopped.values())} runs ended at a limit{which}.")  # fmt: skip
    family = [r for r in runs if r["method"] in FIRST_ORDER and r["status"] != "not_applicable"]
    capped = sum(r["status"] == "max_iterations" for r in family)
    if family and capped:
        text += (f" Of the {len(family)} runs of the first-order family ({', '.join(FIRST_ORDER)}), {capped} stopped "
                 "at the iteration limit: these methods often need thousands of iterations, so their success rates "
                 "here measure the cap as much as the method (`workbench report --full` runs with each method's own "
                 "limit).")  # fmt: skip
    return text


def _pivot_table(runs: Sequence[dict[str, Any]], methods: Sequence[str], csv: str) -> Table:
    headers, rows, variants = tables.headline_pivot(runs, methods)
    labels = ["method", "problems all variants solve"] + ["success %", "iterations", "work"] * len(variants)
    groups = [("", 2)] + [(variant, 3) for variant in variants]
    return Table(headers, rows, csv=csv, caption=PIVOT_CAPTION, groups=groups, labels=labels)


def _accuracy_table(checks: Sequence[dict[str, Any]], csv: str) -> tuple[Table, str]:
    headers, rows, quantities = tables.accuracy_headline(checks)
    labels = ["variant"] + ["median", "worst", "problems"] * len(quantities)
    groups = [("", 1)] + [(f"{q.replace('_', ' ')} digits", 3) for q in quantities]
    table = Table(headers, rows, csv=csv, caption=ACCURACY_CAPTION, groups=groups, labels=labels)
    answer = ""
    if rows and quantities:  # the gradient (first quantity): best and worst variant by median digits
        ranked = sorted((row for row in rows if row[1] is not None), key=lambda row: -row[1])
        if len(ranked) >= 2:
            best, worst = ranked[0], ranked[-1]
            answer = (f"**Answer.** On the {quantities[0].replace('_', ' ')}, `{best[0]}` is the most accurate "
                      f"variant (median {best[1]:.1f} digits, worst {best[2]:.1f}) and `{worst[0]}` the least (median "
                      f"{worst[1]:.1f}, worst {worst[2]:.1f}).")  # fmt: skip
    return table, answer


def index_page(
    runs: Sequence[dict[str, Any]],
    checks: Sequence[dict[str, Any]],
    methods: Sequence[str],
    names: Sequence[str],
    problem_pages: Sequence[tuple[str, str]],
    environment: dict[str, Any],
    *,
    key_figure: bool,
    lesson: str | None,
    training: tuple[str, str] | None = None,
) -> Page:
    """The report's front page (module docstring); ``lesson``: the lesson page's target, when present;
    ``training``: the training page's target and its answer in a sentence, when the store holds data runs."""
    index = Page("index", "Workbench report")
    if runs:
        index.add(Text(limits_text(runs), note=True))
    statuses = Counter(r["status"] for r in runs)
    index.add(Text(
        "Generated by `workbench report` from the result store alone (restyling never re-runs a study): "
        f"{len(names)} problems, {len(runs)} stored runs ("
        + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())) + ")."
    ))  # fmt: skip
    pages = [("accuracy report", "accuracy"), ("iteration-count report", "iterations")]
    if training:
        pages.append(("training on data", training[0]))
    if lesson:
        pages.append(("the lesson", lesson))
    index.add(Links(pages, inline=True))
    index.add(Heading("Which derivative variant is accurate?"))
    if checks:
        table, answer = _accuracy_table(checks, "tables/index-accuracy.csv")
        if answer:
            index.add(Text(answer))
        index.add(table)
        index.add(Text("Per problem, with the error model beside the measured error: the "
                       "[accuracy report](accuracy.md)."))  # fmt: skip
    else:
        index.add(Text("No derivative checks are stored: run `workbench report` (without --from-store)."))
    index.add(Heading("How many iterations does each method need with each variant?"))
    if runs:
        index.add(_pivot_table(runs, methods, "tables/index-pivot.csv"))
        if key_figure:
            index.add(Figure("figures/variant-profile.png",
                             "Which variant is cheapest? A performance profile of the derivative variants: every "
                             "(method, problem) pair where all variants apply is one instance, cost = work; the value "
                             "at tau = 1 is how often a variant was the cheapest, the right end how often it solved "
                             "the instance at all."))  # fmt: skip
        index.add(Text("Profiles per method, costs of finite differences, and where verdict and method disagree: the "
                       "[iteration-count report](iterations.md)."))  # fmt: skip
    index.add(Heading("Problems"))
    index.add(Text("One page per problem: its derivative checks and error-versus-step figure, its runs as a "
                   "method x variant table, convergence figures and (2-D problems) trajectories."))  # fmt: skip
    index.add(Links(problem_pages, inline=True))
    if training:
        index.add(Heading("Which optimizer trains a classifier on data?"))
        index.add(Text(f"{training[1]} Mini-batches, epochs and full-batch methods on the same axes, with every "
                       f"run's loss, test accuracy and work: the [training page]({training[0]}.md)."))  # fmt: skip
    if lesson:
        index.add(Heading("The lesson"))
        index.add(Text("The lecture on training neural networks, its figures and claims regenerated from the "
                       "workbench's own runs (in English and Russian)."))  # fmt: skip
        index.add(Links([("the lesson", lesson)]))
    if environment:
        index.add(Heading("Environment"))
        index.add(Text(", ".join(f"{k} {environment[k]}" for k in ("python", "numpy", "scipy", "sympy", "symengine",
                                 "workbench", "platform", "cpu_count") if k in environment) + "."))  # fmt: skip
        index.add(*environment_blocks(environment))
    return index


def iterations_page(
    runs: Sequence[dict[str, Any]],
    methods: Sequence[str],
    profiles: dict[str, Any],
    how_to_read: tuple[str, str],
    *,
    training: str | None = None,
) -> Page:
    """The iteration-count report (module docstring); ``how_to_read``: the runs' and the profiles' texts;
    ``training``: the training page's target, when there is one (linked)."""
    page = Page("iterations", "Iteration-count report: methods x derivative variants")
    links = [("report index", "index"), ("accuracy report", "accuracy")]
    page.add(Links(links + ([("training on data", training)] if training else []), inline=True))
    if not runs:
        page.add(Text("No runs are stored: run `workbench report` (without --from-store)."))
        return page
    page.add(Text(limits_text(runs), note=True))
    page.add(Heading("Success rate, iterations and work per method and variant"))
    page.add(_pivot_table(runs, methods, "tables/summary-pivot.csv"))
    headers, rows = tables.summary_by_method(runs, methods)
    page.add(Details(f"Every method and variant with its counts of outcomes ({len(rows)} rows)", [
        Table(headers, rows, csv="tables/summary-by-method.csv",
              caption="Per method and variant over the problems where it applies; success % counts `converged` "
                      "only (known local minima are counted apart); medians over the converged runs.")]))  # fmt: skip
    page.add(Heading("Performance and data profiles"), Text(how_to_read[1]))
    page.add(*profile_figures(profiles))
    page.add(Heading("What finite differences cost"))
    headers, rows = tables.fd_cost_pivot(runs, methods)
    variants = len(headers[1:]) // 2
    page.add(Table(headers, rows, csv="tables/fd-cost-pivot.csv", groups=[("", 1)] + [
        (h.rsplit(" median", 1)[0], 2) for h in headers[1::2]],
        labels=["method"] + ["median work ratio", "problems lost"] * variants,
        caption="Work of a finite-difference run divided by the analytic run's, median over the problems both "
                "solved; **problems lost**: solved with analytic derivatives, not with the variant."))  # fmt: skip
    headers, rows = tables.fd_cost_ratios(runs, methods)
    page.add(Details(f"Every ratio with its range ({len(rows)} rows)", [
        Table(headers, rows, csv="tables/fd-cost-ratios.csv")]))  # fmt: skip
    headers, rows, numbers = tables.hessian_variants(runs, methods)
    if rows:
        page.add(Heading("Does a better finite-difference Hessian buy the iterations back?"))
        page.add(Text(hessian_sentence(numbers)))
        page.add(Table(headers, rows, csv="tables/hessian-variants.csv",
                       caption="Methods that use a Hessian at every iteration, per derivative variant: success over "
                               "the problems where the method applies, and medians over the problems every variant "
                               "of the method solved (so each median is taken over the same problems); work counts "
                               "every evaluation of f, c and exact derivatives, the finite-difference ones "
                               "included."))  # fmt: skip
    page.add(Heading("Claimed success, verdict disagrees"))
    headers, rows = tables.claimed_but_failed(runs, methods)
    count_headers, counts = tables.claimed_by_method(runs, methods)
    page.add(Text(f"{len(rows)} runs where the method reported success but the workbench's verdict (from exact "
                  "derivatives) says the point is not a solution, counted by method and variant."))  # fmt: skip
    if counts:
        page.add(Table(count_headers, counts, csv="tables/claimed-by-method.csv"))
    page.add(Details(f"The {len(rows)} runs, one per row", [
        Table(headers, rows, csv="tables/claimed-but-failed.csv")]))  # fmt: skip
    page.add(Heading("Stops at known local minima"))
    headers, rows = tables.local_minimum_stops(runs, methods)
    by_headers, by_problem = tables.local_minimum_by_problem(runs)
    page.add(Text(f"{len(rows)} runs ended at a documented local minimum: not a failure of the method, a property of "
                  "the problem and its start point; counted by problem."))  # fmt: skip
    if by_problem:
        page.add(Table(by_headers, by_problem, csv="tables/local-minimum-by-problem.csv"))
    page.add(Details(f"The {len(rows)} runs, one per row", [
        Table(headers, rows, csv="tables/local-minimum-stops.csv")]))  # fmt: skip
    page.add(*fragility_blocks(runs, methods))
    page.add(Heading("How to read this"), Text(how_to_read[0]))
    return page


def profile_figures(profiles: dict[str, Any]) -> list[Figure]:
    return [Figure(f"figures/{key}.png", caption) for key, caption in PROFILE_CAPTIONS if profiles.get(key)]


def hessian_sentence(numbers: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The answer in numbers read from the store, for Newton's method (or the first Hessian method present):
    success, median iterations and median work of analytic, fd-central and fd-richardson Hessians."""
    method = "newton" if "newton" in numbers else next(iter(numbers))
    by = numbers[method]
    parts = []
    for variant in ("analytic", "fd-central", "fd-richardson"):
        entry = by.get(variant)
        if entry is None:
            continue
        part = f"`{variant}` solves {entry['converged']} of {entry['runs']} ({entry['success']:g}%)"
        if entry["iterations"] is not None:
            part += f", median {entry['iterations']:g} iterations and work {entry['work']:g}"
        parts.append(part)
    common = next(iter(by.values()))["common"]
    text = f"`{method}` with each Hessian: {'; '.join(parts)} (medians over the {common} problems every variant "
    text += "solved)."
    central, richardson = by.get("fd-central"), by.get("fd-richardson")
    if central and richardson and central["work"] and richardson["work"] is not None:
        more = richardson["converged"] - central["converged"]
        solves = "as many problems as"
        if more:
            solves = f"{abs(more)} problem{'' if abs(more) == 1 else 's'} {'more' if more > 0 else 'fewer'} than"
        text += (
            f" Richardson's Hessian solves {solves} central differences and takes a median of "
            f"{richardson['iterations']:g} iterations against {central['iterations']:g}, for "
            f"{richardson['work'] / central['work']:.1f} times the work."
        )
    return text
