"""Higher-order gradients: the arithmetic of ``create_graph=True``, run on Tensors.

Each op-table row states one formula per input (``ops.py``). A plain ``backward()`` runs them on
numpy arrays; with ``create_graph=True`` the gradients must themselves be tensors with a graph,
so they can be differentiated again: the same walk (``walk.py``) runs the same formulas on
Tensors (``GRADIENTS`` hands it this arithmetic), and the rows
marked ``higher_order`` are written in words (``formulas.py``) that then apply torch's own ops,
so the graph of a gradient has torch's nodes: ``x ** 3`` gives ``grad * (3 * x.pow(2))``, a
MulBackward0 over a MulBackward1 over a PowBackward0.

A formula gets the incoming gradient (a Tensor, which may itself require grad) and the node's
saved values as Tensors: a saved input is the very tensor the op was applied to (so the
gradient's graph reaches it), a saved output a tensor whose grad_fn is the node, a saved option
(a dim, a shape) the plain value. The walk sums each result back to its input's shape
(``sum_to``, torch's SumBackward1 + ViewBackward0) and casts its dtype.

An op whose row is not ``higher_order`` raises a RuntimeError naming it, except where the
answer carries no graph anyway (the incoming gradient and every saved tensor are constants):
there the numpy formula's value is exactly what torch computes, so it is used as a constant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import autograd, walk
from gradtui.engine.autograd import AccumulateGrad, Node
from gradtui.engine.dispatch import apply, binary
from gradtui.engine.formulas import sum_to
from gradtui.engine.grad_mode import enable_grad
from gradtui.engine.op_schema import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

BACKWARD_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:"
    "1307.)"
)


class _Unavailable:
    """A saved value that cannot be a Tensor here (see ``saved_tensor``): a formula that
    reads it raises the error, the formulas that do not read it run."""

    __slots__ = ("error",)

    def __init__(self, error: RuntimeError) -> None:
        self.error = error


def saved_values(node: Node) -> list[Any]:
    """A node's saved values as its formulas read them with create_graph=True: float arrays
    as Tensors (``saved_tensor``), options (dims, shapes) and masks or indices as they are."""
    values = []
    for name, value in zip(node.op.saved, node.saved, strict=False):
        if isinstance(value, np.generic) and value.dtype.kind == "f":
            # a 0-d forward's numpy scalar: the output was wrapped as a new 0-d array
            if name == "result":
                values.append(_output(node, np.asarray(value), None))
                continue
            value = np.asarray(value)
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            values.append(value)
            continue
        try:
            values.append(saved_tensor(node, value))
        except RuntimeError as exc:
            values.append(_Unavailable(exc))
    return values


def saved_tensor(node: Node, value: np.ndarray) -> Tensor:
    """The tensor behind a saved array: the input itself, or the node's output."""
    for entry in node._versions or ():
        if entry[2] is value:
            autograd._check_version(entry, node)
            source = entry[3]
            if isinstance(source, TensorBase):
                return source
            return _output(node, value, entry[0])
    # Not an input's own array: dtype promotion cast it inside the op. A cast of an input that
    # requires grad would cut the graph here, so say so instead of answering wrongly.
    if any(fn is not None and fn._dtype != value.dtype for fn, _ in node.next_functions):
        raise RuntimeError(f"gradtui does not support create_graph=True through "
                           f"{node.name()} with inputs of different dtypes")
    return new_leaf(value)


def _output(node: Node, value: np.ndarray, version: list[int] | None) -> Tensor:
    """The node's output as a saved tensor: its grad_fn is the node."""
    out = new_leaf(value)
    if version is not None:
        out._vc = version
    out.grad_fn = node
    out._requires_grad = True
    return out


def supported_grad_fns() -> list[str]:
    """torch's names of the nodes create_graph=True can go through, sorted."""
    return sorted({row.grad_fn for row in OPS.values() if row.higher_order})


def unsupported(node: Node) -> RuntimeError:
    return RuntimeError(f"gradtui supports create_graph=True through "
                        f"{', '.join(supported_grad_fns())} but not through {node.name()}")


def _computing_order(names: tuple[str, ...]) -> list[int]:
    """torch's generated backward functions compute the gradients in the alphabetical order of
    their inputs' names (``other`` before ``self``): that decides which gradient node is made
    first, hence the order a later backward runs them and the order of the two inputs of a
    sum where their paths meet."""
    return sorted(range(len(names)), key=names.__getitem__)


# ---------------------------------------------------------------- the walk's arithmetic
def _needs_graph(node: Node, grad: Tensor, saved: list[Any]) -> bool:
    """Whether the gradients this node hands on can carry a graph: the incoming gradient or
    a saved tensor requires grad. If neither, torch's formula computes constants."""
    if grad._requires_grad:
        return True
    for value in saved:
        if isinstance(value, _Unavailable):  # a cast input (see saved_tensor): it would
            return True
        if isinstance(value, TensorBase) and value._requires_grad:
            return True
    return False


def _constant_gradient(node: Node, grad: Tensor, i: int) -> Tensor | None:
    """Input ``i``'s gradient from the numpy formula, as a constant Tensor."""
    op = node.op
    saved = node.saved or ()
    if op.variadic:
        g = op.formulas[0](grad._array, i, *saved)
    else:
        g = op.formulas[i](grad._array, *saved)
    return None if g is None else new_leaf(np.asarray(g))


def _root_grad(t: Tensor, gradient: Any, index: int) -> Tensor:
    if isinstance(gradient, TensorBase):
        walk.root_grad(t, gradient, index)  # torch's shape errors
        if gradient._array.dtype != t._array.dtype:
            return apply(OPS["to_copy"], (gradient,), dtype=t._array.dtype)
        return gradient
    return new_leaf(np.array(walk.root_grad(t, gradient, index)))


def _add(old: Tensor, new: Tensor) -> Tensor:
    return binary(OPS["add"], old, new)


def _retain(t: Tensor, grad: Tensor) -> None:
    """retain_grad() under create_graph: torch stores ``grad.clone()``, then sums."""
    if t._grad is None:
        t._grad = apply(OPS["clone"], (grad,))
    else:
        t._grad = _add(t._grad, grad)


def accumulate(leaf: Tensor, grad: Tensor) -> None:
    """AccumulateGrad with grad mode on: the first gradient is copied into a fresh tensor
    (torch's ``new_empty_strided().copy_(grad)``: CopyBackwards), later ones are added out of
    place (AddBackward0)."""
    for hook in leaf._hooks or ():
        result = hook(grad)
        if result is not None:
            grad = result
    if leaf._grad is None:
        if grad._requires_grad:
            empty = new_leaf(np.empty_like(leaf._array))
            leaf._grad = apply(OPS["copy"], (empty, grad))
            leaf._grad._vc[0] += 1  # copy_ wrote into it
        else:
            leaf._grad = new_leaf(np.array(grad._array, dtype=leaf._array.dtype))
    else:
        leaf._grad = _add(leaf._grad, grad)


def _run_formulas(node: Node, grad: Tensor) -> list[Tensor | None]:
    """The gradient of each input of an op node, by its row's formulas run on Tensors."""
    op = node.op
    saved = saved_values(node) if node.saved else []
    constant = not op.higher_order
    if constant and _needs_graph(node, grad, saved):
        raise unsupported(node)
    edges = node.next_functions
    outputs: list[Any] = [None] * len(edges)
    order = _computing_order(op.inputs) if len(op.inputs) == len(edges) else range(len(edges))
    for i in order:
        if edges[i][0] is None:
            continue
        if constant:
            outputs[i] = _constant_gradient(node, grad, i)
            continue
        reads = op.derivatives[i].reads
        for name, value in zip(op.saved, saved, strict=False):
            if isinstance(value, _Unavailable) and (reads is None or name in reads):
                raise value.error
        outputs[i] = op.formulas[i](grad, *saved)
    return outputs


def _run_hooks(hooks: list, grad: Tensor) -> Tensor:
    for hook in list(hooks):
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def _node_gradients(node: Node, grad: Tensor) -> list[Tensor | None]:
    if node.op.custom:  # torch.autograd.Function: the learner's backward, run in grad mode
        return node._tensor_gradients(grad)
    return _run_formulas(node, grad)


def _deliver(g: Tensor, to: Node | AccumulateGrad) -> Tensor:
    """Sum back to the input's shape (torch's sum_to) and cast to its dtype."""
    if g._array.shape != to.output_shape:
        g = sum_to(g, to.output_shape)
    if g._array.dtype != to._dtype:
        g = apply(OPS["to_copy"], (g,), dtype=to._dtype)
    return g


def _deliver_as(g: Tensor, shape: tuple, dtype: np.dtype) -> Tensor:
    """``_deliver`` to a shape and dtype (a custom Function's later outputs)."""
    if g._array.shape != shape:
        g = sum_to(g, shape)
    if g._array.dtype != dtype:
        g = apply(OPS["to_copy"], (g,), dtype=dtype)
    return g


class _Gradients:
    """The arithmetic ``walk.Walk`` uses with create_graph=True (``walk.Differentiable``): the
    same walk as every backward, with Tensor gradients computed by the rows' formulas in grad
    mode, so they have graphs. Computed in torch's order, handed on in input order."""

    grad_mode = staticmethod(enable_grad)
    root_grad = staticmethod(_root_grad)
    add = staticmethod(_add)
    run_hooks = staticmethod(_run_hooks)
    retain = staticmethod(_retain)
    node_gradients = staticmethod(_node_gradients)
    deliver = staticmethod(_deliver)
    deliver_as = staticmethod(_deliver_as)
    constant = staticmethod(new_leaf)
    accumulate = staticmethod(accumulate)


GRADIENTS = _Gradients()
