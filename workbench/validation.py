"""Checks shared by every layer: names looked up with a "did you mean" hint, and numbers validated
with errors that name the value and what it must be.

These are the only implementations: methods, rules, schedules, variants, problem selection and
option resolution all call them, so every message reads the same way.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable

__all__ = [
    "did_you_mean",
    "integer",
    "non_negative",
    "positive",
    "real",
    "unit_interval",
    "unknown_name",
]


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'adam'?)`` when a choice is close to ``name``, else an empty string."""
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_name(kind: str, name: object, choices: Iterable[str]) -> ValueError:
    """The error for an unknown name: ``unknown method 'adm' (did you mean 'adam'?); known methods: ...``.

    ``kind`` is the singular noun ("method", "schedule", ...); the plural adds an "s".
    """
    choices = list(choices)
    return ValueError(f"unknown {kind} {name!r}{did_you_mean(name, choices)}; known {kind}s: {', '.join(choices)}")


def real(name: str, value: object, *, where: str = "") -> float:
    """``value`` as a finite float; TypeError for a non-number (a bool included), ValueError if not finite.

    ``where`` prefixes the message (``"adam: "``).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}{name} must be a real number, got {value!r} ({type(value).__name__})")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{where}{name} must be finite, got {value!r}")
    return result


def positive(name: str, value: object, *, where: str = "") -> float:
    """A finite float > 0."""
    result = real(name, value, where=where)
    if result <= 0:
        raise ValueError(f"{where}{name} must be > 0, got {value!r}")
    return result


def non_negative(name: str, value: object, *, where: str = "") -> float:
    """A finite float >= 0."""
    result = real(name, value, where=where)
    if result < 0:
        raise ValueError(f"{where}{name} must be >= 0, got {value!r}")
    return result


def unit_interval(name: str, value: object, *, where: str = "") -> float:
    """A finite float in [0, 1), the range of a decay or momentum coefficient."""
    result = real(name, value, where=where)
    if not 0 <= result < 1:
        raise ValueError(f"{where}{name} must be in [0, 1), got {value!r}")
    return result


def integer(name: str, value: object, *, minimum: int | None = None, where: str = "") -> int:
    """An int (a float with an integral value is accepted), at least ``minimum`` when given."""
    if isinstance(value, bool):
        raise TypeError(f"{where}{name} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        result = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        result = int(value)
    else:
        raise TypeError(f"{where}{name} must be a whole number, got {value!r} ({type(value).__name__})")
    if minimum is not None and result < minimum:
        raise ValueError(f"{where}{name} must be >= {minimum}, got {value!r}")
    return result
