"""The lesson runner: a UI-agnostic state machine over one lesson and one kernel.

Front ends (the Textual pane, the plain REPL) feed it every finished cell and the learner's
commands; it judges the current step, moves on when the step passes, and saves progress after
every change. All methods that talk to the kernel block: call them from a worker thread in UIs.

States: ``working`` on step i (0-based) until its checks pass or it is skipped, then the next
step; ``finished`` after the last one (free play continues; nothing more is judged).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from gradtui.kernel.protocol import CellResult, ExecuteReply
from gradtui.lessons.checks import CheckResult, JudgeContext, parse_numbers
from gradtui.lessons.model import Lesson, Step
from gradtui.lessons.progress import LessonProgress, ProgressSaveError, ProgressStore


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

FeedbackKind = Literal["pass", "fail", "hint", "solution", "skip", "reset", "restart",
                       "resume", "finished", "refused", "info"]


@dataclass
class Feedback:
    """What a front end shows after a cell or a command."""

    kind: FeedbackKind
    message: str
    results: list[CheckResult] = field(default_factory=list)
    code: str = ""  # code to put in the input (starter or solution), if any
    advanced: bool = False  # the current step changed
    plot: list[float] | None = None  # the step's plot series after this cell
    plot_name: str = ""  # the expression the series came from (e.g. "losses")
    shown_code: str = ""  # code to display under the message (a solution), not to run
    # What that code printed or echoed when it ran for the learner (a skipped step's solution):
    # skipping `type(a)` must still show `<class 'torch.Tensor'>`, the point of the step.
    shown_output: str = ""
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


def counted(count: int, noun: str) -> str:
    """``1 hint``, ``2 hints``, ``0 hints``: learners read these summaries."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _visible_output(reply: ExecuteReply) -> str:
    """What a cell showed, as the REPL would: printed text, the echoed value, the error line."""
    result = reply.result
    parts = [result.stdout.rstrip("\n")] if result.stdout.strip() else []
    if result.value_repr is not None:
        parts.append(result.value_repr)
    if result.error is not None:
        parts.append(f"{result.error.type}: {result.error.message}".rstrip(": "))
    return "\n".join(parts)


def judge_step(step: Step, reply: ExecuteReply, kernel: LessonKernel) -> list[CheckResult]:
    """Every check of ``step`` against one cell's reply (checks that crash count as failed)."""
    ctx = JudgeContext(reply=reply, evaluate=kernel.evaluate)
    results = []
    for check in step.checks:
        try:
            results.append(check.judge(ctx))
        except Exception as exc:  # a dead kernel or odd state must not take the UI down
            results.append(CheckResult(False, f"Could not check this step: {exc}"))
    return results


def empty_reply() -> ExecuteReply:
    """The reply before any cell ran (nothing printed, nothing raised)."""
    return ExecuteReply(result=CellResult(ok=True))


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
                 *, restart: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.lesson = lesson
        self.store = store
        self.kernel: LessonKernel | None = None
        self.hint_index = 0  # hints shown on the current step
        self._last_count = 0  # the kernel's execution count after the latest cell we saw
        self.kernel_lost = False  # the kernel restarted behind the lesson's back
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
        return None if self.finished else self.lesson.steps[self.index]

    def position(self) -> str:
        """"Step 2 of 6" (or "Done")."""
        if self.finished:
            return f"Done ({len(self.lesson.steps)} steps)"
        return f"Step {self.index + 1} of {len(self.lesson.steps)}"

    def summary(self) -> Summary:
        p = self.progress
        return Summary(steps=p.steps_total, passed=p.steps_done - p.skips, skipped=p.skips,
                       hints_used=p.hints_used, solutions_shown=p.solutions_shown)

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
                                    "Restart it to take it again, or play freely.")
        if self.index == 0:
            return Feedback("info", self._intro(), code=self._starter())
        replayed = self._replay(self.index)
        note = (f"Welcome back: resuming at step {self.index + 1} of "
                f"{len(self.lesson.steps)}. The solutions of the earlier steps were run again so "
                "your variables are back.")
        if replayed:
            note += f" ({replayed})"
        return Feedback("resume", note, code=self._starter())

    @_with_notice
    def cell_finished(self, reply: ExecuteReply) -> Feedback:
        """Judge the current step after a cell; on pass, move on and save."""
        step = self.step
        if step is None:
            return Feedback("info", "The lesson is over: this is free play now.")
        self._tick()
        self._notice_restart(reply)
        results = judge_step(step, reply, self._kernel())
        plot = self._plot(step)
        extra = {"plot": plot, "plot_name": step.plot}
        if all(r.passed for r in results):
            self._record_cell(step, results)
            self._advance(skipped=False)
            if self.finished:
                return Feedback("finished", "Step passed: that was the last step!",
                                results=results, advanced=True, **extra)
            return Feedback("pass", f"Step passed! On to step {self.index + 1}.",
                            results=results, advanced=True, code=self._starter(), **extra)
        # Recorded where the learner is told "Not yet" (a cell that is not an attempt is not).
        self._record_cell(step, results)
        self._save()  # the step's time and failed checks, for the teacher's --by-step view
        feedback = Feedback("fail", "", results=results, **extra)
        if self.kernel_lost and self.index > 0:
            feedback.results.append(CheckResult(False, RESTART_NOTE))
        feedback.message = "Not yet: " + " ".join(feedback.problems)
        return feedback

    # --- learner commands --------------------------------------------------------------------

    @_with_notice
    def hint(self) -> Feedback:
        step = self.step
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
        if step is None:
            return Feedback("refused", "The lesson is over.")
        if not self.lesson.settings.allow_solution:
            return Feedback("refused", "Your teacher has turned off showing solutions for "
                                       "this lesson.")
        self.progress.solutions_shown += 1
        self._tick()
        self.progress.step_record(self.index).solutions += 1
        self._save()
        return Feedback("solution", "A solution (it is in your input line; run it, or change "
                                    "it first):", code=step.solution,
                        shown_code=step.solution.strip())

    @_with_notice
    def skip(self) -> Feedback:
        """Skip the step: its solution runs so later steps find the names they need."""
        step = self.step
        if step is None:
            return Feedback("refused", "The lesson is over; nothing to skip.")
        if not self.lesson.settings.allow_skip:
            return Feedback("refused", "Your teacher has turned off skipping in this lesson.")
        self._tick()
        self.progress.step_record(self.index).skips += 1
        reply = self._execute(step.solution)
        self._advance(skipped=True)
        note = "" if reply.result.error is None else (
            f" (running it raised {reply.result.error.type}, as this step intends)")
        message = f"Skipped. This is what the step wanted, and it ran for you{note}:"
        return Feedback("finished" if self.finished else "skip", message, advanced=True,
                        code=self._starter(), shown_code=step.solution.strip(),
                        shown_output=_visible_output(reply))

    @_with_notice
    def reset_step(self) -> Feedback:
        """Fresh kernel with the earlier steps' solutions replayed; the step starts over."""
        if self.finished:
            return Feedback("refused", "The lesson is over; use restart to take it again.")
        self._restart_kernel()
        self._replay(self.index)
        self.hint_index = 0
        return Feedback("reset", f"Step {self.index + 1} starts over: your variables are back "
                                 "to how the step began.", code=self._starter())

    @_with_notice
    def restart_lesson(self) -> Feedback:
        self._restart_kernel()
        self._tick()
        self.progress.restart()  # a new attempt; the record of completions stays
        self.hint_index = 0
        self._save()
        return Feedback("restart", "The lesson starts again from step 1 with a fresh kernel.",
                        advanced=True, code=self._starter())

    # --- internals ---------------------------------------------------------------------------

    def _kernel(self) -> LessonKernel:
        if self.kernel is None:
            raise RuntimeError("LessonSession.attach(kernel) must be called first")
        return self.kernel

    def _intro(self) -> str:
        text = f"{self.lesson.title}: {len(self.lesson.steps)} steps."
        return f"{text} {self.lesson.summary}".strip()

    def _starter(self) -> str:
        step = self.step
        return "" if step is None else step.starter

    def _advance(self, *, skipped: bool) -> None:
        self.progress.current_step += 1
        self.progress.steps_done += 1
        self.progress.skips += int(skipped)
        if self.finished:
            self.progress.mark_completed()
        self.hint_index = 0
        self._save()

    def _replay(self, count: int) -> str:
        """Run the solutions of the first ``count`` steps; describes any unexpected error."""
        for number, step in enumerate(self.lesson.steps[:count], start=1):
            error = self._execute(step.solution).result.error
            if error is not None and not step.expects_error:
                return f"replaying step {number} raised {error.type}"
        return ""

    def _execute(self, source: str) -> ExecuteReply:
        reply = self._kernel().execute(source)
        self._last_count = reply.result.execution_count or self._last_count
        return reply

    def _restart_kernel(self) -> None:
        self._kernel().restart()
        self._last_count = 0
        self.kernel_lost = False

    def _notice_restart(self, reply: ExecuteReply) -> None:
        """A cell count that went backwards means a fresh kernel the lesson did not start."""
        count = reply.result.execution_count
        if count and count <= self._last_count:
            self.kernel_lost = True
        self._last_count = count or self._last_count

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
