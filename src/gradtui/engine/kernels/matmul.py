"""Matrix products in torch's order of additions, so small products match torch to the bit.

Float addition is not associative, and BLAS libraries add a dot product's terms in different
orders: numpy's BLAS and the MKL inside torch 2.13 disagree in the last bit of most elements of
a small product. The rules below were measured bit for bit against torch (MKL sgemm/dgemm and
gemv, one thread): which shapes and memory layouts MKL sums in order (each product rounded),
fused (each product added by an fma), or in 4 lanes. Bigger products go to numpy's BLAS.

The backward of ``a @ b`` transposes like torch's ``mm_mat1_backward``/``mm_mat2_backward``
(``mm_mat1_backward``, ``mm_mat2_backward`` below), since the layout decides MKL's order.
"""

from __future__ import annotations

import numpy as np

from gradtui.engine.kernels import fma64

_MV_IN_ORDER_MAX = 4096  # columns summed one by one in Python below this; BLAS above


def mv(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``m @ v``. For a float32 matrix stored transposed (``X.t()``, as in every mv backward)
    torch's gemv adds the columns one by one in order, each product rounded (verified
    bit-exact up to 1000 columns, one thread); numpy's BLAS orders them differently."""
    if (m.dtype == np.float32 and v.dtype == np.float32 and m.ndim == 2
            and m.flags.f_contiguous and not m.flags.c_contiguous
            and 0 < m.shape[1] <= _MV_IN_ORDER_MAX):
        acc = m[:, 0] * v[0]
        for j in range(1, m.shape[1]):
            acc += m[:, j] * v[j]
        return acc
    return m @ v


_MM_SMALL = 64  # rows and columns up to this follow torch's (MKL's) order below; BLAS above
_MM_SMALL_K = 128


def _row_major(x: np.ndarray) -> bool:
    """torch's test for a matrix that BLAS reads untransposed (a size-1 dim leaves C- and
    F-order both true; torch looks at the strides)."""
    item = x.itemsize
    return x.strides[1] == item and (x.shape[0] == 1 or x.strides[0] >= max(1, x.shape[1]) * item)


def _mm_order(a: np.ndarray, b: np.ndarray) -> str | None:
    """How torch 2.13 (MKL sgemm, one thread) adds the k products of a small float32 product
    (each element separately), or None where no rule was found (numpy's BLAS then).

    ``"round"``: in order, each product rounded; ``"fma"``: in order, each product fused into
    the running sum; ``"lanes"``: the 4-lane order of ``_mm_lanes``. Measured bit for bit
    against torch for every m, n up to 16 (and spot checks to 64), k up to 100:

    - b row-major (``a @ b``, ``a.T @ g``): fma when m >= 4 and n >= 12; else rounded when
      k <= 7, m == 1, n in (1, 2, 3, 4, 8), or m <= 3 with n == 5 or n % 4 == 0; not the
      row-major ``a``'s n == 1 with k >= 13 (or m >= 4 and k >= 5), nor the other edge
      widths (n = 5..7, 9..11 with k >= 8), where MKL's edge kernels order differently.
    - b column-major (``x @ W.t()``, ``g @ W``'s backward): fma when m >= 4 and n >= 12,
      rounded when k <= 3 (and for n == 1 when k == 4, or m <= 3 and k <= 7); 2..8 x 2..8
      with k >= 4 take the 4-lane order (exact for typical MLP layers, about 2/3 of elements
      elsewhere).
    """
    m, k = a.shape
    n = b.shape[1]
    if m >= 4 and n >= 12:
        return "fma"
    if _row_major(b):
        if n == 1 and _row_major(a) and (k >= 13 or (m >= 4 and k >= 5)):
            return None
        if (k <= 7 or m == 1 or n in (1, 2, 3, 4, 8)
                or (m <= 3 and (n == 5 or n % 4 == 0))):
            return "round"
        return None
    if k <= 3 or (n == 1 and (k == 4 or (m <= 3 and k <= 7))):
        return "round"
    return "lanes" if 2 <= m <= 8 and 2 <= n <= 8 else None


_MM64_SMALL = 16  # float64: m, n, k up to this were measured (MKL dgemm, one thread)


def _mm64_order(a: np.ndarray, b: np.ndarray) -> str | None:
    """How torch 2.13 (MKL dgemm, one thread) adds the k products of a small float64 product,
    or None where no simple order was found (numpy's BLAS then). Measured bit for bit for every
    m, n, k in 1..16 (``"round"`` and ``"fma"`` as in ``_mm_order``):

    - b row-major (``a @ b``, ``a.T @ g``): rounded in order when m == 1, or n is even and
      n <= 10 (or m <= 3), or k <= 7 and not (m >= 4 and n >= 12); for n == 1, when ``a`` is
      column-major (``a.T @ g``) or k <= 4 (k <= 7 for m <= 3). Fused in order for 4, 8, 12 or
      16 rows and exactly 12 columns.
    - b column-major (``x @ W.t()``): rounded when k <= 3; k <= 4 for m == 1 or n == 1, and
      k <= 7 for n in (2, 3) or n == 1 with m <= 3. The same fused 4-row x 12-column case.
    """
    m, k = a.shape
    n = b.shape[1]
    if m >= 4 and n >= 12:
        return "fma" if m % 4 == 0 and n == 12 else None
    if _row_major(b):
        if n == 1:
            limit = 16 if not _row_major(a) else 7 if m <= 3 else 4
            return "round" if k <= limit else None
        if m == 1 or (n % 2 == 0 and (n <= 10 or m <= 3)) or k <= 7:
            return "round"
        return None
    if n == 1:
        limit = 7 if m <= 3 else 4
    elif n <= 3:
        limit = 7
    else:
        limit = 4 if m == 1 else 3
    return "round" if k <= limit else None


def _mm_fma(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The k products fused one by one into a running sum, in order (one rounding a step)."""
    acc = a[:, 0:1] * b[0:1, :]
    if a.dtype == np.float32:  # float32 products are exact in float64
        for q in range(1, a.shape[1]):
            wide = np.multiply(a[:, q:q + 1], b[q:q + 1, :], dtype=np.float64)
            wide += acc
            acc = wide.astype(np.float32)
        return acc
    shape = acc.shape
    for q in range(1, a.shape[1]):
        acc = fma64.fma(np.broadcast_to(a[:, q:q + 1], shape),
                        np.broadcast_to(b[q:q + 1, :], shape), acc)
    return acc


def mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``, in torch's order of additions for small float32 products (``_mm_order``)
    and small float64 ones (``_mm64_order``)."""
    m, k = a.shape
    n = b.shape[1]
    if (a.dtype == np.float64 and b.dtype == np.float64 and m <= _MM64_SMALL
            and n <= _MM64_SMALL and 1 <= k <= _MM64_SMALL and m * n > 1):
        if not (a.flags.c_contiguous or a.flags.f_contiguous) or not (
                b.flags.c_contiguous or b.flags.f_contiguous):
            return a @ b
        order = _mm64_order(a, b)
        if order == "round":
            return np.add.reduce(a[:, :, None] * b[None, :, :], axis=1)
        return _mm_fma(a, b) if order == "fma" else a @ b
    if not (a.dtype == np.float32 and b.dtype == np.float32 and m <= _MM_SMALL
            and n <= _MM_SMALL and 1 <= k <= _MM_SMALL_K and m * n > 1):
        return a @ b
    if m > 8 and k > 7 and n < 12 and n not in (1, 2, 3, 4, 8):  # no rule: skip the checks
        return a @ b  # (an MLP's 64x128 @ 128x10 output layer, every step)
    if not (a.flags.c_contiguous or a.flags.f_contiguous) or not (
            b.flags.c_contiguous or b.flags.f_contiguous):
        return a @ b
    order = _mm_order(a, b)
    if order is None:
        return a @ b
    if order == "round":  # a middle axis: numpy adds it row by row, in order
        return np.add.reduce(a[:, :, None] * b[None, :, :], axis=1)
    if order == "fma":
        return _mm_fma(a, b)
    return _mm_lanes(a, b)


def _mm_lanes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The k products in 4 lanes (product q into lane q % 4, each rounded), then
    ``(l0 + l2) + (l1 + l3)``, then the leftover products in order."""
    k = a.shape[1]
    lanes = [a[:, q:q + 1] * b[q:q + 1, :] for q in range(4)]
    full = k - k % 4
    for q in range(4, full):
        lanes[q % 4] += a[:, q:q + 1] * b[q:q + 1, :]
    acc = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
    for q in range(full, k):
        acc += a[:, q:q + 1] * b[q:q + 1, :]
    return acc


def column_major(m: np.ndarray) -> bool:
    """torch's test for a column-major matrix (``x.t()`` of a contiguous one)."""
    return m.strides[0] == m.itemsize and m.strides[1] == m.shape[0] * m.itemsize


def mm_mat1_backward(grad: np.ndarray, mat1: np.ndarray, mat2: np.ndarray) -> np.ndarray:
    """``grad @ mat2.T``; like torch's ``mm_mat1_backward``, ``(mat2 @ grad.T).T`` for a
    column-major ``mat1`` (the product is the same, the order of its additions is not)."""
    if column_major(mat1) and mat1.shape[0] > 1:
        return mm(mat2, grad.T).T
    return mm(grad, mat2.T)


def mm_mat2_backward(grad: np.ndarray, mat1: np.ndarray, mat2: np.ndarray) -> np.ndarray:
    """``mat1.T @ grad``; ``(grad.T @ mat1).T`` for a column-major ``mat2`` (``W.t()`` in
    ``F.linear``), as torch's ``mm_mat2_backward`` does."""
    if column_major(mat2) and mat2.shape[0] > 1:
        return mm(grad.T, mat1).T
    return mm(mat1.T, grad)
