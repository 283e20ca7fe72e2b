"""The two classifiers: they differ only in their loss."""

import numpy as np
from scipy.special import expit, log_expit
from sklearn.utils._param_validation import Interval
from numbers import Real

from ._base import BaseLinearClassifier
from .losses import MulticlassHinge, SoftmaxCrossEntropy, log_softmax, softmax

__all__ = ["SVMClassifier", "SoftmaxClassifier"]

_COMMON_PARAMETERS = """
    alpha : float, default=1e-2 (SVMClassifier), 3e-3 (SoftmaxClassifier)
        Regularization strength: the objective adds ``alpha * R(W)``. The
        defaults are the strengths at which the exact optimum generalizes as
        well as ``LinearSVC`` and ``LogisticRegression`` at their defaults on
        the data sets that scikit-learn ships (``benchmarks/accuracy_table.py``);
        tune it for your data (``GridSearchCV`` over ``alpha``). In
        ``SGDClassifier``'s terms (``alpha`` on ``||w||^2 / 2``): with three or
        more classes ours is half of its ``alpha``; with two classes the
        model's two rows are ``[-w / 2, w / 2]`` for ``coef_ = w``, so that
        ``R = ||w||^2 / 2`` and ours equals its ``alpha``.
    penalty : {'l2', 'l1', 'elasticnet'} or None, default='l2'
        ``'l2'`` is ``R(W) = sum(W ** 2)`` (gradient ``2 * alpha * W``),
        ``'l1'`` is ``sum(|W|)`` and ``'elasticnet'`` is
        ``(1 - l1_ratio) * sum(W ** 2) + l1_ratio * sum(|W|)``; None is no
        penalty. The intercept is never penalized. The L1 term is applied by
        proximal (soft-thresholding) steps, which give exact zeros.
    l1_ratio : float, default=0.15
        Share of the L1 term in ``'elasticnet'``, in [0, 1].
    optimizer : str or optimizer instance, default='auto'
        How the objective is minimized: ``'sgd'``, ``'gd'``, ``'adam'``,
        ``'rmsprop'``, ``'adagrad'``, ``'lbfgs'``, ``'random_search'`` or
        ``'random_local_search'`` name the default instance of the classes in
        :mod:`sklinear_sgd.optimizers`; an instance sets its hyperparameters
        (tunable as ``optimizer__<name>``). It is cloned, never modified.
        ``'auto'`` picks from the kind of fit: ``'lbfgs'``, the exact solver
        (to the optimum of the objective, for every loss and penalty), unless
        the fit goes by epochs, with early stopping (by default above 10,000
        samples) or in ``partial_fit``: then ``'sgd'``. On dask arrays it is
        ``'lbfgs'`` for the softmax and ``'gd'`` for the hinge.
    max_iter : int or 'auto', default='auto'
        Maximum number of iterations: epochs for the minibatch optimizers,
        steps for gradient descent and L-BFGS, tries for the random ones.
        ``'auto'`` is 1000, and 10,000 for L-BFGS, whose continuation on the
        hinge takes up to a few thousand (cheap) iterations.
    tol : float or None, default=1e-4
        Stop when the objective (with ``early_stopping``, the validation
        accuracy) has not improved on its best earlier value by more than
        ``tol`` for ``n_iter_no_change`` consecutive iterations. None runs
        exactly ``max_iter`` iterations. A fit that stops so while the
        gradient says that the objective is still more than 0.1% above its
        optimum warns (a ``ConvergenceWarning``; with an L2 term in the
        penalty, which the estimate needs). Not used by ``'lbfgs'``, which
        stops by its own test at the optimum, nor by the random searches,
        which always run ``max_iter`` tries: improvements come at random, so
        a run of failures says nothing about convergence.
    n_iter_no_change : int, default=5
        Number of iterations without improvement before stopping.
    early_stopping : bool or 'auto', default='auto'
        Hold out a stratified ``validation_fraction`` of the training data,
        watch the accuracy on it after every iteration (``validation_scores_``)
        and keep the iterate where it was best. Both parts are read where
        they are in ``X``, which is not copied. ``'auto'`` (as in
        ``HistGradientBoostingClassifier``) turns it on when the training
        set has more than 10,000 samples: on large data the weak default
        penalty overfits long before the optimum. Never in ``partial_fit``
        (``True`` raises there) nor on dask arrays.
    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.
    fit_intercept : bool, default=True
        Whether to fit the intercept ``b``; if False it is 0.
    class_weight : dict, 'balanced' or None, default=None
        Weights ``{label: weight}`` that multiply the sample weights of each
        class; ``'balanced'`` uses ``n_samples / (n_classes * count(label))``.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution and optimizer state.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling of SGD and the candidates of random search. An int
        gives the same model bit for bit on every run.
    verbose : int, default=0
        Print one line per iteration when positive.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features), or (1, n_features)
        The weights ``W``; for two classes, ``W[1] - W[0]``.
    intercept_ : ndarray of shape (n_classes,), or (1,)
        The intercept ``b``; for two classes, ``b[1] - b[0]``.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the features, when ``X`` had string column names.
    n_iter_ : int
        Iterations run by the last ``fit`` (or by all ``partial_fit`` calls).
    loss_curve_ : list of float
        The objective after each iteration (for the random searches, the best
        so far; for the minibatch optimizers, by default, the mean of the
        epoch's batch losses plus the penalty at its end, see their
        ``exact_objective``), on the training part with ``early_stopping``;
        ``len(loss_curve_) == n_iter_``.
    validation_scores_ : list of float
        With ``early_stopping``, the accuracy on the held-out part after each
        iteration.
"""


def _doc(cls):
    cls.__doc__ = cls.__doc__.replace("    %(common)s\n", _COMMON_PARAMETERS.lstrip("\n"))
    return cls


@_doc
class SVMClassifier(BaseLinearClassifier):
    """Multiclass linear SVM with the Weston-Watkins hinge loss.

    Minimizes ``sum_i w_i L_i / sum_i w_i + alpha * R(W)`` with
    ``L_i = sum_{j != y_i} max(0, s_ij - s_iy_i + margin)`` and scores
    ``s = W x + b``, using the chosen optimizer.

    Parameters
    ----------
    margin : float, default=1.0
        The margin by which the true class's score must beat every other.
    %(common)s

    See Also
    --------
    SoftmaxClassifier : The same model with the cross-entropy loss.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklinear_sgd import SVMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), SVMClassifier(random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseLinearClassifier._parameter_constraints,
        "margin": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        margin=1.0,
        *,
        alpha=1e-2,
        penalty="l2",
        l1_ratio=0.15,
        optimizer="auto",
        max_iter="auto",
        tol=1e-4,
        n_iter_no_change=5,
        early_stopping="auto",
        validation_fraction=0.1,
        fit_intercept=True,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.margin = margin
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _make_loss(self):
        return MulticlassHinge(margin=self.margin)


@_doc
class SoftmaxClassifier(BaseLinearClassifier):
    """Multinomial logistic regression: the softmax cross-entropy loss.

    Minimizes ``sum_i w_i L_i / sum_i w_i + alpha * R(W)`` with
    ``L_i = logsumexp(s_i) - s_iy_i`` and scores ``s = W x + b``, using the
    chosen optimizer. With ``penalty='l2'`` it minimizes the objective of
    ``LogisticRegression(C=1 / (2 * alpha * n_samples))``.

    Parameters
    ----------
    %(common)s

    See Also
    --------
    SVMClassifier : The same model with the multiclass hinge loss.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklinear_sgd import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), SoftmaxClassifier(random_state=0))
    >>> proba = clf.fit(X, y).predict_proba(X[:2])
    >>> proba.shape, proba.sum(axis=1).round(6).tolist()
    ((2, 3), [1.0, 1.0])
    """

    def __init__(
        self,
        *,
        alpha=3e-3,
        penalty="l2",
        l1_ratio=0.15,
        optimizer="auto",
        max_iter="auto",
        tol=1e-4,
        n_iter_no_change=5,
        early_stopping="auto",
        validation_fraction=0.1,
        fit_intercept=True,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _make_loss(self):
        return SoftmaxCrossEntropy()

    def predict_proba(self, X):
        """Class probabilities, the softmax of the scores.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``. For two classes,
            ``[1 - sigmoid(m), sigmoid(m)]`` with ``m`` the decision function.
        """
        scores = self._scores(X)
        if scores.shape[1] == 1:
            return np.hstack([expit(-scores), expit(scores)])
        return softmax(scores)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed without ``log(softmax)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self._scores(X)
        if scores.shape[1] == 1:
            return np.hstack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores)
