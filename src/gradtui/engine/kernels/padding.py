"""Padding's forwards and backwards (``F.pad``): numpy only.

``pad`` is torch's order: pairs from the last dim backwards, ``(left, right, top, bottom, ...)``;
a negative amount crops. Reflection and replication read each output position from one input
position (torch's index arithmetic in ``ReflectionPad.cpp`` / ``ReplicationPadding.cpp``), so the
forward is a gather along each padded dim and the backward adds every output's gradient back
into the input position it was read from.
"""

from __future__ import annotations

import numpy as np


def _pairs(pad: tuple[int, ...], ndim: int) -> list[tuple[int, int, int]]:
    """``(dim, before, after)`` for each padded dim."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def constant_pad(self: np.ndarray, pad: tuple[int, ...], value: float) -> np.ndarray:
    """torch's constant_pad_nd: crop the negative amounts, then fill the positive ones."""
    crop = [slice(None)] * self.ndim
    widths = [(0, 0)] * self.ndim
    for dim, before, after in _pairs(pad, self.ndim):
        crop[dim] = slice(max(-before, 0), self.shape[dim] - max(-after, 0))
        widths[dim] = (max(before, 0), max(after, 0))
    return np.pad(self[tuple(crop)], widths, mode="constant", constant_values=value)


def constant_pad_backward(grad: np.ndarray, pad: tuple[int, ...]) -> np.ndarray:
    """The gradient of the kept entries; cropped entries get zero (torch pads the gradient by
    the negated amounts)."""
    return constant_pad(grad, tuple(-p for p in pad), 0)


def source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position along one dim, the input position it reads (torch's kernels:
    the output starts at ``max(before, 0)``, the input at ``max(-before, 0)``)."""
    j = np.arange(size + before + after)
    if mode == "reflect":
        at = np.where(j < before, 2 * before - j,
                      np.where(j < size + before, j, 2 * (size + before - 1) - j))
    else:  # replicate
        at = np.clip(j, before, size + before - 1)
    return at - max(before, 0) + max(-before, 0)


def gather_pad(self: np.ndarray, pad: tuple[int, ...], mode: str) -> np.ndarray:
    out = self
    for dim, before, after in _pairs(pad, self.ndim):
        out = np.take(out, source_index(self.shape[dim], before, after, mode), axis=dim)
    return out


def gather_pad_backward(grad: np.ndarray, pad: tuple[int, ...], mode: str,
                        shape: tuple[int, ...]) -> np.ndarray:
    """Each output's gradient added into the input position it was read from, one padded dim
    at a time (the last padded dim first undone)."""
    for dim, before, after in reversed(_pairs(pad, len(shape))):
        index = source_index(shape[dim], before, after, mode)
        target = list(grad.shape)
        target[dim] = shape[dim]
        summed = np.zeros(target, dtype=grad.dtype)
        moved = np.moveaxis(summed, dim, 0)
        np.add.at(moved, index, np.moveaxis(grad, dim, 0))
        grad = summed
    return grad
