"""Draw an autograd graph on a character grid: a layered DAG laid out by grandalf.

Nodes are boxes: one per grad_fn, one per leaf named by its variable, and a ``const`` tag on an
op whose input is a constant. Edges run from inputs down to the op that consumed them, as
torchviz draws them: leaves at the top, the output at the bottom. A node shared by two paths is
drawn once, so a diamond stays a diamond. grandalf (Sugiyama's layered layout) gives each node a
layer and an x position and inserts dummy points on edges that skip layers; this module only
maps those to rows and columns and draws lines with direction bits, so crossings and joins get
the right box-drawing (or ASCII) glyph.

Every cell carries a *role* (``op``, ``leaf``, ``output``, ``edge``, ``tag``, ``current``,
``visited``) so a
widget can colour it; the text alone stays readable without colour (tags in the box borders say
``AccumulateGrad`` for leaves, ``out``, ``const``, ``saved``, ``freed``; the current step is
bracketed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from gradtui.kernel.protocol import GraphNode, Snapshot
from gradtui.tui.glyphs import DOWN, LEFT, RIGHT, UP, Glyphs
from gradtui.tui.graph_select import node_label, reachable

MAX_LAYOUT_NODES = 300  # "a few hundred": past this a layered drawing is unreadable; use a tree
MAX_LABEL = 30
BOX_HEIGHT = 3
GAP_ROWS = 2  # rows between layers: leave the box and run across, then arrive with an arrow
LAYER_ROWS = BOX_HEIGHT + GAP_ROWS
COMPONENT_GAP = 3


class GraphTooLarge(Exception):
    """The graph has more nodes than a readable layered drawing can hold."""


@dataclass
class Canvas:
    """A drawn graph: characters, their roles, and where each node's box is."""

    chars: list[list[str]]
    roles: list[list[str | None]]
    boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # row, col, h, w

    @property
    def height(self) -> int:
        return len(self.chars)

    @property
    def width(self) -> int:
        return len(self.chars[0]) if self.chars else 0

    def lines(self) -> list[str]:
        """The drawing as plain text lines, trailing spaces removed."""
        return ["".join(row).rstrip() for row in self.chars]


@dataclass
class _Item:
    id: str
    label: str
    role: str  # "op", "leaf", "output", "const"
    top_tag: str = ""
    bottom_tag: str = ""

    @property
    def width(self) -> int:
        return max(len(self.label) + 4, len(self.top_tag) + 4, len(self.bottom_tag) + 4)


class _View:
    """grandalf's vertex view: a size in, a centre position out."""

    def __init__(self, w: int, h: int) -> None:
        self.w = w
        self.h = h
        self.xy = (0.0, 0.0)


def _items(snapshot: Snapshot, root: str) -> tuple[list[_Item], list[tuple[str, str]]]:
    nodes = reachable(snapshot, root)
    if len(nodes) > MAX_LAYOUT_NODES:
        raise GraphTooLarge(f"{len(nodes)} nodes")
    items: list[_Item] = []
    edges: list[tuple[str, str]] = []
    for node in nodes:
        items.append(_item_for(node, is_output=node.id == root))
        for target in node.next:
            if target is not None and target in snapshot.nodes:
                edges.append((target, node.id))
    return items, edges


def _item_for(node: GraphNode, *, is_output: bool) -> _Item:
    label = node_label(node)
    if len(label) > MAX_LABEL:
        label = label[: MAX_LABEL - 1] + "~"
    if node.kind == "leaf":
        # A leaf's node in torch is its AccumulateGrad; the box is named by the variable.
        item = _Item(node.id, label, "leaf", top_tag="AccumulateGrad")
    else:
        item = _Item(node.id, label, "op")
    constants = sum(target is None for target in node.next)
    if constants:
        # Constant inputs (a Python number, a tensor without grad) get a tag, not a box of their
        # own: boxes for them would all sit in the top layer with long edges down to their op.
        item.top_tag = "const" if constants == 1 else f"{constants} const"
    if is_output:
        item.role = "output"
        item.top_tag = " ".join(t for t in ("out", item.top_tag) if t)
    if node.saved_freed:
        item.bottom_tag = "freed"
    elif node.saved:
        item.bottom_tag = "saved"
    return item


def layout_graph(
    snapshot: Snapshot, root: str, glyphs: Glyphs, *, current: str | None = None,
    visited: frozenset[str] = frozenset(),
) -> Canvas:
    """Draw the graph reachable from node ``root``; ``current`` marks the node a step-by-step
    walk is on, ``visited`` the nodes it has passed (their gradient is known).

    Raises ``GraphTooLarge`` past ``MAX_LAYOUT_NODES`` nodes (the caller shows a tree instead).
    """
    items, edge_pairs = _items(snapshot, root)
    by_id = {item.id: item for item in items}
    vertices = {item.id: Vertex(item.id) for item in items}
    for item in items:
        vertices[item.id].view = _View(item.width, BOX_HEIGHT)
    edges = [Edge(vertices[a], vertices[b]) for a, b in dict.fromkeys(edge_pairs)]
    graph = Graph(list(vertices.values()), edges)

    centres: dict[str, tuple[float, int]] = {}  # id -> (x centre, layer)
    routes: list[tuple[str, list[tuple[float, int]], str]] = []  # source, points, target
    offset = 0.0
    for component in graph.C:
        sug = SugiyamaLayout(component)
        sug.xspace, sug.yspace = 2, LAYER_ROWS
        sug.init_all()
        sug.draw()
        placed = [(v.view.xy[0], v.view.w) for v in component.sV]
        for layer in sug.layers:
            placed.extend((v.view.xy[0], 1) for v in layer)
        left = min(x - w / 2 for x, w in placed)
        right = max(x + w / 2 for x, w in placed)
        shift = offset - left
        for v in component.sV:
            centres[v.data] = (v.view.xy[0] + shift, sug.grx[v].rank)
        for e in component.sE:
            source, target = e.v
            ctrl = sug.ctrls.get(e, {})
            low, high = centres[source.data][1], centres[target.data][1]
            points = [(centres[source.data][0], low)]
            # grandalf's ctrls also hold the two end vertices: keep only the dummies between.
            points += [(ctrl[r].view.xy[0] + shift, r) for r in sorted(ctrl) if low < r < high]
            points.append((centres[target.data][0], centres[target.data][1]))
            routes.append((source.data, points, target.data))
        offset += right - left + COMPONENT_GAP

    layers = max((layer for _, layer in centres.values()), default=0) + 1
    width = max(1, int(offset - COMPONENT_GAP) + 2)
    height = layers * LAYER_ROWS - GAP_ROWS
    bits = [[0] * width for _ in range(height)]
    arrows: set[tuple[int, int]] = set()
    exits: set[tuple[int, int]] = set()  # bottom-border cells where an edge leaves a box

    def col(x: float) -> int:
        return min(width - 1, max(0, int(round(x))))

    def link(r1: int, c1: int, r2: int, c2: int) -> None:
        """Connect two neighbouring cells (same row or same column)."""
        if r1 == r2:
            a, b = sorted((c1, c2))
            for c in range(a, b):
                bits[r1][c] |= RIGHT
                bits[r1][c + 1] |= LEFT
        else:
            a, b = sorted((r1, r2))
            for r in range(a, b):
                bits[r][c1] |= DOWN
                bits[r + 1][c1] |= UP

    for _source, points, _target in routes:
        for (x1, l1), (x2, l2) in zip(points, points[1:], strict=False):
            c1, c2 = col(x1), col(x2)
            top = l1 * LAYER_ROWS
            start = top + BOX_HEIGHT
            if (x1, l1) != points[0]:
                start = top  # a dummy point: the line runs through this layer's box rows
            else:
                bits[start][c1] |= UP
                exits.add((start - 1, c1))
            mid = top + BOX_HEIGHT
            end = l2 * LAYER_ROWS - 1
            link(start, c1, mid, c1)
            link(mid, c1, mid, c2)
            if (x2, l2) == points[-1]:
                link(mid, c2, end, c2)
                arrows.add((end, c2))
            else:
                link(mid, c2, end + 1, c2)

    chars = [[" "] * width for _ in range(height)]
    roles: list[list[str | None]] = [[None] * width for _ in range(height)]
    for r in range(height):
        for c in range(width):
            if bits[r][c]:
                chars[r][c] = glyphs.line(bits[r][c])
                roles[r][c] = "edge"
    for r, c in arrows:
        chars[r][c] = glyphs.arrow_down
    canvas = Canvas(chars, roles)
    for item_id, (x, layer) in centres.items():
        item = by_id[item_id]
        left = max(0, min(width - item.width, col(x) - item.width // 2))
        _draw_box(canvas, item, layer * LAYER_ROWS, left, glyphs, current=item_id == current,
                  done=item_id in visited)
    tee = glyphs.line(LEFT | RIGHT | DOWN)
    for r, c in exits:
        if canvas.chars[r][c] == glyphs.box[4]:  # a plain stretch of border, not a tag letter
            canvas.chars[r][c] = tee
    return canvas


def _draw_box(
    canvas: Canvas, item: _Item, row: int, col: int, glyphs: Glyphs, *, current: bool,
    done: bool = False,
) -> None:
    w = item.width
    tl, tr, bl, br, h, v = glyphs.output_box if item.role == "output" else glyphs.box
    role = "current" if current else "visited" if done else item.role

    def border(left: str, right: str, tag: str) -> list[tuple[str, str]]:
        inner = [(h, role)] * (w - 2)
        if tag:
            for i, ch in enumerate(tag):
                inner[1 + i] = (ch, "tag")
        return [(left, role), *inner, (right, role)]

    label = item.label.center(w - 4)
    open_, close = glyphs.current if current else (" ", glyphs.done) if done else (" ", " ")
    middle = [(v, role), (open_, role)] + [(ch, role) for ch in label] + [(close, role), (v, role)]
    rows = [border(tl, tr, item.top_tag), middle, border(bl, br, item.bottom_tag)]
    for dr, cells in enumerate(rows):
        for dc, (ch, cell_role) in enumerate(cells):
            canvas.chars[row + dr][col + dc] = ch
            canvas.roles[row + dr][col + dc] = cell_role
    canvas.boxes[item.id] = (row, col, BOX_HEIGHT, w)


LEGEND: list[tuple[str, str]] = [
    ("op", "op"),
    ("leaf", "leaf (requires grad)"),
    ("output", "output"),
    ("tag", "const/saved/freed"),
    ("current", "step"),
    ("visited", "done"),
]
