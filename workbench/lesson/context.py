"""What every section reads (:class:`Lesson`) and what it returns (:class:`Section`).

A section is a function ``build(lesson) -> Section``: its heading, its page blocks (text templated
from stored runs, tables, figures with one-line captions) and its figure jobs, in the language of
``lesson.say`` (the same function builds the English and the Russian section). A :class:`FigureJob`
is a module-level render function and a plain-data spec, so jobs pickle to worker processes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.lesson.figures import Landscape, Marker
from workbench.lesson.results import StudyRuns
from workbench.lesson.text import Say
from workbench.store import Store

__all__ = ["FigureJob", "Lesson", "Section"]


@dataclasses.dataclass
class FigureJob:
    """``render(output / path, spec)`` writes one figure file."""

    path: str
    render: Callable[[Path, Any], None]
    spec: Any

    def run(self, output: Path) -> Path:
        target = output / self.path
        self.render(target, self.spec)
        return target


@dataclasses.dataclass
class Section:
    heading: str
    blocks: list[Any]
    figures: list[FigureJob] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Lesson:
    """The store, each study's runs, the stored problem metadata, the stored facts about problems
    (curvatures and exact derivatives the text quotes, ``Store.facts``) and the language of the page
    (``say``): everything a section reads comes from the store."""

    store: Store
    runs: dict[str, StudyRuns]
    info: dict[str, dict[str, Any]]
    facts: dict[str, dict[str, Any]]
    say: Say = dataclasses.field(default_factory=Say)

    @property
    def language(self) -> str:
        return self.say.language

    def landscape(
        self,
        name: str,
        window: tuple[tuple[float, float], tuple[float, float]],
        levels: str = "log",
    ) -> Landscape:
        """The contour landscape of a stored two-variable problem over ``window``."""
        info = self.info[name]
        bounds = None
        if info["bounded"]:
            bounds = ((info["lower"][0], info["lower"][1]), (info["upper"][0], info["upper"][1]))
        return Landscape(info["objective"], info["variables"], window, levels=levels, bounds=bounds)

    def optimum(self, name: str, label: str | None = None) -> list[Marker]:
        """A marker at the stored problem's known minimizer (none when unknown), labelled "global
        minimum x∗" in the page's language unless ``label`` is given."""
        x_star = self.info[name]["x_star"]
        label = label or self.say.term("global minimum")
        return [] if x_star is None else [Marker(label, (x_star[0], x_star[1]))]
