"""What LBFGS's settings cost: each one set back to its alternative.

On the softmax (``SoftmaxClassifier(optimizer='lbfgs')`` at its default
``alpha``, fitted to its own stopping test) of standardized digits, the
CIFAR-shaped float32 set and the sparse text-shaped float32 set of
``bench.py``, every variant is fitted in turn, round after round, and the
table gives its iterations, its seconds as a ratio to the default's in the same
round (the minimum over rounds, and the range), and its final relative gap
``(f - f*) / max(f*, 0.01)`` to the lowest objective of all variants, computed
on float64 data. The variants:

- **default**: ``LBFGS()``;
- **memory=10**: 10 correction pairs instead of 30;
- **columns by RMS**: the columns scaled by their root mean square alone,
  without the penalty's share of their curvature;
- **float64 only**: on float32 data, no float32 stage (every product mixes
  float32 data with float64 weights, as before the float32 stage existed).

Run ``python benchmarks/lbfgs_settings.py`` (a few minutes on a 2-core machine)
or ``--quick`` (smaller sets, one round). Nothing is asserted about time.
"""

import argparse
import gc
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

import sklinear_sgd.optimizers.quasi_newton as quasi_newton
from bench import cifar_shaped, text_shaped
from sklinear_sgd import SoftmaxClassifier
from sklinear_sgd.optimizers import LBFGS

SIZES = {"full": ((20000, 3072), (100000, 50000), 3),
         "quick": ((2000, 512), (10000, 5000), 1)}


def rms_scales(objective):
    """The columns' scales without the penalty's share (the alternative)."""
    with np.errstate(over="ignore", divide="ignore"):
        exponent = np.round(np.log2(np.sqrt(objective.second_moments())))
    exponent[~np.isfinite(exponent)] = 0
    if objective.fit_intercept:
        exponent[-1] = 0
    return np.ldexp(1.0, exponent.astype(int))


class Float64Only(LBFGS):
    """LBFGS without its float32 stages."""

    def _stages(self, objective, state):
        return [s for s in super()._stages(objective, state) if s[3] == np.float64]


def fit(X, y, optimizer, scales=None):
    clf = SoftmaxClassifier(optimizer=optimizer, early_stopping=False)
    original = quasi_newton._column_scales
    if scales is not None:
        quasi_newton._column_scales = scales
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # none is expected: say so if one comes
            gc.collect()
            start = time.perf_counter()
            clf.fit(X, y)
            seconds = time.perf_counter() - start
    finally:
        quasi_newton._column_scales = original
    return clf, seconds


def problems(size):
    X, y = load_digits(return_X_y=True)
    yield "digits", StandardScaler().fit_transform(X), y
    (n, d), (n_text, d_text) = size[0], size[1]
    yield "cifar", *cifar_shaped(n, d, 10)
    yield "text", *text_shaped(n_text, d_text, 20)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sets, one round")
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    rounds = size[2]
    print(f"`python benchmarks/lbfgs_settings.py{' --quick' if args.quick else ''}`; "
          f"seconds: the minimum of {rounds} interleaved round(s) as a ratio to the "
          "default's, in brackets the range of the rounds' ratios\n")
    print("| problem | variant | iterations | seconds | seconds / default | final gap |")
    print("|---|---|---|---|---|---|")
    for key, X, y in problems(size):
        variants = {"default": (LBFGS(), None), "memory=10": (LBFGS(memory=10), None),
                    "columns by RMS": (LBFGS(), rms_scales)}
        if X.dtype == np.float32:
            variants["float64 only"] = (Float64Only(), None)
        times = {name: [] for name in variants}
        models = {}
        for _ in range(rounds):
            for name, (optimizer, scales) in variants.items():
                models[name], seconds = fit(X, y, optimizer, scales)
                times[name].append(seconds)
        X64 = X.astype(np.float64)
        values = {name: clf.objective(X64, y) for name, clf in models.items()}
        f_star = min(values.values())
        for name in variants:
            paired = [t / b for t, b in zip(times[name], times["default"])]
            gap = (values[name] - f_star) / max(f_star, 0.01)
            print(f"| {key} | {name} | {models[name].n_iter_} | {min(times[name]):.2f} | "
                  f"{min(times[name]) / min(times['default']):.2f} "
                  f"({min(paired):.2f}-{max(paired):.2f}) | {gap:.1e} |", flush=True)


if __name__ == "__main__":
    main()
