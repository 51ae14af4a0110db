"""Grad mode: whether ops record a graph. A context variable, so threads and tasks each see
their own mode, exactly like torch's thread-local grad mode."""

from __future__ import annotations

import functools
import inspect
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
        if inspect.isgeneratorfunction(func):
            # like torch: the mode holds each time the generator runs, not while it waits
            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = func(*args, **kwargs)
                token = _grad_enabled.set(mode)
                try:
                    response = gen.send(None)
                finally:
                    _grad_enabled.reset(token)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        gen.close()
                        raise
                    token = _grad_enabled.set(mode)
                    try:
                        response = gen.send(request)
                    except StopIteration as stop:
                        return stop.value
                    finally:
                        _grad_enabled.reset(token)

            return generator  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _grad_enabled.set(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _grad_enabled.reset(token)

        return wrapper  # type: ignore[return-value]


class _NoParamContext(_GradModeContext):
    """Also usable as a bare decorator (``@torch.no_grad`` without parentheses)."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func: Any = None) -> None:
        self._tokens: list[Any] = []


class no_grad(_NoParamContext):  # noqa: N801 - torch's name
    """Disable graph recording: results have no grad_fn and do not require grad."""

    _mode = False


class enable_grad(_NoParamContext):  # noqa: N801
    """Re-enable graph recording inside a no_grad block."""

    _mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set grad mode to ``mode``; takes effect at once (like torch), and as a context manager
    restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev_mode = _grad_enabled.get()
        _grad_enabled.set(self._mode)
        self._tokens = []

    def __call__(self, func: F) -> F:
        # as a decorator it must not leave the mode changed at definition time (torch)
        _grad_enabled.set(self._prev_mode)
        return super().__call__(func)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _grad_enabled.set(self._prev_mode)


_inference: ContextVar[bool] = ContextVar("gradtui_inference_mode", default=False)
is_inference_mode_enabled = _inference.get


class inference_mode(_GradModeContext):  # noqa: N801
    """torch.inference_mode: no graph is recorded, as under no_grad, and
    ``torch.is_inference_mode_enabled()`` says so. ``inference_mode(False)`` turns grad mode on,
    even inside ``no_grad`` (observed in torch 2.13)."""

    def __init__(self, mode: bool = True) -> None:
        self._tokens: list[Any] = []
        self._inference_tokens: list[Any] = []
        self._enabled = bool(mode)
        self._mode = not mode

    def __enter__(self) -> None:
        self._tokens.append(_grad_enabled.set(self._mode))
        self._inference_tokens.append(_inference.set(self._enabled))

    def __exit__(self, *exc: object) -> None:
        _inference.reset(self._inference_tokens.pop())
        _grad_enabled.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        enabled = self._enabled

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(enabled):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


for _cls in (no_grad, enable_grad, set_grad_enabled, inference_mode):
    _cls.__module__ = "torch"
