"""The front end's own memory limit in a teaching lab (``GRADTUI_APP_MEMORY_MB``).

The kernel has a memory limit of its own (``kernel/limits.py``); the front end (the workspace or
the plain REPL) reads what the kernel sends, and learner code can write anything into that pipe.
The protocol reads are bounded (``kernel/wire.py``); this is the backstop under them: in a lab the
server sets ``GRADTUI_APP_MEMORY_MB`` and the app caps its data segment (``RLIMIT_DATA``: heap
and private mappings, the memory a runaway buffer takes; unlike ``RLIMIT_AS`` it does not count
the address space glibc reserves for each thread, so it measures what the app really uses).

Only the soft limit is lowered: the kernel, started from the app, raises it back to the hard limit
and applies its own (``kernel.limits.apply_limits``; a kernel may need more than the app).
"""

from __future__ import annotations

import os
import resource

ENV_APP_MEMORY_MB = "GRADTUI_APP_MEMORY_MB"
MiB = 1024 * 1024


class AppMemoryError(ValueError):
    """``GRADTUI_APP_MEMORY_MB`` is not a usable limit."""


def apply_app_memory_limit(environ: dict[str, str] | None = None) -> int | None:
    """Cap this process's data segment at ``$GRADTUI_APP_MEMORY_MB``; the MiB set, or None."""
    raw = (os.environ if environ is None else environ).get(ENV_APP_MEMORY_MB, "").strip()
    if not raw:
        return None
    try:
        megabytes = int(raw)
    except ValueError:
        raise AppMemoryError(
            f"{ENV_APP_MEMORY_MB} must be a whole number of MiB, not {raw!r}"
        ) from None
    if megabytes < 0:
        raise AppMemoryError(f"{ENV_APP_MEMORY_MB} must be 0 (no limit) or positive, not {raw}")
    if megabytes == 0:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = megabytes * MiB
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
    return megabytes

