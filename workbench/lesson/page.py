"""Assembling the lesson: run (or resume) the studies, read them back, build the sections, write the page
(Markdown + self-contained HTML + CSV tables) and draw the figures (in worker processes when jobs > 1).
"""

from __future__ import annotations

import concurrent.futures
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workbench.lesson import decay, derivatives, ensembles, first_order, pitfalls, practical, race, second_order
from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.problems import lesson_problems
from workbench.lesson.results import StudyRuns
from workbench.lesson.runs import LessonStudy, declare, ensure_sweeps, run_lesson
from workbench.lesson.text import number, plural
from workbench.output import OutputFolder
from workbench.processes import process_context
from workbench.report.document import Heading, Page, Table, Text
from workbench.store import TRACE_KEEP, Store
from workbench.study import StudySummary

__all__ = ["SECTIONS", "TITLE", "anchor", "write"]

TITLE = "The lesson: training neural networks, regenerated from the workbench's own runs"
#: The sections in page order: each ``build(lesson) -> Section``.
SECTIONS: tuple[Callable[[Lesson], Section], ...] = (
    pitfalls.build,
    first_order.build_momentum,
    first_order.build_adaptive,
    race.build,
    decay.build,
    second_order.build,
    ensembles.build,
    derivatives.build,
    practical.build,
)


def anchor(text: str) -> str:
    """The id :class:`workbench.report.document.Page` gives a heading in HTML (and GitHub in Markdown,
    for headings of letters, digits, spaces and simple punctuation)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write(
    output: Path, store_path: Path, *, jobs: int = 1, progress: bool | None = None, force: bool = False
) -> list[Path]:
    """See :func:`workbench.lesson.write_lesson`."""
    started = time.perf_counter()
    problems = lesson_problems()
    studies = declare(problems)
    # the folder is checked before anything runs: a refused folder costs nothing and gains no store
    with OutputFolder(output, kind="lesson", force=force, keep=[store_path]) as folder:
        with Store(store_path) as store:
            summaries = run_lesson(store, studies, jobs=jobs, progress=progress)
            swept = ensure_sweeps(store, problems)
            run_time = time.perf_counter() - started
            lesson = Lesson(store, {name: StudyRuns(store, entry.study) for name, entry in studies.items()},
                            store.problems(), problems)  # fmt: skip
            sections = [build(lesson) for build in SECTIONS]
            environment = store.environments()[-1]
            page = _page(sections, lesson, studies, summaries, swept, run_time, environment)
        figure_jobs = [job for section in sections for job in section.figures]
        folder.claim([*page.outputs(), *(job.path for job in figure_jobs)])
        written = page.write(folder)
        figures = render(figure_jobs, output, jobs=jobs)
        folder.written(figures)
    return written + figures


def _page(
    sections: Sequence[Section],
    lesson: Lesson,
    studies: dict[str, LessonStudy],
    summaries: dict[str, StudySummary],
    swept: int,
    run_time: float,
    environment: dict[str, Any],
) -> Page:
    total = sum(len(runs.rows) for runs in lesson.runs.values())
    unique = len({row["key"] for runs in lesson.runs.values() for row in runs.rows})
    page = Page("index", TITLE)
    page.add(Text(
        "The lecture on training neural networks (optimization pitfalls, the first-order family, second-order "
        "methods, learning-rate decay, ensembles, and a practical task comparing analytic and finite-difference "
        "derivatives on HS071), answered by the workbench's own runs. Every number in the text is read from the "
        f"result store (`lesson.sqlite` by default: {plural(unique, 'stored run')} in "
        f"{plural(len(studies), 'study', 'studies')}, plus "
        f"{plural(len(lesson.store.sweeps()), 'error-versus-step sweep')}) "
        "and templated into the sentences; where a sentence draws a conclusion, its wording is chosen by comparing "
        "those numbers. Regenerate with `workbench lesson`; run again, it finds every run in the store and only "
        "redraws. f∗ and x∗ are a problem's known minimum value and minimizer; a *status* is the workbench's own "
        "verdict from exact derivatives, whatever the method claimed. Stored traces keep every iteration of runs "
        f"up to {TRACE_KEEP} iterations long and thin longer ones (the first {TRACE_KEEP // 4}, then log-spaced, "
        "always the last); iteration counts come from the run records."))  # fmt: skip
    page.add(Text("**Contents:** " + " · ".join(f"[{s.heading}](#{anchor(s.heading)})" for s in sections)
                  + f" · [How this page was made](#{anchor('How this page was made')})"))  # fmt: skip
    for section in sections:
        page.add(Heading(section.heading, 2), *section.blocks)
    page.add(Heading("How this page was made", 2))
    made = sum(s.ran for s in summaries.values())
    page.add(Text(
        _session(made, unique)
        + f" ({number(run_time, 2)} s, including {plural(swept, 'sweep')} and loading the problems). "
        f"{total - unique} of the {total} study runs are shared between studies (same problem, method, options, "
        "variant and seed) and stored once. "
        f"Environment of the last study: Python {environment.get('python')}, NumPy {environment.get('numpy')}, "
        f"SciPy {environment.get('scipy')}, SymPy {environment.get('sympy')}, symengine "
        f"{environment.get('symengine')}, workbench {environment.get('workbench')}, "
        f"{plural(int(environment.get('cpu_count') or 0), 'CPU')}."))  # fmt: skip
    rows = []
    for name, runs in lesson.runs.items():
        summary = summaries[name]
        statuses = Counter(row["status"] for row in runs.rows)
        rows.append([name, len(runs.rows), summary.ran, summary.resumed,
                     ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))])  # fmt: skip
    page.add(Table(["study", "runs", "made in this session", "found in the store", "statuses"], rows,
                   csv="tables/studies.csv"))  # fmt: skip
    return page


def _session(made: int, stored: int) -> str:
    if made == 0:
        return f"This session found all {stored} runs in the store and made none"
    if made == stored:
        return f"This session made all {stored} runs"
    return f"This session made {plural(made, 'run')} and found the other {stored - made} in the store"


def _run_job(job: FigureJob, output: Path) -> Path:
    return job.run(output)


def render(jobs_to_run: Sequence[FigureJob], output: Path, *, jobs: int = 1) -> list[Path]:
    """Draw every figure job into ``output``; on ``jobs`` processes when jobs > 1."""
    if jobs > 1 and len(jobs_to_run) > 1:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=process_context()) as pool:
            # the slowest job (the animation) first, so it overlaps the others
            ordered = sorted(jobs_to_run, key=lambda job: not job.path.endswith(".gif"))
            return list(pool.map(_run_job, ordered, [output] * len(ordered)))
    return [job.run(output) for job in jobs_to_run]
