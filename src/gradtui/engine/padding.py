"""``F.pad``: torch's argument checks and errors, then the op-table row of the mode.

``constant`` is one row (ConstantPadNdBackward0); ``reflect`` and ``replicate`` are a row per
number of padded dims (ReflectionPad2DBackward0 ...); ``circular`` is what torch's C++ does:
an empty tensor filled by slice copies, so its graph is torch's CopySlices chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine.dispatch import apply
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")
_SUPPORTED = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pads ``input``: ``pad`` holds (before, after) amounts from the last dim backwards; a
    negative amount crops."""
    pad = _check_arguments(input, pad, mode)
    shape = input._array.shape
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > len(shape):
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {len(shape)}")
    if mode == "constant":
        return _constant(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    dims = len(pad) // 2
    if len(shape) not in (dims + 1, dims + 2) or dims > 3:
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for "
                                  f"{len(shape)}D input tensor.\n{_SUPPORTED}")
    if mode == "circular":
        return _circular(input, pad)
    _check_gather(shape, pad, mode)
    return apply(OPS[f"{mode}_pad{dims}d"], (input,), padding=pad)


def _check_arguments(input: Any, pad: Any, mode: Any) -> tuple[int, ...]:
    if not isinstance(input, TensorBase):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(pad, tuple | list):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type(pad).__name__}")
    for pos, amount in enumerate(pad):
        if isinstance(amount, TensorBase) and amount._array.size == 1 \
                and amount._array.dtype.kind in "iu":
            continue
        if not isinstance(amount, int | np.integer) or isinstance(amount, bool):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(amount).__name__} at pos {pos}")
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not "
                        f"{type(mode).__name__}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return tuple(int(amount) for amount in pad)


def _constant(input: Tensor, pad: tuple[int, ...], value: Any) -> Tensor:
    shape = input._array.shape
    for i in range(len(pad) // 2):
        dim = len(shape) - 1 - i
        kept = shape[dim] + min(pad[2 * i], 0) + min(pad[2 * i + 1], 0)
        if kept < 0:  # torch crops with narrow() first, which refuses the negative length
            raise RuntimeError("narrow(): length must be non-negative.")
    if isinstance(value, TensorBase):
        value = value.item()
    if input._array.dtype.kind == "b":
        value = bool(value)
    elif input._array.dtype.kind in "iu":
        value = int(value)
    return apply(OPS["constant_pad_nd"], (input,), pad=pad, value=value)


def _check_gather(shape: tuple[int, ...], pad: tuple[int, ...], mode: str) -> None:
    """torch's checks in ReflectionPad.cpp / ReplicationPadding.cpp."""
    dims = len(pad) // 2
    batched = len(shape) == dims + 2
    if any(size == 0 for size in shape[1 if batched else 0:]):
        raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                           f"possibly 0 batch size and other non-zero dimensions for input, "
                           f"but got: [{', '.join(map(str, shape))}]")
    if mode == "reflect":
        for i in range(dims):
            dim = len(shape) - 1 - i
            if pad[2 * i] >= shape[dim] or pad[2 * i + 1] >= shape[dim]:
                raise RuntimeError(
                    f"Argument #{4 + 2 * i}: Padding size should be less than the "
                    f"corresponding input dimension, but got: padding ({pad[2 * i]}, "
                    f"{pad[2 * i + 1]}) at dimension {dim} of input "
                    f"[{', '.join(map(str, shape))}]")
    sizes = [shape[len(shape) - 1 - i] for i in range(dims)]
    outs = [size + pad[2 * i] + pad[2 * i + 1] for i, size in enumerate(sizes)]
    # torch's kernels let one output dim be empty only where more than one dim is padded
    too_small = outs[0] < 1 if dims == 1 else all(o < 1 for o in outs)
    if too_small:
        names = "WHD"[:dims]
        given = [f"{n}: {s}" for n, s in zip(names, sizes, strict=True)][::-1]
        got = [f"{n}: {o}" for n, o in zip(names, outs, strict=True)][::-1]
        if dims == 1:
            text = f"input ({given[0]}) is too small. Calculated output {got[0]}"
        elif dims == 2:
            space = " " if mode == "replicate" else ""
            text = (f"input ({given[0]}, {given[1]}{space}) is too small. Calculated output "
                    f"{got[0]} {got[1]}")
        else:
            text = (f"input ({given[0]} {given[1]}, {given[2]}) is too small. Calculated "
                    f"output {got[0]} {got[1]} {got[2]}")
        raise RuntimeError(text)
    out_shape = list(shape)
    for i, size in enumerate(outs):
        out_shape[len(shape) - 1 - i] = size
    negative = [size for size in out_shape if size < 0]
    if negative:  # what torch's kernels then run into, allocating the output
        if mode == "reflect" and dims == 2:
            raise RuntimeError("numel: integer multiplication overflow")
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                           f"[{', '.join(map(str, out_shape))}]")


def _circular(input: Tensor, pad: tuple[int, ...]) -> Tensor:
    """torch's ``_pad_circular``: copy the input into the middle of an empty tensor, then each
    padded dim's edges from the opposite side (corners are written more than once)."""
    in_shape = input._array.shape
    ndim = len(in_shape)
    dims = len(pad) // 2
    out_shape = list(in_shape)
    for i in range(dims):
        dim = ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if before > in_shape[dim] or after > in_shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[dim] = in_shape[dim] + before + after
        if out_shape[dim] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = new_leaf(np.empty(out_shape, dtype=input._array.dtype))
    out_slice, in_slice = out, input
    for i in range(dims):
        dim = ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        out_slice = out_slice.narrow(dim, max(before, 0),
                                     out_shape[dim] - max(before, 0) - max(after, 0))
        in_slice = in_slice.narrow(dim, max(-before, 0),
                                   in_shape[dim] - max(-before, 0) - max(-after, 0))
    out_slice.copy_(in_slice)
    for i in range(dims):
        dim = ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if before > 0:
            _copy_within(out, dim, 0, out_shape[dim] - before - max(after, 0), before)
        if after > 0:
            _copy_within(out, dim, out_shape[dim] - after, max(before, 0), after)
    return out


def _copy_within(out: Tensor, dim: int, to: int, start: int, length: int) -> None:
    """``out[to:to + length].copy_(out[start:start + length])`` along ``dim`` (torch's slice
    bounds: a negative start counts from the end, both ends are clamped), refused like torch
    when the two slices partly overlap (a negative pad can make them). torch can only tell for
    contiguous slices: a slice is, when every dim before ``dim`` has size 1."""
    size = out._array.shape[dim]
    dest = range(size)[slice(to, to + length)]
    src = range(size)[slice(start, start + length)]
    contiguous = all(n == 1 for n in out._array.shape[:dim])
    if contiguous and out._array.size and len(dest) and len(src) and dest != src \
            and dest.start < src.stop and src.start < dest.stop:
        raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please "
                           "clone() the tensor before performing the operation.")
    out.narrow(dim, dest.start if len(dest) else 0, len(dest)).copy_(
        out.narrow(dim, src.start if len(src) else 0, len(src)))
