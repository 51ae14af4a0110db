from __future__ import annotations

from gradtui.kernel.protocol import Snapshot
from gradtui.tui.graph_select import default_root, node_label, reachable

from .graphs import chain, diamond


def test_reachable_lists_each_node_once_root_first():
    ids = [n.id for n in reachable(diamond(), "a")]
    assert ids[0] == "a" and sorted(ids) == ["a", "b", "c", "d"]


def test_reachable_walks_a_100000_op_chain_without_recursion():
    assert len(reachable(chain(100_000), "n99999")) == 100_001


def test_default_root_prefers_the_last_echoed_tensor_then_the_last_with_a_graph():
    snap = diamond()
    assert default_root(snap).name == "out"
    snap.last_value = None
    assert default_root(snap).name == "out"
    assert default_root(Snapshot()) is None


def test_node_labels_name_leaves_by_their_variable():
    snap = diamond()
    assert node_label(snap.nodes["d"]) == "w [2]"
    assert node_label(snap.nodes["a"]) == "AddBackward0 [2]"
