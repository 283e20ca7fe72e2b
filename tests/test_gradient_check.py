import numpy as np
import pytest
from sklearn.datasets import load_iris

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.gradient_check import check_gradient, numerical_gradient, relative_error
from sklinear_sgd.losses import SoftmaxCrossEntropy

X, Y = load_iris(return_X_y=True)
X, Y = X[::5], Y[::5]


def test_numerical_gradient_of_known_functions_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x), rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_relative_error():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0
    assert relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert relative_error([0.0], [1e-10]) == pytest.approx(1e-2)  # floor of 1e-8
    with pytest.raises(ValueError, match="same shape"):
        relative_error([1.0, 2.0], [1.0])


@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
@pytest.mark.parametrize("penalty", ["l2", None, "elasticnet"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", ["none", "sample", "balanced"])
def test_check_gradient_agrees(cls, penalty, fit_intercept, weights):
    est = cls(penalty=penalty, alpha=0.1, fit_intercept=fit_intercept,
              class_weight="balanced" if weights == "balanced" else None)
    sw = np.linspace(0.5, 2, len(Y)) if weights == "sample" else None
    result = check_gradient(est, X, Y, sample_weight=sw, random_state=0)
    assert result.max_error < 1e-7
    assert len(result.errors) == 3


def test_check_gradient_detects_a_wrong_gradient(monkeypatch):
    original = SoftmaxCrossEntropy.loss_gradient

    def wrong(self, scores, y, sample_weight=None):
        value, grad = original(self, scores, y, sample_weight)
        return value, grad * 1.01

    monkeypatch.setattr(SoftmaxCrossEntropy, "loss_gradient", wrong)
    assert check_gradient(SoftmaxClassifier(), X, Y, random_state=0).max_error > 1e-3


def test_check_gradient_needs_two_classes():
    with pytest.raises(ValueError, match="at least 2 classes"):
        check_gradient(SoftmaxClassifier(), X[:5], np.zeros(5))
