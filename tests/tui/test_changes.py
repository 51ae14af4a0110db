from __future__ import annotations

from dataclasses import replace

from gradtui.kernel.protocol import Snapshot, TensorInfo
from gradtui.tui.changes import GradTracker, changed_tensors


def _x(grad: str | None) -> TensorInfo:
    return TensorInfo("x", [2], "torch.float32", True, True, None, "n6", "[1., 1.]", grad)


def _y() -> TensorInfo:
    return TensorInfo("y", [2], "torch.float32", True, False, "MulBackward0", "n3", "[20., 20.]",
                      None)


def test_new_and_modified_tensors_are_changed_others_not():
    before = Snapshot([_x(None), _y()])
    after = Snapshot([_x("tensor([10., 10.])"), _y(),
                      replace(_y(), name="z")])
    assert changed_tensors(before, after) == {"x", "z"}
    assert changed_tensors(None, before) == {"x", "y"}


def test_grad_tracker_shows_accumulation_10_then_20():
    tracker = GradTracker()
    rows = tracker.update(Snapshot([_x(None), _y()]))
    assert [(r.name, r.grad, r.changed) for r in rows] == [("x", None, False)]
    rows = tracker.update(Snapshot([_x("tensor([10., 10.])")], last_backward=["n6"]))
    assert rows[0].changed and rows[0].before is None and rows[0].grad == "tensor([10., 10.])"
    rows = tracker.update(Snapshot([_x("tensor([10., 10.])")], last_backward=["n6"]))
    assert rows[0].changed and rows[0].before is None  # an unrelated cell keeps the last change
    rows = tracker.update(Snapshot([_x("tensor([20., 20.])")], last_backward=["n6"]))
    assert rows[0].before == "tensor([10., 10.])" and rows[0].grad == "tensor([20., 20.])"


def test_zeroing_a_grad_by_hand_is_not_a_backward():
    tracker = GradTracker()
    tracker.update(Snapshot([_x("tensor([10., 10.])")], last_backward=["n6"]))
    rows = tracker.update(Snapshot([_x("tensor([0., 0.])")], last_backward=[]))
    assert rows[0].grad == "tensor([0., 0.])" and rows[0].before is None


def test_a_leaf_bound_to_two_names_is_one_row_named_by_the_real_name():
    from dataclasses import replace

    tracker = GradTracker()
    rows = tracker.update(Snapshot([replace(_x(None), name="_"), _x(None), replace(_x(None),
                                    name="alias")]))
    assert [r.name for r in rows] == ["x"]


def test_renumbered_graph_nodes_alone_are_not_a_change():
    before = Snapshot([_y()])
    after = Snapshot([replace(_y(), node="n9")])
    assert changed_tensors(before, after) == set()
