"""The report: tables (Markdown + CSV), figures (PNG) and index.md / index.html rendered from the
result store alone (:func:`write_report`). What ``workbench report`` runs first (the default study, the
derivative checks) is in :mod:`workbench.report.prepare`; nothing here runs a method or derives a
derivative: rendering reads the store only.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workbench.output import OutputFolder
from workbench.processes import process_context
from workbench.store import DEFAULT_STORE, Store

__all__ = ["LESSON", "check_stored_expressions", "lesson_target", "write_report"]


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


#: Where ``workbench lesson`` writes by default, relative to the report folder (``reports/lesson``).
LESSON = "lesson/index"


def lesson_target(output: Path) -> str | None:
    """The lesson page's target (relative, without extension) when the lesson is written beside the
    report (``OUTPUT/lesson/index.md`` and ``.html``), else None: the index links to it only then."""
    folder = Path(output)
    return LESSON if all((folder / f"{LESSON}.{suffix}").is_file() for suffix in ("md", "html")) else None


def write_report(
    store: str | Path = DEFAULT_STORE,
    output: str | Path = "reports",
    *,
    problems: Sequence[str] | None = None,
    jobs: int = 1,
    force: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> list[Path]:
    """Render every table and figure from ``store`` into ``output``; nothing is run. Returns the
    files written. ``progress(total)``: a progress line for the figures (an object with
    ``update(status, task=...)`` and ``close()``, e.g. ``workbench.progress.Progress``), or None.

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
            pages, context = build_pages(handle, problems, lesson=lesson_target(output))
        tasks = figure_jobs(context, store, output)
        planned = [name for page in pages for name in page.outputs()]
        figures = [figure_path(task) for task in tasks]
        folder.claim(planned + [path.relative_to(output) for path in figures if path is not None])
        written: list[Path] = []
        for page in pages:
            written += page.write(folder)
        bar = progress(len(tasks)) if progress is not None else None

        def done(task: tuple[Any, ...], files: list[Path]) -> None:
            nonlocal written
            written += files
            folder.written(files)
            if bar is not None:
                bar.update("done", task=" ".join(str(part) for part in (task[0], *task[3:4])))

        try:
            if jobs > 1 and len(tasks) > 1:
                with _pool(jobs) as workers:
                    for task, files in zip(tasks, workers.map(render_figures, tasks, chunksize=4), strict=True):
                        done(task, files)
            else:
                for task in tasks:
                    done(task, render_figures(task))
        finally:
            if bar is not None:
                bar.close()
    return written


def _pool(jobs: int) -> concurrent.futures.Executor:
    """Worker processes for drawing figures."""
    context = process_context(("workbench.report.pages",))
    return concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context)
