"""Losses: values and gradients against a slow per-sample reference, the
lecture's numbers, numerical gradients, kinks, dtypes, stability, weights."""

import math

import numpy as np
import pytest

from sklinear_sgd.gradient_check import numerical_gradient, relative_error
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy

LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LECTURE_Y = np.array([0, 1, 2])

LOSSES = [MulticlassHinge(), SoftmaxCrossEntropy()]
LOSS_IDS = ["hinge", "softmax"]


# -- the slow, obviously correct references ---------------------------------


def ref_hinge_sample(s, label, margin=1.0):
    """L_i and dL_i/ds_i of one sample, term by term."""
    value, grad = 0.0, [0.0] * len(s)
    for j in range(len(s)):
        if j == label:
            continue
        term = s[j] - s[label] + margin
        if term > 0:
            value += term
            grad[j] += 1.0
            grad[label] -= 1.0
    return value, grad


def ref_softmax_sample(s, label):
    """L_i and dL_i/ds_i of one sample, with math.exp and math.log."""
    exps = [math.exp(v) for v in s]
    total = sum(exps)
    value = math.log(total) - s[label]
    grad = [e / total - (1.0 if j == label else 0.0) for j, e in enumerate(exps)]
    return value, grad


def ref_loss(loss, scores, y, sample_weight=None):
    """Weighted mean of the per-sample losses and its gradient, by loops."""
    n = len(y)
    w = [1.0] * n if sample_weight is None else [float(v) for v in sample_weight]
    total = sum(w)
    value, grad = 0.0, np.zeros((n, scores.shape[1]))
    for i in range(n):
        s = [float(v) for v in scores[i]]
        if isinstance(loss, MulticlassHinge):
            li, gi = ref_hinge_sample(s, int(y[i]), loss.margin)
        else:
            li, gi = ref_softmax_sample(s, int(y[i]))
        value += w[i] * li / total
        for j in range(len(gi)):
            grad[i, j] = w[i] * gi[j] / total
    return value, grad


def kink_free(scores, y, margin=1.0, gap=1e-3):
    """Shift the scores so that no hinge term is within ``gap`` of its kink."""
    scores = scores.copy()
    rows = np.arange(len(y))
    for _ in range(100):
        terms = scores - scores[rows, y][:, None] + margin
        terms[rows, y] = 1.0
        near = np.abs(terms) < gap
        if not near.any():
            return scores
        scores[near] += 10 * gap
    raise AssertionError("could not move the scores away from the kinks")


def random_problem(seed, n=20, n_classes=4, scale=2.0):
    rng = np.random.RandomState(seed)
    scores = rng.randn(n, n_classes) * scale
    y = rng.randint(n_classes, size=n)
    y[:n_classes] = np.arange(n_classes)  # every class present
    w = rng.rand(n) + 0.1
    return scores, y, w


# -- the lecture's numbers ---------------------------------------------------


def test_lecture_hinge_numbers():
    per_sample = [
        MulticlassHinge().loss_gradient(LECTURE_SCORES[i : i + 1], LECTURE_Y[i : i + 1])[0]
        for i in range(3)
    ]
    np.testing.assert_allclose(per_sample, [2.9, 0.0, 12.9], atol=1e-12)
    value, _ = MulticlassHinge().loss_gradient(LECTURE_SCORES, LECTURE_Y)
    assert value == pytest.approx((2.9 + 0.0 + 12.9) / 3, abs=1e-12)
    assert round(value, 2) == 5.27
    assert float(MulticlassHinge().loss(LECTURE_SCORES, LECTURE_Y)) == pytest.approx(value)
    # And the reference agrees with the lecture too.
    assert ref_loss(MulticlassHinge(), LECTURE_SCORES, LECTURE_Y)[0] == pytest.approx(value)


def test_lecture_hinge_gradient_counts_the_violations():
    _, grad = MulticlassHinge().loss_gradient(LECTURE_SCORES, LECTURE_Y)
    # Row 0: class 1 violates; row 1: none; row 2: classes 0 and 1 violate.
    expected = np.array([[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]) / 3
    np.testing.assert_allclose(grad, expected, atol=1e-15)


def test_lecture_softmax_number():
    value, _ = SoftmaxCrossEntropy().loss_gradient(LECTURE_SCORES[:1], LECTURE_Y[:1])
    assert round(value, 2) == 2.04
    assert value == pytest.approx(ref_softmax_sample(list(LECTURE_SCORES[0]), 0)[0], rel=1e-14)
    assert float(SoftmaxCrossEntropy().loss(LECTURE_SCORES[:1], LECTURE_Y[:1])) == pytest.approx(
        value, rel=1e-14
    )


# -- values and gradients against the reference ------------------------------


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
@pytest.mark.parametrize("n_classes", [2, 3, 7])
def test_values_and_gradients_match_the_reference(loss, weighted, n_classes):
    scores, y, w = random_problem(n_classes, n=25, n_classes=n_classes)
    w = w if weighted else None
    ref_value, ref_grad = ref_loss(loss, scores, y, w)
    value, grad = loss.loss_gradient(scores, y, w)
    assert isinstance(value, float)
    assert value == pytest.approx(ref_value, rel=1e-12)
    assert float(loss.loss(scores, y, w)) == pytest.approx(ref_value, rel=1e-12)
    assert grad.shape == scores.shape
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("layout", ["fortran", "strided"])
@pytest.mark.parametrize("shape", [(25, 4), (1, 4), (25, 1)], ids=["25x4", "1x4", "25x1"])
def test_scores_in_any_layout_give_the_reference(loss, layout, shape):
    # The losses index the true classes' entries with flat indices in the
    # memory order of the scores (C- or F-contiguous, taken as they are, and
    # anything else copied): every layout must give the same, and the gradient
    # comes F-contiguous for F-contiguous scores, else C-contiguous.
    n, n_classes = shape
    rng = np.random.RandomState(13)
    scores, y, w = rng.randn(n, n_classes) * 2, rng.randint(n_classes, size=n), rng.rand(n) + 0.1
    if layout == "fortran":
        given = np.asfortranarray(scores)
    else:
        wide = np.zeros((n, 2 * n_classes))
        wide[:, ::2] = scores
        given = wide[:, ::2]
    for weights in (None, w):
        ref_value, ref_grad = ref_loss(loss, scores, y, weights)
        value, grad = loss.loss_gradient(given, y, weights)
        assert value == pytest.approx(ref_value, rel=1e-12)
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-12, atol=1e-15)
        assert grad.flags.f_contiguous if layout == "fortran" else grad.flags.c_contiguous
        assert float(loss.loss(given, y, weights)) == pytest.approx(ref_value, rel=1e-12)


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_softmax_fortran_scores_are_exact_for_huge_logits(big):
    scores = np.array([[big, 0.0, -big], [0.0, big, 1.0], [-big, -big, big]])
    y = np.array([2, 0, 1])
    loss = SoftmaxCrossEntropy()
    value, grad = loss.loss_gradient(scores, y)
    value_f, grad_f = loss.loss_gradient(np.asfortranarray(scores), y)
    assert value_f == value
    np.testing.assert_array_equal(grad_f, grad)


@pytest.mark.parametrize("margin", [0.0, 0.5, 1.0, 3.0])
def test_hinge_margin_is_respected(margin):
    scores, y, w = random_problem(11, n=30, n_classes=5)
    loss = MulticlassHinge(margin=margin)
    assert loss.margin == margin
    ref_value, ref_grad = ref_loss(loss, scores, y, w)
    value, grad = loss.loss_gradient(scores, y, w)
    assert value == pytest.approx(ref_value, rel=1e-12)
    assert float(loss.loss(scores, y, w)) == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12, atol=1e-15)


def test_hinge_margin_changes_the_lecture_value():
    assert MulticlassHinge().margin == 1.0
    # Margin 0 on the lecture's first row: max(0, 5.1 - 3.2) + max(0, -1.7 - 3.2) = 1.9.
    value = MulticlassHinge(margin=0.0).loss_gradient(LECTURE_SCORES[:1], LECTURE_Y[:1])[0]
    assert value == pytest.approx(1.9, abs=1e-12)
    # Margin 10: (5.1 - 3.2 + 10) + (-1.7 - 3.2 + 10) = 11.9 + 5.1 = 17.
    value = MulticlassHinge(margin=10.0).loss_gradient(LECTURE_SCORES[:1], LECTURE_Y[:1])[0]
    assert value == pytest.approx(17.0, abs=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_numerical_gradient(loss, weighted, seed):
    scores, y, w = random_problem(seed + 20, n=15, n_classes=4, scale=1.0)
    w = w if weighted else None
    if isinstance(loss, MulticlassHinge):
        scores = kink_free(scores, y, loss.margin)
    _, grad = loss.loss_gradient(scores, y, w)
    num = numerical_gradient(lambda s: loss.loss_gradient(s, y, w)[0], scores)
    assert relative_error(grad, num) < 1e-7
    # ``loss`` is the same function.
    num_loss = numerical_gradient(lambda s: float(loss.loss(s, y, w)), scores)
    assert relative_error(grad, num_loss) < 1e-7


def test_hinge_numerical_gradient_with_a_margin():
    loss = MulticlassHinge(margin=2.5)
    scores, y, w = random_problem(5, n=12, n_classes=3)
    scores = kink_free(scores, y, 2.5)
    grad = loss.loss_gradient(scores, y, w)[1]
    num = numerical_gradient(lambda s: loss.loss_gradient(s, y, w)[0], scores)
    assert relative_error(grad, num) < 1e-7
    assert np.any(grad != MulticlassHinge().loss_gradient(scores, y, w)[1])


# -- kinks ---------------------------------------------------------------------


def test_hinge_kink_gives_subgradient_zero():
    # s_1 - s_0 + 1 == 0 exactly: the only non-negative term sits at its kink.
    value, grad = MulticlassHinge().loss_gradient(np.array([[1.0, 0.0, -5.0]]), np.array([0]))
    assert value == 0.0
    np.testing.assert_array_equal(grad, np.zeros((1, 3)))


def test_hinge_kink_term_is_not_counted_next_to_a_violation():
    # Term j=1 is exactly at its kink (-1 - 0 + 1 = 0), term j=2 violates by 1.5.
    value, grad = MulticlassHinge().loss_gradient(np.array([[0.0, -1.0, 0.5]]), np.array([0]))
    assert value == pytest.approx(1.5)
    np.testing.assert_array_equal(grad, [[-1.0, 0.0, 1.0]])


def test_hinge_kink_with_a_margin():
    # With margin 2: 0 - 2 + 2 == 0 exactly.
    value, grad = MulticlassHinge(margin=2.0).loss_gradient(np.array([[2.0, 0.0]]), np.array([0]))
    assert value == 0.0
    np.testing.assert_array_equal(grad, [[0.0, 0.0]])
    # Just past the kink the term counts.
    value, grad = MulticlassHinge(margin=2.0).loss_gradient(np.array([[2.0, 0.25]]), np.array([0]))
    assert value == pytest.approx(0.25)
    np.testing.assert_array_equal(grad, [[-1.0, 1.0]])


# -- dtypes and stability ------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("weights", [None, "float32", "float64"])
def test_float32_in_float32_dscores_out(loss, weights):
    scores, y, w = random_problem(3, n=10, n_classes=3)
    s32 = scores.astype(np.float32)
    w = None if weights is None else w.astype(weights)
    value, grad = loss.loss_gradient(s32, y, w)
    assert grad.dtype == np.float32
    assert np.isfinite(value)
    ref_value, ref_grad = ref_loss(loss, s32.astype(np.float64), y, w)
    assert value == pytest.approx(ref_value, rel=1e-5)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-4, atol=1e-6)
    assert np.asarray(loss.loss(s32, y, w)).dtype.kind == "f"


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_softmax_is_finite_for_huge_logits(big):
    scores = np.array([[big, 0.0, -big], [0.0, big, 1.0], [-big, -big, big]])
    loss = SoftmaxCrossEntropy()
    for y in (np.array([0, 1, 2]), np.array([2, 0, 1])):
        value, grad = loss.loss_gradient(scores, y)
        assert np.isfinite(value)
        assert np.all(np.isfinite(grad))
        assert np.isfinite(loss.loss(scores, y))
        assert float(loss.loss(scores, y)) == pytest.approx(value)
        # Every gradient row of the mean sums to 0 (probabilities minus one-hot).
        np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)


def test_softmax_huge_logits_give_the_exact_limits():
    loss = SoftmaxCrossEntropy()
    scores = np.array([[1e4, -1e4, 0.0]])
    # The right class dominates: loss 0, gradient 0.
    value, grad = loss.loss_gradient(scores, np.array([0]))
    assert value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(grad, 0, atol=1e-12)
    # The wrong class dominates by 2e4: loss 2e4, gradient p - onehot = [1, -1, 0].
    value, grad = loss.loss_gradient(scores, np.array([1]))
    assert value == pytest.approx(2e4, rel=1e-12)
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0]], atol=1e-12)
    # float32 as well.
    value, grad = loss.loss_gradient(scores.astype(np.float32), np.array([2]))
    assert value == pytest.approx(1e4, rel=1e-6)
    assert grad.dtype == np.float32 and np.all(np.isfinite(grad))


# -- candidates (leading axes) -------------------------------------------------


@pytest.mark.parametrize("loss", [MulticlassHinge(), MulticlassHinge(0.3), SoftmaxCrossEntropy()],
                         ids=["hinge", "hinge-0.3", "softmax"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_loss_with_a_candidate_axis_equals_separate_calls(loss, weighted):
    rng = np.random.RandomState(6)
    K, n, C = 5, 9, 4
    stack = rng.randn(K, n, C) * 2
    y = rng.randint(C, size=n)
    w = rng.rand(n) + 0.1 if weighted else None
    batched = np.asarray(loss.loss(stack, y, w))
    assert batched.shape == (K,)
    separate = [float(loss.loss(stack[k], y, w)) for k in range(K)]
    np.testing.assert_allclose(batched, separate, rtol=1e-12)
    np.testing.assert_allclose(batched, [ref_loss(loss, s, y, w)[0] for s in stack], rtol=1e-12)
    # Two leading axes.
    grid = stack.reshape(5, 1, n, C).repeat(2, axis=1)
    np.testing.assert_allclose(np.asarray(loss.loss(grid, y, w)), np.c_[separate, separate])


# -- weights -------------------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_integer_weights_equal_repeated_rows(loss):
    scores, y, _ = random_problem(7, n=12, n_classes=3)
    w = np.array([1, 2, 3, 1, 1, 4, 2, 1, 3, 1, 2, 1])
    weighted_value, weighted_grad = loss.loss_gradient(scores, y, w.astype(float))
    rep_scores, rep_y = np.repeat(scores, w, axis=0), np.repeat(y, w)
    rep_value, rep_grad = loss.loss_gradient(rep_scores, rep_y)
    assert weighted_value == pytest.approx(rep_value, rel=1e-13)
    assert float(loss.loss(scores, y, w.astype(float))) == pytest.approx(rep_value, rel=1e-13)
    # The repeated rows' gradients add up to the weighted row's gradient.
    owner = np.repeat(np.arange(12), w)
    summed = np.zeros_like(weighted_grad)
    np.add.at(summed, owner, rep_grad)
    np.testing.assert_allclose(weighted_grad, summed, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_zero_weights_equal_removed_rows(loss):
    scores, y, w = random_problem(8, n=14, n_classes=3)
    w[[1, 4, 5, 10]] = 0.0
    keep = w > 0
    value, grad = loss.loss_gradient(scores, y, w)
    kept_value, kept_grad = loss.loss_gradient(scores[keep], y[keep], w[keep])
    assert value == pytest.approx(kept_value, rel=1e-13)
    np.testing.assert_allclose(grad[keep], kept_grad, rtol=1e-13)
    np.testing.assert_array_equal(grad[~keep], 0.0)
    assert float(loss.loss(scores, y, w)) == pytest.approx(kept_value, rel=1e-13)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_unit_weights_equal_no_weights_and_scale_does_not_matter(loss):
    scores, y, w = random_problem(9, n=10, n_classes=3)
    v0, g0 = loss.loss_gradient(scores, y)
    v1, g1 = loss.loss_gradient(scores, y, np.ones(10))
    assert v0 == pytest.approx(v1, rel=1e-14)
    np.testing.assert_allclose(g0, g1, rtol=1e-14)
    v2, g2 = loss.loss_gradient(scores, y, w)
    v3, g3 = loss.loss_gradient(scores, y, 7.0 * w)
    assert v2 == pytest.approx(v3, rel=1e-13)
    np.testing.assert_allclose(g2, g3, rtol=1e-13)


# -- inputs and shapes ---------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inputs_are_not_modified(loss, dtype):
    scores, y, w = random_problem(10, n=10, n_classes=4)
    scores, w = scores.astype(dtype), w.astype(dtype)
    copies = scores.copy(), y.copy(), w.copy()
    loss.loss_gradient(scores, y, w)
    loss.loss_gradient(scores, y)
    loss.loss(scores, y, w)
    loss.loss(np.stack([scores, scores]), y, w)
    for original, copy in zip((scores, y, w), copies):
        np.testing.assert_array_equal(original, copy)
        assert original.dtype == copy.dtype


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_read_only_inputs_are_accepted(loss):
    scores, y, w = random_problem(12, n=8, n_classes=3)
    for a in (scores, y, w):
        a.setflags(write=False)
    value, grad = loss.loss_gradient(scores, y, w)
    assert value == pytest.approx(ref_loss(loss, scores, y, w)[0], rel=1e-12)
    assert float(loss.loss(scores, y, w)) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_shape_mismatch_is_an_error(loss):
    with pytest.raises(ValueError, match="n_samples"):
        loss.loss_gradient(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="n_samples"):
        loss.loss(np.zeros((4, 3, 2)), np.array([0, 1]))
