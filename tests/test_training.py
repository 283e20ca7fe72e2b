"""Training controls: every optimizer, schedules, stopping, resumption, penalties,
callbacks."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd._callbacks import HAS_CALLBACKS
from sklinear_sgd.optimizers import (
    LBFGS,
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    GradientDescent,
    RandomLocalSearch,
    RMSProp,
)
from sklinear_sgd.optimizers.schedules import (
    CappedInverseScaling,
    Constant,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    StepDecay,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
ALPHA = 1e-2
FIRST_ORDER = ["gd", "sgd", "adam", "rmsprop", "adagrad"]


@pytest.fixture(scope="module")
def optimum():
    """The softmax + L2 optimum on iris, by L-BFGS at machine precision."""
    clf = SoftmaxClassifier(alpha=ALPHA, optimizer=LBFGS(), tol=None, max_iter=500)
    clf.fit(X_IRIS, Y_IRIS)
    return clf


def test_lbfgs_optimum_matches_logistic_regression(optimum):
    # DESIGN.md: alpha = a is LogisticRegression(C = 1 / (2 a n)) on 3+ classes.
    C = 1 / (2 * ALPHA * X_IRIS.shape[0])
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X_IRIS, Y_IRIS)
    np.testing.assert_allclose(optimum.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(optimum.intercept_, ref.intercept_, atol=1e-5)


# Each optimizer's documented reach on this problem within max_iter iterations:
# the gap between its objective and L-BFGS's optimum.
REACH = {
    "gd": (GradientDescent(), 3000, 1e-6),
    "sgd": (SGD(batch_size=None), 3000, 1e-6),
    "sgd-momentum": (SGD(batch_size=None, momentum=0.9), 1000, 1e-8),
    "nesterov": (SGD(batch_size=None, momentum=0.9, nesterov=True), 1000, 1e-8),
    "adam": (Adam(batch_size=None), 3000, 1e-8),
    "rmsprop": (RMSProp(batch_size=None, schedule=ExponentialDecay(0.998)), 3000, 1e-8),
    "adagrad": (AdaGrad(batch_size=None), 3000, 1e-8),
    "sgd-minibatch": (SGD(batch_size=32, schedule=ExponentialDecay(0.99)), 500, 1e-5),
    "adam-minibatch": (Adam(batch_size=32, schedule=ExponentialDecay(0.99)), 500, 1e-2),
    "local-search": (RandomLocalSearch(), 3000, 1e-3),
}


@pytest.mark.parametrize("name", REACH)
def test_each_optimizer_reaches_the_smooth_optimum(name, optimum):
    optimizer, max_iter, gap = REACH[name]
    clf = SoftmaxClassifier(
        alpha=ALPHA, optimizer=optimizer, tol=None, max_iter=max_iter, random_state=0
    ).fit(X_IRIS, Y_IRIS)
    best = optimum.objective(X_IRIS, Y_IRIS)
    assert -1e-12 <= clf.objective(X_IRIS, Y_IRIS) - best < gap


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS if n != "lbfgs"])
def test_each_optimizer_decreases_the_hinge_objective(name):
    clf = SVMClassifier(optimizer=name, max_iter=50, tol=None, random_state=0)
    clf.fit(X_IRIS, Y_IRIS)
    start = len(np.unique(Y_IRIS)) - 1  # the hinge at W = 0 with margin 1
    assert clf.loss_curve_[-1] < 0.5 * start


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
def test_lbfgs_gives_exact_zeros_with_an_l1_term(cls, penalty):
    # W = W+ - W-, both bounded below by 0: the bounds give exact zeros.
    clf = cls(optimizer="lbfgs", penalty=penalty, alpha=0.05, l1_ratio=0.9).fit(X_IRIS, Y_IRIS)
    assert np.sum(clf.coef_ == 0) > 0
    assert clf.score(X_IRIS, Y_IRIS) > 0.8


@pytest.mark.parametrize("cls", [SVMClassifier, SoftmaxClassifier])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_partial_fit_calls_equal_fit_for_gradient_descent(cls, n_classes):
    mask = Y_IRIS < n_classes
    X, y = X_IRIS[mask], Y_IRIS[mask]
    k = 7
    fitted = cls(optimizer="gd", max_iter=k, tol=None).fit(X, y)
    stepped = cls(optimizer="gd")
    for _ in range(k):
        stepped.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(stepped.coef_, fitted.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(stepped.intercept_, fitted.intercept_, rtol=1e-10, atol=1e-12)
    assert stepped.n_iter_ == fitted.n_iter_ == k
    np.testing.assert_allclose(stepped.loss_curve_, fitted.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(batch_size=32, momentum=0.9, schedule=StepDecay(step_size=2)),
        SGD(batch_size=32, nesterov=True, momentum=0.5),
        Adam(batch_size=32),
        RMSProp(batch_size=32),
        AdaGrad(batch_size=32, schedule=ReduceOnPlateau(patience=0)),
    ],
    ids=repr,
)
def test_minibatch_state_resumes_across_partial_fit(optimizer):
    # The state (step count, RNG, velocity or moments, schedule) goes out with
    # every call and comes back: k calls are k epochs of one run.
    k = 5
    fitted = SoftmaxClassifier(optimizer=optimizer, max_iter=k, tol=None, random_state=0)
    fitted.fit(X_IRIS, Y_IRIS)
    stepped = SoftmaxClassifier(optimizer=optimizer, random_state=0)
    for _ in range(k):
        stepped.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    np.testing.assert_allclose(stepped.coef_, fitted.coef_, rtol=1e-10, atol=1e-12)
    assert stepped._state["n_iter"] == k
    rule_state = stepped._state["rule"]
    assert all(np.any(v != 0) for v in rule_state.values() if isinstance(v, np.ndarray))


def test_warm_start_continues_from_the_previous_state():
    clf = SoftmaxClassifier(optimizer=Adam(batch_size=None), max_iter=5, tol=None,
                            warm_start=True)
    clf.fit(X_IRIS, Y_IRIS)
    clf.fit(X_IRIS, Y_IRIS)
    once = SoftmaxClassifier(optimizer=Adam(batch_size=None), max_iter=10, tol=None)
    once.fit(X_IRIS, Y_IRIS)
    np.testing.assert_allclose(clf.coef_, once.coef_, rtol=1e-10)
    assert clf._state["rule"]["t"] == 10


@pytest.mark.parametrize(
    "schedule, expected",
    [
        (Constant(), [1, 1, 1, 1]),
        (StepDecay(step_size=2, gamma=0.5), [1, 1, 0.5, 0.5]),
        (ExponentialDecay(gamma=0.5), [1, 0.5, 0.25, 0.125]),
        (InverseScaling(power_t=1.0), [1, 0.5, 1 / 3, 0.25]),
        # 1 / sqrt(1 + e) capped at 1 / (1 + 3 e) from the second epoch on
        (CappedInverseScaling(decay=1.0, steps_per_epoch=3), [1, 0.25, 1 / 7, 0.1]),
    ],
    ids=repr,
)
def test_schedules_set_the_learning_rate_of_each_epoch(schedule, expected, capsys):
    clf = SoftmaxClassifier(
        optimizer=GradientDescent(learning_rate=0.1, schedule=schedule),
        max_iter=4, tol=None, verbose=1,
    ).fit(X_IRIS, Y_IRIS)
    rates = [float(line.rsplit(" ", 1)[1]) for line in capsys.readouterr().out.splitlines()]
    # the progress lines print 3 significant digits
    np.testing.assert_allclose(rates, 0.1 * np.array(expected), rtol=5e-3)
    assert clf.n_iter_ == 4


def test_reduce_on_plateau_lowers_the_rate_when_the_objective_stalls():
    schedule = ReduceOnPlateau(factor=0.1, patience=1, threshold=0.0)
    state = schedule.init()
    for value in [3.0, 2.0, 2.0, 2.0]:
        schedule.update(state, value)
    assert schedule.multiplier(state, 4) == pytest.approx(0.1)


def test_grid_search_over_optimizer_classes_and_nested_parameters():
    grid = {
        "optimizer": [SGD(batch_size=32), Adam(batch_size=32)],
        "optimizer__learning_rate": [0.01, 0.05],
        "optimizer__schedule": ["constant", ExponentialDecay(gamma=0.9)],
    }
    search = GridSearchCV(
        SoftmaxClassifier(max_iter=20, tol=None, random_state=0), grid, cv=3
    ).fit(X_IRIS, Y_IRIS)
    assert len(search.cv_results_["params"]) == 8
    best = search.best_estimator_.optimizer
    assert best.learning_rate in (0.01, 0.05)
    assert search.best_score_ > 0.85


def test_l1_and_elasticnet_give_exact_zeros():
    X, y = make_classification(n_samples=300, n_features=30, n_informative=4,
                               n_classes=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    # Gradient descent to the minimum (about 400 steps; at the default tol it
    # stops 0.3% above it, and warns); the minibatch ones for 300 epochs.
    budgets = {"gd": dict(tol=1e-8, max_iter=5000), "sgd": dict(tol=None, max_iter=300),
               "adam": dict(tol=None, max_iter=300)}
    for penalty in ("l1", "elasticnet"):
        # Minibatch noise keeps some small weights away from 0 at each step:
        # with SGD's shrinking steps the share of zeros is 0.1 to 0.25 over
        # seeds (0.78 at the minimum, which gd reaches).
        for optimizer, share in (("gd", 0.7), ("sgd", 0.05), ("adam", 0.1)):
            clf = SoftmaxClassifier(penalty=penalty, l1_ratio=0.9, alpha=0.02,
                                    optimizer=optimizer, random_state=0,
                                    **budgets[optimizer]).fit(X, y)
            zeros = np.mean(clf.coef_ == 0)
            assert zeros > share, (penalty, optimizer, zeros)
            assert clf.score(X, y) > 0.7
    dense = SoftmaxClassifier(penalty="l2", alpha=0.02, optimizer="gd", **budgets["gd"])
    dense.fit(X, y)
    assert np.mean(dense.coef_ == 0) == 0


def test_l1_proximal_gd_reaches_a_stationary_point():
    # At a minimizer of loss + alpha |W|: |grad_loss| <= alpha where W = 0, and
    # grad_loss = -alpha sign(W) elsewhere.
    alpha = 0.02
    clf = SoftmaxClassifier(penalty="l1", alpha=alpha, optimizer="gd",
                            max_iter=5000, tol=1e-12).fit(X_IRIS, Y_IRIS)
    none = clf_loss_gradient(clf, X_IRIS, Y_IRIS)
    W = clf.coef_
    assert np.all(np.abs(none[W == 0]) <= alpha + 1e-3)
    np.testing.assert_allclose(none[W != 0], -alpha * np.sign(W[W != 0]), atol=1e-3)


def clf_loss_gradient(clf, X, y):
    """Gradient of the unpenalized loss at the fitted coefficients."""
    plain = clone(clf).set_params(penalty=None)
    plain.classes_ = clf.classes_
    objective = plain._bind(X, y, None)
    return objective.value_and_grad(plain._params.__func__(clf, X.dtype))[1][:, :-1]


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_early_stopping_holds_out_data_and_keeps_the_best_iterate(layout):
    # On CSR rows plain SGD hands out views of its state; the best iterate is
    # not released to it (see BaseOptimizer.iterate), so it stays the best.
    X, y = make_classification(n_samples=400, n_features=20, n_informative=5,
                               n_classes=3, flip_y=0.2, random_state=0)
    if layout == "csr":
        X = sparse.csr_matrix(X)
    clf = SoftmaxClassifier(early_stopping=True, validation_fraction=0.25, alpha=0,
                            optimizer=SGD(batch_size=16), n_iter_no_change=3,
                            random_state=0, max_iter=200).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.n_iter_ < 200
    # The kept iterate is the best one on the validation part.
    from sklearn.model_selection import train_test_split

    _, X_val, _, y_val = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    assert clf.score(X_val, y_val) == pytest.approx(max(clf.validation_scores_))


def test_early_stopping_errors():
    with pytest.raises(ValueError, match="early_stopping=True is not supported by partial_fit"):
        SoftmaxClassifier(early_stopping=True).partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="could not hold out a stratified"):
        SoftmaxClassifier(early_stopping=True).fit(X_IRIS[::15], Y_IRIS[::15])


def test_convergence_warning_when_max_iter_ends_first():
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        SoftmaxClassifier(optimizer="gd", max_iter=3).fit(X_IRIS, Y_IRIS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        SoftmaxClassifier(optimizer="gd", max_iter=3, tol=None).fit(X_IRIS, Y_IRIS)
        SoftmaxClassifier(optimizer="random_search", max_iter=3).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize(
    "optimizer", [SGD(learning_rate=1e6), GradientDescent(learning_rate=1e10)], ids=repr
)
def test_divergence_names_the_iteration_and_keeps_the_model(optimizer):
    X = X_IRIS * 1e150
    clf = SoftmaxClassifier(optimizer="gd", max_iter=5, tol=None).fit(X_IRIS, Y_IRIS)
    before = clf.coef_.copy()
    clf.set_params(optimizer=optimizer, warm_start=True)
    with pytest.raises(ValueError, match=r"diverged at iteration \d+.*learning_rate"):
        clf.fit(X, Y_IRIS)
    np.testing.assert_array_equal(clf.coef_, before)


@pytest.mark.skipif(not HAS_CALLBACKS, reason="scikit-learn < 1.9 has no callbacks API")
def test_callback_counts_iterations_and_can_stop_the_fit():
    class Counter:
        def __init__(self, stop_after=None):
            self.ends, self.stop_after = 0, stop_after

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name != "iteration":
                return False
            self.ends += 1
            assert fitted_estimator.coef_.shape == (3, 4)
            return self.stop_after is not None and self.ends >= self.stop_after

    counter = Counter()
    clf = SoftmaxClassifier(optimizer="gd", max_iter=12, tol=None).set_callbacks(counter)
    clf.fit(X_IRIS, Y_IRIS)
    assert counter.ends == clf.n_iter_ == 12

    stopper = Counter(stop_after=4)
    clf = SoftmaxClassifier(optimizer="sgd", max_iter=100, tol=None).set_callbacks(stopper)
    clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 4 == len(clf.loss_curve_)


@pytest.mark.skipif(not HAS_CALLBACKS, reason="scikit-learn < 1.9 has no callbacks API")
def test_scoring_monitor_and_progress_bar_in_pipeline_and_grid_search():
    from sklearn.callback import ProgressBar, ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    clf = SoftmaxClassifier(optimizer="gd", max_iter=6, tol=None).set_callbacks(monitor)
    make_pipeline(StandardScaler(), clf).fit(X_IRIS, Y_IRIS)
    rows = monitor.get_logs().data
    iteration_rows = [r for r in rows if r["task_name"] == "iteration"]
    assert len(iteration_rows) == 6
    assert all(0 <= r["accuracy"] <= 1 for r in iteration_rows)

    search = GridSearchCV(
        # The default, L-BFGS, to the optimum (some 30 iterations).
        make_pipeline(StandardScaler(), SoftmaxClassifier()),
        {"softmaxclassifier__alpha": [1e-3, 1e-2]},
        cv=2,
    ).set_callbacks(ProgressBar())
    search.fit(X_IRIS, Y_IRIS)
    assert search.best_score_ > 0.8


def test_the_finiteness_check_of_iterates():
    from sklinear_sgd._base import _all_finite

    P = np.full((3, 5), 1e308)  # finite, though their sum overflows
    assert _all_finite(P)
    assert _all_finite(np.full((3, 5), 3e38, dtype=np.float32))
    for bad in (np.nan, np.inf, -np.inf):
        Q = P.copy()
        Q[1, 2] = bad
        assert not _all_finite(Q)
        assert not _all_finite(np.where(np.isfinite(Q), 0.0, Q))
