"""The op functions behind both spellings: ``torch.sum(x, 1)`` and ``x.sum(1)``.

Each function checks its arguments the way torch does (same errors), picks the op-table row
(e.g. ``sum`` vs ``sum_dim``: torch's SumBackward0 vs SumBackward1), and calls ``apply``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from gradtui.engine import dtypes, errors
from gradtui.engine.dispatch import _scalar_value, apply, binary, broadcast_shape
from gradtui.engine.ops import OPS
from gradtui.engine.tensor import Tensor, normalize_dim, normalize_dims, shape_args


def _dim_alias(func: Any) -> Any:
    """torch accepts numpy's ``axis=`` wherever it takes ``dim=``."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{func.__name__}() got multiple values for argument 'dim'")
            kwargs["dim"] = kwargs.pop("axis")
        return func(*args, **kwargs)

    return wrapper


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from gradtui.engine.creation import tensor

    return tensor(x)


def _check_binary(result: Any, name: str, other: Any) -> Any:
    if result is NotImplemented:
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return result


# ---------------------------------------------------------------- arithmetic
def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    if not isinstance(input, Tensor):
        input = _as_tensor(input)
    if isinstance(alpha, float) and input._array.dtype.kind in "iub" and (
            not isinstance(other, Tensor) or other._array.dtype.kind in "iub"):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if alpha != 1:
        return _check_binary(binary(OPS["add"], input, other, alpha=alpha), "add", other)
    return _check_binary(binary(OPS["add"], input, other), "add", other)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(input, Tensor):
        input = _as_tensor(input)
    check_bool_sub(input, other)
    if alpha != 1:
        return _check_binary(binary(OPS["sub"], input, other, alpha=alpha), "sub", other)
    return _check_binary(binary(OPS["sub"], input, other), "sub", other)


subtract = sub


def check_bool_sub(a: Any, b: Any) -> None:
    """torch refuses ``-`` when a bool tensor is involved."""
    a_bool = isinstance(a, bool) or isinstance(a, Tensor) and a._array.dtype.kind == "b"
    b_bool = isinstance(b, bool) or isinstance(b, Tensor) and b._array.dtype.kind == "b"
    if a_bool and b_bool:
        raise RuntimeError(errors.BOOL_SUB_BOTH)
    if a_bool or b_bool:
        raise RuntimeError(errors.BOOL_SUB)


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Any:
    """``other - alpha * input``; with a Python number this is torch's RsubBackward1."""
    check_bool_sub(input, other)
    value = _scalar_value(other)
    if value is None:
        if isinstance(other, Tensor):
            if alpha != 1:
                return binary(OPS["rsub_tensor"], input, other, alpha=alpha)
            return binary(OPS["rsub_tensor"], input, other)
        return NotImplemented
    target = _promoted_with_scalar(input, value)
    arr = input._array if target.np == input._array.dtype else input._array.astype(target.np)
    return apply(OPS["rsub"], (input,), (arr,), other=value, alpha=alpha)


def _promoted_with_scalar(t: Tensor, value: Any) -> dtypes.dtype:
    from gradtui.engine.dispatch import promote

    return promote((t, value))


def mul(input: Any, other: Any) -> Tensor:
    if not isinstance(input, Tensor):
        input = _as_tensor(input)
    return _check_binary(binary(OPS["mul"], input, other), "mul", other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if not isinstance(input, Tensor):
        input = _as_tensor(input)
    if rounding_mode == "floor":
        return binary(OPS["floor_divide"], input, other)
    if rounding_mode == "trunc":
        with np.errstate(all="ignore"):
            return binary(OPS["div"], input, other, float_result=True).trunc()
    return _check_binary(binary(OPS["div"], input, other, float_result=True), "div", other)


divide = true_divide = div


def floor_divide(input: Tensor, other: Any) -> Tensor:
    check_bool_kernel(input, other, "div_floor_cpu")
    return binary(OPS["floor_divide"], input, other)



def check_bool_kernel(a: Any, b: Any, kernel: str) -> None:
    """Floor division and pow with only bool operands have no kernel in torch."""
    def is_bool(x: Any) -> bool:
        return isinstance(x, bool) or isinstance(x, Tensor) and x._array.dtype.kind == "b"

    if is_bool(a) and is_bool(b):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def remainder(input: Tensor, other: Any) -> Tensor:
    return binary(OPS["remainder"], input, other)


fmod = remainder


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - torch's name
    """``a ** n`` (PowBackward0), ``a ** b`` (PowBackward1), ``c ** a`` (PowBackward2)."""
    if not isinstance(input, Tensor):
        base = _scalar_value(input)
        if base is None or not isinstance(exponent, Tensor):
            raise TypeError("pow() received an invalid combination of arguments")
        check_bool_kernel(input, exponent, "pow")
        target = _promoted_with_scalar(exponent, base)
        arr = exponent._array
        if arr.dtype != target.np:
            arr = arr.astype(target.np)
        return apply(OPS["rpow"], (exponent,), (arr,), base=base)
    if isinstance(exponent, Tensor):
        check_bool_kernel(input, exponent, "pow")
        return binary(OPS["pow_tensor"], input, exponent)
    e = _scalar_value(exponent)
    if e is None:
        raise TypeError(f"unsupported operand type(s) for ** or pow(): 'Tensor' and "
                        f"'{type(exponent).__name__}'")
    arr = input._array
    if arr.dtype.kind == "b" and isinstance(e, bool):  # x ** True is x, x ** False is all True
        return apply(OPS["clone"], (input,), (arr.copy() if e else np.ones_like(arr),))
    if arr.dtype.kind in "iub":
        if not isinstance(e, float) and e < 0:
            raise RuntimeError(errors.INT_NEGATIVE_POWER)
        target = _promoted_with_scalar(input, e)
        if target.np != arr.dtype:
            arr = arr.astype(target.np)
    return apply(OPS["pow"], (input,), (arr,), exponent=e)


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


def _float_unary(name: str):
    row = OPS[name]

    def fn(input: Tensor) -> Tensor:
        arr = input._array
        if arr.dtype.kind != "f":
            return apply(row, (input,), (arr.astype(dtypes.default_float().np),))
        return apply(row, (input,), (arr,))

    fn.__name__ = name
    fn.__doc__ = f"torch.{name}: elementwise, integer inputs give {dtypes.float32}."
    return fn


exp = _float_unary("exp")
log = _float_unary("log")
log1p = _float_unary("log1p")
sqrt = _float_unary("sqrt")
rsqrt = _float_unary("rsqrt")
sin = _float_unary("sin")
cos = _float_unary("cos")
tanh = _float_unary("tanh")
sigmoid = _float_unary("sigmoid")
reciprocal = _float_unary("reciprocal")
atan = arctan = _float_unary("atan")
asin = arcsin = _float_unary("asin")
acos = arccos = _float_unary("acos")
sinh = _float_unary("sinh")
cosh = _float_unary("cosh")
exp2 = _float_unary("exp2")
expm1 = _float_unary("expm1")
log2 = _float_unary("log2")
log10 = _float_unary("log10")
erf = _float_unary("erf")


def neg(input: Tensor) -> Tensor:
    return -input


negative = neg


def abs(input: Tensor) -> Tensor:  # noqa: A001
    if input._array.dtype.kind == "b":
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return apply(OPS["abs"], (input,))


absolute = abs


def relu(input: Tensor) -> Tensor:
    if input._array.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return apply(OPS["relu"], (input,))


def _rounding(name: str):
    row = OPS[name]

    def fn(input: Tensor) -> Tensor:
        if input._array.dtype.kind != "f" and name != "sign":
            return input.clone()
        return apply(row, (input,))

    fn.__name__ = name
    return fn


floor = _rounding("floor")
ceil = _rounding("ceil")
trunc = _rounding("trunc")
sign = _rounding("sign")


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    if decimals:
        scale = 10.0 ** decimals
        return apply(OPS["round"], (input * scale,)) / scale
    return apply(OPS["round"], (input,))


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = _as_tensor(min) if min is not None else None
        hi = _as_tensor(max) if max is not None else None
        arrays = tuple(None if t is None else t._array for t in (input, lo, hi))
        broadcast_shape(input._array.shape, np.broadcast_shapes(
            *(a.shape for a in arrays if a is not None)))
        return apply(OPS["clamp_tensor"], (input, lo, hi), arrays)
    arr = input._array
    from gradtui.engine.dispatch import promote

    target = promote(tuple(x for x in (input, min, max) if x is not None))
    if target.np != arr.dtype:
        arr = arr.astype(target.np)
    return apply(OPS["clamp"], (input,), (arr,), min=min, max=max)


clip = clamp


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return binary(OPS["maximum"], input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return binary(OPS["minimum"], input, other)


# ---------------------------------------------------------------- reductions
class ReturnTypes(tuple):
    """torch.return_types.max & co: a (values, indices) tuple with names."""

    __slots__ = ()
    _kind = "max"

    def __new__(cls, values: Tensor, indices: Tensor, kind: str) -> ReturnTypes:
        return tuple.__new__(_RETURN_TYPES[kind], (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self._kind}(\nvalues={self[0]!r},\nindices={self[1]!r})"


# one class per kind, so type(r).__name__ is "max" as in torch
_RETURN_TYPES = {
    kind: type(kind, (ReturnTypes,), {"__slots__": (), "_kind": kind,
                                      "__module__": "torch.return_types"})
    for kind in ("max", "min", "topk", "sort", "kthvalue", "median", "mode")
}


def _dims_or_none(dim: Any, ndim: int) -> tuple[int, ...] | None:
    if dim is None:
        return None
    if isinstance(dim, list | tuple) and len(dim) == 0:
        return None
    if isinstance(dim, str):
        raise TypeError("dim must be an int or a tuple of ints")
    return normalize_dims(dim, ndim)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        dtype: dtypes.dtype | None = None, axis: Any = None, **kwargs: Any) -> Tensor:
    if kwargs:
        # np.sum(tensor) calls tensor.sum(axis=None, dtype=None, out=None): torch's parser
        # rejects that call by naming 'axis'
        name = "axis" if "out" in kwargs else next(iter(kwargs))
        raise TypeError(f"sum() got an unexpected keyword argument '{name}'")
    if axis is not None:
        dim = axis
    if isinstance(dim, str):
        raise TypeError(
            "sum() received an invalid combination of arguments - got (Tensor, dim=str), but "
            "expected one of:\n * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor "
            "input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor "
            "out = None)\n")
    arr = input._array
    if dtype is not None:
        arr = arr.astype(dtype.np)
    elif arr.dtype.kind in "biu":
        arr = arr.astype(np.int64)
    dims = _dims_or_none(dim, arr.ndim)
    if dim is None:
        return apply(OPS["sum"], (input,), (arr,))
    if arr.ndim == 0:
        dims = ()
    return apply(OPS["sum_dim"], (input,), (arr,), dim=dims or (), keepdim=keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
         dtype: dtypes.dtype | None = None, axis: Any = None) -> Tensor:
    if axis is not None:
        dim = axis
    arr = input._array
    if dtype is not None:
        arr = arr.astype(dtype.np)
    if arr.dtype.kind != "f":
        raise RuntimeError(errors.MEAN_INT.format(name=dtypes.BY_NUMPY[arr.dtype].short_name))
    if dim is None:
        return apply(OPS["mean"], (input,), (arr,))
    dims = _dims_or_none(dim, arr.ndim) or ()
    return apply(OPS["mean_dim"], (input,), (arr,), dim=dims if arr.ndim else (),
                 keepdim=keepdim)


def _extreme(kind: str, input: Tensor, dim: Any, keepdim: bool) -> Any:
    if isinstance(dim, Tensor):
        return (maximum if kind == "max" else minimum)(input, dim)
    arr = input._array
    if dim is None:
        if arr.size == 0:
            raise RuntimeError(f"{kind}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return apply(OPS[kind], (input,))
    d = normalize_dim(dim, arr.ndim)
    if arr.ndim and arr.shape[d] == 0:
        raise IndexError(f"{kind}(): Expected reduction dim {d} to have non-zero size.")
    values, indices = apply(OPS[kind + "_dim"], (input,), dim=d, keepdim=keepdim)
    return ReturnTypes(values, indices, kind)


@_dim_alias
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme("max", input, dim, keepdim)


@_dim_alias
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme("min", input, dim, keepdim)


@_dim_alias
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = _dims_or_none(dim, input._array.ndim) or tuple(range(input._array.ndim))
    return apply(OPS["amax"], (input,), dim=dims, keepdim=keepdim)


@_dim_alias
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = _dims_or_none(dim, input._array.ndim) or tuple(range(input._array.ndim))
    return apply(OPS["amin"], (input,), dim=dims, keepdim=keepdim)


def _arg(fn: Any, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    arr = input._array
    if arr.dtype.kind == "b":
        raise RuntimeError(f"{fn.__name__}(): does not support bool input")
    if arr.size == 0 and dim is None:
        raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    if dim is None:
        out = np.asarray(fn(arr.reshape(-1)), dtype=np.int64)
        if keepdim:
            out = out.reshape((1,) * arr.ndim)
        return Tensor._wrap(out)
    d = normalize_dim(dim, arr.ndim)
    return Tensor._wrap(np.asarray(fn(arr, axis=d, keepdims=keepdim), dtype=np.int64))


@_dim_alias
def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmax, input, dim, keepdim)


@_dim_alias
def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmin, input, dim, keepdim)


@_dim_alias
def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    arr = input._array
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.int64)
    if dim is None:
        return apply(OPS["prod"], (input,), (arr,))
    d = normalize_dim(dim, arr.ndim)
    # a product along one dim: log-free formulation through moving the dim last
    moved = movedim_for_prod = input if d == arr.ndim - 1 else input.transpose(d, -1)
    pieces = [moved[..., i] for i in range(arr.shape[d])]
    out = pieces[0]
    for p in pieces[1:]:
        out = out * p
    _ = movedim_for_prod
    return out.unsqueeze(d) if keepdim else out


@_dim_alias
def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    if p in ("fro", 2, 2.0):  # torch.linalg.vector_norm(input, 2, dim, keepdim)
        return apply(OPS["norm"], (input,), dim=_dims_or_none(dim, input._array.ndim),
                     keepdim=keepdim)
    if p == 1:
        return sum(abs(input), dim, keepdim)
    if p == float("inf"):
        return amax(abs(input), dim if dim is not None else (), keepdim)
    return sum(abs(input) ** p, dim, keepdim) ** (1.0 / p)


def _correction(unbiased: Any, correction: Any) -> int:
    if correction is not None:
        return int(correction)
    return 1 if unbiased in (None, True) else 0


@_dim_alias
def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    return _moment("var", input, dim, unbiased, keepdim, correction)


@_dim_alias
def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    return _moment("std", input, dim, unbiased, keepdim, correction)


def _moment(name: str, input: Tensor, dim: Any, unbiased: Any, keepdim: bool,
            correction: Any) -> Tensor:
    """var/std: ``x.var(False)`` is torch's old ``unbiased`` in the ``dim`` position."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return apply(OPS[name], (input,), dim=_dims_or_none(dim, input._array.ndim),
                 correction=_correction(unbiased, correction), keepdim=keepdim)


@_dim_alias
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    arr = input._array
    axis = None if dim is None else normalize_dim(dim, arr.ndim)
    return Tensor._wrap(np.asarray(np.all(arr, axis=axis, keepdims=keepdim and axis is not None)))


@_dim_alias
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    arr = input._array
    axis = None if dim is None else normalize_dim(dim, arr.ndim)
    return Tensor._wrap(np.asarray(np.any(arr, axis=axis, keepdims=keepdim and axis is not None)))


@_dim_alias
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    arr = input._array
    if dtype is not None:
        arr = arr.astype(dtype.np)
    elif arr.dtype.kind in "biu":
        arr = arr.astype(np.int64)
    if arr.ndim == 0:
        return apply(OPS["clone"], (input,), (arr,))
    return apply(OPS["cumsum"], (input,), (arr,), dim=normalize_dim(dim, arr.ndim))


# ---------------------------------------------------------------- linear algebra
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
    for name, t in (("self", input), ("mat1", mat1)):
        if t._array.dtype != b.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                               f"{t.dtype.short_name} and {mat2.dtype.short_name}")
    _check_matmul_dtype(mat1, "addmm_impl_cpu_")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(errors.MM_SHAPES.format(a0=a.shape[0], a1=a.shape[1],
                                                   b0=b.shape[0], b1=b.shape[1]))
    if input._array.shape != (a.shape[0], b.shape[1]):
        expand(input, (a.shape[0], b.shape[1]))  # torch's error for a bias that does not fit
    return apply(OPS["addmm"], (input, mat1, mat2))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


# ---------------------------------------------------------------- shape
def t(input: Tensor) -> Tensor:
    n = input._array.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return apply(OPS["alias"], (input,)) if False else apply(OPS["t"], (input,))
    return apply(OPS["t"], (input,))


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
    shape = _keyword_shape(shape, kwargs, "size", "view")
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        raise RuntimeError("gradtui does not support view(dtype)")
    arr = input._array
    target = _infer_shape(shape_args(shape), arr.size)
    if not arr.flags.c_contiguous and target != arr.shape:
        try:
            np.ndarray.view(arr).shape = target  # numpy refuses exactly when torch does
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    return apply(OPS["view"], (input,), shape=target)


def reshape(input: Tensor, *shape: Any, **kwargs: Any) -> Tensor:
    shape = _keyword_shape(shape, kwargs, "shape", "reshape")
    arr = input._array
    target = _infer_shape(shape_args(shape), arr.size)
    if arr.flags.c_contiguous:
        return apply(OPS["view"], (input,), shape=target)
    try:
        np.ndarray.view(arr).shape = target
        return apply(OPS["view"], (input,), shape=target)
    except AttributeError:
        return apply(OPS["unsafe_view"], (apply(OPS["clone"], (input,)),), shape=target)


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


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    shape = input._array.shape
    d = normalize_dim(dim, len(shape))
    return view(input, shape[:d] + tuple(sizes) + shape[d + 1:])


@_dim_alias
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._array.shape
    if dim is None:
        return apply(OPS["squeeze"], (input,))
    if isinstance(dim, tuple | list):
        dims = tuple(d for d in normalize_dims(dim, len(shape)) if shape[d] == 1)
        return apply(OPS["squeeze_dims"], (input,), dims=dims)
    d = normalize_dim(dim, len(shape))
    if shape and shape[d] != 1:
        return apply(OPS["squeeze_dim"], (input,), dim=())
    return apply(OPS["squeeze_dim"], (input,), dim=d if shape else ())


@_dim_alias
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


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    reps = shape_args(repeats)
    if len(reps) < input._array.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return apply(OPS["repeat"], (input,), repeats=reps)


@_dim_alias
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


@_dim_alias
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


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input._array.ndim)
    n = input._array.shape[d]
    size = -(-n // chunks) if n else 0
    return split(input, size or 1, d) if n else (input,)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input._array.ndim)
    return tuple(apply(OPS["unbind"], (input,), dim=d, index=i)
                 for i in range(input._array.shape[d]))


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    d = normalize_dim(dim, input._array.ndim)
    return apply(OPS["slice"], (input,), dim=d, sl=slice(start, start + length))


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    if input is None and other is None:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(condition._array))
    if condition._array.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.short_name}")
    cond = condition._array
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    from gradtui.engine.dispatch import promote

    operands = tuple(x if isinstance(x, Tensor) else _scalar_value(x) for x in (input, other))
    target = promote(operands)
    arrays = tuple(x._array.astype(target.np, copy=False) if isinstance(x, Tensor)
                   else np.asarray(x, dtype=target.np) for x in operands)
    shape = broadcast_shape(broadcast_shape(cond.shape, np.shape(arrays[0])), np.shape(arrays[1]))
    _ = shape, a, b
    return apply(OPS["where"], operands, arrays, condition=cond)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    if mask._array.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name.replace('int64', 'long int')}")
    broadcast_shape(input._array.shape, mask._array.shape)
    if isinstance(value, Tensor):
        value = value.item()
    return apply(OPS["masked_fill"], (input,), mask=mask._array, value=value)


def clone(input: Tensor) -> Tensor:
    return input.clone()


def detach(input: Tensor) -> Tensor:
    return input.detach()


@_dim_alias
def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    return _softmax_op("softmax", input, dim, dtype)


@_dim_alias
def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    return _softmax_op("log_softmax", input, dim, dtype)


def _softmax_op(name: str, input: Tensor, dim: int | None, dtype: Any) -> Tensor:
    """softmax / log_softmax: optionally cast first (``dtype=``), floats only (torch's kernel
    error names the op), the implicit dim of old torch when none is given."""
    arr = input._array
    if dtype is not None:
        arr = arr.astype(dtype.np)
    if arr.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{dtypes.BY_NUMPY[arr.dtype].short_name}'")
    return apply(OPS[name], (input,), (arr,), dim=_implicit_dim(dim, arr.ndim))


@_dim_alias
def logsumexp(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` along ``dim``, computed as ``log(sum(exp(x - max))) + max`` so
    large values do not overflow (LogsumexpBackward0); integer inputs give floats."""
    if dim is None:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    arr = input._array
    if arr.dtype.kind != "f":
        arr = arr.astype(dtypes.default_float().np)
    dims = normalize_dims(dim, arr.ndim)
    return apply(OPS["logsumexp"], (input,), (arr,), dim=dims if arr.ndim else (),
                 keepdim=keepdim)


def _implicit_dim(dim: int | None, ndim: int) -> int:
    if dim is None:
        # torch's legacy rule, used when F.softmax gets no dim (it also warns)
        return 0 if ndim in (0, 1, 3) else 1
    return normalize_dim(dim, ndim)


def _comparison(name: str):
    row = OPS[name]

    def fn(input: Tensor, other: Any) -> Tensor:
        return binary(row, input, other)

    fn.__name__ = name
    return fn


eq = _comparison("eq")
ne = not_equal = _comparison("ne")
lt = less = _comparison("lt")
le = less_equal = _comparison("le")
gt = greater = _comparison("gt")
ge = greater_equal = _comparison("ge")
logical_and = _comparison("logical_and")
logical_or = _comparison("logical_or")
logical_xor = _comparison("logical_xor")


def logical_not(input: Tensor) -> Tensor:
    return apply(OPS["logical_not"], (input,))


def equal(input: Tensor, other: Tensor) -> bool:
    return input._array.shape == other._array.shape and bool(
        np.array_equal(input._array, other._array))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(input._array, other._array, rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    return Tensor._wrap(np.isclose(input._array, other._array, rtol=rtol, atol=atol,
                                   equal_nan=equal_nan))


def isnan(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isnan(input._array))


def isinf(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isinf(input._array))


def isfinite(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isfinite(input._array))


def numel(input: Tensor) -> int:
    return input.numel()


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input._array.dtype.kind == "f"


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> ReturnTypes:  # noqa: A002
    d = normalize_dim(dim, input._array.ndim)
    arr = input._array
    order = np.argsort(-arr if largest else arr, axis=d, kind="stable")
    idx = np.take(order, np.arange(k), axis=d).astype(np.int64)
    values = apply(OPS["topk"], (input,), dim=d, index=idx)
    return ReturnTypes(values, Tensor._wrap(idx), "topk")


def _sort_order(arr: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Where each sorted value comes from (int64), ties in their original order and nan
    treated as the largest value, as torch's CPU sort does."""
    if arr.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        return np.argsort(arr, axis=dim, kind="stable").astype(np.int64)
    # descending and still stable: sort the reversed data ascending, read it backwards
    n = arr.shape[dim]
    backwards = np.argsort(np.flip(arr, axis=dim), axis=dim, kind="stable")
    return (n - 1 - np.flip(backwards, axis=dim)).astype(np.int64)


def sort(input: Tensor, dim: int = -1, descending: bool = False,
         stable: bool = False) -> ReturnTypes:
    """``(values, indices)``: the values sorted along ``dim``, and where each came from."""
    d = normalize_dim(dim, input._array.ndim)
    idx = _sort_order(input._array, d, descending)
    values = apply(OPS["sort"], (input,), dim=d, index=idx)
    return ReturnTypes(values, Tensor._wrap(idx), "sort")


def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    return Tensor._wrap(_sort_order(input._array, normalize_dim(dim, input._array.ndim),
                                    descending))


def msort(input: Tensor) -> Tensor:
    return sort(input, dim=0).values


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = normalize_dim(dim, input._array.ndim)
    if index._array.dtype != np.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    return apply(OPS["gather"], (input,), dim=d, index=index._array)

