"""``Tensor``'s methods for the functions of ``functional_more.py`` (``x.flip(0)``,
``x.tril()``, ``b.bmm(c)``...): ``Tensor`` inherits them, as it inherits its in-place methods
from ``tensor_inplace.py``, which keeps ``tensor.py`` short enough to read."""

from __future__ import annotations

from gradtui.engine import functional_more as more
from gradtui.engine.tensor_base import TensorBase


class MoreMethods(TensorBase):
    """The out-of-place methods of ``functional_more.py``."""

    __slots__ = ()

    bmm = more.bmm
    tan = more.tan
    atan2 = arctan2 = more.atan2
    deg2rad = more.deg2rad
    rad2deg = more.rad2deg
    flip = more.flip
    fliplr = more.fliplr
    flipud = more.flipud
    roll = more.roll
    tril = more.tril
    triu = more.triu
    trace = more.trace
    acosh = arccosh = more.acosh
    asinh = arcsinh = more.asinh
    atanh = arctanh = more.atanh
    addcmul = more.addcmul
    addcdiv = more.addcdiv
    ravel = more.ravel
    movedim = moveaxis = more.movedim
    count_nonzero = more.count_nonzero
