"""The methods, grouped by the derivatives they need (Optim.jl's grouping):

* first order: ``sgd``, ``momentum``, ``nesterov``, ``adagrad``, ``rmsprop``, ``adam``, ``adadelta``
  (:mod:`workbench.methods.first_order`), SciPy's ``bfgs``, ``cg``, ``lbfgs`` (bounds);
* second order: ``newton`` (:mod:`workbench.methods.newton`), SciPy's ``newton-cg``,
  ``trust-exact``, ``trust-ncg``, ``trust-krylov``;
* constrained: SciPy's ``slsqp`` and ``trust-constr``.

:func:`available_methods` builds the table explicitly (no registration by import side effects).
"""

from __future__ import annotations

import difflib

from workbench.methods.base import Method

__all__ = ["FIRST_ORDER", "available_methods", "get_method"]

FIRST_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adadelta")


def available_methods() -> dict[str, Method]:
    """``{name: method}`` for every method, in a stable order."""
    from workbench.methods.first_order import FirstOrderMethod
    from workbench.methods.newton import Newton
    from workbench.methods.scipy_methods import SCIPY_METHODS, ScipyMethod

    methods: dict[str, Method] = {"newton": Newton()}
    methods.update({spec.name: ScipyMethod(spec) for spec in SCIPY_METHODS})
    methods.update({name: FirstOrderMethod(name) for name in FIRST_ORDER})
    return methods


def get_method(name: str) -> Method:
    """The method called ``name``; an unknown name is an error listing the known ones."""
    methods = available_methods()
    if name not in methods:
        close = difflib.get_close_matches(str(name), methods, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown method {name!r}{hint}; known methods: {', '.join(methods)}")
    return methods[name]
