"""Properties that hold for every input, checked with hypothesis.

Losses are non-negative; the softmax loss ignores a constant added to a row of
scores; the hinge loss is 0 exactly when every margin is met; analytic
gradients match numerical ones away from the hinge's kinks; and gradient
descent fits do not depend on the order of the samples, permute the rows of
``coef_`` with the labels, and see integer weights as repeated rows.

The example counts come from a settings profile: "ci" (the default) keeps the
file well under a minute; ``HYPOTHESIS_PROFILE=thorough`` runs many more.
"""

import os

import numpy as np
import pytest
from numpy.testing import assert_allclose

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from sklinear_sgd import SoftmaxClassifier, SVMClassifier  # noqa: E402
from sklinear_sgd.gradient_check import numerical_gradient  # noqa: E402
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy  # noqa: E402
from sklinear_sgd.objective import LinearObjective  # noqa: E402
from sklinear_sgd.penalties import make_penalty  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FLOATS = st.floats(-100, 100, allow_nan=False, allow_infinity=False)


@st.composite
def scored(draw, max_samples=8, elements=FLOATS, weighted=None):
    """Scores of shape (n, k), labels, and weights (or None)."""
    n = draw(st.integers(1, max_samples))
    k = draw(st.integers(2, 5))
    scores = draw(hnp.arrays(np.float64, (n, k), elements=elements))
    y = draw(hnp.arrays(np.intp, n, elements=st.integers(0, k - 1)))
    if weighted is None:
        weighted = draw(st.booleans())
    sw = None
    if weighted:
        sw = draw(hnp.arrays(np.float64, n, elements=st.floats(0.1, 10)))
    return scores, y, sw


LOSSES = st.one_of(
    st.just(SoftmaxCrossEntropy()),
    st.floats(0, 5).map(lambda margin: MulticlassHinge(margin=margin)),
)


@given(data=scored(), loss=LOSSES)
def test_losses_are_non_negative(data, loss):
    scores, y, sw = data
    assert loss.loss(scores, y, sw) >= 0
    value, _ = loss.loss_gradient(scores, y, sw)
    assert value >= 0


@given(data=scored(), shift=hnp.arrays(np.float64, 8, elements=st.floats(-1e3, 1e3)))
def test_softmax_loss_ignores_a_constant_added_to_a_row(data, shift):
    scores, y, sw = data
    shifted = scores + shift[: len(y), None]
    loss = SoftmaxCrossEntropy()
    value, grad = loss.loss_gradient(scores, y, sw)
    value2, grad2 = loss.loss_gradient(shifted, y, sw)
    # The shift rounds the scores by up to eps * 1e3.
    assert value2 == pytest.approx(value, rel=1e-9, abs=1e-9)
    assert_allclose(grad2, grad, atol=1e-9)


# Half-integers make the margins exact, so that ties (kinks) really occur.
HALVES = st.integers(-8, 8).map(lambda i: i / 2)


@given(data=scored(elements=HALVES, weighted=False), margin=st.sampled_from([0.5, 1.0, 2.0]))
def test_hinge_loss_is_zero_exactly_when_every_margin_is_met(data, margin):
    scores, y, _ = data
    loss = MulticlassHinge(margin=margin)
    for i in range(len(y)):
        others = np.delete(scores[i], y[i])
        met = np.all(others - scores[i, y[i]] + margin <= 0)
        row = loss.loss(scores[i : i + 1], y[i : i + 1])
        assert (row == 0) == met
        assert row >= 0


@st.composite
def problems(draw, max_samples=12):
    """Small data sets: X, y (every class present), weights or None."""
    n_classes = draw(st.integers(2, 4))
    n = draw(st.integers(n_classes, max_samples))
    p = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (n, p), elements=st.floats(-3, 3)))
    y = np.arange(n) % n_classes
    y = np.asarray(draw(st.permutations(list(y))), dtype=np.intp)
    sw = draw(st.one_of(st.none(), hnp.arrays(np.float64, n, elements=st.floats(0.1, 3))))
    return X, y, sw, n_classes


@given(
    data=problems(),
    loss_name=st.sampled_from(["softmax", "hinge"]),
    penalty=st.sampled_from(["l2", None]),
    fit_intercept=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_gradients_match_numerical_gradients_away_from_kinks(
    data, loss_name, penalty, fit_intercept, seed
):
    X, y, sw, k = data
    loss = SoftmaxCrossEntropy() if loss_name == "softmax" else MulticlassHinge()
    obj = LinearObjective(X, y, k, loss, make_penalty(penalty, 0.1, 0.15),
                          fit_intercept=fit_intercept, sample_weight=sw)
    P = np.random.RandomState(seed).standard_normal(obj.shape)
    if not fit_intercept:
        P[:, -1] = 0
    if loss_name == "hinge":
        # Away from the kinks: every margin term at least 1e-3 from 0.
        S = obj._scores(P, X)
        margins = S - S[np.arange(len(y)), y][:, None] + 1.0
        margins[np.arange(len(y)), y] = 1.0
        assume(np.min(np.abs(margins)) > 1e-3)
    _, grad = obj.value_and_grad(P)
    numeric = numerical_gradient(obj.value, P, h=1e-6)
    if not fit_intercept:
        numeric[:, -1] = 0
    assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def gd(cls, **params):
    return cls(optimizer="gd", max_iter=20, tol=None, **params)


CLASSIFIERS = st.sampled_from([SVMClassifier, SoftmaxClassifier])


@given(data=problems(), cls=CLASSIFIERS, order=st.randoms(use_true_random=False))
def test_permuting_the_samples_does_not_change_a_gradient_descent_fit(data, cls, order):
    X, y, sw, _ = data
    perm = np.arange(len(y))
    order.shuffle(perm)
    a = gd(cls).fit(X, y, sample_weight=sw)
    b = gd(cls).fit(X[perm], y[perm], sample_weight=None if sw is None else sw[perm])
    # Only the order of the sums changes: rounding, nothing more.
    assert_allclose(b.coef_, a.coef_, rtol=1e-9, atol=1e-11)
    assert_allclose(b.intercept_, a.intercept_, rtol=1e-9, atol=1e-11)


@given(data=problems(), cls=CLASSIFIERS, relabel=st.randoms(use_true_random=False))
def test_relabelling_the_classes_permutes_the_rows_of_coef(data, cls, relabel):
    X, y, sw, k = data
    assume(k > 2)  # two classes have one row, W[1] - W[0]: see the next test
    new_label = np.arange(k)
    relabel.shuffle(new_label)
    a = gd(cls).fit(X, y, sample_weight=sw)
    b = gd(cls).fit(X, new_label[y], sample_weight=sw)
    # Row c of a is the class that is now called new_label[c].
    assert_allclose(b.coef_[new_label], a.coef_, rtol=1e-9, atol=1e-11)
    assert_allclose(b.intercept_[new_label], a.intercept_, rtol=1e-9, atol=1e-11)


@given(data=problems(), cls=CLASSIFIERS)
def test_swapping_two_labels_negates_the_binary_coef(data, cls):
    X, y, sw, _ = data
    y = y % 2
    a = gd(cls).fit(X, y, sample_weight=sw)
    b = gd(cls).fit(X, 1 - y, sample_weight=sw)
    assert_allclose(b.coef_, -a.coef_, rtol=1e-9, atol=1e-11)
    assert_allclose(b.intercept_, -a.intercept_, rtol=1e-9, atol=1e-11)


@given(
    data=problems(),
    cls=CLASSIFIERS,
    weights=hnp.arrays(np.intp, 12, elements=st.integers(0, 3)),
)
def test_integer_sample_weights_equal_repeated_rows(data, cls, weights):
    X, y, _, k = data
    w = weights[: len(y)]
    # Every class keeps a row, or the repeated data would have fewer classes.
    assume(all(w[y == c].sum() > 0 for c in range(k)))
    # On (nearly) all-zero features the scores are the intercepts alone, which
    # the intercept's step of exactly 1 puts on the hinge's kinks: there the
    # rounding of a weighted sum against repeated rows picks the subgradient.
    assume(cls is SoftmaxClassifier or np.abs(X).max() > 1e-6)
    a = gd(cls).fit(X, y, sample_weight=w)
    b = gd(cls).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    assert_allclose(b.coef_, a.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(b.intercept_, a.intercept_, rtol=1e-8, atol=1e-10)
