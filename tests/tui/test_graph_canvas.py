from __future__ import annotations

import pytest

from gradtui.tui.glyphs import ASCII, UNICODE
from gradtui.tui.graph_canvas import MAX_LAYOUT_NODES, GraphTooLarge, layout_graph

from .graphs import chain, diamond


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
