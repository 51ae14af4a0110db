"""The text views of a snapshot, on hand-built snapshots (exact expected text)."""

from __future__ import annotations

import re

import pytest

from gradtui.kernel import views
from gradtui.kernel.protocol import GraphNode, SavedValue, Snapshot, TensorInfo


def notebook_snapshot() -> Snapshot:
    """The seed notebook after ``o.backward()``: x -> x + 1 -> ** 2 -> 5 * -> sum -> (1/2) *."""
    nodes = {
        "n0": GraphNode("n0", "MulBackward0", "op", [], ["n1", None],
                        [SavedValue("other", "0.5")]),
        "n1": GraphNode("n1", "SumBackward0", "op", [], ["n2"],
                        [SavedValue("self_sym_sizes", "(2,)")]),
        "n2": GraphNode("n2", "MulBackward0", "op", [2], ["n3", None],
                        [SavedValue("other", "5"), SavedValue("self", "tensor([4., 4.])", [2])]),
        "n3": GraphNode("n3", "PowBackward0", "op", [2], ["n4"],
                        [SavedValue("exponent", "2"), SavedValue("self", "tensor([2., 2.])", [2])],
                        saved_freed=True),
        "n4": GraphNode("n4", "AddBackward0", "op", [2], ["n5", None]),
        "n5": GraphNode("n5", "AccumulateGrad", "leaf", [2], [], variable="x", got_grad=True),
    }
    tensors = [
        TensorInfo("x", [2], "torch.float32", True, True, None, "n5",
                   "tensor([1., 1.], requires_grad=True)", "tensor([10., 10.])", 2),
        TensorInfo("y", [2], "torch.float32", True, False, "MulBackward0", "n2",
                   "tensor([20., 20.], grad_fn=<MulBackward0>)", None, 2),
        TensorInfo("o", [], "torch.float32", True, False, "MulBackward0", "n0",
                   "tensor(20., grad_fn=<MulBackward0>)", None, 1),
        TensorInfo("c", [3, 2], "torch.int64", False, True, None, None,
                   "tensor([[1, 1],\n        [1, 1],\n        [1, 1]])", None, 6),
    ]
    return Snapshot(tensors, nodes, ["n5"])


def shared_snapshot() -> Snapshot:
    """``s = x * x; t = s + s``: the MulBackward0 sub-graph is reached twice from t."""
    nodes = {
        "n0": GraphNode("n0", "AddBackward0", "op", [2], ["n1", "n1"]),
        "n1": GraphNode("n1", "MulBackward0", "op", [2], ["n2", "n2"]),
        "n2": GraphNode("n2", "AccumulateGrad", "leaf", [2], [], variable="x"),
    }
    tensors = [
        TensorInfo("x", [2], "torch.float32", True, True, None, "n2",
                   "tensor([1., 1.], requires_grad=True)", None, 2),
        TensorInfo("t", [2], "torch.float32", True, False, "AddBackward0", "n0",
                   "tensor([2., 2.], grad_fn=<AddBackward0>)", None, 2),
    ]
    return Snapshot(tensors, nodes)


def chain_snapshot(length: int) -> Snapshot:
    """``z = x + 1 + 1 + ...``: a chain of ``length`` AddBackward0 nodes."""
    nodes = {f"n{i}": GraphNode(f"n{i}", "AddBackward0", "op", [], [f"n{i + 1}", None])
             for i in range(length)}
    nodes[f"n{length}"] = GraphNode(f"n{length}", "AccumulateGrad", "leaf", [], [],
                                    variable="x")
    tensors = [TensorInfo("z", [], "torch.float32", True, False, "AddBackward0", "n0",
                          "tensor(5., grad_fn=<AddBackward0>)", None, 1)]
    return Snapshot(tensors, nodes)


def test_graph_tree_of_the_notebook_output_lists_every_node_with_its_shape() -> None:
    assert views.graph_tree(notebook_snapshot(), "o", ascii=True) == (
        "MulBackward0 []\n"
        "-> SumBackward0 []\n"
        "   -> MulBackward0 [2]\n"
        "      -> PowBackward0 [2]\n"
        "         -> AddBackward0 [2]\n"
        "            -> AccumulateGrad (x) [2]\n"
        "            -> constant\n"
        "      -> constant\n"
        "-> constant"
    )


def test_graph_tree_uses_unicode_arrows_unless_ascii() -> None:
    tree = views.graph_tree(notebook_snapshot(), "y")
    assert tree.splitlines()[:2] == ["MulBackward0 [2]", "→ PowBackward0 [2]"]


def test_graph_tree_shows_a_shared_subgraph_once_and_refers_to_it() -> None:
    assert views.graph_tree(shared_snapshot(), "t", ascii=True) == (
        "AddBackward0 [2]\n"
        "-> MulBackward0 [2] (*1)\n"
        "   -> AccumulateGrad (x) [2] (*2)\n"
        "   -> AccumulateGrad (x) [2] (*2, shown above)\n"
        "-> MulBackward0 [2] (*1, shown above)"
    )


def test_graph_tree_of_a_leaf_is_its_accumulate_grad() -> None:
    assert views.graph_tree(notebook_snapshot(), "x") == "AccumulateGrad (x) [2]"


def test_graph_tree_cuts_deep_chains_and_says_so() -> None:
    tree = views.graph_tree(chain_snapshot(10_000), "z", ascii=True, max_depth=3)
    assert tree.splitlines() == [
        "AddBackward0 []",
        "-> AddBackward0 []",
        "   -> AddBackward0 []",
        "      -> AddBackward0 [] ...",
        "      -> constant",
        "   -> constant",
        "-> constant",
        "note: nodes deeper than 3 levels are not shown",
    ]


def test_graph_tree_marks_nodes_missing_from_a_capped_snapshot() -> None:
    snap = chain_snapshot(3)
    del snap.nodes["n2"]
    snap.truncated.append("graph cut at 2 nodes")
    assert views.graph_tree(snap, "z", ascii=True).splitlines() == [
        "AddBackward0 []",
        "-> AddBackward0 []",
        "   -> ... (graph cut here)",
        "   -> constant",
        "-> constant",
        "note: graph cut at 2 nodes",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "no tensor named 'nope' (tensors: x, y, o, c)"),
        ("c", "c has no graph: it does not require grad (made under no_grad or from constants)"),
    ],
)
def test_graph_tree_explains_why_there_is_no_graph(name: str, message: str) -> None:
    with pytest.raises(views.ViewError, match=re.escape(message)):
        views.graph_tree(notebook_snapshot(), name)


def test_to_dot_rejects_an_unknown_name() -> None:
    with pytest.raises(views.ViewError, match=re.escape("no tensor named 'nope'")):
        views.to_dot(notebook_snapshot(), "nope")


def test_to_dot_draws_a_tensor_without_a_graph_alone_and_says_why() -> None:
    dot = views.to_dot(notebook_snapshot(), "c")
    nodes, edges = _dot_statements(dot)
    assert nodes == {"graph", "node", "edge", "output"} and edges == []
    assert ('output [label="c\\n[3, 2]\\n(c has no graph: it does not require grad (made '
            'under no_grad or from constants))" fillcolor=darkolivegreen1]') in dot


def test_tensors_table_has_one_aligned_row_per_tensor() -> None:
    assert views.tensors_table(notebook_snapshot(), ascii=True) == (
        "name  shape   dtype    requires_grad  is_leaf  grad_fn       value\n"
        "----  ------  -------  -------------  -------  ------------  "
        "------------------------------------------\n"
        "x     [2]     float32  yes            yes      -             "
        "tensor([1., 1.], requires_grad=True)\n"
        "y     [2]     float32  yes            no       MulBackward0  "
        "tensor([20., 20.], grad_fn=<MulBackward0>)\n"
        "o     []      float32  yes            no       MulBackward0  "
        "tensor(20., grad_fn=<MulBackward0>)\n"
        "c     [3, 2]  int64    no             yes      -             "
        "tensor([[1, 1], [1, 1], [1, 1]])"
    )


def test_tensors_table_when_empty_suggests_a_first_tensor() -> None:
    text = views.tensors_table(Snapshot(truncated=["3 tensors not shown"]))
    assert text == ("No tensors yet. Try: x = torch.ones(2, requires_grad=True)\n"
                    "note: 3 tensors not shown")


def test_tensors_table_shortens_long_previews_and_escapes_names_in_ascii_mode() -> None:
    long = "tensor([" + ", ".join(["1."] * 40) + "])"
    snap = Snapshot([TensorInfo("λ", [40], "torch.float32", False, True, None, None, long,
                                None, 40)])
    row = views.tensors_table(snap, ascii=True).splitlines()[2]
    assert row.startswith("\\u03bb  [40]")
    assert row.endswith("...") and len(row.split("  ")[-1]) == views.PREVIEW_WIDTH
    assert row.isascii()
    assert views.tensors_table(snap).splitlines()[2].startswith("λ ")


def test_grads_table_lists_leaves_and_who_got_a_gradient() -> None:
    assert views.grads_table(notebook_snapshot(), ascii=True) == (
        "name  shape  grad                last backward\n"
        "----  -----  ------------------  --------------\n"
        "x     [2]    tensor([10., 10.])  got a gradient"
    )


def test_grads_table_before_backward_says_none_yet() -> None:
    snap = notebook_snapshot()
    snap.last_backward = []
    snap.tensors[0].grad_preview = None
    assert views.grads_table(snap, ascii=True).splitlines()[2:] == [
        "x     [2]    None  -",
        "No backward() has reached these tensors yet.",
    ]


def test_grads_table_without_grad_tensors_explains() -> None:
    snap = Snapshot([notebook_snapshot().tensors[3]])
    assert views.grads_table(snap).startswith("No tensor requires grad yet.")


def _dot_statements(dot: str) -> tuple[set[str], list[tuple[str, str]]]:
    """Node ids and edges of our DOT subset, checking the syntax strictly on the way."""
    lines = dot.splitlines()
    assert lines[0] == "digraph autograd {" and lines[-1] == "}"
    quoted = r'"(?:[^"\\]|\\.)*"'
    value = rf"(?:{quoted}|[\w.]+)"
    attrs = rf"\[(?:\w+={value}\s*)*\]"
    nodes: set[str] = set()
    edges: list[tuple[str, str]] = []
    for line in lines[1:-1]:
        if m := re.fullmatch(rf"    (\w+) -> (\w+)(?: {attrs})?", line):
            edges.append((m[1], m[2]))
        elif m := re.fullmatch(rf"    (\w+) {attrs}", line):
            nodes.add(m[1])
        else:
            raise AssertionError(f"not valid DOT: {line!r}")
    return nodes, edges


def test_to_dot_is_valid_dot_with_every_edge_between_declared_nodes() -> None:
    dot = views.to_dot(notebook_snapshot(), "o")
    nodes, edges = _dot_statements(dot)
    assert {"graph", "node", "edge", "output", "n0", "n5", "n5_var", "n3_saved_self"} <= nodes
    assert all(a in nodes and b in nodes for a, b in edges)
    # Forward direction, like torchviz: the leaf feeds its AccumulateGrad, ops feed the output.
    assert ("n5_var", "n5") in edges and ("n5", "n4") in edges and ("n0", "output") in edges


def test_to_dot_colours_output_leaves_ops_and_saved_tensors_like_torchviz() -> None:
    dot = views.to_dot(notebook_snapshot(), "o")
    assert 'output [label="o\\n[]" fillcolor=darkolivegreen1]' in dot
    assert 'n5_var [label="x\\n[2]\\ngot a gradient" fillcolor=lightblue]' in dot
    assert 'n4 [label="AddBackward0\\n[2]" fillcolor=lightgrey]' in dot
    assert ('n3_saved_self [label="self\\n[2]\\ntensor([2., 2.])" fillcolor=orange]' in dot)
    assert "n3_saved_self -> n3 [style=dashed dir=none]" in dot
    assert "exponent: 2\\n(saved values freed)" in dot


def test_to_dot_escapes_quotes_and_backslashes_in_labels() -> None:
    snap = notebook_snapshot()
    snap.nodes["n0"].saved = [SavedValue("other", 'a "quoted" \\ value')]
    dot = views.to_dot(snap, "o")
    assert 'other: a \\"quoted\\" \\\\ value' in dot
    _dot_statements(dot)
