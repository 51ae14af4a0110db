"""``gradtui run FILE.py [ARGS...]``: a learner's script with the engine standing in for torch."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``run`` (only for ``--help``: ``cli.main`` dispatches it before argparse)."""
    p = sub.add_parser(
        "run",
        help="run a Python script with gradtui's engine as `torch`",
        description="Run FILE.py as `python FILE.py ARGS...` would, with `import torch` "
        "resolving to gradtui's numpy engine.",
    )
    p.add_argument("file", metavar="FILE.py")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(handler=lambda a: run_script_command([a.file, *a.args]))


def run_script_command(argv: Sequence[str]) -> int:
    """Run ``argv[0]`` with ``argv[1:]`` as its arguments; returns the exit status."""
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: gradtui run FILE.py [ARGS...]", file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    from gradtui.engine.script import run_script

    return run_script(argv[0], list(argv[1:]))
