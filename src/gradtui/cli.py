"""The ``gradtui`` command line: the top layer, the one place that may import every other.

Each area owns a light ``commands`` module (argparse only, no heavy imports) that adds its
sub-commands; the heavy front end is imported inside the command that runs, so ``gradtui run``
never loads Textual and ``gradtui --help`` is instant. A command of a lower layer that needs a
front end (``gradtui lesson``) gets its handler from here (``take_lesson``): the layers below
never import the front ends (``pyproject.toml``'s import contracts, ``tests/test_layers.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence

from gradtui import __version__
from gradtui.app_memory import AppMemoryError, apply_app_memory_limit
from gradtui.pipes import quiet_broken_pipe


def version_text() -> str:
    """``gradtui 0.1.0 (Python 3.13.0)``: a tool install has its own Python, worth knowing
    when something differs from a classmate's."""
    return f"gradtui {__version__} (Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    """The full parser: the workspace is the default when no sub-command is given."""
    from gradtui.engine import commands as engine_commands
    from gradtui.lessons import commands as lesson_commands
    from gradtui.plain import commands as plain_commands
    from gradtui.serve import commands as serve_commands
    from gradtui.tui import commands as tui_commands

    parser = argparse.ArgumentParser(
        prog="gradtui",
        description="Learn how autograd works: PyTorch's API on a numpy engine, live in a "
        "terminal.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    tui_commands.add_workspace_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    engine_commands.add_commands(sub)
    plain_commands.add_commands(sub)
    tui_commands.add_commands(sub)
    lesson_commands.add_commands(sub, take_lesson=take_lesson)
    serve_commands.add_commands(sub)
    parser.set_defaults(handler=tui_commands.run_workspace)
    return parser


def take_lesson(args: argparse.Namespace) -> int:
    """``gradtui lesson N|ID``: the lesson in the workspace, or in the plain REPL (``--plain``)."""
    from gradtui.lessons.cli import open_lesson_session

    session = open_lesson_session(args)
    if session is None:
        return 2
    if getattr(args, "plain", False):
        from gradtui.plain.lesson_mode import run_plain_lesson

        return run_plain_lesson(session, args)
    from gradtui.tui.app import main as workspace_main

    return workspace_main(args, lesson_session=session)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the process exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        apply_app_memory_limit()  # a lab's backstop under the bounded protocol reads
    except AppMemoryError as error:
        print(f"gradtui: {error}", file=sys.stderr)
        return 2
    # `gradtui run FILE.py ARGS...` hands everything after FILE to the script untouched, like
    # `python FILE.py ARGS...`; argparse would otherwise try to parse the script's own options.
    if args_list[:1] == ["run"]:
        from gradtui.engine.commands import run_script_command

        return run_script_command(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    _plain_without_a_terminal(args)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:
        # `gradtui ... | head` closed our stdout: end quietly like other Unix tools (128 + SIGPIPE).
        return quiet_broken_pipe()


def _plain_without_a_terminal(args: argparse.Namespace) -> None:
    """The workspace needs a terminal on stdin and stdout; without one, the plain front end.

    ``gradtui < cells.py > out.txt`` (or from cron, a CI job, an editor's "run") used to start
    the full-screen app on a file: escape codes in the output, and no keys to ever quit it. The
    plain REPL (and a lesson's plain mode) read cells from a pipe and write plain text.
    """
    from gradtui.plain import commands as plain_commands
    from gradtui.terminal import is_terminal
    from gradtui.tui import commands as tui_commands

    handler = getattr(args, "handler", None)
    if is_terminal(sys.stdin, sys.stdout) or os.environ.get("TEXTUAL_DRIVER"):
        return  # a terminal, or a driver that needs none (textual-serve's web driver)
    if handler is tui_commands.run_workspace:
        args.handler = plain_commands.run_repl
        what = "the plain REPL (gradtui repl)"
    elif handler is take_lesson and not getattr(args, "plain", False):
        args.plain = True
        what = "the lesson in the plain REPL (--plain)"
    else:
        return
    print(f"gradtui: no terminal (stdin or stdout is not a TTY): running {what} instead",
          file=sys.stderr)

