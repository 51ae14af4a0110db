"""Elementwise float32 ops rounded like torch 2.13's CPU loops, to the last bit.

torch runs an elementwise op through ``cpu_kernel_vec``: over a contiguous run of ``n`` values it
applies the SIMD lambda to blocks of two vectors (``2 * LANES`` values: 32 with AVX512, 16 with
AVX2) and the scalar lambda to the ragged tail (``n % (2 * LANES)`` values), so one op can round
two ways within a tensor. Measured against torch 2.13 (one thread) on this engine's ops:

- **sigmoid**: the vector lambda is ``1 / (exp(0 - x) + 1)`` with SLEEF's ``expf_u10``
  (``sleef.expf``), the scalar one ``1 / (1 + std::exp(-x))`` with glibc's ``expf``
  (``glibc_expf`` below). Float64-then-rounded misses ~4% of the vector part.
- **log_sigmoid** (``F.logsigmoid``, and inside ``binary_cross_entropy_with_logits``) has no
  scalar lambda: the ragged tail is loaded as a partial vector, so every value goes
  ``min(x, 0) - log1p(exp(-|x|))`` with SLEEF's ``expf_u10`` and ``log1pf_u10``
  (``sleef.log1pf``); the kernel keeps ``exp(-|x|)`` as a buffer for the backward,
  ``(max_deriv - sign * (b / (1 + b))) * g``. Float64-then-rounded misses ~10-20% of values.
- **log1p** is SLEEF's ``log1pf_u10`` at every length too.
- **tanh, exp, log** are not SLEEF's here: torch hands them to MKL's VML (``vmsTanh``,
  ``vmsExp``, ``vmsLn``; the same bits at every length), whose algorithms are not public, so
  the engine keeps float64-then-rounded (``elementwise.wide``): it misses ~0.1% of tanh, ~1%
  of exp and ~8% of log values by one ulp.

Tensors over 32768 values are split across torch's threads, each chunk with its own tail; the
rule here is the one-thread one.
"""

from __future__ import annotations

import numpy as np

from gradtui.engine.kernels import sleef

F32, F64 = np.float32, np.float64

# ------------------------------------------------------------------------- glibc expf
# glibc's expf (2.28 on, sysdeps/ieee754/flt-32/e_expf.c): all in double, rounded once at the
# end: e^x = 2^(k/32) * 2^(r/32), k = rint(x * 32/ln2), r the rest, 2^(r/32) by a cubic and
# 2^(k/32) from a 32-entry table. It is not correctly rounded: ~0.06% of values differ from
# float64-then-rounded (checked against the C library on 5 * 10^5 values: identical).
_N = 32
_INV_LN2_N = F64(float.fromhex("0x1.71547652b82fep+0") * _N)
_EXP2F_C = (F64(float.fromhex("0x1.c6af84b912394p-5") / _N / _N / _N),
            F64(float.fromhex("0x1.ebfce50fac4f3p-3") / _N / _N),
            F64(float.fromhex("0x1.62e42ff0c52d6p-1") / _N))
_EXP2F_T = np.exp2(np.arange(_N, dtype=np.longdouble) / _N).astype(F64)  # 2^(i/32), rounded


def glibc_expf(x: np.ndarray) -> np.ndarray:
    """glibc's ``expf`` of a float32 array (0 below -104, inf above 88.73, nan kept)."""
    c0, c1, c2 = _EXP2F_C
    with np.errstate(all="ignore"):
        xd = np.clip(np.where(np.isnan(x), F32(0), x), F32(-110), F32(110)).astype(F64)
        z = _INV_LN2_N * xd
        kd = np.rint(z)
        r = z - kd
        ki = kd.astype(np.int64)
        y = (c0 * r + c1) * (r * r) + (c2 * r + 1)
        out = (y * np.ldexp(_EXP2F_T[ki % _N], (ki >> 5).astype(np.int32))).astype(F32)
    return np.where(np.isnan(x), x, out).astype(F32, copy=False)


# ------------------------------------------------------------------------- the loops
def _runs(a: np.ndarray) -> np.ndarray:
    """The values in the order torch's loop visits them: memory order for a C- or
    F-contiguous array (the output takes the input's layout), row-major otherwise."""
    return a.ravel(order="F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """torch's float32 ``sigmoid``: ``1 / (exp(-x) + 1)``, the exp SLEEF's in whole blocks of
    two vectors and glibc's in the tail."""
    flat = _runs(a)
    block = 2 * sleef.LANES
    full = flat.size - flat.size % block
    out = np.empty_like(flat)
    with np.errstate(all="ignore"):
        if full:
            e = sleef.expf(F32(0) - flat[:full])
            out[:full] = F32(1) / (e + F32(1))
        if full < flat.size:
            out[full:] = F32(1) / (F32(1) + glibc_expf(-flat[full:]))
    order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
    return out.reshape(a.shape, order=order)


def log_sigmoid(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's float32 ``log_sigmoid_forward``: ``(min(x, 0) - log1p(b), b)`` with the buffer
    b = exp(-|x|), all SLEEF's (no tail split)."""
    with np.errstate(all="ignore"):
        b = sleef.expf(-np.abs(a), nonpositive=True)
        return np.minimum(a, F32(0)) - sleef.log1pf(b), b


def log_sigmoid_backward(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(max_deriv - sign * (b / (1 + b))) * g``: max_deriv 1 and sign 1 where x < 0, else 0
    and -1 (so ``1 - q`` or ``q``; the sign's product is exact)."""
    q = b / (b.dtype.type(1) + b)
    return np.where(a < 0, 1 - q, q).astype(q.dtype, copy=False) * g
