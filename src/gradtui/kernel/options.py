"""Command-line options for the kernel's limits, shared by every command that starts a kernel
(the workspace, ``gradtui repl``, ``gradtui lesson``): the front ends read them back with
``getattr(args, "memory_limit", None)`` and hand them to ``KernelClient``."""

from __future__ import annotations

import argparse


def add_kernel_limit_arguments(p: argparse.ArgumentParser) -> None:
    """``--memory-limit MB`` and ``--cpu-limit SECONDS``.

    The defaults are ``SUPPRESS`` (readers use ``getattr(args, NAME, None)``) because argparse
    lets a sub-command's defaults overwrite what the main parser already parsed: with a default
    of None, ``gradtui --memory-limit 900 repl`` silently dropped the 900.
    """
    p.add_argument(
        "--memory-limit", metavar="MB", type=int, default=argparse.SUPPRESS,
        help="address-space limit of the kernel process in MiB (default: a fraction of RAM)",
    )
    p.add_argument(
        "--cpu-limit", metavar="SECONDS", type=int, default=argparse.SUPPRESS,
        help="CPU-time limit of the kernel process (default: none)",
    )
