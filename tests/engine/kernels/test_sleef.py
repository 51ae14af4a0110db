"""Softmax and log_softmax over the last dim, to torch 2.13's last bit (``kernels.sleef``).

The values below were recorded from torch 2.13 (CPU, one thread) as float32 bit patterns: with
AVX512 (16-lane vectors) and, for the 20-class row, also with ``ATEN_CPU_CAPABILITY=avx2``
(8 lanes). They are chosen where rounding float64 results once (the engine's old rule) differs.
The differential tests at the end compare against real torch when it is importable.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradtui.engine.torchapi as ours
from gradtui.engine.kernels import sleef as K


def _f32(*bits: int) -> np.ndarray:
    return np.array(bits, dtype=np.uint32).view(np.float32)


def _bits(a: np.ndarray) -> list[int]:
    return np.asarray(a, dtype=np.float32).ravel().view(np.uint32).tolist()


def _rounded_float64(fn, a: np.ndarray) -> np.ndarray:
    return fn(a.astype(np.float64)).astype(np.float32)


EXP_IN = _f32(
    0xbe84aaea, 0xbf955e50, 0xc11380b1, 0xc0c3a020, 0xbeb70ca2, 0xc1415878, 0xc03f63bd,
    0xbfe88c0c)
EXP_OUT = _f32(
    0x3f45904e, 0x3e9f6510, 0x38cfec82, 0x3b110c0e, 0x3f330c88, 0x36bd894c, 0x3d4de1d0,
    0x3e267354)
LOG_IN = _f32(
    0x3fbbce80, 0x3f9e42c8, 0x3fe3c96d, 0x3fb6b77c, 0x3fbb252b, 0x3faff866)
LOG_OUT = _f32(
    0x3ec44abc, 0x3e594ebf, 0x3f138da2, 0x3eb6396b, 0x3ec27c49, 0x3ea2f641)
ROWS3_X = _f32(
    0x3ffd4ffb, 0xbf3d9bea, 0xc088395d, 0xc05bfb63, 0xbff26649, 0x3e688872, 0xbf407503,
    0xbf396b17, 0x3fd0a5e1, 0xbf5d4928, 0xbfe3db50, 0xc008059b)
ROWS3_G = _f32(
    0x3f9adc3c, 0x3e3ab33c, 0xbf393bff, 0x3f3c241a, 0xbe185fbf, 0xbf0c73ca, 0x3f208796,
    0x3ff10c42, 0x3d811a56, 0xbd692d1e, 0xbf1759c5, 0xbf2a30f8)
ROWS3_LSM = _f32(
    0xbd86744e, 0xc032429a, 0xc0c9a72d, 0xc0733650, 0xc0106e12, 0xbe0b265d, 0xc0236d82,
    0xc021ab07, 0xbe2fd50a, 0xbf055c53, 0xbfb7e4e6, 0xbfe414cc)
ROWS3_LSM_GRAD = _f32(
    0x3f156f75, 0x3e107370, 0xbf398c53, 0x3f3bed29, 0xbe1c646a, 0xbf14d40f, 0x3eda8cd1,
    0x3fd6b4c8, 0xc006abfd, 0x3f3910f8, 0xbe8ee67e, 0xbee33b74)
ROWS3_SM = _f32(
    0x3f6fbba8, 0x3d7cc33e, 0x3af04a21, 0x3cb73a00, 0x3dd6698e, 0x3f5f78fe, 0x3d9f57da,
    0x3da3c8ff, 0x3f579be4, 0x3f180de4, 0x3e736c2d, 0x3e2c5c3e)
ROWS3_SM_GRAD = _f32(
    0x3d8067c1, 0xbd72cbcd, 0xbb603f00, 0x3cde40e4, 0x3d0d32ea, 0xbd7c5360, 0x3ceebfc9,
    0x3e058ad4, 0xbe2362cc, 0x3e0b7b31, 0xbd947798, 0xbd827ece)
ROW20_X = _f32(
    0x3f9febea, 0x3f3093d0, 0xc0747043, 0xc023552f, 0xbf152d8d, 0x3ecff9e2, 0xbfa274f6,
    0xbf18c7fc, 0x3f0c4392, 0x3ed9be60, 0x401b09e0, 0xbfacd92e, 0xbf60852d, 0xbf93d350,
    0x3f1d42c8, 0xc004f0a9, 0xc0673fae, 0xbf5e401d, 0xc00d62b6, 0x3f57d1fa)
ROW20_G = _f32(
    0x3f6e453f, 0xbfebc964, 0x3ea41424, 0x3e6d3fec, 0x3fbad8c3, 0x3f691694, 0xbfd7f760,
    0x3f987cbb, 0x3fc887b5, 0xbf1fcd7e, 0x3ff70587, 0xbf7ccb58, 0x3d0b2844, 0xbf5f391a,
    0x3fe739ab, 0x3f97d2a4, 0x3f802de4, 0xba93085a, 0x3d5cc794, 0x3f6ead74)
ROW20_LSM_16_LANES = _f32(
    0xc00736a3, 0xc02b07a4, 0xc0e5ce6e, 0xc0bd40e4, 0xc07c77fb, 0xc03d2d5c, 0xc094338a,
    0xc07d5e97, 0xc0341bb4, 0xc03bf4cc, 0xbf708ae0, 0xc096cc98, 0xc087a6f2, 0xc0908b20,
    0xc02fdbe6, 0xc0ae0ea0, 0xc0df3623, 0xc0875e50, 0xc0b247a7, 0xc021381a)
ROW20_LSM_8_LANES = _f32(
    0xc00736a4, 0xc02b07a4, 0xc0e5ce6e, 0xc0bd40e4, 0xc07c77fc, 0xc03d2d5c, 0xc094338a,
    0xc07d5e98, 0xc0341bb4, 0xc03bf4cc, 0xbf708ae2, 0xc096cc98, 0xc087a6f2, 0xc0908b20,
    0xc02fdbe6, 0xc0ae0ea0, 0xc0df3623, 0xc0875e50, 0xc0b247a7, 0xc021381a)
ROW20_LSM_GRAD_16_LANES = _f32(
    0x3c9b56ca, 0xc0173cec, 0x3ea12463, 0x3e5864b6, 0x3fa82a29, 0x3f04a3eb, 0xbfe15eb3,
    0x3f8610f9, 0x3f8ea90e, 0xbf8317b7, 0xbf822cca, 0xbf871149, 0xbd99202f, 0xbf744ecc,
    0x3fa96205, 0x3f93a192, 0x3f7e8de1, 0xbde2fc2f, 0x3cce74e5, 0x3ea667d2)
ROW20_LSM_GRAD_8_LANES = _f32(
    0x3c9b5742, 0xc0173cec, 0x3ea12463, 0x3e5864b6, 0x3fa82a29, 0x3f04a3eb, 0xbfe15eb3,
    0x3f8610fa, 0x3f8ea90e, 0xbf8317b7, 0xbf822cc9, 0xbf871149, 0xbd99202f, 0xbf744ecc,
    0x3fa96205, 0x3f93a192, 0x3f7e8de1, 0xbde2fc2f, 0x3cce74e5, 0x3ea667d2)
ROW20_SM_16_LANES = _f32(
    0x3df79f9a, 0x3d8d7f34, 0x3a4760a8, 0x3b310189, 0x3c9e8da0, 0x3d551faa, 0x3c1f9da2,
    0x3c9c5650, 0x3d759181, 0x3d593a81, 0x3ec813e1, 0x3c132b6e, 0x3c6c427d, 0x3c32f1e0,
    0x3d83368c, 0x3b8e4c40, 0x3a75020b, 0x3c6e5d20, 0x3b79699c, 0x3da4f024)
ROW20_SM_8_LANES = _f32(
    0x3df79f99, 0x3d8d7f33, 0x3a4760a7, 0x3b310189, 0x3c9e8d9f, 0x3d551fa9, 0x3c1f9da1,
    0x3c9c5650, 0x3d759180, 0x3d593a80, 0x3ec813e0, 0x3c132b6d, 0x3c6c427c, 0x3c32f1df,
    0x3d83368b, 0x3b8e4c3f, 0x3a75020a, 0x3c6e5d1f, 0x3b79699b, 0x3da4f023)
ROW20_SM_GRAD_16_LANES = _f32(
    0xbc8239b6, 0xbe4d7993, 0xba13e392, 0xbb130243, 0x3bfc1cdc, 0xbc0156de, 0xbcdb6da2,
    0x3b2172e9, 0x3cf7bd7f, 0xbdb72c21, 0x3ead9840, 0xbc96d39c, 0xbc72eed8, 0xbcad0e60,
    0x3d434e0d, 0x3a0d0a9f, 0xb86e6afb, 0xbc7d7646, 0xbb7b7cb7, 0xbc2b6254)
ROW20_SM_GRAD_8_LANES = _f32(
    0xbc8239a6, 0xbe4d7991, 0xba13e38e, 0xbb130240, 0x3bfc1ce4, 0xbc0156d0, 0xbcdb6da0,
    0x3b2172fd, 0x3cf7bd85, 0xbdb72c1f, 0x3ead9843, 0xbc96d39a, 0xbc72eed3, 0xbcad0e5d,
    0x3d434e10, 0x3a0d0ab0, 0xb86e6abd, 0xbc7d7641, 0xbb7b7cb2, 0xbc2b623e)
ROWS3_X, ROWS3_G, ROWS3_LSM, ROWS3_SM = (a.reshape(4, 3) for a in (
    ROWS3_X, ROWS3_G, ROWS3_LSM, ROWS3_SM))
ROW20_X, ROW20_G, ROW20_LSM_8_LANES, ROW20_LSM_16_LANES, ROW20_SM_8_LANES, ROW20_SM_16_LANES = (
    a.reshape(1, 20) for a in (ROW20_X, ROW20_G, ROW20_LSM_8_LANES, ROW20_LSM_16_LANES,
                               ROW20_SM_8_LANES, ROW20_SM_16_LANES))


def test_exp_is_sleefs_expf_u10_not_the_correctly_rounded_value() -> None:
    assert _bits(K.expf(EXP_IN)) == _bits(EXP_OUT)
    assert (_rounded_float64(np.exp, EXP_IN) != EXP_OUT).all()


def test_log_is_sleefs_logf_u10_not_the_correctly_rounded_value() -> None:
    assert _bits(K.logf(LOG_IN)) == _bits(LOG_OUT)
    assert (_rounded_float64(np.log, LOG_IN) != LOG_OUT).all()


def test_exp_and_log_edges_are_sleefs() -> None:
    with np.errstate(all="ignore"):
        e = K.expf(np.array([0, -np.inf, np.inf, np.nan, -104.5, 88.8, -87.5], np.float32))
        lg = K.logf(np.array([1, 0, -1, np.inf, np.nan], np.float32))
    assert e[:3].tolist() == [1.0, 0.0, np.inf] and np.isnan(e[3])
    assert e[4] == 0 and e[5] == np.inf and 0 < e[6] < np.finfo(np.float32).tiny  # subnormal
    assert lg[0] == 0 and lg[1] == -np.inf and np.isnan(lg[2]) and lg[3] == np.inf
    assert np.isnan(lg[4])


def test_short_rows_are_summed_left_to_right() -> None:
    x = np.array([[1e8, 1.0, -1e8, 1.0]], np.float32)  # (((a + b) + c) + d): 1; pairs: 0 or 2
    assert K.row_sums(x).tolist() == [1.0]


@pytest.mark.parametrize("lanes", [8, 16])
def test_long_rows_add_vectors_lane_by_lane_then_fold_the_lanes(monkeypatch, lanes) -> None:
    monkeypatch.setattr(K, "LANES", lanes)
    x = np.zeros((1, 2 * lanes + 1), np.float32)
    x[0, 0], x[0, lanes], x[0, 2 * lanes], x[0, lanes // 2] = 1e8, -1e8, 1.0, 1.0
    # lane 0 holds (1e8 + -1e8) + 1 = 1 (vectors, then the tail); lane lanes/2 holds 1: 2
    assert K.row_sums(x).tolist() == [2.0]


def test_three_class_log_softmax_and_softmax_match_torch_both_ways() -> None:
    assert _bits(K.log_softmax_lastdim(ROWS3_X)) == _bits(ROWS3_LSM)
    assert _bits(K.log_softmax_backward_lastdim(ROWS3_G, ROWS3_LSM)) == _bits(ROWS3_LSM_GRAD)
    assert _bits(K.softmax_lastdim(ROWS3_X)) == _bits(ROWS3_SM)
    assert _bits(K.softmax_backward_lastdim(ROWS3_G, ROWS3_SM)) == _bits(ROWS3_SM_GRAD)


@pytest.mark.parametrize("lanes", [8, 16])
def test_twenty_classes_match_torch_with_its_vector_width(monkeypatch, lanes) -> None:
    monkeypatch.setattr(K, "LANES", lanes)
    want = {8: (ROW20_LSM_8_LANES, ROW20_LSM_GRAD_8_LANES, ROW20_SM_8_LANES, ROW20_SM_GRAD_8_LANES),
            16: (ROW20_LSM_16_LANES, ROW20_LSM_GRAD_16_LANES, ROW20_SM_16_LANES,
                 ROW20_SM_GRAD_16_LANES)}[lanes]
    lsm, sm = K.log_softmax_lastdim(ROW20_X), K.softmax_lastdim(ROW20_X)
    assert _bits(lsm) == _bits(want[0])
    assert _bits(K.log_softmax_backward_lastdim(ROW20_G, lsm)) == _bits(want[1])
    assert _bits(sm) == _bits(want[2])
    assert _bits(K.softmax_backward_lastdim(ROW20_G, sm)) == _bits(want[3])


def test_the_engine_uses_the_kernels_through_autograd() -> None:
    F = ours.nn.functional
    x = ours.from_numpy(ROWS3_X.copy()).requires_grad_()
    y = F.log_softmax(x, dim=-1)
    y.backward(ours.from_numpy(ROWS3_G.copy()))
    assert _bits(y.detach().numpy()) == _bits(ROWS3_LSM)
    assert _bits(x.grad.numpy()) == _bits(ROWS3_LSM_GRAD)
    x.grad = None
    s = F.softmax(x, dim=1)
    s.backward(ours.from_numpy(ROWS3_G.copy()))
    assert _bits(s.detach().numpy()) == _bits(ROWS3_SM)
    assert _bits(x.grad.numpy()) == _bits(ROWS3_SM_GRAD)


# ---------------------------------------------------------------------------------------------
# Differential: bit for bit against real torch on random rows of many lengths.


@pytest.fixture
def torch_lanes(monkeypatch):
    """Real torch (one thread), with the engine's vector width set to the one torch runs with."""
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "SLEEF vector math compared bit for bit skipped")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    capability = torch.backends.cpu.get_cpu_capability()
    monkeypatch.setattr(K, "LANES", 16 if capability == "AVX512" else 8)
    if capability not in ("AVX512", "AVX2"):
        pytest.skip(f"torch runs its {capability} kernels here")
    yield torch
    torch.set_num_threads(threads)


LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 23, 24, 31, 32, 33, 47, 64, 100, 257]


@pytest.mark.torch
@pytest.mark.parametrize("n", LENGTHS)
def test_last_dim_softmax_family_matches_torch_bit_for_bit(torch_lanes, n: int) -> None:
    torch = torch_lanes
    rng = np.random.default_rng(n)
    rows = max(1, 20_000 // n)
    x = (rng.standard_normal((rows, n)) * rng.uniform(0.1, 20, (rows, 1))).astype(np.float32)
    x[::7, rng.integers(0, n)] = -np.inf  # masked entries
    g = rng.standard_normal((rows, n)).astype(np.float32)
    t = torch.from_numpy(x)
    lsm, sm = torch.log_softmax(t, 1), torch.softmax(t, 1)
    lsm_grad = torch._log_softmax_backward_data(torch.from_numpy(g), lsm, 1, torch.float32)
    sm_grad = torch._softmax_backward_data(torch.from_numpy(g), sm, 1, torch.float32)
    with np.errstate(all="ignore"):
        assert _bits(K.log_softmax_lastdim(x)) == _bits(lsm.numpy())
        assert _bits(K.softmax_lastdim(x)) == _bits(sm.numpy())
        assert _bits(K.log_softmax_backward_lastdim(g, lsm.numpy())) == _bits(lsm_grad.numpy())
        assert _bits(K.softmax_backward_lastdim(g, sm.numpy())) == _bits(sm_grad.numpy())


@pytest.mark.torch
def test_exp_matches_torchs_kernel_over_the_whole_float32_range(torch_lanes) -> None:
    torch = torch_lanes
    d = np.concatenate([np.linspace(-120, 120, 200_001, dtype=np.float32),
                        -np.random.default_rng(0).exponential(3, 200_000).astype(np.float32),
                        np.array([np.nan, -np.inf, np.inf], np.float32)])
    g = np.zeros((1, d.size + 1), np.float32)
    g[0, 0] = 1  # the gradient rule g - exp(out) * sum(g) is then -exp(out) past column 0
    out = torch._log_softmax_backward_data(torch.from_numpy(g), torch.from_numpy(
        np.concatenate([[np.float32(0)], d])[None]), 1, torch.float32).numpy()[0, 1:]
    with np.errstate(all="ignore"):
        assert _bits(K.expf(d)) == _bits(np.float32(0) - out)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(5,), (2, 3, 10), (4, 1, 17), (6, 3)])
def test_cross_entropy_and_softmax_gradients_through_the_engine_match_torch(
        torch_lanes, shape: tuple[int, ...]) -> None:
    torch = torch_lanes
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    rows = int(np.prod(shape[:-1]))
    for _ in range(20):
        x = (rng.standard_normal(shape) * 3).astype(np.float32)
        g = rng.standard_normal(shape).astype(np.float32)
        target = rng.integers(0, shape[-1], rows)
        results = []
        for T in (torch, ours):
            a = T.from_numpy(x.copy()).requires_grad_()
            (T.nn.functional.softmax(a, dim=-1) * T.from_numpy(g.copy())).sum().backward()
            loss = T.nn.functional.cross_entropy(a.reshape(rows, -1), T.from_numpy(target.copy()))
            loss.backward()
            results.append((loss.item(), _bits(a.grad.numpy())))
        assert results[0] == results[1]
