"""Stored expressions read back without running them as code.

The store keeps each problem's objective as SymPy's ``srepr`` text (``Add(Pow(Symbol('x', real=True),
Integer(2)), Integer(1))``). ``sympy.sympify`` would evaluate such text as Python, so a store written
by someone else could run any code while a report is drawn. :func:`parse_stored_expression` reads the
text with :mod:`ast` and builds the expression itself, allowing only

* calls of SymPy classes (subclasses of ``sympy.Basic`` in the ``sympy`` namespace, plus
  ``ExprCondPair``, which ``Piecewise`` prints), positionally or with keywords (``real=True``);
* as arguments: integers, floats, booleans, None, tuples and lists of allowed arguments, nested
  allowed calls and SymPy's named constants (``pi``, ``E``, ``I``, ``oo``, ``nan``, ``true``, ...);
* a string only as the name of ``Symbol``, ``Dummy`` or ``Wild`` (a Python identifier, so that a
  name never reaches generated code as anything but a name) and as the digits of ``Float``.

Anything else (attribute access, ``__import__``, names that are not SymPy classes, lambdas, subscripts,
comprehensions, operators, undefined functions such as ``Function('f')``, strings elsewhere, which
SymPy's constructors would themselves sympify) raises :class:`UnsafeExpressionError` naming what was
refused. Nothing is evaluated but the allowed constructors, called with vetted arguments.

The tree comes back as it was stored, not re-evaluated (``sympify`` re-evaluates, and gets a different
tree for a tenth of the library): sums and products take their terms in SymPy's canonical order (srepr
prints them in printing order, with a negative coefficient split into -1 and its absolute value) and
powers are not simplified. So ``parse_stored_expression(srepr(e)) == e`` for every expression SymPy
built with its own evaluation, and ``srepr`` of the result is the stored text for every expression
(one built under ``sympy.evaluate(False)`` keeps factors in an order that srepr does not print).
Indexed forms (``Sum``, ``Indexed``, ``IndexedBase``, ``Idx``, ``Tuple``) are SymPy classes like any other.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import re
from functools import cache, cmp_to_key
from typing import Any

import sympy as sp

__all__ = ["UnsafeExpressionError", "parse_stored_expression"]

#: Constructors whose first positional argument may be a string, and what that string must look like.
_NAMED = {"Symbol": "name", "Dummy": "name", "Wild": "name", "Float": "number"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SORT_KEY = cmp_to_key(sp.Basic.compare)  # the order Add.flatten and Mul.flatten give their arguments
_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:inf|nan)")


class UnsafeExpressionError(ValueError):
    """A stored expression holds something other than SymPy constructors and plain values.

    ``refused`` names the part that was refused (``attribute access .system``, ``name __import__``)."""

    def __init__(self, refused: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"stored expression refused: {refused} is not allowed (only SymPy constructors such as Symbol, Add "
            "and Integer, with numbers, SymPy constants and nested constructors as arguments)"
        )
        self.refused = refused


@cache
def _classes() -> dict[str, type]:
    """SymPy's expression classes by name: the only callables a stored expression may use."""
    from sympy.functions.elementary.piecewise import ExprCondPair

    found = {name: value for name, value in vars(sp).items() if inspect.isclass(value) and issubclass(value, sp.Basic)}
    found["ExprCondPair"] = ExprCondPair
    return found


@cache
def _constants() -> dict[str, sp.Basic]:
    """SymPy's named singletons (pi, E, I, oo, zoo, nan, true, false, ...), as srepr prints them."""
    return {name: value for name, value in vars(sp).items() if isinstance(value, sp.Basic)}


def parse_stored_expression(text: str) -> sp.Basic:
    """The SymPy expression that ``text`` (``sympy.srepr`` output) describes, built without evaluating
    the text as Python (module docstring); raises :class:`UnsafeExpressionError` naming what was refused."""
    if not isinstance(text, str):
        raise UnsafeExpressionError(f"a stored value of type {type(text).__name__} (expected srepr text)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        value = _build(tree.body)
    except SyntaxError as error:
        raise UnsafeExpressionError(f"text that is not a Python expression ({error.msg})") from None
    except RecursionError:
        raise UnsafeExpressionError("an expression nested too deeply to read") from None
    if not isinstance(value, sp.Basic):
        raise UnsafeExpressionError(f"a bare {type(value).__name__} (expected a SymPy expression)")
    return value


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"attribute access .{node.attr}"
    if isinstance(node, ast.Name):
        return f"name {node.id}"
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r}"
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every node ast.parse makes
        text = ""
    kind = type(node).__name__.lower()
    return f"{kind} {text[:40]!r}" if text else kind


def _build(node: ast.AST) -> Any:
    """An allowed argument: a number, bool, None, tuple / list, SymPy constant or allowed call."""
    if isinstance(node, ast.Constant) and (node.value is None or type(node.value) in (bool, int, float)):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_build(item) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Name):
        if node.id in _constants():
            return _constants()[node.id]
        raise UnsafeExpressionError(f"name {node.id}")
    if isinstance(node, ast.Call):
        return _call(node)
    raise UnsafeExpressionError(_describe(node))


def _call(node: ast.Call) -> Any:
    if isinstance(node.func, ast.Attribute):
        raise UnsafeExpressionError(_describe(node.func))
    if isinstance(node.func, ast.Call):
        raise UnsafeExpressionError(f"calling the result of {ast.unparse(node.func)[:40]}")
    if not isinstance(node.func, ast.Name):
        raise UnsafeExpressionError(f"calling {_describe(node.func)}")
    name = node.func.id
    constructor = _classes().get(name)
    if constructor is None:
        raise UnsafeExpressionError(f"calling {name}, which is not a SymPy class")
    if name == "Function":
        raise UnsafeExpressionError("an undefined function (Function(...))")
    arguments = []
    for index, argument in enumerate(node.args):
        if isinstance(argument, ast.Starred):
            raise UnsafeExpressionError(f"unpacking *{ast.unparse(argument.value)} in {name}(...)")
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            arguments.append(_string(name, index, argument.value))
        else:
            arguments.append(_build(argument))
    keywords = {}
    for item in node.keywords:
        if item.arg is None:
            raise UnsafeExpressionError(f"unpacking **{ast.unparse(item.value)} in {name}(...)")
        keywords[item.arg] = _build(item.value)
    if constructor in (sp.Add, sp.Mul) and not keywords:
        return _canonical(constructor, arguments)
    if constructor is sp.Pow and not keywords:
        return sp.Pow(*arguments, evaluate=False)
    return constructor(*arguments, **keywords)


def _canonical(constructor: type, arguments: list[Any]) -> sp.Basic:
    """A sum or product with its terms in the order SymPy's own evaluation sorts them (srepr prints
    them in printing order; ``==`` compares the stored order)."""
    terms = [sp.sympify(argument, strict=True) for argument in arguments]
    numbers = [t for t in terms if t.is_Number]
    if constructor is sp.Mul and len(numbers) == 2 and sp.S.NegativeOne in numbers:
        # srepr prints the coefficient -3/7 as the two factors -1 and 3/7: make them one again
        other = numbers[1] if numbers[0] is sp.S.NegativeOne else numbers[0]
        terms = [-other, *(t for t in terms if not t.is_Number)]
    if constructor is sp.Mul:  # only commuting factors are sorted; the others keep their order, last
        ordered = sorted((t for t in terms if t.is_commutative), key=_SORT_KEY)
        ordered += [t for t in terms if not t.is_commutative]
    else:
        ordered = sorted(terms, key=_SORT_KEY)
    return constructor._from_args(ordered)


def _string(name: str, index: int, value: str) -> str:
    kind = _NAMED.get(name) if index == 0 else None
    if kind == "name" and _IDENTIFIER.fullmatch(value) and not keyword.iskeyword(value):
        return value
    if kind == "number" and _FLOAT.fullmatch(value.strip()):
        return value
    if kind == "name":
        raise UnsafeExpressionError(f"the {name} name {value[:40]!r} (a name must be a plain identifier)")
    raise UnsafeExpressionError(f"the string {value[:40]!r} as argument {index + 1} of {name}")
