"""``gradtui repl``: the plain prompt-toolkit REPL over the session kernel.

For dumb terminals, screen readers and scripts: learner code runs in the kernel process (through
``gradtui.kernel.client.KernelClient``), and this module only reads cells, sends them, and prints
what comes back, plus the text views of ``gradtui.kernel.views`` on ``:commands``.

Lesson mode (``gradtui/plain/lesson_mode.py``, owned by the lessons area) plugs in through
``ReplHooks``: subclass it, override what you need, and pass it to ``main(args, hooks=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradtui.kernel.client import KernelClient
    from gradtui.kernel.protocol import ExecuteReply


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
       ``:grads``, ``:dot``, ``:restart``, ``:help``, ``:quit``): ``command(name, arg)`` with
       ``name`` without the colon and ``arg`` the stripped rest of the line (""). Return the
       text to print ("" to print nothing), or None when the command is not yours (the REPL
       then reports an unknown command).
    6. ``command_help()`` is appended to ``:help`` (list your commands there).

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

