"""Plain-text and Markdown tables from rows of values (no dependencies, numbers formatted once).

One number format per column (:func:`format_column`): a column of whole numbers prints whole numbers,
a column of numbers of similar size one fixed number of decimals, a column of mixed magnitudes
scientific notation with the same number of digits everywhere; never ``-0``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["column_format", "format_column", "format_number", "format_table", "format_value"]

#: Fixed decimals are used while the largest and smallest nonzero magnitudes of a column stay within
#: this ratio and inside [FIXED_LOW, FIXED_HIGH); otherwise the column is scientific.
FIXED_RATIO = 1e4
FIXED_LOW = 1e-3
FIXED_HIGH = 1e6
_NEGATIVE_ZERO = re.compile(r"^-(0(\.0*)?(e[+-]\d+)?)$")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _special(value: Any) -> str | None:
    """The text of a cell that is not a finite number (None when it is one)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if not _is_number(value):
        return str(value)
    return None


def _no_negative_zero(text: str) -> str:
    return _NEGATIVE_ZERO.sub(r"\1", text)


def format_number(value: Any, digits: int = 3) -> str:
    """One cell on its own: ints as is, floats in %.{digits}g, None empty, never ``-0``."""
    special = _special(value)
    if special is not None:
        return special
    if isinstance(value, int):
        return str(value)
    return _no_negative_zero(f"{value:.{digits}g}")


def column_format(values: Sequence[Any], digits: int = 3) -> str:
    """The one format of a column's finite numbers: ``"{:d}"``-like ``"int"``, ``".Nf"`` (N fixed
    decimals, enough for ``digits`` significant digits of the smallest nonzero magnitude) or ``".Ne"``
    (scientific, ``digits`` significant digits). Other cells (text, None, nan, inf) do not count."""
    numbers = [float(v) for v in values if _special(v) is None]
    if all(float(v).is_integer() and abs(v) < 1e15 for v in numbers):
        return "int"
    magnitudes = [abs(v) for v in numbers if v != 0]
    low, high = min(magnitudes), max(magnitudes)
    if high < FIXED_HIGH and low >= FIXED_LOW and high / low <= FIXED_RATIO:
        decimals = max(0, digits - 1 - math.floor(math.log10(low)))
        return f".{min(decimals, _decimals_present(numbers))}f"
    return f".{max(digits - 1, 0)}e"


def _decimals_present(numbers: Sequence[float], most: int = 6) -> int:
    """The decimals a column's numbers carry (values rounded to 1 decimal carry 1), at most ``most``."""
    return max((next((d for d in range(most) if round(v, d) == v), most) for v in numbers), default=0)


def format_value(value: Any, spec: str) -> str:
    """One cell in its column's format (:func:`column_format`)."""
    special = _special(value)
    if special is not None:
        return special
    if spec == "int":
        return str(int(round(float(value))))
    return _no_negative_zero(format(float(value), spec))


def format_column(values: Sequence[Any], digits: int = 3) -> list[str]:
    """Every cell of a column in the column's one format (module docstring)."""
    spec = column_format(values, digits)
    return [format_value(v, spec) for v in values]


def format_rows(rows: Sequence[Sequence[Any]], digits: int = 3) -> list[list[str]]:
    """Cells of a table as text, each column in its own one format."""
    if not rows:
        return []
    columns = [format_column([row[k] for row in rows], digits) for k in range(len(rows[0]))]
    return [list(cells) for cells in zip(*columns, strict=True)]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, markdown: bool = False,
                 digits: int = 3) -> str:  # fmt: skip
    """A table with one header line; ``markdown=True`` writes GitHub-flavoured Markdown."""
    cells = format_rows(rows, digits)
    if markdown:

        def line(values: Sequence[str]) -> str:
            return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

        out = [line(headers), "|" + "|".join("---" for _ in headers) + "|"]
        out += [line(row) for row in cells]
        return "\n".join(out)
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(_is_number(row[k]) for row in rows if row[k] is not None and row[k] != "") for k in range(len(headers))
    ]

    def text(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if numeric[k] else v.ljust(w) for k, (v, w) in enumerate(zip(values, widths, strict=True))]
        return "  ".join(parts).rstrip()

    out = [text(headers), text(["-" * w for w in widths])]
    out += [text(row) for row in cells]
    return "\n".join(out)
