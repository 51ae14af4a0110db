"""``torch.cdist``: the distance between every row of x1 and every row of x2, as torch's CPU
kernels compute it (aten/src/ATen/native/cpu/DistanceOpsKernel.cpp and Distance.cpp).

- ``CdistBackward0`` (p != 2, or at most 25 rows on both sides): for each pair, a scalar loop
  over the columns, ``agg = agg + map(|a - b|)`` with map ``d*d`` (p = 2), ``d`` (p = 1),
  ``d**p`` (general p), max (inf), ``min(ceil(d), 1)`` (p = 0); then ``sqrt(agg)`` /
  ``agg ** (1/p)``. Compiled for torch's CPU, the p = 2 loop takes the columns in blocks of
  16 bytes (4 float32, 2 float64): a whole block's squares are rounded and added in order, the
  columns after the last block are fused multiply-adds (measured bit for bit).
- The gradient of x1 adds, over the rows j of x2 in order, ``grad * diff / dist`` (p = 2),
  ``grad * sign(diff)`` (p = 1) and the general formulas (0 where the distance is 0); x2's is
  the same with the roles swapped and the gradient transposed.
- ``EuclideanDistBackward0`` (p = 2 with more than 25 rows): ``|a|^2 - 2 a.b + |b|^2`` as one
  matrix product of padded inputs, clamped at 0, square-rooted.
"""

from __future__ import annotations

import math

import numpy as np

from gradtui.engine.kernels import matmul
from gradtui.engine.kernels.fma64 import fma
from gradtui.engine.kernels.reductions import sum_like_torch


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    if c.dtype == np.float32:  # the exact product in float64, one rounding
        return (a.astype(np.float64) * b + c).astype(np.float32)
    return fma(a, b, c)


def _pairs(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """|x1[..., i, :] - x2[..., j, :]| for every i, j: shape (..., r1, r2, m)."""
    return np.abs(x1[..., :, None, :] - x2[..., None, :, :])


def _sum_of_squares(d: np.ndarray) -> np.ndarray:
    block = 16 // d.itemsize
    m = d.shape[-1]
    full = m - m % block
    acc = np.zeros(d.shape[:-1], dtype=d.dtype)
    for x in range(full):
        acc = acc + d[..., x] * d[..., x]
    for x in range(full, m):
        acc = _fma(d[..., x], d[..., x], acc)
    return acc


def cdist_forward(x1: np.ndarray, x2: np.ndarray, p: float) -> tuple[np.ndarray, tuple]:
    """The (..., r1, r2) distances; x1 and x2 already broadcast to common batch dims."""
    d = _pairs(x1, x2)
    dt = x1.dtype.type
    if p == 2:
        out = np.sqrt(_sum_of_squares(d))
    elif p == 0:
        out = np.minimum(np.ceil(d), dt(1)).sum(axis=-1, dtype=x1.dtype)
    elif math.isinf(p):
        out = d.max(axis=-1, initial=dt(0))
    else:
        powered = d if p == 1 else np.power(d.astype(np.float64), float(dt(p))).astype(d.dtype)
        acc = np.zeros(d.shape[:-1], dtype=d.dtype)
        for x in range(d.shape[-1]):
            acc = acc + powered[..., x]
        out = acc if p == 1 else (acc.astype(np.float64) ** (1.0 / float(dt(p)))).astype(d.dtype)
    out = out.astype(x1.dtype, copy=False)
    return out, (x1, x2, p, out)


def _local(diff: np.ndarray, dist: np.ndarray, p: float) -> np.ndarray:
    """The per-pair derivative of the distance, without the incoming gradient (the kernels'
    ``backward`` of DistanceOpsKernel.cpp, with grad factored back in by the caller)."""
    dt = diff.dtype.type
    if p == 1:
        return np.sign(diff)
    if math.isinf(p):
        return np.sign(diff) * (dt(1) - np.minimum(dt(1), np.ceil(np.abs(np.abs(diff) - dist))))
    raise AssertionError("p = 2 and the general p are computed with the gradient")


def cdist_backward(grad: np.ndarray, x1: np.ndarray, x2: np.ndarray, p: float,
                   result: np.ndarray) -> np.ndarray:
    """The gradient of x1: for each row i, the sum over j (in order) of each pair's term."""
    dt = x1.dtype.type
    if p == 0:
        return np.zeros_like(x1)
    out = np.zeros(x1.shape, dtype=x1.dtype)
    for j in range(x2.shape[-2]):
        diff = x1 - x2[..., j:j + 1, :]
        g = grad[..., :, j:j + 1].astype(x1.dtype)
        dist = result[..., :, j:j + 1]
        with np.errstate(all="ignore"):
            if p == 2:
                term = np.where(dist == 0, dt(0), (g * diff) / dist)
            elif p == 1 or math.isinf(p):
                term = g * _local(diff, dist, p)
            elif p < 2:
                powed = np.abs(diff) ** dt(p - 1)
                term = np.sign(diff) * powed * g / dist ** dt(p - 1)
                term = np.where(dist == 0, dt(0), term)
                term = np.where((diff == 0) & (p < 1), dt(0), term)
            else:
                term = diff * np.abs(diff) ** dt(p - 2) * g / dist ** dt(p - 1)
                term = np.where(dist == 0, dt(0), term)
        out = out + term.astype(x1.dtype, copy=False)
    return out


def euclidean_forward(x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, tuple]:
    """torch's ``_euclidean_dist``: one product of ``[-2 a, |a|^2, 1]`` and
    ``[b, 1, |b|^2]``, clamped at 0, then the square root."""
    n1 = _sum(x1 * x1, -1, keepdim=True)
    n2 = _sum(x2 * x2, -1, keepdim=True)
    left = np.concatenate([x1 * x1.dtype.type(-2), n1, np.ones_like(n1)], axis=-1)
    right = np.concatenate([x2, np.ones_like(n2), n2], axis=-1)
    prod = _matmul(left, np.swapaxes(right, -1, -2))
    result = np.sqrt(np.maximum(prod, x1.dtype.type(0)))
    return result, (x1, x2, result)


def euclidean_backward(grad: np.ndarray, x1: np.ndarray, x2: np.ndarray, result: np.ndarray,
                       which: int) -> np.ndarray:
    """``_euclidean_dist_backward``: ratio = grad / result (0 where result is 0), then
    ``x1 * ratio.sum(-1) - ratio @ x2`` and ``x2 * ratio.sum(-2) - ratio.T @ x1``."""
    with np.errstate(all="ignore"):
        ratio = np.where(result == 0, x1.dtype.type(0), grad / result).astype(x1.dtype)
    if which == 0:
        return x1 * _sum(ratio, -1, keepdim=True) - _matmul(ratio, x2)
    return x2 * _sum(ratio, -2)[..., None] - _matmul(np.swapaxes(ratio, -1, -2), x1)


def _sum(a: np.ndarray, dim: int, keepdim: bool = False) -> np.ndarray:
    return np.asarray(sum_like_torch(a, (dim % a.ndim,), keepdim), dtype=a.dtype)


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim == 2:
        return matmul.mm(a, b)
    return np.stack([_matmul(x, y) for x, y in zip(a, b, strict=True)])

