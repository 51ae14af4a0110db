"""Printing into a pipe whose reader left (``gradtui lessons | head -3``).

Python raises ``BrokenPipeError`` at the next write, and once more when it flushes stdout at
exit; a learner or teacher should see neither traceback, just like with ``ls | head``.
"""

from __future__ import annotations

import os
import sys

# What a shell reports for a command ended by SIGPIPE (128 + 13), as `ls | head` would give.
EXIT_BROKEN_PIPE = 141


def quiet_broken_pipe() -> int:
    """Point stdout at /dev/null so the exit-time flush stays silent; the exit status to use."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (tests, embedding)
        pass
    return EXIT_BROKEN_PIPE
