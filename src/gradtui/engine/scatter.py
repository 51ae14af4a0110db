"""Writing entries by index: ``scatter`` (with ``reduce=``), ``scatter_add``,
``scatter_reduce``, ``index_add``, ``index_copy`` and ``index_fill``, out of place and in place
(``x.scatter_(...)``), with torch's argument checks, in torch's order, and its errors.

An in-place form computes the op out of place and writes it into the tensor (``inplace.py``),
so the tensor takes over the op's grad_fn as in torch (``ScatterBackward0`` & co).
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import errors
from gradtui.engine.dims import dim_alias, normalize_dim
from gradtui.engine.dispatch import apply
from gradtui.engine.inplace import check_inplace, write_result
from gradtui.engine.kernels import scatter as kernels
from gradtui.engine.ops import OPS
from gradtui.engine.selection import require_tensor, short_name
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["index_add", "index_copy", "index_fill", "scatter", "scatter_add", "scatter_reduce"]

SCATTER_REDUCE_DEPRECATED = (
    "The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in "
    "a future PyTorch release. Use torch.scatter_reduce instead for more reduction options. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
    "TensorAdvancedIndexing.cpp:225.)")
# scatter_reduce's names, and the two undocumented spellings torch also takes
_REDUCTIONS = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin",
               "max": "amax", "min": "amin"}


def _sizes(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _size(arr: np.ndarray, d: int) -> int:
    """torch's ``ensure_nonempty_size``: a 0-d tensor has size 1 along dim 0."""
    if arr.ndim == 0:
        return 1
    return arr.shape[normalize_dim(d, arr.ndim)]


def _check_scatter(input: Tensor, dim: int, index: Any, src: Tensor | None) -> int:
    """torch's checks of scatter & co (``scatter_gather_dtype_check`` and
    ``scatter_shape_check``), then the index bounds its kernel checks; returns the dim."""
    require_tensor(index, "scatter", "index", 3)
    arr, idx = input._array, index._array
    d = normalize_dim(dim, arr.ndim)
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src._array.dtype != arr.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if idx.size == 0:
        return d
    if max(arr.ndim, 1) != max(idx.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    dims = range(max(arr.ndim, 1))
    wrong = any(_size(idx, k) > _size(arr, k) for k in dims if k != d)
    if not wrong and src is not None:
        wrong = any(_size(idx, k) > _size(src._array, k) for k in dims)
    if wrong:
        message = (f"Expected index {_sizes(idx.shape)} to be no larger than self "
                   f"{_sizes(arr.shape)} apart from dimension {d}")
        if src is not None:
            message += f" and to be no larger size than src {_sizes(src._array.shape)}"
        raise RuntimeError(message)
    size = _size(arr, d)
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"index {int(bad.reshape(-1)[0])} is out of bounds for dimension "
                           f"{d} with size {size}")
    return d


def _index_array(index: Tensor, ndim: int) -> np.ndarray:
    idx = index._array.astype(np.int64, copy=False)
    return idx.reshape((1,) * ndim) if idx.ndim == 0 and ndim else idx


@dim_alias
def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None, *,
            reduce: str | None = None) -> Tensor:
    """``input`` with ``out[..., index[i], ...] = src[i]`` along ``dim`` (``src`` a tensor, or
    a number for every entry); ``reduce="add"``/``"multiply"`` combines instead."""
    if src is None:
        src = value
    if isinstance(src, TensorBase):
        d = _check_scatter(input, dim, index, src)
        if reduce is not None:
            errors.warn_once(SCATTER_REDUCE_DEPRECATED)
            return _scatter_reduce_old(input, d, index, src._array, reduce)
        return apply(OPS["scatter"], (input, src), dim=d,
                     index=_index_array(index, input._array.ndim))
    if not isinstance(src, numbers.Number):
        raise TypeError(f"scatter(): argument 'value' must be Number, not {type(src).__name__}")
    d = _check_scatter(input, dim, index, None)
    if reduce is not None:
        return _scatter_reduce_old(input, d, index, src, reduce)
    return apply(OPS["scatter_value"], (input,), dim=d,
                 index=_index_array(index, input._array.ndim), value=src)


def _scatter_reduce_old(input: Tensor, dim: int, index: Tensor, src: Any,
                        reduce: str) -> Tensor:
    """``scatter(..., reduce="add"/"multiply")``: no gradient formula in torch either."""
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    return new_leaf(kernels.scatter(input._array, dim, _index_array(
        index, input._array.ndim), src, reduce))


@dim_alias
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``input`` with each ``src[i]`` added at ``index[i]`` along ``dim``."""
    require_tensor(src, "scatter_add", "src", 4)
    d = _check_scatter(input, dim, index, src)
    return apply(OPS["scatter_add"], (input, src), dim=d,
                 index=_index_array(index, input._array.ndim))


@dim_alias
def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Each position of ``input`` named by ``index`` combines the ``src`` values sent to it:
    ``reduce`` is "sum", "prod", "mean", "amax" or "amin"."""
    require_tensor(src, "scatter_reduce", "src", 4)
    d = _check_scatter(input, dim, index, src)
    kind = _REDUCTIONS.get(reduce)
    if kind is None:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    return apply(OPS["scatter_reduce"], (input, src), dim=d,
                 index=_index_array(index, input._array.ndim), reduce=kind,
                 include_self=bool(include_self))


def _check_index_vector(name: str, index: Tensor, *, long_only: bool = False) -> np.ndarray:
    idx = index._array
    if long_only and idx.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{short_name(index)}")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: "
                           f"{short_name(index)}")
    return idx.reshape(-1).astype(np.int64, copy=False)


@dim_alias
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha * source``'s slices added at positions ``index`` along ``dim``."""
    require_tensor(index, "index_add", "index", 3)
    require_tensor(source, "index_add", "source", 4)
    arr, src, idx_t = input._array, source._array, index._array
    d = normalize_dim(dim, arr.ndim)
    idx = _check_index_vector("index_add_", index)
    if idx_t.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{idx_t.ndim} with type: {short_name(index)} and size: "
                         f"{_sizes(idx_t.shape)}")
    if arr.dtype != src.dtype:
        raise RuntimeError(f"index_add_(): self ({short_name(input)}) and source "
                           f"({short_name(source)}) must have the same scalar type")
    _check_slices(arr, src, d, f"source tensor shape must match self tensor shape, excluding the "
                  f"specified dimension. Got self.shape = {_sizes(arr.shape)} source.shape = "
                  f"{_sizes(src.shape)}")
    if idx.size != _size(src, d):
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({_size(src, d)}), for dim: {d}")
    _check_bounds(idx, _size(arr, d), d, "", RuntimeError)
    return apply(OPS["index_add"], (input, source), dim=d, index=idx, alpha=alpha)


def _check_slices(arr: np.ndarray, src: np.ndarray, d: int, message: str) -> None:
    if arr.ndim != src.ndim and (arr.ndim > 1 or src.ndim > 1):
        raise RuntimeError(message)
    if any(a != s for k, (a, s) in enumerate(zip(arr.shape, src.shape, strict=False))
           if k != d):
        raise RuntimeError(message)


def _check_bounds(idx: np.ndarray, size: int, d: int, prefix: str, error: type) -> None:
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise error(f"{prefix}index {int(bad[0])} is out of bounds for dimension {d} with "
                    f"size {size}")


@dim_alias
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with its slices at positions ``index`` along ``dim`` replaced by
    ``source``'s."""
    require_tensor(index, "index_copy", "index", 3)
    require_tensor(source, "index_copy", "source", 4)
    arr, src, idx_t = input._array, source._array, index._array
    d = normalize_dim(dim, arr.ndim)
    if idx_t.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                         f"{idx_t.ndim})")
    idx = _check_index_vector("index_copy_", index, long_only=True)
    if idx.size != _size(src, d):
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({_size(src, d)})")
    if arr.dtype != src.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {short_name(input)} and (source) "
                           f"{short_name(source)}")
    for k in range(max(arr.ndim, src.ndim)):
        if k != d and _size(arr, k) != _size(src, k):
            raise RuntimeError(
                f"index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {_slice_text(arr, d)} at dimension {d} and source "
                f"slice shape: {_slice_text(src, d)} at dimension 0.")
    _check_bounds(idx, _size(arr, d), d, "index_copy_(): ", IndexError)
    return apply(OPS["index_copy"], (input, source), dim=d, index=idx)


def _slice_text(arr: np.ndarray, d: int) -> str:
    rest = [n for k, n in enumerate(arr.shape) if k != d]
    return ", ".join(map(str, rest))


@dim_alias
def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """``input`` with its slices at positions ``index`` along ``dim`` set to ``value``."""
    require_tensor(index, "index_fill", "index", 3)
    arr, idx_t = input._array, index._array
    d = normalize_dim(dim, arr.ndim)
    if idx_t.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, complex) and arr.dtype.kind != "c":
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not "
                           "supported")
    if idx_t.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    idx = idx_t.reshape(-1)
    size = _size(arr, d)
    bad = idx[(idx < -size) | (idx >= size)]
    if bad.size:
        raise IndexError(f"index {int(bad[0])} is out of bounds for dimension {d} with size "
                         f"{size}")
    if isinstance(value, TensorBase):
        if value._array.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._array.ndim} dimension(s).")
        return apply(OPS["index_fill_tensor"], (input, value),
                     (arr, value._array.astype(arr.dtype)), dim=d, index=idx)
    return apply(OPS["index_fill"], (input,), dim=d, index=idx, value=value)


# ---------------------------------------------------------------- the in-place methods
def _in_place(function: Any) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        check_inplace(self)
        write_result(self, function(self, *args, **kwargs), function.__name__)
        return self

    method.__name__ = method.__qualname__ = function.__name__ + "_"
    method.__doc__ = f"``{function.__name__}`` written into this tensor."
    return method


scatter_ = _in_place(scatter)
scatter_add_ = _in_place(scatter_add)
scatter_reduce_ = _in_place(scatter_reduce)
index_add_ = _in_place(index_add)
index_copy_ = _in_place(index_copy)
index_fill_ = _in_place(index_fill)
