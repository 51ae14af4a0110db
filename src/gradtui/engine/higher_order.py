"""Higher-order gradients: the backward pass of ``create_graph=True``, built from Tensor ops.

The op table (``ops.py``) stays the single source of each op's forward and of its first-order
rule (numpy in, numpy out: the fast path of every plain ``backward()``). With
``create_graph=True`` the gradients must themselves be tensors with a graph, so they can be
differentiated again; this module holds a **second table**, one row per op-table row, whose
rules compute the same gradient with engine Tensor ops. They follow torch's own formulas
(``tools/autograd/derivatives.yaml``, ``torch/csrc/autograd/FunctionsManual.cpp``) op for op,
so the graph of a gradient has torch's nodes: ``x ** 3`` gives ``grad * (3 * x.pow(2))``, a
MulBackward0 over a MulBackward1 over a PowBackward0.

Schema of a row (``RULES[name]``, ``name`` a key of ``ops.OPS``):

- one rule per input of the op, in the op's input order: ``(grad, s) -> Tensor | None``.
  ``grad`` is the Tensor gradient of the op's output (it may itself require grad);
  ``s`` reads what the forward saved, by the op row's ``saves`` names: ``s.self``, ``s.other``,
  ``s.result``, ``s.exponent``... A saved input is the very tensor the op was applied to (so
  the gradient's graph reaches it), a saved output a tensor whose grad_fn is the node, a
  saved option (a dim, a shape) the plain value. None means "no gradient for this input".
- a rule is called only for inputs that need a gradient; the loop sums the result back to
  the input's shape (``sum_to``, torch's SumBackward1 + ViewBackward0) and casts its dtype.

An op without a row raises a RuntimeError naming it, except where the answer carries no
graph anyway (the incoming gradient and every saved tensor are constants): there the numpy
rule's value is exactly what torch computes, so it is used as a constant.
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradtui.engine import autograd, errors
from gradtui.engine.autograd import AccumulateGrad, Node
from gradtui.engine.dispatch import apply, binary
from gradtui.engine.grad_mode import enable_grad
from gradtui.engine.ops import OPS
from gradtui.engine.tensor import Tensor

Rule = Callable[[Tensor, "Saved"], "Tensor | None"]

BACKWARD_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:"
    "1307.)"
)


class Saved:
    """A node's saved values by torch's names (``s.self``, ``s.result``, ``s.dim``)."""

    __slots__ = ("_node",)

    def __init__(self, node: Node) -> None:
        self._node = node

    def __getattr__(self, name: str) -> Any:
        node = self._node
        index = node.op.saves.index(name)
        value = node.saved[index]
        if isinstance(value, np.generic) and value.dtype.kind == "f":
            # a 0-d forward's numpy scalar: the output was wrapped as a new 0-d array
            if name == "result":
                return _output(node, np.asarray(value), None)
            value = np.asarray(value)
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            return value  # options, and masks or indices kept as arrays
        return saved_tensor(node, value)


def saved_tensor(node: Node, value: np.ndarray) -> Tensor:
    """The tensor behind a saved array: the input itself, or the node's output."""
    for entry in node._versions or ():
        if entry[2] is value:
            autograd._check_version(entry, node)
            source = entry[3]
            if isinstance(source, Tensor):
                return source
            return _output(node, value, entry[0])
    # Not an input's own array: dtype promotion cast it inside the op. A cast of an input that
    # requires grad would cut the graph here, so say so instead of answering wrongly.
    if any(fn is not None and fn._dtype != value.dtype for fn, _ in node.next_functions):
        raise RuntimeError(f"gradtui does not support create_graph=True through "
                            f"{node.name()} with inputs of different dtypes")
    return Tensor._wrap(value)


def _output(node: Node, value: np.ndarray, version: list[int] | None) -> Tensor:
    """The node's output as a saved tensor: its grad_fn is the node."""
    out = Tensor._wrap(value)
    if version is not None:
        out._vc = version
    out.grad_fn = node
    out._requires_grad = True
    return out


# ---------------------------------------------------------------- building blocks
def _mul_scalar(t: Tensor, c: Any) -> Tensor:
    """``t * c`` with a Python number: torch's mul.Scalar (MulBackward1)."""
    return apply(OPS["mul_scalar"], (t,), other=c)


def _div_scalar(t: Tensor, c: Any) -> Tensor:
    """``t / c``: torch's div.Scalar (DivBackward1)."""
    return apply(OPS["div_scalar"], (t,), other=c)


def _neg(t: Tensor) -> Tensor:
    return apply(OPS["neg"], (t,))


def _maybe_multiply(t: Tensor, alpha: Any) -> Tensor:
    return t if alpha == 1 else _mul_scalar(t, alpha)


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros_like(t._array))


def _where(condition: np.ndarray, a: Any, b: Any) -> Tensor:
    return apply(OPS["where"], (a, b), condition=condition)


def _expand(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return apply(OPS["expand"], (t,), shape=tuple(shape))


def _unsqueeze(t: Tensor, dim: int) -> Tensor:
    return apply(OPS["unsqueeze"], (t,), dim=dim)


def _reshape(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    from gradtui.engine import functional

    return functional.reshape(t, tuple(shape))


def _t(t: Tensor) -> Tensor:
    return apply(OPS["t"], (t,))


def _mm(a: Tensor, b: Tensor) -> Tensor:
    return apply(OPS["mm"], (a, b))


def sum_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """torch's ``at::sum_to``: sum a broadcast gradient back to ``shape`` (SumBackward0 for a
    0-d target, else SumBackward1 with keepdim, then ViewBackward0 when dims were added)."""
    if not shape:
        return apply(OPS["sum"], (g,))
    lead = g._array.ndim - len(shape)
    if lead < 0:
        return _expand(g, shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g._array.shape[lead + i] != 1)
    if dims:
        g = apply(OPS["sum_dim"], (g,), dim=dims, keepdim=True)
    if lead:
        g = apply(OPS["view"], (g,), shape=tuple(shape))
    return g


def _sum_backward(g: Tensor, dims: tuple[int, ...], keepdim: bool,
                  shape: tuple[int, ...]) -> Tensor:
    """``sum_backward``: unsqueeze the reduced dims (lowest first), then expand."""
    if not keepdim and shape:
        for d in sorted(dims):
            g = _unsqueeze(g, d)
    return _expand(g, shape)


def _unsqueeze_to(g: Tensor, dims: Sequence[int], shape: tuple[int, ...]) -> Tensor:
    """``unsqueeze_to``: put back the size-1 dims a squeeze removed."""
    for d in sorted(dims):
        if shape[d] == 1:
            g = _unsqueeze(g, d)
    return g


def _col_major(a: Tensor) -> bool:
    """torch's test for a column-major matrix (``x.t()`` of a contiguous one)."""
    arr = a._array
    item = arr.itemsize
    return arr.strides[0] == item and arr.strides[1] == arr.shape[0] * item


def _mm_self(g: Tensor, s: Saved) -> Tensor:
    mat2 = s.mat2
    if _col_major(s.self):
        return _t(_mm(mat2, _t(g)))
    return _mm(g, _t(mat2))


def _mm_other(g: Tensor, s: Saved) -> Tensor:
    mat1 = s.self
    if _col_major(s.mat2):
        return _t(_mm(_t(g), mat1))
    return _mm(_t(mat1), g)


def _pow_self(g: Tensor, s: Saved) -> Tensor:
    e = s.exponent
    if e == 0:
        return _zeros_like(s.self)
    return g * _mul_scalar(apply(OPS["pow"], (s.self,), exponent=float(e) - 1), float(e))


def _pow_tensor_self(g: Tensor, s: Saved) -> Tensor:
    a, b = s.self, s.exponent
    if not isinstance(b, Tensor):  # a Python exponent: pow_backward
        return _pow_self(g, s)
    zero = Tensor._wrap(np.zeros((), dtype=g._array.dtype))
    power = binary(OPS["pow_tensor"], a, apply(OPS["sub_scalar"], (b,), other=1))
    return _where(b._array == 0, zero, g * (b * power))


def _pow_tensor_exponent(g: Tensor, s: Saved) -> Tensor:
    a, b = s.self, s.exponent
    a_arr = a._array if isinstance(a, Tensor) else np.asarray(a)
    zero = Tensor._wrap(np.zeros((), dtype=g._array.dtype))
    cond = (a_arr == 0) & (b._array >= 0)
    return g * _where(cond, zero, s.result * apply(OPS["log"], (a,)))


def _rpow(g: Tensor, s: Saved) -> Tensor:
    base = s.self
    if base == 0:  # torch masks by the exponent, which this row does not save
        raise RuntimeError("gradtui does not support create_graph=True through PowBackward2 "
                            "with base 0")
    return g * _mul_scalar(s.result, float(np.log(np.float64(base))))


def _squeeze_dim(g: Tensor, s: Saved) -> Tensor:
    dim = s.dim
    if dim == () or s.self_sym_sizes[dim] != 1:
        return g
    return _unsqueeze(g, dim)


RULES: dict[str, tuple[Rule, ...]] = {
    # arithmetic
    "add": (lambda g, s: g, lambda g, s: _maybe_multiply(g, s.alpha)),
    "sub": (lambda g, s: g, lambda g, s: _maybe_multiply(_neg(g), s.alpha)),
    "rsub": (lambda g, s: _maybe_multiply(_neg(g), s.alpha),),
    "rsub_tensor": (lambda g, s: _maybe_multiply(_neg(g), s.alpha), lambda g, s: g),
    "add_scalar": (lambda g, s: g,),
    "sub_scalar": (lambda g, s: g,),
    "mul": (lambda g, s: g * s.other, lambda g, s: g * s.self),
    "mul_scalar": (lambda g, s: _mul_scalar(g, s.other),),
    "div": (lambda g, s: g / s.other, lambda g, s: _neg(g) * ((s.self / s.other) / s.other)),
    "div_scalar": (lambda g, s: _div_scalar(g, s.other),),
    "reciprocal": (lambda g, s: _neg(g) * (s.result * s.result),),
    "neg": (lambda g, s: _neg(g),),
    "pow": (_pow_self,),
    "pow_tensor": (_pow_tensor_self, _pow_tensor_exponent),
    "rpow": (_rpow,),
    # elementwise functions
    "exp": (lambda g, s: g * s.result,),
    "log": (lambda g, s: g / s.self,),
    "sqrt": (lambda g, s: g / _mul_scalar(s.result, 2),),
    "sin": (lambda g, s: g * apply(OPS["cos"], (s.self,)),),
    "cos": (lambda g, s: g * _neg(apply(OPS["sin"], (s.self,))),),
    "tanh": (lambda g, s: apply(OPS["tanh_backward"], (g, s.result)),),
    "sigmoid": (lambda g, s: apply(OPS["sigmoid_backward"], (g, s.result)),),
    "relu": (lambda g, s: apply(OPS["threshold_backward"], (g, s.result), threshold=0),),
    "abs": (lambda g, s: g * apply(OPS["sgn"], (s.self,)),),
    "sgn": (lambda g, s: _zeros_like(g),),
    "tanh_backward": (
        lambda g, s: apply(OPS["tanh_backward"], (g, s.output)),
        lambda g, s: g * (_mul_scalar(s.output, -2) * s.grad_output)),
    "sigmoid_backward": (
        lambda g, s: apply(OPS["sigmoid_backward"], (g, s.output)),
        lambda g, s: (g * s.grad_output) * apply(
            OPS["add_scalar"], (_mul_scalar(s.output, -2),), other=1)),
    "threshold_backward": (
        lambda g, s: apply(OPS["threshold_backward"], (g, s.self), threshold=s.threshold),
        lambda g, s: _zeros_like(g)),
    "where": (lambda g, s: _where(s.condition, g, 0), lambda g, s: _where(s.condition, 0, g)),
    # reductions
    "sum": (lambda g, s: _expand(g, s.self_sym_sizes),),
    "sum_dim": (lambda g, s: _sum_backward(g, s.dim, s.keepdim, s.self_sym_sizes),),
    "mean": (lambda g, s: _div_scalar(_expand(g, s.self_sym_sizes), s.self_sym_numel),),
    "mean_dim": (lambda g, s: _div_scalar(
        _sum_backward(g, s.dim, s.keepdim, s.self_sym_sizes), s.self_sym_numel),),
    # linear algebra
    "mm": (_mm_self, _mm_other),
    # shapes and views
    "view": (lambda g, s: _reshape(g, s.self_sym_sizes),),
    "unsafe_view": (lambda g, s: _reshape(g, s.self_sym_sizes),),
    "t": (lambda g, s: _t(g),),
    "transpose": (lambda g, s: apply(OPS["transpose"], (g,), dim0=s.dim0, dim1=s.dim1),),
    "permute": (lambda g, s: apply(OPS["permute"], (g,),
                                   dims=tuple(int(i) for i in np.argsort(s.dims))),),
    "expand": (lambda g, s: sum_to(g, s.self_sym_sizes),),
    "squeeze": (lambda g, s: _unsqueeze_to(g, range(len(s.self_sym_sizes)),
                                           s.self_sym_sizes),),
    "squeeze_dim": (_squeeze_dim,),
    "squeeze_matmul": (_squeeze_dim,),
    "squeeze_dims": (lambda g, s: _unsqueeze_to(g, s.dim, s.self_sym_sizes),),
    "unsqueeze": (lambda g, s: apply(OPS["squeeze_dim"], (g,), dim=s.dim),),
    "clone": (lambda g, s: g,),
    "alias": (lambda g, s: g,),
    "to_copy": (lambda g, s: g,),  # the edge loop casts back to the input's dtype
    "copy": (lambda g, s: _zeros_like(g), lambda g, s: g),
}


# torch's argument names of the rows with several inputs. torch's generated backward functions
# compute the gradients in the alphabetical order of these names (``other`` before ``self``),
# which decides which gradient node is created first, hence the order a later backward runs
# them and the order of the two inputs of a sum where their paths meet.
INPUTS: dict[str, tuple[str, ...]] = {
    "add": ("self", "other"),
    "sub": ("self", "other"),
    "rsub_tensor": ("self", "other"),
    "mul": ("self", "other"),
    "div": ("self", "other"),
    "pow_tensor": ("self", "exponent"),
    "tanh_backward": ("grad_output", "output"),
    "sigmoid_backward": ("grad_output", "output"),
    "threshold_backward": ("grad_output", "self"),
    "where": ("self", "other"),
    "mm": ("self", "mat2"),
    "copy": ("self", "src"),
}
_ORDER: dict[str, tuple[int, ...]] = {
    name: tuple(sorted(range(len(names)), key=names.__getitem__))
    for name, names in INPUTS.items()}


def supported_grad_fns() -> list[str]:
    """torch's names of the nodes create_graph=True can go through, sorted."""
    return sorted({OPS[name].grad_fn for name in RULES})


def unsupported(node: Node) -> RuntimeError:
    return RuntimeError(f"gradtui supports create_graph=True through "
                         f"{', '.join(supported_grad_fns())} but not through {node.name()}")


# ---------------------------------------------------------------- the backward loop
def _needs_graph(node: Node, grad: Tensor) -> bool:
    """Whether the gradients this node hands on can carry a graph: the incoming gradient or
    a saved tensor requires grad. If neither, torch's formula computes constants."""
    if grad._requires_grad:
        return True
    if not node.saved:
        return False
    s = Saved(node)
    try:
        for name, value in zip(node.op.saves, node.saved, strict=False):
            if isinstance(value, np.ndarray | np.generic) and value.dtype.kind == "f":
                t = getattr(s, name)
                if isinstance(t, Tensor) and t._requires_grad:
                    return True
    except RuntimeError:  # a cast input (see saved_tensor): the rule would need it
        return True
    return False


def _constant_rules(node: Node, grad: Tensor, i: int) -> Tensor | None:
    op = node.op
    saved = node.saved or ()
    g = op.grads[0](grad._array, i, *saved) if op.variadic else op.grads[i](grad._array, *saved)
    return None if g is None else Tensor._wrap(np.asarray(g))


def _root_grad(t: Tensor, gradient: Any, index: int) -> Tensor:
    if isinstance(gradient, Tensor):
        autograd._root_grad(t, gradient, index)  # torch's shape errors
        if gradient._array.dtype != t._array.dtype:
            return apply(OPS["to_copy"], (gradient,), dtype=t._array.dtype)
        return gradient
    return Tensor._wrap(np.array(autograd._root_grad(t, gradient, index)))


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
            empty = Tensor._wrap(np.empty_like(leaf._array))
            leaf._grad = apply(OPS["copy"], (empty, grad))
            leaf._grad._vc[0] += 1  # copy_ wrote into it
        else:
            leaf._grad = Tensor._wrap(np.array(grad._array, dtype=leaf._array.dtype))
    else:
        leaf._grad = _add(leaf._grad, grad)


def _run_rules(node: Node, grad: Tensor) -> list[Tensor | None]:
    """The gradient of each input of an op node, by its ``RULES`` row."""
    rules = RULES.get(node.op.name)
    if rules is None and _needs_graph(node, grad):
        raise unsupported(node)
    saved = Saved(node)
    edges = node.next_functions
    outputs: list[Tensor | None] = [None] * len(edges)
    for i in _ORDER.get(node.op.name) or range(len(edges)):
        if edges[i][0] is not None:
            outputs[i] = (rules[i](grad, saved) if rules is not None
                          else _constant_rules(node, grad, i))
    return outputs


def execute(roots: Sequence[Tensor], gradients: Sequence[Any], *, retain_graph: bool,
            capture: Sequence[Tensor] | None = None) -> list[Tensor | None] | None:
    """``autograd.execute`` with create_graph=True: the same walk (newest node first), with
    Tensor gradients computed by ``RULES`` under grad mode, so they have graphs."""
    with enable_grad():
        return _execute(roots, gradients, retain_graph=retain_graph, capture=capture)


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
            outputs = _run_rules(node, grad)
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
        if not retain_graph and node.op.has_tensor_saves:
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
