"""``gradtui`` (no sub-command): the Textual workspace."""

from __future__ import annotations

import argparse

from gradtui.kernel.options import add_kernel_limit_arguments


def add_workspace_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the bare ``gradtui`` command (the workspace)."""
    # SUPPRESS, not False: `gradtui --ascii workspace` must keep the --ascii given before the
    # sub-command (argparse lets a sub-parser's defaults overwrite it). Readers use getattr.
    p.add_argument(
        "--ascii", action="store_true", default=argparse.SUPPRESS,
        help="draw with ASCII only (for terminals without box-drawing glyphs)",
    )
    add_kernel_limit_arguments(p)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workspace", help="the Textual workspace (the default command)")
    add_workspace_arguments(p)
    p.set_defaults(handler=run_workspace)


def run_workspace(args: argparse.Namespace) -> int:
    from gradtui.tui.app import main

    return main(args)
