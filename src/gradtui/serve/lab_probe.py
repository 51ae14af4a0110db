"""What a learner's session can reach, seen from inside one: run by ``gradtui lab check``.

``gradtui lab check`` starts a throw-away learner session exactly as the server would (the same
guard, sandbox and limits) but with this program instead of the app. It tries what a hostile
learner would try and prints one JSON object: for each path, whether it could be read; whether a
port the check listens on could be reached; whether one process may map more than the session's
memory; the limits its cgroup holds; how many processes it could fork; the size of its /tmp.
Every attempt is bounded and cleaned up (forked children are killed before it answers).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

MiB = 1024 * 1024


def reach(path: str) -> str:
    """``"read"`` if the file could be read, else the error that stopped it."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as error:
        return type(error).__name__
    return "read"


def network(port: int) -> str:
    """``"connected"`` if 127.0.0.1:port (the check's listener, outside) answered, else why not."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            return "connected"
    except OSError as error:
        return type(error).__name__


def interfaces() -> list[str]:
    """Network interfaces of this session's network namespace, loopback aside (``/sys/class/net``
    would show the host's: sysfs is bound in from outside)."""
    try:
        return sorted(name for _, name in socket.if_nameindex() if name != "lo")
    except OSError:
        return []


def one_big_allocation(mb: int) -> str:
    """``"refused"`` if one process may not map ``mb`` MiB (nothing is touched: no RAM used)."""
    try:
        block = bytearray(mb * MiB)
    except MemoryError:
        return "refused"
    del block
    return "allowed"


def cgroup_limits() -> dict[str, str]:
    """The memory, pids and cpu limits of the cgroups this process is in (v1 or v2 files)."""
    from gradtui.serve.session_limits import own_cgroup_folders

    files = {
        "memory": ["memory.max", "memory.limit_in_bytes"],
        "pids": ["pids.max"],
        "cpu": ["cpu.max", "cpu.cfs_quota_us"],
    }
    found: dict[str, str] = {}
    for controller, folder in own_cgroup_folders().items():
        for name in files[controller]:
            try:
                value = (folder / name).read_text().strip()
                if name == "cpu.cfs_quota_us":
                    value += " " + (folder / "cpu.cfs_period_us").read_text().strip()
            except OSError:
                continue
            found[controller] = value
            break
    return found


def forks(limit: int) -> dict[str, Any]:
    """Fork sleeping children until refused or ``limit``; all are killed before returning."""
    children: list[int] = []
    error = None
    for _ in range(limit):
        try:
            pid = os.fork()
        except OSError as exc:
            error = exc.strerror
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in children:
        os.waitpid(pid, 0)
    return {"forked": len(children), "refused": error}


def tmp_size() -> dict[str, Any]:
    try:
        stats = os.statvfs("/tmp")
    except OSError:
        return {}
    fstype = "?"
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields, _, tail = line.partition(" - ")
            if fields.split()[4] == "/tmp":
                fstype = tail.split()[0]
    except (OSError, IndexError):
        pass
    return {"bytes": stats.f_blocks * stats.f_frsize, "fstype": fstype}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    results: dict[str, Any] = {
        "paths": {name: reach(path) for name, path in spec["paths"].items()},
        "network": network(spec["port"]),
        "interfaces": interfaces(),
        "cgroup": cgroup_limits(),
        "tmp": tmp_size(),
    }
    if spec.get("memory_mb"):
        results["one_process"] = one_big_allocation(spec["memory_mb"] + 64)
    if spec.get("fork_limit"):
        results["processes"] = forks(spec["fork_limit"])
    print(json.dumps(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
