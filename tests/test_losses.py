"""Losses: values against a plain reference, gradients, stability, weights, dtypes."""

import numpy as np
import pytest

from sklinear_sgd.gradient_check import numerical_gradient, relative_error
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy, logsumexp, softmax

LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LECTURE_Y = np.array([0, 1, 2])


def reference_hinge(scores, y, margin=1.0):
    out = []
    for s, label in zip(scores, y):
        out.append(sum(max(0.0, s[j] - s[label] + margin) for j in range(len(s)) if j != label))
    return np.array(out)


def reference_softmax(scores, y):
    return np.array([np.log(np.sum(np.exp(s))) - s[label] for s, label in zip(scores, y)])


def test_lecture_numbers():
    value, _ = MulticlassHinge().loss_gradient(LECTURE_SCORES, LECTURE_Y)
    np.testing.assert_allclose(reference_hinge(LECTURE_SCORES, LECTURE_Y), [2.9, 0, 12.9])
    assert value == pytest.approx((2.9 + 0 + 12.9) / 3)
    value, _ = SoftmaxCrossEntropy().loss_gradient(LECTURE_SCORES[:1], LECTURE_Y[:1])
    assert round(value, 2) == 2.04


@pytest.mark.parametrize("margin", [0.5, 1.0, 3.0])
def test_hinge_matches_reference_with_weights(margin):
    rng = np.random.RandomState(0)
    scores, y = rng.randn(40, 5) * 2, rng.randint(5, size=40)
    w = rng.rand(40)
    loss = MulticlassHinge(margin=margin)
    ref = reference_hinge(scores, y, margin)
    assert loss.loss_gradient(scores, y)[0] == pytest.approx(ref.mean())
    assert loss.loss_gradient(scores, y, w)[0] == pytest.approx(ref @ w / w.sum())
    assert loss.loss(scores, y, w) == pytest.approx(ref @ w / w.sum())


def test_softmax_matches_reference_with_weights():
    rng = np.random.RandomState(1)
    scores, y, w = rng.randn(30, 4), rng.randint(4, size=30), rng.rand(30)
    ref = reference_softmax(scores, y)
    loss = SoftmaxCrossEntropy()
    assert loss.loss_gradient(scores, y, w)[0] == pytest.approx(ref @ w / w.sum())
    assert loss.loss(scores, y) == pytest.approx(ref.mean())


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_numerical(loss, weighted):
    rng = np.random.RandomState(2)
    scores, y = rng.randn(25, 4), rng.randint(4, size=25)
    w = rng.rand(25) + 0.1 if weighted else None
    if isinstance(loss, MulticlassHinge):  # move every term away from its kink
        rows = np.arange(25)
        terms = scores - scores[rows, y][:, None] + 1
        terms[rows, y] = 1.0
        scores[np.abs(terms) < 1e-3] += 0.01
    grad = loss.loss_gradient(scores, y, w)[1]
    num = numerical_gradient(lambda s: loss.loss_gradient(s, y, w)[0], scores)
    assert relative_error(grad, num) < 1e-7


def test_hinge_subgradient_at_a_kink_is_zero():
    # s_1 - s_0 + 1 == 0 exactly: the term is at its kink.
    scores, y = np.array([[1.0, 0.0, -5.0]]), np.array([0])
    value, grad = MulticlassHinge().loss_gradient(scores, y)
    assert value == 0
    np.testing.assert_array_equal(grad, 0)


def test_hinge_gradient_counts_violations():
    value, grad = MulticlassHinge().loss_gradient(LECTURE_SCORES, LECTURE_Y)
    expected = np.array([[-1, 1, 0], [0, 0, 0], [1, 1, -2]]) / 3
    np.testing.assert_allclose(grad, expected)


def test_softmax_gradient_is_probability_minus_onehot():
    scores, y = LECTURE_SCORES, LECTURE_Y
    _, grad = SoftmaxCrossEntropy().loss_gradient(scores, y)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, (p - np.eye(3)[y]) / 3)


@pytest.mark.parametrize("scale", [1e4, -1e4, 1e300])
def test_softmax_is_finite_at_any_logit_scale(scale):
    scores = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.5]]) * scale
    value, grad = SoftmaxCrossEntropy().loss_gradient(scores, np.array([1, 0]))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(logsumexp(scores)))
    np.testing.assert_allclose(softmax(scores).sum(axis=1), 1)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
def test_float32_in_float32_out_and_inputs_untouched(loss):
    rng = np.random.RandomState(3)
    scores = rng.randn(10, 3).astype(np.float32)
    y = rng.randint(3, size=10)
    w = rng.rand(10).astype(np.float32)
    copies = scores.copy(), y.copy(), w.copy()
    _, grad = loss.loss_gradient(scores, y, w)
    assert grad.dtype == np.float32
    for original, copy in zip((scores, y, w), copies):
        np.testing.assert_array_equal(original, copy)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
def test_integer_weights_equal_repeated_rows_and_zero_weights_removed_rows(loss):
    rng = np.random.RandomState(4)
    scores, y = rng.randn(12, 3), rng.randint(3, size=12)
    w = rng.randint(0, 4, size=12)
    w[0] = 1
    weighted = loss.loss_gradient(scores, y, w.astype(float))[0]
    repeated = loss.loss_gradient(np.repeat(scores, w, axis=0), np.repeat(y, w))[0]
    assert weighted == pytest.approx(repeated, rel=1e-12)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
def test_loss_with_leading_candidate_axis_equals_separate_calls(loss):
    rng = np.random.RandomState(5)
    scores, y, w = rng.randn(4, 9, 3), rng.randint(3, size=9), rng.rand(9)
    batched = loss.loss(scores, y, w)
    np.testing.assert_allclose(batched, [loss.loss(s, y, w) for s in scores])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="n_samples"):
        SoftmaxCrossEntropy().loss_gradient(np.zeros((3, 2)), np.array([0, 1]))
