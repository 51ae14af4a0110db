"""Reading entries by index or mask: ``index_select``, ``masked_select``, ``take``,
``nonzero``/``argwhere`` and ``unique``, with torch's argument checks and errors.

(Writing entries by index, ``scatter`` and ``index_add`` & co, is in ``scatter.py``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes
from gradtui.engine.dims import dim_alias, normalize_dim
from gradtui.engine.dispatch import apply, broadcast_shape
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["argwhere", "index_select", "masked_select", "nonzero", "take", "unique",
           "unique_consecutive"]


def require_tensor(value: Any, function: str, name: str, position: int) -> None:
    """torch's TypeError for a non-tensor where its signature wants a Tensor (``position``
    counts as ``torch.f(input, ...)`` does; the method ``x.f(...)`` counts one less)."""
    if not isinstance(value, TensorBase):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be "
                        f"Tensor, not {type(value).__name__}")


def short_name(t: Tensor) -> str:
    """``Float``, ``Long``...: the scalar type names torch's messages use."""
    return dtypes.BY_NUMPY[t._array.dtype].short_name


@dim_alias
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` at positions ``index`` (a vector) along ``dim``."""
    require_tensor(index, "index_select", "index", 3)
    idx = index._array
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    arr = input._array
    d = normalize_dim(dim, arr.ndim)
    if arr.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    size = arr.shape[d] if arr.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise IndexError("index out of range in self")
    return apply(OPS["index_select"], (input,), dim=d, index=idx.astype(np.int64, copy=False))


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The entries of ``input`` where ``mask`` (broadcast with it) is True, as a vector."""
    require_tensor(mask, "masked_select", "mask", 2)
    if mask._array.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    broadcast_shape(mask._array.shape, input._array.shape)
    return apply(OPS["masked_select"], (input,), mask=mask._array)


def take(input: Tensor, index: Tensor) -> Tensor:
    """``input`` read as a vector at positions ``index`` (negative positions count back)."""
    require_tensor(index, "take", "index", 2)
    idx = index._array
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{short_name(index)}")
    n = input._array.size
    bad = idx[(idx >= n) | (idx < -n)]
    if bad.size:
        raise IndexError(f"out of range: tried to access index {int(bad.reshape(-1)[0])} on a "
                         f"tensor of {n} elements.")
    return apply(OPS["take"], (input,), index=np.where(idx < 0, idx + n, idx))


def nonzero(input: Tensor, *, as_tuple: bool = False, out: Any = None) -> Any:
    """The positions of the nonzero entries: an ``(n, ndim)`` int64 tensor, or with
    ``as_tuple`` one vector per dim (a 0-d input counts as a vector of one)."""
    arr = input._array
    positions = np.nonzero(arr.reshape(1) if arr.ndim == 0 else arr)
    if as_tuple:
        return tuple(new_leaf(p.astype(np.int64)) for p in positions)
    if arr.ndim == 0:
        return new_leaf(np.zeros((positions[0].size, 0), dtype=np.int64))
    return new_leaf(np.stack(positions, axis=1).astype(np.int64).reshape(-1, arr.ndim))


def argwhere(input: Tensor) -> Tensor:
    """``torch.nonzero(input)``."""
    return nonzero(input)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values of ``input`` (sorted), or its distinct slices along ``dim``; with
    ``return_inverse`` where each entry went, with ``return_counts`` how often each occurs."""
    arr = input._array
    if dim is None:
        values, inverse, counts = np.unique(arr.reshape(-1), return_inverse=True,
                                            return_counts=True)
        inverse = inverse.reshape(arr.shape)
    else:
        d = normalize_dim(dim, arr.ndim)
        if arr.ndim and arr.shape[d] == 0:
            values, inverse, counts = arr, np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            moved = np.moveaxis(arr, d, 0)
            values, inverse, counts = np.unique(moved.reshape(moved.shape[0], -1), axis=0,
                                                return_inverse=True, return_counts=True)
            values = np.moveaxis(values.reshape((-1,) + moved.shape[1:]), 0, d)
            inverse = inverse.reshape(-1)
    out = [new_leaf(np.ascontiguousarray(values).astype(arr.dtype, copy=False))]
    if return_inverse:
        out.append(new_leaf(inverse.astype(np.int64)))
    if return_counts:
        out.append(new_leaf(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """Like ``unique`` but only runs of equal neighbours collapse (no sorting)."""
    arr = input._array
    if dim is None:
        flat = arr.reshape(-1)
        starts = np.concatenate(([True], flat[1:] != flat[:-1])) if flat.size else flat.astype(
            bool)
        values = flat[starts]
        inverse = (np.cumsum(starts) - 1).reshape(arr.shape)
    else:
        d = normalize_dim(dim, arr.ndim)
        moved = np.moveaxis(arr, d, 0).reshape(arr.shape[d], -1)
        change = np.any(moved[1:] != moved[:-1], axis=1)
        starts = np.concatenate(([True], change)) if moved.shape[0] else change
        values = np.take(arr, np.flatnonzero(starts), axis=d)
        inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
    out = [new_leaf(np.ascontiguousarray(values))]
    if return_inverse:
        out.append(new_leaf(inverse.astype(np.int64)))
    if return_counts:
        out.append(new_leaf(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
