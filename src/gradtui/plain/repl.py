"""``gradtui repl``: the plain prompt-toolkit REPL over the session kernel.

For dumb terminals, screen readers and scripts: learner code runs in the kernel process (through
``gradtui.kernel.client.KernelClient``), and this module only reads cells, sends them, and prints
what comes back, plus the text views of ``gradtui.kernel.views`` on ``:commands``.

Lesson mode (``gradtui/plain/lesson_mode.py``, owned by the lessons area) plugs in through
``ReplHooks``: subclass it, override what you need, and pass it to ``main(args, hooks=...)``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from prompt_toolkit import PromptSession

from gradtui.kernel import KernelDied, KernelError
from gradtui.kernel.client import KernelClient
from gradtui.kernel.protocol import ExecuteReply, Snapshot
from gradtui.pipes import quiet_broken_pipe
from gradtui.plain.cells import iter_cells, parse_command
from gradtui.plain.colon_commands import BUILTIN_COMMANDS, HELP, CommandError, run_builtin
from gradtui.plain.completion import ReplCompleter
from gradtui.plain.console import Console, ascii_wanted, colour_wanted
from gradtui.plain.prompt import PROMPT, make_prompt_session

T = TypeVar("T")


class ReplHooks:
    """Extension points of the plain REPL; the defaults do nothing.

    The REPL calls them in this order:

    1. ``attach(client)`` once, right after the kernel started: keep the client to run checks
       (``client.evaluate``, ``client.snapshot``). Never call ``client.execute`` from a hook
       while the REPL is waiting for a cell.
    2. ``banner()`` once: text printed before the first prompt instead of the default banner
       (None keeps the default).
    3. Before every prompt: ``finished()`` (True leaves the REPL, exit status 0), then
       ``prefill()``: text put in the new prompt's input line, e.g. a step's starter code
       ("" for an empty line). Prefill applies to interactive terminals only; piped input
       ignores it.
    4. After every cell the kernel ran (also when it raised): ``after_cell(reply)`` with the
       ``ExecuteReply``; the returned text is printed after the cell's own output.
    5. For a ``:NAME ARG`` line that is not a built-in command (``:tensors``, ``:graph``,
       ``:grads``, ``:step``, ``:dot``, ``:doc``, ``:restart``, ``:help``, ``:quit``), and for
       a bare ``:step`` (no NAME) before the built-in tries the last value:
       ``command(name, arg)`` with ``name`` without the colon and ``arg`` the stripped rest
       of the line (""). Return the text to print ("" to print nothing), or None when the
       command is not yours (the REPL then reports an unknown command).
    6. ``command_help()`` is appended to ``:help`` (list your commands there).
    7. When the kernel has died: ``restart_advice()``, the sentence saying what to type next
       (a lesson offers ``:reset``, which also rebuilds the step's variables).
    8. Enter on an empty line (interactive only): ``empty_line()``; text to print, or None.
    9. When the REPL ends (Ctrl-D, ``:quit``, end of piped input, or ``finished()``):
       ``farewell()``, text printed last (a lesson says the progress is saved), or None.

    Hooks run in the REPL's own thread; they must not block for long.
    """

    def attach(self, client: KernelClient) -> None:
        """Called once with the started kernel client."""

    def banner(self) -> str | None:
        """Text shown before the first prompt; None for the default banner."""
        return None

    def after_cell(self, reply: ExecuteReply) -> str | None:
        """Text printed after a cell's output (e.g. a lesson check's verdict), or None."""
        return None

    def command(self, name: str, arg: str) -> str | None:
        """Handle ``:name arg``; return text to print, or None if the command is not yours."""
        return None

    def command_help(self) -> str | None:
        """Lines describing the hooks' own commands, appended to ``:help``."""
        return None

    def prefill(self) -> str:
        """Text put in the next prompt's input (starter code); "" for none."""
        return ""

    def finished(self) -> bool:
        """True to leave the REPL before the next prompt (e.g. the lesson is over)."""
        return False

    def restart_advice(self) -> str:
        """What to type after the kernel died."""
        return "Type :restart to start a fresh kernel."

    def empty_line(self) -> str | None:
        """Text printed when the learner presses Enter on an empty line, or None."""
        return None

    def farewell(self) -> str | None:
        """Text printed when the REPL ends, or None."""
        return None



class PlainRepl:
    """Reads cells, runs them in the kernel, prints results; ``:commands`` print the views.

    The same object serves a terminal (``run_interactive``, prompt-toolkit) and a pipe
    (``run_piped``); tests drive either with their own input, output and a fake client.
    """

    def __init__(
        self,
        client: KernelClient,
        console: Console,
        *,
        hooks: ReplHooks | None = None,
        ascii: bool = False,
    ) -> None:
        self.client = client
        self.console = console
        self.hooks = hooks or ReplHooks()
        self.ascii = ascii
        self.snapshot: Snapshot | None = None  # from the last cell: tensor names for completion
        self.failed = False  # some cell raised, or the kernel died: piped mode exits 1
        self._dead_reported = False

    # -- one cell or command ---------------------------------------------------------------

    def handle(self, source: str) -> bool:
        """Run one cell or ``:command``; False when the learner asked to leave."""
        command = parse_command(source)
        if command is not None:
            return self._command(*command)
        reply = self._execute(source)
        if reply is None:
            return True
        self.console.cell_result(reply.result)
        if not reply.result.ok:
            self.failed = True
        if reply.snapshot is not None:
            self.snapshot = reply.snapshot
        self._print_hook_text(lambda: self.hooks.after_cell(reply))
        return True

    def _execute(self, source: str) -> ExecuteReply | None:
        """``client.execute`` in a worker thread, so Ctrl-C (SIGINT) here interrupts the kernel.

        Returns None when the kernel is dead (after saying so).
        """
        if not self.client.alive:
            self._report_dead(None)
            return None
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                # the cell's output is printed as it is written, from this thread
                box["reply"] = self.client.execute(source, on_output=self.console.stream)
            except BaseException as exc:  # handed to the main thread below
                box["error"] = exc
            finally:
                done.set()

        # While the cell runs, Ctrl-C is counted by a handler instead of raised: a press that
        # lands while we are still reacting to the previous one (printing the notice below)
        # must count as the next press, not escape as a KeyboardInterrupt that abandons the cell.
        # The handler is in place before the cell's thread starts: a press that landed while
        # the thread was starting (the cell already running in the kernel) escaped as a
        # KeyboardInterrupt that left the cell running and never interrupted the kernel.
        presses = [0]

        def count_press(_signum: int, _frame: object) -> None:
            presses[0] += 1

        # (Signals reach only the main thread: elsewhere there is nothing to count.)
        on_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, count_press) if on_main_thread else None
        try:
            threading.Thread(target=work, name="gradtui-cell", daemon=True).start()
            handled = 0
            # A timed wait keeps the main thread responsive to SIGINT on every platform.
            while not done.wait(0.1):
                while handled < presses[0]:
                    handled += 1
                    if handled < 3:
                        self.client.interrupt()
                    if handled == 2:
                        self.console.notice(
                            "The cell is still running (maybe inside one long numpy call). "
                            "Press Ctrl-C once more to restart the kernel (variables are lost)."
                        )
                    elif handled == 3:
                        self._restart_stuck_kernel(done)
                        return None
        finally:
            if on_main_thread:
                signal.signal(signal.SIGINT, previous)
        error = box.get("error")
        if isinstance(error, KernelDied):
            self._report_dead(str(error))
            return None
        if isinstance(error, KernelError):  # a protocol problem, not the learner's fault
            self.failed = True
            self.console.error(f"gradtui: {error}")
            return None
        if error is not None:
            raise error
        self._dead_reported = False
        return box["reply"]

    def _restart_stuck_kernel(self, cell_done: threading.Event) -> None:
        """Kill a kernel that ignores interrupts and start a fresh one."""
        try:
            self.client.restart()  # also ends the blocked execute in the worker thread
        except (KernelDied, OSError) as exc:
            self.failed = True
            self.console.error(f"The kernel was stopped but could not start again: {exc}")
            return
        cell_done.wait(5.0)
        self.failed = True
        self.snapshot = None
        self._dead_reported = False
        self.console.error(
            "The cell did not stop, so the kernel was restarted: the namespace is empty "
            "(import torch again)."
        )

    def _report_dead(self, message: str | None) -> None:
        self.failed = True
        if message is not None or not self._dead_reported:
            # The client's message already says how it died; the restart hint is ours.
            reason = (message or "").split("; :restart")[0]
            self.console.error(
                f"The kernel stopped{': ' + reason if reason else ''}.\n"
                f"Your variables are lost. {self.hooks.restart_advice()}"
            )
        else:
            self.console.error(f"The kernel is not running. {self.hooks.restart_advice()}")
        self._dead_reported = True

    def _command(self, name: str, arg: str) -> bool:
        if name in ("quit", "exit", "q"):
            return False
        if name == "restart":
            self._restart()
            return True
        if name == "help":
            extra = self._hook_call(self.hooks.command_help)
            self.console.text(HELP + (f"\n\n{extra}" if extra else ""))
            return True
        if name == "step" and not arg.strip():
            # a lesson's own :step (its old "show the step again") may answer first
            handled = self._hook_call(lambda: self.hooks.command(name, arg))
            if handled:
                self.console.text(handled)
                return True
        if name in BUILTIN_COMMANDS:
            try:
                self.console.text(run_builtin(self.client, name, arg, ascii=self.ascii))
            except (CommandError, KernelError) as exc:
                self.console.error(str(exc))
            except KernelDied as exc:
                self._report_dead(str(exc))
            return True
        handled = self._hook_call(lambda: self.hooks.command(name, arg))
        if handled is None:
            self.console.error(f"unknown command :{name}  (type :help for the list)")
        elif handled:
            self.console.text(handled)
        return True

    def _restart(self) -> None:
        try:
            self.client.restart()
        except (KernelDied, OSError) as exc:
            self.console.error(f"Could not start a fresh kernel: {exc}")
            return
        self.snapshot = None
        self._dead_reported = False
        self.console.notice("Fresh kernel started: the namespace is empty (import torch again).")

    def _hook_call(self, call: Callable[[], T]) -> T | None:
        """Run a hook; a failing hook is reported and must not take the REPL down."""
        try:
            return call()
        except KernelDied as exc:
            self._report_dead(str(exc))
        except Exception as exc:  # a bug in a hook: say so and keep the learner's session
            self.console.error(f"gradtui: a lesson hook failed: {type(exc).__name__}: {exc}")
        return None

    def _print_hook_text(self, call: Callable[[], str | None]) -> None:
        text = self._hook_call(call)
        if text:
            self.console.text(text)

    def tensor_names(self) -> list[str]:
        return [t.name for t in self.snapshot.tensors] if self.snapshot else []

    def command_names(self) -> list[str]:
        return [*BUILTIN_COMMANDS]

    # -- the two loops ---------------------------------------------------------------------

    def start(self, *, default_banner: bool) -> None:
        """Hand the client to the hooks and print the banner."""
        self._hook_call(lambda: self.hooks.attach(self.client))
        banner = self._hook_call(self.hooks.banner)
        if banner is None and default_banner:
            banner = DEFAULT_BANNER
        if banner:
            self.console.text(banner)

    def run_piped(self, lines: Iterable[str]) -> int:
        """Run cells read from ``lines`` (no prompts); 0 if every cell succeeded, else 1."""
        self.start(default_banner=False)
        try:
            for cell in iter_cells(lines):
                if self._hook_call(self.hooks.finished) or not self.handle(cell):
                    break
        except KeyboardInterrupt:
            return 130
        self._print_hook_text(self.hooks.farewell)
        return 1 if self.failed else 0

    def run_interactive(self, session: PromptSession[str]) -> int:
        """The prompt loop: Ctrl-C clears the line, Ctrl-D (or ``:quit``) leaves."""
        self.start(default_banner=True)
        while not self._hook_call(self.hooks.finished):
            prefill = self._hook_call(self.hooks.prefill) or ""
            try:
                text = session.prompt(PROMPT, default=prefill)
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            try:
                if not text.strip():
                    self._print_hook_text(self.hooks.empty_line)
                elif not self.handle(text):
                    break
            except KeyboardInterrupt:
                # Ctrl-C while printing or drawing a view (not inside a cell): drop that output.
                self.console.notice("KeyboardInterrupt")
        self._print_hook_text(self.hooks.farewell)
        return 0

    def make_session(self, *, colour: bool, **io: Any) -> PromptSession[str]:
        """A prompt-toolkit session for this REPL (see ``gradtui.plain.prompt``).

        ``io`` may carry ``input``/``output`` (tests use a pipe input and a dummy output) and
        ``history`` (default: the history file shared with the workspace).
        """
        completer = ReplCompleter(self.client, self.command_names, self.tensor_names)
        return make_prompt_session(completer, colour=colour, **io)


DEFAULT_BANNER = (
    "gradtui REPL: PyTorch's autograd on numpy. `import torch` works here.\n"
    "Type :help for commands (:tensors, :graph NAME, :step NAME), Ctrl-D to leave."
)


def main(args: argparse.Namespace, hooks: ReplHooks | None = None) -> int:
    """Run ``gradtui repl`` (or a lesson's plain mode, via ``hooks``); returns the exit status.

    A terminal gets the prompt-toolkit REPL; anything else (a pipe, a file) is read as cells
    with no prompts and no colour, so ``printf 'x = 1 + 1\\nx\\n' | gradtui repl`` prints ``2``.
    """
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    colour = interactive and colour_wanted(sys.stdout)
    console = Console(sys.stdout, sys.stderr, colour=colour)
    try:
        client = KernelClient(
            memory_limit_mb=getattr(args, "memory_limit", None),
            cpu_limit_s=getattr(args, "cpu_limit", None),
        )
    except ValueError as exc:  # a malformed GRADTUI_KERNEL_* variable
        console.error(f"gradtui repl: {exc}")
        return 2
    try:
        client.start()
    except (KernelDied, OSError) as exc:
        console.error(f"gradtui repl: could not start the kernel: {exc}")
        return 1
    try:
        ascii = bool(getattr(args, "ascii", False)) or ascii_wanted(sys.stdout)
        repl = PlainRepl(client, console, hooks=hooks, ascii=ascii)
        if interactive:
            return repl.run_interactive(repl.make_session(colour=colour))
        return repl.run_piped(sys.stdin)
    except BrokenPipeError:
        # The reader went away (`gradtui repl < cells.py | head -1`): stop quietly, like cat.
        return quiet_broken_pipe()
    finally:
        client.close()
