from __future__ import annotations

from typing import Any

import pytest

from gradtui.kernel.protocol import (
    CellResult,
    ErrorInfo,
    ExecuteReply,
    GraphNode,
    Snapshot,
    StreamChunk,
    TensorInfo,
)
from gradtui.lessons.checks import CheckParamError, JudgeContext, build_check, parse_numbers


def tensor(name: str, values: Any, *, shape: list[int], grad: Any = None,
           grad_fn: str | None = None, requires_grad: bool = True, node: str | None = None,
           dtype: str = "torch.float32", small: bool = True) -> TensorInfo:
    return TensorInfo(name=name, shape=shape, dtype=dtype, requires_grad=requires_grad,
                      is_leaf=grad_fn is None, grad_fn=grad_fn, node=node, value_preview="",
                      grad_preview=None if grad is None else "g",
                      values=values if small else None, grad_values=grad if small else None)


def notebook_state() -> Snapshot:
    """x, y = 5 * (x + 1) ** 2 and o after o.backward(): the notebook's section 1.2."""
    nodes = {
        "n0": GraphNode("n0", "MulBackward0", "op", [], next=["n1", None]),
        "n1": GraphNode("n1", "SumBackward0", "op", [], next=["n2"]),
        "n2": GraphNode("n2", "MulBackward0", "op", [2], next=["n3", None]),
        "n3": GraphNode("n3", "PowBackward0", "op", [2], next=["n4"]),
        "n4": GraphNode("n4", "AddBackward0", "op", [2], next=["n5", None]),
        "n5": GraphNode("n5", "AccumulateGrad", "leaf", [2], variable="x"),
    }
    return Snapshot(tensors=[
        tensor("x", [1.0, 1.0], shape=[2], grad=[10.0, 10.0], node="n5"),
        tensor("y", [20.0, 20.0], shape=[2], grad_fn="MulBackward0", node="n2"),
        tensor("o", 20.0, shape=[], grad_fn="MulBackward0", node="n0"),
        tensor("k", [1, 2], shape=[2], requires_grad=False, dtype="torch.int64"),
    ], nodes=nodes)


def judge(table: dict[str, Any], *, snapshot: Snapshot | None = None, stdout: str = "",
          value_repr: str | None = None, error: ErrorInfo | None = None,
          evaluate: Any = None) -> tuple[bool, str]:
    result = CellResult(ok=error is None, output=[StreamChunk("stdout", stdout)],
                        value_repr=value_repr, error=error)
    ctx = JudgeContext(ExecuteReply(result, snapshot or notebook_state()),
                       evaluate or (lambda expr: (False, "unused")))
    outcome = build_check(table).judge(ctx)
    return outcome.passed, outcome.message


def test_tensor_check_passes_on_matching_state() -> None:
    assert judge({"kind": "tensor", "name": "x", "shape": [2], "dtype": "float32",
                  "requires_grad": True, "is_leaf": True})[0]


@pytest.mark.parametrize(("table", "message"), [
    ({"name": "z"}, "There is no tensor named `z` yet."),
    ({"name": "x", "shape": [3, 2]}, "`x` has shape [2], but this step needs shape [3, 2]."),
    ({"name": "k", "dtype": "torch.float32"},
     "`k` has dtype torch.int64, but this step needs torch.float32."),
    ({"name": "k", "requires_grad": True},
     "`k` does not require gradients: create it with requires_grad=True."),
    ({"name": "x", "requires_grad": False},
     "`x` requires gradients, but this step needs one that does not."),
    ({"name": "y", "is_leaf": True}, "`y` is not a leaf: it was computed by an operation "
                                     "(MulBackward0). This step needs a tensor you created."),
    ({"name": "x", "is_leaf": False}, "`x` is a leaf, but this step needs a tensor computed "
                                      "from others (one with a grad_fn)."),
])
def test_tensor_check_says_what_is_wrong(table: dict[str, Any], message: str) -> None:
    assert judge({"kind": "tensor", **table}) == (False, message)


def test_values_check_compares_within_tolerance() -> None:
    assert judge({"kind": "values", "name": "y", "expected": [20.00001, 20]})[0]
    assert judge({"kind": "values", "name": "o", "expected": 20})[0]
    assert judge({"kind": "values", "name": "y", "expected": [20, 40]}) == (
        False, "`y` is `[20., 20.]` but should be `[20., 40.]`.")
    assert judge({"kind": "values", "name": "y", "expected": [[20, 20]]}) == (
        False, "`y` has shape [2], expected [1, 2].")


def test_values_check_message_for_one_number_ends_in_one_full_stop() -> None:
    # A bare "20." followed by the sentence's stop used to read "`o` is 20. but should be 7..".
    assert judge({"kind": "values", "name": "o", "expected": 7}) == (
        False, "`o` is `20.` but should be `7.`.")


def test_values_check_asks_the_kernel_for_tensors_too_big_for_the_snapshot() -> None:
    snap = Snapshot(tensors=[tensor("big", None, shape=[100], small=False)])
    asked: list[str] = []

    def evaluate(expr: str) -> tuple[bool, str]:
        asked.append(expr)
        return True, repr([0.5] * 100)

    assert judge({"kind": "values", "name": "big", "expected": [0.5] * 100}, snapshot=snap,
                 evaluate=evaluate)[0]
    assert asked == ["(big).detach().tolist()"]


def test_grad_check_passes_fails_and_spots_accumulation() -> None:
    assert judge({"kind": "grad", "name": "x", "expected": [10, 10]})[0]
    assert judge({"kind": "grad", "name": "x", "expected": [3, 3]}) == (
        False, "`x.grad` is `[10., 10.]` but should be `[3., 3.]`.")
    snap = notebook_state()
    snap.tensors[0].grad_values = [20.0, 20.0]
    passed, message = judge({"kind": "grad", "name": "x", "expected": [10, 10]}, snapshot=snap)
    assert not passed and "2 times too much: gradients add up" in message


def test_grad_check_none() -> None:
    snap = notebook_state()
    snap.tensors[0].grad_preview = snap.tensors[0].grad_values = None
    assert judge({"kind": "grad", "name": "x", "none": True}, snapshot=snap)[0]
    assert judge({"kind": "grad", "name": "x", "expected": [10, 10]}, snapshot=snap) == (
        False, "`x.grad` is None: no gradient has reached `x` yet. Call .backward() on a "
               "result computed from it.")
    assert judge({"kind": "grad", "name": "x", "none": True}) == (
        False, "`x.grad` holds `[10., 10.]`, but it should be None (empty) here.")


def test_grad_check_reads_non_leaf_grads_through_the_kernel() -> None:
    asked: list[str] = []

    def evaluate(expr: str) -> tuple[bool, str]:
        asked.append(expr)
        return True, "[1.0, 1.0]"

    assert judge({"kind": "grad", "name": "y", "expected": [1, 1]}, evaluate=evaluate)[0]
    assert asked == ["(None if (y)._grad is None else (y)._grad.detach().tolist())"]


def test_grad_fn_check() -> None:
    assert judge({"kind": "grad_fn", "name": "o", "expected": "MulBackward0"})[0]
    assert judge({"kind": "grad_fn", "name": "o", "expected": "SumBackward0"}) == (
        False, "`o.grad_fn` is MulBackward0 (a multiplication (*)), but should be SumBackward0 "
               "(a sum such as torch.sum): the last operation that made `o` is the wrong one.")
    assert judge({"kind": "grad_fn", "name": "x", "expected": "AddBackward0"})[1].startswith(
        "`x` has no grad_fn: it is a leaf")


def test_graph_has_walks_the_whole_graph() -> None:
    assert judge({"kind": "graph_has", "name": "o", "op": "PowBackward0"})[0]
    assert judge({"kind": "graph_has", "name": "o", "op": "AccumulateGrad"})[0]
    assert judge({"kind": "graph_has", "name": "y", "op": "SumBackward0"}) == (
        False, "The graph of `y` has no SumBackward0 (a sum such as torch.sum) node.")
    assert judge({"kind": "graph_has", "name": "k", "op": "AddBackward0"})[1].startswith(
        "`k` has no graph")


def test_raised_check() -> None:
    mismatch = ErrorInfo("RuntimeError", "Mismatch in shape: grad_output[0] has a shape of "
                                         "torch.Size([2]) and output[0] ...", "")
    table = {"kind": "raised", "type": "RuntimeError", "contains": "Mismatch in shape"}
    assert judge(table, error=mismatch)[0]
    assert judge(table) == (False, "The last cell ran without an error, but this step wants "
                                   "you to see RuntimeError happen.")
    assert judge(table, error=ErrorInfo("ValueError", "Mismatch in shape", "")) == (
        False, "The last cell raised ValueError, but this step expects a RuntimeError.")
    assert not judge({**table, "contains": "second time"}, error=mismatch)[0]
    assert judge({"kind": "raised", "type": "IndexError"}, error=mismatch) == (
        False, "The last cell raised RuntimeError, but this step expects an IndexError.")


def test_printed_check_sees_stdout_and_the_echoed_value() -> None:
    table = {"kind": "printed", "contains": "grad_fn=<AddBackward0>"}
    assert judge(table, stdout="tensor([2.], grad_fn=<AddBackward0>)\n")[0]
    assert judge(table, value_repr="tensor([2.], grad_fn=<AddBackward0>)")[0]
    assert judge(table, stdout="tensor([1.])\n") == (
        False, "The last cell's output does not show grad_fn=<AddBackward0>.")
    assert judge(table)[1].startswith("The last cell showed nothing")


def test_expr_check_and_custom_message() -> None:
    assert judge({"kind": "expr", "expr": "x == 1"}, evaluate=lambda e: (True, "True")) == (
        True, "`x == 1` holds.")
    assert judge({"kind": "expr", "expr": "x == 1", "message": "Set x to 1."},
                 evaluate=lambda e: (True, "True")) == (True, "That is right.")
    assert judge({"kind": "expr", "expr": "x == 1"}, evaluate=lambda e: (False, "False")) == (
        False, "`x == 1` is not true yet (it gives False).")
    assert judge({"kind": "expr", "expr": "x == 1", "message": "Set x to 1."},
                 evaluate=lambda e: (False, "NameError: name 'x' is not defined")) == (
        False, "Set x to 1.")


@pytest.mark.parametrize(("table", "message", "key"), [
    ({}, "check has no `kind` (one of: expr, grad, grad_fn, graph_has, predict, printed, "
         "raised, tensor, values)", None),
    ({"kind": "tensor"}, "check kind 'tensor' needs the field `name`", None),
    ({"kind": "tensor", "name": "x", "colour": 1},
     "check kind 'tensor' has no field `colour` (fields: dtype, is_leaf, message, name, "
     "requires_grad, shape)", "colour"),
    ({"kind": "tensor", "name": "x", "requires_grad": "yes"},
     "field `requires_grad` of check kind 'tensor' must be true or false, not str 'yes'",
     "requires_grad"),
    ({"kind": "values", "name": "x", "expected": True},
     "field `expected` of check kind 'values' must be a number or an array, not bool True",
     "expected"),
    ({"kind": "values", "name": "x", "expected": [[1, 2], [3]]},
     "`expected` must be a number or a (nested) array of numbers with equal-length rows",
     "expected"),
    ({"kind": "values", "name": "x", "expected": 1, "atol": -1}, "`atol` must not be negative",
     "atol"),
    ({"kind": "raised"}, "check kind 'raised' needs `type`, `contains`, or both", None),
    ({"kind": "printed", "contains": ""}, "`contains` must not be empty", "contains"),
])
def test_bad_parameters_are_refused_with_the_offending_key(table: dict[str, Any], message: str,
                                                           key: str | None) -> None:
    with pytest.raises(CheckParamError) as info:
        build_check(table)
    assert (str(info.value), info.value.key) == (message, key)


def test_parse_numbers_reads_reprs_with_nan_and_inf_and_nothing_else() -> None:
    assert parse_numbers("[1.0, -2, [nan, inf]]")[:2] == [1.0, -2]
    assert parse_numbers("None") is None
    with pytest.raises(ValueError):
        parse_numbers("__import__('os')")
