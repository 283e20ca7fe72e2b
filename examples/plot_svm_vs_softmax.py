"""
============================================
SVM against softmax: margins, probabilities
============================================

The multiclass SVM is satisfied once the true class wins by the margin; the
softmax loss is never quite satisfied and keeps pushing its probabilities to
1. Top row: for two classes of points on a line, each model's loss on a point
as its score difference grows, then what the softmax model turns scores into.
Bottom: as ``alpha`` grows, the weights shrink (the softmax probabilities get
less sure) and the accuracy eventually falls.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy

fig, axes = plt.subplots(2, 2, figsize=(10, 7), layout="constrained")

# The two losses of one point of class 0 against the score difference s0 - s1.
diff = np.linspace(-3, 3, 301)
scores = np.c_[diff, np.zeros_like(diff)]
label = np.zeros(len(diff), dtype=int)
hinge = [MulticlassHinge().loss(s[None], label[:1]) for s in scores]
softmax = [SoftmaxCrossEntropy().loss(s[None], label[:1]) for s in scores]
axes[0, 0].plot(diff, hinge, label="multiclass hinge (margin 1)")
axes[0, 0].plot(diff, softmax, label="softmax cross-entropy")
axes[0, 0].set(xlabel="score of the true class minus the other", ylabel="loss",
               title="The losses of one point")
axes[0, 0].legend()

# What a fitted softmax model says on a line of points.
rng = np.random.default_rng(0)
X1 = np.r_[rng.normal(-1, 1, 100), rng.normal(1, 1, 100)][:, None]
y1 = np.r_[np.zeros(100), np.ones(100)]
line = np.linspace(-4, 4, 200)[:, None]
for alpha in (1e-3, 1e-1, 1.0):
    soft = SoftmaxClassifier(alpha=alpha, optimizer="lbfgs").fit(X1, y1)
    axes[0, 1].plot(line, soft.predict_proba(line)[:, 1], label=f"softmax, alpha={alpha:g}")
svm = SVMClassifier(alpha=1e-3, optimizer="gd").fit(X1, y1)
axes[0, 1].plot(line, svm.decision_function(line) / 4, "--", color="0.3",
                label="SVM decision / 4 (not a probability)")
axes[0, 1].set(xlabel="x", ylabel="P(class 1)", title="Probabilities on a line", ylim=(-0.6, 1.1))
axes[0, 1].legend(fontsize="small")

# The effect of alpha on digits.
X, y = load_digits(return_X_y=True)
alphas = np.logspace(-4, 0, 5)
for cls, optimizer in ((SVMClassifier, "sgd"), (SoftmaxClassifier, "lbfgs")):
    accuracy, norm = [], []
    for alpha in alphas:
        clf = cls(alpha=alpha, optimizer=optimizer, tol=1e-3, random_state=0)
        model = make_pipeline(StandardScaler(), clf)
        accuracy.append(cross_val_score(model, X, y, cv=3).mean())
        norm.append(np.linalg.norm(model.fit(X, y)[-1].coef_))
        print(f"{cls.__name__:<18} alpha={alpha:<8.0e} accuracy {accuracy[-1]:.3f} |W| {norm[-1]:.2f}")
    axes[1, 0].semilogx(alphas, accuracy, "o-", label=cls.__name__)
    axes[1, 1].loglog(alphas, norm, "o-", label=cls.__name__)
axes[1, 0].set(xlabel="alpha", ylabel="3-fold accuracy", title="Accuracy on digits")
axes[1, 1].set(xlabel="alpha", ylabel="norm of coef_", title="Size of the weights")
axes[1, 0].legend()
axes[1, 1].legend()
plt.show()
