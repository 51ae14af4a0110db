"""var, std, the 2-norm, rsqrt and binary_cross_entropy round like torch 2.13, bit for bit.

Two kinds of test: values recorded from torch 2.13 (CPU, one thread) hard-coded, so they run
without torch; and differential sweeps against real torch (skipped without it) over sizes that
reach every branch of the kernels in ``engine.kernels.moments`` (two-pass and Welford variance,
the norm's vector lanes, its tail and its per-output loop) and the ops' gradient groupings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradtui.engine import torchapi as ours


def _x() -> np.ndarray:
    x = np.arange(1.0, 13.0, dtype=np.float32) * np.float32(0.37) - np.float32(2.1)
    return x * x * np.float32(1.3) + x


def _g() -> np.ndarray:
    return np.linspace(-1.3, 2.9, 12).astype(np.float32)


def _bce_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.linspace(0.03, 0.97, 12).astype(np.float32)
    t = np.linspace(1, 0, 12).astype(np.float32)
    w = np.linspace(0.5, 2, 12).astype(np.float32)
    return p, t, w


# name -> (program on a torch-like module T, input array, upstream gradient or None)
PROGRAMS: dict[str, tuple[Callable[[Any, Any], Any], Callable[[], np.ndarray], Any]] = {
    "var": (lambda T, a: a.var(), _x, None),
    "std_c0": (lambda T, a: a.std(correction=0), _x, None),
    "var_d1": (lambda T, a: a.reshape(3, 4).var(1), _x, lambda: _g()[:3]),
    "std_d0k": (lambda T, a: a.reshape(3, 4).std(0, keepdim=True), _x,
                lambda: _g()[:4].reshape(1, 4)),
    "norm": (lambda T, a: a.norm(), _x, None),
    "norm_d1": (lambda T, a: a.reshape(3, 4).norm(dim=1), _x, lambda: _g()[:3]),
    "norm_d0": (lambda T, a: a.reshape(3, 4).norm(dim=0), _x, lambda: _g()[:4]),
    "rsqrt": (lambda T, a: a.rsqrt(), lambda: np.abs(_x()) + np.float32(0.1), _g),
    "bce": (lambda T, a: T.nn.functional.binary_cross_entropy(a, T.tensor(_bce_inputs()[1])),
            lambda: _bce_inputs()[0], None),
    "bce_w": (lambda T, a: T.nn.functional.binary_cross_entropy(
        a, T.tensor(_bce_inputs()[1]), weight=T.tensor(_bce_inputs()[2])),
        lambda: _bce_inputs()[0], None),
}

# torch 2.13.0 (CPU, torch.set_num_threads(1)): the result and the input's gradient, flattened
RECORDED: dict[str, tuple[list[float], list[float]]] = {
    "var":
        ([9.564498901367188], [-0.07017678022384644, -0.2731385827064514, -0.4113839864730835,
         -0.48491305112838745, -0.4937257766723633, -0.4378221035003662, -0.31720203161239624,
         -0.1318656951189041, 0.11818695068359375, 0.43295615911483765, 0.8124417662620544,
         1.256643533706665]),
    "std_c0":
        ([2.960989236831665], [-0.01086270622909069, -0.04227928817272186,
         -0.06367837637662888, -0.07505998760461807, -0.07642411440610886,
         -0.06777074933052063, -0.04909989610314369, -0.020411573350429535,
         0.018294231966137886, 0.06701754778623581, 0.1257583647966385, 0.1945166140794754]),
    "var_d1":
        ([1.005784273147583, 0.7757527828216553, 7.30269718170166], [-1.1426955461502075,
         -0.17524422705173492, 0.48372554779052734, 0.8342141509056091, 0.5001919269561768,
         0.3119829595088959, -0.09410462528467178, -0.7180702686309814, 1.0558446645736694,
         0.4367985725402832, -0.30952325463294983, -1.1831198930740356]),
    "std_d0k":
        ([1.7236918210983276, 2.54425311088562, 3.7456002235412598, 5.063595294952393],
         [-0.162594273686409, 0.17910471558570862, 0.17300845682621002, 0.0586017481982708,
         0.7158617973327637, 0.34254205226898193, 0.13592004776000977, 0.028969615697860718,
         -0.5532675385475159, -0.5216467976570129, -0.308928519487381, -0.08757136762142181]),
    "norm":
        ([13.52923583984375], [0.15971112251281738, 0.07720167189836502, 0.021001175045967102,
         -0.008890382945537567, -0.012472985312342644, 0.010253362357616425,
         0.05928868427872658, 0.1346329152584076, 0.23628607392311096, 0.36424824595451355,
         0.518519401550293, 0.6990994215011597]),
    "norm_d1":
        ([2.4197230339050293, 2.002229690551758, 13.15964412689209], [-1.160876750946045,
         -0.5611482858657837, -0.15264920890331268, 0.06462065875530243, 0.0773852989077568,
         -0.06361424177885056, -0.36784079670906067, -0.8352938294410706, -0.13029465079307556,
         -0.2008565217256546, -0.2859259247779846, -0.3855026960372925]),
    "norm_d0":
        ([3.8622195720672607, 5.039381980895996, 7.066595554351807, 9.63282585144043],
         [-0.727302074432373, -0.19030553102493286, -0.021565821021795273,
         0.0019297287799417973, 0.056800223886966705, -0.025274988263845444,
         -0.06088273972272873, -0.02922314964234829, -1.0760136842727661, -0.8978879451751709,
         -0.5324605107307434, -0.15174511075019836]),
    "rsqrt":
        ([0.6650769114494324, 0.934751033782959, 1.6134703159332275, 2.1306512355804443,
         1.928971529006958, 2.046705961227417, 1.0528470277786255, 0.7214097380638123,
         0.5507515072822571, 0.4459666311740875, 0.3748930096626282, 0.3234522044658661],
         [0.1912180781364441, 0.37496140599250793, 1.126451015472412, 0.7474176287651062,
         -0.8156329393386841, -2.611069679260254, -0.5782287120819092, -0.2576915919780731,
         -0.1465553641319275, -0.09474412351846695, -0.06634055823087692,
         -0.04906800389289856]),
    "bce":
        ([1.556486964225769], [-2.777777671813965, -0.6476033926010132, -0.3204055726528168,
         -0.1797930747270584, -0.09438500553369522, -0.029610170051455498,
         0.029610170051455498, 0.09438500553369522, 0.17979305982589722, 0.32040560245513916,
         0.6476033329963684, 2.777780532836914]),
    "bce_w":
        ([1.9456087350845337], [-1.3888888359069824, -0.4121112525463104, -0.24758611619472504,
         -0.1634482592344284, -0.09867522865533829, -0.03499383479356766, 0.03903158754110336,
         0.13728728890419006, 0.2860344350337982, 0.5534278750419617, 1.2068971395492554,
         5.555561065673828]),

}


def _run(T: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    program, make, grad = PROGRAMS[name]
    a = T.tensor(make(), requires_grad=True)
    y = program(T, a)
    if grad is None:
        y.backward()
    else:
        y.backward(T.tensor(grad()))
    return y.detach().numpy().reshape(-1), a.grad.numpy().reshape(-1)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_forward_and_gradient_bits_are_torchs_recorded_values(name: str) -> None:
    value, grad = _run(ours, name)
    want_value, want_grad = RECORDED[name]
    assert value.tolist() == want_value
    assert grad.tolist() == want_grad


def test_grad_fns_are_torchs() -> None:
    x = ours.tensor(_x(), requires_grad=True)
    assert type(x.norm().grad_fn).__name__ == "LinalgVectorNormBackward0"
    assert type(x.reshape(3, 4).norm(dim=1).grad_fn).__name__ == "LinalgVectorNormBackward0"
    assert type(x.var(0).grad_fn).__name__ == "VarBackward0"
    assert type(x.std().grad_fn).__name__ == "StdBackward0"


def test_std_and_norm_gradients_are_zero_where_the_result_is_zero() -> None:
    x = ours.zeros(2, 3, requires_grad=True)
    (x.std(1).sum() + x.norm(dim=0).sum()).backward()
    assert x.grad.tolist() == [[0.0] * 3] * 2


# ------------------------------------------------------------------ against real torch
def _bits(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a).reshape(-1)
    return a.view(np.uint32 if a.itemsize == 4 else np.uint64)


def _compare(T_torch: Any, program: Callable[[Any, Any], Any], x: np.ndarray,
             label: str) -> list[str]:
    results = []
    for T in (T_torch, ours):
        a = T.tensor(x, requires_grad=True)
        y = program(T, a)
        g = np.linspace(-1.3, 2.9, max(y.numel(), 1)).astype(x.dtype).reshape(tuple(y.shape))
        y.backward(T.tensor(g))
        results.append((y.detach().numpy(), a.grad.numpy()))
    (ty, tg), (oy, og) = results
    bad = []
    if ty.shape != oy.shape or (_bits(ty) != _bits(oy)).any():
        bad.append(f"{label}: forward {ty.reshape(-1)[:4]} vs {oy.reshape(-1)[:4]}")
    if tg.shape != og.shape or (_bits(tg) != _bits(og)).any():
        bad.append(f"{label}: gradient differs in {(_bits(tg) != _bits(og)).mean():.1%}")
    return bad


REDUCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "var": lambda T, a: a.var(),
    "var_c0": lambda T, a: a.var(correction=0),
    "var_unbiased_false_d1": lambda T, a: a.reshape(6, -1).var(1, unbiased=False),
    "var_d0": lambda T, a: a.reshape(6, -1).var(0),
    "var_d0_keepdim": lambda T, a: a.reshape(6, -1).var(0, keepdim=True),
    "var_c2_d1": lambda T, a: a.reshape(3, -1).var(-1, correction=2),
    "var_one_output": lambda T, a: a.reshape(1, -1).var(1),
    "std": lambda T, a: a.std(),
    "std_d1": lambda T, a: a.reshape(6, -1).std(1),
    "std_d0_c0": lambda T, a: a.reshape(6, -1).std(0, correction=0),
    "std_d12": lambda T, a: a.reshape(2, 3, -1).std((1, 2)),
    "norm": lambda T, a: a.norm(),
    "norm_t": lambda T, a: a.reshape(6, -1).t().norm(),
    "norm_d1": lambda T, a: a.reshape(6, -1).norm(dim=1),
    "norm_d1_keepdim": lambda T, a: a.reshape(6, -1).norm(dim=1, keepdim=True),
    "norm_d0": lambda T, a: a.reshape(6, -1).norm(dim=0),
    "norm_d02": lambda T, a: a.reshape(2, 3, -1).norm(dim=(0, 2)),
    "norm_d12": lambda T, a: a.reshape(2, 3, -1).norm(dim=(1, 2)),
    "norm_size1_dim": lambda T, a: a.reshape(1, -1).norm(dim=0),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_and_their_gradients_match_torch_bit_for_bit(name: str, dtype: type) -> None:
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "reductions and gradients compared bit for bit skipped")
    torch.set_num_threads(1)
    rng = np.random.default_rng(7)
    bad = []
    # 6 * k elements: every tail length of the norm's 8 (4) lanes, and a few thousand
    for k in [*range(1, 18), 100, 833]:
        x = rng.normal(1.0, 2.0, 6 * k).astype(dtype)
        bad += _compare(torch, REDUCTIONS[name], x, f"{name} n={6 * k}")
    assert not bad, "\n".join(bad[:5])


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rsqrt_gradient_matches_torch_bit_for_bit(dtype: type) -> None:
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "reductions and gradients compared bit for bit skipped")
    x = np.random.default_rng(3).uniform(0.01, 10.0, 5000).astype(dtype)
    assert not _compare(torch, lambda T, a: a.rsqrt(), x, "rsqrt")


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_gradient_matches_torch_bit_for_bit(
        reduction: str, weighted: bool, dtype: type) -> None:
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "reductions and gradients compared bit for bit skipped")
    rng = np.random.default_rng(5)
    t = rng.uniform(0, 1, (50, 100)).astype(dtype)
    w = rng.uniform(0.1, 3, 100).astype(dtype)  # broadcast over the rows

    def program(T: Any, p: Any) -> Any:
        return T.nn.functional.binary_cross_entropy(
            p, T.tensor(t), weight=T.tensor(w) if weighted else None, reduction=reduction)

    p = rng.uniform(0.001, 0.999, (50, 100)).astype(dtype)
    p[0, :3] = (0.0, 1.0, 1e-7)  # the clamped logs and the eps floor of the gradient
    bad = _compare(torch, program, p, f"bce {reduction}")
    if reduction == "none":  # the forward's log/log1p are glibc's: not always the same bits
        bad = [b for b in bad if "forward" not in b]
    assert not bad, bad
