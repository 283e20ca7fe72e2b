"""Penalties R(W) on the coefficient matrix; the intercept is never penalized.

A penalty sees only the coefficient matrix ``W`` of shape
``(n_classes, n_features)`` (or with leading axes, for many models at once),
never the intercept or the data. Each penalty has a smooth part, which enters
the gradient, and a non-smooth part (the L1 term), which the optimizers apply
with its proximal operator after each step, so that exact zeros appear.
"""

import math

import numpy as np

__all__ = ["L1", "L2", "ElasticNet", "NoPenalty", "make_penalty", "PENALTIES"]


def _sum_squares(W):
    # BLAS's dot (for one contiguous matrix, as the minibatch steps hold it) and
    # einsum read W once, without a squared (or upcast) copy; they accumulate
    # in W's dtype, which is the precision of the scores as well. Only if that
    # overflows (float32 beyond 3e38) is it redone in float64.
    if W.ndim == 2 and (W.flags.c_contiguous or W.T.flags.c_contiguous):
        flat = (W if W.flags.c_contiguous else W.T).reshape(-1)
        with np.errstate(over="ignore"):  # as einsum: an overflow is handled below
            total = np.float64(np.dot(flat, flat))
        if math.isfinite(total):  # the common case, without numpy's array checks
            return total
    else:
        total = np.einsum("...ij,...ij->...", W, W)
    if W.dtype != np.float64 and not np.isfinite(total).all():
        W = W.astype(np.float64)
        total = np.einsum("...ij,...ij->...", W, W)
    return total.astype(np.float64)


#: Entries of ``W`` per block of :func:`_add_scaled`.
_BLOCK = 2**16


def _add_scaled(grad, W, c):
    """``grad += c * W`` in blocks of rows: the temporary is one block of at
    most ``_BLOCK`` entries, not an array of ``W``'s size."""
    if W.ndim != 2 or W.size <= _BLOCK:
        grad += c * W
        return
    if not W.flags.c_contiguous and W.T.flags.c_contiguous:
        W, grad = W.T, grad.T  # blocks of contiguous rows
    step = max(1, _BLOCK // W.shape[1])
    for start in range(0, W.shape[0], step):
        grad[start : start + step] += c * W[start : start + step]


def _sum_abs(W):
    return np.sum(np.abs(W), axis=(-2, -1), dtype=np.float64)


def _soft_threshold(W, threshold):
    return np.sign(W) * np.maximum(np.abs(W) - np.asarray(threshold, dtype=W.dtype), 0)


class _Penalty:
    """Shared behaviour; subclasses set the two parts' strengths."""

    #: Strength of the squared term ``l2 * sum(W ** 2)`` and of ``l1 * sum |W|``.
    l2 = 0.0
    l1 = 0.0

    @property
    def smooth(self):
        """Whether the penalty is differentiable everywhere (no L1 term)."""
        return self.l1 == 0

    def value(self, W):
        """Return ``l2 * sum(W ** 2) + l1 * sum(|W|)`` over the last two axes."""
        value = 0.0
        if self.l2:
            value = value + self.l2 * _sum_squares(W)
        if self.l1:
            value = value + self.l1 * _sum_abs(W)
        return value

    def gradient(self, W):
        """Gradient ``2 l2 W + l1 sign(W)`` (the subgradient 0 where ``W`` is 0)."""
        return W.dtype.type(2 * self.l2) * W + W.dtype.type(self.l1) * np.sign(W)

    def add_smooth_gradient(self, W, grad):
        """Add the smooth part's gradient, ``2 l2 W``, to ``grad`` in place."""
        if self.l2:
            _add_scaled(grad, W, W.dtype.type(2 * self.l2))

    def prox(self, W, step):
        """Proximal operator of the non-smooth part, ``step * l1 * sum |W|``.

        Soft thresholding, ``sign(W) * max(|W| - step * l1, 0)``: entries
        smaller than the threshold become exactly 0. Returns ``W`` itself when
        there is no L1 term.
        """
        if not self.l1:
            return W
        return _soft_threshold(W, step * self.l1)

    def curvature(self):
        """Largest eigenvalue of the smooth part's Hessian, ``2 * l2``."""
        return 2.0 * self.l2


class NoPenalty(_Penalty):
    """The zero penalty, ``R(W) = 0`` (``penalty=None`` or ``alpha=0``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.penalties import NoPenalty
    >>> NoPenalty().value(np.ones((2, 3)))
    0.0
    """

    alpha = 0.0


class L2(_Penalty):
    r"""Squared L2 penalty ``alpha * sum(W ** 2)``, gradient ``2 * alpha * W``.

    This follows the lecture's :math:`R(W) = \sum_k \sum_l W_{k,l}^2`; it is
    twice scikit-learn's ``0.5 * ||w||^2`` convention. It is smooth: it enters
    the gradient and its proximal operator here is the identity.

    Parameters
    ----------
    alpha : float
        Regularization strength, non-negative.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.penalties import L2
    >>> float(L2(alpha=0.5).value(np.array([[1.0, -2.0]])))
    2.5
    """

    def __init__(self, alpha):
        self.alpha = alpha
        self.l2 = alpha


class L1(_Penalty):
    """L1 penalty ``alpha * sum(|W|)``, applied by soft thresholding.

    Parameters
    ----------
    alpha : float
        Regularization strength, non-negative.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.penalties import L1
    >>> L1(alpha=0.5).prox(np.array([[1.0, -0.2]]), step=1.0)
    array([[ 0.5, -0. ]])
    """

    def __init__(self, alpha):
        self.alpha = alpha
        self.l1 = alpha


class ElasticNet(_Penalty):
    """Elastic net ``alpha * ((1 - l1_ratio) * sum(W ** 2) + l1_ratio * sum(|W|))``.

    Parameters
    ----------
    alpha : float
        Regularization strength, non-negative.
    l1_ratio : float
        Share of the L1 term, in [0, 1]; 0 is :class:`L2`, 1 is :class:`L1`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.penalties import ElasticNet
    >>> float(ElasticNet(alpha=1.0, l1_ratio=0.5).value(np.array([[2.0]])))
    3.0
    """

    def __init__(self, alpha, l1_ratio):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.l2 = alpha * (1 - l1_ratio)
        self.l1 = alpha * l1_ratio


#: The values of the estimators' ``penalty`` parameter.
PENALTIES = ("l2", "l1", "elasticnet", None)


def make_penalty(name, alpha, l1_ratio=0.15):
    """Return the penalty object for ``penalty=name``, ``alpha`` and ``l1_ratio``.

    Parameters
    ----------
    name : {'l2', 'l1', 'elasticnet', None}
        The estimator's ``penalty`` parameter.
    alpha : float
        Regularization strength.
    l1_ratio : float, default=0.15
        Share of the L1 term for ``'elasticnet'``.

    Returns
    -------
    penalty : L2, L1, ElasticNet or NoPenalty
    """
    if name not in PENALTIES:
        raise ValueError(f"Unknown penalty {name!r}; use one of {PENALTIES}.")
    if name is None or alpha == 0:
        return NoPenalty()
    if name == "l2":
        return L2(alpha)
    if name == "l1":
        return L1(alpha)
    return ElasticNet(alpha, l1_ratio)
