"""``F.pad`` against real torch: every mode x every small shape x a grid of pad amounts
(positive, zero, negative, too big), comparing the result, the grad_fn, the input's gradient
under a non-uniform upstream gradient, or the exact exception."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                            "F.pad comparisons skipped")

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

MODES = ("constant", "reflect", "replicate", "circular")
AMOUNTS = (-3, -1, 0, 1, 2, 3)  # sizes are 2 and 3: 2 and 3 reach the reflect/circular limits


def _outcome(T: Any, shape: tuple[int, ...], pad: tuple[int, ...], mode: str) -> tuple:
    x = T.tensor(np.arange(1, int(np.prod(shape)) + 1, dtype=np.float32).reshape(shape),
                 requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            y = T.nn.functional.pad(x, pad, mode=mode)
        except Exception as exc:  # noqa: BLE001 - the error is the observation
            return type(exc).__name__, str(exc)
    if mode == "circular" and min(pad) < 0 and y.numel():
        # torch leaves part of a circularly padded tensor uninitialised when a pad is negative
        # (its edges are copied from outside the copied middle): compare the shape only
        return "ok", tuple(y.shape), type(y.grad_fn).__name__
    upstream = T.tensor(np.arange(y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
    y.backward(upstream)
    return ("ok", tuple(y.shape), y.detach().numpy().tolist(), type(y.grad_fn).__name__,
            x.grad.numpy().tolist())


CASES = [(shape, pad, mode)
         for mode in MODES
         for shape in ((2, 3), (1, 2, 3), (1, 1, 2, 3), (3,))
         for n in (1, 2)
         for pad in itertools.product(AMOUNTS, repeat=2 * n)
         if n == 1 or pad[0] in (0, 1, -1) and pad[1] in (0, 2)]


@pytest.mark.parametrize("mode", MODES)
def test_pad_matches_torch_over_a_grid(mode: str) -> None:
    differences = []
    for shape, pad, case_mode in CASES:
        if case_mode != mode:
            continue
        theirs = _outcome(torch, shape, pad, mode)
        mine = _outcome(ours, shape, pad, mode)
        if mine != theirs:
            differences.append((shape, pad, theirs, mine))
    assert differences == []


@pytest.mark.parametrize("call", [
    lambda T: T.nn.functional.pad(T.zeros(3, 4), (1,)),
    lambda T: T.nn.functional.pad(T.zeros(3, 4), (1, 1), mode="foo"),
    lambda T: T.nn.functional.pad(T.zeros(3, 4), (1, 1, 1, 1, 1, 1)),
    lambda T: T.nn.functional.pad(T.zeros(4), (1, 1), mode="reflect"),
    lambda T: T.nn.functional.pad(T.zeros(2, 3, 4, 5, 6, 7), (1, 1), mode="replicate"),
    lambda T: T.nn.functional.pad(T.zeros(3, 4), (1, 1), mode="reflect", value=1.0),
    lambda T: T.nn.functional.pad(T.zeros(3, 4), [1.5, 1]),
    lambda T: T.nn.functional.pad(T.zeros(3, 4), 1),
    lambda T: T.nn.functional.pad([1, 2], (1, 1)),
    lambda T: T.nn.functional.pad(T.zeros(3, 4), (1, 1), mode=3),
    lambda T: T.nn.functional.pad(T.zeros(0, 3, 4), (1, 1, 1, 1), mode="reflect"),
    lambda T: T.nn.functional.pad(T.zeros(1, 1, 2, 3, 4), (-4, 0, -3, 0, -2, 0),
                                  mode="replicate"),
    lambda T: T.nn.functional.pad(T.zeros(1, 1, 3, 4), (-4, 0, -3, 0), mode="reflect"),
    lambda T: T.nn.functional.pad(T.zeros(1, 1, 3, 4), (-4, 0, -3, 0), mode="replicate"),
    lambda T: T.nn.functional.pad(T.zeros(2, dtype=T.long), (1, 1), value=2.5),
    lambda T: T.nn.functional.pad(T.zeros(2, dtype=T.bool), (1, 1), value=1),
    lambda T: T.nn.functional.pad(T.arange(6).reshape(2, 3), (1, 2), mode="reflect"),
])
def test_pad_errors_and_dtypes_are_torchs(call: Any) -> None:
    def run(T: Any) -> tuple:
        try:
            out = call(T)
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__, str(exc)
        return "ok", repr(out)

    assert run(ours) == run(torch)


def test_the_saved_values_are_torchs_names() -> None:
    x = ours.arange(12.0).reshape(1, 3, 4).requires_grad_()
    node = ours.nn.functional.pad(x, (2, 1), mode="reflect").grad_fn
    assert node._saved_padding == (2, 1)
    assert ours.nn.functional.pad(x, (2, 1)).grad_fn._saved_pad == (2, 1)
