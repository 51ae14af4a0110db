""":step's trace in the learner's terms: names that never clash, values of one style, numbers
plugged into each rule, and accumulation at the end."""

from __future__ import annotations

import pytest

from gradtui.kernel.backward_trace import trace_backward
from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.step_text import whole_walk


def _run(*cells: str) -> Evaluator:
    ev = Evaluator()
    for cell in ("import torch", *cells):
        result = ev.execute(cell)
        assert result.ok, result.error
    return ev


SEED = ("x = torch.ones(2, requires_grad=True)", "y = 5 * (x + 1) ** 2",
        "o = (1/2) * torch.sum(y)")


def test_the_seed_walk_reads_like_the_chain_rule_worked_on_paper() -> None:
    ev = _run(*SEED)
    trace = trace_backward(ev.namespace, "o")
    assert [s.name for s in trace.steps] == ["MulBackward0", "SumBackward0", "MulBackward0",
                                             "PowBackward0", "AddBackward0"]
    total, power = trace.steps[1], trace.steps[3]
    assert total.inputs == ["y"] and total.rules == ["d(sum y)/dy_i = 1"]
    assert total.locals == ["[1., 1.]"] and total.grads_out == ["[0.5, 0.5]"]
    assert power.rules == ["d(<AddBackward0>^2)/d<AddBackward0> = 2*<AddBackward0>^(2-1)"]
    assert power.grad_in == "[2.5, 2.5]" and power.locals == ["[4., 4.]"]
    assert trace.steps[2].output == "y" and trace.steps[0].output == "o"


def test_values_are_printed_one_way() -> None:
    ev = _run(*SEED)
    text = whole_walk(trace_backward(ev.namespace, "o"))
    assert "tensor(" not in text
    assert "gradient in: do/do = 1." in text and "so 0.5 * [1., 1.] = [0.5, 0.5]" in text


def test_the_learners_a_and_b_are_never_confused_with_the_rules_letters() -> None:
    # the op table writes d(a+b)/db; here the learner's b is the row's first input
    ev = _run("a = torch.tensor([1., 2.], requires_grad=True)",
              "b = torch.tensor([3., 4.], requires_grad=True)", "c = (b * a).sum()")
    (_, product) = trace_backward(ev.namespace, "c").steps
    assert product.inputs == ["b", "a"]
    assert product.rules == ["d(b*a)/db = a", "d(b*a)/da = b"]
    assert product.locals == ["[1., 2.]", "[3., 4.]"]  # d/db is a's values, d/da is b's


def test_the_outputs_of_one_custom_function_are_told_apart() -> None:
    # a and b come out of one PairBackward node: each is called by its own name
    ev = _run("class Pair(torch.autograd.Function):\n"
              "    @staticmethod\n"
              "    def forward(ctx, x):\n"
              "        return x * 2, x ** 2\n"
              "    @staticmethod\n"
              "    def backward(ctx, ga, gb):\n"
              "        return ga * 2 + gb * 2\n",
              "x = torch.tensor([1., 2.], requires_grad=True)", "a, b = Pair.apply(x)",
              "loss = (a * b).sum()")
    product = trace_backward(ev.namespace, "loss").steps[1]
    assert product.inputs == ["a", "b"]
    assert product.rules == ["d(a*b)/da = b", "d(a*b)/db = a"]


def test_unnamed_intermediates_and_constants_get_labels_no_variable_can_have() -> None:
    ev = _run("x = torch.tensor([1., 2.], requires_grad=True)", "z = ((x + 1) * (x + 2)).sum()")
    product = trace_backward(ev.namespace, "z").steps[1]
    assert product.inputs == ["<AddBackward0 self>", "<AddBackward0 other>"]
    add = trace_backward(ev.namespace, "z").steps[-1]
    assert add.inputs == ["x", "<constant>"] and add.rules[0] == "d(x+<constant>)/dx = 1"


def test_a_named_constant_tensor_is_called_by_its_name() -> None:
    ev = _run("W = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)",
              "X = torch.ones(3, 2)", "out = (X @ W).sum()")
    mm = trace_backward(ev.namespace, "out").steps[1]
    assert mm.inputs == ["X", "W"] and mm.rules[1] == "d(X@W)/dW = X^T @ grad"
    assert mm.locals == [None, None]  # a matrix product is no per-element rule
    assert "-> X: nothing (X does not require grad)" in whole_walk(
        trace_backward(ev.namespace, "out"))


def test_broadcasting_says_the_gradient_was_summed_to_the_inputs_shape() -> None:
    ev = _run("w = torch.tensor([1., 2.], requires_grad=True)",
              "h = torch.ones(3, 2) * w", "s = h.sum()")
    mul = trace_backward(ev.namespace, "s").steps[1]
    assert mul.summed == [False, True] and mul.grads_out[1] == "[3., 3.]"
    assert "summed over the broadcast dims to w's shape: [3., 3.]" in whole_walk(
        trace_backward(ev.namespace, "s"))


def test_the_end_adds_to_the_gradient_a_leaf_already_holds() -> None:
    ev = _run(*SEED, "o.backward(retain_graph=True)")
    trace = trace_backward(ev.namespace, "o")
    (leaf,) = trace.leaves
    assert (leaf.name, leaf.before, leaf.grad, leaf.after) == (
        "x", "[10., 10.]", "[10., 10.]", "[20., 20.]")
    assert "x.grad: [10., 10.] + [10., 10.] = [20., 20.]" in whole_walk(trace)
    ev.execute("o.backward()")
    assert ev.evaluate("x.grad.tolist() == [20., 20.]")[0]  # what the walk said


def test_hooks_show_in_the_walk_as_backward_applies_them() -> None:
    ev = _run("x = torch.tensor([1., 2.], requires_grad=True)", "y = x * 3",
              "h = y.register_hook(lambda g: g * 10)", "s = y.sum()")
    trace = trace_backward(ev.namespace, "s")
    assert trace.steps[1].grad_in == "[10., 10.]"
    assert trace.leaves[0].after == "[30., 30.]"


@pytest.mark.parametrize(("cells", "error"), [
    (("t = 3",), "t is not a tensor"),
    ((), "NameError"),
    (("x = torch.ones(2, requires_grad=True)", "y = (x * x).sum()", "y.backward()"),
     "backward through the graph a second time"),
])
def test_a_walk_that_cannot_run_says_why(cells: tuple[str, ...], error: str) -> None:
    ev = _run(*cells)
    name = "t" if "t = 3" in cells else "y"
    trace = trace_backward(ev.namespace, name)
    assert error in (trace.error or "") and trace.steps == []
    assert whole_walk(trace).startswith(f"Cannot step through {name}.backward()")


def test_a_hook_that_changes_a_gradient_is_shown_where_it_does() -> None:
    ev = _run("x = torch.tensor([1., 2.], requires_grad=True)", "y = x * 3",
              "h = y.register_hook(lambda g: g * 2)",
              "hx = x.register_hook(lambda g: g + 100)",
              "w = torch.tensor(5., requires_grad=True)",
              "hw = w.register_hook(lambda g: None)", "o = (y * w).sum()")
    trace = trace_backward(ev.namespace, "o")
    made_y = next(s for s in trace.steps if s.output == "y")
    assert made_y.hooked_from == "[5., 5.]" and made_y.grad_in == "[10., 10.]"
    assert made_y.hooks == 1 and made_y.grads_out[0] == "[30., 30.]"
    assert all(s.hooked_from is None for s in trace.steps if s.output != "y")
    leaves = {leaf.name: leaf for leaf in trace.leaves}
    assert leaves["x"].hooked_from == "[30., 30.]" and leaves["x"].after == "[130., 130.]"
    assert leaves["w"].hooked_from == "9." and leaves["w"].grad == "9."
    text = whole_walk(trace)
    assert ("  gradient in: do/dy = [5., 5.]\n"
            "  y's hook (register_hook) made it [10., 10.]: the node uses that\n"
            "  -> x: d(x*3)/dx = 3 = [3., 3.]\n"
            "       so [10., 10.] * [3., 3.] = [30., 30.]") in text
    assert ("  x receives [30., 30.]; x's hook (register_hook) made it [130., 130.]\n"
            "  x.grad: None -> [130., 130.]") in text
    assert "  w receives 9.; w's hook (register_hook) ran and kept it" in text
    assert "(the hooks ran during this walk; backward() runs them again)" in text
    assert "+=" not in text  # the leaves are said once
    # the walk changed nothing; backward then does what it showed
    assert ev.execute("o.backward(); print(x.grad)").stdout.strip() == "tensor([130., 130.])"


def test_a_walk_without_hooks_says_nothing_of_them() -> None:
    ev = _run(*SEED)
    text = whole_walk(trace_backward(ev.namespace, "o"))
    assert "hook" not in text


def test_a_modules_backward_hook_nodes_say_what_they_do() -> None:
    ev = _run("torch.manual_seed(0)", "m = torch.nn.Linear(2, 1)",
              "h = m.register_full_backward_hook(lambda mod, gi, go: None)",
              "x = torch.ones(1, 2, requires_grad=True)", "o = m(x).sum()")
    trace = trace_backward(ev.namespace, "o")
    hook_steps = [s for s in trace.steps if s.name == "BackwardHookFunctionBackward"]
    assert [s.rules for s in hook_steps] == [
        ["passes through; Linear's backward pre-hooks see it and may replace it "
         "(register_full_backward_pre_hook)"],
        ["passes through; Linear's backward hooks see it as grad_input and may replace it "
         "(register_full_backward_hook)"]]
    assert "the backward you wrote" not in whole_walk(trace)
