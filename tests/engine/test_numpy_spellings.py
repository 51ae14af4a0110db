"""numpy's spellings torch accepts: ``axis=``/``keepdims=`` for ``dim=``/``keepdim=`` on every
function that takes a dim, and a ``range`` as an index, against real torch."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                            "numpy spelling comparisons skipped")

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

CALLS = [
    "x.sum(axis=1)", "x.sum(axis=0, keepdims=True)", "torch.sum(x, axis=(0, 1), keepdims=True)",
    "x.mean(axis=1, keepdims=True)", "torch.mean(x, axis=-1)", "torch.max(x, axis=1)",
    "x.max(axis=0, keepdims=True)", "x.min(axis=1, keepdims=True)", "x.std(axis=1)",
    "x.std(axis=1, keepdims=True)", "x.var(axis=0, keepdims=True)", "x.prod(axis=1)",
    "x.argmax(axis=1)", "x.argmin(axis=0, keepdims=True)", "x.amax(axis=1, keepdims=True)",
    "x.amin(axis=0, keepdims=True)", "x.logsumexp(axis=1, keepdims=True)",
    "torch.norm(x, axis=1)", "torch.cumsum(x, axis=1)", "torch.all(x > 1, axis=1)",
    "torch.any(x > 3, axis=1, keepdims=True)", "x.softmax(axis=1)", "x.log_softmax(axis=0)",
    "x.sort(axis=0, descending=True)", "x.argsort(axis=1)", "x.topk(2, axis=1)",
    "x.gather(axis=1, index=torch.tensor([[0], [1]]))", "torch.unbind(x, axis=1)",
    "x.chunk(2, axis=1)", "x.narrow(axis=1, start=0, length=2)", "x.unsqueeze(axis=0)",
    "torch.cat([x, x], axis=1)", "torch.stack([x, x], axis=1)",
    "x.index_select(axis=1, index=torch.tensor([0]))", "x.unique(dim=0)",
    # torch's own errors: both spellings at once, and split and norm (Python code in torch)
    # refusing axis
    "x.sum(dim=1, axis=1)", "x.sum(1, keepdim=True, keepdims=True)", "torch.split(x, 1, axis=0)",
    # a range is the list of its ints
    "x[range(2)]", "x[range(2), range(2)]", "x[:, range(1, 3)]", "x[range(0)]",
    "x.flatten()[range(1, 6, 2)]",
]


def _run(T: Any, source: str) -> tuple[str, str]:
    x = T.arange(6.0).reshape(2, 3)
    try:
        return "ok", repr(eval(source, {"torch": T, "x": x}))
    except Exception as exc:  # noqa: BLE001 - the error is the observation
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("source", CALLS)
def test_numpy_spellings_work_as_in_torch(source: str) -> None:
    assert _run(ours, source) == _run(torch, source)


def test_assigning_through_a_range_index() -> None:
    def run(T: Any) -> str:
        x = T.zeros(3, 4, requires_grad=True)
        y = x * 1
        y[range(2)] = 5.0
        y[:, range(1, 3)] = T.ones(3, 2)
        y.sum().backward()
        return repr((y, x.grad))

    assert run(ours) == run(torch)
