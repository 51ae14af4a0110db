"""Short, one-line text previews of arrays and values, cheap for any size.

A preview never formats a whole big array: it first picks a few leading and trailing items per
dimension (numpy views, no copy), so a 10^7-element tensor costs the same as a 6-element one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MAX_PREVIEW_CHARS = 160
MAX_LIST_VALUES = 64  # TensorInfo.values is the full nested list only up to this many elements
_EDGE_1D = 3
_EDGE_ND = 2


def format_number(value: Any) -> str:
    """``1.`` for whole floats, up to 4 decimals otherwise (torch's precision).

    Significant digits would hide the decimals of larger values (``458.0271`` as ``458``, which
    reads as a whole number); tiny and huge values use torch's scientific form.
    """
    if type(value) is float:  # the common case (``tolist()`` values): skip the checks below
        return _format_float(value)
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _format_float(float(value))
    return repr(value)


def _format_float(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v.is_integer() and abs(v) < 1e8:
        return f"{int(v)}."
    magnitude = abs(v)
    if magnitude < 1e-4 or magnitude >= 1e8:
        return f"{v:.4e}"
    return f"{v:.4f}".rstrip("0")  # compact, but never fewer decimals than the value has


def _sample(arr: np.ndarray, edge: int, budget: list[int]) -> str:
    """Nested text of ``arr`` with at most ``edge`` items at each end of every dimension."""
    if arr.ndim == 0:
        budget[0] -= 1
        return format_number(arr.item())
    n = arr.shape[0]
    if n > 2 * edge:
        head = [_sample(arr[i], edge, budget) for i in range(edge) if budget[0] > 0]
        tail = [_sample(arr[i], edge, budget) for i in range(n - edge, n) if budget[0] > 0]
        items = [*head, "...", *tail]
    else:
        items = []
        for i in range(n):
            if budget[0] <= 0:
                items.append("...")
                break
            items.append(_sample(arr[i], edge, budget))
    return "[" + ", ".join(items) + "]"


def preview_array(arr: np.ndarray) -> str:
    """e.g. ``[[1., 1.], [1., 1.]]``, ``2.5``, ``[0., 1., 2., ..., 7., 8., 9.]``."""
    if arr.size == 0:
        return "[]" if arr.ndim == 1 else f"[] (shape {list(arr.shape)})"
    if arr.ndim <= 1 and arr.size <= 2 * _EDGE_1D:
        # Most previews (scalars, small vectors, a graph's saved values) take this path: one
        # tolist() instead of a numpy 0-d view and .item() per value.
        values = arr.tolist()
        if arr.ndim == 0:
            return format_number(values)
        return "[" + ", ".join(map(format_number, values)) + "]"
    edge = _EDGE_1D if arr.ndim <= 1 else _EDGE_ND
    text = _sample(arr, edge, [48])
    if len(text) > MAX_PREVIEW_CHARS:
        text = text[: MAX_PREVIEW_CHARS - 3] + "..."
    return text


def preview_value(value: Any) -> str:
    """Preview of anything a graph node saved: arrays as ``tensor(...)``, scalars as numbers."""
    if isinstance(value, np.ndarray):
        return f"tensor({preview_array(value)})"
    if isinstance(value, bool | int | float | np.generic):
        return format_number(value)
    text = repr(value)
    if len(text) > MAX_PREVIEW_CHARS:
        text = text[: MAX_PREVIEW_CHARS - 3] + "..."
    return text


def small_values(arr: np.ndarray) -> list[Any] | None:
    """The nested list of values when the array is small, else None."""
    if arr.size > MAX_LIST_VALUES:
        return None
    values = arr.tolist()
    return values if isinstance(values, list) else [values]
