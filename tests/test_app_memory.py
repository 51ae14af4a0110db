"""The front end's own memory limit in a lab, and the kernel that does not inherit it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from gradtui.app_memory import AppMemoryError, apply_app_memory_limit


def _in_subprocess(code: str, **env: str) -> dict[str, object]:
    import os

    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=120, env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_caps_its_data_segment_and_a_big_buffer_fails_as_memory_error() -> None:
    report = _in_subprocess(
        """
        import json, resource
        from gradtui.app_memory import apply_app_memory_limit
        set_mb = apply_app_memory_limit()
        try:
            buffer = bytearray(400 * 1024 * 1024)
            outcome = "allocated"
        except MemoryError:
            outcome = "MemoryError"
        print(json.dumps({"set": set_mb, "soft": resource.getrlimit(resource.RLIMIT_DATA)[0],
                          "outcome": outcome}))
        """,
        GRADTUI_APP_MEMORY_MB="200",
    )
    assert report == {"set": 200, "soft": 200 * 1024 * 1024, "outcome": "MemoryError"}


def test_the_kernel_started_by_a_capped_app_has_its_own_limit_not_the_apps() -> None:
    report = _in_subprocess(
        """
        import json
        from gradtui.app_memory import apply_app_memory_limit
        from gradtui.kernel.client import KernelClient
        apply_app_memory_limit()
        with KernelClient(memory_limit_mb=1024) as client:
            reply = client.execute(
                "import resource\\n"
                "big = bytearray(300 * 1024 * 1024)\\n"
                "resource.getrlimit(resource.RLIMIT_DATA)[0] == resource.RLIM_INFINITY"
            )
        print(json.dumps({"ok": reply.result.ok, "value": reply.result.value_repr}))
        """,
        GRADTUI_APP_MEMORY_MB="200",
    )
    assert report == {"ok": True, "value": "True"}


@pytest.mark.parametrize(("raw", "says"), [("-5", r"0 \(no limit\) or positive"),
                                           ("lots", "whole number of MiB")])
def test_a_bad_value_is_a_clear_error(raw: str, says: str) -> None:
    with pytest.raises(AppMemoryError, match=says):
        apply_app_memory_limit({"GRADTUI_APP_MEMORY_MB": raw})
    assert apply_app_memory_limit({"GRADTUI_APP_MEMORY_MB": "0"}) is None
    assert apply_app_memory_limit({}) is None


def test_gradtui_refuses_to_start_with_a_bad_value() -> None:
    import os

    done = subprocess.run(
        [sys.executable, "-m", "gradtui", "--version"], capture_output=True, text=True,
        timeout=60, env={**os.environ, "GRADTUI_APP_MEMORY_MB": "-5"},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "gradtui: GRADTUI_APP_MEMORY_MB must be 0 (no limit) or positive, not -5"
    )
