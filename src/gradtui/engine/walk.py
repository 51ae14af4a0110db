"""The backward walk: the one loop behind ``backward()``, ``torch.autograd.grad``,
``create_graph=True`` and the step-by-step ``:step``.

The walk starts at the output's ``grad_fn`` with the gradient of the output (1 for a scalar) and
visits the graph's nodes **newest first**. Every node carries a creation number, and a node's
inputs are always created before it, so when the newest waiting node runs, every gradient it
will ever receive has arrived (a topological order without a separate graph search; it is also
torch's CPU order). At each node:

1. the gradient waiting for it is taken (the sum of what its users sent), and the hooks a
   learner registered on its output tensor (``register_hook``) may replace it;
2. the node's op row turns it into one gradient per input: the chain rule, ``grad * local
   derivative`` (``ops.py``);
3. each is summed back to its input's shape (broadcasting's adjoint) and cast to its dtype,
   in exactly one place, and added to what that input already waits with;
4. the saved values are freed (unless ``retain_graph``): a second backward then raises.

At the end every leaf's ``AccumulateGrad`` adds its gradient into ``.grad`` (its hooks first).

The same walk runs in three ways:

- **arrays** (``backward()``, ``autograd.grad``): numpy in, numpy out, the fast path;
- **differentiable** (``create_graph=True``): the gradients are Tensors with graphs of their
  own, computed by ``higher_order``'s rules (handed in as ``differentiable``);
- **dry run** (``:step``): arrays, and every node is recorded as a :class:`Visit` (what came in,
  what went to each input); nothing is written (no ``.grad``, no ``retain_grad``) and nothing
  is freed, so what ``:step`` shows is what ``backward()`` then does. Hooks run in all three
  (a dry run keeps the gradient as it was before a tensor's hooks too, so ``:step`` can show
  what a learner's ``register_hook`` changed).
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from gradtui.engine import autograd, errors, flow, quiet
from gradtui.engine.autograd import AccumulateGrad, Node, unbroadcast
from gradtui.engine.size import Size
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor


class Differentiable(Protocol):
    """The arithmetic of ``create_graph=True`` (``higher_order.GRADIENTS``): Tensor gradients
    computed with Tensor ops, so they have graphs."""

    def grad_mode(self) -> AbstractContextManager[Any]: ...
    def root_grad(self, t: Tensor, gradient: Any, index: int) -> Tensor: ...
    def add(self, old: Tensor, new: Tensor) -> Tensor: ...
    def run_hooks(self, hooks: list, grad: Tensor) -> Tensor: ...
    def retain(self, t: Tensor, grad: Tensor) -> None: ...
    def node_gradients(self, node: Node, grad: Tensor) -> list[Tensor | None]: ...
    def deliver(self, g: Tensor, to: Node | AccumulateGrad) -> Tensor: ...
    def deliver_as(self, g: Tensor, shape: tuple, dtype: np.dtype) -> Tensor: ...
    def constant(self, array: np.ndarray) -> Tensor: ...
    def accumulate(self, leaf: Tensor, grad: Tensor) -> None: ...


@dataclass(slots=True)
class Visit:
    """One node of a dry run: the gradient that reached it, and what it sent to each input
    (per ``next_functions`` entry, summed to the input's shape and dtype; None for none)."""

    node: Node
    grad_in: np.ndarray  # after the hooks on the node's output tensor
    grads_out: list[np.ndarray | None]
    # the gradient as it arrived, before the learner's register_hook hooks on the node's
    # output tensor ran (None when it has none)
    before_hooks: np.ndarray | None = None

    @property
    def hooks(self) -> int:
        """How many register_hook hooks the node's output tensor has."""
        return len(self.node._tensor_hooks or ())


@dataclass(slots=True)
class LeafVisit:
    """A leaf at the end of a dry run: AccumulateGrad would make its ``.grad``
    ``before + grad`` (just ``grad`` when ``before`` is None)."""

    leaf: Tensor
    grad: np.ndarray  # after the leaf's hooks
    before: np.ndarray | None  # a copy of ``.grad`` as it is now
    before_hooks: np.ndarray | None = None  # the gradient before the leaf's hooks ran
    hooks: int = 0

    @property
    def after(self) -> np.ndarray:
        return self.grad if self.before is None else self.before + self.grad


def execute(roots: Sequence[Tensor], gradients: Sequence[Any], *, retain_graph: bool,
            capture: Sequence[Tensor] | None = None,
            differentiable: Differentiable | None = None) -> list[Any] | None:
    """Run backward from ``roots``. Without ``capture`` gradients accumulate into leaves
    (``Tensor.backward``); with it, the gradients reaching those tensors are returned and no
    ``.grad`` is written (``torch.autograd.grad``). With ``differentiable`` (create_graph)
    the gradients are Tensors with graphs of their own; otherwise numpy arrays."""
    token = quiet.enter()  # torch computes inf/nan gradients silently; numpy would warn
    try:
        if differentiable is not None:
            with differentiable.grad_mode():
                walk = Walk(roots, gradients, retain_graph=retain_graph, capture=capture,
                            differentiable=differentiable)
                walk.run()
                flow.forget()  # its gradients are graphs: flow records array passes only
                return walk.finish()
        walk = Walk(roots, gradients, retain_graph=retain_graph, capture=capture)
        walk.run()
        return walk.finish()
    finally:
        quiet.leave(token)


def dry_run(t: Tensor, gradient: Tensor | None = None) -> tuple[list[Visit], list[LeafVisit]]:
    """What ``t.backward(gradient)`` would do, node by node and leaf by leaf, changing nothing;
    raises what it would raise (non-scalar output, no grad_fn, freed buffers, in-place)."""
    token = quiet.enter()
    try:
        walk = Walk((t,), (gradient,), retain_graph=True, dry_run=True)
        walk.run()
        return walk.visits, walk.leaf_visits()
    finally:
        quiet.leave(token)


class Walk:
    """One backward pass: the gradients waiting at each node, and the walk over them."""

    __slots__ = ("retain_graph", "dry_run", "visits", "tensors", "capture", "grads", "owned",
                 "capture_list", "capture_nodes", "needed", "captured", "reached", "arrived")

    def __init__(self, roots: Sequence[Tensor], gradients: Sequence[Any], *,
                 retain_graph: bool, capture: Sequence[Tensor] | None = None,
                 differentiable: Differentiable | None = None, dry_run: bool = False,
                 record: bool | None = None) -> None:
        self.retain_graph = retain_graph or dry_run
        self.dry_run = dry_run
        # the nodes as they are done, when recording (a dry run records)
        self.visits: list[Visit] | None = [] if (dry_run if record is None else record) else None
        self.tensors = differentiable
        self.capture = capture
        root_nodes = [root_node(t, i) for i, t in enumerate(roots)]
        gradients = flatten_gradients(gradients, len(roots))
        # node -> the gradient waiting for it; once the walk is over only leaves' sinks remain
        self.grads: dict[Any, Any] = {}
        self.owned: set[Any] = set()  # buffers we allocated: later gradients add in place
        if len(roots) == 1 and differentiable is None and not roots[0]._output_nr:
            self.grads[root_nodes[0]] = root_grad(roots[0], gradients[0], 0)  # the common case
        else:
            for i, (node, t, g) in enumerate(zip(root_nodes, roots, gradients, strict=True)):
                grad = (differentiable.root_grad(t, g, i) if differentiable is not None
                        else root_grad(t, g, i))
                if t._output_nr and t.grad_fn is node:  # a custom Function's later output
                    self._to_output(node, t._output_nr, grad, [])
                else:
                    self._seed(node, grad)
        if capture is not None:
            self.capture_list = [t.grad_fn if t.grad_fn is not None else t._accumulator()
                                 for t in capture]
            self.capture_nodes = {id(n): n for n in self.capture_list}
            # autograd.grad runs only the nodes that lead to its inputs
            self.needed: set[int] | None = nodes_leading_to(root_nodes, set(self.capture_nodes))
        else:
            self.capture_list, self.capture_nodes, self.needed = [], {}, None
        self.captured: dict[int, Any] = {}
        # a recording walk: the gradient that reached a node before its tensor's hooks ran
        self.arrived: dict[Node, np.ndarray] = {}
        # what reached each node, for tools that show it (engine/flow.py; off by default)
        self.reached = flow.Reached() if flow.limit() and not dry_run and \
            differentiable is None else None

    def _seed(self, node: Any, grad: Any) -> None:
        grads = self.grads
        old = grads.get(node)
        if old is None:
            grads[node] = grad
        elif self.tensors is not None:
            grads[node] = self.tensors.add(old, grad)
        else:
            total = old + grad
            grads[node] = total if type(total) is np.ndarray else np.asarray(total)
            self.owned.add(node)

    def run(self) -> None:
        """Run the walk (recording each node as it is done, when recording). The loop is kept
        flat on purpose (no helper call per edge on the arrays path): the hottest loop."""
        grads, owned, pop, get = self.grads, self.owned, self.grads.pop, self.grads.get
        tensors, visits = self.tensors, self.visits
        # autograd.grad's inputs and the flow record look at every node: one test when neither
        watching = self.needed is not None or bool(self.capture_nodes) or self.reached is not None
        write_retained, free = self.capture is None and not self.dry_run, not self.retain_graph
        heap = [(-n._seq, n) for n in grads if type(n) is not AccumulateGrad]
        heapq.heapify(heap)
        heappush, heappop, heapreplace = heapq.heappush, heapq.heappop, heapq.heapreplace
        # The newest waiting node runs next. When a node hands on to one new node while no
        # other waits (a chain, the common case), that node is kept in ``ready`` instead of
        # taking a trip through the heap; the heap's own top still wins when it is newer.
        ready: Any = None
        while heap or ready is not None:
            if ready is None:
                node = heappop(heap)[1]
            elif heap and heap[0][0] < -ready._seq:
                node = heapreplace(heap, (-ready._seq, ready))[1]
            else:
                node = ready
            ready = None
            grad = pop(node)
            if node._tensor_hooks:
                grad = self._run_tensor_hooks(node, grad)
            if watching and self._watch(node, grad):
                continue  # autograd.grad: nothing beyond the inputs or off their paths runs
            if node._retained is not None and write_retained:
                self._retain(node, grad)
            op = node.op
            if node.saved_freed and not op.custom:  # a custom Function raises as it unpacks
                raise RuntimeError(errors.BACKWARD_TWICE)
            if node._versions is not None:
                node._check_versions()
            if tensors is not None:
                self._hand_on_tensors(node, grad, heap)
                sent = None
            else:
                sent = [None] * len(node.next_functions) if visits is not None else None
                saved, variadic, rules = node.saved, op.variadic, op.formulas
                for i, (nxt, nr) in enumerate(node.next_functions):
                    if nxt is None:
                        continue
                    g = rules[0](grad, i, *saved) if variadic else rules[i](grad, *saved)
                    if g is None:
                        continue
                    if nr:  # an output of a custom Function but its first differentiable one
                        self._to_output(nxt, nr, g, heap, sent, i)
                        continue
                    # sum back to the input's shape (broadcasting) and cast to its dtype
                    if g.shape != nxt.output_shape:
                        g = unbroadcast(g, nxt.output_shape)
                    dt = g.dtype
                    if dt is not nxt._dtype and dt != nxt._dtype:
                        g = g.astype(nxt._dtype)
                    if sent is not None:
                        sent[i] = np.array(g)  # a copy: buffers below may be added into
                    # a fresh gradient is ours to sum into in place / keep as .grad (_fresh)
                    old = get(nxt)
                    if old is None:
                        grads[nxt] = g
                        if g.size >= 4096 and _fresh(g, grad):
                            owned.add(nxt)
                        if type(nxt) is not AccumulateGrad:  # it now waits for its turn
                            if ready is None and not heap:
                                ready = nxt
                            else:
                                heappush(heap, (-nxt._seq, nxt))
                    else:  # nxt has a gradient already (it has several users): the sum
                        self._sum_into(nxt, old, g, grad)
            if free and op.saves_tensors:
                if op.plain_mask is None:  # nothing to keep: drop all saved values (_free inlined)
                    node.saved = None
                    node.saved_freed = True
                else:
                    node._free()
            if sent is not None:
                visits.append(Visit(node, np.array(grad), sent,  # type: ignore[union-attr]
                                    self.arrived.pop(node, None)))

    def _sum_into(self, node: Any, old: np.ndarray, g: np.ndarray, incoming: Any) -> None:
        """Add ``g`` to the gradient already waiting at ``node``: in place into a buffer that
        is ours, else into a new one (which then is ours)."""
        grads, owned = self.grads, self.owned
        if node in owned and old.shape == g.shape:
            old += g
        elif g.size >= 4096 and old.shape == g.shape and _fresh(g, incoming):
            g += old
            grads[node] = g
            owned.add(node)
        else:
            total = old + g
            # 0-d sums come back as numpy scalars, which cannot be added in place
            grads[node] = total if type(total) is np.ndarray else np.asarray(total)
            owned.add(node)

    def _watch(self, node: Node, grad: Any) -> bool:
        """The gradient reaching ``node`` seen by autograd.grad (its inputs' gradients) and the
        flow record; True when the node is off every path to autograd.grad's inputs (it does
        not run)."""
        if self.capture_nodes and id(node) in self.capture_nodes:
            self.captured[id(node)] = grad
        if self.reached is not None:
            self.reached[node._seq] = grad
        return self.needed is not None and id(node) not in self.needed

    def _run_tensor_hooks(self, node: Node, grad: Any) -> Any:
        """The hooks on a node's output tensor; returns the gradient they leave. A recording
        walk keeps what arrived before them (``arrived``), so ``:step`` can show what they
        changed."""
        if self.visits is not None:
            self.arrived[node] = np.array(grad)
        if self.tensors is not None:
            return self.tensors.run_hooks(node._tensor_hooks, grad)
        return run_hooks(node._tensor_hooks, grad)

    def _hand_on_tensors(self, node: Node, grad: Tensor, heap: list) -> None:
        """The differentiable twin of the arrays loop's edge step (create_graph)."""
        tensors = self.tensors
        assert tensors is not None
        grads = self.grads
        outputs = tensors.node_gradients(node, grad)
        for (nxt, nr), g in zip(node.next_functions, outputs, strict=True):
            if g is None:
                continue
            if nr:  # an output of a custom Function but its first differentiable one
                self._to_output(nxt, nr, g, heap)
                continue
            g = tensors.deliver(g, nxt)
            old = grads.get(nxt)
            if old is None:
                grads[nxt] = g
                if type(nxt) is not AccumulateGrad:
                    heapq.heappush(heap, (-nxt._seq, nxt))
            else:
                grads[nxt] = tensors.add(old, g)

    def _to_output(self, node: Any, nr: int, g: Any, heap: list, sent: list | None = None,
                   i: int = 0) -> Any:
        """Hand ``g`` to output ``nr`` of a custom Function's node: summed to that output's
        shape and dtype, into the node's buffer when it is the buffered output, else into
        ``node._output_grads`` (its backward reads them), the buffer then starting at zeros so
        the node runs. Returns the gradient as delivered."""
        buffered = nr == node._output_index
        shape, dtype = (node.output_shape, node._dtype) if buffered else node._outputs[nr]
        grads, tensors = self.grads, self.tensors
        if tensors is not None:
            g = tensors.deliver_as(g, shape, dtype)
        else:
            if g.shape != shape:
                g = unbroadcast(g, shape)
            if g.dtype != dtype:
                g = g.astype(dtype)
        if sent is not None:  # the step-by-step backward's record of what was sent
            sent[i] = np.array(g)
        if buffered:
            old = grads.get(node)
            if old is None:
                heapq.heappush(heap, (-node._seq, node))
                grads[node] = g
            else:
                self._seed(node, g)
            return g
        store = node._output_grads
        old = store.get(nr)
        store[nr] = g if old is None else (tensors.add(old, g) if tensors is not None
                                           else np.asarray(old + g))
        if node not in grads:
            heapq.heappush(heap, (-node._seq, node))
            zeros = np.zeros(node.output_shape, dtype=node._dtype)
            grads[node] = tensors.constant(zeros) if tensors is not None else zeros
            self.owned.add(node)
            node._zero_buffer = True  # no gradient may reach the first output: None then
        return g

    def _retain(self, node: Node, grad: Any) -> None:
        kept = node._retained()  # type: ignore[misc]
        if kept is None:
            return
        if self.tensors is not None:
            self.tensors.retain(kept, grad)
        else:
            kept._accumulate_grad(grad, owned=False)

    def finish(self) -> list[Any] | None:
        """After the walk: leaves' AccumulateGrad (or, for autograd.grad, the captured
        gradients, one per input, None for an input no gradient reached)."""
        leaves = []
        capture_nodes, captured = self.capture_nodes, self.captured
        for node, grad in self.grads.items():  # only AccumulateGrad sinks are left
            if capture_nodes and id(node) in capture_nodes:
                captured[id(node)] = grad
                leaves.append(weakref.ref(node.variable))
            elif self.capture is None:
                if self.tensors is not None:
                    self.tensors.accumulate(node.variable, grad)
                else:
                    node.variable._accumulate_grad(grad, owned=node in self.owned)
                leaves.append(weakref.ref(node.variable))
        autograd.set_last_backward_leaves(leaves)
        if self.reached is not None:
            flow.finished(self.reached)
        if self.capture is None:
            return None
        return [captured.get(id(n)) for n in self.capture_list]

    def leaf_visits(self) -> list[LeafVisit]:
        """A dry run's end: what each leaf's AccumulateGrad would add (its hooks run)."""
        out = []
        for node, grad in self.grads.items():
            leaf = node.variable
            arrived = None
            if leaf._hooks:
                arrived = np.array(grad, dtype=leaf._array.dtype)
                grad = run_hooks(leaf._hooks, grad)
            before = None if leaf._grad is None else np.array(leaf._grad._array)
            out.append(LeafVisit(leaf, np.array(grad, dtype=leaf._array.dtype), before,
                                 arrived, len(leaf._hooks or ())))
        return out


# ---------------------------------------------------------------- the walk's helpers
def root_node(t: Tensor, index: int) -> Node | AccumulateGrad:
    """Where the walk starts for output ``t``: its grad_fn (a leaf: its AccumulateGrad)."""
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


def root_grad(t: Tensor, gradient: Any, index: int) -> np.ndarray:
    """The gradient the walk starts with for output ``t``: 1 for a one-element output, else
    the one given (torch's errors for a missing one, a wrong shape or a non-Tensor)."""
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


def flatten_gradients(gradients: Sequence[Any], n: int) -> Sequence[Any]:
    """``backward([1., 1.])``: torch reads a list as one gradient per output."""
    if n == 1 and len(gradients) == 1 and isinstance(gradients[0], list | tuple):
        inner = gradients[0]
        return [inner[0] if inner else None]
    return gradients


def run_hooks(hooks: list, grad: np.ndarray) -> np.ndarray:
    """A tensor's ``register_hook`` hooks, in order; one that returns a tensor replaces the
    gradient."""
    for hook in list(hooks):
        result = hook(new_leaf(grad))
        if result is not None:
            grad = result._array
    return grad


def _fresh(g: Any, incoming: Any) -> bool:
    """Whether a rule's result is a new array of our own (not a view, not the incoming gradient
    passed through): later gradients are summed into it in place, and a leaf keeps it as its
    .grad without a copy (worth it for big arrays only)."""
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
