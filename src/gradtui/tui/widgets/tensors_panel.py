"""The Tensors panel: every tensor in the namespace, changed rows marked, a row selects one."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import DataTable

from gradtui.kernel.protocol import Snapshot
from gradtui.tui.changes import changed_tensors
from gradtui.tui.glyphs import UNICODE, Glyphs, cut
from gradtui.tui.messages import TensorSelected
from gradtui.tui.widgets.table_sync import (
    Row,
    fit_columns,
    narrowest,
    sync_rows,
    without_column,
)

# The value preview is last: it is the widest and the one a narrow terminal can cut.
COLUMNS = ("", "name", "shape", "dtype", "req_grad", "grad_fn", "grad", "value")
PREVIEW_WIDTH = 40
GRAD_WIDTH = 20


def _short(text: str | None, width: int, ellipsis: str) -> str:
    if text is None:
        return "None"
    return cut(" ".join(text.split()), width, ellipsis)


class TensorsPanel(DataTable):
    """A table of ``TensorInfo`` rows; the owner sets ``snapshot``."""

    BORDER_TITLE = "Tensors"

    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True)
    """The latest snapshot; rows are rebuilt when it changes."""

    def __init__(self, glyphs: Glyphs = UNICODE, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.glyphs = glyphs
        self.changed: set[str] = set()
        self._previous: Snapshot | None = None
        self._rows: list[Row] | None = None
        self._full_rows: list[Row] = []  # before the value column is cut to the panel's width
        self._columns: tuple[str, ...] = COLUMNS  # the columns shown (dtype goes when narrow)

    def on_mount(self) -> None:
        self.show_empty()

    def show_empty(self) -> None:
        self._full_rows = []
        self._columns = COLUMNS
        self._rows = sync_rows(self, COLUMNS, [("", ("", "(none)", "", "", "", "", "", ""))],
                               None)
        self.border_subtitle = "no tensors yet"

    def on_resize(self) -> None:
        if self._full_rows:
            self._show_rows()

    def _show_rows(self) -> None:
        """The rows, values cut (with an ellipsis) to what the panel's width leaves them; in a
        panel too narrow even so (a lesson's side at 120 columns) the dtype column goes."""
        width = self.scrollable_content_region.width
        columns, rows = COLUMNS, self._full_rows
        cuttable = (columns.index("grad"), columns.index("value"))
        if width and narrowest(columns, rows, cuttable) > width:
            columns, rows = without_column(columns, rows, "dtype")
            cuttable = (columns.index("grad"), columns.index("value"))
        fitted = fit_columns(columns, rows, width, self.glyphs.ellipsis, cuttable=cuttable)
        if columns != self._columns:
            self._rows, self._columns = None, columns  # other columns: build the table anew
        self._rows = sync_rows(self, columns, fitted, self._rows)

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None or not snapshot.listed():
            self._previous = snapshot
            self.changed = set()
            self.show_empty()
            return
        selected = self._selected_name()  # before _previous moves on: it tells a placeholder
        self.changed = changed_tensors(self._previous, snapshot)
        self._previous = snapshot
        rows: list[Row] = []
        ellipsis = self.glyphs.ellipsis
        for t in snapshot.listed():  # the REPL's `_` is no row (unless the learner named it)
            rows.append((t.name, (
                self.glyphs.changed if t.name in self.changed else "", t.name,
                "[" + ", ".join(map(str, t.shape)) + "]", t.dtype.removeprefix("torch."),
                "yes" if t.requires_grad else "no", t.grad_fn or ("leaf" if t.is_leaf else ""),
                _short(t.grad_preview, GRAD_WIDTH, ellipsis),
                _short(t.value_preview, PREVIEW_WIDTH, ellipsis),
            )))
        self._full_rows = rows
        self._show_rows()
        self.border_subtitle = "; ".join(snapshot.truncated)
        if self.has_focus and selected is not None and snapshot.tensor(selected) is not None:
            self.move_cursor(row=self.get_row_index(selected))  # the learner is navigating
        elif self.changed:
            # Bring the newest change into view (a new tensor lands at the bottom).
            last = max(self.get_row_index(name) for name in self.changed)
            self.move_cursor(row=last)

    def _selected_name(self) -> str | None:
        if self.row_count == 0 or self._previous is None:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # an empty or placeholder table has no valid cursor cell
            return None
        return key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(TensorSelected(event.row_key.value))

    def rows_text(self) -> list[list[str]]:
        """Every row as strings (tests and the plain views check what the learner sees)."""
        return [[str(cell) for cell in self.get_row_at(i)] for i in range(self.row_count)]
