"""Glyph sets for drawing (box-drawing or plain ASCII) and the choice between them.

Some terminals cannot show box-drawing characters: the Linux console's fonts lack most of
them, old ``vt100``-style terminals and non-UTF-8 locales print garbage. ``--ascii`` forces the
ASCII set; otherwise ``wants_ascii`` picks it from the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.cells import cell_len

from gradtui.terminal import term_lacks_glyphs

# Direction bits of a line cell: which neighbours the line connects to.
UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8

@dataclass(frozen=True)
class Glyphs:
    """Every character the graph canvas, the tree and the panels draw with."""

    ascii: bool
    lines: Mapping[int, str]  # direction bits -> glyph
    arrow_down: str
    box: tuple[str, str, str, str, str, str]  # top-left, top-right, bottom-left, bottom-right, h, v
    output_box: tuple[str, str, str, str, str, str]
    tree_branch: str  # "├─ "
    tree_last: str  # "└─ "
    tree_pipe: str  # "│  "
    changed: str  # marks a changed row
    current: tuple[str, str]  # brackets around the node a step-by-step walk is on
    done: str  # after a node the step-by-step walk has passed
    ellipsis: str

    @property
    def border_lines(self) -> tuple[str, str]:
        """The horizontal border characters of a box and of the output's box."""
        return self.box[4], self.output_box[4]

    def line(self, bits: int) -> str:
        """The glyph for a cell whose line connects in the directions ``bits``."""
        return self.lines.get(bits, self.lines[UP | DOWN | LEFT | RIGHT])


UNICODE = Glyphs(
    ascii=False,
    lines={
        UP: "│", DOWN: "│", UP | DOWN: "│", LEFT: "─", RIGHT: "─", LEFT | RIGHT: "─",
        DOWN | RIGHT: "┌", DOWN | LEFT: "┐", UP | RIGHT: "└", UP | LEFT: "┘",
        UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", DOWN | LEFT | RIGHT: "┬",
        UP | LEFT | RIGHT: "┴", UP | DOWN | LEFT | RIGHT: "┼",
    },
    arrow_down="▼",
    box=("┌", "┐", "└", "┘", "─", "│"),
    output_box=("╔", "╗", "╚", "╝", "═", "║"),
    tree_branch="├─ ",
    tree_last="└─ ",
    tree_pipe="│  ",
    changed="●",
    current=("▶", "◀"),
    done="✓",
    ellipsis="…",
)

ASCII = Glyphs(
    ascii=True,
    lines={
        UP: "|", DOWN: "|", UP | DOWN: "|", LEFT: "-", RIGHT: "-", LEFT | RIGHT: "-",
        DOWN | RIGHT: "+", DOWN | LEFT: "+", UP | RIGHT: "+", UP | LEFT: "+",
        UP | DOWN | RIGHT: "+", UP | DOWN | LEFT: "+", DOWN | LEFT | RIGHT: "+",
        UP | LEFT | RIGHT: "+", UP | DOWN | LEFT | RIGHT: "|",  # a crossing: the vertical on top
    },
    arrow_down="v",
    box=("+", "+", "+", "+", "-", "|"),
    output_box=("#", "#", "#", "#", "=", "#"),
    tree_branch="|- ",
    tree_last="`- ",
    tree_pipe="|  ",
    changed="*",
    current=(">", "<"),
    done="*",
    ellipsis="...",
)


def wants_ascii(env: Mapping[str, str], *, forced: bool = False) -> bool:
    """True when the terminal described by ``env`` should get ASCII glyphs only."""
    if forced or env.get("GRADTUI_ASCII"):
        return True
    if term_lacks_glyphs(env.get("TERM", "")):
        return True
    # The first of LC_ALL, LC_CTYPE, LANG that is set decides the encoding, like the C library.
    locale = next((env[k] for k in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(k)), "")
    if locale and locale not in ("C.UTF-8", "C.utf8"):
        upper = locale.upper()
        if "UTF-8" not in upper and "UTF8" not in upper:
            return True
    return False


def glyphs_for(ascii_only: bool) -> Glyphs:
    """The glyph set to draw with."""
    return ASCII if ascii_only else UNICODE


def cut(text: str, width: int, ellipsis: str) -> str:
    """``text`` in at most ``width`` cells, ending in ``ellipsis`` (``…``, or ``...`` in
    ASCII) when it had to be cut."""
    if cell_len(text) <= width:
        return text
    kept = text[: max(0, width - cell_len(ellipsis))]
    while kept and cell_len(kept) + cell_len(ellipsis) > width:
        kept = kept[:-1]
    return kept + ellipsis
