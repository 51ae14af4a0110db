"""The arithmetic of torch's CPU optimizer kernels, on numpy arrays, rounded like torch.

torch's single-tensor SGD and Adam are chains of in-place ops (``add_(alpha=)``, ``mul_``,
``lerp_``, ``addcmul_``, ``addcdiv_``); on CPU each is one elementwise kernel in the tensor's
dtype, and some of them are *fused multiply-adds* (one rounding for ``a * b + c``). Which ones
was measured against torch 2.13 on every element of large and small tensors:

- ``add(other, alpha)``       ->  fma(alpha, other, self)
- ``lerp(end, w)``, |w| < 0.5 ->  fma(w, end - self, self)
  ``lerp(end, w)``, otherwise ->  fma(-(end - self), 1 - w, end)
- ``addcmul(t1, t2, value)``  ->  fma(value * t1, t2, self)
- ``addcdiv(t1, t2, value)``  ->  self + (value * t1) / t2   (three roundings)
- ``mul(scalar)``, ``/ scalar``, ``+ scalar``: one rounding each

Scalars are first rounded to the tensor's dtype, as the kernels do.
"""

from __future__ import annotations

import numpy as np

from gradtui.engine.kernels.fma64 import _add_odd
from gradtui.engine.kernels.fma64 import fma as fma64

F64 = np.float64


def _fma(a: np.ndarray | np.floating, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once to ``c``'s dtype, as torch's kernels do.

    float32: the product is exact in float64 and the sum is rounded to odd there, so the cast
    rounds once (53 >= 2 * 24 + 2 bits); a plain float64 sum rounded a float32 tie twice (SGD's
    ``p - lr * g`` came out an ulp off for some values). float64: ``kernels/fma64``'s
    emulation. An infinite or NaN sum (an overflowing gradient) is the plain one, as torch's is:
    the exact-error arithmetic would turn an infinity into NaN, with numpy warnings.
    """
    dtype = c.dtype
    a64, b64, c64 = np.asarray(a, F64), np.asarray(b, F64), np.asarray(c, F64)
    with np.errstate(invalid="ignore", over="ignore"):
        if dtype == F64:
            plain = a64 * b64 + c64
            exact = fma64(a64, b64, c64)
        else:
            product = a64 * b64
            plain = product + c64
            exact = _add_odd(product, c64)
        return np.where(np.isfinite(plain), exact, plain).astype(dtype, copy=False)


def add_scaled(self: np.ndarray, other: np.ndarray, alpha: float) -> np.ndarray:
    """``self.add(other, alpha=alpha)``: self + alpha * other, fused."""
    return _fma(self.dtype.type(alpha), other, self)


def lerp(self: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``self.lerp(end, weight)``: self + weight * (end - self), in torch's two-branch form."""
    w = self.dtype.type(weight)
    diff = end - self
    if abs(w) < 0.5:
        return _fma(w, diff, self)
    return _fma(-diff, self.dtype.type(1) - w, end)


def addcmul(self: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> np.ndarray:
    """``self.addcmul(t1, t2, value=value)``: self + value * t1 * t2."""
    return _fma(self.dtype.type(value) * t1, t2, self)


def addcdiv(self: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> np.ndarray:
    """``self.addcdiv(t1, t2, value=value)``: self + value * t1 / t2."""
    return self + (self.dtype.type(value) * t1) / t2


def scale(self: np.ndarray, value: float) -> np.ndarray:
    """``self.mul(value)``: one rounding, the scalar first rounded to the tensor's dtype."""
    return self * self.dtype.type(value)


def sqrt(self: np.ndarray) -> np.ndarray:
    """``self.sqrt()``, correctly rounded. torch hands float sqrt to MKL's VML, which is not
    correctly rounded (about 15% of float32 and 1.4% of float64 values are one ulp away on
    the machine the fixtures come from): the one known last-bit difference of the optimizers
    that divide by a root (Adam, AdamW, RMSprop, Adagrad, Adadelta)."""
    return np.sqrt(self)
