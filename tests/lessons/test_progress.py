from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gradtui.lessons.progress import LessonProgress, ProgressSaveError, ProgressStore


def test_round_trip_keeps_other_lessons(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "data")
    store.save(LessonProgress("a", "A", steps_total=3, steps_done=1, current_step=1))
    store.save(LessonProgress("b", "B", steps_total=2, hints_used=4))
    loaded = store.load()
    assert sorted(loaded) == ["a", "b"]
    assert (loaded["a"].current_step, loaded["b"].hints_used) == (1, 4)
    assert loaded["a"].last_active.endswith("+00:00")
    assert json.loads((tmp_path / "data" / "progress.json").read_text())["version"] == 2


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
    from gradtui.lessons.progress import LessonProgress, ProgressSaveError, ProgressStore
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
    leftovers = [p.name for p in tmp_path.iterdir()
                 if p.name not in ("progress.json", ".progress.json.lock")]
    assert all(name.endswith(".tmp") for name in leftovers)  # only abandoned temp files


def test_temp_files_left_by_a_killed_writer_are_cleaned_up_later(tmp_path: Path) -> None:
    stale = tmp_path / ".progress.json.abc123.tmp"
    fresh = tmp_path / ".progress.json.def456.tmp"
    stale.write_text("half")
    fresh.write_text("being written right now")
    os.utime(stale, (0, 0))
    ProgressStore(tmp_path).save(LessonProgress("a", "A", steps_total=1))
    assert not stale.exists() and fresh.exists()


def test_a_stale_store_saving_another_lesson_keeps_a_completion_it_never_saw(
    tmp_path: Path,
) -> None:
    # The race behind "a completed lesson's record lost in 3 of 20 trials", made deterministic:
    # both stores read the file before either writes.
    finisher, other = ProgressStore(tmp_path), ProgressStore(tmp_path)
    one = finisher.get("one") or LessonProgress("one", "One", steps_total=2)
    two = other.get("two") or LessonProgress("two", "Two", steps_total=3)
    one.current_step = one.steps_done = 2
    one.mark_completed()
    finisher.save(one)
    two.hints_used = 1
    other.save(two)
    loaded = ProgressStore(tmp_path).load()
    assert loaded["one"].completed and loaded["one"].first_completion is not None
    assert loaded["two"].hints_used == 1


def test_two_stores_on_the_same_lesson_add_up_their_counts_and_keep_the_furthest_step(
    tmp_path: Path,
) -> None:
    first, second = ProgressStore(tmp_path), ProgressStore(tmp_path)
    first.save(LessonProgress("a", "A", steps_total=5))
    mine, theirs = first.get("a"), second.get("a")
    assert mine is not None and theirs is not None
    mine.hints_used, mine.current_step, mine.steps_done = 2, 3, 3
    mine.step_record(2).fails["grad x"] = 4
    theirs.hints_used, theirs.current_step, theirs.steps_done = 1, 1, 1
    theirs.step_record(2).fails["grad x"] = 1
    theirs.step_record(0).seconds = 12.5
    first.save(mine)
    second.save(theirs)
    merged = ProgressStore(tmp_path).load()["a"]
    assert (merged.hints_used, merged.current_step, merged.steps_done) == (3, 3, 3)
    assert merged.steps[2].fails == {"grad x": 5} and merged.steps[0].seconds == 12.5
    assert theirs.hints_used == 3  # the saved object now holds the merged record


def test_one_writer_gets_back_exactly_what_it_saved(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    progress = LessonProgress("a", "A", steps_total=4)
    for step in range(4):
        record = progress.step_record(step)
        record.seconds += 1.1 * step
        record.fails[f"values y{step}"] = step
        progress.current_step = progress.steps_done = step + 1
        progress.hints_used += 1
        store.save(progress)
    loaded = ProgressStore(tmp_path).load()["a"]
    assert loaded == progress
    assert [r.seconds for r in loaded.steps] == [0.0, 1.1, 2.2, 3.3]


def test_a_restart_elsewhere_wins_over_an_old_attempt_but_its_completion_stays(
    tmp_path: Path,
) -> None:
    first, second = ProgressStore(tmp_path), ProgressStore(tmp_path)
    done = LessonProgress("a", "A", steps_total=2, current_step=2, steps_done=2, hints_used=3)
    done.mark_completed()
    first.save(done)
    restarted, old = first.get("a"), second.get("a")
    assert restarted is not None and old is not None
    restarted.restart()
    first.save(restarted)
    old.solutions_shown += 1  # the other terminal, still in the finished attempt
    second.save(old)
    merged = ProgressStore(tmp_path).load()["a"]
    assert (merged.attempts, merged.current_step, merged.completed) == (2, 0, False)
    assert merged.completions == 1 and merged.first_completion is not None
    assert merged.first_completion.hints_used == 3


def test_restart_keeps_the_first_completion_and_counts_attempts() -> None:
    progress = LessonProgress("a", "A", steps_total=2, current_step=2, steps_done=2, skips=1)
    progress.mark_completed()
    first = progress.first_completion
    progress.restart()
    assert (progress.attempts, progress.current_step, progress.skips) == (2, 0, 0)
    assert progress.ever_completed and not progress.completed
    progress.restart()  # nothing happened in attempt 2: restarting it is not a third attempt
    assert progress.attempts == 2
    progress.current_step = progress.steps_done = 2
    progress.mark_completed()
    assert progress.completions == 2 and progress.first_completion is first


VERSION_1 = {
    "version": 1,
    "lessons": {
        "gradients": {"lesson_id": "gradients", "title": "Gradients", "steps_total": 11,
                      "steps_done": 11, "current_step": 11, "hints_used": 2, "skips": 1,
                      "completed": True, "last_active": "2026-11-01T10:00:00+00:00",
                      "solutions_shown": 5},
        "variables": {"lesson_id": "variables", "title": "Variables", "steps_total": 7,
                      "steps_done": 3, "current_step": 3, "hints_used": 0, "skips": 0,
                      "completed": False, "last_active": "2026-11-01T09:00:00+00:00"},
    },
}


def test_a_version_1_file_is_read_and_written_back_as_version_2(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text(json.dumps(VERSION_1))
    store = ProgressStore(tmp_path)
    loaded = store.load()
    assert store.problem is None
    done = loaded["gradients"]
    assert (done.completions, done.attempts, done.solutions_shown) == (1, 1, 5)
    assert done.first_completion is not None and done.first_completion.solutions_shown == 5
    assert loaded["variables"].first_completion is None and loaded["variables"].solutions_shown == 0
    store.save(loaded["variables"])
    data = json.loads((tmp_path / "progress.json").read_text())
    assert data["version"] == 2 and data["lessons"]["gradients"]["first_completion"]["at"] == (
        "2026-11-01T10:00:00+00:00")


def test_a_file_from_a_newer_gradtui_is_read_but_not_overwritten(tmp_path: Path) -> None:
    newer = {"version": 3, "lessons": {"a": {"lesson_id": "a", "title": "A", "steps_total": 2,
                                             "current_step": 1, "steps_done": 1,
                                             "something_new": [1, 2]}}}
    (tmp_path / "progress.json").write_text(json.dumps(newer))
    store = ProgressStore(tmp_path)
    assert store.load()["a"].current_step == 1
    with pytest.raises(ProgressSaveError, match="newer gradtui"):
        store.save(LessonProgress("b", "B", steps_total=1))
    assert json.loads((tmp_path / "progress.json").read_text()) == newer


@pytest.mark.parametrize(("code", "said"), [
    (errno.ENOSPC, "the disk is full"),
    (errno.EACCES, "no permission to write there"),
    (errno.EROFS, "the disk is read-only"),
])
def test_a_failed_write_says_why_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, said: str
) -> None:
    store = ProgressStore(tmp_path)
    store.save(LessonProgress("a", "A", steps_total=3, current_step=1, steps_done=1))
    before = (tmp_path / "progress.json").read_bytes()

    def fail(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(ProgressSaveError) as caught:
        store.save(LessonProgress("a", "A", steps_total=3, current_step=2, steps_done=2))
    assert said in caught.value.reason and str(tmp_path) in caught.value.reason
    assert caught.value.message.startswith(f"Your progress was not saved: {said}")
    assert (tmp_path / "progress.json").read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


FILE_SIZE_LIMITED = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    from gradtui.lessons.progress import LessonProgress, ProgressSaveError, ProgressStore
    store = ProgressStore(Path(sys.argv[1]))
    store.save(LessonProgress("a", "A", steps_total=3, current_step=1, steps_done=1))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    try:
        store.save(LessonProgress("a", "A" * 9000, steps_total=3, current_step=2, steps_done=2))
    except ProgressSaveError as exc:
        print(exc.message)
""")


def test_a_write_the_system_refuses_is_reported_not_dropped(tmp_path: Path) -> None:
    # A real refusal (RLIMIT_FSIZE, as a full quota would), not a patched function.
    result = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMITED, str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Your progress was not saved: a file size limit was reached")
    assert "saved at your next step" in result.stdout
    assert ProgressStore(tmp_path).load()["a"].current_step == 1  # the old file is intact


def test_a_lock_file_that_is_not_a_plain_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".progress.json.lock")
    with pytest.raises(ProgressSaveError, match="is not a plain file"):
        ProgressStore(tmp_path).save(LessonProgress("a", "A", steps_total=1))


def test_a_progress_file_that_is_a_symlink_or_fifo_is_set_aside_not_followed(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps(VERSION_1))
    data = tmp_path / "data"
    data.mkdir()
    (data / "progress.json").symlink_to(secret)
    store = ProgressStore(data)
    assert store.load() == {} and store.problem is not None and "symlink" in store.problem
    assert secret.read_text() == json.dumps(VERSION_1)  # the target is untouched
    os.mkfifo(data / "progress.json")
    store = ProgressStore(data)
    assert store.load() == {} and "FIFO" in (store.problem or "")
    store.save(LessonProgress("a", "A", steps_total=1))
    assert ProgressStore(data).load()["a"].steps_total == 1


@pytest.mark.parametrize(("entry", "reason"), [
    ({"last_active": 5}, "`last_active` must be a string, not a number"),
    ({"last_active": "yesterday"}, "`last_active` must be an ISO-8601 time"),
    ({"hints_used": "3"}, "`hints_used` must be a whole number"),
    ({"hints_used": True}, "`hints_used` must be a whole number"),
    ({"completed": 1}, "`completed` must be true or false"),
    ({"current_step": 9}, "`current_step` is past `steps_total`"),
    ({"steps": [{"seconds": float("nan")}]}, "steps[1]: `seconds` must be a number"),
    ({"steps": [{"fails": {"grad x": -1}}]}, "steps[1]: `grad x` must be a whole number"),
    ({"first_completion": "yes"}, "`first_completion` must be an object or null"),
    ({"lesson_id": "b"}, "lesson 'a' has lesson_id 'b'"),
])
def test_every_field_is_type_checked_and_the_reason_names_it(
    tmp_path: Path, entry: dict[str, object], reason: str
) -> None:
    lesson = {"lesson_id": "a", "title": "A", "steps_total": 3, **entry}
    (tmp_path / "progress.json").write_text(json.dumps({"version": 2, "lessons": {"a": lesson}}))
    store = ProgressStore(tmp_path, read_only=True)
    assert store.load() == {}
    assert store.problem is not None and reason in store.problem


def test_json_nested_a_hundred_thousand_deep_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("[" * 100_000 + "]" * 100_000)
    store = ProgressStore(tmp_path, read_only=True)
    assert store.load() == {} and "nested too deeply" in (store.problem or "")
