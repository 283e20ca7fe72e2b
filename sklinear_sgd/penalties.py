"""Penalties R(W) on the coefficient matrix; the intercept is never penalized.

A penalty sees only the coefficient matrix ``W`` of shape
``(n_classes, n_features)``, never the intercept or the data.
"""

import numpy as np

__all__ = ["L2", "NoPenalty", "make_penalty"]


class NoPenalty:
    """The zero penalty, ``R(W) = 0``."""

    alpha = 0.0

    def value(self, W):
        """Return 0.0."""
        return 0.0

    def gradient(self, W):
        """Return the zero gradient, shape of ``W``."""
        return np.zeros_like(W)

    def prox(self, W, step):
        """Return ``W`` unchanged (the proximal operator of 0)."""
        return W

    def add_gradient(self, W, grad):
        """Add the penalty's gradient to ``grad`` in place (nothing to add)."""

    def curvature(self):
        """Upper bound of the Hessian's largest eigenvalue: 0."""
        return 0.0


class L2:
    r"""Squared L2 penalty ``alpha * sum(W ** 2)``, gradient ``2 * alpha * W``.

    This follows the lecture's :math:`R(W) = \sum_k \sum_l W_{k,l}^2`; it is
    twice scikit-learn's ``0.5 * ||w||^2`` convention.

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

    def value(self, W):
        """Return ``alpha * sum(W ** 2)`` over the last two axes of ``W``."""
        return self.alpha * np.sum(np.square(W, dtype=np.float64), axis=(-2, -1))

    def gradient(self, W):
        """Return ``2 * alpha * W``."""
        return 2 * self.alpha * W

    def add_gradient(self, W, grad):
        """Add ``2 * alpha * W`` to ``grad`` in place."""
        grad += W.dtype.type(2 * self.alpha) * W

    def prox(self, W, step):
        """Proximal operator: ``argmin_V ||V - W||^2 / (2 step) + R(V)``."""
        return W / (1 + 2 * self.alpha * step)

    def curvature(self):
        """Upper bound of the Hessian's largest eigenvalue: ``2 * alpha``."""
        return 2.0 * self.alpha


def make_penalty(name, alpha):
    """Return the penalty object for ``penalty=name`` and strength ``alpha``.

    Parameters
    ----------
    name : {'l2', None}
        The estimator's ``penalty`` parameter.
    alpha : float
        Regularization strength.

    Returns
    -------
    penalty : L2 or NoPenalty
    """
    if name is None or alpha == 0:
        return NoPenalty()
    if name == "l2":
        return L2(alpha)
    raise ValueError(f"Unknown penalty {name!r}; use 'l2' or None.")
