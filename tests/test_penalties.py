"""Penalties: values, gradients (2 alpha W for L2), prox, leading axes, make_penalty."""

import numpy as np
import pytest

from sklinear_sgd import penalties
from sklinear_sgd.gradient_check import numerical_gradient, relative_error
from sklinear_sgd.penalties import L1, L2, PENALTIES, ElasticNet, NoPenalty, make_penalty

W = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, -0.1]])


@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.5, 3.0])
def test_l2_value_is_alpha_sum_of_squares(alpha):
    pen = L2(alpha)
    assert pen.alpha == alpha
    expected = alpha * (1.0 + 4.0 + 0.0 + 0.25 + 0.0 + 0.01)
    assert float(pen.value(W)) == pytest.approx(expected, rel=1e-14, abs=0)


@pytest.mark.parametrize("alpha", [0.01, 0.5, 3.0])
def test_l2_gradient_is_two_alpha_w(alpha):
    pen = L2(alpha)
    np.testing.assert_allclose(pen.gradient(W), 2 * alpha * W, rtol=1e-15)
    num = numerical_gradient(lambda v: float(pen.value(v)), W)
    assert relative_error(pen.gradient(W), num) < 1e-8
    # The smooth part is the whole gradient; it is added in place.
    grad = np.ones_like(W)
    pen.add_smooth_gradient(W, grad)
    np.testing.assert_allclose(grad, 1 + 2 * alpha * W, rtol=1e-15)
    assert pen.curvature() == pytest.approx(2 * alpha)


def test_l2_is_smooth_and_its_prox_is_the_identity():
    pen = L2(0.7)
    assert pen.smooth
    before = W.copy()
    out = pen.prox(W, 0.3)
    np.testing.assert_array_equal(out, before)
    np.testing.assert_array_equal(W, before)


def test_l2_keeps_float32():
    W32 = W.astype(np.float32)
    pen = L2(0.25)
    assert pen.gradient(W32).dtype == np.float32
    np.testing.assert_allclose(pen.gradient(W32), 0.5 * W32)
    grad = np.zeros_like(W32)
    pen.add_smooth_gradient(W32, grad)
    assert grad.dtype == np.float32
    assert float(pen.value(W32)) == pytest.approx(0.25 * 5.26, rel=1e-6)


def test_l2_value_with_leading_axes():
    pen = L2(0.5)
    base = np.sum(W**2)
    stack = np.stack([W, 2 * W, np.zeros_like(W)])
    np.testing.assert_allclose(pen.value(stack), 0.5 * base * np.array([1.0, 4.0, 0.0]))
    grid = np.stack([stack, -3 * stack])  # shape (2, 3, 2, 3)
    values = pen.value(grid)
    assert np.shape(values) == (2, 3)
    np.testing.assert_allclose(values, 0.5 * base * np.array([[1, 4, 0], [9, 36, 0]]))


def test_l2_does_not_modify_w():
    before = W.copy()
    pen = L2(1.0)
    pen.value(W)
    pen.gradient(W)
    np.testing.assert_array_equal(W, before)


def test_no_penalty():
    pen = NoPenalty()
    assert pen.alpha == 0.0
    assert float(pen.value(W)) == 0.0
    np.testing.assert_array_equal(pen.gradient(W), np.zeros_like(W))
    grad = np.full_like(W, 3.0)
    pen.add_smooth_gradient(W, grad)
    np.testing.assert_array_equal(grad, 3.0)
    np.testing.assert_array_equal(pen.prox(W, 10.0), W)
    assert pen.smooth
    assert pen.curvature() == 0.0
    np.testing.assert_array_equal(np.broadcast_to(pen.value(np.stack([W, W])), (2,)), 0.0)


def test_l1_value_gradient_and_soft_thresholding():
    pen = L1(0.2)
    assert float(pen.value(W)) == pytest.approx(0.2 * 3.6)
    np.testing.assert_allclose(pen.gradient(W), 0.2 * np.sign(W))
    np.testing.assert_allclose(pen.prox(W, step=1.0), [[0.8, -1.8, 0.0], [0.3, 0.0, 0.0]])
    np.testing.assert_allclose(pen.prox(W, step=0.5), [[0.9, -1.9, 0.0], [0.4, 0.0, 0.0]])
    assert not pen.smooth
    assert pen.curvature() == 0.0


def test_elasticnet_combines_both_parts():
    pen = ElasticNet(1.0, l1_ratio=0.25)
    expected = 0.75 * np.sum(W**2) + 0.25 * np.abs(W).sum()
    assert float(pen.value(W)) == pytest.approx(expected)
    grad = np.zeros_like(W)
    pen.add_smooth_gradient(W, grad)
    np.testing.assert_allclose(grad, 1.5 * W)
    np.testing.assert_allclose(pen.gradient(W), 1.5 * W + 0.25 * np.sign(W))
    assert pen.curvature() == pytest.approx(1.5)
    assert not pen.smooth


def test_make_penalty_builds_each_penalty():
    l2 = make_penalty("l2", 0.3)
    assert isinstance(l2, L2) and l2.alpha == 0.3
    assert float(l2.value(W)) == pytest.approx(0.3 * np.sum(W**2))
    assert isinstance(make_penalty(None, 0.3), NoPenalty)
    l1 = make_penalty("l1", 0.1)
    assert isinstance(l1, L1) and l1.alpha == 0.1
    en = make_penalty("elasticnet", 0.1, 0.3)
    assert isinstance(en, ElasticNet) and (en.alpha, en.l1_ratio) == (0.1, 0.3)
    assert make_penalty("elasticnet", 0.1).l1_ratio == 0.15
    # A zero strength is no penalty at all.
    assert isinstance(make_penalty("l2", 0.0), NoPenalty)
    assert set(PENALTIES) == {"l2", "l1", "elasticnet", None}


def test_make_penalty_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="Unknown penalty 'l3'"):
        make_penalty("l3", 1.0)
    with pytest.raises(ValueError, match="Unknown penalty"):
        make_penalty("L2", 0.5)


def test_make_penalty_rejects_an_unknown_name_even_with_zero_alpha():
    # The name is wrong whatever the strength: it must not be silently accepted.
    with pytest.raises(ValueError, match="Unknown penalty 'l3'"):
        make_penalty("l3", 0.0)


@pytest.mark.parametrize("layout", ["C", "transposed", "slice"])
def test_add_smooth_gradient_in_blocks_equals_the_whole_sum(layout, monkeypatch):
    # Small blocks, so that the loop over them runs: 7 entries a block.
    monkeypatch.setattr(penalties, "_BLOCK", 7)
    rng = np.random.RandomState(0)
    P = rng.randn(5, 12).astype(np.float32)
    if layout == "transposed":  # held as P.T, as gradient descent on sparse data
        P = np.ascontiguousarray(P.T).T
    W = P[:, :-1] if layout != "C" else P
    grad = rng.randn(*W.shape).astype(np.float32)
    expected = grad + np.float32(2 * 0.3) * W
    L2(0.3).add_smooth_gradient(W, grad)
    np.testing.assert_allclose(grad, expected, rtol=1e-6)
    assert grad.dtype == np.float32
