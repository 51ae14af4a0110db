"""The import hook that makes ``import torch`` give gradtui's engine.

Only gradtui's own runners (the kernel, ``gradtui run``) install it; importing gradtui never
does, so a real torch in the user's own Python is never shadowed. While installed, ``torch`` and
every ``torch.X`` resolve to ``gradtui.engine.torchapi`` and ``gradtui.engine.torchapi.X``;
``uninstall`` removes them and puts back whatever ``torch*`` modules were loaded before.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_PACKAGE = "gradtui.engine.torchapi"
_EAGER = ("", ".autograd", ".autograd.function", ".autograd.functional", ".autograd.variable",
          ".nn", ".nn.functional", ".nn.init", ".nn.parameter", ".nn.modules", ".optim",
          ".random", ".serialization", ".utils", ".utils.data", ".accelerator", ".linalg",
          ".cuda")


def _is_torch_name(name: str) -> bool:
    return name == "torch" or name.startswith("torch.")


class _AliasLoader(importlib.abc.Loader):
    """Hands out the already-imported engine module under the ``torch...`` name."""

    def __init__(self, real_name: str) -> None:
        self.real_name = real_name

    def create_module(self, spec: Any) -> ModuleType:
        module = importlib.import_module(self.real_name)
        _rename(module, spec.name)
        return module

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed under its real name


class _TorchFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not _is_torch_name(fullname):
            return None
        real = _PACKAGE + fullname[len("torch"):]
        try:
            if importlib.util.find_spec(real) is None:
                return None
        except ModuleNotFoundError:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real),
                                               is_package=fullname.count(".") < 2)


_finder = _TorchFinder()
_saved: dict[str, ModuleType] = {}
_renamed: dict[ModuleType, str] = {}  # engine module -> its real __name__, while installed
_installed = False


def _rename(module: ModuleType, torch_name: str) -> None:
    """``torch.__name__`` is ``"torch"`` (``torch.nn.functional``, ...) like the real one;
    the module's ``__spec__`` keeps its real name, so imports and ``errors.warn`` still work."""
    _renamed.setdefault(module, module.__name__)
    module.__name__ = torch_name


def install() -> None:
    """Make ``import torch`` (and torch.autograd, torch.nn, ...) resolve to the engine."""
    global _installed
    if _installed:
        return
    _saved.clear()
    for name in [n for n in sys.modules if _is_torch_name(n)]:
        _saved[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _finder)
    for suffix in _EAGER:
        module = importlib.import_module(_PACKAGE + suffix)
        sys.modules["torch" + suffix] = module
        _rename(module, "torch" + suffix)
    _installed = True


def uninstall() -> None:
    """Remove every ``torch*`` module the shim provided; restore what was there before."""
    global _installed
    if not _installed:
        return
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if _is_torch_name(n)]:
        del sys.modules[name]
    for module, real_name in _renamed.items():
        module.__name__ = real_name
    _renamed.clear()
    sys.modules.update(_saved)
    _saved.clear()
    _installed = False


def is_installed() -> bool:
    return _installed


@contextmanager
def shim_active() -> Iterator[None]:
    """``with shim_active(): import torch`` gives the engine; afterwards it is gone."""
    already = _installed
    install()
    try:
        yield
    finally:
        if not already:
            uninstall()
