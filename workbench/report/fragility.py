"""Which outcomes stand, and the one place for wall-clock times, from stored rows only:

* :func:`fragility_blocks`: the iteration page's section on marked outcomes (:data:`tables.MARK`): how many
  runs are fragile (their status or iteration count changed when x0 moved by one unit in the last place),
  clock-seeded or cut by the time limit, by method and variant, and the list of them;
* :func:`environment_blocks`: what decided the last bits of the runs on the machine of the study (CPU, BLAS
  kernels, NumPy's SIMD, libc, kernel fingerprints), on the index;
* :func:`timings_page`: ``timings.md``, the report's only table of wall-clock times. Times differ from run
  to run; every other page and CSV is the same bytes when the same study is run again on the same machine
  (``workbench.reproducibility`` and the README say what can still differ).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from workbench.report import tables
from workbench.report.document import Details, Heading, Links, Page, Table, Text
from workbench.reproducibility import CLOCK_SEEDED, TIME_LIMIT

__all__ = ["HOW_TO_READ_MARKS", "PROBLEM_PAGE_NOTE", "environment_blocks", "fragility_blocks", "timings_page"]

HOW_TO_READ_MARKS = (
    f"**{tables.MARK}** marks an outcome a reader should not lean on. After the study every run that ran was made "
    "again from its x0 moved one unit in the last place towards +inf on every component (`numpy.nextafter`); an "
    "outcome is **fragile** when that changed its status or its iteration count. Another machine (another BLAS "
    "kernel, another libm) moves a run's arithmetic by a few units in the last place in just this way, so a fragile "
    "outcome may well differ there, while an unmarked one repeated under the nudge. One nudge is one sample: it finds "
    "most fragile outcomes, not all. Also marked: **clock-seeded** runs, where SciPy's trust-krylov (trlib) drew a "
    "start vector from `rand()` seeded with the wall-clock second (a SciPy defect: such a run may not repeat even on "
    "this machine), and runs **stopped by the time limit**, whose iterations depend on the machine's speed."
)

#: The sentence under each problem's table of runs.
PROBLEM_PAGE_NOTE = (
    f"A status marked {tables.MARK} is not to be leaned on: the outcome is **fragile** (its status or iteration count "
    "changed when the run was made again from x0 moved by one unit in the last place, as another machine's "
    "arithmetic would move it), clock-seeded (SciPy's trust-krylov) or cut by the time limit; the reproducibility "
    "column of the folded list below says which. Wall-clock times are on the [timings](../timings.md) page."
)


def _counts(runs: Sequence[dict[str, Any]]) -> dict[str, int]:
    ran = [r for r in runs if r["status"] != "not_applicable"]
    return {
        "ran": len(ran),
        "marked": sum(tables.marked(r) for r in ran),
        "fragile": sum(bool(tables.fragile(r)) for r in ran),
        "clock": sum(CLOCK_SEEDED in tables.reasons(r) for r in ran),
        "time": sum(TIME_LIMIT in tables.reasons(r) for r in ran),
        "checked": sum(tables.fragile(r) is not None for r in ran),
    }


def fragility_blocks(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> list[Any]:
    """The iteration page's section on marked outcomes (module docstring)."""
    numbers = _counts(runs)
    blocks: list[Any] = [Heading(f"Which outcomes stand: fragile runs ({tables.MARK})"), Text(HOW_TO_READ_MARKS)]
    unchecked = numbers["ran"] - numbers["checked"]
    text = (f"**{numbers['marked']} of the {numbers['ran']} runs that ran are marked {tables.MARK}**: "
            f"{numbers['fragile']} fragile, {numbers['clock']} clock-seeded, {numbers['time']} stopped by the time "
            "limit (a run may be more than one).")  # fmt: skip
    if unchecked:
        text += (f" {unchecked} runs have no fragility check (stopped by the time limit, or the check was not "
                 "run: `workbench report` makes it after the study unless given `--no-fragility`; "
                 "`prepare(..., fragility=False)` skips it too).")  # fmt: skip
    text += (" Wall-clock times, which differ from run to run, are on a page of their own: the "
             "[timings](timings.md).")  # fmt: skip
    blocks.append(Text(text))
    headers, rows = _by_method(runs, methods)
    if rows:
        blocks.append(Table(headers, rows, csv="tables/marked-by-method.csv",
                            caption=f"Runs marked {tables.MARK} per method and variant, out of the runs that "
                                    "ran."))  # fmt: skip
    headers, rows = _marked_rows(runs, methods)
    blocks.append(Details(f"The {len(rows)} marked runs, one per row", [
        Table(headers, rows, csv="tables/marked-runs.csv")]))  # fmt: skip
    return blocks


def _by_method(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    variants = tables.variant_order({r["variant"] for r in runs if r["status"] != "not_applicable"})
    table: dict[str, dict[str, list[int]]] = {}
    varying = tables.varying_options(runs)
    for run in tables.order_runs(runs, methods):
        if run["status"] == "not_applicable":
            continue
        cell = table.setdefault(tables.solver_label(run, varying), {}).setdefault(run["variant"], [0, 0])
        cell[0] += tables.marked(run)
        cell[1] += 1
    rows = []
    for solver, cells in table.items():
        row: list[Any] = [solver]
        for variant in variants:
            marked, ran = cells.get(variant, [0, 0])
            row.append(f"{marked}/{ran}" if ran else "")
        row.append(sum(c[0] for c in cells.values()))
        rows.append(row)
    return ["method", *variants, "marked, all variants"], rows


def _marked_rows(runs: Sequence[dict[str, Any]], methods: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    varying = tables.varying_options(runs)
    rows = [[r["problem"], tables.solver_label(r, varying), r["variant"], r["status"], r["iterations"],
             tables.reproducibility_note(r)]
            for r in tables.order_runs(runs, methods) if tables.marked(r)]  # fmt: skip
    rows.sort(key=lambda row: row[0])  # stable: method order kept within a problem
    return ["problem", "method", "variant", "status", "iterations", "why marked"], rows


def timings_page(runs: Sequence[dict[str, Any]], methods: Sequence[str],
                 training: Sequence[dict[str, Any]] = ()) -> Page:  # fmt: skip
    """``timings``: every wall-clock time of the report (module docstring); ``training``: the data study's
    runs (``workbench.report.training.data_runs``), whose times the training page leaves to this one."""
    page = Page("timings", "Wall-clock times")
    page.add(Links([("report index", "index"), ("iteration-count report", "iterations")], inline=True))
    ran = [r for r in tables.order_runs(runs, methods) if r["status"] != "not_applicable"]
    trained = [r for r in training if r["status"] != "not_applicable"]
    page.add(Text("Seconds of wall-clock time per run, from its first iteration to its last (compiling the problem "
                  "is not counted), measured on the machine and under the load of the study: they differ from one run "
                  "of the study to "
                  "the next, which is why they are kept here and nowhere else. The performance profiles with time as "
                  "the cost are on the [iteration-count report](iterations.md)."))  # fmt: skip
    if trained:
        page.add(Heading("Training runs"))
        rows = [[r["problem"], r["method"], r["status"], r["iterations"], float(r["wall_time"])] for r in trained]
        page.add(Table(["problem", "method", "status", "iterations", "time s"], rows,
                       csv="tables/timings-training.csv", digits=4,
                       caption="The data study's runs of the [training page](training.md), in its order."))  # fmt: skip
    if not ran:
        return page
    varying = tables.varying_options(ran)
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for run in ran:
        groups[(tables.solver_label(run, varying), run["variant"])].append(float(run["wall_time"]))
    summary = [[solver, variant, len(times), round(sum(times), 3), statistics.median(times), max(times)]
               for (solver, variant), times in groups.items()]  # fmt: skip
    page.add(Heading("Per method and variant"))
    page.add(Table(["method", "variant", "runs", "total s", "median s", "longest s"], summary,
                   csv="tables/timings-by-method.csv", digits=3))  # fmt: skip
    multi = len({(r["seed"], r["start"]) for r in ran}) > 1
    headers = ["problem", "method", "variant"] + (["seed", "start"] if multi else []) + ["status", "iterations",
                                                                                        "time s"]  # fmt: skip
    rows = sorted(([r["problem"], tables.solver_label(r, varying), r["variant"]]
                   + ([r["seed"], r["start"]] if multi else []) + [r["status"], r["iterations"], float(r["wall_time"])]
                   for r in ran), key=lambda row: row[0])  # fmt: skip
    page.add(Details(f"Every run that ran, with its time ({len(rows)} runs)", [
        Table(headers, rows, csv="tables/timings.csv", digits=4)]))  # fmt: skip
    return page


def environment_blocks(environment: dict[str, Any]) -> list[Any]:
    """What decided the last bits of the runs (``workbench.reproducibility.platform_facts``, recorded with the
    study); nothing for a store recorded before these facts were."""
    if "fingerprints" not in environment:
        return []
    cpu = environment.get("cpu", {})
    model = cpu.get("model", cpu.get("processor", "?"))
    if "family" in cpu:
        model += f" (family {cpu['family']}, model {cpu.get('model_number', '?')}, stepping {cpu.get('stepping', '?')})"
    blas = "; ".join(f"{b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')} ({b.get('file')})"
                     for b in environment.get("blas", []))  # fmt: skip
    simd = environment.get("numpy_simd", {})
    variables = ", ".join(f"{k}={v}" for k, v in sorted(environment.get("variables", {}).items())) or "none set"
    fingerprints = ", ".join(f"{k} `{v}`" for k, v in environment["fingerprints"].items())
    text = (f"**What decided the last bits of the runs.** CPU {model}; BLAS {blas or 'none found'}, one thread per "
            f"run; NumPy SIMD {' '.join(simd.get('baseline', []))} + {' '.join(simd.get('dispatched', [])) or 'none'}; "
            f"{environment.get('libc') or 'libc unknown'}; symengine's LLVM code for the generic CPU (no host "
            f"features, no fast-math); kernel variables {variables}. Kernel fingerprints (hashes of the bits each "
            f"layer gives on fixed inputs): {fingerprints}. A report from another machine with the same fingerprints "
            "ran these kernels bit for bit alike; where one differs, results may part in the last bits, and the "
            f"outcomes marked {tables.MARK} on the [iteration-count report](iterations.md) are the ones that may "
            "change. The CPU flags and the rest are in the store (`environments`).")  # fmt: skip
    return [Text(text)]
