"""The backward walk: one loop for backward(), autograd.grad, create_graph and the dry run.

The dry run (what ``:step`` shows) is proved equal to the real walk node by node, and to the
``.grad`` backward then leaves, over graphs with broadcasting, shared inputs, gradients already
accumulated, hooks and retain_grad; and it is proved to change nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import errors, walk
from gradtui.engine.autograd import last_backward_leaves

Graph = Callable[[], tuple[list[torch.Tensor], torch.Tensor]]


def _seed() -> tuple[list[torch.Tensor], torch.Tensor]:
    x = torch.ones(2, requires_grad=True)
    return [x], (1 / 2) * torch.sum(5 * (x + 1) ** 2)


def _broadcast_and_shared() -> tuple[list[torch.Tensor], torch.Tensor]:
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    c = a * b + a          # b broadcast over rows; a used twice
    return [a, b], (c * c).mean() + b.sum()


def _accumulated() -> tuple[list[torch.Tensor], torch.Tensor]:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()  # x.grad holds [3., 3.] already
    return [x], (x * x).sum()


def _matmul_relu() -> tuple[list[torch.Tensor], torch.Tensor]:
    w = torch.tensor([[0.5, -1.0], [2.0, 1.0], [-0.5, 0.25]], requires_grad=True)
    x = torch.tensor([[1.0, 2.0, 3.0]])
    h = torch.relu(x @ w)
    return [w], torch.nn.functional.mse_loss(h, torch.tensor([[1.0, 0.0]]))


GRAPHS: dict[str, Graph] = {"seed notebook": _seed, "broadcast, shared": _broadcast_and_shared,
                            "accumulated": _accumulated, "matmul relu": _matmul_relu}


@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_the_dry_run_is_the_walk_backward_runs_node_for_node(build: Graph) -> None:
    leaves, out = build()
    dry, dry_leaves = walk.dry_run(out)
    real = walk.Walk((out,), (None,), retain_graph=False, record=True)
    real.run()
    real.finish()
    visits = real.visits
    assert [v.node for v in dry] == [v.node for v in visits]
    for d, r in zip(dry, visits, strict=True):
        np.testing.assert_array_equal(d.grad_in, r.grad_in)
        for dg, rg in zip(d.grads_out, r.grads_out, strict=True):
            assert (dg is None) == (rg is None)
            if dg is not None:
                np.testing.assert_array_equal(dg, rg)
    by_leaf = {id(v.leaf): v for v in dry_leaves}
    for leaf in leaves:  # the dry run's totals are what backward left in .grad, bit for bit
        np.testing.assert_array_equal(by_leaf[id(leaf)].after, leaf.grad._array)


def test_a_dry_run_shows_accumulation_into_an_existing_grad() -> None:
    (x,), out = _accumulated()
    _, (leaf,) = walk.dry_run(out)
    assert leaf.leaf is x
    assert leaf.before.tolist() == [3.0, 3.0] and leaf.grad.tolist() == [2.0, 4.0]
    assert leaf.after.tolist() == [5.0, 7.0]
    assert x.grad.tolist() == [3.0, 3.0]  # unchanged


def test_a_dry_run_changes_nothing() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    y.retain_grad()
    out = (y * y).sum()
    (a * 1).sum().backward()  # the last backward's leaves, which a dry run must not change
    before = last_backward_leaves()
    for _ in range(2):
        walk.dry_run(out)
    assert a.grad.tolist() == [1.0, 1.0] and y.grad is None
    assert not out.grad_fn.saved_freed and last_backward_leaves() == before
    out.backward()  # the real walk still has everything
    assert a.grad.tolist() == [1.0 + 8.0, 1.0 + 16.0] and y.grad.tolist() == [4.0, 8.0]


def test_hooks_run_in_the_dry_run_as_in_backward() -> None:
    calls: list[str] = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: calls.append("y") or g * 10)   # replaces y's gradient
    x.register_hook(lambda g: calls.append("x") or g + 1)    # and x's, before accumulation
    out = y.sum()
    dry, (leaf,) = walk.dry_run(out)
    assert calls == ["y", "x"]
    mul = next(v for v in dry if v.node.name() == "MulBackward0")
    assert mul.grad_in.tolist() == [10.0, 10.0] and mul.grads_out[0].tolist() == [30.0, 30.0]
    assert leaf.grad.tolist() == [31.0, 31.0] and x.grad is None
    # what arrived before the hooks is kept, for :step to show what they changed
    assert mul.before_hooks.tolist() == [1.0, 1.0] and mul.hooks == 1
    assert leaf.before_hooks.tolist() == [30.0, 30.0] and leaf.hooks == 1
    out.backward()
    assert x.grad.tolist() == leaf.after.tolist()


def test_a_dry_run_without_hooks_keeps_no_second_gradient() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    dry, (leaf,) = walk.dry_run((x * 3).sum())
    assert all(v.before_hooks is None and v.hooks == 0 for v in dry)
    assert leaf.before_hooks is None and leaf.hooks == 0


def test_the_dry_run_raises_what_backward_would() -> None:
    x = torch.ones(2, requires_grad=True)
    out = (x * x).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        walk.dry_run(out)
    with pytest.raises(RuntimeError, match=errors.IMPLICIT_GRAD_SCALAR):
        walk.dry_run(x * 2)
    y = x * 2
    z = (y * y).sum()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        walk.dry_run(z)


def test_a_leaf_output_is_its_own_accumulation() -> None:
    x = torch.tensor(3.0, requires_grad=True)
    visits, (leaf,) = walk.dry_run(x)
    assert visits == [] and leaf.leaf is x and leaf.grad.tolist() == 1.0


def test_a_dry_run_steps_through_a_custom_function_without_freeing_it() -> None:
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = Cube.apply(x).sum()
    dry, (leaf,) = walk.dry_run(out)
    assert [v.node.name() for v in dry] == ["SumBackward0", "CubeBackward"]
    assert leaf.after.tolist() == [3.0, 12.0]
    out.backward()
    assert x.grad.tolist() == [3.0, 12.0]


def _reachable(root: object) -> list:
    """Every node under ``root`` (not the AccumulateGrad sinks), each once."""
    seen, stack, out = set(), [root], []
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or not hasattr(node, "_seq"):
            continue
        seen.add(id(node))
        out.append(node)
        stack.extend(nxt for nxt, _ in node.next_functions)
    return out


@pytest.mark.parametrize("seed", range(30))
def test_nodes_run_newest_first_in_chains_and_branchy_graphs(seed: int) -> None:
    """The walk's order is torch's: newest node first. Random graphs mix chains (where the
    next node skips the heap) with branches and joins (where a node waiting in the heap may
    be newer than the one a chain hands on to)."""
    rng = np.random.default_rng(seed)
    x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
    values = [x]
    for _ in range(int(rng.integers(3, 25))):
        a = values[int(rng.integers(len(values)))]
        b = values[int(rng.integers(len(values)))]
        kind = int(rng.integers(4))
        values.append(a * 0.5 if kind == 0 else a + b if kind == 1 else a * b if kind == 2
                      else a.sin())
    out = sum(v.sum() for v in values[1:])
    visits, _ = walk.dry_run(out)
    order = [v.node._seq for v in visits]
    assert order == sorted(order, reverse=True)
    assert {v.node._seq for v in visits} == {n._seq for n in _reachable(out.grad_fn)}
    _, leaves = walk.dry_run(out)
    out.backward()
    assert np.array_equal(x.grad.numpy(), leaves[0].after)
