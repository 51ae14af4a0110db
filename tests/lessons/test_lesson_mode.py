"""The plain REPL's lesson mode: hooks on a fake kernel, and `gradtui lesson 1 --plain` for real."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.progress import ProgressSaveError, ProgressStore
from gradtui.lessons.session import LessonSession
from gradtui.lessons.textplot import text_plot
from gradtui.plain.lesson_mode import LessonHooks

from .fakes import FakeKernel

FIXTURES = Path(__file__).parent / "fixtures"


def hooks_for(tmp_path: Path) -> tuple[LessonHooks, FakeKernel]:
    session = LessonSession(load_lesson(FIXTURES / "good.toml"), ProgressStore(tmp_path))
    hooks = LessonHooks(session, ascii_only=True)
    kernel = FakeKernel()
    hooks.attach(kernel)  # type: ignore[arg-type]
    return hooks, kernel


def test_banner_shows_the_lesson_and_the_first_step_with_its_starter(tmp_path: Path) -> None:
    hooks, _ = hooks_for(tmp_path)
    banner = hooks.banner() or ""
    assert "Tiny" in banner and "Step 1 of 2" in banner and "Make x." in banner
    assert hooks.prefill() == "x = " and hooks.prefill() == ""


def test_the_banner_and_lesson_help_fit_80_columns(tmp_path: Path) -> None:
    hooks, _ = hooks_for(tmp_path)
    text = f"{hooks.banner()}\n{hooks.command_help()}"
    assert ":help for all" in text and ":next" in text
    assert [line for line in text.splitlines() if len(line) > 79] == []


def test_cells_are_judged_and_after_a_pass_enter_shows_the_next_step(tmp_path: Path) -> None:
    hooks, kernel = hooks_for(tmp_path)
    assert hooks.after_cell(kernel.execute("x = 5")) == (
        "Not yet:\n  X x == 1 is not true yet (it gives False).")  # code without backticks
    text = hooks.after_cell(kernel.execute("x = 1")) or ""
    assert "Step passed!" in text and "Make y." not in text
    assert "Step 2 is next. Press Enter on an empty line (or type :next) to go on." in text
    assert hooks.empty_line() is not None and "Step 2 of 2" in (hooks.command("lesson", "") or "")
    assert hooks.empty_line() is None  # Enter while working on a step does nothing
    done = hooks.after_cell(kernel.execute("y = 2")) or ""
    assert "Lesson complete: 2 of 2 steps solved" in done
    assert not hooks.finished()


def test_inline_code_is_bold_cyan_on_a_colour_terminal(tmp_path: Path) -> None:
    session = LessonSession(load_lesson(FIXTURES / "good.toml"), ProgressStore(tmp_path))
    hooks = LessonHooks(session, ascii_only=True, colour=True)
    kernel = FakeKernel()
    hooks.attach(kernel)  # type: ignore[arg-type]
    assert hooks.after_cell(kernel.execute("x = 5")) == (
        "Not yet:\n  X \x1b[1;36mx == 1\x1b[0m is not true yet (it gives False).")


def test_lesson_commands(tmp_path: Path) -> None:
    hooks, kernel = hooks_for(tmp_path)
    assert hooks.command("hint", "") == "Hint 1/2: first hint"
    assert "x = 1" in (hooks.command("solution", "") or "") and hooks.prefill() == "x = 1"
    assert hooks.command("skip", "") == "Your teacher has turned off skipping in this lesson."
    assert hooks.command("progress", "") == ("Step 1 of 2; 1 hint used, 0 skipped, "
                                             "1 solution shown.")
    assert "Make x." in (hooks.command("lesson", "") or "")
    # the old name of :lesson says where it went; :step NAME is the REPL's backward walk
    assert ":lesson" in (hooks.command("step", "") or "")
    assert hooks.command("step", "o") is None
    assert hooks.command("tensors", "") is None  # not ours: the REPL's built-in
    assert ":restart-lesson" in (hooks.command_help() or "")
    left = hooks.command("leave", "") or ""
    assert left == ("Leaving the lesson. Your progress is saved. Step 1 of 2; 1 hint used, "
                    "0 skipped, 1 solution shown.")
    assert hooks.finished() and hooks.farewell() is None  # said once, not again at exit


def test_a_plot_step_draws_the_series_as_text(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[4])  # gradient descent
    session = LessonSession(lesson)
    session.progress.current_step = 3  # the loop step, which plots `losses`
    hooks = LessonHooks(session, ascii_only=True)
    kernel = FakeKernel()
    session.attach(kernel)
    text = hooks.after_cell(kernel.execute("losses = [9.0, 5.0, 2.0, 1.0]")) or ""
    assert text_plot([9.0, 5.0, 2.0, 1.0], title="losses, first to last:",
                     ascii_only=True) in text


@pytest.mark.slow
def test_plain_lesson_one_end_to_end_through_a_pipe(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    cells = "\n\n".join(step.solution.strip() for step in lesson.steps) + "\n"
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path), "GRADTUI_STATE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "gradtui", "lesson", "1", "--plain"],
                          input=cells, capture_output=True, text=True, env=env, timeout=300)
    assert "Lesson complete: 7 of 7 steps solved, 0 skipped" in proc.stdout, (
        proc.stdout[-3000:] + proc.stderr[-2000:])
    assert ProgressStore(tmp_path).load()["variables"].completed


@pytest.mark.slow
def test_plain_lesson_eight_second_derivatives_end_to_end_through_a_pipe(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[7])
    assert lesson.id == "second-derivatives"
    cells = "\n\n".join(step.solution.strip() for step in lesson.steps) + "\n"
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path), "GRADTUI_STATE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "gradtui", "lesson", "8", "--plain", "--ascii"],
                          input=cells, capture_output=True, text=True, env=env, timeout=300)
    out = proc.stdout
    assert "Lesson complete: 8 of 8 steps solved, 0 skipped" in out, (
        out[-3000:] + proc.stderr[-2000:])
    assert "tensor(27., grad_fn=<MulBackward0>)" in out  # the derivative has a graph
    tracebacks = proc.stderr  # the expected error of step 6
    assert "element 0 of tensors does not require grad and does not have a grad_fn" in tracebacks
    assert ProgressStore(tmp_path).load()["second-derivatives"].completed


@pytest.mark.slow
def test_plain_lesson_two_with_a_mistake_a_hint_and_a_skip_through_a_pipe(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[1])
    cells = ["import torch", "x = torch.ones(3)", ":hint", ":skip"]
    for step in lesson.steps[1:]:  # each solution, then on to the next step
        cells += [step.solution.strip(), ":next"]
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path), "GRADTUI_STATE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "gradtui", "lesson", "gradients", "--plain",
                           "--ascii"], input="\n\n".join(cells) + "\n", capture_output=True,
                          text=True, env=env, timeout=300)
    out = proc.stdout
    assert "X x has shape [3], but this step needs shape [2]." in out, out[-3000:]
    assert "Hint 1/1: torch.ones((2)) is tensor([1., 1.])" in out
    assert "Right: x.grad is [20., 20.], as you predicted." in out  # step 9 predicts
    assert "Skipped. This is what the step wanted, and it ran for you:" in out
    assert "It showed:\n    tensor([1., 1.], requires_grad=True)" in out  # step 1 echoes x
    assert "Mismatch in shape" in out and "MulBackward0 []" in out  # the error; the graph tree
    assert "Lesson complete: 10 of 11 steps solved, 1 skipped, 1 hint used" in out
    saved = ProgressStore(tmp_path).load()["gradients"]
    assert (saved.completed, saved.skips, saved.hints_used) == (True, 1, 1)


def test_after_a_kernel_death_the_lesson_advises_reset(tmp_path: Path) -> None:
    hooks, _ = hooks_for(tmp_path)
    assert hooks.restart_advice().startswith("Type :reset for a fresh kernel with this step's "
                                             "variables rebuilt")


def test_a_failed_save_is_printed_after_the_verdict_and_at_leave(tmp_path: Path) -> None:
    class FullDisk(ProgressStore):
        def save(self, progress: object) -> None:
            raise ProgressSaveError(errno.ENOSPC, f"the disk is full ({self.data_dir})")

    session = LessonSession(load_lesson(FIXTURES / "good.toml"), FullDisk(tmp_path))
    hooks = LessonHooks(session, ascii_only=True)
    kernel = FakeKernel()
    hooks.attach(kernel)  # type: ignore[arg-type]
    text = hooks.after_cell(kernel.execute("x = 1")) or ""
    verdict, rest = text.split("\n", 1)
    assert verdict.startswith("  ok ") and "Step passed!" in rest
    assert "  ! Your progress was not saved: the disk is full" in text
    assert text.index("not saved") < text.index("Step 2 is next")
    assert "Your latest progress could NOT be saved: the disk is full" in (
        hooks.command("leave", "") or "")


def test_a_progress_file_set_aside_is_in_the_banner_once(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("{broken")
    hooks, _ = hooks_for(tmp_path)
    banner = hooks.banner() or ""
    assert banner.count("was unreadable") == 1 and "progress.json.corrupt-" in banner
