"""Matrix products: ``mm``, ``dot``, ``mv``, ``matmul`` (with torch's dispatch over ranks and
its batch folding), ``addmm`` (``nn.Linear``'s path) and ``outer``, with torch's checks and
errors in torch's order. The values come from ``kernels.matmul`` (MKL's order of additions)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import numpy as np

from gradtui.engine import errors
from gradtui.engine.dims import normalize_dim
from gradtui.engine.dispatch import apply, broadcast_shape
from gradtui.engine.ops import OPS
from gradtui.engine.views import expand, reshape, t, transpose, unsqueeze

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["addmm", "cross", "dot", "matmul", "mm", "mv", "outer"]

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}


def _same_float(a: Tensor, b: Tensor, name: str) -> None:
    if a._array.dtype != b._array.dtype:
        if name == "mm":
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_C_NAMES[a.dtype.name]} != {_C_NAMES[b.dtype.name]}")
        raise RuntimeError(f"expected scalar type {a.dtype.short_name} but found "
                           f"{b.dtype.short_name}")


def _check_matmul_dtype(t: Tensor, kernel: str) -> None:
    if t._array.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    _check_matmul_dtype(input, "addmm_impl_cpu_")
    a, b = input._array, mat2._array
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(errors.MM_SHAPES.format(a0=a.shape[0], a1=a.shape[1],
                                                   b0=b.shape[0], b1=b.shape[1]))
    _same_float(input, mat2, "mm")
    return apply(OPS["mm"], (input, mat2))


def dot(input: Tensor, other: Tensor) -> Tensor:
    _check_matmul_dtype(input, "dot")
    a, b = input._array, other._array
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    _same_float(input, other, "dot")
    return apply(OPS["dot"], (input, other))


def mv(input: Tensor, vec: Tensor) -> Tensor:
    _check_matmul_dtype(input, "addmv_impl_cpu")
    a, v = input._array, vec._array
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})")
    _same_float(input, vec, "mv")
    return apply(OPS["mv"], (input, vec))


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """torch.matmul's dispatch: dot, mv, mm, vector @ matrix, and batched products."""
    da, db = input._array.ndim, other._array.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        a = unsqueeze(input, 0)
        if a._array.shape[1] != other._array.shape[0]:
            raise RuntimeError(errors.MM_SHAPES.format(
                a0=1, a1=a._array.shape[1], b0=other._array.shape[0], b1=other._array.shape[1]))
        return apply(OPS["squeeze_matmul"], (mm(a, other),), dim=0)
    if da == 2 and db == 2:
        return mm(input, other)
    return _batched_matmul(input, other)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """torch's ``should_fold``: multiply by folding the batch dims of the larger operand into
    matrix rows (mm/mv) instead of a batched product, when that needs no copy."""
    larger = a._array.ndim >= b._array.ndim
    t1 = a._array if larger else np.swapaxes(b._array, -1, -2)
    dim_t2 = b._array.ndim if larger else a._array.ndim
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    if (b if larger else a)._requires_grad:
        return True
    if a._array.ndim == 2:
        return False
    if t1.size == 0:
        return True
    strides, shape = t1.strides, t1.shape
    return builtins.all(strides[i] == strides[i + 1] * shape[i + 1]
                        for i in range(t1.ndim - 2))


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    aa, ba = a._array, b._array
    if _should_fold(a, b):
        if aa.ndim >= ba.ndim:
            # (..., n, k) @ (k, m) or (k,): fold the batch into rows, then view back
            folded = reshape(a, (-1, aa.shape[-1]))
            out = mv(folded, b) if ba.ndim == 1 else mm(folded, b)
            shape = aa.shape[:-1] + (() if ba.ndim == 1 else (ba.shape[-1],))
            return apply(OPS["unsafe_view"], (out,), shape=shape)
        # (n,) or (p, n) @ (..., n, m): the same on the transposed problem
        bt = transpose(b, -1, -2)
        folded = reshape(bt, (-1, bt._array.shape[-1]))
        if aa.ndim == 1:
            out = mv(folded, a)
            return apply(OPS["unsafe_view"], (out,), shape=bt._array.shape[:-1])
        out = mm(folded, t(a))
        out = apply(OPS["unsafe_view"], (out,), shape=bt._array.shape[:-1] + (aa.shape[0],))
        return transpose(out, -1, -2).contiguous()
    n = aa.shape[-2] if aa.ndim > 1 else 1
    m1 = aa.shape[-1]
    m2 = ba.shape[-2] if ba.ndim > 1 else ba.shape[0]
    p = ba.shape[-1] if ba.ndim > 1 else 1
    batch = broadcast_shape(aa.shape[:-2], ba.shape[:-2] if ba.ndim > 1 else ())
    if m1 != m2:
        count = int(np.prod(batch)) if batch else 1
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{count}, {m1}] but got: [{count}, {m2}].")
    left = unsqueeze(a, 0) if aa.ndim == 1 else a
    right = unsqueeze(b, -1) if ba.ndim == 1 else b
    # like torch: expand both to the common batch, fold it into one dim, bmm, view back
    count = int(np.prod(batch)) if batch else 1
    left = reshape(expand(left, batch + left._array.shape[-2:]),
                   (count,) + left._array.shape[-2:])
    right = reshape(expand(right, batch + right._array.shape[-2:]),
                    (count,) + right._array.shape[-2:])
    out = apply(OPS["bmm"], (left, right))
    shape = batch + ((n,) if aa.ndim > 1 else ()) + ((p,) if ba.ndim > 1 else ())
    return apply(OPS["unsafe_view"], (out,), shape=shape)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """input + mat1 @ mat2 (AddmmBackward0; F.linear's path), checked in torch's order:
    ranks, dtypes (no promotion: nn.Linear on a double or long input fails), shapes, bias."""
    a, b = mat1._array, mat2._array
    for name, arr in (("mat1", a), ("mat2", b)):
        if arr.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {arr.ndim}-D tensor")
    for name, operand in (("self", input), ("mat1", mat1)):
        if operand._array.dtype != b.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                               f"{operand.dtype.short_name} and {mat2.dtype.short_name}")
    _check_matmul_dtype(mat1, "addmm_impl_cpu_")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(errors.MM_SHAPES.format(a0=a.shape[0], a1=a.shape[1],
                                                   b0=b.shape[0], b1=b.shape[1]))
    if input._array.shape != (a.shape[0], b.shape[1]):
        expand(input, (a.shape[0], b.shape[1]))  # torch's error for a bias that does not fit
    return apply(OPS["addmm"], (input, mat1, mat2))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


_CROSS_DIM_WARNING = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
    "agree with that of linalg.cross in a future release. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)")


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """``torch.cross``: without ``dim``, the first dim of size 3 (deprecated, as torch warns)."""
    if dim is None:
        errors.warn_once(_CROSS_DIM_WARNING)
        shape = broadcast_shape(input._array.shape, other._array.shape) \
            if input._array.ndim == other._array.ndim else input._array.shape
        sizes = [d for d, n in enumerate(shape) if n == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    return linalg_cross(input, other, dim=dim)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """``torch.linalg.cross``: the cross product of the 3-vectors along ``dim``, broadcast
    over the other dims (LinalgCrossBackward0)."""
    a, b = input._array, other._array
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.short_name} but found "
                           f"{other.dtype.short_name}")
    d = normalize_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    broadcast_shape(a.shape, b.shape)
    return apply(OPS["linalg_cross"], (input, other), dim=d)
