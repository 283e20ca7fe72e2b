"""Random search: the first, very bad, strategy of the lecture."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseOptimizer, Iterate, copy_state, resume_state

__all__ = ["RandomSearch", "RandomLocalSearch"]

# Candidates drawn and evaluated together in one matrix product.
_BLOCK = 256


def _auto_scale(objective):
    """Per-column scale that makes every used column move the scores equally.

    ``1 / (rms_j * sqrt(p))``: scores of variance 1 for a random candidate.
    """
    with np.errstate(over="ignore"):
        rms = np.sqrt(objective.second_moments())
    if not np.all(np.isfinite(rms)):
        raise ValueError(
            "scale='auto' cannot be computed: the mean square of a feature "
            "overflows float64 (feature values beyond about 1e154). Scale the "
            "features (for instance with StandardScaler) or give a numeric scale."
        )
    used = rms > 0
    scale = np.zeros_like(rms)
    scale[used] = 1.0 / (rms[used] * np.sqrt(used.sum()))
    return scale


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
        state = resume_state(state)
        scale = self._scale(objective)
        best_params = params.copy()
        best = objective.value(best_params)
        done = 0
        while done < max_iter:
            k = min(_BLOCK, max_iter - done)
            # The block's draws come from a generator seeded by the state's
            # (ziggurat normals, several times faster than the legacy
            # generator's, which cost as much as scoring the candidates); in
            # float32 whatever the data (half the cost of float64 normals), so
            # that float32 and float64 fits try the same candidates, up to
            # the rounding of the scaling, which casts to the data's dtype.
            seed = state["rng"].randint(2**32, size=4, dtype=np.uint64)
            draws = np.random.default_rng(seed).standard_normal(
                (k,) + objective.shape, dtype=np.float32
            )
            dtype = objective.dtype
            candidates = objective.project(np.multiply(
                draws, scale.astype(dtype), dtype=dtype,
                out=draws if dtype == draws.dtype else None,
            ))
            values = objective.values(candidates)
            # One snapshot of the generator for the block: resuming from any of
            # its iterates draws the next block.
            snapshot = copy_state(state)
            for j in range(k):
                if values[j] < best:
                    best, best_params = float(values[j]), candidates[j]
                state["n_iter"] += 1
                yield Iterate(
                    best_params.copy(),
                    best,
                    dict(snapshot, n_iter=state["n_iter"]),
                    {"candidate": values[j]},
                )
            done += k

    def _scale(self, objective):
        """Standard deviation of each column's entries, shape (n_features + 1,)."""
        if self.scale != "auto":
            return np.full(objective.shape[1], float(self.scale))
        return _auto_scale(objective)

    def describe(self, iterate):
        """The lecture's line: ``in attempt 3 the loss was 8.95, best 8.86``."""
        return (
            f"in attempt {iterate.state['n_iter'] - 1} the loss was "
            f"{iterate.info['candidate']:f}, best {iterate.value:f}"
        )


class RandomLocalSearch(RandomSearch):
    """Perturb the best point at random and keep the change if it helps.

    The lecture's second strategy: each iteration draws one step
    ``randn * step_size``, tries the best point plus that step, and keeps it
    when the objective falls. Like random search, improvements arrive at random,
    so ``tol`` does not stop it: it always runs ``max_iter`` tries.

    Parameters
    ----------
    step_size : float or 'auto', default='auto'
        Standard deviation of the steps' entries. ``'auto'`` is a tenth of
        :class:`RandomSearch`'s ``'auto'`` scale, per feature.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SVMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SVMClassifier(optimizer="random_local_search", random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.8
    True
    """

    _parameter_constraints = {
        "step_size": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    }

    def __init__(self, step_size="auto"):
        self.step_size = step_size

    def iterate(self, objective, params, state, max_iter):
        """Yield the best point after each try; see :meth:`BaseOptimizer.iterate`."""
        state = resume_state(state)
        if self.step_size == "auto":
            step = 0.1 * _auto_scale(objective)
        else:
            step = np.full(objective.shape[1], float(self.step_size))
        best_params = params.copy()
        best = objective.value(best_params)
        for _ in range(max_iter):
            draw = state["rng"].standard_normal(objective.shape) * step
            candidate = objective.project(best_params + draw.astype(objective.dtype))
            value = objective.value(candidate)
            if value < best:
                best, best_params = value, candidate
            state["n_iter"] += 1
            yield Iterate(best_params.copy(), best, copy_state(state), {"candidate": value})
