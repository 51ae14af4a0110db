"""The gradtui workspace: a thin Textual ``App`` built by ``create_app``; ``main`` runs it.

Lesson hook (``gradtui.tui.lesson_pane.LessonPane``, owned by the lessons area; see
docs/contracts.md "Lessons"). When ``create_app``/``main`` get a ``lesson_session``, the app:

- imports ``LessonPane`` and mounts ``LessonPane(session)`` first: the first tab below 120
  columns (F6 shows it), the top of the side pane at 120 columns and more;
- calls ``pane.cell_finished(reply)`` with the ``ExecuteReply`` after every cell, and
  ``pane.empty_enter()`` when Enter is pressed on an empty input;
- passes any ``:command`` it does not know to ``pane.command(name, arg) -> bool``
  (``arg`` is the rest of the line; False means "not mine either" and the app says unknown);
- binds every ``textual.binding.Binding`` in ``LessonPane.APP_BINDINGS`` (its ``action`` is a
  lesson action name such as ``"hint"``) on the workspace screen, to ``pane.do(name)``;
- offers ``app.set_input_text(code)`` (starter or solution code into the input, cursor at the
  end, input focused) and ``app.client`` (the ``KernelClient``, for ``expr`` checks through
  ``client.evaluate``; call it from a thread worker, never on the event loop).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, TextArea

from gradtui.tui.glyphs import glyphs_for, wants_ascii
from gradtui.tui.history import HistoryCursor, load_history
from gradtui.tui.kernel_calls import KernelCalls
from gradtui.tui.screens.help import HelpScreen
from gradtui.tui.screens.workspace import WorkspaceScreen
from gradtui.tui.widgets.cell_input import CellInput
from gradtui.tui.widgets.graph_panel import GraphPanel

# Set for a remote login (OpenSSH) or a teaching-lab session (gradtui serve).
REMOTE_SESSION_VARS = ("SSH_CONNECTION", "SSH_CLIENT", "GRADTUI_LAB_SESSION")


def is_remote_session(environ: dict[str, str] | os._Environ[str]) -> bool:
    """True when the screen travels over a network link: there a blinking cursor redraws the
    input line twice a second for as long as the session stays open (~0.5 KB/s per learner)."""
    return any(environ.get(name) for name in REMOTE_SESSION_VARS)


def lesson_screen_class(bindings: list[Binding]) -> type[WorkspaceScreen]:
    """The workspace screen with a lesson's keys: each binding's action is a lesson action
    name, run by ``WorkspaceScreen.action_lesson``. They must work while the learner types, so
    they take priority over the input's own keys (TextArea binds F6/F7...), except plain
    characters, which stay typable in the input."""
    lesson_bindings = [
        Binding(b.key, f"lesson({b.action!r})", b.description, show=b.show,
                key_display=b.key_display,
                priority=b.priority or not all(len(k.strip()) == 1 for k in b.key.split(",")))
        for b in bindings
    ]
    return type("LessonWorkspaceScreen", (WorkspaceScreen,), {"BINDINGS": lesson_bindings})


class GradtuiApp(App[int]):
    """Owns the kernel client and app-wide keys; the workspace screen does the rest."""

    CSS_PATH = "app.tcss"
    TITLE = "gradtui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", priority=True),
        Binding("ctrl+c", "interrupt", "Interrupt", priority=True),
        Binding("f9", "restart", "Restart kernel", priority=True),
        Binding("f2", "show('repl')", "REPL", priority=True),
        Binding("f3", "show('tensors')", "Tensors", priority=True),
        Binding("f4", "show('graph')", "Graph", priority=True),
        Binding("f5", "show('grads')", "Gradients", priority=True),
        Binding("f6", "show('lesson')", "Lesson", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self, client: Any, *, lesson_session: Any = None, ascii_only: bool = False,
        history_path: Path | None = None, cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self._client = client
        self.cursor_blink = cursor_blink
        self.calls = KernelCalls(client)
        self.ascii_only = ascii_only
        self.glyphs = glyphs_for(ascii_only)
        self.history_path = history_path
        self.history = HistoryCursor(load_history(history_path) if history_path else [])
        self.lesson_session = lesson_session
        self.lesson_pane: Widget | None = None
        self.lesson_keys: list[tuple[str, str, str]] = []
        self._screen_class: type[WorkspaceScreen] = WorkspaceScreen
        if lesson_session is not None:
            from gradtui.tui.lesson_pane import LessonPane

            self.lesson_pane = LessonPane(lesson_session)
            self._screen_class = lesson_screen_class(LessonPane.APP_BINDINGS)
            self.lesson_keys = [(b.key, "lesson", b.description)
                                for b in LessonPane.APP_BINDINGS]

    @property
    def client(self) -> Any:
        """The ``KernelClient`` (blocking calls: use it from thread workers only)."""
        return self._client

    def workspace_screen(self) -> WorkspaceScreen:
        """The workspace screen (under any help screen or palette on top of it)."""
        screen = self._workspace_screen()
        if screen is None:
            raise LookupError("the workspace screen is not mounted yet")
        return screen

    def get_default_screen(self) -> Screen:
        return self._screen_class(self.calls, self.glyphs, self.history, self.history_path,
                                  self.lesson_pane, cursor_blink=self.cursor_blink)

    def on_mount(self) -> None:
        self.screen.set_class(self.ascii_only, "-ascii")

    def on_unmount(self) -> None:
        # A cell still running holds a worker thread in client.execute, and the event loop
        # waits for worker threads before the process can exit: ending the kernel frees it.
        self._client.close()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._redirect_typing(event)
        await super().on_event(event)

    def _redirect_typing(self, key: events.Key) -> None:
        """Typing while a panel has focus types into the input (keys the panel binds, like the
        Graph panel's s/n/p/d, stay the panel's): the learner need not go back first.

        Done here, before Textual forwards the key, because a fast typist's (or tmux's) next
        keys are already queued: moving the focus any later would send them to the panel.
        """
        screen = self.screen
        if not isinstance(screen, WorkspaceScreen) or not key.is_printable or not key.character:
            return
        focused = self.focused
        # Widgets that take text themselves (ours, or a lesson pane's) keep their keys.
        if isinstance(focused, TextArea | Input | OptionList) or key.key in self.active_bindings:
            return
        screen.set_focus(screen.query_one(CellInput))

    # -- actions ----------------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lesson_keys, ascii_only=self.ascii_only))

    def action_show(self, area: str) -> None:
        screen = self._workspace_screen()
        if screen is not None:
            screen.show_area(area)

    def action_interrupt(self) -> None:
        screen = self._workspace_screen()
        if screen is not None and screen.state == "busy":
            screen.interrupt_cell()
        elif isinstance(self.focused, TextArea | Input):
            self.focused.action_copy()  # Ctrl+C keeps its copy meaning while nothing runs

    def action_restart(self) -> None:
        screen = self._workspace_screen()
        if screen is not None:
            screen.restart_kernel()

    async def action_quit(self) -> None:
        """Ctrl+Q: in a lesson, leave it as Ctrl+L does, saying that progress is saved."""
        message = None
        if self.lesson_session is not None:
            from gradtui.tui.lesson_pane import leave_message

            try:
                message = leave_message(self.lesson_session)
            except Exception:  # quitting must always work
                message = None
        self.exit(0, message=message)

    def set_input_text(self, code: str) -> None:
        """Put ``code`` in the input (cursor at the end) and focus it."""
        screen = self._workspace_screen()
        if screen is None:
            return
        cell_input = screen.query_one(CellInput)
        cell_input.set_text(code)
        cell_input.focus()  # the input is always on screen: the shown tab stays

    def _workspace_screen(self) -> WorkspaceScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, WorkspaceScreen):
                return screen
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        workspace = self._workspace_screen()
        if workspace is None:
            return
        graph = workspace.query_one(GraphPanel)
        if graph.root_name:
            name = graph.root_name
            yield SystemCommand(f"Export graph of {name} as DOT",
                                f"Show the Graphviz DOT of {name}'s graph in the log",
                                lambda: workspace.export_dot(name, None))
            yield SystemCommand(f"Step through {name}.backward()",
                                "Walk the backward pass node by node in the Graph panel",
                                lambda: workspace.start_step(name))
        yield SystemCommand("Restart kernel", "A fresh kernel with an empty namespace",
                            self.action_restart)
        yield SystemCommand("Interrupt", "Stop the running cell", self.action_interrupt)
        yield SystemCommand("Keys", "Every key of the workspace", self.action_help)


def create_app(
    client: Any = None, *, lesson_session: Any = None, ascii_only: bool | None = None,
    history_path: Path | None = None, memory_limit_mb: int | None = None,
    cpu_limit_s: int | None = None,
) -> GradtuiApp:
    """Build the workspace. Without ``client`` a ``KernelClient`` is made (started on mount).
    The app owns the client: it closes it when it exits.

    ``ascii_only=None`` chooses from the environment (``TERM=linux``, non-UTF-8 locales).
    """
    if client is None:
        from gradtui.kernel.client import KernelClient

        client = KernelClient(memory_limit_mb=memory_limit_mb, cpu_limit_s=cpu_limit_s)
    if ascii_only is None:
        ascii_only = wants_ascii(os.environ)
    return GradtuiApp(client, lesson_session=lesson_session, ascii_only=ascii_only,
                      history_path=history_path, cursor_blink=not is_remote_session(os.environ))


def main(args: Any, lesson_session: Any = None) -> int:
    """Run the workspace for ``gradtui``: ``args.ascii``, ``.memory_limit``, ``.cpu_limit``."""
    from gradtui.paths import history_file

    try:
        app = create_app(
            lesson_session=lesson_session,
            ascii_only=wants_ascii(os.environ, forced=bool(getattr(args, "ascii", False))),
            history_path=history_file(),
            memory_limit_mb=getattr(args, "memory_limit", None),
            cpu_limit_s=getattr(args, "cpu_limit", None),
        )
    except ValueError as exc:  # e.g. a malformed GRADTUI_KERNEL_* variable
        print(f"gradtui: {exc}", file=sys.stderr)
        return 2
    if app.ascii_only:
        from gradtui.tui.widgets.ascii_scrollbar import use_ascii_scrollbars

        use_ascii_scrollbars()
    try:
        app.run()
    finally:
        app.client.close()
    return int(app.return_code or 0)
