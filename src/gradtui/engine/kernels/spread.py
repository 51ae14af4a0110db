"""Speed kernels for gradients that are one value spread over a big array.

The gradient of ``y.sum()`` (or ``y.mean()``) is a single number at every position of ``y``.
``spread`` hands it on as a read-only view with zero strides, so no array is filled; ``times``
multiplies such a gradient without reading the view (a contiguous loop, about twice as fast),
and when that number is 1 it does no pass at all. ``times`` also computes ``x * x``'s two equal
gradients once. The op table writes ``times(grad, other)`` where the math is ``grad * other``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_BIG = 4096  # below this many values, the plain product is as fast as any trick


def spread(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only view with the single value ``value`` at every position of ``shape`` (what
    ``np.broadcast_to`` gives for a 0-d array, at a tenth of its cost)."""
    value = np.asarray(value)
    if value.ndim:
        return np.broadcast_to(value, shape)
    out = np.ndarray(shape, value.dtype, value, 0, (0,) * len(shape))
    out.flags.writeable = False
    return out


_ndarray = np.ndarray


def times(grad: Any, factor: Any, square: bool = False) -> Any:
    """``grad * factor``, fast for spread gradients (for Tensors, ``create_graph=True``: just
    the product, MulBackward0). ``square`` says the op was ``x * x``, whose two gradients are
    both ``grad * x``: for big arrays the first call computes it and the second hands out the
    same product. It is read-only, so the engine never sums into it in place and both inputs
    receive the same values (the engine then adds them in torch's order: (other + gx) + gx).
    (Called on every mul node of a backward: the common case returns after one test.)"""
    if square or grad.__class__ is _ndarray and grad.size > _BIG:
        return _times_big(grad, factor, square)
    return grad * factor


_last_square: list = [None]  # (grad, x, grad * x) between x * x's two gradient formulas


def _times_big(grad: Any, factor: Any, square: bool) -> Any:
    if not square:
        return _product(grad, factor)
    last = _last_square[0]
    _last_square[0] = None
    if last is not None and last[0] is grad and last[1] is factor:
        return last[2]
    product = _product(grad, factor)
    if type(product) is np.ndarray and product.size > _BIG:
        product.flags.writeable = False
        _last_square[0] = (grad, factor, product)
    return product


def _product(grad: Any, factor: Any) -> Any:
    """``grad * factor``; when grad is one value spread over a big array, multiply by that value
    instead."""
    if (type(grad) is np.ndarray and grad.size > _BIG and not any(grad.strides)
            and np.shape(factor) == grad.shape):
        value = grad[(0,) * grad.ndim]
        if value == 1 and type(factor) is np.ndarray and factor.dtype == grad.dtype:
            # factor * 1 is factor to the bit: the common `loss = y.sum()` gradient costs no
            # pass at all. A read-only view, so nothing downstream can sum into the input in
            # place.
            view = factor.view()
            view.flags.writeable = False
            return view
        return factor * value
    return grad * factor
