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


def describe_node(snapshot: Snapshot, node: GraphNode) -> str:
    """What the Graph panel says about the node the learner moved to: what it is, its inputs
    by position, what it saved, and the gradient that reached it."""
    from gradtui.tui.graph_values import node_grads, node_values, unwrap, value_gaps

    names = [t.name for t in snapshot.listed() if t.node == node.id]
    head = node_label(node) + (f" {node.dtype}" if node.dtype else "") + \
        (f" ({', '.join(names)})" if names else "")
    nodes = list(snapshot.nodes.values())
    values = node_values(snapshot, nodes)
    value = values.get(node.id) or value_gaps(nodes, values).get(node.id, "")
    grad = node_grads(snapshot, [node]).get(node.id)
    facts = [f"data {value}", f"grad {grad if grad is not None else 'None'}"]
    lines = [f"{head}: " + "  ".join(facts)]
    if node.kind == "leaf":
        into = f"{node.variable}.grad" if node.variable else "its .grad"
        lines.append(f"a leaf: backward adds the gradient into {into} (AccumulateGrad)")
        return "\n".join(lines)
    inputs = []
    for position, target in enumerate(node.next, start=1):
        source = snapshot.nodes.get(target) if target is not None else None
        what = "a constant" if target is None else node_label(source) if source else "(cut)"
        inputs.append(f"{position} {what}")
    lines.append("inputs: " + ", ".join(inputs))
    if node.saved_freed:
        lines.append("saved: freed by a backward without retain_graph=True")
    elif node.saved:
        lines.append("saved: " + ", ".join(f"{s.name} = {unwrap(s.preview)}" for s in node.saved))
    return "\n".join(lines)
