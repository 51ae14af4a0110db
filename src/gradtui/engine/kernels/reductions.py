"""Reduction kernels: sums and means in torch's order, max/min with their indices, logsumexp, and
the gradients that send a reduced value back to the elements it came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradtui.engine.kernels.elementwise import exp, log
from gradtui.engine.kernels.sums import torch_sum


def sum_like_torch(a: np.ndarray, dims: tuple[int, ...] | None = None,
                   keepdim: bool = False) -> Any:
    """A sum rounded like torch's kernel where ``sums`` reproduces it, numpy's elsewhere."""
    exact = torch_sum(a, dims, keepdim)
    if exact is not None:
        return exact
    return np.sum(a, axis=dims, keepdims=keepdim)


def mean_all(a: np.ndarray) -> np.ndarray:
    """The mean of every value: torch's sum, divided by the count."""
    if a.size == 0:  # torch: nan, silently (numpy would warn "Mean of empty slice")
        return np.asarray(np.nan, dtype=a.dtype)
    return np.asarray(sum_like_torch(a) / a.dtype.type(a.size), dtype=a.dtype)


def count(shape: tuple[int, ...], dims: tuple[int, ...]) -> int:
    """How many values a reduction over ``dims`` of ``shape`` takes in (1 for a 0-d input)."""
    return int(np.prod([shape[d] for d in dims])) if shape else 1


def mean_dims(a: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    return np.asarray(sum_like_torch(a, dims, keepdim) / a.dtype.type(count(a.shape, dims)),
                      dtype=a.dtype)


def expand_reduced(grad: np.ndarray, dims: tuple[int, ...], keepdim: bool,
                   shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast the gradient of a reduction over ``dims`` back to the input ``shape``."""
    if not keepdim and dims:
        grad = np.expand_dims(grad, dims)
    return np.broadcast_to(grad, shape)


def reduce_with_indices(arg: Callable, a: np.ndarray, dim: int,
                        keepdim: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    """max/min along ``dim``: ``((values, indices), saved)``, ``arg`` being np.argmax/argmin."""
    if a.ndim == 0:  # a 0-d tensor is its own max along dim 0 (or -1)
        zero = np.zeros((), dtype=np.int64)
        return (a.copy(), zero), (zero, dim, keepdim, a.shape)
    idx = arg(a, axis=dim, keepdims=True)
    values = np.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        idx = np.squeeze(idx, axis=dim)
        values = np.squeeze(values, axis=dim)
    return (values, idx.astype(np.int64)), (idx.astype(np.int64), dim, keepdim, a.shape)


def scatter_to_indices(grad: np.ndarray, indices: np.ndarray, dim: int, keepdim: bool,
                       shape: tuple[int, ...]) -> np.ndarray:
    """Gradient of max/min along ``dim``: ``grad`` goes to the position of each chosen
    element, 0 elsewhere."""
    if not shape:
        return np.array(grad)
    out = np.zeros(shape, dtype=grad.dtype)
    if not keepdim:
        grad = np.expand_dims(grad, dim)
        indices = np.expand_dims(indices, dim)
    np.put_along_axis(out, indices, grad, axis=dim)
    return out


def evenly_distribute(grad: Any, a: np.ndarray, result: np.ndarray) -> np.ndarray:
    """Gradient of a full max/min: shared evenly among the tied extreme elements (torch)."""
    mask = a == result
    if np.isnan(result):
        mask = np.isnan(a)
    # where(), not a product: masked entries must be +0 even under a negative gradient
    return np.where(mask, grad / mask.sum(), 0)


def amax_backward(grad: Any, a: np.ndarray, dims: tuple[int, ...], keepdim: bool,
                  result: np.ndarray) -> np.ndarray:
    """amax/amin share the gradient evenly among tied extremes along ``dims``."""
    if not keepdim:
        grad, result = np.expand_dims(grad, dims), np.expand_dims(result, dims)
    mask = a == result
    return np.where(mask, grad / mask.sum(axis=dims, keepdims=True), 0)


def prod_backward(grad: Any, a: np.ndarray, result: np.ndarray) -> np.ndarray:
    """d(prod a)/da_i: the product of the other elements (``result / a_i`` without zeros)."""
    zeros = a == 0
    if not zeros.any():
        return grad * result / a
    if zeros.sum() > 1:
        return np.zeros_like(a)
    # exactly one zero: its gradient is the product of all the other elements
    out = np.zeros_like(a)
    idx = np.unravel_index(np.argmax(zeros), a.shape)
    others = a.copy()
    others[idx] = 1
    out[idx] = grad * np.prod(others)
    return out


def cumsum_backward(grad: np.ndarray, dim: int) -> np.ndarray:
    """The gradient of a running sum: each input gets the sum of the gradients at and after
    its position (a reversed running sum)."""
    return np.flip(np.cumsum(np.flip(grad, dim), axis=dim), dim)


def logsumexp(a: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """torch's ``logsumexp_out_impl``: ``log(sum(exp(a - m))) + m`` with ``m`` the max along
    ``dims`` (0 where that max is infinite, so all -inf gives -inf, not nan)."""
    if a.ndim == 0:
        return a.copy()
    if a.size == 0:
        return log(np.asarray(np.sum(exp(a), axis=dims, keepdims=keepdim)))
    m = np.amax(a, axis=dims, keepdims=True)
    m = np.where(np.abs(m) == np.inf, 0, m).astype(a.dtype, copy=False)
    total = np.asarray(sum_like_torch(exp(a - m), dims, keepdim), dtype=a.dtype)
    return log(total) + (m if keepdim else np.squeeze(m, dims))


def logsumexp_backward(grad: Any, a: np.ndarray, dims: tuple[int, ...], keepdim: bool,
                       result: np.ndarray) -> np.ndarray:
    """torch's ``logsumexp_backward``: ``grad * exp(a - result)``, both unsqueezed."""
    if not keepdim and a.ndim:
        grad, result = np.expand_dims(grad, dims), np.expand_dims(result, dims)
    return grad * exp(a - result)
