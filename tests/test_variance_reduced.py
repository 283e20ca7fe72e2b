"""SVRG: linear convergence, proximal steps, dtype, exact resumption, parameters."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import scale
from sklearn.utils._param_validation import InvalidParameterError

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.optimizers import OPTIMIZERS, SGD, SVRG, get_optimizer
from sklinear_sgd.penalties import L2, ElasticNet

LOADERS = {"iris": load_iris, "wine": load_wine}
DATA = {name: (scale(load(return_X_y=True)[0]), load(return_X_y=True)[1])
        for name, load in LOADERS.items()}
ALPHA = 1e-2


def fit(X, y, optimizer, max_iter, seed=0, **params):
    clf = SoftmaxClassifier(alpha=ALPHA, optimizer=optimizer, tol=None,
                            max_iter=max_iter, random_state=seed, **params)
    return clf.fit(X, y)


def reference_value(X, y, alpha=ALPHA):
    """The optimum of the softmax + L2 objective, from scikit-learn.

    ``LogisticRegression(C=1 / (2 alpha n))`` minimizes ``n`` times the same
    objective on three or more classes (DESIGN.md, "Cross-check"); its value
    is computed here with the package's objective.
    """
    lr = LogisticRegression(C=1 / (2 * alpha * len(y)), tol=1e-12, max_iter=10000)
    lr.fit(X, y)
    # Any fitted model, whose coefficients are then replaced.
    clf = SoftmaxClassifier(alpha=alpha, optimizer=SVRG(), max_iter=1, tol=None)
    clf.fit(X, y)
    clf.coef_, clf.intercept_ = lr.coef_.copy(), lr.intercept_.copy()
    return clf.objective(X, y)


def run(optimizer, obj, max_iter, seed=0):
    """The iterates of a run of ``optimizer`` on ``obj`` from zero."""
    state = optimizer.init_state(obj, seed)
    return list(optimizer.iterate(obj, obj.init_params(), state, max_iter))


def first_epoch_below(gaps, level):
    below = np.flatnonzero(np.asarray(gaps) < level)
    return int(below[0]) + 1 if below.size else None


# -- convergence -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_linear_convergence_to_the_logistic_regression_optimum(name):
    X, y = DATA[name]
    assert len(np.unique(y)) >= 3
    best = reference_value(X, y)
    clf = fit(X, y, SVRG(batch_size=16), max_iter=150)
    gaps = (np.array(clf.loss_curve_) - best) / best
    # The reference is the optimum: nothing gets measurably below it.
    assert gaps.min() > -1e-10
    # The recorded values are the exact objective.
    assert clf.loss_curve_[-1] == pytest.approx(clf.objective(X, y), rel=1e-12)
    reached = [first_epoch_below(gaps, level) for level in (1e-3, 1e-6, 1e-9)]
    # Measured: 47 epochs to 1e-6 on iris, 76 on wine.
    assert None not in reached and reached[1] <= 100, reached
    # Linear: each further factor of 1000 takes about as many epochs as the
    # last, where SGD's 1/t would take a thousand times more.
    first, second = reached[1] - reached[0], reached[2] - reached[1]
    assert second <= 1.5 * first + 5, reached


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_full_batch_converges_linearly_and_draws_no_random_numbers(name):
    X, y = DATA[name]
    best = reference_value(X, y)
    one = fit(X, y, SVRG(batch_size=None), max_iter=500, seed=0)
    other = fit(X, y, SVRG(batch_size=10_000), max_iter=500, seed=1)
    np.testing.assert_array_equal(one.coef_, other.coef_)
    assert one.loss_curve_ == other.loss_curve_
    # Measured: 309 steps to 1e-6 on iris, 449 on wine (gradient descent's 1 / L).
    assert (one.loss_curve_[-1] - best) / best < 1e-6


def test_svrg_beats_sgd_at_the_same_number_of_epochs():
    X, y = DATA["wine"]
    best = reference_value(X, y)
    # Measured relative gaps: 1.5e-3 against 7.4e-3 after 20 epochs, 6.5e-6
    # against 1.2e-3 after 60: SGD's shrinking steps fall further behind.
    for epochs, factor in ((20, 0.5), (60, 0.02)):
        svrg = fit(X, y, SVRG(batch_size=16), max_iter=epochs).objective(X, y)
        sgd = fit(X, y, SGD(batch_size=16), max_iter=epochs).objective(X, y)
        assert svrg - best < factor * (sgd - best)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_l1_by_proximal_steps_beats_sgd(penalty):
    X, y = DATA["wine"]
    params = {"penalty": penalty, "l1_ratio": 0.5}
    reference = fit(X, y, SVRG(batch_size=16), max_iter=1500, seed=1, **params)
    best = reference.loss_curve_[-1]
    # The long run has settled (its last epochs agree to the last digits) and
    # has the exact zeros of the L1 term.
    assert abs(reference.loss_curve_[-50] - best) < 1e-9 * best
    assert (reference.coef_ == 0).any()
    # Measured relative gaps, SVRG against SGD, after 20, 50 and 100 epochs:
    # 'l1' 4.5e-2, 1.7e-2, 7.9e-3 against 7.9e-2, 4.7e-2, 3.0e-2 (neither is
    # linear: the objective is not strongly convex); 'elasticnet' 7.4e-3,
    # 8.8e-4, 4.4e-5 against 2.0e-2, 8.5e-3, 3.9e-3.
    gaps = []
    for epochs in (20, 50, 100):
        svrg = fit(X, y, SVRG(batch_size=16), max_iter=epochs, **params)
        sgd = fit(X, y, SGD(batch_size=16), max_iter=epochs, **params)
        svrg_gap = svrg.objective(X, y) - best
        sgd_gap = sgd.objective(X, y) - best
        assert -1e-9 < svrg_gap < 0.7 * sgd_gap
        assert (svrg.coef_ == 0).any()
        gaps.append(svrg_gap / best)
    if penalty == "elasticnet":  # strongly convex: linear again
        assert gaps[2] < 0.1 * gaps[1] < 0.1 * 0.2 * gaps[0]


def test_hinge_runs_and_approaches_the_optimum_slowly():
    X, y = DATA["iris"]
    clf = SVMClassifier(alpha=1e-3, optimizer=SVRG(batch_size=16), tol=None,
                        max_iter=100, random_state=0).fit(X, y)
    curve = np.array(clf.loss_curve_)
    assert np.all(np.isfinite(curve)) and np.all(np.isfinite(clf.coef_))
    assert curve[-1] < 0.3 * curve[0]
    assert clf.score(X, y) > 0.9
    # With the default tol the run stops by itself, short of the optimum (the
    # hinge's steps shrink as 1 / sqrt(t)), and says so.
    with pytest.warns(ConvergenceWarning, match="stopped on tol=.* SVRG had stalled"):
        stopped = SVMClassifier(optimizer=SVRG(), random_state=0).fit(X, y)
    assert stopped.n_iter_ < SVRG.default_max_iter  # max_iter='auto'


def test_hinge_steps_shrink_as_one_over_the_root_of_the_epoch():
    X, y = DATA["iris"]
    obj = LinearObjective(X, y, 3, MulticlassHinge(), L2(1e-3))
    optimizer = SVRG(learning_rate=0.1, batch_size=16)
    iterates = run(optimizer, obj, 9)
    rates = [it.info["learning_rate"] for it in iterates]
    np.testing.assert_allclose(rates, 0.1 / np.sqrt(1 + np.arange(9)))
    # The smooth loss keeps its step.
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), L2(1e-3))
    iterates = run(optimizer, obj, 3)
    assert [it.info["learning_rate"] for it in iterates] == [0.1] * 3


# -- the step ------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 16, 64, None])
def test_auto_step_is_one_over_smoothness_plus_four_rho(batch_size):
    X, y = DATA["wine"]
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), L2(ALPHA))
    optimizer = SVRG(batch_size=batch_size)
    it = run(optimizer, obj, 1)[0]
    n = obj.n_samples
    if batch_size is None:
        expected = 1 / obj.smoothness(None)
    else:
        b = batch_size
        rho = (n - b) / (b * (n - 1)) * (obj.smoothness(1) - obj.strong_convexity())
        expected = 1 / (obj.smoothness(b) + 4 * rho)
    assert it.info["learning_rate"] == pytest.approx(expected, rel=1e-12)
    ratio = obj.intercept_step_ratio(batch_size)
    intercept = it.info["intercept_learning_rate"]
    assert intercept == pytest.approx(ratio * expected, rel=1e-6)


def test_a_numeric_learning_rate_is_the_step_of_every_parameter():
    X, y = DATA["iris"]
    clf = fit(X, y, SVRG(learning_rate=0.05, batch_size=16), max_iter=3)
    assert clf.n_iter_ == 3
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), L2(ALPHA))
    optimizer = SVRG(learning_rate=0.05, batch_size=16)
    it = run(optimizer, obj, 1)[0]
    assert it.info == {"learning_rate": 0.05}


# -- dtype, layout, data -------------------------------------------------------------


def test_float32_data_give_float32_parameters():
    X, y = DATA["wine"]
    X32 = X.astype(np.float32)
    clf32 = fit(X32, y, SVRG(batch_size=16), max_iter=40)
    assert clf32.coef_.dtype == np.float32 and clf32.intercept_.dtype == np.float32
    clf64 = fit(X, y, SVRG(batch_size=16), max_iter=40)
    assert clf32.loss_curve_[-1] == pytest.approx(clf64.loss_curve_[-1], rel=1e-4)
    # Every iterate, in every mode, stays in float32.
    for penalty in (L2(ALPHA), ElasticNet(ALPHA, 0.5)):
        for loss in (SoftmaxCrossEntropy(), MulticlassHinge()):
            for batch_size in (16, None):
                obj = LinearObjective(X32, y, 3, loss, penalty)
                optimizer = SVRG(batch_size=batch_size)
                state = optimizer.init_state(obj, 0)
                for it in optimizer.iterate(obj, obj.init_params(), state, 2):
                    assert it.params.dtype == np.float32
                    assert np.isfinite(it.value)


def test_sparse_rows_give_the_dense_result():
    X, y = DATA["iris"]
    dense = fit(X, y, SVRG(batch_size=16), max_iter=10)
    csr = fit(sparse.csr_matrix(X), y, SVRG(batch_size=16), max_iter=10)
    np.testing.assert_allclose(csr.coef_, dense.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(csr.loss_curve_, dense.loss_curve_, rtol=1e-12)


def test_weights_early_stopping_and_binary_problems_run():
    X, y = DATA["wine"]
    sw = np.random.RandomState(0).rand(len(y))
    sw[:20] = 0
    clf = fit(X, y, SVRG(batch_size=8), max_iter=20)
    weighted = SoftmaxClassifier(alpha=ALPHA, optimizer=SVRG(batch_size=8), tol=None,
                                 max_iter=20, random_state=0)
    weighted.fit(X, y, sample_weight=sw)
    assert np.all(np.isfinite(weighted.coef_)) and weighted.score(X, y) > 0.9
    assert clf.score(X, y) > 0.95
    stopped = SoftmaxClassifier(alpha=ALPHA, optimizer=SVRG(batch_size=16),
                                early_stopping=True, random_state=0).fit(X, y)
    assert stopped.score(X, y) > 0.9
    binary = y < 2
    two = fit(X[binary], y[binary], SVRG(batch_size=16), max_iter=20)
    assert two.coef_.shape == (1, X.shape[1]) and two.score(X[binary], y[binary]) > 0.95


# -- the iteration protocol and resumption ------------------------------------------


def test_iterates_are_copies_with_the_exact_objective():
    X, y = DATA["iris"]
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), ElasticNet(ALPHA, 0.5))
    optimizer = SVRG(batch_size=16)
    start = obj.init_params()
    state = optimizer.init_state(obj, 0)
    given = (start.copy(), {**state, "rng": dict(state["rng"])})
    iterates = list(optimizer.iterate(obj, start, state, 4))
    np.testing.assert_array_equal(start, given[0])
    assert state["n_iter"] == 0 and str(state["rng"]) == str(given[1]["rng"])
    assert [it.state["n_iter"] for it in iterates] == [1, 2, 3, 4]
    for it in iterates:
        assert it.value == pytest.approx(obj.value(it.params), rel=1e-13)
        assert set(it.state) == {"n_iter", "rng"}
    assert len({id(it.params) for it in iterates}) == 4
    values = [it.value for it in iterates]
    assert values == sorted(values, reverse=True)


def test_resuming_from_an_iterate_takes_the_same_steps():
    X, y = DATA["wine"]
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), ElasticNet(ALPHA, 0.5))
    optimizer = SVRG(batch_size=16)
    state = optimizer.init_state(obj, 3)
    straight = list(optimizer.iterate(obj, obj.init_params(), state, 6))
    first = list(optimizer.iterate(obj, obj.init_params(), state, 3))
    second = list(optimizer.iterate(obj, first[-1].params, first[-1].state, 3))
    for a, b in zip(straight, first + second):
        np.testing.assert_array_equal(a.params, b.params)
        assert a.value == b.value
        assert a.state["n_iter"] == b.state["n_iter"]


@pytest.mark.parametrize("cls", [SoftmaxClassifier, SVMClassifier])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_partial_fit_and_warm_start_resume_exactly(cls, dtype):
    X, y = DATA["wine"]
    X = X.astype(dtype)
    base = cls(alpha=ALPHA, optimizer=SVRG(batch_size=16), tol=None, random_state=7)
    # One run of 6 epochs ...
    whole = clone(base).set_params(max_iter=6).fit(X, y)
    # ... two fits of 3 + 3 epochs ...
    halves = clone(base).set_params(max_iter=3).fit(X, y)
    halves.set_params(warm_start=True).fit(X, y)
    # ... and 6 partial_fit calls of one epoch each.
    calls = clone(base)
    for _ in range(6):
        calls.partial_fit(X, y, classes=np.unique(y))
    for other in (halves, calls):
        np.testing.assert_array_equal(other.coef_, whole.coef_)
        np.testing.assert_array_equal(other.intercept_, whole.intercept_)
    assert calls.loss_curve_ == whole.loss_curve_ and calls.n_iter_ == 6
    # Two partial_fit runs of 3 + 3 calls from the same seed agree, as well.
    again = clone(base)
    for _ in range(6):
        again.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_array_equal(again.coef_, calls.coef_)


def test_same_seed_same_model_another_seed_another():
    X, y = DATA["iris"]
    a = fit(X, y, SVRG(batch_size=16), max_iter=5, seed=0)
    b = fit(X, y, SVRG(batch_size=16), max_iter=5, seed=0)
    c = fit(X, y, SVRG(batch_size=16), max_iter=5, seed=1)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.coef_, c.coef_)


# -- parameters ----------------------------------------------------------------------


def test_parameters_clone_and_grid_search():
    optimizer = SVRG(learning_rate=0.1, batch_size=32)
    assert optimizer.get_params() == {"learning_rate": 0.1, "batch_size": 32}
    assert vars(optimizer) == {"learning_rate": 0.1, "batch_size": 32}
    copy = clone(optimizer)
    assert copy is not optimizer and copy.get_params() == optimizer.get_params()
    assert repr(SVRG()) == "SVRG()"
    assert repr(copy) == "SVRG(batch_size=32, learning_rate=0.1)"
    clf = SoftmaxClassifier(optimizer=SVRG(batch_size=32))
    assert clf.get_params()["optimizer__batch_size"] == 32
    clf.set_params(optimizer__batch_size=8)
    assert clf.optimizer.batch_size == 8
    assert get_optimizer("svrg").get_params() == SVRG().get_params()
    assert OPTIMIZERS["svrg"] is SVRG
    X, y = DATA["iris"]
    search = GridSearchCV(
        SoftmaxClassifier(optimizer=SVRG(), max_iter=20, tol=None, random_state=0),
        {"optimizer__batch_size": [16, None]}, cv=3,
    )
    search.fit(X, y)
    assert search.best_score_ > 0.9


def test_fitting_keeps_no_state_on_the_optimizer():
    X, y = DATA["iris"]
    optimizer = SVRG(batch_size=16)
    before = dict(vars(optimizer))
    clf = fit(X, y, optimizer, max_iter=3)
    assert clf.optimizer is optimizer and vars(optimizer) == before
    obj = LinearObjective(X, y, 3, SoftmaxCrossEntropy(), L2(ALPHA))
    run(optimizer, obj, 2)
    assert vars(optimizer) == before


@pytest.mark.parametrize(
    "params", [{"batch_size": 0}, {"batch_size": 2.5}, {"learning_rate": 0},
               {"learning_rate": "fast"}, {"learning_rate": -1.0}],
)
def test_invalid_parameters_are_refused_at_fit(params):
    X, y = DATA["iris"]
    clf = SoftmaxClassifier(optimizer=SVRG(**params))
    with pytest.raises(InvalidParameterError):
        clf.fit(X, y)
