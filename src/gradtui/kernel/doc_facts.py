"""What ``:doc`` adds for a name of torch's: the op-table row it records for autograd, and
where PyTorch documents it.

gradtui's engine writes docstrings for some of torch's API only (``torch.sum`` has none), so
``:doc torch.sum`` gave just the signature. IPython's ``?`` on real torch shows torch's long
docstring; gradtui never imports torch, so it says what it knows instead: the grad_fn the op
records and its rules, from the op table itself (``:source`` shows their code), and the page
of PyTorch's documentation for the name.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

DOCS_URL = "https://docs.pytorch.org/docs/stable/generated/{name}.html"
# The namespaces whose functions are ops of the table (``torch.sum``, ``x.sum``, ``F.relu``).
OP_NAMESPACES = ("torch", "torch.Tensor", "torch.nn.functional")


def torch_name(namespace: dict[str, Any], text: str) -> str | None:
    """``text`` as torch spells it (``F.relu`` -> ``torch.nn.functional.relu``, ``x.sum`` ->
    ``torch.Tensor.sum``), or None when it is not a name of torch's. Read statically: only
    the first part is looked up in the namespace."""
    first, dot, rest = text.strip().partition(".")
    root = namespace.get(first) if first.isidentifier() else None
    if isinstance(root, ModuleType):
        module = getattr(root, "__name__", "")
        if not isinstance(module, str) or not (module == "torch" or module.startswith("torch.")):
            return None
        prefix = module
    elif _is_torch_tensor_class(type(root)) or _is_torch_tensor_class(root):
        prefix = "torch.Tensor"
    else:
        return None
    return f"{prefix}{dot}{rest}" if rest else prefix


def _is_torch_tensor_class(cls: Any) -> bool:
    return isinstance(cls, type) and any(
        getattr(k, "__module__", None) == "torch" and getattr(k, "__qualname__", None) == "Tensor"
        for k in inspect.getmro(cls))


def doc_facts(name: str, obj: Any) -> list[str]:
    """Paragraphs to put after the docstring of ``name`` (torch's spelling of it)."""
    facts = []
    owner, _, short = name.rpartition(".")
    if owner in OP_NAMESPACES and callable(obj):
        facts += _op_facts(short)
    if callable(obj) and not isinstance(obj, ModuleType) and name != "torch.Tensor":
        # the address on a line of its own: a terminal must not break it in two
        facts.append(f"PyTorch's documentation:\n{DOCS_URL.format(name=name)}")
    return facts


def _op_facts(short: str) -> list[str]:
    from gradtui.engine.op_schema import OPS

    op = OPS.get(short)
    if op is None or not op.rules:
        return []
    rules = "\n".join(f"    {source}: {rule}" for source, rule in zip(op.inputs, op.rules,
                                                                      strict=False))
    return [f"For autograd, the op table's row {op.name!r} records {op.grad_fn}, whose "
            f"gradient rule{'s are' if len(op.rules) > 1 else ' is'}:\n{rules}\n"
            f"(:source {op.name} shows its code)"]
