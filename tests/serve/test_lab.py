"""The teacher's commands: `gradtui lab add-learner` and `gradtui lab progress`."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

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
            "01-variables", "Variables", 7, steps_done=3, current_step=3, hints_used=2, skips=1
        )
    )
    store.save(
        LessonProgress("02-graphs", "Graphs", 5, steps_done=5, current_step=5, completed=True)
    )
    # someone in an open lab: a directory, no roster entry
    ProgressStore(tmp_path / "learners" / "dee" / "data").save(
        LessonProgress("01-variables", "Variables", 7, steps_done=1, current_step=1)
    )
    return config


def test_progress_table_shows_learners_by_lessons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = progress(seed_progress(tmp_path, capsys), "table", capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["learner", "01-variables", "02-graphs", "last", "active"]
    ann = next(line for line in lines if line.startswith("ann"))
    assert "3/7 h2 s1" in ann and "done" in ann
    ben = next(line for line in lines if line.startswith("ben"))
    assert ben.split()[1:] == ["-", "-", "never"]
    assert next(line for line in lines if line.startswith("dee")).split()[1] == "1/7"


def test_progress_table_lists_lessons_in_course_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    config = lab_config(tmp_path)
    store = ProgressStore(tmp_path / "learners" / "ann" / "data")
    for lesson_id in ("retired", "gradients", "variables"):
        store.save(LessonProgress(lesson_id, lesson_id.title(), 3, steps_done=1, current_step=1))
    header = progress(config, "table", capsys).splitlines()[0].split()
    assert header[1:4] == ["variables", "gradients", "retired"]  # not alphabetical


def test_progress_csv_and_json_have_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = seed_progress(tmp_path, capsys)
    rows = list(csv.DictReader(io.StringIO(progress(config, "csv", capsys))))
    ann_vars = next(r for r in rows if r["learner"] == "ann" and r["lesson_id"] == "01-variables")
    assert (ann_vars["steps_done"], ann_vars["hints_used"], ann_vars["skips"]) == ("3", "2", "1")
    assert ann_vars["last_active"].startswith("20")
    assert any(r["learner"] == "ben" and r["lesson_id"] == "" for r in rows)
    data = json.loads(progress(config, "json", capsys))
    ann = next(entry for entry in data if entry["learner"] == "ann")
    assert [lesson["completed"] for lesson in ann["lessons"]] == [False, True]


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
    assert "! eve: unreadable progress file" in out
    assert broken.read_text() == "{not json"
    assert sorted(p.name for p in broken.parent.iterdir()) == ["progress.json"]


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
