"""The estimators at their defaults on the CIFAR-shaped set of bench.py.

Test accuracy and seconds of ``SVMClassifier()`` and ``SoftmaxClassifier()``
(early stopping on: more than 10,000 samples) beside scikit-learn's
``SGDClassifier()`` (hinge and log_loss) and ``LogisticRegression()``, each
at its defaults, fitted once in this process. From the repository root:
``python benchmarks/defaults_cifar.py`` (about 30 minutes: ``SGDClassifier``
runs its 1000 epochs twice), or with ``--without-sgdclassifier`` the other
three (under a minute).
"""

import argparse
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier

from bench import cifar_shaped
from sklinear_sgd import SoftmaxClassifier, SVMClassifier

N_TRAIN, N_TEST, N_FEATURES, N_CLASSES = 20_000, 4_000, 3_072, 10


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without-sgdclassifier", action="store_true",
                        help="leave out the two SGDClassifier fits (about 800 s each)")
    args = parser.parse_args(argv)
    X, y = cifar_shaped(N_TRAIN + N_TEST, N_FEATURES, N_CLASSES)
    X_train, X_test, y_train, y_test = X[:N_TRAIN], X[N_TRAIN:], y[:N_TRAIN], y[N_TRAIN:]
    models = [
        ("SVMClassifier()", SVMClassifier(random_state=0)),
        ("SoftmaxClassifier()", SoftmaxClassifier(random_state=0)),
        ("SGDClassifier() (hinge)", SGDClassifier(random_state=0)),
        ("SGDClassifier(loss='log_loss')", SGDClassifier(loss="log_loss", random_state=0)),
        ("LogisticRegression()", LogisticRegression()),
    ]
    if args.without_sgdclassifier:
        models = [(label, model) for label, model in models if "SGDClassifier" not in label]
    print("| model | test accuracy | seconds | iterations |")
    print("|---|---|---|---|")
    for label, model in models:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        n_iter = getattr(model, "n_iter_", "")
        n_iter = int(max(n_iter)) if hasattr(n_iter, "__len__") else n_iter
        print(f"| {label} | {model.score(X_test, y_test):.3f} | {seconds:.2f} | {n_iter} |",
              flush=True)


if __name__ == "__main__":
    main()
