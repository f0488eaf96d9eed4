"""The Moré-Garbow-Hillstrom library: every problem tagged ``mgh`` is checked against published
start values, its declared optimum, and a reference solve from x0 with SciPy and exact derivatives.

The generic checks run over every discovered problem with the ``mgh`` tag (so also the lecture
set's ``rosenbrock`` and ``beale``); the catalogue and residual checks read the MGH module itself.
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize

from workbench.discovery import builtin_folder, discover_problems, load_problem_file


def _load():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return discover_problems(), load_problem_file(builtin_folder() / "more_garbow_hillstrom.py")


LIBRARY, MODULE = _load()
MGH = {name: p for name, p in LIBRARY.items() if "mgh" in p.tags}
OWN = {name: p for name, p in MGH.items() if name.startswith("mgh")}

#: Problems whose oracle compiles slowly (LLVM, ~2 s each); they still run in CI.
HEAVY = {"mgh11_gulf", "mgh19_osborne_2"}

# Published f(x0), as printed (the printed digits set the tolerance: half a unit in the last place).
# "exact" values follow by hand from x0 and are checked to 1e-12.
#   [B] J. Burkardt, TEST_OPT (Fortran 90), test_opt_prb_output.txt (2012): F(X_START) per problem.
#   [T] Toms566.jl README (Algorithm 566's OBJFCN at its standard sizes; Gulf with m = 99).
# Burkardt's Box 3-D (34.7325) and Gulf (1.20538) values come from other readings of those two
# problems; we follow Algorithm 566, the paper's own code ([T]: 1.03e+03 and 1.21e+01).
PUBLISHED_F0 = {
    "mgh01_rosenbrock": ("24.2", "exact: 100 (1 - 1.44)^2 + 2.2^2", True),
    "rosenbrock": ("24.2", "exact: the lecture set's copy of problem 1", True),
    "mgh02_freudenstein_roth": ("400.5", "exact: f1 = 19.5, f2 = -4.5 (often rounded to 400)", True),
    "mgh03_powell_badly_scaled": ("1.13526", "[B] problem 4", False),
    "mgh04_brown_badly_scaled": ("0.999998E+12", "[B] problem 10", False),
    "mgh05_beale": ("14.203125", "exact: 1.5^2 + 2.25^2 + 2.625^2; [B] problem 16: 14.2031", True),
    "beale": ("14.203125", "exact: the lecture set's copy of problem 5", True),
    "mgh07_helical_valley": ("2500", "exact: theta = 1/2, f1 = -50; [B] problem 1", True),
    "mgh09_gaussian": ("0.388811E-05", "[B] problem 3", False),
    "mgh11_gulf": ("1.21e+01", "[T] problem 12 (m = 99)", False),
    "mgh12_box_3d": ("1.03e+03", "[T] problem 5 (m = 10)", False),
    "mgh13_powell_singular": ("215", "exact: 49 + 5 + 1 + 160; [B] problem 15 (n = 4)", True),
    "mgh14_wood": ("19192", "[B] problem 17", False),
    "mgh16_brown_dennis": ("0.792669E+07", "[B] problem 11", False),
    "mgh18_biggs_exp6": ("0.779070", "[B] problem 2", False),
    "mgh20_watson_6": ("30", "exact: 29 residuals -1 and f31 = -1 at x = 0; [B] problem 7", True),
    "mgh20_watson_9": ("30", "exact, as for n = 6", True),
    "mgh21_extended_rosenbrock_10": ("121", "exact: 5 x 24.2; [B] problem 14: 48.4 for n = 4", True),
    "mgh22_extended_powell_12": ("645", "exact: 3 x 215", True),
    "mgh23_penalty_1_4": ("885.063", "[B] problem 8 (n = 4)", False),
    "mgh24_penalty_2_4": ("2.34001", "[B] problem 9 (n = 4)", False),
    "mgh32_linear_full_rank_10": ("50", "exact: 10 residuals -1 and 10 residuals -2", True),
}

# Published f(x0) of the families at other sizes: (function, args, value, source).
PUBLISHED_FAMILY_F0 = [
    ("variably_dimensioned", (4,), "3222.19", "[B] problem 6 (n = 4)"),
    ("trigonometric", (4,), "0.130531E-01", "[B] problem 13 (n = 4)"),
    ("chebyquad", (4,), "0.711839E-01", "[B] problem 18 (n = m = 4)"),
    ("extended_rosenbrock", (4,), "48.4000", "[B] problem 14 (n = 4)"),
    ("extended_powell", (4,), "215.000", "[B] problem 15 (n = 4)"),
    ("watson", (4,), "30.0000", "[B] problem 7 (n = 4)"),
]

# The paper's printed optimal values (six digits): every declared f* must agree with them to one
# unit in the last printed digit (the paper truncates some: 48.98425... is printed 48.9842).
PAPER_F_STAR = {
    "mgh02_freudenstein_roth": "0",
    "mgh06_jennrich_sampson": "124.362",
    "mgh08_bard": "8.21487e-3",
    "mgh09_gaussian": "1.12793e-8",
    "mgh10_meyer": "87.9458",
    "mgh15_kowalik_osborne": "3.07505e-4",
    "mgh16_brown_dennis": "85822.2",
    "mgh17_osborne_1": "5.46489e-5",
    "mgh19_osborne_2": "4.01377e-2",
    "mgh20_watson_6": "2.28767e-3",
    "mgh20_watson_9": "1.39976e-6",
    "mgh23_penalty_1_4": "2.24997e-5",
    "mgh23_penalty_1_10": "7.08765e-5",
    "mgh24_penalty_2_4": "9.37629e-6",
    "mgh24_penalty_2_10": "2.93660e-4",
    "mgh35_chebyquad_8": "3.51687e-3",
}
PAPER_LOCAL_MINIMA = {
    "mgh02_freudenstein_roth": "48.9842",
    "mgh08_bard": "17.4286",
    "mgh15_kowalik_osborne": "1.02734e-3",
    "mgh18_biggs_exp6": "5.65565e-3",
}


def _half_ulp(printed: str) -> float:
    """Half a unit in the last printed digit: '1.13526' -> 5e-6, '0.999998E+12' -> 5e5."""
    return float(Decimal(1).scaleb(Decimal(printed).as_tuple().exponent)) / 2


def _params(names, slow=HEAVY):
    return [pytest.param(n, marks=pytest.mark.slow) if n in slow else n for n in sorted(names)]


def _oracle(problem):
    return problem.oracle("analytic")


def _tolerance(value: float) -> float:
    return 1e-6 * max(1.0, abs(value))


# --- 1. published start values ----------------------------------------------------------------
@pytest.mark.parametrize("name", _params(PUBLISHED_F0))
def test_start_value_matches_published(name):
    printed, source, exact = PUBLISHED_F0[name]
    assert name in MGH, f"{name} is not a discovered mgh problem"
    p = MGH[name]
    f0 = _oracle(p).value(np.array(p.x0))
    expected = float(printed)
    tolerance = 1e-12 * abs(expected) if exact else _half_ulp(printed) * (1 + 1e-9)
    assert abs(f0 - expected) <= tolerance, f"{name}: f(x0) = {f0!r}, published {printed} ({source})"


@pytest.mark.parametrize(("function", "args", "printed", "source"), PUBLISHED_FAMILY_F0)
def test_family_start_value_matches_published(function, args, printed, source):
    p = getattr(MODULE, function)(*args)
    f0 = _oracle(p).value(np.array(p.x0))
    assert abs(f0 - float(printed)) <= _half_ulp(printed) * (1 + 1e-9), f"{p.name}: {f0!r} vs {printed}"


@pytest.mark.parametrize("name", sorted(PAPER_F_STAR))
def test_f_star_rounds_to_the_paper(name):
    p = MGH[name]
    printed = PAPER_F_STAR[name]
    assert abs(p.f_star - float(printed)) <= 2 * _half_ulp(printed), (name, p.f_star)
    if name in PAPER_LOCAL_MINIMA:
        local = PAPER_LOCAL_MINIMA[name]
        assert any(abs(v - float(local)) <= 2 * _half_ulp(local) for v in p.local_minima), name


# --- 2. the declared optimum ------------------------------------------------------------------
@pytest.mark.parametrize("name", _params(n for n, p in MGH.items() if p.x_star is not None))
def test_declared_optimum_is_a_stationary_point_with_value_f_star(name):
    p = MGH[name]
    o = _oracle(p)
    x_star, x0 = np.array(p.x_star), np.array(p.x0)
    f = o.value(x_star)
    assert abs(f - p.f_star) <= _tolerance(p.f_star), f"{name}: f(x*) = {f!r}, f* = {p.f_star!r}"
    g = o.gradient(x_star)
    # relative to the gradient at x0 ...
    assert np.linalg.norm(g) <= 1e-6 * max(1.0, np.linalg.norm(o.gradient(x0))), (name, g)
    # ... and the Newton decrement g' H^+ g: what a Newton step could still gain (scale invariant)
    H = o.hessian(x_star)
    H = H.toarray() if hasattr(H, "toarray") else np.asarray(H)
    step = np.linalg.lstsq(H, g, rcond=1e-13)[0]
    assert abs(g @ step) <= 1e-12 * max(1.0, abs(p.f_star)), (name, g @ step)


# --- 3. a reference solve from x0 --------------------------------------------------------------
def _solve(problem, method):
    o = _oracle(problem)
    options = {"gtol": 1e-10, "maxiter": 3000}
    kwargs = {"jac": o.gradient}
    if method == "trust-exact":
        kwargs["hess"] = o.hessian
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "A bad approximation caused failure to predict improvement"
        return minimize(o.value, np.array(problem.x0), method=method, options=options, **kwargs)


def _classify(problem, f):
    if abs(f - problem.f_star) <= _tolerance(problem.f_star):
        return "f*"
    if any(abs(f - v) <= _tolerance(v) for v in problem.local_minima):
        return "local minimum"
    return None


@pytest.mark.parametrize("name", _params(MGH))
def test_reference_solve_from_x0_reaches_f_star_or_a_documented_local_minimum(name):
    p = MGH[name]
    assert p.f_star is not None, f"{name} declares no f*"
    tried = []
    for method in ("trust-exact", "BFGS"):
        result = _solve(p, method)
        outcome = _classify(p, result.fun)
        if outcome is not None:
            if outcome == "local minimum":
                assert "local-minima" in p.tags, f"{name} stops at a local minimum but is not tagged"
            return
        tried.append(f"{method}: f = {result.fun!r} ({result.message})")
    pytest.fail(f"{name}: no reference method reached f* = {p.f_star!r} or {p.local_minima}: {tried}")


# Which instances stop where, from x0 (the facts the notes state).
EXPECTED_STOPS = {
    ("mgh02_freudenstein_roth", "trust-exact"): "local minimum",
    ("mgh02_freudenstein_roth", "BFGS"): "local minimum",
    ("mgh26_trigonometric_10", "trust-exact"): "local minimum",
    ("mgh18_biggs_exp6", "trust-exact"): "f*",
    ("mgh18_biggs_exp6", "BFGS"): "local minimum",  # the saddle at 5.65565e-3
}


@pytest.mark.parametrize(("name", "method"), sorted(EXPECTED_STOPS))
def test_documented_stopping_points(name, method):
    p = MGH[name]
    assert _classify(p, _solve(p, method).fun) == EXPECTED_STOPS[name, method]


# --- the catalogue and its residuals ------------------------------------------------------------
def test_catalogue_has_all_35_functions_in_38_standard_instances():
    numbers = sorted({int(name[3:5]) for name in OWN})
    assert numbers == list(range(1, 36))
    assert len(OWN) == 38
    pattern = re.compile(r"^mgh(\d\d)_[a-z0-9_]+$")
    for name, p in OWN.items():
        number = int(pattern.match(name).group(1))
        assert {"mgh", "least-squares", "unconstrained"} <= set(p.tags), name
        assert p.bounds is None and not p.constraints, name
        assert p.source.endswith(f"problem {number}"), name
        assert p.notes, name
        assert p.f_star is not None, name
        assert ("variable-dimension" in p.tags) == (number >= 20), name
        if p.local_minima:
            assert "local-minima" in p.tags, name
            assert all(v > p.f_star for v in p.local_minima), name
    tagged = {name for name, p in OWN.items() if "minimum-at-infinity" in p.tags}
    assert tagged == {"mgh08_bard", "mgh15_kowalik_osborne"}
    badly = {name for name, p in OWN.items() if "badly-scaled" in p.tags}
    assert {"mgh03_powell_badly_scaled", "mgh04_brown_badly_scaled", "mgh10_meyer"} <= badly


@pytest.mark.parametrize("name", _params(OWN))
def test_objective_is_the_sum_of_squared_residuals(name):
    """Evaluates the residuals independently of the oracle (SymPy -> numpy, no common-subexpression
    elimination) and compares f = r'r at x0, x* and on the way, and its gradient 2 J'r (J by complex
    step) at x0 and on the way (at x* itself the gradient is rounding noise)."""
    p = OWN[name]
    residuals = sp.lambdify(p.variables, list(MODULE.residuals(name)), "numpy")

    def r(x):
        return np.array([np.broadcast_to(v, ()) for v in residuals(*x)], dtype=x.dtype)

    o = _oracle(p)
    x0 = np.array(p.x0)
    points = [x0] if p.x_star is None else [x0, x0 + 0.3 * (np.array(p.x_star) - x0), np.array(p.x_star)]
    for k, x in enumerate(points):
        rx = r(x)
        f = float(rx @ rx)
        assert abs(o.value(x) - f) <= 1e-9 * max(1.0, abs(f)), (name, x, o.value(x), f)
        if k == 2:
            continue  # at x* the gradient is rounding noise
        h = 1e-30
        J = np.column_stack([r(x + 1j * h * e).imag / h for e in np.eye(p.n)])
        g = 2 * J.T @ rx
        # rounding scale: the terms of 2 J'r before they cancel
        tolerance = 1e-9 * (2 * np.abs(J).T @ np.abs(rx)) + 1e-12 * np.abs(g).max()
        assert np.all(np.abs(o.gradient(x) - g) <= tolerance), (name, x, o.gradient(x), g)


def test_families_reject_invalid_sizes():
    for call in (
        lambda: MODULE.extended_rosenbrock(3),
        lambda: MODULE.extended_powell(6),
        lambda: MODULE.watson(32),
        lambda: MODULE.gulf(101),
        lambda: MODULE.linear_full_rank(5, 4),
        lambda: MODULE.chebyquad(5, 3),
    ):
        with pytest.raises(ValueError):
            call()


def test_families_at_other_sizes_have_their_own_names_and_known_optima():
    assert MODULE.watson(12).f_star == pytest.approx(4.72238e-10, abs=5e-16)
    assert MODULE.penalty_1(4).f_star == pytest.approx(MODULE.mgh23_penalty_1_4.f_star, rel=1e-15)
    assert MODULE.penalty_1(7).f_star is not None  # closed form for every n
    assert MODULE.chebyquad(6).f_star == 0.0
    assert MODULE.chebyquad(11).f_star is None
    assert MODULE.jennrich_sampson(12).name == "mgh06_jennrich_sampson_m12"
    assert MODULE.jennrich_sampson(12).f_star is None
    assert MODULE.linear_rank_1(5, 50).name == "mgh33_linear_rank_1_5_m50"
    assert MODULE.linear_rank_1(5, 50).f_star == pytest.approx(50 * 49 / (2 * 101))
