"""The report's data study, as plain data: which methods train the data problems, with which batch size,
epochs, learning-rate decay and learning rates. Imported by both sides: the run side
(:mod:`workbench.report.training_runs` declares the studies from it) and the training page
(:mod:`workbench.report.training`, which finds the runs by the study names and says what was run).
Nothing here runs or imports anything.

The setting: every problem tagged ``data`` (a finite sum over training rows, with declared metrics such
as a test accuracy), trained by the first-order family in mini-batches of :data:`BATCH_SIZE` rows for
:data:`EPOCHS` epochs (a seeded shuffle per epoch), the learning rate halved every 5 epochs
(:data:`SCHEDULE`, PyTorch's ``StepLR`` stepped once per epoch), beside the full-batch methods
:data:`FULL_BATCH` with exact derivatives, whose every iteration sees all rows.

Learning rates (:data:`RATES`): tuned once, not per run, by ``python benchmarks/data_rates.py``: each
method on each data problem at every rate of :data:`TUNING_GRID` (AdaDelta on
:data:`ADADELTA_TUNING_GRID`: its learning rate only scales its unit-consistent step, 1 by PyTorch's
default), in this setting with seed 0; per method, the rate with the lowest geometric mean of the final
training losses over the problems. Training loss, not test accuracy, is the criterion: the report
compares optimizers, and choosing by the test rows would tune on the data the accuracy is measured on.
Measured with this workbench on the two Breast Cancer problems (rate: final training loss, logistic /
network): SGD 3 (0.065 / 0.032), Momentum 0.3 (0.065 / 0.031), Nesterov 0.3 (0.064 / 0.017), AdaGrad
0.3 (0.068 / 0.030), RMSProp 0.03 (0.066 / 0.026), Adam 0.1 (0.064 / 0.022), AdaDelta 30 (0.064 /
0.014); every choice lies inside its grid (the next rate up does worse: SGD at 10 ends at 0.073 / 0.059).
SGD's 3 is large beside 2/L = 0.59 of the logistic loss at x0 (largest curvature L = 3.37 there): the rate
halves every 5 epochs (1/8 of it in the last 5), and the loss flattens as the predictions grow confident.

Newton runs on the data problems with at most :data:`NEWTON_MAX_N` variables: the logistic regression
(n = 31) takes it in 0.1 s. On the network (n = 266, a tanh layer) every Newton iteration needs the dense
exact Hessian, which comes from Hessian-vector products over the row template (0.082 s on the 455 rows;
entry by entry its derivation had run 14 min and held 1.8 GB when it was stopped), and the loss is not
convex: Newton's regularised steps creep, all 500 iterations in 46.9 s against L-BFGS's 33 in 0.1 s
(``python benchmarks/scale.py`` prints both under the report's time limit), so close to :data:`TIME_LIMIT`
that on a slower or busier machine the wall clock would decide the outcome, and such a run repeats nowhere:
the report leaves it out; ``solve(problem, "newton")`` runs it.
"""

from __future__ import annotations

__all__ = [
    "ADADELTA_TUNING_GRID",
    "BATCH_SIZE",
    "DATA_STUDIES",
    "DATA_STUDY",
    "EPOCHS",
    "FULL_BATCH",
    "MINI_BATCH",
    "NEWTON_MAX_N",
    "NEWTON_STUDY",
    "NEWTON_WHY_NOT",
    "RATES",
    "SCHEDULE",
    "TIME_LIMIT",
    "TUNING_GRID",
]

#: The studies' names: the first-order family and L-BFGS on every data problem; Newton where affordable.
DATA_STUDY = "report-data"
NEWTON_STUDY = "report-data-newton"
DATA_STUDIES = (DATA_STUDY, NEWTON_STUDY)
#: Rows per mini-batch, passes over the data, and the per-epoch decay.
BATCH_SIZE = 32
EPOCHS = 20
SCHEDULE = "step:factor=0.5,every=5,unit=epoch"
#: One learning rate per first-order method, tuned once (module docstring); the order is the page's.
RATES: dict[str, float] = {
    "sgd": 3.0,
    "momentum": 0.3,
    "nesterov": 0.3,
    "adagrad": 0.3,
    "rmsprop": 0.03,
    "adam": 0.1,
    "adadelta": 30.0,
}
MINI_BATCH = tuple(RATES)
#: Full-batch methods with exact derivatives: every iteration is at least one pass over the data.
FULL_BATCH = ("lbfgs", "newton")
#: Newton runs on data problems of at most this many variables (module docstring).
NEWTON_MAX_N = 100
NEWTON_WHY_NOT = (
    "each iteration needs the dense exact Hessian (Hessian-vector products over the rows), and on a "
    "non-convex loss Newton's regularised steps creep through their whole iteration budget in nearly the "
    "time limit, so the wall clock could decide the outcome (`python benchmarks/scale.py` measures it); "
    '`solve(problem, "newton")` runs it'
)
#: Seconds per run at most (a run stopped by it ends with status ``timeout``).
TIME_LIMIT = 60.0
#: The learning rates ``benchmarks/data_rates.py`` tries (module docstring).
TUNING_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ADADELTA_TUNING_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
