"""The lesson's plan: which methods, rates, noise levels, schedules, sizes and sweeps its studies use.

Plain data, imported by both sides: the run side (:mod:`workbench.lesson.runs` declares the studies
from it) and the sections that render them (which need the same names and numbers to find the runs
and to say what was run). Nothing here runs or imports anything.
"""

from __future__ import annotations

__all__ = [
    "BATCH_SIZES",
    "BROWN",
    "BROWN_UNSCALED",
    "DATA_EPOCHS",
    "DATA_PROBLEM",
    "DATA_RATE",
    "DATA_SEEDS",
    "DECAY_BATCH",
    "EPOCH_DECAY",
    "ESCAPE_TARGET",
    "FIRST_ORDER",
    "GRADIENT_CHECK",
    "HESSIAN_SIZES",
    "NOISE_LEVELS",
    "NOISE_SEEDS",
    "RACE_RATES",
    "RATE_FACTORS",
    "SCHEDULES",
    "SCHEDULE_RATE",
    "SPREAD_DRAWS",
    "SPREAD_SEED",
    "SPREAD_SIZES",
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


#: Section 10, training from data: the Breast Cancer network (30 -> 8 tanh -> 2) trained by SGD.
DATA_PROBLEM = "breast_cancer_network"
#: Rows per mini-batch compared (None: the full batch, one update per epoch), at one learning rate.
BATCH_SIZES = (8, 32, 128, None)
DATA_RATE = 0.3
DATA_EPOCHS = 20
DATA_SEEDS = (0, 1, 2)
#: The per-epoch decay compared with a constant rate (PyTorch's StepLR stepped once per epoch), at batch size 8.
EPOCH_DECAY = "step:factor=0.5,every=5,unit=epoch"
DECAY_BATCH = 8
#: The spread of the batch gradient at x0: batch sizes, batches drawn per size, and their generator's seed.
SPREAD_SIZES = (8, 32, 128)
SPREAD_DRAWS = 200
SPREAD_SEED = 0
#: The network's gradient check at x0: the finite-difference variants set against the exact gradient.
GRADIENT_CHECK = ("fd-forward", "fd-central", "fd-richardson")
