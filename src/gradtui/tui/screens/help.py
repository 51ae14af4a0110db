"""The help screen (F1, ``?``): every key and every colon command."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gradtui.tui.keys import COLON_COMMANDS, KEYS


def help_table(extra_keys: list[tuple[str, str, str]] | None = None) -> Table:
    """All keys (plus a lesson's) and commands as one table."""
    table = Table(title="gradtui workspace keys", expand=True, show_edge=False)
    table.add_column("key", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("what")
    for row in [*KEYS, *(extra_keys or [])]:
        table.add_row(*row)
    table.add_section()
    for command, what in COLON_COMMANDS:
        table.add_row(command, "input", what)
    return table


class HelpScreen(ModalScreen[None]):
    """Modal list of keys; Escape, q or F1 closes it."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close help")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100%; max-width: 110; height: 100%; max-height: 40;
                                  border: round $accent; background: $surface; }
    """

    def __init__(self, extra_keys: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__()
        self.extra_keys = extra_keys

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_table(self.extra_keys), id="help-table")
            yield Static("Escape closes this help.", id="help-footer")

    def action_close(self) -> None:
        self.dismiss(None)
