from __future__ import annotations

import errno
from dataclasses import replace
from pathlib import Path

import pytest

from gradtui.lessons.loader import load_lesson
from gradtui.lessons.model import Lesson, Settings
from gradtui.lessons.progress import LessonProgress, ProgressSaveError, ProgressStore
from gradtui.lessons.session import IDLE_CAP_S, LessonSession

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


def test_free_play_between_checks_then_a_pass_keeps_the_step_until_the_learner_moves_on(
        ) -> None:
    session, kernel = started(tiny())
    assert session.start().code == "x = "
    assert session.cell_finished(kernel.execute("print('just looking')")).kind == "quiet"
    feedback = session.cell_finished(kernel.execute("x = 0 + 1"))  # another way to 1 passes
    assert (feedback.kind, feedback.advanced, session.index) == ("pass", False, 1)
    assert session.shown_step is session.lesson.steps[0]  # the passed step stays on screen
    assert session.position() == "Step 1 of 2 (done)"
    assert session.hint().kind == "refused"  # a hint would be for a step not yet read
    moved = session.next_step()
    assert (moved.kind, moved.advanced) == ("next", True)
    assert session.shown_step is session.lesson.steps[1] and session.position() == "Step 2 of 2"


def test_finishing_gives_a_summary_and_then_free_play() -> None:
    session, kernel = started(tiny())
    session.hint()
    session.cell_finished(kernel.execute("x = 1"))
    feedback = session.cell_finished(kernel.execute("y = 2"))  # passes step 2 while reading 1
    assert feedback.kind == "finished" and feedback.advanced and session.finished
    assert session.summary().text() == ("Lesson complete: 2 of 2 steps solved, 0 skipped, "
                                        "1 hint used, 0 solutions shown.")
    assert feedback.message == "Step passed: that was the last step!"
    assert session.cell_finished(kernel.execute("z = 3")).kind == "info"
    assert session.next_step().kind == "next" and session.shown_step is None


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
    assert session.review is None  # a skipped step is not reviewed: its solution is shown
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
    session.next_step()
    kernel.count = 0  # the learner's own :restart: a fresh kernel counts cells from 1 again
    feedback = session.cell_finished(kernel.execute("z = 3"))
    assert feedback.kind == "fail"
    # the plain REPL has no F-keys: the command comes first
    assert feedback.notes[0].endswith("are gone: type :reset (F12 in the workspace) to "
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
    assert feedback.kind == "resume" and again.index == 1 and again.review is None
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
    session.next_step()
    kernel.restart()  # e.g. F9 or :restart in the front end
    feedback = session.cell_finished(kernel.execute("y = x + 1"))
    assert feedback.kind == "fail" and "The kernel was restarted" in feedback.message
    assert len(feedback.notes) == 1  # not also "that name does not exist"
    session.reset_step()
    assert not session.kernel_lost
    assert session.cell_finished(kernel.execute("y = x + 1")).kind == "finished"


def test_the_lessons_own_restarts_are_not_mistaken_for_outside_ones() -> None:
    session, kernel = started(tiny())
    session.cell_finished(kernel.execute("x = 1"))
    session.reset_step()
    feedback = session.cell_finished(kernel.execute("y = 5"))
    assert feedback.kind == "fail" and "restarted" not in feedback.message


class Clock:
    """A hand-driven clock for the step timings."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_step_records_time_cells_help_and_the_checks_that_failed(tmp_path: Path) -> None:
    store, clock = ProgressStore(tmp_path), Clock()
    session = LessonSession(tiny(), store, clock=clock)
    kernel = FakeKernel()
    session.attach(kernel)
    session.start()
    clock.now += 30
    session.cell_finished(kernel.execute("x = 2"))
    clock.now += 3600  # away for an hour: counts as the idle cap, not an hour
    session.hint()
    clock.now += 5
    session.solution()
    clock.now += 10
    session.cell_finished(kernel.execute("x = 1"))
    record = store.load()["tiny"].steps[0]
    assert record.seconds == 30 + IDLE_CAP_S + 5 + 10
    assert (record.cells, record.hints, record.solutions, record.passes) == (2, 1, 1, 1)
    assert record.fails == {"expr x == 1": 1}
    session.cell_finished(kernel.execute("print(1)"))  # while step 1 is shown: not counted
    session.next_step()
    clock.now += 7
    session.cell_finished(kernel.execute("y = 3"))  # saved at once, though the step failed
    assert store.load()["tiny"].steps[1].fails == {"expr y == 2": 1}


def test_restarting_a_completed_lesson_keeps_its_completion_and_counts_attempts(
    tmp_path: Path,
) -> None:
    store = ProgressStore(tmp_path)
    session, kernel = started(tiny(), store)
    session.solution()
    session.cell_finished(kernel.execute("x = 1"))
    session.cell_finished(kernel.execute("y = 2"))
    again, _ = started(tiny(), store, restart=True)  # `gradtui lesson tiny --restart`
    saved = store.load()["tiny"]
    assert (again.index, saved.current_step, saved.attempts, saved.completions) == (0, 0, 2, 1)
    assert saved.first_completion is not None and saved.first_completion.solutions_shown == 1
    again.restart_lesson()  # restarting the untouched new attempt is not a third
    assert store.load()["tiny"].attempts == 2


class BrokenDisk(ProgressStore):
    """A store whose saves fail (as on a full disk) until ``fixed`` is set."""

    fixed = False

    def save(self, progress: LessonProgress) -> None:
        if not self.fixed:
            raise ProgressSaveError(errno.ENOSPC, f"the disk is full ({self.data_dir})")
        super().save(progress)


def test_a_failed_save_is_told_with_every_feedback_until_one_works(tmp_path: Path) -> None:
    store = BrokenDisk(tmp_path)
    session, kernel = started(tiny(), store)
    first = session.cell_finished(kernel.execute("x = 1"))
    assert first.kind == "pass"
    assert first.notice.startswith("Your progress was not saved: the disk is full")
    assert session.hint().notice == first.notice and not session.progress_saved
    assert session.saved_note().startswith("Your latest progress could NOT be saved: the disk")
    store.fixed = True
    session.next_step()
    assert session.cell_finished(kernel.execute("y = 1")).notice == "Your progress is saved again."
    assert session.hint().notice == "" and session.progress_saved
    # nothing was lost: the step passed while the disk was full is on disk now
    assert store.load()["tiny"].current_step == 1


def test_a_progress_file_set_aside_is_told_once_in_the_lesson(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("{broken")
    session, _ = started(tiny(), ProgressStore(tmp_path))
    assert "was unreadable" in session.start().notice
    assert session.hint().notice == ""


# --- feedback that reads the cell ------------------------------------------------------------

def lesson_from(tmp_path: Path, steps: str) -> Lesson:
    path = tmp_path / "lesson.toml"
    path.write_text(f'id = "t"\ntitle = "T"\n{steps}', encoding="utf-8")
    return load_lesson(path)


TWO_LINES = '''
[[steps]]
prose = "p"
solution = """
a = [1, 2]
total = sum(a)
"""
[[steps.checks]]
kind = "expr"
expr = "total == 3"
[[steps.wrong_answers]]
code = "total = len(a)"
note = "`len` counts; `sum` adds."
[[steps.error_notes]]
type = "NameError"
contains = "'a'"
note = "Make `a` first."
code = "total = sum(a)"
[[steps]]
prose = "q"
solution = "b = total * 2"
[[steps.checks]]
kind = "expr"
expr = "b == 6"
'''


def test_an_import_or_a_look_around_gets_no_not_yet(tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    for cell in ("import math", "print('hello')", "1 + 1", "z = 5"):
        assert session.cell_finished(kernel.execute(cell)).kind == "quiet", cell


def test_the_steps_code_a_line_at_a_time_is_judged_only_at_its_last_line(
        tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    assert session.cell_finished(kernel.execute("a = [1, 2]")).kind == "quiet"
    assert session.cell_finished(kernel.execute("total = sum(a)")).kind == "pass"


def test_a_change_that_leaves_a_check_failing_is_an_attempt(tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    feedback = session.cell_finished(kernel.execute("total = 7"))
    assert feedback.kind == "fail" and feedback.notes == []
    assert feedback.problems == ["`total == 3` is not true yet (it gives False)."]
    # The same failing state again is not news: no second "Not yet".
    assert session.cell_finished(kernel.execute("total = 7")).kind == "quiet"


def test_an_error_comes_first_and_hides_what_the_checks_would_say(tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    feedback = session.cell_finished(kernel.execute("total = sum(a)"))
    assert feedback.kind == "fail" and feedback.problems == []
    assert feedback.notes == ["The cell raised NameError: name 'a' is not defined. Make `a` first."]
    assert feedback.message == "Not yet: " + feedback.notes[0]


def test_an_anticipated_mistake_gets_its_note(tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    feedback = session.cell_finished(kernel.execute("a = [1, 2]\ntotal = len( a )"))
    assert feedback.kind == "fail" and feedback.notes == ["`len` counts; `sum` adds."]
    assert feedback.problems == []  # the note says it better than the check


def test_after_a_pass_cells_are_free_play_unless_they_pass_the_next_step(
        tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    session.cell_finished(kernel.execute("a = [1, 2]\ntotal = sum(a)"))
    assert session.review is not None
    looking = session.cell_finished(kernel.execute("b = 5"))  # wrong for step 2, unread
    assert looking.kind == "quiet" and session.review is not None
    moved = session.cell_finished(kernel.execute("b = total * 2"))
    assert (moved.kind, moved.advanced) == ("finished", True)
    assert session.shown_step is session.lesson.steps[1]


PREDICT = '''
[[steps]]
prose = "p"
solution = "g = None"
[[steps.checks]]
kind = "expr"
expr = "g is None"
[[steps]]
prose = "Predict."
solution = "[2.0, 4.0]"
[[steps.checks]]
kind = "predict"
run = "g = [v * 2 for v in [1.0, 2.0]]\\ng"
answer = "g"
explain = "Each doubles."
[[steps.wrong_answers]]
code = "[1.0, 2.0]"
note = "That is before doubling."
'''


def test_a_prediction_runs_the_code_and_a_wrong_one_teaches_without_blocking(
        tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, PREDICT))
    session.start()
    session.cell_finished(kernel.execute("g = None"))
    assert session.cell_finished(kernel.execute("[9, 9]")).kind == "quiet"  # unread: no guess
    session.next_step()
    feedback = session.cell_finished(kernel.execute("[1, 2]"))
    assert feedback.kind == "finished" and feedback.predicted is False
    assert feedback.message == ("Not quite: you predicted `[1, 2]`, and `g` is `[2., 4.]`. "
                                "That is before doubling. Each doubles.")
    assert feedback.shown_code == "g = [v * 2 for v in [1.0, 2.0]]\ng"
    assert feedback.shown_output == "[2.0, 4.0]"
    assert kernel.namespace["g"] == [2.0, 4.0]


def test_a_right_prediction_and_code_where_a_value_was_asked_for(tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, PREDICT))
    session.start()
    session.cell_finished(kernel.execute("g = None"))
    session.next_step()
    asked = session.cell_finished(kernel.execute("g = 3"))
    assert asked.kind == "fail" and "wants your prediction first" in asked.message
    right = session.cell_finished(kernel.execute("[2, 4]"))
    assert right.predicted is True
    assert right.message == "Right: `g` is `[2., 4.]`, as you predicted. Each doubles."


def test_skipping_or_replaying_a_predict_step_runs_its_code_not_the_guess(
        tmp_path: Path) -> None:
    lesson = lesson_from(tmp_path, PREDICT)
    session, kernel = started(replace(lesson, settings=Settings(allow_skip=True)))
    session.start()
    session.cell_finished(kernel.execute("g = None"))
    session.next_step()
    skipped = session.skip()
    assert skipped.shown_code == "g = [v * 2 for v in [1.0, 2.0]]\ng"
    assert kernel.namespace["g"] == [2.0, 4.0]


def test_the_recap_says_what_the_step_changed() -> None:
    from gradtui.kernel.protocol import ExecuteReply, Snapshot, TensorInfo

    session, kernel = started(tiny())
    session.start()
    after = Snapshot(tensors=[TensorInfo("x", [], "torch.float32", False, True, None, None,
                                         "1.", None)])
    reply = kernel.execute("x = 1")
    feedback = session.cell_finished(ExecuteReply(reply.result, after, reply.source))
    assert feedback.recap == ["new `x`: `1.`, one number, no graph"]
    assert session.review is not None and session.review.recap == tuple(feedback.recap)


def test_the_last_step_names_the_next_lesson(tmp_path: Path) -> None:
    from gradtui.lessons.session import NextLesson

    session = LessonSession(tiny(), up_next=NextLesson(3, "Accumulation", "gradtui lesson 3"))
    kernel = FakeKernel()
    session.attach(kernel)
    session.cell_finished(kernel.execute("x = 1"))
    done = session.cell_finished(kernel.execute("y = 2"))
    assert done.up_next == "Next: lesson 3, “Accumulation”: `gradtui lesson 3`."
    last = LessonSession(tiny(), last_lesson=True)
    assert last.up_next_text() == "That was the last lesson of the course: well done!"
    assert LessonSession(tiny()).up_next_text() == ""


@pytest.mark.parametrize("number", [1, 2, 6])
def test_an_import_line_gets_no_not_yet_in_the_gradtui_kernel(number: int) -> None:
    """The first line of a lesson's first step, typed alone, in the real kernel."""
    from gradtui.kernel.client import KernelClient
    from gradtui.lessons.catalog import builtin_dir, lesson_files

    lesson = load_lesson(lesson_files([builtin_dir()])[number - 1])
    with KernelClient() as kernel:
        session = LessonSession(lesson)
        session.attach(kernel)
        session.start()
        assert session.cell_finished(kernel.execute("import torch")).kind == "quiet"
        for line in ("import torch.nn.functional as F", "from torch.autograd import Variable"):
            feedback = session.cell_finished(kernel.execute(line))  # quiet, or a pass
            assert feedback.kind != "fail" and "Not yet" not in feedback.message, line


def test_an_error_while_a_passed_step_is_read_is_explained_but_not_judged(
        tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, TWO_LINES))
    session.start()
    session.cell_finished(kernel.execute("a = [1, 2]\ntotal = sum(a)"))
    feedback = session.cell_finished(kernel.execute("undefined_name"))
    assert feedback.kind == "note" and session.review is not None
    assert feedback.notes[0].startswith("The cell raised NameError: name 'undefined_name' is "
                                        "not defined. That name does not exist")
    assert session.progress.step_record(1).cells == 0  # no attempt at step 2 was recorded


def test_a_wrong_answer_that_is_the_first_line_of_the_solution_waits_for_the_rest(
        tmp_path: Path) -> None:
    steps = TWO_LINES.replace('code = "total = len(a)"', 'code = "a = [1, 2]"')
    session, kernel = started(lesson_from(tmp_path, steps))
    session.start()
    assert session.cell_finished(kernel.execute("a = [1, 2]")).kind == "quiet"


SPLIT_MISTAKE = '''
[[steps]]
prose = "p"
solution = """
a = [1, 2]
total = sum(a)
"""
[[steps.checks]]
kind = "expr"
expr = "total == 3"
[[steps.wrong_answers]]
code = """
a = [1, 2, 3]
total = sum(a)
"""
note = "Two numbers, not three."
'''


def test_a_wrong_answer_of_several_statements_typed_a_cell_at_a_time_gets_its_note(
        tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, SPLIT_MISTAKE))
    session.start()
    session.cell_finished(kernel.execute("a = [1, 2, 3]"))
    # alone, this line is the step's own last line; after the one before, it is the mistake
    feedback = session.cell_finished(kernel.execute("total = sum(a)"))
    assert feedback.kind == "fail" and feedback.notes == ["Two numbers, not three."]
    # the right code, a line at a time, is still only judged at its last line
    assert session.cell_finished(kernel.execute("a = [1, 2]")).kind == "quiet"
    assert session.cell_finished(kernel.execute("total = sum(a)")).kind == "finished"


def test_a_wrong_answer_is_matched_within_one_step_only(tmp_path: Path) -> None:
    session, kernel = started(lesson_from(tmp_path, SPLIT_MISTAKE))
    session.start()
    session.cell_finished(kernel.execute("a = [1, 2, 3]"))
    session.reset_step()  # a fresh start of the step forgets the cells before it
    feedback = session.cell_finished(kernel.execute("total = sum(a)"))
    assert "Two numbers, not three." not in feedback.notes


def test_lesson_6_a_loss_from_an_earlier_pred_does_not_pass_step_3() -> None:
    """Computed from the wrong-shaped ``pred``, the loss is 4.3541 all the same (w = b = 0):
    fixing ``pred`` alone must not pass the step (in the real kernel, with gradtui's engine)."""
    from gradtui.kernel.client import KernelClient
    from gradtui.lessons.catalog import builtin_dir, lesson_files

    lesson = load_lesson(lesson_files([builtin_dir()])[5])
    assert lesson.steps[2].title == "Predictions and the loss"
    with KernelClient() as kernel:
        session = LessonSession(lesson)
        session.attach(kernel)
        session.start()
        session.skip()
        session.next_step()
        session.skip()
        session.next_step()
        assert session.index == 2
        session.cell_finished(kernel.execute("pred = w * X.unsqueeze(1) + b"))
        warned = session.cell_finished(kernel.execute("loss = F.mse_loss(pred, Y)"))
        assert warned.kind == "fail"
        assert any("X.unsqueeze(1)` makes a column" in note for note in warned.notes)
        # The fix of pred is an attempt; the feedback says what is left: the loss.
        stale = session.cell_finished(kernel.execute("pred = X * w + b"))
        assert stale.kind == "fail" and session.index == 2
        assert "`loss` must come from `pred` as it is now" in stale.message
        # The step's own first line again: on the way (quiet), and no pass on the old loss.
        retyped = session.cell_finished(kernel.execute("pred = w * X + b"))
        assert retyped.kind == "quiet" and session.index == 2
        assert session.cell_finished(kernel.execute("loss = F.mse_loss(pred, Y)")).kind == "pass"
