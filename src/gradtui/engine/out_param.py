"""``out=``: torch's functions can write their result into a tensor you pass them
(``torch.mul(a, b, out=c)``), as the PyTorch tensors tutorial shows.

torch's rules, kept here: the result must be castable to ``out``'s dtype (no float into an
integer tensor); ``out`` of another shape is resized, with torch's deprecation warning when it
had elements; and nothing may require grad (``out=`` writes are not differentiable). ``out``
is returned, its version bumped like any in-place write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from gradtui.engine import errors
from gradtui.engine.dtypes import BY_NUMPY
from gradtui.engine.grad_mode import is_grad_enabled
from gradtui.engine.tensor import Tensor

RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape [{old}], which does "
    "not match the required output shape [{new}]. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0). (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
    "Resize.cpp:30.)")


def with_out(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``fn`` that also takes ``out=`` (torch's keyword-only output tensor)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        result = fn(*args, **kwargs)
        if is_grad_enabled() and (result.requires_grad or out.requires_grad):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires "
                               "grad.")
        write(result, out)
        return out

    return wrapper


def write(result: Tensor, out: Tensor) -> None:
    """Put ``result`` into ``out``: cast to its dtype, resized to its shape if need be."""
    src, dst = BY_NUMPY[result._array.dtype], BY_NUMPY[out._array.dtype]
    if src.category > dst.category:  # torch's canCast: bool < integer < floating
        raise RuntimeError(f"result type {src.short_name} can't be cast to the desired output "
                           f"type {dst.short_name}")
    if out._array.shape != result._array.shape:
        if out._array.size:
            errors.warn(RESIZE_WARNING.format(old=", ".join(map(str, out._array.shape)),
                                              new=", ".join(map(str, result._array.shape))))
        out._array = np.empty(result._array.shape, dtype=out._array.dtype)
    np.copyto(out._array, result._array, casting="unsafe")
    out._vc[0] += 1
