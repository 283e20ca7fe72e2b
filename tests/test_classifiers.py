"""The estimators SVMClassifier and SoftmaxClassifier.

scikit-learn integration, fitted state, the binary convention, the
cross-check with LogisticRegression, dtypes and sparse input, weights,
partial_fit and warm_start, determinism, bad input and divergence.
"""

import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal as assert_equal
from scipy import sparse
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import SGD, GradientDescent, RandomSearch

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_STD = StandardScaler().fit_transform(X_IRIS)
IRIS = (X_STD, Y_IRIS)
NAMES = np.array(["setosa", "versicolor", "virginica"])
CLASSES = [SVMClassifier, SoftmaxClassifier]
BASIC = ["sgd", "gd", "random_search"]
# Minimum training accuracy on standardized iris (random search is bad on purpose).
MIN_ACCURACY = {"sgd": 0.9, "gd": 0.9, "random_search": 0.6}


def binary():
    """The two overlapping iris classes (versicolor, virginica), standardized."""
    mask = Y_IRIS > 0
    return X_STD[mask], Y_IRIS[mask]


def fast(cls, optimizer, **params):
    """An estimator with a small budget: enough for iris, quick for the tests.

    A fixed number of iterations (tol=None), which claims no convergence: the
    stopping rule and its warnings are tested on their own (test_tol_*,
    test_convergence_warning_*).
    """
    params.setdefault("max_iter", 200 if optimizer == "random_search" else 100)
    params.setdefault("tol", None)
    params.setdefault("random_state", 0)
    return cls(optimizer=optimizer, **params)


# -- integration ----------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_pipeline_with_standard_scaler(cls, optimizer):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", fast(cls, optimizer))])
    pipe.fit(X_IRIS, Y_IRIS)
    assert pipe.score(X_IRIS, Y_IRIS) > MIN_ACCURACY[optimizer]
    clf = pipe.named_steps["clf"]
    assert clf.coef_.shape == (3, 4)
    # The pipeline's decision function is the classifier's on scaled data.
    assert_allclose(
        pipe.decision_function(X_IRIS),
        clf.decision_function(X_STD),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_cross_val_score(cls, optimizer):
    pipe = make_pipeline(StandardScaler(), fast(cls, optimizer))
    scores = cross_val_score(pipe, X_IRIS, Y_IRIS, cv=5)
    assert scores.shape == (5,)
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores.mean() > MIN_ACCURACY[optimizer] - 0.05


@pytest.mark.parametrize("cls", CLASSES)
def test_grid_search_over_optimizer_string(cls):
    base = cls(max_iter=30, tol=None, random_state=0)
    search = GridSearchCV(base, {"optimizer": ["sgd", "gd"]}, cv=3).fit(*IRIS)
    assert search.best_params_["optimizer"] in ("sgd", "gd")
    assert list(search.cv_results_["param_optimizer"]) == ["sgd", "gd"]
    # Every grid point's score is the one of a model built with that value.
    for value, score in zip(["sgd", "gd"], search.cv_results_["mean_test_score"]):
        est = clone(base).set_params(optimizer=value)
        expected = cross_val_score(est, X_STD, Y_IRIS, cv=3)
        assert score == pytest.approx(expected.mean(), abs=1e-12)
    assert search.best_estimator_.optimizer == search.best_params_["optimizer"]
    assert base.optimizer == "auto" and not hasattr(base, "coef_")


def test_grid_search_over_optimizer_learning_rate():
    base = SoftmaxClassifier(optimizer=SGD(), max_iter=10, tol=None, random_state=0)
    grid = [1e-5, 0.1, 1.0]
    search = GridSearchCV(base, {"optimizer__learning_rate": grid}, cv=3).fit(*IRIS)
    assert search.best_params_["optimizer__learning_rate"] in grid
    assert list(search.cv_results_["param_optimizer__learning_rate"]) == grid
    scores = search.cv_results_["mean_test_score"]
    for value, score in zip(grid, scores):
        est = clone(base).set_params(optimizer__learning_rate=value)
        expected = cross_val_score(est, X_STD, Y_IRIS, cv=3).mean()
        assert score == pytest.approx(expected, abs=1e-12)
    # A step of 1e-5 barely moves in 10 epochs: the values were really used.
    assert scores[0] < scores[1]
    best = search.best_params_["optimizer__learning_rate"]
    assert search.best_estimator_.optimizer.learning_rate == best
    assert search.best_estimator_.get_params()["optimizer__learning_rate"] == best
    # The estimator given to the search keeps its optimizer untouched.
    assert base.optimizer.learning_rate == "auto"


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "optimizer",
    BASIC + [SGD(batch_size=7, learning_rate=0.3)],
    ids=BASIC + ["SGD-instance"],
)
def test_clone_unfitted_with_equal_params(cls, optimizer):
    est = cls(alpha=0.5, optimizer=optimizer, max_iter=11, tol=None, random_state=3)
    fitted = clone(est).fit(*IRIS)
    for source in (est, fitted):
        copy = clone(source)
        assert not hasattr(copy, "coef_") and not hasattr(copy, "classes_")
        params, copied = source.get_params(deep=False), copy.get_params(deep=False)
        assert params.keys() == copied.keys()
        for key, value in params.items():
            if key == "optimizer" and not isinstance(value, str):
                assert copied[key] is not value
                assert type(copied[key]) is type(value)
                assert copied[key].get_params() == value.get_params()
            else:
                assert copied[key] == value, key
    # Deep parameters reach into the optimizer instance.
    if not isinstance(optimizer, str):
        assert clone(est).get_params()["optimizer__batch_size"] == 7


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_pickle_round_trip(cls, optimizer, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    clf = fast(cls, optimizer).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert_equal(again.coef_, clf.coef_)
    assert_equal(again.intercept_, clf.intercept_)
    assert_equal(again.classes_, clf.classes_)
    assert_equal(again.predict(X), clf.predict(X))
    assert_equal(again.decision_function(X), clf.decision_function(X))
    if cls is SoftmaxClassifier:
        assert_equal(again.predict_proba(X), clf.predict_proba(X))
        assert_equal(again.predict_log_proba(X), clf.predict_log_proba(X))
    assert again.loss_curve_ == clf.loss_curve_ and again.n_iter_ == clf.n_iter_


@pytest.mark.parametrize("cls", CLASSES)
def test_pickled_model_resumes_partial_fit_identically(cls):
    clf = cls(optimizer=SGD(batch_size=16), random_state=0)
    clf.partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    again = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X_STD, Y_IRIS)
    again.partial_fit(X_STD, Y_IRIS)
    assert_equal(again.coef_, clf.coef_)
    assert again.loss_curve_ == clf.loss_curve_


# -- fitted attributes ------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_fitted_attributes_with_string_labels(cls, optimizer):
    labels = NAMES[Y_IRIS]
    clf = fast(cls, optimizer).fit(X_STD, labels)
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    assert clf.coef_.dtype == np.float64
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    assert_equal(clf.classes_, NAMES)
    assert clf.n_features_in_ == 4
    assert not hasattr(clf, "feature_names_in_")
    assert isinstance(clf.n_iter_, int) and clf.n_iter_ >= 1
    assert isinstance(clf.loss_curve_, list) and len(clf.loss_curve_) == clf.n_iter_
    assert all(isinstance(v, float) and np.isfinite(v) for v in clf.loss_curve_)
    pred = clf.predict(X_STD)
    assert set(pred) <= set(NAMES)
    assert_equal(pred, NAMES[clf.decision_function(X_STD).argmax(axis=1)])
    assert clf.score(X_STD, labels) > MIN_ACCURACY[optimizer]
    # Training lowered the objective below its value at W = 0, b = 0.
    start = np.log(3) if cls is SoftmaxClassifier else 2.0
    assert clf.loss_curve_[-1] < start


def test_feature_names_in_from_a_dataframe():
    import pandas as pd

    frame = pd.DataFrame(X_STD, columns=["sl", "sw", "pl", "pw"])
    clf = SoftmaxClassifier(optimizer="gd", max_iter=20, tol=None).fit(frame, Y_IRIS)
    assert_equal(clf.feature_names_in_, ["sl", "sw", "pl", "pw"])
    assert clf.n_features_in_ == 4
    with pytest.warns(UserWarning, match="valid feature names"):
        assert_equal(clf.predict(frame), clf.predict(X_STD))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"sl": "other"}))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "optimizer",
    ["gd", "sgd", SGD(batch_size=32, exact_objective=True)],
    ids=["gd", "sgd", "sgd-32-exact"],
)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_objective_equals_last_loss(cls, optimizer, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    clf = cls(optimizer=optimizer, max_iter=40, tol=None, random_state=0).fit(X, y)
    value = clf.objective(X, y)
    assert isinstance(value, float)
    assert value == pytest.approx(clf.loss_curve_[-1], rel=1e-10, abs=0)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_random_search_loss_curve_non_increasing(cls, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    clf = cls(optimizer="random_search", max_iter=300, random_state=0).fit(X, y)
    curve = np.array(clf.loss_curve_)
    assert len(curve) == clf.n_iter_ == 300
    assert np.all(np.diff(curve) <= 0)
    assert curve[-1] < curve[0]  # some candidate improved on the first ones
    assert clf.objective(X, y) == pytest.approx(curve[-1], rel=1e-10, abs=0)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_tol_none_runs_exactly_max_iter(cls, optimizer):
    clf = cls(optimizer=optimizer, tol=None, max_iter=17, random_state=0).fit(*IRIS)
    assert clf.n_iter_ == 17 == len(clf.loss_curve_)


@pytest.mark.parametrize("cls", CLASSES)
def test_tol_stops_gd_but_not_random_search(cls):
    # So coarse a tol stops well short of the optimum, and the fit says so.
    with pytest.warns(ConvergenceWarning, match="stopped on tol=0.01 .* above the"):
        clf = cls(optimizer="gd", tol=1e-2, max_iter=500).fit(*IRIS)
    assert clf.n_iter_ < 500 and len(clf.loss_curve_) == clf.n_iter_
    clf = cls(optimizer="random_search", tol=1e-2, max_iter=60, random_state=0)
    assert clf.fit(*IRIS).n_iter_ == 60


@pytest.mark.parametrize("cls", CLASSES)
def test_convergence_warning_only_when_tol_applies(cls):
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        cls(optimizer="gd", max_iter=3).fit(*IRIS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        cls(optimizer="gd", max_iter=3, tol=None).fit(*IRIS)
        cls(optimizer="random_search", max_iter=3, random_state=0).fit(*IRIS)


@pytest.mark.parametrize("cls", CLASSES)
def test_verbose_random_search_prints_the_lecture_lines(cls, capsys):
    clf = cls(optimizer="random_search", max_iter=5, verbose=1, random_state=0)
    clf.fit(*IRIS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    pattern = re.compile(r"^in attempt (\d+) the loss was (\S+), best (\S+)$")
    losses, bests = [], []
    for i, line in enumerate(lines):
        match = pattern.match(line)
        assert match, line
        assert int(match.group(1)) == i
        losses.append(float(match.group(2)))
        bests.append(float(match.group(3)))
    start = np.log(3) if cls is SoftmaxClassifier else 2.0  # the objective at 0
    expected = np.minimum.accumulate(np.minimum(start, losses))
    assert_allclose(bests, expected, atol=2e-6)
    assert_allclose(bests, clf.loss_curve_, atol=2e-6)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", ["gd", "sgd"])
def test_verbose_prints_one_line_per_iteration(cls, optimizer, capsys):
    clf = cls(optimizer=optimizer, max_iter=4, tol=None, verbose=1).fit(*IRIS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 == clf.n_iter_
    for i, (line, value) in enumerate(zip(lines, clf.loss_curve_), start=1):
        match = re.match(r"^iteration (\d+): objective ([-\d.]+)", line)
        assert match, line
        assert int(match.group(1)) == i
        assert float(match.group(2)) == pytest.approx(value, abs=2e-6)


def test_verbose_zero_prints_nothing(capsys):
    SVMClassifier(optimizer="random_search", max_iter=5, random_state=0).fit(*IRIS)
    SoftmaxClassifier(optimizer="gd", max_iter=5, tol=None).fit(*IRIS)
    assert capsys.readouterr().out == ""


# -- the binary convention -----------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_binary_shapes_and_decision_function(cls, optimizer):
    X, y = binary()
    labels = NAMES[y]
    # Subgradient steps on the hinge shrink as 1 / sqrt(t): 300 of them.
    clf = fast(cls, optimizer, max_iter=200 if optimizer == "random_search" else 300)
    clf.fit(X, labels)
    assert clf.coef_.shape == (1, 4) and clf.intercept_.shape == (1,)
    assert_equal(clf.classes_, ["versicolor", "virginica"])
    margin = clf.decision_function(X)
    assert margin.shape == (X.shape[0],)
    assert_allclose(margin, X @ clf.coef_[0] + clf.intercept_[0], rtol=1e-12)
    assert_equal(clf.predict(X), np.where(margin > 0, "virginica", "versicolor"))
    assert clf.score(X, labels) > (0.7 if optimizer == "random_search" else 0.9)


@pytest.mark.parametrize("optimizer", BASIC)
def test_binary_predict_proba_is_the_sigmoid_of_the_margin(optimizer):
    X, y = binary()
    clf = fast(SoftmaxClassifier, optimizer).fit(X, y)
    margin = clf.decision_function(X)
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], 2)
    assert_allclose(proba[:, 0], 1 - expit(margin), rtol=1e-12, atol=1e-15)
    assert_allclose(proba[:, 1], expit(margin), rtol=1e-12, atol=1e-15)
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-14)
    log_proba = clf.predict_log_proba(X)
    assert log_proba.shape == (X.shape[0], 2)
    finite = proba > 0
    assert_allclose(log_proba[finite], np.log(proba[finite]), rtol=1e-10)
    assert_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


@pytest.mark.parametrize("optimizer", BASIC)
def test_multiclass_predict_proba(optimizer):
    clf = fast(SoftmaxClassifier, optimizer).fit(*IRIS)
    proba = clf.predict_proba(X_STD)
    assert proba.shape == (150, 3)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-14)
    scores = clf.decision_function(X_STD)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    assert_allclose(proba, expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)
    log_proba = clf.predict_log_proba(X_STD)
    assert_allclose(log_proba, np.log(proba), rtol=1e-10)
    assert_equal(proba.argmax(axis=1), clf.predict(X_STD))


def test_svm_has_no_predict_proba():
    clf = SVMClassifier(optimizer="gd", max_iter=5, tol=None).fit(*IRIS)
    assert not hasattr(clf, "predict_proba")


@pytest.mark.parametrize("problem", ["multiclass", "binary"])
@pytest.mark.parametrize("how", ["scale_X", "large_coef"])
def test_huge_logits_give_finite_probabilities(problem, how):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    clf = SoftmaxClassifier(optimizer="gd", max_iter=50, tol=None).fit(X, y)
    if how == "scale_X":
        X = X * 1e4
    else:
        clf.coef_ = clf.coef_ * 1e250
    scores = clf.decision_function(X)
    assert np.max(np.abs(scores)) > 1e3  # the logits are really huge
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
    assert np.all(np.isfinite(log_proba)) and np.all(log_proba <= 0)
    assert_allclose(np.exp(log_proba), proba, atol=1e-15)
    # The winning class has log-probability ~0, the others about minus the gap.
    assert_equal(log_proba.argmax(axis=1), proba.argmax(axis=1))
    if problem == "binary":
        assert_allclose(log_proba.min(axis=1), -np.abs(scores), rtol=1e-6)


# -- cross-check with scikit-learn ---------------------------------------------


def test_softmax_l2_matches_logistic_regression_multiclass():
    a, n = 1e-2, X_STD.shape[0]
    ours = SoftmaxClassifier(
        alpha=a, penalty="l2", optimizer="gd", tol=1e-12, max_iter=5000
    )
    ours.fit(*IRIS)
    assert ours.n_iter_ < 5000  # converged by the tolerance, not the budget
    ref = LogisticRegression(C=1 / (2 * a * n), tol=1e-10, max_iter=10000).fit(*IRIS)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    # Intercepts are defined up to a common shift; compare them centered.
    assert_allclose(
        ours.intercept_ - ours.intercept_.mean(),
        ref.intercept_ - ref.intercept_.mean(),
        atol=1e-4,
    )
    assert_equal(ours.predict(X_STD), ref.predict(X_STD))
    assert_allclose(ours.predict_proba(X_STD), ref.predict_proba(X_STD), atol=1e-5)


def test_softmax_l2_matches_logistic_regression_binary():
    # Two rows [-d, d] with coef_ = 2 d: alpha * 2 |d|^2 = alpha |coef_|^2 / 2,
    # the objective of LogisticRegression(C=1 / (alpha * n)).
    X, y = binary()
    a, n = 1e-2, X.shape[0]
    ours = SoftmaxClassifier(alpha=a, optimizer="gd", tol=1e-12, max_iter=5000)
    ours.fit(X, y)
    ref = LogisticRegression(C=1 / (a * n), tol=1e-10, max_iter=10000).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)


# -- dtypes, sparse input, inputs left alone -----------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_float32_in_float32_out(cls, optimizer, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    X32 = X.astype(np.float32)
    clf = fast(cls, optimizer, max_iter=30).fit(X32, y)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
    assert np.all(np.isfinite(clf.coef_))
    clf.partial_fit(X32, y)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
    sparse_fit = fast(cls, optimizer, max_iter=5).fit(sparse.csr_matrix(X32), y)
    assert sparse_fit.coef_.dtype == np.float32


@pytest.mark.parametrize("cls", CLASSES)
def test_integer_X_gives_float64_coef(cls):
    X = np.round(X_IRIS * 10).astype(np.int64)
    clf = cls(optimizer="gd", max_iter=5, tol=None).fit(X, Y_IRIS)
    assert clf.coef_.dtype == np.float64
    assert_allclose(
        clf.decision_function(X), clf.decision_function(X.astype(float)), rtol=1e-12
    )


def sparsified():
    X = X_STD.copy()
    X[np.abs(X) < 0.5] = 0
    return X


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", ["gd", SGD(batch_size=32), "random_search"],
                         ids=["gd", "sgd-32", "random_search"])
def test_csr_input_matches_dense(cls, optimizer):
    X = sparsified()
    Xs = sparse.csr_matrix(X)
    params = dict(optimizer=optimizer, max_iter=40, tol=None, random_state=0)
    dense = cls(**params).fit(X, Y_IRIS)
    csr = cls(**params).fit(Xs, Y_IRIS)
    assert sparse.issparse(Xs) and Xs.format == "csr"
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(csr.intercept_, dense.intercept_, rtol=1e-7, atol=1e-9)
    assert_equal(csr.predict(Xs), dense.predict(X))
    assert_equal(csr.predict(Xs), csr.predict(X))
    margin = csr.decision_function(Xs)
    assert isinstance(margin, np.ndarray) and margin.shape == (150, 3)
    assert_allclose(margin, dense.decision_function(X), rtol=1e-6, atol=1e-8)
    if cls is SoftmaxClassifier:
        assert_allclose(csr.predict_proba(Xs), dense.predict_proba(X), atol=1e-8)
    expected = dense.objective(X, Y_IRIS)
    assert csr.objective(Xs, Y_IRIS) == pytest.approx(expected, rel=1e-8)


def test_csr_binary_decision_function_is_1d():
    X, y = binary()
    clf = SoftmaxClassifier(optimizer="gd", max_iter=10, tol=None).fit(X, y)
    margin = clf.decision_function(sparse.csr_matrix(X))
    assert margin.shape == (X.shape[0],)
    assert_allclose(margin, clf.decision_function(X), rtol=1e-12)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inputs_are_never_modified(cls, optimizer, dtype):
    X = np.asfortranarray(X_STD.astype(dtype)) if dtype == np.float32 else X_STD.copy()
    y = NAMES[Y_IRIS]
    sw = np.linspace(0.5, 1.5, len(y))
    copies = X.copy(), y.copy(), sw.copy()
    clf = fast(cls, optimizer, max_iter=10, class_weight={"setosa": 2.0})
    clf.fit(X, y, sample_weight=sw)
    clf.partial_fit(X, y, sample_weight=sw)
    clf.predict(X)
    clf.decision_function(X)
    clf.score(X, y, sample_weight=sw)
    clf.objective(X, y, sample_weight=sw)
    if cls is SoftmaxClassifier:
        clf.predict_proba(X)
        clf.predict_log_proba(X)
    other = fast(cls, optimizer, max_iter=10)
    other.partial_fit(X, y, classes=NAMES, sample_weight=sw)
    for original, copy in zip((X, y, sw), copies):
        assert_equal(original, copy)


def test_sparse_input_is_never_modified():
    Xs = sparse.csr_matrix(sparsified())
    data, indices, indptr = Xs.data.copy(), Xs.indices.copy(), Xs.indptr.copy()
    clf = SoftmaxClassifier(optimizer=SGD(batch_size=16), max_iter=5, tol=None,
                            random_state=0)
    clf.fit(Xs, Y_IRIS).partial_fit(Xs, Y_IRIS)
    clf.predict_proba(Xs)
    assert_equal(Xs.data, data)
    assert_equal(Xs.indices, indices)
    assert_equal(Xs.indptr, indptr)


# -- sample weights and class weights ------------------------------------------

WEIGHTS = np.random.RandomState(0).randint(0, 4, size=len(Y_IRIS))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_integer_weights_equal_repeated_rows(cls, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    w = WEIGHTS[: len(y)]
    params = dict(optimizer="gd", max_iter=60, tol=None)
    weighted = cls(**params).fit(X, y, sample_weight=w)
    repeated = cls(**params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-7, atol=1e-10)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("cls", CLASSES)
def test_zero_weights_equal_removed_rows(cls):
    keep = np.arange(len(Y_IRIS)) % 3 != 0
    params = dict(optimizer="gd", max_iter=60, tol=None)
    weighted = cls(**params).fit(X_STD, Y_IRIS, sample_weight=keep.astype(float))
    removed = cls(**params).fit(X_STD[keep], Y_IRIS[keep])
    assert_allclose(weighted.coef_, removed.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(weighted.intercept_, removed.intercept_, rtol=1e-7, atol=1e-10)
    # The objective with those weights is the objective of the kept rows.
    value = weighted.objective(X_STD, Y_IRIS, sample_weight=keep.astype(float))
    kept = weighted.objective(X_STD[keep], Y_IRIS[keep])
    assert value == pytest.approx(kept, rel=1e-12)


@pytest.mark.parametrize("cls", CLASSES)
def test_uniform_weights_change_nothing(cls):
    params = dict(optimizer="gd", max_iter=30, tol=None)
    plain = cls(**params).fit(*IRIS)
    scaled = cls(**params).fit(X_STD, Y_IRIS, sample_weight=np.full(150, 2.5))
    assert_allclose(scaled.coef_, plain.coef_, rtol=1e-10, atol=1e-12)


def imbalanced():
    return make_blobs(n_samples=[200, 20], centers=[[0, 0], [1.5, 1.5]], random_state=0)


@pytest.mark.parametrize("cls", CLASSES)
def test_class_weight_dict_equals_sample_weights(cls):
    X, y = make_blobs(n_samples=120, centers=3, random_state=0)
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    params = dict(optimizer="gd", max_iter=40, tol=None)
    by_class = cls(class_weight=cw, **params).fit(X, y)
    by_sample = cls(**params).fit(X, y, sample_weight=np.array([cw[c] for c in y]))
    assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-10, atol=1e-12)
    # Class and sample weights multiply.
    sw = np.linspace(0.5, 2, len(y))
    both = cls(class_weight=cw, **params).fit(X, y, sample_weight=sw)
    product = cls(**params).fit(X, y, sample_weight=sw * np.array([cw[c] for c in y]))
    assert_allclose(both.coef_, product.coef_, rtol=1e-10, atol=1e-12)


def test_class_weight_shifts_predictions_to_the_heavy_class():
    X, y = imbalanced()
    # The exact solver: gradient descent at the default tol stops short of the
    # optimum on these data (and warns).
    plain = SoftmaxClassifier(optimizer="lbfgs").fit(X, y)
    heavy = SoftmaxClassifier(optimizer="lbfgs", class_weight={1: 10}).fit(X, y)
    balanced = SoftmaxClassifier(optimizer="lbfgs", class_weight="balanced").fit(X, y)
    minority = (plain.predict(X) == 1).sum()
    assert (heavy.predict(X) == 1).sum() > minority
    assert (balanced.predict(X) == 1).sum() > minority


@pytest.mark.parametrize("cls", CLASSES)
def test_class_weight_balanced_is_n_over_k_counts(cls):
    X, y = imbalanced()
    params = dict(optimizer="gd", max_iter=40, tol=None)
    balanced = cls(class_weight="balanced", **params).fit(X, y)
    cw = {0: 220 / (2 * 200), 1: 220 / (2 * 20)}  # n / (n_classes * count)
    manual = cls(class_weight=cw, **params).fit(X, y)
    assert_allclose(balanced.coef_, manual.coef_, rtol=1e-10)


def test_class_weight_with_string_labels():
    labels = NAMES[Y_IRIS]
    params = dict(optimizer="gd", max_iter=30, tol=None)
    named = SoftmaxClassifier(class_weight={"virginica": 4.0}, **params)
    named.fit(X_STD, labels)
    indexed = SoftmaxClassifier(class_weight={2: 4.0}, **params).fit(*IRIS)
    assert_allclose(named.coef_, indexed.coef_, rtol=1e-12)
    plain = SoftmaxClassifier(**params).fit(*IRIS)
    assert not np.allclose(plain.coef_, indexed.coef_)


# -- partial_fit ----------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_requires_classes_on_first_call(cls):
    clf = cls()
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X_STD, Y_IRIS)
    assert not hasattr(clf, "coef_")


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_rejects_undeclared_labels(cls):
    clf = cls()
    with pytest.raises(ValueError, match=r"\[7\].*not among the classes"):
        clf.partial_fit(X_STD[:3], [0, 1, 7], classes=[0, 1, 2])
    clf = cls().partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"\[5\].*not among the classes"):
        clf.partial_fit(X_STD[:3], [0, 5, 2])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X_STD[:3], [0, 1, 2], classes=[0, 1, 2, 3])


@pytest.mark.parametrize("cls", CLASSES)
def test_failed_first_partial_fit_leaves_the_estimator_fresh(cls):
    # A first call rejected for a bad label must not count as a first call.
    clf = cls(optimizer="gd")
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X_STD[:3], [0, 1, 7], classes=[0, 1, 2])
    clf.partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 1
    reference = cls(optimizer="gd").partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    assert_equal(clf.coef_, reference.coef_)


@pytest.mark.parametrize("cls", CLASSES)
def test_failed_fit_does_not_break_a_later_partial_fit(cls):
    clf = cls(optimizer="gd")
    with pytest.raises(ValueError, match="negative"):
        clf.fit(X_STD, Y_IRIS, sample_weight=-np.ones(150))
    clf.partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 1


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
def test_partial_fit_adds_one_iteration_a_call(cls, optimizer):
    clf = cls(optimizer=optimizer, random_state=0)
    for k in range(1, 4):
        clf.partial_fit(X_STD[k * 10 :], Y_IRIS[k * 10 :], classes=[0, 1, 2])
        assert clf.n_iter_ == k == len(clf.loss_curve_)
    assert_equal(clf.classes_, [0, 1, 2])
    assert clf.coef_.shape == (3, 4)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", ["gd", SGD(batch_size=32)], ids=["gd", "sgd-32"])
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_k_partial_fits_equal_fit_with_max_iter_k(cls, optimizer, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    k = 6
    fitted = cls(optimizer=optimizer, max_iter=k, tol=None, random_state=0).fit(X, y)
    stepped = cls(optimizer=optimizer, random_state=0)
    for _ in range(k):
        stepped.partial_fit(X, y, classes=np.unique(y))
    assert_allclose(stepped.coef_, fitted.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(stepped.intercept_, fitted.intercept_, rtol=1e-12, atol=1e-14)
    assert_allclose(stepped.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    assert stepped.n_iter_ == fitted.n_iter_ == k


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_rejects_a_change_of_features(cls):
    clf = cls().partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X_STD[:, :3], Y_IRIS)
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(np.hstack([X_STD, X_STD]), Y_IRIS)
    assert clf.n_iter_ == 1


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_rejects_balanced_class_weight_and_early_stopping(cls):
    with pytest.raises(ValueError, match="balanced"):
        cls(class_weight="balanced").partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping"):
        cls(early_stopping=True).partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_with_class_weight_dict(cls):
    cw = {0: 2.0, 1: 1.0, 2: 0.5}
    by_class = cls(optimizer="gd", class_weight=cw)
    by_class.partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    sw = np.array([cw[c] for c in Y_IRIS])
    by_sample = cls(optimizer="gd")
    by_sample.partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2], sample_weight=sw)
    assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-12)


# -- warm_start -------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_warm_start_continues_from_the_previous_coef(cls, problem):
    X, y = (X_STD, Y_IRIS) if problem == "multiclass" else binary()
    clf = cls(optimizer="gd", max_iter=20, tol=None, warm_start=True).fit(X, y)
    previous = clf.objective(X, y)
    coef = clf.coef_.copy()
    clf.set_params(max_iter=1).fit(X, y)
    assert clf.n_iter_ == 1
    assert clf.loss_curve_[0] <= previous
    assert not np.array_equal(clf.coef_, coef)
    # One more step from there is the 21st step of a single run.
    single = cls(optimizer="gd", max_iter=21, tol=None).fit(X, y)
    assert_allclose(clf.coef_, single.coef_, rtol=1e-12, atol=1e-14)
    # Without warm_start, a second fit starts over.
    cold = cls(optimizer="gd", max_iter=1, tol=None).fit(X, y)
    assert cold.loss_curve_[0] > clf.loss_curve_[0]


@pytest.mark.parametrize("cls", CLASSES)
def test_warm_start_false_refits_from_scratch(cls):
    clf = cls(optimizer="gd", max_iter=10, tol=None)
    first = clf.fit(*IRIS).coef_.copy()
    assert_equal(clf.fit(*IRIS).coef_, first)


def test_warm_start_with_other_features_raises():
    clf = SoftmaxClassifier(optimizer="gd", max_iter=5, tol=None, warm_start=True)
    clf.fit(*IRIS)
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit(X_STD[:, :3], Y_IRIS)


# -- determinism ------------------------------------------------------------------

SEEDED = [SGD(batch_size=16), "random_search"]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "optimizer", BASIC + [SGD(batch_size=16)], ids=BASIC + ["sgd-16"]
)
def test_same_random_state_is_bit_identical(cls, optimizer):
    def fit():
        clf = cls(optimizer=optimizer, max_iter=15, tol=None, random_state=7)
        return clf.fit(*IRIS)

    a, b = fit(), fit()
    assert np.array_equal(a.coef_, b.coef_)
    assert np.array_equal(a.intercept_, b.intercept_)
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", SEEDED, ids=["sgd-16", "random_search"])
def test_other_random_state_changes_the_stochastic_optimizers(cls, optimizer):
    def fit(seed):
        return cls(optimizer=optimizer, max_iter=15, tol=None, random_state=seed).fit(
            X_STD, Y_IRIS
        ).coef_

    assert not np.array_equal(fit(1), fit(2))


@pytest.mark.parametrize("cls", CLASSES)
def test_gd_does_not_depend_on_random_state(cls):
    def fit(seed):
        return cls(optimizer="gd", max_iter=15, tol=None, random_state=seed).fit(*IRIS)

    assert np.array_equal(fit(1).coef_, fit(2).coef_)


def test_random_state_instance_gives_the_model_of_its_seed():
    # A RandomState passed in gives the model of its current state.
    rs = np.random.RandomState(5)
    clf = SVMClassifier(optimizer="random_search", max_iter=20, random_state=rs)
    first = clf.fit(*IRIS).coef_.copy()
    again = SVMClassifier(
        optimizer="random_search", max_iter=20, random_state=np.random.RandomState(5)
    ).fit(*IRIS)
    assert_equal(first, again.coef_)


# -- bad input ----------------------------------------------------------------------

X4 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
Y4 = np.array([0, 1, 1, 0])



def two(first):
    """A 2 x 2 array whose first entry is ``first``."""
    return np.array([[first, 1.0], [1.0, 2.0]])


BAD_X = [
    pytest.param(two(np.nan), [0, 1], ValueError, "NaN", id="nan"),
    pytest.param(two(np.inf), [0, 1], ValueError, "infinity", id="inf"),
    pytest.param(two(-np.inf), [0, 1], ValueError, "infinity", id="-inf"),
    pytest.param(two(1 + 1j), [0, 1], ValueError, "[Cc]omplex", id="complex"),
    pytest.param(np.empty((0, 2)), [], ValueError, "0 sample", id="empty"),
    pytest.param(np.array([1.0, 2.0]), [0, 1], ValueError, "2D array", id="1d"),
    pytest.param(np.ones((2, 2, 2)), [0, 1], ValueError, "dim 3", id="3d"),
    pytest.param(np.ones((3, 2)), [0, 1], ValueError, "inconsistent numbers of samples",
                 id="length-mismatch"),
    pytest.param(np.ones((3, 2)), [0.5, 1.5, 2.2], ValueError, "Unknown label type",
                 id="continuous-y"),
    pytest.param(np.array([["a", "b"], ["c", "d"]], dtype=object), [0, 1], ValueError,
                 "could not convert", id="strings"),
]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("X, y, error, match", BAD_X)
def test_bad_training_data(cls, X, y, error, match):
    with pytest.raises(error, match=match):
        cls().fit(X, y)
    with pytest.raises(error, match=match):
        cls().partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("cls", CLASSES)
def test_single_class_y(cls):
    with pytest.raises(ValueError, match="only one class"):
        cls().fit(np.ones((3, 2)), [1, 1, 1])
    with pytest.raises(ValueError, match="only one class"):
        cls().partial_fit(np.ones((3, 2)), [1, 1, 1], classes=[1])


@pytest.mark.parametrize("cls", CLASSES)
def test_bad_prediction_input(cls):
    clf = cls(optimizer="gd", max_iter=5, tol=None).fit(*IRIS)
    for method in ("predict", "decision_function"):
        with pytest.raises(ValueError, match="4 features"):
            getattr(clf, method)(X_STD[:, :2])
        with pytest.raises(ValueError, match="NaN"):
            getattr(clf, method)(np.full((1, 4), np.nan))
        with pytest.raises(ValueError, match="2D array"):
            getattr(clf, method)(X_STD[0])
    with pytest.raises(ValueError, match="features"):
        clf.objective(X_STD[:, :2], Y_IRIS)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.objective(X_STD[:3], [0, 1, 9])


@pytest.mark.parametrize("cls", CLASSES)
def test_predict_before_fit(cls):
    with pytest.raises(NotFittedError):
        cls().predict(X_STD)
    with pytest.raises(NotFittedError):
        cls().objective(X_STD, Y_IRIS)


@pytest.mark.parametrize(
    "sample_weight, error, match",
    [
        pytest.param(np.array([1, -1.0, 1, 1]), ValueError, "negative", id="negative"),
        pytest.param(np.array([1.0, np.nan, 1.0, 1.0]), ValueError, "NaN", id="nan"),
        pytest.param(np.array([1, np.inf, 1, 1]), ValueError, "infinity", id="inf"),
        pytest.param(np.zeros(4), ValueError, "sums to zero", id="all-zero"),
        pytest.param(np.ones(5), ValueError, r"shape \(4,\)", id="too-long"),
        pytest.param(np.ones(3), ValueError, r"shape \(4,\)", id="too-short"),
        pytest.param(np.ones((4, 1)), ValueError, r"shape \(4,\)", id="2d"),
        pytest.param(np.array(list("abcd")), TypeError, "real numbers", id="strings"),
    ],
)
@pytest.mark.parametrize("cls", CLASSES)
def test_bad_sample_weight(cls, sample_weight, error, match):
    with pytest.raises(error, match=match):
        cls().fit(X4, Y4, sample_weight=sample_weight)
    with pytest.raises(error, match=match):
        cls().partial_fit(X4, Y4, classes=[0, 1], sample_weight=sample_weight)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "params, match",
    [
        pytest.param({"optimizer": "newton"}, "optimizer", id="unknown-optimizer"),
        pytest.param({"alpha": -1.0}, "alpha", id="negative-alpha"),
        pytest.param({"max_iter": 0}, "max_iter", id="max_iter-0"),
        pytest.param({"penalty": "l3"}, "penalty", id="unknown-penalty"),
        pytest.param({"tol": -1.0}, "tol", id="negative-tol"),
        pytest.param({"l1_ratio": 2.0}, "l1_ratio", id="l1_ratio"),
        pytest.param({"optimizer": SGD(learning_rate=-1)}, "learning_rate", id="lr<0"),
        pytest.param({"optimizer": SGD(batch_size=0)}, "batch_size", id="batch_size-0"),
        pytest.param({"optimizer": RandomSearch(scale=0)}, "scale", id="scale-0"),
    ],
)
def test_bad_parameters(cls, params, match):
    with pytest.raises(ValueError, match=match):
        cls(**params).fit(*IRIS)


# -- divergence -------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("scale", [1e150, 1e-150])
def test_no_fit_ends_with_non_finite_coef(cls, scale):
    clf = cls(optimizer=GradientDescent(learning_rate=1e6), max_iter=20)
    try:
        clf.fit(X_STD * scale, Y_IRIS)
    except ValueError as exc:
        assert "diverged" in str(exc)
        assert not hasattr(clf, "coef_")
    else:
        assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
        assert np.all(np.isfinite(clf.loss_curve_))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", BASIC)
@pytest.mark.parametrize("scale", [1e-150, 1e150])
def test_extreme_scales_with_default_steps(cls, optimizer, scale):
    clf = cls(optimizer=optimizer, max_iter=20, tol=None, random_state=0)
    try:
        clf.fit(X_STD * scale, Y_IRIS)
    except ValueError as exc:
        assert "diverged" in str(exc)
    else:
        assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))


@pytest.mark.parametrize("cls", CLASSES)
def test_divergence_message_names_iteration_and_learning_rate(cls):
    clf = cls(optimizer=SGD(learning_rate=1e300))
    with pytest.raises(ValueError, match="diverged") as info:
        clf.fit(*IRIS)
    message = str(info.value)
    assert re.search(r"iteration \d+", message)
    assert "learning_rate" in message
    assert not hasattr(clf, "coef_")


def test_divergence_in_a_warm_fit_keeps_the_previous_model():
    clf = SoftmaxClassifier(optimizer="gd", max_iter=10, tol=None, warm_start=True)
    coef = clf.fit(*IRIS).coef_.copy()
    intercept = clf.intercept_.copy()
    clf.set_params(optimizer=SGD(learning_rate=1e300))
    with pytest.raises(ValueError, match="learning_rate"):
        clf.fit(*IRIS)
    assert_equal(clf.coef_, coef)
    assert_equal(clf.intercept_, intercept)


def test_divergence_in_partial_fit_keeps_the_previous_model():
    clf = SoftmaxClassifier(optimizer=SGD(learning_rate=1e300))
    with pytest.raises(ValueError, match=r"iteration \d+"):
        clf.partial_fit(X_STD, Y_IRIS, classes=[0, 1, 2])
    assert not hasattr(clf, "coef_")


def test_works_without_dask():
    # dask is optional: with it unimportable the package imports and fits, and
    # importing the package does not import dask.
    code = (
        "import sys\n"
        "sys.modules['dask'] = None\n"
        "import numpy as np\n"
        "from sklinear_sgd import SVMClassifier\n"
        "X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])\n"
        "SVMClassifier(optimizer='gd').fit(X, [0, 1, 1, 0]).predict(X)\n"
        "del sys.modules['dask']\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'dask']\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("optimizer", ["sgd", "gd"])
def test_sparse_fit_with_class_weights_equals_dense_fit(cls, optimizer):
    # The sparse minibatch and blocked full-batch paths, with class and
    # sample weights, give the dense fit.
    X, y = make_blobs(n_samples=150, centers=3, n_features=12, random_state=0)
    X[np.abs(X) < 4] = 0.0
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    opt = SGD(batch_size=16, learning_rate=0.05) if optimizer == "sgd" else GradientDescent()
    params = dict(optimizer=opt, class_weight="balanced", max_iter=4, tol=None,
                  random_state=0)
    dense = cls(**params).fit(X, y, sample_weight=sw)
    csr = cls(**params).fit(sparse.csr_matrix(X), y, sample_weight=sw)
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(csr.intercept_, dense.intercept_, rtol=1e-12, atol=1e-14)
    assert_allclose(csr.loss_curve_, dense.loss_curve_, rtol=1e-12)
