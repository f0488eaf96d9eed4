"""Plain-text and Markdown tables from rows of values (no dependencies, numbers formatted once)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["format_number", "format_table"]


def format_number(value: Any, digits: int = 3) -> str:
    """Compact, aligned-friendly text for a table cell: ints as is, floats in %.{digits}g, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{digits}g}"
    return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, markdown: bool = False) -> str:
    """A table with one header line; ``markdown=True`` writes GitHub-flavoured Markdown."""
    cells = [[format_number(v) for v in row] for row in rows]
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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
