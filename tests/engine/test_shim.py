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
