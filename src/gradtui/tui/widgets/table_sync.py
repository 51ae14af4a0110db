"""Update a DataTable to new rows with as little work as possible.

Rebuilding a 200-row table for every cell costs tens of milliseconds (every cell is measured
again); after most cells only a few rows changed. ``sync_rows`` updates just the changed cells
when the row keys and the column widths are the same as before, and rebuilds (columns too) when
rows were added, removed or reordered or a column must get wider or narrower.

Columns get their width from here, not from DataTable's measuring: DataTable measures an
updated or added cell later, when the table is idle, and a row drawn in between stayed cached
at the old width (a new ``[10., 10.]`` showed as ``[10.,`` until the next change).
Cells are plain ``Text``: values such as ``[1., 2.]`` must never be read as Rich markup."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from gradtui.tui.glyphs import cut

Row = tuple[str, tuple[str, ...]]  # (row key, cell texts)


def sync_rows(table: DataTable, columns: tuple[str, ...], rows: list[Row],
              previous: list[Row] | None) -> list[Row]:
    """Make ``table`` show ``rows``; ``previous`` is what the last call returned (or None)."""
    rows = _unique_keys(rows)
    widths = _natural_widths(columns, rows)
    if previous is not None and [k for k, _ in previous] == [k for k, _ in rows] and \
            _natural_widths(columns, previous) == widths:
        for (key, cells), (_, old_cells) in zip(rows, previous, strict=True):
            for index, (cell, old) in enumerate(zip(cells, old_cells, strict=True)):
                if cell != old:
                    table.update_cell(key, columns[index], Text(cell))
        return rows
    cursor = _cursor_key(table)
    table.clear(columns=True)
    for name, width in zip(columns, widths, strict=True):
        table.add_column(name, key=name, width=width)
    for key, cells in rows:
        table.add_row(*(Text(c) for c in cells), key=key)
    keys = [key for key, _ in rows]
    if cursor in keys:  # a rebuild keeps the cursor on its row (the learner may be on it)
        table.move_cursor(row=keys.index(cursor))
    return rows


def _cursor_key(table: DataTable) -> str | None:
    """The key of the row the cursor is on, if any."""
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except CellDoesNotExist:
        return None


def _unique_keys(rows: list[Row]) -> list[Row]:
    """DataTable refuses duplicate row keys; a repeated name (which a kernel should never send)
    gets a ``#2`` suffix instead of crashing the panel."""
    seen: dict[str, int] = {}
    unique: list[Row] = []
    for key, cells in rows:
        seen[key] = seen.get(key, 0) + 1
        unique.append((key if seen[key] == 1 else f"{key}#{seen[key]}", cells))
    return unique


def fit_columns(columns: tuple[str, ...], rows: list[Row], width: int, ellipsis: str,
                cuttable: tuple[int, ...], *, cut_first: tuple[int, ...] = (),
                minimum: int = 6) -> list[Row]:
    """``rows`` with the texts of the ``cuttable`` columns (values, gradients) cut, ending in
    ``ellipsis``, so the table fits in ``width`` cells: a DataTable would crop the last ones
    silently at the panel's edge. The ``cut_first`` columns (also cuttable) give up room
    first; then the widest cuttable ones do, each down to its floor: its header, and at least
    ``minimum`` cells (past that the table scrolls sideways). Each column takes its widest
    text plus one cell of padding on each side, as DataTable draws it."""
    if not rows or width <= 0:
        return rows
    natural = _natural_widths(columns, rows)
    floor = {i: min(natural[i], max(minimum, cell_len(columns[i]))) for i in cuttable}
    room = width - sum(natural[i] + 2 for i in range(len(columns)) if i not in cuttable) \
        - 2 * len(cuttable)
    widths = {i: natural[i] for i in cuttable}
    later = [i for i in cuttable if i not in cut_first]
    for group in (cut_first, later):
        excess = sum(widths.values()) - room
        if excess <= 0:
            break
        widths.update(_share_cut(group, widths, floor, excess))
    if all(widths[i] == natural[i] for i in cuttable):
        return rows
    return [(key, tuple(cut(text, widths[i], ellipsis) if i in widths else text
                        for i, text in enumerate(cells)))
            for key, cells in rows]


def _share_cut(group: tuple[int, ...] | list[int], widths: dict[int, int],
               floor: dict[int, int], excess: int) -> dict[int, int]:
    """New widths for the ``group`` columns, ``excess`` cells narrower in all if their floors
    allow: the widest are cut to a common cap (the largest cap that frees enough)."""
    if not group:
        return {}
    freeable = sum(widths[i] - floor[i] for i in group)
    target = sum(widths[i] for i in group) - min(excess, freeable)
    for cap in range(max(widths[i] for i in group), -1, -1):
        capped = {i: max(floor[i], min(widths[i], cap)) for i in group}
        if sum(capped.values()) <= target:
            return capped
    return {i: floor[i] for i in group}


def narrowest(columns: tuple[str, ...], rows: list[Row], cuttable: tuple[int, ...],
              minimum: int = 6) -> int:
    """The fewest cells ``fit_columns`` can fit these rows in (cuttable columns at their
    floor), padding included."""
    natural = _natural_widths(columns, rows)
    return sum((min(natural[i], max(minimum, cell_len(columns[i]))) if i in cuttable
                else natural[i]) + 2 for i in range(len(columns)))


def _natural_widths(columns: tuple[str, ...], rows: list[Row]) -> list[int]:
    """Each column's widest text, its header included."""
    return [max([cell_len(columns[i]), *(cell_len(cells[i]) for _, cells in rows)])
            for i in range(len(columns))]


def without_column(columns: tuple[str, ...], rows: list[Row],
                   name: str) -> tuple[tuple[str, ...], list[Row]]:
    """The table without column ``name``."""
    index = columns.index(name)
    return (columns[:index] + columns[index + 1:],
            [(key, cells[:index] + cells[index + 1:]) for key, cells in rows])
