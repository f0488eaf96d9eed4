"""Training a classifier on a real data set: Breast Cancer Wisconsin (Diagnostic), 569 rows x 30 features.

The lecture's subject is training a model on data with stochastic mini-batch gradients over epochs.
Both problems here are finite sums over the training rows (``Sum(loss_i, (i, 0, N - 1)) / N``), so the
first-order family can sample them in mini-batches (``solve(problem, "adam", batch_size=32,
epochs=20)``), while Newton, L-BFGS and trust-constr run full-batch on the same declaration.

* ``breast_cancer_logistic``: L2-regularised logistic regression, 30 weights and a bias; convex, so the
  verdict compares with a reference value computed once by Newton's method.
* ``breast_cancer_network``: a network with one tanh hidden layer of 8 units and a softmax output
  over the two classes, trained by cross-entropy; its weights are declared as shaped variables
  ``W1 (30 x 8), b1 (8), W2 (8 x 2), b2 (2)``. The test accuracy is a declared metric.

Data: ``data/breast_cancer.csv`` (licence and source in ``data/README.md``). The rows are split into
455 training and 114 test rows by a permutation seeded with 0; the features are standardised with the
training rows' mean and standard deviation. Labels: 1 = benign, 0 = malignant.
"""

from pathlib import Path

import numpy as np
import sympy as sp

from workbench import Problem

_FILE = Path(__file__).resolve().parent / "data" / "breast_cancer.csv"
SEED = 0
TEST_SHARE = 0.2
HIDDEN = 8
L2 = 1e-3


def _split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    table = np.loadtxt(_FILE, delimiter=",", skiprows=1)
    features, labels = table[:, :-1], table[:, -1]
    order = np.random.default_rng(SEED).permutation(len(labels))
    tests = int(round(TEST_SHARE * len(labels)))
    train, test = order[tests:], order[:tests]
    mean, scale = features[train].mean(axis=0), features[train].std(axis=0)
    standardise = lambda rows: (features[rows] - mean) / scale  # noqa: E731
    return standardise(train), labels[train], standardise(test), labels[test]


X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = _split()
ROWS, FEATURES = X_TRAIN.shape
TEST_ROWS = X_TEST.shape[0]

i, j, b = sp.Idx("i"), sp.Idx("j"), sp.Idx("b")
X, y = sp.IndexedBase("X"), sp.IndexedBase("y")
Xt, yt = sp.IndexedBase("Xt"), sp.IndexedBase("yt")



def _correct(margin: sp.Expr) -> sp.Expr:
    """1 when the prediction's margin for the true class is positive, 0 when negative (1/2 on the
    boundary): Heaviside, built without SymPy's evaluation, which would analyse the whole network's
    output symbolically."""
    return sp.Heaviside(margin, sp.S.Half, evaluate=False)


# -- logistic regression ------------------------------------------------------------------------------
w = sp.IndexedBase("w", shape=(FEATURES,))
w0 = sp.Symbol("w0", real=True)


def _score(data: sp.IndexedBase, row: sp.Idx) -> sp.Expr:
    return sp.Sum(data[row, j] * w[j], (j, 0, FEATURES - 1)) + w0


# labels 0/1 as signs -1/+1: log(1 + exp(-(2y - 1) s))
breast_cancer_logistic = Problem(
    name="breast_cancer_logistic",
    variables=(w, w0),
    objective=sp.Sum(sp.log(1 + sp.exp(-(2 * y[i] - 1) * _score(X, i))), (i, 0, ROWS - 1)) / ROWS
    + sp.Rational(L2).limit_denominator() / 2 * sp.Sum(w[j] ** 2, (j, 0, FEATURES - 1)),
    data={"X": X_TRAIN, "y": Y_TRAIN, "Xt": X_TEST, "yt": Y_TEST},
    metrics={
        "test accuracy": sp.Sum(_correct((2 * yt[i] - 1) * _score(Xt, i)), (i, 0, TEST_ROWS - 1)) / TEST_ROWS,
        "test loss": sp.Sum(sp.log(1 + sp.exp(-(2 * yt[i] - 1) * _score(Xt, i))), (i, 0, TEST_ROWS - 1))
        / TEST_ROWS,
    },
    x0=np.zeros(FEATURES + 1),
    convex=True,
    tags=("data",),
    source="UCI Breast Cancer Wisconsin (Diagnostic), CC BY 4.0; see problems/data/README.md",
    notes=f"{ROWS} training rows, {FEATURES} standardised features; L2 weight {L2:g}. No known f*: convex, so "
    "the verdict compares with a Newton reference value.",
)

# -- a network with one tanh hidden layer ---------------------------------------------------------------
W1 = sp.IndexedBase("W1", shape=(FEATURES, HIDDEN))
b1 = sp.IndexedBase("b1", shape=(HIDDEN,))
W2 = sp.IndexedBase("W2", shape=(HIDDEN, 2))
b2 = sp.IndexedBase("b2", shape=(2,))


def _logits(data: sp.IndexedBase, row: sp.Idx) -> list[sp.Expr]:
    hidden = [sp.tanh(sp.Sum(data[row, j] * W1[j, unit], (j, 0, FEATURES - 1)) + b1[unit]) for unit in range(HIDDEN)]
    return [sum(hidden[unit] * W2[unit, c] for unit in range(HIDDEN)) + b2[c] for c in range(2)]


def _cross_entropy(data: sp.IndexedBase, labels: sp.IndexedBase, row: sp.Idx) -> sp.Expr:
    z0, z1 = _logits(data, row)
    # -log softmax of the true class: log(e^z0 + e^z1) - z_y, written as log(1 + e^(z_other - z_y))
    margin = (2 * labels[row] - 1) * (z0 - z1)  # z_other - z_true
    return sp.log(1 + sp.exp(margin))


def _initial_weights() -> np.ndarray:
    """Glorot-uniform weights and zero biases, seeded (as PyTorch would draw them, but from numpy)."""
    rng = np.random.default_rng(SEED)
    first = rng.uniform(-1, 1, size=(FEATURES, HIDDEN)) * np.sqrt(6 / (FEATURES + HIDDEN))
    second = rng.uniform(-1, 1, size=(HIDDEN, 2)) * np.sqrt(6 / (HIDDEN + 2))
    return np.concatenate([first.ravel(), np.zeros(HIDDEN), second.ravel(), np.zeros(2)])


_z_test = _logits(Xt, i)
breast_cancer_network = Problem(
    name="breast_cancer_network",
    variables=(W1, b1, W2, b2),
    objective=sp.Sum(_cross_entropy(X, y, i), (i, 0, ROWS - 1)) / ROWS,
    data={"X": X_TRAIN, "y": Y_TRAIN, "Xt": X_TEST, "yt": Y_TEST},
    metrics={
        "test accuracy": sp.Sum(_correct((2 * yt[i] - 1) * (_z_test[1] - _z_test[0])), (i, 0, TEST_ROWS - 1))
        / TEST_ROWS,
        "test loss": sp.Sum(_cross_entropy(Xt, yt, i), (i, 0, TEST_ROWS - 1)) / TEST_ROWS,
    },
    x0=_initial_weights(),
    tags=("data",),
    source="UCI Breast Cancer Wisconsin (Diagnostic), CC BY 4.0; see problems/data/README.md",
    notes=f"30 -> {HIDDEN} tanh -> 2 softmax, cross-entropy over {ROWS} training rows; weights Glorot-uniform "
    "from a seeded generator. Not convex: the verdict judges stationarity.",
)
