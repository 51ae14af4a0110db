"""The autograd graph and the backward engine.

A ``Node`` is the ``grad_fn`` of a tensor produced by an op: it points at its op's table row
(``ops.Op``), at the nodes of its inputs (``next_functions``, torch's order, ``None`` for
constants) and at what the forward saved. ``AccumulateGrad`` is the sink of a leaf.

Backward runs without recursion: every node carries a creation sequence number, and a node's
inputs are always created before it, so visiting the reachable nodes by *decreasing* sequence
number is a topological order (it is also torch's CPU execution order). Gradients arriving at a
node are summed in a buffer; each gradient is summed back to its input's shape (unbroadcast)
and cast to its dtype in exactly one place, the edge loop of ``_execute``.
"""

from __future__ import annotations

import heapq
import itertools
import operator
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors, quiet
from gradtui.engine.kernels.sums import torch_sum
from gradtui.engine.size import Size
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.op_schema import Op
    from gradtui.engine.tensor import Tensor

_sequence = itertools.count()
_last_leaves: list[weakref.ref] = []


class Node:
    """A ``grad_fn``: one recorded op application."""

    __slots__ = ("op", "next_functions", "saved", "saved_freed", "output_shape", "_dtype",
                 "_seq", "_versions", "_retained", "_tensor_hooks", "__weakref__")

    def __init__(self, op: Op, next_functions: tuple, saved: tuple, output_shape: tuple,
                 dtype: np.dtype) -> None:
        self.op = op
        self.next_functions = next_functions
        self.saved = saved
        self.saved_freed = False
        self.output_shape = output_shape
        self._dtype = dtype
        self._seq = next(_sequence)
        # (index in saved, shared version counter, version when saved, tensor description)
        self._versions: tuple | None = None
        self._retained: weakref.ref | None = None  # a non-leaf output that called retain_grad()
        self._tensor_hooks: list | None = None  # register_hook() on the output tensor

    def name(self) -> str:
        """torch's grad_fn class name, e.g. ``"MulBackward0"``."""
        return self.op.grad_fn

    def saved_values(self) -> dict[str, Any]:
        """What the forward saved for backward, by torch's names without ``_saved_``;
        ``{}`` once the buffers were freed."""
        if self.saved_freed or self.saved is None:
            return {}
        out: dict[str, Any] = {}
        for name, value in zip(self.op.saved, self.saved, strict=False):
            shown = _displayable(value)
            if shown is not _HIDDEN:
                out[name] = shown
        return out

    def rules(self) -> list[str]:
        """One human-readable local derivative per input (from the op table)."""
        rules = self.op.rules
        if len(rules) == len(self.next_functions):
            return list(rules)
        # variadic ops (cat, stack) state one rule for every input
        return [rules[0]] * len(self.next_functions)

    def __getattr__(self, attr: str) -> Any:
        # torch exposes saved values as ``grad_fn._saved_self`` ...
        if attr.startswith("_saved_"):
            key = attr[len("_saved_"):]
            if key in self.op.saved:
                index = self.op.saved.index(key)
                plain = self.op.plain_mask
                # after backward only saved tensors are gone; scalars (exponent, dim) stay
                if self.saved_freed and (plain is None or not plain[index]):
                    raise RuntimeError(errors.BACKWARD_TWICE)
                value = self.saved[index]
                if isinstance(value, np.ndarray):
                    return self._unpack(index, value)
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def register_hook(self, hook: Any) -> None:
        raise RuntimeError("gradtui does not support hooks on grad_fn nodes")

    def __repr__(self) -> str:
        # the class name, which drops name()'s "torch::autograd::" (CopySlices), as in torch
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _free(self) -> None:
        if self.op.plain_mask is not None:
            # scalars such as ``exponent``/``dim`` survive, tensors are released (like torch)
            self.saved = tuple(v if keep else None
                               for v, keep in zip(self.saved, self.op.plain_mask, strict=True))
            self.saved_freed = self.op.saves_tensors
        elif self.saved:
            self.saved = None
            self.saved_freed = True

    def _check_versions(self) -> None:
        for entry in self._versions or ():
            _check_version(entry, self)

    def _unpack(self, index: int, value: np.ndarray) -> Any:
        """A saved tensor as torch's ``SavedVariable`` gives it back: None when no input that
        needs it requires grad (torch did not save it); torch's in-place error when it was
        changed since; a saved input is the very tensor object; a saved output is a new tensor
        whose ``grad_fn`` is this node."""
        read_by = self.op.read_by
        if read_by is not None and all(self.next_functions[i][0] is None
                                       for i in read_by[index]):
            return None
        for entry in self._versions or ():
            if entry[2] is value:
                _check_version(entry, self)
                source = entry[3]
                if isinstance(source, TensorBase):
                    return source
                out = new_leaf(value)
                out._vc = entry[0]
                out.grad_fn = self
                out._requires_grad = True
                return out
        return new_leaf(value)


# In a node's version entry, "this node's own output" (its saved result). A marker, not the
# node: a node holding itself would be a reference cycle, and every graph that saved a result
# would wait for Python's garbage collector instead of being freed when dropped.
OWN_OUTPUT = "own output"


def _check_version(entry: tuple, node: Any) -> None:
    """torch's in-place error when a saved tensor's version moved since ``node`` saved it."""
    vc, expected, array, source = entry
    if vc[0] != expected:
        if source is OWN_OUTPUT:
            source = node
        raise RuntimeError(errors.INPLACE_MODIFIED.format(
            legacy=describe(array), shape=", ".join(map(str, array.shape)),
            origin=origin_text(source), now=vc[0], saved=expected))


def describe(array: np.ndarray) -> str:
    """torch's legacy type name of an array's dtype (``torch.FloatTensor``)."""
    return dtypes.BY_NUMPY[array.dtype].legacy_name


def origin_text(source: Any) -> str:
    """How torch names a saved tensor in the in-place error: an output by the node that made
    it, an input by its grad_fn at the time of the error, a leaf by nothing."""
    fn = source if isinstance(source, Node) else getattr(source, "grad_fn", None)
    if fn is None:
        return ""
    name = fn.name()
    stripped = name.rstrip("0123456789")
    if stripped.endswith("Backward"):
        name = stripped[: -len("Backward")]
    return f", which is output 0 of {name},"


_HIDDEN = object()


def _displayable(value: Any) -> Any:
    """A saved value as plain data for the graph panel: arrays, numbers, tuples; slices as
    (start, stop, step); internal helpers (view functions) are not shown."""
    if isinstance(value, np.ndarray | bool | int | float) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, slice):
        return (value.start, value.stop, value.step)
    if isinstance(value, tuple):
        items = tuple(_displayable(v) for v in value)
        return _HIDDEN if any(i is _HIDDEN for i in items) else items
    if isinstance(value, str):
        return value
    return _HIDDEN


_node_classes: dict[str, type[Node]] = {}


def node_class(grad_fn: str) -> type[Node]:
    """The Node subclass named like torch's grad_fn class (``MulBackward0``)."""
    cls = _node_classes.get(grad_fn)
    if cls is None:
        short = grad_fn.rsplit("::", 1)[-1] or "Node"
        cls = type(short, (Node,), {"__slots__": (), "__module__": "torch.autograd.graph"})
        _node_classes[grad_fn] = cls
    return cls


class AccumulateGrad:
    """The sink that adds incoming gradients into a leaf's ``.grad``."""

    __slots__ = ("variable", "output_shape", "_dtype", "__weakref__")
    next_functions: tuple = ()
    saved_freed = False

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.output_shape = variable._array.shape
        self._dtype = variable._array.dtype

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def saved_values(self) -> dict[str, Any]:
        return {}

    def rules(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def last_backward_leaves() -> list[Tensor]:
    """The leaves that received a gradient in the most recent backward()/autograd.grad call."""
    alive = (ref() for ref in _last_leaves)
    return [t for t in alive if t is not None]


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` back to ``shape``: the adjoint of broadcasting ``shape`` to grad.shape.
    One reduction over all the broadcast dims, like torch's ``sum_to``, so the rounding is
    torch's too."""
    extra = grad.ndim - len(shape)
    if extra < 0:
        return np.broadcast_to(grad, shape)
    dims = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    if not dims:
        return grad.reshape(shape)
    exact = torch_sum(grad, dims, True)
    summed = exact if exact is not None else grad.sum(axis=dims, keepdims=True)
    return np.asarray(summed).reshape(shape)


def _root_node(t: Tensor, index: int) -> Node | AccumulateGrad:
    if t.grad_fn is not None:
        return t.grad_fn
    if t._requires_grad:
        return t._accumulator()
    raise RuntimeError(errors.NO_GRAD_FN.format(index=index))


_ONES: dict[np.dtype, np.ndarray] = {}


def _implicit_one(dtype: np.dtype) -> np.ndarray:
    """A shared read-only 0-d 1 of ``dtype``: the implicit gradient of a scalar output."""
    one = _ONES.get(dtype)
    if one is None:
        one = np.ones((), dtype=dtype)
        one.flags.writeable = False
        _ONES[dtype] = one
    return one


def _root_grad(t: Tensor, gradient: Any, index: int) -> np.ndarray:
    array = t._array
    if gradient is None:
        if array.size != 1:
            raise RuntimeError(errors.IMPLICIT_GRAD_SCALAR)
        if array.ndim == 0:
            return _implicit_one(array.dtype)
        return np.ones(array.shape, dtype=array.dtype)
    if not isinstance(gradient, TensorBase):
        raise TypeError(f"gradients can be either Tensors or None, but got "
                        f"{type(gradient).__name__}")
    g = gradient._array
    if g.shape != array.shape:
        raise RuntimeError(errors.SHAPE_MISMATCH.format(
            index=index, got=repr(Size(g.shape)), expected=repr(Size(array.shape))))
    if g.dtype != array.dtype:
        g = g.astype(array.dtype)
    return g


def _reachable(roots: Sequence[Node | AccumulateGrad]) -> list[Node]:
    """Every op node reachable from ``roots``, newest first (a topological order)."""
    seen: set[Node] = set()
    add = seen.add
    stack = [r for r in roots if type(r) is not AccumulateGrad]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node in seen:
            continue
        add(node)
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen and type(nxt) is not AccumulateGrad:
                push(nxt)
    nodes = list(seen)
    nodes.sort(key=_seq_key, reverse=True)
    return nodes


_seq_key = operator.attrgetter("_seq")


class _Buffers:
    """Gradient buffers per node; arrays we allocated ourselves are summed into in place."""

    __slots__ = ("grads", "owned")

    def __init__(self) -> None:
        self.grads: dict[Any, np.ndarray] = {}
        self.owned: set[Any] = set()

    def add(self, node: Any, grad: np.ndarray) -> None:
        grads = self.grads
        old = grads.get(node)
        if old is None:
            grads[node] = grad
        elif node in self.owned and old.shape == grad.shape:
            old += grad
        else:
            total = old + grad
            grads[node] = total if type(total) is np.ndarray else np.asarray(total)
            self.owned.add(node)


def _flatten_gradients(gradients: Sequence[Any], n: int) -> Sequence[Any]:
    """``backward([1., 1.])``: torch reads a list as one gradient per output."""
    if n == 1 and len(gradients) == 1 and isinstance(gradients[0], list | tuple):
        inner = gradients[0]
        return [inner[0] if inner else None]
    return gradients


def _run_hooks(hooks: list, grad: np.ndarray) -> np.ndarray:
    for hook in list(hooks):
        result = hook(new_leaf(grad))
        if result is not None:
            grad = result._array
    return grad


def _fresh(g: Any, incoming: Any) -> bool:
    """Whether a rule's result is a new array of our own (not a view, not passed through)."""
    return (type(g) is np.ndarray and g is not incoming and g.base is None
            and g.flags.writeable)


def nodes_leading_to(roots: Sequence[Any], targets: set[int]) -> set[int]:
    """The ids of the nodes from which a target node (by id) is reachable through
    ``next_functions``: the only nodes ``torch.autograd.grad(outputs, inputs)`` runs. It stops
    at the inputs (a non-leaf input's own, maybe freed, graph is never entered) and skips
    branches that lead to no input. Iterative: graphs may be 100,000 nodes deep."""
    leads: dict[int, bool] = {}
    stack: list[tuple[Any, bool]] = [(n, False) for n in roots]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            leads[key] = any(nxt is not None and (id(nxt) in targets or leads[id(nxt)])
                             for nxt, _ in node.next_functions)
        elif key not in leads:
            leads[key] = False  # a graph has no cycles: set for real once its inputs are done
            stack.append((node, True))
            stack.extend((nxt, False) for nxt, _ in node.next_functions
                         if nxt is not None and id(nxt) not in leads)
    return {key for key, needed in leads.items() if needed}


def execute(roots: Sequence[Tensor], gradients: Sequence[Any], *, retain_graph: bool,
            capture: Sequence[Tensor] | None = None) -> Any:
    """Run backward from ``roots``. Without ``capture`` gradients accumulate into leaves
    (``Tensor.backward``); with it, the gradients reaching those tensors are returned (numpy
    arrays) and no ``.grad`` is written (``torch.autograd.grad``). (``create_graph=True`` runs
    ``higher_order.execute`` instead, whose gradients are Tensors with graphs.)"""
    # torch computes inf/nan gradients silently; numpy would warn
    token = quiet.enter()
    try:
        return _execute(roots, gradients, retain_graph=retain_graph, capture=capture)
    finally:
        quiet.leave(token)


def _execute(roots: Sequence[Tensor], gradients: Sequence[Any], *, retain_graph: bool,
            capture: Sequence[Tensor] | None = None) -> list[np.ndarray | None] | None:
    # ``execute`` without the numpy-warning guard
    root_nodes = [_root_node(t, i) for i, t in enumerate(roots)]
    gradients = _flatten_gradients(gradients, len(roots))
    root_grads = [_root_grad(t, g, i) for i, (t, g) in enumerate(zip(roots, gradients,
                                                                      strict=True))]
    buffers = _Buffers()
    if len(root_nodes) == 1:
        buffers.grads[root_nodes[0]] = root_grads[0]
    else:
        for node, grad in zip(root_nodes, root_grads, strict=True):
            buffers.add(node, grad)
    if capture is not None:
        capture_list = [t.grad_fn if t.grad_fn is not None else t._accumulator()
                        for t in capture]
        capture_nodes = {id(n): n for n in capture_list}
    else:
        capture_list, capture_nodes = [], {}
    captured: dict[int, np.ndarray] = {}
    needed = nodes_leading_to(root_nodes, set(capture_nodes)) if capture is not None else None

    grads = buffers.grads
    owned = buffers.owned
    pop = grads.pop
    get = grads.get
    retained_only = capture is None
    # Nodes run newest first: a node's inputs are always older than it, so when the newest
    # waiting node runs, every gradient it will ever receive has arrived. A heap of waiting
    # nodes (a node waits once it received its first gradient) gives that order without a
    # separate graph walk. The loop is kept flat (no helper calls per edge) on purpose.
    heap = [(-n._seq, n) for n in grads if type(n) is not AccumulateGrad]
    heapq.heapify(heap)
    heappush, heappop = heapq.heappush, heapq.heappop
    while heap:
        node = heappop(heap)[1]
        grad = pop(node)
        if node._tensor_hooks is not None:
            grad = _run_hooks(node._tensor_hooks, grad)
        if capture_nodes and id(node) in capture_nodes:
            captured[id(node)] = grad
        if needed is not None and id(node) not in needed:
            continue  # autograd.grad: nothing beyond the inputs or off their paths runs
        if node._retained is not None and retained_only:
            kept = node._retained()
            if kept is not None:
                kept._accumulate_grad(grad, owned=False)
        op = node.op
        if node.saved_freed and not op.custom:  # a custom Function raises as it unpacks
            raise RuntimeError(errors.BACKWARD_TWICE)
        if node._versions is not None:
            node._check_versions()
        saved = node.saved
        variadic = op.variadic
        rules = op.formulas
        for i, (nxt, _) in enumerate(node.next_functions):
            if nxt is None:
                continue
            g = rules[0](grad, i, *saved) if variadic else rules[i](grad, *saved)
            if g is None:
                continue
            # sum back to the input's shape (broadcasting) and cast to its dtype
            if g.shape != nxt.output_shape:
                g = unbroadcast(g, nxt.output_shape)
            dt = g.dtype
            if dt is not nxt._dtype and dt != nxt._dtype:
                g = g.astype(nxt._dtype)
            # A gradient the rule just allocated (not a view, not the incoming gradient
            # passed through) is ours: later gradients are summed into it in place, and a
            # leaf can keep it as its .grad without a copy.
            # (Only worth checking for big arrays: tiny ones are cheaper to copy.)
            old = get(nxt)
            if old is None:
                grads[nxt] = g
                if g.size >= 4096 and _fresh(g, grad):
                    owned.add(nxt)
                if type(nxt) is not AccumulateGrad:
                    heappush(heap, (-nxt._seq, nxt))
            elif nxt in owned and old.shape == g.shape:
                old += g
            elif g.size >= 4096 and old.shape == g.shape and _fresh(g, grad):
                g += old
                grads[nxt] = g
                owned.add(nxt)
            else:
                total = old + g
                # 0-d sums come back as numpy scalars, which cannot be added to in place
                grads[nxt] = total if type(total) is np.ndarray else np.asarray(total)
                owned.add(nxt)
        if not retain_graph and op.saves_tensors:
            if op.plain_mask is None:  # nothing to keep: drop all saved values (inlined _free)
                node.saved = None
                node.saved_freed = True
            else:
                node._free()

    leaves = []
    for node, grad in grads.items():  # only AccumulateGrad sinks are left
        if capture_nodes and id(node) in capture_nodes:
            captured[id(node)] = grad
            leaves.append(weakref.ref(node.variable))
        elif capture is None:
            node.variable._accumulate_grad(grad, owned=node in owned)
            leaves.append(weakref.ref(node.variable))
    _last_leaves[:] = leaves
    if capture is None:
        return None
    return [captured.get(id(n)) for n in capture_list]
