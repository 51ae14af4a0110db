"""``torch.nn``: layers and losses as ``Module`` classes, ``Parameter``, ``init`` and the
functional API (``torch.nn.functional``)."""

from __future__ import annotations

from gradtui.engine.torchapi.nn import functional, init  # noqa: F401
from gradtui.engine.torchapi.nn.modules import *  # noqa: F401,F403
from gradtui.engine.torchapi.nn.modules import __all__ as _modules_all
from gradtui.engine.torchapi.nn.parameter import (  # noqa: F401
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)

__all__ = [*_modules_all, "Parameter", "UninitializedBuffer", "UninitializedParameter",
           "functional", "init"]


# the __future__ flag, and two files of nn.functional bound here by their import: not torch names
del annotations, functional_distance, functional_losses  # noqa: F821
