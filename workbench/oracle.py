"""The oracle: one problem's callables for one run, and the count of everything they cost.

``problem.oracle(variant)`` returns an :class:`Oracle` whose methods a method calls:

========================  ======================  ==================================================
method                    returns                 meaning
========================  ======================  ==================================================
``value(x)``              float                   f(x)
``gradient(x)``           (n,)                    grad f(x)
``hessian(x)``            (n, n) or sparse        Hess f(x)
``hessian_vector(x, v)``  (n,)                    Hess f(x) v
``constraints(x)``        (m,)                    c(x); ``c_i >= 0`` or ``c_i = 0`` (see Problem)
``jacobian(x)``           (m, n) or sparse        dc/dx
``constraint_hessian``    (n, n) or sparse        sum_i v_i Hess c_i(x)  (``(x, v)``, v of shape (m,))
========================  ======================  ==================================================

Variants
--------
``"analytic"``
    Exact derivatives, derived symbolically and compiled (:mod:`workbench.symbolic`,
    :mod:`workbench.compile`).
``"fd-forward"``, ``"fd-central"``, ``"complex-step"``
    Derivatives from values of f and c only (:mod:`workbench.finite_difference`); the oracle never
    sees the exact derivatives (the lecture's "blindfolded" configuration). Hessians come from second
    differences of values: forward, central, or central differences of complex-step gradients.
``"<variant>+bfgs"``, ``"<variant>+sr1"``
    The gradient of ``<variant>`` and **no** Hessian: the method builds a quasi-Newton model over its
    iterations (SciPy's ``BFGS()`` / ``SR1()``). Such a model is not a derivative at x and never
    appears in derivative-accuracy tables. ``oracle.hessian_model`` names it; ``hessian()`` raises.

Counting
--------
``oracle.counts`` holds the calls a method made (``value``, ``gradient``, ...) and the true cost:
``objective_evaluations`` and ``constraint_evaluations`` count every evaluation of f and of the
vector c, including each one spent inside a finite difference; ``gradient_evaluations`` etc. count
exact-derivative evaluations. A forward-difference gradient costs n objective evaluations beyond
f(x); f(x) itself is reused when the last ``value`` call was at the same x, else it costs one more.
A central difference gradient costs 2n, a complex-step gradient n.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench import finite_difference as fd
from workbench.compile import CompiledProblem, compile_problem

if TYPE_CHECKING:
    from workbench.problem import Problem

__all__ = [
    "DERIVATIVE_VARIANTS",
    "FINITE_DIFFERENCE_VARIANTS",
    "HESSIAN_MODELS",
    "Counts",
    "HessianNotAvailable",
    "LimitReached",
    "Oracle",
    "make_oracle",
    "parse_variant",
]

DERIVATIVE_VARIANTS = ("analytic", "fd-forward", "fd-central", "complex-step")
FINITE_DIFFERENCE_VARIANTS = ("fd-forward", "fd-central", "complex-step")
HESSIAN_MODELS = ("bfgs", "sr1")

#: Matrices are scipy.sparse above this size when their pattern is sparse (sparse="auto").
SPARSE_MIN_SIZE = 100
SPARSE_MAX_DENSITY = 0.2


class LimitReached(Exception):
    """An oracle call was refused: the run's evaluation budget or time limit is spent.

    ``status`` is ``"max_evaluations"`` or ``"timeout"``; the runner turns it into the run's status.
    """

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HessianNotAvailable(RuntimeError):
    """The oracle's variant has no Hessian at a point (a quasi-Newton model is built by the method)."""


@dataclasses.dataclass
class Counts:
    """Calls made by a method, and the true evaluations they cost (FD evaluations included)."""

    value: int = 0
    gradient: int = 0
    hessian: int = 0
    hessian_vector: int = 0
    constraints: int = 0
    jacobian: int = 0
    constraint_hessian: int = 0
    objective_evaluations: int = 0
    constraint_evaluations: int = 0
    gradient_evaluations: int = 0
    hessian_evaluations: int = 0
    jacobian_evaluations: int = 0
    constraint_hessian_evaluations: int = 0

    @property
    def evaluations(self) -> int:
        """True evaluations of f and of c together."""
        return self.objective_evaluations + self.constraint_evaluations

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    def copy(self) -> Counts:
        return dataclasses.replace(self)


def parse_variant(variant: str) -> tuple[str, str | None]:
    """Split ``"fd-forward+bfgs"`` into ``("fd-forward", "bfgs")``; validate both parts."""
    if not isinstance(variant, str):
        raise TypeError(f"variant must be a string, got {variant!r}")
    base, _, model = variant.partition("+")
    if base not in DERIVATIVE_VARIANTS or (model and model not in HESSIAN_MODELS):
        choices = ", ".join([*DERIVATIVE_VARIANTS, "fd-forward+bfgs", "analytic+sr1", "..."])
        raise ValueError(f"unknown derivative variant {variant!r}; choose one of {choices}")
    return base, (model or None)


class Oracle:
    """Counted callables of one problem in one derivative variant (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        variant: str,
        provider: _Provider,
        *,
        hessian_model: str | None,
        sparse: bool,
    ) -> None:
        self.problem = problem
        self.variant = variant
        self.hessian_model = hessian_model
        self.sparse = sparse
        self.n = problem.n
        self.m = problem.m
        self.counts = Counts()
        self._provider = provider
        self._limited = False
        self._budget: int | None = None
        self._deadline: float | None = None

    def set_limits(self, *, max_evaluations: int | None = None, time_limit: float | None = None) -> None:
        """Refuse calls (raise :class:`LimitReached`) once ``max_evaluations`` objective plus exact
        gradient evaluations are spent, or ``time_limit`` seconds after this call."""
        self._budget = max_evaluations
        self._deadline = None if time_limit is None else time.perf_counter() + time_limit
        self._limited = max_evaluations is not None or time_limit is not None

    def _check_limits(self) -> None:
        if self._budget is not None:
            spent = self.counts.objective_evaluations + self.counts.gradient_evaluations
            if spent >= self._budget:
                raise LimitReached("max_evaluations", f"evaluation budget of {self._budget} spent")
        if self._deadline is not None and time.perf_counter() > self._deadline:
            raise LimitReached("timeout", "time limit reached")

    def _point(self, x: Any) -> np.ndarray:
        if type(x) is not np.ndarray or x.dtype != np.float64 or x.ndim != 1:
            x = np.asarray(x, dtype=float).reshape(-1) if np.ndim(x) <= 1 else np.asarray(x, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"{self.problem.name}: x has shape {np.shape(x)} but the problem has {self.n} variables")
        return x

    def value(self, x: np.ndarray) -> float:
        """f(x)."""
        if self._limited:
            self._check_limits()
        x = self._point(x)
        self.counts.value += 1
        return self._provider.value(x, self.counts)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """grad f(x), shape (n,)."""
        if self._limited:
            self._check_limits()
        x = self._point(x)
        self.counts.gradient += 1
        return self._provider.gradient(x, self.counts)

    def hessian(self, x: np.ndarray) -> Any:
        """Hess f(x), shape (n, n): a numpy array, or scipy.sparse when ``oracle.sparse``."""
        self._require_hessian()
        if self._limited:
            self._check_limits()
        x = self._point(x)
        self.counts.hessian += 1
        return self._provider.hessian(x, self.counts, self.sparse)

    def hessian_vector(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Hess f(x) @ v, shape (n,)."""
        self._require_hessian()
        x = self._point(x)
        self.counts.hessian_vector += 1
        return np.asarray(self._provider.hessian(x, self.counts, self.sparse) @ np.asarray(v, dtype=float))

    def constraints(self, x: np.ndarray) -> np.ndarray:
        """c(x), shape (m,)."""
        if self._limited:
            self._check_limits()
        x = self._point(x)
        self.counts.constraints += 1
        return self._provider.constraints(x, self.counts)

    def jacobian(self, x: np.ndarray) -> Any:
        """dc/dx, shape (m, n)."""
        if self._limited:
            self._check_limits()
        x = self._point(x)
        self.counts.jacobian += 1
        return self._provider.jacobian(x, self.counts, self.sparse)

    def constraint_hessian(self, x: np.ndarray, v: np.ndarray) -> Any:
        """sum_i v_i Hess c_i(x), shape (n, n)."""
        self._require_hessian()
        x = self._point(x)
        v = np.asarray(v, dtype=float).reshape(-1)
        if v.shape != (self.m,):
            raise ValueError(f"{self.problem.name}: v has shape {v.shape} but there are {self.m} constraints")
        self.counts.constraint_hessian += 1
        return self._provider.constraint_hessian(x, v, self.counts, self.sparse)

    def _require_hessian(self) -> None:
        if self.hessian_model is not None:
            raise HessianNotAvailable(
                f"variant {self.variant!r} has no Hessian at a point: the method builds a "
                f"{self.hessian_model.upper()} model from gradients instead"
            )

    def __repr__(self) -> str:
        return f"Oracle({self.problem.name!r}, {self.variant!r}, counts={self.counts})"


# -------------------------------------------------------------------------------------------
# providers: where the numbers come from


class _Provider:
    def value(self, x: np.ndarray, counts: Counts) -> float:
        raise NotImplementedError

    def gradient(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        raise NotImplementedError

    def hessian(self, x: np.ndarray, counts: Counts, sparse: bool) -> Any:
        raise NotImplementedError

    def constraints(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        raise NotImplementedError

    def jacobian(self, x: np.ndarray, counts: Counts, sparse: bool) -> Any:
        raise NotImplementedError

    def constraint_hessian(self, x: np.ndarray, v: np.ndarray, counts: Counts, sparse: bool) -> Any:
        raise NotImplementedError


class _Exact(_Provider):
    """Compiled exact derivatives."""

    def __init__(self, compiled: CompiledProblem) -> None:
        self.compiled = compiled

    def value(self, x: np.ndarray, counts: Counts) -> float:
        counts.objective_evaluations += 1
        return float(self.compiled.objective(x)[0])

    def gradient(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        counts.gradient_evaluations += 1
        return self.compiled.gradient(x)

    def hessian(self, x: np.ndarray, counts: Counts, sparse: bool) -> Any:
        counts.hessian_evaluations += 1
        function, assembler = self.compiled.hessian
        values = function(x)
        return assembler.sparse(values) if sparse else assembler.dense(values)

    def constraints(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        counts.constraint_evaluations += 1
        return self.compiled.constraints(x)

    def jacobian(self, x: np.ndarray, counts: Counts, sparse: bool) -> Any:
        counts.jacobian_evaluations += 1
        function, assembler = self.compiled.jacobian
        values = function(x)
        return assembler.sparse(values) if sparse else assembler.dense(values)

    def constraint_hessian(self, x: np.ndarray, v: np.ndarray, counts: Counts, sparse: bool) -> Any:
        counts.constraint_hessian_evaluations += 1
        function, assembler, owners = self.compiled.constraint_hessians
        values = function(x) * v[owners]
        return assembler.sparse(values) if sparse else assembler.dense(values)


class _FiniteDifferences(_Provider):
    """Derivatives from values of f and c only. Receives nothing but those functions and the bounds."""

    def __init__(
        self,
        *,
        scheme: str,
        objective: Any,
        constraints: Any,
        objective_complex: Any = None,
        constraints_complex: Any = None,
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        self.scheme = scheme
        self._objective = objective
        self._constraints = constraints
        self._objective_complex = objective_complex
        self._constraints_complex = constraints_complex
        self.lower = lower
        self.upper = upper
        self._last_value: tuple[np.ndarray, float] | None = None
        self._last_constraints: tuple[np.ndarray, np.ndarray] | None = None

    # values, remembered so that a difference at the same x reuses them
    def value(self, x: np.ndarray, counts: Counts) -> float:
        counts.objective_evaluations += 1
        f = float(self._objective(x)[0])
        self._last_value = (x.copy(), f)
        return f

    def constraints(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        counts.constraint_evaluations += 1
        c = self._constraints(x)
        self._last_constraints = (x.copy(), c.copy())
        return c

    def _known_value(self, x: np.ndarray) -> float | None:
        if self._last_value is not None and np.array_equal(self._last_value[0], x):
            return self._last_value[1]
        return None

    def _known_constraints(self, x: np.ndarray) -> np.ndarray | None:
        if self._last_constraints is not None and np.array_equal(self._last_constraints[0], x):
            return self._last_constraints[1]
        return None

    def _first_derivative(self, function: Any, complex_function: Any, x: np.ndarray, f0: Any) -> fd.Estimate:
        if self.scheme == "complex":
            return fd.complex_step_jacobian(complex_function, x)
        return fd.jacobian(function, x, scheme=self.scheme, f0=f0, lower=self.lower, upper=self.upper)

    def gradient(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        estimate = self._first_derivative(self._objective, self._objective_complex, x, self._known_value(x))
        counts.objective_evaluations += estimate.evaluations
        return estimate.value[0]

    def jacobian(self, x: np.ndarray, counts: Counts, sparse: bool) -> Any:
        estimate = self._first_derivative(self._constraints, self._constraints_complex, x, self._known_constraints(x))
        counts.constraint_evaluations += estimate.evaluations
        return _maybe_sparse(estimate.value, sparse)

    def _second_derivative(self, function: Any, complex_function: Any, x: np.ndarray, f0: Any) -> fd.Estimate:
        if self.scheme == "complex":
            return fd.hessian_from_gradient(
                lambda point: fd.complex_step_jacobian(complex_function, point),
                x,
                lower=self.lower,
                upper=self.upper,
            )
        return fd.hessian(function, x, scheme=self.scheme, f0=f0, lower=self.lower, upper=self.upper)

    def hessian(self, x: np.ndarray, counts: Counts, sparse: bool) -> Any:
        estimate = self._second_derivative(self._objective, self._objective_complex, x, self._known_value(x))
        counts.objective_evaluations += estimate.evaluations
        return _maybe_sparse(estimate.value, sparse)

    def constraint_hessian(self, x: np.ndarray, v: np.ndarray, counts: Counts, sparse: bool) -> Any:
        # second differences of phi(x) = v . c(x); each phi value is one evaluation of c
        known = self._known_constraints(x)
        f0 = None if known is None else float(known @ v)
        weighted = None if self._constraints is None else (lambda points: self._constraints(points) @ v)
        weighted_complex = None
        if self._constraints_complex is not None:
            weighted_complex = lambda points: self._constraints_complex(points) @ v  # noqa: E731
        estimate = self._second_derivative(weighted, weighted_complex, x, f0)
        counts.constraint_evaluations += estimate.evaluations
        return _maybe_sparse(estimate.value, sparse)


def _maybe_sparse(matrix: np.ndarray, sparse: bool) -> Any:
    if not sparse:
        return matrix
    from scipy import sparse as sp_sparse

    return sp_sparse.csr_array(matrix)


def _auto_sparse(problem: Problem, compiled: CompiledProblem, sparse: bool | str) -> bool:
    if sparse in (True, False):
        return bool(sparse)
    if sparse != "auto":
        raise ValueError(f"sparse must be True, False or 'auto', got {sparse!r}")
    if problem.n < SPARSE_MIN_SIZE:
        return False
    # decided from which variables each term touches, without deriving the Hessian
    return compiled.derivatives.hessian_density_bound() <= SPARSE_MAX_DENSITY


def make_oracle(problem: Problem, variant: str = "analytic", *, sparse: bool | str = "auto") -> Oracle:
    """A fresh oracle (fresh counts) for ``problem`` in ``variant``; see the module docstring.

    ``sparse``: ``True`` / ``False`` force scipy.sparse / dense matrices; ``"auto"`` picks sparse when
    n >= 100 and the Hessian pattern fills at most 20% of the matrix.
    """
    base, hessian_model = parse_variant(variant)
    compiled = compile_problem(problem)
    if base == "complex-step" and not problem.is_smooth:
        from workbench.problem import _non_smooth_functions

        field, function = _non_smooth_functions(problem)[0]
        raise ValueError(
            f"{problem.name}: the complex-step variant needs expressions analytic in x, but {field} "
            f"uses {function}; use 'fd-central' instead"
        )
    if base == "analytic":
        provider: _Provider = _Exact(compiled)
        is_sparse = _auto_sparse(problem, compiled, sparse) if hessian_model is None else sparse is True
    else:
        scheme = {"fd-forward": "forward", "fd-central": "central", "complex-step": "complex"}[base]
        provider = _FiniteDifferences(
            scheme=scheme,
            objective=compiled.objective,
            constraints=compiled.constraints,
            objective_complex=compiled.objective_complex if scheme == "complex" else None,
            constraints_complex=compiled.constraints_complex if scheme == "complex" else None,
            lower=problem.lower,
            upper=problem.upper,
        )
        is_sparse = sparse is True
    return Oracle(problem, variant, provider, hessian_model=hessian_model, sparse=is_sparse)
