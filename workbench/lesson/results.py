"""Reading the lesson's runs back from the store: one :class:`StudyRuns` per study.

Runs are matched to a study by the keys the store records for it (``Store.study_keys``, written when
the study runs), not by the ``study`` column: a run shared by two studies is stored once, under the
first, and read by both. Nothing here imports the run layers: the store is all a section reads. Rows
are the store's dicts (``Store.runs``); traces are the store's columns (``Store.trace``), thinned
beyond 400 iterations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.store import Store

__all__ = ["MissingRunsError", "StudyRuns", "positions"]


class MissingRunsError(LookupError):
    """The store lacks runs of a study (it was interrupted): run the lesson again to finish it."""


class StudyRuns:
    """The stored runs of one study, with selection by method, variant, options, seed and start."""

    def __init__(self, store: Store, study: str) -> None:
        self.name = study
        self.store = store
        keys = store.study_keys(study)
        if not keys:
            raise MissingRunsError(
                f"the store {store.path} holds no runs of study {study}; run the lesson again to make them"
            )
        rows: dict[str, dict[str, Any]] = {}
        for chunk in range(0, len(keys), 500):
            part = keys[chunk : chunk + 500]
            for row in store.runs(f"key IN ({', '.join('?' * len(part))})", tuple(part)):
                rows[row["key"]] = row
        missing = [k for k in keys if k not in rows]
        if missing:
            raise MissingRunsError(
                f"the store {store.path} lacks {len(missing)} of the {len(keys)} runs of study {study}; "
                "run the lesson again (without --from-store) to finish them"
            )
        self.rows = [rows[k] for k in keys]
        self._traces: dict[str, dict[str, list[Any]]] = {}

    def select(
        self,
        *,
        problem: str | None = None,
        method: str | None = None,
        variant: str | None = None,
        seed: int | None = None,
        start: int | None = None,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Rows matching every criterion given (options compared with the stored options)."""
        chosen = []
        for row in self.rows:
            fields = {"problem": problem, "method": method, "variant": variant, "seed": seed, "start": start}
            if any(value is not None and row[name] != value for name, value in fields.items()):
                continue
            if any(not _same(row["options"].get(name), value) for name, value in options.items()):
                continue
            chosen.append(row)
        return chosen

    def one(self, **criteria: Any) -> dict[str, Any]:
        """The single row matching ``criteria`` (an error naming them when there is not exactly one)."""
        rows = self.select(**criteria)
        if len(rows) != 1:
            raise LookupError(f"study {self.name}: {len(rows)} runs match {criteria}, expected exactly one")
        return rows[0]

    def trace(self, row: dict[str, Any]) -> dict[str, list[Any]]:
        """The stored trace of a run (columns k, f, stationarity, step_size, learning_rate, x, ...)."""
        key = row["key"]
        if key not in self._traces:
            self._traces[key] = self.store.trace(key)
        return self._traces[key]


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(wanted, float) and isinstance(stored, (int, float)):
        return bool(np.isclose(stored, wanted, rtol=1e-12, atol=0.0))
    if isinstance(wanted, (list, tuple)) and isinstance(stored, (list, tuple)):
        return len(stored) == len(wanted) and all(_same(a, b) for a, b in zip(stored, wanted, strict=True))
    return stored == wanted


def positions(trace: dict[str, list[Any]]) -> np.ndarray:
    """The iterates of a trace as an array of shape (records, n) (kept for n <= 10 only)."""
    if not trace["x"] or trace["x"][0] is None:
        raise ValueError("this trace keeps no iterates (they are stored for problems with n <= 10 only)")
    return np.array(trace["x"], dtype=float)
