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


def test_learner_output_keeps_colours_and_shows_every_other_sequence() -> None:
    from gradtui.terminal import safe_terminal_text

    assert safe_terminal_text("plain\ttext\r\n") == "plain\ttext\r\n"
    assert safe_terminal_text("\x1b[1;31mred\x1b[0m \x1b[38;5;208m") == (
        "\x1b[1;31mred\x1b[0m \x1b[38;5;208m"
    )
    attacks = {
        "\x1b]0;pwned\x07": "^[]0;pwned^G",  # window title
        "\x1b]52;c;cm0gLXJmIH4=\x07": "^[]52;c;cm0gLXJmIH4=^G",  # clipboard write
        "\x1b[2J\x1b[H": "^[[2J^[[H",  # clear the screen, cursor home
        "\x1b[?1049h": "^[[?1049h",  # alternate screen
        "\x1b[6n": "^[[6n",  # a query whose answer the terminal would type into the REPL
        "\x1bc": "^[c",  # full reset
        "\x1bP+q544e\x1b\\": "^[P+q544e^[\\",  # DCS
        "\x9b2J\x0e\x07\x7f": "\\x9b2J^N^G^?",  # 8-bit CSI, shift-out, bell, DEL
    }
    for attack, shown in attacks.items():
        assert safe_terminal_text(attack) == shown
        assert "\x1b" not in safe_terminal_text(attack)


def test_a_colour_split_between_two_pieces_of_output_still_works() -> None:
    from gradtui.terminal import SafeTerminalText

    safe = SafeTerminalText()
    assert safe.feed("a\x1b[3") == "a"
    assert safe.feed("1mred") == "\x1b[31mred"
    assert safe.feed("b\x1b]0;") == "b^[]0;"  # not a colour: shown at once
    assert safe.feed("\x1b") == ""
    assert safe.flush() == "^["
    assert safe.feed("\x1b[" + "1;" * 40) == "^[[" + "1;" * 40  # too long to be held back
