"""torch's random functions on Tensors: ``rand``, ``randn``, ``randint``, ``randperm``, the
``*_like`` ones, ``normal``, ``bernoulli``, ``multinomial``, and the in-place samplers that are
Tensor methods (``uniform_``, ``normal_``, ``random_``, ``bernoulli_``, ``exponential_``, ...,
written with torch's method signatures: tensor.py binds them in its class body).

This layer holds torch's argument handling, checks and error messages, and the order values are
written in: torch's serial kernels walk a tensor in memory order, so a transposed tensor gets its
values column by column. The numbers come from ``distributions`` (engine/distributions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import distributions as dist
from gradtui.engine import dtypes, errors
from gradtui.engine.creation import _check_sizes, _finish, _np_dtype, _sizes
from gradtui.engine.device import checks_device
from gradtui.engine.dims import shape_args
from gradtui.engine.dispatch import broadcast_shape
from gradtui.engine.generator import resolve
from gradtui.engine.inplace import check_inplace
from gradtui.engine.tensor_base import TensorBase

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

# the C++ type names torch's range checks print
_CPP_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short int",
              "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float",
              "float64": "double", "bool": "bool"}
_INT_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int32_t"}
_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")
_INT64_MIN, _INT64_MAX = -2**63, 2**63 - 1


def _not_implemented(kernel: str, array: np.ndarray) -> NotImplementedError:
    name = dtypes.BY_NUMPY[array.dtype].short_name
    return NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _float_only(kernel: str, t: Tensor) -> None:
    if t._array.dtype.kind != "f":
        raise _not_implemented(kernel, t._array)


# ------------------------------------------------------------------------ writing in place
def _walk_order(array: np.ndarray) -> tuple[int, ...] | None:
    """The axes of ``array`` from outermost to innermost in memory (the order torch's kernels
    walk a tensor in), None for C order; torch's error for elements that share memory (an
    ``expand``)."""
    if array.flags.c_contiguous:
        return None
    if any(stride == 0 and size > 1 for stride, size in zip(array.strides, array.shape,
                                                            strict=True)):
        raise RuntimeError(_OVERLAP)
    return tuple(sorted(range(array.ndim), key=lambda d: -abs(array.strides[d])))


def _walked(array: np.ndarray, order: tuple[int, ...] | None) -> np.ndarray:
    """``array`` seen in walk order: its C order is the order the values are drawn in."""
    return array if order is None else array.transpose(order)


def _fill(t: Tensor, sample: Any, *others: np.ndarray) -> Tensor:
    """Write what ``sample(n, dtype, *others)`` draws into ``t`` in place, in torch's walk
    order (``others``: arrays of t's shape, walked alongside): torch's in-place checks first,
    the version bumped after."""
    check_inplace(t)
    if t._array.size == 0:
        return t
    order = _walk_order(t._array)
    view = _walked(t._array, order)
    walked = [np.ascontiguousarray(_walked(o, order)).reshape(-1) for o in others]
    view[...] = sample(view.size, view.dtype, *walked).reshape(view.shape)
    t._vc[0] += 1
    return t


# ------------------------------------------------------------------------ in-place samplers
def _uniform(t: Tensor, low: float, high: float, generator: Any) -> Tensor:
    arr = t._array
    _float_only("check_uniform_bounds", t)
    info = np.finfo(arr.dtype)
    name = _CPP_NAMES[arr.dtype.name]
    for label, value in (("from", low), ("to", high)):
        if not float(info.min) <= value <= float(info.max):
            raise RuntimeError(f"{label} is out of bounds for {name}")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_num(low)} > to={_num(high)}")
    if high - low > float(info.max):
        short = dtypes.BY_NUMPY[arr.dtype].short_name
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{short}>::max(), "
                           f"but found to={_num(high)} and from={_num(low)} which result in "
                           "to-from to exceed the limit")
    gen = resolve(generator)
    return _fill(t, lambda n, dtype: dist.uniform(gen, n, dtype, low, high))


def _normal(t: Tensor, mean: float, std: float, generator: Any) -> Tensor:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    _float_only("normal_kernel_cpu", t)
    gen = resolve(generator)
    contiguous = t._array.flags.c_contiguous
    return _fill(t, lambda n, dtype: dist.normal(gen, n, dtype, mean, std, contiguous))


def _exponential(t: Tensor, lambd: float, generator: Any) -> Tensor:
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    if t._array.dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{dtypes.BY_NUMPY[t._array.dtype].short_name}")
    gen = resolve(generator)
    return _fill(t, lambda n, dtype: dist.exponential(gen, n, dtype, lambd))


def _geometric(t: Tensor, p: float, generator: Any) -> Tensor:
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    if t._array.dtype == np.bool_:
        raise _not_implemented("geometric_cpu", t._array)
    gen = resolve(generator)
    return _fill(t, lambda n, dtype: dist.geometric(gen, n, dtype, p))


def _log_normal(t: Tensor, mean: float, std: float, generator: Any) -> Tensor:
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    _float_only("log_normal_cpu", t)
    gen = resolve(generator)
    return _fill(t, lambda n, dtype: dist.log_normal(gen, n, dtype, mean, std))


def _cauchy(t: Tensor, median: float, sigma: float, generator: Any) -> Tensor:
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    if t._array.dtype.kind != "f":
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified "
                           f"{_CPP_NAMES[t._array.dtype.name]}")
    gen = resolve(generator)
    return _fill(t, lambda n, dtype: dist.cauchy(gen, n, dtype, median, sigma))


def _bernoulli(t: Tensor, p: Any, generator: Any) -> Tensor:
    """``bernoulli_(p)``: p a number in [0, 1], or a float tensor broadcast to ``t``."""
    gen = resolve(generator)
    if isinstance(p, TensorBase):
        probs = p._array
        if probs.dtype.kind != "f":
            raise _not_implemented("bernoulli_tensor_cpu_p_", probs)
        expanded = _expand_to(probs, t._array.shape)
        return _fill(t, lambda n, dtype, q: dist.bernoulli_tensor(gen, q, dtype), expanded)
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    return _fill(t, lambda n, dtype: dist.bernoulli_scalar(gen, n, p, dtype))


def _expand_to(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``expand_inplace``: p broadcast to the written tensor's shape, or torch's error."""
    old = array.shape
    lead = len(shape) - len(old)
    for i in range(len(old) - 1, -1, -1):
        if lead < 0 or (old[i] != shape[lead + i] and old[i] != 1):
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[lead + i] if lead >= 0 else 0}) must "
                f"match the existing size ({old[i]}) at non-singleton dimension {lead + i}.  "
                f"Target sizes: [{', '.join(map(str, shape))}].  Tensor sizes: "
                f"[{', '.join(map(str, old))}]")
    return np.broadcast_to(array, shape)


def _random(t: Tensor, low: int | None, high: int | None, generator: Any) -> Tensor:
    """``random_()`` (``low`` None: [0, the dtype's largest value], [0, 2^mantissa] for floats),
    ``random_(low, high)`` with ``high`` None meaning up to the dtype's largest value, with
    torch's range checks and warnings."""
    gen = resolve(generator)
    arr = t._array
    if low is None:
        return _fill(t, lambda n, dtype: dist.random_default(gen, n, dtype))
    if high is None and low == _INT64_MIN:
        if arr.dtype not in (np.int64, np.float32, np.float64):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                               "float and bfloat16")
        return _fill(t, lambda n, dtype: dist.random_full_range(gen, n, dtype))
    low, high_inclusive = _random_bounds(arr.dtype, low, high)
    span = high_inclusive - low + 1
    return _fill(t, lambda n, dtype: dist.random_from_to(gen, n, dtype, span, low))


def random_int64(generator: Any) -> int:
    """``torch.empty((), dtype=torch.int64).random_(generator=g).item()``: how torch's samplers
    and DataLoader derive a seed (one ``random64()`` modulo 2^63)."""
    return int(dist.random_default(resolve(generator), 1, np.dtype(np.int64))[0])


def random_args(args: tuple, kwargs: dict) -> tuple[int | None, int | None]:
    """``(low, high)`` for ``Tensor.random_``'s overloads: ``random_()`` gives ``(None, None)``,
    ``random_(to)`` ``(0, to)``, ``random_(from, to)`` (``to`` may be None)."""
    unknown = set(kwargs) - {"from", "to"}
    if unknown:
        raise TypeError(f"random_() got an unexpected keyword argument '{unknown.pop()}'")
    if not args and not kwargs:
        return None, None
    if len(args) == 1 and not kwargs:
        return 0, _int_arg(args[0], "to")
    values = dict(zip(("from", "to"), args, strict=False))
    for key, value in kwargs.items():
        if key in values:
            raise TypeError(f"random_() got multiple values for argument '{key}'")
        values[key] = value
    high = values.get("to")
    return _int_arg(values.get("from", 0), "from"), None if high is None else _int_arg(high, "to")


def _random_bounds(dtype: np.dtype, low: int, high: int | None) -> tuple[int, int]:
    """torch's ``random_from_to_impl`` checks: [low, high_inclusive] for the dtype."""
    digits = {"float16": 11, "float32": 24, "float64": 53}.get(dtype.name)
    if high is not None:
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        if digits:
            low, high = _update_from(low, dtype), _update_to(high, dtype)
            if not low < high:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' "
                                   f"casted to dtype, but got from={low} >= to={high}")
        _check_in_range(low, high - 1, dtype, digits)
        return low, high - 1
    if digits:
        top = min(1 << digits, _INT64_MAX)
        low = _update_from(low, dtype)
        if not low < top:
            raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={low} > to_inc={top}")
    else:
        top = 1 if dtype == np.bool_ else int(np.iinfo(dtype).max)
    _check_in_range(low, top, dtype, digits)
    return low, top


def _update_from(low: int, dtype: np.dtype) -> int:
    """Move ``from`` right to the next value the dtype holds exactly (torch's update_from)."""
    plus_one = _cast_through(low + 1, dtype)
    if plus_one < low:
        n = abs(low + 1).bit_length() - 1
        low = plus_one + (1 << (n - np.finfo(dtype).nmant))
    return low


def _update_to(high: int, dtype: np.dtype) -> int:
    minus_one = _cast_through(high - 1, dtype)
    if minus_one >= high:
        n = abs(high - 1).bit_length() - 1
        high = minus_one - (1 << (n - np.finfo(dtype).nmant))
    return high


def _cast_through(value: int, dtype: np.dtype) -> int:
    """``static_cast<int64_t>(static_cast<scalar_t>(value))``: an overflow to infinity gives
    x86's integer indefinite, INT64_MIN, as torch's compiled code does."""
    with np.errstate(over="ignore"):
        as_float = float(np.asarray(value, np.float64).astype(dtype))
    return int(as_float) if np.isfinite(as_float) else _INT64_MIN


def _check_in_range(low: int, high_inclusive: int, dtype: np.dtype, digits: int | None) -> None:
    name = _CPP_NAMES[dtype.name]
    if digits:
        bound = float(np.finfo(dtype).max)
        lo_ok, hi_ok = -bound <= low <= bound, -bound <= high_inclusive <= bound
    else:
        lo_v, hi_v = (0, 1) if dtype == np.bool_ else (int(np.iinfo(dtype).min),
                                                       int(np.iinfo(dtype).max))
        lo_ok, hi_ok = lo_v <= low <= hi_v, lo_v <= high_inclusive <= hi_v
    if not lo_ok:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not hi_ok:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")
    if digits:
        for label, value, line in (("from", low, 110), ("to - 1", high_inclusive, 111)):
            if not -(1 << digits) <= value <= 1 << digits:
                errors.warn(
                    f"{label} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {name} can support discrete uniform distribution only within "
                    "this range. This warning will become an error in version 1.7 release, "
                    "please fix the code in advance (Triggered internally at /__w/pytorch/"
                    f"pytorch/aten/src/ATen/native/DistributionTemplates.h:{line}.)")


def _int_arg(value: Any, name: str) -> int:
    array = value._array if isinstance(value, TensorBase) else None
    if array is not None and array.size == 1 and array.dtype.kind in "iub":
        return int(array.reshape(()))
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"random_(): argument '{name}' must be int, not {type(value).__name__}")
    return int(value)


def _num(value: float) -> str:
    """A double as torch's C++ streams print it (``%g``): 1, 0.5, -1e+39."""
    return f"{value:g}"


# ------------------------------------------------------------------------ factories
def _empty(shape: tuple[int, ...], dtype: Any, default: dtypes.dtype, device: Any) -> Tensor:
    array = np.empty(shape, dtype=_np_dtype(dtype, default))
    return _finish(array, False, device)


def _shape(size: tuple, kwargs: dict, name: str) -> tuple[int, ...]:
    shape = shape_args(_sizes(size, kwargs, name), name)
    _check_sizes(shape, name)
    return shape


def _requires_grad(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if t._array.dtype.kind != "f":
            raise RuntimeError(errors.ONLY_FLOAT_CAN_REQUIRE_GRAD)
        t._requires_grad = True
    return t


@checks_device
def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Uniform values in [0, 1): ``torch.empty(size).uniform_()``."""
    t = _empty(_shape(size, kwargs, "rand"), dtype, dtypes.default_float(), device)
    return _requires_grad(_uniform(t, 0.0, 1.0, generator), requires_grad)


@checks_device
def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Standard normal values: ``torch.empty(size).normal_()``."""
    t = _empty(_shape(size, kwargs, "randn"), dtype, dtypes.default_float(), device)
    return _requires_grad(_normal(t, 0.0, 1.0, generator), requires_grad)


@checks_device
def randint(*args: Any, generator: Any = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    low, high, size = _randint_args(args, kwargs)
    shape = shape_args((size,), "randint")
    _check_sizes(shape, "randint")
    t = _empty(shape, dtype, dtypes.int64, device)
    _random(t, low, high, generator)
    return _requires_grad(t, requires_grad)


def _randint_args(args: tuple, kwargs: dict) -> tuple[int, int, Any]:
    names = ("low", "high", "size") if len(args) + len(kwargs) >= 3 or "low" in kwargs else (
        "high", "size")
    bound = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names or key in bound:
            raise TypeError(f"randint() got an unexpected keyword argument '{key}'")
        bound[key] = value
    if "size" not in bound or "high" not in bound:
        raise TypeError("randint() missing required argument 'size'")
    for pos, key in enumerate(names[:-1], start=1):
        value = bound.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"randint(): argument '{key}' (position {pos}) must be int, not "
                            f"{type(value).__name__}")
    return int(bound.get("low", 0)), int(bound["high"]), bound["size"]


@checks_device
def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """A random permutation of 0..n-1, by torch's swaps."""
    if kwargs:
        raise TypeError(f"randperm() got an unexpected keyword argument '{next(iter(kwargs))}'")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    target = _np_dtype(dtype, dtypes.int64)
    _check_randperm_dtype(n, target)
    t = _empty((n,), dtype, dtypes.int64, device)
    t._array[...] = dist.randperm(resolve(generator), n).astype(target)
    return _requires_grad(t, requires_grad)


def _check_randperm_dtype(n: int, target: np.dtype) -> None:
    if target == np.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if target.kind == "f":
        digits = np.finfo(target).nmant + 1
        if n > (1 << digits) + 1:
            limit = "2049" if digits == 11 else f"2^{digits}+1"
            short = dtypes.BY_NUMPY[target].short_name
            raise RuntimeError(f"n cannot be greater than {limit} for {short} type.")
    elif target.name in _INT_NAMES and max(n - 1, 0) > np.iinfo(target).max:
        raise RuntimeError(f"value cannot be converted to type {_INT_NAMES[target.name]} "
                           "without overflow")


@checks_device
def empty_like(input: Tensor, dtype: Any = None, device: Any = None) -> Tensor:
    """``empty_like``: the input's dtype, and its memory layout when that is a dense
    permutation (``randn_like(x.t())`` is transposed too, as in torch)."""
    array = input._array
    target = _np_dtype(dtype, dtypes.BY_NUMPY[array.dtype])
    dense = array.flags.c_contiguous or _is_dense(array)
    out = np.empty_like(array, dtype=target, order="K" if dense else "C")
    return _finish(out, False, device)


def _is_dense(array: np.ndarray) -> bool:
    expected = array.itemsize
    for d in sorted(range(array.ndim), key=lambda d: abs(array.strides[d])):
        if array.shape[d] != 1 and array.strides[d] != expected:
            return False
        expected *= array.shape[d]
    return True


@checks_device
def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None,
              generator: Any = None) -> Tensor:
    t = empty_like(input, dtype, device)
    return _requires_grad(_uniform(t, 0.0, 1.0, generator), requires_grad)


@checks_device
def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None,
               generator: Any = None) -> Tensor:
    t = empty_like(input, dtype, device)
    return _requires_grad(_normal(t, 0.0, 1.0, generator), requires_grad)


@checks_device
def randint_like(input: Tensor, *args: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, memory_format: Any = None,
                 generator: Any = None, **kwargs: Any) -> Tensor:
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``."""
    bound = dict(zip(("low", "high") if len(args) == 2 else ("high",), args, strict=False))
    bound.update(kwargs)
    if "high" not in bound:
        raise TypeError("randint_like() missing required argument 'high'")
    t = empty_like(input, dtype, device)
    _random(t, int(bound.get("low", 0)), int(bound["high"]), generator)
    return _requires_grad(t, requires_grad)


@checks_device
def normal(mean: Any = None, std: Any = None, size: Any = None, *, generator: Any = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False,
           out: Any = None) -> Tensor:
    """``torch.normal``'s overloads: (Tensor mean, Tensor std), (Tensor mean, float std=1),
    (float mean, Tensor std), (float mean, float std, size)."""
    m_is_t, s_is_t = isinstance(mean, TensorBase), isinstance(std, TensorBase)
    if not (m_is_t or s_is_t):
        if size is None or mean is None or std is None:
            raise TypeError(_normal_signatures(_type_names(mean, std)))
        shape = shape_args((size,), "normal")
        t = _empty(shape, dtype, dtypes.default_float(), device)
        return _requires_grad(_normal(t, float(mean), float(std), generator), requires_grad)
    if size is not None:
        raise TypeError(_normal_signatures(f"{_type_names(mean, std)}, size=tuple"))
    if s_is_t:
        s = std._array
        if s.size and not (s.min() >= 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif float(1.0 if std is None else std) < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(float(std))}")
    return _normal_tensors(mean, std, generator)


def _normal_tensors(mean: Any, std: Any, generator: Any) -> Tensor:
    """normal(Tensor, ...) and normal(float, Tensor): standard normals in a new contiguous
    tensor, then ``mul_(std)`` and ``add_(mean)`` in place (torch's order of roundings)."""
    m_is_t, s_is_t = isinstance(mean, TensorBase), isinstance(std, TensorBase)
    ref = mean if m_is_t else std
    shape = (broadcast_shape(mean._array.shape, std._array.shape) if m_is_t and s_is_t
             else ref._array.shape)
    out = np.empty(shape, dtype=ref._array.dtype)
    t = _finish(out, False)
    if m_is_t and not s_is_t:
        _normal(t, 0.0, 1.0 if std is None else float(std), generator)
        _inplace_arith(out, np.add, mean._array)
        return t
    _normal(t, 0.0, 1.0, generator)
    _inplace_arith(out, np.multiply, std._array)
    _inplace_arith(out, np.add, mean._array if m_is_t else np.asarray(mean, out.dtype))
    return t


def _inplace_arith(out: np.ndarray, ufunc: Any, other: np.ndarray) -> None:
    """``out.op_(other)``: computed in the promoted dtype, stored in out's."""
    common = np.result_type(out.dtype, other.dtype)
    out[...] = ufunc(out.astype(common), other.astype(common)).astype(out.dtype)


def _normal_signatures(got: str) -> str:
    """torch's TypeError for arguments that fit none of ``normal``'s overloads."""
    return (
        f"normal() received an invalid combination of arguments - got ({got}), but expected "
        "one of:\n"
        " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
        " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)"
        "\n"
        " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
        " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
        "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
        "device = None, bool pin_memory = False, bool requires_grad = False)\n")


def _type_names(*values: Any) -> str:
    return ", ".join("Tensor" if isinstance(v, TensorBase) else type(v).__name__
                     for v in values if v is not None)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None, out: Any = None) -> Tensor:
    """0/1 draws: with probabilities ``input`` (a float tensor), or with one ``p`` for all."""
    t = _finish(np.empty(input._array.shape, input._array.dtype), False)
    return _bernoulli(t, input if p is None else p, generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Any = None) -> Tensor:
    """Indices drawn from the rows of ``input`` (weights, not necessarily normalised)."""
    probs = input._array
    if not 1 <= probs.ndim <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{dtypes.BY_NUMPY[probs.dtype].short_name}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_categories = probs.shape[-1]
    if not replacement and num_samples > n_categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if n_categories > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = probs.reshape(-1, n_categories)
    shape = (num_samples,) if probs.ndim == 1 else (probs.shape[0], num_samples)
    if rows.shape[0] == 0:
        return _finish(np.empty(shape, np.int64), False)
    with np.errstate(invalid="ignore"):
        if not (np.all(rows < np.inf) and np.all(rows >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=-1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    drawn = dist.multinomial(resolve(generator), rows, num_samples, replacement)
    return _finish(drawn.reshape(shape), False)


# ------------------------------------------------------------------------ Tensor methods
# torch's signatures; tensor.py binds them in the Tensor class (``x.normal_(0, 0.02)``)
def uniform_(self: Tensor, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
    """Fill with values drawn uniformly from [from, to) (default [0, 1))."""
    low, high = _two(args, kwargs, ("from", "to"), (0.0, 1.0), "uniform_")
    return _uniform(self, float(low), float(high), generator)


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Any = None) -> Tensor:
    """Fill with values drawn from N(mean, std**2)."""
    return _normal(self, float(mean), float(std), generator)


def random_(self: Tensor, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
    """Fill with integers: ``random_()`` over [0, the dtype's largest], ``random_(to)`` over
    [0, to), ``random_(from, to)`` over [from, to) (``to=None``: up to the largest)."""
    low, high = random_args(args, kwargs)
    return _random(self, low, high, generator)


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 1 with probability p (a number, or a tensor broadcast to this one), else 0."""
    return _bernoulli(self, p, generator)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with draws from Exp(lambd)."""
    return _exponential(self, float(lambd), generator)


def geometric_(self: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    return _geometric(self, float(p), generator)


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Any = None) -> Tensor:
    """Fill with exp(N(mean, std**2)) draws."""
    return _log_normal(self, float(mean), float(std), generator)


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Any = None) -> Tensor:
    """Fill with draws from the Cauchy distribution."""
    return _cauchy(self, float(median), float(sigma), generator)


def _two(args: tuple, kwargs: dict, names: tuple[str, str], defaults: tuple[float, float],
         method: str) -> tuple[Any, Any]:
    """Two parameters given by position or by name (``from`` is a Python keyword, so
    ``x.uniform_(**{"from": 1})`` is how it comes by name)."""
    if len(args) > 2:
        raise TypeError(f"{method}() takes at most 2 arguments ({len(args)} given)")
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{method}() got an unexpected keyword argument '{key}'")
        if key in values:
            raise TypeError(f"{method}() got multiple values for argument '{key}'")
        values[key] = value
    return values.get(names[0], defaults[0]), values.get(names[1], defaults[1])
