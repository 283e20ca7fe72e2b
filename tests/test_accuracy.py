"""Default estimators against scikit-learn's on the data sets it ships (README table)."""

import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sklinear_sgd import SoftmaxClassifier, SVMClassifier

DATASETS = [load_digits, load_iris, load_wine, load_breast_cancer]
PAIRS = [
    (SoftmaxClassifier(random_state=0), LogisticRegression()),
    (SVMClassifier(random_state=0), LinearSVC(random_state=0)),
]


def _cv_accuracy(model, X, y):
    # Every fit converges (ours by L-BFGS to the optimum, scikit-learn's on the
    # standardized data): no ConvergenceWarning to hide.
    return cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=5).mean()


@pytest.mark.parametrize("load", DATASETS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("ours, reference", PAIRS, ids=["softmax", "svm"])
def test_default_accuracy_matches_scikit_learn(load, ours, reference):
    X, y = load(return_X_y=True)
    assert _cv_accuracy(ours, X, y) >= _cv_accuracy(reference, X, y) - 0.01
