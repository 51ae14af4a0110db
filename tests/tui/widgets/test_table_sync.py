from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from gradtui.tui.widgets.table_sync import fit_columns, narrowest, sync_rows, without_column

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
        rows = sync_rows(table, COLUMNS, [("a", ("a", "[1.5, 2.5, 3.]")), ("b", ("b", "x"))],
                         None)
        table.move_cursor(row=1)
        rows = sync_rows(table, COLUMNS, [("a", ("a", "[bold]3[/bold]")), ("b", ("b", "x"))],
                         rows)
        await pilot.pause()
        assert _texts(table) == [["a", "[bold]3[/bold]"], ["b", "x"]]
        assert table.cursor_row == 1  # not rebuilt: the cursor stayed


async def test_a_cell_that_changes_its_columns_width_is_drawn_whole_at_once():
    # DataTable measures an updated cell only when idle; a row drawn before that stayed
    # cached at the old width. sync_rows rebuilds instead: the first frame is right.
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        rows = sync_rows(table, COLUMNS, [("x", ("x", "None"))], None)
        await pilot.pause()
        sync_rows(table, COLUMNS, [("x", ("x", "[10., 10.]"))], rows)
        first_frame = [table.render_line(y).text for y in range(2)]
        assert "[10., 10.]" in first_frame[1]
        assert table.columns["value"].get_render_width(table) == len("[10., 10.]") + 2


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


def _drawn_width(columns, rows) -> int:
    """The cells a DataTable takes for these rows: widest text + 2 padding per column."""
    from rich.cells import cell_len

    return sum(max(cell_len(columns[i]), *(cell_len(c[i]) for _, c in rows)) + 2
               for i in range(len(columns)))


GRAD_COLUMNS = ("leaf", ".grad", "before last backward", "value")
GRAD_ROWS = [("x", ("x", "tensor([10., 10.])", "", "[[1., 1.], [1., 1.], [1., 1.]]"))]


def test_rows_that_fit_are_left_alone():
    assert fit_columns(GRAD_COLUMNS, GRAD_ROWS, 200, "…", (1, 2, 3)) == GRAD_ROWS


def test_the_widest_cuttable_column_gives_up_room_first_and_the_table_fits():
    width = _drawn_width(GRAD_COLUMNS, GRAD_ROWS) - 12
    fitted = fit_columns(GRAD_COLUMNS, GRAD_ROWS, width, "…", (1, 2, 3))
    assert _drawn_width(GRAD_COLUMNS, fitted) <= width
    _, (leaf, grad, before, value) = fitted[0]
    assert leaf == "x" and grad == "tensor([10., 10.])"  # narrower than the value: kept
    assert value.endswith("…") and len(value) == 30 - 12


def test_a_header_is_a_floor_the_cap_accounts_for():
    # "before last backward" cannot get narrower than its header: the others pay for it
    width = _drawn_width(GRAD_COLUMNS, GRAD_ROWS) - 20
    fitted = fit_columns(GRAD_COLUMNS, GRAD_ROWS, width, "…", (1, 2, 3))
    assert _drawn_width(GRAD_COLUMNS, fitted) <= width


def test_cut_first_columns_give_up_room_before_wider_ones():
    columns = ("name", "grad", "value")
    rows = [("a", ("a", "[1.2345, 2.3456, 3.4567]", "[1., 2.]" + " " * 12))]
    width = _drawn_width(columns, rows) - 10
    _, (_, grad, value) = fit_columns(columns, rows, width, "…", (1, 2), cut_first=(2,))[0]
    assert grad == "[1.2345, 2.3456, 3.4567]" and value.endswith("…")
    _, (_, grad, value) = fit_columns(columns, rows, width, "…", (1, 2))[0]
    assert grad.endswith("…")  # widest first without cut_first


def test_past_every_floor_the_columns_stay_at_their_floor():
    fitted = fit_columns(GRAD_COLUMNS, GRAD_ROWS, 10, "…", (1, 2, 3))
    _, (_, grad, before, value) = fitted[0]
    assert len(grad) == 6 and len(value) == 6  # the table scrolls sideways from here
    assert narrowest(GRAD_COLUMNS, GRAD_ROWS, (1, 2, 3)) == _drawn_width(GRAD_COLUMNS, fitted)


def test_without_column_drops_header_and_cells():
    columns, rows = without_column(GRAD_COLUMNS, GRAD_ROWS, "before last backward")
    assert columns == ("leaf", ".grad", "value")
    assert rows == [("x", ("x", "tensor([10., 10.])", "[[1., 1.], [1., 1.], [1., 1.]]"))]


async def test_a_rebuild_keeps_the_cursor_on_its_row():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        rows = sync_rows(table, COLUMNS, [("a", ("a", "1")), ("b", ("b", "2"))], None)
        table.move_cursor(row=1)
        sync_rows(table, COLUMNS, [("new", ("new", "0")), ("a", ("a", "1")),
                                   ("b", ("b", "a wider value"))], rows)
        await pilot.pause()
        assert table.cursor_row == 2  # still on b
