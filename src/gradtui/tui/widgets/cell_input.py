"""The multi-line cell input: Enter runs a complete cell, Up/Down walk history, Tab completes."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from gradtui.tui.cells import is_complete, parse_colon_command
from gradtui.tui.history import HistoryCursor
from gradtui.tui.messages import (
    CellRefused,
    CellSubmitted,
    CompletionRequested,
    EmptyEnter,
    InputLeft,
)

INDENT = 4  # spaces an indent level takes (auto-indent adds one, Backspace takes one away)
# Terminals send Ctrl+J as a line feed and Alt+Enter as Escape+Enter: both mean "newline, no run".
NEWLINE_KEYS = ("ctrl+j", "alt+enter", "shift+enter", "ctrl+enter")


class CellInput(TextArea):
    """Python input. Enter submits a complete cell and inserts a newline in an incomplete one."""

    # It grows with the cell up to a third of the terminal (7 rows of 24, 20 of 60), then
    # scrolls inside, like ptpython's: a long cell must not squeeze the log and the panels.
    DEFAULT_CSS = """
    CellInput { height: auto; min-height: 3; max-height: 33vh; }
    """

    def __init__(self, history: HistoryCursor, **kwargs: object) -> None:
        super().__init__(
            "", language=None, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
            **kwargs,  # type: ignore[arg-type]
        )
        self.cell_history = history
        self._refusal: str | None = None
        self._refusal_told = False

    @property
    def refusal(self) -> str | None:
        """Why Enter cannot run a cell now (a cell is running, the kernel is dead), or None.

        While set, Enter on a complete cell changes nothing: the text stays, no newline is
        added and nothing is redrawn; only the first refused Enter of a period posts a
        ``CellRefused`` (a burst of them over a slow link must not flood the screen).
        ``:commands`` still run.
        """
        return self._refusal

    @refusal.setter
    def refusal(self, reason: str | None) -> None:
        if reason != self._refusal:
            self._refusal = reason
            self._refusal_told = False

    def edit(self, edit: Edit) -> EditResult:
        """TextArea scrolls to the cursor before it counts the lines an edit added, so in a
        full input a new last line (Enter at the end) stayed hidden below: scroll again."""
        result = super().edit(edit)
        self.scroll_cursor_visible()
        return result

    def on_resize(self) -> None:
        # A shorter terminal makes the input shorter: the line being typed stays in view.
        self.call_after_refresh(self.scroll_cursor_visible)

    @property
    def cursor_offset(self) -> int:
        """The cursor as an offset into ``self.text``."""
        row, column = self.cursor_location
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[:row]) + column

    def set_text(self, text: str) -> None:
        """Replace the content and put the cursor at its end."""
        self.load_text(text)
        self.move_cursor(self.document.end)

    def replace_range(self, start: int, end: int, text: str) -> None:
        """Replace characters ``start:end`` (offsets) with ``text``; cursor after it."""
        source = self.text
        self.set_text(source[:start] + text + source[end:])
        before = (source[:start] + text).split("\n")
        self.move_cursor((len(before) - 1, len(before[-1])))

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        if key in NEWLINE_KEYS:
            # A newline even in a complete cell (to type a two-line cell like `y = x * 2\ny`).
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if key == "enter":
            event.stop()
            event.prevent_default()
            if not self.text.strip():
                # Nothing to run: an empty input stays as it is (no growing blank lines).
                self.post_message(EmptyEnter())
                return
            if not self._submit_if_complete():
                self.insert("\n" + self._next_indent())
            return
        if key == "escape":
            event.stop()
            event.prevent_default()
            self.post_message(InputLeft())
            return
        if key == "tab":
            event.stop()
            event.prevent_default()
            self.post_message(CompletionRequested(self.text, self.cursor_offset))
            return
        if key == "backspace" and self._dedent():
            event.stop()
            event.prevent_default()
            return
        if key in ("up", "down") and self._walk_history(key):
            event.stop()
            event.prevent_default()
            return
        if await self._run_own_binding(event):
            return
        await super()._on_key(event)

    async def _run_own_binding(self, event: events.Key) -> bool:
        """Run the input's own key binding (Ctrl+U, Ctrl+W, Left, Home...) now, in key order.

        Textual runs a focused widget's non-priority bindings only once the key has bubbled up
        to the app, through the message queues; by then the keys read with it in the same
        terminal read (``\x15#`` over SSH) have been inserted, and Ctrl+U would delete them too.
        Running the binding here keeps every key in the order it was typed.
        """
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.node is not self or active.binding.priority:
            return False  # not ours (priority bindings already ran before the key reached us)
        if await self.app.run_action(active.binding.action, self):
            event.stop()
            event.prevent_default()
            return True
        return False

    def _dedent(self) -> bool:
        """Backspace in a line's leading spaces removes one indent level (4 spaces, or back to
        the level below), as editors do, not one space; False when it is a plain Backspace."""
        if not self.selection.is_empty:
            return False
        row, column = self.cursor_location
        before = self.document[row][:column]
        if column == 0 or before.strip(" ") or len(before) < 2:
            return False
        width = (column - 1) % INDENT + 1
        self.delete((row, column - width), (row, column))
        return True

    def _next_indent(self) -> str:
        """Indentation for a new line: the current line's, one level deeper after a ``:``."""
        row, column = self.cursor_location
        line = self.document[row][:column]
        indent = line[: len(line) - len(line.lstrip())]
        return indent + " " * INDENT if line.rstrip().endswith(":") else indent

    def _submit_if_complete(self) -> bool:
        source = self.text
        row, _ = self.cursor_location
        on_last_line = row == source.count("\n")
        # Enter in the middle of a multi-line cell edits it; at the end it may run it.
        if not on_last_line or not is_complete(source):
            return False
        # Blank lines around the code go: the one (maybe auto-indented) that ended a block,
        # and any left above it (a Ctrl+J typed first), so the echo starts on the prompt line.
        lines = source.rstrip().split("\n")
        while lines and not lines[0].strip():
            lines.pop(0)
        cell = "\n".join(lines)
        if self._refusal is not None and parse_colon_command(cell) is None:
            if not self._refusal_told:
                self._refusal_told = True
                self.post_message(CellRefused(self._refusal))
            return True  # handled: the text stays exactly as it is
        self.cell_history.add(cell)
        self.set_text("")
        self.post_message(CellSubmitted(cell))
        return True

    def _walk_history(self, key: str) -> bool:
        row, _ = self.cursor_location
        last_row = self.text.count("\n")
        if key == "up" and row == 0:
            entry = self.cell_history.older(self.text)
        elif key == "down" and row == last_row:
            entry = self.cell_history.newer()
        else:
            return False
        if entry is None:
            return False
        self.set_text(entry)
        return True
