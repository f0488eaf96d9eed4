"""Compare two result stores run by run: which runs differ in status, iterations, work or f.

    python benchmarks/compare_stores.py BEFORE.sqlite AFTER.sqlite [--show 20]

Runs are matched by (problem, method, variant, seed, start, the options both stores agree on), not by
key, so stores of two workbench versions (whose keys differ) can be compared. Used to check that a
refactoring leaves results unchanged, and to measure reproducibility between machines or settings
(BLAS kernels, libm variants, NumPy's SIMD loops): the last lines count the runs that ran whose status or
iteration count differ (the rows of the report's per-problem tables that change) and how many of them the
report marks (fragile, clock-seeded or stopped by the time limit: the store's ``reproducibility`` table)
in the first store, in the second and in either.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
from collections import Counter

FIELDS = ("status", "iterations", "work", "f")


def _runs(path: str) -> dict[tuple, dict]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    names = {row[1] for row in connection.execute("PRAGMA table_info(runs)")}
    marks = {}
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'reproducibility'").fetchone():
        marks = {row["key"]: bool(row["fragile"]) or bool(row["nondeterminism"])
                 for row in connection.execute("SELECT * FROM reproducibility")}  # fmt: skip
    rows = {}
    for row in connection.execute("SELECT * FROM runs"):
        data = dict(row)
        counts = json.loads(data["counts"])
        if "work" not in names:  # stores before workbench.cost: the same six counters
            data["work"] = sum(
                counts.get(k, 0)
                for k in ("objective_evaluations", "constraint_evaluations", "gradient_evaluations",
                          "hessian_evaluations", "jacobian_evaluations", "constraint_hessian_evaluations")
            )  # fmt: skip
        options = json.loads(data["options"])
        label = tuple(sorted((k, json.dumps(v)) for k, v in options.items() if k not in ("seed",)))
        data["options_label"] = label
        data["marked"] = marks.get(data["key"], False) or data["status"] == "timeout"
        data["checked"] = data["key"] in marks
        rows[(data["problem"], data["method"], data["variant"], data["seed"], data["start"], label)] = data
    connection.close()
    return rows


def _match(before: dict[tuple, dict], after: dict[tuple, dict]) -> list[tuple[dict, dict]]:
    """Pairs of runs: same problem, method, variant, seed, start; options compared on the keys the
    before-store recorded (the after-store may record resolved options with every default)."""
    by_run: dict[tuple, list[dict]] = {}
    for key, row in after.items():
        by_run.setdefault(key[:5], []).append(row)
    pairs = []
    for key, row in before.items():
        given = dict(key[5])
        candidates = [
            other for other in by_run.get(key[:5], [])
            if all(dict(other["options_label"]).get(k) == v for k, v in given.items())
        ]  # fmt: skip
        if len(candidates) == 1:
            pairs.append((row, candidates[0]))
    return pairs


def _same(a: object, b: object, field: str) -> bool:
    if field == "f":
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-300)
    if field == "work":
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    return a == b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--show", type=int, default=20, help="differing runs to print")
    args = parser.parse_args()
    before, after = _runs(args.before), _runs(args.after)
    pairs = _match(before, after)
    print(f"{len(before)} runs before, {len(after)} after, {len(pairs)} matched")
    differing = Counter()
    shown = 0
    for a, b in pairs:
        fields = [field for field in FIELDS if not _same(a[field], b[field], field)]
        if not fields:
            continue
        differing[tuple(fields)] += 1
        if shown < args.show:
            shown += 1
            values = ", ".join(f"{f}: {a[f]} -> {b[f]}" for f in fields)
            print(f"  {a['problem']} / {a['method']} / {a['variant']} (seed {a['seed']}, start {a['start']}): {values}")
    total = sum(differing.values())
    print(f"{total} of {len(pairs)} matched runs differ ({100.0 * total / max(len(pairs), 1):.2f}%)")
    for fields, count in differing.most_common():
        print(f"  {count:5d}  differ in {', '.join(fields)}")
    ran = [(a, b) for a, b in pairs if a["status"] != "not_applicable" or b["status"] != "not_applicable"]
    rows = [(a, b) for a, b in ran if a["status"] != b["status"] or a["iterations"] != b["iterations"]]
    share = 100.0 * len(rows) / max(len(ran), 1)
    print(f"status or iterations differ: {len(rows)} of {len(ran)} runs that ran ({share:.2f}%; identical rows "
          f"{100.0 - share:.2f}%)")
    if any(a["checked"] for a, _ in ran) or any(b["checked"] for _, b in ran):
        first = sum(a["marked"] for a, _ in rows)
        second = sum(b["marked"] for _, b in rows)
        either = sum(a["marked"] or b["marked"] for a, b in rows)
        print(f"  marked in the first store: {first}, in the second: {second}, in either: {either}; "
              f"not marked in either: {len(rows) - either}")
        marked = sum(a["marked"] for a, _ in ran)
        print(f"  runs marked in the first store: {marked} of {len(ran)}")


if __name__ == "__main__":
    main()
