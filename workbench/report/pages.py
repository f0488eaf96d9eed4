"""The report's pages and figure jobs, assembled from the store (see :mod:`workbench.report`)."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.report import figures, fragility, overview, tables, training
from workbench.report.document import Details, Figure, Heading, Links, Page, Table, Text
from workbench.store import Store

__all__ = ["build_pages", "figure_jobs", "file_name", "render_figures"]

#: Methods drawn on the trajectory maps (all of them would hide each other).
TRAJECTORY_METHODS = ("newton", "bfgs", "trust-constr", "slsqp", "sgd", "momentum", "nesterov", "adam")

HOW_TO_READ_ACCURACY = (
    "Each finite-difference variant is compared with the exact derivative at x0, at x* (when known) and at two "
    "seeded random points inside the bounds. **digits** = -log10(max |error| / max |exact|), clipped to [0, 16]; "
    "16 means agreement to the last bit. **model error** is what the textbook error model predicts from the exact "
    "higher derivatives at the point (truncation + round-off, with eps times the sum of |terms| of f as the rounding "
    "error of one evaluation), at the steps the variant used; a measured/model ratio near or below 1 means the "
    "variant is as good as theory allows. **evaluations** counts the function evaluations spent on one estimate. "
    "Forward differences get about 8 digits, central about 10-11, complex step about 16; x0 is often an integer "
    "point where differences of polynomials come out exact by luck, so trust the random points. "
    "`fd-richardson` (adaptive central differences with Richardson extrapolation) chooses its steps per entry from "
    "the values it sees, so there is no textbook model of its error: its model-error column is left empty (NaN in "
    "the store) rather than filled with a model of some other method. `fd-optimal` is a **teaching baseline**: its "
    "steps minimise the central model using the *exact* higher derivatives f_iii and f_iiii, which a user without "
    "exact derivatives does not have; it shows the best a fixed-step difference can do and is never ranked with "
    "the practical variants. Where a problem declares `typical_x`, `fd-forward` and `fd-central` scale their steps "
    "by max(typical_x_i, |x_i|), and the rows `fd-forward@textbook` / `fd-central@textbook` measure the same "
    "stencils at the unscaled textbook steps max(1, |x_i|)."
)
HOW_TO_READ_RULES = (
    "The step rules side by side, each cell **digits (evaluations)**: the textbook rules (steps sqrt(eps) and "
    "eps^(1/3) times max(1, |x_i|) for gradients, eps^(1/3) and eps^(1/4) for Hessians), the same rules scaled by a "
    "declared `typical_x` (max(typical_x_i, |x_i|), Dennis & Schnabel), the adaptive rule (`fd-richardson`: a "
    "ladder of 8 or more steps per coordinate, extrapolated, the step search counted in its evaluations) and the "
    "model-optimal steps (`fd-optimal`, the teaching baseline that reads exact higher derivatives: the error "
    "model's optimum for fixed steps, only as good as the model, and not a method to pick). Pick the textbook "
    "central rule when about 10 digits are enough and evaluations are dear; declare `typical_x` when variables "
    "live on very different scales, above all for forward differences (check the central ones after: a smaller "
    "step can cost them digits where f is nearly quadratic); pay for `fd-richardson` (8x the evaluations of "
    "central differences) when you need 12 or more digits of a smooth function."
)
HOW_TO_READ_RUNS = (
    "Every method runs from x0 with every derivative variant. **status** is decided by the workbench's own verdict "
    "from the exact derivatives, whatever the method claimed: `converged` (feasible and |f - f*| <= 1e-6 max(1, |f*|), "
    "or KKT residuals small when f* is unknown), `local_minimum` (a documented local minimum of the problem), "
    "`max_iterations`, `max_evaluations`, `timeout`, `diverged`, `failed` (including a method that claimed success "
    "but fails the verdict: *claimed success* in the verdict column). **evaluations** are true evaluations of f and c, "
    "finite-difference ones included; **work** adds exact gradient, Jacobian and Hessian evaluations. KKT columns are "
    "the verdict's residuals at the returned x (least-squares multipliers). A status marked \u2020 is an outcome not "
    "to lean on: **fragile** (status or iterations changed when the run was made again from x0 moved by one unit in "
    "the last place), clock-seeded (SciPy's trust-krylov) or stopped by the time limit; the **reproducibility** "
    "column says which (section *Which outcomes stand* above). Wall-clock times are on the [timings](timings.md) "
    "page only."
)
HOW_TO_READ_PROFILES = (
    "A performance profile (Dolan & Moré 2002) plots, for each method, the share of problems it solved within a "
    "factor tau of the cheapest method on that problem: the value at tau = 1 is how often it was cheapest, the "
    "right end how often it solved the problem at all. A data profile (Moré & Wild 2009) plots the share of problems "
    "on which f(x) <= f_L + 1e-3 (f(x0) - f_L) was reached within kappa (n + 1) evaluations."
)


@dataclasses.dataclass
class Context:
    """What the figure jobs need, decided while building the pages."""

    problems: dict[str, dict[str, Any]]
    convergence: list[str]
    trajectories: list[str]
    sweeps: dict[str, dict[str, Any]]
    heatmap: tuple[list[str], list[str], Any] | None
    profiles: dict[str, Any]
    methods: list[str]
    groups: list[tuple[str, list[str]]]
    training: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)  # training.Training.figures


def file_name(name: str) -> str:
    """A problem name as a file name, unique per name: a name of lower-case letters, digits, '.', '_'
    and '-' (not starting with '.') is its own file name; any other becomes a slug (anything else
    replaced by '_') and the first 8 hex digits of the name's SHA-1, so "a b" and "a/b" do not share a
    page, nor "ABC" and "abc" on a case-insensitive disk."""
    if re.fullmatch(r"[a-z0-9_-][a-z0-9._-]*", name):
        return name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".")[:80]
    return f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def _method_order(store: Store, runs: Sequence[dict[str, Any]]) -> list[str]:
    """Methods in the order the study recorded them (grouped by the derivatives they need), then any
    other method found in the runs."""
    order = list(store.methods())
    return order + sorted({r["method"] for r in runs} - set(order))


def _problem_summary(info: dict[str, Any]) -> str:
    parts = [f"n = {info['n']}", f"{info['equalities']} equality and {info['inequalities']} inequality constraints",
             "bounds" if info["bounded"] else "no bounds"]  # fmt: skip
    parts.append(f"f* = {info['f_star']:.12g}" if info["f_star"] is not None else "f* unknown")
    if info["x_star"] is not None:
        parts.append("x* = (" + ", ".join(f"{v:.6g}" for v in info["x_star"]) + ")")
    if info["local_minima"]:
        parts.append("known local minima f = " + ", ".join(f"{v:.6g}" for v in info["local_minima"]))
    tags = [t for t in info["tags"] if t not in ("constrained", "bounds", "unconstrained")]
    if tags:
        parts.append("tags: " + ", ".join(tags))
    return "; ".join(parts) + "."


def build_pages(
    store: Store, selected: Sequence[str] | None = None, *, lesson: str | None = None
) -> tuple[list[Page], Context]:
    """Every page of the report and what its figures need; ``lesson``: the lesson page's target
    (relative to the report folder, without extension) when there is one to link to."""
    problems = store.problems()
    data = training.data_keys(store)  # the data study's runs are on the training page only
    runs = tables.with_reproducibility([r for r in store.runs() if r["key"] not in data], store.reproducibility())
    checks = store.checks()
    sweeps = store.sweeps()
    names = sorted(set(problems) & ({r["problem"] for r in runs} | {c["problem"] for c in checks}))
    if selected:
        names = [n for n in names if n in set(selected)]
    trained = training.build(store, selected, file_name=file_name)
    if not names and trained.page is None:
        raise ValueError("the store holds no runs or checks of the selected problems; run a study first")
    problems = {n: problems[n] for n in names}
    runs = [r for r in runs if r["problem"] in problems]
    checks = [c for c in checks if c["problem"] in problems]
    methods = _method_order(store, runs)
    runs_by_problem: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        runs_by_problem[run["problem"]].append(run)
    checks_by_problem: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in checks:
        checks_by_problem[row["problem"]].append(row)

    pages: list[Page] = []
    convergence, trajectories = [], []
    for name in names:
        info = problems[name]
        page = Page(f"problems/{file_name(name)}", f"{name}")
        page.add(Links([("report index", "index"), ("accuracy report", "accuracy"),
                        ("iteration-count report", "iterations")], inline=True))  # fmt: skip
        page.add(Text(_problem_summary(info)))
        if info["notes"]:
            page.add(Text(f"*Notes.* {info['notes']}"))
        if info["source"]:
            page.add(Text(f"*Source.* {info['source']}"))
        page.add(Heading("Derivative accuracy"))
        if checks_by_problem[name]:
            headers, rows = tables.problem_check_rows(checks_by_problem[name])
            page.add(Text("How to read this: see the [accuracy report](../accuracy.md)."))
            page.add(Table(headers, rows, csv=f"tables/problems/{file_name(name)}-checks.csv"))
            headers, rows = tables.step_rules(checks_by_problem[name])
            page.add(Table(headers, rows, csv=f"tables/problems/{file_name(name)}-step-rules.csv",
                           caption="Step rules side by side: digits (evaluations) per point and quantity; the "
                                   "scaled columns are empty where the problem declares no typical_x, and "
                                   "fd-optimal reads exact higher derivatives (a teaching baseline)."))  # fmt: skip
        if name in sweeps:
            page.add(Figure(f"figures/sweeps/{file_name(name)}.png",
                            "Gradient error against the step at a random point: measured (solid) and the textbook "
                            "model (dashed), with the step rules placed on it (rule-of-thumb and model-optimal steps "
                            "as vertical lines, the scaled rule's steps as a bar where typical_x is declared, "
                            "fd-optimal's and fd-richardson's errors as markers, evaluations in the legend); notice "
                            "the V of truncation (left) and round-off (right), that complex step has no round-off "
                            "branch, and that Richardson lies below the V's bottom."))  # fmt: skip
        page.add(Heading("Iteration counts"))
        problem_runs = runs_by_problem.get(name, [])
        if problem_runs:
            headers, rows, variants = tables.problem_pivot(problem_runs, methods)
            page.add(Text("How to read this: see the [iteration-count report](../iterations.md). Methods that "
                          "cannot run on this problem are left out."))  # fmt: skip
            page.add(Text(fragility.PROBLEM_PAGE_NOTE))
            page.add(Table(headers, rows, csv=f"tables/problems/{file_name(name)}-pivot.csv",
                           groups=[("", 1)] + [(v, 3) for v in variants],
                           labels=["method"] + ["status", "iterations", "work"] * len(variants)))  # fmt: skip
            headers, rows = tables.problem_run_rows(problem_runs, methods)
            page.add(Details(f"Every run with its counts, errors and KKT residuals ({len(rows)} runs)", [
                Table(headers, rows, csv=f"tables/problems/{file_name(name)}-runs.csv")]))  # fmt: skip
            reference = "f*" if info["f_star"] is not None else "best f found"
            convergence.append(name)
            page.add(Figure(f"figures/convergence/{file_name(name)}.png",
                            f"f - {reference} on a log axis against iterations: one row per derivative variant, one "
                            "column per family of methods, one colour per method; notice where a row's curves "
                            "stall."))  # fmt: skip
            page.add(Figure(f"figures/convergence-work/{file_name(name)}.png",
                            "The same against work (evaluations of f, c and exact derivatives, log axis): notice how "
                            "far the finite-difference rows shift right."))  # fmt: skip
            if info["n"] == 2 and info["smooth"]:
                trajectories.append(name)
                page.add(Figure(f"figures/trajectories/{file_name(name)}.png",
                                "Iterates of newton, bfgs, trust-constr, slsqp, sgd, momentum, nesterov and adam on "
                                "the contour map (log-spaced levels), start o and optimum *, analytic and "
                                "forward-difference derivatives side by side; notice where the paths "
                                "part."))  # fmt: skip
        pages.append(page)

    # accuracy report --------------------------------------------------------------------------
    accuracy = Page("accuracy", "Accuracy report: finite differences against exact derivatives")
    accuracy.add(Links([("report index", "index"), ("iteration-count report", "iterations")], inline=True))
    accuracy.add(Heading("How to read this"), Text(HOW_TO_READ_ACCURACY))
    heatmap = None
    if checks:
        headers, rows, heat, variants = tables.digits_summary(checks, problems)
        heatmap = ([r[0] for r in rows], [tables.variant_label(v) for v in variants], heat.tolist())
        accuracy.add(Heading("Digits per variant and problem"))
        accuracy.add(Figure("figures/accuracy-digits.png",
                            "Worst correct digits of the gradient over the random points, per problem and variant; "
                            "notice the dark cells: badly scaled problems where forward differences lose most digits "
                            "while complex step keeps all 16."))  # fmt: skip
        accuracy.add(Table(headers, rows, csv="tables/accuracy-summary.csv", digits=3,
                           caption="Worst digits over the random check points (gradient, Hessian, constraint "
                                   "Jacobian); the note flags practical variants well short of their textbook "
                                   "accuracy (never the teaching baseline fd-optimal)."))  # fmt: skip
        headers, rows, scaled_headers, scaled_rows = tables.step_rules_overview(checks, problems)
        accuracy.add(Heading("Step rules side by side"), Text(HOW_TO_READ_RULES))
        accuracy.add(Table(headers, rows, csv="tables/step-rules.csv", digits=3,
                           caption="Over the library at the random check points: the median over the problems of "
                                   "each rule's worst digits, and the median evaluations per estimate divided by n "
                                   "(gradient, Jacobian) or n^2 (Hessians). The scaled columns are the variants as "
                                   "they run: scaled where a problem declares typical_x, textbook "
                                   "elsewhere."))  # fmt: skip
        if scaled_rows:
            accuracy.add(Table(scaled_headers, scaled_rows, csv="tables/step-rules-typical-x.csv",
                               caption="The problems that declare typical_x: worst digits (most evaluations) of "
                                       "each rule over the random check points; x0 and x* are on each problem's "
                                       "page."))  # fmt: skip
        accuracy.add(Heading("Per problem"))
        accuracy.add(Links([(n, f"problems/{file_name(n)}") for n in names], inline=True))
    else:
        accuracy.add(Text("No derivative checks are stored: run `workbench report` (without --from-store)."))
    pages.append(accuracy)
    if trained.page is not None:
        pages.append(trained.page)

    # iteration-count report and index ---------------------------------------------------------
    profiles = _profile_plan(problems) if runs else {}
    target = training.PAGE if trained.page is not None else None
    pages.append(overview.iterations_page(runs, methods, profiles, (HOW_TO_READ_RUNS, HOW_TO_READ_PROFILES),
                                          training=target))  # fmt: skip
    pages.append(fragility.timings_page(runs, methods, training.data_runs(store) if trained.page is not None else ()))
    environment = store.environments()
    key_figure = bool(runs) and len({r["variant"] for r in runs}) >= 2
    if key_figure:
        profiles["variant-profile"] = names
    pages.append(overview.index_page(runs, checks, methods, names, [(n, f"problems/{file_name(n)}") for n in names],
                                     environment[-1] if environment else {}, key_figure=key_figure, lesson=lesson,
                                     training=(target, trained.summary) if target else None))  # fmt: skip

    context = Context(problems=problems, convergence=convergence, trajectories=trajectories,
                      sweeps={n: sweeps[n] for n in names if n in sweeps}, heatmap=heatmap, profiles=profiles,
                      methods=methods, groups=figures.method_groups(methods, store.methods()),
                      training=trained.figures)  # fmt: skip
    return pages, context


def _profile_plan(problems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    unconstrained = [n for n, p in problems.items() if p["m"] == 0 and not p["bounded"]]
    constrained = [n for n, p in problems.items() if p["m"] > 0 or p["bounded"]]
    plan = {}
    if len(unconstrained) >= 2:
        plan["performance-work-unconstrained"] = unconstrained
        plan["performance-time-unconstrained"] = unconstrained
        plan["data-profile"] = unconstrained
    if len(constrained) >= 2:
        plan["performance-work-constrained"] = constrained
    return plan


# -------------------------------------------------------------------------------------------
# figure jobs: small picklable descriptions, rendered in worker processes


def figure_jobs(context: Context, store: Path, output: Path) -> list[tuple[Any, ...]]:
    jobs: list[tuple[Any, ...]] = []
    for name in context.convergence:
        for axis in ("iteration", "work"):
            jobs.append(("convergence", str(store), str(output), name, context.problems[name], context.methods,
                         context.groups, axis))  # fmt: skip
    for name in context.trajectories:
        jobs.append(("trajectories", str(store), str(output), name, context.problems[name], context.methods))
    for name, sweep in context.sweeps.items():
        jobs.append(("sweep", str(store), str(output), name, sweep))
    if context.heatmap is not None:
        jobs.append(("heatmap", str(store), str(output), *context.heatmap))
    for key, names in context.profiles.items():
        jobs.append(("profile", str(store), str(output), key, names, context.problems, context.methods,
                     context.groups))  # fmt: skip
    jobs += [("training", str(store), str(output), *spec) for spec in context.training]
    return jobs


def render_figures(job: tuple[Any, ...]) -> list[Path]:
    """Render one figure job (run in a worker process); returns the files written. A figure that
    cannot be drawn becomes a placeholder image naming the error (the report's links stay valid)
    and a warning on standard error; the rest of the report is written."""
    try:
        return _render(job)
    except Exception as error:  # failure is data
        import sys

        from workbench.report import figures

        name = f"{job[0]} {job[3]}" if len(job) > 3 else job[0]
        print(f"workbench report: figure {name} could not be drawn: {type(error).__name__}: {error}", file=sys.stderr)
        path = figure_path(job)
        if path is None:
            return []
        figures.placeholder(path, f"figure could not be drawn: {type(error).__name__}: {error}")
        return [path]


def figure_path(job: tuple[Any, ...]) -> Path | None:
    """Where a figure job writes its file (None for a job that writes none)."""
    kind, output = job[0], Path(job[2])
    folders = {"convergence": "convergence", "trajectories": "trajectories", "sweep": "sweeps"}
    if kind == "convergence" and job[7] == "work":
        return output / "figures" / "convergence-work" / f"{file_name(job[3])}.png"
    if kind in folders:
        return output / "figures" / folders[kind] / f"{file_name(job[3])}.png"
    if kind == "heatmap":
        return output / "figures" / "accuracy-digits.png"
    if kind == "profile":
        return output / "figures" / f"{job[3]}.png"
    if kind == "training":
        return output / job[4]
    return None


def _render(job: tuple[Any, ...]) -> list[Path]:
    from workbench.report import figures

    kind, store_path, output = job[0], Path(job[1]), Path(job[2])
    if kind == "training":
        return training.render(job)
    if kind == "sweep":
        _, _, _, name, sweep = job
        path = output / "figures" / "sweeps" / f"{file_name(name)}.png"
        figures.error_versus_step(path, name, sweep)
        return [path]
    if kind == "heatmap":
        _, _, _, names, variants, heat = job
        path = output / "figures" / "accuracy-digits.png"
        figures.accuracy_heatmap(path, names, variants, np.array(heat, dtype=float))
        return [path]
    with Store(store_path, readonly=True) as store:
        if kind == "convergence":
            _, _, _, name, info, methods, groups, axis = job
            runs = [
                r for r in store.runs("problem = ?", (name,)) if r["status"] != "not_applicable" and r["start"] == 0
            ]
            traces = store.traces(r["key"] for r in runs)
            reference, label = _reference(info, runs, traces)
            path = figure_path(job)
            figures.convergence(path, name, tables.order_runs(runs, methods), traces, reference=reference,
                                reference_label=label, groups=groups, absolute=info["m"] > 0,
                                axis=axis)  # fmt: skip
            return [path]
        if kind == "trajectories":
            _, _, _, name, info, methods = job
            runs = [
                r for r in store.runs("problem = ?", (name,)) if r["status"] != "not_applicable" and r["start"] == 0
            ]
            traces = store.traces(r["key"] for r in runs)
            by_variant: dict[str, list[Any]] = {}
            for run in tables.order_runs(runs, methods):
                if run["method"] not in TRAJECTORY_METHODS:
                    continue
                if run["variant"] in ("analytic", "fd-forward") and run["key"] in traces:
                    by_variant.setdefault(run["variant"], []).append((run, traces[run["key"]]))
            if not by_variant:
                return []
            reference, label = _reference(info, runs, traces)
            path = output / "figures" / "trajectories" / f"{file_name(name)}.png"
            objective = figures.objective_function(info["objective"], info["variables"])
            drawn = [m for m in methods if m in TRAJECTORY_METHODS]
            figures.trajectories(path, name, objective, by_variant, x0=info["x0"], x_star=info["x_star"],
                                 bounds=(np.array(info["lower"]), np.array(info["upper"])),
                                 colours=figures.group_colours(drawn), f_floor=reference,
                                 reference_label=label)  # fmt: skip
            return [path]
        if kind == "profile":
            _, _, _, key, names, problems, methods, groups = job
            runs = [r for r in store.runs() if r["problem"] in set(names) and r["start"] == 0]
            variants = tables.variant_order({r["variant"] for r in runs})
            path = output / "figures" / f"{key}.png"
            if key == "variant-profile":
                costs = tables.variant_profile_costs(runs, methods)
                figures.variant_profile(path, costs, instances=len(next(iter(costs.values()), [])))
            elif key == "data-profile":
                traces = store.traces(r["key"] for r in runs if r["status"] != "not_applicable")
                panels = {v: tables.data_profile_budgets(runs, traces, {n: problems[n] for n in names}, v)
                          for v in variants}  # fmt: skip
                figures.data_profile(path, f"Data profiles, {len(names)} unconstrained problems", panels,
                                     groups=groups)  # fmt: skip
            else:
                cost = "time" if "time" in key else "work"
                panels = {v: tables.performance_costs(runs, names, v, cost=cost) for v in variants}
                scope = "unconstrained" if key.endswith("unconstrained") else "bounded and constrained"
                label = "wall-clock time" if cost == "time" else "work (evaluations)"
                heading = f"Performance profiles, {len(names)} {scope} problems, cost = {label}"
                figures.performance_profile(path, heading, panels, cost_label=label, groups=groups)
            return [path]
    raise ValueError(f"unknown figure job {kind!r}")


def _reference(info: dict[str, Any], runs: Sequence[dict[str, Any]], traces: dict[str, Any]) -> tuple[float, str]:
    if info["f_star"] is not None:
        return float(info["f_star"]), "f*"
    best = min((min((f for f in trace["f"] if math.isfinite(f)), default=math.inf) for trace in traces.values()),
               default=0.0)  # fmt: skip
    return (best if math.isfinite(best) else 0.0), "best f found"
