"""Wall time of one study run serially and with --jobs 2, side by side in one run (not a test).

    python benchmarks/study.py

Each configuration writes a fresh store in a temporary folder, so nothing is resumed.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from workbench.study import MethodSpec, Study

STUDY = Study(
    name="benchmark",
    problems=["tag:mgh"],
    methods=["newton", "lbfgs", "trust-exact", MethodSpec("adam", learning_rate=0.01, max_iterations=2000)],
    derivatives=["analytic", "fd-forward", "fd-central"],
)


def main() -> None:
    warnings.simplefilter("ignore")
    planned = len(STUDY.tasks())
    print(f"study: {planned} runs (MGH problems x newton, lbfgs, trust-exact, adam x 3 variants)")
    times = {}
    with tempfile.TemporaryDirectory() as folder:
        for jobs in (1, 2):
            start = time.perf_counter()
            summary = STUDY.run(store=Path(folder) / f"jobs{jobs}.sqlite", jobs=jobs, progress=False)
            times[jobs] = time.perf_counter() - start
            print(f"--jobs {jobs}: {times[jobs]:6.1f} s  ({summary.ran} runs)")
    print(f"ratio jobs 2 / serial: {times[2] / times[1]:.2f} (target <= 0.6 on 2 cores)")


if __name__ == "__main__":
    main()
