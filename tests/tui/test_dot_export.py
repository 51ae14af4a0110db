from __future__ import annotations

from gradtui.tui.dot_export import export_dot

from .graphs import diamond


def test_without_a_file_the_dot_text_is_returned():
    outcome = export_dot(diamond(), "out", None)
    assert outcome.ok and outcome.text.lstrip().startswith("digraph")
    assert "AddBackward0" in outcome.text


def test_with_a_file_the_dot_is_written_and_the_render_command_given(tmp_path):
    target = tmp_path / "g.dot"
    outcome = export_dot(diamond(), "out", str(target))
    assert outcome.ok and "dot -Tsvg" in outcome.text
    assert target.read_text().lstrip().startswith("digraph")


def test_bad_names_and_unwritable_files_are_clear_errors(tmp_path):
    assert not export_dot(diamond(), None, None).ok
    assert "no tensor named 'nope'" in export_dot(diamond(), "nope", None).text
    outcome = export_dot(diamond(), "out", str(tmp_path / "missing" / "g.dot"))
    assert not outcome.ok and "cannot write" in outcome.text
