"""The compiled functions of a structured problem, behind the interface the model offers every problem.

A structured objective is ``plain + sum_k c_k Sum(body_k, (i, start_k, stop_k))``
(:func:`workbench.structure.decompose`). The plain part (terms in entries with constant indices and
scalar variables) is differentiated as a small ordinary problem in the entries it uses, then scattered
into the flat x; each sum is a :class:`~workbench.templates.Template`. Constraint families are
templates whose rows are constraints. :class:`StructuredFunctions` assembles them:

* ``objective(points)``, ``constraints(points)`` (and their complex versions): batched over points as
  finite differences need, each point a full evaluation (a forward-difference gradient of a sum over
  N rows in n variables therefore costs n full passes over the rows, as it should);
* ``gradient(x)``; ``hessian``, ``jacobian``, ``constraint_hessians`` as (function, assembler[, owners])
  pairs over one precomputed pattern, exactly like the unstructured model's;
* a sum over samples evaluated on a subset of its rows: ``batch_value`` / ``batch_gradient`` return the
  unbiased estimate ``plain + c (N / |B|) sum_{i in B} body_i`` of f and of its gradient.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from workbench.compile import CompiledFunction, MatrixAssembler, compile_expressions
from workbench.problem import Problem, non_smooth_functions
from workbench.structure import decompose, entry_symbol
from workbench.symbolic import Derivatives
from workbench.templates import Template

__all__ = ["StructuredFunctions"]


class _PlainPart:
    """The terms outside sums (and the constraints that are not families), as an ordinary problem in
    the entries they use; their derivatives are scattered into the flat x through ``positions``."""

    def __init__(self, problem: Problem, objective: sp.Expr, constraints: Sequence[sp.Expr]) -> None:
        layout = problem.layout
        shapes = dict(zip(layout.names, layout.shapes, strict=True))
        expressions = [objective, *constraints]
        replacements: dict[Any, Any] = {}
        used: set[int] = set()
        for expression in expressions:
            for atom in expression.atoms(sp.Indexed):
                name = str(atom.base.label)
                indices = [int(i) for i in atom.indices]
                if name in shapes:
                    flat = layout.flat(name, indices)
                    replacements[atom] = entry_symbol(layout, flat)
                    used.add(flat)
                else:
                    replacements[atom] = sp.Float(float(problem.data[name][tuple(indices)]))
            for symbol in expression.free_symbols:
                if isinstance(symbol, sp.Symbol) and symbol.name in shapes and not shapes[symbol.name]:
                    flat = layout.flat(symbol.name, ())
                    replacements[symbol] = entry_symbol(layout, flat)
                    used.add(flat)
                elif isinstance(symbol, sp.Symbol) and np.ndim(problem.data.get(symbol.name)) == 0 \
                        and symbol.name in problem.data:
                    replacements[symbol] = sp.Float(float(problem.data[symbol.name]))
        self.positions = np.array(sorted(used), dtype=np.int64)
        symbols = tuple(entry_symbol(layout, k) for k in self.positions)
        objective = objective.xreplace(replacements)
        constraints = [c.xreplace(replacements) for c in constraints]
        pseudo = types.SimpleNamespace(
            name=problem.name, variables=symbols, objective=objective,
            constraints=tuple(types.SimpleNamespace(expression=c) for c in constraints),
            is_smooth=not non_smooth_functions(problem),
        )  # fmt: skip
        self.derivatives = Derivatives(pseudo) if symbols else None
        self.constant = float(objective) if not symbols and not objective.free_symbols else None
        self.m = len(constraints)
        self._compiled: dict[str, Any] = {}

    def _compile(self, key: str, expressions: Sequence[Any], complex_valued: bool = False) -> CompiledFunction:
        if key not in self._compiled:
            d = self.derivatives
            self._compiled[key] = compile_expressions(d.variables, expressions, engine=d.engine,
                                                      complex_valued=complex_valued)  # fmt: skip
        return self._compiled[key]

    def local(self, points: np.ndarray) -> np.ndarray:
        return points[..., self.positions]

    def objective(self, points: np.ndarray, complex_valued: bool = False) -> np.ndarray:
        if self.derivatives is None:
            return np.full(points.shape[:-1], self.constant or 0.0, dtype=complex if complex_valued else float)
        key = "objective_complex" if complex_valued else "objective"
        return self._compile(key, [self.derivatives.objective], complex_valued)(self.local(points))[..., 0]

    def constraints(self, points: np.ndarray, complex_valued: bool = False) -> np.ndarray:
        if self.derivatives is None or not self.m:
            return np.zeros((*points.shape[:-1], self.m), dtype=complex if complex_valued else float)
        key = "constraints_complex" if complex_valued else "constraints"
        return self._compile(key, self.derivatives.constraint_expressions, complex_valued)(self.local(points))

    def gradient(self, x: np.ndarray, out: np.ndarray) -> None:
        if self.derivatives is not None:
            out[self.positions] += self._compile("gradient", self.derivatives.gradient)(self.local(x))

    def hessian(self) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray]:
        if self.derivatives is None:
            return (lambda x: np.zeros(0)), np.zeros(0, np.int64), np.zeros(0, np.int64)
        pattern = self.derivatives.hessian
        function = self._compile("hessian", pattern.expressions)
        return (lambda x: function(self.local(x))), self.positions[pattern.rows], self.positions[pattern.cols]

    def jacobian(self) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray]:
        if self.derivatives is None or not self.m:
            return (lambda x: np.zeros(0)), np.zeros(0, np.int64), np.zeros(0, np.int64)
        pattern = self.derivatives.jacobian
        function = self._compile("jacobian", pattern.expressions)
        return (lambda x: function(self.local(x))), pattern.rows, self.positions[pattern.cols]

    def constraint_hessians(self) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
        if self.derivatives is None or not self.m:
            empty = np.zeros(0, np.int64)
            return (lambda x: np.zeros(0)), empty, empty, empty
        pattern, owners = self.derivatives.constraint_hessians
        function = self._compile("constraint_hessians", pattern.expressions)
        return (lambda x: function(self.local(x))), self.positions[pattern.rows], self.positions[pattern.cols], owners


class _Callable:
    """A function of points with the ``CompiledFunction`` interface the model's users rely on."""

    def __init__(self, call: Callable[[np.ndarray], np.ndarray], size: int, describe: Callable[[], str]) -> None:
        self._call = call
        self.size = size
        self._describe = describe
        self.backend = "templates"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self._call(x)

    def source(self) -> str:
        return self._describe()


class _BandedAssembler:
    """The Hessian of sums whose entries all pair moving slots of one stride: every entry lies on a
    diagonal of the matrix (offset = the two slots' index difference), so the matrix is assembled in
    scipy's DIA format and converted to CSR in O(nonzeros), with no pattern analysis at all (chained
    Rosenbrock at n = 1e6: the general assembler spent 1.4 s finding duplicate positions). Values come
    in :meth:`Template.hessian_values` order, after the plain part's (assembled as usual and added)."""

    def __init__(self, n: int, plain: MatrixAssembler | None, plain_size: int,
                 bands: list[tuple[int, int, int, int]], offsets: np.ndarray) -> None:  # fmt: skip
        self.shape = (n, n)
        self.plain = plain
        self.plain_size = plain_size
        self.bands = bands  # (offset index, first column, stride, rows) per entry, in value order
        self.offsets = offsets

    @classmethod
    def of(cls, n: int, plain_rows: np.ndarray, plain_cols: np.ndarray,
           templates: Sequence[Template]) -> _BandedAssembler | None:  # fmt: skip
        entries = []
        for template in templates:
            if template.v > template.v_moving:  # a fixed slot couples every row to one variable
                return None
            for k, l, _ in template.hessian_entries:
                step_k, step_l = template.moving_step[k], template.moving_step[l]
                if step_k != step_l or step_k <= 0:
                    return None
                start_k, start_l = int(template.moving_start[k]), int(template.moving_start[l])
                entries.append((start_l - start_k, start_k, start_l, int(step_k), template.rows))
        if not entries:
            return None
        for template in templates:
            template.hessian_pattern()  # values come entry by entry in this order
        offsets = sorted({d for d, *_ in entries} | {-d for d, *_ in entries})
        index = {d: j for j, d in enumerate(offsets)}
        bands = []
        for d, start_k, start_l, step, rows in entries:
            # (row r, column r + d) is stored at data[offset, column]; its mirror (r + d, r) at data[-d, r]
            bands.append((index[d], start_l, step, rows, index[-d] if d else -1, start_k))
        plain = None
        if plain_rows.size:
            plain = MatrixAssembler(plain_rows, plain_cols, (n, n), symmetric=True)
        return cls(n, plain, int(plain_rows.size), bands, np.array(offsets))

    def sparse(self, values: np.ndarray):  # -> scipy.sparse.csr_array
        from scipy import sparse

        data = np.zeros((self.offsets.size, self.shape[0]))
        position = self.plain_size
        for j, column, step, rows, mirror, mirror_column in self.bands:
            block = values[position : position + rows]
            position += rows
            data[j, column : column + step * (rows - 1) + 1 : step] += block
            if mirror >= 0:
                data[mirror, mirror_column : mirror_column + step * (rows - 1) + 1 : step] += block
        matrix = sparse.dia_array((data, self.offsets), shape=self.shape).tocsr()
        if self.plain is not None:
            matrix = (matrix + self.plain.sparse(values[: self.plain_size])).tocsr()
        return matrix

    def dense(self, values: np.ndarray) -> np.ndarray:
        return self.sparse(values).toarray()


class StructuredFunctions:
    """The compiled functions of one structured problem (module docstring)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.n = problem.n
        self.m = problem.m
        layout, data, where = problem.layout, problem.data, f"problem {problem.name!r}"
        parts = decompose(problem.objective, layout=layout, data=data, field="objective", where=where)
        self.objective_templates = [Template(term, layout, data) for term in parts.sums]
        plain_constraints: list[sp.Expr] = []
        self.constraint_rows: list[tuple[str, Any, int]] = []  # ("plain", k, row) / ("family", template, first row)
        row = 0
        self.family_templates: list[tuple[Template, int]] = []
        for c in problem.constraints:
            if c.family is None:
                self.constraint_rows.append(("plain", len(plain_constraints), row))
                plain_constraints.append(c.expression)
                row += 1
            else:
                (term,) = decompose(c.expression, layout=layout, data=data, field="constraint", where=where,
                                    family=c.family).sums  # fmt: skip
                template = Template(term, layout, data)
                self.family_templates.append((template, row))
                row += template.rows
        self.plain = _PlainPart(problem, parts.plain, plain_constraints)
        self.plain_rows = np.array([r for kind, _, r in self.constraint_rows if kind == "plain"], dtype=np.int64)
        sample_sums = [t for t in self.objective_templates if t.samples]
        self.samples = sample_sums[0].rows if sample_sums else 0
        if len({t.rows for t in sample_sums}) > 1:
            raise ValueError(f"{where}: its sums over samples have different numbers of rows; they must agree")
        self.metric_templates = {
            name: self._metric(expression) for name, expression in problem.metrics.items()
        }  # fmt: skip
        self._cache: dict[str, Any] = {}

    def _metric(self, expression: sp.Expr) -> tuple[_PlainPart, list[Template]]:
        parts = decompose(expression, layout=self.problem.layout, data=self.problem.data, field="metric",
                          where=self.problem.name)  # fmt: skip
        return _PlainPart(self.problem, parts.plain, []), [
            Template(t, self.problem.layout, self.problem.data) for t in parts.sums
        ]

    # -- values -------------------------------------------------------------------------------------
    def _points(self, points: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        points = np.asarray(points)
        return points.reshape(-1, self.n), points.shape[:-1]

    def _objective(self, points: np.ndarray, complex_valued: bool) -> np.ndarray:
        flat, batch = self._points(points)
        values = self.plain.objective(flat, complex_valued).astype(complex if complex_valued else float)
        for index, x in enumerate(flat):
            for template in self.objective_templates:
                values[index] += template.value_complex(x) if complex_valued else template.value(x)
        return values.reshape(*batch, 1)

    def _constraints(self, points: np.ndarray, complex_valued: bool) -> np.ndarray:
        flat, batch = self._points(points)
        out = np.zeros((flat.shape[0], self.m), dtype=complex if complex_valued else float)
        if self.plain.m:
            out[:, self.plain_rows] = self.plain.constraints(flat, complex_valued)
        for template, first in self.family_templates:
            function = template.complex_function if complex_valued else template.value_function
            for index, x in enumerate(flat):
                out[index, first : first + template.rows] = template.coefficient * function(template.matrix(x))[:, 0]
        return out.reshape(*batch, self.m)

    @property
    def objective(self) -> _Callable:
        return _Callable(lambda points: self._objective(points, False), 1, self.describe)

    @property
    def objective_complex(self) -> _Callable:
        return _Callable(lambda points: self._objective(points, True), 1, self.describe)

    @property
    def constraints(self) -> _Callable:
        return _Callable(lambda points: self._constraints(points, False), self.m, self.describe)

    @property
    def constraints_complex(self) -> _Callable:
        return _Callable(lambda points: self._constraints(points, True), self.m, self.describe)

    # -- derivatives --------------------------------------------------------------------------------
    def _gradient(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n)
        self.plain.gradient(x, out)
        for template in self.objective_templates:
            template.gradient(x, out)
        return out

    @property
    def gradient(self) -> _Callable:
        return _Callable(self._gradient, self.n, self.describe)

    @property
    def hessian(self) -> tuple[Callable[[np.ndarray], np.ndarray], Any]:
        if "hessian" not in self._cache:
            plain_function, plain_rows, plain_cols = self.plain.hessian()

            def function(x: np.ndarray) -> np.ndarray:
                parts = [plain_function(x)] + [t.hessian_values(x) for t in self.objective_templates]
                return np.concatenate(parts)

            banded = _BandedAssembler.of(self.n, plain_rows, plain_cols, self.objective_templates)
            if banded is not None:  # partially separable with a common stride: diagonals, no pattern search
                self._cache["hessian"] = (function, banded)
            else:
                rows, cols = [plain_rows], [plain_cols]
                for template in self.objective_templates:
                    r, c, _ = template.hessian_pattern()
                    rows.append(r)
                    cols.append(c)
                assembler = MatrixAssembler(np.concatenate(rows), np.concatenate(cols), (self.n, self.n),
                                            symmetric=True)  # fmt: skip
                self._cache["hessian"] = (function, assembler)
        return self._cache["hessian"]

    @property
    def jacobian(self) -> tuple[Callable[[np.ndarray], np.ndarray], MatrixAssembler]:
        if "jacobian" not in self._cache:
            plain_function, plain_rows, plain_cols = self.plain.jacobian()
            rows, cols = [self.plain_rows[plain_rows] if plain_rows.size else plain_rows], [plain_cols]
            pieces = []
            for template, first in self.family_templates:
                keys, _ = template.gradient_function
                positions = template.positions()[:, keys]  # (rows, nonzero partials)
                rows.append(np.repeat(first + np.arange(template.rows), keys.size))
                cols.append(positions.ravel())
                pieces.append(template)

            def function(x: np.ndarray) -> np.ndarray:
                parts = [plain_function(x)]
                for template in pieces:
                    _, compiled = template.gradient_function
                    parts.append((compiled(template.matrix(x)) * template.coefficient).ravel())
                return np.concatenate(parts)

            assembler = MatrixAssembler(np.concatenate(rows), np.concatenate(cols), (self.m, self.n), symmetric=False)
            self._cache["jacobian"] = (function, assembler)
        return self._cache["jacobian"]

    @property
    def constraint_hessians(self) -> tuple[Callable[[np.ndarray], np.ndarray], MatrixAssembler, np.ndarray]:
        if "constraint_hessians" not in self._cache:
            plain_function, plain_rows, plain_cols, plain_owners = self.plain.constraint_hessians()
            rows, cols = [plain_rows], [plain_cols]
            owners = [self.plain_rows[plain_owners] if plain_owners.size else plain_owners]
            pieces = []
            for template, first in self.family_templates:
                entries = template.hessian_entries
                positions = template.positions()
                if entries:
                    ks = np.array([k for k, _, _ in entries])
                    ls = np.array([l for _, l, _ in entries])
                    r, c = positions[:, ks].ravel(), positions[:, ls].ravel()
                    weight = np.where(np.broadcast_to(ks != ls, positions[:, ks].shape).ravel() & (r == c), 2.0, 1.0)
                    rows.append(r)
                    cols.append(c)
                    owners.append(np.repeat(first + np.arange(template.rows), len(entries)))
                    pieces.append((template, weight))

            def function(x: np.ndarray) -> np.ndarray:
                parts = [plain_function(x)]
                for template, weight in pieces:
                    values = template.hessian_function(template.matrix(x)) * template.coefficient
                    parts.append(values.ravel() * weight)
                return np.concatenate(parts)

            assembler = MatrixAssembler(np.concatenate(rows), np.concatenate(cols), (self.n, self.n), symmetric=True)
            self._cache["constraint_hessians"] = (function, assembler, np.concatenate(owners).astype(np.int64))
        return self._cache["constraint_hessians"]

    def hessian_density_bound(self) -> float:
        """An upper bound on the Hessian's density from the slots each template touches."""
        n = self.n
        touched = 0.0
        if self.plain.derivatives is not None:
            touched += self.plain.derivatives.hessian_density_bound() * self.plain.positions.size**2
        for template in self.objective_templates:
            moving, fixed = template.v_moving, template.v - template.v_moving
            touched += template.rows * (moving**2 + 2 * moving * fixed) + fixed**2
        return min(1.0, touched / (n * n))

    def constraint_scale(self, x: np.ndarray) -> float:
        """max(1, largest |c_i(x)|): the size violations are judged against (a family's terms are not
        split; its values stand for them)."""
        values = np.abs(self._constraints(np.asarray(x, dtype=float)[None, :], False)[0])
        return max(1.0, float(np.max(values))) if values.size else 1.0

    # -- samples ------------------------------------------------------------------------------------
    def batch_value(self, x: np.ndarray, rows: np.ndarray) -> float:
        """plain(x) + sum over sums: over samples c (N / |B|) sum_{i in B} body_i, others in full."""
        last = getattr(self, "_last_batch", None)
        if last is not None and np.array_equal(last[0], x) and np.array_equal(last[1], rows):
            return last[2]
        value = float(self.plain.objective(x[None, :])[0])
        for template in self.objective_templates:
            if template.samples:
                value += template.value(x, rows) * (template.rows / len(rows))
            else:
                value += template.value(x)
        return value

    def batch_gradient(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The gradient of :meth:`batch_value` (an unbiased estimate of the full gradient). The batch
        value comes out of the same compiled call and is remembered for this (x, rows): the monitor's
        uncharged measurement of the mini-batch loss then costs nothing more."""
        out = np.zeros(self.n)
        self.plain.gradient(x, out)
        value = float(self.plain.objective(x[None, :])[0])
        for template in self.objective_templates:
            if template.samples:
                value += template.gradient(x, out, rows, scale=template.rows / len(rows), with_value=True)
            else:
                template.gradient(x, out)
                value += template.value(x)
        self._last_batch = (x.copy(), rows.copy(), value)
        return out

    def batch_objective(self, rows: np.ndarray, complex_valued: bool = False) -> _Callable:
        """The batch estimate as a function of points (for finite differences on a mini-batch)."""

        def call(points: np.ndarray) -> np.ndarray:
            flat, batch = self._points(points)
            if not complex_valued:
                return np.array([self.batch_value(x, rows) for x in flat]).reshape(*batch, 1)
            values = self.plain.objective(flat, True)
            for index, x in enumerate(flat):
                for template in self.objective_templates:
                    scale = template.rows / len(rows) if template.samples else 1.0
                    values[index] += scale * template.value_complex(x, rows if template.samples else None)
            return values.reshape(*batch, 1)

        return _Callable(call, 1, self.describe)

    def metrics(self, x: np.ndarray) -> dict[str, float]:
        """Each declared metric at x (evaluated exactly, uncharged)."""
        result = {}
        for name, (plain, templates) in self.metric_templates.items():
            result[name] = float(plain.objective(x[None, :])[0]) + sum(t.value(x) for t in templates)
        return result

    def describe(self) -> str:
        """The templates and the plain part, as the workbench compiles them."""
        lines = [f"# structured problem {self.problem.name}: {len(self.objective_templates)} sum template(s)"]
        for template in self.objective_templates:
            lines.append(f"# sum over {template.term.index} = {template.start}..{template.stop} "
                         f"({'samples' if template.samples else 'index range'}), coefficient {template.coefficient:g}; "
                         f"{template.v} variable slots, {len(template.data_slots)} data slots")  # fmt: skip
            lines.append(f"body = {template.body}")
        return "\n".join(lines)
