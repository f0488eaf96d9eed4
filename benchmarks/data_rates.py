"""The learning rates of the report's data study, tuned once (not a test; run by hand when the setting changes).

    python benchmarks/data_rates.py

Each first-order method on each problem tagged ``data``, in the report's setting (mini-batches of
``BATCH_SIZE`` rows, ``EPOCHS`` epochs, the per-epoch ``SCHEDULE``; seed 0), at every rate of the tuning
grid; per method, the rate with the lowest geometric mean of the final training losses over the problems
(:mod:`workbench.report.training_plan`, which holds the chosen ``RATES``). Prints the table and the choice.
"""

from __future__ import annotations

import math
import time
import warnings

from workbench import discover_problems, solve
from workbench.report.training_plan import (
    ADADELTA_TUNING_GRID,
    BATCH_SIZE,
    EPOCHS,
    MINI_BATCH,
    RATES,
    SCHEDULE,
    TUNING_GRID,
)


def main() -> None:
    warnings.simplefilter("ignore")
    problems = [p for p in discover_problems().values() if "data" in p.tags]
    start = time.perf_counter()
    print(f"batch {BATCH_SIZE}, {EPOCHS} epochs, schedule {SCHEDULE}, seed 0; final training loss per problem")
    print("problems: " + ", ".join(p.name for p in problems))
    for method in MINI_BATCH:
        grid = ADADELTA_TUNING_GRID if method == "adadelta" else TUNING_GRID
        scores = {}
        for rate in grid:
            losses = [solve(p, method, batch_size=BATCH_SIZE, epochs=EPOCHS, learning_rate=rate, schedule=SCHEDULE).f
                      for p in problems]  # fmt: skip
            finite = all(math.isfinite(f) and f > 0 for f in losses)
            scores[rate] = math.exp(sum(math.log(f) for f in losses) / len(losses)) if finite else math.inf
            print(f"  {method:9s} lr {rate:<6g} " + "  ".join(f"{f:.4f}" for f in losses) + f"   geometric mean "
                  f"{scores[rate]:.4f}")  # fmt: skip
        best = min(scores, key=scores.get)
        note = "" if best == RATES[method] else f"  (the plan holds {RATES[method]:g}: update RATES)"
        print(f"{method}: {best:g}{note}")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
