"""The estimators: scikit-learn integration, fitted state, binary convention,
weights, partial_fit, determinism and bad input."""

import pickle

import numpy as np
import pytest
from scipy import sparse
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import SGD, Adam, GradientDescent

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_STD = StandardScaler().fit_transform(X_IRIS)
CLASSES = [SVMClassifier, SoftmaxClassifier]
BASIC = ["sgd", "gd", "random_search"]


def binary():
    mask = Y_IRIS > 0
    return X_STD[mask], Y_IRIS[mask]


# -- integration ----------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_pipeline_cross_val_score_and_clone(cls):
    pipe = make_pipeline(StandardScaler(), cls(random_state=0))
    assert cross_val_score(pipe, X_IRIS, Y_IRIS, cv=5).mean() > 0.9
    est = cls(alpha=0.5, optimizer=SGD(batch_size=7))
    copy = clone(est)
    assert copy.get_params()["optimizer__batch_size"] == 7
    assert copy.optimizer is not est.optimizer


def test_grid_search_over_optimizer_and_learning_rate():
    search = GridSearchCV(SoftmaxClassifier(random_state=0), {"optimizer": ["sgd", "gd"]}, cv=3)
    search.fit(X_STD, Y_IRIS)
    assert search.best_params_["optimizer"] in ("sgd", "gd")
    search = GridSearchCV(
        SoftmaxClassifier(optimizer=SGD(), max_iter=30, tol=None, random_state=0),
        {"optimizer__learning_rate": [1e-5, 0.1]},
        cv=3,
    ).fit(X_STD, Y_IRIS)
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]  # a step of 1e-5 barely moves in 30 epochs
    assert search.best_params_ == {"optimizer__learning_rate": 0.1}


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_pickle_round_trip(cls, optimizer):
    clf = cls(optimizer=optimizer, random_state=0).fit(X_STD, Y_IRIS)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X_STD), clf.predict(X_STD))
    np.testing.assert_array_equal(again.decision_function(X_STD), clf.decision_function(X_STD))
    if hasattr(clf, "predict_proba"):
        np.testing.assert_array_equal(again.predict_proba(X_STD), clf.predict_proba(X_STD))


# -- fitted state ---------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_fitted_attributes_and_objective(cls, optimizer):
    labels = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
    clf = cls(optimizer=optimizer, random_state=0).fit(X_STD, labels)
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    assert clf.n_features_in_ == 4
    assert len(clf.loss_curve_) == clf.n_iter_ >= 1
    assert clf.objective(X_STD, labels) == pytest.approx(clf.loss_curve_[-1], rel=1e-10)
    assert clf.score(X_STD, labels) > (0.6 if optimizer == "random_search" else 0.9)
    if optimizer == "random_search":
        assert np.all(np.diff(clf.loss_curve_) <= 0)


def test_feature_names_from_a_dataframe():
    import pandas as pd
    frame = pd.DataFrame(X_STD, columns=["a", "b", "c", "d"])
    clf = SoftmaxClassifier().fit(frame, Y_IRIS)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"a": "z"}))


def test_tol_none_runs_exactly_max_iter():
    for optimizer in BASIC:
        clf = SVMClassifier(optimizer=optimizer, tol=None, max_iter=17).fit(X_STD, Y_IRIS)
        assert clf.n_iter_ == 17 == len(clf.loss_curve_)


def test_verbose_lines(capsys):
    SVMClassifier(optimizer="random_search", max_iter=3, verbose=1, random_state=0).fit(X_STD, Y_IRIS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("in attempt 0 the loss was ") and ", best " in lines[0]
    SVMClassifier(optimizer="gd", max_iter=4, tol=None, verbose=1).fit(X_STD, Y_IRIS)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"iteration {i}" for i in range(1, 5)]


# -- the binary convention -----------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_binary_convention(cls, optimizer):
    X, y = binary()
    clf = cls(optimizer=optimizer, random_state=0).fit(X, y)
    assert clf.coef_.shape == (1, 4) and clf.intercept_.shape == (1,)
    margin = clf.decision_function(X)
    assert margin.shape == (X.shape[0],)
    np.testing.assert_allclose(margin, X @ clf.coef_[0] + clf.intercept_[0])
    np.testing.assert_array_equal(clf.predict(X), np.where(margin > 0, 2, 1))
    assert clf.objective(X, y) == pytest.approx(clf.loss_curve_[-1], rel=1e-10)
    if cls is SoftmaxClassifier:
        proba = clf.predict_proba(X)
        np.testing.assert_allclose(proba, np.c_[1 - expit(margin), expit(margin)])
        np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


def test_probabilities_stay_finite_for_huge_logits():
    for X, y in (binary(), (X_STD, Y_IRIS)):
        clf = SoftmaxClassifier(optimizer="gd").fit(X, y)
        clf.coef_ = clf.coef_ * 1e300
        proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
        assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
        np.testing.assert_allclose(proba.sum(axis=1), 1)
        assert not np.any(np.isnan(log_proba)) and np.all(log_proba <= 0)


# -- dtypes, sparse input, weights ---------------------------------------------


@pytest.mark.parametrize("optimizer", BASIC + ["lbfgs"])
def test_float32_in_float32_out(optimizer):
    clf = SoftmaxClassifier(optimizer=optimizer, random_state=0).fit(X_STD.astype(np.float32), Y_IRIS)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32


@pytest.mark.parametrize("cls", CLASSES)
def test_sparse_input_matches_dense(cls):
    X = X_STD.copy()
    X[np.abs(X) < 0.5] = 0
    dense = cls(optimizer="gd", max_iter=50, tol=None).fit(X, Y_IRIS)
    csr = cls(optimizer="gd", max_iter=50, tol=None).fit(sparse.csr_matrix(X), Y_IRIS)
    np.testing.assert_allclose(csr.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(csr.decision_function(sparse.csr_matrix(X)), dense.decision_function(X))


@pytest.mark.parametrize("cls", CLASSES)
def test_inputs_are_never_modified(cls):
    X, y = X_STD.copy(), Y_IRIS.copy()
    sw = np.linspace(0.5, 1.5, len(y))
    copies = X.copy(), y.copy(), sw.copy()
    clf = cls(optimizer="sgd", random_state=0).fit(X, y, sample_weight=sw)
    clf.partial_fit(X, y, sample_weight=sw)
    clf.predict(X)
    clf.objective(X, y, sample_weight=sw)
    for original, copy in zip((X, y, sw), copies):
        np.testing.assert_array_equal(original, copy)


@pytest.mark.parametrize("cls", CLASSES)
def test_integer_weights_equal_repeated_rows_and_zeros_removed_rows(cls):
    rng = np.random.RandomState(0)
    w = rng.randint(0, 3, size=len(Y_IRIS))
    weighted = cls(optimizer="gd", max_iter=200, tol=None).fit(X_STD, Y_IRIS, sample_weight=w)
    repeated = cls(optimizer="gd", max_iter=200, tol=None).fit(
        np.repeat(X_STD, w, axis=0), np.repeat(Y_IRIS, w)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-7, atol=1e-10)


def test_class_weight_dict_and_balanced():
    X, y = make_blobs(n_samples=[200, 20], centers=[[0, 0], [1.5, 1.5]], random_state=0)
    plain = SoftmaxClassifier(optimizer="gd").fit(X, y)
    heavy = SoftmaxClassifier(optimizer="gd", class_weight={1: 10}).fit(X, y)
    balanced = SoftmaxClassifier(optimizer="gd", class_weight="balanced").fit(X, y)
    assert (heavy.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    # 'balanced' is the dict n / (k * count).
    manual = SoftmaxClassifier(optimizer="gd", class_weight={0: 220 / 400, 1: 220 / 40}).fit(X, y)
    np.testing.assert_allclose(balanced.coef_, manual.coef_, rtol=1e-10)


# -- partial_fit, warm_start, determinism --------------------------------------


def test_partial_fit_protocol():
    clf = SoftmaxClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X_STD, Y_IRIS)
    clf.partial_fit(X_STD[:50], Y_IRIS[:50], classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and list(clf.classes_) == [0, 1, 2]
    clf.partial_fit(X_STD[50:], Y_IRIS[50:])
    assert clf.n_iter_ == 2 == len(clf.loss_curve_)
    with pytest.raises(ValueError, match=r"labels \[7\].*not among the classes"):
        clf.partial_fit(X_STD[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X_STD[:3], [0, 1, 2], classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X_STD[:, :3], Y_IRIS)
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        SoftmaxClassifier(class_weight="balanced").partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])


def test_warm_start_resumes_and_checks_shapes():
    clf = SoftmaxClassifier(optimizer="gd", max_iter=20, tol=None, warm_start=True)
    first = clf.fit(X_STD, Y_IRIS).loss_curve_[-1]
    second = clf.fit(X_STD, Y_IRIS).loss_curve_
    assert second[0] < first
    with pytest.raises(ValueError, match="warm_start=True needs the classes"):
        clf.fit(X_STD[:, :3], Y_IRIS)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "optimizer",
    [SGD(batch_size=16), Adam(batch_size=16), "random_search", "random_local_search"],
    ids=["sgd", "adam", "random_search", "random_local_search"],
)
def test_same_seed_bit_identical_other_seed_different(cls, optimizer):
    def fit(seed):
        clf = cls(optimizer=optimizer, max_iter=20, tol=None, random_state=seed)
        return clf.fit(X_STD, Y_IRIS).coef_

    np.testing.assert_array_equal(fit(3), fit(3))
    assert not np.array_equal(fit(3), fit(4))


# -- bad input -----------------------------------------------------------------

BAD_FIT = [
    (np.array([[np.nan, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "NaN"),
    (np.array([[np.inf, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "infinity"),
    (np.array([[1 + 1j, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "[Cc]omplex"),
    (np.empty((0, 2)), [], ValueError, "0 sample"),
    (np.array([1.0, 2.0]), [0, 1], ValueError, "2D array"),
    (np.ones((2, 2, 2)), [0, 1], ValueError, "dim"),
    (np.ones((3, 2)), [0, 1], ValueError, "inconsistent numbers of samples"),
    (np.ones((3, 2)), [0.5, 1.5, 2.2], ValueError, "Unknown label type"),
    (np.ones((3, 2)), [1, 1, 1], ValueError, "only one class"),
    (np.array([["a", "b"], ["c", "d"]], dtype=object), [0, 1], ValueError, "could not convert"),
]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("X, y, error, match", BAD_FIT)
def test_bad_training_data(cls, X, y, error, match):
    with pytest.raises(error, match=match):
        cls().fit(X, y)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (np.array([1.0, -1.0, 1.0]), "negative"),
        (np.array([1.0, np.nan, 1.0]), "NaN"),
        (np.zeros(3), "sums to zero"),
        (np.ones(4), r"shape \(3,\)"),
        (np.ones((3, 1)), r"shape \(3,\)"),
    ],
)
def test_bad_sample_weight(sample_weight, match):
    X, y = np.array([[0.0, 1], [1, 0], [1, 1]]), [0, 1, 1]
    with pytest.raises(ValueError, match=match):
        SoftmaxClassifier().fit(X, y, sample_weight=sample_weight)


def test_bad_predict_input_and_parameters():
    clf = SVMClassifier().fit(X_STD, Y_IRIS)
    with pytest.raises(ValueError, match="4 features"):
        clf.predict(X_STD[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        clf.decision_function(np.full((1, 4), np.nan))
    for params, match in [
        ({"optimizer": "newton"}, "optimizer"),
        ({"alpha": -1.0}, "alpha"),
        ({"max_iter": 0}, "max_iter"),
        ({"penalty": "l3"}, "penalty"),
        ({"optimizer": SGD(learning_rate=-1)}, "learning_rate"),
        ({"optimizer": SGD(batch_size=0)}, "batch_size"),
    ]:
        with pytest.raises(ValueError, match=match):
            SVMClassifier(**params).fit(X_STD, Y_IRIS)


@pytest.mark.parametrize("scale", [1e-150, 1e100, 1e200])
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC + [GradientDescent(learning_rate=1e6)])
def test_extreme_scales_end_finite_or_with_the_divergence_error(scale, cls, optimizer):
    clf = cls(optimizer=optimizer, max_iter=30, random_state=0)
    try:
        clf.fit(X_STD * scale, Y_IRIS)
    except ValueError as exc:
        assert "diverged" in str(exc)
        assert not hasattr(clf, "coef_")
    else:
        assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
