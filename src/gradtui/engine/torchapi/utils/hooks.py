"""``torch.utils.hooks``: the handle a module hook registration returns.

A module keeps each kind of hook in an insertion-ordered dict keyed by the handle's ``id``
(one counter for the whole process, as in torch), so ``prepend=True`` is a move to the front
and ``handle.remove()`` deletes the key from the dict and from the flag dicts beside it
(``with_kwargs``, ``always_call``).
"""

from __future__ import annotations

import weakref
from typing import Any


class RemovableHandle:
    """What ``register_forward_hook`` and its kin return: ``remove()`` unregisters the hook
    (also as a context manager: ``with m.register_forward_hook(f): ...``)."""

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dict_ref: tuple = ()
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (weakref.ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self) -> None:
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]
        for ref in self.extra_dict_ref:
            extra_dict = ref()
            if extra_dict is not None and self.id in extra_dict:
                del extra_dict[self.id]

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, type: Any, value: Any, tb: Any) -> None:
        self.remove()


RemovableHandle.__module__ = "torch.utils.hooks"
