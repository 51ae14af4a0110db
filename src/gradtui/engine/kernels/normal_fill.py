"""torch's Box-Muller on blocks of 16 (``normal_fill``), to the last bit, for each CPU path.

``randn``/``normal_`` on a contiguous tensor of at least 16 values (aten/src/ATen/native/cpu/
DistributionTemplates.h) first fills the tensor with uniforms, then turns each block of 16 into
normals: ``u1 = 1 - d[j]``, ``u2 = d[j + 8]`` for ``j < 8``, ``radius = sqrt(-2 log u1)``,
``theta = 2 pi u2``, ``d[j] = radius cos(theta) * std + mean``, ``d[j + 8] = radius sin(theta)
* std + mean`` (one fused multiply-add). A ragged tail is done by drawing 16 fresh uniforms and
overwriting the last 16 values. How log, sin and cos are computed depends on the CPU torch runs on:

- **AVX2 and AVX512 CPUs** (every x86 CPU of the last ten years): float32 goes through
  ``NormalFill16<float>``'s AVX2 code (torch registers ``normal_stub`` without an AVX512 kernel),
  which calls ``log256_ps`` and ``sincos256_ps`` of ``avx_mathfun.h`` (cephes polynomials in
  float32). The compiler fused their ``a * b + c`` steps into FMAs; which ones it fused was found
  by matching torch bit for bit. ``normal_fill_avx2`` below is that code, step by step.
- **other CPUs** (``ATEN_CPU_CAPABILITY=default``): the same loop in scalar C++, calling the C
  library's ``logf``, ``cosf`` and ``sinf``; we call the same functions through ``ctypes``.
- **float64** (any CPU): the scalar loop with the C library's ``log``, ``cos`` and ``sin``, which
  are what Python's ``math`` module calls.

**Why float64-then-round is exact for the FMAs here**: an FMA ``a * b + c`` of float32 values is
computed as a float64 product (exact: 48 bits) plus ``c`` in float64, then rounded to float32.
That can differ from one rounding only when the float64 sum was inexact and lands exactly half
way between two floats. The kernel's inputs are finite sets (``u1 = 1 - k 2^-24`` and
``theta = fl(2 pi) * k 2^-24`` for the 2^24 values of k), and every FMA step was checked over all
of them (tests/engine/kernels/test_normal_fill.py runs a sample): that case never happens. Only the
final ``* std + mean`` sees arbitrary values, and ``fma32`` rounds it once, exactly.
"""

from __future__ import annotations

import ctypes
import math
import os
import platform
from collections.abc import Callable

import numpy as np

from gradtui.engine.kernels import fma64

F32, F64, I32, U64 = np.float32, np.float64, np.int32, np.uint64
_CHUNK = 1 << 15  # values per chunk: the scratch arrays stay in the CPU's cache


def cpu_capability() -> str:
    """The kernel set torch 2.13 would use here: ``"AVX2"`` (AVX2 and FMA, or AVX512, which
    normal_ does not use) or ``"DEFAULT"``; ``ATEN_CPU_CAPABILITY`` overrides it, as in torch."""
    forced = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if forced == "default":
        return "DEFAULT"
    if forced in ("avx2", "avx512"):
        return "AVX2"
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "DEFAULT"
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as cpu
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as cpu
    return "AVX2" if cpu.get("AVX2") and cpu.get("FMA3") else "DEFAULT"


CAPABILITY = cpu_capability()
# torch's uniform_ computes ``x * (to - from) + from``: fused on AVX2 builds, not on DEFAULT
FUSED = CAPABILITY == "AVX2"


# ------------------------------------------------------------------------------- exact FMA
def fma32(a: np.ndarray, b: np.floating | np.ndarray, c: np.floating | np.ndarray) -> np.ndarray:
    """``a * b + c`` of float32 values with one rounding to float32 (torch's fused
    multiply-add). The float64 sum is rounded to float32 unless it sits exactly half way between
    two floats after being rounded itself; those rare values are nudged toward the exact sum."""
    product = np.multiply(a, b, dtype=F64)  # exact
    total = product + np.asarray(c, F64)
    tie = (total.view(U64) & U64(0x1FFFFFFF)) == U64(0x10000000)
    if tie.any():
        p = product[tie]
        cc = np.broadcast_to(np.asarray(c, F64), total.shape)[tie]
        s = total[tie]
        back = s - p
        err = (p - (s - back)) + (cc - back)  # two-sum: the exact p + c is s + err
        s = np.where(err > 0, np.nextafter(s, np.inf), np.where(err < 0, np.nextafter(s, -np.inf),
                                                                 s))
        total[tie] = s
    return total.astype(F32)


def scale_shift(values: np.ndarray, std: float, mean: float) -> np.ndarray:
    """``fma(values, std, mean)`` in the values' precision (float32 or float64)."""
    if std == 1 and mean == 0:
        return values
    if values.dtype == F64:
        return fma64.fma(values, np.full_like(values, std), np.full_like(values, mean))
    return fma32(values, F32(std), F32(mean))


# ------------------------------------------------------------------ avx_mathfun.h, in float32
_LOG_P = [F64(F32(v)) for v in (
    7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
    -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_LOG_Q1, _LOG_Q2 = F32(-2.12194440e-4), F64(F32(0.693359375))
_SQRTHF = F32(0.707106781186547524)
_DP = [F64(F32(v)) for v in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)]
_SIN_P = [F64(F32(v)) for v in (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)]
_COS_P = [F64(F32(v)) for v in (2.443315711809948E-005, -1.388731625493765E-003,
                                4.166664568298827E-002)]
_FOPI = F32(1.27323954473516)  # 4 / pi
_TWO_PI = F32(2.0 * math.pi)  # torch's _mm256_set1_ps(2.0f * c10::pi<double>)


class _Scratch:
    """Float64 work arrays for one chunk: ``t`` takes each FMA's exact product and sum, ``y64``
    the running float32 value widened."""

    def __init__(self, size: int) -> None:
        self.t = np.empty(size, F64)
        self.y64 = np.empty(size, F64)


def _round_into(out32: np.ndarray, t: np.ndarray, y64: np.ndarray | None = None) -> np.ndarray:
    """Round the float64 sums ``t`` to float32 into ``out32`` (and widen them back into y64)."""
    np.copyto(out32, t, casting="same_kind")
    if y64 is not None:
        np.copyto(y64, out32)
    return out32


def _horner(x64: np.ndarray, coefs: list[np.float64], s: _Scratch, out32: np.ndarray) -> None:
    """``out32 = p(x)`` by Horner's rule with one fused multiply-add per step, as compiled."""
    t, y64 = s.t, s.y64
    np.multiply(x64, coefs[0], out=t)
    t += coefs[1]
    _round_into(out32, t, y64)
    for c in coefs[2:]:
        np.multiply(y64, x64, out=t)
        t += c
        _round_into(out32, t, y64)


def _log256(u1: np.ndarray, s: _Scratch) -> np.ndarray:
    """``log256_ps`` for u1 in [2^-24, 1]: log x = e ln2 + log m, m in [sqrt(1/2), sqrt 2)."""
    m, ex = np.frexp(u1)  # m in [0.5, 1), as the code's mantissa masking gives
    small = (m < _SQRTHF).astype(I32)
    m.view(I32)[...] += small << 23  # m + m where m < sqrt(1/2): one step up the exponent
    m -= F32(1)
    x = m
    ex -= small
    e = ex.astype(F32)
    z = x * x
    x64 = x.astype(F64)
    y = np.empty_like(x)
    _horner(x64, _LOG_P, s, y)
    t, y64 = s.t, s.y64
    y *= x
    np.copyto(y64, y)
    z64 = z.astype(F64)
    np.multiply(y64, z64, out=t)
    t += e * _LOG_Q1  # fused: y * z + e * q1 (the product e * q1 rounded first)
    _round_into(y, t, y64)
    np.multiply(z64, -0.5, out=t)
    t += y64  # fused: y - z * 0.5
    _round_into(y, t)
    y += x
    np.copyto(y64, y)
    np.multiply(e, _LOG_Q2, out=t, dtype=F64)
    t += y64  # fused: (x + y) + e * q2
    return _round_into(np.empty_like(y), t)


def _sincos256(theta: np.ndarray, s: _Scratch) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` for theta in [0, 2 pi): reduce by multiples of pi/4 (j even), evaluate
    both polynomials, swap them where j & 2, set the signs from j."""
    j = (theta * _FOPI).astype(I32)
    j += 1
    j &= ~1
    y64 = j.astype(F64)
    t = s.t
    x64 = theta.astype(F64)
    x = np.empty_like(theta)
    for dp in _DP:  # x = ((x - y DP1) - y DP2) - y DP3, each step fused
        np.multiply(y64, dp, out=t)
        t += x64
        _round_into(x, t, x64)
    z = x * x
    z64 = z.astype(F64)
    yc = np.empty_like(x)
    _horner(z64, _COS_P, s, yc)
    yc *= z
    np.copyto(s.y64, yc)
    np.multiply(s.y64, z64, out=t)
    t -= z64 * 0.5  # fused: y * z - z * 0.5 (the product z * 0.5 is exact)
    _round_into(yc, t)
    yc += F32(1)
    ys = np.empty_like(x)
    _horner(z64, _SIN_P, s, ys)
    ys *= z
    np.copyto(s.y64, ys)
    np.multiply(s.y64, x64, out=t)
    t += x64  # fused: y2 * x + x
    _round_into(ys, t)
    sin_bits, cos_bits = ys.view(I32), yc.view(I32)
    swap = (j >> 1) & 1
    np.negative(swap, out=swap)  # all ones where the two polynomials trade places
    diff = sin_bits ^ cos_bits
    diff &= swap
    sin_sign = (j & 4) << 29
    j -= 2
    np.invert(j, out=j)
    j &= 4
    j <<= 29  # the cosine's sign
    sin_bits ^= diff
    sin_bits ^= sin_sign
    cos_bits ^= diff
    cos_bits ^= j
    return ys, yc


def _fill16_avx2(blocks: np.ndarray, mean: float, std: float) -> None:
    """``NormalFill16<float>`` (AVX2) on rows of 16 uniforms, in place."""
    u1 = F32(1) - blocks[:, :8].ravel()
    theta = blocks[:, 8:].ravel() * _TWO_PI
    scratch = _Scratch(u1.size)
    radius = _log256(u1, scratch)
    radius *= F32(-2)
    np.sqrt(radius, out=radius)
    sin, cos = _sincos256(theta, scratch)
    cos *= radius
    sin *= radius
    blocks[:, :8] = scale_shift(cos, std, mean).reshape(-1, 8)
    blocks[:, 8:] = scale_shift(sin, std, mean).reshape(-1, 8)


# ------------------------------------------------------------------ the scalar C++ loop
def _libm_float_functions() -> tuple[Callable, Callable, Callable] | None:
    """The C library's ``logf``, ``cosf``, ``sinf`` (what torch's scalar loop calls), or None
    where they cannot be loaded."""
    try:
        libm = ctypes.CDLL(None)
        functions = tuple(getattr(libm, name) for name in ("logf", "cosf", "sinf"))
    except (OSError, AttributeError):
        return None
    for fn in functions:
        fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
    return functions  # type: ignore[return-value]


_LIBM_FLOAT = _libm_float_functions()


def _float_map(fn: Callable, fallback: Callable, values: np.ndarray) -> np.ndarray:
    if _LIBM_FLOAT is None:  # no C library at hand: float64 rounded (differs in the last bit)
        return fallback(values.astype(F64)).astype(F32)
    return np.array(list(map(fn, values.tolist())), dtype=F32)


def _fill16_scalar(blocks: np.ndarray, mean: float, std: float) -> None:
    """``NormalFill16<scalar_t>``: the C++ loop with the C library's functions, in the
    dtype's own precision (float32 calls logf/cosf/sinf, float64 log/cos/sin)."""
    double = blocks.dtype == F64
    u1 = 1 - blocks[:, :8].ravel()
    # theta = 2.0f * pi<double> * u2: a double product, rounded to the dtype
    theta = (F64(2.0 * math.pi) * blocks[:, 8:].ravel().astype(F64)).astype(blocks.dtype)
    if double:
        log_u1 = np.array(list(map(math.log, u1.tolist())))
        cos = np.array(list(map(math.cos, theta.tolist())))
        sin = np.array(list(map(math.sin, theta.tolist())))
    else:
        logf, cosf, sinf = _LIBM_FLOAT or (None, None, None)
        log_u1 = _float_map(logf, np.log, u1)
        cos = _float_map(cosf, np.cos, theta)
        sin = _float_map(sinf, np.sin, theta)
    radius = np.sqrt(log_u1 * -2)
    blocks[:, :8] = scale_shift(radius * cos, std, mean).reshape(-1, 8)
    blocks[:, 8:] = scale_shift(radius * sin, std, mean).reshape(-1, 8)


def normal_fill(values: np.ndarray, tail: np.ndarray | None, mean: float, std: float) -> None:
    """torch's ``normal_fill`` on ``values`` (float32 or float64 uniforms, in place): every full
    block of 16, then, for a ragged size, ``tail`` (16 fresh uniforms) transformed and written
    over the last 16 values."""
    use_avx2 = values.dtype == F32 and CAPABILITY == "AVX2"
    fill = _fill16_avx2 if use_avx2 else _fill16_scalar
    full = values.size // 16 * 16
    blocks = values[:full].reshape(-1, 16)
    rows = _CHUNK // 16
    for start in range(0, blocks.shape[0], rows):
        fill(blocks[start:start + rows], mean, std)
    if tail is not None:
        block = tail.reshape(1, 16)
        fill(block, mean, std)
        values[-16:] = block.reshape(16)
