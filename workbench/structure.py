"""Structure in a declaration: shaped variables, sums over index ranges and over data, families.

A problem may declare its variables as scalar ``Symbol``\\ s and shaped ``IndexedBase`` objects
(``x = sp.IndexedBase("x", shape=(n,))``), write its objective with ``sp.Sum`` over integer index
ranges, bind data arrays by name (``data={"A": rows, "y": labels}``) and declare constraint families
``(relational, (i, start, end))``. This module reads that structure; it never differentiates.

* :class:`Layout`: where each declared variable lives in the flat vector x (row-major).
* :func:`decompose`: an expression as ``plain + sum_k c_k * Sum(body_k, (i_k, start_k, stop_k))``:
  the **templates** ``body_k`` (inner sums over small fixed ranges unrolled), each with every
  ``Indexed`` use checked: affine in the sum's index with integer coefficients, inside the shape of
  its variable or data array. A sum whose index subscripts data is a sum **over samples**.
* ``workbench.problem.written_out``: the same problem with every sum unrolled and every entry a scalar symbol (for
  small n: the generic test that both declarations agree, and the derivative check's error model).

Errors name the field, the index and the shape, and say how to fix the declaration.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

__all__ = [
    "UNROLL_LIMIT",
    "Decomposition",
    "Layout",
    "StructureError",
    "SumTerm",
    "decompose",
    "entry_symbol",
    "layout_of",
]

#: Inner sums with at most this many terms are unrolled inside a template; a larger inner sum is an error.
UNROLL_LIMIT = 10_000


class StructureError(ValueError):
    """A structured declaration is invalid (a subclass of ValueError, like ProblemDeclarationError)."""


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where the declared variables live in the flat vector x: ``names[k]`` has ``shapes[k]`` (``()``
    for a scalar Symbol) and occupies ``x[offsets[k] : offsets[k] + sizes[k]]`` in row-major order."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    offsets: tuple[int, ...]
    n: int

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(math.prod(shape) for shape in self.shapes)

    def position(self, name: str) -> int:
        return self.names.index(name)

    def flat(self, name: str, indices: Sequence[int]) -> int:
        """The flat position of ``name[indices]``."""
        k = self.position(name)
        shape = self.shapes[k]
        return self.offsets[k] + (int(np.ravel_multi_index(tuple(indices), shape)) if shape else 0)

    def label(self, flat: int) -> str:
        """``"x[3]"`` for a flat position (the inverse of :meth:`flat`)."""
        for name, shape, offset, size in zip(self.names, self.shapes, self.offsets, self.sizes, strict=True):
            if offset <= flat < offset + size:
                if not shape:
                    return name
                return f"{name}[{', '.join(str(i) for i in np.unravel_index(flat - offset, shape))}]"
        raise IndexError(flat)


def layout_of(variables: Sequence[Any], where: str) -> Layout:
    """The layout of declared variables (scalar Symbols and shaped IndexedBase objects)."""
    names, shapes, offsets = [], [], []
    offset = 0
    for k, variable in enumerate(variables):
        if isinstance(variable, sp.IndexedBase):
            shape = variable.shape
            if shape is None:
                raise StructureError(
                    f"{where}: variables[{k}] = {variable} is an IndexedBase without a shape; declare it as "
                    f"IndexedBase({str(variable.label)!r}, shape=(n,)) so the workbench knows how many entries it has"
                )
            dims = []
            for d in shape:
                if not (isinstance(d, (int, sp.Integer)) or (isinstance(d, sp.Basic) and d.is_Integer)) or int(d) < 1:
                    raise StructureError(
                        f"{where}: variables[{k}] = {variable} has shape {shape}; every dimension must be a whole "
                        "number >= 1"
                    )
                dims.append(int(d))
            names.append(str(variable.label))
            shapes.append(tuple(dims))
        else:
            names.append(variable.name)
            shapes.append(())
        offsets.append(offset)
        offset += math.prod(shapes[-1])
    return Layout(tuple(names), tuple(shapes), tuple(offsets), offset)


def entry_symbol(layout: Layout, flat: int) -> sp.Symbol:
    """The scalar symbol standing for entry ``flat`` in a written-out declaration (real, named like
    ``x[3]``)."""
    return sp.Symbol(layout.label(flat), real=True)


@dataclasses.dataclass(frozen=True)
class SumTerm:
    """``coefficient * Sum(body, (index, start, stop))`` with ``body`` a template in ``index``.

    ``samples``: the index subscripts data, so the sum runs over the rows of a data set (the sum a
    stochastic method samples).
    """

    coefficient: sp.Expr
    body: sp.Expr
    index: sp.Symbol
    start: int
    stop: int
    samples: bool

    @property
    def rows(self) -> int:
        return self.stop - self.start + 1


@dataclasses.dataclass(frozen=True)
class Decomposition:
    """An expression as ``plain + sum of SumTerms``; ``plain`` may contain entries with constant indices."""

    plain: sp.Expr
    sums: tuple[SumTerm, ...]


def _integer(value: Any) -> int | None:
    value = sp.sympify(value)
    return int(value) if value.is_Integer else None


def _affine(index: sp.Expr, symbol: sp.Symbol | None, where: str) -> tuple[int, int]:
    """(a, b) with index = a * symbol + b, integers; raises for anything else."""
    index = sp.sympify(index)
    if symbol is None or not index.has(symbol):
        value = _integer(index)
        if value is None:
            raise StructureError(f"{where}: index {index} is not a whole number (an index must be an integer "
                                 "or affine in the sum's index, like i + 1)")  # fmt: skip
        return 0, value
    a = sp.expand(index).coeff(symbol, 1)
    b = sp.expand(index - a * symbol)
    if _integer(a) is None or _integer(b) is None or b.has(symbol):
        raise StructureError(
            f"{where}: index {index} is not of the form a*{symbol} + b with whole numbers a and b; the workbench "
            "evaluates a sum's template over its index range with fixed index maps"
        )
    return int(a), int(b)


def _terms(expression: sp.Expr, coefficient: sp.Expr, out: list[tuple[sp.Expr, sp.Expr]]) -> None:
    """Split into (coefficient, term) pairs, distributing constant factors over sums of terms."""
    if isinstance(expression, sp.Add):
        for arg in expression.args:
            _terms(arg, coefficient, out)
        return
    if isinstance(expression, sp.Mul):
        constant = [f for f in expression.args if not f.free_symbols and not f.has(sp.Sum, sp.Indexed)]
        rest = [f for f in expression.args if f not in constant]
        if len(rest) == 1 and isinstance(rest[0], (sp.Add, sp.Sum)):
            _terms(rest[0], coefficient * sp.Mul(*constant), out)
            return
    out.append((coefficient, expression))


def decompose(
    expression: sp.Expr,
    *,
    layout: Layout,
    data: Mapping[str, np.ndarray],
    field: str,
    where: str,
    family: tuple[sp.Symbol, int, int] | None = None,
) -> Decomposition:
    """``expression`` as plain part + templates, every index use checked (module docstring).

    ``family``: the expression is the body of a constraint family over ``(index, start, stop)``; it is
    then returned as one SumTerm with that range (and no plain part).
    """
    # sp.Idx("i") and its label are the same index here (no evaluation: re-evaluating a large declaration,
    # a Heaviside metric say, took 0.3 s where the replacement alone takes milliseconds)
    with sp.evaluate(False):
        expression = expression.xreplace({atom: atom.label for atom in expression.atoms(sp.Idx)})
    if family is not None:
        index, start, stop = family
        index = index.label if isinstance(index, sp.Idx) else index
        body = _unroll(expression, index, where, field)
        samples = _check_template(body, index, start, stop, layout, data, where, field)
        return Decomposition(sp.S.Zero, (SumTerm(sp.S.One, body, index, start, stop, samples),))
    pieces: list[tuple[sp.Expr, sp.Expr]] = []
    _terms(expression, sp.S.One, pieces)
    plain: list[sp.Expr] = []
    sums: list[SumTerm] = []
    for coefficient, term in pieces:
        if isinstance(term, sp.Sum):
            sums.append(_sum_term(coefficient, term, layout, data, where, field))
        elif term.has(sp.Sum):
            # a Sum inside a function (the penalty (sum_j x_j^2 - 1/4)^2, say) is written out into the
            # plain part: fine for moderate ranges, refused beyond UNROLL_LIMIT terms
            if any(_free_index(s) for s in term.atoms(sp.Sum)):
                raise StructureError(
                    f"{where}: {field} uses a Sum inside {type(term).__name__.lower()}(...) ({_short(term)}) whose "
                    "range is not fixed; a Sum over an index range must be a term of the expression, possibly times "
                    "a constant: write Sum(f(x[i]), (i, 0, n - 1)) / n, not log(Sum(...))"
                )
            try:
                plain.append(coefficient * _unroll(term, None, where, field))
            except StructureError as error:
                raise StructureError(
                    f"{error}; a Sum inside {type(term).__name__.lower()}(...) is written out term by term: keep it "
                    "small, or make the large sum a term of the expression"
                ) from None
        else:
            plain.append(coefficient * term)
    plain_expression = sp.Add(*plain)
    _check_template(plain_expression, None, 0, 0, layout, data, where, field)
    return Decomposition(plain_expression, tuple(sums))


def _free_index(inner: sp.Sum) -> bool:
    """True when a limit of the sum is not a whole number (it depends on something)."""
    return any(_integer(start) is None or _integer(stop) is None for _, start, stop in inner.limits)


def _short(expression: sp.Expr) -> str:
    text = str(expression)
    return text if len(text) <= 80 else text[:77] + "..."


def _sum_term(
    coefficient: sp.Expr, term: sp.Sum, layout: Layout, data: Mapping[str, np.ndarray], where: str, field: str
) -> SumTerm:
    limits = list(term.limits)
    index, start, stop = limits[-1]  # the outermost limit is the template's index
    body = sp.Sum(term.function, *limits[:-1]) if len(limits) > 1 else term.function
    start_value, stop_value = _integer(start), _integer(stop)
    if start_value is None or stop_value is None:
        raise StructureError(
            f"{where}: {field} sums over {index} from {start} to {stop}; the bounds of a Sum must be whole numbers "
            "(write the problem's size as a Python int, e.g. n - 1 with n = 1000)"
        )
    if stop_value < start_value:
        raise StructureError(f"{where}: {field} sums over {index} from {start_value} to {stop_value}, an empty range")
    index = index.label if isinstance(index, sp.Idx) else index
    body = _unroll(body, index, where, field)
    samples = _check_template(body, index, start_value, stop_value, layout, data, where, field)
    return SumTerm(coefficient, body, index, start_value, stop_value, samples)


def _unroll(body: sp.Expr, outer: sp.Symbol, where: str, field: str) -> sp.Expr:
    """Inner sums over fixed small ranges, written out (they become part of the template)."""

    def expand(inner: sp.Sum) -> sp.Expr:
        total = 1
        for _, start, stop in inner.limits:
            a, b = _integer(start), _integer(stop)
            if a is None or b is None:
                raise StructureError(
                    f"{where}: {field} has an inner sum over {inner.limits} whose bounds are not whole numbers (an "
                    f"inner sum's range may not depend on the outer index {outer})"
                )
            total *= max(0, b - a + 1)
        if total > UNROLL_LIMIT:
            raise StructureError(
                f"{where}: {field} has an inner sum of {total} terms inside the template; inner sums are written out "
                f"(at most {UNROLL_LIMIT} terms): make the large sum the outer one"
            )
        terms = [inner.function]
        for index, start, stop in reversed(inner.limits):
            index = index.label if isinstance(index, sp.Idx) else index
            terms = [t.xreplace({index: sp.Integer(v)}) for t in terms for v in range(int(start), int(stop) + 1)]
        return sp.Add(*terms)

    # written out without SymPy's automatic evaluation: rebuilding a large template (tanh of sums,
    # Heaviside of a network's output) with evaluation on took SymPy tens of seconds of assumptions work
    with sp.evaluate(False):
        while body.has(sp.Sum):
            innermost = [s for s in body.atoms(sp.Sum) if not s.function.has(sp.Sum)]
            body = body.xreplace({s: expand(s) for s in innermost})
    return body


def _base_name(indexed: sp.Indexed) -> str:
    return str(indexed.base.label)


def _check_template(
    body: sp.Expr,
    index: sp.Symbol | None,
    start: int,
    stop: int,
    layout: Layout,
    data: Mapping[str, np.ndarray],
    where: str,
    field: str,
) -> bool:
    """Check every use in ``body`` (for index values start..stop); return whether it subscripts data by
    the index (a sum over samples)."""
    variables = dict(zip(layout.names, layout.shapes, strict=True))
    samples = False
    covered: dict[str, list[tuple[int, int]]] = {}  # data rows touched by unit-stride uses along axis 0
    strided: set[str] = set()
    atoms = sorted(body.atoms(sp.Indexed), key=str)
    for indexed in atoms:
        name = _base_name(indexed)
        if name in variables:
            shape, kind = variables[name], "variable"
        elif name in data:
            shape, kind = data[name].shape, "data array"
        else:
            raise StructureError(
                f"{where}: {field} uses {indexed}, but {name} is neither a variable nor a data array; add "
                f"{name} to variables, or bind an array to it with data={{{name!r}: array}}"
            )
        if not shape:
            raise StructureError(f"{where}: {field} subscripts {name}, which is a scalar {kind}; write {name} alone")
        if len(indexed.indices) != len(shape):
            raise StructureError(
                f"{where}: {field} uses {indexed} with {len(indexed.indices)} indices, but {kind} {name} has shape "
                f"{tuple(shape)} ({len(shape)} indices)"
            )
        for axis, (position, size) in enumerate(zip(indexed.indices, shape, strict=True)):
            a, b = _affine(position, index, f"{where}: {field}, {indexed}")
            first, last = (b, b) if a == 0 else sorted((a * start + b, a * stop + b))
            if first < 0 or last >= size:
                range_text = f" for {index} from {start} to {stop}" if a else ""
                raise StructureError(
                    f"{where}: {field} uses {indexed}{range_text}, which reaches index {first if first < 0 else last} "
                    f"on axis {axis} of {kind} {name} of shape {tuple(shape)}; keep indices in 0..{size - 1}"
                )
            if kind == "data array" and a != 0 and axis == 0:
                samples = True
                if abs(a) == 1:
                    covered.setdefault(name, []).append((first, last))
                else:
                    strided.add(name)
    for name, intervals in covered.items():
        if name in strided:
            continue
        rows = data[name].shape[0]
        touched = np.zeros(rows, dtype=bool)
        for first, last in intervals:
            touched[first : last + 1] = True
        if not touched.all():
            missing = int(np.flatnonzero(~touched)[0])
            raise StructureError(
                f"{where}: {field} sums over {index} from {start} to {stop}, which never reaches row {missing} of data "
                f"array {name} of shape {tuple(data[name].shape)}; the sum's range and the data must agree (a sum over "
                f"all {rows} rows runs from 0 to {rows - 1})"
            )
    # symbols used without an index: scalar variables, scalar data, the sum's index; nothing else
    with sp.evaluate(False):
        bare = body.xreplace({atom: sp.Dummy() for atom in atoms}).free_symbols
    for symbol in sorted((s for s in bare if not isinstance(s, sp.Dummy)), key=str):
        name = str(symbol)
        if symbol == index:
            continue
        if name in variables:
            if variables[name]:
                raise StructureError(
                    f"{where}: {field} uses {name} without an index, but it is a shaped variable of shape "
                    f"{variables[name]}; write {name}[i]"
                )
            continue
        if name in data:
            if np.ndim(data[name]) != 0:
                raise StructureError(
                    f"{where}: {field} uses data array {name} of shape {np.shape(data[name])} without an index"
                )
            continue
        raise StructureError(
            f"{where}: {field} uses symbol {symbol}, which is not one of the problem's variables "
            f"({', '.join(layout.names[:6])}{', ...' if len(layout.names) > 6 else ''}) nor a data array"
            + (f" nor the sum's index {index}" if index is not None else "")
            + "; add it to variables, bind it with data=..., or substitute a value"
        )
    return samples
