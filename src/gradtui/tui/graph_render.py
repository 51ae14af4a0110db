"""Choose and produce the Graph panel's drawing: the layered DAG, or the tree when too big.

No Textual here: returns lines of (text, role) runs; the widget turns roles into colours.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    node_rows: dict[str, int]  # node id -> first row (to scroll a step into view)


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
    visited: frozenset[str] = frozenset(),
) -> GraphDrawing:
    """The DAG when it has at most ``MAX_LAYOUT_NODES`` nodes and is at most ``max_width``
    columns wide; otherwise the indented tree, with a note saying why."""
    from gradtui.tui.graph_tree import graph_tree_lines

    cut = _cut_note(snapshot, root)
    note = ""
    try:
        canvas = layout_graph(snapshot, root, glyphs, current=current, visited=visited)
    except GraphTooLarge as exc:
        note = f"graph too large to draw ({exc}): shown as a tree"
    except Exception as exc:  # a layout bug must cost the drawing, never the session
        note = f"layered layout failed ({type(exc).__name__}: {exc}): shown as a tree"
    else:
        if canvas.width <= max_width:
            lines = [_runs(r, roles) for r, roles in zip(canvas.chars, canvas.roles, strict=True)]
            rows = {node: box[0] for node, box in canvas.boxes.items()}
            return GraphDrawing(lines, "dag", cut, rows)
        note = f"graph {canvas.width} columns wide, panel {max_width}: shown as a tree"
    note = f"{note}; {cut}" if cut else note
    tree = graph_tree_lines(snapshot, root, glyphs, current=current, visited=visited)
    rows: dict[str, int] = {}
    if current is not None:
        rows = {current: next((i for i, (_, role) in enumerate(tree) if role == "current"), 0)}
    return GraphDrawing([[(text, role)] for text, role in tree], "tree", note, rows)


def _cut_note(snapshot: Snapshot, root: str) -> str:
    """Why part of the graph is missing (the kernel caps snapshot size), or ""."""
    for node in reachable(snapshot, root):
        if any(n is not None and n not in snapshot.nodes for n in node.next):
            return "; ".join(snapshot.truncated) or "part of the graph is not in the snapshot"
    return ""


def drawing_key(snapshot: Snapshot, root: str, current: str | None,
                visited: frozenset[str] = frozenset()) -> tuple[object, ...]:
    """Everything a drawing depends on: equal keys give equal drawings, so a panel can skip
    redrawing a large graph that a cell did not touch (most cells touch other tensors)."""
    return (root, current, tuple(sorted(visited)), tuple(
        (n.id, n.name, n.kind, tuple(n.shape), tuple(n.next), n.variable, bool(n.saved),
         n.saved_freed)
        for n in reachable(snapshot, root)
    ))
