"""A correctly rounded float64 fused multiply-add, ``a * b + c`` with one rounding, in numpy.

Python 3.11 has no ``math.fma`` and numpy none at all, and float64 has no wider type to round
from, so the exact product is kept as a pair of float64 (Dekker's two-product with Veltkamp's
split) and the three-term sum is rounded once by Boldo and Melquiond's trick: add the two small
terms rounded *to odd* (truncate, then set the last bit if anything was lost), and the final
round-to-nearest of ``high + odd`` is then the correctly rounded sum. Valid while nothing
overflows or underflows (|products| well inside 2^-969 .. 2^995); the callers use it for small
matmuls of ordinary values. Checked against exact rational arithmetic in the tests.
"""

from __future__ import annotations

import numpy as np

F64 = np.float64
_SPLIT = F64(2.0 ** 27 + 1)  # Veltkamp: splits a double into two 26-bit halves


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``s = a + b`` rounded and its exact error ``e`` (a + b == s + e)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``p = a * b`` rounded and its exact error (Dekker)."""
    p = a * b
    ca = _SPLIT * a
    ah = ca - (ca - a)
    al = a - ah
    cb = _SPLIT * b
    bh = cb - (cb - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _add_odd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x + y`` rounded to odd: toward zero, the last bit set when the sum was inexact."""
    s, e = _two_sum(x, y)
    bits = s.view(np.int64)
    # rounded away from zero (the error has the other sign): one step down in magnitude
    bits = np.where((e != 0) & (np.signbit(e) != np.signbit(s)), bits - 1, bits)
    return np.where(e != 0, bits | 1, bits).view(F64)


def fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` rounded once (arrays of one shape, or broadcastable)."""
    high, low = _two_prod(a, b)
    top, rest = _two_sum(c, high)
    return top + _add_odd(rest, low)
