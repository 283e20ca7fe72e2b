"""Numerical faults: extreme scales, huge logits, hidden overflows.

Every estimator x optimizer is fitted on data scaled by 1e-150, 1e100 and
1e200 and on data with a single huge column, once as usual (where the suite
turns RuntimeWarnings into errors) and once under ``np.errstate(all="raise")``,
where any overflow, underflow or invalid operation that our code does not
expect raises. A fit either succeeds, with finite weights, optimizer state and
outputs, or refuses with a ValueError that says to scale the features; no fit
leaves a NaN anywhere.
"""

import re
import warnings
from contextlib import nullcontext

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.losses import SoftmaxCrossEntropy, log_softmax, logsumexp, softmax
from sklinear_sgd.optimizers import OPTIMIZERS, SGD

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_STD = StandardScaler().fit_transform(X_IRIS)
BIG = np.finfo(np.float64).max

ESTIMATORS = [
    (cls, name)
    for cls in (SVMClassifier, SoftmaxClassifier)
    for name in OPTIMIZERS
    if not (cls is SVMClassifier and name == "lbfgs")  # L-BFGS needs smoothness
]


def huge_column(X):
    X = X.copy()
    X[:, 0] *= 1e200
    return X


INPUTS = {
    "times-1e-150": lambda X: X * 1e-150,
    "times-1e100": lambda X: X * 1e100,
    "times-1e200": lambda X: X * 1e200,
    "one-huge-column": huge_column,
}
# The errors a fit may end with: each says what failed and to scale the features.
REFUSALS = (
    r"Training diverged at iteration \d+",
    r"learning_rate='auto' cannot be computed",
    r"scale='auto' cannot be computed",
    r"L-BFGS could not take a first step",
)


def budget(optimizer):
    """20 iterations exactly (tol=None), which claims no convergence; L-BFGS,
    which stops by its own test at the optimum (and warns when a budget stops
    it first), runs to it (71 iterations at 1e100)."""
    return {} if optimizer == "lbfgs" else {"max_iter": 20, "tol": None}


def all_finite(value):
    """Whether every number in ``value`` (arrays, lists, nested dicts) is finite."""
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(all_finite(v) for v in value)
    if isinstance(value, (np.ndarray, float, np.floating)):
        return bool(np.all(np.isfinite(value)))
    return True


@pytest.mark.parametrize("errors", ["warnings", "raise"])
@pytest.mark.parametrize("data", list(INPUTS))
@pytest.mark.parametrize("cls, optimizer", ESTIMATORS, ids=lambda v: getattr(v, "__name__", v))
def test_extreme_inputs_fit_finite_or_refuse_clearly(cls, optimizer, data, errors):
    X = INPUTS[data](X_STD)
    clf = cls(optimizer=optimizer, random_state=0, **budget(optimizer))
    with np.errstate(all="raise") if errors == "raise" else nullcontext():
        try:
            clf.fit(X, Y_IRIS)
        except ValueError as exc:
            message = str(exc)
            assert any(re.match(p, message) for p in REFUSALS), message
            assert re.search(r"[Ss]cale (the features|them)", message), message
            assert not hasattr(clf, "coef_") and not hasattr(clf, "_state")
            return
        outputs = [clf.decision_function(X)]
        if hasattr(clf, "predict_proba"):
            outputs += [clf.predict_proba(X), clf.predict_log_proba(X)]
    assert all_finite([clf.coef_, clf.intercept_, clf.loss_curve_, clf._state])
    assert all_finite(outputs)
    if hasattr(clf, "predict_proba"):
        np.testing.assert_allclose(outputs[1].sum(axis=1), 1.0, rtol=1e-12)
    # Where the features are large but representable, every optimizer learns
    # (a step of 0 from an overflowed estimate would stay at chance, 1/3).
    if data == "times-1e100":
        assert clf.score(X, Y_IRIS) > 0.6


@pytest.mark.parametrize("errors", ["warnings", "raise"])
def test_the_scales_that_work_are_the_documented_ones(errors):
    # The gradient methods fit 1e100 and refuse 1e200 (its squares overflow).
    for optimizer in ("gd", "sgd", "lbfgs"):
        clf = SoftmaxClassifier(optimizer=optimizer, random_state=0,
                                **budget(optimizer))
        with np.errstate(all="raise") if errors == "raise" else nullcontext():
            clf.fit(X_STD * 1e100, Y_IRIS)
            with pytest.raises(ValueError, match="[Ss]cale"):
                clone_of(clf).fit(X_STD * 1e200, Y_IRIS)


def clone_of(clf):
    return type(clf)(**clf.get_params())


def test_divergence_is_one_clear_error_without_runtime_warnings():
    clf = SoftmaxClassifier(optimizer=SGD(learning_rate=1e300), max_iter=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"diverged at iteration \d+.*learning_rate"):
            clf.fit(X_STD, Y_IRIS)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not hasattr(clf, "coef_")


# -- probabilities at the float limits --------------------------------------------

LOGITS = np.array(
    [
        [BIG, -BIG, 0.0],
        [BIG, BIG, -BIG],
        [-BIG, -BIG, -BIG],
        [BIG, BIG / 2, 1e308],
        [1e-320, -1e-320, 0.0],  # subnormal
        [1000.0, 0.0, -1000.0],
        [-745.5, 0.0, 745.5],
        [0.0, 0.0, 0.0],
    ]
)


@pytest.mark.parametrize("errors", ["warnings", "raise"])
def test_softmax_of_logits_up_to_the_float_limits(errors):
    with np.errstate(all="raise") if errors == "raise" else nullcontext():
        proba = softmax(LOGITS)
        lse = logsumexp(LOGITS[4:])
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(proba[0], [1, 0, 0])
    np.testing.assert_array_equal(proba[1], [0.5, 0.5, 0])
    np.testing.assert_allclose(proba[2], 1 / 3)
    assert np.all(np.isfinite(lse))


@pytest.mark.parametrize("errors", ["warnings", "raise"])
def test_predict_proba_of_logits_up_to_the_float_limits(errors):
    # With coef_ the identity and no intercept, the scores are the rows of X.
    clf = SoftmaxClassifier(optimizer="gd", max_iter=2, tol=None)
    clf.fit(X_STD[:, :3], Y_IRIS)
    clf.coef_, clf.intercept_ = np.eye(3), np.zeros(3)
    binary = SoftmaxClassifier(optimizer="gd", max_iter=2, tol=None).fit(
        X_STD[50:, :1], Y_IRIS[50:]
    )
    binary.coef_, binary.intercept_ = np.ones((1, 1)), np.zeros(1)
    margins = np.array([[BIG], [-BIG], [0.0], [800.0], [-800.0], [1e-320]])
    with np.errstate(all="raise") if errors == "raise" else nullcontext():
        np.testing.assert_array_equal(clf.decision_function(LOGITS), LOGITS)
        for proba in (clf.predict_proba(LOGITS), binary.predict_proba(margins)):
            assert np.all((proba >= 0) & (proba <= 1))
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
        np.testing.assert_array_equal(
            binary.predict_proba(margins)[:, 1], expit(margins[:, 0])
        )


def test_the_softmax_loss_and_gradient_are_exact_at_huge_tied_logits():
    # Two tied logits of 1e300: each has probability 1/2 and the loss is log(2),
    # which logsumexp(s) - s_y would round away (1e300 + log(2) == 1e300).
    scores = np.array([[1e300, 0.0, -1e300], [0.0, 1e300, 1e300]])
    y = np.array([0, 1])
    with np.errstate(all="raise"):
        value, grad = SoftmaxCrossEntropy().loss_gradient(scores, y)
        loss = SoftmaxCrossEntropy().loss(scores, y)
        log_proba = log_softmax(scores)
    assert value == pytest.approx(np.log(2) / 2, rel=1e-15) and loss == value
    np.testing.assert_allclose(grad, [[0, 0, 0], [0, -0.25, 0.25]], atol=1e-15)
    np.testing.assert_allclose(log_proba[1], [-1e300, -np.log(2), -np.log(2)])


def test_prediction_on_data_that_overflow_the_scores_is_refused():
    clf = SVMClassifier(optimizer="gd", max_iter=5, tol=None).fit(X_STD, Y_IRIS)
    clf.coef_ = np.full_like(clf.coef_, 1e10)
    with pytest.raises(ValueError, match="overflow the float range.*Scale them"):
        clf.predict(X_STD * 1e300)
