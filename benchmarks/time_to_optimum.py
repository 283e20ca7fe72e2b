"""Time to the optimum: suboptimality against wall time, benchopt style.

For each problem (standardized digits; a CIFAR-shaped dense float32 set; the
sparse text-shaped CSR set of ``bench.py``) and each loss (the softmax of
:class:`~sklinear_sgd.SoftmaxClassifier`, the Weston-Watkins hinge of
:class:`~sklinear_sgd.SVMClassifier`, both at their default ``alpha`` with the
``'l2'`` penalty), every optimizer runs from zero and the objective of every
iterate is recorded against the time it took to get there; the table gives
the time to a relative gap ``(f - f*) / max(f*, 0.01)`` of 1e-2, 1e-4 and
1e-6.

How the times are taken
-----------------------

- **Ours**: one run per optimizer, driven the way ``fit`` drives it (the same
  private steps: validation, :meth:`_bind`, the optimizer's ``init_state`` and
  ``iterate``, each iterate released with ``send(True)``; no early stopping,
  no ``tol``): the clock runs inside those calls only, and stops while the
  benchmark evaluates the exact objective of the iterate. The time of
  iterate ``k`` is then what ``fit(max_iter=k)`` costs, setup included; the
  iterates are those of ``fit(max_iter=k)`` (the paths are deterministic,
  and no schedule depends on ``max_iter``; the quick mode checks this).
  L-BFGS hands its iterates out in chunks (SciPy cannot be paused), so its
  times come from SciPy's own per-iteration callback, wrapped to note the
  time (the wrapper changes nothing SciPy computes), plus the per-iterate
  work the optimizer does when it hands the chunk out.
- **LogisticRegression** (lbfgs, newton-cg, saga; softmax only, on the same
  objective, ``C = 1 / (2 alpha n)``): it cannot be paused, so it is fit
  again with ``max_iter`` 1, 2, 4, 8, ... and ``tol=1e-12``, each fit timed
  whole and evaluated with our estimator's ``objective`` after setting
  ``coef_`` and ``intercept_`` on a fitted copy. Its time to a gap is the
  first such fit that reaches it, an upper bound; the fit before it is a
  lower bound (the ratios give both).
- **The reference** ``f*``: for the softmax, the lower of our L-BFGS run to
  its own stopping test and ``LogisticRegression(solver='lbfgs', tol=1e-12)``
  run to its own (the grid's last fit, which is the ``max_iter=10000`` fit);
  for the hinge, our L-BFGS. Every run has a time budget; if one that did not
  converge sets ``f*``, or any run goes below it, the table says so (``f*`` is
  then the lowest value seen, as benchopt does).
- Objectives of float32 data are computed in float32 and, once within 1e-5
  of ``f*`` (where float32's rounding, about 1e-7 of the objective, starts to
  matter), again on a float64 copy of ``X``.

Run ``python benchmarks/time_to_optimum.py`` (about 12 minutes on a 2-core
machine; writes ``benchmarks/time_to_optimum.md``, which the documentation
includes, and ``docs/_static/time_to_optimum.png`` when matplotlib is
installed) or ``--quick`` (smaller sets and budgets, under 2 minutes; writes
no file unless ``--markdown`` or ``--figure`` is given). Nothing is asserted
about time.
"""

import argparse
import gc
import math
import os
import platform
import time
import warnings
from collections import deque
from contextlib import contextmanager

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

import sklinear_sgd
import sklinear_sgd.optimizers.quasi_newton as quasi_newton
from bench import Report, cifar_shaped, text_shaped
from sklinear_sgd import SoftmaxClassifier, SVMClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TARGETS = (1e-2, 1e-4, 1e-6)
LOSSES = {"softmax": SoftmaxClassifier, "hinge": SVMClassifier}
OURS = ("lbfgs", "gd", "sgd", "adam", "svrg")
LR_SOLVERS = ("lbfgs", "newton-cg", "saga")
#: Below this relative gap a float32 objective is computed again in float64.
_PRECISE_BELOW = 1e-5
#: Iteration caps; the time budgets below stop the runs long before.
_MAX_ITER = 10**6
_LR_MAX_ITER = 10_000

# name: (shape of the CIFAR-shaped set, shape of the sparse set,
#        {problem: budgets in measured seconds of one run: (first-order optimizers,
#                  L-BFGS on the softmax, L-BFGS on the hinge, LogisticRegression's
#                  newton-cg and saga grids)})
SIZES = {
    "full": ((20000, 3072), (100000, 50000),
             {"digits": (5, 60, 60, 10), "cifar": (12, 150, 60, 30),
              "text": (12, 90, 60, 30)}),
    "quick": ((2000, 512), (10000, 5000),
              {"digits": (1, 3, 3, 1), "cifar": (1, 3, 3, 1), "text": (1, 3, 3, 1)}),
}


def relative_gap(value, f_star):
    return (value - f_star) / max(f_star, 0.01)


# -- the problems -------------------------------------------------------------


def problems(size):
    """``(key, title, X, y)`` of each problem, X float64 or float32."""
    (n_dense, d_dense), (n_sparse, d_sparse) = size[0], size[1]
    X, y = load_digits(return_X_y=True)
    yield "digits", f"digits ({X.shape[0]:,} x {X.shape[1]}, standardized)", \
        StandardScaler().fit_transform(X), y
    X, y = cifar_shaped(n_dense, d_dense, 10)
    yield "cifar", f"CIFAR-shaped ({n_dense:,} x {d_dense:,} float32)", X, y
    X, y = text_shaped(n_sparse, d_sparse, 20)
    yield "text", (f"text-shaped CSR ({n_sparse:,} x {d_sparse:,}, "
                   f"{X.nnz / n_sparse:.0f} non-zeros a row, float32)"), X, y


# -- the objective, evaluated outside the clock ---------------------------------


class Evaluator:
    """The exact objective of one (loss, problem), as ``objective(X, y)`` of
    a fitted estimator computes it, in the data's dtype and, for float32 data
    near ``f_star``, in float64 (see the module's docstring)."""

    def __init__(self, cls, X, y):
        self.X, self.y = X, y
        self.X64 = None if X.dtype == np.float64 else X.astype(np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model = cls(optimizer="gd", max_iter=1, tol=None, early_stopping=False)
            self.model.fit(X, y)  # a fitted copy whose coef_ we set
        self.objective = self.model._bind(X, y, None)
        self.objective64 = None if self.X64 is None else self.model._bind(self.X64, y, None)
        self.f_star = None

    def _near(self, value):
        return self.f_star is None or relative_gap(value, self.f_star) < _PRECISE_BELOW

    def params(self, P):
        """The objective at internal parameters ``P`` (an iterate's)."""
        value = self.objective.value(P)
        if self.objective64 is not None and self._near(value):
            value = self.objective64.value(P.astype(np.float64))
        return value

    def model_value(self, coef, intercept):
        """The objective of ``coef_`` and ``intercept_`` (a LogisticRegression's),
        through ``objective(X, y)`` of the fitted copy."""
        self.model.coef_ = np.asarray(coef, dtype=self.X.dtype)
        self.model.intercept_ = np.asarray(intercept, dtype=self.X.dtype)
        value = self.model.objective(self.X, self.y)
        if self.X64 is not None and self._near(value):
            value = self.model.objective(self.X64, self.y)
        return value


# -- our optimizers: one run, timed iterate by iterate -----------------------------


@contextmanager
def scipy_stamps(stamps):
    """Note the time of every SciPy L-BFGS iteration that our LBFGS runs.

    The optimizer calls ``scipy.optimize.minimize`` with a callback after
    each iteration; the wrapper calls that callback, then appends the time.
    Nothing that SciPy computes changes.
    """
    real = quasi_newton.minimize

    def minimize(*args, callback=None, **kwargs):
        def stamped(xk):
            out = callback(xk)
            stamps.append(time.perf_counter())
            return out
        return real(*args, callback=None if callback is None else stamped, **kwargs)

    quasi_newton.minimize = minimize
    try:
        yield
    finally:
        quasi_newton.minimize = real


class Curve:
    def __init__(self, label, kind):
        self.label, self.kind = label, kind
        self.times, self.values = [], []
        self.lower = []  # LogisticRegression: the time of the fit before
        self.stop = ""
        self.n_iter = 0
        self.converged = False

    def add(self, seconds, value, lower=None):
        self.times.append(seconds)
        self.values.append(value)
        self.lower.append(lower)

    def best(self):
        return min(self.values) if self.values else math.inf

    def first_below(self, target, f_star):
        """(time, lower bound) of the first point within ``target`` of f_star."""
        for seconds, value, lower in zip(self.times, self.values, self.lower):
            if relative_gap(value, f_star) <= target:
                return seconds, lower
        return None, None


def run_ours(cls, name, X, y, evaluator, budget, stop_gap=None, max_points=None):
    """Drive optimizer ``name`` as ``fit`` does and record every iterate.

    Stops at the optimizer's own test, after ``budget`` seconds of measured
    time or, given ``stop_gap``, once the relative gap to ``evaluator.f_star``
    is at most ``stop_gap`` (or after ``max_points`` iterates).
    """
    curve = Curve(name, "ours")
    clf = cls(optimizer=name, max_iter=_MAX_ITER, tol=None, early_stopping=False,
              random_state=0)
    stamps = []
    gc.collect()
    with scipy_stamps(stamps), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        # What fit does before its first iteration (BaseLinearClassifier._fit_or_raise,
        # _train and _run without early stopping, tol or callbacks).
        Xv, yv = validate_data(clf, X, y, accept_sparse="csr",
                               dtype=[np.float64, np.float32], reset=True)
        check_classification_targets(yv)
        clf._set_classes(yv, None, False, True)
        objective = clf._bind(Xv, yv, None)
        optimizer = clf._optimizer(False, False)
        state = optimizer.init_state(objective, clf.random_state)
        params = objective.init_params()
        objective.value(params)  # fit's reference for divergence
        iterates = optimizer.iterate(objective, params, state, _MAX_ITER)
        del params
        clock = time.perf_counter() - start
        pending = deque()  # stamps of a chunk of L-BFGS iterates not yet handed out
        released = False
        while True:
            n_stamps = len(stamps)
            t0 = time.perf_counter()
            try:
                it = iterates.send(True) if released else next(iterates)
            except StopIteration:
                curve.stop, curve.converged = "own test", True
                break
            t1 = time.perf_counter()
            released = True
            clock += t1 - t0
            new = stamps[n_stamps:]
            if new:  # SciPy ran a chunk in this call: its iterations' times
                chunk_start, chunk_t0, handout = clock - (t1 - t0), t0, 0.0
                pending = deque(new)
                handout += t1 - new[-1]
            elif pending:
                handout += t1 - t0
            if pending:
                seconds = chunk_start + (pending.popleft() - chunk_t0) + handout
            else:
                seconds = clock
            value = evaluator.params(it.params)  # off the clock
            curve.add(seconds, value)
            curve.n_iter += 1
            if stop_gap is not None and relative_gap(value, evaluator.f_star) <= stop_gap:
                curve.stop = f"reached {stop_gap:.0e}"
                break
            if seconds > budget:  # (L-BFGS: its iterates' times, not the chunk's end)
                curve.stop = f"budget {budget:g} s"
                break
            if max_points is not None and curve.n_iter >= max_points:
                curve.stop = f"{max_points} iterates"
                break
        iterates.close()
    if name == "lbfgs" and not stamps and curve.n_iter:
        curve.stop += "; no SciPy stamps: times are at chunk ends"
    return curve


# -- LogisticRegression: fits with increasing max_iter ----------------------------


def run_lr(solver, X, y, evaluator, alpha, budget, stop_gap=None):
    """Fits with max_iter 1, 2, 4, ... each timed whole, until one converges
    (fewer iterations than allowed), one reaches ``stop_gap`` or the next
    would overrun ``budget`` (None: until convergence)."""
    curve = Curve(f"LogisticRegression {solver}", "sklearn")
    C = 1.0 / (2.0 * alpha * X.shape[0])
    max_iter, before = 1, None
    while True:
        model = LogisticRegression(C=C, solver=solver, tol=1e-12, max_iter=max_iter,
                                   random_state=0)
        gc.collect()
        with warnings.catch_warnings():
            # ConvergenceWarning, and at tol=1e-12 newton-cg's line-search
            # warnings near the optimum: its result is evaluated here anyway.
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - start
        value = evaluator.model_value(model.coef_, model.intercept_)
        curve.add(seconds, value, before)
        curve.n_iter = int(np.max(model.n_iter_))
        before = seconds
        if curve.n_iter < max_iter:
            curve.stop, curve.converged = "own test", True
            break
        if max_iter >= _LR_MAX_ITER:
            curve.stop = f"max_iter {_LR_MAX_ITER}"
            break
        if stop_gap is not None and relative_gap(value, evaluator.f_star) <= stop_gap:
            curve.stop = f"reached {stop_gap:.0e}"
            break
        if budget is not None and 2 * seconds > budget:
            curve.stop = f"budget {budget:g} s"
            break
        max_iter = min(2 * max_iter, _LR_MAX_ITER)
    return curve


# -- one problem ------------------------------------------------------------------


def run_problem(key, X, y, budgets, log):
    """Every curve of one problem: {loss: (curves, reference info)}."""
    budget, budget_softmax, budget_hinge, budget_lr = budgets
    results = {}
    for loss, cls in LOSSES.items():
        evaluator = Evaluator(cls, X, y)
        alpha = cls().alpha
        curves = []
        # The references first, each to its own stopping test (within a budget).
        ours = run_ours(cls, "lbfgs", X, y, evaluator,
                        budget_softmax if loss == "softmax" else budget_hinge)
        curves.append(ours)
        log(key, loss, ours)
        refs = [("our L-BFGS", ours)]
        if loss == "softmax":
            lr = run_lr("lbfgs", X, y, evaluator, alpha, None)
            curves.append(lr)
            log(key, loss, lr)
            refs.append(("LogisticRegression lbfgs", lr))
        evaluator.f_star = min(curve.best() for _, curve in refs)
        # The other runs stop at the last target, if the reference is an optimum
        # (else they run their whole budget: one of them may set f*).
        certified = min(refs, key=lambda r: r[1].best())[1].converged
        stop_gap = TARGETS[-1] if certified else None
        for name in OURS[1:]:
            curve = run_ours(cls, name, X, y, evaluator, budget, stop_gap=stop_gap)
            curves.append(curve)
            log(key, loss, curve)
        if loss == "softmax":
            for solver in LR_SOLVERS[1:]:
                curve = run_lr(solver, X, y, evaluator, alpha, budget_lr, stop_gap=stop_gap)
                curves.append(curve)
                log(key, loss, curve)
        best_ref = min(refs, key=lambda r: r[1].best())
        f_star = min(curve.best() for curve in curves)
        below = [c.label for c in curves if c.best() < best_ref[1].best()]
        # An optimum: a reference that stopped by its own test, and no run below
        # it but by rounding.
        certified = best_ref[1].converged and relative_gap(best_ref[1].best(), f_star) < 1e-9
        start = relative_gap(evaluator.params(evaluator.objective.init_params()), f_star)
        results[loss] = dict(curves=curves, f_star=f_star, refs=refs, source=best_ref,
                             below=below, alpha=alpha, certified=certified, start=start)
    return results


# -- the checks of the method (correctness, not time) -----------------------------


def check_driver(X, y):
    """Our driver's iterates are fit(max_iter=k)'s: the same objective after 5."""
    for cls in LOSSES.values():
        evaluator = Evaluator(cls, X, y)
        for name in ("lbfgs", "sgd", "svrg"):
            clf = cls(optimizer=name, max_iter=5, tol=None, early_stopping=False,
                      random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X, y)
            curve = run_ours(cls, name, X, y, evaluator, math.inf, max_points=5)
            assert len(curve.values) == 5 and np.isclose(
                curve.values[-1], clf.objective(X, y), rtol=1e-9, atol=0
            ), (cls.__name__, name, curve.values, clf.objective(X, y))


# -- the report -------------------------------------------------------------------


def fmt_time(seconds):
    if seconds is None:
        return "—"
    if seconds < 0.1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_gap(gap):
    return "0" if gap <= 0 else f"{gap:.1e}"


def time_to(curve, target, f_star):
    return curve.first_below(target, f_star)


def mark(res):
    return "" if res["certified"] else " †"


def report_tables(report, results, titles, budgets):
    rows = []
    for key, by_loss in results.items():
        for loss, res in by_loss.items():
            f_star = res["f_star"]
            for curve in res["curves"]:
                cells = []
                for target in TARGETS:
                    seconds, lower = time_to(curve, target, f_star)
                    cell = fmt_time(seconds)
                    if seconds is not None and curve.kind == "sklearn":
                        cell += f" (> {fmt_time(lower)})" if lower is not None else ""
                    cells.append(cell)
                label = curve.label if curve.kind == "sklearn" else f"ours, {curve.label}"
                iters = (f"{curve.n_iter}" if curve.kind == "ours"
                         else f"{curve.n_iter} ({len(curve.values)} fits)")
                rows.append([key, loss + mark(res), label, *cells, iters,
                             fmt_gap(relative_gap(curve.best(), f_star)), curve.stop])
    report.table(
        "Time to a relative gap (f - f*) / max(f*, 0.01)",
        ["problem", "loss", "solver", "1e-2", "1e-4", "1e-6", "iterations",
         "best gap", "stopped by"],
        rows,
        note="Time from the start of a fit (validation and setup included) to the "
             "first iterate within the gap; '—': not within the run's budget. "
             "Ours: one run, the clock stopped while the benchmark evaluates each "
             "iterate. LogisticRegression: fits with max_iter 1, 2, 4, ... (tol=1e-12), "
             "each timed whole; its time is the first fit within the gap, and in "
             "brackets the fit before it, which was not: the time lies between. "
             "'iterations': ours, the iterations run (epochs for sgd, adam and svrg); "
             "LogisticRegression, n_iter_ of the last fit. Budgets, in measured seconds "
             "of a run (first-order optimizers / L-BFGS softmax / L-BFGS hinge / "
             "LogisticRegression newton-cg and saga): "
             + "; ".join(f"{k} {b[0]:g} / {b[1]:g} / {b[2]:g} / {b[3]:g}"
                         for k, b in budgets.items())
             + ". The references run to their own stopping test (LogisticRegression's "
             "lbfgs without a budget); once f* is an optimum, the other runs stop "
             "at 1e-6. †: f* is not an optimum, only the lowest objective of any "
             "run (the run that found it stopped at its budget; see the next table): "
             "every gap of that problem is a lower bound, and the run that set f* "
             "reaches every gap at its last iterate.",
    )
    rows = []
    for key, by_loss in results.items():
        for loss, res in by_loss.items():
            refs = "; ".join(
                f"{label}: {c.best():.10g} after {c.n_iter} iterations"
                f"{'' if c.converged else ' (budget, not converged)'}"
                for label, c in res["refs"])
            note = f"{res['source'][0]}" + ("" if res["source"][1].converged
                                             else ", not converged")
            if res["below"]:
                note += "; lower still: " + ", ".join(res["below"])
            rows.append([key, loss + mark(res), f"{res['alpha']:g}", f"{res['f_star']:.10g}",
                         fmt_gap(res["start"]), refs, note])
    report.table(
        "The reference optimum f*",
        ["problem", "loss", "alpha", "f*", "gap at W = 0", "reference runs", "f* from"],
        rows,
        note="f* is the lowest objective of the references (our L-BFGS and, for "
             "the softmax, LogisticRegression's lbfgs, C = 1 / (2 alpha n)), each run "
             "to its own stopping test; if another run went lower, 'f* from' names it "
             "and f* is the lowest value seen. 'gap at W = 0': the relative gap of "
             "the starting point, zero weights and intercepts (a gap of 1e-2 may be "
             "reached at the start). Objectives on float32 data are "
             "computed again in float64 within 1e-5 of f*.",
    )
    rows = []
    for key, by_loss in results.items():
        soft, hinge = by_loss["softmax"], by_loss["hinge"]
        ours = fastest([c for c in soft["curves"] if c.kind == "ours"], 1e-4, soft["f_star"])
        theirs = fastest([c for c in soft["curves"] if c.kind == "sklearn"], 1e-4,
                         soft["f_star"])
        svm = fastest([c for c in hinge["curves"] if c.kind == "ours"], 1e-4,
                      hinge["f_star"])
        rows.append([titles[key], describe(ours) + mark(soft), describe(theirs),
                     ratio_cell(ours, theirs) + mark(soft), describe(svm) + mark(hinge),
                     ratio_cell(svm, ours) + mark(hinge)])
    report.table(
        "Ratios at a relative gap of 1e-4",
        ["problem", "ours, softmax, fastest", "LogisticRegression, fastest",
         "ours / LogisticRegression", "ours, hinge, fastest", "hinge / softmax"],
        rows,
        note="A ratio below 1: the first is faster. Against LogisticRegression, in "
             "brackets: the ratio to the fit before its first within 1e-4 (the ratio "
             "lies between the two). †: to the lowest objective found, not an "
             "optimum (see the first table).",
    )


def fastest(curves, target, f_star):
    """(label, time, lower bound) of the curve first within ``target``."""
    best = None
    for curve in curves:
        seconds, lower = time_to(curve, target, f_star)
        if seconds is not None and (best is None or seconds < best[1]):
            best = (curve.label, seconds, lower)
    return best


def describe(entry):
    return "— (none within budget)" if entry is None else f"{entry[0]}: {fmt_time(entry[1])}"


def ratio_cell(num, den):
    if num is None or den is None:
        return "—"
    cell = f"**{num[1] / den[1]:.2f}**"
    if den[2] is not None:
        cell += f" ({num[1] / den[2]:.2f})"
    return cell


def figure(results, titles, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure")
        return
    keys = list(results)
    fig, axes = plt.subplots(len(LOSSES), len(keys), figsize=(5 * len(keys), 8),
                             squeeze=False)
    colors = dict(zip([*OURS, *(f"LogisticRegression {s}" for s in LR_SOLVERS)],
                      plt.get_cmap("tab10").colors))
    for col, key in enumerate(keys):
        for row, loss in enumerate(LOSSES):
            ax = axes[row][col]
            res = results[key][loss]
            for curve in res["curves"]:
                gaps = np.maximum([relative_gap(v, res["f_star"]) for v in curve.values], 1e-10)
                style = "--o" if curve.kind == "sklearn" else "-" if len(gaps) > 30 else "-s"
                label = curve.label if curve.kind == "sklearn" else f"ours, {curve.label}"
                ax.plot(curve.times, gaps, style, color=colors.get(curve.label),
                        label=label, markersize=3, linewidth=1.4)
            for target in TARGETS:
                ax.axhline(target, color="0.8", linewidth=0.8, zorder=0)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(1e-10 / 2, None)
            ax.set_title(f"{titles[key]}\n{loss}" + ("" if res["certified"] else
                         " (†: f* is the lowest value found, not an optimum)"), fontsize=9)
            ax.set_xlabel("seconds (log scale); a gap of 0 is drawn at 1e-10")
            if col == 0:
                ax.set_ylabel("(f - f*) / max(f*, 0.01)")
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"figure written to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sets and budgets, under 2 minutes; writes no file "
                             "unless asked")
    parser.add_argument("--markdown", metavar="FILE",
                        help="write the tables to FILE (default without --quick: "
                             "benchmarks/time_to_optimum.md)")
    parser.add_argument("--lbfgs-budget", metavar="SECONDS", type=float,
                        help="the budget of our L-BFGS reference runs, for every "
                             "problem and loss (to let the hinge's converge)")
    parser.add_argument("--figure", metavar="FILE",
                        help="write the figure to FILE (default without --quick: "
                             "docs/_static/time_to_optimum.png)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    markdown, png = args.markdown, args.figure
    if not args.quick:
        markdown = markdown or os.path.join(HERE, "time_to_optimum.md")
        png = png or os.path.join(ROOT, "docs", "_static", "time_to_optimum.png")
    size = SIZES[mode]
    if args.lbfgs_budget is not None:
        size = (*size[:2], {key: (b[0], args.lbfgs_budget, args.lbfgs_budget, b[3])
                            for key, b in size[2].items()})
    start = time.perf_counter()
    load = os.getloadavg()[0]
    report = Report()
    header = (f"sklinear_sgd {sklinear_sgd.__version__}, numpy {np.__version__}, scipy "
              f"{scipy.__version__}, scikit-learn {sklearn.__version__}, Python "
              f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} "
              f"CPUs; `python benchmarks/time_to_optimum.py{' --quick' if args.quick else ''}`")
    print(header + "\n", flush=True)

    def log(key, loss, curve):
        gaps = "" if not curve.values else f", best {curve.best():.10g}"
        print(f"  {key} {loss} {curve.label}: {len(curve.values)} points, "
              f"{curve.times[-1] if curve.times else 0:.2f} s{gaps}, {curve.stop} "
              f"[{time.perf_counter() - start:.0f} s elapsed]", flush=True)

    results, titles = {}, {}
    for key, title, X, y in problems(size):
        titles[key] = title
        if key == "digits" and args.quick:
            check_driver(X, y)
            print("  the driver's 5th iterates match fit(max_iter=5) (lbfgs, sgd, svrg)",
                  flush=True)
        results[key] = run_problem(key, X, y, size[2][key], log)
    elapsed = time.perf_counter() - start
    report.parts.append(
        header + f"; {elapsed / 60:.1f} minutes, load average {load:.1f} at the start "
        f"and {os.getloadavg()[0]:.1f} at the end (other work on the machine slows "
        "some runs; the figures are single runs, not minima of rounds)\n")
    report_tables(report, results, titles, size[2])
    if markdown:
        with open(markdown, "w") as f:
            f.write(report.text())
        print(f"tables written to {markdown}")
    if png:
        figure(results, titles, png)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
