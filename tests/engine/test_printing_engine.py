"""Integration: the engine's Tensor prints through tensor_repr, byte for byte like torch 2.13.

Every golden case is rebuilt as an engine tensor (``torch.from_numpy`` plus the same
value-preserving op torch used for its grad_fn) and printed with the engine's own
``torch.set_printoptions``. No real torch is needed.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import gradtui.engine.torchapi as engine_torch
from gradtui.engine import printing

GOLDEN_DIR = Path(__file__).parent / "printing_golden"
CASES = json.loads((GOLDEN_DIR / "torch_2_13.json").read_text())["cases"]


def _load_recipes() -> Any:
    spec = importlib.util.spec_from_file_location(
        "printing_golden_recipes_engine", GOLDEN_DIR / "recipes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


recipes = _load_recipes()

# The op the generator applied in torch to get each grad_fn, replayed on the engine.
OPS_BY_GRAD_FN: dict[str, Callable[[Any], Any]] = {
    "CloneBackward0": lambda t: t.requires_grad_().clone(),
    "MulBackward0": lambda t: t.requires_grad_() * 1,
    "SubBackward0": lambda t: t.requires_grad_() - 0,
    "ViewBackward0": lambda t: t.requires_grad_().view(t.shape),
    "PermuteBackward0": lambda t: t.requires_grad_().permute(*range(t.dim())),
    "SqueezeBackward1": lambda t: t.requires_grad_().unsqueeze(0).squeeze(0),
}


@pytest.fixture(autouse=True)
def default_options() -> Iterator[None]:
    engine_torch.set_printoptions(profile="default")
    yield
    engine_torch.set_printoptions(profile="default")


def _engine_tensor(case: dict[str, Any]) -> Any:
    tensor = engine_torch.from_numpy(recipes.build_array(case["array"]))
    if case["grad_fn"] is not None:
        return OPS_BY_GRAD_FN[case["grad_fn"]](tensor)
    if case["requires_grad"]:
        return tensor.requires_grad_()
    return tensor


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_engine_tensor_prints_like_torch(case: dict[str, Any]) -> None:
    tensor = _engine_tensor(case)
    engine_torch.set_printoptions(**case["options"])
    assert repr(tensor) == case["expected"]
    assert str(tensor) == case["expected"]


def test_torch_set_printoptions_is_the_printing_state() -> None:
    engine_torch.set_printoptions(precision=2, linewidth=100)
    assert printing.get_printoptions()["precision"] == 2
    assert printing.get_printoptions()["linewidth"] == 100
    assert repr(engine_torch.tensor([1.23456])) == "tensor([1.23])"


def test_containers_and_fstrings_use_the_repr() -> None:
    x = engine_torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert f"{y}" == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr([x]) == "[tensor([1., 2.], requires_grad=True)]"
    assert repr({"y": y}) == "{'y': tensor([2., 4.], grad_fn=<MulBackward0>)}"
