"""Wording helpers: numbers read from the store turned into text (never typed in).

``number(0.000123)`` gives ``"1.23e-4"``, ``number(653)`` gives ``"653"``; ``join(["a", "b", "c"])``
gives ``"a, b and c"``; ``plural(3, "run")`` gives ``"3 runs"``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["STATUS_WORDS", "code", "join", "number", "plural", "point", "ratio", "status"]

#: What each status means, for sentences.
STATUS_WORDS = {
    "converged": "converged",
    "local_minimum": "stopped at a known local minimum",
    "max_iterations": "ran out of iterations",
    "max_evaluations": "ran out of evaluations",
    "diverged": "diverged",
    "failed": "failed",
    "not_applicable": "could not run",
    "timeout": "ran out of time",
}


def number(value: Any, digits: int = 3) -> str:
    """An int as is (below 1e7); a float in ``%.{digits}g`` with a short exponent (``1.2e-7``, ``3e6``);
    a negative number with the minus sign − (U+2212)."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral) and abs(value) < 10**7:
        return str(int(value)).replace("-", "−")
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.{digits}g}"
    text = re.sub(r"e([+-])0*(\d+)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)
    return "−" + text[1:] if text.startswith("-") else text


def point(values: Sequence[float], digits: int = 3) -> str:
    """``(1, 0.3)``."""
    return "(" + ", ".join(number(float(v), digits) for v in values) + ")"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 run"``, ``"3 runs"``."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def join(items: Iterable[str], last: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``; ``"none"`` when empty."""
    items = list(items)
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def code(name: str) -> str:
    """A name in code font."""
    return f"`{name}`"


def status(name: str) -> str:
    """A status in words."""
    return STATUS_WORDS.get(name, name)


def ratio(a: float, b: float) -> str:
    """``a / b`` as ``"4.2x"``, ``"256x"`` (``"n/a"`` when b is zero)."""
    if b == 0:
        return "n/a"
    value = a / b
    return f"{round(value)}x" if abs(value) >= 100 else f"{number(value, 2)}x"
