"""Text views of a kernel ``Snapshot``: tensor and gradient tables, the graph as a tree, DOT.

Pure functions of ``gradtui.kernel.protocol.Snapshot`` (no UI imports), shared by the plain REPL
(``:tensors``, ``:graph``, ``:grads``, ``:dot``), the lessons and the workspace. The output is plain
text a screen reader can read line by line: columns separated by spaces, one node per line.
``ascii=True`` keeps every character ASCII (``->`` arrows, ``-`` rules, non-ASCII names escaped),
for terminals and readers that choke on anything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gradtui.kernel.protocol import GraphNode, Snapshot, TensorInfo

# Deeper trees are cut: a 10,000-op chain would otherwise print a staircase wider than any screen.
DEFAULT_MAX_DEPTH = 40
# Value/grad previews longer than this are shortened in tables so a row stays on one line.
PREVIEW_WIDTH = 48


class ViewError(ValueError):
    """A view was asked for something the snapshot does not have (e.g. an unknown name)."""


def _safe(text: str, ascii: bool) -> str:
    """Escape non-ASCII characters (a learner may name a tensor ``λ``) when ``ascii`` is set."""
    return text.encode("ascii", "backslashreplace").decode("ascii") if ascii else text


def _arrow(ascii: bool) -> str:
    return "->" if ascii else "→"


def format_shape(shape: Sequence[int] | None) -> str:
    """``[2, 3]``; ``[]`` for a 0-d tensor (the same notation everywhere in gradtui)."""
    return "[" + ", ".join(str(d) for d in (shape or [])) + "]"


def _short_dtype(dtype: str) -> str:
    return dtype.removeprefix("torch.")


def _one_line(text: str, width: int = PREVIEW_WIDTH) -> str:
    """Collapse a multi-line repr to one line and shorten it to ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], ascii: bool) -> str:
    """Left-aligned columns separated by two spaces, a rule under the header."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rule_char = "-" if ascii else "─"

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), "  ".join(rule_char * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _notes(snap: Snapshot) -> list[str]:
    return [f"note: {note}" for note in snap.truncated]


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def tensors_table(snap: Snapshot, *, ascii: bool = False) -> str:
    """One row per tensor in the namespace: name, shape, dtype, grad flags, grad_fn, values."""
    if not snap.listed():
        return "\n".join(["No tensors yet. Try: x = torch.ones(2, requires_grad=True)"]
                         + _notes(snap))
    header = ["name", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "value"]
    rows = [
        [
            _safe(t.name, ascii),
            format_shape(t.shape),
            _short_dtype(t.dtype),
            _yes_no(t.requires_grad),
            _yes_no(t.is_leaf),
            t.grad_fn or "-",
            _safe(_one_line(t.value_preview), ascii),
        ]
        for t in snap.listed()
    ]
    return "\n".join([_table(header, rows, ascii), *_notes(snap)])


def _has_grad_slot(t: TensorInfo) -> bool:
    """Tensors whose ``.grad`` matters: leaves that require grad, or any tensor holding one."""
    return (t.requires_grad and t.is_leaf) or t.grad_preview is not None


def grads_table(snap: Snapshot, *, ascii: bool = False) -> str:
    """The ``.grad`` of every leaf that requires grad, and whether the last backward reached it."""
    tensors = [t for t in snap.listed() if _has_grad_slot(t)]
    if not tensors:
        return "\n".join(
            ["No tensor requires grad yet. Try: x = torch.ones(2, requires_grad=True)"]
            + _notes(snap)
        )
    reached = set(snap.last_backward)
    header = ["name", "shape", "grad", "last backward"]
    rows = []
    for t in tensors:
        grad = _one_line(t.grad_preview) if t.grad_preview is not None else "None"
        got = t.node is not None and t.node in reached
        rows.append([
            _safe(t.name, ascii),
            format_shape(t.shape),
            _safe(grad, ascii),
            "got a gradient" if got else "-",
        ])
    lines = [_table(header, rows, ascii)]
    if not reached:
        lines.append("No backward() has reached these tensors yet.")
    return "\n".join(lines + _notes(snap))


def _graph_root(snap: Snapshot, name: str) -> tuple[TensorInfo, GraphNode]:
    """The tensor called ``name`` and its graph node, or a ViewError saying why not."""
    tensor = snap.tensor(name)
    if tensor is None:
        known = ", ".join(t.name for t in snap.tensors) or "none yet"
        raise ViewError(f"no tensor named {name!r} (tensors: {known})")
    if tensor.node is None:
        raise ViewError(
            f"{name} has no graph: it does not require grad"
            + (" (made under no_grad or from constants)" if not tensor.requires_grad else "")
        )
    node = snap.nodes.get(tensor.node)
    if node is None:
        raise ViewError(f"the graph of {name} was cut from this snapshot (too large)")
    return tensor, node


def _node_label(node: GraphNode) -> str:
    """``MulBackward0 [2]``; ``AccumulateGrad (x) [2]`` for a leaf."""
    if node.kind == "leaf":
        variable = f" ({node.variable})" if node.variable else ""
        return f"AccumulateGrad{variable} {format_shape(node.shape)}"
    return f"{node.name} {format_shape(node.shape)}"


def _shared_nodes(snap: Snapshot, root: str) -> set[str]:
    """Ids of nodes reached by more than one edge from ``root`` (shown once, referenced after)."""
    seen = {root}
    shared: set[str] = set()
    stack = [root]
    while stack:
        node = snap.nodes.get(stack.pop())
        if node is None:
            continue
        for child in node.next:
            if child is None:
                continue
            if child in seen:
                shared.add(child)
            else:
                seen.add(child)
                stack.append(child)
    return shared


def _walk(
    snap: Snapshot, root: str, max_depth: int | None = None
) -> Iterator[tuple[int, str | None]]:
    """Depth-first (depth, node id or None for a constant), children in next_functions order.

    Iterative, so a 10,000-node chain cannot hit the recursion limit. A node's children are
    expanded only at its first visit (callers print later visits as references), and not at all
    below ``max_depth``.
    """
    expanded: set[str] = set()
    stack: list[tuple[int, str | None]] = [(0, root)]
    while stack:
        depth, node_id = stack.pop()
        yield depth, node_id
        if node_id is None or node_id in expanded:
            continue
        if max_depth is not None and depth >= max_depth:
            continue
        expanded.add(node_id)
        node = snap.nodes.get(node_id)
        if node is not None:
            stack.extend((depth + 1, child) for child in reversed(node.next))


def graph_tree(
    snap: Snapshot, name: str, *, ascii: bool = False, max_depth: int = DEFAULT_MAX_DEPTH
) -> str:
    """The autograd graph of tensor ``name`` as an indented tree, from the output to the leaves.

    One node per line with its output shape; children follow ``next_functions`` order and are
    indented under their parent behind an arrow. A sub-graph reached twice is printed once, marked
    ``(*1)``, and later lines refer to it; ``constant`` stands for a ``(None, 0)`` input (a Python
    number or a tensor that does not require grad). Raises ``ViewError`` for an unknown name or a
    tensor without a graph.
    """
    tensor, _ = _graph_root(snap, name)
    assert tensor.node is not None
    shared = _shared_nodes(snap, tensor.node)
    marks: dict[str, int] = {}  # shared node id -> its (*N) mark, from its first appearance
    arrow = _arrow(ascii)
    lines: list[str] = []
    cut = False
    for depth, node_id in _walk(snap, tensor.node, max_depth):
        indent = "   " * (depth - 1) + f"{arrow} " if depth else ""
        if node_id is None:
            lines.append(f"{indent}constant")
            continue
        node = snap.nodes.get(node_id)
        if node is None:
            lines.append(f"{indent}... (graph cut here)")
            continue
        label = _safe(_node_label(node), ascii)
        if node_id in marks:
            lines.append(f"{indent}{label} (*{marks[node_id]}, shown above)")
            continue
        if node_id in shared:
            marks[node_id] = len(marks) + 1
            label += f" (*{marks[node_id]})"
        if depth == max_depth and node.next:
            label += " ..."
            cut = True
        lines.append(f"{indent}{label}")
    if cut:
        lines.append(f"note: nodes deeper than {max_depth} levels are not shown")
    return "\n".join(lines + _notes(snap))


# --- DOT -------------------------------------------------------------------------------------
# Colours follow torchviz, so a picture from gradtui reads like the ones in tutorials:
# the output green, leaves that require grad blue, ops grey, saved tensors orange.
_OUTPUT_COLOUR = "darkolivegreen1"
_LEAF_COLOUR = "lightblue"
_OP_COLOUR = "lightgrey"
_SAVED_COLOUR = "orange"


def _dot_string(text: str) -> str:
    """A DOT quoted string; ``\\n`` inside ``text`` becomes a DOT line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "\\n".join(escaped.split("\n")) + '"'


def _dot_node(node_id: str, label: str, colour: str, extra: str = "") -> str:
    return f"    {node_id} [label={_dot_string(label)} fillcolor={colour}{extra}]"


def _reachable(snap: Snapshot, root: str) -> list[str]:
    """Node ids reachable from ``root`` (present in the snapshot), in first-visit order."""
    order: list[str] = []
    seen: set[str] = set()
    for _, node_id in _walk(snap, root):
        if node_id is not None and node_id not in seen and node_id in snap.nodes:
            seen.add(node_id)
            order.append(node_id)
    return order


def to_dot(snap: Snapshot, name: str) -> str:
    """The graph of tensor ``name`` as Graphviz DOT, in the spirit of torchviz's ``make_dot``.

    Edges point the way values flow in the forward pass (inputs to ops, ops to the output).
    Ops show their name, output shape and saved non-tensor values; saved tensors are orange nodes
    joined by dashed edges; each ``AccumulateGrad`` gets the blue leaf variable it fills. Render
    with ``dot -Tsvg graph.dot -o graph.svg``. A tensor without a graph is drawn alone, saying
    why; an unknown name raises ``ViewError``.
    """
    try:
        tensor, root = _graph_root(snap, name)
    except ViewError as why:
        tensor = snap.tensor(name)
        if tensor is None:
            raise
        return "\n".join([*_dot_header(name, tensor, f"\n({why})"), "}"]) + "\n"
    lines = _dot_header(name, tensor)
    edges: list[str] = []
    for node_id in _reachable(snap, root.id):
        node = snap.nodes[node_id]
        if node.kind == "leaf":
            var = node.variable or "leaf"
            got = "\ngot a gradient" if node.got_grad else ""
            lines.append(_dot_node(node_id, f"AccumulateGrad\n{format_shape(node.shape)}",
                                   _OP_COLOUR))
            lines.append(_dot_node(f"{node_id}_var", f"{var}\n{format_shape(node.shape)}{got}",
                                   _LEAF_COLOUR))
            edges.append(f"    {node_id}_var -> {node_id}")
        else:
            label = [node.name, format_shape(node.shape)]
            scalars = [s for s in node.saved if s.shape is None]
            if scalars:
                label.append("-" * max(len(node.name), 8))
                label += [f"{s.name}: {s.preview}" for s in scalars]
            if node.saved_freed:
                label.append("(saved values freed)")
            lines.append(_dot_node(node_id, "\n".join(label), _OP_COLOUR))
            for saved in node.saved:
                if saved.shape is None:
                    continue
                saved_id = f"{node_id}_saved_{_dot_id_part(saved.name)}"
                lines.append(_dot_node(saved_id, f"{saved.name}\n{format_shape(saved.shape)}"
                                       f"\n{_one_line(saved.preview)}", _SAVED_COLOUR))
                edges.append(f"    {saved_id} -> {node_id} [style=dashed dir=none]")
        for child in node.next:
            if child is not None and child in snap.nodes:
                edges.append(f"    {child} -> {node_id}")
    edges.append(f"    {root.id} -> output")
    return "\n".join([*lines, *edges, "}"]) + "\n"


def _dot_header(name: str, tensor: TensorInfo, note: str = "") -> list[str]:
    """The opening lines of a graph: its title, node style, and the output tensor's node."""
    return [
        "digraph autograd {",
        '    graph [rankdir=TB ranksep=0.2 label="autograd graph of '
        + _dot_string(name)[1:-1] + '" labelloc=t]',
        "    node [style=filled shape=box align=left fontsize=10 height=0.2 fontname=monospace]",
        "    edge [fontsize=9]",
        _dot_node("output", f"{name}\n{format_shape(tensor.shape)}{note}", _OUTPUT_COLOUR),
    ]


def _dot_id_part(text: str) -> str:
    """Keep only characters valid in an unquoted DOT id."""
    return "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in text)
