"""Training on dask arrays: the objective computed block by block on a cluster.

:class:`DaskObjective` offers the optimizers the same methods as
:class:`~sklinear_sgd.objective.LinearObjective` (``value``, ``value_and_grad``,
``values``, ``prox``, ``project``, ``smoothness``, ``second_moments``, ...),
but its data are the blocks of a dask array held in the memory of the workers
of a ``dask.distributed`` cluster. Every evaluation sends the parameters to the
workers, each block computes its weighted loss sum and gradient there with a
:class:`~sklinear_sgd.objective.LinearObjective` of its own rows, and only these
small results come back to be summed: ``X`` never leaves the workers.

The estimators build it when ``fit`` or ``partial_fit`` receives a dask array
(:func:`bind_dask`); dask is imported only then, so the package works without it.
"""

import sys
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_feature_names, _check_n_features

from .objective import LinearObjective
from .penalties import make_penalty

__all__ = ["DaskObjective", "bind_dask", "is_dask_array", "is_dask_data"]

# Below this many features the blocks send their second-moment matrix once,
# rather than taking part in every Lanczos step.
_GRAM_MAX_FEATURES = 1024


def is_dask_array(X):
    """Whether ``X`` is a dask array (False whenever dask was never imported)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(X, da.Array)


def is_dask_data(X):
    """Whether ``X`` is a dask array or a dask DataFrame."""
    return is_dask_array(X) or _is_dask_dataframe(X)


def _is_dask_dataframe(X):
    dd = sys.modules.get("dask.dataframe")
    return dd is not None and isinstance(X, (dd.DataFrame, dd.Series))


# -- what runs on the workers, one call per block -------------------------------


def _block_objective(X, y, sample_weight, per_class, n_classes, loss, fit_intercept):
    """The unpenalized objective of one block (built on the worker that holds it)."""
    y = np.asarray(y)
    w = None
    if per_class is not None:
        w = per_class.astype(X.dtype)[y]
    if sample_weight is not None:
        sw = np.asarray(sample_weight).astype(X.dtype)
        w = sw if w is None else w * sw
    return LinearObjective(
        X, y, n_classes, loss, make_penalty(None, 0.0), fit_intercept, w
    )


def _block_stats(block):
    """Rows, total weight and the checks of one block's data and weights."""
    X, w = block.X, block.sample_weight
    stats = {"n": X.shape[0], "finite_X": bool(np.all(np.isfinite(X)))}
    if w is None:
        stats.update(weight=float(X.shape[0]), finite_w=True, negative_w=False)
    else:
        finite = bool(np.all(np.isfinite(w)))
        stats.update(
            weight=float(np.sum(w, dtype=np.float64)) if finite else np.nan,
            finite_w=finite,
            negative_w=bool(np.any(w < 0)),
        )
    return stats


def _block_value_and_grad(block, arg):
    return block.value_and_grad(arg)


def _block_value(block, arg):
    return block.value(arg)


def _block_values(block, arg):
    return block.values(arg)


def _block_second_moments(block, arg=None):
    return block.second_moments()


def _block_mean_row(block, arg=None):
    return block.mean_row()


def _block_gram(block, arg=None):
    """One block's ``Xt^T D Xt``, ``Xt`` being X with a column of ones (or zeros
    without an intercept), in float64."""
    X, sw = block.X, block.sample_weight
    Xt = np.empty((X.shape[0], X.shape[1] + 1), dtype=np.float64)
    Xt[:, :-1] = X.toarray() if hasattr(X, "toarray") else X
    Xt[:, -1] = float(block.fit_intercept)
    weighted = Xt if sw is None else Xt * sw[:, None]
    return Xt.T @ weighted


def _block_power_step(block, arg):
    """One block's share of ``Xt^T D Xt v`` (see ``LinearObjective.max_eigenvalue``)."""
    v = arg
    X, sw = block.X, block.sample_weight
    u = np.asarray(X @ v[:-1].astype(X.dtype), dtype=np.float64)
    u += v[-1]
    if sw is not None:
        u *= sw
    w = np.empty_like(v)
    w[:-1] = np.asarray(X.T @ u.astype(X.dtype)).ravel()
    w[-1] = u.sum() if block.fit_intercept else 0.0
    return w


# -- the objective that the optimizers see --------------------------------------


class DaskObjective:
    r"""The objective of :class:`~sklinear_sgd.objective.LinearObjective` on
    blocks of rows that stay on the workers of a dask cluster.

    .. math::

        L(W, b) = \frac{\sum_B \sum_{i \in B} w_i L_i}{\sum_B \sum_{i \in B} w_i}
                  + \alpha R(W)

    Each evaluation is one round trip: the parameters go to every block's
    task, the block's weighted loss sum and its gradient come back, and the sum
    over blocks, divided by the total weight, plus the penalty is computed
    here. Blocks of zero total weight take no part. Minibatches (``rows``) are
    not served: rows drawn at random across the cluster would each need a
    round trip; stream the blocks through ``partial_fit`` instead.

    Parameters
    ----------
    client : distributed.Client
        The client of the cluster that holds the blocks.
    blocks : list of distributed.Future
        Futures of one unpenalized ``LinearObjective`` a block of rows, in the
        order of the rows.
    weights : list of float
        Total sample weight of every block.
    n_samples, n_features, n_classes : int
    loss : object
        A loss from :mod:`sklinear_sgd.losses`.
    penalty : object
        A penalty from :mod:`sklinear_sgd.penalties` (it carries ``alpha``).
    fit_intercept : bool
    dtype : numpy dtype
        The dtype of the data.

    Notes
    -----
    Use :func:`bind_dask`, which validates the data and builds the blocks,
    rather than this constructor.
    """

    def __init__(self, client, blocks, weights, n_samples, n_features, n_classes,
                 loss, penalty, fit_intercept, dtype):
        self.client = client
        self.weights = [float(w) for w in weights]
        # Blocks of zero weight add nothing (and their weighted mean is 0 / 0).
        self.blocks = [b for b, w in zip(blocks, self.weights) if w > 0]
        self._block_weights = [w for w in self.weights if w > 0]
        self.total_weight = float(sum(self.weights))
        self.n_samples, self.n_features = n_samples, n_features
        self.n_classes = n_classes
        self.loss, self.penalty, self.fit_intercept = loss, penalty, fit_intercept
        self.dtype = np.dtype(dtype)
        # The parameter-only methods (project, prox, init_params, ...) are those
        # of an objective on no rows.
        self._local = LinearObjective(
            np.zeros((0, n_features), dtype=self.dtype), np.zeros(0, dtype=np.intp),
            n_classes, loss, penalty, fit_intercept,
        )
        self._cache = {}

    # -- parameters only, as in memory --------------------------------------

    @property
    def shape(self):
        """Shape of the parameter array, ``(n_classes, n_features + 1)``."""
        return self._local.shape

    @property
    def smooth(self):
        """Whether the objective is differentiable: a smooth loss and penalty."""
        return self._local.smooth

    @property
    def l1(self):
        """Strength of the penalty's L1 term (0 without one)."""
        return self._local.l1

    @property
    def smooth_loss(self):
        """Whether the loss is differentiable."""
        return self._local.smooth_loss

    def init_params(self):
        """Return the all-zero parameter array in the data's dtype."""
        return self._local.init_params()

    def project(self, P):
        """Map parameters to the objective's subspace, in place.

        See :meth:`sklinear_sgd.objective.LinearObjective.project`.
        """
        return self._local.project(P)

    def prox(self, P, step):
        """Apply the penalty's non-smooth part with step ``step``, in place.

        See :meth:`sklinear_sgd.objective.LinearObjective.prox`.
        """
        return self._local.prox(P, step)

    # -- one round trip to the blocks ---------------------------------------

    def _map(self, func, arg=None):
        """Run ``func(block, arg)`` on every block; results in block order.

        ``arg`` (the parameters) travels inside each block's task.
        """
        futures = self.client.map(func, self.blocks, arg=arg, pure=False)
        try:
            return self.client.gather(futures)
        finally:
            for future in futures:
                future.release()

    def _weighted_sum(self, results):
        """``sum_B W_B * mean_B / sum_B W_B`` in float64, blocks in order."""
        total = 0.0
        for weight, result in zip(self._block_weights, results):
            total = total + weight * np.asarray(result, dtype=np.float64)
        return total / self.total_weight

    @staticmethod
    def _no_rows(rows):
        if rows is not None:
            raise ValueError(
                "Minibatch steps on rows drawn at random are not supported on a dask "
                "array, whose rows stay on the workers: use a full-batch optimizer "
                "('gd', 'lbfgs', 'random_search' or batch_size=None), or stream the "
                "blocks through partial_fit with dask_ml.wrappers.Incremental."
            )

    def value(self, P, rows=None):
        """Objective at ``P`` on all rows (``rows`` must be None).

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)
        rows : None

        Returns
        -------
        float
        """
        self._no_rows(rows)
        data = float(self._weighted_sum(self._map(_block_value, P)))
        return float(data + self.penalty.value(P[:, :-1]))

    def value_and_grad(self, P, rows=None, proximal=False):
        """Objective and its gradient at ``P``, summed over the blocks.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)
        rows : None
        proximal : bool, default=False
            If True, the gradient leaves out the penalty's non-smooth (L1) part.

        Returns
        -------
        value : float
        grad : ndarray of shape (n_classes, n_features + 1)
        """
        self._no_rows(rows)
        results = self._map(_block_value_and_grad, P)
        value = float(self._weighted_sum([r[0] for r in results]))
        grad = self._weighted_sum([r[1] for r in results]).astype(P.dtype)
        return LinearObjective._add_penalty(self, P, value, grad, proximal)

    def values(self, candidates):
        """Objective of many parameter arrays at once (one round trip).

        Parameters
        ----------
        candidates : ndarray of shape (n_candidates, n_classes, n_features + 1)

        Returns
        -------
        ndarray of shape (n_candidates,)
        """
        data = self._weighted_sum(self._map(_block_values, candidates))
        return data + self.penalty.value(candidates[:, :, :-1])

    def accuracy(self, P):
        """Not available on a dask array (it serves early stopping, which is not)."""
        raise NotImplementedError(
            "accuracy on a dask array is not supported; score a held-out set with "
            "the fitted estimator."
        )

    def second_moments(self):
        """Weighted mean of ``x_ij ** 2`` for every column, the intercept's last.

        Returns
        -------
        ndarray of shape (n_features + 1,)
        """
        if "moments" not in self._cache:
            moments = self._weighted_sum(self._map(_block_second_moments))
            moments[-1] = float(self.fit_intercept)
            self._cache["moments"] = moments
        return self._cache["moments"]

    def mean_squared_norm(self):
        """Weighted mean of ``||x_i||^2``, plus 1 for a fitted intercept."""
        return float(self.second_moments().sum())

    def mean_row(self):
        """Weighted mean of the rows of ``X``."""
        if "mean_row" not in self._cache:
            self._cache["mean_row"] = self._weighted_sum(self._map(_block_mean_row))
        return self._cache["mean_row"]

    #: Blocks hold dense arrays (sparse blocks are not supported).
    is_sparse = False

    def _second_moment_product(self, v, stride=1):
        """``Xt^T D Xt v / sum(w)``: with fewer than 1024 features from the
        ``(n_features + 1) ** 2`` matrix that the blocks send once, with more
        summed over the blocks (one round trip a product). Over every row
        (``stride`` is always 1 here, see :meth:`_stride`)."""
        if self.n_features < _GRAM_MAX_FEATURES:
            if "gram" not in self._cache:
                self._cache["gram"] = sum(self._map(_block_gram)) / self.total_weight
            return self._cache["gram"] @ v
        return sum(self._map(_block_power_step, v)) / self.total_weight

    def max_eigenvalue(self, n_iter=8, intercept=True, stride=1):
        """Largest eigenvalue of the weighted second-moment matrix; the Lanczos
        steps of :meth:`LinearObjective.max_eigenvalue
        <sklinear_sgd.objective.LinearObjective.max_eigenvalue>` on the
        products of :meth:`_second_moment_product`, over every row."""
        return LinearObjective.max_eigenvalue(self, n_iter, intercept, stride)

    def _stride(self, batch_size):
        """Every row: the steps on dask arrays are full-batch steps."""
        return 1

    _batch_shares = LinearObjective._batch_shares
    _step_constants = LinearObjective._step_constants

    def smoothness(self, batch_size=None):
        """Lipschitz constant of the gradient; see :meth:`LinearObjective.smoothness
        <sklinear_sgd.objective.LinearObjective.smoothness>`."""
        return LinearObjective.smoothness(self, batch_size)

    def intercept_step_ratio(self, batch_size=None):
        """The intercept's step over the weights'; see
        :meth:`LinearObjective.intercept_step_ratio
        <sklinear_sgd.objective.LinearObjective.intercept_step_ratio>`."""
        return LinearObjective.intercept_step_ratio(self, batch_size)

    def strong_convexity(self):
        """Modulus of strong convexity in ``W``; see
        :meth:`LinearObjective.strong_convexity
        <sklinear_sgd.objective.LinearObjective.strong_convexity>`."""
        return LinearObjective.strong_convexity(self)

    def close(self):
        """Release the blocks held by the workers."""
        for block in self.blocks:
            block.release()
        self.blocks = []


# -- validation and binding -----------------------------------------------------


def _client():
    try:
        from distributed import get_client
    except ImportError as exc:  # pragma: no cover - dask without distributed
        raise ImportError(
            "Fitting on dask arrays runs on a dask.distributed cluster; install it "
            "with pip install 'sklinear-sgd[dask]'."
        ) from exc
    try:
        return get_client()
    except ValueError as exc:
        raise ValueError(
            "Fitting on dask arrays needs a dask.distributed client: create one "
            "first, e.g. distributed.Client() for a local cluster or "
            "distributed.Client('tcp://scheduler:8786') for a running one."
        ) from exc


def _check_chunks(name, array):
    for axis, chunks in enumerate(array.chunks):
        if any(np.isnan(c) for c in chunks):
            what = "rows" if axis == 0 else "features"
            raise ValueError(
                f"{name} has unknown chunk sizes along its {what} (axis {axis}), as "
                f"after boolean indexing or DataFrame.to_dask_array(): compute them "
                f"first with {name}.compute_chunk_sizes() or "
                f"to_dask_array(lengths=True)."
            )


def _check_X(X):
    if _is_dask_dataframe(X):
        raise TypeError(
            "X is a dask DataFrame; pass a dask array with known chunk sizes, "
            "X.to_dask_array(lengths=True)."
        )
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array of shape (n_samples, n_features), got "
            f"{X.ndim}D with shape {X.shape}; reshape it, e.g. X.reshape(-1, 1) "
            "for a single feature."
        )
    _check_chunks("X", X)
    if X.dtype.kind not in "biuf":
        raise TypeError(
            f"X must hold real numbers; got a dask array of dtype {X.dtype}."
        )
    if len(X.chunks[1]) > 1:
        # Every block must hold whole rows.
        X = X.rechunk({1: -1})
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(
            f"Found array with shape {X.shape}: at least one sample and one "
            "feature are required."
        )
    return X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)


def _as_dask_rows(name, values, X):
    """``values`` (one a row of X) as a dask array with X's row chunks."""
    import dask.array as da

    if is_dask_array(values):
        if values.ndim == 2 and values.shape[1] == 1 and name == "y":
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please "
                "change the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=5,
            )
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(
                f"{name} must be 1D of shape (n_samples,); got shape {values.shape}."
            )
        _check_chunks(name, values)
    else:
        values = np.asarray(values)
        if values.ndim != 1:
            raise ValueError(
                f"{name} must be 1D of shape (n_samples,); got shape {values.shape}."
            )
        if values.shape[0] == X.shape[0]:
            values = da.from_array(values, chunks=(X.chunks[0],))
    if values.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has "
            f"{X.shape[0]} rows and {name} {values.shape[0]}."
        )
    if values.chunks[0] != X.chunks[0]:
        raise ValueError(
            f"X and {name} must be split into the same blocks of rows, but X's row "
            f"chunks are {X.chunks[0]} and {name}'s {values.chunks[0]}: rechunk "
            f"one of them, e.g. {name} = {name}.rechunk(X.chunks[0])."
        )
    return values


def _check_sample_weight(sample_weight, X):
    if sample_weight is None:
        return None
    if not is_dask_array(sample_weight) and np.ndim(sample_weight) == 0:
        sample_weight = np.full(X.shape[0], sample_weight)
    if not is_dask_array(sample_weight):
        sample_weight = np.asarray(sample_weight)
        if sample_weight.ndim != 1 or sample_weight.shape[0] != X.shape[0]:
            raise ValueError(
                f"sample_weight must have shape ({X.shape[0]},), one weight per "
                f"sample; got shape {sample_weight.shape}."
            )
    if sample_weight.dtype.kind not in "iuf":
        raise TypeError(
            f"sample_weight must hold real numbers; got dtype {sample_weight.dtype}."
        )
    return _as_dask_rows("sample_weight", sample_weight, X)


def _per_class_weights(estimator, y_index, incremental):
    """Weight of every class index, or None without ``class_weight``."""
    import dask.array as da

    class_weight = estimator.class_weight
    if class_weight is None:
        return None
    classes = estimator.classes_
    if class_weight == "balanced":
        if incremental:
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: the class "
                "frequencies of later calls are unknown. Compute the weights with "
                "sklearn.utils.class_weight.compute_class_weight on all labels and "
                "pass them as a dict."
            )
        # compute_class_weight's formula: n_samples / (n_classes * count).
        counts = da.bincount(y_index, minlength=len(classes)).compute()
        return counts.sum() / (len(classes) * counts.astype(np.float64))
    from ._base import class_weight_vector

    return class_weight_vector(class_weight, classes)


def bind_dask(estimator, X, y, sample_weight, classes, incremental, first_call):
    """Validate dask data and build the objective whose blocks stay on the workers.

    Sets ``classes_``, ``n_features_in_`` (and removes ``feature_names_in_``) as
    the in-memory validation does, with the same checks and messages.

    Parameters
    ----------
    estimator : BaseLinearClassifier
    X : dask array of shape (n_samples, n_features)
    y : dask array or array-like of shape (n_samples,)
    sample_weight : dask array, array-like, float or None
    classes : array-like or None
        The ``classes`` argument of ``partial_fit``.
    incremental : bool
        Whether this is a ``partial_fit`` call.
    first_call : bool
        Whether the data reset the estimator's classes and features.

    Returns
    -------
    X : dask array
        The validated data.
    objective : DaskObjective
    """
    import dask
    import dask.array as da

    if estimator.early_stopping != "auto" and estimator.early_stopping:
        raise ValueError(
            "early_stopping=True is not supported on dask arrays: its validation "
            "split would need rows drawn across the cluster. Set "
            "early_stopping=False and score a held-out dask array yourself, or "
            "fit in memory."
        )
    optimizer = estimator._optimizer(False, incremental, dask=True)
    client = _client()
    X = _check_X(X)
    _check_n_features(estimator, X, reset=first_call)
    _check_feature_names(estimator, X, reset=first_call)
    batch_size = getattr(optimizer, "batch_size", None)
    if batch_size is not None and batch_size < X.shape[0]:
        raise ValueError(
            f"{optimizer!r} takes minibatch steps of {batch_size} rows drawn at "
            "random, which a dask array, whose rows stay on the workers, does not "
            "serve. Use a full-batch optimizer ('gd', 'lbfgs', 'random_search', or "
            "this one with batch_size=None), or stream the blocks through "
            "partial_fit with dask_ml.wrappers.Incremental(estimator)."
        )
    y = _as_dask_rows("y", y, X)
    sample_weight = _check_sample_weight(sample_weight, X)

    labels = da.unique(y).compute()
    check_classification_targets(labels)
    estimator._set_classes(labels, classes, incremental, first_call)
    y_index = y.map_blocks(_encode, estimator.classes_, dtype=np.intp)
    per_class = _per_class_weights(estimator, y_index, incremental)

    n_classes = len(estimator.classes_)
    loss = estimator._make_loss()
    x_blocks = X.to_delayed().ravel()
    y_blocks = y_index.to_delayed().ravel()
    w_blocks = (
        [None] * len(x_blocks) if sample_weight is None
        else sample_weight.to_delayed().ravel()
    )
    make = dask.delayed(_block_objective, pure=True)
    blocks = client.compute([
        make(xb, yb, wb, per_class, n_classes, loss, estimator.fit_intercept)
        for xb, yb, wb in zip(x_blocks, y_blocks, w_blocks)
    ])
    stats = client.gather([client.submit(_block_stats, b, pure=False) for b in blocks])
    if not all(s["finite_X"] for s in stats):
        raise ValueError(
            "Input X contains NaN or infinity; remove or impute those values "
            "(for instance with sklearn.impute.SimpleImputer) before fitting."
        )
    if not all(s["finite_w"] for s in stats):
        raise ValueError("sample_weight contains NaN or infinity; give finite weights.")
    if any(s["negative_w"] for s in stats):
        raise ValueError("sample_weight has negative values; weights must be >= 0.")
    weights = [s["weight"] for s in stats]
    if sum(weights) <= 0:
        raise ValueError(
            "sample_weight sums to zero: at least one sample needs a positive weight."
        )
    objective = DaskObjective(
        client, blocks, weights, X.shape[0], X.shape[1], n_classes, loss,
        make_penalty(estimator.penalty, estimator.alpha, estimator.l1_ratio),
        estimator.fit_intercept, X.dtype,
    )
    return X, objective


def _encode(y, classes):
    return np.searchsorted(classes, y)
