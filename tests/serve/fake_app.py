"""A tiny full-screen-ish stand-in for gradtui, used as the lab's command in server tests.

It reports its terminal (TERM, size, whether stdin is a tty it controls), starts a long-lived
child in its own session (like gradtui's kernel), then evaluates one line at a time and prints
``= <repr>``. It prints ``SIZE colsxrows`` on every SIGWINCH and exits on ``quit``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys


def size() -> str:
    cols, rows = shutil.get_terminal_size((0, 0))
    return f"{cols}x{rows}"


def on_winch(signum: int, frame: object) -> None:
    # os.write, not print: the signal may arrive while print() holds stdout's buffer.
    os.write(1, f"SIZE {size()}\r\n".encode())


def main() -> int:
    signal.signal(signal.SIGWINCH, on_winch)
    kernel = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    print(f"KERNEL {kernel.pid}", flush=True)
    print(f"READY TERM={os.environ.get('TERM')} SIZE {size()} TTY={os.isatty(0)}", flush=True)
    print(f"HOME={os.environ['HOME']} DATA={os.environ.get('GRADTUI_DATA_DIR')}", flush=True)
    print(f"CWD={os.getcwd()}", flush=True)
    while True:
        print(">>> ", end="", flush=True)
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            continue
        if not line or line.strip() == "quit":
            kernel.terminate()
            return 0
        try:
            print(f"= {eval(line)!r}", flush=True)
        except Exception as error:  # a REPL shows every error
            print(f"! {type(error).__name__}: {error}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
