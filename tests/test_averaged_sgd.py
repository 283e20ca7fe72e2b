"""Averaged SGD: ``SGD(average=...)``, the mean of the iterates as the model."""

import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.optimizers import SGD
from sklinear_sgd.optimizers import gradient
from sklinear_sgd.penalties import L2
from test_optimizers import blobs

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_STD = StandardScaler().fit_transform(X_IRIS)


X, Y = blobs()


def make(X=X, y=Y, loss=None, alpha=0.01):
    return LinearObjective(X, y, len(np.unique(y)), loss or SoftmaxCrossEntropy(), L2(alpha))


def manual_steps(obj, lr, batch_size, epochs, seed):
    """Plain SGD steps by hand: the iterate after every step, and the rows
    of each step, with the batches that SGD draws from the same seed."""
    rng = np.random.RandomState(seed)
    P = obj.init_params().astype(np.float64)
    dense = make(np.asarray(obj.X.todense()) if obj.is_sparse else obj.X, obj.y)
    n = obj.n_samples
    iterates, sizes, epoch_ends = [], [], []
    for _ in range(epochs):
        if batch_size is None:
            batches = [(slice(None), n)]
        else:
            batches = gradient._batches(n, batch_size, "rows", rng)
        for rows, size in batches:
            rows = None if batch_size is None else rows
            P = P - lr * dense.value_and_grad(P, rows=rows)[1]
            dense.project(P)
            iterates.append(P.copy())
            sizes.append(size)
        epoch_ends.append(len(iterates))
    return np.array(iterates), np.array(sizes), epoch_ends


def run(optimizer, obj, max_iter, seed=0):
    state = optimizer.init_state(obj, seed)
    return list(optimizer.iterate(obj, obj.init_params(), state, max_iter))


# -- the mean of the iterates --------------------------------------------------


@pytest.mark.parametrize("data", ["dense", "csr"])
@pytest.mark.parametrize("batch_size", [16, None])
def test_average_true_is_the_mean_of_every_step(data, batch_size):
    obj = make(sparse.csr_matrix(X) if data == "csr" else X)
    lr, epochs = 0.05, 4
    opt = SGD(learning_rate=lr, batch_size=batch_size, schedule="constant", average=True)
    iterates = run(opt, obj, epochs, seed=3)
    steps, _, ends = manual_steps(obj, lr, batch_size, epochs, seed=3)
    for it, end in zip(iterates, ends):
        mean = steps[:end].mean(axis=0)
        assert_allclose(it.params, mean, rtol=1e-10, atol=1e-12)
        # The plain iterate goes on in the state, and the value is the mean's.
        assert_allclose(it.state["averaging"]["raw"], steps[end - 1], rtol=1e-10, atol=1e-12)
        assert it.state["averaging"]["count"] == end
        assert it.value == pytest.approx(obj.value(it.params), rel=1e-12)
    # The steps are plain SGD's: the last iterate is plain SGD's, bit for bit.
    plain = run(clone(opt).set_params(average=False), obj, epochs, seed=3)
    assert_array_equal(iterates[-1].state["averaging"]["raw"], plain[-1].params)


@pytest.mark.parametrize("data", ["dense", "csr"])
@pytest.mark.parametrize("start", [40, 200])
def test_average_int_starts_once_that_many_samples_are_seen(data, start):
    obj = make(sparse.csr_matrix(X) if data == "csr" else X)
    lr, epochs, batch_size = 0.05, 4, 16
    opt = SGD(learning_rate=lr, batch_size=batch_size, schedule="constant", average=start)
    iterates = run(opt, obj, epochs, seed=1)
    plain = run(clone(opt).set_params(average=False), obj, epochs, seed=1)
    steps, sizes, ends = manual_steps(obj, lr, batch_size, epochs, seed=1)
    # The first averaged step is the one whose batch brings the count to start.
    first = int(np.argmax(np.cumsum(sizes) >= start))
    assert np.cumsum(sizes)[first] >= start > np.cumsum(sizes)[first - 1]
    for it, ref, end in zip(iterates, plain, ends):
        assert it.state["averaging"]["n_seen"] == sizes[:end].sum()
        if end <= first:  # not yet: the plain iterate and its value
            assert_array_equal(it.params, ref.params)
            assert it.value == ref.value
            assert it.state["averaging"]["mean"] is None
            assert it.state["averaging"]["count"] == 0
        else:
            assert it.state["averaging"]["count"] == end - first
            mean = steps[first:end].mean(axis=0)
            assert_allclose(it.params, mean, rtol=1e-10, atol=1e-12)
            assert it.value == pytest.approx(obj.value(it.params), rel=1e-12)
    assert end > first  # averaging did begin


def test_average_true_is_average_1():
    obj = make()
    a = run(SGD(batch_size=16, average=True), obj, 3)
    b = run(SGD(batch_size=16, average=1), obj, 3)
    for u, v in zip(a, b):
        assert_array_equal(u.params, v.params)
        assert u.value == v.value


def test_averaging_beats_the_last_iterate_of_a_constant_step_on_the_hinge():
    # Standardized iris, SVMClassifier's default alpha: a constant step of 1
    # leaves the iterates bouncing around the optimum; their mean is closer.
    obj = make(X_STD, Y_IRIS, loss=MulticlassHinge(), alpha=1e-2)
    opt = SGD(learning_rate=1.0, batch_size=16, schedule="constant", average=True)
    averaged, last = [], []
    for seed in range(5):
        final = run(opt, obj, 20, seed=seed)[-1]
        averaged.append(final.value)
        last.append(obj.value(final.state["averaging"]["raw"]))
    assert all(a < b for a, b in zip(averaged, last))
    assert np.mean(averaged) < 0.8 * np.mean(last)


# -- resuming exactly --------------------------------------------------------


def assert_same_state(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same_state(a[key], b[key])
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        assert_array_equal(a, b)
    else:
        assert a == b


def assert_plain_data(value):
    if isinstance(value, dict):
        for item in value.values():
            assert_plain_data(item)
    else:
        assert value is None or isinstance(value, (np.ndarray, int, float, str, tuple, list))


DATA = [
    (kind, dtype) for kind in ("dense", "csr") for dtype in (np.float64, np.float32)
]


def data(kind, dtype, y=Y_IRIS):
    Xd = X_STD.astype(dtype)
    return (sparse.csr_matrix(Xd) if kind == "csr" else Xd), y


@pytest.mark.parametrize("kind, dtype", DATA, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(batch_size=16, average=True),
        SGD(batch_size=16, average=200),
        SGD(batch_size=16, momentum=0.9, nesterov=True, average=True),
        SGD(batch_size=None, average=True),
    ],
    ids=["16", "16-from-200", "16-nesterov", "full"],
)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_partial_fit_and_warm_start_resume_exactly(kind, dtype, cls, optimizer, problem):
    y = Y_IRIS if problem == "multiclass" else (Y_IRIS == 1).astype(int)
    Xd, y = data(kind, dtype, y)
    k = 3
    fitted = cls(optimizer=optimizer, max_iter=k, tol=None, random_state=0).fit(Xd, y)
    stepped = cls(optimizer=optimizer, random_state=0)
    warm = cls(optimizer=optimizer, max_iter=1, tol=None, random_state=0, warm_start=True)
    for _ in range(k):
        stepped.partial_fit(Xd, y, classes=np.unique(y))
        warm.fit(Xd, y)
    assert fitted.coef_.dtype == dtype
    for other in (stepped, warm):
        assert_array_equal(other.coef_, fitted.coef_)
        assert_array_equal(other.intercept_, fitted.intercept_)
        assert other.loss_curve_[-1] == fitted.loss_curve_[-1]
        assert_same_state(other._state, fitted._state)
    assert stepped.loss_curve_ == fitted.loss_curve_
    averaging = fitted._state["averaging"]
    assert_plain_data(fitted._state)
    assert averaging["raw"].dtype == averaging["mean"].dtype == dtype
    assert averaging["n_seen"] == k * len(y)
    # coef_ is the mean, not the plain iterate.
    assert not np.array_equal(cls._public(averaging["raw"])["coef_"], fitted.coef_)
    assert_array_equal(cls._public(averaging["mean"])["coef_"], fitted.coef_)


@pytest.mark.parametrize("kind", ["dense", "csr"])
@pytest.mark.parametrize("average", [True, 2000])
def test_iterate_resumes_from_the_plain_iterate_of_the_state(kind, average):
    obj = make(sparse.csr_matrix(X) if kind == "csr" else X)
    opt = SGD(batch_size=16, average=average)
    straight = run(opt, obj, 4)
    first = run(opt, obj, 2)[-1]
    # The params handed back are the mean (or before averaging the plain
    # iterate); the steps go on from the plain iterate of the state.
    resumed = list(opt.iterate(obj, first.params, first.state, 2))
    for a, b in zip(straight[2:], resumed):
        assert_array_equal(a.params, b.params)
        assert a.value == b.value
        assert_same_state(a.state, b.state)


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_other_params_start_averaging_anew(kind):
    # A model changed since its state was saved (by another optimizer, by
    # early stopping's choice of its best epoch, by hand) is a new start.
    obj = make(sparse.csr_matrix(X) if kind == "csr" else X)
    opt = SGD(batch_size=16, average=True)
    first = run(opt, obj, 2)[-1]
    start = first.params * 0.5
    again = next(opt.iterate(obj, start, first.state, 1))
    state = {k: v for k, v in first.state.items() if k != "averaging"}
    fresh = next(opt.iterate(obj, start, state, 1))
    assert_array_equal(again.params, fresh.params)
    assert_same_state(again.state, fresh.state)
    assert again.state["averaging"]["count"] == 6  # one epoch's steps


def test_early_stopping_best_epoch_is_resumed_from_its_mean():
    clf = SoftmaxClassifier(optimizer=SGD(batch_size=16, average=True), early_stopping=True,
                            max_iter=6, tol=None, random_state=0, warm_start=True)
    clf.fit(X_STD, Y_IRIS)
    best = np.hstack([clf.coef_, clf.intercept_[:, None]])
    # The first epoch's (the scores tie after it), not the last one's.
    assert not np.array_equal(best, clf._state["averaging"]["mean"])
    n_train = clf._state["averaging"]["n_seen"] // 6
    clf.set_params(max_iter=1).fit(X_STD, Y_IRIS)
    # The warm start went on from the best, averaging anew: one epoch's steps.
    assert clf._state["averaging"]["count"] == -(-n_train // 16)
    assert clf._state["averaging"]["n_seen"] == n_train


def test_switching_averaging_off_goes_on_from_the_mean():
    clf = SVMClassifier(optimizer=SGD(batch_size=16, average=True), max_iter=2, tol=None,
                        random_state=0, warm_start=True).fit(X_STD, Y_IRIS)
    mean = np.hstack([clf.coef_, clf.intercept_[:, None]])
    state = clf._state
    clf.set_params(optimizer__average=False).fit(X_STD, Y_IRIS)
    assert "averaging" not in clf._state
    # What plain SGD does from the mean, with the same state otherwise.
    obj = make(X_STD, Y_IRIS, loss=MulticlassHinge(), alpha=clf.alpha)
    plain = SGD(batch_size=16)
    last = list(plain.iterate(obj, mean, state, 2))[-1]
    assert_allclose(np.hstack([clf.coef_, clf.intercept_[:, None]]), last.params,
                    rtol=1e-12, atol=1e-14)


def test_float32_stays_float32():
    obj = make(X.astype(np.float32))
    for kind in ("dense", "csr"):
        o = obj if kind == "dense" else make(sparse.csr_matrix(X.astype(np.float32)))
        for batch_size in (16, None):
            last = run(SGD(batch_size=batch_size, average=True), o, 2)[-1]
            assert last.params.dtype == np.float32
            assert last.state["averaging"]["raw"].dtype == np.float32
            assert last.state["averaging"]["mean"].dtype == np.float32


def test_early_stopping_scores_the_mean():
    clf = SoftmaxClassifier(optimizer=SGD(batch_size=16, average=True), early_stopping=True,
                            max_iter=5, tol=None, random_state=0).fit(X_STD, Y_IRIS)
    assert len(clf.validation_scores_) == 5
    assert clf.score(X_STD, Y_IRIS) > 0.8


# -- the parameter -------------------------------------------------------------


def test_clone_and_get_params_round_trip():
    opt = SGD(batch_size=32, average=100)
    assert opt.get_params()["average"] == 100
    copy = clone(opt)
    assert copy.get_params() == opt.get_params()
    assert SGD().average is False
    clf = SVMClassifier(optimizer=opt)
    clf.set_params(optimizer__average=True)
    assert clf.get_params()["optimizer__average"] is True
    assert clone(clf).get_params()["optimizer__average"] is True
    assert "average=True" in repr(clf.optimizer)


@pytest.mark.parametrize("average", [0, -1, 1.5, "yes"])
def test_invalid_average_is_refused(average):
    with pytest.raises(InvalidParameterError, match="average"):
        SVMClassifier(optimizer=SGD(average=average)).fit(X_STD, Y_IRIS)


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(SGD, "SGD", globs={}):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0 and results.failed == 0
