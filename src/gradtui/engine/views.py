"""Shapes and views: ``view``/``reshape``, ``permute``/``transpose``, ``squeeze``/``unsqueeze``,
``expand``, ``repeat``, ``cat``/``stack``, ``split``/``chunk``/``unbind``/``narrow``, with torch's
argument forms (varargs or one tuple, ``-1`` inferred) and errors. Views share the tensor's
memory and version counter (``view=True`` rows)."""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors
from gradtui.engine.dims import dim_alias, normalize_dim, normalize_dims, shape_args
from gradtui.engine.dispatch import apply, broadcast_shape
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

# torch's functions (view, view_as, reshape_as, expand, expand_as and repeat below are Tensor
# methods only: torch.view(x, 2) is an AttributeError in torch, so it is one here too)
__all__ = [
    "broadcast_tensors", "broadcast_to", "cat", "chunk", "concat", "concatenate", "flatten",
    "hstack", "narrow", "permute", "reshape", "split", "squeeze", "stack", "swapaxes",
    "swapdims", "t", "transpose", "unbind", "unflatten", "unsqueeze", "vstack",
]

def t(input: Tensor) -> Tensor:
    check_t(input._array.ndim)
    return apply(OPS["t"], (input,))


def check_t(n: int) -> None:
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input._array.ndim
    return apply(OPS["transpose"], (input,), dim0=normalize_dim(dim0, n),
                 dim1=normalize_dim(dim1, n))


swapaxes = swapdims = transpose


def permute(input: Tensor, *dims: Any, **kwargs: Any) -> Tensor:
    dims = _keyword_shape(dims, kwargs, "dims", "permute")
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = shape_args(dims) if dims else ()
    n = input._array.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    norm_dims = tuple(normalize_dim(d, n) for d in dims)
    if len(set(norm_dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(OPS["permute"], (input,), dims=norm_dims)


def _keyword_shape(args: tuple, kwargs: dict, keyword: str, name: str) -> tuple:
    """``x.reshape(shape=(3, 2))``, ``x.view(size=...)``, ``x.permute(dims=...)``."""
    for key in kwargs:
        if key != keyword:
            raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
    if keyword in kwargs:
        if args:
            raise TypeError(f"{name}() got multiple values for argument '{keyword}'")
        return (kwargs[keyword],)
    return args


def _infer_shape(shape: tuple[int, ...], size: int) -> tuple[int, ...]:
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"[{', '.join(map(str, shape))}]")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    bad = RuntimeError(errors.VIEW_SHAPE.format(shape=", ".join(map(str, shape)), size=size))
    if -1 in shape:
        if known == 0:
            if size == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape "
                    f"[{', '.join(map(str, shape))}] because the unspecified dimension size -1 "
                    "can be any value and is ambiguous")
            raise bad
        if size % known:
            raise bad
        return tuple(size // known if s == -1 else s for s in shape)
    if known != size or builtins.any(s < 0 for s in shape):
        raise bad
    return shape


def view(input: Tensor, *shape: Any, **kwargs: Any) -> Tensor:
    if not shape and set(kwargs) == {"dtype"}:
        return view_as_dtype(input, dtypes.to_dtype(kwargs["dtype"]))
    shape = _keyword_shape(shape, kwargs, "size", "view")
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        return view_as_dtype(input, shape[0])
    arr = input._array
    target = _infer_shape(shape_args(shape), arr.size)
    if not arr.flags.c_contiguous and target != arr.shape:
        if not _reshapes_in_place(arr, target):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
    return apply(OPS["view"], (input,), shape=target)


def reshape(input: Tensor, *shape: Any, **kwargs: Any) -> Tensor:
    shape = _keyword_shape(shape, kwargs, "shape", "reshape")
    arr = input._array
    target = _infer_shape(shape_args(shape), arr.size)
    if arr.flags.c_contiguous or _reshapes_in_place(arr, target):
        return apply(OPS["view"], (input,), shape=target)
    return apply(OPS["unsafe_view"], (apply(OPS["clone"], (input,)),), shape=target)


def _reshapes_in_place(arr: np.ndarray, target: tuple[int, ...]) -> bool:
    """Whether ``arr``'s memory can take the shape ``target`` without a copy: numpy refuses
    exactly when torch's ``view`` does (a dimension would span two contiguous pieces)."""
    try:
        np.reshape(arr, target, copy=False)
    except ValueError:
        return False
    except TypeError:  # numpy < 2.1 has no copy=; setting .shape refuses in the same cases
        try:
            np.ndarray.view(arr).shape = target
        except AttributeError:
            return False
    return True


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other._array.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other._array.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._array.shape
    if not shape:
        normalize_dim(start_dim, 0)
        normalize_dim(end_dim, 0)
        return reshape(input, (1,))
    s = normalize_dim(start_dim, len(shape))
    e = normalize_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
    return reshape(input, new)


@dim_alias
def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    shape = input._array.shape
    d = normalize_dim(dim, len(shape))
    return view(input, shape[:d] + tuple(sizes) + shape[d + 1:])


@dim_alias
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    row, params = squeeze_plan(input._array.shape, dim)
    return apply(OPS[row], (input,), **params)


def squeeze_plan(shape: tuple[int, ...], dim: Any) -> tuple[str, dict[str, Any]]:
    """Which squeeze row (torch's SqueezeBackward0/1/2) and with what dims."""
    if dim is None:
        return "squeeze", {}
    if isinstance(dim, tuple | list):
        return "squeeze_dims", {"dims": tuple(d for d in normalize_dims(dim, len(shape))
                                              if shape[d] == 1)}
    d = normalize_dim(dim, len(shape))
    if shape and shape[d] != 1:
        return "squeeze_dim", {"dim": ()}
    return "squeeze_dim", {"dim": d if shape else ()}


@dim_alias
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return apply(OPS["unsqueeze"], (input,), dim=normalize_dim(dim, input._array.ndim + 1))


def expand(input: Tensor, *sizes: Any, **kwargs: Any) -> Tensor:
    sizes = _keyword_shape(sizes, kwargs, "size", "expand")
    shape = shape_args(sizes)
    old = input._array.shape
    if len(shape) < len(old):
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, old))}]}}, "
                           f"size=[{', '.join(map(str, shape))}]): the number of sizes provided "
                           f"({len(shape)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(old)})")
    lead = len(shape) - len(old)
    for i in range(lead):
        if shape[i] == -1:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                               f"non-existing dimension {i}")
        if shape[i] < 0:
            raise RuntimeError("numel: integer multiplication overflow")
    target = list(shape)
    for i in range(len(old) - 1, -1, -1):  # torch reports the last mismatching dim
        s = old[i]
        want = shape[lead + i]
        if want == -1:
            target[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: "
                f"[{', '.join(map(str, shape))}].  Tensor sizes: [{', '.join(map(str, old))}]")
    return apply(OPS["expand"], (input,), shape=tuple(target))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other._array.shape)


def broadcast_to(input: Tensor, shape: Any) -> Tensor:
    return expand(input, shape)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Every tensor expanded to their common shape; one already of that shape is returned
    itself (no ExpandBackward0), as torch does."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    shape: tuple[int, ...] = ()
    for t in tensors:
        shape = broadcast_shape(shape, t._array.shape)
    return tuple(t if t._array.shape == shape else expand(t, shape) for t in tensors)


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    reps = shape_args(repeats)
    if len(reps) < input._array.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return apply(OPS["repeat"], (input,), repeats=reps)


@dim_alias
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # torch skips legacy empty 1-d tensors
    kept = [t for t in tensors if not (t._array.ndim == 1 and t._array.shape[0] == 0)] or tensors
    for i, t in enumerate(kept):
        if t._array.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    ref = kept[0]._array
    d = normalize_dim(dim, ref.ndim)
    for i, t in enumerate(kept):
        shape = t._array.shape
        if len(shape) != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{len(shape)}")
        for k in range(ref.ndim):
            if k != d and shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[k]} but got size {shape[k]} for "
                                   f"tensor number {i} in the list.")
    target = _promote_many(kept)
    arrays = tuple(t._array.astype(target.np, copy=False) for t in kept)
    return apply(OPS["cat"], tuple(kept), arrays, dim=d)


concat = concatenate = cat


@dim_alias
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._array.shape
    for i, t in enumerate(tensors):
        if t._array.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, ref))}] at entry 0 and "
                               f"[{', '.join(map(str, t._array.shape))}] at entry {i}")
    d = normalize_dim(dim, len(ref) + 1)
    target = _promote_many(tensors)
    arrays = tuple(t._array.astype(target.np, copy=False) for t in tensors)
    return apply(OPS["stack"], tuple(tensors), arrays, dim=d)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0]._array.ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat([t if t._array.ndim > 1 else unsqueeze(t, 0) for t in tensors], 0)


def _promote_many(tensors: Sequence[Tensor]) -> dtypes.dtype:
    out = dtypes.BY_NUMPY[tensors[0]._array.dtype]
    for t in tensors[1:]:
        out = dtypes.promote_pair(out, dtypes.BY_NUMPY[t._array.dtype])
    return out


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input._array.ndim)
    n = input._array.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        bounds = [(s, builtins.min(s + size, n)) for s in range(0, n, size)] or [(0, 0)]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sizes}")
        starts = np.cumsum([0] + sizes[:-1])
        bounds = [(int(s), int(s) + k) for s, k in zip(starts, sizes, strict=True)]
    return tuple(apply(OPS["split"], (input,), dim=d, start=s, stop=e) for s, e in bounds)


@dim_alias
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input._array.ndim)
    n = input._array.shape[d]
    size = -(-n // chunks) if n else 0
    return split(input, size or 1, d) if n else (input,)


@dim_alias
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    if input._array.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = normalize_dim(dim, input._array.ndim)
    return tuple(apply(OPS["unbind"], (input,), dim=d, index=i)
                 for i in range(input._array.shape[d]))


@dim_alias
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    d = normalize_dim(dim, input._array.ndim)
    return apply(OPS["slice"], (input,), dim=d, sl=slice(start, start + length))


def view_as_dtype(input: Tensor, dtype: dtypes.dtype) -> Tensor:
    """``x.view(torch.int32)``: the same bytes read as another dtype (the last dim scales by
    the ratio of element sizes). It shares memory and the version counter with ``x`` and, as
    in torch 2.13, is not differentiable: the result never requires grad."""
    arr = input._array
    source = input.dtype
    if arr.dtype.itemsize != dtype.np.itemsize:
        what = f"to view {source.short_name} as {dtype.short_name} (different element sizes)"
        if arr.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if arr.strides[-1] != arr.itemsize and arr.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got "
                               f"{arr.strides[-1] // arr.itemsize}")
        ratio = dtype.np.itemsize // arr.itemsize
        if ratio > 1 and arr.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                               f"{arr.shape[-1]}")
    out = new_leaf(arr.view(dtype.np))
    out._vc = input._vc
    out._inference = input._inference
    return out
