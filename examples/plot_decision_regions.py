"""
===================================
Decision regions during training
===================================

The classic interactive linear-classifier demo shows three classes of points
in the plane, the regions where each class's score wins and each class's line
``w . x + b = 0``. Here we start from random weights (``coef_`` and
``intercept_`` can be set by hand), let ``partial_fit`` advance gradient
descent one small step at a time, and draw the regions after 1, 3, 10, 30 and
100 steps, for the multiclass SVM and for softmax.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from sklearn.datasets import make_blobs

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import GradientDescent

X, y = make_blobs(n_samples=90, centers=[[-1.5, -1], [1.5, -1], [0, 1.6]],
                  cluster_std=0.7, random_state=0)
colors = ["#d95f02", "#1b9e77", "#7570b3"]
grid_x, grid_y = np.meshgrid(np.linspace(-4, 4, 200), np.linspace(-4, 4, 200))
grid = np.c_[grid_x.ravel(), grid_y.ravel()]
snapshots = [1, 3, 10, 30, 100]

fig, axes = plt.subplots(2, len(snapshots), figsize=(15, 6.4), layout="constrained")
for row, cls in zip(axes, (SVMClassifier, SoftmaxClassifier)):
    # A small fixed step, from random weights as in the classic demo: one
    # partial_fit call sets the estimator up, then its weights are replaced.
    clf = cls(optimizer=GradientDescent(learning_rate=0.05), alpha=1e-3)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    start = np.random.default_rng(1)
    clf.coef_ = start.normal(size=(3, 2))
    clf.intercept_ = start.normal(size=3)
    for step in range(1, snapshots[-1] + 1):
        clf.partial_fit(X, y, classes=[0, 1, 2])
        if step not in snapshots:
            continue
        ax = row[snapshots.index(step)]
        regions = clf.predict(grid).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, regions, levels=[-0.5, 0.5, 1.5, 2.5],
                    cmap=ListedColormap(colors), alpha=0.25)
        for k, (w, b) in enumerate(zip(clf.coef_, clf.intercept_)):
            xs = np.linspace(-4, 4, 2)
            ax.plot(xs, -(w[0] * xs + b) / w[1], color=colors[k], linewidth=1.5)
        ax.scatter(X[:, 0], X[:, 1], c=[colors[k] for k in y], s=14, edgecolor="k", linewidth=0.3)
        ax.set(xlim=(-4, 4), ylim=(-4, 4), xticks=[], yticks=[],
               title=f"{cls.__name__}, step {step}\nobjective {clf.loss_curve_[-1]:.3f}")
        print(f"{cls.__name__} step {step}: accuracy {clf.score(X, y):.3f}")
fig.suptitle("Regions of the winning class and the lines w . x + b = 0")
plt.show()
