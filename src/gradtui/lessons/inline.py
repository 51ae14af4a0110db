"""Inline code in lesson messages: `x.grad` in backticks, shown as code, never as backticks.

Check messages, notes and hints mark code the Markdown way. Front ends split a message into
plain and code pieces and style the code (the workspace as its Markdown does, the plain REPL in
bold cyan on a colour terminal); without colour the backticks are dropped, so a screen reader
or a pipe gets ``x.grad is None``.
"""

from __future__ import annotations

import re

_SPAN = re.compile(r"`([^`\n]+)`")

BOLD_CYAN = "\x1b[1;36m"
RESET = "\x1b[0m"


def code_pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_code) pairs, in order; an unpaired backtick stays text.

    A full stop right after code that ends with one is dropped: torch prints ``10.``, and
    "should be `10.`." would read "10..".
    """
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _SPAN.finditer(text):
        if match.start() > position:
            pieces.append((text[position: match.start()], False))
        code = match.group(1)
        pieces.append((code, True))
        position = match.end()
        if code.endswith(".") and text.startswith(".", position):
            position += 1
    if position < len(text):
        pieces.append((text[position:], False))
    return [(piece, is_code) for piece, is_code in pieces if piece]


# Stand-ins for the backticks while text is wrapped (private-use characters: they stick to
# their word like the backticks did, and a span may then be wrapped across lines).
OPEN, CLOSE = "\ue000", "\ue001"


def mark_code(text: str) -> str:
    """``text`` with each code span between ``OPEN`` and ``CLOSE`` instead of backticks."""
    return "".join(f"{OPEN}{piece}{CLOSE}" if is_code else piece
                   for piece, is_code in code_pieces(text))


def unmark(text: str, *, colour: bool = False) -> str:
    """Marked (and maybe wrapped) text for a terminal: code in bold cyan with ``colour``,
    otherwise plain, with no backticks either way."""
    on, off = (BOLD_CYAN, RESET) if colour else ("", "")
    return text.replace(OPEN, on).replace(CLOSE, off)


def render_plain(text: str, *, colour: bool = False) -> str:
    """``text`` for a terminal (see ``unmark``), unwrapped."""
    return unmark(mark_code(text), colour=colour)
