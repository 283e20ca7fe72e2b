"""
=====================================================
The optimizers on a fixed budget of gradient passes
=====================================================

Every optimizer gets the same budget: 30 passes of gradient computation over the
training data. An iteration of gradient descent or L-BFGS is one full gradient
(L-BFGS's line search may ask for a few more), an epoch of a minibatch optimizer
is one pass made of many small gradients, and a random candidate costs a forward
pass only, about half a gradient, so the random searches get 60 tries. We print
the objective each one reached, its test accuracy and its time, on digits and
on a synthetic set shaped like CIFAR-10 (3,072 features, 10 classes), then plot
the objective against the passes (for the minibatch optimizers, the running
mean of each epoch's batches, which is what they record at no extra cost).

This is a benchmark-style example: the figures depend on the machine; rerun it
to see yours.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier
from sklinear_sgd.optimizers import OPTIMIZERS

BUDGET = 30


def cifar_shaped(n_samples=4000, n_features=3072, n_classes=10, seed=0):
    """Noisy class templates in 3,072 dimensions, as float32 like images."""
    rng = np.random.default_rng(seed)
    templates = rng.normal(size=(n_classes, n_features)).astype(np.float32)
    y = rng.integers(n_classes, size=n_samples)
    X = 0.03 * templates[y] + rng.normal(size=(n_samples, n_features)).astype(np.float32)
    return X, y


def data_sets():
    X, y = load_digits(return_X_y=True)
    yield "digits", X, y
    yield "CIFAR-shaped", *cifar_shaped()


fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for ax, (name, X, y) in zip(axes, data_sets()):
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    print(f"\n{name}: {X_train.shape[0]} x {X_train.shape[1]}, budget {BUDGET} passes")
    print(f"{'optimizer':<20} {'iterations':>10} {'objective':>10} {'test acc':>9} {'seconds':>8}")
    for optimizer in OPTIMIZERS:
        random = optimizer.startswith("random")
        max_iter = 2 * BUDGET if random else BUDGET
        clf = SoftmaxClassifier(optimizer=optimizer, max_iter=max_iter, tol=None, random_state=0)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        print(
            f"{optimizer:<20} {clf.n_iter_:>10} {clf.objective(X_train, y_train):>10.4f} "
            f"{clf.score(X_test, y_test):>9.3f} {seconds:>8.2f}"
        )
        passes = np.arange(1, clf.n_iter_ + 1) / (2 if random else 1)
        ax.plot(passes, clf.loss_curve_, label=optimizer)
    ax.set(title=name, xlabel="gradient passes over the data", ylabel="objective",
           yscale="log")
    ax.legend(fontsize="small")
plt.show()
