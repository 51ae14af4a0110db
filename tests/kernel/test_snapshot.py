"""Snapshots: listed tensors, the graph walk and its ids, caps, and reading only safe fields."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from gradtui.kernel import backward_trace
from gradtui.kernel import snapshot as snapshot_module
from gradtui.kernel.protocol import Snapshot, from_dict, to_dict
from gradtui.kernel.snapshot import build_snapshot, namespace_tensors
from kernel.kernel_fake_engine import AccumulateGrad, Tensor, chain, leaf, op


@pytest.fixture(autouse=True)
def no_backward_yet(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake graphs never ran a backward; real-engine tests (``seed_ns``) ask the engine."""
    if "seed_ns" not in request.fixturenames:
        monkeypatch.setattr(snapshot_module, "_last_backward_ids", lambda: set())


def _ns(**values: Any) -> dict[str, Any]:
    return {"__name__": "__main__", **values}


def test_tensors_are_found_at_top_level_and_one_level_inside_containers() -> None:
    import math

    a, b, c = leaf([1.0]), leaf([2.0]), leaf([3.0])
    ns = _ns(
        a=a,
        params=[b, 5],
        d={"w": c, 1: a, (1, 2): b},
        _private=a,
        _=b,
        math=math,
        Tensor=Tensor,
        nested=[[a]],
    )
    names = [name for name, _ in namespace_tensors(ns)]
    assert names == ["a", "params[0]", "d['w']", "d[1]", "_"]


def test_tensor_info_fields_describe_the_tensor() -> None:
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    x._grad = Tensor(np.full((2, 2), 0.5, dtype=np.float32))
    info = build_snapshot(_ns(x=x)).tensor("x")
    assert info is not None
    assert info.shape == [2, 2]
    assert info.dtype == "torch.float32"
    assert info.requires_grad and info.is_leaf and info.grad_fn is None
    assert info.value_preview == "[[1., 2.], [3., 4.]]"
    assert info.grad_preview == "[[0.5, 0.5], [0.5, 0.5]]"
    assert info.values == [[1.0, 2.0], [3.0, 4.0]]
    assert info.grad_values == [[0.5, 0.5], [0.5, 0.5]]
    assert info.numel == 4


def test_graph_nodes_follow_next_functions_order_and_name_the_leaves() -> None:
    x = leaf([1.0, 1.0])
    y = op("MulBackward0", [None, x], (2,), self=np.array([2.0, 2.0]), other=3)
    o = op("SumBackward0", [y], ())
    snap = build_snapshot(_ns(x=x, y=y, o=o))
    x_info, y_info, o_info = snap.tensor("x"), snap.tensor("y"), snap.tensor("o")
    assert x_info and y_info and o_info
    mul = snap.nodes[y_info.node]  # type: ignore[index]
    assert mul.name == "MulBackward0" and mul.kind == "op" and mul.shape == [2]
    assert mul.next[0] is None
    assert mul.next[1] == x_info.node
    assert [(s.name, s.preview, s.shape) for s in mul.saved] == [
        ("self", "tensor([2., 2.])", [2]),
        ("other", "3", None),
    ]
    assert mul.rules == ["rule 0", "rule 1"]
    leaf_node = snap.nodes[x_info.node]  # type: ignore[index]
    assert leaf_node.kind == "leaf" and leaf_node.name == "AccumulateGrad"
    assert leaf_node.variable == "x"
    assert snap.nodes[o_info.node].next == [y_info.node]  # type: ignore[index]


def test_every_accumulate_grad_of_one_leaf_shares_one_node() -> None:
    x = leaf([1.0])
    y = op("MulBackward0", [x, x], (1,))
    assert y.grad_fn.next_functions[0][0] is not y.grad_fn.next_functions[1][0]
    snap = build_snapshot(_ns(x=x, y=y))
    node = snap.nodes[snap.tensor("y").node]  # type: ignore[union-attr, index]
    assert node.next[0] == node.next[1] == snap.tensor("x").node  # type: ignore[union-attr]
    assert sum(1 for n in snap.nodes.values() if n.kind == "leaf") == 1


def test_node_ids_are_the_same_for_the_same_state() -> None:
    x, y = chain(5)
    ns = _ns(x=x, y=y)
    assert to_dict(build_snapshot(ns)) == to_dict(build_snapshot(ns))


def test_tensors_that_do_not_require_grad_have_no_node() -> None:
    c = Tensor(np.ones(3, dtype=np.float32))
    info = build_snapshot(_ns(c=c)).tensor("c")
    assert info is not None and info.node is None


def test_freed_buffers_are_reported() -> None:
    x = leaf([1.0])
    y = op("ExpBackward0", [x], (1,), result=np.array([2.7]))
    y.grad_fn.saved_freed = True
    node = build_snapshot(_ns(y=y)).nodes["n0"]
    assert node.saved_freed and node.saved == []


def test_a_10000_node_graph_is_cut_and_the_snapshot_stays_small() -> None:
    x, y = chain(10_000)
    snap = build_snapshot(_ns(x=x, y=y))
    assert len(snap.nodes) == snapshot_module.MAX_NODES
    assert f"graph cut at {snapshot_module.MAX_NODES} nodes" in snap.truncated
    assert len(json.dumps(to_dict(snap))) < 1_000_000
    # x was listed first, so its leaf node is kept; the chain's far end was cut, and the
    # edge into the cut names a node that is absent (front ends show "graph cut here")
    assert snap.tensor("x").node in snap.nodes  # type: ignore[union-attr]
    assert any(child not in snap.nodes for n in snap.nodes.values() for child in n.next if child)


def test_a_huge_tensor_previews_without_listing_its_values() -> None:
    big = Tensor(np.arange(10_000_000, dtype=np.float32))
    snap = build_snapshot(_ns(big=big))
    info = snap.tensor("big")
    assert info is not None
    assert info.values is None and info.numel == 10_000_000
    assert info.value_preview == "[0., 1., 2., ..., 9999997., 9999998., 9999999.]"
    assert len(json.dumps(to_dict(snap))) < 2_000


def test_tensor_count_is_capped_with_a_note() -> None:
    ns = _ns(**{f"t{i}": leaf([float(i)]) for i in range(600)})
    snap = build_snapshot(ns)
    assert len(snap.tensors) == snapshot_module.MAX_TENSORS
    assert snap.truncated == ["only the first 500 tensors are listed (100 more)"]


def test_snapshot_never_reads_grad_or_runs_tensor_properties() -> None:
    # kernel_fake_engine.Tensor.grad and .data raise: a snapshot that touched them would fail here.
    x = leaf([1.0])
    y = op("MulBackward0", [x, None], (1,))
    build_snapshot(_ns(x=x, y=y))


def test_last_backward_marks_the_leaves_that_got_gradients(monkeypatch: pytest.MonkeyPatch) -> None:
    x, w = leaf([1.0]), leaf([2.0])
    y = op("MulBackward0", [x, w], (1,))
    monkeypatch.setattr(snapshot_module, "_last_backward_ids", lambda: {id(w)})
    snap = build_snapshot(_ns(x=x, w=w, y=y))
    w_node = snap.tensor("w").node  # type: ignore[union-attr]
    assert snap.last_backward == [w_node]
    assert snap.nodes[w_node].got_grad  # type: ignore[index]
    assert not snap.nodes[snap.tensor("x").node].got_grad  # type: ignore[union-attr, index]


def test_last_value_names_the_echoed_tensor_only_when_it_is_listed() -> None:
    y = leaf([1.0])
    assert build_snapshot(_ns(y=y), last_value_name="y").last_value == "y"
    assert build_snapshot(_ns(y=y), last_value_name="gone").last_value is None


def test_snapshot_round_trips_through_json() -> None:
    x, y = chain(3)
    snap = build_snapshot(_ns(x=x, y=y))
    again = from_dict(Snapshot, json.loads(json.dumps(to_dict(snap))))
    assert again == snap


def test_unbound_leaf_in_the_graph_has_no_variable_name() -> None:
    y = op("MulBackward0", [leaf([1.0]), None], (1,))
    snap = build_snapshot(_ns(y=y))
    leaves = [n for n in snap.nodes.values() if n.kind == "leaf"]
    assert len(leaves) == 1 and leaves[0].variable is None
    assert isinstance(y.grad_fn.next_functions[0][0], AccumulateGrad)


# -- with the real engine -------------------------------------------------------------------


@pytest.fixture
def seed_ns() -> dict[str, Any]:
    from gradtui.kernel.evaluator import Evaluator

    ev = Evaluator()
    ev.execute(
        "import torch\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "y = 5 * (x + 1) ** 2\n"
        "o = (1/2) * torch.sum(y)\n"
        "params = [x]"
    )
    return ev.namespace


def test_real_engine_graph_of_the_seed_notebook(seed_ns: dict[str, Any]) -> None:
    snap = build_snapshot(seed_ns)
    o = snap.tensor("o")
    assert o is not None and o.grad_fn == "MulBackward0" and o.shape == []
    chain_names = []
    node_id: str | None = o.node
    while node_id is not None:
        node = snap.nodes[node_id]
        chain_names.append(node.name)
        node_id = next((c for c in node.next if c is not None), None)
    assert chain_names == [
        "MulBackward0", "SumBackward0", "MulBackward0", "PowBackward0", "AddBackward0",
        "AccumulateGrad",
    ]
    leaf_node = snap.nodes[snap.tensor("x").node]  # type: ignore[union-attr, index]
    assert leaf_node.variable == "x"
    assert snap.tensor("params[0]").node == leaf_node.id  # type: ignore[union-attr]
    assert snap.nodes[o.node].rules == ["d(a*b)/da = b", "d(a*b)/db = a"]  # type: ignore[index]


def test_real_engine_backward_marks_gradients_and_freed_buffers(seed_ns: dict[str, Any]) -> None:
    exec("o.backward()", seed_ns)
    snap = build_snapshot(seed_ns)
    x = snap.tensor("x")
    assert x is not None and x.grad_values == [10.0, 10.0]
    assert snap.last_backward == [x.node]
    assert snap.nodes[snap.tensor("y").node].saved_freed  # type: ignore[union-attr, index]


def test_real_engine_names_the_saved_tensors_a_backward_freed(seed_ns: dict[str, Any]) -> None:
    exec("e = (x * 3).exp().sum()", seed_ns)
    before = build_snapshot(seed_ns)
    assert all(node.freed == [] for node in before.nodes.values())
    exec("e.backward()", seed_ns)
    snap = build_snapshot(seed_ns)
    e = snap.nodes[snap.tensor("e").node]  # type: ignore[union-attr, index]
    exp = snap.nodes[e.next[0]]  # type: ignore[index]
    assert exp.name == "ExpBackward0" and exp.freed == ["result"]
    mul = snap.nodes[exp.next[0]]  # type: ignore[index]
    assert mul.name == "MulBackward0" and "self" in mul.freed
    assert e.freed == []  # sum saved only sizes: nothing of it was freed
    # the dtype of each node's output, from the gradient that reached it
    assert exp.dtype == "float32" and snap.nodes[snap.tensor("x").node].dtype == "float32"


def test_real_engine_snapshot_reads_no_non_leaf_grad(seed_ns: dict[str, Any]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the non-leaf .grad warning would fail the test
        build_snapshot(seed_ns)


def test_real_engine_10000_op_chain_is_cut(seed_ns: dict[str, Any]) -> None:
    exec("z = x\nfor _i in range(10000):\n    z = z + 1", seed_ns)
    snap = build_snapshot(seed_ns)
    assert len(snap.nodes) <= snapshot_module.MAX_NODES
    assert f"graph cut at {snapshot_module.MAX_NODES} nodes" in snap.truncated
    assert len(json.dumps(to_dict(snap))) < 1_000_000


def test_real_engine_huge_tensor_snapshot_is_small(seed_ns: dict[str, Any]) -> None:
    exec("big = torch.zeros(10_000_000)", seed_ns)
    info = build_snapshot(seed_ns).tensor("big")
    assert info is not None and info.values is None
    assert info.value_preview == "[0., 0., 0., ..., 0., 0., 0.]"


def test_trace_backward_steps_match_the_graph_ids(seed_ns: dict[str, Any]) -> None:
    snap = build_snapshot(seed_ns)
    trace = backward_trace.trace_backward(seed_ns, "o")
    assert trace.error is None
    assert [s.name for s in trace.steps] == [
        "MulBackward0", "SumBackward0", "MulBackward0", "PowBackward0", "AddBackward0",
    ]
    assert trace.steps[0].node == snap.tensor("o").node  # type: ignore[union-attr]
    assert trace.steps[-1].targets[0] == snap.tensor("x").node  # type: ignore[union-attr]
    assert trace.leaf_grads == {"x": "[10., 10.]"}
    assert seed_ns["x"]._grad is None  # tracing changed nothing


def test_trace_backward_reports_errors_and_bad_names(seed_ns: dict[str, Any]) -> None:
    exec("o.backward()", seed_ns)
    assert backward_trace.trace_backward(seed_ns, "o").error.startswith(  # type: ignore[union-attr]
        "RuntimeError: Trying to backward through the graph a second time"
    )
    assert backward_trace.trace_backward(seed_ns, "torch").error == "torch is not a tensor"
    assert backward_trace.trace_backward(seed_ns, "params[0]").error is not None


def test_nodes_past_the_cap_are_never_described(monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel.kernel_fake_engine import Node

    x, y = chain(3 * snapshot_module.MAX_NODES)
    described: list[str] = []
    original = Node.saved_values

    def counting(self: Node) -> dict[str, Any]:
        described.append(self.name())
        return original(self)

    monkeypatch.setattr(Node, "saved_values", counting)
    snap = build_snapshot(_ns(x=x, y=y))
    assert len(described) == len(snap.nodes) - 1  # every kept op once; the leaf has none


def test_an_array_saved_by_many_nodes_is_previewed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    weight = np.array([0.5, 2.0], dtype=np.float32)
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(50):
        y = op("MulBackward0", [y, None], (2,), other=weight)
    previews: list[object] = []
    original = snapshot_module.preview_value

    def counting(value: object) -> str:
        previews.append(value)
        return original(value)

    monkeypatch.setattr(snapshot_module, "preview_value", counting)
    snap = build_snapshot(_ns(x=x, y=y))
    assert len(previews) == 1
    assert all(n.saved[0].preview == "tensor([0.5, 2.])" for n in snap.nodes.values()
               if n.kind == "op")


def test_a_capped_graph_snapshot_stays_under_400_kb_of_json() -> None:
    x, y = chain(10_000)
    snap = build_snapshot(_ns(x=x, y=y))
    assert len(json.dumps(to_dict(snap))) < 400_000
