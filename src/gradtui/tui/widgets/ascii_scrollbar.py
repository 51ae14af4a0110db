"""Scrollbars without block glyphs, for ``--ascii`` terminals.

Textual draws the ends of a scrollbar thumb with eighth-block characters (``▁▂▃``) that the
Linux console and ASCII-only terminals cannot show; this renderer draws whole cells only (the
thumb is reverse video, visible without colour too).
"""

from __future__ import annotations

from textual.scrollbar import ScrollBar, ScrollBarRender


class AsciiScrollBarRender(ScrollBarRender):
    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def use_ascii_scrollbars() -> None:
    """Switch every scrollbar of this process to whole-cell drawing (Textual keeps the renderer
    on the class, so this is process-wide: call it once, before the app runs)."""
    ScrollBar.renderer = AsciiScrollBarRender
