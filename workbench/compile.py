"""Turn lists of expressions into fast numeric callables: float64 in, float64 arrays of exact shape out.

``compile_expressions(variables, expressions, engine=...)`` returns a :class:`CompiledFunction` ``F``
with ``F(x)`` of shape ``(k,)`` for ``x`` of shape ``(n,)``, and ``(p, k)`` for a batch of ``p`` points
of shape ``(p, n)`` (finite differences evaluate all their points in one batch).

* symengine engine: ``symengine.Lambdify(..., cse=True)`` with its LLVM backend (machine code, a few
  microseconds per call), falling back to its interpreted backend where LLVM is unavailable.
* SymPy engine: ``sympy.lambdify(..., modules=["scipy", "numpy"], cse=True)``; constant entries (a constant
  Hessian is an integer in SymPy) are broadcast and coerced to float64.
* ``complex_valued=True`` compiles for complex input and output (the complex-step variant) with
  SymPy/numpy in either engine: numpy evaluates integer powers of complex numbers by multiplication,
  so no spurious imaginary parts arise.

The generated code is inspectable: ``F.source()`` returns the common-subexpression-eliminated
program (``workbench check --verbose`` prints it).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from workbench.symbolic import Engine, se

__all__ = ["CompiledFunction", "MatrixAssembler", "compile_expressions"]

#: Above this program size (outputs + terms of top-level sums + variables used), LLVM compiles without
#: optimisation passes: its compile time grows quickly with opt_level on large programs (chained
#: Rosenbrock n = 1000: objective 0.8 s at -O2), while calls get only ~20% slower.
LARGE_PROGRAM = 2000
#: Outputs per compiled chunk. symengine's common-subexpression search grows faster than linearly
#: with the program, so a dense Hessian is compiled in chunks: measured on the trigonometric
#: function (n = 100, 5050 entries) 0.9 s in chunks of 1000 against 1.3 s in one piece.
CHUNK = 1000


class CompiledFunction:
    """A compiled vector function of the problem's variables (see the module docstring)."""

    __slots__ = ("_call", "backend", "engine", "expressions", "size", "variables")

    def __init__(
        self,
        call: Callable[[np.ndarray], np.ndarray],
        *,
        variables: Sequence[Any],
        expressions: Sequence[Any],
        engine: Engine,
        backend: str,
    ) -> None:
        self._call = call
        self.variables = tuple(variables)
        self.expressions = tuple(expressions)
        self.size = len(self.expressions)
        self.engine = engine
        self.backend = backend

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if isinstance(x, np.ndarray) and not x.flags.writeable:
            x = x.copy()  # symengine's LLVM callables refuse read-only buffers (a Problem's x0 is one)
        return self._call(x)

    def source(self) -> str:
        """The program behind this function: CSE assignments, then the outputs."""
        if self.backend == "sympy-numpy":
            return inspect.getsource(self._call.__wrapped__)  # type: ignore[attr-defined]
        replacements, reduced = se.cse(list(self.expressions))
        lines = [f"# {self.backend} backend, {len(replacements)} common subexpressions"]
        lines += [f"# variables: {', '.join(str(v) for v in self.variables)} (in the problem's order)"]
        lines += [f"{symbol} = {value}" for symbol, value in replacements]
        lines += [f"out[{k}] = {value}" for k, value in enumerate(reduced)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"CompiledFunction({self.size} outputs of {len(self.variables)} variables, {self.backend})"


def compile_expressions(
    variables: Sequence[Any],
    expressions: Sequence[Any],
    *,
    engine: Engine,
    complex_valued: bool = False,
) -> CompiledFunction:
    """Compile ``expressions`` (in ``variables``) into one batched numeric function."""
    expressions = list(expressions)
    size = len(expressions)
    dtype = complex if complex_valued else float
    if size == 0:

        def empty(x: np.ndarray) -> np.ndarray:
            return np.zeros(np.shape(x)[:-1] + (0,), dtype=dtype)

        return CompiledFunction(empty, variables=variables, expressions=(), engine=engine, backend="none")
    if complex_valued:
        # numpy's complex arithmetic keeps integer powers exact (z**3 by multiplication); symengine's
        # interpreted complex backend goes through exp/log and adds spurious imaginary parts of
        # order 1e-16 (e.g. 2*y at y = -1), which would ruin the complex step.
        call, backend = _sympy_function([sp.sympify(v) for v in variables], [sp.sympify(e) for e in expressions], dtype)
    elif engine == "symengine":
        call, backend = _symengine_function(variables, expressions)
    else:
        call, backend = _sympy_function(variables, expressions, dtype)
    return CompiledFunction(call, variables=variables, expressions=expressions, engine=engine, backend=backend)


_CSE_NAME = re.compile(r"x\d+$")


def _program_size(expressions: Sequence[Any]) -> int:
    """A cheap size estimate: outputs, terms of top-level sums and free variables."""
    size = 0
    for expression in expressions:
        size += 1 + (len(expression.args) if isinstance(expression, se.Add) else 0) + len(expression.free_symbols)
        if size > LARGE_PROGRAM:
            break
    return size


def _cse_safe(variables: Sequence[Any], expressions: list[Any]) -> tuple[list[Any], list[Any]]:
    """Rename variables called like symengine's CSE temporaries (x0, x1, ...), which its Lambdify
    would silently overwrite. Derivatives already use var_0, var_1, ..., so this rarely costs anything."""
    if not any(_CSE_NAME.match(str(v)) for v in variables):
        return list(variables), expressions
    safe = [se.Symbol(f"var_{i}") for i in range(len(variables))]
    mapping = dict(zip(variables, safe, strict=True))
    return safe, [se.sympify(e).xreplace(mapping) for e in expressions]


def _symengine_function(
    variables: Sequence[Any], expressions: list[Any]
) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    variables, expressions = _cse_safe(variables, expressions)
    if len(expressions) > CHUNK:
        parts = [_symengine_function(variables, expressions[k : k + CHUNK]) for k in range(0, len(expressions), CHUNK)]
        functions = [function for function, _ in parts]

        def chunked(x: np.ndarray) -> np.ndarray:
            return np.concatenate([function(x) for function in functions], axis=-1)

        return chunked, f"{parts[0][1]} in {len(parts)} chunks"
    if getattr(se, "have_llvm", False):
        opt_level = 0 if _program_size(expressions) > LARGE_PROGRAM else 2
        try:
            function = se.Lambdify(list(variables), expressions, backend="llvm", cse=True, opt_level=opt_level)
            return function, f"llvm-O{opt_level}"
        except (RuntimeError, NotImplementedError, TypeError):  # pragma: no cover - functions LLVM lacks
            pass
    return se.Lambdify(list(variables), expressions, backend="lambda", cse=True), "symengine-interpreted"


def _sympy_function(
    variables: Sequence[Any], expressions: list[Any], dtype: type
) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    expressions = [sp.sympify(e) for e in expressions]
    # scipy first: special functions (gamma, polygamma, besselj, ...) that numpy lacks
    generated = sp.lambdify(list(variables), expressions, modules=["scipy", "numpy"], cse=True)

    def call(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        values = generated(*np.moveaxis(x, -1, 0))
        batch = x.shape[:-1]
        out = np.empty(batch + (len(values),), dtype=dtype)
        for k, v in enumerate(values):
            out[..., k] = v  # broadcasts constants, coerces integers to float64
        return out

    call.__wrapped__ = generated  # type: ignore[attr-defined]
    return call, "sympy-numpy"


class MatrixAssembler:
    """Builds a dense array or a CSR matrix from the values of a triplet pattern, fast per call.

    The pattern (rows, cols) is analysed once; symmetric patterns store the upper triangle and are
    mirrored. Repeated (row, col) pairs are summed (used for weighted sums of constraint Hessians).
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], *, symmetric: bool) -> None:
        self.shape = shape
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        if symmetric:
            off = rows != cols
            self._source = np.concatenate([np.arange(rows.size), np.flatnonzero(off)])
            full_rows = np.concatenate([rows, cols[off]])
            full_cols = np.concatenate([cols, rows[off]])
        else:
            self._source = np.arange(rows.size)
            full_rows, full_cols = rows, cols
        self._linear = full_rows * shape[1] + full_cols
        # CSR structure of the distinct positions (scipy's COO -> CSR: a counting sort, O(entries)), and
        # where each stored value lands in it (a binary search in the sorted distinct positions);
        # np.unique(..., return_inverse=True) sorted all entries and took 2.7x longer on 8e6 template-ordered
        # (banded) entries; on randomly scattered positions this search is the slower one.
        from scipy import sparse

        structure = sparse.csr_array(
            (np.ones(self._linear.size), (full_rows, full_cols)), shape=shape
        )  # fmt: skip
        structure.sum_duplicates()
        indptr = structure.indptr.astype(np.int64)
        unique = np.repeat(np.arange(shape[0], dtype=np.int64), np.diff(indptr)) * shape[1] + structure.indices
        self._inverse = np.searchsorted(unique, self._linear)
        self._nnz = unique.size
        self._indices = structure.indices.astype(np.int32)
        self._indptr = indptr.astype(np.int32)
        self._duplicates = unique.size != self._linear.size

    def dense(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.shape[0] * self.shape[1])
        expanded = values[self._source]
        if self._duplicates:
            np.add.at(out, self._linear, expanded)
        else:
            out[self._linear] = expanded
        return out.reshape(self.shape)

    def sparse(self, values: np.ndarray):  # -> scipy.sparse.csr_array
        from scipy import sparse

        data = np.bincount(self._inverse, weights=values[self._source], minlength=self._nnz)
        return sparse.csr_array((data, self._indices.copy(), self._indptr.copy()), shape=self.shape)
