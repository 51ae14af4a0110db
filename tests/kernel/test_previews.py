"""One-line previews: torch-like numbers, a few items per dimension, cheap for huge arrays."""

from __future__ import annotations

import numpy as np

from gradtui.kernel.previews import format_number, preview_array, preview_value, small_values


def test_numbers_print_like_torch_values() -> None:
    assert format_number(np.float32(2.0)) == "2."
    assert format_number(0.123456) == "0.1235"
    assert format_number(458.0271) == "458.0271"  # not "458": decimals are never hidden
    assert format_number(1.5e-6) == "1.5000e-06"
    assert format_number(np.int64(3)) == "3"
    assert format_number(np.bool_(True)) == "True"
    assert format_number(float("nan")) == "nan"
    assert format_number(float("-inf")) == "-inf"


def test_small_arrays_show_every_value() -> None:
    assert preview_array(np.array([[1.0, 2.0], [3.0, 4.5]])) == "[[1., 2.], [3., 4.5]]"
    assert preview_array(np.array(2.5)) == "2.5"
    assert preview_array(np.array([], dtype=np.float32)) == "[]"


def test_long_dimensions_show_their_ends() -> None:
    assert preview_array(np.arange(10.0)) == "[0., 1., 2., ..., 7., 8., 9.]"
    text = preview_array(np.zeros((100, 100)))
    assert text == "[[0., 0., ..., 0., 0.], [0., 0., ..., 0., 0.], ..., [0., 0., ..., 0., 0.], " \
        "[0., 0., ..., 0., 0.]]"


def test_many_dimensions_stay_short() -> None:
    assert len(preview_array(np.zeros((5,) * 8))) <= 160


def test_saved_values_preview_as_tensors_or_numbers() -> None:
    assert preview_value(np.array([2.0, 2.0])) == "tensor([2., 2.])"
    assert preview_value(3) == "3"
    assert preview_value((1, 2)) == "(1, 2)"


def test_small_values_only_for_small_arrays() -> None:
    assert small_values(np.array([[1, 2]])) == [[1, 2]]
    assert small_values(np.array(5.0)) == [5.0]
    assert small_values(np.zeros(65)) is None
