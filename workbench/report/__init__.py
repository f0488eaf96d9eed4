"""``workbench report``: run (or resume) the default study and the derivative checks into the store,
then render the accuracy report and the iteration-count report from the store alone.

    prepare(...)        the study's runs, derivative checks and step sweeps, into the store
    write_report(...)   tables (Markdown + CSV), figures (PNG) and index.md / index.html from the store

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

from workbench.output import OutputFolder
from workbench.problem import Problem
from workbench.store import DEFAULT_STORE, Store
from workbench.study import Study, StudySummary

__all__ = ["DEFAULT_VARIANTS", "check_stored_expressions", "default_study", "prepare", "run_checks", "write_report"]

DEFAULT_VARIANTS = ("analytic", "fd-forward", "fd-central", "complex-step")


def default_study(
    *,
    full: bool = False,
    problems: Sequence[str | Problem] | None = None,
    methods: Sequence[str] | None = None,
    derivatives: Sequence[str] | None = None,
    problems_dir: str | Path | None = None,
) -> Study:
    """The study ``workbench report`` runs (module docstring); arguments narrow or widen it."""
    from workbench.methods import available_methods

    options: dict[str, Any] = {"time_limit": 60.0} if full else {"max_iterations": 500, "time_limit": 10.0}
    variants = list(derivatives) if derivatives else [*DEFAULT_VARIANTS, *(["fd-forward+bfgs"] if full else [])]
    return Study(
        name="report-full" if full else "report",
        problems=list(problems) if problems else ["all"],
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


def _pool(jobs: int) -> concurrent.futures.Executor:
    from workbench.parallel import process_context

    return concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=process_context())


def run_checks(problems: dict[str, Problem], store: Store, *, jobs: int = 1, rerun: bool = False) -> int:
    """Derivative checks and step sweeps for every problem whose current declaration has none stored."""
    stored = store.check_fingerprints()
    sweeps = store.sweeps()

    def stale(p: Problem) -> bool:
        return stored.get(p.name) != p.fingerprint() or sweeps.get(p.name, {}).get("fingerprint") != p.fingerprint()

    pending = [p for p in problems.values() if rerun or stale(p)]
    if not pending:
        return 0

    def save(result: tuple[str, str, list[Any], dict[str, Any]]) -> None:
        name, fingerprint, rows, sweep = result
        store.write_checks(name, fingerprint, rows)
        store.write_sweep(name, fingerprint, sweep)

    if jobs > 1 and len(pending) > 1:
        with _pool(jobs) as pool:
            for result in pool.map(_check_one, pending):
                save(result)
    else:
        for problem in pending:
            save(_check_one(problem))
    return len(pending)


def prepare(
    study: Study, store: str | Path = DEFAULT_STORE, *, jobs: int = 1, rerun: bool = False, progress: bool | None = None
) -> StudySummary:
    """Run (or resume) ``study`` and the derivative checks of its problems into ``store``."""
    summary = study.run(store=store, jobs=jobs, rerun=rerun, progress=progress)
    if not summary.interrupted:
        with Store(store) as handle:
            run_checks(study.resolve_problems(), handle, jobs=jobs, rerun=rerun)
    return summary


def check_stored_expressions(store: Store) -> None:
    """Read every stored objective without running it (raises UnsafeExpressionError naming the problem
    and the store)."""
    from workbench.expressions import UnsafeExpressionError, parse_stored_expression

    for name, info in store.problems().items():
        try:
            parse_stored_expression(info["objective"])
        except UnsafeExpressionError as error:
            raise UnsafeExpressionError(
                error.refused,
                f"the stored objective of problem {name!r} in {store.path} holds {error.refused}, which the workbench "
                "never writes (only SymPy constructors): the store was altered or not written by the workbench, so "
                "nothing of it is rendered; run the study into a new --store",
            ) from None


def write_report(
    store: str | Path = DEFAULT_STORE,
    output: str | Path = "reports",
    *,
    problems: Sequence[str] | None = None,
    jobs: int = 1,
    force: bool = False,
) -> list[Path]:
    """Render every table and figure from ``store`` into ``output``; nothing is run. Returns the
    files written.

    Only files the workbench wrote are ever replaced or deleted (:mod:`workbench.output`): a folder
    holding other files is refused unless ``force``, and a file in the way is never overwritten.
    Files of an earlier report that this one does not write again are deleted at the end.

    The store is opened read-only, and every stored objective is read back with
    :func:`workbench.expressions.parse_stored_expression` before anything is written: a store whose
    objective is anything but SymPy constructors is refused (UnsafeExpressionError), never run."""
    from workbench.report.pages import build_pages, figure_jobs, figure_path, render_figures

    store = Path(store)
    if not store.exists():
        raise FileNotFoundError(f"no result store at {store}; run `workbench report` without --from-store first")
    output = Path(output)
    with Store(store, readonly=True) as handle:  # before the output folder is touched
        check_stored_expressions(handle)
    with OutputFolder(output, kind="report", force=force, keep=[store]) as folder:
        with Store(store, readonly=True) as handle:
            pages, context = build_pages(handle, problems)
        tasks = figure_jobs(context, store, output)
        planned = [name for page in pages for name in page.outputs()]
        figures = [figure_path(task) for task in tasks]
        folder.claim(planned + [path.relative_to(output) for path in figures if path is not None])
        written: list[Path] = []
        for page in pages:
            written += page.write(folder)
        if jobs > 1 and len(tasks) > 1:
            with _pool(jobs) as pool:
                for files in pool.map(render_figures, tasks, chunksize=4):
                    written += files
                    folder.written(files)
        else:
            for task in tasks:
                files = render_figures(task)
                written += files
                folder.written(files)
    return written
