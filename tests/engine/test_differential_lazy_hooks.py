"""Differential tests against real torch: nn.LazyLinear's materialized weights follow torch's
generator in torch's order (every seed, width and dtype), and module hooks see, and replace,
the same tensors as torch's in a small network."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                             "differential lazy module and module hook tests skipped")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

BOUNDED = settings(max_examples=25, derandomize=True, database=None, deadline=None)


def _lazy_run(T: Any, seed: int, batch: int, width: int, out: int, bias: bool,
              dtype: str) -> list[np.ndarray]:
    T.manual_seed(seed)
    m = T.nn.LazyLinear(out, bias=bias, dtype=getattr(T, dtype))
    x = T.randn(batch, width, dtype=getattr(T, dtype))
    y = m(x)
    after = T.rand(3)  # the generator moved on exactly as far as torch's
    return [y.detach().numpy().copy(), m.weight.detach().numpy().copy(),
            after.numpy().copy(), np.array(type(m).__name__)]


@BOUNDED
@given(seed=st.integers(0, 2**31), batch=st.integers(1, 4), width=st.integers(1, 9),
       out=st.integers(1, 6), bias=st.booleans(), dtype=st.sampled_from(["float32", "float64"]))
def test_lazylinear_draws_torchs_weights(seed: int, batch: int, width: int, out: int,
                                         bias: bool, dtype: str) -> None:
    want = _lazy_run(torch, seed, batch, width, out, bias, dtype)
    got = _lazy_run(ours, seed, batch, width, out, bias, dtype)
    for w, g in zip(want, got, strict=True):
        assert w.dtype == g.dtype and w.shape == g.shape
    # the draws to the bit; the forward is a matrix product (MKL's rounding: to an ulp or so)
    assert np.array_equal(want[1], got[1]) and np.array_equal(want[2], got[2])
    assert want[3] == got[3] == np.array("Linear")
    tol = 1e-6 if dtype == "float32" else 1e-14
    np.testing.assert_allclose(got[0], want[0], rtol=tol, atol=tol)


def _hooked_run(T: Any, seed: int, scale: float, input_grad: bool) -> list[np.ndarray]:
    import warnings

    T.manual_seed(seed)
    net = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
    seen: list[np.ndarray] = []

    def keep(t: Any) -> None:
        seen.append(np.zeros(0) if t is None else t.detach().numpy().copy())

    def pre(m: Any, args: tuple) -> tuple:
        keep(args[0])
        return (args[0] * scale,)

    def forward(m: Any, args: tuple, output: Any) -> Any:
        keep(output)
        return output + 1

    def backward_pre(m: Any, grad_output: tuple) -> tuple:
        keep(grad_output[0])
        return (grad_output[0] * scale,)

    def backward(m: Any, grad_input: tuple, grad_output: tuple) -> tuple | None:
        keep(grad_input[0])
        keep(grad_output[0])
        return None if grad_input[0] is None else (grad_input[0] * 2,)

    net[1].register_forward_pre_hook(pre)
    net[1].register_forward_hook(forward)
    net[1].register_full_backward_pre_hook(backward_pre)
    net[2].register_full_backward_hook(backward)
    x = T.randn(5, 3, requires_grad=input_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net(x).pow(2).sum().backward()
    seen.append(net[0].weight.grad.numpy().copy())
    if input_grad:
        seen.append(x.grad.numpy().copy())
    return seen


@BOUNDED
@given(seed=st.integers(0, 2**31), scale=st.sampled_from([0.5, 1.0, -3.0]),
       input_grad=st.booleans())
def test_module_hooks_see_and_replace_torchs_tensors(seed: int, scale: float,
                                                    input_grad: bool) -> None:
    want = _hooked_run(torch, seed, scale, input_grad)
    got = _hooked_run(ours, seed, scale, input_grad)
    assert len(want) == len(got)
    for w, g in zip(want, got, strict=True):
        # matrix products round as MKL's do only to an ulp or so: a tolerance, not equality
        np.testing.assert_allclose(g, w, rtol=2e-6, atol=1e-6)
