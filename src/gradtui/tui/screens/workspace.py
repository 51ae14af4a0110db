"""The workspace screen: REPL log and input, the Tensors/Graph/Gradients panels, the status bar.

Layout: at 120 columns and more the log is on the left (under the lesson pane, when there is
one: the step's text is what a learner reads most) and the panels are stacked on the right;
below 120 columns one area at a time is shown, chosen with tabs (F2-F6 or
``:tensors``/``:graph``/``:grads``). The input and the status bar are always visible.

This screen is the controller: it turns messages from widgets into kernel calls (thread
workers, see ``kernel_calls``) and hands results down to the widgets, coalescing bursts of
snapshots into at most one repaint every ``SNAPSHOT_INTERVAL`` seconds.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Tab, Tabs

from gradtui.kernel.protocol import (
    BackwardTrace,
    CellResult,
    Completion,
    ExecuteReply,
    Snapshot,
    StreamChunk,
)
from gradtui.tui.cells import ColonCommand, parse_colon_command
from gradtui.tui.coalesce import Coalescer
from gradtui.tui.dot_export import export_dot
from gradtui.tui.glyphs import Glyphs
from gradtui.tui.history import HistoryCursor, append_history
from gradtui.tui.kernel_calls import KernelCalls, KernelFailure
from gradtui.tui.lesson_seam import LessonPaneHooks
from gradtui.tui.messages import (
    AreaWanted,
    CellOutputArrived,
    CellRefused,
    CellSubmitted,
    CompletionRequested,
    DotRequested,
    EmptyEnter,
    GraphWanted,
    InputLeft,
    LessonSnapshot,
    PanelLeft,
    SourceRequested,
    StepRequested,
    TensorSelected,
)
from gradtui.tui.walk import BackwardWalk, freed_graph_hint
from gradtui.tui.widgets.cell_input import CellInput
from gradtui.tui.widgets.completion_list import CompletionList
from gradtui.tui.widgets.grads_panel import GradsPanel
from gradtui.tui.widgets.graph_panel import GraphPanel
from gradtui.tui.widgets.repl_log import ReplLog
from gradtui.tui.widgets.status_bar import StatusBar
from gradtui.tui.widgets.tensors_panel import TensorsPanel

WIDE_COLUMNS = 120
# A cell's echo (and the "running" status) wait this long: a cell faster than that is echoed
# with its result in one repaint, so the screen is not drawn again while the kernel works (a
# repaint in the middle also slows the kernel reply, which the app decodes on the same GIL).
ECHO_DELAY = 0.12  # seconds
SNAPSHOT_INTERVAL = 0.05  # seconds: at most ~20 repaints a second, even over a slow SSH link
BUSY_REFUSAL = "a cell is still running (Ctrl+C interrupts it)"
DEAD_REFUSAL = "the kernel is dead: F9 or :restart starts a new one"
PANEL_IDS = {"repl": "repl-log", "lesson": "lesson-pane", "tensors": "tensors-panel",
             "graph": "graph-panel", "grads": "grads-panel"}
LEFT_AREAS = ("lesson", "repl")  # the areas of the left column; the panels are on the right


CELL_NAME = re.compile(r"<cell (\d+)>")
T = TypeVar("T")


def renumbered(result: CellResult, shown: dict[int, int]) -> CellResult:
    """``result`` with the kernel's ``<cell K>`` (tracebacks, warnings) written as the number
    the log showed that cell with; cells the log did not show (a lesson's replays) keep K."""
    def swap(match: re.Match[str]) -> str:
        return f"<cell {shown.get(int(match.group(1)), int(match.group(1)))}>"

    if all(k == v for k, v in shown.items()):
        return result
    error = result.error
    if error is not None:
        error = replace(error, traceback=CELL_NAME.sub(swap, error.traceback))
    output = [replace(chunk, text=CELL_NAME.sub(swap, chunk.text)) if chunk.stream == "stderr"
              else chunk for chunk in result.output]
    return replace(result, error=error, output=output)


def _changes_text(names: list[str], limit: int = 4) -> str:
    """``changed: y, o`` for the status bar (a narrow screen shows one panel at a time)."""
    if not names:
        return ""
    shown = ", ".join(names[:limit])
    more = f" +{len(names) - limit}" if len(names) > limit else ""
    return f"changed: {shown}{more}"


class WorkspaceScreen(Screen[None]):
    """The one screen of the workspace."""

    BINDINGS = [Binding("question_mark", "app.help", "Help", show=False)]

    wide: reactive[bool] = reactive(False)
    """Side by side (120 columns and more): the ``-wide`` class, else ``-narrow``."""

    def __init__(
        self, calls: KernelCalls, glyphs: Glyphs, history: HistoryCursor,
        history_path: Path | None, lesson_pane: Widget | None = None, *,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink  # off over SSH: an idle screen then sends nothing
        self.calls = calls
        self.glyphs = glyphs
        self.history = history
        self.history_path = history_path
        self.lesson_pane = lesson_pane
        self.snapshot: Snapshot | None = None
        self.active = "lesson" if lesson_pane is not None else "repl"
        # The learner's cells, numbered 1, 2, 3... for the whole session: never back to 1 or
        # down after a restart, nor up when a lesson replays cells in the kernel. The kernel
        # keeps its own count (its tracebacks name "<cell K>"), so each cell's kernel count
        # is mapped to the number shown, and tracebacks are shown with the shown numbers.
        self.cell_number = 0
        self._shown_numbers: dict[int, int] = {}  # kernel count -> In [n] (this kernel's)
        self.state = "starting"
        self._snapshots: Coalescer[Snapshot] = Coalescer(SNAPSHOT_INTERVAL)
        self._flush_timer: Timer | None = None
        self._pending_echo: tuple[int, str] | None = None
        self._echo_timer: Timer | None = None
        self._busy_since: float | None = None
        self.repaints = 0  # snapshot repaints done (the benchmark and tests read it)
        # A running cell's output, from the kernel worker thread to the log (see cell_output)
        self._output: deque[tuple[int, StreamChunk]] = deque()
        self._output_posted = threading.Event()  # a CellOutputArrived is on its way

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        tabs = [Tab("REPL F2", id="repl")]
        if self.lesson_pane is not None:
            tabs.insert(0, Tab("Lesson F6", id="lesson"))
        tabs += [Tab("Tensors F3", id="tensors"), Tab("Graph F4", id="graph"),
                 Tab("Grads F5", id="grads")]
        yield Tabs(*tabs, active=self.active, id="panel-tabs")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                if self.lesson_pane is not None:
                    self.lesson_pane.id = "lesson-pane"
                    yield self.lesson_pane
                yield ReplLog(id="repl-log")
            with Vertical(id="side"):
                yield TensorsPanel(self.glyphs, id="tensors-panel")
                yield GraphPanel(self.glyphs, id="graph-panel")
                yield GradsPanel(self.glyphs, id="grads-panel")
        yield CompletionList(id="completions")
        yield CellInput(self.history, id="cell-input")
        yield StatusBar(id="status")

    def on_mount(self) -> None:
        self.set_class(self.lesson_pane is not None, "-lesson")
        self.apply_layout(self.app.size.width)
        self._number_input()
        dot = " | " if self.glyphs.ascii else " · "
        self.query_one(CellInput).border_subtitle = dot.join(
            ("Enter runs", "Ctrl+J new line", "F1 keys"))
        self.query_one(CellInput).cursor_blink = self.cursor_blink
        self.query_one(CellInput).focus()
        self.query_one(ReplLog).note(
            "gradtui: type PyTorch code (import torch gives gradtui's engine). "
            "F1 lists every key; :help too.", style="dim")
        self.start_kernel()

    def on_resize(self) -> None:
        self.apply_layout(self.size.width)

    def watch_wide(self, wide: bool) -> None:
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")

    def apply_layout(self, width: int) -> None:
        """Side by side when wide, one area at a time (tabs) when narrow."""
        self.wide = width >= WIDE_COLUMNS
        tabs = self.query_one("#panel-tabs", Tabs)
        tabs.display = not self.wide
        left = self.active in LEFT_AREAS
        self.query_one("#left").display = self.wide or left
        self.query_one("#side").display = self.wide or not left
        for name, widget_id in PANEL_IDS.items():
            if name != "lesson" or self.lesson_pane is not None:
                self.query_one(f"#{widget_id}").display = self.wide or name == self.active
        self.query_one(GraphPanel).redraw_if_stale()

    def show_area(self, name: str, *, focus: bool = True) -> None:
        """Bring an area to view (a tab when narrow) and focus it."""
        if name == "lesson" and self.lesson_pane is None:
            return
        self.active = name
        tabs = self.query_one("#panel-tabs", Tabs)
        if tabs.active != name:
            tabs.active = name
        self.apply_layout(self.size.width or self.app.size.width)
        if not focus:
            return
        if name == "repl":
            self.query_one(CellInput).focus()
        else:
            self.query_one(f"#{PANEL_IDS[name]}").focus()

    @on(InputLeft)
    def _input_left(self) -> None:
        if self.wide or self.active != "repl":
            area = self.active if self.active != "repl" else "graph"
            self.query_one(f"#{PANEL_IDS[area]}").focus()
        else:
            self.query_one(ReplLog).focus()  # to scroll the log with the keyboard

    @on(PanelLeft)
    def _panel_left(self) -> None:
        self.query_one(CellInput).focus()

    @on(Tabs.TabActivated, "#panel-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.active:
            self.show_area(event.tab.id, focus=False)

    # -- kernel state -----------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        """The kernel's state; the input refuses cells at once, the status bar shows "busy"
        only once the cell has run for ECHO_DELAY (see ``_write_echo``)."""
        self.state = state
        self.query_one(CellInput).refusal = {"busy": BUSY_REFUSAL,
                                             "dead": DEAD_REFUSAL}.get(state)
        if state == "busy":
            self._busy_since = time.monotonic()
        else:
            self._show_state(state)

    @property
    def settled(self) -> bool:
        """No kernel call is running and no snapshot waits to be painted: what the screen
        shows is what the kernel has (tests and the screenshot script wait for it)."""
        running = any(w.group.startswith("kernel") and not w.is_finished
                      for w in [*self.workers, *self.app.workers])
        return self.state not in ("busy", "starting") and not running and \
            self._flush_timer is None

    def _show_state(self, state: str) -> None:
        status = self.query_one(StatusBar)
        status.state = state
        status.busy_since = self._busy_since if state == "busy" else None

    @work(thread=True, group="kernel-start")
    def start_kernel(self) -> None:
        outcome = self.calls.start()
        self.app.call_from_thread(self._kernel_started, outcome)

    def _kernel_started(self, outcome: Snapshot | KernelFailure) -> None:
        if isinstance(outcome, KernelFailure):
            self.set_state("dead")
            self.query_one(ReplLog).note(f"the kernel did not start: {outcome.message}",
                                         style="bold red")
            return
        self.set_state("idle")
        self.push_snapshot(outcome)

    # -- cells ------------------------------------------------------------------------------

    @on(CellSubmitted)
    def _cell_submitted(self, event: CellSubmitted) -> None:
        source = event.source
        if self.history_path is not None:
            try:
                append_history(self.history_path, source)
            except OSError as exc:
                self.notify(f"history not saved: {exc}", severity="warning")
        command = parse_colon_command(source)
        if command is not None:
            # Echoed, so that what a command printed (DOT, an error) says what asked for it;
            # after a running cell's own (delayed) echo, to keep the log in typing order.
            self._write_echo()
            self.query_one(ReplLog).note(source.strip(), style="bold dim")
            self.run_command(command)
            return
        # The input refuses cells itself while busy or dead (see CellInput.refusal); this is
        # for a cell that slipped through between the state change and the key.
        if self.state in ("busy", "dead"):
            self.query_one(CellInput).set_text(source)
            self._cell_refused(CellRefused(BUSY_REFUSAL if self.state == "busy"
                                           else DEAD_REFUSAL))
            return
        self.cell_number += 1
        self._number_input()  # what is typed now will be the next cell
        # The echo waits a moment: a fast cell's echo and result then share one repaint (the
        # result is on screen a frame sooner); a slow cell's echo shows after ECHO_DELAY.
        self._pending_echo = (self.cell_number, source)
        self._echo_timer = self.set_timer(ECHO_DELAY, self._cell_running)
        self.set_state("busy")
        self.execute_cell(source, self.calls.generation)

    @on(EmptyEnter)
    def _empty_enter(self, _event: EmptyEnter) -> None:
        # after a passed step: go on to the next
        self.tell_lesson("empty_enter", lambda pane: pane.empty_enter())

    @on(CellRefused)
    def _cell_refused(self, event: CellRefused) -> None:
        self.notify(event.reason, severity="error" if self.state == "dead" else "warning")

    def _cell_running(self) -> None:
        """The cell has run for ECHO_DELAY: show it, and that the kernel is busy."""
        self._write_echo()
        if self.state == "busy":
            self._show_state("busy")

    def _write_echo(self) -> None:
        if self._echo_timer is not None:
            self._echo_timer.stop()
            self._echo_timer = None
        if self._pending_echo is not None:
            number, source = self._pending_echo
            self._pending_echo = None
            self.query_one(ReplLog).echo_input(number, source)

    @work(thread=True, group="kernel")
    def execute_cell(self, source: str, generation: int) -> None:
        def output(chunk: StreamChunk) -> None:
            # The worker thread only queues: the log is written on the event loop, in order,
            # and a burst of pieces costs one message (the loop drains them all at once).
            self._output.append((generation, chunk))
            if not self._output_posted.is_set():
                self._output_posted.set()
                self.post_message(CellOutputArrived())

        outcome = self.calls.execute(source, generation, on_output=output)
        self.app.call_from_thread(self._cell_finished, outcome, generation)

    @on(CellOutputArrived)
    def _cell_output_arrived(self) -> None:
        self._output_posted.clear()
        self._write_output()

    def _write_output(self) -> None:
        """What the running cell printed since the last call, into the log (after its echo)."""
        if not self._output:
            return
        self._write_echo()
        log = self.query_one(ReplLog)
        while self._output:
            generation, chunk = self._output.popleft()
            if generation == self.calls.generation:  # not a cell a restart already ended
                log.stream_output(chunk.stream, chunk.text)

    def _number_input(self) -> None:
        self.query_one(CellInput).border_title = f"In [{self.cell_number + 1}]"

    def _cell_finished(self, outcome: ExecuteReply | KernelFailure | None,
                       generation: int) -> None:
        self._write_echo()
        self._write_output()  # the last pieces may still wait behind their message
        log = self.query_one(ReplLog)
        log.end_output()
        if outcome is None or generation != self.calls.generation:
            return  # the kernel was restarted since this cell was submitted: nothing to show
        if isinstance(outcome, KernelFailure):
            self._kernel_failed(outcome)
            return
        self.set_state("idle")
        result = outcome.result
        if result.execution_count:
            self._shown_numbers[result.execution_count] = self.cell_number
        self._number_input()
        log.show_result(renumbered(result, self._shown_numbers))
        if not self.wide and self.active not in LEFT_AREAS:
            # (The lesson pane repeats a cell's output with its verdict itself.)
            self._toast_result(outcome)
        if outcome.snapshot is not None:
            self.push_snapshot(outcome.snapshot)
        self.tell_lesson("cell_finished", lambda pane: pane.cell_finished(outcome))

    def _toast_result(self, reply: ExecuteReply) -> None:
        """The log is hidden behind another tab: say briefly what the cell did."""
        result = reply.result
        if result.error is not None:
            text = f"{result.error.type}: {result.error.message}".strip()
            self.notify(f"{text[:200]}\n(F2 shows the log)", severity="error", timeout=4)
            return
        shown = result.value_repr if result.value_repr is not None else result.stdout
        if shown.strip():
            lines = shown.strip().split("\n")
            more = f"\n... {len(lines) - 4} more lines (F2)" if len(lines) > 4 else ""
            self.notify("\n".join(lines[:4]) + more, timeout=3)

    def interrupt_cell(self) -> None:
        """Ctrl+C: stop the running cell (its result then reports KeyboardInterrupt)."""
        failure = self.calls.interrupt()
        if failure is not None:
            self._kernel_failed(failure)

    def restart_kernel(self) -> None:
        """F9 / :restart: a fresh kernel, even in the middle of a cell."""
        self._write_echo()  # the cell being killed is shown above the restart, not below it
        self.set_state("starting")
        self.query_one(ReplLog).note("restarting the kernel...", style="dim")
        self._restart_worker()

    @work(thread=True, group="kernel-restart")
    def _restart_worker(self) -> None:
        outcome = self.calls.restart()
        self.app.call_from_thread(self._restarted, outcome)

    def _restarted(self, outcome: Snapshot | KernelFailure) -> None:
        if isinstance(outcome, KernelFailure):
            self._kernel_failed(outcome)
            return
        self.set_state("idle")
        self._shown_numbers.clear()  # (the cells keep their numbers: they count on)
        self._number_input()
        graph = self.query_one(GraphPanel)
        graph.selected = None  # a pinned tensor is gone with the namespace
        self.query_one(StatusBar).note = ""
        self.query_one(ReplLog).note("new kernel: the namespace is empty.", style="dim")
        self.push_snapshot(None)
        self.push_snapshot(outcome)

    def tell_lesson(self, what: str, call: Callable[[LessonPaneHooks], T]) -> T | None:
        """``call(pane)`` on the lesson pane, if there is one; an exception in it is reported in
        the log (``what`` names the call there), not fatal: the learner keeps the session and
        the namespace."""
        pane = self.lesson_pane
        if not isinstance(pane, LessonPaneHooks):
            return None
        try:
            return call(pane)
        except Exception as exc:
            self.query_one(ReplLog).note(
                f"the lesson pane failed in {what}: {type(exc).__name__}: {exc}",
                style="bold red")
            return None

    def action_lesson(self, action: str) -> None:
        """A lesson key (``LessonPaneHooks.APP_BINDINGS``): lesson action ``action``."""
        self.tell_lesson("do", lambda pane: pane.do(action))

    @on(LessonSnapshot)
    def _lesson_snapshot(self, event: LessonSnapshot) -> None:
        self.push_snapshot(event.snapshot)

    @on(AreaWanted)
    def _area_wanted(self, event: AreaWanted) -> None:
        self.show_area(event.name)

    @on(GraphWanted)
    def _graph_wanted(self, event: GraphWanted) -> None:
        if self.snapshot is not None and self.snapshot.tensor(event.name) is not None:
            self.select_tensor(event.name)

    def _kernel_failed(self, failure: KernelFailure) -> None:
        log = self.query_one(ReplLog)
        if failure.died:
            if self.state == "dead":
                return  # said once: every later call fails the same way until a restart
            self.set_state("dead")
            # The client's message says how it died (and already that :restart helps).
            reason = failure.message.removeprefix("KernelDied: ").split("; :restart")[0]
            if not reason.startswith("the kernel died"):
                reason = f"the kernel died ({reason})"
            log.note(f"{reason}. F9 or :restart starts a new one; the namespace is lost.",
                     style="bold red")
        else:
            self.set_state("idle")
            log.note(f"kernel error: {failure.message}", style="bold red")

    # -- snapshots, coalesced ---------------------------------------------------------------

    def push_snapshot(self, snapshot: Snapshot | None) -> None:
        """Queue a snapshot; only the newest of a burst is painted (throttled repaints)."""
        delay = self._snapshots.offer(snapshot)
        if delay is None:
            return  # a repaint is already scheduled and will take this snapshot
        if delay == 0:
            self._flush_snapshot()
        else:
            self._flush_timer = self.set_timer(delay, self._flush_snapshot)

    def _flush_snapshot(self) -> None:
        self._flush_timer = None
        snapshot = self._snapshots.take()
        self.snapshot = snapshot
        graph = self.query_one(GraphPanel)
        if graph.walk is not None:
            graph.walk = None  # the state the walk described is gone
        graph.snapshot = snapshot
        tensors = self.query_one(TensorsPanel)
        tensors.snapshot = snapshot
        self.query_one(GradsPanel).snapshot = snapshot
        # (not the REPL's `_`: it changes with nearly every cell, naming it is noise)
        self.query_one(StatusBar).changes = _changes_text(
            [t.name for t in snapshot.listed() if t.name in tensors.changed] if snapshot else [])
        self.repaints += 1
        self._snapshots.painted()

    # -- colon commands -----------------------------------------------------------------------

    def run_command(self, command: ColonCommand) -> None:
        log = self.query_one(ReplLog)
        name, args = command.name, command.args
        if name == "help":
            self.app.action_help()
        elif name == "restart":
            self.restart_kernel()
        elif name in ("tensors", "grads"):
            self.show_area(name)
        elif name == "graph":
            if args:
                if not self.select_tensor(args[0]):
                    return  # stay on the log that says why (at 80 columns it is a tab)
            else:  # follow the last result again
                self.query_one(GraphPanel).selected = None
                self.query_one(StatusBar).note = ""
            self.show_area("graph")
        elif name == "step":
            target = args[0] if args else self.query_one(GraphPanel).root_name
            if target:
                self.start_step(target)
            else:
                log.note(":step needs a tensor name, e.g. :step o", style="bold red")
        elif name == "source":
            target = args[0] if args else self.query_one(GraphPanel).root_name
            if target:
                self.show_source(target)
            else:
                log.note(":source needs a tensor name, e.g. :source y", style="bold red")
        elif name == "dot":
            self.export_dot(args[0] if args else None, args[1] if len(args) > 1 else None)
        elif name == "doc":
            if not args:
                self._say(":doc NAME shows NAME's signature and docstring, e.g. :doc torch.sum",
                          error=True)
            elif self.state != "idle":
                self._say(DEAD_REFUSAL if self.state == "dead" else
                          f":doc waits for the kernel: {BUSY_REFUSAL}", error=True)
            else:
                self.show_doc(args[0])
        elif self.tell_lesson("command", lambda pane: pane.command(name, command.arg)):
            return
        else:
            log.note(f"unknown command :{name} (:help lists them)", style="bold red")

    def select_tensor(self, name: str) -> bool:
        """Pin the Graph panel to ``name``; False (and said) when there is no such tensor."""
        graph = self.query_one(GraphPanel)
        if self.snapshot is not None and self.snapshot.tensor(name) is None:
            self.query_one(ReplLog).note(f"no tensor named {name!r}", style="bold red")
            if not self.wide and self.active != "repl":
                self.notify(f"no tensor named {name!r}", severity="error", timeout=4)
            return False
        if graph.walk is not None and graph.walk.trace.root != name:
            graph.walk = None  # a walk shows its own tensor: the one asked for must win
        graph.selected = name
        self.query_one(StatusBar).note = f"graph: {name}"
        return True

    @on(TensorSelected)
    def _tensor_selected(self, event: TensorSelected) -> None:
        self.select_tensor(event.name)
        self.show_area("graph")

    # -- step-by-step backward ------------------------------------------------------------------

    @on(StepRequested)
    def _step_requested(self, event: StepRequested) -> None:
        self.start_step(event.name)

    def start_step(self, name: str) -> None:
        if self.state != "idle":
            self.notify("the kernel is not idle", severity="warning")
            return
        self.trace(name)

    @work(thread=True, group="kernel")
    def trace(self, name: str) -> None:
        outcome = self.calls.trace_backward(name)
        self.app.call_from_thread(self._trace_ready, name, outcome)

    def _trace_ready(self, name: str, outcome: BackwardTrace | KernelFailure) -> None:
        if isinstance(outcome, KernelFailure):
            if outcome.died:
                self._kernel_failed(outcome)
            else:
                self.query_one(ReplLog).note(f":step {name}: the walk could not be computed "
                                             f"({outcome.message})", style="bold red")
            return
        graph = self.query_one(GraphPanel)
        if outcome.error:
            self.query_one(ReplLog).note(
                f":step {name}: {outcome.error}{freed_graph_hint(name, outcome.error)}",
                style="bold red")
        if self.snapshot is not None and self.snapshot.tensor(name) is not None:
            graph.selected = name
        graph.walk = BackwardWalk(outcome)
        self.show_area("graph")

    # -- the op row behind a node -----------------------------------------------------------

    @on(SourceRequested)
    def _source_requested(self, event: SourceRequested) -> None:
        self.query_one(ReplLog).note(f":source {event.name}", style="bold dim")  # as if typed
        self.show_source(event.name)

    def show_source(self, name: str) -> None:
        """``:source NAME``: the op-table row behind NAME's grad_fn, in the log."""
        if self.state != "idle":
            self.notify("the kernel is not idle", severity="warning")
            return
        self._source_worker(name)

    @work(thread=True, group="kernel")
    def _source_worker(self, name: str) -> None:
        outcome = self.calls.source(name)
        self.app.call_from_thread(self._source_ready, name, outcome)

    def _source_ready(self, name: str, outcome: str | None | KernelFailure) -> None:
        if isinstance(outcome, KernelFailure):
            if outcome.died:
                self._kernel_failed(outcome)
                return
            text, ok = f":source {name}: {outcome.message}", False
        elif outcome is None:
            text, ok = (f":source {name}: no tensor, op (like mul) or grad_fn (like "
                        "MulBackward0) by that name"), False
        else:
            text, ok = outcome, True
        self.query_one(ReplLog).note(text, style="" if ok else "bold red")
        if not self.wide and self.active not in LEFT_AREAS:
            said = f"the source of {name} is in the log" if ok else text
            self.notify(f"{said} (F2 shows the log)", timeout=4,
                        severity="information" if ok else "error")

    # -- :doc ---------------------------------------------------------------------------------

    @work(thread=True, group="kernel")
    def show_doc(self, name: str) -> None:
        outcome = self.calls.inspect(name)
        self.app.call_from_thread(self._doc_ready, name, outcome)

    def _doc_ready(self, name: str, outcome: str | None | KernelFailure) -> None:
        if isinstance(outcome, KernelFailure):
            self._kernel_failed(outcome)
        elif outcome is None:
            self._say(f"nothing known about {name!r} (is it defined? imported?)", error=True)
        else:
            # Escape reaches the log only where it is the one area shown (below 120 columns)
            how = "mouse wheel" if self.wide else "Escape, then PageDown"
            self.query_one(ReplLog).show_doc(outcome, more_hint=f"more below: {how}")
            if not self.wide and self.active not in LEFT_AREAS:
                self.notify(f"the doc of {name} is in the log (F2 shows the log)", timeout=4)

    def _say(self, text: str, *, error: bool = False) -> None:
        """A line from gradtui in the log (and a notice when the log is behind another tab)."""
        self.query_one(ReplLog).note(text, style="bold red" if error else "")
        if not self.wide and self.active not in LEFT_AREAS:
            self.notify(text, severity="error" if error else "information", timeout=4)

    # -- DOT export -------------------------------------------------------------------------

    @on(DotRequested)
    def _dot_requested(self, event: DotRequested) -> None:
        self.export_dot(event.name, None)

    def export_dot(self, name: str | None, path: str | None) -> None:
        name = name or self.query_one(GraphPanel).root_name
        outcome = export_dot(self.snapshot, name, path)
        self.query_one(ReplLog).note(outcome.text, style="" if outcome.ok else "bold red")
        if not self.wide and self.active != "repl":
            # The log is behind another tab (the Graph panel's d key, the palette, :dot).
            said = f"the DOT of {name} is in the log" if outcome.ok and path is None \
                else outcome.text
            self.notify(f"{said} (F2 shows the log)", timeout=4,
                        severity="information" if outcome.ok else "error")

    # -- completion ---------------------------------------------------------------------------

    @on(CompletionRequested)
    def _completion_requested(self, event: CompletionRequested) -> None:
        if self.state != "idle":
            return
        self.complete(event.source, event.cursor)

    @work(thread=True, group="complete", exclusive=True)
    def complete(self, source: str, cursor: int) -> None:
        outcome = self.calls.complete(source, cursor)
        self.app.call_from_thread(self._completions_ready, source, cursor, outcome)

    def _completions_ready(
        self, source: str, cursor: int, outcome: list[Completion] | KernelFailure | None
    ) -> None:
        cell_input = self.query_one(CellInput)
        if outcome is None or cell_input.text != source:
            return  # busy, or the learner typed on meanwhile
        if isinstance(outcome, KernelFailure):
            self._kernel_failed(outcome)
            return
        if not outcome:
            self.notify("no completions", timeout=1.5)
        elif len(outcome) == 1:
            self._apply_completion(outcome[0], cursor)
        else:
            self.query_one(CompletionList).show(outcome, cursor)

    @on(CompletionList.Picked)
    def _completion_picked(self, event: CompletionList.Picked) -> None:
        if event.completion is not None:
            self._apply_completion(event.completion, event.cursor)
        self.query_one(CellInput).focus()

    def _apply_completion(self, completion: Completion, cursor: int) -> None:
        self.query_one(CellInput).replace_range(completion.start, cursor, completion.text)
