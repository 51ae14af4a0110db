from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.cli import check_paths, list_lessons
from gradtui.lessons.progress import LessonProgress, ProgressStore

FIXTURES = Path(__file__).parent / "fixtures"


def test_listing_shows_every_lesson_with_progress(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    store = ProgressStore(tmp_path)
    store.save(LessonProgress("gradients", "Gradients", steps_total=11, current_step=3,
                              steps_done=3))
    store.save(LessonProgress("variables", "Variables", steps_total=7, current_step=7,
                              steps_done=7, completed=True))
    retaken = LessonProgress("accumulation", "Accumulation", steps_total=8, current_step=8,
                             steps_done=8)
    retaken.mark_completed()
    retaken.restart()  # `gradtui lesson 3 --restart` after finishing it
    retaken.current_step = retaken.steps_done = 1
    store.save(retaken)
    out, err = io.StringIO(), io.StringIO()
    assert list_lessons([str(FIXTURES / "good.toml").rsplit("/", 1)[0]], out, err) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(" 1. Variables") and "done (7/7)" in lines[0]
    assert lines[1].startswith(" 2. Gradients") and "step 4 of 11" in lines[1]
    assert "done; again at 2/8" in lines[2]
    assert "not started (9 steps)" in lines[3]
    builtins = len(lesson_files([builtin_dir()]))
    assert lines[builtins].startswith(f"{builtins + 1:2d}. Tiny")
    # the broken fixtures in the same directory are reported, not fatal
    assert "bad_toml.toml:3: bad TOML" in err.getvalue()


def test_check_of_a_broken_file_exits_1_with_file_and_line() -> None:
    out = io.StringIO()
    assert check_paths([str(FIXTURES / "unknown_kind.toml")], out) == 1
    assert out.getvalue() == (f"{FIXTURES / 'unknown_kind.toml'}:13: unknown check kind 'tensr' "
                              "(known kinds: expr, grad, grad_fn, graph_has, predict, printed, "
                              "raised, tensor, values) in step 1 check 2\n")


def test_check_of_a_missing_path_exits_1() -> None:
    out = io.StringIO()
    assert check_paths(["/nonexistent/lesson.toml"], out) == 1
    assert "/nonexistent/lesson.toml:0: no such file or directory" in out.getvalue()


def test_check_command_self_tests_files_in_a_real_kernel(tmp_path: Path) -> None:
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "gradtui", "lessons", "check",
                         str(FIXTURES / "good.toml")], capture_output=True, text=True, env=env,
                        timeout=120)
    assert (ok.returncode, ok.stdout) == (
        0, f"ok  {FIXTURES / 'good.toml'}: 2 steps, 1 wrong answer rejected\n")
    bad = subprocess.run([sys.executable, "-m", "gradtui", "lessons", "check",
                          str(FIXTURES / "wrong_answer_passes.toml")], capture_output=True,
                         text=True, env=env, timeout=120)
    assert (bad.returncode, bad.stdout) == (
        1, f"{FIXTURES / 'wrong_answer_passes.toml'}:13: step 1: this wrong answer passes the "
           "step's checks\n")


def test_unknown_lesson_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from gradtui.cli import take_lesson

    args = argparse.Namespace(lesson="99", lessons=[], plain=True, restart=False)
    assert take_lesson(args) == 2
    assert "no lesson '99'. Lessons: 1 (variables), 2 (gradients)" in capsys.readouterr().err


def test_listing_with_extra_lessons_says_to_pass_the_folder_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUI_DATA_DIR", str(tmp_path))
    out = io.StringIO()
    list_lessons([str(FIXTURES)], out, io.StringIO())
    assert f"`gradtui lesson N --lessons {FIXTURES}`" in out.getvalue()


def test_listing_into_a_closed_pipe_prints_no_traceback(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`| head`) has already gone
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path)}
    try:
        result = subprocess.run([sys.executable, "-m", "gradtui", "lessons"], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
    assert result.returncode == 141


def test_check_refuses_an_id_a_built_in_lesson_already_uses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The listing skips the later of two lessons with one id: "ok" here would mean a lesson
    # that learners can never open.
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    text = (FIXTURES / "good.toml").read_text()
    own_id = text.splitlines()[0]
    assert own_id.startswith("id = ")
    clash = tmp_path / "07-mine.toml"
    clash.write_text(text.replace(own_id, 'id = "variables"', 1))
    out = io.StringIO()
    assert check_paths([str(clash)], out) == 1
    assert out.getvalue().endswith(
        f"{clash}:1: lesson id 'variables' is already used by "
        f"{builtin_dir() / '01-variables.toml'}; pick another id\n")
    assert "ok " not in out.getvalue()


def test_check_refuses_two_checked_files_with_one_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    for name in ("07-a.toml", "08-b.toml"):
        (tmp_path / name).write_text((FIXTURES / "good.toml").read_text())
    out = io.StringIO()
    assert check_paths([str(tmp_path)], out) == 1
    assert out.getvalue().count("is already used by") == 2


@pytest.mark.parametrize("argv", [
    ["lessons", "--lessons", "DIR", "check", "x.toml"],
    ["lessons", "check", "--lessons", "DIR", "x.toml"],
])
def test_check_keeps_a_lessons_folder_given_before_or_after_the_action(argv: list[str]) -> None:
    from gradtui.lessons.commands import add_commands

    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(), take_lesson=lambda _args: 0)
    args = parser.parse_args(argv)
    assert args.lessons_command == "check" and args.lessons == ["DIR"]
