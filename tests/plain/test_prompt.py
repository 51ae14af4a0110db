"""The prompt-toolkit session: where history lives, and what happens when it cannot."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.history import FileHistory, InMemoryHistory

from gradtui.plain.prompt import CONTINUATION, continuation_prefix, shared_history


def test_history_lives_in_the_state_dir_shared_with_the_workspace(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRADTUI_STATE_DIR", str(tmp_path / "new" / "state"))
    history = shared_history()
    assert isinstance(history, FileHistory)
    assert Path(history.filename) == tmp_path / "new" / "state" / "history"
    assert (tmp_path / "new" / "state").is_dir()


def test_an_unusable_state_dir_falls_back_to_memory(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GRADTUI_STATE_DIR", str(blocker / "state"))
    assert isinstance(shared_history(), InMemoryHistory)


def test_continuation_marks_new_lines_of_a_cell_but_not_a_wrapped_long_line() -> None:
    assert continuation_prefix(4, 1, 0) == CONTINUATION
    # the second screen row of one long statement is not a new line of the cell
    assert continuation_prefix(4, 0, 1) == ""
    assert continuation_prefix(4, 2, 3) == ""
