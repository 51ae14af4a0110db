"""Command-line options for the kernel's limits, shared by every command that starts a kernel
(the workspace, ``gradtui repl``, ``gradtui lesson``): the front ends read them back with
``getattr(args, "memory_limit", None)`` and hand them to ``KernelClient``."""

from __future__ import annotations

import argparse

from gradtui.kernel.limits import limit_problem


def add_kernel_limit_arguments(p: argparse.ArgumentParser) -> None:
    """``--memory-limit MB`` and ``--cpu-limit SECONDS``.

    The defaults are ``SUPPRESS`` (readers use ``getattr(args, NAME, None)``) because argparse
    lets a sub-command's defaults overwrite what the main parser already parsed: with a default
    of None, ``gradtui --memory-limit 900 repl`` silently dropped the 900.
    """
    p.add_argument(
        "--memory-limit", metavar="MB", type=_memory_mb, default=argparse.SUPPRESS,
        help="address-space limit of the kernel process in MiB, 0 for none "
        "(default: a fraction of RAM)",
    )
    p.add_argument(
        "--cpu-limit", metavar="SECONDS", type=_cpu_s, default=argparse.SUPPRESS,
        help="CPU-time limit of the kernel process, 0 for none (default: none)",
    )


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _memory_mb(text: str) -> int:
    value = _whole_number(text)
    if (problem := limit_problem(value, None)) is not None:
        raise argparse.ArgumentTypeError(problem)  # `--memory-limit -5` meant "no limit"
    return value


def _cpu_s(text: str) -> int:
    value = _whole_number(text)
    if (problem := limit_problem(None, value)) is not None:
        raise argparse.ArgumentTypeError(problem)
    return value
