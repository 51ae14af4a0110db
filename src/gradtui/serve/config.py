"""The lab configuration (``lab.toml``): where to listen, who may log in, what learners get.

Every relative path in the file is relative to the file's own directory, so a teacher can keep a
whole lab (config, roster, host key, learners' directories) in one folder and start the server
from anywhere. Unknown keys are errors: a misspelt ``max_sesions`` must not silently mean "no
limit".
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradtui.kernel.limits import default_memory_limit_mb, limit_problem
from gradtui.serve.auth_guard import parse_networks

DEFAULT_CONFIG_NAME = "lab.toml"
SANDBOX_MODES = ("auto", "bwrap", "none")
# How a session's processes are limited together (see serve/session_limits.py).
LIMIT_MECHANISMS = ("auto", "cgroup", "systemd", "rlimits")
# Room for the app itself (about 65 MB resident, 600 MB of address space) beside the kernel.
APP_MEMORY_MB = 512


class LabConfigError(ValueError):
    """The lab configuration cannot be used; the message says which file and key."""


@dataclass(frozen=True)
class LabConfig:
    """A validated lab configuration with absolute paths."""

    base_dir: Path
    host: str = "127.0.0.1"
    port: int = 2222
    web_port: int = 8000
    host_key: Path = Path("ssh_host_ed25519_key")
    max_sessions: int = 30
    max_sessions_per_learner: int = 3
    idle_timeout_s: float = 1800.0
    roster: Path = Path("roster.toml")
    learners_root: Path = Path("learners")
    open_mode: bool = False
    web_user_header: str = ""
    web_public_url: str = ""
    # What the proxy sends as X-Gradtui-Proxy-Secret (serve/web_auth.py); made on first start.
    web_proxy_secret_file: Path = Path("web_proxy_secret")
    # Before login (see serve/auth_guard.py): OpenSSH's MaxStartups, LoginGraceTime, MaxAuthTries.
    max_startups: int = 200
    max_startups_per_source: int = 100
    login_grace_time_s: float = 60.0
    max_auth_tries: int = 6
    auth_penalty_exempt: tuple[Any, ...] = ()  # ipaddress networks never backed off
    landing: tuple[str, ...] = ("lesson", "1")
    command: tuple[str, ...] = ()
    sandbox: str = "auto"
    kernel_memory_mb: int = 1024
    app_memory_mb: int = APP_MEMORY_MB  # the app's own data limit (gradtui/app_memory.py)
    kernel_cpu_s: int = 600
    lesson_dirs: tuple[Path, ...] = field(default_factory=tuple)
    # Limits of a whole session (the app, its kernel and all they start), 0 = none.
    session_memory_mb: int = 1024 + APP_MEMORY_MB
    session_cpus: float = 1.0
    session_processes: int = 64
    tmp_mb: int = 64
    limits: str = "auto"


# key in the TOML table -> (LabConfig field, expected type)
_SCHEMA: dict[str, dict[str, tuple[str, type | tuple[type, ...]]]] = {
    "server": {
        "host": ("host", str),
        "port": ("port", int),
        "web_port": ("web_port", int),
        "host_key": ("host_key", str),
        "max_sessions": ("max_sessions", int),
        "max_sessions_per_learner": ("max_sessions_per_learner", int),
        "idle_timeout": ("idle_timeout_s", (int, float)),
        "web_user_header": ("web_user_header", str),
        "web_public_url": ("web_public_url", str),
        "web_proxy_secret_file": ("web_proxy_secret_file", str),
        "max_startups": ("max_startups", int),
        "max_startups_per_source": ("max_startups_per_source", int),
        "login_grace_time": ("login_grace_time_s", (int, float)),
        "max_auth_tries": ("max_auth_tries", int),
        "auth_penalty_exempt": ("auth_penalty_exempt", list),
    },
    "learners": {
        "roster": ("roster", str),
        "root": ("learners_root", str),
        "open": ("open_mode", bool),
    },
    "session": {
        "landing": ("landing", str),
        "command": ("command", list),
        "sandbox": ("sandbox", str),
        "kernel_memory_mb": ("kernel_memory_mb", int),
        "app_memory_mb": ("app_memory_mb", int),
        "kernel_cpu_s": ("kernel_cpu_s", int),
        "lessons": ("lesson_dirs", list),
        "memory_mb": ("session_memory_mb", int),
        "cpus": ("session_cpus", (int, float)),
        "max_processes": ("session_processes", int),
        "tmp_mb": ("tmp_mb", int),
        "limits": ("limits", str),
    },
}

_PATH_FIELDS = ("host_key", "roster", "learners_root", "web_proxy_secret_file")


def default_config_path() -> Path:
    """``./lab.toml``: used when ``--config`` is not given."""
    return Path.cwd() / DEFAULT_CONFIG_NAME


def parse_landing(text: str) -> tuple[str, ...]:
    """``"lesson 1"`` -> ``("lesson", "1")``; ``"workspace"`` -> ``()`` (gradtui's default)."""
    words = tuple(shlex.split(text))
    return () if words in ((), ("workspace",)) else words


def load_lab_config(path: Path | None) -> LabConfig:
    """Read and validate ``path`` (or ``./lab.toml`` if it exists, else the defaults).

    Raises ``LabConfigError`` naming the file and key for every problem it finds.
    """
    if path is None:
        candidate = default_config_path()
        if not candidate.exists():
            return _absolutise(LabConfig(base_dir=Path.cwd()), {})
        path = candidate
    path = Path(path).expanduser().resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabConfigError(f"{path}: no such lab configuration file") from None
    except tomllib.TOMLDecodeError as error:
        raise LabConfigError(f"{path}: not valid TOML: {error}") from None
    values = _collect(path, raw)
    return _absolutise(LabConfig(base_dir=path.parent), values)


def _collect(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for table_name, table in raw.items():
        schema = _SCHEMA.get(table_name)
        if schema is None or not isinstance(table, dict):
            known = ", ".join(f"[{name}]" for name in _SCHEMA)
            raise LabConfigError(f"{path}: unknown table [{table_name}] (known: {known})")
        for key, value in table.items():
            if key not in schema:
                known = ", ".join(schema)
                raise LabConfigError(f"{path}: [{table_name}] unknown key {key!r} (known: {known})")
            field_name, expected = schema[key]
            # bool is an int in Python; a port of `true` is still a mistake.
            wrong_bool = isinstance(value, bool) and expected is not bool
            if wrong_bool or not isinstance(value, expected):
                raise LabConfigError(
                    f"{path}: [{table_name}] {key} = {value!r} has the wrong type "
                    f"(expected {_type_name(expected)})"
                )
            values[field_name] = value
    _check_values(path, values)
    return values


def _type_name(expected: type | tuple[type, ...]) -> str:
    if isinstance(expected, tuple):
        return " or ".join(t.__name__ for t in expected)
    return {"str": "a string", "int": "an integer", "bool": "true or false", "list": "a list"}.get(
        expected.__name__, expected.__name__
    )


def _check_values(path: Path, values: dict[str, Any]) -> None:
    def bad(message: str) -> LabConfigError:
        return LabConfigError(f"{path}: {message}")

    for name in ("port", "web_port"):
        if name in values and not 0 <= values[name] <= 65535:
            raise bad(f"{name} must be between 0 and 65535, not {values[name]}")
    for name in (
        "max_sessions", "max_sessions_per_learner", "max_startups", "max_startups_per_source",
        "max_auth_tries",
    ):
        if values.get(name, 1) < 1:
            raise bad(f"{name} must be at least 1")
    if values.get("login_grace_time_s", 1) <= 0:
        raise bad("login_grace_time must be a positive number of seconds")
    if "auth_penalty_exempt" in values:
        items = values["auth_penalty_exempt"]
        if not all(isinstance(item, str) for item in items):
            raise bad("auth_penalty_exempt must be a list of addresses or networks")
        try:
            values["auth_penalty_exempt"] = parse_networks(items)
        except ValueError as error:
            raise bad(f"auth_penalty_exempt: {error}") from None
    if values.get("idle_timeout_s", 0) < 0:
        raise bad("idle_timeout must be 0 (never) or a number of seconds")
    for name in ("kernel_memory_mb", "kernel_cpu_s", "app_memory_mb"):
        if values.get(name, 0) < 0:
            raise bad(f"{name} must be 0 (no limit) or positive")
    if (problem := limit_problem(values.get("kernel_memory_mb"), None)) is not None:
        raise bad(f"[session] kernel_memory_mb: {problem}")
    session_keys = {"session_memory_mb": "memory_mb", "session_cpus": "cpus"}
    session_keys["session_processes"] = "max_processes"
    for name, key in session_keys.items():
        if values.get(name, 0) < 0:
            raise bad(f"[session] {key} must be 0 (no limit) or positive")
    if values.get("session_processes", 16) in range(1, 16):
        raise bad(
            "[session] max_processes must be 0 (no limit) or at least 16 "
            "(gradtui's app and kernel alone use about 12)"
        )
    if not 1 <= values.get("tmp_mb", 1) <= 1024 * 1024:
        raise bad("[session] tmp_mb must be at least 1 (MiB)")
    kernel = values.get("kernel_memory_mb", LabConfig.kernel_memory_mb)
    memory = values.get("session_memory_mb", 0)
    if memory and kernel and memory < kernel + 128:
        raise bad(
            f"[session] memory_mb = {memory} leaves no room for the app beside a kernel of "
            f"kernel_memory_mb = {kernel}: give at least {kernel + 128} (or 0 for no limit)"
        )
    if values.get("limits", "auto") not in LIMIT_MECHANISMS:
        raise bad(
            f"[session] limits must be one of {', '.join(LIMIT_MECHANISMS)}, "
            f"not {values['limits']!r}"
        )
    if values.get("sandbox", "auto") not in SANDBOX_MODES:
        raise bad(f"sandbox must be one of {', '.join(SANDBOX_MODES)}, not {values['sandbox']!r}")
    for name in ("command", "lesson_dirs"):
        items = values.get(name, [])
        if not all(isinstance(item, str) and item for item in items):
            raise bad(f"{name} must be a list of non-empty strings")


def _absolutise(config: LabConfig, values: dict[str, Any]) -> LabConfig:
    base = config.base_dir
    updates: dict[str, Any] = dict(values)
    for name in _PATH_FIELDS:
        updates[name] = _resolve(base, Path(values.get(name, getattr(config, name))))
    if "session_memory_mb" not in values and ({"kernel_memory_mb", "app_memory_mb"} & set(values)):
        # Follow the kernel's limit: the app's room on top of whatever the kernel may take.
        kernel = values.get("kernel_memory_mb", config.kernel_memory_mb)
        kernel = kernel or default_memory_limit_mb()
        updates["session_memory_mb"] = kernel + (values.get("app_memory_mb") or APP_MEMORY_MB)
    if "session_cpus" in values:
        updates["session_cpus"] = float(values["session_cpus"])
    if "landing" in values:
        updates["landing"] = parse_landing(values["landing"])
    if "command" in values:
        updates["command"] = tuple(values["command"])
    updates["lesson_dirs"] = tuple(_resolve(base, Path(p)) for p in values.get("lesson_dirs", ()))
    return LabConfig(**{**config.__dict__, **updates})


def _resolve(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def with_overrides(config: LabConfig, **overrides: Any) -> LabConfig:
    """A copy with command-line overrides applied (``None`` means "not given")."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return LabConfig(**{**config.__dict__, **given})


def check_landing(config: LabConfig) -> None:
    """Raise ``LabConfigError`` when learners would land in a lesson that does not exist.

    Checked when a server starts: otherwise every learner of a lab with ``landing =
    "lesson 99"`` (or a lesson folder that moved) is greeted by an error and disconnected.
    """
    if config.command or len(config.landing) < 2 or config.landing[0] != "lesson":
        return
    from gradtui.lessons.catalog import load_catalog  # the lessons area; only needed here

    catalog = load_catalog([str(d) for d in config.lesson_dirs])
    if catalog.find(config.landing[1]) is None:
        known = ", ".join(f"{n} ({lesson.id})" for n, lesson in enumerate(catalog.lessons, 1))
        problems = "".join(f"; {problem}" for problem in catalog.problems)
        raise LabConfigError(
            f"[session] landing {' '.join(config.landing)!r}: there is no lesson "
            f"{config.landing[1]!r} (lessons: {known}){problems}"
        )
