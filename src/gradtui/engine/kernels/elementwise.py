"""Elementwise kernels: the numpy code behind the op table's elementwise rows, rounded like torch.

The op table (``ops.py``) shows each op's math; where numpy's own loop would round differently
from torch's CPU kernel, the row calls a function of this module instead, which holds the detail:

- float32 transcendentals are computed in float64, then rounded (``wide``): this lands on
  torch's float32 results (SLEEF or MKL) far more often than numpy's float32 loops (exp: 39% of
  values differ in the last bit, this way 1%). Where the SLEEF algorithm itself was ported,
  ``unary`` and ``sleef`` have it to the bit.
- a few exponents are products (``x**3`` is ``x*x*x``, rounded twice, ``scalar_pow``), and
  integer powers follow torch's rules where numpy would raise (``power``);
- torch's fused or regrouped formulas (``tanh_backward``, ``silu_backward``, ``gelu``...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gradtui.engine.kernels import sleef, unary


def wide(fn: Callable) -> Callable:
    """``fn`` on float32 computed in float64, then rounded (the others as they are)."""
    def wide_fn(a: np.ndarray) -> np.ndarray:
        if a.dtype == np.float32:
            return fn(a.astype(np.float64)).astype(np.float32)
        return fn(a)

    wide_fn.__name__ = fn.__name__
    return wide_fn


exp, log, sin, cos, tanh = wide(np.exp), wide(np.log), wide(np.sin), wide(np.cos), wide(np.tanh)
atan, asin, acos = wide(np.arctan), wide(np.arcsin), wide(np.arccos)
sinh, cosh, expm1 = wide(np.sinh), wide(np.cosh), wide(np.expm1)
exp2, log2, log10 = wide(np.exp2), wide(np.log2), wide(np.log10)
_erf_each = np.frompyfunc(math.erf, 1, 1)


def erf(a: np.ndarray) -> np.ndarray:
    """``math.erf`` of every value, in float64, then rounded to ``a``'s dtype."""
    return np.asarray(_erf_each(a.astype(np.float64)), dtype=np.float64).astype(a.dtype)


def xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * log(b)``, 0 where a is 0 (even where b is 0), nan where b is nan: torch's scalar
    kernel, with glibc's log (correctly rounded here as log in float64, rounded)."""
    dtype = np.result_type(a, b)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float32)
    b = np.asarray(b, dtype=dtype)
    out = np.asarray(a, dtype=dtype) * log(b)
    return np.where(np.isnan(b), b, np.where(a == 0, dtype.type(0), out)).astype(dtype)


def rsqrt(a: np.ndarray) -> np.ndarray:
    """torch's rsqrt kernel: ``1 / sqrt(a)``, two roundings."""
    return 1 / np.sqrt(a)


def log1p(a: np.ndarray) -> np.ndarray:
    """``log(1 + a)``; in float32 SLEEF's ``log1pf_u10``, as torch (float64-then-rounded
    misses ~1% of values)."""
    if a.dtype == np.float32 and a.size:
        return sleef.log1pf(a)
    return np.log1p(a)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-a))``; in float32 torch's loop to the bit (``unary.sigmoid``: SLEEF's
    exp in blocks of two vectors, glibc's in the tail)."""
    if a.dtype == np.float32 and a.size:
        return unary.sigmoid(a)
    return (1 / (1 + exp(-a))).astype(a.dtype, copy=False)


def log_sigmoid(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's ``log_sigmoid_forward``: ``min(a, 0) - log1p(exp(-|a|))`` and the buffer
    ``exp(-|a|)`` its backward reads; in float32 its SLEEF kernel to the bit."""
    if a.dtype == np.float32 and a.size:
        return unary.log_sigmoid(a)
    b = np.exp(-np.abs(a))
    return np.minimum(a, 0) - np.log1p(b), b


def tanh_backward(grad: Any, result: np.ndarray) -> Any:
    """``grad * (1 - result^2)``: torch fuses ``1 - r*r`` in float32 (one rounding), which
    float64 then rounded reproduces."""
    if result.dtype == np.float32:
        return grad * (1 - np.square(result, dtype=np.float64)).astype(np.float32)
    return grad * (1 - result * result)


def sgn(a: np.ndarray) -> np.ndarray:
    """torch's sgn: like np.sign but 0 at nan (so |x|'s gradient at nan is 0)."""
    s = np.sign(a)
    if a.dtype.kind == "f" and np.isnan(s).any():
        s = np.where(np.isnan(s), 0, s)
    return s


def clamp(a: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    """torch's clamp compares (``x < lo ? lo : x``), so -0. and nan pass through unchanged."""
    out = a if lo is None else np.where(a < lo, lo, a)
    out = out if hi is None else np.where(out > hi, hi, out)
    return np.asarray(out, dtype=a.dtype) if out is not a else out.copy()


def integer_safe(fn: Callable, a: Any, b: Any) -> Any:
    """``fn(a, b)``, where integer division by zero is an error as in torch (numpy would warn
    and give 0)."""
    if np.asarray(b).dtype.kind in "iub" and np.asarray(a).dtype.kind in "iub" and (
            np.asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")
    return fn(a, b)


# ---------------------------------------------------------------- powers
def power(base: Any, exponent: Any) -> Any:
    """``base ** exponent``; for integers torch gives 0 (or +-1 for bases +-1) where the
    exponent is negative, where numpy would raise; float32 goes through float64."""
    e = np.asarray(exponent)
    b = np.asarray(base)
    if e.dtype.kind in "iu" and b.dtype.kind in "iu" and (e < 0).any():
        safe = b ** np.where(e < 0, 0, e)
        odd = (e % 2) != 0
        neg_value = np.where(b == 1, 1, np.where(b == -1, np.where(odd, -1, 1), 0))
        return np.where(e < 0, neg_value, safe).astype(safe.dtype)
    # the tensor operand's dtype (a Python number never decides it)
    target = e.dtype if np.ndim(base) == 0 and not isinstance(base, np.ndarray) else (
        b.dtype if not isinstance(exponent, np.ndarray) else np.result_type(b, e))
    if target == np.float32:
        wide_power = np.power(b.astype(np.float64), e.astype(np.float64))
        return wide_power.astype(np.float32)
    return base ** exponent


def scalar_pow(a: np.ndarray, e: Any) -> np.ndarray:
    """``a ** e`` with a Python number ``e``, as torch's kernel computes it: a few exponents
    are products or roots (x**3 is x*x*x, rounded twice), the rest go to pow()."""
    if a.dtype.kind == "f":
        if e == 2:
            return a * a
        if e == 3:
            return a * a * a
        if e == 0.5:
            return np.sqrt(a)
        if e == -0.5:
            return 1 / np.sqrt(a)
        if e == -1:
            return 1 / a
        if e == -2:
            return 1 / (a * a)
    return a ** e


def pow_tensor_self_backward(grad: Any, a: np.ndarray, b: Any) -> Any:
    """torch's ``where(b == 0, 0, grad * (b * a ** (b - 1)))`` (that grouping, to the bit)."""
    if not np.ndim(b):
        if b == 0:
            return np.zeros_like(a)
        return grad * (b * scalar_pow(a, b - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = grad * (b * power(a, b - 1))
    zero = np.asarray(b) == 0
    return np.where(zero, 0, out).astype(out.dtype, copy=False) if zero.any() else out


def pow_tensor_exponent_backward(grad: Any, a: np.ndarray, b: Any, result: np.ndarray) -> Any:
    """d(a**b)/db = a**b * log(a), as torch's ``grad * where(a == 0 & b >= 0, 0,
    result * log(a))``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        local = result * log(a)
    mask = (a == 0) & (np.asarray(b) >= 0)
    if mask.any():
        local = np.where(mask, 0, local).astype(local.dtype, copy=False)
    return grad * local


def rpow_backward(grad: Any, base: Any, result: np.ndarray) -> Any:
    """d(c**a)/da = c**a * log(c), as torch's ``grad * where(c == 0 & a >= 0, 0,
    result * log(c))`` (with c == 0, a >= 0 is where result = 0**a is finite)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(c) of the Python number in double precision, then in r's dtype (torch's Scalar)
        local = result * result.dtype.type(
            math.log(base) if base > 0 else np.log(np.float64(base)))
    if base == 0:
        local = np.where(np.isfinite(result), 0, local).astype(local.dtype, copy=False)
    return grad * local


# ---------------------------------------------------------------- activations
def softplus(a: np.ndarray, beta: Any, threshold: Any) -> np.ndarray:
    """``log1p(exp(a*beta)) / beta``, or ``a`` itself where ``a*beta > threshold``."""
    t = a.dtype.type
    ab = a * t(beta)
    return np.where(ab > t(threshold), a, log1p(exp(ab)) / t(beta)).astype(a.dtype, copy=False)


def softplus_backward(grad: Any, a: np.ndarray, beta: Any, threshold: Any) -> np.ndarray:
    """torch's ``softplus_backward``: ``z = exp(a*beta)``; ``grad * z / (z + 1)``, or ``grad``
    above the threshold."""
    t = a.dtype.type
    ab = a * t(beta)
    z = exp(ab)
    return np.where(ab > t(threshold), grad, grad * z / (z + 1))


def _elu_coefs(dtype: np.dtype, alpha: Any, scale: Any, input_scale: Any) -> tuple:
    t = dtype.type
    return t(alpha) * t(scale), t(scale), t(input_scale)  # negcoef, poscoef, negiptcoef


def elu(a: np.ndarray, alpha: Any, scale: Any, input_scale: Any) -> np.ndarray:
    """``expm1(a * input_scale) * alpha * scale`` where ``a <= 0``, else ``a * scale``."""
    neg, pos, inp = _elu_coefs(a.dtype, alpha, scale, input_scale)
    return np.where(a <= 0, expm1(a * inp) * neg, a * pos).astype(a.dtype, copy=False)


def elu_backward(grad: Any, x: np.ndarray, alpha: Any, scale: Any, input_scale: Any,
                 is_result: bool) -> np.ndarray:
    """torch's ``elu_backward``, from the input (EluBackward0) or the result (in place,
    EluBackward1): ``grad * input_scale * alpha*scale * exp(x * input_scale)`` resp.
    ``grad * input_scale * (result + alpha*scale)`` where ``x <= 0``; ``grad * scale``
    elsewhere."""
    neg, pos, inp = _elu_coefs(x.dtype, alpha, scale, input_scale)
    if is_result:
        inside = grad * inp * (x + neg)
    else:
        inside = grad * inp * neg * exp(x * inp)
    return np.where(x <= 0, inside, grad * pos)


_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 2 / math.sqrt(math.pi) * _SQRT1_2 * 0.5  # M_2_SQRTPI * M_SQRT1_2 * 0.5
_GELU_BETA = math.sqrt(2) * 2 / math.sqrt(math.pi) * 0.5  # M_SQRT2 * M_2_SQRTPI * 0.5
_GELU_KAPPA = 0.044715


def gelu(a: np.ndarray, approximate: str) -> np.ndarray:
    """``x/2 * (1 + erf(x/sqrt 2))``; with ``'tanh'``,
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))`` (torch's kernel grouping)."""
    t = a.dtype.type
    if approximate == "tanh":
        return (t(0.5) * a) * (1 + tanh(t(_GELU_BETA) * (a + t(_GELU_KAPPA) * (a * a * a))))
    return (a * t(0.5)) * (1 + erf(a * t(_SQRT1_2)))


def gelu_backward(grad: Any, x: np.ndarray, approximate: str) -> np.ndarray:
    """torch's ``gelu_backward``: ``grad * (cdf + x * pdf)``; the tanh form's derivative
    ``grad * (0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) * beta (1 + 3 kappa x^2))``."""
    t = x.dtype.type
    if approximate == "tanh":
        x_sq = x * x
        tanh_inner = tanh(t(_GELU_BETA) * (x + t(_GELU_KAPPA) * (x_sq * x)))
        left = t(0.5) * x
        left_derivative = t(0.5) * (1 + tanh_inner)
        tanh_derivative = 1 - tanh_inner * tanh_inner
        inner_derivative = t(_GELU_BETA) * (1 + t(3) * t(_GELU_KAPPA) * x_sq)
        return grad * (left_derivative + left * tanh_derivative * inner_derivative)
    cdf = t(0.5) * (1 + erf(x * t(_SQRT1_2)))
    pdf = t(_GELU_PDF) * exp(x * x * t(-0.5))
    return grad * (cdf + x * pdf)


def silu_sigmoid(x: np.ndarray) -> np.ndarray:
    """The sigmoid inside silu and mish: ``1 / (1 + exp(-x))`` (not ``sigmoid``'s kernel)."""
    return 1 / (1 + exp(-x))


def silu_backward(grad: Any, x: np.ndarray) -> Any:
    """torch's ``silu_backward``: ``grad * s * (1 + x * (1 - s))``, s = sigmoid(x). In float32
    the scalar loop (the tail after whole blocks of two vectors: every value of a small tensor)
    is compiled with the inner multiply-add fused (one rounding); the vector loop is not."""
    s = silu_sigmoid(x)
    plain = grad * s * (1 + x * (1 - s))
    if x.dtype != np.float32 or np.shape(grad) != x.shape or not x.flags.c_contiguous:
        return plain
    block = 2 * sleef.LANES
    tail = x.size % block
    if not tail:
        return plain
    fx, fs, fg = x.reshape(-1)[-tail:], s.reshape(-1)[-tail:], np.ravel(grad)[-tail:]
    fused = (fx.astype(np.float64) * (1 - fs) + 1).astype(np.float32)
    out = np.array(plain).reshape(-1)
    out[-tail:] = fg * fs * fused
    return out.reshape(x.shape)


def mish_tanh(x: np.ndarray) -> np.ndarray:
    """``tanh(softplus(x))``, the factor of mish."""
    return tanh(log1p(exp(x)))


def hardsigmoid(a: np.ndarray) -> np.ndarray:
    """``relu6(a + 3) / 6``."""
    return np.minimum(np.maximum(a + 3, 0), 6) / 6


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- bit shifts
def shift(a: np.ndarray, b: Any, left: bool) -> np.ndarray:
    """``a << b`` (``left``) or ``a >> b`` as torch computes them: shifting by a negative
    amount or by the type's width or more gives 0 (-1 for a negative shifted right)."""
    a = np.asarray(a)
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    b = np.asarray(b).astype(a.dtype, copy=False)
    bits = a.dtype.itemsize * 8
    out_of_range = (b < 0) | (b >= bits)
    amount = np.where(out_of_range, 0, b)
    shifted = np.left_shift(a, amount) if left else np.right_shift(a, amount)
    if left:
        beyond = np.zeros_like(shifted)
    else:
        beyond = np.where(a < 0, -1, 0).astype(a.dtype) if a.dtype.kind == "i" else 0
    return np.where(out_of_range, beyond, shifted).astype(a.dtype, copy=False)
