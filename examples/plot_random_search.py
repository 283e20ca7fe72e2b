"""
==========================================
Random search against following the slope
==========================================

The lecture's first strategy is to try random weights and keep the best ones.
With ``verbose=1`` the estimator prints every attempt as the lecture does
("in attempt 3 the loss was ..., best ..."); here we collect those lines and
plot each attempt's loss, the best so far, and the loss of gradient descent,
which follows the slope, over the same number of iterations on digits.
"""

import contextlib
import io
import re

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SVMClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
n_attempts = 300

printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    search = SVMClassifier(optimizer="random_search", max_iter=n_attempts, verbose=1,
                           random_state=0).fit(X, y)
lines = printed.getvalue().splitlines()
print("\n".join(lines[:5]))
attempts = [float(re.search(r"loss was (\S+),", line).group(1)) for line in lines]

slope = SVMClassifier(optimizer="gd", max_iter=n_attempts, tol=None).fit(X, y)
print(f"random search: accuracy {search.score(X, y):.3f}, best objective {search.loss_curve_[-1]:.3f}")
print(f"gradient descent: accuracy {slope.score(X, y):.3f}, objective {slope.loss_curve_[-1]:.3f}")

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(attempts, ".", markersize=3, color="0.6", label="random search: each attempt")
ax.plot(search.loss_curve_, label="random search: best so far")
ax.plot(slope.loss_curve_, label="gradient descent")
ax.set(xlabel="iteration (attempt or step)", ylabel="objective (hinge + L2)", yscale="log",
       title="Random search is a very bad idea")
ax.legend()
plt.show()
