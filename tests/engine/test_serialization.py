"""torch.save / torch.load on files: what a learner's checkpoint code does."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine.shim import shim_active
from gradtui.engine.torchapi import nn, serialization


@pytest.fixture
def as_torch() -> object:
    """Whole modules pickle by their torch names (torch.nn.modules.linear.Linear), which
    resolve to the engine while gradtui's import hook is on, as in `gradtui run`."""
    with shim_active():
        yield


def test_a_state_dict_saved_to_a_path_loads_back_into_a_fresh_model(tmp_path: Path) -> None:
    model = nn.Linear(3, 2)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    fresh = nn.Linear(3, 2)
    fresh.load_state_dict(torch.load(str(path)))
    assert torch.equal(fresh.weight, model.weight) and torch.equal(fresh.bias, model.bias)
    assert fresh.weight.requires_grad and fresh.weight.grad is None


def test_weights_only_refuses_any_other_global(tmp_path: Path, as_torch: object) -> None:
    path = tmp_path / "whole.pt"
    torch.save(nn.Linear(1, 1), path)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL "
                       r"torch\.nn\.modules\.linear\.Linear was not an allowed global"):
        torch.load(path)
    assert isinstance(torch.load(path, weights_only=False), nn.Linear)
    # an explicit pickle module means the full unpickler, as in torch
    assert isinstance(torch.load(path, pickle_module=pickle), nn.Linear)
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        torch.load(path, pickle_module=pickle, weights_only=True)


def test_add_safe_globals_lasts_until_cleared(tmp_path: Path, as_torch: object) -> None:
    path = tmp_path / "linear.pt"
    torch.save(nn.Linear(1, 1), path)
    serialization.add_safe_globals([nn.Linear])
    try:
        assert serialization.get_safe_globals() == [nn.Linear]
        assert isinstance(torch.load(path), nn.Linear)
    finally:
        serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_a_missing_file_is_pythons_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        torch.load(tmp_path / "nope.pt")
