"""The help screen (F1, ``?``): every key and every colon command."""

from __future__ import annotations

from rich import box
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gradtui.tui.keys import COLON_COMMANDS, KEYS


def help_table(extra_keys: list[tuple[str, str, str]] | None = None, *,
               ascii_only: bool = False) -> Table:
    """All keys (plus a lesson's) and commands as one table."""
    table = Table(title="gradtui workspace keys", expand=True, show_edge=False,
                  box=box.ASCII if ascii_only else box.HEAVY_HEAD)
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
    HelpScreen.-ascii > VerticalScroll { border: ascii $accent; }
    """

    def __init__(self, extra_keys: list[tuple[str, str, str]] | None = None, *,
                 ascii_only: bool = False) -> None:
        super().__init__()
        self.extra_keys = extra_keys
        self.ascii_only = ascii_only

    def on_mount(self) -> None:
        self.set_class(self.ascii_only, "-ascii")

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_table(self.extra_keys, ascii_only=self.ascii_only),
                         id="help-table")
            yield Static("Escape closes this help.", id="help-footer")

    def action_close(self) -> None:
        self.dismiss(None)
