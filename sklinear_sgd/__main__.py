"""The tour: ``python -m sklinear_sgd``.

On the digits data shipped with scikit-learn, fit both classifiers with every
optimizer, print what each reached and how long it took, then run the gradient
check of both losses. ``python -m sklinear_sgd demo [--port N] [--open]``
starts the interactive demo instead (see :mod:`sklinear_sgd.demo`).
"""

import argparse
import sys
from pathlib import Path
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from . import SoftmaxClassifier, SVMClassifier, __version__
from ._callbacks import HAS_CALLBACKS
from .gradient_check import check_gradient
from .optimizers import OPTIMIZERS

CLASSIFIERS = (SVMClassifier, SoftmaxClassifier)


def _progress_callbacks(enabled):
    """scikit-learn's ProgressBar where it is available and wanted, else none."""
    if not enabled or not HAS_CALLBACKS:
        return []
    try:
        from sklearn.callback import ProgressBar

        return [ProgressBar()]
    except ImportError:  # rich, which draws the bar, is not installed
        return []


def _fit_table(X_train, X_test, y_train, y_test, random_state, progress=False):
    """Fit every classifier with every optimizer; print a row each; return the fits."""
    fitted = {}
    header = (
        f"{'classifier':<18} {'optimizer':<20} {'iters':>6} {'train':>6} "
        f"{'test':>6} {'objective':>10} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    for cls in CLASSIFIERS:
        for name in OPTIMIZERS:
            clf = cls(optimizer=name, random_state=random_state)
            callbacks = _progress_callbacks(progress)
            if callbacks:
                clf.set_callbacks(*callbacks)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            print(
                f"{cls.__name__:<18} {name:<20} {clf.n_iter_:>6} "
                f"{clf.score(X_train, y_train):>6.3f} {clf.score(X_test, y_test):>6.3f} "
                f"{clf.loss_curve_[-1]:>10.5f} {seconds:>8.2f}"
            )
            fitted[cls.__name__, name] = clf
    return fitted


def _random_search_lines(X_train, y_train, random_state, n_lines=5):
    print("\nRandom search, the lecture's first strategy (first attempts):")
    clf = SVMClassifier(optimizer="random_search", max_iter=n_lines, verbose=1,
                        random_state=random_state)
    clf.fit(X_train, y_train)


#: What ``--plots`` says when matplotlib cannot be imported.
PLOTS_NEED_MATPLOTLIB = (
    "--plots needs matplotlib, which is not installed: pip install matplotlib "
    "(it is the package's 'plots' extra: pip install \".[plots]\" from a checkout). "
    "Nothing was run."
)


def _pyplot():
    """matplotlib's pyplot on the Agg backend, or None if matplotlib cannot be imported."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def _write_plots(plt, directory, fitted, random_state):
    """Write the loss curves of the tour's fits and decision regions as PNG files."""
    from sklearn.datasets import make_blobs

    directory.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    for ax, cls in zip(axes, CLASSIFIERS):
        for (name, optimizer), clf in fitted.items():
            if name == cls.__name__:
                ax.plot(range(1, clf.n_iter_ + 1), clf.loss_curve_, label=optimizer)
        ax.set(title=f"{cls.__name__} on digits", xlabel="iteration",
               ylabel="objective", xscale="log", yscale="log")
        ax.legend(fontsize="small", loc="lower left")
    fig.savefig(directory / "loss_curves.png", dpi=100)
    plt.close(fig)

    X, y = make_blobs(n_samples=120, centers=[[-1.5, -1], [1.5, -1], [0, 1.6]],
                      cluster_std=0.8, random_state=random_state)
    xx, yy = np.meshgrid(np.linspace(-4, 4, 300), np.linspace(-4, 4, 300))
    grid = np.c_[xx.ravel(), yy.ravel()]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
    for ax, cls in zip(axes, CLASSIFIERS):
        clf = cls(random_state=random_state).fit(X, y)  # the default: the exact optimum
        ax.contourf(xx, yy, clf.predict(grid).reshape(xx.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                    colors=["#fdd0a2", "#c7e9c0", "#dadaeb"])
        for k, color in enumerate(["#d95f02", "#1b9e77", "#7570b3"]):
            w, b = clf.coef_[k], clf.intercept_[k]
            ax.plot([-4, 4], [-(b - 4 * w[0]) / w[1], -(b + 4 * w[0]) / w[1]], color=color,
                    label=f"class {k}: w.x + b = 0")
            ax.scatter(*X[y == k].T, color=color, s=15, edgecolor="k", linewidth=0.3)
        ax.set(title=f"{cls.__name__}: accuracy {clf.score(X, y):.2f}", xlim=(-4, 4),
               ylim=(-4, 4), xlabel="x1", ylabel="x2")
        ax.legend(fontsize="small", loc="lower left")
    fig.savefig(directory / "decision_regions.png", dpi=100)
    plt.close(fig)
    print(f"\nWrote {directory / 'loss_curves.png'} and {directory / 'decision_regions.png'}.")


def _verdict(error):
    """How to read a relative error, by the usual rule of thumb."""
    if error < 1e-7:
        return "agree"
    if error < 1e-4:
        return "agree up to the rounding of entries close to 0"
    if error < 1e-2:
        return "suspicious"
    return "the gradient is wrong"


def _gradient_checks(X_train, y_train, random_state):
    print("\nGradient check (analytic against numerical gradient, relative error):")
    rows = slice(0, 60)
    for cls in CLASSIFIERS:
        for fit_intercept in (True, False):
            result = check_gradient(
                cls(alpha=0.1, fit_intercept=fit_intercept),
                X_train[rows],
                y_train[rows],
                random_state=random_state,
            )
            verdict = _verdict(result.max_error)
            print(
                f"  {cls.__name__:<18} fit_intercept={fit_intercept!s:<5} "
                f"max relative error {result.max_error:.2e}  {verdict}"
            )


def main(argv=None):
    """Run the tour, or the demo if the first argument is ``demo``.

    ``argv`` as for :mod:`argparse`.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"]:
        from .demo import main as demo_main

        return demo_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m sklinear_sgd",
        description="A tour of sklinear_sgd on the digits data. "
        "'python -m sklinear_sgd demo --help' describes the interactive demo.",
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--progress",
        choices=["auto", "on", "off"],
        default="auto",
        help="progress bars of the fits (scikit-learn >= 1.9 with rich); 'auto' "
        "shows them on a terminal",
    )
    parser.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="write the loss curves and decision regions as PNG files into DIR "
        "(needs matplotlib, the 'plots' extra; checked before anything runs)",
    )
    args = parser.parse_args(argv)
    progress = args.progress == "on" or (args.progress == "auto" and sys.stdout.isatty())
    plt = None
    if args.plots is not None:  # before any fit: a missing dependency or folder fails fast
        plt = _pyplot()
        if plt is None:
            print(f"{parser.prog}: error: {PLOTS_NEED_MATPLOTLIB}", file=sys.stderr)
            return 1
        try:
            args.plots.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"{parser.prog}: error: --plots cannot create the folder "
                  f"{args.plots}: {exc}. Nothing was run.", file=sys.stderr)
            return 1

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=args.random_state, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    print(
        f"sklinear_sgd {__version__}: digits, {X_train.shape[0]} training and "
        f"{X_test.shape[0]} test images of {X.shape[1]} pixels, "
        f"{len(np.unique(y))} classes, standardized.\n"
    )
    fitted = _fit_table(X_train, X_test, y_train, y_test, args.random_state, progress)
    _random_search_lines(X_train, y_train, args.random_state)
    _gradient_checks(X_train, y_train, args.random_state)
    if args.plots is not None:
        _write_plots(plt, args.plots, fitted, args.random_state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
