"""SLEEF's exp, log and log1p in float32, and softmax and log_softmax over the last dim, rounded
like torch's CPU kernels, to the last bit.

torch 2.13 computes these float32 ops in aten/src/ATen/native/cpu/SoftMaxKernel.cpp with SIMD
vectors of ``LANES`` floats (16 with AVX512, 8 with AVX2), and three details decide the last bit:

- **exp and log are SLEEF's** ``expf_u10`` and ``logf_u10`` (``Vectorized<float>::exp/log``):
  under 1 ulp of error, but not correctly rounded, so float64-then-rounded misses ~9% of exps
  and ~1% of logs. ``expf`` and ``logf`` below are those algorithms step by step in float32,
  with each fused multiply-add done in float64 (a float32 product is exact there) and rounded once.
- **sums are ``vec::reduce_all``**: a row shorter than a vector is added left to right; a longer
  one is added a vector at a time (lane by lane), the ragged tail into the first lanes, then the
  lanes are folded in halves (lane i + lane i+8, then i+4, i+2, i+1).
- **fusions**: log_softmax's backward ``g - exp(out) * sum`` is one fused multiply-subtract;
  softmax's backward ``sum(g * out)`` rounds each product except in the tail, where the compiler
  fused it into the accumulate; softmax multiplies by ``1 / sum`` rather than dividing.

Every rule here was measured bit for bit against torch (tests/engine/kernels/test_sleef.py).
Only float32 rows over the last dim take this path; the callers keep numpy for the rest.
"""

from __future__ import annotations

import os

import numpy as np

F32, F64 = np.float32, np.float64


def _lanes() -> int:
    """torch's SIMD width for float32 here: AVX512 (16 lanes) where the CPU has the subsets torch
    requires for it (and ATEN_CPU_CAPABILITY=avx2 does not lower it), else AVX2 (8)."""
    if os.environ.get("ATEN_CPU_CAPABILITY", "").lower() == "avx2":
        return 8
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as cpu
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as cpu
    wanted = ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ")
    return 16 if all(cpu.get(name) for name in wanted) else 8


LANES = _lanes()

# ------------------------------------------------------------------------- SLEEF expf_u10
# Small arrays pay per numpy call, so the steps that are exact in float64 are merged into one
# (each merge is argued in a comment, and the whole checked against torch on ~10^7 values).
_R_LN2 = F32(1.442695040888963407359924681001892137426645954152985934135449406931)
# ln 2 = L2U + L2L (SLEEF's float32 parts); their sum is exact in float64 (43 bits), and so is
# q * (L2U + L2L) for |q| < 256 (51 bits) and d minus it: SLEEF's two fma steps then round once.
_L2 = F64(F32(0.693145751953125)) + F64(F32(1.428606765330187045e-06))
_EXP_C = tuple(F64(F32(c)) for c in (
    0.000198527617612853646278381, 0.00139304355252534151077271, 0.00833336077630519866943359,
    0.0416664853692054748535156, 0.166666671633720397949219, 0.5))


def expf(d: np.ndarray, nonpositive: bool = False) -> np.ndarray:
    """SLEEF's ``expf_u10`` of a float32 array: e^d = 2^q * e^s with q = rint(d / ln 2) and
    |s| <= ln2/2, e^s = 1 + s + s^2 * p(s), p of degree 5 by Horner with one fma a step (the
    product of two float32 is exact in float64, so an fma is float64 arithmetic rounded once).
    ``nonpositive``: the caller knows d <= 0 or nan (``x - max``, log_softmax's output), which
    saves a check."""
    if d.size and not (-103.0 <= d.min() and (nonpositive or d.max() <= 88.0)):  # nan: false
        with np.errstate(all="ignore"):
            inside = np.clip(np.where(np.isnan(d), F32(0), d), F32(-110), F32(110))
            return _exp_edges(d, _expf(inside))
    return _expf(d)


def _expf(d: np.ndarray) -> np.ndarray:
    c0, c1, c2, c3, c4, c5 = _EXP_C
    q = np.rint(d * _R_LN2)
    s = (d - q * _L2).astype(F32)
    s64 = s.astype(F64)
    u = (s64 * c0 + c1).astype(F32).astype(F64)
    u = (u * s64 + c2).astype(F32).astype(F64)
    u = (u * s64 + c3).astype(F32).astype(F64)
    u = (u * s64 + c4).astype(F32).astype(F64)
    u = (u * s64 + c5).astype(F32)
    u = ((s * s) * u.astype(F64) + s64).astype(F32) + F32(1)
    return np.ldexp(u, q.astype(np.int32))  # torch scales in two exact steps: one rounding


def _exp_edges(d: np.ndarray, out: np.ndarray) -> np.ndarray:
    """SLEEF's edges: 0 below -104, inf above 100, a nan passed through (its sign too)."""
    out = np.where(d < -104, F32(0), out)
    out = np.where(d > 100, F32(np.inf), out)
    return np.where(np.isnan(d), d, out).astype(F32, copy=False)


# ------------------------------------------------------------------------- SLEEF logf_u10
_LOG_E0 = 160  # e * ln2 as a float32 pair, for every exponent e of a float32 (and subnormals)
_LOG_E = np.arange(-_LOG_E0, 140).astype(F32)
_LN2_HI, _LN2_LO = F32(0.69314718246459960938), F32(-1.904654323148236017e-09)
_LOG_S_HI = _LN2_HI * _LOG_E
_LOG_S_LO = (np.multiply(_LN2_LO, _LOG_E, dtype=F64)
             + (np.multiply(_LN2_HI, _LOG_E, dtype=F64) - _LOG_S_HI)).astype(F32)
_LOG_T = tuple(F64(F32(c)) for c in (0.3027294874, 0.3996108174, 0.6666694880))
_FOUR_THIRDS = F32(1.0 / 0.75)


def logf(d: np.ndarray) -> np.ndarray:
    """SLEEF's ``logf_u10`` (``xlogf_u1``) of a float32 array: with d = m * 2^e, m in
    [0.75, 1.5), x = (m-1)/(m+1), log d = e ln2 + 2x + x^3 t(x^2), carried in double-float
    (head + tail) arithmetic. torch takes it of sums of exps (>= 1, or inf or nan)."""
    if d.size and not (np.finfo(F32).tiny <= d.min() and d.max() < np.inf):
        return _log_edges(d)
    return _logf(d)


def _logf(d: np.ndarray) -> np.ndarray:
    k = np.frexp(d * _FOUR_THIRDS)[1]  # SLEEF's e = ilogb(d * 4/3) = k - 1
    m = np.ldexp(d, 1 - k)
    s_hi, s_lo = _LOG_S_HI[k + (_LOG_E0 - 1)], _LOG_S_LO[k + (_LOG_E0 - 1)]
    # x = (m - 1) / (m + 1) as a pair (x_hi, x_lo), SLEEF's dfdiv: m - 1 is exact (m in
    # [0.75, 1.5)); 1 - t*(m + 1) is exact in float64, and so is t*(m-1) - x_hi
    n_hi = m - F32(1)
    t = F32(1) / (m + F32(1))
    x_hi = n_hi * t
    t64 = t.astype(F64)
    v = (1 - t64 * (m.astype(F64) + 1)).astype(F32)
    x_lo = (x_hi.astype(F64) * v + (t64 * n_hi.astype(F64) - x_hi)).astype(F32)
    return _log_sum(s_hi, s_lo, x_hi, x_lo, _LOG_T)


def _log_sum(s_hi: np.ndarray, s_lo: np.ndarray, x_hi: np.ndarray, x_lo: np.ndarray,
             coefficients: tuple[np.float64, np.float64, np.float64]) -> np.ndarray:
    """SLEEF's last steps of ``logf`` and ``log1pf``: e ln2 (as the pair ``s``) + 2x +
    x^3 t(x^2), x the pair (x_hi, x_lo), t of degree 2 (its own ``coefficients`` in each) by
    Horner with one fma a step, summed in double-float arithmetic in SLEEF's order and
    rounded once at the end."""
    t0, t1, t2 = coefficients
    x2 = x_hi * x_hi
    x2_64 = x2.astype(F64)
    p = (x2_64 * t0 + t1).astype(F32)
    p = (x2_64 * p + t2).astype(F32)
    y_hi = x_hi + x_hi  # (s_hi, s_lo) + 2x + x^3 p, in SLEEF's order
    r_hi = s_hi + y_hi
    r_lo = (((s_hi - r_hi) + y_hi) + s_lo) + (x_lo + x_lo)
    z = (x2 * x_hi) * p
    head = r_hi + z
    return head + (((r_hi - head) + z) + r_lo)


def _log_edges(d: np.ndarray) -> np.ndarray:
    """inf at inf, nan below 0 and at nan, -inf at 0; subnormals (which SLEEF scales by 2^64
    first) in float64, rounded: torch never takes the log of one here (sums of exps are >= 1)."""
    with np.errstate(all="ignore"):
        normal = (d >= np.finfo(F32).tiny) & (d < np.inf)
        out = _logf(np.where(normal, d, F32(1)))
        out = np.where(normal, out, np.log(d.astype(F64)).astype(F32))
    return out.astype(F32, copy=False)


# ------------------------------------------------------------------------- SLEEF log1pf_u10
_LOG1P_T = tuple(F64(F32(c)) for c in (0.3027294874, 0.3996108174, 0.6666694880))
_LOG1P_BIG = F32(2.5e38)  # (1 + d) * 4/3 overflows a little above this


def log1pf(d: np.ndarray) -> np.ndarray:
    """SLEEF's ``log1pf_u10`` (``Vectorized<float>::log1p``, torch's float32 ``log1p`` at every
    length and its ``log_sigmoid``): with 1 + d ~ 2^e * (1 + m), t = 2^-e and m = d*t + (t - 1)
    (one fma), x = m / (2 + m) as a pair (SLEEF's dfdiv over the pair 2 + m), then
    log(1 + d) = e ln2 + 2x + x^3 t(x^2) in double-float arithmetic, as ``logf`` above.
    Each fma is float64 arithmetic rounded once. Edges (torch's SLEEF): inf at inf, nan below -1,
    -inf at -1, -0 at -0; e is 128 where (1 + d) * 4/3 overflows (d above ~2.55e38)."""
    with np.errstate(all="ignore"):
        if d.size and -1 < d.min() and d.max() < _LOG1P_BIG:  # nan fails
            out = _log1pf(d)
        else:
            out = _log1pf(d, big=np.isinf((d + F32(1)) * _FOUR_THIRDS))
            out = np.where(d == np.inf, F32(np.inf), out)
            out = np.where(d < -1, F32(np.nan), out)
            out = np.where(d == -1, F32(-np.inf), out)
            out = np.where(np.isnan(d), d, out)
    return np.where(d == 0, d, out)  # -0 stays -0


def _log1pf(d: np.ndarray, big: np.ndarray | None = None) -> np.ndarray:
    """``log1pf`` without its edges; ``big`` marks where getexp's argument overflowed."""
    # AVX512's getexp(x) is floor(log2 x); frexp's exponent is one more
    e = np.frexp((d + F32(1)) * _FOUR_THIRDS)[1] - 1
    if big is not None:
        e = np.where(big, 128, e)
    t = np.ldexp(F32(1), -e)
    m = (np.multiply(d, t, dtype=F64) + (t - F32(1))).astype(F32)
    ef = e.astype(F32)
    s_hi = _LN2_HI * ef  # (ln2 hi, lo) * e, SLEEF's dfmul: the tail two fmas
    s_lo = (np.multiply(_LN2_LO, ef, dtype=F64)
            + (np.multiply(_LN2_HI, ef, dtype=F64) - s_hi)).astype(F32)
    # x = (m, 0) / (2 + m), the denominator a pair (d_hi, d_lo) (dfadd, exact)
    d_hi = F32(2) + m
    d_lo = (F32(2) - d_hi) + m
    r = F32(1) / d_hi
    r64 = r.astype(F64)
    x_hi = m * r
    u = (r64 * m - x_hi).astype(F32)  # fma: the error of x_hi
    v = (1 - d_hi * r64).astype(F32)  # fma: 1 - d_hi r (exact in float64)
    v = (v - d_lo * r64).astype(F32)  # fma
    x_lo = (x_hi.astype(F64) * v + u).astype(F32)
    return _log_sum(s_hi, s_lo, x_hi, x_lo, _LOG1P_T)


# ------------------------------------------------------------------------- vec::reduce_all
def _fold(acc: np.ndarray) -> np.ndarray:
    """The horizontal sum of a vector's lanes (last axis): halves added, lane i + lane i+h."""
    width = acc.shape[-1]
    while width > 1:
        width //= 2
        acc = acc[..., :width] + acc[..., width:]
    return acc[..., 0]


def row_sums(x: np.ndarray, products: np.ndarray | None = None) -> np.ndarray:
    """Sum of each row (last axis) in ``vec::reduce_all``'s order. With ``products`` (the
    factor of softmax's backward ``sum(g * y)``), sums ``x * products``: products rounded,
    except the tail's, which are fused into the accumulate."""
    n = x.shape[-1]
    if n < LANES:  # too short for a vector: left to right
        terms = x if products is None else x * products
        return np.add.accumulate(terms, axis=-1)[..., -1]
    full = n // LANES
    lead = x.shape[:-1]
    body = x[..., :full * LANES].reshape(lead + (full, LANES))
    if products is not None:
        body = body * products[..., :full * LANES].reshape(lead + (full, LANES))
    acc = np.add.reduce(body, axis=-2)  # a middle axis: numpy adds it row by row
    tail = n - full * LANES
    if tail:
        if products is None:
            acc[..., :tail] += x[..., full * LANES:]
        else:
            wide = np.multiply(x[..., full * LANES:], products[..., full * LANES:], dtype=F64)
            wide += acc[..., :tail]
            acc[..., :tail] = wide
    return _fold(acc)


# ------------------------------------------------------------------------- the kernels
def _log_of_sums(sums: np.ndarray) -> np.ndarray:
    """``logf`` of sums of exps that include exp(0) = 1: all >= 1 unless inf or nan."""
    if sums.size and not sums.max() < np.inf:  # nan fails too
        return _log_edges(sums)
    return _logf(sums)


def softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``exp(x - max) * (1 / sum)`` per row."""
    e = expf(x - np.maximum.reduce(x, axis=-1, keepdims=True), nonpositive=True)
    e *= (F32(1) / row_sums(e))[..., None]
    return e


def log_softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``(x - max) - log(sum(exp(x - max)))`` per row (two roundings, in that order)."""
    shifted = x - np.maximum.reduce(x, axis=-1, keepdims=True)
    shifted -= _log_of_sums(row_sums(expf(shifted, nonpositive=True)))[..., None]
    return shifted


def log_softmax_backward_lastdim(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``g - exp(out) * sum(g)`` per row, the multiply-subtract fused (one rounding)."""
    product = expf(out, nonpositive=True) * row_sums(g).astype(F64)[..., None]  # exact
    return (g - product).astype(F32)


def softmax_backward_lastdim(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``(g - sum(g * out)) * out`` per row."""
    return (g - row_sums(g, out)[..., None]) * out
