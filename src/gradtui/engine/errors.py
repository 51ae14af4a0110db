"""torch 2.13's exact error and warning texts, in one place so tests and code share them."""

from __future__ import annotations

import sys
import warnings

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
IMPLICIT_GRAD_SCALAR = "grad can be implicitly created only for scalar outputs"
NO_GRAD_FN = "element {index} of tensors does not require grad and does not have a grad_fn"
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
ONLY_FLOAT_CAN_REQUIRE_GRAD = (
    "Only Tensors of floating point and complex dtype can require gradients"
)
ONLY_FLOAT_REQUIRES_GRAD_ = "only Tensors of floating point dtype can require gradients"
ITEM_NOT_SCALAR = "a Tensor with {n} elements cannot be converted to Scalar"
SHAPE_MISMATCH = (
    "Mismatch in shape: grad_output[{index}] has a shape of {got} and output[{index}] has a "
    "shape of {expected}."
)
BROADCAST = (
    "The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
    "dimension {dim}"
)
MM_SHAPES = "mat1 and mat2 shapes cannot be multiplied ({a0}x{a1} and {b0}x{b1})"
VIEW_SHAPE = "shape '[{shape}]' is invalid for input of size {size}"
MEAN_INT = (
    "mean(): could not infer output dtype. Input dtype must be either a floating point or "
    "complex dtype. Got: {name}"
)
UNUSED_INPUT = (
    "The differentiated Tensor at index {index} appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
RAGGED = "expected sequence of length {expected} at dim {dim} (got {got})"
INPLACE_MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{legacy} [{shape}]]{origin} is at version {now}; expected version {saved} "
    "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
DIM_RANGE = "Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
INT_NEGATIVE_POWER = "Integers to negative integer powers are not allowed."
REQUIRES_GRAD_NON_LEAF = "you can only change requires_grad flags of leaf variables."
BOOL_SUB = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
    "invert a mask, use the `~` or `logical_not()` operator instead."
)
BOOL_SUB_BOTH = (
    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
    "`logical_xor()` operator instead."
)

DEEPCOPY_NON_LEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
    "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
)
FLOAT_REQUIRES_GRAD = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at /__w/pytorch/pytorch/torch/"
    "csrc/autograd/generated/python_variable_methods.cpp:822.)"
)
T_0D = (
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)"
)
T_NOT_2D = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
    "TensorShape.cpp:4314.)"
)
GRAD_SIZE = (
    "attempting to assign a gradient of size '[{got}]' to a tensor of size '[{expected}]'. Please "
    "ensure that the gradient and the tensor are the same size"
)
BOOL_NEG = (
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
    "a mask, use the `~` or `logical_not()` operator instead."
)

def _engine_module_name(module_globals: dict) -> str:
    """The module's import name: the shim renames the torchapi modules ``torch...`` while
    installed, but their spec keeps the real one."""
    spec = module_globals.get("__spec__")
    return spec.name if spec is not None else module_globals.get("__name__", "")


_warned_once: set[str] = set()


def warn_once(message: str, category: type[Warning] = UserWarning) -> None:
    """torch's ``TORCH_WARN_ONCE``: the first time in the process only, whatever the line
    (Python's own filter would repeat it for every new line that triggers it)."""
    if message in _warned_once:
        return
    _warned_once.add(message)
    warn(message, category)


def forget_warnings_once() -> None:
    """Back to a fresh process's state: every ``warn_once`` warning may show again (for
    replaying golden cases, each of which torch ran as the first to warn)."""
    _warned_once.clear()


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn like torch does: attributed to the learner's line that called into the engine
    (the first frame outside ``gradtui.engine``), whatever our internal call depth."""
    frame = sys._getframe(1)
    level = 2
    while frame is not None and _engine_module_name(frame.f_globals).startswith("gradtui.engine"):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)

# torch.inference_mode: what an inference tensor refuses outside the mode
INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")
INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details.")
INFERENCE_REQUIRES_GRAD = (
    "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
INFERENCE_VERSION = "Inference tensors do not track version counter."
