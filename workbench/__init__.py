"""workbench: declare an optimization problem once in SymPy, then compare exact and finite-difference
derivatives across optimizers.

The data path runs one way::

    Problem -> derivatives (symbolic) -> compiled callables -> Oracle (counted) -> method run
            -> RunResult -> store -> report

The public names are importable from here (``from workbench import Problem, solve, Study``). The
ones that need the methods, SciPy's optimizers or the store (``solve``, ``Study``, ``MethodSpec``,
``load_runs``, ...) are loaded on first use (PEP 562), so ``import workbench`` and ``workbench list``
stay cheap.
"""

from typing import TYPE_CHECKING, Any

from workbench.discovery import DuplicateProblemError, ProblemFileWarning, discover_problems
from workbench.oracle import Counts, Oracle
from workbench.problem import (
    Constraint,
    InfeasibleStartWarning,
    NonSmoothWarning,
    Problem,
    ProblemDeclarationError,
)

__version__ = "0.2.0"

#: Public names loaded on first use: name -> module.
_LAZY = {
    "solve": "workbench.runner",
    "Study": "workbench.study",
    "MethodSpec": "workbench.study",
    "StudySummary": "workbench.study",
    "Store": "workbench.store",
    "StoreError": "workbench.store",
    "load_runs": "workbench.store",
    "load_traces": "workbench.store",
    "RunResult": "workbench.trace",
    "UnsafeExpressionError": "workbench.expressions",
    "parse_stored_expression": "workbench.expressions",
}

__all__ = [
    "Constraint",
    "Counts",
    "DuplicateProblemError",
    "InfeasibleStartWarning",
    "MethodSpec",
    "NonSmoothWarning",
    "Oracle",
    "Problem",
    "ProblemDeclarationError",
    "ProblemFileWarning",
    "RunResult",
    "Store",
    "StoreError",
    "Study",
    "StudySummary",
    "UnsafeExpressionError",
    "__version__",
    "discover_problems",
    "load_runs",
    "load_traces",
    "parse_stored_expression",
    "solve",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # for type checkers and IDEs: the lazy names, imported eagerly
    from workbench.expressions import UnsafeExpressionError, parse_stored_expression
    from workbench.runner import solve
    from workbench.store import Store, StoreError, load_runs, load_traces
    from workbench.study import MethodSpec, Study, StudySummary
    from workbench.trace import RunResult
