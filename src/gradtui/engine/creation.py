"""Tensor factories: ``tensor``, ``ones``, ``zeros``, ``arange``, ``rand``... with torch's dtype
inference (floats -> float32, ints -> int64, bools -> bool) and shape conventions (varargs or
one tuple)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors, quiet
from gradtui.engine.device import check_device, checks_device
from gradtui.engine.dims import shape_args
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor


def _finish(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    if device is not None:
        check_device(device)
    t = new_leaf(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(errors.ONLY_FLOAT_CAN_REQUIRE_GRAD)
        t._requires_grad = True
    return t


def _np_dtype(dtype: Any, default: dtypes.dtype) -> np.dtype:
    return (default if dtype is None else dtypes.to_dtype(dtype)).np


def _infer(data: Any) -> tuple[list[int], int]:
    """Shape of nested sequences (torch's ragged check) and the widest scalar category."""
    shape: list[int] = []
    category = -1
    level = [data]
    dim = 0
    while True:
        first = level[0]
        if isinstance(first, TensorBase | np.ndarray) or not isinstance(first, list | tuple):
            for item in level:
                if isinstance(item, list | tuple):
                    raise ValueError(errors.RAGGED.format(expected=0, dim=dim, got=len(item)))
                category = max(category, _category(item))
            if isinstance(first, np.ndarray):
                shape.extend(first.shape)
            return shape, category
        n = len(first)
        nxt = []
        for item in level:
            if not isinstance(item, list | tuple):
                raise TypeError(f"not a sequence at dim {dim}")
            if len(item) != n:
                raise ValueError(errors.RAGGED.format(expected=n, dim=dim, got=len(item)))
            nxt.extend(item)
        shape.append(n)
        dim += 1
        if not nxt:
            return shape, category
        level = nxt


def _category(item: Any) -> int:
    if isinstance(item, str):
        raise ValueError(f"too many dimensions '{type(item).__name__}'")
    if isinstance(item, TensorBase):
        item = item._array
    if isinstance(item, np.ndarray | np.generic):
        kind = item.dtype.kind
        return 2 if kind == "f" else 0 if kind == "b" else 1
    if isinstance(item, bool):
        return 0
    if isinstance(item, int):
        return 1
    if isinstance(item, float):
        return 2
    raise RuntimeError(f"Could not infer dtype of {type(item).__name__}")


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    if isinstance(data, TensorBase):
        errors.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).")
        arr = data._array.copy()
        return arr if dtype is None else arr.astype(dtypes.to_dtype(dtype).np)
    if isinstance(data, np.ndarray):
        if any(st < 0 for st in data.strides):
            raise ValueError(
                "At least one stride in the given numpy array is negative, and tensors with "
                "negative strides are not currently supported. (You can probably work around "
                "this by making a copy of your array  with array.copy().) ")
        src = dtypes.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=(src if dtype is None else dtypes.to_dtype(dtype)).np)
    if isinstance(data, np.generic):  # numpy scalars keep their dtype, like arrays
        return _to_array(np.asarray(data), dtype)
    if isinstance(data, range):
        data = list(data)
    elif isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    elif not isinstance(data, list | tuple | int | float | bool | complex):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    shape, category = _infer(data)
    if dtype is None:
        default = {0: dtypes.bool_, 1: dtypes.int64, 2: dtypes.default_float()}
        target = default.get(category, dtypes.default_float())
        if category == -1 and isinstance(data, list | tuple):
            target = dtypes.default_float()
    else:
        target = dtypes.to_dtype(dtype)
    if isinstance(data, list | tuple):
        if data and isinstance(data[0], np.ndarray):
            errors.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. "
                        "Please consider converting the list to a single numpy.ndarray with "
                        "numpy.array() before converting to a tensor. (Triggered internally "
                        "at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:252.)")
            if dtype is None:  # the arrays' own dtype, as torch keeps it
                return _to_array(np.array(data), None)
        if dtype is None and data and all(isinstance(v, np.generic) for v in data):
            return _to_array(np.array(data), None)
        data = _untensor(data)
    if target.category == 1 and category == 2:
        # floats into an integer tensor: torch refuses nan/inf
        flat = np.asarray(data, dtype=np.float64)
        info = np.iinfo(target.np)
        if not np.isfinite(flat).all() or (flat < info.min).any() or (flat > info.max).any():
            raise RuntimeError(f"value cannot be converted to type {target.name} without "
                               "overflow")
    if target.category == 1 and category <= 1:
        info = np.iinfo(target.np)
        flat_values = np.asarray(data, dtype=object).ravel() if not isinstance(data, int) \
            else [data]
        if any(not -(2**63) <= int(v) < 2**63 for v in flat_values):
            raise ValueError("Overflow when unpacking long long")
        # torch lets negative values wrap into uint8 (-1 -> 255), down to -255
        low = -int(info.max) if target.np == np.uint8 else int(info.min)
        flat = np.asarray(data, dtype=object).ravel() if not isinstance(data, int) else [data]
        if any(not low <= int(v) <= info.max for v in flat):
            raise RuntimeError(f"value cannot be converted to type {target.name} without "
                               "overflow")
        if target.np == np.uint8:
            data = (np.asarray(data, dtype=np.int64) % 256).astype(np.uint8)
    arr = np.array(data, dtype=target.np if target.category != 0 else None)
    if target.category == 0:
        arr = arr.astype(np.bool_)
    return arr.reshape(shape) if arr.shape != tuple(shape) and arr.size == np.prod(shape) else arr


def _untensor(data: Any) -> Any:
    if isinstance(data, TensorBase):
        if data._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._array.reshape(()).item()
    if isinstance(data, list | tuple):
        return [_untensor(x) for x in data]
    return data


@checks_device
def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """torch.tensor: copy ``data`` into a new leaf tensor."""
    token = quiet.enter()  # 1e40 -> inf as float32, silently, like torch
    try:
        return _finish(_to_array(data, dtype), requires_grad, device)
    finally:
        quiet.leave(token)


@checks_device
def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, TensorBase) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None:
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """Shares memory with ``array`` (writes are visible both ways)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)
    return new_leaf(array)


def _sizes(size: tuple, kwargs: dict, name: str) -> tuple:
    """Factories take the shape as varargs, one sequence, or the keyword ``size=``."""
    for key in kwargs:
        if key != "size":
            raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
    if "size" in kwargs:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        return (kwargs["size"],)
    return size


def _check_sizes(shape: tuple[int, ...], name: str) -> None:
    for s in shape:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, shape))}]")


def _filled(size: tuple, value: Any, dtype: Any, requires_grad: bool,
            default: dtypes.dtype | None = None, name: str = "full") -> Tensor:
    shape = shape_args(size, name)
    _check_sizes(shape, name)
    array = np.empty(shape, dtype=_np_dtype(dtype, default or dtypes.default_float()))
    array.fill(value)
    return _finish(array, requires_grad)


@checks_device
def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         out: Any = None, **kwargs: Any) -> Tensor:
    if device is not None:
        check_device(device)
    return _filled(_sizes(size, kwargs, "ones"), 1, dtype, requires_grad, name="ones")


@checks_device
def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None, **kwargs: Any) -> Tensor:
    if device is not None:
        check_device(device)
    return _filled(_sizes(size, kwargs, "zeros"), 0, dtype, requires_grad, name="zeros")


@checks_device
def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          memory_format: Any = None, **kwargs: Any) -> Tensor:
    # torch leaves memory uninitialised; zeros are one valid content and keep prints stable
    return _filled(_sizes(size, kwargs, "empty"), 0, dtype, requires_grad, name="empty")


@checks_device
def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    if isinstance(fill_value, TensorBase):
        fill_value = fill_value.item()
    if dtype is None:
        default = {0: dtypes.bool_, 1: dtypes.int64}.get(_category(fill_value),
                                                          dtypes.default_float())
        return _filled((size,) if isinstance(size, int) else tuple(size), fill_value, None,
                       requires_grad, default)
    return _filled((size,) if isinstance(size, int) else tuple(size), fill_value, dtype,
                   requires_grad)


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], Any]:
    return t._array.shape, (t.dtype if dtype is None else dtype)


@checks_device
def ones_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
              device: Any = None, memory_format: Any = None) -> Tensor:
    shape, dt = _like(input, dtype)
    return _filled(shape, 1, dt, requires_grad)


@checks_device
def zeros_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,
               device: Any = None, memory_format: Any = None) -> Tensor:
    shape, dt = _like(input, dtype)
    return _filled(shape, 0, dt, requires_grad)


empty_like = zeros_like


@checks_device
def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    if not isinstance(fill_value, int | float | bool | np.number):
        raise TypeError(f"full_like(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    shape, dt = _like(input, dtype)
    return _filled(shape, fill_value, dt, requires_grad)


@checks_device
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, TensorBase) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        target = dtypes.default_float() if is_float else dtypes.int64
    else:
        target = dtypes.to_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    if target.np in (np.float32, np.float64):
        arr = _arange_float(float(start), float(step), n, target.np)
    elif target.category == 2 or any(isinstance(v, float) for v in values):
        arr = start + np.arange(n, dtype=np.float64) * step  # in double, then cast
    else:
        arr = np.arange(start, end, step)
    return _finish(np.asarray(arr).astype(target.np), requires_grad)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a * b as an unevaluated sum p + e, exactly (Dekker's splitting)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1
    ca, cb = split * a, split * b
    a_hi, b_hi = ca - (ca - a), cb - (cb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c with (practically always) one rounding, like the kernel's fused multiply-add:
    the product's exact error and the sum's exact error are added back before rounding."""
    p, e = _two_product(a, b)
    s = p + c
    v = s - p
    t = (p - (s - v)) + (c - v)
    return s + (t + e)


def _arange_float(start: float, step: float, n: int, dtype: type) -> np.ndarray:
    """torch's CPU arange kernel (RangeFactoriesKernel.cpp, double accumulator): in chunks of
    two vectors (8 float32 / 4 float64 lanes), each vector starts at ``fma(step, i, start)``
    rounded to the dtype and its lanes are ``fma(lane, step, base)``; the tail past the last
    full chunk is ``fma(step, i, start)``."""
    lanes = 8 if dtype == np.float32 else 4
    idx = np.arange(n, dtype=np.float64)
    full = n - n % (2 * lanes)
    lane = idx % lanes
    base = _fma(np.full(n, step), idx - lane, np.full(n, start)).astype(dtype).astype(np.float64)
    vec = _fma(lane, np.full(n, step), base).astype(dtype)
    tail = _fma(np.full(n, step), idx, np.full(n, start)).astype(dtype)
    return np.where(np.arange(n) < full, vec, tail)


@checks_device
def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    target = _np_dtype(dtype, dtypes.default_float())
    return _finish(_linspace_values(start, end, steps, target), requires_grad)


def _linspace_values(start: float, end: float, steps: int, target: np.dtype) -> np.ndarray:
    """torch's kernel: the first half counts up from ``start``, the rest down from ``end``,
    each as one fused multiply-add (emulated in a wider float) of a step of the target dtype."""
    compute = target if target.kind == "f" else np.dtype(np.float64)
    wide = np.float64 if compute.itemsize < 8 else np.longdouble
    s, e = compute.type(start), compute.type(end)
    if steps == 1:
        return np.array([s]).astype(target)
    step = (e - s) / compute.type(steps - 1) if steps > 1 else compute.type(0)
    idx = np.arange(steps)
    up = wide(s) + wide(step) * idx.astype(wide)
    down = wide(e) - wide(step) * (steps - 1 - idx).astype(wide)
    return np.where(idx < steps // 2, up, down).astype(compute).astype(target)


@checks_device
def logspace(start: float, end: float, steps: int, base: float = 10.0, *,
             dtype: Any = None, requires_grad: bool = False) -> Tensor:
    lin = _linspace_values(start, end, steps, np.dtype(np.float64))
    return _finish((base ** lin).astype(_np_dtype(dtype, dtypes.default_float())), requires_grad)


@checks_device
def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, n if m is None else m, dtype=_np_dtype(dtype,
                                                                     dtypes.default_float())),
                   requires_grad)


def legacy_constructor(dtype: dtypes.dtype):
    """``torch.FloatTensor([1., 2.])``/``torch.FloatTensor(2, 3)``: the legacy typed
    constructors (the result is a plain ``torch.Tensor``)."""

    def make(*args: Any) -> Tensor:
        if not args:
            return zeros(0, dtype=dtype)
        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=dtype)
        return zeros(*args, dtype=dtype)

    make.__name__ = dtype.legacy_name.split(".")[1]
    make._legacy_dtype = dtype  # type: ignore[attr-defined]  # x.type(torch.FloatTensor)
    return make


FloatTensor = legacy_constructor(dtypes.float32)
DoubleTensor = legacy_constructor(dtypes.float64)
HalfTensor = legacy_constructor(dtypes.float16)
LongTensor = legacy_constructor(dtypes.int64)
IntTensor = legacy_constructor(dtypes.int32)
ShortTensor = legacy_constructor(dtypes.int16)
CharTensor = legacy_constructor(dtypes.int8)
ByteTensor = legacy_constructor(dtypes.uint8)
BoolTensor = legacy_constructor(dtypes.bool_)
