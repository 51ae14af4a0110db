"""docs/labs.md's ``lab.toml`` table says what the code does: every key it lists exists, every key
the lab reads is listed, and each default it gives is the default (a ``lab.toml`` that sets a key
to its documented default loads exactly like an empty one)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from gradtui.serve.config import _SCHEMA, APP_MEMORY_MB, LabConfig, load_lab_config

LABS_MD = Path(__file__).resolve().parents[2] / "docs" / "labs.md"
ROW = re.compile(r"^\| `\[(\w+)\] (\w+)` \| (.+?) \| .+ \|$", re.MULTILINE)


def _documented() -> dict[tuple[str, str], str]:
    return {(table, key): default for table, key, default in ROW.findall(LABS_MD.read_text())}


def test_the_table_lists_every_key_the_lab_reads_and_no_other() -> None:
    documented = set(_documented())
    read = {(table, key) for table, keys in _SCHEMA.items() for key in keys}
    assert documented - read == set(), "documented, but lab.toml has no such key"
    assert read - documented == set(), "read from lab.toml, but not in docs/labs.md"


def test_every_documented_default_is_the_default(tmp_path: Path) -> None:
    empty = tmp_path / "lab.toml"
    empty.write_text("")
    defaults = load_lab_config(empty)
    checked = 0
    for (table, key), text in _documented().items():
        if not (text.startswith("`") and text.endswith("`")):
            continue  # worked out from others (memory_mb), checked below
        value = tomllib.loads(f"v = {text.strip('`')}")["v"]
        one = tmp_path / f"{table}-{key}.toml"
        one.write_text(f"[{table}]\n{key} = {text.strip('`')}\n")
        assert load_lab_config(one) == defaults, f"[{table}] {key}: the default is not {value!r}"
        checked += 1
    assert checked >= 25


def test_the_session_memory_default_is_the_kernels_plus_the_apps() -> None:
    assert _documented()[("session", "memory_mb")] == f"kernel + `{APP_MEMORY_MB}`"
    config = LabConfig(base_dir=Path("."))
    assert config.session_memory_mb == config.kernel_memory_mb + config.app_memory_mb
