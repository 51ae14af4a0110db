"""In-place ops (``x.add_(y)``, ``x += y``, ``x[0] = 1``...) the way torch records them; the
functions ``add_``, ``fill_``... are the bodies of the Tensor methods of those names.

An in-place op is computed out of place, then its values are written into the tensor's own
array (so views and numpy arrays sharing that memory see the change), its version counter is
bumped (so a saved tensor that changed makes backward raise torch's error instead of answering
wrongly) and it takes over the new grad_fn. Written through a view, the base's graph records
the write (CopySlices). Under no_grad, ``w -= lr * w.grad`` writes straight into the array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors, tensor_base
from gradtui.engine import functional as F
from gradtui.engine.autograd import OWN_OUTPUT
from gradtui.engine.dispatch import apply, binary, broadcast_shape
from gradtui.engine.grad_mode import enable_grad, is_grad_enabled, is_inference_mode_enabled
from gradtui.engine.op_schema import OPS
from gradtui.engine.tensor_base import TensorBase

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor


def check_inplace(t: Tensor) -> None:
    """torch's errors for writing into a leaf that requires grad (or a view of one), or into
    an inference tensor outside inference mode."""
    if t._inference and not is_inference_mode_enabled():
        raise RuntimeError(errors.INFERENCE_INPLACE)
    if is_grad_enabled() and t._requires_grad:
        if t.grad_fn is None:
            raise RuntimeError(errors.LEAF_INPLACE)
        base = t._base
        if base is not None and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(errors.VIEW_OF_LEAF_INPLACE)


def apply_inplace(t: Tensor, name: str, other: Any = None, unary: bool = False,
                  float_result: bool = False, **params: Any) -> Tensor:
    """``t.<name>_(other)``: the op ``name`` out of place, written into ``t``."""
    check_inplace(t)
    if unary:
        result = apply(OPS[name], (t,), **params)
    else:
        result = binary(name, t, other, float_result=float_result, **params)
        if result is NotImplemented:
            raise TypeError(f"{name}_(): argument 'other' must be Tensor or Number, not "
                            f"{type(other).__name__}")
    write_result(t, result, name)
    return t


def write_result(t: Tensor, result: Tensor, name: str) -> None:
    """Write ``result`` (computed out of place) into ``t``, which takes over its grad_fn."""
    mine, new = t._array, result._array
    if not mine.flags.writeable:  # an expand()ed view: several elements share memory
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    if new.shape != mine.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, mine.shape))}] doesn't "
                           f"match the broadcast shape [{', '.join(map(str, new.shape))}]")
    src_dt, dst_dt = dtypes.BY_NUMPY[new.dtype], dtypes.BY_NUMPY[mine.dtype]
    if src_dt.category > dst_dt.category:
        raise RuntimeError(f"result type {src_dt.short_name} can't be cast to the desired "
                           f"output type {dst_dt.short_name}")
    node = result.grad_fn
    if node is not None and node.saved:
        _adopt_saved(t, node, mine, new, result)  # before our old values are overwritten
    if node is not None and t._base is not None:
        # writing through a view: the base's graph records the write (CopySlices)
        _rebase_view(t, result)
        return
    np.copyto(mine, new, casting="unsafe")
    t._vc[0] += 1
    if node is not None:
        t.grad_fn = node
        t._requires_grad = True


def _rebase_view(view: Tensor, value: Tensor) -> None:
    """``view.op_(...)``: the base gets a CopySlices grad_fn that routes the gradient of the
    written entries to ``value``'s graph, and the view an AsStridedBackward0 on it."""
    base = view._base
    view_fn = view._view_fn
    copy = apply(OPS["copy_slices"], (base, value), (base._array, value._array), view_fn=view_fn)
    np.copyto(view._array, value._array, casting="unsafe")
    view._vc[0] += 1
    base.grad_fn = copy.grad_fn
    base._requires_grad = True
    view.grad_fn = apply(OPS["as_strided"], (base,), view_fn=view_fn).grad_fn
    view._requires_grad = True


def _adopt_saved(t: Tensor, node: Any, mine: np.ndarray, new: np.ndarray,
                 result: Tensor) -> None:
    """After an in-place op the node's saved values must stay right: ``t``'s *old* values get
    a private copy; a saved *result* now lives in ``t``'s array, tracked at its new version."""
    saved = []
    for value in node.saved:
        if value is mine:
            value = value.copy()
        elif value is new:
            value = mine
        saved.append(value)
    node.saved = tuple(saved)
    entries = [e for e in node._versions or () if e[0] is not t._vc and e[0] is not result._vc]
    if any(v is mine for v in saved):
        entries.append((t._vc, t._vc[0] + 1, mine, OWN_OUTPUT))
    node._versions = tuple(entries) or None


def fast_inplace(t: Tensor, ufunc: Any, other: Any) -> Tensor | None:
    """``w -= lr * w.grad`` under no_grad: write straight into ``t``'s array (None when the
    general path is needed: a graph to record, a cast, a broadcast, an error to raise)."""
    exact = tensor_base.tensor_class  # a plain torch.Tensor operand (not a Parameter)
    if t._inference:
        return None  # the general path decides (refused outside inference mode)
    if is_grad_enabled() and (t._requires_grad or
                              (type(other) is exact and other._requires_grad)):
        return None
    arr = t._array
    if type(other) is exact:
        o = other._array
        if o.dtype.kind == "f" and arr.dtype.kind != "f" or (
                o.dtype.kind in "iu" and arr.dtype.kind == "b"):
            return None
        if o.shape != arr.shape and broadcast_shape(arr.shape, o.shape) != arr.shape:
            return None
    elif isinstance(other, float) and arr.dtype.kind != "f":
        return None
    elif arr.dtype.kind == "b" and not isinstance(other, bool):
        return None  # bool += int is torch's cast error
    elif not isinstance(other, int | float):
        return None
    if not arr.flags.writeable:
        return None  # an expanded view: the general path raises torch's error
    if type(other) is exact and np.shares_memory(arr, other._array) and (
            arr.strides != other._array.strides):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please "
                           "clone() the tensor before performing the operation.")
    # the array, not the Tensor: numpy would ask it for __array__, which refuses when the
    # operand requires grad (torch allows w -= lr * g under no_grad whatever g requires)
    operand = other._array if isinstance(other, TensorBase) else other
    ufunc(arr, operand, out=arr, casting="unsafe")
    t._vc[0] += 1
    return t


def fill_from_tensor(t: Tensor, value: Tensor) -> Tensor:
    """``t.fill_(0-d tensor)``: torch's fill_.Tensor, whose FillBackward3 sends the sum of the
    gradient back to ``value`` (``t[:] = w`` lands here too)."""
    if value._array.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                           f"with {value._array.ndim} dimensions.")
    if is_grad_enabled() and (t._requires_grad or value._requires_grad):
        write_result(t, apply(OPS["fill_tensor"], (t, value)), "fill")
        return t
    t._array[...] = value._array
    t._vc[0] += 1
    return t


def view_grad_fn_after_write(view: Tensor) -> Any:
    """The grad_fn of a view whose memory was written since its node was made (through its
    base or another view): as in torch, a new AsStridedBackward0 over the base's current graph,
    so a gradient through the view passes the in-place ops too."""
    with enable_grad():
        node = apply(OPS["as_strided"], (view._base,), view_fn=view._view_fn).grad_fn
    view.grad_fn = node
    return node


# ---------------------------------------------------------------- the Tensor methods
def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    if alpha == 1 and fast_inplace(self, np.add, other) is not None:
        return self
    return apply_inplace(self, "add", other, alpha=alpha)


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    if self._array.dtype.kind == "b" or isinstance(other, bool) or (
            type(other) is tensor_base.tensor_class and other._array.dtype.kind == "b"):
        F.check_bool_sub(self, other)
    if alpha == 1 and fast_inplace(self, np.subtract, other) is not None:
        return self
    return apply_inplace(self, "sub", other, alpha=alpha)


def mul_(self: Tensor, other: Any) -> Tensor:
    if fast_inplace(self, np.multiply, other) is not None:
        return self
    return apply_inplace(self, "mul", other)


def div_(self: Tensor, other: Any) -> Tensor:
    if self._array.dtype.kind == "f" and fast_inplace(self, np.true_divide, other) is not None:
        return self
    return apply_inplace(self, "div", other, float_result=True)


def pow_(self: Tensor, exponent: Any) -> Tensor:
    check_inplace(self)
    write_result(self, self.pow(exponent), "pow")
    return self


def zero_(self: Tensor) -> Tensor:
    check_inplace(self)
    if is_grad_enabled() and self._requires_grad:
        write_result(self, apply(OPS["zero"], (self,)), "zero")
        return self
    self._array[...] = 0
    self._vc[0] += 1
    return self


def fill_(self: Tensor, value: Any) -> Tensor:
    check_inplace(self)
    if isinstance(value, TensorBase):
        return fill_from_tensor(self, value)
    if is_grad_enabled() and self._requires_grad:
        write_result(self, apply(OPS["fill"], (self,), value=value), "fill")
        return self
    self._array[...] = value
    self._vc[0] += 1
    return self


def copy_(self: Tensor, src: Any) -> Tensor:
    check_inplace(self)
    if not isinstance(src, TensorBase):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    broadcast_shape(self._array.shape, src._array.shape)
    if is_grad_enabled() and (self._requires_grad or src._requires_grad):
        write_result(self, apply(OPS["copy"], (self, src)), "copy")
        return self
    self._array[...] = np.broadcast_to(src._array, self._array.shape)
    self._vc[0] += 1
    return self


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    check_inplace(self)
    write_result(self, self.clamp(min, max), "clamp")
    return self


def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    check_inplace(self)
    write_result(self, F.masked_fill(self, mask, value), "masked_fill")
    return self


def _unary(name: str) -> Any:
    """``x.relu_()`` & co: ``x.relu()`` written into ``x``."""
    def method(self: Tensor) -> Tensor:
        check_inplace(self)
        write_result(self, getattr(self, name)(), name)
        return self

    method.__name__ = method.__qualname__ = name + "_"
    return method


relu_, exp_, neg_ = _unary("relu"), _unary("exp"), _unary("neg")
sigmoid_, tanh_, abs_ = _unary("sigmoid"), _unary("tanh"), _unary("abs")
sqrt_, log_ = _unary("sqrt"), _unary("log")


