"""The regularized objective: the one place that touches ``X``.

The model's parameters are one array ``P`` of shape ``(n_classes, n_features + 1)``:
``W = P[:, :-1]`` is the coefficient matrix and ``P[:, -1]`` the intercept ``b``.
Optimizers only ever see such arrays and the methods of :class:`LinearObjective`.
"""

import numpy as np
from scipy import sparse
from scipy.linalg import eigvalsh_tridiagonal

__all__ = ["LinearObjective"]

# Bytes of score buffer that one batched candidate evaluation may use.
_CANDIDATE_BUFFER_BYTES = 32 * 2**20
# Rows squared at once when computing the columns' second moments: a small
# share of X (1/32), and at least 64 rows so that the loop stays short.
_MOMENT_BLOCKS = 32
_MOMENT_MIN_ROWS = 64


def _norm(v):
    """Euclidean norm of ``v``, rescaled when its squares would over- or underflow."""
    top = float(np.max(np.abs(v)))
    if top == 0 or not np.isfinite(top) or 1e-100 < top < 1e100:
        return float(np.linalg.norm(v))
    return top * float(np.linalg.norm(v / top))


class LinearObjective:
    r"""Weighted-mean loss of a linear model plus a penalty on its coefficients.

    .. math::

        L(W, b) = \frac{\sum_i w_i L_i(X_i W^T + b, y_i)}{\sum_i w_i}
                  + \alpha R(W)

    Parameters
    ----------
    X : {ndarray, scipy CSR matrix or array} of shape (n_samples, n_features)
        Training data, float32 or float64. It is referenced, never copied or
        written to.
    y : ndarray of shape (n_samples,), dtype int
        Class indices in ``0 .. n_classes - 1``.
    n_classes : int
        Number of classes (rows of ``W``).
    loss : object
        A loss from :mod:`sklinear_sgd.losses`.
    penalty : object
        A penalty from :mod:`sklinear_sgd.penalties` (it carries ``alpha``).
    fit_intercept : bool, default=True
        Whether ``b`` is a free parameter; if False it is held at 0.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights with a positive sum; None means unit weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import SoftmaxCrossEntropy
    >>> from sklinear_sgd.penalties import L2
    >>> from sklinear_sgd.objective import LinearObjective
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> obj = LinearObjective(X, np.array([0, 1]), 2, SoftmaxCrossEntropy(), L2(0.1))
    >>> round(obj.value(obj.init_params()), 4)  # log(2) at W = 0
    0.6931
    """

    def __init__(
        self, X, y, n_classes, loss, penalty, fit_intercept=True, sample_weight=None
    ):
        self.X = X
        self.y = y
        self.n_classes = n_classes
        self.loss = loss
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.sample_weight = sample_weight
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self._mean_weight = 1.0 if sample_weight is None else sample_weight.mean()
        self._cache = {}

    @property
    def shape(self):
        """Shape of the parameter array, ``(n_classes, n_features + 1)``."""
        return (self.n_classes, self.n_features + 1)

    def init_params(self):
        """Return the all-zero parameter array in the data's dtype."""
        return np.zeros(self.shape, dtype=self.dtype)

    def project(self, P):
        """Map parameters to the subspace that holds a minimizer, in place.

        Both losses depend on the scores only through differences between
        classes, so adding one vector to every row of ``P`` changes no loss.
        For two classes the rows become ``[-d, d]``, which never increases any
        of the penalties, exactly (so that ``coef_ = W[1] - W[0]`` gives them
        back bit for bit). For more classes the rows are centered when the
        penalty has no L1 term (centering minimizes the squared norm, while
        the L1 norm is minimized elsewhere and its zeros must stay). Without
        an intercept its column is set to 0. ``P`` may carry leading axes.

        Parameters
        ----------
        P : ndarray of shape (..., n_classes, n_features + 1)

        Returns
        -------
        P : the same array, modified in place.
        """
        if self.n_classes == 2:
            half = (P[..., 1, :] - P[..., 0, :]) / 2
            P[..., 1, :] = half
            P[..., 0, :] = -half
        elif self.penalty.smooth:
            P -= P.mean(axis=-2, keepdims=True)
        if not self.fit_intercept:
            P[..., -1] = 0
        return P

    def _rows(self, rows):
        """The data of a minibatch: ``X``, ``y``, weights and the weight factor.

        ``rows`` is None (all rows), a slice (contiguous rows: views, no copy)
        or an array of row indices (gathered into a buffer that is reused from
        one batch to the next, so an epoch allocates no copies of rows).
        """
        if rows is None:
            return self.X, self.y, self.sample_weight, 1.0
        y = self.y[rows]
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        # The batch mean is scaled to an unbiased estimate of the full mean.
        factor = 1.0 if sw is None else sw.sum() / (len(y) * self._mean_weight)
        return self._gather(rows), y, sw, factor

    def _gather(self, rows):
        X = self.X
        if isinstance(rows, slice) or sparse.issparse(X) or not X.flags.c_contiguous:
            return X[rows]
        buffer = self._cache.get("rows")
        if buffer is None or buffer.shape[0] < len(rows):
            buffer = self._cache["rows"] = np.empty((len(rows), X.shape[1]), X.dtype)
        # mode="clip" lets take write straight into the buffer (the indices
        # come from a permutation of the rows, so none is out of range).
        return np.take(X, rows, axis=0, out=buffer[: len(rows)], mode="clip")

    def _scores(self, P, X):
        scores = np.asarray(X @ P[:, :-1].T)
        if self.fit_intercept:
            scores += P[:, -1]
        return scores

    def value(self, P, rows=None):
        """Objective at ``P`` on all rows or on the given ``rows`` (a minibatch).

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)
        rows : ndarray of int, default=None
            Row indices of a minibatch; None means the whole set.

        Returns
        -------
        float
        """
        X, y, sw, factor = self._rows(rows)
        data = 0.0
        if factor > 0:
            data = factor * float(self.loss.loss(self._scores(P, X), y, sw))
        return float(data + self.penalty.value(P[:, :-1]))

    @property
    def smooth(self):
        """Whether the objective is differentiable: a smooth loss and penalty."""
        return self.loss.smooth and self.penalty.smooth

    @property
    def smooth_loss(self):
        """Whether the loss is differentiable (the part that gradient steps see;
        an L1 term of the penalty goes through :meth:`prox` instead)."""
        return self.loss.smooth

    def value_and_grad(self, P, rows=None, proximal=False):
        """Objective and its gradient at ``P`` on all rows or on ``rows``.

        One matrix product forward (the scores) and one backward.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)
        rows : ndarray of int, default=None
            Row indices of a minibatch; None means the whole set.
        proximal : bool, default=False
            If True, the gradient leaves out the penalty's non-smooth (L1)
            part, which the caller applies with :meth:`prox`; the value is
            always the whole objective.

        Returns
        -------
        value : float
        grad : ndarray of shape (n_classes, n_features + 1)
        """
        X, y, sw, factor = self._rows(rows)
        grad = np.zeros_like(P)
        value = 0.0
        if factor > 0:
            value, dscores = self.loss.loss_gradient(self._scores(P, X), y, sw)
            if factor != 1.0:
                value *= factor
                dscores *= dscores.dtype.type(factor)
            if sparse.issparse(X):
                grad[:, :-1] = (X.T @ dscores).T
            else:
                np.matmul(dscores.T, X, out=grad[:, :-1])
            if self.fit_intercept:
                grad[:, -1] = dscores.sum(axis=0)
        W = P[:, :-1]
        if proximal:
            self.penalty.add_smooth_gradient(W, grad[:, :-1])
        else:
            grad[:, :-1] += self.penalty.gradient(W)
        return float(value + self.penalty.value(W)), grad

    @property
    def is_sparse(self):
        """Whether ``X`` is a sparse matrix (then :meth:`value_and_column_grad`
        gives minibatch gradients on the touched columns only)."""
        return sparse.issparse(self.X)

    def value_and_column_grad(self, coef_t, intercept, rows, scale=1.0):
        """Data term on a minibatch of sparse rows and its gradient, column-sparse.

        A batch of sparse rows touches few columns of ``X``, and the gradient of
        the data term is zero on every other column of ``W``. This gives it on
        the touched columns only, computed on the batch restricted to them, so
        that its cost does not grow with ``n_features``. The coefficients come
        transposed, ``W.T`` of shape ``(n_features, n_classes)``, in which the
        touched columns of ``W`` are contiguous rows. The penalty is left to
        the caller.

        Parameters
        ----------
        coef_t : ndarray of shape (n_features, n_classes)
            ``W.T / scale``.
        intercept : ndarray of shape (n_classes,)
        rows : ndarray of int or slice
            The minibatch's rows.
        scale : float, default=1.0
            The coefficients are ``scale * coef_t.T``, so that a caller can
            shrink ``W`` by changing a number instead of every entry.

        Returns
        -------
        value : float
            The data term (weighted mean loss) on the batch.
        columns : ndarray of int
            The sorted columns that the batch touches.
        grad_t : ndarray of shape (len(columns), n_classes)
            The data term's gradient on those columns of ``W``, transposed.
        grad_intercept : ndarray of shape (n_classes,)
            Its gradient with respect to the intercept (0 without one).
        """
        X, y, sw, factor = self._rows(rows)
        # The touched columns and each entry's position among them, by a count
        # over the columns (linear time, cheaper than sorting the entries).
        columns = np.flatnonzero(np.bincount(X.indices, minlength=self.n_features))
        position = np.empty(self.n_features, dtype=X.indices.dtype)
        position[columns] = np.arange(len(columns), dtype=X.indices.dtype)
        compact = sparse.csr_matrix(
            (X.data, position[X.indices], X.indptr), shape=(X.shape[0], len(columns))
        )
        grad_t = np.zeros((len(columns), self.n_classes), dtype=coef_t.dtype)
        grad_intercept = np.zeros(self.n_classes, dtype=coef_t.dtype)
        if factor == 0:
            return 0.0, columns, grad_t, grad_intercept
        W_t = coef_t[columns]
        if scale != 1.0:
            W_t *= W_t.dtype.type(scale)
        scores = np.asarray(compact @ W_t)
        if self.fit_intercept:
            scores += intercept
        value, dscores = self.loss.loss_gradient(scores, y, sw)
        if factor != 1.0:
            value *= factor
            dscores *= dscores.dtype.type(factor)
        grad_t[:] = compact.T @ dscores
        if self.fit_intercept:
            grad_intercept[:] = dscores.sum(axis=0)
        return float(value), columns, grad_t, grad_intercept

    def prox(self, P, step):
        """Apply the penalty's non-smooth part to ``W`` with step ``step``, in place.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)
        step : float or ndarray broadcastable to ``W``
            The step just taken.

        Returns
        -------
        P : the same array.
        """
        if not self.penalty.smooth:
            if np.ndim(step):
                step = step[:, :-1]
            P[:, :-1] = self.penalty.prox(P[:, :-1], step)
        return P

    def accuracy(self, P):
        """Weighted share of rows whose true class has the highest score.

        Ties go to the first class, as in the estimators' ``predict``.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)

        Returns
        -------
        float
        """
        correct = self._scores(P, self.X).argmax(axis=1) == self.y
        return float(np.average(correct, weights=self.sample_weight))

    def values(self, candidates):
        """Objective of many parameter arrays at once, with one matrix product.

        Parameters
        ----------
        candidates : ndarray of shape (n_candidates, n_classes, n_features + 1)

        Returns
        -------
        ndarray of shape (n_candidates,)
        """
        n_cand = candidates.shape[0]
        itemsize = np.dtype(self.dtype).itemsize
        per_candidate = max(1, self.n_samples * self.n_classes * itemsize)
        chunk = max(1, _CANDIDATE_BUFFER_BYTES // per_candidate)
        out = np.empty(n_cand, dtype=np.float64)
        for start in range(0, n_cand, chunk):
            block = candidates[start : start + chunk]
            k = block.shape[0]
            W = block[:, :, :-1].reshape(k * self.n_classes, self.n_features)
            # W @ X.T rather than X @ W.T: the same product, but each class of
            # each candidate gets a contiguous row of scores, along which the
            # loss's reductions over classes and its gathers run several times
            # faster; the intercepts are added in place, one per row.
            scores = np.asarray(W @ self.X.T)
            if self.fit_intercept:
                scores += block[:, :, -1].reshape(-1, 1)
            scores = scores.reshape(k, self.n_classes, self.n_samples)
            scores = scores.transpose(0, 2, 1)
            out[start : start + k] = self.loss.loss(scores, self.y, self.sample_weight)
        return out + self.penalty.value(candidates[:, :, :-1])

    def second_moments(self):
        """Weighted mean of ``x_ij ** 2`` for every column, the intercept's last.

        Returns
        -------
        ndarray of shape (n_features + 1,)
            The last entry is 1 for a fitted intercept (its column is all ones),
            else 0. Computed once, in blocks of rows, without copying ``X``.
        """
        if "moments" not in self._cache:
            sw = self.sample_weight
            total = np.zeros(self.n_features)
            step = max(_MOMENT_MIN_ROWS, -(-self.n_samples // _MOMENT_BLOCKS))
            for start in range(0, self.n_samples, step):
                block = self.X[start : start + step]
                squared = block.multiply(block) if sparse.issparse(block) else block * block
                if sw is None:
                    total += np.asarray(squared.sum(axis=0), dtype=np.float64).ravel()
                else:
                    weights = sw[start : start + step].astype(np.float64)
                    total += np.asarray(squared.T @ weights, dtype=np.float64).ravel()
            norm = self.n_samples if sw is None else float(sw.sum())
            moments = np.append(total / norm, float(self.fit_intercept))
            self._cache["moments"] = moments
        return self._cache["moments"]

    def mean_squared_norm(self):
        """Weighted mean of ``||x_i||^2``, plus 1 for a fitted intercept.

        The trace of the weighted second-moment matrix: a cheap upper bound of
        its largest eigenvalue and the scale of a typical row.
        """
        return float(self.second_moments().sum())

    def _second_moment_product(self, v):
        """``Xt^T D Xt v / sum(w)``, with products in the data's dtype."""
        sw = self.sample_weight
        total = self.n_samples if sw is None else float(sw.sum())
        # A float32 X is never upcast: v goes down to X's dtype instead.
        u = np.asarray(self.X @ v[:-1].astype(self.dtype), dtype=np.float64)
        u += v[-1]
        if sw is not None:
            u *= sw
        u /= total
        w = np.empty_like(v)
        w[:-1] = np.asarray(self.X.T @ u.astype(self.dtype)).ravel()
        w[-1] = u.sum() if self.fit_intercept else 0.0
        return w

    def max_eigenvalue(self, n_iter=8):
        """Largest eigenvalue of the weighted second-moment matrix, by Lanczos.

        The matrix is ``Xt^T D Xt / sum(w)``, ``Xt`` being ``X`` with a column of
        ones when the intercept is fitted and ``D`` the diagonal of weights.
        ``n_iter`` Lanczos steps (two passes over ``X`` each, with full
        reorthogonalization) give the largest Ritz value, a lower bound that
        converges much faster than power iteration: on standardized CIFAR-shaped
        data, a hard case (no gap at the top of the spectrum), 8 steps come
        within 3% (and a step of ``1 / L`` stays below the ``2 / L`` at which
        gradient descent would diverge). Deterministic: the start vector is drawn with
        seed 0 and does not depend on the rows, so weights and repeated rows
        agree.
        """
        if "eig" not in self._cache:
            v = np.abs(np.random.RandomState(0).standard_normal(self.n_features + 1))
            v[-1] *= float(self.fit_intercept)
            basis = [v / _norm(v)]
            diagonal, off_diagonal = [], []
            for _ in range(min(n_iter, self.n_features + 1)):
                w = self._second_moment_product(basis[-1])
                diagonal.append(float(w @ basis[-1]))
                for q in basis:  # full reorthogonalization, twice is enough
                    w -= (w @ q) * q
                for q in basis:
                    w -= (w @ q) * q
                norm = _norm(w)
                if not np.isfinite(norm + diagonal[-1]):
                    break  # beyond the floats: reported as inf below
                if norm <= 1e-10 * max(abs(diagonal[0]), 1e-300):
                    break  # an invariant subspace: the Ritz values are exact
                off_diagonal.append(norm)
                basis.append(w / norm)
            off_diagonal = off_diagonal[: len(diagonal) - 1]
            if np.isfinite(diagonal + off_diagonal).all():
                eig = float(eigvalsh_tridiagonal(diagonal, off_diagonal)[-1])
            else:
                eig = np.inf
            self._cache["eig"] = max(0.0, eig)
        return self._cache["eig"]

    def smoothness(self, batch_size=None):
        """Estimate of the Lipschitz constant of the gradient of a batch's objective.

        ``loss.curvature * lambda_b + penalty.curvature()``. For the full batch
        (``batch_size`` None or at least ``n_samples``), ``lambda_b`` is
        :meth:`max_eigenvalue`, the spectral constant. For batches of ``b`` rows
        drawn without replacement it is the expected smoothness of Gower et al.
        (2019), ``n (b - 1) / (b (n - 1)) * lambda + (n - b) / (b (n - 1)) * m``,
        with ``m`` the :meth:`mean_squared_norm` standing for a single row's
        constant: small batches need smaller steps. The hinge loss is not
        smooth; its nominal curvature of 1 gives a step of the right scale.

        Parameters
        ----------
        batch_size : int or None, default=None

        Returns
        -------
        float
        """
        lam = self.max_eigenvalue()
        n, b = self.n_samples, batch_size
        if b is not None and b < n:
            single = self.mean_squared_norm()
            lam = (n * (b - 1) * lam + (n - b) * single) / (b * (n - 1))
        return self.loss.curvature * lam + self.penalty.curvature()
