"""engine/flow.py: the gradient that reached each node in the latest backward pass."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from gradtui.engine import flow
from gradtui.engine.torchapi import tensor


@pytest.fixture
def recording() -> Iterator[None]:
    flow.record(1000)
    yield
    flow.record(0)
    flow.forget()


def test_each_node_keeps_the_gradient_of_its_output(recording) -> None:
    # d = a*b + a at a=2, b=3: the Add node gets 1, the Mul node gets 1 (d(a*b + a)/d(a*b)).
    a = tensor(2.0, requires_grad=True)
    b = tensor(3.0, requires_grad=True)
    m = a * b
    d = (m + a) * 4
    d.backward()
    assert flow.gradient_through(d.grad_fn).tolist() == 1.0
    assert flow.gradient_through(d.grad_fn.next_functions[0][0]).tolist() == 4.0
    assert flow.gradient_through(m.grad_fn).tolist() == 4.0
    assert a.grad.item() == 16.0  # 4 * (b + 1): the recording changes nothing
    assert flow.gradient_through(a.grad_fn) is None  # a leaf has no grad_fn node


def test_only_the_latest_pass_is_kept_and_a_graph_not_run_has_none(recording) -> None:
    x = tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    z = (x * 3).sum()
    z.backward()
    assert flow.gradient_through(z.grad_fn) is not None
    assert flow.gradient_through(y.grad_fn) is None


def test_off_by_default_and_capped(recording) -> None:
    x = tensor(1.0, requires_grad=True)
    flow.record(2)
    y = ((x + 1) * 2).exp().sum()  # four nodes
    y.backward()
    assert sum(flow.gradient_through(n) is not None
               for n in (y.grad_fn, y.grad_fn.next_functions[0][0])) == 2
    flow.record(0)
    w = (x * 5).sum()
    w.backward()  # recording off: the last recorded pass stays, nothing of this one
    assert flow.gradient_through(w.grad_fn) is None


def test_a_create_graph_pass_forgets_the_pass_before(recording) -> None:
    x = tensor(3.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    assert flow.gradient_through(y.grad_fn) is not None
    with pytest.warns(UserWarning, match="reference cycle"):
        y.backward(create_graph=True)
    assert flow.gradient_through(y.grad_fn) is None
    assert np.isclose(x.grad.item(), 12.0)
