"""Resource limit arithmetic (the enforcement itself is proved in test_client.py)."""

from __future__ import annotations

import pytest

from gradtui.kernel import limits


def test_default_memory_limit_is_half_the_ram_capped_at_4_gib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "machine_memory_mb", lambda: 24_000)
    assert limits.default_memory_limit_mb() == 4096
    monkeypatch.setattr(limits, "machine_memory_mb", lambda: 2_000)
    assert limits.default_memory_limit_mb() == 1000
    monkeypatch.setattr(limits, "machine_memory_mb", lambda: 1_000)
    assert limits.default_memory_limit_mb() == 768  # never too small for the kernel itself
    monkeypatch.setattr(limits, "machine_memory_mb", lambda: None)
    assert limits.default_memory_limit_mb() == 4096


def test_zero_means_no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int, int]] = []
    monkeypatch.setattr(limits, "_lower", lambda *args: calls.append(args))
    assert limits.apply_limits(0, 0) == {"memory_mb": None, "cpu_s": None}
    assert calls == []


def test_limits_are_applied_in_bytes_and_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int, int]] = []
    monkeypatch.setattr(limits, "_lower", lambda *args: calls.append(args))
    assert limits.apply_limits(512, 30) == {"memory_mb": 512, "cpu_s": 30}
    assert calls == [
        (limits.resource.RLIMIT_AS, 512 * 1024 * 1024, 512 * 1024 * 1024),
        (limits.resource.RLIMIT_CPU, 30, 35),
    ]


def test_limits_that_cannot_be_are_named_and_zero_is_no_limit(monkeypatch) -> None:
    from gradtui.kernel.client import KernelClient
    from gradtui.kernel.limits import limit_problem

    assert limit_problem(0, 0) is None and limit_problem(None, None) is None
    assert limit_problem(384, 10) is None
    assert "give at least 384" in str(limit_problem(-5, None))
    assert "give at least 384" in str(limit_problem(100, None))
    assert "CPU limit of -3 s" in str(limit_problem(None, -3))
    monkeypatch.setenv("GRADTUI_KERNEL_MEMORY_MB", "-5")
    with pytest.raises(ValueError, match="cannot start a kernel with a memory limit of -5 MiB"):
        KernelClient()
