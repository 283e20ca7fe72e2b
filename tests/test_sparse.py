import numpy as np
import pytest
from scipy import sparse

from sklinear_sgd import _sparse
from sklinear_sgd._sparse import add_product, take_rows


def _rows(A, index_dtype):
    return (A.indptr.astype(index_dtype), A.indices.astype(index_dtype), A.data)


@pytest.fixture(params=["compiled", "fallback"])
def path(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.setattr(_sparse, "_sparsetools", None)
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("transpose", [False, True])
def test_add_product_adds_the_product_into_out(path, dtype, index_dtype, transpose):
    rng = np.random.RandomState(0)
    A = sparse.random(9, 13, density=0.3, format="csr", dtype=dtype, random_state=rng)
    A = sparse.csr_matrix(A.toarray() * (np.arange(9) % 4 != 0)[:, None])  # empty rows
    dense = A.toarray()
    B = rng.randn(9 if transpose else 13, 4).astype(dtype)
    start = rng.randn(13 if transpose else 9, 4).astype(dtype)
    out = start.copy()
    result = add_product(_rows(A, index_dtype), 13, B, out, transpose=transpose)
    assert result is out
    expected = start + (dense.T if transpose else dense) @ B
    np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_add_product_on_views_of_larger_arrays(path):
    # The rows 3 to 7 of a larger matrix, as the objective's blocks take them.
    rng = np.random.RandomState(1)
    A = sparse.random(10, 6, density=0.5, format="csr", random_state=rng)
    first, last = A.indptr[3], A.indptr[8]
    rows = (A.indptr[3:9] - first, A.indices[first:last], A.data[first:last])
    B = rng.randn(6, 3)
    out = np.zeros((5, 3))
    add_product(rows, 6, B, out)
    np.testing.assert_allclose(out, A.toarray()[3:8] @ B, rtol=1e-12)


@pytest.mark.parametrize("case", ["transposed out", "float32 B", "transposed B"])
def test_add_product_on_arrays_the_compiled_routines_cannot_take(case):
    # The compiled routines need C-contiguous arrays of one dtype: the others
    # go through scipy's product (a non-contiguous out must not be lost).
    rng = np.random.RandomState(2)
    A = sparse.random(7, 5, density=0.5, format="csr", random_state=rng)  # float64
    B = rng.randn(5, 3)
    out = np.ones((7, 3))
    if case == "transposed out":
        out = np.ones((3, 7)).T
    elif case == "float32 B":
        B = B.astype(np.float32)
    else:
        B = np.asfortranarray(B)
    add_product(_rows(A, np.int32), 5, B, out)
    np.testing.assert_allclose(out, 1 + A.toarray() @ B.astype(np.float64), rtol=1e-6)


@pytest.mark.parametrize("transpose", [False, True])
def test_add_product_rejects_mismatched_shapes(transpose):
    A = sparse.random(4, 6, density=0.5, format="csr", random_state=0)
    rows = _rows(A, np.int32)
    inner, outer = (4, 6) if transpose else (6, 4)
    with pytest.raises(ValueError, match="shapes do not match"):
        add_product(rows, 6, np.ones((inner + 1, 2)), np.zeros((outer, 2)), transpose)
    with pytest.raises(ValueError, match="shapes do not match"):
        add_product(rows, 6, np.ones((inner, 2)), np.zeros((outer - 1, 2)), transpose)
    with pytest.raises(ValueError, match="shapes do not match"):
        add_product(rows, 6, np.ones((inner, 2)), np.zeros((outer, 3)), transpose)


def test_the_installed_scipy_reads_row_ranges():
    # Without it every batch of permuted sparse rows is gathered: slower, as
    # exact. This tells when a scipy version changes its compiled routines.
    assert _sparse._ranges_work()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("transpose", [False, True])
def test_take_rows_then_add_product(path, dtype, index_dtype, transpose):
    # Scattered rows of a larger matrix, empty ones among them, in any order.
    rng = np.random.RandomState(3)
    A = sparse.random(30, 11, density=0.3, format="csr", dtype=dtype, random_state=rng)
    A = sparse.csr_matrix(A.toarray() * (np.arange(30) % 4 != 0)[:, None])
    for rows in (np.array([17, 3, 28, 4, 9, 0]), np.array([12]), np.array([29, 8])):
        block, order = take_rows(*_rows(A, index_dtype), rows)
        assert sorted(order) == sorted(rows)
        if path == "compiled":
            assert isinstance(block, _sparse.RowRanges)
            np.testing.assert_array_equal(order, np.sort(rows)[::-1])
        else:
            assert not isinstance(block, _sparse.RowRanges)
            np.testing.assert_array_equal(order, rows)
        assert _sparse.n_rows(block) == len(rows)
        dense = A.toarray()[order]
        B = rng.randn(len(rows) if transpose else 11, 3).astype(dtype)
        start = rng.randn(11 if transpose else len(rows), 3).astype(dtype)
        out = start.copy()
        assert add_product(block, 11, B, out, transpose=transpose) is out
        expected = start + (dense.T if transpose else dense) @ B
        np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("case", ["transposed out", "float32 B", "mixed index dtypes"])
def test_row_ranges_on_arrays_the_compiled_routines_cannot_take(case):
    rng = np.random.RandomState(4)
    A = sparse.random(12, 5, density=0.5, format="csr", random_state=rng)  # float64
    indptr, indices, data = _rows(A, np.int32)
    block, order = take_rows(indptr, indices, data, np.array([8, 2, 10]))
    assert isinstance(block, _sparse.RowRanges)
    B = rng.randn(5, 3)
    out = np.ones((3, 3))
    if case == "transposed out":
        out = np.ones((3, 3)).T
    elif case == "float32 B":
        B = B.astype(np.float32)
    else:
        block = block._replace(indices=indices.astype(np.int64))
    add_product(block, 5, B, out)
    np.testing.assert_allclose(out, 1 + A.toarray()[order] @ B.astype(np.float64), rtol=1e-6)


class _Routines:
    """Stand-ins for scipy's compiled routines: ``kind`` 'refuse' raises on
    row pointers that decrease, 'ignore' adds nothing."""

    def __init__(self, kind):
        self.kind = kind

    def _call(self, *args):
        pointers = args[3]
        if self.kind == "refuse" and np.any(np.diff(pointers) < 0):
            raise ValueError("row pointers must not decrease")

    csr_matvecs = csc_matvecs = _call


@pytest.mark.parametrize("kind", ["refuse", "ignore"])
def test_row_ranges_are_checked_before_use(kind, monkeypatch):
    # Routines that refuse the ranges, or read them otherwise, turn them off:
    # take_rows then gathers the rows' entries.
    monkeypatch.setattr(_sparse, "_sparsetools", _Routines(kind))
    assert not _sparse._ranges_work.__wrapped__()
    _sparse._ranges_work.cache_clear()
    try:
        A = sparse.random(6, 4, density=0.5, format="csr", random_state=0)
        block, order = take_rows(*_rows(A, np.int32), np.array([1, 4]))
        assert not isinstance(block, _sparse.RowRanges)
        np.testing.assert_array_equal(order, [1, 4])
    finally:
        _sparse._ranges_work.cache_clear()
