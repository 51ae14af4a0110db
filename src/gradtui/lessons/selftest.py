"""``gradtui lessons check``: prove a lesson teaches what it claims.

In a fresh kernel, every step's solution is run in order and must pass that step's checks; every
declared wrong answer, run on the state the earlier solutions left, must fail them; and a step's
checks must not already pass before its solution runs (else it would pass by itself). Every
error note's code must raise (or warn) what the note matches, so the learner who makes that
mistake is sure to see it. A predict step's code runs, and its solution must be the right
prediction and each wrong answer a wrong one. A cell that runs too long (a solution with an
endless loop) is interrupted and reported, so the checker always ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gradtui.kernel.errors import KernelDied, KernelError
from gradtui.kernel.protocol import ExecuteReply
from gradtui.lessons.checks.predict import NOT_A_PREDICTION, PredictCheck, parse_prediction
from gradtui.lessons.diagnosis import diagnose
from gradtui.lessons.errors import Problem
from gradtui.lessons.model import ErrorNote, Lesson, Step
from gradtui.lessons.session import LessonKernel, empty_reply, judge_step

# Far above what any lesson cell needs (the shipped ones take well under a second each).
CELL_TIMEOUT_S = 30.0
# After the interrupt, how long a cell that ignores it (SIG_IGN) gets before a kernel restart.
_RESTART_GRACE_S = 10.0


class _TimedCells:
    """Runs cells on a kernel, interrupting any that outlives ``timeout_s``."""

    def __init__(self, kernel: LessonKernel, timeout_s: float) -> None:
        self.kernel = kernel
        self.timeout_s = timeout_s
        self.timed_out = False  # the last cell was stopped by us

    def execute(self, source: str) -> ExecuteReply:
        interrupt: Callable[[], None] | None = getattr(self.kernel, "interrupt", None)
        self.timed_out = False
        if interrupt is None or self.timeout_s <= 0:
            return self.kernel.execute(source)

        def stop() -> None:
            self.timed_out = True
            interrupt()

        timers = [threading.Timer(self.timeout_s, stop),
                  threading.Timer(self.timeout_s + _RESTART_GRACE_S, self.kernel.restart)]
        for timer in timers:
            timer.daemon = True
            timer.start()
        try:
            return self.kernel.execute(source)
        finally:
            for timer in timers:
                timer.cancel()

    def evaluate(self, expr: str) -> tuple[bool, str]:
        return self.kernel.evaluate(expr)

    def restart(self) -> None:
        self.kernel.restart()


def self_test(lesson: Lesson, kernel: LessonKernel, scratch: LessonKernel | None = None,
              cell_timeout_s: float = CELL_TIMEOUT_S) -> list[Problem]:
    """Every problem found running ``lesson`` in ``kernel`` (restarted first).

    Wrong answers need a state rebuilt from scratch each; given a second ``scratch`` kernel they
    run there, so the solutions run straight through ``kernel`` with no restarts in between
    (about half the kernel starts, which is most of the time a self-test takes).
    """
    problems: list[Problem] = []
    kernel = _TimedCells(kernel, cell_timeout_s)
    scratch = None if scratch is None else _TimedCells(scratch, cell_timeout_s)
    kernel.restart()
    previous = empty_reply()
    for number, step in enumerate(lesson.steps, start=1):
        try:
            previous = _test_step(lesson, number, step, previous, kernel, scratch, problems)
        except (KernelDied, KernelError) as exc:
            # A kernel that died (or a broken engine) ends this lesson's test, not the run.
            problems.append(Problem(lesson.path, step.line, f"step {number}: the kernel failed: "
                                                            f"{exc}"))
            kernel.restart()
            break
    return problems


def _test_step(lesson: Lesson, number: int, step: Step, previous: ExecuteReply,
               kernel: _TimedCells, scratch: _TimedCells | None,
               problems: list[Problem]) -> ExecuteReply:
    """Test one step on the state the earlier solutions left; returns its solution's reply."""
    path = lesson.path
    if step.error_notes:
        note_kernel = scratch or kernel
        for note in step.error_notes:
            _fresh_state(note_kernel, lesson, number - 1)
            reply = note_kernel.execute(note.code)
            problem = _note_problem(note, reply, step, lesson, note_kernel)
            if problem:
                problems.append(Problem(path, note.line, f"step {number}: {problem}"))
        if scratch is None:
            _fresh_state(kernel, lesson, number - 1)
    if step.predict is not None:
        return _test_prediction(lesson, number, step, step.predict, kernel, problems)
    if step.wrong_answers:
        wrong_kernel = scratch or kernel
        for wrong in step.wrong_answers:
            _fresh_state(wrong_kernel, lesson, number - 1)
            results = judge_step(step, wrong_kernel.execute(wrong.code), wrong_kernel)
            if wrong_kernel.timed_out:
                problems.append(Problem(path, wrong.line, f"step {number}: this wrong answer "
                                                          f"{_too_long(wrong_kernel)}"))
            elif all(r.passed for r in results):
                problems.append(Problem(path, wrong.line, f"step {number}: this wrong "
                                                          "answer passes the step's checks"))
        if scratch is None:
            _fresh_state(kernel, lesson, number - 1)
    if all(r.passed for r in judge_step(step, previous, kernel)):
        problems.append(Problem(path, step.line, f"step {number}: its checks already pass "
                                                 "before its solution runs"))
    reply = kernel.execute(step.solution)
    error = reply.result.error
    if kernel.timed_out:
        problems.append(Problem(path, step.solution_line, f"step {number}: the solution "
                                                          f"{_too_long(kernel)}"))
        return reply
    if error is not None and not step.expects_error:
        problems.append(Problem(path, step.solution_line, f"step {number}: the solution "
                                                          f"raised {error.type}: "
                                                          f"{error.message}"))
    for check, result in zip(step.checks, judge_step(step, reply, kernel), strict=True):
        if not result.passed:
            problems.append(Problem(path, check.line, f"step {number}: the solution fails "
                                                      f"check {check.kind}: "
                                                      f"{result.message}"))
    return reply


def _note_problem(note: ErrorNote, reply: ExecuteReply, step: Step, lesson: Lesson,
                  kernel: _TimedCells) -> str:
    """Why an error note would never be shown for its own code ("" when it would)."""
    if kernel.timed_out:
        return f"this error note's code {_too_long(kernel)}"
    result = reply.result
    raised = [] if result.error is None else [(result.error.type, result.error.message)]
    made = raised + [(w.type, w.message) for w in result.warnings]
    if not any(note.matches(kind, message) for kind, message in made):
        what = "; ".join(f"{kind}: {message}" for kind, message in made) or "nothing"
        return f"this error note's code does not make the error it is about (it made: {what})"
    if not any(note.note in text for text in diagnose(result, step, lesson)):
        return "this error note is hidden by another note of the step that matches first"
    return ""


def _test_prediction(lesson: Lesson, number: int, step: Step, check: PredictCheck,
                     kernel: _TimedCells, problems: list[Problem]) -> ExecuteReply:
    """Run the step's code; its solution must predict the outcome, its wrong answers not."""
    path = lesson.path
    reply = kernel.execute(check.params["run"])
    if kernel.timed_out:
        problems.append(Problem(path, check.line, f"step {number}: the predict check's `run` "
                                                  f"{_too_long(kernel)}"))
        return reply
    if reply.result.error is not None:
        problems.append(Problem(path, check.line, f"step {number}: the predict check's `run` "
                                                  f"raised {reply.result.error.type}: "
                                                  f"{reply.result.error.message}"))
        return reply
    try:
        actual = check.actual(kernel.evaluate)
    except LookupError as exc:
        problems.append(Problem(path, check.line, f"step {number}: the predict check's "
                                                  f"`answer` is not numbers: {exc}"))
        return reply
    guess = parse_prediction(step.solution)
    if guess is not NOT_A_PREDICTION and not check.compare(guess, actual).passed:
        problems.append(Problem(path, step.solution_line,
                                f"step {number}: the solution is not the right prediction: "
                                f"{check.compare(guess, actual).message}"))
    for wrong in step.wrong_answers:
        guess = parse_prediction(wrong.code)
        if guess is not NOT_A_PREDICTION and check.compare(guess, actual).passed:
            problems.append(Problem(path, wrong.line, f"step {number}: this wrong answer is the "
                                                      "right prediction"))
    return reply


def _too_long(kernel: _TimedCells) -> str:
    return (f"did not finish within {kernel.timeout_s:g} s and was interrupted "
            "(an endless loop?)")


def _fresh_state(kernel: LessonKernel, lesson: Lesson, count: int) -> None:
    """A restarted kernel holding what the first ``count`` solutions leave."""
    kernel.restart()
    for step in lesson.steps[:count]:
        kernel.execute(step.code_it_runs)
