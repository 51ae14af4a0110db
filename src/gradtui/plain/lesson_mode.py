"""``gradtui lesson N --plain``: a lesson in the plain REPL, through ``ReplHooks``.

The step's prose is printed as text (Markdown reads fine as is), every cell's verdict follows
its output (nothing when the cell did not touch the step), and ``:hint``, ``:solution``,
``:skip``, ``:reset``, ``:restart-lesson``, ``:lesson`` (show the step again, as in the
workspace), ``:next`` (after a pass: on to the next step; Enter on an empty line does the
same), ``:progress`` and ``:leave`` drive the lesson. ``:step NAME`` is the REPL's backward
walk; a bare ``:step`` (this command's old name) says where the step's text went. Inline code
is bold cyan on a colour terminal and loses its backticks everywhere.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING

from gradtui.lessons.inline import mark_code, unmark
from gradtui.lessons.prose import plain_text
from gradtui.lessons.session import Feedback, LessonSession, counted
from gradtui.lessons.textplot import text_plot
from gradtui.plain.console import ascii_wanted, colour_wanted
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
    "lesson": "show this step's text again",
    "next": "after a pass: the next step (or Enter on an empty line)",
    "progress": "where you are: steps, hints, skips",
    "leave": "leave the lesson (progress is saved)",
}


# The typography of feedback messages (recap arrows, quoted step titles), for --ascii.
_ASCII_STAND_INS = str.maketrans({"→": "->", "“": '"', "”": '"', "…": "...", "·": "*"})


class LessonHooks(ReplHooks):
    """Lesson mode: judges every cell and answers the lesson commands."""

    def __init__(self, session: LessonSession, *, ascii_only: bool = False,
                 colour: bool = False) -> None:
        self.session = session
        self.ascii_only = ascii_only
        self.colour = colour
        self._code = ""  # starter or solution code for the next prompt
        self._leaving = False
        self._left = False  # the farewell was said
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
        # one line at 80 columns
        parts.append("Commands: :hint :solution :skip :reset :lesson :next :leave (:help for all)")
        parts.append(self._step_text())
        return "\n\n".join(p for p in parts if p)

    def after_cell(self, reply: ExecuteReply) -> str | None:
        return self._render(self.session.cell_finished(reply))

    def empty_line(self) -> str | None:
        """Enter on an empty line moves on from a passed step (and is ignored otherwise)."""
        if self.session.review is None:
            return None
        return self._render(self.session.next_step())

    def command(self, name: str, arg: str) -> str | None:
        actions = {
            "hint": self.session.hint,
            "solution": self.session.solution,
            "skip": self.session.skip,
            "reset": self.session.reset_step,
            "restart-lesson": self.session.restart_lesson,
            "next": self.session.next_step,
        }
        if name in actions:
            return self._render(actions[name]())
        if name == "lesson":
            return self._step_text()
        if name == "step" and not arg.strip():
            return ("This step's text is :lesson now (as in the workspace).\n"
                    ":step NAME walks NAME.backward() node by node.")
        if name == "progress":
            return self._progress_text()
        if name == "leave":
            self._leaving = True
            return self.farewell() or ""
        return None

    def farewell(self) -> str | None:
        """What the learner reads on leaving (``:leave``, Ctrl-D, ``:quit``, end of input)."""
        if self._left:
            return None  # :leave said it already
        self._left = True
        return f"Leaving the lesson. {self.session.saved_note()}. {self._progress_text()}"

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
        session = self.session
        step = session.shown_step
        if step is None:
            return self._wrap(f"{session.summary().text()} {session.up_next_text()}\n\n"
                              "Free play: keep experimenting, or :leave.")
        heading = f"{session.position()}" + (f": {step.title}" if step.title else "")
        text = f"{heading}\n\n{self._prose(step.prose)}"
        if step.predict is not None and session.review is None:
            text += "\n\n" + self._wrap(
                f"Predict: {step.predict.question} Type the value you expect (a number, or a "
                "list such as `[1.0, 2.0]`) and press Enter; the lesson then runs the code.")
        if step.graph:
            text += f"\n\n{self._graph_text(step.graph)}"
        return text

    def _prose(self, markdown: str) -> str:
        return unmark(plain_text(markdown, _width(), marked=True), colour=self.colour)

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
        return self._prose(text)

    def _fill(self, text: str, mark: str = "") -> str:
        """One message, wrapped (hanging under ``mark``), its inline code shown as code."""
        if self.ascii_only:
            text = text.translate(_ASCII_STAND_INS)
        indent = f"  {mark} " if mark else ""
        body = textwrap.fill(mark_code(text), _width(), initial_indent=indent,
                             subsequent_indent=" " * len(indent), break_on_hyphens=False)
        return unmark(body, colour=self.colour)

    def _progress_text(self) -> str:
        session = self.session
        if session.finished:
            return session.summary().text()
        p = session.progress
        return (f"{session.position()}; {counted(p.hints_used, 'hint')} used, "
                f"{p.skips} skipped, {counted(p.solutions_shown, 'solution')} shown.")

    def _render(self, feedback: Feedback) -> str | None:
        ok, bad, note = ("ok", "X", "!") if self.ascii_only else ("✓", "✗", "!")
        if feedback.kind == "quiet":
            # Nothing to say about the cell; a failed save is still said, every time.
            return self._fill(feedback.notice, "!") if feedback.notice else None
        lines: list[str] = []
        if feedback.advanced and feedback.kind in ("next", "fail", "pass", "finished"):
            # Moved on (a key, or a cell run after a pass): the new step first, then the verdict.
            lines += [self._rule(), self._step_text()]
        if feedback.kind == "fail":
            lines.append("Not yet:")
            lines += [self._fill(text, note) for text in feedback.notes]
            lines += [self._fill(message, bad) for message in feedback.problems]
        elif feedback.kind == "note":  # free play after a pass: explained, not judged
            lines += [self._fill(text, note) for text in feedback.notes]
        elif feedback.kind != "next":
            if feedback.kind in ("pass", "finished"):
                lines += [self._fill(r.message, ok) for r in feedback.results]
            lines.append(self._message(feedback))
            if feedback.kind == "finished" and self.session.review is not None:
                lines.append(self._fill(self.session.summary().text()))
        if feedback.recap:
            lines.append("What changed:")
            lines += [self._fill(line, "-" if self.ascii_only else "•")
                      for line in feedback.recap]
        if feedback.plot:
            lines.append(text_plot(feedback.plot, title=f"{feedback.plot_name}, first to last:",
                                   ascii_only=self.ascii_only))
        if feedback.code:
            self._code = feedback.code
        if feedback.notice:
            # After the verdict, before how to go on: a failed save must not scroll by.
            lines.append(self._fill(feedback.notice, "!"))
        if feedback.kind in ("pass", "finished") and self.session.review is not None:
            lines.append(self._fill(
                f"{self.session.next_hint()} Press Enter on an empty line (or type :next) "
                "to go on." if not self.session.finished else
                f"{feedback.up_next} Type :leave to end, or keep experimenting."))
        elif feedback.advanced and feedback.kind not in ("next", "fail", "pass", "finished"):
            lines.append(self._rule())
            lines.append(self._step_text())
        return "\n".join(lines)

    def _message(self, feedback: Feedback) -> str:
        """The feedback text, wrapped; code it shows (a solution) is indented, not wrapped."""
        text = self._fill(feedback.message)
        if feedback.shown_code:
            text += "\n" + textwrap.indent(feedback.shown_code, "    ")
        if feedback.shown_output:
            text += "\nIt showed:\n" + textwrap.indent(feedback.shown_output, "    ")
        return text


def run_plain_lesson(session: LessonSession, args: argparse.Namespace) -> int:
    """Run the plain REPL in lesson mode."""
    from gradtui.plain.repl import main

    # The same choices as the REPL's own views, so rules, marks and graph trees agree.
    ascii_only = bool(getattr(args, "ascii", False)) or ascii_wanted(sys.stdout)
    colour = sys.stdin.isatty() and sys.stdout.isatty() and colour_wanted(sys.stdout)
    return main(args, hooks=LessonHooks(session, ascii_only=ascii_only, colour=colour))


def _width() -> int:
    """Columns to wrap prose to: the terminal's, at most 100 (long lines are hard to read)."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns - 1, 100))

