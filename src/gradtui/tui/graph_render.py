"""Choose and produce the Graph panel's drawing: the layered DAG, or the tree when too big.

No Textual here: returns lines of (text, role) runs; the widget turns roles into colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradtui.kernel.protocol import Snapshot
from gradtui.tui.glyphs import Glyphs
from gradtui.tui.graph_canvas import GraphTooLarge, layout_graph
from gradtui.tui.graph_select import reachable

Run = tuple[str, str | None]


@dataclass
class GraphDrawing:
    """What the Graph panel shows under its title."""

    lines: list[list[Run]]
    mode: str  # "dag" or "tree"
    note: str  # why a tree, or "" for the DAG
    boxes: dict[str, tuple[int, int, int, int]]  # node id -> row, col, height, width
    # with values shown: node id -> why its box shows no value (``graph_values.value_gaps``)
    gaps: dict[str, str] = field(default_factory=dict)


def _runs(chars: list[str], roles: list[str | None]) -> list[Run]:
    runs: list[Run] = []
    for ch, role in zip(chars, roles, strict=True):
        if runs and runs[-1][1] == role:
            runs[-1] = (runs[-1][0] + ch, role)
        else:
            runs.append((ch, role))
    if runs and runs[-1][1] is None:
        stripped = runs[-1][0].rstrip()
        runs[-1] = (stripped, None)
    return runs


def draw_graph(
    snapshot: Snapshot, root: str, glyphs: Glyphs, *, max_width: int, current: str | None = None,
    visited: frozenset[str] = frozenset(), selected: str | None = None, details: bool = False,
    compact: bool = False,
) -> GraphDrawing:
    """The DAG when it has at most ``MAX_LAYOUT_NODES`` nodes and is at most ``max_width``
    columns wide; otherwise the indented tree, with a note saying why. ``selected``,
    ``details`` and ``compact`` as for ``layout_graph``."""
    from gradtui.tui.graph_tree import graph_tree_lines

    cut = _cut_note(snapshot, root)
    note = ""
    try:
        canvas = layout_graph(snapshot, root, glyphs, current=current, visited=visited,
                              selected=selected, details=details, compact=compact)
    except GraphTooLarge as exc:
        note = f"graph too large to draw ({exc}): shown as a tree"
    except Exception as exc:  # a layout bug must cost the drawing, never the session
        note = f"layered layout failed ({type(exc).__name__}: {exc}): shown as a tree"
    else:
        if canvas.width <= max_width:
            lines = [_runs(r, roles) for r, roles in zip(canvas.chars, canvas.roles, strict=True)]
            return GraphDrawing(lines, "dag", cut, dict(canvas.boxes), dict(canvas.gaps))
        note = f"graph {canvas.width} columns wide, panel {max_width}: shown as a tree"
    note = f"{note}; {cut}" if cut else note
    rows: dict[str, int] = {}
    tree = graph_tree_lines(snapshot, root, glyphs, current=current, visited=visited,
                            selected=selected, rows=rows)
    boxes = {node: (row, 0, 1, len(tree[row][0])) for node, row in rows.items()}
    return GraphDrawing([[(text, role)] for text, role in tree], "tree", note, boxes)


def _cut_note(snapshot: Snapshot, root: str) -> str:
    """Why part of the graph is missing (the kernel caps snapshot size), or ""."""
    for node in reachable(snapshot, root):
        if any(n is not None and n not in snapshot.nodes for n in node.next):
            return "; ".join(snapshot.truncated) or "part of the graph is not in the snapshot"
    return ""


def drawing_key(snapshot: Snapshot, root: str, current: str | None,
                visited: frozenset[str] = frozenset(), *, chosen: str | None = None,
                details: bool = False, compact: bool = False) -> tuple[object, ...]:
    """Everything a drawing depends on: equal keys give equal drawings, so a panel can skip
    redrawing a large graph that a cell did not touch (most cells touch other tensors)."""
    nodes = reachable(snapshot, root)
    shown: tuple[object, ...] = ()
    if details:  # values and gradients are drawn too
        ids = {n.id for n in nodes}
        shown = (tuple((t.node, t.value_preview, t.grad_preview) for t in snapshot.tensors
                       if t.node in ids),
                 tuple((n.grad, tuple((s.name, s.preview) for s in n.saved), tuple(n.freed))
                       for n in nodes))
    return (root, current, tuple(sorted(visited)), chosen, details, compact, shown, tuple(
        (n.id, n.name, n.kind, tuple(n.shape), tuple(n.next), n.variable,
         tuple(s.shape is not None for s in n.saved), n.saved_freed)
        for n in nodes
    ))
