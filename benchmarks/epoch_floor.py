"""One SGD epoch against the two-GEMM floor, in one process.

The floor of a minibatch epoch is the two matrix products it cannot avoid,
``X_b @ W.T`` forward and ``dS.T @ X_b`` backward, over rows gathered by a fresh
permutation, batch by batch; ``X.sum()`` is one read of X at memory bandwidth.
Prints seconds per epoch and the ratios, for both losses, float32 and float64.
Run ``python benchmarks/epoch_floor.py`` (20,000 x 3,072, 10 classes, batch
256) or ``--quick`` for a small shape. Figures depend on the machine: compare
the ratios, which are measured side by side.
"""

import argparse
import time

import numpy as np

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.optimizers import SGD


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def floor_epoch(X, n_classes, batch_size, rng):
    W = np.zeros((n_classes, X.shape[1]), dtype=X.dtype)
    order = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        Xb = X[order[start : start + batch_size]]
        S = Xb @ W.T
        W -= S.T @ Xb * X.dtype.type(1e-6)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 x 512, one repeat")
    args = parser.parse_args(argv)
    n, d, k, batch, epochs, repeat = (2000, 512, 10, 256, 3, 1) if args.quick else (
        20000, 3072, 10, 256, 5, 2)
    rng = np.random.default_rng(0)
    print(f"{n} x {d}, {k} classes, batch {batch}; seconds per epoch (best of {repeat})")
    print(f"{'dtype':<8} {'X.sum()':>8} {'floor':>8} {'svm':>8} {'softmax':>8} "
          f"{'svm/floor':>10} {'softmax/floor':>14}")
    for dtype in (np.float32, np.float64):
        X = rng.normal(size=(n, d)).astype(dtype)
        y = rng.integers(k, size=n)
        read = best_of(X.sum, repeat)
        floor = best_of(lambda: floor_epoch(X, k, batch, rng), repeat)
        ours = {}
        for name, cls in (("svm", SVMClassifier), ("softmax", SoftmaxClassifier)):
            clf = cls(optimizer=SGD(batch_size=batch), max_iter=epochs, tol=None, random_state=0)
            ours[name] = best_of(lambda: clf.fit(X, y), repeat) / epochs
        print(f"{np.dtype(dtype).name:<8} {read:>8.4f} {floor:>8.4f} {ours['svm']:>8.4f} "
              f"{ours['softmax']:>8.4f} {ours['svm'] / floor:>10.2f} "
              f"{ours['softmax'] / floor:>14.2f}")


if __name__ == "__main__":
    main()
