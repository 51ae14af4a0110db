"""The REPL's ``_`` is no name of the learner's: it never names a leaf and is no listed tensor."""

from __future__ import annotations

from gradtui.kernel import views
from gradtui.kernel.backward_trace import trace_backward
from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.snapshot import build_snapshot


def _run(*cells: str) -> Evaluator:
    ev = Evaluator()
    for cell in cells:
        result = ev.execute(cell)
        assert result.ok, result.error
    return ev


def _snap(ev: Evaluator):
    return build_snapshot(ev.namespace, last_value_name=ev.last_value_name,
                          repl_echo=ev.underscore_is_echo)


def test_echoing_x_does_not_rename_its_leaf_to_underscore() -> None:
    # The case: `x` echoed (so `_` is x, and `_` comes first in the namespace), then y.
    ev = _run("import torch\n_ = None", "x = torch.ones(2, requires_grad=True)", "x",
              "y = 5 * (x + 1) ** 2")
    snap = _snap(ev)
    leaves = [node for node in snap.nodes.values() if node.kind == "leaf"]
    assert [leaf.variable for leaf in leaves] == ["x"]
    assert [t.name for t in snap.listed()] == ["x", "y"]
    assert snap.tensor("_") is not None and snap.tensor("_").echo
    assert "_" not in views.tensors_table(snap).split()
    assert "_" not in views.grads_table(snap).split()


def test_an_echoed_tuple_lists_no_underscore_items() -> None:
    ev = _run("import torch\na = torch.ones(1, requires_grad=True)\nb = a * 2", "a, b")
    snap = _snap(ev)
    assert {t.name for t in snap.tensors if t.echo} == {"_[0]", "_[1]"}
    assert [t.name for t in snap.listed()] == ["a", "b"]


def test_an_unnamed_echo_keeps_its_graph_under_a_leaf_with_no_name() -> None:
    ev = _run("import torch", "torch.ones(2, requires_grad=True) * 3")
    snap = _snap(ev)
    assert snap.last_value == "_" and snap.listed() == []
    echo = snap.tensor("_")
    assert echo is not None and echo.grad_fn == "MulBackward0"
    leaf = snap.nodes[snap.nodes[echo.node].next[0]]
    assert leaf.kind == "leaf" and leaf.variable is None


def test_an_underscore_the_learner_bound_is_theirs() -> None:
    ev = _run("import torch", "x = torch.ones(2)", "x", "_ = torch.zeros(3, requires_grad=True)")
    snap = _snap(ev)
    assert not ev.underscore_is_echo
    assert [t.name for t in snap.listed()] == ["x", "_"]
    assert next(n for n in snap.nodes.values() if n.kind == "leaf").variable == "_"


def test_a_backward_walk_names_leaves_by_the_learners_names() -> None:
    ev = _run("import torch\n_ = None", "x = torch.ones(2, requires_grad=True)", "x",
              "o = (x * x).sum()")
    trace = trace_backward(ev.namespace, "o", repl_echo=ev.underscore_is_echo)
    assert trace.error is None and list(trace.leaf_grads) == ["x"]

