"""``gradtui lessons`` / ``gradtui lesson N``: guided lessons.

Taking a lesson starts a front end (the workspace, or the plain REPL with ``--plain``), which
this layer may not import: the command line passes in ``take_lesson``, the handler that does.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from gradtui.kernel.options import add_kernel_limit_arguments


def _add_lessons_dir(p: argparse.ArgumentParser, default: object = None) -> None:
    p.add_argument(
        "--lessons", metavar="DIR", action="append", default=[] if default is None else default,
        help="also load lessons from DIR (repeatable; $GRADTUI_LESSONS works too)",
    )


def add_commands(sub: argparse._SubParsersAction,
                 take_lesson: Callable[[argparse.Namespace], int]) -> None:
    ls = sub.add_parser("lessons", help="list lessons with your progress, or check lesson files")
    _add_lessons_dir(ls)
    ls_sub = ls.add_subparsers(dest="lessons_command", metavar="ACTION")
    check = ls_sub.add_parser("check", help="validate and self-test lesson files")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")
    # SUPPRESS: a sub-command default would drop `gradtui lessons --lessons DIR check` (argparse).
    _add_lessons_dir(check, default=argparse.SUPPRESS)
    ls.set_defaults(handler=run_lessons)

    one = sub.add_parser("lesson", help="take a lesson (by number or id)")
    one.add_argument("lesson", metavar="N|ID")
    one.add_argument("--plain", action="store_true", help="in the plain REPL instead of the app")
    # SUPPRESS: a sub-command default would overwrite `gradtui --ascii lesson 1` (argparse).
    one.add_argument("--ascii", action="store_true", default=argparse.SUPPRESS,
                     help="ASCII-only drawing")
    one.add_argument("--restart", action="store_true", help="start again from step 1")
    _add_lessons_dir(one)
    add_kernel_limit_arguments(one)
    one.set_defaults(handler=take_lesson)


def run_lessons(args: argparse.Namespace) -> int:
    from gradtui.lessons.cli import run_lessons_command

    return run_lessons_command(args)
