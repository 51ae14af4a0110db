"""Rebuild a golden case's numpy array from its JSON description (no torch needed).

A case's ``array`` is ``{"dtype": NAME, "shape": [...], "fill": {...}}`` where ``fill`` is one of

* ``{"values": [v, ...]}``: the flat values in C order; ``"nan"``, ``"inf"``, ``"-inf"`` are
  strings (JSON has no such numbers), ``-0.0`` is kept as a JSON number;
* ``{"arange": [start, step]}``: ``start + step * i`` computed in float64 (int64 for integer
  dtypes), then cast to the dtype;
* ``{"full": v}``: every element ``v``;

optionally with ``"set": [[flat_index, v], ...]`` overriding single elements afterwards. The
recipes keep big tensors (10^4+ elements) small in the fixture while staying exact.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

NUMPY_DTYPES: dict[str, type] = {
    "float32": np.float32,
    "float64": np.float64,
    "float16": np.float16,
    "int64": np.int64,
    "int32": np.int32,
    "int16": np.int16,
    "int8": np.int8,
    "uint8": np.uint8,
    "bool": np.bool_,
}

_SPECIALS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def decode_value(value: Any) -> float | int | bool:
    """A JSON value back to a Python number (special floats arrive as strings)."""
    if isinstance(value, str):
        return _SPECIALS[value]
    return value


def encode_value(value: float | int | bool) -> Any:
    """A Python number to a JSON-safe value; inverse of ``decode_value``."""
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "nan"
        return "inf" if value > 0 else "-inf"
    return value


def build_array(description: dict[str, Any]) -> np.ndarray:
    """The exact numpy array a case describes."""
    dtype = NUMPY_DTYPES[description["dtype"]]
    shape = tuple(description["shape"])
    count = math.prod(shape)
    fill = description["fill"]
    if "values" in fill:
        decoded = [decode_value(v) for v in fill["values"]]
        if len(decoded) != count:
            raise ValueError(f"{len(decoded)} values for shape {shape}")
        if np.dtype(dtype).kind in "iub":
            # Integers beyond 2**53 must not pass through float64.
            array = np.array(decoded, dtype=dtype)
        else:
            # Through float64 first, as torch.tensor rounds a Python float to the dtype.
            array = np.array(decoded, dtype=np.float64).astype(dtype)
    elif "arange" in fill:
        start, step = fill["arange"]
        base = np.int64 if np.dtype(dtype).kind in "iu" else np.float64
        array = (np.arange(count, dtype=base) * base(step) + base(start)).astype(dtype)
    elif "full" in fill:
        array = np.full(count, decode_value(fill["full"]), dtype=dtype)
    else:
        raise ValueError(f"unknown fill {sorted(fill)}")
    for index, value in fill.get("set", []):
        array[index] = decode_value(value)
    return array.reshape(shape)
