"""When does Enter submit a cell, and what is a colon command."""

from __future__ import annotations

import codeop
import shlex
from dataclasses import dataclass


def is_complete(source: str) -> bool:
    """True when Enter should run ``source`` rather than insert a newline.

    Like IPython: a statement still open (``def f():``, an open bracket, a trailing backslash)
    is incomplete, and so is a block whose last line is still indented, so that a learner can
    keep typing the body; an empty line ends the block. A syntax error counts as complete: the
    kernel reports it, which teaches more than a silently growing cell.
    """
    if not source.strip():
        return False
    if source.lstrip().startswith(":"):
        return True
    lines = source.split("\n")
    if len(lines) > 1 and lines[-1].strip() == "":
        return True  # an empty line closes any block
    if lines[-1][:1] in (" ", "\t"):
        return False
    try:
        return codeop.compile_command(source, "<cell>", "exec") is not None
    except (SyntaxError, ValueError, OverflowError):
        return True


@dataclass(frozen=True)
class ColonCommand:
    """``:name arg1 arg2`` typed in the input."""

    name: str
    args: list[str]

    @property
    def arg(self) -> str:
        """Everything after the name, as one string (what a lesson pane receives)."""
        return " ".join(self.args)


def parse_colon_command(source: str) -> ColonCommand | None:
    """The colon command in ``source``, or None when it is Python code."""
    text = source.strip()
    if not text.startswith(":") or len(text) < 2 or "\n" in text:
        return None
    try:
        parts = shlex.split(text[1:])
    except ValueError:
        parts = text[1:].split()
    if not parts:
        return None
    return ColonCommand(parts[0].lower(), parts[1:])
