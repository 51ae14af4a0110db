from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gradtui.lessons.loader import load_lesson
from gradtui.lessons.model import Lesson, Settings
from gradtui.lessons.progress import ProgressStore
from gradtui.lessons.session import LessonSession

from .fakes import FakeKernel

FIXTURES = Path(__file__).parent / "fixtures"


def tiny(**settings: bool) -> Lesson:
    lesson = load_lesson(FIXTURES / "good.toml")
    return replace(lesson, settings=Settings(**settings)) if settings else lesson


def started(lesson: Lesson, store: ProgressStore | None = None,
            restart: bool = False) -> tuple[LessonSession, FakeKernel]:
    kernel = FakeKernel()
    session = LessonSession(lesson, store, restart=restart)
    session.attach(kernel)
    return session, kernel


def test_a_failing_cell_says_what_is_wrong_and_stays_on_the_step() -> None:
    session, kernel = started(tiny())
    feedback = session.cell_finished(kernel.execute("x = 2"))
    assert feedback.kind == "fail" and not feedback.advanced
    assert feedback.message == "Not yet: `x == 1` is not true yet (it gives False)."
    assert session.index == 0


def test_free_play_between_checks_then_pass_moves_on_with_the_next_starter() -> None:
    session, kernel = started(tiny())
    assert session.start().code == "x = "
    session.cell_finished(kernel.execute("print('just looking')"))
    feedback = session.cell_finished(kernel.execute("x = 0 + 1"))  # another way to 1 passes
    assert (feedback.kind, feedback.advanced, session.index) == ("pass", True, 1)
    assert session.position() == "Step 2 of 2"


def test_finishing_gives_a_summary_and_then_free_play() -> None:
    session, kernel = started(tiny())
    session.hint()
    session.cell_finished(kernel.execute("x = 1"))
    feedback = session.cell_finished(kernel.execute("y = 2"))
    assert feedback.kind == "finished" and session.finished
    assert session.summary().text() == ("Lesson complete: 2 of 2 steps solved, 0 skipped, "
                                        "1 hint used, 0 solutions shown.")
    assert session.cell_finished(kernel.execute("z = 3")).kind == "info"


def test_hints_are_progressive_and_counted() -> None:
    session, _ = started(tiny())
    assert session.hint().message == "Hint 1/2: first hint"
    assert session.hint().message == "Hint 2/2: second hint"
    assert session.hint().message.startswith("No more hints")
    assert session.progress.hints_used == 2
    session.progress.current_step = 1
    assert session.hint().kind == "refused"


def test_solution_goes_to_the_input_unless_the_teacher_forbids_it() -> None:
    session, _ = started(tiny())
    feedback = session.solution()
    assert (feedback.kind, feedback.code) == ("solution", "x = 1")
    assert session.progress.solutions_shown == 1
    locked, _ = started(tiny(allow_solution=False))
    assert locked.solution().kind == "refused"


def test_skip_runs_the_solution_so_later_steps_work_and_counts_it() -> None:
    session, kernel = started(tiny(allow_skip=True))
    feedback = session.skip()
    assert feedback.kind == "skip" and feedback.advanced and kernel.executed == ["x = 1"]
    assert session.cell_finished(kernel.execute("y = x + 1")).kind == "finished"
    assert session.summary().skipped == 1 and session.summary().passed == 1


def test_skip_shows_what_the_solution_printed_and_echoed() -> None:
    lesson = tiny(allow_skip=True)
    first = replace(lesson.steps[0], solution="x = 1\nprint('hello')\nx + 41")
    session, _ = started(replace(lesson, steps=[first, *lesson.steps[1:]]))
    assert session.skip().shown_output == "hello\n42"


def test_skip_shows_the_error_a_solution_raises_on_purpose() -> None:
    lesson = tiny(allow_skip=True)
    first = replace(lesson.steps[0], solution="x = 1\n1 / 0")
    session, _ = started(replace(lesson, steps=[first, *lesson.steps[1:]]))
    assert session.skip().shown_output == "ZeroDivisionError: division by zero"


def test_skip_is_refused_when_the_teacher_locks_it() -> None:
    session, kernel = started(tiny())  # good.toml sets allow_skip = false
    assert session.skip().kind == "refused" and session.index == 0 and not kernel.executed


def test_a_kernel_restarted_outside_the_lesson_is_noticed_with_a_command_for_both_front_ends(
) -> None:
    session, kernel = started(tiny())
    session.cell_finished(kernel.execute("x = 1"))  # step 1 passed
    kernel.count = 0  # the learner's own :restart: a fresh kernel counts cells from 1 again
    feedback = session.cell_finished(kernel.execute("z = 3"))
    assert feedback.kind == "fail"
    # the plain REPL has no F-keys: the command comes first
    assert feedback.problems[-1].endswith("are gone: type :reset (F12 in the workspace) to "
                                          "rebuild them.")


def test_reset_step_restarts_the_kernel_and_replays_earlier_solutions() -> None:
    session, kernel = started(tiny())
    session.cell_finished(kernel.execute("x = 1"))
    kernel.execute("x = 99")  # the learner breaks the state
    feedback = session.reset_step()
    assert feedback.kind == "reset" and kernel.restarts == 1
    assert kernel.namespace["x"] == 1 and session.index == 1


def test_restart_lesson_starts_from_step_one_with_fresh_counts(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    session, kernel = started(tiny(), store)
    session.hint()
    session.cell_finished(kernel.execute("x = 1"))
    feedback = session.restart_lesson()
    assert (feedback.kind, session.index, session.progress.hints_used) == ("restart", 0, 0)
    assert store.load()["tiny"].current_step == 0 and kernel.restarts == 1


def test_progress_is_saved_after_every_step_and_resumed_with_replay(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    session, kernel = started(tiny(), store)
    session.cell_finished(kernel.execute("x = 1"))
    saved = store.load()["tiny"]
    assert (saved.current_step, saved.steps_done, saved.completed) == (1, 1, False)
    assert saved.last_active

    again, new_kernel = started(tiny(), store)
    feedback = again.start()
    assert feedback.kind == "resume" and again.index == 1
    assert new_kernel.executed == ["x = 1"] and new_kernel.namespace["x"] == 1
    assert again.cell_finished(new_kernel.execute("y = x + 1")).kind == "finished"
    assert store.load()["tiny"].completed


def test_restart_flag_ignores_saved_progress(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    session, kernel = started(tiny(), store)
    session.cell_finished(kernel.execute("x = 1"))
    fresh, _ = started(tiny(), store, restart=True)
    assert fresh.index == 0 and store.load()["tiny"].current_step == 0


def test_progress_of_a_lesson_whose_steps_changed_is_not_resumed(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    session, kernel = started(tiny(), store)
    session.cell_finished(kernel.execute("x = 1"))
    longer = tiny()
    longer = replace(longer, steps=longer.steps + longer.steps[:1])
    assert started(longer, store)[0].index == 0


def test_a_plot_series_is_read_after_each_cell() -> None:
    lesson = tiny()
    lesson = replace(lesson, steps=(replace(lesson.steps[0], plot="losses"), lesson.steps[1]))
    session, kernel = started(lesson)
    feedback = session.cell_finished(kernel.execute("losses = [3.0, 2, 1.5]"))
    assert feedback.plot == [3.0, 2.0, 1.5]
    assert session.cell_finished(kernel.execute("losses = 'oops'")).plot is None


def test_opening_a_completed_lesson_says_so(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    session, kernel = started(tiny(), store)
    session.cell_finished(kernel.execute("x = 1"))
    session.cell_finished(kernel.execute("y = 2"))
    again, new_kernel = started(tiny(), store)
    feedback = again.start()
    assert feedback.message.startswith("You have completed this lesson. Lesson complete: 2 of 2")
    assert not new_kernel.executed


def test_a_kernel_restart_outside_the_lesson_is_noticed_and_reset_fixes_it() -> None:
    session, kernel = started(tiny())
    session.cell_finished(kernel.execute("x = 1"))
    kernel.restart()  # e.g. F9 or :restart in the front end
    feedback = session.cell_finished(kernel.execute("y = x + 1"))
    assert feedback.kind == "fail" and "The kernel was restarted" in feedback.message
    session.reset_step()
    assert not session.kernel_lost
    assert session.cell_finished(kernel.execute("y = x + 1")).kind == "finished"


def test_the_lessons_own_restarts_are_not_mistaken_for_outside_ones() -> None:
    session, kernel = started(tiny())
    session.cell_finished(kernel.execute("x = 1"))
    session.reset_step()
    feedback = session.cell_finished(kernel.execute("y = 5"))
    assert feedback.kind == "fail" and "restarted" not in feedback.message
