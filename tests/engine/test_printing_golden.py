"""tensor_repr against golden reprs printed by real torch 2.13 (no torch needed here).

The fixture is made by ``printing_golden/generate.py``; each case rebuilds its numpy array from
a recipe and must print byte for byte what torch printed.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradtui.engine.printing import get_printoptions, set_printoptions, tensor_repr

GOLDEN_DIR = Path(__file__).parent / "printing_golden"
FIXTURE = json.loads((GOLDEN_DIR / "torch_2_13.json").read_text())


def _load_recipes() -> Any:
    # Loaded by path under a unique name: tests/ has no packages, and other areas' golden
    # helpers must not collide with this one.
    spec = importlib.util.spec_from_file_location(
        "printing_golden_recipes", GOLDEN_DIR / "recipes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


recipes = _load_recipes()
CASES = FIXTURE["cases"]


@pytest.fixture
def print_options() -> Iterator[None]:
    """Every case starts from torch's defaults and leaves them restored."""
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def test_fixture_was_printed_by_torch_2_13() -> None:
    assert FIXTURE["torch_version"].startswith("2.13.0")


def test_fixture_covers_hundreds_of_cases_across_every_dtype() -> None:
    assert len(CASES) >= 400
    dtypes = {case["array"]["dtype"] for case in CASES}
    assert dtypes == set(recipes.NUMPY_DTYPES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_repr_matches_torch_byte_for_byte(case: dict[str, Any], print_options: None) -> None:
    values = recipes.build_array(case["array"])
    set_printoptions(**case["options"])
    text = tensor_repr(
        values,
        case["array"]["dtype"],
        requires_grad=case["requires_grad"],
        grad_fn=case["grad_fn"],
    )
    assert text == case["expected"], f"rule: {case['rule']}"


def test_recipe_rebuilds_exact_special_values() -> None:
    description = {
        "dtype": "float32",
        "shape": [2, 2],
        "fill": {"values": ["nan", "-inf", -0.0, 1e-4]},
    }
    values = recipes.build_array(description)
    assert values.dtype == np.float32
    assert np.isnan(values[0, 0]) and values[0, 1] == -np.inf
    assert np.signbit(values[1, 0]) and values[1, 0] == 0
    assert values[1, 1] == np.float32(1e-4)


def test_golden_cases_restore_default_options(print_options: None) -> None:
    set_printoptions(precision=2, sci_mode=True)
    set_printoptions(profile="default")
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
