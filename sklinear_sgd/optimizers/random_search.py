"""Random search: the first, very bad, strategy of the lecture."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseOptimizer, Iterate, copy_state

__all__ = ["RandomSearch"]

# Candidates drawn and evaluated together in one matrix product.
_BLOCK = 256


class RandomSearch(BaseOptimizer):
    """Try random parameters and keep the best: each iteration is one candidate.

    Every candidate is drawn independently, ``randn * scale`` for every weight
    and intercept (by default with a scale per feature), then centered across classes (which never makes it worse,
    see :meth:`~sklinear_sgd.objective.LinearObjective.project`); the best
    point so far, starting from the initial one, is kept. Candidates are drawn
    and scored in blocks, with one matrix product for a block.

    Because candidates do not depend on each other there is no convergence to
    detect: the estimator's ``tol`` does not stop random search, which always
    tries ``max_iter`` candidates.

    Parameters
    ----------
    scale : float or 'auto', default='auto'
        Standard deviation of the candidates' entries (the lecture uses
        ``0.0001`` on raw pixels). ``'auto'`` draws the weights of feature ``j``
        with standard deviation ``1 / (rms_j * sqrt(p))``, ``rms_j`` the root
        weighted mean square of the feature (1 for the intercept) and ``p`` the
        number of non-zero features plus the intercept: every feature and the
        intercept then move the scores equally, and the scores of a candidate
        are of order 1 whatever the scale of the features. Weights of all-zero
        features stay 0.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer="random_search", random_state=0).fit(X, y)
    >>> clf.n_iter_
    1000
    """

    converges = False

    _parameter_constraints = {
        "scale": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    }

    def __init__(self, scale="auto"):
        self.scale = scale

    def iterate(self, objective, params, state, max_iter):
        """Yield the best point after each candidate; see :meth:`BaseOptimizer.iterate`."""
        state = copy_state(state)
        scale = self._scale(objective)
        best_params = params.copy()
        best = objective.value(best_params)
        done = 0
        while done < max_iter:
            k = min(_BLOCK, max_iter - done)
            draws = state["rng"].standard_normal((k,) + objective.shape) * scale
            candidates = objective.project(draws.astype(objective.dtype))
            values = objective.values(candidates)
            for j in range(k):
                if values[j] < best:
                    best, best_params = float(values[j]), candidates[j]
                state["n_iter"] += 1
                yield Iterate(best_params.copy(), best, state, {"candidate": values[j]})
            done += k

    def _scale(self, objective):
        """Standard deviation of each column's entries, shape (n_features + 1,)."""
        if self.scale != "auto":
            return np.full(objective.shape[1], float(self.scale))
        rms = np.sqrt(objective.second_moments())
        used = rms > 0
        scale = np.zeros_like(rms)
        # Every used column then contributes equally to a score of variance 1.
        scale[used] = 1.0 / (rms[used] * np.sqrt(used.sum()))
        return scale

    def describe(self, iterate):
        """The lecture's line: ``in attempt 3 the loss was 8.95, best 8.86``."""
        return (
            f"in attempt {iterate.state['n_iter'] - 1} the loss was "
            f"{iterate.info['candidate']:f}, best {iterate.value:f}"
        )
