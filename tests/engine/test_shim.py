"""The torch import hook: on only while installed, and it leaves no trace."""

from __future__ import annotations

import importlib
import sys

from gradtui.engine import shim
from gradtui.engine.tensor import Tensor


def test_torch_modules_resolve_to_the_engine_only_inside_the_shim() -> None:
    before = {n for n in sys.modules if n == "torch" or n.startswith("torch.")}
    with shim.shim_active():
        import torch
        import torch.autograd.variable
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.autograd import Variable

        assert torch.Tensor is Tensor
        assert F.relu is nn.functional.relu
        assert torch.autograd.variable.Variable is Variable
        assert isinstance(torch.ones(1), Variable)
        assert str(type(Variable(torch.ones(1)))) == "<class 'torch.Tensor'>"
    after = {n for n in sys.modules if n == "torch" or n.startswith("torch.")}
    assert after == before


def test_unknown_torch_submodule_is_a_clean_import_error() -> None:
    with shim.shim_active():
        try:
            importlib.import_module("torch.cuda_does_not_exist")
        except ModuleNotFoundError as exc:
            assert "torch.cuda_does_not_exist" in str(exc)
        else:
            raise AssertionError("expected ModuleNotFoundError")


def test_install_is_idempotent_and_uninstall_restores_previous_modules() -> None:
    marker = type(sys)("torch")
    saved = sys.modules.get("torch")
    sys.modules["torch"] = marker
    try:
        shim.install()
        shim.install()
        assert sys.modules["torch"] is not marker and shim.is_installed()
        shim.uninstall()
        assert sys.modules["torch"] is marker and not shim.is_installed()
    finally:
        if saved is None:
            sys.modules.pop("torch", None)
        else:
            sys.modules["torch"] = saved


def test_torch_modules_are_named_like_torchs_only_while_installed() -> None:
    with shim.shim_active():
        import torch
        import torch.cuda
        import torch.nn.functional as F

        assert (torch.__name__, F.__name__, torch.autograd.__name__, torch.cuda.__name__) == (
            "torch", "torch.nn.functional", "torch.autograd", "torch.cuda")
        assert not hasattr(torch, "get_printoptions")  # real torch 2.13 has none either
    import gradtui.engine.torchapi as engine_torch

    assert engine_torch.__name__ == "gradtui.engine.torchapi"
    assert engine_torch.nn.functional.__name__ == "gradtui.engine.torchapi.nn.functional"


def test_engine_warnings_point_at_the_learners_line_while_modules_are_renamed() -> None:
    import warnings

    with shim.shim_active(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import torch

        y = torch.ones(2, requires_grad=True) * 2
        assert y.grad is None
    assert caught and caught[0].filename == __file__
