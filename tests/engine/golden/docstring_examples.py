"""The examples in torch 2.13's own docstrings, for the parts of torch gradtui covers.

``extract()`` reads them from the installed torch (the oracle): the ``>>>`` statements of every
docstring of ``torch.*`` functions and classes, ``torch.Tensor`` methods, ``torch.autograd``
(with ``autograd.functional`` and ``autograd.Function``), ``torch.nn`` (modules and their
methods, ``functional``, ``init``, the losses), ``torch.optim`` (with ``lr_scheduler``) and
``torch.utils.data``. One docstring is one example, its statements run in order in one
namespace (``docstring_runner``). A docstring reached under two names (aliases) counts once,
under the first name found.

``EXCLUDED`` lists the examples whose output legitimately varies or that cannot run anywhere,
with the reason; ``generate_docstrings.py`` adds the ones it finds varying between two torch
runs.
"""

from __future__ import annotations

import doctest
import inspect
import re
from collections.abc import Iterator
from typing import Any

# The modules (and the id prefix their examples get), in the order they are walked.
MODULES = (
    ("torch", "torch"),
    ("torch.Tensor", "Tensor"),
    ("torch.autograd", "autograd"),
    ("torch.autograd.functional", "autograd.functional"),
    ("torch.autograd.function", "autograd.function"),
    ("torch.autograd.grad_mode", "autograd.grad_mode"),
    ("torch.nn", "nn"),
    ("torch.nn.functional", "nn.functional"),
    ("torch.nn.init", "nn.init"),
    ("torch.nn.utils", "nn.utils"),
    ("torch.optim", "optim"),
    ("torch.optim.lr_scheduler", "optim.lr_scheduler"),
    ("torch.utils.data", "utils.data"),
)

_PARSER = doctest.DocTestParser()
# "# xdoctest: +SKIP" & co: directives torch's doctest runner reads (the example still runs here)
_DIRECTIVE = re.compile(r"#\s*x?doctest:.*$", re.MULTILINE)


def extract(torch: Any) -> list[tuple[str, list[str]]]:
    """``(id, statements)`` for every docstring with ``>>>`` examples, deduplicated."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for module_name, prefix in MODULES:
        for name, doc in _docstrings(torch, module_name):
            statements = statements_of(doc)
            key = tuple(statements)
            if not statements or key in seen:
                continue
            seen.add(key)
            out.append((f"{prefix}.{name}" if name else prefix, statements))
    return out


def statements_of(doc: str) -> list[str]:
    """The ``>>>`` statements of a docstring (continuation lines joined), without directives."""
    try:
        examples = _PARSER.get_examples(doc)
    except ValueError:  # a malformed example (bad indentation): doctest itself refuses it
        return []
    return [_DIRECTIVE.sub("", e.source).rstrip() + "\n" for e in examples
            if e.source.strip()]


def _resolve(torch: Any, dotted: str) -> Any:
    obj = torch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _docstrings(torch: Any, module_name: str) -> Iterator[tuple[str, str]]:
    """``(name, docstring)`` of the module itself, its public callables and classes, and the
    public methods of those classes (``Linear.forward``)."""
    container = _resolve(torch, module_name)
    if isinstance(container, type):  # torch.Tensor: its methods (inherited from C ones too)
        yield from _members(container, "", inherited=True)
        return
    doc = inspect.getdoc(container)
    if doc and module_name != "torch":
        yield "", doc
    names = getattr(container, "__all__", None) or dir(container)
    for name in sorted(set(names)):
        if name.startswith("_"):
            continue
        obj = getattr(container, name, None)
        if obj is None or inspect.ismodule(obj):
            continue
        if not (callable(obj) or isinstance(obj, type)):
            continue
        if module_name == "torch" and isinstance(obj, type) and _is_dtype_like(obj):
            continue
        doc = obj.__doc__ if isinstance(obj.__doc__, str) else None
        if doc:
            yield name, doc
        if isinstance(obj, type) and module_name != "torch":
            yield from _members(obj, name + ".")


def _members(cls: type, prefix: str, inherited: bool = False) -> Iterator[tuple[str, str]]:
    """A class's own methods (with ``inherited``, also those of its bases)."""
    members = ({name: inspect.getattr_static(cls, name) for name in dir(cls)} if inherited
               else vars(cls))
    for name, member in sorted(members.items()):
        if name.startswith("_") and name not in ("__init__", "__call__"):
            continue
        doc = getattr(member, "__doc__", None)
        if isinstance(member, staticmethod | classmethod):
            doc = member.__func__.__doc__
        if isinstance(doc, str) and ">>>" in doc:
            yield prefix + name, doc


def _is_dtype_like(obj: type) -> bool:
    return obj.__module__.startswith("torch._C") and obj.__name__.endswith("Tensor")


# Examples whose output varies between runs or machines, or that reach outside the process:
# not comparable, so not in the corpus. id -> reason.
EXCLUDED: dict[str, str] = {}
