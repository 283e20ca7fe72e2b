"""The gradient check: numerical gradients, relative errors, and check_gradient
on both estimators, including that it catches a wrong gradient."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.gradient_check import (
    GradientCheck,
    check_gradient,
    numerical_gradient,
    relative_error,
)
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.penalties import L2

_X, _Y = load_iris(return_X_y=True)
# An unbalanced subset (15 / 9 / 6 rows), so that 'balanced' weights are not all 1.
_rows = np.r_[np.arange(0, 50, 3)[:15], np.arange(50, 100, 5)[:9], np.arange(100, 150, 8)[:6]]
X, Y = _X[_rows], _Y[_rows]
SW = np.random.RandomState(0).rand(len(Y)) * 2 + 0.1


# -- numerical_gradient --------------------------------------------------------


def test_numerical_gradient_of_a_quadratic():
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]])
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v**2)), x), 2 * x,
                               rtol=1e-9, atol=1e-10)


def test_numerical_gradient_of_a_linear_function_and_of_sin():
    a = np.array([3.0, -1.5, 0.0, 2.0])
    x = np.array([0.3, -0.7, 1.1, 5.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: float(a @ v), x), a, atol=1e-9)
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sin(v).sum()), x), np.cos(x),
                               rtol=1e-8, atol=1e-10)


def test_numerical_gradient_is_a_centered_difference_with_step_h():
    # ((x + h)^3 - (x - h)^3) / (2 h) = 3 x^2 + h^2 exactly; a forward
    # difference would add 3 x h instead.
    x = np.array([1.0, -2.0, 0.5])
    for h in (1e-2, 1e-1):
        num = numerical_gradient(lambda v: float(np.sum(v**3)), x, h=h)
        np.testing.assert_allclose(num, 3 * x**2 + h**2, rtol=1e-10)


def test_numerical_gradient_keeps_the_shape_returns_float64_and_leaves_x_alone():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v.shape)
        return float(np.sum(v.astype(np.float64) ** 2))

    grad = numerical_gradient(f, x)
    assert grad.shape == x.shape
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * x.astype(np.float64), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, before)
    assert x.dtype == np.float32
    assert len(seen) == 2 * x.size  # two evaluations per entry
    assert set(seen) == {x.shape}


def test_numerical_gradient_does_not_modify_a_float64_x():
    x = np.array([0.1, 0.2, 0.3])
    before = x.copy()
    numerical_gradient(lambda v: float(np.prod(v)), x)
    np.testing.assert_array_equal(x, before)


# -- relative_error ------------------------------------------------------------


def test_relative_error_formula():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([1.0], [3.0]) == pytest.approx(0.5)  # 2 / (1 + 3)
    assert relative_error([-1.0], [1.0]) == pytest.approx(1.0)
    assert relative_error([2.0, 10.0], [2.0, 11.0]) == pytest.approx(1 / 21)  # the largest
    assert relative_error([0.0], [1e-10]) == pytest.approx(1e-2)  # the 1e-8 floor
    assert relative_error([1.0, 2.0], [1.0, 2.000002]) == pytest.approx(2e-6 / 4.000002)
    a = np.random.RandomState(1).randn(3, 4)
    b = a + 1e-3
    expected = np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-12)
    assert relative_error(b, a) == relative_error(a, b)
    assert isinstance(relative_error(a, b), float)
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match="same shape"):
        relative_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros((2, 3)), np.zeros((3, 2)))


# -- check_gradient ------------------------------------------------------------


@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
@pytest.mark.parametrize("penalty", ["l2", None])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_check_gradient_agrees(cls, penalty, fit_intercept, class_weight, weighted):
    est = cls(penalty=penalty, alpha=0.1, fit_intercept=fit_intercept, class_weight=class_weight)
    sw = SW if weighted else None
    result = check_gradient(est, X, Y, sample_weight=sw, random_state=0)
    assert isinstance(result, GradientCheck)
    assert result.max_error < 1e-7
    assert len(result.errors) == len(result.analytic) == len(result.numerical) == 3
    assert result.max_error == max(result.errors)
    for a, n, e in zip(result.analytic, result.numerical, result.errors):
        assert a.shape == n.shape == (3, X.shape[1] + 1)
        assert relative_error(a, n) == e
        assert np.any(a != 0)
        if not fit_intercept:
            np.testing.assert_array_equal(a[:, -1], 0.0)


@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
def test_check_gradient_binary_and_float32_input(cls):
    binary = Y > 0
    result = check_gradient(cls(), X.astype(np.float32), binary, random_state=1, n_points=2)
    assert result.max_error < 1e-7
    assert len(result.errors) == 2
    assert result.analytic[0].shape == (2, X.shape[1] + 1)


def test_check_gradient_leaves_its_inputs_alone_and_is_deterministic():
    est = SoftmaxClassifier(alpha=0.05, class_weight="balanced")
    params = est.get_params()
    Xc, Yc, swc = X.copy(), Y.copy(), SW.copy()
    a = check_gradient(est, X, Y, sample_weight=SW, random_state=3)
    b = check_gradient(est, X, Y, sample_weight=SW, random_state=3)
    assert not hasattr(est, "classes_") and not hasattr(est, "coef_")
    assert est.get_params() == params
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(Y, Yc)
    np.testing.assert_array_equal(SW, swc)
    assert a.errors == b.errors
    for p, q in zip(a.analytic, b.analytic):
        np.testing.assert_array_equal(p, q)


def test_check_gradient_needs_two_classes():
    with pytest.raises(ValueError, match="at least 2 classes"):
        check_gradient(SoftmaxClassifier(), X[:5], np.zeros(5))


@pytest.mark.parametrize(
    "cls, loss_cls",
    [(SVMClassifier, MulticlassHinge), (SoftmaxClassifier, SoftmaxCrossEntropy)],
    ids=["hinge", "softmax"],
)
@pytest.mark.parametrize("penalty", ["l2", None])
def test_check_gradient_detects_a_wrong_loss_gradient(monkeypatch, cls, loss_cls, penalty):
    original = loss_cls.loss_gradient

    def wrong(self, scores, y, sample_weight=None):
        value, dscores = original(self, scores, y, sample_weight)
        return value, dscores * 1.01

    monkeypatch.setattr(loss_cls, "loss_gradient", wrong)
    result = check_gradient(cls(penalty=penalty, alpha=0.01), X, Y, random_state=0)
    assert result.max_error > 1e-4


def test_check_gradient_detects_a_penalty_gradient_of_half_the_size(monkeypatch):
    # scikit-learn's convention (alpha * W) instead of the pinned 2 * alpha * W.
    monkeypatch.setattr(L2, "gradient", lambda self, W: W.dtype.type(self.alpha) * W)
    result = check_gradient(SoftmaxClassifier(penalty="l2", alpha=1.0), X, Y, random_state=0)
    assert result.max_error > 1e-4
