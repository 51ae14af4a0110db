"""The lesson runner: a UI-agnostic state machine over one lesson and one kernel.

Front ends (the Textual pane, the plain REPL) feed it every finished cell and the learner's
commands; it judges the current step, and saves progress after every change. All methods that
talk to the kernel block: call them from a worker thread in UIs.

States: ``working`` on step i (0-based) until its checks pass or it is skipped; then a moment
to read (``reviewing``: the passed step stays on screen with a recap of what it changed, and
progress already counts it) until the learner moves on (``next_step``: a key, Enter or
``:next``), or runs a cell that passes the next step; ``finished`` after the last one (free
play continues; nothing more is judged).

Feedback starts from what the cell did (``gradtui.lessons.diagnosis``): an error or a known
warning is explained first, a cell that is one of the step's anticipated wrong answers gets its
note, and a cell that touched nothing the step's checks read (``import torch``, or the step's
code typed a line at a time) gets no verdict at all.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from gradtui.kernel.protocol import CellResult, ExecuteReply, Snapshot
from gradtui.lessons.checks import CheckResult, JudgeContext, parse_numbers
from gradtui.lessons.checks.predict import NOT_A_PREDICTION, parse_prediction
from gradtui.lessons.diagnosis import (
    MAX_CELLS_JOINED,
    diagnose,
    does_something,
    matching_wrong_answer,
    on_the_way,
)
from gradtui.lessons.model import Lesson, Step
from gradtui.lessons.progress import LessonProgress, ProgressSaveError, ProgressStore
from gradtui.lessons.recap import recap


class LessonKernel(Protocol):
    """The part of ``KernelClient`` the runner uses."""

    def execute(self, source: str) -> ExecuteReply: ...
    def evaluate(self, expr: str) -> tuple[bool, str]: ...
    def restart(self) -> None: ...


# Time on a step counts the gaps between the learner's actions, each at most this long: a learner
# who went for lunch did not spend an hour on the step.
IDLE_CAP_S = 600.0

RESTART_NOTE = ("The kernel was restarted, so the variables of the earlier steps are gone: "
                "type :reset (F12 in the workspace) to rebuild them.")

FeedbackKind = Literal["pass", "fail", "quiet", "note", "next", "hint", "solution", "skip",
                       "reset", "restart", "resume", "finished", "refused", "info"]


@dataclass
class Feedback:
    """What a front end shows after a cell or a command.

    Kinds: ``pass`` (the step is done; its text stays, with ``recap``, until the learner moves
    on), ``finished`` (the same for the last step), ``fail`` ("Not yet": ``notes`` explain
    what the cell raised or which anticipated mistake it is, ``problems`` what the checks
    miss), ``quiet`` (nothing to say: keep what is shown), ``note`` (a cell run while a passed
    step is read raised: its ``notes`` explain it, nothing is judged), ``next`` (show the new
    step), and the answers to commands.
    """

    kind: FeedbackKind
    message: str
    results: list[CheckResult] = field(default_factory=list)
    code: str = ""  # code to put in the input (starter or solution), if any
    advanced: bool = False  # the step on screen changed: show ``session.shown_step`` again
    plot: list[float] | None = None  # the step's plot series after this cell
    plot_name: str = ""  # the expression the series came from (e.g. "losses")
    shown_code: str = ""  # code to display under the message (a solution), not to run
    # What that code printed or echoed when it ran for the learner (a skipped step's solution):
    # skipping `type(a)` must still show `<class 'torch.Tensor'>`, the point of the step.
    shown_output: str = ""
    notes: list[str] = field(default_factory=list)  # the cell's error/warning/mistake explained
    recap: list[str] = field(default_factory=list)  # what the passed step changed
    predicted: bool | None = None  # a predict step: was the prediction right?
    up_next: str = ""  # after the last step: which lesson comes next, and how to start it
    # Something about the learner's progress they must see now, whatever the verdict:
    # "Your progress was not saved: the disk is full (...)" (every time until a save works).
    notice: str = ""

    @property
    def problems(self) -> list[str]:
        """What is wrong, each message once (two checks on a missing tensor say the same)."""
        return list(dict.fromkeys(r.message for r in self.results if not r.passed))


@dataclass(frozen=True)
class Summary:
    steps: int
    passed: int
    skipped: int
    hints_used: int
    solutions_shown: int

    def text(self) -> str:
        return (f"Lesson complete: {self.passed} of {self.steps} steps solved, "
                f"{self.skipped} skipped, {counted(self.hints_used, 'hint')} used, "
                f"{counted(self.solutions_shown, 'solution')} shown.")


@dataclass(frozen=True)
class NextLesson:
    """The lesson after this one in the listing, and the command that starts it."""

    number: int
    title: str
    command: str

    def text(self) -> str:
        return f"Next: lesson {self.number}, “{self.title}”: `{self.command}`."


@dataclass(frozen=True)
class Review:
    """A passed step kept on screen until the learner moves on."""

    index: int  # 0-based
    recap: tuple[str, ...] = ()


def counted(count: int, noun: str) -> str:
    """``1 hint``, ``2 hints``, ``0 hints``: learners read these summaries."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def visible_output(reply: ExecuteReply) -> str:
    """What a cell showed, as the REPL would: printed text, the echoed value, the error line."""
    result = reply.result
    parts = [result.stdout.rstrip("\n")] if result.stdout.strip() else []
    if result.value_repr is not None:
        parts.append(result.value_repr)
    if result.error is not None:
        parts.append(f"{result.error.type}: {result.error.message}".rstrip(": "))
    return "\n".join(parts)


def judge_step(step: Step, reply: ExecuteReply, kernel: LessonKernel,
               ctx: JudgeContext | None = None) -> list[CheckResult]:
    """Every check of ``step`` against one cell's reply (checks that crash count as failed)."""
    ctx = ctx or JudgeContext(reply=reply, evaluate=kernel.evaluate)
    results = []
    for check in step.checks:
        try:
            results.append(check.judge(ctx))
        except Exception as exc:  # a dead kernel or odd state must not take the UI down
            results.append(CheckResult(False, f"Could not check this step: {exc}"))
    return results


def observe_step(step: Step, ctx: JudgeContext) -> list[str] | None:
    """What each check of ``step`` reads now (None when the kernel cannot be asked)."""
    try:
        return [check.observe(ctx) for check in step.checks]
    except Exception:  # a dead kernel: then every cell counts as an attempt
        return None


def empty_reply() -> ExecuteReply:
    """The reply before any cell ran (nothing printed, nothing raised)."""
    return ExecuteReply(result=CellResult(ok=True))


def _gradients(snapshot: Snapshot | None) -> tuple[tuple[str, str | None], ...]:
    """The gradients the tensors hold, as shown: a change means a backward pass ran (or a
    gradient was cleared). A new tensor with no gradient changes nothing here."""
    if snapshot is None:
        return ()
    return tuple((t.name, t.grad_preview) for t in snapshot.tensors if t.grad_preview is not None)


_Method = TypeVar("_Method", bound=Callable[..., Feedback])


def _with_notice(method: _Method) -> _Method:
    """Attach the session's progress notice (a failed save...) to the Feedback returned."""

    @functools.wraps(method)
    def wrapper(self: LessonSession, *args: object, **kwargs: object) -> Feedback:
        feedback = method(self, *args, **kwargs)
        feedback.notice = self._take_notice()
        return feedback

    return wrapper  # type: ignore[return-value]


class LessonSession:
    """One learner taking one lesson."""

    def __init__(self, lesson: Lesson, store: ProgressStore | None = None,
                 *, restart: bool = False, up_next: NextLesson | None = None,
                 last_lesson: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.lesson = lesson
        self.store = store
        self.up_next = up_next  # the lesson listed after this one
        self.last_lesson = last_lesson  # ... or there is none
        self.kernel: LessonKernel | None = None
        self.hint_index = 0  # hints shown on the current step
        self.review: Review | None = None  # a passed step still on screen
        self._last_count = 0  # the kernel's execution count after the latest cell we saw
        self.kernel_lost = False  # the kernel restarted behind the lesson's back
        self._snapshot: Snapshot | None = None  # the learner's state after the latest cell
        self._entry: Snapshot | None = None  # ... when the current step began (for the recap)
        self._seen: list[str] | None = None  # what the step's checks read after the latest cell
        self._grads: tuple[tuple[str, str | None], ...] = ()
        self._cells: list[str] = []  # the learner's cells on the current step, oldest first
        # The latest save's failure (None once one works): shown with every feedback until then.
        self.save_error: ProgressSaveError | None = None
        self._unsaved_told = False  # the learner was told a save failed (say when one works)
        self._told: set[str] = set()  # progress-file problems already shown
        self._clock = clock
        self._mark: float | None = None  # when the learner last acted on the current step
        saved = None if store is None else store.get(lesson.id)
        if saved is not None and saved.steps_total != len(lesson.steps):
            saved.reshape(len(lesson.steps))  # old positions mean nothing; completions stay
        if saved is not None and restart:
            saved.restart()  # a new attempt; the record that it was completed stays
        self.progress = saved or LessonProgress(lesson_id=lesson.id, title=lesson.title,
                                                steps_total=len(lesson.steps))
        self.progress.title = lesson.title
        if restart and store is not None:
            self._save()

    # --- state -------------------------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.progress.current_step

    @property
    def finished(self) -> bool:
        return self.progress.current_step >= len(self.lesson.steps)

    @property
    def step(self) -> Step | None:
        """The step being worked on (the next one while a passed step is reviewed)."""
        return None if self.finished else self.lesson.steps[self.index]

    @property
    def shown_index(self) -> int:
        """The 0-based step the learner is looking at: the reviewed one, else the current."""
        return self.review.index if self.review is not None else self.index

    @property
    def shown_step(self) -> Step | None:
        """The step to show: the passed one while it is reviewed, else the current one."""
        if self.review is not None:
            return self.lesson.steps[self.review.index]
        return self.step

    def position(self) -> str:
        """"Step 2 of 6", "Step 2 of 6 (done)" while reviewing it, or "Done (6 steps)"."""
        total = len(self.lesson.steps)
        if self.review is not None:
            return f"Step {self.review.index + 1} of {total} (done)"
        if self.finished:
            return f"Done ({total} steps)"
        return f"Step {self.index + 1} of {total}"

    def summary(self) -> Summary:
        p = self.progress
        return Summary(steps=p.steps_total, passed=p.steps_done - p.skips, skipped=p.skips,
                       hints_used=p.hints_used, solutions_shown=p.solutions_shown)

    def next_hint(self) -> str:
        """How to move on from a reviewed step, in words both front ends can add to."""
        if self.finished:
            return "That was the last step."
        return f"Step {self.index + 1} is next."

    # --- lifecycle ---------------------------------------------------------------------------

    def attach(self, kernel: LessonKernel) -> None:
        self.kernel = kernel

    @property
    def progress_saved(self) -> bool:
        """Whether everything so far is on disk (False without a store or after a failed save)."""
        return self.store is not None and self.save_error is None

    def saved_note(self) -> str:
        """For a learner who leaves: "Your progress is saved", or why the latest part is not."""
        if self.save_error is None:
            return "Your progress is saved"
        return f"Your latest progress could NOT be saved: {self.save_error.reason}"

    @_with_notice
    def start(self) -> Feedback:
        """Begin or resume. Resuming replays earlier steps' solutions so their names exist."""
        self._mark = self._clock()
        if self.finished:
            return Feedback("info", f"You have completed this lesson. {self.summary().text()} "
                                    "Restart it to take it again, or play freely.",
                            up_next=self.up_next_text())
        if self.index == 0:
            self._enter_step(self._current_snapshot())
            return Feedback("info", self._intro(), code=self._starter())
        replayed = self._replay(self.index)
        note = (f"Welcome back: resuming at step {self.index + 1} of "
                f"{len(self.lesson.steps)}. The solutions of the earlier steps were run again so "
                "your variables are back.")
        if replayed:
            note += f" ({replayed})"
        self._enter_step(self._snapshot)
        return Feedback("resume", note, code=self._starter())

    @_with_notice
    def cell_finished(self, reply: ExecuteReply) -> Feedback:
        """Judge the current step after a cell; on pass, keep the step on screen and save.

        While a passed step is on screen, cells are free play: a cell that passes the next step
        moves on to it (``advanced``, and that step is the one shown, passed); anything else
        says nothing, so looking around (``x.grad``) is never judged against a step not yet
        read.
        """
        step = self.step
        if step is None:
            self._snapshot = reply.snapshot or self._snapshot
            return Feedback("info", "The lesson is over: this is free play now.")
        self._tick()
        self._notice_restart(reply)
        reviewed, self.review = self.review, None
        if reviewed is not None and step.predict is not None:
            self.review = reviewed  # a prediction needs its question read first
            return self._free_play(reply, self.lesson.steps[reviewed.index])
        # While a passed step is read, only a pass of the next step counts as an attempt.
        feedback = self._predict(step, reply) if step.predict else \
            self._judge(step, reply, record=reviewed is None)
        if reviewed is not None:
            if feedback.kind not in ("pass", "finished"):
                self.review = reviewed
                return self._free_play(reply, self.lesson.steps[reviewed.index],
                                       plot=feedback.plot, plot_name=feedback.plot_name)
            feedback.advanced = True
        return feedback

    def _free_play(self, reply: ExecuteReply, step: Step, **extra: object) -> Feedback:
        """A cell run while a passed step is read: not judged, but an error it raised (or a
        warning the catalogue knows) is still explained."""
        notes = diagnose(reply.result, step, self.lesson)
        if notes:
            return Feedback("note", notes[0], notes=notes, **extra)  # type: ignore[arg-type]
        return Feedback("quiet", "", **extra)  # type: ignore[arg-type]

    @_with_notice
    def next_step(self) -> Feedback:
        """Leave the reviewed step for the next one (a key, Enter, or ``:next``)."""
        if self.review is None:
            if self.finished:
                return Feedback("refused", "This was the last step. " + self.up_next_text())
            return Feedback("refused", "Pass this step first (or skip it) to move on.")
        self.review = None
        if self.finished:  # the well-done page: summary and the next lesson
            return Feedback("next", "", advanced=True, up_next=self.up_next_text())
        return Feedback("next", "", advanced=True, code=self._starter())

    # --- learner commands --------------------------------------------------------------------

    @_with_notice
    def hint(self) -> Feedback:
        step = self.step
        if self.review is not None:
            return self._reviewing()
        if step is None:
            return Feedback("refused", "The lesson is over; there are no more hints.")
        if not step.hints:
            return Feedback("refused", "This step has no hints. Read the text again, or ask "
                                       "for the solution.")
        if self.hint_index >= len(step.hints):
            return Feedback("hint", f"No more hints (that was the last of {len(step.hints)}). "
                                    f"Last hint: {step.hints[-1]}")
        text = step.hints[self.hint_index]
        self.hint_index += 1
        self.progress.hints_used += 1
        self._tick()
        self.progress.step_record(self.index).hints += 1
        self._save()
        return Feedback("hint", f"Hint {self.hint_index}/{len(step.hints)}: {text}")

    @_with_notice
    def solution(self) -> Feedback:
        step = self.step
        if self.review is not None:
            return self._reviewing()
        if step is None:
            return Feedback("refused", "The lesson is over.")
        if not self.lesson.settings.allow_solution:
            return Feedback("refused", "Your teacher has turned off showing solutions for "
                                       "this lesson.")
        self.progress.solutions_shown += 1
        self._tick()
        self.progress.step_record(self.index).solutions += 1
        self._save()
        what = ("The right prediction (it is in your input line; run it, or change it first):"
                if step.predict else "A solution (it is in your input line; run it, or change "
                                     "it first):")
        return Feedback("solution", what, code=step.solution, shown_code=step.solution.strip())

    @_with_notice
    def skip(self) -> Feedback:
        """Skip the step: its code runs so later steps find the names they need."""
        step = self.step
        if self.review is not None:
            return self._reviewing()
        if step is None:
            return Feedback("refused", "The lesson is over; nothing to skip.")
        if not self.lesson.settings.allow_skip:
            return Feedback("refused", "Your teacher has turned off skipping in this lesson.")
        self._tick()
        self.progress.step_record(self.index).skips += 1
        reply = self._execute(step.code_it_runs)
        self._advance(skipped=True)
        note = "" if reply.result.error is None else (
            f" (running it raised {reply.result.error.type}, as this step intends)")
        message = f"Skipped. This is what the step wanted, and it ran for you{note}:"
        self._enter_step(reply.snapshot)
        return Feedback("finished" if self.finished else "skip", message, advanced=True,
                        code=self._starter(), shown_code=step.code_it_runs.strip(),
                        shown_output=visible_output(reply),
                        up_next=self.up_next_text() if self.finished else "")

    @_with_notice
    def reset_step(self) -> Feedback:
        """Fresh kernel with the earlier steps' solutions replayed; the step starts over."""
        self.review = None
        if self.finished:
            return Feedback("refused", "The lesson is over; use restart to take it again.")
        self._restart_kernel()
        self._replay(self.index)
        self.hint_index = 0
        self._enter_step(self._snapshot)
        return Feedback("reset", f"Step {self.index + 1} starts over: your variables are back "
                                 "to how the step began.", advanced=True, code=self._starter())

    @_with_notice
    def restart_lesson(self) -> Feedback:
        self._restart_kernel()
        self.review = None
        self._tick()
        self.progress.restart()  # a new attempt; the record of completions stays
        self.hint_index = 0
        self._save()
        self._enter_step(Snapshot())
        return Feedback("restart", "The lesson starts again from step 1 with a fresh kernel.",
                        advanced=True, code=self._starter())

    # --- judging -----------------------------------------------------------------------------

    def _judge(self, step: Step, reply: ExecuteReply, *, record: bool = True) -> Feedback:
        kernel = self._kernel()
        ctx = JudgeContext(reply=reply, evaluate=kernel.evaluate)
        results = judge_step(step, reply, kernel, ctx)
        extra = self._plot_of(step)
        if all(r.passed for r in results):
            self._record_cell(step, results)
            return self._pass(step, reply, results=results, **extra)
        notes = diagnose(reply.result, step, self.lesson)
        error = reply.result.error
        if self.kernel_lost and self.index > 0:
            if error is not None and error.type == "NameError":
                notes = notes[1:]  # the restart note says why, and what to type
            notes.insert(0, RESTART_NOTE)
        # The first lines of the step's own code are on the way, even when a wrong answer
        # stops there too ("no backward yet"): the line-at-a-time typist is not told "Not yet".
        partial = on_the_way(step, reply.source)
        wrong = matching_wrong_answer(step, reply.source, self._cells)
        self._cells = [*self._cells[-MAX_CELLS_JOINED:], reply.source]
        if wrong is not None and wrong.note not in notes:
            notes.append(wrong.note)
        seen, grads = self._seen, self._grads
        self._seen, self._grads = observe_step(step, ctx), _gradients(reply.snapshot)
        self._snapshot = reply.snapshot or self._snapshot
        touched = seen is None or self._seen is None or grads != self._grads or any(
            now != before and not result.passed
            for now, before, result in zip(self._seen, seen, results, strict=True))
        attempt = touched and not partial
        if not (notes or attempt or self.kernel_lost):
            return Feedback("quiet", "", **extra)
        if (error is not None and not step.expects_error) or wrong is not None:
            # The error is what to fix first, and an anticipated mistake's note says what the
            # checks would say less well: they would only list what is left undone.
            shown: list[CheckResult] = []
        else:
            shown = list(results)
        # Recorded where the learner is told "Not yet" (a cell that is not an attempt is not):
        # the step's time and failed checks, for the teacher's --by-step view.
        if record:
            self._record_cell(step, results)
            self._save()
        feedback = Feedback("fail", "", results=shown, notes=notes, **extra)
        feedback.message = "Not yet: " + " ".join([*notes, *feedback.problems][:1] or
                                                  ["the step is not done."])
        return feedback

    def _predict(self, step: Step, reply: ExecuteReply) -> Feedback:
        """A predict step: the cell states a value; the lesson runs the code and compares."""
        check = step.predict
        assert check is not None
        guess = parse_prediction(reply.source) if reply.result.error is None or \
            reply.result.error.type == "NameError" else NOT_A_PREDICTION
        if guess is NOT_A_PREDICTION:
            notes = diagnose(reply.result, step, self.lesson)
            grads = _gradients(reply.snapshot)
            changed = grads != self._grads
            self._grads = grads
            self._snapshot = reply.snapshot or self._snapshot
            if not (notes or changed or does_something(reply.source)):
                return Feedback("quiet", "")  # an import, or a look at a value
            ask = (f"{check.question} This step wants your prediction first: type the value "
                   "you expect (a number, or a list such as `[1.0, 2.0]`) and press Enter. "
                   "The lesson then runs the code for you.")
            self._record_cell(step, [CheckResult(False, ask)])
            self._save()
            return Feedback("fail", f"Not yet: {ask}", notes=[*notes, ask])
        run = self._execute(check.params["run"])
        if run.result.error is not None:
            return self._broken_state(f"raised {run.result.error.type}: "
                                      f"{run.result.error.message}")
        try:
            actual = check.actual(self._kernel().evaluate)
        except LookupError as exc:
            return self._broken_state(f"gave no number to compare ({exc})")
        verdict = check.compare(guess, actual)
        message = verdict.message
        if not verdict.passed:
            # A prediction the lesson anticipated gets its note: why someone would say that.
            anticipated = next((w.note for w in step.wrong_answers if w.note and
                                check.compare(parse_prediction(w.code), guess).passed), "")
            message += f" {anticipated}" if anticipated else ""
        if check.params.get("explain"):
            message += " " + check.params["explain"]
        self._record_cell(step, [])
        feedback = self._pass(step, run, results=[], message=message)
        feedback.predicted = verdict.passed
        feedback.shown_code = check.params["run"].strip()
        feedback.shown_output = visible_output(run)
        return feedback

    def _broken_state(self, what: str) -> Feedback:
        note = (f"The lesson ran this step's code, and it {what}. Your variables are not what "
                "this step expects: type :reset (F12 in the workspace) to rebuild them, then "
                "predict again.")
        return Feedback("fail", "Not yet: " + note, notes=[note])

    def _pass(self, step: Step, reply: ExecuteReply, *, results: list[CheckResult],
              message: str = "", plot: list[float] | None = None,
              plot_name: str = "") -> Feedback:
        """The step is done: count it, keep it on screen with a recap of what it changed."""
        index = self.index
        lines = recap(self._entry, reply.snapshot)
        self._advance(skipped=False)
        self.review = Review(index, tuple(lines))
        self._enter_step(reply.snapshot)
        last = self.finished
        text = message or ("Step passed: that was the last step!" if last else "Step passed!")
        return Feedback("finished" if last else "pass", text, results=results, recap=lines,
                        plot=plot, plot_name=plot_name,
                        up_next=self.up_next_text() if last else "")

    def _reviewing(self) -> Feedback:
        assert self.review is not None
        if self.finished:
            return Feedback("refused", "That was the last step: the lesson is done. "
                            + self.up_next_text())
        return Feedback("refused", f"Step {self.review.index + 1} is done. Move on to step "
                                   f"{self.index + 1} first (Enter on an empty line, or "
                                   ":next; Ctrl+N in the workspace).")

    # --- internals ---------------------------------------------------------------------------

    def _kernel(self) -> LessonKernel:
        if self.kernel is None:
            raise RuntimeError("LessonSession.attach(kernel) must be called first")
        return self.kernel

    def _intro(self) -> str:
        text = f"{self.lesson.title}: {len(self.lesson.steps)} steps."
        return f"{text} {self.lesson.summary}".strip()

    def up_next_text(self) -> str:
        """"Next: lesson 3, ...: `gradtui lesson 3`.", that this was the last lesson, or ""
        when the session was not told what comes next."""
        if self.up_next is not None:
            return self.up_next.text()
        return "That was the last lesson of the course: well done!" if self.last_lesson else ""

    def _starter(self) -> str:
        step = self.step
        return "" if step is None else step.starter

    def _enter_step(self, snapshot: Snapshot | None) -> None:
        """The current step begins on ``snapshot``: remember what its checks read now."""
        self._entry = snapshot
        self._snapshot = snapshot
        self._cells = []
        self._grads = _gradients(snapshot)
        step = self.step
        if step is None or self.kernel is None:
            self._seen = None
            return
        reply = ExecuteReply(result=CellResult(ok=True), snapshot=snapshot or Snapshot())
        self._seen = observe_step(step, JudgeContext(reply=reply,
                                                     evaluate=self.kernel.evaluate))

    def _current_snapshot(self) -> Snapshot | None:
        """The kernel's state now, when it can tell (a fresh kernel has none to speak of)."""
        take = getattr(self.kernel, "snapshot", None)
        if take is None:
            return Snapshot()
        try:
            return take()
        except Exception:  # not started, or dead: the first cell will count as an attempt
            return None

    def _advance(self, *, skipped: bool) -> None:
        self.progress.current_step += 1
        self.progress.steps_done += 1
        self.progress.skips += int(skipped)
        if self.finished:
            self.progress.mark_completed()
        self.hint_index = 0
        self._save()

    def _replay(self, count: int) -> str:
        """Run the code of the first ``count`` steps; describes any unexpected error."""
        for number, step in enumerate(self.lesson.steps[:count], start=1):
            error = self._execute(step.code_it_runs).result.error
            if error is not None and not step.expects_error:
                return f"replaying step {number} raised {error.type}"
        return ""

    def _execute(self, source: str) -> ExecuteReply:
        reply = self._kernel().execute(source)
        self._last_count = reply.result.execution_count or self._last_count
        self._snapshot = reply.snapshot or self._snapshot
        return reply

    def _restart_kernel(self) -> None:
        self._kernel().restart()
        self._last_count = 0
        self._snapshot = Snapshot()
        self.kernel_lost = False

    def _notice_restart(self, reply: ExecuteReply) -> None:
        """A cell count that went backwards means a fresh kernel the lesson did not start."""
        count = reply.result.execution_count
        if count and count <= self._last_count:
            self.kernel_lost = True
        self._last_count = count or self._last_count

    def _plot_of(self, step: Step) -> dict[str, object]:
        return {"plot": self._plot(step), "plot_name": step.plot}

    def _plot(self, step: Step) -> list[float] | None:
        if not step.plot:
            return None
        ok, text = self._kernel().evaluate(step.plot)
        try:
            values = parse_numbers(text)
        except (SyntaxError, ValueError):
            return None
        if isinstance(values, list) and all(isinstance(v, int | float) for v in values):
            return [float(v) for v in values]
        return None

    # --- progress records ----------------------------------------------------------------------

    def _tick(self) -> None:
        """Count the time since the learner's previous action on this step (capped)."""
        now = self._clock()
        if self._mark is not None and not self.finished:
            spent = min(max(0.0, now - self._mark), IDLE_CAP_S)
            self.progress.step_record(self.index).seconds += spent
        self._mark = now

    def _record_cell(self, step: Step, results: list[CheckResult]) -> None:
        """One judged attempt: a pass, or which of the step's checks it failed (by label)."""
        record = self.progress.step_record(self.index)
        record.cells += 1
        if all(result.passed for result in results):
            record.passes += 1
        for check, result in zip(step.checks, results, strict=False):
            if not result.passed:
                label = check.label()
                record.fails[label] = record.fails.get(label, 0) + 1

    def _save(self) -> None:
        if self.store is None:
            return
        try:
            self.store.save(self.progress)
        except ProgressSaveError as exc:  # a full disk must not end the lesson: it is said
            self.save_error = exc
            return
        self.save_error = None

    def _take_notice(self) -> str:
        """The notice for the next Feedback: a failing save (every time), a recovered one and
        a progress file that had to be set aside (once each)."""
        if self.save_error is not None:
            self._unsaved_told = True
            return self.save_error.message
        if self._unsaved_told:
            self._unsaved_told = False
            return "Your progress is saved again."
        problem = self.store.problem if self.store is not None else None
        if problem and problem not in self._told:
            self._told.add(problem)
            return f"Note: {problem}"
        return ""
