"""The objective: gradients for every combination, sparse, minibatches, candidates."""

import numpy as np
import pytest
from scipy import sparse

from sklinear_sgd.gradient_check import numerical_gradient, relative_error
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.penalties import L1, L2, ElasticNet, NoPenalty

RNG = np.random.RandomState(0)
X = RNG.randn(30, 5)
Y = RNG.randint(3, size=30)
SW = RNG.rand(30) + 0.2


def make(loss=None, penalty=None, fit_intercept=True, sample_weight=None, X=X, y=Y):
    return LinearObjective(
        X, y, 3, loss or SoftmaxCrossEntropy(), penalty or L2(0.1),
        fit_intercept=fit_intercept, sample_weight=sample_weight,
    )


def away_from_kinks(obj, seed):
    rng = np.random.RandomState(seed)
    for _ in range(100):
        P = rng.randn(*obj.shape) * 0.5
        scores = obj._scores(P, obj.X)
        rows = np.arange(obj.n_samples)
        terms = scores - scores[rows, obj.y][:, None] + 1
        terms[rows, obj.y] = 1
        if np.min(np.abs(terms)) > 1e-3 and np.min(np.abs(P)) > 1e-3:
            return P
    raise AssertionError("no point away from the kinks")


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
@pytest.mark.parametrize("penalty", [L2(0.1), NoPenalty(), L1(0.05), ElasticNet(0.1, 0.5)], ids=["l2", "none", "l1", "elasticnet"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sample_weight", [None, SW], ids=["unit", "weighted"])
def test_gradient_matches_numerical(loss, penalty, fit_intercept, sample_weight):
    obj = make(loss, penalty, fit_intercept, sample_weight)
    P = away_from_kinks(obj, seed=1)
    value, grad = obj.value_and_grad(P)
    assert value == pytest.approx(obj.value(P))
    num = numerical_gradient(obj.value, P)
    assert relative_error(grad, num) < 1e-7
    if not fit_intercept:
        np.testing.assert_array_equal(grad[:, -1], 0)


def test_value_is_the_weighted_mean_loss_plus_penalty():
    obj = make(sample_weight=SW)
    P = RNG.randn(*obj.shape)
    scores = X @ P[:, :-1].T + P[:, -1]
    per_sample = np.log(np.exp(scores).sum(axis=1)) - scores[np.arange(30), Y]
    expected = per_sample @ SW / SW.sum() + 0.1 * np.sum(P[:, :-1] ** 2)
    assert obj.value(P) == pytest.approx(expected)


def test_proximal_gradient_leaves_out_the_l1_part():
    obj = make(penalty=ElasticNet(0.2, 0.5))
    P = away_from_kinks(obj, seed=2)
    full = obj.value_and_grad(P)[1]
    smooth = obj.value_and_grad(P, proximal=True)[1]
    np.testing.assert_allclose(full[:, :-1] - smooth[:, :-1], 0.1 * np.sign(P[:, :-1]))


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
def test_sparse_csr_gives_the_dense_values(loss):
    Xs = X.copy()
    Xs[np.abs(Xs) < 0.8] = 0
    dense, csr = make(loss, X=Xs, sample_weight=SW), make(loss, X=sparse.csr_matrix(Xs), sample_weight=SW)
    P = RNG.randn(*dense.shape)
    v1, g1 = dense.value_and_grad(P)
    v2, g2 = csr.value_and_grad(P)
    assert v1 == pytest.approx(v2)
    np.testing.assert_allclose(g1, g2)
    rows = np.array([3, 7, 1])
    np.testing.assert_allclose(dense.value_and_grad(P, rows)[1], csr.value_and_grad(P, rows)[1])
    np.testing.assert_allclose(dense.second_moments(), csr.second_moments())
    assert dense.max_eigenvalue() == pytest.approx(csr.max_eigenvalue())


def test_minibatch_with_unit_weights_is_the_objective_on_those_rows():
    rows = np.array([0, 5, 9, 20])
    obj = make()
    sub = make(X=X[rows], y=Y[rows])
    P = RNG.randn(*obj.shape)
    assert obj.value(P, rows) == pytest.approx(sub.value(P))
    np.testing.assert_allclose(obj.value_and_grad(P, rows)[1], sub.value_and_grad(P)[1])


def test_weighted_minibatch_is_an_unbiased_estimate():
    # Averaged over a partition of the rows into batches, the batch objectives
    # give the full one.
    obj = make(sample_weight=SW, penalty=NoPenalty())
    P = RNG.randn(*obj.shape)
    batches = np.array_split(np.arange(30), 5)
    mean = np.mean([obj.value(P, b) for b in batches])
    assert mean == pytest.approx(obj.value(P))


def test_values_of_candidates_equal_value_per_candidate():
    for loss in (MulticlassHinge(), SoftmaxCrossEntropy()):
        obj = make(loss, sample_weight=SW)
        candidates = RNG.randn(7, *obj.shape)
        np.testing.assert_allclose(obj.values(candidates), [obj.value(c) for c in candidates])


def test_project_centers_rows_and_handles_the_intercept():
    obj = make(fit_intercept=False)
    P = RNG.randn(*obj.shape)
    out = obj.project(P.copy())
    np.testing.assert_allclose(out[:, :-1].sum(axis=0), 0, atol=1e-12)
    np.testing.assert_array_equal(out[:, -1], 0)
    assert obj.value(out) <= obj.value(np.hstack([P[:, :-1], np.zeros((3, 1))]))
    binary = LinearObjective(X, Y % 2, 2, SoftmaxCrossEntropy(), L2(0.1))
    Q = binary.project(RNG.randn(2, 6))
    np.testing.assert_array_equal(Q[0], -Q[1])
    l1 = make(penalty=L1(0.1))
    Z = np.zeros(l1.shape)
    Z[0, 0] = 1.0
    np.testing.assert_array_equal(l1.project(Z.copy()), Z)  # L1 zeros are kept


def test_x_is_neither_copied_nor_written():
    Xr = X.copy()
    Xr.setflags(write=False)
    obj = make(X=Xr, sample_weight=SW)
    assert obj.X is Xr
    P = RNG.randn(*obj.shape)
    obj.value_and_grad(P)
    obj.value_and_grad(P, np.array([1, 2]))
    obj.values(RNG.randn(3, *obj.shape))
    obj.max_eigenvalue()
    np.testing.assert_array_equal(Xr, X)


def test_float32_gives_float32_gradients():
    obj = make(X=X.astype(np.float32), sample_weight=SW.astype(np.float32))
    P = obj.init_params()
    assert P.dtype == np.float32
    assert obj.value_and_grad(P)[1].dtype == np.float32


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_smoothness_estimates_match_the_second_moment_matrix(fit_intercept):
    Xs = X * np.array([1, 2, 3, 0.5, 10])
    obj = make(X=Xs, sample_weight=SW, fit_intercept=fit_intercept)
    Xt = np.hstack([Xs, np.ones((30, 1))]) if fit_intercept else Xs
    M = (Xt * SW[:, None]).T @ Xt / SW.sum()
    eig = np.linalg.eigvalsh(M)[-1]
    assert obj.max_eigenvalue() == pytest.approx(eig, rel=0.02)
    assert obj.mean_squared_norm() == pytest.approx(np.trace(M))
    assert obj.mean_squared_norm() >= obj.max_eigenvalue()
    assert obj.smoothness() == pytest.approx(0.5 * obj.max_eigenvalue() + 0.2)
    assert obj.smoothness(batch_size=1) == pytest.approx(0.5 * obj.mean_squared_norm() + 0.2)
    assert obj.smoothness(batch_size=100) == obj.smoothness()


def test_accuracy_counts_weighted_hits():
    obj = make(sample_weight=SW)
    P = RNG.randn(*obj.shape)
    hits = (X @ P[:, :-1].T + P[:, -1]).argmax(axis=1) == Y
    assert obj.accuracy(P) == pytest.approx(hits @ SW / SW.sum())
