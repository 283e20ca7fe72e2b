"""RandomSearch, GradientDescent and SGD driven directly on a LinearObjective."""

import copy

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone

from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.optimizers import (
    SGD, Adam, GradientDescent, Iterate, RandomSearch, get_optimizer,
)
from sklinear_sgd.penalties import L1, L2, ElasticNet, NoPenalty


def blobs(n=90, n_features=4, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    centers = rng.randn(n_classes, n_features) * 2
    y = np.arange(n) % n_classes
    X = centers[y] + rng.randn(n, n_features)
    return X, y


X, Y = blobs()
SW = np.random.RandomState(1).rand(len(Y)) + 0.5


def make(loss=None, penalty=None, X=X, y=Y, n_classes=3, fit_intercept=True, sample_weight=None):
    return LinearObjective(X, y, n_classes, loss or SoftmaxCrossEntropy(),
                           penalty if penalty is not None else L2(0.01),
                           fit_intercept=fit_intercept, sample_weight=sample_weight)


def auto_step(obj, batch_size=None, momentum=0.0):
    """The steps of learning_rate='auto', one per column of the parameters."""
    step = np.full(obj.shape[1], (1 - momentum) / obj.smoothness(batch_size))
    step[-1] *= obj.intercept_step_ratio(batch_size)
    return step


def run(optimizer, obj, max_iter, seed=0, params=None):
    params = obj.init_params() if params is None else params
    state = optimizer.init_state(obj, seed)
    return list(optimizer.iterate(obj, params, state, max_iter))


# exact_objective: the protocol says an iterate's value is the objective at its
# params; the default running estimate of minibatch epochs is tested below.
OPTIMIZERS = [RandomSearch(), GradientDescent(), SGD(batch_size=16, exact_objective=True),
              SGD(batch_size=16, momentum=0.9, nesterov=True, exact_objective=True)]
OPT_IDS = ["random_search", "gd", "sgd", "sgd-nesterov"]


# -- the protocol --------------------------------------------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=OPT_IDS)
@pytest.mark.parametrize("max_iter", [1, 7])
def test_yields_exactly_max_iter_iterates_with_n_iter_counting(optimizer, max_iter):
    obj = make()
    state = optimizer.init_state(obj, 0)
    assert state["n_iter"] == 0
    counts = []
    for it in optimizer.iterate(obj, obj.init_params(), state, max_iter):
        assert isinstance(it, Iterate)
        counts.append(it.state["n_iter"])
        assert it.params.shape == obj.shape
        assert it.value == pytest.approx(obj.value(it.params), rel=1e-10)
    assert counts == list(range(1, max_iter + 1))


@pytest.mark.parametrize("shuffle", ["rows", "batches"])
@pytest.mark.parametrize("weighted", [False, True])
def test_minibatch_epoch_by_hand(shuffle, weighted):
    # One epoch of plain SGD written out: the batches a fresh permutation of
    # the rows (or of contiguous blocks), each step along the batch gradient,
    # and the value reported the running mean of the batches' data terms plus
    # the penalty at the end.
    sw = np.random.default_rng(3).uniform(0.5, 2, size=len(Y)) if weighted else None
    obj = make(sample_weight=sw)
    sgd = SGD(batch_size=16, shuffle=shuffle)
    [it] = run(sgd, obj, 1, seed=4)
    rng = np.random.RandomState(4)
    n, lr = len(Y), auto_step(obj, 16)
    if shuffle == "rows":
        order = rng.permutation(n)
        batches = [order[i : i + 16] for i in range(0, n, 16)]
    else:
        blocks = [np.arange(i, min(i + 16, n)) for i in range(0, n, 16)]
        batches = [blocks[i] for i in rng.permutation(len(blocks))]
    P, total = obj.init_params(), 0.0
    for rows in batches:
        value, grad = obj.value_and_grad(P, rows)
        total += (value - obj.penalty.value(P[:, :-1])) * len(rows)
        P = obj.project(P - lr * grad)
    np.testing.assert_allclose(it.params, P, rtol=1e-12, atol=1e-14)
    assert it.value == pytest.approx(total / n + obj.penalty.value(P[:, :-1]), rel=1e-12)
    assert sorted(np.concatenate(batches)) == list(range(n))


@pytest.mark.parametrize(
    "optimizer, penalty, n_classes",
    [(SGD(batch_size=16, momentum=0.8, schedule="constant"), L2(0.01), 3),
     (SGD(batch_size=16, momentum=0.8, nesterov=True, schedule="constant"), L2(0.01), 3),
     (SGD(batch_size=16, momentum=0.8, schedule="constant"), L1(0.01), 2),
     (SGD(batch_size=16, schedule="constant"), ElasticNet(0.02, 0.5), 3),
     (Adam(learning_rate=0.05, batch_size=16, schedule="constant"), L2(0.01), 3)],
    ids=["momentum", "nesterov", "momentum-l1-binary", "plain-elasticnet", "adam"],
)
def test_minibatch_epochs_by_hand_with_every_rule(optimizer, penalty, n_classes):
    # The steps of every rule, each followed by its proximal step and the
    # projection; rules whose directions are sums of gradients project the
    # start and then once an epoch instead, which must give the same iterates
    # up to rounding. With a smooth penalty the start is off the subspace
    # (where the projection is what tells the two apart; an L1 step would not
    # commute with it).
    y = Y % n_classes
    obj = make(penalty=penalty, y=y, n_classes=n_classes)
    start = obj.init_params()
    if penalty.smooth:
        start = np.random.RandomState(6).randn(*obj.shape)
    got = run(optimizer, obj, 2, seed=5, params=start)
    rng = np.random.RandomState(5)
    lr = auto_step(obj, 16, optimizer.momentum) if isinstance(optimizer, SGD) else 0.05
    rule = optimizer._rule()
    P, rule_state = start, rule.init(start)
    for it in got:
        order = rng.permutation(len(y))
        for first in range(0, len(y), 16):
            grad = obj.value_and_grad(P, order[first : first + 16], proximal=True)[1]
            P = P - lr * rule.direction(grad, rule_state)
            P = obj.project(obj.prox(P, lr * rule.scale(rule_state)))
        np.testing.assert_allclose(it.params, P, rtol=1e-10, atol=1e-13)
        if isinstance(penalty, L1):
            np.testing.assert_array_equal(it.params == 0, P == 0)


def test_running_objective_tracks_the_exact_one():
    obj = make()
    running = run(SGD(batch_size=16), obj, 30)
    exact = run(SGD(batch_size=16, exact_objective=True), obj, 30)
    # The same steps; only what is reported differs.
    np.testing.assert_array_equal(running[-1].params, exact[-1].params)
    # The running mean lags the exact value by part of an epoch of progress.
    assert running[0].value > exact[0].value
    assert running[-1].value == pytest.approx(exact[-1].value, rel=0.05)


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=OPT_IDS)
def test_zero_iterations_yield_nothing(optimizer):
    assert run(optimizer, make(), 0) == []


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=OPT_IDS)
def test_collected_iterates_keep_their_own_state(optimizer):
    # Each iterate carries the state after its own iteration ("plain data,
    # enough to resume"): collecting the iterates must not leave every one of
    # them holding the state of the last.
    iterates = run(optimizer, make(), 4)
    assert [it.state["n_iter"] for it in iterates] == [1, 2, 3, 4]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=OPT_IDS)
def test_does_not_modify_the_params_or_state_passed_in(optimizer):
    obj = make()
    params = obj.init_params() + 0.05
    params_before = params.copy()
    state = optimizer.init_state(obj, 0)
    state_before = copy.deepcopy(state)
    iterates = run_from(optimizer, obj, params, state, 5)
    np.testing.assert_array_equal(params, params_before)
    assert_same_state(state, state_before)
    # A state handed back in (as partial_fit does) is not modified either.
    resumed = copy.deepcopy(iterates[-1].state)
    resumed_before = copy.deepcopy(resumed)
    last = iterates[-1].params.copy()
    run_from(optimizer, obj, last, resumed, 3)
    assert_same_state(resumed, resumed_before)
    np.testing.assert_array_equal(last, iterates[-1].params)
    # Neither are the yielded params of earlier iterates.
    snapshot = [it.params.copy() for it in iterates]
    run_from(optimizer, obj, iterates[-1].params, resumed, 2)
    for it, p in zip(iterates, snapshot):
        np.testing.assert_array_equal(it.params, p)


def run_from(optimizer, obj, params, state, max_iter):
    out = []
    for it in optimizer.iterate(obj, params, state, max_iter):
        out.append(Iterate(it.params.copy(), it.value, copy.deepcopy(it.state), it.info))
    return out


def assert_same_state(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.random.RandomState):
            sa, sb = a[key].get_state(), b[key].get_state()
            assert sa[0] == sb[0]
            np.testing.assert_array_equal(sa[1], sb[1])
            assert sa[2:] == sb[2:]
        elif isinstance(a[key], dict):
            assert_same_state(a[key], b[key])
        elif isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] == b[key]


@pytest.mark.parametrize("optimizer", [GradientDescent(), SGD(batch_size=16, momentum=0.5)],
                         ids=["gd", "sgd-momentum"])
def test_resuming_from_the_last_state_continues_the_run(optimizer):
    obj = make()
    straight = run(optimizer, obj, 6, seed=3)
    first = run_from(optimizer, obj, obj.init_params(), optimizer.init_state(obj, 3), 3)
    second = run_from(optimizer, obj, first[-1].params, first[-1].state, 3)
    assert second[-1].state["n_iter"] == 6
    for a, b in zip(straight, first + second):
        np.testing.assert_allclose(a.params, b.params, rtol=1e-12, atol=1e-15)


# -- gradient descent ----------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
def test_gd_auto_step_lowers_the_smooth_objective_monotonically(fit_intercept, weighted):
    Xs = X * np.array([1.0, 5.0, 0.2, 30.0])  # unscaled features: 'auto' adapts
    obj = make(X=Xs, fit_intercept=fit_intercept, sample_weight=SW if weighted else None)
    start = obj.value(obj.init_params())
    values = [it.value for it in run(GradientDescent(), obj, 40)]
    assert values[0] < start
    assert np.all(np.diff(values) < 0)
    assert values[-1] < 0.9 * start


def test_gd_auto_step_on_opposite_features_without_intercept():
    # Features (x, -x): rows sum to 0. The objective is smooth with Lipschitz
    # constant 0.5 * 7.5 + 0.02; a step of 1 / L must lower it monotonically.
    x = np.array([1.0, 2.0, -1.0, 3.0])
    obj = make(X=np.c_[x, -x], y=np.array([0, 1, 0, 1]), n_classes=2, fit_intercept=False)
    start = obj.value(obj.init_params())
    values = [it.value for it in run(GradientDescent(), obj, 10)]
    assert values[0] < start
    assert np.all(np.diff(values) <= 1e-12)


def test_gd_auto_step_on_a_constant_objective():
    # All-zero features, no intercept, no penalty: the objective is log(3)
    # everywhere, every point is optimal; the 'auto' step must not crash.
    obj = make(X=np.zeros((6, 2)), y=np.arange(6) % 3, fit_intercept=False, penalty=NoPenalty())
    iterates = run(GradientDescent(), obj, 3)
    assert len(iterates) == 3
    for it in iterates:
        assert it.value == pytest.approx(np.log(3))
        assert np.all(np.isfinite(it.params))


def test_gd_takes_the_plain_full_batch_step():
    obj = make(sample_weight=SW)
    lr = 0.5 / obj.smoothness()
    got = [it.params for it in run(GradientDescent(learning_rate=lr), obj, 5)]
    P = obj.init_params()
    for expected in got:
        P = obj.project(P - lr * obj.value_and_grad(P)[1])
        np.testing.assert_allclose(expected, P, rtol=1e-12, atol=1e-15)
    # 'auto' is 1 / L.
    auto = [it.params for it in run(GradientDescent(), obj, 3)]
    P = obj.init_params()
    for expected in auto:
        P = obj.project(P - auto_step(obj) * obj.value_and_grad(P)[1])
        np.testing.assert_allclose(expected, P, rtol=1e-12, atol=1e-15)


def text_like(n=300, n_features=400, n_classes=4, seed=0):
    """Sparse non-negative rows of unit norm, like normalized word counts: the
    features' constant is far below the intercept column's 1."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % n_classes
    X = sparse.random(n, n_features, density=0.02, random_state=rng, format="csr")
    X = X + sparse.csr_matrix((np.ones(n), (np.arange(n), y * 10)), shape=X.shape)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    return sparse.csr_matrix(sparse.diags(1 / norms) @ X), y


@pytest.mark.parametrize("batch_size", [None, 32])
def test_auto_step_gives_the_intercept_its_own_step(batch_size):
    Xt, yt = text_like()
    obj = make(X=Xt, y=yt, n_classes=4, penalty=L2(1e-4))
    ratio = obj.intercept_step_ratio(batch_size)
    assert 0 < ratio < 0.2
    it = run(SGD(batch_size=batch_size), obj, 1)[0]
    assert it.info["learning_rate"] == pytest.approx(1 / obj.smoothness(batch_size))
    assert it.info["intercept_learning_rate"] == pytest.approx(ratio / obj.smoothness(batch_size))
    # Without an intercept, no intercept step; with features stiffer than the
    # ones column, a larger one.
    assert make(X=Xt, y=yt, n_classes=4, fit_intercept=False).intercept_step_ratio() == 0
    info = run(SGD(batch_size=batch_size), make(X=Xt, y=yt, n_classes=4, fit_intercept=False),
               1)[0].info
    assert "intercept_learning_rate" not in info
    assert make(X=X * 10).intercept_step_ratio(batch_size) > 10


@pytest.mark.parametrize("loss", [SoftmaxCrossEntropy(), MulticlassHinge()], ids=["softmax", "hinge"])
def test_gd_auto_steps_per_block_lower_the_objective_on_rows_of_small_norm(loss):
    Xt, yt = text_like()
    obj = make(loss=loss, X=Xt, y=yt, n_classes=4, penalty=L2(1e-4))
    start = obj.value(obj.init_params())
    values = [it.value for it in run(GradientDescent(), obj, 30)]
    if isinstance(loss, SoftmaxCrossEntropy):
        assert np.all(np.diff(values) < 0)
    assert values[-1] < 0.5 * start
    # The steps taken: 1 / L on W and r / L on the intercept.
    P = obj.init_params()
    step = np.full(obj.shape[1], 1 / obj.smoothness())
    step[-1] *= obj.intercept_step_ratio()
    P = obj.project(P - step * obj.value_and_grad(P)[1])
    np.testing.assert_allclose(run(GradientDescent(), obj, 1)[0].params, P, rtol=1e-6,
                               atol=1e-12)


def test_softmax_smoothness_bounds_the_gradient_in_the_metric_of_the_steps():
    # With steps D = diag(1, ..., 1, r) / L, the descent lemma needs
    # |D^(1/2) (g(P) - g(Q))| <= L |D^(-1/2) (P - Q)|. Segments mostly along
    # the intercept are the stiff ones: there one common step (r = 1) with
    # the same L would break the bound.
    Xt, yt = text_like()
    obj = make(X=Xt, y=yt, n_classes=4, penalty=L2(1e-4))
    L, r = obj.smoothness(), obj.intercept_step_ratio()
    rng = np.random.RandomState(3)
    worst = {}
    for ratio in (r, 1.0):
        d = np.ones(obj.shape[1])
        d[-1] = ratio
        worst[ratio] = 0.0
        for _ in range(10):
            P, Q = rng.randn(*obj.shape) * 0.1, rng.randn(*obj.shape) * 0.1
            P[:, :-1] *= 0.01
            Q[:, :-1] *= 0.01
            gP, gQ = obj.value_and_grad(P)[1], obj.value_and_grad(Q)[1]
            lhs = np.linalg.norm((gP - gQ) * np.sqrt(d))
            worst[ratio] = max(worst[ratio], lhs / np.linalg.norm((P - Q) / np.sqrt(d)))
    assert worst[r] <= L * (1 + 1e-9)
    assert worst[1.0] > L


# -- SGD -----------------------------------------------------------------------


@pytest.mark.parametrize("loss", [SoftmaxCrossEntropy(), MulticlassHinge()], ids=["softmax", "hinge"])
@pytest.mark.parametrize("batch_size", [None, 90, 1000])
def test_sgd_with_a_full_batch_is_the_full_batch_step(loss, batch_size):
    obj = make(loss=loss, sample_weight=SW)
    sgd = run(SGD(batch_size=batch_size), obj, 6, seed=0)
    gd = run(GradientDescent(), obj, 6, seed=1)
    for a, b in zip(sgd, gd):
        np.testing.assert_array_equal(a.params, b.params)
        assert a.value == b.value
    # With a fixed learning rate too.
    sgd = run(SGD(learning_rate=0.3, batch_size=batch_size), obj, 4)
    gd = run(GradientDescent(learning_rate=0.3), obj, 4)
    for a, b in zip(sgd, gd):
        np.testing.assert_array_equal(a.params, b.params)


def test_sgd_full_batch_draws_no_random_numbers():
    obj = make()
    a = run(SGD(batch_size=None), obj, 3, seed=0)[-1].params
    b = run(SGD(batch_size=None), obj, 3, seed=99)[-1].params
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nesterov", [False, True], ids=["heavy-ball", "nesterov"])
def test_full_batch_momentum_follows_its_update_rule(nesterov):
    obj = make()
    mu = 0.8
    got = [it.params for it in run(SGD(batch_size=None, momentum=mu, nesterov=nesterov), obj, 5)]
    lr = auto_step(obj, None, mu)
    P, v = obj.init_params(), np.zeros(obj.shape)
    for expected in got:
        g = obj.value_and_grad(P)[1]
        v = mu * v + g
        P = obj.project(P - lr * ((g + mu * v) if nesterov else v))
        np.testing.assert_allclose(expected, P, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize(
    "optimizer",
    [SGD(batch_size=16, momentum=0.9), SGD(batch_size=16, momentum=0.9, nesterov=True),
     SGD(batch_size=None, momentum=0.9), SGD(batch_size=None, momentum=0.9, nesterov=True),
     SGD(batch_size=16)],
    ids=["momentum", "nesterov", "full-momentum", "full-nesterov", "plain"],
)
def test_sgd_variants_decrease_the_objective(optimizer):
    obj = make()
    start = obj.value(obj.init_params())
    values = [it.value for it in run(optimizer, obj, 25)]
    assert values[-1] < 0.5 * start
    assert min(values) == pytest.approx(values[-1], rel=0.05)


def test_momentum_and_nesterov_change_the_iterates():
    obj = make()
    plain = run(SGD(batch_size=16), obj, 3)[-1].params
    heavy = run(SGD(batch_size=16, momentum=0.5), obj, 3)[-1].params
    nest = run(SGD(batch_size=16, momentum=0.5, nesterov=True), obj, 3)[-1].params
    assert not np.allclose(plain, heavy)
    assert not np.allclose(heavy, nest)


def test_sgd_hinge_decreases_the_objective():
    obj = make(loss=MulticlassHinge())
    start = obj.value(obj.init_params())
    values = [it.value for it in run(SGD(batch_size=16), obj, 20)]
    assert values[-1] < 0.5 * start


# -- random search -------------------------------------------------------------


def unit_rows_of_words(n=2000, d=3000, k=5, seed=0):
    """CSR rows of unit norm, 40 entries each, half of them in their class's
    block of columns: the safe step 1 / L is large, as on normalized text."""
    rng = np.random.RandomState(seed)
    y = rng.randint(k, size=n)
    own = rng.randint(d // k, size=(n, 20)) + (y * (d // k))[:, None]
    columns = np.concatenate([own, rng.randint(d, size=(n, 20))], axis=1)
    X = sparse.csr_matrix((rng.rand(n * 40), (np.repeat(np.arange(n), 40), columns.ravel())),
                          shape=(n, d))
    return X.multiply(1 / np.sqrt(X.multiply(X).sum(axis=1))).tocsr(), y


@pytest.mark.parametrize("loss", [SoftmaxCrossEntropy(), MulticlassHinge()],
                         ids=["softmax", "hinge"])
def test_sgd_auto_schedule_caps_the_step_at_the_strongly_convex_rate(loss):
    X, y = unit_rows_of_words()
    obj = LinearObjective(X, y, 5, loss, L2(1e-3))
    capped = run(SGD(batch_size=32), obj, 5)
    lr0, steps, mu = 1 / obj.smoothness(32), -(-len(y) // 32), 2e-3
    assert obj.strong_convexity() == pytest.approx(mu)
    for epoch, it in enumerate(capped):
        expected = lr0 * min(1 / np.sqrt(1 + epoch), 1 / (lr0 * mu * (1 + epoch * steps)))
        assert it.info["learning_rate"] == pytest.approx(expected, rel=1e-12)
    assert capped[1].info["learning_rate"] < lr0 / np.sqrt(2) / 1.5  # it binds
    # The shorter steps get closer to the minimum than 1 / sqrt(1 + epoch) alone.
    plain = run(SGD(batch_size=32, schedule="invscaling"), obj, 5)
    assert obj.value(capped[-1].params) < obj.value(plain[-1].params) - 0.02
    # With momentum the cap is on the steps' sum, lr / (1 - momentum).
    heavy = run(SGD(batch_size=32, momentum=0.5), obj, 2)
    assert heavy[1].info["learning_rate"] == pytest.approx(0.5 / (mu * (1 + steps)), rel=1e-12)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
def test_random_search_keeps_the_best_so_far(loss):
    obj = make(loss=loss, sample_weight=SW)
    start_params = obj.init_params() + 0.01
    iterates = run(RandomSearch(), obj, 300, params=start_params)  # more than a block of 256
    assert len(iterates) == 300
    values = np.array([it.value for it in iterates])
    assert np.all(np.diff(values) <= 0)
    candidates = np.array([it.info["candidate"] for it in iterates])
    best = np.minimum(obj.value(start_params), np.minimum.accumulate(candidates))
    np.testing.assert_allclose(values, best, rtol=1e-12)
    assert values[-1] < obj.value(start_params)
    for it in iterates[::7] + iterates[-1:]:
        assert it.value == pytest.approx(obj.value(it.params), rel=1e-10)
    assert not RandomSearch.converges


def test_random_search_fixed_scale_and_no_intercept():
    obj = make(fit_intercept=False)
    iterates = run(RandomSearch(scale=0.2), obj, 100)
    for it in iterates:
        np.testing.assert_array_equal(it.params[:, -1], 0.0)
        assert it.value == pytest.approx(obj.value(it.params), rel=1e-10)
    assert iterates[-1].value < obj.value(obj.init_params())


def test_random_search_tries_the_same_candidates_in_float32_and_float64():
    # The draws are float32 normals whatever the data, so a float32 fit scores
    # the candidates of the float64 fit, up to float32 rounding; within one
    # dtype the same seed gives the same iterates bit for bit.
    obj64 = make(loss=MulticlassHinge(), sample_weight=SW)
    obj32 = make(loss=MulticlassHinge(), X=X.astype(np.float32),
                 sample_weight=SW.astype(np.float32))
    a = run(RandomSearch(), obj64, 300, seed=3)
    b = run(RandomSearch(), obj32, 300, seed=3)
    assert a[-1].params.dtype == np.float64 and b[-1].params.dtype == np.float32
    np.testing.assert_allclose([it.info["candidate"] for it in b],
                               [it.info["candidate"] for it in a], rtol=1e-5)
    np.testing.assert_allclose(b[-1].params, a[-1].params, rtol=1e-5, atol=1e-6)
    again = run(RandomSearch(), obj32, 300, seed=3)
    for p, q in zip(b, again):
        np.testing.assert_array_equal(p.params, q.params)
        assert p.info["candidate"] == q.info["candidate"]


# -- determinism ---------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer",
    [RandomSearch(), SGD(batch_size=8), SGD(batch_size=8, momentum=0.9, nesterov=True),
     GradientDescent()],
    ids=["random_search", "sgd", "sgd-nesterov", "gd"],
)
def test_same_random_state_gives_bit_identical_iterates(optimizer):
    obj = make(sample_weight=SW)
    a = run(optimizer, obj, 6, seed=7)
    b = run(clone(optimizer), obj, 6, seed=7)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.params, q.params)
        assert p.value == q.value
    # A RandomState instance is as good as its seed.
    c = run(optimizer, obj, 6, seed=np.random.RandomState(7))
    for p, q in zip(a, c):
        np.testing.assert_array_equal(p.params, q.params)
    if not isinstance(optimizer, GradientDescent):
        d = run(optimizer, obj, 6, seed=8)
        assert not np.array_equal(a[-1].params, d[-1].params)


# -- construction and hyperparameters -----------------------------------------


def test_get_optimizer_by_name():
    assert type(get_optimizer("sgd")) is SGD
    assert type(get_optimizer("gd")) is GradientDescent
    assert type(get_optimizer("random_search")) is RandomSearch
    assert get_optimizer("sgd").get_params() == SGD().get_params()
    assert get_optimizer("sgd") is not get_optimizer("sgd")


def test_get_optimizer_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="Unknown optimizer 'newton'"):
        get_optimizer("newton")


def test_get_optimizer_clones_an_instance():
    mine = SGD(learning_rate=0.1, batch_size=8, momentum=0.5, nesterov=True)
    got = get_optimizer(mine)
    assert got is not mine
    assert type(got) is SGD
    assert got.get_params() == mine.get_params()
    got.set_params(batch_size=64)
    assert mine.batch_size == 8


def test_clone_get_params_set_params():
    sgd = SGD(learning_rate=0.2, batch_size=32, momentum=0.9, nesterov=True, schedule="constant")
    assert sgd.get_params() == {"learning_rate": 0.2, "batch_size": 32, "momentum": 0.9,
                                "nesterov": True, "schedule": "constant", "shuffle": "rows",
                                "exact_objective": False, "average": False}
    assert clone(sgd).get_params() == sgd.get_params()
    assert sgd.set_params(momentum=0.3) is sgd and sgd.momentum == 0.3
    assert GradientDescent().get_params() == {"learning_rate": "auto", "schedule": "auto"}
    assert GradientDescent(learning_rate=0.5).set_params(learning_rate=0.1).learning_rate == 0.1
    assert RandomSearch().get_params() == {"scale": "auto"}
    assert clone(RandomSearch(scale=0.01)).scale == 0.01
    assert "batch_size=32" in repr(sgd)
    with pytest.raises(ValueError):
        sgd.set_params(no_such_parameter=1)


def test_set_params_changes_the_run():
    obj = make()
    a = run(SGD(batch_size=16), obj, 2)[-1].params
    b = run(SGD(batch_size=16).set_params(batch_size=32), obj, 2)[-1].params
    c = run(SGD(batch_size=32), obj, 2)[-1].params
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(b, c)


@pytest.mark.parametrize(
    "optimizer, name",
    [
        (GradientDescent(learning_rate=-1.0), "learning_rate"),
        (GradientDescent(learning_rate=0.0), "learning_rate"),
        (GradientDescent(learning_rate="fast"), "learning_rate"),
        (SGD(learning_rate=-0.1), "learning_rate"),
        (SGD(batch_size=0), "batch_size"),
        (SGD(batch_size=-4), "batch_size"),
        (SGD(batch_size=2.5), "batch_size"),
        (SGD(momentum=1.0), "momentum"),
        (SGD(momentum=-0.1), "momentum"),
        (SGD(nesterov="yes"), "nesterov"),
        (RandomSearch(scale=-1.0), "scale"),
        (RandomSearch(scale=0.0), "scale"),
    ],
)
def test_invalid_hyperparameters_raise_at_init_state(optimizer, name):
    obj = make()
    with pytest.raises(ValueError, match=name):
        optimizer.init_state(obj, 0)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
@pytest.mark.parametrize("n_classes", [2, 4, 12])
@pytest.mark.parametrize("penalty", [L2(0.01), None], ids=["l2", "none"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("learning_rate", [0.5, "auto"])
def test_sparse_minibatch_steps_touch_columns_and_equal_dense_steps(
    loss, n_classes, penalty, fit_intercept, learning_rate
):
    # On CSR data, plain SGD updates only the columns a batch touches (with the
    # L2 shrinking as one scaling); the iterates must be the dense ones. 'auto'
    # gives the intercept its own step.
    rng = np.random.default_rng(0)
    X = sparse.random(300, 80, density=0.05, random_state=0, format="csr") * 3
    y = rng.integers(n_classes, size=300)
    sw = rng.uniform(0.5, 2, size=300)
    penalty = penalty if penalty is not None else NoPenalty()
    runs = []
    for data in (X, X.toarray()):
        obj = LinearObjective(data, y, n_classes, loss, penalty, fit_intercept=fit_intercept,
                              sample_weight=sw)
        assert obj.is_sparse == sparse.issparse(data)
        runs.append(run(SGD(batch_size=32, learning_rate=learning_rate), obj, 5))
    if learning_rate == "auto" and fit_intercept:
        assert runs[0][0].info["intercept_learning_rate"] != runs[0][0].info["learning_rate"]
    for lazy, dense in zip(*runs):
        np.testing.assert_allclose(lazy.params, dense.params, rtol=1e-12, atol=1e-14)
        assert lazy.value == pytest.approx(dense.value, rel=1e-12)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
def test_sparse_minibatch_steps_fold_a_vanishing_scale_and_equal_dense_steps(loss):
    # A strong L2 term shrinks W by 0.1 a step: the scale of the sparse steps
    # leaves (1e-6, 1e6) every 6 steps and is folded into the coefficients,
    # and the steps after it still equal the dense ones.
    X = sparse.random(300, 80, density=0.05, random_state=0, format="csr") * 3
    y = np.random.default_rng(5).integers(3, size=300)
    runs = []
    for data in (X, X.toarray()):
        obj = LinearObjective(data, y, 3, loss, L2(5.0))
        runs.append(run(SGD(batch_size=16, learning_rate=0.09), obj, 3))
    for lazy, dense in zip(*runs):
        np.testing.assert_allclose(lazy.params, dense.params, rtol=1e-10, atol=1e-14)
        assert lazy.value == pytest.approx(dense.value, rel=1e-10)
        assert np.any(lazy.params[:, :-1] != 0)


@pytest.mark.parametrize("optimizer", [SGD(batch_size=32), GradientDescent(),
                                       Adam(batch_size=32)], ids=["sgd", "gd", "adam"])
def test_released_iterates_may_be_reused_and_the_path_is_the_same(optimizer):
    # Asked for with next(), every iterate stays as it was (sparse plain SGD
    # and full-batch steps hand out their own parameters). Asked for with
    # send(True), the last one is released: they run the next epoch in its
    # memory, along the same path; Adam's minibatch steps ignore the release.
    X = sparse.random(300, 80, density=0.05, random_state=0, format="csr") * 3
    y = np.random.default_rng(0).integers(3, size=300)
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), L2(0.01))
    kept = run(optimizer, obj, 4)
    for a, b in zip(kept[:-1], kept[1:]):
        assert not np.shares_memory(a.params, b.params)
        assert np.any(a.params != b.params)
    iterates = optimizer.iterate(obj, obj.init_params(), optimizer.init_state(obj, 0), 4)
    previous = next(iterates)
    released = [previous.params.copy()]
    for _ in range(3):
        current = iterates.send(True)
        reused = np.shares_memory(current.params, previous.params)
        assert reused == (not isinstance(optimizer, Adam))
        released.append(current.params.copy())
        previous = current
    with pytest.raises(StopIteration):
        iterates.send(True)
    for a, b in zip(kept, released):
        np.testing.assert_array_equal(a.params, b)


@pytest.mark.parametrize("loss", [MulticlassHinge(), SoftmaxCrossEntropy()], ids=["hinge", "softmax"])
@pytest.mark.parametrize(
    "batch_size, shuffle", [(1, "rows"), (7, "rows"), (16, "batches")],
    ids=["one-row", "rows", "batches"],
)
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_sparse_minibatch_steps_with_empty_rows_equal_dense_steps(
    loss, batch_size, shuffle, weighted, fit_intercept
):
    # A third of the rows are empty, so some batches touch no column at all
    # (always with one-row batches); the iterates must be the dense ones.
    rng = np.random.default_rng(3)
    X = sparse.random(90, 40, density=0.08, random_state=1, format="csr").toarray() * 2
    X[rng.permutation(90)[:30]] = 0.0
    y = rng.integers(3, size=90)
    sw = rng.uniform(0.5, 2, size=90) if weighted else None
    runs = []
    for data in (sparse.csr_matrix(X), X):
        obj = LinearObjective(data, y, 3, loss, L2(0.01), fit_intercept=fit_intercept,
                              sample_weight=sw)
        runs.append(run(SGD(batch_size=batch_size, learning_rate=0.1, shuffle=shuffle),
                        obj, 3))
    for lazy, dense in zip(*runs):
        np.testing.assert_allclose(lazy.params, dense.params, rtol=1e-12, atol=1e-14)
        assert lazy.value == pytest.approx(dense.value, rel=1e-12)
        assert np.any(lazy.params[:, :-1] != 0)


def test_sparse_minibatch_steps_in_float32_follow_float64():
    # float32 CSR data train in float32 (no upcast), close to the float64 run.
    rng = np.random.default_rng(4)
    X = sparse.random(200, 60, density=0.05, random_state=2, format="csr") * 3
    y = rng.integers(4, size=200)
    runs = []
    for dtype in (np.float32, np.float64):
        obj = LinearObjective(X.astype(dtype), y, 4, SoftmaxCrossEntropy(), L2(0.01))
        runs.append(run(SGD(batch_size=32, learning_rate=0.5), obj, 3)[-1])
    assert runs[0].params.dtype == np.float32
    np.testing.assert_allclose(runs[0].params, runs[1].params, rtol=1e-4, atol=1e-5)


def test_sparse_minibatch_iterates_are_not_overwritten_by_later_epochs():
    # The sparse path hands out a new parameter array each epoch.
    X = sparse.random(100, 30, density=0.1, random_state=3, format="csr")
    y = np.arange(100) % 3
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), L2(0.01))
    iterates = run(SGD(batch_size=10, learning_rate=0.5), obj, 3)
    start = obj.init_params()
    again = run(SGD(batch_size=10, learning_rate=0.5), obj, 3, params=start)
    assert not np.any(start)  # the starting point is not written to
    for first, second in zip(iterates, again):
        np.testing.assert_array_equal(first.params, second.params)
    assert not np.array_equal(iterates[0].params, iterates[-1].params)


@pytest.mark.parametrize("lr", ["number", "weights-and-intercept", "every-column"])
def test_steps_times_a_direction_in_any_layout(lr):
    # The steps of learning_rate='auto' (one for the weights, one for the
    # intercept) take a faster path than numpy's broadcast; any other array of
    # steps is broadcast. All must give direction * lr, in P's layout or in the
    # transposed one of the minibatch steps.
    from sklinear_sgd.optimizers.gradient import _times_steps

    rng = np.random.default_rng(0)
    steps = {"number": np.float32(0.3),
             "weights-and-intercept": np.array([0.3] * 6 + [2.0], dtype=np.float32),
             "every-column": rng.uniform(0.1, 1, size=7).astype(np.float32)}[lr]
    for direction in (rng.normal(size=(4, 7)).astype(np.float32),
                      np.ascontiguousarray(rng.normal(size=(7, 4)).astype(np.float32)).T):
        expected = direction * steps
        out = np.empty_like(direction)
        _times_steps(direction, steps, out=out)
        np.testing.assert_array_equal(out, expected)
        _times_steps(direction, steps, out=direction)  # in place, as _step does
        np.testing.assert_array_equal(direction, expected)
