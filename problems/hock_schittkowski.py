"""Constrained test problems from W. Hock and K. Schittkowski, *Test Examples for Nonlinear
Programming Codes*, Lecture Notes in Economics and Mathematical Systems 187, Springer, 1981.

Constraints follow the book: inequalities read ``g(x) >= 0``, equalities ``h(x) = 0``. Variables keep
the book's names x1..xn; x0, bounds and constraints are as printed. Several start points lie outside
the bounds (HS13, HS16, HS17, HS20, HS41, HS45, HS59): kept as printed, so loading this file emits
``InfeasibleStartWarning`` for them.

Oddities, and what this file does about them (details in each problem's ``notes``):

* HS13: the optimum (1, 0) sits on a cusp of the feasible set where LICQ fails; the KKT conditions
  do not hold there (no multipliers exist), so KKT-based tests fail and SQP / interior-point methods
  creep towards it without converging. A lesson in itself: a minimizer need not be a KKT point.
* HS55: the six linear equalities have rank 5 (LICQ fails everywhere on the feasible set); neither
  trust-constr nor SLSQP reaches the optimum from x0.
* Misprints: HS54's h(x) is garbled in the book (CUTEst: "incorrectly stated"); the original
  (Betts 1977, CUTEst HS54) is used, for which the printed x* and f* are exact. HS59: the
  coefficient of x1*x2**2, transcribed as 3.405E-4 from the printed formula, is 3.4054E-4 in ports
  of Schittkowski's Fortran TP59; only that value reproduces the printed f(x0) = 86.878639.
* Wrong or coarse solutions, refined here by Newton's method on the KKT system in 40-digit arithmetic
  (mpmath) and confirmed by multistart SLSQP: HS47 (the printed x* = (1, ..., 1), f* = 0 is a
  degenerate stationary point, not a minimizer; the minimum is -0.0267141827), HS59 (the printed x*
  is off the active constraint; f* = -7.804235954, not -7.804226324), HS64 (x* to 16 digits).
* Several local minima (``local_minima``, each verified by the second-order sufficient conditions):
  HS2, HS15, HS16, HS20, HS23, HS44, HS46, HS55, HS59, HS61; from x0, trust-constr ends at the
  local minimum of HS2, HS15 and HS16, SLSQP at that of HS2, HS16, HS20 and HS59.
"""

import math

import sympy as sp

from workbench import Problem

x1, x2, x3, x4, x5, x6, x7 = sp.symbols("x1:8", real=True)

SOURCE = "Hock & Schittkowski (1981), problem {}"


def _rosenbrock():
    return 100 * (x2 - x1**2) ** 2 + (1 - x1) ** 2


# ----------------------------------------------------------------------------------------------
# HS1 - HS5: bound constraints only

hs001 = Problem(
    name="hs001",
    variables=(x1, x2),
    objective=_rosenbrock(),
    bounds=[(None, None), (-1.5, None)],
    x0=(-2, 1),
    f_star=0.0,
    x_star=(1, 1),
    tags=("hs",),
    source=SOURCE.format(1),
)

hs002 = Problem(
    name="hs002",
    variables=(x1, x2),
    objective=_rosenbrock(),
    bounds=[(None, None), (1.5, None)],
    x0=(-2, 1),
    f_star=0.0504261879,
    # the book's closed form: x1* = 2a cos(arccos(1/b)/3), a = sqrt(598/1200), b = 400 a**3
    x_star=(
        2 * math.sqrt(598 / 1200) * math.cos(math.acos(1 / (400 * math.sqrt(598 / 1200) ** 3)) / 3),
        1.5,
    ),
    tags=("hs",),
    local_minima=(4.941229317989186,),
    notes="Second local minimum f = 4.941229317989186 at (-1.221026242107102, 1.5) on the bound "
    "x2 >= 1.5 (verified by the second-order conditions); from x0 = (-2, 1) both trust-constr and SLSQP "
    "end there, not at the global minimum.",
    source=SOURCE.format(2),
)

hs003 = Problem(
    name="hs003",
    variables=(x1, x2),
    objective=x2 + sp.Float("1e-5") * (x2 - x1) ** 2,
    bounds=[(None, None), (0, None)],
    x0=(10, 1),
    f_star=0.0,
    x_star=(0, 0),
    tags=("hs",),
    source=SOURCE.format(3),
)

hs004 = Problem(
    name="hs004",
    variables=(x1, x2),
    objective=(x1 + 1) ** 3 / 3 + x2,
    bounds=[(1, None), (0, None)],
    x0=(1.125, 0.125),
    f_star=sp.Rational(8, 3),
    x_star=(1, 0),
    tags=("hs",),
    source=SOURCE.format(4),
)

hs005 = Problem(
    name="hs005",
    variables=(x1, x2),
    objective=sp.sin(x1 + x2) + (x1 - x2) ** 2 - sp.Rational(3, 2) * x1 + sp.Rational(5, 2) * x2 + 1,
    bounds=[(-1.5, 4), (-3, 3)],
    x0=(0, 0),
    f_star=-sp.sqrt(3) / 2 - sp.pi / 3,
    x_star=(-math.pi / 3 + 0.5, -math.pi / 3 - 0.5),
    tags=("hs",),
    source=SOURCE.format(5),
)

# ----------------------------------------------------------------------------------------------
# HS8 - HS24: two variables, general constraints

_hs008_a = math.sqrt((25 + math.sqrt(301)) / 2)
hs008 = Problem(
    name="hs008",
    variables=(x1, x2),
    objective=sp.Integer(-1),
    constraints=(sp.Eq(x1**2 + x2**2 - 25, 0), sp.Eq(x1 * x2 - 9, 0)),
    x0=(2, 1),
    f_star=-1.0,
    x_star=(_hs008_a, 9 / _hs008_a),
    tags=("hs",),
    source=SOURCE.format(8),
)

hs009 = Problem(
    name="hs009",
    variables=(x1, x2),
    objective=sp.sin(sp.pi * x1 / 12) * sp.cos(sp.pi * x2 / 16),
    constraints=(sp.Eq(4 * x1 - 3 * x2, 0),),
    x0=(0, 0),
    f_star=-0.5,
    x_star=(-3, -4),
    tags=("hs",),
    source=SOURCE.format(9),
)

hs013 = Problem(
    name="hs013",
    variables=(x1, x2),
    objective=(x1 - 2) ** 2 + x2**2,
    constraints=((1 - x1) ** 3 - x2 >= 0,),
    bounds=[(0, None), (0, None)],
    x0=(-2, -2),
    f_star=1.0,
    x_star=(1, 0),
    tags=("hs",),
    notes="The optimum (1, 0) is a cusp of the feasible set: the active gradients (0, -1) of the "
    "constraint and (0, 1) of the bound x2 >= 0 are parallel, LICQ (and MFCQ) fail, and the KKT "
    "conditions do not hold: grad f = (-2, 0) is no combination of them. KKT-based checks therefore fail "
    "at the true minimizer, and SQP / interior-point methods approach it slowly without converging "
    "(trust-constr stops at f = 1.0071, SLSQP hits its iteration limit at f = 0.99999, slightly "
    "infeasible). A lesson in itself: a minimizer need not be a KKT point.",
    source=SOURCE.format(13),
)

hs015 = Problem(
    name="hs015",
    variables=(x1, x2),
    objective=_rosenbrock(),
    constraints=(x1 * x2 - 1 >= 0, x1 + x2**2 >= 0),
    bounds=[(None, 0.5), (None, None)],
    x0=(-2, 1),
    f_star=306.5,
    x_star=(0.5, 2),
    tags=("hs",),
    local_minima=(360.3797671742835,),
    notes="Second local minimum f = 360.3797671742835 at (-0.7921232205, -1.2624298520) with "
    "x1*x2 = 1 active (verified by the second-order conditions); trust-constr from x0 ends there, "
    "SLSQP reaches the global minimum.",
    source=SOURCE.format(15),
)

hs016 = Problem(
    name="hs016",
    variables=(x1, x2),
    objective=_rosenbrock(),
    constraints=(x1 + x2**2 >= 0, x1**2 + x2 >= 0),
    bounds=[(-0.5, 0.5), (None, 1)],
    x0=(-2, 1),
    f_star=0.25,
    x_star=(0.5, 0.25),
    tags=("hs",),
    local_minima=(sp.Rational(117, 2) - 25 * sp.sqrt(2),),
    notes="Second local minimum f = 117/2 - 25*sqrt(2) = 23.14466 at the vertex (-0.5, 1/sqrt(2)) "
    "(bound x1 >= -0.5 and x1 + x2**2 >= 0 active, both multipliers positive); from x0 = (-2, 1), "
    "outside the bounds, trust-constr and SLSQP both end there.",
    source=SOURCE.format(16),
)

hs017 = Problem(
    name="hs017",
    variables=(x1, x2),
    objective=_rosenbrock(),
    constraints=(x2**2 - x1 >= 0, x1**2 - x2 >= 0),
    bounds=[(-0.5, 0.5), (None, 1)],
    x0=(-2, 1),
    f_star=1.0,
    x_star=(0, 0),
    tags=("hs",),
    source=SOURCE.format(17),
)

hs018 = Problem(
    name="hs018",
    variables=(x1, x2),
    objective=x1**2 / 100 + x2**2,
    constraints=(x1 * x2 - 25 >= 0, x1**2 + x2**2 - 25 >= 0),
    bounds=[(2, 50), (0, 50)],
    x0=(2, 2),
    f_star=5.0,
    x_star=(math.sqrt(250), math.sqrt(2.5)),
    tags=("hs",),
    source=SOURCE.format(18),
)

hs019 = Problem(
    name="hs019",
    variables=(x1, x2),
    objective=(x1 - 10) ** 3 + (x2 - 20) ** 3,
    constraints=(
        (x1 - 5) ** 2 + (x2 - 5) ** 2 - 100 >= 0,
        -((x2 - 5) ** 2) - (x1 - 6) ** 2 + sp.Float("82.81") >= 0,
    ),
    bounds=[(13, 100), (0, 100)],
    x0=(20.1, 5.84),
    f_star=-6961.81381,
    x_star=(14.095, 0.84296079),
    tags=("hs",),
    notes="Both constraints are active: x1* = 14.095 exactly, x2* = 5 - sqrt(17.280975) and the exact "
    "minimum is -6961.8138755801 (the printed values agree to 1e-8 relative). trust-constr stops "
    "1.1e-6 (relative) short of f*; SLSQP reaches it.",
    source=SOURCE.format(19),
)

hs020 = Problem(
    name="hs020",
    variables=(x1, x2),
    objective=_rosenbrock(),
    constraints=(x1 + x2**2 >= 0, x1**2 + x2 >= 0, x1**2 + x2**2 - 1 >= 0),
    bounds=[(-0.5, 0.5), (None, None)],
    x0=(-2, 1),
    f_star=sp.Rational(163, 2) - 25 * sp.sqrt(3),
    x_star=(0.5, math.sqrt(3) / 2),
    tags=("hs",),
    local_minima=(sp.Rational(167, 2) - 25 * sp.sqrt(3),),
    notes="Second local minimum f = 167/2 - 25*sqrt(3) = f* + 2 = 40.19873 at the vertex "
    "(-0.5, sqrt(3)/2) (bound x1 >= -0.5 and x1**2 + x2**2 >= 1 active, multipliers positive); from "
    "x0 = (-2, 1), outside the bounds, SLSQP ends there and trust-constr stops near it "
    "(f = 40.19905, 8e-6 relative).",
    source=SOURCE.format(20),
)

hs022 = Problem(
    name="hs022",
    variables=(x1, x2),
    objective=(x1 - 2) ** 2 + (x2 - 1) ** 2,
    constraints=(-x1 - x2 + 2 >= 0, -(x1**2) + x2 >= 0),
    x0=(2, 2),
    f_star=1.0,
    x_star=(1, 1),
    tags=("hs",),
    source=SOURCE.format(22),
)

hs023 = Problem(
    name="hs023",
    variables=(x1, x2),
    objective=x1**2 + x2**2,
    constraints=(
        x1 + x2 - 1 >= 0,
        x1**2 + x2**2 - 1 >= 0,
        9 * x1**2 + x2**2 - 9 >= 0,
        x1**2 - x2 >= 0,
        x2**2 - x1 >= 0,
    ),
    bounds=[(-50, 50)] * 2,
    x0=(3, 1),
    f_star=2.0,
    x_star=(1, 1),
    tags=("hs",),
    local_minima=(5 + 2 * sp.sqrt(5),),
    notes="Second local minimum f = 5 + 2*sqrt(5) = 9.472136 at the vertex (-phi, phi**2), phi the "
    "golden ratio (constraints 1 and 4 active, multipliers positive); not reached from x0.",
    source=SOURCE.format(23),
)

hs024 = Problem(
    name="hs024",
    variables=(x1, x2),
    objective=((x1 - 3) ** 2 - 9) * x2**3 / (27 * sp.sqrt(3)),
    constraints=(x1 / sp.sqrt(3) - x2 >= 0, x1 + sp.sqrt(3) * x2 >= 0, -x1 - sp.sqrt(3) * x2 + 6 >= 0),
    bounds=[(0, None), (0, None)],
    x0=(1, 0.5),
    f_star=-1.0,
    x_star=(3, math.sqrt(3)),
    tags=("hs",),
    source=SOURCE.format(24),
)

# ----------------------------------------------------------------------------------------------
# HS25 - HS38: three and four variables

_hs025_u = [25 + (-50 * math.log(0.01 * i)) ** (2 / 3) for i in range(1, 100)]
hs025 = Problem(
    name="hs025",
    variables=(x1, x2, x3),
    objective=sp.Add(*[(-sp.Float(i) / 100 + sp.exp(-((u - x2) ** x3) / x1)) ** 2 for i, u in enumerate(_hs025_u, 1)]),
    bounds=[(0.1, 100), (0, 25.6), (0, 5)],
    x0=(100, 12.5, 3),
    f_star=0.0,
    x_star=(50, 25, 1.5),
    tags=("hs",),
    source=SOURCE.format(25),
)

hs027 = Problem(
    name="hs027",
    variables=(x1, x2, x3),
    objective=(x1 - 1) ** 2 / 100 + (x2 - x1**2) ** 2,
    constraints=(sp.Eq(x1 + x3**2 + 1, 0),),
    x0=(2, 2, 2),
    f_star=0.04,
    x_star=(-1, 1, 0),
    tags=("hs",),
    source=SOURCE.format(27),
)

hs029 = Problem(
    name="hs029",
    variables=(x1, x2, x3),
    objective=-x1 * x2 * x3,
    constraints=(-(x1**2) - 2 * x2**2 - 4 * x3**2 + 48 >= 0,),
    x0=(1, 1, 1),
    f_star=-16 * sp.sqrt(2),
    x_star=(4, 2 * math.sqrt(2), 2),
    tags=("hs",),
    source=SOURCE.format(29),
)

hs030 = Problem(
    name="hs030",
    variables=(x1, x2, x3),
    objective=x1**2 + x2**2 + x3**2,
    constraints=(x1**2 + x2**2 - 1 >= 0,),
    bounds=[(1, 10), (-10, 10), (-10, 10)],
    x0=(1, 1, 1),
    f_star=1.0,
    x_star=(1, 0, 0),
    tags=("hs",),
    source=SOURCE.format(30),
)

hs031 = Problem(
    name="hs031",
    variables=(x1, x2, x3),
    objective=9 * x1**2 + x2**2 + 9 * x3**2,
    constraints=(x1 * x2 - 1 >= 0,),
    bounds=[(-10, 10), (1, 10), (-10, 1)],
    x0=(1, 1, 1),
    f_star=6.0,
    x_star=(1 / math.sqrt(3), math.sqrt(3), 0),
    tags=("hs",),
    source=SOURCE.format(31),
)

hs032 = Problem(
    name="hs032",
    variables=(x1, x2, x3),
    objective=(x1 + 3 * x2 + x3) ** 2 + 4 * (x1 - x2) ** 2,
    constraints=(6 * x2 + 4 * x3 - x1**3 - 3 >= 0, sp.Eq(1 - x1 - x2 - x3, 0)),
    bounds=[(0, None)] * 3,
    x0=(0.1, 0.7, 0.2),
    f_star=1.0,
    x_star=(0, 0, 1),
    tags=("hs",),
    source=SOURCE.format(32),
)

hs033 = Problem(
    name="hs033",
    variables=(x1, x2, x3),
    objective=(x1 - 1) * (x1 - 2) * (x1 - 3) + x3,
    constraints=(x3**2 - x1**2 - x2**2 >= 0, x1**2 + x2**2 + x3**2 - 4 >= 0),
    bounds=[(0, None), (0, None), (0, 5)],
    x0=(0, 0, 3),
    f_star=sp.sqrt(2) - 6,
    x_star=(0, math.sqrt(2), math.sqrt(2)),
    tags=("hs",),
    source=SOURCE.format(33),
)

hs034 = Problem(
    name="hs034",
    variables=(x1, x2, x3),
    objective=-x1,
    constraints=(x2 - sp.exp(x1) >= 0, x3 - sp.exp(x2) >= 0),
    bounds=[(0, 100), (0, 100), (0, 10)],
    x0=(0, 1.05, 2.9),
    f_star=-sp.log(sp.log(10)),
    x_star=(math.log(math.log(10)), math.log(10), 10),
    tags=("hs",),
    source=SOURCE.format(34),
)

hs036 = Problem(
    name="hs036",
    variables=(x1, x2, x3),
    objective=-x1 * x2 * x3,
    constraints=(72 - x1 - 2 * x2 - 2 * x3 >= 0,),
    bounds=[(0, 20), (0, 11), (0, 42)],
    x0=(10, 10, 10),
    f_star=-3300.0,
    x_star=(20, 11, 15),
    tags=("hs",),
    source=SOURCE.format(36),
)

hs037 = Problem(
    name="hs037",
    variables=(x1, x2, x3),
    objective=-x1 * x2 * x3,
    constraints=(72 - x1 - 2 * x2 - 2 * x3 >= 0, x1 + 2 * x2 + 2 * x3 >= 0),
    bounds=[(0, 42)] * 3,
    x0=(10, 10, 10),
    f_star=-3456.0,
    x_star=(24, 12, 12),
    tags=("hs",),
    source=SOURCE.format(37),
)

hs038 = Problem(
    name="hs038",
    variables=(x1, x2, x3, x4),
    objective=(
        100 * (x2 - x1**2) ** 2
        + (1 - x1) ** 2
        + 90 * (x4 - x3**2) ** 2
        + (1 - x3) ** 2
        + sp.Float("10.1") * ((x2 - 1) ** 2 + (x4 - 1) ** 2)
        + sp.Float("19.8") * (x2 - 1) * (x4 - 1)
    ),
    bounds=[(-10, 10)] * 4,
    x0=(-3, -1, -3, -1),
    f_star=0.0,
    x_star=(1, 1, 1, 1),
    tags=("hs",),
    source=SOURCE.format(38),
)

# ----------------------------------------------------------------------------------------------
# HS41 - HS64

hs041 = Problem(
    name="hs041",
    variables=(x1, x2, x3, x4),
    objective=2 - x1 * x2 * x3,
    constraints=(sp.Eq(x1 + 2 * x2 + 2 * x3 - x4, 0),),
    bounds=[(0, 1), (0, 1), (0, 1), (0, 2)],
    x0=(2, 2, 2, 2),
    f_star=sp.Rational(52, 27),
    x_star=(2 / 3, 1 / 3, 1 / 3, 2),
    tags=("hs",),
    source=SOURCE.format(41),
)

hs044 = Problem(
    name="hs044",
    variables=(x1, x2, x3, x4),
    objective=x1 - x2 - x3 - x1 * x3 + x1 * x4 + x2 * x3 - x2 * x4,
    constraints=(
        8 - x1 - 2 * x2 >= 0,
        12 - 4 * x1 - x2 >= 0,
        12 - 3 * x1 - 4 * x2 >= 0,
        8 - 2 * x3 - x4 >= 0,
        8 - x3 - 2 * x4 >= 0,
        5 - x3 - x4 >= 0,
    ),
    bounds=[(0, None)] * 4,
    x0=(0, 0, 0, 0),
    f_star=-15.0,
    x_star=(0, 3, 0, 4),
    tags=("hs",),
    local_minima=(-13.0,),
    notes="An indefinite quadratic over a polytope: the vertex (3, 0, 4, 0) is a second, strict local "
    "minimum with f = -13 (four active constraints, all multipliers positive).",
    source=SOURCE.format(44),
)

hs045 = Problem(
    name="hs045",
    variables=(x1, x2, x3, x4, x5),
    objective=2 - x1 * x2 * x3 * x4 * x5 / 120,
    bounds=[(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)],
    x0=(2, 2, 2, 2, 2),
    f_star=1.0,
    x_star=(1, 2, 3, 4, 5),
    tags=("hs",),
    source=SOURCE.format(45),
)

hs046 = Problem(
    name="hs046",
    variables=(x1, x2, x3, x4, x5),
    objective=(x1 - x2) ** 2 + (x3 - 1) ** 2 + (x4 - 1) ** 4 + (x5 - 1) ** 6,
    constraints=(sp.Eq(x1**2 * x4 + sp.sin(x4 - x5) - 1, 0), sp.Eq(x2 + x3**4 * x4**2 - 2, 0)),
    x0=(math.sqrt(2) / 2, 1.75, 0.5, 2, 2),
    f_star=0.0,
    x_star=(1, 1, 1, 1, 1),
    tags=("hs",),
    local_minima=(0.02108892862747122, 3.950247039974242),
    notes="Further local minima (second-order conditions verified): f = 0.0210889286 at "
    "(-0.58051, -0.56873, 1.10915, 1.30281, 0.70727) and f = 3.9502470400 at "
    "(-0.19488, 0.02619, -0.91258, 1.68700, 0.47610). The global minimum is degenerate (the Hessian "
    "of the Lagrangian is singular at x*: quartic and sixth-power terms), so convergence there is "
    "slow and x is accurate only to about the square root of the tolerance on f.",
    source=SOURCE.format(46),
)

hs047 = Problem(
    name="hs047",
    variables=(x1, x2, x3, x4, x5),
    objective=(x1 - x2) ** 2 + (x2 - x3) ** 3 + (x3 - x4) ** 4 + (x4 - x5) ** 4,
    constraints=(
        sp.Eq(x1 + x2**2 + x3**3 - 3, 0),
        sp.Eq(x2 - x3**2 + x4 - 1, 0),
        sp.Eq(x1 * x5 - 1, 0),
    ),
    x0=(2, math.sqrt(2), -1, 2 - math.sqrt(2), 0.5),
    f_star=-0.02671418269394084,
    x_star=(0.6770043948666402, 0.726089472652032, 1.215491214237097, 1.751329419235542, 1.477095285617732),
    tags=("hs",),
    local_minima=(0.0,),
    notes="The book prints x* = (1, 1, 1, 1, 1), f* = 0. That point is stationary (grad f = 0, all "
    "multipliers 0) and satisfies the second-order necessary conditions, but it is not a minimizer: "
    "along the feasible curve x2 = 1 + t, x3 = 1 - t (x1, x4, x5 from the constraints) "
    "f = 8 t**3 + O(t**4) < 0 for t < 0, because of the cubic term (x2 - x3)**3. The minimum is "
    "f* = -0.02671418269394084 at the x* stored here (Newton on the KKT system in 40 digits; best of "
    "400 SLSQP starts; the same value is given as best known in the APM model tp047r). Its value 0 is "
    "kept in local_minima because trust-constr and SLSQP from x0 converge to the book's point.",
    source=SOURCE.format(47),
)

hs049 = Problem(
    name="hs049",
    variables=(x1, x2, x3, x4, x5),
    objective=(x1 - x2) ** 2 + (x3 - 1) ** 2 + (x4 - 1) ** 4 + (x5 - 1) ** 6,
    constraints=(sp.Eq(x1 + x2 + x3 + 4 * x4 - 7, 0), sp.Eq(x3 + 5 * x5 - 6, 0)),
    x0=(10, 7, 2, -3, 0.8),
    f_star=0.0,
    x_star=(1, 1, 1, 1, 1),
    tags=("hs",),
    source=SOURCE.format(49),
)

hs050 = Problem(
    name="hs050",
    variables=(x1, x2, x3, x4, x5),
    objective=(x1 - x2) ** 2 + (x2 - x3) ** 2 + (x3 - x4) ** 4 + (x4 - x5) ** 2,
    constraints=(
        sp.Eq(x1 + 2 * x2 + 3 * x3 - 6, 0),
        sp.Eq(x2 + 2 * x3 + 3 * x4 - 6, 0),
        sp.Eq(x3 + 2 * x4 + 3 * x5 - 6, 0),
    ),
    x0=(35, -31, 11, 5, -5),
    f_star=0.0,
    x_star=(1, 1, 1, 1, 1),
    tags=("hs",),
    source=SOURCE.format(50),
)

hs052 = Problem(
    name="hs052",
    variables=(x1, x2, x3, x4, x5),
    objective=(4 * x1 - x2) ** 2 + (x2 + x3 - 2) ** 2 + (x4 - 1) ** 2 + (x5 - 1) ** 2,
    constraints=(sp.Eq(x1 + 3 * x2, 0), sp.Eq(x3 + x4 - 2 * x5, 0), sp.Eq(x2 - x5, 0)),
    x0=(2, 2, 2, 2, 2),
    f_star=sp.Rational(1859, 349),
    x_star=(-33 / 349, 11 / 349, 180 / 349, -158 / 349, 11 / 349),
    tags=("hs",),
    source=SOURCE.format(52),
)

hs053 = Problem(
    name="hs053",
    variables=(x1, x2, x3, x4, x5),
    objective=(x1 - x2) ** 2 + (x2 + x3 - 2) ** 2 + (x4 - 1) ** 2 + (x5 - 1) ** 2,
    constraints=(sp.Eq(x1 + 3 * x2, 0), sp.Eq(x3 + x4 - 2 * x5, 0), sp.Eq(x2 - x5, 0)),
    bounds=[(-10, 10)] * 5,
    x0=(2, 2, 2, 2, 2),
    f_star=sp.Rational(176, 43),
    x_star=(-33 / 43, 11 / 43, 27 / 43, -5 / 43, 11 / 43),
    tags=("hs",),
    source=SOURCE.format(53),
)

_hs054_h = (
    ((x1 - 10**4) ** 2 / sp.Float("6.4e7") + (x1 - 10**4) * (x2 - 1) / sp.Float("2e4") + (x2 - 1) ** 2)
    / sp.Float("0.96")
    + (x3 - 2 * 10**6) ** 2 / sp.Float("4.9e13")
    + (x4 - 10) ** 2 / sp.Float("2.5e3")
    + (x5 - sp.Float("1e-3")) ** 2 / sp.Float("2.5e-3")
    + (x6 - 10**8) ** 2 / sp.Float("2.5e17")
)
hs054 = Problem(
    name="hs054",
    variables=(x1, x2, x3, x4, x5, x6),
    objective=-sp.exp(-_hs054_h / 2),
    constraints=(sp.Eq(x1 + 4000 * x2 - 17600, 0),),
    bounds=[(0, 2e4), (-10, 10), (0, 1e7), (0, 20), (-1, 1), (0, 2e8)],
    x0=(6000, 1.5, 4e6, 2, 3e-3, 5e7),
    f_star=-sp.exp(sp.Rational(-27, 280)),
    x_star=(91600 / 7, 79 / 70, 2e6, 10, 1e-3, 1e8),
    tags=("hs",),
    notes="Misprint: the book's h(x) is garbled (it prints (x1 - 1.E6)**2/6.4E7 and the factor "
    "(x3 - 2.E6)**2/(.96*4.9E13) multiplying the first bracket; CUTEst's HS54.SIF calls the problem "
    "'incorrectly stated'). Declared here is Betts' original, the CUTEst form: a bivariate normal "
    "density in (x1, x2) with correlation 0.2 plus independent terms; the printed x* and "
    "f* = -exp(-27/280) are exact for it. The variables span 1e-3 to 1e8 and f is almost flat in x3 "
    "and x6 (curvatures 1/4.9e13 and 1/2.5e17): from x0 trust-constr stops on xtol at "
    "f = -0.906908 with x6 = 7.5e7 (relative error 1.3e-3); SLSQP's first step (x2 = 2.9, x5 = -0.61) "
    "lands where exp(-h/2) underflows, f and grad f vanish, and it stops 'successfully' at "
    "f = -7e-34. Neither reaches f* to 1e-6: a lesson in scaling.",
    source=SOURCE.format(54),
)

hs055 = Problem(
    name="hs055",
    variables=(x1, x2, x3, x4, x5, x6),
    objective=x1 + 2 * x2 + 4 * x5 + sp.exp(x1 * x4),
    constraints=(
        sp.Eq(x1 + 2 * x2 + 5 * x5 - 6, 0),
        sp.Eq(x1 + x2 + x3 - 3, 0),
        sp.Eq(x4 + x5 + x6 - 2, 0),
        sp.Eq(x1 + x4 - 1, 0),
        sp.Eq(x2 + x5 - 2, 0),
        sp.Eq(x3 + x6 - 2, 0),
    ),
    bounds=[(0, 1), (0, None), (0, None), (0, 1), (0, None), (0, None)],
    x0=(1, 2, 0, 0, 0, 2),
    f_star=sp.Rational(19, 3),
    x_star=(0, 4 / 3, 5 / 3, 1, 2 / 3, 1 / 3),
    tags=("hs",),
    local_minima=(sp.Rational(20, 3),),
    notes="The six linear equalities have rank 5 (rows 2 + 3 = rows 4 + 5 + 6), so LICQ fails at every "
    "feasible point and multipliers are not unique. The feasible set is the segment "
    "x = (t, (t+4)/3, (5-4t)/3, 1-t, (2-t)/3, (1+4t)/3), 0 <= t <= 1, on which "
    "f = t/3 + 16/3 + exp(t - t**2): minima at both ends, f* = 19/3 (t = 0) and the local minimum "
    "20/3 (t = 1). From x0 (infeasible) neither method reaches either end: trust-constr stops on "
    "xtol at t = 0.735 (f = 6.7933, optimality 7e-3), SLSQP reports 'Inequality constraints "
    "incompatible' at t = 0.766 (f = 6.7849); both need a full-rank constraint Jacobian.",
    source=SOURCE.format(55),
)

_hs056_a = math.asin(math.sqrt(1 / 4.2))
_hs056_b = math.asin(math.sqrt(5 / 7.2))
hs056 = Problem(
    name="hs056",
    variables=(x1, x2, x3, x4, x5, x6, x7),
    objective=-x1 * x2 * x3,
    constraints=(
        sp.Eq(x1 - sp.Float("4.2") * sp.sin(x4) ** 2, 0),
        sp.Eq(x2 - sp.Float("4.2") * sp.sin(x5) ** 2, 0),
        sp.Eq(x3 - sp.Float("4.2") * sp.sin(x6) ** 2, 0),
        sp.Eq(x1 + 2 * x2 + 2 * x3 - sp.Float("7.2") * sp.sin(x7) ** 2, 0),
    ),
    x0=(1, 1, 1, _hs056_a, _hs056_a, _hs056_a, _hs056_b),
    f_star=-3.456,
    x_star=(
        2.4,
        1.2,
        1.2,
        math.asin(math.sqrt(4 / 7)),
        math.asin(math.sqrt(2 / 7)),
        math.asin(math.sqrt(2 / 7)),
        math.pi / 2,
    ),
    tags=("hs",),
    notes="Infinitely many solutions: x* = (2.4, 1.2, 1.2, +-c + j*pi, +-d + k*pi, +-d + l*pi, "
    "(r + 1/2)*pi), c = arcsin(sqrt(4/7)), d = arcsin(sqrt(2/7)), j, k, l, r integers; x_star is the "
    "one with j = k = l = r = 0.",
    source=SOURCE.format(56),
)

_hs057_a = [8] * 2 + [10] * 4 + [12] * 4 + [14] * 3 + [16] * 3 + [18] * 2 + [20] * 3 + [22] * 3
_hs057_a += [24] * 3 + [26] * 3 + [28] * 2 + [30] * 3 + [32] * 2 + [34] + [36] * 2 + [38] * 2 + [40, 42]
_hs057_b = (
    "0.49 0.49 0.48 0.47 0.48 0.47 0.46 0.46 0.45 0.43 0.45 0.43 0.43 0.44 0.43 0.43 0.46 0.45 0.42 "
    "0.42 0.43 0.41 0.41 0.40 0.42 0.40 0.40 0.41 0.40 0.41 0.41 0.40 0.40 0.40 0.38 0.41 0.40 0.40 "
    "0.41 0.38 0.40 0.40 0.39 0.39"
).split()
hs057 = Problem(
    name="hs057",
    variables=(x1, x2),
    objective=sp.Add(
        *[
            (sp.Float(b) - x1 - (sp.Float("0.49") - x1) * sp.exp(-x2 * (a - 8))) ** 2
            for a, b in zip(_hs057_a, _hs057_b, strict=True)
        ]
    ),
    constraints=(sp.Float("0.49") * x2 - x1 * x2 - sp.Float("0.09") >= 0,),
    bounds=[(0.4, None), (-4, None)],
    x0=(0.42, 5),
    f_star=0.02845966972,
    x_star=(0.419952675, 1.284845629),
    tags=("hs",),
    notes="A nonlinear least-squares fit (44 data points). trust-constr from x0 stops at f = 0.030648 "
    "with x2 = 9.7 (the model flattens out for large x2); SLSQP reaches f*.",
    source=SOURCE.format(57),
)

_c = sp.Float
hs059 = Problem(
    name="hs059",
    variables=(x1, x2),
    objective=sp.Add(
        _c("-75.196"),
        _c("3.8112") * x1,
        _c("0.0020567") * x1**3,
        -_c("1.0345e-5") * x1**4,
        _c("6.8306") * x2,
        -_c("0.030234") * x1 * x2,
        _c("1.28134e-3") * x2 * x1**2,
        _c("2.266e-7") * x1**4 * x2,
        -_c("0.25645") * x2**2,
        _c("0.0034604") * x2**3,
        -_c("1.3514e-5") * x2**4,
        _c("28.106") / (x2 + 1),
        _c("5.2375e-6") * x1**2 * x2**2,
        _c("6.3e-8") * x1**3 * x2**2,
        -_c("7e-10") * x1**3 * x2**3,
        -_c("3.4054e-4") * x1 * x2**2,  # 3.405E-4 in transcriptions of the printed formula
        _c("1.6638e-6") * x1 * x2**3,
        _c("2.8673") * sp.exp(_c("0.0005") * x1 * x2),
        -_c("3.5256e-5") * x1**3 * x2,
        -_c("0.12694") * x1**2,
    ),
    constraints=(x1 * x2 - 700 >= 0, x2 - x1**2 / 125 >= 0, (x2 - 50) ** 2 - 5 * (x1 - 55) >= 0),
    bounds=[(0, 75), (0, 65)],
    x0=(90, 10),
    f_star=-7.804235953664801,
    x_star=(13.550088840434141, 51.66017789574671),
    tags=("hs",),
    local_minima=(-6.75456601913474,),
    notes="Misprint: transcriptions of the printed formula have -3.405E-4*x1*x2**2 (some also lack "
    "-0.12694*x1**2); with them f(x0) = 86.878999 and f(x*) = -7.80278, inconsistent with the printed "
    "f(x0) = 86.878639 and f* = -7.804226324. The coefficient 3.4054E-4 of the Fortran TP59 (also "
    "the rounding of 3.405462E-4, the coefficient of the same polynomial in Schittkowski's 1987 TP236) "
    "reproduces both printed values and is used here. Refined optimum: the printed "
    "x* = (13.55010424, 51.66018129) lies 8e-4 inside the active constraint x1*x2 >= 700, and its "
    "value, the printed f* = -7.804226324, is 9.6e-6 above the constrained minimum "
    "f* = -7.804235953664801 at the x* stored here (Newton on the KKT system in 40 digits). "
    "x0 = (90, 10) lies outside the bound x1 <= 75. Second, interior local minimum "
    "f = -6.75456601913474 at (46.3995767, 52.2196898); SLSQP from x0 ends there.",
    source=SOURCE.format(59),
)

hs060 = Problem(
    name="hs060",
    variables=(x1, x2, x3),
    objective=(x1 - 1) ** 2 + (x1 - x2) ** 2 + (x2 - x3) ** 4,
    constraints=(sp.Eq(x1 * (1 + x2**2) + x3**4 - 4 - 3 * sp.sqrt(2), 0),),
    bounds=[(-10, 10)] * 3,
    x0=(2, 2, 2),
    f_star=0.03256820025,
    x_star=(1.104859024, 1.196674194, 1.535262257),
    tags=("hs",),
    source=SOURCE.format(60),
)

hs061 = Problem(
    name="hs061",
    variables=(x1, x2, x3),
    objective=4 * x1**2 + 2 * x2**2 + 2 * x3**2 - 33 * x1 + 16 * x2 - 24 * x3,
    constraints=(sp.Eq(3 * x1 - 2 * x2**2 - 7, 0), sp.Eq(4 * x1 - x3**2 - 11, 0)),
    x0=(0, 0, 0),
    f_star=-143.6461422,
    x_star=(5.326770157, -2.118998639, 3.210464239),
    tags=("hs",),
    local_minima=(-81.91909609462745,),
    notes="Second local minimum f = -81.91909609 at (4.2912214, 1.7137188, 2.4829187) (second-order "
    "conditions verified). At x0 = 0 the two constraint gradients (3, 0, 0) and (4, 0, 0) are "
    "parallel: SLSQP stops at once ('Singular matrix C in LSQ subproblem'); trust-constr reaches f*.",
    source=SOURCE.format(61),
)

_hs062_c = sp.Float("0.03")
hs062 = Problem(
    name="hs062",
    variables=(x1, x2, x3),
    objective=-_c("32.174")
    * (
        255 * sp.log((x1 + x2 + x3 + _hs062_c) / (_c("0.09") * x1 + x2 + x3 + _hs062_c))
        + 280 * sp.log((x2 + x3 + _hs062_c) / (_c("0.07") * x2 + x3 + _hs062_c))
        + 290 * sp.log((x3 + _hs062_c) / (_c("0.13") * x3 + _hs062_c))
    ),
    constraints=(sp.Eq(x1 + x2 + x3 - 1, 0),),
    bounds=[(0, 1)] * 3,
    x0=(0.7, 0.2, 0.1),
    f_star=-26272.51448,
    x_star=(0.6178126908, 0.328202223, 0.05398508606),
    tags=("hs",),
    notes="trust-constr stalls at x0: 3000 iterations with 2 function evaluations, trust radius 1 and "
    "barrier parameter 0.1 unchanged, optimality 3.2e3 (no step is ever taken); SLSQP reaches f* in "
    "10 iterations. The logarithms are defined only for x3 > -0.03 (and similar), so methods that "
    "leave the bounds can fail with NaN.",
    source=SOURCE.format(62),
)

hs063 = Problem(
    name="hs063",
    variables=(x1, x2, x3),
    objective=1000 - x1**2 - 2 * x2**2 - x3**2 - x1 * x2 - x1 * x3,
    constraints=(sp.Eq(8 * x1 + 14 * x2 + 7 * x3 - 56, 0), sp.Eq(x1**2 + x2**2 + x3**2 - 25, 0)),
    bounds=[(0, None)] * 3,
    x0=(2, 2, 2),
    f_star=961.7151721,
    x_star=(3.512118414, 0.2169881741, 3.552174034),
    tags=("hs",),
    source=SOURCE.format(63),
)

hs064 = Problem(
    name="hs064",
    variables=(x1, x2, x3),
    objective=5 * x1 + 50000 / x1 + 20 * x2 + 72000 / x2 + 10 * x3 + 144000 / x3,
    constraints=(1 - 4 / x1 - 32 / x2 - 120 / x3 >= 0,),
    bounds=[(1e-5, None)] * 3,
    x0=(1, 1, 1),
    f_star=6299.842428,
    x_star=(108.7347049108989, 85.1262127908938, 204.3245966126055),
    tags=("hs",),
    notes="x* refined: the printed x* = (108.7347175, 85.12613942, 204.3247078) has a KKT residual of "
    "2.3e-6 relative to |grad f|; the stored x* is the solution of the KKT system in 40 digits "
    "(f = 6299.84242792152, the printed f* = 6299.842428 agrees).",
    source=SOURCE.format(64),
)

hs071 = Problem(
    name="hs071",
    variables=(x1, x2, x3, x4),
    objective=x1 * x4 * (x1 + x2 + x3) + x3,
    constraints=(x1 * x2 * x3 * x4 >= 25, sp.Eq(x1**2 + x2**2 + x3**2 + x4**2, 40)),
    bounds=[(1, 5)] * 4,
    x0=(1, 5, 5, 1),
    f_star=17.0140172891563,
    x_star=(1.0, 4.74299964, 3.82114998, 1.37940829),
    tags=("hs", "lecture"),
    notes="The lecture's practical task: trust-constr with analytic and finite-difference derivatives. "
    "At the integer x0 forward differences of this polynomial come out exact by luck.",
    source="Hock & Schittkowski (1981), problem 71",
)
