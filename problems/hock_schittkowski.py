"""Constrained test problems from W. Hock and K. Schittkowski, *Test Examples for Nonlinear
Programming Codes*, Lecture Notes in Economics and Mathematical Systems 187, Springer, 1981.

Constraints follow the book: inequalities read ``g(x) >= 0``, equalities ``h(x) = 0``.
"""

import sympy as sp

from workbench import Problem

x1, x2, x3, x4 = sp.symbols("x1:5", real=True)

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
