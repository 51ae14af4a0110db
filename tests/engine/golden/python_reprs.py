"""Golden outputs as the running Python prints them.

The fixtures are recorded with real torch on the Python its wheel exists for here (3.11). Part
of what torch prints is Python's own doing: ``module.state_dict()`` is a
``collections.OrderedDict``, and since Python 3.12 an OrderedDict prints as
``OrderedDict({'weight': tensor(...)})`` where 3.11 printed
``OrderedDict([('weight', tensor(...))])``. Torch on 3.12 prints the new form, and so must gradtui.

``as_this_python_prints`` rebuilds each recorded ``OrderedDict([...])`` as a real OrderedDict whose
keys and values print as the recorded text, and lets the running interpreter print it: the
expectation follows whatever this Python does (on the recording Python it is the recording itself,
which ``test_golden.py`` checks), with no version table to keep up to date.
"""

from __future__ import annotations

import ast
import collections
import re

_ORDERED_DICT = re.compile(r"\bOrderedDict\(\[")


class _Printed:
    """An object whose repr is a piece of recorded text (hashable, so it can be a key)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Printed) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def as_this_python_prints(recorded: str) -> str:
    """``recorded`` (torch's stdout on the recording Python) as this Python would print it."""
    parts, position = [], 0
    for match in _ORDERED_DICT.finditer(recorded):
        if match.start() < position:
            continue  # inside one already rebuilt
        end = _closing_paren(recorded, match.end() - 1)
        if end is None:
            continue
        rebuilt = _reprinted(recorded[match.start():end + 1])
        if rebuilt is None:
            continue
        parts += [recorded[position:match.start()], rebuilt]
        position = end + 1
    return "".join(parts) + recorded[position:]


def _closing_paren(text: str, open_bracket: int) -> int | None:
    """Index of the ``)`` closing ``OrderedDict(`` whose ``[`` is at ``open_bracket``."""
    depth, quote, i = 1, None, open_bracket  # depth 1: the "(" before the "["
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _reprinted(text: str) -> str | None:
    """``OrderedDict([(k, v), ...])`` printed by this Python, or None if it is not one."""
    try:
        call = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords
            and isinstance(call.args[0], ast.List)):
        return None
    items = []
    for pair in call.args[0].elts:
        if not (isinstance(pair, ast.Tuple) and len(pair.elts) == 2):
            return None
        key, value = (ast.get_source_segment(text, node) for node in pair.elts)
        if key is None or value is None:
            return None
        items.append((_Printed(key), _Printed(value)))
    return repr(collections.OrderedDict(items))
