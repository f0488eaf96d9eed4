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
* Bounds are ``(lower, upper)`` per variable, ``None`` meaning unbounded; they are stored as floats
  with ``-inf`` / ``inf``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy as sp

if TYPE_CHECKING:
    from workbench.oracle import Oracle

__all__ = [
    "NON_SMOOTH_FUNCTIONS",
    "Constraint",
    "InfeasibleStartWarning",
    "NonSmoothWarning",
    "Problem",
    "ProblemDeclarationError",
    "non_smooth_functions",
]


class ProblemDeclarationError(ValueError):
    """A problem declaration is invalid; the message names the field and the fix."""


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

    ``declared`` keeps the relational as the user wrote it, for messages and reports.
    """

    kind: Literal["inequality", "equality"]
    expression: sp.Expr
    declared: sp.Basic

    @property
    def is_equality(self) -> bool:
        return self.kind == "equality"


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Problem:
    """An optimization problem ``min f(x)`` s.t. ``c_E(x) = 0``, ``c_I(x) >= 0``, ``l <= x <= u``.

    Parameters
    ----------
    name : str
        Unique name in a library, e.g. ``"hs071"``.
    variables : sequence of sympy.Symbol
        The decision variables, in order; x vectors follow this order.
    objective : sympy expression
        Scalar objective f(x) in the variables.
    constraints : sequence of sympy relationals
        ``a >= b``, ``a <= b`` or ``sp.Eq(a, b)``; expressions on both sides allowed.
    bounds : None, one (lower, upper) pair for every variable, or one pair per variable
        ``None`` inside a pair means unbounded on that side.
    x0 : sequence of float
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
    """

    name: str
    variables: tuple[sp.Symbol, ...]
    objective: sp.Expr
    constraints: tuple[Constraint, ...] = ()
    bounds: tuple[tuple[float, float], ...] | None = None
    x0: tuple[float, ...]
    f_star: float | None = None
    x_star: tuple[float, ...] | None = None
    typical_x: tuple[float, ...] | None = None
    tags: tuple[str, ...] = ()
    local_minima: tuple[float, ...] = ()
    notes: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        set_field = object.__setattr__.__get__(self)
        if not isinstance(self.name, str) or not self.name.strip():
            raise ProblemDeclarationError("name: must be a non-empty string, e.g. name='hs071'")
        where = f"problem {self.name!r}"
        variables = _validate_variables(self.variables, where)
        set_field("variables", variables)
        n = len(variables)
        set_field("objective", _validate_objective(self.objective, variables, where))
        set_field("constraints", _validate_constraints(self.constraints, variables, where))
        set_field("bounds", _validate_bounds(self.bounds, n, variables, where))
        set_field("x0", _validate_point(self.x0, n, "x0", where))
        if self.x_star is not None:
            set_field("x_star", _validate_point(self.x_star, n, "x_star", where))
        if self.typical_x is not None:
            typical = _validate_point(self.typical_x, n, "typical_x", where)
            bad = [i for i, v in enumerate(typical) if not v > 0]
            if bad:
                raise ProblemDeclarationError(
                    f"{where}: typical_x[{bad[0]}] = {typical[bad[0]]:g} must be > 0 (a magnitude: the size "
                    f"{variables[bad[0]]} typically has)"
                )
            set_field("typical_x", typical)
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
    def n(self) -> int:
        """Number of variables."""
        return len(self.variables)

    @property
    def m(self) -> int:
        """Number of general (non-bound) constraints."""
        return len(self.constraints)

    @property
    def has_bounds(self) -> bool:
        return self.bounds is not None

    @property
    def lower(self) -> np.ndarray:
        """Lower bounds, shape (n,), ``-inf`` where unbounded."""
        if self.bounds is None:
            return np.full(self.n, -np.inf)
        return np.array([b[0] for b in self.bounds], dtype=float)

    @property
    def upper(self) -> np.ndarray:
        """Upper bounds, shape (n,), ``inf`` where unbounded."""
        if self.bounds is None:
            return np.full(self.n, np.inf)
        return np.array([b[1] for b in self.bounds], dtype=float)

    @property
    def equality_indices(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.constraints) if c.is_equality)

    @property
    def inequality_indices(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.constraints) if not c.is_equality)

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
        parts = [
            self.name,
            sp.srepr(tuple(self.variables)),
            sp.srepr(self.objective),
            *(f"{c.kind}:{sp.srepr(c.expression)}" for c in self.constraints),
            repr(self.bounds),
            repr(self.x0),
            repr(self.f_star),
            repr(self.x_star),
            repr(self.typical_x),
            repr(self.local_minima),
            repr(self.tags),
            repr(self.notes),
            repr(self.source),
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


# -------------------------------------------------------------------------------------------
# validation helpers


def _as_float(value: Any, field: str, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProblemDeclarationError(
            f"{where}: {field} = {value!r} is not a number; give a float or a SymPy number"
        ) from None


def _validate_variables(variables: Any, where: str) -> tuple[sp.Symbol, ...]:
    if isinstance(variables, sp.Symbol):
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
        if not isinstance(v, sp.Symbol):
            raise ProblemDeclarationError(
                f"{where}: variables[{i}] = {v!r} is not a sympy Symbol; declare variables with "
                "sympy.symbols(...) and write expressions in them"
            )
    seen: dict[str, int] = {}
    for i, v in enumerate(variables):
        if v.name in seen:
            raise ProblemDeclarationError(
                f"{where}: variables[{i}] repeats the name {v.name!r} (also variables[{seen[v.name]}]); "
                "each variable must appear once with a unique name"
            )
        seen[v.name] = i
    return variables


def _names(variables: Sequence[sp.Symbol]) -> str:
    names = [v.name for v in variables]
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


def _validate_objective(objective: Any, variables: tuple[sp.Symbol, ...], where: str) -> sp.Expr:
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
    _check_symbols(objective, variables, "objective", where)
    return objective


def _validate_constraints(constraints: Any, variables: tuple[sp.Symbol, ...], where: str) -> tuple[Constraint, ...]:
    if constraints is None:
        return ()
    if isinstance(constraints, (sp.Basic, bool)):
        constraints = (constraints,)
    result = []
    for i, c in enumerate(constraints):
        field = f"constraints[{i}]"
        if isinstance(c, Constraint):
            _check_symbols(c.expression, variables, field, where)
            result.append(c)
            continue
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
        _check_symbols(expression, variables, field, where)
        result.append(Constraint(kind=kind, expression=sp.sympify(expression), declared=c))
    return tuple(result)


def _validate_bounds(
    bounds: Any, n: int, variables: tuple[sp.Symbol, ...], where: str
) -> tuple[tuple[float, float], ...] | None:
    if bounds is None:
        return None
    try:
        pairs = list(bounds)
    except TypeError:
        raise ProblemDeclarationError(
            f"{where}: bounds = {bounds!r} is not a sequence of (lower, upper) pairs"
        ) from None
    is_scalar = [p is None or isinstance(p, (int, float, sp.Expr, np.number)) for p in pairs]
    if len(pairs) == 2 and all(is_scalar) and not (n == 2 and all(p is None for p in pairs)):
        pairs = [tuple(pairs)] * n  # a single (lower, upper) pair stands for all variables
    elif len(pairs) == 1 and n != 1:
        pairs = pairs * n
    if len(pairs) != n:
        raise ProblemDeclarationError(
            f"{where}: bounds has {len(pairs)} pairs but there are {n} variables; give one "
            "(lower, upper) pair per variable, or one pair for all"
        )
    result = []
    for i, pair in enumerate(pairs):
        if pair is None:
            pair = (None, None)
        try:
            lower, upper = pair
        except (TypeError, ValueError):
            raise ProblemDeclarationError(f"{where}: bounds[{i}] = {pair!r} is not a (lower, upper) pair") from None
        lo = -math.inf if lower is None else _as_float(lower, f"bounds[{i}] lower", where)
        hi = math.inf if upper is None else _as_float(upper, f"bounds[{i}] upper", where)
        if math.isnan(lo) or math.isnan(hi):
            raise ProblemDeclarationError(f"{where}: bounds[{i}] = {pair!r} contains NaN")
        if lo > hi:
            raise ProblemDeclarationError(
                f"{where}: bounds[{i}] for {variables[i]} has lower {lo:g} > upper {hi:g}; swap them or fix the typo"
            )
        if lo == hi:
            raise ProblemDeclarationError(
                f"{where}: bounds[{i}] fixes {variables[i]} at {lo:g} (lower == upper); "
                "substitute the value into the expressions instead of declaring a fixed variable"
            )
        result.append((lo, hi))
    if all(lo == -math.inf and hi == math.inf for lo, hi in result):
        return None
    return tuple(result)


def _validate_point(point: Any, n: int, field: str, where: str) -> tuple[float, ...]:
    if isinstance(point, (int, float, sp.Number)) and n == 1:
        point = (point,)
    try:
        values = tuple(_as_float(v, field, where) for v in point)
    except TypeError:
        raise ProblemDeclarationError(f"{where}: {field} = {point!r} is not a sequence of {n} numbers") from None
    if len(values) != n:
        raise ProblemDeclarationError(
            f"{where}: {field} has {len(values)} entries but there are {n} variables; give one "
            "value per variable, in the order of variables"
        )
    bad = [i for i, v in enumerate(values) if not math.isfinite(v)]
    if bad:
        raise ProblemDeclarationError(
            f"{where}: {field}[{bad[0]}] = {values[bad[0]]} is not finite; give finite numbers"
        )
    return values


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
    x0 = np.array(problem.x0)
    outside = np.flatnonzero((x0 < problem.lower) | (x0 > problem.upper))
    if outside.size:
        i = int(outside[0])
        warnings.warn(
            f"{where}: x0[{i}] = {x0[i]:g} lies outside its bounds {problem.bounds[i]}; "
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
