"""Where a graph's boxes and edges go on a character grid: geometry only (no glyphs, no Textual).

grandalf (Sugiyama's layered layout) gives every box a layer and an x position, and dummy
points on edges that skip layers. This module turns those into rows and columns and routes
every edge on its own, so a reader can follow any edge from end to end:

- an edge reaches its target's top border at the *port* of its input position (ports left to
  right in ``next_functions`` order: input 1 of ``a - b`` is ``a``), and leaves its source's
  bottom border at a port of its own (a tensor used twice has two);
- in each gap between two layers an edge that must move sideways gets a row (a *track*) of its
  own, so two edges never share a stretch of line: they can only cross;
- ports of one box are two columns apart, entries on odd columns and exits on even ones, so a
  column where one edge leaves and another arrives is rare, and there the leaving edge turns
  first.

Edges run from inputs (top) down to the op that consumed them (bottom), as torchviz draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

COMPONENT_GAP = 3  # columns between unconnected parts of a graph
# Entry ports sit on odd columns and exits on even ones: in a gap between two layers, no edge
# then leaves from the column another arrives at (their vertical pieces would meet), except on
# a lined-up edge's own column or where long edges run through layers.
ENTRY_PARITY = 1
X_SPACE = 3  # columns grandalf keeps between neighbouring boxes


@dataclass(frozen=True)
class BoxSpec:
    """A box to place: its size and the room its borders' tags take (ports go after them)."""

    id: str
    width: int
    top_tag: int = 0  # columns of tag text at the start of the top border
    bottom_tag: int = 0


@dataclass(frozen=True)
class EdgeSpec:
    """``source`` feeds input ``position`` (0-based, in ``next_functions``) of ``target``."""

    source: str
    target: str
    position: int


@dataclass
class Segment:
    """An edge's way across one gap: down from ``start`` (col), along its track row, down to
    ``end`` (col). ``track`` is None when the two columns are the same (straight down)."""

    edge: int  # index into the edge list
    start: int
    end: int
    track: int | None = None


@dataclass
class Layout:
    """Rows and columns of everything: the painter only draws what is here."""

    boxes: dict[str, tuple[int, int]]  # id -> (top row, left column)
    layer_rows: list[int]  # top row of each layer
    box_height: int
    gaps: list[list[Segment]]  # per gap (below layer i): its segments
    gap_tracks: list[int]  # per gap: how many track rows it has
    exits: dict[int, int]  # edge -> column where it leaves its source's bottom border
    entries: dict[int, int]  # edge -> column of its port on its target's top border
    passes: list[tuple[int, int]] = field(default_factory=list)  # (layer, col) edges run through
    width: int = 0
    height: int = 0

    def gap_top(self, gap: int) -> int:
        """First row of the gap below layer ``gap``."""
        return self.layer_rows[gap] + self.box_height


def _place(boxes: list[BoxSpec], edges: list[EdgeSpec], box_height: int):
    """grandalf's placement: x centre and layer of each box, the x of each edge's dummy points
    (one per layer it skips), and the drawing's width."""
    vertices = {box.id: Vertex(box.id) for box in boxes}
    for box in boxes:
        vertices[box.id].view = _View(box.width, box_height)
    pairs = list(dict.fromkeys((e.source, e.target) for e in edges))
    g_edges = {pair: Edge(vertices[pair[0]], vertices[pair[1]]) for pair in pairs}
    graph = Graph(list(vertices.values()), list(g_edges.values()))
    centres: dict[str, tuple[float, int]] = {}
    dummies: dict[tuple[str, str], dict[int, float]] = {}
    offset = 0.0
    for component in graph.C:
        sug = SugiyamaLayout(component)
        sug.xspace, sug.yspace = X_SPACE, box_height
        sug.init_all()
        sug.draw()
        placed = [(v.view.xy[0], v.view.w) for v in component.sV]
        placed += [(v.view.xy[0], 1) for layer in sug.layers for v in layer]
        left = min(x - w / 2 for x, w in placed)
        right = max(x + w / 2 for x, w in placed)
        shift = offset - left
        for v in component.sV:
            centres[v.data] = (v.view.xy[0] + shift, sug.grx[v].rank)
        for e in component.sE:
            ctrl = sug.ctrls.get(e, {})
            low, high = (centres.get(v.data, (0, 0))[1] for v in e.v)
            dummies[(e.v[0].data, e.v[1].data)] = {
                r: ctrl[r].view.xy[0] + shift for r in ctrl if low < r < high}
        offset += right - left + COMPONENT_GAP
    return centres, dummies, max(1, int(offset - COMPONENT_GAP) + 2)


class _View:
    """grandalf's vertex view: a size in, a centre position out."""

    def __init__(self, w: int, h: int) -> None:
        self.w = w
        self.h = h
        self.xy = (0.0, 0.0)


def _spread(first: int, last: int, count: int, parity: int) -> list[int]:
    """``count`` distinct columns of ``first..last``, spread evenly, on columns of the given
    ``parity`` (so no exit is ever above another edge's entry, see ``layout``) when the room
    allows (it does for boxes sized by graph_canvas)."""
    if count <= 0:
        return []
    columns = [c for c in range(first, last + 1) if c % 2 == parity]
    if len(columns) < count:
        columns = list(range(first, last + 1))
    if len(columns) < count:  # no room at all: overlap at the box's end rather than fail
        columns += [columns[-1] if columns else first] * (count - len(columns))
    if count == 1:
        return [columns[(len(columns) - 1) // 2]]
    step = (len(columns) - 1) / (count - 1)
    return [columns[int(round(i * step))] for i in range(count)]


def layout(boxes: list[BoxSpec], edges: list[EdgeSpec], *, box_height: int) -> Layout:
    """Place ``boxes`` in layers (an edge's source above its target) and route ``edges``."""
    by_id = {box.id: box for box in boxes}
    centres, dummies, width = _place(boxes, edges, box_height)
    left = {b.id: max(0, int(round(centres[b.id][0])) - b.width // 2) for b in boxes}
    layer = {b.id: centres[b.id][1] for b in boxes}
    chains = _chains(edges, dummies, layer, width)
    entries = _entry_ports(boxes, edges, left, by_id)
    exits = _exit_ports(boxes, edges, left, by_id, chains, entries)
    _straighten(edges, chains, entries, exits, left, by_id)
    layers = max(layer.values(), default=0) + 1
    gaps: list[list[Segment]] = [[] for _ in range(max(0, layers - 1))]
    passes: list[tuple[int, int]] = []
    for index, edge in enumerate(edges):
        cols = [exits[index], *chains[index], entries[index]]
        first = layer[edge.source]
        for step, (start, end) in enumerate(zip(cols, cols[1:], strict=False)):
            gaps[first + step].append(Segment(index, start, end))
        passes += [(first + step, col) for step, col in enumerate(chains[index], start=1)]
    tracks = [_assign_tracks(segments) for segments in gaps]
    rows = [0]
    for gap in range(layers - 1):
        rows.append(rows[-1] + box_height + tracks[gap] + 1)  # tracks, then the arrow row
    right = max((left[b.id] + b.width for b in boxes), default=1)
    return Layout(
        boxes={b.id: (rows[layer[b.id]], left[b.id]) for b in boxes}, layer_rows=rows,
        box_height=box_height, gaps=gaps, gap_tracks=tracks, exits=exits, entries=entries,
        passes=passes, width=max(width, right), height=rows[-1] + box_height,
    )


def _chains(edges: list[EdgeSpec], dummies: dict, layer: dict[str, int],
            width: int) -> list[list[int]]:
    """The column an edge runs down through each layer it skips. A second edge between the
    same two boxes (``x * x`` over a layer) runs one column to the right of the first."""
    seen: dict[tuple[str, str], int] = {}
    chains = []
    for edge in edges:
        pair = (edge.source, edge.target)
        nth = seen.get(pair, 0)
        seen[pair] = nth + 1
        points = dummies.get(pair, {})
        skipped = range(layer[edge.source] + 1, layer[edge.target])
        chains.append([min(width - 1, int(round(points[r])) + nth) for r in skipped
                       if r in points])
    return chains


def _entry_ports(boxes: list[BoxSpec], edges: list[EdgeSpec], left: dict[str, int],
                 by_id: dict[str, BoxSpec]) -> dict[int, int]:
    """Each edge's port on its target's top border: inputs left to right in position order."""
    entries: dict[int, int] = {}
    incoming: dict[str, list[int]] = {}
    for index, edge in enumerate(edges):
        incoming.setdefault(edge.target, []).append(index)
    for target, indices in incoming.items():
        box = by_id[target]
        indices.sort(key=lambda i: edges[i].position)
        first = left[target] + 2 + (box.top_tag + 1 if box.top_tag else 0)
        cols = _spread(first, left[target] + box.width - 3, len(indices), ENTRY_PARITY)
        entries.update(zip(indices, cols, strict=True))
    return entries


def _exit_ports(boxes: list[BoxSpec], edges: list[EdgeSpec], left: dict[str, int],
                by_id: dict[str, BoxSpec], chains: list[list[int]],
                entries: dict[int, int]) -> dict[int, int]:
    """Each edge's port on its source's bottom border, ordered by where the edge goes next
    (fewer crossings); a box's bottom tag keeps the border's first columns."""
    exits: dict[int, int] = {}
    outgoing: dict[str, list[int]] = {}
    for index, edge in enumerate(edges):
        outgoing.setdefault(edge.source, []).append(index)
    for source, indices in outgoing.items():
        box = by_id[source]
        indices.sort(key=lambda i: (chains[i] or [entries[i]])[0])
        first = left[source] + 2 + (box.bottom_tag + 1 if box.bottom_tag else 0)
        cols = _spread(first, left[source] + box.width - 3, len(indices), 1 - ENTRY_PARITY)
        exits.update(zip(indices, cols, strict=True))
    return exits


def _straighten(edges: list[EdgeSpec], chains: list[list[int]], entries: dict[int, int],
                exits: dict[int, int], left: dict[str, int], by_id: dict[str, BoxSpec]) -> None:
    """Line up the two ends of an edge that is its source's only way out or its target's only
    way in, when the other end's port can move there: a chain of ops then runs straight down
    instead of jogging sideways at every box."""
    outs = _tally(edge.source for edge in edges)
    ins = _tally(edge.target for edge in edges)
    for index, edge in enumerate(edges):
        if chains[index]:
            continue  # it runs through other layers: its columns there are grandalf's
        source, target = by_id[edge.source], by_id[edge.target]
        if ins[edge.target] == 1:
            low = left[edge.target] + 2 + (target.top_tag + 1 if target.top_tag else 0)
            high = left[edge.target] + target.width - 3
            if low <= exits[index] <= high:
                entries[index] = exits[index]
                continue
        if outs[edge.source] == 1:
            low = left[edge.source] + 2 + (source.bottom_tag + 1 if source.bottom_tag else 0)
            high = left[edge.source] + source.width - 3
            if low <= entries[index] <= high:
                exits[index] = entries[index]


def _tally(keys: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:  # type: ignore[attr-defined]
        counts[key] = counts.get(key, 0) + 1
    return counts


def _assign_tracks(segments: list[Segment]) -> int:
    """Give every sideways segment of one gap a track row; returns how many rows it takes.

    Two segments on one track never touch (a column apart at least). Where one segment leaves
    from the column another arrives at, the leaving one turns first (a smaller track), so the
    two vertical pieces in that column do not meet. (A straight segment needs no track, and no
    other segment leaves from or arrives at its column: ports and pass columns are distinct.)
    """
    moving = sorted((s for s in segments if s.start != s.end),
                    key=lambda s: (min(s.start, s.end), max(s.start, s.end)))
    arriving = {s.end: s for s in moving}
    below: dict[int, list[Segment]] = {}  # id(segment) -> the segments that must turn later
    waiting = {id(s): 0 for s in moving}  # how many must turn before this one
    for segment in moving:
        later = arriving.get(segment.start)
        if later is not None and later is not segment:
            below.setdefault(id(segment), []).append(later)
            waiting[id(later)] += 1
    floor = {id(s): 0 for s in moving}
    spans: list[list[tuple[int, int]]] = []  # per track: the column spans on it
    pending = moving[:]
    while pending:
        # (a cycle of such pairs, which ports make very rare, is broken anywhere)
        segment = next((s for s in pending if waiting[id(s)] <= 0), pending[0])
        pending.remove(segment)
        low, high = sorted((segment.start, segment.end))
        track = floor[id(segment)]
        while track < len(spans) and any(a - 1 <= high and low <= b + 1 for a, b in spans[track]):
            track += 1
        if track == len(spans):
            spans.append([])
        spans[track].append((low, high))
        segment.track = track
        for later in below.get(id(segment), []):
            waiting[id(later)] -= 1
            floor[id(later)] = max(floor[id(later)], track + 1)
    return len(spans)
