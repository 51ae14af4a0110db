"""Higher-order gradients: the backward pass of ``create_graph=True``, run on Tensors.

Each op-table row states one formula per input (``ops.py``). A plain ``backward()`` runs them on
numpy arrays; with ``create_graph=True`` the gradients must themselves be tensors with a graph,
so they can be differentiated again: this walk runs the same formulas on Tensors, and the rows
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

import heapq
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import autograd, errors, quiet
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


# ---------------------------------------------------------------- the backward loop
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
        autograd._root_grad(t, gradient, index)  # torch's shape errors
        if gradient._array.dtype != t._array.dtype:
            return apply(OPS["to_copy"], (gradient,), dtype=t._array.dtype)
        return gradient
    return new_leaf(np.array(autograd._root_grad(t, gradient, index)))


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


def execute(roots: Sequence[Tensor], gradients: Sequence[Any], *, retain_graph: bool,
            capture: Sequence[Tensor] | None = None) -> list[Tensor | None] | None:
    """``autograd.execute`` with create_graph=True: the same walk (newest node first), with
    Tensor gradients computed by the rows' formulas under grad mode, so they have graphs."""
    token = quiet.enter()  # torch computes inf/nan gradients silently; numpy would warn
    try:
        with enable_grad():
            return _execute(roots, gradients, retain_graph=retain_graph, capture=capture)
    finally:
        quiet.leave(token)


def _execute(roots: Sequence[Tensor], gradients: Sequence[Any], *, retain_graph: bool,
             capture: Sequence[Tensor] | None) -> list[Tensor | None] | None:
    root_nodes = [autograd._root_node(t, i) for i, t in enumerate(roots)]
    gradients = autograd._flatten_gradients(gradients, len(roots))
    grads: dict[Any, Tensor] = {}
    order: list[Any] = []  # sinks in the order their first gradient arrived
    for i, (t, g) in enumerate(zip(roots, gradients, strict=True)):
        root = _root_grad(t, g, i)
        node = root_nodes[i]
        grads[node] = _add(grads[node], root) if node in grads else root
        if node not in order:
            order.append(node)
    capture_list = [t.grad_fn if t.grad_fn is not None else t._accumulator()
                    for t in capture] if capture is not None else []
    capture_ids = {id(n) for n in capture_list}
    captured: dict[int, Tensor] = {}
    needed = (autograd.nodes_leading_to(root_nodes, capture_ids) if capture is not None
              else None)

    heap = [(-n._seq, n) for n in grads if type(n) is not AccumulateGrad]
    heapq.heapify(heap)
    while heap:
        node = heapq.heappop(heap)[1]
        grad = grads.pop(node)
        for hook in list(node._tensor_hooks or ()):
            result = hook(grad)
            if result is not None:
                grad = result
        if id(node) in capture_ids:
            captured[id(node)] = grad
        if needed is not None and id(node) not in needed:
            continue  # autograd.grad: nothing beyond the inputs or off their paths runs
        if node._retained is not None and capture is None:
            kept = node._retained()
            if kept is not None:
                _retain(kept, grad)
        custom = node.op.custom
        if node.saved_freed and not custom:  # a custom Function raises as it unpacks
            raise RuntimeError(errors.BACKWARD_TWICE)
        if node._versions is not None:
            node._check_versions()
        edges = node.next_functions
        if custom:  # torch.autograd.Function: the learner's backward, run in grad mode
            outputs = node._tensor_gradients(grad)
        else:
            outputs = _run_formulas(node, grad)
        # computed in torch's order, handed on in input order (as torch's engine does)
        for (nxt, _), g in zip(edges, outputs, strict=True):
            if g is None:
                continue
            if g._array.shape != nxt.output_shape:
                g = sum_to(g, nxt.output_shape)
            if g._array.dtype != nxt._dtype:
                g = apply(OPS["to_copy"], (g,), dtype=nxt._dtype)
            old = grads.get(nxt)
            if old is None:
                grads[nxt] = g
                if type(nxt) is AccumulateGrad:
                    order.append(nxt)
                else:
                    heapq.heappush(heap, (-nxt._seq, nxt))
            else:
                grads[nxt] = _add(old, g)
        if not retain_graph and node.op.saves_tensors:
            node._free()

    leaves = []
    for sink in order:
        if sink not in grads:
            continue
        grad = grads[sink]
        if id(sink) in capture_ids:
            captured[id(sink)] = grad
            leaves.append(weakref.ref(sink.variable))
        elif capture is None:
            accumulate(sink.variable, grad)
            leaves.append(weakref.ref(sink.variable))
    autograd._last_leaves[:] = leaves
    if capture is None:
        return None
    return [captured.get(id(n)) for n in capture_list]
