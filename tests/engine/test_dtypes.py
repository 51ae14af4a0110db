"""torch's type promotion: tensors by dimension tier, then Python scalars by category."""

from __future__ import annotations

import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import dtypes

PAIRS = [
    # (left, right, result) observed with torch 2.13
    ("torch.tensor([1, 2]) / 2", "float32"),
    ("torch.tensor([1, 2]) / torch.tensor([2, 2])", "float32"),
    ("torch.tensor([1, 2]) * 2", "int64"),
    ("torch.tensor([1, 2]) + 0.5", "float32"),
    ("torch.tensor([1, 2]) // 2", "int64"),
    ("torch.ones(2, dtype=torch.float64) + torch.ones(2)", "float64"),
    ("torch.tensor([True]) + 1", "int64"),
    ("torch.tensor([True]) + True", "bool"),
    ("torch.tensor([1], dtype=torch.int8) + torch.tensor([1], dtype=torch.uint8)", "int16"),
    ("torch.tensor([1, 2]) + torch.tensor([1.], dtype=torch.float16)", "float16"),
    ("torch.tensor(1., dtype=torch.float64) + torch.ones(2)", "float32"),
    ("torch.tensor(1., dtype=torch.float64) + torch.tensor([1, 2])", "float64"),
    ("torch.ones(2, dtype=torch.float16) + 0.5", "float16"),
    ("torch.ones(2, dtype=torch.int32) + 5", "int32"),
    ("torch.tensor([1, 2]).exp()", "float32"),
    ("torch.tensor([1, 2]) ** 0.5", "float32"),
    ("torch.tensor([1, 2]).abs()", "int64"),
    ("torch.tensor([True]) * 2.5", "float32"),
    ("torch.tensor([1, 2]) > 1", "bool"),
]


@pytest.mark.parametrize("expr,expected", PAIRS, ids=[p[0] for p in PAIRS])
def test_promotion_matches_torch(expr: str, expected: str) -> None:
    assert eval(expr, {"torch": torch}).dtype.name == expected


def test_dtype_objects_print_and_compare_like_torch() -> None:
    assert str(torch.float32) == "torch.float32" and repr(torch.int64) == "torch.int64"
    assert torch.float is torch.float32 and torch.long is torch.int64
    assert torch.float32.is_floating_point and not torch.int64.is_floating_point
    assert torch.ones(2).type() == "torch.FloatTensor"
    assert torch.ones(2).long().type() == "torch.LongTensor"


def test_promote_pair_is_symmetric_over_all_dtypes() -> None:
    for a in dtypes.ALL_DTYPES:
        for b in dtypes.ALL_DTYPES:
            assert dtypes.promote_pair(a, b) is dtypes.promote_pair(b, a)


def test_integer_negative_power_and_mean_errors() -> None:
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        torch.tensor([1, 2]) ** -1
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype.*Long"):
        torch.tensor([1, 2]).mean()


def test_only_floating_tensors_can_require_grad_with_both_messages() -> None:
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex"):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="^only Tensors of floating point dtype"):
        torch.tensor([1, 2]).requires_grad_()
