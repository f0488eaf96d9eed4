"""Assembling the lesson: run (or resume) the studies, read them back, build the sections, write the page
(Markdown + self-contained HTML + CSV tables) and draw the figures (in worker processes when jobs > 1).

One page per language, side by side: English in ``OUTPUT`` (``index.md``, ``index.html``, ``figures/``,
``tables/``), Russian in ``OUTPUT/ru`` (the same files), each folder with its own manifest
(:mod:`workbench.output`), so writing one language never deletes the other's files. Both pages read the
same store and are built by the same section functions from the same numbers; each links to the other
when the other exists or is written in the same call.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workbench.lesson import (
    decay,
    derivatives,
    ensembles,
    first_order,
    pitfalls,
    practical,
    race,
    second_order,
    training,
)
from workbench.lesson.context import FigureJob, Lesson, Section
from workbench.lesson.problems import lesson_problems
from workbench.lesson.results import StudyRuns
from workbench.lesson.runs import LessonStudy, declare, ensure_facts, ensure_sweeps, run_lesson
from workbench.lesson.text import Say, form_ru, number, plural, plural_ru
from workbench.output import OutputFolder
from workbench.processes import process_context
from workbench.report.document import Heading, Page, Table, Text
from workbench.report.document import anchor as _anchor
from workbench.store import TRACE_KEEP, Store
from workbench.study import StudySummary

__all__ = ["FOLDERS", "SECTIONS", "TITLE", "TITLES", "anchor", "write"]

TITLES = {
    "en": "The lesson: training neural networks, regenerated from the workbench's own runs",
    "ru": "Лекция об обучении нейронных сетей, воспроизведённая прогонами самого workbench",
}
TITLE = TITLES["en"]
#: Where each language's page lives inside the output folder.
FOLDERS = {"en": ".", "ru": "ru"}
#: The link to a page in each language, as its name in that language.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
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
    training.build,
)


def anchor(text: str) -> str:
    """The id :class:`workbench.report.document.Page` gives a heading in HTML (and GitHub in Markdown,
    for headings of letters of any script, digits, spaces and simple punctuation)."""
    return _anchor(text)


def page_folder(output: Path, language: str) -> Path:
    """The folder of the page in ``language`` (:data:`FOLDERS`)."""
    return output / FOLDERS[language]


def _page_exists(output: Path, language: str) -> bool:
    folder = page_folder(output, language)
    return (folder / "index.md").is_file() and (folder / "index.html").is_file()


def report_index(output: Path) -> bool:
    """True when a workbench report lies in the lesson's parent folder (``reports/index.*`` beside
    ``reports/lesson``, written by ``workbench report``): the pages then link back to it."""
    import json

    from workbench.output import MANIFEST

    folder = Path(output).resolve().parent
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("kind") == "report" and all((folder / f"index.{s}").is_file() for s in ("md", "html"))


def _report_link(language: str) -> str:
    """The relative path from the page in ``language`` to the report index beside the lesson folder."""
    return "../" * (1 + (0 if FOLDERS[language] == "." else len(Path(FOLDERS[language]).parts))) + "index.md"


def _link(source: str, target: str) -> str:
    """The relative path from the page in ``source`` to the page in ``target`` (Markdown)."""
    up = "" if FOLDERS[source] == "." else "../" * len(Path(FOLDERS[source]).parts)
    down = "" if FOLDERS[target] == "." else FOLDERS[target] + "/"
    return f"{up}{down}index.md"


def write(
    output: Path,
    store_path: Path,
    *,
    languages: Sequence[str] = ("en",),
    jobs: int = 1,
    progress: bool | None = None,
    force: bool = False,
) -> list[Path]:
    """See :func:`workbench.lesson.write_lesson`."""
    started = time.perf_counter()
    problems = lesson_problems()
    studies = declare(problems)
    # links to the other language: to a page written now or already on disk, never to a missing one
    present = [other for other in FOLDERS if other in languages or _page_exists(output, other)]
    report = report_index(output)
    folders = {language: OutputFolder(page_folder(output, language), kind="lesson", force=force, keep=[store_path])
               for language in languages}  # fmt: skip
    if "en" not in languages:  # the store's folder, unless the English page opens it below
        OutputFolder(output, kind="lesson", force=force, keep=[store_path]).check()
    # the folders are checked before anything runs: a refused folder costs nothing and gains no store
    with contextlib.ExitStack() as stack:
        for folder in folders.values():
            stack.enter_context(folder)
        pages: dict[str, tuple[Page, list[Section]]] = {}
        with Store(store_path) as store:
            summaries = run_lesson(store, studies, jobs=jobs, progress=progress)
            swept = ensure_sweeps(store, problems)
            ensure_facts(store, problems)
            run_time = time.perf_counter() - started
            runs = {name: StudyRuns(store, name) for name in studies}
            facts = store.facts()
            info = store.problems()
            environment = store.environments()[-1]
            for language in languages:
                lesson = Lesson(store, runs, info, facts, Say(language))
                sections = [build(lesson) for build in SECTIONS]
                page = _page(sections, lesson, studies, summaries, swept, run_time, environment, present,
                             report=report)  # fmt: skip
                pages[language] = (page, sections)
        written: list[Path] = []
        tasks: list[tuple[FigureJob, Path]] = []
        for language, (page, sections) in pages.items():
            folder = folders[language]
            figure_jobs = [job for section in sections for job in section.figures]
            folder.claim([*page.outputs(), *(job.path for job in figure_jobs)])
            written += page.write(folder)
            tasks += [(job, folder.root) for job in figure_jobs]
        figures = render(tasks, jobs=jobs)  # both languages' figures in one pool
        for folder in folders.values():
            folder.written(folder.path(job.path) for job, root in tasks if root == folder.root)
    return written + figures


def _page(
    sections: Sequence[Section],
    lesson: Lesson,
    studies: dict[str, LessonStudy],
    summaries: dict[str, StudySummary],
    swept: int,
    run_time: float,
    environment: dict[str, Any],
    present: Sequence[str] = (),
    *,
    report: bool = False,
) -> Page:
    """The page in ``lesson.say``'s language; ``present``: the languages whose page exists or is written
    now (linked from this one); ``report``: a workbench report lies beside the lesson folder (linked)."""
    say = lesson.say
    total = sum(len(runs.rows) for runs in lesson.runs.values())
    unique = len({row["key"] for runs in lesson.runs.values() for row in runs.rows})
    sweeps = len(lesson.store.sweeps())
    made_here = say(en="How this page was made", ru="Как сделана эта страница")
    page = Page("index", TITLES[lesson.language], language=lesson.language)
    if any(language != lesson.language for language in present):
        names = [LANGUAGE_NAMES[language] if language == lesson.language
                 else f"[{LANGUAGE_NAMES[language]}]({_link(lesson.language, language)})"
                 for language in FOLDERS if language in present or language == lesson.language]  # fmt: skip
        page.add(Text(say(en="**Language:** ", ru="**Язык:** ") + " · ".join(names)))
    if report:
        page.add(Text(say(en="**Report:** the workbench's [accuracy and iteration-count report]",
                          ru="**Отчёт:** [отчёт workbench о точности производных и числе итераций]")
                      + f"({_report_link(lesson.language)})"))  # fmt: skip
    page.add(Text(say(
        en="The lecture on training neural networks (optimization pitfalls, the first-order family, second-order "
        "methods, learning-rate decay, ensembles, a practical task comparing analytic and finite-difference "
        "derivatives on HS071, and training a network on data in mini-batches), answered by the workbench's own "
        "runs. Every number in the text is read from the result store (`lesson.sqlite` by default: "
        f"{plural(unique, 'stored run')} in "
        f"{plural(len(studies), 'study', 'studies')}, plus {plural(sweeps, 'error-versus-step sweep')}) "
        "and templated into the sentences; where a sentence draws a conclusion, its wording is chosen by comparing "
        "those numbers. Regenerate with `workbench lesson`; run again, it finds every run in the store and only "
        "redraws. f∗ and x∗ are a problem's known minimum value and minimizer; a *status* is the workbench's own "
        "verdict from exact derivatives, whatever the method claimed. Stored traces keep every iteration of runs "
        f"up to {TRACE_KEEP} iterations long and thin longer ones (the first {TRACE_KEEP // 4}, then log-spaced, "
        "always the last); iteration counts come from the run records.",
        ru="Лекция об обучении нейронных сетей (подводные камни оптимизации, методы первого порядка, методы "
        "второго порядка, затухание скорости обучения, ансамбли, практическое задание: аналитические производные "
        "и конечные разности на задаче HS071, и обучение сети на данных мини-батчами), и ответы на её вопросы, "
        "полученные собственными прогонами workbench. Каждое число в тексте прочитано из хранилища результатов "
        "(по умолчанию `lesson.sqlite`: "
        f"{plural_ru(unique, 'сохранённый прогон', 'сохранённых прогона', 'сохранённых прогонов')} в "
        f"{plural_ru(len(studies), 'исследовании', 'исследованиях', 'исследованиях')} и "
        f"{plural_ru(sweeps, 'развёртка', 'развёртки', 'развёрток')} ошибки по шагу) и подставлено в текст; "
        "там, где предложение делает вывод, формулировка выбирается сравнением этих чисел. Страница пересобирается "
        "командой `workbench lesson` (только русская: `--language ru`); при повторном запуске все прогоны "
        "находятся в хранилище, и страница только перерисовывается. f∗ и x∗ — известные минимальное значение "
        "задачи и точка минимума; *статус* — собственный вердикт workbench, вынесенный по точным производным, что "
        f"бы ни сообщал сам метод. В сохранённых траекториях прогонов длиной до {TRACE_KEEP} итераций хранится каждая "
        f"итерация, более длинные прорежены (первые {TRACE_KEEP // 4}, затем с логарифмическим шагом, последняя — "
        "всегда); число итераций берётся из записей прогонов.",
    )))  # fmt: skip
    page.add(Text(say(en="**Contents:** ", ru="**Содержание:** ")
                  + " · ".join(f"[{s.heading}](#{anchor(s.heading)})" for s in sections)
                  + f" · [{made_here}](#{anchor(made_here)})"))  # fmt: skip
    for section in sections:
        page.add(Heading(section.heading, 2), *section.blocks)
    page.add(Heading(made_here, 2))
    made = sum(s.ran for s in summaries.values())
    cpus = int(environment.get("cpu_count") or 0)
    versions = (f"Python {environment.get('python')}, NumPy {environment.get('numpy')}, "
                f"SciPy {environment.get('scipy')}, SymPy {environment.get('sympy')}, symengine "
                f"{environment.get('symengine')}, workbench {environment.get('workbench')}")  # fmt: skip
    page.add(Text(say(
        en=_session(made, unique)
        + f" ({number(run_time, 2)} s, including {plural(swept, 'sweep')} and loading the problems). "
        f"{total - unique} of the {total} study runs are shared between studies (same problem, method, options, "
        "variant and seed) and stored once. "
        f"Environment of the last study: {versions}, {plural(cpus, 'CPU')}.",
        ru=_session_ru(made, unique)
        + f" ({number(run_time, 2)} с, включая {plural_ru(swept, 'развёртку', 'развёртки', 'развёрток')} и "
        f"загрузку задач). {total - unique} из {total} {form_ru(total, 'прогона', 'прогонов', 'прогонов')} "
        "исследований повторяются в разных исследованиях (та же задача, метод, параметры, вариант производных и "
        f"зерно) и хранятся один раз. Окружение последнего исследования: {versions}, "
        f"{plural_ru(cpus, 'процессор', 'процессора', 'процессоров')}.",
    )))  # fmt: skip
    rows = []
    for name, runs in lesson.runs.items():
        summary = summaries[name]
        statuses = sorted(Counter(row["status"] for row in runs.rows).items())
        counted = ", ".join(say(en=f"{count} {status}", ru=f"{status}: {count}") for status, count in statuses)
        rows.append([name, len(runs.rows), summary.ran, summary.resumed, counted])
    headers = say(en="study|runs|made in this session|found in the store|statuses",
                  ru="исследование|прогонов|сделано в этом сеансе|найдено в хранилище|статусы")  # fmt: skip
    page.add(Table(headers.split("|"), rows, csv="tables/studies.csv"))
    return page


def _session(made: int, stored: int) -> str:
    if made == 0:
        return f"This session found all {stored} runs in the store and made none"
    if made == stored:
        return f"This session made all {stored} runs"
    return f"This session made {plural(made, 'run')} and found the other {stored - made} in the store"


def _session_ru(made: int, stored: int) -> str:
    runs = form_ru(stored, "прогон", "прогона", "прогонов")
    if made == 0:
        return f"Этот сеанс нашёл в хранилище все {stored} {runs} и не сделал ни одного нового"
    if made == stored:
        return f"Этот сеанс сделал все {stored} {runs}"
    return (f"Этот сеанс сделал {plural_ru(made, 'прогон', 'прогона', 'прогонов')}, остальные {stored - made} "
            "нашёл в хранилище")  # fmt: skip


def _run_job(job: FigureJob, output: Path) -> Path:
    return job.run(output)


def render(tasks: Sequence[tuple[FigureJob, Path]], *, jobs: int = 1) -> list[Path]:
    """Draw every figure job into its output folder, ``tasks`` of (job, folder); on ``jobs`` processes
    when jobs > 1."""
    if jobs > 1 and len(tasks) > 1:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=process_context()) as pool:
            # the slowest jobs (the animations) first, so they overlap the others
            ordered = sorted(tasks, key=lambda task: not task[0].path.endswith(".gif"))
            return list(pool.map(_run_job, *zip(*ordered, strict=True)))
    return [job.run(output) for job, output in tasks]
