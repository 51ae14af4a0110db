from __future__ import annotations

from gradtui.tui.glyphs import ASCII, UNICODE
from gradtui.tui.graph_tree import graph_tree_lines

from .graphs import chain, diamond


def test_tree_expands_a_shared_node_once_and_refers_back_to_it():
    lines = [text for text, _ in graph_tree_lines(diamond(), "a", UNICODE)]
    assert lines[0] == "AddBackward0 [2]"
    assert lines[1] == "├─ MulBackward0 [2]"  # it saved a number: no buffer to free
    assert lines[2] == "│  ├─ w [2]"
    assert lines[3] == "│  └─ const"
    assert lines[4] == "└─ ExpBackward0 [2] (saved)"
    assert lines[5] == "   └─ ^ w [2] (shared, shown above)"


def test_tree_of_a_long_chain_is_iterative_and_capped():
    lines = graph_tree_lines(chain(100_000), "n99999", ASCII, max_lines=500)
    assert len(lines) == 501
    assert "cut at 500 lines" in lines[-1][0]
    assert all(text.isascii() for text, _ in lines)


def test_roles_mark_output_and_leaves():
    lines = graph_tree_lines(diamond(), "a", UNICODE)
    assert lines[0][1] == "output" and lines[2][1] == "leaf" and lines[3][1] == "const"


def test_deep_chains_restart_the_indentation_with_the_depth_written():
    lines = [text for text, _ in graph_tree_lines(chain(200), "n199", UNICODE)]
    assert max(len(line) for line in lines) < 3 * 24 + 40
    assert any(line.startswith("[depth 24] ├─ AddBackward0 [1]") for line in lines)


def test_tree_ticks_visited_nodes():
    lines = graph_tree_lines(diamond(), "a", ASCII, visited=frozenset({"a"}))
    assert lines[0] == ("AddBackward0 [2] *", "visited")
