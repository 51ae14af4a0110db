"""``gradtui repl``: the plain prompt-toolkit REPL."""

from __future__ import annotations

import argparse


def add_kernel_limit_arguments(p: argparse.ArgumentParser) -> None:
    """Kernel limits shared by every front end that starts a kernel."""
    p.add_argument(
        "--memory-limit", metavar="MB", type=int, default=None,
        help="address-space limit of the kernel process in MiB (default: a fraction of RAM)",
    )
    p.add_argument(
        "--cpu-limit", metavar="SECONDS", type=int, default=None,
        help="CPU-time limit of the kernel process (default: none)",
    )


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("repl", help="the plain REPL (dumb terminals, screen readers, pipes)")
    add_kernel_limit_arguments(p)
    p.set_defaults(handler=run_repl)


def run_repl(args: argparse.Namespace) -> int:
    from gradtui.plain.repl import main

    return main(args)
