from __future__ import annotations

from gradtui.tui.glyphs import ASCII, DOWN, RIGHT, UNICODE, UP, wants_ascii


def test_linux_console_and_non_utf8_locales_get_ascii():
    assert wants_ascii({"TERM": "linux", "LANG": "en_US.UTF-8"})
    assert wants_ascii({"TERM": "xterm-256color", "LANG": "en_US.ISO-8859-1"})
    assert wants_ascii({"TERM": "xterm-256color", "LC_ALL": "C", "LANG": "en_US.UTF-8"})


def test_utf8_terminals_keep_box_drawing_unless_forced():
    env = {"TERM": "xterm-256color", "LANG": "en_US.UTF-8"}
    assert not wants_ascii(env)
    assert not wants_ascii({"TERM": "xterm", "LC_ALL": "C.UTF-8"})
    assert wants_ascii(env, forced=True)


def test_every_glyph_of_the_ascii_set_is_ascii():
    chars = [*ASCII.lines.values(), ASCII.arrow_down, *ASCII.box, *ASCII.output_box,
             ASCII.tree_branch, ASCII.tree_last, ASCII.tree_pipe, ASCII.changed, *ASCII.current]
    assert "".join(chars).isascii()


def test_line_glyphs_follow_direction_bits():
    assert UNICODE.line(UP | DOWN) == "│"
    assert UNICODE.line(DOWN | RIGHT) == "┌"
    assert ASCII.line(UP | DOWN | RIGHT) == "+"
