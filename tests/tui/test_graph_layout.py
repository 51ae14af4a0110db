"""graph_layout routes every edge on its own: checked on random graphs, not only on pictures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gradtui.tui.graph_layout import BoxSpec, EdgeSpec, Layout, layout


@st.composite
def dags(draw):
    """Random autograd-like graphs: node i may take inputs from any node with a larger index
    (like next_functions), some of them twice (``x * x``); widths as boxes of labels would be."""
    count = draw(st.integers(2, 9))
    boxes, edges = [], []
    for node in range(count):
        width = draw(st.integers(8, 22))
        boxes.append(BoxSpec(f"n{node}", width, top_tag=draw(st.sampled_from([0, 0, 5]))))
    for node in range(count - 1):
        inputs = draw(st.lists(st.integers(node + 1, count - 1), min_size=1, max_size=3))
        for position, source in enumerate(inputs):
            edges.append(EdgeSpec(f"n{source}", f"n{node}", position))
    needed = {}
    for edge in edges:
        needed[edge.target] = needed.get(edge.target, 0) + 1
        needed[edge.source] = needed.get(edge.source, 0) + 1
    # room for the ports, as graph_canvas makes it
    boxes = [BoxSpec(b.id, max(b.width, b.top_tag + 1 + 2 * needed.get(b.id, 0) + 4), b.top_tag)
             for b in boxes]
    return boxes, edges


def _check(geometry: Layout, boxes: list[BoxSpec], edges: list[EdgeSpec]) -> None:
    width = {b.id: b.width for b in boxes}
    for target in {e.target for e in edges}:
        mine = sorted((e.position, geometry.entries[i]) for i, e in enumerate(edges)
                      if e.target == target)
        cols = [col for _, col in mine]
        assert cols == sorted(cols) and len(set(cols)) == len(cols)  # input order, distinct
        top, left = geometry.boxes[target]
        assert all(left < col < left + width[target] - 1 for col in cols)
    for source in {e.source for e in edges}:
        cols = [geometry.exits[i] for i, e in enumerate(edges) if e.source == source]
        assert len(set(cols)) == len(cols)
        _, left = geometry.boxes[source]
        assert all(left < col < left + width[source] - 1 for col in cols)
    for gap, segments in enumerate(geometry.gaps):
        by_track: dict[int, list[tuple[int, int]]] = {}
        for segment in segments:
            if segment.track is None:
                assert segment.start == segment.end
                continue
            assert 0 <= segment.track < geometry.gap_tracks[gap]
            by_track.setdefault(segment.track, []).append(sorted((segment.start, segment.end)))
        for spans in by_track.values():  # one track: segments never touch
            spans.sort()
            assert all(a[1] + 1 < b[0] for a, b in zip(spans, spans[1:], strict=False))
        leaving = {s.start: s for s in segments}
        for segment in segments:  # a column where one leaves and another arrives
            other = leaving.get(segment.end)
            if other is not None and other is not segment:
                assert other.track is not None and segment.track is not None
                assert other.track < segment.track
    for index, edge in enumerate(edges):  # each edge's pieces join up from exit to entry
        pieces = [(gap, s) for gap, segments in enumerate(geometry.gaps) for s in segments
                  if s.edge == index]
        top_source = geometry.layer_rows.index(geometry.boxes[edge.source][0])
        assert [gap for gap, _ in pieces] == list(range(top_source, top_source + len(pieces)))
        assert pieces[0][1].start == geometry.exits[index]
        assert pieces[-1][1].end == geometry.entries[index]
        assert all(a.end == b.start for (_, a), (_, b) in zip(pieces, pieces[1:], strict=False))


@settings(max_examples=150, deadline=None)
@given(dags())
def test_every_edge_has_ports_and_tracks_of_its_own(graph) -> None:
    boxes, edges = graph
    _check(layout(boxes, edges, box_height=3), boxes, edges)


def test_boxes_of_one_layer_never_overlap_and_sources_sit_above_targets() -> None:
    boxes = [BoxSpec(f"n{i}", 18) for i in range(5)]
    edges = [EdgeSpec("n1", "n0", 0), EdgeSpec("n2", "n0", 1), EdgeSpec("n3", "n1", 0),
             EdgeSpec("n4", "n1", 1), EdgeSpec("n4", "n2", 0)]
    geometry = layout(boxes, edges, box_height=3)
    for edge in edges:
        assert geometry.boxes[edge.source][0] < geometry.boxes[edge.target][0]
    rows: dict[int, list[tuple[int, int]]] = {}
    for box in boxes:
        row, col = geometry.boxes[box.id]
        rows.setdefault(row, []).append((col, col + box.width))
    for spans in rows.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
