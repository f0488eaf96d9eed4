"""A progress line on the terminal: done / failed / remaining and an ETA; silent when not a terminal.

No dependency: one line rewritten with a carriage return on standard error, at most ten times a
second, and a summary when the study ends.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

__all__ = ["Progress"]

FAILURES = ("failed", "diverged", "timeout")


class Progress:
    """Counts finished runs by status and shows them (``enabled=None``: only on a terminal)."""

    def __init__(self, total: int, *, skipped: int = 0, enabled: bool | None = None, stream: TextIO | None = None,
                 label: str = "runs") -> None:  # fmt: skip
        self.stream = stream or sys.stderr
        self.enabled = (
            (self.stream.isatty() if hasattr(self.stream, "isatty") else False) if enabled is None else enabled
        )
        self.total = total
        self.skipped = skipped
        self.label = label
        self.statuses: Counter[str] = Counter()
        self.start = time.monotonic()
        self._last = 0.0

    @property
    def done(self) -> int:
        return sum(self.statuses.values())

    def update(self, status: str) -> None:
        self.statuses[status] += 1
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        done, total = self.done, self.total
        width = 24
        filled = int(width * done / total) if total else width
        elapsed = now - self.start
        eta = elapsed / done * (total - done) if done else float("nan")
        failed = sum(self.statuses[s] for s in FAILURES)
        eta_text = "--:--" if eta != eta else f"{int(eta) // 60:02d}:{int(eta) % 60:02d}"
        line = (f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {self.label}, {failed} failed, "
                f"{total - done} remaining, ETA {eta_text} ")  # fmt: skip
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
