"""Cell history, shared with ``gradtui repl`` through prompt-toolkit's ``FileHistory`` format.

The file is a sequence of entries, each a comment line with a timestamp followed by the cell's
lines, every one prefixed with ``+``::

    # 2026-11-25 21:00:00.000000
    +x = torch.ones(2, requires_grad=True)
    +y = x * 2

This is exactly what ``prompt_toolkit.history.FileHistory`` reads and writes, so a cell typed
in either front end comes back in the other. Reading tolerates a missing or unreadable file (no
history is not an error); a cell is appended to the file as soon as it is submitted.

Read and written here rather than through ``FileHistory`` itself: importing prompt_toolkit
adds about 130 ms to the workspace's start-up (tests check both stay compatible).
"""

from __future__ import annotations

import datetime
from pathlib import Path


def load_history(path: Path) -> list[str]:
    """The cells stored in ``path``, oldest first; ``[]`` when the file does not exist."""
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    cells: list[str] = []
    lines: list[str] = []
    for line in raw.decode("utf-8", errors="replace").splitlines(keepends=True):
        if line.startswith("+"):
            lines.append(line[1:])
        else:
            if lines:
                cells.append("".join(lines)[:-1])
            lines = []
    if lines:
        cells.append("".join(lines)[:-1])
    return cells


def append_history(path: Path, cell: str) -> None:
    """Append one cell to ``path`` (created with its directory if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = [f"\n# {datetime.datetime.now()}\n"]
    entry.extend(f"+{line}\n" for line in cell.split("\n"))
    with path.open("ab") as f:
        f.write("".join(entry).encode("utf-8"))


class HistoryCursor:
    """Walks the history with Up/Down like a shell, keeping the draft being typed."""

    def __init__(self, entries: list[str]) -> None:
        self.entries = entries
        self._index = len(entries)  # == len(entries): on the draft, past the newest entry
        self._draft = ""

    def add(self, cell: str) -> None:
        """Record a submitted cell (consecutive duplicates kept once) and reset the walk."""
        if cell.strip() and (not self.entries or self.entries[-1] != cell):
            self.entries.append(cell)
        self.reset()

    def reset(self) -> None:
        self._index = len(self.entries)
        self._draft = ""

    def older(self, current: str) -> str | None:
        """The previous entry, or None when already at the oldest one."""
        if self._index == 0:
            return None
        if self._index == len(self.entries):
            self._draft = current
        self._index -= 1
        return self.entries[self._index]

    def newer(self) -> str | None:
        """The next entry (the draft after the newest), or None when already on the draft."""
        if self._index >= len(self.entries):
            return None
        self._index += 1
        if self._index == len(self.entries):
            return self._draft
        return self.entries[self._index]
