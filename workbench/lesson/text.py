"""Wording helpers: numbers read from the store turned into text (never typed in), in English and Russian.

``number(0.000123)`` gives ``"1.23e-4"``, ``number(653)`` gives ``"653"`` (the same in both languages:
decimal point, short exponent, minus sign U+2212); ``join(["a", "b", "c"])`` gives ``"a, b and c"``;
``plural(3, "run")`` gives ``"3 runs"``; ``plural_ru(3, "прогон", "прогона", "прогонов")`` gives
``"3 прогона"``; ``ratio(5, 2)`` gives ``"2.5x"`` and ``ratio_ru(5, 2)`` ``"в 2.5 раза"``.

A section writes each sentence once for both languages, ``say(en=f"...", ru=f"...")``, from the same
numbers and in the same branch of its logic: :class:`Say` picks the language of the page being built
(and knows the words shared by several sections: statuses, marker labels, "and"/"и").
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "EVALUATIONS",
    "EVALUATIONS_GENITIVE",
    "ITERATIONS",
    "ITERATIONS_ACCUSATIVE",
    "ITERATIONS_GENITIVE",
    "LANGUAGES",
    "METHODS",
    "METHODS_GENITIVE",
    "RUNS",
    "RUNS_GENITIVE",
    "SEEDS",
    "STARTS",
    "STATUS_WORDS",
    "STATUS_WORDS_RU",
    "TERMS",
    "UPDATES",
    "UPDATES_GENITIVE",
    "Say",
    "code",
    "form_ru",
    "join",
    "number",
    "plural",
    "plural_ru",
    "point",
    "ratio",
    "ratio_ru",
    "status",
    "times_ru",
]

#: The languages a lesson is written in.
LANGUAGES = ("en", "ru")

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
#: The same, in Russian (the subject is a method: masculine).
STATUS_WORDS_RU = {
    "converged": "сошёлся",
    "local_minimum": "остановился в известном локальном минимуме",
    "max_iterations": "исчерпал лимит итераций",
    "max_evaluations": "исчерпал лимит вычислений",
    "diverged": "разошёлся",
    "failed": "завершился неудачей",
    "not_applicable": "не смог запуститься",
    "timeout": "исчерпал лимит времени",
}
#: Russian nouns after a number, as (one, few, many) for :func:`plural_ru` and :func:`form_ru`: nominative
#: (= accusative: "за 653 шага"), and genitive after "из", "после" ("из 7 методов", "после 1 шага").
UPDATES = ("шаг", "шага", "шагов")
UPDATES_GENITIVE = ("шага", "шагов", "шагов")
ITERATIONS = ("итерация", "итерации", "итераций")
ITERATIONS_ACCUSATIVE = ("итерацию", "итерации", "итераций")
ITERATIONS_GENITIVE = ("итерации", "итераций", "итераций")
EVALUATIONS = ("вычисление", "вычисления", "вычислений")
EVALUATIONS_GENITIVE = ("вычисления", "вычислений", "вычислений")
METHODS = ("метод", "метода", "методов")
METHODS_GENITIVE = ("метода", "методов", "методов")
RUNS = ("прогон", "прогона", "прогонов")
RUNS_GENITIVE = ("прогона", "прогонов", "прогонов")
SEEDS = ("зерно", "зерна", "зёрен")
STARTS = ("старт", "старта", "стартов")
#: Words several sections share (marker and axis labels): ``{key: {language: text}}``.
TERMS = {
    "start": {"en": "start x0", "ru": "старт x0"},
    "saddle": {"en": "saddle point", "ru": "седловая точка"},
    "global minimum": {"en": "global minimum x∗", "ru": "глобальный минимум x∗"},
    "minimum": {"en": "minimum x∗", "ru": "минимум x∗"},
    "update k": {"en": "update k", "ru": "шаг k"},
    "update k (log)": {"en": "update k (log)", "ru": "шаг k (лог. шкала)"},
    "gap": {"en": "f − f∗  (objective units, log)", "ru": "f − f∗  (единицы f, лог. шкала)"},
    "contours": {"en": "iterates on the contours of f", "ru": "итерации на линиях уровня f"},
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


def form_ru(count: float | str, one: str, few: str, many: str) -> str:
    """The Russian noun form after a number: ``one`` after 1, 21, 101 (not 11); ``few`` after 2–4,
    22–24 (not 12–14) and after any fraction (1.5 прогона); ``many`` otherwise (0, 5–20, 25, 111, and
    a whole number in exponent notation, 2e12 вычислений). ``count`` may be the number as written
    (``"2.5"``, ``"1e-6"``, ``"−3"``)."""
    text = str(count).replace("−", "-").lower()
    try:
        value = float(text)
    except ValueError:
        return many
    if not math.isfinite(value) or value != int(value) or "." in text:
        return few
    if "e" in text:
        return many
    n = abs(int(value))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def plural_ru(count: float, one: str, few: str, many: str) -> str:
    """``"1 прогон"``, ``"3 прогона"``, ``"5 прогонов"``, ``"21 прогон"``, ``"1.5 прогона"`` (the number as
    :func:`number` writes it)."""
    text = number(count)
    return f"{text} {form_ru(text, one, few, many)}"


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


def _ratio_value(a: float, b: float) -> str | None:
    if b == 0:
        return None
    value = a / b
    return str(round(value)) if abs(value) >= 100 else number(value, 2)


def ratio(a: float, b: float) -> str:
    """``a / b`` as ``"4.2x"``, ``"256x"`` (``"n/a"`` when b is zero)."""
    value = _ratio_value(a, b)
    return "n/a" if value is None else f"{value}x"


def times_ru(value: str) -> str:
    """``"в 4.2 раза"``, ``"в 2 раза"``, ``"в 11 раз"`` for a number as written."""
    return f"в {value} {form_ru(value, 'раз', 'раза', 'раз')}"


def ratio_ru(a: float, b: float) -> str:
    """``a / b`` in Russian, with the digits of :func:`ratio`: ``"в 4.2 раза"``, ``"в 256 раз"`` (``"н/д"``
    when b is zero)."""
    value = _ratio_value(a, b)
    return "н/д" if value is None else times_ru(value)


@dataclasses.dataclass(frozen=True)
class Say:
    """The language of the page being built. ``say(en=..., ru=...)`` returns the sentence in that
    language: both are written side by side from the same numbers, in the same branch of the logic."""

    language: str = "en"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {self.language!r}")

    def __call__(self, *, en: str, ru: str) -> str:
        return ru if self.language == "ru" else en

    def join(self, items: Iterable[str], last: str = "and") -> str:
        """:func:`join` in this language (``last``: ``"and"`` or ``"or"``): ``"a, b и c"`` in Russian."""
        if self.language == "en":
            return join(items, last)
        items = list(items)
        return join(items, {"and": "и", "or": "или"}[last]) if items else "нет"

    def status(self, name: str) -> str:
        """A status in words, in this language."""
        return STATUS_WORDS_RU.get(name, name) if self.language == "ru" else status(name)

    def term(self, key: str) -> str:
        """A word shared by several sections (:data:`TERMS`)."""
        return TERMS[key][self.language]
