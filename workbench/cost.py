"""What a run costs: the counts an oracle keeps, and the one definition of **work**.

Work
----
**work = the number of full evaluations of f, of the constraint vector c, and of the exact
gradient, Jacobian, Hessian and constraint Hessian, each counted once, plus, for a data problem, the
mini-batch evaluations as the share of the data they touched** (rows evaluated / rows in the data
set). Evaluations spent inside finite differences are evaluations of f or c, so they count: a
forward-difference gradient in n variables is n + 1 evaluations (n when f(x) is already known), a
central one 2n, a complex-step one n. For a data problem one unit of work is one pass over the data.

Not work: ``error_model_evaluations``, the exact higher derivatives (and rounding scale) the teaching
baseline ``fd-optimal`` reads to choose its steps. They are what a user without exact derivatives could
not compute at all, so they have no price in evaluations of f; counting them as work would make the
baseline look dearer than the fixed-step differences it is compared with, and leaving them out of
sight would hide that it is not a practical method. So they are counted apart, stored with the run's
counts, and shown beside work where fd-optimal appears.

The same number is the evaluation budget of a run (``max_evaluations``), the "work" column of the
report, the cost axis of its performance and data profiles, and what the lesson calls work: every
consumer calls :attr:`Counts.work` (runs) or reads the stored ``work`` (renderers).
"""

from __future__ import annotations

import dataclasses

__all__ = ["FULL_EVALUATIONS", "Counts"]

#: The counters of full evaluations that make up work (besides the mini-batch share).
FULL_EVALUATIONS = (
    "objective_evaluations",
    "constraint_evaluations",
    "gradient_evaluations",
    "jacobian_evaluations",
    "hessian_evaluations",
    "constraint_hessian_evaluations",
)


@dataclasses.dataclass
class Counts:
    """Calls a method made, and the true evaluations they cost (finite-difference ones included).

    Calls (what the method asked for): ``value``, ``gradient``, ``hessian``, ``hessian_vector``,
    ``constraints``, ``jacobian``, ``constraint_hessian``; ``batch_value`` and ``batch_gradient`` on
    mini-batches of a data problem.

    Evaluations (what it cost): ``objective_evaluations`` and ``constraint_evaluations`` count every
    evaluation of f and of the vector c, each one inside a finite difference included;
    ``gradient_evaluations``, ``jacobian_evaluations``, ``hessian_evaluations`` and
    ``constraint_hessian_evaluations`` count exact-derivative evaluations; ``sample_evaluations``
    counts data rows evaluated by mini-batch calls (a batch gradient of 64 rows adds 64; a finite
    difference on a batch adds 64 per point). ``samples`` is the number of rows of the data set
    (0 for a problem without data).

    Apart from work: ``error_model_evaluations`` counts the reads of exact higher derivatives by the
    ``fd-optimal`` teaching baseline, one per derivative estimate it makes (module docstring).
    """

    value: int = 0
    gradient: int = 0
    hessian: int = 0
    hessian_vector: int = 0
    constraints: int = 0
    jacobian: int = 0
    constraint_hessian: int = 0
    batch_value: int = 0
    batch_gradient: int = 0
    objective_evaluations: int = 0
    constraint_evaluations: int = 0
    gradient_evaluations: int = 0
    hessian_evaluations: int = 0
    jacobian_evaluations: int = 0
    constraint_hessian_evaluations: int = 0
    sample_evaluations: int = 0
    samples: int = 0
    error_model_evaluations: int = 0

    @property
    def work(self) -> float:
        """Full evaluations plus the mini-batch share of the data (module docstring)."""
        full = sum(getattr(self, name) for name in FULL_EVALUATIONS)
        return full + (self.sample_evaluations / self.samples if self.samples else 0)

    @property
    def function_evaluations(self) -> int:
        """Evaluations of f and of c (a count, not a cost: see :attr:`work`)."""
        return self.objective_evaluations + self.constraint_evaluations

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    def copy(self) -> Counts:
        return dataclasses.replace(self)

    @classmethod
    def from_dict(cls, values: dict[str, int]) -> Counts:
        """Counts from a stored dict (unknown keys of other versions ignored, missing ones 0)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: int(v) for k, v in values.items() if k in names})
