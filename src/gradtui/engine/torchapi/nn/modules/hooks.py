"""Module hooks: ``register_forward_pre_hook``, ``register_forward_hook``,
``register_full_backward_pre_hook``, ``register_full_backward_hook``, and the ``__call__``
that runs them in torch's order (``Module._call_impl``).

Forward pre-hooks see (and may replace) the arguments, forward hooks the result; an
``always_call`` forward hook also runs when ``forward`` raised (its own error then becomes a
warning). Backward hooks work as in torch: the module's tensor inputs and its result pass
through ``BackwardHookFunction``, an identity autograd Function, so the graph gets one
``BackwardHookFunctionBackward`` node on each side of the module. The node on the output side
catches the gradient of the output (backward pre-hooks run there and may replace it); the node
on the input side catches the gradient of the input, and the backward hooks run there with
both. When no input requires grad the hooks run on the output side, with torch's warning.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from gradtui.engine import errors
from gradtui.engine.custom_function import Function
from gradtui.engine.grad_mode import is_grad_enabled
from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.utils.hooks import RemovableHandle

_HOOK_DICTS = ("_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
               "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_backward_hooks",
               "_backward_pre_hooks")
NO_INPUT_REQUIRES_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


def init_hook_dicts(module: Any) -> None:
    """The empty hook dicts every Module starts with (torch's names)."""
    for name in _HOOK_DICTS:
        object.__setattr__(module, name, OrderedDict())
    object.__setattr__(module, "_is_full_backward_hook", None)


def _add(hooks: OrderedDict, handle: RemovableHandle, hook: Any, prepend: bool) -> None:
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)


class HookMixin:
    """The hook half of ``nn.Module``."""

    _forward_hooks: OrderedDict
    _forward_hooks_with_kwargs: OrderedDict
    _forward_hooks_always_called: OrderedDict
    _forward_pre_hooks: OrderedDict
    _forward_pre_hooks_with_kwargs: OrderedDict
    _backward_hooks: OrderedDict
    _backward_pre_hooks: OrderedDict
    _is_full_backward_hook: bool | None

    def register_forward_pre_hook(self, hook: Any, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` before every ``forward``; returning a value replaces the
        arguments (a non-tuple is wrapped in one). With ``with_kwargs=True`` it is
        ``hook(module, args, kwargs)`` and returns ``None`` or ``(args, kwargs)``."""
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        _add(self._forward_pre_hooks, handle, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook: Any, *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` after every ``forward``; returning a value replaces
        the output. ``with_kwargs=True``: ``hook(module, args, kwargs, output)``;
        ``always_call=True``: it also runs when ``forward`` raised."""
        handle = RemovableHandle(self._forward_hooks, extra_dict=[
            self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        _add(self._forward_hooks, handle, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook: Any,
                                        prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` when the gradient of the output arrives; returning a
        tuple replaces ``grad_output``."""
        handle = RemovableHandle(self._backward_pre_hooks)
        _add(self._backward_pre_hooks, handle, hook, prepend)
        return handle

    def register_full_backward_hook(self, hook: Any, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once the gradient of the module's inputs
        is computed; returning a tuple replaces ``grad_input``."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        _add(self._backward_hooks, handle, hook, prepend)
        return handle

    def __setstate__(self, state: dict) -> None:
        # a module pickled before modules had hooks (an older gradtui) gets empty ones, as
        # torch's Module.__setstate__ does for old checkpoints
        self.__dict__.update(state)
        for name in _HOOK_DICTS:
            self.__dict__.setdefault(name, OrderedDict())
        self.__dict__.setdefault("_is_full_backward_hook", None)

    # ------------------------------------------------------------ calling
    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        forward_call = self.forward
        if not (self._backward_hooks or self._backward_pre_hooks or self._forward_hooks
                or self._forward_pre_hooks):
            return forward_call(*args, **kwargs)
        result = None
        called_always: set[int] = set()
        try:
            backward_pre_hooks = list(self._backward_pre_hooks.values())
            full_backward_hooks = list(self._backward_hooks.values())
            for hook_id, hook in list(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if isinstance(new, tuple) and len(new) == 2:
                            args, kwargs = new
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple "
                                               f"of (new_args, new_kwargs), but got {new}.")
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            bw_hook = None
            if full_backward_hooks or backward_pre_hooks:
                bw_hook = BackwardHook(self, full_backward_hooks, backward_pre_hooks)
                args = bw_hook.setup_input_hook(args)
            result = forward_call(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                if new is not None:
                    result = new
            if bw_hook:
                if not isinstance(result, Tensor | tuple):
                    errors.warn("For backward hooks to be called, module output should be a "
                                f"Tensor or a tuple of Tensors but received {type(result)}")
                result = bw_hook.setup_output_hook(result)
            return result
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called_always:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            new = hook(self, args, kwargs, result)
                        else:
                            new = hook(self, args, result)
                        if new is not None:
                            result = new
                    except Exception as e:  # noqa: BLE001 - torch silences it into a warning
                        errors.warn("module forward hook with ``always_call=True`` raised an "
                                    "exception that was silenced as another error was raised "
                                    f"in forward: {e}")
            raise


class BackwardHookFunction(Function):
    """The identity whose node (``BackwardHookFunctionBackward``) carries a module's backward
    hooks; ``_bw_hook``/``_side`` on its ctx say which module and which side."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        ctx.mark_non_differentiable(*[arg for arg in args if not arg.requires_grad])
        # torch's hooks on this node see None for an output no gradient reached, not zeros
        ctx.set_materialize_grads(False)
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        hook = getattr(ctx, "_bw_hook", None)
        if hook is None:
            return grads
        if ctx._side == "output":
            return hook.output_gradient(grads)
        return hook.input_gradient(grads)


BackwardHookFunction.__module__ = "torch.nn.modules._functions"


def _hook_node_rules(node: Any) -> list[str]:
    """What the graph panel and ``:step`` say the node does (not "the backward you wrote":
    torch wrote it): the gradient passes through unchanged unless a hook replaces it."""
    hook = getattr(node, "_bw_hook", None)
    name = type(hook.module).__name__ if hook is not None else "the module"
    if getattr(node, "_side", None) == "output":
        text = (f"passes through; {name}'s backward pre-hooks see it and may replace it "
                "(register_full_backward_pre_hook)")
    else:
        text = (f"passes through; {name}'s backward hooks see it as grad_input and may "
                "replace it (register_full_backward_hook)")
    return [text] * len(node.next_functions)


BackwardHookFunction._backward_cls.rules = _hook_node_rules


class BackwardHook:
    """torch's ``torch.utils.hooks.BackwardHook``: links the gradient caught on the output
    side with the one caught on the input side and calls the learner's hooks with both."""

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs: tuple | None = None
        self.n_outputs = -1
        self.output_tensors_index: list[int] | None = None
        self.n_inputs = -1
        self.input_tensors_index: list[int] | None = None

    @staticmethod
    def _pack_with_none(indices: list[int], values: Any, size: int) -> tuple:
        res: list[Any] = [None] * size
        for idx, val in zip(indices, values, strict=True):
            res[idx] = val
        return tuple(res)

    def input_gradient(self, grad_input: tuple) -> tuple:
        """The input side's node ran: the backward hooks see the input's gradient."""
        if self.grad_outputs is None:
            return grad_input  # a gradient that did not pass through the module's output
        assert self.input_tensors_index is not None
        res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_tensors_index)

    def output_gradient(self, grad_output: tuple) -> tuple:
        """The output side's node ran: the backward pre-hooks see (and may replace) the
        output's gradient; with no input requiring grad the backward hooks run here."""
        assert self.output_tensors_index is not None
        self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                 self.n_outputs)
        expected = len(self.grad_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != expected:
                raise RuntimeError("Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(new)}, but expected {expected}")
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_tensors_index is None:
            errors.warn(NO_INPUT_REQUIRES_GRAD)
            grad_inputs = self._pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple)
                                            and all(el is None for el in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_tensors_index)

    def _apply_on_tensors(self, side: str, args: tuple) -> tuple[tuple, list[int] | None]:
        tensors_idx = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (any(t.requires_grad for t in tensors) and is_grad_enabled()):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        for t in new_tensors:
            fn = t.grad_fn
            if fn is not None and fn.name() == "BackwardHookFunctionBackward":
                fn._bw_hook = self
                fn._side = side
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors, strict=True):
            arg_list[idx] = val
        return tuple(arg_list), tensors_idx

    def setup_input_hook(self, args: tuple) -> tuple:
        res, self.input_tensors_index = self._apply_on_tensors("input", args)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, self.output_tensors_index = self._apply_on_tensors("output", args)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]

