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
Only the main thread can receive it (SIGALRM); elsewhere the block runs unbounded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_REPEAT_S = 0.25


class OpTimedOut(KeyboardInterrupt):
    """A kernel operation on learner objects ran past its time limit."""


class Limit:
    """What :func:`time_limit` yields: whether the limit fired."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self.armed = True


@contextmanager
def time_limit(seconds: float | None) -> Iterator[Limit]:
    """Raise :class:`OpTimedOut` in this block after ``seconds`` (None or <= 0: no limit)."""
    limit = Limit(seconds or 0.0)
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield limit
        return

    def on_alarm(signum: int, frame: object) -> None:
        if limit.armed:
            limit.fired = True
            raise OpTimedOut(f"took longer than {seconds:g} s")

    # A cell may have blocked the signal (signal.pthread_sigmask) to dodge exactly this.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM, signal.SIGINT})
    previous = signal.signal(signal.SIGALRM, on_alarm)
    before = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_S)
    try:
        yield limit
    finally:
        limit.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if before[0] > 0:  # a timer of the learner's own (signal.alarm in a cell) goes on
            signal.setitimer(signal.ITIMER_REAL, *before)
