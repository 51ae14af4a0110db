"""A scrollable view of a drawing given as lines of (text, role) runs, rendered line by line.

Textual's line API renders only the rows on screen, so a 2,000-line tree or a 300-column DAG
costs the same to repaint as a small one (a ``Static`` would lay out and measure every line on
every update).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

Run = tuple[str, str | None]


class CanvasView(ScrollView, can_focus=False):
    """Shows ``lines``; ``styles`` maps a run's role to a Rich style string."""

    DEFAULT_CSS = """
    CanvasView { height: 1fr; width: 1fr; }
    """

    def __init__(self, styles: dict[str | None, str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._styles = {role: Style.parse(style) if style else Style() for role, style
                        in styles.items()}
        self._lines: list[list[Run]] = []
        self._strips: dict[int, Strip] = {}

    @property
    def lines(self) -> list[list[Run]]:
        return self._lines

    def set_lines(self, lines: list[list[Run]]) -> None:
        """Replace the drawing; keeps the scroll position where it still fits."""
        self._lines = lines
        self._strips.clear()
        width = max((sum(len(text) for text, _ in line) for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        if index >= len(self._lines):
            return Strip.blank(self.size.width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            plain = Style()
            segments = [Segment(text, self._styles.get(role, plain))
                        for text, role in self._lines[index]]
            strip = Strip(segments)
            self._strips[index] = strip
        base = self.rich_style
        return strip.crop_extend(scroll_x, scroll_x + self.size.width, base).apply_style(base)

    def centre_on(self, row: int, col: int, height: int = 1, width: int = 1) -> None:
        """Scroll so the box at ``row``/``col`` (``height`` x ``width``) is in the middle of the
        view, or as near as the drawing's edges allow."""
        x = col + width // 2 - self.size.width // 2
        y = row + height // 2 - self.size.height // 2
        self.scroll_to(x=max(0, x), y=max(0, y), animate=False)
