"""
=================================================
Gradient descent against minibatch SGD, by time
=================================================

Full-batch gradient descent takes one exact step per pass over the data;
minibatch SGD takes many cheap, noisy ones. A small callback records the time
at the end of every iteration, so that the objective can be drawn against wall
time for batches of 32, 64, 128 and 256 rows. (Callbacks need scikit-learn
1.9 or later.)
"""

import time

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier
from sklinear_sgd.optimizers import SGD


class Clock:
    """A callback that notes the time when each iteration ends."""

    def setup(self, estimator, context):
        self.start, self.times = time.perf_counter(), []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "iteration":
            self.times.append(time.perf_counter() - self.start)


X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
# Gradient descent's iterations are cheaper (one step each), so it gets more.
runs = [("gradient descent", "gd", 400)] + [
    # exact_objective: each epoch records the objective on all rows, as gradient
    # descent does, instead of the running mean of its batches.
    (f"SGD, batch {b}", SGD(batch_size=b, exact_objective=True), 60) for b in (32, 64, 128, 256)
]
for label, optimizer, max_iter in runs:
    clock = Clock()
    clf = SoftmaxClassifier(optimizer=optimizer, max_iter=max_iter, tol=None, random_state=0)
    clf.set_callbacks(clock).fit(X, y)
    ax.plot(clock.times, clf.loss_curve_, label=label)
    print(f"{label:<18} objective {clf.loss_curve_[-1]:.4f} after {clock.times[-1]:.2f} s")
ax.set(xlabel="seconds", ylabel="objective", yscale="log",
       title="Softmax on digits: 400 steps of GD, 60 epochs of SGD")
ax.legend()
plt.show()
