"""A learner's ``os.fork()`` child is not a second kernel (``kernel/__main__.py``, point 5).

It must not hold the kernel's protocol pipes (it could read requests, forge replies, or keep the
reply pipe open after the kernel died), its ``print`` shows in the running cell, and a child
that returns from its cell exits instead of serving requests.
"""

from __future__ import annotations

import ast
import time

import pytest

from gradtui.kernel.client import KernelClient
from gradtui.kernel.proctree import alive, read_proc

pytestmark = pytest.mark.skipif(read_proc(1) is None, reason="needs /proc (Linux) and os.fork")

# The kernel's own pipes (not fd 1 and 2, which children share on purpose) against the pipes a
# forked child holds; the child reports through a pipe of the cell's own.
COMPARE_PIPES = """
import json, os

def pipes_of(fds):
    # a pipe end: the pipe and its access mode (fd 1 and the reader of fd 1 share one pipe)
    found = set()
    for fd in fds:
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
            flags = open(f"/proc/self/fdinfo/{fd}").read().split("flags:")[1].split()[0]
        except (OSError, IndexError):
            continue
        if link.startswith("pipe:"):
            found.add(f"{link} {'write' if int(flags, 8) & 3 else 'read'}")
    return found

def report():
    read_end, write_end = os.pipe()
    own = pipes_of([read_end, write_end])
    kernels = pipes_of(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2) - own
    pid = os.fork()
    if pid == 0:
        held = pipes_of(int(fd) for fd in os.listdir("/proc/self/fd")) - own
        os.write(write_end, json.dumps(sorted(held & kernels)).encode())
        print("the child speaks")
        os._exit(0)
    os.close(write_end)
    shared = json.loads(os.read(read_end, 65536))
    os.waitpid(pid, 0)
    return len(kernels), shared

report()
"""


@pytest.fixture
def client():
    with KernelClient(memory_limit_mb=0) as kernel:
        yield kernel


def test_a_forked_child_holds_none_of_the_kernels_pipes_and_its_print_shows(client) -> None:
    reply = client.execute(COMPARE_PIPES)
    assert reply.result.error is None, reply.result.error
    kernel_pipes, shared = ast.literal_eval(reply.result.value_repr)
    assert kernel_pipes >= 3  # requests, replies, the fd-1 reader (and interrupts)
    assert shared == []
    assert "the child speaks\n" in reply.result.stdout
    assert client.execute("6 * 7").result.value_repr == "42"


def test_a_child_that_returns_from_its_cell_exits_and_the_kernel_goes_on(client) -> None:
    reply = client.execute("import os\npid = os.fork()")
    assert reply.result.error is None
    pid = int(client.execute("pid").result.value_repr)
    assert pid > 0  # the kernel's own namespace: the child never answered for it
    deadline = time.monotonic() + 10
    while (child := read_proc(pid)) is not None and alive(child) and child.state != "Z":
        assert time.monotonic() < deadline, "the forked child is still running"
        time.sleep(0.05)
    assert client.execute("os.waitpid(pid, 0)[1]").result.value_repr == "0"
    assert client.execute("pid + 1").result.value_repr == str(pid + 1)


POOL = """
import multiprocessing

def square(x):
    print(f"worker {x}")
    return x * x

with multiprocessing.get_context("fork").Pool(2) as pool:
    squares = pool.map(square, [1, 2, 3])
squares
"""


def test_a_fork_pool_runs_a_function_defined_in_a_cell(client) -> None:
    """pickle sends ``square`` as ``__main__.square``: the cells' namespace is ``__main__``."""
    reply = client.execute(POOL)
    assert reply.result.error is None, reply.result.error
    assert reply.result.value_repr == "[1, 4, 9]"
    assert sorted(reply.result.stdout.splitlines()) == ["worker 1", "worker 2", "worker 3"]
    assert client.execute("__name__, square.__module__").result.value_repr == \
        "('__main__', '__main__')"
