"""log1p, logsigmoid and BCE-with-logits in float32, to torch 2.13's last bit.

torch's ``log_sigmoid`` kernel computes ``min(x, 0) - log1p(exp(-|x|))`` with SLEEF's
``expf_u10`` and ``log1pf_u10`` on every value (``kernels.sleef.log1pf``,
``kernels.unary.log_sigmoid``), and ``binary_cross_entropy_with_logits`` is
``(1 - t) * z - logsigmoid(z)`` on top of it. The hard-coded values were recorded from torch 2.13
(CPU, AVX512, one thread) as float32 bit patterns, chosen where float64-then-rounded differs.
The differential tests at the end compare against real torch when it is importable.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradtui.engine.torchapi as ours
from gradtui.engine.kernels import losses
from gradtui.engine.kernels import sleef as K
from gradtui.engine.kernels import unary as U


def _f32(*bits: int) -> np.ndarray:
    return np.array(bits, dtype=np.uint32).view(np.float32)


def _bits(a: np.ndarray) -> list[int]:
    return np.asarray(a, dtype=np.float32).ravel().view(np.uint32).tolist()


L1P_IN = _f32(0xbead5bfd, 0x3eea5e80, 0x3e0776a0)
L1P_OUT = _f32(0xbed3a735, 0x3ec0f879, 0x3dfe71f2)
# 21 values (a 16-lane vector and a partial one); 12 are where float64-then-rounded misses
LS_IN = _f32(
    0x3e0c0db7, 0x40ae0c35, 0x409cc3a9, 0xc002a37c, 0xbf988f76, 0xc00702a7, 0x4011d996,
    0xbe65a3d3, 0x403f33e5, 0xc0ec7524, 0x40c884ac, 0xbec57e39, 0xbf0bd80c, 0x3e16118c,
    0x3f01780f, 0x40209bbf, 0xbd956dda, 0x3faf8a3c, 0xbed6f6f1, 0x408b08a7, 0x406214ed)
LS_OUT = _f32(
    0xbf208980, 0xbb8e0817, 0xbbf36040, 0xc00a7400, 0xbfba8080, 0xc00e565a, 0xbdc7a6d8,
    0xbf4fc1b3, 0xbd4972bc, 0xc0ec7a33, 0xbaf8ba3c, 0xbf678d06, 0xbf80666e, 0xbf1f5fb0,
    0xbef19ec6, 0xbda01887, 0xbf3af48f, 0xbe6790fa, 0xbf6cc968, 0xbc533303, 0xbcec06e1)
LS_G = _f32(
    0x3ebee73b, 0xbf40148c, 0x3f0b0338, 0xbe5558cd, 0xbf4fcc77, 0xbd1de46e, 0xbe68be4f,
    0x3f40e40d, 0xbd2f782f, 0xbf078984, 0x3fba5d47, 0x3f7d06fb, 0x3fa2867f, 0x3f1b9017,
    0xbde0a9de, 0xbed69369, 0xbe8f05a7, 0x3f729bda, 0x3de52d8c, 0xbfbdcdce, 0xbd201549)
LS_GRAD = _f32(
    0x3e31de58, 0xbb54acda, 0x3b83aafe, 0xbe3cd30d, 0xbf1f65c6, 0xbd0cd005, 0xbcacf27d,
    0x3ed66de4, 0xbb06bcd8, 0xbf077418, 0x3b34e5fc, 0x3f169d92, 0x3f4dd82f, 0x3e902f2a,
    0xbd2908a5, 0xbd01144d, 0xbe143cca, 0x3e4468b9, 0x3d8a4c06, 0xbc9b9530, 0xba917ccd)
# a 6x3 batch of logits and 0/1 targets, pos_weight (0.5, 2, 3.5)
BCE_Z = _f32(
    0x40972a61, 0x400eb5dd, 0xc03a37fa, 0xbf22d1c5, 0xbf5c3565, 0x40e2cacf, 0xc035196b,
    0x40841389, 0x3ebd3451, 0x40443229, 0xbc088cdc, 0x3f96d2df, 0x3fbc9a9b, 0x3ea8405e,
    0x3ffa1565, 0x3f864210, 0x406cb386, 0x40ad83b5).reshape(6, 3)
BCE_T = _f32(
    0x00000000, 0x00000000, 0x3f800000, 0x00000000, 0x3f800000, 0x00000000, 0x3f800000,
    0x3f800000, 0x00000000, 0x00000000, 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000,
    0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000).reshape(6, 3)
BCE_PW = np.array([0.5, 2.0, 3.5], np.float32)
BCE_NONE_PW = _f32(
    0x409772ce, 0x40153f6a, 0x4125e9aa, 0x3ed9892e, 0x401b4410, 0x40e2d1a7, 0x3fb8c520,
    0x3d030ad1, 0x3f651790, 0x40471cd5, 0x3fb283c3, 0x3f706fec, 0x3dd341eb, 0x3f8ad2b1,
    0x3eed882c, 0x3e19c6f6, 0x3d48608b, 0x3c7cb8ed).reshape(6, 3)
BCE_MEAN = _f32(0x3fc5f684)  # 1.5465855598449707
BCE_MEAN_PW = _f32(0x4003c024)  # 2.0586023330688477
BCE_GRAD_PW = _f32(
    0x3d618d76, 0x3d4d75a3, 0xbe3cd24d, 0x3c9d8933, 0xbd9fe742, 0x3d635d95, 0xbcd6df0c,
    0xbae71c39, 0x3d069081, 0x3d596afa, 0xbd6480f9, 0xbd3b72b5, 0xbba9ae15, 0xbd3e7fcc,
    0xbcc5be8e, 0xbbec2575, 0xbb2ff3c7, 0xba602555).reshape(6, 3)


def test_log1pf_is_sleefs_not_the_correctly_rounded_value() -> None:
    assert _bits(K.log1pf(L1P_IN)) == _bits(L1P_OUT)
    assert (np.log1p(L1P_IN.astype(np.float64)).astype(np.float32) != L1P_OUT).all()


def test_log1pf_edges_are_torchs() -> None:
    x = np.array([3e38, 2.6e38, np.inf, -1, -2, -0.0, 0.0, np.nan, 1e-45, -0.5], np.float32)
    want = _f32(0x42b13196, 0x42b0e851, 0x7f800000, 0xff800000, 0, 0x80000000, 0, 0,
                0, 0xbf317218)
    got = K.log1pf(x)
    nan = np.isnan(x) | (x < -1)
    assert np.isnan(got[nan]).all()
    assert _bits(got[~nan]) == _bits(want[~nan])


def test_log1p_through_the_engine() -> None:
    assert _bits(ours.log1p(ours.from_numpy(L1P_IN.copy())).numpy()) == _bits(L1P_OUT)


def test_log_sigmoid_forward_and_buffer_backward() -> None:
    out, buffer = U.log_sigmoid(LS_IN)
    assert _bits(out) == _bits(LS_OUT)
    assert _bits(U.log_sigmoid_backward(LS_G, LS_IN, buffer)) == _bits(LS_GRAD)
    wide = (-np.logaddexp(0, -LS_IN.astype(np.float64))).astype(np.float32)
    assert (wide != LS_OUT).sum() == 12


def test_logsigmoid_function_and_module_match_torch() -> None:
    x = ours.from_numpy(LS_IN.copy()).requires_grad_()
    y = ours.nn.functional.logsigmoid(x)
    assert type(y.grad_fn).__name__ == "LogSigmoidBackward0"
    y.backward(ours.from_numpy(LS_G.copy()))
    assert _bits(y.detach().numpy()) == _bits(LS_OUT)
    assert _bits(x.grad.numpy()) == _bits(LS_GRAD)
    layer = ours.nn.LogSigmoid()
    assert repr(layer) == "LogSigmoid()"
    assert _bits(layer(ours.from_numpy(LS_IN.copy())).numpy()) == _bits(LS_OUT)
    edges = ours.nn.functional.logsigmoid(
        ours.tensor([200.0, -200.0, 0.0, float("inf"), -float("inf"), -90.0]))
    assert edges.tolist() == [0.0, -200.0, -0.6931471824645996, 0.0, -float("inf"), -90.0]
    with pytest.raises(NotImplementedError, match="\"log_sigmoid_cpu\" not implemented for 'Long'"):
        ours.nn.functional.logsigmoid(ours.tensor([1, 2]))


def test_bce_with_logits_is_one_minus_t_times_z_minus_logsigmoid() -> None:
    values = losses.bce_with_logits_forward(BCE_Z, BCE_T, "none", pos_weight=BCE_PW)[0]
    assert _bits(values) == _bits(BCE_NONE_PW)
    softplus = np.logaddexp(0, -BCE_Z.astype(np.float64))
    old = ((1 - BCE_T) * BCE_Z + (1 + (BCE_PW - 1) * BCE_T) * softplus).astype(np.float32)
    assert (old != BCE_NONE_PW).any()  # softplus from float64: 8 of 18 miss


def test_bce_with_logits_loss_and_pos_weight_gradient_match_torch() -> None:
    z = ours.from_numpy(BCE_Z.copy()).requires_grad_()
    t = ours.from_numpy(BCE_T.copy())
    loss = ours.nn.BCEWithLogitsLoss()(z, t)
    assert _bits(loss.detach().numpy()) == _bits(BCE_MEAN)
    assert loss.item() == 1.5465855598449707
    loss = ours.nn.BCEWithLogitsLoss(pos_weight=ours.from_numpy(BCE_PW.copy()))(z, t)
    loss.backward()
    assert loss.item() == 2.0586023330688477
    assert _bits(z.grad.numpy()) == _bits(BCE_GRAD_PW)


# ---------------------------------------------------------------------------------------------
# Differential: bit for bit against real torch.


@pytest.fixture
def torch1(monkeypatch):
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "log_sigmoid compared bit for bit skipped")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    capability = torch.backends.cpu.get_cpu_capability()
    if capability not in ("AVX512", "AVX2"):
        pytest.skip(f"torch runs its {capability} kernels here")
    monkeypatch.setattr(K, "LANES", 16 if capability == "AVX512" else 8)
    yield torch
    torch.set_num_threads(threads)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit patterns, any nan equal to any nan."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return bool(((a.view(np.uint32) == b.view(np.uint32)) | (np.isnan(a) & np.isnan(b))).all())


@pytest.mark.torch
def test_log1pf_matches_torch_on_random_bit_patterns(torch1) -> None:
    torch = torch1
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2 ** 32, 300_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = np.concatenate([x, np.linspace(-1, 4, 100_001, dtype=np.float32)])
    assert _same(K.log1pf(x), torch.log1p(torch.from_numpy(x)).numpy())


@pytest.mark.torch
@pytest.mark.parametrize("n", [1, 5, 16, 17, 31, 32, 33, 100, 1000])
def test_logsigmoid_forward_and_backward_match_torch(torch1, n: int) -> None:
    torch = torch1
    rng = np.random.default_rng(n)
    for _ in range(max(1, 2000 // n)):
        x = (rng.standard_normal(n) * rng.uniform(0.1, 40)).astype(np.float32)
        g = rng.standard_normal(n).astype(np.float32)
        got = []
        for T in (torch, ours):
            X = T.from_numpy(x.copy()).requires_grad_()
            y = T.nn.functional.logsigmoid(X)
            y.backward(T.from_numpy(g.copy()))
            got.append((_bits(y.detach().numpy()), _bits(X.grad.numpy())))
        assert got[0] == got[1]


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("extra", ["", "weight", "pos_weight", "both"])
def test_bce_with_logits_matches_torch(torch1, reduction: str, extra: str) -> None:
    torch = torch1
    rng = np.random.default_rng(len(reduction) * 10 + len(extra))
    for trial in range(60):
        n, c = int(rng.integers(1, 80)), int(rng.integers(1, 5))
        z = (rng.standard_normal((n, c)) * rng.uniform(0.3, 20)).astype(np.float32)
        t = (rng.random((n, c)) < 0.5).astype(np.float32)
        if trial % 3 == 0:  # soft targets
            t = rng.random((n, c)).astype(np.float32)
        kwargs = {}
        if extra in ("weight", "both"):
            kwargs["weight"] = rng.random((n, c)).astype(np.float32)
        if extra in ("pos_weight", "both"):
            kwargs["pos_weight"] = (rng.random(c) * 3).astype(np.float32)
        g = rng.standard_normal((n, c)).astype(np.float32)
        got = []
        for T in (torch, ours):
            Z = T.from_numpy(z.copy()).requires_grad_()
            loss = T.nn.functional.binary_cross_entropy_with_logits(
                Z, T.from_numpy(t.copy()), reduction=reduction,
                **{k: T.from_numpy(v.copy()) for k, v in kwargs.items()})
            loss.backward(T.from_numpy(g.copy()) if reduction == "none" else None)
            got.append((_bits(loss.detach().numpy()), _bits(Z.grad.numpy())))
        assert got[0] == got[1], (n, c)
