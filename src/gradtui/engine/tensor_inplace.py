"""The in-place methods of ``torch.Tensor`` (``x.add_(1)``, ``x.sin_()``, ``x.unsqueeze_(0)``,
``x += 1``...), a base class of ``Tensor`` so that ``tensor.py`` stays readable.

Each is the out-of-place op written into the tensor (``inplace.py``): the tensor keeps its
identity, its version counter goes up, and with a graph it takes over the op's grad_fn, as in
torch (``y.sin_()`` is ``SinBackward0``). In-place *views* (``unsqueeze_``, ``t_``...) change
the tensor's shape instead of its values and record torch's own nodes for them
(``UnsqueezeBackward1``, ``TBackward1``...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gradtui.engine import bitwise, functional_more, inplace, random_ops, scatter, views
from gradtui.engine import functional as F
from gradtui.engine.dims import normalize_dim
from gradtui.engine.dispatch import apply
from gradtui.engine.grad_mode import is_grad_enabled
from gradtui.engine.inplace import check_inplace, write_result
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor


def _written(function: Any, name: str) -> Any:
    """``x.<name>(...)``: ``function(x, ...)`` written into ``x``."""
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        check_inplace(self)
        write_result(self, function(self, *args, **kwargs), name)
        return self

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{function.__name__}`` written into this tensor."
    return method


def _compared(name: str) -> Any:
    """``x.gt_(y)``: 1/0 written into ``x``; with a graph torch records the step's node
    (``GtBackward0`` against a number, ``GtBackward1`` against a tensor), whose gradient is 0."""
    function = getattr(F, name)

    def method(self: Tensor, other: Any) -> Tensor:
        check_inplace(self)
        result = function(self, other)
        tensor = isinstance(other, TensorBase)
        if is_grad_enabled() and self._array.dtype.kind == "f" and (
                self._requires_grad or tensor and other._requires_grad):
            if tensor:
                result = apply(OPS[name + "_tensor_"], (self, other),
                               (self._array, other._array.astype(self._array.dtype)))
            else:
                result = apply(OPS[name + "_"], (self,), other=other)
        write_result(self, result, name)
        return self

    method.__name__ = method.__qualname__ = name + "_"
    return method


def _view_in_place(self: Tensor, row: str, **params: Any) -> Tensor:
    """``x.unsqueeze_(0)`` & co: ``x`` becomes the view (same memory, new shape), and with a
    graph its grad_fn is torch's in-place view node."""
    check_inplace(self)
    out = apply(OPS[row], (self,), **params)
    self._array = out._array
    self._vc[0] += 1
    if self._base is not None:
        self._view_fn = out._view_fn
    if out._grad_fn is not None:
        self.grad_fn = out._grad_fn
    return self


class InplaceMethods(TensorBase):
    """``Tensor``'s in-place methods (see the module docstring)."""

    __slots__ = ()

    # arithmetic (add_, sub_, mul_, div_ write straight into the array when nothing records)
    add_ = inplace.add_
    sub_ = subtract_ = inplace.sub_
    mul_ = multiply_ = inplace.mul_
    div_ = divide_ = true_divide_ = inplace.div_
    pow_ = inplace.pow_
    __iadd__, __isub__, __imul__, __itruediv__, __ipow__ = add_, sub_, mul_, div_, pow_
    floor_divide_ = _written(F.floor_divide, "floor_divide_")
    __ifloordiv__ = floor_divide_
    remainder_ = _written(F.remainder, "remainder_")
    __imod__ = remainder_
    fmod_ = _written(F.fmod, "fmod_")
    # filling and copying
    zero_ = inplace.zero_
    fill_ = inplace.fill_
    copy_ = inplace.copy_
    masked_fill_ = inplace.masked_fill_
    # random samplers (random_ops.py)
    uniform_ = random_ops.uniform_
    normal_ = random_ops.normal_
    random_ = random_ops.random_
    bernoulli_ = random_ops.bernoulli_
    exponential_ = random_ops.exponential_
    geometric_ = random_ops.geometric_
    log_normal_ = random_ops.log_normal_
    cauchy_ = random_ops.cauchy_
    # elementwise functions
    clamp_ = clip_ = inplace.clamp_
    relu_ = inplace.relu_
    exp_ = inplace.exp_
    neg_ = negative_ = inplace.neg_
    sigmoid_ = inplace.sigmoid_
    tanh_ = inplace.tanh_
    abs_ = absolute_ = inplace.abs_
    sqrt_ = inplace.sqrt_
    log_ = inplace.log_
    sin_ = _written(F.sin, "sin_")
    tan_ = _written(functional_more.tan, "tan_")
    atan2_ = arctan2_ = _written(functional_more.atan2, "atan2_")
    deg2rad_ = _written(functional_more.deg2rad, "deg2rad_")
    rad2deg_ = _written(functional_more.rad2deg, "rad2deg_")
    tril_ = _written(functional_more.tril, "tril_")
    acosh_ = arccosh_ = _written(functional_more.acosh, "acosh_")
    asinh_ = arcsinh_ = _written(functional_more.asinh, "asinh_")
    atanh_ = arctanh_ = _written(functional_more.atanh, "atanh_")
    addcmul_ = _written(functional_more.addcmul, "addcmul_")
    addcdiv_ = _written(functional_more.addcdiv, "addcdiv_")
    triu_ = _written(functional_more.triu, "triu_")
    cos_ = _written(F.cos, "cos_")
    sinh_ = _written(F.sinh, "sinh_")
    cosh_ = _written(F.cosh, "cosh_")
    atan_ = arctan_ = _written(F.atan, "atan_")
    asin_ = arcsin_ = _written(F.asin, "asin_")
    acos_ = arccos_ = _written(F.acos, "acos_")
    exp2_ = _written(F.exp2, "exp2_")
    expm1_ = _written(F.expm1, "expm1_")
    log2_ = _written(F.log2, "log2_")
    log10_ = _written(F.log10, "log10_")
    log1p_ = _written(F.log1p, "log1p_")
    erf_ = _written(F.erf, "erf_")
    rsqrt_ = _written(F.rsqrt, "rsqrt_")
    reciprocal_ = _written(F.reciprocal, "reciprocal_")
    square_ = _written(F.square, "square_")
    floor_ = _written(F.floor, "floor_")
    ceil_ = _written(F.ceil, "ceil_")
    round_ = _written(F.round, "round_")
    trunc_ = fix_ = _written(F.trunc, "trunc_")
    sign_ = _written(F.sign, "sign_")
    cumsum_ = _written(F.cumsum, "cumsum_")

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002 - torch's name
        check_inplace(self)
        write_result(self, apply(OPS["clamp_min"], (self,), min=min), "clamp_min")
        return self

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        check_inplace(self)
        write_result(self, apply(OPS["clamp_max"], (self,), max=max), "clamp_max")
        return self

    # comparisons and logic, written as 1/0 (True/False for bools)
    eq_ = _compared("eq")
    ne_ = not_equal_ = _compared("ne")
    lt_ = less_ = _compared("lt")
    le_ = less_equal_ = _compared("le")
    gt_ = greater_ = _compared("gt")
    ge_ = greater_equal_ = _compared("ge")
    logical_and_ = _written(F.logical_and, "logical_and_")
    logical_or_ = _written(F.logical_or, "logical_or_")
    logical_xor_ = _written(F.logical_xor, "logical_xor_")
    logical_not_ = _written(F.logical_not, "logical_not_")
    bitwise_and_ = __iand__ = _written(bitwise.bitwise_and, "bitwise_and_")
    bitwise_or_ = __ior__ = _written(bitwise.bitwise_or, "bitwise_or_")
    bitwise_xor_ = __ixor__ = _written(bitwise.bitwise_xor, "bitwise_xor_")
    bitwise_not_ = _written(bitwise.bitwise_not, "bitwise_not_")
    bitwise_left_shift_ = __ilshift__ = _written(bitwise.bitwise_left_shift,
                                                 "bitwise_left_shift_")
    bitwise_right_shift_ = __irshift__ = _written(bitwise.bitwise_right_shift,
                                                  "bitwise_right_shift_")

    # writing entries by index (scatter.py)
    scatter_ = scatter.scatter_
    scatter_add_ = scatter.scatter_add_
    scatter_reduce_ = scatter.scatter_reduce_
    index_add_ = scatter.index_add_
    index_copy_ = scatter.index_copy_
    index_fill_ = scatter.index_fill_

    # in-place views: the tensor itself takes the new shape
    def unsqueeze_(self, dim: int) -> Tensor:
        return _view_in_place(self, "unsqueeze_", dim=normalize_dim(dim, self._array.ndim + 1))

    def squeeze_(self, dim: Any = None) -> Tensor:
        row, params = views.squeeze_plan(self._array.shape, dim)
        return _view_in_place(self, row + "_", **params)

    def t_(self) -> Tensor:
        views.check_t(self._array.ndim)
        return _view_in_place(self, "t_")

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        n = self._array.ndim
        return _view_in_place(self, "transpose_", dim0=normalize_dim(dim0, n),
                              dim1=normalize_dim(dim1, n))

    swapaxes_ = swapdims_ = transpose_
