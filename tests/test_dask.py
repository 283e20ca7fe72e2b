"""Training on a dask.distributed cluster: streaming with dask-ml's Incremental,
data-parallel full-batch fits on dask arrays, and tuning under joblib's dask
backend. One local cluster of two worker processes serves the whole module."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import Adam, GradientDescent, RandomSearch

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")

# Every test of this module runs in the same pytest-xdist worker, so that the
# cluster starts once.
pytestmark = pytest.mark.xdist_group("dask")

X, Y = make_classification(
    n_samples=1200, n_features=12, n_informative=8, n_classes=3, random_state=0
)
X = StandardScaler().fit_transform(X)
ROWS = 300  # four blocks of rows


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def dask_data(rows=ROWS, features=6):
    """X split into blocks of rows and of features (fit joins the features)."""
    return da.from_array(X, chunks=(rows, features)), da.from_array(Y, chunks=rows)


def assert_same_fit(local, remote):
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(remote.intercept_, local.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(remote.loss_curve_, local.loss_curve_, rtol=1e-10)
    assert remote.n_iter_ == local.n_iter_
    np.testing.assert_array_equal(remote.classes_, local.classes_)
    assert remote.n_features_in_ == local.n_features_in_


# -- 2. data-parallel full-batch training ---------------------------------------


@pytest.mark.parametrize(
    "estimator",
    [
        SoftmaxClassifier(optimizer="gd"),
        SVMClassifier(optimizer="gd"),
        SoftmaxClassifier(optimizer="lbfgs"),
        SVMClassifier(optimizer=RandomSearch()),
        SVMClassifier(optimizer="random_local_search", penalty="l1", alpha=1e-3),
        SoftmaxClassifier(optimizer=GradientDescent(), penalty="elasticnet"),
    ],
    ids=["softmax-gd", "svm-gd", "softmax-lbfgs", "svm-random_search",
         "svm-random_local_search-l1", "softmax-gd-elasticnet"],
)
def test_full_batch_fit_equals_in_memory_fit(client, estimator):
    # 20 iterations exactly (tol=None); L-BFGS, which stops by its own test at
    # the optimum (and warns when a budget stops it first), runs to it.
    estimator.set_params(tol=None, random_state=0)
    if estimator.optimizer != "lbfgs":
        estimator.set_params(max_iter=20)
    local = estimator.__sklearn_clone__().fit(X, Y)
    remote = estimator.__sklearn_clone__().fit(*dask_data())
    assert_same_fit(local, remote)


def test_weights_equal_in_memory_weights(client):
    # class weights and sample weights (a dask array, zeros included) enter the
    # weighted mean exactly as in memory; a block of zero weight drops out.
    sw = np.random.RandomState(0).randint(0, 4, size=len(Y)).astype(float)
    sw[:ROWS] = 0
    Xd, yd = dask_data()
    for class_weight in ["balanced", {0: 2.0, 2: 0.5}]:
        est = SVMClassifier(
            optimizer="gd", class_weight=class_weight, max_iter=15, tol=None
        )
        local = est.__sklearn_clone__().fit(X, Y, sample_weight=sw)
        remote = est.__sklearn_clone__().fit(
            Xd, yd, sample_weight=da.from_array(sw, chunks=ROWS)
        )
        assert_same_fit(local, remote)
    # A NumPy weight vector is split like X.
    est = SoftmaxClassifier(optimizer="lbfgs")
    assert_same_fit(est.__sklearn_clone__().fit(X, Y, sample_weight=sw),
                    est.__sklearn_clone__().fit(Xd, yd, sample_weight=sw))


def test_float32_labels_and_stopping(client):
    # String labels, float32 data (float32 coef_), two classes, and tol stopping.
    labels = np.array(["cat", "dog"])[(Y > 0).astype(int)]
    X32 = X.astype(np.float32)
    # tol=1e-5: at 1e-4 the stop is 0.3% above the optimum, and warns.
    est = SoftmaxClassifier(optimizer="gd", max_iter=200, tol=1e-5)
    local = est.__sklearn_clone__().fit(X32, labels)
    remote = est.__sklearn_clone__().fit(
        da.from_array(X32, chunks=ROWS), da.from_array(labels, chunks=ROWS)
    )
    assert remote.coef_.dtype == np.float32 and remote.coef_.shape == (1, X.shape[1])
    assert remote.n_iter_ == local.n_iter_ < 200
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(remote.predict(X32), local.predict(X32))


def test_partial_fit_on_dask_arrays_resumes(client):
    Xd, yd = dask_data()
    local, remote = SVMClassifier(optimizer="gd"), SVMClassifier(optimizer="gd")
    for _ in range(3):
        local.partial_fit(X, Y, classes=[0, 1, 2])
        remote.partial_fit(Xd, yd, classes=[0, 1, 2])
    assert_same_fit(local, remote)
    assert remote.n_iter_ == 3


def test_minibatch_optimizer_says_what_to_use(client):
    with pytest.raises(ValueError, match="full-batch optimizer.*Incremental"):
        SVMClassifier(optimizer="sgd").fit(*dask_data())
    # With full-batch steps the same optimizer runs on the cluster.
    est = SoftmaxClassifier(optimizer=Adam(batch_size=None), max_iter=5, tol=None)
    assert_same_fit(est.__sklearn_clone__().fit(X, Y),
                    est.__sklearn_clone__().fit(*dask_data()))


def test_bad_inputs_get_clear_errors(client):
    Xd, yd = dask_data()
    keep = da.from_array(np.arange(X.shape[1]) != 3, chunks=6)
    with pytest.raises(ValueError, match=r"unknown chunk sizes along its features.*"
                       r"compute_chunk_sizes"):
        SVMClassifier(optimizer="gd").fit(Xd[:, keep], yd)
    dd = pytest.importorskip("dask.dataframe")
    with pytest.raises(TypeError, match=r"to_dask_array\(lengths=True\)"):
        SVMClassifier(optimizer="gd").fit(dd.from_array(X, chunksize=ROWS), yd)
    with pytest.raises(ValueError, match=r"same blocks of rows.*rechunk"):
        SVMClassifier(optimizer="gd").fit(Xd, yd.rechunk(400))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SVMClassifier(optimizer="gd").fit(Xd, yd[:-1])
    with pytest.raises(ValueError, match="NaN or infinity"):
        SVMClassifier(optimizer="gd").fit(da.where(Xd > 2.5, np.nan, Xd), yd)
    with pytest.raises(ValueError, match="early_stopping=True is not supported"):
        SVMClassifier(optimizer="gd", early_stopping=True).fit(Xd, yd)
    with pytest.raises(ValueError, match="negative values"):
        SVMClassifier(optimizer="gd").fit(Xd, yd, sample_weight=-np.ones(len(Y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        SVMClassifier(optimizer="gd").fit(Xd, yd + 0.5)
    # Labels not declared in the first partial_fit call: the in-memory message.
    messages = []
    for X_, y_ in [(X, Y), (Xd, yd)]:
        with pytest.raises(ValueError, match=r"labels \[2\] that are not among") as err:
            SVMClassifier(optimizer="gd").partial_fit(X_, y_, classes=[0, 1])
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    # A later call with another number of features.
    est = SVMClassifier(optimizer="gd").partial_fit(Xd, yd, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(Xd[:, :5], yd)
    # A failed call leaves the estimator as it was.
    assert est.n_features_in_ == X.shape[1] and est.n_iter_ == 1


# -- 1. streaming with dask-ml --------------------------------------------------


def test_incremental_streams_blocks_through_partial_fit(client):
    Xd, yd = dask_data(features=X.shape[1])
    inc = dask_ml_wrappers.Incremental(
        SVMClassifier(optimizer="sgd", random_state=0), scoring="accuracy"
    )
    passes = 3
    for _ in range(passes):
        inc.partial_fit(Xd, yd, classes=np.unique(Y))
    fitted = inc.estimator_
    # One partial_fit (one epoch of minibatches) a block, the state carried on.
    assert fitted.n_iter_ == fitted._state["n_iter"] == passes * Xd.numblocks[0]
    # As many epochs in memory (tol=None: exactly so many).
    in_memory = SVMClassifier(optimizer="sgd", max_iter=passes, tol=None,
                              random_state=0).fit(X, Y)
    assert abs(inc.score(Xd, yd) - in_memory.score(X, Y)) < 0.03


# -- 3. tuning on the cluster ---------------------------------------------------


def test_grid_search_and_cross_val_score_on_the_cluster(client):
    grid = GridSearchCV(
        SoftmaxClassifier(optimizer="lbfgs", max_iter=30),
        {"alpha": [1e-4, 1e-2], "fit_intercept": [True, False]},
        cv=3,
    )
    local = grid.__sklearn_clone__().fit(X, Y)
    with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        remote = grid.__sklearn_clone__().set_params(n_jobs=-1).fit(X, Y)
        # L-BFGS to the optimum (some 450 iterations on the hinge's continuation).
        svm = SVMClassifier(random_state=0)
        scores = cross_val_score(svm, X, Y, cv=3, n_jobs=-1)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    np.testing.assert_allclose(
        scores, cross_val_score(SVMClassifier(random_state=0), X, Y, cv=3)
    )
    # The fits ran as tasks on the cluster's workers.
    assert len(stream.data) >= 2
