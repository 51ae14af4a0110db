"""The golden case corpus: every ``cases_*.py`` module beside this file, gathered in order.

A case module defines ``TOPIC`` (a short name) and ``CASES``, a list of ``(name, snippet)``
pairs; the case id is ``TOPIC.name``. A snippet is a few lines of learner code that *prints*
what it checks (``print(y)``, ``print(y.grad_fn.name())``, ``print(x.grad)``) and never depends
on memory addresses or on random values it did not seed (``torch.manual_seed`` or a
``torch.Generator`` first: the engine draws torch's numbers), so real torch and our engine must
print the same bytes.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent
FIXTURE_PATH = GOLDEN_DIR / "fixtures.json"


@dataclass(frozen=True)
class Case:
    id: str
    topic: str
    snippet: str


def load_cases() -> list[Case]:
    """All cases of every case module, in file then list order; ids are unique."""
    cases: list[Case] = []
    for path in sorted(GOLDEN_DIR.glob("cases_*.py")):
        module = _load_module(path)
        topic: str = module.TOPIC
        for name, snippet in module.CASES:
            cases.append(Case(f"{topic}.{name}", topic, textwrap.dedent(snippet).strip() + "\n"))
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate golden case ids: {duplicates}")
    return cases


def _load_module(path: Path):
    # Loaded by file path: tests/ is not a package, and a bare `import cases_x` could collide.
    spec = importlib.util.spec_from_file_location(f"_gradtui_golden_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
