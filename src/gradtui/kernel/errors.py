"""Errors a kernel front end may see."""

from __future__ import annotations


class KernelDied(RuntimeError):
    """The kernel process is gone (killed, crashed, ``os._exit``, out of memory).

    The message says how it died and that a restart gives a fresh kernel, e.g. ``the kernel died
    (killed by SIGKILL); :restart starts a fresh one``.
    """


class KernelError(RuntimeError):
    """The kernel refused a request as malformed (a front-end bug, never a learner error)."""
