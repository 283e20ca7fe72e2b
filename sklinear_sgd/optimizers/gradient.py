"""First-order optimizers: gradient descent, minibatch SGD, Adam, RMSProp, AdaGrad.

They share one driver, :func:`_descend`: an iteration is one epoch, made of
full-batch or minibatch steps; each step asks the update rule for a direction,
takes it, applies the penalty's L1 part by its proximal operator and maps the
parameters back to the objective's subspace (see ``LinearObjective.project``).
The learning rate of each epoch comes from the schedule.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from . import _updates
from ._base import BaseOptimizer, Iterate, copy_state, resume_state
from .schedules import SCHEDULES, CappedInverseScaling, get_schedule

__all__ = ["GradientDescent", "SGD", "Adam", "RMSProp", "AdaGrad"]

_LEARNING_RATE = [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})]
_BATCH_SIZE = [Interval(Integral, 1, None, closed="left"), None]
_SCHEDULE = [
    StrOptions(set(SCHEDULES) | {"auto"}),
    HasMethods(["init", "multiplier", "update"]),
]
_EPSILON = [Interval(Real, 0, None, closed="neither")]


def _step(objective, params, grad, rule, rule_state, lr, project=True):
    """One update in place: direction, step, proximal step and, unless told
    otherwise, projection. ``grad`` has served once the rule has read it: it
    is overwritten with the step. ``lr`` is a number or an array of the
    parameters' dtype, one step per column (see :func:`_auto_step`)."""
    _times_steps(rule.direction(grad, rule_state), lr, out=grad)
    params -= grad
    objective.prox(params, lr * rule.scale(rule_state))
    if project:
        objective.project(params)


def _times_steps(direction, lr, out):
    """``direction * lr`` into ``out``, ``lr`` one step per column of P.

    The steps of :func:`_auto_step` are one for every weight and another for
    the intercept: then two multiplications by a number, three times faster
    than numpy's broadcast of a row over the (transposed) columns of the
    minibatch steps' parameters. Any other ``lr`` is broadcast.
    """
    if np.ndim(lr) and len(lr) > 1 and (lr[:-1] == lr[0]).all():
        np.multiply(direction[:, :-1], lr[0], out=out[:, :-1])
        np.multiply(direction[:, -1], lr[-1], out=out[:, -1])
    else:
        np.multiply(direction, lr, out=out)


def _batches(n, batch_size, shuffle, rng):
    """The minibatches of one epoch, ``(rows, size)`` pairs.

    ``rows`` is an array of row indices or a slice: ``'rows'`` draws a fresh
    permutation of the rows; ``'batches'`` keeps every batch a contiguous block
    of rows (a view of ``X``, no gather) and draws only the order of the blocks.
    """
    starts = range(0, n, batch_size)
    sizes = [min(batch_size, n - start) for start in starts]
    if shuffle == "rows":
        # rng.permutation(n), in half the memory below 2**31 rows: the same
        # shuffle of a smaller integer type gives the same order.
        order = np.arange(n, dtype=np.int32 if n < 2**31 else np.intp)
        rng.shuffle(order)
        return [(order[start : start + size], size) for start, size in zip(starts, sizes)]
    blocks = [(slice(start, start + size), size) for start, size in zip(starts, sizes)]
    return [blocks[i] for i in rng.permutation(len(blocks))]


def _sparse_plain_epoch(objective, state_t, batches, lr, average=None, scratch_t=None):
    """Plain minibatch steps on sparse rows, each touching only its batch's columns.

    The same steps as :func:`_step` with the plain rule and a smooth (L2)
    penalty ``l2 * sum(W ** 2)``: ``W <- (1 - lr mu) W - lr G``, with ``mu =
    2 l2`` the objective's :meth:`strong_convexity
    <sklinear_sgd.objective.LinearObjective.strong_convexity>` and ``G`` the
    data term's gradient, which is zero outside the batch's columns. For the
    epoch ``W`` is held transposed (a column of ``W`` is then a contiguous
    row) and as ``scale * V``: the shrinking multiplies ``scale``, the
    objective adds the gradient's step into the touched rows of ``V`` (see
    :meth:`~sklinear_sgd.objective.LinearObjective.add_sparse_step`), and no
    step costs ``O(n_features)``. The projection, which these steps preserve
    up to rounding (the data gradient is centered across classes), is applied
    once at the end.

    ``state_t`` is ``P.T``, C-contiguous, of shape ``(n_features + 1,
    n_classes)``: ``V`` is its first rows and the intercept its last; it is
    updated in place. ``lr`` is a float or, from ``learning_rate='auto'``, the
    step of each column of the parameters (the intercept's last). Returns the
    sum over the batches of ``size * data term`` and the new parameters,
    ``state_t.T`` (a view: no coefficient-sized array is allocated).

    With ``average``, an :class:`_Average`, each iterate whose step it counts
    is formed as ``scale * V`` in ``scratch_t`` (of the layout of
    ``state_t``) and added to the running mean: a dense operation, ``O(n_features
    * n_classes)`` a batch (see the ``average`` parameter of :class:`SGD`).
    """
    V = state_t[:-1]
    intercept = state_t[-1]
    mu = objective.strong_convexity()  # 2 * l2
    lr_intercept = float(lr[-1]) if np.ndim(lr) else lr
    lr = float(lr[0]) if np.ndim(lr) else lr
    shrink = 1.0 - lr * mu
    scale = 1.0
    total = 0.0
    for rows, size in batches:
        batch = objective.sparse_batch(rows)
        value, grad_intercept = objective.sparse_batch_value(batch, V, intercept, scale)
        total += value * size
        scale *= shrink
        if not 1e-6 < abs(scale) < 1e6:  # fold the scale into V
            V *= V.dtype.type(scale)
            scale = 1.0
        objective.add_sparse_step(batch, V, -(lr / scale))
        intercept -= grad_intercept * grad_intercept.dtype.type(lr_intercept)
        if average is not None and average.counts(size):
            np.multiply(V, V.dtype.type(scale), out=scratch_t[:-1])
            scratch_t[-1] = intercept
            average.add(scratch_t.T, scratch_t.T)
        # Not alive beside the next batch's: the peak holds one batch's arrays.
        del batch
    V *= V.dtype.type(scale)
    params = state_t.T
    objective.project(params)
    return total, params


class _Average:
    """The running mean of averaged SGD's iterates, and what it needs to resume.

    ``start`` is the number of samples seen at which averaging begins (1:
    from the first step): a step is averaged when the samples seen, counted
    with its batch, reach it, as in scikit-learn's ``SGDClassifier``. Every
    averaged iterate weighs the same: ``mean <- mean + (P - mean) / count``.
    In the state it is plain data, ``state['averaging']``: ``{'raw': P,
    'mean': mean or None, 'count': int, 'n_seen': int}``, with ``raw`` the
    plain iterate, from which the steps go on (the iterates hand out the
    mean), ``mean`` None until averaging begins.
    """

    def __init__(self, start, saved):
        self.start = start
        saved = saved or {}
        self.count = int(saved.get("count", 0))
        self.n_seen = int(saved.get("n_seen", 0))
        self._saved = saved.get("mean")
        self.mean = None

    def bind(self, params):
        """Hold the mean in the layout of the working parameters ``params``,
        however the run started: a resumed run then computes exactly what an
        uninterrupted one does (a reduction's order of sums follows the
        layout)."""
        self._like = params
        if self._saved is not None and self.count:
            self.mean = np.empty_like(params)
            self.mean[...] = self._saved
        self._saved = None

    def counts(self, size):
        """Count a step on ``size`` rows; whether its iterate is averaged."""
        self.n_seen += size
        if self.n_seen < self.start:
            return False
        self.count += 1
        return True

    def add(self, point, scratch):
        """Add the iterate ``point`` to the mean; ``scratch``, an array of
        its shape and dtype that holds nothing needed, may be ``point``."""
        if self.mean is None:
            self.mean = np.empty_like(self._like)
        if self.count == 1:
            np.copyto(self.mean, point)
            return
        np.subtract(point, self.mean, out=scratch)
        scratch /= scratch.dtype.type(self.count)
        self.mean += scratch

    def export(self, raw):
        """The plain data of the state (arrays by reference: the iterates
        copy them)."""
        return {
            "raw": raw, "mean": self.mean, "count": self.count, "n_seen": self.n_seen
        }


def _descend(
    objective,
    params,
    state,
    max_iter,
    lr0,
    rule,
    batch_size,
    schedule,
    shuffle="rows",
    exact_objective=False,
    average=None,
):
    """Yield one :class:`Iterate` per epoch of (mini)batch steps.

    An epoch is ``ceil(n_samples / batch_size)`` steps over batches drawn by
    :func:`_batches`, or a single full-batch step when ``batch_size`` is None
    or at least ``n_samples`` (then no random numbers are drawn, and the
    gradient at the new point, computed with the objective reported for the
    epoch, serves the next step). The objective reported for a minibatch
    epoch is the running mean of the batches' data terms, each taken before
    its step (free, as the step needs it), plus the penalty at the epoch's
    end, or with ``exact_objective`` the objective on all rows after the
    epoch (one more pass over ``X``).

    With ``average`` (the number of samples seen at which averaging begins,
    None for none) the iterates are the running mean of the iterates after
    each step since averaging began (see :class:`_Average`), and the
    objective reported is the exact one at the mean (one forward pass over
    ``X`` an epoch); the steps go on from the plain iterate, which the state
    holds, and from which a resumed run starts instead of ``params`` when
    these are the last iterate's.
    """
    state = resume_state(state)
    n = objective.n_samples
    full = batch_size is None or batch_size >= n
    lazy = objective.is_sparse and type(rule) is _updates.Plain and objective.penalty.smooth
    lazy = lazy and not full
    averaging, resumed = None, False
    if average is None:
        # Averaging switched off: the run goes on from ``params`` (a model's
        # coef_, the mean), as SGDClassifier's does; the mean is dropped.
        state.pop("averaging", None)
    else:
        saved = state.get("averaging")
        # The state resumes only the model that it handed out last, the mean
        # or before averaging the plain iterate. Another one (averaging just
        # switched on, another optimizer's since, early stopping's best
        # epoch, coef_ set by hand) is a new start, from ``params``.
        handed = None
        if saved is not None:
            handed = saved["raw"] if saved["mean"] is None else saved["mean"]
        if handed is not None and np.shape(handed) == params.shape and np.array_equal(
            np.asarray(handed, dtype=params.dtype), params
        ):
            # Projected at the end of the epoch that saved it: not again,
            # which could change its last bits.
            resumed = saved["raw"].dtype == params.dtype
            params = np.asarray(saved["raw"], dtype=params.dtype)
        else:
            saved = None
        averaging = _Average(average, saved)
    # The full-batch and lazy paths hand out their parameters themselves as
    # iterates, and work on a copy afterwards unless the consumer has released
    # them (see BaseOptimizer.iterate).
    handed_out = released = False
    if full:
        # On sparse X the parameters are held as P.T, C-contiguous: the
        # objective's products then read W.T and add into the gradient
        # without copying either (see LinearObjective.value_and_grad).
        params = np.array(params.T, order="C").T if objective.is_sparse else params.copy()
        grad = None  # the gradient at params, once known
    else:
        # Minibatch steps hold P.T, C-contiguous (see
        # LinearObjective.minibatch_value_and_grad); ``params`` is a view of it
        # with P's axes.
        state_t = np.array(params.T, order="C")  # a copy, always
        params = state_t.T
        if not lazy:
            grad_t = np.empty_like(state_t)
            grad = grad_t.T
            # Rules whose direction is a sum of gradients keep the parameters
            # in the objective's subspace (every gradient lies in it): the
            # start is projected, then once an epoch to remove the rounding.
            project = not rule.linear
            if not project and not resumed:
                objective.project(params)
        elif averaging is not None:
            scratch_t = np.empty_like(state_t)  # the iterates scale * V
    if averaging is not None:
        averaging.bind(params)
    # A state from another rule or schedule (warm start after a change of
    # optimizer) cannot be resumed: theirs start afresh. A new rule state
    # takes the layout of ``params``.
    if state.get("rule_kind") != type(rule).__name__:
        state["rule"], state["rule_kind"] = rule.init(params), type(rule).__name__
    if state.get("schedule_kind") != type(schedule).__name__:
        state["schedule"] = schedule.init()
        state["schedule_kind"] = type(schedule).__name__
    for _ in range(max_iter):
        lr = lr0 * schedule.multiplier(state["schedule"], state["n_iter"])
        if full:
            if handed_out and not released:
                params = params.copy(order="K")
            if grad is None:
                grad = objective.value_and_grad(params, proximal=True)[1]
            _step(objective, params, grad, rule, state["rule"], np.asarray(lr, params.dtype))
            if averaging is not None and averaging.counts(n):
                averaging.add(params, grad)  # grad, the step taken, is free
            grad = None  # freed before the next one is computed
            value, grad = objective.value_and_grad(params, proximal=True)
        else:
            batches = _batches(n, batch_size, shuffle, state["rng"])
            if lazy:
                if handed_out and not released:
                    state_t = state_t.copy()
                total, params = _sparse_plain_epoch(
                    objective, state_t, batches, lr, averaging,
                    scratch_t if averaging is not None else None,
                )
            else:
                total = 0.0
                lr_step = np.asarray(lr, params.dtype)
                for rows, size in batches:
                    total += objective.minibatch_value_and_grad(state_t, rows, grad_t) * size
                    _step(objective, params, grad, rule, state["rule"], lr_step, project)
                    if averaging is not None and averaging.counts(size):
                        # grad holds the step taken, free until the next batch.
                        averaging.add(params, grad)
                if not project:
                    objective.project(params)
            if averaging is not None and averaging.mean is not None:
                value = None  # the mean's, below
            elif exact_objective:
                value = objective.value(params)
            else:
                value = total / n + objective.penalty_value(params)
        mean = None if averaging is None else averaging.mean
        if mean is not None:
            objective.project(mean)
            value = objective.value(mean)
        schedule.update(state["schedule"], value)
        state["n_iter"] += 1
        if averaging is not None:
            state["averaging"] = averaging.export(params)
        info = {"learning_rate": float(lr[0]) if np.ndim(lr) else lr}
        if np.ndim(lr):
            info["intercept_learning_rate"] = float(lr[-1])
        handed_out = (full or lazy) and mean is None
        if mean is not None:
            yielded = np.array(mean, order="C")
        else:
            yielded = params if handed_out else np.array(params, order="C")
        released = (yield Iterate(yielded, value, copy_state(state), info)) is True


class _FirstOrder(BaseOptimizer):
    """Shared ``iterate`` of the first-order optimizers."""

    #: Set by full-batch-only optimizers.
    _batch_size = None

    def _rule(self):
        raise NotImplementedError

    def _learning_rate(self, objective, batch_size):
        return float(self.learning_rate)

    def _decay(self, objective, learning_rate):
        """``decay`` of the 'auto' schedule of minibatches (see
        :class:`~.schedules.CappedInverseScaling`); 0 but for SGD."""
        return 0.0

    def iterate(self, objective, params, state, max_iter):
        """Yield an iterate after each epoch; see :meth:`BaseOptimizer.iterate`.

        A generator; ``params`` is held by it only until it has copied them.
        """
        batch_size = getattr(self, "batch_size", self._batch_size)
        learning_rate = self._learning_rate(objective, batch_size)
        return _descend(
            objective,
            params,
            state,
            max_iter,
            learning_rate,
            self._rule(),
            batch_size,
            self._schedule(objective, batch_size, learning_rate),
            getattr(self, "shuffle", "rows"),
            getattr(self, "exact_objective", False),
            self._average_start(),
        )

    def _average_start(self):
        """The samples seen at which averaging begins; None for no averaging
        (only :class:`SGD` averages)."""
        return None

    def _schedule(self, objective, batch_size, learning_rate):
        """The schedule; see the ``schedule`` parameter for ``'auto'``.

        Minibatch steps, noisy by nature, need to shrink steadily: with a
        constant step SGD only reaches a ball around the minimum whose radius
        grows with the step. For SGD they shrink no slower than the ``1 / (mu
        t)`` of a strongly convex objective either. Full-batch steps converge
        at a constant ``1 / L`` on a smooth loss, but not on a kink of the
        hinge, where the subgradient does not shrink: there plain and
        momentum steps shrink as ``1 / sqrt(1 + t)``, capped at ``1 / (mu
        t)``, steps whose sum is infinite, so that the iterates cannot stall
        short of the minimum (as steps halved at every plateau did: their sum
        is finite); the adaptive rules keep halving at plateaus. (The kinks
        of an L1 term are handled exactly by its proximal step.)
        """
        if self.schedule != "auto":
            return get_schedule(self.schedule)
        n = objective.n_samples
        if batch_size is not None and batch_size < n:
            return CappedInverseScaling(
                decay=self._decay(objective, learning_rate),
                steps_per_epoch=-(-n // batch_size),
            )
        if objective.smooth_loss:
            return get_schedule("constant")
        if not self._rule().linear:
            # Adam, RMSProp and AdaGrad scale each entry's step themselves, to
            # about the learning rate: shrinking it too keeps them far from
            # the minimum for thousands of epochs (Adam on standardized iris
            # was 0.41 after 1000). They halve it at plateaus, and may stop
            # short (a tol stop there warns).
            return get_schedule("plateau")
        step = float(learning_rate[0]) if np.ndim(learning_rate) else learning_rate
        momentum = getattr(self, "momentum", 0.0)
        return CappedInverseScaling(
            decay=step * objective.strong_convexity() / (1.0 - momentum)
        )

    def describe(self, iterate):
        """Epoch, objective and learning rate."""
        return (
            f"iteration {iterate.state['n_iter']}: objective {iterate.value:.6f}, "
            f"learning rate {iterate.info['learning_rate']:.3g}"
        )


def _auto_step(learning_rate, objective, batch_size=None, momentum=0.0):
    """The step size; 'auto' is ``(1 - momentum) / L``, ``L`` the smoothness.

    With momentum ``mu`` the steps add up to ``1 / (1 - mu)`` times a plain
    step, hence the factor that keeps the effective step at ``1 / L``. The
    intercept's step is ``r`` times the weights' (see
    :meth:`~sklinear_sgd.objective.LinearObjective.intercept_step_ratio`):
    the step is then an array, one entry for each column of the parameters.
    When ``L`` or the step is beyond the range of the data's dtype (features
    of size beyond about ``1e150`` or below ``1e-150`` in float64) no step
    can be taken, and a ValueError says so rather than training with a step
    of 0.
    """
    if learning_rate != "auto":
        return float(learning_rate)
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        smoothness = objective.smoothness(batch_size)
        # 0 only for an objective that does not depend on the parameters (X all
        # zero, no intercept, no penalty): any step leaves it unchanged.
        step = (1.0 - momentum) / smoothness if smoothness > 0 else 1.0
    if not (np.isfinite(smoothness) and 0 < step <= np.finfo(objective.dtype).max):
        raise ValueError(
            f"learning_rate='auto' cannot be computed: the smoothness constant "
            f"of the objective, about the largest squared feature value, is "
            f"{smoothness:.3g}, which gives a step outside the range of "
            f"{np.dtype(objective.dtype).name}. The features are too large or "
            "too small: scale them (for instance with StandardScaler) or give a "
            "numeric learning_rate."
        )
    ratio = objective.intercept_step_ratio(batch_size)
    if not objective.fit_intercept or ratio == 1:
        return step
    # In the parameters' dtype, which the steps are taken in: for float32,
    # half the memory of float64, and no cast in every epoch.
    steps = np.full(objective.shape[1], step, dtype=objective.dtype)
    steps[-1] *= ratio
    return steps


class GradientDescent(_FirstOrder):
    """Vanilla full-batch gradient descent: ``P <- P - learning_rate * grad``.

    Each iteration takes one step along the exact gradient of the whole
    objective, then the objective at the new point is recorded. An L1 term of
    the penalty is applied by its proximal operator (soft thresholding) after
    the step, which gives exact zeros.

    Parameters
    ----------
    learning_rate : float or 'auto', default='auto'
        The step size. ``'auto'`` takes ``1 / L``, with ``L`` the Lipschitz
        constant of the gradient estimated from the data (the largest eigenvalue
        of the weighted second moments of the features, by Lanczos steps): it
        adapts to the scale of the features, so unscaled data train too. The
        intercept then takes its own step, ``r / L`` (see
        :meth:`~sklinear_sgd.objective.LinearObjective.intercept_step_ratio`),
        and both are recorded in each iterate's ``info``. A number is the step
        of every parameter.
    schedule : str or schedule instance, default='auto'
        How the learning rate changes over the epochs: one of ``'constant'``,
        ``'step'``, ``'exponential'``, ``'invscaling'``, ``'plateau'``, an
        instance from :mod:`sklinear_sgd.optimizers.schedules`, or ``'auto'``:
        ``'invscaling'`` (``1 / sqrt(1 + epoch)``) for minibatches, whose
        noisy steps must shrink to converge, and with :class:`SGD` no larger
        than ``1 / (mu t)`` after ``t`` steps, the rate of a strongly convex
        objective (``mu = 2 * alpha`` with the L2 penalty; see
        :class:`~sklinear_sgd.optimizers.schedules.CappedInverseScaling`);
        for full-batch steps, constant with the softmax loss and, with the
        hinge loss, whose kinks keep a constant step from settling, the same
        capped inverse scaling, one step an epoch: steps whose sum is
        infinite, so that the iterates cannot stall short of the minimum
        (Adam, RMSProp and AdaGrad, which scale their steps themselves:
        ``'plateau'``, halved whenever the objective stalls for three epochs).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import GradientDescent
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer=GradientDescent(), max_iter=300, tol=None)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {"learning_rate": _LEARNING_RATE, "schedule": _SCHEDULE}

    def __init__(self, learning_rate="auto", schedule="auto"):
        self.learning_rate = learning_rate
        self.schedule = schedule

    def _rule(self):
        return _updates.Plain()

    def _learning_rate(self, objective, batch_size):
        return _auto_step(self.learning_rate, objective)


class SGD(_FirstOrder):
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
        size. The intercept takes its own step, as for :class:`GradientDescent`.
    batch_size : int or None, default=256
        Rows per step; None for full-batch steps.
    momentum : float, default=0.0
        Momentum coefficient ``mu`` in [0, 1); 0 is plain SGD. The velocity
        form is ``v <- mu * v + g`` and ``P <- P - learning_rate * v``.
    nesterov : bool, default=False
        Use Nesterov's momentum: ``P <- P - learning_rate * (g + mu * v)``.
    schedule : str or schedule instance, default='auto'
        How the learning rate changes over the epochs; see
        :class:`GradientDescent`.
    shuffle : {'rows', 'batches'}, default='rows'
        How an epoch orders the rows. ``'rows'``: a fresh random permutation
        of the rows every epoch, gathered batch by batch. ``'batches'``: the
        batches are fixed contiguous blocks of rows, visited in a fresh random
        order; no row is copied, which makes an epoch on large dense data
        cheaper, but the batches are the same in every epoch, so the rows must
        be in random order to begin with (shuffle them once, for instance with
        :func:`sklearn.utils.shuffle`, if they are sorted by class). The
        documentation's performance page shows what it costs in accuracy.
    exact_objective : bool, default=False
        The objective recorded for an epoch (``loss_curve_``, the stopping
        rule, the learning-rate schedule). False: the running mean over the
        epoch of the data term of each batch before its step, plus the
        penalty at the epoch's end, which costs nothing next to the epoch.
        True: the objective on all rows after the epoch, which costs
        one more forward pass over ``X``. With averaging under way the
        objective recorded is always the exact one, at the mean (see
        ``average``).
    average : bool or int, default=False
        Averaged SGD (Polyak-Ruppert averaging, the ASGD of scikit-learn's
        ``SGDClassifier``): the iterates handed out, hence ``coef_`` and
        ``intercept_``, are the running mean of the parameters after each
        step since averaging began, every step weighing the same (the mean
        is mapped to the objective's subspace once an epoch, as the
        iterates are). True begins with the first step; an int ``k >= 1``
        once the samples seen, counted over the epochs and the
        ``partial_fit`` calls, reach ``k``, as ``SGDClassifier(average=k)``
        (a step is averaged when its batch brings the count to ``k`` or
        beyond); until then the plain iterate is handed out. The steps are
        those of plain SGD: they go on from the plain iterate, which the
        state keeps beside the mean, its count and the samples seen, so that
        ``partial_fit`` and ``warm_start`` resume exactly (a model changed
        in between, by another optimizer, by early stopping's choice of its
        best epoch or by hand, starts averaging anew from its ``coef_``; a
        warm start with ``average=False`` goes on from ``coef_``, the mean,
        as scikit-learn's does). The objective recorded for an epoch once
        averaging has begun is the exact objective at the mean, whatever
        ``exact_objective``: one more forward pass over ``X`` an epoch (on
        dense rows, half as much again as the epoch's products). Not the
        free running mean of the epoch's batch data terms: these are taken
        at the plain iterates and describe them, not the mean (whose
        objective is, by convexity, below the mean of theirs, and the more
        so the noisier they are, which is where averaging helps), while the
        stopping rule, the schedule, ``loss_curve_`` and the divergence
        check must judge the model handed out. Averaging also costs a few
        passes over the parameters a step, ``O(n_features * n_classes)``:
        little next to a step on dense rows, but on sparse rows, whose plain
        steps touch only the batch's columns, a cost that grows with
        ``n_features`` (the mean is updated densely once a batch). With an
        L1 penalty the mean loses the exact zeros of the iterates. Averaging
        pays with steps that shrink slowly or not at all (a constant
        ``schedule``), whose noise it averages out.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SVMClassifier
    >>> from sklinear_sgd.optimizers import SGD
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SVMClassifier(optimizer=SGD(batch_size=32), max_iter=30, tol=None,
    ...                     random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True

    Averaged SGD, whose ``coef_`` is the mean of the iterates:

    >>> asgd = SGD(batch_size=32, schedule="constant", average=True)
    >>> clf = SVMClassifier(optimizer=asgd, max_iter=20, tol=None, random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {
        "learning_rate": _LEARNING_RATE,
        "batch_size": _BATCH_SIZE,
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "schedule": _SCHEDULE,
        "shuffle": [StrOptions({"rows", "batches"})],
        "exact_objective": ["boolean"],
        "average": [Interval(Integral, 1, None, closed="left"), "boolean"],
    }

    def __init__(
        self,
        learning_rate="auto",
        batch_size=256,
        momentum=0.0,
        nesterov=False,
        schedule="auto",
        shuffle="rows",
        exact_objective=False,
        average=False,
    ):
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.momentum = momentum
        self.nesterov = nesterov
        self.schedule = schedule
        self.shuffle = shuffle
        self.exact_objective = exact_objective
        self.average = average

    def _average_start(self):
        """The samples seen at which averaging begins; None for no averaging.

        With ``average``, a state saved by an averaged run resumes from the
        plain iterate that it holds when the starting parameters are those
        of the iterate that it came with (the mean); from other parameters
        (a model changed since) averaging starts anew.
        """
        if isinstance(self.average, (bool, np.bool_)):
            return 1 if self.average else None
        return int(self.average)

    def _rule(self):
        return _updates.make_rule(self.momentum, self.nesterov)

    def _learning_rate(self, objective, batch_size):
        return _auto_step(self.learning_rate, objective, batch_size, self.momentum)

    def _decay(self, objective, learning_rate):
        # The weights' step, and with momentum the steps' sum, 1 / (1 - mu) of it.
        step = float(learning_rate[0]) if np.ndim(learning_rate) else learning_rate
        return step * objective.strong_convexity() / (1.0 - self.momentum)


class Adam(_FirstOrder):
    """Adam: minibatch steps scaled by running moments of the gradient.

    ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g ** 2``,
    ``P <- P - learning_rate * m_hat / (sqrt(v_hat) + epsilon)`` with the
    bias-corrected moments ``m_hat``, ``v_hat``. An iteration is one epoch.

    Parameters
    ----------
    learning_rate : float, default=0.01
        The step size; every entry moves by about this much per step at first.
    batch_size : int or None, default=256
        Rows per step; None for full-batch steps.
    beta1 : float, default=0.9
        Decay of the first moment, in [0, 1).
    beta2 : float, default=0.999
        Decay of the second moment, in [0, 1).
    epsilon : float, default=1e-8
        Added to the root of the second moment.
    schedule : str or schedule instance, default='auto'
        How the learning rate changes over the epochs; see
        :class:`GradientDescent`.
    shuffle : {'rows', 'batches'}, default='rows'
        How an epoch orders the rows. ``'rows'``: a fresh random permutation
        of the rows every epoch, gathered batch by batch. ``'batches'``: the
        batches are fixed contiguous blocks of rows, visited in a fresh random
        order; no row is copied, which makes an epoch on large dense data
        cheaper, but the batches are the same in every epoch, so the rows must
        be in random order to begin with (shuffle them once, for instance with
        :func:`sklearn.utils.shuffle`, if they are sorted by class). The
        documentation's performance page shows what it costs in accuracy.
    exact_objective : bool, default=False
        The objective recorded for an epoch (``loss_curve_``, the stopping
        rule, the learning-rate schedule). False: the running mean over the
        epoch of the data term of each batch before its step, plus the
        penalty at the epoch's end, which costs nothing next to the epoch.
        True: the objective on all rows after the epoch, which costs
        one more forward pass over ``X``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import Adam
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer=Adam(batch_size=32), max_iter=200,
    ...                         tol=None, random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": _BATCH_SIZE,
        "beta1": [Interval(Real, 0, 1, closed="left")],
        "beta2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": _EPSILON,
        "schedule": _SCHEDULE,
        "shuffle": [StrOptions({"rows", "batches"})],
        "exact_objective": ["boolean"],
    }

    def __init__(
        self,
        learning_rate=0.01,
        batch_size=256,
        beta1=0.9,
        beta2=0.999,
        epsilon=1e-8,
        schedule="auto",
        shuffle="rows",
        exact_objective=False,
    ):
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule = schedule
        self.shuffle = shuffle
        self.exact_objective = exact_objective

    def _rule(self):
        return _updates.Adam(self.beta1, self.beta2, self.epsilon)


class RMSProp(_FirstOrder):
    """RMSProp: minibatch steps divided by a running root mean square gradient.

    ``s <- rho s + (1 - rho) g ** 2``, ``P <- P - learning_rate * g /
    (sqrt(s) + epsilon)``. An iteration is one epoch.

    Parameters
    ----------
    learning_rate : float, default=0.01
    batch_size : int or None, default=256
        Rows per step; None for full-batch steps.
    rho : float, default=0.9
        Decay of the running mean, in [0, 1).
    epsilon : float, default=1e-8
    schedule : str or schedule instance, default='auto'
        How the learning rate changes over the epochs; see
        :class:`GradientDescent`.
    shuffle : {'rows', 'batches'}, default='rows'
        How an epoch orders the rows. ``'rows'``: a fresh random permutation
        of the rows every epoch, gathered batch by batch. ``'batches'``: the
        batches are fixed contiguous blocks of rows, visited in a fresh random
        order; no row is copied, which makes an epoch on large dense data
        cheaper, but the batches are the same in every epoch, so the rows must
        be in random order to begin with (shuffle them once, for instance with
        :func:`sklearn.utils.shuffle`, if they are sorted by class). The
        documentation's performance page shows what it costs in accuracy.
    exact_objective : bool, default=False
        The objective recorded for an epoch (``loss_curve_``, the stopping
        rule, the learning-rate schedule). False: the running mean over the
        epoch of the data term of each batch before its step, plus the
        penalty at the epoch's end, which costs nothing next to the epoch.
        True: the objective on all rows after the epoch, which costs
        one more forward pass over ``X``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import RMSProp
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer=RMSProp(batch_size=32), max_iter=200,
    ...                         tol=None, random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": _BATCH_SIZE,
        "rho": [Interval(Real, 0, 1, closed="left")],
        "epsilon": _EPSILON,
        "schedule": _SCHEDULE,
        "shuffle": [StrOptions({"rows", "batches"})],
        "exact_objective": ["boolean"],
    }

    def __init__(
        self,
        learning_rate=0.01,
        batch_size=256,
        rho=0.9,
        epsilon=1e-8,
        schedule="auto",
        shuffle="rows",
        exact_objective=False,
    ):
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.rho = rho
        self.epsilon = epsilon
        self.schedule = schedule
        self.shuffle = shuffle
        self.exact_objective = exact_objective

    def _rule(self):
        return _updates.RMSProp(self.rho, self.epsilon)


class AdaGrad(_FirstOrder):
    """AdaGrad: minibatch steps divided by the root of the summed squared gradients.

    ``G <- G + g ** 2``, ``P <- P - learning_rate * g / (sqrt(G) + epsilon)``:
    the steps shrink by themselves. An iteration is one epoch.

    Parameters
    ----------
    learning_rate : float, default=0.1
    batch_size : int or None, default=256
        Rows per step; None for full-batch steps.
    epsilon : float, default=1e-8
    schedule : str or schedule instance, default='auto'
        How the learning rate changes over the epochs; see
        :class:`GradientDescent`.
    shuffle : {'rows', 'batches'}, default='rows'
        How an epoch orders the rows. ``'rows'``: a fresh random permutation
        of the rows every epoch, gathered batch by batch. ``'batches'``: the
        batches are fixed contiguous blocks of rows, visited in a fresh random
        order; no row is copied, which makes an epoch on large dense data
        cheaper, but the batches are the same in every epoch, so the rows must
        be in random order to begin with (shuffle them once, for instance with
        :func:`sklearn.utils.shuffle`, if they are sorted by class). The
        documentation's performance page shows what it costs in accuracy.
    exact_objective : bool, default=False
        The objective recorded for an epoch (``loss_curve_``, the stopping
        rule, the learning-rate schedule). False: the running mean over the
        epoch of the data term of each batch before its step, plus the
        penalty at the epoch's end, which costs nothing next to the epoch.
        True: the objective on all rows after the epoch, which costs
        one more forward pass over ``X``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import scale
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.optimizers import AdaGrad
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(optimizer=AdaGrad(batch_size=32), max_iter=200,
    ...                         tol=None, random_state=0)
    >>> clf.fit(scale(X), y).score(scale(X), y) > 0.9
    True
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": _BATCH_SIZE,
        "epsilon": _EPSILON,
        "schedule": _SCHEDULE,
        "shuffle": [StrOptions({"rows", "batches"})],
        "exact_objective": ["boolean"],
    }

    def __init__(
        self,
        learning_rate=0.1,
        batch_size=256,
        epsilon=1e-8,
        schedule="auto",
        shuffle="rows",
        exact_objective=False,
    ):
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epsilon = epsilon
        self.schedule = schedule
        self.shuffle = shuffle
        self.exact_objective = exact_objective

    def _rule(self):
        return _updates.AdaGrad(self.epsilon)
