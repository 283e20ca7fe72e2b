"""5-fold cross-validated accuracy of the default estimators against scikit-learn's.

Every model is ``make_pipeline(StandardScaler(), model)`` with default
parameters (``random_state=0`` where one exists), scored by
``cross_val_score(cv=5)`` on the data sets that scikit-learn ships. Prints a
Markdown table; run ``python benchmarks/accuracy_table.py``.
"""

import warnings

from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sklinear_sgd import SoftmaxClassifier, SVMClassifier

DATASETS = {
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
}
MODELS = {
    "LogisticRegression": LogisticRegression(),
    "SoftmaxClassifier": SoftmaxClassifier(random_state=0),
    "LinearSVC": LinearSVC(random_state=0),
    "SVMClassifier": SVMClassifier(random_state=0),
}


def main():
    rows = {}
    for data_name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        for model_name, model in MODELS.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=5)
            rows.setdefault(data_name, {})[model_name] = scores.mean()
    print("| data set | " + " | ".join(MODELS) + " |")
    print("|---" * (len(MODELS) + 1) + "|")
    for data_name, scores in rows.items():
        print(f"| {data_name} | " + " | ".join(f"{scores[m]:.3f}" for m in MODELS) + " |")


if __name__ == "__main__":
    main()
