"""The numpy backward of views, indexing and copies: each sends a gradient back to the positions
of the input its op read (and 0 to the rest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def gather_index(index: np.ndarray, dim: int) -> tuple:
    """The numpy index that reads ``index``'s entries along ``dim`` (torch's gather)."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def index_backward(grad: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of ``shape`` with ``grad`` added at ``index`` (repeated positions add up)."""
    out = np.zeros(shape, dtype=grad.dtype)
    np.add.at(out, index, grad)
    return out


def slice_backward(grad: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of ``shape`` with ``grad`` written at ``index`` (a basic index: no repeats)."""
    out = np.zeros(shape, dtype=grad.dtype)
    out[index] = grad
    return out


def dim_index(dim: int, index: Any) -> tuple:
    """The numpy index of ``index`` (an int or a slice) along ``dim``."""
    return (slice(None),) * dim + (index,)


def copy_slices_self(grad: np.ndarray, view_fn: Callable) -> np.ndarray:
    """The base's gradient after a write through a view: 0 at the overwritten entries."""
    out = np.array(grad)
    view_fn(out)[...] = 0
    return out


class IndexView:
    """``arr[index] = value`` for advanced indices, which numpy cannot return as a view."""

    __slots__ = ("arr", "index")

    def __init__(self, arr: np.ndarray, index: Any) -> None:
        self.arr, self.index = arr, index

    def __setitem__(self, key: Any, value: Any) -> None:
        self.arr[self.index] = value


def as_strided_backward(grad: np.ndarray, view_fn: Callable,
                        shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=grad.dtype)
    view_fn(out)[...] = grad
    return out


def split_backward(grad: np.ndarray, i: int, dim: int, sizes: tuple[int, ...]) -> np.ndarray:
    """The slice of cat's gradient that belongs to its input ``i``."""
    start = sum(sizes[:i])
    return grad[dim_index(dim, slice(start, start + sizes[i]))]


def repeat_backward(grad: np.ndarray, repeats: tuple[int, ...],
                    shape: tuple[int, ...]) -> np.ndarray:
    """The gradient of ``repeat``: every copy's gradient summed back onto the input."""
    lead = len(repeats) - len(shape)
    full_shape = (1,) * lead + tuple(shape)
    split = []
    for r, s in zip(repeats, full_shape, strict=True):
        split += [r, s]
    grad = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
    return grad.reshape(shape)
