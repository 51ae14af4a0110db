"""Update a DataTable to new rows with as little work as possible.

Rebuilding a 200-row table for every cell costs tens of milliseconds (every cell is measured
again); after most cells only a few rows changed. ``sync_rows`` updates just the changed cells
when the row keys are the same as before, and rebuilds (columns too, so widths fit again) only
when rows were added, removed or reordered. Cells are plain ``Text``: values such as
``[1., 2.]`` must never be read as Rich markup.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from gradtui.tui.glyphs import cut

Row = tuple[str, tuple[str, ...]]  # (row key, cell texts)


def sync_rows(table: DataTable, columns: tuple[str, ...], rows: list[Row],
              previous: list[Row] | None) -> list[Row]:
    """Make ``table`` show ``rows``; ``previous`` is what the last call returned (or None)."""
    rows = _unique_keys(rows)
    if previous is not None and [k for k, _ in previous] == [k for k, _ in rows]:
        for (key, cells), (_, old_cells) in zip(rows, previous, strict=True):
            for index, (cell, old) in enumerate(zip(cells, old_cells, strict=True)):
                if cell != old:
                    table.update_cell(key, columns[index], Text(cell), update_width=True)
        return rows
    table.clear(columns=True)
    for name in columns:
        table.add_column(name, key=name)
    for key, cells in rows:
        table.add_row(*(Text(c) for c in cells), key=key)
    return rows


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
    return [max(cell_len(columns[i]), *(cell_len(cells[i]) for _, cells in rows))
            for i in range(len(columns))]


def without_column(columns: tuple[str, ...], rows: list[Row],
                   name: str) -> tuple[tuple[str, ...], list[Row]]:
    """The table without column ``name``."""
    index = columns.index(name)
    return (columns[:index] + columns[index + 1:],
            [(key, cells[:index] + cells[index + 1:]) for key, cells in rows])
