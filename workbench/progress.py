"""Progress on the terminal: one named phase at a time (``study``, ``checks``, ``figures``, the lesson's
``lesson runs``), each one line with its count, elapsed time, an ETA and the task that finished last;
silent when standard error is not a terminal (tests, CI) unless asked (``enabled=True``).

The ETA leaves out **instant** runs: a run whose method cannot apply to the problem or variant ends
``not_applicable`` without running, and which runs those are is known before the study starts, from the
methods' declared capabilities (:func:`instant_runs`). Averaging them in made the estimate collapse (it
once showed 00:00 with 25 real runs left):

    ETA = elapsed / (runs finished that took time) x (runs left that will take time)

The line is drawn by tqdm: it sizes the line to the terminal, limits redraws to ten a second and keeps
other output from tearing the line, which the hand-written carriage-return bar this replaces did not.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TextIO

__all__ = ["FAILURES", "INSTANT", "Progress", "instant_runs"]

FAILURES = ("failed", "diverged", "timeout")
#: Statuses of runs that end before running (known in advance: see :func:`instant_runs`).
INSTANT = ("not_applicable",)
BAR = "{desc} {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt} {unit}{postfix} [{elapsed}]"


def instant_runs(tasks: Iterable[Any], problems: dict[str, Any]) -> int:
    """How many of ``tasks`` (``workbench.parallel.Task``) end ``not_applicable`` at once: the method's
    declared capabilities do not cover the problem (keyed by fingerprint) or the variant."""
    from workbench.methods import get_method
    from workbench.methods.base import applicability

    return sum(
        applicability(get_method(t.method).capabilities, problems[t.fingerprint], t.variant, t.method) is not None
        for t in tasks
    )


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else (
        f"{seconds // 60:02d}:{seconds % 60:02d}")  # fmt: skip


class Progress:
    """Counts finished tasks by status and shows them (``enabled=None``: only on a terminal).

    ``phase`` names the line (``study``, ``checks``, ``figures``); ``label`` the unit (``runs``);
    ``instant``: how many of the ``total`` end at once (left out of the ETA); ``failures``: say how many
    failed (the lesson, whose failures are the point, says no such thing); ``context``: a word shown
    before the task that finished last (the lesson's study name); ``clock``: seconds, for tests."""

    def __init__(self, total: int, *, skipped: int = 0, enabled: bool | None = None, stream: TextIO | None = None,
                 label: str = "runs", phase: str = "study", instant: int = 0, failures: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.stream = stream or sys.stderr
        terminal = self.stream.isatty() if hasattr(self.stream, "isatty") else False
        self.enabled = (terminal if enabled is None else enabled) and total > 0
        self.total = total
        self.skipped = skipped
        self.label = label
        self.phase = phase
        self.instant = instant
        self.failures = failures
        self.context = ""
        self.last = ""
        self.statuses: Counter[str] = Counter()
        self.clock = clock
        self.start = clock()
        self._bar: Any = None
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=phase, unit=label, file=self.stream, bar_format=BAR, mininterval=0.1,
                             dynamic_ncols=True, leave=True)  # fmt: skip

    @property
    def done(self) -> int:
        return sum(self.statuses.values())

    @property
    def timed(self) -> int:
        """Finished tasks that took time (not :data:`INSTANT`)."""
        return sum(count for status, count in self.statuses.items() if status not in INSTANT)

    def eta(self) -> float | None:
        """Seconds left (module docstring); None before the first task that took time has finished."""
        instant_left = max(self.instant - (self.done - self.timed), 0)
        left = max(self.total - self.done - instant_left, 0)
        if left == 0:
            return 0.0
        if self.timed == 0:
            return None
        return (self.clock() - self.start) / self.timed * left

    def describe(self) -> str:
        """The words after the count: failures, ETA, the task that finished last."""
        parts = []
        if self.failures:
            parts.append(f"{sum(self.statuses[s] for s in FAILURES)} failed")
        eta = self.eta()
        parts.append(f"ETA {'--:--' if eta is None else _clock(eta)}")
        if self.last:
            parts.append(f"last: {self.context + ': ' if self.context else ''}{self.last}")
        return ", ".join(parts)

    def update(self, status: str = "done", *, task: str = "") -> None:
        """One task finished with ``status``; ``task`` names it on the line."""
        self.statuses[status] += 1
        self.last = task or self.last
        if self._bar is not None:
            self._bar.set_postfix_str(self.describe(), refresh=False)
            self._bar.update(1)
            if self.done == self.total:
                self._bar.refresh()  # the last count shows at once, not at the next redraw

    def close(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self.describe(), refresh=False)
            self._bar.close()
            self._bar = None
