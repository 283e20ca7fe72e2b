"""What every optimizer shares: the parameter rules and the iteration protocol."""

from collections import namedtuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

Iterate = namedtuple("Iterate", ["params", "value", "state", "info"])
Iterate.__doc__ = """What an optimizer yields after each iteration.

Attributes
----------
params : ndarray of shape (n_classes, n_features + 1)
    The parameters after the iteration (a copy).
value : float
    The objective at ``params``; for a minibatch epoch, by default, the
    running mean over the epoch of the batches' data terms plus the penalty
    at ``params`` (see the ``exact_objective`` parameter of the minibatch
    optimizers).
state : dict
    A snapshot of the optimizer's state, plain data, enough to resume from here.
info : dict
    Extra information for progress messages (a random candidate's loss, the
    learning rate of the epoch).

Examples
--------
>>> from sklinear_sgd.optimizers import Iterate
>>> Iterate(params=None, value=1.0, state={"n_iter": 1}, info={}).value
1.0
"""
for _field in Iterate._fields:
    getattr(Iterate, _field).__doc__ = "See :class:`Iterate`."


class BaseOptimizer(BaseEstimator):
    """Base class of the optimizers.

    An optimizer sees a :class:`~sklinear_sgd.objective.LinearObjective` and a
    starting point, never ``X``, ``y`` or an estimator. Its hyperparameters are
    constructor arguments that follow scikit-learn's parameter rules, so it can
    be cloned and tuned with ``GridSearchCV(..., {"optimizer__<name>": ...})``.
    It keeps no state between fits: :meth:`init_state` creates the state, which
    :meth:`iterate` advances and hands back with every iterate, so that a later
    ``partial_fit`` resumes exactly.

    Examples
    --------
    A new optimizer needs only ``iterate``: here sign gradient descent, which
    steps every weight by the same amount against the sign of its gradient.

    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import BaseOptimizer, Iterate
    >>> class SignDescent(BaseOptimizer):
    ...     _parameter_constraints = {}
    ...     def __init__(self, step=0.01):
    ...         self.step = step
    ...     def iterate(self, objective, params, state, max_iter):
    ...         params, state = params.copy(), dict(state)
    ...         for _ in range(max_iter):
    ...             grad = objective.value_and_grad(params)[1]
    ...             params -= self.step * np.sign(grad)
    ...             objective.project(params)
    ...             state["n_iter"] += 1
    ...             yield Iterate(params.copy(), objective.value(params), dict(state), {})
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer=SignDescent(), max_iter=100, tol=None)
    >>> clf = clf.fit(scale(X), y)
    >>> clf.score(scale(X), y) > 0.9
    True
    """

    #: Whether the iterates follow a path whose convergence ``tol`` can detect.
    converges = True
    #: Whether it stops by its own test at the optimum (then ``tol`` does not
    #: apply, and reaching ``max_iter`` first means it did not get there).
    exact = False
    #: The iterations that the estimators' ``max_iter='auto'`` allows.
    default_max_iter = 1000

    def init_state(self, objective, random_state=None):
        """Return the initial state of a run: the iteration count and the RNG.

        The state is plain data (numbers, strings, arrays and dicts of them):
        the RNG is the state dict of its bit generator,
        ``RandomState.get_state(legacy=False)``, which
        :func:`resume_state` turns back into a generator at the same position.

        Parameters
        ----------
        objective : LinearObjective
        random_state : int, RandomState instance or None

        Returns
        -------
        dict
        """
        self._validate_params()
        rng = check_random_state(random_state).get_state(legacy=False)
        return copy_state({"n_iter": 0, "rng": rng})

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
            Each stays valid while the run goes on. A consumer that no longer
            needs the last iterate's ``params`` may say so by asking for the
            next one with ``iterates.send(True)`` instead of ``next(iterates)``:
            the optimizer may then compute the next iterate in their memory
            (if it stops instead, it leaves them as they are). The first-order
            optimizers' full-batch steps, and plain steps on sparse rows, do:
            that saves a coefficient-sized array. The estimators release every
            iterate, except with ``early_stopping`` (which keeps the best one).
        """
        raise NotImplementedError

    def describe(self, iterate):
        """One progress line for ``verbose`` output."""
        return f"iteration {iterate.state['n_iter']}: objective {iterate.value:.6f}"


def copy_state(state):
    """Copy a state dict so that a run never changes the one it was given.

    The copy is plain data: a random generator (see :func:`resume_state`) is
    replaced by the state dict of its bit generator.
    """
    out = {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            value = value.copy(order="K")  # the layout too
        elif isinstance(value, np.random.RandomState):
            value = value.get_state(legacy=False)
        elif isinstance(value, dict):
            value = copy_state(value)
        out[key] = value
    return out


def resume_state(state):
    """A working copy of ``state`` whose ``'rng'`` is a live ``RandomState``.

    It continues exactly where the recorded generator stopped; a state that
    already holds a ``RandomState`` (as pickles of version 0.1.0 do) works too.
    """
    out = copy_state(state)
    if "rng" in out:
        rng = np.random.RandomState(0)
        rng.set_state(out["rng"])
        out["rng"] = rng
    return out
