"""Snapshots carry the gradient that reached each node in the latest backward (engine/flow)."""

from __future__ import annotations

from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.snapshot import build_snapshot


def _run(*cells: str) -> Evaluator:
    ev = Evaluator()
    for cell in cells:
        result = ev.execute(cell)
        assert result.ok, result.error
    return ev


def _snap(ev: Evaluator):
    return build_snapshot(ev.namespace, repl_echo=ev.underscore_is_echo)


def test_after_a_backward_each_op_node_carries_the_gradient_that_reached_it() -> None:
    ev = _run("import torch\na = torch.tensor(2., requires_grad=True)\n"
              "b = torch.tensor(3., requires_grad=True)\nd = a * b + a")
    snap = _snap(ev)
    assert all(node.grad is None for node in snap.nodes.values())
    ev.execute("e = d * 4\ne.backward()")
    snap = _snap(ev)
    add = snap.nodes[snap.tensor("d").node]
    mul = snap.nodes[add.next[0]]
    assert snap.nodes[snap.tensor("e").node].grad == "1."
    assert add.grad == "4." and mul.grad == "4."
    assert snap.tensor("a").grad_preview == "16."
