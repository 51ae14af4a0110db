"""``apply``: the one road every op takes, from Tensor methods, dunders and torch functions.

It runs the op's numpy forward, wraps the result in a Tensor and, when grad mode is on and an
input requires grad, records a ``Node`` (the result's ``grad_fn``) with one edge per input, the
values the forward saved, and the versions of the saved tensors (so a later in-place change
makes backward raise torch's error instead of returning a wrong gradient).

Dtype promotion for binary ops also lives here (``binary``), with a fast path for the common
case of two tensors of one dtype or a tensor and a Python number that does not change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors, quiet, tensor_base
from gradtui.engine.autograd import OWN_OUTPUT, Node
from gradtui.engine.grad_mode import is_grad_enabled, is_inference_mode_enabled
from gradtui.engine.op_schema import OPS, Op
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

# Inputs are tested with isinstance, not `type(x) is Tensor`: nn.Parameter is a Tensor subclass
# and must take part in graphs and promotion (the cost is a few ns a check). Every tensor is a
# TensorBase (tensor_base.py); this module sits under tensor.py and cannot import it.
_grad_enabled = is_grad_enabled
_inference_mode = is_inference_mode_enabled
_quiet_enter, _quiet_leave = quiet.enter, quiet.leave
_NO_EDGE = (None, 0)
_ndarray = np.ndarray
_new = object.__new__


def apply(op: Op, inputs: tuple, arrays: tuple | None = None, **params: Any) -> Any:
    """Run ``op`` on ``inputs`` (Tensors or Python scalars; the edges of the graph).
    ``arrays`` overrides the numpy values (after dtype promotion); ``params`` go to the
    forward as keywords."""
    if arrays is None:
        arrays = [x._array if isinstance(x, TensorBase) else x for x in inputs]
    # torch overflows to inf and divides by zero silently: numpy's warnings stay off
    token = _quiet_enter()
    try:
        result, saved = op.forward(*arrays, **params)
    finally:
        _quiet_leave(token)
    extra = None
    if type(result) is not _ndarray:
        if type(result) is tuple:  # max(dim) & co: (values, indices)
            result, extra = result
        if type(result) is not _ndarray:
            scalar, result = result, np.asarray(result)
            if saved and any(v is scalar for v in saved):
                # a 0-d result the node saved (numpy gave a scalar): save the output's own
                # array, so _saved_result is the output and in-place changes are caught
                saved = tuple(result if v is scalar else v for v in saved)
    # new_leaf(result), written out: this runs once per op, and a call costs as much as
    # setting all the slots (tests/engine/test_dispatch.py holds the two the same)
    out = _new(tensor_base.tensor_class)
    out._array = result
    out._requires_grad = False
    out._grad_fn = None
    out._grad = None
    out._vc = [0]
    out._retains_grad = False
    out._accum = None
    out._base = None
    out._view_fn = None
    out._hooks = None
    out._inference = _inference_mode()
    out._output_nr = 0
    if op.view:
        base = inputs[0]
        out._vc = base._vc
        out._inference = base._inference  # a view is an inference tensor when its base is
        out._fn_version = base._vc[0]  # its grad_fn (set below) is as of this version
        # how to find this view in its base's memory: replayed by in-place ops on the view
        step = _view_step(op.forward, params)
        if base._base is None:
            out._base = base
            out._view_fn = step
        else:
            out._base = base._base
            out._view_fn = _compose(base._view_fn, step)
    if op.differentiable and _grad_enabled():
        for x in inputs:
            if isinstance(x, TensorBase) and x._requires_grad:
                if result.dtype.kind == "f":
                    _record(op, inputs, saved, result, out)
                break
    elif op.view and inputs[0]._requires_grad:
        # torch: a view made under no_grad of a tensor that requires grad still requires grad
        out._requires_grad = True
    if extra is not None:
        return out, new_leaf(extra)
    return out


def _record(op: Op, inputs: tuple, saved: tuple, result: np.ndarray, out: Tensor) -> None:
    """Make ``out``'s grad_fn: one edge per input (None for constants)."""
    edges = []
    for x in inputs:
        if isinstance(x, TensorBase) and x._requires_grad:
            fn = x._grad_fn
            if fn is not None and x._base is not None and x._vc[0] != x._fn_version:
                fn = x.grad_fn  # a view changed in place since: torch rebuilds its grad_fn
            if fn is None:
                ref = x._accum
                fn = ref() if ref is not None else None
                if fn is None:
                    fn = x._accumulator()
            edges.append((fn, x._output_nr))
        else:
            edges.append(_NO_EDGE)
    node = op.node_class(op, tuple(edges), saved, result.shape, result.dtype)
    out._grad_fn = node
    out._requires_grad = True
    if op.saves_tensors:
        _record_versions(node, inputs, saved, out, edges)


def _view_step(forward: Any, params: dict) -> Any:
    return lambda array: forward(array, **params)[0]


def _compose(first: Any, then: Any) -> Any:
    return lambda array: then(first(array))


def _record_versions(node: Node, inputs: tuple, saved: tuple, out: Tensor,
                     edges: list) -> None:
    """Remember the version of every input/output tensor whose array the node saved (and
    needs: only for inputs that require grad, as torch saves nothing else)."""
    versions = None
    read_by = node.op.read_by
    result = out._array
    for slot, value in enumerate(saved):
        if type(value) is not _ndarray:
            continue
        if read_by is not None:
            for i in read_by[slot]:
                if edges[i][0] is not None:
                    break
            else:
                continue  # no input that needs this value requires grad
        if value is result:
            entry = (out._vc, out._vc[0], value, OWN_OUTPUT)
        else:
            for x in inputs:
                if isinstance(x, TensorBase) and x._array is value:
                    if x._inference:
                        raise RuntimeError(errors.INFERENCE_SAVED)
                    entry = (x._vc, x._vc[0], value, x)
                    break
            else:
                continue
        if versions is None:
            versions = [entry]
        else:
            versions.append(entry)
    if versions is not None:
        node._versions = tuple(versions)


# ---------------------------------------------------------------- dtype promotion
def _scalar_value(x: Any) -> Any:
    """Python number for a scalar operand, or None when ``x`` is not one. numpy scalars
    (np.float64 is a float subclass) become plain numbers: torch treats them as Python
    scalars, which do not decide the result dtype."""
    t = type(x)
    if t is float or t is int or t is bool:
        return x
    if isinstance(x, bool | int | float):
        return t.__mro__[-2](x) if t.__mro__[-2] in (int, float) else x.item()
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return x.item()
    return None


def broadcast_shape(a: tuple, b: tuple) -> tuple:
    """The broadcast shape of ``a`` and ``b``, or torch's RuntimeError naming the dimension."""
    n = max(len(a), len(b))
    out = [0] * n
    for i in range(n - 1, -1, -1):
        offset = n - 1 - i
        sa = a[len(a) - 1 - offset] if offset < len(a) else 1
        sb = b[len(b) - 1 - offset] if offset < len(b) else 1
        if sa == sb or sb == 1:
            out[i] = sa
        elif sa == 1:
            out[i] = sb
        else:
            raise RuntimeError(errors.BROADCAST.format(a=sa, b=sb, dim=i))
    return tuple(out)


def promote(operands: tuple) -> dtypes.dtype:
    """torch.result_type of tensors and scalars."""
    dim_dt, zero_dt, scalars = [], [], []
    for x in operands:
        if isinstance(x, TensorBase):
            (dim_dt if x._array.ndim else zero_dt).append(dtypes.BY_NUMPY[x._array.dtype])
        else:
            scalars.append(x)
    return dtypes.result_type(dim_dt, zero_dt, scalars)


def cast_arrays(operands: tuple, target: np.dtype) -> tuple:
    out = []
    for x in operands:
        if isinstance(x, TensorBase):
            arr = x._array
            out.append(arr if arr.dtype == target else arr.astype(target))
        elif isinstance(x, bool) and target.kind != "b":
            out.append(int(x))
        else:
            out.append(x)
    return tuple(out)


def binary(op: Op | str, a: Any, b: Any, *, float_result: bool = False, **params: Any) -> Any:
    """Apply a two-input elementwise op with torch's dtype promotion and broadcast checks.
    ``float_result`` makes integer results floating (true division). Returns NotImplemented
    for operands torch would not accept, so Python raises its usual TypeError."""
    if type(op) is str:
        op = OPS[op]
    ta, tb = isinstance(a, TensorBase), isinstance(b, TensorBase)
    if ta:
        aa = a._array
        if tb:  # the commonest case first: two tensors of one dtype and shape
            ba = b._array
            if aa.dtype is ba.dtype and aa.shape == ba.shape and (
                    not float_result or aa.dtype.kind == "f"):
                return apply(op, (a, b), (aa, ba), **params)
        elif type(b) is float and aa.dtype.kind == "f":
            return apply(op, (a, b), (aa, b), **params)
    if not ta:
        sa = _scalar_value(a)
        if sa is None:
            if isinstance(a, np.ndarray):
                a, ta = new_leaf(np.array(a)), True
            else:
                return NotImplemented
        else:
            a = sa
    if not tb:
        sb = _scalar_value(b)
        if sb is None:
            if isinstance(b, np.ndarray):
                b, tb = new_leaf(np.array(b)), True
            else:
                return NotImplemented
        else:
            b = sb
    if ta and tb:
        aa, ba = a._array, b._array
        if aa.shape != ba.shape:
            broadcast_shape(aa.shape, ba.shape)
        if aa.dtype is ba.dtype and (not float_result or aa.dtype.kind == "f"):
            return apply(op, (a, b), (aa, ba), **params)
    elif ta:
        aa = a._array
        kind = aa.dtype.kind
        if (kind == "f" or (kind in "iu" and type(b) is not float)) and (
                not float_result or kind == "f") and kind != "b":
            return apply(op, (a, b), (aa, b), **params)
    elif tb:
        ba = b._array
        kind = ba.dtype.kind
        if (kind == "f" or (kind in "iu" and type(a) is not float)) and (
                not float_result or kind == "f") and kind != "b":
            return apply(op, (a, b), (a, ba), **params)
    else:
        raise TypeError("binary op needs at least one Tensor")
    target = promote((a, b))
    if float_result and not target.is_floating_point:
        target = dtypes.default_float()
    return apply(op, (a, b), cast_arrays((a, b), target.np), **params)
