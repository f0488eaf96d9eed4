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

from workbench.variants import FINITE_DIFFERENCE_VARIANTS, variant_rank

__all__ = [
    "claimed_but_failed",
    "data_profile_budgets",
    "digits_summary",
    "fd_cost_ratios",
    "local_minimum_stops",
    "performance_costs",
    "problem_check_rows",
    "problem_run_rows",
    "solver_label",
    "summary_by_method",
    "work",
]

EXCLUDED_FROM_LABEL = {"seed", "x0", "max_iterations", "time_limit", "max_evaluations"}
REACHED = ("converged", "local_minimum")


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
    "method", "variant", "status", "verdict", "iterations", "evaluations", "gradient calls", "Hessian calls",
    "work", "time s", "|f - f*|", "||x - x*||", "KKT stationarity", "feasibility", "complementarity",
]  # fmt: skip


def problem_run_rows(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """One row per run of one problem: status and verdict, counts, time, errors, KKT residuals."""
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
            run["status"], _verdict(run), run["iterations"], run["evaluations"], run["gradient_calls"],
            run["hessian_calls"], work(run), round(float(run["wall_time"]), 4), run["f_error"], run["x_error"],
            run["stationarity"], run["feasibility"], run["complementarity"],
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


def digits_summary(
    checks: Sequence[dict[str, Any]], problems: dict[str, dict[str, Any]]
) -> tuple[list[str], list[list[Any]], np.ndarray, list[str]]:
    """Library-wide accuracy: per problem, the worst digits over the random check points for each
    quantity and variant, and a note where a variant falls well short of its textbook accuracy
    (forward < 6, central < 8, complex step < 13 gradient digits): a badly scaled problem."""
    worst: dict[tuple[str, str, str], float] = {}
    for row in checks:
        if not row["point"].startswith("random") or row["digits"] is None:
            continue
        key = (row["problem"], row["quantity"], row["variant"])
        worst[key] = min(worst.get(key, math.inf), float(row["digits"]))
    variants = [v for v in FINITE_DIFFERENCE_VARIANTS if any(k[2] == v for k in worst)]
    quantities = [q for q in ("gradient", "hessian", "jacobian") if any(k[1] == q for k in worst)]
    headers = ["problem", "n"] + [f"{q} {v}" for q in quantities for v in variants] + ["note"]
    expected = {"fd-forward": 6, "fd-central": 8, "complex-step": 13}
    rows, heat, names = [], [], []
    for name in sorted(problems):
        if not any(k[0] == name for k in worst):
            continue
        row: list[Any] = [name, problems[name]["n"]]
        for q in quantities:
            for v in variants:
                value = worst.get((name, q, v))
                row.append(None if value is None or not math.isfinite(value) else round(value, 1))
        short = [v for v in variants if worst.get((name, "gradient", v), 16) < expected[v]]
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
        rows.append([row["point"], row["quantity"], row["variant"], row["digits"], measured, row["rel_error"],
                     predicted, ratio, row["evaluations"]])  # fmt: skip
    return headers, rows
