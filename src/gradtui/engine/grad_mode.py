"""Grad mode: whether ops record a graph. A context variable, so threads and tasks each see
their own mode, exactly like torch's thread-local grad mode."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

_grad_enabled: ContextVar[bool] = ContextVar("gradtui_grad_enabled", default=True)
is_grad_enabled = _grad_enabled.get

F = TypeVar("F", bound=Callable[..., Any])


class _GradModeContext:
    """Base of no_grad/enable_grad/set_grad_enabled: a context manager and a decorator."""

    _mode: bool = True

    def __enter__(self) -> None:
        self._tokens = getattr(self, "_tokens", [])
        self._tokens.append(_grad_enabled.set(self._mode))

    def __exit__(self, *exc: object) -> None:
        _grad_enabled.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _grad_enabled.set(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _grad_enabled.reset(token)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - torch's name
    """Disable graph recording: results have no grad_fn and do not require grad."""

    _mode = False

    def __init__(self) -> None:
        self._tokens: list[Any] = []


class enable_grad(_GradModeContext):  # noqa: N801
    """Re-enable graph recording inside a no_grad block."""

    _mode = True

    def __init__(self) -> None:
        self._tokens: list[Any] = []


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set grad mode to ``mode``; takes effect at once (like torch), and as a context manager
    restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._previous = _grad_enabled.set(self._mode)
        self._tokens = []

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _grad_enabled.reset(self._previous)


class inference_mode(no_grad):  # noqa: N801
    """torch.inference_mode: for this engine the same as no_grad."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = not mode


for _cls in (no_grad, enable_grad, set_grad_enabled, inference_mode):
    _cls.__module__ = "torch"
