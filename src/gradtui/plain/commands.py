"""``gradtui repl``: the plain prompt-toolkit REPL."""

from __future__ import annotations

import argparse


def add_kernel_limit_arguments(p: argparse.ArgumentParser) -> None:
    """Kernel limits shared by every front end that starts a kernel.

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


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("repl", help="the plain REPL (dumb terminals, screen readers, pipes)")
    p.add_argument(
        "--ascii", action="store_true", default=argparse.SUPPRESS,
        help="ASCII-only views (automatic for TERM=dumb/linux/vt100 and non-UTF-8 output)",
    )
    add_kernel_limit_arguments(p)
    p.set_defaults(handler=run_repl)


def run_repl(args: argparse.Namespace) -> int:
    from gradtui.plain.repl import main

    return main(args)
