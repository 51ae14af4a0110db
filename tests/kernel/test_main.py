"""``python -m gradtui.kernel`` driven over raw pipes: the protocol stream holds only protocol."""

from __future__ import annotations

import json
import subprocess
import sys


def _run_kernel(*requests: dict) -> list[dict]:
    lines = "".join(json.dumps(r) + "\n" for r in requests)
    proc = subprocess.run(
        [sys.executable, "-m", "gradtui.kernel", "--memory-mb", "1024"],
        input=lines.encode(),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    # every line on the real stdout must be one of the kernel's JSON messages
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def test_stdout_carries_only_the_ready_event_and_replies() -> None:
    cell = (
        "import os, sys, ctypes\n"
        "print('{\"id\": 1, \"ok\": true}')\n"
        "os.write(1, b'not json at all\\n')\n"
        "sys.__stdout__.write('half a line')\n"
        "ctypes.CDLL(None).printf(b'printf line\\n')\n"
        "os.system('echo from a child process')\n"
        "'ok'"
    )
    messages = _run_kernel(
        {"id": 1, "op": "execute", "source": cell},
        {"id": 2, "op": "ping"},
        {"id": 3, "op": "shutdown"},
    )
    assert messages[0]["event"] == "ready" and messages[0]["limits"]["memory_mb"] == 1024
    # the cell's output travels as stream events of request 1, all before its reply
    streamed = [m for m in messages[1:] if m.get("event") == "stream"]
    replies = [m for m in messages[1:] if "event" not in m]
    assert [m["id"] for m in replies] == [1, 2, 3]
    assert all(m["id"] == 1 for m in streamed)
    assert messages.index(replies[0]) > max(messages.index(m) for m in streamed)
    result = replies[0]["result"]["result"]
    assert result["value_repr"] == "'ok'"
    assert result["output"] == [] and result["output_streamed"] is True
    out = "".join(m["text"] for m in streamed if m["stream"] == "stdout")
    for piece in ('{"id": 1, "ok": true}\n', "not json at all\n", "half a line",
                  "printf line\n", "from a child process\n"):
        assert piece in out


def test_the_kernel_exits_when_its_input_closes() -> None:
    messages = _run_kernel({"id": 1, "op": "execute", "source": "x = 1"})
    assert [m.get("id") for m in messages] == [None, 1]  # no output: no stream event


def test_the_kernel_process_loads_no_ui_library() -> None:
    messages = _run_kernel(
        {
            "id": 1,
            "op": "execute",
            "source": "import sys, torch\n"
            "sorted(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'rich', 'prompt_toolkit', 'pygments', 'asyncssh'))",
        }
    )
    assert messages[1]["result"]["result"]["value_repr"] == "[]"
