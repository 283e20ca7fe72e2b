"""L-BFGS through :func:`scipy.optimize.minimize`."""

from numbers import Integral

import numpy as np
from scipy.optimize import minimize
from sklearn.utils._param_validation import Interval

from ._base import BaseOptimizer, Iterate, copy_state

# SciPy cannot be paused, so it runs in chunks of iterations that double in
# length; a fit stopped early wastes at most the rest of one chunk, and each new
# chunk restarts the curvature memory.
_FIRST_CHUNK = 16

__all__ = ["LBFGS"]


def _column_scales(objective):
    """Powers of two near the root mean square of each column (1 for the
    intercept, for all-zero columns and where the mean square overflows)."""
    with np.errstate(over="ignore", divide="ignore"):
        rms = np.sqrt(objective.second_moments())
        exponent = np.round(np.log2(rms))
    exponent[~np.isfinite(exponent)] = 0
    if objective.fit_intercept:
        exponent[-1] = 0
    return np.ldexp(1.0, exponent.astype(int))


class LBFGS(BaseOptimizer):
    """Limited-memory BFGS on the objective's value and gradient (smooth only).

    Runs :func:`scipy.optimize.minimize` with ``method='L-BFGS-B'``; each of its
    iterations is one iteration here, so ``max_iter``, ``tol`` and
    ``n_iter_no_change`` keep their meaning. SciPy's own tests are set to stop
    only at machine precision. It computes in float64 even on float32 data
    (its line search needs the precision); the result is cast back.

    It needs a differentiable objective: with the multiclass hinge or an L1 /
    elastic-net penalty it raises a ``ValueError`` (use ``'gd'`` or ``'sgd'``,
    which handle kinks and apply L1 by proximal steps). SciPy cannot be paused
    and resumed, so L-BFGS's curvature memory is not carried across
    ``partial_fit`` calls: each call runs one iteration from a fresh memory (a
    gradient step with a line search). Within a ``fit``, SciPy runs in chunks
    of 16, 32, 64, ... iterations, each starting a fresh memory, so that a fit
    the stopping rule ends early wastes at most part of a chunk.

    Parameters
    ----------
    memory : int, default=10
        Number of correction pairs kept (SciPy's ``maxcor``).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer="lbfgs").fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    """

    _parameter_constraints = {"memory": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, memory=10):
        self.memory = memory

    def iterate(self, objective, params, state, max_iter):
        """Yield SciPy's iterates; see :meth:`BaseOptimizer.iterate`."""
        if not objective.smooth:
            raise ValueError(
                "LBFGS needs a differentiable objective, but this one has "
                f"{'an L1 term in its penalty' if objective.smooth_loss else 'the multiclass hinge loss'}"
                ", which has kinks. Use optimizer='gd' or 'sgd' instead."
            )
        state = copy_state(state)
        shape, dtype = params.shape, params.dtype
        # SciPy works on q = P * d, d a power of two near each column's root
        # mean square (exact scaling, 1 for standardized data), so that its
        # first trial step, of unit length, has the scale of the features.
        d = _column_scales(objective)
        last = {}

        def fun(q):
            # f(proj(q / d)): the projection onto the objective's subspace is a
            # linear map that commutes with the column scaling and is
            # symmetric, so the gradient is proj(grad f) / d. In float64 whatever
            # the data's dtype: the line search needs the precision. SciPy's line
            # search may try points where the objective overflows; it backs off
            # from them by itself.
            with np.errstate(over="ignore", invalid="ignore"):
                value, grad = objective.value_and_grad(
                    objective.project(q.reshape(shape) / d)
                )
            last["q"], last["value"] = q.copy(), value
            return value, (objective.project(grad) / d).ravel()

        def record(qk):
            value = last["value"] if np.array_equal(qk, last.get("q")) else None
            history.append((qk.copy(), value))

        eps = np.finfo(np.float64).eps
        w = (params.astype(np.float64) * d).ravel()
        done, chunk = 0, _FIRST_CHUNK
        while done < max_iter:
            history = []
            result = minimize(
                fun,
                w,
                jac=True,
                method="L-BFGS-B",
                callback=record,
                options={
                    "maxiter": min(chunk, max_iter - done),
                    "maxcor": self.memory,
                    "gtol": 0.0,
                    "ftol": 10 * eps,
                },
            )
            for q_k, value in history:
                P = objective.project((q_k.reshape(shape) / d).astype(dtype))
                value = objective.value(P) if value is None else value
                state["n_iter"] += 1
                yield Iterate(P, value, copy_state(state), {})
            done += len(history)
            if not history and result.status == 2 and done == 0:
                raise ValueError(
                    "L-BFGS could not take a first step: its line search failed "
                    f"({result.message}). The features are probably of very "
                    "different or extreme sizes: scale them (for instance with "
                    "StandardScaler)."
                )
            if not history or result.status != 1:  # 1: stopped at maxiter
                return
            w, chunk = history[-1][0], 2 * chunk
