"""No numpy error ever reaches the learner: every public function of the shim (``torch.*``,
``torch.nn.functional.*``, every ``Tensor`` method torch also has) is driven with wrong shapes,
wrong dtypes and wrong argument kinds, and whatever it raises must be a torch-style error: no
numpy message (``operands could not be broadcast``, ``ufunc``...), no Python internals (``tuple
index out of range``, ``'Tensor' object has no attribute 'np'``, ``fn.<locals>``). Where real
torch raises the same type with the same first line, so much the better: the test counts how
often, and that count may only grow (``SAME_AT_LEAST``)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                            "the no-numpy-error sweep skipped")

from gradtui.engine import torchapi as ours  # noqa: E402
from gradtui.engine.tensor import Tensor  # noqa: E402

pytestmark = pytest.mark.torch

NOT_TORCH = re.compile(
    r"operands could not be broadcast|ufunc|numpy|ndarray|could not broadcast|shapes \(|"
    r"setting an array element|too many indices for array|boolean index did not|"
    r"non-broadcastable|read-only|Cannot cast|dtype\(|tuple index out of range|"
    r"list index out of range|unsupported operand type|zero-size array|"
    r"axis \d+ is out of bounds|cannot reshape array|invalid index to scalar|"
    r"object is not subscriptable|not iterable|unhashable|object has no attribute|<locals>|"
    r"must be real number|can't multiply sequence|index \d+ is out of bounds")
# Python's own arity errors name the function as Python knows it; torch's parser words them
# differently ("missing 1 required positional arguments: ..."): both are plain, not numpy's
ARITY = re.compile(r"takes \d+ positional|missing \d+ required|got an unexpected keyword")

OPERANDS = {  # name: (shape, kind)
    "A": ((2, 3), "float"), "B": ((4, 5), "float"), "I": ((2, 3), "int"), "O": ((2, 3), "bool"),
    "V": ((3,), "float"), "S": ((), "float"), "W": ((2, 3, 4), "float"), "J": ((4,), "int"),
}
CALLS = [("A",), ("I",), ("O",), ("S",), ("A", "B"), ("A", "I"), ("I", "A"), ("A", "O"),
         ("A", "V"), ("V", "A"), ("W", "A"), ("A", "J"), ("A", "A", "B"), ("B", "A", "A"),
         ("A", "I", "A")]
# state-changing or I/O functions, constructors and context managers: not ops
SKIP = {"load", "save", "manual_seed", "seed", "set_default_dtype", "set_default_device",
        "set_default_tensor_type", "set_printoptions", "set_rng_state", "set_num_threads",
        "from_numpy", "get_rng_state", "typename", "set_grad_enabled", "inference_mode",
        "no_grad", "enable_grad", "Generator", "device", "Size", "compile", "register_hook",
        "backward", "retain_grad", "numpy", "tolist", "item", "apply_", "map_",
        "share_memory_", "storage"}
SAME_AT_LEAST = 3387  # calls whose outcome (ok, or error type and first line) is torch's


def _operand(T: Any, name: str) -> Any:
    shape, kind = OPERANDS[name]
    values = np.arange(1, int(np.prod(shape)) + 1).reshape(shape) % 5
    if kind == "bool":
        return T.tensor(values.astype(bool))
    if kind == "int":
        return T.tensor(values.astype(np.int64))
    return T.tensor(values.astype(np.float32) / 3)


def _outcome(T: Any, fn: Callable, call: tuple[str, ...]) -> tuple[str, ...]:
    args = [_operand(T, name) for name in call]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - the error is the observation
            return type(exc).__name__, str(exc).split("\n")[0]
    return ("ok",)


def _method(name: str) -> Callable:
    return lambda self, *args: getattr(self, name)(*args)


def _functions() -> list[tuple[str, Callable, Callable]]:
    found = []
    for prefix, mine, theirs in (("torch", ours, torch),
                                 ("F", ours.nn.functional, torch.nn.functional)):
        for name in sorted(dir(mine)):
            f, g = getattr(mine, name), getattr(theirs, name, None)
            if name.startswith("_") or name in SKIP or isinstance(f, type):
                continue
            if callable(f) and callable(g):
                found.append((f"{prefix}.{name}", f, g))
    for name in sorted(dir(Tensor)):
        f, g = getattr(Tensor, name, None), getattr(torch.Tensor, name, None)
        if name.startswith("_") or name in SKIP or isinstance(f, property):
            continue
        if callable(f) and callable(g):
            found.append((f"Tensor.{name}", _method(name), _method(name)))
    return found


FUNCTIONS = _functions()


def test_the_sweep_reaches_the_whole_api() -> None:
    names = {name for name, _, _ in FUNCTIONS}
    assert len(names) > 400
    assert {"torch.add", "F.binary_cross_entropy_with_logits", "Tensor.view"} <= names


@pytest.mark.parametrize("prefix", ["torch.", "F.", "Tensor.[a-l]", "Tensor.[m-z]"])
def test_no_numpy_or_python_internals_in_any_error(prefix: str) -> None:
    leaks = []
    for name, mine, theirs in FUNCTIONS:
        if not re.match(prefix, name):
            continue
        for call in CALLS:
            got = _outcome(ours, mine, call)
            if got[0] == "ok" or ARITY.search(got[1]) or not NOT_TORCH.search(got[1]):
                continue
            if got != _outcome(torch, theirs, call):  # torch's own words may match (rare)
                leaks.append((name, call, got))
    assert leaks == []


def test_most_outcomes_are_torchs_and_the_count_never_falls() -> None:
    same = sum(_outcome(ours, mine, call) == _outcome(torch, theirs, call)
               for _, mine, theirs in FUNCTIONS for call in CALLS)
    assert same >= SAME_AT_LEAST


def test_bce_with_logits_on_mismatched_shapes_says_what_torch_says() -> None:
    def run(T: Any) -> tuple[str, ...]:
        return _outcome(T, lambda: T.nn.BCEWithLogitsLoss()(T.zeros(3), T.zeros(10, 64)), ())

    assert run(ours) == run(torch) == (
        "ValueError", "Target size (torch.Size([10, 64])) must be the same as input size "
        "(torch.Size([3]))")
