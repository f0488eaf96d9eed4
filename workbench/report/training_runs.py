"""The run side of the report's training page: the data study, declared from
:mod:`workbench.report.training_plan` (what it runs and why those settings). :func:`data_studies` gives
the studies :func:`workbench.report.prepare.default_study` runs beside the default grids; the page
(:mod:`workbench.report.training`) reads their runs back by the studies' names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from workbench.problem import Problem
from workbench.report.training_plan import (
    BATCH_SIZE,
    DATA_STUDY,
    EPOCHS,
    FULL_BATCH,
    NEWTON_MAX_N,
    NEWTON_STUDY,
    RATES,
    SCHEDULE,
    TIME_LIMIT,
)
from workbench.study import MethodSpec, Study

__all__ = ["data_studies"]


def data_studies(problems: Iterable[Problem], methods: Sequence[str] | None = None) -> list[Study]:
    """The data study of the problems tagged ``data`` among ``problems``: the first-order family in
    mini-batches with per-epoch decay and L-BFGS full-batch on each (study ``report-data``), Newton on those
    with at most ``NEWTON_MAX_N`` variables (``report-data-newton``); ``methods``: only these (None: all).
    Empty when no data problem or no method is left."""
    data = [problem for problem in problems if "data" in problem.tags]
    wanted = set(methods) if methods else None
    if not data:
        return []
    mini = [MethodSpec(method, learning_rate=rate, batch_size=BATCH_SIZE, epochs=EPOCHS, schedule=SCHEDULE)
            for method, rate in RATES.items() if wanted is None or method in wanted]  # fmt: skip
    full = [method for method in FULL_BATCH if method != "newton" and (wanted is None or method in wanted)]
    options = {"time_limit": TIME_LIMIT}
    studies = []
    if mini or full:
        studies.append(Study(name=DATA_STUDY, problems=data, methods=[*mini, *full], options=options))
    small = [problem for problem in data if problem.n <= NEWTON_MAX_N]
    if small and "newton" in FULL_BATCH and (wanted is None or "newton" in wanted):
        studies.append(Study(name=NEWTON_STUDY, problems=small, methods=["newton"], options=options))
    return studies
