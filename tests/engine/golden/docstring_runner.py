"""Run one docstring example as torch's doctests run it, in a fresh forked process.

An example is the ``>>>`` statements of one docstring, in order, in one namespace that starts
with the names torch's own doctest runs give every example (``torch``, ``nn``, ``F``) plus
numpy, after ``torch.manual_seed(0)``. Each statement is compiled like the interactive prompt
(``mode="single"``), so an expression statement prints its ``repr`` as in the docstring.
The record is what a reader would observe: the output of each statement run, the exception
that stopped the example (type and message), and the warnings shown under Python's default
filters. Memory addresses (``object at 0x7f...``) read ``0x...``: they differ from run to run.

Whatever ``import torch`` resolves to inside the child is the torch under test: real torch when
``generate_docstrings.py`` records, gradtui's engine when ``install_shim=True`` (the test).
Every example runs in its own child process (``os.fork``: the parent has imported everything
once, so a child costs milliseconds), in a temporary folder of its own (``torch.save``
examples write files), so no state leaks from one example to the next, and a hang, a crash or
a memory bomb ends only that child.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import warnings
from typing import Any

# torch's doctest runs (xdoctest --global-exec) start every example with these names
PRELUDE = (
    "import torch\n"
    "from torch import nn\n"
    "import torch.nn.functional as F\n"
    "import numpy\n"
    "import numpy as np\n"
    "torch.manual_seed(0)\n"
)
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
TIMEOUT_S = 20
MEMORY_BYTES = 3 * 2**30  # an example allocating more is stopped (its record says MemoryError)


def run_example(statements: list[str], *, install_shim: bool = False,
                timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """The record of ``statements`` run in a forked child (see the module docstring)."""
    if install_shim:
        import gradtui.engine.torchapi  # noqa: F401  (imported once here, not in every child)
    folder = tempfile.mkdtemp(prefix="gradtui-docstring-")  # torch.save examples write here
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write the record, leave without cleanup handlers
        os.setpgid(0, 0)  # its own process group: whatever it starts ends with it
        os.chdir(folder)
        os.close(read_fd)
        code = 0
        try:
            record = _run_here(statements, install_shim)
            data = json.dumps(record, ensure_ascii=False).encode()
        except BaseException as exc:  # noqa: BLE001 - report anything, never hang the parent
            data = json.dumps({"crash": f"{type(exc).__name__}: {exc}"}).encode()
            code = 1
        with contextlib.suppress(OSError):
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        os._exit(code)
    os.close(write_fd)
    try:
        return _collect(pid, read_fd, timeout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _collect(pid: int, fd: int, timeout: float) -> dict[str, Any]:
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # workers the example started (a DataLoader's)
    if timed_out:
        return {"crash": f"timeout after {timeout:g} s"}
    if not chunks:
        return {"crash": f"the child died (wait status {status})"}
    return json.loads(b"".join(chunks))


def _run_here(statements: list[str], install_shim: bool) -> dict[str, Any]:
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_BYTES, MEMORY_BYTES))
    if install_shim:
        from gradtui.engine.shim import install

        install()
    sys.displayhook = sys.__displayhook__  # the prompt's echo: repr to (redirected) stdout
    namespace: dict[str, Any] = {"__name__": "__main__"}
    outputs: list[str] = []
    error = None
    with warnings.catch_warnings(record=True) as caught:
        _learner_warning_filters()
        exec(compile(PRELUDE, "<prelude>", "exec"), namespace)
        for source in statements:
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(source, "<doctest>", "single"), namespace)
            except Exception as exc:  # noqa: BLE001 - the exception is the observation
                error = {"type": type(exc).__name__, "message": str(exc)}
            finally:
                outputs.append(out.getvalue())
            if error is not None:
                break
    return {
        "outputs": [_no_address(text) for text in outputs],
        "error": error and {"type": error["type"], "message": _no_address(error["message"])},
        "warnings": [{"category": w.category.__name__, "message": _no_address(str(w.message))}
                     for w in caught],
    }


def _no_address(text: str) -> str:
    """``<torch._C.Generator object at 0x7f...>``: an address differs from run to run."""
    return _ADDRESS.sub("0x...", text)


def _learner_warning_filters() -> None:
    """Python's default filters (what ``python -i`` shows), whatever the host set."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning,
                     DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
