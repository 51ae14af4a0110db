from __future__ import annotations

from gradtui.tui.glyphs import UNICODE
from gradtui.tui.graph_render import draw_graph

from .graphs import chain, diamond, wide


def test_small_graph_is_drawn_as_a_dag():
    drawing = draw_graph(diamond(), "a", UNICODE, max_width=200)
    assert drawing.mode == "dag" and drawing.note == ""


def test_a_5000_node_graph_falls_back_to_a_tree_and_says_so():
    drawing = draw_graph(chain(5000), "n4999", UNICODE, max_width=200)
    assert drawing.mode == "tree"
    assert "too large" in drawing.note and "5001 nodes" in drawing.note


def test_a_graph_wider_than_allowed_falls_back_to_a_tree_and_says_so():
    drawing = draw_graph(wide(30), "s", UNICODE, max_width=120)
    assert drawing.mode == "tree" and "columns wide" in drawing.note
    assert sum("p" in run for line in drawing.lines for run, _ in line) >= 30


def test_tree_drawing_knows_where_the_current_step_is():
    drawing = draw_graph(chain(400), "n399", UNICODE, max_width=200, current="n397")
    assert drawing.boxes["n397"][0] == 2


def test_drawing_key_changes_exactly_when_the_drawing_would():
    from dataclasses import replace

    from gradtui.tui.graph_render import drawing_key

    snap = diamond()
    assert drawing_key(snap, "a", None) == drawing_key(diamond(), "a", None)
    assert drawing_key(snap, "a", None) != drawing_key(snap, "a", "b")
    freed = diamond()
    freed.nodes["b"] = replace(freed.nodes["b"], saved_freed=True)
    assert drawing_key(freed, "a", None) != drawing_key(snap, "a", None)
    unrelated = diamond()
    unrelated.tensors = unrelated.tensors[:1]  # other tensors do not matter
    assert drawing_key(unrelated, "a", None) == drawing_key(snap, "a", None)


def test_a_graph_cut_by_the_kernel_says_so():
    snap = chain(10)
    del snap.nodes["leaf"]
    snap.truncated = ["graph cut at 10 nodes"]
    drawing = draw_graph(snap, "n9", UNICODE, max_width=200)
    assert drawing.mode == "dag" and drawing.note == "graph cut at 10 nodes"
    assert draw_graph(chain(10), "n9", UNICODE, max_width=200).note == ""


def test_a_failing_layout_falls_back_to_the_tree(monkeypatch):
    import gradtui.tui.graph_render as graph_render

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(graph_render, "layout_graph", broken)
    drawing = draw_graph(diamond(), "a", UNICODE, max_width=200)
    assert drawing.mode == "tree" and "layout failed (ValueError: boom)" in drawing.note
