"""Sum templates: one summand differentiated and compiled once, evaluated over all its index values.

A :class:`~workbench.structure.SumTerm` ``c * Sum(body, (i, start, stop))`` is compiled into a
:class:`Template`. Every ``Indexed`` use in ``body`` becomes a **slot**, a scalar symbol:

* a *moving* variable slot, ``x[a*i + b]`` (any number of axes, each affine in i): the entry at flat
  position ``p(i) = c0 + c1 * i`` of x;
* a *fixed* variable slot, an entry whose index does not involve i (``w[3]`` after the inner sum over
  j was written out) or a scalar variable: the same flat position for every i;
* a *data* slot, a data entry (``A[i, 3]``, ``y[i]``) or the index i itself: a column of numbers, one
  per index value, gathered once.

The template body is a small expression in its slots. It is differentiated once (symbolic reverse
mode, :func:`workbench.symbolic.reverse_gradient`) and compiled once (symengine's LLVM ``Lambdify``,
batched over rows, or NumPy through ``sympy.lambdify`` for functions symengine lacks), whatever the
range. Evaluating it over index values R means gathering a slot matrix M (|R|, slots), one batched
call, and scattering through the precomputed index maps:

    f      = c * sum_{i in R} body(M_i)
    grad   : grad[p_k(i)] += c * d body / d s_k (M_i)        for every variable slot k
    Hess   : H[p_k(i), p_l(i)] += c * d2 body / d s_k d s_l (M_i), entries with both slots fixed are
             summed over rows first (the dense d x d Hessian of a sum over data), the others are kept
             per row (the sparse Hessian of a partially separable sum)

so setup does not grow with the range, apart from building the index arrays. A sum over samples (its
index subscripts data) can be evaluated over a subset of its rows: :meth:`Template.value` and
:meth:`Template.gradient` take ``rows`` (the mini-batch).

Wide summands (more than :data:`HESSIAN_PRODUCT_SLOTS` variable slots, a neural network's loss per data
row) get their Hessian from **Hessian-vector products** instead of entry by entry: the symbolic
gradient g(s) is differentiated once more as the scalar phi(s, v) = sum_k g_k(s) v_k, so that
d phi / d s_l = (H(s) v)_l by the symmetry of H, and that one program (reverse mode again, about the
size of a few gradients) is compiled with the directions v as extra slots and evaluated at v = e_l for
every column l a Hessian entry needs. Entry by entry, the 266-weight network of the library meant
35 511 second derivatives in one compiled function: still not compiled after 14 minutes (1.8 GB);
through products its first Hessian takes 0.50 s, derivation and compilation included, and each further
one 0.082 s on 455 rows (``benchmarks/scale.py``). Both give the same second derivatives up to rounding
(tests compare them with the entries and with the written-out declaration).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from workbench.structure import Layout, SumTerm
from workbench.symbolic import SYMENGINE_FUNCTIONS, reverse_gradient, se

__all__ = ["BatchFunction", "Template", "compile_batch"]

#: Rows per block when a Hessian's entries are summed over the rows of a sum over data (a logistic
#: regression on 1e5 rows x 20 features has 210 entries per row: 168 MB in one piece).
HESSIAN_BLOCK = 4096
#: Above this many variable slots a summand's Hessian comes from Hessian-vector products (module docstring).
HESSIAN_PRODUCT_SLOTS = 32
#: Numbers per block of the slot matrix expanded by directions (rows x columns x inputs) in product mode.
PRODUCT_BLOCK_ENTRIES = 2**21


class BatchFunction:
    """Expressions in slot symbols compiled for a batch: ``F(M)`` with M of shape (rows, slots) gives
    (rows, outputs); ``complex_valued`` evaluates complex slot matrices (the complex step)."""

    def __init__(self, slots: Sequence[sp.Symbol], expressions: Sequence[Any], *, complex_valued: bool = False):
        self.size = len(expressions)
        self.complex_valued = complex_valued
        if se is not None and not complex_valued and all(isinstance(e, se.Basic) for e in expressions):
            # symengine's own expressions (derivatives of a template): compiled as they are; converting
            # them to SymPy to inspect them took a second for the 210 Hessian entries of a 20-feature
            # logistic regression
            native, sympy_expressions = True, []
        else:
            sympy_expressions = [sp.sympify(e) for e in expressions]
            functions = set().union(*(e.atoms(sp.Function) for e in sympy_expressions)) if sympy_expressions else set()
            native = (
                se is not None
                and not complex_valued
                and all(isinstance(f, SYMENGINE_FUNCTIONS) for f in functions)
                and not any(
                    e.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside) for e in sympy_expressions
                )
            )
        self.backend = "none"
        if not expressions:
            self._call = None
        elif native:
            symbols = [se.Symbol(str(s)) for s in slots]
            compiled = [se.sympify(e) for e in expressions]
            try:
                self._call = se.Lambdify(symbols, compiled, backend="llvm", cse=True, opt_level=2)
                self.backend = "llvm"
            except (RuntimeError, NotImplementedError, TypeError):  # pragma: no cover - LLVM unavailable
                self._call = se.Lambdify(symbols, compiled, backend="lambda", cse=True)
                self.backend = "symengine-interpreted"
        else:
            generated = sp.lambdify(list(slots), sympy_expressions, modules=["scipy", "numpy"], cse=True)
            dtype = complex if complex_valued else float

            def call(matrix: np.ndarray) -> np.ndarray:
                values = generated(*matrix.T)
                out = np.empty((matrix.shape[0], len(values)), dtype=dtype)
                for k, value in enumerate(values):
                    out[:, k] = value  # broadcasts constants
                return out

            self._call = call
            self.backend = "numpy"

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        rows = matrix.shape[0]
        if self._call is None or rows == 0:
            return np.zeros((rows, self.size), dtype=complex if self.complex_valued else float)
        out = self._call(matrix)
        return np.asarray(out).reshape(rows, self.size)


def compile_batch(slots: Sequence[sp.Symbol], expressions: Sequence[Any], **options: Any) -> BatchFunction:
    """A :class:`BatchFunction` of ``expressions`` in ``slots``."""
    return BatchFunction(slots, expressions, **options)


class Template:
    """One compiled sum term (module docstring). ``layout`` maps entries to flat positions; ``data``
    holds the data arrays by name."""

    def __init__(self, term: SumTerm, layout: Layout, data: Mapping[str, np.ndarray]) -> None:
        self.term = term
        self.coefficient = float(term.coefficient)
        self.start, self.stop = term.start, term.stop
        self.rows = term.rows
        self.samples = term.samples
        self.n = layout.n
        index = term.index
        values = np.arange(term.start, term.stop + 1)
        moving: list[tuple[sp.Symbol, int, int]] = []
        fixed: list[tuple[sp.Symbol, int]] = []
        columns: list[tuple[sp.Symbol, np.ndarray]] = []
        replacements: dict[Any, sp.Symbol] = {}
        shapes = dict(zip(layout.names, layout.shapes, strict=True))
        offsets = dict(zip(layout.names, layout.offsets, strict=True))
        for atom in sorted(term.body.atoms(sp.Indexed), key=str):
            name = str(atom.base.label)
            coefficients = [_affine(position, index) for position in atom.indices]
            if name in shapes:
                strides = np.cumprod((1, *shapes[name][:0:-1]))[::-1]
                c0 = offsets[name] + sum(int(b) * int(s) for (_, b), s in zip(coefficients, strides, strict=True))
                c1 = sum(int(a) * int(s) for (a, _), s in zip(coefficients, strides, strict=True))
                symbol = sp.Symbol(f"slot_{len(replacements)}", real=True)
                (moving.append((symbol, c0, c1)) if c1 else fixed.append((symbol, c0)))
            else:
                positions = tuple(a * values + b for a, b in coefficients)
                column = np.asarray(data[name], dtype=float)[positions]
                symbol = sp.Symbol(f"slot_{len(replacements)}", real=True)
                columns.append((symbol, np.broadcast_to(column, values.shape).astype(float)))
            replacements[atom] = symbol
        with sp.evaluate(False):  # no SymPy assumptions work on a large template (structure.py)
            body = term.body.xreplace(replacements)
        for symbol in sorted(body.free_symbols, key=str):
            if symbol in replacements.values():
                continue
            if symbol == index or str(symbol) == str(index):
                slot = sp.Symbol(f"slot_{len(replacements)}", real=True)
                columns.append((slot, values.astype(float)))
                replacements[symbol] = slot
            elif str(symbol) in shapes and not shapes[str(symbol)]:
                slot = sp.Symbol(f"slot_{len(replacements)}", real=True)
                fixed.append((slot, offsets[str(symbol)]))
                replacements[symbol] = slot
            elif str(symbol) in data:
                replacements[symbol] = sp.Float(float(np.asarray(data[str(symbol)])))
        with sp.evaluate(False):
            body = term.body.xreplace(replacements)
        self.moving_start = np.array([c0 + c1 * term.start for _, c0, _ in moving], dtype=np.int64)
        self.moving_step = np.array([c1 for _, _, c1 in moving], dtype=np.int64)
        self.fixed_positions = np.array([p for _, p in fixed], dtype=np.int64)
        self.variable_slots = [s for s, _, _ in moving] + [s for s, _ in fixed]
        self.data_slots = [s for s, _ in columns]
        self.slots = self.variable_slots + self.data_slots
        self.v_moving, self.v = len(moving), len(self.variable_slots)
        self.data_columns = (
            np.column_stack([c for _, c in columns]) if columns else np.zeros((self.rows, 0))
        )  # (rows, data slots)
        self.body = body
        self._compiled: dict[str, Any] = {}
        self._buffer: np.ndarray | None = None

    # -- compiled pieces ----------------------------------------------------------------------------
    def _compile(self, key: str, build: Any) -> Any:
        if key not in self._compiled:
            self._compiled[key] = build()
        return self._compiled[key]

    @property
    def value_function(self) -> BatchFunction:
        return self._compile("value", lambda: compile_batch(self.slots, [self.body]))

    @property
    def complex_function(self) -> BatchFunction:
        return self._compile("complex", lambda: compile_batch(self.slots, [self.body], complex_valued=True))

    @property
    def gradient_entries(self) -> dict[int, Any]:
        """{variable slot k: d body / d s_k} (nonzero ones)."""
        return self._compile("gradient_entries", lambda: reverse_gradient(self.body, self.variable_slots))

    @property
    def gradient_function(self) -> tuple[np.ndarray, BatchFunction]:
        """(the slots with a nonzero partial, their compiled partials)."""

        def build() -> tuple[np.ndarray, BatchFunction]:
            entries = self.gradient_entries
            keys = np.array(sorted(entries), dtype=np.int64)
            return keys, compile_batch(self.slots, [entries[k] for k in keys])

        return self._compile("gradient", build)

    @property
    def hessian_entries(self) -> list[tuple[int, int, Any]]:
        """(k, l, d2 body / d s_k d s_l) for variable slots k <= l, nonzero ones (the partials are
        differentiated once more in the engine that made them: symengine, or SymPy as a fallback)."""

        def build() -> list[tuple[int, int, Any]]:
            index = {str(s): k for k, s in enumerate(self.variable_slots)}
            entries = []
            for k, partial in sorted(self.gradient_entries.items()):
                for symbol in sorted(partial.free_symbols, key=str):
                    l = index.get(str(symbol))
                    if l is None or l < k:
                        continue
                    if self.hessian_from_products:  # the pattern only: values come from products
                        entries.append((k, l, None))
                        continue
                    second = partial.diff(symbol)
                    if second != 0:
                        entries.append((k, l, second))
            return entries

        return self._compile("hessian_entries", build)

    @property
    def hessian_from_products(self) -> bool:
        """Whether the Hessian comes from Hessian-vector products (more than HESSIAN_PRODUCT_SLOTS variable
        slots; module docstring); its entries then carry no expression."""
        return self.v > HESSIAN_PRODUCT_SLOTS

    @property
    def hessian_function(self) -> Any:
        """``F(M)`` -> (rows, entries): the second derivatives of :attr:`hessian_entries` at each row of M."""
        if self.hessian_from_products:
            return self._compile("hessian", lambda: _ProductHessian(self))
        return self._compile("hessian", lambda: compile_batch(self.slots, [e for _, _, e in self.hessian_entries]))

    # -- slot matrices ------------------------------------------------------------------------------
    def positions(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Flat positions of every variable slot, shape (len(rows), v) (rows: offsets from start)."""
        offsets = np.arange(self.rows) if rows is None else np.asarray(rows, dtype=np.int64)
        moving = self.moving_start[None, :] + offsets[:, None] * self.moving_step[None, :]
        fixed = np.broadcast_to(self.fixed_positions, (offsets.size, self.fixed_positions.size))
        return np.concatenate([moving, fixed], axis=1)

    def matrix(self, x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """The slot matrix (len(rows), slots) at x; ``rows`` are offsets from ``start`` (None: all)."""
        dtype = np.result_type(x.dtype, float)
        if rows is None:
            if self._buffer is None or self._buffer.dtype != dtype:
                self._buffer = np.empty((self.rows, len(self.slots)), dtype=dtype)
                self._buffer[:, self.v :] = self.data_columns
            out = self._buffer
            for k in range(self.v_moving):
                out[:, k] = x[_span(int(self.moving_start[k]), int(self.moving_step[k]), self.rows)]
            if self.v > self.v_moving:
                out[:, self.v_moving : self.v] = x[self.fixed_positions]
            return out
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((rows.size, len(self.slots)), dtype=dtype)
        out[:, : self.v] = x[self.positions(rows)]
        out[:, self.v :] = self.data_columns[rows]
        return out

    # -- evaluation ---------------------------------------------------------------------------------
    def value(self, x: np.ndarray, rows: np.ndarray | None = None) -> float:
        """c * sum over the rows (all, or the given offsets from start) of body."""
        return self.coefficient * float(np.sum(self.value_function(self.matrix(x, rows))))

    def value_complex(self, x: np.ndarray, rows: np.ndarray | None = None) -> complex:
        return self.coefficient * complex(np.sum(self.complex_function(self.matrix(x, rows))))

    @property
    def value_gradient_function(self) -> tuple[np.ndarray, BatchFunction]:
        """(the slots with a nonzero partial, one compiled function of [body, partials...]): the value
        comes with the gradient at the price of one more output (the mini-batch loss a trace records)."""

        def build() -> tuple[np.ndarray, BatchFunction]:
            entries = self.gradient_entries
            keys = np.array(sorted(entries), dtype=np.int64)
            body = se.sympify(self.body) if se is not None and all(isinstance(e, se.Basic) for e in entries.values()) \
                else self.body  # fmt: skip
            return keys, compile_batch(self.slots, [body, *(entries[k] for k in keys)])

        return self._compile("value_gradient", build)

    def gradient(
        self, x: np.ndarray, out: np.ndarray, rows: np.ndarray | None = None, scale: float = 1.0,
        *, with_value: bool = False,
    ) -> float | None:  # fmt: skip
        """Add scale * c * the gradient of the sum (over all rows, or the given ones) into ``out`` (n,);
        with ``with_value``, return scale * c * the sum itself too (one compiled call for both)."""
        if with_value:
            keys, function = self.value_gradient_function
            both = function(self.matrix(x, rows))
            value = float(np.sum(both[:, 0])) * scale * self.coefficient
            partials = both[:, 1:]
        else:
            keys, function = self.gradient_function
            if not keys.size:
                return None
            partials = function(self.matrix(x, rows))
            value = None
        factor = scale * self.coefficient
        if factor != 1.0:
            partials = partials * factor
        count = self.rows if rows is None else len(rows)
        moving = keys < self.v_moving
        for column in np.flatnonzero(moving):
            k = keys[column]
            if rows is None:
                out[_span(int(self.moving_start[k]), int(self.moving_step[k]), count)] += partials[:, column]
            else:
                positions = self.moving_start[k] + self.moving_step[k] * np.asarray(rows, dtype=np.int64)
                np.add.at(out, positions, partials[:, column])
        if not moving.all():  # the fixed slots: every row onto one entry each, summed in one call
            fixed = ~moving
            np.add.at(out, self.fixed_positions[keys[fixed] - self.v_moving], partials[:, fixed].sum(axis=0))
        return value

    # -- Hessian ------------------------------------------------------------------------------------
    def hessian_pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, weights) of the values :meth:`hessian_values` returns: first the entries whose
        slots are both fixed (summed over rows), then the others, entry by entry (all rows of one entry
        together). Weight 2 for an entry of two different slots that lands on the diagonal (both slots
        are the same entry of x there)."""

        def slot_positions(k: int) -> np.ndarray:
            if k < self.v_moving:
                return self.moving_start[k] + self.moving_step[k] * np.arange(self.rows, dtype=np.int64)
            return np.full(self.rows, self.fixed_positions[k - self.v_moving], dtype=np.int64)

        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            entries = self.hessian_entries
            fixed = [e for e, (k, l, _) in enumerate(entries) if k >= self.v_moving and l >= self.v_moving]
            other = [e for e, (k, l, _) in enumerate(entries) if not (k >= self.v_moving and l >= self.v_moving)]
            rows_list, cols_list, weights = [], [], []
            for e in fixed:
                k, l, _ = entries[e]
                r, c = self.fixed_positions[k - self.v_moving], self.fixed_positions[l - self.v_moving]
                rows_list.append(np.array([r]))
                cols_list.append(np.array([c]))
                weights.append(np.array([2.0 if (k != l and r == c) else 1.0]))
            for e in other:
                k, l, _ = entries[e]
                r, c = slot_positions(k), slot_positions(l)
                rows_list.append(r)
                cols_list.append(c)
                weights.append(np.where(r == c, 2.0, 1.0) if k != l else np.ones(self.rows))
            self._compiled["hessian_split"] = (np.array(fixed, dtype=np.int64), np.array(other, dtype=np.int64))
            if not rows_list:
                return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
            return np.concatenate(rows_list), np.concatenate(cols_list), np.concatenate(weights)

        return self._compile("hessian_pattern", build)

    def hessian_values(self, x: np.ndarray) -> np.ndarray:
        """c * second derivatives in the order of :meth:`hessian_pattern` (weights applied)."""
        _, _, weights = self.hessian_pattern()
        if not weights.size:
            return weights
        fixed, other = self._compiled["hessian_split"]
        matrix = self.matrix(x)
        if not other.size and self.hessian_from_products:  # summed over rows inside, block by block
            return self.hessian_function.summed(matrix)[fixed] * self.coefficient * weights
        if not other.size:  # every entry summed over rows: in blocks of rows, never all rows' entries at once
            total = np.zeros(fixed.size)
            for start in range(0, self.rows, HESSIAN_BLOCK):
                total += self.hessian_function(matrix[start : start + HESSIAN_BLOCK])[:, fixed].sum(axis=0)
            return total * self.coefficient * weights
        values = self.hessian_function(matrix) * self.coefficient
        parts = [values[:, fixed].sum(axis=0)] if fixed.size else []
        parts.append(values[:, other].T.ravel())  # entry by entry
        return np.concatenate(parts) * weights


class _ProductHessian:
    """A template's Hessian entries from Hessian-vector products (module docstring): the program
    (H(s) v)_k for every variable slot k, compiled with the directions v as extra slots, evaluated at
    v = e_l for each column l the entries need, rows expanded block by block."""

    def __init__(self, template: Template) -> None:
        variables = list(template.variable_slots)
        directions = [sp.Symbol(f"direction_{k}", real=True) for k in range(len(variables))]
        gradient = template.gradient_entries
        if se is not None and all(isinstance(g, se.Basic) for g in gradient.values()):
            native = [se.Symbol(str(d)) for d in directions]
            phi = se.Add(*[gradient[k] * native[k] for k in gradient]) if gradient else se.Integer(0)
        else:
            phi = sp.Add(*[gradient[k] * directions[k] for k in gradient])
        product = reverse_gradient(phi, variables)
        zero = se.Integer(0) if se is not None else sp.Integer(0)
        self.function = compile_batch(list(template.slots) + directions,
                                      [product.get(k, zero) for k in range(len(variables))])  # fmt: skip
        entries = template.hessian_entries
        self.columns = np.array(sorted({l for _, l, _ in entries}), dtype=np.int64)
        column = {int(l): j for j, l in enumerate(self.columns)}
        self.pick_rows = np.array([k for k, _, _ in entries], dtype=np.int64)
        self.pick_columns = np.array([column[l] for _, l, _ in entries], dtype=np.int64)
        self.basis = np.zeros((self.columns.size, len(variables)))
        self.basis[np.arange(self.columns.size), self.columns] = 1.0
        self.slots = len(template.slots)
        inputs = self.slots + len(variables)
        self.block = max(1, PRODUCT_BLOCK_ENTRIES // max(1, self.columns.size * inputs))
        # the expanded slot matrix, built once: its direction columns hold the basis rows for good, each
        # block writes only its slot values (every row repeated once per column)
        self._expanded = np.empty((self.block, self.columns.size, inputs))
        self._expanded[:, :, self.slots :] = self.basis

    def _blocks(self, matrix: np.ndarray):  # -> Iterator[(start, (b, columns, slots) products)]
        count = self.columns.size
        for start in range(0, matrix.shape[0], self.block):
            rows = matrix[start : start + self.block]
            b = rows.shape[0]
            self._expanded[:b, :, : self.slots] = rows[:, None, :]
            yield start, self.function(self._expanded[:b].reshape(b * count, -1)).reshape(b, count, -1)

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        out = np.empty((matrix.shape[0], self.pick_rows.size))
        for start, products in self._blocks(matrix):
            out[start : start + products.shape[0]] = products[:, self.pick_columns, self.pick_rows]
        return out

    def summed(self, matrix: np.ndarray) -> np.ndarray:
        """The entries summed over the rows of ``matrix``, without keeping every row's entries."""
        total = np.zeros((self.columns.size, self.basis.shape[1]))
        for _, products in self._blocks(matrix):
            total += products.sum(axis=0)
        return total[self.pick_columns, self.pick_rows]


def _span(start: int, step: int, count: int) -> slice | np.ndarray:
    """The positions start, start + step, ..., (count of them) as a slice (step > 0) or an index array."""
    if step > 0:
        return slice(start, start + step * (count - 1) + 1, step)
    return start + step * np.arange(count)


def _affine(position: Any, index: sp.Symbol) -> tuple[int, int]:
    position = sp.expand(sp.sympify(position))
    a = position.coeff(index, 1) if position.has(index) else sp.S.Zero
    b = position - a * index
    return int(a), int(b)
