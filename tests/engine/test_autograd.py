"""Autograd semantics: accumulation, retain_graph, freed buffers, implicit gradients, grad mode,
autograd.grad, retain_grad, detach, in-place errors, the version counter, deep graphs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import errors
from gradtui.engine.autograd import AccumulateGrad, last_backward_leaves
from gradtui.engine.torchapi.nn import functional as F


def test_notebook_gradient_and_graph() -> None:
    x = torch.autograd.Variable(torch.ones(2), requires_grad=True)
    y = 5 * (x + 1) ** 2
    o = (1 / 2) * torch.sum(y)
    names, node = [], o.grad_fn
    while node is not None and not isinstance(node, AccumulateGrad):
        names.append(node.name())
        node = next(n for n, _ in node.next_functions if n is not None)
    assert names == ["MulBackward0", "SumBackward0", "MulBackward0", "PowBackward0",
                     "AddBackward0"]
    assert node.variable is x
    o.backward()
    assert x.grad.tolist() == [10.0, 10.0]


def test_gradients_accumulate_across_backward_calls_and_graphs() -> None:
    x = torch.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    assert x.grad.tolist() == [7.0, 7.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_second_backward_raises_torchs_error_unless_graph_retained() -> None:
    x = torch.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert str(info.value) == errors.BACKWARD_TWICE


def test_a_graph_that_saved_no_tensor_can_run_backward_twice() -> None:
    x = torch.ones(2, requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_saved_values_are_freed_after_backward() -> None:
    x = torch.ones(2, requires_grad=True)
    w = torch.full((2,), 3.0, requires_grad=True)
    y = x * w
    assert set(y.grad_fn.saved_values()) == {"self", "other"}
    y.sum().backward()
    assert y.grad_fn.saved_freed
    assert y.grad_fn.saved_values() == {}


def test_implicit_gradient_only_for_one_element_outputs() -> None:
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=errors.IMPLICIT_GRAD_SCALAR):
        (x * 2).backward()
    (x[:1] * 2).backward()  # shape (1,) is fine
    assert x.grad.tolist() == [2.0, 0.0]


def test_gradient_argument_must_match_the_output_shape_first() -> None:
    x = torch.ones(2, requires_grad=True)
    o = (x * 2).sum()
    o.backward()
    with pytest.raises(RuntimeError) as info:
        o.backward(torch.FloatTensor([1.0, 1.0]))
    assert str(info.value) == errors.SHAPE_MISMATCH.format(
        index=0, got="torch.Size([2])", expected="torch.Size([])")
    assert x.grad.tolist() == [2.0, 2.0]


def test_backward_on_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.ones(1).backward()


def test_no_grad_results_are_leaves_without_grad_fn() -> None:
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf

    @torch.no_grad()
    def double(t: torch.Tensor) -> torch.Tensor:
        return t * 2

    assert double(x).grad_fn is None
    with torch.no_grad(), torch.enable_grad():
        assert (x * 2).grad_fn is not None
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_autograd_grad_returns_gradients_without_touching_dot_grad() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    (gx,) = torch.autograd.grad((x * w).sum(), x)
    assert gx.tolist() == [3.0, 4.0]
    assert x.grad is None and w.grad is None


def test_autograd_grad_unused_input() -> None:
    x = torch.ones(2, requires_grad=True)
    unused = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        torch.autograd.grad((x * 2).sum(), [x, unused])
    assert str(info.value) == errors.UNUSED_INPUT.format(index=1)
    gx, gu = torch.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gu is None


def test_retain_grad_fills_a_non_leaf_grad_and_plain_access_warns() -> None:
    x = torch.ones(2, requires_grad=True)
    h = x * 2
    y = x * 3
    h.retain_grad()
    (h * y).sum().backward()
    assert h.retains_grad and h.grad.tolist() == [3.0, 3.0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert y.grad is None
    assert [str(w.message) for w in caught] == [errors.NON_LEAF_GRAD]


def test_detach_shares_memory_but_leaves_the_graph() -> None:
    x = torch.ones(2, requires_grad=True)
    d = x.detach()
    assert d.is_leaf and not d.requires_grad
    with torch.no_grad():
        x.add_(1)
    assert d.tolist() == [2.0, 2.0]


def test_in_place_on_a_leaf_that_requires_grad_is_refused() -> None:
    x = torch.ones(2, requires_grad=True)
    for act in (lambda: x.add_(1), lambda: x.mul_(2), lambda: x.zero_()):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            act()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x[0] = 5.0
    with torch.no_grad():
        x += 1
        x[0] = 5.0
    assert x.tolist() == [5.0, 2.0]
    assert x._version == 2


def test_in_place_on_a_non_leaf_takes_over_the_grad_fn() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x * 1
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    y.mul_(3)
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_modifying_a_saved_tensor_in_place_makes_backward_raise() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x.exp()
    z = y * 2
    y.add_(1)
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    assert "[torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; expected " \
           "version 0 instead." in str(info.value)


def test_modifying_a_saved_constant_names_no_origin() -> None:
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2)
    y = (x * w).sum()
    w.add_(1)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[2\]\] is at version 1"):
        y.backward()


def test_a_value_no_tracked_input_needs_is_not_version_checked() -> None:
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2)
    y = (w * x).sum()  # d/dx needs w, nothing needs x
    with torch.no_grad():
        x.add_(1)
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_broadcast_gradients_are_summed_back_to_each_input_shape() -> None:
    a = torch.ones(3, 1, requires_grad=True)
    b = torch.ones(1, 2, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.tolist() == [[2.0], [2.0], [2.0]]
    assert b.grad.tolist() == [[3.0, 3.0]]


def test_grads_keep_the_leaf_dtype() -> None:
    x = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (x * torch.ones(2)).sum().backward()
    assert x.grad.dtype == torch.float64


def test_deep_chain_runs_without_recursion_error() -> None:
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_last_backward_leaves_lists_the_leaves_that_got_gradients() -> None:
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    (a * 2).sum().backward()
    assert last_backward_leaves() == [a]
    (a * b).sum().backward()
    assert {id(t) for t in last_backward_leaves()} == {id(a), id(b)}


def test_next_functions_follow_torchs_order_and_share_accumulators() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    z = torch.ones(2) * x
    assert [n is None for n, _ in y.grad_fn.next_functions] == [False, True]
    assert [n is None for n, _ in z.grad_fn.next_functions] == [True, False]
    assert y.grad_fn.next_functions[0][0] is z.grad_fn.next_functions[1][0]
    acc = y.grad_fn.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.next_functions == ()


def test_zero_division_gives_inf_and_nan_silently() -> None:
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = 1 / x
        y.sum().backward()
    assert np.isinf(y._array[0]) and x.grad._array[0] == -np.inf


def test_hooks_on_a_non_leaf_see_and_replace_its_gradient() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.register_hook(lambda g: g * 10)
    (y * y).sum().backward()
    assert seen == [[6.0, 6.0]]
    assert x.grad.tolist() == [180.0, 180.0]


def test_grad_mode_decorators_like_torch() -> None:
    x = torch.ones(2, requires_grad=True)

    @torch.no_grad
    def bare() -> bool:
        return (x * 2).requires_grad

    @torch.set_grad_enabled(False)
    def disabled() -> bool:
        return torch.is_grad_enabled()

    assert torch.is_grad_enabled()  # the decorator did not leave the mode off
    assert bare() is False and disabled() is False and torch.is_grad_enabled()

    @torch.no_grad()
    def gen():  # noqa: ANN202
        yield (x * 2).requires_grad

    assert list(gen()) == [False]


def test_backward_of_several_outputs_to_inputs_walks_their_shared_graph_once() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * x  # saved x: a second walk without retain_graph would raise
    torch.autograd.backward([h.sum(), (h * 2).sum()], inputs=[x])
    assert x.grad.tolist() == [6.0, 12.0]  # torch 2.13
    (x * 3).sum().backward(inputs=[x])
    assert x.grad.tolist() == [9.0, 15.0]


def test_gradients_pair_with_outputs_like_zip_and_too_few_is_torchs_error() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    # torch 2.13: an extra gradient is ignored, a missing one is an error
    assert torch.autograd.grad([y], [x], [torch.ones(2), torch.ones(2)],
                               retain_graph=True)[0].tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match=r"^got 2 tensors and 1 gradients$"):
        torch.autograd.grad([y, y * 1], [x], [torch.ones(2)])
    with pytest.raises(RuntimeError, match=r"^got 2 tensors and 1 gradients$"):
        torch.autograd.backward([y, y * 1], [torch.ones(2)])
    assert x.grad is None


def test_node_repr_shows_torchs_class_name() -> None:
    x = torch.ones(2, requires_grad=True) * 1
    x[0] = 5
    assert x.grad_fn.name() == "torch::autograd::CopySlices"
    assert repr(x.grad_fn).startswith("<CopySlices object at 0x")  # torch 2.13
    assert repr((x * 2).grad_fn).startswith("<MulBackward0 object at 0x")
    with pytest.raises(AttributeError, match="^'CopySlices' object has no attribute 'nope'$"):
        x.grad_fn.nope  # noqa: B018


def test_saved_scalars_outlive_backward_while_saved_tensors_are_freed() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x ** 2
    y.sum().backward()
    assert y.grad_fn._saved_exponent == 2  # torch 2.13
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        y.grad_fn._saved_self  # noqa: B018


def test_a_view_keeps_its_grad_fn_until_its_memory_changes_in_place() -> None:
    a = torch.ones(3, requires_grad=True)
    b = a * 2
    c = b[1:]
    first = c.grad_fn
    assert first.name() == "SliceBackward0" and c.grad_fn is first  # nothing rebuilt
    b.mul_(3)
    rebuilt = c.grad_fn
    assert rebuilt.name() == "AsStridedBackward0" and c.grad_fn is rebuilt  # rebuilt once
    assert rebuilt.next_functions[0][0] is b.grad_fn  # over the base's in-place MulBackward0
    d = c * 1  # a new op on the view records the rebuilt node
    assert d.grad_fn.next_functions[0][0] is rebuilt


def test_graphs_are_freed_without_the_garbage_collector() -> None:
    # A node must not refer to itself (e.g. through the version entry of its saved result):
    # such cycles keep every graph alive until Python's cycle collector happens to run.
    import gc

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * x
            ctx.save_for_backward(x, out)
            return out

        @staticmethod
        def backward(ctx, g):
            x, _ = ctx.saved_tensors
            return 2 * x * g

    def step() -> None:
        w = torch.ones(3, 2, requires_grad=True)
        h = F.relu(torch.ones(4, 3) @ w).exp().sigmoid()
        h = h * 1
        h.tanh_()  # an in-place op adopting the saved result
        loss = F.cross_entropy(Square.apply(h), torch.tensor([0, 1, 0, 1]))
        loss.backward()

    gc.collect()
    gc.disable()
    try:
        step()
        assert gc.collect() == 0
    finally:
        gc.enable()
