"""Learning-rate schedules: a factor on the learning rate, set once an epoch.

A schedule is a scikit-learn parameter object (tunable as
``optimizer__schedule__<name>``) that keeps no state itself: ``init()`` gives
its state (plain numbers), ``multiplier(state, epoch)`` the factor of the base
learning rate during ``epoch`` (counted from 0 over the whole run, across
``partial_fit`` calls), and ``update(state, value)`` sees the objective at the
end of each epoch (only :class:`ReduceOnPlateau` uses it).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval

__all__ = [
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "InverseScaling",
    "CappedInverseScaling",
    "ReduceOnPlateau",
    "SCHEDULES",
    "get_schedule",
]


class Constant(BaseEstimator):
    """The learning rate as given, every epoch.

    Examples
    --------
    >>> from sklinear_sgd.optimizers.schedules import Constant
    >>> Constant().multiplier(Constant().init(), epoch=10)
    1.0
    """

    _parameter_constraints = {}

    def init(self):
        """The schedule's state: none but for :class:`ReduceOnPlateau`."""
        self._validate_params()
        return {}

    def multiplier(self, state, epoch):
        """Multiplier of the learning rate during ``epoch``."""
        return 1.0

    def update(self, state, value):
        """See the objective at the end of an epoch (unused here)."""


class StepDecay(Constant):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    step_size : int, default=10
    gamma : float, default=0.5

    Examples
    --------
    >>> from sklinear_sgd.optimizers.schedules import StepDecay
    >>> StepDecay(step_size=10, gamma=0.5).multiplier({}, epoch=25)
    0.25
    """

    _parameter_constraints = {
        "step_size": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, step_size=10, gamma=0.5):
        self.step_size = step_size
        self.gamma = gamma

    def multiplier(self, state, epoch):
        """``gamma ** (epoch // step_size)``."""
        return float(self.gamma ** (epoch // self.step_size))


class ExponentialDecay(Constant):
    """Multiply the learning rate by ``gamma`` every epoch.

    Parameters
    ----------
    gamma : float, default=0.99

    Examples
    --------
    >>> from sklinear_sgd.optimizers.schedules import ExponentialDecay
    >>> round(ExponentialDecay(gamma=0.9).multiplier({}, epoch=2), 6)
    0.81
    """

    _parameter_constraints = {"gamma": [Interval(Real, 0, 1, closed="right")]}

    def __init__(self, gamma=0.99):
        self.gamma = gamma

    def multiplier(self, state, epoch):
        """``gamma ** epoch``."""
        return float(self.gamma**epoch)


class InverseScaling(Constant):
    """Divide the learning rate by ``(1 + epoch) ** power_t``.

    Parameters
    ----------
    power_t : float, default=0.5

    Examples
    --------
    >>> from sklinear_sgd.optimizers.schedules import InverseScaling
    >>> InverseScaling(power_t=0.5).multiplier({}, epoch=3)
    0.5
    """

    _parameter_constraints = {"power_t": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def multiplier(self, state, epoch):
        """``(1 + epoch) ** -power_t``."""
        return float((1.0 + epoch) ** -self.power_t)


class CappedInverseScaling(InverseScaling):
    r"""Inverse scaling, capped at the rate of a strongly convex objective.

    The multiplier of ``epoch`` is

    .. math::

        \min\left((1 + e)^{-p},\ \frac{1}{d\,(1 + e\,m)}\right)

    with :math:`e` the epoch, :math:`p` = ``power_t``, :math:`m` =
    ``steps_per_epoch`` and :math:`d` = ``decay``. With ``decay = eta * mu``,
    ``eta`` the base learning rate and ``mu`` the objective's modulus of
    strong convexity (``2 * alpha`` for the L2 penalty), the step after
    :math:`t` steps is at most :math:`1 / (\mu t)`: the rate at which SGD
    converges on a strongly convex objective (the one of Pegasos and of
    scikit-learn's ``learning_rate='optimal'``). The cap binds only where the
    base step is large next to :math:`1 / \mu`: on rows of small norm (unit
    rows of words), whose safe step is large, steps that only shrink as
    :math:`1 / \sqrt{1 + e}` keep SGD far from the minimum. ``SGD`` with
    ``schedule='auto'`` uses it for minibatches.

    Parameters
    ----------
    power_t : float, default=0.5
    decay : float, default=0.0
        ``eta * mu``; 0 leaves :class:`InverseScaling`.
    steps_per_epoch : int, default=1

    Examples
    --------
    >>> from sklinear_sgd.optimizers.schedules import CappedInverseScaling
    >>> schedule = CappedInverseScaling(decay=0.01, steps_per_epoch=100)
    >>> schedule.multiplier({}, epoch=0), round(schedule.multiplier({}, epoch=3), 6)
    (1.0, 0.332226)
    """

    _parameter_constraints = {
        **InverseScaling._parameter_constraints,
        "decay": [Interval(Real, 0, None, closed="left")],
        "steps_per_epoch": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, power_t=0.5, decay=0.0, steps_per_epoch=1):
        super().__init__(power_t)
        self.decay = decay
        self.steps_per_epoch = steps_per_epoch

    def multiplier(self, state, epoch):
        """``min((1 + epoch) ** -power_t, 1 / (decay * (1 + epoch * steps_per_epoch)))``."""
        factor = super().multiplier(state, epoch)
        steps = 1.0 + epoch * self.steps_per_epoch
        return float(min(factor, 1.0 / (self.decay * steps))) if self.decay else factor


class ReduceOnPlateau(Constant):
    """Multiply the learning rate by ``factor`` when the objective stalls.

    When the objective at the end of an epoch has not improved on its best by
    more than ``threshold`` for ``patience`` epochs, the learning rate is
    multiplied by ``factor`` and the count starts again.

    Parameters
    ----------
    factor : float, default=0.5
    patience : int, default=2
    threshold : float, default=1e-4

    Examples
    --------
    >>> from sklinear_sgd.optimizers.schedules import ReduceOnPlateau
    >>> schedule = ReduceOnPlateau(factor=0.5, patience=1)
    >>> state = schedule.init()
    >>> for value in [1.0, 0.5, 0.5, 0.5]:  # two epochs without improvement
    ...     schedule.update(state, value)
    >>> schedule.multiplier(state, epoch=4)
    0.5
    """

    _parameter_constraints = {
        "factor": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 0, None, closed="left")],
        "threshold": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, factor=0.5, patience=2, threshold=1e-4):
        self.factor = factor
        self.patience = patience
        self.threshold = threshold

    def init(self):
        """Best objective so far, epochs without improvement, current factor."""
        self._validate_params()
        return {"best": np.inf, "bad_epochs": 0, "factor": 1.0}

    def multiplier(self, state, epoch):
        """The current factor, lowered at each plateau."""
        return state["factor"]

    def update(self, state, value):
        """Count epochs without improvement; lower the factor after ``patience``."""
        if value < state["best"] - self.threshold:
            state["best"] = value
            state["bad_epochs"] = 0
        else:
            state["bad_epochs"] += 1
            if state["bad_epochs"] > self.patience:
                state["factor"] *= self.factor
                state["bad_epochs"] = 0


#: The strings accepted by the optimizers' ``schedule`` parameter.
SCHEDULES = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "invscaling": InverseScaling,
    "plateau": ReduceOnPlateau,
}


def get_schedule(schedule):
    """A fresh schedule for a name, or the given instance.

    Parameters
    ----------
    schedule : str or schedule instance
        One of ``SCHEDULES`` (its default instance) or an instance.
    """
    if isinstance(schedule, str):
        return SCHEDULES[schedule]()
    return schedule
