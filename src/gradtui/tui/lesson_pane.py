"""The workspace's lesson pane: the step's prose, a progress bar, and every cell's verdict.

The workspace mounts ``LessonPane(session)`` and calls it through ``LessonPaneHooks``
(``gradtui.tui.lesson_seam``, docs/contracts.md "Lessons"): ``cell_finished(reply)`` after every
cell, unknown ``:commands`` to ``command``, ``APP_BINDINGS`` to ``do``. The pane answers with
messages (a snapshot to paint, an area or a graph to show) and uses the app through
``LessonHost``. The ``LessonSession`` talks to the kernel (replays, ``expr`` checks), so every
session call runs in a thread worker and the pane repaints from its ``Feedback`` back on the
event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Markdown, ProgressBar, Static
from textual_plotext import PlotextPlot

from gradtui.kernel.protocol import ExecuteReply, Snapshot
from gradtui.lessons.catalog import resume_command
from gradtui.lessons.inline import code_pieces
from gradtui.lessons.session import Feedback, LessonSession, counted
from gradtui.tui.lesson_seam import LessonHost
from gradtui.tui.messages import AreaWanted, GraphWanted, LessonSnapshot

# Lesson actions and the `:commands` that name them.
COMMANDS = {"hint": "hint", "solution": "solution", "skip": "skip", "reset": "reset",
            "restart-lesson": "restart", "leave": "leave", "lesson": "show", "next": "next"}

# How a note that explains the cell's error begins (lessons.diagnosis).
_explained_error_starts = ("`", "The cell raised", "The cell was interrupted")

# Inline code in messages looks like the Markdown prose's inline code.
CODE_STYLE = "$text-warning on $warning 10%"
PREDICT_HOW = ("Type the value you expect (a number, or a list such as `[1.0, 2.0]`) and "
               "press Enter; the lesson then runs the code and shows what happens.")


class StepScroll(VerticalScroll, can_focus=False):
    """The step's text and plot, scrolling together; says when its viewport changes height.

    The verdict and the keys line below it take their room first, and can change height a
    layout pass after the pane fitted the plot to the room left (the plot's x-axis was then
    cut off the bottom, at 100x30 about one time in three). ``Resize`` does not bubble, so
    this message tells the pane to fit the plot again.
    """

    class ViewportChanged(Message):
        """The text's viewport (the room the plot must fit in) changed height."""

    def __init__(self, *children: Any, **kwargs: Any) -> None:
        super().__init__(*children, **kwargs)
        self._height: int | None = None

    def on_resize(self, event: events.Resize) -> None:
        if event.size.height != self._height:  # (not for a change of the content's size)
            self._height = event.size.height
            self.post_message(self.ViewportChanged())


class LessonPane(Vertical, can_focus=True):
    """One lesson, one step at a time.

    Layout, top to bottom: the heading and progress bar; the step's text (and its plot, after
    the text) in one scroll that takes the room left; the verdict (at most 45% of the pane,
    scrolling on its own); the keys line, docked at the bottom. The verdict and the keys are
    laid out before the text, so no plot or long step can push them off the pane, however
    short it gets (80x24 with a long cell in the input): the text keeps one row. With the
    pane focused the arrow, page, Home and End keys scroll the step's text; Tab moves to the
    verdict, where they scroll the verdict.
    """

    BINDINGS = [
        Binding("up", "scroll_text('up')", "Scroll up", show=False),
        Binding("down", "scroll_text('down')", "Scroll down", show=False),
        Binding("pageup", "scroll_text('page_up')", "Page up", show=False),
        Binding("pagedown", "scroll_text('page_down')", "Page down", show=False),
        Binding("home", "scroll_text('home')", "Top", show=False),
        Binding("end", "scroll_text('end')", "Bottom", show=False),
    ]

    APP_BINDINGS = [
        Binding("f7", "hint", "Hint"),
        Binding("f8", "solution", "Solution"),
        Binding("f10", "skip", "Skip step"),
        Binding("f12", "reset", "Reset step"),
        Binding("ctrl+r", "restart", "Restart lesson"),
        Binding("ctrl+l", "leave", "Leave lesson"),
        Binding("ctrl+n", "next", "Next step"),
    ]

    # Not scoped: one rule needs the workspace screen's -wide class above the pane.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    LessonPane { border: round $accent; padding: 0 1; height: 1fr; }
    LessonPane:focus, LessonPane:focus-within { border: round $accent-lighten-2; }
    LessonPane #lesson-heading { text-style: bold; height: auto; }
    LessonPane #lesson-progress { height: 1; }
    LessonPane #lesson-progress Bar { width: 1fr; }
    LessonPane #lesson-scroll { height: 1fr; min-height: 1; }
    LessonPane #lesson-prose { margin: 0; padding: 0; }
    /* A step's code is shaded and indented already: the blank padding rows Textual adds above
       and below it cost a 24-row screen the code's own lines. */
    LessonPane #lesson-prose MarkdownFence > Label { padding: 0 2; }
    LessonPane #lesson-plot { height: 12; display: none; }
    LessonPane #lesson-plot.-shown { display: block; }
    LessonPane #lesson-feedback { height: auto; max-height: 45%; border-top: hkey $accent; }
    LessonPane #lesson-feedback:focus { border-top: hkey $accent-lighten-2; }
    LessonPane #lesson-feedback-text { height: auto; }
    LessonPane #lesson-keys { height: auto; color: $text-muted; dock: bottom; }
    /* --ascii: no box-drawing glyphs (the bar's are; its percentage still shows progress) */
    WorkspaceScreen.-ascii LessonPane #lesson-progress Bar { display: none; }
    WorkspaceScreen.-ascii LessonPane #lesson-feedback { border-top: ascii $accent; }
    """

    def __init__(self, session: LessonSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.feedback: Feedback | None = None  # the latest verdict (tests and repaints read it)
        self.pending = 0  # session calls still running in workers
        self._echo = ""  # the last cell's output, shown with its verdict on narrow screens
        self._verdict: Feedback | None = None  # what the verdict area shows
        self._source = ""  # the last cell's code
        self._plot_leaving = False  # the plot shown belongs to the step just passed
        self._plot_pinned = False  # scrolled to the plot, and kept there as the verdict changes
        self._plot_values: list[float] | None = None  # the series shown last
        self._earlier_plot: list[float] | None = None  # the series the steps before showed
        # One session call at a time. Not a queue: a Lock does not promise arrival order, which
        # holds in practice because cells reach the pane one kernel round trip apart.
        self._lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-heading")
        yield ProgressBar(total=len(self.session.lesson.steps), show_eta=False,
                          id="lesson-progress")
        with StepScroll(id="lesson-scroll"):  # the pane's keys scroll it
            yield Markdown(id="lesson-prose")
            yield PlotextPlot(id="lesson-plot")  # part of the step: it scrolls and leaves with it
        yield VerticalScroll(Static(id="lesson-feedback-text"), id="lesson-feedback")
        yield Static(id="lesson-keys")

    def on_mount(self) -> None:
        self.border_title = self.session.lesson.title
        self._show_step()
        session = self.session
        # The step's starter goes in the input now, with the step on screen: put there when the
        # kernel is up, it replaced what a quick learner had typed (or was run instead of their
        # next Enter), so the start's feedback leaves the input alone.
        if session.step is not None and session.step.starter:
            self.host.set_input_text(session.step.starter)
        if session.kernel is None:
            session.attach(self.host.client)
        self._run(lambda: replace(session.start(), code=""))

    # -- the app's hooks --------------------------------------------------------------------

    def cell_finished(self, reply: ExecuteReply) -> None:
        """Judge the current step on a finished cell (in a worker: checks may ask the kernel;
        a predict step even runs the step's code)."""
        # Below 120 columns the REPL log is on another tab: repeat the cell's output here so
        # the learner sees what they got next to what the step wanted.
        self._echo = "" if self._log_beside() else cell_echo(reply)
        self._source = reply.source
        predicts = self.session.step is not None and self.session.step.predict is not None
        self._run(lambda: self.session.cell_finished(reply), changes_kernel=predicts)

    def empty_enter(self) -> None:
        """Enter on an empty input: after a pass, on to the next step (else nothing)."""
        if self.session.review is not None:
            self.do("next")

    def command(self, name: str, arg: str) -> bool:
        """``:hint``, ``:solution``, ``:skip``, ``:reset``, ``:restart-lesson``, ``:leave``,
        ``:lesson``, ``:next``; False for any other name."""
        action = COMMANDS.get(name)
        if action is None:
            return False
        self.do(action)
        return True

    def do(self, name: str) -> None:
        """Run lesson action ``name`` (a key of ``APP_BINDINGS`` or a command)."""
        session = self.session
        actions: dict[str, Callable[[], Feedback]] = {
            "hint": session.hint, "solution": session.solution, "skip": session.skip,
            "reset": session.reset_step, "restart": session.restart_lesson,
            "next": session.next_step,
        }
        if name == "leave":
            self.app.exit(0, message=leave_message(session))
        elif name == "show":
            self._show_step()
            self.post_message(AreaWanted("lesson"))
        elif name in actions:
            self._run(actions[name], changes_kernel=name in ("skip", "reset", "restart"))

    # -- workers ----------------------------------------------------------------------------

    def _run(self, call: Callable[[], Feedback], *, changes_kernel: bool = True) -> None:
        self.pending += 1

        def work() -> None:
            with self._lock:
                try:
                    feedback = call()
                except Exception as exc:  # a dead kernel must not take the workspace down
                    feedback = Feedback("refused", f"The lesson could not do that: {exc}")
                snapshot = None
                if changes_kernel:
                    try:
                        snapshot = self.host.client.snapshot()
                    except Exception:  # the panels simply keep their last picture
                        snapshot = None
            self.app.call_from_thread(self._apply, feedback, snapshot)

        self.run_worker(work, thread=True, group="lesson")

    def _apply(self, feedback: Feedback, snapshot: Snapshot | None) -> None:
        self.pending -= 1
        self.feedback = feedback
        if snapshot is not None:
            self.post_message(LessonSnapshot(snapshot))
        if feedback.kind == "quiet" and not feedback.notice:
            # The cell touched nothing the step reads: the verdict shown stays true. Below 120
            # columns the log is on another tab, so what the cell showed (`a` to look at a
            # tensor, a print) goes above that verdict, or the learner would see nothing.
            if self._echo and self._verdict is not None:
                self._show_feedback(self._verdict, looked_at=self._source)
            self._echo = ""
            self._show_plot(feedback.plot, feedback.plot_name)
            return
        if feedback.advanced or feedback.kind in ("resume", "reset", "restart"):
            self._show_step()
        elif feedback.kind in ("pass", "finished"):
            # The passed step's text stays, to be read to its end: what follows the code
            # usually explains what the learner just saw.
            self._show_heading()
            self.query_one("#lesson-scroll", VerticalScroll).scroll_end(animate=False)
        self._show_feedback(feedback)
        self._show_plot(feedback.plot, feedback.plot_name)
        if not self.display and feedback.kind in ("pass", "fail", "finished"):
            # Below 120 columns the learner may be on another tab: a toast says how it went.
            text = feedback.message if feedback.kind != "fail" else "Not yet: " + (
                [*feedback.notes, *feedback.problems] or [""])[0]
            self.app.notify(plain(text)[:200] + " (F6: lesson)", title="Lesson",
                            severity="warning" if feedback.kind == "fail" else "information")
        if feedback.code or feedback.kind in ("reset", "restart", "skip"):
            # Starting over (or skipping ahead) empties the input too when the step has no
            # starter code: the attempt, or an earlier step's unrun starter, belongs to the old
            # step. (Not after a pass: the learner may already be typing the next cell.)
            self.host.set_input_text(feedback.code)

    # -- painting ---------------------------------------------------------------------------

    def _show_heading(self) -> None:
        session = self.session
        step = session.shown_step
        title = f": {step.title}" if step is not None and step.title else ""
        self.query_one("#lesson-heading", Static).update(f"{session.position()}{title}")
        self.query_one(ProgressBar).update(total=len(session.lesson.steps),
                                           progress=session.progress.steps_done)
        self._show_keys()

    def _show_step(self) -> None:
        session = self.session
        step = session.shown_step
        self._show_heading()
        if step is None:
            prose = (f"## Well done!\n\n{session.summary().text()}\n\n{session.up_next_text()}"
                     "\n\nKeep experimenting, or leave with Ctrl+L (`:leave`).")
        else:
            prose = step.prose
            if step.predict is not None and session.review is None:
                prose += f"\n\n**Predict:** {step.predict.question} {PREDICT_HOW}"
            if step.graph:
                prose += f"\n\n*The Graph panel (F4) shows `{step.graph}`.*"
                self.post_message(GraphWanted(step.graph))
        self.query_one("#lesson-prose", Markdown).update(prose)
        self.query_one("#lesson-scroll", VerticalScroll).scroll_home(animate=False)
        self.query_one(PlotextPlot).remove_class("-shown")  # a plot belongs to its step
        self._plot_pinned = False
        self._earlier_plot = self._plot_values or self._earlier_plot

    def _show_feedback(self, feedback: Feedback, looked_at: str | None = None) -> None:
        """Show ``feedback`` in the verdict area; ``looked_at`` is the source of a later cell
        that changed nothing the step reads, whose output (``_echo``) goes above it."""
        self._verdict = feedback
        self.query_one("#lesson-feedback-text", Static).update(
            feedback_content(feedback, self.session, echo=self._echo, looked_at=looked_at,
                             ascii_only=self.host.ascii_only))
        self._echo = ""
        self.query_one("#lesson-feedback", VerticalScroll).scroll_home(animate=False)
        self.call_after_refresh(self._fit_plot)  # the verdict's height changes the text's room

    def _show_plot(self, values: list[float] | None, name: str, *, passed: bool = False) -> None:
        """Show the step's plot under its text. A plot made by the cell that passed the step is
        shown with that verdict and leaves at the next one (the pane already shows the next
        step's text); any other stays until the step changes."""
        plot = self.query_one(PlotextPlot)
        if values == self._earlier_plot:
            values = None  # an earlier step's series (same name, not recomputed yet): not ours
        if not values:
            if self._plot_leaving:
                plot.remove_class("-shown")
            self._plot_leaving = False
            return
        self._plot_leaving = passed
        self._plot_values = values
        if passed:
            self._earlier_plot = values
        plt = plot.plt
        plt.clear_data()
        plt.plot(list(range(1, len(values) + 1)), values, marker="braille")
        plt.title(f"{name} per step")
        plt.xlabel("step")
        plot.add_class("-shown")
        plot.refresh()
        # Sized once the verdict shown with it is laid out (it takes room from the text).
        # After a pass the text is the next step's, read from its top: no scrolling then.
        self.call_after_refresh(self._fit_plot, scroll_to=not passed)

    def on_resize(self) -> None:
        self._fit_plot()
        self.call_after_refresh(self._show_keys)  # (once the keys line has its new width)

    def on_step_scroll_viewport_changed(self, message: StepScroll.ViewportChanged) -> None:
        message.stop()
        self._fit_plot()

    def _fit_plot(self, *, scroll_to: bool = False) -> None:
        """Make the plot as tall as the text's viewport (6 to 16 rows), so the whole plot,
        title and axes, fits on screen once scrolled to; ``scroll_to`` brings it into view."""
        plot = self.query_one(PlotextPlot)
        if not plot.has_class("-shown"):
            return
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        height = max(6, min(16, scroll.scrollable_content_region.height))
        if plot.styles.height is None or plot.styles.height.value != height:
            plot.styles.height = height
        # Once brought into view the plot stays in view while the verdict under it changes
        # size (a hint after "Not yet"), until the learner scrolls the text themselves.
        self._plot_pinned = self._plot_pinned or scroll_to
        if self._plot_pinned:
            # (after the new height is laid out)
            self.call_after_refresh(scroll.scroll_to_widget, plot, animate=False, top=True)

    def action_scroll_text(self, how: str) -> None:
        """Scroll the step's text from the keyboard (the pane has the focus)."""
        self._plot_pinned = False
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        {"up": scroll.scroll_up, "down": scroll.scroll_down, "page_up": scroll.scroll_page_up,
         "page_down": scroll.scroll_page_down, "home": scroll.scroll_home,
         "end": scroll.scroll_end}[how](animate=False)

    def _keys_text(self) -> str:
        """The lesson keys that do something now (after a pass, how to go on), as many as fit
        the pane's width on one line: the last ones give way to "F1 keys" (the help screen
        lists them all)."""
        dot = " | " if self.is_mounted and self.host.ascii_only else " · "
        session = self.session
        if session.review is not None and not session.finished:
            keys = [f"Enter or ^N: on to step {session.index + 1}", "F12 reset", "^R restart",
                    "^L leave"]
        elif session.review is not None:
            keys = ["Enter or ^N: the lesson's summary", "^R restart", "^L leave"]
        elif session.finished:
            keys = ["^R restart the lesson", "^L leave"]
        else:
            keys = ["F7 hint", "F8 solution", "F10 skip", "F12 reset", "^R restart", "^L leave"]
        width = self.query_one("#lesson-keys", Static).size.width if self.is_mounted else 0
        return fit_keys(keys, width, dot)

    def _show_keys(self) -> None:
        self.query_one("#lesson-keys", Static).update(self._keys_text())

    def _log_beside(self) -> bool:
        """The REPL log is on screen next to the pane (the workspace is side by side)."""
        return self.screen.has_class("-wide")

    @property
    def host(self) -> LessonHost:
        """The app, as far as the pane uses it."""
        app = self.app
        if not isinstance(app, LessonHost):
            raise TypeError(f"a lesson pane needs an app with a kernel client, not {app!r}")
        return app


def fit_keys(keys: list[str], width: int, dot: str, more: str = "F1 keys") -> str:
    """``keys`` joined by ``dot`` on one line of ``width`` cells (0: any width): when they do
    not all fit, the last ones give way to ``more``."""
    line = dot.join(keys)
    if not width or len(line) <= width:
        return line
    for count in range(len(keys) - 1, 0, -1):
        line = dot.join([*keys[:count], more])
        if len(line) <= width:
            return line
    return keys[0]


def leave_message(session: LessonSession) -> str:
    """What the terminal keeps after the learner leaves: where they were and how to go on."""
    if session.finished:
        return f"{session.summary().text()} {session.saved_note()}. " \
               f"{plain(session.up_next_text())}".rstrip()
    progress = session.progress
    where = f"You left at step {session.index + 1} of {len(session.lesson.steps)}"
    used = f"{counted(progress.hints_used, 'hint')} used, {progress.skips} skipped"
    if session.save_error is not None:
        return (f"{where} ({used}). {session.saved_note()}; "
                f"`{resume_command(session.lesson)}` resumes at the last step that was saved.")
    return (f"{where}; `{resume_command(session.lesson)}` resumes there. Your progress is saved "
            f"({used}).")


def plain(text: str) -> str:
    """``text`` without its inline-code backticks (for toasts and the terminal after exit)."""
    return "".join(piece for piece, _ in code_pieces(text))


def inline(text: str, style: str = "") -> Content:
    """``text`` in ``style``, its `code` spans styled as code (no backticks)."""
    return Content.assemble(*((piece, CODE_STYLE if is_code else style)
                              for piece, is_code in code_pieces(text)))


def feedback_content(feedback: Feedback, session: LessonSession, *, echo: str = "",
                     looked_at: str | None = None, ascii_only: bool = False) -> Content:
    """The feedback area's text for ``feedback``; with ``looked_at`` (a later cell's source),
    that cell and its output ``echo`` come first."""
    ok, bad = ("ok", "X") if ascii_only else ("✓", "✗")
    bullet = "-" if ascii_only else "•"
    parts: list[Content] = []

    def line(text: str, style: str = "", mark: str = "") -> None:
        parts.append(Content.assemble((f"{mark} " if mark else "", style), inline(text, style)))

    # The cell's own output, for screens where the log is on another tab; an error explained
    # below is quoted by its explanation already.
    if looked_at is not None:
        code = looked_at.strip().splitlines() or [""]
        shown = code[0] + (" ..." if len(code) > 1 else "")
        parts.append(Content.assemble((">>> ", "dim"), (shown, "bold")))
        parts.append(Content.styled(echo, "dim"))
    elif echo and (feedback.results or feedback.kind == "fail") and not (
            feedback.notes and feedback.notes[0].startswith(_explained_error_starts)):
        parts.append(Content.styled(echo, "dim"))
    if feedback.kind in ("fail", "note"):
        if feedback.kind == "fail":
            parts.append(Content.styled("Not yet:", "bold $warning"))
        for note in feedback.notes:  # (a "note" explains an error of free play: no verdict)
            line(note, "$warning", "!")
        for message in feedback.problems:
            line(message, "$error", bad)
    else:
        style = {"pass": "bold $success", "finished": "bold $success", "refused": "$warning",
                 "hint": "$accent", "solution": "$accent"}.get(feedback.kind, "")
        mark = ok if feedback.kind in ("pass", "finished") else ""
        if feedback.predicted is False:
            # A wrong prediction: something to look at, not a failure.
            style, mark = "bold $warning", "!"
        if feedback.message:
            # (What each check confirmed is left out: the recap below says what changed.)
            line(feedback.message, style, mark)
        if feedback.shown_code:
            parts.append(Content.styled(feedback.shown_code, "bold"))
        if feedback.shown_output:
            # What the skipped step's solution printed: often the point of the step.
            parts.append(Content.styled("It showed:", "dim"))
            parts.append(Content(feedback.shown_output))
        if feedback.kind in ("info", "resume") and not feedback.results:
            parts.append(Content.styled("Commands: :hint :solution :skip :reset :restart-lesson "
                                        ":leave (keys below).", "dim"))
    if feedback.recap:
        parts.append(Content.styled("What changed:", "bold"))
        for change in feedback.recap:
            line(change, "", bullet)
    if feedback.kind == "finished" and session.review is not None:
        line(session.summary().text(), "bold")  # (a skip shows it on the well-done page)
    if feedback.kind == "finished" and feedback.up_next:
        line(feedback.up_next, "bold")
    if feedback.notice:
        # A failed save (or a progress file set aside) shows whatever the verdict was.
        line(feedback.notice, "bold $error", "!" if ascii_only else "⚠")
    return Content("\n").join(parts)


def cell_echo(reply: ExecuteReply, max_lines: int = 4) -> str:
    """A short copy of what a cell showed: its printed text and value, or its error line."""
    result = reply.result
    if result.error is not None:
        return f"{result.error.type}: {result.error.message}"[:300]
    shown = (result.stdout + (result.value_repr or "")).rstrip("\n")
    lines = shown.splitlines()
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], "..."]
    return "\n".join(lines)
