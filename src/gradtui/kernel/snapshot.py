"""The learner's tensors and their autograd graph, as plain capped data (``protocol.Snapshot``).

Only the private fields named in ``docs/contracts.md`` are read (``_array``, ``_grad``,
``_version``, ``next_functions``, ``saved_values()`` ...): never ``.grad`` of a non-leaf (it warns)
and never a learner property. The graph walk is iterative, so a 100,000-node chain cannot hit the
recursion limit, and every part is capped; ``Snapshot.truncated`` says what was cut.

Node ids (``"n0"``, ``"n1"`` ...) are given in a deterministic walk order (namespace order, then
breadth-first in ``next_functions`` order), so the same state always gets the same ids: a
backward trace taken later names the nodes exactly as the snapshot did. A leaf's node is its
``AccumulateGrad``; all of a leaf's ``AccumulateGrad`` objects share one id (keyed by the leaf).
A ``next`` entry may name a node that was cut by the node cap: front ends show "graph cut here".
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from gradtui.kernel.previews import preview_array, preview_value, small_values
from gradtui.kernel.protocol import (
    GraphNode,
    SavedValue,
    Snapshot,
    TensorInfo,
)

# 1,000 nodes: far more than a learner reads (past 300 the workspace draws a tree), and what a
# cell's round trip affords: each node costs ~6 us in protocol.to_dict plus the JSON both ways
# (~350 bytes a node); with dataclasses.asdict 2,000 nodes made every cell ~80 ms slower.
MAX_NODES = 1000
MAX_TENSORS = 500
MAX_CONTAINER_ITEMS = 100  # items looked at inside one list/tuple/dict


# -- finding tensors ------------------------------------------------------------------------

_tensor_type_cache: dict[type, bool] = {}


def is_tensor(value: Any) -> bool:
    """True for the engine's ``torch.Tensor`` and its subclasses (``nn.Parameter``)."""
    cls = type(value)
    known = _tensor_type_cache.get(cls)
    if known is None:
        known = any(
            getattr(k, "__module__", None) == "torch" and k.__qualname__ == "Tensor"
            for k in cls.__mro__
        )
        _tensor_type_cache[cls] = known
    return known


_module_type_cache: dict[type, bool] = {}


def is_module(value: Any) -> bool:
    """True for the engine's ``torch.nn.Module`` and its subclasses (the learner's models)."""
    cls = type(value)
    known = _module_type_cache.get(cls)
    if known is None:
        known = any(
            getattr(k, "__module__", None) == "torch.nn.modules.module"
            and k.__qualname__ == "Module"
            for k in cls.__mro__
        )
        _module_type_cache[cls] = known
    return known


def module_parameters(name: str, module: Any) -> Iterator[tuple[str, Any]]:
    """``("model.0.weight", param)`` for a module's parameters, in torch's ``named_parameters``
    order (each once), at most ``MAX_CONTAINER_ITEMS``. Only the ``_parameters``/``_modules``
    dicts are read, never a learner method or property (a model may override them)."""
    seen: set[int] = set()
    count = 0
    stack = [(name, module)]
    while stack:
        prefix, mod = stack.pop()
        if id(mod) in seen:
            continue
        seen.add(id(mod))
        state = object.__getattribute__(mod, "__dict__")
        params, children = state.get("_parameters"), state.get("_modules")
        if type(params) is dict:
            for key, param in params.items():
                if param is None or id(param) in seen or not is_tensor(param):
                    continue
                seen.add(id(param))
                yield f"{prefix}.{key}", param
                count += 1
                if count >= MAX_CONTAINER_ITEMS:
                    return
        if type(children) is dict:
            # pushed in reverse: popped in registration order, depth first like torch
            stack.extend((f"{prefix}.{key}", child) for key, child in reversed(children.items())
                         if child is not None and is_module(child))


def _skipped(name: str, value: Any) -> bool:
    if name.startswith("_") and name != "_":
        return True
    return isinstance(value, ModuleType | type)


def namespace_tensors(namespace: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(name, tensor)`` for top-level tensors, those one level inside list/tuple/dict, and
    the parameters of ``nn.Module`` objects under dotted names (``model.fc1.weight``)."""
    for name, value in list(namespace.items()):
        if not isinstance(name, str) or _skipped(name, value):
            continue
        if is_tensor(value):
            yield name, value
        elif is_module(value):
            if name != "_":  # the echoed model is already listed under its own name
                yield from module_parameters(name, value)
        elif type(value) in (list, tuple):
            for i, item in enumerate(value[:MAX_CONTAINER_ITEMS]):
                if is_tensor(item):
                    yield f"{name}[{i}]", item
        elif type(value) is dict:
            for count, (key, item) in enumerate(value.items()):
                if count >= MAX_CONTAINER_ITEMS:
                    break
                if isinstance(key, str | int) and is_tensor(item):
                    yield f"{name}[{key!r}]", item


# -- the graph ------------------------------------------------------------------------------


_accumulate_type_cache: dict[type, bool] = {}


def _is_accumulate(node: Any) -> bool:
    """True for a leaf's ``AccumulateGrad``. Decided once per class: ``hasattr`` on an engine
    ``Node`` goes through its ``__getattr__`` and raises, which cost more than the rest of a
    node's snapshot (this is called for every node and every edge)."""
    cls = type(node)
    known = _accumulate_type_cache.get(cls)
    if known is None:
        known = hasattr(node, "variable") and not node.next_functions
        _accumulate_type_cache[cls] = known
    return known


class GraphIndex:
    """Ids for graph objects, and the capped walk that gives them."""

    def __init__(self, max_nodes: int = MAX_NODES) -> None:
        self.max_nodes = max_nodes
        self.ids: dict[int, str] = {}  # key (id of node, or of a leaf tensor) -> node id
        self.objects: dict[str, Any] = {}  # node id -> Node or AccumulateGrad (kept alive)
        self.leaves: dict[str, Any] = {}  # node id -> the leaf tensor
        self.order: list[str] = []
        self.cut = 0  # nodes seen but not included

    @staticmethod
    def key(node: Any) -> int:
        return id(node.variable) if _is_accumulate(node) else id(node)

    def id_for(self, node: Any) -> str:
        """The id of ``node``, allocated on first sight (cut nodes get ids too)."""
        key = self.key(node)
        node_id = self.ids.get(key)
        if node_id is None:
            node_id = f"n{len(self.ids)}"
            self.ids[key] = node_id
        return node_id

    def leaf_id(self, tensor: Any) -> str:
        node_id = self.ids.get(id(tensor))
        if node_id is None:
            node_id = f"n{len(self.ids)}"
            self.ids[id(tensor)] = node_id
        if node_id not in self.leaves and len(self.order) < self.max_nodes:
            self.leaves[node_id] = tensor
            self.objects[node_id] = None
            self.order.append(node_id)
        return node_id

    def walk(self, root: Any) -> None:
        """Breadth-first from ``root`` in ``next_functions`` order, up to the node cap."""
        queue = deque([root])
        while queue:
            node = queue.popleft()
            node_id = self.id_for(node)
            if node_id in self.objects:
                continue
            if len(self.order) >= self.max_nodes:
                self.cut += 1
                continue
            if _is_accumulate(node):
                self.leaves[node_id] = node.variable
                self.objects[node_id] = node
                self.order.append(node_id)
                continue
            self.objects[node_id] = node
            self.order.append(node_id)
            for child, _index in node.next_functions:
                if child is not None:
                    self.id_for(child)
                    queue.append(child)


def _saved(saved: dict[str, Any], previews: dict[int, str]) -> list[SavedValue]:
    """A node's ``saved_values()`` as data; ``previews`` caches array previews by ``id`` for
    one snapshot (a weight saved by many nodes, or ``x`` in ``x * x``, is formatted once)."""
    out = []
    for name, value in saved.items():
        if isinstance(value, np.ndarray):
            preview = previews.get(id(value))
            if preview is None:
                preview = previews[id(value)] = preview_value(value)
            out.append(SavedValue(name=name, preview=preview, shape=list(value.shape)))
        else:
            out.append(SavedValue(name=name, preview=preview_value(value), shape=None))
    return out


# Previews of the latest backward pass's gradients by id(array), and which pass they are of.
_flow_previews: dict[int, str] = {}
_flow_pass = [-1]


def _flow_preview(node: Any) -> tuple[str | None, str | None]:
    """The preview of the gradient that reached ``node`` in the latest backward (see
    ``engine/flow.py``) and its dtype, which is that of the node's output. A pass's gradients
    are formatted once, not at every snapshot until the next backward; the cache is emptied
    when a new pass replaces them (while flow keeps the arrays, their ids cannot be reused)."""
    from gradtui.engine import flow

    if flow.pass_number() != _flow_pass[0]:
        _flow_previews.clear()
        _flow_pass[0] = flow.pass_number()
    grad = flow.gradient_through(node)
    if grad is None:
        return None, None
    grad = np.asarray(grad)
    text = _flow_previews.get(id(grad))
    if text is None:
        text = _flow_previews[id(grad)] = preview_array(grad)
    return text, _dtype_name(grad)


def _dtype_name(array: np.ndarray) -> str | None:
    """torch's name of an array's dtype (``float32``), or None for one torch has not."""
    from gradtui.engine import dtypes

    found = dtypes.BY_NUMPY.get(array.dtype)
    return found.name if found is not None else None


# op row (by id, the row kept alive with it) -> the names its freed nodes lost: which saved
# values are tensors is the row's, so each row is asked once (an exception per name per node
# made a 1,000-node snapshot after a backward 1.6x slower).
_freed_by_op: dict[int, tuple[Any, list[str]]] = {}


def _freed_names(node: Any) -> list[str]:
    """The saved tensors a backward without ``retain_graph`` freed, by their names: torch's
    ``grad_fn._saved_<name>`` raises for exactly those (saved numbers survive)."""
    if not node.saved_freed:
        return []
    op = getattr(node, "op", None)
    known = _freed_by_op.get(id(op))
    if known is not None and known[0] is op:
        return list(known[1])
    freed = []
    for name in getattr(op, "saved", None) or ():
        try:
            getattr(node, f"_saved_{name}")
        except RuntimeError:
            freed.append(name)
        except Exception:  # a custom Function's ctx has no _saved_ names: nothing to say
            continue
    _freed_by_op[id(op)] = (op, freed)
    return list(freed)


def _graph_node(
    index: GraphIndex, node_id: str, names: dict[int, str], got: set[int],
    previews: dict[int, str],
) -> GraphNode:
    leaf = index.leaves.get(node_id)
    if leaf is not None:
        return GraphNode(
            id=node_id,
            name="AccumulateGrad",
            kind="leaf",
            shape=list(leaf.shape),
            dtype=_dtype_name(leaf._array),
            variable=names.get(id(leaf)),
            got_grad=id(leaf) in got,
        )
    node = index.objects[node_id]
    saved = node.saved_values()
    grad, dtype = _flow_preview(node)
    if dtype is None and isinstance(saved.get("result"), np.ndarray):
        dtype = _dtype_name(saved["result"])
    return GraphNode(
        id=node_id,
        name=node.name(),
        kind="op",
        shape=list(node.output_shape),
        next=[None if child is None else index.id_for(child) for child, _ in node.next_functions],
        saved=_saved(saved, previews),
        saved_freed=bool(node.saved_freed),
        rules=list(node.rules()),
        grad=grad,
        freed=_freed_names(node),
        dtype=dtype,
    )


# -- tensors --------------------------------------------------------------------------------


def is_echo_name(name: str) -> bool:
    """``_`` or an item of it (``_[0]``, ``_['w']``): where the REPL keeps the last echo."""
    return name == "_" or name.startswith("_[")


def shown_names(found: list[tuple[str, Any]], *, repl_echo: bool) -> dict[int, str]:
    """The name each found tensor (by ``id``) is shown by, e.g. on its leaf's box: its first
    name in the namespace, but never the REPL's ``_`` (with ``repl_echo``), which the echo of
    ``x`` makes a second name of ``x`` and which names nothing of the learner's."""
    names: dict[int, str] = {}
    for name, t in found:
        if not (repl_echo and is_echo_name(name)):
            names.setdefault(id(t), name)
    return names


def _tensor_info(name: str, t: Any, node_id: str | None, echo: bool = False) -> TensorInfo:
    arr: np.ndarray = t._array
    grad = t._grad
    grad_arr: np.ndarray | None = None if grad is None else grad._array
    grad_fn = t.grad_fn
    return TensorInfo(
        name=name,
        shape=list(t.shape),
        dtype=str(t.dtype),
        requires_grad=bool(t.requires_grad),
        is_leaf=bool(t.is_leaf),
        grad_fn=None if grad_fn is None else grad_fn.name(),
        node=node_id,
        value_preview=preview_array(arr),
        grad_preview=None if grad_arr is None else preview_array(grad_arr),
        numel=int(arr.size),
        values=small_values(arr),
        grad_values=None if grad_arr is None else small_values(grad_arr),
        # an inference tensor (torch.inference_mode) has no version: its _version raises
        version=0 if getattr(t, "_inference", False) else int(t._version),
        echo=echo,
    )


def _last_backward_ids() -> set[int]:
    from gradtui.engine.autograd import last_backward_leaves

    return {id(t) for t in last_backward_leaves()}


def _index_graph(
    found: list[tuple[str, Any]], index: GraphIndex
) -> list[str | None]:
    """Walk the graph of every found tensor; returns each tensor's node id (or None)."""
    node_ids: list[str | None] = []
    for _name, t in found:
        grad_fn = t.grad_fn
        if grad_fn is not None:
            node_ids.append(index.id_for(grad_fn))
            index.walk(grad_fn)
        elif t.requires_grad:
            node_ids.append(index.leaf_id(t))
        else:
            node_ids.append(None)
    return node_ids


def collect(
    namespace: dict[str, Any], max_tensors: int = MAX_TENSORS, max_nodes: int = MAX_NODES
) -> tuple[list[tuple[str, Any]], GraphIndex, list[str | None], list[str]]:
    """The found tensors, the graph index, each tensor's node id, and notes on what was cut."""
    found: list[tuple[str, Any]] = []
    skipped = 0
    for name, t in namespace_tensors(namespace):
        if len(found) >= max_tensors:
            skipped += 1
            continue
        found.append((name, t))
    index = GraphIndex(max_nodes)
    node_ids = _index_graph(found, index)
    notes = []
    if skipped:
        notes.append(f"only the first {max_tensors} tensors are listed ({skipped} more)")
    if index.cut:
        notes.append(f"graph cut at {max_nodes} nodes")
    return found, index, node_ids, notes


def build_snapshot(
    namespace: dict[str, Any],
    *,
    last_value_name: str | None = None,
    repl_echo: bool = False,
    max_tensors: int = MAX_TENSORS,
    max_nodes: int = MAX_NODES,
) -> Snapshot:
    """Everything the panels show, as plain data. ``repl_echo``: ``_`` in ``namespace`` is the
    REPL's last echo, not a name the learner bound (its tensors are marked ``echo``)."""
    found, index, node_ids, notes = collect(namespace, max_tensors, max_nodes)
    names = shown_names(found, repl_echo=repl_echo)
    got = _last_backward_ids() if found else set()
    tensors = [
        _tensor_info(name, t, node_id, echo=repl_echo and is_echo_name(name))
        for (name, t), node_id in zip(found, node_ids, strict=True)
    ]
    # Only the nodes kept under the cap are described (cut ones were never formatted).
    previews: dict[int, str] = {}
    nodes = {node_id: _graph_node(index, node_id, names, got, previews)
             for node_id in index.order}
    last_backward = [n.id for n in nodes.values() if n.kind == "leaf" and n.got_grad]
    found_names = {name for name, _ in found}
    shown = last_value_name if last_value_name in found_names else None
    return Snapshot(
        tensors=tensors,
        nodes=nodes,
        last_backward=last_backward,
        truncated=notes,
        last_value=shown,
    )


# -- step-by-step backward ------------------------------------------------------------------


def resolve_name(namespace: dict[str, Any], text: str) -> Any:
    """The object for ``x``, ``params[0]`` or ``d['w']`` without running learner code."""
    try:
        expr = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise NameError(f"{text!r} is not a name") from None
    if isinstance(expr, ast.Name):
        if expr.id not in namespace:
            raise NameError(f"name {expr.id!r} is not defined")
        return namespace[expr.id]
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.value, ast.Name)
        and isinstance(expr.slice, ast.Constant)
    ):
        container = resolve_name(namespace, expr.value.id)
        if type(container) in (list, tuple, dict):
            try:
                return container[expr.slice.value]
            except (IndexError, KeyError, TypeError):
                raise NameError(f"{text!r} is not defined") from None
    raise NameError(f"{text!r} is not a name like x, params[0] or d['w']")


def _resolve_listed(namespace: dict[str, Any], text: str) -> Any:
    """A name as the tensors panel lists it, ``model.0.weight`` included (not valid Python)."""
    try:
        return resolve_name(namespace, text)
    except NameError:
        head = text.strip().split(".", 1)[0]
        if "." in text and is_module(namespace.get(head)):
            for listed, t in module_parameters(head, namespace[head]):
                if listed == text.strip():
                    return t
        raise
