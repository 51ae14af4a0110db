"""``gradtui repl``: the plain prompt-toolkit REPL."""

from __future__ import annotations

import argparse

from gradtui.kernel.options import add_kernel_limit_arguments


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
