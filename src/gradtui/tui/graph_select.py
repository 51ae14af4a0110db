"""Which part of a snapshot's graph to draw: the nodes reachable from a tensor's grad_fn."""

from __future__ import annotations

from gradtui.kernel.protocol import GraphNode, Snapshot, TensorInfo


def default_root(snapshot: Snapshot) -> TensorInfo | None:
    """The tensor to show when the learner selected none: the last echoed one, else the last
    tensor in the namespace that has a graph (a grad_fn or a leaf requiring grad)."""
    if snapshot.last_value:
        t = snapshot.tensor(snapshot.last_value)
        if t is not None and t.node is not None:
            return t
    with_graph = [t for t in snapshot.tensors if t.grad_fn is not None]
    if with_graph:
        return with_graph[-1]
    leaves = [t for t in snapshot.tensors if t.node is not None]
    return leaves[-1] if leaves else None


def reachable(snapshot: Snapshot, root: str) -> list[GraphNode]:
    """Nodes reachable from node ``root`` along ``next`` edges, each once, root first.

    Iterative (a 100,000-op chain must not hit the recursion limit); edges to nodes the
    snapshot cut off are ignored.
    """
    seen: set[str] = set()
    order: list[GraphNode] = []
    stack = [root]
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in snapshot.nodes:
            continue
        seen.add(node_id)
        node = snapshot.nodes[node_id]
        order.append(node)
        stack.extend(n for n in reversed(node.next) if n is not None and n not in seen)
    return order


def node_label(node: GraphNode) -> str:
    """``MulBackward0 [2]`` for an op, ``x [2]`` for a leaf (its variable name; ``leaf`` when
    no name of the learner's holds it, e.g. ``torch.ones(2, requires_grad=True)`` echoed)."""
    shape = "[" + ", ".join(str(d) for d in node.shape) + "]"
    if node.kind == "leaf":
        return f"{node.variable or 'leaf'} {shape}"
    return f"{node.name} {shape}"
