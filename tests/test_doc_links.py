"""Links from the docs to lines of code stay true: ``[`def apply`](../src/.../dispatch.py#L37)``
must point at an existing file and line, and when the link's text is code, that line holds it.
(Code moves; this test says which link to update.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE_LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)#L(\d+)(?:-L(\d+))?\)")


def _line_links() -> list[tuple[Path, str, Path, int]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for text, target, first, _last in LINE_LINK.findall(doc.read_text()):
            found.append((doc, text, (doc.parent / target).resolve(), int(first)))
    return found


def test_the_docs_link_to_lines_of_code() -> None:
    assert any(doc.name == "how-autograd-works.md" for doc, *_ in _line_links())


def test_every_line_link_points_at_the_code_it_names() -> None:
    wrong = []
    for doc, text, path, line in _line_links():
        where = f"{doc.name}: [{text}]({path.relative_to(ROOT)}#L{line})"
        if not path.is_file():
            wrong.append(f"{where}: no such file")
            continue
        lines = path.read_text().splitlines()
        if not 1 <= line <= len(lines):
            wrong.append(f"{where}: the file has {len(lines)} lines")
            continue
        code = text.strip("`") if text.startswith("`") and text.endswith("`") else None
        if code is not None and code not in lines[line - 1]:
            wrong.append(f"{where}: line {line} is {lines[line - 1].strip()!r}")
    assert wrong == []


# What gradtui itself tells users to read: a file of the docs that exists (the README is short and
# links onward; "see the README" sent teachers to a page without the detail).
DOC_NAMED = re.compile(r"\b(README(?:\.md)?|docs/[\w-]+\.md|SECURITY\.md)\b")


def _strings_naming_docs() -> list[tuple[Path, int, str]]:
    import ast

    found = []
    for path in sorted((ROOT / "src" / "gradtui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                    | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings):
                found += [(path, node.lineno, name) for name in DOC_NAMED.findall(node.value)]
    return found


def test_messages_point_at_docs_that_exist_never_at_the_readme() -> None:
    named = _strings_naming_docs()
    assert any(name == "docs/labs.md" for _, _, name in named)  # the lab's messages do
    wrong = [f"{path.relative_to(ROOT)}:{line}: {name}" for path, line, name in named
             if name.startswith("README") or not (ROOT / name).is_file()]
    assert wrong == []
