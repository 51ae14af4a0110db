"""SSH lab load benchmark: N learners at once on one `gradtui serve ssh`, over loopback.

    .venv/bin/python bench/run.py ssh                 # N = 10, 30
    python bench/ssh_bench.py --sessions 5,10 --app repl
    python bench/ssh_bench.py --quick                 # N = 2, 5 and fewer keystrokes

A real server (``python -m gradtui serve ssh``) runs in its own process on 127.0.0.1 with a
temporary lab; asyncssh clients in this process play the learners. Per round of N sessions:

1. all N log in at once (public key, pty 120x40) and wait for the app to be ready;
2. each runs the seed notebook's cells (a sentinel cell after each tells when it finished);
3. memory: PSS of each session's processes (app, kernel, sandbox), found by their session token;
4. each types comment characters at ~8 keys/s; keystroke-to-echo latency is the time from
   sending a key until the screen shows it (the new pair of last two characters, so a redraw of
   older text never counts); CPU of the server and all sessions is sampled over this phase;
5. all disconnect and the benchmark checks that no session process is left.

It is bounded: at most ``--time-limit`` seconds in total, timeouts on every wait, and it stops
the server itself. "Held" means p95 echo latency under 200 ms; the largest N held is searched
for in at most two extra rounds, time permitting: twice the largest N that held (at most
``--max-n``, default 60), or halfway between the largest that held and the next that did not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

HELD_P95_MS = 200.0
TOKEN_VAR = b"GRADTUI_LAB_SESSION="
ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07"
)

# The seed notebook ("Variables and Gradients"), cell by cell, as a learner types them.
SEED_CELLS = [
    "import torch; from torch.autograd import Variable",
    "a = Variable(torch.ones((3, 2)), requires_grad=True); a",
    "type(a)",
    "b = Variable(torch.ones((3, 2)), requires_grad=True); b",
    "print(a+b); print(torch.add(a, b))",
    "print(a*b); print(torch.mul(a, b))",
    "x = Variable(torch.ones((2)), requires_grad=True); x",
    "y = 5 * (x + 1) ** 2; y",
    "o = (1/2) * torch.sum(y); o",
    "o.backward(); x.grad",
    "o.backward(torch.FloatTensor([1.0, 1.0]))",
]
# What the screen must show once the cells ran (the engine's answers, checked at the end).
SEED_EXPECTED = ["AddBackward0", "MulBackward0", "tensor([10., 10.])", "RuntimeError"]
READY_TEXT = {"workspace": "kernel: idle", "repl": ">>>"}


def strip(raw: bytes) -> str:
    return ANSI.sub(b"", raw).decode("utf-8", "replace")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# -- /proc sampling ---------------------------------------------------------------------------


def session_pids(learners_root: Path) -> dict[str, list[int]]:
    """Session token -> pids carrying it: every process this lab's sessions started."""
    home = f"HOME={learners_root}/".encode()
    found: dict[str, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if not any(item.startswith(home) for item in environ):
            continue  # another lab's session (or none)
        for item in environ:
            if item.startswith(TOKEN_VAR):
                found.setdefault(item[len(TOKEN_VAR) :].decode(), []).append(int(entry.name))
                break
    return found


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        times[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return times


# -- one learner ------------------------------------------------------------------------------


@dataclass
class Learner:
    """One SSH session and everything its screen showed (raw bytes)."""

    conn: asyncssh.SSHClientConnection
    proc: asyncssh.SSHClientProcess
    raw: bytearray = field(default_factory=bytearray)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    def start_reading(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            chunk = await self.proc.stdout.read(65536)
            if not chunk:
                self.changed.set()
                return
            if b"\x1b[6n" in chunk:  # answer cursor-position requests like a real terminal
                self.proc.stdin.write(b"\x1b[1;1R")
            self.raw += chunk
            self.changed.set()

    async def wait_for(self, needle: str, since: int, timeout: float) -> float:
        """Seconds until ``needle`` shows in the screen text after byte ``since``."""
        start = time.perf_counter()
        await self.wait_for_any([needle], since, timeout)
        return time.perf_counter() - start

    async def wait_for_any(self, needles: list[str], since: int, timeout: float) -> str:
        """The first of ``needles`` to show in the screen text after byte ``since``."""
        deadline = time.perf_counter() + timeout
        while True:
            text = strip(bytes(self.raw[since:]))
            for needle in needles:
                if needle in text:
                    return needle
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or (self.reader is not None and self.reader.done()):
                raise TimeoutError(f"none of {needles!r} seen")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass

    def send(self, text: str) -> int:
        mark = len(self.raw)
        self.proc.stdin.write(text.encode())
        return mark


async def log_in(port: int, key: asyncssh.SSHKey, index: int, app: str) -> tuple[Learner, float]:
    start = time.perf_counter()
    conn = await asyncssh.connect(
        "127.0.0.1", port, username=f"learner{index:03d}", client_keys=[key], known_hosts=None
    )
    proc = await conn.create_process(term_type="xterm-256color", term_size=(120, 40), encoding=None)
    learner = Learner(conn, proc)
    learner.start_reading()
    await learner.wait_for(READY_TEXT[app], 0, 180)
    return learner, time.perf_counter() - start


async def run_cells(learner: Learner, app: str) -> list[float]:
    """Each seed cell, one after the other, with a sentinel print that proves it finished.

    The workspace refuses a cell while another runs, so each cell is sent only once the
    previous one's sentinel showed. There the sentinel opens the cell (a second line, typed after
    Ctrl+J) because only a cell's last line is echoed; the plain REPL gets it as its own cell.
    """
    times = []
    for number, cell in enumerate(SEED_CELLS, 1):
        sentinel = f"done{number * 7 + 1000}"  # the typed text `1000 + n * 7` never contains it
        marker = f"print('done' + str(1000 + {number} * 7))"
        start = time.perf_counter()
        if app == "workspace":
            mark = learner.send(marker + "\n" + cell + "\r")
        else:
            mark = learner.send(cell + "\r" + marker + "\r")
        await learner.wait_for(sentinel, mark, 120)
        times.append(time.perf_counter() - start)
    return times


async def type_keys(learner: Learner, keys: int, rng: random.Random) -> list[float]:
    """Type comment characters; each latency ends when the newest two-letter pair shows."""
    latencies: list[float] = []
    while len(latencies) < keys:
        learner.send("\x15")  # Ctrl+U clears the line
        await asyncio.sleep(0.2)  # (sent together with the next key, that key gets lost)
        line_start = learner.send("#")  # a comment: nothing runs even if Enter slipped in
        letters = rng.sample("abcdefghijklmnopqrstuvwxyz", 20)  # distinct: every pair is new
        previous = "#"
        for letter in letters[: keys - len(latencies)]:
            await asyncio.sleep(rng.uniform(0.08, 0.16))
            sent = time.perf_counter()
            learner.send(letter)
            try:
                await learner.wait_for(previous + letter, line_start, 5)
                latencies.append(time.perf_counter() - sent)
            except TimeoutError:
                latencies.append(5.0)
            previous = letter
    learner.send("\x15")
    return latencies


# -- one round of N sessions ------------------------------------------------------------------


@dataclass
class RoundResult:
    sessions: int
    login_p50_s: float = float("nan")
    login_p95_s: float = float("nan")
    cell_p50_ms: float = float("nan")
    cell_p95_ms: float = float("nan")
    pss_median_mb: float = float("nan")
    pss_total_mb: float = float("nan")
    echo_p50_ms: float = float("nan")
    echo_p95_ms: float = float("nan")
    cpu_percent: float = float("nan")
    cells_correct: bool = False
    leftover: int = 0
    error: str = ""

    @property
    def held(self) -> bool:
        return not self.error and self.echo_p95_ms < HELD_P95_MS


async def run_round(
    n: int,
    port: int,
    server_pid: int,
    key: asyncssh.SSHKey,
    app: str,
    keys: int,
    learners_root: Path,
) -> RoundResult:
    result = RoundResult(n)
    learners: list[Learner] = []
    try:
        logged = await asyncio.gather(*(log_in(port, key, i, app) for i in range(n)))
        learners = [learner for learner, _ in logged]
        logins = [seconds for _, seconds in logged]
        result.login_p50_s, result.login_p95_s = percentile(logins, 50), percentile(logins, 95)

        cells = await asyncio.gather(*(run_cells(learner, app) for learner in learners))
        cell_ms = [t * 1000 for times in cells for t in times]
        result.cell_p50_ms, result.cell_p95_ms = percentile(cell_ms, 50), percentile(cell_ms, 95)
        screens = [strip(bytes(learner.raw)) for learner in learners]
        result.cells_correct = all(e in screen for screen in screens for e in SEED_EXPECTED)

        tokens = await asyncio.to_thread(session_pids, learners_root)
        per_session = [sum(pss_mb(pid) for pid in pids) for pids in tokens.values()]
        result.pss_median_mb = statistics.median(per_session) if per_session else float("nan")
        result.pss_total_mb = sum(per_session) + pss_mb(server_pid)

        pids = [server_pid] + [pid for group in tokens.values() for pid in group]
        cpu_before, wall_before = cpu_seconds(pids), time.perf_counter()
        rngs = [random.Random(1000 + i) for i in range(n)]
        echoes = await asyncio.gather(
            *(type_keys(lr, keys, rng) for lr, rng in zip(learners, rngs, strict=True))
        )
        cpu_after, wall = cpu_seconds(pids), time.perf_counter() - wall_before
        used = sum(cpu_after[p] - cpu_before[p] for p in cpu_after if p in cpu_before)
        result.cpu_percent = 100 * used / wall
        echo_ms = [t * 1000 for times in echoes for t in times]
        result.echo_p50_ms, result.echo_p95_ms = percentile(echo_ms, 50), percentile(echo_ms, 95)
    except (TimeoutError, OSError, asyncssh.Error) as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        for learner in learners:
            learner.conn.close()
        await asyncio.gather(*(lr.conn.wait_closed() for lr in learners), return_exceptions=True)
        for _ in range(300):  # up to 30 s for the server to end every session
            left = await asyncio.to_thread(session_pids, learners_root)
            if not left:
                break
            await asyncio.sleep(0.1)
        result.leftover = sum(len(pids) for pids in left.values())
    return result


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab(lab: Path, key: asyncssh.SSHKey, count: int, app: str, sandbox: str) -> Path:
    public = key.export_public_key().decode().strip()
    roster = "".join(f'[learners.learner{i:03d}]\nkeys = ["{public}"]\n\n' for i in range(count))
    (lab / "roster.toml").write_text(roster)
    (lab / "lab.toml").write_text(
        '[server]\nhost = "127.0.0.1"\n'
        f"max_sessions = {count}\nidle_timeout = 600\n"
        f'[session]\nlanding = "{app}"\nsandbox = "{sandbox}"\n'
    )
    return lab / "lab.toml"


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gradtui",
                "serve",
                "ssh",
                "--config",
                str(config),
                "--port",
                str(port),
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while " listening " not in log.read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"the lab server did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return server


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# -- the report -------------------------------------------------------------------------------


def table(results: list[RoundResult], sandbox: str, app: str) -> str:
    lines = [
        f"SSH lab, app `{app}`, sandbox `{sandbox}`, {os.cpu_count()} CPUs, loopback. "
        "Echo = keystroke to screen; CPU = server + all sessions while typing, % of one core.",
        "",
        "| N | login p50/p95 s | cell p50/p95 ms | PSS per session MB | PSS total MB | "
        "echo p50 ms | echo p95 ms | CPU % | seed cells right | left over | held (p95<200ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(results, key=lambda r: r.sessions):
        if r.error:
            lines.append(f"| {r.sessions} | failed: {r.error} | | | | | | | | {r.leftover} | no |")
            continue
        lines.append(
            f"| {r.sessions} | {r.login_p50_s:.1f} / {r.login_p95_s:.1f} "
            f"| {r.cell_p50_ms:.0f} / {r.cell_p95_ms:.0f} | {r.pss_median_mb:.0f} "
            f"| {r.pss_total_mb:.0f} | {r.echo_p50_ms:.0f} | {r.echo_p95_ms:.0f} "
            f"| {r.cpu_percent:.0f} | {'yes' if r.cells_correct else 'NO'} | {r.leftover} "
            f"| {'yes' if r.held else 'no'} |"
        )
    held = [r.sessions for r in results if r.held]
    failed = [r.sessions for r in results if not r.held]
    if not held:
        verdict = f"none of the sizes tried held (smallest tried: {min(failed)})"
    elif not failed or max(held) > max(failed):
        verdict = f"{max(held)} (the largest tried; it may hold more)"
    else:
        verdict = f"{max(held)} (fails at {min(f for f in failed if f > max(held))})"
    lines += ["", f"Largest N held with p95 echo < {HELD_P95_MS:.0f} ms: **{verdict}**."]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ssh_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,30", help="comma-separated N (default 10,30)")
    parser.add_argument("--app", choices=["workspace", "repl"], default="workspace")
    parser.add_argument("--keys", type=int, default=40, help="keystrokes per session")
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto")
    parser.add_argument("--time-limit", type=float, default=900, help="seconds for everything")
    parser.add_argument("--no-search", action="store_true", help="only the sizes given")
    parser.add_argument("--max-n", type=int, default=60, help="largest N the search tries")
    parser.add_argument("--quick", action="store_true", help="N = 2,5 and 15 keystrokes")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.keys, args.max_n = "2,5", 15, 5
    args.sizes = sorted({int(n) for n in args.sessions.split(",") if n.strip()})
    if not args.sizes or min(args.sizes) < 1 or max([*args.sizes, args.max_n]) > 200:
        parser.error("--sessions and --max-n must be between 1 and 200")
    return args


def next_size(results: list[RoundResult], max_n: int) -> int | None:
    """The next N to try: double past the largest that held (up to ``max_n``), else bisect
    between the largest that held and the smallest larger one that did not."""
    held = [r.sessions for r in results if r.held]
    if not held:
        return None
    tried = {r.sessions for r in results}
    failed = [r.sessions for r in results if not r.held and r.sessions > max(held)]
    if not failed:
        bigger = min(max(held) * 2, max_n)
        return bigger if bigger not in tried else None
    middle = (max(held) + min(failed)) // 2
    return middle if middle not in tried else None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    key = asyncssh.generate_private_key("ssh-ed25519")
    results: list[RoundResult] = []
    sandbox = args.sandbox
    with tempfile.TemporaryDirectory(prefix="gradtui-ssh-bench-") as tmp:
        lab = Path(tmp)
        biggest = max([*args.sizes, args.max_n])
        config = write_lab(lab, key, biggest, args.app, sandbox)
        port = free_port()
        server = start_server(config, port, lab / "server.log")
        sandbox = "bwrap" if "sandbox=bwrap" in (lab / "server.log").read_text() else "none"
        try:
            queue = list(args.sizes)
            extra_rounds = 0 if args.no_search else 2
            while queue:
                n = queue.pop(0)
                if time.monotonic() - started > args.time_limit:
                    print(f"(time limit reached: N = {n} not run)", file=sys.stderr)
                    break
                print(f"running N = {n} ...", file=sys.stderr, flush=True)
                results.append(
                    asyncio.run(
                        run_round(n, port, server.pid, key, args.app, args.keys, lab / "learners")
                    )
                )
                if (
                    not queue
                    and extra_rounds
                    and (size := next_size(results, args.max_n)) is not None
                ):
                    queue.append(size)
                    extra_rounds -= 1
        finally:
            stop_server(server)
            shutil.rmtree(lab / "learners", ignore_errors=True)
    print(table(results, sandbox, args.app))
    failed_rounds = [r for r in results if r.error or not r.cells_correct or r.leftover]
    return 1 if failed_rounds or not results else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
