"""Products of CSR rows with dense matrices, added into a given array.

scipy's ``A @ B`` returns a new array, and a ``csr_matrix`` built on a
slice of another's arrays copies that slice (scipy's constructor "prunes"
views of larger arrays). The objective's products on blocks and batches of
sparse rows need neither: :func:`add_product` adds ``A @ B`` or ``A.T @ B``
into an array that the caller owns (the scores of a batch, the gradient of
all the blocks) from the raw ``(indptr, indices, data)`` of the rows. It
calls the compiled routines behind scipy's own products
(``scipy.sparse._sparsetools``, a private module, present in every scipy
that this package supports; CI runs the oldest), which add into their
output; without them, or for arrays that they cannot take as they are, it
falls back to scipy's public product, with the same result and one
temporary.
"""

import numpy as np
from scipy import sparse

try:
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - scipy's layout changed
    _sparsetools = None


def add_product(rows, n_columns, B, out, transpose=False):
    """``out += A @ B``, or ``out += A.T @ B`` with ``transpose``, in place.

    Parameters
    ----------
    rows : tuple of ndarray
        ``(indptr, indices, data)`` of ``A``, a CSR matrix of
        ``len(indptr) - 1`` rows and ``n_columns`` columns (the arrays of a
        ``csr_matrix``, or views of them).
    n_columns : int
        The number of columns of ``A``.
    B : ndarray of shape (A.shape[0] if transpose else n_columns, k)
    out : ndarray of shape (n_columns if transpose else A.shape[0], k)
        Added to in place.

    Returns
    -------
    out : the same array.
    """
    indptr, indices, data = rows
    n_rows = len(indptr) - 1
    k = B.shape[1]
    inner, outer = (n_rows, n_columns) if transpose else (n_columns, n_rows)
    # The compiled routines check no shape: a mismatch must not reach them.
    if B.shape[0] != inner or out.shape != (outer, k):
        raise ValueError(
            f"shapes do not match: A is {n_rows} x {n_columns}, B {B.shape}, "
            f"out {out.shape}, transpose={transpose}"
        )
    direct = (
        _sparsetools is not None
        and out.flags.c_contiguous
        and out.flags.writeable
        and data.dtype == B.dtype == out.dtype
        and data.dtype.isnative
        and indptr.dtype == indices.dtype
    )
    if not direct:
        A = sparse.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))
        out += (A.T if transpose else A) @ B
        return out
    B = np.ascontiguousarray(B)
    if transpose:
        # The rows of A are the columns of A.T: CSR of A is CSC of A.T.
        _sparsetools.csc_matvecs(
            n_columns, n_rows, k, indptr, indices, data, B.reshape(-1), out.reshape(-1)
        )
    else:
        _sparsetools.csr_matvecs(
            n_rows, n_columns, k, indptr, indices, data, B.reshape(-1), out.reshape(-1)
        )
    return out
