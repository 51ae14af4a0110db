"""``torch.`` and ``torch.nn.functional.`` hold torch's names and no others: a learner's tab
completion offers what real torch has, and ``torch.view(x, 2)`` fails as it does in torch."""

from __future__ import annotations

import importlib
import importlib.util

import pytest

import gradtui.engine.torchapi as ours
import gradtui.engine.torchapi.nn.functional as ours_functional

# Tensor methods and engine helpers that once leaked into these namespaces
NOT_TORCH = {
    ours: ["view", "view_as", "reshape_as", "expand", "expand_as", "repeat", "Any",
           "annotations"],
    ours_functional: ["apply", "OPS", "promote", "broadcast_shape", "dtypes", "errors",
                      "random_ops", "addmm", "matmul", "SELU_ALPHA", "SELU_SCALE", "Any"],
}


@pytest.mark.parametrize("module", NOT_TORCH, ids=["torch", "torch.nn.functional"])
def test_names_torch_lacks_are_not_ours_either(module) -> None:
    assert [name for name in NOT_TORCH[module] if hasattr(module, name)] == []


def test_tensor_methods_stay_methods() -> None:
    x = ours.ones(2, 3)
    assert x.view(3, 2).shape == (3, 2) and x.expand(2, 2, 3).shape == (2, 2, 3)
    assert x.repeat(2, 1).shape == (4, 3) and x.view_as(x).shape == x.reshape_as(x).shape


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="real torch 2.13 (the oracle) is not installed: its namespaces are "
                           "the reference")
@pytest.mark.parametrize("name", ["torch", "torch.nn", "torch.nn.functional", "torch.nn.init",
                                  "torch.optim", "torch.autograd", "torch.utils.data",
                                  "torch.linalg", "torch.random"])
def test_every_public_name_is_one_real_torch_has(name: str) -> None:
    """The namespaces a learner tab-completes most (``torch.autograd.functional``,
    ``torch.serialization`` and the like still show a few helpers)."""
    module = importlib.import_module("gradtui.engine.torchapi" + name[len("torch"):])
    real = importlib.import_module(name)
    extra = sorted(n for n in dir(module) if not n.startswith("_") and not hasattr(real, n))
    assert extra == []


def test_a_file_of_torch_optim_can_still_be_imported() -> None:
    from gradtui.engine.torchapi.optim.optimizer import Optimizer

    assert Optimizer is ours.optim.Optimizer
