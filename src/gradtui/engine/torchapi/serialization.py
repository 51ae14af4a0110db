"""``torch.save`` / ``torch.load``: a learner's checkpoints (a ``state_dict``, an optimizer's
state, a whole model), with torch 2.13's defaults and errors.

The file is a pickle of the engine's objects, not torch's zip archive: gradtui reads back what
gradtui wrote; real torch cannot read these files, nor gradtui torch's. As in torch 2.6 and
later, ``torch.load`` defaults to ``weights_only=True``: it rebuilds tensors, containers and
numbers only, and refuses any other class or function with torch's ``UnpicklingError`` (a
pickle can run arbitrary code while it loads) unless ``weights_only=False`` or
``add_safe_globals`` allows it.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import pickle
from collections.abc import Iterator
from typing import IO, Any

from gradtui.engine import dtypes

# What a tensor, a Parameter, a state_dict and an optimizer's state pickle into: the engine's
# rebuild functions, numpy's array reconstruction, and the containers torch allows by default.
_ALLOWED: set[tuple[str, str]] = {
    ("collections", "OrderedDict"),
    ("collections", "Counter"),  # MultiStepLR's milestones in a scheduler's state_dict
    ("gradtui.engine.tensor", "_rebuild"),
    ("gradtui.engine.torchapi.nn.parameter", "_rebuild_parameter"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
    *((module, name) for module in ("builtins", "__builtin__")  # protocol 2: Python 2 names
      for name in ("set", "frozenset", "complex")),
    ("torch", "Size"),
    *(("torch", d.name) for d in dtypes.ALL_DTYPES),
}
_user_allowed: dict[tuple[str, str], Any] = {}

_BOLD, _PLAIN = "\x1b[1m", "\x1b[0m"  # torch's message has them too


def _weights_only_error(module: str, name: str) -> pickle.UnpicklingError:
    full = f"{module}.{name}"
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        f"{_BOLD}do those steps only if you trust the source of the checkpoint{_PLAIN}. \n\t(1) In "
        "PyTorch 2.6, we changed the default value of the `weights_only` argument in "
        "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set "
        "to `False` will likely succeed, but it can result in arbitrary code execution. Do it "
        "only if you got the file from a trusted source.\n\t(2) Alternatively, to load with "
        "`weights_only=True` please check the recommended steps in the following error "
        f"message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL {full} was not an "
        "allowed global by default. Please use `torch.serialization.add_safe_globals([" + full
        + "])` or the `torch.serialization.safe_globals([" + full + "])` context manager to "
        "allowlist this global if you trust this class/function.\n\nCheck the documentation of "
        "torch.load to learn more about types accepted by default with weights_only "
        "https://pytorch.org/docs/stable/generated/torch.load.html.")


class _WeightsUnpickler(pickle.Unpickler):
    """An unpickler that imports nothing outside the allow-list."""

    def find_class(self, module: str, name: str) -> Any:
        key = (module, name)
        if key in _user_allowed:
            return _user_allowed[key]
        if key in _ALLOWED:
            return super().find_class(module, name)
        raise _weights_only_error(module, name)


def _key(obj: Any) -> tuple[str, str]:
    if isinstance(obj, tuple):  # (obj, "module.name") as torch accepts
        target, full = obj
        module, _, name = full.rpartition(".")
        return module, name
    return obj.__module__, obj.__qualname__


def add_safe_globals(safe_globals: list[Any]) -> None:
    """Let ``torch.load(weights_only=True)`` rebuild these classes and functions too."""
    for obj in safe_globals:
        _user_allowed[_key(obj)] = obj[0] if isinstance(obj, tuple) else obj


def get_safe_globals() -> list[Any]:
    return list(_user_allowed.values())


def clear_safe_globals() -> None:
    _user_allowed.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list[Any]) -> Iterator[None]:
    """``add_safe_globals`` for the duration of a ``with`` block."""
    before = dict(_user_allowed)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_allowed.clear()
        _user_allowed.update(before)


def _open(f: str | os.PathLike[str] | IO[bytes], mode: str) -> contextlib.AbstractContextManager:
    if isinstance(f, str | os.PathLike):
        return builtins.open(f, mode)
    return contextlib.nullcontext(f)


def save(obj: object, f: str | os.PathLike[str] | IO[bytes], pickle_module: Any = pickle,
         pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Saves an object to a disk file (or a file object opened for writing bytes)."""
    with _open(f, "wb") as handle:
        pickle_module.dump(obj, handle, protocol=pickle_protocol)


def load(f: str | os.PathLike[str] | IO[bytes], map_location: Any = None,
         pickle_module: Any = None, *, weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """Loads an object saved with ``torch.save``. Tensors stay on the CPU whatever
    ``map_location`` says (the engine has no other device)."""
    if weights_only is None:  # torch 2.6+: True, unless a pickle module was given
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    with _open(f, "rb") as handle:
        if weights_only:
            return _WeightsUnpickler(handle, **pickle_load_args).load()
        return (pickle_module or pickle).load(handle, **pickle_load_args)
