"""Draw an autograd graph on a character grid: boxes, edges with arrows, ports, tags.

Nodes are boxes: one per grad_fn, one per leaf named by its variable, and a ``const`` tag on an
op whose input is a constant. ``graph_layout`` places the boxes (leaves at the top, the output
at the bottom, a node shared by two paths drawn once, so a diamond stays a diamond) and routes
each edge on its own; this module draws them. Lines are drawn with direction bits, so corners
and crossings get the right box-drawing (or ASCII) glyph. An op with two or more inputs numbers
its ports on its top border (``1`` is ``a`` in ``a - b``), so ``d = a*b + a`` and
``(a+b)*b`` never look alike. With ``details`` each box also shows its value and its gradient
(micrograd's ``draw_dot``); ``compact`` keeps boxes small (``Mul`` for ``MulBackward0 [2]``).

Every cell carries a *role* (``op``, ``leaf``, ``output``, ``edge``, ``tag``, ``current``,
``visited``, ``selected``) so a widget can colour it; the text alone stays readable without
colour (border tags say ``AccumulateGrad`` for leaves, ``out``, ``const``, ``saved``,
``freed``; the current step is bracketed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gradtui.kernel.protocol import GraphNode, Snapshot
from gradtui.tui.glyphs import DOWN, LEFT, RIGHT, UP, Glyphs, cut
from gradtui.tui.graph_layout import BoxSpec, EdgeSpec, Layout, layout
from gradtui.tui.graph_select import node_label, reachable
from gradtui.tui.graph_values import node_grads, node_values, value_gaps

MAX_LAYOUT_NODES = 300  # "a few hundred": past this a layered drawing is unreadable; use a tree
MAX_LABEL = 30
MAX_DETAIL = 26  # a box's "data ..."/"grad ..." line, cut past this
BOX_HEIGHT = 3


class GraphTooLarge(Exception):
    """The graph has more nodes than a readable layered drawing can hold."""


@dataclass
class Canvas:
    """A drawn graph: characters, their roles, and where each node's box is."""

    chars: list[list[str]]
    roles: list[list[str | None]]
    boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # row, col, h, w
    # with details: node id -> why its box shows no value (``graph_values.value_gaps``)
    gaps: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls, width: int, height: int) -> Canvas:
        return cls([[" "] * width for _ in range(height)], [[None] * width for _ in range(height)])

    @property
    def height(self) -> int:
        return len(self.chars)

    @property
    def width(self) -> int:
        return len(self.chars[0]) if self.chars else 0

    def put(self, row: int, col: int, text: str, role: str | None) -> None:
        for i, ch in enumerate(text):
            if 0 <= col + i < self.width:
                self.chars[row][col + i] = ch
                self.roles[row][col + i] = role

    def lines(self) -> list[str]:
        """The drawing as plain text lines, trailing spaces removed."""
        return ["".join(row).rstrip() for row in self.chars]


@dataclass
class _Item:
    id: str
    label: str
    role: str  # "op", "leaf", "output", "const"
    inputs: int = 0  # entries in next_functions (constants included): ports are numbered by it
    top_tag: str = ""
    bottom_tag: str = ""
    details: list[str] = field(default_factory=list)

    def spec(self, ports_in: int, ports_out: int) -> BoxSpec:
        def room(tag: str, ports: int) -> int:
            # corner, a stretch of line, the tag, a space, ports a column apart, line, corner
            # (one column more than the ports take: they must fall on columns of one parity)
            return max(len(tag) + 4, (len(tag) + 1 if tag else 0) + 2 * ports + 4)

        width = max(len(self.label) + 4, room(self.top_tag, ports_in),
                    room(self.bottom_tag, ports_out), *(len(d) + 4 for d in self.details))
        return BoxSpec(self.id, width, len(self.top_tag), len(self.bottom_tag))


def layout_graph(
    snapshot: Snapshot, root: str, glyphs: Glyphs, *, current: str | None = None,
    visited: frozenset[str] = frozenset(), selected: str | None = None, details: bool = False,
    compact: bool = False,
) -> Canvas:
    """Draw the graph reachable from node ``root``. ``current`` marks the node a step-by-step
    walk is on, ``visited`` the nodes it has passed, ``selected`` the node the learner moved
    to; ``details`` adds each node's value and gradient; ``compact`` shortens labels.

    Raises ``GraphTooLarge`` past ``MAX_LAYOUT_NODES`` nodes (the caller shows a tree instead).
    """
    nodes = reachable(snapshot, root)
    if len(nodes) > MAX_LAYOUT_NODES:
        raise GraphTooLarge(f"{len(nodes)} nodes")
    items, gaps = _items(snapshot, nodes, root, glyphs, details=details, compact=compact)
    edges = [EdgeSpec(target, node.id, position) for node in nodes
             for position, target in enumerate(node.next)
             if target is not None and target in snapshot.nodes]
    ports_in = _count(edge.target for edge in edges)
    ports_out = _count(edge.source for edge in edges)
    height = BOX_HEIGHT + (2 if details else 0)
    geometry = layout([item.spec(ports_in.get(item.id, 0), ports_out.get(item.id, 0))
                       for item in items.values()], edges, box_height=height)
    canvas = Canvas.blank(geometry.width, geometry.height)
    canvas.gaps = gaps
    _draw_edges(canvas, geometry, edges, glyphs)
    for item in items.values():
        row, col = geometry.boxes[item.id]
        width = item.spec(ports_in.get(item.id, 0), ports_out.get(item.id, 0)).width
        role = ("current" if item.id == current else "selected" if item.id == selected
                else "visited" if item.id in visited else item.role)
        _draw_box(canvas, item, row, col, width, height, glyphs, role)
    _draw_ports(canvas, geometry, edges, items, glyphs)
    return canvas


def _count(ids: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in ids:  # type: ignore[attr-defined]
        counts[key] = counts.get(key, 0) + 1
    return counts


def _items(snapshot: Snapshot, nodes: list[GraphNode], root: str, glyphs: Glyphs, *,
           details: bool, compact: bool) -> tuple[dict[str, _Item], dict[str, str]]:
    """The boxes, and (with ``details``) why some show no value."""
    values = node_values(snapshot, nodes) if details else {}
    gaps = value_gaps(nodes, values) if details else {}
    grads = node_grads(snapshot, nodes) if details else {}
    items = {}
    for node in nodes:
        item = _item_for(node, glyphs, is_output=node.id == root, compact=compact)
        if details:
            grad = grads.get(node.id)
            value = values.get(node.id) or gaps.get(node.id, "")
            item.details = [_cut(f"data {value}", glyphs),
                            _cut(f"grad {'None' if grad is None else grad}", glyphs)]
        items[node.id] = item
    return items, gaps


def short_name(node: GraphNode) -> str:
    """``Mul`` for ``MulBackward0``, ``x`` for a leaf: the compact label."""
    if node.kind == "leaf":
        return node.variable or "leaf"
    name = node.name.rsplit("::", 1)[-1]
    return re.sub(r"Backward\d*$", "", name) or name


def _item_for(node: GraphNode, glyphs: Glyphs, *, is_output: bool, compact: bool) -> _Item:
    label = cut(short_name(node) if compact else node_label(node), MAX_LABEL, glyphs.ellipsis)
    item = _Item(node.id, label, node.kind if node.kind == "leaf" else "op",
                 inputs=len(node.next))
    if node.kind == "leaf" and not compact:
        item.top_tag = "AccumulateGrad"  # a leaf's node in torch; the box is named by the variable
    constants = sum(target is None for target in node.next)
    if constants and not compact:  # (compact: the port numbers still say which input is which)
        # Constant inputs (a Python number, a tensor without grad) get a tag, not a box of their
        # own: boxes for them would all sit in the top layer with long edges down to their op.
        item.top_tag = "const" if constants == 1 else f"{constants} const"
    tags = ["out"] if is_output else []
    if node.saved_freed:
        tags.append("freed")
    elif any(saved.shape is not None for saved in node.saved) and not compact:
        tags.append("saved")  # tensors kept for backward (a saved number is no buffer)
    item.bottom_tag = " ".join(tags)
    if is_output:
        item.role = "output"
    return item


def _cut(text: str, glyphs: Glyphs) -> str:
    return cut(" ".join(text.split()), MAX_DETAIL, glyphs.ellipsis)


def _draw_edges(canvas: Canvas, geometry: Layout, edges: list[EdgeSpec], glyphs: Glyphs) -> None:
    """Every edge: down from its exit, along its track, down into its port (an arrow), and
    straight down through the layers it skips."""
    bits = [[0] * canvas.width for _ in range(canvas.height)]

    def line(r1: int, c1: int, r2: int, c2: int) -> None:
        if r1 == r2:
            for c in range(min(c1, c2), max(c1, c2)):
                bits[r1][c] |= RIGHT
                bits[r1][c + 1] |= LEFT
        else:
            for r in range(min(r1, r2), max(r1, r2)):
                bits[r][c1] |= DOWN
                bits[r + 1][c1] |= UP

    arrows = []
    for gap, segments in enumerate(geometry.gaps):
        top = geometry.gap_top(gap)
        bottom = top + geometry.gap_tracks[gap]  # the arrow row, just above the next layer
        for segment in segments:
            bits[top][segment.start] |= UP  # from the exit (or the run through the layer) above
            if segment.track is None:
                line(top, segment.start, bottom, segment.start)
            else:
                row = top + segment.track
                line(top, segment.start, row, segment.start)
                line(row, segment.start, row, segment.end)
                line(row, segment.end, bottom, segment.end)
            if geometry.entries[segment.edge] == segment.end and \
                    geometry.boxes[edges[segment.edge].target][0] == bottom + 1:
                arrows.append((bottom, segment.end))
            else:
                bits[bottom][segment.end] |= DOWN  # on through the layer below
    for layer, col in geometry.passes:
        top = geometry.layer_rows[layer]
        line(top - 1, col, top + geometry.box_height, col)
    for r, row in enumerate(bits):
        for c, value in enumerate(row):
            if value:
                canvas.chars[r][c] = glyphs.line(value)
                canvas.roles[r][c] = "edge"
    for r, c in arrows:
        canvas.chars[r][c] = glyphs.arrow_down


def _draw_ports(canvas: Canvas, geometry: Layout, edges: list[EdgeSpec],
                items: dict[str, _Item], glyphs: Glyphs) -> None:
    """Exits are tees on the source's bottom border; an op with two or more inputs numbers
    each edge's port on its top border with the input's position (1, 2, ...)."""
    tee = glyphs.line(LEFT | RIGHT | DOWN)
    for index, edge in enumerate(edges):
        row, _ = geometry.boxes[edge.source]
        exit_row, col = row + geometry.box_height - 1, geometry.exits[index]
        if canvas.chars[exit_row][col] in glyphs.border_lines:
            canvas.chars[exit_row][col] = tee
        if items[edge.target].inputs >= 2:
            top, _ = geometry.boxes[edge.target]
            number = str(edge.position + 1) if edge.position < 9 else "+"
            canvas.put(top, geometry.entries[index], number, "port")


def _draw_box(canvas: Canvas, item: _Item, row: int, col: int, width: int, height: int,
              glyphs: Glyphs, role: str) -> None:
    tl, tr, bl, br, h, v = glyphs.output_box if item.role == "output" else glyphs.box

    def border(left: str, right: str, tag: str) -> list[tuple[str, str]]:
        inner = [(h, role)] * (width - 2)
        for i, ch in enumerate(tag):
            inner[1 + i] = (ch, "tag")
        return [(left, role), *inner, (right, role)]

    current, done = role == "current", role == "visited"
    open_, close = glyphs.current if current else (" ", glyphs.done) if done else (" ", " ")
    rows = [border(tl, tr, item.top_tag)]
    rows.append([(v, role), (open_, role), *((ch, role) for ch in item.label.center(width - 4)),
                 (close, role), (v, role)])
    for detail in item.details:
        rows.append([(v, role), (" ", None), *((ch, "detail") for ch in detail.ljust(width - 4)),
                     (" ", None), (v, role)])
    rows.append(border(bl, br, item.bottom_tag))
    for dr, cells in enumerate(rows[:height]):
        for dc, (ch, cell_role) in enumerate(cells):
            canvas.chars[row + dr][col + dc] = ch
            canvas.roles[row + dr][col + dc] = cell_role
    canvas.boxes[item.id] = (row, col, height, width)


LEGEND: list[tuple[str, str]] = [
    ("op", "op"),
    ("leaf", "leaf"),
    ("output", "output"),
    ("port", "1 2: input"),
    ("tag", "const/saved/freed"),
    ("current", "step"),
    ("visited", "done"),
]
