from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.kernel.client import KernelClient
from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.selftest import self_test

from .fakes import FakeKernel

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = lesson_files([builtin_dir()])


def lesson_text(tmp_path: Path, steps: str) -> Path:
    path = tmp_path / "lesson.toml"
    path.write_text(f'id = "t"\ntitle = "T"\n{steps}', encoding="utf-8")
    return path


def test_a_sound_lesson_has_no_problems() -> None:
    assert self_test(load_lesson(FIXTURES / "good.toml"), FakeKernel()) == []


def test_a_wrong_answer_that_passes_is_reported_at_its_line() -> None:
    path = FIXTURES / "wrong_answer_passes.toml"
    problems = self_test(load_lesson(path), FakeKernel(), FakeKernel())
    assert [str(p) for p in problems] == [
        f"{path}:13: step 1: this wrong answer passes the step's checks"]


def test_a_solution_that_fails_its_check_is_reported_at_the_check(tmp_path: Path) -> None:
    path = lesson_text(tmp_path, '[[steps]]\nprose = "p"\nsolution = "x = 1"\n'
                                 '[[steps.checks]]\nkind = "expr"\nexpr = "x == 2"\n')
    problems = self_test(load_lesson(path), FakeKernel())
    assert [f"{p.line}: {p.message}" for p in problems] == [
        "6: step 1: the solution fails check expr: `x == 2` is not true yet (it gives False)."]


def test_a_solution_that_raises_unexpectedly_is_reported_at_the_solution(
        tmp_path: Path) -> None:
    path = lesson_text(tmp_path, '[[steps]]\nprose = "p"\nsolution = "x = 1; 1 / 0"\n'
                                 '[[steps.checks]]\nkind = "expr"\nexpr = "x == 1"\n')
    problems = self_test(load_lesson(path), FakeKernel())
    assert [f"{p.line}: {p.message}" for p in problems] == [
        "5: step 1: the solution raised ZeroDivisionError: division by zero"]


def test_a_step_that_passes_before_its_solution_is_reported(tmp_path: Path) -> None:
    path = lesson_text(tmp_path, '[[steps]]\nprose = "p"\nsolution = "x = 1"\n'
                                 '[[steps.checks]]\nkind = "expr"\nexpr = "x == 1"\n'
                                 '[[steps]]\nprose = "q"\nsolution = "y = 1"\n'
                                 '[[steps.checks]]\nkind = "expr"\nexpr = "x == 1"\n')
    problems = self_test(load_lesson(path), FakeKernel())
    assert [f"{p.line}: {p.message}" for p in problems] == [
        "9: step 2: its checks already pass before its solution runs"]


def test_wrong_answers_start_from_the_earlier_solutions_state() -> None:
    kernel, scratch = FakeKernel(), FakeKernel()
    self_test(load_lesson(FIXTURES / "good.toml"), kernel, scratch)
    assert kernel.executed == ["x = 1", "y = x + 1"] and kernel.restarts == 1
    assert scratch.executed == ["x = 2"] and scratch.restarts == 1


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_lesson_self_tests_in_the_gradtui_kernel(path: Path) -> None:
    with KernelClient() as kernel, KernelClient() as scratch:
        problems = self_test(load_lesson(path), kernel, scratch)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.torch
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_lesson_self_tests_against_real_torch(path: Path) -> None:
    pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                        "the shipped lessons' self-tests in real torch skipped")
    from .torch_kernel import TorchKernel

    problems = self_test(load_lesson(path), TorchKernel())
    assert problems == [], "\n".join(map(str, problems))


def test_an_endless_solution_or_wrong_answer_is_interrupted_and_reported(tmp_path: Path) -> None:
    path = lesson_text(tmp_path, '[[steps]]\nprose = "p"\nsolution = "while True: pass"\n'
                                 '[[steps.checks]]\nkind = "expr"\nexpr = "x == 1"\n'
                                 '[[steps.wrong_answers]]\ncode = "while True: pass"\n')
    with KernelClient() as kernel, KernelClient() as scratch:
        problems = self_test(load_lesson(path), kernel, scratch, cell_timeout_s=0.5)
        assert kernel.ping()  # interrupted, not killed: the next lesson can use it
    messages = [f"{p.line}: {p.message}" for p in problems]
    too_long = "did not finish within 0.5 s and was interrupted (an endless loop?)"
    assert f"10: step 1: this wrong answer {too_long}" in messages
    assert f"5: step 1: the solution {too_long}" in messages


def test_an_error_note_must_be_made_by_its_own_code(tmp_path: Path) -> None:
    path = lesson_text(tmp_path, '[[steps]]\nprose = "p"\nsolution = "x = 1"\n'
                                 '[[steps.checks]]\nkind = "expr"\nexpr = "x == 1"\n'
                                 '[[steps.error_notes]]\ntype = "ZeroDivisionError"\n'
                                 'note = "Not by zero."\ncode = "x = 1 / 0"\n'
                                 '[[steps.error_notes]]\ncontains = "by zero"\n'
                                 'note = "Never shown."\ncode = "x = 2 / 0"\n'
                                 '[[steps.error_notes]]\ntype = "KeyError"\n'
                                 'note = "Typo."\ncode = "x = 1 / 1"\n')
    problems = self_test(load_lesson(path), FakeKernel(), FakeKernel())
    assert [f"{p.line}: {p.message}" for p in problems] == [
        "13: step 1: this error note is hidden by another note of the step that matches first",
        "17: step 1: this error note's code does not make the error it is about (it made: "
        "nothing)",
    ]


def test_a_predict_steps_solution_must_be_right_and_its_wrong_answers_wrong(
        tmp_path: Path) -> None:
    path = lesson_text(tmp_path, '[[steps]]\nprose = "p"\nsolution = "[2, 4]"\n'
                                 '[[steps.checks]]\nkind = "predict"\nrun = "g = [2.0, 4.0]"\n'
                                 'answer = "g"\n[[steps.wrong_answers]]\ncode = "[1, 2]"\n'
                                 '[[steps]]\nprose = "q"\nsolution = "5"\n'
                                 '[[steps.checks]]\nkind = "predict"\nrun = "h = g[0] * 3"\n'
                                 'answer = "h"\n[[steps.wrong_answers]]\ncode = "6.0"\n')
    kernel = FakeKernel()
    problems = self_test(load_lesson(path), kernel, FakeKernel())
    assert [f"{p.line}: {p.message}" for p in problems] == [
        "14: step 2: the solution is not the right prediction: Not quite: you predicted `5`, "
        "and `h` is `6.`.",
        "20: step 2: this wrong answer is the right prediction",
    ]
    assert kernel.executed == ["g = [2.0, 4.0]", "h = g[0] * 3"]  # the code, not the guesses
