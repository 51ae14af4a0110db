"""One learner's SSH session: their own gradtui process in their own pty, with idle timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

import asyncssh

from gradtui.serve.lab_log import event
from gradtui.serve.lab_runtime import LabRuntime, full_text, learner_limit_text
from gradtui.serve.learner_launch import plan_session
from gradtui.serve.pty_process import PtyProcess

# Leave the alternate screen, show the cursor, stop mouse reporting, reset colours: what a
# full-screen app would have done had it exited normally, so the learner's terminal is usable.
TERMINAL_RESET = b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[0m\r\n"


def full_message(max_sessions: int) -> str:
    return full_text(max_sessions).replace("\n", "\r\n")


def idle_message(timeout_s: float) -> str:
    amount, unit = (timeout_s / 60, "minute") if timeout_s >= 60 else (timeout_s, "second")
    span = f"{amount:g} {unit}" + ("" if amount == 1 else "s")
    return (
        f"Disconnected after {span} without input. Your progress is saved: "
        "log in again to continue.\r\n"
    )


class LearnerSession(asyncssh.SSHServerSession):
    """Runs the lab's landing command for one authenticated learner."""

    def __init__(self, runtime: LabRuntime, learner: str, peer: str) -> None:
        self._runtime = runtime
        self.learner = learner
        self._peer = peer
        self._chan: asyncssh.SSHServerChannel | None = None
        self._term = "xterm-256color"
        self._size = (80, 24)
        self._has_pty = False
        self._process: PtyProcess | None = None
        self._started_at = time.monotonic()
        self._last_input = time.monotonic()
        self._idle_handle: asyncio.TimerHandle | None = None
        self._end_reason: str | None = None
        self._end_message: str | None = None
        # True once the app's process has started. Before that, an ending (EOF, disconnect,
        # shutdown) is left to _start: ending a half-started process ended it twice (two
        # session-end lines) and left the app running between the two.
        self._running = False
        self._channel_open = True
        self._ended = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- SSH requests -------------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object
    ) -> bool:
        self._has_pty = True
        self._term = term_type or self._term
        cols, rows = term_size[0], term_size[1]
        if cols and rows:
            self._size = (cols, rows)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False  # learners get the lab's app, never a command of their choosing

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # no sftp: files stay inside gradtui

    def session_started(self) -> None:
        assert self._chan is not None
        if self._runtime.is_full():
            self._refuse("full", full_message(self._runtime.config.max_sessions))
            return
        if self._runtime.learner_at_limit(self.learner):
            limit = self._runtime.config.max_sessions_per_learner
            self._refuse("learner-limit", learner_limit_text(limit).replace("\n", "\r\n"))
            return
        if not self._has_pty:
            self._refuse("no-terminal", "This lab needs a terminal: connect with `ssh -t`.\r\n")
            return
        self._runtime.sessions.add(self)
        self._spawn(self._start())

    def data_received(self, data: bytes, datatype: object) -> None:
        self._last_input = time.monotonic()
        if self._process is not None:
            self._process.write(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if width and height:
            self._size = (width, height)
            if self._process is not None:
                self._process.resize(width, height)

    def eof_received(self) -> bool:
        self._begin_end("client-eof")
        return False

    def pause_writing(self) -> None:
        if self._process is not None:
            self._process.pause_reading()

    def resume_writing(self) -> None:
        if self._process is not None:
            self._process.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._channel_open = False
        self._begin_end("client-closed")

    # -- the learner's process ----------------------------------------------------------------

    async def _start(self) -> None:
        config = self._runtime.config
        try:
            plan = plan_session(
                config,
                self.learner,
                term=self._term,
                sandbox_mode=self._runtime.sandbox_mode,
                limits=self._runtime.limits,
            )
            cols, rows = self._size
            self._process = PtyProcess(
                plan.argv,
                env=plan.env,
                cwd=plan.cwd,
                cols=cols,
                rows=rows,
                processes=plan.processes,
                on_output=self._on_output,
                on_exit=self._on_exit,
            )
            await self._process.start()
            self._running = True
        except Exception as error:  # a broken lab config must not kill the server
            event("session-error", user=self.learner, peer=self._peer, error=repr(error))
            self._process = None
            self._runtime.sessions.discard(self)
            self._write(b"The lab could not start your session; please tell your teacher.\r\n")
            self._close_channel(1)
            self._ended.set()
            return
        event(
            "session",
            user=self.learner,
            peer=self._peer,
            pid=self._process.pid,
            term=self._term,
            size=f"{cols}x{rows}",
            sandbox=self._runtime.sandbox_mode,
        )
        if self._end_reason is not None:  # the client left while we were starting
            await self._end(message=self._end_message)
        else:
            self._schedule_idle_check()

    def _on_output(self, data: bytes) -> None:
        self._write(data)

    def _on_exit(self, code: int | None) -> None:
        if self._end_reason is None:
            self._end_reason = "app-exited"
            # SSH exit statuses are unsigned: a signal death -N becomes 128 + N, like a shell.
            status = 0 if code is None else code if code >= 0 else 128 - code
            self._spawn(self._end(exit_status=status))

    # -- idle timeout -------------------------------------------------------------------------

    def _schedule_idle_check(self) -> None:
        timeout = self._runtime.config.idle_timeout_s
        if timeout <= 0 or self._end_reason is not None:
            return
        due = self._last_input + timeout - time.monotonic()
        self._idle_handle = asyncio.get_running_loop().call_later(max(due, 0.05), self._idle_check)

    def _idle_check(self) -> None:
        timeout = self._runtime.config.idle_timeout_s
        if time.monotonic() - self._last_input >= timeout:
            self._begin_end("idle-timeout", idle_message(timeout))
        else:
            self._schedule_idle_check()

    # -- ending -------------------------------------------------------------------------------

    def _begin_end(self, reason: str, message: str | None = None) -> None:
        if self._end_reason is not None:
            return
        self._end_reason = reason
        self._end_message = message
        if self._running:
            self._spawn(self._end(message=message))
        elif self not in self._runtime.sessions:
            self._ended.set()

    async def _end(self, message: str | None = None, exit_status: int = 0) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        leftover: set[int] = set()
        if self._process is not None:
            leftover = await self._process.terminate()
        self._runtime.sessions.discard(self)
        if message:
            self._write(TERMINAL_RESET + message.encode())
        self._close_channel(exit_status)
        event(
            "session-end",
            user=self.learner,
            peer=self._peer,
            reason=self._end_reason,
            exit=self._process.returncode if self._process else None,
            duration=f"{time.monotonic() - self._started_at:.1f}s",
            leftover=",".join(map(str, sorted(leftover))) or None,
        )
        self._ended.set()

    async def close_for_shutdown(self) -> None:
        """The server is stopping: end this learner's app and say so."""
        self._begin_end("server-shutdown", "The lab server is shutting down. Goodbye!\r\n")
        await self._ended.wait()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        # The loop keeps only weak references to tasks: hold them until they finish.
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _refuse(self, reason: str, message: str) -> None:
        event("session-refused", user=self.learner, peer=self._peer, reason=reason)
        self._end_reason = reason
        self._write(message.encode())
        self._close_channel(1)
        self._ended.set()

    def _write(self, data: bytes) -> None:
        if self._chan is not None and self._channel_open:
            try:
                self._chan.write(data)
            except (asyncssh.Error, OSError):
                # Data can no longer be sent (after the client's EOF asyncssh ends our sending
                # side too), but the channel is still open until connection_lost: it must still
                # be closed with the exit status, or the client waits for the end forever.
                pass

    def _close_channel(self, status: int) -> None:
        if self._chan is not None and self._channel_open:
            self._channel_open = False
            try:
                self._chan.exit(status)
            except (asyncssh.Error, OSError):
                self._chan.close()
