"""``torch.nn.modules``: the layer classes, one file per kind as in torch."""

from __future__ import annotations

from gradtui.engine.torchapi.nn.modules.activation import (
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from gradtui.engine.torchapi.nn.modules.container import ModuleDict, ModuleList, Sequential
from gradtui.engine.torchapi.nn.modules.distance import CosineSimilarity, PairwiseDistance
from gradtui.engine.torchapi.nn.modules.dropout import Dropout
from gradtui.engine.torchapi.nn.modules.flatten import Flatten
from gradtui.engine.torchapi.nn.modules.lazy import LazyModuleMixin  # noqa: F401
from gradtui.engine.torchapi.nn.modules.linear import Identity, LazyLinear, Linear
from gradtui.engine.torchapi.nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
)
from gradtui.engine.torchapi.nn.modules.module import Module
from gradtui.engine.torchapi.nn.modules.parameter_containers import ParameterDict, ParameterList

__all__ = [
    "ELU", "GELU", "SELU", "Hardsigmoid", "Hardswish", "Hardtanh", "Mish", "ReLU6", "SiLU",
    "Softplus", "CosineSimilarity", "HuberLoss", "KLDivLoss", "PairwiseDistance", "SmoothL1Loss",
    "SoftMarginLoss", "LazyLinear", "ParameterDict", "ParameterList",
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Flatten", "Identity",
    "L1Loss", "LeakyReLU", "Linear", "LogSigmoid", "LogSoftmax", "MSELoss", "Module",
    "ModuleDict", "ModuleList", "NLLLoss", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh",
]
