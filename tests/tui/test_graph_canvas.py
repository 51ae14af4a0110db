from __future__ import annotations

import pytest

from gradtui.tui.glyphs import ASCII, UNICODE
from gradtui.tui.graph_canvas import MAX_LAYOUT_NODES, GraphTooLarge, layout_graph

from .graphs import chain, diamond, two_leaves


def test_a_diamond_draws_its_shared_leaf_once_above_both_ops():
    canvas = layout_graph(diamond(), "a", UNICODE)
    text = "\n".join(canvas.lines())
    assert text.count("w [2]") == 1
    assert text.count("MulBackward0 [2]") == 1 and text.count("ExpBackward0 [2]") == 1
    leaf_row = canvas.boxes["d"][0]
    assert leaf_row < canvas.boxes["b"][0] and leaf_row < canvas.boxes["c"][0]
    assert canvas.boxes["a"][0] > canvas.boxes["b"][0]  # the output is drawn last, at the bottom


def test_roles_and_border_tags_say_what_each_box_is():
    canvas = layout_graph(diamond(), "a", UNICODE)
    text = "\n".join(canvas.lines())
    assert "AccumulateGrad" in text and "out" in text and "saved" in text and "const" in text
    row, col, height, width = canvas.boxes["b"]  # MulBackward0 saved a number: no buffer
    assert "saved" not in "".join(canvas.chars[row + height - 1][col:col + width])
    row, col, _, _ = canvas.boxes["a"]
    assert canvas.chars[row][col] == "╔" and canvas.roles[row][col] == "output"
    row, col, _, _ = canvas.boxes["d"]
    assert canvas.roles[row + 1][col] == "leaf"


def test_edges_arrive_with_an_arrow_into_each_consumer():
    canvas = layout_graph(diamond(), "a", UNICODE)
    for node in ("a", "b", "c"):
        row, col, _, width = canvas.boxes[node]
        above = "".join(canvas.chars[row - 1][col:col + width])
        assert "▼" in above


def test_ascii_mode_uses_only_ascii_characters():
    canvas = layout_graph(diamond(), "a", ASCII, current="b")
    text = "\n".join(canvas.lines())
    assert text.isascii()
    assert ">MulBackward0 [2]<" in text


def test_current_step_node_is_marked_in_text_and_role():
    canvas = layout_graph(diamond(), "a", UNICODE, current="c")
    row, col, _, _ = canvas.boxes["c"]
    assert "▶ExpBackward0 [2]◀" in "".join(canvas.chars[row + 1])
    assert canvas.roles[row + 1][col] == "current"


def test_too_many_nodes_raise_graph_too_large():
    with pytest.raises(GraphTooLarge):
        layout_graph(chain(MAX_LAYOUT_NODES + 5), f"n{MAX_LAYOUT_NODES + 4}", UNICODE)


def test_nodes_a_walk_has_passed_are_ticked():
    canvas = layout_graph(diamond(), "a", UNICODE, current="c", visited=frozenset({"a"}))
    row, col, _, width = canvas.boxes["a"]
    assert "".join(canvas.chars[row + 1][col:col + width]).endswith("✓║")
    assert canvas.roles[row][col] == "visited"


def _entry_of(canvas, source: str, target: str) -> str:
    """Follow the edge out of ``source``'s box down to ``target``'s top border: the port label
    it arrives at. Walks the line glyphs cell by cell (crossings go straight on)."""
    row, col, height, width = canvas.boxes[source]
    starts = [c for c in range(col, col + width)
              if canvas.chars[row + height - 1][c] in "┬+"]
    t_row, t_col, _, t_width = canvas.boxes[target]
    found = []
    for c in starts:
        r, heading = row + height, "down"
        while r < canvas.height:
            ch = canvas.chars[r][c]
            if ch == "▼":
                if r + 1 == t_row and t_col <= c < t_col + t_width:
                    found.append(canvas.chars[t_row][c])
                break
            if heading == "down" and ch in "└┘":
                heading = "right" if ch == "└" else "left"
            elif heading in ("left", "right") and ch in "┐┌":
                heading = "down"
            if heading == "down":
                r += 1
            else:
                c += 1 if heading == "right" else -1
    return "".join(found)


def test_two_graphs_of_the_same_shape_are_told_apart_by_their_ports():
    # The pair: in `a*b + a` leaf a feeds Mul's input 1 and Add's input 2; in
    # `(a+b)*b` leaf b feeds Add's input 2 and Mul's input 2. Each edge has its own line and
    # arrives at a numbered port.
    first = layout_graph(two_leaves("a*b + a"), "add", UNICODE)
    second = layout_graph(two_leaves("(a+b)*b"), "add", UNICODE)
    assert first.lines() != second.lines()
    assert sorted(_entry_of(first, "la", "mul") + _entry_of(first, "la", "add")) == ["1", "2"]
    assert _entry_of(first, "lb", "mul") == "2" and _entry_of(first, "mul", "add") == "1"
    assert _entry_of(second, "lb", "mul") == "2" and _entry_of(second, "lb", "add") == "2"
    assert _entry_of(second, "la", "mul") == "1"
    text = "\n".join(first.lines())
    assert "├" not in text and "┤" not in text  # no two edges join into one line


def test_values_and_gradients_in_every_box_when_asked():
    snap = diamond()
    snap.nodes["a"].grad = "[1., 1.]"
    snap.tensors[0].grad_preview = "[3.7183, 3.7183]"
    canvas = layout_graph(snap, "a", UNICODE, details=True)
    text = "\n".join(canvas.lines())
    assert "data [1., 1.]" in text  # w, from the Tensors row
    assert "data [2.7183, 2.7183]" in text  # exp's saved result is its own value
    assert "grad [3.7183, 3.7183]" in text and "grad [1., 1.]" in text
    assert "data [4.7, 4.7]" in text  # out
    assert canvas.boxes["a"][2] == 5  # two more rows a box


def test_compact_boxes_take_less_room():
    full = layout_graph(diamond(), "a", UNICODE)
    compact = layout_graph(diamond(), "a", UNICODE, compact=True)
    assert compact.width < full.width
    text = "\n".join(compact.lines())
    assert "Mul" in text and "Exp" in text and "MulBackward0" not in text
