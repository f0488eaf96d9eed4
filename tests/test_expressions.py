"""Stored expressions are read, never run: parse_stored_expression gives back every library expression
from its srepr, refuses anything that is not SymPy constructors and plain values, and a store whose
objective was replaced by code is refused by the report before anything is written."""

import json
import sqlite3

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from workbench.cli import main
from workbench.expressions import UnsafeExpressionError, parse_stored_expression
from workbench.study import Study

#: Built under ``sympy.evaluate(False)`` (problems/more_garbow_hillstrom.py), so their products keep
#: factors in an order srepr does not print: the text round-trips exactly, the tree is equal in value.
UNEVALUATED = {"mgh11_gulf", "mgh19_osborne_2"}


def test_every_library_expression_round_trips(library):
    assert len(library) > 50
    for name, problem in library.items():
        expressions = [problem.objective, *(c.expression for c in problem.constraints)]
        for expression in expressions:
            text = sp.srepr(expression)
            parsed = parse_stored_expression(text)
            assert sp.srepr(parsed) == text, name
            if name not in UNEVALUATED:
                assert parsed == expression, name
    for name in UNEVALUATED:
        problem = library[name]
        point = dict(zip(problem.variables, problem.x0, strict=True))
        value = float(problem.objective.subs(point))
        assert float(parse_stored_expression(sp.srepr(problem.objective)).subs(point)) == pytest.approx(value)


x, y = sp.symbols("x y", real=True)
z = sp.Symbol("z", positive=True)
i = sp.Idx("i", 5)
X = sp.IndexedBase("X")

leaves = st.sampled_from([x, y, z, sp.pi, sp.E, sp.Integer(3), sp.Rational(-2, 7), sp.Float(0.1), sp.Float(-2.5e-8)])
functions = st.sampled_from([sp.sin, sp.cos, sp.exp, sp.log, sp.atan, sp.sqrt, sp.Abs, sp.gamma, sp.tanh])


def _combine(children):
    unary = st.tuples(functions, children).map(lambda pair: pair[0](pair[1]))
    binary = st.tuples(st.sampled_from(["+", "-", "*", "/"]), children, children).map(
        lambda t: {"+": t[1] + t[2], "-": t[1] - t[2], "*": t[1] * t[2], "/": t[1] / (t[2] + 5)}[t[0]]
    )
    powers = st.tuples(children, st.integers(-3, 4)).map(lambda pair: pair[0] ** pair[1] if pair[0] != 0 else pair[0])
    return st.one_of(unary, binary, powers)


expressions = st.recursive(leaves, _combine, max_leaves=12)


@given(expressions)
def test_parse_gives_back_what_srepr_printed(expression):
    assert parse_stored_expression(sp.srepr(expression)) == expression


@pytest.mark.parametrize(
    "expression",
    [
        sp.Sum(X[i] ** 2, (i, 0, 4)),
        sp.Sum(sp.Indexed(X, i) * x, (i, 0, 4)) + sp.Tuple(1, 2)[0],
        sp.Piecewise((x, x > 0), (x**2, True)),
        sp.Max(x, y, 1) + sp.Min(x, 2),
        sp.besselj(0, x) * sp.I + sp.oo * 0 + sp.EulerGamma,
        sp.Symbol("w", integer=True, nonnegative=True) ** sp.Rational(1, 3),
        sp.And(x > 0, sp.Eq(y, 1)),
    ],
    ids=["sum", "indexed", "piecewise", "max-min", "special", "assumptions", "booleans"],
)
def test_indexed_piecewise_and_special_forms_round_trip(expression):
    assert parse_stored_expression(sp.srepr(expression)) == expression


@pytest.mark.parametrize(
    "text, refused",
    [
        ("__import__('os').system('echo hacked')", "attribute access .system"),
        ("__import__('pathlib')", "calling __import__, which is not a SymPy class"),
        ("Symbol('x').__class__", "attribute access .__class__"),
        ("eval('1')", "calling eval"),
        ("sin('__import__(\"os\")')", "the string"),  # SymPy would sympify the string: code again
        ("Symbol('x; import os')", "the Symbol name"),
        ("Symbol('os.system(1)')", "the Symbol name"),  # a name reaches generated code as written
        ("Function('f')(Symbol('x'))", "calling the result of Function('f')"),
        ("Function('os.system')", "undefined function"),
        ("(lambda: Integer(1))()", "calling lambda"),
        ("Tuple(Integer(1))[0]", "subscript"),
        ("Add(*[Integer(1)])", "unpacking"),
        ("Add(**{'evaluate': True})", "unpacking"),
        ("[Integer(k) for k in (1, 2)]", "listcomp"),
        ("Integer(1) + Integer(2)", "binop"),
        ("x", "name x"),
        ("Float('1e5; import os')", "the string"),
        ("Integer(2", "not a Python expression"),
        ("Integer(1); Integer(2)", "not a Python expression"),
        ("1", "a bare int"),
        ("Add(" * 2000 + "Integer(1)" + ")" * 2000, "nested"),
    ],
)
def test_anything_but_sympy_constructors_is_refused(text, refused):
    with pytest.raises(UnsafeExpressionError) as caught:
        parse_stored_expression(text)
    assert refused in caught.value.refused
    assert "stored expression refused" in str(caught.value)


def test_the_report_figure_function_refuses_unsafe_text(tmp_path):
    from workbench.report.figures import objective_function

    target = tmp_path / "written"
    with pytest.raises(UnsafeExpressionError):
        objective_function(f"__import__('pathlib').Path({str(target)!r}).write_text('x')", ["x", "y"])
    with pytest.raises(UnsafeExpressionError, match="variable name"):
        objective_function("Symbol('x')", ["x=__import__('os')"])
    assert not target.exists()
    function = objective_function(sp.srepr(x**2 + y), ["x", "y"])
    assert function([[2.0, 1.0]])[0] == 5.0


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("clean") / "results.sqlite"
    Study(name="small", problems=["booth", "rosenbrock"], methods=["lbfgs"]).run(store=path, progress=False)
    return path


def tamper(store, problem, objective):
    connection = sqlite3.connect(store)
    with connection:
        data = json.loads(connection.execute("SELECT data FROM problems WHERE name = ?", (problem,)).fetchone()[0])
        data["objective"] = objective
        connection.execute("UPDATE problems SET data = ? WHERE name = ?", (json.dumps(data), problem))
    connection.close()


@pytest.mark.parametrize("payload", ["pathlib", "os.system"])
def test_report_from_a_tampered_store_refuses_and_runs_nothing(payload, clean_store, tmp_path, capsys):
    store, output, target = tmp_path / "tampered.sqlite", tmp_path / "report", tmp_path / "pwned.txt"
    store.write_bytes(clean_store.read_bytes())
    code = {
        "pathlib": f"__import__('pathlib').Path({str(target)!r}).write_text('owned')",
        "os.system": f"__import__('os').system('touch {target}')",
    }[payload]
    tamper(store, "rosenbrock", f"Add({code}, Symbol('x', real=True))")
    assert sp.srepr(sp.Symbol("x")) and not target.exists()
    assert main(["report", "--from-store", "--store", str(store), "--output", str(output), "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith("workbench report: the stored objective of problem 'rosenbrock'")
    assert str(store) in err[0] and "holds attribute access" in err[0] and "new --store" in err[0]
    assert not target.exists()
    assert not output.exists()


def test_the_lesson_reads_stored_objectives_with_the_parser():
    import inspect

    import workbench.lesson.practical as practical

    source = inspect.getsource(practical)
    assert "sympify" not in source and "parse_stored_expression" in source
