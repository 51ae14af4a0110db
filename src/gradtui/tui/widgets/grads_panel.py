"""The Gradients panel: each leaf requiring grad, its ``.grad``, what the last backward changed."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import DataTable

from gradtui.kernel.protocol import Snapshot
from gradtui.tui.changes import GradRow, GradTracker
from gradtui.tui.glyphs import UNICODE, Glyphs

COLUMNS = ("", "leaf", "shape", ".grad", "before last backward")


def _one_line(text: str | None) -> str:
    return "None" if text is None else " ".join(text.split())


class GradsPanel(DataTable):
    """Rows from a ``GradTracker``; the owner sets ``snapshot`` (``None`` after a restart)."""

    BORDER_TITLE = "Gradients"

    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True)
    """The latest snapshot."""

    def __init__(self, glyphs: Glyphs = UNICODE, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self.glyphs = glyphs
        self.tracker = GradTracker()
        self.grad_rows: list[GradRow] = []

    def on_mount(self) -> None:
        self._fill()

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            self.tracker.reset()
            self.grad_rows = []
        else:
            self.grad_rows = self.tracker.update(snapshot)
        self._fill()

    def _fill(self) -> None:
        self.clear(columns=True)
        self.add_columns(*COLUMNS)
        if not self.grad_rows:
            self.add_row("", "(none)", "", "", "")
            self.border_subtitle = "no leaf requires grad yet"
            return
        self.border_subtitle = ""
        for row in self.grad_rows:
            mark = self.glyphs.changed if row.changed else ""
            before = _one_line(row.before) if row.changed else ""
            self.add_row(
                mark, row.name, "[" + ", ".join(map(str, row.shape)) + "]",
                _one_line(row.grad), before, key=row.name,
            )

    def rows_text(self) -> list[list[str]]:
        """Every row as strings."""
        return [[str(cell) for cell in self.get_row_at(i)] for i in range(self.row_count)]
