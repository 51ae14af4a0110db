"""``torch.autograd.grad`` and ``torch.autograd.backward``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gradtui.engine import autograd, errors, higher_order, walk
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, TensorBase):
        return [x]
    return list(x)


def _one_gradient_per_output(outputs: list[Tensor], gradients: Any) -> list[Any]:
    """torch pairs gradients with outputs like ``zip`` (extra gradients are ignored), then
    needs one for every output."""
    grads = _as_list(gradients) or [None] * len(outputs)
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    return grads[:len(outputs)]


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple, without touching any ``.grad``. With
    ``create_graph`` the gradients have graphs of their own (differentiable again)."""
    if retain_graph is None:
        retain_graph = create_graph
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gouts = _one_gradient_per_output(outs, grad_outputs)
    for i, t in enumerate(outs):
        walk.root_node(t, i)  # outputs are checked first, as in torch
    for t in ins:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    results = walk.execute(outs, gouts, retain_graph=bool(retain_graph), capture=ins,
                           differentiable=higher_order.GRADIENTS if create_graph else None)
    assert results is not None
    out = []
    for i, (t, g) in enumerate(zip(ins, results, strict=True)):
        if g is None:
            if materialize_grads:
                out.append(new_leaf(t._array * 0))
                continue
            if not allow_unused:
                raise RuntimeError(errors.UNUSED_INPUT.format(index=i))
            out.append(None)
        elif create_graph:
            out.append(g)  # a Tensor already summed to the input's shape and dtype
        else:
            arr = g if g.shape == t._array.shape else autograd.unbroadcast(g, t._array.shape)
            out.append(new_leaf(arr.astype(t._array.dtype, copy=True)))
    return tuple(out)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    outs = _as_list(tensors)
    gouts = _one_gradient_per_output(outs, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:  # torch warns once its own checks of the outputs passed
        for i, (t, g) in enumerate(zip(outs, walk.flatten_gradients(gouts, len(outs)),
                                       strict=True)):
            walk.root_node(t, i)
            walk.root_grad(t, g, i)
        errors.warn_once(higher_order.BACKWARD_CREATE_GRAPH_WARNING)
    if inputs is not None:
        backward_to_inputs(outs, gouts, retain_graph, inputs, create_graph)
        return
    walk.execute(outs, gouts, retain_graph=bool(retain_graph),
                 differentiable=higher_order.GRADIENTS if create_graph else None)


def backward_to_inputs(outputs: list[Tensor], gradients: list[Any], retain_graph: Any,
                       inputs: Sequence[Tensor] | Tensor, create_graph: bool = False) -> None:
    """``backward(inputs=...)``: accumulate only into the given tensors, in one pass over all
    outputs (a graph they share is walked once, as in torch)."""
    ins = _as_list(inputs)
    grads = grad(outputs, ins, gradients, retain_graph=retain_graph, allow_unused=True,
                 create_graph=create_graph)
    for x, g in zip(ins, grads, strict=True):
        if g is None:
            continue
        if create_graph:
            higher_order.accumulate(x, g)
        else:
            x._accumulate_grad(g._array, owned=True)
