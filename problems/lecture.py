"""The lecture's landscapes: small functions that show how optimizers behave.

Each carries its known minimum. Families (``extended_rosenbrock(n)``, ``chained_rosenbrock(n)``) are
plain functions returning a Problem; the module-level instances are the library.
"""

import sympy as sp

from workbench import Problem

x, y = sp.symbols("x y", real=True)

ill_conditioned_quadratic = Problem(
    name="ill_conditioned_quadratic",
    variables=(x, y),
    objective=sp.Rational(1, 2) * (x**2 + 100 * y**2),
    x0=(1.0, 0.3),
    f_star=0.0,
    x_star=(0.0, 0.0),
    tags=("lecture", "quadratic"),
    notes="Hessian diag(1, 100): condition number 100, L = 100. Gradient descent converges for "
    "learning rates below 2/L = 0.02 and zig-zags across the valley; at 1/L it needs "
    "ceil(ln(2e-6) / (2 ln 0.99)) = 653 steps to reach f < 1e-6 from (1, 0.3).",
)

rosenbrock = Problem(
    name="rosenbrock",
    variables=(x, y),
    objective=100 * (y - x**2) ** 2 + (1 - x) ** 2,
    x0=(-1.2, 1.0),
    f_star=0.0,
    x_star=(1.0, 1.0),
    tags=("lecture", "mgh", "least-squares"),
    notes="The banana valley: first-order methods crawl along the curved valley floor.",
    source="H. H. Rosenbrock (1960); Moré, Garbow & Hillstrom (1981), problem 1",
)

saddle = Problem(
    name="saddle",
    variables=(x, y),
    objective=x**2 - y**2,
    bounds=[(-1, 1), (-1, 1)],
    x0=(1.0, 0.01),
    f_star=-1.0,
    x_star=(0.0, 1.0),
    tags=("lecture", "saddle"),
    notes="A saddle at the origin; unbounded below without the box, so the box [-1, 1]^2 gives it "
    "minima f* = -1 at (0, +-1). Started with y = 0 a gradient method stays on the stable manifold "
    "and converges to the saddle; with y != 0 the y-component grows by (1 + 2 lr) per step.",
)

monkey_saddle = Problem(
    name="monkey_saddle",
    variables=(x, y),
    objective=x**3 - 3 * x * y**2,
    bounds=[(-1, 1), (-1, 1)],
    x0=(-0.5, 0.1),
    f_star=-2.0,
    x_star=(1.0, 1.0),
    local_minima=(-1.0,),
    tags=("lecture", "saddle", "local-minima"),
    notes="A degenerate saddle (zero Hessian) at the origin with three descending valleys; minima "
    "f* = -2 at (1, +-1) on the box [-1, 1]^2, and a local minimum f = -1 at (-1, 0) on the "
    "boundary, where descent from x0 = (-0.5, 0.1) ends.",
)

_u = sp.Rational(21, 10) + sp.sqrt(sp.Rational(91, 100))  # x^2 at the two local minima
three_hump_camel = Problem(
    name="three_hump_camel",
    variables=(x, y),
    objective=2 * x**2 - sp.Rational(21, 20) * x**4 + x**6 / 6 + x * y + y**2,
    x0=(-1.5, 1.2),
    f_star=0.0,
    x_star=(0.0, 0.0),
    local_minima=(float(sp.Rational(7, 4) * _u - sp.Rational(21, 20) * _u**2 + _u**3 / 6),),
    tags=("lecture", "local-minima"),
    notes="Three minima: the global one at the origin and two local ones, f = 0.29864 at "
    "(+-1.74755, -+0.87378). Local methods started at x0 = (-1.5, 1.2) stop in the local one.",
)

beale = Problem(
    name="beale",
    variables=(x, y),
    objective=(sp.Rational(3, 2) - x + x * y) ** 2
    + (sp.Rational(9, 4) - x + x * y**2) ** 2
    + (sp.Rational(21, 8) - x + x * y**3) ** 2,
    x0=(1.0, 1.0),
    f_star=0.0,
    x_star=(3.0, 0.5),
    tags=("lecture", "mgh", "least-squares"),
    source="E. M. L. Beale (1958); Moré, Garbow & Hillstrom (1981), problem 5",
)

booth = Problem(
    name="booth",
    variables=(x, y),
    objective=(x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    x0=(0.0, 0.0),
    f_star=0.0,
    x_star=(1.0, 3.0),
    tags=("lecture", "quadratic", "least-squares"),
    notes="A convex quadratic: Newton's method solves it in one step.",
)

himmelblau = Problem(
    name="himmelblau",
    variables=(x, y),
    objective=(x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    x0=(0.0, 0.0),
    f_star=0.0,
    x_star=(3.0, 2.0),
    tags=("lecture", "least-squares", "multiple-minima"),
    notes="Four global minima with f = 0: (3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), "
    "(3.584428, -1.848127); x_star lists the first, so a run that reaches another has f = f* but a "
    "large distance to x_star.",
    source="D. M. Himmelblau, Applied Nonlinear Programming (1972)",
)


def extended_rosenbrock(n: int) -> Problem:
    """Moré-Garbow-Hillstrom problem 21: sum over pairs of 100 (x_2i - x_2i-1^2)^2 + (1 - x_2i-1)^2."""
    if n < 2 or n % 2:
        raise ValueError(f"extended_rosenbrock needs an even n >= 2, got {n}")
    v = sp.symbols(f"x1:{n + 1}", real=True)
    terms = []
    for i in range(0, n, 2):
        terms += [100 * (v[i + 1] - v[i] ** 2) ** 2, (1 - v[i]) ** 2]
    return Problem(
        name=f"extended_rosenbrock_{n}",
        variables=v,
        objective=sp.Add(*terms),
        x0=[-1.2, 1.0] * (n // 2),
        f_star=0.0,
        x_star=[1.0] * n,
        tags=("lecture", "least-squares", "sparse"),
        source="Moré, Garbow & Hillstrom (1981), problem 21",
    )


def chained_rosenbrock(n: int) -> Problem:
    """sum_{i<n} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2: a tridiagonal Hessian coupling neighbours."""
    if n < 2:
        raise ValueError(f"chained_rosenbrock needs n >= 2, got {n}")
    v = sp.symbols(f"x1:{n + 1}", real=True)
    terms = []
    for i in range(n - 1):
        terms += [100 * (v[i + 1] - v[i] ** 2) ** 2, (1 - v[i]) ** 2]
    return Problem(
        name=f"chained_rosenbrock_{n}",
        variables=v,
        objective=sp.Add(*terms),
        x0=[-1.2, 1.0] * (n // 2) + [-1.2] * (n % 2),
        f_star=0.0,
        x_star=[1.0] * n,
        tags=("lecture", "sparse"),
    )


extended_rosenbrock_10 = extended_rosenbrock(10)
