"""The op functions behind both spellings: ``torch.sum(x, 1)`` and ``x.sum(1)``: arithmetic,
elementwise functions, reductions, comparisons, sorting (matrix products are in ``linalg``,
shapes and views in ``views``).

Each function checks its arguments the way torch does (same errors), picks the op-table row
(e.g. ``sum`` vs ``sum_dim``: torch's SumBackward0 vs SumBackward1), and calls ``apply``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors
from gradtui.engine.creation import tensor as _tensor_from_data
from gradtui.engine.dims import dim_alias, normalize_dim, normalize_dims
from gradtui.engine.dispatch import _scalar_value, apply, binary, broadcast_shape, promote
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = [  # the torch functions (``torch.sum``), re-exported by torchapi
    "abs", "absolute", "acos", "add", "all", "allclose", "amax", "amin", "any", "arccos", "arcsin",
    "arctan", "argmax", "argmin", "argsort", "asin", "atan", "ceil", "clamp", "clip", "clone",
    "cos", "cosh", "cumsum", "detach", "div", "divide", "eq", "equal", "erf", "exp", "exp2",
    "expm1", "floor", "floor_divide", "fmod", "gather", "ge", "greater", "greater_equal", "gt",
    "is_floating_point", "is_tensor", "isclose", "isfinite", "isinf", "isnan", "le", "less",
    "less_equal", "log", "log10", "log1p", "log2", "log_softmax", "logical_and", "logical_not",
    "logical_or", "logical_xor", "logsumexp", "lt", "masked_fill", "max", "maximum", "mean", "min",
    "minimum", "msort", "mul", "multiply", "ne", "neg", "negative", "norm", "not_equal", "numel",
    "pow", "prod", "reciprocal", "relu", "remainder", "round", "rsqrt", "rsub", "sigmoid", "sign",
    "sin", "sinh", "softmax", "sort", "sqrt", "square", "std", "sub", "subtract", "sum", "tanh",
    "topk", "true_divide", "trunc", "var", "where", "xlogy",
]


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, TensorBase):
        return x
    return _tensor_from_data(x)


def _check_binary(result: Any, name: str, other: Any) -> Any:
    if result is NotImplemented:
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return result


# ---------------------------------------------------------------- arithmetic
def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    if not isinstance(input, TensorBase):
        input = _as_tensor(input)
    if isinstance(alpha, float) and input._array.dtype.kind in "iub" and (
            not isinstance(other, TensorBase) or other._array.dtype.kind in "iub"):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if alpha != 1:
        return _check_binary(binary(OPS["add"], input, other, alpha=alpha), "add", other)
    return _check_binary(binary(OPS["add"], input, other), "add", other)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(input, TensorBase):
        input = _as_tensor(input)
    check_bool_sub(input, other)
    if alpha != 1:
        return _check_binary(binary(OPS["sub"], input, other, alpha=alpha), "sub", other)
    return _check_binary(binary(OPS["sub"], input, other), "sub", other)


subtract = sub


def check_bool_sub(a: Any, b: Any) -> None:
    """torch refuses ``-`` when a bool tensor is involved."""
    a_bool = isinstance(a, bool) or isinstance(a, TensorBase) and a._array.dtype.kind == "b"
    b_bool = isinstance(b, bool) or isinstance(b, TensorBase) and b._array.dtype.kind == "b"
    if a_bool and b_bool:
        raise RuntimeError(errors.BOOL_SUB_BOTH)
    if a_bool or b_bool:
        raise RuntimeError(errors.BOOL_SUB)


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Any:
    """``other - alpha * input``; with a Python number this is torch's RsubBackward1."""
    check_bool_sub(input, other)
    value = _scalar_value(other)
    if value is None:
        if isinstance(other, TensorBase):
            if alpha != 1:
                return binary(OPS["rsub_tensor"], input, other, alpha=alpha)
            return binary(OPS["rsub_tensor"], input, other)
        return NotImplemented
    target = _promoted_with_scalar(input, value)
    arr = input._array if target.np == input._array.dtype else input._array.astype(target.np)
    return apply(OPS["rsub"], (input,), (arr,), other=value, alpha=alpha)


def _promoted_with_scalar(t: Tensor, value: Any) -> dtypes.dtype:
    return promote((t, value))


def mul(input: Any, other: Any) -> Tensor:
    if not isinstance(input, TensorBase):
        input = _as_tensor(input)
    return _check_binary(binary(OPS["mul"], input, other), "mul", other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if not isinstance(input, TensorBase):
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
        return isinstance(x, bool) or isinstance(x, TensorBase) and x._array.dtype.kind == "b"

    if is_bool(a) and is_bool(b):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def remainder(input: Any, other: Any) -> Tensor:
    """Python's ``%``: the result has the sign of the divisor."""
    tensors = isinstance(input, TensorBase) and isinstance(other, TensorBase)
    return binary(OPS["remainder_tensor" if tensors else "remainder"], input, other)


def fmod(input: Any, other: Any) -> Tensor:
    """C's ``fmod``: the result has the sign of the dividend."""
    tensors = isinstance(input, TensorBase) and isinstance(other, TensorBase)
    return binary(OPS["fmod_tensor" if tensors else "fmod"], input, other)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - torch's name
    """``a ** n`` (PowBackward0), ``a ** b`` (PowBackward1), ``c ** a`` (PowBackward2)."""
    if not isinstance(input, TensorBase):
        base = _scalar_value(input)
        if base is None or not isinstance(exponent, TensorBase):
            raise TypeError("pow() received an invalid combination of arguments")
        check_bool_kernel(input, exponent, "pow")
        target = _promoted_with_scalar(exponent, base)
        arr = exponent._array
        if arr.dtype != target.np:
            arr = arr.astype(target.np)
        return apply(OPS["rpow"], (exponent,), (arr,), base=base)
    if isinstance(exponent, TensorBase):
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

    fn.__name__ = fn.__qualname__ = name  # what Python names in an arity TypeError
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
        if input._array.dtype.kind != "f" and (name != "sign" or input._array.dtype.kind == "b"):
            return input.clone()
        return apply(row, (input,))

    fn.__name__ = fn.__qualname__ = name  # what Python names in an arity TypeError
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
    if isinstance(min, TensorBase) or isinstance(max, TensorBase):
        lo = _as_tensor(min) if min is not None else None
        hi = _as_tensor(max) if max is not None else None
        arrays = tuple(None if t is None else t._array for t in (input, lo, hi))
        broadcast_shape(input._array.shape, np.broadcast_shapes(
            *(a.shape for a in arrays if a is not None)))
        return apply(OPS["clamp_tensor"], (input, lo, hi), arrays)
    arr = input._array
    target = promote(tuple(x for x in (input, min, max) if x is not None))
    if target.np != arr.dtype:
        arr = arr.astype(target.np)
    return apply(OPS["clamp"], (input,), (arr,), min=min, max=max)


clip = clamp


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return binary(OPS["maximum"], input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return binary(OPS["minimum"], input, other)


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where input is 0 (XlogyBackward0): what kl_div is made of."""
    if not isinstance(input, TensorBase):
        input = _as_tensor(input)
    return _check_binary(binary(OPS["xlogy"], input, other, float_result=True), "xlogy", other)


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


@dim_alias
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001
        dtype: dtypes.dtype | None = None, **kwargs: Any) -> Tensor:
    if kwargs:
        # np.sum(tensor) calls tensor.sum(axis=None, dtype=None, out=None): torch's parser
        # rejects that call by naming 'axis'
        name = "axis" if "out" in kwargs else next(iter(kwargs))
        raise TypeError(f"sum() got an unexpected keyword argument '{name}'")
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


@dim_alias
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
         dtype: dtypes.dtype | None = None) -> Tensor:
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
    if isinstance(dim, TensorBase):
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


@dim_alias
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme("max", input, dim, keepdim)


@dim_alias
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme("min", input, dim, keepdim)


@dim_alias
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = _dims_or_none(dim, input._array.ndim) or tuple(range(input._array.ndim))
    return apply(OPS["amax"], (input,), dim=dims, keepdim=keepdim)


@dim_alias
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
        return new_leaf(out)
    d = normalize_dim(dim, arr.ndim)
    return new_leaf(np.asarray(fn(arr, axis=d, keepdims=keepdim), dtype=np.int64))


@dim_alias
def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmax, input, dim, keepdim)


@dim_alias
def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmin, input, dim, keepdim)


@dim_alias
def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    arr = input._array
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.int64)
    if dim is None:
        return apply(OPS["prod"], (input,), (arr,))
    d = normalize_dim(dim, arr.ndim)
    # a product along one dim: log-free formulation through moving the dim last
    moved = input if d == arr.ndim - 1 else input.transpose(d, -1)
    pieces = [moved[..., i] for i in range(arr.shape[d])]
    out = pieces[0]
    for p in pieces[1:]:
        out = out * p
    return out.unsqueeze(d) if keepdim else out


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


@dim_alias
def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    return _moment("var", input, dim, unbiased, keepdim, correction)


@dim_alias
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


@dim_alias
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    arr = input._array
    axis = None if dim is None else normalize_dim(dim, arr.ndim)
    return new_leaf(np.asarray(np.all(arr, axis=axis, keepdims=keepdim and axis is not None)))


@dim_alias
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    arr = input._array
    axis = None if dim is None else normalize_dim(dim, arr.ndim)
    return new_leaf(np.asarray(np.any(arr, axis=axis, keepdims=keepdim and axis is not None)))


@dim_alias
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    arr = input._array
    if dtype is not None:
        arr = arr.astype(dtype.np)
    elif arr.dtype.kind in "biu":
        arr = arr.astype(np.int64)
    if arr.ndim == 0:
        return apply(OPS["clone"], (input,), (arr,))
    return apply(OPS["cumsum"], (input,), (arr,), dim=normalize_dim(dim, arr.ndim))


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    if input is None and other is None:
        return tuple(new_leaf(i.astype(np.int64)) for i in np.nonzero(condition._array))
    if condition._array.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.short_name}")
    cond = condition._array
    operands = tuple(x if isinstance(x, TensorBase) else _scalar_value(x) for x in (input, other))
    target = promote(operands)
    arrays = tuple(x._array.astype(target.np, copy=False) if isinstance(x, TensorBase)
                   else np.asarray(x, dtype=target.np) for x in operands)
    broadcast_shape(broadcast_shape(cond.shape, np.shape(arrays[0])), np.shape(arrays[1]))
    return apply(OPS["where"], operands, arrays, condition=cond)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    if mask._array.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name.replace('int64', 'long int')}")
    broadcast_shape(input._array.shape, mask._array.shape)
    if isinstance(value, TensorBase):
        value = value.item()
    return apply(OPS["masked_fill"], (input,), mask=mask._array, value=value)


def clone(input: Tensor) -> Tensor:
    return input.clone()


def detach(input: Tensor) -> Tensor:
    return input.detach()


@dim_alias
def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    return _softmax_op("softmax", input, dim, dtype)


@dim_alias
def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    return _softmax_op("log_softmax", input, dim, dtype)


def _softmax_op(name: str, input: Tensor, dim: int | None, dtype: Any) -> Tensor:
    """softmax / log_softmax: optionally cast first (``dtype=``), floats only (torch's kernel
    error names the op), the implicit dim of old torch when none is given."""
    if dim is not None and (not isinstance(dim, int | np.integer) or isinstance(dim, bool)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    arr = input._array
    if dtype is not None:
        arr = arr.astype(dtypes.to_dtype(dtype).np)
    if arr.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{dtypes.BY_NUMPY[arr.dtype].short_name}'")
    return apply(OPS[name], (input,), (arr,), dim=_implicit_dim(dim, arr.ndim))


@dim_alias
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

    fn.__name__ = fn.__qualname__ = name  # what Python names in an arity TypeError
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


def _check_tolerances(name: str, rtol: Any, atol: Any) -> None:
    for position, (argument, value) in enumerate((("rtol", rtol), ("atol", atol)), 3):
        if not isinstance(value, int | float | np.number) or isinstance(value, bool):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be "
                            f"float, not {type(value).__name__}")


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    _check_tolerances("allclose", rtol, atol)
    broadcast_shape(input._array.shape, other._array.shape)
    return bool(np.allclose(input._array, other._array, rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    _check_tolerances("isclose", rtol, atol)
    broadcast_shape(input._array.shape, other._array.shape)
    return new_leaf(np.isclose(input._array, other._array, rtol=rtol, atol=atol,
                                   equal_nan=equal_nan))


def isnan(input: Tensor) -> Tensor:
    return new_leaf(np.isnan(input._array))


def isinf(input: Tensor) -> Tensor:
    return new_leaf(np.isinf(input._array))


def isfinite(input: Tensor) -> Tensor:
    return new_leaf(np.isfinite(input._array))


def numel(input: Tensor) -> int:
    return input.numel()


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, TensorBase)


def is_floating_point(input: Tensor) -> bool:
    return input._array.dtype.kind == "f"


@dim_alias
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> ReturnTypes:  # noqa: A002
    d = normalize_dim(dim, input._array.ndim)
    arr = input._array
    order = np.argsort(-arr if largest else arr, axis=d, kind="stable")
    idx = np.take(order, np.arange(k), axis=d).astype(np.int64)
    values = apply(OPS["topk"], (input,), dim=d, index=idx)
    return ReturnTypes(values, new_leaf(idx), "topk")


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


@dim_alias
def sort(input: Tensor, dim: int = -1, descending: bool = False,
         stable: bool = False) -> ReturnTypes:
    """``(values, indices)``: the values sorted along ``dim``, and where each came from."""
    d = normalize_dim(dim, input._array.ndim)
    idx = _sort_order(input._array, d, descending)
    values = apply(OPS["sort"], (input,), dim=d, index=idx)
    return ReturnTypes(values, new_leaf(idx), "sort")


@dim_alias
def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    return new_leaf(_sort_order(input._array, normalize_dim(dim, input._array.ndim),
                                    descending))


def msort(input: Tensor) -> Tensor:
    return sort(input, dim=0).values


@dim_alias
def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = normalize_dim(dim, input._array.ndim)
    if index._array.dtype != np.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    return apply(OPS["gather"], (input,), dim=d, index=index._array)

