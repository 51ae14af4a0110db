"""tensor_repr and the print options, rule by rule (the golden test covers the breadth)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from gradtui.engine import printing
from gradtui.engine.printing import get_printoptions, printoptions, set_printoptions, tensor_repr

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def default_options() -> Iterator[None]:
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def f32(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def test_notebook_tensors_print_as_in_the_tutorial() -> None:
    assert tensor_repr(f32(20, 20), "float32", grad_fn="MulBackward0") == (
        "tensor([20., 20.], grad_fn=<MulBackward0>)"
    )
    assert tensor_repr(np.array(20, np.float32), "float32", grad_fn="MulBackward0") == (
        "tensor(20., grad_fn=<MulBackward0>)"
    )
    assert tensor_repr(f32(1, 1), "float32", requires_grad=True) == (
        "tensor([1., 1.], requires_grad=True)"
    )


def test_grad_fn_wins_over_requires_grad() -> None:
    text = tensor_repr(f32(0.5), "float32", requires_grad=True, grad_fn="AddBackward0")
    assert text == "tensor([0.5000], grad_fn=<AddBackward0>)"


def test_dtype_suffix_precedes_autograd_suffix() -> None:
    values = np.array([1.0, 2.0], dtype=np.float64)
    assert tensor_repr(values, "float64", requires_grad=True) == (
        "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"
    )


def test_suffix_wraps_two_columns_early() -> None:
    # 12 ones fit; 13 would end exactly at column 80, but torch's off-by-two wraps them.
    assert "\n" not in tensor_repr(np.ones(12, np.float32), "float32", requires_grad=True)
    assert tensor_repr(np.ones(13, np.float32), "float32", requires_grad=True).endswith(
        "1., 1.],\n       requires_grad=True)"
    )


def test_empty_integer_tensor_names_its_dtype_and_shape() -> None:
    assert tensor_repr(np.zeros(0, np.int64), "int64") == "tensor([], dtype=torch.int64)"
    assert tensor_repr(np.zeros((0, 3), np.float32), "float32") == "tensor([], size=(0, 3))"


def test_float32_1e4_prints_scientific_because_it_is_stored_below_1e4() -> None:
    assert tensor_repr(f32(1e-4), "float32") == "tensor([1.0000e-04])"
    assert tensor_repr(np.array([1e-4]), "float64") == "tensor([0.0001], dtype=torch.float64)"


def test_set_printoptions_precision_and_forced_sci_mode() -> None:
    set_printoptions(precision=2)
    assert tensor_repr(f32(1.12345), "float32") == "tensor([1.12])"
    set_printoptions(sci_mode=True)
    assert tensor_repr(f32(0.5), "float32") == "tensor([5.00e-01])"


def test_every_call_resets_sci_mode_like_torch() -> None:
    set_printoptions(sci_mode=False)
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None
    assert get_printoptions()["precision"] == 3


def test_profiles_set_their_options() -> None:
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "edgeitems": 2}
    set_printoptions(profile="full")
    assert get_printoptions() == {**DEFAULTS, "threshold": math.inf}
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULTS


def test_explicit_options_override_the_profile() -> None:
    set_printoptions(profile="short", precision=6, linewidth=100)
    assert get_printoptions() == {**DEFAULTS, "precision": 6, "edgeitems": 2, "linewidth": 100}


def test_threshold_summarizes_and_full_profile_does_not() -> None:
    set_printoptions(threshold=5)
    assert tensor_repr(np.arange(10), "int64") == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    set_printoptions(profile="full")
    assert tensor_repr(np.arange(1001), "int64").count("...") == 0


def test_printoptions_context_restores_previous_options() -> None:
    set_printoptions(precision=6, sci_mode=False)
    with printoptions(precision=1, edgeitems=1):
        assert get_printoptions()["precision"] == 1
        assert tensor_repr(f32(2.25), "float32") == "tensor([2.2])"
    assert get_printoptions() == {**DEFAULTS, "precision": 6, "sci_mode": False}


def test_unknown_dtype_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown dtype 'complex64'"):
        tensor_repr(np.zeros(2, np.complex64), "complex64")


def test_values_of_the_wrong_numpy_dtype_are_rejected() -> None:
    with pytest.raises(TypeError, match="numpy dtype float64, but dtype 'float32'"):
        tensor_repr(np.zeros(2), "float32")


def test_non_contiguous_views_print_their_logical_layout() -> None:
    matrix = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert (
        tensor_repr(matrix.T, "float32")
        == "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])"
    )


def test_huge_summarized_tensor_formats_only_the_shown_edges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formatted: list[object] = []
    original = printing._Formatter.format

    def counting_format(self: printing._Formatter, value: float) -> str:
        formatted.append(value)
        return original(self, value)

    monkeypatch.setattr(printing._Formatter, "format", counting_format)
    # Ten million elements without allocating them: a broadcast view of one value.
    values = np.broadcast_to(np.float32(1.5), (100, 100, 1000))
    text = tensor_repr(values, "float32")
    assert len(formatted) == 6 * 6 * 6
    assert text.startswith("tensor([[[1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],")


def test_input_array_is_left_untouched() -> None:
    values = f32(-0.0, float("nan"), 1e10)
    values.setflags(write=False)
    tensor_repr(values, "float32")
    assert np.signbit(values[0]) and np.isnan(values[1]) and values[2] == np.float32(1e10)
