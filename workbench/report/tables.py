"""The report's tables and profile data, computed from stored rows only (pure functions).

Cost of a run: its **work**, defined once in :mod:`workbench.cost` (evaluations of f and c, the
finite-difference ones included, plus exact gradient, Jacobian and Hessian evaluations) and stored
with every run and every trace record; the tables and profiles read the stored numbers.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from workbench.reproducibility import CLOCK_SEEDED, TIME_LIMIT
from workbench.variants import (
    TEACHING_VARIANTS,
    TEXTBOOK_STEPS,
    textbook_label,
    variant_rank,
)

__all__ = [
    "accuracy_headline",
    "claimed_but_failed",
    "claimed_by_method",
    "fd_cost_pivot",
    "headline_pivot",
    "local_minimum_by_problem",
    "marked",
    "marked_status",
    "problem_pivot",
    "study_limits",
    "variant_order",
    "variant_profile_costs",
    "data_profile_budgets",
    "digits_summary",
    "fd_cost_ratios",
    "hessian_variants",
    "local_minimum_stops",
    "performance_costs",
    "problem_check_rows",
    "problem_run_rows",
    "reproducibility_note",
    "solver_label",
    "step_rules",
    "step_rules_overview",
    "summary_by_method",
    "variant_label",
    "with_reproducibility",
    "work",
]

EXCLUDED_FROM_LABEL = {"seed", "x0", "max_iterations", "time_limit", "max_evaluations"}
REACHED = ("converged", "local_minimum")
#: The options that limit a run, as the report states them (stored resolved options).
LIMITS = ("max_iterations", "time_limit", "max_evaluations")
#: Check quantities in the order the report shows them.
QUANTITIES = ("gradient", "hessian", "jacobian", "constraint_hessian")


def variant_order(names: Sequence[str] | set[str]) -> list[str]:
    """The variants found in the store, in report order (:func:`workbench.variants.variant_rank`:
    the known ones as listed there, any other after them by name)."""
    return sorted(set(names), key=variant_rank)


def work(run: dict[str, Any]) -> float:
    """The run's stored work (:mod:`workbench.cost`)."""
    return float(run["work"])


def varying_options(runs: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Per method, the option names whose values differ between its runs (grids)."""
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for run in runs:
        for key, value in (run.get("options") or {}).items():
            if key not in EXCLUDED_FROM_LABEL:
                values[run["method"]][key].add(repr(value))
    return {method: sorted(k for k, v in names.items() if len(v) > 1) for method, names in values.items()}


def solver_label(run: dict[str, Any], varying: dict[str, list[str]]) -> str:
    """``method`` plus the grid options that distinguish its runs, e.g. ``sgd learning_rate=0.01``."""
    options = run.get("options") or {}
    extra = [f"{k}={options[k]}" for k in varying.get(run["method"], []) if k in options]
    return " ".join([run["method"], *extra])


def order_runs(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> list[dict[str, Any]]:
    rank = {m: i for i, m in enumerate(methods)}
    return sorted(
        runs,
        key=lambda r: (
            rank.get(r["method"], len(rank)),
            r["method"],
            variant_rank(r["variant"]),
            repr(sorted((r.get("options") or {}).items())),
            r["seed"],
            r["start"],
        ),  # fmt: skip
    )


def _verdict(run: dict[str, Any]) -> str:
    if run["status"] == "not_applicable":
        return "-"
    verdict = run.get("verdict") or {}
    passed = "pass" if verdict.get("passed") else "fail"
    claimed = " (claimed success)" if run["claimed_success"] and not verdict.get("passed") else ""
    return passed + claimed


PROBLEM_RUN_HEADERS = [
    "method", "variant", "status", "iterations", "work", "|f - f*|", "evaluations", "gradient calls",
    "Hessian calls", "||x - x*||", "KKT stationarity", "feasibility", "complementarity", "verdict", "reproducibility",
]  # fmt: skip


def problem_run_rows(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """One row per run of one problem: status and verdict, counts, errors, KKT residuals and the
    reproducibility note (:func:`reproducibility_note`: fragile, stable, clock-seeded, ...). Wall-clock times
    are in the timing table only (:mod:`workbench.report.fragility`)."""
    varying = varying_options(runs)
    multi = len({(r["seed"], r["start"]) for r in runs}) > 1
    headers = list(PROBLEM_RUN_HEADERS)
    if multi:
        headers[2:2] = ["seed", "start"]
    rows = []
    for run in order_runs(runs, methods):
        if run["status"] == "not_applicable":
            continue
        row = [solver_label(run, varying), run["variant"]]
        if multi:
            row += [run["seed"], run["start"]]
        row += [
            run["status"], run["iterations"], work(run), run["f_error"],
            run["evaluations"], run["gradient_calls"], run["hessian_calls"], run["x_error"], run["stationarity"],
            run["feasibility"], run["complementarity"], _verdict(run), reproducibility_note(run),
        ]  # fmt: skip
        rows.append(row)
    return headers, rows


def summary_by_method(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Per solver and variant: applicable runs, converged, known local minima, other outcomes,
    success rate and the median work / iterations of the converged runs."""
    varying = varying_options(runs)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for run in order_runs(runs, methods):
        groups[(solver_label(run, varying), run["variant"])].append(run)
    headers = ["method", "variant", "applicable", "converged", "local minima", "other", "success %",
               "median work (converged)", "median iterations (converged)"]  # fmt: skip
    rows = []
    for (solver, variant), members in groups.items():
        applicable = [r for r in members if r["status"] != "not_applicable"]
        if not applicable:
            continue
        converged = [r for r in applicable if r["status"] == "converged"]
        local = sum(r["status"] == "local_minimum" for r in applicable)
        rows.append([
            solver, variant, len(applicable), len(converged), local, len(applicable) - len(converged) - local,
            round(100.0 * len(converged) / len(applicable), 1),
            statistics.median(work(r) for r in converged) if converged else None,
            statistics.median(r["iterations"] for r in converged) if converged else None,
        ])  # fmt: skip
    return headers, rows


def fd_cost_ratios(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Per method and finite-difference variant: over problems both it and the analytic run solved,
    the median and range of work(variant) / work(analytic); and the problems lost to differencing."""
    varying = varying_options(runs)
    by: dict[tuple[str, str, str, int, int], dict[str, Any]] = {}
    for run in runs:
        by[(solver_label(run, varying), run["problem"], run["variant"], run["seed"], run["start"])] = run
    solvers = list(dict.fromkeys(solver_label(r, varying) for r in order_runs(runs, methods)))
    variants = sorted({r["variant"] for r in runs if r["variant"] != "analytic"}, key=variant_rank)
    headers = ["method", "variant", "problems both solved", "median work ratio", "min ratio", "max ratio",
               "solved analytic, lost with FD"]  # fmt: skip
    rows = []
    for solver in solvers:
        for variant in variants:
            ratios, lost = [], 0
            for (s, problem, v, seed, start), run in by.items():
                if s != solver or v != "analytic" or run["status"] != "converged":
                    continue
                other = by.get((solver, problem, variant, seed, start))
                if other is None or other["status"] == "not_applicable":
                    continue
                if other["status"] == "converged" and work(run) > 0:
                    ratios.append(work(other) / work(run))
                elif other["status"] != "converged":
                    lost += 1
            if ratios or lost:
                rows.append([solver, variant, len(ratios), statistics.median(ratios) if ratios else None,
                             min(ratios) if ratios else None, max(ratios) if ratios else None, lost])  # fmt: skip
    return headers, rows


def claimed_but_failed(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Runs whose method reported success where the independent verdict disagrees."""
    rows = [
        [
            r["problem"],
            r["method"],
            r["variant"],
            r["status"],
            r["f_error"],
            r["stationarity"],
            r["feasibility"],
            (r.get("verdict") or {}).get("message", ""),
        ]  # fmt: skip
        for r in order_runs(runs, methods)
        if r["claimed_success"] and r["status"] not in ("converged", "local_minimum")
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    return ["problem", "method", "variant", "status", "|f - f*|", "KKT stationarity", "feasibility", "verdict"], rows


def local_minimum_stops(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Runs that stopped at one of the problem's documented local minima (kept apart from failures)."""
    rows = [
        [r["problem"], r["method"], r["variant"], r["f"], (r.get("verdict") or {}).get("local_minimum"), r["f_star"]]
        for r in order_runs(runs, methods)
        if r["status"] == "local_minimum"
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    return ["problem", "method", "variant", "f", "known local minimum", "f*"], rows


def performance_costs(
    runs: Sequence[dict[str, Any]], problems: Sequence[str], variant: str, *, cost: str
) -> dict[str, np.ndarray]:
    """{solver: cost per problem} for the Dolan-Moré profile; inf where the run did not converge
    (or did not apply). ``cost`` is ``"work"`` or ``"time"``. Seed 0, start 0 runs only."""
    varying = varying_options(runs)
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for run in runs:
        if run["variant"] != variant or run["start"] != 0 or run["problem"] not in problems:
            continue
        value = math.inf
        if run["status"] == "converged":
            value = float(work(run)) if cost == "work" else max(float(run["wall_time"]), 1e-6)
        table[solver_label(run, varying)][run["problem"]] = value
    return {s: np.array([row.get(p, math.inf) for p in problems]) for s, row in table.items()
            if any(math.isfinite(row.get(p, math.inf)) for p in problems)}  # fmt: skip


def data_profile_budgets(
    runs: Sequence[dict[str, Any]],
    traces: dict[str, dict[str, list[Any]]],
    problems: dict[str, dict[str, Any]],
    variant: str,
    *,
    tau: float = 1e-3,
) -> dict[str, np.ndarray]:
    """{solver: work / (n + 1) at which f(x) <= f_L + tau (f(x0) - f_L) first held}, per
    problem (Moré & Wild 2009); f_L = f* when known, else the best f any run found; inf if never."""
    varying = varying_options(runs)
    names = list(problems)
    best: dict[str, float] = {}
    for run in runs:
        if run["f"] is not None and run["status"] in REACHED:
            best[run["problem"]] = min(best.get(run["problem"], math.inf), float(run["f"]))
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for run in runs:
        if run["variant"] != variant or run["start"] != 0 or run["problem"] not in problems:
            continue
        info = problems[run["problem"]]
        trace = traces.get(run["key"])
        value = math.inf
        f_low = info["f_star"] if info["f_star"] is not None else best.get(run["problem"])
        if trace and trace["f"] and f_low is not None and math.isfinite(trace["f"][0]):
            threshold = f_low + tau * (trace["f"][0] - f_low)
            for f, violation, spent in zip(trace["f"], trace["violation"], trace["work"], strict=True):
                if f <= threshold and (violation != violation or violation <= 1e-6):
                    value = spent / (info["n"] + 1)
                    break
        table[solver_label(run, varying)][run["problem"]] = value
    return {s: np.array([row.get(p, math.inf) for p in names]) for s, row in table.items()}


def variant_label(variant: str) -> str:
    """A variant as tables and figures name it: a teaching baseline (``fd-optimal``, which reads exact
    higher derivatives) marked as such."""
    return f"{variant} (teaching baseline)" if variant in TEACHING_VARIANTS else variant


def digits_summary(
    checks: Sequence[dict[str, Any]], problems: dict[str, dict[str, Any]]
) -> tuple[list[str], list[list[Any]], np.ndarray, list[str]]:
    """Library-wide accuracy: per problem, the worst digits over the random check points for each
    quantity and variant, and a note where a practical variant falls well short of its textbook accuracy
    (forward < 6, central < 8, complex step < 13, Richardson < 11 gradient digits): a badly scaled
    problem. The teaching baseline ``fd-optimal`` has its column but is never flagged or ranked."""
    worst: dict[tuple[str, str, str], float] = {}
    for row in checks:
        if not row["point"].startswith("random") or row["digits"] is None:
            continue
        key = (row["problem"], row["quantity"], row["variant"])
        worst[key] = min(worst.get(key, math.inf), float(row["digits"]))
    variants = variant_order({k[2] for k in worst})
    quantities = [q for q in ("gradient", "hessian", "jacobian") if any(k[1] == q for k in worst)]
    headers = ["problem", "n"] + [f"{q} {variant_label(v)}" for q in quantities for v in variants] + ["note"]
    expected = {"fd-forward": 6, "fd-central": 8, "complex-step": 13, "fd-richardson": 11}
    rows, heat, names = [], [], []
    for name in sorted(problems):
        if not any(k[0] == name for k in worst):
            continue
        row: list[Any] = [name, problems[name]["n"]]
        for q in quantities:
            for v in variants:
                value = worst.get((name, q, v))
                row.append(None if value is None or not math.isfinite(value) else round(value, 1))
        short = [v for v in variants if v in expected and worst.get((name, "gradient", v), 16) < expected[v]]
        row.append(("gradient short of textbook accuracy: " + ", ".join(short)) if short else "")
        rows.append(row)
        names.append(name)
        heat.append([worst.get((name, "gradient", v), math.nan) for v in variants])
    return headers, rows, np.array(heat, dtype=float).reshape(len(names), len(variants)), variants


def problem_check_rows(checks: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The derivative-check table of one problem: measured error next to the model's."""
    order = {"gradient": 0, "hessian": 1, "jacobian": 2, "constraint_hessian": 3}
    headers = ["point", "quantity", "variant", "digits", "max abs error", "rel error", "model error",
               "measured / model", "evaluations"]  # fmt: skip
    rows = []
    for row in sorted(checks, key=lambda r: (r["point"], order.get(r["quantity"], 9), variant_rank(r["variant"]))):
        predicted = row["predicted_error"]
        measured = row["abs_error"]
        ratio = measured / predicted if predicted and measured is not None and predicted > 0 else None
        rows.append([row["point"], row["quantity"], variant_label(row["variant"]), row["digits"], measured,
                     row["rel_error"], predicted, ratio, row["evaluations"]])  # fmt: skip
    return headers, rows


# -------------------------------------------------------------------------------------------
# the answers: pivots of methods x variants, the accuracy headline, the study's limits


def study_limits(runs: Sequence[dict[str, Any]]) -> dict[str, dict[Any, int]]:
    """{limit option: {value: runs}} over the runs that ran (not ``not_applicable``), read from their
    stored resolved options: what stopped a run that did not converge (:data:`LIMITS`)."""
    found: dict[str, dict[Any, int]] = {name: {} for name in LIMITS}
    for run in runs:
        if run["status"] == "not_applicable":
            continue
        options = run.get("options") or {}
        for name in LIMITS:
            if name in options:
                value = options[name]
                found[name][value] = found[name].get(value, 0) + 1
    return {name: values for name, values in found.items() if values}


def _solver_runs(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{solver label: {variant: runs}} in method order."""
    varying = varying_options(runs)
    table: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for run in order_runs(runs, methods):
        table.setdefault(solver_label(run, varying), {}).setdefault(run["variant"], []).append(run)
    return table


def _instance(run: dict[str, Any]) -> tuple[str, int, int]:
    return (run["problem"], int(run["seed"]), int(run["start"]))


def headline_pivot(
    runs: Sequence[dict[str, Any]], methods: Sequence[str]
) -> tuple[list[str], list[list[Any]], list[str]]:
    """Methods as rows, derivative variants as columns: per cell the success % (``converged`` runs over
    the runs that apply), and the lower median of iterations and of work over the problems **every**
    variant of that method solves (the same instances in every column of the row, so the columns
    compare like with like; a variant the method never applies to is left out of that set). Lower
    median: an observed run's count, never a half. Returns headers, rows and the variants in order."""
    variants = variant_order({r["variant"] for r in runs})
    headers = ["method", "problems all variants solve"]
    for variant in variants:
        headers += [f"{variant} success %", f"{variant} median iterations", f"{variant} median work"]
    rows = []
    for solver, by_variant in _solver_runs(runs, methods).items():
        applied = {v: [r for r in by_variant.get(v, []) if r["status"] != "not_applicable"] for v in variants}
        if not any(applied.values()):
            continue
        solved = {v: {_instance(r) for r in rs if r["status"] == "converged"} for v, rs in applied.items() if rs}
        common = set.intersection(*solved.values()) if solved else set()
        row: list[Any] = [solver, len({p for p, _, _ in common})]
        for variant in variants:
            members = applied[variant]
            if not members:
                row += [None, None, None]
                continue
            success = round(100.0 * sum(r["status"] == "converged" for r in members) / len(members))
            shared = [r for r in members if r["status"] == "converged" and _instance(r) in common]
            row += [
                success,
                statistics.median_low(r["iterations"] for r in shared) if shared else None,
                statistics.median_low(work(r) for r in shared) if shared else None,
            ]
        rows.append(row)
    return headers, rows, variants


def accuracy_headline(checks: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]], list[str]]:
    """Variants as rows, check quantities as columns: the median and the worst (lowest) correct digits
    over the problems, each problem counted by its worst random check point. Returns headers, rows
    and the quantities in order."""
    worst: dict[tuple[str, str, str], float] = {}
    for row in checks:
        if not row["point"].startswith("random") or row["digits"] is None or not math.isfinite(row["digits"]):
            continue
        key = (row["problem"], row["quantity"], row["variant"])
        worst[key] = min(worst.get(key, math.inf), float(row["digits"]))
    variants = variant_order({k[2] for k in worst})
    quantities = [q for q in QUANTITIES if any(k[1] == q for k in worst)]
    quantities += sorted({k[1] for k in worst} - set(quantities))
    headers = ["variant"]
    for quantity in quantities:
        headers += [f"{quantity} median digits", f"{quantity} worst digits", f"{quantity} problems"]
    rows = []
    for variant in variants:
        row: list[Any] = [variant]
        for quantity in quantities:
            values = [d for (_, q, v), d in worst.items() if q == quantity and v == variant]
            row += [round(statistics.median(values), 1), round(min(values), 1), len(values)] if values else [None] * 3
        rows.append(row)
    return headers, rows, quantities


def fd_cost_pivot(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """:func:`fd_cost_ratios` as a pivot: methods as rows; per finite-difference variant the median work
    ratio against analytic derivatives and the problems lost to differencing."""
    _, flat = fd_cost_ratios(runs, methods)
    variants = variant_order({row[1] for row in flat})
    headers = ["method"]
    for variant in variants:
        headers += [f"{variant} median work ratio", f"{variant} problems lost"]
    table: dict[str, dict[str, list[Any]]] = {}
    for solver, variant, _count, median, _low, _high, lost in flat:
        table.setdefault(solver, {})[variant] = [median, lost]
    rows = [[solver, *(v for variant in variants for v in cells.get(variant, [None, None]))]
            for solver, cells in table.items()]  # fmt: skip
    return headers, rows


def claimed_by_method(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Counts of runs where the method claimed success and the verdict disagrees, methods x variants."""
    variants = variant_order({r["variant"] for r in runs})
    rows = []
    for solver, by_variant in _solver_runs(runs, methods).items():
        counts = [sum(r["claimed_success"] and r["status"] not in REACHED for r in by_variant.get(v, []))
                  for v in variants]  # fmt: skip
        if any(counts):
            rows.append([solver, *counts, sum(counts)])
    return ["method", *variants, "all variants"], rows


def local_minimum_by_problem(runs: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Per problem: runs that stopped at a documented local minimum, and the methods that did."""
    table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        if run["status"] == "local_minimum":
            table[run["problem"]].append(run)
    rows = [[problem, len(members), ", ".join(sorted({r["method"] for r in members}))]
            for problem, members in sorted(table.items(), key=lambda item: (-len(item[1]), item[0]))]  # fmt: skip
    return ["problem", "runs at a local minimum", "methods"], rows


def problem_pivot(
    runs: Sequence[dict[str, Any]], methods: Sequence[str]
) -> tuple[list[str], list[list[Any]], list[str]]:
    """One problem's runs as methods x variants: per cell the status (with :data:`MARK` where the outcome is
    not to be relied on), iterations and work (the first seed, start 0; methods that cannot run on the
    problem are left out)."""
    first = min((r["seed"] for r in runs), default=0)
    chosen = [r for r in runs if r["status"] != "not_applicable" and r["seed"] == first and r["start"] == 0]
    variants = variant_order({r["variant"] for r in chosen})
    headers = ["method"]
    for variant in variants:
        headers += [f"{variant} status", f"{variant} iterations", f"{variant} work"]
    rows = []
    for solver, by_variant in _solver_runs(chosen, methods).items():
        row: list[Any] = [solver]
        for variant in variants:
            run = (by_variant.get(variant) or [None])[0]
            row += [None, None, None] if run is None else [marked_status(run), run["iterations"], work(run)]
        rows.append(row)
    return headers, rows, variants


def variant_profile_costs(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> dict[str, np.ndarray]:
    """{variant: work per instance} for a performance profile of the derivative variants: an instance is
    one (method, problem, seed, start) that every variant applies to; inf where the variant's run did
    not converge. Instances no variant solved are left out."""
    variants = variant_order({r["variant"] for r in runs})
    cost: dict[tuple[Any, ...], dict[str, float]] = defaultdict(dict)
    varying = varying_options(runs)
    for run in runs:
        if run["status"] == "not_applicable":
            continue
        key = (solver_label(run, varying), *_instance(run))
        cost[key][run["variant"]] = work(run) if run["status"] == "converged" else math.inf
    instances = [k for k, row in cost.items() if len(row) == len(variants) and any(map(math.isfinite, row.values()))]
    return {v: np.array([cost[k][v] for k in instances], dtype=float) for v in variants}


#: The step rules compared side by side: (column heading, check-row variant to read, whether the column
#: is the rule scaled by a declared typical_x). The textbook columns read the ``@textbook`` rows where
#: the problem declares typical_x, the variant's own rows otherwise (its steps are then the textbook ones).
STEP_RULES: tuple[tuple[str, str, bool], ...] = (
    ("textbook forward", "fd-forward", False),
    ("textbook central", "fd-central", False),
    ("scaled forward (typical_x)", "fd-forward", True),
    ("scaled central (typical_x)", "fd-central", True),
    ("adaptive (fd-richardson)", "fd-richardson", False),
    ("model-optimal (fd-optimal, teaching baseline)", "fd-optimal", False),
)
QUANTITY_ORDER = {"gradient": 0, "hessian": 1, "jacobian": 2, "constraint_hessian": 3}


def _rule_row(
    rows: dict[str, dict[str, Any]], variant: str, scaled: bool, as_run: bool = False
) -> dict[str, Any] | None:
    """The check row a step rule reads among one point's rows ``{variant label: row}`` (:data:`STEP_RULES`).
    A scaled rule on a problem without typical_x has no row, or with ``as_run`` the variant's own (the
    steps the oracle takes there are the textbook ones)."""
    declared = any(textbook_label(v) in rows for v in TEXTBOOK_STEPS)
    if scaled:
        return rows.get(variant) if declared or as_run else None
    if variant in TEXTBOOK_STEPS and declared:
        return rows.get(textbook_label(variant))
    return rows.get(variant)


def _cell(digits: float | None, evaluations: int | None) -> str:
    """``"digits (evaluations)"``; empty where the rule was not measured."""
    if digits is None or evaluations is None:
        return ""
    return f"{digits:.1f} ({evaluations})"


def step_rules(checks: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """One problem's step rules side by side (:data:`STEP_RULES`): per point and quantity, the digits and,
    in parentheses, the evaluations of f (or c) each rule spent. The scaled columns are empty where the
    problem declares no typical_x."""
    by: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in checks:
        by[(row["point"], row["quantity"])][row["variant"]] = row
    headers = ["point", "quantity"] + [heading for heading, _, _ in STEP_RULES]
    table = []
    for (point, quantity), rows in sorted(by.items(), key=lambda item: (item[0][0], QUANTITY_ORDER.get(item[0][1], 9))):
        cells = []
        for _, variant, scaled in STEP_RULES:
            row = _rule_row(rows, variant, scaled)
            cells.append("" if row is None else _cell(row["digits"], row["evaluations"]))
        table.append([point, quantity, *cells])
    return headers, table


def step_rules_overview(
    checks: Sequence[dict[str, Any]], problems: dict[str, dict[str, Any]]
) -> tuple[list[str], list[list[Any]], list[str], list[list[Any]]]:
    """The step rules over the library, from the checks at the random points (:data:`STEP_RULES`):

    * per quantity and rule, the median over the problems of the worst digits, and the median evaluations
      per estimate divided by n (gradient, Jacobian) or n^2 (Hessians), so problems of any size compare;
      every column over the same problems: the scaled columns are the variants as the oracle runs them
      (scaled where typical_x is declared, textbook elsewhere);
    * per problem that declares typical_x, and quantity: each rule's worst digits and most evaluations over
      the random points (the cells of :func:`step_rules`).

    Returns the headers and rows of the overview, then of the typical_x table."""
    by: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in checks:
        if row["point"].startswith("random"):
            by[(row["problem"], row["point"], row["quantity"])][row["variant"]] = row
    worst: dict[tuple[str, str, int], tuple[float, int]] = {}  # (problem, quantity, rule) -> (digits, evaluations)
    as_run: dict[tuple[str, str, int], tuple[float, int]] = {}  # the same, scaled columns as the oracle runs
    declared: set[str] = set()
    for (problem, _, quantity), rows in by.items():
        if any(textbook_label(v) in rows for v in TEXTBOOK_STEPS):
            declared.add(problem)
        for index, (_, variant, scaled) in enumerate(STEP_RULES):
            for table, fill in ((worst, False), (as_run, True)):
                row = _rule_row(rows, variant, scaled, fill)
                if row is None or row["digits"] is None:
                    continue
                known = table.get((problem, quantity, index), (math.inf, 0))
                table[(problem, quantity, index)] = (min(known[0], float(row["digits"])),
                                                     max(known[1], int(row["evaluations"])))  # fmt: skip
    quantities = sorted({q for _, q, _ in worst}, key=lambda q: QUANTITY_ORDER.get(q, 9))
    headers = ["quantity", "measure"] + [heading for heading, _, _ in STEP_RULES]
    overview = []
    for quantity in quantities:
        power = 1 if quantity in ("gradient", "jacobian") else 2
        digits_row: list[Any] = [quantity, "median worst digits"]
        cost_row: list[Any] = [quantity, "median evaluations / n" + ("^2" if power == 2 else "")]
        for index in range(len(STEP_RULES)):
            found = [(p, v) for (p, q, i), v in as_run.items() if q == quantity and i == index]
            digits_row.append(round(statistics.median(v[0] for _, v in found), 1) if found else None)
            cost_row.append(round(statistics.median(v[1] / problems[p]["n"] ** power for p, v in found), 1)
                            if found else None)  # fmt: skip
        overview += [digits_row, cost_row]
    scaled_rows = []
    for problem in sorted(declared):
        for quantity in quantities:
            cells = [_cell(*worst[(problem, quantity, i)]) if (problem, quantity, i) in worst else ""
                     for i in range(len(STEP_RULES))]  # fmt: skip
            if any(cells):
                scaled_rows.append([problem, quantity, *cells])
    return headers, overview, ["problem", *headers[:1], *headers[2:]], scaled_rows


#: Methods whose iterations use a Hessian at each point (the question of :func:`hessian_variants`).
HESSIAN_METHODS = ("newton", "trust-exact", "trust-krylov", "trust-ncg", "newton-cg")


def hessian_variants(
    runs: Sequence[dict[str, Any]], methods: Sequence[str]
) -> tuple[list[str], list[list[Any]], dict[str, dict[str, dict[str, Any]]]]:
    """Does a better finite-difference Hessian buy second-order methods' iterations back, and at what cost?

    Per Hessian-using method (:data:`HESSIAN_METHODS`, runs without option grids) and base variant
    (quasi-Newton models left out): runs, converged, success %, and over the problems that **every**
    variant of the method solved (one common set, so the medians compare like with like): median iterations,
    median work, and the median of work / the analytic run's work. Returns headers, rows and
    ``{method: {variant: numbers}}`` for the sentence the report writes."""
    varying = varying_options(runs)
    chosen = [m for m in methods if m in HESSIAN_METHODS]
    by: dict[tuple[str, str], dict[tuple[str, int, int], dict[str, Any]]] = defaultdict(dict)
    for run in runs:
        if run["method"] not in chosen or "+" in run["variant"] or run["status"] == "not_applicable":
            continue
        if solver_label(run, varying) != run["method"]:
            continue
        by[(run["method"], run["variant"])][(run["problem"], run["seed"], run["start"])] = run
    headers = ["method", "variant", "runs", "converged", "success %", "problems every variant solved",
               "median iterations (on those)", "median work (on those)",
               "median work / analytic (on those)"]  # fmt: skip
    rows: list[list[Any]] = []
    numbers: dict[str, dict[str, dict[str, Any]]] = {}
    for method in chosen:
        variants = sorted((v for m, v in by if m == method), key=variant_rank)
        if not variants:
            continue
        solved = [{k for k, r in by[(method, v)].items() if r["status"] == "converged"} for v in variants]
        common = sorted(set.intersection(*solved))
        analytic = by.get((method, "analytic"), {})
        numbers[method] = {}
        for variant, wins in zip(variants, solved, strict=True):
            members = by[(method, variant)]
            shared = [members[k] for k in common]
            ratios = [work(members[k]) / work(analytic[k]) for k in common if k in analytic and work(analytic[k]) > 0]
            entry = {
                "runs": len(members), "converged": len(wins), "success": round(100.0 * len(wins) / len(members), 1),
                "common": len(common),
                "iterations": statistics.median(r["iterations"] for r in shared) if shared else None,
                "work": statistics.median(work(r) for r in shared) if shared else None,
                "ratio": statistics.median(ratios) if ratios else None,
            }  # fmt: skip
            numbers[method][variant] = entry
            rows.append([method, variant_label(variant), entry["runs"], entry["converged"], entry["success"],
                         entry["common"], entry["iterations"], entry["work"], entry["ratio"]])  # fmt: skip
    return headers, rows, numbers


# -------------------------------------------------------------------------------------------
# reproducibility: which outcomes a reader should not lean on (workbench.reproducibility)

#: The mark of an outcome that is fragile (it changed when x0 moved by one ulp), clock-seeded or cut by the
#: wall clock: the status cell of the per-problem tables carries it.
MARK = "\u2020"
#: The nondeterminism codes (``RunResult.nondeterminism``) in a few words.
REASONS = {CLOCK_SEEDED: "clock-seeded (SciPy trust-krylov)", TIME_LIMIT: "stopped by the time limit"}


def with_reproducibility(runs: Sequence[dict[str, Any]], rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored runs, each with its ``reproducibility`` row (:meth:`workbench.store.Store.reproducibility`)
    or None (a run with neither a nondeterminism reason nor a fragility check)."""
    return [{**run, "reproducibility": rows.get(run["key"])} for run in runs]


def reasons(run: dict[str, Any]) -> list[str]:
    """Why the run may not repeat even on this machine: its nondeterminism codes (a timeout is one)."""
    found = (run.get("reproducibility") or {}).get("nondeterminism")
    codes = [code.strip() for code in found.split(",")] if found else []
    if run["status"] == "timeout" and TIME_LIMIT not in codes:
        codes.append(TIME_LIMIT)
    return codes


def fragile(run: dict[str, Any]) -> bool | None:
    """True / False: the fragility check changed / kept its status and iterations; None: not decided."""
    return (run.get("reproducibility") or {}).get("fragile")


def marked(run: dict[str, Any]) -> bool:
    """Whether the outcome carries :data:`MARK`: fragile, or not repeatable on this machine."""
    return run["status"] != "not_applicable" and (bool(fragile(run)) or bool(reasons(run)))


def marked_status(run: dict[str, Any]) -> str:
    return f"{run['status']} {MARK}" if marked(run) else run["status"]


def reproducibility_note(run: dict[str, Any]) -> str:
    """The reproducibility cell of a run: ``stable`` (the check kept status and iterations), ``fragile: ...``
    (what the nudged start gave), the nondeterminism reasons, or ``not checked``."""
    row = run.get("reproducibility") or {}
    parts = []
    if row.get("fragile"):
        if row.get("capped"):
            parts.append(f"fragile: from x0 + 1 ulp it needs more than {run['iterations']} iterations")
        else:
            parts.append(f"fragile: from x0 + 1 ulp {row['status']} after {row['iterations']} iterations")
    elif row.get("fragile") is False:
        parts.append("stable")
    elif row.get("perturbation") is not None:
        parts.append("undecided: the re-run from x0 + 1 ulp hit the time limit")
    parts += [REASONS.get(code, code) for code in reasons(run)]
    return "; ".join(parts) or ("" if run["status"] == "not_applicable" else "not checked")
