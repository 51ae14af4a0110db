"""The lesson pane in the real workspace app, over a real kernel (Pilot)."""

from __future__ import annotations

import errno
from pathlib import Path

from textual.widgets import Markdown, ProgressBar, Static

from gradtui.kernel.client import KernelClient
from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.progress import ProgressSaveError, ProgressStore
from gradtui.lessons.session import LessonSession
from gradtui.tui.app import GradtuiApp, create_app
from gradtui.tui.lesson_pane import LessonPane
from gradtui.tui.widgets.cell_input import CellInput

from .fakes import FakeKernel


async def settle(pilot, app: GradtuiApp, limit: float = 60.0) -> None:
    """Until no kernel or lesson work is running and the pane has shown its verdict."""
    waited = 0.0
    while waited < limit:
        await pilot.pause(0.05)
        waited += 0.05
        screen = app.workspace_screen()
        pane = app.screen.query_one(LessonPane)
        running = [w for w in [*app.workers] if not w.is_finished]
        if screen.state not in ("busy", "starting") and not running and pane.pending == 0:
            await pilot.pause()
            return
    raise AssertionError("the workspace did not settle")


async def run_cell(pilot, app: GradtuiApp, source: str) -> None:
    app.set_input_text(source)
    await pilot.press("enter")
    await settle(pilot, app)


def lesson_two() -> Path:
    return lesson_files([builtin_dir()])[1]


async def test_lesson_two_end_to_end_in_the_workspace(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_two())
    store = ProgressStore(tmp_path)
    session = LessonSession(lesson, store)
    app = create_app(KernelClient(), lesson_session=session, ascii_only=False,
                     history_path=tmp_path / "history")
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            assert pane.display and "Step 1 of 11" in str(pane.query_one("#lesson-heading")
                                                           .render())
            await run_cell(pilot, app, "import torch\nx = torch.ones(3)")  # wrong: free play
            assert pane.feedback is not None and pane.feedback.kind == "fail"
            await pilot.press("f7")  # hint key
            await settle(pilot, app)
            assert pane.feedback.kind == "hint"
            for number, step in enumerate(lesson.steps, start=1):
                await run_cell(pilot, app, step.solution.strip())
                assert pane.feedback.kind in ("pass", "finished"), (number, pane.feedback)
                # The passed step stays on screen, its text to the end, with what changed.
                assert pane.query_one("#lesson-prose", Markdown).source.startswith(step.prose)
                assert f"Step {number} of 11 (done)" in str(
                    pane.query_one("#lesson-heading").render())
                await pilot.press("enter" if number % 2 else "ctrl+n")  # on to the next
                await settle(pilot, app)
            assert pane.feedback.kind == "next" and session.finished
            assert pane.query_one(ProgressBar).progress == 11
            prose = pane.query_one("#lesson-prose", Markdown).source
            assert "Lesson complete: 11 of 11 steps solved, 0 skipped, 1 hint used" in prose
    finally:
        app.client.close()
    saved = store.load()["gradients"]
    assert saved.completed and saved.hints_used == 1


async def test_keys_and_commands_drive_the_lesson(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, ProgressStore(tmp_path))
    kernel = FakeKernel()
    session.attach(kernel)  # solutions run in the fake kernel; the app shows its replies
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            await pilot.press("f8")  # solution goes into the input
            await settle(pilot, app)
            assert app.screen.query_one(CellInput).text == lesson.steps[0].solution
            await run_cell(pilot, app, ":skip")
            assert pane.feedback.kind == "skip" and session.index == 1
            assert kernel.executed[-1] == lesson.steps[0].solution
            await run_cell(pilot, app, ":reset")
            assert pane.feedback.kind == "reset" and kernel.restarts == 1
            await pilot.press("ctrl+r")
            await settle(pilot, app)
            assert pane.feedback.kind == "restart" and session.index == 0
            await run_cell(pilot, app, ":leave")
        assert app.return_code == 0
    finally:
        app.client.close()


async def test_resumed_lesson_replays_earlier_steps_and_plots_the_loss(tmp_path: Path) -> None:
    from textual_plotext import PlotextPlot

    from gradtui.lessons.progress import LessonProgress

    lesson = load_lesson(lesson_files([builtin_dir()])[4])  # gradient descent
    store = ProgressStore(tmp_path)
    store.save(LessonProgress(lesson.id, lesson.title, steps_total=len(lesson.steps),
                              steps_done=3, current_step=3))
    session = LessonSession(lesson, store)
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(130, 40)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            assert pane.feedback.kind == "resume" and session.index == 3
            assert app.workspace_screen().snapshot.tensor("x") is not None  # replayed
            plot = pane.query_one(PlotextPlot)
            assert not plot.has_class("-shown")
            await run_cell(pilot, app, lesson.steps[3].solution.strip())
            assert pane.feedback.kind == "pass" and plot.has_class("-shown")
            assert len(pane.feedback.plot) == 25 and pane.feedback.plot[0] > pane.feedback.plot[-1]
    finally:
        app.client.close()


def lesson_one_app(tmp_path: Path, session: LessonSession) -> GradtuiApp:
    return create_app(KernelClient(), lesson_session=session, ascii_only=True,
                      history_path=tmp_path / "history")


def record_exit_messages(app: GradtuiApp) -> list[str]:
    """What the app will print as it exits (Textual clears its own list once printed)."""
    said: list[str] = []
    real_exit = app.exit

    def exit_and_record(*args: object, **kwargs: object) -> None:
        said.append(str(kwargs.get("message", "")))
        real_exit(*args, **kwargs)

    app.exit = exit_and_record  # type: ignore[method-assign]
    return said


def feedback_text(pane: LessonPane) -> str:
    return str(pane.query_one("#lesson-feedback-text", Static).render())


async def test_a_skipped_step_shows_what_its_solution_showed(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, ProgressStore(tmp_path))
    app = lesson_one_app(tmp_path, session)
    try:
        async with app.run_test(size=(130, 40)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            for _ in range(3):  # the third step's solution is `type(a)`
                await pilot.press("f10")
                await settle(pilot, app)
            assert lesson.steps[2].solution.strip() == "type(a)"
            assert pane.feedback.kind == "skip" and session.index == 3
            shown = feedback_text(pane)
            assert "It showed:" in shown
            assert shown.index("type(a)") < shown.index("<class 'torch.Tensor'>")
    finally:
        app.client.close()


async def test_leaving_says_where_and_how_to_resume(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, ProgressStore(tmp_path))
    session.attach(FakeKernel())
    app = lesson_one_app(tmp_path, session)
    said = record_exit_messages(app)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            for _ in range(2):
                await run_cell(pilot, app, ":skip")
            await pilot.press("ctrl+l")
            await pilot.pause()
    finally:
        app.client.close()
    assert said == [f"You left at step 3 of {len(lesson.steps)}; `gradtui lesson {lesson.id}` "
                    "resumes there. Your progress is saved (0 hints used, 2 skipped)."]


async def test_leaving_a_completed_lesson_gives_its_summary(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, ProgressStore(tmp_path))
    session.attach(FakeKernel())
    app = lesson_one_app(tmp_path, session)
    said = record_exit_messages(app)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await pilot.press("f7")
            await settle(pilot, app)
            for _ in lesson.steps:
                await run_cell(pilot, app, ":skip")
            assert session.finished
            await run_cell(pilot, app, ":leave")
    finally:
        app.client.close()
    steps = len(lesson.steps)
    assert said == [f"Lesson complete: 0 of {steps} steps solved, {steps} skipped, 1 hint used, "
                    "0 solutions shown. Your progress is saved."]


async def test_reset_puts_the_steps_starter_code_back_in_the_input(tmp_path: Path) -> None:
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    # Step 1 starts with `import torch` in the input; step 2 starts with an empty input.
    assert lesson.steps[0].starter.strip() and lesson.steps[1].starter == ""
    session = LessonSession(lesson, ProgressStore(tmp_path))
    session.attach(FakeKernel())
    app = lesson_one_app(tmp_path, session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            cell_input = app.screen.query_one(CellInput)
            pane = app.screen.query_one(LessonPane)
            cell_input.set_text("a = 1 +")  # a half-typed attempt
            await pilot.press("f12")
            await settle(pilot, app)
            assert pane.feedback.kind == "reset" and cell_input.text == lesson.steps[0].starter
            await pilot.press("f10")  # step 1's starter is still in the input, never run
            await settle(pilot, app)
            # Skipping leaves step 1 behind, its unrun starter included: step 2 starts empty.
            assert pane.feedback.kind == "skip" and session.index == 1
            assert cell_input.text == lesson.steps[1].starter
            await pilot.press("end", "a", "=", "5")
            await pilot.press("f12")
            await settle(pilot, app)
            assert pane.feedback.kind == "reset" and session.index == 1
            assert cell_input.text == lesson.steps[1].starter
    finally:
        app.client.close()


async def test_what_a_quick_learner_types_before_the_kernel_is_up_is_kept(tmp_path: Path) -> None:
    """The starter is in the input as soon as the step shows; the lesson's start, which waits
    for the kernel, must not put it there again over what the learner typed meanwhile (a lab
    learner's Enter then ran the starter instead of going on to step 2)."""
    import threading

    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    starter = lesson.steps[0].starter
    assert starter.strip()
    session = LessonSession(lesson, ProgressStore(tmp_path))
    session.attach(FakeKernel())
    kernel_up = threading.Event()
    real_start = session.start

    def slow_start():  # the kernel of a busy lab machine takes its time to answer
        assert kernel_up.wait(30)
        return real_start()

    session.start = slow_start  # type: ignore[method-assign]
    app = lesson_one_app(tmp_path, session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            cell_input = app.screen.query_one(CellInput)
            assert cell_input.text == starter  # at once, before the kernel answers
            await pilot.press("end", *"x = 1")
            typed = cell_input.text
            assert typed.endswith("x = 1") and typed != starter
            kernel_up.set()
            await settle(pilot, app)
            assert app.screen.query_one(LessonPane).feedback.kind == "info"
            assert cell_input.text == typed
    finally:
        kernel_up.set()
        app.client.close()


async def test_the_pane_has_no_text_field_for_keys_to_race_its_bindings(tmp_path: Path) -> None:
    """Typing goes only to the workspace input, which runs its bindings in key order itself
    (CellInput._run_own_binding); a text field added to the pane would need the same care."""
    from textual.widgets import Input, TextArea

    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, ProgressStore(tmp_path))
    session.attach(FakeKernel())
    app = lesson_one_app(tmp_path, session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            assert list(pane.query("*"))  # the query sees the pane's widgets
            assert not [w for w in pane.query("*") if isinstance(w, (Input, TextArea))]
    finally:
        app.client.close()


def test_the_resume_command_names_a_teachers_lesson_folder(tmp_path: Path, monkeypatch) -> None:
    import shutil

    from gradtui.lessons.catalog import resume_command

    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    builtin = load_lesson(lesson_files([builtin_dir()])[0])
    assert resume_command(builtin) == f"gradtui lesson {builtin.id}"
    folder = tmp_path / "class lessons"
    folder.mkdir()
    own = load_lesson(Path(shutil.copy(builtin.path, folder / "07-mine.toml")))
    assert resume_command(own) == f"gradtui lesson {own.id} --lessons '{folder.resolve()}'"


async def test_ascii_mode_puts_only_ascii_on_the_lesson_pane(tmp_path: Path, monkeypatch) -> None:
    import html
    import re

    from textual.scrollbar import ScrollBar

    from gradtui.tui.widgets.ascii_scrollbar import AsciiScrollBarRender

    monkeypatch.setattr(ScrollBar, "renderer", AsciiScrollBarRender)  # as `gradtui --ascii`
    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, ProgressStore(tmp_path))
    session.attach(FakeKernel())
    app = lesson_one_app(tmp_path, session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            svg = app.export_screenshot()
    finally:
        app.client.close()
    text = html.unescape("".join(re.findall(r">([^<>]*)</text>", svg))).replace("\xa0", " ")
    assert "F7 hint | F8 solution" in text and "0%" in text  # keys and progress still said
    assert [c for c in text if not c.isascii()] == []


async def test_a_failed_save_shows_in_the_pane_and_in_the_leave_message(tmp_path: Path) -> None:
    class FullDisk(ProgressStore):
        def save(self, progress: object) -> None:
            raise ProgressSaveError(errno.ENOSPC, f"the disk is full ({self.data_dir})")

    lesson = load_lesson(lesson_files([builtin_dir()])[0])
    session = LessonSession(lesson, FullDisk(tmp_path))
    session.attach(FakeKernel())
    app = lesson_one_app(tmp_path, session)
    said = record_exit_messages(app)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            await run_cell(pilot, app, ":skip")
            assert "! Your progress was not saved: the disk is full" in feedback_text(
                app.screen.query_one(LessonPane))
            await pilot.press("ctrl+l")
            await pilot.pause()
    finally:
        app.client.close()
    assert len(said) == 1 and "Your latest progress could NOT be saved: the disk is full" in said[0]


def lesson_at(tmp_path: Path, number: int, step: int) -> LessonSession:
    """A built-in lesson resumed at 0-based ``step`` (earlier steps replayed)."""
    from gradtui.lessons.progress import LessonProgress

    lesson = load_lesson(lesson_files([builtin_dir()])[number - 1])
    store = ProgressStore(tmp_path)
    store.save(LessonProgress(lesson.id, lesson.title, steps_total=len(lesson.steps),
                              steps_done=step, current_step=step))
    return LessonSession(lesson, store)


async def test_an_error_is_explained_with_its_code_shown_as_code_not_backticks(
        tmp_path: Path) -> None:
    session = lesson_at(tmp_path, 2, 3)  # "backward()", o and y exist
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            await run_cell(pilot, app, "y.backward()")
            assert pane.feedback.kind == "fail" and pane.feedback.problems == []
            content = pane.query_one("#lesson-feedback-text", Static).visual
            shown = str(content)
            assert shown.startswith("Not yet:\n! y.backward() raised RuntimeError: grad can be "
                                    "implicitly created only for scalar outputs.")
            assert "`" not in shown
            code = [shown[span.start:span.end] for span in content.spans
                    if span.style == "$text-warning on $warning 10%"]
            assert code[:3] == ["y.backward()", "backward()", "y.sum().backward()"]
            await run_cell(pilot, app, "import math")  # touches nothing: the verdict stays
            assert pane.feedback.kind == "quiet" and feedback_text(pane).startswith("Not yet")
    finally:
        app.client.close()


async def test_after_a_pass_the_step_stays_until_enter_or_ctrl_n(tmp_path: Path) -> None:
    session = lesson_at(tmp_path, 2, 3)
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            keys = pane.query_one("#lesson-keys", Static)
            await run_cell(pilot, app, "o.backward()")
            assert pane.feedback.kind == "pass"
            heading = str(pane.query_one("#lesson-heading").render())
            assert heading == "Step 4 of 11 (done): backward()"
            prose = pane.query_one("#lesson-prose", Markdown).source
            assert prose.endswith("changes o by 10·ε.\n")  # the text after the code, kept
            assert str(keys.render()).startswith("Enter or ^N: on to step 5")
            assert "x.grad: None → [10., 10.]" in feedback_text(pane)  # the recap
            await run_cell(pilot, app, "x.grad")  # a look: stays on the passed step
            assert pane.feedback.kind == "quiet" and session.shown_index == 3
            await pilot.press("enter")  # on an empty input
            await settle(pilot, app)
            assert pane.feedback.kind == "next" and session.shown_index == 4
            assert "Mistake 1" in str(pane.query_one("#lesson-heading").render())
            assert str(keys.render()).startswith("F7 hint")
            await pilot.press("enter")  # nothing passed: Enter on an empty input does nothing
            await settle(pilot, app)
            assert session.shown_index == 4
    finally:
        app.client.close()


async def test_a_prediction_in_the_workspace(tmp_path: Path) -> None:
    session = lesson_at(tmp_path, 3, 1)  # "One backward": predict w.grad
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            prose = pane.query_one("#lesson-prose", Markdown).source
            assert "**Predict:** What will `w.grad` be after" in prose
            await run_cell(pilot, app, "[1.0, 2.0, 3.0]")
            assert pane.feedback.kind == "pass" and pane.feedback.predicted is False
            shown = feedback_text(pane)
            assert shown.startswith("! Not quite: you predicted [1., 2., 3.], and w.grad is "
                                    "[2., 4., 6.].")
            assert "tensor([2., 4., 6.])" in shown  # what the lesson's run showed
            snapshot = app.workspace_screen().snapshot
            assert snapshot.tensor("w").grad_preview == "[2., 4., 6.]"  # the panels follow
    finally:
        app.client.close()


async def test_ctrl_q_in_a_lesson_says_the_progress_is_saved(tmp_path: Path) -> None:
    session = lesson_at(tmp_path, 2, 3)
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    said = record_exit_messages(app)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            await pilot.press("ctrl+q")
            await pilot.pause()
    finally:
        app.client.close()
    assert said == ["You left at step 4 of 11; `gradtui lesson gradients` resumes there. Your "
                    "progress is saved (0 hints used, 0 skipped)."]


def test_the_keys_line_gives_its_last_keys_way_to_f1_when_narrow() -> None:
    from gradtui.tui.lesson_pane import fit_keys

    keys = ["F7 hint", "F8 solution", "F10 skip", "F12 reset", "^R restart", "^L leave"]
    full = " · ".join(keys)
    assert fit_keys(keys, 0, " · ") == full and fit_keys(keys, len(full), " · ") == full
    assert fit_keys(keys, 56, " · ") == "F7 hint · F8 solution · F10 skip · F12 reset · F1 keys"
    assert fit_keys(keys, 31, " | ") == "F7 hint | F8 solution | F1 keys"
    assert fit_keys(keys, 5, " · ") == "F7 hint"  # never nothing


async def test_a_look_shows_its_output_above_the_verdict_when_the_log_is_on_another_tab(
        tmp_path: Path) -> None:
    """Lesson 1 asks to look at `a`: at 80x24 the log is behind the REPL tab, so the pane
    shows the cell and what it printed, above the verdict, which stays."""
    session = lesson_at(tmp_path, 1, 1)  # "A tensor that requires grad"
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            await run_cell(pilot, app, "a = Variable(torch.ones((3, 2)), requires_grad=True)")
            assert pane.feedback.kind == "pass"
            await run_cell(pilot, app, "a")
            assert pane.feedback.kind == "quiet"
            shown = feedback_text(pane)
            assert shown.startswith(">>> a\ntensor([[1., 1.],")
            assert "requires_grad=True)" in shown
            assert "Step passed!" in shown  # the verdict stays
            await run_cell(pilot, app, "print('one')\nprint('two')")
            shown = feedback_text(pane)
            assert shown.startswith(">>> print('one') ...\none\ntwo\n")
            assert "Step passed!" in shown
            await run_cell(pilot, app, "b = 2")  # nothing to show: the pane is left alone
            assert feedback_text(pane) == shown
    finally:
        app.client.close()


async def test_a_look_is_not_repeated_when_the_log_is_beside_the_pane(tmp_path: Path) -> None:
    session = lesson_at(tmp_path, 1, 1)
    app = create_app(KernelClient(), lesson_session=session, history_path=tmp_path / "h")
    try:
        async with app.run_test(size=(130, 40)) as pilot:
            await settle(pilot, app)
            pane = app.screen.query_one(LessonPane)
            await run_cell(pilot, app, "a = Variable(torch.ones((3, 2)), requires_grad=True)")
            verdict = feedback_text(pane)
            await run_cell(pilot, app, "a")
            assert feedback_text(pane) == verdict
    finally:
        app.client.close()
