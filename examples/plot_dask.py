"""
=========================
Scaling out with dask
=========================

The same estimators run on a ``dask.distributed`` cluster, in three ways:

1. **Data-parallel full-batch training.** ``fit`` on a dask array with a
   full-batch optimizer (gradient descent, L-BFGS, random search) computes the
   objective and its gradient block by block on the workers that hold the
   blocks; only the parameters and the per-block gradients travel. The result
   is the in-memory fit's, to rounding.
2. **Streaming with dask-ml.** ``dask_ml.wrappers.Incremental`` feeds the
   blocks one after another to ``partial_fit``, which runs one epoch of
   minibatch SGD on each and carries the optimizer's state on.
3. **Tuning on the cluster.** ``GridSearchCV`` (and ``cross_val_score``) under
   ``joblib.parallel_backend("dask")`` run their fits as tasks on the workers.

Here the cluster is a local one of two workers, started and stopped by the
script. To use a real cluster, connect to its scheduler instead::

    client = Client("tcp://scheduler-host:8786")

(or use ``dask_jobqueue``, ``dask_kubernetes``, ... to start one); the rest is
unchanged. Install what this needs with ``pip install "sklinear-sgd[dask]"``.
"""

import time

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from sklinear_sgd import SoftmaxClassifier, SVMClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# A local cluster, and the data as dask arrays
# --------------------------------------------
# The two workers of this local cluster are threads of this process, so that
# the script runs as it is anywhere (worker processes, ``processes=True``, need
# the script's code under an ``if __name__ == "__main__":`` guard, as any
# program that starts processes by spawning). The data come in four blocks of
# rows; in real use the workers would read them themselves (``da.from_zarr``,
# ``dask.dataframe.read_parquet(...).to_dask_array(lengths=True)``, ...) so
# that they never pass through this process.

cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                       dashboard_address=":0")
client = Client(cluster)
rows = -(-len(y_train) // 4)
X_dask = da.from_array(X_train, chunks=(rows, X.shape[1]))
y_dask = da.from_array(y_train, chunks=rows)

# %%
# 1. Full-batch training on the workers
# -------------------------------------
# Each L-BFGS iteration sends the parameters, 10 x 65 numbers, to the blocks'
# tasks and receives one gradient of the same size per block.

model = SoftmaxClassifier(optimizer="lbfgs", max_iter=20, tol=None)
start = time.perf_counter()
in_memory = model.__sklearn_clone__().fit(X_train, y_train)
local_seconds = time.perf_counter() - start
start = time.perf_counter()
on_cluster = model.__sklearn_clone__().fit(X_dask, y_dask)
cluster_seconds = time.perf_counter() - start
for name, fitted, seconds in [("in memory", in_memory, local_seconds),
                              ("on dask", on_cluster, cluster_seconds)]:
    score = fitted.score(X_test, y_test)
    print(f"{name:<10} {seconds:.2f} s, test accuracy {score:.3f}")
difference = np.abs(on_cluster.coef_ - in_memory.coef_).max()
print(f"largest difference of coef_: {difference:.1e}")

# %%
# On data this small the round trips dominate; the cluster pays off when one
# pass over the blocks takes much longer than a round trip (see
# ``benchmarks/dask_workers.py`` and the user guide's page on dask).
#
# 2. Streaming the blocks through ``partial_fit``
# -----------------------------------------------
# Each pass over the data visits the four blocks in turn, one SGD epoch each.

incremental = Incremental(SVMClassifier(optimizer="sgd", random_state=0),
                          scoring="accuracy")
accuracy = []
for _ in range(3):
    incremental.partial_fit(X_dask, y_dask, classes=np.unique(y))
    accuracy.append(incremental.estimator_.score(X_test, y_test))
print("test accuracy after each pass:", np.round(accuracy, 3))

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
left.plot(in_memory.loss_curve_, lw=4, alpha=0.4, label="in memory")
left.plot(on_cluster.loss_curve_, "k--", label="dask, 4 blocks")
left.set(xlabel="L-BFGS iteration", ylabel="objective", yscale="log",
         title="Full batch: the same path")
left.legend()
right.plot(range(1, len(accuracy) + 1), accuracy, "o-")
right.set(xlabel="pass over the blocks", ylabel="test accuracy", ylim=(0.8, 1),
          title="Incremental SVM with SGD")
plt.show()

# %%
# 3. A grid search whose fits run on the workers
# ----------------------------------------------

grid = GridSearchCV(
    SoftmaxClassifier(optimizer="lbfgs", max_iter=30, tol=None),
    {"alpha": [1e-4, 1e-2]},
    cv=3,
    n_jobs=-1,
)
with joblib.parallel_backend("dask"):
    grid.fit(X_train, y_train)
print("best:", grid.best_params_, f"cross-validated accuracy {grid.best_score_:.3f}")

client.close()
cluster.close()
