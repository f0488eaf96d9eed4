"""Methods: one table of methods x problems with every exception named, the lecture's figures,
every status provoked, counts against SciPy's own, and the interface of solve."""

import warnings

import numpy as np
import pytest
import sympy as sp
from scipy import optimize

from workbench import Problem
from workbench.methods import FIRST_ORDER, available_methods
from workbench.runner import solve

TABLE_PROBLEMS = (
    "ill_conditioned_quadratic",
    "rosenbrock",
    "booth",
    "beale",
    "himmelblau",
    "three_hump_camel",
    "saddle",
    "monkey_saddle",
    "hs071",
)
UNBOUNDED_ONLY = ("newton", "bfgs", "cg", "newton-cg", "trust-exact", "trust-ncg", "trust-krylov")
#: (method, problem) -> (expected status, why). Everything not listed converges.
EXCEPTIONS = {
    **{(m, p): ("not_applicable", "no bounds handling") for m in UNBOUNDED_ONLY for p in ("saddle", "monkey_saddle")},
    **{(m, "hs071"): ("not_applicable", "no constraints") for m in (*UNBOUNDED_ONLY, "lbfgs", *FIRST_ORDER)},
    **{(m, "three_hump_camel"): ("local_minimum", "x0 lies in a local basin") for m in available_methods()},
    **{(m, "monkey_saddle"): ("local_minimum", "descent ends at (-1, 0)")
       for m in ("lbfgs", "slsqp", "trust-constr", *FIRST_ORDER)},
    ("adadelta", "three_hump_camel"): ("max_iterations", "AdaDelta's steps start at sqrt(eps) ~ 1e-3"),
    **{(m, p): ("max_iterations", "default learning rate too small for 10^4 updates")
       for m in ("sgd", "adagrad", "adadelta") for p in ("rosenbrock", "beale")},
    **{(m, p): ("max_iterations", "AdaGrad / AdaDelta crawl at their default rates")
       for m in ("adagrad", "adadelta") for p in ("ill_conditioned_quadratic", "booth", "himmelblau")},
    ("adagrad", "saddle"): ("max_iterations", "AdaGrad's shrinking steps crawl towards the bound"),
    ("adagrad", "three_hump_camel"): ("local_minimum", "x0 lies in a local basin"),
    **{(m, "rosenbrock"): ("max_iterations", "the banana valley at lr 1e-2 / 1e-3") for m in ("rmsprop", "adam")},
    ("rmsprop", "beale"): ("max_iterations", "oscillates at lr 1e-2"),
}  # fmt: skip


@pytest.fixture(scope="module")
def problems(library):
    return library


@pytest.mark.parametrize("method", list(available_methods()))
def test_method_by_problem_table(method, problems):
    for name in TABLE_PROBLEMS:
        result = solve(problems[name], method, "analytic")
        expected, why = EXCEPTIONS.get((method, name), ("converged", ""))
        assert result.status == expected, f"{method} on {name}: {result.summary()} (expected {expected}: {why})"
        if expected == "not_applicable":
            assert result.message and result.counts == {}


def test_hs071_trust_constr_reaches_the_lecture_targets(problems):
    hs071 = problems["hs071"]
    analytic = solve(hs071, "trust-constr", "analytic")
    assert analytic.status == "converged"
    assert analytic.f_error <= 1e-8 * abs(hs071.f_star)
    for variant in ("fd-forward", "fd-central", "complex-step", "fd-forward+bfgs", "analytic+sr1"):
        result = solve(hs071, "trust-constr", variant)
        assert result.f_error <= 1e-6 * abs(hs071.f_star), result.summary()
    bfgs = solve(hs071, "trust-constr", "fd-forward+bfgs")
    assert bfgs.iterations > 3 * analytic.iterations  # the lesson: a model, not a derivative


def test_newton_on_rosenbrock_converges_quadratically(problems):
    result = solve(problems["rosenbrock"], "newton", "analytic")
    assert result.status == "converged" and result.iterations <= 30
    errors = [float(np.linalg.norm(np.array(r.x) - 1.0)) for r in result.trace]
    tail = [e for e in errors if e > 1e-15][-4:]
    # quadratic convergence: e_{k+1} <= C e_k^2 with a modest C, and the digits double
    for before, after in zip(tail, tail[1:], strict=False):
        assert after <= 50 * before**2  # measured ratios 2-18
    assert errors[-1] < 1e-9


def test_newton_solves_a_quadratic_in_one_step(problems):
    for variant in ("analytic", "complex-step"):
        result = solve(problems["booth"], "newton", variant)
        assert result.iterations == 1 and result.status == "converged"
        np.testing.assert_allclose(result.x, [1.0, 3.0], atol=1e-7)


def test_sgd_on_the_ill_conditioned_quadratic_matches_the_closed_form(problems):
    quadratic = problems["ill_conditioned_quadratic"]
    # lr = 1/L: y is killed in one step, x shrinks by 0.99 per step: f_k = 0.99^(2k) / 2
    result = solve(quadratic, "sgd", "analytic", learning_rate=0.01, target=1e-6)
    expected = int(np.ceil(np.log(2e-6) / (2 * np.log(0.99))))
    assert expected == 653 and result.iterations == expected and result.status == "converged"
    diverging = solve(quadratic, "sgd", "analytic", learning_rate=0.021)
    assert diverging.status == "diverged" and "ran off" in diverging.message
    first = result.trace[1]
    np.testing.assert_allclose(first.x, [0.99, 0.0], atol=1e-15)  # hand-computed first step


def test_momentum_and_nesterov_need_ten_times_fewer_iterations_than_sgd_on_rosenbrock(problems):
    options = dict(learning_rate=1e-3, target=1e-6, max_iterations=100_000)
    sgd = solve(problems["rosenbrock"], "sgd", "analytic", **options)
    for method in ("momentum", "nesterov"):
        fast = solve(problems["rosenbrock"], method, "analytic", momentum=0.9, **options)
        assert fast.status == "converged"
        assert 5 < sgd.iterations / fast.iterations < 20


def test_counts_agree_with_scipys_own_counters(problems):
    rosenbrock = problems["rosenbrock"]
    x0 = np.array(rosenbrock.x0)
    reference = optimize.minimize(optimize.rosen, x0, jac=optimize.rosen_der, hess=optimize.rosen_hess,
                                  method="trust-exact", options={"gtol": 1e-8})  # fmt: skip
    ours = solve(rosenbrock, "trust-exact", "analytic")
    assert ours.method_iterations == reference.nit
    assert ours.counts["value"] == reference.nfev
    assert ours.counts["gradient"] == reference.njev
    assert ours.counts["hessian"] == reference.nhev
    bfgs = optimize.minimize(optimize.rosen, x0, jac=optimize.rosen_der, method="BFGS",
                             options={"gtol": 1e-8, "norm": np.inf, "xrtol": 0.0})  # fmt: skip
    forward = solve(rosenbrock, "bfgs", "fd-forward")
    analytic = solve(rosenbrock, "bfgs", "analytic")
    assert analytic.counts["value"] == bfgs.nfev and analytic.counts["gradient"] == bfgs.njev
    # each forward-difference gradient costs n evaluations beyond f(x), which BFGS evaluates first
    n = rosenbrock.n
    c = forward.counts
    assert c["objective_evaluations"] == c["value"] + n * c["gradient"]


x, y = sp.symbols("x y", real=True)


def test_every_status_can_be_provoked(problems):
    rosenbrock = problems["rosenbrock"]
    assert solve(rosenbrock, "sgd", "analytic", max_iterations=10).status == "max_iterations"
    budget = solve(rosenbrock, "lbfgs", "fd-forward", max_evaluations=20)
    assert budget.status == "max_evaluations"
    assert budget.counts["objective_evaluations"] <= 20 + rosenbrock.n
    assert solve(rosenbrock, "newton", "fd-central", time_limit=1e-9).status == "timeout"
    assert solve(problems["ill_conditioned_quadratic"], "sgd", learning_rate=0.05).status == "diverged"
    assert solve(problems["three_hump_camel"], "bfgs").status == "local_minimum"
    assert solve(problems["hs071"], "bfgs").status == "not_applicable"
    # a method that claims success where the verdict disagrees
    claimed = solve(rosenbrock, "bfgs", "analytic", gtol=1e3)
    assert claimed.status == "failed" and claimed.claimed_success
    assert "claimed success" in claimed.message
    # a singular Hessian in the pure Newton step
    flat = Problem(name="flat", variables=(x, y), objective=x**4 + y**2, x0=(0.0, 1.0), f_star=0.0)
    assert solve(flat, "newton", pure=True, gtol=1e-20).status == "failed"
    # NaN from the objective: log of a negative number
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nan = Problem(name="nan", variables=(x, y), objective=-sp.log(x) + x + y**2, x0=(5.0, 1.0), f_star=1.0)
    result = solve(nan, "sgd", learning_rate=10.0)  # x1 = 5 - 10 * 0.8 = -3: log(-3) is NaN
    assert result.status == "diverged" and "not finite" in result.message


def test_an_exception_inside_a_method_is_a_failed_run(monkeypatch, problems):
    from workbench.methods import newton

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(newton, "modified_newton_direction", broken)
    result = solve(problems["rosenbrock"], "newton")
    assert result.status == "failed" and "RuntimeError: boom" in result.message


def test_unknown_options_and_methods_are_errors_that_list_the_choices(problems):
    with pytest.raises(TypeError, match="accepts .*learning_rate"):
        solve(problems["rosenbrock"], "sgd", learning_rat=0.1)
    with pytest.raises(ValueError, match="did you mean 'newton'"):
        solve(problems["rosenbrock"], "newtn")
    with pytest.raises(ValueError, match="unknown derivative variant"):
        solve(problems["rosenbrock"], "newton", "fd-sideways")


def test_results_record_the_resolved_options(problems):
    result = solve(problems["rosenbrock"], "adam", "fd-central", learning_rate=0.05, seed=7, max_iterations=50)
    assert result.options == {
        "learning_rate": 0.05, "seed": 7, "max_iterations": 50,  # as asked
        "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "gradient_noise": 0.0, "schedule": "constant",  # defaults
        "gtol": 1e-8, "max_evaluations": None, "target": None, "time_limit": None, "x0": None,
        "batch_size": None, "epochs": None,
    }  # fmt: skip
    assert result.seed == 7 and result.variant == "fd-central" and result.method == "adam"
    assert result.trace[0].k == 0 and result.trace[-1].k == result.iterations == 50
    assert result.trace[-1].x is not None  # small n: iterates kept for trajectory plots


def test_schedules_and_noise_are_seeded_and_reproducible(problems):
    quadratic = problems["ill_conditioned_quadratic"]
    options = dict(learning_rate=0.01, schedule="step:factor=0.5,every=100", gradient_noise=0.1, max_iterations=300)
    a = solve(quadratic, "momentum", seed=3, **options)
    b = solve(quadratic, "momentum", seed=3, **options)
    c = solve(quadratic, "momentum", seed=4, **options)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    assert a.trace[150].learning_rate == pytest.approx(0.005)  # update 151 uses schedule(150)


def test_projection_keeps_first_order_iterates_in_the_box(problems):
    saddle = problems["saddle"]
    for method in FIRST_ORDER:
        result = solve(saddle, method, max_iterations=200)
        for record in result.trace:
            assert -1 <= record.x[0] <= 1 and -1 <= record.x[1] <= 1
