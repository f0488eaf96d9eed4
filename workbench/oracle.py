"""The oracle: one problem's callables for one run, counted, and memoized at the last point.

``Oracle(model, variant)`` (or the shorthand ``problem.oracle(variant)``) is the one object a method
calls, like SciPy's ``ScalarFunction``: it owns the callables, the evaluation counters and the
memory of the last point. Every public call goes through one path (:meth:`Oracle._enter`): the run's
limits are checked, x is validated, the call is counted, and the value is taken from the memory when
the last call of that kind was at the same x.

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

Variants (:mod:`workbench.variants`): ``"analytic"`` uses the compiled exact derivatives of the model;
``"fd-forward"``, ``"fd-central"``, ``"complex-step"`` and ``"fd-richardson"`` receive nothing but the
compiled values of f and c, the bounds and the problem's ``typical_x`` (:mod:`workbench.finite_difference`,
:mod:`workbench.richardson`), never the exact derivatives; ``"fd-optimal"``, a teaching baseline, also
reads the model's exact higher derivatives, only to choose its steps (below); a ``"+bfgs"`` / ``"+sr1"``
variant has the gradient of its base and no Hessian (``hessian()`` raises :class:`HessianNotAvailable`;
the method builds the quasi-Newton model).

Steps. Textbook steps scale with max(1, |x_i|), or with max(typical_x_i, |x_i|) when the problem declares
``typical_x``; ``fd-richardson`` starts its ladder at that scale. ``fd-optimal`` differences with the
steps that minimise the textbook error model (:func:`workbench.finite_difference.optimal_steps`), from
the rounding scale eps_f = eps * sum |terms| and the exact diagonal derivatives of
:attr:`workbench.model.Model.error_model`:

* gradient: central differences, h_i = (3 eps_f / |f_iii|)^(1/3), error about (9/8)^(1/3) eps_f^(2/3)
  |f_iii|^(1/3) per component;
* Jacobian: central differences, one step per variable for all rows: of the rows' own optimal steps
  h_ki, the one whose largest model error over the rows is smallest (the check judges a Jacobian by its
  largest error);
* Hessian: central second differences, h_i = (48 eps_f / |f_iiii|)^(1/4) (entry (i, j) uses h_i, h_j);
* constraint Hessian sum_k v_k Hess c_k: the same for phi = v . c, with eps_phi = eps sum_k |v_k|
  sum |terms of c_k| and phi_iiii = sum_k v_k (c_k)_iiii;

where the model has no interior minimum (a vanishing derivative or rounding scale) the textbook step is
used, and no step exceeds :data:`~workbench.finite_difference.OPTIMAL_STEP_REACH` (100) times the
textbook one (the Taylor model holds near x only). Near a bound every stencil turns one-sided as in
:mod:`workbench.finite_difference`.

Counting (:mod:`workbench.cost`): ``oracle.counts`` holds the calls a method made and the true
evaluations they cost. A forward-difference gradient costs n objective evaluations beyond f(x); f(x)
itself is reused when the last ``value`` call was at the same x, else it costs one more. A central
difference gradient costs 2n, a complex-step gradient n, an ``fd-optimal`` gradient 2n (its Hessian
1 + 2n^2, like ``fd-central``). An ``fd-richardson`` estimate costs every point its ladders evaluated, the
step search included (usually 16n per gradient, 1 + 16n^2 per Hessian; see :mod:`workbench.richardson`).
``fd-optimal``'s reads of exact higher derivatives are counted apart, in
:attr:`Counts.error_model_evaluations` (one per estimate), and are not work: they are the teaching
device, not evaluations a user could make. A call answered from the memory of the last point is counted
as a call and costs no evaluation. ``max_evaluations`` limits the run's :attr:`Counts.work`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench import finite_difference as fd
from workbench.cost import Counts
from workbench.model import Model, compile_model
from workbench.richardson import richardson_hessian, richardson_jacobian
from workbench.variants import Variant, parse_variant

if TYPE_CHECKING:
    from workbench.problem import Problem

__all__ = [
    "Counts",
    "HessianNotAvailable",
    "LimitReached",
    "Oracle",
    "make_oracle",
    "model_optimal_steps",
]

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


class Oracle:
    """Counted, memoized callables of one problem in one derivative variant (module docstring).

    ``sparse``: ``True`` / ``False`` force scipy.sparse / dense matrices; ``"auto"`` picks sparse for
    exact derivatives when n >= 100 and the Hessian pattern fills at most 20% of the matrix.
    """

    def __init__(self, model: Model, variant: str | Variant = "analytic", *, sparse: bool | str = "auto") -> None:
        if not isinstance(model, Model):
            raise TypeError(f"Oracle needs a compiled Model (workbench.model.compile_model), got {model!r}")
        parsed = parse_variant(variant)
        problem = model.problem
        if sparse not in (True, False, "auto"):
            raise ValueError(f"sparse must be True, False or 'auto', got {sparse!r}")
        if parsed.complex_step and not problem.is_smooth:
            from workbench.problem import non_smooth_functions

            field, function = non_smooth_functions(problem)[0]
            raise ValueError(
                f"{problem.name}: the complex-step variant needs expressions analytic in x, but {field} "
                f"uses {function}; use 'fd-central' instead"
            )
        self.model = model
        self.problem = problem
        self.variant = parsed.name
        self.hessian_model = parsed.hessian_model
        self.n = problem.n
        self.m = problem.m
        self.counts = Counts(samples=model.samples)
        if parsed.base == "analytic":
            self._source: _Source = _ExactSource(model)
            self.sparse = _auto_sparse(model, sparse) if parsed.hessian_model is None else sparse is True
        else:
            self._source = _DifferenceSource(model, parsed)
            self.sparse = sparse is True
        self._budget: float | None = None
        self._deadline: float | None = None
        self._memory: dict[str, tuple[np.ndarray, Any]] = {}

    # -- limits and the one path every call takes ---------------------------------------------------
    def set_limits(self, *, max_evaluations: float | None = None, time_limit: float | None = None) -> None:
        """Refuse calls (raise :class:`LimitReached`) once ``max_evaluations`` units of work
        (:attr:`Counts.work`) are spent, or ``time_limit`` seconds after this call."""
        self._budget = max_evaluations
        self._deadline = None if time_limit is None else time.perf_counter() + time_limit

    def _enter(self, call: str, x: Any) -> np.ndarray:
        """Check the limits, validate x, count the call; return x as a float64 array of shape (n,)."""
        if self._budget is not None and self.counts.work >= self._budget:
            raise LimitReached("max_evaluations", f"evaluation budget of {self._budget:g} spent")
        if self._deadline is not None and time.perf_counter() > self._deadline:
            raise LimitReached("timeout", "time limit reached")
        if type(x) is not np.ndarray or x.dtype != np.float64 or x.ndim != 1:
            x = np.asarray(x, dtype=float).reshape(-1) if np.ndim(x) <= 1 else np.asarray(x, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"{self.problem.name}: x has shape {np.shape(x)} but the problem has {self.n} variables")
        setattr(self.counts, call, getattr(self.counts, call) + 1)
        return x

    def _remembered(self, kind: str, x: np.ndarray, compute: Callable[[], Any]) -> Any:
        """The value of ``kind`` at x: from the memory of the last point when it was x, else computed."""
        last = self._memory.get(kind)
        if last is not None and np.array_equal(last[0], x):
            value = last[1]
        else:
            value = compute()
            self._memory[kind] = (x.copy(), value)
        return value.copy() if isinstance(value, np.ndarray) else value

    def _known(self, kind: str, x: np.ndarray) -> Any:
        """The remembered value of ``kind`` at x, or None (finite differences reuse f(x) and c(x))."""
        last = self._memory.get(kind)
        return last[1] if last is not None and np.array_equal(last[0], x) else None

    # -- the calls ----------------------------------------------------------------------------------
    def value(self, x: np.ndarray) -> float:
        """f(x)."""
        x = self._enter("value", x)
        return self._remembered("value", x, lambda: self._source.value(x, self.counts))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """grad f(x), shape (n,)."""
        x = self._enter("gradient", x)
        return self._remembered(
            "gradient", x, lambda: self._source.gradient(x, self.counts, self._known("value", x))
        )

    def hessian(self, x: np.ndarray) -> Any:
        """Hess f(x), shape (n, n): a numpy array, or scipy.sparse when ``oracle.sparse``."""
        self._require_hessian()
        x = self._enter("hessian", x)
        return self._remembered(
            "hessian", x, lambda: self._source.hessian(x, self.counts, self.sparse, self._known("value", x))
        )

    def hessian_vector(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Hess f(x) @ v, shape (n,) (the Hessian at x is remembered for further products)."""
        self._require_hessian()
        x = self._enter("hessian_vector", x)
        hessian = self._remembered(
            "hessian", x, lambda: self._source.hessian(x, self.counts, self.sparse, self._known("value", x))
        )
        return np.asarray(hessian @ np.asarray(v, dtype=float))

    def constraints(self, x: np.ndarray) -> np.ndarray:
        """c(x), shape (m,)."""
        x = self._enter("constraints", x)
        return self._remembered("constraints", x, lambda: self._source.constraints(x, self.counts))

    def jacobian(self, x: np.ndarray) -> Any:
        """dc/dx, shape (m, n)."""
        x = self._enter("jacobian", x)
        return self._remembered(
            "jacobian", x, lambda: self._source.jacobian(x, self.counts, self.sparse, self._known("constraints", x))
        )

    def constraint_hessian(self, x: np.ndarray, v: np.ndarray) -> Any:
        """sum_i v_i Hess c_i(x), shape (n, n)."""
        self._require_hessian()
        x = self._enter("constraint_hessian", x)
        v = np.asarray(v, dtype=float).reshape(-1)
        if v.shape != (self.m,):
            raise ValueError(f"{self.problem.name}: v has shape {v.shape} but there are {self.m} constraints")
        known = self._known("constraints", x)
        return self._source.constraint_hessian(x, v, self.counts, self.sparse, known)

    # -- mini-batches of a sum over samples ------------------------------------------------------------
    def batch_value(self, x: np.ndarray, rows: Any) -> float:
        """The unbiased mini-batch estimate of f: the problem's sum over samples evaluated on ``rows``
        (offsets 0..N-1 into it) and scaled by N / |rows|, every other term in full. Charges
        ``len(rows)`` sample evaluations (|rows| / N of a unit of work)."""
        x = self._enter("batch_value", x)
        return self._source.batch_value(x, self._rows(rows), self.counts)

    def batch_gradient(self, x: np.ndarray, rows: Any) -> np.ndarray:
        """The gradient of :meth:`batch_value`, an unbiased estimate of the full gradient, shape (n,).
        Exact: ``len(rows)`` sample evaluations; finite differences: ``len(rows)`` per point evaluated."""
        x = self._enter("batch_gradient", x)
        return self._source.batch_gradient(x, self._rows(rows), self.counts)

    def _rows(self, rows: Any) -> np.ndarray:
        samples = self.model.samples
        if not samples:
            raise ValueError(
                f"{self.problem.name} has no sum over samples (a Sum whose index subscripts data); mini-batches "
                "apply to finite sums over data rows"
            )
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        if rows.size == 0 or rows.min() < 0 or rows.max() >= samples:
            raise ValueError(f"{self.problem.name}: batch rows must be offsets in 0..{samples - 1}, non-empty")
        return rows

    def _require_hessian(self) -> None:
        if self.hessian_model is not None:
            raise HessianNotAvailable(
                f"variant {self.variant!r} has no Hessian at a point: the method builds a "
                f"{self.hessian_model.upper()} model from gradients instead"
            )

    def __repr__(self) -> str:
        return f"Oracle({self.problem.name!r}, {self.variant!r}, counts={self.counts})"


# -------------------------------------------------------------------------------------------
# sources: where the numbers come from (they count evaluations; calls are counted by the Oracle)


class _Source:
    def value(self, x: np.ndarray, counts: Counts) -> float:
        raise NotImplementedError

    def gradient(self, x: np.ndarray, counts: Counts, f0: float | None) -> np.ndarray:
        raise NotImplementedError

    def hessian(self, x: np.ndarray, counts: Counts, sparse: bool, f0: float | None) -> Any:
        raise NotImplementedError

    def constraints(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        raise NotImplementedError

    def jacobian(self, x: np.ndarray, counts: Counts, sparse: bool, c0: np.ndarray | None) -> Any:
        raise NotImplementedError

    def constraint_hessian(
        self, x: np.ndarray, v: np.ndarray, counts: Counts, sparse: bool, c0: np.ndarray | None
    ) -> Any:
        raise NotImplementedError

    def batch_value(self, x: np.ndarray, rows: np.ndarray, counts: Counts) -> float:
        counts.sample_evaluations += rows.size
        return self.model.batch_value(x, rows)

    def batch_gradient(self, x: np.ndarray, rows: np.ndarray, counts: Counts) -> np.ndarray:
        raise NotImplementedError


class _ExactSource(_Source):
    """The model's compiled exact derivatives."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.exact = model.exact

    def batch_gradient(self, x: np.ndarray, rows: np.ndarray, counts: Counts) -> np.ndarray:
        counts.sample_evaluations += rows.size
        return self.model.batch_gradient(x, rows)

    def value(self, x: np.ndarray, counts: Counts) -> float:
        counts.objective_evaluations += 1
        return self.exact.value(x)

    def gradient(self, x: np.ndarray, counts: Counts, f0: float | None) -> np.ndarray:
        counts.gradient_evaluations += 1
        return self.exact.gradient(x)

    def hessian(self, x: np.ndarray, counts: Counts, sparse: bool, f0: float | None) -> Any:
        counts.hessian_evaluations += 1
        return self.exact.hessian(x, sparse=sparse)

    def constraints(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        counts.constraint_evaluations += 1
        return self.exact.constraints(x)

    def jacobian(self, x: np.ndarray, counts: Counts, sparse: bool, c0: np.ndarray | None) -> Any:
        counts.jacobian_evaluations += 1
        return self.exact.jacobian(x, sparse=sparse)

    def constraint_hessian(
        self, x: np.ndarray, v: np.ndarray, counts: Counts, sparse: bool, c0: np.ndarray | None
    ) -> Any:
        counts.constraint_hessian_evaluations += 1
        return self.exact.constraint_hessian(x, v, sparse=sparse)


class _DifferenceSource(_Source):
    """Derivatives from values of f and c: it keeps nothing of the model but the compiled value
    functions (real, and complex for the complex step), the bounds and ``typical_x``. Only
    ``fd-optimal`` (a teaching baseline) also keeps the model, to read the exact higher derivatives its
    steps come from (module docstring); each read is counted in ``error_model_evaluations``, not work."""

    def __init__(self, model: Model, variant: Variant) -> None:
        problem = model.problem
        self.scheme = variant.scheme
        self._objective = model.objective
        self._constraints = model.constraints
        self._objective_complex = model.objective_complex if self.scheme == "complex" else None
        self._constraints_complex = model.constraints_complex if self.scheme == "complex" else None
        self.lower = problem.lower
        self.upper = problem.upper
        self.typical_x = None if problem.typical_x is None else np.array(problem.typical_x, dtype=float)
        # the model: for batch values (values only) and, for fd-optimal only, the error model's exact
        # higher derivatives that set its steps (a teaching baseline; documented in workbench.variants)
        self.model = model
        self._model = model if variant.exact_higher_derivatives else None

    def value(self, x: np.ndarray, counts: Counts) -> float:
        counts.objective_evaluations += 1
        return float(self._objective(x)[0])

    def batch_gradient(self, x: np.ndarray, rows: np.ndarray, counts: Counts) -> np.ndarray:
        """The scheme applied to the batch estimate as a function of x (values only); each point
        evaluated costs |rows| sample evaluations."""
        function = self.model.batch_objective(rows)
        complex_function = self.model.batch_objective(rows, complex_valued=True) if self.scheme == "complex" else None
        estimate = self._first_derivative(function, complex_function, x, None, "gradient", counts)
        counts.sample_evaluations += estimate.evaluations * rows.size
        return estimate.value[0]
    def constraints(self, x: np.ndarray, counts: Counts) -> np.ndarray:
        counts.constraint_evaluations += 1
        return self._constraints(x)

    # -- the estimates --------------------------------------------------------------------------------
    def _first_derivative(
        self, function: Any, complex_function: Any, x: np.ndarray, f0: Any, quantity: str, counts: Counts
    ) -> fd.Estimate:
        bounds = {"lower": self.lower, "upper": self.upper}
        if self.scheme == "complex":
            return fd.complex_step_jacobian(complex_function, x, typical_x=self.typical_x)
        if self.scheme == "richardson":
            return richardson_jacobian(function, x, f0=f0, typical_x=self.typical_x, **bounds)
        if self.scheme == "optimal":
            counts.error_model_evaluations += 1
            step = model_optimal_steps(self._model, quantity, x)
            return fd.jacobian(function, x, scheme="central", f0=f0, step=step, **bounds)
        return fd.jacobian(function, x, scheme=self.scheme, f0=f0, typical_x=self.typical_x, **bounds)

    def _second_derivative(
        self,
        function: Any,
        complex_function: Any,
        x: np.ndarray,
        f0: Any,
        quantity: str,
        counts: Counts,
        weights: np.ndarray | None = None,
    ) -> fd.Estimate:
        bounds = {"lower": self.lower, "upper": self.upper}
        if self.scheme == "complex":
            return fd.hessian_from_gradient(
                lambda point: fd.complex_step_jacobian(complex_function, point, typical_x=self.typical_x),
                x,
                typical_x=self.typical_x,
                **bounds,
            )
        if self.scheme == "richardson":
            return richardson_hessian(function, x, f0=f0, typical_x=self.typical_x, **bounds)
        if self.scheme == "optimal":
            counts.error_model_evaluations += 1
            step = model_optimal_steps(self._model, quantity, x, weights)
            return fd.hessian(function, x, scheme="central", f0=f0, step=step, **bounds)
        return fd.hessian(function, x, scheme=self.scheme, f0=f0, typical_x=self.typical_x, **bounds)

    def gradient(self, x: np.ndarray, counts: Counts, f0: float | None) -> np.ndarray:
        estimate = self._first_derivative(self._objective, self._objective_complex, x, f0, "gradient", counts)
        counts.objective_evaluations += estimate.evaluations
        return estimate.value[0]

    def jacobian(self, x: np.ndarray, counts: Counts, sparse: bool, c0: np.ndarray | None) -> Any:
        estimate = self._first_derivative(self._constraints, self._constraints_complex, x, c0, "jacobian", counts)
        counts.constraint_evaluations += estimate.evaluations
        return _maybe_sparse(estimate.value, sparse)

    def hessian(self, x: np.ndarray, counts: Counts, sparse: bool, f0: float | None) -> Any:
        estimate = self._second_derivative(self._objective, self._objective_complex, x, f0, "hessian", counts)
        counts.objective_evaluations += estimate.evaluations
        return _maybe_sparse(estimate.value, sparse)

    def constraint_hessian(
        self, x: np.ndarray, v: np.ndarray, counts: Counts, sparse: bool, c0: np.ndarray | None
    ) -> Any:
        # second differences of phi(x) = v . c(x); each phi value is one evaluation of c
        f0 = None if c0 is None else float(c0 @ v)
        weighted = lambda points: self._constraints(points) @ v  # noqa: E731
        weighted_complex = None
        if self._constraints_complex is not None:
            weighted_complex = lambda points: self._constraints_complex(points) @ v  # noqa: E731
        estimate = self._second_derivative(weighted, weighted_complex, x, f0, "constraint_hessian", counts, v)
        counts.constraint_evaluations += estimate.evaluations
        return _maybe_sparse(estimate.value, sparse)


def model_optimal_steps(model: Model, quantity: str, x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The steps (n,) of the ``fd-optimal`` teaching baseline at x (module docstring), from the exact higher
    derivatives of ``model.error_model`` and eps_f = eps * sum |terms|, capped at
    :data:`~workbench.finite_difference.OPTIMAL_STEP_REACH` times the textbook step:

    * ``"gradient"``: central, :func:`~workbench.finite_difference.optimal_steps` from f_iii;
    * ``"jacobian"``: central, one step per variable for every c_k
      (:func:`~workbench.finite_difference.common_optimal_steps`);
    * ``"hessian"``: central second differences, from f_iiii;
    * ``"constraint_hessian"``: the same for phi = weights . c (eps_phi = eps sum_k |w_k| sum |terms of c_k|,
      phi_iiii = sum_k w_k (c_k)_iiii).

    Shared by the oracle and the derivative check (:mod:`workbench.accuracy`), so the check's model error is
    the model at the very steps the oracle used.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    problem = model.problem
    typical = None if problem.typical_x is None else np.array(problem.typical_x, dtype=float)
    options: dict[str, Any] = {"x": x, "typical_x": typical, "at_most": fd.OPTIMAL_STEP_REACH}
    errors = model.error_model
    if quantity in ("gradient", "jacobian"):
        rows = [0] if quantity == "gradient" else list(range(1, model.m + 1))
        values = [errors.values(k, x) for k in rows]
        rounding = np.array([fd.EPS * d["magnitude"] for d in values])
        third = np.array([d["d3"] for d in values]).reshape(len(rows), n)
        return fd.common_optimal_steps("central", eps_f=rounding, derivatives=third, **options)
    if quantity == "hessian":
        d = errors.values(0, x, order=4)
        return fd.optimal_steps("hessian-central", eps_f=fd.EPS * d["magnitude"], derivative=d["d4"], **options)
    if quantity == "constraint_hessian":
        w = np.ones(model.m) if weights is None else np.asarray(weights, dtype=float)
        values = [errors.values(k + 1, x, order=4) for k in range(model.m)]
        rounding = fd.EPS * float(sum(abs(a) * d["magnitude"] for a, d in zip(w, values, strict=True)))
        fourth = sum((a * d["d4"] for a, d in zip(w, values, strict=True)), np.zeros(n))
        return fd.optimal_steps("hessian-central", eps_f=rounding, derivative=fourth, **options)
    raise ValueError(f"unknown quantity {quantity!r}; expected gradient, jacobian, hessian or constraint_hessian")


def _maybe_sparse(matrix: np.ndarray, sparse: bool) -> Any:
    if not sparse:
        return matrix
    from scipy import sparse as sp_sparse

    return sp_sparse.csr_array(matrix)


def _auto_sparse(model: Model, sparse: bool | str) -> bool:
    if sparse in (True, False):
        return bool(sparse)
    if model.n < SPARSE_MIN_SIZE:
        return False
    # decided from which variables each term touches, without deriving the Hessian
    return model.hessian_density_bound() <= SPARSE_MAX_DENSITY


def make_oracle(problem: Problem, variant: str = "analytic", *, sparse: bool | str = "auto") -> Oracle:
    """A fresh oracle (fresh counts) for ``problem`` in ``variant``: ``Oracle(compile_model(problem), ...)``."""
    return Oracle(compile_model(problem), variant, sparse=sparse)
