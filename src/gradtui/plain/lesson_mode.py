"""``gradtui lesson N --plain``: a lesson in the plain REPL, through ``ReplHooks``.

The step's prose is printed as text (Markdown reads fine as is), every cell's check results
follow its output, and ``:hint``, ``:solution``, ``:skip``, ``:reset``, ``:restart-lesson``,
``:step`` (show the step again), ``:progress`` and ``:leave`` drive the lesson.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING

from gradtui.lessons.prose import plain_text
from gradtui.lessons.session import Feedback, LessonSession, counted
from gradtui.lessons.textplot import text_plot
from gradtui.plain.console import ascii_wanted
from gradtui.plain.repl import ReplHooks

if TYPE_CHECKING:
    from gradtui.kernel.client import KernelClient
    from gradtui.kernel.protocol import ExecuteReply

COMMANDS = {
    "hint": "a hint for this step (ask again for the next one)",
    "solution": "put a solution for this step in the input",
    "skip": "skip this step (its solution runs for you)",
    "reset": "start this step over (fresh kernel, earlier steps replayed)",
    "restart-lesson": "take the lesson again from step 1",
    "step": "show this step's text again",
    "progress": "where you are: steps, hints, skips",
    "leave": "leave the lesson (progress is saved)",
}


class LessonHooks(ReplHooks):
    """Lesson mode: judges every cell and answers the lesson commands."""

    def __init__(self, session: LessonSession, *, ascii_only: bool = False) -> None:
        self.session = session
        self.ascii_only = ascii_only
        self._code = ""  # starter or solution code for the next prompt
        self._leaving = False
        self._opening = ""
        self._opening_notice = ""
        self._client: KernelClient | None = None

    # --- ReplHooks ---------------------------------------------------------------------------

    def attach(self, client: KernelClient) -> None:
        self._client = client
        self.session.attach(client)
        feedback = self.session.start()
        self._code = feedback.code
        self._opening = feedback.message
        self._opening_notice = feedback.notice

    def banner(self) -> str | None:
        lesson = self.session.lesson
        rule = self._rule()
        parts = [f"{rule}\n{lesson.title}\n{rule}", self._wrap(self._opening)]
        if self._opening_notice:
            parts.append(self._opening_notice)
        parts.append("Commands: :hint  :solution  :skip  :reset  :step  :leave  (:help for all)")
        parts.append(self._step_text())
        return "\n\n".join(p for p in parts if p)

    def after_cell(self, reply: ExecuteReply) -> str | None:
        return self._render(self.session.cell_finished(reply))

    def command(self, name: str, arg: str) -> str | None:
        actions = {
            "hint": self.session.hint,
            "solution": self.session.solution,
            "skip": self.session.skip,
            "reset": self.session.reset_step,
            "restart-lesson": self.session.restart_lesson,
        }
        if name in actions:
            return self._render(actions[name]())
        if name == "step":
            return self._step_text()
        if name == "progress":
            return self._progress_text()
        if name == "leave":
            self._leaving = True
            return f"Leaving the lesson. {self.session.saved_note()}. {self._progress_text()}"
        return None

    def command_help(self) -> str | None:
        width = max(len(name) for name in COMMANDS) + 1
        lines = ["Lesson commands:"]
        lines += [f"  :{name:<{width}} {text}" for name, text in COMMANDS.items()]
        return "\n".join(lines)

    def prefill(self) -> str:
        code, self._code = self._code, ""
        return code

    def finished(self) -> bool:
        return self._leaving

    def restart_advice(self) -> str:
        # :reset restarts the kernel *and* replays the earlier steps; :restart leaves it empty.
        return ("Type :reset for a fresh kernel with this step's variables rebuilt "
                "(:restart gives an empty one).")

    # --- text --------------------------------------------------------------------------------

    def _rule(self) -> str:
        return ("-" if self.ascii_only else "─") * 60

    def _step_text(self) -> str:
        step = self.session.step
        if step is None:
            return self.session.summary().text() + "\nFree play: keep experimenting, or :leave."
        heading = f"{self.session.position()}" + (f": {step.title}" if step.title else "")
        text = f"{heading}\n\n{plain_text(step.prose, _width())}"
        if step.graph:
            text += f"\n\n{self._graph_text(step.graph)}"
        return text

    def _graph_text(self, name: str) -> str:
        """The graph the step talks about, drawn now if it exists (else how to draw it)."""
        from gradtui.kernel.views import graph_tree

        try:
            snapshot = self._client.snapshot() if self._client is not None else None
        except Exception:  # no picture is better than a broken lesson
            snapshot = None
        if snapshot is None or snapshot.tensor(name) is None:
            return f"(Type :graph {name} to see the graph.)"
        try:
            tree = graph_tree(snapshot, name, ascii=self.ascii_only)
        except ValueError:  # ViewError: the tensor has no graph (yet)
            return f"(Type :graph {name} to see the graph.)"
        return f"The graph of {name} (:graph {name} draws it again):\n{tree}"

    def _wrap(self, text: str) -> str:
        return plain_text(text, _width())

    def _progress_text(self) -> str:
        p = self.session.progress
        return (f"{self.session.position()}; {counted(p.hints_used, 'hint')} used, "
                f"{p.skips} skipped, {counted(p.solutions_shown, 'solution')} shown.")

    def _render(self, feedback: Feedback) -> str:
        ok, bad = ("ok", "X") if self.ascii_only else ("✓", "✗")
        lines: list[str] = []
        if feedback.kind == "fail":
            lines.append("Not yet:")
            lines += [_item(bad, message) for message in feedback.problems]
        else:
            if feedback.kind in ("pass", "finished"):
                lines += [_item(ok, r.message) for r in feedback.results]
            lines.append(_message(feedback))
        if feedback.plot:
            lines.append(text_plot(feedback.plot, title=f"{feedback.plot_name}, first to last:",
                                   ascii_only=self.ascii_only))
        if feedback.code:
            self._code = feedback.code
        if feedback.notice:
            # After the verdict, before the next step's text: a failed save must not scroll by.
            lines.append(_item("!", feedback.notice))
        if feedback.advanced:
            lines.append(self._rule())
            lines.append(self._step_text())
        return "\n".join(lines)


def run_plain_lesson(session: LessonSession, args: argparse.Namespace) -> int:
    """Run the plain REPL in lesson mode."""
    from gradtui.plain.repl import main

    # The same choice as the REPL's own views, so rules, marks and graph trees agree.
    ascii_only = bool(getattr(args, "ascii", False)) or ascii_wanted(sys.stdout)
    return main(args, hooks=LessonHooks(session, ascii_only=ascii_only))


def _item(mark: str, message: str) -> str:
    return textwrap.fill(message, _width(), initial_indent=f"  {mark} ",
                         subsequent_indent=" " * (len(mark) + 3), break_on_hyphens=False)


def _message(feedback: Feedback) -> str:
    """The feedback text, wrapped; code it shows (a solution) is indented, not wrapped."""
    text = textwrap.fill(feedback.message, _width(), break_on_hyphens=False)
    if feedback.shown_code:
        text += "\n" + textwrap.indent(feedback.shown_code, "    ")
    if feedback.shown_output:
        text += "\nIt showed:\n" + textwrap.indent(feedback.shown_output, "    ")
    return text


def _width() -> int:
    """Columns to wrap prose to: the terminal's, at most 100 (long lines are hard to read)."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns - 1, 100))

