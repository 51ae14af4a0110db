"""Every reply type survives the JSON round trip the kernel pipe puts it through."""

from __future__ import annotations

import json

from gradtui.kernel.protocol import (
    BackwardStepInfo,
    BackwardTrace,
    CellResult,
    ErrorInfo,
    ExecuteReply,
    GraphNode,
    SavedValue,
    Snapshot,
    StreamChunk,
    TensorInfo,
    WarningInfo,
    from_dict,
    to_dict,
)


def _round_trip(obj):
    return from_dict(type(obj), json.loads(json.dumps(to_dict(obj))))


def test_a_failed_cell_keeps_its_error_info_and_output_order() -> None:
    result = CellResult(
        ok=False,
        output=[StreamChunk("stdout", "a\n"), StreamChunk("stderr", "w\n")],
        error=ErrorInfo("RuntimeError", "boom", "Traceback ...\nRuntimeError: boom\n"),
        execution_count=3,
    )
    back = _round_trip(result)
    assert back == result and isinstance(back.error, ErrorInfo) and back.stdout == "a\n"


def test_a_backward_trace_error_stays_text() -> None:
    # The seed notebook's end state: `:step o` after a backward without retain_graph.
    trace = BackwardTrace(root="o", error="RuntimeError: Trying to backward through the graph")
    assert _round_trip(trace) == trace


def test_a_backward_trace_with_steps_round_trips() -> None:
    step = BackwardStepInfo("n1", "MulBackward0", "tensor(1.)", ["d(a*b)/da = b"], ["2."], ["n2"])
    trace = BackwardTrace(root="o", steps=[step], leaf_grads={"x": "tensor([10., 10.])"})
    back = _round_trip(trace)
    assert back == trace and isinstance(back.steps[0], BackwardStepInfo)


def test_a_snapshot_round_trips_with_nodes_and_saved_values() -> None:
    node = GraphNode("n1", "MulBackward0", "op", [2], next=["n2", None],
                     saved=[SavedValue("other", "5", None)], rules=["d(a*b)/da = b"])
    leaf = GraphNode("n2", "AccumulateGrad", "leaf", [2], variable="x", got_grad=True)
    tensor = TensorInfo("y", [2], "torch.float32", True, False, "MulBackward0", "n1",
                        "[20., 20.]", None, numel=2, values=[20.0, 20.0])
    snap = Snapshot(tensors=[tensor], nodes={"n1": node, "n2": leaf}, last_backward=["n2"])
    result = CellResult(ok=True, value_repr="2", warnings=[WarningInfo("UserWarning", "hm")])
    reply = ExecuteReply(result=result, snapshot=snap)
    back = ExecuteReply.from_json(json.loads(json.dumps(to_dict(reply))))
    assert back == reply and back.snapshot is not None
    assert isinstance(back.result.warnings[0], WarningInfo)
    assert isinstance(back.snapshot.nodes["n1"].saved[0], SavedValue)
    assert back.snapshot.tensor("y") == tensor


def test_to_dict_gives_what_dataclasses_asdict_gives() -> None:
    import dataclasses

    node = GraphNode("n1", "MulBackward0", "op", [2], next=["n2", None],
                     saved=[SavedValue("self", "tensor([1., 2.])", [2])])
    snap = Snapshot(tensors=[TensorInfo("t", [2], "torch.float32", True, False, "MulBackward0",
                                        "n1", "[1., 2.]", None, values=[[1.0], [2.0]])],
                    nodes={"n1": node}, truncated=["cut"])
    converted = to_dict(snap)
    assert converted == dataclasses.asdict(snap)
    # Nested lists are copies: changing the data sent cannot change the snapshot kept.
    converted["tensors"][0]["values"][0].append(9.0)
    assert snap.tensors[0].values == [[1.0], [2.0]]
