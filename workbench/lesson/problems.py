"""The lesson's problems: lecture landscapes from the built-in library, the chained Rosenbrock family
for the cost of the Hessian, and the facts about them the text needs (computed, never typed in).

``lesson_problems()`` returns ``{name: Problem}``: the library problems named in :data:`LIBRARY` and
``chained_rosenbrock_<n>`` for n in :data:`HESSIAN_SIZES` (loaded from ``problems/lecture.py`` by path),
and :data:`~workbench.lesson.plan.BROWN_UNSCALED`, Brown's badly scaled function without its typical_x.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from workbench.discovery import builtin_folder, discover_problems, load_problem_file
from workbench.lesson.plan import BROWN, BROWN_UNSCALED, HESSIAN_SIZES, hessian_family_name
from workbench.problem import Problem

__all__ = ["HESSIAN_SIZES", "LIBRARY", "curvatures", "hessian_family_name", "lesson_problems"]

#: Library problems the lesson runs on.
LIBRARY = (
    "ill_conditioned_quadratic",
    "rosenbrock",
    "beale",
    "saddle",
    "monkey_saddle",
    "three_hump_camel",
    "mgh04_brown_badly_scaled",
    "hs071",
    "breast_cancer_network",
)

def lesson_problems() -> dict[str, Problem]:
    """``{name: Problem}`` of every problem the lesson's studies use (module docstring)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library = discover_problems()
        family = load_problem_file(builtin_folder() / "lecture.py").chained_rosenbrock
        chosen = {name: library[name] for name in LIBRARY}
        brown = library[BROWN]
        chosen[BROWN_UNSCALED] = dataclasses.replace(
            brown, name=BROWN_UNSCALED, typical_x=None,
            notes=f"{BROWN} without its typical_x: finite differences take the textbook steps max(1, |x_i|).",
        )  # fmt: skip
        for n in HESSIAN_SIZES:
            problem = family(n)
            chosen[problem.name] = problem
    return chosen


def curvatures(problem: Problem) -> np.ndarray:
    """Eigenvalues of the exact Hessian at x0, ascending, shape (n,) (constant for a quadratic: its
    smallest and largest curvature, L = the last one)."""
    from workbench.model import compile_model

    hessian = compile_model(problem).exact.hessian(np.array(problem.x0, dtype=float))
    return np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
