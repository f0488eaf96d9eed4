"""What ``workbench report`` runs before it renders: the default study, the derivative checks and
the error-versus-step sweeps, into the result store (the run side of the report; rendering is
:func:`workbench.report.write_report`, which reads the store only).

    default_study(...)  the study the report runs (every problem x every method x variants)
    prepare(...)        run (or resume) a study and the checks of its problems into the store
    run_checks(...)     derivative checks and step sweeps of problems whose stored ones are stale

The default study: every problem of the built-in library, every method, derivatives ``analytic``,
``fd-forward``, ``fd-central`` and ``complex-step``, at most 500 iterations and 10 s per run
(``full=True``: each method's own iteration limit, 60 s per run, the quasi-Newton variant
``fd-forward+bfgs`` and three start points per problem).
"""

from __future__ import annotations

import concurrent.futures
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.methods import available_methods
from workbench.parallel import process_context
from workbench.problem import Problem
from workbench.progress import Progress
from workbench.store import DEFAULT_STORE, Store
from workbench.study import Study, StudySummary
from workbench.variants import DERIVATIVE_VARIANTS

__all__ = ["default_study", "pool", "prepare", "run_checks"]


def default_study(
    *,
    full: bool = False,
    problems: Sequence[str | Problem] | None = None,
    methods: Sequence[str] | None = None,
    derivatives: Sequence[str] | None = None,
    problems_dir: str | Path | None = None,
) -> Study:
    """The study ``workbench report`` runs (module docstring); arguments narrow or widen it. Problems
    tagged ``data`` (finite sums over data rows, trained in mini-batches) are left out of this grid:
    every method in every finite-difference variant on a network would spend minutes of full passes."""
    options: dict[str, Any] = {"time_limit": 60.0} if full else {"max_iterations": 500, "time_limit": 10.0}
    variants = list(derivatives) if derivatives else [*DERIVATIVE_VARIANTS, *(["fd-forward+bfgs"] if full else [])]
    chosen = Study(problems=list(problems) if problems else ["all"], problems_dir=problems_dir).resolve_problems()
    grid = [problem for problem in chosen.values() if "data" not in problem.tags]
    return Study(
        name="report-full" if full else "report",
        problems=grid,
        methods=list(methods) if methods else list(available_methods()),
        derivatives=variants,
        starts=3 if full else 1,
        options=options,
        problems_dir=problems_dir,
    )


def _check_one(problem: Problem) -> tuple[str, str, list[Any], dict[str, Any]]:
    from workbench.accuracy import check_derivatives, check_points, step_sweep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = check_derivatives(problem)
        point = check_points(problem, random_points=1)["random-1"]
        sweep = step_sweep(problem, point)
    return problem.name, problem.fingerprint(), rows, sweep.as_dict()


def pool(jobs: int) -> concurrent.futures.Executor:
    """A process pool of ``jobs`` workers started cleanly (forkserver or spawn)."""
    return concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=process_context())


def run_checks(
    problems: dict[str, Problem], store: Store, *, jobs: int = 1, rerun: bool = False, progress: bool | None = False
) -> int:
    """Derivative checks and step sweeps for every problem whose current declaration has none stored;
    ``progress``: the ``checks`` line (None: on a terminal)."""
    stored = store.check_fingerprints()
    sweeps = store.sweeps()

    def stale(p: Problem) -> bool:
        return stored.get(p.name) != p.fingerprint() or sweeps.get(p.name, {}).get("fingerprint") != p.fingerprint()

    pending = [p for p in problems.values() if rerun or stale(p)]
    if not pending:
        return 0

    bar = Progress(len(pending), enabled=progress, phase="checks", label="problems", failures=False)

    def save(result: tuple[str, str, list[Any], dict[str, Any]]) -> None:
        name, fingerprint, rows, sweep = result
        store.write_checks(name, fingerprint, rows)
        store.write_sweep(name, fingerprint, sweep)
        bar.update(task=name)

    try:
        if jobs > 1 and len(pending) > 1:
            with pool(jobs) as workers:
                for result in workers.map(_check_one, pending):
                    save(result)
        else:
            for problem in pending:
                save(_check_one(problem))
    finally:
        bar.close()
    return len(pending)


def prepare(
    study: Study, store: str | Path = DEFAULT_STORE, *, jobs: int = 1, rerun: bool = False, progress: bool | None = None
) -> StudySummary:
    """Run (or resume) ``study`` and the derivative checks of its problems into ``store``."""
    summary = study.run(store=store, jobs=jobs, rerun=rerun, progress=progress)
    if not summary.interrupted:
        with Store(store) as handle:
            run_checks(study.resolve_problems(), handle, jobs=jobs, rerun=rerun, progress=progress)
    return summary
