""":source NAME reads the op table itself: the row, its rules, the functions its formulas call."""

from __future__ import annotations

import inspect

from gradtui.engine.op_schema import OPS
from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.op_source import source_text


def _namespace(*cells: str) -> dict:
    ev = Evaluator()
    for cell in ("import torch", *cells):
        assert ev.execute(cell).ok
    return ev.namespace


def test_a_tensors_source_is_the_row_of_its_grad_fn_as_written_in_ops_py() -> None:
    ns = _namespace("x = torch.ones(2, requires_grad=True)", "y = x * 3")
    text = source_text(ns, "y")
    assert text is not None
    assert text.startswith("y.grad_fn is MulBackward0, made by this row of the op table:")
    assert "gradtui/engine/ops.py, lines " in text
    assert 'op("mul", "MulBackward0"' in text
    for rule in OPS["mul"].rules:  # the row's rules, from the table
        assert rule in text
    # and the kernel function its formulas call, from its own module
    assert "times (gradtui/engine/kernels/spread.py, line" in text and "def times(" in text


def test_the_quoted_lines_are_the_files_lines() -> None:
    text = source_text({}, "pow") or ""
    where = next(line for line in text.splitlines() if line.startswith("gradtui/engine/ops.py"))
    first, last = (int(n) for n in where.split("lines ")[1].rstrip(":").split("-"))
    path = inspect.getsourcefile(OPS["pow"].forward)
    assert path is not None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()[first - 1:last]
    for line in lines:
        assert "    " + line in text
    assert "pow_backward (gradtui/engine/formulas.py" in text


def test_op_and_grad_fn_names_work_too_and_unknown_names_are_none() -> None:
    assert 'op("sum"' in (source_text({}, "SumBackward0") or "")
    assert source_text({}, "nothing_like_this") is None


def test_a_leaf_shows_how_accumulation_adds_into_grad() -> None:
    ns = _namespace("w = torch.ones(2, requires_grad=True)")
    text = source_text(ns, "w") or ""
    assert text.startswith("w is a leaf (it requires grad)") and "_accumulate_grad" in text


def test_a_custom_function_shows_the_backward_the_learner_wrote() -> None:
    ns = _namespace(
        "class Cube(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n"
        "        return x ** 3\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad):\n"
        "        (x,) = ctx.saved_tensors\n"
        "        return grad * 3 * x ** 2\n",
        "x = torch.ones(2, requires_grad=True)", "c = Cube.apply(x)")
    text = source_text(ns, "c") or ""
    assert "CubeBackward: a torch.autograd.Function" in text
    assert "return grad * 3 * x ** 2" in text
