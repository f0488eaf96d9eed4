"""The methods: one table, grouped by the derivatives they need (Optim.jl's grouping).

======================  =========================================================================
group                   methods
======================  =========================================================================
first order             ``sgd``, ``momentum``, ``nesterov``, ``adagrad``, ``rmsprop``, ``adam``,
                        ``adadelta`` (:mod:`workbench.methods.first_order`); SciPy's ``cg``,
                        ``bfgs`` and ``lbfgs`` (bounds)
second order            ``newton`` (:mod:`workbench.methods.newton`); SciPy's ``newton-cg``,
                        ``trust-exact``, ``trust-ncg``, ``trust-krylov``
constrained             SciPy's ``slsqp`` and ``trust-constr``
======================  =========================================================================

A method's group follows from its declared :class:`~workbench.methods.base.Capabilities`
(``Capabilities.group``); the files are split by implementation: the first-order driver with its
rules and transforms, Newton's method, and one adapter for every SciPy minimizer driven by a table
of specs (:mod:`workbench.methods.scipy_methods`). :func:`available_methods` builds the table
explicitly (no registration by import side effects); :func:`resolve_options` fills in and checks a
method's options before anything runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from workbench.methods.base import Method
from workbench.validation import unknown_name

__all__ = ["FIRST_ORDER", "GROUPS", "available_methods", "catalogue", "get_method", "resolve_options"]

FIRST_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adadelta")
GROUPS = ("first order", "second order", "constrained")


def available_methods() -> dict[str, Method]:
    """``{name: method}`` for every method, grouped as in the module docstring (first order, second
    order, constrained), in a stable order."""
    from workbench.methods.first_order import FirstOrderMethod
    from workbench.methods.newton import Newton
    from workbench.methods.scipy_methods import SCIPY_METHODS, ScipyMethod

    methods: list[Method] = [FirstOrderMethod(name) for name in FIRST_ORDER]
    methods += [Newton()]
    methods += [ScipyMethod(spec) for spec in SCIPY_METHODS]
    ordered = sorted(methods, key=lambda m: GROUPS.index(m.capabilities.group))  # stable within a group
    return {method.name: method for method in ordered}


def get_method(name: str) -> Method:
    """The method called ``name``; an unknown name is an error listing the known ones."""
    methods = available_methods()
    if name not in methods:
        raise unknown_name("method", name, methods)
    return methods[name]


def resolve_options(method: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The method's options with every default filled in and every value checked (TypeError /
    ValueError naming the option otherwise): what a run uses, stores and hashes into its key."""
    return get_method(method).resolve_options(options)


def catalogue() -> list[dict[str, Any]]:
    """Every method as plain data, in table order: name, group, summary and capabilities (what the
    result store records, so that renderers need not import the methods)."""
    return [
        {"name": name, "group": method.capabilities.group, "summary": method.summary,
         "capabilities": dataclasses.asdict(method.capabilities)}
        for name, method in available_methods().items()
    ]  # fmt: skip
