"""The lesson: the lecture's figures and claims regenerated from the workbench's own runs.

``write_lesson(output)`` runs (or resumes) the lesson's studies (:mod:`workbench.lesson.runs`) into a
result store, then writes ``output/index.md`` and a self-contained ``output/index.html`` with ten
sections, their figures (PNG, one animated GIF) and their tables (CSV). Every number in the text is read
back from the store and templated into the sentences; the wording that draws a conclusion is chosen by
comparing those numbers. Running it again on the same store makes no new runs and only re-renders.

The lesson is written in English (``output/``) and Russian (``output/ru/``: the same files, figures
labelled in Russian), side by side from the same store and the same section code: each sentence is
written once in both languages (``say(en=..., ru=...)``, :mod:`workbench.lesson.text`), so both pages
quote the same numbers. Each page links to the other when the other exists or is written in the same
call; each folder keeps its own manifest, so writing one language never deletes the other's files.

Modules: ``problems`` (what is run on), ``runs`` (the studies), ``results`` (reading them back),
``context`` (what a section reads and returns), ``text``, ``figures``, ``animation``, ``plotdata``
(presentation), one module per section or pair of sections (``pitfalls``, ``first_order``, ``race``,
``decay``, ``second_order``, ``ensembles``, ``derivatives``, ``practical``, ``training``) and ``page``
(assembling and writing the pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.lesson.text import LANGUAGES

__all__ = ["LANGUAGES", "write_lesson"]


def write_lesson(
    output: str | Path = "reports/lesson",
    *,
    store: str | Path | None = None,
    jobs: int = 1,
    progress: bool | None = None,
    language: str | Sequence[str] = "en",
    force: bool = False,
) -> list[Path]:
    """Run (or resume) the lesson's runs into ``store`` (default: ``Path(output) / "lesson.sqlite"``, for
    every language), then write the page in ``language``: ``"en"`` writes ``output/index.md`` and
    ``output/index.html`` (+ ``figures/``, ``tables/``), ``"ru"`` the same files in ``output/ru/``, and a
    sequence such as ``("en", "ru")`` both pages from one reading of the store (what ``workbench lesson``
    does without ``--language``). Returns the files written (the store not included). ``jobs`` worker
    processes run the larger studies and draw the figures; ``progress`` shows a progress line per study
    (None: on a terminal). Only files the workbench wrote are replaced (:mod:`workbench.output`; each
    language's folder has its own manifest; ``force`` writes into a folder holding other files, never
    over them). A language other than ``"en"`` and ``"ru"`` raises ValueError before anything runs."""
    requested = [language] if isinstance(language, str) else list(language)
    if not requested or any(name not in LANGUAGES for name in requested):
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)} (or a sequence of them), got {language!r}")
    languages = [name for name in LANGUAGES if name in requested]
    from workbench.lesson.page import write

    output = Path(output)
    store_path = Path(store) if store is not None else output / "lesson.sqlite"
    return write(output, store_path, languages=languages, jobs=jobs, progress=progress, force=force)
