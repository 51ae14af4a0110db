from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from gradtui.tui.widgets.table_sync import sync_rows

COLUMNS = ("name", "value")


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


def _texts(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_same_keys_update_only_changed_cells_and_markup_stays_text():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        rows = sync_rows(table, COLUMNS, [("a", ("a", "[1., 2.]")), ("b", ("b", "x"))], None)
        table.move_cursor(row=1)
        rows = sync_rows(table, COLUMNS, [("a", ("a", "[bold]3[/bold]")), ("b", ("b", "x"))],
                         rows)
        await pilot.pause()
        assert _texts(table) == [["a", "[bold]3[/bold]"], ["b", "x"]]
        assert table.cursor_row == 1  # not rebuilt: the cursor stayed


async def test_new_keys_rebuild_the_table():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        rows = sync_rows(table, COLUMNS, [("a", ("a", "1"))], None)
        sync_rows(table, COLUMNS, [("a", ("a", "1")), ("c", ("c", "2"))], rows)
        await pilot.pause()
        assert _texts(table) == [["a", "1"], ["c", "2"]]


async def test_a_repeated_key_does_not_crash_the_table():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        sync_rows(table, COLUMNS, [("a", ("a", "1")), ("a", ("a", "2"))], None)
        await pilot.pause()
        assert _texts(table) == [["a", "1"], ["a", "2"]]
