import numpy as np
import pytest

from sklinear_sgd.penalties import L1, L2, ElasticNet, NoPenalty, make_penalty

W = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, -0.1]])


def test_l2_value_gradient_and_prox():
    pen = L2(0.5)
    assert float(pen.value(W)) == pytest.approx(0.5 * np.sum(W**2))
    np.testing.assert_allclose(pen.gradient(W), 2 * 0.5 * W)
    np.testing.assert_array_equal(pen.prox(W, 1.0), W)  # applied through the gradient
    assert pen.smooth and pen.curvature() == 1.0


def test_l1_soft_thresholds_to_exact_zeros():
    pen = L1(0.2)
    assert float(pen.value(W)) == pytest.approx(0.2 * np.abs(W).sum())
    out = pen.prox(W, step=1.0)
    np.testing.assert_allclose(out, [[0.8, -1.8, 0.0], [0.3, 0.0, 0.0]])
    assert not pen.smooth
    np.testing.assert_allclose(pen.gradient(W), 0.2 * np.sign(W))


def test_elasticnet_combines_both_parts():
    pen = ElasticNet(1.0, l1_ratio=0.25)
    expected = 0.75 * np.sum(W**2) + 0.25 * np.abs(W).sum()
    assert float(pen.value(W)) == pytest.approx(expected)
    grad = np.zeros_like(W)
    pen.add_smooth_gradient(W, grad)
    np.testing.assert_allclose(grad, 1.5 * W)
    assert pen.curvature() == pytest.approx(1.5)


def test_value_with_leading_axes():
    stack = np.stack([W, 2 * W])
    np.testing.assert_allclose(L2(1.0).value(stack), [np.sum(W**2), 4 * np.sum(W**2)])


def test_make_penalty():
    assert isinstance(make_penalty(None, 1.0), NoPenalty)
    assert isinstance(make_penalty("l2", 0.0), NoPenalty)
    assert isinstance(make_penalty("l1", 0.1), L1)
    assert make_penalty("elasticnet", 0.1, 0.3).l1_ratio == 0.3
    with pytest.raises(ValueError, match="Unknown penalty 'l3'"):
        make_penalty("l3", 1.0)
