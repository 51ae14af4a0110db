"""The typed seam between the workspace and its lesson pane (see docs/contracts.md "Lessons").

The workspace calls the pane through ``LessonPaneHooks``; the pane asks the app for what it
needs through ``LessonHost`` and asks the workspace screen for everything else with messages
(``gradtui.tui.messages``: ``LessonSnapshot``, ``AreaWanted``, ``GraphWanted``). What the pane
needs to know of the screen's layout it reads from the screen's CSS classes (``-wide``: the
log is beside the pane; ``-ascii``), which the screen's reactive attributes keep true.
``gradtui.tui.lesson_pane.LessonPane`` is the implementation; tests plug in small fakes.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from textual.binding import Binding

from gradtui.kernel.protocol import ExecuteReply


@runtime_checkable
class LessonPaneHooks(Protocol):
    """What the workspace calls on its lesson pane (a widget it mounts).

    ``APP_BINDINGS`` are bound on the workspace screen with priority (plain characters stay
    typable): each one's ``action`` is a lesson action name handed to ``do``.
    """

    APP_BINDINGS: list[Binding]

    def cell_finished(self, reply: ExecuteReply) -> None:
        """Every cell the learner ran, once its reply is in (judge the step)."""

    def empty_enter(self) -> None:
        """Enter on an empty input (after a passed step: go on)."""

    def command(self, name: str, arg: str) -> bool:
        """A ``:name arg`` the workspace does not know; False when it is not the pane's."""

    def do(self, action: str) -> None:
        """Run lesson action ``action`` (an ``APP_BINDINGS`` key's)."""


@runtime_checkable
class LessonHost(Protocol):
    """What a lesson pane may use of the app it is mounted in (``GradtuiApp``)."""

    ascii_only: bool  # ASCII glyphs only (``--ascii``, ``TERM=linux``)

    @property
    def client(self) -> Any:
        """The ``KernelClient``: blocking calls, from thread workers only."""

    def set_input_text(self, code: str) -> None:
        """Put ``code`` in the input, cursor at the end, and focus it."""
