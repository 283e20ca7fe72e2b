"""
=======================================
Random search, gradient descent and SGD
=======================================

The three optimizers of the lecture on the digits data: random search keeps the
best random candidate, gradient descent follows the exact slope, and minibatch
SGD follows the slope of a batch. Each classifier's ``loss_curve_`` holds the
objective after every iteration (for random search, the best so far).
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, cls in zip(axes, (SVMClassifier, SoftmaxClassifier)):
    for optimizer in ("random_search", "gd", "sgd"):
        clf = cls(optimizer=optimizer, max_iter=300, tol=None, random_state=0)
        clf.fit(X, y)
        ax.plot(range(1, clf.n_iter_ + 1), clf.loss_curve_, label=optimizer)
        print(f"{cls.__name__:<18} {optimizer:<14} accuracy {clf.score(X, y):.3f}")
    ax.set(
        title=cls.__name__,
        xlabel="iteration (candidate, step or epoch)",
        ylabel="objective",
        yscale="log",
    )
    ax.legend()
plt.show()
