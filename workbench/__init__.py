"""workbench: declare an optimization problem once in SymPy, then compare exact and finite-difference
derivatives across optimizers.

The data path runs one way::

    Problem -> derivatives (symbolic) -> compiled callables -> Oracle (counted) -> method run
            -> RunResult -> store -> report
"""

from workbench.oracle import Counts, Oracle
from workbench.problem import (
    Constraint,
    InfeasibleStartWarning,
    NonSmoothWarning,
    Problem,
    ProblemDeclarationError,
)

__version__ = "0.2.0"

__all__ = [
    "Constraint",
    "Counts",
    "InfeasibleStartWarning",
    "NonSmoothWarning",
    "Oracle",
    "Problem",
    "ProblemDeclarationError",
    "__version__",
]
