"""
=====================================
Learned weights as digit templates
=====================================

Each row of ``coef_`` holds one weight per pixel: reshaped to 8 x 8 it is the
template that the classifier matches against an image. Red pixels raise the
class's score, blue ones lower it.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from sklinear_sgd import SoftmaxClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1], so the weights stay comparable across pixels
clf = SoftmaxClassifier(optimizer="lbfgs", alpha=1e-2).fit(X, y)
print(f"training accuracy {clf.score(X, y):.3f}")

limit = np.abs(clf.coef_).max()
fig, axes = plt.subplots(2, 5, figsize=(10, 4.6), layout="constrained")
for digit, ax in enumerate(axes.ravel()):
    image = ax.imshow(clf.coef_[digit].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(title=f"class {digit}", xticks=[], yticks=[])
fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
fig.suptitle("Softmax weights on digits, one 8 x 8 template per class")
plt.show()
