"""Differential property tests: tensor_repr against real torch 2.13 on random tensors.

Skipped when torch is not importable (``.ci/run`` installs it, so they run in CI).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradtui.engine.printing import set_printoptions, tensor_repr

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                             "printing compared with torch's live skipped")

pytestmark = pytest.mark.torch

FLOAT_WIDTHS = {"float16": 16, "float32": 32, "float64": 64}
INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]
DTYPES = [*FLOAT_WIDTHS, *INT_DTYPES, "bool"]

# Value-preserving ops that give a float tensor a grad_fn (or just requires_grad for "leaf").
GRAD_OPS: dict[str, Callable[[Any], Any]] = {
    "leaf": lambda t: t.requires_grad_(),
    "clone": lambda t: t.requires_grad_().clone(),
    "mul1": lambda t: t.requires_grad_() * 1,
    "view": lambda t: t.requires_grad_().view(t.shape),
}

PROPERTY_SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def default_options() -> Iterator[None]:
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _float_elements(width: int) -> st.SearchStrategy[float]:
    """Floats that hit every formatting mode: integral, tiny, huge, special, plain."""
    return st.one_of(
        st.floats(width=width),
        st.integers(-2000, 2000).map(float),
        st.sampled_from([0.0, -0.0, 0.5, 1e-4, 1e8, 1000.0, 148.625, float("nan")]),
        st.builds(
            lambda mantissa, exponent: mantissa * 10.0**exponent,
            st.floats(-10, 10, width=16),
            st.integers(-8, 9),
        ),
    )


@st.composite
def arrays(draw: st.DrawFn) -> tuple[np.ndarray, str]:
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    if dtype in FLOAT_WIDTHS:
        width = FLOAT_WIDTHS[dtype]
        elements = _float_elements(width).map(
            lambda v: float(np.clip(v, -65504, 65504)) if width == 16 and np.isfinite(v) else v
        )
        values = draw(hnp.arrays(dtype, shape, elements=elements))
    else:
        values = draw(hnp.arrays(dtype, shape))
    return values, dtype


print_options = st.fixed_dictionaries(
    {},
    optional={
        "precision": st.integers(0, 10),
        "threshold": st.integers(0, 60),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(1, 160),
        "sci_mode": st.sampled_from([True, False]),
        "profile": st.sampled_from(["default", "short", "full"]),
    },
)


def _assert_same_repr(values: np.ndarray, dtype: str, grad: str | None, options: dict) -> None:
    tensor = torch.from_numpy(values.copy())
    if grad is not None:
        tensor = GRAD_OPS[grad](tensor)
    torch.set_printoptions(**options)
    set_printoptions(**options)
    expected = repr(tensor)
    grad_fn = type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None
    ours = tensor_repr(
        values,
        dtype,
        requires_grad=tensor.requires_grad and grad_fn is None,
        grad_fn=grad_fn,
    )
    assert ours == expected, f"options={options}"


@PROPERTY_SETTINGS
@given(
    drawn=arrays(),
    grad=st.sampled_from([None, *GRAD_OPS]),
    options=print_options,
)
def test_random_small_tensors_print_like_torch(
    drawn: tuple[np.ndarray, str], grad: str | None, options: dict
) -> None:
    values, dtype = drawn
    if dtype not in FLOAT_WIDTHS:
        grad = None  # torch refuses requires_grad on integer and bool tensors
    _assert_same_repr(values, dtype, grad, options)


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from(DTYPES),
    shape=st.sampled_from(
        [(1001,), (1500,), (40, 30), (3, 400), (400, 3), (8, 9, 15), (7, 2, 8, 9)]
    ),
    edgeitems=st.sampled_from([None, 1, 2, 3, 5]),
    scale=st.sampled_from([1.0, 1e-6, 1e6, 1e12]),
)
def test_summarized_tensors_print_like_torch(
    seed: int, dtype: str, shape: tuple[int, ...], edgeitems: int | None, scale: float
) -> None:
    rng = np.random.default_rng(seed)
    if dtype in FLOAT_WIDTHS:
        raw = rng.standard_normal(shape) * scale
        if rng.random() < 0.5:
            raw = np.round(raw)
        raw.flat[rng.integers(raw.size)] = rng.choice([np.nan, np.inf, 0.0, 1e30])
        with np.errstate(over="ignore"):  # float16 overflows to inf, as torch's cast does
            values = raw.astype(dtype)
    elif dtype == "bool":
        values = rng.random(shape) < 0.5
    else:
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype)
    options = {} if edgeitems is None else {"edgeitems": edgeitems}
    _assert_same_repr(values, dtype, None, options)
