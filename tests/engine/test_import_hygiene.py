"""The engine (and the layers on it) load no UI library, and never a real torch."""

from __future__ import annotations

import subprocess
import sys

UI_MODULES = ("textual", "rich", "prompt_toolkit", "pygments")


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_core_layers_load_no_ui_library() -> None:
    loaded = _loaded_after("import gradtui.engine, gradtui.kernel, gradtui.lessons")
    leaked = {m for m in loaded if m.split(".")[0] in UI_MODULES}
    assert leaked == set()


def test_importing_the_engine_does_not_load_or_shadow_torch() -> None:
    loaded = _loaded_after("import gradtui.engine, gradtui.engine.torchapi")
    assert not any(m == "torch" or m.startswith("torch.") for m in loaded)
