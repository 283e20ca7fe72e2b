"""The regularized objective: the one place that touches ``X``.

The model's parameters are one array ``P`` of shape ``(n_classes, n_features + 1)``:
``W = P[:, :-1]`` is the coefficient matrix and ``P[:, -1]`` the intercept ``b``.
Optimizers only ever see such arrays and the methods of :class:`LinearObjective`.
"""

import numpy as np
from scipy import sparse
from scipy.linalg import eigvalsh_tridiagonal
from scipy.optimize import lsq_linear

from ._sparse import add_product, gather_rows, n_rows, take_rows

__all__ = ["LinearObjective"]

# Bytes of score buffer that one batched candidate evaluation may use.
_CANDIDATE_BUFFER_BYTES = 32 * 2**20
# A full-batch pass over sparse rows goes in blocks of this share of the rows
# (at least _BLOCK_MIN_ROWS), so that its score-sized temporaries stay small.
_FULL_BATCH_BLOCKS = 32
_BLOCK_MIN_ROWS = 1024
# Rows squared at once when computing the columns' second moments: a small
# share of X (1/32), and at least 64 rows so that the loop stays short.
_MOMENT_BLOCKS = 32
_MOMENT_MIN_ROWS = 64
# Rows (at least, and 16 batches) that the constants behind a minibatch step
# of dense data are estimated on: every k-th row of a larger X.
_MINIBATCH_EIG_ROWS = 4096
# Entries (float64) of the matrix of free subgradient terms that the gap
# estimate of a loss with kinks may build and solve a bounded least-squares
# problem on (see _kink_estimate): 4 MB, about a second's solve at most.
_KINK_BUDGET = 2**19
# How much the intercept's own step may cost the weights' ('auto' steps): the
# smoothness stays within this factor of the weights' block constant.
_STEP_SLACK = 1.1


def _norm(v):
    """Euclidean norm of ``v``, rescaled when its squares would over- or underflow."""
    top = float(np.max(np.abs(v)))
    if top == 0 or not np.isfinite(top) or 1e-100 < top < 1e100:
        return float(np.linalg.norm(v))
    return top * float(np.linalg.norm(v / top))


def _contiguous_t(W):
    """``W.T`` C-contiguous: a view when it is already, else a copy."""
    return W.T if W.T.flags.c_contiguous else np.ascontiguousarray(W.T)


class LinearObjective:
    r"""Weighted-mean loss of a linear model plus a penalty on its coefficients.

    .. math::

        L(W, b) = \frac{\sum_i w_i L_i(X_i W^T + b, y_i)}{\sum_i w_i}
                  + \alpha R(W)

    Parameters
    ----------
    X : {ndarray, scipy CSR matrix or array} of shape (n_rows, n_features)
        Training data, float32 or float64. It is referenced, never copied or
        written to.
    y : ndarray of shape (n_samples,), dtype int
        Class indices in ``0 .. n_classes - 1``, one for each row of the data
        (``n_samples`` is ``n_rows`` unless ``rows`` is given).
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
    rows : ndarray of int, default=None
        The rows of ``X`` that make up the data, in this order (``y`` and
        ``sample_weight`` follow it); None means every row. They are read where
        they are: minibatches gather theirs as any minibatch does, and passes
        over all rows go in blocks, so that no copy of them is ever made (a
        validation split of ``X`` costs no memory of its size).

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
        self, X, y, n_classes, loss, penalty, fit_intercept=True, sample_weight=None,
        rows=None,
    ):
        self.X = X
        self.y = y
        self.n_classes = n_classes
        self.loss = loss
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.sample_weight = sample_weight
        self.n_samples, self.n_features = X.shape
        self._subset = None
        if rows is not None:
            self._subset = np.asarray(rows, dtype=np.intp)
            self.n_samples = len(self._subset)
        self.dtype = X.dtype
        self._mean_weight = 1.0 if sample_weight is None else sample_weight.mean()
        self._sparse = sparse.issparse(X)  # asked once a batch: kept
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
        if rows is None:  # all rows: never with ``rows`` (see _matrix_blocks)
            return self.X, self.y, self.sample_weight, 1.0
        y = self.y[rows]
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        # The batch mean is scaled to an unbiased estimate of the full mean.
        factor = 1.0 if sw is None else sw.sum() / (len(y) * self._mean_weight)
        return self._gather(rows), y, sw, factor

    def _gather(self, rows):
        X = self.X
        if self._sparse:
            indptr, indices, data = self._csr_rows(rows)  # cheaper than X[rows]
            return sparse.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, X.shape[1]))
        if self._subset is not None:
            rows = self._subset[rows]
        if isinstance(rows, slice) or not X.flags.c_contiguous:
            return X[rows]
        buffer = self._cache.get("rows")
        if buffer is None or buffer.shape[0] < len(rows):
            buffer = self._cache["rows"] = np.empty((len(rows), X.shape[1]), X.dtype)
        # mode="clip" lets take write straight into the buffer (the indices
        # come from a permutation of the rows, so none is out of range).
        return np.take(X, rows, axis=0, out=buffer[: len(rows)], mode="clip")

    def _scores(self, P, X):
        """``X @ W.T + b``."""
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
        if rows is None and not np.any(P):
            # Zero weights and intercepts score every row 0: no product. In
            # blocks of rows, as every pass over all rows goes, so that the
            # zero scores are a block's, not the size of all the scores.
            return float(sum(
                share * float(self.loss.loss(
                    np.zeros((len(y), self.n_classes), dtype=self.dtype), y, sw))
                for _, y, sw, share in self._weighted_blocks()
            ))
        if rows is None and self.is_sparse:
            coef_t = _contiguous_t(P[:, :-1])
            data = sum(share * float(self.loss.loss(self._block_scores(P, block, coef_t), y, sw))
                       for block, y, sw, share in self._sparse_blocks())
            return float(data + self.penalty_value(P))
        if rows is None:
            data = sum(share * float(self.loss.loss(self._scores(P, X), y, sw))
                       for X, y, sw, share in self._matrix_blocks())
            return float(data + self.penalty_value(P))
        X, y, sw, factor = self._rows(rows)
        data = 0.0
        if factor > 0:
            data = factor * float(self.loss.loss(self._scores(P, X), y, sw))
        return float(data + self.penalty_value(P))

    @property
    def smooth(self):
        """Whether the objective is differentiable: a smooth loss and penalty."""
        return self.loss.smooth and self.penalty.smooth

    @property
    def l1(self):
        """Strength of the penalty's L1 term, ``l1 * sum |W|`` (0 without one)."""
        return float(self.penalty.l1)

    @property
    def smooth_loss(self):
        """Whether the loss is differentiable (the part that gradient steps see;
        an L1 term of the penalty goes through :meth:`prox` instead)."""
        return self.loss.smooth

    def with_loss(self, loss):
        """The same objective (data, weights, penalty) with another loss.

        The data are shared, not copied. The exact solver uses it for the
        smoothed versions of a loss with kinks.

        Parameters
        ----------
        loss : object
            A loss from :mod:`sklinear_sgd.losses`.

        Returns
        -------
        LinearObjective
        """
        return LinearObjective(
            self.X, self.y, self.n_classes, loss, self.penalty,
            fit_intercept=self.fit_intercept, sample_weight=self.sample_weight,
            rows=self._subset,
        )

    def suboptimality(self, P):
        """An estimate of how far ``value(P)`` is above the minimum.

        From strong convexity: an objective ``m``-strongly convex in all its
        parameters lies at most ``|g|^2 / (2 m)`` above its minimum, ``g`` its
        gradient at ``P`` (with an L1 term, the proximal gradient mapping at
        the step ``1 / L``). Here ``m = 2 * l2`` is the penalty's squared
        part; the unpenalized intercept is taken along as if it were
        penalized too, so this is an estimate of the gap (it is zero exactly
        at the minimum and grows with the distance to it), not a proof.

        A loss with kinks has no gradient that vanishes at its minimum, where
        terms sit exactly on their kinks (the support vectors on the margin).
        There ``g`` may be any ``eps``-subgradient, with ``eps`` added: the
        hinge terms within ``delta`` of their kink take the coefficient in
        [0, 1] (and zero weights under an L1 term the subgradient in
        ``[-l1, l1]``) that gives ``g`` its least norm, a bounded
        least-squares problem (see :meth:`_kink_estimate`; at the minimum the
        bound is 0), for a few ``delta``; and the loss is also smoothed over a
        width ``mu``: the smoothed loss is below the loss by at most
        ``value(P) - value_mu(P)``, which is added. The smallest estimate of
        all is returned.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)

        Returns
        -------
        float or None
            At most ``value(P)`` (the minimum is not negative). None without
            a squared penalty term (no strong convexity): then no estimate is
            made.
        """
        m = self.strong_convexity()
        if m <= 0:
            return None
        P = np.asarray(P)
        value = self.value(P)
        if self.loss.smooth:
            candidates = [self]
        else:
            margin = getattr(self.loss, "margin", 1.0)
            widths = [margin * 10.0 ** -k for k in (1, 2, 3, 4)]
            candidates = [self.with_loss(self.loss.smoothed(mu)) for mu in widths]
        best = np.inf
        for objective in candidates:
            smoothed_value, grad = objective.value_and_grad(P, proximal=True)
            grad = objective.project(grad.copy())
            if not self.penalty.smooth:
                # The gradient mapping (P - prox(P - t g, t)) / t at t = 1 / L.
                t = 1.0 / max(objective.smoothness(), m)
                stepped = objective.prox(P - t * grad, t)
                grad = (P - stepped) / t
                if not self.fit_intercept:
                    grad[:, -1] = 0
            bias = max(0.0, value - smoothed_value)
            norm = _norm(np.asarray(grad, dtype=np.float64).ravel())
            best = min(best, bias + norm**2 / (2.0 * m))
        if not self.loss.smooth:
            best = min(best, self._kink_estimate(P, m, widths + [margin * 1e-8]))
        # Neither the losses nor the penalties are negative: nor is the minimum.
        return float(min(best, value))

    def _data_blocks(self):
        """All rows as matrices (CSR for sparse ``X``), with each row's share
        of the objective's weighted mean: ``(X_b, y_b, omega_b)``."""
        if self.is_sparse:
            blocks = (
                (sparse.csr_matrix((data, indices, indptr),
                                   shape=(len(indptr) - 1, self.n_features)),
                 y, sw, share)
                for (indptr, indices, data), y, sw, share in self._sparse_blocks()
            )
        else:
            blocks = self._matrix_blocks()
        for X_b, y_b, sw_b, share in blocks:
            n_b = len(y_b)
            if sw_b is None:
                omega = np.full(n_b, share / n_b)
            else:
                sw_b = np.asarray(sw_b, dtype=np.float64)
                omega = share * sw_b / sw_b.sum()
            yield X_b, y_b, omega

    def _kink_estimate(self, P, m, deltas):
        r"""The gap estimate of a hinge objective from its least-norm
        :math:`\varepsilon`-subgradients, the smallest over ``deltas``.

        The objective is :math:`\sum_k \omega_k h(z_k) + R(W)`, one term
        :math:`h(z) = \max(0, z)` for every margin :math:`z_k = s_{ij} -
        s_{iy_i} + \Delta` (:math:`j \neq y_i`), :math:`\omega_k` its row's
        share of the weights. For coefficients :math:`c_k \in [0, 1]`,
        :math:`g(c) = \sum_k \omega_k c_k \nabla z_k + \nabla R` is an
        :math:`\varepsilon(c)`-subgradient with :math:`\varepsilon(c) =
        \sum_k \omega_k (h(z_k) - c_k z_k) \ge 0` (Fenchel-Young), so with
        ``m`` the strong convexity of the objective the gap is at most
        :math:`\varepsilon(c) + |g(c)|^2 / (2 m)` (the intercept taken along
        as in :meth:`suboptimality`). Terms beyond ``delta`` of their kink keep
        their subgradient (1 or 0, adding nothing to :math:`\varepsilon`);
        those within it, and the L1 subgradient of zero weights, are chosen
        by bounded least squares to make :math:`|g|` smallest. At the minimum
        some choice makes :math:`g = 0` and :math:`\varepsilon = 0`.

        Only what fits in ``_KINK_BUDGET`` entries is built: a ``delta`` with
        more terms within it is left out (inf if none is left).
        """
        P64 = np.asarray(P, dtype=np.float64)
        W, b = P64[:, :-1], P64[:, -1]
        n_classes, width = P64.shape
        margin = float(getattr(self.loss, "margin", 1.0))
        deltas = sorted(deltas)

        def margins(X_b, y_b):
            scores = np.asarray(X_b @ W.T, dtype=np.float64)
            if self.fit_intercept:
                scores += b
            rows = np.arange(len(y_b))
            z = scores - scores[rows, y_b][:, None] + margin
            z[rows, y_b] = -np.inf  # no term for the true class
            return z

        # First pass: how many terms each delta frees; the largest that fits.
        zero = self.l1 > 0 and not np.all(W)  # weights whose L1 term is at its kink
        n_zero = int(np.count_nonzero(W == 0)) if zero else 0
        counts = np.zeros(len(deltas), dtype=np.int64)
        for X_b, y_b, _ in self._data_blocks():
            z = np.abs(margins(X_b, y_b))
            counts += [np.count_nonzero(z <= d) for d in deltas]
        fits = [d for d, k in zip(deltas, counts)
                if (k + n_zero) * n_classes * width <= _KINK_BUDGET]
        if not fits:
            return np.inf
        widest = fits[-1]

        # Second pass: the gradient with every term beyond the widest delta at
        # its subgradient, and the terms within it.
        base = np.zeros_like(P64)
        near_x, near_j, near_y, near_w, near_z = [], [], [], [], []
        for X_b, y_b, omega in self._data_blocks():
            z = margins(X_b, y_b)
            coef = (z > widest) * omega[:, None]
            rows = np.arange(len(y_b))
            coef[rows, y_b] = -coef.sum(axis=1)
            base[:, :-1] += np.asarray(X_b.T @ coef).T
            base[:, -1] += coef.sum(axis=0)
            i, j = np.nonzero(np.abs(z) <= widest)
            if i.size:
                rows_b = X_b[i]
                near_x.append(rows_b.toarray() if sparse.issparse(rows_b)
                              else np.asarray(rows_b, dtype=np.float64))
                near_j.append(j)
                near_y.append(y_b[i])
                near_w.append(omega[i])
                near_z.append(z[i, j])
        if not self.fit_intercept:
            base[:, -1] = 0
        base[:, :-1] += 2.0 * float(self.penalty.l2) * W
        if self.l1:
            base[:, :-1] += self.l1 * np.sign(W)
        if near_x:
            x = np.vstack(near_x)
            j, y = np.concatenate(near_j), np.concatenate(near_y)
            w, z = np.concatenate(near_w), np.concatenate(near_z)
        else:
            x = np.zeros((0, self.n_features))
            j = y = np.zeros(0, dtype=np.intp)
            w = z = np.zeros(0)
        # Column k of A: the gradient of the term k's margin times its share,
        # +omega x~ in row j, -omega x~ in row y_i, x~ = [x, 1] (or [x, 0]).
        one = 1.0 if self.fit_intercept else 0.0
        x_tilde = np.hstack([x, np.full((len(x), 1), one)])
        terms = np.zeros((len(x), n_classes, width))
        k = np.arange(len(x))
        terms[k, j] += w[:, None] * x_tilde
        terms[k, y] -= w[:, None] * x_tilde
        terms = terms.reshape(len(x), n_classes * width)
        if zero:
            kinks = np.flatnonzero(np.hstack([W == 0, np.zeros((n_classes, 1), bool)]))
            units = np.zeros((len(kinks), n_classes * width))
            units[np.arange(len(kinks)), kinks] = 1.0
        else:
            units = np.zeros((0, n_classes * width))
        best = np.inf
        for delta in fits:
            free = np.abs(z) <= delta
            g0 = base.ravel() + terms[~free & (z > 0)].sum(axis=0)
            A = np.vstack([terms[free], units]).T
            n_free = int(free.sum())
            if A.shape[1] == 0:
                c, g = np.zeros(0), g0
            else:
                lower = np.r_[np.zeros(n_free), np.full(len(units), -self.l1)]
                upper = np.r_[np.ones(n_free), np.full(len(units), self.l1)]
                # 'trf' rather than 'bvls': as exact here, and many times
                # faster on a few hundred free terms.
                c = lsq_linear(A, -g0, bounds=(lower, upper), method="trf",
                               lsq_solver="exact").x
                g = g0 + A @ c
            c_free, z_free = c[:n_free], z[free]
            eps = float(w[free] @ (np.maximum(z_free, 0) - c_free * z_free))
            best = min(best, max(eps, 0.0) + _norm(g) ** 2 / (2.0 * m))
        return best

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
            On all rows of a sparse ``X``, in the layout of ``P`` when
            ``P.T`` is C-contiguous (then neither ``W.T`` nor the gradient is
            copied: the way to hold ``P`` for many gradients on large sparse
            data), else C-contiguous.
        """
        if rows is None and self.is_sparse:
            value, grad = self._sparse_full_value_and_grad(P)
        elif rows is None and self._subset is not None:
            value, grad = self._blocks_value_and_grad(P)
        else:
            value, grad = self._data_value_and_grad(P, rows)
        return self._add_penalty(P, value, grad, proximal)

    def _add_penalty(self, P, value, grad, proximal):
        """The objective and its gradient from the data term's ``value`` and
        ``grad`` (added to in place); see :meth:`value_and_grad`."""
        W = P[:, :-1]
        if proximal:
            self.penalty.add_smooth_gradient(W, grad[:, :-1])
        else:
            grad[:, :-1] += self.penalty.gradient(W)
        return float(value + self.penalty.value(W)), grad

    def _weighted_blocks(self):
        """Blocks of all rows: ``(rows, y_b, sw_b, share)``, ``rows`` a slice.

        ``share`` is the block's part of the total weight (its rows' part
        without weights); blocks of zero weight are left out.
        """
        n = self.n_samples
        sw = self.sample_weight
        total = n if sw is None else float(np.sum(sw, dtype=np.float64))
        step = max(_BLOCK_MIN_ROWS, -(-n // _FULL_BATCH_BLOCKS))
        for start in range(0, n, step):
            rows = slice(start, min(start + step, n))
            sw_b = None if sw is None else sw[rows]
            weight = rows.stop - start if sw is None else float(np.sum(sw_b, dtype=np.float64))
            if weight == 0:
                continue
            yield rows, self.y[rows], sw_b, weight / total

    def _sparse_blocks(self):
        """Blocks of rows of a sparse ``X``: ``(block, y_b, sw_b, share)``
        (see :meth:`_weighted_blocks`).

        ``block`` is ``(indptr, indices, data)`` of the block's rows, views of
        ``X``'s arrays (no copy; see :func:`~sklinear_sgd._sparse.add_product`;
        with ``rows``, the block's entries gathered).
        """
        for rows, y_b, sw_b, share in self._weighted_blocks():
            yield self._csr_rows(rows), y_b, sw_b, share

    def _matrix_blocks(self):
        """All rows as matrices: ``(X_b, y_b, sw_b, share)``. ``X`` itself, in
        one block, unless the data are ``rows`` of it; then blocks of them (see
        :meth:`_weighted_blocks`), gathered one at a time as a minibatch is."""
        if self._subset is None:
            yield self.X, self.y, self.sample_weight, 1.0
            return
        for rows, y_b, sw_b, share in self._weighted_blocks():
            yield self._gather(rows), y_b, sw_b, share

    def _blocks_value_and_grad(self, P):
        """Data term on all dense ``rows`` of ``X`` and its gradient, a block
        of them at a time (see :meth:`_matrix_blocks`)."""
        grad = np.zeros_like(P)
        value = 0.0
        for X_b, y_b, sw_b, share in self._matrix_blocks():
            value_b, dscores = self._batch_loss_gradient(
                np.asarray(X_b @ P[:, :-1].T), P[:, -1], y_b, sw_b, share
            )
            value += value_b
            grad[:, :-1] += dscores.T @ X_b
            if self.fit_intercept:
                grad[:, -1] += dscores.sum(axis=0)
        return float(value), grad

    def _sparse_products(self, block, coef_t):
        """``A @ coef_t`` for the sparse rows ``block`` of ``n_features``
        columns (see :func:`~sklinear_sgd._sparse.add_product`), in a new
        array."""
        out = np.zeros((n_rows(block), coef_t.shape[1]), dtype=coef_t.dtype)
        return add_product(block, self.n_features, coef_t, out)

    def _block_scores(self, P, block, coef_t):
        """Scores of a block of sparse rows (see :meth:`_sparse_blocks`);
        ``coef_t`` is ``W.T``, C-contiguous."""
        scores = self._sparse_products(block, coef_t)
        if self.fit_intercept:
            scores += P[:, -1]
        return scores

    def _sparse_full_value_and_grad(self, P):
        """Data term on all rows of a sparse ``X`` and its gradient, in blocks of
        rows: the temporaries are one block's scores and loss gradient.

        The gradient is added up in the layout ``P.T`` (C-contiguous), into
        which the blocks' products add without temporaries; with ``P`` held
        that way (``P.T`` C-contiguous, as gradient descent holds it on sparse
        data) neither ``W.T`` nor the gradient is ever copied, and the
        gradient comes back in ``P``'s layout.
        """
        coef_t = _contiguous_t(P[:, :-1])
        grad_t = np.zeros((P.shape[1], P.shape[0]), dtype=P.dtype)
        value = 0.0
        for block, y_b, sw_b, share in self._sparse_blocks():
            scores = self._block_scores(P, block, coef_t)
            value_b, dscores = self.loss.loss_gradient(scores, y_b, sw_b)
            del scores  # one block's score-sized arrays alive at a time
            value += share * value_b
            if share != 1.0:
                dscores *= dscores.dtype.type(share)
            add_product(block, self.n_features, dscores, grad_t[:-1], transpose=True)
            if self.fit_intercept:
                grad_t[-1] += dscores.sum(axis=0)
            del dscores  # not alive beside the next block's scores
        return value, grad_t.T if P.T.flags.c_contiguous else np.ascontiguousarray(grad_t.T)

    def _data_dscores(self, coef_t, intercept, rows, class_major=False):
        """Data term on ``rows`` (all for None) and its gradient with respect
        to the scores: ``(X_b, value, dscores)``, ``dscores`` None for a batch
        of zero weight. ``coef_t`` is ``W.T`` in any layout; ``class_major``:
        see :meth:`_batch_loss_gradient`."""
        X, y, sw, factor = self._rows(rows)
        if factor == 0:
            return X, 0.0, None
        value, dscores = self._batch_loss_gradient(
            np.asarray(X @ coef_t), intercept, y, sw, factor, class_major
        )
        return X, value, dscores

    def _batch_loss_gradient(self, scores, intercept, y, sw, factor, class_major=False):
        """A batch's loss and its gradient in the scores, both times the batch's
        weight ``factor``. The intercept is added to ``scores`` in place, or
        with ``class_major`` into an F-contiguous copy of them, each class's
        scores together: the loss then reduces over the classes several times
        faster, and ``dscores`` come F-contiguous, which the dense products
        take as they are (the sparse ones would copy them)."""
        if class_major:
            major = np.empty(scores.shape[::-1], dtype=scores.dtype).T
            if self.fit_intercept:
                scores = np.add(scores, intercept, out=major)
            else:
                major[...] = scores
                scores = major
        elif self.fit_intercept:
            scores += intercept
        value, dscores = self.loss.loss_gradient(scores, y, sw)
        if factor != 1.0:
            value *= factor
            dscores *= dscores.dtype.type(factor)
        return value, dscores

    def _data_value_and_grad(self, P, rows):
        """Data term on ``rows`` (all for None) and its gradient."""
        X, value, dscores = self._data_dscores(P[:, :-1].T, P[:, -1], rows)
        grad = np.zeros_like(P)
        if dscores is not None:
            if self._sparse:
                grad[:, :-1] = (X.T @ dscores).T
            else:
                np.matmul(dscores.T, X, out=grad[:, :-1])
            if self.fit_intercept:
                grad[:, -1] = dscores.sum(axis=0)
        return value, grad

    def minibatch_value_and_grad(self, P_t, rows, out):
        """Data term on a minibatch and the objective's gradient, with the
        parameters transposed.

        The minibatch optimizers hold ``P.T`` (C-contiguous, of shape
        ``(n_features + 1, n_classes)``): both products of a batch then read
        and write ``W.T`` in the layout that BLAS runs fastest on a few rows,
        ``X_b @ W.T`` and ``X_b.T @ dS`` (measured: the backward product 10% to
        25% faster than ``dS.T @ X_b`` on 256 rows). The gradient is written
        into ``out``, reused from batch to batch, and leaves out the penalty's
        non-smooth (L1) part, which the caller applies with :meth:`prox`. The
        value is the data term only: the penalty's value does not depend on
        the batch, and a caller that wants it asks :meth:`penalty_value`
        when it needs it (once an epoch, not once a batch).

        Parameters
        ----------
        P_t : ndarray of shape (n_features + 1, n_classes)
            The parameters, transposed.
        rows : ndarray of int or slice
            The minibatch's rows.
        out : ndarray of shape (n_features + 1, n_classes), C-contiguous
            Receives the gradient, transposed.

        Returns
        -------
        float
            The data term (weighted mean loss) on the batch.
        """
        W_t = P_t[:-1]
        # Dense rows: the loss on class-major scores (see _batch_loss_gradient):
        # on 256 rows and 10 classes, the softmax's about a quarter faster, the
        # hinge's a tenth. (Full-batch steps keep C-contiguous scores: their
        # loss is small next to their products.)
        X, value, dscores = self._data_dscores(W_t, P_t[-1], rows, class_major=not self._sparse)
        if dscores is None:
            out[...] = 0
        else:
            if self._sparse:
                out[:-1] = 0
                add_product((X.indptr, X.indices, X.data), X.shape[1], dscores, out[:-1],
                            transpose=True)
            else:
                np.matmul(X.T, dscores, out=out[:-1])
            out[-1] = dscores.sum(axis=0) if self.fit_intercept else 0
        self.penalty.add_smooth_gradient(W_t, out[:-1])
        return float(value)

    def penalty_value(self, P):
        """The penalty's term ``alpha * R(W)`` of the objective at ``P``.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)

        Returns
        -------
        float
        """
        return float(self.penalty.value(P[:, :-1]))

    @property
    def is_sparse(self):
        """Whether ``X`` is a sparse matrix (then :meth:`sparse_batch`,
        :meth:`sparse_batch_value` and :meth:`add_sparse_step` take minibatch
        steps that touch the batch's columns only)."""
        return self._sparse

    def _csr_rows(self, rows):
        """``indptr``, ``indices`` and ``data`` of the given rows of a CSR ``X``.

        A slice of rows gives views; an array of rows gathers their entries,
        in the order of ``X[rows]``, with a few passes over the batch's entries
        and none over ``X`` (scipy's row indexing costs a new matrix, checks
        and index conversions per batch).
        """
        X = self.X
        if self._subset is not None:
            rows = self._subset[rows]
        if isinstance(rows, slice):
            start, stop, _ = rows.indices(self.n_samples)
            indptr = X.indptr[start : stop + 1]
            first, last = indptr[0], indptr[-1]
            return indptr - first, X.indices[first:last], X.data[first:last]
        return gather_rows(X.indptr, X.indices, X.data, rows)

    def sparse_batch(self, rows):
        """A minibatch of sparse rows, for :meth:`sparse_batch_value` and
        :meth:`add_sparse_step`.

        An array of rows is read where the rows are in ``X`` when scipy's
        compiled routines allow it (see :func:`sklinear_sgd._sparse.take_rows`:
        nothing is gathered, and the rows come in another order, which the
        batch's loss does not depend on); a slice of rows gives views.

        Parameters
        ----------
        rows : ndarray of int or slice
            The minibatch's rows.

        Returns
        -------
        batch : dict
            ``'rows'``, the batch's rows for
            :func:`~sklinear_sgd._sparse.add_product`, of ``n_features``
            columns; and the batch's labels and weights, in the same order.
        """
        if isinstance(rows, slice):
            block = self._csr_rows(rows)
        elif self._subset is not None:
            # In the order take_rows reads them in: decreasing rows of X.
            rows = rows[np.argsort(self._subset[rows])[::-1]]
            X = self.X
            block, _ = take_rows(X.indptr, X.indices, X.data, self._subset[rows])
        else:
            X = self.X
            block, rows = take_rows(X.indptr, X.indices, X.data, rows)
        y = self.y[rows]
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        # The batch mean is scaled to an unbiased estimate of the full mean.
        factor = 1.0 if sw is None else sw.sum() / (len(y) * self._mean_weight)
        return {"rows": block, "y": y, "sample_weight": sw, "factor": factor}

    def sparse_batch_value(self, batch, coef_t, intercept, scale=1.0):
        """Data term on a minibatch of sparse rows, keeping its gradient for a step.

        The coefficients come transposed and divided by ``scale``; the
        batch's forward product reads the rows of ``coef_t`` that its columns
        select, where they are (no gather), so that its cost does not grow
        with ``n_features``. The gradient with respect to ``W`` is not formed:
        :meth:`add_sparse_step` adds a step along it as the batch's backward
        product. The penalty is left to the caller.

        Parameters
        ----------
        batch : dict
            A minibatch from :meth:`sparse_batch`; it keeps the gradient of
            the scores for :meth:`add_sparse_step`.
        coef_t : ndarray of shape (n_features, n_classes), C-contiguous
            ``W.T / scale``; not modified.
        intercept : ndarray of shape (n_classes,)
        scale : float, default=1.0
            The coefficients are ``scale * coef_t``, so that a caller can
            shrink ``W`` by changing a number instead of every entry.

        Returns
        -------
        value : float
            The data term (weighted mean loss) on the batch.
        grad_intercept : ndarray of shape (n_classes,)
            Its gradient with respect to the intercept (0 without one).
        """
        y, sw, factor = batch["y"], batch["sample_weight"], batch["factor"]
        dtype = coef_t.dtype
        grad_intercept = np.zeros(self.n_classes, dtype=dtype)
        batch["dscores"] = None
        if factor == 0:
            return 0.0, grad_intercept
        scores = self._sparse_products(batch["rows"], coef_t)  # X_b @ coef_t
        # The scale goes on the batch's scores, not on the (larger) coefficients.
        scores *= dtype.type(scale)
        value, dscores = self._batch_loss_gradient(scores, intercept, y, sw, factor)
        if self.fit_intercept:
            grad_intercept[:] = dscores.sum(axis=0)
        batch["dscores"] = dscores
        return float(value), grad_intercept

    def add_sparse_step(self, batch, coef_t, step):
        """``coef_t += step * G.T``, in place, with ``G`` the data term's
        gradient with respect to ``W`` on the batch.

        ``G`` is that of the scores that :meth:`sparse_batch_value` last
        computed for ``batch``, ``dS.T @ X_b``, zero outside the batch's
        columns. The step is added as the batch's backward product
        ``X_b.T @ (step * dS)`` straight into the rows of ``coef_t``: no row
        of it is gathered or scattered, and the cost does not grow with
        ``n_features``.

        Parameters
        ----------
        batch : dict
            A minibatch, after :meth:`sparse_batch_value`; the step uses up
            its gradient (a second call adds nothing).
        coef_t : ndarray of shape (n_features, n_classes), C-contiguous
        step : float
        """
        dscores = batch["dscores"]
        if dscores is not None:
            batch["dscores"] = None
            dscores *= dscores.dtype.type(step)  # used up: scaled in place
            add_product(batch["rows"], self.n_features, dscores, coef_t, transpose=True)

    def prox(self, P, step):
        """Apply the penalty's non-smooth part to ``W`` with step ``step``, in place.

        Parameters
        ----------
        P : ndarray of shape (n_classes, n_features + 1)
        step : float or ndarray broadcastable to ``P``
            The step just taken (its intercept column is ignored).

        Returns
        -------
        P : the same array.
        """
        if not self.penalty.smooth:
            if np.ndim(step):
                step = step[..., :-1]
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
        accuracy = 0.0
        for X, y, sw, share in self._matrix_blocks():
            correct = self._scores(P, X).argmax(axis=1) == y
            accuracy += share * float(np.average(correct, weights=sw))
        return accuracy

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
            out[start : start + k] = 0.0
            for X, y, sw, share in self._matrix_blocks():
                # W @ X.T rather than X @ W.T: the same product, but each class
                # of each candidate gets a contiguous row of scores, along which
                # the loss's reductions over classes and its gathers run several
                # times faster; the intercepts are added in place, one per row.
                scores = np.asarray(W @ X.T)
                if self.fit_intercept:
                    scores += block[:, :, -1].reshape(-1, 1)
                scores = scores.reshape(k, self.n_classes, X.shape[0])
                scores = scores.transpose(0, 2, 1)
                out[start : start + k] += share * self.loss.loss(scores, y, sw)
        return out + self.penalty.value(candidates[:, :, :-1])

    def second_moments(self):
        """Weighted mean of ``x_ij ** 2`` for every column, the intercept's last.

        Returns
        -------
        ndarray of shape (n_features + 1,)
            The last entry is 1 for a fitted intercept (its column is all ones),
            else 0. Computed once, in blocks of rows, without copying ``X``.
        """
        return self._column_moments()[0]

    def mean_row(self):
        """Weighted mean of the rows of ``X``, ``X^T w / sum(w)``.

        Returns
        -------
        ndarray of shape (n_features,)
            Computed with :meth:`second_moments`, in the same pass over ``X``.
        """
        return self._column_moments()[1]

    def _column_moments(self, stride=1):
        """``(second_moments, mean_row)``, on every ``stride``-th row.

        One pass over those rows (views of dense ``X``; gathered ``rows``) in
        blocks: the columns' weighted means of ``x ** 2`` and of ``x``, the
        blocks' sums accumulated in float64. Cached for each ``stride``.
        """
        key = ("moments", stride)
        if key in self._cache:
            return self._cache[key]
        every = slice(None, None, stride)
        n_rows = len(range(self.n_samples)[every])
        sw = None if self.sample_weight is None else self.sample_weight[every]
        sums = np.zeros(self.n_features)
        squares = np.zeros(self.n_features)
        step = max(_MOMENT_MIN_ROWS, -(-n_rows // _MOMENT_BLOCKS))
        for start in range(0, n_rows, step):
            stop = min(start + step, n_rows)
            rows = slice(start * stride, stop * stride, stride)  # of the data
            weights = None if sw is None else sw[start:stop].astype(np.float64)
            if self._sparse:
                # By column index over the block's stored entries: no squared
                # (or sliced) matrix.
                if stride > 1:
                    rows = np.arange(rows.start, rows.stop, stride)
                indptr, indices, data = self._csr_rows(rows)
                counts = np.diff(indptr)
                d = self.n_features
                values = data.astype(np.float64)
                if weights is not None:
                    values *= np.repeat(weights, counts)
                sums += np.bincount(indices, weights=values, minlength=d)
                values *= data
                squares += np.bincount(indices, weights=values, minlength=d)
                continue
            block = self.X[rows] if self._subset is None else self._gather(rows)
            if weights is None:
                # In the data's dtype within a block, with no squared copy.
                sums += block.sum(axis=0)
                squares += np.einsum("ij,ij->j", block, block)
            else:
                sums += block.T @ weights
                squares += (block * block).T @ weights
        norm = n_rows if sw is None else float(sw.sum())
        moments = np.append(squares / norm, float(self.fit_intercept))
        self._cache[key] = (moments, sums / norm)
        return self._cache[key]

    def mean_squared_norm(self):
        """Weighted mean of ``||x_i||^2``, plus 1 for a fitted intercept.

        The trace of the weighted second-moment matrix: a cheap upper bound of
        its largest eigenvalue and the scale of a typical row.
        """
        return float(self.second_moments().sum())

    def _second_moment_product(self, v, stride=1):
        """``Xt^T D Xt v / sum(w)``, with products in the data's dtype, over
        every ``stride``-th row (a view of ``X``, no copy; of ``rows`` given at
        construction, blocks of them gathered one at a time)."""
        sw = self.sample_weight
        every = slice(None, None, stride)
        n = len(range(self.n_samples)[every])
        if self._subset is None:
            blocks = [(self.X[every] if stride > 1 else self.X, every)]
        else:
            step = stride * max(_BLOCK_MIN_ROWS, -(-n // _FULL_BATCH_BLOCKS))
            slices = (slice(start, start + step, stride)
                      for start in range(0, self.n_samples, step))
            blocks = ((self._gather(rows), rows) for rows in slices)
        total = n if sw is None else float(sw[every].sum())
        # A float32 X is never upcast: v goes down to X's dtype instead.
        v_x = v[:-1].astype(self.dtype)
        w = np.zeros_like(v)
        for X, rows in blocks:
            u = np.asarray(X @ v_x, dtype=np.float64).ravel()
            u += v[-1]
            if sw is not None:
                u *= sw[rows]
            u /= total
            w[:-1] += np.asarray(X.T @ u.astype(self.dtype)).ravel()
            if self.fit_intercept:
                w[-1] += u.sum()
        return w

    def max_eigenvalue(self, n_iter=8, intercept=True, stride=1):
        """Largest eigenvalue of the weighted second-moment matrix, by Lanczos.

        The matrix is ``Xt^T D Xt / sum(w)``, ``Xt`` being ``X`` with a column of
        ones when the intercept is fitted (and ``intercept`` is True) and ``D``
        the diagonal of weights. ``n_iter`` Lanczos steps (two passes over ``X``
        each, with full reorthogonalization) give the largest Ritz value, a
        lower bound that converges much faster than power iteration: on
        standardized CIFAR-shaped data, a hard case (no gap at the top of the
        spectrum), 8 steps come within 3% (and a step of ``1 / L`` stays below
        the ``2 / L`` at which gradient descent would diverge). Deterministic:
        the start vector is drawn with seed 0 and does not depend on the rows,
        so weights and repeated rows agree.

        Parameters
        ----------
        n_iter : int, default=8
            Lanczos steps.
        intercept : bool, default=True
            If False, the matrix of the features alone, ``X^T D X / sum(w)``.
        stride : int, default=1
            Estimate on every ``stride``-th row only (a view of dense ``X``).

        Returns
        -------
        float
        """
        with_ones = bool(self.fit_intercept and intercept)
        key = ("eig", with_ones, stride)
        if key not in self._cache:
            v = np.abs(np.random.RandomState(0).standard_normal(self.n_features + 1))
            v[-1] *= float(with_ones)
            basis = [(v / _norm(v)).astype(self.dtype, copy=False)]
            diagonal, off_diagonal = [], []
            for _ in range(min(n_iter, self.n_features + with_ones)):
                w = self._second_moment_product(basis[-1], stride)
                if not with_ones:
                    w[-1] = 0.0
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
                # Stored in the data's dtype, which the products cast them to
                # anyway: a float32 basis costs half the memory.
                basis.append((w / norm).astype(self.dtype, copy=False))
            off_diagonal = off_diagonal[: len(diagonal) - 1]
            if np.isfinite(diagonal + off_diagonal).all():
                eig = float(eigvalsh_tridiagonal(diagonal, off_diagonal)[-1])
            else:
                eig = np.inf
            self._cache[key] = max(0.0, eig)
        return self._cache[key]

    def strong_convexity(self):
        """Modulus of strong convexity of the objective in ``W``: ``2 * l2``.

        The losses are convex but not strongly, so this is the penalty's
        squared part alone (0 without one); the intercept is not penalized.

        Returns
        -------
        float
        """
        return float(self.penalty.curvature())

    def _batch_shares(self, batch_size):
        """``(g, f)`` of the expected smoothness of Gower et al. (2019) for
        batches of ``b`` rows drawn without replacement: a batch's constant is
        ``g * lam + f * t`` from the full batch's ``lam`` and a single row's
        ``t``; ``(1, 0)`` for the full batch."""
        n, b = self.n_samples, batch_size
        if b is None or b >= n:
            return 1.0, 0.0
        return n * (b - 1) / (b * (n - 1)), (n - b) / (b * (n - 1))

    def _stride(self, batch_size):
        """Every how many rows the constants behind a step are estimated.

        1 for full-batch steps and sparse data. For minibatch steps on dense
        data, every ``k``-th row, keeping at least 4,096 rows and 16 batches:
        there the single rows' term of the expected smoothness dominates (on
        CIFAR-shaped data, 12 against 2 for the eigenvalue), on the fewer rows
        the eigenvalue's estimate is larger on average (the largest eigenvalue
        is convex in the matrix; noise spreads the spectrum of fewer rows), so
        the step gets more cautious, and the rows' mean squared norm and mean
        row are unbiased estimates. 1 as well when the weights of those rows
        sum to 0.
        """
        if batch_size is None or batch_size >= self.n_samples or self.is_sparse:
            return 1
        stride = max(1, self.n_samples // max(_MINIBATCH_EIG_ROWS, 16 * batch_size))
        sw = self.sample_weight
        if stride > 1 and sw is not None and not sw[::stride].any():
            return 1
        return stride

    def _step_constants(self, batch_size):
        """``(smoothness, intercept_step_ratio)``; see :meth:`smoothness`."""
        key = ("step", batch_size)
        if key not in self._cache:
            c, penalty = self.loss.curvature, self.penalty.curvature()
            g, f = self._batch_shares(batch_size)
            stride = self._stride(batch_size)
            # The moments serve these constants only: unless they were asked
            # for before, they are not kept alive through the fit.
            kept = ("moments", stride) in self._cache
            if stride == 1:
                moments, mean_row = self.second_moments(), self.mean_row()
            else:
                moments, mean_row = self._column_moments(stride)
            trace = float(moments[:-1].sum())
            lam = self.max_eigenvalue(intercept=False, stride=stride)
            mean = np.float64(_norm(mean_row))
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                weights = c * (g * lam + f * trace) + penalty
                # Expected squared norm of a batch's mean row (inf beyond the floats).
                coupling2 = mean * mean + f * max(trace - mean * mean, 0.0)
                ratio = 0.0
                if self.fit_intercept:
                    # The largest r that keeps the top eigenvalue within
                    # _STEP_SLACK times the weights' block constant (written
                    # without squaring ``weights``, which may be near 1e300).
                    slack = _STEP_SLACK - 1.0
                    ratio = _STEP_SLACK * slack * weights / (
                        c * (slack + c * coupling2 / weights)
                    )
                    ratio = float(ratio) if weights > 0 else 1.0
                # Top eigenvalue of [[weights, c sqrt(r) C], [c sqrt(r) C, c r]].
                half_gap = (weights - c * ratio) / 2
                smooth = (weights + c * ratio) / 2 + float(
                    np.hypot(half_gap, c * np.sqrt(ratio) * np.sqrt(coupling2))
                )
            self._cache[key] = (float(smooth), ratio)
            if not kept:
                self._cache.pop(("moments", stride), None)
        return self._cache[key]

    def smoothness(self, batch_size=None):
        """Estimate of the Lipschitz constant of the gradient of a batch's objective.

        Measured in the metric of the steps that ``learning_rate='auto'``
        takes: ``1 / L`` on ``W`` and ``r / L`` on the intercept, ``r`` the
        :meth:`intercept_step_ratio`. The parameters form two blocks:

        - the weights, ``A = c * lambda_b + penalty.curvature()``, with ``c``
          the loss's curvature bound (1/2 for the softmax; the hinge is not
          smooth, and its nominal 1 gives a step of the right scale) and
          ``lambda_b`` the expected smoothness of a batch of ``b`` rows drawn
          without replacement (Gower et al., 2019),
          ``(n (b - 1) lambda + (n - b) t) / (b (n - 1))``, from the top
          eigenvalue ``lambda`` of the features' weighted second moments
          (:meth:`max_eigenvalue`) and their trace ``t``, a single row's
          constant (``lambda`` itself for the full batch): small batches need
          smaller steps;
        - the intercept, whose column of ones gives ``c`` for any batch, ``c r``
          in the metric of its step;
        - coupled through the mean row of a batch, of expected squared norm
          ``C^2 = |m|^2 + (n - b) / (b (n - 1)) (t - |m|^2)``, ``m`` the
          :meth:`mean_row`.

        ``L`` is the top eigenvalue of ``[[A, c sqrt(r) C], [c sqrt(r) C, c r]]``,
        which bounds the one of the whole second-moment matrix in that metric.

        Parameters
        ----------
        batch_size : int or None, default=None

        Returns
        -------
        float
        """
        return self._step_constants(batch_size)[0]

    def intercept_step_ratio(self, batch_size=None):
        """Ratio ``r`` of the intercept's step to the weights' step.

        The weights' block constant ``A`` and the intercept's ``c`` (see
        :meth:`smoothness`) can be orders of magnitude apart: features of size
        20 make ``A`` hundreds of times ``c``, while rows of unit norm spread
        over thousands of columns (normalized word counts) make it 100 times
        smaller. One common step would then leave the less stiff block
        almost still. ``r`` is the largest ratio that keeps ``L`` within 1.1
        times ``A``, ``r = 0.11 A^2 / (c (0.1 A + c C^2))``: each block
        moves at close to its own pace, and the weights' step is at most 10%
        below the one they would take alone. 0 without an intercept, 1 when
        the weights' block is flat.

        Parameters
        ----------
        batch_size : int or None, default=None

        Returns
        -------
        float
        """
        return self._step_constants(batch_size)[1]
