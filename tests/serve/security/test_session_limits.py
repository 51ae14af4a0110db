"""Issue 12 item 8: a session's processes are limited together, not one by one.

Forking must not multiply a learner's memory, CPU or process count, and the sandbox's /tmp must
not pin the machine's memory. With a cgroup (what CI's machine offers: cgroup v1 as root) the
limits hold for the whole session; with rlimits only, the tests check what is stated for them.
"""

from __future__ import annotations

import pytest

from .helpers import BWRAP_PROBLEM, needs_bwrap, needs_cgroup, needs_non_root

# A cell that starts COUNT children one after the other, each touching MB MiB, saying so and
# then holding it, and prints how many reported and how many still hold theirs at the end.
#
# What a session's memory limit bounds is what its processes hold *at once*: past the limit the
# kernel's OOM killer ends one of the session's processes, often a child that already holds its
# block (the largest), and the next child then fits. So a count of children that ever reported
# proves nothing (it reached 4 under load, the limit holding all along); the cell asks each child
# that reported whether it still holds its block. A killed child cannot answer (a SIGKILL is
# acted on before a process runs again) and its end of the socket closes when it exits: every
# answer is a definite "holds" or "ended", with no sleep and no race with a dying process.
# Children start one at a time so that the OOM killer always finds an earlier holder to end:
# the order a loaded machine happened to produce, every time.
MEMORY_CELL = """
import os, select, signal, socket
COUNT, MB = {count}, {mb}

def answer(sock, timeout=60):
    # The child's next byte, or b"" once it has ended (its end closed), within the timeout.
    if not select.select([sock], [], [], timeout)[0]:
        raise TimeoutError("a child neither answered nor ended")
    try:
        return sock.recv(1)
    except ConnectionResetError:
        return b""

children = []
for _ in range(COUNT):
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        ours.close()
        try:
            block = bytearray(MB * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
            theirs.sendall(b"k")
            while theirs.recv(1) == b"?":  # "do you still hold it?": alive, it does
                theirs.sendall(b"k")
        finally:
            os._exit(0)
    theirs.close()
    children.append((pid, ours, answer(ours) == b"k"))
reported = sum(said for _, _, said in children)
holding = 0
for pid, sock, said in children:
    if said:
        try:
            sock.sendall(b"?")
        except OSError:
            continue  # it has ended
        holding += answer(sock) == b"k"
for pid, sock, _ in children:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    sock.close()
print(reported, holding)
"""

FORK_CELL = """
import os, time
children, error = [], None
for _ in range({count}):
    try:
        pid = os.fork()
    except OSError as exc:
        error = exc.errno
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(len(children), error)
"""

CPU_CELL = """
import os, resource, time

def throttled():
    # The session's own cgroup tells whether the CPU limit held anyone back (v1 or v2 layout).
    for line in open("/proc/self/cgroup").read().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(",") or controllers == "":
            base = "/sys/fs/cgroup/cpu" if controllers else "/sys/fs/cgroup"
            try:
                stat = dict(l.split() for l in open(base + path + "/cpu.stat"))
            except OSError:
                continue
            if "nr_throttled" in stat:
                return int(stat["nr_throttled"])
    return -1

children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            pass
        os._exit(0)
    children.append(pid)
start = time.monotonic()
for pid in children:
    os.waitpid(pid, 0)
wall = time.monotonic() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_utime + used.ru_stime, wall, throttled())
"""

FILL_CELL = """
import errno
written, code = 0, None
try:
    with open({path!r}, "wb") as handle:
        for _ in range({mb}):
            handle.write(b"x" * 1024 * 1024)
            handle.flush()
            written += 1
except OSError as exc:
    code = errno.errorcode.get(exc.errno)
print(written, code)
"""


@needs_cgroup
@needs_bwrap
async def test_forked_children_share_the_sessions_memory(security_lab) -> None:
    """Four children of 150 MiB each under a 384 MiB session: at most two hold theirs at once."""
    lab = await security_lab(
        sandbox="bwrap", session='limits = "cgroup"\nmemory_mb = 384\nkernel_memory_mb = 0\n'
    )
    async with lab.session("alice") as alice:
        result = await alice.run(MEMORY_CELL.format(count=4, mb=150), timeout=90)
        after = await alice.run("print('still here')")
    assert result.ok, result
    reported, holding = (int(n) for n in result.out.split())
    assert holding <= 2, f"{holding} children held 150 MiB each at once under 384 MiB"
    assert holding >= 1, result  # one does fit: the limit is the session's, not less
    assert after.out.strip() == "still here"


@needs_cgroup
async def test_a_session_cannot_fork_past_its_process_limit(security_lab) -> None:
    lab = await security_lab(
        sandbox="bwrap" if BWRAP_PROBLEM is None else "none",
        session='limits = "cgroup"\nmax_processes = 16\n',
    )
    async with lab.session("alice") as alice:
        result = await alice.run(FORK_CELL.format(count=40), timeout=90)
        after = await alice.run("print('still here')")
    forked, error = result.out.split()
    assert int(forked) < 16 and error == "11", result  # EAGAIN before the limit
    assert after.out.strip() == "still here"


@needs_cgroup
async def test_a_session_gets_at_most_its_share_of_cpu(security_lab) -> None:
    """Three busy children under cpus = 0.1 use a tenth of a core together, and the session's
    cgroup says it held them back (a loaded machine alone could also keep them that low)."""
    lab = await security_lab(
        sandbox="bwrap" if BWRAP_PROBLEM is None else "none",
        session='limits = "cgroup"\ncpus = 0.1\n',
    )
    async with lab.session("alice") as alice:
        result = await alice.run(CPU_CELL, timeout=90)
    used, wall, throttled = (float(x) for x in result.out.split())
    assert used <= 0.1 * wall * 1.5 + 0.05, f"{used:.2f} s of CPU in {wall:.2f} s under 0.1 cores"
    assert throttled > 0, result


@needs_bwrap
@pytest.mark.parametrize("where", ["/tmp/fill", "/dev/shm/fill"])
async def test_the_sandboxs_tmp_is_capped(security_lab, where: str) -> None:
    lab = await security_lab(sandbox="bwrap", session="tmp_mb = 8\n")
    async with lab.session("alice") as alice:
        result = await alice.run(FILL_CELL.format(path=where, mb=40), timeout=60)
    written, code = result.out.split()
    assert int(written) <= 8 and code in ("ENOSPC", "EFBIG"), result


async def test_with_rlimits_no_single_process_exceeds_the_sessions_memory(security_lab) -> None:
    """Without a cgroup each process is capped (that much is stated for rlimits)."""
    lab = await security_lab(
        sandbox="bwrap" if BWRAP_PROBLEM is None else "none",
        session='limits = "rlimits"\nmemory_mb = 400\nkernel_memory_mb = 0\n',
    )
    async with lab.session("alice") as alice:
        result = await alice.run("block = bytearray(600 * 1024 * 1024)")
        fine = await alice.run("block = bytearray(50 * 1024 * 1024); print(len(block))")
    assert not result.ok and "MemoryError" in result.error, result
    assert fine.ok, fine


@needs_bwrap
@needs_non_root
async def test_with_rlimits_a_sandboxed_session_has_its_own_process_count(security_lab) -> None:
    """In bwrap's user namespace RLIMIT_NPROC counts that namespace alone: a per-session cap."""
    lab = await security_lab(sandbox="bwrap", session='limits = "rlimits"\nmax_processes = 16\n')
    async with lab.session("alice") as alice:
        result = await alice.run(FORK_CELL.format(count=40), timeout=90)
    forked, error = result.out.split()
    assert int(forked) < 16 and error == "11", result
