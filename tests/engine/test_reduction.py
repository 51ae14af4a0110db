"""Sums rounded like torch's CPU kernel (values observed from torch 2.13)."""

from __future__ import annotations

import numpy as np

import gradtui.engine.torchapi as torch
from gradtui.engine.reduction import torch_sum


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
