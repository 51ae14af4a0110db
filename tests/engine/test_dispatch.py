"""``dispatch.apply`` writes ``new_leaf``'s slot assignments out (the hottest path of the
engine); this holds the two to the same state."""

from __future__ import annotations

import numpy as np

import gradtui.engine.torchapi as torch
from gradtui.engine.tensor_base import TensorBase, new_leaf

_STATE = [name for name in TensorBase.__slots__ if name != "__weakref__"]


def _state(t: TensorBase) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in _STATE:
        if hasattr(t, name):
            value = getattr(t, name)
            out[name] = (type(value), value if name not in ("_array", "_vc") else None)
    return out


def test_an_op_result_starts_with_the_state_of_a_new_leaf() -> None:
    a, b = torch.ones(3), torch.ones(3)
    result = a + b  # no grad: nothing but the leaf state is set
    leaf = new_leaf(np.ones(3, dtype=np.float32))
    assert _state(result) == _state(leaf)
    assert result._vc == [0] and result._vc is not a._vc


def test_both_set_every_slot_but_the_views_own() -> None:
    assert set(_state(new_leaf(np.ones(2)))) == set(_STATE) - {"_fn_version"}
    assert set(_state(torch.ones(2) * 2)) == set(_STATE) - {"_fn_version"}


def test_inference_mode_is_recorded_on_both() -> None:
    with torch.inference_mode():
        made = torch.ones(2) + 1
        leaf = new_leaf(np.ones(2))
    assert made._inference and leaf._inference
