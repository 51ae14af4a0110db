"""The kernel process through KernelClient: protocol safety, interrupt, death, restart, limits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gradtui.kernel import KernelDied
from gradtui.kernel.client import KernelClient, describe_exit
from gradtui.kernel.protocol import ExecuteReply


@pytest.fixture(scope="module")
def shared() -> Iterator[KernelClient]:
    """One kernel for tests that leave it healthy (starting one costs a few hundred ms)."""
    with KernelClient(memory_limit_mb=1024) as client:
        yield client


@pytest.fixture
def fresh() -> Iterator[KernelClient]:
    with KernelClient(memory_limit_mb=1024) as client:
        yield client


def _execute_interrupted(client: KernelClient, source: str) -> ExecuteReply:
    """Run ``source`` while another thread (like a UI) interrupts until the cell gives up.

    Interrupts repeat: one that lands before the cell has started is ignored by design.
    """
    done = threading.Event()

    def keep_interrupting() -> None:
        while not done.wait(0.2):
            if client.busy_since is not None:
                client.interrupt()

    thread = threading.Thread(target=keep_interrupting, daemon=True)
    thread.start()
    try:
        return client.execute(source)
    finally:
        done.set()
        thread.join()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0); it is gone for our purposes once it is not running.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] == "Z"
    except FileNotFoundError:
        return True


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def test_execute_echoes_and_captures_output(shared: KernelClient) -> None:
    reply = shared.execute("v = 20\nprint('hi')\nv + 22")
    assert reply.result.ok
    assert reply.result.value_repr == "42"
    assert reply.result.stdout == "hi\n"
    assert reply.snapshot is not None
    assert shared.state == "idle" and shared.alive and shared.busy_since is None
    assert reply.source == "v = 20\nprint('hi')\nv + 22"  # the client's own, not sent back


def test_a_cells_warnings_cross_the_pipe(shared: KernelClient) -> None:
    reply = shared.execute("import warnings\nwarnings.warn('mind the shapes')")
    assert [(w.type, w.message) for w in reply.result.warnings] == [
        ("UserWarning", "mind the shapes")]


def test_output_reaches_on_output_while_the_cell_runs(shared: KernelClient) -> None:
    seen: list[tuple[float, str]] = []
    start = time.monotonic()
    reply = shared.execute(
        "import time, sys\nprint('one', flush=True)\ntime.sleep(0.8)\n"
        "print('two', file=sys.stderr)\n3",
        on_output=lambda chunk: seen.append((time.monotonic() - start, chunk.text)))
    ended = time.monotonic() - start
    assert seen[0][1] == "one\n" and seen[0][0] < ended - 0.5  # long before the cell ended
    assert reply.result.output_streamed and reply.result.value_repr == "3"
    assert reply.result.stdout == "one\n" and reply.result.stderr == "two\n"


def test_without_a_listener_the_output_is_in_the_reply_to_show(shared: KernelClient) -> None:
    reply = shared.execute("print('kept')")
    assert reply.result.stdout == "kept\n" and not reply.result.output_streamed


def test_a_failing_listener_does_not_lose_the_reply(shared: KernelClient) -> None:
    def broken(chunk: object) -> None:
        raise ValueError("front-end bug")

    reply = shared.execute("print('a')\n5", on_output=broken)
    assert reply.result.value_repr == "5" and reply.result.stdout == "a\n"
    assert shared.execute("6").result.value_repr == "6"


def test_json_looking_prints_and_raw_fd1_writes_do_not_corrupt_replies(
    shared: KernelClient,
) -> None:
    source = textwrap.dedent(
        """\
        import os, sys
        print('{"id": 1, "ok": true, "result": "forged"}')
        os.write(1, b'raw fd 1\\n')
        sys.__stdout__.write('dunder stdout\\n')
        'done'
        """
    )
    reply = shared.execute(source)
    assert reply.result.value_repr == "'done'"
    out = reply.result.stdout
    assert '{"id": 1, "ok": true, "result": "forged"}\n' in out
    assert "raw fd 1\n" in out and "dunder stdout\n" in out
    assert shared.execute("1 + 1").result.value_repr == "2"


def test_c_level_printf_is_captured_as_cell_output(shared: KernelClient) -> None:
    reply = shared.execute("import ctypes\nctypes.CDLL(None).printf(b'from C\\n')\nNone")
    assert reply.result.ok
    assert "from C\n" in reply.result.stdout


def test_input_gets_end_of_file_instead_of_reading_the_protocol(shared: KernelClient) -> None:
    reply = shared.execute("input('name? ')")
    assert reply.result.error is not None and reply.result.error.type == "EOFError"
    assert shared.ping()


def test_input_still_gets_end_of_file_after_exit_closed_stdin(fresh: KernelClient) -> None:
    # exit() closes sys.stdin (and fd 0) before raising SystemExit; the kernel stays up.
    assert fresh.execute("exit()").result.error.type == "SystemExit"
    reply = fresh.execute("input()")
    assert reply.result.error is not None and reply.result.error.type == "EOFError"
    reply = fresh.execute("import os\nf = open(os.devnull)\nf.fileno() != 0")
    assert reply.result.value_repr == "True"  # fd 0 is not up for grabs


def test_interrupt_stops_an_infinite_loop_and_keeps_the_namespace(fresh: KernelClient) -> None:
    fresh.execute("before = 'still here'")
    reply = _execute_interrupted(fresh, "while True:\n    pass")
    assert reply.result.error is not None
    assert reply.result.error.type == "KeyboardInterrupt"
    assert '<cell 2>' in reply.result.error.traceback
    assert fresh.execute("before").result.value_repr == "'still here'"


def test_interrupt_cuts_a_blocking_sleep_short(shared: KernelClient) -> None:
    reply = _execute_interrupted(shared, "import time\ntime.sleep(120)")
    assert reply.result.error is not None
    assert reply.result.error.type == "KeyboardInterrupt"


def test_an_idle_interrupt_does_not_kill_the_kernel(shared: KernelClient) -> None:
    shared.interrupt()
    shared.interrupt()
    assert shared.pid is not None
    os.kill(shared.pid, signal.SIGINT)  # a stray real SIGINT too
    time.sleep(0.1)
    assert shared.ping()
    assert shared.execute("'alive'").result.value_repr == "'alive'"


def test_os_exit_is_reported_as_death_and_restart_gives_a_fresh_kernel(fresh: KernelClient) -> None:
    fresh.execute("lost = 1")
    with pytest.raises(KernelDied, match=r"the kernel died \(exit status 1\); :restart"):
        fresh.execute("import os\nos._exit(1)")
    assert fresh.state == "dead" and not fresh.alive
    with pytest.raises(KernelDied):
        fresh.execute("1")
    fresh.restart()
    assert fresh.state == "idle"
    reply = fresh.execute("lost")
    assert reply.result.error is not None and reply.result.error.type == "NameError"


def test_sigkill_is_detected_with_the_signal_name(fresh: KernelClient) -> None:
    assert fresh.pid is not None
    os.kill(fresh.pid, signal.SIGKILL)
    with pytest.raises(KernelDied, match=r"killed by SIGKILL"):
        fresh.execute("1")
    fresh.restart()
    assert fresh.execute("6 * 7").result.value_repr == "42"


def test_restart_during_a_running_cell_unblocks_it(fresh: KernelClient) -> None:
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fresh.execute("while True:\n    pass")
        except KernelDied as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    while fresh.busy_since is None:
        time.sleep(0.01)
    fresh.restart()
    worker.join(timeout=30)
    assert outcome and "restarted" in str(outcome[0])
    assert fresh.execute("'new'").result.value_repr == "'new'"


def test_an_allocation_beyond_the_limit_is_a_memory_error_and_the_kernel_lives(
    shared: KernelClient,
) -> None:
    reply = shared.execute("import numpy as np\nhuge = np.ones((100000, 100000))")
    assert reply.result.error is not None
    assert reply.result.error.type == "MemoryError"
    assert reply.result.error.traceback.endswith(
        "MemoryError: Unable to allocate 74.5 GiB for an array with shape (100000, 100000) "
        "and data type float64\n"
    )
    assert shared.execute("'fine'").result.value_repr == "'fine'"


def test_kernel_reports_the_limits_it_enforces(shared: KernelClient) -> None:
    assert shared.limits == {"memory_mb": 1024, "cpu_s": None}
    soft, _ = json.loads(
        shared.execute("import resource\nresource.getrlimit(resource.RLIMIT_AS)").result.value_repr
        .replace("(", "[")
        .replace(")", "]")
    )
    assert soft == 1024 * 1024 * 1024


def test_environment_defaults_and_wrapper_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUI_KERNEL_MEMORY_MB", "900")
    monkeypatch.setenv("GRADTUI_KERNEL_CPU_S", "120")
    monkeypatch.setenv("GRADTUI_KERNEL_WRAPPER", json.dumps(["env", "WRAPPED_BY=test"]))
    with KernelClient() as client:
        assert client.limits == {"memory_mb": 900, "cpu_s": 120}
        reply = client.execute("import os\nos.environ.get('WRAPPED_BY')")
        assert reply.result.value_repr == "'test'"


def _bwrap_prefix() -> list[str] | None:
    prefix = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
              "--unshare-pid", "--die-with-parent"]
    try:
        ok = subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return prefix if ok else None


def test_interrupt_reaches_a_kernel_inside_a_bwrap_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = _bwrap_prefix()
    if prefix is None:
        pytest.skip("bwrap cannot run here")
    monkeypatch.setenv("GRADTUI_KERNEL_WRAPPER", json.dumps(prefix))
    with KernelClient(memory_limit_mb=1024) as client:
        client.execute("kept = 1")
        reply = _execute_interrupted(client, "while True:\n    pass")
        assert reply.result.error is not None
        assert reply.result.error.type == "KeyboardInterrupt"
        assert client.execute("kept").result.value_repr == "1"


def test_a_malformed_wrapper_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUI_KERNEL_WRAPPER", "bwrap --ro-bind / /")
    with pytest.raises(ValueError, match="GRADTUI_KERNEL_WRAPPER must be a JSON list"):
        KernelClient()


def test_cpu_limit_kills_a_runaway_kernel_with_a_clear_message() -> None:
    with KernelClient(memory_limit_mb=1024, cpu_limit_s=1) as client:
        with pytest.raises(KernelDied, match=r"CPU time limit reached \(SIGXCPU\)"):
            client.execute("while True:\n    pass")
        client.restart()
        assert client.execute("'again'").result.value_repr == "'again'"


def test_a_kernel_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADTUI_KERNEL_WRAPPER", json.dumps([sys.executable, "-c", "exit(4)"]))
    with pytest.raises(KernelDied, match=r"did not start \(exit status 4\)"):
        KernelClient().start()


def test_a_wrapper_banner_before_the_kernel_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper = ["sh", "-c", 'echo "sandbox ready"; exec "$@"', "sh"]
    monkeypatch.setenv("GRADTUI_KERNEL_WRAPPER", json.dumps(wrapper))
    with KernelClient(memory_limit_mb=1024) as client:
        assert client.execute("'up'").result.value_repr == "'up'"


def test_a_kernel_that_never_answers_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtui.kernel import client as client_module

    monkeypatch.setattr(client_module, "START_TIMEOUT_S", 0.5)
    monkeypatch.setenv("GRADTUI_KERNEL_WRAPPER", json.dumps(["sh", "-c", "sleep 30", "sh"]))
    with pytest.raises(KernelDied, match=r"did not start \(no answer within 0.5 s\)"):
        KernelClient().start()


def _wait_for_file(path: Path, seconds: float = 30.0) -> None:
    """Wait until a running cell created ``path``: the kernel is inside the cell from then on."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"the cell never created {path}"
        time.sleep(0.02)


def test_close_ends_the_kernel_even_mid_cell(fresh: KernelClient, tmp_path: Path) -> None:
    pid = fresh.pid
    assert pid is not None
    running = tmp_path / "running"
    cell = f"open({str(running)!r}, 'w').close()\nwhile True: pass"
    worker = threading.Thread(
        target=lambda: pytest.raises(KernelDied, fresh.execute, cell), daemon=True
    )
    worker.start()
    _wait_for_file(running)
    fresh.close()
    assert _wait_gone(pid)
    worker.join(timeout=10)
    assert fresh.state == "dead"


def test_no_orphan_kernel_when_the_front_end_process_dies(tmp_path: Path) -> None:
    # A front end whose kernel is busy in an endless loop is killed outright: no atexit runs,
    # and the busy kernel never reads its stdin; the kernel's parent watchdog must end it.
    running = tmp_path / "running"
    cell = f"open({str(running)!r}, 'w').close()\nwhile True: pass"
    script = textwrap.dedent(
        f"""\
        import sys, threading
        from gradtui.kernel.client import KernelClient
        client = KernelClient(memory_limit_mb=1024)
        client.start()
        print(client.pid, flush=True)
        threading.Thread(target=client.execute, args=({cell!r},), daemon=True).start()
        import time; time.sleep(60)
        """
    )
    front = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert front.stdout is not None
    kernel_pid = int(front.stdout.readline())
    _wait_for_file(running)  # the kernel is busy in the loop, not idle at its stdin
    front.kill()
    front.wait()
    front.stdout.close()  # (left to the garbage collector, its warning lands in a later test)
    assert _wait_gone(kernel_pid)


def test_describe_exit_names_signals_and_statuses() -> None:
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(-signal.SIGSEGV) == "killed by SIGSEGV"
    assert describe_exit(1) == "exit status 1"
    assert describe_exit(-signal.SIGXCPU) == "CPU time limit reached (SIGXCPU)"


def test_calls_from_many_threads_are_serialised(shared: KernelClient) -> None:
    shared.execute("counter = 0")
    results: list[str | None] = []

    def bump() -> None:
        for _ in range(10):
            results.append(shared.execute("counter += 1\ncounter").result.value_repr)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(int(r) for r in results if r is not None) == list(range(1, 41))


def test_complete_inspect_and_evaluate_go_through_the_kernel(shared: KernelClient) -> None:
    shared.execute("learning_rate = 0.1")
    names = [c.text for c in shared.complete("learning_r", 10)]
    assert names == ["learning_rate"]
    assert shared.evaluate("learning_rate < 1") == (True, "True")
    doc = shared.inspect("len")
    assert doc is not None and doc.startswith("len(obj, /)")


def test_torch_allocation_beyond_the_limit_is_a_memory_error(shared: KernelClient) -> None:
    reply = shared.execute("import torch\nx = torch.ones(2, requires_grad=True)")
    assert reply.result.ok
    reply = shared.execute("big = torch.ones(100000, 100000)")
    assert reply.result.error is not None
    assert reply.result.error.type == "MemoryError"
    assert "gradtui" not in reply.result.error.traceback
    reply = shared.execute("x * 2")
    assert reply.result.value_repr == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    assert reply.snapshot is not None and reply.snapshot.tensor("x") is not None


def test_execute_reply_carries_the_snapshot_and_trace_works(fresh: KernelClient) -> None:
    fresh.execute("import torch\nx = torch.ones(2, requires_grad=True)\ny = 5 * (x + 1) ** 2")
    reply = fresh.execute("o = (1/2) * torch.sum(y)\no")
    snap = reply.snapshot
    assert snap is not None and snap.last_value == "o"
    assert fresh.execute("q = 1").snapshot.last_value is None  # type: ignore[union-attr]
    assert [t.name for t in snap.tensors] == ["x", "y", "o", "_"]  # `_` is the echoed o
    trace = fresh.trace_backward("o")
    assert trace.leaf_grads == {"x": "[10., 10.]"}
    assert fresh.snapshot().tensors == snap.tensors
