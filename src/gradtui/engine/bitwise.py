"""Bitwise ops on integer and bool tensors: ``& | ^ ~ << >>`` and ``torch.bitwise_*``, with
torch's dtype promotion (``bool & 3`` is int64) and its errors for floats. On two bool operands
``& | ^`` are the logical ops. Shifts by a negative amount or by the width of the type or more
give 0 (-1 for a negative value shifted right), as torch's kernels do, where C would not say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gradtui.engine import dtypes
from gradtui.engine.dispatch import apply, binary
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
           "bitwise_right_shift", "bitwise_xor"]


def _kind(x: Any) -> str:
    if isinstance(x, TensorBase):
        return x._array.dtype.kind
    return "b" if isinstance(x, bool) else "f" if isinstance(x, float) else "i"


def _check_integral(kernel: str, *operands: Any) -> None:
    """torch has no bitwise kernel for floats: the first float operand's dtype is named."""
    for x in operands:
        if _kind(x) in "fc":
            name = (dtypes.BY_NUMPY[x._array.dtype].short_name if isinstance(x, TensorBase)
                    else dtypes.default_float().short_name)
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{name}\'')


def _logical_or_bitwise(name: str, kernel: str):
    logical, bitwise = OPS["logical_" + name], OPS["bitwise_" + name]

    def fn(input: Any, other: Any) -> Tensor:
        if _kind(input) == "b" and _kind(other) == "b":
            return binary(logical, input, other)
        _check_integral(kernel, input, other)
        return binary(bitwise, input, other)

    fn.__name__ = fn.__qualname__ = "bitwise_" + name
    fn.__doc__ = f"``input {dict(and_='&', or_='|', xor='^').get(name + '_')} other``, bit by bit."
    return fn


bitwise_and = _logical_or_bitwise("and", "bitwise_and")
bitwise_or = _logical_or_bitwise("or", "bitwise_or")
bitwise_xor = _logical_or_bitwise("xor", "bitwise_xor")


def bitwise_not(input: Tensor) -> Tensor:
    """``~input``: every bit flipped (``not`` for bools)."""
    _check_integral("bitwise_not", input)
    if input._array.dtype.kind == "b":
        return apply(OPS["logical_not"], (input,))
    return apply(OPS["bitwise_not"], (input,))


def invert(input: Tensor) -> Tensor:
    """The ``~`` operator, whose error for floats is a TypeError of its own in torch."""
    if input._array.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """``input << other``: multiplied by 2**other, wrapping around at the type's width."""
    _check_integral("lshift", input, other)
    return binary(OPS["left_shift"], input, other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """``input >> other``: divided by 2**other, rounding down."""
    _check_integral("rshift", input, other)
    return binary(OPS["right_shift"], input, other)
