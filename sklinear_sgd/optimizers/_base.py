"""What every optimizer shares: the parameter rules and the iteration protocol."""

from collections import namedtuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

#: What an optimizer yields after each iteration: the parameters, the objective
#: at them, a snapshot of the optimizer's state (plain data, enough to resume
#: from this iterate) and extra information for progress messages.
Iterate = namedtuple("Iterate", ["params", "value", "state", "info"])


class BaseOptimizer(BaseEstimator):
    """Base class of the optimizers.

    An optimizer sees a :class:`~sklinear_sgd.objective.LinearObjective` and a
    starting point, never ``X``, ``y`` or an estimator. Its hyperparameters are
    constructor arguments that follow scikit-learn's parameter rules, so it can
    be cloned and tuned with ``GridSearchCV(..., {"optimizer__<name>": ...})``.
    It keeps no state between fits: :meth:`init_state` creates the state, which
    :meth:`iterate` advances and hands back with every iterate, so that a later
    ``partial_fit`` resumes exactly.
    """

    #: Whether the iterates follow a path whose convergence ``tol`` can detect.
    converges = True

    def init_state(self, objective, random_state=None):
        """Return the initial state of a run: the iteration count and the RNG.

        Parameters
        ----------
        objective : LinearObjective
        random_state : int, RandomState instance or None

        Returns
        -------
        dict
        """
        self._validate_params()
        return {"n_iter": 0, "rng": check_random_state(random_state)}

    def iterate(self, objective, params, state, max_iter):
        """Yield an :class:`Iterate` after each of at most ``max_iter`` iterations.

        Parameters
        ----------
        objective : LinearObjective
        params : ndarray of shape (n_classes, n_features + 1)
            The starting point; it is not modified.
        state : dict
            From :meth:`init_state` or from the last iterate of an earlier run;
            it is not modified.
        max_iter : int

        Yields
        ------
        Iterate
        """
        raise NotImplementedError

    def describe(self, iterate):
        """One progress line for ``verbose`` output."""
        return f"iteration {iterate.state['n_iter']}: objective {iterate.value:.6f}"


def copy_state(state):
    """Copy a state dict so that a run never changes the one it was given."""
    out = {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            value = value.copy()
        elif isinstance(value, np.random.RandomState):
            rng = np.random.RandomState()
            rng.set_state(value.get_state())
            value = rng
        elif isinstance(value, dict):
            value = copy_state(value)
        out[key] = value
    return out
