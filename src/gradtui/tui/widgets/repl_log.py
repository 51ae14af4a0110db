"""The scrollback log of cells: input (highlighted), output, the echoed value or the traceback."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual import events
from textual.timer import Timer
from textual.widgets import RichLog

from gradtui.kernel.protocol import CellResult

REWRAP_DELAY = 0.1  # seconds: a window dragged to a new size re-wraps the log once
MAX_REWRAPPED = 2000  # entries kept for re-wrapping (older ones are dropped at a re-wrap)


class ReplLog(RichLog):
    """Cells and their results, newest at the bottom.

    RichLog wraps a line once, at the width it had when written; a learner who widens or
    narrows the window (80 columns, one pane, to 120, side by side) would see cropped lines.
    So the log keeps what it was given and wraps it again when its width changes.

    A log behind another tab has no width at all (``display: none``): RichLog would wrap what
    is written then to one character a line. Those entries are only kept, and the log is
    written again at its real width when it is shown.
    """

    BORDER_TITLE = "REPL"

    DEFAULT_CSS = """
    ReplLog { height: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        # min_width=1: wrap to the pane however narrow (the default 78 crops the side-by-side log).
        super().__init__(wrap=True, markup=False, highlight=False, min_width=1,
                         **kwargs)  # type: ignore[arg-type]
        self.plain_lines: list[str] = []  # what was written, as text (tests, screen readers)
        self._entries: list[object] = []
        self._wrap_width: int | None = None
        self._rewrap_timer: Timer | None = None
        self._stale = False  # entries were kept, not written, while the log had no width

    def on_mount(self) -> None:
        # Anchored: the log keeps showing its end when it is resized (the input growing or
        # shrinking, a terminal resize), not only when a line is written; scrolling up
        # releases the anchor until the learner scrolls back to the end.
        self.anchor()

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        if not width:
            return  # hidden: what it shows now is kept as it is until it is shown again
        if self._stale:
            self._rewrap()  # shown again (a tab switch): no delay, the learner is looking
            return
        if self._wrap_width is None:
            self._wrap_width = width  # the first size: RichLog writes at it
            return
        if width != self._wrap_width:
            if self._rewrap_timer is not None:
                self._rewrap_timer.stop()
            self._rewrap_timer = self.set_timer(REWRAP_DELAY, self._rewrap)

    def _rewrap(self) -> None:
        """Write every kept entry again at the current width (the anchor keeps the end shown)."""
        if self._rewrap_timer is not None:
            self._rewrap_timer.stop()
        self._rewrap_timer = None
        self._stale = False
        self._wrap_width = self.size.width
        del self._entries[:-MAX_REWRAPPED]
        self.clear()
        for renderable in self._entries:
            self.write(renderable)

    def _add(self, renderable: object, text: str) -> None:
        self._entries.append(renderable)
        if len(self._entries) > 2 * MAX_REWRAPPED:  # bounded memory in a long session
            del self._entries[:-MAX_REWRAPPED]
        if self._size_known and self.scrollable_content_region.width <= 0:
            self._stale = True  # hidden behind another tab: written when shown
        else:
            self.write(renderable)
        self.plain_lines.extend(text.split("\n"))

    def echo_input(self, number: int | str, source: str) -> None:
        """The cell as typed, like IPython: ``In [n]: `` before its first line and an aligned
        ``   ...: `` before each further line, with Python highlighting."""
        prompt = f"In [{number}]: "
        continuation = " " * (len(prompt) - len("...: ")) + "...: "
        syntax = Syntax(source, "python", theme="ansi_dark", background_color="default")
        lines = syntax.highlight(source).split("\n")
        echo = Text()
        plain = []
        for index, line in enumerate(lines):
            if index:
                echo.append("\n")
            lead = prompt if index == 0 else continuation
            echo.append(lead, style="bold green")
            echo.append_text(line)
            plain.append(lead + line.plain)
        self._add(echo, "\n".join(plain))

    def show_result(self, result: CellResult) -> None:
        """Streams in their order, then the value or the traceback."""
        for chunk in result.output:
            text = chunk.text.rstrip("\n")
            if text:
                style = "" if chunk.stream == "stdout" else "yellow"
                self._add(Text(text, style=style), text)
        if result.error is not None:
            error = result.error
            tb = error.traceback.rstrip("\n") or f"{error.type}: {error.message}"
            self._add(Text(tb, style="bold red"), tb)
        elif result.value_repr is not None:
            self._add(Text(result.value_repr), result.value_repr)

    def note(self, text: str, style: str = "italic") -> None:
        """A line from gradtui itself (command output, kernel events)."""
        self._add(Text(text, style=style), text)
