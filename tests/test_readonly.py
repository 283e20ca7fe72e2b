"""Read-only and memory-mapped inputs: used as they are, never copied, never written.

Arrays loaded with ``np.load(..., mmap_mode="r")`` and read-only sparse
matrices train without a copy: the objective holds the caller's memory
(``np.shares_memory``) and a fit allocates far less than the size of ``X``
(``tracemalloc``). Every input is made read-only, so that any write raises,
and its bytes are compared before and after every method.
"""

import hashlib
import tracemalloc

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_iris, make_classification
from sklearn.preprocessing import StandardScaler

import sklinear_sgd._base
from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.optimizers import OPTIMIZERS, SGD

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_STD = StandardScaler().fit_transform(X_IRIS)
MODELS = [
    (cls, name)
    for cls in (SVMClassifier, SoftmaxClassifier)
    for name in OPTIMIZERS
    if not (cls is SVMClassifier and name == "lbfgs")
]


def ids(value):
    return getattr(value, "__name__", value)


def budget(optimizer):
    """3 iterations exactly (tol=None), which claims no convergence; L-BFGS,
    which stops by its own test at the optimum (and warns when a budget stops
    it first), runs to it (about 30 iterations on iris)."""
    return {} if optimizer == "lbfgs" else {"max_iter": 3, "tol": None}


@pytest.fixture
def objectives(monkeypatch):
    """The objectives the estimators build, recorded as they are made."""
    made = []

    class Recorded(LinearObjective):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(sklinear_sgd._base, "LinearObjective", Recorded)
    return made


def read_only(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def read_only_csr(X):
    X = sparse.csr_matrix(X)
    for part in (X.data, X.indices, X.indptr):
        part.flags.writeable = False
    return X


def digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        if sparse.issparse(a):
            h.update(a.data.tobytes() + a.indices.tobytes() + a.indptr.tobytes())
        else:
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls, optimizer", MODELS, ids=ids)
def test_memory_mapped_X_trains_without_a_copy(tmp_path, objectives, cls, optimizer, dtype):
    path = tmp_path / "X.npy"
    np.save(path, X_STD.astype(dtype))
    X = np.load(path, mmap_mode="r")
    before = digest(X)
    clf = cls(optimizer=optimizer, random_state=0, **budget(optimizer)).fit(X, Y_IRIS)
    assert objectives and all(np.shares_memory(obj.X, X) for obj in objectives)
    assert clf.coef_.dtype == dtype
    clf.predict(X), clf.decision_function(X), clf.objective(X, Y_IRIS)
    assert digest(X) == before


@pytest.mark.parametrize("cls, optimizer", MODELS, ids=ids)
def test_read_only_sparse_X_trains_without_a_copy(objectives, cls, optimizer):
    X = read_only_csr(np.where(np.abs(X_STD) > 0.5, X_STD, 0.0))
    before = digest(X)
    clf = cls(optimizer=optimizer, random_state=0, **budget(optimizer)).fit(X, Y_IRIS)
    clf.partial_fit(X, Y_IRIS)
    for obj in objectives:
        assert sparse.issparse(obj.X)
        assert np.shares_memory(obj.X.data, X.data)
        assert np.shares_memory(obj.X.indices, X.indices)
    clf.predict(X), clf.decision_function(X), clf.objective(X, Y_IRIS)
    assert digest(X) == before


def _fit_peak(clf, X, y):
    """Bytes that numpy and scipy allocate at the peak of ``clf.fit(X, y)``."""
    tracemalloc.start()
    try:
        clf.fit(X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("early_stopping", [False, True], ids=["all-rows", "early-stopping"])
@pytest.mark.parametrize("optimizer", ["gd", "sgd"])
def test_a_fit_allocates_far_less_than_X(tmp_path, optimizer, early_stopping):
    # 20000 x 100 float64: 16 MB, memory-mapped; a copy would show in the peak,
    # which holds only blocks of rows and the scores. With early stopping, the
    # training and validation rows are read where they are in X.
    X, y = make_classification(20000, 100, n_informative=10, n_classes=3, random_state=0)
    path = tmp_path / "X.npy"
    np.save(path, X)
    del X
    X = np.load(path, mmap_mode="r")
    clf = SoftmaxClassifier(optimizer=optimizer, max_iter=2, tol=None,
                            early_stopping=early_stopping, random_state=0)
    peak = _fit_peak(clf, X, y)
    assert peak < X.nbytes / 2, f"peak {peak / 2**20:.1f} MiB for X of {X.nbytes / 2**20:.1f} MiB"


@pytest.mark.parametrize("kind", ["dense", "csr"])
@pytest.mark.parametrize("cls, optimizer", MODELS + [(SVMClassifier, SGD(batch_size=16))], ids=ids)
def test_read_only_inputs_are_never_written(cls, optimizer, kind):
    X = read_only(X_STD) if kind == "dense" else read_only_csr(X_STD)
    y = read_only(Y_IRIS)
    w = read_only(np.linspace(0.5, 2.0, len(Y_IRIS)))
    classes = read_only([0, 1, 2])
    before = digest(X, y, w, classes)
    clf = cls(optimizer=optimizer, random_state=0, **budget(optimizer))
    clf.fit(X, y, sample_weight=w)
    clf.partial_fit(X, y, classes=classes, sample_weight=w)
    clf.set_params(warm_start=True).fit(X, y, sample_weight=w)
    clf.predict(X), clf.decision_function(X), clf.score(X, y, sample_weight=w)
    clf.objective(X, y, sample_weight=w)
    if hasattr(clf, "predict_proba"):
        clf.predict_proba(X), clf.predict_log_proba(X)
    fresh = cls(optimizer=optimizer, random_state=0, **budget(optimizer))
    fresh.partial_fit(X, y, classes=classes, sample_weight=w)
    early = cls(optimizer=optimizer, early_stopping=True, random_state=0,
                **budget(optimizer))
    early.fit(X, y, sample_weight=w)
    assert digest(X, y, w, classes) == before


@pytest.mark.parametrize("optimizer", ["gd", "sgd"])
def test_a_sparse_fit_allocates_little_more_than_two_coefficient_arrays(optimizer):
    # On sparse rows the coefficients can be a sizeable share of X: gradient
    # descent holds its iterate and the gradient, SGD its iterate, and
    # neither copies W.T, a product's result or a block of X's rows.
    rng = np.random.RandomState(0)
    n, d, k = 30000, 20000, 20
    columns = rng.randint(d, size=n * 30)  # 30 entries a row (a few repeated)
    X = sparse.csr_matrix((rng.rand(n * 30).astype(np.float32), columns, np.arange(n + 1) * 30),
                          shape=(n, d))
    y = rng.randint(k, size=n)
    coef_bytes = k * (d + 1) * 4
    clf = SVMClassifier(optimizer=optimizer, max_iter=2, tol=None, early_stopping=False,
                        random_state=0)
    peak = _fit_peak(clf, X, y)
    assert peak < 2.6 * coef_bytes, f"peak of {peak / coef_bytes:.2f} coefficient arrays"
