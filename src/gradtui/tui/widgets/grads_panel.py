"""The Gradients panel: each leaf requiring grad, its ``.grad``, what the last backward changed."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import DataTable

from gradtui.kernel.protocol import Snapshot
from gradtui.tui.changes import GradRow, GradTracker
from gradtui.tui.glyphs import UNICODE, Glyphs
from gradtui.tui.widgets.table_sync import Row, fit_columns, sync_rows

COLUMNS = ("", "leaf", "shape", ".grad", "before last backward", "value")


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
        self._rows: list[Row] | None = None

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
        if not self.grad_rows:
            self._rows = sync_rows(self, COLUMNS, [("", ("", "(none)", "", "", "", ""))], None)
            self.border_subtitle = "no leaf requires grad yet"
            return
        self.border_subtitle = ""
        rows: list[Row] = [
            (row.name, (
                self.glyphs.changed if row.changed else "", row.name,
                "[" + ", ".join(map(str, row.shape)) + "]", _one_line(row.grad),
                _one_line(row.before) if row.changed else "", _one_line(row.value),
            ))
            for row in self.grad_rows
        ]
        width = self.scrollable_content_region.width
        # The value gives up room first: the gradients are what this panel is for.
        rows = fit_columns(COLUMNS, rows, width, self.glyphs.ellipsis, cuttable=(3, 4, 5),
                           cut_first=(5,))
        self._rows = sync_rows(self, COLUMNS, rows, self._rows)

    def on_resize(self) -> None:
        if self.grad_rows:
            self._fill()

    def rows_text(self) -> list[list[str]]:
        """Every row as strings."""
        return [[str(cell) for cell in self.get_row_at(i)] for i in range(self.row_count)]
