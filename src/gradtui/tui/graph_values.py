"""The value and the gradient a graph node shows when the Graph panel shows them (micrograd's
``draw_dot`` style): plain data in, text out (no Textual).

A node's value is the tensor it produced. torch keeps no link from a node to that tensor, so
the value is known when a name holds it (a leaf, ``y``), when the node saved its own result
(``exp``, ``sigmoid``), or when the node that consumed it saved it as an input (``mul`` saves
``self`` and ``other``). A node's gradient is the one that reached it in the latest backward
(``GraphNode.grad``); a leaf's is its ``.grad``.

Where the value is not known, the learner is told why (``value_gaps``): a backward without
``retain_graph=True`` freed the saved tensor that held it (``GraphNode.freed``), or nothing ever
kept it (an unnamed intermediate that no node saved).
"""

from __future__ import annotations

from gradtui.kernel.protocol import GraphNode, Snapshot

# Saved names that hold one of the node's inputs, and the input's position.
INPUT_SAVES = {"self": 0, "other": 1, "mat2": 1, "vec": 1, "tensor": 1}
# Why a box shows no value: the two cases a learner must tell apart.
FREED = "freed by backward"
NOT_KEPT = "not kept"
GAP_NOTES = {  # each fits one line of the panel at 80 columns, and at 120 (70 wide)
    FREED: "freed: backward() frees them; backward(retain_graph=True) keeps them",
    NOT_KEPT: "not kept: nothing holds this value; name it to see it (h = x + 1)",
}


def node_values(snapshot: Snapshot, nodes: list[GraphNode]) -> dict[str, str]:
    """Node id -> a preview of the tensor it produced, for the nodes whose value is known."""
    values: dict[str, str] = {}
    for tensor in snapshot.tensors:
        if tensor.node is not None and tensor.node not in values:
            values[tensor.node] = tensor.value_preview
    for node in nodes:
        for saved in node.saved:
            if saved.shape is None:
                continue  # a Python number (an exponent, alpha), not a tensor
            if saved.name == "result":
                target: str | None = node.id
            elif saved.name in INPUT_SAVES and INPUT_SAVES[saved.name] < len(node.next):
                target = node.next[INPUT_SAVES[saved.name]]
            else:
                continue
            known = snapshot.nodes.get(target) if target is not None else None
            if known is not None and target not in values and known.shape == saved.shape:
                values[known.id] = unwrap(saved.preview)
    return values


def value_gaps(nodes: list[GraphNode], values: dict[str, str]) -> dict[str, str]:
    """Node id -> why its value is not in ``values`` (``node_values``): ``FREED`` when a
    backward freed the saved tensor that held it (the node's own saved result, or its
    consumer's saved input), else ``NOT_KEPT``."""
    freed: set[str] = set()
    for node in nodes:
        for name in node.freed:
            if name == "result":
                freed.add(node.id)
            elif name in INPUT_SAVES and INPUT_SAVES[name] < len(node.next):
                target = node.next[INPUT_SAVES[name]]
                if target is not None:
                    freed.add(target)
    return {node.id: FREED if node.id in freed else NOT_KEPT
            for node in nodes if node.id not in values}


def gaps_note(gaps: dict[str, str]) -> str:
    """What the Graph panel says under the drawing about the values it cannot show."""
    return "\n".join(GAP_NOTES[kind] for kind in (FREED, NOT_KEPT) if kind in gaps.values())


def node_grads(snapshot: Snapshot, nodes: list[GraphNode]) -> dict[str, str | None]:
    """Node id -> the gradient it holds: an op's from the latest backward, a leaf's ``.grad``
    (None: no backward reached it yet)."""
    leaf_grads = {t.node: t.grad_preview for t in snapshot.tensors
                  if t.is_leaf and t.node is not None}
    return {node.id: leaf_grads.get(node.id) if node.kind == "leaf" else node.grad
            for node in nodes}


def unwrap(preview: str) -> str:
    """``tensor([2., 2.])`` -> ``[2., 2.]``: one way of writing values across the panels."""
    if preview.startswith("tensor("):
        inner = preview[len("tensor("):]
        return inner[:-1] if inner.endswith(")") else inner
    return preview
