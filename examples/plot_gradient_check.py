"""
===================================
Numerical against analytic gradient
===================================

The numerical gradient needs two evaluations of the objective per parameter,
so its cost grows with the number of weights; the analytic gradient costs one
pass forward and one backward whatever the dimension. The gradient check
compares the two with the largest entry-wise relative error. It is tiny in
small dimensions and grows with the number of weights: the more entries, the
more of them lie close to 0, where the finite difference's own rounding (about
1e-11) is no longer small next to the entry. That is why
:func:`~sklinear_sgd.gradient_check.check_gradient` checks a few random points
of a small problem, away from kinks and from such cancellations.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from sklinear_sgd.gradient_check import numerical_gradient, relative_error
from sklinear_sgd.losses import SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.penalties import L2

rng = np.random.default_rng(0)
dims = [4, 16, 64, 256, 1024]
n_samples, n_classes = 200, 10
numerical_s, analytic_s, errors = [], [], []
for d in dims:
    X = rng.normal(size=(n_samples, d))
    y = rng.integers(n_classes, size=n_samples)
    objective = LinearObjective(X, y, n_classes, SoftmaxCrossEntropy(), L2(0.01))
    P = rng.normal(size=objective.shape) / np.sqrt(d)
    start = time.perf_counter()
    analytic = objective.value_and_grad(P)[1]
    analytic_s.append(time.perf_counter() - start)
    start = time.perf_counter()
    numerical = numerical_gradient(objective.value, P)
    numerical_s.append(time.perf_counter() - start)
    errors.append(relative_error(analytic, numerical))
    print(f"d={d:>5}: {P.size:>6} weights, numerical {numerical_s[-1]:.3f} s, "
          f"analytic {analytic_s[-1] * 1e3:.2f} ms, relative error {errors[-1]:.1e}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ax1.loglog(dims, numerical_s, "o-", label="numerical (centered differences)")
ax1.loglog(dims, analytic_s, "o-", label="analytic")
ax1.set(xlabel="number of features", ylabel="seconds per gradient", title="Cost")
ax1.legend()
ax2.semilogx(dims, errors, "o-")
ax2.axhline(1e-7, color="0.5", linestyle="--", label="1e-7: the two agree")
ax2.set(xlabel="number of features", ylabel="relative error", yscale="log",
        title="Gradient check")
ax2.legend()
plt.show()
