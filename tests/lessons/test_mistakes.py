"""The catalogue of autograd mistakes: every row's example lands on that row, in the engine and
in real torch, and every row points at a built-in step that exists."""

from __future__ import annotations

import pytest

from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.protocol import CellResult
from gradtui.lessons.diagnosis import failing_line, where_taught
from gradtui.lessons.mistakes import MISTAKES, Mistake, find_mistake, mistake

IDS = [m.id for m in MISTAKES]

# What the issue asks the catalogue to cover, by row id.
REQUIRED = {
    "non-scalar-backward", "backward-twice", "saved-tensor-modified", "leaf-in-place",
    "non-leaf-grad", "numpy-of-tracked", "item-of-many", "long-and-float",
    "integer-requires-grad", "broadcast-sizes", "matmul-shapes", "loss-broadcast",
    "grad-of-a-constant", "unused-input", "no-grad-fn",
}


def made_by(result: CellResult) -> tuple[str, str, str]:
    """(type, message, failing line) of what a cell raised, else of its first warning."""
    if result.error is not None:
        return result.error.type, result.error.message, failing_line(result.error.traceback)
    assert result.warnings, "the example neither raised nor warned"
    return result.warnings[0].type, result.warnings[0].message, ""


def test_row_ids_are_unique_and_cover_what_learners_meet() -> None:
    assert len(set(IDS)) == len(IDS)
    assert REQUIRED <= set(IDS)


@pytest.mark.parametrize("row", MISTAKES, ids=IDS)
def test_each_example_lands_on_its_own_row_in_the_engine(row: Mistake) -> None:
    ev = Evaluator()
    assert ev.execute("import torch").ok
    kind, message, line = made_by(ev.execute(row.example))
    found = find_mistake(kind, message, line)
    assert found is not None and found.id == row.id, (kind, message, line)


@pytest.mark.torch
@pytest.mark.parametrize("row", MISTAKES, ids=IDS)
def test_each_example_lands_on_its_own_row_in_real_torch(row: Mistake) -> None:
    pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                        "the catalogue's examples run in real torch skipped")
    ev = Evaluator(install_torch=False)
    assert ev.execute("import torch").ok
    kind, message, line = made_by(ev.execute(row.example))
    found = find_mistake(kind, message, line)
    assert found is not None and found.id == row.id, (kind, message, line)


@pytest.mark.parametrize("row", [m for m in MISTAKES if m.lesson], ids=lambda m: m.id)
def test_each_pointer_names_a_built_in_step(row: Mistake) -> None:
    assert where_taught(row.lesson, row.step) is not None, (row.lesson, row.step)


def test_a_narrower_row_is_told_apart_by_the_failing_line() -> None:
    message = "element 0 of tensors does not require grad and does not have a grad_fn"
    assert find_mistake("RuntimeError", message, "torch.autograd.grad(g, x)") == mistake(
        "grad-of-a-constant")
    assert find_mistake("RuntimeError", message, "loss.backward()") == mistake("no-grad-fn")
    assert find_mistake("RuntimeError", message) == mistake("no-grad-fn")


def test_types_are_matched_without_their_module_and_unknown_ones_are_not_explained() -> None:
    assert find_mistake("torch.RuntimeError", "a Tensor with 2 elements cannot be converted to "
                                              "Scalar") == mistake("item-of-many")
    assert find_mistake("ValueError", "a Tensor with 2 elements cannot be converted to "
                                      "Scalar") is None
    assert find_mistake("RuntimeError", "something else entirely") is None
