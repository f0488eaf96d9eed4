"""The lesson's plan: which methods, rates, noise levels, schedules, sizes and sweeps its studies use.

Plain data, imported by both sides: the run side (:mod:`workbench.lesson.runs` declares the studies
from it) and the sections that render them (which need the same names and numbers to find the runs
and to say what was run). Nothing here runs or imports anything.
"""

from __future__ import annotations

__all__ = [
    "BROWN",
    "BROWN_UNSCALED",
    "ESCAPE_TARGET",
    "FIRST_ORDER",
    "HESSIAN_SIZES",
    "NOISE_LEVELS",
    "NOISE_SEEDS",
    "RACE_RATES",
    "RATE_FACTORS",
    "SCHEDULES",
    "SCHEDULE_RATE",
    "SWEEPS",
    "TARGET",
    "hessian_family_name",
]

#: One learning rate per first-order method for the races (AdaDelta's 1.0 is PyTorch's default: the
#: method has no learning rate of its own; AdaGrad's steps shrink, so it starts 10x higher).
RACE_RATES: dict[str, float] = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.1,
    "rmsprop": 0.01,
    "adam": 0.01,
    "adadelta": 1.0,
}
FIRST_ORDER = tuple(RACE_RATES)
#: SGD learning rates on the ill-conditioned quadratic as multiples of 1/L.
RATE_FACTORS = (0.5, 1.0, 1.9, 2.1)
#: Stop once f - f∗ <= TARGET (the lecture's "f < 1e-6" on problems with f∗ = 0).
TARGET = 1e-6
#: Standard deviations of the seeded Gaussian noise added to the gradient.
NOISE_LEVELS = (0.0, 0.3, 1.0, 3.0)
NOISE_SEEDS = (0, 1, 2)
#: The learning-rate schedules compared, with noisy gradients, from one initial rate.
SCHEDULES = ("constant", "step:factor=0.5,every=150", "exponential:rate=0.004", "inverse-time:rate=0.02")
SCHEDULE_RATE = 0.018
#: f - f∗ <= ESCAPE_TARGET on the saddle x^2 - y^2 (f∗ = -1): half way down from the saddle's f = 0.
ESCAPE_TARGET = 0.5
#: Problems whose gradient error is swept over the finite-difference step (well and badly scaled).
SWEEPS = ("rosenbrock", "mgh04_brown_badly_scaled")
#: Brown's badly scaled function as the library declares it (with typical_x = x*), and the same function
#: without typical_x (the textbook steps max(1, |x_i|)): the optimizer runs of section 8 use both.
BROWN = "mgh04_brown_badly_scaled"
BROWN_UNSCALED = "mgh04_brown_badly_scaled_no_typical_x"


#: Sizes n of chained_rosenbrock(n) for the cost of the Hessian (doubling: quadratic growth shows as x4).
HESSIAN_SIZES = (16, 32, 64, 128, 256)


def hessian_family_name(n: int) -> str:
    """The name ``chained_rosenbrock(n)`` gives its problem."""
    return f"chained_rosenbrock_{n}"
