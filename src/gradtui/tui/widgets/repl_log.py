"""The scrollback log of cells: input (highlighted), output as it is printed, the echoed value
or the traceback.

A running cell's output arrives in pieces (``stream_output``) and is shown like a terminal
shows it: complete lines at once, an unfinished line (``print(..., end="")``, a progress bar
redrawn with ``\\r``) shown and then updated in place, long lines cut at the log's width, and
control characters made visible (``^[``) instead of reaching the terminal. ``end_output``
closes the cell's last line.

The log holds at most ``MAX_ROWS`` screen rows: past that the oldest are dropped and the first
row says how many (a cell printing in a loop for an hour must not take the app's memory with
it). What is kept is also kept as text, so a resize (or a tab switch at 80 columns, where the
hidden log has no width at all) writes it again at the new width.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from rich.cells import cell_len, chop_cells
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import RichLog

from gradtui.kernel.protocol import CellResult
from gradtui.tui.doc_view import doc_text

REWRAP_DELAY = 0.1  # seconds: a window dragged to a new size re-wraps the log once
MAX_ROWS = 20_000  # screen rows kept; older ones are dropped (and counted in the first row)
TRIM_SLACK = 2_000  # rows allowed past MAX_ROWS before trimming, so trims are rare
MAX_PARTIAL_CHARS = 20_000  # an unfinished line longer than this is written as it is
STDERR_STYLE = Style(color="yellow")
NOTE_START = "[gradtui: "  # how a note of the kernel's in a cell's output begins

# C0 controls and DEL as caret notation (``^[`` for ESC), C1 controls as ``\x9b``: learner
# output must never reach the terminal as escape sequences. Tab and newline are handled apart.
_VISIBLE = {code: f"^{chr(code + 64)}" for code in range(32) if code not in (9, 10)}
_VISIBLE[127] = "^?"
_VISIBLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})


def visible(text: str) -> str:
    """``text`` with tabs expanded and every control character shown as text."""
    return text.expandtabs(8).translate(_VISIBLE)


def overwrite(line: str, pending_cr: bool, new: str) -> tuple[str, bool]:
    """Write ``new`` (no newline in it) at the end of ``line`` as a terminal would: after a
    carriage return the next text overwrites the line from its start. Returns the line and
    whether a carriage return is still waiting for text."""
    for index, piece in enumerate(new.split("\r")):
        if index:
            pending_cr = True
        if piece:
            line = piece + line[len(piece):] if pending_cr else line + piece
            pending_cr = False
    return line, pending_cr


@dataclass
class _Entry:
    """One thing written: a Rich renderable, or lines of a cell's output."""

    text_lines: int  # lines of text it holds (what the "dropped" note counts)
    renderable: RenderableType | None = None
    lines: list[str] | None = None  # output: visible text, one per line
    style: Style | None = None
    rows: list[int] = field(default_factory=list)  # screen rows per line (renderable: one item)


@dataclass
class _Partial:
    """The running cell's unfinished last line, shown at the bottom and updated in place."""

    stream: str
    line: str = ""
    pending_cr: bool = False
    rows: int = 0  # screen rows it takes now


class ReplLog(RichLog):
    """Cells and their results, newest at the bottom.

    RichLog wraps a line once, at the width it had when written; a learner who widens or
    narrows the window (80 columns, one pane, to 120, side by side) would see cropped lines.
    So the log keeps what it was given and wraps it again when its width changes.

    A log behind another tab has no width at all (``display: none``): what is written then is
    only kept, and the log is written again at its real width when it is shown.
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
        self.dropped_lines = 0  # lines of text dropped from the top to bound memory
        self._entries: deque[_Entry] = deque()
        self._rows = 0  # screen rows of the kept entries
        self._note_rows = 0  # rows of the "dropped" note at the top
        self._partial: _Partial | None = None
        self._wrap_width: int | None = None
        self._rewrap_timer: Timer | None = None
        self._stale = True  # entries kept but not written yet: no width so far
        self._read_from_top: _Entry | None = None  # a long :doc, shown from its first line
        self._more_hint = ""

    def on_mount(self) -> None:
        # Anchored: the log keeps showing its end when it is resized (the input growing or
        # shrinking, a terminal resize), not only when a line is written; scrolling up
        # releases the anchor until the learner scrolls back to the end.
        self.anchor()
        self.watch(self, "scroll_y", self._scrolled, init=False)

    # -- writing ------------------------------------------------------------------------------

    def echo_input(self, number: int | str, source: str) -> None:
        """The cell as typed, like IPython: ``In [n]: `` before its first line and an aligned
        ``   ...: `` before each further line, with Python highlighting."""
        self.end_output()
        prompt = f"In [{number}]: "
        continuation = " " * (len(prompt) - len("...: ")) + "...: "
        syntax = Syntax(source, "python", theme="ansi_dark", background_color="default")
        lines = syntax.highlight(visible(source)).split("\n")
        echo = Text()
        plain = []
        for index, line in enumerate(lines):
            if index:
                echo.append("\n")
            lead = prompt if index == 0 else continuation
            echo.append(lead, style="bold green")
            echo.append_text(line)
            plain.append(lead + line.plain)
        self._add_renderable(echo, "\n".join(plain))

    def stream_output(self, stream: str, text: str) -> None:
        """A piece of the running cell's output (stdout or stderr), shown at once."""
        if not text:
            return
        partial = self._partial
        if partial is not None and partial.stream != stream:
            self.end_output()  # the other stream starts a new line, as in a terminal
            partial = None
        if partial is None:
            partial = self._partial = _Partial(stream)
        self._unshow_partial()
        *complete, rest = text.replace("\r\n", "\n").split("\n")
        finished: list[str] = []
        for piece in complete:
            line, _ = overwrite(partial.line, partial.pending_cr, piece)
            finished.append(visible(line))
            partial.line, partial.pending_cr = "", False
        partial.line, partial.pending_cr = overwrite(partial.line, partial.pending_cr, rest)
        if len(partial.line) > MAX_PARTIAL_CHARS:  # a line without end: write what we have
            finished.append(visible(partial.line))
            partial.line, partial.pending_cr = "", False
        if finished:
            self._add_output(finished, stream)
        self._show_partial()

    def end_output(self) -> None:
        """The running cell's output is over (or another kind of entry follows): its last,
        unfinished line becomes an ordinary line."""
        partial, self._partial = self._partial, None
        if partial is None:
            return
        self._unshow_partial(partial)
        if partial.line:
            self._add_output([visible(partial.line)], partial.stream)

    def show_result(self, result: CellResult) -> None:
        """The cell's output (unless it was streamed as it ran), then the value or the
        traceback."""
        if not result.output_streamed:
            for chunk in result.output:
                self.stream_output(chunk.stream, chunk.text)
        self.end_output()
        if result.error is not None:
            error = result.error
            tb = error.traceback.rstrip("\n") or f"{error.type}: {error.message}"
            self._add_renderable(Text(visible(tb), style="bold red"), tb)
        elif result.value_repr is not None:
            self._add_renderable(Text(visible(result.value_repr)), result.value_repr)

    def note(self, text: str, style: str = "italic") -> None:
        """A line from gradtui itself (command output, kernel events)."""
        self.end_output()
        self._add_renderable(Text(visible(text), style=style), text)

    def show_doc(self, text: str, more_hint: str = "") -> None:
        """``:doc``'s answer, wrapped at the log's width, and shown from its first line when
        it is taller than the log (as a pager starts at the top): the end of a docstring is
        no place to start reading. ``more_hint`` (how to scroll on) is the log's subtitle
        while the rest is below."""
        self.end_output()
        self._add_renderable(doc_text(visible(text)), text)
        self._read_from_top = self._entries[-1]
        self._more_hint = more_hint
        self.call_after_refresh(self._scroll_to_doc)

    def _scroll_to_doc(self) -> None:
        """Scroll the log to the line before the doc it shows from the top (the ``:doc``
        command's echo), while that doc is still the last thing written: the next cell's
        echo follows the end again."""
        entry = self._read_from_top
        if entry is None or not self._entries or self._entries[-1] is not entry:
            self._read_from_top = None
            return
        if not self._writable() or entry.rows[0] <= self.scrollable_content_region.height:
            return
        start = self._note_rows + sum(sum(e.rows) for e in self._entries) - entry.rows[0]
        self.scroll_to(y=max(0, start - 1), animate=False, immediate=True)
        self.border_subtitle = self._more_hint

    def _scrolled(self) -> None:
        if self.border_subtitle and self.scroll_y >= self.max_scroll_y:
            self.border_subtitle = ""  # the end of the doc is in view: nothing more below

    # -- entries ------------------------------------------------------------------------------

    def _add_renderable(self, renderable: RenderableType, text: str) -> None:
        self.border_subtitle = ""  # what follows a doc is read at the end again
        lines = text.split("\n")
        entry = _Entry(len(lines), renderable=renderable)
        self._entries.append(entry)
        self.plain_lines.extend(lines)
        if self._writable():
            strips = self._render(renderable)
            entry.rows = [len(strips)]
            self._append_strips(strips)
        else:
            entry.rows = [len(lines)]  # a guess until it is written
        self._rows += entry.rows[0]
        self._trim()

    def _add_output(self, lines: list[str], stream: str) -> None:
        self.border_subtitle = ""
        style = STDERR_STYLE if stream == "stderr" else None
        last = self._entries[-1] if self._entries else None
        if last is not None and last.lines is not None and last.style == style:
            entry = last  # one entry per run of output: fewer objects in a long session
        else:
            entry = _Entry(0, lines=[], style=style)
            self._entries.append(entry)
        entry.lines.extend(lines)  # type: ignore[union-attr]
        entry.text_lines += len(lines)
        self.plain_lines.extend(lines)
        if self._writable():
            strips: list[Strip] = []
            for line in lines:
                rows = self._output_strips(line, style)
                entry.rows.append(len(rows))
                strips.extend(rows)
            self._append_strips(strips)
            self._rows += len(strips)
        else:
            entry.rows.extend([1] * len(lines))
            self._rows += len(lines)
        self._trim()

    def _show_partial(self) -> None:
        partial = self._partial
        if partial is None or not partial.line or not self._writable():
            return
        style = STDERR_STYLE if partial.stream == "stderr" else None
        strips = self._output_strips(visible(partial.line), style)
        partial.rows = len(strips)
        self._append_strips(strips)

    def _unshow_partial(self, partial: _Partial | None = None) -> None:
        partial = partial or self._partial
        if partial is not None and partial.rows:
            del self.lines[-partial.rows:]
            partial.rows = 0
            self._line_cache.clear()
            self._sized()

    # -- bounded memory -----------------------------------------------------------------------

    def _trim(self) -> None:
        """Drop the oldest rows past MAX_ROWS, and say how many lines went in the first row."""
        if self._rows <= MAX_ROWS + TRIM_SLACK:
            return
        over = self._rows - MAX_ROWS
        removed = dropped = 0
        while self._entries and removed < over:
            entry = self._entries[0]
            if entry.lines is not None and sum(entry.rows) > over - removed:
                count = rows = 0
                while removed + rows < over:
                    rows += entry.rows[count]
                    count += 1
                del entry.lines[:count], entry.rows[:count]
                entry.text_lines -= count
                dropped += count
                removed += rows
                break
            self._entries.popleft()
            removed += sum(entry.rows)
            dropped += entry.text_lines
        self._rows -= removed
        self.dropped_lines += dropped
        del self.plain_lines[:dropped]  # the same lines, in the same order, as the entries
        if not self._writable():
            return
        note = self._render(self._dropped_note())
        self.lines[:self._note_rows + removed] = note
        self._note_rows = len(note)
        self._line_cache.clear()
        self._sized()

    def _dropped_note(self) -> Text:
        return Text(f"[gradtui: {self.dropped_lines:,} earlier lines were dropped; the log "
                    f"keeps the last {MAX_ROWS:,}]", style="dim italic")

    # -- rendering ----------------------------------------------------------------------------

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def _writable(self) -> bool:
        """False while the log has no width (before its first layout, or behind a tab)."""
        if self._stale or self._width() <= 0:
            self._stale = True
            return False
        return True

    def _render(self, renderable: RenderableType) -> list[Strip]:
        console = self.app.console
        options = console.options.update_width(max(1, self._width()))
        lines = list(Segment.split_lines(console.render(renderable, options)))
        return Strip.from_lines(lines) if lines else [Strip.blank(0)]

    def _output_strips(self, line: str, style: Style | None) -> list[Strip]:
        """One line of output cut at the width, like a terminal (fast: a cell may print
        100,000 lines)."""
        width = max(1, self._width())
        if not line:
            return [Strip([], 0)]
        if line.startswith(NOTE_START) and line.endswith("]"):
            # The kernel's own notes ("[gradtui: output cut after ...]") are prose: wrapped
            # at words, not cut mid-word like the learner's output.
            return self._render(Text(line, style=style or ""))
        if line.isascii():
            pieces = [line[i:i + width] for i in range(0, len(line), width)]
            return [Strip([Segment(p, style)], len(p)) for p in pieces]
        return [Strip([Segment(p, style)], cell_len(p)) for p in chop_cells(line, width)]

    def _append_strips(self, strips: list[Strip]) -> None:
        self.lines.extend(strips)
        widest = max((s.cell_length for s in strips), default=0)
        self._widest_line_width = max(self._widest_line_width, widest)
        self._sized()
        if self.auto_scroll:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def _sized(self) -> None:
        self.virtual_size = Size(self._widest_line_width, len(self.lines))
        self.refresh()

    # -- resizing -----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        if not width:
            return  # hidden: what it shows now is kept as it is until it is shown again
        if self._stale or self._wrap_width is None:
            self.call_later(self._rewrap)  # shown (again): at once, the learner is looking
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
        if self._width() <= 0:
            return
        self._stale = False
        self._wrap_width = self.size.width
        self.lines = []
        self._line_cache.clear()
        self._widest_line_width = 0
        self._note_rows = 0
        strips: list[Strip] = []
        if self.dropped_lines:
            strips = self._render(self._dropped_note())
            self._note_rows = len(strips)
        self._rows = 0
        for entry in self._entries:
            if entry.lines is None:
                rows = self._render(entry.renderable)  # type: ignore[arg-type]
                entry.rows = [len(rows)]
                strips.extend(rows)
            else:
                entry.rows = []
                for line in entry.lines:
                    rows = self._output_strips(line, entry.style)
                    entry.rows.append(len(rows))
                    strips.extend(rows)
            self._rows += sum(entry.rows)
        self._append_strips(strips)
        if self._partial is not None:
            self._partial.rows = 0
            self._show_partial()
        self._trim()
        if self._read_from_top is not None:  # a resize or the log shown again: same place
            self.call_after_refresh(self._scroll_to_doc)
