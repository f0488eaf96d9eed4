"""Exact derivative expressions of a problem, derived lazily and cached.

``Derivatives(problem)`` holds the exact derivative expressions, each computed on first use: a method
that needs only gradients never pays for Hessians. The compiled model (:mod:`workbench.model`) owns one
per problem.

Engines
-------
The declaration is SymPy. Differentiation runs in **symengine** (a C++ implementation of the same
algebra, 10-100x faster) whenever every function in the problem is one symengine differentiates and
compiles (elementary functions, ``erf``, ``erfc``); otherwise, and for non-smooth problems (Abs, Max,
Piecewise, ...), it runs in SymPy with the variables taken as real symbols (so that
``d|x|/dx = sign(x)``). Both engines give the same exact expressions up to algebraic rearrangement;
``tests/test_derivatives.py`` compares them with ``sympy.diff(...).subs(point).evalf()``.

Structure and sparsity
----------------------
Sparsity is found symbolically, without spending work on structural zeros. The objective's gradient
is derived by symbolic reverse mode over its common-subexpression program (symengine engine; see
``Derivatives.reverse_gradient``), so that it costs a small multiple of the objective; in the SymPy
engine, and for constraints, each term of the top-level sum is differentiated only with respect to
the variables it contains. A Hessian entry (i, j) is formed only when x_j occurs in dF/dx_i. Hessians
are kept as their upper triangle (i <= j); constraint Jacobians as (row, column, expression) triplets.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy as sp

try:  # symengine is a declared dependency; the SymPy engine keeps the package usable without it
    import symengine as se
except ImportError:  # pragma: no cover - exercised only on broken installs
    se = None

if TYPE_CHECKING:
    from workbench.problem import Problem

__all__ = ["SYMENGINE_FUNCTIONS", "Derivatives", "SparseExpressions", "choose_engine", "reverse_gradient"]

Engine = Literal["symengine", "sympy"]

#: SymPy functions that symengine differentiates and its LLVM backend compiles.
SYMENGINE_FUNCTIONS: tuple[type, ...] = (
    sp.exp,
    sp.log,
    sp.sin,
    sp.cos,
    sp.tan,
    sp.cot,
    sp.asin,
    sp.acos,
    sp.atan,
    sp.sinh,
    sp.cosh,
    sp.tanh,
    sp.asinh,
    sp.acosh,
    sp.atanh,
    sp.erf,
    sp.erfc,
)


@dataclasses.dataclass(frozen=True)
class SparseExpressions:
    """A sparse matrix of expressions as triplets: entry ``(rows[k], cols[k]) = expressions[k]``.

    For a symmetric matrix only the upper triangle (row <= column) is stored.
    """

    rows: np.ndarray  # shape (nnz,), int64
    cols: np.ndarray  # shape (nnz,), int64
    expressions: tuple[Any, ...]
    shape: tuple[int, int]
    symmetric: bool = False

    @property
    def nnz(self) -> int:
        return len(self.expressions)

    @property
    def density(self) -> float:
        """Fraction of structurally nonzero entries of the full matrix."""
        rows, cols = self.shape
        if rows * cols == 0:
            return 0.0
        full = self.nnz
        if self.symmetric:
            full = 2 * self.nnz - int(np.count_nonzero(self.rows == self.cols))
        return full / (rows * cols)


def choose_engine(problem: Problem) -> Engine:
    """``"symengine"`` when every function of the problem is one it handles, else ``"sympy"``."""
    if se is None:
        return "sympy"
    expressions = [problem.objective, *(c.expression for c in problem.constraints)]
    for expr in expressions:
        for function in expr.atoms(sp.Function):
            if not isinstance(function, SYMENGINE_FUNCTIONS):
                return "sympy"
    return "sympy" if not problem.is_smooth else "symengine"


class Derivatives:
    """Exact derivative expressions of one problem in one engine, each derived on first access.

    Attributes (all lazy)
    ---------------------
    gradient : tuple of n expressions, dF/dx_i
    hessian : SparseExpressions, upper triangle of the n x n Hessian of F
    jacobian : SparseExpressions, the m x n constraint Jacobian dc_k/dx_i
    constraint_hessians : SparseExpressions over (k, i, j): upper triangles of every c_k's Hessian,
        stacked, with ``owners[k]`` telling which constraint each entry belongs to
    """

    def __init__(self, problem: Problem, engine: Engine | None = None) -> None:
        self.problem = problem
        self.engine: Engine = engine or choose_engine(problem)
        # Internal variable names var_0, var_1, ...: the common-subexpression eliminations of symengine
        # and SymPy name their temporaries x0, x1, ..., and symengine does not avoid free symbols of
        # the same name (a variable called x2 would be silently overwritten). Real symbols make
        # SymPy differentiate |x| as sign(x).
        internal = {v: sp.Symbol(f"var_{i}", real=True) for i, v in enumerate(problem.variables)}
        if self.engine == "symengine":
            if se is None:
                raise RuntimeError("engine='symengine' requested but symengine is not installed")
            # convert first, rename in C++ (names are unique: the declaration checks it)
            renaming = {se.Symbol(v.name): se.Symbol(s.name) for v, s in internal.items()}
            self.variables = tuple(renaming.values())
            self.objective = se.sympify(problem.objective).xreplace(renaming)
            self.constraint_expressions = tuple(
                se.sympify(c.expression).xreplace(renaming) for c in problem.constraints
            )
        else:
            self.variables = tuple(internal.values())
            self.objective = problem.objective.xreplace(internal)
            self.constraint_expressions = tuple(c.expression.xreplace(internal) for c in problem.constraints)
        self.names = {internal[v].name: v.name for v in problem.variables}
        self._index = {v: i for i, v in enumerate(self.variables)}
        self._cache: dict[str, Any] = {}

    # -- helpers -------------------------------------------------------------------------------
    def _free_indices(self, expr: Any) -> list[int]:
        return sorted(self._index[s] for s in expr.free_symbols if s in self._index)

    def terms(self, expr: Any) -> Sequence[Any]:
        """The terms of expr's top-level sum (expr itself when it is not a sum)."""
        if self.engine == "symengine":
            return expr.args if isinstance(expr, se.Add) else (expr,)
        return sp.Add.make_args(expr)

    def _zero(self) -> Any:
        return se.Integer(0) if self.engine == "symengine" else sp.S.Zero

    def _add(self, terms: list[Any]) -> Any:
        if not terms:
            return self._zero()
        if len(terms) == 1:
            return terms[0]
        return se.Add(*terms) if self.engine == "symengine" else sp.Add(*terms)

    def _diff(self, expr: Any, variable: Any) -> Any:
        d = expr.diff(variable)
        if self.engine == "sympy" and d.has(sp.DiracDelta):
            # derivatives of sign / Heaviside: zero away from the kink, undefined at it
            d = d.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
        return d

    def structured_gradient(self, expr: Any) -> dict[int, Any]:
        """{i: d expr / d x_i} over the variables expr contains, term by term of its top-level sum."""
        parts: dict[int, list[Any]] = defaultdict(list)
        for term in self.terms(expr):
            for i in self._free_indices(term):
                d = self._diff(term, self.variables[i])
                if d != 0:
                    parts[i].append(d)
        return {i: self._add(terms) for i, terms in sorted(parts.items())}

    def reverse_gradient(self, expr: Any) -> dict[int, Any]:
        """{i: d expr / d x_i} by symbolic reverse mode (see :func:`reverse_gradient`)."""
        return reverse_gradient(expr, self.variables)

    def structured_hessian(self, gradient: dict[int, Any]) -> list[tuple[int, int, Any]]:
        """Upper-triangle entries (i, j, d2/dx_i dx_j) from a structured gradient."""
        entries = []
        for i, g in gradient.items():
            for j in self._free_indices(g):
                if j >= i:
                    d = self._diff(g, self.variables[j])
                    if d != 0:
                        entries.append((i, j, d))
        return entries

    # -- objective -----------------------------------------------------------------------------
    @property
    def gradient(self) -> tuple[Any, ...]:
        """The n expressions dF/dx_i (zero where F does not depend on x_i)."""
        if "gradient" not in self._cache:
            if self.engine == "symengine":
                structured = self.reverse_gradient(self.objective)
            else:
                structured = self.structured_gradient(self.objective)
            self._cache["gradient_structured"] = structured
            zero = self._zero()
            self._cache["gradient"] = tuple(structured.get(i, zero) for i in range(len(self.variables)))
        return self._cache["gradient"]

    @property
    def hessian(self) -> SparseExpressions:
        """Upper triangle of the Hessian of F as triplets."""
        if "hessian" not in self._cache:
            self.gradient  # noqa: B018 - fills the structured gradient
            entries = self.structured_hessian(self._cache["gradient_structured"])
            n = len(self.variables)
            self._cache["hessian"] = _triplets(entries, (n, n), symmetric=True)
        return self._cache["hessian"]

    # -- constraints ---------------------------------------------------------------------------
    @property
    def constraint_gradients(self) -> tuple[dict[int, Any], ...]:
        if "constraint_gradients" not in self._cache:
            self._cache["constraint_gradients"] = tuple(
                self.structured_gradient(c) for c in self.constraint_expressions
            )
        return self._cache["constraint_gradients"]

    @property
    def jacobian(self) -> SparseExpressions:
        """The m x n constraint Jacobian as triplets (k, i, dc_k/dx_i)."""
        if "jacobian" not in self._cache:
            entries = [(k, i, d) for k, grad in enumerate(self.constraint_gradients) for i, d in grad.items()]
            shape = (len(self.constraint_expressions), len(self.variables))
            self._cache["jacobian"] = _triplets(entries, shape)
        return self._cache["jacobian"]

    @property
    def constraint_hessians(self) -> tuple[SparseExpressions, np.ndarray]:
        """All constraint Hessians' upper triangles stacked, and ``owners``: the constraint of each entry.

        Sum_k v_k Hess c_k(x) is assembled from these by weighting entry e with v[owners[e]].
        """
        if "constraint_hessians" not in self._cache:
            entries, owners = [], []
            for k, grad in enumerate(self.constraint_gradients):
                for i, j, d in self.structured_hessian(grad):
                    entries.append((i, j, d))
                    owners.append(k)
            n = len(self.variables)
            self._cache["constraint_hessians"] = (
                _triplets(entries, (n, n), symmetric=True),
                np.asarray(owners, dtype=np.int64),
            )
        return self._cache["constraint_hessians"]

    def hessian_density_bound(self) -> float:
        """An upper bound on the Hessian's density, from the variables each term of F touches
        (sum over terms of |vars(term)|^2 / n^2), computed without differentiating."""
        n = len(self.variables)
        touched = sum(len(self._free_indices(t)) ** 2 for t in self.terms(self.objective))
        return min(1.0, touched / (n * n))

    # -- higher derivatives for error models ---------------------------------------------------
    def diagonal_derivatives(self, expr: Any, order: int) -> tuple[Any, ...]:
        """The n expressions d^order expr / dx_i^order (used by the finite-difference error model)."""
        result = []
        for v in self.variables:
            d = expr
            for _ in range(order):
                d = self._diff(d, v)
            result.append(d)
        return tuple(result)


def reverse_gradient(expr: Any, variables: Sequence[Any]) -> dict[int, Any]:
    """{i: d expr / d variables[i]} by symbolic reverse mode over expr's common-subexpression program
    (symengine; SymPy expressions and symbols are converted, and a function symengine lacks falls back
    to SymPy's term-by-term differentiation).

    ``expr`` is first written as a program w_1 = e_1, ..., w_K = e_K, result = r (symengine's
    CSE). Adjoints are accumulated backwards, as in reverse-mode automatic differentiation but
    with symbolic values: abar(r) = 1, abar(w_k) = sum over the users u of w_k of
    abar(u) * d e_u / d w_k (partial derivatives of small expressions), and finally
    d expr / d x_i = sum over the users of x_i. Substituting the program back gives expressions
    that share their subexpressions, so the gradient costs a small multiple of the objective
    (measured with benchmarks/derivatives.py on Moré-Garbow-Hillstrom trigonometric, n = 100:
    10.5 us per gradient against 6.0 us for f, where differentiating term by term gave 13.6 us;
    0.27 s to derive and compile the gradient against 3.7 s).
    """
    if se is None or (isinstance(expr, sp.Basic) and any(
        not isinstance(f, SYMENGINE_FUNCTIONS) for f in expr.atoms(sp.Function)
    )):  # fmt: skip
        expr = sp.sympify(expr)
        result = {}
        for i, variable in enumerate(variables):
            derivative = expr.diff(variable)
            if derivative.has(sp.DiracDelta):
                derivative = derivative.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
            if derivative != 0:
                result[i] = derivative
        return result
    expr = se.sympify(expr)
    variables = [se.sympify(v) for v in variables]

    def terms(expression: Any) -> Sequence[Any]:
        return expression.args if isinstance(expression, se.Add) else (expression,)

    replacements, (reduced,) = se.cse([expr])
    contributions: dict[Any, list[Any]] = defaultdict(list)

    def push(expression: Any, seed: Any) -> None:
        # term by term: a sum of many terms in many variables would otherwise be traversed once
        # per variable (O(n^2) for chained Rosenbrock)
        for term in terms(expression):
            for symbol in term.free_symbols:
                derivative = term.diff(symbol)
                if derivative != 0:
                    contributions[symbol].append(seed * derivative)

    push(reduced, se.Integer(1))
    adjoints = []
    for k in range(len(replacements) - 1, -1, -1):
        symbol, definition = replacements[k]
        parts = contributions.pop(symbol, [])
        adjoint = se.Symbol(f"adjoint_{k}")
        adjoints.append((adjoint, se.Add(*parts) if parts else se.Integer(0)))
        push(definition, adjoint)
    values: dict[Any, Any] = {}
    for symbol, definition in replacements:
        values[symbol] = definition.xreplace(values) if values else definition
    for symbol, definition in adjoints:
        values[symbol] = definition.xreplace(values)
    gradient = {}
    for i, variable in enumerate(variables):
        parts = contributions.get(variable)
        if parts:
            value = se.Add(*parts).xreplace(values)
            if value != 0:
                gradient[i] = value
    return gradient


def _triplets(
    entries: list[tuple[int, int, Any]], shape: tuple[int, int], symmetric: bool = False
) -> SparseExpressions:
    rows = np.fromiter((e[0] for e in entries), dtype=np.int64, count=len(entries))
    cols = np.fromiter((e[1] for e in entries), dtype=np.int64, count=len(entries))
    return SparseExpressions(
        rows=rows, cols=cols, expressions=tuple(e[2] for e in entries), shape=shape, symmetric=symmetric
    )
