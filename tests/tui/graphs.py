"""Hand-built snapshots for the graph modules' tests."""

from __future__ import annotations

from gradtui.kernel.protocol import GraphNode, SavedValue, Snapshot, TensorInfo


def diamond() -> Snapshot:
    """``out = w * 2 + w.exp()``: ``w`` reached by two paths (a diamond)."""
    nodes = {
        "a": GraphNode("a", "AddBackward0", "op", [2], ["b", "c"]),
        "b": GraphNode("b", "MulBackward0", "op", [2], ["d", None],
                       saved=[SavedValue("other", "2")]),
        "c": GraphNode("c", "ExpBackward0", "op", [2], ["d"],
                       saved=[SavedValue("result", "tensor([2.7183, 2.7183])", [2])]),
        "d": GraphNode("d", "AccumulateGrad", "leaf", [2], [], variable="w"),
    }
    tensors = [
        TensorInfo("w", [2], "torch.float32", True, True, None, "d", "[1., 1.]", None),
        TensorInfo("out", [2], "torch.float32", True, False, "AddBackward0", "a", "[4.7, 4.7]",
                   None),
    ]
    return Snapshot(tensors, nodes, last_value="out")


def chain(length: int) -> Snapshot:
    """``y = x`` followed by ``length`` additions: a graph of ``length + 1`` nodes."""
    nodes = {"leaf": GraphNode("leaf", "AccumulateGrad", "leaf", [1], [], variable="x")}
    previous = "leaf"
    for i in range(length):
        nodes[f"n{i}"] = GraphNode(f"n{i}", "AddBackward0", "op", [1], [previous, None])
        previous = f"n{i}"
    tensors = [
        TensorInfo("x", [1], "torch.float32", True, True, None, "leaf", "[1.]", None),
        TensorInfo("y", [1], "torch.float32", True, False, "AddBackward0", previous, "[9.]", None),
    ]
    return Snapshot(tensors, nodes)


def wide(fan_in: int) -> Snapshot:
    """``sum`` of ``fan_in`` separate leaves: one layer far wider than a terminal."""
    nodes = {f"l{i}": GraphNode(f"l{i}", "AccumulateGrad", "leaf", [3], [], variable=f"p{i}")
             for i in range(fan_in)}
    nodes["s"] = GraphNode("s", "StackBackward0", "op", [fan_in, 3],
                           [f"l{i}" for i in range(fan_in)])
    tensors = [TensorInfo("s", [fan_in, 3], "torch.float32", True, False, "StackBackward0", "s",
                          "...", None)]
    return Snapshot(tensors, nodes)


def two_leaves(expression: str) -> Snapshot:
    """``d = a*b + a`` or ``out = (a+b)*b`` as the kernel's snapshot has them."""
    leaves = {"la": GraphNode("la", "AccumulateGrad", "leaf", [], [], variable="a"),
              "lb": GraphNode("lb", "AccumulateGrad", "leaf", [], [], variable="b")}
    if expression == "a*b + a":
        ops = {"add": GraphNode("add", "AddBackward0", "op", [], ["mul", "la"]),
               "mul": GraphNode("mul", "MulBackward0", "op", [], ["la", "lb"])}
    else:
        ops = {"add": GraphNode("add", "MulBackward0", "op", [], ["mul", "lb"]),
               "mul": GraphNode("mul", "AddBackward0", "op", [], ["la", "lb"])}
    tensors = [TensorInfo(name, [], "torch.float32", True, True, None, f"l{name}", "2.", None)
               for name in "ab"]
    tensors.append(TensorInfo("d", [], "torch.float32", True, False, ops["add"].name, "add",
                              "8.", None))
    return Snapshot(tensors, {**ops, **leaves}, last_value="d")
