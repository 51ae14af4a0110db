"""Nothing a learner's cells started outlives their kernel (issue 12 item 8: fifty forked children
outlived a local ``gradtui repl``): closed, restarted, or dead, the kernel's processes go too."""

from __future__ import annotations

import gc
import os
import time

import pytest

from gradtui.kernel import KernelDied
from gradtui.kernel.client import KernelClient
from gradtui.kernel.proctree import ProcInfo, alive, read_proc

pytestmark = pytest.mark.skipif(
    read_proc(1) is None, reason="needs /proc (Linux) to find processes"
)

FORK_CHILDREN = """
import os, time
pids = []
for _ in range({count}):
    pid = os.fork()
    if pid == 0:
        {detach}
        time.sleep(300)
        os._exit(0)
    pids.append(pid)
time.sleep(0.2)
"""
STAY = "pass"
# Leaves the kernel's session and its tree: only the kernel's token still marks it.
DETACH = "os.setsid()\n        if os.fork(): os._exit(0)"


def started(client: KernelClient, count: int, detach: str = STAY) -> list[ProcInfo]:
    """Run a cell that leaves ``count`` processes running; return them as /proc shows them."""
    before = {p.pid for p in _marked(client)}
    reply = client.execute(FORK_CHILDREN.format(count=count, detach=detach))
    assert reply.result.error is None, reply.result
    deadline = time.monotonic() + 10
    while len(found := [p for p in _marked(client) if p.pid not in before]) < count:
        assert time.monotonic() < deadline, f"only {len(found)} of {count} children started"
        time.sleep(0.05)
    return found


def _marked(client: KernelClient) -> list[ProcInfo]:
    from gradtui.kernel.limits import KERNEL_TOKEN_VAR
    from gradtui.kernel.proctree import marked_processes

    return [p for p in marked_processes(KERNEL_TOKEN_VAR, client._token) if p.pid != client.pid]


def none_alive(procs: list[ProcInfo], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(p) for p in procs)


@pytest.mark.parametrize("detach", [STAY, DETACH], ids=["children", "detached"])
def test_closing_the_kernel_ends_what_its_cells_started(detach: str) -> None:
    client = KernelClient(memory_limit_mb=0)
    client.start()
    try:
        children = started(client, 12, detach)
    finally:
        client.close()
    assert none_alive(children), [p.pid for p in children if alive(p)]


def test_restarting_ends_the_old_kernels_processes() -> None:
    with KernelClient(memory_limit_mb=0) as client:
        children = started(client, 5, DETACH)
        client.restart()
        assert none_alive(children)
        assert client.execute("1 + 1").result.value_repr == "2"


def test_a_kernel_that_died_leaves_nothing_once_closed() -> None:
    """The death is seen at once although its forked children live on (they do not hold its
    reply pipe: test_forked_children.py), and they end when the client closes."""
    client = KernelClient(memory_limit_mb=0)
    client.start()
    try:
        children = started(client, 5)
        began = time.monotonic()
        with pytest.raises(KernelDied, match="SIGKILL"):
            client.execute("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
        assert time.monotonic() - began < 30  # not when the children end (300 s)
        assert all(alive(p) for p in children)  # until the client is closed or restarted
    finally:
        client.close()
    assert none_alive(children)


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_closed_and_restarted_kernels_leave_no_pipe_open_in_the_front_end() -> None:
    """A front end keeps no descriptor of a kernel it closed or restarted (the kernel's stderr
    pipe stayed open until its Popen was freed, by a garbage collection at some later moment)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()  # what closes the pipes must be the client, not a collection
    try:
        before = _open_descriptors()
        client = KernelClient()
        client.start()
        client.restart()
        client.restart()
        client.close()
        deadline = time.monotonic() + 30  # (the stderr reader closes its pipe at end of file)
        while _open_descriptors() > before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _open_descriptors() == before, os.listdir("/proc/self/fd")
    finally:
        if enabled:
            gc.enable()
