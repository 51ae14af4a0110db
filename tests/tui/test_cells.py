from __future__ import annotations

from gradtui.tui.cells import is_complete, parse_colon_command


def test_simple_statements_are_complete():
    assert is_complete("x = 1")
    assert is_complete("x = 1\ny = x + 1")


def test_open_statements_and_brackets_are_not():
    assert not is_complete("def f():")
    assert not is_complete("x = (1,")
    assert not is_complete("")


def test_an_indented_last_line_waits_for_an_empty_line():
    assert not is_complete("def f():\n    return 1")
    assert is_complete("def f():\n    return 1\n")


def test_syntax_errors_and_commands_submit():
    assert is_complete("x = = 1")
    assert is_complete(":step o")


def test_colon_commands_parse_name_and_args():
    command = parse_colon_command(":dot o 'my graph.dot'")
    assert command.name == "dot" and command.args == ["o", "my graph.dot"]
    assert command.arg == "o my graph.dot"
    assert parse_colon_command("x = 1") is None
    assert parse_colon_command(":") is None
    assert parse_colon_command(":x\ny") is None
