"""Find the source line of a key or table in a TOML file.

``tomllib`` reports line numbers only for syntax errors; for schema errors (a missing field, an
unknown check kind) we locate the offending key ourselves by scanning the text with the same
table bookkeeping TOML uses: ``[table]`` headers and ``[[array.of.tables]]`` counters.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"']+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_\-]+))\s*=""")


class TomlLines:
    """Line lookup for one TOML source text."""

    def __init__(self, source: str) -> None:
        self._tables: dict[KeyPath, int] = {}
        self._keys: dict[KeyPath, int] = {}
        self._scan(source.splitlines())

    def _scan(self, lines: list[str]) -> None:
        counters: dict[KeyPath, int] = {}
        current: KeyPath = ()
        in_string: str | None = None  # the delimiter of an open multi-line string
        for number, text in enumerate(lines, start=1):
            if in_string is not None:
                if text.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = _HEADER.match(text)
            if header:
                names = [n.strip().strip("\"'") for n in header.group(2).split(".")]
                current = self._resolve(names, counters, array=header.group(1) == "[[")
                self._tables.setdefault(current, number)
                continue
            key = _KEY.match(text)
            if key:
                name = key.group(1) or key.group(2) or key.group(3)
                self._keys.setdefault((*current, name), number)
            for delimiter in ('"""', "'''"):
                if text.count(delimiter) % 2 == 1:
                    in_string = delimiter
                    break

    def _resolve(self, names: list[str], counters: dict[KeyPath, int], *, array: bool) -> KeyPath:
        # Each name of a header refers to the latest element of any array of tables on the way,
        # so `[[steps.checks]]` belongs to the most recent `[[steps]]`.
        path: KeyPath = ()
        for i, name in enumerate(names):
            path = (*path, name)
            last = i == len(names) - 1
            if last and array:
                index = counters.get(path, -1) + 1
                counters[path] = index
                for stale in [k for k in counters if len(k) > len(path) and k[: len(path)] == path]:
                    del counters[stale]  # a new element starts its own nested arrays afresh
                path = (*path, index)
            elif path in counters:
                path = (*path, counters[path])
        return path

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path`` (a key or table), else of its nearest enclosing table, else 1."""
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            if prefix in self._keys:
                return self._keys[prefix]
            if prefix in self._tables:
                return self._tables[prefix]
        return 1
