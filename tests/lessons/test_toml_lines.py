from __future__ import annotations

from gradtui.lessons.toml_lines import TomlLines

SOURCE = '''id = "x"
[settings]
allow_skip = true

[[steps]]
prose = """
[[steps]]
not a header: inside a string
"""
solution = 'a'

[[steps.checks]]
kind = "tensor"

[[steps]]
[[steps.checks]]
kind = "grad"
'''


def test_keys_and_tables_resolve_through_arrays_of_tables() -> None:
    lines = TomlLines(SOURCE)
    assert lines.line_of(("id",)) == 1
    assert lines.line_of(("settings", "allow_skip")) == 3
    assert lines.line_of(("steps", 0, "solution")) == 10
    assert lines.line_of(("steps", 0, "checks", 0, "kind")) == 13
    assert lines.line_of(("steps", 1)) == 15
    assert lines.line_of(("steps", 1, "checks", 0, "kind")) == 17


def test_missing_key_falls_back_to_its_table_then_line_one() -> None:
    lines = TomlLines(SOURCE)
    assert lines.line_of(("steps", 1, "checks", 0, "name")) == 16
    assert lines.line_of(("steps", 1, "prose")) == 15
    assert lines.line_of(("summary",)) == 1
