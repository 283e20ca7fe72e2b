"""Full-batch training on a dask cluster of 1 and of 2 workers, on the same data.

The data are drawn on the workers (a seeded ``dask.array.random`` array, so both
clusters hold the same numbers) and never pass through this process. For each
cluster (``LocalCluster(n_workers=k, threads_per_worker=1, processes=True)``)
it prints the seconds of

- ``setup``: validation, the labels' unique values, the blocks drawn, built
  and checked on the workers (one pass over ``X``), and their second-moment
  matrix (for the step size);
- ``iteration``: one evaluation of the objective and its gradient, the cost of
  one gradient-descent or L-BFGS iteration (best of ``--repeat``, after a warm
  one), split as the mean time the blocks' tasks computed on the workers and
  the rest: scheduling and the transfer of ``W`` and the gradients;
- ``fit``: ``SoftmaxClassifier(optimizer="gd", max_iter=--iters).fit``.

and, for comparison, one evaluation in memory in this process (with
``--in-memory``, which computes ``X`` here). Run
``python benchmarks/dask_workers.py`` (200,000 x 200, 10 classes, 8 blocks) or
``--quick``. It asserts nothing: figures depend on the machine, and on a
machine whose cores are busy with other work the two workers share less than
two cores.
"""

import argparse
import time

import numpy as np


def make_data(n_samples, n_features, n_classes, n_blocks):
    """A seeded problem drawn lazily: blocks are made where they are computed."""
    import dask.array as da

    rows = -(-n_samples // n_blocks)
    rs = da.random.RandomState(0)
    X = rs.standard_normal((n_samples, n_features), chunks=(rows, n_features))
    W = np.random.RandomState(1).standard_normal((n_features, n_classes))
    noise = rs.standard_normal((n_samples, n_classes), chunks=(rows, n_classes))
    y = X @ W + 3 * noise
    return X, y.argmax(axis=1)


def run(n_workers, args):
    import distributed

    from sklinear_sgd import SoftmaxClassifier
    from sklinear_sgd._dask import bind_dask

    cluster = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
    )
    client = distributed.Client(cluster)
    try:
        # The workers import the package before the clock starts.
        client.run(_import_package)
        X, y = make_data(args.n_samples, args.n_features, args.n_classes, args.blocks)
        est = SoftmaxClassifier(optimizer="gd", max_iter=args.iters, tol=None)
        start = time.perf_counter()
        X_valid, objective = bind_dask(est, X, y, None, None, False, True)
        objective.smoothness()
        setup = time.perf_counter() - start
        P = objective.init_params() + 0.01
        objective.value_and_grad(P)  # warm: functions shipped, caches filled
        best, compute = np.inf, 0.0
        for _ in range(args.repeat):
            with distributed.get_task_stream(client) as stream:
                start = time.perf_counter()
                objective.value_and_grad(P)
                seconds = time.perf_counter() - start
            if seconds < best:
                best = seconds
                spans = [
                    s["stop"] - s["start"]
                    for task in stream.data for s in task["startstops"]
                    if s["action"] == "compute"
                ]
                # The blocks run side by side on the workers: the busiest
                # worker's compute is the part an iteration waits for.
                compute = sum(spans) / n_workers
        objective.close()
        start = time.perf_counter()
        est.fit(X, y)
        fit = time.perf_counter() - start
        return {"setup": setup, "iteration": best, "compute": compute, "fit": fit}
    finally:
        client.close()
        cluster.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=200)
    parser.add_argument("--n-classes", type=int, default=10)
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--in-memory", action="store_true")
    parser.add_argument("--quick", action="store_true", help="20,000 x 50, 4 blocks")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.n_features, args.blocks, args.iters = 20_000, 50, 4, 10

    print(
        f"{args.n_samples} x {args.n_features}, {args.n_classes} classes, "
        f"{args.blocks} blocks, float64; W and each block's gradient: "
        f"{args.n_classes * (args.n_features + 1) * 8 / 1e3:.1f} kB"
    )
    print(f"{'workers':>8} {'setup s':>9} {'iteration s':>12} {'compute s':>10} "
          f"{'other s':>8} {'fit s':>7}")
    for n_workers in (1, 2):
        r = run(n_workers, args)
        print(f"{n_workers:>8} {r['setup']:>9.3f} {r['iteration']:>12.4f} "
              f"{r['compute']:>10.4f} {r['iteration'] - r['compute']:>8.4f} "
              f"{r['fit']:>7.2f}")
    if args.in_memory:
        import dask

        from sklinear_sgd import SoftmaxClassifier

        data = make_data(args.n_samples, args.n_features, args.n_classes, args.blocks)
        X, y = dask.compute(*data)
        est = SoftmaxClassifier()
        est.classes_ = np.unique(y)
        objective = est._bind(X, y, None)
        P = objective.init_params() + 0.01
        objective.value_and_grad(P)
        best = min(
            _timed(objective.value_and_grad, P) for _ in range(args.repeat)
        )
        print(f"{'memory':>8} {'':>9} {best:>12.4f}")


def _import_package():
    import sklinear_sgd._dask  # noqa: F401


def _timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
