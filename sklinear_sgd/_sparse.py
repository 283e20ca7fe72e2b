"""Products of CSR rows with dense matrices, added into a given array.

scipy's ``A @ B`` returns a new array, and a ``csr_matrix`` built on a
slice of another's arrays copies that slice (scipy's constructor "prunes"
views of larger arrays). The objective's products on blocks and batches of
sparse rows need neither: :func:`add_product` adds ``A @ B`` or ``A.T @ B``
into an array that the caller owns (the scores of a batch, the gradient of
all the blocks) from the raw ``(indptr, indices, data)`` of the rows, or
from the :class:`RowRanges` of rows scattered over a larger matrix, read
where they are (see :func:`take_rows`). It calls the compiled routines
behind scipy's own products (``scipy.sparse._sparsetools``, a private
module, present in every scipy that this package supports; CI runs the
oldest), which add into their output; without them, or for arrays that they
cannot take as they are, it falls back to scipy's public product, with the
same result and one temporary.
"""

import functools
from typing import NamedTuple

import numpy as np
from scipy import sparse

try:
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - scipy's layout changed
    _sparsetools = None


class RowRanges(NamedTuple):
    """Rows of a CSR matrix where they are, from :func:`take_rows`.

    Row ``i`` holds the entries ``ranges[2 i]`` to ``ranges[2 i + 1]``
    (excluded) of ``indices`` and ``data``, the arrays of the whole matrix;
    the rows come in non-increasing order of their row numbers.
    """

    ranges: np.ndarray
    indices: np.ndarray
    data: np.ndarray


def n_rows(rows):
    """The number of rows of an ``(indptr, indices, data)`` triple or of a
    :class:`RowRanges`."""
    return len(rows.ranges) // 2 if isinstance(rows, RowRanges) else len(rows[0]) - 1


def _gather(starts, ends, indices, data):
    """``(indptr, indices, data)`` of the rows whose entries run from
    ``starts`` to ``ends``, copied in that order (a few passes over the
    rows' entries, none over the matrix)."""
    lengths = ends - starts
    indptr = np.zeros(len(lengths) + 1, dtype=starts.dtype)
    np.cumsum(lengths, out=indptr[1:])
    entries = np.arange(indptr[-1], dtype=starts.dtype)
    entries += np.repeat(starts - indptr[:-1], lengths)
    return indptr, indices.take(entries), data.take(entries)


def gather_rows(indptr, indices, data, rows):
    """``(indptr, indices, data)`` of the rows ``rows`` of a CSR matrix, in
    that order (the entries of ``X[rows]``, without scipy's indexing)."""
    return _gather(indptr[rows], indptr[rows + 1], indices, data)


def take_rows(indptr, indices, data, rows):
    """The rows ``rows`` of a CSR matrix, for :func:`add_product`, and the
    order they come in.

    Where the compiled routines can read them where they are, the rows are
    a :class:`RowRanges` (nothing is copied but two row pointers a row) in
    non-increasing order; else their entries are gathered, in the given
    order. A minibatch's loss does not depend on the order of its rows.

    Parameters
    ----------
    indptr, indices, data : ndarray
        The arrays of a CSR matrix.
    rows : ndarray of int
        Row numbers.

    Returns
    -------
    block : RowRanges or tuple of ndarray
    rows : ndarray of int
        The row numbers in the order of ``block``.
    """
    if indptr.dtype == indices.dtype and _reads_ranges():
        rows = np.sort(rows)[::-1]
        ranges = np.empty(2 * len(rows), dtype=indptr.dtype)
        ranges[0::2] = indptr[rows]
        ranges[1::2] = indptr[rows + 1]
        return RowRanges(ranges, indices, data), rows
    return gather_rows(indptr, indices, data, rows), rows


def _ranges_call(rows, n_columns, B, out, transpose):
    """The compiled product on a :class:`RowRanges`.

    The routines take the ranges as the row pointers of ``2 n - 1`` rows:
    row ``2 i`` is the block's row ``i``, and row ``2 i + 1`` runs from the
    end of row ``i`` back to the start of the next, at or before it (the rows
    come in non-increasing order), so the routines' loop over its entries
    runs no step. The odd rows of the product are left out.
    """
    ranges, indices, data = rows
    k = B.shape[1]
    virtual = len(ranges) - 1
    if transpose:
        padded = np.zeros((virtual, k), dtype=B.dtype)
        padded[0::2] = B
        _sparsetools.csc_matvecs(
            n_columns, virtual, k, ranges, indices, data, padded.reshape(-1), out.reshape(-1)
        )
    else:
        padded = np.zeros((virtual, k), dtype=out.dtype)
        _sparsetools.csr_matvecs(
            virtual, n_columns, k, ranges, indices, data,
            np.ascontiguousarray(B).reshape(-1), padded.reshape(-1)
        )
        out += padded[0::2]
    return out


@functools.lru_cache(maxsize=None)
def _ranges_work():
    """Whether the compiled routines read a :class:`RowRanges` as
    :func:`_ranges_call` expects, checked once on a small matrix."""
    A = sparse.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0], [4, 5, 6], [0, 0, 7]]))
    A.indptr, A.indices = A.indptr.astype(np.int32), A.indices.astype(np.int32)
    rows = np.array([3, 2, 0])
    ranges = np.empty(6, dtype=np.int32)
    ranges[0::2], ranges[1::2] = A.indptr[rows], A.indptr[rows + 1]
    block = RowRanges(ranges, A.indices, A.data)
    B, C = np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2) - 2
    try:
        forward = _ranges_call(block, 3, B, np.zeros((3, 2)), False)
        backward = _ranges_call(block, 3, C, np.zeros((3, 2)), True)
    except Exception:  # a routine that refuses them
        return False
    dense = A.toarray()[rows]
    return np.array_equal(forward, dense @ B) and np.array_equal(backward, dense.T @ C)


def _reads_ranges():
    return _sparsetools is not None and _ranges_work()


def add_product(rows, n_columns, B, out, transpose=False):
    """``out += A @ B``, or ``out += A.T @ B`` with ``transpose``, in place.

    Parameters
    ----------
    rows : tuple of ndarray or RowRanges
        ``(indptr, indices, data)`` of ``A``, a CSR matrix of
        ``len(indptr) - 1`` rows and ``n_columns`` columns (the arrays of a
        ``csr_matrix``, or views of them), or the rows of a larger matrix
        from :func:`take_rows`.
    n_columns : int
        The number of columns of ``A``.
    B : ndarray of shape (A.shape[0] if transpose else n_columns, k)
    out : ndarray of shape (n_columns if transpose else A.shape[0], k)
        Added to in place.

    Returns
    -------
    out : the same array.
    """
    m = n_rows(rows)
    k = B.shape[1]
    inner, outer = (m, n_columns) if transpose else (n_columns, m)
    # The compiled routines check no shape: a mismatch must not reach them.
    if B.shape[0] != inner or out.shape != (outer, k):
        raise ValueError(
            f"shapes do not match: A is {m} x {n_columns}, B {B.shape}, "
            f"out {out.shape}, transpose={transpose}"
        )
    pointers, indices, data = rows
    direct = (
        _sparsetools is not None
        and out.flags.c_contiguous
        and out.flags.writeable
        and data.dtype == B.dtype == out.dtype
        and data.dtype.isnative
        and pointers.dtype == indices.dtype
    )
    if isinstance(rows, RowRanges):
        if direct and m and _ranges_work():
            return _ranges_call(rows, n_columns, B, out, transpose)
        pointers, indices, data = rows = _gather(pointers[0::2], pointers[1::2], indices, data)
    if not direct:
        A = sparse.csr_matrix((data, indices, pointers), shape=(m, n_columns))
        out += (A.T if transpose else A) @ B
        return out
    B = np.ascontiguousarray(B)
    if transpose:
        # The rows of A are the columns of A.T: CSR of A is CSC of A.T.
        _sparsetools.csc_matvecs(
            n_columns, m, k, pointers, indices, data, B.reshape(-1), out.reshape(-1)
        )
    else:
        _sparsetools.csr_matvecs(
            m, n_columns, k, pointers, indices, data, B.reshape(-1), out.reshape(-1)
        )
    return out
