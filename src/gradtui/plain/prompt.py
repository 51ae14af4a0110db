"""The prompt-toolkit side of ``gradtui repl``: prompts, the Enter key, history, colours.

Enter follows the Python REPL: a complete cell runs, an incomplete one (an open block or bracket)
gets a new auto-indented line, and an empty line ends a block. Tab completion and Ctrl-R history
search are prompt-toolkit's own keys.
"""

from __future__ import annotations

from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer
from prompt_toolkit.filters import is_searching
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth
from pygments.lexers import PythonLexer

from gradtui.paths import history_file
from gradtui.plain.cells import cell_complete

PROMPT = ">>> "
CONTINUATION = "... "


def shared_history() -> History:
    """The history file shared with the workspace (one entry per cell, prompt-toolkit format)."""
    path = history_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(path))
    except OSError:  # a read-only home must not stop the REPL; history stays in memory
        return InMemoryHistory()


def continuation_prefix(width: int, line_number: int, wrap_count: int) -> str:
    """``... `` before each further line of a cell, nothing before a long line's wrapped part.

    prompt-toolkit asks for a prefix for soft-wrapped rows too (``wrap_count > 0``): a ``... ``
    there made one long statement look like two lines of a block, unlike Python's REPL.
    """
    return CONTINUATION if wrap_count == 0 else ""


def make_prompt_session(
    completer: Completer, *, colour: bool, history: History | None = None, **io: Any
) -> PromptSession[str]:
    """A multi-line Python prompt; ``io`` may carry ``input``/``output`` (tests)."""
    return PromptSession(
        history=history if history is not None else shared_history(),
        lexer=PygmentsLexer(PythonLexer) if colour else None,
        completer=completer,
        complete_while_typing=False,  # Tab asks the kernel; typing never does
        multiline=True,
        key_bindings=_enter_bindings(),
        prompt_continuation=continuation_prefix,
        color_depth=None if colour else ColorDepth.MONOCHROME,
        include_default_pygments_style=colour,
        **io,
    )


def _enter_bindings() -> KeyBindings:
    """Enter runs a complete cell and opens a new, indented line otherwise."""
    bindings = KeyBindings()

    @bindings.add("enter", filter=~is_searching)
    def _(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state is not None:
            chosen = buffer.complete_state.current_completion is not None
            buffer.complete_state = None  # keep what the menu inserted, close the menu
            if chosen:
                return  # Enter picks the completion; the next Enter runs the cell
        document = buffer.document
        # Mid-cell, Enter splits the line; on a one-line cell (e.g. a Ctrl-R match, where the
        # cursor sits on the match) it runs it, like the Python REPL.
        if document.is_cursor_at_the_end or "\n" not in buffer.text:
            if not document.current_line.strip() and "\n" in buffer.text:
                # Enter on an empty (auto-indented) line ends the block, like the Python REPL.
                buffer.delete_before_cursor(len(document.current_line))
            if cell_complete(buffer.text):
                buffer.text = buffer.text.rstrip()  # one clean history entry per cell
                buffer.validate_and_handle()
                return
        current = buffer.document.current_line_before_cursor
        indent = current[: len(current) - len(current.lstrip())]
        if current.rstrip().endswith(":"):
            indent += "    "
        buffer.insert_text("\n" + indent)

    @bindings.add("escape", "enter")
    def _(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")  # Alt-Enter: a newline, even in a complete cell

    return bindings
