"""The gradient check: compare an analytic gradient with a numerical one.

The analytic gradient is exact and fast but easy to get wrong; the numerical
gradient, by centered differences, is slow and approximate but hard to get
wrong. Comparing the two at a few points is the lecture's gradient check.
"""

from collections import namedtuple

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_X_y

__all__ = ["numerical_gradient", "relative_error", "check_gradient", "GradientCheck"]


def numerical_gradient(f, x, h=1e-5):
    """Gradient of ``f`` at ``x`` by centered differences over every entry.

    ``df/dx_k ~ (f(x + h e_k) - f(x - h e_k)) / (2 h)``: two evaluations of
    ``f`` per entry, with an error of order ``h ** 2`` where ``f`` is smooth.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a float.
    x : ndarray
        The point; it is not modified (a float64 copy is perturbed).
    h : float, default=1e-5
        The step.

    Returns
    -------
    ndarray of the shape of ``x``, float64

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.gradient_check import numerical_gradient
    >>> numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0]))
    array([ 2., -4.])
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        plus = f(x)
        flat[k] = old - h
        minus = f(x)
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    """Largest entry-wise relative error ``|a - b| / max(1e-8, |a| + |b|)``.

    Parameters
    ----------
    a, b : array-like of the same shape

    Returns
    -------
    float
        Below 1e-7 means the two agree; around 1e-2 or more, one is wrong.

    Examples
    --------
    >>> from sklinear_sgd.gradient_check import relative_error
    >>> relative_error([1.0, 2.0], [1.0, 2.000002]) < 1e-6
    True
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


#: The result of :func:`check_gradient`: the largest relative error over the
#: points, and the errors, analytic and numerical gradients at each point.
GradientCheck = namedtuple("GradientCheck", ["max_error", "errors", "analytic", "numerical"])


def _kink_distance(objective, P):
    """Smallest |hinge term| over rows and classes, inf for a smooth loss."""
    margin = getattr(objective.loss, "margin", None)
    if margin is None:
        return np.inf
    scores = objective._scores(P, objective.X)
    rows = np.arange(objective.n_samples)
    terms = scores - scores[rows, objective.y][:, None] + margin
    terms[rows, objective.y] = np.inf
    return float(np.min(np.abs(terms)))


def _cancels(grad, fit_intercept):
    """Whether an entry of the gradient cancels to (almost) 0.

    There the finite difference measures only its own rounding (about
    ``1e-11``) against the 1e-8 floor of :func:`relative_error`; with the
    hinge's integer counts, such cancellations happen at random points. The
    intercept column without an intercept is exactly 0 on both sides.
    """
    entries = grad if fit_intercept else grad[:, :-1]
    return bool(np.any(np.abs(entries) < 1e-9))


def check_gradient(
    estimator, X, y, sample_weight=None, n_points=3, h=1e-5, random_state=None
):
    """Compare an estimator's analytic gradient with the numerical one.

    The objective of ``estimator`` (its loss, penalty, ``alpha``,
    ``fit_intercept`` and ``class_weight``) is built on ``(X, y)`` in float64;
    at ``n_points`` random parameter points its gradient is compared with
    :func:`numerical_gradient`. For the hinge loss, points closer to a kink
    than a safe distance are redrawn, since no gradient exists there; so are
    points where an entry of the gradient cancels to almost 0 (below 1e-9),
    where the finite difference measures only its own rounding.

    Parameters
    ----------
    estimator : SVMClassifier or SoftmaxClassifier
        Fitted or not; it is not modified.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None
    n_points : int, default=3
        Number of random points.
    h : float, default=1e-5
        Step of the centered differences.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    GradientCheck
        ``max_error`` is the largest :func:`relative_error` over the points.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> from sklinear_sgd.gradient_check import check_gradient
    >>> X, y = load_iris(return_X_y=True)
    >>> check_gradient(SoftmaxClassifier(), X[::10], y[::10], random_state=0).max_error < 1e-7
    True
    """
    X, y = check_X_y(X, y, dtype=np.float64)
    check_classification_targets(y)
    model = clone(estimator)
    model.classes_ = np.unique(y)
    if len(model.classes_) < 2:
        raise ValueError("check_gradient needs samples of at least 2 classes.")
    objective = model._bind(X, y, sample_weight)
    rng = check_random_state(random_state)
    scale = 1.0 / np.sqrt(objective.mean_squared_norm())
    # A centered difference moves a score by at most h * max row 1-norm.
    safe = 10 * h * (np.abs(X).sum(axis=1).max() + 1)
    errors, analytic, numerical = [], [], []
    for _ in range(n_points):
        for _attempt in range(100):
            P = rng.standard_normal(objective.shape) * scale
            if not objective.fit_intercept:
                P[:, -1] = 0
            if _kink_distance(objective, P) > safe:
                grad = objective.value_and_grad(P)[1]
                if not _cancels(grad, objective.fit_intercept):
                    break
        else:
            raise RuntimeError(
                "No point away from the hinge's kinks was found in 100 draws; use "
                "fewer samples or a smaller h."
            )
        num = numerical_gradient(objective.value, P, h=h)
        errors.append(relative_error(grad, num))
        analytic.append(grad)
        numerical.append(num)
    return GradientCheck(max(errors), errors, analytic, numerical)
