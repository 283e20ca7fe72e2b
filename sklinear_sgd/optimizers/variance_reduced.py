"""Variance-reduced optimizers: minibatch proximal SVRG.

Minibatch SGD needs shrinking steps: the noise of its batch gradients does not
vanish at the optimum. SVRG corrects every batch gradient with the same batch's
gradient at a snapshot and the full gradient there, so that the noise shrinks
with the distance to the optimum and a constant step converges linearly on a
strongly convex smooth objective.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseOptimizer, Iterate, copy_state, resume_state
from .gradient import _auto_step, _batches

__all__ = ["SVRG"]

#: Weight of the variance constant in the 'auto' step ``1 / (L_b + 4 rho_b)``.
_VARIANCE_WEIGHT = 4.0


class SVRG(BaseOptimizer):
    r"""Minibatch proximal SVRG: minibatch steps whose noise vanishes at the optimum.

    An iteration is one epoch. It takes a snapshot :math:`\tilde P` of the
    parameters and the full gradient :math:`\nabla F(\tilde P)` there, ``F``
    being the smooth part of the objective (the loss and the penalty's squared
    term), then ``m = ceil(n_samples / batch_size)`` steps, each on a batch
    :math:`B` of the rows of a fresh random permutation:

    .. math::

        g &= \nabla F_B(P) - \nabla F_B(\tilde P) + \nabla F(\tilde P), \\
        P &\leftarrow \operatorname{proj}\bigl(
             \operatorname{prox}_{\eta\, l_1 \|\cdot\|_1}(P - \eta\, g)\bigr),

    where :math:`F_B` is ``F`` on the batch (its weighted mean loss),
    ``prox`` the soft thresholding of the penalty's L1 term ``l1 * sum |W|``
    (the identity without one) and ``proj`` the map onto the subspace that
    holds a minimizer (see
    :meth:`~sklinear_sgd.objective.LinearObjective.project`). :math:`g` is an
    unbiased estimate of :math:`\nabla F(P)` whose variance is bounded by the
    objective gaps of :math:`P` and :math:`\tilde P`: unlike SGD's, it
    vanishes at the optimum, and a constant step converges linearly on a
    strongly convex smooth objective (the softmax loss with the ``'l2'`` or
    ``'elasticnet'`` penalty; Johnson & Zhang, 2013, and with the proximal
    step, Xiao & Zhang, 2014). The next epoch's snapshot is the last iterate.
    The first step of an epoch is taken at the snapshot, where :math:`g` is
    the full gradient exactly: it costs no batch gradient, the others two
    each, so that an epoch costs about three passes over the data. The
    objective recorded for the epoch (``loss_curve_``, the stopping rule) is
    the exact objective at its end, computed with the full gradient there,
    which is the next snapshot's. With ``batch_size`` None or at least
    ``n_samples``, an epoch is one proximal full-batch gradient step, as with
    :class:`~sklinear_sgd.optimizers.GradientDescent`.

    This is the epoch form (one full gradient, then ``m`` steps) rather than
    the loopless one (L-SVRG, Kovalev et al., 2020, which renews the snapshot
    after each step with probability ``1 / m``), for three reasons: an
    iteration then has a fixed cost and is the one epoch that the estimators'
    ``max_iter``, ``tol`` and ``partial_fit`` count; the snapshot is renewed at
    the start of every epoch, so that the state that ``partial_fit`` resumes
    from is the parameters and the random generator alone (the loopless form
    would have to carry a snapshot and its full gradient, two more
    coefficient-sized arrays); and the exact objective recorded for an epoch
    comes with the next snapshot's full gradient, where the loopless form
    would need a pass of its own.

    With the hinge loss (:class:`~sklinear_sgd.SVMClassifier`) the objective
    has kinks: the two batch gradients of :math:`g` differ by a jump whenever
    a row's margin changes side between :math:`\tilde P` and :math:`P`, the
    variance does not vanish, and no constant step converges. The step of
    epoch ``k`` (counted from the first fit, 0 first) is then
    :math:`\eta / \sqrt{1 + k}`, as in a subgradient method: the run
    approaches the optimum, but slowly, at a sublinear rate. (The kinks of an
    L1 penalty are no trouble: its proximal step handles them exactly.)

    Parameters
    ----------
    learning_rate : float or 'auto', default='auto'
        The step size :math:`\eta`. ``'auto'`` takes

        .. math::

            \eta = \frac{1}{L_b + 4 \rho_b}, \qquad
            \rho_b = \frac{n - b}{b (n - 1)} (L_1 - \mu),

        with :math:`L_b` the expected smoothness constant of a batch of
        :math:`b` = ``batch_size`` rows drawn without replacement (Gower et
        al., 2019) and :math:`L_1` that of a single row, both estimated from
        the data (see
        :meth:`~sklinear_sgd.objective.LinearObjective.smoothness`), and
        :math:`\mu` the penalty's curvature, which no batch changes. The
        intercept takes ``r`` times that step, as for
        :class:`~sklinear_sgd.optimizers.SGD`. Why: :math:`\rho_b` is the
        variance constant of a batch of :math:`b` rows drawn without
        replacement, the variance of the batch's mean of the rows' gradient
        differences to the optimum being at most :math:`2 \rho_b` times the
        objective gap; the variance of :math:`g` is then at most :math:`4
        \rho_b` times the sum of the gaps of :math:`P` and :math:`\tilde P`,
        and a step brings :math:`P` closer to the optimum in expectation
        while :math:`\eta (L + 2 \rho_b) < 1`. The weight 4 instead of 2
        leaves room for the snapshot's share of the variance, which every
        step of the epoch adds, and for :math:`L_1` being estimated from the
        rows' mean squared norm where the theory has their largest. The step
        goes from about :math:`1 / (5 L_1)` for single rows (Xiao & Zhang's
        analysis asks for less than :math:`1 / (4 L_{\max})`) to :math:`1 /
        L`, gradient descent's, for the full batch, whose variance is 0. (A
        step of :math:`1 / (3 L_b)` for every batch size is at the edge of
        stability with single rows of standardized digits, and with batches
        of 64 rows of iris (``alpha=1e-2``) takes three times as many epochs
        as this one to a relative gap of 1e-6.) A number is the step of every
        parameter.
    batch_size : int or None, default=256
        Rows per step; None (or at least ``n_samples``) for full-batch steps.

    See Also
    --------
    sklinear_sgd.optimizers.SGD : minibatch steps without variance reduction,
        which must shrink to converge.

    Notes
    -----
    The estimators hand the optimizer's state from one ``partial_fit`` call
    to the next (``warm_start`` too): the epoch count and the random
    generator, from which the next permutation is drawn. A run resumed from
    an iterate takes exactly the steps of one that had not stopped there.
    The parameters are held, and every gradient and step computed, in the
    data's dtype: float32 data give float32 coefficients, and the precision
    that they can reach.

    References
    ----------
    R. Johnson and T. Zhang, "Accelerating stochastic gradient descent using
    predictive variance reduction", NeurIPS 2013.

    L. Xiao and T. Zhang, "A proximal stochastic gradient method with
    progressive variance reduction", SIAM J. Optim. 24(4), 2014.

    R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin and
    P. Richtarik, "SGD: general analysis and improved rates", ICML 2019.

    D. Kovalev, S. Horvath and P. Richtarik, "Don't jump through hoops and
    remove those loops: SVRG and Katyusha are better without the outer loop",
    ALT 2020.

    Examples
    --------
    On the wine data, against the optimum that L-BFGS finds: in 100 epochs
    SVRG comes within a relative 1e-6 of it, while SGD, whose steps must
    shrink, stays above 1e-4.

    >>> from sklearn.datasets import load_wine
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import SGD, SVRG
    >>> X, y = load_wine(return_X_y=True)
    >>> X = scale(X)
    >>> def fit(optimizer, max_iter=100):
    ...     clf = SoftmaxClassifier(alpha=1e-2, optimizer=optimizer, tol=None,
    ...                             max_iter=max_iter, random_state=0)
    ...     return clf.fit(X, y)
    >>> best = fit("lbfgs", max_iter=500).objective(X, y)
    >>> svrg = fit(SVRG(batch_size=16))
    >>> svrg.score(X, y)
    1.0
    >>> def gap(clf):
    ...     return (clf.objective(X, y) - best) / best
    >>> bool(gap(svrg) < 1e-6 < 1e-4 < gap(fit(SGD(batch_size=16))))
    True
    """

    _parameter_constraints = {
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, learning_rate="auto", batch_size=256):
        self.learning_rate = learning_rate
        self.batch_size = batch_size

    def _batch_size(self, objective):
        """``batch_size``, None for full-batch steps."""
        b = self.batch_size
        return None if b is None or b >= objective.n_samples else b

    def _step(self, objective, batch_size):
        """The step: a number, or with 'auto' one for each column of the
        parameters (the intercept's last), in their dtype."""
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        step = _auto_step("auto", objective, batch_size)  # 1 / L_b, r / L_b
        if batch_size is None:
            return step
        share = _auto_share(objective, batch_size)
        if np.ndim(step):
            return step * step.dtype.type(share)
        return step * share

    def iterate(self, objective, params, state, max_iter):
        """Yield an iterate after each epoch; see :meth:`BaseOptimizer.iterate`.

        A generator; ``params`` is copied, never modified.
        """
        batch_size = self._batch_size(objective)
        return _epochs(
            objective, params, state, max_iter, self._step(objective, batch_size),
            batch_size, decay=not objective.smooth_loss,
        )

    def describe(self, iterate):
        """Epoch, objective and learning rate."""
        return (
            f"iteration {iterate.state['n_iter']}: objective {iterate.value:.6f}, "
            f"learning rate {iterate.info['learning_rate']:.3g}"
        )


def _auto_share(objective, batch_size):
    """``L_b / (L_b + 4 rho_b)``: the share of ``1 / L_b`` that the 'auto'
    step takes with batches of ``batch_size < n_samples`` rows (see
    :class:`SVRG`)."""
    n, b = objective.n_samples, batch_size
    spread = (n - b) / (b * (n - 1))
    with np.errstate(over="ignore", invalid="ignore"):
        smooth_b = objective.smoothness(b)
        rho = spread * max(objective.smoothness(1) - objective.strong_convexity(), 0.0)
        total = smooth_b + _VARIANCE_WEIGHT * rho
    if total == 0:  # a flat objective: any step leaves it unchanged
        return 1.0
    if not np.isfinite(total):
        raise ValueError(
            "learning_rate='auto' cannot be computed: the smoothness constant of "
            f"a single row of the data is {objective.smoothness(1):.3g}, beyond "
            "the floating-point range. The features are too large: scale them "
            "(for instance with StandardScaler) or give a numeric learning_rate."
        )
    return smooth_b / total


def _epochs(objective, params, state, max_iter, step, batch_size, decay):
    """The epochs of :class:`SVRG`, one :class:`Iterate` each.

    ``step`` is a number or an array of the parameters' dtype, one step for
    each of their columns; ``batch_size`` is None for full-batch steps (then
    no random number is drawn); with ``decay`` the step of epoch ``k`` is
    ``step / sqrt(1 + k)``.
    """
    state = resume_state(state)
    n = objective.n_samples
    # C-contiguous, in the parameters' dtype, as every gradient and step: a
    # copy, and the same layout however the run started, so that a resumed
    # run takes exactly the same steps.
    P = np.array(params, order="C")
    full_grad = None  # the full gradient at P, once known
    for _ in range(max_iter):
        lr = step
        if decay:
            shrink = 1.0 / math.sqrt(1.0 + state["n_iter"])
            lr = step * step.dtype.type(shrink) if np.ndim(step) else step * shrink
        lr_step = np.asarray(lr, dtype=P.dtype)  # broadcast along the columns
        if full_grad is None:
            full_grad = objective.value_and_grad(P, proximal=True)[1]
        snapshot = None if batch_size is None else P.copy()
        # The first step is at the snapshot, where the batch gradients cancel:
        # the estimate is the full gradient, exactly.
        direction = full_grad * lr_step
        P -= direction
        objective.prox(P, lr_step)
        objective.project(P)
        if batch_size is not None:
            gradient = objective.value_and_grad
            for rows, _ in _batches(n, batch_size, "rows", state["rng"])[1:]:
                direction = gradient(P, rows=rows, proximal=True)[1]
                direction -= gradient(snapshot, rows=rows, proximal=True)[1]
                direction += full_grad
                direction *= lr_step
                P -= direction
                objective.prox(P, lr_step)
                objective.project(P)
        del snapshot, direction, full_grad  # not alive beside the next ones
        # The exact objective at the epoch's end, and the gradient there: the
        # next snapshot's. (The last epoch's gradient goes unused; it costs a
        # backward product and keeps the recorded values the same whether or
        # not the run had paused.)
        value, full_grad = objective.value_and_grad(P, proximal=True)
        state["n_iter"] += 1
        info = {"learning_rate": float(lr[0]) if np.ndim(lr) else float(lr)}
        if np.ndim(lr):
            info["intercept_learning_rate"] = float(lr[-1])
        yield Iterate(P.copy(), value, copy_state(state), info)
