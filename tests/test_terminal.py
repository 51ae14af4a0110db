"""Which terminals get ASCII drawing, decided once for every front end."""

from __future__ import annotations

import io

import pytest

from gradtui.plain.console import ascii_wanted
from gradtui.terminal import term_lacks_glyphs
from gradtui.tui.glyphs import wants_ascii


@pytest.mark.parametrize(
    ("term", "lacks"),
    [("linux", True), ("vt100", True), ("vt220-am", True), ("dumb", True),
     ("xterm-256color", False), ("xterm", False), ("screen-256color", False), ("", False)],
)
def test_console_and_serial_terminals_lack_glyphs(term: str, lacks: bool) -> None:
    assert term_lacks_glyphs(term) is lacks


@pytest.mark.parametrize("term", ["linux", "vt100", "xterm-256color"])
def test_the_workspace_and_the_plain_repl_agree(term: str) -> None:
    env = {"TERM": term, "LANG": "C.UTF-8"}
    utf8_stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert wants_ascii(env) is ascii_wanted(utf8_stream, env) is term_lacks_glyphs(term)
