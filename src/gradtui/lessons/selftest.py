"""``gradtui lessons check``: prove a lesson teaches what it claims.

In a fresh kernel, every step's solution is run in order and must pass that step's checks; every
declared wrong answer, run on the state the earlier solutions left, must fail them; and a step's
checks must not already pass before its solution runs (else it would pass by itself).
"""

from __future__ import annotations

from gradtui.kernel.errors import KernelDied, KernelError
from gradtui.kernel.protocol import ExecuteReply
from gradtui.lessons.errors import Problem
from gradtui.lessons.model import Lesson, Step
from gradtui.lessons.session import LessonKernel, empty_reply, judge_step


def _expects_error(step: Step) -> bool:
    return any(check.kind == "raised" for check in step.checks)


def self_test(lesson: Lesson, kernel: LessonKernel,
              scratch: LessonKernel | None = None) -> list[Problem]:
    """Every problem found running ``lesson`` in ``kernel`` (restarted first).

    Wrong answers need a state rebuilt from scratch each; given a second ``scratch`` kernel they
    run there, so the solutions run straight through ``kernel`` with no restarts in between
    (about half the kernel starts, which is most of the time a self-test takes).
    """
    problems: list[Problem] = []
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
               kernel: LessonKernel, scratch: LessonKernel | None,
               problems: list[Problem]) -> ExecuteReply:
    """Test one step on the state the earlier solutions left; returns its solution's reply."""
    path = lesson.path
    if step.wrong_answers:
        wrong_kernel = scratch or kernel
        for wrong in step.wrong_answers:
            _fresh_state(wrong_kernel, lesson, number - 1)
            results = judge_step(step, wrong_kernel.execute(wrong.code), wrong_kernel)
            if all(r.passed for r in results):
                problems.append(Problem(path, wrong.line, f"step {number}: this wrong "
                                                          "answer passes the step's checks"))
        if scratch is None:
            _fresh_state(kernel, lesson, number - 1)
    if all(r.passed for r in judge_step(step, previous, kernel)):
        problems.append(Problem(path, step.line, f"step {number}: its checks already pass "
                                                 "before its solution runs"))
    reply = kernel.execute(step.solution)
    error = reply.result.error
    if error is not None and not _expects_error(step):
        problems.append(Problem(path, step.solution_line, f"step {number}: the solution "
                                                          f"raised {error.type}: "
                                                          f"{error.message}"))
    for check, result in zip(step.checks, judge_step(step, reply, kernel), strict=True):
        if not result.passed:
            problems.append(Problem(path, check.line, f"step {number}: the solution fails "
                                                      f"check {check.kind}: "
                                                      f"{result.message}"))
    return reply


def _fresh_state(kernel: LessonKernel, lesson: Lesson, count: int) -> None:
    """A restarted kernel holding what the first ``count`` solutions leave."""
    kernel.restart()
    for step in lesson.steps[:count]:
        kernel.execute(step.solution)
