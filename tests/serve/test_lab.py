"""The teacher's commands: `gradtui lab add-learner` and `gradtui lab progress`."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import asyncssh
import pytest

from gradtui.lessons.catalog import load_catalog
from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.serve.lab import main
from gradtui.serve.roster import load_roster, verify_password


def lab_config(tmp_path: Path) -> Path:
    path = tmp_path / "lab.toml"
    path.write_text('[learners]\nroster = "roster.toml"\nroot = "learners"\n')
    return path


def add(config: Path, name: str, *, key: Path | None = None, password: str | None = None) -> int:
    args = argparse.Namespace(
        lab_command="add-learner",
        config=str(config),
        name=name,
        key=str(key) if key else None,
        password=password is not None,
    )
    return main(args, stdin=io.StringIO((password or "") + "\n"))


def progress(config: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argparse.Namespace(lab_command="progress", config=str(config), format=fmt)) == 0
    return capsys.readouterr().out


def test_add_learner_with_key_then_password(tmp_path: Path) -> None:
    config = lab_config(tmp_path)
    key_file = tmp_path / "ann.pub"
    key_file.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_public_key())
    assert add(config, "ann", key=key_file) == 0
    assert add(config, "ann", password="long enough") == 0
    ann = load_roster(tmp_path / "roster.toml").get("ann")
    assert ann.keys == (key_file.read_text().strip(),)
    assert verify_password("long enough", ann.password_hash)


def test_add_learner_refuses_bad_input_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = lab_config(tmp_path)
    assert add(config, "ann") == 2
    assert "--key" in capsys.readouterr().err
    assert add(config, "ann", password="short") == 2
    assert "at least 8 characters" in capsys.readouterr().err
    assert add(config, "../evil", password="long enough") == 2
    assert "invalid learner name" in capsys.readouterr().err
    bad_key = tmp_path / "bad.pub"
    bad_key.write_text("ssh-rsa nope\n")
    assert add(config, "ann", key=bad_key) == 2
    assert "not an OpenSSH public key" in capsys.readouterr().err
    assert not (tmp_path / "roster.toml").exists()


def test_add_learner_with_a_private_key_says_which_file_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = lab_config(tmp_path)
    private = tmp_path / "id_ed25519"
    private.write_text(asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode())
    assert add(config, "ann", key=private) == 2
    assert f"{private} is a private key: give the learner's public key ({private}.pub)" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "roster.toml").exists()


def test_add_learner_cli_reads_the_password_from_a_pipe(tmp_path: Path) -> None:
    config = lab_config(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gradtui",
            "lab",
            "add-learner",
            "cy",
            "--password",
            "--config",
            str(config),
        ],
        input="piped password\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "added cy with a password" in result.stdout
    assert "piped password" not in (tmp_path / "roster.toml").read_text()
    assert verify_password(
        "piped password", load_roster(tmp_path / "roster.toml").get("cy").password_hash
    )


def seed_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    config = lab_config(tmp_path)
    add(config, "ann", password="long enough")
    add(config, "ben", password="long enough")
    capsys.readouterr()
    store = ProgressStore(tmp_path / "learners" / "ann" / "data")
    store.save(
        LessonProgress(
            "variables", "Variables", 7, steps_done=3, current_step=3, hints_used=2, skips=1
        )
    )
    done = LessonProgress("gradients", "Gradients", 11, steps_done=11, current_step=11,
                          solutions_shown=5)
    done.mark_completed()
    store.save(done)
    # someone in an open lab: a directory, no roster entry
    ProgressStore(tmp_path / "learners" / "dee" / "data").save(
        LessonProgress("variables", "Variables", 7, steps_done=1, current_step=1)
    )
    return config


def test_progress_table_shows_learners_by_lessons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    out = progress(seed_progress(tmp_path, capsys), "table", capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["learner", "1", "2", "last", "seen"]
    ann = next(line for line in lines if line.startswith("ann"))
    # the solutions ann needed show: a done lesson is not a clean "done"
    assert ann.split()[1:] == ["3/7", "h2k1", "done", "s5", "just", "now"]
    ben = next(line for line in lines if line.startswith("ben"))
    assert ben.split()[1:] == ["-", "-", "never"]
    assert next(line for line in lines if line.startswith("dee")).split()[1] == "1/7"
    assert "lessons: 1 variables · 2 gradients" in out
    assert "h = hints, s = solutions shown, k = steps skipped" in out


def test_a_restarted_lesson_stays_done_for_the_teacher(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    config = lab_config(tmp_path)
    store = ProgressStore(tmp_path / "learners" / "ann" / "data")
    lesson = LessonProgress("gradients", "Gradients", 11, steps_done=11, current_step=11,
                            hints_used=1)
    lesson.mark_completed()
    lesson.restart()  # `gradtui lesson 2 --restart`
    store.save(lesson)
    ann = next(line for line in progress(config, "table", capsys).splitlines()
               if line.startswith("ann"))
    assert ann.split()[1:3] == ["done", "h1"]
    rows = list(csv.DictReader(io.StringIO(progress(config, "csv", capsys))))
    assert (rows[0]["completed"], rows[0]["ever_completed"], rows[0]["attempts"]) == (
        "False", "True", "2")


def test_eight_lessons_of_help_fit_in_100_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    config = lab_config(tmp_path)
    course = [lesson.id for lesson in load_catalog().lessons]
    assert len(course) == 8
    for name in ("ann", "bartholomew"):
        store = ProgressStore(tmp_path / "learners" / name / "data")
        for lesson_id in course:
            lesson = LessonProgress(lesson_id, lesson_id, 11, steps_done=10, current_step=10,
                                    hints_used=12, skips=3, solutions_shown=15)
            if name == "ann":
                lesson.mark_completed()
            store.save(lesson)
    out = progress(config, "table", capsys)
    assert max(len(line) for line in out.splitlines()) <= 100, out
    lines = out.splitlines()
    ann = lines.index(next(line for line in lines if line.startswith("ann")))
    assert lines[ann].split()[1:9] == ["done"] * 8
    assert lines[ann + 1].split() == ["h12s15k3"] * 8  # the help, on its own line


def test_progress_table_lists_lessons_in_course_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    config = lab_config(tmp_path)
    store = ProgressStore(tmp_path / "learners" / "ann" / "data")
    for lesson_id in ("retired", "gradients", "variables"):
        store.save(LessonProgress(lesson_id, lesson_id.title(), 3, steps_done=1, current_step=1))
    out = progress(config, "table", capsys)
    assert out.splitlines()[0].split()[1:3] == ["1", "2"]  # variables, gradients
    assert "lessons: 1 variables · 2 gradients" in out
    # a lesson the lab does not have is named, not made a column
    assert "ann: also retired (not in this lab's lessons)" in out


def test_progress_csv_and_json_have_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = seed_progress(tmp_path, capsys)
    rows = list(csv.DictReader(io.StringIO(progress(config, "csv", capsys))))
    ann_vars = next(r for r in rows if r["learner"] == "ann" and r["lesson_id"] == "variables")
    assert (ann_vars["steps_done"], ann_vars["hints_used"], ann_vars["skips"]) == ("3", "2", "1")
    assert ann_vars["last_active"].startswith("20")
    ann_grads = next(r for r in rows if r["learner"] == "ann" and r["lesson_id"] == "gradients")
    assert (ann_grads["first_solutions_shown"], ann_grads["completions"]) == ("5", "1")
    assert any(r["learner"] == "ben" and r["lesson_id"] == "" for r in rows)
    data = json.loads(progress(config, "json", capsys))
    ann = next(entry for entry in data if entry["learner"] == "ann")
    assert [lesson["completed"] for lesson in ann["lessons"]] == [False, True]
    assert ann["lessons"][1]["first_solutions_shown"] == 5


def test_progress_with_no_learners_says_how_to_add_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "gradtui lab add-learner" in progress(lab_config(tmp_path), "table", capsys)


def test_progress_reports_an_unreadable_file_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = lab_config(tmp_path)
    broken = tmp_path / "learners" / "eve" / "data" / "progress.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    out = progress(config, "table", capsys)
    assert next(line for line in out.splitlines() if line.startswith("eve")).split()[1] == (
        "unreadable:")
    assert "! eve: unreadable: Expecting property name" in out
    assert broken.read_text() == "{not json"
    assert sorted(p.name for p in broken.parent.iterdir()) == ["progress.json"]


def by_step(config: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    args = argparse.Namespace(lab_command="progress", config=str(config), format=fmt,
                              by_step=True)
    assert main(args) == 0
    return capsys.readouterr().out


def test_by_step_shows_who_is_on_each_step_the_median_time_and_the_check_that_fails_most(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    config = lab_config(tmp_path)
    lesson = load_catalog().find("gradients")
    assert lesson is not None
    shape_step = 4  # step 5: "raised RuntimeError Mismatch in shape" and "grad x"
    raised, grad = (check.label() for check in lesson.steps[shape_step].checks)
    for name, at, seconds, fails in (("ann", 4, 100.0, {grad: 4}),
                                     ("ben", 4, 300.0, {grad: 1, "made up": 99}),
                                     ("cy", 4, 200.0, {raised: 50}),
                                     ("dee", 6, 60.0, {})):
        progress_ = LessonProgress("gradients", "Gradients", len(lesson.steps),
                                   current_step=at, steps_done=at)
        progress_.step_record(shape_step).seconds = seconds
        progress_.step_record(shape_step).fails = dict(fails)
        progress_.step_record(shape_step).hints = 1
        ProgressStore(tmp_path / "learners" / name / "data").save(progress_)
    out = by_step(config, "table", capsys)
    assert out.startswith("2 gradients: 4 started, 0 completed\n")
    row = next(line for line in out.splitlines() if line.startswith("   5 "))
    # 3 learners on step 5, 1 past it; median of 100, 300, 200 and 60 s; help: 4 hints;
    # the check two learners failed beats the one a single learner failed 50 times
    assert row.split()[-7:] == ["3", "1", "2:30", "h4", "2", "grad", "x"]
    assert "made up" not in out
    assert max(len(line) for line in out.splitlines()) <= 100
    rows = list(csv.DictReader(io.StringIO(by_step(config, "csv", capsys))))
    step5 = next(r for r in rows if r["lesson_id"] == "gradients" and r["step"] == "5")
    assert (step5["on_it"], step5["median_seconds"], step5["most_failed"]) == (
        "3", "150.0", "grad x")
    data = json.loads(by_step(config, "json", capsys))
    assert next(s for s in data if s["step"] == 7)["on_it"] == 1


def test_by_step_with_nothing_started_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "No lesson started yet" in by_step(lab_config(tmp_path), "table", capsys)


def test_lab_commands_print_no_library_warnings(tmp_path: Path) -> None:
    config = lab_config(tmp_path)
    key_file = tmp_path / "ann.pub"
    key_file.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_public_key())
    for argv in (["add-learner", "ann", "--key", str(key_file)], ["progress"]):
        result = subprocess.run(
            [sys.executable, "-W", "default", "-m", "gradtui", "lab", *argv,
             "--config", str(config)],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0 and result.stderr == "", (argv, result.stderr)


def test_the_asyncssh_filter_leaves_other_warnings_alone() -> None:
    import gradtui.serve  # noqa: F401  (installs the filter)

    with pytest.warns(UserWarning, match="learner code still warns"):
        warnings.warn("learner code still warns", UserWarning, stacklevel=1)


def test_progress_into_a_closed_pipe_prints_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = seed_progress(tmp_path, capsys)
    read_end, write_end = os.pipe()
    os.close(read_end)  # `gradtui lab progress | head -1` after head has gone
    try:
        result = subprocess.run(
            [sys.executable, "-m", "gradtui", "lab", "progress", "--config", str(config)],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
    assert result.returncode == 141
