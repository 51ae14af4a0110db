"""Floating-point sums in torch's order, so ``loss.item()`` prints torch's last digits.

Float addition is not associative: numpy's pairwise sum and torch's CPU kernel round
differently, and a learner comparing ``print(loss.item())`` with a tutorial sees it. This is
torch's algorithm (aten/src/ATen/native/cpu/SumKernel.cpp), vectorised with numpy: the data
are read as SIMD vectors of ``32 // itemsize`` lanes (AVX2), four vectors at a time ("ILP"),
and partial sums are cascaded through four levels of accumulators so only numbers of similar
size are added. A single sum over more than 32768 elements is split across threads by torch,
which makes its rounding depend on the thread count; there we use numpy's sum. (Sums along a
dim are split by output, which changes nothing.)
"""

from __future__ import annotations

import math

import numpy as np

_GRAIN = 32768  # torch's internal::GRAIN_SIZE: above it the reduction is parallel
_ILP = 4
_LEVELS = 4


def _ceil_log2(x: int) -> int:
    return 1 if x <= 2 else int(x - 1).bit_length()


def _seq(x: np.ndarray) -> np.ndarray:
    """Sequential sum along axis 0 (left to right, in x's dtype), starting from zero. numpy
    reduces a leading axis row by row, i.e. sequentially for every lane (pairwise summation
    only happens along the innermost axis)."""
    if len(x) == 0:
        return np.zeros(x.shape[1:], dtype=x.dtype)
    if len(x) == 1:
        return x[0] + x.dtype.type(0)
    return np.add.reduce(x, axis=0) + x.dtype.type(0)


def _seq_groups(x: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray]:
    """Sequential sums of consecutive groups of ``group`` rows, and of the incomplete rest."""
    full = len(x) // group
    if not full:
        return np.zeros((0,) + x.shape[1:], dtype=x.dtype), _seq(x)
    grouped = x[:full * group].reshape((full, group) + x.shape[1:])
    # reducing a middle axis, numpy walks it row by row: sequential within each group
    sums = np.add.reduce(grouped, axis=1) + x.dtype.type(0)
    if len(x) == full * group:  # no rest: a zero scalar adds like an array of zeros, cheaper
        return sums, x.dtype.type(0)
    return sums, _seq(x[full * group:])


def _multi_row_sum(data: np.ndarray) -> np.ndarray:
    """torch's cascade sum along axis 0 (``multi_row_sum``): blocks of ``step`` rows, whose
    sums move up one accumulator level every ``step`` blocks."""
    size = len(data)
    power = max(4, _ceil_log2(size) // _LEVELS)
    step = 1 << power
    if size < step:  # one partial block: the levels above hold zeros, and x + 0 + 0 == x + 0
        return _seq(data)
    full = size // step
    if full < step:
        # Level 1 never fills: the blocks' sums, summed in order, plus the tail. Only the
        # signs of zeros could tell the "+ 0"s of the general path apart, and one at the end
        # settles those (x + -0. is x for any other x): two reductions instead of six calls.
        zero = data.dtype.type(0)
        blocks = np.add.reduce(data[:full * step].reshape((full, step) + data.shape[1:]), axis=1)
        total = np.add.reduce(blocks, axis=0) if full > 1 else blocks[0]
        if size > full * step:
            total = np.add.reduce(data[full * step:], axis=0) + total
        return total + zero
    blocks, rest = _seq_groups(data, step)  # rest: the tail, summed into level 0 at the end
    level1, left1 = _seq_groups(blocks, step)
    level2, left2 = _seq_groups(level1, step)
    left3 = _seq(level2)
    return ((rest + left1) + left2) + left3


def _row_sum(rows: np.ndarray) -> np.ndarray:
    """torch's ``row_sum``: four interleaved cascades (ILP), then the leftovers and the four
    partial sums added in order."""
    size = len(rows)
    size_ilp = size // _ILP
    interleaved = rows[:size_ilp * _ILP].reshape((size_ilp, _ILP) + rows.shape[1:])
    partial = _multi_row_sum(interleaved) if size_ilp else np.zeros(
        (_ILP,) + rows.shape[1:], dtype=rows.dtype)
    first = partial[0]
    for i in range(size_ilp * _ILP, size):
        first = first + rows[i]
    for k in range(1, _ILP):
        first = first + partial[k]
    return first


LANE_BYTES = 32  # torch 2.13 runs its sum kernel with AVX2 vectors (8 floats)


def _tiny_sum(values: list, zero: np.generic) -> np.generic:
    """torch's scalar ``row_sum`` of fewer than 8 numbers: the first of four interleaved
    partial sums takes the elements past the first four, then the others are added."""
    if len(values) <= 4:
        total = zero
        for v in values:
            total = total + v
        return total
    first = zero + values[0]
    for v in values[4:]:
        first = first + v
    for v in values[1:4]:
        first = first + v
    return first


def _inner_sum(x: np.ndarray) -> np.ndarray:
    """Sum over the last axis of ``x`` (contiguous rows), one result per leading index."""
    lanes = LANE_BYTES // x.itemsize
    n = x.shape[-1]
    if x.ndim == 1 and n < lanes:  # the common tiny case, on numpy scalars: much cheaper
        return np.asarray(_tiny_sum(list(x), x.dtype.type(0)))
    if n < lanes:  # too short for a vector: the scalar row_sum, per row
        return _row_sum(np.moveaxis(x, -1, 0))
    vec_count = n // lanes
    lead = x.shape[:-1]
    vectors = x[..., :vec_count * lanes].reshape(lead + (vec_count, lanes))
    vectors = np.moveaxis(vectors, -2, 0)  # (vec_count, *lead, lanes)
    vec_acc = _row_sum(vectors) if vec_count else np.zeros(lead + (lanes,), dtype=x.dtype)
    final = np.zeros(lead, dtype=x.dtype)
    for k in range(vec_count * lanes, n):
        final = final + x[..., k]
    for k in range(lanes):
        final = final + vec_acc[..., k]
    return final


def _outer_sum(x: np.ndarray) -> np.ndarray:
    """Sum over axis 0 of a contiguous 2-d ``x`` (torch's ``vectorized_outer_sum``)."""
    lanes = LANE_BYTES // x.itemsize
    cols = x.shape[1]
    if cols < lanes:  # torch's scalar_outer_sum: columns four at a time, then one by one
        out = np.empty(cols, dtype=x.dtype)
        quad = (cols // _ILP) * _ILP
        if quad:
            out[:quad] = _multi_row_sum(x[:, :quad])
        if cols > quad:
            out[quad:] = _row_sum(x[:, quad:])
        return out
    wide = (cols // (_ILP * lanes)) * _ILP * lanes
    if wide == cols:
        return _multi_row_sum(x)  # each column its own cascade
    # The remaining columns go a vector at a time, then one by one, but both through the same
    # row_sum template (per column the same additions): one call covers them all.
    if not wide:
        return _row_sum(x)
    out = np.empty(cols, dtype=x.dtype)
    out[:wide] = _multi_row_sum(x[:, :wide])
    out[wide:] = _row_sum(x[:, wide:])
    return out


def torch_sum(a: np.ndarray, dims: tuple[int, ...] | None, keepdim: bool) -> np.ndarray | None:
    """``a.sum(dims)`` rounded like torch, or None when torch's order is not reproduced here
    (the caller then uses numpy)."""
    if a.dtype.kind != "f" or a.dtype.itemsize < 4 or a.size == 0:
        return None
    full = dims is None or len(set(dims)) == a.ndim
    if full and a.size > _GRAIN:
        return None  # torch splits one big sum across threads: thread-count dependent
    if dims is None and a.flags.c_contiguous:  # a full sum: no layout questions
        if a.size < LANE_BYTES // a.itemsize:
            return np.asarray(_tiny_sum(list(a.flat),
                                        a.dtype.type(0)))
        return _inner_sum(a.reshape(-1))
    ndim = a.ndim
    reduced = set(range(ndim)) if dims is None else {d % ndim for d in dims} if ndim else set()
    if keepdim:
        out_shape = tuple(1 if i in reduced else n for i, n in enumerate(a.shape))
    else:
        out_shape = tuple(n for i, n in enumerate(a.shape) if i not in reduced)
    if not a.flags.c_contiguous:
        # torch walks memory, not the logical order: sum the contiguous array this one views
        if ndim != 2 or not a.T.flags.c_contiguous:  # (only verified for matrices)
            return None
        a = a.T
        reduced = {ndim - 1 - d for d in reduced}
    # like TensorIterator: drop size-1 dims, then merge neighbours reduced (or kept) together
    flags = [i in reduced for i in range(ndim) if a.shape[i] != 1]
    sizes = [n for n in a.shape if n != 1]
    if all(flags):
        result = _inner_sum(a.reshape(-1))
    elif not any(flags):
        result = a.copy()
    else:
        split = flags.index(not flags[0])
        if any(f != flags[split] for f in flags[split:]):
            return None  # reduced and kept dims interleave: not reproduced here
        rows = math.prod(sizes[:split])
        matrix = a.reshape(rows, -1)
        result = _inner_sum(matrix) if flags[split] else _outer_sum(matrix)
    return np.asarray(result).reshape(out_shape)
