"""Devices on a CPU-only torch: every factory, conversion and module move that names CUDA (or
another device this build lacks) fails as torch 2.13 CPU fails, and the CPU spellings work."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                            "device tests skipped")

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

CALLS = [
    # factories, with a string, a torch.device and an index
    *[f"torch.{call}".format(d=d) for call in (
        "ones(2, device={d})", "zeros(2, device={d})", "empty(2, device={d})",
        "full((2,), 1.5, device={d})", "tensor([1.], device={d})", "as_tensor([1.], device={d})",
        "as_tensor(torch.ones(2), device={d})", "arange(3, device={d})",
        "linspace(0, 1, 3, device={d})", "eye(2, device={d})", "rand(2, device={d})",
        "randn(2, device={d})", "randint(3, (2,), device={d})", "randperm(3, device={d})",
        "normal(0., 1., size=(2,), device={d})", "ones_like(torch.ones(2), device={d})",
        "zeros_like(torch.ones(2), device={d})", "empty_like(torch.ones(2), device={d})",
        "full_like(torch.ones(2), 3., device={d})", "rand_like(torch.ones(2), device={d})",
        "randn_like(torch.ones(2), device={d})", "randint_like(torch.ones(2), 3, device={d})",
        "ones(2).to({d})", "ones(2).to(device={d})", "ones(2).to({d}, torch.float64)",
        "ones(2).new_ones(2, device={d})", "ones(2).new_zeros(2, device={d})",
        "ones(2).new_tensor([1.], device={d})", "ones(2).new_full((2,), 1., device={d})",
        "nn.Linear(2, 2).to({d})")
      for d in ("'cuda'", "'cuda:0'", "torch.device('cuda:0')", "'cpu'", "torch.device('cpu')",
                "'xpu'")],
    "torch.ones(2).cuda()", "torch.ones(2).cuda(0)", "torch.nn.Linear(2, 2).cuda()",
    "torch.ones(2).cpu()", "torch.nn.Linear(2, 2).cpu()", "torch.ones(2, device=0)",
    "torch.device(0)", "torch.device('cuda', 1)", "torch.device('cuda:x')",
    "torch.device('cpu:-1')", "torch.device('gpu')", "torch.empty(2, device='gpu')",
    "torch.cuda.is_available()", "torch.cuda.device_count()", "torch.cuda.current_device()",
    "torch.ones(2).to(device=None)", "torch.ones(2).is_cuda", "torch.ones(2).device",
    "torch.Generator(device='cuda')",
]


def _run(T: Any, source: str) -> tuple[str, str]:
    try:
        return "ok", repr(eval(source, {"torch": T, "nn": T.nn}))
    except Exception as exc:  # noqa: BLE001 - the error is the observation
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("source", CALLS)
def test_devices_fail_and_work_as_on_a_cpu_only_torch(source: str) -> None:
    ours.manual_seed(0)
    torch.manual_seed(0)
    mine, theirs = _run(ours, source), _run(torch, source)
    if "nn.Linear" in source or "empty" in source and mine[0] == "ok":
        # empty's memory is uninitialised in torch: compare the outcome and the result's kind
        mine, theirs = mine[0] + mine[1].split("(")[0], theirs[0] + theirs[1].split("(")[0]
    assert mine == theirs
