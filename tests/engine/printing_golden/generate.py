"""Regenerate ``torch_2_13.json``: golden tensor reprs printed by REAL torch 2.13.

Run with the venv that has the oracle installed:

    python tests/engine/printing_golden/generate.py

Every case is a numpy-constructible description (see ``recipes.py``), optional autograd flags
and print options, and the exact text ``repr(t)`` gives in torch. The test
``tests/engine/test_printing_golden.py`` rebuilds each array and compares
``gradtui.engine.printing.tensor_repr`` with that text byte for byte, without torch.
The cases are grouped by the printing rule they pin down; boundaries are deliberate.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from recipes import build_array, encode_value  # noqa: E402

FIXTURE = HERE / "torch_2_13.json"
NAN, INF = math.nan, math.inf
FLOAT_DTYPES = ["float32", "float64", "float16"]
INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + ["bool"]

# Value-preserving ops that give a tensor a grad_fn (names of different lengths, so the suffix
# wrapping rule is exercised with several suffix lengths).
GRAD_OPS = {
    "leaf": lambda t: t.requires_grad_(),
    "clone": lambda t: t.requires_grad_().clone(),  # CloneBackward0
    "mul1": lambda t: t.requires_grad_() * 1,  # MulBackward0
    "sub0": lambda t: t.requires_grad_() - 0,  # SubBackward0 (keeps -0.)
    "view": lambda t: t.requires_grad_().view(t.shape),  # ViewBackward0
    "permute": lambda t: t.requires_grad_().permute(*range(t.dim())),  # PermuteBackward0
    "squeeze": lambda t: t.requires_grad_().unsqueeze(0).squeeze(0),  # SqueezeBackward1
}

CASES: list[dict[str, Any]] = []


def add(
    case_id: str,
    rule: str,
    dtype: str,
    shape: list[int],
    fill: dict[str, Any],
    *,
    grad: str | None = None,
    options: dict[str, Any] | None = None,
) -> None:
    CASES.append(
        {
            "id": case_id,
            "rule": rule,
            "array": {"dtype": dtype, "shape": list(shape), "fill": fill},
            "grad": grad,
            "options": options or {},
        }
    )


def vals(case_id: str, rule: str, data: Any, dtype: str = "float32", **kw: Any) -> None:
    """A case from literal (possibly nested) data, like ``torch.tensor(data, dtype=...)``."""
    array = np.array(data, dtype=object)
    flat = [encode_value(v) for v in array.ravel().tolist()]
    add(case_id, rule, dtype, list(array.shape), {"values": flat}, **kw)


def full(
    case_id: str,
    rule: str,
    shape: list[int],
    value: Any,
    dtype: str = "float32",
    sets: list[list[Any]] | None = None,
    **kw: Any,
) -> None:
    fill: dict[str, Any] = {"full": encode_value(value)}
    if sets:
        fill["set"] = [[i, encode_value(v)] for i, v in sets]
    add(case_id, rule, dtype, shape, fill, **kw)


def arange(
    case_id: str,
    rule: str,
    shape: list[int],
    start: Any = 0,
    step: Any = 1,
    dtype: str = "float32",
    sets: list[list[Any]] | None = None,
    **kw: Any,
) -> None:
    fill: dict[str, Any] = {"arange": [start, step]}
    if sets:
        fill["set"] = [[i, encode_value(v)] for i, v in sets]
    add(case_id, rule, dtype, shape, fill, **kw)


def number_formatting_cases() -> None:
    rule = "float formatting"
    vals("ints_1d", rule, [1.0, 2.0, 3.0])
    vals("halves", rule, [0.5, 1.5, -2.5])
    vals("negative_ints", rule, [-1.0, 2.0, -3.0])
    vals("precision4_rounding", rule, [12345.6789, 0.99995, 1.23456])
    vals("rounding_float64", rule, [12345.6789, 0.99995, 1.23456], "float64")
    vals("tie_148_625", rule, [148.625])
    vals("tie_148_625_with_one", rule, [148.625, 1.0])
    vals("tie_0_00005", rule, [0.00005, 0.5])
    vals("big_int_floats", rule, [10000000.0, 1.0, 2.0])
    vals("int_1e8", rule, [1e8])
    vals("int_1e8_and_1", rule, [1e8, 1e6])
    vals("sci_1e9", rule, [1e9])
    vals("ratio_exactly_1000", rule, [1000.0, 1.0])
    vals("ratio_1001", rule, [1001.0, 1.0])
    vals("ratio_1e5_1e2", rule, [1e5, 1e2])
    vals("ratio_1e5_99", rule, [1e5, 99.0])
    vals("ratio_frac_exactly_1000", rule, [0.5, 500.0])
    vals("ratio_frac_over_1000", rule, [0.5, 500.5])
    vals("float32_1e-4_is_sci", rule, [1e-4])
    vals("float64_1e-4_is_fixed", rule, [1e-4], "float64")
    vals("float16_1e-4", rule, [1e-4], "float16")
    vals("small_0_00011", rule, [0.00011])
    vals("zero_ignored_by_ratio", rule, [0.0, 1.0, 1000.0])
    vals("zero_with_tiny", rule, [0.0, 1e-5])
    vals("sci_int_mode", rule, [1e10, 1.0])
    vals("sci_negative", rule, [-1e10, 1.0])
    vals("sci_mixed_signs", rule, [-1e-5, 3e3, 2.5])
    vals("sci_exponent_3_digits", rule, [1e100, 1.0], "float64")
    vals("sci_negative_exponent_3_digits", rule, [1e-100, -1.0], "float64")
    vals("sci_both_3_digit_exponents", rule, [1e-300, -1e300, 5.0], "float64")
    vals("float64_max", rule, [1.7976931348623157e308, 1.0], "float64")
    vals("float32_max", rule, [3.4028234663852886e38])
    vals("float32_denormal", rule, [1e-45, 1.0])
    vals("float64_denormal", rule, [5e-324], "float64")
    vals("float16_max_and_subnormal", rule, [65504.0, 6e-8], "float16")
    vals("float16_fractions", rule, [0.1, 0.2, 0.3333], "float16")
    vals("float16_ints", rule, [1.0, 2048.0, -7.0], "float16")
    vals("float64_tenth", rule, [0.1, 0.2, 0.3], "float64")
    vals("float32_tenth", rule, [0.1, 0.2, 0.3])
    vals("fixed_wide_mixed", rule, [-123.456, 0.001, 99.5])
    vals("almost_integer", rule, [1.00001, 2.0])
    vals("rounds_up_to_next_width", rule, [9.99999, 1.0])
    vals("negative_rounds_wider", rule, [-9.99999, 0.5])
    vals("sci_rounds_up_exponent", rule, [9.99999e9, 1.0])
    vals("sci_rounds_to_e100", rule, [9.99999e99, 1.0], "float64")


def nonfinite_cases() -> None:
    rule = "nan, inf, zeros never choose the format"
    vals("nan_and_half", rule, [NAN, 0.5])
    vals("inf_and_1e10", rule, [INF, 1e10])
    vals("neg_inf_quarter_hundred", rule, [-INF, 0.25, 100.0])
    vals("nan_and_one", rule, [NAN, 1.0])
    vals("infs_and_one", rule, [INF, -INF, 1.0])
    vals("all_nonfinite", rule, [NAN, INF, -INF])
    vals("all_nan", rule, [NAN, NAN, NAN])
    vals("all_nan_float64", rule, [NAN, NAN], "float64")
    vals("zero_and_negative_zero", rule, [0.0, -0.0])
    vals("negative_zero_and_one", rule, [-0.0, 1.0])
    vals("negative_zero_with_fraction", rule, [-0.0, 0.5])
    vals("negative_zero_sci", rule, [-0.0, 1e-5])
    vals("all_zero", rule, [0.0, 0.0, 0.0])
    vals("zeros_and_nan", rule, [0.0, NAN])
    vals("nan_in_2d", rule, [[NAN, 1.5], [INF, -2.25]])
    vals("inf_float16", rule, [INF, -INF, 0.5], "float16")
    vals("nan_int_mode_sci_forced", rule, [NAN, 2.0], options={"sci_mode": True})
    vals("big_sci_with_inf", rule, [1e20, -INF, NAN])


def scalar_cases() -> None:
    rule = "0-d tensors"
    for i, value in enumerate([20.0, 0.5, 1e10, -0.0, NAN, INF, -INF, 123.456, 1e-5, 0.0, -3.0]):
        vals(f"scalar_float32_{i}", rule, value)
    for dtype in ["float64", "float16"]:
        vals(f"scalar_{dtype}", rule, 2.5, dtype)
        vals(f"scalar_{dtype}_int", rule, 7.0, dtype)
    for dtype, value in [
        ("int64", 5),
        ("int64", -12),
        ("int32", 3),
        ("int16", -2),
        ("int8", 127),
        ("uint8", 255),
        ("bool", True),
        ("bool", False),
    ]:
        vals(f"scalar_{dtype}_{value}", rule, value, dtype)
    vals("scalar_requires_grad", rule, 2.0, grad="leaf")
    vals("scalar_grad_fn", rule, 20.0, grad="mul1")
    vals("scalar_float64_grad_fn", rule, 0.25, "float64", grad="clone")
    vals("scalar_sci_forced", rule, 3.0, options={"sci_mode": True})
    vals("scalar_precision_2", rule, 3.14159, options={"precision": 2})
    vals("scalar_threshold_0", rule, 1.5, options={"threshold": 0})


def integer_and_bool_cases() -> None:
    rule = "integer and bool dtypes"
    vals("int_widths", rule, [-1, 200, 3], "int64")
    vals("int_single_digits", rule, [1, 2, 3], "int64")
    for dtype in INT_DTYPES:
        vals(f"{dtype}_small", rule, [1, 2, 30], dtype)
    vals("int64_extremes", rule, [-(2**63), 2**63 - 1], "int64")
    vals("int32_extremes", rule, [-(2**31), 2**31 - 1], "int32")
    vals("int16_extremes", rule, [-(2**15), 2**15 - 1], "int16")
    vals("int8_extremes", rule, [-128, 127, 0], "int8")
    vals("uint8_range", rule, [0, 255, 7], "uint8")
    vals("bool_mixed", rule, [True, False], "bool")
    vals("bool_all_true", rule, [True, True], "bool")
    vals("bool_all_false", rule, [False, False, False], "bool")
    vals("bool_2d", rule, [[True, False, True], [False, False, True]], "bool")
    vals("int_2d", rule, [[1, -20], [300, 4]], "int64")
    vals("int32_3d", rule, [[[1, 2], [3, 4]], [[5, 6], [7, -8]]], "int32")
    arange("int_arange_30", rule, [30], dtype="int64")
    arange("int_arange_100_by_7", rule, [100], -350, 7, dtype="int64")
    arange("uint8_arange", rule, [256], dtype="uint8")
    arange("int8_arange", rule, [256], -128, dtype="int8")
    arange("int16_arange_wide", rule, [60], -30000, 1000, dtype="int16")
    arange("int32_grid", rule, [12, 12], -50, 3, dtype="int32")
    full("bool_long", rule, [50], True, "bool", sets=[[7, False]])


def layout_cases() -> None:
    rule = "nesting, indentation and line wrapping"
    arange("arange_30_float", rule, [30])
    arange("arange_30_halves", rule, [30], 0, 0.5)
    arange("width_6_nine_per_line", rule, [20], 0.5, 1.25)
    arange("matrix_2x3", rule, [2, 3])
    arange("matrix_3x2_halves", rule, [3, 2], -1, 0.5)
    arange("tensor_2x2x2", rule, [2, 2, 2])
    arange("tensor_2x3x4", rule, [2, 3, 4], 0, 0.25)
    arange("tensor_2x2x2x2", rule, [2, 2, 2, 2])
    arange("tensor_2x1x2x1x2", rule, [2, 1, 2, 1, 2])
    arange("tensor_6d", rule, [1, 2, 1, 2, 1, 2])
    arange("tensor_7d", rule, [2, 1, 1, 2, 1, 1, 2], dtype="int64")
    full("shape_1", rule, [1], 1.0)
    full("shape_1x1", rule, [1, 1], 1.0)
    full("shape_1x1x1", rule, [1, 1, 1], 2.5)
    arange("shape_1x5", rule, [1, 5])
    arange("shape_5x1", rule, [5, 1])
    arange("sci_rows_2d", rule, [3, 10], 0, 1e6)
    arange("sci_rows_3d", rule, [2, 2, 9], 1, 1e5)
    arange("long_rows_2d", rule, [3, 25], -1, 0.37)
    arange("long_rows_3d", rule, [2, 3, 20], 0, 1.5)
    arange("long_rows_4d", rule, [2, 2, 2, 16], 0, 0.5)
    arange("one_long_row", rule, [1, 40], 100, 0.125)
    arange("wide_values_wrap", rule, [12], -1e7, 1.7e6, dtype="float64")
    arange("float64_matrix", rule, [4, 4], 0, 0.1, "float64")
    arange("float16_matrix", rule, [3, 5], -2, 0.3, "float16")
    arange("negative_matrix_sci", rule, [4, 7], -1e-3, 3.3e-4)


def summarization_cases() -> None:
    rule = "summarization past threshold with edgeitems"
    full("ones_1000_full", rule, [1000], 1.0)
    full("ones_1001_summarized", rule, [1001], 1.0)
    arange("arange_1000_full", rule, [1000], dtype="int64")
    arange("arange_1001", rule, [1001], dtype="int64")
    full("ones_2000", rule, [2000], 1.0)
    full("hidden_1e10", rule, [2000], 1.0, sets=[[1000, 1e10]])
    full("hidden_half", rule, [2000], 1.0, sets=[[5, 0.5]])
    full("hidden_nan", rule, [2000], 1.0, sets=[[3, NAN]])
    full("shown_edge_changes_format", rule, [2000], 1.0, sets=[[1999, 0.5]])
    full("shown_edge_sci", rule, [2000], 1.0, sets=[[0, 1e10]])
    arange("arange_100x100_sci", rule, [100, 100])
    arange("arange_10x101_int", rule, [10, 101], dtype="int64")
    arange("summarized_2d_outer_only", rule, [1000, 2], 0, 0.5)
    arange("summarized_2d_inner_only", rule, [2, 1000], 0, 0.5)
    arange("summarized_2d_small_rows", rule, [6, 200])
    arange("summarized_2d_seven_rows", rule, [7, 150])
    arange("summarized_3d", rule, [20, 30, 40], 0, 0.01)
    arange("summarized_3d_int", rule, [10, 10, 11], dtype="int32")
    arange("summarized_4d", rule, [7, 7, 7, 7])
    arange("summarized_4d_halves", rule, [8, 2, 8, 9], -100, 0.5)
    full(
        "summarized_hidden_extremes_2d",
        rule,
        [50, 50],
        2.0,
        sets=[[1275, -1e20], [1276, 1e-20], [1277, NAN]],
    )
    full("summarized_bool", rule, [1500], False, "bool", sets=[[1, True]])
    full("summarized_bool_hidden_false", rule, [1500], True, "bool", sets=[[700, False]])
    full("summarized_int_hidden_wide", rule, [1500], 7, "int64", sets=[[700, -(2**40)]])
    arange("summarized_float16", rule, [1200], 0, 0.25, "float16")
    arange("summarized_float64", rule, [40, 40], -1, 1e-3, "float64")
    arange("summarized_uint8", rule, [2000], dtype="uint8")
    full("summarized_zeros", rule, [3000], 0.0)
    full("summarized_nan_edges", rule, [3000], 0.5, sets=[[0, NAN], [2999, -INF]])
    arange("summarized_with_grad", rule, [2000], 0, 0.5, grad="mul1")
    arange("summarized_1x1x1001", rule, [1, 1, 1001])


def empty_cases() -> None:
    rule = "empty tensors"
    for dtype in ALL_DTYPES:
        add(f"empty_{dtype}", rule, dtype, [0], {"values": []})
        add(f"empty_0x3_{dtype}", rule, dtype, [0, 3], {"values": []})
    add("empty_2x0x3", rule, "float32", [2, 0, 3], {"values": []})
    add("empty_3x0", rule, "int64", [3, 0], {"values": []})
    add("empty_0x0x0x0", rule, "float64", [0, 0, 0, 0], {"values": []})
    add("empty_requires_grad", rule, "float32", [0], {"values": []}, grad="leaf")
    add("empty_float64_requires_grad", rule, "float64", [0], {"values": []}, grad="leaf")
    add("empty_2d_grad_fn", rule, "float16", [0, 4], {"values": []}, grad="clone")


def suffix_cases() -> None:
    rule = "suffix order and the off-by-two wrapping rule"
    vals("float64_requires_grad", rule, [1.0, 2.0], "float64", grad="leaf")
    vals("float64_grad_fn", rule, [2.0, 4.0], "float64", grad="mul1")
    vals("float16_requires_grad", rule, [1.5], "float16", grad="leaf")
    vals("float32_requires_grad", rule, [1.0, 2.0], grad="leaf")
    vals("notebook_y", rule, [20.0, 20.0], grad="mul1")
    # Around the wrap boundary: n copies of a value with each suffix kind.
    for count in range(1, 17):
        full(f"ones_x{count}_requires_grad", rule, [count], 1.0, grad="leaf")
        full(f"halves_x{count}_mul", rule, [count], 0.5, grad="mul1")
        full(f"ones_x{count}_clone", rule, [count], 1.0, grad="clone")
        full(f"ints_x{count}_int32", rule, [count], 5, "int32")
        full(f"ones_x{count}_float64_leaf", rule, [count], 1.0, "float64", grad="leaf")
    for count in range(3, 8):
        full(f"halves_x{count}_float64_permute", rule, [count], 0.5, "float64", grad="permute")
        full(f"halves_x{count}_float16_squeeze", rule, [count], 0.5, "float16", grad="squeeze")
    arange("matrix_grad_fn", rule, [3, 3], 0, 0.5, grad="sub0")
    arange("matrix_float64_view", rule, [2, 8], 0, 0.5, "float64", grad="view")
    arange("long_last_line_float64_leaf", rule, [14], 0, 0.5, "float64", grad="leaf")
    arange("long_last_line_float64_leaf_15", rule, [15], 0, 0.5, "float64", grad="leaf")
    arange("wrapped_rows_float64_grad", rule, [2, 12], 0, 0.5, "float64", grad="clone")
    for count in range(8, 12):
        arange(f"row_2x{count}_float16_leaf", rule, [2, count], 0, 0.25, "float16", grad="leaf")
    arange(
        "narrow_linewidth_suffix",
        rule,
        [4],
        0,
        0.5,
        "float64",
        grad="leaf",
        options={"linewidth": 30},
    )


def option_cases() -> None:
    rule = "set_printoptions"
    data = [0.123456789, -12.5, 3.0]
    for precision in [0, 1, 2, 6, 8, 10]:
        vals(f"precision_{precision}", rule, data, options={"precision": precision})
        vals(
            f"precision_{precision}_sci",
            rule,
            [1e-7, 3.25],
            "float64",
            options={"precision": precision},
        )
    vals("precision_0_int_mode", rule, [1.0, 2.0], options={"precision": 0})
    vals("sci_forced_fixed_values", rule, [0.5, 1.5, 2.25], options={"sci_mode": True})
    vals("sci_forced_int_values", rule, [1.0, 2.0, 300.0], options={"sci_mode": True})
    vals("sci_forced_all_zero", rule, [0.0, 0.0], options={"sci_mode": True})
    vals("sci_forced_int_dtype", rule, [1, 2], "int64", options={"sci_mode": True})
    vals("sci_off_tiny", rule, [1e-10, 1.0], options={"sci_mode": False})
    vals("sci_off_huge_int", rule, [1e20, 1.0], options={"sci_mode": False})
    vals("sci_off_huge_fraction", rule, [1e12, 0.5], "float64", options={"sci_mode": False})
    arange("sci_forced_matrix", rule, [3, 4], 0, 0.5, options={"sci_mode": True})
    arange("threshold_5", rule, [10], dtype="int64", options={"threshold": 5})
    arange("threshold_5_float", rule, [10], options={"threshold": 5})
    arange("threshold_0_small", rule, [3], options={"threshold": 0})
    arange("threshold_big", rule, [2000], dtype="int64", options={"threshold": 5000})
    arange("edgeitems_1", rule, [2000], options={"edgeitems": 1})
    arange("edgeitems_2_matrix", rule, [50, 50], options={"edgeitems": 2})
    arange("edgeitems_5_3d", rule, [12, 12, 12], 0, 0.5, options={"edgeitems": 5})
    arange("edgeitems_0_1d", rule, [2000], options={"edgeitems": 0})
    arange("edgeitems_0_2d", rule, [50, 50], options={"edgeitems": 0})
    arange("edgeitems_0_small", rule, [3], options={"edgeitems": 0})
    arange(
        "edgeitems_0_small_grad",
        rule,
        [3],
        0,
        0.5,
        "float64",
        grad="clone",
        options={"edgeitems": 0},
    )
    arange("edgeitems_0_scalar_threshold_0", rule, [], options={"edgeitems": 0, "threshold": 0})
    arange("edgeitems_600", rule, [1500], options={"edgeitems": 600})
    arange("linewidth_40", rule, [30], 0, 0.5, options={"linewidth": 40})
    arange("linewidth_120_matrix", rule, [3, 30], 0, 0.5, options={"linewidth": 120})
    arange("linewidth_10", rule, [8], 0, 0.5, options={"linewidth": 10})
    arange("linewidth_1", rule, [4], dtype="int64", options={"linewidth": 1})
    arange("profile_short", rule, [2000], 0, 0.125, options={"profile": "short"})
    vals("profile_short_precision", rule, [0.123456, 2.0], options={"profile": "short"})
    arange("profile_full", rule, [1100], dtype="int64", options={"profile": "full"})
    arange("profile_full_2d", rule, [40, 40], options={"profile": "full"})
    arange("profile_default", rule, [2000], options={"profile": "default"})
    arange(
        "profile_short_with_precision",
        rule,
        [5],
        0,
        0.1,
        options={"profile": "short", "precision": 5},
    )
    arange(
        "profile_full_with_edgeitems",
        rule,
        [30],
        options={"profile": "full", "threshold": 10, "edgeitems": 4},
    )


def random_cases(count: int) -> None:
    """Small random arrays mixing magnitudes, signs and special values (seeded, stored)."""
    rng = np.random.default_rng(20261125)
    rule = "random arrays"
    for index in range(count):
        dtype = ALL_DTYPES[int(rng.integers(len(ALL_DTYPES)))]
        ndim = int(rng.integers(0, 4))
        shape = [int(rng.integers(1, 6)) for _ in range(ndim)]
        size = math.prod(shape)
        if dtype == "bool":
            data = (rng.random(size) < 0.5).tolist()
        elif dtype in INT_DTYPES:
            info = np.iinfo(dtype)
            bound = int(rng.choice([10, 1000, int(info.max)]))
            low = max(int(info.min), -bound)
            data = rng.integers(low, min(int(info.max), bound), size, endpoint=True).tolist()
        else:
            exponent = rng.integers(-12, 13, size) if rng.random() < 0.4 else rng.integers(-2, 4)
            values = rng.standard_normal(size) * 10.0**exponent
            if rng.random() < 0.3:
                values = np.round(values)
            for _ in range(int(rng.integers(0, 3))):
                values[int(rng.integers(size))] = rng.choice([NAN, INF, -INF, 0.0, -0.0])
            if dtype == "float16":
                values = np.where(np.isfinite(values), np.clip(values, -6e4, 6e4), values)
            data = values.tolist()
        options: dict[str, Any] = {}
        if rng.random() < 0.3:
            options["precision"] = int(rng.integers(0, 9))
        if rng.random() < 0.2:
            options["sci_mode"] = bool(rng.random() < 0.5)
        if rng.random() < 0.2:
            options["linewidth"] = int(rng.integers(20, 120))
        grad = None
        if dtype in FLOAT_DTYPES and rng.random() < 0.3:
            grad = str(rng.choice(["leaf", "clone", "mul1", "view"]))
        add(
            f"random_{index:03d}",
            rule,
            dtype,
            shape,
            {"values": [encode_value(v) for v in data]},
            grad=grad,
            options=options,
        )


def torch_repr(case: dict[str, Any]) -> tuple[str, bool, str | None]:
    """Torch's repr of the case, and the autograd flags the repr was printed with."""
    array = build_array(case["array"])
    tensor = torch.from_numpy(array.copy())
    if case["grad"] is not None:
        tensor = GRAD_OPS[case["grad"]](tensor)
    shown = tensor.detach().numpy()
    same = np.array_equal(shown, array, equal_nan=True) and np.array_equal(
        np.signbit(shown), np.signbit(array)
    )
    if not same or shown.dtype != array.dtype:
        raise AssertionError(f"{case['id']}: the grad op changed the values")
    torch.set_printoptions(profile="default")
    torch.set_printoptions(**case["options"])
    try:
        text = repr(tensor)
    finally:
        torch.set_printoptions(profile="default")
    grad_fn = type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None
    return text, tensor.requires_grad and grad_fn is None, grad_fn


def main() -> int:
    number_formatting_cases()
    nonfinite_cases()
    scalar_cases()
    integer_and_bool_cases()
    layout_cases()
    summarization_cases()
    empty_cases()
    suffix_cases()
    option_cases()
    random_cases(150)
    ids = [case["id"] for case in CASES]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise SystemExit(f"duplicate case ids: {sorted(duplicates)}")
    for case in CASES:
        text, requires_grad, grad_fn = torch_repr(case)
        case["requires_grad"] = requires_grad
        case["grad_fn"] = grad_fn
        case["expected"] = text
        del case["grad"]
    document = {"torch_version": torch.__version__, "cases": CASES}
    FIXTURE.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(CASES)} cases to {FIXTURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
