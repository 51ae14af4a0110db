from __future__ import annotations

import subprocess
import sys


def test_the_lessons_core_loads_no_ui_package() -> None:
    code = (
        "import sys\n"
        "import gradtui.lessons.catalog, gradtui.lessons.cli, gradtui.lessons.selftest\n"
        "import gradtui.lessons.session, gradtui.lessons.prose, gradtui.lessons.textplot\n"
        "ui = sorted(m for m in sys.modules\n"
        "            if m.split('.')[0] in ('textual', 'rich', 'prompt_toolkit', 'pygments'))\n"
        "print(ui)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
