"""Bad input: every wrong call gets a ValueError or TypeError that says what to do.

One parametrized matrix over ``fit``, ``partial_fit``, ``predict``,
``decision_function``, ``predict_proba`` and ``objective``: bad ``X``, bad
``y``, bad ``sample_weight``, a changed number of features, other feature
names, undeclared labels and optimizer parameters out of range. Each case
asserts a fragment of the message that says what was wrong and one that says
what to do (where scikit-learn's parameter validation writes the message, the
second fragment is the valid range it gives). A failed call leaves a fitted
estimator as it was.
"""

import copy
import re
from collections import namedtuple

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import SGD, Adam

_X_ALL, _Y_ALL = load_iris(return_X_y=True)
ROWS = np.r_[0:10, 50:60, 100:110]
X = StandardScaler().fit_transform(_X_ALL)[ROWS]
Y = _Y_ALL[ROWS]
N = len(Y)
COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

FIT, PARTIAL, PREDICT, DECISION, PROBA, OBJECTIVE = (
    "fit", "partial_fit", "predict", "decision_function", "predict_proba", "objective"
)
ALL = (FIT, PARTIAL, PREDICT, DECISION, PROBA, OBJECTIVE)
TRAIN = (FIT, PARTIAL, OBJECTIVE)  # the methods that take y and sample_weight
FITTED = (PARTIAL, PREDICT, DECISION, PROBA, OBJECTIVE)  # on a fitted model

Case = namedtuple(
    "Case", "id methods X y sample_weight classes params error wrong todo later fitted_on"
)


def case(id, methods, *, X=X, y=Y, sample_weight=None, classes="all", params=None,
         error=ValueError, wrong, todo, later=False, fitted_on="array"):
    """A bad call.

    ``classes`` is what partial_fit gets ("all": every label on a first call,
    none on a later one); ``later`` makes partial_fit a call on a fitted model,
    and ``fitted_on`` says whether that model was fitted on an array or on a
    DataFrame (the predicting methods always use a fitted model).
    """
    return Case(id, methods, X, y, sample_weight, classes, params or {}, error,
                wrong, todo, later, fitted_on)


def with_entry(value, dtype=None):
    out = X.astype(dtype or X.dtype)
    out[3, 1] = value
    return out


STRINGS = X.astype(object)
STRINGS[2, 0] = "tall"
CASES = [
    # X
    case("X-nan", ALL, X=with_entry(np.nan), wrong="contains NaN", todo="imputer"),
    case("X-inf", ALL, X=with_entry(np.inf), wrong="contains infinity",
         todo="Replace or drop"),
    case("X-minus-inf", ALL, X=with_entry(-np.inf), wrong="contains infinity",
         todo="Replace or drop"),
    case("X-complex", ALL, X=with_entry(1j, complex), wrong="[Cc]omplex data",
         todo=r"X\.real"),
    case("X-object-strings", ALL, X=STRINGS, wrong="could not convert",
         todo="encode text or categorical"),
    case("X-empty", ALL, X=np.empty((0, 4)), y=np.array([], dtype=int),
         wrong=r"0 sample\(s\)", todo="at least one sample"),
    case("X-no-features", ALL, X=np.empty((N, 0)), wrong=r"0 feature\(s\)",
         todo="at least one feature"),
    case("X-1d", ALL, X=X[:, 0], wrong="Expected 2D array", todo="[Rr]eshape"),
    case("X-3d", ALL, X=X[:, :, None], wrong="dim 3", todo=r"X\.reshape\(len\(X\), -1\)"),
    case("X-y-lengths", TRAIN, y=Y[:-1], wrong="inconsistent numbers of samples",
         todo="same number of rows"),
    # y
    case("y-continuous", TRAIN, y=np.linspace(0, 1, N), classes=None,
         wrong="Unknown label type", todo="regressor"),
    case("y-nan", TRAIN, y=np.where(np.arange(N) == 4, np.nan, Y), classes=None,
         wrong="Input y contains NaN", todo="Drop the samples"),
    case("y-2d", TRAIN, y=np.c_[Y, Y], wrong="y should be a 1d array",
         todo="one label per sample"),
    case("y-single-class", (FIT, PARTIAL), y=np.zeros(N, int), classes=[0],
         wrong="only one class", todo="samples of another class"),
    # sample_weight
    case("weights-too-long", TRAIN, sample_weight=np.ones(N + 1),
         wrong=rf"shape \({N},\)", todo="one weight per row"),
    case("weights-2d", TRAIN, sample_weight=np.ones((N, 1)),
         wrong=rf"shape \({N},\)", todo="one weight per row"),
    case("weights-negative", TRAIN, sample_weight=np.where(np.arange(N) == 2, -1.0, 1.0),
         wrong="negative values", todo="set them to 0"),
    case("weights-nan", TRAIN, sample_weight=np.where(np.arange(N) == 2, np.nan, 1.0),
         wrong="NaN or infinity", todo="give finite weights"),
    case("weights-all-zero", TRAIN, sample_weight=np.zeros(N), wrong="sums to zero",
         todo="positive weight"),
    case("weights-strings", TRAIN, sample_weight=np.array(["1"] * N), error=TypeError,
         wrong="real numbers", todo="numeric weights"),
    # a fitted model and other data
    case("changed-n-features", FITTED, X=X[:, :3], wrong="X has 3 features",
         todo="columns seen in fit", later=True),
    case("other-feature-names", FITTED,
         X=pd.DataFrame(X, columns=COLUMNS[:3] + ["petal_area"]),
         wrong="feature names should match", todo="same names in the same order",
         later=True, fitted_on="frame"),
    case("undeclared-label", (PARTIAL, OBJECTIVE), y=np.where(np.arange(N) == 0, 7, Y),
         wrong=r"labels \[7\] that are not among the classes",
         todo="Declare every label|samples of those classes", later=True),
    case("other-classes", (PARTIAL,), classes=[0, 1, 2, 3],
         wrong="differs from the classes", todo="Pass the same classes", later=True),
    # optimizer parameters
    case("negative-learning-rate", (FIT, PARTIAL),
         params={"optimizer": SGD(learning_rate=-0.1)},
         wrong="'learning_rate' parameter of SGD", todo=r"range \(0\.0, inf\)"),
    case("batch-size-0", (FIT, PARTIAL), params={"optimizer": SGD(batch_size=0)},
         wrong="'batch_size' parameter of SGD", todo=r"range \[1, inf\)"),
    case("momentum-1", (FIT, PARTIAL), params={"optimizer": SGD(momentum=1.0)},
         wrong="'momentum' parameter of SGD", todo=r"range \[0(\.0)?, 1(\.0)?\)"),
    case("beta2-above-1", (FIT, PARTIAL), params={"optimizer": Adam(beta2=1.5)},
         wrong="'beta2' parameter of Adam", todo=r"range \[0(\.0)?, 1(\.0)?\)"),
    case("unknown-schedule", (FIT, PARTIAL), params={"optimizer": SGD(schedule="often")},
         wrong="'schedule' parameter of SGD", todo="str among"),
    case("unknown-optimizer", (FIT, PARTIAL), params={"optimizer": "newton"},
         # (scikit-learn validates parameters in partial_fit only on a first call)
         wrong="'optimizer' parameter|Unknown optimizer 'newton'",
         todo="(str among|use one of) .*'sgd'"),
]

_MODELS = {}


def fitted(cls, on):
    """A fitted model (a fresh copy), on an array or on a DataFrame."""
    key = (cls, on)
    if key not in _MODELS:
        data = X if on == "array" else pd.DataFrame(X, columns=COLUMNS)
        _MODELS[key] = cls(optimizer="gd", max_iter=3, tol=None).fit(data, Y)
    return copy.deepcopy(_MODELS[key])


def call(cls, method, c):
    """Make the call of case ``c``; return the estimator it was made on."""
    if method == FIT:
        est = cls(**c.params)
        est.fit(c.X, c.y, sample_weight=c.sample_weight)
        return est
    if method == PARTIAL and not c.later:
        classes = np.unique(Y) if c.classes == "all" else c.classes
        est = cls(**c.params)
        est.partial_fit(c.X, c.y, classes=classes, sample_weight=c.sample_weight)
        return est
    est = fitted(cls, c.fitted_on)
    if method == PARTIAL:
        classes = None if c.classes == "all" else c.classes
        est.partial_fit(c.X, c.y, classes=classes, sample_weight=c.sample_weight)
    elif method == OBJECTIVE:
        est.objective(c.X, c.y, sample_weight=c.sample_weight)
    else:
        getattr(est, method)(c.X)
    return est


MATRIX = [
    pytest.param(cls, method, c, id=f"{cls.__name__}-{method}-{c.id}")
    for c in CASES
    for method in c.methods
    for cls in (SVMClassifier, SoftmaxClassifier)
    if not (method == PROBA and cls is SVMClassifier)
]


@pytest.mark.parametrize("cls, method, c", MATRIX)
def test_bad_input_gets_a_clear_error(cls, method, c):
    with pytest.raises(c.error) as info:
        call(cls, method, c)
    message = str(info.value)
    assert type(info.value).__name__ != "FloatingPointError"
    assert re.search(c.wrong, message), message
    assert re.search(c.todo, message), message


@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
@pytest.mark.parametrize(
    "c",
    # A single-class y is fine for a model that knows its classes.
    [c for c in CASES if PARTIAL in c.methods and c.id != "y-single-class"],
    ids=lambda c: c.id,
)
def test_a_failed_partial_fit_leaves_a_fitted_model_as_it_was(cls, c):
    est = fitted(cls, c.fitted_on)
    before = copy.deepcopy(est.__dict__)
    est.set_params(**c.params)
    classes = None if c.classes == "all" else c.classes
    with pytest.raises(c.error, match=c.wrong):
        est.partial_fit(c.X, c.y, classes=classes, sample_weight=c.sample_weight)
    est.set_params(optimizer=before["optimizer"])
    for key in ("coef_", "intercept_", "classes_", "n_features_in_", "n_iter_"):
        np.testing.assert_array_equal(getattr(est, key), before[key])
    assert est.loss_curve_ == before["loss_curve_"]


@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
@pytest.mark.parametrize("method", [PREDICT, DECISION, OBJECTIVE])
def test_methods_of_an_unfitted_model_say_to_fit_it(cls, method):
    args = (X, Y) if method == OBJECTIVE else (X,)
    with pytest.raises(NotFittedError, match="not fitted yet.*[Cc]all 'fit'"):
        getattr(cls(), method)(*args)


def test_partial_fit_without_classes_on_the_first_call():
    with pytest.raises(ValueError, match="classes must be passed.*np.unique"):
        SVMClassifier().partial_fit(X, Y)


def test_the_matrix_covers_every_method():
    assert {method for c in CASES for method in c.methods} == set(ALL)


def test_a_growing_objective_is_divergence_not_a_model():
    # A step far too large for the penalty: the objective grows by orders of
    # magnitude each epoch while staying finite for a while.
    from sklearn.datasets import load_iris

    from sklinear_sgd.optimizers import SGD

    X, y = load_iris(return_X_y=True)
    clf = SVMClassifier(alpha=5e4, optimizer=SGD(learning_rate=0.1, schedule="constant"))
    with pytest.raises(ValueError, match="diverged at iteration 1: the objective grew"):
        clf.fit(X, y)
    assert not hasattr(clf, "coef_")


@pytest.mark.parametrize("class_weight", [{0: 0.5, 7: 3.0}, {"1": 100.0}])
def test_class_weight_keys_must_be_classes(class_weight):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]] * 3)
    y = np.array([0, 1, 2, 0] * 3)
    with pytest.raises(ValueError, match="class_weight has keys .* that are not classes"):
        SoftmaxClassifier(class_weight=class_weight).fit(X, y)
