"""Multiclass losses as functions of the scores and the labels only.

Every loss maps a score matrix ``S`` of shape ``(n_samples, n_classes)`` and
class indices ``y`` in ``0 .. n_classes - 1`` to the weighted mean of the
per-sample losses ``L_i`` and its gradient with respect to ``S``. They know
nothing of ``X`` or ``W``: the objective does the matrix products.
"""

import numpy as np

__all__ = [
    "MulticlassHinge",
    "SoftmaxCrossEntropy",
    "log_softmax",
    "logsumexp",
    "softmax",
]


# The exponential of max-shifted scores (all <= 0) underflows to 0 for gaps
# beyond about 745, and a gap beyond the float range overflows to -inf, whose
# exponential is 0 too: both are the exact limits, not faults.
def _exp_shifted():
    return np.errstate(under="ignore", over="ignore")


def _weighted_mean(per_sample, sample_weight):
    """Mean of ``per_sample`` over its last axis, weighted by ``sample_weight``."""
    if sample_weight is None:
        return per_sample.mean(axis=-1)
    return per_sample @ sample_weight / sample_weight.sum()


def _row_sums(A):
    """Row sums of a small C- or F-contiguous 2-D array. On C-contiguous rows,
    as a matrix-vector product: a reduction over a short last axis costs numpy
    a loop per row, BLAS one call."""
    if A.flags.f_contiguous:
        return A.sum(axis=1)
    return A @ np.ones(A.shape[1], dtype=A.dtype)


def _weighted_total(per_sample, sample_weight):
    """Weighted mean over the rows of ``per_sample``, of shape ``(n_samples,)``
    or ``(n_samples, m)`` (then of its rows' sums), as one number."""
    if sample_weight is None:
        return per_sample.sum() / per_sample.shape[0]
    return (sample_weight @ per_sample).sum() / sample_weight.sum()


def _contiguous(scores):
    """``scores`` itself if C- or F-contiguous, else a C-contiguous copy.

    Both layouts are taken as they are: F-contiguous scores hold each class's
    scores together (the scores transposed, C-contiguous), along which numpy
    reduces over the classes several times faster than along the short rows
    of C-contiguous scores (a row maximum of 256 x 10 float32 scores: about 2
    against 12 us). The arrays that a loss derives from its scores keep their
    layout (numpy's ``order='K'``).
    """
    if scores.flags.c_contiguous or scores.flags.f_contiguous:
        return scores
    return np.ascontiguousarray(scores)


def _flat_labels(y, scores):
    """Flat indices, in memory order (``ravel('K')``), of the entries
    ``S[i, y_i]`` of C- or F-contiguous scores of shape ``(n_samples,
    n_classes)``: a flat take or assignment costs numpy a fraction of a
    two-dimensional fancy index."""
    n_samples, n_classes = scores.shape
    if scores.flags.c_contiguous:
        return np.arange(0, n_samples * n_classes, n_classes) + y
    return y * n_samples + np.arange(n_samples)


def _check_scores(scores, y):
    if scores.ndim < 2 or scores.shape[-2] != y.shape[0]:
        raise ValueError(
            f"scores must have shape (..., n_samples, n_classes) with n_samples = "
            f"len(y) = {y.shape[0]}; got shape {scores.shape}."
        )


def _label_scores(scores, y):
    """The score of the true class of every row: ``S[..., i, y_i]``."""
    index = np.broadcast_to(y[:, None], scores.shape[:-1] + (1,))
    return np.take_along_axis(scores, index, axis=-1)


class MulticlassHinge:
    r"""Multiclass hinge loss in the Weston-Watkins form, optionally smoothed.

    .. math::

        L_i = \sum_{j \neq y_i} \max(0, s_{ij} - s_{i y_i} + \Delta)

    where :math:`\Delta` is the ``margin``. Its gradient with respect to the
    scores is :math:`\partial L_i / \partial s_{ij} = 1[s_{ij} - s_{iy_i} +
    \Delta > 0]` for :math:`j \neq y_i` and minus the number of such positive
    terms at :math:`j = y_i`. At a kink (a term exactly 0) the subgradient 0
    is taken.

    With ``smoothing`` :math:`\mu > 0` each term :math:`\max(0, z)` becomes
    its Huber smoothing

    .. math::

        h_\mu(z) = \begin{cases} 0 & z \le 0 \\ z^2 / (2\mu) & 0 < z < \mu \\
                   z - \mu / 2 & z \ge \mu \end{cases}

    with derivative :math:`\min(1, \max(0, z / \mu))`: differentiable, with a
    gradient that is :math:`1/\mu`-Lipschitz in each term, and below the hinge
    by at most :math:`\mu / 2` a term, so :math:`0 \le L_i - L_i^\mu \le
    (K - 1) \mu / 2` for :math:`K` classes. The exact solver
    (:class:`~sklinear_sgd.optimizers.LBFGS`) minimizes it for smaller and
    smaller :math:`\mu` (a continuation) down to the hinge itself.

    Parameters
    ----------
    margin : float, default=1.0
        The margin :math:`\Delta` by which the true class must beat every other.
    smoothing : float, default=0.0
        The width :math:`\mu` of the smoothed kink, in units of the scores;
        0 is the hinge itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import MulticlassHinge
    >>> scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> value, grad = MulticlassHinge().loss_gradient(scores, np.array([0, 1, 2]))
    >>> round(float(value), 2)
    5.27
    >>> smoothed = MulticlassHinge(smoothing=0.5).loss(scores, np.array([0, 1, 2]))
    >>> round(float(smoothed), 2)  # at most (3 - 1) * 0.5 / 2 below
    5.02
    """

    def __init__(self, margin=1.0, smoothing=0.0):
        self.margin = margin
        self.smoothing = smoothing

    @property
    def smooth(self):
        """Whether the loss is differentiable: only when smoothed."""
        return self.smoothing > 0

    @property
    def curvature(self):
        """Nominal curvature that sets the scale of gradient steps.

        The hinge has no Lipschitz gradient: 1 sets the step scale. Smoothed,
        each term's second derivative is at most ``1 / smoothing``.
        """
        return 1.0 if self.smoothing <= 0 else max(1.0, 1.0 / self.smoothing)

    def smoothed(self, smoothing):
        r"""The same loss with the kinks smoothed over a width ``smoothing``.

        Parameters
        ----------
        smoothing : float
            The width :math:`\mu`; 0 gives the hinge itself.

        Returns
        -------
        MulticlassHinge
        """
        return MulticlassHinge(self.margin, smoothing)

    def _terms(self, margins):
        """The (smoothed) hinge of the margins, in place."""
        mu = self.smoothing
        if mu <= 0:
            return np.maximum(margins, 0, out=margins)
        # h(z) = min(z, mu)^2 / (2 mu) + max(z - mu, 0) for z > 0, else 0.
        dtype = margins.dtype.type
        np.maximum(margins, 0, out=margins)
        excess = np.maximum(margins - dtype(mu), 0)
        np.minimum(margins, dtype(mu), out=margins)
        margins *= margins
        margins *= dtype(0.5 / mu)
        margins += excess
        return margins

    def loss(self, scores, y, sample_weight=None):
        """Weighted mean loss; ``scores`` may carry leading axes (candidates).

        Parameters
        ----------
        scores : ndarray of shape (..., n_samples, n_classes)
            Scores ``X @ W.T + b``; leading axes index several models at once.
        y : ndarray of shape (n_samples,), dtype int
            Class indices.
        sample_weight : ndarray of shape (n_samples,), default=None
            Non-negative weights with a positive sum.

        Returns
        -------
        value : float or ndarray of shape (...)
            The weighted mean of :math:`L_i`, one value per leading index.
        """
        _check_scores(scores, y)
        margins = scores - _label_scores(scores, y) + scores.dtype.type(self.margin)
        self._terms(margins)
        # The true class contributes its margin's term to the row sum; remove it.
        own = self._terms(np.array([self.margin], dtype=np.float64))[0]
        per_sample = margins.sum(axis=-1) - own
        return _weighted_mean(per_sample, sample_weight)

    def loss_gradient(self, scores, y, sample_weight=None):
        """Weighted mean loss and its gradient with respect to the scores.

        Parameters
        ----------
        scores : ndarray of shape (n_samples, n_classes)
            Scores ``X @ W.T + b``, C- or F-contiguous (F is faster: see ``dscores``).
        y : ndarray of shape (n_samples,), dtype int
            Class indices.
        sample_weight : ndarray of shape (n_samples,), default=None
            Non-negative weights with a positive sum.

        Returns
        -------
        value : float
            The weighted mean of :math:`L_i`.
        dscores : ndarray of shape (n_samples, n_classes)
            Its gradient with respect to ``scores``, in the dtype of ``scores``;
            F-contiguous if ``scores`` are (and not C-contiguous), else
            C-contiguous.
        """
        _check_scores(scores, y)
        scores = _contiguous(scores)
        labels = _flat_labels(y, scores)
        # A handful of passes over the scores, in place on two buffers in the
        # layout of the scores (so that ravel("K") is a view of them).
        margins = scores - scores.ravel("K").take(labels)[:, None]
        margins += scores.dtype.type(self.margin)
        margins.ravel("K")[labels] = 0
        if self.smoothing > 0:
            # The derivative min(1, max(0, z / mu)) before the terms overwrite z.
            dscores = np.clip(margins * margins.dtype.type(1.0 / self.smoothing), 0, 1)
            value = _weighted_total(self._terms(margins), sample_weight)
        else:
            np.maximum(margins, 0, out=margins)
            value = _weighted_total(margins, sample_weight)
            dscores = np.sign(margins)  # 1 where a margin is violated, else 0
        dscores.ravel("K")[labels] = -_row_sums(dscores)
        _scale_rows(dscores, sample_weight)
        return float(value), dscores


class SoftmaxCrossEntropy:
    r"""Softmax cross-entropy loss (multinomial logistic loss).

    .. math::

        L_i = -\log \frac{e^{s_{iy_i}}}{\sum_j e^{s_{ij}}}
            = \operatorname{logsumexp}(s_i) - s_{iy_i}

    with gradient :math:`\partial L_i / \partial s_{ij} = p_{ij} - 1[j = y_i]`,
    :math:`p_i = \operatorname{softmax}(s_i)`. The log-sum-exp is shifted by the
    row maximum, so scores of any finite size give finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import SoftmaxCrossEntropy
    >>> scores = np.array([[3.2, 5.1, -1.7]])
    >>> value, grad = SoftmaxCrossEntropy().loss_gradient(scores, np.array([0]))
    >>> round(float(value), 2)
    2.04
    """

    #: Largest eigenvalue bound of the Hessian of ``L_i`` in the scores.
    curvature = 0.5
    #: The cross-entropy is infinitely differentiable.
    smooth = True

    def loss(self, scores, y, sample_weight=None):
        """Weighted mean loss; ``scores`` may carry leading axes (candidates).

        Parameters
        ----------
        scores : ndarray of shape (..., n_samples, n_classes)
            Scores ``X @ W.T + b``; leading axes index several models at once.
        y : ndarray of shape (n_samples,), dtype int
            Class indices.
        sample_weight : ndarray of shape (n_samples,), default=None
            Non-negative weights with a positive sum.

        Returns
        -------
        value : float or ndarray of shape (...)
            The weighted mean of :math:`L_i`, one value per leading index.
        """
        _check_scores(scores, y)
        top, shifted = _shifted_exp(scores)
        # log(sum(exp(s - top))) + (top - s_y): the gap first, so that a loss of
        # log(2) between two tied logits of 1e300 is not rounded away.
        gap = top[..., 0] - _label_scores(scores, y)[..., 0]
        per_sample = np.log(shifted.sum(axis=-1)) + gap
        return _weighted_mean(per_sample, sample_weight)

    def loss_gradient(self, scores, y, sample_weight=None):
        """Weighted mean loss and its gradient with respect to the scores.

        Parameters
        ----------
        scores : ndarray of shape (n_samples, n_classes)
            Scores ``X @ W.T + b``, C- or F-contiguous (F is faster: see ``dscores``).
        y : ndarray of shape (n_samples,), dtype int
            Class indices.
        sample_weight : ndarray of shape (n_samples,), default=None
            Non-negative weights with a positive sum.

        Returns
        -------
        value : float
            The weighted mean of :math:`L_i`.
        dscores : ndarray of shape (n_samples, n_classes)
            Its gradient ``softmax(scores) - onehot(y)`` (weighted), in the
            dtype of ``scores``; F-contiguous if ``scores`` are (and not
            C-contiguous), else C-contiguous.
        """
        _check_scores(scores, y)
        scores = _contiguous(scores)
        labels = _flat_labels(y, scores)
        # One buffer in the layout of the scores: exp(s - top), then divided by
        # its row sums, the softmax (normalized by the sums, exact even where
        # top + log(sum) rounds to top).
        top, dscores = _shifted_exp(scores)
        sums = _row_sums(dscores)
        per_sample = np.log(sums) + (top[:, 0] - scores.ravel("K").take(labels))
        value = _weighted_total(per_sample, sample_weight)
        dscores /= sums[:, None]
        dscores.ravel("K")[labels] -= 1
        _scale_rows(dscores, sample_weight)
        return float(value), dscores


def logsumexp(scores):
    """Row-wise ``log(sum(exp(scores)))`` over the last axis, max-shifted.

    Parameters
    ----------
    scores : ndarray of shape (..., n_classes)
        Finite scores of any magnitude.

    Returns
    -------
    ndarray of shape (...)
        Finite for finite input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import logsumexp
    >>> logsumexp(np.array([[1e4, 1e4]])) - 1e4  # log(2), with no overflow
    array([0.69314718])
    """
    top, shifted = _shifted_exp(scores)
    return np.log(shifted.sum(axis=-1)) + top[..., 0]


def softmax(scores):
    """Row-wise softmax over the last axis, max-shifted (exact for any logits).

    Parameters
    ----------
    scores : ndarray of shape (..., n_classes)

    Returns
    -------
    ndarray of the same shape, rows summing to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import softmax
    >>> softmax(np.array([[0.0, np.log(3.0)], [1e4, 0.0]])).round(6)
    array([[0.25, 0.75],
           [1.  , 0.  ]])
    """
    proba = _shifted_exp(scores)[1]
    proba /= proba.sum(axis=-1, keepdims=True)
    return proba


def log_softmax(scores):
    """Row-wise ``log(softmax(scores))``, computed without the softmax.

    ``(s - top) - log(sum(exp(s - top)))`` with ``top`` the row maximum: exact
    for logits of any size (two tied logits of 1e300 give ``-log(2)`` each).

    Parameters
    ----------
    scores : ndarray of shape (..., n_classes)

    Returns
    -------
    ndarray of the same shape, each row's exponentials summing to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import log_softmax
    >>> log_softmax(np.array([[1e300, 1e300]])).round(6)
    array([[-0.693147, -0.693147]])
    """
    top, shifted = _shifted_exp(scores)
    with _exp_shifted():
        out = scores - top
    out -= np.log(shifted.sum(axis=-1, keepdims=True))
    return out


def _shifted_exp(scores):
    """The row maxima (keeping the axis) and ``exp(scores - max)``, a new array."""
    top = scores.max(axis=-1, keepdims=True)
    with _exp_shifted():
        shifted = np.subtract(scores, top)
        np.exp(shifted, out=shifted)
    return top, shifted


def _scale_rows(dscores, sample_weight):
    """Turn per-sample gradients into the gradient of the weighted mean, in place."""
    n_samples = dscores.shape[0]
    if sample_weight is None:
        dscores /= n_samples
    else:
        dscores *= (sample_weight / sample_weight.sum()).astype(dscores.dtype)[:, None]
