"""The recap after a pass: what the step changed, in a few lines."""

from __future__ import annotations

from gradtui.kernel.protocol import GraphNode, Snapshot, TensorInfo
from gradtui.lessons.recap import recap


def info(name: str, value: str, *, grad: str | None = None, grad_fn: str | None = None,
         shape: list[int] | None = None, node: str | None = None,
         requires_grad: bool = True) -> TensorInfo:
    return TensorInfo(name=name, shape=[2] if shape is None else shape, dtype="torch.float32",
                      requires_grad=requires_grad, is_leaf=grad_fn is None, grad_fn=grad_fn,
                      node=node, value_preview=value, grad_preview=grad)


def test_new_tensors_changed_values_and_gradients_are_listed() -> None:
    before = Snapshot(tensors=[info("x", "[1., 1.]"), info("w", "[1., 2.]")])
    after = Snapshot(tensors=[info("x", "[1., 1.]", grad="[10., 10.]"),
                              info("w", "[0.8, 1.6]"),
                              info("o", "20.", grad_fn="MulBackward0", shape=[]),
                              info("_", "20.", grad_fn="MulBackward0", shape=[])])
    assert recap(before, after) == [
        "`x.grad`: None → `[10., 10.]`",
        "`w`: `[1., 2.]` → `[0.8, 1.6]`",
        "new `o`: `20.`, one number, made by MulBackward0",
    ]


def test_a_graph_used_up_by_backward_is_said_once() -> None:
    node = GraphNode("n1", "MulBackward0", "op", [], saved_freed=True)
    fresh = GraphNode("n1", "MulBackward0", "op", [])
    o = info("o", "20.", grad_fn="MulBackward0", shape=[], node="n1")
    before = Snapshot(tensors=[o], nodes={"n1": fresh})
    after = Snapshot(tensors=[o], nodes={"n1": node})
    assert recap(before, after) == [
        "the graph of `o` was used up by backward (its saved values freed)"]
    assert recap(after, after) == []


def test_a_long_recap_is_cut_with_a_pointer_to_the_full_list() -> None:
    after = Snapshot(tensors=[info(f"t{i}", f"{i}.", shape=[], requires_grad=False)
                              for i in range(8)])
    lines = recap(None, after)
    assert len(lines) == 5 and lines[0] == "new `t0`: `0.`, one number, no graph"
    assert lines[-1] == "and 4 more changes (the Tensors panel, or :tensors, lists them all)"
