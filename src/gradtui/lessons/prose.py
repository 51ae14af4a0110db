"""Lesson prose (Markdown) as plain terminal text, for the plain REPL and screen readers.

Paragraphs are re-flowed to the terminal's width (lesson files wrap their source lines at ~100
columns, which a narrower terminal would break mid-word), code blocks (fenced, or indented four
spaces) are indented and kept verbatim, ``**bold**`` and ``*italic*`` markers are dropped, and
tables and lists keep their lines.
"""

from __future__ import annotations

import re
import textwrap

from gradtui.lessons.inline import mark_code

_CODE_SPAN = re.compile(r"`[^`]*`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*`])\*(\S[^*`]*?)\*(?![\w*])")
_INDENTED_CODE = re.compile(r"^( {4}|\t)")
_KEEP_LINE = re.compile(r"^\s*([-*+] |\d+\. |\||#)")


def plain_text(markdown: str, width: int = 80, *, marked: bool = False) -> str:
    """``markdown`` re-flowed for a terminal ``width`` columns wide.

    ``marked``: inline code spans come out between ``inline.OPEN`` and ``inline.CLOSE``
    instead of backticks (wrapped with the rest), for ``inline.unmark`` to style or strip.
    """
    out: list[str] = []
    paragraph: list[str] = []
    in_code = False
    spans = mark_code if marked else (lambda text: text)

    def flush() -> None:
        if paragraph:
            text = spans(_unemphasise(" ".join(line.strip() for line in paragraph)))
            out.extend(textwrap.wrap(text, width=width, break_on_hyphens=False) or [""])
            paragraph.clear()

    for line in markdown.strip("\n").splitlines():
        if line.strip().startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line)
        elif not paragraph and _INDENTED_CODE.match(line):
            # Markdown's other code block: indented 4 spaces (or a tab) after a blank line; the
            # README's authoring example uses it, and re-flowing it joined the code into one line.
            out.append(line.rstrip())
        elif not line.strip():
            flush()
            out.append("")
        elif _KEEP_LINE.match(line):
            flush()
            heading = line.lstrip("#").strip() if line.lstrip().startswith("#") else None
            out.append(spans(_unemphasise(heading if heading is not None else line.rstrip())))
        else:
            paragraph.append(line)
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def _unemphasise(text: str) -> str:
    """Drop **bold** and *italic* markers; code in backticks is left alone (a bold match must
    not pair the ``**`` of `` `x ** 3` `` with a later one)."""
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\0{len(spans) - 1}\0"

    hidden = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", _CODE_SPAN.sub(hide, text)))
    return re.sub(r"\0(\d+)\0", lambda m: spans[int(m.group(1))], hidden)
