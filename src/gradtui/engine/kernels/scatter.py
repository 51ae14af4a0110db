"""Reading and writing entries at index positions along one dim, in numpy: the forwards and
backwards of ``index_select``, ``index_add``/``index_copy``/``index_fill``, ``scatter`` (with its
reductions), ``masked_select`` and ``take``.

``along(dim, index)`` is the numpy index of "positions ``index`` of dim ``dim``, every position
of the other dims"; ``gather_index`` (shapes.py) is the per-element index ``scatter``/``gather``
use, where ``index`` has one entry per element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradtui.engine.kernels.shapes import gather_index


def along(dim: int, index: np.ndarray) -> tuple:
    """The numpy index of positions ``index`` along ``dim`` (all of every other dim)."""
    return (slice(None),) * dim + (index,)


def gathered(grad: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    """``grad.gather(dim, index)``: the entry of ``grad`` each index entry names."""
    if grad.ndim == 0:
        return grad.reshape(1)[index.reshape(-1)].reshape(index.shape)
    return grad[gather_index(index, dim)]


def index_select_backward(grad: np.ndarray, dim: int, index: np.ndarray,
                          shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of the input's shape with each selected slice's gradient added back (a slice
    selected twice gets both)."""
    out = np.zeros(shape, dtype=grad.dtype)
    if len(shape) == 0:
        return out + grad.reshape(())
    np.add.at(out, along(dim, index.reshape(-1)), grad)
    return out


def index_add(self: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray,
              alpha: Any) -> np.ndarray:
    out = self.copy()
    if self.ndim == 0:
        return out + source * alpha
    values = source if alpha == 1 else source * np.asarray(alpha, dtype=self.dtype)
    np.add.at(out, along(dim, index), values.astype(self.dtype, copy=False))
    return out


def index_write(self: np.ndarray, dim: int, index: np.ndarray, values: Any) -> np.ndarray:
    """``self`` with the slices at ``index`` along ``dim`` replaced by ``values`` (index_copy
    with a tensor, index_fill with a number)."""
    out = self.copy()
    if self.ndim == 0:
        out[...] = values
        return out
    out[along(dim, index)] = values
    return out


def cropped(src: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The part of ``src`` that an index of ``shape`` reads (scatter reads no further)."""
    if src.shape == shape:
        return src
    return src[tuple(slice(0, n) for n in shape)]


def scatter(self: np.ndarray, dim: int, index: np.ndarray, src: Any,
            reduce: str | None = None) -> np.ndarray:
    """``self`` with ``out[..., index[i], ...] = src[i]`` along ``dim``; ``reduce`` "add" or
    "multiply" combines instead of writing (entries written twice: the last one wins)."""
    if self.ndim == 0:  # a 0-d tensor scatters like a vector of one
        return scatter(self.reshape(1), 0, index.reshape(-1), _vector(src), reduce).reshape(())
    out = self.copy()
    where = gather_index(index, dim)
    values = (cropped(src, index.shape) if isinstance(src, np.ndarray) and src.ndim
              else src)
    if reduce == "add":
        np.add.at(out, where, values)
    elif reduce == "multiply":
        np.multiply.at(out, where, values)
    else:
        out[where] = values
    return out


def scatter_reduce(self: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray,
                   reduce: str, include_self: bool) -> np.ndarray:
    """torch.scatter_reduce: every position of ``self`` that ``index`` names combines the
    ``src`` values sent to it (with its own value when ``include_self``)."""
    if self.ndim == 0:
        return scatter_reduce(self.reshape(1), 0, index.reshape(-1), src.reshape(-1), reduce,
                              include_self).reshape(())
    where = gather_index(index, dim)
    values = cropped(src, index.shape)
    out = self.copy()
    hit = np.zeros(self.shape, dtype=bool)
    hit[where] = True
    if not include_self:  # start from the reduction's identity where anything arrives
        identity = {"sum": 0, "mean": 0, "prod": 1,
                    "amax": _lowest(self.dtype), "amin": _highest(self.dtype)}[reduce]
        out[hit] = identity
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply,
             "amax": np.fmax if self.dtype.kind == "f" else np.maximum,
             "amin": np.fmin if self.dtype.kind == "f" else np.minimum}[reduce]
    if reduce in ("amax", "amin") and self.dtype.kind == "f":
        ufunc = np.maximum if reduce == "amax" else np.minimum  # nan propagates, as in torch
    ufunc.at(out, where, values)
    if reduce == "mean":
        count = np.zeros(self.shape, dtype=np.int64)
        np.add.at(count, where, 1)
        count = count + include_self
        count[count == 0] = 1
        out = out // count if self.dtype.kind in "iu" else out / count.astype(self.dtype)
    return out.astype(self.dtype, copy=False)


def _vector(src: Any) -> Any:
    return src.reshape(-1) if isinstance(src, np.ndarray) else src


def scatter_reduce_backward(grad: np.ndarray, self: np.ndarray, dim: int, index: np.ndarray,
                            src: np.ndarray, reduce: str, include_self: bool,
                            result: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gradients of ``self`` and ``src`` (torch's ``scatter_reduce_backward``)."""
    if self.ndim == 0:
        g_self, g_src = scatter_reduce_backward(
            grad.reshape(1), self.reshape(1), 0, index.reshape(-1), src.reshape(-1), reduce,
            include_self, result.reshape(1))
        return g_self.reshape(()), g_src.reshape(src.shape)
    where = gather_index(index, dim)
    values = cropped(src, index.shape)
    hit = np.zeros(self.shape, dtype=bool)
    hit[where] = True
    if reduce == "sum":
        grad_self, grad_src = grad, grad[where]
    elif reduce == "mean":
        count = np.zeros(self.shape, dtype=grad.dtype)
        np.add.at(count, where, 1)
        count = count + include_self
        count[count == 0] = 1
        grad_self = grad / count
        grad_src = grad_self[where]
    elif reduce == "prod":
        grad_self, grad_src = _prod_backward(grad, self, where, values, include_self)
        if not include_self:
            grad_self = grad  # where nothing arrived the value passed through
    else:  # amax/amin: the gradient is shared evenly among the entries equal to the result
        chosen = result[where]
        # (torch counts self's entries equal to the result even when include_self=False)
        self_is = self == result
        src_is = values == chosen
        count = self_is.astype(grad.dtype)
        np.add.at(count, where, src_is.astype(grad.dtype))
        share = grad / np.where(count == 0, 1, count)
        grad_self = np.where(self_is, share, 0)
        grad_src = np.where(src_is, share[where], 0)
    if not include_self:
        grad_self = np.where(hit, 0, grad_self)
    return grad_self.astype(grad.dtype, copy=False), grad_src.astype(grad.dtype, copy=False)


def _prod_backward(grad: np.ndarray, self: np.ndarray, where: tuple, values: np.ndarray,
                   include_self: bool) -> tuple[np.ndarray, np.ndarray]:
    """The product of every other factor of each output, for each factor (zeros included)."""
    # the product of the nonzero factors, and how many factors are zero, at every output
    factors_self = np.where(self == 0, 1, self) if include_self else np.ones_like(self)
    nonzero_prod = factors_self.copy()
    np.multiply.at(nonzero_prod, where, np.where(values == 0, 1, values))
    zeros = (self == 0).astype(np.int64) if include_self else np.zeros(self.shape, np.int64)
    np.add.at(zeros, where, (values == 0).astype(np.int64))

    def others(value: np.ndarray, at_zeros: np.ndarray, at_prod: np.ndarray) -> np.ndarray:
        # a nonzero factor: result / value; a zero factor: the product of the rest if it is
        # the only zero, else 0
        return np.where(value == 0, np.where(at_zeros == 1, at_prod, 0),
                        np.where(at_zeros == 0, at_prod / np.where(value == 0, 1, value), 0))

    grad_self = grad * others(self, zeros, nonzero_prod)
    grad_src = grad[where] * others(values, zeros[where], nonzero_prod[where])
    return grad_self, grad_src


def masked_select_backward(grad: np.ndarray, self: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Zeros of the broadcast shape with the selected entries' gradients written back."""
    shape = np.broadcast_shapes(self.shape, mask.shape)
    out = np.zeros(shape, dtype=grad.dtype)
    out[np.broadcast_to(mask, shape)] = grad
    return out


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min if dtype.kind in "iu" else False


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max if dtype.kind in "iu" else True
