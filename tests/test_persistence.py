"""Persistence: pickle and skops round trips, trusted types, versions.

A fitted model holds plain data only (no functions, lambdas or random
generator objects), loads with skops trusting only this package's types listed
in :data:`sklinear_sgd.persistence.TRUSTED_TYPES` (the user guide lists them),
predicts exactly as before either way, and resumes ``partial_fit`` exactly.
It records the package version and state format; a model of another format
is refused with a clear message.
"""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

import sklinear_sgd
from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd._base import STATE_FORMAT
from sklinear_sgd.optimizers import OPTIMIZERS, SGD, Adam
from sklinear_sgd.optimizers.schedules import ReduceOnPlateau
from sklinear_sgd.persistence import TRUSTED_TYPES

sio = pytest.importorskip("skops.io")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X_IRIS)
NAMES = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]

MODELS = [
    cls(optimizer=name)
    for cls in (SVMClassifier, SoftmaxClassifier)
    for name in OPTIMIZERS
    if not (cls is SVMClassifier and name == "lbfgs")
] + [
    SVMClassifier(optimizer=SGD(batch_size=16, momentum=0.9, schedule=ReduceOnPlateau())),
    SoftmaxClassifier(optimizer=Adam(batch_size=32), class_weight="balanced"),
    SoftmaxClassifier(optimizer="sgd", random_state=np.random.RandomState(3)),
]


def model_id(model):
    return re.sub(r" at 0x[0-9A-Fa-f]+", "", repr(model))


PROBLEMS = {
    "multiclass": (X, Y_IRIS),
    "binary": (X[50:], Y_IRIS[50:]),
    "string-labels": (X, NAMES),
}


def fit(model, problem):
    model = clone(model)
    # Five iterations exactly (tol=None), which claims no convergence; L-BFGS,
    # which stops by its own test at the optimum (and warns when a budget
    # stops it first), runs to it (about 30 iterations).
    if model.optimizer != "lbfgs":
        model.set_params(max_iter=5, tol=None)
    if not isinstance(model.random_state, np.random.RandomState):
        model.set_params(random_state=0)
    return model.fit(*PROBLEMS[problem])


def outputs(model, X):
    out = [model.predict(X), model.decision_function(X)]
    if hasattr(model, "predict_proba"):
        out += [model.predict_proba(X), model.predict_log_proba(X)]
    return out


def assert_same_model(a, b, X):
    for x, y in zip(outputs(a, X), outputs(b, X)):
        np.testing.assert_array_equal(x, y)
    for key in ("coef_", "intercept_", "classes_"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
    assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_pickle_and_skops_round_trips_predict_identically(model, problem):
    clf = fit(model, problem)
    X_test = PROBLEMS[problem][0]
    assert_same_model(pickle.loads(pickle.dumps(clf)), clf, X_test)
    data = sio.dumps(clf)
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) <= set(TRUSTED_TYPES), untrusted
    assert_same_model(sio.loads(data, trusted=TRUSTED_TYPES), clf, X_test)


@pytest.mark.parametrize("model", MODELS[:3], ids=model_id)
def test_skops_refuses_our_types_unless_trusted(model, tmp_path):
    clf = fit(model, "multiclass")
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    # A default model needs exactly its own class trusted.
    assert sio.get_untrusted_types(file=path) == [
        f"sklinear_sgd.classifiers.{type(clf).__name__}"
    ]
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path, trusted=[])
    assert_same_model(sio.load(path, trusted=TRUSTED_TYPES), clf, X)


def plain(value, path="model"):
    """Fail on anything in a fitted state but plain data and our estimators."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), path
            plain(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            plain(item, f"{path}[{i}]")
    else:
        assert not callable(value), f"{path} is callable: {value!r}"
        assert isinstance(
            value, (np.ndarray, np.generic, int, float, str, bool, type(None))
        ), f"{path} is a {type(value).__name__}"


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_the_fitted_state_is_plain_data(model):
    clf = fit(model, "multiclass")
    state = clf.__getstate__()
    plain(state["_state"], "_state")
    for key, value in state.items():
        if key not in ("optimizer", "random_state", "_state"):
            plain(value, key)
    # The random generator is kept as its bit generator's state dict.
    assert set(state["_state"]["rng"]) >= {"bit_generator", "state"}


def test_a_pickled_model_resumes_partial_fit_exactly():
    clf = SoftmaxClassifier(optimizer=SGD(batch_size=16), random_state=0)
    clf.partial_fit(X, Y_IRIS, classes=[0, 1, 2])
    via_pickle = pickle.loads(pickle.dumps(clf))
    via_skops = sio.loads(sio.dumps(clf), trusted=TRUSTED_TYPES)
    for model in (clf, via_pickle, via_skops):
        model.partial_fit(X, Y_IRIS)
    assert_same_model(via_pickle, clf, X)
    assert_same_model(via_skops, clf, X)


def test_the_state_records_the_version_and_format():
    clf = fit(MODELS[0], "multiclass")
    state = clf.__getstate__()
    assert state["_sklinear_sgd_version"] == sklinear_sgd.__version__
    assert state["_sklinear_sgd_state_format"] == STATE_FORMAT
    assert "_sklinear_sgd_version" not in clf.__dict__  # only in the saved state


@pytest.mark.parametrize("saver", ["pickle", "skops"])
@pytest.mark.parametrize("other_format", [STATE_FORMAT + 1, 0])
def test_a_model_of_another_state_format_is_refused_clearly(monkeypatch, saver, other_format):
    clf = fit(MODELS[0], "multiclass")
    original = type(clf).__getstate__

    def tampered(self):
        state = original(self)
        state["_sklinear_sgd_version"] = "9.0.0"
        state["_sklinear_sgd_state_format"] = other_format
        return state

    monkeypatch.setattr(type(clf), "__getstate__", tampered)
    data = pickle.dumps(clf) if saver == "pickle" else sio.dumps(clf)
    monkeypatch.undo()
    message = (
        rf"saved by sklinear_sgd 9\.0\.0 in state format {other_format}.*"
        rf"reads format {STATE_FORMAT} only.*refit"
    )
    with pytest.raises(ValueError, match=message):
        if saver == "pickle":
            pickle.loads(data)
        else:
            sio.loads(data, trusted=TRUSTED_TYPES)


def test_a_model_of_another_version_and_the_same_format_loads():
    clf = fit(MODELS[0], "multiclass")
    state = clf.__getstate__()
    state["_sklinear_sgd_version"] = "0.0.1"
    again = SVMClassifier.__new__(SVMClassifier)
    again.__setstate__(state)
    assert_same_model(again, clf, X)


def test_a_model_saved_before_versioned_states_loads_and_resumes():
    # Version 0.1.0 saved no version and kept a RandomState in the state.
    clf = SVMClassifier(optimizer=SGD(batch_size=16), random_state=0)
    clf.partial_fit(X, Y_IRIS, classes=[0, 1, 2])
    state = clf.__getstate__()
    del state["_sklinear_sgd_version"], state["_sklinear_sgd_state_format"]
    rng = np.random.RandomState()
    rng.set_state(state["_state"]["rng"])
    state["_state"] = dict(state["_state"], rng=rng)
    old = SVMClassifier.__new__(SVMClassifier)
    old.__setstate__(state)
    old.partial_fit(X, Y_IRIS)
    clf.partial_fit(X, Y_IRIS)
    assert_same_model(old, clf, X)


def test_the_user_guide_lists_exactly_the_trusted_types():
    guide = Path(__file__).parents[1] / "docs" / "user_guide.rst"
    listed = re.findall(r"``(sklinear_sgd\.[\w.]+)``", guide.read_text())
    documented = sorted(
        name for name in set(listed)
        if name.rsplit(".", 1)[1][0].isupper() and not name.endswith("TRUSTED_TYPES")
    )
    assert documented == TRUSTED_TYPES
