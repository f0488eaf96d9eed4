"""The lesson: the lecture's figures and claims regenerated from the workbench's own runs.

``write_lesson(output)`` runs (or resumes) the lesson's studies (:mod:`workbench.lesson.runs`) into a
result store, then writes ``output/index.md`` and a self-contained ``output/index.html`` with nine
sections, their figures (PNG, one animated GIF) and their tables (CSV). Every number in the text is read
back from the store and templated into the sentences; the wording that draws a conclusion is chosen by
comparing those numbers. Running it again on the same store makes no new runs and only re-renders.

Modules: ``problems`` (what is run on), ``runs`` (the studies), ``results`` (reading them back),
``context`` (what a section reads and returns), ``text``, ``figures``, ``animation``, ``plotdata``
(presentation), one module per section or pair of sections (``pitfalls``, ``first_order``, ``race``,
``decay``, ``second_order``, ``ensembles``, ``derivatives``, ``practical``) and ``page`` (assembling
and writing the page).

Only English is written: ``language="ru"`` raises NotImplementedError (before anything is run).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_lesson"]

LANGUAGES = ("en", "ru")


def write_lesson(
    output: str | Path = "reports/lesson",
    *,
    store: str | Path | None = None,
    jobs: int = 1,
    progress: bool | None = None,
    language: str = "en",
    force: bool = False,
) -> list[Path]:
    """Run (or resume) the lesson's runs into ``store`` (default: ``Path(output) / "lesson.sqlite"``),
    then write ``output/index.md`` and ``output/index.html`` (+ figures, CSV tables); return the files
    written (the store not included). ``jobs`` worker processes run the larger studies and draw the
    figures; ``progress`` shows a progress line per study (None: on a terminal). Only files the
    workbench wrote are replaced (:mod:`workbench.output`; ``force`` writes into a folder holding
    other files, never over them). ``language`` must be
    ``"en"``; ``"ru"`` raises NotImplementedError, anything else ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    if language != "en":
        raise NotImplementedError(
            f"the lesson's text exists in English only; language={language!r} is not written yet (use 'en')"
        )
    from workbench.lesson.page import write

    output = Path(output)
    store_path = Path(store) if store is not None else output / "lesson.sqlite"
    return write(output, store_path, jobs=jobs, progress=progress, force=force)
