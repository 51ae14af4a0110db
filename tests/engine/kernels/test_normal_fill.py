"""``kernels.normal_fill``: torch's Box-Muller on blocks of 16, to the last bit.

- The fast kernel rounds each fused multiply-add from float64; a transcription of avx_mathfun
  with exactly rounded FMAs (``fma32``) must agree with it over the kernel's whole input domain
  (here a strided sample of the 2^24 values; the full sweep agrees too).
- ``fma32`` is checked against exact rational arithmetic, ties included.
- Against real torch: the AVX2 kernel (what AVX2 and AVX512 CPUs run) and the DEFAULT one
  (``ATEN_CPU_CAPABILITY=default``: the C library's logf/cosf/sinf, no fused uniform_), each
  with torch started in a subprocess under that setting.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import gradtui.engine.torchapi as ours
from gradtui.engine.kernels import normal_fill as K

F32, F64, I32 = np.float32, np.float64, np.int32


# ------------------------------------------------------------------ fma32 is one rounding
def _exact_fma32(a: float, b: float, c: float) -> np.float32:
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    low = np.float32(float(exact))  # a neighbour of the exact value; round to nearest even
    candidates = sorted({low, np.nextafter(low, F32(np.inf)), np.nextafter(low, F32(-np.inf))},
                        key=lambda v: (abs(Fraction(float(v)) - exact),
                                       int(np.array(v).view(np.uint32)) & 1))
    return candidates[0]


def test_fma32_rounds_once_where_float64_would_round_twice() -> None:
    # (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a float32 midpoint; adding 2^-70 puts the exact sum
    # just above it, but float64 rounds the sum back onto the midpoint, and float32 then
    # rounds that to even: down, where one rounding goes up
    a = b = np.array([1 + 2.0**-12], F32)
    c = np.array([2.0**-70], F32)
    naive = (a.astype(F64) * b.astype(F64) + c.astype(F64)).astype(F32)
    exact = _exact_fma32(a[0], b[0], c[0])
    assert naive[0] != exact
    assert K.fma32(a, b, c)[0] == exact == F32(1 + 2.0**-11 + 2.0**-23)
    assert K.fma32(a, b, -c)[0] == F32(1 + 2.0**-11)
    rng = np.random.default_rng(0)
    x, y, z = (rng.standard_normal(2000).astype(F32) for _ in range(3))
    z *= F32(2.0**-20)  # small addends: more sums for float64 to round
    got = K.fma32(x, y, z)
    assert [float(v) for v in got] == [float(_exact_fma32(*t)) for t in zip(x, y, z,
                                                                              strict=True)]


# ------------------------------------------------------------------ the fast kernel is exact
def _ref_fma(a: np.ndarray, b: object, c: object) -> np.ndarray:
    return K.fma32(np.asarray(a, F32), np.asarray(b, F32), np.asarray(c, F32))


def _ref_log(u1: np.ndarray) -> np.ndarray:
    """avx_mathfun's log256_ps, transcribed with exactly rounded FMAs where GCC fused."""
    bits = u1.view(I32)
    e = ((bits >> 23) - 0x7F).astype(F32) + F32(1)
    x = ((bits & ~0x7F800000) | np.array(0.5, F32).view(I32)).view(F32)
    mask = x < K._SQRTHF
    x = (x - F32(1)) + np.where(mask, x, F32(0))
    e = e - mask.astype(F32)
    z = x * x
    y = np.full_like(x, F32(K._LOG_P[0]))
    for p in K._LOG_P[1:]:
        y = _ref_fma(y, x, F32(p))
    y = _ref_fma(y * x, z, e * K._LOG_Q1)
    y = _ref_fma(z, F32(-0.5), y)
    return _ref_fma(e, F32(K._LOG_Q2), x + y)


def _ref_sincos(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    j = ((theta * K._FOPI).astype(I32) + 1) & ~1
    y = j.astype(F32)
    x = theta
    for dp in K._DP:
        x = _ref_fma(y, F32(dp), x)
    z = x * x
    yc = _ref_fma(_ref_fma(np.full_like(x, F32(K._COS_P[0])), z, F32(K._COS_P[1])), z,
                  F32(K._COS_P[2])) * z
    yc = _ref_fma(yc, z, -(z * F32(0.5))) + F32(1)
    ys = _ref_fma(_ref_fma(np.full_like(x, F32(K._SIN_P[0])), z, F32(K._SIN_P[1])), z,
                  F32(K._SIN_P[2])) * z
    ys = _ref_fma(ys, x, x)
    swap = (j & 2) != 0
    s, c = np.where(swap, yc, ys), np.where(swap, ys, yc)
    s = (s.view(I32) ^ ((j & 4) << 29)).view(F32)
    c = (c.view(I32) ^ ((~(j - 2) & 4) << 29)).view(F32)
    return s, c


def test_fast_kernel_equals_exactly_rounded_fmas_over_its_input_domain() -> None:
    k = np.arange(0, 1 << 24, 61, dtype=np.int64)  # ~275,000 of the 2^24 uniforms
    d = k.astype(F32) * F32(2.0**-24)
    u1 = F32(1) - d
    theta = d * K._TWO_PI
    scratch = K._Scratch(d.size)
    assert np.array_equal(K._log256(u1.copy(), scratch), _ref_log(u1))
    sin, cos = K._sincos256(theta.copy(), scratch)
    ref_sin, ref_cos = _ref_sincos(theta)
    assert np.array_equal(sin.view(I32), ref_sin.view(I32))
    assert np.array_equal(cos.view(I32), ref_cos.view(I32))


def test_the_log_and_sincos_are_close_to_the_true_functions() -> None:
    d = np.arange(1, 1 << 24, 4099, dtype=np.int64).astype(F32) * F32(2.0**-24)
    scratch = K._Scratch(d.size)
    logs = K._log256((F32(1) - d).copy(), scratch).astype(F64)
    assert np.max(np.abs(logs - np.log((F32(1) - d).astype(F64)))) < 1e-6
    sin, cos = K._sincos256(d * K._TWO_PI, scratch)
    theta = (d * K._TWO_PI).astype(F64)
    assert np.max(np.abs(sin - np.sin(theta))) < 1e-6
    assert np.max(np.abs(cos - np.cos(theta))) < 1e-6


# ------------------------------------------------------------------ the capability
def test_capability_follows_aten_cpu_capability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    assert K.cpu_capability() == "DEFAULT"
    for value in ("avx2", "AVX512"):
        monkeypatch.setenv("ATEN_CPU_CAPABILITY", value)
        assert K.cpu_capability() == "AVX2"


# ------------------------------------------------------------------ against real torch
_DRAWS = """
import json, sys, torch
out = {}
for seed in (0, 1, 77):
    torch.manual_seed(seed)
    out[str(seed)] = [
        torch.randn(1000).tolist(), torch.randn(37).tolist(),
        torch.empty(50).normal_(1.5, 0.25).tolist(),
        torch.randn(40, dtype=torch.float16).tolist(),
        torch.randn(20, dtype=torch.float64).tolist(),
        torch.empty(64).uniform_(-2.0, 3.0).tolist(),
        torch.empty(16, dtype=torch.float64).uniform_(-2.0, 3.0).tolist(),
        torch.empty(5, dtype=torch.float64).normal_(0.5, 2.0).tolist(),
        torch.empty(8, dtype=torch.float64).cauchy_(0.3, 2.5).tolist(),
    ]
print(json.dumps([torch.backends.cpu.get_cpu_capability(), out]))
"""


def _ours_draws() -> dict[str, list]:
    out = {}
    for seed in (0, 1, 77):
        ours.manual_seed(seed)
        out[str(seed)] = [
            ours.randn(1000).tolist(), ours.randn(37).tolist(),
            ours.empty(50).normal_(1.5, 0.25).tolist(),
            ours.randn(40, dtype=ours.float16).tolist(),
            ours.randn(20, dtype=ours.float64).tolist(),
            ours.empty(64).uniform_(-2.0, 3.0).tolist(),
            ours.empty(16, dtype=ours.float64).uniform_(-2.0, 3.0).tolist(),
            ours.empty(5, dtype=ours.float64).normal_(0.5, 2.0).tolist(),
            ours.empty(8, dtype=ours.float64).cauchy_(0.3, 2.5).tolist(),
        ]
    return out


@pytest.mark.torch
@pytest.mark.parametrize("capability", ["DEFAULT", "AVX2"])
def test_each_cpu_path_matches_torch_run_with_that_capability(
        capability: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                        "normal_ per CPU path compared bit for bit skipped")
    if capability == "AVX2" and not K.cpu_capability() == "AVX2":
        pytest.skip("this CPU has no AVX2: torch cannot run its AVX2 kernels here")
    env = dict(os.environ, ATEN_CPU_CAPABILITY=capability.lower())
    proc = subprocess.run([sys.executable, "-c", _DRAWS], capture_output=True, text=True,
                          env=env, timeout=300, check=True)
    torch_capability, expected = json.loads(proc.stdout)
    assert torch_capability == capability
    monkeypatch.setattr(K, "CAPABILITY", capability)
    monkeypatch.setattr(K, "FUSED", capability == "AVX2")
    got = _ours_draws()
    for seed, draws in expected.items():
        for index, (want, have) in enumerate(zip(draws, got[seed], strict=True)):
            same = [math.isclose(a, b, rel_tol=0, abs_tol=0) for a, b in zip(want, have,
                                                                            strict=True)]
            assert all(same), f"seed {seed}, draw {index}: {same.count(False)} values differ"
