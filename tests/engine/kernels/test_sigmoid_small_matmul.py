"""sigmoid and small float32 matmuls, to torch 2.13's last bit (``kernels.unary``,
``kernels.matmul``).

The hard-coded values were recorded from torch 2.13 (CPU, AVX512, one thread) as float32 bit
patterns, chosen where float64-then-rounded (sigmoid) or numpy's BLAS (matmul) differ. The
differential tests at the end compare against real torch when it is importable.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradtui.engine.torchapi as ours
from gradtui.engine.kernels import matmul
from gradtui.engine.kernels import sleef as K
from gradtui.engine.kernels import unary as U


def _f32(*bits: int) -> np.ndarray:
    return np.array(bits, dtype=np.uint32).view(np.float32)


def _bits(a: np.ndarray) -> list[int]:
    return np.asarray(a, dtype=np.float32).ravel().view(np.uint32).tolist()


EXPF_IN = _f32(0x40dcad70, 0xbc858c7b, 0xbed3c81e, 0x3fe7d621, 0x400e3e20, 0x404b4f64)
EXPF_OUT = _f32(0x44771eec, 0x3f7bdc46, 0x3f294720, 0x40c3c601, 0x4113b136, 0x41bfbe84)
# 32 values for two AVX512 vectors, then a 3-value scalar tail (values 14, 20, 32 and 34 are
# where float64-then-rounded misses)
SIG_IN = _f32(
    0x3ec11f22, 0xbecae9bf, 0x3ff5ec1c, 0x3ea12068, 0xbfcdb271, 0x3f8ada3e, 0x407a5e36,
    0x4035d6ec, 0xc0071dff, 0xc072f5ff, 0xbfef565f, 0x3dfde825, 0xc0df33f5, 0xbf280831,
    0xc06f3704, 0xc00c9868, 0xbfd0fed6, 0xbf72eb24, 0x3f9e10ee, 0x4048299e, 0xbec56de3,
    0x40832e35, 0xbfff6f4c, 0x3f86fad9, 0x402d775e, 0x3e906724, 0xc00ec07a, 0xc030f8a5,
    0xbfafc448, 0x3f291c1f, 0xc041d8c1, 0xbf20a597, 0x3c858c7b, 0x3ed3c81e, 0xbfe7d621)
SIG_OUT = _f32(
    0x3f17dba7, 0x3ecdecea, 0x3f5f4dba, 0x3f13f9ea, 0x3e2b0335, 0x3f3f5582, 0x3f7afaf4,
    0x3f71e2a0, 0x3ddd35a0, 0x3cb3e852, 0x3e08c485, 0x3f07eca9, 0x3a74d823, 0x3eaee038,
    0x3cbe7ff7, 0x3dcce0bd, 0x3e275f84, 0x3e8ee6fb, 0x3f465102, 0x3f754071, 0x3ecf3ecd,
    0x3f7bd2f6, 0x3df51427, 0x3f3ddc60, 0x3f70090e, 0x3f11ee81, 0x3dc6bf89, 0x3d72a0ad,
    0x3e4ef521, 0x3f28cde8, 0x3d3cfc78, 0x3eb2366f, 0x3f010b17, 0x3f1a1a03, 0x3e0fdcbc)
# a.T @ b with a stored (9, 3): a 3x9 by 9x8 product, rounded products added in order
MM_A = _f32(
    0x3fed661c, 0x3f894c68, 0xbf8a889e, 0xbead812b, 0xbfbb8134, 0xbf8a0f8d, 0xbf1d1c8f,
    0x3f63e3fe, 0x3fb28db5, 0x3fb4fc1a, 0xbfb40e04, 0x3ed9e1fe, 0xbf7a4bf4, 0xbeb5a652,
    0x3f763139, 0x3f93915c, 0x3fb8265d, 0xbf255ba9, 0x3e156373, 0xbf5bf084, 0xbf2f69ca,
    0xbf9892f1, 0x3e541acb, 0xbf5095f2, 0xbefd2011, 0x3f26e2a2, 0xbed0c774).reshape(3, 9)
MM_B = _f32(
    0xbf90fedd, 0xbef397bd, 0x3f4ba4f9, 0x3da935ab, 0x3f269c5f, 0x3eab9180, 0x3eaea94f,
    0xbe7e62cc, 0xbf7ebd59, 0x3fc28405, 0x400daa3b, 0x3f542cd5, 0x3fe00605, 0xbf045cf8,
    0x3fafae40, 0xbfc2c29a, 0xbecfdf4e, 0x3e851caa, 0x3dc8be8e, 0xbf991095, 0x3f8e2a4f,
    0xbc4584bd, 0xbf641e61, 0x3f2fa1fb, 0xc0259ef5, 0x3ff42201, 0xbfc39431, 0x3ee10eef,
    0x3f4a84b9, 0x40279dd1, 0xbf227234, 0x3e204e55, 0x3f6c2364, 0xbf74eb5c, 0x3fa5defa,
    0xbe5323cf, 0xbf7a6b05, 0xbf3b6f66, 0x3f336521, 0x3e87afc9, 0x3f7bf3c9, 0xbf329bd0,
    0x3f3f6acb, 0x3f83951c, 0x3f50df2e, 0x3f6097b4, 0x3fa984f4, 0xbf971511, 0x3cb4b4fe,
    0xbf7482a4, 0x3f52ae0b, 0x3f26097b, 0xbf420866, 0xbf8b8370, 0xbe899fee, 0xbf35da82,
    0xbe832167, 0x3fdb1b64, 0x3fbbeaf8, 0x3fa72a94, 0x3ea76c67, 0xbec6c482, 0xbf18cf1f,
    0xbe07e53e, 0x3dc09078, 0x3e498795, 0xbfc2d7d4, 0x3f8002ac, 0x3f27b32c, 0x3ff55ae1,
    0x3f35cbef, 0xbec20ea2).reshape(9, 8)
MM_OUT = _f32(
    0xc08c00a7, 0x408b788e, 0x3e70ac30, 0x406295ac, 0x407594be, 0x401437c6, 0x3fba0ec9,
    0xc00db8f0, 0x4017bd3e, 0xc06a5847, 0x4076692e, 0x3f870020, 0xbfc4c780, 0xc0541fc2,
    0xbfe79c1a, 0xbd879b02, 0x404e6db6, 0xbff96717, 0x3f4c6e82, 0xbf94bb6e, 0xc06a32cc,
    0xc07ee618, 0xbf9effde, 0x40033572).reshape(3, 8)
# x @ W.t() for a 3x4 input and a Linear(4, 1) weight: rounded products in order
LIN_X = _f32(
    0x3fbe629f, 0x3eb20dbf, 0x3f4971f8, 0xbe8afdc5, 0xbd467546, 0xbff9a4f8, 0x3f220017,
    0x3f1c022b, 0xbfe11912, 0xbf5763c7, 0x3e1198eb, 0x3dbb2e07).reshape(3, 4)
LIN_W = _f32(0xbecdff03, 0x3e8c1f73, 0xbf75f99c, 0xbead9843).reshape(1, 4)
LIN_OUT = _f32(0xbf9569dd, 0xbfaa1a40, 0x3e9e8d40).reshape(3, 1)


def test_glibc_expf_is_not_the_correctly_rounded_value() -> None:
    assert _bits(U.glibc_expf(EXPF_IN)) == _bits(EXPF_OUT)
    assert (np.exp(EXPF_IN.astype(np.float64)).astype(np.float32) != EXPF_OUT).all()


def test_glibc_expf_edges() -> None:
    x = np.array([0, -np.inf, np.inf, np.nan, -105, 89], np.float32)
    e = U.glibc_expf(x)
    assert e[0] == 1 and e[1] == 0 and e[2] == np.inf and np.isnan(e[3])
    assert e[4] == 0 and e[5] == np.inf


def test_sigmoid_takes_sleef_exp_for_whole_vector_pairs_and_glibc_exp_in_the_tail(
        monkeypatch) -> None:
    monkeypatch.setattr(K, "LANES", 16)
    assert _bits(U.sigmoid(SIG_IN)) == _bits(SIG_OUT)
    assert _bits(U.sigmoid(SIG_IN.reshape(5, 7))) == _bits(SIG_OUT)
    assert _bits(U.sigmoid(SIG_IN.reshape(7, 5).T)) == _bits(SIG_OUT.reshape(7, 5).T)


def test_sigmoid_through_the_engine(monkeypatch) -> None:
    monkeypatch.setattr(K, "LANES", 16)
    x = ours.from_numpy(SIG_IN.copy()).requires_grad_()
    assert _bits(ours.sigmoid(x).detach().numpy()) == _bits(SIG_OUT)


def test_small_matmul_adds_rounded_products_in_order() -> None:
    a = np.ascontiguousarray(MM_A.T).T  # stored transposed, as in a.T @ g
    assert _bits(matmul.mm(a, MM_B)) == _bits(MM_OUT)
    assert _bits(a @ MM_B) != _bits(MM_OUT)


def test_linear_with_one_output_matches_torch() -> None:
    x = ours.from_numpy(LIN_X.copy())
    w = ours.from_numpy(LIN_W.copy())
    out = ours.nn.functional.linear(x, w, ours.zeros(1))
    assert _bits(out.numpy()) == _bits(LIN_OUT)
    assert _bits(ours.mm(x, w.t()).numpy()) == _bits(LIN_OUT)


def test_wide_products_fuse_each_product_into_the_sum() -> None:
    a = np.array([[1.0, 2.0 ** -30]] * 4, np.float32)
    b = np.array([[1.0] * 12, [1.0 + 2.0 ** -23] * 12], np.float32)
    # fused: 1 + 2^-30 * (1 + 2^-23) rounds to 1 either way; check the rule names instead
    assert matmul._mm_order(a, b) == "fma"
    assert matmul._mm_order(a[:3], b) == "round"
    assert matmul._mm_order(np.ones((9, 9), np.float32), np.ones((9, 9), np.float32)) is None


# ---------------------------------------------------------------------------------------------
# Differential: bit for bit against real torch.


@pytest.fixture
def torch1(monkeypatch):
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "sigmoid and small matmul compared bit for bit skipped")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    capability = torch.backends.cpu.get_cpu_capability()
    if capability not in ("AVX512", "AVX2"):
        pytest.skip(f"torch runs its {capability} kernels here")
    monkeypatch.setattr(K, "LANES", 16 if capability == "AVX512" else 8)
    yield torch
    torch.set_num_threads(threads)


@pytest.mark.torch
@pytest.mark.parametrize("n", [1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 64, 65, 1000, 20000])
def test_sigmoid_matches_torch_bit_for_bit(torch1, n: int) -> None:
    torch = torch1
    rng = np.random.default_rng(n)
    for _ in range(max(1, 2000 // n)):
        x = (rng.standard_normal(n) * rng.uniform(0.5, 30)).astype(np.float32)
        assert _bits(U.sigmoid(x)) == _bits(torch.sigmoid(torch.from_numpy(x)).numpy())


@pytest.mark.torch
def test_glibc_expf_matches_the_c_library() -> None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("m")
    if name is None:
        pytest.skip("no C math library")
    libm = ctypes.CDLL(name)
    libm.expf.restype, libm.expf.argtypes = ctypes.c_float, [ctypes.c_float]
    x = np.concatenate([np.linspace(-103.9, 88.7, 20001, dtype=np.float32),
                        (np.random.default_rng(0).standard_normal(20000) * 5).astype(np.float32)])
    want = np.array([libm.expf(float(v)) for v in x], np.float32)
    assert _bits(U.glibc_expf(x)) == _bits(want)


def _layout(rng, shape, transposed: bool) -> np.ndarray:
    if transposed:
        return np.ascontiguousarray(rng.standard_normal(shape[::-1]).astype(np.float32)).T
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.torch
@pytest.mark.parametrize("layout", ["a @ b", "a.T @ g", "g @ b.T"])
def test_small_matmuls_with_a_known_order_match_torch(torch1, layout: str) -> None:
    torch = torch1
    rng = np.random.default_rng(len(layout) * 7 + layout.count("T"))
    checked = 0
    for _ in range(600):
        m, n = rng.integers(1, 17, 2) if rng.random() < 0.6 else rng.integers(1, 65, 2)
        k = int(rng.integers(1, 129))
        a = _layout(rng, (m, k), layout == "a.T @ g")
        b = _layout(rng, (k, n), layout == "g @ b.T")
        if m * n == 1 or matmul._mm_order(a, b) in (None, "lanes"):
            continue
        checked += 1
        assert _bits(matmul.mm(a, b)) == _bits(torch.mm(torch.from_numpy(a),
                                                      torch.from_numpy(b)).numpy()), (m, k, n)
    assert checked > 200


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(3, 4, 1), (6, 3, 1), (16, 3, 2), (32, 16, 12), (64, 2, 8)])
def test_linear_forward_and_weight_gradient_match_torch(torch1, shape) -> None:
    torch = torch1
    batch, fan_in, fan_out = shape
    rng = np.random.default_rng(batch * 100 + fan_in)
    for _ in range(20):
        x = rng.standard_normal((batch, fan_in)).astype(np.float32)
        w = rng.standard_normal((fan_out, fan_in)).astype(np.float32)
        bias = rng.standard_normal(fan_out).astype(np.float32)
        g = rng.standard_normal((batch, fan_out)).astype(np.float32)
        got = []
        for T in (torch, ours):
            W = T.from_numpy(w.copy()).requires_grad_()
            y = T.nn.functional.linear(T.from_numpy(x.copy()), W, T.from_numpy(bias.copy()))
            y.backward(T.from_numpy(g.copy()))
            got.append((_bits(y.detach().numpy()), _bits(W.grad.numpy())))
        assert got[0] == got[1]
