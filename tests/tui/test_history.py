from __future__ import annotations

from prompt_toolkit.history import FileHistory

from gradtui.tui.history import HistoryCursor, append_history, load_history


def test_cells_written_here_are_read_by_prompt_toolkit_and_back(tmp_path):
    path = tmp_path / "deep" / "history"
    append_history(path, "x = 1\ny = 2")
    FileHistory(str(path)).store_string("z = 3")
    append_history(path, "+weird line")
    assert load_history(path) == ["x = 1\ny = 2", "z = 3", "+weird line"]
    assert list(FileHistory(str(path)).load_history_strings()) == [
        "+weird line", "z = 3", "x = 1\ny = 2"]


def test_a_missing_history_file_is_an_empty_history(tmp_path):
    assert load_history(tmp_path / "nothing") == []


def test_cursor_walks_older_and_newer_keeping_the_draft():
    cursor = HistoryCursor(["a", "b"])
    assert cursor.older("draft") == "b"
    assert cursor.older("b") == "a"
    assert cursor.older("a") is None
    assert cursor.newer() == "b"
    assert cursor.newer() == "draft"
    assert cursor.newer() is None


def test_cursor_skips_consecutive_duplicates_and_blank_cells():
    cursor = HistoryCursor([])
    cursor.add("x")
    cursor.add("x")
    cursor.add("  ")
    assert cursor.entries == ["x"]
