"""The objective: value and gradient for every combination, sparse input,
minibatches, candidates, projection, no copy of X, dtypes, smoothness."""

import numpy as np
import pytest
from scipy import sparse

import sklinear_sgd.objective as objective_module
from sklinear_sgd import _sparse
from sklinear_sgd.gradient_check import numerical_gradient, relative_error
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.penalties import L1, L2, ElasticNet, NoPenalty

N, P_FEAT, C = 30, 5, 3
_rng = np.random.RandomState(0)
X = _rng.randn(N, P_FEAT) * np.array([1.0, 2.0, 0.5, 1.5, 1.0])
Y = np.arange(N) % C
_rng.shuffle(Y)
SW = _rng.rand(N) + 0.2

LOSSES = {"hinge": MulticlassHinge, "softmax": SoftmaxCrossEntropy}
PENALTIES = {"l2": lambda: L2(0.1), "none": NoPenalty}


def make(loss="softmax", penalty="l2", fit_intercept=True, sample_weight=None, X=X, y=Y,
         n_classes=C):
    loss = LOSSES[loss]() if isinstance(loss, str) else loss
    penalty = PENALTIES[penalty]() if isinstance(penalty, str) else penalty
    return LinearObjective(X, y, n_classes, loss, penalty, fit_intercept=fit_intercept,
                           sample_weight=sample_weight)


def reference_value(obj, P):
    """The pinned formula, one sample at a time."""
    Xd = obj.X.toarray() if sparse.issparse(obj.X) else np.asarray(obj.X)
    Xd = Xd.astype(np.float64)
    W, b = P[:, :-1].astype(np.float64), P[:, -1].astype(np.float64)
    w = np.ones(obj.n_samples) if obj.sample_weight is None else obj.sample_weight
    total = 0.0
    for i in range(obj.n_samples):
        s = W @ Xd[i] + (b if obj.fit_intercept else 0.0)
        yi = obj.y[i]
        if isinstance(obj.loss, MulticlassHinge):
            li = sum(max(0.0, s[j] - s[yi] + obj.loss.margin) for j in range(len(s)) if j != yi)
        else:
            top = s.max()
            li = top + np.log(np.sum(np.exp(s - top))) - s[yi]
        total += w[i] * li
    alpha = getattr(obj.penalty, "alpha", 0.0)
    return total / np.sum(w) + alpha * np.sum(W**2)


def point_away_from_kinks(obj, seed, h=1e-5):
    """A random point where no hinge term is within reach of a centered difference,
    and no gradient entry is so small that its relative error is only rounding."""
    rng = np.random.RandomState(seed)
    Xd = obj.X.toarray() if sparse.issparse(obj.X) else obj.X
    safe = 10 * h * (np.abs(Xd).sum(axis=1).max() + 1)
    rows = np.arange(obj.n_samples)
    for _ in range(200):
        P = rng.randn(*obj.shape) * 0.5
        if not obj.fit_intercept:
            P[:, -1] = 0.0
        S = Xd @ P[:, :-1].T + (P[:, -1] if obj.fit_intercept else 0.0)
        terms = S - S[rows, obj.y][:, None] + 1.0
        terms[rows, obj.y] = np.inf
        if np.min(np.abs(terms)) < safe:
            continue
        grad = obj.value_and_grad(P)[1]
        entries = grad if obj.fit_intercept else grad[:, :-1]
        if np.min(np.abs(entries)) > 1e-6:
            return P
    raise AssertionError("no point away from the kinks")


# -- value and gradient, every combination -------------------------------------


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_value_and_gradient_every_combination(loss, penalty, fit_intercept, weighted):
    obj = make(loss, penalty, fit_intercept, SW if weighted else None)
    for seed in (1, 2):
        P = point_away_from_kinks(obj, seed)
        value = obj.value(P)
        assert isinstance(value, float)
        assert value == pytest.approx(reference_value(obj, P), rel=1e-12)
        v2, grad = obj.value_and_grad(P)
        assert v2 == pytest.approx(value, rel=1e-13)
        assert grad.shape == obj.shape == (C, P_FEAT + 1)
        num = numerical_gradient(obj.value, P)
        assert relative_error(grad, num) < 1e-7
        if not fit_intercept:
            np.testing.assert_array_equal(grad[:, -1], 0.0)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_intercept_is_ignored_without_fit_intercept_and_never_penalized(loss):
    obj = make(loss, "l2", fit_intercept=False)
    P = np.random.RandomState(3).randn(*obj.shape)
    Q = P.copy()
    Q[:, -1] += 5.0
    assert obj.value(Q) == obj.value(P)
    # With an intercept, shifting all intercepts together changes no loss and
    # (the intercept is not penalized) not the objective either.
    obj = make(loss, "l2", fit_intercept=True)
    Q = P.copy()
    Q[:, -1] += 5.0
    assert obj.value(Q) == pytest.approx(obj.value(P), rel=1e-12)


def test_penalty_enters_with_two_alpha_w():
    rng = np.random.RandomState(4)
    P = rng.randn(C, P_FEAT + 1)
    g_l2 = make("softmax", L2(0.3)).value_and_grad(P)[1]
    g_0 = make("softmax", NoPenalty()).value_and_grad(P)[1]
    np.testing.assert_allclose(g_l2[:, :-1] - g_0[:, :-1], 0.6 * P[:, :-1], rtol=1e-12)
    np.testing.assert_allclose(g_l2[:, -1], g_0[:, -1], rtol=1e-14)


def test_init_params_is_zero_and_softmax_gives_log_c():
    obj = make("softmax", "l2", sample_weight=SW)
    P0 = obj.init_params()
    assert P0.shape == (C, P_FEAT + 1) and P0.dtype == np.float64
    np.testing.assert_array_equal(P0, 0.0)
    assert obj.value(P0) == pytest.approx(np.log(C), rel=1e-14)
    # Hinge at zero scores: every one of the C - 1 terms equals the margin.
    assert make("hinge").value(P0) == pytest.approx(C - 1.0, rel=1e-14)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("kind", ["dense", "csr", "rows"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_value_at_zero_without_a_product_is_the_value_through_one(loss, kind, weighted):
    # value() skips the products at P = 0 (every score is 0); value_and_grad
    # always runs them.
    sw = SW if weighted else None
    if kind == "rows":
        rows = np.arange(3, N, 2)
        obj = LinearObjective(X, Y[rows], C, LOSSES[loss](), L2(0.1),
                              sample_weight=None if sw is None else sw[rows], rows=rows)
    else:
        obj = make(loss, "l2", sample_weight=sw,
                   X=sparse.csr_matrix(X) if kind == "csr" else X)
    P0 = obj.init_params()
    assert obj.value(P0) == pytest.approx(obj.value_and_grad(P0)[0], rel=1e-14)
    assert obj.value(P0) == pytest.approx(reference_value(make(loss, "l2"), P0), rel=1e-14)


# -- sparse --------------------------------------------------------------------


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_dense_and_csr_give_the_same_values_and_gradients(loss, fit_intercept, weighted):
    Xs = X.copy()
    Xs[np.abs(Xs) < 0.8] = 0.0
    sw = SW if weighted else None
    dense = make(loss, "l2", fit_intercept, sw, X=Xs)
    csr = make(loss, "l2", fit_intercept, sw, X=sparse.csr_matrix(Xs))
    rng = np.random.RandomState(5)
    P = rng.randn(*dense.shape)
    v1, g1 = dense.value_and_grad(P)
    v2, g2 = csr.value_and_grad(P)
    assert isinstance(g2, np.ndarray) and g2.shape == g1.shape
    assert v1 == pytest.approx(v2, rel=1e-13)
    np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-14)
    assert dense.value(P) == pytest.approx(csr.value(P), rel=1e-13)
    rows = np.array([3, 7, 1, 22])
    assert dense.value(P, rows) == pytest.approx(csr.value(P, rows), rel=1e-13)
    np.testing.assert_allclose(dense.value_and_grad(P, rows)[1], csr.value_and_grad(P, rows)[1],
                               rtol=1e-12, atol=1e-14)
    cands = rng.randn(4, *dense.shape)
    np.testing.assert_allclose(dense.values(cands), csr.values(cands), rtol=1e-12)
    np.testing.assert_allclose(dense.second_moments(), csr.second_moments(), rtol=1e-12)
    assert dense.max_eigenvalue() == pytest.approx(csr.max_eigenvalue(), rel=1e-10)
    assert dense.smoothness(8) == pytest.approx(csr.smoothness(8), rel=1e-10)


# -- minibatches ---------------------------------------------------------------


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_minibatch_with_unit_weights_is_the_objective_on_those_rows(loss, fit_intercept):
    rng = np.random.RandomState(6)
    P = rng.randn(C, P_FEAT + 1)
    for rows in (np.array([0, 5, 9, 20]), np.array([29]), rng.permutation(N)[:17]):
        obj = make(loss, "l2", fit_intercept)
        sub = make(loss, "l2", fit_intercept, X=X[rows], y=Y[rows])
        assert obj.value(P, rows) == pytest.approx(sub.value(P), rel=1e-13)
        v1, g1 = obj.value_and_grad(P, rows)
        v2, g2 = sub.value_and_grad(P)
        assert v1 == pytest.approx(v2, rel=1e-13)
        np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-15)
    # All the rows, in any order, are the whole objective.
    perm = rng.permutation(N)
    assert obj.value(P, perm) == pytest.approx(obj.value(P), rel=1e-13)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("penalty", ["l2", "none", "elasticnet"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weights", ["unit", "weighted", "zero batch"])
@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_minibatch_value_and_grad_is_value_and_grad_transposed(
    loss, penalty, fit_intercept, weights, kind
):
    from sklinear_sgd.penalties import ElasticNet

    rows = np.array([4, 9, 2, 17, 23])
    sw = {"unit": None, "weighted": SW, "zero batch": SW.copy()}[weights]
    if weights == "zero batch":
        sw[rows] = 0.0
    if penalty == "elasticnet":
        penalty = ElasticNet(0.2, 0.5)
    Xs = sparse.csr_matrix(X) if kind == "csr" else X
    obj = make(loss, penalty, fit_intercept, sw, X=Xs)
    P = np.random.RandomState(11).randn(*obj.shape)
    P_t = np.array(P.T, order="C")
    out = np.full_like(P_t, np.nan)  # every entry must be written
    for batch in (rows, slice(5, 12)):
        value = obj.minibatch_value_and_grad(P_t, batch, out)
        expected_value, expected = obj.value_and_grad(P, batch, proximal=True)
        # The value is the data term; the penalty's value is apart.
        penalty_value = obj.penalty_value(P)
        assert penalty_value == pytest.approx(obj.penalty.value(P[:, :-1]), rel=1e-15)
        assert (penalty_value > 0) == (obj.penalty.alpha > 0)
        assert value == pytest.approx(expected_value - penalty_value, rel=1e-13, abs=1e-15)
        np.testing.assert_allclose(out.T, expected, rtol=1e-12, atol=1e-15)
    if weights == "zero batch":  # only the penalty's gradient is left
        obj.minibatch_value_and_grad(P_t, rows, out)
        np.testing.assert_allclose(out[-1], 0.0)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_weighted_minibatch_gradient_is_the_gradient_of_its_value(loss):
    obj = make(loss, "l2", True, SW)
    rows = np.array([2, 4, 8, 16, 17, 25])
    for seed in (7, 8):
        P = point_away_from_kinks(obj, seed)
        value, grad = obj.value_and_grad(P, rows)
        assert value == pytest.approx(obj.value(P, rows), rel=1e-13)
        num = numerical_gradient(lambda Q: obj.value(Q, rows), P)
        assert relative_error(grad, num) < 1e-6


def test_weighted_minibatches_average_to_the_full_objective():
    obj = make("softmax", "none", True, SW)
    P = np.random.RandomState(9).randn(*obj.shape)
    batches = np.array_split(np.random.RandomState(10).permutation(N), 5)
    assert np.mean([obj.value(P, b) for b in batches]) == pytest.approx(obj.value(P), rel=1e-12)
    grads = [obj.value_and_grad(P, b)[1] for b in batches]
    np.testing.assert_allclose(np.mean(grads, axis=0), obj.value_and_grad(P)[1], rtol=1e-11,
                               atol=1e-14)


# -- candidates ----------------------------------------------------------------


@pytest.mark.parametrize("loss", [MulticlassHinge(), MulticlassHinge(2.0), SoftmaxCrossEntropy()],
                         ids=["hinge", "hinge-2", "softmax"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_values_of_candidates_equal_value_per_candidate(loss, fit_intercept, weighted):
    obj = make(loss, "l2", fit_intercept, SW if weighted else None)
    cands = np.random.RandomState(11).randn(7, *obj.shape)
    values = obj.values(cands)
    assert values.shape == (7,)
    np.testing.assert_allclose(values, [obj.value(c) for c in cands], rtol=1e-12)


def test_values_in_small_chunks_equal_value_per_candidate(monkeypatch):
    # A buffer of three candidates' scores: 7 candidates take 3 chunks.
    monkeypatch.setattr(objective_module, "_CANDIDATE_BUFFER_BYTES", 3 * N * C * 8)
    obj = make("softmax", "l2", True, SW)
    cands = np.random.RandomState(12).randn(7, *obj.shape)
    np.testing.assert_allclose(obj.values(cands), [obj.value(c) for c in cands], rtol=1e-12)


@pytest.mark.parametrize("loss", ["hinge", "softmax"])
@pytest.mark.parametrize("kind", ["dense", "csr", "fortran"])
def test_values_of_float32_candidates_equal_value_per_candidate(loss, kind):
    # The scores of all candidates are one product, laid out one row per class
    # of a candidate; float32 data give float32 scores, sparse data the same.
    Xs = X.astype(np.float32)
    Xs[np.abs(Xs) < 0.5] = 0.0
    data = {"dense": Xs, "csr": sparse.csr_matrix(Xs), "fortran": np.asfortranarray(Xs)}
    obj = make(loss, "l2", True, SW.astype(np.float32), X=data[kind])
    cands = np.random.RandomState(14).randn(9, *obj.shape).astype(np.float32)
    values = obj.values(cands)
    assert values.dtype == np.float64 and values.shape == (9,)
    np.testing.assert_allclose(values, [obj.value(c) for c in cands], rtol=1e-5)
    np.testing.assert_allclose(values, [reference_value(obj, c) for c in cands], rtol=1e-5)


def test_values_does_not_modify_the_candidates():
    obj = make("hinge", "l2", True, SW)
    cands = np.random.RandomState(13).randn(5, *obj.shape)
    before = cands.copy()
    obj.values(cands)
    np.testing.assert_array_equal(cands, before)


# -- projection ----------------------------------------------------------------


@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("loss", list(LOSSES))
def test_project_centers_the_rows_without_changing_the_loss(loss, penalty):
    obj = make(loss, penalty, True, SW)
    P = np.random.RandomState(14).randn(*obj.shape) + 3.0
    before = P.copy()
    Q = obj.project(P)
    assert Q is P  # in place
    np.testing.assert_allclose(Q.sum(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Q, before - before.mean(axis=0), atol=1e-12)
    if penalty == "none":
        assert obj.value(Q) == pytest.approx(obj.value(before), rel=1e-12)
    else:
        assert obj.value(Q) < obj.value(before)


def test_project_binary_gives_exactly_minus_d_and_d():
    y2 = Y % 2
    for fit_intercept in (True, False):
        obj = make("softmax", "l2", fit_intercept, y=y2, n_classes=2)
        P = np.random.RandomState(15).randn(2, P_FEAT + 1)
        d = (P[1] - P[0]) / 2
        Q = obj.project(P.copy())
        expected = d.copy()
        if not fit_intercept:
            expected[-1] = 0.0
        np.testing.assert_array_equal(Q[1], expected)
        np.testing.assert_array_equal(Q[0], -expected)


def test_project_zeroes_the_intercept_column_without_fit_intercept():
    obj = make("softmax", "l2", False)
    P = np.random.RandomState(16).randn(*obj.shape)
    Q = obj.project(P.copy())
    np.testing.assert_array_equal(Q[:, -1], 0.0)
    np.testing.assert_allclose(Q[:, :-1].sum(axis=0), 0.0, atol=1e-12)
    # With fit_intercept the intercepts are centered, not zeroed.
    Q = make("softmax", "l2", True).project(P.copy())
    np.testing.assert_allclose(Q[:, -1], P[:, -1] - P[:, -1].mean(), atol=1e-14)


def test_project_with_leading_axes_equals_per_candidate():
    for obj in (make("softmax", "l2", False), make("softmax", "l2", True, y=Y % 2, n_classes=2)):
        stack = np.random.RandomState(17).randn(4, *obj.shape)
        one_by_one = np.stack([obj.project(s.copy()) for s in stack])
        np.testing.assert_allclose(obj.project(stack.copy()), one_by_one, atol=1e-15)


def test_project_keeps_l1_zeros():
    obj = make("softmax", L1(0.1), True)
    Z = np.zeros(obj.shape)
    Z[0, 0] = 1.0
    np.testing.assert_array_equal(obj.project(Z.copy()), Z)


# -- X is referenced, never copied nor written ----------------------------------


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_x_is_neither_copied_nor_modified(kind):
    Xr = X.copy()
    if kind == "csr":
        Xr[np.abs(Xr) < 0.5] = 0.0
        Xr = sparse.csr_matrix(Xr)
        Xr.data.setflags(write=False)
        data = Xr.data
        before = Xr.toarray()
    else:
        Xr.setflags(write=False)
        data = Xr
        before = Xr.copy()
    sw = SW.copy()
    sw.setflags(write=False)
    yr = Y.copy()
    yr.setflags(write=False)
    obj = make("softmax", "l2", True, sw, X=Xr, y=yr)
    assert obj.X is Xr
    rng = np.random.RandomState(18)
    P = rng.randn(*obj.shape)
    obj.value(P)
    obj.value_and_grad(P)
    obj.value_and_grad(P, np.array([1, 2, 5]))
    obj.value(P, np.array([0, 3]))
    obj.values(rng.randn(3, *obj.shape))
    obj.accuracy(P)
    obj.second_moments()
    obj.max_eigenvalue()
    obj.smoothness(4)
    np.testing.assert_array_equal(obj.X.toarray() if kind == "csr" else obj.X, before)
    assert np.shares_memory(obj.X.data if kind == "csr" else obj.X, data)
    np.testing.assert_array_equal(sw, SW)
    np.testing.assert_array_equal(yr, Y)


def test_parameters_are_not_modified():
    obj = make("hinge", "l2", True, SW)
    P = np.random.RandomState(19).randn(*obj.shape)
    before = P.copy()
    obj.value(P)
    obj.value_and_grad(P)
    obj.value_and_grad(P, np.array([1, 2]))
    np.testing.assert_array_equal(P, before)


# -- dtypes --------------------------------------------------------------------


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_float32_x_gives_a_float32_gradient(loss, kind):
    X32 = X.astype(np.float32)
    Xin = sparse.csr_matrix(X32) if kind == "csr" else X32
    obj32 = make(loss, "l2", True, SW.astype(np.float32), X=Xin)
    obj64 = make(loss, "l2", True, SW, X=X)
    P = obj32.init_params()
    assert P.dtype == np.float32
    P += np.random.RandomState(20).randn(*obj32.shape).astype(np.float32)
    value, grad = obj32.value_and_grad(P)
    assert grad.dtype == np.float32
    v64, g64 = obj64.value_and_grad(P.astype(np.float64))
    assert value == pytest.approx(v64, rel=1e-5)
    np.testing.assert_allclose(grad, g64, rtol=1e-3, atol=1e-5)
    assert obj32.value_and_grad(P, np.array([0, 1, 2]))[1].dtype == np.float32
    assert obj32.project(P.copy()).dtype == np.float32


# -- smoothness ----------------------------------------------------------------


def second_moment_matrix(Xd, sw, fit_intercept):
    n = Xd.shape[0]
    Xt = np.hstack([Xd, np.ones((n, 1))]) if fit_intercept else Xd
    w = np.ones(n) if sw is None else sw
    return (Xt * w[:, None]).T @ Xt / w.sum()


@pytest.mark.parametrize("centered", [False, True], ids=["raw", "standardized"])
def test_lanczos_top_eigenvalue_without_a_spectral_gap(centered):
    # Gaussian rows in many dimensions: the top of the spectrum is a continuum
    # (Marchenko-Pastur), the slowest case for Krylov methods. The default 8
    # steps must still land within 3% below the top eigenvalue.
    rng = np.random.default_rng(0)
    Xg = rng.normal(size=(1500, 400)) + (0.0 if centered else 0.2)
    if centered:
        Xg = (Xg - Xg.mean(axis=0)) / Xg.std(axis=0)
    obj = LinearObjective(Xg, np.arange(1500) % 3, 3, SoftmaxCrossEntropy(), L2(0.1))
    top = np.linalg.eigvalsh(second_moment_matrix(Xg, None, True))[-1]
    assert top * 0.97 <= obj.max_eigenvalue() <= top * (1 + 1e-12)


@pytest.mark.parametrize("fmt", ["csr", "csr-duplicates"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_sparse_column_moments_equal_the_dense_ones(fmt, weighted):
    # Sparse moments are summed by column index over the stored entries, block
    # by block of rows (several blocks here); duplicate entries of a
    # non-canonical CSR matrix add up, as in its dense form.
    rng = np.random.default_rng(3)
    n = 40 * objective_module._MOMENT_MIN_ROWS
    Xs = sparse.random(n, 30, density=0.1, random_state=4, format="csr", dtype=np.float32)
    if fmt == "csr-duplicates":
        coo = Xs.tocoo()
        Xs = sparse.csr_matrix((np.concatenate([coo.data, coo.data[:50]]),
                                (np.concatenate([coo.row, coo.row[:50]]),
                                 np.concatenate([coo.col, coo.col[:50]]))), shape=Xs.shape)
        Xs.has_canonical_format = False
    dense = Xs.toarray().astype(np.float64)
    y = np.arange(n) % 3
    sw = rng.uniform(0.5, 2, size=n).astype(np.float32) if weighted else None
    obj = LinearObjective(Xs, y, 3, SoftmaxCrossEntropy(), L2(0.1), sample_weight=sw)
    w = np.ones(n) if sw is None else sw.astype(np.float64)
    np.testing.assert_allclose(obj.second_moments()[:-1], w @ dense**2 / w.sum(), rtol=1e-6)
    np.testing.assert_allclose(obj.mean_row(), w @ dense / w.sum(), rtol=1e-6)
    assert obj.second_moments()[-1] == 1.0
    # On every third row (as the dense steps' constants are estimated).
    moments, mean_row = obj._column_moments(stride=3)
    w3, dense3 = w[::3], dense[::3]
    np.testing.assert_allclose(moments[:-1], w3 @ dense3**2 / w3.sum(), rtol=1e-6)
    np.testing.assert_allclose(mean_row, w3 @ dense3 / w3.sum(), rtol=1e-6)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
@pytest.mark.parametrize("scales", [[1.0, 2.0, 3.0, 0.5, 10.0], [1.0, 1.0, 1.0, 1.0, 1.0]],
                         ids=["one-large-feature", "close-eigenvalues"])
def test_smoothness_against_the_second_moment_matrix(loss, fit_intercept, weighted, scales):
    Xs = X * np.array(scales)
    sw = SW if weighted else None
    obj = make(loss, L2(0.1), fit_intercept, sw, X=Xs)
    M = second_moment_matrix(Xs, sw, fit_intercept)
    eigs = np.linalg.eigvalsh(M)
    top, trace = eigs[-1], np.trace(M)
    # Lanczos: within a few percent, and never above the truth.
    assert obj.max_eigenvalue() == pytest.approx(top, rel=0.03)
    assert obj.max_eigenvalue() <= top * (1 + 1e-12)
    # The trace bound.
    assert obj.mean_squared_norm() == pytest.approx(trace, rel=1e-12)
    assert obj.mean_squared_norm() >= obj.max_eigenvalue()
    moments = obj.second_moments()
    assert moments.shape == (P_FEAT + 1,)
    np.testing.assert_allclose(moments[:-1], np.diag(M)[:P_FEAT], rtol=1e-12)
    assert moments[-1] == float(fit_intercept)
    # smoothness: the features' block, the intercept's column of ones scaled
    # by sqrt(r), r the intercept's step ratio, and their coupling.
    c = 1.0 if loss == "hinge" else 0.5
    S = second_moment_matrix(Xs, sw, False)
    lam_s = obj.max_eigenvalue(intercept=False)
    assert lam_s == pytest.approx(np.linalg.eigvalsh(S)[-1], rel=0.03)
    assert lam_s <= np.linalg.eigvalsh(S)[-1] * (1 + 1e-12)
    w = np.ones(N) if sw is None else sw
    mean_row = w @ Xs / w.sum()
    np.testing.assert_allclose(obj.mean_row(), mean_row, rtol=1e-12)
    t, m2 = np.trace(S), mean_row @ mean_row
    for b in (None, N, 10 * N, 1, 7):
        g, f = (1.0, 0.0) if b is None or b >= N else (
            N * (b - 1) / (b * (N - 1)), (N - b) / (b * (N - 1)))
        A = c * (g * lam_s + f * t) + 0.2
        C2 = m2 + f * (t - m2)
        r = 0.11 * A**2 / (c * (0.1 * A + c * C2)) if fit_intercept else 0.0
        assert obj.intercept_step_ratio(b) == pytest.approx(r, rel=1e-12)
        top = np.linalg.eigvalsh([[A, c * np.sqrt(r * C2)], [c * np.sqrt(r * C2), c * r]])[-1]
        assert obj.smoothness(b) == pytest.approx(top, rel=1e-10)
        # Within 1.1 times the weights' own constant.
        assert A * (1 - 1e-12) <= obj.smoothness(b) <= 1.1 * A * (1 + 1e-12)
    # For the full batch, L bounds the true Hessian bound in the metric of
    # the steps (up to the Lanczos estimate's 3%): c times the top eigenvalue
    # of the second moments with the column of ones scaled by sqrt(r), plus
    # the penalty's curvature on W.
    r = obj.intercept_step_ratio()
    Xr = np.hstack([Xs, np.full((N, 1), np.sqrt(r))])
    H = c * (Xr * w[:, None]).T @ Xr / w.sum()
    H[:-1, :-1] += 0.2 * np.eye(P_FEAT)
    assert obj.smoothness() >= 0.97 * np.linalg.eigvalsh(H)[-1]
    assert obj.smoothness(N) == obj.smoothness()
    assert obj.smoothness(10 * N) == obj.smoothness()
    # Smaller batches need smaller steps.
    assert obj.smoothness(1) * (1 + 1e-12) >= obj.smoothness(7)
    assert obj.smoothness(7) * (1 + 1e-12) >= obj.smoothness()


def test_smoothness_float32_and_no_penalty():
    X32 = (X * np.array([1.0, 2.0, 3.0, 0.5, 10.0])).astype(np.float32)
    obj = make("softmax", NoPenalty(), True, None, X=X32)
    M = second_moment_matrix(X32.astype(np.float64), None, True)
    top = np.linalg.eigvalsh(M)[-1]
    assert obj.max_eigenvalue() == pytest.approx(top, rel=0.03)
    assert obj.max_eigenvalue(intercept=False) <= obj.max_eigenvalue()
    # Features far stiffer than the intercept's column: the intercept takes a
    # larger step, and the weights one within 10% of their own.
    assert obj.intercept_step_ratio() > 1
    weights = 0.5 * obj.max_eigenvalue(intercept=False)
    assert weights <= obj.smoothness() <= 1.1 * weights * (1 + 1e-12)


def test_softmax_curvature_bounds_the_true_smoothness():
    # The Hessian of the softmax objective never exceeds 0.5 * lambda_max(M):
    # check that a gradient difference over a random segment respects it.
    obj = make("softmax", NoPenalty(), True, SW)
    L = 0.5 * np.linalg.eigvalsh(second_moment_matrix(X, SW, True))[-1]
    rng = np.random.RandomState(21)
    for _ in range(5):
        P, Q = rng.randn(*obj.shape), rng.randn(*obj.shape)
        gP, gQ = obj.value_and_grad(P)[1], obj.value_and_grad(Q)[1]
        assert np.linalg.norm(gP - gQ) <= L * np.linalg.norm(P - Q) * (1 + 1e-9)


def test_max_eigenvalue_when_the_rows_sum_to_zero():
    # Two opposite features (x, -x), no intercept: the all-ones start of the
    # power iteration is orthogonal to the top eigenvector. The largest
    # eigenvalue of M = X^T X / n is 2 * mean(x ** 2) = 7.5, not 0.
    x = np.array([1.0, 2.0, -1.0, 3.0])
    Xo = np.c_[x, -x]
    obj = make("softmax", L2(0.01), False, X=Xo, y=np.array([0, 1, 0, 1]), n_classes=2)
    top = np.linalg.eigvalsh(Xo.T @ Xo / 4)[-1]
    assert top == pytest.approx(7.5)
    assert obj.max_eigenvalue() == pytest.approx(top, rel=0.03)
    assert obj.smoothness() == pytest.approx(0.5 * top + 0.02, rel=0.03)


def test_proximal_gradient_leaves_out_the_l1_part():
    from sklinear_sgd.penalties import ElasticNet

    obj = LinearObjective(X, Y, C, SoftmaxCrossEntropy(), ElasticNet(0.2, 0.5))
    P = np.random.RandomState(3).randn(*obj.shape)
    full = obj.value_and_grad(P)[1]
    smooth = obj.value_and_grad(P, proximal=True)[1]
    np.testing.assert_allclose(full[:, :-1] - smooth[:, :-1], 0.1 * np.sign(P[:, :-1]))
    np.testing.assert_array_equal(full[:, -1], smooth[:, -1])
    proxed = obj.prox(P.copy(), step=1.0)
    np.testing.assert_allclose(
        proxed[:, :-1], np.sign(P[:, :-1]) * np.maximum(np.abs(P[:, :-1]) - 0.1, 0)
    )


def test_accuracy_counts_weighted_hits():
    obj = make(sample_weight=SW)
    P = np.random.RandomState(4).randn(*obj.shape)
    hits = (X @ P[:, :-1].T + P[:, -1]).argmax(axis=1) == Y
    assert obj.accuracy(P) == pytest.approx(hits @ SW / SW.sum())


def test_smoothness_of_a_batch_lies_between_one_row_and_the_full_set():
    obj = make()
    full, single = obj.smoothness(), obj.smoothness(batch_size=1)
    # One row: the weights' constant is c times the features' mean squared
    # norm (plus the penalty's), and L stays within 1.1 times it.
    weights = 0.5 * (obj.mean_squared_norm() - 1) + 2 * 0.1
    assert weights <= single <= 1.1 * weights * (1 + 1e-12)
    assert full < obj.smoothness(batch_size=8) < single
    assert obj.smoothness(batch_size=10 * N) == full


def test_minibatch_steps_estimate_their_constants_on_every_kth_row():
    # 17,000 dense rows and batches of 256: every 4th row (at least 4,096 rows
    # and 16 batches); full batches and sparse data use every row.
    rng = np.random.default_rng(0)
    Xl = rng.normal(size=(17000, 20)) * np.linspace(0.5, 2, 20) + 0.3
    yl = np.arange(17000) % 3
    obj = LinearObjective(Xl, yl, 3, SoftmaxCrossEntropy(), L2(0.1))
    assert obj._stride(256) == 4
    assert obj._stride(1024) == 1  # 16 batches of 1,024 rows need every row
    assert obj._stride(None) == obj._stride(17000) == 1
    part = Xl[::4]
    top = np.linalg.eigvalsh(part.T @ part / len(part))[-1]
    lam = obj.max_eigenvalue(intercept=False, stride=4)
    assert top * 0.97 <= lam <= top * (1 + 1e-12)
    n, b = 17000, 256
    # The mean squared norm and the mean row come from the same rows.
    t = np.mean(np.sum(part**2, axis=1))
    m = part.mean(axis=0)
    assert np.sum(obj._column_moments(4)[0][:-1]) == pytest.approx(t, rel=1e-12)
    np.testing.assert_allclose(obj._column_moments(4)[1], m, rtol=1e-12)
    assert t != pytest.approx(np.mean(np.sum(Xl**2, axis=1)), rel=1e-6)
    g, f = n * (b - 1) / (b * (n - 1)), (n - b) / (b * (n - 1))
    weights = 0.5 * (g * lam + f * t) + 0.2
    coupling2 = m @ m + f * (t - m @ m)
    smooth = obj.smoothness(256)
    assert weights <= smooth <= 1.1 * weights * (1 + 1e-12)
    # The intercept's ratio r from the same constants (see intercept_step_ratio).
    r = 0.11 * weights**2 / (0.5 * (0.1 * weights + 0.5 * coupling2))
    assert obj.intercept_step_ratio(256) == pytest.approx(r, rel=1e-12)
    csr = LinearObjective(sparse.csr_matrix(Xl), yl, 3, SoftmaxCrossEntropy(), L2(0.1))
    assert csr._stride(256) == 1
    # Weights that are 0 on every 4th row: every row is used.
    sw = np.ones(17000)
    sw[::4] = 0
    weighted = LinearObjective(Xl, yl, 3, SoftmaxCrossEntropy(), L2(0.1), sample_weight=sw)
    assert weighted._stride(256) == 1
    assert np.isfinite(weighted.smoothness(256))


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weights", ["unit", "weighted", "zero-block"])
def test_csr_full_batch_in_blocks_of_rows_equals_dense(loss, fit_intercept, weights):
    # Enough rows for several blocks (see _sparse_blocks); with "zero-block"
    # the first block weighs nothing and is left out.
    rng = np.random.RandomState(11)
    n = 3 * objective_module._BLOCK_MIN_ROWS + 17
    Xs = sparse.random(n, 40, density=0.05, random_state=rng, format="csr") * 2
    y = rng.randint(4, size=n)
    sw = None if weights == "unit" else rng.uniform(0.2, 2.0, size=n)
    if weights == "zero-block":
        sw[: objective_module._BLOCK_MIN_ROWS + 5] = 0.0
    csr = make(loss, "l2", fit_intercept, sw, X=Xs, y=y, n_classes=4)
    dense = make(loss, "l2", fit_intercept, sw, X=Xs.toarray(), y=y, n_classes=4)
    assert len(list(csr._sparse_blocks())) == (4 if weights != "zero-block" else 3)
    P = rng.randn(*csr.shape)
    v1, g1 = dense.value_and_grad(P)
    v2, g2 = csr.value_and_grad(P)
    assert v2 == pytest.approx(v1, rel=1e-13)
    np.testing.assert_allclose(g2, g1, rtol=1e-12, atol=1e-14)
    assert csr.value(P) == pytest.approx(dense.value(P), rel=1e-13)
    assert not np.shares_memory(g2, P)
    assert g2.flags.c_contiguous
    # Held as P.T (as gradient descent holds it on sparse data): the gradient
    # comes back in that layout.
    P_t = np.ascontiguousarray(P.T)
    v3, g3 = csr.value_and_grad(P_t.T)
    assert g3.T.flags.c_contiguous and not np.shares_memory(g3, P_t)
    assert v3 == pytest.approx(v1, rel=1e-13)
    np.testing.assert_allclose(g3, g1, rtol=1e-12, atol=1e-14)
    assert csr.value(P_t.T) == pytest.approx(dense.value(P), rel=1e-13)


def _dense_rows(block, n_columns):
    """The rows of a block for add_product, as a dense array."""
    if isinstance(block, _sparse.RowRanges):
        ranges, indices, data = block
        out = np.zeros((len(ranges) // 2, n_columns), dtype=data.dtype)
        for i in range(len(out)):
            entries = slice(ranges[2 * i], ranges[2 * i + 1])
            out[i, indices[entries]] = data[entries]
        return out
    return sparse.csr_matrix(block[::-1], shape=(len(block[0]) - 1, n_columns)).toarray()


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "fallback"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_batch_takes_the_rows(compiled, dtype, monkeypatch):
    # Rows 0 and 5 are empty. With the compiled routines an array of rows is
    # read where it is, in non-increasing order; without them it is gathered
    # in the given order. A slice gives views, in order.
    if not compiled:
        monkeypatch.setattr(_sparse, "_sparsetools", None)
    rng = np.random.RandomState(12)
    Xs = sparse.random(12, 30, density=0.2, random_state=rng, format="csr", dtype=dtype)
    Xs = sparse.csr_matrix(Xs.toarray() * (np.arange(12) % 5 != 0)[:, None])
    obj = make("softmax", "l2", True, SW[:12], X=Xs, y=np.arange(12) % 3)
    for rows in (np.array([7, 2, 9, 3]), np.array([4]), slice(2, 9), np.array([0, 5])):
        batch = obj.sparse_batch(rows)
        order = rows
        if compiled and not isinstance(rows, slice):
            assert isinstance(batch["rows"], _sparse.RowRanges)
            order = np.sort(rows)[::-1]
        else:
            assert not isinstance(batch["rows"], _sparse.RowRanges)
        np.testing.assert_array_equal(batch["y"], obj.y[order])
        np.testing.assert_array_equal(batch["sample_weight"], SW[:12][order])
        dense = _dense_rows(batch["rows"], 30)
        assert dense.dtype == dtype
        np.testing.assert_array_equal(dense, Xs[order].toarray())


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("weights", ["unit", "weighted", "zero batch"])
def test_sparse_batch_value_and_step_on_the_touched_columns(loss, weights):
    rng = np.random.RandomState(13)
    Xs = sparse.random(40, 30, density=0.15, random_state=rng, format="csr")
    y = rng.randint(3, size=40)
    rows = np.array([3, 17, 8, 25, 31])
    sw = None if weights == "unit" else rng.uniform(0.5, 2.0, size=40)
    if weights == "zero batch":
        sw[rows] = 0.0
    obj = make(loss, "l2", True, sw, X=Xs, y=y, n_classes=3)
    P = rng.randn(*obj.shape)
    scale = 0.7
    V = np.ascontiguousarray(P[:, :-1].T) / scale  # W.T / scale
    batch = obj.sparse_batch(rows)
    before = V.copy()
    value, grad_b = obj.sparse_batch_value(batch, V, P[:, -1], scale)
    np.testing.assert_array_equal(V, before)
    # Against the data term on the same rows (value_and_grad with a zero penalty).
    data = make(loss, "none", True, sw, X=Xs, y=y, n_classes=3)
    expected_value, expected = data.value_and_grad(P, rows)
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(grad_b, expected[:, -1], rtol=1e-12, atol=1e-14)
    # The step goes into the touched rows of V, and only there.
    obj.add_sparse_step(batch, V, -0.3)
    np.testing.assert_allclose(V, before - 0.3 * expected[:, :-1].T, rtol=1e-12, atol=1e-14)
    untouched = np.setdiff1d(np.arange(30), Xs[rows].indices)
    np.testing.assert_array_equal(V[untouched], before[untouched])
    if weights != "zero batch":
        assert np.any(V != before)
    # The step used up the batch's gradient.
    after = V.copy()
    obj.add_sparse_step(batch, V, -0.3)
    np.testing.assert_array_equal(V, after)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
@pytest.mark.parametrize("kind", ["dense", "fortran", "csr"])
def test_rows_of_x_give_the_objective_of_their_copy(loss, fit_intercept, weighted, kind,
                                                    monkeypatch):
    # Blocks of 4 rows, so that every full pass over the rows runs several.
    monkeypatch.setattr(objective_module, "_BLOCK_MIN_ROWS", 4)
    rng = np.random.RandomState(21)
    Xf = X.copy()
    Xf[np.abs(Xf) < 0.5] = 0.0
    Xs = {"dense": Xf, "fortran": np.asfortranarray(Xf), "csr": sparse.csr_matrix(Xf)}[kind]
    rows = rng.permutation(N)[:23]  # in no particular order
    sw = SW[rows] if weighted else None
    copy = make(loss, "l2", fit_intercept, sw, X=Xs[rows], y=Y[rows])
    view = LinearObjective(Xs, Y[rows], C, LOSSES[loss](), L2(0.1),
                           fit_intercept=fit_intercept, sample_weight=sw, rows=rows)
    assert view.n_samples == copy.n_samples == 23
    assert view.shape == copy.shape
    P = rng.randn(*copy.shape)
    assert view.value(P) == pytest.approx(copy.value(P), rel=1e-12)
    for batch in (None, np.array([3, 0, 17, 9, 22]), slice(5, 14)):
        value, grad = view.value_and_grad(P, batch)
        expected_value, expected = copy.value_and_grad(P, batch)
        assert value == pytest.approx(expected_value, rel=1e-12)
        np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-14)
        if batch is not None:
            assert view.value(P, batch) == pytest.approx(copy.value(P, batch), rel=1e-12)
            P_t = np.array(P.T, order="C")
            out, expected_out = np.empty_like(P_t), np.empty_like(P_t)
            assert view.minibatch_value_and_grad(P_t, batch, out) == pytest.approx(
                copy.minibatch_value_and_grad(P_t, batch, expected_out), rel=1e-12)
            np.testing.assert_allclose(out, expected_out, rtol=1e-12, atol=1e-14)
    if kind == "csr":
        for batch in (np.array([3, 0, 17, 9, 22]), slice(5, 14)):
            coef_t = np.array(P[:, :-1].T, order="C")
            got, expected = coef_t.copy(), coef_t.copy()
            a, b = view.sparse_batch(batch), copy.sparse_batch(batch)
            value, grad_b = view.sparse_batch_value(a, got, P[:, -1])
            expected_value, expected_grad_b = copy.sparse_batch_value(b, expected, P[:, -1])
            assert value == pytest.approx(expected_value, rel=1e-12)
            np.testing.assert_allclose(grad_b, expected_grad_b, rtol=1e-12, atol=1e-14)
            view.add_sparse_step(a, got, 0.5)
            copy.add_sparse_step(b, expected, 0.5)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert view.accuracy(P) == pytest.approx(copy.accuracy(P), rel=1e-12)
    candidates = rng.randn(4, *copy.shape)
    np.testing.assert_allclose(view.values(candidates), copy.values(candidates), rtol=1e-12)
    np.testing.assert_allclose(view.second_moments(), copy.second_moments(), rtol=1e-12)
    np.testing.assert_allclose(view.mean_row(), copy.mean_row(), rtol=1e-12, atol=1e-15)
    for stride in (1, 3):
        assert view.max_eigenvalue(stride=stride) == pytest.approx(
            copy.max_eigenvalue(stride=stride), rel=1e-10)
        for got, expected in zip(view._column_moments(stride), copy._column_moments(stride)):
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    for batch_size in (None, 4):
        assert view.smoothness(batch_size) == pytest.approx(copy.smoothness(batch_size),
                                                            rel=1e-10)
        assert view.intercept_step_ratio(batch_size) == pytest.approx(
            copy.intercept_step_ratio(batch_size), rel=1e-10)


def test_rows_of_x_are_read_where_they_are(monkeypatch):
    monkeypatch.setattr(objective_module, "_BLOCK_MIN_ROWS", 4)
    Xr = X.copy()
    Xr.setflags(write=False)
    rows = np.arange(0, N, 2)
    obj = LinearObjective(Xr, Y[rows], C, SoftmaxCrossEntropy(), L2(0.1), rows=rows)
    assert obj.X is Xr
    P = np.random.RandomState(3).randn(*obj.shape)
    obj.value_and_grad(P)
    obj.accuracy(P)
    obj.smoothness(4)
    np.testing.assert_array_equal(Xr, X)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_hinge_gap_estimate_reads_sparse_rows_weights_and_subsets(fit_intercept):
    # The least-norm subgradient of the hinge's gap estimate (see
    # LinearObjective._kink_estimate) on CSR rows, on weighted rows and on
    # rows of a larger X is the one of the same data held densely, repeated
    # and taken out; near the optimum, where terms sit near their kinks.
    from sklinear_sgd import SVMClassifier

    clf = SVMClassifier(alpha=0.1, optimizer="gd", max_iter=300, tol=None,
                        fit_intercept=fit_intercept).fit(X, Y)
    P = clf._params(X.dtype)
    deltas = [1e-1, 1e-2, 1e-4]

    def estimates(obj):
        m = obj.strong_convexity()
        return obj._kink_estimate(P, m, deltas), obj.suboptimality(P)

    dense = make("hinge", fit_intercept=fit_intercept)
    expected = estimates(dense)
    assert 0 < expected[1] <= expected[0] < 1e-2 * dense.value(P)
    rng = np.random.RandomState(3)
    same = [
        make("hinge", fit_intercept=fit_intercept, X=sparse.csr_matrix(X)),
        LinearObjective(np.vstack([X, rng.randn(7, P_FEAT)]), Y, C, MulticlassHinge(),
                        L2(0.1), fit_intercept=fit_intercept, rows=np.arange(N)),
    ]
    for obj in same:
        np.testing.assert_allclose(estimates(obj), expected, rtol=1e-9)
    counts = np.arange(N) % 3
    weighted = make("hinge", fit_intercept=fit_intercept,
                    sample_weight=counts.astype(float))
    repeated = make("hinge", fit_intercept=fit_intercept,
                    X=np.repeat(X, counts, axis=0), y=np.repeat(Y, counts))
    np.testing.assert_allclose(estimates(weighted), estimates(repeated), rtol=1e-9)


@pytest.mark.parametrize("penalty", [L2(0.1), ElasticNet(0.1, 0.5)])
def test_hinge_gap_estimate_without_terms_near_their_kinks(penalty):
    # At W = 0 every margin is the margin 1: no term is within the widths of
    # the estimate (an empty set of free terms; scikit-learn's common checks
    # met it, in a fit whose weights leave only one class).
    obj = make("hinge", penalty=penalty)
    P = obj.init_params()
    assert obj._kink_estimate(P, obj.strong_convexity(), [1e-1, 1e-4]) > 0
    assert 0 < obj.suboptimality(P) <= obj.value(P)
