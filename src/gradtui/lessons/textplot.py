"""A loss curve as plain text, for terminals where a picture beats a column of numbers.

Used by the plain REPL's lesson mode (and anywhere a chart widget is not available): a few rows
of dots, the largest and smallest value labelled on the left, one column per point (points are
averaged into columns when there are more of them than the width).
"""

from __future__ import annotations

import math


def text_plot(values: list[float], *, width: int = 60, height: int = 8, title: str = "",
              ascii_only: bool = False) -> str:
    """Rows of a line chart of ``values`` (first to last, left to right)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return f"{title}: nothing to plot yet" if title else "nothing to plot yet"
    columns = _squeeze(values, width)
    low, high = min(finite), max(finite)
    span = high - low or 1.0
    mark = "*" if ascii_only else "•"
    grid = [[" "] * len(columns) for _ in range(height)]
    for x, value in enumerate(columns):
        if not math.isfinite(value):
            continue
        row = round((high - value) / span * (height - 1))
        grid[row][x] = mark
    labels = [f"{high:.4g}", f"{low:.4g}"]
    pad = max(len(label) for label in labels)
    bar = "|" if ascii_only else "│"
    lines = [title] if title else []
    for index, cells in enumerate(grid):
        label = labels[0] if index == 0 else labels[1] if index == height - 1 else ""
        lines.append(f"{label:>{pad}} {bar}{''.join(cells)}".rstrip())
    corner = "+" if ascii_only else "└"
    dash = "-" if ascii_only else "─"
    lines.append(f"{'':>{pad}} {corner}{dash * len(columns)}")
    lines.append(f"{'':>{pad}}  {_x_axis(len(values), len(columns))}")
    return "\n".join(lines)


def _x_axis(count: int, columns: int) -> str:
    """``step 1`` under the first column, the last step's number under the last one."""
    first, last = "step 1", str(count)
    if count == 1:
        return first
    # At least one space: with few points, "step 1" and "4" ran together as "step 14".
    return first + " " * max(1, columns - len(first) - len(last)) + last


def _squeeze(values: list[float], width: int) -> list[float]:
    if len(values) <= width:
        return list(values)
    size = len(values) / width
    columns = []
    for i in range(width):
        chunk = values[int(i * size): max(int((i + 1) * size), int(i * size) + 1)]
        columns.append(sum(chunk) / len(chunk))
    return columns
