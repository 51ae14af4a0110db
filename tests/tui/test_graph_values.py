"""Why a box shows no value: freed by a backward, or never kept."""

from __future__ import annotations

from gradtui.kernel.protocol import GraphNode, SavedValue, Snapshot, TensorInfo
from gradtui.tui.graph_values import (
    FREED,
    NOT_KEPT,
    gaps_note,
    node_values,
    value_gaps,
)


def exp_of_sum(*, freed: bool) -> Snapshot:
    """``out = (w + 1).exp() * (w * 2)``: exp saves its result and mul saves both factors,
    so before a backward every value is known, and after one without retain_graph only the
    named ones are."""
    nodes = {
        "m": GraphNode("m", "MulBackward0", "op", [2], ["e", "t"],
                       saved=[] if freed else [SavedValue("self", "tensor([7.4, 7.4])", [2]),
                                               SavedValue("other", "tensor([2., 2.])", [2])],
                       saved_freed=freed, freed=["self", "other"] if freed else []),
        "e": GraphNode("e", "ExpBackward0", "op", [2], ["p"],
                       saved=[] if freed else [SavedValue("result", "tensor([7.4, 7.4])", [2])],
                       saved_freed=freed, freed=["result"] if freed else []),
        "p": GraphNode("p", "AddBackward0", "op", [2], ["w", None],
                       saved=[SavedValue("alpha", "1")]),
        "t": GraphNode("t", "MulBackward0", "op", [2], ["w", None],
                       saved=[] if freed else [SavedValue("other", "2")], saved_freed=freed),
        "w": GraphNode("w", "AccumulateGrad", "leaf", [2], [], variable="w"),
    }
    tensors = [TensorInfo("w", [2], "torch.float32", True, True, None, "w", "[1., 1.]", None),
               TensorInfo("out", [2], "torch.float32", True, False, "MulBackward0", "m",
                          "[14.8, 14.8]", None)]
    return Snapshot(tensors, nodes)


def test_before_a_backward_nothing_is_missing_but_an_unsaved_intermediate():
    snap = exp_of_sum(freed=False)
    nodes = list(snap.nodes.values())
    values = node_values(snap, nodes)
    assert values["e"] == "[7.4, 7.4]" and values["t"] == "[2., 2.]"
    assert value_gaps(nodes, values) == {"p": NOT_KEPT}  # w + 1: nobody saved it


def test_after_a_backward_the_freed_values_are_told_from_the_never_kept():
    snap = exp_of_sum(freed=True)
    nodes = list(snap.nodes.values())
    gaps = value_gaps(nodes, node_values(snap, nodes))
    assert gaps == {"e": FREED, "t": FREED, "p": NOT_KEPT}
    note = gaps_note(gaps)
    assert "retain_graph=True" in note and "name it" in note
    assert all(len(line) <= 70 for line in note.split("\n"))  # a line each from 80 columns


def test_no_note_when_every_value_is_known():
    assert gaps_note({}) == ""
