"""Tensor printing, byte-identical to PyTorch 2.13's ``repr(tensor)``.

This is a port of ``torch/_tensor_str.py`` (torch 2.13) onto numpy arrays; that file is the
specification and the structure below mirrors it: a formatter chosen once per tensor from the
elements that will be shown, a recursive layout that nests ``[...]`` with one extra space of indent
per level, and suffixes (``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=``) appended with
torch's own wrapping rule, including its off-by-two.

Only numpy and the standard library are used: the engine must import without torch.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from gradtui.engine import dtypes

__all__ = [
    "get_printoptions",
    "printoptions",
    "set_printoptions",
    "tensor_repr",
]

# The numpy dtype each torch dtype name is stored as.
_NUMPY_DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
    "float16": np.dtype(np.float16),
    "int64": np.dtype(np.int64),
    "int32": np.dtype(np.int32),
    "int16": np.dtype(np.int16),
    "int8": np.dtype(np.int8),
    "uint8": np.dtype(np.uint8),
    "bool": np.dtype(np.bool_),
}

# Dtypes whose non-empty tensors print no ``dtype=`` suffix: the default float dtype
# (``torch.set_default_dtype``) plus the dtypes Python literals infer (torch also lists
# complex64, which the engine does not have).
_LITERAL_DTYPES = frozenset({"int64", "bool"})


def _default_dtype() -> str:
    return dtypes.default_float().name

_PREFIX = "tensor("
_INDENT = len(_PREFIX)


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()

_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the print options, exactly as ``torch.set_printoptions`` does.

    ``profile`` ("default", "short", "full") is applied first, then the explicit options.
    As in torch, ``sci_mode`` is always assigned: a call that omits it restores automatic
    scientific notation. An unknown profile name is ignored, as torch ignores it.
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTIONS, name, value)
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as a dict that can be passed back to ``set_printoptions``."""
    return asdict(_OPTIONS)


@contextlib.contextmanager
def printoptions(**options: Any) -> Iterator[None]:
    """Temporarily change the print options (torch's ``torch._tensor_str.printoptions``)."""
    saved = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Turns one element into its padded text; chosen once per tensor (torch's ``_Formatter``).

    Float tensors pick a mode from their nonzero finite values only: integer mode (``1.``) when
    all are integral, scientific when the magnitudes span more than 1000x or leave [1e-4, 1e8]
    (unless forced by ``sci_mode``), fixed ``precision`` decimals otherwise. Every element is
    right-aligned to the widest nonzero finite value's text.
    """

    def __init__(self, shown: np.ndarray, floating: bool, options: _PrintOptions) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode: Any = False
        self.max_width = 1
        self._sci_spec = f"{{:.{options.precision}e}}"
        self._fixed_spec = f"{{:.{options.precision}f}}"
        flat = shown.reshape(-1)
        if not floating:
            if flat.size:
                # str() of an integer is longest at an extreme; bools are "True"/"False".
                extremes = (flat.max().item(), flat.min().item())
                self.max_width = max(1, *(len(str(value)) for value in extremes))
            return

        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return  # zeros, nan and inf never choose the mode or the width

        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        # torch compares magnitudes in double (float16 would overflow at 1e8).
        magnitudes = np.abs(nonzero_finite).astype(np.float64)
        smallest = float(magnitudes.min())
        largest = float(magnitudes.max())
        if options.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = options.sci_mode

        # Text length grows monotonically with the magnitude within each sign (rounding is
        # monotonic, exponent digits grow at both ends of the range), so the widest text is
        # one of the four per-sign extremes: no need to format every element.
        positives = nonzero_finite[nonzero_finite > 0]
        negatives = nonzero_finite[nonzero_finite < 0]
        candidates = [
            float(value)
            for group in (positives, negatives)
            if group.size
            for value in (group.min(), group.max())
        ]
        for value in candidates:
            if self.sci_mode:
                length = len(self._sci_spec.format(value))
            elif self.int_mode:
                length = len(f"{value:.0f}") + 1  # the trailing "." marks a float
            else:
                length = len(self._fixed_spec.format(value))
            self.max_width = max(self.max_width, length)

    def format(self, value: float | int | bool) -> str:
        if self.floating:
            if self.sci_mode:
                text = self._sci_spec.format(value)
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = self._fixed_spec.format(value)
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


def _summarized_data(values: np.ndarray, edgeitems: int) -> np.ndarray:
    """The elements a summarized print shows (torch's ``get_summarized_data``)."""
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        if values.shape[0] > 2 * edgeitems:
            return np.concatenate((values[:edgeitems], values[-edgeitems:]))
        return values
    if not edgeitems:
        return values[(slice(0, 0),) * values.ndim]
    if values.shape[0] > 2 * edgeitems:
        rows = list(range(edgeitems)) + list(range(len(values) - edgeitems, len(values)))
    else:
        rows = list(range(len(values)))
    return np.stack([_summarized_data(values[i], edgeitems) for i in rows])


def _vector_str(
    row: Any, indent: int, summarize: bool, formatter: _Formatter, options: _PrintOptions
) -> str:
    element_length = formatter.max_width + 2  # width plus ", "
    per_line = max(1, math.floor((options.linewidth - indent) / element_length))
    edge = options.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and len(row) > 2 * edge:
        # The " ..." element keeps the two-space gap torch prints before the ellipsis.
        data = [formatter.format(v) for v in _as_list(row[:edge])]
        data.append(" ...")
        data.extend(formatter.format(v) for v in _as_list(row[-edge:]))
    else:
        data = [formatter.format(v) for v in _as_list(row)]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _as_list(row: Any) -> list[Any]:
    return row.tolist() if isinstance(row, np.ndarray) else row


def _nested_str(
    values: Any,
    ndim: int,
    indent: int,
    summarize: bool,
    formatter: _Formatter,
    options: _PrintOptions,
) -> str:
    """Torch's ``_tensor_str_with_formatter`` over a numpy array or its nested lists."""
    if ndim == 0:
        scalar = values.item() if isinstance(values, np.ndarray) else values
        return formatter.format(scalar)
    if ndim == 1:
        return _vector_str(values, indent, summarize, formatter, options)
    edge = options.edgeitems
    size = len(values)
    if summarize and size > 2 * edge:
        slices = [
            _nested_str(values[i], ndim - 1, indent + 1, summarize, formatter, options)
            for i in range(edge)
        ]
        slices.append("...")
        slices.extend(
            _nested_str(values[i], ndim - 1, indent + 1, summarize, formatter, options)
            for i in range(size - edge, size)
        )
    else:
        slices = [
            _nested_str(values[i], ndim - 1, indent + 1, summarize, formatter, options)
            for i in range(size)
        ]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _data_str(values: np.ndarray, floating: bool, options: _PrintOptions) -> str:
    """The bracketed data part (torch's ``_tensor_str``) of a non-empty tensor."""
    summarize = values.size > options.threshold
    if summarize and not options.edgeitems and values.ndim > 0:
        # Nothing but "..." is shown, so no formatter needs to look at the data.
        shown = values[(slice(0, 0),) * values.ndim]
    else:
        shown = _summarized_data(values, options.edgeitems) if summarize else values
    formatter = _Formatter(shown, floating, options)
    # Unsummarized data is walked as nested Python lists (one fast tolist()); summarized data
    # stays an array so only the shown edges are ever converted.
    walked = values if summarize or values.ndim == 0 else values.tolist()
    return _nested_str(walked, values.ndim, _INDENT, summarize, formatter, options)


def _add_suffixes(text: str, suffixes: list[str], linewidth: int) -> str:
    """Append suffixes with torch's wrapping rule, off-by-two included.

    torch measures the last line as ``len - rfind("\\n") + 1``, two more than its real
    length, so a suffix wraps when ``line + len(suffix) + 4 > linewidth``; after a wrap the
    running length is exact again.
    """
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            parts.append(",\n" + " " * _INDENT + suffix)
            last_line_len = _INDENT + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _checked_array(values: np.ndarray, dtype: str) -> np.ndarray:
    expected = _NUMPY_DTYPES.get(dtype)
    if expected is None:
        known = ", ".join(_NUMPY_DTYPES)
        raise ValueError(f"tensor_repr: unknown dtype {dtype!r} (expected one of: {known})")
    array = np.asarray(values)
    if array.dtype != expected:
        raise TypeError(
            f"tensor_repr: values have numpy dtype {array.dtype}, but dtype {dtype!r} "
            f"is stored as {expected}"
        )
    return array


def tensor_repr(
    values: np.ndarray,
    dtype: str,
    *,
    requires_grad: bool = False,
    grad_fn: str | None = None,
) -> str:
    """``repr(tensor)`` as torch 2.13 prints it, for the data ``values`` of torch dtype ``dtype``.

    ``dtype`` is the torch dtype name without ``torch.`` and ``values`` must have the matching
    numpy dtype. ``grad_fn`` is the node name for non-leaves (``"MulBackward0"``); set
    ``requires_grad`` for leaves that require grad. The current print options apply.
    """
    array = _checked_array(values, dtype)
    options = _OPTIONS
    suffixes: list[str] = []
    if array.size == 0:
        # torch prints the shape unless it is (0,), and the dtype unless it is the default:
        # with no elements there is nothing to infer an int or bool dtype from.
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype != _default_dtype():
            suffixes.append(f"dtype=torch.{dtype}")
        data = "[]"
    else:
        if not options.edgeitems:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype not in _LITERAL_DTYPES and dtype != _default_dtype():
            suffixes.append(f"dtype=torch.{dtype}")
        data = _data_str(array, array.dtype.kind == "f", options)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(_PREFIX + data, suffixes, options.linewidth)
