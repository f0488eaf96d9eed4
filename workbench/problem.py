"""The problem declaration: variables, objective, constraints, bounds, start and known optimum.

A :class:`Problem` is declared once, in SymPy, and everything else (exact derivatives, finite
differences, runs, reports) is derived from it. It is immutable and validates itself when built:
every error names the field, what is wrong and how to fix it.

Conventions
-----------
* Constraints are SymPy relationals. They are normalised to ``c(x) >= 0`` (inequality) and
  ``c(x) = 0`` (equality): ``lhs >= rhs`` becomes ``lhs - rhs >= 0``, ``lhs <= rhs`` becomes
  ``rhs - lhs >= 0`` and ``Eq(lhs, rhs)`` becomes ``lhs - rhs = 0``. This is the convention of
  Hock & Schittkowski and of SciPy's SLSQP.
* Bounds are ``(lower, upper)`` per variable, ``None`` meaning unbounded; they are stored as a
  :class:`Bounds` value (read-only arrays with ``-inf`` / ``inf``).
* Points (``x0``, ``x_star``, ``typical_x``) are read-only float64 arrays of shape (n,), in the order of
  the variables (a shaped variable's entries in row-major order).

Structure (:mod:`workbench.structure`): variables may be shaped ``IndexedBase`` objects beside scalar
symbols, the objective may sum a template over an index range (``sp.Sum(f(x[i], x[i+1]), (i, 0, n-2))``)
or over the rows of data bound by name (``data={"A": rows, "y": labels}``), and a constraint may be a
family ``(relational, (i, start, end))``, one constraint per index value. A template is differentiated
and compiled once, whatever the range (:mod:`workbench.templates`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import types
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy as sp

from workbench.structure import Layout, StructureError, decompose, entry_symbol, layout_of

if TYPE_CHECKING:
    from workbench.oracle import Oracle

__all__ = [
    "NON_SMOOTH_FUNCTIONS",
    "Bounds",
    "Constraint",
    "InfeasibleStartWarning",
    "NonSmoothWarning",
    "Problem",
    "ProblemDeclarationError",
    "non_smooth_functions",
    "written_out",
]


class ProblemDeclarationError(StructureError):
    """A problem declaration is invalid; the message names the field and the fix (a ValueError)."""


class InfeasibleStartWarning(UserWarning):
    """The start point lies outside the bounds (allowed: many published problems start there)."""


class NonSmoothWarning(UserWarning):
    """An expression uses a non-smooth function; derivatives are undefined at its kinks."""


#: SymPy functions whose derivative is undefined somewhere (kinks, jumps).
NON_SMOOTH_FUNCTIONS: tuple[type, ...] = (
    sp.Abs,
    sp.Max,
    sp.Min,
    sp.Piecewise,
    sp.sign,
    sp.floor,
    sp.ceiling,
    sp.Heaviside,
    sp.frac,
    sp.Mod,
    sp.re,
    sp.im,
    sp.arg,
)


@dataclasses.dataclass(frozen=True)
class Constraint:
    """One normalised constraint: ``expression >= 0`` (``"inequality"``) or ``= 0`` (``"equality"``).

    ``declared`` keeps the relational as the user wrote it, for messages and reports. ``family`` is
    ``(index, start, end)`` for a family: one constraint per index value, ``expression`` a template in
    ``index`` (``rows`` constraints in all).
    """

    kind: Literal["inequality", "equality"]
    expression: sp.Expr
    declared: sp.Basic
    family: tuple[sp.Symbol, int, int] | None = None

    @property
    def is_equality(self) -> bool:
        return self.kind == "equality"

    @property
    def rows(self) -> int:
        """The number of constraints this stands for (1, or the family's index values)."""
        return 1 if self.family is None else self.family[2] - self.family[1] + 1


class Bounds:
    """Lower and upper bounds per variable: read-only float64 arrays of shape (n,), -inf / inf where
    unbounded. ``bounds[i]`` is the pair ``(lower_i, upper_i)``; iterating gives the pairs."""

    __slots__ = ("lower", "upper")

    def __init__(self, lower: np.ndarray, upper: np.ndarray) -> None:
        lower = np.array(lower, dtype=float)
        upper = np.array(upper, dtype=float)
        lower.flags.writeable = False
        upper.flags.writeable = False
        object.__setattr__(self, "lower", lower)
        object.__setattr__(self, "upper", upper)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Bounds are immutable")

    def __len__(self) -> int:
        return self.lower.size

    def __getitem__(self, i: int) -> tuple[float, float]:
        return float(self.lower[i]), float(self.upper[i])

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(zip(self.lower.tolist(), self.upper.tolist(), strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Bounds):
            return bool(np.array_equal(self.lower, other.lower) and np.array_equal(self.upper, other.upper))
        try:
            return list(self) == [tuple(map(float, pair)) for pair in other]  # type: ignore[union-attr]
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash((self.lower.tobytes(), self.upper.tobytes()))

    def __repr__(self) -> str:
        if len(self) <= 6:
            return f"Bounds({list(self)})"
        return f"Bounds(n={len(self)}, lower in [{self.lower.min():g}, {self.lower.max():g}], upper in " \
            f"[{self.upper.min():g}, {self.upper.max():g}])"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Bounds, (self.lower, self.upper))


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Problem:
    """An optimization problem ``min f(x)`` s.t. ``c_E(x) = 0``, ``c_I(x) >= 0``, ``l <= x <= u``.

    Parameters
    ----------
    name : str
        Unique name in a library, e.g. ``"hs071"``.
    variables : sequence of sympy.Symbol and shaped sympy.IndexedBase
        The decision variables, in order; x vectors follow this order (a shaped variable's entries in
        row-major order). ``IndexedBase("W", shape=(3, 4))`` stands for its 12 entries.
    objective : sympy expression
        Scalar objective f(x) in the variables; may sum templates over index ranges and data rows
        (``sp.Sum(body, (i, start, end))``, module docstring).
    constraints : sequence of sympy relationals, or ``(relational, (i, start, end))`` families
        ``a >= b``, ``a <= b`` or ``sp.Eq(a, b)``; expressions on both sides allowed.
    bounds : None, one (lower, upper) pair for every variable, or one pair per variable
        ``None`` inside a pair means unbounded on that side.
    x0 : sequence of float (or an array of shape (n,), or ``{name: array}`` per declared variable)
        The start point (may lie outside the bounds; a warning says so).
    f_star, x_star : optional
        The known optimal value and minimizer.
    typical_x : optional, one positive magnitude per variable
        The size each variable typically has (Dennis & Schnabel's typical x). Finite-difference steps
        scale with max(typical_x_i, |x_i|) instead of max(1, |x_i|): declare it on badly scaled problems
        (a variable of size 1e-6 next to one of size 1e6) so that forward differences work there.
    tags : sequence of str
        Labels used to select problems (``tag:lecture``). ``constrained``, ``bounds`` and
        ``unconstrained`` are added from the declaration.
    local_minima : sequence of float
        Objective values of known local (non-global) minima a method may legitimately stop at.
    notes, source : str
        Facts users trip over, and where the problem was published.
    data : mapping of name to array
        Data the expressions subscript (``A[i, j]``, ``y[i]``), bound by the IndexedBase's name;
        finite numbers only. A sum whose index subscripts data is a sum over samples, which stochastic
        methods sample in mini-batches.
    metrics : mapping of name to sympy expression
        Quantities measured (never optimised) at each epoch of a training run, e.g. the accuracy on a
        test set held in ``data``; evaluated exactly, not charged to the run.
    convex : bool
        The problem is convex. With no known f*, the verdict then compares with a reference value
        computed once by Newton's method to the precision limit (:mod:`workbench.verdict`).
    """

    name: str
    variables: tuple[Any, ...]
    objective: sp.Expr
    constraints: tuple[Constraint, ...] = ()
    bounds: Bounds | None = None
    x0: np.ndarray
    f_star: float | None = None
    x_star: np.ndarray | None = None
    typical_x: np.ndarray | None = None
    tags: tuple[str, ...] = ()
    local_minima: tuple[float, ...] = ()
    notes: str = ""
    source: str = ""
    data: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    metrics: Mapping[str, sp.Expr] = dataclasses.field(default_factory=dict)
    convex: bool = False

    def __post_init__(self) -> None:
        set_field = object.__setattr__.__get__(self)
        if not isinstance(self.name, str) or not self.name.strip():
            raise ProblemDeclarationError("name: must be a non-empty string, e.g. name='hs071'")
        where = f"problem {self.name!r}"
        variables = _validate_variables(self.variables, where)
        set_field("variables", variables)
        try:
            layout = layout_of(variables, where)
        except StructureError as error:
            raise ProblemDeclarationError(str(error)) from None
        object.__setattr__(self, "_layout", layout)
        set_field("data", _validate_data(self.data, layout, where))
        structured = any(isinstance(v, sp.IndexedBase) for v in variables) or bool(self.data)
        objective = _validate_objective(self.objective, variables, where)
        set_field("objective", objective)
        constraints = _validate_constraints(self.constraints, variables, where)
        set_field("constraints", constraints)
        structured = structured or objective.has(sp.Sum, sp.Indexed) or any(
            c.family is not None or c.expression.has(sp.Sum, sp.Indexed) for c in constraints
        )
        set_field("metrics", _validate_metrics(self.metrics, where))
        object.__setattr__(self, "_structured", structured)
        if structured:
            _check_structure(self, layout, where)
        else:
            _check_symbols(objective, variables, "objective", where)
            for i, c in enumerate(constraints):
                _check_symbols(c.expression, variables, f"constraints[{i}]", where)
        set_field("bounds", _validate_bounds(self.bounds, layout, where))
        set_field("x0", _validate_point(self.x0, layout, "x0", where))
        if self.x_star is not None:
            set_field("x_star", _validate_point(self.x_star, layout, "x_star", where))
        if self.typical_x is not None:
            typical = _validate_point(self.typical_x, layout, "typical_x", where)
            bad = np.flatnonzero(~(typical > 0))
            if bad.size:
                i = int(bad[0])
                raise ProblemDeclarationError(
                    f"{where}: typical_x[{i}] = {typical[i]:g} must be > 0 (a magnitude: the size "
                    f"{layout.label(i)} typically has)"
                )
            set_field("typical_x", typical)
        set_field("convex", bool(self.convex))
        if self.f_star is not None:
            f_star = _as_float(self.f_star, "f_star", where)
            if not math.isfinite(f_star):
                raise ProblemDeclarationError(f"{where}: f_star = {self.f_star!r} is not finite")
            set_field("f_star", f_star)
        set_field("local_minima", tuple(_as_float(v, "local_minima", where) for v in self.local_minima))
        set_field("tags", _normalise_tags(self.tags, self, where))
        _reject_complex_values(self, where)
        _warn_about_start(self, where)
        _warn_about_non_smooth(self, where)

    # ----------------------------------------------------------------------------------------
    @property
    def layout(self) -> Layout:
        """Where each declared variable lives in x (:class:`workbench.structure.Layout`)."""
        return self.__dict__["_layout"]

    @property
    def is_structured(self) -> bool:
        """True when the declaration uses shaped variables, sums, families or data (module docstring)."""
        return self.__dict__["_structured"]

    @property
    def n(self) -> int:
        """Number of variables (entries of x)."""
        return self.layout.n

    @property
    def m(self) -> int:
        """Number of general (non-bound) constraints, a family counting one per index value."""
        return sum(c.rows for c in self.constraints)

    @property
    def has_bounds(self) -> bool:
        return self.bounds is not None

    @property
    def lower(self) -> np.ndarray:
        """Lower bounds, shape (n,), ``-inf`` where unbounded."""
        if self.bounds is None:
            return np.full(self.n, -np.inf)
        return self.bounds.lower.copy()

    @property
    def upper(self) -> np.ndarray:
        """Upper bounds, shape (n,), ``inf`` where unbounded."""
        if self.bounds is None:
            return np.full(self.n, np.inf)
        return self.bounds.upper.copy()

    @property
    def equality_mask(self) -> np.ndarray:
        """Boolean (m,): which of the m constraints (families expanded) are equalities."""
        return np.concatenate([np.full(c.rows, c.is_equality) for c in self.constraints]) if self.constraints \
            else np.zeros(0, dtype=bool)  # fmt: skip

    @property
    def equality_indices(self) -> tuple[int, ...]:
        return tuple(np.flatnonzero(self.equality_mask).tolist())

    @property
    def inequality_indices(self) -> tuple[int, ...]:
        return tuple(np.flatnonzero(~self.equality_mask).tolist())

    @property
    def samples(self) -> int:
        """Rows of the objective's sum over samples (a Sum whose index subscripts data), 0 when it has
        none: what a mini-batch method samples. Computed on first use and kept."""
        if "_samples" not in self.__dict__:
            rows = 0
            if self.is_structured:
                parts = decompose(self.objective, layout=self.layout, data=self.data, field="objective",
                                  where=f"problem {self.name!r}")  # fmt: skip
                rows = next((term.rows for term in parts.sums if term.samples), 0)
            object.__setattr__(self, "_samples", rows)
        return self.__dict__["_samples"]

    @property
    def variable_names(self) -> tuple[str, ...]:
        """The declared variables' names (a shaped variable once, by its name)."""
        return self.layout.names

    @property
    def is_smooth(self) -> bool:
        """False when an expression uses Abs, Max, Piecewise, ... (see ``NON_SMOOTH_FUNCTIONS``)."""
        return not non_smooth_functions(self)

    def fingerprint(self) -> str:
        """A SHA-256 of the whole declaration: the problem's identity in result keys and the key of its
        compiled model. It covers every field (expressions, bounds, x0, the optimum, local minima,
        typical_x, tags, notes, source): two problems with the same fingerprint are the same problem,
        and editing any field makes a study recompute that problem's runs.

        Computed on first call and kept (a pure function of the frozen fields, like ``hash(str)``)."""
        try:
            return self.__dict__["_fingerprint"]
        except KeyError:
            pass
        def array(value: np.ndarray | None) -> str:
            if value is None:
                return "None"
            value = np.ascontiguousarray(value)
            return f"{value.dtype}{value.shape}:{hashlib.sha256(value.tobytes()).hexdigest()}"

        parts = [
            self.name,
            sp.srepr(tuple(self.variables)),
            sp.srepr(self.objective),
            *(f"{c.kind}:{sp.srepr(c.expression)}:{c.family!r}" for c in self.constraints),
            "None" if self.bounds is None else array(self.bounds.lower) + array(self.bounds.upper),
            array(self.x0),
            repr(self.f_star),
            array(self.x_star),
            array(self.typical_x),
            repr(self.local_minima),
            repr(self.tags),
            repr(self.notes),
            repr(self.source),
            *(f"data:{name}:{array(value)}" for name, value in sorted(self.data.items())),
            *(f"metric:{name}:{sp.srepr(value)}" for name, value in sorted(self.metrics.items())),
            repr(self.convex),
        ]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        object.__setattr__(self, "_fingerprint", digest)
        return digest

    def oracle(self, variant: str = "analytic", **options: Any) -> Oracle:
        """A fresh, counting oracle for this problem: shorthand for
        ``workbench.oracle.Oracle(workbench.model.compile_model(problem), variant, **options)``.

        ``variant`` is ``"analytic"``, ``"fd-forward"``, ``"fd-central"``, ``"complex-step"``, or one of
        these followed by ``"+bfgs"`` / ``"+sr1"`` (quasi-Newton Hessian model); see
        :mod:`workbench.variants`. The compiled model is cached by fingerprint, so every oracle after
        the first is cheap.
        """
        # The one upward reference of this module, imported lazily: the declaration stays a plain
        # value, and users keep the shorthand problem.oracle(...) the README shows.
        from workbench.oracle import make_oracle

        return make_oracle(self, variant, **options)

    def summary(self) -> str:
        """One line: name, n, constraints, bounds, known optimum."""
        eq = len(self.equality_indices)
        ineq = len(self.inequality_indices)
        bounds = "bounds" if self.has_bounds else "no bounds"
        optimum = f"f* = {self.f_star:.10g}" if self.f_star is not None else "f* unknown"
        return f"{self.name}: n = {self.n}, {eq} equalities, {ineq} inequalities, {bounds}, {optimum}"

    def __repr__(self) -> str:
        return f"Problem({self.summary()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self.fingerprint() == other.fingerprint()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __getstate__(self) -> dict[str, Any]:
        # read-only mappings do not pickle: plain dicts travel, read-only mappings are rebuilt
        return {k: dict(v) if isinstance(v, types.MappingProxyType) else v for k, v in self.__dict__.items()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            if key in ("data", "metrics"):
                value = types.MappingProxyType(value)
            object.__setattr__(self, key, value)


# -------------------------------------------------------------------------------------------
# validation helpers


def _as_float(value: Any, field: str, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProblemDeclarationError(
            f"{where}: {field} = {value!r} is not a number; give a float or a SymPy number"
        ) from None


def _validate_variables(variables: Any, where: str) -> tuple[Any, ...]:
    if isinstance(variables, (sp.Symbol, sp.IndexedBase)):
        variables = (variables,)
    try:
        variables = tuple(variables)
    except TypeError:
        raise ProblemDeclarationError(
            f"{where}: variables must be a sequence of sympy Symbols, got {variables!r}"
        ) from None
    if not variables:
        raise ProblemDeclarationError(
            f"{where}: variables is empty; declare at least one, e.g. x = sympy.symbols('x1:3')"
        )
    for i, v in enumerate(variables):
        if not isinstance(v, (sp.Symbol, sp.IndexedBase)):
            raise ProblemDeclarationError(
                f"{where}: variables[{i}] = {v!r} is not a sympy Symbol or a shaped IndexedBase; declare "
                "variables with sympy.symbols(...) or sympy.IndexedBase('x', shape=(n,)) and write expressions in them"
            )
    seen: dict[str, int] = {}
    for i, v in enumerate(variables):
        name = str(v.label) if isinstance(v, sp.IndexedBase) else v.name
        if name in seen:
            raise ProblemDeclarationError(
                f"{where}: variables[{i}] repeats the name {name!r} (also variables[{seen[name]}]); "
                "each variable must appear once with a unique name"
            )
        seen[name] = i
    return variables


def _names(variables: Sequence[Any]) -> str:
    names = [str(v.label) if isinstance(v, sp.IndexedBase) else v.name for v in variables]
    if len(names) > 8:
        names = [*names[:6], "...", names[-1]]
    return ", ".join(names)


def _check_symbols(expr: sp.Basic, variables: tuple[sp.Symbol, ...], field: str, where: str) -> None:
    declared = set(variables)
    unknown = sorted((s for s in expr.free_symbols if s not in declared), key=str)
    if unknown:
        s = unknown[0]
        same_name = [v for v in variables if v.name == s.name]
        hint = ""
        if same_name:
            hint = (
                f" (a variable named {s.name!r} exists but with different assumptions: "
                f"{same_name[0].assumptions0} vs {s.assumptions0}; use the same Symbol object)"
            )
        raise ProblemDeclarationError(
            f"{where}: {field} uses symbol {s}, which is not one of the problem's variables "
            f"{_names(variables)}{hint}; add it to variables or substitute a value"
        )


def _validate_objective(objective: Any, variables: tuple[Any, ...], where: str) -> sp.Expr:
    if isinstance(objective, (sp.MatrixBase, list, tuple, np.ndarray)):
        raise ProblemDeclarationError(
            f"{where}: objective must be a scalar expression, got a {type(objective).__name__}; "
            "for a least-squares problem write the sum of squared residuals"
        )
    is_boolean = isinstance(objective, sp.logic.boolalg.Boolean) and not isinstance(objective, sp.Expr)
    if isinstance(objective, (sp.Rel, bool)) or is_boolean:
        raise ProblemDeclarationError(
            f"{where}: objective {objective} is a relation or boolean, not a scalar expression; "
            "constraints go in constraints=(...)"
        )
    try:
        objective = sp.sympify(objective)
    except (sp.SympifyError, TypeError):
        raise ProblemDeclarationError(f"{where}: objective {objective!r} is not a SymPy expression") from None
    if not isinstance(objective, sp.Expr) or objective.is_Relational:
        raise ProblemDeclarationError(f"{where}: objective {objective} is not a scalar SymPy expression")
    return objective


def _validate_constraints(constraints: Any, variables: tuple[Any, ...], where: str) -> tuple[Constraint, ...]:
    if constraints is None:
        return ()
    if isinstance(constraints, (sp.Basic, bool)):
        constraints = (constraints,)
    result = []
    for i, c in enumerate(constraints):
        field = f"constraints[{i}]"
        if isinstance(c, Constraint):
            result.append(c)
            continue
        family = None
        if isinstance(c, tuple) and len(c) == 2 and isinstance(c[1], (tuple, sp.Tuple)) and len(c[1]) == 3:
            c, (index, start, end) = c
            index = index.label if isinstance(index, sp.Idx) else index
            first, last = sp.sympify(start), sp.sympify(end)
            if not isinstance(index, sp.Symbol) or not first.is_Integer or not last.is_Integer or last < first:
                raise ProblemDeclarationError(
                    f"{where}: {field} is a family over ({index}, {start}, {end}); write (relational, (i, start, end)) "
                    "with a symbol i and whole numbers start <= end"
                )
            family = (index, int(first), int(last))
        if c is True or c is False or c is sp.true or c is sp.false:
            raise ProblemDeclarationError(
                f"{where}: {field} evaluated to {c} before the problem saw it (it contains no "
                "variables, or SymPy decided it); remove it or write it in the variables"
            )
        if isinstance(c, (sp.StrictGreaterThan, sp.StrictLessThan)):
            raise ProblemDeclarationError(
                f"{where}: {field} = {c} is a strict inequality; optimization needs closed sets, write it with >= or <="
            )
        if isinstance(c, sp.Ne):
            raise ProblemDeclarationError(
                f"{where}: {field} = {c} is '!=' (Ne), which is not a constraint an optimizer can "
                "handle; use >=, <= or sympy.Eq"
            )
        if isinstance(c, sp.GreaterThan):
            kind, expression = "inequality", c.lhs - c.rhs
        elif isinstance(c, sp.LessThan):
            kind, expression = "inequality", c.rhs - c.lhs
        elif isinstance(c, sp.Eq):
            kind, expression = "equality", c.lhs - c.rhs
        else:
            raise ProblemDeclarationError(
                f"{where}: {field} = {c!r} is not a relational; write it as a >= b, a <= b or "
                "sympy.Eq(a, b) (note: == compares expressions in Python, it does not build Eq)"
            )
        result.append(Constraint(kind=kind, expression=sp.sympify(expression), declared=c, family=family))
    return tuple(result)


def _validate_bounds(bounds: Any, layout: Layout, where: str) -> Bounds | None:
    n = layout.n
    if bounds is None:
        return None
    if isinstance(bounds, Bounds):
        lower, upper = bounds.lower, bounds.upper
    else:
        array = None
        if isinstance(bounds, np.ndarray) and bounds.ndim == 2 and bounds.shape[1] == 2:
            array = np.array(bounds, dtype=float)
        else:
            try:
                pairs = list(bounds)
            except TypeError:
                raise ProblemDeclarationError(
                    f"{where}: bounds = {bounds!r} is not a sequence of (lower, upper) pairs"
                ) from None
            is_scalar = [p is None or isinstance(p, (int, float, sp.Expr, np.number)) for p in pairs]
            if len(pairs) == 2 and all(is_scalar) and not (n == 2 and all(p is None for p in pairs)):
                pairs = [tuple(pairs)]  # a single (lower, upper) pair stands for all variables
            if len(pairs) == 1 and n != 1:
                pairs = pairs * n
            if len(pairs) != n:
                raise ProblemDeclarationError(
                    f"{where}: bounds has {len(pairs)} pairs but there are {n} variables; give one "
                    "(lower, upper) pair per variable, or one pair for all"
                )
            values = []
            for i, pair in enumerate(pairs):
                if pair is None:
                    pair = (None, None)
                try:
                    lower, upper = pair
                except (TypeError, ValueError):
                    raise ProblemDeclarationError(
                        f"{where}: bounds[{i}] = {pair!r} is not a (lower, upper) pair"
                    ) from None
                lo = -math.inf if lower is None else _as_float(lower, f"bounds[{i}] lower", where)
                hi = math.inf if upper is None else _as_float(upper, f"bounds[{i}] upper", where)
                values.append((lo, hi))
            array = np.array(values, dtype=float).reshape(n, 2)
        if array.shape != (n, 2):
            raise ProblemDeclarationError(f"{where}: bounds has shape {array.shape}, expected ({n}, 2)")
        lower, upper = array[:, 0], array[:, 1]
    nan = np.flatnonzero(np.isnan(lower) | np.isnan(upper))
    if nan.size:
        raise ProblemDeclarationError(f"{where}: bounds[{int(nan[0])}] contains NaN")
    crossed = np.flatnonzero(lower > upper)
    if crossed.size:
        i = int(crossed[0])
        raise ProblemDeclarationError(
            f"{where}: bounds[{i}] for {layout.label(i)} has lower {lower[i]:g} > upper {upper[i]:g}; swap them or fix "
            "the typo"
        )
    fixed = np.flatnonzero(lower == upper)
    if fixed.size:
        i = int(fixed[0])
        raise ProblemDeclarationError(
            f"{where}: bounds[{i}] fixes {layout.label(i)} at {lower[i]:g} (lower == upper); "
            "substitute the value into the expressions instead of declaring a fixed variable"
        )
    if np.all(np.isneginf(lower)) and np.all(np.isposinf(upper)):
        return None
    return Bounds(lower, upper)


def _validate_point(point: Any, layout: Layout, field: str, where: str) -> np.ndarray:
    """A read-only float64 array of shape (n,): from a sequence or array of n numbers, or a mapping
    {declared variable name: value of its shape} (every variable given)."""
    n = layout.n
    if isinstance(point, Mapping):
        missing = [name for name in layout.names if name not in point]
        unknown = [name for name in point if name not in layout.names]
        if missing or unknown:
            raise ProblemDeclarationError(
                f"{where}: {field} as a mapping must give every declared variable by name "
                f"({', '.join(layout.names)}); "
                + (f"missing {', '.join(missing)}" if missing else f"unknown {unknown[0]}")
            )
        parts = []
        for name, shape in zip(layout.names, layout.shapes, strict=True):
            value = np.asarray(point[name], dtype=float) if _numeric(point[name]) else None
            if value is None or value.shape != shape:
                raise ProblemDeclarationError(
                    f"{where}: {field}[{name!r}] has shape {np.shape(point[name])} but {name} has shape {shape}"
                )
            parts.append(value.reshape(-1))
        values = np.concatenate(parts) if parts else np.zeros(0)
    else:
        if isinstance(point, (int, float, sp.Number, np.number)) and n == 1:
            point = (point,)
        try:
            values = np.array([_as_float(v, field, where) for v in point], dtype=float) \
                if not isinstance(point, np.ndarray) else np.array(point, dtype=float).reshape(-1)
        except TypeError:
            raise ProblemDeclarationError(
                f"{where}: {field} = {point!r} is not a sequence of {n} numbers"
            ) from None
        except ValueError:
            raise ProblemDeclarationError(f"{where}: {field} is not an array of numbers") from None
    if values.shape != (n,):
        raise ProblemDeclarationError(
            f"{where}: {field} has {values.size} entries but there are {n} variables; give one "
            "value per variable, in the order of variables"
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = int(bad[0])
        raise ProblemDeclarationError(
            f"{where}: {field}[{i}] = {values[i]} ({layout.label(i)}) is not finite; give finite numbers"
        )
    values.flags.writeable = False
    return values


def _numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def _validate_data(data: Any, layout: Layout, where: str) -> Mapping[str, np.ndarray]:
    """Read-only float64 arrays by name; finite numbers only; names distinct from the variables'."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ProblemDeclarationError(f"{where}: data must be a mapping of names to arrays, got {type(data).__name__}")
    result = {}
    for name, value in data.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ProblemDeclarationError(f"{where}: data name {name!r} must be an identifier (the IndexedBase's name)")
        if name in layout.names:
            raise ProblemDeclarationError(
                f"{where}: data name {name!r} is also a variable's name; give the data array another name"
            )
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise ProblemDeclarationError(f"{where}: data[{name!r}] is not an array of numbers") from None
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:
            index = tuple(int(i) for i in bad[0])
            raise ProblemDeclarationError(
                f"{where}: data[{name!r}] (shape {array.shape}) holds {array[index]} at index "
                f"{index if len(index) != 1 else index[0]}; data must be finite: drop or impute such rows"
            )
        array.flags.writeable = False
        result[name] = array
    return types.MappingProxyType(dict(sorted(result.items())))


def _validate_metrics(metrics: Any, where: str) -> Mapping[str, sp.Expr]:
    if metrics is None:
        metrics = {}
    if not isinstance(metrics, Mapping):
        raise ProblemDeclarationError(f"{where}: metrics must be a mapping of names to SymPy expressions")
    result = {}
    for name, expression in metrics.items():
        try:
            expression = sp.sympify(expression)
        except (sp.SympifyError, TypeError):
            raise ProblemDeclarationError(f"{where}: metrics[{name!r}] is not a SymPy expression") from None
        if not isinstance(expression, sp.Expr):
            raise ProblemDeclarationError(f"{where}: metrics[{name!r}] = {expression} is not a scalar expression")
        result[str(name)] = expression
    return types.MappingProxyType(result)


def _check_structure(problem: Problem, layout: Layout, where: str) -> None:
    """Every index use in the objective, the constraints and the metrics (workbench.structure)."""
    fields = [("objective", problem.objective, None)]
    fields += [(f"constraints[{i}]", c.expression, c.family) for i, c in enumerate(problem.constraints)]
    fields += [(f"metrics[{name!r}]", expression, None) for name, expression in problem.metrics.items()]
    for field, expression, family in fields:
        try:
            decompose(expression, layout=layout, data=problem.data, field=field, where=where, family=family)
        except StructureError as error:
            raise ProblemDeclarationError(str(error)) from None


def _normalise_tags(tags: Iterable[str], problem: Problem, where: str) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = (tags,)
    result = set()
    for t in tags:
        if not isinstance(t, str) or not t or any(ch.isspace() for ch in t) or ":" in t or "," in t:
            raise ProblemDeclarationError(f"{where}: tag {t!r} must be a non-empty word without spaces, ':' or ','")
        result.add(t)
    if problem.constraints:
        result.add("constrained")
    if problem.bounds is not None:
        result.add("bounds")
    if not problem.constraints and problem.bounds is None:
        result.add("unconstrained")
    return tuple(sorted(result))


def _reject_complex_values(problem: Problem, where: str) -> None:
    """The imaginary unit left in an expression after SymPy's automatic simplification makes it
    complex-valued for real x; minimisation needs a real objective and real constraints."""
    expressions = [("objective", problem.objective)] + [
        (f"constraints[{i}]", c.expression) for i, c in enumerate(problem.constraints)
    ]
    for field, expression in expressions:
        if expression.has(sp.I):
            raise ProblemDeclarationError(
                f"{where}: {field} {expression} is complex-valued (it contains the imaginary unit I); an objective "
                "and constraints must be real for real x: minimise e.g. the squared modulus instead"
            )


def _warn_about_start(problem: Problem, where: str) -> None:
    if problem.bounds is None:
        return
    x0 = problem.x0
    outside = np.flatnonzero((x0 < problem.bounds.lower) | (x0 > problem.bounds.upper))
    if outside.size:
        i = int(outside[0])
        warnings.warn(
            f"{where}: x0[{i}] = {x0[i]:g} ({problem.layout.label(i)}) lies outside its bounds {problem.bounds[i]}; "
            "methods that respect bounds will start from the projection onto the box",
            InfeasibleStartWarning,
            stacklevel=4,
        )


def non_smooth_functions(problem: Problem) -> list[tuple[str, str]]:
    """``[(field, function name)]`` for every non-smooth function an expression of ``problem`` uses."""
    found = []
    expressions = [("objective", problem.objective)] + [
        (f"constraints[{i}]", c.expression) for i, c in enumerate(problem.constraints)
    ]
    for field, expr in expressions:
        for fn in NON_SMOOTH_FUNCTIONS:
            if expr.has(fn):
                found.append((field, fn.__name__))
    return found


def _warn_about_non_smooth(problem: Problem, where: str) -> None:
    for field, fn in non_smooth_functions(problem):
        warnings.warn(
            f"{where}: {field} uses {fn}, which is not smooth; its derivatives are undefined at "
            "kinks and the complex-step variant is not available",
            NonSmoothWarning,
            stacklevel=4,
        )


#: Written-out copies are built for at most this many entries: variables plus constraint rows.
WRITTEN_OUT_LIMIT = 200_000


def written_out(problem: Problem) -> Problem:
    """The same problem with every sum unrolled, every family expanded and every entry a scalar symbol
    (named like ``x[3]``, in the flat order), data values substituted: the "fully written-out"
    declaration of a structured problem. For small problems only (tests compare both declarations;
    the derivative check's error model is built on it); an unstructured problem is returned as is."""
    if not problem.is_structured:
        return problem
    layout = problem.layout
    size = layout.n + sum(c.rows for c in problem.constraints)
    if size > WRITTEN_OUT_LIMIT:
        raise ProblemDeclarationError(
            f"problem {problem.name!r} has {layout.n} variables and {size - layout.n} constraint rows; writing it out "
            "(every sum unrolled) is refused above "
            f"{WRITTEN_OUT_LIMIT} entries"
        )
    symbols = [entry_symbol(layout, k) for k in range(layout.n)]
    shapes = dict(zip(layout.names, layout.shapes, strict=True))

    def concrete(expression: sp.Expr) -> sp.Expr:
        """Entries with integer indices become symbols or data values."""
        replacements = {}
        for atom in expression.atoms(sp.Indexed):
            name = str(atom.base.label)
            indices = [int(i) for i in atom.indices]
            if name in shapes:
                replacements[atom] = symbols[layout.flat(name, indices)]
            else:
                replacements[atom] = sp.Float(float(problem.data[name][tuple(indices)]))
        for symbol in expression.free_symbols:
            if isinstance(symbol, sp.Symbol) and symbol.name in shapes and not shapes[symbol.name]:
                replacements[symbol] = symbols[layout.flat(symbol.name, ())]
            elif isinstance(symbol, sp.Symbol) and symbol.name in problem.data and problem.data[symbol.name].ndim == 0:
                replacements[symbol] = sp.Float(float(problem.data[symbol.name]))
        return expression.xreplace(replacements)

    def expand(expression: sp.Expr, family: tuple[sp.Symbol, int, int] | None = None) -> list[sp.Expr]:
        parts = decompose(expression, layout=layout, data=problem.data, field="", where=problem.name, family=family)
        if family is not None:
            (term,) = parts.sums
            return [concrete(term.body.xreplace({term.index: i})) for i in range(term.start, term.stop + 1)]
        total = [concrete(parts.plain)]
        for term in parts.sums:
            total += [term.coefficient * concrete(term.body.xreplace({term.index: i}))
                      for i in range(term.start, term.stop + 1)]  # fmt: skip
        return [sp.Add(*total)]

    constraints = []
    for c in problem.constraints:
        for expression in expand(c.expression, c.family):
            constraints.append(sp.Eq(expression, 0) if c.is_equality else expression >= 0)
    return Problem(
        name=problem.name, variables=tuple(symbols), objective=expand(problem.objective)[0],
        constraints=tuple(constraints), bounds=problem.bounds, x0=problem.x0, f_star=problem.f_star,
        x_star=problem.x_star, typical_x=problem.typical_x, tags=problem.tags, local_minima=problem.local_minima,
        notes=problem.notes, source=problem.source, convex=problem.convex,
    )  # fmt: skip
