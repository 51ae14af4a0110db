from __future__ import annotations

import threading

from gradtui.tui.kernel_calls import KernelCalls, KernelFailure

from .fake_kernel import INFINITE_LOOP, FakeKernel, seed_cells, seed_script


def test_start_starts_the_kernel_once_and_returns_a_snapshot():
    fake = FakeKernel()
    calls = KernelCalls(fake)
    assert calls.start().tensors == []
    assert fake.alive


def test_an_exception_becomes_a_failure_that_says_whether_the_kernel_died():
    fake = FakeKernel(seed_script())
    calls = KernelCalls(fake)
    calls.start()
    fake.kill()
    failure = calls.execute("x")
    assert isinstance(failure, KernelFailure) and failure.died
    assert "killed" in failure.message


def test_completion_does_not_wait_for_a_running_cell():
    fake = FakeKernel()
    calls = KernelCalls(fake)
    calls.start()
    worker = threading.Thread(target=calls.execute, args=(INFINITE_LOOP,))
    worker.start()
    while calls.running_since is None:
        pass
    assert calls.complete("x", 1) is None
    assert calls.interrupt() is None  # interrupt works while execute holds the lock
    worker.join(5)
    assert not worker.is_alive() and calls.running_since is None


def test_restart_bumps_the_generation_and_returns_the_empty_snapshot():
    fake = FakeKernel(seed_script())
    calls = KernelCalls(fake)
    calls.start()
    calls.execute(seed_cells()[2])
    generation = calls.generation
    snapshot = calls.restart()
    assert calls.generation == generation + 1 and snapshot.tensors == []


def test_a_cell_submitted_before_a_restart_does_not_run_in_the_new_kernel():
    fake = FakeKernel(seed_script())
    calls = KernelCalls(fake)
    calls.start()
    submitted_in = calls.generation
    calls.restart()  # F9 pressed before the cell's worker got the kernel
    assert calls.execute(seed_cells()[2], submitted_in) is None
    assert fake.executed == []
    assert calls.execute(seed_cells()[2], calls.generation).result.ok
