"""First-order optimizers: full-batch gradient descent and minibatch SGD."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseOptimizer, Iterate, copy_state
from ._updates import make_rule

__all__ = ["GradientDescent", "SGD"]


def _step_size(learning_rate, objective, batch_size=None, momentum=0.0):
    """The step size; 'auto' is ``(1 - momentum) / L``, ``L`` the smoothness.

    With momentum ``mu`` the steps add up to ``1 / (1 - mu)`` times a plain
    step, hence the factor that keeps the effective step at ``1 / L``.
    """
    if learning_rate == "auto":
        return (1.0 - momentum) / objective.smoothness(batch_size)
    return float(learning_rate)


def _descend(objective, params, state, max_iter, learning_rate, rule, batch_size):
    """The driver of both optimizers: epochs of (mini)batch steps with a rule.

    An iteration is one pass over the data: ``ceil(n_samples / batch_size)``
    steps over rows in a fresh random order, or a single full-batch step when
    ``batch_size`` is None or at least ``n_samples`` (then no random numbers are
    drawn and the objective's gradient at the new point is reused).
    """
    state = copy_state(state)
    if "rule" not in state:
        state["rule"] = rule.init(params)
    params = params.copy()
    lr = params.dtype.type(learning_rate)
    n = objective.n_samples
    full = batch_size is None or batch_size >= n
    value, grad = objective.value_and_grad(params) if full else (None, None)
    for _ in range(max_iter):
        if full:
            params -= lr * rule.direction(grad, state["rule"])
            objective.project(params)
            value, grad = objective.value_and_grad(params)
        else:
            order = state["rng"].permutation(n)
            for start in range(0, n, batch_size):
                _, grad = objective.value_and_grad(
                    params, order[start : start + batch_size]
                )
                params -= lr * rule.direction(grad, state["rule"])
                objective.project(params)
            value = objective.value(params)
        state["n_iter"] += 1
        yield Iterate(params.copy(), value, state, {})


class GradientDescent(BaseOptimizer):
    """Vanilla full-batch gradient descent: ``P <- P - learning_rate * grad``.

    Each iteration takes one step along the exact gradient of the whole
    objective, then the objective at the new point is recorded.

    Parameters
    ----------
    learning_rate : float or 'auto', default='auto'
        The step size. ``'auto'`` takes ``1 / L``, with ``L`` the Lipschitz
        constant of the gradient estimated from the data (the largest eigenvalue
        of the weighted second moments of ``X``, by power iteration): it adapts
        to the scale of the features, so unscaled data train too.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import GradientDescent
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer=GradientDescent(), tol=1e-3)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    }

    def __init__(self, learning_rate="auto"):
        self.learning_rate = learning_rate

    def iterate(self, objective, params, state, max_iter):
        """Yield the iterates of gradient descent; see :meth:`BaseOptimizer.iterate`."""
        lr = _step_size(self.learning_rate, objective)
        yield from _descend(objective, params, state, max_iter, lr, make_rule(), None)


class SGD(BaseOptimizer):
    """Minibatch stochastic gradient descent, with optional momentum.

    An iteration is one epoch: the rows are shuffled and visited in batches of
    ``batch_size``, one step per batch along the gradient of the objective on
    that batch. With ``batch_size >= n_samples`` (or None) each step is a
    full-batch step.

    Parameters
    ----------
    learning_rate : float or 'auto', default='auto'
        The step size. ``'auto'`` takes ``(1 - momentum) / L`` with ``L`` the
        expected smoothness constant of a batch of ``batch_size`` rows (see
        :meth:`~sklinear_sgd.objective.LinearObjective.smoothness`), estimated
        from the data: it adapts to the scale of the features and to the batch
        size.
    batch_size : int or None, default=256
        Rows per step; None for full-batch steps.
    momentum : float, default=0.0
        Momentum coefficient ``mu`` in [0, 1); 0 is plain SGD. The velocity
        form is ``v <- mu * v + g`` and ``P <- P - learning_rate * v``.
    nesterov : bool, default=False
        Use Nesterov's momentum: ``P <- P - learning_rate * (g + mu * v)``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SVMClassifier
    >>> from sklinear_sgd.optimizers import SGD
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SVMClassifier(optimizer=SGD(batch_size=32), random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
    }

    def __init__(self, learning_rate="auto", batch_size=256, momentum=0.0, nesterov=False):
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.momentum = momentum
        self.nesterov = nesterov

    def iterate(self, objective, params, state, max_iter):
        """Yield the iterates of minibatch SGD; see :meth:`BaseOptimizer.iterate`."""
        lr = _step_size(self.learning_rate, objective, self.batch_size, self.momentum)
        rule = make_rule(self.momentum, self.nesterov)
        yield from _descend(
            objective, params, state, max_iter, lr, rule, self.batch_size
        )
