"""torch.autograd.functional against real torch: jacobian, hessian, vjp, jvp, vhp and hvp of
small smooth functions at random points, with tuples of inputs, in float32 and float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                             "differential autograd.functional tests skipped")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

BOUNDED = settings(max_examples=20, derandomize=True, database=None, deadline=None)

# f(x, y) for the jacobian (vector outputs) and g(x, y) for the second derivatives (a scalar)
FUNCTIONS = {
    "f": lambda x, y: (x.exp() * y + x.pow(2)).tanh(),
    "g": lambda x, y: (x.pow(3) * y + (x * y).sin()).sum(),
}
points = hnp.arrays(np.float64, 3, elements=st.floats(-1.5, 1.5))


def _flat(result: Any) -> list[np.ndarray]:
    if isinstance(result, tuple | list):
        return [a for r in result for a in _flat(r)]
    return [result.detach().numpy().copy()]


def _run(T: Any, what: str, x: np.ndarray, y: np.ndarray, dtype: str) -> list[np.ndarray]:
    F = T.autograd.functional
    a = T.tensor(x, dtype=getattr(T, dtype))
    b = T.tensor(y, dtype=getattr(T, dtype))
    v = T.linspace(-1, 1, 3, dtype=a.dtype)
    f, g = FUNCTIONS["f"], FUNCTIONS["g"]
    if what == "jacobian":
        return _flat(F.jacobian(f, (a, b)))
    if what == "hessian":
        return _flat(F.hessian(g, (a, b)))
    if what == "vjp":
        return _flat(F.vjp(f, (a, b), v))
    if what == "jvp":
        return _flat(F.jvp(f, (a, b), (v, v * -0.5)))
    if what == "vhp":
        return _flat(F.vhp(g, (a, b), (v, v * 2)))
    return _flat(F.hvp(g, (a, b), (v, v * 2)))


@BOUNDED
@given(x=points, y=points, what=st.sampled_from(["jacobian", "hessian", "vjp", "jvp", "vhp",
                                                 "hvp"]),
       dtype=st.sampled_from(["float32", "float64"]))
def test_functional_derivatives_match_torch(x: np.ndarray, y: np.ndarray, what: str,
                                            dtype: str) -> None:
    want = _run(torch, what, x, y, dtype)
    got = _run(ours, what, x, y, dtype)
    assert [w.shape for w in want] == [g.shape for g in got]
    assert [w.dtype for w in want] == [g.dtype for g in got]
    # transcendentals (tanh, exp, sin) in float32 may round differently by an ulp
    tol = 1e-5 if dtype == "float32" else 1e-12
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
