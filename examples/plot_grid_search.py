"""
==============================================
Tuning the optimizer and its learning rate
==============================================

Optimizers are scikit-learn parameter objects, so ``GridSearchCV`` tunes them
and their hyperparameters together: here the optimizer class and its learning
rate, for a fixed budget of 20 epochs, shown as a heat map of the
cross-validated accuracy.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier
from sklinear_sgd.optimizers import SGD, AdaGrad, Adam, RMSProp

X, y = load_digits(return_X_y=True)
optimizers = [SGD(), Adam(), RMSProp(), AdaGrad()]
rates = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(max_iter=20, tol=None, random_state=0))
search = GridSearchCV(
    pipe,
    {"softmaxclassifier__optimizer": optimizers,
     "softmaxclassifier__optimizer__learning_rate": rates},
    cv=3,
).fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

scores = search.cv_results_["mean_test_score"].reshape(len(optimizers), len(rates))
names = [type(o).__name__ for o in optimizers]
fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
image = ax.imshow(scores, cmap="viridis", vmin=0, vmax=1)
ax.set(xticks=range(len(rates)), xticklabels=[f"{r:g}" for r in rates],
       yticks=range(len(names)), yticklabels=names, xlabel="learning rate",
       ylabel="optimizer", title="3-fold accuracy after 20 epochs")
for (i, j), value in np.ndenumerate(scores):
    ax.text(j, i, f"{value:.2f}", ha="center", va="center",
            color="white" if value < 0.6 else "black")
fig.colorbar(image, ax=ax, label="accuracy")
plt.show()
