"""A front end in its own process under attack through its kernel's pipes; prints a JSON report.

Run as ``python pipe_attack_client.py ATTACK``: it executes the attack cell, then ``1 + 1`` after
a restart, and reports what it saw and its own peak memory (VmHWM), which is what the
attack tried to blow up.
"""

from __future__ import annotations

import json
import sys
import time

from gradtui.kernel import KernelDied
from gradtui.kernel.client import KernelClient

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import hostile_cells  # noqa: E402


def _peak_rss_mb() -> int:
    """This program's own peak memory (VmHWM; ``ru_maxrss`` would include the forking parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    attack = getattr(hostile_cells, sys.argv[1])
    report: dict[str, object] = {}
    with KernelClient(memory_limit_mb=1024) as client:
        started = time.monotonic()
        try:
            reply = client.execute(attack)
            report["outcome"] = "reply"
            report["ok"] = reply.result.ok
            report["stderr_tail_chars"] = len(client.stderr_tail)
        except KernelDied as died:
            report["outcome"] = "died"
            report["message"] = str(died)
        report["seconds"] = round(time.monotonic() - started, 2)
        report["state"] = client.state
        client.restart()
        report["after_restart"] = client.execute("1 + 1").result.value_repr
    report["maxrss_mb"] = _peak_rss_mb()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
