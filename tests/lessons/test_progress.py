from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gradtui.lessons.progress import LessonProgress, ProgressStore


def test_round_trip_keeps_other_lessons(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "data")
    store.save(LessonProgress("a", "A", steps_total=3, steps_done=1, current_step=1))
    store.save(LessonProgress("b", "B", steps_total=2, hints_used=4))
    loaded = store.load()
    assert sorted(loaded) == ["a", "b"]
    assert (loaded["a"].current_step, loaded["b"].hints_used) == (1, 4)
    assert loaded["a"].last_active.endswith("+00:00")
    assert json.loads((tmp_path / "data" / "progress.json").read_text())["version"] == 1


def test_missing_file_is_empty_progress(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.load() == {} and store.problem is None


def test_corrupt_file_is_reported_and_set_aside(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text('{"lessons": {"a": ', encoding="utf-8")
    store = ProgressStore(tmp_path)
    assert store.load() == {}
    aside = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == '{"lessons": {"a": '
    assert store.problem is not None and "unreadable" in store.problem and str(aside[0]) in \
        store.problem
    store.save(LessonProgress("a", "A", steps_total=1))  # and saving works again
    assert ProgressStore(tmp_path).load()["a"].steps_total == 1


def test_a_read_only_store_reports_a_corrupt_file_and_leaves_it_in_place(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("not json", encoding="utf-8")
    store = ProgressStore(tmp_path, read_only=True)
    assert store.load() == {}
    assert store.problem is not None and "unreadable" in store.problem
    assert (tmp_path / "progress.json").read_text() == "not json"
    assert not list(tmp_path.glob("progress.json.corrupt-*"))
    with pytest.raises(PermissionError):
        store.save(LessonProgress("a", "A", steps_total=1))


def test_wrong_shapes_of_valid_json_count_as_corrupt(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text(
        '{"lessons": {"a": {"lesson_id": "a", "title": "A", "steps_total": -1}}}')
    store = ProgressStore(tmp_path)
    assert store.load() == {} and store.problem is not None


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from gradtui.lessons.progress import LessonProgress, ProgressStore
    store = ProgressStore(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        store.save(LessonProgress("a", "A" * 5000, steps_total=10**6, steps_done=n))
        if n == 5:
            print("writing", flush=True)
""")


def test_progress_survives_sigkill_in_the_middle_of_writes(tmp_path: Path) -> None:
    for _ in range(3):  # several kills at arbitrary moments of the write loop
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        store = ProgressStore(tmp_path)
        progress = store.load()
        assert store.problem is None, store.problem
        assert progress["a"].steps_done >= 5 and progress["a"].title == "A" * 5000
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "progress.json"]
    assert all(name.endswith(".tmp") for name in leftovers)  # only abandoned temp files


def test_temp_files_left_by_a_killed_writer_are_cleaned_up_later(tmp_path: Path) -> None:
    stale = tmp_path / ".progress.json.abc123.tmp"
    fresh = tmp_path / ".progress.json.def456.tmp"
    stale.write_text("half")
    fresh.write_text("being written right now")
    os.utime(stale, (0, 0))
    ProgressStore(tmp_path).save(LessonProgress("a", "A", steps_total=1))
    assert not stale.exists() and fresh.exists()
