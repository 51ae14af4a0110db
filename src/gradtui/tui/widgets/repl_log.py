"""The scrollback log of cells: input (highlighted), output, the echoed value or the traceback."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import RichLog

from gradtui.kernel.protocol import CellResult


class ReplLog(RichLog):
    """Cells and their results, newest at the bottom."""

    BORDER_TITLE = "REPL"

    DEFAULT_CSS = """
    ReplLog { height: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        # min_width=1: wrap to the pane however narrow (the default 78 crops the side-by-side log).
        super().__init__(wrap=True, markup=False, highlight=False, min_width=1,
                         **kwargs)  # type: ignore[arg-type]
        self.plain_lines: list[str] = []  # what was written, as text (tests, screen readers)

    def on_mount(self) -> None:
        # Anchored: the log keeps showing its end when it is resized (the input growing or
        # shrinking, a terminal resize), not only when a line is written; scrolling up
        # releases the anchor until the learner scrolls back to the end.
        self.anchor()

    def _add(self, renderable: object, text: str) -> None:
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
