"""What sets the hinge's test accuracy after a fixed number of epochs.

On the CIFAR-shaped set of ``bench.py`` (20,000 training rows, 4,000 test rows,
3,072 features, 10 classes), ``SVMClassifier`` with plain SGD runs 10 epochs
(``tol=None``) while one setting changes at a time: ``alpha``, beside
``SGDClassifier`` (hinge, the same epochs) at the same ``alpha`` (its
``alpha`` is twice ours for the same penalty); then the learning rate
(``SGD(learning_rate=...)`` with the default 'auto' schedule: a number is the
step of the weights and of the intercept, while 'auto' gives the intercept its
own), and the default fit left to its stopping rule. Last, the five-fold
accuracy on the data sets that scikit-learn ships at the default ``alpha``
and at two large ones. Prints Markdown tables; the fits are deterministic.
Run ``python benchmarks/hinge_accuracy.py`` (about a minute and a half).
"""

import warnings

import numpy as np
from bench import cifar_shaped, objective
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SVMClassifier
from sklinear_sgd.optimizers import SGD

EPOCHS = 10


def scores(model, X_train, y_train, X_test, y_test):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return f"{model.score(X_train, y_train):.3f}", f"{model.score(X_test, y_test):.3f}"


def table(title, header, rows):
    print(f"\n{title}\n")
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main():
    X, y = cifar_shaped(24000, 3072, 10)
    data = X[:20000], y[:20000], X[20000:], y[20000:]
    # SGDClassifier's default strength, ours until the defaults moved to the
    # exact optimum (SVMClassifier().alpha is larger now).
    default = 5e-5
    # The weights' step of learning_rate='auto' (no momentum): 1 / L.
    auto = 1.0 / objective("svm", data[0], data[1]).smoothness(SGD().batch_size)

    rows = []
    for alpha in [default, 5e-4, 5e-3, 5e-2, 0.1, 0.5, 1.6]:
        ours = SVMClassifier(alpha=alpha, optimizer="sgd", early_stopping=False,
                             max_iter=EPOCHS, tol=None, random_state=0)
        theirs = SGDClassifier(alpha=2 * alpha, max_iter=EPOCHS, tol=None, random_state=0)
        rows.append([f"{alpha:g}", *scores(ours, *data), *scores(theirs, *data)])
    table(
        f"Training and test accuracy against alpha ({EPOCHS} epochs; the first row is "
        "SGDClassifier's default)",
        ["alpha (ours)", "SVMClassifier train", "test", "SGDClassifier train", "test"],
        rows,
    )

    rows = []
    for rate in ["auto", 0.03, 0.01, 0.003, 0.001]:
        model = SVMClassifier(alpha=default, optimizer=SGD(learning_rate=rate),
                              early_stopping=False, max_iter=EPOCHS, tol=None,
                              random_state=0)
        label = f"'auto' ({auto:.3g} on the weights)" if rate == "auto" else f"{rate:g}"
        rows.append([label, f"{EPOCHS}", *scores(model, *data),
                     f"{np.linalg.norm(model.coef_):.3g}"])
    model = SVMClassifier(alpha=default, optimizer="sgd", early_stopping=False,
                          random_state=0)
    accuracies = scores(model, *data)
    rows.append([f"'auto', left to the stopping rule (tol={model.tol:g})",
                 f"{model.n_iter_}", *accuracies, f"{np.linalg.norm(model.coef_):.3g}"])
    table(
        f"SVMClassifier's training and test accuracy against the learning rate "
        f"(alpha={default:g})",
        ["learning rate", "epochs", "train", "test", "norm of coef_"],
        rows,
    )

    rows = []
    for load in [load_digits, load_iris, load_wine, load_breast_cancer]:
        X, y = load(return_X_y=True)
        row = [load.__name__[len("load_"):]]
        for alpha in [default, 0.1, 1.6]:
            model = make_pipeline(StandardScaler(), SVMClassifier(alpha=alpha, random_state=0))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                row.append(f"{cross_val_score(model, X, y, cv=5).mean():.3f}")
        rows.append(row)
    table(
        "Five-fold accuracy of make_pipeline(StandardScaler(), SVMClassifier(alpha=...)) "
        "on the bundled data sets",
        ["data set", f"alpha={default:g} (default)", "alpha=0.1", "alpha=1.6"],
        rows,
    )


if __name__ == "__main__":
    main()
