"""softmax and log_softmax along any dim, and their gradients.

Over the last dim of a float32 tensor torch's SIMD kernel is reproduced to the bit (``sleef``);
other dims and dtypes get numpy's rounding, with float32's exp and log computed in float64 and
rounded (a third to a tenth of numpy's misses).
"""

from __future__ import annotations

import numpy as np

from gradtui.engine.kernels import sleef
from gradtui.engine.kernels.elementwise import exp, log


def _torch_kernel(a: np.ndarray, dim: int) -> bool:
    """Whether torch's last-dim float32 kernel is reproduced to the bit here (``sleef``)."""
    return a.dtype == np.float32 and a.size > 0 and dim == a.ndim - 1


def softmax(a: np.ndarray, dim: int) -> np.ndarray:
    """``exp(a) / sum(exp(a))`` along ``dim`` (shifted by the max, so nothing overflows)."""
    if a.dtype == np.float16:  # torch computes half precision in float32, then rounds
        return softmax(a.astype(np.float32), dim).astype(np.float16)
    if a.ndim == 0:
        return np.ones_like(a)
    if a.size == 0:
        return a.copy()
    if _torch_kernel(a, dim):
        return sleef.softmax_lastdim(a)
    shifted = a - a.max(axis=dim, keepdims=True)
    e = exp(shifted)
    e /= e.sum(axis=dim, keepdims=True)
    return e


def log_softmax(a: np.ndarray, dim: int) -> np.ndarray:
    """``a - log(sum(exp(a)))`` along ``dim`` (shifted by the max)."""
    if a.dtype == np.float16:
        return log_softmax(a.astype(np.float32), dim).astype(np.float16)
    if a.ndim == 0:
        return np.zeros_like(a)
    if a.size == 0:
        return a.copy()
    if _torch_kernel(a, dim):
        return sleef.log_softmax_lastdim(a)
    shifted = a - a.max(axis=dim, keepdims=True)
    return shifted - log(exp(shifted).sum(axis=dim, keepdims=True))


def softmax_backward(grad: np.ndarray, dim: int, result: np.ndarray) -> np.ndarray:
    """``(grad - sum(grad * result)) * result`` along ``dim`` (0 for a 0-d softmax)."""
    if not result.ndim:
        return grad * 0
    if _torch_kernel(result, dim) and grad.dtype == np.float32:
        return sleef.softmax_backward_lastdim(grad, result)
    return result * (grad - (grad * result).sum(axis=dim, keepdims=True))


def log_softmax_backward(grad: np.ndarray, dim: int, result: np.ndarray) -> np.ndarray:
    """``grad - exp(result) * sum(grad)`` along ``dim`` (0 for a 0-d log_softmax); torch's
    float32 kernel fuses the multiply-subtract (one rounding), which float64 arithmetic rounded
    once to float32 reproduces."""
    if not result.ndim:
        return grad * 0
    if _torch_kernel(result, dim) and grad.dtype == np.float32:
        return sleef.log_softmax_backward_lastdim(grad, result)
    total = grad.sum(axis=dim, keepdims=True)
    if result.dtype != np.float32 or grad.dtype != np.float32:
        return grad - np.exp(result) * total
    e = exp(result).astype(np.float64)
    return (grad.astype(np.float64) - e * total.astype(np.float64)).astype(np.float32)
