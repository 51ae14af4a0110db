"""No import cycles inside ``gradtui.engine``: every module's module-level imports (what runs
when it is imported; ``if TYPE_CHECKING:`` blocks excluded, since they never run) point one way,
so the Tensor layer sits on the autograd core and never the reverse.

Read from the source with ``ast``, not by importing: a cycle that happens to import fine today
(because of the order modules are first imported in) is still a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import gradtui.engine

ENGINE = Path(gradtui.engine.__file__).parent
PACKAGE = "gradtui.engine"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: at its top level, also inside top-level
    if/try/with blocks (not in functions or classes, not under ``if TYPE_CHECKING:``)."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                stack.extend(node.body)
            stack.extend(node.orelse)
        elif isinstance(node, ast.Try):
            stack.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                stack.extend(handler.body)
        elif isinstance(node, ast.With):
            stack.extend(node.body)
    return found


def _graph() -> dict[str, set[str]]:
    """Engine module -> the engine modules it imports at module level."""
    paths = {_module_name(p): p for p in ENGINE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:  # a relative import
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in paths else base)  # a submodule, or a name in base
        edges[name] = {t for t in targets if t in paths and t != name}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_engine_has_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_autograd_core_imports_nothing_of_the_tensor_layer() -> None:
    # the core records and walks graphs; the Tensor class and its functions are built on it
    tensor_layer = {f"{PACKAGE}.{name}" for name in (
        "tensor", "functional", "creation", "indexing", "higher_order", "autograd_api",
        "stepper", "custom_function", "variable", "torchapi")}
    edges = _graph()
    for core in ("autograd", "walk", "op_schema", "ops", "formulas", "dispatch", "tensor_base",
                 "kernels"):
        reached = _reachable(edges, f"{PACKAGE}.{core}")
        assert not reached & tensor_layer, (core, sorted(reached & tensor_layer))


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_type_checking_imports_do_not_count() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\n"
                     "import y\ntry:\n    import z\nexcept ImportError:\n    import w\n"
                     "def f():\n    import v\n")
    names = {a.name for node in _module_level_imports(tree)
             for a in node.names if isinstance(node, ast.Import)}
    assert names == {"y", "z", "w"}


# Imports inside functions hide a dependency from the module's header (and from the test above).
# The one kept: the CLI loads the script runner (and with it the torch shim) only for `gradtui
# run`, so other commands start without it.
LAZY_IMPORTS_ALLOWED = {("gradtui.engine.commands", "run_script_command")}


def test_no_engine_module_imports_the_engine_inside_a_function() -> None:
    found = set()
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "gradtui") or isinstance(node, ast.Import) and any(
                        a.name.startswith("gradtui") for a in node.names):
                    found.add((_module_name(path), fn.name))
    assert found == LAZY_IMPORTS_ALLOWED
