"""Speed of sklinear_sgd against the hardware's floor and against its peers.

Every figure is measured in this one process and reported as a ratio to its
baseline, because a shared machine's absolute speed drifts from minute to
minute. In sections a, b, d, e and g the baseline and the measured runs
alternate, round after round (see :func:`interleaved`); a ratio is the ratio of
the minima, and the range of the ratios within a round shows its spread.
Sections:

a. an SGD epoch (both losses, dense float32 and float64, both shuffling modes)
   against the two matrix products it cannot avoid, over permuted and over
   contiguous rows, and against one read of ``X`` (``X.sum()``);
b. the same on sparse CSR data against the sparse products;
c. fit time and test accuracy against scikit-learn's SGDClassifier,
   LogisticRegression and LinearSVC (and PyTorch when it is installed);
d. random search: candidates per second against one batched product;
e. a gradient descent iteration against the full-batch products;
f. peak memory allocated during fit against the size of ``X``;
g. how epoch time grows when n_samples or n_features doubles;
h. what the cheaper shuffling mode costs in objective and accuracy;
i. the hinge models' test accuracy with alpha chosen by cross-validation.

Run ``python benchmarks/bench.py`` (CIFAR-shaped 20,000 x 3,072; several
minutes) or ``--quick`` (small shapes, under a minute; CI runs it). With
``--markdown FILE`` the tables are also written to FILE; the documentation
includes ``benchmarks/results.md``, written by the full run.
"""

import argparse
import gc
import platform
import time
import tracemalloc
import warnings

import numpy as np
import scipy
import sklearn
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.svm import LinearSVC

import sklinear_sgd
from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.optimizers import SGD, GradientDescent, RandomSearch
from sklinear_sgd.penalties import L2

CLASSES = {"svm": SVMClassifier, "softmax": SoftmaxClassifier}

SIZES = {
    # name: (n_train, n_test, n_features, n_classes, epochs, rounds,
    #        sparse rows, sparse features, sparse classes, search rows, candidates)
    "full": (20000, 4000, 3072, 10, 10, 5, 100000, 50000, 20, 2000, 1000),
    "quick": (2000, 500, 512, 10, 5, 3, 10000, 5000, 20, 500, 200),
}


def interleaved(fns, rounds):
    """Wall times of the callables ``fns``, run in turn, ``rounds`` times.

    A round runs every callable once, in order (baseline, ours, baseline,
    ours, ...), so that a ratio compares runs that saw the same machine: on a
    shared machine a baseline timed a minute apart from its subject can differ
    by half.

    Returns
    -------
    list of lists of float
        For every callable, its ``rounds`` times in seconds.
    """
    times = [[] for _ in fns]
    for _ in range(rounds):
        for fn, spent in zip(fns, times):
            gc.collect()
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return times


def ratio(ours, base, bold=False):
    """``min(ours) / min(base)``, then in brackets the smallest and largest ratio
    of one round's times, ``ours[i] / base[i]`` (the spread)."""
    paired = [a / b for a, b in zip(ours, base)]
    value = f"{min(ours) / min(base):.2f}"
    if bold:
        value = f"**{value}**"
    return f"{value} ({min(paired):.2f}-{max(paired):.2f})"


def rounds_note(rounds):
    return (f"Times are the minimum of {rounds} interleaved rounds (each round runs the "
            "baseline and every measured call once, in turn); a ratio is the ratio of "
            "the minima, and in brackets are the smallest and largest ratio within one "
            "round.")


def quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def cifar_shaped(n_samples, n_features, n_classes, seed=0, dtype=np.float32):
    """Noisy class templates, like images flattened to rows (float32)."""
    rng = np.random.default_rng(seed)
    templates = rng.normal(size=(n_classes, n_features))
    y = rng.integers(n_classes, size=n_samples)
    X = 2.0 / np.sqrt(n_features) * templates[y] + rng.normal(size=(n_samples, n_features))
    return X.astype(dtype), y


def text_shaped(n_samples, n_features, n_classes, nnz_per_row=50, seed=0):
    """CSR rows of about ``nnz_per_row`` tf-idf-like entries; a class's rows
    favour its own block of words."""
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n_samples)
    nnz = n_samples * nnz_per_row
    block = n_features // n_classes
    own = rng.random(nnz) < 0.3
    rows = np.repeat(np.arange(n_samples), nnz_per_row)
    cols = rng.integers(n_features, size=nnz)
    cols[own] = y[rows[own]] * block + rng.integers(block, size=own.sum())
    data = rng.exponential(size=nnz).astype(np.float32)
    X = sparse.csr_matrix((data, (rows, cols)), shape=(n_samples, n_features))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    X = sparse.diags(1 / norms) @ X
    return X.tocsr().astype(np.float32), y


# -- the floors -----------------------------------------------------------------


def floor_epoch(X, n_classes, batch_size, rng, permuted=True, transposed=False):
    """The two products of a minibatch epoch and nothing else.

    Permuted rows are gathered the cheapest way numpy has (``np.take`` into
    one reused buffer). The products are ``X_b @ W.T`` and ``dS.T @ X_b``, or
    with ``transposed`` ``W`` held as ``W.T`` and the backward product
    ``X_b.T @ dS`` (the layout of our minibatch steps, faster on a few rows).
    """
    shape = (X.shape[1], n_classes) if transposed else (n_classes, X.shape[1])
    W = np.zeros(shape, dtype=X.dtype)
    n = X.shape[0]
    order = rng.permutation(n) if permuted else None
    buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
    for start in range(0, n, batch_size):
        if permuted:
            rows = order[start : start + batch_size]
            Xb = np.take(X, rows, axis=0, out=buffer[: len(rows)], mode="clip")
        else:
            Xb = X[start : start + batch_size]
        if transposed:
            W -= (Xb.T @ (Xb @ W)) * X.dtype.type(1e-6)
        else:
            W -= ((Xb @ W.T).T @ Xb) * X.dtype.type(1e-6)


def sparse_floor_epoch(X, n_classes, batch_size, rng):
    """The two sparse products of every batch of a minibatch epoch over
    permuted rows, and nothing else.

    ``S = X_b @ W.T`` is computed and ``X_b.T @ S`` added into ``W.T`` by the
    compiled routines behind scipy's own products, which add into their
    output, on the batch's rows where they are in ``X``: the routines take
    the rows' (start, end) pairs, in decreasing row order, as the row
    pointers of ``2 b - 1`` rows, every other one empty. (scipy's public
    ``X_b.T @ S`` returns a new array of ``W``'s size every batch, work that
    grows with ``n_features`` and that no step on the batch's columns needs,
    and ``X[rows]`` copies the rows.)
    """
    from scipy.sparse import _sparsetools

    n, d = X.shape
    WT = np.zeros((d, n_classes), dtype=X.dtype)
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        rows = np.sort(order[start : start + batch_size])[::-1]
        pointers = np.empty(2 * len(rows), dtype=X.indptr.dtype)
        pointers[0::2], pointers[1::2] = X.indptr[rows], X.indptr[rows + 1]
        S = np.zeros((2 * len(rows) - 1, n_classes), dtype=X.dtype)
        _sparsetools.csr_matvecs(len(S), d, n_classes, pointers, X.indices, X.data,
                                 WT.reshape(-1), S.reshape(-1))
        S *= X.dtype.type(-1e-6)
        _sparsetools.csc_matvecs(d, len(S), n_classes, pointers, X.indices, X.data,
                                 S.reshape(-1), WT.reshape(-1))


def full_batch_floor(X, n_classes):
    W = np.zeros((n_classes, X.shape[1]), dtype=X.dtype)
    S = X @ W.T
    return S.T @ X


# -- our timings ----------------------------------------------------------------


LOSSES = {"svm": MulticlassHinge, "softmax": SoftmaxCrossEntropy}


def objective(loss, X, y):
    """The objective the estimators build by default (L2, their default alpha)."""
    alpha = CLASSES[loss]().alpha
    return LinearObjective(X, y, int(y.max()) + 1, LOSSES[loss](), L2(alpha))


def epochs_of(loss, X, y, optimizer):
    """A callable that runs one more epoch (or iteration) of ``optimizer``.

    Timed at the objective's level, as the optimizer sees it: the one-time
    setup (the smoothness estimate behind ``learning_rate='auto'``) and a first
    epoch (which allocates the buffers) run before, untimed.
    """
    obj = objective(loss, X, y)
    obj.smoothness(getattr(optimizer, "batch_size", None))
    iterates = optimizer.iterate(obj, obj.init_params(), optimizer.init_state(obj, 0),
                                 2**62)
    next(iterates)
    return lambda: next(iterates)


def setup_of(loss, X, y, optimizer):
    """A callable that runs the one-time setup of a fit on a fresh objective."""
    return lambda: objective(loss, X, y).smoothness(getattr(optimizer, "batch_size", None))


def fit_of(cls, X, y, optimizer, epochs):
    """A callable that runs a whole ``fit`` of ``epochs`` epochs (validation and
    setup included)."""
    model = cls(optimizer=optimizer, max_iter=epochs, tol=None, early_stopping=False,
                random_state=0)
    return lambda: quiet_fit(model, X, y)


def per_epoch(times, epochs):
    return [t / epochs for t in times]


def against_floor(floor_fn, name, cls, X, y, optimizer, epochs, rounds):
    """A table row: the floor, one epoch (or iteration) of ``optimizer``, and
    the ratios of the epoch, the setup and a whole fit per epoch to the floor."""
    floor, epoch, setup, whole = interleaved([
        floor_fn,
        epochs_of(name, X, y, optimizer),
        setup_of(name, X, y, optimizer),
        fit_of(cls, X, y, optimizer, epochs),
    ], rounds)
    return [name, f"{min(floor) * 1e3:.1f}", f"{min(epoch) * 1e3:.1f}",
            ratio(epoch, floor, bold=True), ratio(setup, floor),
            ratio(per_epoch(whole, epochs), floor)]


# -- the sections ---------------------------------------------------------------


class Report:
    def __init__(self):
        self.parts = []

    def table(self, title, header, rows, note=None):
        lines = [f"### {title}", ""]
        if note:
            lines += [note, ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for row in rows:
            lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
        text = "\n".join(lines) + "\n"
        print(text, flush=True)
        self.parts.append(text)

    def text(self):
        return "\n".join(self.parts)


def section_dense(report, size, rng):
    n, _, d, k, epochs, rounds = size[:6]
    rows = []
    for dtype in (np.float32, np.float64):
        X, y = cifar_shaped(n, d, k, dtype=dtype)
        for name, cls in CLASSES.items():
            for shuffle in ("rows", "batches"):
                optimizer = SGD(shuffle=shuffle)
                permuted = shuffle == "rows"
                read, floor, floor_t, epoch, setup, whole = interleaved([
                    X.sum,
                    lambda: floor_epoch(X, k, 256, rng, permuted),
                    lambda: floor_epoch(X, k, 256, rng, permuted, transposed=True),
                    epochs_of(name, X, y, optimizer),
                    setup_of(name, X, y, optimizer),
                    fit_of(cls, X, y, optimizer, epochs),
                ], rounds)
                rows.append([np.dtype(dtype).name, name, shuffle, f"{min(read) * 1e3:.1f}",
                             f"{min(floor) * 1e3:.1f}", f"{min(floor_t) * 1e3:.1f}",
                             f"{min(epoch) * 1e3:.1f}", ratio(epoch, floor, bold=True),
                             ratio(epoch, floor_t), ratio(epoch, read),
                             ratio(setup, floor), ratio(per_epoch(whole, epochs), floor)])
    report.table(
        f"a. SGD epoch against the two-GEMM floor ({n:,} x {d:,}, {k} classes, batch 256)",
        ["dtype", "loss", "shuffle", "X.sum() ms", "floor ms", "floor T ms", "epoch ms",
         "epoch / floor", "epoch / floor T", "epoch / X.sum()", "setup / floor",
         "fit / epochs / floor"],
        rows,
        note="The floor is the two products `X_b @ W.T` and `dS.T @ X_b` over rows "
             "gathered by a fresh permutation (shuffle 'rows') or over contiguous batches "
             "(shuffle 'batches'); 'floor T' the same with `W.T` held and `X_b.T @ dS`, "
             "the layout of our steps, which BLAS runs faster on a few rows. 'epoch' is "
             "one epoch of `SGD(shuffle=...)` on the objective (a run continued from round "
             "to round); 'setup' the one-time smoothness estimate behind "
             "learning_rate='auto' (8 Lanczos steps and the rows' moments on every "
             "k-th row, at least 4,096); "
             "'fit / epochs' a whole "
             f"{epochs}-epoch `fit`, input validation and setup included, divided by its "
             "epochs. " + rounds_note(rounds),
    )


def section_shuffle_cost(report, size):
    """Accuracy and objective after the same epochs, per shuffling mode."""
    n, n_test, d, k, epochs = size[:5]
    X, y = cifar_shaped(n + n_test, d, k, seed=1)
    X_train, X_test, y_train, y_test = X[:n], X[n:], y[:n], y[n:]
    by_class = np.argsort(y_train, kind="stable")
    rows = []
    for order, index in (("random", np.arange(n)), ("sorted by class", by_class)):
        Xo, yo = X_train[index], y_train[index]
        for name, cls in CLASSES.items():
            for shuffle in ("rows", "batches"):
                model = cls(optimizer=SGD(shuffle=shuffle), max_iter=epochs, tol=None,
                            random_state=0)
                quiet_fit(model, Xo, yo)
                rows.append([order, name, shuffle, f"{model.objective(Xo, yo):.4f}",
                             f"{model.score(X_test, y_test):.3f}"])
    report.table(
        f"h. What shuffle='batches' costs: objective and test accuracy after {epochs} epochs "
        f"({n:,} x {d:,} float32)",
        ["row order", "loss", "shuffle", "training objective", "test accuracy"],
        rows,
        note="The same training rows twice: in random order, and sorted by class (the "
             "worst case for fixed contiguous batches, each of which then holds one or two "
             "classes). The training objective is the exact one, on all rows.",
    )


def section_sparse(report, size, rng):
    n, d, k, rounds, epochs = size[6], size[7], size[8], size[5], size[4]
    X, y = text_shaped(n, d, k)
    rows = []
    for name, cls in CLASSES.items():
        rows.append(against_floor(lambda: sparse_floor_epoch(X, k, 256, rng), name, cls,
                                  X, y, SGD(), epochs, rounds))
    report.table(
        f"b. SGD epoch on sparse CSR data ({n:,} x {d:,}, {X.nnz / n:.0f} non-zeros a "
        f"row, {k} classes, batch 256)",
        ["loss", "sparse floor ms", "epoch ms", "epoch / floor", "setup / floor",
         "fit / epochs / floor"],
        rows,
        note="The floor is the two sparse products of every batch of permuted rows, "
             "X_b @ W.T and X_b.T @ dS added into W.T, by the compiled routines behind "
             "scipy's products on the rows where they are in X (no copy of the rows, no "
             "array of W's size a batch). "
             + rounds_note(rounds),
    )
    return X, y


def torch_rows(X_train, y_train, X_test, y_test, epochs):
    try:
        import torch
    except ImportError:
        return []
    rows = []
    Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train.astype(np.int64))
    for label, loss_fn in (("PyTorch Linear + MultiMarginLoss, SGD", torch.nn.MultiMarginLoss()),
                           ("PyTorch Linear + CrossEntropyLoss, SGD",
                            torch.nn.CrossEntropyLoss())):
        torch.manual_seed(0)
        model = torch.nn.Linear(X_train.shape[1], int(y_train.max()) + 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-3)
        start = time.perf_counter()
        for _ in range(epochs):
            for idx in torch.randperm(len(yt)).split(256):
                opt.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                opt.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            pred = model(torch.from_numpy(X_test)).argmax(1).numpy()
        rows.append((label, seconds, float((pred == y_test).mean())))
    return rows


def timed_fits(models, X_train, y_train, X_test, y_test, rounds, once=()):
    """``(label, seconds, test accuracy)`` of every model: the fit time is the
    minimum over ``rounds`` rounds, each of which fits every model in turn
    (those labelled in ``once`` only in the first)."""
    times = {label: [] for label, _ in models}
    accuracy = {}
    for round_ in range(rounds):
        for label, model in models:
            if round_ and label in once:
                continue
            start = time.perf_counter()
            quiet_fit(model, X_train, y_train)
            times[label].append(time.perf_counter() - start)
            accuracy[label] = model.score(X_test, y_test)
    return [(label, min(times[label]), accuracy[label]) for label, _ in models]


def fit_rounds_note(rounds, once=()):
    note = (f"'fit s' is the minimum of {rounds} rounds, each of which fits every model in "
            "turn")
    if once:
        note += f" ({' and '.join(sorted(once))}: once)"
    return note + "; the fits are deterministic, so the accuracy is the same in every round."


def section_peers(report, size, X_sparse, y_sparse):
    n, n_test, d, k, epochs = size[:5]
    fit_rounds = min(3, size[5])
    X, y = cifar_shaped(n + n_test, d, k)
    X_train, X_test, y_train, y_test = X[:n], X[n:], y[:n], y[n:]
    models = [
        ("SVMClassifier, SGD", SVMClassifier(optimizer="sgd", alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0)),
        ("SoftmaxClassifier, SGD", SoftmaxClassifier(optimizer="sgd", alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0)),
        ("SoftmaxClassifier, defaults (early stopping)", SoftmaxClassifier(random_state=0)),
        ("SGDClassifier hinge", SGDClassifier(max_iter=epochs, tol=None, random_state=0)),
        ("SGDClassifier hinge, n_jobs=-1",
         SGDClassifier(max_iter=epochs, tol=None, random_state=0, n_jobs=-1)),
        ("SGDClassifier log_loss",
         SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, random_state=0)),
        ("LogisticRegression (lbfgs, defaults)", LogisticRegression()),
        ("LinearSVC crammer_singer", LinearSVC(multi_class="crammer_singer", random_state=0)),
    ]
    once = {"SoftmaxClassifier, defaults (early stopping)", "LinearSVC crammer_singer"}
    results = timed_fits(models, X_train, y_train, X_test, y_test, fit_rounds, once)
    results += torch_rows(X_train, y_train, X_test, y_test, epochs)
    # Time to accuracy: the shortest SoftmaxClassifier SGD fit at SGDClassifier's
    # strength (setup included) that matches LogisticRegression's test accuracy.
    target = {label: acc for label, _, acc in results}["LogisticRegression (lbfgs, defaults)"]
    for max_iter in (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64):
        model = SoftmaxClassifier(optimizer="sgd", alpha=5e-5, early_stopping=False,
                                  max_iter=max_iter, random_state=0)
        _, seconds, accuracy = timed_fits([("", model)], X_train, y_train, X_test, y_test,
                                          fit_rounds)[0]
        if accuracy >= target:
            break
    results.append((f"SoftmaxClassifier, defaults, max_iter={max_iter}: the first to reach "
                    "LogisticRegression's accuracy" if accuracy >= target else
                    f"SoftmaxClassifier, defaults, max_iter={max_iter}: short of "
                    "LogisticRegression's accuracy", seconds, accuracy))
    base = {label: seconds for label, seconds, _ in results}
    rows = [[label, f"{seconds:.2f}", f"{accuracy:.3f}",
             f"{seconds / base['SVMClassifier, SGD']:.1f}",
             f"{seconds / base['SoftmaxClassifier, SGD']:.1f}"]
            for label, seconds, accuracy in results]
    report.table(
        f"c. Fit time and test accuracy, CIFAR-shaped float32 ({n:,} x {d:,} train, "
        f"{n_test:,} test, {k} classes, {epochs} epochs for the SGD methods)",
        ["model", "fit s", "test accuracy", "time / SVMClassifier", "time / Softmax"],
        rows,
        note=fit_rounds_note(fit_rounds, once),
    )

    n_sp = X_sparse.shape[0]
    cut = int(0.8 * n_sp)
    uncapped = SGD(schedule="invscaling")  # the 'auto' schedule without its cap
    sparse_models = [
        ("SVMClassifier, SGD", SVMClassifier(optimizer="sgd", alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0)),
        ("SoftmaxClassifier, SGD", SoftmaxClassifier(optimizer="sgd", alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0)),
        ("SVMClassifier, SGD(schedule='invscaling')",
         SVMClassifier(optimizer=uncapped, alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0)),
        ("SoftmaxClassifier, SGD(schedule='invscaling')",
         SoftmaxClassifier(optimizer=uncapped, alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0)),
        ("SGDClassifier hinge", SGDClassifier(max_iter=epochs, tol=None, random_state=0)),
        ("SGDClassifier log_loss",
         SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, random_state=0)),
    ]
    results = timed_fits(sparse_models, X_sparse[:cut], y_sparse[:cut], X_sparse[cut:],
                         y_sparse[cut:], fit_rounds)
    report.table(
        f"c. (sparse) Fit time and test accuracy on the sparse set ({cut:,} train rows, "
        f"{epochs} epochs)",
        ["model", "fit s", "test accuracy"],
        [[label, f"{seconds:.2f}", f"{accuracy:.3f}"] for label, seconds, accuracy in results],
        note=fit_rounds_note(fit_rounds),
    )


def section_tuned(report, size):
    """Test accuracy of the hinge models with alpha chosen by cross-validation."""
    n, n_test, d, k, epochs = size[:5]
    X, y = cifar_shaped(n + n_test, d, k)
    X_train, X_test, y_train, y_test = X[:n], X[n:], y[:n], y[n:]
    # Our R(W) = sum W**2 against SGDClassifier's ||w||**2 / 2: its alpha is
    # twice ours for the same penalty.
    grid = [float(f"{a:.2g}") for a in 5e-5 * np.sqrt(10) ** np.arange(12)]  # 5e-05 to 16
    searches = [
        ("SVMClassifier, SGD", SVMClassifier(optimizer="sgd", alpha=5e-5, early_stopping=False, max_iter=epochs, tol=None, random_state=0), 1),
        ("SGDClassifier hinge", SGDClassifier(max_iter=epochs, tol=None, random_state=0), 2),
    ]
    rows = []
    for label, model, factor in searches:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = GridSearchCV(model, {"alpha": [factor * a for a in grid]}, cv=3)
            search.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        chosen = search.best_params_["alpha"]
        rows.append([label, f"{chosen:g} (ours {chosen / factor:g})",
                     f"{search.best_score_:.3f}", f"{search.score(X_test, y_test):.3f}",
                     f"{seconds:.0f}"])
    report.table(
        f"i. Hinge test accuracy with alpha chosen by 3-fold cross-validation "
        f"(CIFAR-shaped float32, {n:,} train rows, {epochs} epochs)",
        ["model", "chosen alpha", "CV accuracy", "test accuracy", "search s"],
        rows,
        note=("GridSearchCV over our alpha in " + ", ".join(f"{a:g}" for a in grid)
              + " (SGDClassifier's alpha is twice ours for the same penalty), then a refit "
              "on all training rows."),
    )


def section_random_search(report, size, rounds):
    n, d, k = size[9], size[2], size[3]
    candidates = size[10]
    X, y = cifar_shaped(n, d, k)
    Ws = np.random.default_rng(0).normal(size=(candidates * k, d)).astype(np.float32)
    model = SVMClassifier(optimizer=RandomSearch(), max_iter=candidates, random_state=0)
    gemm, ours = interleaved([lambda: X @ Ws.T, lambda: quiet_fit(model, X, y)], rounds)
    report.table(
        f"d. Random search, {candidates:,} candidates on {n:,} x {d:,} ({k} classes)",
        ["batched GEMM s", "fit s", "candidates per s", "fit / GEMM"],
        [[f"{min(gemm):.3f}", f"{min(ours):.3f}", f"{candidates / min(ours):,.0f}",
          ratio(ours, gemm, bold=True)]],
        note="The GEMM is X @ W.T for all candidates' weights stacked, the product "
             "that every candidate's scores need; 'fit' a whole `SVMClassifier` fit, "
             "input validation included. " + rounds_note(rounds),
    )


def section_gd(report, size, rng):
    n, _, d, k, epochs, rounds = size[:6]
    X, y = cifar_shaped(n, d, k)
    rows = []
    for name, cls in CLASSES.items():
        rows.append(against_floor(lambda: full_batch_floor(X, k), name, cls, X, y,
                                  GradientDescent(), epochs, rounds))
    report.table(
        f"e. Gradient descent iteration against the full-batch products ({n:,} x {d:,})",
        ["loss", "floor ms", "iteration ms", "iteration / floor", "setup / floor",
         "fit / iterations / floor"],
        rows,
        note=f"'fit / iterations' is a whole {epochs}-iteration `fit` divided by its "
             "iterations. " + rounds_note(rounds),
    )


def peak_memory(fn):
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def section_memory(report, size, X_sparse, y_sparse):
    n, _, d, k, epochs = size[:5]
    X, y = cifar_shaped(n, d, k)
    rows = []
    for data, Xm, ym, nbytes in (
        ("dense float32", X, y, X.nbytes),
        ("sparse CSR", X_sparse, y_sparse,
         X_sparse.data.nbytes + X_sparse.indices.nbytes + X_sparse.indptr.nbytes),
    ):
        for name, cls in CLASSES.items():
            for optimizer in ("sgd", "gd"):
                peak = peak_memory(lambda: quiet_fit(
                    cls(optimizer=optimizer, max_iter=2, tol=None, random_state=0), Xm, ym))
                rows.append([data, name, optimizer, f"{nbytes / 2**20:.1f}",
                             f"{peak / 2**20:.1f}", f"{peak / nbytes:.3f}"])
    report.table(
        "f. Peak memory allocated during fit against the size of X",
        ["data", "loss", "optimizer", "X MiB", "peak MiB", "peak / X"],
        rows,
        note="tracemalloc's peak over the fit: every array numpy and scipy allocate, "
             "X itself excluded (it exists before).",
    )


def section_scaling(report, size, rounds):
    n, _, d, k = size[:4]
    data = [cifar_shaped(*shape, k) for shape in ((n, d), (2 * n, d), (n, 2 * d))]
    rng = np.random.default_rng(0)
    runs = {name: [epochs_of(name, X, y, SGD()) for X, y in data] for name in CLASSES}
    runs["floor T"] = [lambda X=X: floor_epoch(X, k, 256, rng, transposed=True)
                       for X, _ in data]
    rows = []
    for name, fns in runs.items():
        base, double_n, double_d = interleaved(fns, rounds)
        rows.append([name, f"{min(base) * 1e3:.1f}", f"{min(double_n) * 1e3:.1f}",
                     f"{min(double_d) * 1e3:.1f}", ratio(double_n, base),
                     ratio(double_d, base)])
    report.table(
        f"g. Epoch time when the data double ({n:,} x {d:,} float32, SGD batch 256)",
        ["epoch", "base ms", "2 n_samples ms", "2 n_features ms", "ratio 2n", "ratio 2d"],
        rows,
        note="One epoch of each shape in turn (base, 2 n_samples, 2 n_features), each "
             "a run continued from round to round; 'floor T' is the two products of "
             "the epoch alone (table a), for how the products themselves grow. "
             + rounds_note(rounds),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small shapes, under a minute")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables to FILE")
    parser.add_argument("--sections", default="ahbcidefg",
                        help="which sections to run, e.g. 'ac' (default: all)")
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    rng = np.random.default_rng(0)
    report = Report()
    header = (f"sklinear_sgd {sklinear_sgd.__version__}, numpy {np.__version__}, scipy "
              f"{scipy.__version__}, scikit-learn {sklearn.__version__}, Python "
              f"{platform.python_version()}, {platform.machine()}; "
              f"`python benchmarks/bench.py{' --quick' if args.quick else ''}`")
    print(header + "\n")
    report.parts.append(header + "\n")
    X_sparse = y_sparse = None
    if "a" in args.sections:
        section_dense(report, size, rng)
    if "h" in args.sections:
        section_shuffle_cost(report, size)
    if "b" in args.sections:
        X_sparse, y_sparse = section_sparse(report, size, rng)
    elif "c" in args.sections or "f" in args.sections:
        X_sparse, y_sparse = text_shaped(size[6], size[7], size[8])
    if "c" in args.sections:
        section_peers(report, size, X_sparse, y_sparse)
    if "i" in args.sections:
        section_tuned(report, size)
    if "d" in args.sections:
        section_random_search(report, size, size[5])
    if "e" in args.sections:
        section_gd(report, size, rng)
    if "f" in args.sections:
        section_memory(report, size, X_sparse, y_sparse)
    if "g" in args.sections:
        # Three times the rounds: a ratio of two epochs of ours, each of which
        # a busy neighbour on the machine can slow, needs more rounds for its
        # minima to settle than a ratio to a floor run beside it.
        section_scaling(report, size, 3 * size[5])
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(report.text())


if __name__ == "__main__":
    main()
