"""Sums rounded like torch's CPU kernel (values observed from torch 2.13)."""

from __future__ import annotations

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine.kernels import sums
from gradtui.engine.kernels.sums import torch_sum


def test_sum_and_mean_print_torchs_last_digits() -> None:
    t = torch.arange(1, 41.0) / 7
    assert t.sum().item() == 117.14286041259766  # numpy's pairwise sum gives ...278320312
    assert t.mean().item() == 2.9285714626312256
    assert t.reshape(4, 10).sum(1).tolist() == [7.857143402099609, 22.14285659790039,
                                                36.42856979370117, 50.71428298950195]


def test_training_loop_losses_match_torch() -> None:
    x = torch.arange(10.0).reshape(10, 1)
    y = 3 * x + 2
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(5):
        loss = ((x * w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
        w.grad.zero_()
        b.grad.zero_()
        losses.append(loss.item())
    assert losses == [314.5, 54.85407257080078, 9.991067886352539, 2.2346301078796387,
                      0.8888764381408691]


def test_small_sums_use_four_interleaved_partials() -> None:
    # torch keeps four partial sums (x0+x4+x5+x6, x1, x2, x3); numpy's pairwise sum loses
    # more of the small terms against 1e8
    a = np.array([1e8, 1.0, 1.0, 1.0, -1e8, 1.0, 1.0], dtype=np.float32)
    assert float(torch_sum(a, None, False)) == 5.0  # what torch 2.13 prints
    assert float(a.sum()) == 2.0


def test_unsupported_layouts_fall_back_to_numpy() -> None:
    a = np.ones((2, 3, 4), dtype=np.float32)
    assert torch_sum(a, (0, 2), False) is None  # reduced and kept dims interleave
    assert torch_sum(np.ones(40000, dtype=np.float32), None, False) is None  # torch: threads
    assert torch_sum(np.ones((40000, 2), dtype=np.float32), (0,), False) is not None
    assert torch_sum(np.ones(3, dtype=np.int64), None, False) is None


def _torch_multi_row_sum(rows: np.ndarray) -> np.ndarray:
    """torch's ``multi_row_sum`` (SumKernel.cpp) transcribed loop for loop: rows go into
    level 0; every ``step`` rows a level is added into the next one up (and cleared), going
    higher while the row count is a multiple of that level's span; the tail goes into level 0,
    then levels 1-3 are added to it in order."""
    size = len(rows)
    power = max(4, sums._ceil_log2(size) // 4)
    step = 1 << power
    acc = [np.zeros(rows.shape[1:], dtype=rows.dtype) for _ in range(4)]
    i = 0
    while i + step <= size:
        for _ in range(step):
            acc[0] = acc[0] + rows[i]
            i += 1
        for j in range(1, 4):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = np.zeros_like(acc[j - 1])
            if i & ((step - 1) << (j * power)):
                break
    for k in range(i, size):
        acc[0] = acc[0] + rows[k]
    for j in range(1, 4):
        acc[0] = acc[0] + acc[j]
    return acc[0]


@pytest.mark.parametrize("size", [1, 2, 15, 16, 17, 31, 64, 100, 255, 256, 257, 300, 1000, 4097])
def test_cascade_sum_adds_rows_in_torchs_order_at_every_level(size: int) -> None:
    rng = np.random.default_rng(size)
    rows = (rng.standard_normal((size, 5)) * 10.0 ** rng.integers(-4, 5, (size, 5)))
    rows = rows.astype(np.float32)
    rows[::7, 0] = -0.0  # signed zeros must come out as torch's
    expected = _torch_multi_row_sum(rows)
    got = sums._multi_row_sum(rows)
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))
