"""scikit-learn's estimator checks on every classifier x optimizer.

The default instance of every optimizer passes every check, sample-weight
equivalence included (the first-order ones with a fixed number of iterations:
see FIXED_ITERATIONS), but for L-BFGS on the hinge, whose weights are not
exact enough for sample-weight equivalence (a known limit, declared below).
The estimators' own defaults, minibatch SGD with batches smaller than the data
and the L1 and elastic-net penalties run as well; the expected failures of
small minibatches are declared with their reason below.
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import OPTIMIZERS, SGD

# The checks test the estimators' API, not how close a fit comes to the
# optimum (tests/test_optima.py does). At the default tol=1e-4 the first-order
# optimizers stop short of it on the checks' small, unscaled data (from 0.1% to
# 100% above it; the hinge's subgradient steps, for instance, shrink as
# 1 / sqrt(t)) and say so with a ConvergenceWarning, rightly, in most of the
# checks' fits. Here they run a fixed number of iterations instead (tol=None),
# which claims no convergence: nothing to warn about. L-BFGS stops by its own
# test at the optimum, and the random searches always run max_iter tries:
# they keep their defaults.
FIXED_ITERATIONS = {"tol": None, "max_iter": 100}
_OWN_STOPPING = ("lbfgs", "random_search", "random_local_search")

ESTIMATORS = [
    cls(optimizer=name, **({} if name in _OWN_STOPPING else FIXED_ITERATIONS))
    for cls in (SVMClassifier, SoftmaxClassifier)
    for name in OPTIMIZERS
] + [
    # The defaults: optimizer='auto', early_stopping='auto' (L-BFGS on the
    # checks' small data, SGD in partial_fit).
    SVMClassifier(),
    SoftmaxClassifier(),
] + [
    SVMClassifier(optimizer=SGD(batch_size=16, momentum=0.9, nesterov=True),
                  **FIXED_ITERATIONS),
    SoftmaxClassifier(optimizer=SGD(batch_size=16, momentum=0.9), **FIXED_ITERATIONS),
    SoftmaxClassifier(penalty="elasticnet", l1_ratio=0.5, optimizer="gd",
                      **FIXED_ITERATIONS),
    SVMClassifier(penalty="l1", optimizer="sgd", **FIXED_ITERATIONS),
]
# early_stopping=True is left out: several checks fit fewer rows than a
# stratified validation split needs (one per class), where it raises a clear
# error by design; tests/test_classifiers.py covers it.

# A known limit of the method: L-BFGS's continuation on the hinge reaches the
# objective's optimum to 1e-5 and better (tests/test_optima.py), but the
# weights, which the L2 term makes unique, only to about 1e-4: the weighted and
# the repeated fits' decision functions differ by up to 2.6e-4, where the check
# asks for 1e-7. Strong convexity 2 * alpha only bounds |W - W*|^2 by the gap
# over alpha: weights within 1e-7 need a gap near 1e-16, float64's own rounding
# of the objective, and the last smoothed stages (curvature 1 / mu) stop well
# before (an exact hinge solver, a dual method for instance, would pass).
_HINGE_LBFGS_REASON = (
    "L-BFGS's smoothing continuation on the hinge stops with weights about 1e-4 "
    "from the unique optimum (decision functions 2.6e-4 apart)"
)

# Minibatches of 16 rows drawn from data whose rows are repeated (the check's
# reference) and from the same data with integer weights are different batches:
# the two runs follow different random paths, equal only in expectation, and
# stop after a finite number of steps, so their predictions differ. With
# batch_size >= n_samples (the default 256 on the check's data) every step is the
# exact full-batch step and the check passes.
_MINIBATCH_REASON = (
    "minibatches over repeated rows and over weighted rows are different random "
    "samples; equivalence holds only in expectation"
)


def _expected_failures(estimator):
    checks = (
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    )
    optimizer = estimator.optimizer
    # The check fits 15 weighted rows against about 30 repeated ones.
    if isinstance(optimizer, SGD) and optimizer.batch_size < 30:
        return dict.fromkeys(checks, _MINIBATCH_REASON)
    if isinstance(estimator, SVMClassifier) and optimizer in ("lbfgs", "auto"):
        return dict.fromkeys(checks, _HINGE_LBFGS_REASON)
    return {}


_CHECKS = parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
# scikit-learn 1.6 (the oldest supported) hands pytest.mark.parametrize a
# generator of the checks, which pytest 9 deprecates (PytestRemovedIn10Warning);
# later versions hand it a list. The same checks and ids, as a list:
_CHECKS = pytest.mark.parametrize(
    _CHECKS.args[0], list(_CHECKS.args[1]), **_CHECKS.kwargs
)


@_CHECKS
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# Two checks that scikit-learn runs on its own estimators outside
# parametrize_with_checks: every parameter's constraint is enforced with a
# clear error, and feature names seen in fit are checked at prediction.
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_param_validation_and_feature_names(estimator):
    name = type(estimator).__name__
    check_param_validation(name, estimator)
    check_dataframe_column_names_consistency(name, estimator)
