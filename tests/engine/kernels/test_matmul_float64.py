"""Small float64 matmuls in torch 2.13's (MKL dgemm's) order, and the exact fma they need.

The hard-coded product was recorded from torch 2.13 (CPU, AVX512, one thread) as float64 bit
patterns; numpy's BLAS rounds 5 of its 12 elements differently. The differential test at the
end compares every measured shape against real torch when it is importable.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import gradtui.engine.torchapi as ours
from gradtui.engine.kernels import fma64, matmul

# a 2x9 @ 9x6 product: rounded products added in order
MM_A = np.array([
    [0.346, 0.822, 0.33, -1.303, 0.905, 0.446, -0.537, 0.581, 0.365],
    [0.294, 0.028, 0.547, -0.736, -0.163, -0.482, 0.599, 0.04, -0.292]])
MM_B = np.array([
    [-0.782, -0.257, 0.008, -0.276, 1.294, 1.007], [-2.711, -1.889, -0.175, -0.422, 0.214, 0.217],
    [2.118, -1.112, -0.378, 2.043, 0.647, 0.663], [-0.514, -1.648, 0.167, 0.109, -1.227, -0.683],
    [-0.072, -0.945, -0.098, 0.095, 0.036, -0.506], [0.594, 0.891, 0.321, -0.818, 0.732, -0.501],
    [0.879, -1.072, 0.914, -0.02, -1.249, -0.314], [0.054, 0.273, -0.982, -1.107, 0.2, -0.467],
    [0.236, 0.76, -1.649, 0.254, 1.225, -0.298]])
MM_OUT = np.array([
    0xbff48face67d77fc, 0x3fe6294dd72367e6, 0xc000bccf28c79f66, 0xbfe752391d57ff9a,
    0x40101db59578a2a9, 0x3fe7c408d8ec95bf, 0x3ff6a8e1d6494d51, 0xbfe4dffa3b9ae0c2,
    0x3fe09984a0e410b6, 0x3ff3154c985f06f7, 0x3fc7eb399f5dfebc, 0x3ff5f2745bf26f1e,
], dtype=np.uint64).view(np.float64).reshape(2, 6)


def test_fma_rounds_once_like_exact_arithmetic() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(20_000), rng.standard_normal(20_000)
    c = rng.standard_normal(20_000) * np.exp(rng.uniform(-40, 40, 20_000))
    # the hard half: c cancels the product to within a few ulps
    c[:10_000] = -(a[:10_000] * b[:10_000]) * (1 + rng.integers(-3, 4, 10_000) * 2.0 ** -52)
    got = fma64.fma(a, b, c)
    want = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c, strict=True)]
    assert got.tolist() == want
    assert (got != a * b + c).any()


def test_small_float64_matmul_adds_rounded_products_in_order() -> None:
    assert matmul._mm64_order(MM_A, MM_B) == "round"
    assert matmul.mm(MM_A, MM_B).view(np.uint64).tolist() == MM_OUT.view(np.uint64).tolist()
    assert (MM_A @ MM_B != MM_OUT).sum() == 5
    out = ours.from_numpy(MM_A.copy()) @ ours.from_numpy(MM_B.copy())
    assert out.numpy().view(np.uint64).tolist() == MM_OUT.view(np.uint64).tolist()


def test_float64_rules_by_shape() -> None:
    def c(m: int, n: int) -> np.ndarray:
        return np.ones((m, n))

    def f(m: int, n: int) -> np.ndarray:
        return np.ones((n, m)).T

    assert matmul._mm64_order(c(8, 5), c(5, 12)) == "fma"
    assert matmul._mm64_order(c(5, 5), c(5, 12)) is None
    assert matmul._mm64_order(c(9, 9), c(9, 9)) is None
    assert matmul._mm64_order(c(9, 7), c(7, 9)) == "round"
    assert matmul._mm64_order(f(9, 16), c(16, 1)) == "round"  # a.T @ g, one column
    assert matmul._mm64_order(c(9, 16), c(16, 1)) is None
    assert matmul._mm64_order(c(9, 3), f(3, 9)) == "round"  # x @ W.t(), k <= 3
    assert matmul._mm64_order(c(9, 4), f(4, 9)) is None


# ---------------------------------------------------------------------------------------------
# Differential: bit for bit against real torch.


@pytest.fixture
def torch1():
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "float64 matmul compared bit for bit skipped")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    if torch.backends.cpu.get_cpu_capability() != "AVX512":
        pytest.skip("the float64 orders were measured with torch's AVX512 MKL kernels")
    yield torch
    torch.set_num_threads(threads)


@pytest.mark.torch
@pytest.mark.parametrize("layout", ["a @ b", "a.T @ g", "x @ W.t()"])
def test_small_float64_matmuls_with_a_known_order_match_torch(torch1, layout: str) -> None:
    torch = torch1
    rng = np.random.default_rng(len(layout))
    checked = 0
    for m, n, k in itertools.product(range(1, 17), repeat=3):
        a = rng.standard_normal((m, k))
        b = rng.standard_normal((k, n))
        if layout == "a.T @ g":
            a = np.ascontiguousarray(a.T).T
        if layout == "x @ W.t()":
            b = np.ascontiguousarray(b.T).T
        if m * n == 1 or matmul._mm64_order(a, b) is None:
            continue
        checked += 1
        want = torch.mm(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        assert (matmul.mm(a, b) == want).all(), (m, n, k)
    assert checked > 700
