"""The compiled model of a problem: everything derived from its declaration, built once and only called.

``compile_model(problem)`` returns the :class:`Model` of a problem, cached by the problem's
fingerprint (a bounded memo of a pure function: the same declaration always gives the same model, in
the way SciPy's ``ScalarFunction`` owns its callables or CasADi's ``Function`` is built once from an
expression graph). The model owns, each built on first use:

* the exact derivative expressions (:class:`workbench.symbolic.Derivatives`);
* the compiled callables: f, c, their complex versions for the complex step, the gradient, the
  Hessian, the constraint Jacobian and constraint Hessians, with their sparse assemblers;
* :attr:`Model.exact`, the uncharged exact evaluator the verdict and the monitor use;
* :attr:`Model.error_model`, what the finite-difference error model needs at a point;
* :meth:`Model.constraint_scale`, the size of the constraints' terms the verdict judges violations by.

Nothing here counts evaluations: counting is the oracle's job (:mod:`workbench.oracle`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from workbench.compile import CompiledFunction, MatrixAssembler, compile_expressions
from workbench.problem import Problem, written_out
from workbench.structured import StructuredFunctions
from workbench.symbolic import Derivatives, Engine, SparseExpressions

__all__ = ["MODEL_CACHE_SIZE", "ErrorModel", "ExactEvaluator", "Model", "compile_model"]

#: Compiled models kept per process (least recently used beyond that are rebuilt when needed). The
#: default library has 95 problems; a study's workers take a problem's runs one after another.
MODEL_CACHE_SIZE = 256

EPS = float(np.finfo(float).eps)


class Model:
    """The compiled model of one problem (module docstring). Build it with :func:`compile_model`."""

    def __init__(self, problem: Problem, engine: Engine | None = None) -> None:
        self.problem = problem
        self.n = problem.n
        self.m = problem.m
        self._compiled: dict[str, Any] = {}
        if problem.is_structured:
            # sums over index ranges and data: templates compiled once, assembled through index maps
            self.structured: StructuredFunctions | None = StructuredFunctions(problem)
            self.derivatives = None
            self.engine = "templates"
        else:
            self.structured = None
            self.derivatives = Derivatives(problem, engine)
            self.engine = self.derivatives.engine

    def __repr__(self) -> str:
        return f"Model({self.problem.name!r}, engine={self.engine!r})"

    # -- compiled callables --------------------------------------------------------------------------
    def _compile(self, key: str, expressions: Sequence[Any], complex_valued: bool = False) -> CompiledFunction:
        function = self._compiled.get(key)
        if function is None:
            function = compile_expressions(
                self.derivatives.variables, expressions, engine=self.engine, complex_valued=complex_valued
            )
            self._compiled[key] = function
        return function

    def _assembler(self, key: str, pattern: SparseExpressions) -> MatrixAssembler:
        key = f"assembler:{key}"
        assembler = self._compiled.get(key)
        if assembler is None:
            assembler = MatrixAssembler(pattern.rows, pattern.cols, pattern.shape, symmetric=pattern.symmetric)
            self._compiled[key] = assembler
        return assembler

    @property
    def objective(self) -> CompiledFunction:
        """f: points (..., n) -> (..., 1)."""
        if self.structured is not None:
            return self.structured.objective
        return self._compile("objective", [self.derivatives.objective])

    @property
    def objective_complex(self) -> CompiledFunction:
        """f for complex points (the complex step)."""
        if self.structured is not None:
            return self.structured.objective_complex
        return self._compile("objective_complex", [self.derivatives.objective], complex_valued=True)

    @property
    def constraints(self) -> CompiledFunction:
        """c: points (..., n) -> (..., m)."""
        if self.structured is not None:
            return self.structured.constraints
        return self._compile("constraints", self.derivatives.constraint_expressions)

    @property
    def constraints_complex(self) -> CompiledFunction:
        if self.structured is not None:
            return self.structured.constraints_complex
        return self._compile("constraints_complex", self.derivatives.constraint_expressions, complex_valued=True)

    @property
    def gradient(self) -> CompiledFunction:
        """grad f: (n,) -> (n,)."""
        if self.structured is not None:
            return self.structured.gradient
        return self._compile("gradient", self.derivatives.gradient)

    @property
    def hessian(self) -> tuple[CompiledFunction, MatrixAssembler]:
        """The Hessian's stored entries and their assembler (dense or CSR)."""
        if self.structured is not None:
            return self.structured.hessian
        pattern = self.derivatives.hessian
        return self._compile("hessian", pattern.expressions), self._assembler("hessian", pattern)

    @property
    def jacobian(self) -> tuple[CompiledFunction, MatrixAssembler]:
        if self.structured is not None:
            return self.structured.jacobian
        pattern = self.derivatives.jacobian
        return self._compile("jacobian", pattern.expressions), self._assembler("jacobian", pattern)

    @property
    def constraint_hessians(self) -> tuple[CompiledFunction, MatrixAssembler, np.ndarray]:
        """Every constraint Hessian's entries, their assembler, and the constraint each entry belongs to."""
        if self.structured is not None:
            return self.structured.constraint_hessians
        pattern, owners = self.derivatives.constraint_hessians
        function = self._compile("constraint_hessians", pattern.expressions)
        return function, self._assembler("constraint_hessians", pattern), owners

    def hessian_density_bound(self) -> float:
        """An upper bound on the Hessian's density, found without differentiating."""
        if self.structured is not None:
            return self.structured.hessian_density_bound()
        return self.derivatives.hessian_density_bound()

    # -- sums over samples ---------------------------------------------------------------------------
    @property
    def samples(self) -> int:
        """Rows of the problem's sum over samples (0 when it has none)."""
        return 0 if self.structured is None else self.structured.samples

    def batch_value(self, x: np.ndarray, rows: np.ndarray) -> float:
        """The unbiased mini-batch estimate of f over ``rows`` (offsets into the sum over samples)."""
        return self._sampled().batch_value(np.asarray(x, dtype=float), np.asarray(rows, dtype=np.int64))

    def batch_gradient(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The gradient of :meth:`batch_value`: an unbiased estimate of the full gradient."""
        return self._sampled().batch_gradient(np.asarray(x, dtype=float), np.asarray(rows, dtype=np.int64))

    def batch_objective(self, rows: np.ndarray, *, complex_valued: bool = False) -> Any:
        """:meth:`batch_value` as a function of points (..., n) -> (..., 1), for finite differences
        (``complex_valued``: of complex points, for the complex step)."""
        return self._sampled().batch_objective(np.asarray(rows, dtype=np.int64), complex_valued=complex_valued)

    def metrics(self, x: np.ndarray) -> dict[str, float]:
        """The problem's declared metrics at x (exact, uncharged); empty when it declares none."""
        if self.structured is None or not self.problem.metrics:
            return {}
        return self.structured.metrics(np.asarray(x, dtype=float))

    def _sampled(self) -> StructuredFunctions:
        if not self.samples:
            raise ValueError(
                f"{self.problem.name} has no sum over samples (a Sum whose index subscripts data); mini-batches "
                "apply to finite sums over data rows"
            )
        return self.structured

    # -- derived helpers -----------------------------------------------------------------------------
    @functools.cached_property
    def exact(self) -> ExactEvaluator:
        """The exact, uncharged evaluator (verdict, monitor, derivative checks)."""
        return ExactEvaluator(self)

    @functools.cached_property
    def error_model(self) -> ErrorModel:
        """What the finite-difference error model needs at a point (see :class:`ErrorModel`). For a
        structured problem it is the error model of its written-out declaration (small problems only:
        the derivative check of a large one is out of reach anyway, a finite-difference gradient costing
        n full evaluations)."""
        if self.structured is not None:
            return compile_model(written_out(self.problem)).error_model
        return ErrorModel(self)

    def constraint_scale(self, x: np.ndarray) -> float:
        """max(1, largest |term| of any constraint at x): constraint violations are judged relative to it."""
        if not self.m:
            return 1.0
        if self.structured is not None:
            return self.structured.constraint_scale(x)
        function = self._compiled.get("constraint_terms")
        if function is None:
            d = self.derivatives
            terms = [t for c in d.constraint_expressions for t in d.terms(c)]
            function = self._compile("constraint_terms", terms)
        values = np.abs(function(x))
        return max(1.0, float(np.max(values))) if values.size else 1.0


class ExactEvaluator:
    """f, c and their exact derivatives at a point, uncounted, dense by default: for judging runs and
    checking derivatives, never for a method (a method's calls go through a counted oracle)."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def value(self, x: np.ndarray) -> float:
        return float(self.model.objective(np.asarray(x, dtype=float))[0])

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.model.gradient(np.asarray(x, dtype=float))

    def hessian(self, x: np.ndarray, *, sparse: bool = False) -> Any:
        function, assembler = self.model.hessian
        values = function(np.asarray(x, dtype=float))
        return assembler.sparse(values) if sparse else assembler.dense(values)

    def constraints(self, x: np.ndarray) -> np.ndarray:
        return self.model.constraints(np.asarray(x, dtype=float))

    def jacobian(self, x: np.ndarray, *, sparse: bool = False) -> Any:
        function, assembler = self.model.jacobian
        values = function(np.asarray(x, dtype=float))
        return assembler.sparse(values) if sparse else assembler.dense(values)

    def constraint_hessian(self, x: np.ndarray, v: np.ndarray, *, sparse: bool = False) -> Any:
        """sum_k v_k Hess c_k(x)."""
        function, assembler, owners = self.model.constraint_hessians
        values = function(np.asarray(x, dtype=float)) * np.asarray(v, dtype=float)[owners]
        return assembler.sparse(values) if sparse else assembler.dense(values)

    def single_constraint_hessian(self, k: int, x: np.ndarray) -> np.ndarray:
        """Hess c_k(x), dense."""
        function, assembler, owners = self.model.constraint_hessians
        return assembler.dense(function(np.asarray(x, dtype=float)) * (owners == k))


class ErrorModel:
    """What the textbook finite-difference error model needs at a point, for f (``which = 0``) and each
    c_k (``which = k + 1``): the magnitude of the expression's terms (its rounding scale), the exact
    diagonal derivatives d^k f / dx_i^k for k = 1..3 (symbolic, one compiled program per problem) and,
    for Hessians, the mixed third and fourth derivatives t_i = |d H_ij / dx_i|, t_j = |d H_ij / dx_j|,
    q_i = |d2 H_ij / dx_i^2|, q_j = |d2 H_ij / dx_j^2|. The mixed ones are central differences of the
    exact Hessian (steps eps^(1/3) and eps^(1/4), 8-10 correct digits, ample for a model): deriving them
    symbolically took seconds on problems like Osborne 2. The last point's values are kept, so the
    model of f and of every c_k at one x costs one evaluation of the compiled program.

    The diagonal fourth derivatives d^4 f / dx_i^4 (``"d4"``, what the central second difference's
    model-optimal step needs: :func:`workbench.finite_difference.optimal_steps`) are a second program,
    derived (one more derivative of each d3 entry) and compiled on the first ``values(..., order=4)``
    call only, so checks and variants that never ask for them pay nothing."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.n = model.n
        d = model.derivatives
        functions = [d.objective, *d.constraint_expressions]
        expressions: list[Any] = []
        self.slices: list[dict[str, slice]] = []
        for f in functions:
            parts: dict[str, slice] = {}
            for name, items in (
                ("terms", list(d.terms(f))),
                *((f"d{k}", d.diagonal_derivatives(f, k)) for k in (1, 2, 3)),
            ):
                parts[name] = slice(len(expressions), len(expressions) + len(items))
                expressions.extend(items)
            self.slices.append(parts)
        self.function = compile_expressions(d.variables, expressions, engine=d.engine)
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        self._third = [expressions[parts["d3"]] for parts in self.slices]
        self._fourth: Any = None  # the d4 program, compiled on first use
        self._last_fourth: tuple[np.ndarray, np.ndarray] | None = None

    def _fourth_derivatives(self, which: int, x: np.ndarray) -> np.ndarray:
        """(n,) d^4 / dx_i^4 of f (``which = 0``) or c_k, from the lazily compiled d4 program."""
        n = self.n
        if self._fourth is None:
            d = self.model.derivatives
            fourth = [d._diff(e, v) for third in self._third for e, v in zip(third, d.variables, strict=True)]
            self._fourth = compile_expressions(d.variables, fourth, engine=d.engine)
        if self._last_fourth is None or not np.array_equal(self._last_fourth[0], x):
            self._last_fourth = (x.copy(), self._fourth(x))
        return self._last_fourth[1][which * n : (which + 1) * n]

    def _hessian(self, which: int, x: np.ndarray) -> np.ndarray:
        exact = self.model.exact
        return exact.hessian(x) if which == 0 else exact.single_constraint_hessian(which - 1, x)

    def values(self, which: int, x: np.ndarray, hessian: bool = False, order: int = 3) -> dict[str, Any]:
        """``{"magnitude": sum |terms|, "d1", "d2", "d3": (n,) diagonal derivatives}``, with ``order=4``
        also ``"d4"``, and with ``hessian`` the (n, n) upper triangles ``t_i``, ``t_j``, ``q_i``, ``q_j``."""
        x = np.asarray(x, dtype=float)
        if self._last is None or not np.array_equal(self._last[0], x):
            self._last = (x.copy(), self.function(x))
        out = self._last[1]
        parts = self.slices[which]
        d: dict[str, Any] = {"magnitude": float(np.sum(np.abs(out[parts["terms"]])))}
        for k in (1, 2, 3):
            d[f"d{k}"] = out[parts[f"d{k}"]]
        if order >= 4:
            d["d4"] = self._fourth_derivatives(which, x)
        if hessian:
            n = self.n
            scale = np.maximum(1.0, np.abs(x))
            h3, h4 = EPS ** (1 / 3) * scale, EPS**0.25 * scale
            center = self._hessian(which, x)
            first = np.empty((n, n, n))  # first[k] = d H / d x_k
            second = np.empty((n, n, n))  # second[k] = d2 H / d x_k^2
            with np.errstate(all="ignore"):
                for k in range(n):
                    step = np.zeros(n)
                    step[k] = h3[k]
                    first[k] = (self._hessian(which, x + step) - self._hessian(which, x - step)) / (2 * h3[k])
                    step[k] = h4[k]
                    second[k] = (self._hessian(which, x + step) - 2 * center + self._hessian(which, x - step)) / h4[
                        k
                    ] ** 2
            i, j = np.indices((n, n))
            d["t_i"] = np.triu(np.abs(first[i, i, j]))
            d["t_j"] = np.triu(np.abs(first[j, i, j]))
            d["q_i"] = np.triu(np.abs(second[i, i, j]))
            d["q_j"] = np.triu(np.abs(second[j, i, j]))
        return d


@functools.lru_cache(maxsize=MODEL_CACHE_SIZE)
def _cached_model(problem: Problem, engine: Engine | None) -> Model:
    return Model(problem, engine)


def compile_model(problem: Problem, engine: Engine | None = None) -> Model:
    """The compiled model of ``problem`` (module docstring): one per fingerprint and engine, nothing
    derived or compiled until first used. ``engine`` forces ``"symengine"`` or ``"sympy"``."""
    if not isinstance(problem, Problem):
        raise TypeError(f"compile_model needs a workbench Problem, got {type(problem).__name__}")
    return _cached_model(problem, engine)
