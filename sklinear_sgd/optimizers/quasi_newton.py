"""L-BFGS through :func:`scipy.optimize.minimize`: the exact solver of every objective."""

from numbers import Integral

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits
from sklearn.utils._param_validation import Interval

from ._base import BaseOptimizer, Iterate, copy_state

# SciPy cannot be paused, so it runs in chunks of iterations whose iterates
# are handed out when the chunk ends; each new chunk restarts the curvature
# memory, which costs the continuation of a loss with kinks dearly, so a chunk
# is as long as its iterates fit in this many bytes (at least 16 iterations).
_CHUNK_BYTES = 64 * 2**20
_MIN_CHUNK = 16
# The smoothing widths of a loss with kinks, in units of its margin: from 1
# down by factors of 10 to 1e-8, where the smoothed loss is within
# (K - 1) * 1e-8 / 2 of the loss a sample. Each stage runs to convergence
# (stopping a stage early leaves the next, less smooth one more to do, at a
# far higher cost: measured on the data sets that scikit-learn ships).
_SMOOTHING = tuple(10.0**-k for k in range(9))
_STAGE_FTOL = 1e-12
# Below this many entries of X, SciPy and the objective run on one BLAS
# thread: L-BFGS-B's own small vector operations are then the larger part of
# an iteration, and threads that wait for a busy core make them ten times
# slower (measured on a 2-core machine running other work).
_SMALL_DATA = 2**20
# On float32 data: the stages that first run in float32 (the smoothings of at
# least this width: from narrower ones in float32, the float64 stages of the
# L1 hinge on wine stopped 1e-4 above the optimum), and their stopping test.
_FLOAT32_SMOOTHING = 0.1
_FLOAT32_FTOL = float(np.finfo(np.float32).eps)

__all__ = ["LBFGS"]


def _column_scales(objective):
    """Powers of two near the square root of each column's curvature, in
    units of the loss's: its mean square plus ``4 * strong_convexity`` (the
    softmax's second derivative in a score is at most 1/4). 1 for the
    intercept, and where the sum is 0 or overflows."""
    with np.errstate(over="ignore", divide="ignore"):
        rms = np.sqrt(objective.second_moments() + 4.0 * objective.strong_convexity())
        exponent = np.round(np.log2(rms))
    exponent[~np.isfinite(exponent)] = 0
    if objective.fit_intercept:
        exponent[-1] = 0
    return np.ldexp(1.0, exponent.astype(int))


class _Smooth:
    """The variables SciPy sees for a smooth penalty: ``q = P * d``."""

    bounds = None

    def __init__(self, objective, d):
        self.objective, self.d, self.shape = objective, d, (objective.n_classes, len(d))

    #: The dtype in which the objective is evaluated (its products run in it).
    dtype = np.float64

    def to_params(self, q):
        # f(proj(q / d)): the projection onto the objective's subspace is a
        # linear map that commutes with the column scaling and is symmetric,
        # so the gradient is proj(grad f) / d.
        return self.objective.project(q.reshape(self.shape) / self.d)

    def from_params(self, P):
        return (P.astype(np.float64) * self.d).ravel()

    def value_and_grad(self, objective, q):
        value, grad = objective.value_and_grad(self.to_params(q).astype(self.dtype))
        return value, (self.objective.project(grad) / self.d).ravel()


class _Split(_Smooth):
    """The variables for a penalty with an L1 term: ``W = W+ - W-``, both
    non-negative (SciPy's bounds), so that ``l1 * sum |W|`` becomes the linear
    ``l1 * sum (W+ + W-)``; scaled by ``d`` as in :class:`_Smooth`."""

    def __init__(self, objective, d):
        super().__init__(objective, d)
        k, p = self.shape
        self.size = k * (p - 1)
        self.l1 = objective.l1
        self.bounds = [(0, None)] * (2 * self.size) + [(None, None)] * k

    def _parts(self, z):
        k, p = self.shape
        plus = z[: self.size].reshape(k, p - 1)
        minus = z[self.size : 2 * self.size].reshape(k, p - 1)
        return plus, minus, z[2 * self.size :]

    def to_params(self, z):
        plus, minus, intercept = self._parts(z)
        P = np.hstack([plus - minus, intercept[:, None]]) / self.d
        if not self.objective.fit_intercept:
            P[:, -1] = 0
        return P

    def to_reported(self, z):
        return self.objective.project(self.to_params(z))

    def from_params(self, P):
        q = P.astype(np.float64) * self.d
        W = q[:, :-1]
        return np.concatenate([np.maximum(W, 0).ravel(), np.maximum(-W, 0).ravel(), q[:, -1]])

    def value_and_grad(self, objective, z):
        P = self.to_params(z)
        value, grad = objective.value_and_grad(P.astype(self.dtype), proximal=True)
        plus, minus, _ = self._parts(z)
        scales = self.d[:-1]
        # The value without l1 * sum |W|, plus the split's l1 * sum (W+ + W-).
        value += self.l1 * float(np.sum((plus + minus) / scales) - np.sum(np.abs(P[:, :-1])))
        g = grad[:, :-1] / scales
        l1 = self.l1 / scales
        return value, np.concatenate([(g + l1).ravel(), (l1 - g).ravel(), grad[:, -1] / self.d[-1]])


class LBFGS(BaseOptimizer):
    """Limited-memory BFGS: the exact solver, for every loss and penalty.

    Runs :func:`scipy.optimize.minimize` with ``method='L-BFGS-B'`` until it
    can improve the objective no further (SciPy's tests are set to machine
    precision): it stops by itself at the optimum, so the estimators'
    ``tol`` does not apply to it, and ``max_iter`` caps it. Each of its
    iterations is one iteration here (``loss_curve_`` holds the objective
    after each).

    On float32 data it runs twice: first in float32, where the products
    run at float32's speed (a product of float32 data with float64 weights
    converts the data to float64 first), until float32's rounding
    stops the line search (about 1e-7 of the objective), then in float64
    from there to the precision that float32 weights can hold (SciPy's
    ``ftol`` 1e-12); the result is cast back to float32. For the hinge the
    smoothings of width ``0.1 * margin`` and wider run in float32, the
    narrower ones in float64. On float64 data everything is float64 and the
    last stage stops at machine precision.

    - **Smooth objectives** (the softmax with the L2 penalty or none) are
      minimized as they are.
    - **An L1 term** (``'l1'``, ``'elasticnet'``) is made smooth by splitting
      ``W = W+ - W-`` with ``W+, W- >= 0`` (SciPy's bounds), which turns
      ``sum |W|`` into the linear ``sum (W+ + W-)``: exact, with exact zeros
      at the bounds.
    - **The multiclass hinge**, which has kinks, is minimized by continuation:
      L-BFGS on its Huber smoothing (see
      :class:`~sklinear_sgd.losses.MulticlassHinge`) of width ``mu = margin``,
      then ``mu / 10``, ... down to ``1e-8 * margin``, each stage run to
      convergence and starting from the last one's result. The last stage's
      smoothed loss is within ``(K - 1) * 5e-9 * margin`` of the hinge a
      sample, ``K`` the number of classes. The objective reported after each
      iteration is always the exact one (one more pass over ``X`` an
      iteration).

    Columns are scaled by a power of two near the square root of their
    curvature: their mean square plus the penalty's share, which dominates
    on the rare columns of sparse text data (there it cuts the softmax's
    iterations by more than half: ``benchmarks/lbfgs_settings.py``). So
    unscaled data train too (an exact change of variables; none for
    standardized data at the default ``alpha``). SciPy cannot be paused
    and resumed: it runs in chunks of
    iterations, as many as 64 MiB of iterates hold (at least 16), whose
    iterates are handed out when the chunk ends, and each chunk starts a
    fresh curvature memory. For the same reason the memory is not carried
    across ``partial_fit`` calls: each call runs one iteration from a fresh
    memory (a gradient step with a line search), at the smoothing reached so
    far.

    Parameters
    ----------
    memory : int, default=30
        Number of correction pairs kept (SciPy's ``maxcor``). The
        continuation of a loss with kinks needs about half the iterations
        with 30 as with 10 (on the data sets that scikit-learn ships); on
        the smooth softmax it saves iterations on digits and costs little
        elsewhere (``benchmarks/lbfgs_settings.py`` sets it to 10).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier, SVMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer="lbfgs").fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    >>> svm = SVMClassifier(optimizer="lbfgs", penalty="l1", alpha=0.01)
    >>> svm.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {"memory": [Interval(Integral, 1, None, closed="left")]}

    #: It stops by its own test, at the optimum; ``tol`` does not apply.
    exact = True
    #: The continuation of a loss with kinks takes up to a few thousand
    #: iterations on the data sets that scikit-learn ships.
    default_max_iter = 10_000

    def __init__(self, memory=30):
        self.memory = memory

    def _stages(self, objective, state):
        """The stages still to run, from the one that ``state`` reached:
        ``(index, objective, smoothing, dtype)``, ``smoothing`` None for a
        smooth loss and ``dtype`` the one the stage computes in."""
        if objective.smooth_loss:
            stages = [(objective, None)]
        elif not hasattr(objective, "with_loss"):
            raise ValueError(
                "LBFGS minimizes a loss with kinks through smoothed copies of the "
                "objective, which this objective (of a dask array) cannot make. "
                "Use optimizer='gd' on dask arrays with this loss."
            )
        else:
            margin = getattr(objective.loss, "margin", 1.0)
            stages = [(objective.with_loss(objective.loss.smoothed(margin * mu)), mu)
                      for mu in _SMOOTHING]
        # On float32 data the wider smoothings run in float32, the products at
        # full speed, and the narrower ones in float64; a smooth loss runs in
        # float32, then again in float64 from where float32's rounding stopped.
        if objective.dtype != np.float64:
            stages = [(stage, mu, objective.dtype) for stage, mu in stages
                      if mu is None or mu >= _FLOAT32_SMOOTHING] + [
                      (stage, mu, np.float64) for stage, mu in stages
                      if mu is None or mu < _FLOAT32_SMOOTHING]
        else:
            stages = [(stage, mu, np.float64) for stage, mu in stages]
        start = state.get("stage", 0)
        return [(k, *stage) for k, stage in enumerate(stages) if k >= start]

    def iterate(self, objective, params, state, max_iter):
        """Yield SciPy's iterates; see :meth:`BaseOptimizer.iterate`."""
        state = copy_state(state)
        dtype = params.dtype
        d = _column_scales(objective)
        space = (_Smooth if objective.l1 == 0 else _Split)(objective, d)
        report = getattr(space, "to_reported", space.to_params)
        z = space.from_params(params)
        # The last stage's test: machine precision, or on float32 data, whose
        # result is cast to float32, as precise as float32 weights can tell.
        ftol = 10 * np.finfo(np.float64).eps if dtype == np.float64 else _STAGE_FTOL
        chunk = max(_MIN_CHUNK, _CHUNK_BYTES // (8 * z.size))
        small = objective.n_samples * objective.n_features <= _SMALL_DATA
        done = 0
        stages = self._stages(objective, state)
        for k, stage, mu, compute_dtype in stages:
            space.dtype = compute_dtype
            last = k == stages[-1][0]
            seen = {}

            def fun(z, stage=stage):
                # SciPy's line search may try points where the objective
                # overflows; it backs off from them by itself.
                with np.errstate(over="ignore", invalid="ignore"):
                    value, grad = space.value_and_grad(stage, z)
                seen["z"], seen["value"] = z.copy(), value
                return value, grad

            def record(zk):
                same = np.array_equal(zk, seen.get("z"))
                history.append((zk.copy(), seen["value"] if same else None))

            converged = False
            while done < max_iter and not converged:
                history = []
                with threadpool_limits(1 if small else None, user_api="blas"):
                    result = minimize(
                        fun, z, jac=True, method="L-BFGS-B", bounds=space.bounds,
                        callback=record,
                        options={"maxiter": min(chunk, max_iter - done),
                                 "maxcor": self.memory, "gtol": 0.0,
                                 "ftol": ftol if last else (
                                     _STAGE_FTOL if space.dtype == np.float64
                                     else _FLOAT32_FTOL)},
                    )
                if not history and result.status == 2 and done == 0 and last:
                    raise ValueError(
                        "L-BFGS could not take a first step: its line search failed "
                        f"({result.message}). The features are probably of very "
                        "different or extreme sizes: scale them (for instance with "
                        "StandardScaler)."
                    )
                converged = not history or result.status != 1  # 1: stopped at maxiter
                for i, (z_k, value) in enumerate(history):
                    P = report(z_k).astype(dtype)
                    if mu is not None or space.bounds is not None or value is None:
                        value = objective.value(P)  # the exact objective
                    if converged and i == len(history) - 1 and not last:
                        state["stage"] = k + 1  # the next stage's turn
                    state["n_iter"] += 1
                    yield Iterate(P, value, copy_state(state),
                                  {"smoothing": mu, "dtype": np.dtype(compute_dtype).name})
                done += len(history)
                if history:
                    z = history[-1][0]
            if not converged:
                return  # max_iter reached
            if not last:
                state["stage"] = k + 1

    def describe(self, iterate):
        """Iteration, objective, for a loss with kinks the smoothing, and the
        dtype the stage computes in."""
        line = super().describe(iterate)
        mu = iterate.info.get("smoothing")
        if mu is not None:
            line += f", smoothing {mu:.0e} x margin"
        return f"{line}, in {iterate.info['dtype']}"
