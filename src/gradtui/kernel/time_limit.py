"""A time limit on the kernel's own work around learner objects (snapshots, lesson checks).

A cell may run as long as the learner likes (they can interrupt it). What the kernel does *after*
a cell must not: the snapshot reads the learner's objects, and an object that merely looks like a
tensor (a class named ``Tensor`` in a module named ``torch``) or a container with a looping
``items()`` can run learner code there; a lesson's ``expr`` check evaluates learner objects. One
such object hung the kernel for good (a Ctrl-C only reaches cells; a restart lost every variable).

:func:`time_limit` raises :class:`OpTimedOut` in the main thread once ``seconds`` have passed, and
again every quarter second after that, so learner code that swallows the first one (``except
BaseException: pass`` in a loop) is still stopped. It derives from KeyboardInterrupt so that no
``except Exception`` in the kernel's own code or the learner's takes it for an ordinary error.
Only the main thread can receive it (SIGALRM); elsewhere the block runs unbounded. Limits nest:
an enclosing one keeps counting while an inner one runs.

A signal is only handled where the interpreter checks for it, and on Python 3.12+ a loop such as
``while True: try: while True: pass / except BaseException: pass`` is always inside its ``try``
when that happens, so it swallows every repeat. From the second firing on, a trace function
therefore also raises on every line the learner's frames run, the ``except`` body included,
which no ``try`` in that frame covers; it is removed when the outermost limit ends.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_REPEAT_S = 0.25


class OpTimedOut(KeyboardInterrupt):
    """A kernel operation on learner objects ran past its time limit."""


class Limit:
    """What :func:`time_limit` yields: whether the limit fired."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.fired = False


# The limits in force, outermost first (main thread only), and what was there before them.
_active: list[Limit] = []
_saved: dict[str, object] = {}
_traced: list[FrameType] = []  # frames given the trace function, to take it back


def _expired() -> list[Limit]:
    now = time.monotonic()
    return [limit for limit in _active if limit.deadline <= now]


# Frames of this module and contextlib run the limit's own exit: never raise there.
_OWN_FILES = frozenset({__file__, sys.modules["contextlib"].__file__})


def _raise_on_every_line(frame: FrameType, event: str, arg: Any) -> Any:
    if frame.f_code.co_filename in _OWN_FILES:
        return None
    expired = _expired()
    if expired and event in ("line", "call"):
        raise OpTimedOut(f"took longer than {expired[0].seconds:g} s")
    return _raise_on_every_line


def _trace_every_line(frame: FrameType | None) -> None:
    """Make ``frame`` and its callers, and every frame they start, raise on their next line."""
    if "trace" in _saved:
        return
    _saved["trace"] = sys.gettrace()
    sys.settrace(_raise_on_every_line)
    while frame is not None:
        if frame.f_code.co_filename not in _OWN_FILES:
            frame.f_trace_lines = True
            frame.f_trace = _raise_on_every_line
            _traced.append(frame)
        frame = frame.f_back


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    expired = _expired()
    if expired:
        if any(limit.fired for limit in expired):  # the first one was swallowed
            _trace_every_line(frame)
        for limit in expired:
            limit.fired = True
        raise OpTimedOut(f"took longer than {expired[0].seconds:g} s")


def _arm() -> None:
    """The timer for the nearest deadline, then every quarter second."""
    left = min(limit.deadline for limit in _active) - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), _REPEAT_S)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[Limit]:
    """Raise :class:`OpTimedOut` in this block after ``seconds`` (None or <= 0: no limit)."""
    limit = Limit(seconds or 0.0)
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield limit
        return
    if not _active:
        # A cell may have blocked the signal (signal.pthread_sigmask) to dodge exactly this.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM, signal.SIGINT})
        _saved["handler"] = signal.signal(signal.SIGALRM, _on_alarm)
        _saved["timer"] = signal.setitimer(signal.ITIMER_REAL, 0)
        _saved["since"] = time.monotonic()
    _active.append(limit)
    _arm()
    try:
        yield limit
    finally:
        _active.remove(limit)
        if _active:
            _arm()  # an enclosing limit keeps counting
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if "trace" in _saved:
                sys.settrace(_saved.pop("trace"))  # type: ignore[arg-type]
                for traced in _traced:  # the kernel's own frames live on, untraced
                    traced.f_trace = None
                _traced.clear()
            signal.signal(signal.SIGALRM, _saved["handler"])  # type: ignore[arg-type]
            before, since = _saved["timer"], _saved["since"]
            if before[0] > 0:  # type: ignore[index]  # a learner's own signal.alarm goes on
                left = before[0] - (time.monotonic() - since)  # type: ignore[index,operator]
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), before[1])  # type: ignore[index]
