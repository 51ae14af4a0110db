"""The functions behind the rows of ``ops_more.py`` (``torch.tan``, ``torch.flip``,
``x.tril()``...), with torch's argument checks and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes
from gradtui.engine.dims import normalize_dim
from gradtui.engine.dispatch import apply, broadcast_shape, promote
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["arctan2", "atan2", "bmm", "deg2rad", "flip", "fliplr", "flipud", "rad2deg", "roll",
           "tan", "trace", "tril", "triu"]


def _floats(input: Tensor) -> np.ndarray:
    """Integer and bool inputs of a float function compute in the default float dtype."""
    arr = input._array
    return arr if arr.dtype.kind == "f" else arr.astype(dtypes.default_float().np)


def tan(input: Tensor) -> Tensor:
    return apply(OPS["tan"], (input,), (_floats(input),))


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
