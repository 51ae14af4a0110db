"""Regenerate the golden fixtures from REAL torch 2.13 (the oracle).

Run from the repository root with a venv that has ``torch==2.13.0`` installed::

    .venv/bin/python tests/engine/golden/generate.py          # all cases
    .venv/bin/python tests/engine/golden/generate.py --check  # only report drift, write nothing

It runs every corpus snippet (``cases_*.py``) under real torch in one process, each in a fresh
namespace, and writes ``fixtures.json`` (plus ``seed_notebook.json`` for the seed notebook run
as a script and cell by cell). The fixtures are committed; ``test_golden.py`` compares gradtui's
engine to them byte for byte, so CI does not need torch for that comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (loaded beside this script on purpose)
import runner  # noqa: E402
import seed  # noqa: E402

EXPECTED_TORCH = "2.13.0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)

    import torch

    version = torch.__version__.split("+")[0]
    if version != EXPECTED_TORCH:
        print(f"refusing: torch {torch.__version__} is not the oracle {EXPECTED_TORCH}")
        return 2
    torch.set_num_threads(1)

    records = []
    for case in corpus.load_cases():
        record = runner.run_snippet(case.snippet)
        records.append({"id": case.id, "topic": case.topic, "snippet": case.snippet, **record})
    # the Python whose own reprs (an OrderedDict's) the records hold: python_reprs.py adapts them
    python = "{}.{}".format(*sys.version_info)
    fixtures = {"torch_version": torch.__version__, "python_version": python, "cases": records}
    seed_fixture = seed.record_with_real_python()

    outputs = {
        corpus.FIXTURE_PATH: fixtures,
        seed.SEED_FIXTURE_PATH: seed_fixture,
    }
    drift = 0
    for path, data in outputs.items():
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != text:
            drift += 1
            print(f"{'differs' if args.check else 'writing'}: {path.name}")
            if not args.check:
                path.write_text(text, encoding="utf-8")
    errors = sum(1 for r in records if r["error"])
    print(f"{len(records)} cases ({errors} raise), seed notebook recorded; {drift} file(s) changed")
    return 1 if (args.check and drift) else 0


if __name__ == "__main__":
    raise SystemExit(main())
