"""Attach the op functions of ``functional`` to ``Tensor`` as methods (``x.sum(1)``), so both
spellings share one implementation."""

from __future__ import annotations

from typing import Any

from gradtui.engine import functional as F

# name on Tensor -> function in functional (the same name unless stated)
_SAME = (
    "add sub mul div pow exp log log1p sqrt rsqrt sin cos tanh sigmoid relu abs neg clamp clip "
    "square reciprocal maximum minimum sum mean max min amax amin argmax argmin prod norm var "
    "std all any matmul mm dot mv t transpose permute view reshape view_as reshape_as flatten "
    "unflatten squeeze unsqueeze expand expand_as repeat split chunk unbind narrow softmax "
    "log_softmax eq ne lt le gt ge logical_and logical_or logical_xor logical_not equal "
    "allclose isclose isnan isinf isfinite floor ceil round trunc sign masked_fill "
    "floor_divide remainder fmod outer topk gather cumsum swapaxes swapdims subtract multiply "
    "divide true_divide negative absolute broadcast_to greater less greater_equal less_equal "
    "not_equal addmm sort argsort msort atan asin acos arctan arcsin arccos sinh cosh exp2 "
    "expm1 log2 log10 erf logsumexp"
).split()


def install(cls: type) -> None:
    for name in _SAME:
        fn = getattr(F, name)
        if not hasattr(cls, name) or name in ("abs",):
            setattr(cls, name, fn)
    cls.where = lambda self, condition, other: F.where(condition, self, other)
    cls.sub = F.sub
    cls.rsub = F.rsub

    def masked_fill_(self: Any, mask: Any, value: Any) -> Any:
        self._check_inplace()
        self._write_result(F.masked_fill(self, mask, value), "masked_fill")
        return self

    cls.masked_fill_ = masked_fill_
    cls.new_tensor = lambda self, data, dtype=None, requires_grad=False: _creation().tensor(
        data, dtype=dtype or self.dtype, requires_grad=requires_grad)
    cls.new_zeros = lambda self, *size, dtype=None, requires_grad=False: _creation().zeros(
        *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
    cls.new_ones = lambda self, *size, dtype=None, requires_grad=False: _creation().ones(
        *size, dtype=dtype or self.dtype, requires_grad=requires_grad)
    cls.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: (
        _creation().full(size, fill_value, dtype=dtype or self.dtype,
                         requires_grad=requires_grad))
    cls.new_empty = lambda self, *size, dtype=None, requires_grad=False: _creation().zeros(
        *size, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _creation() -> Any:
    from gradtui.engine import creation

    return creation
