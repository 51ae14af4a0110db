"""The functions behind the rows of ``ops_more.py`` (``torch.tan``, ``torch.flip``,
``x.tril()``...), with torch's argument checks and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes
from gradtui.engine.dims import normalize_dim
from gradtui.engine.dispatch import apply, broadcast_shape, promote
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["acosh", "addcdiv", "addcmul", "arccosh", "arcsinh", "arctan2", "arctanh", "asinh",
           "atan2", "atanh", "atleast_1d", "atleast_2d", "atleast_3d", "bmm", "broadcast_tensors",
           "count_nonzero", "deg2rad", "flip", "fliplr", "flipud", "moveaxis", "movedim",
           "rad2deg", "ravel", "roll", "tan", "trace", "tril", "triu"]


def _floats(input: Tensor) -> np.ndarray:
    """Integer and bool inputs of a float function compute in the default float dtype."""
    arr = input._array
    return arr if arr.dtype.kind == "f" else arr.astype(dtypes.default_float().np)


def tan(input: Tensor) -> Tensor:
    return apply(OPS["tan"], (input,), (_floats(input),))


def acosh(input: Tensor) -> Tensor:
    return apply(OPS["acosh"], (input,), (_floats(input),))


def asinh(input: Tensor) -> Tensor:
    return apply(OPS["asinh"], (input,), (_floats(input),))


def atanh(input: Tensor) -> Tensor:
    return apply(OPS["atanh"], (input,), (_floats(input),))


arccosh, arcsinh, arctanh = acosh, asinh, atanh


def deg2rad(input: Tensor) -> Tensor:
    return apply(OPS["deg2rad"], (input,), (_floats(input),))


def rad2deg(input: Tensor) -> Tensor:
    return apply(OPS["rad2deg"], (input,), (_floats(input),))


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """``atan2(input, other)``: the angle of the point (other, input), in (-pi, pi]."""
    if not isinstance(other, TensorBase):
        raise TypeError(f"atan2(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    broadcast_shape(input._array.shape, other._array.shape)
    target = promote((input, other))
    if not target.is_floating_point:
        target = dtypes.default_float()
    return apply(OPS["atan2"], (input, other),
                 (input._array.astype(target.np, copy=False),
                  other._array.astype(target.np, copy=False)))


arctan2 = atan2


def _dims(dims: tuple, ndim: int) -> tuple[int, ...]:
    out = tuple(normalize_dim(d, ndim) for d in dims)
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def flip(input: Tensor, *dims: Any) -> Tensor:
    """The entries in reverse order along each of ``dims`` (``x.flip(0)``, ``torch.flip(x,
    (0, 1))``)."""
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    if len(dims) == 1 and isinstance(dims[0], tuple | list):
        dims = tuple(dims[0])
    return apply(OPS["flip"], (input,), dims=_dims(dims, input._array.ndim))


def fliplr(input: Tensor) -> Tensor:
    if input._array.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    if input._array.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """The entries shifted along ``dims`` (circularly); without ``dims``, over the flattened
    tensor."""
    shifts = tuple(shifts) if isinstance(shifts, tuple | list) else (shifts,)
    dims = () if dims is None else tuple(dims) if isinstance(dims, tuple | list) else (dims,)
    if dims and len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    dims = tuple(normalize_dim(d, input._array.ndim) for d in dims)
    return apply(OPS["roll"], (input,), shifts=tuple(int(s) for s in shifts), dims=dims)


def _triangle(name: str, input: Tensor, diagonal: int) -> Tensor:
    if input._array.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return apply(OPS[name], (input,), diagonal=int(diagonal))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (on and below the ``diagonal``-th diagonal); the rest zeros."""
    return _triangle("tril", input, diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (on and above the ``diagonal``-th diagonal); the rest zeros."""
    return _triangle("triu", input, diagonal)


def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's diagonal (integers sum to int64, as ``sum`` does)."""
    arr = input._array
    if arr.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {arr.ndim}")
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.int64)
    return apply(OPS["trace"], (input,), (arr,))


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """A batch of matrix products: ``(b, n, m) @ (b, m, p) -> (b, n, p)``."""
    a, b = input._array, mat2._array
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.short_name} but found "
                           f"{mat2.dtype.short_name}")
    return apply(OPS["bmm"], (input, mat2))


_ADDCDIV_INTEGER = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes.")


def _fused(name: str, input: Tensor, tensor1: Tensor, tensor2: Tensor, value: Any) -> Tensor:
    operands = (input, tensor1, tensor2)
    # torch's error for shapes that do not broadcast; the walk sums each gradient back
    broadcast_shape(broadcast_shape(input._array.shape, tensor1._array.shape),
                    tensor2._array.shape)
    target = promote(operands)
    if name == "addcdiv" and not tensor1.dtype.is_floating_point \
            and not tensor2.dtype.is_floating_point:
        raise RuntimeError(_ADDCDIV_INTEGER)
    arrays = tuple(t._array.astype(target.np, copy=False) for t in operands)
    return apply(OPS[name], operands, arrays, value=value)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2`` in one op (AddcmulBackward0)."""
    return _fused("addcmul", input, tensor1, tensor2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2`` in one op (AddcdivBackward0)."""
    return _fused("addcdiv", input, tensor1, tensor2, value)


def _each(tensors: tuple, make: Any) -> Any:
    out = tuple(make(t) for t in (tensors[0] if len(tensors) == 1 and isinstance(
        tensors[0], tuple | list) else tensors))
    return out[0] if len(out) == 1 and not isinstance(tensors[0], tuple | list) else out


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dim (a 0-d one viewed as shape (1,))."""
    return _each(tensors, lambda t: t.reshape(1) if t._array.ndim == 0 else t)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dims (a vector becomes one row)."""
    return _each(tensors, lambda t: t.reshape(1, 1) if t._array.ndim == 0
                 else t.unsqueeze(0) if t._array.ndim == 1 else t)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dims: (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    def make(t: Tensor) -> Tensor:
        ndim = t._array.ndim
        if ndim == 0:
            return t.reshape(1, 1, 1)
        if ndim == 1:
            return t.unsqueeze(0).unsqueeze(-1)
        return t.unsqueeze(-1) if ndim == 2 else t
    return _each(tensors, make)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views, ExpandBackward0)."""
    shape: tuple = ()
    for t in tensors:
        shape = broadcast_shape(shape, t._array.shape)
    return tuple(t.expand(*shape) for t in tensors)


def ravel(input: Tensor) -> Tensor:
    """The entries as one dim (a view where it can be, like ``reshape(-1)``)."""
    return input.reshape(-1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """``input`` with dim(s) ``source`` moved to ``destination`` (a permute)."""
    ndim = input._array.ndim
    src = tuple(source) if isinstance(source, tuple | list) else (source,)
    dst = tuple(destination) if isinstance(destination, tuple | list) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src_n = [normalize_dim(d, ndim) for d in src]
    dst_n = [normalize_dim(d, ndim) for d in dst]
    rest = [d for d in range(ndim) if d not in src_n]
    result: list[int] = [-1] * ndim
    for s, d in zip(src_n, dst_n, strict=True):
        result[d] = s
    fill = iter(rest)
    result = [next(fill) if r == -1 else r for r in result]
    return input.permute(*result)


moveaxis = movedim


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many entries are not zero (along ``dim``): an int64 tensor."""
    arr = input._array
    axis = None if dim is None else tuple(normalize_dim(d, arr.ndim) for d in (
        dim if isinstance(dim, tuple | list) else (dim,)))
    return new_leaf(np.asarray(np.count_nonzero(arr, axis=axis), dtype=np.int64))
