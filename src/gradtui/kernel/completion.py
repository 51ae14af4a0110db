"""Tab completion and help lookup that never run learner code.

Objects are reached only through the namespace, ``inspect.getattr_static`` and literal indexing
of plain lists/tuples/dicts. A property, or any other descriptor, is never called: completing
``y.grad.`` stops at ``grad`` rather than evaluating it (evaluating a property could print, take
time, or add autograd graph nodes — IPython issue #10720). Candidates come from ``dir``.

Kinds: ``name`` (namespace, builtins, Python keywords), ``attribute``, ``keyword`` (a keyword
argument of the call the cursor is in, completed as ``name=``), ``module`` (after ``import``).
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import pkgutil
import re
import sys
import types
from collections import OrderedDict
from typing import Any

from gradtui.kernel.doc_facts import doc_facts, torch_name
from gradtui.kernel.protocol import Completion

# torch.Tensor has about 500 public names (so has gradtui's): all of them, and still a small reply
MAX_COMPLETIONS = 1000

_WORD_BEFORE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_IMPORT_LINE = re.compile(r"^\s*(?:import\s+|from\s+)([\w.]*)$")
_FROM_IMPORT_LINE = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+(?:.*,\s*)?(\w*)$")


class _Unknown(Exception):
    """The object cannot be known without running code."""


# -- static resolution ----------------------------------------------------------------------


_BUILTIN_METHOD_DESCRIPTORS = (
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.ClassMethodDescriptorType,
)


def _instance_dict(obj: Any) -> dict[str, Any]:
    try:
        own = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        return {}
    return own if isinstance(own, dict) else {}


# torch.nn.Module keeps parameters, buffers and submodules in these dicts of the instance and
# finds them in its __getattr__ (``model.fc1``); completion reads the dicts the same way.
_MODULE_STORES = ("_parameters", "_buffers", "_modules")


def _module_stores(obj: Any) -> list[dict[str, Any]]:
    """The registries of a ``torch.nn.Module`` instance (none for anything else)."""
    from gradtui.engine.torchapi.nn.modules.module import Module

    if isinstance(obj, type) or not isinstance(obj, Module):
        return []
    own = _instance_dict(obj)
    return [own[key] for key in _MODULE_STORES if type(own.get(key)) in (dict, OrderedDict)]


def _static_attr(obj: Any, name: str) -> Any:
    """``obj.name`` if that needs no code of the learner's; else raise ``_Unknown``."""
    try:
        value = inspect.getattr_static(obj, name)
    except AttributeError:
        for store in _module_stores(obj):
            if name in store:
                return store[name]
        raise _Unknown(name) from None
    if isinstance(value, staticmethod):
        return value.__func__
    if isinstance(value, classmethod):
        owner = obj if isinstance(obj, type) else type(obj)
        return types.MethodType(value.__func__, owner)
    if isinstance(value, types.FunctionType) and not isinstance(obj, type | types.ModuleType):
        if name not in _instance_dict(obj):
            return types.MethodType(value, obj)  # binding runs nothing; drops `self`
        return value
    if isinstance(value, _BUILTIN_METHOD_DESCRIPTORS) and not isinstance(obj, type):
        return value.__get__(obj, type(obj))  # C-level binding of e.g. list.append
    if isinstance(value, type | types.ModuleType) or inspect.isroutine(value):
        return value
    if isinstance(value, types.MemberDescriptorType) and not isinstance(obj, type):
        # A __slots__ member: reading it runs no Python code.
        try:
            return value.__get__(obj, type(obj))
        except AttributeError:
            raise _Unknown(name) from None
    if hasattr(type(value), "__get__"):
        raise _Unknown(name)  # a property or other descriptor: its value needs its code to run
    return value


def _static_eval(node: ast.expr, namespace: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        if node.id in namespace:
            return namespace[node.id]
        if hasattr(builtins, node.id):
            return getattr(builtins, node.id)
        raise _Unknown(node.id)
    if isinstance(node, ast.Attribute):
        return _static_attr(_static_eval(node.value, namespace), node.attr)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        container = _static_eval(node.value, namespace)
        key = node.slice.value
        if type(container) in (list, tuple, dict):
            try:
                return container[key]
            except (IndexError, KeyError, TypeError):
                raise _Unknown("index") from None
        stores = _module_stores(container)
        if stores and type(container).__name__ in ("Sequential", "ModuleList", "ModuleDict"):
            # model[0] of a torch container: its submodules in registration order (or by key)
            children = stores[-1]
            try:
                if isinstance(key, int) and not isinstance(key, bool):
                    return list(children.values())[key]
                return children[key]
            except (IndexError, KeyError, TypeError):
                raise _Unknown("index") from None
    if isinstance(node, ast.Constant):
        return node.value
    raise _Unknown(type(node).__name__)


def resolve(namespace: dict[str, Any], text: str) -> Any:
    """The object ``text`` names (``x``, ``torch.nn``, ``params[0].grad_fn``), statically."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise _Unknown(text) from None
    return _static_eval(tree.body, namespace)


def _expression_before(text: str) -> str:
    """The dotted/indexed expression that ends ``text`` (``params[0].grad_fn`` ...)."""
    i = len(text)
    depth = 0
    while i > 0:
        ch = text[i - 1]
        if ch == "]":
            depth += 1
        elif ch == "[":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and not (ch.isalnum() or ch in "_."):
            break
        i -= 1
    return text[i:]


# -- candidates -----------------------------------------------------------------------------


def _matches(names: Any, prefix: str) -> list[str]:
    hide_private = not prefix.startswith("_")
    out = {
        n
        for n in names
        if isinstance(n, str) and n.startswith(prefix) and not (hide_private and n.startswith("_"))
    }
    return sorted(out, key=lambda n: (n.lower(), n))


def _attribute_names(obj: Any) -> list[str]:
    """What ``dir(obj)`` would list, read from ``__dict__``s only.

    ``dir()`` itself can run learner code: ``object.__dir__`` reads ``obj.__dict__`` through
    normal attribute access, which falls back to a class's ``__getattr__``.
    """
    names: set[str] = {k for k in _instance_dict(obj) if isinstance(k, str)}
    for store in _module_stores(obj):  # as Module.__dir__: not Sequential's "0", "1", ...
        names.update(k for k in store if isinstance(k, str) and not k[:1].isdigit())
    cls = obj if isinstance(obj, type) else type(obj)
    for klass in type.__getattribute__(cls, "__mro__"):
        names.update(type.__getattribute__(klass, "__dict__"))
    if isinstance(obj, type):
        # class attributes of the metaclass (e.g. __name__, mro) are reachable too
        names.update(type.__getattribute__(type(obj), "__dict__"))
    return list(names)


_module_names_cache: list[str] | None = None


def _module_names() -> list[str]:
    global _module_names_cache
    if _module_names_cache is None:
        names = {m.name for m in pkgutil.iter_modules()} | set(sys.builtin_module_names)
        names.add("torch")  # the engine's shim serves it without a file on sys.path
        _module_names_cache = sorted(names)
    top_level = {name.split(".")[0] for name in sys.modules}
    return sorted(set(_module_names_cache) | top_level)


def _submodule_names(package: str) -> list[str]:
    module = sys.modules.get(package)
    names: set[str] = set()
    if module is not None:
        path = getattr(module, "__path__", None)
        if path is not None:
            names |= {m.name for m in pkgutil.iter_modules(path)}
    prefix = package + "."
    names |= {n[len(prefix):].split(".")[0] for n in sys.modules if n.startswith(prefix)}
    return sorted(names)


def _open_call(text: str) -> str | None:
    """The callee text of the innermost call the cursor is inside, if any."""
    depth = 0
    in_string: str | None = None
    stack: list[int] = []
    for i, ch in enumerate(text):
        if in_string:
            if ch == in_string:
                in_string = None
            continue
        if ch in "'\"":
            in_string = ch
        elif ch in "([{":
            stack.append(i if ch == "(" else -1)
            depth += 1
        elif ch in ")]}" and stack:
            stack.pop()
    if not stack or stack[-1] < 0:
        return None
    callee = _expression_before(text[: stack[-1]].rstrip())
    return callee or None


def _keyword_arguments(namespace: dict[str, Any], callee: str) -> list[str]:
    try:
        target = resolve(namespace, callee)
        signature = inspect.signature(target)
    except (_Unknown, TypeError, ValueError):
        return []
    return [
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _in_string_or_comment(line: str) -> bool:
    quote: str | None = None
    for ch in line:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return True
    return quote is not None


def complete(namespace: dict[str, Any], source: str, cursor: int) -> list[Completion]:
    """Candidates for the word that ends at ``cursor`` in ``source``."""
    before = source[:cursor]
    line = before.rsplit("\n", 1)[-1]
    if _in_string_or_comment(line):
        return []
    word_match = _WORD_BEFORE.search(line)
    word = word_match.group(0) if word_match else ""
    start = cursor - len(word)
    head = line[: len(line) - len(word)]

    if m := _FROM_IMPORT_LINE.match(line):
        module = sys.modules.get(m.group(1))
        names = _attribute_names(module) if module is not None else []
        names += _submodule_names(m.group(1))
        return _as(_matches(names, word), "name", start)
    if m := _IMPORT_LINE.match(line):
        dotted = m.group(1)
        if "." in dotted:
            package, _, word = dotted.rpartition(".")
            start = cursor - len(word)
            return _as(_matches(_submodule_names(package), word), "module", start)
        return _as(_matches(_module_names(), word), "module", start)

    if head.endswith("."):
        expression = _expression_before(head[:-1])
        if not expression:
            return []
        try:
            obj = resolve(namespace, expression)
        except _Unknown:
            return []
        return _as(_matches(_attribute_names(obj), word), "attribute", start)

    out: list[Completion] = []
    callee = _open_call(before)
    # Right after "(" or ", " the keyword arguments are the useful list, even with no prefix.
    if callee is not None and (word or head.rstrip().endswith(("(", ","))):
        kwargs = _matches(_keyword_arguments(namespace, callee), word)
        out += [Completion(text=f"{k}=", kind="keyword", start=start) for k in kwargs]
    if word:
        names = [*namespace, *dir(builtins), *keyword.kwlist]
        out += _as(_matches(names, word), "name", start)
    return out[:MAX_COMPLETIONS]


def _as(names: list[str], kind: Any, start: int) -> list[Completion]:
    return [Completion(text=n, kind=kind, start=start) for n in names[:MAX_COMPLETIONS]]


# -- help -----------------------------------------------------------------------------------


def inspect_name(namespace: dict[str, Any], name: str) -> str | None:
    """``name(signature)`` and the docstring of what ``name`` refers to, or None if unknown."""
    text = name.strip()
    try:
        obj = resolve(namespace, text)
    except _Unknown:
        obj = _descriptor_of(namespace, text)
        if obj is None:
            return None
    lines: list[str] = []
    if callable(obj):
        try:
            lines.append(f"{text}{_readable_signature(inspect.signature(obj))}")
        except (TypeError, ValueError):
            lines.append(text)
    else:
        lines.append(f"{text}: {type(obj).__name__}")
    doc = inspect.getdoc(obj) if not _is_plain_value(obj) else None
    if doc:
        lines += ["", doc]
    torch_spelling = torch_name(namespace, text)
    if torch_spelling is not None:
        facts = doc_facts(torch_spelling, obj)
        if facts and not doc:
            lines += ["", f"(gradtui's engine has no docstring for {text})"]
        for fact in facts:
            lines += ["", fact]
    return "\n".join(lines)


def _readable_signature(signature: inspect.Signature) -> inspect.Signature:
    """Drop unevaluated string annotations (``'Any'`` from gradtui's own modules): noise for
    a learner. Real annotations, as a learner's cell writes them, stay."""
    empty = inspect.Parameter.empty
    params = [
        p.replace(annotation=empty) if isinstance(p.annotation, str) else p
        for p in signature.parameters.values()
    ]
    ret = signature.return_annotation
    return signature.replace(
        parameters=params, return_annotation=empty if isinstance(ret, str) else ret
    )


def _descriptor_of(namespace: dict[str, Any], text: str) -> Any:
    """For ``x.grad``: the property object itself, whose docstring explains it (never run)."""
    owner_text, dot, attr = text.rpartition(".")
    if not dot:
        return None
    try:
        owner = resolve(namespace, owner_text)
        return inspect.getattr_static(owner, attr)
    except (_Unknown, AttributeError):
        return None


def _is_plain_value(obj: Any) -> bool:
    return isinstance(obj, int | float | complex | str | bytes | list | tuple | dict | set)
