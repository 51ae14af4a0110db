"""``torch.nn.modules.lazy.LazyModuleMixin``: a module whose parameter shapes come from its
first input.

As in torch, the mixin registers a forward pre-hook (``with_kwargs=True``) that calls
``initialize_parameters(*args)`` on the first call, removes itself, and turns the module into
its ``cls_to_become`` (``LazyLinear`` becomes a ``Linear``). Until then its parameters are
``UninitializedParameter``s: they can be handed to an optimizer (which then holds the
materialized tensors: materializing happens in place) but not used. ``load_state_dict`` from
an initialized module materializes them with the loaded shapes first.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from gradtui.engine.torchapi.nn.parameter import is_lazy


class LazyModuleMixin:
    """Mix in *before* the module class: ``class LazyMine(LazyModuleMixin, Mine)``; define
    ``initialize_parameters(self, input)`` that materializes the parameters."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination: Any, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():  # type: ignore[attr-defined]
            if param is not None:
                if not (is_lazy(param) or keep_vars):
                    param = param.detach()
                destination[prefix + name] = param
        for name, buf in self._buffers.items():  # type: ignore[attr-defined]
            if buf is not None and name not in self._non_persistent_buffers_set:  # type: ignore[attr-defined]
                if not (is_lazy(buf) or keep_vars):
                    buf = buf.detach()
                destination[prefix + name] = buf

    def _load_local(self, state: Mapping[str, Any], prefix: str, *rest: Any) -> None:
        # torch's _lazy_load_hook: an uninitialized parameter takes the loaded one's shape
        for name, param in itertools.chain(self._parameters.items(),  # type: ignore[attr-defined]
                                           self._buffers.items()):  # type: ignore[attr-defined]
            key = prefix + name
            if key in state and param is not None and is_lazy(param):
                loaded = state[key]
                if not is_lazy(loaded):
                    param.materialize(loaded.shape)
        super()._load_local(state, prefix, *rest)  # type: ignore[misc]

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialize the parameters for this input (each lazy module defines it)."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer still waits for its shape."""
        return any(is_lazy(v) for v in itertools.chain(
            self._parameters.values(), self._buffers.values()))  # type: ignore[attr-defined]

    def _infer_parameters(self, module: Any, args: tuple, kwargs: dict | None = None) -> None:
        kwargs = kwargs if kwargs else {}
        module.initialize_parameters(*args, **kwargs)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")  # type: ignore[attr-defined]
        module._initialize_hook.remove()
        delattr(module, "_initialize_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become


LazyModuleMixin.__module__ = "torch.nn.modules.lazy"
