"""Structured declarations: shaped variables, sums over index ranges and data, constraint families.

* every bad declaration of the issue gets an error naming the field, the index and the shape;
* an indexed declaration and the same problem written out give the same f, gradient and Hessian (and
  c, Jacobian, constraint Hessian) to 1e-12 relative, for every structured library family at small n
  and for hand-built cases (the written-out problem goes through the ordinary symbolic path);
* a mini-batch gradient is an unbiased estimate: averaged over a partition of the rows into equal
  batches it is the full gradient; counts charge the rows evaluated.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp

from workbench import Problem
from workbench.model import compile_model
from workbench.problem import ProblemDeclarationError, written_out

i, j, k = sp.Idx("i"), sp.Idx("j"), sp.Idx("k")


def chained_rosenbrock(n: int) -> Problem:
    x = sp.IndexedBase("x", shape=(n,))
    return Problem(name=f"chained_rosenbrock_{n}", variables=x,
                   objective=sp.Sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2, (i, 0, n - 2)),
                   x0=np.tile([-1.2, 1.0], n // 2))  # fmt: skip


def logistic(rows: int = 40, features: int = 3, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    data = {"A": rng.normal(size=(rows, features)), "y": np.sign(rng.normal(size=rows))}
    A, y = sp.IndexedBase("A"), sp.IndexedBase("y")
    w = sp.IndexedBase("w", shape=(features,))
    b = sp.Symbol("b", real=True)
    loss = sp.log(1 + sp.exp(-y[k] * (sp.Sum(A[k, j] * w[j], (j, 0, features - 1)) + b)))
    return Problem(name="logistic", variables=(w, b), data=data, convex=True,
                   objective=sp.Sum(loss, (k, 0, rows - 1)) / rows + sp.Sum(w[j] ** 2, (j, 0, features - 1)) / 100,
                   x0=np.zeros(features + 1))  # fmt: skip


def family_problem(n: int = 6) -> Problem:
    x = sp.IndexedBase("x", shape=(n,))
    s = sp.Symbol("s", real=True)
    return Problem(name="family", variables=(s, x),
                   objective=s**2 + sp.Sum((x[i] - 1) ** 2 * (1 + x[i] ** 2), (i, 0, n - 1)) + x[0] * x[n - 1],
                   constraints=((x[i] ** 2 + x[i + 1] - s <= 3, (i, 0, n - 2)),
                                (sp.Eq(x[i] * x[i + 1] + s, 1), (i, 0, n - 2)), x[0] + s >= -5),
                   bounds=(-4, 4), x0=np.full(n + 1, 0.3))  # fmt: skip


def two_layer(rows: int = 12, inputs: int = 3, hidden: int = 2) -> Problem:
    rng = np.random.default_rng(1)
    X = sp.IndexedBase("X")
    t = sp.IndexedBase("t")
    W = sp.IndexedBase("W", shape=(inputs, hidden))
    c = sp.IndexedBase("c", shape=(hidden,))
    v = sp.IndexedBase("v", shape=(hidden,))
    h = [sp.tanh(sum(X[k, a] * W[a, b] for a in range(inputs)) + c[b]) for b in range(hidden)]
    output = sum(v[b] * h[b] for b in range(hidden))
    return Problem(name="two_layer", variables=(W, c, v),
                   data={"X": rng.normal(size=(rows, inputs)), "t": rng.normal(size=rows)},
                   objective=sp.Sum((output - t[k]) ** 2, (k, 0, rows - 1)) / rows,
                   x0=rng.normal(size=inputs * hidden + 2 * hidden) * 0.5)  # fmt: skip


CASES = {
    "chained_rosenbrock": lambda: chained_rosenbrock(8),
    "logistic": logistic,
    "family": family_problem,
    "two_layer": two_layer,
    # 40 weights per row: more than HESSIAN_PRODUCT_SLOTS, so its Hessian comes from Hessian-vector products
    "wide_two_layer": lambda: two_layer(rows=10, inputs=6, hidden=5),
}


def _relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    return float(np.max(np.abs(a - b))) / scale if a.size else 0.0


def assert_same_functions(problem: Problem, points: int = 3, seed: int = 0) -> None:
    flat = compile_model(written_out(problem)).exact
    structured = compile_model(problem).exact
    rng = np.random.default_rng(seed)
    for _ in range(points):
        x = np.asarray(problem.x0) + 0.3 * rng.standard_normal(problem.n)
        assert _relative(structured.value(x), flat.value(x)) <= 1e-12
        assert _relative(structured.gradient(x), flat.gradient(x)) <= 1e-12
        assert _relative(structured.hessian(x), flat.hessian(x)) <= 1e-12
        if problem.m:
            v = rng.standard_normal(problem.m)
            assert _relative(structured.constraints(x), flat.constraints(x)) <= 1e-12
            assert _relative(structured.jacobian(x), flat.jacobian(x)) <= 1e-12
            assert _relative(structured.constraint_hessian(x, v), flat.constraint_hessian(x, v)) <= 1e-12


@pytest.mark.parametrize("name", CASES)
def test_indexed_and_written_out_declarations_agree(name):
    assert_same_functions(CASES[name]())


def test_every_structured_library_problem_agrees_with_its_written_out_form(library):
    # written out, a sum over hundreds of data rows is a large expression: the data problems are checked
    # against hand-written NumPy below instead
    structured = [p for p in library.values() if p.is_structured and p.n <= 200 and p.samples <= 50]
    for problem in structured:
        assert_same_functions(problem, points=1)


def test_written_out_problem_has_scalar_variables_in_flat_order():
    problem = family_problem(4)
    flat = written_out(problem)
    assert [str(v) for v in flat.variables] == ["s", "x[0]", "x[1]", "x[2]", "x[3]"]
    assert flat.m == problem.m == 3 + 3 + 1 and flat.equality_indices == problem.equality_indices


def test_sparse_hessian_of_a_large_chain_matches_the_banded_formula():
    problem = chained_rosenbrock(2000)
    x = np.linspace(-1, 1.5, problem.n)
    hessian = compile_model(problem).exact.hessian(x, sparse=True)
    diagonal = np.zeros(problem.n)
    diagonal[:-1] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    diagonal[1:] += 200
    np.testing.assert_allclose(hessian.diagonal(), diagonal, rtol=1e-13)
    np.testing.assert_allclose(hessian.diagonal(1), -400 * x[:-1], rtol=1e-13)
    assert hessian.nnz == 3 * problem.n - 2


# -- bad declarations ----------------------------------------------------------------------------------
def _declare(**fields):
    base = dict(name="bad", x0=np.zeros(3))
    base.update(fields)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Problem(**base)


X = sp.IndexedBase("x", shape=(3,))
A, Y = sp.IndexedBase("A"), sp.IndexedBase("y")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(variables=X, objective=sp.Sum(X[i + 1] ** 2, (i, 0, 2))),
         r"x\[i \+ 1\] for i from 0 to 2, which reaches index 3 on axis 0 of variable x of shape \(3,\)"),
        (dict(variables=X, objective=sp.Sum(A[i, 3] * X[i], (i, 0, 2)), data={"A": np.ones((3, 3))}),
         r"A\[i, 3\].*reaches index 3 on axis 1 of data array A of shape \(3, 3\)"),
        (dict(variables=X, objective=sp.Sum(Y[i] * X[i], (i, 0, 2)), data={"y": [1.0, np.nan, 2.0]}),
         r"data\['y'\] \(shape \(3,\)\) holds nan at index 1"),
        (dict(variables=X, objective=sp.Sum(Y[i] * X[i], (i, 0, 2)), data={"y": np.ones(5)}),
         r"never reaches row 3 of data array y of shape \(5,\)"),
        (dict(variables=sp.IndexedBase("z"), objective=sp.Symbol("q")),
         r"variables\[0\] = z is an IndexedBase without a shape"),
        (dict(variables=X, objective=sp.Sum(X[i] ** 2, (i, 0, sp.Rational(5, 2)))),
         r"the bounds of a Sum must be whole numbers"),
        (dict(variables=X, objective=sp.Sum(X[i] ** 2, (i, 0, sp.Symbol("n")))),
         r"the bounds of a Sum must be whole numbers"),
        (dict(variables=X, objective=sp.Sum(X[i**2], (i, 0, 1))),
         r"is not of the form a\*i \+ b"),
        (dict(variables=X, objective=sp.log(sp.Sum(X[i] ** 2, (i, 0, sp.Symbol("m", integer=True))))),
         r"a Sum over an index range must be a term of the expression"),
        (dict(variables=X, objective=sp.Sum(sp.IndexedBase("q")[i], (i, 0, 2))),
         r"q is neither a variable nor a data array"),
        (dict(variables=X, objective=sp.Sum(X[i] * sp.Symbol("a"), (i, 0, 2))),
         r"uses symbol a, which is not one of the problem's variables"),
        (dict(variables=X, objective=X[0] + X[5]), r"reaches index 5 on axis 0 of variable x"),
        (dict(variables=X, objective=X[0], x0=np.zeros(4)), r"x0 has 4 entries but there are 3 variables"),
    ],
    ids=["variable index outside its shape", "data index outside its shape", "data with nan",
         "data longer than the range", "shaped variable without a shape", "fractional sum bound",
         "symbolic sum bound", "index not affine", "sum inside a function", "unknown indexed name",
         "unknown symbol", "constant index outside", "x0 of the wrong size"],
)  # fmt: skip
def test_bad_structured_declarations_name_the_field_index_and_shape(fields, message):
    with pytest.raises(ProblemDeclarationError, match=message):
        _declare(**fields)


def test_x0_may_be_given_per_variable():
    w = sp.IndexedBase("w", shape=(2, 2))
    b = sp.Symbol("b")
    problem = Problem(name="p", variables=(w, b), objective=sp.Sum(w[i, 0] ** 2 + w[i, 1] ** 2, (i, 0, 1)) + b**2,
                      x0={"w": [[1, 2], [3, 4]], "b": 5})  # fmt: skip
    np.testing.assert_array_equal(problem.x0, [1, 2, 3, 4, 5])
    with pytest.raises(ProblemDeclarationError, match=r"x0\['w'\] has shape \(2,\) but w has shape \(2, 2\)"):
        Problem(name="p", variables=(w, b), objective=b**2, x0={"w": [1, 2], "b": 5})


def test_fingerprint_covers_the_data():
    a, b = logistic(seed=0), logistic(seed=0)
    assert a.fingerprint() == b.fingerprint()
    assert logistic(seed=1).fingerprint() != a.fingerprint()


# -- samples -------------------------------------------------------------------------------------------
def test_mini_batch_gradients_average_to_the_full_gradient():
    problem = logistic(rows=40)
    model = compile_model(problem)
    x = np.linspace(-0.5, 0.5, problem.n)
    permutation = np.random.default_rng(3).permutation(40)
    batches = permutation.reshape(5, 8)
    average = np.mean([model.batch_gradient(x, rows) for rows in batches], axis=0)
    np.testing.assert_allclose(average, model.exact.gradient(x), rtol=1e-13, atol=1e-15)
    values = np.mean([model.batch_value(x, rows) for rows in batches])
    assert values == pytest.approx(model.exact.value(x), rel=1e-13)


def test_batch_calls_charge_the_rows_they_evaluate():
    problem = logistic(rows=40)
    x = np.zeros(problem.n)
    exact = problem.oracle("analytic")
    exact.batch_gradient(x, np.arange(8))
    assert exact.counts.batch_gradient == 1 and exact.counts.sample_evaluations == 8
    assert exact.counts.work == pytest.approx(8 / 40) and exact.counts.gradient_evaluations == 0
    forward = problem.oracle("fd-forward")
    forward.batch_gradient(x, np.arange(8))
    assert forward.counts.sample_evaluations == (problem.n + 1) * 8  # n + 1 batch values of 8 rows
    assert forward.counts.gradient_evaluations == 0
    full = problem.oracle("fd-forward")
    full.gradient(x)
    assert full.counts.objective_evaluations == problem.n + 1 and full.counts.work == problem.n + 1  # n + 1 passes


def test_a_problem_without_samples_has_no_batches():
    with pytest.raises(ValueError, match="no sum over samples"):
        chained_rosenbrock(4).oracle("analytic").batch_gradient(np.zeros(4), np.arange(2))


def test_a_sum_inside_a_function_is_written_out_into_the_plain_part():
    n = 5
    x = sp.IndexedBase("x", shape=(n,))
    penalty = Problem(name="penalty", variables=x, x0=np.arange(1.0, n + 1),
                      objective=sp.Sum((x[j] - 1) ** 2, (j, 0, n - 1)) / 10**5
                      + (sp.Sum(x[j] ** 2, (j, 0, n - 1)) - sp.Rational(1, 4)) ** 2)  # fmt: skip
    assert_same_functions(penalty)


# -- training on data ----------------------------------------------------------------------------------
def test_mini_batch_training_records_batch_losses_and_epochs():
    from workbench import solve

    problem = logistic(rows=40)
    result = solve(problem, "adam", batch_size=16, epochs=4, learning_rate=0.05, seed=3)
    per_epoch = 3  # ceil(40 / 16): batches of 16, 16 and 8 rows
    assert result.iterations == 4 * per_epoch
    epochs = [record for record in result.trace if record.epoch is not None]
    assert [record.epoch for record in epochs] == [1, 2, 3, 4]
    assert [record.k for record in epochs] == [3, 6, 9, 12]
    assert all(np.isfinite(record.f) for record in epochs)
    between = [record for record in result.trace[1:] if record.epoch is None]
    assert all(np.isnan(record.f) and np.isfinite(record.batch_f) for record in between)
    counts = result.counts
    assert counts["batch_gradient"] == 12 and counts["gradient"] == 0
    assert counts["sample_evaluations"] == 4 * 40 and result.work == pytest.approx(4.0)  # four passes
    again = solve(problem, "adam", batch_size=16, epochs=4, learning_rate=0.05, seed=3)
    np.testing.assert_array_equal(again.x, result.x)  # the shuffle is seeded
    other = solve(problem, "adam", batch_size=16, epochs=4, learning_rate=0.05, seed=4)
    assert not np.array_equal(other.x, result.x)


def test_the_batch_loss_is_the_exact_loss_of_the_batch_at_the_update_point():
    from workbench import solve

    problem = logistic(rows=40)
    result = solve(problem, "sgd", batch_size=40, epochs=2, learning_rate=0.1)  # one batch per epoch: all rows
    model = compile_model(problem)
    x0 = np.asarray(problem.x0, dtype=float)
    assert result.trace[1].batch_f == pytest.approx(model.exact.value(x0), rel=1e-12)
    assert result.trace[1].f == pytest.approx(model.exact.value(np.array(result.trace[1].x)), rel=1e-12)


def test_learning_rates_can_count_epochs():
    from workbench import solve

    problem = logistic(rows=40)
    result = solve(problem, "sgd", batch_size=10, epochs=12, learning_rate=0.1,
                   schedule="step:factor=0.5,every=5,unit=epoch")  # fmt: skip
    rates = [record.learning_rate for record in result.trace[1:]]
    assert rates[:20] == [0.1] * 20 and rates[20:40] == [0.05] * 20 and rates[40:] == [0.025] * 8
    with pytest.raises(ValueError, match="unit=epoch.*give batch_size or epochs"):
        solve(problem, "sgd", schedule="step:factor=0.5,every=5,unit=epoch")
    with pytest.raises(ValueError, match="no sum over samples"):
        solve(chained_rosenbrock(4), "adam", batch_size=2)


def test_full_batch_methods_run_on_the_same_data_problem_and_are_judged_against_a_reference():
    from scipy.optimize import minimize

    from workbench import solve
    from workbench.verdict import reference_value

    problem = logistic(rows=40)
    exact = compile_model(problem).exact
    independent = minimize(exact.value, np.zeros(problem.n), jac=exact.gradient, method="BFGS",
                           options={"gtol": 1e-12})  # fmt: skip
    assert reference_value(problem) == pytest.approx(independent.fun, rel=1e-12)
    for method in ("newton", "lbfgs", "trust-constr"):
        result = solve(problem, method)
        assert result.status == "converged", result.message
        assert result.f_error <= 1e-6
    short = solve(problem, "sgd", epochs=3, learning_rate=0.01)
    assert short.status == "max_iterations" and "f_ref" in short.message


def test_the_data_problems_agree_with_hand_written_numpy(library):
    """Independent truth: the logistic loss and the network's loss and gradient (backpropagation)
    written out in NumPy on the same stored data."""
    logistic_problem = library["breast_cancer_logistic"]
    X, y = logistic_problem.data["X"], logistic_problem.data["y"]
    rows, features = X.shape
    rng = np.random.default_rng(0)
    w = rng.normal(size=features + 1) * 0.1
    sign = 2 * y - 1
    margin = sign * (X @ w[:-1] + w[-1])
    l2 = 1e-3
    value = np.mean(np.log1p(np.exp(-margin))) + l2 / 2 * np.sum(w[:-1] ** 2)
    weight = -sign / (1 + np.exp(margin)) / rows
    gradient = np.concatenate([X.T @ weight + l2 * w[:-1], [weight.sum()]])
    exact = compile_model(logistic_problem).exact
    assert exact.value(w) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(exact.gradient(w), gradient, rtol=1e-12, atol=1e-15)

    network = library["breast_cancer_network"]
    hidden = network.layout.shapes[0][1]
    theta = rng.normal(size=network.n) * 0.3
    W1 = theta[: features * hidden].reshape(features, hidden)
    b1 = theta[features * hidden : features * hidden + hidden]
    W2 = theta[features * hidden + hidden : features * hidden + 3 * hidden].reshape(hidden, 2)
    b2 = theta[-2:]
    H = np.tanh(X @ W1 + b1)
    Z = H @ W2 + b2
    labels = y.astype(int)
    log_softmax = Z - np.logaddexp(Z[:, 0], Z[:, 1])[:, None]
    value = -np.mean(log_softmax[np.arange(rows), labels])
    dZ = np.exp(log_softmax)
    dZ[np.arange(rows), labels] -= 1
    dZ /= rows
    dH = dZ @ W2.T * (1 - H**2)
    gradient = np.concatenate([(X.T @ dH).ravel(), dH.sum(axis=0), (H.T @ dZ).ravel(), dZ.sum(axis=0)])
    exact = compile_model(network).exact
    assert exact.value(theta) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(exact.gradient(theta), gradient, rtol=1e-10, atol=1e-14)
    accuracy = np.mean((Z[:, 1] > Z[:, 0]) == (labels == 1))
    assert accuracy >= 0  # the training accuracy; the declared metric is on the test rows:
    Xt, yt = network.data["Xt"], network.data["yt"]
    Zt = np.tanh(Xt @ W1 + b1) @ W2 + b2
    test_accuracy = np.mean((Zt[:, 1] > Zt[:, 0]) == (yt == 1))
    assert compile_model(network).metrics(theta)["test accuracy"] == pytest.approx(test_accuracy, abs=1e-12)


def test_a_wide_summand_takes_its_hessian_from_products_and_they_agree_with_the_entries(monkeypatch):
    """The same template's Hessian entry by entry and from Hessian-vector products: equal to rounding,
    in the dense data-row case (every slot fixed) and with moving slots (a chain of wide terms)."""
    from workbench import templates
    from workbench.structured import StructuredFunctions

    chain = sp.IndexedBase("x", shape=(12,))
    wide_chain = Problem(name="wide_chain", variables=chain, x0=np.linspace(-1, 1, 12),
                         objective=sp.Sum(sp.exp(sp.sin(chain[i]) * chain[i + 1] / 3) * chain[i + 2] ** 2
                                          + (chain[i] - chain[i + 1]) ** 4, (i, 0, 9)))  # fmt: skip
    rng = np.random.default_rng(3)
    for problem in (two_layer(rows=10, inputs=6, hidden=5), wide_chain):
        x = np.asarray(problem.x0) + 0.3 * rng.standard_normal(problem.n)
        monkeypatch.setattr(templates, "HESSIAN_PRODUCT_SLOTS", 1)
        products = StructuredFunctions(problem)
        assert all(t.hessian_from_products for t in products.objective_templates)
        function, assembler = products.hessian
        from_products = assembler.dense(function(x))
        monkeypatch.setattr(templates, "HESSIAN_PRODUCT_SLOTS", 10**6)
        entries = StructuredFunctions(problem)
        assert not any(t.hessian_from_products for t in entries.objective_templates)
        function, assembler = entries.hessian
        by_entry = assembler.dense(function(x))
        assert _relative(from_products, by_entry) <= 1e-13
        assert np.count_nonzero(by_entry) > problem.n


def test_the_networks_exact_hessian_matches_differences_of_hand_written_backpropagation(library):
    """Independent truth for the Hessian from products: central differences (h = 1e-5, error ~h^2) of
    the network's gradient by hand-written NumPy backpropagation, with no workbench code involved."""
    network = library["breast_cancer_network"]
    X, y = network.data["X"], network.data["y"]
    rows, features = X.shape
    hidden = network.layout.shapes[0][1]
    labels = y.astype(int)

    def gradient(theta):
        W1 = theta[: features * hidden].reshape(features, hidden)
        b1 = theta[features * hidden : features * hidden + hidden]
        W2 = theta[features * hidden + hidden : features * hidden + 3 * hidden].reshape(hidden, 2)
        b2 = theta[-2:]
        H = np.tanh(X @ W1 + b1)
        Z = H @ W2 + b2
        dZ = np.exp(Z - np.logaddexp(Z[:, 0], Z[:, 1])[:, None])
        dZ[np.arange(rows), labels] -= 1
        dZ /= rows
        dH = dZ @ W2.T * (1 - H**2)
        return np.concatenate([(X.T @ dH).ravel(), dH.sum(axis=0), (H.T @ dZ).ravel(), dZ.sum(axis=0)])

    theta = np.random.default_rng(5).normal(size=network.n) * 0.3
    exact = compile_model(network).exact
    np.testing.assert_allclose(exact.gradient(theta), gradient(theta), rtol=1e-10, atol=1e-14)
    h = 1e-5
    reference = np.column_stack([(gradient(theta + h * e) - gradient(theta - h * e)) / (2 * h)
                                 for e in np.eye(network.n)])  # fmt: skip
    hessian = exact.hessian(theta)
    hessian = hessian.toarray() if hasattr(hessian, "toarray") else np.asarray(hessian)
    assert np.abs(hessian - hessian.T).max() == 0.0
    assert np.abs(hessian - reference).max() <= 1e-7 * max(1.0, np.abs(reference).max())
    assert np.count_nonzero(np.abs(hessian) > 1e-8) > network.n * network.n // 4  # dense: every weight couples
