"""First-order update rules as pure ``(init, update)`` pairs over an explicit state (optax style).

A :class:`Rule` is four things::

    state = rule.init(x0)                                    # zero statistics of x0's shape
    direction, state = rule.update(gradient, state, k)       # k = updates made so far (0, 1, ...)
    x = x - learning_rate_k * direction                      # the caller scales and applies it

A rule returns an **unscaled direction**: the learning rate (a constant or a schedule), gradient
noise and the projection onto the bounds are separate, composable transforms
(:mod:`workbench.methods.transforms`, like optax's ``chain(scale_by_adam(), scale_by_learning_rate())``),
so every rule works with every schedule and no rule hard-codes ``-learning_rate *``. The update count
``k`` is passed in by the caller, who owns it: Adam's bias correction uses t = k + 1 and keeps no count
of its own.

``x0``, ``gradient`` and ``direction`` are float64 arrays of one shape (in practice ``(n,)``); the
state is a NamedTuple of such arrays, so it pickles. Neither function mutates its inputs, and every
array they return is new. ``rule.defaults`` holds the hyper-parameters the rule was built with
(PyTorch's defaults unless overridden) and the recommended default ``"learning_rate"``, like PyTorch's
``optimizer.defaults``.

Convention: **PyTorch** ``torch.optim`` (docs' algorithm boxes), with dampening 0 and weight decay 0.
Notation: g = gradient at the current point, gamma = learning rate, t = k + 1 = 1, 2, ... counts
updates, operations element-wise; the step is -gamma_k times the direction. Where optax 0.2.8
differs, each factory's docstring says how (sources: the algorithm boxes of
https://docs.pytorch.org/docs/stable/optim.html and optax's ``_src/alias.py``, ``_src/transform.py``).

=============  ==========================================================  =========  ==========
rule           direction (step = -gamma direction)                         state      default lr
=============  ==========================================================  =========  ==========
``sgd``        g                                                           none       1e-3
``momentum``   b = mu b + g;  b                                            b          1e-3
``nesterov``   b = mu b + g;  g + mu b                                     b          1e-3
``adagrad``    G = G + g^2;  g / (sqrt(G) + eps)                           G          1e-2
``rmsprop``    v = alpha v + (1 - alpha) g^2;  g / (sqrt(v) + eps)         v          1e-2
``adam``       m, v as EMAs; m_hat / (sqrt(v_hat) + eps), t = k + 1        m, v       1e-3
``adadelta``   Delta = sqrt(U + eps) / sqrt(v + eps) g;  Delta             v, U       1.0
=============  ==========================================================  =========  ==========
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from workbench import validation

__all__ = [
    "RULES",
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "MomentumState",
    "RmspropState",
    "Rule",
    "SgdState",
    "State",
    "adadelta",
    "adagrad",
    "adam",
    "make_rule",
    "momentum",
    "nesterov",
    "rmsprop",
    "sgd",
]

#: A rule's state: a NamedTuple of float64 arrays of x0's shape (and ints).
State = tuple[Any, ...]


class Rule(NamedTuple):
    """A first-order optimizer as a pure pair of functions.

    ``init(x0) -> state``; ``update(gradient, state, k) -> (direction, new_state)`` where k is the
    number of updates made so far; the caller sets ``x_new = x - learning_rate_k * direction``.
    ``defaults`` maps each hyper-parameter to the value this rule uses, plus ``"learning_rate"``: the
    recommended default learning rate (PyTorch's).
    """

    name: str
    init: Callable[[np.ndarray], State]
    update: Callable[[np.ndarray, State, int], tuple[np.ndarray, State]]
    defaults: dict[str, float]


class SgdState(NamedTuple):
    """SGD keeps no statistics."""


class MomentumState(NamedTuple):
    """Momentum / Nesterov: the buffer b (shape of x)."""

    buffer: np.ndarray


class AdagradState(NamedTuple):
    """AdaGrad: the sum of squared gradients G (shape of x)."""

    sum_of_squares: np.ndarray


class RmspropState(NamedTuple):
    """RMSProp: the moving average of squared gradients v (shape of x)."""

    square_average: np.ndarray


class AdamState(NamedTuple):
    """Adam: the moment averages m and v (shape of x); the update count comes from the caller."""

    first_moment: np.ndarray
    second_moment: np.ndarray


class AdadeltaState(NamedTuple):
    """AdaDelta: the moving averages of squared gradients E[g^2] and of squared updates E[Delta^2]."""

    square_average: np.ndarray
    delta_average: np.ndarray


# ----------------------------------------------------------------------------------------------------
# validation


def _zeros(x0: np.ndarray) -> np.ndarray:
    """A new float64 array of zeros of x0's shape."""
    return np.zeros(np.shape(x0), dtype=np.float64)


def _gradient(gradient: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``gradient`` as float64 (no copy when it already is), checked against the state's shape."""
    g = np.asarray(gradient, dtype=np.float64)
    if g.shape != like.shape:
        raise ValueError(
            f"gradient has shape {g.shape} but the rule's state was initialised for shape {like.shape}; "
            "call init(x0) with a point of the gradient's shape"
        )
    return g


# ----------------------------------------------------------------------------------------------------
# SGD


def _sgd_init(x0: np.ndarray) -> SgdState:
    return SgdState()


def _sgd_update(gradient: np.ndarray, state: SgdState, k: int) -> tuple[np.ndarray, SgdState]:
    return np.array(gradient, dtype=np.float64), SgdState()


def sgd() -> Rule:
    """Plain gradient descent: direction g, step = -gamma g.

    PyTorch ``SGD(lr=1e-3, momentum=0)``; optax ``sgd(learning_rate)`` (no default learning rate).
    """
    return Rule("sgd", _sgd_init, _sgd_update, {"learning_rate": 1e-3})


# ----------------------------------------------------------------------------------------------------
# Momentum and Nesterov


def _momentum_init(x0: np.ndarray) -> MomentumState:
    return MomentumState(_zeros(x0))


def _momentum_update(
    gradient: np.ndarray, state: MomentumState, k: int, *, momentum: float
) -> tuple[np.ndarray, MomentumState]:
    g = _gradient(gradient, state.buffer)
    buffer = momentum * state.buffer + g
    return buffer.copy(), MomentumState(buffer)


def _nesterov_update(
    gradient: np.ndarray, state: MomentumState, k: int, *, momentum: float
) -> tuple[np.ndarray, MomentumState]:
    g = _gradient(gradient, state.buffer)
    buffer = momentum * state.buffer + g
    return g + momentum * buffer, MomentumState(buffer)


def momentum(momentum: float = 0.9) -> Rule:
    """Heavy-ball momentum, PyTorch form (dampening 0)::

        b_t = mu b_{t-1} + g_t      (b_0 = 0, so b_1 = g_1)
        direction = b_t,  step = -gamma_t b_t

    PyTorch ``SGD(lr=1e-3, momentum=mu)`` (mu has no default there; 0.9 here); optax
    ``sgd(lr, momentum=mu)`` (``trace``) is the same. Both differ from the lecture / Sutskever form
    v = mu v - gamma g, x += v: the iterates agree for a constant gamma, but under a schedule gamma_t
    multiplies the whole buffer (past gradients too), not only the new gradient.
    """
    mu = validation.unit_interval("momentum", momentum, where="momentum: ")
    return Rule(
        "momentum",
        _momentum_init,
        functools.partial(_momentum_update, momentum=mu),
        {"momentum": mu, "learning_rate": 1e-3},
    )


def nesterov(momentum: float = 0.9) -> Rule:
    """Nesterov momentum, PyTorch form (dampening 0)::

        b_t = mu b_{t-1} + g_t      (b_0 = 0)
        direction = g_t + mu b_t,  step = -gamma_t (g_t + mu b_t)

    PyTorch ``SGD(lr=1e-3, momentum=mu, nesterov=True)`` (which requires mu > 0; mu = 0 is plain
    SGD here); optax ``sgd(lr, momentum=mu, nesterov=True)`` is the same. This is the Sutskever /
    Bengio rewrite that evaluates the gradient at the reported iterate; the lecture form
    v = mu v - gamma grad f(x + mu v), x += v evaluates it at the look-ahead point, and its iterates
    differ from these by mu v (constant gamma). Under a schedule gamma_t multiplies the whole buffer.
    """
    mu = validation.unit_interval("momentum", momentum, where="nesterov: ")
    return Rule(
        "nesterov",
        _momentum_init,
        functools.partial(_nesterov_update, momentum=mu),
        {"momentum": mu, "learning_rate": 1e-3},
    )


# ----------------------------------------------------------------------------------------------------
# AdaGrad


def _adagrad_init(x0: np.ndarray, *, initial_accumulator: float) -> AdagradState:
    return AdagradState(np.full(np.shape(x0), initial_accumulator, dtype=np.float64))


def _adagrad_update(
    gradient: np.ndarray, state: AdagradState, k: int, *, eps: float
) -> tuple[np.ndarray, AdagradState]:
    g = _gradient(gradient, state.sum_of_squares)
    total = state.sum_of_squares + g * g
    return g / (np.sqrt(total) + eps), AdagradState(total)


def adagrad(eps: float = 1e-10, initial_accumulator: float = 0.0) -> Rule:
    """AdaGrad (Duchi, Hazan & Singer 2011), PyTorch form::

        G_t = G_{t-1} + g_t^2       (G_0 = initial_accumulator = 0)
        direction = g_t / (sqrt(G_t) + eps),  step = -gamma direction      eps = 1e-10, outside the sqrt

    PyTorch ``Adagrad(lr=1e-2, lr_decay=0, initial_accumulator_value=0, eps=1e-10)``; its first
    step is -gamma sign(g). optax ``adagrad(lr, initial_accumulator_value=0.1, eps=1e-7)`` differs:
    G_0 = 0.1 and eps *inside* the sqrt, step = -gamma g / sqrt(G_t + eps), so its first step is
    -gamma g / sqrt(0.1 + g^2), not -gamma sign(g).
    """
    eps = validation.positive("eps", eps, where="adagrad: ")
    initial = validation.non_negative("initial_accumulator", initial_accumulator, where="adagrad: ")
    return Rule(
        "adagrad",
        functools.partial(_adagrad_init, initial_accumulator=initial),
        functools.partial(_adagrad_update, eps=eps),
        {"eps": eps, "initial_accumulator": initial, "learning_rate": 1e-2},
    )


# ----------------------------------------------------------------------------------------------------
# RMSProp


def _rmsprop_init(x0: np.ndarray) -> RmspropState:
    return RmspropState(_zeros(x0))


def _rmsprop_update(
    gradient: np.ndarray, state: RmspropState, k: int, *, alpha: float, eps: float
) -> tuple[np.ndarray, RmspropState]:
    g = _gradient(gradient, state.square_average)
    average = alpha * state.square_average + (1.0 - alpha) * (g * g)
    return g / (np.sqrt(average) + eps), RmspropState(average)


def rmsprop(alpha: float = 0.99, eps: float = 1e-8) -> Rule:
    """RMSProp (Tieleman & Hinton 2012), PyTorch form (not centred, no momentum)::

        v_t = alpha v_{t-1} + (1 - alpha) g_t^2      (v_0 = 0)
        direction = g_t / (sqrt(v_t) + eps),  step = -gamma direction      eps = 1e-8 outside the sqrt

    PyTorch ``RMSprop(lr=1e-2, alpha=0.99, eps=1e-8)``. No bias correction, so the first step is
    -gamma g / sqrt(0.01 g^2) = -10 gamma sign(g). optax ``rmsprop(lr, decay=0.9, eps=1e-8)``
    differs: decay 0.9 and eps *inside* the sqrt (step = -gamma g / sqrt(v_t + eps), first step
    about -3.16 gamma sign(g)); optax ``rmsprop(lr, decay=0.99, eps_in_sqrt=False)`` matches this.
    """
    alpha = validation.unit_interval("alpha", alpha, where="rmsprop: ")
    eps = validation.positive("eps", eps, where="rmsprop: ")
    return Rule(
        "rmsprop",
        _rmsprop_init,
        functools.partial(_rmsprop_update, alpha=alpha, eps=eps),
        {"alpha": alpha, "eps": eps, "learning_rate": 1e-2},
    )


# ----------------------------------------------------------------------------------------------------
# Adam


def _adam_init(x0: np.ndarray) -> AdamState:
    return AdamState(_zeros(x0), _zeros(x0))


def _adam_update(
    gradient: np.ndarray, state: AdamState, k: int, *, beta1: float, beta2: float, eps: float
) -> tuple[np.ndarray, AdamState]:
    g = _gradient(gradient, state.first_moment)
    t = validation.integer("k", k, minimum=0, where="adam: ") + 1
    first = beta1 * state.first_moment + (1.0 - beta1) * g
    second = beta2 * state.second_moment + (1.0 - beta2) * (g * g)
    first_hat = first / (1.0 - beta1**t)
    second_hat = second / (1.0 - beta2**t)
    return first_hat / (np.sqrt(second_hat) + eps), AdamState(first, second)


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Rule:
    """Adam (Kingma & Ba 2015), PyTorch form::

        m_t = beta1 m_{t-1} + (1 - beta1) g_t          (m_0 = v_0 = 0, t = k + 1 = 1, 2, ...)
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        m_hat = m_t / (1 - beta1^t),  v_hat = v_t / (1 - beta2^t)
        direction = m_hat / (sqrt(v_hat) + eps),  step = -gamma direction   eps outside the sqrt

    The first step is -gamma g / (|g| + eps), i.e. -gamma sign(g) up to eps. PyTorch
    ``Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``; optax ``adam(lr, b1=0.9, b2=0.999, eps=1e-8,
    eps_root=0.0)`` is the same. (TF/Keras's "epsilon hat" variant, eps added before bias
    correction, is used by neither.)
    """
    beta1 = validation.unit_interval("beta1", beta1, where="adam: ")
    beta2 = validation.unit_interval("beta2", beta2, where="adam: ")
    eps = validation.positive("eps", eps, where="adam: ")
    return Rule(
        "adam",
        _adam_init,
        functools.partial(_adam_update, beta1=beta1, beta2=beta2, eps=eps),
        {"beta1": beta1, "beta2": beta2, "eps": eps, "learning_rate": 1e-3},
    )


# ----------------------------------------------------------------------------------------------------
# AdaDelta


def _adadelta_init(x0: np.ndarray) -> AdadeltaState:
    return AdadeltaState(_zeros(x0), _zeros(x0))


def _adadelta_update(
    gradient: np.ndarray, state: AdadeltaState, k: int, *, rho: float, eps: float
) -> tuple[np.ndarray, AdadeltaState]:
    g = _gradient(gradient, state.square_average)
    square_average = rho * state.square_average + (1.0 - rho) * (g * g)
    delta = np.sqrt(state.delta_average + eps) / np.sqrt(square_average + eps) * g
    delta_average = rho * state.delta_average + (1.0 - rho) * (delta * delta)
    return delta, AdadeltaState(square_average, delta_average)


def adadelta(rho: float = 0.9, eps: float = 1e-6) -> Rule:
    """AdaDelta (Zeiler 2012), PyTorch form::

        E[g^2]_t = rho E[g^2]_{t-1} + (1 - rho) g_t^2                (both averages start at 0)
        Delta_t = sqrt(E[Delta^2]_{t-1} + eps) / sqrt(E[g^2]_t + eps) * g_t
        E[Delta^2]_t = rho E[Delta^2]_{t-1} + (1 - rho) Delta_t^2    (the unscaled Delta)
        direction = Delta_t,  step = -gamma Delta_t

    gamma = 1 (the recommended default learning rate) is Zeiler's learning-rate-free method; he used
    rho = 0.95, eps = 1e-6. The first step is about -sqrt(eps / (1 - rho)) sign(g) = -0.00316 sign(g).
    PyTorch ``Adadelta(lr=1.0, rho=0.9, eps=1e-6)``. optax ``adadelta(learning_rate=None, rho=0.9,
    eps=1e-6)`` applies +Delta when learning_rate is None (its default), i.e. it moves *uphill*; pass
    learning_rate=1.0 to optax to match this.
    """
    rho = validation.unit_interval("rho", rho, where="adadelta: ")
    eps = validation.positive("eps", eps, where="adadelta: ")
    return Rule(
        "adadelta",
        _adadelta_init,
        functools.partial(_adadelta_update, rho=rho, eps=eps),
        {"rho": rho, "eps": eps, "learning_rate": 1.0},
    )


# ----------------------------------------------------------------------------------------------------
# registry

#: Rule name -> factory ``(**hyperparameters) -> Rule``.
RULES: dict[str, Callable[..., Rule]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adadelta": adadelta,
}


def make_rule(name: str, **hyperparameters: float) -> Rule:
    """The rule called ``name`` (a key of :data:`RULES`) with the given hyper-parameters.

    Raises ValueError for an unknown name (listing the known ones), TypeError for a hyper-parameter
    the rule does not take (naming those it does; the learning rate is not one, it is passed to every
    ``update``), and TypeError / ValueError for a value out of range: momentum, alpha, beta1, beta2
    and rho in [0, 1), eps > 0, initial_accumulator >= 0, all finite.
    """
    if name not in RULES:
        raise validation.unknown_name("rule", name, RULES)
    factory = RULES[name]
    accepted = list(inspect.signature(factory).parameters)
    unknown = sorted(set(hyperparameters) - set(accepted))
    if unknown:
        takes = f"it takes {', '.join(accepted)}" if accepted else "it takes no hyper-parameters"
        message = f"rule {name!r} has no hyper-parameter {', '.join(map(repr, unknown))}; {takes}"
        if "learning_rate" in unknown:
            message += (
                ". The learning rate scales every direction (a constant or a schedule from "
                "workbench.schedules, see workbench.methods.transforms), it is not fixed in the rule"
            )
        raise TypeError(message)
    return factory(**hyperparameters)
