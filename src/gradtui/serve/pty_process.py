"""One program in its own pseudo-terminal, driven from asyncio.

The program becomes a session leader with the pty as its controlling terminal, so the kernel
delivers SIGWINCH on resize and SIGHUP when the server goes away, exactly as under sshd.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import pty
import signal
import struct
import termios
from collections.abc import Callable
from pathlib import Path

from gradtui.serve.process_tree import SessionProcesses

OutputCallback = Callable[[bytes], None]
ExitCallback = Callable[[int | None], None]


def set_window_size(fd: int, cols: int, rows: int) -> None:
    # struct winsize: rows, cols, xpixel, ypixel
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", max(rows, 1), max(cols, 1), 0, 0))


def _become_terminal_owner() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProcess:
    """A child process attached to a fresh pty; output goes to ``on_output``."""

    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        cwd: Path,
        cols: int,
        rows: int,
        processes: SessionProcesses,
        on_output: OutputCallback,
        on_exit: ExitCallback,
    ) -> None:
        self.argv = argv
        self._env = env
        self._cwd = cwd
        self._size = (cols, rows)
        self._processes = processes
        self._on_output = on_output
        self._on_exit = on_exit
        self._master: int | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._pending = bytearray()
        self._reading = False
        self._ended = False
        self._leftover: set[int] = set()
        self._waiter: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process else None

    async def start(self) -> None:
        master, slave = pty.openpty()
        try:
            set_window_size(slave, *self._size)
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self._env,
                cwd=self._cwd,
                start_new_session=True,
                preexec_fn=_become_terminal_owner,
            )
        except BaseException:
            os.close(master)
            await self._processes.end(grace_s=0.2)  # the plan's cgroup, if any
            raise
        finally:
            os.close(slave)
        self._processes.started(self._process.pid)
        os.set_blocking(master, False)
        self._master = master
        self.resume_reading()
        self._waiter = asyncio.create_task(self._wait_for_exit())

    # -- input and output ---------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Queue keystrokes for the program; never blocks the event loop."""
        if self._master is None or self._ended:
            return
        had_pending = bool(self._pending)
        self._pending += data
        if not had_pending:
            self._flush()

    def _flush(self) -> None:
        assert self._master is not None
        loop = asyncio.get_running_loop()
        try:
            written = os.write(self._master, self._pending)
        except BlockingIOError:
            written = 0
        except OSError:
            self._pending.clear()
            loop.remove_writer(self._master)
            return
        del self._pending[:written]
        if self._pending:
            loop.add_writer(self._master, self._flush)
        else:
            loop.remove_writer(self._master)

    def pause_reading(self) -> None:
        """Stop reading output (the client is slow); the program blocks on a full pty."""
        if self._reading and self._master is not None:
            asyncio.get_running_loop().remove_reader(self._master)
            self._reading = False

    def resume_reading(self) -> None:
        if not self._reading and self._master is not None and not self._ended:
            asyncio.get_running_loop().add_reader(self._master, self._read)
            self._reading = True

    def _read(self) -> None:
        assert self._master is not None
        try:
            data = os.read(self._master, 65536)
        except BlockingIOError:
            return
        except OSError as error:
            if error.errno != errno.EIO:  # EIO: every slave end closed
                raise
            data = b""
        if data:
            self._on_output(data)
        else:
            self.pause_reading()

    def resize(self, cols: int, rows: int) -> None:
        """Forward a window change: set the pty size and tell the foreground program."""
        self._size = (cols, rows)
        if self._master is None or self._ended:
            return
        set_window_size(self._master, cols, rows)
        leader = self._processes.leader
        if leader is not None:
            # The tty already signals its foreground group; this also reaches a first process
            # that left it. By pidfd: the pid of one that exited may name another process now.
            leader.send(signal.SIGWINCH)

    # -- ending -------------------------------------------------------------------------------

    async def _wait_for_exit(self) -> None:
        assert self._process is not None
        code = await self._process.wait()
        await asyncio.sleep(0.05)  # let the last output arrive before the pty is torn down
        if self._reading:
            self._drain()
        await self._finish()
        self._on_exit(code)

    def _drain(self) -> None:
        assert self._master is not None
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            self._on_output(data)

    async def terminate(self, grace_s: float = 1.0) -> set[int]:
        """End the program and everything it started; returns pids that would not die."""
        if self._process is None:
            return set()
        if self._ended:
            # It already exited and was swept: a second scan by its (possibly reused) pid
            # could only hit an unrelated process.
            if self._waiter is not None:
                await asyncio.shield(self._waiter)
            return self._leftover
        leftover = await self._processes.end(grace_s=grace_s)
        if self._waiter is not None:
            await asyncio.shield(self._waiter)
        return leftover | self._leftover

    async def _finish(self) -> None:
        """After the leader exited: end its stragglers (a kernel) and close the pty."""
        if self._ended:
            return
        self._ended = True
        assert self._process is not None
        self._leftover = await self._processes.end(grace_s=1.0)
        self._processes.close()
        if self._master is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._master)
            loop.remove_writer(self._master)
            self._reading = False
            os.close(self._master)
            self._master = None
