"""A docstring's text shaped for a narrow screen, for every front end (no UI imports).

Docstrings are hard-wrapped at their author's width (about 90 columns in gradtui's engine);
at 80 columns a terminal or the workspace's log breaks each of those lines again and leaves
ragged half-lines. ``reflow`` joins the lines of each paragraph of prose so the front end can
wrap it at its own width; what is not prose keeps its lines: indented text (code, argument
lists, rules), ``>>>`` examples, list items, underlines, headers, formulas, columns.
"""

from __future__ import annotations

import re
import textwrap

# A line that starts a block of its own, never joined to the line above it: indented,
# an example, a list item, an underline, a header ("Args:"), a formula (``g = g + wd * p``)
# or text aligned in columns.
# (A formula is short: ``y = x W^T + b with W of shape ...`` is a sentence.)
_OWN_LINE = re.compile(r"^(\s|>>>|\.\.\.|[-*+] |\d+[.)] |[-=~^]{3,}\s*$|[A-Z][\w ]*:\s*$"
                       r"|[\w.\[\]]+ = .{0,36}$)|\S {2,}\S")


def reflow(doc: str) -> list[str]:
    """The docstring's lines, each paragraph of prose joined into one line."""
    out: list[str] = []
    joinable = False  # the last line out is prose that the next prose line continues
    for line in doc.split("\n"):
        if not line.strip():
            out.append("")
            joinable = False
        elif _OWN_LINE.search(line):
            out.append(line.rstrip())
            # a list item goes on over its next unindented line; code and headers do not
            joinable = bool(re.match(r"^([-*+] |\d+[.)] )", line))
        elif joinable:
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.rstrip())
            joinable = not line.rstrip().endswith(":")
    return out



def wrap_doc(doc: str, width: int) -> str:
    """``doc`` with each paragraph of prose wrapped at ``width`` (for a terminal); the first
    line (a signature) and the lines that are not prose stay as they are."""
    first, newline, rest = doc.partition("\n")
    out = [first]
    for line in reflow(rest) if newline else []:
        if line and not _OWN_LINE.search(line) and len(line) > width:
            out += textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        else:
            out.append(line)
    return "\n".join(out)
