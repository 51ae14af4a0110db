"""Resource limits of the kernel process (set inside the kernel only, never in the front end).

Memory: ``RLIMIT_AS`` (the kernel's whole address space). Default: half the machine's RAM, at
most 4 GiB — enough for any lesson, small enough that a learner's ``torch.ones(100000, 100000)``
fails fast with ``MemoryError`` instead of swapping the machine or waking the OOM killer (which
would take the kernel down). numpy raises ``MemoryError`` when its allocation is refused, and the
learner sees it as the cell's error. ``0`` means no limit. The limit covers the whole process:
Python, numpy and the engine already take about 350 MiB of address space before any cell runs,
so limits below ~512 MiB leave learners almost nothing.

CPU: optional ``RLIMIT_CPU`` in seconds of CPU time for the kernel's whole life (for teaching
labs). When it runs out the kernel receives ``SIGXCPU`` and dies; the client reports that and a
restart gives a fresh budget.
"""

from __future__ import annotations

import os
import resource

MiB = 1024 * 1024
# Marks every process a kernel starts (inherited through the environment), so the processes a
# learner's cell forked are ended with their kernel even after they were re-parented.
KERNEL_TOKEN_VAR = "GRADTUI_KERNEL_TOKEN"
MAX_DEFAULT_MEMORY_MB = 4096
# Below this a kernel cannot even start its threads (its own ~350 MiB of address space).
MIN_MEMORY_MB = 384
MIN_DEFAULT_MEMORY_MB = 768  # the kernel's own ~350 MiB plus room for lesson-sized tensors
# After the soft CPU limit's SIGXCPU, the hard limit's SIGKILL is the backstop.
_CPU_HARD_GRACE_S = 5


def machine_memory_mb() -> int | None:
    """Physical RAM in MiB, or None when the platform does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MiB
    except (ValueError, OSError, AttributeError):
        return None


def default_memory_limit_mb() -> int:
    """min(50% of RAM, 4 GiB), at least 768 MiB; 4 GiB when RAM is unknown."""
    ram = machine_memory_mb()
    if ram is None:
        return MAX_DEFAULT_MEMORY_MB
    return max(MIN_DEFAULT_MEMORY_MB, min(ram // 2, MAX_DEFAULT_MEMORY_MB))


def limit_problem(memory_mb: int | None, cpu_s: int | None) -> str | None:
    """Why these limits cannot be used, or None. ``0`` means no limit; negatives never do."""
    if memory_mb is not None and (memory_mb < 0 or 0 < memory_mb < MIN_MEMORY_MB):
        return (
            f"a memory limit of {memory_mb} MiB: give at least {MIN_MEMORY_MB} (the kernel itself "
            "takes about 350), or 0 for no limit"
        )
    if cpu_s is not None and cpu_s < 0:
        return f"a CPU limit of {cpu_s} s: give a number of seconds, or 0 for no limit"
    return None


def apply_limits(memory_mb: int | None, cpu_s: int | None) -> dict[str, int | None]:
    """Set the limits on this process; returns what is in force (None = unlimited)."""
    applied: dict[str, int | None] = {"memory_mb": None, "cpu_s": None}
    # In a lab the front end caps its own data segment (gradtui.app_memory) and we inherit that
    # soft limit; the kernel's memory is governed by its own limit below, not the app's.
    data_soft, data_hard = resource.getrlimit(resource.RLIMIT_DATA)
    if data_soft != data_hard:
        resource.setrlimit(resource.RLIMIT_DATA, (data_hard, data_hard))
    if memory_mb is None:
        memory_mb = default_memory_limit_mb()
    if memory_mb > 0:
        _lower(resource.RLIMIT_AS, memory_mb * MiB, memory_mb * MiB)
        applied["memory_mb"] = memory_mb
    if cpu_s is not None and cpu_s > 0:
        _lower(resource.RLIMIT_CPU, cpu_s, cpu_s + _CPU_HARD_GRACE_S)
        applied["cpu_s"] = cpu_s
    return applied


def _lower(which: int, soft: int, hard: int) -> None:
    """Set a limit, never above an existing hard limit (an unprivileged process cannot raise it)."""
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))
