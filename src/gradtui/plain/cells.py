"""When is a cell complete, how piped input splits into cells, and what is a ``:command``.

Interactive input follows the Python REPL: a simple statement runs on Enter, a block keeps
reading until an empty line, an open bracket or string keeps reading. Piped input (scripts,
pasted notebooks) uses the same rule, plus one kindness the Python REPL lacks: a new unindented
statement after a block ends the block, so a script without blank lines after its loops works.
"""

from __future__ import annotations

import codeop
from collections.abc import Iterable, Iterator

# Unindented lines that continue the block above them instead of starting a new statement.
_DEDENT_CONTINUATIONS = ("else", "elif", "except", "finally", "case")


def _compile(source: str, symbol: str) -> bool | None:
    """True if complete, None if incomplete, False on a syntax error (codeop's three answers)."""
    try:
        return codeop.compile_command(source, "<cell>", symbol) is not None or None
    except (SyntaxError, ValueError, OverflowError):
        return False


def cell_complete(source: str) -> bool:
    """True when ``source`` should run now; False while the learner is still typing it.

    A syntax error counts as complete (the kernel reports it with its caret). Several statements
    (a paste) are complete unless the last line is still inside an indented block.
    """
    if not source.strip():
        return True
    single = _compile(source, "single")
    if single is not False:
        return bool(single)
    # "single" refuses several statements; judge a multi-statement paste as a module.
    whole = _compile(source, "exec")
    if whole is None:
        return False
    if whole is False:
        return True
    return not source.split("\n")[-1][:1].isspace()


def _starts_new_statement(line: str) -> bool:
    """An unindented, non-empty line that cannot continue a block above it."""
    if not line.strip() or line[:1].isspace() or line.lstrip().startswith("#"):
        return False
    word = line.split(None, 1)[0].rstrip(":")
    return word not in _DEDENT_CONTINUATIONS and not word.startswith(("except", "else"))


def iter_cells(lines: Iterable[str]) -> Iterator[str]:
    """Group lines (with or without their newline) into the cells a learner meant.

    A ``:command`` line is its own cell when no cell is open. An unfinished cell at the end of
    input is still yielded, so the kernel reports its syntax error instead of it vanishing.
    """
    buffer: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not buffer:
            if not line.strip():
                continue
            if line.lstrip().startswith(":"):
                yield line.strip()
                continue
        elif _starts_new_statement(line) and _compile("\n".join(buffer), "exec") is not None:
            yield "\n".join(buffer)
            buffer = []
        buffer.append(line)
        if cell_complete("\n".join(buffer)):
            yield "\n".join(buffer).rstrip("\n")
            buffer = []
    if buffer and "\n".join(buffer).strip():
        yield "\n".join(buffer).rstrip("\n")


def parse_command(source: str) -> tuple[str, str] | None:
    """``(name, arg)`` for a one-line ``:name arg`` command, else None (it is Python code)."""
    text = source.strip()
    if not text.startswith(":") or "\n" in text:
        return None
    name, _, arg = text[1:].partition(" ")
    return name.strip().lower(), arg.strip()
